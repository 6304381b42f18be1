/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Disclosure control attacked from outside.
 *
 * An analyst holds a published report (counts exact or rounded, some hidden), the names of
 * its statistics, the instruments' definitions and a spreadsheet. From those alone they know
 * how the counts add up: the flow of participants, the three ways the paired are sorted
 * (meaningful change, reliable change, bands), the band transition table and its margins,
 * goals within their pool, the groups of a column within the whole cohort. With these and
 * nothing else this attacker asks how small and how large each hidden count can be, by
 * linear programs solved in exact rational arithmetic (GLPK's glp_exact), not by the
 * library's floating-point audit. It uses neither the report's own list of relations
 * (ps_report_relation) nor any private code of the library.
 *
 * What must hold for every hidden count: it is not worked out (its consistent values span at
 * least 1; a hidden 0 pinned to 0 is only counted, as it reveals no small group), and its
 * consistent values include 0 or a value above the threshold. Figures resting on a hidden
 * count are hidden; under rounding, figures that would give n away are never shown.
 *
 * Cohorts are random, each from a fixed seed printed with every failure (run again with
 * PROMSCORE_DISCLOSURE_SEED=0x... to attack that cohort alone), plus three that once leaked.
 */
#include "config.h"

#include <glpk.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "helpers.h"

#define KEY 1024
#define PRINTF(f, a) __attribute__((format(printf, f, a)))

/* ======================================================================================== */
/* Small containers.                                                                        */

struct ints {
    int *v;
    size_t n, cap;
};

static void push(struct ints *list, int x)
{
    if (list->n == list->cap) {
        list->cap = list->cap ? 2 * list->cap : 8;
        list->v = realloc(list->v, list->cap * sizeof *list->v);
        cr_assert_not_null(list->v);
    }
    list->v[list->n++] = x;
}

/* Strings to indices (open addressing; keys are copied). */
struct map {
    char **keys;
    int *values;
    size_t cap, n;
};

static size_t map_slot(const struct map *m, const char *key)
{
    uint64_t h = 14695981039346656037u; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)key; *p; p++)
        h = (h ^ *p) * 1099511628211u;
    size_t i = (size_t)h & (m->cap - 1);
    while (m->keys[i] && strcmp(m->keys[i], key) != 0)
        i = (i + 1) & (m->cap - 1);
    return i;
}

static int map_get(const struct map *m, const char *key)
{
    if (!m->cap)
        return -1;
    size_t i = map_slot(m, key);
    return m->keys[i] ? m->values[i] : -1;
}

static void map_put(struct map *m, const char *key, int value)
{
    if (2 * (m->n + 1) > m->cap) {
        struct map bigger = {calloc(m->cap ? 2 * m->cap : 64, sizeof(char *)),
                             calloc(m->cap ? 2 * m->cap : 64, sizeof(int)),
                             m->cap ? 2 * m->cap : 64, m->n};
        cr_assert(bigger.keys && bigger.values);
        for (size_t i = 0; i < m->cap; i++)
            if (m->keys[i]) {
                size_t j = map_slot(&bigger, m->keys[i]);
                bigger.keys[j] = m->keys[i];
                bigger.values[j] = m->values[i];
            }
        free(m->keys);
        free(m->values);
        *m = bigger;
    }
    size_t i = map_slot(m, key);
    if (!m->keys[i]) {
        m->keys[i] = strdup(key);
        m->n++;
    }
    m->values[i] = value;
}

static void map_free(struct map *m)
{
    for (size_t i = 0; i < m->cap; i++)
        free(m->keys[i]);
    free(m->keys);
    free(m->values);
}

static PRINTF(3, 4) const char *format(char *buffer, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buffer, size, fmt, ap);
    va_end(ap);
    cr_assert(n >= 0 && (size_t)n < size, "a key longer than %zu bytes", size);
    return buffer;
}

/* ======================================================================================== */
/* The statistic catalogue, read from the public header (its ON1/ON2 and ROUND_N columns).   */

struct catalogue_row {
    const char *name;
    ps_kind_t kind;
    ps_param_t param;
    ps_statistic_id_t rests_on[2];
    int reveals_n;
};

#define PS_X_ROW(id, name, kind, param, on1, on2, direction, round_n, decimals, meaning)        \
    [PS_STAT_##id] = {name, PS_KIND_##kind, PS_PARAM_##param, {PS_STAT_##on1, PS_STAT_##on2},   \
                      round_n},
static const struct catalogue_row catalogue[PS_STAT_COUNT_] = {PS_STATISTICS(PS_X_ROW)};
#undef PS_X_ROW

/* The catalogue row of a name without its category ("share_baseline_band:low"), or NULL. */
static const struct catalogue_row *catalogue_row(const char *base)
{
    const char *colon = strchr(base, ':');
    size_t length = colon ? (size_t)(colon - base) : strlen(base);
    for (int id = 0; id < PS_STAT_COUNT_; id++)
        if (strlen(catalogue[id].name) == length &&
            strncmp(catalogue[id].name, base, length) == 0 &&
            (catalogue[id].param != PS_PARAM_NONE) == (colon != NULL))
            return &catalogue[id];
    return NULL;
}

/* ======================================================================================== */
/* Where a statistic sits: its block (instrument, unit, group, comparison, goal category)    */
/* and its name within the block.                                                           */

/* The goal category of a pool's figure ("" when none), from the field or the name's prefix. */
static const char *category_of(const ps_statistic_t *s, char *buffer, size_t size)
{
    if (s->category)
        return s->category;
    if (strncmp(s->name, "category:", 9) != 0)
        return "";
    const char *end = strchr(s->name + 9, ':');
    cr_assert_not_null(end, "a category without a statistic: %s", s->name);
    return format(buffer, size, "%.*s", (int)(end - (s->name + 9)), s->name + 9);
}

/* The name without the category prefix. */
static const char *base_name(const ps_statistic_t *s)
{
    if (strncmp(s->name, "category:", 9) != 0)
        return s->name;
    return strchr(s->name + 9, ':') + 1;
}

static const char *block_key(char *buffer, size_t size, const char *instrument, const char *unit,
                             const char *group, const char *comparison, const char *category)
{
    return format(buffer, size, "%s\037%s\037%s\037%s\037%s", instrument, unit, group, comparison,
                  category);
}

static const char *statistic_key(char *buffer, size_t size, const ps_statistic_t *s)
{
    char category[256], block[KEY];
    block_key(block, sizeof block, ps_instrument_id(s->instrument), s->unit, s->group,
              s->comparison, category_of(s, category, sizeof category));
    return format(buffer, size, "%s\037%s", block, base_name(s));
}

/* ======================================================================================== */
/* The attacker's knowledge.                                                                */

/* A count of the published report. */
struct cell {
    const ps_statistic_t *published;
    double truth;    /* in the report without disclosure control */
    double lo, hi;   /* the values the published figure allows (hi may be INFINITY) */
    int block;
    const char *base; /* name within the block */
    int column;      /* in the linear program of its component, when free */
    double seen_lo, seen_hi; /* values it takes in the consistent points found so far */
};

