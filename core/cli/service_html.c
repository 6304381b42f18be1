/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * promscore service -f html: one self-contained page for a board paper, in the
 * style of the questionnaire report's (html_page.h: its policy, style, print
 * rules, warning, disclosure audit and how it was made).
 *
 * The selection rule and what regression to the mean means for the figures
 * come first, then a headline table, then a section per measure (a printed
 * page each): per comparison of windows, its table, a chart of the rates
 * before and after with the rate ratio, and with a comparison cohort a small
 * forest of the rate ratios (with empirical Bayes, observed over expected beside
 * them), each chart with its numbers in a table beside it; with --by, each
 * group beside the whole cohort, in a table and a forest; the earlier window's
 * comparison last. The costs section reads what its figures rest on (naive,
 * attributable, empirical Bayes) from the notes the report gives them; the
 * completers' figures (--completed) follow everyone's in a table of their own,
 * and the wellbeing value (--wellbeing) follows the costs in its own, never
 * added to them. Every number is a statistic of the report as disclosure
 * control left it, formatted as the headline formats it;
 * every text from data (windows, labels, file names) is escaped.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "html_page.h"
#include "service_html.h"

/* One block of the report: a measure, a comparison of two windows, a cohort. */
struct block {
    size_t start, end;
    const char *unit, *group, *comparison;
};

struct page {
    svg_t s;
    const ps_service_report_t *report;
    const service_setting_t *set;
    struct block *blocks;
    size_t n;
    unsigned charts;
    size_t costs_from; /* the first cost statistic (--unit-costs), or the report's count */
};

static const ps_statistic_t *statistic(const struct page *p, size_t i)
{
    return ps_service_report_statistic(p->report, i);
}

static const ps_statistic_t *find(const struct page *p, const struct block *b, ps_statistic_id_t id)
{
    for (size_t i = b ? b->start : 0; b && i < b->end; i++)
        if (statistic(p, i)->id == id)
            return statistic(p, i);
    return NULL;
}

static int shown(const ps_statistic_t *st)
{
    return st && st->shown == PS_SHOWN && isfinite(st->value);
}

/* Costs come after the service-use statistics (core/costs.c appends them): money, not use. */
static int is_cost(const ps_statistic_t *st)
{
    return st->id >= PS_STAT_CO_UNIT_COST;
}

/* Statistics from..to of the report in blocks of one measure, comparison and cohort; returns
 * how many. */
static size_t group_blocks(const struct page *p, size_t from, size_t to, struct block *blocks)
{
    size_t n = 0;
    for (size_t i = from; i < to;) {
        const ps_statistic_t *st = statistic(p, i);
        struct block b = {i, i, st->unit, st->group, st->comparison};
        while (b.end < to && strcmp(statistic(p, b.end)->unit, st->unit) == 0 &&
               strcmp(statistic(p, b.end)->group, st->group) == 0 &&
               strcmp(statistic(p, b.end)->comparison, st->comparison) == 0)
            b.end++;
        blocks[n++] = b;
        i = b.end;
    }
    return n;
}

/* The report's statistics of service use in blocks; the costs after them apart. */
static int read_blocks(struct page *p)
{
    size_t count = ps_service_report_count(p->report);
    for (size_t i = 0; i < count; i++)
        if (is_cost(statistic(p, i))) {
            count = i;
            break;
        }
    p->costs_from = count;
    p->blocks = calloc(count ? count : 1, sizeof *p->blocks);
    if (!p->blocks)
        return -1;
    p->n = group_blocks(p, 0, count, p->blocks);
    return 0;
}

/* The block of the comparison cohort beside block 'k' of the people referred, or NULL. */
static const struct block *comparison_of(const struct page *p, size_t k)
{
    for (size_t j = 0; j < p->n; j++)
        if (strcmp(p->blocks[j].group, "comparison") == 0 &&
            strcmp(p->blocks[j].unit, p->blocks[k].unit) == 0 &&
            strcmp(p->blocks[j].comparison, p->blocks[k].comparison) == 0)
            return &p->blocks[j];
    return NULL;
}

static int referred(const struct block *b)
{
    return strcmp(b->group, "all") == 0;
}

/* Whether block k is the first of its measure. */
static int first_of_measure(const struct page *p, size_t k)
{
    return k == 0 || strcmp(p->blocks[k - 1].unit, p->blocks[k].unit) != 0;
}

/* The comparison's windows: "pre12" and "post12" of "pre12->post12". */
static void windows_of(const char *comparison, char *first, char *second, size_t size)
{
    const char *arrow = strstr(comparison, "->");
    snprintf(first, size, "%.*s", arrow ? (int)(arrow - comparison) : 0, comparison);
    snprintf(second, size, "%s", arrow ? arrow + 2 : comparison);
}

/* Whether the comparison runs from the before window to a later one (else it compares an
 * earlier window with the before window). */
static int from_before(const struct page *p, const char *comparison)
{
    char w0[128], w1[128];
    windows_of(comparison, w0, w1, sizeof w0);
    return strcmp(w0, p->set->before) == 0;
}

/* The measure's label and unit ("A&E attendances", "attendances"). */
static void measure_words(const struct page *p, const char *unit, const char **label,
                          const char **what)
{
    *label = unit;
    *what = unit;
    size_t m = ps_service_measure_find(p->set->definition, unit);
    if (m != SIZE_MAX)
        ps_service_measure(p->set->definition, m, NULL, label, what, NULL, NULL);
}

/* "0.48 (0.37 to 0.63)": a ratio with its interval when both are shown, else as it is. */
static void ratio_words(const ps_statistic_t *ratio, const ps_statistic_t *lo,
                        const ps_statistic_t *hi, char *to, size_t size)
{
    if (shown(ratio) && lo && (shown(lo) || lo->shown == PS_SUPPRESSED))
        snprintf(to, size, "%s (%s to %s)", headline_figure(ratio).s, headline_figure(lo).s,
                 headline_figure(hi).s);
    else
        snprintf(to, size, "%s", headline_figure(ratio).s);
}

static void ratio_cell(struct page *p, const ps_statistic_t *ratio, const ps_statistic_t *lo,
                       const ps_statistic_t *hi)
{
    char text[320];
    ratio_words(ratio, lo, hi, text, sizeof text);
    svg_raw(&p->s, strcmp(text, "*") == 0 ? "<td class=\"num hidden\">" : "<td class=\"num\">");
    svg_text(&p->s, text);
    svg_raw(&p->s, "</td>");
}

/* A count with its share beside it: "54 (84.4%)". */
static void count_share_cell(struct page *p, const ps_statistic_t *count,
                             const ps_statistic_t *share)
{
    headline_text_t n = headline_figure(count), s = headline_figure(share);
    svg_raw(&p->s, strcmp(n.s, "*") == 0 ? "<td class=\"num hidden\">" : "<td class=\"num\">");
    svg_text(&p->s, n.s);
    if (share && strcmp(n.s, "-") != 0 && strcmp(n.s, "*") != 0) {
        svg_raw(&p->s, " (");
        svg_text(&p->s, s.s);
        svg_raw(&p->s, ")");
    }
    svg_raw(&p->s, "</td>");
}

/* The selection rule, as every table gives it. */
static void selection_words(const struct page *p, char *to, size_t size)
{
    if (p->set->selected)
        snprintf(to, size, "selected: %s", p->set->selected);
    else
        snprintf(to, size, "selection rule not given (--selected)");
}

/* ---- At the top: who was selected and what to expect; the headline. ---- */

static void write_selection(struct page *p)
{
    svg_raw(&p->s, "<section id=\"selection\">\n<h2>Selected for high use: what to expect</h2>\n"
                   "<p class=\"lead\"><b>");
    if (p->set->selected) {
        svg_raw(&p->s, "Selection rule: ");
        html_data_text(&p->s, p->set->selected);
    } else {
        svg_raw(&p->s, "Selection rule: not given (--selected)");
    }
    svg_raw(&p->s, "</b></p>\n<p>Windows: ");
    for (size_t w = 0; w < p->set->n_windows; w++) {
        svg_raw(&p->s, w ? ", " : "");
        html_data_text(&p->s, p->set->windows[w].name);
        svg_rawf(&p->s, " (%u days)", p->set->windows[w].days);
    }
    svg_raw(&p->s, "; each compared with ");
    html_data_text(&p->s, p->set->before);
    svg_raw(&p->s, ", around each participant's index date (referral).</p>\n"
                   "<h3>Regression to the mean</h3>\n<p class=\"regression\">");
    svg_text(&p->s, p->set->regression);
    svg_raw(&p->s, "</p>\n</section>\n");
}

/* The events after over those expected without intervention ("188 / 188.1"), and their ratio
 * with its interval; empty cells for a block without empirical Bayes. */
static void expected_cells(struct page *p, const struct block *b)
{
    const ps_statistic_t *expected = find(p, b, PS_STAT_SU_EB_EXPECTED_AFTER);
    if (!expected) {
        svg_raw(&p->s, "<td></td><td></td>");
        return;
    }
    headline_text_t after = headline_figure(find(p, b, PS_STAT_SU_EVENTS_AFTER)),
                    over = headline_figure(expected);
    svg_raw(&p->s, strcmp(over.s, "*") == 0 ? "<td class=\"num hidden\">" : "<td class=\"num\">");
    svg_text(&p->s, after.s);
    svg_raw(&p->s, " / ");
    svg_text(&p->s, over.s);
    svg_raw(&p->s, "</td>");
    ratio_cell(p, find(p, b, PS_STAT_SU_EB_INDEX), find(p, b, PS_STAT_SU_EB_INDEX_CI_LOW),
               find(p, b, PS_STAT_SU_EB_INDEX_CI_HIGH));
}

static void write_headline(struct page *p)
{
    char caption[512], rule[384];
    selection_words(p, rule, sizeof rule);
    snprintf(caption, sizeof caption, "The people referred, each window compared with %s (%s)",
             p->set->before, rule);
    svg_raw(&p->s, "<section id=\"headline\">\n<h2>Headline</h2>\n");
    /* With empirical Bayes, the events expected without intervention and observed over
     * expected. */
    int eb = 0;
    for (size_t k = 0; k < p->n; k++)
        eb |= referred(&p->blocks[k]) && from_before(p, p->blocks[k].comparison) &&
              find(p, &p->blocks[k], PS_STAT_SU_EB_INDEX);
    const char *with[10] = {"Measure", "Windows", "People", "Rate before", "Rate after",
                            "Rate ratio (95% CI)"};
    size_t n_with = 6;
    if (p->set->has_comparison)
        with[n_with++] = "Net of the comparison cohort (95% CI)";
    if (eb) {
        with[n_with++] = "Events after / expected without intervention (empirical Bayes)";
        with[n_with++] = "Observed over expected (95% CI)";
    }
    with[n_with] = NULL;
    html_table_begin(&p->s, 0, caption, with);
    for (size_t k = 0; k < p->n; k++) {
        const struct block *b = &p->blocks[k];
        if (!referred(b) || !from_before(p, b->comparison))
            continue;
        const char *label, *what;
        measure_words(p, b->unit, &label, &what);
        svg_raw(&p->s, "<tr><th scope=\"row\">");
        svg_text(&p->s, label);
        char w0[128], w1[128];
        windows_of(b->comparison, w0, w1, sizeof w0);
        svg_raw(&p->s, "</th><td>");
        html_data_text(&p->s, w0);
        svg_raw(&p->s, " to ");
        html_data_text(&p->s, w1);
        svg_raw(&p->s, "</td>");
        html_figure_cell(&p->s, find(p, b, PS_STAT_SU_N_PEOPLE));
        html_figure_cell(&p->s, find(p, b, PS_STAT_SU_RATE_BEFORE));
        html_figure_cell(&p->s, find(p, b, PS_STAT_SU_RATE_AFTER));
        ratio_cell(p, find(p, b, PS_STAT_SU_RATE_RATIO), find(p, b, PS_STAT_SU_RATE_RATIO_CI_LOW),
                   find(p, b, PS_STAT_SU_RATE_RATIO_CI_HIGH));
        if (p->set->has_comparison)
            ratio_cell(p, find(p, b, PS_STAT_SU_NET_RATE_RATIO),
                       find(p, b, PS_STAT_SU_NET_RATE_RATIO_CI_LOW),
                       find(p, b, PS_STAT_SU_NET_RATE_RATIO_CI_HIGH));
        if (eb)
            expected_cells(p, b);
        svg_raw(&p->s, "</tr>\n");
    }
    html_table_end(&p->s);
    svg_raw(&p->s, "<p class=\"key\">Rates are events per person-year, counting only the time "
                   "each person was observed. A rate ratio below one is a fall. ");
    svg_raw(&p->s, p->set->has_comparison
                       ? "The net rate ratio divides out the comparison cohort's fall: near one, "
                         "the people referred fell no more than people selected the same way "
                         "who were not referred. "
                   : eb ? "Observed over expected divides the events after by those expected "
                          "without any intervention by empirical Bayes, from the population "
                          "given: near one, the fall is what regression to the mean explains. "
                       : "Without a comparison cohort a fall cannot be put down to the "
                         "service. ");
    svg_raw(&p->s, "* hidden by disclosure control; - not computable.</p>\n</section>\n");
}

