/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The cohort change report: for each scale (or pool), comparison and group,
 * the statistics of the catalogue (promscore/statistics.h) as a tidy list of
 * figures, the relations between its counts (catalogue.h), then disclosure
 * control (disclosure.c) and the figures that follow from what it hides.
 */
#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalogue.h"
#include "cohort.h"
#include "disclosure.h"
#include "stats.h"

#define END SIZE_MAX                /* comparison with each person's last follow-up */
#define ALL SIZE_MAX                /* the whole cohort, not a group */
#define NONE SIZE_MAX

/* lo <= sum of coefficient * count <= hi over terms first_term.. of report->term_*; a count
 * never published (latent) comes last. 'figures' and 'rests_on': see ps_sdc_relation. */
struct relation {
    size_t first_term, n_terms;
    double lo, hi;
    size_t figures, rests_on;
    int latent;                     /* the last term is a latent count */
    int adds_figures;               /* see ps_sdc_relation */
};

/* A latent count's reference in a term, before the report's statistics are all known. */
#define LATENT(k) (SIZE_MAX / 2 + (k))
#define IS_LATENT(ref) ((ref) >= SIZE_MAX / 2 && (ref) != NONE)

/* The figures of one block, hidden together when disclosure control says so. */
struct figures_switch {
    size_t at;                      /* the statistic standing for them: mean_baseline */
    size_t start, end;              /* the block */
};

/* A block of a scale: statistics [start, end). Every scale has its blocks in one order of
 * comparisons and groups, so the m-th of one scale and the m-th of another are alike. */
struct scale_block {
    const struct ps_scale *scale;
    size_t start, end;
};

struct ps_report {
    ps_arena_t *arena;
    ps_statistic_t *stats;
    size_t n, size;
    size_t *rests_on;               /* two per statistic: the counts it rests on, or NONE */
    struct relation *relations;
    size_t n_relations, relations_size;
    size_t *term_statistic;
    double *term_coefficient;
    size_t n_terms, terms_size, coefficients_size;
    double *latent;                 /* true values of the latent counts */
    size_t n_latent, latent_size;
    struct figures_switch *switches;
    size_t n_switches, switches_size;
    struct scale_block *blocks;     /* each scale's blocks, in the order computed */
    size_t n_blocks, blocks_size;
    size_t *published;              /* the relations that hold through what is published */
    size_t n_published;
    int out_of_memory;
    ps_audit_t audit;
    size_t latent_pinned;           /* of audit.pinned: latent counts confined to 1..threshold */
    ps_disclosure_t rule;
    char rule_text[1536];
};

/* What the statistics being added belong to. */
struct block {
    ps_report_t *report;
    const struct ps_instrument *instrument;
    const char *unit;               /* the scale's id, or the pool's */
    const struct ps_scale *scale;   /* NULL for a pool */
    const struct ps_pool *pool;     /* NULL for a scale */
    const char *group;
    const char *comparison;
    const char *category;           /* in a pool: the category being added, or NULL */
    size_t start;                   /* the block's first statistic */
};

