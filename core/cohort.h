/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A cohort's scores, as the report reads them. Private. */
#ifndef PROMSCORE_COHORT_H
#define PROMSCORE_COHORT_H

#include <stdint.h>

#include "internal.h"
#include "names.h"

#define NO_GROUP UINT32_MAX

/* One scale's scores at one timepoint, indexed by participant; NaN when absent or not ok. */
struct ps_column {
    double *values;
    uint8_t *seen;      /* a score of any status was given (for duplicates) */
    size_t size;
};

struct ps_scale_scores {
    const struct ps_scale *scale;
    size_t order;                   /* instrument index * 1000 + scale index, for sorting */
    struct ps_column *columns;      /* per timepoint number */
    size_t n_columns;
};

struct ps_cohort {
    ps_context_t *context;
    ps_names_t *timepoints;         /* number 0 is the baseline; matched in any case */
    int fixed_order;                /* timepoints were listed: no others allowed */
    char **by;
    size_t n_by;
    ps_names_t *participants;
    ps_names_t **group_values;      /* per by column */
    uint32_t *groups;               /* [participant * n_by + column], NO_GROUP when unknown */
    uint8_t *groups_from_baseline;  /* per participant */
    size_t participants_size;
    struct ps_scale_scores *scales;
    size_t n_scales;
    ps_names_t *files;              /* the scores came from, for messages */
    uint32_t last_file;
};

/*
 * Refuses a cohort whose report would be empty (PS_ERROR_BATCH): one with no
 * score at the baseline, with a diagnostic naming the timepoints it has and
 * the files they came from; and one with scores at the baseline alone and no
 * other timepoint listed.
 */
ps_error_t ps_cohort_check(const ps_cohort_t *cohort);

#endif