/* ---- Per measure and comparison: the table. ---- */

/* The method of the rate ratio and its interval, in words, under every table. */
static const char method[] =
    "Rate ratio: the within-person rate ratio, a ratio of sums over the same people (Poisson's "
    "estimate with log person-time offset); its 95% confidence interval is cluster-robust "
    "(the sandwich variance over people, with Student's t). Fell, stayed and rose compare each "
    "person's own rate per person-year. * hidden by disclosure control; - not computable (why "
    "is below the table).";

static const char eb_method[] =
    "Empirical Bayes (Hauer): each person's count expected after without intervention, "
    "from their count in the selection rule's window shrunk towards the mean of the population "
    "given (--population, a negative binomial); the index is the events observed over those "
    "expected: near one, the fall is what regression to the mean explains. ";

static const char net_method[] =
    "Net of the comparison cohort: the rate ratio of the people referred over the comparison "
    "cohort's (difference in differences on the log scale). ";

static void row_head(struct page *p, const char *words, const char *window)
{
    svg_raw(&p->s, "<tr><th scope=\"row\">");
    svg_text(&p->s, words);
    if (window) {
        svg_raw(&p->s, " ");
        html_data_text(&p->s, window);
    }
    svg_raw(&p->s, "</th>");
}

/* A row of one statistic, for the people referred and the comparison cohort. */
static void stat_row(struct page *p, const struct block *const *cohorts, size_t n,
                     const char *words, const char *window, ps_statistic_id_t id)
{
    row_head(p, words, window);
    for (size_t c = 0; c < n; c++)
        html_figure_cell(&p->s, find(p, cohorts[c], id));
    svg_raw(&p->s, "</tr>\n");
}

static void write_table(struct page *p, const struct block *const *cohorts, size_t n,
                        const char *title, const char *what)
{
    char w0[128], w1[128];
    windows_of(cohorts[0]->comparison, w0, w1, sizeof w0);
    const char *columns[] = {"", "People referred", n > 1 ? "Comparison cohort" : NULL, NULL};
    html_table_begin(&p->s, 0, title, columns);
    char words[256];
    stat_row(p, cohorts, n, "People with counts and time observed in both windows", NULL,
             PS_STAT_SU_N_PEOPLE);
    snprintf(words, sizeof words, "Not compared: a count in %s and none in", w0);
    stat_row(p, cohorts, n, words, w1, PS_STAT_SU_N_UNPAIRED);
    for (int after = 0; after < 2; after++) {
        const char *window = after ? w1 : w0;
        snprintf(words, sizeof words, "Total %s in", what);
        stat_row(p, cohorts, n, words, window,
                 after ? PS_STAT_SU_EVENTS_AFTER : PS_STAT_SU_EVENTS_BEFORE);
        stat_row(p, cohorts, n, "Person-years observed in", window,
                 after ? PS_STAT_SU_PERSON_YEARS_AFTER : PS_STAT_SU_PERSON_YEARS_BEFORE);
        stat_row(p, cohorts, n, "Rate per person-year in", window,
                 after ? PS_STAT_SU_RATE_AFTER : PS_STAT_SU_RATE_BEFORE);
    }
    stat_row(p, cohorts, n, "Change in the total", NULL, PS_STAT_SU_EVENTS_CHANGE);
    row_head(p, "Rate ratio (95% CI)", NULL);
    for (size_t c = 0; c < n; c++)
        ratio_cell(p, find(p, cohorts[c], PS_STAT_SU_RATE_RATIO),
                   find(p, cohorts[c], PS_STAT_SU_RATE_RATIO_CI_LOW),
                   find(p, cohorts[c], PS_STAT_SU_RATE_RATIO_CI_HIGH));
    svg_raw(&p->s, "</tr>\n");
    if (find(p, cohorts[0], PS_STAT_SU_NET_RATE_RATIO)) {
        row_head(p, "Net of the comparison cohort (95% CI)", NULL);
        ratio_cell(p, find(p, cohorts[0], PS_STAT_SU_NET_RATE_RATIO),
                   find(p, cohorts[0], PS_STAT_SU_NET_RATE_RATIO_CI_LOW),
                   find(p, cohorts[0], PS_STAT_SU_NET_RATE_RATIO_CI_HIGH));
        for (size_t c = 1; c < n; c++)
            svg_raw(&p->s, "<td></td>");
        svg_raw(&p->s, "</tr>\n");
    }
    row_head(p, "Use fell (share)", NULL);
    for (size_t c = 0; c < n; c++)
        count_share_cell(p, find(p, cohorts[c], PS_STAT_SU_N_FELL),
                         find(p, cohorts[c], PS_STAT_SU_SHARE_FELL));
    svg_raw(&p->s, "</tr>\n");
    stat_row(p, cohorts, n, "Use stayed the same", NULL, PS_STAT_SU_N_STAYED);
    stat_row(p, cohorts, n, "Use rose", NULL, PS_STAT_SU_N_ROSE);
    stat_row(p, cohorts, n, "None in", w0, PS_STAT_SU_N_NONE_BEFORE);
    row_head(p, "None in", w1);
    for (size_t c = 0; c < n; c++)
        count_share_cell(p, find(p, cohorts[c], PS_STAT_SU_N_NONE_AFTER),
                         find(p, cohorts[c], PS_STAT_SU_SHARE_NONE_AFTER));
    svg_raw(&p->s, "</tr>\n");
    if (find(p, cohorts[0], PS_STAT_SU_N_OUTSIDE_RULE))
        stat_row(p, cohorts, n, "Not meeting the selection rule in", w0, PS_STAT_SU_N_OUTSIDE_RULE);
    if (find(p, cohorts[0], PS_STAT_SU_EB_INDEX)) {
        stat_row(p, cohorts, n, "Empirical Bayes: population's mean count in", w0,
                 PS_STAT_SU_EB_POPULATION_MEAN);
        stat_row(p, cohorts, n, "Empirical Bayes: population's shape (negative binomial)", NULL,
                 PS_STAT_SU_EB_POPULATION_SHAPE);
        snprintf(words, sizeof words, "Total %s expected without intervention in", what);
        stat_row(p, cohorts, n, words, w1, PS_STAT_SU_EB_EXPECTED_AFTER);
        row_head(p, "Observed over expected: empirical-Bayes index (95% CI)", NULL);
        for (size_t c = 0; c < n; c++)
            ratio_cell(p, find(p, cohorts[c], PS_STAT_SU_EB_INDEX),
                       find(p, cohorts[c], PS_STAT_SU_EB_INDEX_CI_LOW),
                       find(p, cohorts[c], PS_STAT_SU_EB_INDEX_CI_HIGH));
        svg_raw(&p->s, "</tr>\n");
    }
    html_table_end(&p->s);
}

/* One line of the list below a table, the list opened before its first ('listed'): "WHO, NAME
 * not computable: WHY", or "WHO, NAME: WHY" for what a figure rests on or why it was withheld
 * ('who' NULL: the figure's name alone). */
static void write_note(struct page *p, int *listed, const char *who, const ps_statistic_t *st,
                       const char *why)
{
    svg_raw(&p->s, *listed ? "<li>" : "<ul class=\"key\">\n<li>");
    if (who) {
        svg_text(&p->s, who);
        svg_raw(&p->s, ", ");
    }
    svg_text(&p->s, st->name);
    svg_raw(&p->s, st->shown == PS_NOT_COMPUTABLE ? " not computable: " : ": ");
    svg_text(&p->s, why);
    svg_raw(&p->s, "</li>\n");
    *listed = 1;
}

/* What is not computable, and why; the notes the statistics carry (the selection rule's aside:
 * every caption gives it). */
static void write_notes(struct page *p, const struct block *const *cohorts, size_t n)
{
    int listed = 0;
    for (size_t c = 0; c < n; c++)
        for (size_t i = cohorts[c]->start; i < cohorts[c]->end; i++) {
            const ps_statistic_t *st = statistic(p, i);
            const char *why = st->shown == PS_NOT_COMPUTABLE ? st->reason
                              : st->shown == PS_SHOWN && st->id != PS_STAT_SU_SELECTED_AT_LEAST
                                  ? st->note
                                  : NULL;
            if (!why)
                continue;
            write_note(p, &listed, c ? "Comparison cohort" : "People referred", st, why);
        }
    if (listed)
        svg_raw(&p->s, "</ul>\n");
}

/* ---- The rates before and after, with the rate ratio. ---- */

static const char *cohort_name(size_t c)
{
    return c ? "Comparison cohort" : "People referred";
}

