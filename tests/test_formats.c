/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The project's CSV formats through the library: every cell that the writers
 * of <promscore/formats.h> write, the reader gives back exactly as it was.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <promscore/formats.h>

#include "helpers.h"

/* Texts a cell can hold: separators, quotes, formula starts, spaces, line breaks, UTF-8. */
static const char *const texts[] = {
    "plain", "", "a,b", "say \"hi\"", "\"", "=1+2", "=HYPERLINK(\"x\")", "+6m", "-P2", "@SUM(A1)",
    "\tindented", "\rreturn", " leading space", "trailing space ", "trailing tab\t", "two\nlines",
    "crlf\r\nline", "caf\xc3\xa9 \xe6\xbc\xa2\xe5\xad\x97", "'=x", "''+y", "'", "''", "'plain",
    "-5", "+3.5e2", "'-5", "-", "=", "1,2", "site=Dalston", "baseline->+6m", "@", " ",
};
enum { N_TEXTS = sizeof texts / sizeof texts[0] };

/* Writes with an encoder into a buffer of the size it asks for; returns the NUL-ended text. */
#define ENCODED(call)                                                                          \
    ({                                                                                         \
        char *to = NULL;                                                                       \
        size_t room = 0;                                                                       \
        size_t need_ = (call);                                                                 \
        to = malloc(need_ + 1);                                                                \
        room = need_;                                                                          \
        cr_assert_eq((call), need_, "the length asked for is the length written");            \
        to[need_] = '\0';                                                                      \
        to;                                                                                    \
    })

