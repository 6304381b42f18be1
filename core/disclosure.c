/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Disclosure control: primary suppression, then secondary suppression until
 * an attacker's linear program, knowing what the report itself says (a count
 * hidden as small is 1..threshold), cannot determine a hidden count. The
 * method is tau-Argus's and R's sdcTable's (an attacker's LP per hidden cell;
 * protection patterns after Fischetti and Salazar), solved with GLPK's
 * simplex.
 */
#include "config.h"

#include <glpk.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "disclosure.h"

#define SOLVER_SLACK 1e-6   /* the simplex's answers are exact to well within this */
#define NOWHERE SIZE_MAX

double ps_sdc_published(double value, const ps_disclosure_t *rule)
{
    if (!rule->round_to)
        return value;
    return round(value / rule->round_to) * rule->round_to;
}

double ps_sdc_figure_published(double value, int decimals, const ps_disclosure_t *rule)
{
    if (!rule->suppress || !rule->round_to)
        return value;
    double scale = pow(10, decimals < 1 ? 0 : decimals - 1);
    return round(value * scale) / scale;
}

void ps_sdc_published_range(double value, const ps_disclosure_t *rule, double *lo, double *hi)
{
    const double n = rule->round_to, above = rule->threshold + 1.0;
    if (!rule->round_to) {
        *lo = *hi = value;
        return;
    }
    double r = ps_sdc_published(value, rule);
    /* round() takes halves away from zero: v rounds to r when r - n/2 <= v < r + n/2. */
    *lo = ceil(r - n / 2);
    *hi = ceil(r + n / 2) - 1;
    if (r == 0) {
        /* 0 stands for 0, or for a count above the threshold too small to round up. */
        *lo = 0;
        if (*hi < above)
            *hi = 0;
    } else if (*lo < above) {
        *lo = above;
    }
}

/* ---- Indexes. ---- */

