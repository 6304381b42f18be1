/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The statistics of a cohort change report, computed as R computes them
 * (t.test, wilcox.test, the noncentral-t interval of d_z) with R's own
 * distribution functions from libRmath. Private to libpromscore.
 *
 * Standalone libRmath prints its warnings ("full precision may not have been
 * achieved in 'pnt{final}'") with printf, to standard output, where a report
 * may be going. So while a libRmath call runs, stats.c swaps the stdout
 * variable for a memory stream of its own (under a mutex; glibc lets stdout be
 * assigned) and restores it after: nothing libRmath says reaches standard
 * output, and a figure it warned about carries a note. Another thread writing
 * to stdout during such a call would lose what it wrote to that stream.
 */
#ifndef PROMSCORE_STATS_H
#define PROMSCORE_STATS_H

#include <stddef.h>

/* A figure, or the reason it cannot be computed. */
typedef struct ps_figure {
    double value;
    const char *missing;   /* NULL when value holds the figure */
    /* NULL, or a caveat on a figure that is still given: "libRmath doubted its precision
     * (pnt)" when libRmath printed a warning while computing it, or, on a bound of d_z's
     * interval, that pnt jumps across it. A static string. */
    const char *note;
} ps_figure_t;

/* Mean, SD and median of one sample. */
typedef struct ps_describe {
    ps_figure_t mean, sd, median;
} ps_describe_t;

/* Paired change, D = follow-up - baseline. */
typedef struct ps_paired {
    size_t n;
    ps_figure_t mean_change, sd_change, ci_low, ci_high;
    ps_figure_t t, df, p_t;                /* t.test(post, pre, paired = TRUE) */
    ps_figure_t wilcoxon_v, p_wilcoxon;    /* wilcox.test(post, pre, paired = TRUE) */
    int wilcoxon_exact;                    /* 1: psignrank; 0: normal approximation */
    ps_figure_t d_z, d_z_ci_low, d_z_ci_high, g_z;
} ps_paired_t;

/* R's mean(): a long double sum with a second, correcting pass. */
double ps_mean(const double *x, size_t n);
/* R's var() for one sample (n >= 2). */
double ps_variance(const double *x, size_t n, double mean);
/* R's median(); sorts x in place. */
double ps_median(double *x, size_t n);

/* Describes x (n values); sorts x in place for the median. */
void ps_describe(double *x, size_t n, ps_describe_t *out);

/*
 * Paired statistics of the differences d (n values). 'scratch' has room for
 * n doubles and n size_t; d is left unchanged.
 */
void ps_paired(const double *d, size_t n, void *scratch, ps_paired_t *out);

/* Bytes of scratch ps_paired needs for n pairs. */
size_t ps_paired_scratch(size_t n);

/* R's qt(p, df), through the one way into libRmath (its warnings kept off stdout). */
ps_figure_t ps_t_quantile(double p, double df);

#endif
