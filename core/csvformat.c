/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The project's CSV formats (scored, rejects, report): their columns, the cell
 * encoder, a writer per row and one reader. See <promscore/formats.h>.
 *
 * Scores are written millions of times: cells are encoded without printf and
 * without allocating, into the caller's buffer.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <promscore/formats.h>

#include "csvformat.h"
#include "csvread.h"
#include "internal.h"

static const char *const scored_columns[] = {"participant_id", "timepoint", "instrument",
                                             "scale", "score", "band", "answered", "status",
                                             NULL};
static const char *const rejects_columns[] = {"file",  "line",  "participant_id", "column",
                                              "value", "reason", NULL};
static const char *const report_columns[] = {"instrument", "scale",     "group",
                                             "comparison", "statistic", "kind",
                                             "value",      "suppressed", "note",
                                             NULL};

static const char *const summary_columns[] = {
    "instrument", "scale", "label", "better", "group", "comparison",
    "n_baseline", "n_baseline_suppressed", "n_followup", "n_followup_suppressed",
    "n_paired", "n_paired_suppressed", "loss_rate_pct", "loss_rate_pct_suppressed",
    "mean_baseline", "mean_baseline_suppressed", "mean_followup", "mean_followup_suppressed",
    "mean_change", "mean_change_suppressed", "ci_low", "ci_low_suppressed",
    "ci_high", "ci_high_suppressed", "share_improved_pct", "share_improved_pct_suppressed",
    "share_reliable_improved_pct", "share_reliable_improved_pct_suppressed",
    "worst_band", "left_worst_band_pct", "left_worst_band_pct_suppressed",
    NULL};

static const struct {
    const char *name;
    const char *const *columns;
    size_t n;
} formats[] = {
    [PS_FORMAT_SCORED] = {"scored", scored_columns, 8},
    [PS_FORMAT_REJECTS] = {"rejects", rejects_columns, 6},
    [PS_FORMAT_REPORT] = {"report", report_columns, 9},
    [PS_FORMAT_SUMMARY] = {"summary", summary_columns, 31},
};

const char *const *ps_format_columns(ps_format_t format, size_t *n)
{
    if ((unsigned)format >= sizeof formats / sizeof formats[0])
        return NULL;
    if (n)
        *n = formats[format].n;
    return formats[format].columns;
}

/* ---- Cells. ---- */

/* A first byte with which a spreadsheet may take a cell for a formula. */
static int starts_formula(char c)
{
    return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
}

static int plain_number(const char *s)
{
    char *end;
    if (!*s || strspn(s, "+-0123456789.eE") != strlen(s))
        return 0;
    strtod(s, &end);
    return *end == '\0';
}

/*
 * Whether a text is written with the guard: it starts like a formula and is
 * not a plain number, or it is such a text after one or more ' (so that a
 * text the reader would take for a guarded one is guarded too).
 */
static int needs_guard(const char *text)
{
    while (*text == '\'')
        text++;
    return starts_formula(*text) && !plain_number(text);
}

const char *ps_cell_unguard(const char *cell)
{
    return cell[0] == '\'' && needs_guard(cell + 1) ? cell + 1 : cell;
}

/* First bytes that need the careful way: a guard, or quotes for a leading space or tab. */
static const unsigned char careful_start[256] = {
    ['='] = 1, ['+'] = 1, ['-'] = 1, ['@'] = 1, ['\t'] = 1, ['\r'] = 1, ['\''] = 1, [' '] = 1};
/* Bytes that end a plain cell: the end of the text, or a byte that needs quotes. */
static const unsigned char ends_plain[256] = {[0] = 1, [','] = 1, ['"'] = 1, ['\r'] = 1, ['\n'] = 1};

