/*
 * The cohort change report: for each scale, comparison and group, the flow
 * of participants, paired change, effect sizes, individual change and band
 * transitions, as a tidy list of figures; then disclosure control.
 */
#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cohort.h"
#include "stats.h"

#define END SIZE_MAX                /* comparison with each person's last follow-up */
#define ALL SIZE_MAX                /* the whole cohort, not a group */
#define NONE SIZE_MAX

/* An additive relation among counts: total = sum of parts. Secondary suppression keeps
 * at least two unknowns in every relation whose members are published. */
struct relation {
    size_t total;
    size_t first_part;              /* into report->parts */
    size_t n_parts;
};

/* Figures computed from two counts a and b (rests_on), again after rounding. */
enum { NOT_A_RATE, RATE_SHARE /* a / b */, RATE_CHANGE /* (a - b) / b */ };

struct ps_report {
    ps_arena_t *arena;
    ps_statistic_t *stats;
    size_t n, size;
    /* Per figure: the counts it rests on (NONE when fewer). A figure is hidden whenever one of
     * them is: with the mean, SD and t of a hidden n anyone could work n out again. */
    size_t *rests_on;               /* two per figure */
    int *is_rate;                   /* per figure: a RATE_ kind, computed from the shown counts */
    struct relation *relations;
    size_t n_relations, relations_size;
    size_t *parts;
    size_t n_parts, parts_size;
    int out_of_memory;
    char rule[400];
};

/* What the figures being added belong to. */
struct block {
    ps_report_t *report;
    const struct ps_instrument *instrument;
    const char *unit;               /* the scale's id, or the pool's */
    const struct ps_scale *scale;   /* NULL for a pool */
    const char *group;
    const char *comparison;
};

static size_t add(struct block *b, const char *name, ps_figure_t f, size_t rests_on,
                  size_t also_on, int is_count)
{
    ps_report_t *r = b->report;
    if (r->n == r->size) {
        size_t size = r->size;
        size_t *rests = NULL;
        int *rate = NULL;
        if (!ps_grow((void **)&r->stats, &size, r->n + 1, sizeof *r->stats)) {
            if ((rests = realloc(r->rests_on, 2 * size * sizeof *rests)))
                r->rests_on = rests;
            if ((rate = realloc(r->is_rate, size * sizeof *rate)))
                r->is_rate = rate;
        }
        if (!rests || !rate) {
            r->out_of_memory = 1;
            return NONE;
        }
        r->size = size;
    }
    r->stats[r->n] = (ps_statistic_t){
        .instrument = b->instrument, .unit = b->unit,
        .scale = b->scale, .group = b->group, .comparison = b->comparison, .name = name,
        .value = f.missing ? NAN : f.value, .shown = f.missing ? PS_NOT_COMPUTABLE : PS_SHOWN,
        .reason = f.missing, .is_count = is_count,
    };
    r->rests_on[2 * r->n] = rests_on;
    r->rests_on[2 * r->n + 1] = also_on;
    r->is_rate[r->n] = 0;
    return r->n++;
}

static size_t add_count(struct block *b, const char *name, unsigned long count)
{
    return add(b, name, (ps_figure_t){(double)count, NULL}, NONE, NONE, 1);
}

/* A figure resting on one count: the people it was computed from. */
static size_t add_on(struct block *b, const char *name, ps_figure_t f, size_t count)
{
    return add(b, name, f, count, NONE, 0);
}

/* A rate of two counts: a / b (RATE_SHARE) or (a - b) / b (RATE_CHANGE). */
static size_t add_rate(struct block *b, const char *name, size_t a, size_t of, int kind)
{
    ps_report_t *r = b->report;
    double x = a == NONE ? NAN : r->stats[a].value, y = of == NONE ? NAN : r->stats[of].value;
    ps_figure_t f = y > 0 ? (ps_figure_t){(x - (kind == RATE_CHANGE ? y : 0)) / y, NULL}
                          : (ps_figure_t){NAN, "no one to take a share of"};
    size_t i = add(b, name, f, a, of, 0);
    if (i != NONE)
        r->is_rate[i] = kind;
    return i;
}