static void write_rates(struct page *p, const struct block *const *cohorts, size_t n,
                        const char *label, const char *rule)
{
    char w0[128], w1[128];
    windows_of(cohorts[0]->comparison, w0, w1, sizeof w0);
    double most = 0;
    for (size_t c = 0; c < n; c++)
        for (int after = 0; after < 2; after++) {
            const ps_statistic_t *r =
                find(p, cohorts[c], after ? PS_STAT_SU_RATE_AFTER : PS_STAT_SU_RATE_BEFORE);
            if (shown(r))
                most = fmax(most, r->value);
        }
    double ticks[16], step;
    size_t n_ticks = svg_ticks(0, most > 0 ? most : 1, 6, ticks, &step);
    double top_tick = fmax(ticks[n_ticks - 1], most);
    const double width = 640, left = 130, right = 440, bar = 18, group_h = 2 * (bar + 4) + 18;
    const double height = 24 + group_h * (double)n + 36;
    svg_scale_t x = {0, top_tick, left, right};
    char title[1024], desc[2048], ratio[320];
    snprintf(title, sizeof title, "Rates before and after: %s, %s to %s (%s)", label, w0, w1, rule);
    int used = snprintf(desc, sizeof desc,
                        "Events per person-year in %s and in %s, with the "
                        "rate ratio and its 95%% confidence interval",
                        w0, w1);
    for (size_t c = 0; c < n && used > 0 && (size_t)used < sizeof desc; c++) {
        const struct block *b = cohorts[c];
        ratio_words(find(p, b, PS_STAT_SU_RATE_RATIO), find(p, b, PS_STAT_SU_RATE_RATIO_CI_LOW),
                    find(p, b, PS_STAT_SU_RATE_RATIO_CI_HIGH), ratio, sizeof ratio);
        used += snprintf(desc + used, sizeof desc - (size_t)used,
                         "; %s: %s in %s, %s in %s, rate ratio %s", cohort_name(c),
                         headline_figure(find(p, b, PS_STAT_SU_RATE_BEFORE)).s, w0,
                         headline_figure(find(p, b, PS_STAT_SU_RATE_AFTER)).s, w1, ratio);
    }
    html_chart_begin(&p->s, &p->charts, "Rates before and after", width, height, title, desc);
    const double bottom = 24 + group_h * (double)n;
    for (size_t t = 0; t < n_ticks; t++) {
        double tx = svg_map(&x, ticks[t]);
        svg_line(&p->s, tx, 16, tx, bottom, ticks[t] == 0 ? "zero" : "grid");
        char tick[32];
        snprintf(tick, sizeof tick, "%g", ticks[t]);
        svg_label(&p->s, tx, bottom + 14, "middle", "small", tick);
    }
    svg_label(&p->s, (left + right) / 2, bottom + 30, "middle", "small", "events per person-year");
    svg_label(&p->s, right + 70, 14, "start", "small", "rate ratio (95% CI)");
    for (size_t c = 0; c < n; c++) {
        const struct block *b = cohorts[c];
        double y = 24 + group_h * (double)c;
        svg_label(&p->s, 4, y + 12, "start", NULL, cohort_name(c));
        for (int after = 0; after < 2; after++) {
            const ps_statistic_t *r =
                find(p, b, after ? PS_STAT_SU_RATE_AFTER : PS_STAT_SU_RATE_BEFORE);
            double by = y + 16 + after * (bar + 4);
            svg_label_fit(&p->s, left - 6, by + 13, "end", "small", after ? w1 : w0, 9);
            if (shown(r)) {
                double w = svg_map(&x, r->value) - left;
                svg_rect(&p->s, left, by, w, bar, after ? "bar" : "bar-same");
                svg_label(&p->s, left + w + 4, by + 13, "start", NULL, headline_figure(r).s);
            } else {
                svg_rect(&p->s, left, by, 40, bar, "hidden");
                svg_label(&p->s, left + 44, by + 13, "start", "small",
                          r && r->shown == PS_SUPPRESSED ? "hidden" : "-");
            }
        }
        ratio_words(find(p, b, PS_STAT_SU_RATE_RATIO), find(p, b, PS_STAT_SU_RATE_RATIO_CI_LOW),
                    find(p, b, PS_STAT_SU_RATE_RATIO_CI_HIGH), ratio, sizeof ratio);
        svg_label(&p->s, right + 70, y + 16 + bar + 6, "start", NULL, ratio);
    }
    svg_end(&p->s);
    char rate0[160], rate1[160];
    snprintf(rate0, sizeof rate0, "Rate in %s", w0);
    snprintf(rate1, sizeof rate1, "Rate in %s", w1);
    const char *columns[] = {"Cohort", rate0, rate1, "Rate ratio", "95% CI from", "to", NULL};
    html_table_begin(&p->s, 0, title, columns);
    for (size_t c = 0; c < n; c++) {
        row_head(p, cohort_name(c), NULL);
        html_figure_cell(&p->s, find(p, cohorts[c], PS_STAT_SU_RATE_BEFORE));
        html_figure_cell(&p->s, find(p, cohorts[c], PS_STAT_SU_RATE_AFTER));
        html_figure_cell(&p->s, find(p, cohorts[c], PS_STAT_SU_RATE_RATIO));
        html_figure_cell(&p->s, find(p, cohorts[c], PS_STAT_SU_RATE_RATIO_CI_LOW));
        html_figure_cell(&p->s, find(p, cohorts[c], PS_STAT_SU_RATE_RATIO_CI_HIGH));
        svg_raw(&p->s, "</tr>\n");
    }
    html_table_end(&p->s);
    html_chart_end(&p->s);
}

/* ---- Rate ratios on a log scale: of both cohorts, the net, empirical Bayes's; by group. ---- */

/* One row of a forest of ratios: its name, its point's class, the ratio and its interval; and
 * the group it stands for ("site=North", "all"), or NULL. */
struct ratio_row {
    const char *name, *klass;
    const ps_statistic_t *ratio, *low, *high;
    const char *group;
};

/* A group's label in a chart: cut with an ellipsis to fit the labels' column (the whole name is
 * in the table, the chart's description and the label's title). */
static const double forest_label_ems = 15;

/*
 * A forest of ratios with their intervals on a log axis from the figures shown, always holding
 * 1 (no change): a hidden or not computable ratio is a fixed placeholder ("hidden", "-") that
 * tells nothing of its size. Then the chart's numbers in a table ('what' heads the names).
 */
static void ratio_forest(struct page *p, const char *heading, const char *title,
                         const char *const *columns, const struct ratio_row *rows, size_t n)
{
    double lo = 1, hi = 1;
    for (size_t r = 0; r < n; r++) {
        const ps_statistic_t *three[] = {rows[r].ratio, rows[r].low, rows[r].high};
        for (int k = 0; k < 3; k++)
            if (shown(three[k]) && three[k]->value > 0) {
                lo = fmin(lo, three[k]->value);
                hi = fmax(hi, three[k]->value);
            }
    }
    static const double steps[] = {0.05, 0.1, 0.2, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10, 20};
    const size_t n_steps = sizeof steps / sizeof steps[0];
    size_t first = 0, last = n_steps - 1;
    while (first + 1 < n_steps && steps[first + 1] <= lo)
        first++;
    while (last > 0 && steps[last - 1] >= hi)
        last--;
    const double width = 640, left = 200, right = 440, row_h = 26;
    const double height = 30 + row_h * (double)n + 36, bottom = 30 + row_h * (double)n;
    svg_scale_t x = {log(fmin(steps[first], lo)), log(fmax(steps[last], hi)), left, right};
    char *desc = NULL, words[320];
    size_t size = 0;
    FILE *f = open_memstream(&desc, &size);
    if (!f) {
        p->s.failed = 1;
        return;
    }
    fputs("Ratios with their 95% confidence intervals on a log scale, one meaning no change", f);
    for (size_t r = 0; r < n; r++) {
        ratio_words(rows[r].ratio, rows[r].low, rows[r].high, words, sizeof words);
        fprintf(f, "; %s: %s", rows[r].name, words);
    }
    if (fclose(f) != 0 || !desc) {
        free(desc);
        p->s.failed = 1;
        return;
    }
    html_chart_begin(&p->s, &p->charts, heading, width, height, title, desc);
    free(desc);
    for (size_t t = first; t <= last; t++) {
        double tx = svg_map(&x, log(steps[t]));
        svg_line(&p->s, tx, 24, tx, bottom, steps[t] == 1 ? "zero" : "grid");
        char tick[32];
        snprintf(tick, sizeof tick, "%g", steps[t]);
        svg_label(&p->s, tx, bottom + 14, "middle", "small", tick);
    }
    svg_label(&p->s, (left + right) / 2, bottom + 30, "middle", "small",
              "rate ratio, with its 95% confidence interval (log scale)");
    svg_label(&p->s, right + 12, 18, "start", "small", "ratio (95% CI)");
    for (size_t r = 0; r < n; r++) {
        double y = 30 + row_h * (double)r + row_h / 2;
        if (rows[r].group)
            svg_label_fit(&p->s, 8, y + 4, "start", NULL, rows[r].name, forest_label_ems);
        else
            svg_label(&p->s, 8, y + 4, "start", NULL, rows[r].name);
        const ps_statistic_t *m = rows[r].ratio, *l = rows[r].low, *h = rows[r].high;
        if (!shown(m) || m->value <= 0) {
            svg_label(&p->s, right + 12, y + 4, "start", "small",
                      m && m->shown == PS_SUPPRESSED ? "hidden" : "-");
            continue;
        }
        if (shown(l) && shown(h) && l->value > 0)
            svg_line(&p->s, svg_map(&x, log(l->value)), y, svg_map(&x, log(h->value)), y, "ci");
        double mx = svg_map(&x, log(m->value));
        svg_rect(&p->s, mx - 4, y - 4, 8, 8, rows[r].klass);
        ratio_words(m, l, h, words, sizeof words);
        svg_label(&p->s, right + 12, y + 4, "start", NULL, words);
    }
    svg_end(&p->s);
    html_table_begin(&p->s, n > 30, title, columns);
    for (size_t r = 0; r < n; r++) {
        if (rows[r].group) {
            svg_raw(&p->s, "<tr><th scope=\"row\">");
            html_group_text(&p->s, rows[r].group);
            svg_raw(&p->s, "</th>");
        } else {
            row_head(p, rows[r].name, NULL);
        }
        html_figure_cell(&p->s, rows[r].ratio);
        html_figure_cell(&p->s, rows[r].low);
        html_figure_cell(&p->s, rows[r].high);
        svg_raw(&p->s, "</tr>\n");
    }
    html_table_end(&p->s);
    html_chart_end(&p->s);
}

/* The rate ratios of both cohorts and the net; and the empirical-Bayes index, observed over
 * expected: what the fall is set against. */
static void write_forest(struct page *p, const struct block *const *cohorts, size_t n,
                         const char *label, const char *rule)
{
    const struct block *b = cohorts[0];
    const int net = n > 1 && find(p, b, PS_STAT_SU_NET_RATE_RATIO),
              eb = find(p, b, PS_STAT_SU_EB_INDEX) != NULL;
    if (!net && !eb)
        return;
    struct ratio_row rows[4];
    size_t k = 0;
    rows[k++] = (struct ratio_row){"People referred", "point", find(p, b, PS_STAT_SU_RATE_RATIO),
                                   find(p, b, PS_STAT_SU_RATE_RATIO_CI_LOW),
                                   find(p, b, PS_STAT_SU_RATE_RATIO_CI_HIGH), NULL};
    if (n > 1)
        rows[k++] = (struct ratio_row){"Comparison cohort", "point",
                                       find(p, cohorts[1], PS_STAT_SU_RATE_RATIO),
                                       find(p, cohorts[1], PS_STAT_SU_RATE_RATIO_CI_LOW),
                                       find(p, cohorts[1], PS_STAT_SU_RATE_RATIO_CI_HIGH), NULL};
    if (net)
        rows[k++] = (struct ratio_row){"Net: referred over comparison", "point-all",
                                       find(p, b, PS_STAT_SU_NET_RATE_RATIO),
                                       find(p, b, PS_STAT_SU_NET_RATE_RATIO_CI_LOW),
                                       find(p, b, PS_STAT_SU_NET_RATE_RATIO_CI_HIGH), NULL};
    if (eb)
        rows[k++] = (struct ratio_row){"Observed over expected (EB)", "point-all",
                                       find(p, b, PS_STAT_SU_EB_INDEX),
                                       find(p, b, PS_STAT_SU_EB_INDEX_CI_LOW),
                                       find(p, b, PS_STAT_SU_EB_INDEX_CI_HIGH), NULL};
    char title[1024], w0[128], w1[128];
    windows_of(b->comparison, w0, w1, sizeof w0);
    snprintf(title, sizeof title, "Rate ratios, %s to %s, %s%s%s: %s (%s)", w0, w1,
             net ? "and net of the comparison cohort" : "", net && eb ? ", " : "",
             eb ? "and observed over expected without intervention (empirical Bayes)" : "",
             label, rule);
    ratio_forest(p,
                 net ? "Rate ratios: is the fall more than the comparison's?"
                     : "Rate ratios: is the fall more than regression to the mean explains?",
                 title, (const char *const[]){"", "Ratio", "95% CI from", "to", NULL}, rows, k);
}

/* ---- By group (--by): each group's figures beside the whole cohort's. ---- */

/* Whether block 'g' is a group of the people referred beside block 'b' (same measure and
 * comparison, "site=North"). */
static int group_of(const struct block *g, const struct block *b)
{
    return strcmp(g->unit, b->unit) == 0 && strcmp(g->comparison, b->comparison) == 0 &&
           strcmp(g->group, "all") != 0 && strncmp(g->group, "comparison", 10) != 0;
}

/* The comparison cohort's block of the same group ("comparison site=North"), or NULL. */
static const struct block *comparison_group(const struct page *p, const struct block *g)
{
    for (size_t j = 0; j < p->n; j++) {
        const struct block *c = &p->blocks[j];
        if (strcmp(c->unit, g->unit) == 0 && strcmp(c->comparison, g->comparison) == 0 &&
            strncmp(c->group, "comparison ", 11) == 0 && strcmp(c->group + 11, g->group) == 0)
            return c;
    }
    return NULL;
}

/* Why a group's figure in the table is not computable, below it (the whole cohort's are below
 * its own table). */