/* Groups 'n' items by key[i] (< n_keys, or NOWHERE for none) into items/start (CSR). */
static int group_by(const size_t *key, size_t n, size_t n_keys, size_t **items, size_t **start)
{
    free(*items);
    free(*start);
    *start = calloc(n_keys + 1, sizeof **start);
    *items = malloc((n ? n : 1) * sizeof **items);
    size_t *fill = malloc((n_keys ? n_keys : 1) * sizeof *fill);
    if (!*start || !*items || !fill) {
        free(fill);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        if (key[i] != NOWHERE)
            (*start)[key[i] + 1]++;
    for (size_t k = 0; k < n_keys; k++)
        (*start)[k + 1] += (*start)[k];
    memcpy(fill, *start, n_keys * sizeof *fill);
    for (size_t i = 0; i < n; i++)
        if (key[i] != NOWHERE)
            (*items)[fill[key[i]]++] = i;
    free(fill);
    return 0;
}

static size_t find(size_t *parent, size_t i)
{
    while (parent[i] != i)
        i = parent[i] = parent[parent[i]];
    return i;
}

static void unite(size_t *parent, size_t x, size_t y)
{
    x = find(parent, x);
    y = find(parent, y);
    if (x != y)
        parent[x > y ? x : y] = x > y ? y : x;
}

/* A row's bounds in GLPK's terms: lo <= row <= hi, either side possibly infinite. */
static void set_row_bounds(glp_prob *lp, int row, double lo, double hi)
{
    if (isinf(lo) && isinf(hi))
        glp_set_row_bnds(lp, row, GLP_FR, 0, 0);
    else if (isinf(hi))
        glp_set_row_bnds(lp, row, GLP_LO, lo, 0);
    else if (isinf(lo))
        glp_set_row_bnds(lp, row, GLP_UP, 0, hi);
    else
        glp_set_row_bnds(lp, row, lo == hi ? GLP_FX : GLP_DB, lo, hi);
}

struct audit {
    const struct ps_sdc_table *table;
    const ps_disclosure_t *rule;
    unsigned char *hidden;
    ps_audit_t *counts;
    double *lo, *hi;                 /* per cell: what an attacker knows of a published count */
    double *least_seen, *most_seen;  /* per cell: its extremes at the consistent points seen */
    size_t *touching, *touch_start;  /* per cell: the relations it is in */
    /* This round's components: counts not known exactly (hidden, or published as a range),
     * linked by the relations between them; a known count is a constant. */
    size_t *parent;
    size_t *cells, *cell_start;
    size_t *relations, *rel_start;
    size_t *column;                  /* per cell: its column in the program being built */
    size_t *key;                     /* scratch, one per cell or relation */
    size_t *near_relations;          /* a pattern's relations */
    unsigned char *relation_in;      /* per relation: among them */
    size_t *marked, n_marked;        /* the cells a pattern marks to hide */
    size_t *local;                   /* the cells of a count's own few relations */
    unsigned char *local_in;         /* per cell: among them */
};

static int known(const struct audit *a, size_t c)
{
    return !a->hidden[c] && a->lo[c] == a->hi[c];
}

/* A count hidden because it is small: zeros are published, so the reader knows it lies
 * within 1..threshold. */
static int small(const struct audit *a, size_t c)
{
    const struct ps_sdc_table *t = a->table;
    return t->kind[c] == PS_SDC_COUNT && t->value[c] >= 1 && t->value[c] <= a->rule->threshold;
}

/* A column's bounds in GLPK's terms: lo <= column <= hi, hi possibly infinite. */
static void set_col_bounds(glp_prob *lp, int column, double lo, double hi)
{
    if (isinf(hi))
        glp_set_col_bnds(lp, column, GLP_LO, lo, 0);
    else
        glp_set_col_bnds(lp, column, lo < hi ? GLP_DB : GLP_FX, lo, lo < hi ? hi : lo);
}

/* Whether an attacker has the relation: of the definition, or from figures still shown. */
static int active(const struct audit *a, const struct ps_sdc_relation *rel)
{
    if (rel->figures == NOWHERE)
        return 1;
    return !a->hidden[rel->figures] && (rel->rests_on == NOWHERE || !a->hidden[rel->rests_on]);
}

static int build_index(struct audit *a)
{
    const struct ps_sdc_table *t = a->table;
    const size_t n = t->n_cells;
    size_t memberships = 0;
    for (size_t k = 0; k < t->n_relations; k++)
        memberships += t->relations[k].n;
    a->lo = malloc((n ? n : 1) * sizeof *a->lo);
    a->hi = malloc((n ? n : 1) * sizeof *a->hi);
    a->least_seen = malloc((n ? n : 1) * sizeof *a->least_seen);
    a->most_seen = malloc((n ? n : 1) * sizeof *a->most_seen);
    a->parent = malloc((n ? n : 1) * sizeof *a->parent);
    a->column = calloc(n ? n : 1, sizeof *a->column);
    a->key = malloc((n + t->n_relations + memberships + 1) * sizeof *a->key);
    size_t *which = malloc((memberships + 1) * sizeof *which);
    a->near_relations = malloc((t->n_relations + 1) * sizeof *a->near_relations);
    a->relation_in = calloc(t->n_relations + 1, 1);
    a->marked = malloc((n + 1) * sizeof *a->marked);
    a->local = malloc((n + 1) * sizeof *a->local);
    a->local_in = calloc(n + 1, 1);
    if (!a->lo || !a->hi || !a->least_seen || !a->most_seen || !a->parent || !a->column ||
        !a->key || !which || !a->near_relations || !a->relation_in || !a->marked ||
        !a->local || !a->local_in) {
        free(which);
        return -1;
    }
    for (size_t c = 0; c < n; c++)
        ps_sdc_published_range(t->value[c], a->rule, &a->lo[c], &a->hi[c]);
    size_t m = 0;
    for (size_t k = 0; k < t->n_relations; k++)
        for (size_t j = 0; j < t->relations[k].n; j++) {
            a->key[m] = t->relations[k].cells[j];
            which[m++] = k;
        }
    int err = group_by(a->key, memberships, n, &a->touching, &a->touch_start);
    for (size_t j = 0; j < memberships && !err; j++)
        a->touching[j] = which[a->touching[j]];
    free(which);
    return err;
}

/* This round's components of the counts not known exactly. */
static int components(struct audit *a)
{
    const struct ps_sdc_table *t = a->table;
    const size_t n = t->n_cells;
    for (size_t c = 0; c < n; c++)
        a->parent[c] = c;
    for (size_t k = 0; k < t->n_relations; k++) {
        size_t first = NOWHERE;
        for (size_t j = 0; j < t->relations[k].n && active(a, &t->relations[k]); j++) {
            size_t c = t->relations[k].cells[j];
            if (known(a, c))
                continue;
            if (first == NOWHERE)
                first = c;
            else
                unite(a->parent, first, c);
        }
        a->key[k] = first;
    }
    for (size_t k = 0; k < t->n_relations; k++)
        a->key[k] = a->key[k] == NOWHERE ? NOWHERE : find(a->parent, a->key[k]);
    if (group_by(a->key, t->n_relations, n, &a->relations, &a->rel_start))
        return -1;
    for (size_t c = 0; c < n; c++)
        a->key[c] = t->kind[c] && !known(a, c) ? find(a->parent, c) : NOWHERE;
    return group_by(a->key, n, n, &a->cells, &a->cell_start);
}

/* ---- The attacker's program. ---- */

/* What an attacker can tell of one hidden count: the least and greatest whole values. */
struct range {
    double least, most;     /* most is INFINITY when unbounded */
};

/*
 * The attacker's program over one component's 'cells' (counts not known exactly) and 'rels':
 * a column per count (hidden as small: 1..threshold; hidden otherwise: from 0 up; published
 * as a range: within it), a row per relation, with the counts known exactly moved to its
 * bounds.
 */
static glp_prob *attacker_program(struct audit *a, const size_t *cells, size_t n_cells,
                                  const size_t *rels, size_t n_rels)
{
    const struct ps_sdc_table *t = a->table;
    size_t n_entries = 0;
    for (size_t k = 0; k < n_rels; k++)
        n_entries += t->relations[rels[k]].n;
    int *ia = malloc((n_entries + 1) * sizeof *ia), *ja = malloc((n_entries + 1) * sizeof *ja);
    double *ar = malloc((n_entries + 1) * sizeof *ar);
    glp_prob *lp = ia && ja && ar ? glp_create_prob() : NULL;
    if (!lp)
        goto done;
    glp_add_cols(lp, (int)n_cells);
    for (size_t j = 0; j < n_cells; j++) {
        size_t c = cells[j];
        a->column[c] = j + 1;
        if (a->hidden[c] && small(a, c))
            set_col_bounds(lp, (int)j + 1, 1, a->rule->threshold);
        else if (a->hidden[c])
            set_col_bounds(lp, (int)j + 1, 0, INFINITY);
        else
            set_col_bounds(lp, (int)j + 1, a->lo[c], a->hi[c]);
    }
    glp_add_rows(lp, (int)n_rels);
    size_t e = 0;
    for (size_t k = 0; k < n_rels; k++) {
        const struct ps_sdc_relation *rel = &t->relations[rels[k]];
        int row = (int)k + 1;
        double constant = 0;
        for (size_t m = 0; m < rel->n; m++) {
            size_t c = rel->cells[m];
            if (known(a, c))
                constant += rel->coef[m] * a->lo[c];
            else
                e++, ia[e] = row, ja[e] = (int)a->column[c], ar[e] = rel->coef[m];
        }
        set_row_bounds(lp, row, rel->lo - constant, rel->hi - constant);
    }
    glp_load_matrix(lp, (int)e, ia, ja, ar);
    /* A basis of as many counts as it can take, quietly: the standard one (no count basic)
     * starts the simplex far from any point, on a large component. */
    int talk = glp_term_out(GLP_OFF);
    glp_adv_basis(lp, 0);
    glp_term_out(talk);
done:
    free(ia);
    free(ja);
    free(ar);
    return lp;
}

/*
 * Solves 'lp' from its present basis (from the standard one when that is singular); when the
 * floating-point simplex fails, or finds no feasible point and 'confirm' asks, solves it again
 * in exact rational arithmetic. The true counts satisfy the attacker's programs, so there
 * "infeasible" is the simplex's tolerances at fault: coefficients of very different sizes in
 * one row (a band's bounds of 1e9 beside an edge of 1e-6) put the true point beyond them.
 * Returns glp_simplex's or glp_exact's code; the status is glp_get_status's.
 */
static int solve(glp_prob *lp, const glp_smcp *parm, int confirm)
{
    int ret = glp_simplex(lp, parm);
    if (ret != 0 && ret != GLP_ENOPFS && ret != GLP_ENODFS) {
        /* A basis gone singular: start again from the standard one. */
        glp_std_basis(lp);
        ret = glp_simplex(lp, parm);
    }
    int status = glp_get_status(lp);
    if (ret == 0 && (status == GLP_OPT || status == GLP_UNBND))
        return 0;
    if (!confirm && (ret == GLP_ENOPFS || (ret == 0 && status == GLP_NOFEAS)))
        return ret;
    glp_smcp exact = *parm;
    exact.presolve = GLP_OFF;
    glp_std_basis(lp);
    return glp_exact(lp, &exact);
}

/* Optimises column j one way; returns 0 with *value (INFINITY when unbounded), or -1. */
static int optimise(glp_prob *lp, int j, int direction, double *value)
{
    glp_smcp parm;
    glp_init_smcp(&parm);
    parm.msg_lev = GLP_MSG_OFF;
    glp_set_obj_dir(lp, direction);
    glp_set_obj_coef(lp, j, 1);
    int ret = solve(lp, &parm, 1);
    int status = glp_get_status(lp);
    glp_set_obj_coef(lp, j, 0);
    if (ret != 0)
        return -1;
    if (status == GLP_UNBND && direction == GLP_MAX) {
        *value = INFINITY;
        return 0;
    }
    if (status != GLP_OPT)
        return -1;
    *value = glp_get_obj_val(lp);
    return 0;
}

/* What the attacker's program says of 'cell'; returns 0 or -1. */
static int attack(struct audit *a, glp_prob *lp, size_t cell, struct range *r)
{
    double least, most;
    int j = (int)a->column[cell];
    if (optimise(lp, j, GLP_MIN, &least) || optimise(lp, j, GLP_MAX, &most))
        return -1;
    a->counts->linear_programs += 2;
    r->least = ceil(least - SOLVER_SLACK);
    r->most = floor(most + SOLVER_SLACK);
    return 0;
}

/* A count pinned to one value (other than 0, which reveals no small group); a latent count
 * shown to lie within 1..threshold (never published, so that is news; a count hidden as
 * small is known to lie there from the rule). */
static int exposed(const struct audit *a, size_t cell, const struct range *r)
{
    if (a->table->kind[cell] == PS_SDC_LATENT_TOTAL)
        return r->least == r->most;
    if (a->table->kind[cell] == PS_SDC_LATENT)
        return r->least >= 1 && r->most <= a->rule->threshold;
    return r->least == r->most && a->table->value[cell] != 0;
}

/*
 * Whether the points seen (consistent with what the reader knows: the true counts, and the
 * optima of the attacker's programs) already give 'cell' two whole values apart (a latent
 * count: 0, or above the threshold): then its range is no single value, whatever the
 * programs for it would say, and they need not be solved.
 */
static int shown_safe(const struct audit *a, size_t cell)
{
    const double v = a->table->value[cell];
    if (a->table->kind[cell] == PS_SDC_LATENT_TOTAL)
        return a->least_seen[cell] <= v - 1 + SOLVER_SLACK ||
               a->most_seen[cell] >= v + 1 - SOLVER_SLACK;
    if (a->table->kind[cell] == PS_SDC_LATENT)
        return a->least_seen[cell] <= SOLVER_SLACK ||
               a->most_seen[cell] >= a->rule->threshold + 1 - SOLVER_SLACK;
    return v == 0 || a->least_seen[cell] <= v - 1 + SOLVER_SLACK ||
           a->most_seen[cell] >= v + 1 - SOLVER_SLACK;
}

/* Notes the point the attacker's program over 'cells' stands at, when it is one (feasible). */
static void see(struct audit *a, glp_prob *lp, const size_t *cells, size_t n_cells)
{
    if (glp_get_prim_stat(lp) != GLP_FEAS)
        return;
    for (size_t j = 0; j < n_cells; j++) {
        size_t c = cells[j];
        double x = glp_get_col_prim(lp, (int)a->column[c]);
        a->least_seen[c] = fmin(a->least_seen[c], x);
        a->most_seen[c] = fmax(a->most_seen[c], x);
    }
}

/*
 * Pushes the queued counts not yet shown safe away from their true values all at once ('way'
 * 1: up, or down for one at the top of its bounds; -1: the other way): one program whose
 * optimum shows most of them two values, where a program per count would take two each.
 * Returns how many it showed safe, or -1 on failure.
 */
static long push_all(struct audit *a, glp_prob *lp, const size_t *cells, size_t n_cells,
                     const unsigned char *queued, int way)
{
    const struct ps_sdc_table *t = a->table;
    size_t before = 0, after = 0;
    for (size_t j = 0; j < n_cells; j++) {
        size_t c = cells[j];
        if (!queued[c] || shown_safe(a, c))
            continue;
        before++;
        int at_top = a->hidden[c] && small(a, c) && t->value[c] >= a->rule->threshold;
        glp_set_obj_coef(lp, (int)a->column[c], at_top ? -way : way);
    }
    if (!before)
        return 0;
    glp_smcp parm;
    glp_init_smcp(&parm);
    parm.msg_lev = GLP_MSG_OFF;
    glp_set_obj_dir(lp, GLP_MAX);
    int ret = solve(lp, &parm, 1);
    a->counts->linear_programs++;
    for (size_t j = 0; j < n_cells; j++)
        glp_set_obj_coef(lp, (int)a->column[cells[j]], 0);
    if (ret != 0)
        return -1;
    see(a, lp, cells, n_cells);
    for (size_t j = 0; j < n_cells; j++)
        after += queued[cells[j]] && !shown_safe(a, cells[j]);
    return (long)(before - after);
}

/*
 * What the attacker's program says of 'cell': whether it is exposed. The points seen show
 * most counts safe without a program of their own; the rest take one each way (the way that
 * may show it safe first), and each optimum is a point seen. Returns 1, 0, or -1 on failure.
 */
static int attack_seen(struct audit *a, glp_prob *lp, size_t cell, const size_t *cells,
                       size_t n_cells)
{
    const int j = (int)a->column[cell];
    const int at_top =
        a->hidden[cell] && small(a, cell) && a->table->value[cell] >= a->rule->threshold;
    const int ways[2] = {at_top ? GLP_MIN : GLP_MAX, at_top ? GLP_MAX : GLP_MIN};
    double bound[2];
    for (int w = 0; w < 2; w++) {
        if (shown_safe(a, cell))
            return 0;
        if (optimise(lp, j, ways[w], &bound[w]))
            return -1;
        a->counts->linear_programs++;
        if (isinf(bound[w]))
            return 0;   /* unbounded above: any count above the threshold is consistent */
        see(a, lp, cells, n_cells);
    }
    if (shown_safe(a, cell))
        return 0;
    struct range r = {ceil(fmin(bound[0], bound[1]) - SOLVER_SLACK),
                      floor(fmax(bound[0], bound[1]) + SOLVER_SLACK)};
    return exposed(a, cell, &r);
}

/*
 * Whether 'cell' is exposed by its own few relations alone: those it is in, and those of the
 * counts they hold with few others (a total over many groups is kept, not followed). Fewer
 * relations allow more, so a count they expose is exposed by all of them; one they do not
 * is left to its component's program. Returns 1, 0, or -1 on failure.
 */
static int exposed_nearby(struct audit *a, size_t cell)
{
    enum { FEW = 32 };
    const struct ps_sdc_table *t = a->table;
    size_t n_rels = 0, n_cells = 1;
    a->local[0] = cell;
    a->local_in[cell] = 1;
    for (size_t i = 0; i < n_cells && i < 1 + FEW; i++) {
        size_t c = a->local[i];
        for (size_t k = a->touch_start[c]; k < a->touch_start[c + 1]; k++) {
            size_t r = a->touching[k];
            const struct ps_sdc_relation *rel = &t->relations[r];
            if (a->relation_in[r] || !active(a, rel) || (i > 0 && rel->n > FEW))
                continue;
            a->relation_in[r] = 1;
            a->near_relations[n_rels++] = r;
            for (size_t j = 0; j < rel->n; j++) {
                size_t d = rel->cells[j];
                if (!a->local_in[d] && !known(a, d)) {
                    a->local_in[d] = 1;
                    a->local[n_cells++] = d;
                }
            }
        }
    }
    for (size_t k = 0; k < n_rels; k++)
        a->relation_in[a->near_relations[k]] = 0;
    for (size_t i = 0; i < n_cells; i++)
        a->local_in[a->local[i]] = 0;
    if (!n_rels)
        return 0;
    glp_prob *lp = attacker_program(a, a->local, n_cells, a->near_relations, n_rels);
    if (!lp)
        return -1;
    struct range r;
    int is_exposed = attack(a, lp, cell, &r) ? -1 : exposed(a, cell, &r);
    glp_delete_prob(lp);
    return is_exposed;
}

/* Audits the queued counts of one component; leaves queued those exposed, counting them. */
static int audit_component(struct audit *a, size_t root, unsigned char *queued, size_t *n_exposed)
{
    const size_t *cells = a->cells + a->cell_start[root];
    const size_t n_cells = a->cell_start[root + 1] - a->cell_start[root];
    if (a->rel_start[root] == a->rel_start[root + 1]) {
        /* In no relation with anything unknown: anything its own bounds allow is consistent
         * (for a count hidden as small, one value when the threshold is 1). */
        for (size_t k = 0; k < n_cells; k++) {
            size_t c = cells[k];
            queued[c] = queued[c] && a->hidden[c] && small(a, c) && a->rule->threshold < 2;
            *n_exposed += queued[c];
        }
        return 0;
    }
    glp_prob *lp = attacker_program(a, cells, n_cells, a->relations + a->rel_start[root],
                                    a->rel_start[root + 1] - a->rel_start[root]);
    if (!lp)
        return -1;
    /* The true counts are a point consistent with what the reader knows. */
    for (size_t k = 0; k < n_cells; k++)
        a->least_seen[cells[k]] = a->most_seen[cells[k]] = a->table->value[cells[k]];
    int err = 0;
    /* Push them all (up, then down) while that shows enough of them safe to pay. */
    for (int way = 1; way >= -1 && !err; way -= 2)
        for (long shown = 2; shown > 1 && !err;)
            err = (shown = push_all(a, lp, cells, n_cells, queued, way)) < 0;
    /* Those left are mostly exposed, and most by their own few relations: a small program
     * each shows it. */
    for (size_t k = 0; k < n_cells && !err; k++) {
        size_t c = cells[k];
        if (!queued[c] || shown_safe(a, c))
            continue;
        int is_exposed = exposed_nearby(a, c);
        err = is_exposed < 0;
        queued[c] = is_exposed == 1 ? 4 : 1;   /* 4: exposed by its own relations */
    }
    for (size_t k = 0; k < n_cells; k++)
        a->column[cells[k]] = k + 1;   /* the component's program's columns again */
    for (size_t k = 0; k < n_cells && !err; k++) {
        size_t c = cells[k];
        if (!queued[c])
            continue;
        int is_exposed = queued[c] == 4 ? 1 : attack_seen(a, lp, c, cells, n_cells);
        err = is_exposed < 0;
        queued[c] = is_exposed == 1;
        *n_exposed += queued[c];
    }
    glp_delete_prob(lp);
    return err ? -1 : 0;
}

/* ---- Protection patterns. ---- */

/* Is moving count c cheaper than moving d? Hidden counts move free. */
static int cheaper(const struct audit *a, size_t c, size_t d)
{
    const struct ps_sdc_table *t = a->table;
    double x = a->hidden[c] ? -1 : t->cost ? t->cost[c] : t->value[c];
    double y = a->hidden[d] ? -1 : t->cost ? t->cost[d] : t->value[d];
    return x < y || (x == y && c < d);
}

/*
 * Up to 'max' counts near 'x' through the relations, nearest first (a bucket queue): a step
 * through a narrow relation (within a block) costs 1, through a wide one (a total over many
 * groups) WIDE_STEP, and of a wide one only its total and FEW cheapest members are taken, so
 * that the counts gathered are whole blocks, and a handful of them. Returns how many.
 */
enum { WIDE_STEP = 4, N_BUCKETS = WIDE_STEP + 1 };

static size_t neighbourhood(const struct audit *a, size_t x, size_t max, size_t wide,
                            size_t *out, unsigned char *in, size_t *next)
{
    enum { FEW = 8 };
    const struct ps_sdc_table *t = a->table;
    size_t head[N_BUCKETS], tail[N_BUCKETS], n = 0, waiting = 1;
    for (size_t b = 0; b < N_BUCKETS; b++)
        head[b] = tail[b] = NOWHERE;
    head[0] = tail[0] = x;
    next[x] = NOWHERE;
    in[x] = 1;
#define PUSH(cell, at)                                                                                 do {                                                                                                   size_t b_ = (at) % N_BUCKETS;                                                                      in[cell] = 1;                                                                                      next[cell] = NOWHERE;                                                                              if (tail[b_] == NOWHERE)                                                                               head[b_] = cell;                                                                               else                                                                                                   next[tail[b_]] = cell;                                                                         tail[b_] = cell;                                                                                   waiting++;                                                                                     } while (0)
    for (size_t d = 0; waiting && n < max; d++) {
        size_t b = d % N_BUCKETS;
        while (head[b] != NOWHERE && n < max) {
            size_t c = head[b];
            head[b] = next[c];
            if (head[b] == NOWHERE)
                tail[b] = NOWHERE;
            waiting--;
            out[n++] = c;
            for (size_t k = a->touch_start[c]; k < a->touch_start[c + 1]; k++) {
                const struct ps_sdc_relation *rel = &t->relations[a->touching[k]];
                if (!active(a, rel))
                    continue;
                int is_wide = rel->n > wide;
                size_t few[FEW], n_few = 0;
                for (size_t j = 0; j < rel->n; j++) {
                    size_t e = rel->cells[j];
                    if (in[e])
                        continue;
                    if (!is_wide || j == 0) {
                        PUSH(e, d + (is_wide ? WIDE_STEP : 1));
                        continue;
                    }
                    /* Keep the FEW cheapest, in order. */
                    size_t at = n_few < FEW ? n_few++ : FEW;
                    while (at > 0 && cheaper(a, e, few[at - 1])) {
                        if (at < FEW)
                            few[at] = few[at - 1];
                        at--;
                    }
                    if (at < FEW)
                        few[at] = e;
                }
                for (size_t i = 0; i < n_few; i++)
                    if (!in[few[i]])
                        PUSH(few[i], d + WIDE_STEP);
            }
        }
    }
#undef PUSH
    /* Those queued but not taken are not in the neighbourhood. */
    for (size_t b = 0; b < N_BUCKETS; b++)
        for (size_t c = head[b]; c != NOWHERE; c = next[c])
            in[c] = 0;
    return n;
}

/* How a protection pattern moves the exposed count: up by 'rise' or down by 'fall'. */
struct target {
    double rise, fall;
};

/*
 * The moves that protect x: a count by a whole count either way its bounds allow (a count
 * hidden as small stays within 1..threshold, any other at 0 or more); a latent count to 0 or
 * above the threshold. Returns how many (none: with a threshold of 1, say).
 */
static size_t targets_of(const struct audit *a, size_t x, struct target out[2])
{
    const double v = a->table->value[x], threshold = a->rule->threshold;
    size_t n = 0;
    if (a->table->kind[x] == PS_SDC_LATENT) {
        if (v >= 1)
            out[n++] = (struct target){0, v};
        if (v <= threshold)
            out[n++] = (struct target){threshold + 1 - v, 0};
        return n;
    }
    const double least = small(a, x) ? 1 : 0, most = small(a, x) ? threshold : INFINITY;
    if (v - 1 >= least)
        out[n++] = (struct target){0, 1};
    if (v + 1 <= most)
        out[n++] = (struct target){1, 0};
    return n;
}

/*
 * A protection pattern for an exposed count x, found among the counts 'near' it (Fischetti
 * and Salazar's model): a change y to the true counts that keeps every relation, every count
 * hidden as small within 1..threshold and every other count non-negative, and moves x as
 * 'target' says, at the least cost of the published counts it moves; counts outside 'near'
 * do not move. Hiding those counts makes a second value consistent for x, and two values for
 * each of them. Sets hide[c] to 1 for a count this shows safe once hidden, 2 for one still to
 * audit, listing them in a->marked; returns 1 when found, 0 when none, -1 on failure. Only the
 * 'last' search's "none" is confirmed in exact arithmetic: an earlier one's leads to a wider
 * search.
 */
static int pattern_among(struct audit *a, size_t x, struct target target, const size_t *near,
                         size_t n_near, const unsigned char *in, unsigned char *hide, int last)
{
    const struct ps_sdc_table *t = a->table;
    /* The relations of the neighbourhood's counts, each once. */
    size_t n_rels = 0, n_entries = 0;
    for (size_t i = 0; i < n_near; i++)
        for (size_t k = a->touch_start[near[i]]; k < a->touch_start[near[i] + 1]; k++) {
            size_t r = a->touching[k];
            if (a->relation_in[r] || !active(a, &t->relations[r]))
                continue;
            a->relation_in[r] = 1;
            a->near_relations[n_rels++] = r;
            n_entries += 2 * t->relations[r].n + 2;
        }
    int *ia = malloc((n_entries + 1) * sizeof *ia), *ja = malloc((n_entries + 1) * sizeof *ja);
    double *ar = malloc((n_entries + 1) * sizeof *ar);
    glp_prob *lp = ia && ja && ar ? glp_create_prob() : NULL;
    int found = -1;
    if (!lp)
        goto done;
    /* Columns: per count j, its rise 2j+1 and fall 2j+2; then, per relation from figures, how
     * far the change would break it (the figures hidden instead). */
    glp_set_obj_dir(lp, GLP_MIN);
    glp_add_cols(lp, (int)(2 * n_near + 2 * n_rels));
    for (size_t j = 0; j < n_near; j++) {
        size_t c = near[j];
        double moving = a->hidden[c] ? 0 : t->cost ? t->cost[c] : t->value[c] + 1;
        double v = t->value[c], up = INFINITY, down = v;
        if (c == x)
            up = target.rise, down = target.fall;
        else if (a->hidden[c] && small(a, c))
            up = a->rule->threshold - v, down = v - 1;
        a->column[c] = j;
        set_col_bounds(lp, (int)(2 * j + 1), c == x ? up : 0, up);
        set_col_bounds(lp, (int)(2 * j + 2), c == x ? down : 0, down);
        glp_set_obj_coef(lp, (int)(2 * j + 1), moving);
        glp_set_obj_coef(lp, (int)(2 * j + 2), moving);
    }
    glp_add_rows(lp, (int)n_rels);
    size_t e = 0;
    for (size_t k = 0; k < n_rels; k++) {
        const struct ps_sdc_relation *rel = &t->relations[a->near_relations[k]];
        int row = (int)k + 1;
        /* The changes keep the relation true: lo <= sum of coef * (value + change) <= hi. */
        double at = 0;
        for (size_t m = 0; m < rel->n; m++) {
            size_t c = rel->cells[m];
            at += rel->coef[m] * t->value[c];
            if (!in[c])
                continue;   /* does not move */
            int j = (int)a->column[c];
            e++, ia[e] = row, ja[e] = 2 * j + 1, ar[e] = rel->coef[m];
            e++, ia[e] = row, ja[e] = 2 * j + 2, ar[e] = -rel->coef[m];
        }
        /* The true counts keep it to within rounding: no tighter than that. */
        set_row_bounds(lp, row, fmin(rel->lo - at, 0), fmax(rel->hi - at, 0));
        for (int side = 0; side < 2; side++) {
            int j = (int)(2 * n_near + 2 * k + (size_t)side) + 1;
            int breakable = rel->figures != NOWHERE;
            glp_set_col_bnds(lp, j, breakable ? GLP_LO : GLP_FX, 0, 0);
            if (breakable) {
                glp_set_obj_coef(lp, j, t->cost ? t->cost[rel->figures] : 1e6);
                e++, ia[e] = row, ja[e] = j, ar[e] = side ? -1 : 1;
            }
        }
    }
    glp_load_matrix(lp, (int)e, ia, ja, ar);
    glp_smcp parm;
    glp_init_smcp(&parm);
    parm.msg_lev = GLP_MSG_OFF;
    parm.meth = GLP_DUALP; /* no move is the dual's start: only x's must be made good */
    a->counts->linear_programs++;
    int ret = solve(lp, &parm, last);
    int status = glp_get_status(lp);
    if (ret == GLP_ENOPFS || (ret == 0 && status == GLP_NOFEAS)) {
        found = 0;
    } else if (ret == 0 && status == GLP_OPT) {
        found = 1;
        a->n_marked = 0;
        for (size_t k = 0; k < n_rels; k++) {
            const struct ps_sdc_relation *rel = &t->relations[a->near_relations[k]];
            int j = (int)(2 * n_near + 2 * k) + 1;
            if (glp_get_col_prim(lp, j) + glp_get_col_prim(lp, j + 1) > SOLVER_SLACK &&
                !hide[rel->figures]) {
                hide[rel->figures] = 1;
                a->marked[a->n_marked++] = rel->figures;
            }
        }
        for (size_t j = 0; j < n_near; j++) {
            size_t c = near[j];
            double moved = glp_get_col_prim(lp, (int)(2 * j + 1)) +
                           glp_get_col_prim(lp, (int)(2 * j + 2));
            /* Moved by a whole count or more (or a zero), a count is shown to have two values
             * and, published, was above the threshold or 0: safe once hidden. */
            if (!a->hidden[c] && moved > SOLVER_SLACK && !hide[c]) {
                hide[c] = moved >= 1 - SOLVER_SLACK || t->value[c] == 0 ? 1 : 2;
                a->marked[a->n_marked++] = c;
            }
        }
    }
done:
    for (size_t k = 0; k < n_rels; k++)
        a->relation_in[a->near_relations[k]] = 0;
    if (lp)
        glp_delete_prob(lp);
    free(ia);
    free(ja);
    free(ar);
    return found;
}

/*
 * Whether x stays exposed with every count 'near' it hidden, by the relations of the definition
 * among them alone (fewer relations allow more, so then it is exposed whatever is hidden):
 * with 7 pairs in seven sites, each site's n_paired is 1 however the rest is hidden. Returns 1,
 * 0, or -1 on failure.
 */
static int pinned_anyway(struct audit *a, size_t x, const size_t *near, size_t n_near,
                         const unsigned char *in)
{
    const struct ps_sdc_table *t = a->table;
    size_t n_rels = 0, n_entries = 0;
    for (size_t i = 0; i < n_near; i++)
        for (size_t k = a->touch_start[near[i]]; k < a->touch_start[near[i] + 1]; k++) {
            size_t r = a->touching[k];
            const struct ps_sdc_relation *rel = &t->relations[r];
            int inside = rel->figures == NOWHERE;
            for (size_t j = 0; j < rel->n && inside; j++)
                inside = in[rel->cells[j]];
            if (a->relation_in[r] || !inside)
                continue;
            a->relation_in[r] = 1;
            a->near_relations[n_rels++] = r;
            n_entries += rel->n;
        }
    int *ia = malloc((n_entries + 1) * sizeof *ia), *ja = malloc((n_entries + 1) * sizeof *ja);
    double *ar = malloc((n_entries + 1) * sizeof *ar);
    glp_prob *lp = ia && ja && ar ? glp_create_prob() : NULL;
    int pinned = -1;
    if (!lp)
        goto done;
    glp_add_cols(lp, (int)n_near);
    for (size_t j = 0; j < n_near; j++) {
        a->column[near[j]] = j + 1;
        set_col_bounds(lp, (int)j + 1, small(a, near[j]) ? 1 : 0,
                       small(a, near[j]) ? a->rule->threshold : INFINITY);
    }
    glp_add_rows(lp, (int)n_rels);
    size_t e = 0;
    for (size_t k = 0; k < n_rels; k++) {
        const struct ps_sdc_relation *rel = &t->relations[a->near_relations[k]];
        for (size_t m = 0; m < rel->n; m++)
            e++, ia[e] = (int)k + 1, ja[e] = (int)a->column[rel->cells[m]], ar[e] = rel->coef[m];
        set_row_bounds(lp, (int)k + 1, rel->lo, rel->hi);
    }
    glp_load_matrix(lp, (int)e, ia, ja, ar);
    glp_std_basis(lp);
    struct range r;
    if (!attack(a, lp, x, &r))
        pinned = exposed(a, x, &r);
done:
    for (size_t k = 0; k < n_rels; k++)
        a->relation_in[a->near_relations[k]] = 0;
    if (lp)
        glp_delete_prob(lp);
    free(ia);
    free(ja);
    free(ar);
    return pinned;
}

/*
 * A protection pattern for x: among a few blocks near it first, more when none is found; for
 * the first of its targets that has one (the cheaper of two would take another program for
 * every exposed count, and half as long again, for little). Returns 1 when found (in 'hide'),
 * 0 when there is none even with every count around it hidden (the relations and the rule pin
 * x), -1 on failure.
 */
static int protection_pattern(struct audit *a, size_t x, unsigned char *hide, size_t *near,
                              unsigned char *in, size_t *next)
{
    const size_t n = a->table->n_cells;
    static const size_t sizes[][2] = {{1024, 32}, {2048, 32}, {SIZE_MAX, SIZE_MAX}};
    struct target targets[2];
    const size_t n_targets = targets_of(a, x, targets);
    int found = 0;
    a->n_marked = 0;
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0] && n_targets && !found; k++) {
        size_t max = sizes[k][0] < n ? sizes[k][0] : n;
        size_t n_near = neighbourhood(a, x, max, sizes[k][1], near, in, next);
        int last = k + 1 == sizeof sizes / sizeof sizes[0];
        for (size_t g = 0; g < n_targets && !found; g++)
            found = pattern_among(a, x, targets[g], near, n_near, in, hide, last);
        /* None among a thousand counts near it: before searching its whole component, whether
         * anything could help. */
        int pinned = !found && k == 0 ? pinned_anyway(a, x, near, n_near, in) : 0;
        found = pinned < 0 ? -1 : pinned ? -2 : found;
        for (size_t i = 0; i < n_near; i++)
            in[near[i]] = 0;
    }
    return found == -2 ? 0 : found;
}