struct block {
    const ps_statistic_t *first; /* any statistic of it */
    char category[256];
    char key[KEY];
    struct ints cells;
};

/* Terms 'plus' minus terms 'minus' = 0 (EQUAL) or <= 0 (AT_MOST). */
enum sense { EQUAL, AT_MOST };

struct relation {
    enum sense sense;
    struct ints plus, minus;
    const char *why;
};

/* What the attack found, summed over reports. */
struct verdict {
    size_t reports, counts, hidden, programs, pinned_zeros, figures, unknown_figures, failures;
};

struct attack {
    ps_disclosure_t rule;
    const char *cohort;   /* names the cohort in messages */
    struct cell *cells;
    size_t n_cells;
    struct map cell_index; /* statistic key -> cell */
    struct block *blocks;
    size_t n_blocks;
    struct map block_index; /* block key -> block */
    struct relation *relations;
    size_t n_relations, cap_relations;
    struct verdict *verdict;
};

static PRINTF(2, 3) void failure(struct attack *a, const char *fmt, ...)
{
    char message[2 * KEY];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    if (a->verdict->failures++ < 40)
        cr_log_error("%s, rule {%d, %u, %u}: %s", a->cohort, a->rule.suppress, a->rule.threshold,
                     a->rule.round_to, message);
}

static const char *describe(const struct attack *a, int cell, char *buffer, size_t size)
{
    const ps_statistic_t *s = a->cells[cell].published;
    return format(buffer, size, "%s/%s %s %s %s", ps_instrument_id(s->instrument), s->unit,
                  s->group, s->comparison, s->name);
}

/* What a published count tells: a hidden one is any count; a shown one is exact, or when
 * rounded to N any count that rounds to it (0 is exactly 0; others exceed the threshold). */
static void published_range(const ps_statistic_t *s, ps_disclosure_t rule, double *lo, double *hi)
{
    if (s->shown != PS_SHOWN) {
        *lo = 0;
        *hi = INFINITY;
    } else if (!rule.round_to || s->value == 0) {
        *lo = *hi = s->value;
    } else {
        /* Whole counts within N/2 (integer division): with an even N both ends of a tie are
         * allowed, whichever way the report breaks ties. */
        double half = rule.round_to / 2;
        *lo = fmax(s->value - half, rule.threshold + 1);
        *hi = s->value + half;
    }
}

static int block_of(struct attack *a, const ps_statistic_t *s)
{
    char buffer[256], key[KEY];
    const char *category = category_of(s, buffer, sizeof buffer);
    block_key(key, sizeof key, ps_instrument_id(s->instrument), s->unit, s->group, s->comparison,
              category);
    int b = map_get(&a->block_index, key);
    if (b >= 0)
        return b;
    a->blocks = realloc(a->blocks, (a->n_blocks + 1) * sizeof *a->blocks);
    cr_assert_not_null(a->blocks);
    struct block *block = &a->blocks[a->n_blocks];
    *block = (struct block){.first = s};
    snprintf(block->category, sizeof block->category, "%s", category);
    snprintf(block->key, sizeof block->key, "%s", key);
    map_put(&a->block_index, key, (int)a->n_blocks);
    return (int)a->n_blocks++;
}

/* Every count of the published report, with its true value from the unprotected one. */
static void read_counts(struct attack *a, const ps_report_t *truth, const ps_report_t *published)
{
    struct map true_index = {0};
    char key[KEY], name[KEY];
    for (size_t i = 0; i < ps_report_count(truth); i++)
        map_put(&true_index, statistic_key(key, sizeof key, ps_report_statistic(truth, i)),
                (int)i);
    a->cells = calloc(ps_report_count(published) + 1, sizeof *a->cells);
    cr_assert_not_null(a->cells);
    for (size_t i = 0; i < ps_report_count(published); i++) {
        const ps_statistic_t *s = ps_report_statistic(published, i);
        int t = map_get(&true_index, statistic_key(key, sizeof key, s));
        cr_assert_geq(t, 0, "%s: %s is not in the unprotected report", a->cohort, s->name);
        if (!s->is_count)
            continue;
        const ps_statistic_t *true_count = ps_report_statistic(truth, (size_t)t);
        cr_assert_eq(true_count->shown, PS_SHOWN, "%s: unprotected count %s not shown",
                     a->cohort, s->name);
        struct cell *c = &a->cells[a->n_cells];
        *c = (struct cell){.published = s, .truth = true_count->value, .base = base_name(s)};
        published_range(s, a->rule, &c->lo, &c->hi);
        c->block = block_of(a, s);
        push(&a->blocks[c->block].cells, (int)a->n_cells);
        map_put(&a->cell_index, key, (int)a->n_cells);
        describe(a, (int)a->n_cells++, name, sizeof name);
        /* The attacker's premises: what is published is true, and rounded when it should be. */
        if (c->truth < c->lo || c->truth > c->hi)
            failure(a, "%s published as %g but is %g", name, s->value, c->truth);
        if (s->shown == PS_SHOWN && a->rule.round_to && fmod(s->value, a->rule.round_to) != 0)
            failure(a, "%s shown as %g, not a multiple of %u", name, s->value, a->rule.round_to);
    }
    map_free(&true_index);
    a->verdict->counts += a->n_cells;
}

/* The count called NAME in block b (within the block's category), or -1. */
static PRINTF(3, 4) int count_in(const struct attack *a, int b, const char *fmt, ...)
{
    char name[KEY], key[2 * KEY];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(name, sizeof name, fmt, ap);
    va_end(ap);
    cr_assert(n >= 0 && (size_t)n < sizeof name);
    return map_get(&a->cell_index, format(key, sizeof key, "%s\037%s", a->blocks[b].key, name));
}

/* ======================================================================================== */
/* Relations an analyst derives from the definitions and the names.                         */

/* total = the sum of parts (EQUAL), or total >= it (AT_MOST). Dropped when a count it needs is
 * not in the report. */
static void relate(struct attack *a, enum sense sense, int total, const struct ints *parts,
                   const char *why)
{
    if (total < 0 || (sense == AT_MOST && parts->n == 0))
        return;
    for (size_t i = 0; i < parts->n; i++)
        if (parts->v[i] < 0)
            return;
    if (a->n_relations == a->cap_relations) {
        a->cap_relations = a->cap_relations ? 2 * a->cap_relations : 256;
        a->relations = realloc(a->relations, a->cap_relations * sizeof *a->relations);
        cr_assert_not_null(a->relations);
    }
    struct relation *r = &a->relations[a->n_relations++];
    *r = (struct relation){.sense = sense, .why = why};
    for (size_t i = 0; i < parts->n; i++)
        push(&r->plus, parts->v[i]);
    push(&r->minus, total);
}

/* total = the sum of the named counts of block b (or >=). */
static void relate_names(struct attack *a, int b, enum sense sense, const char *total,
                         const char *const *parts, const char *why)
{
    struct ints cells = {0};
    for (; *parts; parts++)
        push(&cells, count_in(a, b, "%s", *parts));
    relate(a, sense, count_in(a, b, "%s", total), &cells, why);
    free(cells.v);
}

