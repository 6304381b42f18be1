/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Service use before and after: event lists (participant, date, measure
 * [, quantity]) counted into the windows around each participant's index date,
 * with the days each was observed, into the same counts as the pre-aggregated
 * reader's (serviceuse.c), so that the report is shared.
 *
 * Days are numbered from the index date (day 0). The first window after it
 * starts on day 0; the window listed before that one ends on day -1. The end
 * date, when given, is the last day observed.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <promscore/service.h>

#include "csvread.h"
#include "dates.h"
#include "headers.h"
#include "internal.h"
#include "limits.h"
#include "names.h"
#include "serviceuse.h"

#define NO_FIELD SIZE_MAX
#define NO_END INT32_MAX
#define MAX_QUANTITY 1000000000L

/* ---- Options. ---- */

ps_error_t ps_su_events_setup(ps_service_cohort_t *c, const ps_service_options_t *o)
{
    struct ps_service_event_setup *e = &c->events;
    char why[256];
    const char *format = o->date_format ? o->date_format : PS_DATE_ISO;
    if (ps_date_format_check(format, why, sizeof why) != 0)
        return ps_diagnose(c->context, PS_ERROR_USAGE, NULL, 0, 0,
                           "date format '%s' cannot read dates: %s", format, why);
    if (!(e->index_column =
              ps_arena_strdup(c->arena, o->index_column ? o->index_column : "index_date")) ||
        !(e->end_column = ps_arena_strdup(c->arena, o->end_column ? o->end_column : "end_date")) ||
        (o->date_format && !(e->date_format = ps_arena_strdup(c->arena, o->date_format))))
        return PS_ERROR_NOMEM;
    e->until = ps_date_today();
    e->until_is_today = 1;
    if (ps_date_read(PS_DATE_RANGE_FROM, PS_DATE_ISO, &e->from) != PS_DATE_OK)
        return PS_ERROR_INTERNAL;
    if (o->observed_until) {
        int32_t until;
        if (ps_date_read(o->observed_until, PS_DATE_ISO, &until) != PS_DATE_OK ||
            until > e->until || until < e->from) {
            char today[11], from[11];
            ps_date_iso(e->until, today);
            ps_date_iso(e->from, from);
            return ps_diagnose(c->context, PS_ERROR_USAGE, NULL, 0, 0,
                               "--observed-until '%s': the last day the event lists cover, "
                               "written YYYY-MM-DD, from %s to today (%s)",
                               o->observed_until, from, today);
        }
        e->until = until;
        e->until_is_today = 0;
    }
    e->first_after = SIZE_MAX;
    if (o->first_after) {
        if ((e->first_after = ps_su_window_find(c, o->first_after)) == SIZE_MAX)
            return ps_diagnose(c->context, PS_ERROR_USAGE, NULL, 0, 0,
                               "--first-after '%s' is not one of the windows", o->first_after);
    } else {
        for (size_t w = 0; w < c->n_windows && e->first_after == SIZE_MAX; w++)
            if (strncasecmp(c->windows[w].name, "post", 4) == 0)
                e->first_after = w;
    }
    return PS_OK;
}

/* ---- Reading. ---- */

/* One participant of the event lists being read. */
struct person {
    enum { UNSET, SET, REFUSED } state;
    int32_t index, end; /* day numbers; end NO_END when not given */
    unsigned long line; /* the row that gave the index date, or last refused it */
    uint32_t file;      /* that row's file, in cohort->files */
};

/* One file's columns. */
struct layout {
    char **header;
    size_t n_fields;
    size_t id, date, measure, quantity, index, end;
};

struct events {
    ps_service_cohort_t *cohort;
    struct ps_service_arm_data *arm;
    ps_service_arm_t which;
    const ps_service_handlers_t *handlers;
    const char *index_file; /* NULL: the dates are the events' columns */
    ps_names_t *names;      /* the participants of this read */
    struct person *people;
    double *counts;         /* [person][window][measure] */
    unsigned char *unknown; /* [person][window][measure]: an event refused, count unknown */
    size_t capacity;
    unsigned char *recorded; /* [measure]: named by a row used */
    long *start;             /* [window]: its first day, counted from the index date */
    int32_t latest;          /* the latest date of an event counted (INT32_MIN: none) */
    /* The file being read. */
    const char *file;
    uint32_t file_index;
    struct layout layout;
    ps_batch_summary_t *summary;
    struct contents *contents; /* the file's events counted, to find a copy among the lists */
};