/* Whether a relation of 'cell' has a count hidden this round (queued 2 or 3). */
static int touches_fresh(const struct audit *a, size_t cell, const unsigned char *queued)
{
    const struct ps_sdc_table *t = a->table;
    for (size_t k = a->touch_start[cell]; k < a->touch_start[cell + 1]; k++) {
        const struct ps_sdc_relation *rel = &t->relations[a->touching[k]];
        for (size_t j = 0; j < rel->n; j++)
            if (queued[rel->cells[j]] >= 2)
                return 1;
    }
    return 0;
}

/* ---- What the counts tell beyond their values. ---- */

/* The total of a sum (lo = hi = 0, of the definition, coefficient 1 for the total and -1 for
 * each part or the other way round), as its place among the relation's cells, or NOWHERE. */
static size_t total_of(const struct ps_sdc_relation *rel)
{
    size_t n_plus = 0, n_minus = 0, plus = NOWHERE, minus = NOWHERE;
    if (rel->figures != NOWHERE || rel->lo != 0 || rel->hi != 0 || rel->n < 2)
        return NOWHERE;
    for (size_t j = 0; j < rel->n; j++) {
        if (rel->coef[j] == 1)
            n_plus++, plus = j;
        else if (rel->coef[j] == -1)
            n_minus++, minus = j;
        else
            return NOWHERE;
    }
    return n_plus == 1 ? plus : n_minus == 1 ? minus : NOWHERE;
}

