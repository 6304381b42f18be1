/*
 * Disclosure control: primary suppression, then secondary suppression until
 * an attacker's linear program can neither determine a hidden count nor
 * confine it to the suppressed range. The method is tau-Argus's and R's
 * sdcTable's (an attacker's LP per hidden cell), solved with GLPK.
 */
#include "config.h"

#include <glpk.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "disclosure.h"

#define SOLVER_SLACK 1e-6   /* the simplex's answers are exact to well within this */

double ps_sdc_published(double value, const ps_disclosure_t *rule)
{
    if (!rule->round_to)
        return value;
    return round(value / rule->round_to) * rule->round_to;
}

/* The values an attacker knows a published count may have: [*lo, *hi]. */
static void published_range(double value, const ps_disclosure_t *rule, double *lo, double *hi)
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

/* ---- Components: cells linked by relations are audited together. ---- */

static size_t find(size_t *parent, size_t i)
{
    while (parent[i] != i)
        i = parent[i] = parent[parent[i]];
    return i;
}

struct audit {
    const struct ps_sdc_table *table;
    const ps_disclosure_t *rule;
    unsigned char *hidden;
    size_t *parent;
    size_t *cells, *cell_start;      /* cells grouped by component (CSR by root) */
    size_t *relations, *rel_start;   /* relations grouped by component */
    size_t *touching, *touch_start;  /* per cell: the relations it is in */
    size_t *column;                  /* per cell: its LP column in its component, 1-based */
    ps_audit_t *counts;
};