size_t ps_cell_text(char *to, size_t room, const char *text)
{
    /* The common cell, plain text, is copied as it is checked. */
    if (!careful_start[(unsigned char)text[0]]) {
        size_t i = 0;
        unsigned char c;
        while (i < room && !ends_plain[c = (unsigned char)text[i]])
            to[i++] = (char)c;
        if (text[i] == '\0' && (i == 0 || (text[i - 1] != ' ' && text[i - 1] != '\t')))
            return i;
    }
    const size_t n = strlen(text);
    const int guard = needs_guard(text);
    const int quote = guard || strpbrk(text, ",\"\r\n") ||
                      (n && (text[0] == ' ' || text[0] == '\t' || text[n - 1] == ' ' ||
                             text[n - 1] == '\t'));
    if (!quote) {
        if (n && n <= room)
            memcpy(to, text, n);
        return n;
    }
    size_t quotes = 0;
    for (const char *q = text; (q = strchr(q, '"')); q++)
        quotes++;
    const size_t need = n + quotes + 2 + (size_t)guard;
    if (need > room)
        return need;
    char *p = to;
    *p++ = '"';
    if (guard)
        *p++ = '\'';
    for (size_t i = 0; i < n; i++) {
        if (text[i] == '"')
            *p++ = '"';
        *p++ = text[i];
    }
    *p = '"';
    return need;
}

static size_t copy_out(char *to, size_t room, const char *start, size_t n)
{
    if (n && n <= room)
        memcpy(to, start, n);
    return n;
}

/* The digits of 'value' ending at 'end'; returns where they start. */
static char *digits_before(char *end, unsigned long long value)
{
    do {
        *--end = (char)('0' + value % 10);
        value /= 10;
    } while (value);
    return end;
}

size_t ps_cell_unsigned(char *to, size_t room, unsigned long value)
{
    char digits[24], *end = digits + sizeof digits;
    char *start = digits_before(end, value);
    return copy_out(to, room, start, (size_t)(end - start));
}

size_t ps_cell_number(char *to, size_t room, double value, int decimals)
{
    static const double powers[] = {1, 10, 100, 1e3, 1e4, 1e5, 1e6};
    if (!isfinite(value) || decimals < 0 || decimals > 6 || fabs(value) > 1e12) {
        char text[400]; /* %.30f of the largest double */
        int n = snprintf(text, sizeof text, "%.*f", decimals < 0 ? 0 : decimals > 30 ? 30 : decimals,
                         value);
        if (n < 0)
            return 0;
        return copy_out(to, room, text, (size_t)n < sizeof text ? (size_t)n : sizeof text - 1);
    }
    char text[64];
    long long scaled = llround(value * powers[decimals]);
    unsigned long long magnitude = (unsigned long long)(scaled < 0 ? -scaled : scaled);
    unsigned long long unit = (unsigned long long)powers[decimals];
    char *end = text + sizeof text, *start = end;
    if (decimals) {
        unsigned long long frac = magnitude % unit;
        for (int i = 0; i < decimals; i++, frac /= 10)
            *--start = (char)('0' + frac % 10);
        *--start = '.';
    }
    start = digits_before(start, magnitude / unit);
    if (scaled < 0)
        *--start = '-';
    return copy_out(to, room, start, (size_t)(end - start));
}

/* ---- Rows. ---- */

/* Where a row is being written: past 'room', only its length is counted. */
struct row {
    char *to;
    size_t room, used;
};

static inline char *at(const struct row *r)
{
    return r->used < r->room ? r->to + r->used : NULL;
}

static inline size_t left(const struct row *r)
{
    return r->used < r->room ? r->room - r->used : 0;
}

static inline void put_byte(struct row *r, char c)
{
    if (r->used < r->room)
        r->to[r->used] = c;
    r->used++;
}

static inline void put_text(struct row *r, const char *text)
{
    r->used += ps_cell_text(at(r), left(r), text ? text : "");
}

/*
 * An instrument's or scale's id: instrument.xsd restricts them to
 * [a-z][a-z0-9_-]*, which needs neither quotes nor the guard. Copied as it is:
 * two of every scored row's cells.
 */
