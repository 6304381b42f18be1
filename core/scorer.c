/*
 * Scoring batches: header -> plan, then each row -> responses -> scale
 * scores, handed to the caller as they are made.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "csvread.h"
#include "internal.h"
#include "keyset.h"

enum { MAX_BATCHES = 65535, MAX_TIMEPOINTS = 65535 };

/* Field numbers that are not fields. */
#define NO_FIELD SIZE_MAX             /* absent from the header */
#define CLAIMED_TWICE (SIZE_MAX - 1)  /* two headers hold one item */

/* A --map entry: a batch header that holds one item of one instrument. */
struct mapping {
    char *header;
    const struct ps_instrument *instrument;
    size_t item;
};

/* Where one instrument's items are in the current batch. */
struct planned {
    const struct ps_instrument *instrument;
    unsigned index;          /* in the context, for duplicate keys */
    size_t *item_field;      /* per item */
    ps_response_t *responses; /* per item, for the row being prepared (parsing thread) */
    ps_score_t *scores;       /* per scale, for the row being prepared (parsing thread) */
    unsigned char *collected; /* per scale: 0 when its items are optional columns this batch lacks */
    size_t first_score;       /* of its scales in a row's note */
};

/*
 * A row is scored in two halves. The parsing thread does what the row alone
 * decides (its text, its answers, its scale scores) and leaves it in the
 * row's note; the caller's thread then does what depends on other rows
 * (duplicates) and on the caller (the handlers), in order.
 */

/* Why a row is refused whole, as far as the row alone tells. */
enum row_fault {
    ROW_OK,
    ROW_RAGGED,
    ROW_ID_NOT_TEXT,
    ROW_ID_MISSING,
    ROW_TIMEPOINT_NOT_TEXT,
    ROW_TIMEPOINT_MISSING,
    ROW_KEPT_NOT_TEXT,
};

/* One scale's score in a row's note: the part of a ps_score_t the row decides. */
struct scale_result {
    double value;
    const char *band;
    const char *status;
    unsigned answered;
    int has_value;
};

/*
 * What the parsing thread found in a row: all the caller's thread reads of it
 * but in the rare row with refused answers, so that little crosses between
 * the cores.
 */
struct row_note {
    enum row_fault fault;
    size_t kept_not_text;    /* which kept column, for ROW_KEPT_NOT_TEXT */
    const char *id;          /* trimmed; NULL when the row has no id field of clean text */
    size_t id_length;
    const char *timepoint;   /* trimmed, when the batch has a timepoint column */
    unsigned long refused;   /* answers refused; their reasons are found again when reported */
    struct scale_result results[]; /* every planned scale, instrument after instrument, then
                                      the text of each kept column (see note_kept) */
};

/*
 * Memory one thread writes while the other reads what lies next to it is
 * passed back and forth between the cores: such memory gets cache lines of its
 * own.
 */
enum { CACHE_LINE = 64 };

/* A note's size; its kept texts end with a NULL, as ps_score_t.kept has always. */
static size_t note_size(size_t n_scores, size_t n_keep)
{
    return sizeof(struct row_note) + n_scores * sizeof(struct scale_result) +
           (n_keep + 1) * sizeof(const char *);
}

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
    ps_response_t *scale_responses;  /* one per item of the largest instrument (parsing thread) */

    /* The batch being read: its plan, fixed once the header is read. */
    const char *file;
    unsigned batch;
    int have_header;
    int sized;                       /* the duplicate table has room for the batch */
    size_t n_fields;
    char **header;
    size_t id_field, timepoint_field, *keep_field;
    struct planned *planned;
    size_t n_planned, n_scores;      /* n_scores: of all planned instruments */
    ps_csv_reading_t *reading;

    /* Changed row by row on the caller's thread, away from what the parsing thread reads. */
    _Alignas(CACHE_LINE) ps_batch_summary_t summary;
    char **timepoints;
    size_t n_timepoints, last_timepoint;
};

/* The text of the kept columns in a row's note, after its scale results. */
static const char **note_kept(const ps_scorer_t *s, struct row_note *note)
{
    return (const char **)(void *)(note->results + s->n_scores);
}

static char *dup_or_default(const char *s, const char *fallback)
{
    return strdup(s ? s : fallback);
}

static int header_is(const char *header, const char *name)
{
    return ps_strcaseeq(header, name);
}

static ps_error_t read_map_record(const ps_csv_record_t *rec, void *user);