/* What one event list counted, whatever its bytes, row order or quoting: the events (who,
 * what, when, how many) as an order-free sum of their hashes, and their number. Two lists
 * alike in both are one list given twice, perhaps saved again by a spreadsheet. */
struct contents {
    uint64_t digest;
    size_t n;
};

/* A well-mixed 64-bit hash of an event (SplitMix64's finaliser over FNV-1a). */
static uint64_t event_hash(const char *id, size_t measure, int32_t day, long quantity)
{
    uint64_t h = 14695981039346656037u;
    for (const unsigned char *s = (const unsigned char *)id; *s; s++)
        h = (h ^ *s) * 1099511628211u;
    const uint64_t parts[3] = {measure, (uint64_t)(uint32_t)day, (uint64_t)quantity};
    for (size_t i = 0; i < 3; i++) {
        h = (h ^ parts[i]) * 1099511628211u;
        h ^= h >> 30;
        h *= 0xbf58476d1ce4e5b9u;
        h ^= h >> 27;
        h *= 0x94d049bb133111ebu;
        h ^= h >> 31;
    }
    return h;
}

/*
 * Refuses a row, pointing at 'field' (NO_FIELD: the whole row) with the text 'value' (NULL:
 * the id, when the field is the id's).
 */
static ps_error_t reject(struct events *ev, unsigned long line, size_t field, const char *id,
                         const char *value, const char *reason)
{
    const struct layout *l = &ev->layout;
    const int cell = field != NO_FIELD && field < l->n_fields;
    if (!value)
        value = cell && field == l->id && id ? id : "";
    ps_reject_t r = {.file = ev->file,
                     .line = line,
                     .column = cell ? field + 1 : 0,
                     .participant_id = id ? id : "",
                     .column_name = cell ? l->header[field] : "",
                     .value = ps_utf8_valid(value, strlen(value)) ? value : "",
                     .reason = reason};
    ev->summary->rows_rejected++;
    if (ev->handlers && ev->handlers->reject && ev->handlers->reject(&r, ev->handlers->user))
        return PS_ERROR_ABORTED;
    return PS_OK;
}

/* Makes room for person p; 0, or -1 when out of memory. */
static int grow(struct events *ev, size_t p)
{
    if (p < ev->capacity)
        return 0;
    const size_t cells = ev->cohort->n_windows * (ev->cohort->definition->n_measures + 1);
    size_t capacity = ev->capacity ? 2 * ev->capacity : 64;
    while (capacity <= p)
        capacity *= 2;
    struct person *people = realloc(ev->people, capacity * sizeof *people);
    if (people)
        ev->people = people;
    double *counts = realloc(ev->counts, capacity * cells * sizeof *counts);
    if (counts)
        ev->counts = counts;
    unsigned char *unknown = realloc(ev->unknown, capacity * cells);
    if (unknown)
        ev->unknown = unknown;
    if (!people || !counts || !unknown)
        return -1;
    memset(people + ev->capacity, 0, (capacity - ev->capacity) * sizeof *people);
    for (size_t i = ev->capacity * cells; i < capacity * cells; i++)
        counts[i] = 0;
    memset(unknown + ev->capacity * cells, 0, (capacity - ev->capacity) * cells);
    ev->capacity = capacity;
    return 0;
}

/* The person 'id', added when new: its number, or UINT32_MAX when out of memory. */
static uint32_t person(struct events *ev, const char *id)
{
    uint32_t p = ps_names_intern(ev->names, id, strlen(id));
    return p == UINT32_MAX || grow(ev, p) ? UINT32_MAX : p;
}

/* Whether 'id' was read into the cohort already (either arm, an earlier file): why, in 'why'. */
static int taken(const struct events *ev, const char *id, char *why, size_t size)
{
    const ps_service_cohort_t *c = ev->cohort;
    const struct ps_service_arm_data *other = &c->arms[!ev->which];
    if (ps_names_find(other->participants, id, strlen(id)) != UINT32_MAX) {
        snprintf(why, size,
                 "participant is in the %s cohort too: a comparison cohort is of people not "
                 "referred",
                 ev->which == PS_SERVICE_REFERRED ? "comparison" : "referred");
        return 1;
    }
    uint32_t p = ps_names_find(ev->arm->participants, id, strlen(id));
    if (p == UINT32_MAX)
        return 0;
    for (size_t w = 0; w < c->n_windows; w++) {
        size_t at = (size_t)p * c->n_windows + w;
        if (ev->arm->line[at]) {
            snprintf(why, size, "participant's counts were read already (%s:%lu)",
                     c->files[ev->arm->file[at]], ev->arm->line[at]);
            return 1;
        }
    }
    snprintf(why, size, "participant's counts were read already");
    return 1;
}