/* A threshold from the definition: about no one. */
static size_t add_constant(struct block *b, const char *name, double value)
{
    return add(b, name, (ps_figure_t){value, NULL}, NONE, NONE, 0);
}

static ps_figure_t figure(double value)
{
    return (ps_figure_t){value, NULL};
}

/* Records total = sum of parts; parts are 'n' figure numbers. */
static int relate(ps_report_t *r, size_t total, const size_t *parts, size_t n)
{
    int missing = total == NONE;
    for (size_t i = 0; i < n; i++)
        missing |= parts[i] == NONE;
    if (missing ||
        ps_grow((void **)&r->relations, &r->relations_size, r->n_relations + 1, sizeof *r->relations) ||
        ps_grow((void **)&r->parts, &r->parts_size, r->n_parts + n, sizeof *r->parts)) {
        r->out_of_memory = 1;
        return -1;
    }
    r->relations[r->n_relations++] = (struct relation){total, r->n_parts, n};
    memcpy(r->parts + r->n_parts, parts, n * sizeof *parts);
    r->n_parts += n;
    return 0;
}

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
    size_t *transitions;            /* bands x bands */
    size_t *cells;                  /* bands x bands: figure numbers of the transitions */
};

/*
 * Per band, among the paired: how many were in it at baseline and at follow-up
 * (the transition table's rows and columns), the cohort-level change in that
 * number, and, individually, how many of those in it at baseline moved to a
 * higher band. A report says which of the two readings of "reduction" it shows.
 */
static int band_shares(struct block *b, const struct ps_scale *scale, struct work *w,
                       size_t i_paired)
{
    ps_report_t *r = b->report;
    const size_t nb = scale->n_bands;
    for (size_t band = 0; band < nb; band++) {
        const char *label = scale->bands[band].label;
        size_t row[100], column[100], up[100], n_up = 0;
        unsigned long at_baseline = 0, at_followup = 0, moved_up = 0;
        for (size_t k = 0; k < nb; k++) {
            row[k] = w->cells[band * nb + k];
            column[k] = w->cells[k * nb + band];
            at_baseline += (unsigned long)r->stats[row[k]].value;
            at_followup += (unsigned long)r->stats[column[k]].value;
            if (k > band) {
                up[n_up++] = row[k];
                moved_up += (unsigned long)r->stats[row[k]].value;
            }
        }
        const char *n_b = format(r, "n_baseline_band:%s", label);
        const char *n_f = format(r, "n_followup_band:%s", label);
        const char *change = format(r, "band_change:%s", label);
        const char *n_up_name = format(r, "n_moved_up_from:%s", label);
        const char *share = format(r, "moved_up_from:%s", label);
        if (!n_b || !n_f || !change || !n_up_name || !share)
            return -1;
        size_t i_b = add_count(b, n_b, at_baseline), i_f = add_count(b, n_f, at_followup);
        if (relate(r, i_b, row, nb) || relate(r, i_f, column, nb))
            return -1;
        const char *share_b = format(r, "share_baseline_band:%s", label);
        const char *share_f = format(r, "share_followup_band:%s", label);
        if (!share_b || !share_f)
            return -1;
        add_rate(b, share_b, i_b, i_paired, RATE_SHARE);
        add_rate(b, share_f, i_f, i_paired, RATE_SHARE);
        add_rate(b, change, i_f, i_b, RATE_CHANGE);
        if (n_up) {
            size_t i_up = add_count(b, n_up_name, moved_up);
            if (relate(r, i_up, up, n_up))
                return -1;
            add_rate(b, share, i_up, i_b, RATE_SHARE);
        }
    }
    return r->out_of_memory ? -1 : 0;
}

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

