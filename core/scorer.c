/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Scoring batches: header -> plan, then each row -> responses -> scale
 * scores, handed to the caller as they are made.
 */
#include "config.h"

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <promscore/formats.h>

#include "csvread.h"
#include "dates.h"
#include "headers.h"
#include "internal.h"
#include "keyset.h"
#include "limits.h"
#include "longexport.h"
#include "pipeline.h"

enum { MAX_BATCHES = 65535, MAX_TIMEPOINTS = 65535 };

/* Field numbers that are not fields. */
#define NO_FIELD SIZE_MAX             /* absent from the header */
#define CLAIMED_TWICE (SIZE_MAX - 1)  /* two headers hold one item */

/* A --map entry: a batch header that holds one item of one instrument (which may have several). */
struct mapping {
    char *header;
    const struct ps_instrument *instrument;
    size_t item;
    unsigned long line;      /* of the map file */
};

/* Where one instrument's items are in the current batch. */
struct planned {
    const struct ps_instrument *instrument;
    unsigned index;          /* in the context, for duplicate keys */
    size_t *item_field;      /* per item */
    ps_response_t *responses; /* per item, for the row being prepared (reading thread) */
    ps_score_t *scores;       /* per scale, for the row being prepared (reading thread) */
    unsigned char *collected; /* per scale: 0 when its items are optional columns this batch lacks */
    size_t first_score;       /* of its scales in a row's results */
};

/*
 * A row is scored in two halves (see pipeline.h). The reading thread does
 * what the row alone decides (its text, its answers, its scale scores) and
 * leaves it in the row; the caller's thread then does what depends on other
 * rows (duplicates, timepoints) and on the caller (the handlers), in order.
 */

/* Why a row is refused whole, as far as the row alone tells. */
enum row_fault {
    ROW_OK,
    ROW_UNREADABLE,          /* the reader's fault: see the record */
    ROW_RAGGED,
    ROW_ID_NOT_TEXT,
    ROW_ID_MISSING,
    ROW_TIMEPOINT_NOT_TEXT,
    ROW_TIMEPOINT_MISSING,
    ROW_KEPT_NOT_TEXT,
    ROW_DATE_NOT_TEXT,
    ROW_DATE_BAD,            /* see the row's date_problem */
    ROW_ITEM_NOT_TEXT,       /* a long export's item cell */
    ROW_ITEM_MISSING,
    ROW_ITEM_UNKNOWN,
    ROW_VALUE_NOT_TEXT,
};

/* Why an answer is refused: its reason is written from this and the item's response set. */
enum refusal {
    REFUSED_NOT_TEXT = 1,
    REFUSED_NOT_NUMBER,
    REFUSED_OUT_OF_RANGE,
    REFUSED_DECIMALS,
    REFUSED_NOT_WHOLE,
    REFUSED_CODE_OUT_OF_RANGE,
    REFUSED_CODE_WRITTEN_OTHERWISE,
    REFUSED_UNKNOWN_LABEL,
};

/* One refused answer of a row. */
struct refused_cell {
    unsigned planned;        /* the instrument, in the plan */
    unsigned item;
    enum refusal why;
};

/* One scale's score in a row: the part of a ps_score_t the row decides. */
struct scale_result {
    double value;
    const char *band;
    const char *status;
    unsigned answered;
    int has_value;
    ps_outcome_t outcome;
};

/*
 * A row as the reading thread leaves it: everything the caller's thread
 * needs of it, refused answers with their reasons included, so that no cell is
 * decoded twice.
 */
struct scored_row {
    enum row_fault fault;
    size_t kept_not_text;    /* which kept column, for ROW_KEPT_NOT_TEXT */
    const char *id;          /* trimmed; NULL when the row has no id field of clean text */
    size_t id_length;
    const char *timepoint;   /* trimmed, when the batch has a timepoint column */
    const char *date;        /* trimmed, with timepoints from dates */
    int32_t day;             /* the date read */
    ps_date_problem_t date_problem;
    size_t n_refused;
    struct scale_result results[]; /* every planned scale, instrument after instrument; then
                                      the text of each kept column (see row_kept); then
                                      the refused answers (see row_refused) */
};

/*
 * Memory one thread writes while the other reads what lies next to it is
 * passed back and forth between the cores: such memory gets cache lines of its
 * own.
 */
enum { CACHE_LINE = 64 };

static void *calloc_lines(size_t count, size_t size)
{
    if (size && count > (SIZE_MAX - CACHE_LINE) / size)
        return NULL;
    size_t bytes = (count * size + CACHE_LINE - 1) / CACHE_LINE * CACHE_LINE;
    void *p = aligned_alloc(CACHE_LINE, bytes ? bytes : CACHE_LINE);
    return p ? memset(p, 0, bytes) : NULL;
}

struct ps_scorer {
    ps_context_t *context;
    ps_score_handlers_t handlers;
    char *id_column, *timepoint_column, *timepoint;
    char **keep;
    size_t n_keep;
    const struct ps_instrument **wanted;  /* NULL: detect per batch */
    size_t n_wanted;
    struct mapping *map;
    size_t n_map;
    ps_keyset_t *keys;
    unsigned n_batches;
    ps_response_t *scale_responses;  /* one per item of the largest instrument (reading thread) */
    unsigned threads;
    char *encoding;
    char delimiter;

    /* Timepoints from dates: NULL 'dates' without them. */
    ps_date_book_t *dates;
    char *date_column, *date_format;
    ps_date_range_t date_range;      /* the dates accepted */
    ps_window_t *windows;
    size_t n_windows;
    int scored_dated;                /* the one set of batches was given */
    const char *const *run_files;    /* the batches of the run, for messages */
    unsigned first_run_batch;        /* the batch number of run_files[0] */
    off_t stdin_start;               /* where standard input starts, read twice */
    int stdin_seen;
    /* Long exports: NULL 'item_column' for wide batches. */
    char *item_column, *value_column;
    unsigned char *long_found;       /* per batch of the run and instrument of the context:
                                        its items were found in the batch's first reading */
    ps_long_export_t *long_export;   /* every long batch's answers, scored once all are read */
    struct long_batch *long_batches; /* per batch of the run */
    size_t n_long_batches;

    /* The batch being read: its plan, fixed once the header is read, before rows are. */
    const char *file;
    unsigned batch;
    int have_header;
    size_t n_fields;
    char **header;
    size_t header_not_text;          /* the first column whose name is not UTF-8 text, from 1 */
    size_t id_field, timepoint_field, date_field, item_field, value_field, *keep_field;
    struct planned *planned;
    size_t n_planned, n_scores;      /* n_scores: of all planned instruments */
    size_t n_items;                  /* of all planned instruments: most answers a row refuses */
    size_t batch_bytes;              /* the batch's size, when it is a regular file */

    /* Changed row by row on the caller's thread, away from what the reading thread reads. */
    _Alignas(CACHE_LINE) ps_batch_summary_t summary;
    size_t bytes_finished;           /* of the batch, up to the end of the row being finished */
    ps_progress_t progress;          /* what ps_scorer_progress last gave */
    char **timepoints;
    size_t n_timepoints, last_timepoint;
    unsigned *timepoint_slots;       /* hash table: 0 empty, else a timepoint's number + 1 */
    size_t n_timepoint_slots;        /* a power of two, at least twice n_timepoints */
};

/* A row's size in memory; its kept texts end with a NULL, as ps_score_t.kept has always. */
static size_t row_size(const ps_scorer_t *s)
{
    return sizeof(struct scored_row) + s->n_scores * sizeof(struct scale_result) +
           (s->n_keep + 1) * sizeof(const char *) + s->n_items * sizeof(struct refused_cell);
}

/* The text of the kept columns in a row, after its scale results. */
static const char **row_kept(const ps_scorer_t *s, struct scored_row *row)
{
    return (const char **)(void *)(row->results + s->n_scores);
}

/* The answers a row refused, after its kept texts. */
static struct refused_cell *row_refused(const ps_scorer_t *s, struct scored_row *row)
{
    return (struct refused_cell *)(void *)(row_kept(s, row) + s->n_keep + 1);
}

static void free_long_batches(ps_scorer_t *s);

static char *dup_or_default(const char *s, const char *fallback)
{
    return strdup(s ? s : fallback);
}

/* Headers match as people type them: in any case, quotes, dashes and spacing aside. */
static int header_is(const char *header, const char *name)
{
    return ps_header_eq(header, name);
}

static ps_error_t read_map_record(const ps_csv_record_t *rec, void *user);

/* The columns of a map file: header and item, then optionally match and label, any order. */
enum { MAP_HEADER, MAP_ITEM, MAP_MATCH, MAP_LABEL, MAP_COLUMNS };
static const char *const map_columns[MAP_COLUMNS] = {"header", "item", "match", "label"};

struct map_reader {
    ps_scorer_t *scorer;
    const char *file;
    int seen_header;
    size_t column[MAP_COLUMNS]; /* the field of each, SIZE_MAX when absent */
    size_t n_fields;
    /* The rows with a cell that is not UTF-8 text: the first, and the items of all. */
    size_t n_not_text;
    unsigned long not_text_line, not_text_column;
    unsigned char not_text_byte;
    char not_text_items[600];
    size_t not_text_used, not_text_listed;
};

/*
 * A map is read in the batches' encoding (--encoding), unless it is UTF-8
 * text, as the drafts 'promscore template --map' writes are: a map not read as
 * UTF-8 text names no column, and is refused saying so.
 */
static ps_error_t load_map(ps_scorer_t *s, const char *file)
{
    struct map_reader m = {.scorer = s, .file = file};
    ps_csv_options_t csv = {',', NULL};
    if (s->encoding && ps_csv_is_utf8(file) != 1)
        csv.encoding = s->encoding;
    ps_error_t err = ps_csv_read_with(s->context, file, &csv, read_map_record, &m);
    if (!err && !m.seen_header)
        err = ps_diagnose(s->context, PS_ERROR_USAGE, file, 0, 0,
                          "empty map file: expected a header row 'header,item'");
    if (!err && m.n_not_text)
        err = ps_diagnose(s->context, PS_ERROR_BATCH, file, m.not_text_line, m.not_text_column,
                          "the map is not UTF-8 text (byte 0x%02X), so its rows for %s name "
                          "no column: " PS_ENCODING_ADVICE ", which reads the map as it reads "
                          "the batches, or save the map as UTF-8",
                          m.not_text_byte, m.not_text_items);
    return err;
}

/* The first byte of 'text' that is not UTF-8 (text that is not valid UTF-8). */
static unsigned char first_not_utf8(const char *text, size_t length)
{
    for (size_t i = 0; i < length;) {
        size_t k = 1;
        while (k <= 4 && i + k <= length && !ps_utf8_valid(text + i, k))
            k++;
        if (k > 4 || i + k > length)
            return (unsigned char)text[i];
        i += k;
    }
    return 0;
}

/*
 * Notes a map row holding a cell that is not UTF-8 text (in 'column'), for
 * item 'target': items are listed while they fit, then counted.
 */
static void note_not_text(struct map_reader *m, const ps_csv_record_t *rec, size_t column,
                          const char *target)
{
    if (!m->n_not_text++) {
        m->not_text_line = rec->line;
        m->not_text_column = column + 1;
        m->not_text_byte = first_not_utf8(rec->fields[column], rec->lengths[column]);
    }
    char entry[200];
    snprintf(entry, sizeof entry, "%s%.100s (line %lu)", m->not_text_used ? ", " : "", target,
             rec->line);
    const size_t room = sizeof m->not_text_items - 40; /* for ", and 99999 more" */
    if (m->not_text_listed + 1 == m->n_not_text && m->not_text_used + strlen(entry) < room) {
        m->not_text_used += (size_t)snprintf(m->not_text_items + m->not_text_used,
                                             sizeof m->not_text_items - m->not_text_used, "%s",
                                             entry);
        m->not_text_listed++;
    } else {
        snprintf(m->not_text_items + m->not_text_used,
                 sizeof m->not_text_items - m->not_text_used, ", and %zu more",
                 m->n_not_text - m->not_text_listed);
    }
}

static ps_error_t read_map_header(struct map_reader *m, const ps_csv_record_t *rec)
{
    m->seen_header = 1;
    m->n_fields = rec->n_fields;
    for (size_t c = 0; c < MAP_COLUMNS; c++)
        m->column[c] = SIZE_MAX;
    int known = rec->n_fields >= 2 && header_is(rec->fields[0], "header") &&
                header_is(rec->fields[1], "item");
    for (size_t f = 0; f < rec->n_fields && known; f++) {
        size_t c = 0;
        while (c < MAP_COLUMNS && !header_is(rec->fields[f], map_columns[c]))
            c++;
        known = c < MAP_COLUMNS && m->column[c] == SIZE_MAX;
        if (known)
            m->column[c] = f;
    }
    if (!known)
        return ps_diagnose(m->scorer->context, PS_ERROR_USAGE, m->file, rec->line, 0,
                           "map files start with the header row 'header,item', which may go "
                           "on with 'match' and 'label'");
    return PS_OK;
}

/*
 * A draft's match cell: "exact" and "guess" as 'promscore template --map' wrote
 * them, "none" for an item it found no header for, "checked" once a person has
 * checked a guess. A guess is not scored until it is checked.
 */
static ps_error_t check_match(const struct map_reader *m, const ps_csv_record_t *rec,
                              const char *target)
{
    size_t f = m->column[MAP_MATCH];
    if (f == SIZE_MAX)
        return PS_OK;
    /* Read as headers are: in any case, white space around it aside. */
    const char *match = rec->fields[f];
    static const char *const accepted[] = {"", "exact", "checked", "none"};
    for (size_t i = 0; i < sizeof accepted / sizeof accepted[0]; i++)
        if (header_is(match, accepted[i]))
            return PS_OK;
    if (header_is(match, "guess"))
        return ps_diagnose(m->scorer->context, PS_ERROR_USAGE, m->file, rec->line, f + 1,
                           "the header '%s' for item %s is a guess: check that the column "
                           "holds that item, then write 'checked' in its match cell",
                           ps_cell_unguard(rec->fields[m->column[MAP_HEADER]]), target);
    return ps_diagnose(m->scorer->context, PS_ERROR_USAGE, m->file, rec->line, f + 1,
                       "match is exact, guess, checked or none, not '%s'", rec->fields[f]);
}

