/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Statistics that must equal R's. Each function follows the R source it
 * names; distribution functions come from libRmath, never from here.
 */
#include "config.h"

#include <float.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MATHLIB_STANDALONE
#include <Rmath.h>

#include "stats.h"

/* A bound of d_z's interval where pt(t, df, ncp) jumps across its probability instead of
 * equalling it: beyond |ncp| = 37.62 libRmath's pnt leaves its series for Abramowitz and
 * Stegun's normal approximation (26.7.10), which at small df lies far from the series, and
 * without a warning when the series gives less than 1 - 1e-10. */
static const char jumped[] = "libRmath's pnt jumps across the bound's probability here (its "
                             "series gives way to a normal approximation): the bound may be "
                             "far off";

/* Why a figure is missing when libRmath could not be heard (see RMATH). */
static const char unheard[] = "out of memory (libRmath's warnings could not be kept off "
                              "standard output)";

static ps_figure_t figure(double value)
{
    return (ps_figure_t){.value = value};
}

static ps_figure_t missing(const char *reason)
{
    return (ps_figure_t){.value = NAN, .missing = reason};
}

/* A figure from libRmath, with the note its calls left (NULL when they said nothing). */
static ps_figure_t noted(double value, const char *note)
{
    if (note == unheard)
        return missing(unheard);
    return (ps_figure_t){.value = value, .note = note};
}

/*
 * The one way into libRmath: RMATH(&note, pnt, t, df, ncp, 1, 0) calls
 * pnt(t, df, ncp, 1, 0). Standalone libRmath prints its warnings with printf;
 * for the call, stdout points at 'sink', a memory stream opened once and kept,
 * and anything written there sets *note, if still NULL, to "libRmath doubted its
 * precision (pnt)". The mutex keeps the swap to one call at a time, and with it
 * libRmath's own state (psignrank's table). Without a sink (out of memory) the
 * function is not called: the value is NaN and *note is 'unheard'.
 */