static void write_group_notes(struct page *p, const struct block *const *rows, size_t n)
{
    static const ps_statistic_id_t in_table[] = {
        PS_STAT_SU_N_PEOPLE,           PS_STAT_SU_EVENTS_BEFORE,     PS_STAT_SU_EVENTS_AFTER,
        PS_STAT_SU_RATE_RATIO,         PS_STAT_SU_RATE_RATIO_CI_LOW, PS_STAT_SU_RATE_RATIO_CI_HIGH,
        PS_STAT_SU_NET_RATE_RATIO,     PS_STAT_SU_NET_RATE_RATIO_CI_LOW,
        PS_STAT_SU_NET_RATE_RATIO_CI_HIGH};
    int any = 0;
    for (size_t r = 1; r < n; r++)
        for (size_t k = 0; k < sizeof in_table / sizeof in_table[0]; k++) {
            const ps_statistic_t *st = find(p, rows[r], in_table[k]);
            if (!st || st->shown != PS_NOT_COMPUTABLE)
                continue;
            svg_raw(&p->s, any ? "<li>" : "<ul class=\"key\">\n<li>");
            html_group_text(&p->s, rows[r]->group);
            svg_raw(&p->s, ", ");
            svg_text(&p->s, st->name);
            svg_raw(&p->s, " not computable: ");
            svg_text(&p->s, st->reason);
            svg_raw(&p->s, "</li>\n");
            any = 1;
        }
    if (any)
        svg_raw(&p->s, "</ul>\n");
}

static void write_groups(struct page *p, size_t k, const char *label, const char *rule)
{
    const struct block *b = &p->blocks[k];
    size_t n = 1;
    for (size_t j = 0; j < p->n; j++)
        n += group_of(&p->blocks[j], b);
    if (n < 2)
        return;
    const struct block **rows = calloc(n, sizeof *rows);
    struct ratio_row *forest = calloc(n, sizeof *forest);
    char(*names)[256] = calloc(n, sizeof *names);
    if (!rows || !forest || !names) {
        free(rows);
        free(forest);
        free(names);
        p->s.failed = 1;
        return;
    }
    rows[0] = b;
    for (size_t j = 0, r = 1; j < p->n; j++)
        if (group_of(&p->blocks[j], b))
            rows[r++] = &p->blocks[j];
    const int net = find(p, b, PS_STAT_SU_NET_RATE_RATIO) != NULL;
    char w0[128], w1[128], title[1024], before[160], after[160];
    windows_of(b->comparison, w0, w1, sizeof w0);
    snprintf(before, sizeof before, "Events in %s", w0);
    snprintf(after, sizeof after, "Events in %s", w1);
    svg_raw(&p->s, "<h4>By group</h4>\n");
    snprintf(title, sizeof title, "By group: %s, %s to %s, the people referred (%s)", label, w0, w1,
             rule);
    const char *columns[] = {"Group",
                             "People",
                             before,
                             after,
                             "Rate ratio (95% CI)",
                             net ? "Comparison cohort's rate ratio (95% CI)" : NULL,
                             "Net of the comparison cohort (95% CI)",
                             NULL};
    html_table_begin(&p->s, n > 30, title, columns);
    for (size_t r = 0; r < n; r++) {
        const struct block *g = rows[r], *c = r ? comparison_group(p, g) : comparison_of(p, k);
        svg_raw(&p->s, "<tr><th scope=\"row\">");
        html_group_text(&p->s, g->group);
        svg_raw(&p->s, "</th>");
        html_figure_cell(&p->s, find(p, g, PS_STAT_SU_N_PEOPLE));
        html_figure_cell(&p->s, find(p, g, PS_STAT_SU_EVENTS_BEFORE));
        html_figure_cell(&p->s, find(p, g, PS_STAT_SU_EVENTS_AFTER));
        ratio_cell(p, find(p, g, PS_STAT_SU_RATE_RATIO), find(p, g, PS_STAT_SU_RATE_RATIO_CI_LOW),
                   find(p, g, PS_STAT_SU_RATE_RATIO_CI_HIGH));
        if (net) {
            ratio_cell(p, find(p, c, PS_STAT_SU_RATE_RATIO),
                       find(p, c, PS_STAT_SU_RATE_RATIO_CI_LOW),
                       find(p, c, PS_STAT_SU_RATE_RATIO_CI_HIGH));
            ratio_cell(p, find(p, g, PS_STAT_SU_NET_RATE_RATIO),
                       find(p, g, PS_STAT_SU_NET_RATE_RATIO_CI_LOW),
                       find(p, g, PS_STAT_SU_NET_RATE_RATIO_CI_HIGH));
        }
        svg_raw(&p->s, "</tr>\n");
        html_group_label(g->group, names[r], sizeof names[r]);
        forest[r] = (struct ratio_row){names[r], r ? "point" : "point-all",
                                       find(p, g, PS_STAT_SU_RATE_RATIO),
                                       find(p, g, PS_STAT_SU_RATE_RATIO_CI_LOW),
                                       find(p, g, PS_STAT_SU_RATE_RATIO_CI_HIGH), g->group};
    }
    html_table_end(&p->s);
    write_group_notes(p, rows, n);
    snprintf(title, sizeof title, "Rate ratio by group, %s to %s: %s, the people referred (%s)", w0,
             w1, label, rule);
    ratio_forest(p, "Rate ratio by group", title,
                 (const char *const[]){"Group", "Rate ratio", "95% CI from", "to", NULL}, forest, n);
    free(rows);
    free(forest);
    free(names);
}

/* ---- A section per measure. ---- */

static void write_comparison(struct page *p, size_t k, int earlier)
{
    const struct block *b = &p->blocks[k];
    const struct block *cohorts[2] = {b, comparison_of(p, k)};
    size_t n = cohorts[1] ? 2 : 1;
    const char *label, *what;
    measure_words(p, b->unit, &label, &what);
    char w0[128], w1[128], rule[384], title[1024];
    windows_of(b->comparison, w0, w1, sizeof w0);
    selection_words(p, rule, sizeof rule);
    svg_raw(&p->s, earlier ? "<h3>The earlier window: " : "<h3>");
    html_data_text(&p->s, w0);
    svg_raw(&p->s, " to ");
    html_data_text(&p->s, w1);
    svg_raw(&p->s, "</h3>\n");
    snprintf(title, sizeof title, "%s, %s to %s (%s)", label, w0, w1, rule);
    write_table(p, cohorts, n, title, what);
    /* What the earlier window shows, after its table: a heading stays with its table in print. */
    if (earlier) {
        svg_raw(&p->s, "<p class=\"key\">Use in ");
        html_data_text(&p->s, w0);
        svg_raw(&p->s, " against ");
        html_data_text(&p->s, w1);
        svg_raw(&p->s, ", the window the others are compared with: was it a peak? A rate ratio "
                       "well above one means use rose into it, and a fall after it is expected "
                       "without any intervention.</p>\n");
    }
    svg_raw(&p->s, "<p class=\"key\">");
    if (find(p, b, PS_STAT_SU_NET_RATE_RATIO))
        svg_text(&p->s, net_method);
    if (find(p, b, PS_STAT_SU_EB_INDEX))
        svg_text(&p->s, eb_method);
    svg_text(&p->s, method);
    svg_raw(&p->s, "</p>\n");
    write_notes(p, cohorts, n);
    write_rates(p, cohorts, n, label, rule);
    write_forest(p, cohorts, n, label, rule);
    write_groups(p, k, label, rule);
}

static void write_measures(struct page *p)
{
    for (size_t k = 0; k < p->n; k++) {
        if (!first_of_measure(p, k))
            continue;
        const char *label, *what;
        measure_words(p, p->blocks[k].unit, &label, &what);
        svg_raw(&p->s, "<section class=\"instrument\">\n");
        html_warning(&p->s, p->set->warning);
        svg_raw(&p->s, "<h2>");
        svg_text(&p->s, label);
        svg_raw(&p->s, "</h2>\n<p class=\"lead\">Counted in ");
        svg_text(&p->s, what);
        svg_raw(&p->s, " per participant; fewer is better. ");
        if (p->set->selected) {
            svg_raw(&p->s, "Selected: ");
            html_data_text(&p->s, p->set->selected);
            svg_raw(&p->s, ".</p>\n");
        } else {
            svg_raw(&p->s, "Selection rule: not given (--selected).</p>\n");
        }
        /* From the before window to each later one, then each earlier one to it. */
        for (int earlier = 0; earlier < 2; earlier++)
            for (size_t j = k; j < p->n && strcmp(p->blocks[j].unit, p->blocks[k].unit) == 0; j++)
                if (referred(&p->blocks[j]) && from_before(p, p->blocks[j].comparison) == !earlier)
                    write_comparison(p, j, earlier);
        svg_raw(&p->s, "</section>\n");
    }
}

/* ---- Costs: notional cost avoidance and the bridge to it (--unit-costs). ---- */

struct money {
    char s[64];
};

/* "£12,345", or with pence ("£0.03"), as the text report writes money. */
static struct money money_text(double value, int pence)
{
    struct money m = {"-"};
    if (!isfinite(value) || fabs(value) > 1e15)
        return m;
    const double scaled = round(fabs(value) * (pence ? 100 : 1));
    char digits[40];
    snprintf(digits, sizeof digits, "%.0f", pence ? floor(scaled / 100) : scaled);
    char *to = m.s;
    if (value < 0 && scaled > 0)
        *to++ = '-';
    to = stpcpy(to, "\u00a3");
    for (size_t k = 0, n = strlen(digits); k < n; k++) {
        if (k && (n - k) % 3 == 0)
            *to++ = ',';
        *to++ = digits[k];
    }
    *to = '\0';
    if (pence)
        snprintf(to, sizeof m.s - (size_t)(to - m.s), ".%02.0f", fmod(scaled, 100));
    return m;
}

/* A money figure, with pence when the catalogue gives it two decimals; "*" hidden, "-" not
 * computable. */
static struct money money(const ps_statistic_t *st)
{
    struct money m = {"-"};
    if (st && st->shown == PS_SUPPRESSED)
        snprintf(m.s, sizeof m.s, "*");
    else if (shown(st))
        m = money_text(st->value, ps_statistic_info(st->id)->decimals > 0);
    return m;
}

/* Whether a cost statistic is money: not a share, a rate ratio, a count of people, points of
 * life satisfaction or WELLBYs. */
static int is_money(ps_statistic_id_t id)
{
    switch (id) {
    case PS_STAT_CO_P_ROI_ABOVE_1:
    case PS_STAT_CO_BREAK_EVEN_RATE_RATIO:
    case PS_STAT_CO_COMPLETERS_RATE_RATIO:
    case PS_STAT_CO_WB_N_PAIRED:
    case PS_STAT_CO_WB_MEAN_CHANGE:
    case PS_STAT_CO_WB_MEAN_CHANGE_CI_LOW:
    case PS_STAT_CO_WB_MEAN_CHANGE_CI_HIGH:
    case PS_STAT_CO_WB_WELLBYS:
        return 0;
    default:
        return 1;
    }
}

/* A statistic's text on the page: money for money (a WELLBY's value with pence, as the text
 * report writes it), else as the headline writes it. */
static const char *figure_words(const ps_statistic_t *st, char *to, size_t size)
{
    if (st && !is_money(st->id))
        snprintf(to, size, "%s", headline_figure(st).s);
    else if (st && st->id == PS_STAT_CO_WB_VALUE_PER_WELLBY && shown(st))
        snprintf(to, size, "%s", money_text(st->value, 1).s);
    else
        snprintf(to, size, "%s", money(st).s);
    return to;
}

/* A figure in a cell, stamped ("NAIVE") when shown and given a stamp. */
static void cost_cell(struct page *p, const ps_statistic_t *st, const char *stamp)
{
    char text[64];
    figure_words(st, text, sizeof text);
    svg_raw(&p->s, strcmp(text, "*") == 0 ? "<td class=\"num hidden\">" : "<td class=\"num\">");
    if (stamp && shown(st)) {
        svg_text(&p->s, stamp);
        svg_raw(&p->s, " ");
    }
    svg_text(&p->s, text);
    svg_raw(&p->s, "</td>");
}

/* What the costs section knows of the report: its blocks of cost figures (one per measure and
 * comparison, then the comparison's total), and whether the figures at hand (a comparison's
 * table, or its total's bridge) are naive or attributable. */
