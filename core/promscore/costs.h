/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * promscore: costs of service use, notional cost avoidance and return on
 * investment.
 *
 * Unit costs come from a file the user supplies (CSV, or XML checked against
 * schemas/unit-costs.xsd): per measure its value, unit, price year, source and
 * licence; none are compiled in. Costs of different price years are uprated to
 * one year with a named price index read from a file with its source. The
 * figures are statistics of the catalogue (promscore/statistics.h, costs)
 * added to a service-use report after its disclosure audit, hidden whenever an
 * event count they rest on is. See docs/costs.md.
 *
 * Included after <promscore/service.h>.
 */
#ifndef PROMSCORE_COSTS_H
#define PROMSCORE_COSTS_H

#include <stddef.h>
#include <stdint.h>
#include <promscore/promscore.h>
#include <promscore/service.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ps_service_costs ps_service_costs_t;

/**
 * Reads unit costs: XML (a file whose first non-blank byte is '<', validated
 * against unit-costs.xsd in the context's schema directory) or CSV with the
 * columns measure,value,unit,price_year,source,licence (any order, named as
 * batch headers are) and optionally note. A value must be a number from 0
 * to 1e9; a price year reads "2022/23" (a financial year) or "2023"; a
 * measure may be costed once. Anything else refuses the file with
 * PS_ERROR_DEFINITION and a diagnostic naming file, line and column.
 */
ps_error_t ps_service_costs_read(ps_context_t *context, const char *file,
                                 ps_service_costs_t **costs);
void ps_service_costs_free(ps_service_costs_t *costs);

/**
 * Reads a price index into 'costs': lines "index,NAME" and "source,TEXT"
 * (and optionally "licence,TEXT" and "note,TEXT"), then a header "year,level"
 * or "year,percent_change" (each year's change from the one before; the
 * first year's empty, a rise without a leading +), then one row per year in time order,
 * all financial or all calendar years, consecutive for changes (levels may skip years),
 * no level above 1e9.
 * The name, source and licence are each given once. Refused with
 * PS_ERROR_DEFINITION and file, line and column on anything else.
 */
ps_error_t ps_service_costs_read_index(ps_service_costs_t *costs, const char *file);

/** How costs are reported. Initialise with ps_service_costs_options_init. */
typedef struct ps_service_costs_options {
    size_t size;
    /** The price year every cost is shown at; NULL: that of the costs used (of measures
     * with a count read) when they share one, else the latest of them, or without any the
     * WELLBY's (uprating needs an index). */
    const char *price_year;
    /** What the programme cost over programme_days (0: not given: no return on
     * investment). */
    double programme_cost;
    /** The days programme_cost covers (0: 365); a return on investment is given for each
     * comparison whose after window is this long. */
    unsigned programme_days;
    /** Without a comparison cohort: 1 gives notional cost avoidance and a return on
     * investment against no change, each stamped "naive"; 0 gives neither. */
    int no_counterfactual;
    /** The bootstrap: R's set.seed(seed) with RNGkind("Marsaglia-Multicarry", sample.kind =
     * "Rounding") (0 is a seed like any other), and its replicates (0: 1999). */
    uint32_t seed;
    unsigned replicates;
    /** A scenario beyond the time observed (0 years: none): a year's notional cost avoidance
     * continued for scenario_years years in all, falling by scenario_drop_off (0 to 1) of
     * itself each year; given, labelled a scenario, only for an after window of 365 days. */
    unsigned scenario_years;
    double scenario_drop_off;
    /** Where not NULL, set by ps_service_costs_apply: the unit costs file's rows read and
     * those used (rows_scored: the costs of measures with a count read; the others are named
     * in a diagnostic of error PS_OK), to which ps_service_costs_wellbeing adds the wellby row
     * and the exchange rate it uses; and the price index's years read and those the chains
     * rest on (the ends of each, or for percentage changes every year between them). */
    ps_batch_summary_t *unit_costs_summary;
    ps_batch_summary_t *price_index_summary;
} ps_service_costs_options_t;

/** Zeroes 'options' (the defaults) and sets its size: call it with
 * sizeof(ps_service_costs_options_t). */
void ps_service_costs_options_init(ps_service_costs_options_t *options, size_t size);

