/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Service use: the empirical-Bayes counterfactual (Hauer, Observational Before-After Studies
 * in Road Safety, 1997; Hauer et al., Transportation Research Record 1784, 2002). Private to
 * libpromscore.
 *
 * Among all attenders, the count of the selection rule's measure in a whole selection window
 * is negative binomial with mean 'mean' and shape 'shape' (variance mean + mean^2 / shape):
 * Poisson with a gamma(shape, rate shape / mean) mean. A person with x events in the part t0
 * of the selection window they were observed (days observed / the window's days) has a gamma
 * posterior (shape + x, shape / mean + t0); in the part t1 of the after window observed
 * (days observed / the selection window's days) they are expected, without intervention, to
 * have
 *     E = (shape + x) * mean * t1 / (shape + mean * t0)
 * events, with variance Var(E) = E * mean * t1 / (shape + mean * t0) (the posterior's,
 * scaled). With whole windows of equal length, E = (shape + x) mean / (shape + mean).
 * docs/service-use.md derives it; tests/golden/service/eb.R checks it against R.
 */
#ifndef PROMSCORE_SERVICEBAYES_H
#define PROMSCORE_SERVICEBAYES_H

#include <stddef.h>

#include "csvread.h"
#include "internal.h"

/* A population of all attenders: none when shape is 0. */
struct ps_su_population {
    double mean, shape;
    const char *note;            /* where it comes from, in words (in the cohort's arena) */
};

/*
 * A person's expected count after without intervention, and its variance, for x events in
 * the fraction t0 > 0 of the selection window observed and the fraction t1 >= 0 of it that
 * the after window observed (the after window's days observed / the selection window's
 * days). Either pointer may be NULL.
 */
void ps_su_eb_expected(const struct ps_su_population *population, double x, double t0,
                       double t1, double *expected, double *variance);

/*
 * Hauer's index of effectiveness for 'observed' events after against 'expected' with
 * variance 'variance' (sums of ps_su_eb_expected over people): theta = (O / E) / (1 + Var /
 * E^2), and its 95% CI theta -+ qnorm(0.975) sqrt(Var(theta)), Var(theta) = theta^2 (1 / O
 * + Var / E^2) / (1 + Var / E^2)^2, the low end no lower than 0. Returns why not when there
 * is no index (expected 0) or no interval (observed 0; *index is then set), else NULL.
 */
const char *ps_su_eb_index(double observed, double expected, double variance, double *index,
                           double *low, double *high);

/*
 * The negative binomial fitted by maximum likelihood to counts[i] seen in people[i] people
 * (i < n; counts whole, 0 to PS_SU_MAX_HISTOGRAM_COUNT): the mean is the weighted mean, the
 * shape the root of the score in the shape (MASS::theta.ml's, with digamma(s + y) -
 * digamma(s) as the finite sum over j < y of 1 / (s + j)), found by Newton's method kept
 * within a bracket by bisection. Returns NULL, or why there is no fit (fewer than two
 * people, no events, a variance not above the mean: no over-dispersion, no finite shape).
 */
#define PS_SU_MAX_HISTOGRAM_COUNT 100000.0
const char *ps_su_nb_fit(const double *counts, const double *people, size_t n, double *mean,
                         double *shape);

/*
 * Reads 'spec' into *population: "nb:mean=M,shape=K" (both > 0), or the name of a CSV file
 * of a histogram with columns count and people (read with 'csv'), fitted by ps_su_nb_fit.
 * 'source', when not NULL, is where the figures come from, added to the note. Bad input is
 * diagnosed (PS_ERROR_USAGE for the spec, PS_ERROR_BATCH naming file, line and column for
 * the file).
 */
ps_error_t ps_su_population_read(ps_context_t *context, const char *spec, const char *source,
                                 const ps_csv_options_t *csv, ps_arena_t *arena,
                                 struct ps_su_population *population);

#endif