static void day_text(int32_t day, char out[11])
{
    ps_date_iso(day, out);
}

/* A date cell: 0 and *day, or -1 with why not in 'why'. */
static int read_date(const struct events *ev, const char *text, int32_t *day, char *why,
                     size_t size)
{
    const char *format = ev->cohort->events.date_format;
    ps_date_problem_t problem = ps_date_read(text, format ? format : PS_DATE_ISO, day);
    if (problem == PS_DATE_OK)
        return 0;
    ps_date_problem_text(problem, text, format, why, size);
    return -1;
}

/* Why a date is after the last day observed, in 'why'. */
static void after_until(const struct events *ev, int32_t day, char *why, size_t size)
{
    char on[11], until[11];
    day_text(day, on);
    day_text(ev->cohort->events.until, until);
    snprintf(why, size, "%s is after the last day the event lists cover, %s (%s)", on, until,
             ev->cohort->events.until_is_today ? "today; give --observed-until with the day "
                                                 "the extract ends"
                                               : "--observed-until");
}

/*
 * The index date and end date of a row: 0, or -1 with why not and the field at fault. An
 * empty or absent end date is none (NO_END).
 */
static int row_dates(struct events *ev, ps_csv_record_t *rec, int32_t *index, int32_t *end,
                     size_t *field, char *why, size_t size)
{
    const struct layout *l = &ev->layout;
    *field = l->index;
    const char *text = ps_su_clean_field(rec, l->index);
    if (!text || !*text) {
        snprintf(why, size, text ? "missing index date" : "index date " PS_NOT_UTF8);
        return -1;
    }
    if (read_date(ev, text, index, why, size))
        return -1;
    if (*index < ev->cohort->events.from) {
        char on[11], from[11];
        day_text(*index, on);
        day_text(ev->cohort->events.from, from);
        snprintf(why, size,
                 "%s is before %s: placeholders for no date (such as 1900-01-01) and mistyped "
                 "years are refused",
                 on, from);
        return -1;
    }
    if (*index > ev->cohort->events.until) {
        after_until(ev, *index, why, size);
        return -1;
    }
    *end = NO_END;
    if (l->end == NO_FIELD)
        return 0;
    *field = l->end;
    if (!(text = ps_su_clean_field(rec, l->end))) {
        snprintf(why, size, "end date " PS_NOT_UTF8);
        return -1;
    }
    if (*text && read_date(ev, text, end, why, size))
        return -1;
    if (*end < *index) {
        char a[11], b[11];
        day_text(*end, a);
        day_text(*index, b);
        snprintf(why, size, "the end date, %s, is before the index date, %s", a, b);
        return -1;
    }
    return 0;
}

/* Why a row cannot be read at all (ragged or malformed), or NULL. */
static const char *row_fault(const struct events *ev, const ps_csv_record_t *rec, char *why,
                             size_t size)
{
    if (rec->fault) {
        if (rec->n_fields_found > rec->n_fields)
            snprintf(why, size, "ragged row: %zu fields, more than the limit of %u",
                     rec->n_fields_found, PS_MAX_COLUMNS);
        else
            snprintf(why, size, "%s: the row is refused", rec->fault);
        return why;
    }
    if (rec->n_fields != ev->layout.n_fields) {
        snprintf(why, size, "ragged row: %zu fields, the header has %zu", rec->n_fields,
                 ev->layout.n_fields);
        return why;
    }
    return NULL;
}

/* The participant id of a row, or NULL after refusing the row. */
static const char *row_id(struct events *ev, ps_csv_record_t *rec, ps_error_t *err)
{
    char why[300];
    const size_t at = ev->layout.id;
    const char *id = rec->n_fields > at && !rec->fault ? ps_su_clean_field(rec, at) : NULL;
    if (row_fault(ev, rec, why, sizeof why)) {
        *err =
            reject(ev, rec->line,
                   rec->fault && rec->fault_column ? rec->fault_column - 1 : NO_FIELD, id, "", why);
        return NULL;
    }
    if (!id || !*id) {
        *err = reject(ev, rec->line, at, "", "",
                      id ? "missing participant id" : "participant id " PS_NOT_UTF8);
        return NULL;
    }
    return id;
}