static int compute_block(const ps_cohort_t *c, const struct ps_scale_scores *s, size_t t,
                         size_t by, uint32_t group, struct work *w, struct block *b)
{
    ps_report_t *r = b->report;
    const struct ps_scale *scale = s->scale;
    size_t n_participants = ps_names_count(c->participants);
    size_t n_baseline = 0, n_followup = 0, paired = 0, dropped = 0;
    for (size_t p = 0; p < n_participants; p++) {
        if (by != ALL && c->groups[p * c->n_by + by] != group)
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

    /* Flow. */
    size_t i_baseline = add_count(b, "n_baseline", n_baseline);
    add_count(b, "n_followup", n_followup);
    size_t i_paired = add_count(b, "n_paired", paired);
    size_t i_lost = add_count(b, "lost_to_followup", dropped);
    size_t i_rate = add(b, "loss_rate",
                        n_baseline ? figure((double)dropped / (double)n_baseline)
                                   : (ps_figure_t){NAN, "no participants at baseline"},
                        i_lost, i_baseline, 0);
    if (i_rate != NONE)
        r->is_rate[i_rate] = RATE_SHARE;
    if (relate(r, i_baseline, (size_t[]){i_paired, i_lost}, 2))
        return -1;

    /* Paired change: computed before the describes below sort pre and post. */
    ps_paired_t d;
    ps_paired(w->change, paired, w->scratch, &d);

    /* Individual change, improvement positive whichever way the scale points. */
    const double direction = scale->lower_is_better ? -1 : 1, slack = 1e-9;
    if (scale->has_meaningful) {
        unsigned long up = 0, down = 0;
        for (size_t k = 0; k < paired; k++) {
            double gain = direction * w->change[k];
            up += gain >= scale->meaningful - slack;
            down += gain <= -scale->meaningful + slack;
        }
        add_constant(b, "meaningful_change", scale->meaningful);
        size_t parts[3] = {add_count(b, "n_improved", up),
                           add_count(b, "n_unchanged", paired - up - down),
                           add_count(b, "n_deteriorated", down)};
        if (relate(r, i_paired, parts, 3))
            return -1;
        add_rate(b, "share_improved", parts[0], i_paired, RATE_SHARE);
    }
    if (scale->has_sem) {
        /* Jacobson-Truax: RC = D / (sqrt(2) * SEM); |RC| > 1.96 is reliable. */
        const double s_diff = sqrt(2.0) * scale->sem;
        unsigned long up = 0, down = 0;
        for (size_t k = 0; k < paired; k++) {
            double rc = direction * w->change[k] / s_diff;
            up += rc > 1.96;
            down += rc < -1.96;
        }
        if (scale->reliability > 0) {
            add_constant(b, "reference_sd", scale->reference_sd);
            add_constant(b, "reliability", scale->reliability);
        }
        add_constant(b, "sem", scale->sem);
        add_constant(b, "reliable_change", 1.96 * s_diff);
        size_t parts[3] = {add_count(b, "n_reliable_improved", up),
                           add_count(b, "n_no_reliable_change", paired - up - down),
                           add_count(b, "n_reliable_deteriorated", down)};
        if (relate(r, i_paired, parts, 3))
            return -1;
    }
    if (scale->n_bands) {
        const size_t nb = scale->n_bands;
        memset(w->transitions, 0, nb * nb * sizeof *w->transitions);
        for (size_t k = 0; k < paired; k++) {
            size_t from = band_index(scale, w->pre[k]), to = band_index(scale, w->post[k]);
            if (from != NONE && to != NONE)
                w->transitions[from * nb + to]++;
        }
        unsigned long moved[3] = {0, 0, 0}; /* up, same, down */
        for (size_t from = 0; from < nb; from++)
            for (size_t to = 0; to < nb; to++)
                moved[to > from ? 0 : to == from ? 1 : 2] += w->transitions[from * nb + to];
        size_t i_moved[3] = {add_count(b, "n_band_up", moved[0]),
                             add_count(b, "n_band_same", moved[1]),
                             add_count(b, "n_band_down", moved[2])};
        if (relate(r, i_paired, i_moved, 3))
            return -1;
        for (size_t from = 0; from < nb; from++)
            for (size_t to = 0; to < nb; to++) {
                const char *name = format(r, "transition:%s->%s", scale->bands[from].label,
                                          scale->bands[to].label);
                if (!name)
                    return -1;
                w->cells[from * nb + to] = add_count(b, name, w->transitions[from * nb + to]);
            }
        /* Cells above the diagonal add up to moving up, on it to staying, below to moving
         * down. The counts are in the report now: their buffer lists each kind's cells. */
        for (int kind = 0; kind < 3; kind++) {
            size_t n_cells = 0;
            for (size_t from = 0; from < nb; from++)
                for (size_t to = 0; to < nb; to++)
                    if ((to > from ? 0 : to == from ? 1 : 2) == kind)
                        w->transitions[n_cells++] = w->cells[from * nb + to];
            if (n_cells && relate(r, i_moved[kind], w->transitions, n_cells))
                return -1;
        }
        if (band_shares(b, scale, w, i_paired))
            return -1;
    }

    /* Levels among those paired (the completers), and the baseline of those lost. */
    ps_describe_t pre, post, lost;
    ps_describe(w->pre, paired, &pre);
    ps_describe(w->post, paired, &post);
    ps_describe(w->dropouts, dropped, &lost);
    add_on(b, "mean_baseline", pre.mean, i_paired);
    add_on(b, "sd_baseline", pre.sd, i_paired);
    add_on(b, "median_baseline", pre.median, i_paired);
    add_on(b, "mean_followup", post.mean, i_paired);
    add_on(b, "sd_followup", post.sd, i_paired);
    add_on(b, "median_followup", post.median, i_paired);
    add_on(b, "mean_baseline_lost", lost.mean, i_lost);
    add_on(b, "sd_baseline_lost", lost.sd, i_lost);
    ps_figure_t smd = {NAN, "needs 2 or more completers and 2 or more lost"};
    if (!pre.sd.missing && !lost.sd.missing) {
        double pooled = sqrt((pre.sd.value * pre.sd.value + lost.sd.value * lost.sd.value) / 2);
        smd = pooled > 0 ? figure((pre.mean.value - lost.mean.value) / pooled)
                         : (ps_figure_t){NAN, "no variation at baseline"};
    }
    add(b, "smd_completers_vs_lost", smd, i_paired, i_lost, 0);

    add_on(b, "mean_change", d.mean_change, i_paired);
    add_on(b, "sd_change", d.sd_change, i_paired);
    add_on(b, "ci_low", d.ci_low, i_paired);
    add_on(b, "ci_high", d.ci_high, i_paired);
    add_on(b, "t", d.t, i_paired);
    add_on(b, "df", d.df, i_paired);
    add_on(b, "p_t", d.p_t, i_paired);
    add_on(b, "wilcoxon_v", d.wilcoxon_v, i_paired);
    add_on(b, "p_wilcoxon", d.p_wilcoxon, i_paired);
    add_on(b, "wilcoxon_exact", d.p_wilcoxon.missing ? d.p_wilcoxon : figure(d.wilcoxon_exact),
           i_paired);
    add_on(b, "d_z", d.d_z, i_paired);
    add_on(b, "d_z_ci_low", d.d_z_ci_low, i_paired);
    add_on(b, "d_z_ci_high", d.d_z_ci_high, i_paired);
    add_on(b, "g_z", d.g_z, i_paired);
    return r->out_of_memory ? -1 : 0;
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

/* A pool's scores, found once before its loops: per member, its rating, attainment and category. */
struct pool_scores {
    const struct ps_scale_scores *member[100], *attainment[100], *category[100];
};

static void find_pool_scores(const ps_cohort_t *c, const struct ps_pool *pool,
                             struct pool_scores *out)
{
    for (size_t k = 0; k < pool->n_members; k++) {
        out->member[k] = scores_for(c, pool->members[k]);
        out->attainment[k] = pool->attainment ? scores_for(c, pool->attainment[k]) : NULL;
        out->category[k] = pool->category ? scores_for(c, pool->category[k]) : NULL;
    }
}

/* The pooled figures of the units that pass 'keep' (a category number, or 0 for all). */
static int pool_figures(const ps_cohort_t *c, const struct ps_pool *pool,
                        const struct pool_scores *ps, size_t t, size_t by, uint32_t group,
                        int keep, const char *prefix, struct block *b, size_t *i_units)
{
    ps_report_t *r = b->report;
    size_t n_participants = ps_names_count(c->participants), units = 0;
    unsigned long up = 0, down = 0, att_b = 0, ach_b = 0, att_f = 0, ach_f = 0;
    int has_meaningful = 1;
    double *d = malloc((n_participants * pool->n_members + 1) * sizeof *d);
    if (!d)
        return -1;
    for (size_t k = 0; k < pool->n_members; k++)
        has_meaningful &= pool->members[k]->has_meaningful;
    for (size_t p = 0; p < n_participants; p++) {
        if (by != ALL && c->groups[p * c->n_by + by] != group)
            continue;
        for (size_t k = 0; k < pool->n_members; k++) {
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
    const char *n_name = format(r, "%sn_paired", prefix);
    *i_units = n_name ? add_count(b, n_name, units) : NONE;
    ps_describe_t change;
    if (has_meaningful) {
        size_t parts[3] = {add_count(b, format(r, "%sn_improved", prefix), up),
                           add_count(b, format(r, "%sn_unchanged", prefix), units - up - down),
                           add_count(b, format(r, "%sn_deteriorated", prefix), down)};
        if (relate(r, *i_units, parts, 3))
            goto fail;
        add_rate(b, format(r, "%sshare_improved", prefix), parts[0], *i_units, RATE_SHARE);
    }
    if (pool->attainment) {
        size_t i_ab = add_count(b, format(r, "%sn_attainment_baseline", prefix), att_b);
        size_t i_cb = add_count(b, format(r, "%sn_achieved_baseline", prefix), ach_b);
        add_rate(b, format(r, "%sshare_achieved_baseline", prefix), i_cb, i_ab, RATE_SHARE);
        size_t i_af = add_count(b, format(r, "%sn_attainment_followup", prefix), att_f);
        size_t i_cf = add_count(b, format(r, "%sn_achieved_followup", prefix), ach_f);
        add_rate(b, format(r, "%sshare_achieved_followup", prefix), i_cf, i_af, RATE_SHARE);
    }
    ps_describe(d, units, &change);
    add_on(b, format(r, "%smean_change", prefix), change.mean, *i_units);
    add_on(b, format(r, "%ssd_change", prefix), change.sd, *i_units);
    free(d);
    return r->out_of_memory ? -1 : 0;
fail:
    free(d);
    return -1;
}

static int compute_pool(const ps_cohort_t *c, const struct ps_pool *pool, size_t t, size_t by,
                        uint32_t group, struct work *w, struct block *b)
{
    ps_report_t *r = b->report;
    struct pool_scores ps;
    find_pool_scores(c, pool, &ps);
    size_t i_units;
    if (pool_figures(c, pool, &ps, t, by, group, 0, "", b, &i_units))
        return -1;
    /* Each member's change, and its rank: 1 for the greatest improvement. */
    double change[100];
    size_t i_n[100];
    size_t n_participants = ps_names_count(c->participants);
    for (size_t k = 0; k < pool->n_members && k < 100; k++) {
        const struct ps_scale *m = pool->members[k];
        size_t n = 0;
        for (size_t p = 0; p < n_participants; p++) {
            if (by != ALL && c->groups[p * c->n_by + by] != group)
                continue;
            double pre = score_at(c, ps.member[k], 0, p), post = score_at(c, ps.member[k], t, p);
            if (!isnan(pre) && !isnan(post))
                w->change[n++] = (m->lower_is_better ? -1 : 1) * (post - pre);
        }
        i_n[k] = add_count(b, format(r, "n_paired:%s", m->id), n);
        change[k] = n ? ps_mean(w->change, n) : NAN;
        add_on(b, format(r, "improvement:%s", m->id),
               n ? (ps_figure_t){change[k], NULL} : (ps_figure_t){NAN, "no pairs"}, i_n[k]);
    }
    for (size_t k = 0; k < pool->n_members && k < 100; k++) {
        ps_figure_t rank = {NAN, "no pairs"};
        if (!isnan(change[k])) {
            rank.missing = NULL;
            rank.value = 1;
            for (size_t j = 0; j < pool->n_members && j < 100; j++)
                rank.value += !isnan(change[j]) && change[j] > change[k];
        }
        add(b, format(r, "rank:%s", pool->members[k]->id), rank, i_n[k], NONE, 0);
    }
    if (pool->category) {
        /* Units without a category at baseline count in the total only. */
        const struct ps_scale *category = pool->category[0];
        for (size_t band = 0; band < category->n_bands; band++) {
            const char *prefix = format(r, "category:%s:", category->bands[band].label);
            size_t i_category;
            if (!prefix ||
                pool_figures(c, pool, &ps, t, by, group, (int)band + 1, prefix, b, &i_category))
                return -1;
        }
    }
    return r->out_of_memory ? -1 : 0;
}

/* ---- Disclosure control. ---- */

static int hidden(const ps_statistic_t *s)
{
    return s->shown == PS_SUPPRESSED;
}

/* Every relation keeps zero or at least two unknowns; returns whether anything changed. */
static int secondary(ps_report_t *r)
{
    int changed = 0;
    for (size_t k = 0; k < r->n_relations; k++) {
        const struct relation *rel = &r->relations[k];
        const size_t *parts = r->parts + rel->first_part;
        size_t unknown = hidden(&r->stats[rel->total]);
        for (size_t i = 0; i < rel->n_parts; i++)
            unknown += hidden(&r->stats[parts[i]]);
        if (unknown != 1)
            continue;
        /* Hide the smallest published part: it gives away least. */
        size_t pick = NONE;
        for (size_t i = 0; i < rel->n_parts; i++) {
            const ps_statistic_t *s = &r->stats[parts[i]];
            if (!hidden(s) && (pick == NONE || s->value < r->stats[pick].value))
                pick = parts[i];
        }
        if (pick == NONE)
            pick = rel->total;
        r->stats[pick].shown = PS_SUPPRESSED;
        changed = 1;
    }
    return changed;
}

static void disclose(ps_report_t *r, const ps_disclosure_t *rule)
{
    if (!rule->suppress) {
        snprintf(r->rule, sizeof r->rule,
                 "No disclosure control: small numbers are shown. For internal analysis only; "
                 "do not publish.");
        return;
    }
    const unsigned limit = rule->threshold;
    for (size_t i = 0; i < r->n; i++) {
        ps_statistic_t *s = &r->stats[i];
        if (s->is_count && s->value >= 1 && s->value <= limit)
            s->shown = PS_SUPPRESSED;
    }
    while (secondary(r))
        ;
    for (size_t i = 0; rule->round_to && i < r->n; i++)
        if (r->stats[i].is_count && r->stats[i].shown == PS_SHOWN)
            r->stats[i].value = round(r->stats[i].value / rule->round_to) * rule->round_to;
    /* Figures follow the counts they rest on; rates are computed from the rounded counts. */
    for (size_t i = 0; i < r->n; i++) {
        size_t a = r->rests_on[2 * i], b = r->rests_on[2 * i + 1];
        if (r->stats[i].shown == PS_NOT_COMPUTABLE)
            continue;
        if ((a != NONE && hidden(&r->stats[a])) || (b != NONE && hidden(&r->stats[b])))
            r->stats[i].shown = PS_SUPPRESSED;
        else if (r->is_rate[i] && r->stats[b].value > 0)
            r->stats[i].value = (r->stats[a].value -
                                 (r->is_rate[i] == RATE_CHANGE ? r->stats[b].value : 0)) /
                                r->stats[b].value;
        else if (r->is_rate[i])
            r->stats[i].shown = PS_NOT_COMPUTABLE; /* the rounded denominator is 0 */
    }
    int n = snprintf(r->rule, sizeof r->rule,
                     "Counts of 1 to %u, and figures based on 1 to %u people, are suppressed, "
                     "with secondary suppression so that no hidden count can be recovered from "
                     "totals",
                     limit, limit);
    if (rule->round_to && n > 0 && (size_t)n < sizeof r->rule)
        n += snprintf(r->rule + n, sizeof r->rule - (size_t)n,
                      "; other counts are rounded to the nearest %u and rates computed from the "
                      "rounded counts (NHS Digital's method)",
                      rule->round_to);
    if (n > 0 && (size_t)n + 1 < sizeof r->rule)
        strcat(r->rule, ".");
}

/* ---- Assembly. ---- */

static int compare_scales(const void *a, const void *b)
{
    const struct ps_scale_scores *x = a, *y = b;
    return (x->order > y->order) - (x->order < y->order);
}

/* The group values of column 'by' in text order. */
static const uint32_t *sorted_groups(const ps_cohort_t *c, size_t by, uint32_t **order)
{
    size_t n = ps_names_count(c->group_values[by]);
    *order = malloc((n ? n : 1) * sizeof **order);
    if (!*order)
        return NULL;
    for (uint32_t i = 0; i < n; i++)
        (*order)[i] = i;
    /* Insertion sort by text: a handful of sites or practices. */
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && strcmp(ps_names_text(c->group_values[by], (*order)[j - 1]),
                                           ps_names_text(c->group_values[by], (*order)[j])) > 0;
             j--) {
            uint32_t t = (*order)[j];
            (*order)[j] = (*order)[j - 1];
            (*order)[j - 1] = t;
        }
    return *order;
}

/* For every count of a block of the whole cohort: the groups of one column add up to it. */
static int relate_groups(ps_report_t *r, size_t all_start, size_t block_size,
                         const size_t *group_starts, size_t n_groups)
{
    size_t *parts = malloc((n_groups ? n_groups : 1) * sizeof *parts);
    if (!parts)
        return -1;
    int err = 0;
    for (size_t k = 0; k < block_size && !err; k++) {
        if (!r->stats[all_start + k].is_count)
            continue;
        for (size_t g = 0; g < n_groups; g++)
            parts[g] = group_starts[g] + k;
        err = relate(r, all_start + k, parts, n_groups);
    }
    free(parts);
    return err;
}

ps_error_t ps_cohort_report(ps_cohort_t *c, const ps_disclosure_t *rule, ps_report_t **out)
{
    *out = NULL;
    ps_report_t *r = calloc(1, sizeof *r);
    if (!r || !(r->arena = ps_arena_new())) {
        free(r);
        return PS_ERROR_NOMEM;
    }
    size_t n_participants = ps_names_count(c->participants), nb_max = 1;
    for (size_t s = 0; s < c->n_scales; s++)
        if (c->scales[s].scale->n_bands > nb_max)
            nb_max = c->scales[s].scale->n_bands;
    size_t n = n_participants ? n_participants : 1;
    struct work w = {
        .pre = malloc(n * sizeof(double)), .post = malloc(n * sizeof(double)),
        .change = malloc(n * sizeof(double)), .dropouts = malloc(n * sizeof(double)),
        .scratch = malloc(ps_paired_scratch(n)),
        .transitions = malloc(nb_max * nb_max * sizeof(size_t)),
        .cells = malloc(nb_max * nb_max * sizeof(size_t)),
    };
    size_t n_groups_max = 0;
    for (size_t by = 0; by < c->n_by; by++)
        if (ps_names_count(c->group_values[by]) > n_groups_max)
            n_groups_max = ps_names_count(c->group_values[by]);
    size_t *group_starts = malloc((n_groups_max + 1) * sizeof *group_starts);
    ps_error_t err = PS_ERROR_NOMEM;
    if (!w.pre || !w.post || !w.change || !w.dropouts || !w.scratch || !w.transitions || !w.cells ||
        !group_starts)
        goto done;
    if (c->n_scales) /* qsort wants a valid pointer even for none */
        qsort(c->scales, c->n_scales, sizeof *c->scales, compare_scales);

    size_t n_timepoints = ps_names_count(c->timepoints);
    const char *baseline = ps_names_text(c->timepoints, 0);
    for (size_t s = 0; s < c->n_scales; s++) {
        if (!c->scales[s].scale->reported)
            continue;
        /* Each later timepoint, then each person's last follow-up. */
        for (size_t k = 1; k <= n_timepoints && n_timepoints > 1; k++) {
            size_t t = k < n_timepoints ? k : END;
            const char *comparison = format(
                r, "%s->%s", baseline, t == END ? "end" : ps_names_text(c->timepoints, (uint32_t)t));
            if (!comparison)
                goto done;
            const struct ps_scale *scale = c->scales[s].scale;
            struct block b = {r, scale->instrument, scale->id, scale, "all", comparison};
            size_t all_start = r->n;
            if (compute_block(c, &c->scales[s], t, ALL, 0, &w, &b))
                goto done;
            size_t block_size = r->n - all_start;
            for (size_t by = 0; by < c->n_by; by++) {
                uint32_t *order;
                if (!sorted_groups(c, by, &order))
                    goto done;
                size_t n_groups = ps_names_count(c->group_values[by]);
                for (size_t g = 0; g < n_groups; g++) {
                    b.group = format(r, "%s=%s", c->by[by],
                                     ps_names_text(c->group_values[by], order[g]));
                    group_starts[g] = r->n;
                    if (!b.group || compute_block(c, &c->scales[s], t, by, order[g], &w, &b)) {
                        free(order);
                        goto done;
                    }
                }
                free(order);
                if (relate_groups(r, all_start, block_size, group_starts, n_groups))
                    goto done;
            }
        }
    }
    /* Pools, for each instrument with scores. */
    for (size_t i = 0; i < c->context->n_instruments; i++) {
        const struct ps_instrument *in = c->context->instruments[i];
        for (size_t q = 0; q < in->n_pools; q++) {
            const struct ps_pool *pool = &in->pools[q];
            int collected = 0; /* a pool none of whose members was scored is left out */
            for (size_t k = 0; k < pool->n_members; k++)
                collected |= scores_for(c, pool->members[k]) != NULL;
            if (!collected)
                continue;
            for (size_t k = 1; k <= n_timepoints && n_timepoints > 1; k++) {
                size_t t = k < n_timepoints ? k : END;
                const char *comparison = format(
                    r, "%s->%s", baseline, t == END ? "end" : ps_names_text(c->timepoints, (uint32_t)t));
                struct block b = {r, in, pool->id, NULL, "all", comparison};
                if (!comparison || compute_pool(c, pool, t, ALL, 0, &w, &b))
                    goto done;
                for (size_t by = 0; by < c->n_by; by++)
                    for (uint32_t g = 0; g < ps_names_count(c->group_values[by]); g++) {
                        b.group = format(r, "%s=%s", c->by[by], ps_names_text(c->group_values[by], g));
                        if (!b.group || compute_pool(c, pool, t, by, g, &w, &b))
                            goto done;
                    }
            }
        }
    }
    disclose(r, rule);
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
    free(w.cells);
    free(group_starts);
    return err;
}

void ps_report_free(ps_report_t *r)
{
    if (!r)
        return;
    ps_arena_free(r->arena);
    free(r->stats);
    free(r->rests_on);
    free(r->is_rate);
    free(r->relations);
    free(r->parts);
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
    return r->rule;
}
