/*
 * Statistics that must equal R's. Each function follows the R source it
 * names; distribution functions come from libRmath, never from here.
 */
#include "config.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MATHLIB_STANDALONE
#include <Rmath.h>

#include "stats.h"

static ps_figure_t figure(double value)
{
    return (ps_figure_t){value, NULL, NULL};
}

static ps_figure_t missing(const char *reason)
{
    return (ps_figure_t){NAN, reason, NULL};
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
        double p = v > nn * (nn + 1) / 4 ? psignrank(v - 1, nn, 0, 0) : psignrank(v, nn, 1, 0);
        out->p_wilcoxon = figure(fmin(2 * p, 1));
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
    out->p_wilcoxon = figure(2 * fmin(pnorm(z, 0, 1, 1, 0), pnorm(z, 0, 1, 0, 0)));
}

/* The noncentrality parameter at which pt(t, df, ncp) = p; pt falls as ncp rises. */
static double noncentrality(double t, double df, double p)
{
    double lo = t - 1, hi = t + 1;
    for (int i = 0; i < 200 && pnt(t, df, lo, 1, 0) < p; i++)
        lo -= hi - lo;
    for (int i = 0; i < 200 && pnt(t, df, hi, 1, 0) > p; i++)
        hi += hi - lo;
    /* Bisection to the last representable step: pnt is R's own, only the search is ours. */
    for (int i = 0; i < 2000; i++) {
        double mid = lo + (hi - lo) / 2;
        if (mid <= lo || mid >= hi)
            break;
        if (pnt(t, df, mid, 1, 0) > p)
            lo = mid;
        else
            hi = mid;
    }
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
    double t = mean / stderr_, q = qt(0.975, df, 1, 0);
    out->t = figure(t);
    out->p_t = figure(2 * pt(-fabs(t), df, 1, 0));
    out->ci_low = figure(mean - q * stderr_);
    out->ci_high = figure(mean + q * stderr_);
    out->d_z = figure(mean / sd);
    out->g_z = figure(mean / sd * (1 - 3 / (4 * df - 1)));
    out->d_z_ci_low = figure(noncentrality(t, df, 0.975) / sqrt(nn));
    out->d_z_ci_high = figure(noncentrality(t, df, 0.025) / sqrt(nn));
}
