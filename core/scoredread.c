/* Reading back a scored CSV written by `promscore score`. */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "csvread.h"
#include "internal.h"

static const char *const columns[] = {"participant_id", "timepoint", "instrument", "scale",
                                      "score", "band", "answered", "status"};
enum { N_COLUMNS = 8, SCORE = 4, ANSWERED = 6, STATUS = 7 };

struct reader {
    ps_context_t *context;
    const char *file;
    const char *const *by;
    size_t n_by;
    size_t *by_field;
    const char **kept;
    size_t n_fields;
    int (*fn)(const ps_score_t *, void *);
    void *user;
};

static ps_error_t read_header(struct reader *r, const ps_csv_record_t *rec)
{
    for (size_t i = 0; i < N_COLUMNS; i++)
        if (i >= rec->n_fields || strcmp(rec->fields[i], columns[i]) != 0)
            return ps_diagnose(r->context, PS_ERROR_BATCH, r->file, rec->line, i + 1,
                               "not a scored CSV: column %zu must be '%s' (the output of "
                               "'promscore score'; give raw batches with -i)",
                               i + 1, columns[i]);
    for (size_t b = 0; b < r->n_by; b++) {
        r->by_field[b] = SIZE_MAX;
        for (size_t i = N_COLUMNS; i < rec->n_fields; i++)
            if (strcmp(rec->fields[i], r->by[b]) == 0)
                r->by_field[b] = i;
        if (r->by_field[b] == SIZE_MAX)
            return ps_diagnose(r->context, PS_ERROR_BATCH, r->file, rec->line, 0,
                               "no column '%s' to group by: score with --keep %s", r->by[b],
                               r->by[b]);
    }
    r->n_fields = rec->n_fields;
    return PS_OK;
}

static ps_error_t read_row(const ps_csv_record_t *rec, void *user)
{
    struct reader *r = user;
    if (!r->n_fields)
        return read_header(r, rec);
    if (rec->n_fields != r->n_fields)
        return ps_diagnose(r->context, PS_ERROR_BATCH, r->file, rec->line, 0,
                           "%zu fields, the header has %zu", rec->n_fields, r->n_fields);
    for (size_t i = 0; i < rec->n_fields; i++)
        if (!ps_utf8_valid(rec->fields[i], rec->lengths[i]))
            return ps_diagnose(r->context, PS_ERROR_BATCH, r->file, rec->line, i + 1,
                               "not valid UTF-8 text");
    const ps_instrument_t *in = ps_context_find_instrument(r->context, rec->fields[2]);
    if (!in)
        return ps_diagnose(r->context, PS_ERROR_BATCH, r->file, rec->line, 3,
                           "unknown instrument '%s'", rec->fields[2]);
    const ps_scale_t *scale = ps_instrument_find_scale(in, rec->fields[3]);
    if (!scale)
        return ps_diagnose(r->context, PS_ERROR_BATCH, r->file, rec->line, 4,
                           "instrument '%s' has no scale '%s'", in->id, rec->fields[3]);
    if (!*rec->fields[0] || !*rec->fields[1])
        return ps_diagnose(r->context, PS_ERROR_BATCH, r->file, rec->line,
                           *rec->fields[0] ? 2 : 1, "missing participant id or timepoint");
    ps_score_t score = {.file = r->file, .line = rec->line, .participant_id = rec->fields[0],
                        .timepoint = rec->fields[1], .instrument = in, .scale = scale,
                        .status = rec->fields[STATUS], .kept = r->kept};
    if (strcmp(score.status, "ok") == 0) {
        if (ps_parse_double(rec->fields[SCORE], &score.value) != 0 ||
            score.value < scale->min || score.value > scale->max)
            return ps_diagnose(r->context, PS_ERROR_BATCH, r->file, rec->line, SCORE + 1,
                               "score '%s' is not a number in the range of %s %s",
                               rec->fields[SCORE], in->id, scale->id);
        score.has_value = 1;
        score.outcome = PS_SCORED;
        score.band = ps_scale_band_of(scale, score.value);
    }
    score.answered = (unsigned)strtoul(rec->fields[ANSWERED], NULL, 10);
    for (size_t b = 0; b < r->n_by; b++)
        r->kept[b] = rec->fields[r->by_field[b]];
    return r->fn(&score, r->user) ? PS_ERROR_ABORTED : PS_OK;
}

ps_error_t ps_scored_read(ps_context_t *context, const char *file, const char *const *by,
                          size_t n_by, int (*fn)(const ps_score_t *, void *), void *user)
{
    struct reader r = {context, file, by, n_by, calloc(n_by + 1, sizeof(size_t)),
                       calloc(n_by + 1, sizeof(char *)), 0, fn, user};
    ps_error_t err = PS_ERROR_NOMEM;
    if (r.by_field && r.kept) {
        err = ps_csv_read(context, file, read_row, &r);
        if (!err && !r.n_fields)
            err = ps_diagnose(context, PS_ERROR_BATCH, file, 0, 0,
                              "empty file: a scored CSV starts with its header row");
    }
    free(r.by_field);
    free(r.kept);
    return err;
}