/*
 * Hides the zeros beside a count hidden as small that is the only part of its total not
 * shown to be 0: with them shown, everyone in the total is known to be in it ("improved *,
 * unchanged 0, deteriorated 0": all of a small group improved). None is audited: one can
 * still be known to be 0 where a bigger group's published 0 says the same of everyone (no one
 * in the cohort was lost), which tells nothing of the small group that is not true of all.
 * Returns how many it hid.
 */
static size_t hide_revealing_zeros(struct audit *a, unsigned char *queued)
{
    const struct ps_sdc_table *t = a->table;
    size_t n_hid = 0;
    for (size_t k = 0; k < t->n_relations; k++) {
        const struct ps_sdc_relation *rel = &t->relations[k];
        size_t total = total_of(rel), sole = NOWHERE, n_hidden = 0, n_zeros = 0;
        for (size_t j = 0; j < rel->n && total != NOWHERE && n_hidden < 2; j++) {
            size_t c = rel->cells[j];
            if (j == total)
                continue;
            if (a->hidden[c])
                n_hidden++, sole = c;
            else if (a->lo[c] == 0 && a->hi[c] == 0)
                n_zeros++;
            else
                n_hidden = 2;   /* a part that may not be 0: the total is not all in one */
        }
        if (n_hidden != 1 || !n_zeros || !small(a, sole))
            continue;
        for (size_t j = 0; j < rel->n; j++) {
            size_t c = rel->cells[j];
            if (j == total || a->hidden[c])
                continue;
            a->hidden[c] = 1;
            queued[c] = 0;
            a->counts->secondary++;
            n_hid++;
        }
    }
    return n_hid;
}