struct map_reader {
    ps_scorer_t *scorer;
    const char *file;
    int seen_header;
};

static ps_error_t load_map(ps_scorer_t *s, const char *file)
{
    struct map_reader m = {s, file, 0};
    ps_error_t err = ps_csv_read(s->context, file, read_map_record, &m);
    if (!err && !m.seen_header)
        err = ps_diagnose(s->context, PS_ERROR_USAGE, file, 0, 0,
                          "empty map file: expected a header row 'header,item'");
    return err;
}

static ps_error_t read_map_record(const ps_csv_record_t *rec, void *user)
{
    struct map_reader *m = user;
    ps_scorer_t *s = m->scorer;
    if (!m->seen_header) {
        m->seen_header = 1;
        if (rec->n_fields != 2 || !header_is(rec->fields[0], "header") ||
            !header_is(rec->fields[1], "item"))
            return ps_diagnose(s->context, PS_ERROR_USAGE, m->file, rec->line, 0,
                               "map files start with the header row 'header,item'");
        return PS_OK;
    }
    if (rec->n_fields != 2)
        return ps_diagnose(s->context, PS_ERROR_USAGE, m->file, rec->line, 0,
                           "expected 2 fields (header,item), found %zu", rec->n_fields);
    const char *target = rec->fields[1];
    const char *dot = strchr(target, '.');
    char instrument_id[128];
    if (!dot || (size_t)(dot - target) >= sizeof instrument_id)
        return ps_diagnose(s->context, PS_ERROR_USAGE, m->file, rec->line, 2,
                           "item '%s' must be written INSTRUMENT.ITEM, e.g. wemwbs.1", target);
    memcpy(instrument_id, target, (size_t)(dot - target));
    instrument_id[dot - target] = '\0';
    const struct ps_instrument *in = ps_context_find_instrument(s->context, instrument_id);
    if (!in)
        return ps_diagnose(s->context, PS_ERROR_USAGE, m->file, rec->line, 2,
                           "unknown instrument '%s'", instrument_id);
    size_t item = 0;
    while (item < in->n_items && strcmp(in->items[item].id, dot + 1) != 0)
        item++;
    if (item == in->n_items)
        return ps_diagnose(s->context, PS_ERROR_USAGE, m->file, rec->line, 2,
                           "instrument '%s' has no item '%s'", instrument_id, dot + 1);
    for (size_t i = 0; i < s->n_map; i++) {
        if (header_is(s->map[i].header, rec->fields[0]))
            return ps_diagnose(s->context, PS_ERROR_USAGE, m->file, rec->line, 1,
                               "header '%s' is mapped twice", rec->fields[0]);
        if (s->map[i].instrument == in && s->map[i].item == item)
            return ps_diagnose(s->context, PS_ERROR_USAGE, m->file, rec->line, 2,
                               "item '%s' is mapped twice", target);
    }
    struct mapping *grown = realloc(s->map, (s->n_map + 1) * sizeof *grown);
    if (!grown)
        return PS_ERROR_NOMEM;
    s->map = grown;
    char *header = strdup(rec->fields[0]);
    if (!header)
        return PS_ERROR_NOMEM;
    s->map[s->n_map++] = (struct mapping){header, in, item};
    return PS_OK;
}

ps_error_t ps_scorer_new(ps_context_t *context, const ps_score_options_t *options,
                         const ps_score_handlers_t *handlers, ps_scorer_t **out)
{
    *out = NULL;
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
    if (!s->id_column || !s->timepoint_column || (options->timepoint && !s->timepoint) || !s->keys)
        goto fail;
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
    s->n_fields = s->n_planned = s->n_scores = 0;
    s->have_header = s->sized = 0;
}