/* Groups 'n' items by key[i] (< n_keys) into items/start (CSR). */
static int group_by(const size_t *key, size_t n, size_t n_keys, size_t **items, size_t **start)
{
    *start = calloc(n_keys + 1, sizeof **start);
    *items = malloc((n ? n : 1) * sizeof **items);
    size_t *fill = malloc((n_keys ? n_keys : 1) * sizeof *fill);
    if (!*start || !*items || !fill) {
        free(fill);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        if (key[i] != SIZE_MAX)
            (*start)[key[i] + 1]++;
    for (size_t k = 0; k < n_keys; k++)
        (*start)[k + 1] += (*start)[k];
    memcpy(fill, *start, n_keys * sizeof *fill);
    for (size_t i = 0; i < n; i++)
        if (key[i] != SIZE_MAX)
            (*items)[fill[key[i]]++] = i;
    free(fill);
    return 0;
}

static int build_index(struct audit *a)
{
    const struct ps_sdc_table *t = a->table;
    const size_t n = t->n_cells;
    a->parent = malloc((n ? n : 1) * sizeof *a->parent);
    size_t *key = malloc((n + t->n_relations + 1) * sizeof *key);
    a->column = calloc(n ? n : 1, sizeof *a->column);
    if (!a->parent || !key || !a->column) {
        free(key);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        a->parent[i] = i;
    for (size_t k = 0; k < t->n_relations; k++)
        for (size_t p = 0; p < t->relations[k].n_parts; p++) {
            size_t x = find(a->parent, t->relations[k].total),
                   y = find(a->parent, t->relations[k].parts[p]);
            if (x != y)
                a->parent[x > y ? x : y] = x > y ? y : x;
        }
    for (size_t i = 0; i < n; i++)
        key[i] = t->is_cell[i] ? find(a->parent, i) : SIZE_MAX;
    int err = group_by(key, n, n, &a->cells, &a->cell_start);
    for (size_t k = 0; k < t->n_relations && !err; k++)
        key[k] = find(a->parent, t->relations[k].total);
    if (!err)
        err = group_by(key, t->n_relations, n, &a->relations, &a->rel_start);
    /* Each cell's relations: one entry per membership. */
    size_t memberships = 0;
    for (size_t k = 0; k < t->n_relations; k++)
        memberships += 1 + t->relations[k].n_parts;
    size_t *member_key = err ? NULL : malloc((memberships ? memberships : 1) * sizeof *member_key);
    size_t *member_rel = member_key ? malloc((memberships ? memberships : 1) * sizeof *member_rel)
                                    : NULL;
    if (!member_rel) {
        free(member_key);
        free(key);
        return -1;
    }
    size_t m = 0;
    for (size_t k = 0; k < t->n_relations; k++) {
        member_key[m] = t->relations[k].total;
        member_rel[m++] = k;
        for (size_t p = 0; p < t->relations[k].n_parts; p++) {
            member_key[m] = t->relations[k].parts[p];
            member_rel[m++] = k;
        }
    }
    size_t *order;
    err = group_by(member_key, memberships, n, &order, &a->touch_start);
    if (!err) {
        for (size_t j = 0; j < memberships; j++)
            order[j] = member_rel[order[j]];
        a->touching = order;
    } else {
        free(order);
    }
    free(member_key);
    free(member_rel);
    free(key);
    return err;
}

/* ---- The attacker's program for one component. ---- */

/* What an attacker can tell of one hidden count: the least and greatest whole values. */
struct range {
    double least, most;     /* most is INFINITY when unbounded */
};

static glp_prob *component_program(struct audit *a, size_t root)
{
    const struct ps_sdc_table *t = a->table;
    const size_t *cells = a->cells + a->cell_start[root];
    const size_t n_cells = a->cell_start[root + 1] - a->cell_start[root];
    const size_t *rels = a->relations + a->rel_start[root];
    const size_t n_rels = a->rel_start[root + 1] - a->rel_start[root];
    size_t n_slack = 0, n_entries = 0;
    for (size_t k = 0; k < n_rels; k++) {
        n_slack += t->relations[rels[k]].slack != 0;
        n_entries += 1 + t->relations[rels[k]].n_parts + (t->relations[rels[k]].slack != 0);
    }
    int *ia = malloc((n_entries + 1) * sizeof *ia), *ja = malloc((n_entries + 1) * sizeof *ja);
    double *ar = malloc((n_entries + 1) * sizeof *ar);
    glp_prob *lp = ia && ja && ar ? glp_create_prob() : NULL;
    if (!lp)
        goto done;
    glp_set_obj_dir(lp, GLP_MIN);
    glp_add_cols(lp, (int)(n_cells + n_slack));
    for (size_t j = 0; j < n_cells; j++) {
        size_t c = cells[j];
        a->column[c] = j + 1;
        if (a->hidden[c]) {
            glp_set_col_bnds(lp, (int)j + 1, GLP_LO, 0, 0);
        } else {
            double lo, hi;
            published_range(t->value[c], a->rule, &lo, &hi);
            glp_set_col_bnds(lp, (int)j + 1, lo == hi ? GLP_FX : GLP_DB, lo, hi);
        }
    }
    for (size_t s = 0; s < n_slack; s++)
        glp_set_col_bnds(lp, (int)(n_cells + s) + 1, GLP_LO, 0, 0);
    if (n_rels)
        glp_add_rows(lp, (int)n_rels);
    size_t e = 0, s = 0;
    for (size_t k = 0; k < n_rels; k++) {
        const struct ps_sdc_relation *rel = &t->relations[rels[k]];
        int row = (int)k + 1;
        glp_set_row_bnds(lp, row, GLP_FX, 0, 0);
        /* total - parts - slack = 0 */
        e++, ia[e] = row, ja[e] = (int)a->column[rel->total], ar[e] = 1;
        for (size_t p = 0; p < rel->n_parts; p++)
            e++, ia[e] = row, ja[e] = (int)a->column[rel->parts[p]], ar[e] = -1;
        if (rel->slack)
            e++, ia[e] = row, ja[e] = (int)(n_cells + s++) + 1, ar[e] = -1;
    }
    if (e)
        glp_load_matrix(lp, (int)e, ia, ja, ar);
done:
    free(ia);
    free(ja);
    free(ar);
    return lp;
}

/* Optimises column j one way; returns 0 with *value (INFINITY when unbounded), or -1. */
static int optimise(glp_prob *lp, int j, int direction, double *value)
{
    glp_smcp parm;
    glp_init_smcp(&parm);
    parm.msg_lev = GLP_MSG_OFF;
    glp_set_obj_dir(lp, direction);
    glp_set_obj_coef(lp, j, 1);
    int ret = glp_simplex(lp, &parm);
    if (ret != 0) {
        /* A basis gone singular: start again from the standard one. */
        glp_std_basis(lp);
        ret = glp_simplex(lp, &parm);
    }
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

static int exposed(const struct audit *a, size_t cell, const struct range *r)
{
    int determined = r->least == r->most && a->table->value[cell] != 0;
    int confined = r->least >= 1 && r->most <= a->rule->threshold;
    return determined || confined;
}

/* What the attacker's program says of 'cell' in 'lp'; returns 0 or -1. */
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

/* Audits the queued cells of one component; marks those exposed in 'queued' (others cleared). */
static int audit_component(struct audit *a, size_t root, unsigned char *queued, size_t *n_exposed)
{
    if (a->rel_start[root] == a->rel_start[root + 1]) {
        /* A count in no relation: anything from 0 up is consistent with what is published. */
        for (size_t k = a->cell_start[root]; k < a->cell_start[root + 1]; k++)
            queued[a->cells[k]] = 0;
        return 0;
    }
    glp_prob *lp = component_program(a, root);
    if (!lp)
        return -1;
    glp_std_basis(lp);
    int err = 0;
    for (size_t k = a->cell_start[root]; k < a->cell_start[root + 1] && !err; k++) {
        size_t c = a->cells[k];
        if (!queued[c])
            continue;
        struct range r;
        if ((err = attack(a, lp, c, &r)))
            break;
        queued[c] = exposed(a, c, &r);
        *n_exposed += queued[c];
    }
    glp_delete_prob(lp);
    return err ? -1 : 0;
}

/*
 * A protection pattern for an exposed count x (Fischetti and Salazar's model): a change y to
 * the true counts that keeps every relation and every count non-negative and takes x to 0,
 * at the least cost of the published counts it moves. Hiding those counts makes 0 consistent
 * with what is published for x, and two values for each of them, so none is worked out.
 * Sets hide[c] for each published count to hide; returns 0, or -1.
 */
static int protection_pattern(struct audit *a, size_t x, unsigned char *hide)
{
    const struct ps_sdc_table *t = a->table;
    const size_t root = find(a->parent, x);
    const size_t *cells = a->cells + a->cell_start[root];
    const size_t n_cells = a->cell_start[root + 1] - a->cell_start[root];
    const size_t *rels = a->relations + a->rel_start[root];
    const size_t n_rels = a->rel_start[root + 1] - a->rel_start[root];
    size_t n_slack = 0, n_entries = 0;
    for (size_t k = 0; k < n_rels; k++) {
        const struct ps_sdc_relation *rel = &t->relations[rels[k]];
        n_slack += rel->slack != 0;
        n_entries += 2 * (1 + rel->n_parts) + (rel->slack != 0);
    }
    int *ia = malloc((n_entries + 1) * sizeof *ia), *ja = malloc((n_entries + 1) * sizeof *ja);
    double *ar = malloc((n_entries + 1) * sizeof *ar);
    glp_prob *lp = ia && ja && ar ? glp_create_prob() : NULL;
    int err = -1;
    if (!lp)
        goto done;
    /* Columns: per count j, its rise 2j+1 and fall 2j+2; then each relation's slack change. */
    glp_set_obj_dir(lp, GLP_MIN);
    glp_add_cols(lp, (int)(2 * n_cells + n_slack));
    for (size_t j = 0; j < n_cells; j++) {
        size_t c = cells[j];
        double cost = a->hidden[c] ? 0 : t->cost ? t->cost[c] : t->value[c] + 1;
        a->column[c] = j + 1;
        glp_set_col_bnds(lp, (int)(2 * j + 1), c == x ? GLP_FX : GLP_LO, 0, 0);
        glp_set_col_bnds(lp, (int)(2 * j + 2), c == x || t->value[c] == 0 ? GLP_FX : GLP_DB,
                         c == x ? t->value[c] : 0, t->value[c]);
        glp_set_obj_coef(lp, (int)(2 * j + 1), cost);
        glp_set_obj_coef(lp, (int)(2 * j + 2), cost);
    }
    glp_add_rows(lp, (int)n_rels);
    size_t e = 0, s = 0;
    for (size_t k = 0; k < n_rels; k++) {
        const struct ps_sdc_relation *rel = &t->relations[rels[k]];
        int row = (int)k + 1;
        double sign = 1, slack = t->value[rel->total];
        glp_set_row_bnds(lp, row, GLP_FX, 0, 0);
        /* change of total - changes of parts - change of slack = 0 */
        for (size_t p = 0; p <= rel->n_parts; p++, sign = -1) {
            size_t c = p == 0 ? rel->total : rel->parts[p - 1];
            int j = (int)a->column[c] - 1;
            if (p)
                slack -= t->value[c];
            e++, ia[e] = row, ja[e] = 2 * j + 1, ar[e] = sign;
            e++, ia[e] = row, ja[e] = 2 * j + 2, ar[e] = -sign;
        }
        if (rel->slack) {
            int j = (int)(2 * n_cells + s++) + 1;
            /* The count never published stays non-negative. */
            glp_set_col_bnds(lp, j, GLP_LO, -slack, 0);
            e++, ia[e] = row, ja[e] = j, ar[e] = -1;
        }
    }
    glp_load_matrix(lp, (int)e, ia, ja, ar);
    glp_smcp parm;
    glp_init_smcp(&parm);
    parm.msg_lev = GLP_MSG_OFF;
    parm.presolve = GLP_ON;
    a->counts->linear_programs++;
    if (glp_simplex(lp, &parm) != 0 || glp_get_status(lp) != GLP_OPT)
        goto done;
    for (size_t j = 0; j < n_cells; j++) {
        size_t c = cells[j];
        double moved = glp_get_col_prim(lp, (int)(2 * j + 1)) + glp_get_col_prim(lp, (int)(2 * j + 2));
        if (!a->hidden[c] && moved > SOLVER_SLACK)
            hide[c] = 1;
    }
    err = 0;
done:
    if (lp)
        glp_delete_prob(lp);
    free(ia);
    free(ja);
    free(ar);
    return err;
}

/* Whether a relation of 'cell' has a count hidden this round (queued 2). */
static int touches_fresh(const struct audit *a, size_t cell, const unsigned char *queued)
{
    const struct ps_sdc_table *t = a->table;
    for (size_t k = a->touch_start[cell]; k < a->touch_start[cell + 1]; k++) {
        const struct ps_sdc_relation *rel = &t->relations[a->touching[k]];
        if (queued[rel->total] == 2)
            return 1;
        for (size_t p = 0; p < rel->n_parts; p++)
            if (queued[rel->parts[p]] == 2)
                return 1;
    }
    return 0;
}

int ps_sdc_protect(const struct ps_sdc_table *table, const ps_disclosure_t *rule,
                   unsigned char *hidden, ps_audit_t *counts)
{
    const size_t n = table->n_cells;
    struct audit a = {.table = table, .rule = rule, .hidden = hidden, .counts = counts};
    unsigned char *queued = calloc(n ? n : 1, 1), *component_queued = calloc(n ? n : 1, 1);
    unsigned char *pattern = malloc(n ? n : 1);
    int err = -1;
    if (!queued || !component_queued || !pattern || build_index(&a))
        goto done;
    for (size_t i = 0; i < n; i++) {
        hidden[i] = table->is_cell[i] && table->value[i] >= 1 && table->value[i] <= rule->threshold;
        queued[i] = hidden[i];
        counts->counts += table->is_cell[i];
        counts->primary += hidden[i];
    }
    for (;;) {
        size_t n_exposed = 0;
        memset(component_queued, 0, n);
        for (size_t i = 0; i < n; i++)
            if (queued[i])
                component_queued[find(a.parent, i)] = 1;
        for (size_t root = 0; root < n; root++)
            if (component_queued[root] && audit_component(&a, root, queued, &n_exposed))
                goto done;
        if (!n_exposed)
            break;
        /* Hide a protection pattern for an exposed count; audit both again. Another exposed
         * count in a relation with a count just hidden waits for that audit: it may be safe
         * now. */
        for (size_t i = 0; i < n; i++) {
            if (queued[i] != 1 || touches_fresh(&a, i, queued))
                continue;
            memset(pattern, 0, n);
            if (protection_pattern(&a, i, pattern))
                goto done;
            for (size_t c = 0; c < n; c++)
                if (pattern[c] && !hidden[c]) {
                    hidden[c] = 1;
                    counts->secondary++;
                    queued[c] = 2;  /* hidden this round */
                }
        }
        for (size_t i = 0; i < n; i++)
            queued[i] = queued[i] != 0;
    }
    err = 0;
done:
    free(queued);
    free(component_queued);
    free(pattern);
    free(a.parent);
    free(a.cells);
    free(a.cell_start);
    free(a.relations);
    free(a.rel_start);
    free(a.touching);
    free(a.touch_start);
    free(a.column);
    return err;
}
