/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Service use: the empirical-Bayes counterfactual (servicebayes.h): a person's expected count
 * without intervention, Hauer's index of effectiveness, and the population's negative
 * binomial, given or fitted to a histogram. See docs/service-use.md.
 */
#include "config.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <promscore/service.h>

#include "arena.h"
#include "headers.h"
#include "servicebayes.h"

/* qnorm(0.975). */
#define Z975 1.959963984540054

void ps_su_eb_expected(const struct ps_su_population *p, double x, double t0, double t1,
                       double *expected, double *variance)
{
    const double denominator = p->shape + p->mean * t0;
    const double e = (p->shape + x) * p->mean * t1 / denominator;
    if (expected)
        *expected = e;
    if (variance)
        *variance = e * p->mean * t1 / denominator;
}

const char *ps_su_eb_index(double observed, double expected, double variance, double *index,
                           double *low, double *high)
{
    *index = *low = *high = NAN;
    if (!(expected > 0))
        return "no time observed after: nothing expected";
    const double relative = variance / (expected * expected);
    *index = observed / expected / (1 + relative);
    if (observed == 0)
        return "no events after: no interval";
    const double v = *index * *index * (1 / observed + relative) / ((1 + relative) * (1 + relative));
    *low = fmax(0, *index - Z975 * sqrt(v));
    *high = *index + Z975 * sqrt(v);
    return NULL;
}

/* ---- The negative binomial fitted to a histogram. ---- */

/*
 * The score in the shape s and its negative derivative (MASS::theta.ml's score and info),
 * over N people of mean mu, with tail[j] the people whose count is above j (j < top):
 *   score(s) = sum_j tail[j] / (s + j) - N log(1 + mu / s)
 *   info(s)  = sum_j tail[j] / (s + j)^2 - N mu / (s (s + mu))
 * (digamma(s + y) - digamma(s) = sum_{j < y} 1 / (s + j), and with mu the weighted mean the
 * other terms of theta.ml's score sum to these).
 */
struct nb_data {
    const double *tail;
    size_t top;
    double people, mean;
};

static double score(const struct nb_data *d, double s, double *info)
{
    long double sum = 0, sum2 = 0;
    for (size_t j = 0; j < d->top; j++) {
        long double term = (long double)d->tail[j] / ((long double)s + (long double)j);
        sum += term;
        sum2 += term / ((long double)s + (long double)j);
    }
    if (info)
        *info = (double)(sum2 - (long double)d->people * d->mean / (s * (s + d->mean)));
    return (double)(sum - (long double)d->people * log1pl((long double)d->mean / s));
}

const char *ps_su_nb_fit(const double *counts, const double *people, size_t n, double *mean,
                         double *shape)
{
    *mean = *shape = NAN;
    double total = 0, events = 0, top = 0;
    for (size_t i = 0; i < n; i++) {
        total += people[i];
        events += people[i] * counts[i];
        top = fmax(top, people[i] > 0 ? counts[i] : 0);
    }
    if (total < 2)
        return "fewer than two people: no distribution to fit";
    if (events == 0)
        return "no one has any events: no distribution to fit";
    const double mu = events / total;
    double squares = 0;
    for (size_t i = 0; i < n; i++)
        squares += people[i] * (counts[i] - mu) * (counts[i] - mu);
    const double variance = squares / total;
    *mean = mu;
    if (variance <= mu)
        return "the counts vary no more than a Poisson's (variance not above the mean): no "
               "finite negative binomial shape; every person would be expected at the mean";
    double *tail = calloc((size_t)top, sizeof *tail);
    if (!tail)
        return "out of memory";
    for (size_t i = 0; i < n; i++)
        if (counts[i] > 0 && people[i] > 0) /* a bar of no one may lie beyond 'top' */
            tail[(size_t)counts[i] - 1] += people[i];
    for (size_t j = (size_t)top - 1; j > 0; j--)
        tail[j - 1] += tail[j];
    struct nb_data d = {tail, (size_t)top, total, mu};
    /* theta.ml's start, then a bracket [lo, hi] with the score positive at lo, negative at hi. */
    double s = mu * mu / variance, lo = s, hi = s;
    const char *why = NULL;
    for (int k = 0; k < 200 && score(&d, lo, NULL) <= 0; k++)
        lo /= 2;
    for (int k = 0; k < 200 && score(&d, hi, NULL) >= 0; k++)
        hi *= 2;
    if (!(score(&d, lo, NULL) > 0 && score(&d, hi, NULL) < 0))
        why = "the shape's score has no root: no maximum-likelihood fit";
    for (int k = 0; !why && k < 500; k++) {
        double info, value = score(&d, s, &info);
        if (value == 0)
            break;
        if (value > 0)
            lo = s;
        else
            hi = s;
        double next = s + value / info;
        if (!(info > 0) || !(next > lo && next < hi))
            next = (lo + hi) / 2;  /* Newton left the bracket: bisect */
        const double step = fabs(next - s);
        s = next;
        if (step <= 4 * DBL_EPSILON * s || hi - lo <= 4 * DBL_EPSILON * s)
            break;
    }
    free(tail);
    if (!why)
        *shape = s;
    return why;
}