/*
 * Where the parts of a total are groups whose figures add up as their counts do, the total's
 * means and SDs less those of the groups shown are the hidden groups' together: when the
 * published counts put those groups at 1..threshold people (each hidden as small at 1 or
 * more), hides the cheapest of the total and the non-zero groups shown, to be audited.
 * A total hidden takes its figures with it. Returns how many it hid.
 */
static size_t hide_small_remainders(struct audit *a, unsigned char *queued)
{
    const struct ps_sdc_table *t = a->table;
    size_t n_hid = 0;
    for (size_t k = 0; k < t->n_relations; k++) {
        const struct ps_sdc_relation *rel = &t->relations[k];
        size_t total = rel->adds_figures ? total_of(rel) : NOWHERE;
        if (total == NOWHERE || a->hidden[rel->cells[total]])
            continue;
        size_t whole = rel->cells[total], cheapest = whole, n_hidden = 0;
        double least = a->lo[whole], most = a->hi[whole], small_ones = 0;
        for (size_t j = 0; j < rel->n; j++) {
            size_t c = rel->cells[j];
            if (j == total)
                continue;
            if (a->hidden[c]) {
                n_hidden++;
                small_ones += small(a, c);
                continue;
            }
            least -= a->hi[c];
            most -= a->lo[c];
            if (t->value[c] != 0 && cheaper(a, c, cheapest))
                cheapest = c;
        }
        if (!n_hidden || fmax(least, small_ones) < 1 || most > a->rule->threshold)
            continue;
        n_hid++;
        a->hidden[cheapest] = 1;
        queued[cheapest] = 1;
        a->counts->secondary++;
    }
    return n_hid;
}


