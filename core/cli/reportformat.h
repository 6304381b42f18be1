/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What the reports of the command line (promscore report, promscore service)
 * write alike, declared once: the JSON of figures, relations and the audit,
 * figures as the text reports show them, the warning on a report that leaves
 * small numbers shown, and the disclosure options' numbers. Their CSV is the
 * library's report format (<promscore/formats.h>), written by output.h's
 * csv_report_header and csv_report_row; a service-use report fills its
 * instrument column with its measures' definition. Private to the command
 * line.
 */
#ifndef PROMSCORE_CLI_REPORTFORMAT_H
#define PROMSCORE_CLI_REPORTFORMAT_H

#include <stddef.h>
#include <promscore/promscore.h>

#include "output.h"

/* --threshold and --round: a whole number from 0 to 1000000. Returns 0, or -1. */
int report_parse_unsigned(const char *text, unsigned *value);

/*
 * Refuses, naming 'command', disclosure options that cannot work together: --round without
 * disclosure control (--no-suppress), and a rounding base under which a count shown (above
 * the threshold) would round to 0 (a count of 8 shown as 0 beside its rate ratio): the base
 * may be at most twice the threshold plus 2. Returns 0, or -1.
 */
int report_check_disclosure(const char *command, const ps_disclosure_t *disclosure);

/* A warning for the top of a report whose disclosure control leaves small numbers shown;
 * NULL when it hides them. */
const char *report_not_for_release(const ps_disclosure_t *disclosure);

/* JSON: a string, escaped; a string or null; a number, or null when it is not finite (see
 * json_number_text), returning 1 for a number. */
void json_string(output_t *out, const char *text);
void json_or_null(output_t *out, const char *text);
int json_number(output_t *out, double value, int whole);

/* The "audit" member's object (without its name): what disclosure control did. */
void report_json_audit(output_t *out, const ps_audit_t *audit);
/* Entry 'index' of "results": {"index": ..., "instrument": ..., ..., "note": ...}, with
 * 'instrument' as for report_csv_row. A figure that is still not finite is written as not
 * computable, never as inf or nan. */
void report_json_result(output_t *out, size_t index, const char *instrument,
                        const ps_statistic_t *statistic);
/* Entry 'index' of "relations": lo <= sum of coefficient * statistic <= hi, null for a side
 * without bound. */
void report_json_relation(output_t *out, size_t index, const ps_relation_t *relation);

/* A figure as text; returned by value, it lives until the end of the statement using it. */
struct figure_text {
    char s[48];
};

/* A figure as the catalogue formats it: "*" when suppressed, "n/a" when not computable, "-"
 * for none (NULL). */
struct figure_text format_figure(const ps_statistic_t *statistic);

#endif