/* A row of the index file: participant, index date, end date. */
static ps_error_t index_row(struct events *ev, ps_csv_record_t *rec)
{
    char why[700];
    ps_error_t err = PS_OK;
    ev->summary->rows_read++;
    const char *id = row_id(ev, rec, &err);
    if (!id)
        return err;
    uint32_t p = person(ev, id);
    if (p == UINT32_MAX)
        return PS_ERROR_NOMEM;
    struct person *who = &ev->people[p];
    if (who->state != SET && taken(ev, id, why, sizeof why)) {
        *who = (struct person){REFUSED, 0, 0, rec->line, ev->file_index};
        return reject(ev, rec->line, ev->layout.id, id, NULL, why);
    }
    if (who->state == SET) {
        snprintf(why, sizeof why, "a second row for this participant (the first is at line %lu)",
                 who->line);
        return reject(ev, rec->line, ev->layout.id, id, NULL, why);
    }
    int32_t index, end;
    size_t field;
    if (row_dates(ev, rec, &index, &end, &field, why, sizeof why)) {
        *who = (struct person){REFUSED, 0, 0, rec->line, ev->file_index};
        return reject(ev, rec->line, field, id, rec->fields[field], why);
    }
    *who = (struct person){SET, index, end, rec->line, ev->file_index};
    ev->summary->rows_scored++;
    return PS_OK;
}

static void mark_unknown(struct events *ev, uint32_t p, size_t w, size_t m);

/*
 * An event of person p refused for its index or end date: its measure, when the row names
 * one, is not recorded for p in any window (its count is not known, not 0), which 'why' then
 * says.
 */
static void lose_event(struct events *ev, ps_csv_record_t *rec, uint32_t p, char *why, size_t size)
{
    const ps_service_definition_t *d = ev->cohort->definition;
    const char *name = ps_su_clean_field(rec, ev->layout.measure);
    size_t m = name && *name ? ps_su_measure_find(d, name) : SIZE_MAX;
    if (m == SIZE_MAX)
        return;
    mark_unknown(ev, p, SIZE_MAX, m);
    size_t n = strlen(why);
    if (n < size)
        snprintf(why + n, size - n,
                 ": %s is not recorded for this participant in any window (its count is not "
                 "known)",
                 d->measures[m].id);
}

/* The person an event row is of, checked against its index and end dates; UINT32_MAX after
 * refusing the row (or out of memory: *err). */
static uint32_t event_person(struct events *ev, ps_csv_record_t *rec, const char *id,
                             ps_error_t *err)
{
    const ps_service_cohort_t *c = ev->cohort;
    char why[700];
    if (ev->index_file) {
        uint32_t p = ps_names_find(ev->names, id, strlen(id));
        if (p == UINT32_MAX || ev->people[p].state != SET) {
            if (p == UINT32_MAX)
                snprintf(why, sizeof why, "participant is not in the index file %s",
                         ev->index_file);
            else
                snprintf(why, sizeof why,
                         "participant's row in the index file (%s:%lu) was refused", ev->index_file,
                         ev->people[p].line);
            *err = reject(ev, rec->line, ev->layout.id, id, NULL, why);
            return UINT32_MAX;
        }
        return p;
    }
    if (taken(ev, id, why, sizeof why)) {
        *err = reject(ev, rec->line, ev->layout.id, id, NULL, why);
        return UINT32_MAX;
    }
    uint32_t p = person(ev, id);
    if (p == UINT32_MAX) {
        *err = PS_ERROR_NOMEM;
        return UINT32_MAX;
    }
    struct person *who = &ev->people[p];
    int32_t index, end;
    size_t field;
    if (row_dates(ev, rec, &index, &end, &field, why, sizeof why)) {
        if (who->state != SET)
            *who = (struct person){REFUSED, 0, 0, rec->line, ev->file_index};
        lose_event(ev, rec, p, why, sizeof why);
        *err = reject(ev, rec->line, field, id, rec->fields[field], why);
        return UINT32_MAX;
    }
    if (who->state != SET) {
        *who = (struct person){SET, index, end, rec->line, ev->file_index};
        return p;
    }
    if (index != who->index || end != who->end) {
        int is_index = index != who->index;
        char given[11] = "", first[11] = "";
        if (is_index || end != NO_END)
            day_text(is_index ? index : end, given);
        if (is_index || who->end != NO_END)
            day_text(is_index ? who->index : who->end, first);
        snprintf(why, sizeof why,
                 "the %s date, %s, differs from the participant's first row's, %s (%s:%lu): "
                 "each row of a participant gives the same",
                 is_index ? "index" : "end", *given ? given : "none", *first ? first : "none",
                 c->files[who->file], who->line);
        lose_event(ev, rec, p, why, sizeof why);
        *err = reject(ev, rec->line, is_index ? ev->layout.index : ev->layout.end, id,
                      rec->fields[is_index ? ev->layout.index : ev->layout.end], why);
        return UINT32_MAX;
    }
    return p;
}