void ps_scorer_free(ps_scorer_t *s)
{
    if (!s)
        return;
    forget_batch(s);
    free(s->id_column);
    free(s->timepoint_column);
    free(s->timepoint);
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
 * The field holding an item: a --map entry if one names it, else the one
 * header matching its column name or an alias. NO_FIELD when absent;
 * CLAIMED_TWICE (after a diagnostic) when two headers claim it.
 */
static size_t item_field(ps_scorer_t *s, unsigned long line, const struct ps_instrument *in,
                         size_t item)
{
    for (size_t i = 0; i < s->n_map; i++)
        if (s->map[i].instrument == in && s->map[i].item == item)
            return find_field(s, s->map[i].header);
    size_t found = NO_FIELD;
    for (size_t f = 0; f < s->n_fields; f++) {
        const struct ps_item *it = &in->items[item];
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

/* Plans one instrument; returns 1 when all its items were found, 0 when some are missing. */
static int plan_instrument(ps_scorer_t *s, unsigned long line, const struct ps_instrument *in,
                           size_t *fields, char *missing, size_t missing_size, ps_error_t *err)
{
    int complete = 1;
    size_t used = 0;
    missing[0] = '\0';
    for (size_t i = 0; i < in->n_items; i++) {
        fields[i] = item_field(s, line, in, i);
        if (fields[i] == CLAIMED_TWICE) {
            *err = PS_ERROR_BATCH;
            return 0;
        }
        if (fields[i] == NO_FIELD && !in->items[i].optional) {
            complete = 0;
            int n = snprintf(missing + used, missing_size - used, "%s%s", used ? ", " : "",
                             in->items[i].column);
            used = n > 0 && used + (size_t)n < missing_size ? used + (size_t)n : used;
        }
    }
    return complete;
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
    return PS_OK;
}

static ps_error_t plan_instruments(ps_scorer_t *s, unsigned long line)
{
    const size_t n_candidates = s->n_wanted ? s->n_wanted : s->context->n_instruments;
    s->planned = calloc(n_candidates ? n_candidates : 1, sizeof *s->planned);
    if (!s->planned)
        return PS_ERROR_NOMEM;
    char missing[600], closest[700] = "";
    size_t closest_found = 0;
    for (size_t c = 0; c < n_candidates; c++) {
        const struct ps_instrument *in = s->n_wanted ? s->wanted[c] : s->context->instruments[c];
        size_t *fields = calloc(in->n_items, sizeof *fields);
        if (!fields)
            return PS_ERROR_NOMEM;
        ps_error_t err = PS_OK;
        int complete = plan_instrument(s, line, in, fields, missing, sizeof missing, &err);
        if (err) {
            free(fields);
            return err;
        }
        if (complete) {
            if ((err = add_planned(s, in, fields)))
                return err;
            continue;
        }
        free(fields);
        if (s->n_wanted)
            return batch_error(s, line, 0, "instrument '%s': no column for %s", in->id, missing);
        size_t found = 0;
        for (size_t i = 0; i < in->n_items; i++)
            found += !in->items[i].optional && item_field(s, line, in, i) < CLAIMED_TWICE;
        if (found > closest_found) {
            closest_found = found;
            size_t required = 0;
            for (size_t i = 0; i < in->n_items; i++)
                required += !in->items[i].optional;
            snprintf(closest, sizeof closest, " (closest: %s, %zu of %zu item columns; missing %s)",
                     in->id, found, required, missing);
        }
    }
    if (s->n_planned == 0)
        return batch_error(s, line, 0,
                           "no instrument has all its item columns in this batch%s; name "
                           "columns as 'promscore template' prints them, or give --map",
                           closest);
    return PS_OK;
}

static ps_error_t read_header(ps_scorer_t *s, const ps_csv_record_t *rec)
{
    s->n_fields = rec->n_fields;
    s->header = calloc(rec->n_fields, sizeof *s->header);
    if (!s->header)
        return PS_ERROR_NOMEM;
    for (size_t i = 0; i < rec->n_fields; i++) {
        size_t len = rec->lengths[i];
        const char *name = ps_trim(rec->fields[i], &len);
        if (!ps_utf8_valid(rec->fields[i], rec->lengths[i]))
            return batch_error(s, rec->line, i + 1,
                               "header name is not valid UTF-8 text (NUL or invalid bytes)");
        if (!(s->header[i] = strndup(name, len)))
            return PS_ERROR_NOMEM;
        for (size_t j = 0; j < i && len; j++)
            if (header_is(s->header[j], s->header[i]))
                return batch_error(s, rec->line, i + 1,
                                   "column name '%s' repeats column %zu: each column needs its "
                                   "own name",
                                   s->header[i], j + 1);
    }
    if ((s->id_field = find_field(s, s->id_column)) == NO_FIELD)
        return batch_error(s, rec->line, 0,
                           "no participant id column '%s' in the header (see --id-column)",
                           s->id_column);
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

/* The number of a timepoint already seen, or n_timepoints; the last one found is tried first. */
static size_t find_timepoint(const ps_scorer_t *s, const char *label)
{
    if (s->n_timepoints && strcmp(s->timepoints[s->last_timepoint], label) == 0)
        return s->last_timepoint;
    size_t i = 0;
    while (i < s->n_timepoints && strcmp(s->timepoints[i], label) != 0)
        i++;
    return i;
}

static long intern_timepoint(ps_scorer_t *s, const char *label)
{
    size_t found = find_timepoint(s, label);
    if (found < s->n_timepoints)
        return (long)(s->last_timepoint = found);
    if (s->n_timepoints == MAX_TIMEPOINTS)
        return -2;
    char **grown = realloc(s->timepoints, (s->n_timepoints + 1) * sizeof *grown);
    if (!grown)
        return -1;
    s->timepoints = grown;
    if (!(s->timepoints[s->n_timepoints] = strdup(label)))
        return -1;
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
                               double *value, char *reason, size_t reason_size)
{
    const char *point = strchr(cell, '.');
    size_t decimals = point ? strlen(point + 1) : 0;
    if (!is_number(cell) || ps_parse_double(cell, value) != 0)
        snprintf(reason, reason_size, "not a number (from %g to %g)", set->range_min,
                 set->range_max);
    else if (*value < set->range_min || *value > set->range_max)
        snprintf(reason, reason_size, "out of range (from %g to %g)", set->range_min,
                 set->range_max);
    else if (decimals > (size_t)set->decimals)
        snprintf(reason, reason_size, "more than %d decimal places", set->decimals);
    else
        return PS_ANSWER_GIVEN;
    return PS_ANSWER_INVALID;
}

/*
 * One cell to one response. Codes match exactly, labels and aliases in any
 * case; blank is missing. Anything else is refused with a reason.
 */
static ps_answer_t read_answer(const struct ps_item *item, const char *cell, double *value,
                               char *reason, size_t reason_size)
{
    const struct ps_response_set *set = item->responses;
    if (!*cell)
        return PS_ANSWER_MISSING;
    if (set->is_range)
        return read_number(set, cell, value, reason, reason_size);
    if (cell[1] == '\0' && set->by_code_byte[(unsigned char)cell[0]]) {
        const struct ps_option *o = &set->options[set->by_code_byte[(unsigned char)cell[0]] - 1];
        *value = o->value;
        return o->not_applicable ? PS_ANSWER_NOT_APPLICABLE : PS_ANSWER_GIVEN;
    }
    for (size_t i = 0; i < set->n_options; i++)
        if (strcmp(set->options[i].code, cell) == 0) {
            *value = set->options[i].value;
            return set->options[i].not_applicable ? PS_ANSWER_NOT_APPLICABLE : PS_ANSWER_GIVEN;
        }
    for (size_t i = 0; i < set->n_options; i++) {
        const struct ps_option *o = &set->options[i];
        int match = ps_strcaseeq(o->label, cell) || ps_strcaseeq(o->code, cell);
        for (size_t a = 0; a < o->n_aliases && !match; a++)
            match = ps_strcaseeq(o->aliases[a], cell);
        if (match) {
            *value = o->value;
            return o->not_applicable ? PS_ANSWER_NOT_APPLICABLE : PS_ANSWER_GIVEN;
        }
    }
    char codes[200];
    describe_codes(set, codes, sizeof codes);
    if (is_number(cell))
        snprintf(reason, reason_size, "%s (codes are %.100s)",
                 strchr(cell, '.') ? "not a whole-number code" : "code out of range", codes);
    else
        snprintf(reason, reason_size, "unknown response label (codes are %.100s)", codes);
    return PS_ANSWER_INVALID;
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
    const char *source_flag =
        scale->of && strcmp(done[scale->of - scale->instrument->scales].status, "ok") != 0
            ? done[scale->of - scale->instrument->scales].status
            : NULL;
    out->status = result.flag ? result.flag : source_flag ? source_flag : "ok";
}

/* Reads one instrument's answers into 'responses'. Returns how many were refused. */
static unsigned long read_answers(const ps_csv_record_t *rec, const struct planned *p,
                                  ps_response_t *responses)
{
    const struct ps_instrument *in = p->instrument;
    unsigned long refused = 0;
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
        char reason[160];
        r->answer = cell ? read_answer(&in->items[i], cell, &r->value, reason, sizeof reason)
                         : PS_ANSWER_INVALID;
        refused += r->answer == PS_ANSWER_INVALID;
    }
    return refused;
}

/* On the parsing thread: everything the row alone decides, into its note. */
static void prepare_row(ps_csv_record_t *rec, void *user)
{
    ps_scorer_t *s = user;
    struct row_note *note = rec->note;
    if ((note->id = s->id_field < rec->n_fields ? clean_field(rec, s->id_field) : NULL))
        note->id_length = rec->lengths[s->id_field];
    if (rec->n_fields != s->n_fields) {
        note->fault = ROW_RAGGED;
        return;
    }
    if (!note->id) {
        note->fault = ROW_ID_NOT_TEXT;
        return;
    }
    if (!*note->id) {
        note->fault = ROW_ID_MISSING;
        return;
    }
    if (!s->timepoint) {
        const char *timepoint = clean_field(rec, s->timepoint_field);
        if (!timepoint || !*timepoint) {
            note->fault = timepoint ? ROW_TIMEPOINT_MISSING : ROW_TIMEPOINT_NOT_TEXT;
            return;
        }
        note->timepoint = timepoint;
    }
    const char **kept = note_kept(s, note);
    for (size_t k = 0; k < s->n_keep; k++)
        if (!(kept[k] = clean_field(rec, s->keep_field[k]))) {
            note->fault = ROW_KEPT_NOT_TEXT;
            note->kept_not_text = k;
            return;
        }
    for (size_t p = 0; p < s->n_planned; p++) {
        const struct planned *plan = &s->planned[p];
        const struct ps_instrument *in = plan->instrument;
        note->refused += read_answers(rec, plan, plan->responses);
        struct scale_result *results = note->results + plan->first_score;
        for (size_t k = 0; k < in->n_scales; k++) {
            if (!plan->collected[k])
                continue;
            ps_score_t *score = &plan->scores[k];
            score_scale(s, plan->responses, &in->scales[k], plan->scores, score);
            results[k] = (struct scale_result){score->value, score->band, score->status,
                                               score->answered, score->has_value};
        }
    }
}

/*
 * Reports the answers a row had refused. Their reasons are found again here,
 * where they are needed, rather than carried for every row.
 */
static ps_error_t report_refused(ps_scorer_t *s, const ps_csv_record_t *rec, const char *id)
{
    for (size_t p = 0; p < s->n_planned; p++) {
        const struct ps_instrument *in = s->planned[p].instrument;
        for (size_t i = 0; i < in->n_items; i++) {
            size_t field = s->planned[p].item_field[i];
            if (field == NO_FIELD || in->items[i].responses->is_free_text)
                continue;
            const char *cell = clean_field(rec, field);
            char reason[160] = "answer is not valid UTF-8 text";
            double value;
            if (cell && read_answer(&in->items[i], cell, &value, reason, sizeof reason) !=
                            PS_ANSWER_INVALID)
                continue;
            ps_error_t err = reject(s, rec->line, field, id, cell ? cell : "", reason);
            if (err)
                return err;
        }
    }
    return PS_OK;
}

/* Refuses a row the parsing thread found at fault. */
static ps_error_t reject_faulty_row(ps_scorer_t *s, const ps_csv_record_t *rec,
                                    const struct row_note *note)
{
    const char *id = note->id ? note->id : "";
    char reason[200];
    switch (note->fault) {
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
                 s->keep[note->kept_not_text]);
        return reject_row(s, rec->line, id, reason);
    case ROW_OK:
        break;
    }
    return PS_ERROR_INTERNAL;
}

/* On the caller's thread, row after row: duplicates, then the handlers. */
static ps_error_t finish_row(const ps_csv_record_t *rec, void *user)
{
    ps_scorer_t *s = user;
    struct row_note *note = rec->note;
    s->summary.rows_read++;
    if (note->fault)
        return reject_faulty_row(s, rec, note);
    const char *id = note->id;
    const char *timepoint = s->timepoint ? s->timepoint : note->timepoint;
    const char *const *kept = note_kept(s, note);
    long tp = intern_timepoint(s, timepoint);
    if (tp == -1)
        return PS_ERROR_NOMEM;
    if (tp == -2)
        return ps_diagnose(s->context, PS_ERROR_LIMIT, s->file, rec->line, 0,
                           "more than %d distinct timepoints", MAX_TIMEPOINTS);

    /* A row is a duplicate when any of its instruments was seen for this person and time. */
    const size_t id_length = note->id_length;
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
    s->summary.cells_rejected += note->refused;
    ps_error_t err = note->refused ? report_refused(s, rec, id) : PS_OK;
    if (err)
        return err;
    for (size_t p = 0; p < s->n_planned; p++) {
        const struct ps_instrument *in = s->planned[p].instrument;
        const struct scale_result *results = note->results + s->planned[p].first_score;
        for (size_t k = 0; k < in->n_scales; k++) {
            if (!s->planned[p].collected[k])
                continue;
            const struct scale_result *r = &results[k];
            ps_score_t score = {.file = s->file, .line = rec->line, .participant_id = id,
                                .timepoint = timepoint, .instrument = in,
                                .scale = &in->scales[k], .has_value = r->has_value,
                                .value = r->value, .band = r->band, .answered = r->answered,
                                .status = r->status, .kept = kept};
            if (strcmp(score.status, "ok") == 0)
                s->summary.scores_ok++;
            else
                s->summary.scores_not_ok++;
            if (s->handlers.score && s->handlers.score(&score, s->handlers.user))
                return PS_ERROR_ABORTED;
        }
    }
    return PS_OK;
}

/*
 * Starts fetching the duplicate-table slots of a row still to come, so that
 * they are in cache when it is scored. Only for a timepoint already seen: a
 * row that turns out to be refused costs a wasted fetch, nothing more.
 */
static void fetch_keys_ahead(const ps_scorer_t *s, const ps_csv_record_t *rec)
{
    const struct row_note *note = rec->note;
    if (note->fault)
        return;
    const char *timepoint = s->timepoint ? s->timepoint : note->timepoint;
    const size_t tp = find_timepoint(s, timepoint);
    if (tp == s->n_timepoints)
        return;
    for (size_t p = 0; p < s->n_planned; p++) {
        ps_key_t key = {.id = note->id, .id_length = note->id_length,
                        .timepoint = (unsigned)tp, .instrument = s->planned[p].index};
        ps_keyset_prepare(s->keys, &key);
    }
}

enum { KEYS_AHEAD = 8 };  /* rows whose slots are fetched ahead of the one being scored */

/*
 * Makes room in the duplicate table for the rows a batch file seems to hold,
 * judged from its size and the length of its first rows, so that the table is
 * not rebuilt again and again as it grows. Only a hint: a wrong guess costs
 * memory or a rebuild, nothing else.
 */
static void reserve_keys(ps_scorer_t *s, const ps_csv_record_t *rows, size_t n)
{
    struct stat st;
    if (!n || strcmp(s->file, "-") == 0 || stat(s->file, &st) != 0 || !S_ISREG(st.st_mode))
        return;
    double bytes = 0;
    for (size_t i = 0; i < n; i++) {
        bytes += (double)rows[i].n_fields; /* the commas and the line end */
        for (size_t f = 0; f < rows[i].n_fields; f++)
            bytes += (double)rows[i].lengths[f];
    }
    double estimate = (double)st.st_size / (bytes / (double)n) * (double)s->n_planned;
    if (estimate < (double)(UINT32_MAX / 2))
        ps_keyset_reserve(s->keys, (size_t)estimate);
}

/* On the caller's thread: the header, which comes alone, then the prepared rows. */
static ps_error_t on_records(const ps_csv_record_t *records, size_t n, void *user)
{
    ps_scorer_t *s = user;
    if (!s->have_header) {
        ps_error_t err = read_header(s, &records[0]);
        s->reading->note_size = note_size(s->n_scores, s->n_keep);
        return err;
    }
    if (!s->sized) {
        reserve_keys(s, records, n);
        s->sized = 1;
    }
    for (size_t i = 0; i < n; i++) {
        if (i + KEYS_AHEAD < n)
            fetch_keys_ahead(s, &records[i + KEYS_AHEAD]);
        ps_error_t err = finish_row(&records[i], s);
        if (err)
            return err;
    }
    return PS_OK;
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
    ps_csv_reading_t reading = {.records = on_records, .prepare = prepare_row, .user = s};
    s->reading = &reading;
    ps_error_t err = ps_csv_read_prepared(s->context, file, &reading);
    s->reading = NULL;
    if (!err && !s->have_header)
        err = batch_error(s, 0, 0, "empty file: a batch starts with a header row");
    if (!err && s->handlers.batch_end && s->handlers.batch_end(&s->summary, s->handlers.user))
        err = PS_ERROR_ABORTED;
    return err;
}