/* ---- The population, given or read. ---- */

static ps_error_t bad_spec(ps_context_t *context, const char *spec, const char *why)
{
    return ps_diagnose(context, PS_ERROR_USAGE, NULL, 0, 0,
                       "population '%s': %s; give \"nb:mean=M,shape=K\" (the negative "
                       "binomial of the selection count among all attenders, both above 0) or "
                       "a CSV file with columns count and people",
                       spec, why);
}

static ps_error_t read_nb(ps_context_t *context, const char *spec,
                          struct ps_su_population *population)
{
    double mean = NAN, shape = NAN;
    const char *p = spec + 3;
    while (*p) {
        size_t n = strcspn(p, ",");
        char item[128];
        if (n >= sizeof item)
            return bad_spec(context, spec, "an item is too long");
        memcpy(item, p, n);
        item[n] = '\0';
        p += n + (p[n] == ',');
        char *equals = strchr(item, '=');
        size_t key_length = equals ? (size_t)(equals - item) : 0;
        const char *key = item + (equals ? ps_trim(item, &key_length) - item : 0);
        double *to = NULL;
        if (equals && key_length == 4 && strncmp(key, "mean", 4) == 0)
            to = &mean;
        else if (equals && key_length == 5 && strncmp(key, "shape", 5) == 0)
            to = &shape;
        if (!to)
            return bad_spec(context, spec, "expected mean=M and shape=K");
        if (!isnan(*to))
            return bad_spec(context, spec, "a figure is given twice");
        size_t value_length = strlen(equals + 1);
        char *value = equals + 1 + (ps_trim(equals + 1, &value_length) - (equals + 1));
        value[value_length] = '\0';
        const char *why = ps_service_number(value, PS_SERVICE_NUMBER_FRACTION, to);
        if (why || !(*to > 0)) {
            char text[300];
            snprintf(text, sizeof text, "mean and shape are numbers above 0%s%s",
                     isnan(*to) ? ", and '" : "", isnan(*to) ? value : "");
            size_t used = strlen(text);
            if (isnan(*to))
                snprintf(text + used, sizeof text - used, "' is %s", why);
            return bad_spec(context, spec, text);
        }
    }
    if (isnan(mean) || isnan(shape))
        return bad_spec(context, spec, "both mean and shape are needed");
    population->mean = mean;
    population->shape = shape;
    return PS_OK;
}

struct bar {
    double count, people;
    unsigned long line;
};

static int by_count(const void *a, const void *b)
{
    const struct bar *x = a, *y = b;
    return (x->count > y->count) - (x->count < y->count);
}

/* A whole number from 0 to 'most' in 'text', or why not. */
static const char *whole(const char *text, double most, double *value)
{
    const char *why = ps_service_number(text, 0, value);
    if (why && isnan(*value))
        return why;
    if (why)
        return "not a whole number, 0 or more";
    if (*value > most)
        return "too large";
    return NULL;
}