/* The window holding 'offset' days from the index date, or SIZE_MAX. */
static size_t window_of(const struct events *ev, long offset)
{
    const ps_service_cohort_t *c = ev->cohort;
    for (size_t w = 0; w < c->n_windows; w++)
        if (offset >= ev->start[w] && offset < ev->start[w] + (long)c->windows[w].days)
            return w;
    return SIZE_MAX;
}

/* Marks measure m's count unknown for person p in window w (every window: SIZE_MAX). */
static void mark_unknown(struct events *ev, uint32_t p, size_t w, size_t m)
{
    const size_t nw = ev->cohort->n_windows, nm = ev->cohort->definition->n_measures;
    for (size_t k = 0; k < nw; k++)
        if (w == SIZE_MAX || k == w)
            ev->unknown[((size_t)p * nw + k) * nm + m] = 1;
}

/* A row of an event list. */
static ps_error_t event_row(struct events *ev, ps_csv_record_t *rec)
{
    const ps_service_cohort_t *c = ev->cohort;
    const ps_service_definition_t *d = c->definition;
    const struct layout *l = &ev->layout;
    char why[900];
    ps_error_t err = PS_OK;
    ev->summary->rows_read++;
    const char *id = row_id(ev, rec, &err);
    if (!id)
        return err;
    uint32_t p = event_person(ev, rec, id, &err);
    if (p == UINT32_MAX)
        return err;
    const struct person *who = &ev->people[p];
    const char *date = ps_su_clean_field(rec, l->date);
    const char *name = ps_su_clean_field(rec, l->measure);
    if (!date)
        return reject(ev, rec->line, l->date, id, "", "date " PS_NOT_UTF8);
    if (!name)
        return reject(ev, rec->line, l->measure, id, "", "measure " PS_NOT_UTF8);
    /* No date and no measure: the participant was observed, with no event here. */
    if (!*date && !*name) {
        ev->summary->rows_scored++;
        return PS_OK;
    }
    if (!*name)
        return reject(ev, rec->line, l->measure, id, "", "missing measure");
    size_t m = ps_su_measure_find(d, name);
    if (m == SIZE_MAX) {
        snprintf(why, sizeof why, "not a measure of %s (%s)", d->id, d->file);
        return reject(ev, rec->line, l->measure, id, name, why);
    }
    int32_t day;
    if (!*date || read_date(ev, date, &day, why, sizeof why)) {
        size_t n = *date ? strlen(why) : (size_t)snprintf(why, sizeof why, "missing date");
        snprintf(why + n, sizeof why - n,
                 ": %s is not recorded for this participant in any window (its count is not "
                 "known)",
                 d->measures[m].id);
        mark_unknown(ev, p, SIZE_MAX, m);
        return reject(ev, rec->line, l->date, id, date, why);
    }
    char on[11], at[11];
    day_text(day, on);
    if (day > c->events.until) {
        after_until(ev, day, why, sizeof why);
        return reject(ev, rec->line, l->date, id, date, why);
    }
    if (day > ev->latest)
        ev->latest = day;
    if (day > who->end) {
        day_text(who->end, at);
        snprintf(why, sizeof why, "%s is after the participant's end date, %s (%s:%lu)", on, at,
                 c->files[who->file], who->line);
        return reject(ev, rec->line, l->date, id, date, why);
    }
    size_t w = window_of(ev, (long)day - who->index);
    if (w == SIZE_MAX) {
        char from[11], to[11];
        day_text((int32_t)(who->index + ev->start[0]), from);
        size_t last = c->n_windows - 1;
        day_text((int32_t)(who->index + ev->start[last] + (long)c->windows[last].days - 1), to);
        day_text(who->index, at);
        snprintf(why, sizeof why,
                 "%s is outside every window: for the index date %s they run from %s to %s", on, at,
                 from, to);
        return reject(ev, rec->line, l->date, id, date, why);
    }
    long quantity = 1;
    if (l->quantity != NO_FIELD) {
        const char *text = ps_su_clean_field(rec, l->quantity);
        size_t digits = text ? strspn(text, "0123456789") : 0;
        if (!text ||
            (*text && (!digits || text[digits] || digits > 10 ||
                       (quantity = strtol(text, NULL, 10)) < 1 || quantity > MAX_QUANTITY))) {
            int n =
                text ? snprintf(why, sizeof why, "not a whole number from 1 to 1e9 (empty for 1)")
                     : snprintf(why, sizeof why, "quantity " PS_NOT_UTF8);
            if (n < 0 || (size_t)n >= sizeof why / 2)
                n = 0;
            snprintf(why + n, sizeof why - (size_t)n,
                     ": %s is not recorded for this participant in %s (its count is not known)",
                     d->measures[m].id, c->windows[w].name);
            mark_unknown(ev, p, w, m);
            return reject(ev, rec->line, l->quantity, id, text ? text : "", why);
        }
    }
    ev->counts[((size_t)p * c->n_windows + w) * d->n_measures + m] += (double)quantity;
    ev->recorded[m] = 1;
    ev->contents->digest += event_hash(id, m, day, quantity);
    ev->contents->n++;
    ev->summary->rows_scored++;
    return PS_OK;
}