/* The flow of participants: those at baseline are paired or lost; the paired are at follow-up. */
static void relate_flow(struct attack *a, int b)
{
    relate_names(a, b, EQUAL, "n_baseline", (const char *const[]){"n_paired", "lost_to_followup",
                                                                  NULL},
                 "n_baseline = n_paired + lost_to_followup");
    relate_names(a, b, AT_MOST, "n_followup", (const char *const[]){"n_paired", NULL},
                 "n_followup >= n_paired");
}

/* The paired sorted by meaningful change, and by reliable change. */
static void relate_change(struct attack *a, int b)
{
    relate_names(a, b, EQUAL, "n_paired",
                 (const char *const[]){"n_improved", "n_unchanged", "n_deteriorated", NULL},
                 "n_paired = n_improved + n_unchanged + n_deteriorated");
    relate_names(a, b, EQUAL, "n_paired",
                 (const char *const[]){"n_reliable_improved", "n_no_reliable_change",
                                       "n_reliable_deteriorated", NULL},
                 "n_paired = n_reliable_improved + n_no_reliable_change + n_reliable_deteriorated");
}

/* A move from band 'from' to band 'to' (bands ascending by score). */
enum move { BETTER, SAME, WORSE, HIGHER, LOWER };

static int is_move(const ps_scale_t *scale, size_t from, size_t to, enum move move)
{
    int lower_is_better = ps_scale_lower_is_better(scale);
    switch (move) {
    case SAME:
        return to == from;
    case HIGHER:
        return to > from;
    case LOWER:
        return to < from;
    case BETTER:
        return lower_is_better ? to < from : to > from;
    case WORSE:
        return lower_is_better ? to > from : to < from;
    }
    return 0;
}

/* Counts of moves between bands. "up" and "down" are the names reports gave them before moves
 * followed the scale's direction: a higher or a lower band. */
static const struct {
    const char *name;
    enum move move;
} band_moves[] = {{"n_band_better", BETTER}, {"n_band_same", SAME}, {"n_band_worse", WORSE},
                  {"n_band_up", HIGHER},     {"n_band_down", LOWER}};

static const struct {
    const char *name;
    enum move move;
} moves_from[] = {{"n_moved_better_from", BETTER}, {"n_moved_up_from", HIGHER}};

/* Whether every score the scale can take is in a band: no gap at the scale's precision. */
static int bands_cover(const ps_scale_t *scale)
{
    size_t n = ps_scale_band_count(scale);
    double step = pow(10, -ps_scale_precision(scale)), lo, hi, previous;
    if (!n)
        return 0;
    ps_scale_band(scale, 0, &lo, &previous);
    if (lo > ps_scale_min(scale) + 1e-9)
        return 0;
    for (size_t i = 1; i < n; i++) {
        ps_scale_band(scale, i, &lo, &hi);
        if (lo - previous > step + 1e-9)
            return 0;
        previous = hi;
    }
    return previous >= ps_scale_max(scale) - 1e-9;
}

/* The transition table: its rows, columns and total; moves to better, the same or worse bands;
 * and from each band, moves to a better one. */
static void relate_bands(struct attack *a, int b)
{
    const ps_scale_t *scale = a->blocks[b].first->scale;
    size_t nb = scale ? ps_scale_band_count(scale) : 0;
    if (!nb)
        return;
    const char **label = calloc(nb, sizeof *label);
    int *cell = calloc(nb * nb, sizeof *cell);
    cr_assert(label && cell);
    for (size_t i = 0; i < nb; i++)
        label[i] = ps_scale_band(scale, i, NULL, NULL);
    for (size_t from = 0; from < nb; from++)
        for (size_t to = 0; to < nb; to++)
            cell[from * nb + to] = count_in(a, b, "transition:%s->%s", label[from], label[to]);
    int cover = bands_cover(scale);
    struct ints parts = {0};
    for (size_t band = 0; band < nb; band++) {
        parts.n = 0;
        for (size_t k = 0; k < nb; k++)
            push(&parts, cell[band * nb + k]);
        relate(a, EQUAL, count_in(a, b, "n_baseline_band:%s", label[band]), &parts,
               "n_baseline_band:A = the row A of the transitions");
        parts.n = 0;
        for (size_t k = 0; k < nb; k++)
            push(&parts, cell[k * nb + band]);
        relate(a, EQUAL, count_in(a, b, "n_followup_band:%s", label[band]), &parts,
               "n_followup_band:B = the column B of the transitions");
    }
    parts.n = 0;
    for (size_t k = 0; k < nb * nb; k++)
        push(&parts, cell[k]);
    relate(a, cover ? EQUAL : AT_MOST, count_in(a, b, "n_paired"), &parts,
           "n_paired = every transition");
    for (size_t m = 0; m < sizeof band_moves / sizeof band_moves[0]; m++) {
        parts.n = 0;
        for (size_t from = 0; from < nb; from++)
            for (size_t to = 0; to < nb; to++)
                if (is_move(scale, from, to, band_moves[m].move))
                    push(&parts, cell[from * nb + to]);
        relate(a, EQUAL, count_in(a, b, "%s", band_moves[m].name), &parts,
               "a band move = the transitions that move so");
    }
    if (cover) {
        relate_names(a, b, EQUAL, "n_paired",
                     (const char *const[]){"n_band_better", "n_band_same", "n_band_worse", NULL},
                     "n_paired = n_band_better + n_band_same + n_band_worse");
        relate_names(a, b, EQUAL, "n_paired",
                     (const char *const[]){"n_band_up", "n_band_same", "n_band_down", NULL},
                     "n_paired = n_band_up + n_band_same + n_band_down");
    }
    for (size_t from = 0; from < nb; from++)
        for (size_t m = 0; m < sizeof moves_from / sizeof moves_from[0]; m++) {
            parts.n = 0;
            for (size_t to = 0; to < nb; to++)
                if (is_move(scale, from, to, moves_from[m].move))
                    push(&parts, cell[from * nb + to]);
            relate(a, EQUAL, count_in(a, b, "%s:%s", moves_from[m].name, label[from]), &parts,
                   "n_moved_better_from:A = the cells of row A that move to a better band");
        }
    free(parts.v);
    free(cell);
    free(label);
}

/* A pool: its units are its members' units; achieved units are rated units. */
static void relate_pool(struct attack *a, int b)
{
    struct ints members = {0};
    const struct block *block = &a->blocks[b];
    for (size_t i = 0; i < block->cells.n; i++)
        if (strncmp(a->cells[block->cells.v[i]].base, "n_paired:", 9) == 0)
            push(&members, block->cells.v[i]);
    if (members.n)
        relate(a, EQUAL, count_in(a, b, "n_paired"), &members,
               "n_paired = the sum over members of n_paired:MEMBER");
    free(members.v);
    relate_names(a, b, AT_MOST, "n_attainment_baseline",
                 (const char *const[]){"n_achieved_baseline", NULL},
                 "n_achieved_baseline <= n_attainment_baseline");
    relate_names(a, b, AT_MOST, "n_attainment_followup",
                 (const char *const[]){"n_achieved_followup", NULL},
                 "n_achieved_followup <= n_attainment_followup");
}