static ps_error_t read_histogram(ps_context_t *context, const char *file,
                                 const ps_csv_options_t *csv, struct bar **bars, size_t *n_bars)
{
    ps_csv_reader_t *reader = NULL;
    ps_error_t err = ps_csv_open(context, file, csv, &reader);
    if (err)
        return err;
    ps_csv_record_t *rec;
    char **header = NULL;
    size_t n_header = 0, count = SIZE_MAX, people = SIZE_MAX, size = 0;
    for (;;) {
        if (ps_csv_next(reader, &rec)) {
            err = ps_csv_report(context, reader);
            break;
        }
        if (!rec)
            break;
        if (!header) {
            if ((err = ps_header_row_read(context, file, rec, &header, NULL)))
                break;
            n_header = rec->n_fields;
            for (size_t f = 0; f < n_header; f++) {
                if (ps_header_eq(header[f], "count"))
                    count = f;
                else if (ps_header_eq(header[f], "people"))
                    people = f;
            }
            if (count == SIZE_MAX || people == SIZE_MAX) {
                err = ps_diagnose(context, PS_ERROR_BATCH, file, rec->line, 0,
                                  "a population histogram has columns count (events in the "
                                  "selection window) and people (how many had that count)");
                break;
            }
            continue;
        }
        if (rec->fault) {
            err = ps_diagnose(context, PS_ERROR_BATCH, file, rec->line, rec->fault_column, "%s",
                              rec->fault);
            break;
        }
        if (rec->n_fields != n_header) {
            err = ps_diagnose(context, PS_ERROR_BATCH, file, rec->line, 0,
                              "%zu fields where the header has %zu", rec->n_fields, n_header);
            break;
        }
        struct bar b = {0, 0, rec->line};
        const size_t fields[2] = {count, people};
        double *values[2] = {&b.count, &b.people};
        for (int k = 0; k < 2 && !err; k++) {
            size_t length = rec->lengths[fields[k]];
            char *text = rec->fields[fields[k]];
            const char *why = !ps_utf8_valid(text, length) ? PS_NOT_UTF8 : NULL;
            if (!why) {
                text += ps_trim(text, &length) - text;
                text[length] = '\0';
                why = whole(text, k ? 1e12 : PS_SU_MAX_HISTOGRAM_COUNT, values[k]);
            }
            if (why)
                err = ps_diagnose(context, PS_ERROR_BATCH, file, rec->line, fields[k] + 1,
                                  "%s '%s': %s (%s)", k ? "people" : "count", text, why,
                                  k ? "how many people had the count, at most 1e12"
                                    : "events in the selection window, at most 100000");
        }
        if (err)
            break;
        if (ps_grow((void **)bars, &size, *n_bars + 1, sizeof **bars)) {
            err = PS_ERROR_NOMEM;
            break;
        }
        (*bars)[(*n_bars)++] = b;
    }
    if (!err && !header)
        err = ps_diagnose(context, PS_ERROR_BATCH, file, 0, 0, "empty: no histogram");
    if (!err) {
        qsort(*bars, *n_bars, sizeof **bars, by_count);
        for (size_t i = 1; i < *n_bars && !err; i++)
            if ((*bars)[i].count == (*bars)[i - 1].count)
                err = ps_diagnose(context, PS_ERROR_BATCH, file, (*bars)[i].line, count + 1,
                                  "count %.0f is given twice (also on line %lu)",
                                  (*bars)[i].count, (*bars)[i - 1].line);
    }
    for (size_t f = 0; header && f < n_header; f++)
        free(header[f]);
    free(header);
    ps_csv_close(reader);
    return err;
}

static ps_error_t fit_histogram(ps_context_t *context, const char *file,
                                const ps_csv_options_t *csv, struct ps_su_population *population,
                                double *n_people)
{
    struct bar *bars = NULL;
    size_t n = 0;
    ps_error_t err = read_histogram(context, file, csv, &bars, &n);
    double *values = err ? NULL : malloc(2 * (n ? n : 1) * sizeof *values);
    if (!err && !values)
        err = PS_ERROR_NOMEM;
    if (!err) {
        *n_people = 0;
        for (size_t i = 0; i < n; i++) {
            values[i] = bars[i].count;
            values[n + i] = bars[i].people;
            *n_people += bars[i].people;
        }
        const char *why =
            ps_su_nb_fit(values, values + n, n, &population->mean, &population->shape);
        if (why)
            err = ps_diagnose(context, PS_ERROR_BATCH, file, 0, 0,
                              "population histogram: %s", why);
    }
    free(values);
    free(bars);
    return err;
}

ps_error_t ps_su_population_read(ps_context_t *context, const char *spec, const char *source,
                                 const ps_csv_options_t *csv, ps_arena_t *arena,
                                 struct ps_su_population *population)
{
    *population = (struct ps_su_population){0, 0, NULL};
    struct ps_su_population p = {0, 0, NULL};
    double n_people = 0;
    const int given = strncmp(spec, "nb:", 3) == 0;
    ps_error_t err = given ? read_nb(context, spec, &p)
                           : fit_histogram(context, spec, csv, &p, &n_people);
    if (err)
        return err;
    char *note = NULL;
    int n = given ? asprintf(&note, "negative binomial as given (mean %.6g, shape %.6g); source: %s",
                             p.mean, p.shape, source ? source : "not declared")
                  : asprintf(&note, "negative binomial fitted by maximum likelihood (as "
                                    "MASS::glm.nb) to %s, %.0f people; source: %s",
                             strrchr(spec, '/') ? strrchr(spec, '/') + 1 : spec, n_people,
                             source ? source : "not declared");
    if (n < 0)
        return PS_ERROR_NOMEM;
    p.note = ps_arena_strdup(arena, note);
    free(note);
    if (!p.note)
        return PS_ERROR_NOMEM;
    *population = p;
    return PS_OK;
}
