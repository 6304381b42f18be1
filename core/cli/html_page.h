/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What promscore's HTML pages share (report -f html, service -f html): one
 * self-contained page with a strict Content-Security-Policy (no script,
 * nothing fetched), its style inline with the print rules for A4, text from
 * data escaped and isolated, the NOT FOR RELEASE warning of a page whose small
 * numbers are shown, every chart with its title, its description and its
 * numbers in a table beside it, the disclosure audit as one total of hidden
 * counts, and how the page was made. Each page writes its own sections
 * between html_page_begin and html_page_end.
 */
#ifndef PROMSCORE_HTML_PAGE_H
#define PROMSCORE_HTML_PAGE_H

#include <promscore/promscore.h>
#include <stddef.h>

#include "output.h"
#include "report_writers.h"
#include "svg.h"

/*
 * The page's head (its policy, style and title: "NOT FOR RELEASE: " before 'title' when
 * 'warning' is given), then <body>, <header> and the warning. The caller writes the rest of the
 * header, then <main> and its sections.
 */
void html_page_begin(svg_t *s, const char *title, const char *warning);

/* Closes <main> and the page, and writes it to 'out' (out->error ENOMEM when memory ran out);
 * frees the text. */
void html_page_end(svg_t *s, output_t *out);

/* The warning of a page whose small numbers are not suppressed (nothing when NULL): at the top
 * of the page, and of each section that starts a printed page. */
void html_warning(svg_t *s, const char *warning);

/* Text from data (a group's value, a window, a file's name) isolated in <bdi>, so that a name
 * in a right-to-left script cannot reorder the text around it. */
void html_data_text(svg_t *s, const char *text);

/* A group of a report ("site=Dalston", "all") as a page names it: "site: Dalston", "Whole
 * cohort"; as text (for a chart's label, title or description), and in HTML with the value
 * from data isolated (html_data_text). */
void html_group_label(const char *group, char *to, size_t size);
void html_group_text(svg_t *s, const char *group);

/* A statistic as the headline formats it (headline_figure): as text, and in a table cell
 * (class "num", and "hidden" when disclosure control hid it). */
void html_figure_text(svg_t *s, const ps_statistic_t *statistic);
void html_figure_cell(svg_t *s, const ps_statistic_t *statistic);

/*
 * A chart: <div class="chart"> (kept on one printed page), its heading when 'heading' is not
 * NULL, and the <svg> with its title and description ('*charts' numbers the page's charts, for
 * their ids). After svg_end, the chart's numbers go in html_table_begin ... html_table_end,
 * then html_chart_end.
 */
void html_chart_begin(svg_t *s, unsigned *charts, const char *heading, double width, double height,
                      const char *title, const char *desc);
void html_chart_end(svg_t *s);

/* A table: its caption (escaped) and column headings (NULL-ended, escaped), then <tbody>.
 * 'long_table' lets it break between rows on a printed page. */
void html_table_begin(svg_t *s, int long_table, const char *caption, const char *const *columns);
void html_table_end(svg_t *s);

/*
 * The disclosure control section: the rule in words and the audit, one total of hidden counts
 * (how many were small and how many hidden beside them would tell the reader more than the rule
 * does); 'block_figures' adds the blocks whose means and medians were hidden with their band
 * counts.
 */
void html_disclosure(svg_t *s, const char *rule, const ps_audit_t *audit, int block_figures);

/* How the page was made: promscore's version, the command line (as a POSIX shell reads it,
 * each file by its base name) and the inputs, never how many rows they held. */
void html_made(svg_t *s, const report_made_t *made);

#endif
