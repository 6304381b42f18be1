/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * promscore report's writers beyond the full text, CSV and JSON: the headline
 * table (in plain text, and as the summary CSV) and the HTML page. Each reads
 * the report's blocks (ps_report_blocks) as disclosure control left them:
 * nothing is recomputed. When memory runs out a writer sets out->error to
 * ENOMEM, so that committing the output fails and nothing is put in place.
 */
#ifndef PROMSCORE_REPORT_WRITERS_H
#define PROMSCORE_REPORT_WRITERS_H

#include <stddef.h>
#include <promscore/promscore.h>

#include "output.h"

/* A headline figure as text: "*" hidden by disclosure control, "-" none or not computable;
 * counts whole, shares as percentages with one decimal, other figures to the catalogue's
 * decimals. */
typedef struct headline_text {
    char s[96];
} headline_text_t;

headline_text_t headline_figure(const ps_statistic_t *statistic);

/* Whether block k is a row of the headline table: the whole cohort, the unit's last
 * comparison (each person's last follow-up when there are two or more), not a check scale. */
int headline_row(const ps_report_block_t *blocks, size_t n, size_t k);

/* The comparison in words: "baseline to followup", "baseline to each person's last
 * follow-up". */
void comparison_words(const char *comparison, char *to, size_t size);

/* The headline table in plain text, for the top of the text report. */
void report_write_headline(output_t *out, const ps_report_t *report);

/* The reliable-change rule of block 'b' in words, as its constants give it (empty when
 * there is none): "more than 7.45 points (Jacobson-Truax)", "6.00 points or more (from
 * the definition)". */
void reliable_rule_words(const ps_report_t *report, const ps_report_block_t *b, char *to,
                         size_t size);

/* The summary CSV (<promscore/formats.h>, format "summary"). */
void report_write_summary(output_t *out, const ps_report_t *report);

/* How the page was made. Files are named by their base names only: the folders they are in may
 * name a person or a project, and a board paper is no place for them. */
typedef struct report_made {
    int argc;
    char **argv;                 /* the command line in the order given, files by base name */
    const char *const *inputs;   /* the inputs' base names */
    size_t n_inputs;
    const char *warning;         /* "NOT FOR RELEASE: ..." for the top of the page, or NULL */
} report_made_t;

/* The self-contained HTML page. */
void report_write_html(output_t *out, const ps_report_t *report, ps_context_t *context,
                       const report_made_t *made);

#endif