struct costs {
    struct block *blocks;
    size_t n;
    int naive;        /* against no change (--no-counterfactual), stamped naive */
    int attributable; /* with a counterfactual: the comparison cohort's, empirical Bayes's or
                         the naive one */
    int eb;           /* the counterfactual is empirical Bayes's (for some measure) */
};

/*
 * The report's own figures say what they rest on, as the text report reads them (core/costs.c
 * notes them): a block's figures are naive when its expected cost's note says NAIVE; its gross
 * fall is not attributable when its note says so (a total, when any measure costed has no
 * counterfactual); the counterfactual is empirical Bayes's when an expected cost's note names
 * it. A note is dropped with the figure it belongs to when disclosure control hides it: then
 * the figures are taken as attributable only with a comparison cohort or a note that says so.
 */
static int note_says(const ps_statistic_t *st, const char *words, int at_start)
{
    return st && st->note &&
           (at_start ? strncmp(st->note, words, strlen(words)) == 0 : !!strstr(st->note, words));
}

static int block_naive(const struct page *p, const struct block *b)
{
    return note_says(find(p, b, PS_STAT_CO_COST_EXPECTED_AFTER), "NAIVE", 1);
}

static int block_eb(const struct page *p, const struct block *b)
{
    return note_says(find(p, b, PS_STAT_CO_COST_EXPECTED_AFTER), "empirical Bayes", 0);
}

/* Whether the comparison of blocks from..to has a counterfactual at all. */
static int counterfactual(const struct page *p, const struct costs *c, size_t from, size_t to)
{
    int any = p->set->has_comparison;
    for (size_t j = from; j < to && !any; j++)
        any = block_naive(p, &c->blocks[j]) || block_eb(p, &c->blocks[j]);
    return any;
}

static int block_attributable(const struct page *p, const struct costs *c, size_t from,
                              size_t to, const struct block *b)
{
    return counterfactual(p, c, from, to) &&
           !note_says(find(p, b, PS_STAT_CO_GROSS_COST_FALL), "not attributable", 1);
}

/* The figures of one comparison (blocks from..to) in 'c': attributable when any block is, naive
 * when every attributable block is naive (else each naive figure is stamped by itself). */
static void read_comparison(const struct page *p, struct costs *c, size_t from, size_t to)
{
    c->attributable = c->eb = 0;
    c->naive = 1;
    for (size_t j = from; j < to; j++) {
        c->eb |= block_eb(p, &c->blocks[j]);
        if (block_attributable(p, c, from, to, &c->blocks[j])) {
            c->attributable = 1;
            c->naive &= block_naive(p, &c->blocks[j]);
        }
    }
    c->naive &= c->attributable;
}

static const char *naive_stamp(const struct costs *c)
{
    return c->naive ? "NAIVE" : NULL;
}

/* Measures counted but not costed, which the totals leave out. */
static void write_not_costed(struct page *p, const struct costs *c)
{
    int any = 0;
    for (size_t k = 0; k < p->n; k++) {
        if (!first_of_measure(p, k))
            continue;
        int costed = 0;
        for (size_t j = 0; j < c->n && !costed; j++)
            costed = strcmp(c->blocks[j].unit, p->blocks[k].unit) == 0;
        if (costed)
            continue;
        const char *label, *what;
        measure_words(p, p->blocks[k].unit, &label, &what);
        svg_raw(&p->s, any ? ", "
                           : "<p class=\"key\">Not costed (no unit cost given), so left "
                             "out of the totals: ");
        svg_text(&p->s, label);
        any = 1;
    }
    if (any)
        svg_raw(&p->s, ".</p>\n");
}

/* Each measure's unit cost with its chain: price year, uprating, source and licence. */
static void write_unit_costs(struct page *p, const struct costs *c)
{
    static const char *const columns[] = {"Measure", "Unit cost",
                                          "Price year, uprating, source and licence", NULL};
    html_table_begin(&p->s, 0, "Unit costs at the report's price year, from the unit costs file",
                     columns);
    for (size_t j = 0; j < c->n && strcmp(c->blocks[j].comparison, c->blocks[0].comparison) == 0;
         j++) {
        const ps_statistic_t *unit_cost = find(p, &c->blocks[j], PS_STAT_CO_UNIT_COST);
        if (!unit_cost)
            continue;
        const char *label, *what;
        measure_words(p, c->blocks[j].unit, &label, &what);
        row_head(p, label, NULL);
        cost_cell(p, unit_cost, NULL);
        svg_raw(&p->s, "<td>");
        svg_text(&p->s, unit_cost->note);
        svg_raw(&p->s, "</td></tr>\n");
    }
    html_table_end(&p->s);
}

/* The costs of one comparison, per measure and in total. */
static void write_cost_table(struct page *p, const struct costs *c, size_t from, size_t to,
                             const char *title)
{
    const char *columns[] = {"",
                             "Unit cost",
                             "Cost before",
                             "Cost after",
                             c->naive ? "NAIVE: gross fall over the time observed after (not "
                                        "attributable)"
                             : c->attributable ? "Gross fall over the time observed after"
                                               : "Gross fall over the time observed after (not "
                                                 "attributable)",
                             c->naive ? "NAIVE: expected after without the service"
                                      : "Expected after without the service",
                             c->naive ? "NAIVE: notional cost avoidance"
                                      : "Notional cost avoidance",
                             NULL};
    if (!c->attributable)
        columns[5] = NULL;
    html_table_begin(&p->s, 0, title, columns);
    for (size_t j = from; j < to; j++) {
        const struct block *b = &c->blocks[j];
        const int total = strcmp(b->unit, "total") == 0;
        const char *label = "Total of the measures costed", *what;
        if (!total)
            measure_words(p, b->unit, &label, &what);
        const int attributable = block_attributable(p, c, from, to, b);
        char head[320];
        snprintf(head, sizeof head, "%s%s", label,
                 c->attributable && !attributable ? " (its gross fall not attributable)" : "");
        row_head(p, head, NULL);
        if (total)
            svg_raw(&p->s, "<td></td>");
        else
            cost_cell(p, find(p, b, PS_STAT_CO_UNIT_COST), NULL);
        cost_cell(p, find(p, b, PS_STAT_CO_COST_BEFORE), NULL);
        cost_cell(p, find(p, b, PS_STAT_CO_COST_AFTER), NULL);
        /* Against no change, the gross fall is the naive avoidance: stamped as it is. */
        const char *stamp = c->attributable && block_naive(p, b) ? "NAIVE" : NULL;
        cost_cell(p, find(p, b, PS_STAT_CO_GROSS_COST_FALL), stamp);
        if (c->attributable) {
            cost_cell(p, find(p, b, PS_STAT_CO_COST_EXPECTED_AFTER), stamp);
            cost_cell(p, find(p, b, PS_STAT_CO_NOTIONAL_COST_AVOIDANCE), stamp);
        }
        svg_raw(&p->s, "</tr>\n");
    }
    html_table_end(&p->s);
}

/* "£0.03 per £1 (95% CI £0.01 to £0.06)": the return on investment with its interval, 'what'
 * after the figure. */
static void roi_words(const struct block *total, const struct page *p, const char *what, char *to,
                      size_t size)
{
    const ps_statistic_t *roi = find(p, total, PS_STAT_CO_ROI),
                         *low = find(p, total, PS_STAT_CO_ROI_CI_LOW),
                         *high = find(p, total, PS_STAT_CO_ROI_CI_HIGH);
    if (shown(low) && shown(high))
        snprintf(to, size, "%s%s per \u00a31 (95%% CI %s to %s)", money(roi).s, what, money(low).s,
                 money(high).s);
    else
        snprintf(to, size, "%s%s per \u00a31", money(roi).s, what);
}

/* The return on investment in words, under the table; and a scenario, labelled so. */
static void write_roi(struct page *p, const struct costs *c, const struct block *total)
{
    const ps_statistic_t *cost = find(p, total, PS_STAT_CO_PROGRAMME_COST),
                         *roi = find(p, total, PS_STAT_CO_ROI),
                         *low = find(p, total, PS_STAT_CO_ROI_CI_LOW);
    if (!cost)
        return;
    char words[320];
    svg_raw(&p->s, "<p class=\"roi\"><b>");
    if (roi && roi->shown == PS_NOT_COMPUTABLE) {
        svg_raw(&p->s, "No return on investment against ");
        svg_text(&p->s, money(cost).s);
        svg_raw(&p->s, " (");
        svg_text(&p->s, cost->note);
        svg_raw(&p->s, "): ");
        svg_text(&p->s, roi->reason);
        svg_raw(&p->s, ".</b></p>\n");
        return;
    }
    svg_raw(&p->s,
            c->naive ? "NAIVE return on investment against " : "Return on investment against ");
    svg_text(&p->s, money(cost).s);
    svg_raw(&p->s, " (");
    svg_text(&p->s, cost->note);
    svg_raw(&p->s, "): ");
    roi_words(total, p, " of notional cost avoidance", words, sizeof words);
    svg_text(&p->s, words);
    svg_raw(&p->s, "; P(ROI &gt; 1) = ");
    svg_text(&p->s, figure_words(find(p, total, PS_STAT_CO_P_ROI_ABOVE_1), words, sizeof words));
    svg_raw(&p->s, "; break-even net rate ratio ");
    svg_text(&p->s,
             figure_words(find(p, total, PS_STAT_CO_BREAK_EVEN_RATE_RATIO), words, sizeof words));
    svg_raw(&p->s, ".</b>");
    if (shown(low) && low->note) {
        svg_raw(&p->s, " Bootstrap: ");
        svg_text(&p->s, low->note);
        svg_raw(&p->s, ".");
    }
    svg_raw(&p->s, "</p>\n");
    const ps_statistic_t *scenario = find(p, total, PS_STAT_CO_SCENARIO_COST_AVOIDANCE);
    if (scenario && scenario->shown != PS_NOT_COMPUTABLE) {
        svg_raw(&p->s, "<p class=\"scenario\"><b>");
        if (shown(scenario)) {
            svg_text(&p->s, scenario->note);
            svg_raw(&p->s, "</b>: notional cost avoidance ");
            svg_text(&p->s, money(scenario).s);
            svg_raw(&p->s, ", ");
            svg_text(&p->s, money(find(p, total, PS_STAT_CO_SCENARIO_ROI)).s);
            svg_raw(&p->s, " per \u00a31.</p>\n");
        } else {
            svg_raw(&p->s, "SCENARIO (--scenario)</b>: * hidden by disclosure control.</p>\n");
        }
    }
}

/* Whether a figure is the completers' alone (--completed): never everyone's. */
static int completers_figure(const ps_statistic_t *st)
{
    return st->id >= PS_STAT_CO_COMPLETERS_COST_BEFORE &&
           st->id <= PS_STAT_CO_COMPLETERS_RATE_RATIO;
}

/* What the list below a table of costs says of a figure: why it is not computable or was
 * withheld; of everyone's expected cost, what it rests on (empirical Bayes, or only the
 * measures with a counterfactual). NULL for a figure of the other list (the completers' have
 * theirs, below their own table) and for the return on investment, whose reason is given
 * with it. */
static const char *cost_note(const ps_statistic_t *st, int completers)
{
    if (completers != completers_figure(st) || st->id == PS_STAT_CO_ROI ||
        st->id == PS_STAT_CO_ROI_CI_LOW || st->id == PS_STAT_CO_ROI_CI_HIGH ||
        st->id == PS_STAT_CO_P_ROI_ABOVE_1)
        return NULL;
    return st->shown == PS_NOT_COMPUTABLE ? st->reason
           : st->shown == PS_SUPPRESSED   ? st->note
           : !completers && st->id == PS_STAT_CO_COST_EXPECTED_AFTER && !note_says(st, "NAIVE", 1)
               ? st->note
               : NULL;
}

/* What is not computable and why, and what was withheld, below the comparison's figures:
 * everyone's, or the completers'. */