static ps_error_t read_map_record(const ps_csv_record_t *rec, void *user)
{
    struct map_reader *m = user;
    ps_scorer_t *s = m->scorer;
    if (!m->seen_header)
        return read_map_header(m, rec);
    if (rec->n_fields != m->n_fields)
        return ps_diagnose(s->context, PS_ERROR_USAGE, m->file, rec->line, 0,
                           "expected %zu fields, as the header row has, found %zu", m->n_fields,
                           rec->n_fields);
    const size_t header_column = m->column[MAP_HEADER], item_column = m->column[MAP_ITEM];
    /* Cells not UTF-8 text are listed once the whole map is read (see load_map). */
    if (!ps_utf8_valid(rec->fields[item_column], rec->lengths[item_column])) {
        note_not_text(m, rec, item_column, "an unreadable item");
        return PS_OK;
    }
    size_t not_text = SIZE_MAX; /* the label is not read */
    static const size_t read_columns[] = {MAP_HEADER, MAP_MATCH};
    for (size_t k = 0; k < 2 && not_text == SIZE_MAX; k++) {
        const size_t f = m->column[read_columns[k]];
        if (f != SIZE_MAX && !ps_utf8_valid(rec->fields[f], rec->lengths[f]))
            not_text = f;
    }
    /* A draft's header cell is guarded against spreadsheet formulas as promscore writes CSV. */
    const char *header = ps_cell_unguard(rec->fields[header_column]);
    const char *target = rec->fields[item_column];
    const char *dot = strchr(target, '.');
    char instrument_id[128];
    if (!dot || (size_t)(dot - target) >= sizeof instrument_id)
        return ps_diagnose(s->context, PS_ERROR_USAGE, m->file, rec->line, item_column + 1,
                           "item '%s' must be written INSTRUMENT.ITEM, e.g. wemwbs.1", target);
    memcpy(instrument_id, target, (size_t)(dot - target));
    instrument_id[dot - target] = '\0';
    const struct ps_instrument *in = ps_context_find_instrument(s->context, instrument_id);
    if (!in)
        return ps_diagnose(s->context, PS_ERROR_USAGE, m->file, rec->line, item_column + 1,
                           "unknown instrument '%s'", instrument_id);
    size_t item = 0;
    while (item < in->n_items && strcmp(in->items[item].id, dot + 1) != 0)
        item++;
    if (item == in->n_items)
        return ps_diagnose(s->context, PS_ERROR_USAGE, m->file, rec->line, item_column + 1,
                           "instrument '%s' has no item '%s'", instrument_id, dot + 1);
    if (not_text != SIZE_MAX) {
        note_not_text(m, rec, not_text, target);
        return PS_OK;
    }
    if (ps_header_eq(header, ""))
        return ps_diagnose(s->context, PS_ERROR_USAGE, m->file, rec->line, header_column + 1,
                           "item %s has no header: write the batch's header that holds it "
                           "(a draft leaves empty the items it found no header for)",
                           target);
    ps_error_t err = check_match(m, rec, target);
    if (err)
        return err;
    /* One item may have several headers (spellings of one export); a header, one item. */
    for (size_t i = 0; i < s->n_map; i++)
        if (header_is(s->map[i].header, header))
            return ps_diagnose(s->context, PS_ERROR_USAGE, m->file, rec->line, header_column + 1,
                               "header '%s' is mapped twice (line %lu gives it already)", header,
                               s->map[i].line);
    struct mapping *grown = realloc(s->map, (s->n_map + 1) * sizeof *grown);
    if (!grown)
        return PS_ERROR_NOMEM;
    s->map = grown;
    char *copy = strdup(header);
    if (!copy)
        return PS_ERROR_NOMEM;
    s->map[s->n_map++] = (struct mapping){copy, in, item, rec->line};
    return PS_OK;
}

static int letter_or_digit(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/*
 * A window's name: a letter or digit, then letters, digits, '_' and '-' (white
 * space around it is not part of it). Starting so, a timepoint is never
 * written guarded against spreadsheet formulas, as a leading '-' would be.
 */
static int window_name_ok(const char *name)
{
    if (!letter_or_digit(*name))
        return 0;
    for (const char *c = name; *c; c++)
        if (!letter_or_digit(*c) && *c != '_' && *c != '-')
            return 0;
    return 1;
}

/* Refuses a window that cannot name a timepoint, or that overlaps one before it. */
static ps_error_t check_window(ps_context_t *context, const ps_window_t *windows, size_t i)
{
    const ps_window_t *w = &windows[i];
    if (!*w->name)
        return ps_diagnose(context, PS_ERROR_USAGE, NULL, 0, 0, "a window needs a name");
    if (ps_strcaseeq(w->name, "baseline"))
        return ps_diagnose(context, PS_ERROR_USAGE, NULL, 0, 0,
                           "window '%s': the baseline is each participant's earliest "
                           "assessment, not a window",
                           w->name);
    if (ps_strcaseeq(w->name, "end"))
        return ps_diagnose(context, PS_ERROR_USAGE, NULL, 0, 0,
                           "window '%s': reports name comparisons 'baseline->LABEL' and "
                           "'baseline->end', so a timepoint may not be 'end' or hold '->'",
                           w->name);
    if (!window_name_ok(w->name))
        return ps_diagnose(context, PS_ERROR_USAGE, NULL, 0, 0,
                           "window '%s': a window's name starts with a letter or digit and "
                           "holds only letters, digits, '_' and '-'",
                           w->name);
    if (w->from < 1)
        return ps_diagnose(context, PS_ERROR_USAGE, NULL, 0, 0,
                           "window '%s' starts at day 0, the baseline's own date: windows "
                           "start at day 1 or later",
                           w->name);
    if (w->from > w->to)
        return ps_diagnose(context, PS_ERROR_USAGE, NULL, 0, 0,
                           "window '%s' ends (day %u) before it starts (day %u)", w->name, w->to,
                           w->from);
    if (w->to > PS_MAX_WINDOW_DAY)
        return ps_diagnose(context, PS_ERROR_USAGE, NULL, 0, 0,
                           "window '%s' ends at day %u, past the last day a window may reach, "
                           "%u days after baseline",
                           w->name, w->to, PS_MAX_WINDOW_DAY);
    for (size_t j = 0; j < i; j++) {
        const ps_window_t *o = &windows[j];
        if (ps_strcaseeq(o->name, w->name))
            return ps_diagnose(context, PS_ERROR_USAGE, NULL, 0, 0,
                               "window '%s' is given twice", w->name);
        if (w->from <= o->to && o->from <= w->to)
            return ps_diagnose(context, PS_ERROR_USAGE, NULL, 0, 0,
                               "windows '%s' (%u-%u) and '%s' (%u-%u) overlap: each day after "
                               "baseline must name one timepoint",
                               o->name, o->from, o->to, w->name, w->from, w->to);
    }
    return PS_OK;
}

/* Two of the columns a run reads that are one column: a usage error naming both. */
static ps_error_t same_columns(ps_context_t *context, const char *const *names,
                               const char *const *roles, size_t n)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < i; j++)
            if (names[i] && names[j] && ps_header_eq(names[i], names[j]))
                return ps_diagnose(context, PS_ERROR_USAGE, NULL, 0, 0,
                                   "the %s column '%s' and the %s column '%s' are one column: "
                                   "each is a column of its own",
                                   roles[j], names[j], roles[i], names[i]);
    return PS_OK;
}

/* Takes the options of timepoints from dates, refusing what cannot work. */
static ps_error_t take_dates(ps_scorer_t *s, const ps_score_options_t *o)
{
    ps_context_t *context = s->context;
    if (!o->date_column) {
        if (o->date_format || o->n_windows || o->item_column || o->value_column ||
            o->date_from || o->date_to)
            return ps_diagnose(context, PS_ERROR_USAGE, NULL, 0, 0, "%s needs a date column",
                               o->date_format                 ? "a date format"
                               : o->n_windows                 ? "a window"
                               : o->date_from || o->date_to   ? "a range of dates"
                                                              : "a long export");
        return PS_OK;
    }
    if (!*o->date_column)
        return ps_diagnose(context, PS_ERROR_USAGE, NULL, 0, 0, "the date column needs a name");
    if (o->timepoint)
        return ps_diagnose(context, PS_ERROR_USAGE, NULL, 0, 0,
                           "a date column and one timepoint for every row exclude each other: "
                           "with dates, the dates decide the timepoints");
    char why[300];
    if (o->date_format && ps_date_format_check(o->date_format, why, sizeof why) != 0)
        return ps_diagnose(context, PS_ERROR_USAGE, NULL, 0, 0,
                           "date format '%s' cannot read dates: %s", o->date_format, why);
    if (ps_date_range_make(o->date_from, o->date_to, ps_date_today(), &s->date_range, why,
                           sizeof why) != 0)
        return ps_diagnose(context, PS_ERROR_USAGE, NULL, 0, 0,
                           "the range of dates accepted, %s to %s, cannot be used: %s",
                           o->date_from ? o->date_from : PS_DATE_RANGE_FROM,
                           o->date_to ? o->date_to : "today", why);
    if (!o->item_column != !o->value_column || (o->item_column && !*o->item_column) ||
        (o->value_column && !*o->value_column))
        return ps_diagnose(context, PS_ERROR_USAGE, NULL, 0, 0,
                           "a long export needs the names of its item and value columns");
    const char *const columns[] = {s->id_column, o->date_column, o->item_column, o->value_column};
    static const char *const roles[] = {"id", "date", "item", "value"};
    ps_error_t err = same_columns(context, columns, roles, 4);
    if (err)
        return err;
    if (!(s->dates = ps_date_book_new()) || !(s->date_column = strdup(o->date_column)) ||
        (o->date_format && !(s->date_format = strdup(o->date_format))) ||
        (o->item_column && (!(s->item_column = strdup(o->item_column)) ||
                            !(s->value_column = strdup(o->value_column)))))
        return PS_ERROR_NOMEM;
    if (o->n_windows && !(s->windows = calloc(o->n_windows, sizeof *s->windows)))
        return PS_ERROR_NOMEM;
    /* Names are taken without white space around them, then checked. */
    for (; s->n_windows < o->n_windows; s->n_windows++) {
        const ps_window_t *w = &o->windows[s->n_windows];
        size_t length = w->name ? strlen(w->name) : 0;
        const char *name = w->name ? ps_trim(w->name, &length) : "";
        s->windows[s->n_windows] = *w;
        if (!(s->windows[s->n_windows].name = strndup(name, length)))
            return PS_ERROR_NOMEM;
    }
    for (size_t i = 0; i < s->n_windows; i++)
        if ((err = check_window(context, s->windows, i)))
            return err;
    return PS_OK;
}

/*
 * The scored CSV names each column once: a kept column may not have the name
 * of one of its own columns (the date with dates), nor be kept twice.
 */
static ps_error_t check_kept(ps_scorer_t *s, int dated)
{
    size_t n_fixed;
    const char *const *fixed = ps_format_columns(PS_FORMAT_SCORED, &n_fixed);
    for (size_t k = 0; k < s->n_keep; k++) {
        for (size_t c = 0; c <= n_fixed; c++) {
            const char *own = c < n_fixed ? fixed[c] : dated ? PS_SCORED_DATE_COLUMN : NULL;
            if (own && ps_header_eq(s->keep[k], own))
                return ps_diagnose(s->context, PS_ERROR_USAGE, NULL, 0, 0,
                                   "kept column '%s' would have the name of the scored CSV's "
                                   "own column '%s': a scored CSV names each column once",
                                   s->keep[k], own);
        }
        for (size_t j = 0; j < k; j++)
            if (ps_header_eq(s->keep[k], s->keep[j]))
                return ps_diagnose(s->context, PS_ERROR_USAGE, NULL, 0, 0,
                                   "column '%s' is kept twice ('%s' and '%s'): a scored CSV "
                                   "names each column once",
                                   s->keep[k], s->keep[j], s->keep[k]);
    }
    return PS_OK;
}

void ps_score_options_init(ps_score_options_t *options, size_t size)
{
    ps_options_init(options, size);
}