/**
 * Adds the cost figures of the catalogue to 'report', computed from 'cohort'
 * (the one the report was made from) under the same 'disclosure': per measure
 * costed and comparison from the before window to a later one, a block of the
 * people referred; then, per comparison, a block with unit "total" over the
 * measures costed. The counterfactual of a comparison cohort (or the naive one) and
 * the gross fall are built from rates over summed person-time, as the report's rate
 * ratio is: each follows from the report's events and person-years, and no
 * person's count is weighted apart (docs/costs.md). Refused with
 * PS_ERROR_DEFINITION (file, line, column) for
 * a cost of a measure the cohort's definition does not have, and with
 * PS_ERROR_USAGE for costs of different price years (or a price_year not
 * theirs) with no index, or a year the index does not have.
 */
ps_error_t ps_service_costs_apply(const ps_service_costs_t *costs,
                                  const ps_service_costs_options_t *options,
                                  const ps_service_cohort_t *cohort,
                                  const ps_disclosure_t *disclosure,
                                  ps_service_report_t *report);

/** The price index's name and source, or NULL when none was read. */
const char *ps_service_costs_index(const ps_service_costs_t *costs, const char **source);

/**
 * Reads who completed the programme, for figures of the completers alone beside (never
 * instead of) everyone's: a CSV with a header naming the cohort's id column (as batch headers
 * are matched), then one completer a row. A column whose name contains "complet", "status"
 * or "flag" (any case) must say yes on every row, else the file is refused (PS_ERROR_BATCH,
 * file, line, column); other columns are named in a diagnostic of error PS_OK and not read.
 * Call it after every count of 'cohort' was read. A row is refused, with its reason, when it is malformed, has no
 * id, names someone not among the people referred (in the comparison cohort, or not read at
 * all) or someone listed already. No header refuses the file (PS_ERROR_BATCH). *summary
 * counts rows read, used (rows_scored) and refused; it may be NULL.
 *
 * With a list read, ps_service_costs_apply adds the completers_* figures of the catalogue,
 * each noted "completers only (N of M referred): not intention to treat".
 */
ps_error_t ps_service_costs_read_completed(ps_service_costs_t *costs,
                                           const ps_service_cohort_t *cohort, const char *file,
                                           const ps_service_handlers_t *handlers,
                                           ps_batch_summary_t *summary);

/**
 * Adds the wellbeing value of the catalogue (wellbeing_*, wellbys, value_per_wellby) to
 * 'report', with unit "wellbeing", for the comparison from the cohort's before window to the
 * first window after it: from a scored CSV written by `promscore score` ('scored_file'),
 * each person's paired change in ONS4 life satisfaction from timepoint 'baseline' (NULL:
 * "baseline") to 'followup' (NULL: the file's only other timepoint), its mean with R's
 * t.test interval, and WELLBYs = the sum of the changes times the years of that window (its
 * days / 365.25; nothing extrapolated), valued at the costs file's "wellby" row uprated to
 * the report's price year. A file without ONS4 life satisfaction scores may give WEMWBS
 * (total) or SWEMWBS (metric) scores, through an exchange rate the costs file declares
 * (wemwbs_to_life_satisfaction, swemwbs_to_life_satisfaction): a benefit transfer, noted so;
 * without it they are refused (PS_ERROR_USAGE), as is a rate under which the scale's whole
 * range (from its loaded definition) would be more points than life satisfaction's 0 to 10,
 * and a costs file without a "wellby" row. A
 * score of someone not among the people referred (in the comparison cohort, or not read at
 * all), and a second score of a person at a timepoint (the first is kept), are refused with
 * their reasons.
 * Never added to any cost figure. All but value_per_wellby are hidden when the people paired
 * are 1 to the disclosure threshold. *summary (may be NULL) counts the file's rows read,
 * those of the scale used (rows_scored) and those refused.
 */
ps_error_t ps_service_costs_wellbeing(const ps_service_costs_t *costs,
                                      const ps_service_costs_options_t *options,
                                      const ps_service_cohort_t *cohort,
                                      const char *scored_file, const char *baseline,
                                      const char *followup,
                                      const ps_service_handlers_t *handlers,
                                      const ps_disclosure_t *disclosure,
                                      ps_service_report_t *report, ps_batch_summary_t *summary);

#ifdef __cplusplus
}
#endif

#endif
