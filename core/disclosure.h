/*
 * Disclosure control of a report's counts, audited the way an attacker would
 * try to undo it. Private to libpromscore.
 *
 * The table is a set of counts ("cells") and additive relations between them
 * that anyone knows from the report's definition (total = sum of parts,
 * optionally plus a count never published). Counts of 1..threshold are hidden
 * (primary suppression); then, for every hidden count, an attacker's linear
 * program finds the least and greatest values consistent with the published
 * counts (each standing for every value that rounds to it), the relations and
 * non-negativity. A hidden count is exposed when that range is a single value
 * (unless it is 0) or lies within 1..threshold; then one more count in a
 * relation with it is hidden, the cheapest that protects it, and the
 * audit runs again until nothing is exposed. Hiding more only widens every
 * range, so a count found safe stays safe.
 */
#ifndef PROMSCORE_DISCLOSURE_H
#define PROMSCORE_DISCLOSURE_H

#include <stddef.h>

#include <promscore/promscore.h>

struct ps_sdc_relation {
    size_t total;            /* a cell */
    const size_t *parts;     /* cells */
    size_t n_parts;
    int slack;               /* plus a non-negative count never published */
};

struct ps_sdc_table {
    size_t n_cells;
    const double *value;     /* true counts */
    const unsigned char *is_cell; /* 0: not a count (ignored) */
    /* What hiding each count costs the reader, or NULL for its value: of the counts that
     * would protect, the cheapest is hidden. */
    const double *cost;
    const struct ps_sdc_relation *relations;
    size_t n_relations;
};

/*
 * Sets hidden[i] for every cell to hide under 'rule' (threshold and
 * round_to), counting what it did in 'audit'. Returns 0, or -1 when out of
 * memory or the solver failed (nothing may be published then).
 */
int ps_sdc_protect(const struct ps_sdc_table *table, const ps_disclosure_t *rule,
                   unsigned char *hidden, ps_audit_t *audit);

/* The value a published count is shown as under 'rule': rounded to round_to. */
double ps_sdc_published(double value, const ps_disclosure_t *rule);

#endif