ps_error_t ps_scorer_new(ps_context_t *context, const ps_score_options_t *given,
                         const ps_score_handlers_t *handlers, ps_scorer_t **out)
{
    *out = NULL;
    ps_score_options_t copy;
    ps_error_t copied = ps_options_copy(context, given, offsetof(ps_score_options_t, threads),
                                        &copy, sizeof copy, "score");
    if (copied)
        return copied;
    const ps_score_options_t *options = &copy;
    ps_scorer_t *s = calloc_lines(1, sizeof *s);
    if (!s)
        return PS_ERROR_NOMEM;
    s->context = context;
    if (handlers)
        s->handlers = *handlers;
    ps_error_t err = PS_ERROR_NOMEM;
    s->id_column = dup_or_default(options->id_column, "participant_id");
    s->timepoint_column = dup_or_default(options->timepoint_column, "timepoint");
    s->timepoint = options->timepoint ? strdup(options->timepoint) : NULL;
    s->keys = ps_keyset_new();
    s->threads = options->threads;
    s->delimiter = options->delimiter ? options->delimiter : ',';
    s->encoding = options->encoding ? strdup(options->encoding) : NULL;
    if (!s->id_column || !s->timepoint_column || (options->timepoint && !s->timepoint) ||
        !s->keys || (options->encoding && !s->encoding))
        goto fail;
    if (s->encoding || s->delimiter != ',') {
        /* An encoding or delimiter the reader refuses is a usage error, before any batch. */
        ps_csv_options_t csv = {s->delimiter, s->encoding};
        if ((err = ps_csv_check(context, &csv)))
            goto fail;
        err = PS_ERROR_NOMEM;
    }
    if (options->n_keep) {
        if (!(s->keep = calloc(options->n_keep, sizeof *s->keep)))
            goto fail;
        for (; s->n_keep < options->n_keep; s->n_keep++)
            if (!(s->keep[s->n_keep] = strdup(options->keep[s->n_keep])))
                goto fail;
    }
    if (options->n_instruments) {
        if (!(s->wanted = calloc(options->n_instruments, sizeof *s->wanted)))
            goto fail;
        for (size_t i = 0; i < options->n_instruments; i++) {
            const char *id = options->instruments[i];
            const ps_instrument_t *in = ps_context_find_instrument(context, id);
            if (!in) {
                err = ps_diagnose(context, PS_ERROR_USAGE, NULL, 0, 0,
                                  "unknown instrument '%s' (see 'promscore instruments')", id);
                goto fail;
            }
            for (size_t j = 0; j < s->n_wanted; j++)
                if (s->wanted[j] == in) {
                    err = ps_diagnose(context, PS_ERROR_USAGE, NULL, 0, 0,
                                      "instrument '%s' is asked for twice", id);
                    goto fail;
                }
            s->wanted[s->n_wanted++] = in;
        }
    }
    size_t most_items = 1;
    for (size_t i = 0; i < context->n_instruments; i++)
        if (context->instruments[i]->n_items > most_items)
            most_items = context->instruments[i]->n_items;
    s->scale_responses = calloc_lines(most_items, sizeof *s->scale_responses);
    if (!s->scale_responses)
        goto fail;
    if (options->map_file && (err = load_map(s, options->map_file)))
        goto fail;
    if ((err = take_dates(s, options)) || (err = check_kept(s, s->dates != NULL)))
        goto fail;
    *out = s;
    return PS_OK;
fail:
    ps_scorer_free(s);
    return err;
}

static void forget_batch(ps_scorer_t *s)
{
    for (size_t i = 0; i < s->n_fields; i++)
        free(s->header[i]);
    free(s->header);
    for (size_t i = 0; i < s->n_planned; i++) {
        free(s->planned[i].item_field);
        free(s->planned[i].responses);
        free(s->planned[i].scores);
        free(s->planned[i].collected);
    }
    free(s->planned);
    free(s->keep_field);
    s->header = NULL;
    s->planned = NULL;
    s->keep_field = NULL;
    s->n_fields = s->n_planned = s->n_scores = s->n_items = 0;
    s->have_header = 0;
    s->header_not_text = 0;
}

void ps_scorer_free(ps_scorer_t *s)
{
    if (!s)
        return;
    forget_batch(s);
    free(s->id_column);
    free(s->timepoint_column);
    free(s->timepoint);
    free(s->encoding);
    free(s->timepoint_slots);
    for (size_t i = 0; i < s->n_keep; i++)
        free(s->keep[i]);
    free(s->keep);
    free(s->wanted);
    for (size_t i = 0; i < s->n_map; i++)
        free(s->map[i].header);
    free(s->map);
    ps_keyset_free(s->keys);
    for (size_t i = 0; i < s->n_timepoints; i++)
        free(s->timepoints[i]);
    free(s->timepoints);
    free(s->scale_responses);
    ps_date_book_free(s->dates);
    free_long_batches(s);
    free(s->item_column);
    free(s->value_column);
    free(s->long_found);
    free(s->date_column);
    free(s->date_format);
    for (size_t i = 0; i < s->n_windows; i++)
        free((char *)s->windows[i].name);
    free(s->windows);
    free(s);
}

/* ---- The header: which field holds what. ---- */

static ps_error_t batch_error(ps_scorer_t *s, unsigned long line, unsigned long column,
                              const char *format, ...) __attribute__((format(printf, 4, 5)));

static ps_error_t batch_error(ps_scorer_t *s, unsigned long line, unsigned long column,
                              const char *format, ...)
{
    char message[PS_DIAGNOSTIC_MAX];
    va_list ap;
    va_start(ap, format);
    vsnprintf(message, sizeof message, format, ap);
    va_end(ap);
    return ps_diagnose(s->context, PS_ERROR_BATCH, s->file, line, column, "%s", message);
}

static size_t find_field(const ps_scorer_t *s, const char *name)
{
    for (size_t i = 0; i < s->n_fields; i++)
        if (header_is(s->header[i], name))
            return i;
    return NO_FIELD;
}

static int mapped_elsewhere(const ps_scorer_t *s, const char *header)
{
    for (size_t i = 0; i < s->n_map; i++)
        if (header_is(s->map[i].header, header))
            return 1;
    return 0;
}

/* Whether a header is an item's column or one of its aliases. */
static int named_for(const char *header, const struct ps_item *it)
{
    int match = header_is(header, it->column);
    for (size_t a = 0; a < it->n_aliases && !match; a++)
        match = header_is(header, it->aliases[a]);
    return match;
}

/*
 * The field holding an item: the one header matching a header --map gives it,
 * its column name or an alias (a header the map gives another item aside).
 * NO_FIELD when absent; CLAIMED_TWICE (after a diagnostic) when two headers
 * claim it.
 */
static size_t item_field(ps_scorer_t *s, unsigned long line, const struct ps_instrument *in,
                         size_t item)
{
    const struct ps_item *it = &in->items[item];
    size_t found = NO_FIELD, by = 0;
    int mapped = 0; /* 'found' is a header the map gives it, from map entry 'by' */
    for (size_t i = 0; i < s->n_map; i++) {
        if (s->map[i].instrument != in || s->map[i].item != item)
            continue;
        size_t f = find_field(s, s->map[i].header);
        if (f == NO_FIELD)
            continue;
        if (found != NO_FIELD) {
            batch_error(s, line, f + 1,
                        "columns '%s' and '%s' both hold item %s.%s, as the map gives each "
                        "for it (map lines %lu and %lu): a batch holds one of them",
                        s->header[found], s->header[f], in->id, it->id, s->map[by].line,
                        s->map[i].line);
            return CLAIMED_TWICE;
        }
        found = f;
        by = i;
        mapped = 1;
    }
    for (size_t f = 0; f < s->n_fields; f++) {
        if (!named_for(s->header[f], it) || mapped_elsewhere(s, s->header[f]))
            continue;
        if (found != NO_FIELD && mapped) {
            batch_error(s, line, (found > f ? found : f) + 1,
                        "columns '%s' and '%s' both hold item %s.%s: the map gives '%s' for it "
                        "(map line %lu) and '%s' is %s: a batch holds one of them",
                        s->header[found], s->header[f], in->id, it->id, s->header[found],
                        s->map[by].line, s->header[f],
                        header_is(s->header[f], it->column) ? "its column" : "another name for it");
            return CLAIMED_TWICE;
        }
        if (found != NO_FIELD) {
            batch_error(s, line, f + 1, "columns '%s' and '%s' both hold item %s.%s",
                        s->header[found], s->header[f], in->id, it->id);
            return CLAIMED_TWICE;
        }
        found = f;
    }
    return found;
}

/* The columns with a role of their own in the batch: none of them holds an item. */
struct role {
    size_t field;
    const char *what, *option;
};

static size_t batch_roles(const ps_scorer_t *s, struct role *roles)
{
    size_t n = 0;
    roles[n++] = (struct role){s->id_field, "the participant id column",
                               s->item_column ? "--long" : "--id-column"};
    if (s->dates)
        roles[n++] = (struct role){s->date_field, "the date column",
                                   s->item_column ? "--long" : "--date-column"};
    else if (!s->timepoint)
        roles[n++] =
            (struct role){s->timepoint_field, "the timepoint column", "--timepoint-column"};
    return n;
}

enum { MAX_ROLES = 2 };

/* Refuses a column given two roles: the id column that is the timepoint column, say. */
static ps_error_t check_roles(ps_scorer_t *s, unsigned long line)
{
    struct role roles[MAX_ROLES] = {{0}};
    if (batch_roles(s, roles) == 2 && roles[0].field == roles[1].field)
        return batch_error(s, line, roles[0].field + 1,
                           "column '%s' is both %s (see %s) and %s (see %s): one column "
                           "cannot be both",
                           s->header[roles[0].field], roles[0].what, roles[0].option, roles[1].what,
                           roles[1].option);
    return PS_OK;
}

/* Refuses an item found in the id, timepoint or date column ('fields' per item). */
static ps_error_t check_item_roles(ps_scorer_t *s, unsigned long line,
                                   const struct ps_instrument *in, const size_t *fields)
{
    struct role roles[MAX_ROLES];
    size_t n = batch_roles(s, roles);
    for (size_t i = 0; i < in->n_items; i++)
        for (size_t r = 0; r < n; r++) {
            if (fields[i] != roles[r].field)
                continue;
            const struct ps_item *it = &in->items[i];
            const char *header = s->header[fields[i]];
            char how[80];
            size_t m = 0;
            while (m < s->n_map && !(s->map[m].instrument == in && s->map[m].item == i &&
                                     header_is(s->map[m].header, header)))
                m++;
            if (m < s->n_map)
                snprintf(how, sizeof how, "map line %lu gives it", s->map[m].line);
            else
                snprintf(how, sizeof how, "%s",
                         header_is(header, it->column) ? "its column name"
                                                       : "one of its other names");
            return batch_error(s, line, fields[i] + 1,
                               "column '%s' is both %s (see %s) and item %s.%s (%s): one "
                               "column cannot be both",
                               header, roles[r].what, roles[r].option, in->id, it->id, how);
        }
    return PS_OK;
}

/*
 * For the missing items of an instrument ('fields' as far as they were
 * found): how many have a header like them among those the run has no use
 * for, and, in 'out', which is most like the first: " (closest header: 'X')",
 * or with several missing " (closest header for COLUMN: 'X')"; nothing when
 * none is close.
 */
static ps_error_t closest_headers(const ps_scorer_t *s, const struct ps_instrument *in,
                                  const size_t *fields, size_t n_missing, size_t *n_close,
                                  char *out, size_t size)
{
    out[0] = '\0';
    *n_close = 0;
    size_t most_names = s->n_map + 1;
    for (size_t i = 0; i < in->n_items; i++)
        most_names = in->items[i].n_aliases + s->n_map + 1 > most_names
                         ? in->items[i].n_aliases + s->n_map + 1
                         : most_names;
    unsigned char *used = calloc(s->n_fields + 1, 1);
    const char **names = calloc(most_names, sizeof *names);
    ps_header_set_t *set = NULL;
    ps_error_t err = PS_ERROR_NOMEM;
    if (!used || !names)
        goto done;
    struct role roles[MAX_ROLES];
    for (size_t r = 0, n = batch_roles(s, roles); r < n; r++)
        used[roles[r].field] = 1;
    for (size_t k = 0; k < s->n_keep; k++)
        used[s->keep_field[k]] = 1;
    for (size_t i = 0; i < in->n_items; i++)
        if (fields[i] < CLAIMED_TWICE)
            used[fields[i]] = 1;
    for (size_t f = 0; f < s->n_fields; f++)
        used[f] |= !*s->header[f] || mapped_elsewhere(s, s->header[f]);
    if (!(set = ps_header_set_new((const char *const *)s->header, s->n_fields, used)))
        goto done;
    for (size_t item = 0; item < in->n_items; item++) {
        if (fields[item] != NO_FIELD || in->items[item].optional)
            continue;
        /* Its column, its aliases, and the headers a map gives it: compared by spelling. */
        const struct ps_item *it = &in->items[item];
        size_t n_names = 0;
        names[n_names++] = it->column;
        for (size_t a = 0; a < it->n_aliases; a++)
            names[n_names++] = it->aliases[a];
        for (size_t i = 0; i < s->n_map; i++)
            if (s->map[i].instrument == in && s->map[i].item == item)
                names[n_names++] = s->map[i].header;
        size_t h = ps_header_closest(set, names, n_names, it->label);
        if (h == SIZE_MAX)
            continue;
        if (!(*n_close)++ && n_missing == 1)
            snprintf(out, size, " (closest header: '%.200s')", s->header[h]);
        else if (*n_close == 1 && n_names > 1 + it->n_aliases) /* mapped: by its map header */
            snprintf(out, size, " (closest header for '%.100s': '%.150s')",
                     names[1 + it->n_aliases], s->header[h]);
        else if (*n_close == 1)
            snprintf(out, size, " (closest header for %s: '%.200s')", it->column, s->header[h]);
    }
    err = PS_OK;
done:
    ps_header_set_free(set);
    free(names);
    free(used);
    return err;
}

/* Plans one instrument; returns 1 when all its items were found, 0 when some are missing. */
static int plan_instrument(ps_scorer_t *s, unsigned long line, const struct ps_instrument *in,
                           size_t *fields, ps_error_t *err)
{
    int complete = 1;
    for (size_t i = 0; i < in->n_items; i++) {
        fields[i] = item_field(s, line, in, i);
        if (fields[i] == CLAIMED_TWICE) {
            *err = PS_ERROR_BATCH;
            return 0;
        }
        complete &= fields[i] != NO_FIELD || in->items[i].optional;
    }
    return complete;
}

static void append(char *out, size_t size, size_t *used, const char *format, ...)
    __attribute__((format(printf, 4, 5)));

/* Adds to the text in 'out', as much as fits. */
static void append(char *out, size_t size, size_t *used, const char *format, ...)
{
    if (*used >= size)
        return;
    va_list ap;
    va_start(ap, format);
    int n = vsnprintf(out + *used, size - *used, format, ap);
    va_end(ap);
    *used = n < 0 ? *used : *used + (size_t)n >= size ? size - 1 : *used + (size_t)n;
}

/* What comes before the k-th of n in a list: "A", "A or B", "A, B or C" with 'last' " or ". */
static const char *list_separator(size_t k, size_t n, const char *last)
{
    return k == 0 ? "" : k + 1 == n ? last : ", ";
}

