/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The service-use report: for each measure, comparison of two windows and
 * cohort, the statistics of the catalogue (promscore/statistics.h, service
 * use) as a tidy list of figures; the relations between its counts
 * (catalogue.c); then disclosure control (disclosure.c) over counts of people
 * and of events alike, and the figures that follow from what it hides.
 *
 * The rate ratio is a ratio of sums over the same people (Poisson's estimate
 * with a log person-time offset); its interval is on the log scale with the
 * cluster-robust (sandwich) variance over people, times n / (n - 1), and t
 * with n - 1 degrees of freedom; or, chosen instead, quasi-Poisson's (glm over each
 * person's two windows, t with 2n - 2). See docs/service-use.md and
 * tests/golden/service/service.R and eb.R, which check them against R's glm.
 *
 * With a population (servicebayes.h), the blocks of the people referred on the rule's
 * measure from its window also have the empirical-Bayes counterfactual: the events expected
 * after without intervention and Hauer's index (eb_figures, emit_eb).
 */
#include "config.h"

#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalogue.h"
#include "disclosure.h"
#include "costs.h"
#include "serviceuse.h"
#include "stats.h"

#define NONE SIZE_MAX
#define ALL SIZE_MAX                /* a whole cohort, not a group */
#define DAYS_PER_YEAR 365.25
/* A count never published (what a total has beyond its listed parts), in a term. */
#define LATENT(k) (SIZE_MAX / 2 + (k))
#define IS_LATENT(ref) ((ref) >= SIZE_MAX / 2 && (ref) != NONE)

/* lo <= sum of coefficient * count <= hi over terms first_term.. of the report's terms; the
 * latent counts, when there are any, come last. */
struct relation {
    size_t first_term, n_terms;
    double lo, hi;
    size_t n_latent;
    int adds_figures;               /* see ps_sdc_relation */
};

/* The counts a figure rests on: the catalogue's two of its block, its block's n_people (a
 * figure is about them, and "needs 2 or more people" tells of them), and for a net figure the
 * comparison cohort's events and n_people. */
#define RESTS 6

struct ps_service_report {
    ps_arena_t *arena;
    ps_statistic_t *stats;
    size_t n, size;
    size_t *rests_on;               /* RESTS per statistic, NONE when fewer */
    struct relation *relations;
    size_t n_relations, relations_size;
    size_t *term_statistic;
    double *term_coefficient;
    size_t n_terms, terms_size, coefficients_size;
    double *latent;                 /* true values of the latent counts */
    size_t n_latent, latent_size;
    unsigned char *latent_total;    /* each: 1 for the events of 1..threshold people */
    const char *before_window;      /* comparisons from it are what a reader looks for */
    size_t latent_total_size;
    size_t *listed, n_listed;       /* the relations that say something of published counts */
    /* Counts never published, whatever their size, and never to be worked out: one total of
     * two comparisons whose own people, on each side, are 1..threshold (see relate_shared). */
    size_t *apart, n_apart, apart_size;
    int out_of_memory;
    ps_audit_t audit;
    ps_disclosure_t rule;
    char rule_text[800];
};

/* ---- Figures. ---- */

static ps_figure_t figure(double value)
{
    return (ps_figure_t){value, NULL, NULL};
}

static ps_figure_t missing(const char *reason)
{
    return (ps_figure_t){NAN, reason, NULL};
}

/* One paired person: counts and days observed in the comparison's two windows. */
struct person {
    double before, after, days_before, days_after;
};

/* A block's figures, before they become statistics. */
struct block_figures {
    size_t n, unpaired, fell, stayed, rose, none_before, none_after, outside;
    int has_outside;
    double events_before, events_after, days_before, days_after;
    ps_figure_t rate_ratio, log_variance;   /* the variance of log rate_ratio */
    double df;                              /* of the interval's t */
    int has_eb;                             /* empirical Bayes: expected after, variance */
    size_t eb_partial;                      /* people observed for part of either window */
    double eb_expected, eb_variance;
};

/* quasi-Poisson's variance of the log rate ratio: the dispersion (Pearson's chi-square over
 * 2n - 2 residual degrees of freedom) times 1 / E0 + 1 / E1, as summary.glm gives it. */
static double quasi_poisson_variance(const struct person *p, const struct block_figures *f,
                                     double r0, double r1)
{
    long double chi = 0;
    for (size_t i = 0; i < f->n; i++) {
        double m0 = r0 * p[i].days_before, m1 = r1 * p[i].days_after;
        chi += (long double)(p[i].before - m0) * (p[i].before - m0) / m0 +
               (long double)(p[i].after - m1) * (p[i].after - m1) / m1;
    }
    return (double)chi / (2.0 * (double)f->n - 2) * (1 / f->events_before + 1 / f->events_after);
}

/* The rate ratio and the variance of its log over the people p[0..n): the sandwich, or
 * quasi-Poisson's. */
static void rate_ratio(const struct person *p, struct block_figures *f, int interval,
                       ps_figure_t *ratio, ps_figure_t *log_variance)
{
    f->df = interval == PS_SERVICE_QUASI_POISSON ? 2.0 * (double)f->n - 2 : (double)f->n - 1;
    if (!f->n) {
        *ratio = *log_variance = missing("no one has counts in both windows");
        return;
    }
    if (f->events_before == 0) {
        *ratio = *log_variance = missing("no events in the first window: no ratio");
        return;
    }
    const double r0 = f->events_before / f->days_before, r1 = f->events_after / f->days_after;
    *ratio = figure(r1 / r0);
    if (f->n < 2) {
        *log_variance = missing("needs 2 or more people");
        return;
    }
    if (f->events_after == 0) {
        *log_variance = missing("no events in the second window: no interval on the log scale");
        return;
    }
    /* Each person's share of the estimating equations (u, v), as one cluster. */
    long double sum = 0;
    for (size_t i = 0; i < f->n; i++) {
        double u = p[i].after - r1 * p[i].days_after, v = p[i].before - r0 * p[i].days_before;
        double w = u / f->events_after - v / f->events_before;
        sum += (long double)w * w;
    }
    double variance = interval == PS_SERVICE_QUASI_POISSON
                          ? quasi_poisson_variance(p, f, r0, r1)
                          : (double)sum * (double)f->n / (double)(f->n - 1);
    /* As t.test finds data "essentially constant". */
    if (sqrt(variance) < 10 * DBL_EPSILON)
        *log_variance = missing("every person's use is in the same proportion: no variation "
                                "for an interval");
    else
        *log_variance = figure(variance);
}

/* The ends of exp(log ratio -+ qt(0.975, df) * sqrt(variance)). */
static void interval(ps_figure_t ratio, ps_figure_t log_variance, double df, ps_figure_t *low,
                     ps_figure_t *high)
{
    if (ratio.missing || log_variance.missing) {
        *low = *high = missing(ratio.missing ? ratio.missing : log_variance.missing);
        return;
    }
    ps_figure_t q = ps_t_quantile(0.975, df);
    if (q.missing) {
        *low = *high = q;
        return;
    }
    double se = sqrt(log_variance.value);
    *low = (ps_figure_t){ratio.value * exp(-q.value * se), NULL, q.note};
    *high = (ps_figure_t){ratio.value * exp(q.value * se), NULL, q.note};
}

/* The empirical-Bayes sums over the paired people: each one's count after expected without
 * intervention, and its variance, from their count in the rule's window w0 (servicebayes.h).
 * The time observed in each window is taken over the rule window's length. */
static void eb_figures(const ps_service_cohort_t *c, const struct person *p,
                       struct block_figures *f, size_t w0, size_t w1)
{
    const double length = c->windows[w0].days, after = c->windows[w1].days;
    long double expected = 0, variance = 0;
    f->eb_partial = 0;
    for (size_t i = 0; i < f->n; i++) {
        double e, v;
        f->eb_partial += p[i].days_before < length || p[i].days_after < after;
        ps_su_eb_expected(&c->population, p[i].before, p[i].days_before / length,
                          p[i].days_after / length, &e, &v);
        expected += e;
        variance += v;
    }
    f->has_eb = 1;
    f->eb_expected = (double)expected;
    f->eb_variance = (double)variance;
}