/* Parts gathered under a key, each sum to a total found with them. */
struct sums {
    struct map index;
    struct ints *parts;
    int *totals;
    size_t n;
};

static void add_part(struct sums *s, const char *key, int total, int part)
{
    int i = map_get(&s->index, key);
    if (i < 0) {
        s->parts = realloc(s->parts, (s->n + 1) * sizeof *s->parts);
        s->totals = realloc(s->totals, (s->n + 1) * sizeof *s->totals);
        cr_assert(s->parts && s->totals);
        s->parts[s->n] = (struct ints){0};
        s->totals[s->n] = total;
        i = (int)s->n++;
        map_put(&s->index, key, i);
    }
    push(&s->parts[i], part);
}

static void relate_sums(struct attack *a, struct sums *s, enum sense sense, const char *why)
{
    for (size_t i = 0; i < s->n; i++) {
        relate(a, sense, s->totals[i], &s->parts[i], why);
        free(s->parts[i].v);
    }
    free(s->parts);
    free(s->totals);
    map_free(&s->index);
}

/* A goal has at most one category: the categories of a count add up to no more than the pool's. */
static void relate_categories(struct attack *a)
{
    struct sums sums = {0};
    char key[KEY], parent[KEY];
    for (size_t b = 0; b < a->n_blocks; b++) {
        const struct block *block = &a->blocks[b];
        if (!block->category[0])
            continue;
        const ps_statistic_t *s = block->first;
        int pool = map_get(&a->block_index,
                           block_key(parent, sizeof parent, ps_instrument_id(s->instrument),
                                     s->unit, s->group, s->comparison, ""));
        if (pool < 0)
            continue;
        for (size_t i = 0; i < block->cells.n; i++) {
            const char *base = a->cells[block->cells.v[i]].base;
            add_part(&sums, format(key, sizeof key, "%s\037%s", parent, base),
                     count_in(a, pool, "%s", base), block->cells.v[i]);
        }
    }
    relate_sums(a, &sums, AT_MOST, "category:C:X summed over C <= the pool's X");
}

/* The groups of one column add up to the whole cohort, count by count: every participant of
 * the cohorts attacked here has a value in every grouping column (with some missing, the
 * groups would add up to no more than the whole). */
static void relate_groups(struct attack *a)
{
    struct sums sums = {0};
    char key[KEY], all[KEY];
    for (size_t i = 0; i < a->n_cells; i++) {
        const ps_statistic_t *s = a->cells[i].published;
        const char *equals = strchr(s->group, '=');
        if (strcmp(s->group, "all") == 0 || !equals)
            continue;
        const struct block *block = &a->blocks[a->cells[i].block];
        int whole = map_get(&a->block_index,
                            block_key(all, sizeof all, ps_instrument_id(s->instrument), s->unit,
                                      "all", s->comparison, block->category));
        if (whole < 0)
            continue;
        format(key, sizeof key, "%s\037%.*s\037%s", all, (int)(equals - s->group), s->group,
               a->cells[i].base);
        add_part(&sums, key, count_in(a, whole, "%s", a->cells[i].base), (int)i);
    }
    relate_sums(a, &sums, EQUAL, "the groups of a column add up to all");
}

/* Those at baseline are the same people in every comparison. */
static void relate_comparisons(struct attack *a)
{
    struct map first = {0};
    char key[KEY];
    for (size_t i = 0; i < a->n_cells; i++) {
        if (strcmp(a->cells[i].base, "n_baseline") != 0)
            continue;
        const ps_statistic_t *s = a->cells[i].published;
        format(key, sizeof key, "%s\037%s\037%s\037%s", ps_instrument_id(s->instrument), s->unit,
               s->group, a->blocks[a->cells[i].block].category);
        int other = map_get(&first, key);
        if (other < 0)
            map_put(&first, key, (int)i);
        else
            relate(a, EQUAL, other, &(struct ints){.v = (int[]){(int)i}, .n = 1},
                   "n_baseline is the same in every comparison");
    }
    map_free(&first);
}

static void derive_relations(struct attack *a)
{
    for (size_t b = 0; b < a->n_blocks; b++) {
        relate_flow(a, (int)b);
        relate_change(a, (int)b);
        relate_bands(a, (int)b);
        relate_pool(a, (int)b);
    }
    relate_categories(a);
    relate_groups(a);
    relate_comparisons(a);
}

/* The unprotected report satisfies every relation, or the attacker got a definition wrong. */
static void check_relations_hold(struct attack *a)
{
    char name[KEY];
    for (size_t i = 0; i < a->n_relations; i++) {
        const struct relation *r = &a->relations[i];
        double sum = 0;
        for (size_t k = 0; k < r->plus.n; k++)
            sum += a->cells[r->plus.v[k]].truth;
        for (size_t k = 0; k < r->minus.n; k++)
            sum -= a->cells[r->minus.v[k]].truth;
        if (r->sense == EQUAL ? sum != 0 : sum > 0)
            failure(a, "the relation \"%s\" does not hold for %s (off by %g)", r->why,
                    describe(a, r->minus.v[0], name, sizeof name), sum);
    }
}

/* ======================================================================================== */
/* The linear programs, solved exactly.                                                     */

/*
 * A program's variables are the counts it leaves free; the others are fixed. The attacker's
 * program (AS_PUBLISHED) leaves free the hidden counts and, under rounding, the rounded ones,
 * each within what rounds to it. Under rounding a narrower, much smaller program comes first
 * (SHOWN_AS_TRUE: the shown counts fixed at their true values), whose points are consistent
 * with the published report too.
 *
 * Every optimal vertex glp_exact returns is an exact consistent point. When it is integral,
 * and checked again here relation by relation, it shows one value each count can take. A
 * hidden count is safe once such points show it at values at least 1 apart, among them 0 or
 * one above the threshold. Only the others have their own least and greatest values solved,
 * and are judged on the attacker's program: every failure comes with its exact extremes.
 */

/* What a program takes the shown counts to be: their true values, or what was published. */
enum shown_counts { SHOWN_AS_TRUE, AS_PUBLISHED };

struct program {
    enum shown_counts kind;
    glp_prob *lp;
    const struct ints *cells, *relations;
};

static int is_hidden(const struct cell *c)
{
    return c->published->shown == PS_SUPPRESSED;
}

static int is_free(const struct cell *c, enum shown_counts kind)
{
    if (kind == SHOWN_AS_TRUE && c->published->shown == PS_SHOWN)
        return 0;
    return c->lo < c->hi;
}

static double fixed_value(const struct cell *c, enum shown_counts kind)
{
    return kind == SHOWN_AS_TRUE && c->published->shown == PS_SHOWN ? c->truth : c->lo;
}

/* Whether the values seen so far answer both questions for a hidden count. */
static int is_settled(const struct attack *a, const struct cell *c)
{
    return c->seen_hi - c->seen_lo >= 1 && (c->seen_lo == 0 || c->seen_hi > a->rule.threshold);
}

static int root(int *parent, int x)
{
    while (parent[x] != x)
        x = parent[x] = parent[parent[x]];
    return x;
}