/*
 * A missing item as the user knows it: the headers the map gives it, with the
 * map's lines ("'Q1' (item wemwbs.1, map line 2)"); else its column, and the
 * item the map gives that column to when the batch holds it.
 */
static void missing_name(const ps_scorer_t *s, const struct ps_instrument *in, size_t item,
                         char *out, size_t size)
{
    const struct ps_item *it = &in->items[item];
    size_t given = 0, used = 0, k = 0;
    out[0] = '\0';
    for (size_t i = 0; i < s->n_map; i++)
        given += s->map[i].instrument == in && s->map[i].item == item;
    if (!given) {
        append(out, size, &used, "%s", it->column);
        for (size_t f = 0; f < s->n_fields; f++)
            for (size_t i = 0; i < s->n_map && named_for(s->header[f], it); i++)
                if (header_is(s->map[i].header, s->header[f])) {
                    append(out, size, &used, " (the map gives column '%s' to item %s.%s, line %lu)",
                           s->header[f], s->map[i].instrument->id,
                           s->map[i].instrument->items[s->map[i].item].id, s->map[i].line);
                    return;
                }
        return;
    }
    for (size_t i = 0; i < s->n_map; i++)
        if (s->map[i].instrument == in && s->map[i].item == item)
            append(out, size, &used, "%s'%s'", list_separator(k++, given, " or "),
                   s->map[i].header);
    append(out, size, &used, " (item %s.%s, map line%s ", in->id, it->id, given > 1 ? "s" : "");
    k = 0;
    for (size_t i = 0; i < s->n_map; i++)
        if (s->map[i].instrument == in && s->map[i].item == item)
            append(out, size, &used, "%s%lu", list_separator(k++, given, " and "), s->map[i].line);
    append(out, size, &used, ")");
}

/* Room for the missing items of an instrument: every one, with the headers a map gives it. */
enum { MISSING_SIZE = 3000 };

/*
 * Lists the columns an instrument lacks in 'missing' (every one while they
 * fit, then how many more) and says which unused header the first one with a
 * header like it is most like; *n_close counts the missing items with such a
 * header.
 */
static ps_error_t describe_missing(const ps_scorer_t *s, const struct ps_instrument *in,
                                   const size_t *fields, char *missing, size_t missing_size,
                                   size_t *n_close)
{
    char closest[300];
    size_t used = 0, n_missing = 0, n_listed = 0;
    const size_t room = missing_size - sizeof closest - 32; /* for ", and 99999 more" */
    missing[0] = '\0';
    for (size_t i = 0; i < in->n_items; i++) {
        if (fields[i] != NO_FIELD || in->items[i].optional)
            continue;
        n_missing++;
        char name[300];
        missing_name(s, in, i, name, sizeof name);
        if (n_listed + 1 == n_missing && used + strlen(name) + 2 < room) {
            append(missing, missing_size, &used, "%s%s", used ? ", " : "", name);
            n_listed++;
        }
    }
    if (n_listed < n_missing)
        append(missing, missing_size, &used, ", and %zu more", n_missing - n_listed);
    ps_error_t err = closest_headers(s, in, fields, n_missing, n_close, closest, sizeof closest);
    if (!err)
        append(missing, missing_size, &used, "%s", closest);
    return err;
}

static unsigned instrument_index(const ps_scorer_t *s, const struct ps_instrument *in)
{
    unsigned i = 0;
    while (s->context->instruments[i] != in)
        i++;
    return i;
}

static ps_error_t add_planned(ps_scorer_t *s, const struct ps_instrument *in, size_t *fields)
{
    ps_response_t *responses = calloc_lines(in->n_items, sizeof *responses);
    ps_score_t *scores = calloc_lines(in->n_scales, sizeof *scores);
    unsigned char *collected = calloc(in->n_scales, 1);
    if (!responses || !scores || !collected) {
        free(fields);
        free(responses);
        free(scores);
        free(collected);
        return PS_ERROR_NOMEM;
    }
    /*
     * A scale with a required item is always scored; one whose items are all optional
     * only when its first item's column is in the batch (a goal's rating, the first
     * attainment column); one scored from another scale when that one is.
     */
    for (size_t k = 0; k < in->n_scales; k++) {
        const struct ps_scale *scale = &in->scales[k];
        if (scale->of) {
            collected[k] = collected[scale->of - in->scales];
            continue;
        }
        for (size_t j = 0; j < scale->n_items && !collected[k]; j++)
            collected[k] = !in->items[scale->items[j]].optional;
        if (!collected[k])
            collected[k] = fields[scale->items[0]] != NO_FIELD;
    }
    struct planned *p = &s->planned[s->n_planned++];
    p->instrument = in;
    p->index = instrument_index(s, in);
    p->item_field = fields;
    p->responses = responses;
    p->scores = scores;
    p->collected = collected;
    p->first_score = s->n_scores;
    s->n_scores += in->n_scales;
    s->n_items += in->n_items;
    return PS_OK;
}

/*
 * The message for a batch in which no instrument has all its item columns:
 * it names the closest, the one with the most of them, then with the most
 * headers like its missing items. 'fields' holds each candidate's.
 */
/* Why a batch may lack a column it seems to hold: some header names were in another encoding. */
static const char *encoding_hint(const ps_scorer_t *s, char *out, size_t size)
{
    out[0] = '\0';
    if (s->header_not_text)
        snprintf(out, size, "; the name of column %zu is not UTF-8 text: " PS_ENCODING_ADVICE,
                 s->header_not_text);
    return out;
}

static ps_error_t no_instrument(ps_scorer_t *s, unsigned long line, size_t *const *fields,
                                size_t n_candidates)
{
    char missing[MISSING_SIZE], closest[MISSING_SIZE + 100] = "";
    size_t closest_found = 0, closest_close = 0;
    for (size_t c = 0; c < n_candidates; c++) {
        const struct ps_instrument *in = s->context->instruments[c];
        size_t found = 0, required = 0, n_close;
        for (size_t i = 0; i < in->n_items; i++) {
            found += !in->items[i].optional && fields[c][i] != NO_FIELD;
            required += !in->items[i].optional;
        }
        ps_error_t err = describe_missing(s, in, fields[c], missing, sizeof missing, &n_close);
        if (err)
            return err;
        if (found > closest_found || (found == closest_found && n_close > closest_close)) {
            closest_found = found;
            closest_close = n_close;
            char like[80] = "";
            if (n_close)
                snprintf(like, sizeof like, ", and headers like %zu of the rest", n_close);
            snprintf(closest, sizeof closest,
                     " (closest: %s, %zu of %zu item columns%s; missing %s)", in->id, found,
                     required, like, missing);
        }
    }
    char hint[200];
    return batch_error(s, line, 0,
                       "no instrument has all its item columns in this batch%s; name columns "
                       "as 'promscore template' prints them, or give --map (which 'promscore "
                       "template --map BATCH -i ID' drafts)%s",
                       closest, encoding_hint(s, hint, sizeof hint));
}

/*
 * Plans the instruments asked for, or every one whose items are all in the
 * batch; when one asked for, or every one, lacks columns, says which header
 * is like a missing one.
 */
static ps_error_t plan_instruments(ps_scorer_t *s, unsigned long line)
{
    const size_t n_candidates = s->n_wanted ? s->n_wanted : s->context->n_instruments;
    s->planned = calloc(n_candidates ? n_candidates : 1, sizeof *s->planned);
    size_t **incomplete = calloc(n_candidates ? n_candidates : 1, sizeof *incomplete);
    ps_error_t err = PS_ERROR_NOMEM;
    if (!s->planned || !incomplete)
        goto done;
    for (size_t c = 0; c < n_candidates; c++) {
        const struct ps_instrument *in = s->n_wanted ? s->wanted[c] : s->context->instruments[c];
        size_t *fields = calloc(in->n_items + 1, sizeof *fields);
        if (!fields) {
            err = PS_ERROR_NOMEM;
            goto done;
        }
        err = PS_OK;
        int complete = plan_instrument(s, line, in, fields, &err);
        /* One asked for, or found whole, takes no item from the id, timepoint or date column. */
        if (!err && (s->n_wanted || complete))
            err = check_item_roles(s, line, in, fields);
        if (err) {
            free(fields);
            goto done;
        }
        if (complete) {
            if ((err = add_planned(s, in, fields)))
                goto done;
            continue;
        }
        incomplete[c] = fields;
        if (s->n_wanted) {
            char missing[MISSING_SIZE], hint[200];
            size_t n_close;
            if (!(err = describe_missing(s, in, fields, missing, sizeof missing, &n_close)))
                err = batch_error(s, line, 0, "instrument '%s': no column for %s%s", in->id,
                                  missing, encoding_hint(s, hint, sizeof hint));
            goto done;
        }
    }
    err = s->n_planned ? PS_OK : no_instrument(s, line, incomplete, n_candidates);
done:
    for (size_t c = 0; incomplete && c < n_candidates; c++)
        free(incomplete[c]);
    free(incomplete);
    return err;
}

/*
 * A header of 4 or 5 columns, one of them naming an item (item, code,
 * question) and one an answer (value, answer): the shape of a long export.
 */
static int looks_long(const ps_scorer_t *s)
{
    if (s->n_fields < 4 || s->n_fields > 5)
        return 0;
    int item = 0, value = 0;
    for (size_t f = 0; f < s->n_fields; f++) {
        char name[128];
        size_t n = 0;
        for (const char *c = s->header[f]; *c && n + 1 < sizeof name; c++)
            name[n++] = (char)(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c);
        name[n] = '\0';
        item |= strstr(name, "item") || strstr(name, "code") || strstr(name, "question");
        value |= strstr(name, "value") || strstr(name, "answer");
    }
    return item && value;
}

/* Whether some instrument has all its item columns in the header. */
static int any_instrument_complete(ps_scorer_t *s, unsigned long line, ps_error_t *err)
{
    const size_t n = s->n_wanted ? s->n_wanted : s->context->n_instruments;
    for (size_t c = 0; c < n && !*err; c++) {
        const struct ps_instrument *in = s->n_wanted ? s->wanted[c] : s->context->instruments[c];
        size_t *fields = calloc(in->n_items ? in->n_items : 1, sizeof *fields);
        if (!fields) {
            *err = PS_ERROR_NOMEM;
            return 0;
        }
        int complete = plan_instrument(s, line, in, fields, err);
        free(fields);
        if (complete && !*err)
            return 1;
    }
    return 0;
}

static ps_error_t read_header(ps_scorer_t *s, const ps_csv_record_t *rec)
{
    ps_error_t read = ps_header_row_read(s->context, s->file, rec, &s->header, &s->header_not_text);
    if (read)
        return read;
    s->n_fields = rec->n_fields;
    if (!s->item_column && looks_long(s)) {
        ps_error_t err = PS_OK;
        if (!any_instrument_complete(s, rec->line, &err))
            return err ? err
                       : batch_error(s, rec->line, 0,
                                     "this looks like a long export (one row per answer): give "
                                     "--long ID,DATE,ITEM,VALUE");
    }
    if ((s->id_field = find_field(s, s->id_column)) == NO_FIELD) {
        if (s->n_fields == 1 && s->delimiter == ',' && strchr(s->header[0], ';'))
            return batch_error(s, rec->line, 0,
                               "the header is one column holding ';': the file seems to be "
                               "delimited by semicolons: give --delimiter ';'");
        if (s->n_fields == 1 && s->delimiter == ',' && strchr(s->header[0], '\t'))
            return batch_error(s, rec->line, 0,
                               "the header is one column holding tabs: the file seems to be "
                               "tab-separated: give --delimiter tab");
        /* A long export names its columns with --long, which takes no --id-column. */
        return batch_error(s, rec->line, 0, "no participant id column '%s' in the header (see %s)",
                           s->id_column, s->item_column ? "--long" : "--id-column");
    }
    if (s->dates && (s->date_field = find_field(s, s->date_column)) == NO_FIELD)
        return batch_error(s, rec->line, 0, "no date column '%s' in the header (see %s)",
                           s->date_column, s->item_column ? "--long" : "--date-column");
    if (!s->dates && !s->timepoint &&
        (s->timepoint_field = find_field(s, s->timepoint_column)) == NO_FIELD)
        return batch_error(s, rec->line, 0,
                           "no timepoint column '%s': add one, or give --timepoint LABEL for "
                           "the whole batch",
                           s->timepoint_column);
    s->keep_field = calloc(s->n_keep + 1, sizeof *s->keep_field);
    if (!s->keep_field)
        return PS_ERROR_NOMEM;
    for (size_t k = 0; k < s->n_keep; k++)
        if ((s->keep_field[k] = find_field(s, s->keep[k])) == NO_FIELD)
            return batch_error(s, rec->line, 0, "no column '%s' to keep", s->keep[k]);
    ps_error_t roles = check_roles(s, rec->line);
    if (roles)
        return roles;
    if (s->item_column) {
        /* A long export: its instruments are planned from its items (see plan_long). */
        if ((s->item_field = find_field(s, s->item_column)) == NO_FIELD ||
            (s->value_field = find_field(s, s->value_column)) == NO_FIELD)
            return batch_error(s, rec->line, 0, "no %s column '%s' in the header (see --long)",
                               s->item_field == NO_FIELD ? "item" : "value",
                               s->item_field == NO_FIELD ? s->item_column : s->value_column);
        s->have_header = 1;
        return PS_OK;
    }
    ps_error_t err = plan_instruments(s, rec->line);
    if (err)
        return err;
    s->have_header = 1;
    return PS_OK;
}

/* Tells the caller what the batch's header matched. */
static ps_error_t announce_batch(ps_scorer_t *s)
{
    const ps_instrument_t *chosen[s->n_planned ? s->n_planned : 1]; /* a long export may have none */
    for (size_t i = 0; i < s->n_planned; i++)
        chosen[i] = s->planned[i].instrument;
    ps_batch_start_t start = {s->file, chosen, s->n_planned, s->n_wanted == 0};
    if (s->handlers.batch_start && s->handlers.batch_start(&start, s->handlers.user))
        return PS_ERROR_ABORTED;
    return PS_OK;
}