static void write_cost_notes(struct page *p, const struct costs *c, size_t from, size_t to,
                             int completers)
{
    int listed = 0;
    for (size_t j = from; j < to; j++)
        for (size_t i = c->blocks[j].start; i < c->blocks[j].end; i++) {
            const ps_statistic_t *st = statistic(p, i);
            const char *why = cost_note(st, completers);
            if (!why)
                continue;
            const char *label = "total", *what;
            if (strcmp(c->blocks[j].unit, "total") != 0)
                measure_words(p, c->blocks[j].unit, &label, &what);
            write_note(p, &listed, label, st, why);
        }
    if (listed)
        svg_raw(&p->s, "</ul>\n");
}

/* One step of the bridge: a bar from 'from' to 'to' (NULL 'from': from zero). */
struct step {
    const char *label, *klass;
    const ps_statistic_t *from, *to;
    const char *value; /* the figure's words in the column of figures */
};

/*
 * The bridge: the gross fall in cost, less the fall expected without the service, equals the
 * notional cost avoidance; then the programme cost beside it, with the return on investment.
 * Without a counterfactual, the gross fall alone, not attributable. A hidden or not computable
 * figure is a fixed placeholder, and the axis rests only on the figures shown.
 */
static void write_bridge(struct page *p, const struct costs *c, const struct block *total,
                         const char *rule)
{
    const ps_statistic_t *gross = find(p, total, PS_STAT_CO_GROSS_COST_FALL),
                         *net = find(p, total, PS_STAT_CO_NOTIONAL_COST_AVOIDANCE),
                         *cost = c->attributable ? find(p, total, PS_STAT_CO_PROGRAMME_COST) : NULL;
    const char *stamp = naive_stamp(c);
    char w0[128], w1[128], title[1024], desc[2048], words[320];
    windows_of(total->comparison, w0, w1, sizeof w0);
    char gross_value[96], net_value[96], cost_value[96], cost_label[160];
    snprintf(gross_value, sizeof gross_value, "%s", money(gross).s);
    snprintf(net_value, sizeof net_value, "%s%s", shown(net) && stamp ? "NAIVE " : "",
             money(net).s);
    snprintf(cost_value, sizeof cost_value, "%s", money(cost).s);
    snprintf(cost_label, sizeof cost_label, "Programme cost (%s)",
             cost && cost->note ? cost->note : "");
    struct step steps[4] = {
        {c->attributable ? "Gross fall in cost" : "Gross fall, not attributable", "bar-same", NULL,
         gross, gross_value},
        {"less the fall expected anyway", "box", gross, net, "(gross less net)"},
        {c->naive ? "= NAIVE notional cost avoidance" : "= notional cost avoidance", "bar", NULL,
         net, net_value},
        {cost_label, "point", NULL, cost, cost_value},
    };
    const size_t n_steps = !c->attributable ? 1 : cost ? 4 : 3;
    /* The axis: zero and every figure shown. */
    double lo = 0, hi = 0;
    for (size_t r = 0; r < n_steps; r++)
        if (shown(steps[r].to)) {
            lo = fmin(lo, steps[r].to->value);
            hi = fmax(hi, steps[r].to->value);
        }
    if (lo == hi)
        hi = lo + 1;
    double ticks[16], step;
    size_t n_ticks = svg_ticks(lo, hi, 5, ticks, &step);
    const double width = 640, left = 250, right = 465, values = 478, row_h = 30, bar = 18;
    const double top = 24, bottom = top + row_h * (double)n_steps;
    const double height = bottom + (c->attributable ? (cost ? 96 : 40) : 72);
    svg_scale_t x = {fmin(ticks[0], lo), fmax(ticks[n_ticks - 1], hi), left, right};
    if (c->attributable)
        snprintf(title, sizeof title,
                 "%sCost bridge, %s to %s: the gross fall in cost, less the fall expected "
                 "without the service, equals the notional cost avoidance%s (the people "
                 "referred, the measures costed; %s)",
                 c->naive ? "NAIVE: " : "", w0, w1, cost ? ", beside the programme cost" : "",
                 rule);
    else
        snprintf(title, sizeof title,
                 "Gross fall in cost, %s to %s, not attributable to the service (the people "
                 "referred, the measures costed; %s)",
                 w0, w1, rule);
    int used = snprintf(desc, sizeof desc,
                        "In pounds at average unit costs: the gross fall over the time observed "
                        "after %s",
                        gross_value);
    if (c->attributable && used > 0 && (size_t)used < sizeof desc)
        used += snprintf(desc + used, sizeof desc - (size_t)used,
                         "; less the fall expected without the service (%s); equals %snotional "
                         "cost avoidance %s",
                         c->naive ? "NAIVE: against no change"
                         : c->eb  ? "by empirical Bayes"
                                  : "by the comparison cohort",
                         stamp && shown(net) ? "NAIVE " : "", money(net).s);
    else if (used > 0 && (size_t)used < sizeof desc)
        used += snprintf(desc + used, sizeof desc - (size_t)used, "%s",
                         c->eb ? "; not every measure costed has a counterfactual, so no bridge "
                                 "to cost avoidance is drawn for the total (the measures with "
                                 "one are in the table above)"
                               : "; without a counterfactual no bridge to cost avoidance is "
                                 "drawn and no return on investment given");
    const ps_statistic_t *roi = find(p, total, PS_STAT_CO_ROI);
    if (cost && roi && roi->shown == PS_NOT_COMPUTABLE && used > 0 && (size_t)used < sizeof desc)
        used += snprintf(desc + used, sizeof desc - (size_t)used,
                         "; programme cost %s (%s); no return on investment (not computable)",
                         money(cost).s, cost->note ? cost->note : "");
    else if (cost && used > 0 && (size_t)used < sizeof desc) {
        char p_words[64], even[64];
        roi_words(total, p, "", words, sizeof words);
        used += snprintf(
            desc + used, sizeof desc - (size_t)used,
            "; programme cost %s (%s); %sreturn on investment %s, P(ROI > 1) %s, break-even net "
            "rate ratio %s",
            money(cost).s, cost->note ? cost->note : "", stamp ? "NAIVE " : "", words,
            figure_words(find(p, total, PS_STAT_CO_P_ROI_ABOVE_1), p_words, sizeof p_words),
            figure_words(find(p, total, PS_STAT_CO_BREAK_EVEN_RATE_RATIO), even, sizeof even));
    }
    html_chart_begin(&p->s, &p->charts,
                     c->attributable ? "From the gross fall in cost to notional cost avoidance"
                                     : "Gross fall in cost: not attributable",
                     width, height, title, desc);
    for (size_t t = 0; t < n_ticks; t++) {
        double tx = svg_map(&x, ticks[t]);
        svg_line(&p->s, tx, top - 6, tx, bottom, ticks[t] == 0 ? "zero" : "grid");
        svg_label(&p->s, tx, bottom + 14, "middle", "small", money_text(ticks[t], step < 1).s);
    }
    svg_label(&p->s, (left + right) / 2, bottom + 28, "middle", "small",
              "pounds at the report's price year, average unit costs");
    const double zero = svg_map(&x, 0);
    for (size_t r = 0; r < n_steps; r++) {
        const struct step *s = &steps[r];
        double y = top + row_h * (double)r, by = y + (row_h - bar) / 2;
        svg_label_fit(&p->s, 4, by + 13, "start", NULL, s->label, 20);
        const int drawn = shown(s->to) && (!s->from || shown(s->from));
        if (!drawn) {
            svg_rect(&p->s, zero, by, 40, bar, "hidden");
            svg_label(&p->s, values, by + 13, "start", "small",
                      s->to && s->to->shown == PS_SUPPRESSED ? "hidden" : "-");
            continue;
        }
        double x0 = s->from ? svg_map(&x, s->from->value) : zero, x1 = svg_map(&x, s->to->value);
        svg_rect(&p->s, x0, by, x1 - x0, bar, s->klass);
        svg_label(&p->s, values, by + 13, "start", s->from ? "small" : NULL, s->value);
        /* The bridge's joins: where one step ends the next begins. */
        if (s->from)
            svg_line(&p->s, x0, by - (row_h - bar), x0, by, "axis");
        if (r == 1)
            svg_line(&p->s, x1, by + bar, x1, by + row_h, "axis");
    }
    if (cost && shown(cost))
        svg_line(&p->s, svg_map(&x, cost->value), top + row_h * 2, svg_map(&x, cost->value), bottom,
                 "threshold");
    double line = bottom + 50;
    if (!c->attributable) {
        svg_label(&p->s, 4, line, "start", NULL,
                  c->eb ? "Not attributable to the service: not every measure costed has a "
                          "counterfactual."
                        : "Not attributable to the service: no counterfactual (no comparison "
                          "cohort).");
        svg_label(&p->s, 4, line + 16, "start", NULL,
                  c->eb ? "No bridge beyond the gross fall for the total: see the table above."
                        : "No bridge beyond the gross fall, and no return on investment.");
    } else if (cost) {
        const ps_statistic_t *low = find(p, total, PS_STAT_CO_ROI_CI_LOW);
        if (roi && roi->shown == PS_NOT_COMPUTABLE) {
            svg_label_fit(&p->s, 4, line, "start", NULL,
                          "No return on investment: see below the "
                          "chart.",
                          100);
        } else {
            roi_words(total, p, "", words, sizeof words);
            char text[512], p_words[64], even[64];
            snprintf(
                text, sizeof text, "%s return on investment %s; P(ROI > 1) = %s",
                c->naive ? "NAIVE" : "The", words,
                figure_words(find(p, total, PS_STAT_CO_P_ROI_ABOVE_1), p_words, sizeof p_words));
            svg_label(&p->s, 4, line, "start", NULL, text);
            const ps_statistic_t *break_even = find(p, total, PS_STAT_CO_BREAK_EVEN_RATE_RATIO);
            snprintf(text, sizeof text, "%s break-even net rate ratio %s%s",
                     c->naive && shown(break_even) ? "NAIVE" : "The",
                     figure_words(break_even, even, sizeof even),
                     break_even && break_even->shown == PS_NOT_COMPUTABLE
                         ? " (not computable: why is below the chart)"
                         : "");
            svg_label(&p->s, 4, line + 16, "start", NULL, text);
            if (shown(low) && low->note) {
                snprintf(text, sizeof text, "Bootstrap: %s", low->note);
                svg_label_fit(&p->s, 4, line + 32, "start", "small", text, 62);
            }
        }
    }
    svg_end(&p->s);
    static const char *const columns[] = {"", "Amount", NULL};
    html_table_begin(&p->s, 0, title, columns);
    row_head(p,
             c->naive ? "NAIVE: gross fall over the time observed after (not attributable)"
             : c->attributable ? "Gross fall over the time observed after"
                               : "Gross fall over the time observed after (not attributable)",
             NULL);
    cost_cell(p, gross, naive_stamp(c));
    svg_raw(&p->s, "</tr>\n");
    if (c->attributable) {
        static const struct {
            ps_statistic_id_t id;
            const char *words;
            int stamped;
        } rows[] = {
            {PS_STAT_CO_COST_AFTER, "Cost after", 0},
            {PS_STAT_CO_COST_EXPECTED_AFTER, "Expected after without the service", 1},
            {PS_STAT_CO_NOTIONAL_COST_AVOIDANCE,
             "Notional cost avoidance: expected less cost "
             "after",
             1},
            {PS_STAT_CO_PROGRAMME_COST, "Programme cost", 0},
            {PS_STAT_CO_ROI, "Return on investment, per \u00a31", 1},
            {PS_STAT_CO_ROI_CI_LOW, "95% CI from", 1},
            {PS_STAT_CO_ROI_CI_HIGH, "to", 1},
            {PS_STAT_CO_P_ROI_ABOVE_1, "P(ROI > 1)", 1},
            {PS_STAT_CO_BREAK_EVEN_RATE_RATIO, "Break-even net rate ratio", 1},
            {PS_STAT_CO_SCENARIO_COST_AVOIDANCE,
             "SCENARIO, not observed: notional cost "
             "avoidance",
             1},
            {PS_STAT_CO_SCENARIO_ROI,
             "SCENARIO, not observed: return on investment, per "
             "\u00a31",
             1},
        };
        for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
            const ps_statistic_t *st = find(p, total, rows[r].id);
            if (!st)
                continue;
            char head[200];
            snprintf(head, sizeof head, "%s%s", rows[r].stamped && c->naive ? "NAIVE: " : "",
                     rows[r].id == PS_STAT_CO_PROGRAMME_COST ? cost_label : rows[r].words);
            row_head(p, head, NULL);
            cost_cell(p, st, rows[r].stamped ? stamp : NULL);
            svg_raw(&p->s, "</tr>\n");
        }
    }
    html_table_end(&p->s);
    html_chart_end(&p->s);
}