static double value_in(const struct attack *a, const struct program *p, int c)
{
    const struct cell *cell = &a->cells[c];
    return is_free(cell, p->kind) ? glp_get_col_prim(p->lp, cell->column)
                                  : fixed_value(cell, p->kind);
}

/* The solution just found, when integral and (checked again in integer arithmetic) consistent,
 * is a report the published one could have come from: every count may take its value. */
static void record_point(struct attack *a, const struct program *p)
{
    for (size_t k = 0; k < p->cells->n; k++) {
        const struct cell *c = &a->cells[p->cells->v[k]];
        double x = glp_get_col_prim(p->lp, c->column);
        if (x != floor(x) || x < c->lo || x > c->hi)
            return;
    }
    for (size_t i = 0; i < p->relations->n; i++) {
        const struct relation *r = &a->relations[p->relations->v[i]];
        double sum = 0;
        for (size_t k = 0; k < r->plus.n; k++)
            sum += value_in(a, p, r->plus.v[k]);
        for (size_t k = 0; k < r->minus.n; k++)
            sum -= value_in(a, p, r->minus.v[k]);
        cr_assert(r->sense == EQUAL ? sum == 0 : sum <= 0,
                  "%s: glp_exact's solution breaks \"%s\"", a->cohort, r->why);
    }
    for (size_t k = 0; k < p->cells->n; k++) {
        struct cell *c = &a->cells[p->cells->v[k]];
        double x = glp_get_col_prim(p->lp, c->column);
        c->seen_lo = fmin(c->seen_lo, x);
        c->seen_hi = fmax(c->seen_hi, x);
    }
}

/* The objective: one count, or (only < 0) every hidden count not yet settled. */
static void set_objective(const struct attack *a, const struct program *p, int only)
{
    for (size_t k = 0; k < p->cells->n; k++) {
        int c = p->cells->v[k];
        const struct cell *cell = &a->cells[c];
        int weight = only >= 0 ? c == only : is_hidden(cell) && !is_settled(a, cell);
        glp_set_obj_coef(p->lp, (int)k + 1, weight);
    }
}

/* Optimises exactly, GLPK's float simplex warm-starting its exact one; records the point.
 * Returns the optimum, or +-INFINITY when unbounded. */
static double solve(struct attack *a, const struct program *p, int direction)
{
    glp_set_obj_dir(p->lp, direction);
    glp_smcp parm;
    glp_init_smcp(&parm);
    parm.msg_lev = GLP_MSG_OFF;
    glp_simplex(p->lp, &parm);
    int err = glp_exact(p->lp, &parm);
    int status = glp_get_status(p->lp);
    a->verdict->programs++;
    cr_assert(err == 0 && (status == GLP_OPT || status == GLP_UNBND),
              "%s: glp_exact failed (%d, status %d)", a->cohort, err, status);
    if (status == GLP_UNBND)
        return direction == GLP_MAX ? INFINITY : -INFINITY;
    record_point(a, p);
    return glp_get_obj_val(p->lp);
}

/* One row of a program: the relation's free counts, and its fixed ones moved to the bound. */
static void load_row(const struct attack *a, const struct program *p, int row,
                     const struct relation *r)
{
    size_t n = r->plus.n + r->minus.n, used = 0;
    int *index = calloc(n + 1, sizeof *index);
    double *coef = calloc(n + 1, sizeof *coef), constant = 0;
    cr_assert(index && coef);
    for (size_t k = 0; k < n; k++) {
        const struct cell *c = &a->cells[k < r->plus.n ? r->plus.v[k] : r->minus.v[k - r->plus.n]];
        double sign = k < r->plus.n ? 1 : -1;
        if (!is_free(c, p->kind)) {
            constant += sign * fixed_value(c, p->kind);
            continue;
        }
        size_t j = 1;
        while (j <= used && index[j] != c->column)
            j++;
        if (j > used) {
            index[++used] = c->column;
            coef[j] = 0;
        }
        coef[j] += sign;
    }
    glp_set_mat_row(p->lp, row, (int)used, index, coef);
    glp_set_row_bnds(p->lp, row, r->sense == EQUAL ? GLP_FX : GLP_UP, -constant, -constant);
    free(index);
    free(coef);
}

static glp_prob *build_program(struct attack *a, const struct program *p)
{
    glp_prob *lp = glp_create_prob();
    glp_add_cols(lp, (int)p->cells->n);
    for (size_t k = 0; k < p->cells->n; k++) {
        struct cell *c = &a->cells[p->cells->v[k]];
        c->column = (int)k + 1;
        if (isinf(c->hi))
            glp_set_col_bnds(lp, c->column, GLP_LO, c->lo, 0);
        else
            glp_set_col_bnds(lp, c->column, GLP_DB, c->lo, c->hi);
    }
    glp_add_rows(lp, (int)p->relations->n);
    struct program loading = *p;
    loading.lp = lp;
    for (size_t k = 0; k < p->relations->n; k++)
        load_row(a, &loading, (int)k + 1, &a->relations[p->relations->v[k]]);
    return lp;
}

/* Judges a hidden count not settled by the points seen, from its exact least and greatest
 * consistent values (rounded in to integers). */
static void judge(struct attack *a, int c, double lo, double hi)
{
    const struct cell *cell = &a->cells[c];
    char name[KEY];
    lo = ceil(lo - 1e-9);
    hi = floor(hi + 1e-9);
    int worked_out = hi - lo < 1, small = !(lo == 0 || hi > a->rule.threshold);
    if (worked_out && cell->truth == 0) {
        a->verdict->pinned_zeros++; /* reveals no small group */
        return;
    }
    if (worked_out || small)
        failure(a, "%s = %g is hidden, but the consistent values are [%g, %g]:%s%s",
                describe(a, c, name, sizeof name), cell->truth, lo, hi,
                worked_out ? " worked out" : "", small ? " known to be 1 to the threshold" : "");
}

/* Counts linked by relations through free counts form one program. */
static void attack_component(struct attack *a, enum shown_counts kind, const struct ints *cells,
                             const struct ints *relations)
{
    if (!relations->n) { /* free counts bound by nothing but their own range */
        for (size_t k = 0; k < cells->n; k++) {
            struct cell *c = &a->cells[cells->v[k]];
            c->seen_lo = fmin(c->seen_lo, c->lo);
            c->seen_hi = fmax(c->seen_hi, c->hi);
        }
        return;
    }
    struct program p = {kind, NULL, cells, relations};
    p.lp = build_program(a, &p);
    /* A sweep first: the unsettled hidden counts as low as they can go together. */
    set_objective(a, &p, -1);
    solve(a, &p, GLP_MIN);
    for (size_t k = 0; k < cells->n; k++) {
        int c = cells->v[k];
        if (!is_hidden(&a->cells[c]) || is_settled(a, &a->cells[c]))
            continue;
        struct cell *cell = &a->cells[c];
        set_objective(a, &p, c);
        /* An end of its range already seen (a hidden 0, say) is its least or greatest value. */
        double lo = cell->seen_lo == cell->lo ? cell->lo : solve(a, &p, GLP_MIN);
        if (is_settled(a, cell))
            continue;
        double hi = cell->seen_hi == cell->hi ? cell->hi : solve(a, &p, GLP_MAX);
        if (!is_settled(a, cell) && kind == AS_PUBLISHED)
            judge(a, c, lo, hi);
    }
    glp_delete_prob(p.lp);
}

