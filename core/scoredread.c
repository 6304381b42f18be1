/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Reading back a scored CSV written by `promscore score`, through its declared format. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "csvformat.h"
#include "headers.h"
#include "internal.h"

/* The scored format's columns, as ps_format_columns declares them. */
enum { PARTICIPANT, TIMEPOINT, INSTRUMENT, SCALE, SCORE, BAND, ANSWERED, STATUS, N_FIXED };

struct reader {
    ps_context_t *context;
    const char *file;
    const char *const *by;
    size_t n_by;
    size_t *by_field;
    size_t date_field;      /* the date column after the fixed ones, or SIZE_MAX */
    const char **kept;
    ps_error_t error;       /* why a row stopped the read */
    int (*fn)(const ps_score_t *, void *);
    void *user;
};

static ps_error_t read_header(const char *const *names, size_t n, unsigned long line, void *user)
{
    struct reader *r = user;
    /* Scores whose timepoints came from dates carry them in a date column after the fixed ones. */
    r->date_field = n > N_FIXED && strcmp(names[N_FIXED], "date") == 0 ? N_FIXED : SIZE_MAX;
    for (size_t b = 0; b < r->n_by; b++) {
        r->by_field[b] = SIZE_MAX;
        for (size_t i = N_FIXED; i < n; i++)
            if (ps_header_eq(names[i], r->by[b]))
                r->by_field[b] = i;
        if (r->by_field[b] == SIZE_MAX)
            return ps_diagnose(r->context, PS_ERROR_BATCH, r->file, line, 0,
                               "no column '%s' to group by: score with --keep %s", r->by[b],
                               r->by[b]);
    }
    return PS_OK;
}

/*
 * The number of decimal places of a score as `promscore score` writes it: an optional '-',
 * digits, and an optional point with digits after it, and nothing else (no '+', exponent, hex,
 * infinity or space); trailing zeros after the point are not counted. -1 when the text is not
 * such a number.
 */
static int decimal_places(const char *text)
{
    const char *p = text + (*text == '-');
    size_t whole = strspn(p, "0123456789");
    if (!whole)
        return -1;
    p += whole;
    if (!*p)
        return 0;
    size_t fraction = *p == '.' ? strspn(p + 1, "0123456789") : 0;
    if (!fraction || p[1 + fraction])
        return -1;
    while (fraction && p[fraction] == '0')
        fraction--;
    return fraction > 6 ? 7 : (int)fraction;
}

static int stop(struct reader *r, ps_error_t error)
{
    r->error = error;
    return 1;
}

static int read_row(const ps_format_row_t *row, void *user)
{
    struct reader *r = user;
    const char *const *cell = row->cells;
    const ps_instrument_t *in = ps_context_find_instrument(r->context, cell[INSTRUMENT]);
    if (!in)
        return stop(r, ps_diagnose(r->context, PS_ERROR_BATCH, r->file, row->line,
                                   INSTRUMENT + 1, "unknown instrument '%s'", cell[INSTRUMENT]));
    const ps_scale_t *scale = ps_instrument_find_scale(in, cell[SCALE]);
    if (!scale)
        return stop(r, ps_diagnose(r->context, PS_ERROR_BATCH, r->file, row->line, SCALE + 1,
                                   "instrument '%s' has no scale '%s'", in->id, cell[SCALE]));
    if (!*cell[PARTICIPANT] || !*cell[TIMEPOINT])
        return stop(r, ps_diagnose(r->context, PS_ERROR_BATCH, r->file, row->line,
                                   *cell[PARTICIPANT] ? TIMEPOINT + 1 : PARTICIPANT + 1,
                                   "missing participant id or timepoint"));
    ps_score_t score = {.file = r->file, .line = row->line, .participant_id = cell[PARTICIPANT],
                        .timepoint = cell[TIMEPOINT], .instrument = in, .scale = scale,
                        .status = cell[STATUS], .kept = r->kept,
                        .date = r->date_field != SIZE_MAX ? cell[r->date_field] : NULL};
    /* An ok score has a value; so may a flagged one, which reports leave out. */
    const int ok = strcmp(score.status, "ok") == 0;
    if (ok || *cell[SCORE]) {
        const int places = decimal_places(cell[SCORE]);
        if (places < 0 || ps_parse_double(cell[SCORE], &score.value) != 0)
            return stop(r, ps_diagnose(r->context, PS_ERROR_BATCH, r->file, row->line,
                                       SCORE + 1,
                                       "score '%s' is not a plain decimal number (digits, with "
                                       "a leading '-' and a point if need be)",
                                       cell[SCORE]));
        if (places > scale->precision && scale->precision == 0)
            return stop(r, ps_diagnose(r->context, PS_ERROR_BATCH, r->file, row->line,
                                       SCORE + 1, "score '%s' is not a whole number, as %s %s's "
                                       "scores are", cell[SCORE], in->id, scale->id));
        if (places > scale->precision)
            return stop(r, ps_diagnose(r->context, PS_ERROR_BATCH, r->file, row->line,
                                       SCORE + 1, "score '%s' has more than %d decimal places, "
                                       "the precision of %s %s's scores", cell[SCORE],
                                       scale->precision, in->id, scale->id));
        if (score.value < scale->min || score.value > scale->max)
            return stop(r, ps_diagnose(r->context, PS_ERROR_BATCH, r->file, row->line,
                                       SCORE + 1,
                                       "score '%s' is not a number in the range of %s %s",
                                       cell[SCORE], in->id, scale->id));
        score.has_value = 1;
        /* A value under any other status is flagged: never paired. */
        score.outcome = ok ? PS_SCORED : PS_FLAGGED;
        score.band = ps_scale_band_of(scale, score.value);
    }
    score.answered = (unsigned)strtoul(cell[ANSWERED], NULL, 10);
    for (size_t b = 0; b < r->n_by; b++)
        r->kept[b] = cell[r->by_field[b]];
    return r->fn(&score, r->user) ? stop(r, PS_ERROR_ABORTED) : 0;
}

ps_error_t ps_scored_read(ps_context_t *context, const char *file, const char *const *by,
                          size_t n_by, int (*fn)(const ps_score_t *, void *), void *user)
{
    struct reader r = {context, file, by, n_by, calloc(n_by + 1, sizeof(size_t)), SIZE_MAX,
                       calloc(n_by + 1, sizeof(char *)), PS_OK, fn, user};
    ps_error_t err = PS_ERROR_NOMEM;
    if (r.by_field && r.kept) {
        err = ps_read_format(context, file, PS_FORMAT_SCORED, read_header, read_row, &r);
        if (err == PS_ERROR_ABORTED && r.error)
            err = r.error;
    }
    free(r.by_field);
    free(r.kept);
    return err;
}