/* ---- Rows. ---- */

/* Hands a refusal to the caller: 'column' from 1, 0 for none, and its header's name. */
static ps_error_t reject_in(ps_scorer_t *s, const char *file, unsigned long line,
                            unsigned long column, const char *header, const char *id,
                            const char *value, const char *reason)
{
    ps_reject_t r = {file, line, column, id ? id : "", header ? header : "", value ? value : "",
                     reason};
    if (s->handlers.reject && s->handlers.reject(&r, s->handlers.user))
        return PS_ERROR_ABORTED;
    return PS_OK;
}

/* A refusal in the batch being read. */
static ps_error_t reject(ps_scorer_t *s, unsigned long line, size_t field, const char *id,
                         const char *value, const char *reason)
{
    return reject_in(s, s->file, line, field == NO_FIELD ? 0 : field + 1,
                     field == NO_FIELD ? "" : s->header[field], id, value, reason);
}

static ps_error_t reject_row(ps_scorer_t *s, unsigned long line, const char *id,
                             const char *reason)
{
    s->summary.rows_rejected++;
    return reject(s, line, NO_FIELD, id, NULL, reason);
}

/*
 * Narrows a field to its trimmed text and returns it, when it is clean UTF-8
 * with no NUL; else NULL. Doing it again changes nothing.
 */
static const char *clean_field(const ps_csv_record_t *rec, size_t field)
{
    size_t len = rec->lengths[field];
    unsigned char only = (unsigned char)rec->fields[field][0];
    if (len == 1 && only > ' ' && only < 0x80)
        return rec->fields[field]; /* one printable ASCII character: most answers */
    if (!ps_utf8_valid(rec->fields[field], len))
        return NULL;
    char *text = rec->fields[field] + (ps_trim(rec->fields[field], &len) - rec->fields[field]);
    text[len] = '\0';
    rec->fields[field] = text;
    rec->lengths[field] = len;
    return text;
}

static size_t label_hash(const char *label)
{
    size_t h = 14695981039346656037u; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)label; *p; p++)
        h = (h ^ *p) * 1099511628211u;
    return h;
}

/*
 * The number of a timepoint already seen, or n_timepoints; the last one found
 * is tried first, then a hash table: a batch may hold tens of thousands.
 */
static size_t find_timepoint(const ps_scorer_t *s, const char *label)
{
    if (s->n_timepoints && strcmp(s->timepoints[s->last_timepoint], label) == 0)
        return s->last_timepoint;
    if (!s->n_timepoint_slots)
        return s->n_timepoints;
    const size_t mask = s->n_timepoint_slots - 1;
    for (size_t i = label_hash(label) & mask;; i = (i + 1) & mask) {
        unsigned slot = s->timepoint_slots[i];
        if (!slot)
            return s->n_timepoints;
        if (strcmp(s->timepoints[slot - 1], label) == 0)
            return slot - 1;
    }
}

static void place_timepoint(ps_scorer_t *s, size_t number)
{
    const size_t mask = s->n_timepoint_slots - 1;
    size_t i = label_hash(s->timepoints[number]) & mask;
    while (s->timepoint_slots[i])
        i = (i + 1) & mask;
    s->timepoint_slots[i] = (unsigned)number + 1;
}

static long intern_timepoint(ps_scorer_t *s, const char *label)
{
    size_t found = find_timepoint(s, label);
    if (found < s->n_timepoints)
        return (long)(s->last_timepoint = found);
    if (s->n_timepoints == MAX_TIMEPOINTS)
        return -2;
    if (2 * (s->n_timepoints + 1) > s->n_timepoint_slots) {
        size_t n = s->n_timepoint_slots ? 2 * s->n_timepoint_slots : 16;
        unsigned *slots = calloc(n, sizeof *slots);
        char **grown = realloc(s->timepoints, n / 2 * sizeof *grown);
        if (!slots || !grown) {
            free(slots);
            if (grown)
                s->timepoints = grown;
            return -1;
        }
        s->timepoints = grown;
        free(s->timepoint_slots);
        s->timepoint_slots = slots;
        s->n_timepoint_slots = n;
        for (size_t i = 0; i < s->n_timepoints; i++)
            place_timepoint(s, i);
    }
    if (!(s->timepoints[s->n_timepoints] = strdup(label)))
        return -1;
    place_timepoint(s, s->n_timepoints);
    return (long)(s->last_timepoint = s->n_timepoints++);
}

/* Describes the codes a response set accepts, e.g. "1-5" or "0, 1, 9". */
static void describe_codes(const struct ps_response_set *set, char *out, size_t size)
{
    double lo = 0, hi = 0;
    int contiguous = 1, any = 0;
    for (size_t i = 0; i < set->n_options; i++) {
        double v;
        if (ps_parse_double(set->options[i].code, &v) != 0 || v != floor(v)) {
            contiguous = 0;
            break;
        }
        lo = any && lo < v ? lo : v;
        hi = any && hi > v ? hi : v;
        any = 1;
    }
    if (contiguous && any && hi - lo + 1 == (double)set->n_options) {
        snprintf(out, size, lo < 0 ? "%.0f to %.0f" : "%.0f-%.0f", lo, hi);
        return;
    }
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < set->n_options && used < size; i++) {
        int n = snprintf(out + used, size - used, "%s%s", i ? ", " : "", set->options[i].code);
        if (n < 0)
            break;
        used += (size_t)n;
    }
}


static int is_number(const char *text)
{
    double v;
    return ps_parse_double(text, &v) == 0 && strspn(text, "+-0123456789.") == strlen(text);
}

/* A number from a range set: within its bounds, with no more than its decimals. */
static ps_answer_t read_number(const struct ps_response_set *set, const char *cell,
                               double *value, enum refusal *why)
{
    const char *point = strchr(cell, '.');
    size_t decimals = point ? strlen(point + 1) : 0;
    if (!is_number(cell) || ps_parse_double(cell, value) != 0)
        *why = REFUSED_NOT_NUMBER;
    else if (*value < set->range_min || *value > set->range_max)
        *why = REFUSED_OUT_OF_RANGE;
    else if (decimals > (size_t)set->decimals)
        *why = REFUSED_DECIMALS;
    else
        return PS_ANSWER_GIVEN;
    return PS_ANSWER_INVALID;
}

static ps_answer_t chosen(const struct ps_option *o, double *value)
{
    *value = o->value;
    return o->not_applicable ? PS_ANSWER_NOT_APPLICABLE : PS_ANSWER_GIVEN;
}

/*
 * The length of a whole number written with a decimal point ("3.0", "-1.00",
 * as spreadsheets write numbers) without its decimals, or 0 for anything else.
 */
static size_t whole_number_length(const char *cell)
{
    const char *point = strchr(cell, '.');
    if (!point || point == cell || !point[1] || point[1 + strspn(point + 1, "0")] != '\0')
        return 0;
    const char *digits = cell + (*cell == '-' || *cell == '+');
    if (digits == point || strspn(digits, "0123456789") != (size_t)(point - digits))
        return 0;
    return (size_t)(point - cell);
}

/*
 * One cell to one response. Codes match exactly (a whole-number code also
 * written as "3.0"), labels and aliases in any case; blank is missing.
 * Anything else is refused, and *why says why.
 */
static ps_answer_t read_answer(const struct ps_item *item, const char *cell, double *value,
                               enum refusal *why)
{
    const struct ps_response_set *set = item->responses;
    if (!*cell)
        return PS_ANSWER_MISSING;
    if (set->is_range)
        return read_number(set, cell, value, why);
    if (cell[1] == '\0' && set->by_code_byte[(unsigned char)cell[0]])
        return chosen(&set->options[set->by_code_byte[(unsigned char)cell[0]] - 1], value);
    for (size_t i = 0; i < set->n_options; i++)
        if (strcmp(set->options[i].code, cell) == 0)
            return chosen(&set->options[i], value);
    size_t whole = whole_number_length(cell);
    for (size_t i = 0; i < set->n_options && whole; i++) {
        const char *code = set->options[i].code;
        if (strlen(code) == whole - (*cell == '+') && memcmp(code, cell + (*cell == '+'),
                                                            whole - (*cell == '+')) == 0)
            return chosen(&set->options[i], value);
    }
    for (size_t i = 0; i < set->n_options; i++) {
        const struct ps_option *o = &set->options[i];
        int match = ps_strcaseeq(o->label, cell) || ps_strcaseeq(o->code, cell);
        for (size_t a = 0; a < o->n_aliases && !match; a++)
            match = ps_strcaseeq(o->aliases[a], cell);
        if (match)
            return chosen(o, value);
    }
    /* A number equal to a code, written another way (03, +3, 3e0): refused, and said so. */
    double number, code;
    for (size_t i = 0; i < set->n_options; i++)
        if (ps_parse_double(cell, &number) == 0 &&
            ps_parse_double(set->options[i].code, &code) == 0 && number == code) {
            *why = REFUSED_CODE_WRITTEN_OTHERWISE;
            return PS_ANSWER_INVALID;
        }
    if (is_number(cell))
        *why = strchr(cell, '.') ? REFUSED_NOT_WHOLE : REFUSED_CODE_OUT_OF_RANGE;
    else
        *why = REFUSED_UNKNOWN_LABEL;
    return PS_ANSWER_INVALID;
}

/* Why an answer to 'item' was refused, in words. */
static void refusal_text(const struct ps_item *item, enum refusal why, char *out, size_t size)
{
    const struct ps_response_set *set = item->responses;
    char codes[200];
    switch (why) {
    case REFUSED_NOT_TEXT:
        snprintf(out, size, "answer " PS_NOT_UTF8);
        return;
    case REFUSED_NOT_NUMBER:
        snprintf(out, size, "not a number (from %g to %g)", set->range_min, set->range_max);
        return;
    case REFUSED_OUT_OF_RANGE:
        snprintf(out, size, "out of range (from %g to %g)", set->range_min, set->range_max);
        return;
    case REFUSED_DECIMALS:
        snprintf(out, size, "more than %d decimal places", set->decimals);
        return;
    case REFUSED_NOT_WHOLE:
    case REFUSED_CODE_OUT_OF_RANGE:
    case REFUSED_CODE_WRITTEN_OTHERWISE:
    case REFUSED_UNKNOWN_LABEL:
        describe_codes(set, codes, sizeof codes);
        snprintf(out, size, "%s (codes are %.100s)",
                 why == REFUSED_NOT_WHOLE           ? "not a whole-number code"
                 : why == REFUSED_CODE_OUT_OF_RANGE ? "code out of range"
                 : why == REFUSED_CODE_WRITTEN_OTHERWISE
                     ? "a code written another way: write it as the code itself"
                                                    : "unknown response label",
                 codes);
        return;
    }
    snprintf(out, size, "refused");
}

static double round_to(double value, int precision)
{
    static const double powers[] = {1, 10, 100, 1e3, 1e4, 1e5, 1e6}; /* precision is 0-6 */
    return round(value * powers[precision]) / powers[precision];
}

/*
 * Applies the missing-item rule, the method, the lookup, rounding and bands.
 * 'done' holds the instrument's scales scored so far, for a scale scored from
 * another.
 */
static void score_scale(ps_scorer_t *s, const ps_response_t *responses,
                        const struct ps_scale *scale, const ps_score_t *done, ps_score_t *out)
{
    unsigned answered = 0;
    int invalid = 0;
    const ps_response_t *given = s->scale_responses;
    if (scale->of) {
        const ps_score_t *source = &done[scale->of - scale->instrument->scales];
        out->answered = source->answered;
        if (!source->has_value) {
            out->status = source->status; /* e.g. no_calibration, all the way down */
            out->outcome = PS_NOT_SCORED;
            return;
        }
        s->scale_responses[0] = (ps_response_t){PS_ANSWER_GIVEN, source->value};
        answered = source->answered;
    } else {
        for (size_t j = 0; j < scale->n_items; j++) {
            s->scale_responses[j] = responses[scale->items[j]];
            answered += s->scale_responses[j].answer == PS_ANSWER_GIVEN;
            invalid |= s->scale_responses[j].answer == PS_ANSWER_INVALID;
        }
    }
    out->answered = answered;
    out->has_value = 0;
    out->band = NULL;
    out->outcome = PS_NOT_SCORED;
    if (invalid) {
        out->status = "invalid_response";
        return;
    }
    if (!scale->of && scale->n_items - answered > scale->max_missing) {
        out->status = "incomplete";
        return;
    }
    ps_result_t result = scale->method->score(scale, given);
    if (result.status) {
        out->status = result.status;
        return;
    }
    double value = result.value;
    if (scale->n_lookup) {
        double raw = round(value);
        if (fabs(value - raw) > 1e-9 || raw < (double)scale->lookup_first ||
            raw >= (double)scale->lookup_first + (double)scale->n_lookup) {
            out->status = "no_lookup_entry";
            return;
        }
        value = scale->lookup[(long)raw - scale->lookup_first];
    }
    value = round_to(value, scale->precision);
    if (!isfinite(value) || value < scale->min || value > scale->max) {
        out->status = "out_of_range";
        return;
    }
    out->value = value;
    out->has_value = 1;
    out->band = ps_scale_band_of(scale, value);
    /* A flag stands in for "ok" and travels to the scales scored from this one. */
    const ps_score_t *source = scale->of ? &done[scale->of - scale->instrument->scales] : NULL;
    const char *source_flag = source && source->outcome == PS_FLAGGED ? source->status : NULL;
    out->status = result.flag ? result.flag : source_flag ? source_flag : "ok";
    out->outcome = result.flag || source_flag ? PS_FLAGGED : PS_SCORED;
}