/* Splits the counts a program leaves free into independent programs; attacks those that hold
 * an unsettled hidden count. */
static void attack_programs(struct attack *a, enum shown_counts kind)
{
    int *parent = malloc((a->n_cells + 1) * sizeof *parent);
    struct ints *cells = calloc(a->n_cells + 1, sizeof *cells);
    struct ints *relations = calloc(a->n_cells + 1, sizeof *relations);
    cr_assert(parent && cells && relations);
    for (size_t i = 0; i < a->n_cells; i++)
        parent[i] = (int)i;
    int *first = malloc((a->n_relations + 1) * sizeof *first);
    cr_assert_not_null(first);
    for (size_t i = 0; i < a->n_relations; i++) {
        const struct relation *r = &a->relations[i];
        first[i] = -1;
        for (size_t k = 0; k < r->plus.n + r->minus.n; k++) {
            int c = k < r->plus.n ? r->plus.v[k] : r->minus.v[k - r->plus.n];
            if (!is_free(&a->cells[c], kind))
                continue;
            if (first[i] < 0)
                first[i] = c;
            else
                parent[root(parent, c)] = root(parent, first[i]);
        }
    }
    for (size_t i = 0; i < a->n_relations; i++)
        if (first[i] >= 0)
            push(&relations[root(parent, first[i])], (int)i);
    for (size_t i = 0; i < a->n_cells; i++)
        if (is_free(&a->cells[i], kind))
            push(&cells[root(parent, (int)i)], (int)i);
    for (size_t i = 0; i < a->n_cells; i++) {
        int unsettled = 0;
        for (size_t k = 0; k < cells[i].n; k++) {
            const struct cell *c = &a->cells[cells[i].v[k]];
            unsettled |= is_hidden(c) && !is_settled(a, c);
        }
        if (unsettled)
            attack_component(a, kind, &cells[i], &relations[i]);
        free(cells[i].v);
        free(relations[i].v);
    }
    free(first);
    free(relations);
    free(cells);
    free(parent);
}

/* Every hidden count: first seen at its true value, then attacked. */
static void attack_hidden(struct attack *a)
{
    for (size_t i = 0; i < a->n_cells; i++) {
        a->cells[i].seen_lo = a->cells[i].seen_hi = a->cells[i].truth;
        a->verdict->hidden += is_hidden(&a->cells[i]);
    }
    if (a->rule.round_to)
        attack_programs(a, SHOWN_AS_TRUE);
    attack_programs(a, AS_PUBLISHED);
}

/* ======================================================================================== */
/* Figures that are not counts.                                                             */

/* A figure resting on a hidden count of its block is hidden; under rounding, a figure that
 * gives n away is never shown. */
static void check_figures(struct attack *a, const ps_report_t *published)
{
    char name[KEY], key[2 * KEY], category[256];
    for (size_t i = 0; i < ps_report_count(published); i++) {
        const ps_statistic_t *s = ps_report_statistic(published, i);
        if (s->is_count)
            continue;
        a->verdict->figures++;
        const char *base = base_name(s);
        const struct catalogue_row *row = catalogue_row(base);
        if (!row) { /* a name the catalogue does not know: nothing to check it against */
            a->verdict->unknown_figures++;
            continue;
        }
        const char *where = format(name, sizeof name, "%s/%s %s %s %s",
                                   ps_instrument_id(s->instrument), s->unit, s->group,
                                   s->comparison, s->name);
        if (a->rule.round_to && row->reveals_n && s->shown == PS_SHOWN)
            failure(a, "%s is shown under rounding, and gives n away", where);
        const char *param = strchr(base, ':');
        char block[KEY];
        block_key(block, sizeof block, ps_instrument_id(s->instrument), s->unit, s->group,
                  s->comparison, category_of(s, category, sizeof category));
        for (int k = 0; k < 2; k++) {
            if (row->rests_on[k] == PS_STAT_NONE)
                continue;
            const struct catalogue_row *on = &catalogue[row->rests_on[k]];
            int c = on->param != PS_PARAM_NONE && param
                        ? map_get(&a->cell_index,
                                  format(key, sizeof key, "%s\037%s%s", block, on->name, param))
                        : map_get(&a->cell_index,
                                  format(key, sizeof key, "%s\037%s", block, on->name));
            if (c >= 0 && a->cells[c].published->shown == PS_SUPPRESSED &&
                s->shown != PS_SUPPRESSED)
                failure(a, "%s is %s though %s, which it rests on, is hidden", where,
                        s->shown == PS_SHOWN ? "shown" : "not computable", on->name);
        }
    }
}

/* ======================================================================================== */
/* One attack: a published report against the unprotected one.                              */

static void attack_report(const ps_report_t *truth, const ps_report_t *published,
                          ps_disclosure_t rule, const char *cohort,
                          struct verdict *verdict)
{
    struct attack a = {.rule = rule, .cohort = cohort,
                       .verdict = verdict};
    verdict->reports++;
    read_counts(&a, truth, published);
    derive_relations(&a);
    check_relations_hold(&a);
    attack_hidden(&a);
    check_figures(&a, published);
    for (size_t i = 0; i < a.n_relations; i++) {
        free(a.relations[i].plus.v);
        free(a.relations[i].minus.v);
    }
    for (size_t b = 0; b < a.n_blocks; b++)
        free(a.blocks[b].cells.v);
    free(a.relations);
    free(a.blocks);
    free(a.cells);
    map_free(&a.cell_index);
    map_free(&a.block_index);
}

/* ======================================================================================== */
/* Cohorts: the same scores, reported without disclosure control and under two rules.        */

struct trio {
    ps_cohort_t *cohort[3];
    ps_error_t error;
};

static int add_to_trio(const ps_score_t *score, void *user)
{
    struct trio *t = user;
    for (int k = 0; k < 3 && !t->error; k++)
        t->error = ps_cohort_add(t->cohort[k], score);
    return t->error != PS_OK;
}

static ps_context_t *shared_context(void)
{
    static struct capture capture;
    static ps_context_t *context;
    if (!context)
        context = test_context(&capture);
    return context;
}

static void trio_new(struct trio *t, const ps_cohort_options_t *options)
{
    *t = (struct trio){0};
    for (int k = 0; k < 3; k++)
        cr_assert_eq(ps_cohort_new(shared_context(), options, &t->cohort[k]), PS_OK);
}

/* Reports the trio without disclosure control, then under the threshold alone and with
 * rounding to 5, and attacks both. */
