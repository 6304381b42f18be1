/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Costs of service use: what costs.c needs of the service-use report.
 * Private to libpromscore.
 */
#ifndef PROMSCORE_COSTS_INTERNAL_H
#define PROMSCORE_COSTS_INTERNAL_H

#include <promscore/costs.h>

/*
 * Appends statistic 'id' to the report, after its audit, about 'unit', 'group' and
 * 'comparison' (pointers that outlive the report: the report's own or its arena's), with
 * value NaN and not computable; returns it, or NULL when out of memory (servicereport.c).
 */
ps_statistic_t *ps_su_report_append(ps_service_report_t *report, ps_statistic_id_t id,
                                    const char *unit, const char *group, const char *comparison);
/* A copy of 'text' that lives as long as the report, or NULL when out of memory. */
const char *ps_su_report_keep(ps_service_report_t *report, const char *text);

/*
 * Figures appended to a service-use report after its audit, about 'unit' in 'comparison'
 * (costs.c, wellbeing.c): each hidden when 'hidden' is set (constants, about no one, apart),
 * not computable with its reason, withheld under rounding with the note 'withheld' when the
 * catalogue says it would give the exact n, or shown as disclosure control publishes it.
 * 'failed' is set when memory runs out.
 */
struct ps_su_emit {
    ps_service_report_t *report;
    const ps_disclosure_t *disclosure;
    const char *unit, *comparison;
    const char *withheld;
    int hidden, failed;
};
ps_statistic_t *ps_su_emit(struct ps_su_emit *e, ps_statistic_id_t id, double value,
                           const char *reason, const char *note);
/* ps_su_report_keep of the text formatted as by printf, setting *failed when out of memory. */
const char *ps_su_keep(ps_service_report_t *report, int *failed, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * The value of the costs file's row 'measure' ("wellby", or an exchange rate such as
 * "wemwbs_to_life_satisfaction") at the report's price year, uprated as the measures' costs
 * are, with its chain in words and that year: *value NaN and *chain NULL when the file has no
 * such row (costs.c).
 */
ps_error_t ps_costs_value_of(const ps_service_costs_t *costs,
                             const ps_service_costs_options_t *options,
                             ps_service_report_t *report, const char *measure, double *value,
                             const char **chain, const char **year);

#endif