#define RMATH(note, fn, ...)                                                                   \
    (rmath_listen() ? rmath_heard(fn(__VA_ARGS__), (note),                                     \
                                  "libRmath doubted its precision (" #fn ")")                  \
                    : rmath_unheard(note))

static pthread_mutex_t rmath_lock = PTHREAD_MUTEX_INITIALIZER;
static char said[256];      /* the start of libRmath's last warning, for a debugger */
static FILE *sink, *saved;  /* both under rmath_lock */

/* Locks and swaps stdout for the sink; 0 (unlocked) when no sink can be had. */
static int rmath_listen(void)
{
    pthread_mutex_lock(&rmath_lock);
    if (!sink && (sink = fmemopen(said, sizeof said, "w")))
        setvbuf(sink, NULL, _IONBF, 0);
    if (!sink) {
        pthread_mutex_unlock(&rmath_lock);
        return 0;
    }
    rewind(sink);
    saved = stdout;
    stdout = sink;
    return 1;
}

/* Restores stdout and unlocks; passes the call's value on. */
static double rmath_heard(double value, const char **note, const char *doubt)
{
    stdout = saved;
    if (ftell(sink) != 0 && !*note)
        *note = doubt;
    pthread_mutex_unlock(&rmath_lock);
    return value;
}

static double rmath_unheard(const char **note)
{
    *note = unheard;
    return NAN;
}

/* src/main/summary.c, real_mean(). */
double ps_mean(const double *x, size_t n)
{
    long double s = 0;
    for (size_t i = 0; i < n; i++)
        s += x[i];
    s /= (long double)n;
    if (isfinite((double)s)) {
        long double t = 0;
        for (size_t i = 0; i < n; i++)
            t += x[i] - s;
        s += t / (long double)n;
    }
    return (double)s;
}

/* src/library/stats/src/cov.c: two passes about the (corrected) mean. */
double ps_variance(const double *x, size_t n, double mean)
{
    long double sum = 0;
    for (size_t i = 0; i < n; i++) {
        long double d = x[i] - mean;
        sum += d * d;
    }
    return (double)(sum / (long double)(n - 1));
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* median.default: the middle value, or the mean of the middle two. */
double ps_median(double *x, size_t n)
{
    qsort(x, n, sizeof *x, compare_doubles);
    size_t half = (n + 1) / 2;
    if (n % 2)
        return x[half - 1];
    double pair[2] = {x[half - 1], x[half]};
    return ps_mean(pair, 2);
}

void ps_describe(double *x, size_t n, ps_describe_t *out)
{
    if (n == 0) {
        out->mean = out->sd = out->median = missing("no participants");
        return;
    }
    double m = ps_mean(x, n);
    out->mean = figure(m);
    out->sd = n < 2 ? missing("fewer than 2 participants") : figure(sqrt(ps_variance(x, n, m)));
    out->median = figure(ps_median(x, n));
}

/* One non-zero difference for ranking: its size and sign. */
struct signed_rank {
    double size;
    int positive;
};

size_t ps_paired_scratch(size_t n)
{
    size_t a = (n ? n : 1) * sizeof(struct signed_rank), b = (n ? n : 1) * sizeof(double);
    return a > b ? a : b;
}

static int compare_sizes(const void *a, const void *b)
{
    double x = ((const struct signed_rank *)a)->size, y = ((const struct signed_rank *)b)->size;
    return (x > y) - (x < y);
}

/* stats:::wilcox.test.default, paired, two-sided, exact = NULL, correct = TRUE. */
static void wilcoxon(const double *d, size_t n, void *scratch, ps_paired_t *out)
{
    struct signed_rank *r = scratch;
    size_t m = 0;
    int zeroes = 0;
    for (size_t i = 0; i < n; i++) {
        if (d[i] == 0)
            zeroes = 1;
        else
            r[m++] = (struct signed_rank){fabs(d[i]), d[i] > 0};
    }
    if (m == 0) {
        out->wilcoxon_v = out->p_wilcoxon = missing("every difference is zero");
        return;
    }
    qsort(r, m, sizeof *r, compare_sizes);
    /* rank(): tied sizes share the mean of their positions. */
    double v = 0, tie_term = 0;
    int ties = 0;
    for (size_t i = 0; i < m;) {
        size_t j = i;
        while (j + 1 < m && r[j + 1].size == r[i].size)
            j++;
        double rank = (double)(i + j + 2) / 2.0, t = (double)(j - i + 1);
        ties |= j > i;
        tie_term += t * t * t - t;
        for (size_t k = i; k <= j; k++)
            if (r[k].positive)
                v += rank;
        i = j + 1;
    }
    double nn = (double)m;
    out->wilcoxon_v = figure(v);
    if (m < 50 && !ties && !zeroes) {
        out->wilcoxon_exact = 1;
        const char *note = NULL;
        double p = v > nn * (nn + 1) / 4 ? RMATH(&note, psignrank, v - 1, nn, 0, 0)
                                         : RMATH(&note, psignrank, v, nn, 1, 0);
        out->p_wilcoxon = noted(fmin(2 * p, 1), note);
        return;
    }
    double z = v - nn * (nn + 1) / 4;
    double sigma = sqrt(nn * (nn + 1) * (2 * nn + 1) / 24 - tie_term / 48);
    if (sigma == 0) {
        out->p_wilcoxon = missing("every difference is tied");
        return;
    }
    double correction = z > 0 ? 0.5 : z < 0 ? -0.5 : 0;
    z = (z - correction) / sigma;
    const char *note = NULL;
    double lower = RMATH(&note, pnorm, z, 0, 1, 1, 0), upper = RMATH(&note, pnorm, z, 0, 1, 0, 0);
    out->p_wilcoxon = noted(2 * fmin(lower, upper), note);
}

/*
 * The noncentrality parameter at which pt(t, df, ncp) = p; pt falls as ncp
 * rises. The bracket steps out where pnt does not warn. For t >= 0 pnt doubts a
 * lower tail above 1 - 1e-10 ('pnt{final}'), which only an ncp well below the
 * root gives; going down from above the root,
 *  - no step to 'calm' or above gets there: with S the t denominator and
 *    P(S < s) = 2e-8, an ncp >= t s leaves an upper tail of at least
 *    P(Z >= 0) * 2e-8 = 1e-8;
 *  - nor does a step of 1: pt(t, df, ncp) is the mean over S of
 *    pnorm(t S - ncp), and Jensen's inequality bounds the upper tail a step
 *    below the root by the single normal's, pnorm(qnorm(1 - p) - 1), 0.0015 for
 *    p = 0.975, whatever df.
 * So steps double down to 'calm' and go by 1 below it. For t < 0 pnt reflects
 * the problem and never doubts its lower tail, and upwards pt falls towards 0:
 * there steps double. The bisection stays inside the bracket, so pnt warns only
 * where its series itself falters. The counts of steps are a guard only. pt is
 * not continuous in ncp: where the bisection closes on pnt's jump from its series
 * to its normal approximation (|ncp| = 37.62) rather than on a root, *note says
 * so, whether or not pnt printed anything.
 */
static double noncentrality(double t, double df, double p, const char **note)
{
    double lo = t - 1, hi = t + 1;
    double calm = t >= 0 ? t * sqrt(RMATH(note, qchisq, 2e-8, df, 1, 0) / df) : -INFINITY;
    double step = 1;
    for (int i = 0; i < 2000 && RMATH(note, pnt, t, df, lo, 1, 0) < p; i++, step *= 2)
        lo = lo > calm ? fmax(lo - step, calm) : lo - 1;
    step = 1;
    for (int i = 0; i < 2000 && RMATH(note, pnt, t, df, hi, 1, 0) > p; i++, step *= 2)
        hi += step;
    /* Bisection to the last representable step: pnt is R's own, only the search is ours. */
    for (int i = 0; i < 2000; i++) {
        double mid = lo + (hi - lo) / 2;
        if (mid <= lo || mid >= hi)
            break;
        if (RMATH(note, pnt, t, df, mid, 1, 0) > p)
            lo = mid;
        else
            hi = mid;
    }
    /* Either side of a root pt is within a rounding error of p; across a jump it is not. */
    double above = RMATH(note, pnt, t, df, lo, 1, 0), below = RMATH(note, pnt, t, df, hi, 1, 0);
    if (above - below > 1e-6 && !*note)
        *note = jumped;
    return lo + (hi - lo) / 2;
}

void ps_paired(const double *d, size_t n, void *scratch, ps_paired_t *out)
{
    memset(out, 0, sizeof *out);
    out->n = n;
    if (n < 2) {
        /* Nothing is computed from fewer than 2 pairs: one pair is one person's change. */
        ps_figure_t none = missing(n == 0 ? "no pairs" : "fewer than 2 pairs");
        out->mean_change = out->sd_change = out->ci_low = out->ci_high = out->t = out->df =
            out->p_t = out->wilcoxon_v = out->p_wilcoxon = out->d_z = out->d_z_ci_low =
                out->d_z_ci_high = out->g_z = none;
        return;
    }
    double mean = ps_mean(d, n), sd = sqrt(ps_variance(d, n, mean));
    double nn = (double)n, df = nn - 1, stderr_ = sd / sqrt(nn);
    out->mean_change = figure(mean);
    out->sd_change = figure(sd);
    out->df = figure(df);
    wilcoxon(d, n, scratch, out);
    /* t.test: "data are essentially constant" below this. */
    if (stderr_ < 10 * DBL_EPSILON * fabs(mean) || sd == 0) {
        const char *constant = "every change is the same (no variation)";
        out->ci_low = out->ci_high = out->t = out->p_t = out->d_z = out->d_z_ci_low =
            out->d_z_ci_high = out->g_z = missing(constant);
        return;
    }
    const char *p_note = NULL, *q_note = NULL, *low_note = NULL, *high_note = NULL;
    double t = mean / stderr_, q = RMATH(&q_note, qt, 0.975, df, 1, 0);
    out->t = figure(t);
    out->p_t = noted(2 * RMATH(&p_note, pt, -fabs(t), df, 1, 0), p_note);
    out->ci_low = noted(mean - q * stderr_, q_note);
    out->ci_high = noted(mean + q * stderr_, q_note);
    out->d_z = figure(mean / sd);
    out->g_z = figure(mean / sd * (1 - 3 / (4 * df - 1)));
    double low = noncentrality(t, df, 0.975, &low_note), high = noncentrality(t, df, 0.025, &high_note);
    out->d_z_ci_low = noted(low / sqrt(nn), low_note);
    out->d_z_ci_high = noted(high / sqrt(nn), high_note);
}

/* qt(p, df): the t quantile for an interval of another module (service use). */
ps_figure_t ps_t_quantile(double p, double df)
{
    const char *note = NULL;
    double q = RMATH(&note, qt, p, df, 1, 0);
    return noted(q, note);
}