/* The columns of a header: 'events' for an event list, else the index file's. */
static ps_error_t read_header(struct events *ev, ps_csv_record_t *rec, int events)
{
    const ps_service_cohort_t *c = ev->cohort;
    struct layout *l = &ev->layout;
    ps_error_t err = ps_header_row_read(c->context, ev->file, rec, &l->header, NULL);
    if (err)
        return err;
    l->n_fields = rec->n_fields;
    l->id = l->date = l->measure = l->quantity = l->index = l->end = NO_FIELD;
    const int dates_here = !events || !ev->index_file;
    for (size_t f = 0; f < l->n_fields; f++) {
        const char *h = l->header[f];
        size_t *key = ps_header_eq(h, c->id_column)                           ? &l->id
                      : events && ps_header_eq(h, "date")                     ? &l->date
                      : events && ps_header_eq(h, "measure")                  ? &l->measure
                      : events && ps_header_eq(h, "quantity")                 ? &l->quantity
                      : dates_here && ps_header_eq(h, c->events.index_column) ? &l->index
                      : dates_here && ps_header_eq(h, c->events.end_column)   ? &l->end
                                                                              : NULL;
        if (key)
            *key = f;
        else
            ps_diagnose(c->context, PS_OK, ev->file, rec->line, f + 1,
                        "column '%s' is not read (%s)", h,
                        events ? "an event list has the columns of a participant, a date, a "
                                 "measure and optionally a quantity"
                               : "an index file has the columns of a participant, an index "
                                 "date and optionally an end date");
    }
    const char *missing = l->id == NO_FIELD                    ? c->id_column
                          : events && l->date == NO_FIELD      ? "date"
                          : events && l->measure == NO_FIELD   ? "measure"
                          : dates_here && l->index == NO_FIELD ? c->events.index_column
                                                               : NULL;
    if (!missing)
        return PS_OK;
    char layout[600];
    if (!events)
        snprintf(layout, sizeof layout,
                 "an index file has one row per participant with the columns %s, %s and "
                 "optionally %s",
                 c->id_column, c->events.index_column, c->events.end_column);
    else if (ev->index_file)
        snprintf(layout, sizeof layout,
                 "an event list has one row per event with the columns %s, date, measure and "
                 "optionally quantity",
                 c->id_column);
    else
        snprintf(layout, sizeof layout,
                 "an event list has one row per event with the columns %s, date, measure, "
                 "optionally quantity, and the participant's index date (%s) and optionally "
                 "end date (%s) on every row",
                 c->id_column, c->events.index_column, c->events.end_column);
    return ps_diagnose(c->context, PS_ERROR_BATCH, ev->file, rec->line, 0, "no column '%s': %s",
                       missing, layout);
}