/* Reads one instrument's answers into 'responses', and the refused ones into the row. */
static void read_answers(const ps_scorer_t *s, const ps_csv_record_t *rec, size_t planned,
                         struct scored_row *row)
{
    const struct planned *p = &s->planned[planned];
    const struct ps_instrument *in = p->instrument;
    ps_response_t *responses = p->responses;
    for (size_t i = 0; i < in->n_items; i++) {
        size_t field = p->item_field[i];
        ps_response_t *r = &responses[i];
        if (field == NO_FIELD || in->items[i].responses->is_free_text) {
            r->answer = PS_ANSWER_MISSING; /* an absent optional column, or text not scored */
            continue;
        }
        /* Most answers are a one-byte code: no trimming, no search. */
        const struct ps_response_set *set = in->items[i].responses;
        unsigned option = rec->lengths[field] == 1 && !set->is_range
                              ? set->by_code_byte[(unsigned char)rec->fields[field][0]]
                              : 0;
        if (option) {
            const struct ps_option *o = &set->options[option - 1];
            r->value = o->value;
            r->answer = o->not_applicable ? PS_ANSWER_NOT_APPLICABLE : PS_ANSWER_GIVEN;
            continue;
        }
        const char *cell = clean_field(rec, field);
        enum refusal why = REFUSED_NOT_TEXT;
        r->answer = cell ? read_answer(&in->items[i], cell, &r->value, &why) : PS_ANSWER_INVALID;
        if (r->answer == PS_ANSWER_INVALID)
            row_refused(s, row)[row->n_refused++] =
                (struct refused_cell){(unsigned)planned, (unsigned)i, why};
    }
}

/*
 * The row's id, timepoint or date and kept texts into the row, or why the row
 * alone is refused (row->fault). Both readings of a batch with dates see rows
 * through this, so that the first notes the dates of exactly the rows the
 * second may score.
 */
static void read_row(const ps_scorer_t *s, ps_csv_record_t *rec, struct scored_row *row)
{
    *row = (struct scored_row){0};
    row_kept(s, row)[s->n_keep] = NULL; /* the rest is written before it is read */
    if ((row->id = s->id_field < rec->n_fields ? clean_field(rec, s->id_field) : NULL))
        row->id_length = rec->lengths[s->id_field];
    if (rec->fault) {
        row->fault = ROW_UNREADABLE;
        return;
    }
    if (rec->n_fields != s->n_fields) {
        row->fault = ROW_RAGGED;
        return;
    }
    if (!row->id) {
        row->fault = ROW_ID_NOT_TEXT;
        return;
    }
    if (!*row->id) {
        row->fault = ROW_ID_MISSING;
        return;
    }
    if (s->dates) {
        if (!(row->date = clean_field(rec, s->date_field))) {
            row->fault = ROW_DATE_NOT_TEXT;
            return;
        }
        row->date_problem = ps_date_read(row->date, s->date_format, &row->day);
        if (!row->date_problem &&
            (row->day < s->date_range.from || row->day > s->date_range.to))
            row->date_problem = PS_DATE_OUT_OF_RANGE;
        if (row->date_problem) {
            row->fault = ROW_DATE_BAD;
            return;
        }
    } else if (!s->timepoint) {
        const char *timepoint = clean_field(rec, s->timepoint_field);
        if (!timepoint || !*timepoint) {
            row->fault = timepoint ? ROW_TIMEPOINT_MISSING : ROW_TIMEPOINT_NOT_TEXT;
            return;
        }
        row->timepoint = timepoint;
    }
    const char **kept = row_kept(s, row);
    for (size_t k = 0; k < s->n_keep; k++)
        if (!(kept[k] = clean_field(rec, s->keep_field[k]))) {
            row->fault = ROW_KEPT_NOT_TEXT;
            row->kept_not_text = k;
            return;
        }
}

/* On the reading thread: everything the row alone decides, into the row. */
static void prepare_row(ps_csv_record_t *rec, void *memory, void *user)
{
    ps_scorer_t *s = user;
    struct scored_row *row = memory;
    read_row(s, rec, row);
    if (row->fault)
        return;
    for (size_t p = 0; p < s->n_planned; p++) {
        const struct planned *plan = &s->planned[p];
        const struct ps_instrument *in = plan->instrument;
        read_answers(s, rec, p, row);
        struct scale_result *results = row->results + plan->first_score;
        for (size_t k = 0; k < in->n_scales; k++) {
            if (!plan->collected[k])
                continue;
            ps_score_t *score = &plan->scores[k];
            score_scale(s, plan->responses, &in->scales[k], plan->scores, score);
            results[k] = (struct scale_result){score->value, score->band, score->status,
                                               score->answered, score->has_value,
                                               score->outcome};
        }
    }
}

/* Reports the answers a row refused, with the reasons found when they were read. */
static ps_error_t report_refused(ps_scorer_t *s, const ps_csv_record_t *rec,
                                 struct scored_row *row)
{
    const struct refused_cell *refused = row_refused(s, row);
    for (size_t r = 0; r < row->n_refused; r++) {
        const struct planned *p = &s->planned[refused[r].planned];
        const size_t field = p->item_field[refused[r].item];
        char reason[300];
        refusal_text(&p->instrument->items[refused[r].item], refused[r].why, reason,
                     sizeof reason);
        const char *value = refused[r].why == REFUSED_NOT_TEXT ? "" : rec->fields[field];
        ps_error_t err = reject(s, rec->line, field, row->id, value, reason);
        if (err)
            return err;
    }
    return PS_OK;
}

/* Refuses a row the reading thread found at fault. */
static ps_error_t reject_faulty_row(ps_scorer_t *s, const ps_csv_record_t *rec,
                                    const struct scored_row *row)
{
    const char *id = row->id ? row->id : "";
    char reason[400];
    switch (row->fault) {
    case ROW_UNREADABLE:
        if (rec->n_fields_found > rec->n_fields) {
            snprintf(reason, sizeof reason,
                     "ragged row: %zu fields, more than the limit of %u (the header has %zu)",
                     rec->n_fields_found, PS_MAX_COLUMNS, s->n_fields);
            return reject_row(s, rec->line, id, reason);
        }
        s->summary.rows_rejected++;
        snprintf(reason, sizeof reason, "%s: the row is refused", rec->fault);
        return reject(s, rec->line,
                      rec->fault_column <= s->n_fields ? rec->fault_column - 1 : NO_FIELD, id,
                      rec->fault_column <= rec->n_fields ? rec->fields[rec->fault_column - 1]
                                                         : "",
                      reason);
    case ROW_RAGGED:
        snprintf(reason, sizeof reason, "ragged row: %zu fields, the header has %zu",
                 rec->n_fields, s->n_fields);
        return reject_row(s, rec->line, id, reason);
    case ROW_ID_NOT_TEXT:
        return reject_row(s, rec->line, "", "participant id " PS_NOT_UTF8);
    case ROW_ID_MISSING:
        return reject_row(s, rec->line, "", "missing participant id");
    case ROW_TIMEPOINT_NOT_TEXT:
        return reject_row(s, rec->line, id, "timepoint " PS_NOT_UTF8);
    case ROW_TIMEPOINT_MISSING:
        return reject_row(s, rec->line, id, "missing timepoint");
    case ROW_KEPT_NOT_TEXT:
        snprintf(reason, sizeof reason, "column '%s' " PS_NOT_UTF8,
                 s->keep[row->kept_not_text]);
        return reject_row(s, rec->line, id, reason);
    case ROW_DATE_NOT_TEXT:
        s->summary.rows_rejected++;
        return reject(s, rec->line, s->date_field, id, "", "date " PS_NOT_UTF8);
    case ROW_DATE_BAD:
        s->summary.rows_rejected++;
        if (row->date_problem == PS_DATE_OUT_OF_RANGE)
            ps_date_range_text(&s->date_range, row->day, reason, sizeof reason);
        else
            ps_date_problem_text(row->date_problem, row->date, s->date_format, reason,
                                 sizeof reason);
        return reject(s, rec->line, s->date_field, id, row->date, reason);
    case ROW_ITEM_NOT_TEXT:
        s->summary.rows_rejected++;
        return reject(s, rec->line, s->item_field, id, "", "item " PS_NOT_UTF8);
    case ROW_ITEM_MISSING:
        return reject_row(s, rec->line, id, "missing item");
    case ROW_ITEM_UNKNOWN:
        s->summary.rows_rejected++;
        snprintf(reason, sizeof reason,
                 "unknown item: not an item column, alias or --map header of %s",
                 s->n_planned == 1 ? s->planned[0].instrument->id
                 : s->n_wanted     ? "the instruments asked for"
                                   : "any instrument");
        return reject(s, rec->line, s->item_field, id, rec->fields[s->item_field], reason);
    case ROW_VALUE_NOT_TEXT:
        s->summary.rows_rejected++;
        return reject(s, rec->line, s->value_field, id, "", "answer " PS_NOT_UTF8);
    case ROW_OK:
        break;
    }
    return PS_ERROR_INTERNAL;
}

/*
 * On the caller's thread, a few rows ahead: starts fetching the duplicate
 * table's slots of a row still to come, so that they are in cache when it is
 * finished. Only for a timepoint already seen: a row that turns out to be
 * refused costs a wasted fetch, nothing more.
 */
static void fetch_keys_ahead(const ps_csv_record_t *rec, void *memory, void *user)
{
    const ps_scorer_t *s = user;
    const struct scored_row *row = memory;
    (void)rec;
    if (row->fault || s->dates)
        return; /* with dates, the timepoint is decided when the row is finished */
    const size_t tp = find_timepoint(s, s->timepoint ? s->timepoint : row->timepoint);
    if (tp == s->n_timepoints)
        return;
    for (size_t p = 0; p < s->n_planned; p++) {
        ps_key_t key = {.id = row->id, .id_length = row->id_length, .timepoint = (unsigned)tp,
                        .instrument = s->planned[p].index};
        ps_keyset_prepare(s->keys, &key);
    }
}

/*
 * Makes room in the duplicate table for the rows a batch seems to hold, judged
 * from its size and the length of its first row, so that the table is not
 * rebuilt again and again as it grows. Only a hint: a wrong guess costs
 * memory or a rebuild, nothing else.
 */
static void reserve_keys(ps_scorer_t *s, const ps_csv_record_t *rec)
{
    double bytes = (double)rec->n_fields; /* the commas and the line end */
    for (size_t f = 0; f < rec->n_fields; f++)
        bytes += (double)rec->lengths[f];
    double estimate = (double)s->batch_bytes / bytes * (double)s->n_planned;
    if (estimate < (double)(UINT32_MAX / 2))
        ps_keyset_reserve(s->keys, (size_t)estimate);
}

/*
 * The timepoint of an assessment of planned instrument 'p' on 'day', from the
 * participant's earliest and latest day with it; NULL when the dates refuse
 * it, with the reason. *window is the window it falls in, if any.
 */
static const char *dated_timepoint(const ps_scorer_t *s, const char *id, size_t id_length,
                                   int32_t day, const struct planned *p,
                                   const ps_window_t **window, char *reason, size_t size)
{
    int32_t first, last;
    *window = NULL;
    if (!ps_date_book_find(s->dates, id, id_length, p->index, &first, &last) || day < first ||
        day > last) {
        snprintf(reason, size, "the batch changed between its two readings (first its dates, "
                               "then its rows)");
        return NULL;
    }
    if (day == first)
        return "baseline";
    char baseline[11];
    ps_date_iso(first, baseline);
    const long after = (long)day - first;
    if (s->n_windows) {
        char list[400] = "";
        size_t used = 0;
        for (size_t w = 0; w < s->n_windows; w++) {
            const ps_window_t *in = &s->windows[w];
            if (after >= (long)in->from && after <= (long)in->to) {
                *window = in;
                return in->name;
            }
            int n = snprintf(list + used, sizeof list - used, "%s%s %u-%u", w ? ", " : "",
                             in->name, in->from, in->to);
            used = n > 0 && used + (size_t)n < sizeof list ? used + (size_t)n : used;
        }
        snprintf(reason, size, "outside every window: %ld days after baseline (%s) (windows: %s)",
                 after, baseline, list);
        return NULL;
    }
    if (day == last)
        return "followup";
    char followup[11];
    ps_date_iso(last, followup);
    snprintf(reason, size,
             "between baseline and follow-up: %ld days after baseline (%s), %ld before "
             "follow-up (%s); give --window to score assessments between them",
             after, baseline, (long)last - day, followup);
    return NULL;
}

/* What an assessment is, a wide row or a long export's answers of one participant and date. */
struct assessment {
    unsigned long line;               /* where it starts */
    const char *id;
    size_t id_length;
    const char *timepoint;            /* without dates */
    int32_t day;                      /* with dates */
    const char *const *kept;
    const struct scale_result *results; /* every planned scale, as in a row */
    const unsigned char *assessed;    /* per planned instrument; NULL: every one */
    const char **timepoints;          /* per planned instrument, set by place_assessment */
};

static int assessed(const struct assessment *a, size_t p)
{
    return !a->assessed || a->assessed[p];
}

/*
 * Decides the timepoint of each instrument of an assessment and refuses it
 * when the dates do or when any of its instruments was seen for this person
 * and time: *reason is then set. Else its keys are added.
 */