/* Text in the report's arena, or NULL when out of memory. */
static const char *format(ps_report_t *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static const char *format(ps_report_t *r, const char *fmt, ...)
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

/* The public name: the catalogue's, qualified by its parameters and category. */
static const char *full_name(struct block *b, const ps_statistic_info_t *info, const char *p0,
                             const char *p1)
{
    const char *c = b->category, *name = info->name;
    switch (info->param) {
    case PS_PARAM_NONE:
        return c ? format(b->report, "category:%s:%s", c, name) : name;
    case PS_PARAM_BAND:
    case PS_PARAM_MEMBER:
        return c ? format(b->report, "category:%s:%s:%s", c, name, p0)
                 : format(b->report, "%s:%s", name, p0);
    case PS_PARAM_BAND_PAIR:
        return c ? format(b->report, "category:%s:%s:%s->%s", c, name, p0, p1)
                 : format(b->report, "%s:%s->%s", name, p0, p1);
    }
    return name;
}

/* Adds statistic 'id' (qualified by p0, p1) with figure f; returns its number or NONE. */
static size_t put(struct block *b, ps_statistic_id_t id, const char *p0, const char *p1,
                  ps_figure_t f)
{
    ps_report_t *r = b->report;
    const ps_statistic_info_t *info = ps_statistic_info(id);
    const char *name = full_name(b, info, p0, p1);
    if (!name)
        return NONE;
    if (r->n == r->size) {
        size_t size = r->size;
        size_t *rests = NULL;
        if (!ps_grow((void **)&r->stats, &size, r->n + 1, sizeof *r->stats) &&
            (rests = realloc(r->rests_on, 2 * size * sizeof *rests)))
            r->rests_on = rests;
        if (!rests) {
            r->out_of_memory = 1;
            return NONE;
        }
        r->size = size;
    }
    r->stats[r->n] = (ps_statistic_t){
        .instrument = b->instrument, .unit = b->unit, .scale = b->scale, .group = b->group,
        .comparison = b->comparison, .id = id, .name = name, .param = {p0, p1},
        .category = b->category, .value = f.missing ? NAN : f.value,
        .shown = f.missing ? PS_NOT_COMPUTABLE : PS_SHOWN, .reason = f.missing,
        .note = f.note, .is_count = info->kind == PS_KIND_COUNT,
    };
    r->rests_on[2 * r->n] = r->rests_on[2 * r->n + 1] = NONE;
    return r->n++;
}

static size_t count(struct block *b, ps_statistic_id_t id, const char *p0, const char *p1,
                    unsigned long n)
{
    return put(b, id, p0, p1, (ps_figure_t){(double)n, NULL, NULL});
}

static ps_figure_t figure(double value)
{
    return (ps_figure_t){value, NULL, NULL};
}

/* A rate's value is computed from the published counts, after disclosure control. */
static size_t rate(struct block *b, ps_statistic_id_t id, const char *p0)
{
    return put(b, id, p0, NULL, figure(NAN));
}

/* ---- Finding a block's statistics, and relating them. ---- */

/* Statistic 'id' with parameters p0, p1 among r->stats[from..to), or NONE. */
static size_t find_in(const ps_report_t *r, size_t from, size_t to, ps_statistic_id_t id,
                      const char *p0, const char *p1, const char *category)
{
    for (size_t i = from; i < to; i++) {
        const ps_statistic_t *s = &r->stats[i];
        if (s->id == id && s->param[0] == p0 && s->param[1] == p1 && s->category == category)
            return i;
    }
    return NONE;
}

/* Records lo <= sum of coefficients * statistics <= hi (a NONE statistic: nothing recorded),
 * plus, with 'latent_value' >= 0, a latent count of that true value with coefficient -1. */
static int relate_terms(ps_report_t *r, const size_t *statistics, const double *coefficients,
                        size_t n, double lo, double hi, size_t figures, size_t rests_on,
                        double latent_value)
{
    if (!n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (statistics[i] == NONE)
            return 0;
    const int latent = latent_value >= 0;
    size_t want = r->n_terms + n + (size_t)latent, size = r->terms_size;
    if (ps_grow((void **)&r->relations, &r->relations_size, r->n_relations + 1,
                sizeof *r->relations) ||
        ps_grow((void **)&r->term_statistic, &r->terms_size, want, sizeof *r->term_statistic) ||
        ps_grow((void **)&r->term_coefficient, &size, want, sizeof *r->term_coefficient) ||
        (latent && ps_grow((void **)&r->latent, &r->latent_size, r->n_latent + 1,
                           sizeof *r->latent))) {
        r->out_of_memory = 1;
        return -1;
    }
    r->relations[r->n_relations++] =
        (struct relation){r->n_terms, n + (size_t)latent, lo, hi, figures, rests_on, latent, 0};
    memcpy(r->term_statistic + r->n_terms, statistics, n * sizeof *statistics);
    memcpy(r->term_coefficient + r->n_terms, coefficients, n * sizeof *coefficients);
    r->n_terms += n;
    if (latent) {
        r->latent[r->n_latent] = latent_value;
        r->term_statistic[r->n_terms] = LATENT(r->n_latent++);
        r->term_coefficient[r->n_terms++] = -1;
    }
    return 0;
}

/*
 * Records sum of 'plus' = sum of 'minus', or, with 'slack', sum of 'plus' >= sum of 'minus'
 * (what the first has beyond the second a latent count, protected from being shown small).
 */
static int relate_sums(ps_report_t *r, const size_t *plus, size_t n_plus, const size_t *minus,
                       size_t n_minus, int slack)
{
    const size_t n = n_plus + n_minus;
    size_t *terms = malloc((n ? n : 1) * sizeof *terms);
    double *coefficients = malloc((n ? n : 1) * sizeof *coefficients);
    if (!terms || !coefficients) {
        free(terms);
        free(coefficients);
        r->out_of_memory = 1;
        return -1;
    }
    double rest = 0;
    for (size_t i = 0; i < n; i++) {
        terms[i] = i < n_plus ? plus[i] : minus[i - n_plus];
        coefficients[i] = i < n_plus ? 1 : -1;
        rest += terms[i] == NONE ? 0 : coefficients[i] * r->stats[terms[i]].value;
    }
    int err = relate_terms(r, terms, coefficients, n, 0, 0, NONE, NONE,
                           slack ? (rest > 0 ? rest : 0) : -1);
    free(terms);
    free(coefficients);
    return err;
}

/* Records total = sum of parts, or, with 'slack', total >= sum of parts. */
static int relate(ps_report_t *r, size_t total, const size_t *parts, size_t n, int slack)
{
    if (total == NONE || !n)
        return 0;
    return relate_sums(r, &total, 1, parts, n, slack);
}

/* Records total = sum of parts (>= with 'slack') under 'rule', whose parts are groups of
 * people: the figures resting on the total add up over them too, when it has any. */
static int relate_groups_of(ps_report_t *r, const struct ps_relation_rule *rule, size_t total,
                            const size_t *parts, size_t n, int slack)
{
    size_t before = r->n_relations;
    if (relate(r, total, parts, n, slack))
        return -1;
    if (r->n_relations > before)
        r->relations[before].adds_figures =
            rule && rule->figures_add_up && ps_statistic_bears_figures(r->stats[total].id);
    return 0;
}

/* Whether moving from band 'from' to band 'to' is better, the same, or worse: 1, 0, -1. */
static int band_direction(const struct ps_scale *scale, size_t from, size_t to)
{
    int up = (to > from) - (to < from);
    return scale->lower_is_better ? -up : up;
}

/* Whether the definition lets some scores of the scale fall in no band: its bands do not
 * reach its ends, or leave a gap wider than one step of its precision. */
static int unbanded(const struct ps_scale *scale)
{
    if (!scale || !scale->n_bands)
        return 0;
    const double step = pow(10, -scale->precision), slack = step / 1000;
    if (scale->bands[0].min > scale->min + slack ||
        scale->bands[scale->n_bands - 1].max < scale->max - slack)
        return 1;
    for (size_t i = 0; i + 1 < scale->n_bands; i++)
        if (scale->bands[i + 1].min - scale->bands[i].max > step + slack)
            return 1;
    return 0;
}

#define AT(id) find_in(r, from, to, PS_STAT_##id, NULL, NULL, NULL)

/* Whether a change of 'gain' in the better direction is reliable, by the definition's rule:
 * more than its reliable change, or at least as much. */
static int reliable_gain(const struct ps_scale *scale, double gain, double slack)
{
    return scale->reliable_at_least ? gain >= scale->reliable - slack
                                    : gain > scale->reliable + slack;
}

/* The stricter of meaningful and reliable change counts within the other: a reliable change
 * (more than, or at least, reliable_change) is at least meaningful_change when
 * reliable_change >= meaningful_change. */
static int relate_nested(ps_report_t *r, size_t from, size_t to, const struct ps_scale *scale)
{
    if (!scale || !scale->has_meaningful || !scale->has_reliable)
        return 0;
    size_t improved = AT(N_IMPROVED), deteriorated = AT(N_DETERIORATED),
           unchanged = AT(N_UNCHANGED), r_improved = AT(N_RELIABLE_IMPROVED),
           r_deteriorated = AT(N_RELIABLE_DETERIORATED), r_none = AT(N_NO_RELIABLE_CHANGE);
    if (scale->reliable >= scale->meaningful)
        return relate(r, improved, &r_improved, 1, 1) ||
               relate(r, deteriorated, &r_deteriorated, 1, 1) || relate(r, r_none, &unchanged, 1, 1);
    return relate(r, r_improved, &improved, 1, 1) ||
           relate(r, r_deteriorated, &deteriorated, 1, 1) || relate(r, unchanged, &r_none, 1, 1);
}

/* Whether a band is one score: then a score is known from its band. */
static int single_valued(const struct ps_scale *scale)
{
    for (size_t i = 0; i < scale->n_bands; i++)
        if (scale->bands[i].max - scale->bands[i].min > 1e-9)
            return 0;
    return scale->n_bands > 0;
}

/* 'count' lies between the sum of the cells 'sure' and the sum of the cells 'possible'. */
static int relate_between(ps_report_t *r, size_t count, const size_t *sure, size_t n_sure,
                          const size_t *possible, size_t n_possible, int upper_holds)
{
    if (count == NONE)
        return 0;
    if (n_sure && relate(r, count, sure, n_sure, 1))
        return -1;
    if (!upper_holds || !n_possible)
        return 0;
    return relate_sums(r, possible, n_possible, &count, 1, 1);
}

/* Individual change against the band transitions: a transition whose every change (given its
 * bands' bounds) counts as improvement is among n_improved; one whose no change does is not. */
static int relate_band_change(ps_report_t *r, size_t from, size_t to, const struct ps_scale *scale)
{
    if (!scale || !scale->n_bands)
        return 0;
    const size_t nb = scale->n_bands;
    const double sign = scale->lower_is_better ? -1 : 1, eps = 1e-9;
    const double m = scale->meaningful;
    struct {
        ps_statistic_id_t id;
        int present;
    } kinds[4] = {{PS_STAT_N_IMPROVED, scale->has_meaningful},
                  {PS_STAT_N_DETERIORATED, scale->has_meaningful},
                  {PS_STAT_N_RELIABLE_IMPROVED, scale->has_reliable},
                  {PS_STAT_N_RELIABLE_DETERIORATED, scale->has_reliable}};
    size_t *sure = malloc(nb * nb * sizeof *sure), *possible = malloc(nb * nb * sizeof *possible);
    int err = !sure || !possible;
    for (int k = 0; k < 4 && !err; k++) {
        if (!kinds[k].present)
            continue;
        size_t n_sure = 0, n_possible = 0;
        for (size_t a = 0; a < nb; a++)
            for (size_t z = 0; z < nb; z++) {
                const struct ps_band *A = &scale->bands[a], *Z = &scale->bands[z];
                double d1 = sign * (Z->min - A->max), d2 = sign * (Z->max - A->min);
                double least = fmin(d1, d2), most = fmax(d1, d2);
                int all, some;
                switch (k) {
                case 0: all = least >= m - eps, some = most >= m - eps; break;
                case 1: all = most <= -m + eps, some = least <= -m + eps; break;
                case 2:
                    all = reliable_gain(scale, least, eps), some = reliable_gain(scale, most, eps);
                    break;
                default:
                    all = reliable_gain(scale, -most, eps), some = reliable_gain(scale, -least, eps);
                    break;
                }
                size_t cell = find_in(r, from, to, PS_STAT_TRANSITION, A->label, Z->label, NULL);
                if (all)
                    sure[n_sure++] = cell;
                if (some)
                    possible[n_possible++] = cell;
            }
        err = relate_between(r, find_in(r, from, to, kinds[k].id, NULL, NULL, NULL), sure,
                             n_sure, possible, n_possible, !unbanded(scale));
    }
    if (!sure || !possible)
        r->out_of_memory = 1;
    free(sure);
    free(possible);
    return err ? -1 : 0;
}

/* What an attacker knows of a figure as published: [*lo, *hi]. */
static void published_figure(const ps_report_t *r, const ps_statistic_t *s, double *lo,
                             double *hi)
{
    if (r->rule.round_to) {
        int decimals = ps_statistic_info(s->id)->decimals - 1;
        double half = 0.5 * pow(10, -(decimals < 0 ? 0 : decimals));
        double shown = ps_sdc_figure_published(s->value, decimals + 1, &r->rule);
        *lo = shown - half;
        *hi = shown + half;
    } else {
        double slack = 1e-9 * fmax(1, fabs(s->value));
        *lo = s->value - slack;
        *hi = s->value + slack;
    }
}

/* What an attacker knows of n times a figure: the extremes over both ranges. */
static void times_count(const ps_report_t *r, size_t count, const ps_statistic_t *s, double *lo,
                        double *hi)
{
    double n_lo, n_hi, f_lo, f_hi;
    ps_sdc_published_range(r->stats[count].value, &r->rule, &n_lo, &n_hi);
    published_figure(r, s, &f_lo, &f_hi);
    double corners[4] = {n_lo * f_lo, n_lo * f_hi, n_hi * f_lo, n_hi * f_hi};
    *lo = *hi = corners[0];
    for (int i = 1; i < 4; i++) {
        *lo = fmin(*lo, corners[i]);
        *hi = fmax(*hi, corners[i]);
    }
}

/* A published mean against the bands' bounds: sum of count * lowest <= n * mean <= sum of
 * count * highest, over 'cells' with their 'lowest' and 'highest' scores. */
static int relate_mean(ps_report_t *r, size_t figures, size_t paired, size_t mean,
                       const size_t *cells, const double *lowest, const double *highest,
                       size_t n)
{
    if (mean == NONE || r->stats[mean].shown != PS_SHOWN)
        return 0;
    double lo, hi;
    times_count(r, paired, &r->stats[mean], &lo, &hi);
    return relate_terms(r, cells, lowest, n, -INFINITY, hi, figures, paired, -1) ||
           relate_terms(r, cells, highest, n, lo, INFINITY, figures, paired, -1);
}

/* A published median: at least half the paired score at or below it, and at or above it. */
static int relate_median(ps_report_t *r, size_t figures, size_t paired, size_t median,
                         const struct ps_scale *scale, ps_statistic_id_t band_count, size_t from,
                         size_t to)
{
    if (median == NONE || r->stats[median].shown != PS_SHOWN)
        return 0;
    double m_lo, m_hi, n_lo, n_hi;
    published_figure(r, &r->stats[median], &m_lo, &m_hi);
    ps_sdc_published_range(r->stats[paired].value, &r->rule, &n_lo, &n_hi);
    const size_t nb = scale->n_bands;
    size_t *below = malloc(nb * sizeof *below), *above = malloc(nb * sizeof *above);
    double *ones = malloc(nb * sizeof *ones);
    size_t n_below = 0, n_above = 0;
    if (!below || !above || !ones) {
        free(below);
        free(above);
        free(ones);
        r->out_of_memory = 1;
        return -1;
    }
    for (size_t b = 0; b < nb; b++) {
        size_t cell = find_in(r, from, to, band_count, scale->bands[b].label, NULL, NULL);
        ones[b] = 1;
        if (scale->bands[b].min <= m_hi)
            below[n_below++] = cell;
        if (scale->bands[b].max >= m_lo)
            above[n_above++] = cell;
    }
    double half = ceil(n_lo / 2);
    int err = relate_terms(r, below, ones, n_below, half, INFINITY, figures, paired, -1) ||
              relate_terms(r, above, ones, n_above, half, INFINITY, figures, paired, -1);
    free(below);
    free(above);
    free(ones);
    return err;
}

/* The relations a block's published means and medians add, while they are shown. */
static int relate_figure_bounds(ps_report_t *r, size_t from, size_t to,
                                const struct ps_scale *scale)
{
    if (!r->rule.suppress || !scale || !scale->n_bands || unbanded(scale) || single_valued(scale))
        return 0;
    const size_t nb = scale->n_bands, figures = AT(MEAN_BASELINE), paired = AT(N_PAIRED);
    if (figures == NONE || paired == NONE)
        return 0;
    size_t *baseline = malloc(nb * sizeof *baseline), *followup = malloc(nb * sizeof *followup);
    size_t *cells = malloc(nb * nb * sizeof *cells);
    double *lowest = malloc(nb * nb * sizeof *lowest), *highest = malloc(nb * nb * sizeof *highest);
    int err = !baseline || !followup || !cells || !lowest || !highest;
    if (err)
        r->out_of_memory = 1;
    for (size_t b = 0; b < nb && !err; b++) {
        baseline[b] = find_in(r, from, to, PS_STAT_N_BASELINE_BAND, scale->bands[b].label, NULL,
                              NULL);
        followup[b] = find_in(r, from, to, PS_STAT_N_FOLLOWUP_BAND, scale->bands[b].label, NULL,
                              NULL);
        lowest[b] = scale->bands[b].min;
        highest[b] = scale->bands[b].max;
    }
    err = err ||
          relate_mean(r, figures, paired, AT(MEAN_BASELINE), baseline, lowest, highest, nb) ||
          relate_mean(r, figures, paired, AT(MEAN_FOLLOWUP), followup, lowest, highest, nb) ||
          relate_median(r, figures, paired, AT(MEDIAN_BASELINE), scale, PS_STAT_N_BASELINE_BAND,
                        from, to) ||
          relate_median(r, figures, paired, AT(MEDIAN_FOLLOWUP), scale, PS_STAT_N_FOLLOWUP_BAND,
                        from, to);
    /* The mean change, over the transitions: each between its bands' least and most change. */
    size_t n = 0;
    for (size_t a = 0; a < nb && !err; a++)
        for (size_t z = 0; z < nb; z++) {
            cells[n] = find_in(r, from, to, PS_STAT_TRANSITION, scale->bands[a].label,
                               scale->bands[z].label, NULL);
            lowest[n] = scale->bands[z].min - scale->bands[a].max;
            highest[n++] = scale->bands[z].max - scale->bands[a].min;
        }
    err = err || relate_mean(r, figures, paired, AT(MEAN_CHANGE), cells, lowest, highest, n);
    free(baseline);
    free(followup);
    free(cells);
    free(lowest);
    free(highest);
    return err ? -1 : 0;
}

/* The largest k with k (k + 1) / 2 <= v: no more signed changes than that fit in rank sum v. */
static double most_with_rank_sum(double v)
{
    return v < 0 ? 0 : floor((sqrt(8 * v + 1 + 1e-9) - 1) / 2);
}

/* A published Wilcoxon V: k positive changes have ranks summing to at least k (k + 1) / 2, and
 * m negative ones at least m (m + 1) / 2 of what V leaves, so the transitions (and people)
 * that surely changed up, or down, are no more than V allows. */
static int relate_wilcoxon(ps_report_t *r, size_t from, size_t to, const struct ps_scale *scale)
{
    const size_t figures = AT(MEAN_BASELINE), paired = AT(N_PAIRED), v_at = AT(WILCOXON_V);
    if (!r->rule.suppress || !scale || figures == NONE || paired == NONE || v_at == NONE ||
        r->stats[v_at].shown != PS_SHOWN || r->rule.round_to)
        return 0;
    const double n = r->stats[paired].value, v = r->stats[v_at].value;
    const double most[2] = {most_with_rank_sum(v + 1e-9),
                            most_with_rank_sum(n * (n + 1) / 2 - v + 1e-9)}; /* up, down */
    const double one = 1;
    /* People who improved changed one way: up, unless lower is better. */
    const int improved_way = scale->lower_is_better ? 1 : 0;
    if (scale->has_meaningful && scale->meaningful > 0) {
        size_t improved = AT(N_IMPROVED), deteriorated = AT(N_DETERIORATED);
        if (relate_terms(r, &improved, &one, 1, -INFINITY, most[improved_way], figures, paired,
                         -1) ||
            relate_terms(r, &deteriorated, &one, 1, -INFINITY, most[!improved_way], figures,
                         paired, -1))
            return -1;
    }
    const size_t nb = scale->n_bands;
    if (!nb)
        return 0;
    size_t *up = malloc(nb * nb * sizeof *up), *down = malloc(nb * nb * sizeof *down);
    double *ones = malloc(nb * nb * sizeof *ones);
    size_t n_up = 0, n_down = 0;
    if (!up || !down || !ones) {
        free(up);
        free(down);
        free(ones);
        r->out_of_memory = 1;
        return -1;
    }
    for (size_t a = 0; a < scale->n_bands; a++)
        for (size_t z = 0; z < scale->n_bands; z++) {
            const struct ps_band *A = &scale->bands[a], *Z = &scale->bands[z];
            size_t cell = find_in(r, from, to, PS_STAT_TRANSITION, A->label, Z->label, NULL);
            if (Z->min - A->max > 1e-9)
                up[n_up++] = cell;
            else if (Z->max - A->min < -1e-9)
                down[n_down++] = cell;
        }
    for (size_t i = 0; i < nb * nb; i++)
        ones[i] = 1;
    int err = relate_terms(r, up, ones, n_up, -INFINITY, most[0], figures, paired, -1) ||
              relate_terms(r, down, ones, n_down, -INFINITY, most[1], figures, paired, -1);
    free(up);
    free(down);
    free(ones);
    return err;
}

/* Records the block's figures, hidden together when disclosure control says so. */
static int record_switch(ps_report_t *r, size_t from, size_t to, const struct ps_scale *scale)
{
    if (!scale)
        return 0;
    size_t at = AT(MEAN_BASELINE);
    if (at == NONE)
        return 0;
    if (ps_grow((void **)&r->switches, &r->switches_size, r->n_switches + 1, sizeof *r->switches)) {
        r->out_of_memory = 1;
        return -1;
    }
    r->switches[r->n_switches++] = (struct figures_switch){at, from, to};
    return 0;
}

#undef AT

/* Expands the catalogue's relation rules within the block's statistics [b->start, r->n). */
static int relate_block(struct block *b)
{
    ps_report_t *r = b->report;
    const size_t from = b->start, to = r->n;
    const struct ps_scale *scale = b->scale;
    const size_t nb = scale ? scale->n_bands : 0;
    /* A relation's parts are statistics of the block. */
    size_t *parts = malloc((to - from + 1) * sizeof *parts);
    /* The categories of a pool block: NULL (the whole pool), then each of its categories. */
    const struct ps_scale *by_category = b->pool && b->pool->category ? b->pool->category[0] : NULL;
    const size_t n_categories = 1 + (by_category ? by_category->n_bands : 0);
    const char **categories = malloc(n_categories * sizeof *categories);
    int err = 0;
    if (!parts || !categories) {
        free(parts);
        free(categories);
        r->out_of_memory = 1;
        return -1;
    }
    categories[0] = NULL;
    for (size_t c = 1; c < n_categories; c++)
        categories[c] = by_category->bands[c - 1].label;
    for (size_t q = 0; q < ps_n_relation_rules && !err; q++) {
        const struct ps_relation_rule *rule = &ps_relation_rules[q];
        int slack = rule->slack == PS_SLACK || (rule->slack == PS_SLACK_UNBANDED && unbanded(scale));
        for (size_t c = 0; c < n_categories && !err; c++) {
            const char *cat = categories[c];
            size_t total = find_in(r, from, to, rule->total, NULL, NULL, cat), n = 0;
            switch (rule->shape) {
            case PS_SHAPE_SUM:
                for (size_t k = 0; k < rule->n_parts; k++)
                    parts[n++] = find_in(r, from, to, rule->parts[k], NULL, NULL, cat);
                err = relate(r, total, parts, n, slack);
                break;
            case PS_SHAPE_BAND_BETTER:
            case PS_SHAPE_BAND_SAME:
            case PS_SHAPE_BAND_WORSE: {
                int want = rule->shape == PS_SHAPE_BAND_BETTER ? 1
                           : rule->shape == PS_SHAPE_BAND_SAME ? 0 : -1;
                for (size_t x = 0; x < nb; x++)
                    for (size_t y = 0; y < nb; y++)
                        if (band_direction(scale, x, y) == want)
                            parts[n++] = find_in(r, from, to, PS_STAT_TRANSITION,
                                                 scale->bands[x].label, scale->bands[y].label, cat);
                err = relate(r, total, parts, n, 0);
                break;
            }
            case PS_SHAPE_BAND_ROWS:
            case PS_SHAPE_BAND_COLUMNS:
            case PS_SHAPE_BETTER_FROM:
                for (size_t x = 0; x < nb; x++) {
                    n = 0;
                    for (size_t y = 0; y < nb; y++) {
                        int row = rule->shape != PS_SHAPE_BAND_COLUMNS;
                        if (rule->shape == PS_SHAPE_BETTER_FROM && band_direction(scale, x, y) <= 0)
                            continue;
                        const char *a = scale->bands[row ? x : y].label,
                                   *z = scale->bands[row ? y : x].label;
                        parts[n++] = find_in(r, from, to, PS_STAT_TRANSITION, a, z, cat);
                    }
                    total = find_in(r, from, to, rule->total, scale->bands[x].label, NULL, cat);
                    err = err || relate(r, total, parts, n, 0);
                }
                break;
            case PS_SHAPE_OVER_BANDS:
                for (size_t x = 0; x < nb; x++)
                    parts[n++] = find_in(r, from, to, rule->parts[0], scale->bands[x].label, NULL, cat);
                err = relate(r, total, parts, n, slack);
                break;
            case PS_SHAPE_OVER_MEMBERS:
                for (size_t i = from; i < to; i++)
                    if (r->stats[i].id == rule->parts[0] && r->stats[i].category == cat)
                        parts[n++] = i;
                err = relate_groups_of(r, rule, total, parts, n, slack);
                break;
            case PS_SHAPE_OVER_CATEGORIES:
                /* Each count of the whole pool, against the same count in each category. */
                if (cat || n_categories < 2)
                    break;
                for (size_t i = from; i < to; i++) {
                    const ps_statistic_t *s = &r->stats[i];
                    if (!s->is_count || s->category)
                        continue;
                    n = 0;
                    for (size_t k = 1; k < n_categories; k++)
                        parts[n++] = find_in(r, from, to, s->id, s->param[0], s->param[1],
                                             categories[k]);
                    err = err || relate_groups_of(r, rule, i, parts, n, 1);
                }
                break;
            case PS_SHAPE_NESTED:
                err = cat ? 0 : relate_nested(r, from, to, scale);
                break;
            case PS_SHAPE_BAND_CHANGE:
                err = cat ? 0 : relate_band_change(r, from, to, scale);
                break;
            case PS_SHAPE_FIGURE_BOUNDS:
                err = cat ? 0 : relate_figure_bounds(r, from, to, scale);
                break;
            default: /* across blocks: see relate_groups and relate_comparisons */
                break;
            }
        }
    }
    free(parts);
    free(categories);
    return err;
}

/* Resolves what each figure of the block rests on, by the catalogue. */
static void resolve_block(struct block *b)
{
    ps_report_t *r = b->report;
    for (size_t i = b->start; i < r->n; i++) {
        const ps_statistic_t *s = &r->stats[i];
        const ps_statistic_info_t *info = ps_statistic_info(s->id);
        for (int k = 0; k < 2; k++) {
            ps_statistic_id_t on = info->rests_on[k];
            if (on == PS_STAT_NONE)
                continue;
            /* A count with the figure's parameter when it has one of the same kind. */
            int same = ps_statistic_info(on)->param == info->param;
            r->rests_on[2 * i + k] = find_in(r, b->start, r->n, on, same ? s->param[0] : NULL,
                                             same ? s->param[1] : NULL, s->category);
        }
    }
}

static int finish_block(struct block *b)
{
    if (b->report->out_of_memory)
        return -1;
    resolve_block(b);
    return relate_block(b) ||
           relate_wilcoxon(b->report, b->start, b->report->n, b->scale) ||
           record_switch(b->report, b->start, b->report->n, b->scale);
}

/* ---- A scale's block. ---- */

static size_t band_index(const struct ps_scale *scale, double value)
{
    const char *label = ps_scale_band_of(scale, value);
    for (size_t i = 0; i < scale->n_bands; i++)
        if (scale->bands[i].label == label)
            return i;
    return NONE;
}

/* Working arrays, one entry per participant, shared by every block. */
struct work {
    double *pre, *post, *change, *dropouts;
    void *scratch;
    unsigned long *transitions;     /* bands x bands */
};

static double value_at(const struct ps_column *columns, size_t n_columns, size_t t, size_t p)
{
    if (t >= n_columns || p >= columns[t].size)
        return NAN;
    return columns[t].values[p];
}

/* The follow-up score of participant p: at timepoint t, or the last one for END. */
static double follow_up(const ps_cohort_t *c, const struct ps_scale_scores *s, size_t t, size_t p)
{
    if (t != END)
        return value_at(s->columns, s->n_columns, t, p);
    for (size_t k = ps_names_count(c->timepoints); k-- > 1;) {
        double v = value_at(s->columns, s->n_columns, k, p);
        if (!isnan(v))
            return v;
    }
    return NAN;
}

static int in_group(const ps_cohort_t *c, size_t p, size_t by, uint32_t group)
{
    return by == ALL || c->groups[p * c->n_by + by] == group;
}

/* Band transitions among the paired, each band's row and column, and moving to a better band. */
static void band_figures(struct block *b, const struct ps_scale *scale, struct work *w,
                         size_t paired)
{
    const size_t nb = scale->n_bands;
    memset(w->transitions, 0, nb * nb * sizeof *w->transitions);
    unsigned long moved[3] = {0, 0, 0}; /* worse, same, better */
    for (size_t k = 0; k < paired; k++) {
        size_t from = band_index(scale, w->pre[k]), to = band_index(scale, w->post[k]);
        if (from != NONE && to != NONE) {
            w->transitions[from * nb + to]++;
            moved[band_direction(scale, from, to) + 1]++;
        }
    }
    count(b, PS_STAT_N_BAND_BETTER, NULL, NULL, moved[2]);
    count(b, PS_STAT_N_BAND_SAME, NULL, NULL, moved[1]);
    count(b, PS_STAT_N_BAND_WORSE, NULL, NULL, moved[0]);
    for (size_t x = 0; x < nb; x++)
        for (size_t y = 0; y < nb; y++)
            count(b, PS_STAT_TRANSITION, scale->bands[x].label, scale->bands[y].label,
                  w->transitions[x * nb + y]);
    for (size_t x = 0; x < nb; x++) {
        const char *band = scale->bands[x].label;
        unsigned long row = 0, column = 0, better = 0;
        for (size_t y = 0; y < nb; y++) {
            row += w->transitions[x * nb + y];
            column += w->transitions[y * nb + x];
            if (band_direction(scale, x, y) > 0)
                better += w->transitions[x * nb + y];
        }
        count(b, PS_STAT_N_BASELINE_BAND, band, NULL, row);
        count(b, PS_STAT_N_FOLLOWUP_BAND, band, NULL, column);
        rate(b, PS_STAT_SHARE_BASELINE_BAND, band);
        rate(b, PS_STAT_SHARE_FOLLOWUP_BAND, band);
        rate(b, PS_STAT_BAND_CHANGE, band);
        /* Every band with a better one: for better="lower" scales, the worst band is the top. */
        int has_better = scale->lower_is_better ? x > 0 : x + 1 < nb;
        if (has_better) {
            count(b, PS_STAT_N_MOVED_BETTER_FROM, band, NULL, better);
            rate(b, PS_STAT_MOVED_BETTER_FROM, band);
        }
    }
}

/* Meaningful and reliable change, improvement positive whichever way the scale points. */
static void individual_change(struct block *b, const struct ps_scale *scale, const double *change,
                              size_t paired)
{
    const double direction = scale->lower_is_better ? -1 : 1, slack = 1e-9;
    if (scale->has_meaningful) {
        unsigned long up = 0, down = 0;
        for (size_t k = 0; k < paired; k++) {
            double gain = direction * change[k];
            up += gain >= scale->meaningful - slack;      /* at least the threshold */
            down += gain <= -scale->meaningful + slack;
        }
        put(b, PS_STAT_MEANINGFUL_CHANGE, NULL, NULL, figure(scale->meaningful));
        count(b, PS_STAT_N_IMPROVED, NULL, NULL, up);
        count(b, PS_STAT_N_UNCHANGED, NULL, NULL, paired - up - down);
        count(b, PS_STAT_N_DETERIORATED, NULL, NULL, down);
        rate(b, PS_STAT_SHARE_IMPROVED, NULL);
    }
    if (scale->has_reliable) {
        /* The definition's points, or Jacobson-Truax's 1.96 * sqrt(2) * SEM (instrument.c). */
        unsigned long up = 0, down = 0;
        for (size_t k = 0; k < paired; k++) {
            up += reliable_gain(scale, direction * change[k], slack);
            down += reliable_gain(scale, -direction * change[k], slack);
        }
        if (scale->reliability > 0) {
            put(b, PS_STAT_REFERENCE_SD, NULL, NULL, figure(scale->reference_sd));
            put(b, PS_STAT_RELIABILITY, NULL, NULL, figure(scale->reliability));
        }
        if (scale->has_sem)
            put(b, PS_STAT_SEM, NULL, NULL, figure(scale->sem));
        put(b, PS_STAT_RELIABLE_CHANGE, NULL, NULL, figure(scale->reliable));
        put(b, PS_STAT_RELIABLE_AT_LEAST, NULL, NULL, figure(scale->reliable_at_least));
        count(b, PS_STAT_N_RELIABLE_IMPROVED, NULL, NULL, up);
        count(b, PS_STAT_N_NO_RELIABLE_CHANGE, NULL, NULL, paired - up - down);
        count(b, PS_STAT_N_RELIABLE_DETERIORATED, NULL, NULL, down);
        rate(b, PS_STAT_SHARE_RELIABLE_IMPROVED, NULL);
    }
}

static int compute_block(const ps_cohort_t *c, const struct ps_scale_scores *s, size_t t,
                         size_t by, uint32_t group, struct work *w, struct block *b)
{
    const struct ps_scale *scale = s->scale;
    size_t n_participants = ps_names_count(c->participants);
    size_t n_baseline = 0, n_followup = 0, paired = 0, dropped = 0;
    for (size_t p = 0; p < n_participants; p++) {
        if (!in_group(c, p, by, group))
            continue;
        double pre = value_at(s->columns, s->n_columns, 0, p), post = follow_up(c, s, t, p);
        n_baseline += !isnan(pre);
        n_followup += !isnan(post);
        if (!isnan(pre) && !isnan(post)) {
            w->pre[paired] = pre;
            w->post[paired] = post;
            w->change[paired] = post - pre; /* as R's t.test(post, pre, paired = TRUE) */
            paired++;
        } else if (!isnan(pre)) {
            w->dropouts[dropped++] = pre;
        }
    }

    count(b, PS_STAT_N_BASELINE, NULL, NULL, n_baseline);
    count(b, PS_STAT_N_FOLLOWUP, NULL, NULL, n_followup);
    count(b, PS_STAT_N_PAIRED, NULL, NULL, paired);
    count(b, PS_STAT_LOST_TO_FOLLOWUP, NULL, NULL, dropped);
    rate(b, PS_STAT_LOSS_RATE, NULL);

    /* Paired change: computed before the descriptions below sort pre and post. */
    ps_paired_t d;
    ps_paired(w->change, paired, w->scratch, &d);
    individual_change(b, scale, w->change, paired);
    if (scale->n_bands)
        band_figures(b, scale, w, paired);

    /* Levels among those paired (the completers), and the baseline of those lost. */
    ps_describe_t pre, post, lost;
    ps_describe(w->pre, paired, &pre);
    ps_describe(w->post, paired, &post);
    ps_describe(w->dropouts, dropped, &lost);
    put(b, PS_STAT_MEAN_BASELINE, NULL, NULL, pre.mean);
    put(b, PS_STAT_SD_BASELINE, NULL, NULL, pre.sd);
    put(b, PS_STAT_MEDIAN_BASELINE, NULL, NULL, pre.median);
    put(b, PS_STAT_MEAN_FOLLOWUP, NULL, NULL, post.mean);
    put(b, PS_STAT_SD_FOLLOWUP, NULL, NULL, post.sd);
    put(b, PS_STAT_MEDIAN_FOLLOWUP, NULL, NULL, post.median);
    put(b, PS_STAT_MEAN_BASELINE_LOST, NULL, NULL, lost.mean);
    put(b, PS_STAT_SD_BASELINE_LOST, NULL, NULL, lost.sd);
    ps_figure_t smd = {NAN, "needs 2 or more completers and 2 or more lost", NULL};
    if (!pre.sd.missing && !lost.sd.missing) {
        double pooled = sqrt((pre.sd.value * pre.sd.value + lost.sd.value * lost.sd.value) / 2);
        smd = pooled > 0 ? figure((pre.mean.value - lost.mean.value) / pooled)
                         : (ps_figure_t){NAN, "no variation at baseline", NULL};
    }
    put(b, PS_STAT_SMD_COMPLETERS_VS_LOST, NULL, NULL, smd);

    put(b, PS_STAT_MEAN_CHANGE, NULL, NULL, d.mean_change);
    put(b, PS_STAT_SD_CHANGE, NULL, NULL, d.sd_change);
    put(b, PS_STAT_CI_LOW, NULL, NULL, d.ci_low);
    put(b, PS_STAT_CI_HIGH, NULL, NULL, d.ci_high);
    put(b, PS_STAT_T, NULL, NULL, d.t);
    put(b, PS_STAT_DF, NULL, NULL, d.df);
    put(b, PS_STAT_P_T, NULL, NULL, d.p_t);
    put(b, PS_STAT_WILCOXON_V, NULL, NULL, d.wilcoxon_v);
    put(b, PS_STAT_P_WILCOXON, NULL, NULL, d.p_wilcoxon);
    put(b, PS_STAT_WILCOXON_EXACT, NULL, NULL,
        d.p_wilcoxon.missing ? d.p_wilcoxon : figure(d.wilcoxon_exact));
    put(b, PS_STAT_D_Z, NULL, NULL, d.d_z);
    put(b, PS_STAT_D_Z_CI_LOW, NULL, NULL, d.d_z_ci_low);
    put(b, PS_STAT_D_Z_CI_HIGH, NULL, NULL, d.d_z_ci_high);
    put(b, PS_STAT_G_Z, NULL, NULL, d.g_z);
    return finish_block(b);
}

/* ---- Pools: scales of one kind, one unit per person and member (e.g. each goal). ---- */

static const struct ps_scale_scores *scores_for(const ps_cohort_t *c, const struct ps_scale *scale)
{
    for (size_t s = 0; s < c->n_scales; s++)
        if (c->scales[s].scale == scale)
            return &c->scales[s];
    return NULL;
}

/* A scale's score at baseline (t = 0), a later timepoint, or the last follow-up (END). */
static double score_at(const ps_cohort_t *c, const struct ps_scale_scores *s, size_t t, size_t p)
{
    if (!s)
        return NAN;
    return t == 0 ? value_at(s->columns, s->n_columns, 0, p) : follow_up(c, s, t, p);
}

#define MAX_MEMBERS 100

/* A pool's scores, found once before its loops: per member, its rating, attainment and category. */
struct pool_scores {
    const struct ps_scale_scores *member[MAX_MEMBERS], *attainment[MAX_MEMBERS],
        *category[MAX_MEMBERS];
};

static void find_pool_scores(const ps_cohort_t *c, const struct ps_pool *pool,
                             struct pool_scores *out)
{
    for (size_t k = 0; k < pool->n_members && k < MAX_MEMBERS; k++) {
        out->member[k] = scores_for(c, pool->members[k]);
        out->attainment[k] = pool->attainment ? scores_for(c, pool->attainment[k]) : NULL;
        out->category[k] = pool->category ? scores_for(c, pool->category[k]) : NULL;
    }
}

/* The pooled figures of the units that pass 'keep' (a category number, or 0 for all). */
static int pool_figures(const ps_cohort_t *c, const struct ps_pool *pool,
                        const struct pool_scores *ps, size_t t, size_t by, uint32_t group,
                        int keep, struct block *b, double *d)
{
    size_t n_participants = ps_names_count(c->participants), units = 0;
    unsigned long up = 0, down = 0, att_b = 0, ach_b = 0, att_f = 0, ach_f = 0;
    int has_meaningful = 1;
    for (size_t k = 0; k < pool->n_members; k++)
        has_meaningful &= pool->members[k]->has_meaningful;
    for (size_t p = 0; p < n_participants; p++) {
        if (!in_group(c, p, by, group))
            continue;
        for (size_t k = 0; k < pool->n_members && k < MAX_MEMBERS; k++) {
            const struct ps_scale *m = pool->members[k];
            double pre = score_at(c, ps->member[k], 0, p), post = score_at(c, ps->member[k], t, p);
            if (isnan(pre) || isnan(post))
                continue;
            if (keep) {
                double category = score_at(c, ps->category[k], 0, p);
                if (isnan(category) || ps_scale_band_number(pool->category[k], category) != keep)
                    continue;
            }
            d[units++] = post - pre;
            double gain = (m->lower_is_better ? -1 : 1) * (post - pre), slack = 1e-9;
            up += has_meaningful && gain >= m->meaningful - slack;
            down += has_meaningful && gain <= -m->meaningful + slack;
            if (pool->attainment) {
                double a_b = score_at(c, ps->attainment[k], 0, p);
                double a_f = score_at(c, ps->attainment[k], t, p);
                att_b += !isnan(a_b);
                ach_b += !isnan(a_b) && a_b >= 0;
                att_f += !isnan(a_f);
                ach_f += !isnan(a_f) && a_f >= 0;
            }
        }
    }
    count(b, PS_STAT_N_PAIRED, NULL, NULL, units);
    if (has_meaningful) {
        count(b, PS_STAT_N_IMPROVED, NULL, NULL, up);
        count(b, PS_STAT_N_UNCHANGED, NULL, NULL, units - up - down);
        count(b, PS_STAT_N_DETERIORATED, NULL, NULL, down);
        rate(b, PS_STAT_SHARE_IMPROVED, NULL);
    }
    if (pool->attainment) {
        count(b, PS_STAT_N_ATTAINMENT_BASELINE, NULL, NULL, att_b);
        count(b, PS_STAT_N_ACHIEVED_BASELINE, NULL, NULL, ach_b);
        rate(b, PS_STAT_SHARE_ACHIEVED_BASELINE, NULL);
        count(b, PS_STAT_N_ATTAINMENT_FOLLOWUP, NULL, NULL, att_f);
        count(b, PS_STAT_N_ACHIEVED_FOLLOWUP, NULL, NULL, ach_f);
        rate(b, PS_STAT_SHARE_ACHIEVED_FOLLOWUP, NULL);
    }
    ps_describe_t change;
    ps_describe(d, units, &change);
    put(b, PS_STAT_MEAN_CHANGE, NULL, NULL, change.mean);
    put(b, PS_STAT_SD_CHANGE, NULL, NULL, change.sd);
    return b->report->out_of_memory ? -1 : 0;
}

static int compute_pool(const ps_cohort_t *c, const struct ps_pool *pool, size_t t, size_t by,
                        uint32_t group, struct work *w, struct block *b)
{
    struct pool_scores ps;
    find_pool_scores(c, pool, &ps);
    size_t n_participants = ps_names_count(c->participants);
    double *d = malloc((n_participants * pool->n_members + 1) * sizeof *d);
    if (!d || pool_figures(c, pool, &ps, t, by, group, 0, b, d)) {
        free(d);
        return -1;
    }
    /* Each member's change, and its rank: 1 for the greatest improvement. */
    double change[MAX_MEMBERS];
    const size_t n_members = pool->n_members < MAX_MEMBERS ? pool->n_members : MAX_MEMBERS;
    for (size_t k = 0; k < n_members; k++) {
        const struct ps_scale *m = pool->members[k];
        size_t n = 0;
        for (size_t p = 0; p < n_participants; p++) {
            if (!in_group(c, p, by, group))
                continue;
            double pre = score_at(c, ps.member[k], 0, p), post = score_at(c, ps.member[k], t, p);
            if (!isnan(pre) && !isnan(post))
                w->change[n++] = (m->lower_is_better ? -1 : 1) * (post - pre);
        }
        count(b, PS_STAT_N_PAIRED_MEMBER, m->id, NULL, n);
        change[k] = n ? ps_mean(w->change, n) : NAN;
        put(b, PS_STAT_IMPROVEMENT, m->id, NULL,
            n ? figure(change[k]) : (ps_figure_t){NAN, "no pairs", NULL});
    }
    for (size_t k = 0; k < n_members; k++) {
        ps_figure_t rank = {NAN, "no pairs", NULL};
        if (!isnan(change[k])) {
            rank = figure(1);
            for (size_t j = 0; j < n_members; j++)
                rank.value += !isnan(change[j]) && change[j] > change[k];
        }
        put(b, PS_STAT_RANK, pool->members[k]->id, NULL, rank);
    }
    if (pool->category) {
        /* Units without a category at baseline count in the whole pool only. */
        const struct ps_scale *category = pool->category[0];
        for (size_t band = 0; band < category->n_bands; band++) {
            b->category = category->bands[band].label;
            if (pool_figures(c, pool, &ps, t, by, group, (int)band + 1, b, d)) {
                free(d);
                return -1;
            }
        }
        b->category = NULL;
    }
    free(d);
    return finish_block(b);
}

/* ---- Assembly: every unit, comparison and group, with the relations across blocks. ---- */

static int compare_scales(const void *a, const void *b)
{
    const struct ps_scale_scores *x = a, *y = b;
    return (x->order > y->order) - (x->order < y->order);
}

/* The group values of column 'by' in natural order (ps_names_natural_order), for every format. */
static uint32_t *sorted_groups(const ps_cohort_t *c, size_t by)
{
    return ps_names_natural_order(c->group_values[by]);
}

/* Whether every participant has a value in column 'by': then its groups add up to all. */
static int column_complete(const ps_cohort_t *c, size_t by)
{
    for (size_t p = 0; p < ps_names_count(c->participants); p++)
        if (c->groups[p * c->n_by + by] == NO_GROUP)
            return 0;
    return 1;
}

/* The same statistic in another block laid out alike (every block of a unit and comparison is). */
static size_t same_in(const ps_report_t *r, size_t i, size_t from, size_t start)
{
    const ps_statistic_t *s = &r->stats[i];
    size_t j = start + (i - from);
    if (j < r->n && r->stats[j].id == s->id && r->stats[j].param[0] == s->param[0] &&
        r->stats[j].param[1] == s->param[1] && r->stats[j].category == s->category)
        return j;
    return find_in(r, start, r->n, s->id, s->param[0], s->param[1], s->category);
}

/* For every count of the whole cohort's block: the groups of one column add up to it. */
static int relate_groups(ps_report_t *r, size_t all, size_t size, const size_t *starts,
                         size_t n_groups, int complete)
{
    size_t *parts = malloc((n_groups ? n_groups : 1) * sizeof *parts);
    if (!parts)
        return -1;
    int err = 0;
    const struct ps_relation_rule *rule = ps_relation_rule_of(PS_SHAPE_OVER_GROUPS);
    for (size_t k = all; k < all + size && !err; k++) {
        if (!r->stats[k].is_count)
            continue;
        for (size_t g = 0; g < n_groups; g++)
            parts[g] = same_in(r, k, all, starts[g]);
        err = relate_groups_of(r, rule, k, parts, n_groups, !complete);
    }
    free(parts);
    return err;
}

/* The counts of baseline->end related to the follow-ups' by their extra pairings: those of
 * people (or units) seen and paired, which figures rest on. */
static int counts_pairings(ps_statistic_id_t id)
{
    return id == PS_STAT_N_FOLLOWUP || id == PS_STAT_N_PAIRED || id == PS_STAT_N_PAIRED_MEMBER;
}

/* Each such count of baseline->end (block e: each person's last follow-up), summed over the
 * follow-ups (blocks 0..e-1) instead, counts besides each follow-up but the last of a person
 * paired (or seen) at more than one: a latent count, never to be confined to
 * 1..threshold, or differencing the blocks' means and SDs would describe those few people. */
static int relate_extra_pairings(ps_report_t *r, const size_t *starts, const size_t *sizes,
                                 size_t e)
{
    size_t *each = malloc(e * sizeof *each);
    int err = !each;
    for (size_t i = starts[e]; i < starts[e] + sizes[e] && !err; i++) {
        const ps_statistic_t *s = &r->stats[i];
        if (!s->is_count || !counts_pairings(s->id))
            continue;
        double extra = -s->value;
        for (size_t k = 0; k < e; k++) {
            each[k] = same_in(r, i, starts[e], starts[k]);
            extra += each[k] == NONE ? 0 : r->stats[each[k]].value;
        }
        if (extra >= 0) /* always so: a guard, as a false relation would void the audit */
            err = relate_sums(r, each, e, &i, 1, 1);
    }
    if (!each)
        r->out_of_memory = 1;
    free(each);
    return err ? -1 : 0;
}

/* Across the comparisons of one unit and group: one n_baseline; the last follow-up covers all. */
static int relate_comparisons(ps_report_t *r, const size_t *starts, const size_t *sizes,
                              size_t n_comparisons, int has_end)
{
    for (size_t k = 0; k + 1 < n_comparisons; k++) {
        size_t a = find_in(r, starts[k], starts[k] + sizes[k], PS_STAT_N_BASELINE, NULL, NULL, NULL);
        size_t b = find_in(r, starts[k + 1], starts[k + 1] + sizes[k + 1], PS_STAT_N_BASELINE,
                           NULL, NULL, NULL);
        if (relate(r, a, &b, 1, 0))
            return -1;
    }
    if (!has_end)
        return 0;
    size_t e = n_comparisons - 1;
    const struct ps_relation_rule *last = ps_relation_rule_of(PS_SHAPE_LAST_COVERS);
    for (size_t k = 0; k < e; k++) {
        /* The whole block's, and in a pool each category's (a unit's category is its
         * baseline's, the same in every comparison). The last follow-up's paired and those
         * whose last follow-up is earlier are disjoint groups making up baseline->end's. */
        for (size_t i = starts[e]; i < starts[e] + sizes[e]; i++) {
            const ps_statistic_t *s = &r->stats[i];
            if (s->id != PS_STAT_N_FOLLOWUP && s->id != PS_STAT_N_PAIRED)
                continue;
            size_t at_k = find_in(r, starts[k], starts[k] + sizes[k], s->id, NULL, NULL,
                                  s->category);
            int is_last = k + 1 == e && s->id == PS_STAT_N_PAIRED;
            if (relate_groups_of(r, is_last ? last : NULL, i, &at_k, 1, 1))
                return -1;
        }
        size_t lost_end = find_in(r, starts[e], starts[e] + sizes[e], PS_STAT_LOST_TO_FOLLOWUP,
                                  NULL, NULL, NULL);
        size_t lost_k = find_in(r, starts[k], starts[k] + sizes[k], PS_STAT_LOST_TO_FOLLOWUP, NULL,
                                NULL, NULL);
        if (relate(r, lost_k, &lost_end, 1, 1))
            return -1;
    }
    return relate_extra_pairings(r, starts, sizes, e);
}

/* What a unit is: a scale, or a pool. */
struct unit {
    const struct ps_scale_scores *scores;
    const struct ps_pool *pool;
    const struct ps_instrument *instrument;
    const char *id;
};

static int compute_unit_block(const ps_cohort_t *c, const struct unit *u, size_t t, size_t by,
                              uint32_t group, struct work *w, struct block *b)
{
    ps_report_t *r = b->report;
    b->start = r->n;
    if (u->pool)
        return compute_pool(c, u->pool, t, by, group, w, b);
    if (compute_block(c, u->scores, t, by, group, w, b))
        return -1;
    if (ps_grow((void **)&r->blocks, &r->blocks_size, r->n_blocks + 1, sizeof *r->blocks)) {
        r->out_of_memory = 1;
        return -1;
    }
    r->blocks[r->n_blocks++] = (struct scale_block){u->scores->scale, b->start, r->n};
    return 0;
}

/* Every comparison and group of one unit, and the relations between its blocks. */
static int compute_unit(const ps_cohort_t *c, const struct unit *u, struct work *w,
                        ps_report_t *r)
{
    const size_t n_timepoints = ps_names_count(c->timepoints);
    /* Each later timepoint, then each person's last follow-up when there are two or more. */
    const size_t n_comparisons = n_timepoints > 2 ? n_timepoints : n_timepoints - 1;
    size_t n_groups = 1;
    for (size_t by = 0; by < c->n_by; by++)
        n_groups += ps_names_count(c->group_values[by]);
    size_t *starts = malloc(n_comparisons * n_groups * sizeof *starts);
    size_t *sizes = malloc(n_comparisons * n_groups * sizeof *sizes);
    size_t *column = malloc(2 * n_comparisons * sizeof *column);
    int err = !starts || !sizes || !column;
    const char *baseline = ps_names_text(c->timepoints, 0);
    for (size_t k = 0; k < n_comparisons && !err; k++) {
        size_t t = k + 1 < n_timepoints ? k + 1 : END;
        const char *comparison = format(
            r, "%s->%s", baseline, t == END ? "end" : ps_names_text(c->timepoints, (uint32_t)t));
        struct block b = {r, u->instrument, u->id, u->pool ? NULL : u->scores->scale, u->pool,
                          "all", comparison, NULL, 0};
        size_t slot = k * n_groups;
        err = !comparison || compute_unit_block(c, u, t, ALL, 0, w, &b);
        starts[slot] = b.start;
        sizes[slot] = r->n - b.start;
        size_t all = slot;
        for (size_t by = 0; by < c->n_by && !err; by++) {
            uint32_t *order = sorted_groups(c, by);
            size_t n = ps_names_count(c->group_values[by]), first = slot + 1;
            err = !order;
            for (size_t g = 0; g < n && !err; g++) {
                b.group = format(r, "%s=%s", c->by[by],
                                 ps_names_text(c->group_values[by], order[g]));
                err = !b.group || compute_unit_block(c, u, t, by, order[g], w, &b);
                starts[++slot] = b.start;
                sizes[slot] = r->n - b.start;
            }
            free(order);
            if (!err)
                err = relate_groups(r, starts[all], sizes[all], starts + first, n,
                                    column_complete(c, by));
        }
    }
    /* Group by group, across comparisons. */
    for (size_t g = 0; g < n_groups && !err; g++) {
        for (size_t k = 0; k < n_comparisons; k++) {
            column[k] = starts[k * n_groups + g];
            column[n_comparisons + k] = sizes[k * n_groups + g];
        }
        err = relate_comparisons(r, column, column + n_comparisons, n_comparisons,
                                 n_timepoints > 2);
    }
    free(starts);
    free(sizes);
    free(column);
    return err || r->out_of_memory ? -1 : 0;
}

/* ---- Scales of one instrument counting the same people. ---- */

/* Whether scale 'derived' is scored as the band of scale 'source' (its band number). */
static int bands_of(const struct ps_scale *derived, const struct ps_scale *source)
{
    return derived->of == source && source->n_bands && derived->method_name &&
           strcmp(derived->method_name, "scale:band") == 0;
}

/* The run of blocks of the scale whose first block is r->blocks[first]: its end. */
static size_t run_end(const ps_report_t *r, size_t first)
{
    size_t end = first;
    while (end < r->n_blocks && r->blocks[end].scale == r->blocks[first].scale)
        end++;
    return end;
}

static const ps_statistic_id_t people_counts[] = {PS_STAT_N_BASELINE, PS_STAT_N_FOLLOWUP,
                                                  PS_STAT_N_PAIRED};

/* In each group and comparison, the people counts of a scale scored as the band of another
 * are the other's (at most the other's where bands leave scores out: a bound, not a latent
 * count). Scales scored from overlapping items (WEMWBS total and its SWEMWBS) are not related:
 * doing so joined their audits into programs too large to solve in time. Blocks alike (the m-th of each scale) go together. A relation the data break (a scored CSV
 * not from promscore score) is not a rule: left out. */
static int relate_scales(ps_report_t *r)
{
    for (size_t a0 = 0; a0 < r->n_blocks; a0 = run_end(r, a0))
        for (size_t b0 = 0; b0 < r->n_blocks; b0 = run_end(r, b0)) {
            const struct ps_scale *a = r->blocks[a0].scale, *b = r->blocks[b0].scale;
            if (!bands_of(a, b) || run_end(r, a0) - a0 != run_end(r, b0) - b0)
                continue;
            for (size_t m = 0; m < run_end(r, a0) - a0; m++) {
                const struct scale_block *x = &r->blocks[a0 + m], *y = &r->blocks[b0 + m];
                for (size_t k = 0; k < sizeof people_counts / sizeof people_counts[0]; k++) {
                    size_t in_a = find_in(r, x->start, x->end, people_counts[k], NULL, NULL, NULL);
                    size_t in_b = find_in(r, y->start, y->end, people_counts[k], NULL, NULL, NULL);
                    if (in_a == NONE || in_b == NONE)
                        continue;
                    int bound = unbanded(b);
                    double more = r->stats[in_b].value - r->stats[in_a].value;
                    if (more < 0 || (!bound && more > 0))
                        continue;
                    const size_t terms[2] = {in_b, in_a};
                    static const double coefficients[2] = {1, -1};
                    if (relate_terms(r, terms, coefficients, 2, 0, bound ? INFINITY : 0, NONE,
                                     NONE, -1))
                        return -1;
                }
            }
        }
    return r->out_of_memory ? -1 : 0;
}

/* Whether statistic 'id' counts people by their bands. */
static int band_count(ps_statistic_id_t id);

/* A scale scored as the band of another gives the other's band counts away: its figures, and
 * its counts but the people counts and lost_to_followup (related to the other's), are hidden
 * in each block where a band count of the other is. */
static void hide_bands_of(ps_report_t *r, unsigned char *hidden)
{
    for (size_t a0 = 0; a0 < r->n_blocks; a0 = run_end(r, a0))
        for (size_t b0 = 0; b0 < r->n_blocks; b0 = run_end(r, b0)) {
            if (!bands_of(r->blocks[a0].scale, r->blocks[b0].scale) ||
                run_end(r, a0) - a0 != run_end(r, b0) - b0)
                continue;
            for (size_t m = 0; m < run_end(r, a0) - a0; m++) {
                const struct scale_block *x = &r->blocks[a0 + m], *y = &r->blocks[b0 + m];
                int hide = 0;
                for (size_t i = y->start; i < y->end && !hide; i++)
                    hide = hidden[i] && band_count(r->stats[i].id);
                for (size_t i = x->start; i < x->end && hide; i++) {
                    ps_statistic_id_t id = r->stats[i].id;
                    if (ps_statistic_info(id)->kind == PS_KIND_FIGURE ||
                        (r->stats[i].is_count && id != PS_STAT_N_BASELINE &&
                         id != PS_STAT_N_FOLLOWUP && id != PS_STAT_N_PAIRED &&
                         id != PS_STAT_LOST_TO_FOLLOWUP))
                        hidden[i] = 1;
                }
            }
        }
}

/* ---- Disclosure control, and the figures that follow from it. ---- */

static const char *const withheld_note =
    "withheld under rounding: beside the mean and SD it would give the exact number of people";

/* A rate or change from the counts as published. */
static void compute_rate(ps_report_t *r, size_t i)
{
    ps_statistic_t *s = &r->stats[i];
    size_t a = r->rests_on[2 * i], b = r->rests_on[2 * i + 1];
    double x = a == NONE ? NAN : r->stats[a].value, y = b == NONE ? NAN : r->stats[b].value;
    if (y > 0 && !isnan(x)) {
        s->value = ps_statistic_info(s->id)->kind == PS_KIND_CHANGE ? (x - y) / y : x / y;
        s->shown = PS_SHOWN;
        s->reason = NULL;
    } else {
        s->value = NAN;
        s->shown = PS_NOT_COMPUTABLE;
        s->reason = "no one to take a share of";
    }
}


/* Whether statistic 'id' counts people by their bands. */
static int band_count(ps_statistic_id_t id)
{
    return id == PS_STAT_TRANSITION || id == PS_STAT_N_BASELINE_BAND ||
           id == PS_STAT_N_FOLLOWUP_BAND || id == PS_STAT_N_BAND_BETTER ||
           id == PS_STAT_N_BAND_SAME || id == PS_STAT_N_BAND_WORSE ||
           id == PS_STAT_N_MOVED_BETTER_FROM;
}

static const char *const figures_note =
    "hidden with its block's figures: with the band counts, the means and medians would "
    "reveal a hidden count";

/* Hides the figures of each block disclosure control says to, and, on a scale whose every
 * band is one score, of each block with a hidden band count (its scores are its bands). */
static void hide_switched_figures(ps_report_t *r, unsigned char *hidden)
{
    for (size_t k = 0; k < r->n_switches; k++) {
        const struct figures_switch *w = &r->switches[k];
        int hide = hidden[w->at];
        const struct ps_scale *scale = r->stats[w->at].scale;
        if (scale && scale->n_bands && single_valued(scale))
            for (size_t i = w->start; i < w->end && !hide; i++)
                hide = hidden[i] && band_count(r->stats[i].id);
        if (!hide)
            continue;
        for (size_t i = w->start; i < w->end; i++)
            if (ps_statistic_info(r->stats[i].id)->kind == PS_KIND_FIGURE)
                hidden[i] = 1;
    }
}

/* A member's rank says how many members have pairs: ranks go with any hidden member count
 * of their pool block (its member counts come before its ranks). */
static void hide_ranks(ps_report_t *r, unsigned char *hidden)
{
    for (size_t i = 0; i < r->n; i++) {
        const ps_statistic_t *rank = &r->stats[i];
        if (rank->id != PS_STAT_RANK)
            continue;
        for (size_t j = i; j-- > 0;) {
            const ps_statistic_t *s = &r->stats[j];
            if (s->unit != rank->unit || s->group != rank->group ||
                s->comparison != rank->comparison)
                break;
            if (s->id == PS_STAT_N_PAIRED_MEMBER && s->category == rank->category && hidden[j])
                hidden[i] = 1;
        }
    }
}

/* Returns PS_OK, PS_ERROR_NOMEM, or PS_ERROR_INTERNAL when the audit's solver failed. */
static ps_error_t disclose(ps_report_t *r, const ps_disclosure_t *rule)
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
    for (size_t i = 0; i < n_cells; i++) {
        const int latent = i >= r->n;
        kind[i] = latent ? PS_SDC_LATENT : r->stats[i].is_count ? PS_SDC_COUNT : PS_SDC_NOT_A_COUNT;
        value[i] = latent ? r->latent[i - r->n] : r->stats[i].value;
        /* What hiding costs the reader, in tiers: a group's count (its size; a zero as much
         * as the smallest count that can be published: non-zero complements are preferred,
         * but not above much larger ones), then a group's figures (means, SDs: a count they
         * rest on takes them with it), then a count of the whole cohort, what a reader looks
         * for first, then the whole cohort's figures. */
        const int whole = !latent && strcmp(r->stats[i].group, "all") == 0;
        const int figures = kind[i] == PS_SDC_NOT_A_COUNT ||
                            (!latent && value[i] > 0 && ps_statistic_bears_figures(r->stats[i].id));
        double size = kind[i] == PS_SDC_NOT_A_COUNT ? 0
                      : value[i] > 0 ? value[i] : rule->threshold + 1.0 + rule->round_to;
        static const double tier[2][2] = {{0, 1e4}, {1e5, 1e6}}; /* [whole][figures] */
        cost[i] = latent ? 0 : size * (whole ? 10 : 1) + tier[whole][figures];
    }
    for (size_t t = 0; t < r->n_terms; t++) {
        size_t ref = r->term_statistic[t];
        cells[t] = IS_LATENT(ref) ? r->n + (ref - LATENT(0)) : ref;
    }
    for (size_t k = 0; k < r->n_relations; k++) {
        const struct relation *rel = &r->relations[k];
        relations[k] = (struct ps_sdc_relation){cells + rel->first_term,
                                                r->term_coefficient + rel->first_term,
                                                rel->n_terms, rel->lo, rel->hi, rel->figures,
                                                rel->rests_on, rel->adds_figures};
    }
    struct ps_sdc_table table = {n_cells, value, kind, cost, relations, r->n_relations};
    if (rule->suppress && ps_sdc_protect(&table, rule, hidden, &r->audit)) {
        err = PS_ERROR_INTERNAL;
        goto done;
    }
    for (size_t i = r->n; i < n_cells; i++)
        r->latent_pinned += hidden[i] == PS_SDC_PINNED;
    if (rule->suppress) {
        hide_switched_figures(r, hidden);
        hide_bands_of(r, hidden);
        hide_ranks(r, hidden);
    }
    /* The relations an attacker has: those of the definition, and those of figures shown
     * (the bounds of the others would give hidden figures away). */
    if (!(r->published = malloc((r->n_relations ? r->n_relations : 1) * sizeof *r->published)))
        goto done;
    for (size_t k = 0; k < r->n_relations; k++) {
        const struct relation *rel = &r->relations[k];
        if (rel->figures == NONE || (!hidden[rel->figures] && !hidden[rel->rests_on]))
            r->published[r->n_published++] = k;
    }
    /* Counts: hidden, or shown as published. */
    for (size_t i = 0; i < r->n; i++) {
        ps_statistic_t *s = &r->stats[i];
        if (!s->is_count)
            continue;
        if (hidden[i])
            s->shown = PS_SUPPRESSED;
        else if (rule->suppress)
            s->value = ps_sdc_published(s->value, rule);
    }
    /* Figures follow the counts they rest on, whatever their own state. */
    for (size_t i = 0; i < r->n; i++) {
        ps_statistic_t *s = &r->stats[i];
        const ps_statistic_info_t *info = ps_statistic_info(s->id);
        size_t a = r->rests_on[2 * i], b = r->rests_on[2 * i + 1];
        if (s->is_count || info->kind == PS_KIND_CONSTANT)
            continue;
        int on_hidden = (a != NONE && hidden[a]) || (b != NONE && hidden[b]);
        if (on_hidden || hidden[i]) {
            *s = (ps_statistic_t){.instrument = s->instrument, .unit = s->unit, .scale = s->scale,
                                  .group = s->group, .comparison = s->comparison, .id = s->id,
                                  .name = s->name, .param = {s->param[0], s->param[1]},
                                  .category = s->category, .value = NAN,
                                  .shown = PS_SUPPRESSED, .note = on_hidden ? NULL : figures_note};
        } else if (info->kind == PS_KIND_RATE || info->kind == PS_KIND_CHANGE) {
            compute_rate(r, i);
        } else if (rule->suppress && rule->round_to && s->shown == PS_SHOWN) {
            if (info->reveals_n) {
                s->shown = PS_SUPPRESSED;
                s->value = NAN;
                s->note = withheld_note;
                r->audit.withheld++;
            } else {
                /* One decimal fewer than the text shows: no more than the rounded n allows. */
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

/* The rule in words. A threshold of 0 or 1 leaves small numbers shown: the rule says so, as
 * with no disclosure control at all. */
static void describe_rule(ps_report_t *r, const ps_disclosure_t *rule)
{
    const unsigned limit = rule->threshold;
    char *to = r->rule_text;
    size_t room = sizeof r->rule_text;
    char small[32]; /* "1" or "1 to 7": the counts hidden as small */
    snprintf(small, sizeof small, limit == 1 ? "1" : "1 to %u", limit);
    int n;
    if (!rule->suppress)
        n = snprintf(to, room, "No disclosure control: small numbers are shown");
    else if (limit == 0)
        n = snprintf(to, room, "No count is suppressed (threshold 0)%s",
                     rule->round_to ? "" : ": small numbers are shown");
    else {
        n = snprintf(to, room,
                     "Counts of %s, and figures based on them, are suppressed. Further "
                     "counts are suppressed until no hidden count can be worked out exactly "
                     "(audited by linear programming) from the published counts, the relations "
                     "between them and this rule, by which a count hidden as small is %s; "
                     "so are zeros that would show all of a small total in one part, and any "
                     "count without which the whole's figures less the groups' shown would "
                     "describe %s %s",
                     small, small, small, limit == 1 ? "person" : "people");
    }
    const size_t pinned = r->audit.pinned - r->latent_pinned, confined = r->latent_pinned;
    if (rule->suppress && limit && pinned && n > 0 && (size_t)n < room)
        n += snprintf(to + n, room - (size_t)n,
                      "; %zu hidden count%s cannot be protected: the relations pin %s to one "
                      "value whatever else is hidden",
                      pinned, pinned == 1 ? "" : "s", pinned == 1 ? "it" : "each");
    if (rule->suppress && limit && confined && n > 0 && (size_t)n < room)
        n += snprintf(to + n, room - (size_t)n,
                      "; %zu count%s of people never published (such as those paired at two "
                      "follow-ups) cannot be protected: the relations put %s at %s whatever "
                      "else is hidden",
                      confined, confined == 1 ? "" : "s", confined == 1 ? "it" : "each", small);
    if (rule->suppress && rule->round_to && n > 0 && (size_t)n < room)
        n += snprintf(to + n, room - (size_t)n,
                      "; %scounts are rounded to the nearest %u and rates computed from the "
                      "rounded counts (NHS Digital's method); df, t, p-values and intervals are "
                      "withheld and other figures rounded, as they would give the exact n",
                      limit ? "other " : "", rule->round_to);
    if ((!rule->suppress || limit < 2) && n > 0 && (size_t)n < room)
        n += snprintf(to + n, room - (size_t)n, ". For internal analysis only; do not publish");
    if (n > 0 && (size_t)n + 1 < room)
        strcat(to, ".");
}

ps_error_t ps_cohort_report(ps_cohort_t *c, const ps_disclosure_t *rule, ps_report_t **out)
{
    *out = NULL;
    ps_error_t checked = ps_cohort_check(c);
    if (checked)
        return checked;
    ps_report_t *r = calloc(1, sizeof *r);
    if (!r || !(r->arena = ps_arena_new())) {
        free(r);
        return PS_ERROR_NOMEM;
    }
    r->rule = *rule;
    size_t n_participants = ps_names_count(c->participants), nb_max = 1;
    for (size_t s = 0; s < c->n_scales; s++)
        if (c->scales[s].scale->n_bands > nb_max)
            nb_max = c->scales[s].scale->n_bands;
    size_t n = n_participants ? n_participants : 1;
    struct work w = {
        .pre = malloc(n * sizeof(double)), .post = malloc(n * sizeof(double)),
        .change = malloc(n * sizeof(double)), .dropouts = malloc(n * sizeof(double)),
        .scratch = malloc(ps_paired_scratch(n)),
        .transitions = malloc(nb_max * nb_max * sizeof(unsigned long)),
    };
    ps_error_t err = PS_ERROR_NOMEM;
    if (!w.pre || !w.post || !w.change || !w.dropouts || !w.scratch || !w.transitions)
        goto done;
    if (c->n_scales) /* qsort wants a valid pointer even for none */
        qsort(c->scales, c->n_scales, sizeof *c->scales, compare_scales);
    if (ps_names_count(c->timepoints) > 1) {
        for (size_t s = 0; s < c->n_scales; s++) {
            const struct ps_scale *scale = c->scales[s].scale;
            struct unit u = {&c->scales[s], NULL, scale->instrument, scale->id};
            if (scale->reported && compute_unit(c, &u, &w, r))
                goto done;
        }
        /* Pools, for each instrument with scores; a pool none of whose members was scored is
         * left out. */
        for (size_t i = 0; i < c->context->n_instruments; i++) {
            const struct ps_instrument *in = c->context->instruments[i];
            for (size_t q = 0; q < in->n_pools; q++) {
                const struct ps_pool *pool = &in->pools[q];
                int collected = 0;
                for (size_t k = 0; k < pool->n_members; k++)
                    collected |= scores_for(c, pool->members[k]) != NULL;
                struct unit u = {NULL, pool, in, pool->id};
                if (collected && compute_unit(c, &u, &w, r))
                    goto done;
            }
        }
    }
    if (relate_scales(r))
        goto done;
    if ((err = disclose(r, rule))) {
        if (err == PS_ERROR_INTERNAL)
            ps_diagnose(c->context, err, NULL, 0, 0,
                        "disclosure control: the audit's linear program could not be solved; "
                        "nothing may be published");
        goto done;
    }
    describe_rule(r, rule);
    *out = r;
    r = NULL;
    err = PS_OK;
done:
    ps_report_free(r);
    free(w.pre);
    free(w.post);
    free(w.change);
    free(w.dropouts);
    free(w.scratch);
    free(w.transitions);
    return err;
}

void ps_report_free(ps_report_t *r)
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
    free(r->switches);
    free(r->blocks);
    free(r->published);
    free(r);
}

size_t ps_report_count(const ps_report_t *r)
{
    return r->n;
}

const ps_statistic_t *ps_report_statistic(const ps_report_t *r, size_t index)
{
    return index < r->n ? &r->stats[index] : NULL;
}

const char *ps_report_disclosure_rule(const ps_report_t *r)
{
    return r->rule_text;
}

size_t ps_report_relation_count(const ps_report_t *r)
{
    return r->n_published;
}

int ps_report_relation(const ps_report_t *r, size_t index, ps_relation_t *out)
{
    if (index >= r->n_published)
        return 0;
    const struct relation *rel = &r->relations[r->published[index]];
    /* A latent count, last, with coefficient -1, leaves the published terms from lo up. */
    *out = (ps_relation_t){r->term_statistic + rel->first_term,
                           r->term_coefficient + rel->first_term,
                           rel->n_terms - (size_t)rel->latent, rel->lo,
                           rel->latent ? INFINITY : rel->hi, rel->figures != NONE};
    return 1;
}

const ps_audit_t *ps_report_audit(const ps_report_t *r)
{
    return &r->audit;
}