static void free_layout(struct layout *l)
{
    if (l->header)
        for (size_t f = 0; f < l->n_fields; f++)
            free(l->header[f]);
    free(l->header);
    *l = (struct layout){0};
}

/* Reads one file (an event list, or the index file) row by row. */
static ps_error_t read_file(struct events *ev, const char *file, int events,
                            ps_batch_summary_t *summary)
{
    ps_service_cohort_t *c = ev->cohort;
    *summary = (ps_batch_summary_t){.file = file};
    ev->file = file;
    ev->summary = summary;
    ps_csv_reader_t *reader = NULL;
    ps_csv_record_t *rec;
    ps_error_t err = ps_su_remember_file(c, file, &ev->file_index);
    if (err || (err = ps_csv_open(c->context, file, &c->csv, &reader)))
        goto done;
    if ((err = ps_csv_next(reader, &rec))) {
        err = ps_csv_report(c->context, reader);
        goto done;
    }
    if (!rec) {
        err = ps_diagnose(c->context, PS_ERROR_BATCH, file, 0, 0,
                          "empty file: %s start with a header row",
                          events ? "event lists" : "index files");
        goto done;
    }
    if ((err = read_header(ev, rec, events)))
        goto done;
    while (!(err = ps_csv_next(reader, &rec)) && rec)
        if ((err = events ? event_row(ev, rec) : index_row(ev, rec)))
            break;
    if (err && err != PS_ERROR_ABORTED && err != PS_ERROR_NOMEM)
        err = ps_csv_report(c->context, reader);
done:
    ps_csv_close(reader);
    free_layout(&ev->layout);
    return err;
}

/* The days person 'who' was observed in window w. */
static unsigned exposure_of(const struct events *ev, const struct person *who, size_t w)
{
    const unsigned days = ev->cohort->windows[w].days;
    const int32_t end = who->end < ev->cohort->events.until ? who->end : ev->cohort->events.until;
    long observed = (long)end - who->index - ev->start[w] + 1;
    return observed <= 0 ? 0 : observed >= (long)days ? days : (unsigned)observed;
}

/*
 * Without --observed-until, the lists must show how far they reach: a window observed past
 * the latest event in them would count days the extract may not cover as days without use.
 * Returns PS_OK, or PS_ERROR_USAGE naming the first person whose windows reach further.
 */
static ps_error_t check_reach(const struct events *ev)
{
    const ps_service_cohort_t *c = ev->cohort;
    if (!c->events.until_is_today)
        return PS_OK;
    const size_t last = c->n_windows - 1;
    size_t beyond = 0;
    uint32_t first = UINT32_MAX;
    int32_t reach = 0;
    for (uint32_t p = 0; p < ps_names_count(ev->names); p++) {
        const struct person *who = &ev->people[p];
        if (who->state != SET)
            continue;
        long end = who->index + ev->start[last] + (long)c->windows[last].days - 1;
        if (who->end < end)
            end = who->end;
        if (end > ev->latest) {
            if (!beyond++) {
                first = p;
                reach = (int32_t)end;
            }
        }
    }
    if (!beyond)
        return PS_OK;
    char until[11], latest[11];
    day_text(reach, until);
    if (ev->latest == INT32_MIN)
        snprintf(latest, sizeof latest, "none");
    else
        day_text(ev->latest, latest);
    return ps_diagnose(c->context, PS_ERROR_USAGE, NULL, 0, 0,
                       "the windows of %s%s reach %s, past the latest event in the lists (%s): "
                       "give --observed-until with the last day the extract covers, so that days "
                       "it may not cover are not counted as days without use",
                       ps_names_text(ev->names, first),
                       beyond > 1 ? " and others" : "", until, latest);
}