int ps_sdc_protect(const struct ps_sdc_table *table, const ps_disclosure_t *rule,
                   unsigned char *hidden, ps_audit_t *counts)
{
    const size_t n = table->n_cells, m = n ? n : 1;
    struct audit a = {.table = table, .rule = rule, .hidden = hidden, .counts = counts};
    unsigned char *queued = calloc(m, 1), *component_queued = calloc(m, 1);
    unsigned char *pattern = calloc(m, 1), *in = calloc(m, 1);
    size_t *near = malloc(m * sizeof *near), *next = malloc(m * sizeof *next);
    int err = -1;
    if (!queued || !component_queued || !pattern || !in || !near || !next || build_index(&a))
        goto done;
    for (size_t i = 0; i < n; i++) {
        const int is_small = table->value[i] >= 1 && table->value[i] <= rule->threshold;
        const int latent_total = table->kind[i] == PS_SDC_LATENT_TOTAL;
        hidden[i] = table->kind[i] == PS_SDC_LATENT || latent_total ||
                    (table->kind[i] && is_small);
        queued[i] = (table->kind[i] && is_small) || latent_total;
        counts->counts += table->kind[i] == PS_SDC_COUNT;
        counts->primary += table->kind[i] == PS_SDC_COUNT && is_small;
    }
    for (;;) {
        size_t n_exposed = 0;
        if (components(&a))
            goto done;
        memset(component_queued, 0, n);
        for (size_t i = 0; i < n; i++)
            if (queued[i])
                component_queued[find(a.parent, i)] = 1;
        for (size_t root = 0; root < n; root++)
            if (component_queued[root] && audit_component(&a, root, queued, &n_exposed))
                goto done;
        if (!n_exposed) {
            /* Nothing exposed: what else the counts tell (zeros beside a lone small count, the
             * figures of hidden groups together). What that hides is audited in turn. */
            if (!hide_revealing_zeros(&a, queued) && !hide_small_remainders(&a, queued))
                break;
            continue;
        }
        /* Hide a protection pattern for an exposed count; audit both again. Another exposed
         * count in a relation with a count just hidden waits for that audit: it may be safe
         * now. */
        for (size_t i = 0; i < n; i++) {
            if (queued[i] != 1 || touches_fresh(&a, i, queued))
                continue;
            int found = protection_pattern(&a, i, pattern, near, in, next);
            if (found < 0)
                goto done;
            /* x can now take its true value and another: safe; or nothing can make it so. */
            queued[i] = 0;
            counts->pinned += !found;
            if (!found)
                hidden[i] = PS_SDC_PINNED;
            for (size_t k = 0; k < a.n_marked; k++) {
                size_t c = a.marked[k];
                hidden[c] = 1;
                if (table->kind[c] == PS_SDC_COUNT) {
                    counts->secondary++;
                    queued[c] = pattern[c] == 1 ? 3 : 2;  /* hidden this round */
                } else {
                    counts->figures_hidden++;
                }
                pattern[c] = 0;
            }
        }
        /* Audited next round: exposed counts that waited, and counts hidden this round that
         * their pattern did not show safe. */
        for (size_t i = 0; i < n; i++)
            queued[i] = queued[i] == 1 || queued[i] == 2;
    }
    err = 0;
done:
    free(queued);
    free(component_queued);
    free(pattern);
    free(in);
    free(near);
    free(next);
    free(a.lo);
    free(a.hi);
    free(a.least_seen);
    free(a.most_seen);
    free(a.touching);
    free(a.touch_start);
    free(a.parent);
    free(a.cells);
    free(a.cell_start);
    free(a.relations);
    free(a.rel_start);
    free(a.column);
    free(a.key);
    free(a.near_relations);
    free(a.relation_in);
    free(a.marked);
    free(a.local);
    free(a.local_in);
    return err;
}
