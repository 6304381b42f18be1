/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The relations between a report's counts, declared once beside the
 * statistic catalogue (promscore/statistics.h). The report expands each rule
 * over its blocks, bands, members, categories, groups and comparisons;
 * disclosure control audits against exactly what is expanded; JSON lists it;
 * promscore-statistics(7) documents it. Private to libpromscore.
 */
#ifndef PROMSCORE_CATALOGUE_H
#define PROMSCORE_CATALOGUE_H

#include <stddef.h>

#include <promscore/statistics.h>

/* How a rule's total and parts are found. */
enum ps_shape {
    PS_SHAPE_SUM,            /* within a block: total = parts */
    PS_SHAPE_BAND_ROWS,      /* total:A = sum over B of transition:A->B */
    PS_SHAPE_BAND_COLUMNS,   /* total:B = sum over A of transition:A->B */
    PS_SHAPE_BAND_BETTER,    /* total = transitions to a better band */
    PS_SHAPE_BAND_SAME,      /* total = transitions within a band */
    PS_SHAPE_BAND_WORSE,     /* total = transitions to a worse band */
    PS_SHAPE_BETTER_FROM,    /* total:A = sum over B better than A of transition:A->B */
    PS_SHAPE_OVER_BANDS,     /* total = sum over A of part:A */
    PS_SHAPE_OVER_MEMBERS,   /* a pool's total = sum over its members of part:MEMBER */
    PS_SHAPE_OVER_CATEGORIES,/* every pool count >= the sum of the same count per category */
    PS_SHAPE_OVER_GROUPS,    /* every count of the whole cohort = the sum over one column's groups */
    PS_SHAPE_SAME_BASELINE,  /* n_baseline is one count in every comparison */
    PS_SHAPE_END_COVERS,     /* each person's last follow-up: at least as many as any one */
    PS_SHAPE_LAST_COVERS,    /* baseline->end's paired: the last follow-up's and those whose
                              * last follow-up is earlier */
    PS_SHAPE_EXTRA_PAIRINGS, /* a count summed over the follow-ups: baseline->end's plus the
                              * extra pairings of people paired at more than one */
    PS_SHAPE_SAME_PEOPLE,    /* scales of one instrument whose people are the same, or within
                              * another's */
    PS_SHAPE_BANDS_OF,       /* a scale scored as the band of another: its figures and band
                              * counts go with the other's band counts */
    PS_SHAPE_NESTED,         /* the stricter of meaningful and reliable change within the other */
    PS_SHAPE_BAND_CHANGE,    /* individual change between what the transitions allow */
    PS_SHAPE_FIGURE_BOUNDS,  /* published means and medians against the bands' bounds */
    PS_SHAPE_SOME_USE,       /* service use: total >= parts[0] - parts[1] (one event or more
                              * for each person with some use) */
    PS_SHAPE_SELECTED,       /* service use: total >= the rule's least * (parts[0] - parts[1]) */
    PS_SHAPE_SHARED_WINDOW,  /* service use: a count of one window in two comparisons = those
                              * in both + each one's own */
    PS_SHAPE_SHARED_PEOPLE   /* service use: n_people of two measures in one comparison = those
                              * paired in both + each one's own */
};

/* When a relation has a count that is never published (total >= sum of parts). */
enum ps_slack {
    PS_EXACT,
    PS_SLACK,                /* always */
    PS_SLACK_UNBANDED,       /* when the scale's bands leave part of its range uncovered */
    PS_BOUND                 /* total >= sum of parts, what it has beyond them no group of its
                              * own (service use: the people with some use before who did not
                              * fall are n_stayed + n_rose less n_none_before, all published
                              * or hidden already): a bound, not a latent count */
};

struct ps_relation_rule {
    enum ps_shape shape;
    ps_statistic_id_t total; /* PS_STAT_NONE: every count the shape applies to */
    ps_statistic_id_t parts[3];
    size_t n_parts;
    enum ps_slack slack;
    const char *text;        /* as promscore-statistics(7) writes it */
    /* 1 when the parts are disjoint groups of people (or units) making up the total: the
     * figures resting on a count (means, SDs) add up over them as the count does */
    int figures_add_up;
};

extern const struct ps_relation_rule ps_relation_rules[];
extern const size_t ps_n_relation_rules;

/* The rule of 'shape' (the first, when several have it), or NULL. */
const struct ps_relation_rule *ps_relation_rule_of(enum ps_shape shape);

/* Whether figures of the catalogue (kind FIGURE) rest on count 'id': a mean, an SD. */
int ps_statistic_bears_figures(ps_statistic_id_t id);

#endif