Test(cells, encoded_as_rfc4180_with_the_formula_guard)
{
    static const struct {
        const char *text, *cell;
    } cases[] = {
        {"plain", "plain"},
        {"", ""},
        {"a,b", "\"a,b\""},
        {"say \"hi\"", "\"say \"\"hi\"\"\""},
        {"=1+2", "\"'=1+2\""},
        {"+6m", "\"'+6m\""},
        {"-5", "-5"},            /* a plain number: never guarded */
        {"+3.5e2", "+3.5e2"},
        {"'=x", "\"''=x\""},     /* reads as a guarded cell: guarded too */
        {"'plain", "'plain"},
        {" x", "\" x\""},
        {"x\t", "\"x\t\""},
        {"two\nlines", "\"two\nlines\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *cell = ENCODED(ps_cell_text(to, room, cases[i].text));
        cr_assert_str_eq(cell, cases[i].cell, "text '%s'", cases[i].text);
        free(cell);
    }
}

Test(cells, a_short_room_asks_for_more_and_writes_no_further)
{
    char to[8];
    memset(to, '#', sizeof to);
    cr_assert_eq(ps_cell_text(to, 4, "a longer text"), 13);
    cr_assert_eq(to[4], '#');
    cr_assert_eq(ps_cell_text(to, 4, "=a,b"), 7);
    cr_assert_eq(ps_cell_text(NULL, 0, "x"), 1);
    cr_assert_eq(ps_cell_text(NULL, 0, ""), 0);
    memset(to, '#', sizeof to);
    cr_assert_eq(ps_cell_number(to, 2, 19.25, 2), 5);
    cr_assert_eq(to[2], '#');
}

Test(cells, numbers_without_printf)
{
    static const struct {
        double value;
        int decimals;
        const char *cell;
    } cases[] = {
        {19.25, 2, "19.25"}, {38, 0, "38"},      {-0.004, 2, "0.00"}, {-0.005, 2, "-0.01"},
        {0.5, 0, "1"},       {7, 3, "7.000"},    {1e13, 1, "10000000000000.0"},
        {-2.5, 1, "-2.5"},   {1e300, 0, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *cell = ENCODED(ps_cell_number(to, room, cases[i].value, cases[i].decimals));
        char expected[400];
        snprintf(expected, sizeof expected, "%.*f", cases[i].decimals, cases[i].value);
        cr_assert_str_eq(cell, cases[i].cell ? cases[i].cell : expected, "%g", cases[i].value);
        free(cell);
    }
    char *cell = ENCODED(ps_cell_unsigned(to, room, 4294967295ul));
    cr_assert_str_eq(cell, "4294967295");
    free(cell);
}

Test(cells, the_guard_is_undone_exactly)
{
    for (size_t i = 0; i < N_TEXTS; i++) {
        char *cell = ENCODED(ps_cell_text(to, room, texts[i]));
        /* Unquote as a reader would. */
        char *plain = strdup(cell), *w = plain;
        if (cell[0] == '"') {
            for (const char *p = cell + 1; p[1]; p++) {
                *w++ = *p;
                if (*p == '"')
                    p++;
            }
            *w = '\0';
        }
        cr_assert_str_eq(ps_cell_unguard(plain), texts[i], "cell %s", cell);
        free(plain);
        free(cell);
    }
}

/* ---- Whole files: written by the library's row writers, read by its reader. ---- */

static char *write_file(const char *name, char *(*fill)(size_t *length, void *), void *data)
{
    size_t length;
    char *text = fill(&length, data);
    char *path = test_file(name, text, (long)length);
    free(text);
    return path;
}

/* Appends an encoder's output to a growing text. */
#define APPEND(text, length, call)                                                             \
    do {                                                                                       \
        char *to = NULL;                                                                       \
        size_t room = 0;                                                                       \
        size_t need_ = (call);                                                                 \
        text = realloc(text, length + need_ + 1);                                              \
        to = text + length;                                                                    \
        room = need_;                                                                          \
        cr_assert_eq((call), need_);                                                           \
        length += need_;                                                                       \
    } while (0)

struct scored_data {
    ps_context_t *context;
    const char *kept_names[3];
};

static char *fill_scored(size_t *length, void *user)
{
    struct scored_data *d = user;
    const ps_instrument_t *in = ps_context_find_instrument(d->context, "swemwbs");
    const ps_scale_t *scale = ps_instrument_find_scale(in, "metric");
    char *text = NULL;
    *length = 0;
    APPEND(text, *length, ps_format_header(to, room, PS_FORMAT_SCORED, d->kept_names, 3));
    for (size_t i = 0; i < N_TEXTS; i++) {
        const char *kept[4] = {texts[i], texts[(i + 1) % N_TEXTS], texts[(i + 2) % N_TEXTS], NULL};
        char id[64];
        snprintf(id, sizeof id, "%s#%zu", texts[i], i); /* never empty */
        ps_score_t s = {.participant_id = id,
                        .timepoint = *texts[i] ? texts[i] : "t",
                        .instrument = in,
                        .scale = scale,
                        .has_value = i % 3 != 2,
                        .value = 7 + (double)i * 0.83,
                        .answered = 7,
                        .status = i % 3 != 2 ? "ok" : "incomplete",
                        .kept = kept};
        APPEND(text, *length, ps_format_scored_row(to, room, &s, 3));
    }
    return text;
}

struct scored_seen {
    size_t n;
};

static int check_scored(const ps_score_t *s, void *user)
{
    struct scored_seen *seen = user;
    size_t i = seen->n++;
    char id[64];
    snprintf(id, sizeof id, "%s#%zu", texts[i], i);
    cr_assert_str_eq(s->participant_id, id);
    cr_assert_str_eq(s->timepoint, *texts[i] ? texts[i] : "t");
    cr_assert_str_eq(ps_instrument_id(s->instrument), "swemwbs");
    cr_assert_str_eq(ps_scale_id(s->scale), "metric");
    cr_assert_eq(s->has_value, i % 3 != 2);
    if (s->has_value)
        cr_assert_float_eq(s->value, round((7 + (double)i * 0.83) * 100) / 100, 1e-9);
    cr_assert_eq(s->answered, 7);
    cr_assert_str_eq(s->status, i % 3 != 2 ? "ok" : "incomplete");
    cr_assert_str_eq(s->kept[0], texts[(i + 1) % N_TEXTS], "line %lu", s->line);
    cr_assert_str_eq(s->kept[1], texts[i], "line %lu", s->line);
    cr_assert_null(s->kept[2]);
    return 0;
}

Test(formats, scored_rows_read_back_as_written)
{
    struct capture capture = {0};
    struct scored_data d = {test_context(&capture), {"=site", "free text, \"quoted\"", "+kept"}};
    char *file = write_file("scored.csv", fill_scored, &d);
    /* Grouped by two kept columns whose names need quoting and the guard. */
    const char *by[] = {"free text, \"quoted\"", "=site"};
    struct scored_seen seen = {0};
    ps_error_t err = ps_scored_read(d.context, file, by, 2, check_scored, &seen);
    cr_assert_eq(err, PS_OK, "%s", capture.n_diagnostics ? capture.diagnostics[0].message : "");
    cr_assert_eq(seen.n, N_TEXTS);
    ps_context_free(d.context);
}

struct reject_seen {
    size_t n;
};

static char *fill_rejects(size_t *length, void *user)
{
    (void)user;
    char *text = NULL;
    *length = 0;
    APPEND(text, *length, ps_format_header(to, room, PS_FORMAT_REJECTS, NULL, 0));
    for (size_t i = 0; i < N_TEXTS; i++) {
        ps_reject_t r = {texts[i], 1000 + i, 3, texts[(i + 1) % N_TEXTS],
                         texts[(i + 2) % N_TEXTS], texts[(i + 3) % N_TEXTS],
                         texts[(i + 4) % N_TEXTS]};
        APPEND(text, *length, ps_format_reject_row(to, room, &r));
    }
    return text;
}

static int check_reject(const ps_format_row_t *row, void *user)
{
    struct reject_seen *seen = user;
    size_t i = seen->n++;
    cr_assert_eq(row->n_cells, 6);
    cr_assert_str_eq(row->header[5], "reason");
    char line[32];
    snprintf(line, sizeof line, "%zu", 1000 + i);
    cr_assert_str_eq(row->cells[0], texts[i]);
    cr_assert_str_eq(row->cells[1], line);
    for (size_t k = 2; k < 6; k++)
        cr_assert_str_eq(row->cells[k], texts[(i + k - 1) % N_TEXTS], "row %zu, cell %zu", i, k);
    return 0;
}

Test(formats, rejects_read_back_as_written)
{
    struct capture capture = {0};
    ps_context_t *context = test_context(&capture);
    char *file = write_file("rejects.csv", fill_rejects, NULL);
    struct reject_seen seen = {0};
    cr_assert_eq(ps_format_read(context, file, PS_FORMAT_REJECTS, check_reject, &seen), PS_OK);
    cr_assert_eq(seen.n, N_TEXTS);
    ps_context_free(context);
}

struct report_data {
    ps_context_t *context;
    ps_statistic_t statistics[N_TEXTS];
};

static char *fill_report(size_t *length, void *user)
{
    struct report_data *d = user;
    const ps_instrument_t *in = ps_context_find_instrument(d->context, "swemwbs");
    char *text = NULL;
    *length = 0;
    APPEND(text, *length, ps_format_header(to, room, PS_FORMAT_REPORT, NULL, 0));
    for (size_t i = 0; i < N_TEXTS; i++) {
        ps_statistic_t *s = &d->statistics[i];
        *s = (ps_statistic_t){.instrument = in,
                              .unit = "metric",
                              .group = texts[i],
                              .comparison = texts[(i + 1) % N_TEXTS],
                              .id = i % 2 ? PS_STAT_N_PAIRED : PS_STAT_MEAN_CHANGE,
                              .name = texts[(i + 2) % N_TEXTS],
                              .value = i % 2 ? (double)i : -1.0 / 3 - (double)i,
                              .shown = (ps_shown_t)(i % 3),
                              .reason = i % 3 == 2 ? texts[(i + 3) % N_TEXTS] : NULL,
                              .note = i % 4 ? texts[(i + 4) % N_TEXTS] : NULL};
        APPEND(text, *length, ps_format_report_row(to, room, s));
    }
    return text;
}

struct report_seen {
    const struct report_data *d;
    size_t n;
};

static int check_report(const ps_format_row_t *row, void *user)
{
    struct report_seen *seen = user;
    const ps_statistic_t *s = &seen->d->statistics[seen->n++];
    cr_assert_eq(row->n_cells, 9);
    cr_assert_str_eq(row->cells[0], "swemwbs");
    cr_assert_str_eq(row->cells[1], "metric");
    cr_assert_str_eq(row->cells[2], s->group);
    cr_assert_str_eq(row->cells[3], s->comparison);
    cr_assert_str_eq(row->cells[4], s->name);
    cr_assert_str_eq(row->cells[5], s->id == PS_STAT_N_PAIRED ? "count" : "figure");
    if (s->shown == PS_SHOWN) {
        double value = strtod(row->cells[6], NULL);
        cr_assert_eq(value, s->value, "%s: the value to full precision", row->cells[6]);
    } else {
        cr_assert_str_eq(row->cells[6], "");
    }
    char suppressed[256];
    snprintf(suppressed, sizeof suppressed, "not computable: %s", s->reason ? s->reason : "");
    cr_assert_str_eq(row->cells[7], s->shown == PS_SHOWN        ? "no"
                                    : s->shown == PS_SUPPRESSED ? "yes"
                                                                : suppressed);
    cr_assert_str_eq(row->cells[8], s->note ? s->note : "");
    return 0;
}

Test(formats, a_reason_needing_quotes_is_one_cell)
{
    struct capture capture = {0};
    ps_context_t *context = test_context(&capture);
    ps_statistic_t s = {.instrument = ps_context_find_instrument(context, "swemwbs"),
                        .unit = "metric", .group = "all", .comparison = "baseline->followup",
                        .id = PS_STAT_MEAN_CHANGE, .name = "mean_change",
                        .shown = PS_NOT_COMPUTABLE, .reason = "no pairs, \"none\""};
    char *row = ENCODED(ps_format_report_row(to, room, &s));
    cr_assert_str_eq(row, "swemwbs,metric,all,baseline->followup,mean_change,figure,,"
                          "\"not computable: no pairs, \"\"none\"\"\",\n");
    free(row);
    s.reason = "";
    row = ENCODED(ps_format_report_row(to, room, &s));
    cr_assert(strstr(row, ",,\"not computable: \",\n"), "%s", row);
    free(row);
    /* A shown figure that is not a finite number: never inf or nan, as in JSON. */
    s.shown = PS_SHOWN;
    for (int k = 0; k < 2; k++) {
        s.value = k ? NAN : INFINITY;
        row = ENCODED(ps_format_report_row(to, room, &s));
        cr_assert_str_eq(row, "swemwbs,metric,all,baseline->followup,mean_change,figure,,"
                              "not computable: the figure is not a finite number,\n");
        free(row);
    }
    ps_context_free(context);
}

Test(formats, report_rows_read_back_as_written)
{
    struct capture capture = {0};
    struct report_data d = {test_context(&capture), {{0}}};
    char *file = write_file("report.csv", fill_report, &d);
    struct report_seen seen = {&d, 0};
    cr_assert_eq(ps_format_read(d.context, file, PS_FORMAT_REPORT, check_report, &seen), PS_OK);
    cr_assert_eq(seen.n, N_TEXTS);
    ps_context_free(d.context);
}

static int never(const ps_format_row_t *row, void *user)
{
    (void)row;
    (void)user;
    cr_assert_fail("no row of a file of another format is read");
    return 1;
}

Test(formats, a_file_of_another_format_is_refused_with_its_line)
{
    struct capture capture = {0};
    ps_context_t *context = test_context(&capture);
    char *rejects = test_file("r.csv", "file,line,participant_id,column,value,reason\n", -1);
    cr_assert_eq(ps_format_read(context, rejects, PS_FORMAT_REPORT, never, NULL), PS_ERROR_BATCH);
    cr_assert(strstr(capture.diagnostics[0].message, "not a report CSV: column 1 must be 'instrument'"),
              "%s", capture.diagnostics[0].message);
    cr_assert_eq(capture.diagnostics[0].line, 1);
    char *extra = test_file("r.csv", "file,line,participant_id,column,value,reason,more\n", -1);
    cr_assert_eq(ps_format_read(context, extra, PS_FORMAT_REJECTS, never, NULL), PS_ERROR_BATCH);
    char *ragged = test_file("r.csv", "file,line,participant_id,column,value,reason\na,1\n", -1);
    cr_assert_eq(ps_format_read(context, ragged, PS_FORMAT_REJECTS, never, NULL), PS_ERROR_BATCH);
    cr_assert(strstr(capture.diagnostics[2].message, "2 fields, the header has 6"), "%s",
              capture.diagnostics[2].message);
    cr_assert_eq(capture.diagnostics[2].line, 2);
    size_t n;
    cr_assert_str_eq(ps_format_columns(PS_FORMAT_SCORED, &n)[7], "status");
    cr_assert_eq(n, 8);
    ps_context_free(context);
}

/* A summary row: typed cells, each followed by its flag; what is hidden or absent is empty. */
static char *fill_summary(size_t *length, void *user)
{
    ps_context_t *context = user;
    const ps_instrument_t *in = ps_context_find_instrument(context, "ons4");
    const ps_scale_t *anxiety = ps_instrument_find_scale(in, "anxiety");
    static ps_statistic_t s[PS_HEADLINE_COLUMNS_];
    const double values[PS_HEADLINE_COLUMNS_] = {40, 31, 30, 0.25, 38.1, 41.866666, -3.766666,
                                                 -6.17, 1.36, 0.5666, 0.1, 0.8125};
    ps_report_block_t b = {.instrument = in, .unit = "anxiety", .scale = anxiety,
                           .group = "+site=1", .comparison = "baseline->end",
                           .worst_band = "high"};
    for (int c = 0; c < PS_HEADLINE_COLUMNS_; c++) {
        s[c] = (ps_statistic_t){.instrument = in, .unit = "anxiety", .scale = anxiety,
                                .id = ps_report_headline_statistic((ps_headline_column_t)c),
                                .value = values[c], .shown = PS_SHOWN};
        b.headline[c] = &s[c];
    }
    s[PS_HEADLINE_N_FOLLOWUP].shown = PS_SUPPRESSED;
    s[PS_HEADLINE_N_FOLLOWUP].value = NAN;
    s[PS_HEADLINE_CI_LOW].shown = PS_NOT_COMPUTABLE;
    b.headline[PS_HEADLINE_SHARE_IMPROVED] = NULL; /* no threshold */
    char *text = NULL;
    *length = 0;
    APPEND(text, *length, ps_format_header(to, room, PS_FORMAT_SUMMARY, NULL, 0));
    APPEND(text, *length, ps_format_summary_row(to, room, &b));
    return text;
}

static int check_summary(const ps_format_row_t *row, void *user)
{
    (*(int *)user)++;
    cr_assert_eq(row->n_cells, 31);
    cr_assert_str_eq(row->header[30], "left_worst_band_pct_suppressed");
    cr_assert_str_eq(row->cells[4], "+site=1", "a group like a formula reads back as written");
    return 0;
}

Test(formats, summary_rows_are_typed_and_flag_each_cell)
{
    struct capture capture = {0};
    ps_context_t *context = test_context(&capture);
    size_t length;
    char *filled = fill_summary(&length, context), *text = strndup(filled, length);
    free(filled);
    const char *row = strchr(text, '\n') + 1;
    cr_assert_str_eq(row, "ons4,anxiety,\"Anxiety (0-10, lower is better)\",lower,\"'+site=1\","
                          "baseline->end,40,no,,yes,30,no,25.0,no,38.10,no,41.87,no,-3.77,no,"
                          ",n/a,1.36,no,,n/a,10.0,no,high,81.3,no\n");
    free(text);
    char *file = write_file("summary.csv", fill_summary, context);
    int rows = 0;
    cr_assert_eq(ps_format_read(context, file, PS_FORMAT_SUMMARY, check_summary, &rows), PS_OK);
    cr_assert_eq(rows, 1);
    size_t n;
    const char *const *columns = ps_format_columns(PS_FORMAT_SUMMARY, &n);
    cr_assert_eq(n, 31);
    cr_assert_null(columns[n]);
    ps_context_free(context);
}