static ps_error_t place_assessment(ps_scorer_t *s, struct assessment *a, char *reason,
                                   size_t size)
{
    const ps_window_t *window[s->n_planned];
    unsigned tps[s->n_planned];
    reason[0] = '\0';
    for (size_t p = 0; p < s->n_planned; p++) {
        window[p] = NULL;
        if (!assessed(a, p))
            continue;
        if (!s->dates)
            a->timepoints[p] = a->timepoint;
        else if (!(a->timepoints[p] = dated_timepoint(s, a->id, a->id_length, a->day,
                                                      &s->planned[p], &window[p], reason, size)))
            return PS_OK;
        long tp = p && a->timepoints[p] == a->timepoints[p - 1]
                      ? (long)tps[p - 1]
                      : intern_timepoint(s, a->timepoints[p]);
        if (tp == -1)
            return PS_ERROR_NOMEM;
        if (tp == -2)
            return ps_diagnose(s->context, PS_ERROR_LIMIT, s->file, a->line, 0,
                               "more than %d distinct timepoints", MAX_TIMEPOINTS);
        tps[p] = (unsigned)tp;
    }

    ps_key_t keys[s->n_planned];
    for (size_t p = 0; p < s->n_planned; p++) {
        if (!assessed(a, p))
            continue;
        keys[p] = (ps_key_t){.id = a->id, .id_length = a->id_length, .timepoint = tps[p],
                             .instrument = s->planned[p].index};
        ps_keyset_prepare(s->keys, &keys[p]);
    }
    for (size_t p = 0; p < s->n_planned; p++) {
        ps_key_origin_t first;
        if (!assessed(a, p) || !ps_keyset_find(s->keys, &keys[p], &first))
            continue;
        char where[300] = "";
        if (first.file != s->batch && s->run_files && first.file >= s->first_run_batch)
            snprintf(where, sizeof where, " of %.250s",
                     s->run_files[first.file - s->first_run_batch]);
        else if (first.file != s->batch)
            snprintf(where, sizeof where, " of another batch");
        if (window[p])
            snprintf(reason, size, "second assessment in window %.100s: line %lu%s already has it",
                     window[p]->name, first.line, where);
        else
            snprintf(reason, size,
                     "duplicate: participant '%.200s' at timepoint '%.100s' already has %s on "
                     "line %lu%s",
                     a->id, a->timepoints[p], s->planned[p].instrument->id, first.line, where);
        return PS_OK;
    }
    for (size_t p = 0; p < s->n_planned; p++)
        if (assessed(a, p) &&
            ps_keyset_add(s->keys, &keys[p], (ps_key_origin_t){s->batch, a->line}) != 0)
            return ps_diagnose(s->context, PS_ERROR_NOMEM, s->file, a->line, 0,
                               "out of memory for participant records");
    return PS_OK;
}

/* Hands the scores of a placed assessment to the caller, counting them in 'summary'. */
static ps_error_t hand_scores(ps_scorer_t *s, const struct assessment *a,
                              ps_batch_summary_t *summary)
{
    char date[11];
    if (s->dates)
        ps_date_iso(a->day, date);
    for (size_t p = 0; p < s->n_planned; p++) {
        if (!assessed(a, p))
            continue;
        const struct ps_instrument *in = s->planned[p].instrument;
        const struct scale_result *results = a->results + s->planned[p].first_score;
        for (size_t k = 0; k < in->n_scales; k++) {
            if (!s->planned[p].collected[k])
                continue;
            const struct scale_result *r = &results[k];
            ps_score_t score = {.file = s->file, .line = a->line, .participant_id = a->id,
                                .timepoint = a->timepoints[p], .instrument = in,
                                .scale = &in->scales[k], .has_value = r->has_value,
                                .value = r->value, .band = r->band, .answered = r->answered,
                                .status = r->status, .kept = a->kept, .outcome = r->outcome,
                                .date = s->dates ? date : NULL};
            if (score.outcome == PS_SCORED)
                summary->scores_ok++;
            else
                summary->scores_not_ok++;
            if (s->handlers.score && s->handlers.score(&score, s->handlers.user))
                return PS_ERROR_ABORTED;
        }
    }
    return PS_OK;
}

/* On the caller's thread, row after row: timepoints and duplicates, then the handlers. */
static ps_error_t finish_row(const ps_csv_record_t *rec, void *memory, void *user)
{
    ps_scorer_t *s = user;
    struct scored_row *row = memory;
    s->bytes_finished = rec->offset;
    if (s->summary.rows_read++ == 0 && s->batch_bytes && !row->fault)
        reserve_keys(s, rec);
    if (row->fault)
        return reject_faulty_row(s, rec, row);
    const char *timepoints[s->n_planned];
    struct assessment a = {.line = rec->line, .id = row->id, .id_length = row->id_length,
                           .timepoint = s->timepoint ? s->timepoint : row->timepoint,
                           .day = row->day, .kept = row_kept(s, row), .results = row->results,
                           .timepoints = timepoints};
    char reason[700];
    ps_error_t err = place_assessment(s, &a, reason, sizeof reason);
    if (err)
        return err;
    if (reason[0])
        return reject_row(s, rec->line, row->id, reason);
    s->summary.rows_scored++;
    s->summary.cells_rejected += row->n_refused;
    if (row->n_refused && (err = report_refused(s, rec, row)))
        return err;
    return hand_scores(s, &a, &s->summary);
}

/* The header, on the caller's thread before any row is read: the plan is whole before rows. */
static ps_error_t start_batch(ps_scorer_t *s, ps_csv_reader_t *reader)
{
    ps_csv_record_t *header;
    ps_error_t err = ps_csv_next(reader, &header);
    if (err)
        return ps_csv_report(s->context, reader);
    if (!header)
        return batch_error(s, 0, 0, "empty file: a batch starts with a header row");
    return read_header(s, header);
}

/* ---- Long exports: one row per answer, the rows of one participant and date one assessment. ---- */

static size_t candidate_count(const ps_scorer_t *s)
{
    return s->n_wanted ? s->n_wanted : s->context->n_instruments;
}

static const struct ps_instrument *candidate(const ps_scorer_t *s, size_t c)
{
    return s->n_wanted ? s->wanted[c] : s->context->instruments[c];
}

/*
 * The item of 'in' that a long export's item cell names, as a wide batch's
 * header would (see item_field): a --map header naming it, else, unless the
 * map gives this name to another item, its column name or an alias, whatever
 * other headers the map gives it. NO_FIELD when it names none of the
 * instrument's items.
 */
static size_t item_named(const ps_scorer_t *s, const struct ps_instrument *in, const char *name)
{
    for (size_t i = 0; i < s->n_map; i++)
        if (s->map[i].instrument == in && header_is(s->map[i].header, name))
            return s->map[i].item;
    if (mapped_elsewhere(s, name))
        return NO_FIELD;
    for (size_t item = 0; item < in->n_items; item++)
        if (named_for(name, &in->items[item]))
            return item;
    return NO_FIELD;
}

/* A long export's row: read_row's checks, then its item and its answer as text. */
static void read_long_row(const ps_scorer_t *s, ps_csv_record_t *rec, struct scored_row *row,
                          const char **item, const char **value)
{
    read_row(s, rec, row);
    if (row->fault)
        return;
    if (!(*item = clean_field(rec, s->item_field)))
        row->fault = ROW_ITEM_NOT_TEXT;
    else if (!**item)
        row->fault = ROW_ITEM_MISSING;
    else if (!(*value = clean_field(rec, s->value_field)))
        row->fault = ROW_VALUE_NOT_TEXT;
}

/* The first reading of a long row: its date noted for each instrument its item belongs to. */
static ps_error_t note_long_row(ps_scorer_t *s, ps_csv_record_t *rec, struct scored_row *row,
                                unsigned char *found)
{
    const char *item = NULL, *value = NULL;
    read_long_row(s, rec, row, &item, &value);
    for (size_t c = 0; c < candidate_count(s) && !row->fault; c++) {
        const struct ps_instrument *in = candidate(s, c);
        if (item_named(s, in, item) == NO_FIELD)
            continue;
        const unsigned index = s->n_wanted ? instrument_index(s, in) : (unsigned)c;
        found[index] = 1;
        if (ps_date_book_note(s->dates, row->id, row->id_length, index, row->day) != 0)
            return ps_diagnose(s->context, PS_ERROR_NOMEM, s->file, rec->line, 0,
                               "out of memory for participant records");
    }
    return PS_OK;
}

/* Plans the instruments whose items the batch's first reading found. */
static ps_error_t plan_long(ps_scorer_t *s, const unsigned char *found)
{
    s->planned = calloc(candidate_count(s) ? candidate_count(s) : 1, sizeof *s->planned);
    if (!s->planned)
        return PS_ERROR_NOMEM;
    for (size_t c = 0; c < candidate_count(s); c++) {
        const struct ps_instrument *in = candidate(s, c);
        if (!found[s->n_wanted ? instrument_index(s, in) : c])
            continue;
        /* Every item counts as a column of the batch: each assessment says which it answers. */
        size_t *fields = calloc(in->n_items ? in->n_items : 1, sizeof *fields);
        ps_error_t err = fields ? add_planned(s, in, fields) : PS_ERROR_NOMEM;
        if (err)
            return err;
    }
    return PS_OK;
}

/*
 * A long batch of the run, as scoring its assessments needs it once it is
 * closed: its name, its number, its summary, and the names and numbers of the
 * columns an answer is refused in (the item, the value, each kept one).
 */
enum { LONG_ITEM, LONG_VALUE, LONG_KEPT };

struct long_batch {
    const char *file;
    unsigned batch;                  /* its number in the run's batches (s->batch) */
    ps_batch_summary_t summary;
    char **header;                   /* LONG_ITEM, LONG_VALUE, then LONG_KEPT + each kept */
    unsigned long *column;           /* from 1 */
};

static void free_long_batches(ps_scorer_t *s)
{
    for (size_t b = 0; b < s->n_long_batches; b++) {
        struct long_batch *lb = &s->long_batches[b];
        for (size_t c = 0; lb->header && c < LONG_KEPT + s->n_keep; c++)
            free(lb->header[c]);
        free(lb->header);
        free(lb->column);
    }
    free(s->long_batches);
    s->long_batches = NULL;
    s->n_long_batches = 0;
    ps_long_export_free(s->long_export);
    s->long_export = NULL;
}

/* What scoring the assessments of the run's long batches needs. */
struct long_work {
    const ps_long_export_t *export;
    unsigned char *used;          /* per answer: USED or USED_REFUSED when taken into its
                                     assessment; 0 when refused on its own */
    uint32_t *answered_by;        /* per planned item: the answer that answered it + 1, or 0 */
    size_t *item_base;            /* per planned instrument: its first item in answered_by */
    unsigned char *assessed;      /* per planned instrument */
    struct scale_result *results; /* per planned scale */
    const char **timepoints;      /* per planned instrument */
};

enum { USED = 1, USED_REFUSED = 2 /* with its answer refused, and said so */ };

/* Reports a refusal of answer 'a', in column 'which' (LONG_ITEM, ...; SIZE_MAX: none). */
static ps_error_t refuse_answer(ps_scorer_t *s, const ps_long_answer_t *a, size_t which,
                                const char *value, const char *reason)
{
    const struct long_batch *lb = &s->long_batches[a->batch];
    if (which == SIZE_MAX)
        return reject_in(s, lb->file, a->line, 0, "", a->id, "", reason);
    return reject_in(s, lb->file, a->line, lb->column[which], lb->header[which], a->id, value,
                     reason);
}

/* " of FILE" when answer 'a' is in another batch than 'b', else "". */
static void other_batch(const ps_scorer_t *s, const ps_long_answer_t *a,
                        const ps_long_answer_t *b, char *out, size_t size)
{
    out[0] = '\0';
    if (a->batch != b->batch)
        snprintf(out, size, " of %.200s", s->long_batches[a->batch].file);
}

/* Takes one answer into its assessment, or refuses it with its reason. */
static ps_error_t take_answer(ps_scorer_t *s, struct long_work *w, const ps_long_answer_t *head,
                              size_t index)
{
    const ps_long_answer_t *a = ps_long_export_answer(w->export, index);
    char reason[700], where[220];
    for (size_t k = 0; k < s->n_keep; k++)
        if (strcmp(a->kept[k], head->kept[k]) != 0) {
            other_batch(s, head, a, where, sizeof where);
            snprintf(reason, sizeof reason,
                     "column '%.100s' differs within one assessment (one participant on one "
                     "date): line %lu%s has '%.100s'",
                     s->keep[k], head->line, where, head->kept[k]);
            s->long_batches[a->batch].summary.rows_rejected++;
            return refuse_answer(s, a, LONG_KEPT + k, a->kept[k], reason);
        }
    for (size_t p = 0; p < s->n_planned; p++) {
        const struct ps_instrument *in = s->planned[p].instrument;
        size_t item = item_named(s, in, a->item);
        if (item != NO_FIELD && w->answered_by[w->item_base[p] + item]) {
            const ps_long_answer_t *before =
                ps_long_export_answer(w->export, w->answered_by[w->item_base[p] + item] - 1);
            other_batch(s, before, a, where, sizeof where);
            snprintf(reason, sizeof reason,
                     "item %s.%s answered twice in one assessment (one participant on one "
                     "date): line %lu%s already has it",
                     in->id, in->items[item].id, before->line, where);
            s->long_batches[a->batch].summary.rows_rejected++;
            return refuse_answer(s, a, LONG_ITEM, a->item, reason);
        }
    }
    int refused = 0;
    for (size_t p = 0; p < s->n_planned; p++) {
        const struct ps_instrument *in = s->planned[p].instrument;
        size_t item = item_named(s, in, a->item);
        if (item == NO_FIELD)
            continue;
        w->answered_by[w->item_base[p] + item] = (uint32_t)index + 1;
        w->assessed[p] = 1;
        ps_response_t *r = &s->planned[p].responses[item];
        if (in->items[item].responses->is_free_text)
            continue; /* text, never scored */
        enum refusal why = REFUSED_NOT_TEXT;
        r->answer = read_answer(&in->items[item], a->value, &r->value, &why);
        if (r->answer == PS_ANSWER_INVALID && !refused++) {
            refusal_text(&in->items[item], why, reason, sizeof reason);
            ps_error_t err = refuse_answer(s, a, LONG_VALUE, a->value, reason);
            if (err)
                return err;
        }
    }
    w->used[index] = refused ? USED_REFUSED : USED;
    return PS_OK;
}

/*
 * Scores the assessment whose first answer is 'first', as a wide row: its
 * answers used count as rows scored, an answer refused among them also as an
 * answer refused, each in its own batch; when its timepoint is refused, each is
 * a row refused.
 */