/* Each person read, with their counts and exposure, into the arm. */
static ps_error_t store(struct events *ev)
{
    ps_service_cohort_t *c = ev->cohort;
    const size_t nw = c->n_windows, nm = c->definition->n_measures;
    size_t n_recorded = 0;
    for (size_t m = 0; m < nm; m++)
        n_recorded += ev->recorded[m];
    for (uint32_t p = 0; n_recorded && p < ps_names_count(ev->names); p++) {
        const struct person *who = &ev->people[p];
        if (who->state != SET)
            continue;
        const char *id = ps_names_text(ev->names, p);
        uint32_t q = ps_names_intern(ev->arm->participants, id, strlen(id));
        if (q == UINT32_MAX || ps_su_room_for(c, ev->arm, q))
            return PS_ERROR_NOMEM;
        for (size_t w = 0; w < nw; w++) {
            unsigned days = exposure_of(ev, who, w);
            if (!days)
                continue;
            size_t from = (size_t)p * nw + w, to = (size_t)q * nw + w;
            ev->arm->exposure[to] = days;
            ev->arm->line[to] = who->line;
            ev->arm->file[to] = who->file;
            for (size_t m = 0; m < nm; m++)
                ev->arm->counts[to * nm + m] = !ev->recorded[m] || ev->unknown[from * nm + m]
                                                   ? NAN
                                                   : ev->counts[from * nm + m];
        }
    }
    return PS_OK;
}

ps_error_t ps_service_read_events(ps_service_cohort_t *c, ps_service_arm_t which,
                                  const char *index_file, const char *const *files, size_t n_files,
                                  const ps_service_handlers_t *handlers,
                                  ps_batch_summary_t *summaries)
{
    if (summaries)
        for (size_t i = 0; i <= n_files; i++)
            summaries[i] = (ps_batch_summary_t){.file = i ? files[i - 1] : index_file};
    if (which != PS_SERVICE_REFERRED && which != PS_SERVICE_COMPARISON)
        return ps_diagnose(c->context, PS_ERROR_USAGE, NULL, 0, 0,
                           "ps_service_read_events: no such arm (%d)", (int)which);
    if (!n_files)
        return ps_diagnose(c->context, PS_ERROR_USAGE, NULL, 0, 0,
                           "ps_service_read_events: no event list given");
    if (c->n_by)
        return ps_diagnose(c->context, PS_ERROR_USAGE, NULL, 0, 0,
                           "event lists do not carry the columns to group by (--by %s): give "
                           "the groups' counts as counts files, or leave out --by",
                           c->by[0]);
    if (c->events.first_after == SIZE_MAX)
        return ps_diagnose(c->context, PS_ERROR_USAGE, NULL, 0, 0,
                           "event lists: no window is named post...: say which window is the "
                           "first after the index date (--first-after)");
    const size_t nw = c->n_windows, nm = c->definition->n_measures;
    struct events ev = {.cohort = c,
                        .arm = &c->arms[which],
                        .which = which,
                        .handlers = handlers,
                        .index_file = index_file,
                        .latest = INT32_MIN};
    ps_batch_summary_t own, *summary = summaries ? summaries : &own;
    ps_error_t err = PS_ERROR_NOMEM;
    struct contents *contents = calloc(n_files, sizeof *contents);
    if (!contents || !(ev.names = ps_names_new()) || !(ev.recorded = calloc(nm + 1, 1)) ||
        !(ev.start = calloc(nw, sizeof *ev.start)))
        goto done;
    const size_t first = c->events.first_after;
    for (size_t w = first + 1; w < nw; w++)
        ev.start[w] = ev.start[w - 1] + (long)c->windows[w - 1].days;
    for (size_t w = first; w-- > 0;)
        ev.start[w] = ev.start[w + 1] - (long)c->windows[w].days;
    err = PS_OK;
    if (index_file)
        err = read_file(&ev, index_file, 0, summary);
    for (size_t i = 0; i < n_files && !err; i++) {
        ev.contents = &contents[i];
        err = read_file(&ev, files[i], 1, summaries ? &summaries[i + 1] : &own);
        for (size_t j = 0; j < i && !err; j++)
            if (contents[i].n && contents[i].n == contents[j].n &&
                contents[i].digest == contents[j].digest)
                err = ps_diagnose(c->context, PS_ERROR_USAGE, files[i], 0, 0,
                                  "the same %zu events as %s (the same people, measures, dates "
                                  "and quantities, whatever the bytes: a copy, perhaps saved "
                                  "again): each would be counted twice; give each list once",
                                  contents[i].n, files[j]);
    }
    if (!err)
        err = check_reach(&ev);
    if (!err)
        err = store(&ev);
done:
    ps_names_free(ev.names);
    free(ev.people);
    free(ev.counts);
    free(ev.unknown);
    free(ev.recorded);
    free(ev.start);
    free(contents);
    return err;
}
