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

#include <promscore/formats.h>

#include "csvread.h"
#include "headers.h"
#include "internal.h"
#include "keyset.h"
#include "limits.h"
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

    /* The batch being read: its plan, fixed once the header is read, before rows are. */
    const char *file;
    unsigned batch;
    int have_header;
    size_t n_fields;
    char **header;
    size_t id_field, timepoint_field, *keep_field;
    struct planned *planned;
    size_t n_planned, n_scores;      /* n_scores: of all planned instruments */
    size_t n_items;                  /* of all planned instruments: most answers a row refuses */
    size_t batch_bytes;              /* the batch's size, when it is a regular file */

    /* Changed row by row on the caller's thread, away from what the reading thread reads. */
    _Alignas(CACHE_LINE) ps_batch_summary_t summary;
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
};

static ps_error_t load_map(ps_scorer_t *s, const char *file)
{
    struct map_reader m = {.scorer = s, .file = file};
    ps_error_t err = ps_csv_read(s->context, file, read_map_record, &m);
    if (!err && !m.seen_header)
        err = ps_diagnose(s->context, PS_ERROR_USAGE, file, 0, 0,
                          "empty map file: expected a header row 'header,item'");
    return err;
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
    size_t length = rec->lengths[f];
    const char *match = ps_trim(rec->fields[f], &length);
    static const char *const accepted[] = {"", "exact", "checked", "none"};
    for (size_t i = 0; i < sizeof accepted / sizeof accepted[0]; i++)
        if (length == strlen(accepted[i]) && strncmp(match, accepted[i], length) == 0)
            return PS_OK;
    if (length == 5 && strncmp(match, "guess", 5) == 0)
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
    free(s);
}

/* ---- The header: which field holds what. ---- */

static ps_error_t batch_error(ps_scorer_t *s, unsigned long line, unsigned long column,
                              const char *format, ...) __attribute__((format(printf, 4, 5)));