static ps_error_t score_long_assessment(ps_scorer_t *s, struct long_work *w, size_t first)
{
    const ps_long_answer_t *head = ps_long_export_answer(w->export, first);
    const struct long_batch *head_batch = &s->long_batches[head->batch];
    s->file = head_batch->file; /* where its scores and the participant records say it is */
    s->batch = head_batch->batch;
    memset(w->answered_by, 0, (s->n_items ? s->n_items : 1) * sizeof *w->answered_by);
    memset(w->assessed, 0, s->n_planned ? s->n_planned : 1);
    for (size_t p = 0; p < s->n_planned; p++)
        for (size_t i = 0; i < s->planned[p].instrument->n_items; i++)
            s->planned[p].responses[i].answer = PS_ANSWER_MISSING;
    ps_error_t err;
    for (size_t i = first; i != PS_LONG_END; i = ps_long_export_answer(w->export, i)->next)
        if ((err = take_answer(s, w, head, i)))
            return err;
    for (size_t p = 0; p < s->n_planned; p++) {
        const struct planned *plan = &s->planned[p];
        for (size_t k = 0; k < plan->instrument->n_scales && w->assessed[p]; k++) {
            if (!plan->collected[k])
                continue;
            ps_score_t *score = &plan->scores[k];
            score_scale(s, plan->responses, &plan->instrument->scales[k], plan->scores, score);
            w->results[plan->first_score + k] =
                (struct scale_result){score->value, score->band,     score->status,
                                      score->answered, score->has_value, score->outcome};
        }
    }
    struct assessment a = {.line = head->line, .id = head->id, .id_length = head->id_length,
                           .day = head->day, .kept = head->kept, .results = w->results,
                           .assessed = w->assessed, .timepoints = w->timepoints};
    char reason[700];
    if ((err = place_assessment(s, &a, reason, sizeof reason)))
        return err;
    for (size_t i = first; i != PS_LONG_END; i = ps_long_export_answer(w->export, i)->next) {
        const ps_long_answer_t *answer = ps_long_export_answer(w->export, i);
        ps_batch_summary_t *summary = &s->long_batches[answer->batch].summary;
        if (!w->used[i])
            continue;
        if (!reason[0]) {
            summary->rows_scored++;
            summary->cells_rejected += w->used[i] == USED_REFUSED;
        } else {
            summary->rows_rejected++;
            if (w->used[i] == USED && (err = refuse_answer(s, answer, SIZE_MAX, "", reason)))
                return err;
        }
    }
    return reason[0] ? PS_OK : hand_scores(s, &a, &s->long_batches[head->batch].summary);
}

/* Opens a batch and reads its header into the plan. */
static ps_error_t open_batch(ps_scorer_t *s, const char *file, ps_csv_reader_t **reader)
{
    forget_batch(s);
    s->file = file;
    if (strcmp(file, "-") == 0 && s->stdin_seen &&
        lseek(STDIN_FILENO, s->stdin_start, SEEK_SET) == (off_t)-1)
        return ps_diagnose(s->context, PS_ERROR_READ, file, 0, 0,
                           "standard input cannot be read again");
    ps_csv_options_t csv = {s->delimiter, s->encoding};
    ps_error_t err = ps_csv_open(s->context, file, &csv, reader);
    if (!err && (err = start_batch(s, *reader))) {
        ps_csv_close(*reader);
        *reader = NULL;
    }
    return err;
}

/* Reads one wide batch and scores it (with dates, after note_dates read every batch). */
static ps_error_t score_batch(ps_scorer_t *s, const char *file)
{
    if (s->n_batches == MAX_BATCHES)
        return ps_diagnose(s->context, PS_ERROR_LIMIT, file, 0, 0,
                           "more than %d batches in one run", MAX_BATCHES);
    s->batch = s->n_batches++;
    memset(&s->summary, 0, sizeof s->summary);
    s->summary.file = file;
    ps_csv_reader_t *reader;
    ps_error_t err = open_batch(s, file, &reader);
    if (err)
        return err;
    if (!(err = announce_batch(s))) {
        s->batch_bytes = ps_csv_size(reader);
        ps_pipeline_stages_t stages = {prepare_row, finish_row, fetch_keys_ahead, row_size(s),
                                       s};
        err = ps_pipeline_run(s->context, reader, s->threads, &stages);
    }
    ps_csv_close(reader);
    if (!err && s->handlers.batch_end && s->handlers.batch_end(&s->summary, s->handlers.user))
        err = PS_ERROR_ABORTED;
    return err;
}

/* With dates a batch is read twice: it must be a file, standard input included, not a pipe. */
static ps_error_t check_rereadable(ps_scorer_t *s, const char *file)
{
    const int is_stdin = strcmp(file, "-") == 0;
    struct stat st;
    if (is_stdin ? fstat(STDIN_FILENO, &st) != 0 : stat(file, &st) != 0)
        return PS_OK; /* opening it will say why */
    if (!S_ISREG(st.st_mode))
        return ps_diagnose(s->context, PS_ERROR_READ, file, 0, 0,
                           "timepoints from dates read each batch twice (its dates first, then "
                           "its rows), and this is %s, which can be read only once: save it "
                           "to a file",
                           is_stdin ? "standard input from a pipe or terminal" : "not a file");
    if (is_stdin && !s->stdin_seen) {
        if ((s->stdin_start = lseek(STDIN_FILENO, 0, SEEK_CUR)) == (off_t)-1)
            return ps_diagnose(s->context, PS_ERROR_READ, file, 0, 0,
                               "standard input cannot be read again");
        s->stdin_seen = 1;
    }
    return PS_OK;
}

/*
 * The first reading of a batch with dates: each assessable row's date, noted
 * per instrument; in a long export, which instruments' items it holds.
 */
static ps_error_t note_dates(ps_scorer_t *s, const char *file, unsigned char *long_found)
{
    ps_error_t err = check_rereadable(s, file);
    ps_csv_reader_t *reader = NULL;
    if (err || (err = open_batch(s, file, &reader)))
        return err;
    struct scored_row *row = calloc_lines(1, row_size(s));
    if (!row) {
        ps_csv_close(reader);
        return PS_ERROR_NOMEM;
    }
    ps_csv_record_t *rec;
    while (!(err = ps_csv_next(reader, &rec)) && rec) {
        if (s->item_column) {
            if ((err = note_long_row(s, rec, row, long_found)))
                break;
            continue;
        }
        read_row(s, rec, row);
        for (size_t p = 0; p < s->n_planned && !row->fault; p++)
            if (ps_date_book_note(s->dates, row->id, row->id_length, s->planned[p].index,
                                  row->day) != 0) {
                err = ps_diagnose(s->context, PS_ERROR_NOMEM, file, rec->line, 0,
                                  "out of memory for participant records");
                break;
            }
        if (err)
            break;
    }
    if (err && err != PS_ERROR_NOMEM)
        err = ps_csv_report(s->context, reader);
    free(row);
    ps_csv_close(reader);
    return err;
}

/*
 * Reads long batch 'b' of the run into the run's answers, refusing the rows
 * that are refused on their own as it goes.
 */
static ps_error_t read_long_batch(ps_scorer_t *s, const char *file, size_t b,
                                  const unsigned char *found)
{
    if (s->n_batches == MAX_BATCHES)
        return ps_diagnose(s->context, PS_ERROR_LIMIT, file, 0, 0,
                           "more than %d batches in one run", MAX_BATCHES);
    struct long_batch *lb = &s->long_batches[b];
    lb->file = file;
    lb->batch = s->batch = s->n_batches++;
    memset(&s->summary, 0, sizeof s->summary);
    s->summary.file = file;
    ps_csv_reader_t *reader;
    ps_error_t err = open_batch(s, file, &reader);
    if (err)
        return err;
    struct scored_row *row = NULL;
    if ((err = plan_long(s, found)) || (err = announce_batch(s)))
        goto done;
    err = PS_ERROR_NOMEM;
    const size_t n_columns = LONG_KEPT + s->n_keep;
    if (!(lb->header = calloc(n_columns, sizeof *lb->header)) ||
        !(lb->column = calloc(n_columns, sizeof *lb->column)) ||
        !(row = calloc_lines(1, row_size(s))))
        goto done;
    for (size_t c = 0; c < n_columns; c++) {
        const size_t field = c == LONG_ITEM    ? s->item_field
                             : c == LONG_VALUE ? s->value_field
                                               : s->keep_field[c - LONG_KEPT];
        lb->column[c] = field + 1;
        if (!(lb->header[c] = strdup(s->header[field])))
            goto done;
    }
    s->batch_bytes = ps_csv_size(reader);
    ps_csv_record_t *rec;
    while (!(err = ps_csv_next(reader, &rec)) && rec) {
        const char *item = NULL, *value = NULL;
        s->summary.rows_read++;
        s->bytes_finished = rec->offset;
        read_long_row(s, rec, row, &item, &value);
        int known = 0;
        for (size_t p = 0; p < s->n_planned && !row->fault && !known; p++)
            known = item_named(s, s->planned[p].instrument, item) != NO_FIELD;
        if (!row->fault && !known)
            row->fault = ROW_ITEM_UNKNOWN;
        if (row->fault) {
            if ((err = reject_faulty_row(s, rec, row)))
                goto done;
            continue;
        }
        if (ps_long_export_add(s->long_export, (unsigned)b, rec->line, row->id, row->id_length,
                               row->day, item, value, row_kept(s, row)) != 0) {
            err = ps_diagnose(s->context, PS_ERROR_NOMEM, file, rec->line, 0,
                              "out of memory for the answers of a long export");
            goto done;
        }
    }
    if (err)
        err = ps_csv_report(s->context, reader);
done:
    lb->summary = s->summary;
    free(row);
    ps_csv_close(reader);
    return err;
}

/*
 * Scores long exports: every batch is read into memory (rows refused on their
 * own reported as they come), then each assessment, one participant on one
 * date whichever batches its rows are in, is scored in the order of its first
 * row; then each batch's summary is given.
 */
static ps_error_t score_long_run(ps_scorer_t *s, const char *const *files, size_t n_files)
{
    const size_t n_instruments = s->context->n_instruments;
    unsigned char *found = calloc(n_instruments ? n_instruments : 1, 1);
    struct long_work w = {0};
    ps_error_t err = PS_ERROR_NOMEM;
    if (!found || !(s->long_export = ps_long_export_new(s->n_keep)) ||
        !(s->long_batches = calloc(n_files ? n_files : 1, sizeof *s->long_batches)))
        goto done;
    err = PS_OK;
    for (size_t b = 0; b < n_files && !err; b++) {
        s->n_long_batches = b + 1;
        err = read_long_batch(s, files[b], b, s->long_found + b * n_instruments);
        for (size_t i = 0; i < n_instruments; i++)
            found[i] |= s->long_found[b * n_instruments + i];
    }
    if (err)
        goto done;
    /* The run's plan: every instrument whose items some batch holds. */
    forget_batch(s);
    if ((err = plan_long(s, found)))
        goto done;
    const size_t n = ps_long_export_count(s->long_export);
    w.export = s->long_export;
    w.used = calloc(n ? n : 1, 1);
    w.answered_by = calloc(s->n_items ? s->n_items : 1, sizeof *w.answered_by);
    w.item_base = calloc(s->n_planned ? s->n_planned : 1, sizeof *w.item_base);
    w.assessed = calloc(s->n_planned ? s->n_planned : 1, 1);
    w.results = calloc(s->n_scores ? s->n_scores : 1, sizeof *w.results);
    w.timepoints = calloc(s->n_planned ? s->n_planned : 1, sizeof *w.timepoints);
    if (!w.used || !w.answered_by || !w.item_base || !w.assessed || !w.results ||
        !w.timepoints) {
        err = PS_ERROR_NOMEM;
        goto done;
    }
    for (size_t p = 1; p < s->n_planned; p++)
        w.item_base[p] = w.item_base[p - 1] + s->planned[p - 1].instrument->n_items;
    for (size_t i = 0; i < n && !err; i++)
        if (ps_long_export_answer(s->long_export, i)->first)
            err = score_long_assessment(s, &w, i);
    for (size_t b = 0; b < s->n_long_batches && !err; b++) {
        s->summary = s->long_batches[b].summary;
        if (s->handlers.batch_end && s->handlers.batch_end(&s->summary, s->handlers.user))
            err = PS_ERROR_ABORTED;
    }
done:
    free(w.used);
    free(w.answered_by);
    free(w.item_base);
    free(w.assessed);
    free(w.results);
    free(w.timepoints);
    free(found);
    free_long_batches(s);
    return err;
}

ps_error_t ps_scorer_score_files(ps_scorer_t *s, const char *const *files, size_t n_files)
{
    ps_error_t err = PS_OK;
    if (!s->dates) {
        for (size_t i = 0; i < n_files && !err; i++)
            err = score_batch(s, files[i]);
        return err;
    }
    if (s->scored_dated)
        return ps_diagnose(s->context, PS_ERROR_USAGE, NULL, 0, 0,
                           "timepoints from dates are decided from every batch at once: give "
                           "them all to one call");
    s->scored_dated = 1;
    const size_t n_instruments = s->context->n_instruments ? s->context->n_instruments : 1;
    if (s->item_column && !(s->long_found = calloc(n_files ? n_files : 1, n_instruments)))
        return PS_ERROR_NOMEM;
    for (size_t i = 0; i < n_files && !err; i++)
        err = note_dates(s, files[i], s->long_found ? s->long_found + i * n_instruments : NULL);
    s->run_files = files;
    s->first_run_batch = s->n_batches;
    if (!err && s->item_column)
        err = score_long_run(s, files, n_files);
    for (size_t i = 0; i < n_files && !err && !s->item_column; i++)
        err = score_batch(s, files[i]);
    s->run_files = NULL;
    return err;
}

ps_error_t ps_scorer_score_file(ps_scorer_t *s, const char *file)
{
    return ps_scorer_score_files(s, &file, 1);
}

const ps_progress_t *ps_scorer_progress(ps_scorer_t *s)
{
    const unsigned long rows = s->summary.rows_read;
    s->progress = (ps_progress_t){s->file, rows, rows ? s->bytes_finished : 0, s->batch_bytes};
    return &s->progress;
}