static inline void put_id(struct row *r, const char *id)
{
    const size_t n = strlen(id);
    if (r->used < r->room && n <= r->room - r->used)
        memcpy(r->to + r->used, id, n);
    r->used += n;
}

size_t ps_format_header(char *to, size_t room, ps_format_t format, const char *const *extra,
                        size_t n_extra)
{
    struct row r = {to, room, 0};
    size_t n;
    const char *const *columns = ps_format_columns(format, &n);
    if (!columns)
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (i)
            put_byte(&r, ',');
        put_text(&r, columns[i]);
    }
    for (size_t i = 0; i < n_extra; i++) {
        put_byte(&r, ',');
        put_text(&r, extra[i]);
    }
    put_byte(&r, '\n');
    return r.used;
}

size_t ps_format_scored_row(char *to, size_t room, const ps_score_t *s, size_t n_kept)
{
    struct row r = {to, room, 0};
    put_text(&r, s->participant_id);
    put_byte(&r, ',');
    put_text(&r, s->timepoint);
    put_byte(&r, ',');
    put_id(&r, ps_instrument_id(s->instrument));
    put_byte(&r, ',');
    put_id(&r, ps_scale_id(s->scale));
    put_byte(&r, ',');
    if (s->has_value)
        r.used += ps_cell_number(at(&r), left(&r), s->value, ps_scale_precision(s->scale));
    put_byte(&r, ',');
    if (s->band)
        put_text(&r, s->band);
    put_byte(&r, ',');
    r.used += ps_cell_unsigned(at(&r), left(&r), s->answered);
    put_byte(&r, ',');
    put_text(&r, s->status);
    if (s->date) {
        put_byte(&r, ',');
        put_text(&r, s->date);
    }
    for (size_t k = 0; k < n_kept; k++) {
        put_byte(&r, ',');
        put_text(&r, s->kept[k]);
    }
    put_byte(&r, '\n');
    return r.used;
}

size_t ps_format_reject_row(char *to, size_t room, const ps_reject_t *j)
{
    struct row r = {to, room, 0};
    put_text(&r, j->file);
    put_byte(&r, ',');
    r.used += ps_cell_unsigned(at(&r), left(&r), j->line);
    put_byte(&r, ',');
    put_text(&r, j->participant_id);
    put_byte(&r, ',');
    put_text(&r, j->column_name);
    put_byte(&r, ',');
    put_text(&r, j->value);
    put_byte(&r, ',');
    put_text(&r, j->reason);
    put_byte(&r, '\n');
    return r.used;
}

/*
 * A text cell of 'prefix' (plain words: never guarded, nothing to quote) then
 * 'text', encoded as ps_cell_text would encode the two together.
 */
static size_t cell_after_prefix(char *to, size_t room, const char *prefix, const char *text)
{
    const size_t np = strlen(prefix), nt = strlen(text);
    const char last = nt ? text[nt - 1] : np ? prefix[np - 1] : '\0';
    const int quote = strpbrk(text, ",\"\r\n") || last == ' ' || last == '\t';
    size_t quotes = 0;
    for (const char *q = text; (q = strchr(q, '"')); q++)
        quotes++;
    const size_t need = np + nt + (quote ? quotes + 2 : 0);
    if (need > room)
        return need;
    char *p = to;
    if (quote)
        *p++ = '"';
    memcpy(p, prefix, np);
    p += np;
    for (size_t i = 0; i < nt; i++) {
        if (text[i] == '"')
            *p++ = '"';
        *p++ = text[i];
    }
    if (quote)
        *p = '"';
    return need;
}

size_t ps_format_report_row(char *to, size_t room, const ps_statistic_t *s)
{
    return ps_format_report_row_with(to, room, NULL, s);
}