/* Whom a block is about: the people of an arm, all of them or those with one value of a
 * column to group by. */
struct slice {
    const struct ps_service_arm_data *arm;
    size_t by;                      /* ALL for everyone */
    uint32_t group;
};

static int in_slice(const ps_service_cohort_t *c, const struct slice *s, size_t p)
{
    return s->by == ALL || s->arm->groups[p * c->n_by + s->by] == s->group;
}

/* Whether anyone of the arm is in the slice. */
static int slice_has_people(const ps_service_cohort_t *c, const struct slice *s)
{
    for (size_t p = 0; p < ps_names_count(s->arm->participants); p++)
        if (in_slice(c, s, p))
            return 1;
    return 0;
}

/* The figures of measure m, windows w0 -> w1, over a slice; 'people' has room for everyone. */
static void block_figures(const ps_service_cohort_t *c, const struct slice *slice, size_t m,
                          size_t w0, size_t w1, struct person *people, struct block_figures *f)
{
    const struct ps_service_arm_data *arm = slice->arm;
    const size_t nw = c->n_windows, nm = c->definition->n_measures;
    const size_t n_participants = ps_names_count(arm->participants);
    *f = (struct block_figures){0};
    f->has_outside = c->has_rule && c->rule.measure == m && c->rule.window == w0;
    for (size_t p = 0; p < n_participants; p++) {
        if (!in_slice(c, slice, p))
            continue;
        size_t at0 = p * nw + w0, at1 = p * nw + w1;
        double x = arm->counts[at0 * nm + m], a = arm->exposure[at0];
        double y = arm->counts[at1 * nm + m], b = arm->exposure[at1];
        int before = !isnan(x) && a > 0, after = !isnan(y) && b > 0;
        if (before && !after)
            f->unpaired++;
        if (!before || !after)
            continue;
        people[f->n++] = (struct person){x, y, a, b};
        f->events_before += x;
        f->events_after += y;
        f->days_before += a;
        f->days_after += b;
        /* Rates compared exactly: counts and days are whole numbers. */
        double after_rate = y * a, before_rate = x * b;
        f->fell += after_rate < before_rate;
        f->stayed += after_rate == before_rate;
        f->rose += after_rate > before_rate;
        f->none_before += x == 0;
        f->none_after += y == 0;
        f->outside += f->has_outside && x < (double)c->rule.least;
    }
    rate_ratio(people, f, c->interval, &f->rate_ratio, &f->log_variance);
    if (f->has_outside && c->population.shape > 0 && arm == &c->arms[PS_SERVICE_REFERRED])
        eb_figures(c, people, f, w0, w1);
}

/* ---- Statistics and the relations between them. ---- */

struct block {
    ps_service_report_t *report;
    const char *unit, *group, *comparison;
    size_t start;
};