/* ---- Completers only (--completed) and the wellbeing value (--wellbeing): each apart. ---- */

/* "(18 of 30 referred)" of a completers' note, or "" (a hidden figure has no note). */
static void completers_counted(const ps_statistic_t *st, char *to, size_t size)
{
    const char *at = st && st->note ? strstr(st->note, "completers only (") : NULL;
    const char *end = at ? strchr(at, ')') : NULL;
    if (!end) {
        snprintf(to, size, "%s", "");
        return;
    }
    at += strlen("completers only ");
    snprintf(to, size, "%.*s", (int)(end + 1 - at), at);
}

/* The first of a block's completers' figures whose note says how many they are, or NULL (a
 * figure withheld says why instead). */
static const ps_statistic_t *completers_noted(const struct page *p, const struct block *b)
{
    for (size_t i = b->start; i < b->end; i++)
        if (completers_figure(statistic(p, i)) &&
            note_says(statistic(p, i), "completers only (", 0))
            return statistic(p, i);
    return NULL;
}

/* The completers' figures of one comparison (blocks from..to), after everyone's and apart from
 * them: a table of their own, headed as the text report labels them, never in the return on
 * investment or the bridge (they have none). */
static void write_completers(struct page *p, struct costs *c, size_t from, size_t to,
                             const char *w0, const char *w1, const char *rule)
{
    int any = 0;
    for (size_t j = from; j < to && !any; j++)
        any = find(p, &c->blocks[j], PS_STAT_CO_COMPLETERS_COST_BEFORE) != NULL;
    if (!any)
        return;
    read_comparison(p, c, from, to);
    /* Who they are: the total's N of M (its people, those counted in any measure costed). */
    char counted[96], own[96];
    completers_counted(completers_noted(p, &c->blocks[to - 1]), counted, sizeof counted);
    svg_raw(&p->s, "<h4>Completers only: not intention to treat");
    if (*counted) {
        svg_raw(&p->s, " ");
        svg_text(&p->s, counted);
    }
    svg_raw(&p->s, "</h4>\n<p class=\"key\">The people referred who completed the programme "
                   "(--completed) alone. People who complete differ from those who do not, so "
                   "these figures lean towards the programme: they are never the headline, and "
                   "the return on investment and the cost bridge rest on everyone referred, "
                   "never on them.</p>\n");
    const char *columns[8];
    size_t n_columns = 0;
    columns[n_columns++] = "";
    columns[n_columns++] = "Cost before";
    columns[n_columns++] = "Cost after";
    columns[n_columns++] = c->attributable ? "Gross fall over the time observed after"
                                           : "Gross fall over the time observed after (not "
                                             "attributable)";
    if (c->attributable) {
        columns[n_columns++] = c->naive ? "NAIVE: expected after without the service"
                                        : "Expected after without the service";
        columns[n_columns++] = c->naive ? "NAIVE: notional cost avoidance"
                                        : "Notional cost avoidance";
    }
    columns[n_columns++] = "Rate ratio";
    columns[n_columns] = NULL;
    char title[1024];
    snprintf(title, sizeof title, "%sCompleters only, %s to %s: not intention to treat (%s)",
             c->naive ? "NAIVE: " : "", w0, w1, rule);
    html_table_begin(&p->s, 0, title, columns);
    for (size_t j = from; j < to; j++) {
        const struct block *b = &c->blocks[j];
        if (!find(p, b, PS_STAT_CO_COMPLETERS_COST_BEFORE))
            continue;
        const int total = strcmp(b->unit, "total") == 0;
        const char *label = "Total of the measures costed", *what;
        if (!total)
            measure_words(p, b->unit, &label, &what);
        /* Its own N of M where it is not the heading's. */
        completers_counted(completers_noted(p, b), own, sizeof own);
        const int apart = *own && strcmp(own, counted) != 0;
        char head[400];
        snprintf(head, sizeof head, "%s%s%s%s", label, apart ? " " : "", apart ? own : "",
                 c->attributable && !block_attributable(p, c, from, to, b)
                     ? " (its gross fall not attributable)"
                     : "");
        row_head(p, head, NULL);
        cost_cell(p, find(p, b, PS_STAT_CO_COMPLETERS_COST_BEFORE), NULL);
        cost_cell(p, find(p, b, PS_STAT_CO_COMPLETERS_COST_AFTER), NULL);
        cost_cell(p, find(p, b, PS_STAT_CO_COMPLETERS_GROSS_COST_FALL), NULL);
        if (c->attributable) {
            const char *stamp = block_naive(p, b) ? "NAIVE" : NULL;
            cost_cell(p, find(p, b, PS_STAT_CO_COMPLETERS_COST_EXPECTED_AFTER), stamp);
            cost_cell(p, find(p, b, PS_STAT_CO_COMPLETERS_NOTIONAL_COST_AVOIDANCE), stamp);
        }
        if (total)
            svg_raw(&p->s, "<td></td>");
        else
            cost_cell(p, find(p, b, PS_STAT_CO_COMPLETERS_RATE_RATIO), NULL);
        svg_raw(&p->s, "</tr>\n");
    }
    html_table_end(&p->s);
    write_cost_notes(p, c, from, to, 1);
}

/* Whether some figure of a block says it is a benefit transfer (a hidden one says nothing). */
static int benefit_transfer(const struct page *p, const struct block *b)
{
    for (size_t i = b->start; i < b->end; i++)
        if (note_says(statistic(p, i), "BENEFIT TRANSFER", 0))
            return 1;
    return 0;
}

/* The wellbeing value (unit "wellbeing"): a small table of its own after the costs, never
 * added to them, labelled as the text report labels it. */
static void write_wellbeing(struct page *p, const struct block *b)
{
    static const struct {
        ps_statistic_id_t id;
        const char *words;
    } rows[] = {
        {PS_STAT_CO_WB_N_PAIRED, "People paired"},
        {PS_STAT_CO_WB_MEAN_CHANGE, "Mean change in life satisfaction, points (paired t)"},
        {PS_STAT_CO_WB_MEAN_CHANGE_CI_LOW, "95% CI from"},
        {PS_STAT_CO_WB_MEAN_CHANGE_CI_HIGH, "to"},
        {PS_STAT_CO_WB_WELLBYS, "WELLBYs"},
        {PS_STAT_CO_WB_VALUE_PER_WELLBY, "Value of a WELLBY"},
        {PS_STAT_CO_WB_VALUE, "Wellbeing value (not NHS cost avoidance)"},
        {PS_STAT_CO_WB_VALUE_CI_LOW, "95% CI from"},
        {PS_STAT_CO_WB_VALUE_CI_HIGH, "to"},
    };
    const int transfer = benefit_transfer(p, b);
    char w0[128], w1[128], title[512];
    windows_of(b->comparison, w0, w1, sizeof w0);
    svg_raw(&p->s, "<h3>Wellbeing value: not NHS cost avoidance, never added to it</h3>\n<p><b>");
    if (transfer)
        svg_raw(&p->s, "BENEFIT TRANSFER from (S)WEMWBS, through the exchange rate the unit costs "
                       "file declares. ");
    svg_raw(&p->s, "WELLBYs from the paired change in life satisfaction, ");
    html_data_text(&p->s, w0);
    svg_raw(&p->s, " to ");
    html_data_text(&p->s, w1);
    svg_raw(&p->s, ", valued at the unit costs file&#39;s WELLBY (HM Treasury Green Book "
                   "wellbeing guidance): a value of wellbeing, not NHS cost avoidance, never added "
                   "to it or to the return on investment. Not attributable without a comparison "
                   "group: a before-after change, not an effect of the service.</b></p>\n");
    snprintf(title, sizeof title,
             "%sWellbeing value, %s to %s: the people paired (not NHS cost avoidance; never "
             "added to it)",
             transfer ? "BENEFIT TRANSFER: " : "", w0, w1);
    static const char *const columns[] = {"", "Figure", "What it rests on", NULL};
    html_table_begin(&p->s, 0, title, columns);
    const char *last = NULL;
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
        const ps_statistic_t *st = find(p, b, rows[r].id);
        if (!st)
            continue;
        row_head(p, rows[r].words, NULL);
        cost_cell(p, st, NULL);
        /* Each note once, beside the first figure it belongs to. */
        const char *note = shown(st) ? st->note : NULL;
        svg_raw(&p->s, "<td>");
        if (note && (!last || strcmp(note, last) != 0)) {
            svg_text(&p->s, note);
            last = note;
        }
        svg_raw(&p->s, "</td></tr>\n");
    }
    html_table_end(&p->s);
    int listed = 0;
    for (size_t i = b->start; i < b->end; i++) {
        const ps_statistic_t *st = statistic(p, i);
        const char *why = st->shown == PS_NOT_COMPUTABLE ? st->reason
                          : st->shown == PS_SUPPRESSED   ? st->note
                                                         : NULL;
        if (!why)
            continue;
        write_note(p, &listed, NULL, st, why);
    }
    if (listed)
        svg_raw(&p->s, "</ul>\n");
    svg_raw(&p->s, "<p class=\"key\">* hidden by disclosure control, with the people paired it "
                   "rests on; - not computable (why is below the table).</p>\n");
}