size_t ps_format_report_row_with(char *to, size_t room, const char *instrument,
                                 const ps_statistic_t *s)
{
    struct row r = {to, room, 0};
    const ps_kind_t kind = ps_statistic_info(s->id)->kind;
    put_text(&r, instrument ? instrument : ps_instrument_id(s->instrument));
    put_byte(&r, ',');
    put_text(&r, s->unit);
    put_byte(&r, ',');
    put_text(&r, s->group);
    put_byte(&r, ',');
    put_text(&r, s->comparison);
    put_byte(&r, ',');
    put_text(&r, s->name);
    put_byte(&r, ',');
    put_text(&r, ps_kind_name(kind));
    put_byte(&r, ',');
    /* A figure that is not a finite number is not computable, as in the JSON report. */
    const int finite = isfinite(s->value);
    if (s->shown == PS_SHOWN && finite) {
        if (kind == PS_KIND_COUNT) {
            r.used += ps_cell_unsigned(at(&r), left(&r), (unsigned long)s->value);
        } else {
            char text[40];
            int n = snprintf(text, sizeof text, "%.17g", s->value);
            r.used += copy_out(at(&r), left(&r), text, n > 0 ? (size_t)n : 0);
        }
    }
    put_byte(&r, ',');
    if (s->shown == PS_NOT_COMPUTABLE)
        r.used += cell_after_prefix(at(&r), left(&r), "not computable: ",
                                    s->reason ? s->reason : "");
    else if (s->shown == PS_SHOWN && !finite)
        put_text(&r, "not computable: the figure is not a finite number");
    else
        put_text(&r, s->shown == PS_SUPPRESSED ? "yes" : "no");
    put_byte(&r, ',');
    put_text(&r, s->note);
    put_byte(&r, '\n');
    return r.used;
}

/* A headline figure and its flag: "no" shown, "yes" hidden, "n/a" none or not computable. */
static void put_headline_cell(struct row *r, const ps_statistic_t *s)
{
    const ps_statistic_info_t *info = s ? ps_statistic_info(s->id) : NULL;
    const int shown = s && s->shown == PS_SHOWN && isfinite(s->value);
    if (shown && info->kind == PS_KIND_COUNT)
        r->used += ps_cell_unsigned(at(r), left(r), (unsigned long)s->value);
    else if (shown && info->decimals == PS_PCT)
        r->used += ps_cell_number(at(r), left(r), 100 * s->value, 1);
    else if (shown)
        r->used += ps_cell_number(at(r), left(r), s->value, info->decimals < 0 ? 6 : info->decimals);
    put_byte(r, ',');
    put_text(r, shown ? "no" : s && s->shown == PS_SUPPRESSED ? "yes" : "n/a");
}

size_t ps_format_summary_row(char *to, size_t room, const ps_report_block_t *b)
{
    struct row r = {to, room, 0};
    put_text(&r, ps_instrument_id(b->instrument));
    put_byte(&r, ',');
    put_text(&r, b->unit);
    put_byte(&r, ',');
    put_text(&r, b->scale ? ps_scale_label(b->scale) : "");
    put_byte(&r, ',');
    put_text(&r, !b->scale ? "" : ps_scale_lower_is_better(b->scale) ? "lower" : "higher");
    put_byte(&r, ',');
    put_text(&r, b->group);
    put_byte(&r, ',');
    put_text(&r, b->comparison);
    for (int c = 0; c < PS_HEADLINE_COLUMNS_; c++) {
        put_byte(&r, ',');
        if (c == PS_HEADLINE_LEFT_WORST_BAND) {
            put_text(&r, b->worst_band);
            put_byte(&r, ',');
        }
        put_headline_cell(&r, b->headline[c]);
    }
    put_byte(&r, '\n');
    return r.used;
}

/* ---- Reading. ---- */

struct reader {
    ps_context_t *context;
    const char *file;
    ps_format_t format;
    ps_format_header_fn header_fn;
    int (*fn)(const ps_format_row_t *, void *);
    void *user;
    char **header;          /* copies, guard undone */
    const char **cells;
    size_t n_fields;        /* 0 until the header is read */
};