static const char *format(ps_service_report_t *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static const char *format(ps_service_report_t *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *text = n >= 0 ? ps_arena_alloc(r->arena, (size_t)n + 1) : NULL;
    if (!text) {
        r->out_of_memory = 1;
        return NULL;
    }
    va_start(ap, fmt);
    vsnprintf(text, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return text;
}

/* Adds statistic 'id' with figure f; returns its number or NONE. */
static size_t put(struct block *b, ps_statistic_id_t id, ps_figure_t f)
{
    ps_service_report_t *r = b->report;
    const ps_statistic_info_t *info = ps_statistic_info(id);
    if (r->n == r->size) {
        size_t size = r->size;
        size_t *rests = NULL;
        if (!ps_grow((void **)&r->stats, &size, r->n + 1, sizeof *r->stats) &&
            (rests = realloc(r->rests_on, RESTS * size * sizeof *rests)))
            r->rests_on = rests;
        if (!rests) {
            r->out_of_memory = 1;
            return NONE;
        }
        r->size = size;
    }
    r->stats[r->n] = (ps_statistic_t){
        .unit = b->unit, .group = b->group, .comparison = b->comparison, .id = id,
        .name = info->name, .value = f.missing ? NAN : f.value,
        .shown = f.missing ? PS_NOT_COMPUTABLE : PS_SHOWN, .reason = f.missing, .note = f.note,
        .is_count = info->kind == PS_KIND_COUNT,
    };
    for (int k = 0; k < RESTS; k++)
        r->rests_on[RESTS * r->n + (size_t)k] = NONE;
    return r->n++;
}

static size_t count(struct block *b, ps_statistic_id_t id, double n)
{
    return put(b, id, figure(n));
}

/* A share or change: computed from the published counts, after disclosure control. */
static size_t from_counts(struct block *b, ps_statistic_id_t id)
{
    return put(b, id, figure(NAN));
}

static size_t find_in(const ps_service_report_t *r, size_t from, size_t to, ps_statistic_id_t id)
{
    for (size_t i = from; i < to; i++)
        if (r->stats[i].id == id)
            return i;
    return NONE;
}

/* A latent count of true value 'value': its reference in a term, or NONE when out of memory. */
static size_t new_latent_of(ps_service_report_t *r, double value, int total)
{
    if (ps_grow((void **)&r->latent, &r->latent_size, r->n_latent + 1, sizeof *r->latent) ||
        ps_grow((void **)&r->latent_total, &r->latent_total_size, r->n_latent + 1, 1)) {
        r->out_of_memory = 1;
        return NONE;
    }
    r->latent[r->n_latent] = value;
    r->latent_total[r->n_latent] = (unsigned char)total;
    return LATENT(r->n_latent++);
}

static size_t new_latent(ps_service_report_t *r, double value)
{
    return new_latent_of(r, value, 0);
}

/* Records lo <= sum of coefficients * statistics + sum of latent_coefficients * latents <= hi
 * (nothing when a statistic is NONE). */
static int record(ps_service_report_t *r, const size_t *statistics, const double *coefficients,
                  size_t n, const size_t *latents, const double *latent_coefficients,
                  size_t n_latent, double lo, double hi)
{
    for (size_t i = 0; i < n; i++)
        if (statistics[i] == NONE)
            return 0;
    for (size_t i = 0; i < n_latent; i++)
        if (latents[i] == NONE)
            return -1;
    size_t want = r->n_terms + n + n_latent;
    if (ps_grow((void **)&r->relations, &r->relations_size, r->n_relations + 1,
                sizeof *r->relations) ||
        ps_grow((void **)&r->term_statistic, &r->terms_size, want, sizeof *r->term_statistic) ||
        ps_grow((void **)&r->term_coefficient, &r->coefficients_size, want,
                sizeof *r->term_coefficient)) {
        r->out_of_memory = 1;
        return -1;
    }
    r->relations[r->n_relations++] =
        (struct relation){r->n_terms, n + n_latent, lo, hi, n_latent, 0};
    memcpy(r->term_statistic + r->n_terms, statistics, n * sizeof *statistics);
    memcpy(r->term_coefficient + r->n_terms, coefficients, n * sizeof *coefficients);
    r->n_terms += n;
    for (size_t i = 0; i < n_latent; i++) {
        r->term_statistic[r->n_terms] = latents[i];
        r->term_coefficient[r->n_terms++] = latent_coefficients[i];
    }
    return 0;
}

/* Records lo <= sum of coefficients * statistics <= hi (nothing when a statistic is NONE),
 * plus, with latent_value >= 0, a latent count of that value with coefficient -1. */
static int relate_terms(ps_service_report_t *r, const size_t *statistics,
                        const double *coefficients, size_t n, double lo, double hi,
                        double latent_value)
{
    static const double minus = -1;
    for (size_t i = 0; i < n; i++)
        if (statistics[i] == NONE)
            return 0;
    const size_t latent = latent_value >= 0 ? new_latent(r, latent_value) : NONE;
    return record(r, statistics, coefficients, n, &latent, &minus, latent_value >= 0, lo, hi);
}

/* Sum of coefficients * statistics = 0 (PS_EXACT), or >= 0: what it has beyond 0 a latent
 * count, protected from being shown small (PS_SLACK), or nothing (PS_BOUND). */
static int relate(ps_service_report_t *r, const size_t *statistics, const double *coefficients,
                  size_t n, enum ps_slack slack)
{
    double rest = 0;
    for (size_t i = 0; i < n; i++) {
        if (statistics[i] == NONE)
            return 0;
        rest += coefficients[i] * r->stats[statistics[i]].value;
    }
    if (slack == PS_BOUND)
        return relate_terms(r, statistics, coefficients, n, 0, INFINITY, -1);
    return relate_terms(r, statistics, coefficients, n, 0, 0,
                        slack == PS_EXACT ? -1 : fmax(rest, 0));
}

/* Expands the catalogue's service-use relation rules within the block [from, to). */
static int relate_block(ps_service_report_t *r, size_t from, size_t to, double least)
{
    for (size_t q = 0; q < ps_n_relation_rules; q++) {
        const struct ps_relation_rule *rule = &ps_relation_rules[q];
        const size_t total = find_in(r, from, to, rule->total);
        if (total == NONE)
            continue;
        size_t terms[4] = {total, NONE, NONE, NONE};
        double coefficients[4] = {1, -1, -1, -1};
        size_t n = 1;
        switch (rule->shape) {
        case PS_SHAPE_SUM:
            for (size_t k = 0; k < rule->n_parts && n < 4; k++)
                terms[n++] = find_in(r, from, to, rule->parts[k]);
            break;
        case PS_SHAPE_SOME_USE: /* total - parts[0] + parts[1] >= 0 */
        case PS_SHAPE_SELECTED: /* total - least * (parts[0] - parts[1]) >= 0 */ {
            double k = rule->shape == PS_SHAPE_SELECTED ? least : 1;
            terms[1] = find_in(r, from, to, rule->parts[0]);
            terms[2] = find_in(r, from, to, rule->parts[1]);
            coefficients[1] = -k;
            coefficients[2] = k;
            n = 3;
            break;
        }
        default: /* the questionnaire report's */
            continue;
        }
        if (relate(r, terms, coefficients, n, rule->slack))
            return -1;
        /* The rule is printed with every table, so a reader takes everyone to meet it; where
         * no one falls outside it, its bound holds without n_outside_rule, hidden or not. */
        if (rule->shape == PS_SHAPE_SELECTED && terms[1] != NONE && terms[2] != NONE &&
            r->stats[terms[2]].value == 0 && relate(r, terms, coefficients, 2, PS_BOUND))
            return -1;
    }
    return 0;
}

/* Resolves what each figure of the block rests on: by the catalogue, and its people. */
static void resolve_block(ps_service_report_t *r, size_t from, size_t to)
{
    const size_t people = find_in(r, from, to, PS_STAT_SU_N_PEOPLE);
    for (size_t i = from; i < to; i++) {
        const ps_statistic_info_t *info = ps_statistic_info(r->stats[i].id);
        for (int k = 0; k < 2; k++)
            if (info->rests_on[k] != PS_STAT_NONE)
                r->rests_on[RESTS * i + (size_t)k] = find_in(r, from, to, info->rests_on[k]);
        if (info->kind != PS_KIND_COUNT && info->kind != PS_KIND_CONSTANT)
            r->rests_on[RESTS * i + 2] = people;
    }
}

/* What the text says of two windows of different lengths. */
static ps_figure_t events_change(ps_service_report_t *r, const struct ps_service_window_def *w0,
                                 const struct ps_service_window_def *w1)
{
    if (w0->days == w1->days)
        return figure(NAN);
    const char *why = format(r, "windows of different lengths (%u and %u days): compare the "
                                "rates",
                             w0->days, w1->days);
    return missing(why ? why : "windows of different lengths: compare the rates");
}

/* The net figures of the referred block against the comparison's. */
static void net_figures(const struct block_figures *referred, const struct block_figures *other,
                        ps_figure_t out[3])
{
    if (referred->rate_ratio.missing || other->rate_ratio.missing) {
        out[0] = out[1] = out[2] = missing("needs both cohorts' rate ratios");
        return;
    }
    if (other->rate_ratio.value == 0) {
        out[0] = out[1] = out[2] = missing("the comparison cohort had no events after: no ratio");
        return;
    }
    out[0] = figure(referred->rate_ratio.value / other->rate_ratio.value);
    if (referred->log_variance.missing || other->log_variance.missing) {
        out[1] = out[2] = missing(referred->log_variance.missing ? referred->log_variance.missing
                                                                 : other->log_variance.missing);
        return;
    }
    interval(out[0], figure(referred->log_variance.value + other->log_variance.value),
             fmin(referred->df, other->df), &out[1], &out[2]);
}

/* The empirical-Bayes figures of a block: the population, the events expected after without
 * intervention, and Hauer's index with its interval. */
static void emit_eb(struct block *b, const ps_service_cohort_t *c, const struct block_figures *f)
{
    ps_service_report_t *r = b->report;
    size_t k = put(b, PS_STAT_SU_EB_POPULATION_MEAN, figure(c->population.mean));
    if (k != NONE) /* the report outlives the cohort */
        r->stats[k].note = format(r, "%s", c->population.note);
    put(b, PS_STAT_SU_EB_POPULATION_SHAPE, figure(c->population.shape));
    if (!f->n) {
        static const ps_statistic_id_t ids[] = {PS_STAT_SU_EB_EXPECTED_AFTER, PS_STAT_SU_EB_INDEX,
                                                PS_STAT_SU_EB_INDEX_CI_LOW,
                                                PS_STAT_SU_EB_INDEX_CI_HIGH};
        for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
            put(b, ids[i], missing("no one has counts in both windows"));
        return;
    }
    /* Each person's expected count is weighted by the time they were observed: beside the
     * person-years and the totals, the expected count of a block where 1..threshold people
     * were observed for part of a window would give those people's counts before. */
    const unsigned threshold = r->rule.suppress ? r->rule.threshold : 0;
    if (f->eb_partial >= 1 && f->eb_partial <= threshold) {
        static const ps_statistic_id_t ids[] = {PS_STAT_SU_EB_EXPECTED_AFTER, PS_STAT_SU_EB_INDEX,
                                                PS_STAT_SU_EB_INDEX_CI_LOW,
                                                PS_STAT_SU_EB_INDEX_CI_HIGH};
        for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
            put(b, ids[i], missing("withheld: few of its people were observed for part of a "
                                   "window (died, moved), and the expected count, weighted by "
                                   "each person's time, would give their counts"));
        return;
    }
    double index, low, high;
    const char *why = ps_su_eb_index(f->events_after, f->eb_expected, f->eb_variance, &index,
                                     &low, &high);
    put(b, PS_STAT_SU_EB_EXPECTED_AFTER, figure(f->eb_expected));
    put(b, PS_STAT_SU_EB_INDEX, isnan(index) ? missing(why) : figure(index));
    put(b, PS_STAT_SU_EB_INDEX_CI_LOW, why ? missing(why) : figure(low));
    put(b, PS_STAT_SU_EB_INDEX_CI_HIGH, why ? missing(why) : figure(high));
}

/* A block's statistics; returns its first, or NONE when out of memory. */
static size_t emit_block(struct block *b, const ps_service_cohort_t *c,
                         const struct block_figures *f, const struct block_figures *comparison,
                         size_t w0, size_t w1)
{
    ps_service_report_t *r = b->report;
    b->start = r->n;
    const double years_before = f->days_before / DAYS_PER_YEAR;
    const double years_after = f->days_after / DAYS_PER_YEAR;
    const ps_figure_t none = missing("no one has counts in both windows");
    count(b, PS_STAT_SU_N_PEOPLE, (double)f->n);
    count(b, PS_STAT_SU_N_UNPAIRED, (double)f->unpaired);
    const size_t events[2] = {count(b, PS_STAT_SU_EVENTS_BEFORE, f->events_before),
                              count(b, PS_STAT_SU_EVENTS_AFTER, f->events_after)};
    /* No one, no events: a reader who sees n_people 0 knows them to be 0, so the audit knows it
     * too (a group empty in one comparison leaves the whole the other groups alone). The
     * relation is of one count, so it is not listed as one the report publishes. */
    static const double one = 1;
    for (int k = 0; k < 2 && !f->n; k++)
        if (events[k] != NONE && record(r, &events[k], &one, 1, NULL, NULL, 0, 0, 0))
            return NONE;
    put(b, PS_STAT_SU_PERSON_YEARS_BEFORE, f->n ? figure(years_before) : none);
    put(b, PS_STAT_SU_PERSON_YEARS_AFTER, f->n ? figure(years_after) : none);
    put(b, PS_STAT_SU_RATE_BEFORE, f->n ? figure(f->events_before / years_before) : none);
    put(b, PS_STAT_SU_RATE_AFTER, f->n ? figure(f->events_after / years_after) : none);
    put(b, PS_STAT_SU_EVENTS_CHANGE, events_change(r, &c->windows[w0], &c->windows[w1]));
    ps_figure_t low, high;
    interval(f->rate_ratio, f->log_variance, f->df, &low, &high);
    size_t at = put(b, PS_STAT_SU_RATE_RATIO, f->rate_ratio);
    /* The catalogue describes the default interval; the other is said in a note. */
    if (at != NONE && !f->rate_ratio.missing && c->interval == PS_SERVICE_QUASI_POISSON)
        r->stats[at].note = "95% CI quasi-Poisson (in place of cluster-robust): glm over each "
                            "person's two windows, dispersion from Pearson's chi-square, t "
                            "with 2n - 2 df";
    put(b, PS_STAT_SU_RATE_RATIO_CI_LOW, low);
    put(b, PS_STAT_SU_RATE_RATIO_CI_HIGH, high);
    if (comparison) {
        ps_figure_t nf[3];
        net_figures(f, comparison, nf);
        put(b, PS_STAT_SU_NET_RATE_RATIO, nf[0]);
        put(b, PS_STAT_SU_NET_RATE_RATIO_CI_LOW, nf[1]);
        put(b, PS_STAT_SU_NET_RATE_RATIO_CI_HIGH, nf[2]);
    }
    count(b, PS_STAT_SU_N_FELL, (double)f->fell);
    count(b, PS_STAT_SU_N_STAYED, (double)f->stayed);
    count(b, PS_STAT_SU_N_ROSE, (double)f->rose);
    from_counts(b, PS_STAT_SU_SHARE_FELL);
    count(b, PS_STAT_SU_N_NONE_BEFORE, (double)f->none_before);
    count(b, PS_STAT_SU_N_NONE_AFTER, (double)f->none_after);
    from_counts(b, PS_STAT_SU_SHARE_NONE_AFTER);
    if (c->has_rule) {
        size_t k = put(b, PS_STAT_SU_SELECTED_AT_LEAST, figure((double)c->rule.least));
        if (k != NONE) /* the report outlives the cohort */
            r->stats[k].note = format(r, "%s", c->rule.text);
    }
    if (f->has_outside)
        count(b, PS_STAT_SU_N_OUTSIDE_RULE, (double)f->outside);
    if (f->has_eb)
        emit_eb(b, c, f);
    if (r->out_of_memory)
        return NONE;
    resolve_block(r, b->start, r->n);
    if (relate_block(r, b->start, r->n, f->has_outside ? (double)c->rule.least : 0))
        return NONE;
    return b->start;
}

/* The net figures rest on the comparison block's events and people too. */
static void rest_on_comparison(ps_service_report_t *r, size_t referred, size_t referred_end,
                               size_t comparison, size_t comparison_end)
{
    static const ps_statistic_id_t theirs[] = {PS_STAT_SU_EVENTS_BEFORE, PS_STAT_SU_EVENTS_AFTER,
                                               PS_STAT_SU_N_PEOPLE};
    for (size_t i = referred; i < referred_end; i++) {
        ps_statistic_id_t id = r->stats[i].id;
        if (id == PS_STAT_SU_NET_RATE_RATIO || id == PS_STAT_SU_NET_RATE_RATIO_CI_LOW ||
            id == PS_STAT_SU_NET_RATE_RATIO_CI_HIGH)
            for (size_t k = 0; k < 3; k++)
                r->rests_on[RESTS * i + 3 + k] =
                    find_in(r, comparison, comparison_end, theirs[k]);
    }
}

/* Whether the arm has a count of the measure in any window. */
static int measured(const ps_service_cohort_t *c, const struct ps_service_arm_data *arm, size_t m)
{
    const size_t nm = c->definition->n_measures;
    const size_t cells = ps_names_count(arm->participants) * c->n_windows;
    for (size_t i = 0; i < cells; i++)
        if (!isnan(arm->counts[i * nm + m]))
            return 1;
    return 0;
}

/* The blocks of one slice of both arms: its referred block (with the net figures when the
 * comparison cohort has the slice too), then the comparison's; start and end of each, NONE
 * for a block not made. */
struct pair {
    size_t start[2], end[2];
};

/* Who the blocks of a comparison are about, and where the figures go. */
struct comparison {
    ps_service_report_t *report;
    const ps_service_cohort_t *cohort;
    size_t m, w0, w1;
    const char *text;               /* "pre12->post12" */
    struct person *people;          /* room for everyone of either arm */
};

/* What the people referred's events_change may be taken for: a fall of a cohort chosen for
 * high use comes without any intervention (regression to the mean); and the counterfactual the
 * report has beside it, if any. */
static const char *regression_note(ps_service_report_t *r, const ps_service_cohort_t *c,
                                   const struct comparison *k, int has_comparison, int has_eb)
{
    const char *before = c->windows[c->before].name;
    if (k->w1 == c->before)
        return format(r, "the change into %s, the last window before the index date: a rise into "
                         "it means a fall after it is expected without any intervention "
                         "(regression to the mean)",
                      before);
    const char *chosen = c->has_rule ? "the fall of a cohort chosen for high use is expected "
                                       "without any intervention (regression to the mean)"
                                     : "if these people were chosen for high use, a fall is "
                                       "expected without any intervention (regression to the "
                                       "mean)";
    static const char net[] = "net_rate_ratio, the fall beyond the comparison cohort's";
    static const char eb[] = "eb_index, the events after against those expected without "
                             "intervention (empirical Bayes)";
    if (has_comparison && has_eb)
        return format(r, "not attributable: %s; the counterfactuals are %s, and %s", chosen, net,
                      eb);
    if (has_comparison || has_eb)
        return format(r, "not attributable: %s; the counterfactual is %s", chosen,
                      has_comparison ? net : eb);
    if (c->before > 0)
        return format(r, "not attributable: %s; no counterfactual (no comparison cohort): %s->%s "
                         "shows whether %s was a peak",
                      chosen, c->windows[c->before - 1].name, before, before);
    return format(r, "not attributable: %s; no counterfactual (no comparison cohort)", chosen);
}

static int emit_pair(const struct comparison *k, size_t by, uint32_t group,
                     const char *const labels[2], struct pair *out)
{
    const ps_service_cohort_t *c = k->cohort;
    ps_service_report_t *r = k->report;
    struct slice slices[2] = {{&c->arms[PS_SERVICE_REFERRED], by, group},
                              {&c->arms[PS_SERVICE_COMPARISON], by, group}};
    struct block_figures figures[2];
    int made[2];
    for (int a = 0; a < 2; a++) {
        out->start[a] = out->end[a] = NONE;
        /* The whole referred cohort always has its blocks; a group, when anyone is in it. */
        made[a] = (by == ALL && a == PS_SERVICE_REFERRED) || slice_has_people(c, &slices[a]);
        if (made[a])
            block_figures(c, &slices[a], k->m, k->w0, k->w1, k->people, &figures[a]);
    }
    for (int a = 0; a < 2; a++) {
        if (!made[a])
            continue;
        struct block b = {r, c->definition->measures[k->m].id, labels[a], k->text, 0};
        const struct block_figures *theirs =
            a == PS_SERVICE_REFERRED && made[1] ? &figures[1] : NULL;
        if (!labels[a] || emit_block(&b, c, &figures[a], theirs, k->w0, k->w1) == NONE)
            return -1;
        out->start[a] = b.start;
        out->end[a] = r->n;
        size_t change = find_in(r, b.start, r->n, PS_STAT_SU_EVENTS_CHANGE);
        if (a == PS_SERVICE_REFERRED && change != NONE &&
            !(r->stats[change].note = regression_note(r, c, k, theirs != NULL, figures[a].has_eb)))
            return -1;
    }
    if (made[0] && made[1])
        rest_on_comparison(r, out->start[0], out->end[0], out->start[1], out->end[1]);
    return 0;
}

/* Whether everyone of the arm has a value in column 'by': then its groups add up to all. */
static int column_complete(const ps_service_cohort_t *c, const struct ps_service_arm_data *arm,
                           size_t by)
{
    for (size_t p = 0; p < ps_names_count(arm->participants); p++)
        if (arm->groups[p * c->n_by + by] == PS_SU_NO_GROUP)
            return 0;
    return 1;
}

/* Each count of a whole block = the sum of the same count over its groups' blocks (>= when
 * some of the arm have no value): the figures resting on it add up likewise. */
static int relate_groups(ps_service_report_t *r, const struct pair *whole,
                         const struct pair *groups, size_t n_groups, int arm, int complete)
{
    const size_t from = whole->start[arm], to = whole->end[arm];
    size_t *terms = malloc((n_groups + 1) * sizeof *terms);
    double *coefficients = malloc((n_groups + 1) * sizeof *coefficients);
    const struct ps_relation_rule *rule = ps_relation_rule_of(PS_SHAPE_OVER_GROUPS);
    int err = !terms || !coefficients;
    for (size_t i = from; i < to && from != NONE && !err; i++) {
        if (!r->stats[i].is_count)
            continue;
        size_t n = 0;
        terms[n] = i;
        coefficients[n++] = 1;
        for (size_t g = 0; g < n_groups; g++)
            if (groups[g].start[arm] != NONE) {
                terms[n] = find_in(r, groups[g].start[arm], groups[g].end[arm], r->stats[i].id);
                coefficients[n++] = -1;
            }
        if (n < 2)
            break;
        size_t before = r->n_relations;
        err = relate(r, terms, coefficients, n, complete ? PS_EXACT : PS_SLACK);
        if (!err && r->n_relations > before)
            r->relations[before].adds_figures =
                rule->figures_add_up && ps_statistic_bears_figures(r->stats[i].id);
    }
    /* The events of the groups of 1 to the threshold people, each never published (see
     * events_of_few), are together a total over few people too: the whole less the other
     * groups would give it, so it is never to be worked out either. */
    static const ps_statistic_id_t events[] = {PS_STAT_SU_EVENTS_BEFORE, PS_STAT_SU_EVENTS_AFTER};
    for (size_t e = 0; e < 2 && from != NONE && !err && r->rule.suppress; e++) {
        size_t n = 0;
        double total = 0;
        for (size_t g = 0; g < n_groups; g++) {
            if (groups[g].start[arm] == NONE)
                continue;
            size_t people = find_in(r, groups[g].start[arm], groups[g].end[arm],
                                    PS_STAT_SU_N_PEOPLE),
                   count = find_in(r, groups[g].start[arm], groups[g].end[arm], events[e]);
            if (people == NONE || count == NONE || r->stats[people].value < 1 ||
                r->stats[people].value > r->rule.threshold)
                continue;
            terms[n] = count;
            coefficients[n++] = 1;
            total += r->stats[count].value;
        }
        if (n < 2)
            continue;
        static const double minus = -1;
        const size_t latent = new_latent_of(r, total, 1);
        err = latent == NONE || record(r, terms, coefficients, n, &latent, &minus, 1, 0, 0);
    }
    r->out_of_memory |= err;
    free(terms);
    free(coefficients);
    return err;
}

/* The groups of column 'by' beside the wholes of one comparison; groups[v] gets the blocks of
 * value v. */
static int compute_groups(const struct comparison *k, size_t by, const struct pair *whole,
                          struct pair *groups)
{
    const ps_service_cohort_t *c = k->cohort;
    ps_service_report_t *r = k->report;
    const ps_names_t *values = c->group_values[by];
    const size_t n = ps_names_count(values);
    uint32_t *order = ps_names_natural_order(values);
    int err = !order;
    for (size_t g = 0; g < n && !err; g++) {
        const char *value = ps_names_text(values, order[g]);
        const char *labels[2] = {format(r, "%s=%s", c->by[by], value),
                                 format(r, "comparison %s=%s", c->by[by], value)};
        err = emit_pair(k, by, order[g], labels, &groups[order[g]]);
    }
    for (int arm = 0; arm < 2 && !err; arm++)
        err = relate_groups(r, whole, groups, n, arm, column_complete(c, &c->arms[arm], by));
    free(order);
    return err;
}

/* Where the blocks are: per measure and comparison, in the order made, the wholes' pair
 * (slot 0) and each column's groups' (slot first_slot[by] + value). */
struct measure_blocks {
    size_t n_comparisons, n_slots;
    size_t *first_slot;             /* per column */
    size_t *w0, *w1;                /* per comparison */
    struct pair *pairs;             /* n_measures * n_comparisons * n_slots */
    unsigned char *measured;        /* per measure: its blocks were made */
};

static struct pair *blocks_of(const struct measure_blocks *b, size_t m, size_t j)
{
    return &b->pairs[(m * b->n_comparisons + j) * b->n_slots];
}

/* The slice of slot s: everyone, or one value of a column. */
static struct slice slice_of(const ps_service_cohort_t *c, const struct measure_blocks *b,
                             size_t s, int arm)
{
    struct slice slice = {&c->arms[arm], ALL, 0};
    if (s > 0) {
        size_t by = 0;
        while (by + 1 < c->n_by && b->first_slot[by + 1] <= s)
            by++;
        slice.by = by;
        slice.group = (uint32_t)(s - b->first_slot[by]);
    }
    return slice;
}

/* Whether person p of the arm has a count of measure m in window w, over some days. */
static int recorded(const ps_service_cohort_t *c, const struct ps_service_arm_data *arm, size_t p,
                    size_t w, size_t m)
{
    const size_t at = p * c->n_windows + w;
    return !isnan(arm->counts[at * c->definition->n_measures + m]) && arm->exposure[at] > 0;
}

/* Two counts of one window, totals[0] and totals[1], over two sets of people: their
 * difference is what each has of its own, own[0] less own[1], each a latent count (one of 0
 * left out, as known), and each total holds at least its own. With 'people' (the people of
 * each own part), the own parts are events: those of 1..threshold people are never to be
 * worked out at all, whatever their size (one person's count of 9). */
static int relate_own(ps_service_report_t *r, const size_t totals[2], const double own[2],
                      const double *people, unsigned threshold)
{
    static const double difference[2] = {1, -1}, sign[2] = {-1, 1}, one = 1, minus = -1;
    size_t latents[2], owner[2], n = 0;
    double coefficients[2];
    for (size_t q = 0; q < 2; q++)
        if (own[q] > 0 || (people && people[q] > 0)) {
            latents[n] = new_latent_of(r, own[q],
                                       people && people[q] >= 1 && people[q] <= threshold);
            owner[n] = q;
            coefficients[n++] = sign[q];
        }
    if (record(r, totals, difference, 2, latents, coefficients, n, 0, 0))
        return -1;
    for (size_t k = 0; k < n; k++)
        if (record(r, &totals[owner[k]], &one, 1, &latents[k], &minus, 1, 0, INFINITY))
            return -1;
    return 0;
}

/* The blocks x and y of one slice, of comparisons j and l, share the before window: n_people
 * and the events in it, each over the people paired in both and those paired in it only
 * (the catalogue's PS_SHAPE_SHARED_WINDOW). */
static int relate_shared(ps_service_report_t *r, const ps_service_cohort_t *c,
                         const struct slice *slice, size_t m, const struct measure_blocks *b,
                         size_t j, size_t l, const struct pair *x, const struct pair *y, int arm)
{
    const size_t w = c->before, nm = c->definition->n_measures;
    const size_t k[2] = {j, l}, from[2] = {x->start[arm], y->start[arm]},
                 to[2] = {x->end[arm], y->end[arm]};
    double people[2] = {0, 0}, events[2] = {0, 0};
    for (size_t p = 0; p < ps_names_count(slice->arm->participants); p++) {
        if (!in_slice(c, slice, p))
            continue;
        int in[2];
        for (size_t q = 0; q < 2; q++)
            in[q] = recorded(c, slice->arm, p, b->w0[k[q]], m) &&
                    recorded(c, slice->arm, p, b->w1[k[q]], m);
        if (in[0] == in[1])
            continue;
        people[in[1]]++;
        events[in[1]] += slice->arm->counts[(p * c->n_windows + w) * nm + m];
    }
    size_t n[2], e[2];
    for (size_t q = 0; q < 2; q++) {
        n[q] = find_in(r, from[q], to[q], PS_STAT_SU_N_PEOPLE);
        e[q] = find_in(r, from[q], to[q],
                       b->w0[k[q]] == w ? PS_STAT_SU_EVENTS_BEFORE : PS_STAT_SU_EVENTS_AFTER);
    }
    /* With 1..threshold people of its own on each side, the two totals' difference is that of
     * two small groups' events (one person's count less another's): one of them, the later
     * comparison's unless it is the one a reader looks for, is never published. */
    const unsigned t = r->rule.suppress ? r->rule.threshold : 0;
    if (people[0] >= 1 && people[0] <= t && people[1] >= 1 && people[1] <= t &&
        e[0] != NONE && e[1] != NONE) {
        const int main_l = b->w0[l] == w && b->w1[l] == w + 1;
        if (ps_grow((void **)&r->apart, &r->apart_size, r->n_apart + 1, sizeof *r->apart))
            return -1;
        r->apart[r->n_apart++] = e[main_l ? 0 : 1];
    }
    return relate_own(r, n, people, NULL, 0) ||
           relate_own(r, e, events, people, r->rule.threshold);
}

/* Every two comparisons of a measure share the before window: relates their blocks of each
 * cohort and group. */
static int relate_windows(ps_service_report_t *r, const ps_service_cohort_t *c, size_t m,
                          const struct measure_blocks *b)
{
    for (size_t s = 0; s < b->n_slots; s++) {
        for (int arm = 0; arm < 2; arm++) {
            const struct slice slice = slice_of(c, b, s, arm);
            for (size_t j = 0; j < b->n_comparisons; j++)
                for (size_t l = j + 1; l < b->n_comparisons; l++) {
                    const struct pair *x = &blocks_of(b, m, j)[s];
                    const struct pair *y = &blocks_of(b, m, l)[s];
                    if (x->start[arm] == NONE || y->start[arm] == NONE)
                        continue;
                    if (relate_shared(r, c, &slice, m, b, j, l, x, y, arm))
                        return -1;
                }
        }
    }
    return 0;
}

/* The blocks of one comparison, cohort and group for two measures: their n_people, each over
 * the people with counts of its measure in both windows, are equal when the same people are
 * paired for both, and one is at least the other when everyone paired for the other is paired
 * for it (the catalogue's PS_SHAPE_SHARED_PEOPLE: a bound; what it has beyond the other is no
 * group the report tells anything of). */
static int relate_measures(ps_service_report_t *r, const ps_service_cohort_t *c,
                           const struct measure_blocks *b)
{
    const size_t nm = c->definition->n_measures;
    double *own = malloc((nm ? nm * nm : 1) * sizeof *own);
    int *in = malloc((nm ? nm : 1) * sizeof *in);
    int err = !own || !in;
    for (size_t j = 0; j < b->n_comparisons && !err; j++)
        for (size_t s = 0; s < b->n_slots && !err; s++)
            for (int arm = 0; arm < 2 && !err; arm++) {
                const struct slice slice = slice_of(c, b, s, arm);
                memset(own, 0, nm * nm * sizeof *own);
                for (size_t p = 0; p < ps_names_count(slice.arm->participants); p++) {
                    if (!in_slice(c, &slice, p))
                        continue;
                    size_t n_in = 0, n_measured = 0;
                    for (size_t m = 0; m < nm; m++) {
                        in[m] = b->measured[m] && recorded(c, slice.arm, p, b->w0[j], m) &&
                                recorded(c, slice.arm, p, b->w1[j], m);
                        n_in += (size_t)in[m];
                        n_measured += b->measured[m];
                    }
                    if (n_in == 0 || n_in == n_measured)
                        continue;
                    /* own[m * nm + n]: paired for m and not for n. */
                    for (size_t m = 0; m < nm; m++)
                        for (size_t n = 0; n < nm && in[m]; n++)
                            own[m * nm + n] += !in[n];
                }
                for (size_t m = 0; m < nm && !err; m++)
                    for (size_t n = m + 1; n < nm && !err; n++) {
                        if (!b->measured[m] || !b->measured[n])
                            continue;
                        const struct pair *x = &blocks_of(b, m, j)[s], *y = &blocks_of(b, n, j)[s];
                        if (x->start[arm] == NONE || y->start[arm] == NONE)
                            continue;
                        /* Equal, or the one with people of its own at least the other. */
                        const int mine = own[m * nm + n] > 0, theirs = own[n * nm + m] > 0;
                        if (mine && theirs)
                            continue;
                        static const double difference[2] = {1, -1};
                        const size_t people[2] = {
                            find_in(r, (theirs ? y : x)->start[arm], (theirs ? y : x)->end[arm],
                                    PS_STAT_SU_N_PEOPLE),
                            find_in(r, (theirs ? x : y)->start[arm], (theirs ? x : y)->end[arm],
                                    PS_STAT_SU_N_PEOPLE)};
                        err = record(r, people, difference, 2, NULL, NULL, 0, 0,
                                     mine || theirs ? INFINITY : 0);
                    }
            }
    free(own);
    free(in);
    return err ? -1 : 0;
}

static void measure_blocks_free(struct measure_blocks *b)
{
    free(b->first_slot);
    free(b->w0);
    free(b->w1);
    free(b->pairs);
    free(b->measured);
}

static int measure_blocks_init(struct measure_blocks *b, const ps_service_cohort_t *c)
{
    const size_t nm = c->definition->n_measures;
    *b = (struct measure_blocks){c->n_windows - 1, 1, NULL, NULL, NULL, NULL, NULL};
    b->first_slot = malloc((c->n_by ? c->n_by : 1) * sizeof *b->first_slot);
    for (size_t by = 0; by < c->n_by && b->first_slot; by++) {
        b->first_slot[by] = b->n_slots;
        b->n_slots += ps_names_count(c->group_values[by]);
    }
    b->w0 = malloc(b->n_comparisons * sizeof *b->w0);
    b->w1 = malloc(b->n_comparisons * sizeof *b->w1);
    b->pairs = malloc(nm * b->n_comparisons * b->n_slots * sizeof *b->pairs);
    b->measured = calloc(nm ? nm : 1, 1);
    if (b->first_slot && b->w0 && b->w1 && b->pairs && b->measured)
        return 0;
    measure_blocks_free(b);
    return -1;
}

/* Every measure, comparison and cohort: the whole cohorts' blocks, then their groups'; then
 * the relations between comparisons. */
static int compute(ps_service_report_t *r, const ps_service_cohort_t *c)
{
    const struct ps_service_arm_data *referred = &c->arms[PS_SERVICE_REFERRED];
    const struct ps_service_arm_data *other = &c->arms[PS_SERVICE_COMPARISON];
    size_t most = ps_names_count(referred->participants);
    if (ps_names_count(other->participants) > most)
        most = ps_names_count(other->participants);
    struct person *people = malloc((most ? most : 1) * sizeof *people);
    struct measure_blocks blocks;
    if (!people || measure_blocks_init(&blocks, c)) {
        free(people);
        return -1;
    }
    static const char *const wholes[2] = {"all", "comparison"};
    int err = 0;
    for (size_t m = 0; m < c->definition->n_measures && !err; m++) {
        if (!measured(c, referred, m))
            continue;
        /* Each earlier window against the before window, then it against each later one. */
        size_t j = 0;
        for (size_t w = 0; w < c->n_windows && !err; w++) {
            if (w == c->before)
                continue;
            size_t w0 = w < c->before ? w : c->before, w1 = w < c->before ? c->before : w;
            const char *text = format(r, "%s->%s", c->windows[w0].name, c->windows[w1].name);
            struct comparison k = {r, c, m, w0, w1, text, people};
            struct pair *slots = blocks_of(&blocks, m, j);
            blocks.w0[j] = w0;
            blocks.w1[j++] = w1;
            err = !k.text || emit_pair(&k, ALL, 0, wholes, &slots[0]);
            for (size_t by = 0; by < c->n_by && !err; by++)
                err = compute_groups(&k, by, &slots[0], &slots[blocks.first_slot[by]]);
        }
        blocks.measured[m] = 1;
        err = err || relate_windows(r, c, m, &blocks);
    }
    err = err || relate_measures(r, c, &blocks);
    measure_blocks_free(&blocks);
    free(people);
    return err || r->out_of_memory ? -1 : 0;
}

/* ---- Disclosure control, and the figures that follow from it. ---- */

static const char *const withheld_note =
    "withheld under rounding: beside the published totals it would give an exact count";

/* A share or change from the counts as published. */
static void compute_from_counts(ps_service_report_t *r, size_t i)
{
    ps_statistic_t *s = &r->stats[i];
    size_t a = r->rests_on[RESTS * i], b = r->rests_on[RESTS * i + 1];
    double x = a == NONE ? NAN : r->stats[a].value, y = b == NONE ? NAN : r->stats[b].value;
    if (y > 0 && !isnan(x)) {
        s->value = ps_statistic_info(s->id)->kind == PS_KIND_CHANGE ? (x - y) / y : x / y;
        s->shown = PS_SHOWN;
        s->reason = NULL;
    } else {
        s->value = NAN;
        s->shown = PS_NOT_COMPUTABLE;
        s->reason = ps_statistic_info(s->id)->kind == PS_KIND_CHANGE
                        ? "no events in the first window to change from"
                        : "no one to take a share of";
    }
}

/*
 * Whether statistic i counts the events of a block whose people are 1 to the threshold: a
 * total of so few people's events is a figure based on so few (with n bounded, their mean),
 * never published and never to be worked out, whatever its size. The block's n_people comes
 * before its events.
 */
static int events_of_few(const ps_service_report_t *r, size_t i, const ps_disclosure_t *rule)
{
    const ps_statistic_t *s = &r->stats[i];
    if (!rule->suppress || (s->id != PS_STAT_SU_EVENTS_BEFORE && s->id != PS_STAT_SU_EVENTS_AFTER))
        return 0;
    for (size_t j = i; j-- > 0;) {
        const ps_statistic_t *n = &r->stats[j];
        if (n->id != PS_STAT_SU_N_PEOPLE || strcmp(n->unit, s->unit) != 0 ||
            strcmp(n->group, s->group) != 0 || strcmp(n->comparison, s->comparison) != 0)
            continue;
        return n->value >= 1 && n->value <= rule->threshold;
    }
    return 0;
}

static ps_error_t disclose(ps_service_report_t *r, const ps_disclosure_t *rule)
{
    const size_t n_cells = r->n + r->n_latent, m = n_cells ? n_cells : 1;
    unsigned char *hidden = calloc(m, 1), *kind = malloc(m);
    double *value = malloc(m * sizeof *value), *cost = malloc(m * sizeof *cost);
    size_t *cells = malloc((r->n_terms ? r->n_terms : 1) * sizeof *cells);
    struct ps_sdc_relation *relations =
        malloc((r->n_relations ? r->n_relations : 1) * sizeof *relations);
    ps_error_t err = PS_ERROR_NOMEM;
    if (!hidden || !kind || !value || !cost || !cells || !relations)
        goto done;
    /* The totals relate_shared keeps apart, marked in 'hidden' until the audit sets it. */
    for (size_t k = 0; k < r->n_apart; k++)
        hidden[r->apart[k]] = 1;
    for (size_t i = 0; i < n_cells; i++) {
        const int latent = i >= r->n;
        kind[i] = latent ? (r->latent_total[i - r->n] ? PS_SDC_LATENT_TOTAL : PS_SDC_LATENT)
                  : events_of_few(r, i, rule) || hidden[i] ? PS_SDC_LATENT_TOTAL
                  : r->stats[i].is_count      ? PS_SDC_COUNT
                                              : PS_SDC_NOT_A_COUNT;
        value[i] = latent ? r->latent[i - r->n] : r->stats[i].value;
        /* A count's cost to the reader is its size, a zero's that of the smallest count that
         * can be published; the referred cohort's, what a reader looks for, ten times as much,
         * and its comparisons from the before window (pre12->post12) four times again. */
        double size = value[i] > 0 ? value[i] : rule->threshold + 1.0 + rule->round_to;
        if (!latent) {
            const char *comparison = r->stats[i].comparison;
            const size_t at = strlen(r->before_window);
            const int main_comparison = strncmp(comparison, r->before_window, at) == 0 &&
                                        strncmp(comparison + at, "->", 2) == 0;
            cost[i] = size * (strcmp(r->stats[i].group, "all") == 0 ? 10 : 1) *
                      (main_comparison ? 4 : 1);
        } else {
            cost[i] = 0;
        }
    }
    for (size_t t = 0; t < r->n_terms; t++) {
        size_t ref = r->term_statistic[t];
        cells[t] = IS_LATENT(ref) ? r->n + (ref - LATENT(0)) : ref;
    }
    for (size_t k = 0; k < r->n_relations; k++) {
        const struct relation *rel = &r->relations[k];
        relations[k] = (struct ps_sdc_relation){cells + rel->first_term,
                                                r->term_coefficient + rel->first_term,
                                                rel->n_terms, rel->lo, rel->hi, SIZE_MAX,
                                                SIZE_MAX, rel->adds_figures};
    }
    struct ps_sdc_table table = {n_cells, value, kind, cost, relations, r->n_relations};
    if (rule->suppress && ps_sdc_protect(&table, rule, hidden, &r->audit)) {
        err = PS_ERROR_INTERNAL;
        goto done;
    }
    /* Counts never published for the few people they are of are counts hidden for them. */
    for (size_t i = 0; i < r->n; i++)
        if (kind[i] == PS_SDC_LATENT_TOTAL) {
            r->audit.counts++;
            r->audit.primary++;
        }
    for (size_t i = 0; i < r->n; i++) {
        ps_statistic_t *s = &r->stats[i];
        if (!s->is_count)
            continue;
        if (hidden[i])
            s->shown = PS_SUPPRESSED;
        else if (rule->suppress)
            s->value = ps_sdc_published(s->value, rule);
    }
    for (size_t i = 0; i < r->n; i++) {
        ps_statistic_t *s = &r->stats[i];
        const ps_statistic_info_t *info = ps_statistic_info(s->id);
        if (s->is_count || info->kind == PS_KIND_CONSTANT)
            continue;
        int on_hidden = 0;
        for (int k = 0; k < RESTS; k++) {
            size_t on = r->rests_on[RESTS * i + (size_t)k];
            on_hidden |= on != NONE && hidden[on];
        }
        const int fixed = s->shown == PS_NOT_COMPUTABLE; /* by design, e.g. unequal windows */
        if (on_hidden) {
            s->value = NAN;
            s->shown = PS_SUPPRESSED;
            s->reason = s->note = NULL;
        } else if ((info->kind == PS_KIND_RATE || info->kind == PS_KIND_CHANGE) && !fixed) {
            compute_from_counts(r, i);
        } else if (rule->suppress && rule->round_to && s->shown == PS_SHOWN) {
            if (info->reveals_n) {
                s->shown = PS_SUPPRESSED;
                s->value = NAN;
                s->note = withheld_note;
                r->audit.withheld++;
            } else {
                s->value = ps_sdc_figure_published(s->value, info->decimals, rule);
            }
        }
    }
    err = PS_OK;
done:
    free(hidden);
    free(kind);
    free(value);
    free(cost);
    free(cells);
    free(relations);
    return err;
}

/* What a relation says of its published counts alone, each latent count being 0 or more: a
 * latent count with coefficient -1 leaves them from lo up, one with +1 up to hi. */
static void published_bounds(const ps_service_report_t *r, const struct relation *rel,
                             double *lo, double *hi)
{
    *lo = rel->lo;
    *hi = rel->hi;
    for (size_t t = rel->n_terms - rel->n_latent; t < rel->n_terms; t++) {
        if (r->term_coefficient[rel->first_term + t] < 0)
            *hi = INFINITY;
        else
            *lo = -INFINITY;
    }
}

/* Lists the relations that say something of two or more published counts: not those that,
 * through latent counts, leave them free. */
static int list_relations(ps_service_report_t *r)
{
    r->listed = malloc((r->n_relations ? r->n_relations : 1) * sizeof *r->listed);
    if (!r->listed)
        return -1;
    for (size_t k = 0; k < r->n_relations; k++) {
        const struct relation *rel = &r->relations[k];
        double lo, hi;
        published_bounds(r, rel, &lo, &hi);
        if (rel->n_terms - rel->n_latent >= 2 && (isfinite(lo) || isfinite(hi)))
            r->listed[r->n_listed++] = k;
    }
    return 0;
}

/* The rule in words. */
static void describe_rule(ps_service_report_t *r, const ps_disclosure_t *rule)
{
    const unsigned limit = rule->threshold;
    char *to = r->rule_text;
    size_t room = sizeof r->rule_text;
    int n;
    if (!rule->suppress)
        n = snprintf(to, room, "No disclosure control: small numbers are shown");
    else if (limit == 0)
        n = snprintf(to, room, "No count is suppressed (threshold 0)%s",
                     rule->round_to ? "" : ": small numbers are shown");
    else
        n = snprintf(to, room,
                     "Counts of people and of events from 1 to %u, and figures based on them, "
                     "are suppressed; further counts are suppressed until no hidden count can "
                     "be worked out, or shown to lie between 1 and %u, from the published "
                     "counts and the relations between them (audited by linear programming)",
                     limit, limit);
    if (rule->suppress && rule->round_to && n > 0 && (size_t)n < room)
        n += snprintf(to + n, room - (size_t)n,
                      "; %scounts are rounded to the nearest %u and shares and changes computed "
                      "from the rounded counts (NHS Digital's method); person-years and rates "
                      "per person-year are withheld and other figures rounded, as beside the "
                      "totals they would give exact counts",
                      limit ? "other " : "", rule->round_to);
    if ((!rule->suppress || limit < 2) && n > 0 && (size_t)n < room)
        n += snprintf(to + n, room - (size_t)n, ". For internal analysis only; do not publish");
    if (n > 0 && (size_t)n + 1 < room)
        strcat(to, ".");
}

ps_error_t ps_service_report(ps_service_cohort_t *c, const ps_disclosure_t *rule,
                             ps_service_report_t **out)
{
    *out = NULL;
    if (!ps_names_count(c->arms[PS_SERVICE_REFERRED].participants))
        return ps_diagnose(c->context, PS_ERROR_BATCH, NULL, 0, 0,
                           "no counts of the people referred were read: nothing to report");
    ps_error_t checked = ps_su_check_rule_counted(c);
    if (checked)
        return checked;
    ps_service_report_t *r = calloc(1, sizeof *r);
    if (!r || !(r->arena = ps_arena_new())) {
        free(r);
        return PS_ERROR_NOMEM;
    }
    r->rule = *rule;
    ps_error_t err = PS_ERROR_NOMEM;
    if (!(r->before_window = format(r, "%s", c->windows[c->before].name)) || compute(r, c) ||
        list_relations(r))
        goto done;
    describe_rule(r, rule);
    if ((err = disclose(r, rule))) {
        if (err == PS_ERROR_INTERNAL)
            ps_diagnose(c->context, err, NULL, 0, 0,
                        "disclosure control: the audit's linear program could not be solved; "
                        "nothing may be published");
        goto done;
    }
    *out = r;
    r = NULL;
done:
    ps_service_report_free(r);
    return err;
}

void ps_service_report_free(ps_service_report_t *r)
{
    if (!r)
        return;
    ps_arena_free(r->arena);
    free(r->stats);
    free(r->rests_on);
    free(r->relations);
    free(r->term_statistic);
    free(r->term_coefficient);
    free(r->latent);
    free(r->latent_total);
    free(r->apart);
    free(r->listed);
    free(r);
}

size_t ps_service_report_count(const ps_service_report_t *r)
{
    return r->n;
}

const ps_statistic_t *ps_service_report_statistic(const ps_service_report_t *r, size_t index)
{
    return index < r->n ? &r->stats[index] : NULL;
}

const char *ps_service_report_disclosure_rule(const ps_service_report_t *r)
{
    return r->rule_text;
}

const ps_audit_t *ps_service_report_audit(const ps_service_report_t *r)
{
    return &r->audit;
}

size_t ps_service_report_relation_count(const ps_service_report_t *r)
{
    return r->n_listed;
}

int ps_service_report_relation(const ps_service_report_t *r, size_t index, ps_relation_t *out)
{
    if (index >= r->n_listed)
        return 0;
    const struct relation *rel = &r->relations[r->listed[index]];
    double lo, hi;
    published_bounds(r, rel, &lo, &hi);
    *out = (ps_relation_t){r->term_statistic + rel->first_term,
                           r->term_coefficient + rel->first_term, rel->n_terms - rel->n_latent,
                           lo, hi, 0};
    return 1;
}

/* ---- Figures added after the audit (costs.c): they rest on counts already audited. ---- */

ps_statistic_t *ps_su_report_append(ps_service_report_t *r, ps_statistic_id_t id,
                                    const char *unit, const char *group, const char *comparison)
{
    struct block b = {r, unit, group, comparison, 0};
    size_t i = put(&b, id, missing(NULL));
    return i == NONE ? NULL : &r->stats[i];
}

const char *ps_su_report_keep(ps_service_report_t *r, const char *text)
{
    return ps_arena_strdup(r->arena, text);
}