static void write_costs(struct page *p, const output_file_t *files, size_t n_files)
{
    int priced = 0;
    for (size_t f = 0; f < n_files; f++)
        priced |= files[f].path && strcmp(files[f].role, "--unit-costs") == 0;
    if (!priced)
        return;
    const size_t count = ps_service_report_count(p->report);
    struct costs c = {calloc(2 * (count - p->costs_from) + 1, sizeof *c.blocks), 0, 0, 0, 0};
    if (!c.blocks) {
        p->s.failed = 1;
        return;
    }
    c.n = group_blocks(p, p->costs_from, count, c.blocks);
    /* The wellbeing value is a line of its own, never among the costs (nor their total): its
     * blocks go after the costs' (the array has room for both). */
    size_t kept = 0, n_wellbeing = 0;
    struct block *wellbeing = c.blocks + c.n;
    for (size_t j = 0; j < c.n; j++)
        if (strcmp(c.blocks[j].unit, "wellbeing") == 0)
            wellbeing[n_wellbeing++] = c.blocks[j];
    for (size_t j = 0; j < c.n; j++)
        if (strcmp(c.blocks[j].unit, "wellbeing") != 0)
            c.blocks[kept++] = c.blocks[j];
    c.n = kept;
    /* What the section's figures rest on, in the text report's words. */
    int eb = 0, naive = 0;
    for (size_t j = 0; j < c.n; j++) {
        eb |= block_eb(p, &c.blocks[j]);
        naive |= block_naive(p, &c.blocks[j]);
    }
    svg_raw(&p->s, "<section id=\"costs\" class=\"instrument\">\n");
    html_warning(&p->s, p->set->warning);
    svg_raw(&p->s, "<h2>Costs: notional cost avoidance (not savings)</h2>\n");
    if (!c.n) {
        svg_raw(&p->s, "<p class=\"lead\">No measure with a unit cost (--unit-costs) was "
                       "counted in a window after ");
        html_data_text(&p->s, p->set->before);
        svg_raw(&p->s, ".</p>\n");
        for (size_t j = 0; j < n_wellbeing; j++)
            write_wellbeing(p, &wellbeing[j]);
        svg_raw(&p->s, "</section>\n");
        free(c.blocks);
        return;
    }
    svg_raw(&p->s, "<p class=\"lead\">Money at average unit costs, from the unit costs file: a "
                   "fall in use priced this way is cost avoided on paper, not money that can be "
                   "released (average costs overstate what fewer attendances free). Everyone "
                   "referred with time observed in both windows counts (intention to treat: no "
                   "one is left out for not completing the programme); nothing is extrapolated "
                   "beyond the time observed but in a scenario labelled so.</p>\n<p><b>");
    svg_raw(&p->s, p->set->has_comparison
                       ? "The counterfactual: the people&#39;s rate of use before (events over "
                         "person-years), on the time they were observed after, times the "
                         "comparison cohort&#39;s rate ratio."
                   : eb && naive
                       ? "The counterfactual: for the selection rule&#39;s measure, each "
                         "person&#39;s count expected without intervention by empirical Bayes "
                         "(Hauer); other measures have none and are NAIVE, against no change "
                         "(--no-counterfactual), stamped so."
                   : eb
                       ? "The counterfactual: for the selection rule&#39;s measure, each "
                         "person&#39;s count expected without intervention by empirical Bayes "
                         "(Hauer); other measures have none: their gross fall is shown but "
                         "cannot be attributed, and they are left out of cost avoidance."
                   : naive
                       ? "NAIVE: no comparison cohort was given and --no-counterfactual asked "
                         "for figures against no change: they count the fall that regression "
                         "to the mean brings, and are stamped naive."
                       : "No comparison cohort was given: the gross fall in cost is shown but "
                         "cannot be attributed to the service, and no cost avoidance or return "
                         "on investment is given.");
    svg_raw(&p->s, "</b></p>\n");
    write_not_costed(p, &c);
    write_unit_costs(p, &c);
    char rule[384], title[1024], w0[128], w1[128];
    selection_words(p, rule, sizeof rule);
    for (size_t j = 0; j < c.n;) {
        size_t end = j;
        while (end < c.n && strcmp(c.blocks[end].comparison, c.blocks[j].comparison) == 0)
            end++;
        windows_of(c.blocks[j].comparison, w0, w1, sizeof w0);
        read_comparison(p, &c, j, end);
        svg_raw(&p->s, "<h3>");
        html_data_text(&p->s, w0);
        svg_raw(&p->s, " to ");
        html_data_text(&p->s, w1);
        svg_raw(&p->s, "</h3>\n");
        snprintf(title, sizeof title, "%sCosts, %s to %s: the people referred (%s)",
                 c.naive ? "NAIVE: " : "", w0, w1, rule);
        write_cost_table(p, &c, j, end, title);
        const struct block *total = &c.blocks[end - 1];
        if (strcmp(total->unit, "total") == 0) {
            /* The return on investment and the bridge are the total's. */
            c.attributable = block_attributable(p, &c, j, end, total);
            c.naive = block_naive(p, total);
            write_roi(p, &c, total);
            write_bridge(p, &c, total, rule);
        }
        write_cost_notes(p, &c, j, end, 0);
        write_completers(p, &c, j, end, w0, w1, rule);
        j = end;
    }
    svg_raw(&p->s, "<p class=\"key\">* hidden by disclosure control, with the event counts it "
                   "rests on; - not computable (why is below the table).</p>\n");
    for (size_t j = 0; j < n_wellbeing; j++)
        write_wellbeing(p, &wellbeing[j]);
    svg_raw(&p->s, "</section>\n");
    free(c.blocks);
}

/* ---- Caveats, definitions. ---- */

/* Whether some block has empirical Bayes's figures. */
static int has_eb(const struct page *p)
{
    for (size_t k = 0; k < p->n; k++)
        if (find(p, &p->blocks[k], PS_STAT_SU_EB_INDEX))
            return 1;
    return 0;
}

static void write_caveats(struct page *p)
{
    svg_raw(&p->s, "<section id=\"caveats\">\n<h2>What this cannot tell you</h2>\n<ul>\n<li>");
    svg_raw(&p->s, p->set->has_comparison
                       ? "The net rate ratio puts down to the service only the fall beyond the "
                         "comparison cohort's, and only as far as the two cohorts are alike."
                   : has_eb(p)
                       ? "The empirical-Bayes index puts down to the service only the fall "
                         "beyond what the population given predicts, and only as far as these "
                         "people were drawn from that population."
                       : "Without a comparison cohort, a fall cannot be attributed to the "
                         "service: report it as a change, not an effect.");
    svg_raw(&p->s, "</li>\n<li>People with a count before and none after (died, moved away, not "
                   "yet followed up) are not compared: their use after is unknown, not "
                   "zero.</li>\n<li>Rates count only the time each person was observed.</li>\n"
                   "<li>A fall in use is not a saving of money.</li>\n");
    if (p->costs_from < ps_service_report_count(p->report))
        svg_raw(&p->s, "<li>Notional cost avoidance is priced at average unit costs: fewer "
                       "attendances do not release their average cost from a budget.</li>\n");
    svg_raw(&p->s, "</ul>\n</section>\n");
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash && slash[1] ? slash + 1 : path;
}

static int measure_reported(const struct page *p, const char *id)
{
    for (size_t k = 0; k < p->n; k++)
        if (strcmp(p->blocks[k].unit, id) == 0)
            return 1;
    return 0;
}

static void write_definitions(struct page *p)
{
    const ps_service_definition_t *d = p->set->definition;
    svg_raw(&p->s, "<section id=\"definitions\">\n<h2>Definitions</h2>\n");
    static const char *const columns[] = {"Measure", "Label", "Unit", "Source", NULL};
    char caption[512];
    snprintf(caption, sizeof caption, "%s (%s version %s, %s)", ps_service_definition_title(d),
             ps_service_definition_id(d), ps_service_definition_version(d),
             base_name(ps_service_definition_file(d)));
    html_table_begin(&p->s, 0, caption, columns);
    for (size_t m = 0; m < ps_service_measure_count(d); m++) {
        const char *label, *unit, *source;
        int verified = 0;
        const char *id = ps_service_measure(d, m, NULL, &label, &unit, &source, &verified);
        if (!measure_reported(p, id))
            continue;
        svg_raw(&p->s, "<tr><th scope=\"row\">");
        svg_text(&p->s, id);
        svg_raw(&p->s, "</th><td>");
        svg_text(&p->s, label);
        svg_raw(&p->s, "</td><td>");
        svg_text(&p->s, unit);
        svg_raw(&p->s, "</td><td>");
        if (source) {
            svg_raw(&p->s, "<span class=\"source-id\">");
            svg_text(&p->s, source);
            svg_raw(&p->s, verified ? "</span>" : "</span> (not confirmed as official)");
        }
        svg_raw(&p->s, "</td></tr>\n");
    }
    html_table_end(&p->s);
    svg_raw(&p->s, "<p class=\"key\">Every statistic is defined, with its formula, in "
                   "promscore-statistics(7); the measures and the method in "
                   "docs/service-use.md.</p>\n<h3>Sources</h3>\n<dl>\n");
    for (size_t i = 0; i < ps_service_source_count(d); i++) {
        const char *text, *url;
        const char *id = ps_service_source(d, i, &text, &url);
        svg_raw(&p->s, "<dt class=\"source-id\">");
        svg_text(&p->s, id);
        svg_raw(&p->s, "</dt><dd>");
        svg_text(&p->s, text);
        if (url) {
            svg_raw(&p->s, "<br>");
            svg_text(&p->s, url);
        }
        svg_raw(&p->s, "</dd>\n");
    }
    svg_raw(&p->s, "</dl>\n</section>\n");
}

/* ---- How the page was made: each file named by its base name. ---- */

/* 'arg' with 'path' at its end (the whole argument, an option's "--output=PATH" or "-oPATH")
 * shown by the path's base name; NULL when it does not end so. */
static char *shown_as(const char *arg, const char *path)
{
    size_t n = strlen(arg), m = strlen(path);
    if (!m || m > n || strcmp(arg + n - m, path) != 0)
        return NULL;
    size_t prefix = n - m;
    if (prefix && !(arg[prefix - 1] == '=' || (prefix == 2 && arg[0] == '-')))
        return NULL;
    char *shown;
    return asprintf(&shown, "%.*s%s", (int)prefix, arg, base_name(path)) < 0 ? NULL : shown;
}

/* An argument with each file it names by its base name: the whole of it, or each item of a
 * comma-separated list (--comparison a/x.csv,b/y.csv). */
static char *shown_argument(const char *arg, const output_file_t *files, size_t n_files)
{
    for (size_t f = 0; f < n_files; f++)
        if (files[f].path && strcmp(files[f].path, "-") != 0) {
            char *shown = shown_as(arg, files[f].path);
            if (shown)
                return shown;
        }
    char *copy = strdup(arg), *out = malloc(strlen(arg) + 1);
    if (!copy || !out) {
        free(copy);
        free(out);
        return NULL;
    }
    out[0] = '\0';
    char *item = copy;
    for (char *comma; item; item = comma) {
        comma = strchr(item, ',');
        if (comma)
            *comma++ = '\0';
        const char *name = item;
        for (size_t f = 0; f < n_files && name == item; f++)
            if (files[f].path && strcmp(files[f].path, "-") != 0) {
                char *shown = shown_as(item, files[f].path);
                if (shown) {
                    strcat(out, shown); /* never longer than the item */
                    free(shown);
                    name = NULL;
                }
            }
        if (name)
            strcat(out, item);
        if (comma)
            strcat(out, ",");
    }
    free(copy);
    return out;
}

static int write_made(struct page *p, int argc, char *const *argv, const output_file_t *files,
                      size_t n_files)
{
    char **shown = calloc((size_t)argc + 1, sizeof *shown);
    const char **inputs = calloc(n_files + 1, sizeof *inputs);
    int n_shown = 0, failed = !shown || !inputs;
    if (!failed && !(shown[n_shown++] = strdup("promscore")))
        failed = 1;
    for (int i = 0; !failed && i < argc; i++)
        if (!(shown[n_shown++] = shown_argument(argv[i], files, n_files)))
            failed = 1;
    /* The counts of the people referred, then the comparison cohort's, then the unit costs and
     * the price index. */
    static const char *const roles[] = {"input", "--comparison", "--unit-costs", "--price-index"};
    size_t n_inputs = 0;
    for (size_t pass = 0; pass < sizeof roles / sizeof roles[0] && inputs; pass++)
        for (size_t f = 0; f < n_files; f++)
            if (files[f].path && strcmp(files[f].role, roles[pass]) == 0)
                inputs[n_inputs++] = base_name(files[f].path);
    if (!failed) {
        report_made_t made = {n_shown, shown, inputs, n_inputs, p->set->warning};
        html_made(&p->s, &made);
    }
    for (int i = 0; shown && i < n_shown; i++)
        free(shown[i]);
    free(shown);
    free(inputs);
    return failed ? -1 : 0;
}

void service_write_html(output_t *out, const ps_service_report_t *report, const service_setting_t *set,
                        int argc, char *const *argv, const output_file_t *files, size_t n_files)
{
    struct page p = {SVG_INIT, report, set, NULL, 0, 0, 0};
    if (read_blocks(&p) != 0) {
        out->error = ENOMEM;
        return;
    }
    html_page_begin(&p.s, "Service use before and after", set->warning);
    svg_raw(&p.s, "<h1>Service use before and after</h1>\n<p class=\"lead\">How the service use "
                  "of the people referred changed from before their referral to after it, in "
                  "rates per person-year: ");
    int first = 1;
    for (size_t k = 0; k < p.n; k++) {
        if (!first_of_measure(&p, k))
            continue;
        const char *label, *what;
        measure_words(&p, p.blocks[k].unit, &label, &what);
        svg_raw(&p.s, first ? "" : ", ");
        svg_text(&p.s, label);
        first = 0;
    }
    svg_raw(&p.s, ".</p>\n</header>\n<main>\n");
    write_selection(&p);
    write_headline(&p);
    write_measures(&p);
    write_costs(&p, files, n_files);
    html_disclosure(&p.s, ps_service_report_disclosure_rule(report),
                    ps_service_report_audit(report), 0);
    write_caveats(&p);
    write_definitions(&p);
    if (write_made(&p, argc, argv, files, n_files) != 0)
        p.s.failed = 1;
    html_page_end(&p.s, out);
    free(p.blocks);
}