static ps_error_t read_header(struct reader *r, const ps_csv_record_t *rec)
{
    size_t n;
    const char *const *columns = ps_format_columns(r->format, &n);
    const char *name = formats[r->format].name;
    for (size_t i = 0; i < n; i++)
        if (i >= rec->n_fields || strcmp(ps_cell_unguard(rec->fields[i]), columns[i]) != 0)
            return ps_diagnose(r->context, PS_ERROR_BATCH, r->file, rec->line, i + 1,
                               "not a %s CSV: column %zu must be '%s'%s", name, i + 1,
                               columns[i],
                               r->format == PS_FORMAT_SCORED
                                   ? " (the output of 'promscore score'; give raw batches "
                                     "with -i)"
                                   : "");
    if (r->format != PS_FORMAT_SCORED && rec->n_fields != n)
        return ps_diagnose(r->context, PS_ERROR_BATCH, r->file, rec->line, n + 1,
                           "not a %s CSV: %zu columns, not %zu", name, rec->n_fields, n);
    if (!(r->header = calloc(rec->n_fields + 1, sizeof *r->header)) ||
        !(r->cells = calloc(rec->n_fields + 1, sizeof *r->cells)))
        return PS_ERROR_NOMEM;
    for (size_t i = 0; i < rec->n_fields; i++) {
        if (!ps_utf8_valid(rec->fields[i], rec->lengths[i]))
            return ps_diagnose(r->context, PS_ERROR_BATCH, r->file, rec->line, i + 1,
                               "not valid UTF-8 text");
        if (!(r->header[i] = strdup(ps_cell_unguard(rec->fields[i]))))
            return PS_ERROR_NOMEM;
    }
    r->n_fields = rec->n_fields;
    if (r->header_fn)
        return r->header_fn((const char *const *)r->header, r->n_fields, rec->line, r->user);
    return PS_OK;
}

static ps_error_t read_record(const ps_csv_record_t *rec, void *user)
{
    struct reader *r = user;
    if (!r->n_fields)
        return read_header(r, rec);
    if (rec->n_fields != r->n_fields)
        return ps_diagnose(r->context, PS_ERROR_BATCH, r->file, rec->line, 0,
                           "%zu fields, the header has %zu", rec->n_fields, r->n_fields);
    for (size_t i = 0; i < rec->n_fields; i++) {
        if (!ps_utf8_valid(rec->fields[i], rec->lengths[i]))
            return ps_diagnose(r->context, PS_ERROR_BATCH, r->file, rec->line, i + 1,
                               "not valid UTF-8 text");
        r->cells[i] = ps_cell_unguard(rec->fields[i]);
    }
    ps_format_row_t row = {r->file, rec->line, r->cells, r->n_fields,
                           (const char *const *)r->header};
    return r->fn(&row, r->user) ? PS_ERROR_ABORTED : PS_OK;
}

ps_error_t ps_read_format(ps_context_t *context, const char *file,
                                      ps_format_t format, ps_format_header_fn header_fn,
                                      int (*fn)(const ps_format_row_t *, void *), void *user)
{
    if ((unsigned)format >= sizeof formats / sizeof formats[0] || !fn)
        return ps_diagnose(context, PS_ERROR_USAGE, file, 0, 0, "no such CSV format");
    struct reader r = {context, file, format, header_fn, fn, user, NULL, NULL, 0};
    ps_error_t err = ps_csv_read(context, file, read_record, &r);
    if (!err && !r.n_fields)
        err = ps_diagnose(context, PS_ERROR_BATCH, file, 0, 0,
                          "empty file: a %s CSV starts with its header row",
                          formats[format].name);
    for (size_t i = 0; r.header && r.header[i]; i++)
        free(r.header[i]);
    free(r.header);
    free(r.cells);
    return err;
}

ps_error_t ps_format_read(ps_context_t *context, const char *file, ps_format_t format,
                          int (*fn)(const ps_format_row_t *row, void *user), void *user)
{
    return ps_read_format(context, file, format, NULL, fn, user);
}
