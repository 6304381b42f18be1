/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Disclosure control of a report's counts, audited the way an attacker would
 * try to undo it. Private to libpromscore.
 *
 * The table is a set of counts ("cells") and linear relations between them
 * that anyone knows from the report's definition and its published figures
 * (total = sum of parts; a mean between its bands' bounds), some through
 * counts never published ("latent": what a total has beyond its listed parts).
 * Counts of 1..threshold are hidden (primary suppression); then, for every
 * hidden count, an attacker's linear program finds the least and greatest
 * values consistent with what the reader knows: the published counts (each
 * standing for every value that rounds to it), the relations, non-negativity,
 * and the rule itself: zeros are published, so a count hidden as small lies
 * within 1..threshold. A hidden count is exposed when that range is a single
 * value (unless it is 0); a latent count, when it lies within 1..threshold.
 * Then the cheapest counts whose change could move it by a whole count (a
 * latent one: to 0 or above the threshold) are hidden too (a protection
 * pattern, itself a linear program), and the audit runs again until nothing
 * is exposed. Hiding more only widens every range, so a count found safe
 * stays safe. A count that no pattern can move, even with every count around
 * it hidden (7 pairs in seven sites: each site has one), is counted as pinned; so is a
 * latent count that stays within 1..threshold whatever is hidden (in a site of five, those
 * paired at both of two follow-ups, when every count around them is small).
 *
 * Two things a reader learns beyond the counts' values are closed too: a
 * hidden count that is the only non-zero part of its total says that everyone
 * in the total is in it, so the zeros beside it are hidden (one can stay
 * known where a bigger group's published 0 says the same of everyone: no one
 * in the cohort was lost); and where the
 * parts are groups of people whose figures (means, SDs) are published beside
 * their counts, the total's figures less the shown groups' describe the hidden
 * groups together, so that remainder must not be 1..threshold people.
 */
#ifndef PROMSCORE_DISCLOSURE_H
#define PROMSCORE_DISCLOSURE_H

#include <stddef.h>

#include <promscore/promscore.h>

/* A linear relation between counts known to anyone: lo <= sum of coef[k] * cells[k] <= hi
 * (lo == hi for an equality; -INFINITY or INFINITY for one side only). A relation that comes
 * from published figures (a mean lies between its bands' bounds) holds while they are shown:
 * 'figures' is a cell standing for them (SIZE_MAX for a relation of the definition), shown
 * while it and the count 'rests_on' are not hidden; hiding it, at its cost, is one way to
 * protect a count. */
struct ps_sdc_relation {
    const size_t *cells;
    const double *coef;
    size_t n;
    double lo, hi;
    size_t figures, rests_on;
    /* 1 for total = sum of parts whose parts are disjoint groups of people (or units) with
     * figures published beside their counts: the figures add up as the counts do. */
    int adds_figures;
};

/* What a cell of the table is. */
enum ps_sdc_cell {
    PS_SDC_NOT_A_COUNT = 0,  /* ignored */
    PS_SDC_COUNT,            /* published, or hidden by disclosure control */
    PS_SDC_LATENT,           /* a count never published (what a total has beyond its listed
                              * parts): never determined as such, but never to be confined to
                              * 1..threshold either */
    PS_SDC_LATENT_TOTAL      /* a total never published over 1..threshold people (their
                              * events): never to be determined at all, whatever its size */
};

struct ps_sdc_table {
    size_t n_cells;
    const double *value;     /* true counts */
    const unsigned char *kind; /* enum ps_sdc_cell per cell */
    /* What hiding each count costs the reader, or NULL for its value: of the counts that
     * would protect, the cheapest is hidden. */
    const double *cost;
    const struct ps_sdc_relation *relations;
    size_t n_relations;
};

/* hidden[i] of a count no pattern can protect, counted as pinned: a hidden count pinned to
 * one value, or a latent count confined to 1..threshold, whatever else is hidden. */
#define PS_SDC_PINNED 2

/*
 * Sets hidden[i] for every cell to hide under 'rule' (threshold and
 * round_to), counts and the figures cells of relations alike (PS_SDC_PINNED
 * for those pinned), counting what it did in 'audit'. Returns 0, or -1 when out of
 * memory or the solver failed (nothing may be published then).
 */
int ps_sdc_protect(const struct ps_sdc_table *table, const ps_disclosure_t *rule,
                   unsigned char *hidden, ps_audit_t *audit);

/* The value a published count is shown as under 'rule': rounded to round_to. */
double ps_sdc_published(double value, const ps_disclosure_t *rule);

/* What an attacker knows a published count of true value 'value' may be: [*lo, *hi]. */
void ps_sdc_published_range(double value, const ps_disclosure_t *rule, double *lo, double *hi);

/* A figure (a mean, a ratio) as published under rounding: to one decimal fewer than the
 * catalogue gives it ('decimals'), none when that is below 0, so that its digits do not give
 * the exact count behind it; 'value' itself without rounding. */
double ps_sdc_figure_published(double value, int decimals, const ps_disclosure_t *rule);

#endif