static void report_and_attack(struct trio *t, unsigned threshold, const char *cohort,
                              struct verdict *verdict)
{
    const ps_disclosure_t rules[3] = {{0, threshold, 0}, {1, threshold, 0}, {1, threshold, 5}};
    ps_report_t *report[3];
    for (int k = 0; k < 3; k++) {
        cr_assert_eq(ps_cohort_report(t->cohort[k], &rules[k], &report[k]), PS_OK, "%s", cohort);
        ps_cohort_free(t->cohort[k]);
    }
    for (int k = 1; k < 3; k++)
        attack_report(report[0], report[k], rules[k], cohort, verdict);
    for (int k = 0; k < 3; k++)
        ps_report_free(report[k]);
}

/* A scored CSV (text) reported and attacked. */
static void attack_scored(const char *csv, const ps_cohort_options_t *options, unsigned threshold,
                          const char *cohort, struct verdict *verdict)
{
    struct trio t;
    trio_new(&t, options);
    ps_error_t err = ps_scored_read(shared_context(), test_file("scored.csv", csv, -1),
                                    options->by, options->n_by, add_to_trio, &t);
    cr_assert_eq(t.error ? t.error : err, PS_OK, "%s: the scored CSV was refused", cohort);
    report_and_attack(&t, threshold, cohort, verdict);
}

static void summarise(const struct verdict *v)
{
    cr_log_info("%zu reports, %zu counts, %zu hidden attacked with %zu exact programs, "
                "%zu figures checked (%zu not in the catalogue); %zu hidden zeros pinned to 0",
                v->reports, v->counts, v->hidden, v->programs, v->figures, v->unknown_figures,
                v->pinned_zeros);
    if (v->pinned_zeros)
        cr_log_warn("%zu hidden counts of 0 can be worked out to be 0", v->pinned_zeros);
    cr_expect_eq(v->failures, 0, "%zu disclosure failures (the first ones are printed above)",
                 v->failures);
}

/* ======================================================================================== */
/* Random cohorts.                                                                          */