static ps_error_t batch_error(ps_scorer_t *s, unsigned long line, unsigned long column,
                              const char *format, ...)
{
    char message[900];
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

/*
 * The field holding an item: the one header of those --map gives it, when it
 * gives any, else the one header matching its column name or an alias.
 * NO_FIELD when absent; CLAIMED_TWICE (after a diagnostic) when two headers
 * claim it.
 */
static size_t item_field(ps_scorer_t *s, unsigned long line, const struct ps_instrument *in,
                         size_t item)
{
    const struct ps_item *it = &in->items[item];
    size_t found = NO_FIELD, by = 0;
    int mapped = 0;
    for (size_t i = 0; i < s->n_map; i++) {
        if (s->map[i].instrument != in || s->map[i].item != item)
            continue;
        mapped = 1;
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
    }
    if (mapped)
        return found;
    for (size_t f = 0; f < s->n_fields; f++) {
        int match = header_is(s->header[f], it->column);
        for (size_t a = 0; a < it->n_aliases && !match; a++)
            match = header_is(s->header[f], it->aliases[a]);
        if (!match || mapped_elsewhere(s, s->header[f]))
            continue;
        if (found != NO_FIELD) {
            batch_error(s, line, f + 1, "columns '%s' and '%s' both hold item %s.%s",
                        s->header[found], s->header[f], in->id, it->id);
            return CLAIMED_TWICE;
        }
        found = f;
    }
    return found;
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
    used[s->id_field] = 1;
    if (!s->timepoint)
        used[s->timepoint_field] = 1;
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

/*
 * Lists the columns an instrument lacks in 'missing' and says which unused
 * header the first one with a header like it is most like; *n_close counts
 * the missing items with such a header.
 */
static ps_error_t describe_missing(const ps_scorer_t *s, const struct ps_instrument *in,
                                   const size_t *fields, char *missing, size_t missing_size,
                                   size_t *n_close)
{
    char closest[300];
    size_t used = 0, n_missing = 0;
    missing[0] = '\0';
    for (size_t i = 0; i < in->n_items; i++) {
        if (fields[i] != NO_FIELD || in->items[i].optional)
            continue;
        n_missing++;
        int n = snprintf(missing + used, missing_size - sizeof closest - used, "%s%s",
                         used ? ", " : "", in->items[i].column);
        used = n > 0 && used + (size_t)n < missing_size - sizeof closest ? used + (size_t)n
                                                                        : used;
    }
    ps_error_t err = closest_headers(s, in, fields, n_missing, n_close, closest, sizeof closest);
    if (!err)
        snprintf(missing + used, missing_size - used, "%s", closest);
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
static ps_error_t no_instrument(ps_scorer_t *s, unsigned long line, size_t *const *fields,
                                size_t n_candidates)
{
    char missing[900], closest[1000] = "";
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
    return batch_error(s, line, 0,
                       "no instrument has all its item columns in this batch%s; name columns "
                       "as 'promscore template' prints them, or give --map (which 'promscore "
                       "template --map BATCH -i ID' drafts)",
                       closest);
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
            char missing[900];
            size_t n_close;
            if (!(err = describe_missing(s, in, fields, missing, sizeof missing, &n_close)))
                err = batch_error(s, line, 0, "instrument '%s': no column for %s", in->id,
                                  missing);
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

static ps_error_t read_header(ps_scorer_t *s, const ps_csv_record_t *rec)
{
    s->n_fields = rec->n_fields;
    s->header = calloc(rec->n_fields, sizeof *s->header);
    if (!s->header)
        return PS_ERROR_NOMEM;
    if (rec->fault)
        return rec->n_fields_found > rec->n_fields
                   ? ps_diagnose(s->context, PS_ERROR_LIMIT, s->file, rec->line,
                                 rec->fault_column, "more than %u fields in the header",
                                 PS_MAX_COLUMNS)
                   : batch_error(s, rec->line, rec->fault_column, "header: %s", rec->fault);
    for (size_t i = 0; i < rec->n_fields; i++) {
        size_t len = rec->lengths[i];
        const char *name = ps_trim(rec->fields[i], &len);
        /* A name that is not text names nothing the run can use: the column is left out. */
        if (!ps_utf8_valid(rec->fields[i], rec->lengths[i]))
            len = 0;
        if (!(s->header[i] = strndup(name, len)))
            return PS_ERROR_NOMEM;
        for (size_t j = 0; j < i && len; j++)
            if (header_is(s->header[j], s->header[i]))
                return batch_error(s, rec->line, i + 1,
                                   "column name '%s' repeats column %zu '%s': each column needs "
                                   "its own name",
                                   s->header[i], j + 1, s->header[j]);
    }
    if ((s->id_field = find_field(s, s->id_column)) == NO_FIELD) {
        if (s->n_fields == 1 && s->delimiter == ',' && strchr(s->header[0], ';'))
            return batch_error(s, rec->line, 0,
                               "the header is one column holding ';': the file seems to be "
                               "delimited by semicolons: give --delimiter ';'");
        return batch_error(s, rec->line, 0,
                           "no participant id column '%s' in the header (see --id-column)",
                           s->id_column);
    }
    if (!s->timepoint && (s->timepoint_field = find_field(s, s->timepoint_column)) == NO_FIELD)
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
    ps_error_t err = plan_instruments(s, rec->line);
    if (err)
        return err;
    const ps_instrument_t *chosen[s->n_planned];
    for (size_t i = 0; i < s->n_planned; i++)
        chosen[i] = s->planned[i].instrument;
    ps_batch_start_t start = {s->file, chosen, s->n_planned, s->n_wanted == 0};
    if (s->handlers.batch_start && s->handlers.batch_start(&start, s->handlers.user))
        return PS_ERROR_ABORTED;
    s->have_header = 1;
    return PS_OK;
}

/* ---- Rows. ---- */

static ps_error_t reject(ps_scorer_t *s, unsigned long line, size_t field, const char *id,
                         const char *value, const char *reason)
{
    ps_reject_t r = {s->file, line, field == NO_FIELD ? 0 : field + 1, id ? id : "",
                     field == NO_FIELD ? "" : s->header[field], value ? value : "", reason};
    if (s->handlers.reject && s->handlers.reject(&r, s->handlers.user))
        return PS_ERROR_ABORTED;
    return PS_OK;
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
        snprintf(out, size, "answer is not valid UTF-8 text");
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

/* On the reading thread: everything the row alone decides, into the row. */
static void prepare_row(ps_csv_record_t *rec, void *memory, void *user)
{
    ps_scorer_t *s = user;
    struct scored_row *row = memory;
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
    if (!s->timepoint) {
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
    char reason[200];
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
        return reject_row(s, rec->line, "", "participant id is not valid UTF-8 text");
    case ROW_ID_MISSING:
        return reject_row(s, rec->line, "", "missing participant id");
    case ROW_TIMEPOINT_NOT_TEXT:
        return reject_row(s, rec->line, id, "timepoint is not valid UTF-8 text");
    case ROW_TIMEPOINT_MISSING:
        return reject_row(s, rec->line, id, "missing timepoint");
    case ROW_KEPT_NOT_TEXT:
        snprintf(reason, sizeof reason, "column '%s' is not valid UTF-8 text",
                 s->keep[row->kept_not_text]);
        return reject_row(s, rec->line, id, reason);
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
    if (row->fault)
        return;
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

/* On the caller's thread, row after row: duplicates, then the handlers. */
static ps_error_t finish_row(const ps_csv_record_t *rec, void *memory, void *user)
{
    ps_scorer_t *s = user;
    struct scored_row *row = memory;
    if (s->summary.rows_read++ == 0 && s->batch_bytes && !row->fault)
        reserve_keys(s, rec);
    if (row->fault)
        return reject_faulty_row(s, rec, row);
    const char *id = row->id;
    const char *timepoint = s->timepoint ? s->timepoint : row->timepoint;
    const char *const *kept = row_kept(s, row);
    long tp = intern_timepoint(s, timepoint);
    if (tp == -1)
        return PS_ERROR_NOMEM;
    if (tp == -2)
        return ps_diagnose(s->context, PS_ERROR_LIMIT, s->file, rec->line, 0,
                           "more than %d distinct timepoints", MAX_TIMEPOINTS);

    /* A row is a duplicate when any of its instruments was seen for this person and time. */
    const size_t id_length = row->id_length;
    ps_key_t keys[s->n_planned];
    for (size_t p = 0; p < s->n_planned; p++) {
        keys[p] = (ps_key_t){.id = id, .id_length = id_length, .timepoint = (unsigned)tp,
                             .instrument = s->planned[p].index};
        ps_keyset_prepare(s->keys, &keys[p]);
    }
    for (size_t p = 0; p < s->n_planned; p++) {
        ps_key_origin_t first;
        if (ps_keyset_find(s->keys, &keys[p], &first)) {
            char reason[700];
            const char *where = first.file == s->batch ? "" : " of another batch";
            snprintf(reason, sizeof reason,
                     "duplicate: participant '%.200s' at timepoint '%.100s' already has %s on "
                     "line %lu%s",
                     id, timepoint, s->planned[p].instrument->id, first.line, where);
            return reject_row(s, rec->line, id, reason);
        }
    }
    for (size_t p = 0; p < s->n_planned; p++)
        if (ps_keyset_add(s->keys, &keys[p], (ps_key_origin_t){s->batch, rec->line}) != 0)
            return ps_diagnose(s->context, PS_ERROR_NOMEM, s->file, rec->line, 0,
                               "out of memory for participant records");

    s->summary.rows_scored++;
    s->summary.cells_rejected += row->n_refused;
    ps_error_t err = row->n_refused ? report_refused(s, rec, row) : PS_OK;
    if (err)
        return err;
    for (size_t p = 0; p < s->n_planned; p++) {
        const struct ps_instrument *in = s->planned[p].instrument;
        const struct scale_result *results = row->results + s->planned[p].first_score;
        for (size_t k = 0; k < in->n_scales; k++) {
            if (!s->planned[p].collected[k])
                continue;
            const struct scale_result *r = &results[k];
            ps_score_t score = {.file = s->file, .line = rec->line, .participant_id = id,
                                .timepoint = timepoint, .instrument = in,
                                .scale = &in->scales[k], .has_value = r->has_value,
                                .value = r->value, .band = r->band, .answered = r->answered,
                                .status = r->status, .kept = kept, .outcome = r->outcome};
            if (score.outcome == PS_SCORED)
                s->summary.scores_ok++;
            else
                s->summary.scores_not_ok++;
            if (s->handlers.score && s->handlers.score(&score, s->handlers.user))
                return PS_ERROR_ABORTED;
        }
    }
    return PS_OK;
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

ps_error_t ps_scorer_score_file(ps_scorer_t *s, const char *file)
{
    if (s->n_batches == MAX_BATCHES)
        return ps_diagnose(s->context, PS_ERROR_LIMIT, file, 0, 0,
                           "more than %d batches in one run", MAX_BATCHES);
    forget_batch(s);
    s->file = file;
    s->batch = s->n_batches++;
    memset(&s->summary, 0, sizeof s->summary);
    s->summary.file = file;
    ps_csv_options_t csv = {s->delimiter, s->encoding};
    ps_csv_reader_t *reader;
    ps_error_t err = ps_csv_open(s->context, file, &csv, &reader);
    if (err)
        return err;
    if (!(err = start_batch(s, reader))) {
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