/* splitmix64: small, fixed, the same everywhere. */
static uint64_t next(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static int uniform(uint64_t *state, int lo, int hi)
{
    return lo + (int)(next(state) % (uint64_t)(hi - lo + 1));
}

static int chance(uint64_t *state, int percent)
{
    return uniform(state, 1, 100) <= percent;
}

/* A scale scored at every timepoint a person answers: a level, a trend, some noise. */
struct scale_model {
    const char *instrument, *scale;
    double min, max;
    int precision;
    unsigned answered;
    double centre, spread, trend;
};

static const struct scale_model models[] = {
    /* Bands 14-40, 41-44, 45-70: centred near the cut-offs so that every cell is used. */
    {"wemwbs", "total", 14, 70, 0, 14, 42, 7, 2},
    {"wemwbs", "swemwbs", 7, 35, 2, 7, 21, 4, 1},
    /* better="lower"; bands 0-1, 2-3, 4-5, 6-10. */
    {"ons4", "anxiety", 0, 10, 0, 1, 4, 2.5, -1},
};

#define N_MODELS (sizeof models / sizeof models[0])

struct cohort {
    uint64_t seed;
    size_t n_followups;
    int by_team;
    int scales[N_MODELS];
    int goals;
    unsigned threshold;
};

struct person {
    char id[32], site[16], team[16];
    int at[3]; /* answers at baseline and at each follow-up */
};

static const char *const one_followup[] = {"followup"};
static const char *const two_followups[] = {"month4", "month8"};
static const char *const *timepoint_labels(const struct cohort *c)
{
    return c->n_followups == 1 ? one_followup : two_followups;
}

static const char *timepoint(const struct cohort *c, size_t t)
{
    return t == 0 ? "baseline" : timepoint_labels(c)[t - 1];
}

static void write_score(FILE *f, const struct person *p, const char *timepoint_label,
                        const char *instrument, const char *scale, double score, int precision,
                        unsigned answered)
{
    fprintf(f, "%s,%s,%s,%s,%.*f,,%u,ok,%s,%s\n", p->id, timepoint_label, instrument, scale,
            precision, score, answered, p->site, p->team);
}

/* A value of the scale: level + trend x time + noise, inside its range, at its precision. */
static double model_score(uint64_t *state, const struct scale_model *m, double level,
                          double trend, size_t t)
{
    double noise = (uniform(state, -100, 100) / 100.0) * m->spread / 2;
    double score = fmin(m->max, fmax(m->min, level + trend * (double)t + noise));
    double unit = pow(10, m->precision);
    return round(score * unit) / unit;
}

static void write_scales(FILE *f, uint64_t *state, const struct cohort *c, const struct person *p)
{
    for (size_t s = 0; s < N_MODELS; s++) {
        if (!c->scales[s])
            continue;
        const struct scale_model *m = &models[s];
        double level = m->centre + m->spread * (uniform(state, -100, 100) +
                                                uniform(state, -100, 100)) / 100.0;
        double trend = m->trend + m->spread * uniform(state, -60, 60) / 100.0;
        for (size_t t = 0; t <= c->n_followups; t++)
            if (p->at[t] && chance(state, 95))
                write_score(f, p, timepoint(c, t), m->instrument, m->scale,
                            model_score(state, m, level, trend, t), m->precision, m->answered);
    }
}

/* Up to five goals, each rated 0-10, with an attainment -2..2 and a category 1-6 (often). */
static void write_goals(FILE *f, uint64_t *state, const struct cohort *c, const struct person *p)
{
    int n_goals = uniform(state, 1, 5);
    for (int g = 1; g <= n_goals; g++) {
        int category = chance(state, 85) ? uniform(state, 1, 6) : 0;
        int rating = uniform(state, 0, 6), gain = uniform(state, -2, 4);
        int attainment = uniform(state, -2, 0);
        char scale[32];
        for (size_t t = 0; t <= c->n_followups; t++) {
            if (!p->at[t] || !chance(state, 92))
                continue;
            int at = (int)t;
            write_score(f, p, timepoint(c, t), "goals", format(scale, sizeof scale, "goal%d", g),
                        fmin(10, fmax(0, rating + gain * at)), 0, 1);
            if (chance(state, 85))
                write_score(f, p, timepoint(c, t), "goals",
                            format(scale, sizeof scale, "goal%d_attainment", g),
                            fmin(2, fmax(-2, attainment + at + uniform(state, -1, 1))), 0, 1);
            if (category)
                write_score(f, p, timepoint(c, t), "goals",
                            format(scale, sizeof scale, "goal%d_category", g), category, 0, 1);
        }
    }
}

/* Who answers when: most at baseline, some lost to follow-up, some only at follow-up. */
static void answers_when(uint64_t *state, const struct cohort *c, struct person *p)
{
    p->at[0] = chance(state, 88);
    int any = 0;
    for (size_t t = 1; t <= c->n_followups; t++)
        any |= p->at[t] = chance(state, p->at[0] ? 70 : 60);
    if (!p->at[0] && !any)
        p->at[uniform(state, 1, (int)c->n_followups)] = 1;
}

/* The cohort's design and its scored CSV. */
static char *random_cohort(uint64_t seed, struct cohort *c)
{
    uint64_t state = seed;
    *c = (struct cohort){.seed = seed};
    c->n_followups = chance(&state, 50) ? 1 : 2;
    c->by_team = chance(&state, 40);
    int any = 0;
    static const int percent[N_MODELS] = {70, 35, 45};
    for (size_t s = 0; s < N_MODELS; s++)
        any |= c->scales[s] = chance(&state, percent[s]);
    c->goals = chance(&state, 35) || !any;
    int rule = uniform(&state, 0, 7);
    c->threshold = rule == 0 ? 3 : rule == 1 ? 10 : 7;

    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    cr_assert_not_null(f);
    fputs("participant_id,timepoint,instrument,scale,score,band,answered,status,site,team\n", f);
    int n_sites = uniform(&state, 2, 6), n_teams = uniform(&state, 2, 4);
    for (int site = 1; site <= n_sites; site++) {
        int size_of_site = chance(&state, 30) ? uniform(&state, 20, 60) : uniform(&state, 1, 10);
        for (int k = 1; k <= size_of_site; k++) {
            struct person p = {0};
            snprintf(p.id, sizeof p.id, "S%dP%d", site, k);
            snprintf(p.site, sizeof p.site, "site%d", site);
            snprintf(p.team, sizeof p.team, "team%d", uniform(&state, 1, n_teams));
            answers_when(&state, c, &p);
            write_scales(f, &state, c, &p);
            if (c->goals)
                write_goals(f, &state, c, &p);
        }
    }
    cr_assert_eq(fclose(f), 0);
    return text;
}

static void attack_random_cohort(uint64_t seed, struct verdict *verdict)
{
    struct cohort c;
    char *csv = random_cohort(seed, &c);
    static const char *const site_and_team[] = {"site", "team"};
    ps_cohort_options_t options = {.size = sizeof options, .timepoints = timepoint_labels(&c),
                                   .n_timepoints = c.n_followups,
                                   .by = site_and_team,
                                   .n_by = c.by_team ? 2 : 1};
    char name[64];
    snprintf(name, sizeof name, "cohort seed 0x%llx", (unsigned long long)seed);
    attack_scored(csv, &options, c.threshold, name, verdict);
    free(csv);
}

#define COHORTS 160
#define BATCHES 8

ParameterizedTestParameters(disclosure, random_cohorts)
{
    static int batches[BATCHES];
    for (int i = 0; i < BATCHES; i++)
        batches[i] = i;
    return cr_make_param_array(int, batches, BATCHES);
}

/* 160 random cohorts in 8 batches. PROMSCORE_DISCLOSURE_SEED attacks one cohort alone. */
ParameterizedTest(int *batch, disclosure, random_cohorts)
{
    struct verdict verdict = {0};
    const char *only = getenv("PROMSCORE_DISCLOSURE_SEED");
    if (only) {
        if (*batch == 0)
            attack_random_cohort(strtoull(only, NULL, 0), &verdict);
    } else {
        for (int k = *batch; k < COHORTS; k += BATCHES)
            attack_random_cohort(0x5eed0000u + (uint64_t)k, &verdict);
    }
    summarise(&verdict);
}

/* ======================================================================================== */
/* Reports that once leaked.                                                                */

static char *example(const char *name)
{
    const char *dir = getenv("PROMSCORE_EXAMPLES");
    cr_assert_not_null(dir, "PROMSCORE_EXAMPLES is set by make check");
    char *path;
    cr_assert_geq(asprintf(&path, "%s/%s", dir, name), 0);
    return path;
}

/* Raw batches scored with 'site' kept, reported by site at threshold 7, and attacked. */
static void attack_batches(const char *instrument, const char *const *files, size_t n_files,
                           const char *cohort, struct verdict *verdict)
{
    static const char *const site[] = {"site"};
    ps_cohort_options_t options = {.size = sizeof options, .by = site, .n_by = 1};
    struct trio t;
    trio_new(&t, &options);
    ps_score_options_t scoring = {.size = sizeof scoring, .instruments = instrument ? &instrument : NULL,
                                  .n_instruments = instrument ? 1 : 0,
                                  .keep = site,
                                  .n_keep = 1};
    ps_score_handlers_t handlers = {.score = add_to_trio, .user = &t};
    ps_scorer_t *scorer;
    cr_assert_eq(ps_scorer_new(shared_context(), &scoring, &handlers, &scorer), PS_OK);
    for (size_t i = 0; i < n_files; i++)
        cr_assert_eq(ps_scorer_score_file(scorer, example(files[i])), PS_OK, "%s", files[i]);
    ps_scorer_free(scorer);
    cr_assert_eq(t.error, PS_OK);
    /* Every row of the examples names its site. */
    report_and_attack(&t, 7, cohort, verdict);
}

/* Once: n_followup_band:possible hidden in a site, but n_paired minus the other two bands. */
Test(disclosure, demo_wemwbs_by_site)
{
    struct verdict verdict = {0};
    attack_batches(NULL, (const char *const[]){"baseline.csv", "followup.csv"}, 2,
                   "the demo (baseline.csv, followup.csv) by site", &verdict);
    summarise(&verdict);
}

/* Once: the goal pool's n_unchanged of Cotgrave was all minus the two other sites. */
Test(disclosure, goals_example_by_site)
{
    struct verdict verdict = {0};
    attack_batches("goals", (const char *const[]){"goals.csv"}, 1, "goals.csv by site",
                   &verdict);
    summarise(&verdict);
}

/* Once: 24 people in sites of 20, 1 and 3; n_moved_up_from:probable came out as 14 - 11 = 3. */
Test(disclosure, wemwbs_sites_of_20_1_and_3)
{
    /* Baseline -> follow-up, by band (probable <= 40, possible 41-44, above >= 45): 11 stay
     * probable, 2 move to possible and 1 above; 10 start above, 8 stay, 2 fall to possible. */
    static const int moves[][3] = {
        /* count, baseline, follow-up */
        {11, 35, 37}, {2, 38, 43}, {1, 39, 48}, {8, 50, 52}, {2, 47, 42},
    };
    static const char *const sites[24] = {
        "A", "A", "A", "A", "A", "A", "A", "A", "A", "A", "B", "C", "A", "A",
        "A", "A", "A", "A", "A", "A", "A", "A", "C", "C"};
    char *csv = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&csv, &size);
    fputs("participant_id,timepoint,instrument,scale,score,band,answered,status,site\n", f);
    int person = 0;
    for (size_t m = 0; m < sizeof moves / sizeof moves[0]; m++)
        for (int k = 0; k < moves[m][0]; k++, person++) {
            fprintf(f, "W%02d,baseline,wemwbs,total,%d,,14,ok,%s\n", person, moves[m][1],
                    sites[person]);
            fprintf(f, "W%02d,followup,wemwbs,total,%d,,14,ok,%s\n", person, moves[m][2],
                    sites[person]);
        }
    cr_assert_eq(fclose(f), 0);
    cr_assert_eq(person, 24);
    static const char *const site[] = {"site"};
    ps_cohort_options_t options = {.size = sizeof options, .by = site, .n_by = 1};
    struct verdict verdict = {0};
    attack_scored(csv, &options, 7, "WEMWBS, sites of 20, 1 and 3", &verdict);
    summarise(&verdict);
    free(csv);
}
