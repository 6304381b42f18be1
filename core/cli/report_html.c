/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * promscore report -f html: one self-contained page for a board paper. Inline
 * CSS and SVG, no script, nothing fetched (a Content-Security-Policy says so
 * to the browser), printable on A4 with a page per instrument.
 *
 * Every number on the page is a statistic of the report as disclosure control
 * left it, written as the headline formats it; a chart draws only what its
 * table beside it gives, and what is hidden is drawn as hidden. Every text
 * from data (labels, group values, file names) is escaped.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "html_page.h"

struct page {
    svg_t s;
    const ps_report_t *report;
    ps_report_block_t *blocks;
    size_t n;
    unsigned charts;            /* drawn so far, for their ids */
    const char *warning;        /* not for release: see report_made_t */
};

static int shown(const ps_statistic_t *st)
{
    return st && st->shown == PS_SHOWN && isfinite(st->value);
}

static const ps_statistic_t *find(const struct page *p, const ps_report_block_t *b,
                                  ps_statistic_id_t id, const char *param)
{
    return ps_report_block_find(p->report, b, id, param);
}

/* A group's label in HTML: "site: <bdi>Dalston</bdi>", "Whole cohort". */
static void group_html(struct page *p, const char *group)
{
    const char *eq = strchr(group, '=');
    if (strcmp(group, "all") == 0) {
        svg_raw(&p->s, "Whole cohort");
    } else if (eq) {
        char column[256];
        snprintf(column, sizeof column, "%.*s", (int)(eq - group), group);
        svg_text(&p->s, column);
        svg_raw(&p->s, ": ");
        html_data_text(&p->s, eq + 1);
    } else {
        html_data_text(&p->s, group);
    }
}

/* "site: Dalston" for "site=Dalston"; "Whole cohort" for "all". */
static void group_label(const char *group, char *to, size_t size)
{
    const char *eq = strchr(group, '=');
    if (strcmp(group, "all") == 0)
        snprintf(to, size, "Whole cohort");
    else if (eq)
        snprintf(to, size, "%.*s: %s", (int)(eq - group), group, eq + 1);
    else
        snprintf(to, size, "%s", group);
}

static const char *unit_label(const ps_report_block_t *b)
{
    return b->scale ? ps_scale_label(b->scale) : b->unit;
}

/* Whether block k is the first headline row of its instrument (a pool's rows come after
 * every scale's). */
static int first_of_instrument(const struct page *p, size_t k)
{
    if (!headline_row(p->blocks, p->n, k))
        return 0;
    for (size_t j = 0; j < k; j++)
        if (p->blocks[j].instrument == p->blocks[k].instrument && headline_row(p->blocks, p->n, j))
            return 0;
    return 1;
}

/* ---- The headline table. ---- */

static const struct {
    const char *title;
    int column; /* ps_headline_column_t, or -1 for the mean change with its interval */
} headline_columns[] = {
    {"At baseline", PS_HEADLINE_N_BASELINE},
    {"Followed up", PS_HEADLINE_N_FOLLOWUP},
    {"Paired", PS_HEADLINE_N_PAIRED},
    {"Lost to follow-up", PS_HEADLINE_LOSS_RATE},
    {"Mean at baseline", PS_HEADLINE_MEAN_BASELINE},
    {"Mean at follow-up", PS_HEADLINE_MEAN_FOLLOWUP},
    {"Mean change (95% CI)", -1},
    {"Improved meaningfully", PS_HEADLINE_SHARE_IMPROVED},
    {"Reliably improved", PS_HEADLINE_SHARE_RELIABLE_IMPROVED},
    {"Left the worst band", PS_HEADLINE_LEFT_WORST_BAND},
};

static void change_with_interval(struct page *p, const ps_report_block_t *b)
{
    const ps_statistic_t *mean = b->headline[PS_HEADLINE_MEAN_CHANGE],
                         *lo = b->headline[PS_HEADLINE_CI_LOW],
                         *hi = b->headline[PS_HEADLINE_CI_HIGH];
    headline_text_t m = headline_figure(mean);
    svg_raw(&p->s, strcmp(m.s, "*") == 0 ? "<td class=\"num hidden\">" : "<td class=\"num\">");
    svg_text(&p->s, m.s);
    if (shown(mean) && lo && (shown(lo) || lo->shown == PS_SUPPRESSED)) {
        svg_raw(&p->s, " (");
        html_figure_text(&p->s, lo);
        svg_raw(&p->s, " to ");
        html_figure_text(&p->s, hi);
        svg_raw(&p->s, ")");
    }
    svg_raw(&p->s, "</td>");
}

static void headline_row_cells(struct page *p, const ps_report_block_t *b)
{
    svg_raw(&p->s, "<td>");
    svg_text(&p->s, b->scale ? (ps_scale_lower_is_better(b->scale) ? "lower" : "higher") : "-");
    svg_raw(&p->s, "</td>");
    for (size_t c = 0; c < sizeof headline_columns / sizeof headline_columns[0]; c++) {
        if (headline_columns[c].column < 0)
            change_with_interval(p, b);
        else
            html_figure_cell(&p->s, b->headline[headline_columns[c].column]);
    }
}

/* The thresholds and worst band a headline row's shares rest on, in words. */
static void row_notes(struct page *p, const ps_report_block_t *b)
{
    const ps_statistic_t *m = find(p, b, PS_STAT_MEANINGFUL_CHANGE, NULL),
                         *rc = find(p, b, PS_STAT_RELIABLE_CHANGE, NULL);
    svg_raw(&p->s, "<li><b>");
    svg_text(&p->s, unit_label(b));
    svg_raw(&p->s, "</b> (");
    svg_text(&p->s, ps_instrument_title(b->instrument));
    svg_raw(&p->s, ")");
    if (shown(m)) {
        svg_raw(&p->s, ": improved meaningfully by at least ");
        html_figure_text(&p->s, m);
        svg_raw(&p->s, " points");
    }
    if (shown(rc)) {
        char rule[160];
        reliable_rule_words(p->report, b, rule, sizeof rule);
        svg_raw(&p->s, "; reliably, by ");
        svg_text(&p->s, rule);
    }
    if (b->worst_band) {
        svg_raw(&p->s, "; worst band: ");
        svg_text(&p->s, b->worst_band);
    }
    svg_raw(&p->s, ".</li>\n");
}

static void write_headline(struct page *p)
{
    const char *comparison = NULL;
    for (size_t k = 0; k < p->n; k++)
        if (headline_row(p->blocks, p->n, k))
            comparison = p->blocks[k].comparison;
    svg_raw(&p->s, "<section id=\"headline\">\n<h2>Headline</h2>\n");
    if (!comparison) {
        svg_raw(&p->s, "<p>No scale has a baseline and a follow-up to compare.</p>\n</section>\n");
        return;
    }
    char words[256];
    comparison_words(comparison, words, sizeof words);
    svg_raw(&p->s, "<table class=\"headline\">\n<caption>The whole cohort, ");
    svg_text(&p->s, words);
    svg_raw(&p->s, "</caption>\n<thead><tr><th scope=\"col\">Scale</th>"
                   "<th scope=\"col\">Better</th>");
    for (size_t c = 0; c < sizeof headline_columns / sizeof headline_columns[0]; c++) {
        svg_raw(&p->s, "<th scope=\"col\">");
        svg_text(&p->s, headline_columns[c].title);
        svg_raw(&p->s, "</th>");
    }
    svg_raw(&p->s, "</tr></thead>\n<tbody>\n");
    for (size_t k = 0; k < p->n; k++) {
        if (!headline_row(p->blocks, p->n, k))
            continue;
        svg_raw(&p->s, "<tr><th scope=\"row\">");
        svg_text(&p->s, unit_label(&p->blocks[k]));
        svg_raw(&p->s, "</th>");
        headline_row_cells(p, &p->blocks[k]);
        svg_raw(&p->s, "</tr>\n");
    }
    svg_raw(&p->s, "</tbody>\n</table>\n<ul class=\"key\">\n");
    for (size_t k = 0; k < p->n; k++)
        if (headline_row(p->blocks, p->n, k))
            row_notes(p, &p->blocks[k]);
    svg_raw(&p->s,
            "</ul>\n<p class=\"key\">Counts are people. &#8220;Lost to follow-up&#8221; is the "
            "share of those at baseline with no follow-up score; the other shares are of those "
            "paired (a score at both). &#8220;Left the worst band&#8221; is the share of those "
            "in the worst band at baseline who moved to a better one. * hidden by disclosure "
            "control (small numbers, or numbers that would reveal one); - not given by the "
            "definition, or not computable.</p>\n</section>\n");
}

/* ---- Participant flow. ---- */

/* The whole cohort's blocks of one unit, in comparison order. */
static size_t unit_blocks(const struct page *p, const char *unit, const char *group,
                          const ps_report_block_t **out, size_t most)
{
    size_t n = 0;
    for (size_t k = 0; k < p->n && n < most; k++)
        if (p->blocks[k].unit == unit && strcmp(p->blocks[k].group, group) == 0)
            out[n++] = &p->blocks[k];
    return n;
}

static const char *follow_up_label(const char *comparison)
{
    const char *arrow = strstr(comparison, "->");
    return arrow ? arrow + 2 : comparison;
}

static void count_line(struct page *p, double x, double y, const char *before,
                       const ps_statistic_t *st, const char *after, const char *klass)
{
    char text[512];
    snprintf(text, sizeof text, "%s%s%s", before, headline_figure(st).s, after);
    svg_label(&p->s, x, y, "middle", klass, text);
}

enum { MAX_COMPARISONS = 70 };

/* A timepoint's name in its box of the flow diagram, cut with an ellipsis to fit. */
static const double box_label_ems = 20;

static void write_flow(struct page *p, const ps_report_block_t *first)
{
    const ps_report_block_t *chain[MAX_COMPARISONS];
    size_t n = unit_blocks(p, first->unit, "all", chain, MAX_COMPARISONS);
    /* Each timepoint, not each person's last follow-up (which mixes them). */
    size_t m = 0;
    for (size_t k = 0; k < n; k++)
        if (strcmp(follow_up_label(chain[k]->comparison), "end") != 0)
            chain[m++] = chain[k];
    if (!m)
        return;
    char title[512], desc[2048], baseline[128];
    const char *arrow = strstr(chain[0]->comparison, "->");
    snprintf(baseline, sizeof baseline, "%.*s",
             (int)(arrow ? arrow - chain[0]->comparison : 0), chain[0]->comparison);
    snprintf(title, sizeof title, "Participant flow: %s", unit_label(first));
    int used = snprintf(desc, sizeof desc, "%s people with a score at %s",
                        headline_figure(chain[0]->headline[PS_HEADLINE_N_BASELINE]).s, baseline);
    for (size_t k = 0; k < m && used > 0 && (size_t)used < sizeof desc; k++)
        used += snprintf(desc + used, sizeof desc - (size_t)used,
                         "; at %s, %s paired with their baseline and %s not followed up",
                         follow_up_label(chain[k]->comparison),
                         headline_figure(chain[k]->headline[PS_HEADLINE_N_PAIRED]).s,
                         headline_figure(find(p, chain[k], PS_STAT_LOST_TO_FOLLOWUP, NULL)).s);
    const double width = 600, box_w = 260, box_h = 46, gap = 34, cx = 170;
    const double height = 10 + box_h + (double)m * (gap + box_h) + 10;
    html_chart_begin(&p->s, &p->charts, NULL, width, height, title, desc);
    double y = 10;
    svg_rect(&p->s, cx - box_w / 2, y, box_w, box_h, "box");
    svg_label_fit(&p->s, cx, y + 19, "middle", NULL, baseline, box_label_ems);
    count_line(p, cx, y + 36, "", chain[0]->headline[PS_HEADLINE_N_BASELINE],
               " people with a score", NULL);
    for (size_t k = 0; k < m; k++) {
        double top = y + box_h, next = top + gap;
        svg_line(&p->s, cx, top, cx, next - 2, "arrow");
        svg_line(&p->s, cx - 5, next - 8, cx, next - 2, "arrow");
        svg_line(&p->s, cx + 5, next - 8, cx, next - 2, "arrow");
        /* Those lost since baseline, beside the arrow. */
        double lx = cx + box_w / 2 + 20, lw = width - lx - 10;
        svg_line(&p->s, cx, top + gap / 2, lx, top + gap / 2, "axis");
        svg_rect(&p->s, lx, top + gap / 2 - 17, lw, 34, "lost");
        char after[160];
        snprintf(after, sizeof after, " not followed up (%s)",
                 headline_figure(chain[k]->headline[PS_HEADLINE_LOSS_RATE]).s);
        count_line(p, lx + lw / 2, top + gap / 2 + 4,
                   "", find(p, chain[k], PS_STAT_LOST_TO_FOLLOWUP, NULL), after, NULL);
        y = next;
        svg_rect(&p->s, cx - box_w / 2, y, box_w, box_h, "box");
        svg_label_fit(&p->s, cx, y + 19, "middle", NULL, follow_up_label(chain[k]->comparison),
                      box_label_ems);
        count_line(p, cx, y + 36, "", chain[k]->headline[PS_HEADLINE_N_PAIRED],
                   " paired with their baseline", NULL);
    }
    svg_end(&p->s);
    static const char *const columns[] = {"Timepoint", "With a score", "Paired with baseline",
                                          "Not followed up", "Share of baseline", NULL};
    html_table_begin(&p->s, 0, title, columns);
    svg_raw(&p->s, "<tr><th scope=\"row\">");
    html_data_text(&p->s, baseline);
    svg_raw(&p->s, "</th>");
    html_figure_cell(&p->s, chain[0]->headline[PS_HEADLINE_N_BASELINE]);
    svg_raw(&p->s, "<td></td><td></td><td></td></tr>\n");
    for (size_t k = 0; k < m; k++) {
        svg_raw(&p->s, "<tr><th scope=\"row\">");
        html_data_text(&p->s, follow_up_label(chain[k]->comparison));
        svg_raw(&p->s, "</th>");
        html_figure_cell(&p->s, chain[k]->headline[PS_HEADLINE_N_FOLLOWUP]);
        html_figure_cell(&p->s, chain[k]->headline[PS_HEADLINE_N_PAIRED]);
        html_figure_cell(&p->s, find(p, chain[k], PS_STAT_LOST_TO_FOLLOWUP, NULL));
        html_figure_cell(&p->s, chain[k]->headline[PS_HEADLINE_LOSS_RATE]);
        svg_raw(&p->s, "</tr>\n");
    }
    html_table_end(&p->s);
    html_chart_end(&p->s);
}

static void write_flows(struct page *p)
{
    svg_raw(&p->s, "<section id=\"flow\">\n<h2>Participant flow</h2>\n<p class=\"lead\">People "
                   "with a score at baseline, and at each follow-up how many were paired with "
                   "their baseline and how many were not followed up, for each instrument's "
                   "first scale.</p>\n");
    for (size_t k = 0; k < p->n; k++) {
        const ps_report_block_t *b = &p->blocks[k];
        if (!first_of_instrument(p, k))
            continue;
        svg_raw(&p->s, "<h3>");
        svg_text(&p->s, ps_instrument_title(b->instrument));
        svg_raw(&p->s, "</h3>\n");
        write_flow(p, b);
    }
    svg_raw(&p->s, "</section>\n");
}

/* ---- Individual change, in the ranges the thresholds make. ---- */

/* One range of change and the catalogue count of those in it. */
struct range {
    double from, to;            /* points of change (follow-up - baseline) */
    const char *words;
    const ps_statistic_t *count;
    const char *klass;
};

static void range_panel(struct page *p, const struct range *r, size_t n, double top,
                        double height, const svg_scale_t *x, double most, const char *title)
{
    svg_label(&p->s, x->r0, top + 12, "start", NULL, title);
    const double base = top + height;
    height -= 18;
    for (size_t k = 0; k < n; k++) {
        double x0 = svg_map(x, r[k].from), x1 = svg_map(x, r[k].to);
        double w = fabs(x1 - x0) - 2, left = fmin(x0, x1) + 1;
        if (shown(r[k].count)) {
            double h = most > 0 ? r[k].count->value / most * (height - 20) : 0;
            svg_rect(&p->s, left, base - h, w, h, r[k].klass);
            svg_label(&p->s, left + w / 2, base - h - 4, "middle", NULL,
                      headline_figure(r[k].count).s);
        } else {
            svg_rect(&p->s, left, base - 18, w, 18, "hidden");
            svg_label(&p->s, left + w / 2, base - 22, "middle", "small",
                      r[k].count ? "hidden" : "-");
        }
    }
    svg_line(&p->s, x->r0, base, x->r1, base, "axis");
}

static void write_change(struct page *p, const ps_report_block_t *b)
{
    const ps_scale_t *scale = b->scale;
    const ps_statistic_t *m = find(p, b, PS_STAT_MEANINGFUL_CHANGE, NULL),
                         *rc = find(p, b, PS_STAT_RELIABLE_CHANGE, NULL);
    if (!shown(m) && !shown(rc))
        return;
    const double sign = ps_scale_lower_is_better(scale) ? -1 : 1;
    const double widest = ps_scale_max(scale) - ps_scale_min(scale);
    double threshold = fmax(shown(m) ? m->value : 0, shown(rc) ? rc->value : 0);
    double limit = fmin(widest, 2.5 * threshold);
    if (!(limit > 0))
        limit = 1;
    double ticks[16], step;
    size_t n_ticks = svg_ticks(-limit, limit, 9, ticks, &step);
    limit = fmax(fabs(ticks[0]), fabs(ticks[n_ticks - 1]));
    if (limit < threshold)
        limit = threshold + step;
    const double width = 640, left = 20, right = 620, panel = 110;
    const int panels = shown(m) + shown(rc);
    const double height = 20 + panels * (panel + 10) + 40;
    svg_scale_t x = {-limit, limit, left, right};
    struct range meaningful[3], reliable[3];
    const char *better_side = sign > 0 ? "bar-better" : "bar-worse";
    const char *worse_side = sign > 0 ? "bar-worse" : "bar-better";
    if (shown(m)) {
        const ps_statistic_t *low = find(p, b, sign > 0 ? PS_STAT_N_DETERIORATED : PS_STAT_N_IMPROVED, NULL),
                             *high = find(p, b, sign > 0 ? PS_STAT_N_IMPROVED : PS_STAT_N_DETERIORATED, NULL);
        meaningful[0] = (struct range){-limit, -m->value, sign > 0 ? "deteriorated" : "improved", low, worse_side};
        meaningful[1] = (struct range){-m->value, m->value, "unchanged", find(p, b, PS_STAT_N_UNCHANGED, NULL), "bar-same"};
        meaningful[2] = (struct range){m->value, limit, sign > 0 ? "improved" : "deteriorated", high, better_side};
    }
    if (shown(rc)) {
        const ps_statistic_t *low = find(p, b, sign > 0 ? PS_STAT_N_RELIABLE_DETERIORATED : PS_STAT_N_RELIABLE_IMPROVED, NULL),
                             *high = find(p, b, sign > 0 ? PS_STAT_N_RELIABLE_IMPROVED : PS_STAT_N_RELIABLE_DETERIORATED, NULL);
        reliable[0] = (struct range){-limit, -rc->value, sign > 0 ? "reliably deteriorated" : "reliably improved", low, worse_side};
        reliable[1] = (struct range){-rc->value, rc->value, "no reliable change", find(p, b, PS_STAT_N_NO_RELIABLE_CHANGE, NULL), "bar-same"};
        reliable[2] = (struct range){rc->value, limit, sign > 0 ? "reliably improved" : "reliably deteriorated", high, better_side};
    }
    double most = 0;
    for (int k = 0; k < 3; k++) {
        if (shown(m) && shown(meaningful[k].count))
            most = fmax(most, meaningful[k].count->value);
        if (shown(rc) && shown(reliable[k].count))
            most = fmax(most, reliable[k].count->value);
    }
    char title[512], desc[2048];
    snprintf(title, sizeof title, "Individual change: %s", unit_label(b));
    int used = snprintf(desc, sizeof desc, "Change from baseline to follow-up of each person "
                                           "paired, counted in the ranges the thresholds make");
    for (int pass = 0; pass < 2; pass++) {
        const struct range *r = pass ? reliable : meaningful;
        if (!(pass ? shown(rc) : shown(m)))
            continue;
        for (int k = 0; k < 3 && used > 0 && (size_t)used < sizeof desc; k++)
            used += snprintf(desc + used, sizeof desc - (size_t)used, "; %s: %s", r[k].words,
                             headline_figure(r[k].count).s);
    }
    html_chart_begin(&p->s, &p->charts, "Individual change", width, height, title, desc);
    for (size_t t = 0; t < n_ticks; t++) {
        double tx = svg_map(&x, ticks[t]);
        svg_line(&p->s, tx, 20, tx, height - 32, ticks[t] == 0 ? "zero" : "grid");
        char label[32];
        snprintf(label, sizeof label, "%g", ticks[t]);
        svg_label(&p->s, tx, height - 20, "middle", "small", label);
    }
    svg_label(&p->s, (left + right) / 2, height - 5, "middle", "small",
              sign > 0 ? "change in points (follow-up minus baseline; higher is better)"
                       : "change in points (follow-up minus baseline; lower is better)");
    double top = 20;
    char name[160];
    if (shown(m)) {
        snprintf(name, sizeof name, "Meaningful change: at least %s points",
                 headline_figure(m).s);
        range_panel(p, meaningful, 3, top, panel, &x, most, name);
        svg_line(&p->s, svg_map(&x, -m->value), top + 18, svg_map(&x, -m->value), top + panel, "threshold");
        svg_line(&p->s, svg_map(&x, m->value), top + 18, svg_map(&x, m->value), top + panel, "threshold");
        top += panel + 10;
    }
    if (shown(rc)) {
        char rule[120];
        reliable_rule_words(p->report, b, rule, sizeof rule);
        snprintf(name, sizeof name, "Reliable change: %s", rule);
        range_panel(p, reliable, 3, top, panel, &x, most, name);
        svg_line(&p->s, svg_map(&x, -rc->value), top + 18, svg_map(&x, -rc->value), top + panel, "threshold");
        svg_line(&p->s, svg_map(&x, rc->value), top + 18, svg_map(&x, rc->value), top + panel, "threshold");
    }
    svg_end(&p->s);
    static const char *const columns[] = {"Threshold", "Worse", "Within the threshold", "Better",
                                          NULL};
    html_table_begin(&p->s, 0, title, columns);
    for (int pass = 0; pass < 2; pass++) {
        const struct range *r = pass ? reliable : meaningful;
        const ps_statistic_t *t = pass ? rc : m;
        if (!shown(t))
            continue;
        svg_raw(&p->s, pass ? "<tr><th scope=\"row\">Reliable: more than " : "<tr><th scope=\"row\">Meaningful: at least ");
        html_figure_text(&p->s, t);
        svg_raw(&p->s, " points</th>");
        /* Worse, within, better: in the scale's better direction. */
        html_figure_cell(&p->s, r[sign > 0 ? 0 : 2].count);
        html_figure_cell(&p->s, r[1].count);
        html_figure_cell(&p->s, r[sign > 0 ? 2 : 0].count);
        svg_raw(&p->s, "</tr>\n");
    }
    html_table_end(&p->s);
    html_chart_end(&p->s);
}

/* ---- Bands before and after, and the transitions. ---- */

/* Bands from worst to best: ascending, or descending where lower is better. */
static size_t band_at(const ps_scale_t *scale, size_t k)
{
    size_t n = ps_scale_band_count(scale);
    return ps_scale_lower_is_better(scale) ? n - 1 - k : k;
}

/* The colour of the k'th band of nb, worst first: from red (worst) to green (best). */
static void band_class(size_t k, size_t nb, char *to, size_t size)
{
    snprintf(to, size, "band%zu", nb > 1 ? (k * 4 + (nb - 1) / 2) / (nb - 1) : 4);
}

static void write_bands(struct page *p, const ps_report_block_t *b)
{
    const ps_scale_t *scale = b->scale;
    const size_t nb = ps_scale_band_count(scale);
    if (!nb)
        return;
    const double width = 640, left = 90, right = 620, bar = 34;
    const double height = 20 + 2 * (bar + 12) + 26 * (double)((nb + 2) / 3) + 16;
    char title[512], desc[4096];
    snprintf(title, sizeof title, "Bands at baseline and follow-up: %s", unit_label(b));
    int used = snprintf(desc, sizeof desc, "Share of those paired in each band, worst first");
    for (size_t k = 0; k < nb && used > 0 && (size_t)used < sizeof desc; k++) {
        const char *band = ps_scale_band(scale, band_at(scale, k), NULL, NULL);
        used += snprintf(desc + used, sizeof desc - (size_t)used, "; %s: %s at baseline, %s at follow-up",
                         band, headline_figure(find(p, b, PS_STAT_SHARE_BASELINE_BAND, band)).s,
                         headline_figure(find(p, b, PS_STAT_SHARE_FOLLOWUP_BAND, band)).s);
    }
    html_chart_begin(&p->s, &p->charts, "Bands before and after", width, height, title, desc);
    svg_scale_t x = {0, 1, left, right};
    for (int row = 0; row < 2; row++) {
        const ps_statistic_id_t which = row ? PS_STAT_SHARE_FOLLOWUP_BAND : PS_STAT_SHARE_BASELINE_BAND;
        double y = 20 + row * (bar + 12), at = 0, hidden = 1;
        svg_label(&p->s, left - 8, y + bar / 2 + 4, "end", NULL, row ? "Follow-up" : "Baseline");
        /* The hidden bands hold together what the shown ones leave: drawn, never labelled, in
         * their place when they are neighbours, else after the shown ones. */
        size_t runs = 0;
        int before = 0;
        for (size_t k = 0; k < nb; k++) {
            const ps_statistic_t *share = find(p, b, which, ps_scale_band(scale, band_at(scale, k), NULL, NULL));
            int is_hidden = !shown(share);
            runs += is_hidden && !before;
            before = is_hidden;
            hidden -= shown(share) ? share->value : 0;
        }
        int drawn = 0;
        for (size_t k = 0; k <= nb; k++) {
            const ps_statistic_t *share =
                k < nb ? find(p, b, which, ps_scale_band(scale, band_at(scale, k), NULL, NULL)) : NULL;
            if ((k < nb && !shown(share) && runs == 1) || (k == nb && runs > 1)) {
                if (!drawn && hidden > 1e-9) {
                    double x0 = svg_map(&x, at), x1 = svg_map(&x, at + hidden);
                    svg_rect(&p->s, x0, y, x1 - x0, bar, "hidden");
                    if (x1 - x0 > 40)
                        svg_label(&p->s, (x0 + x1) / 2, y + bar / 2 + 4, "middle", "small", "hidden");
                    at += hidden;
                }
                drawn = 1;
                continue;
            }
            if (!shown(share) || share->value <= 0)
                continue;
            char klass[16];
            band_class(k, nb, klass, sizeof klass);
            double x0 = svg_map(&x, at), x1 = svg_map(&x, at + share->value);
            svg_rect(&p->s, x0, y, x1 - x0, bar, klass);
            if (x1 - x0 > 40)
                svg_label(&p->s, (x0 + x1) / 2, y + bar / 2 + 4, "middle", NULL,
                          headline_figure(share).s);
            at += share->value;
        }
    }
    for (size_t k = 0; k < nb; k++) {
        double lx = left + (double)(k % 3) * 180, ly = 20 + 2 * (bar + 12) + 26 * (double)(k / 3) + 8;
        char klass[16];
        band_class(k, nb, klass, sizeof klass);
        svg_rect(&p->s, lx, ly, 14, 14, klass);
        svg_label(&p->s, lx + 20, ly + 11, "start", "small", ps_scale_band(scale, band_at(scale, k), NULL, NULL));
    }
    svg_end(&p->s);
    /* The numbers: each band, then the transitions. */
    static const char *const columns[] = {
        "Band (worst first)", "At baseline", "Share", "At follow-up", "Share",
        "Change in the band", "Of those in it at baseline, moved to a better band", NULL};
    html_table_begin(&p->s, 0, title, columns);
    for (size_t k = 0; k < nb; k++) {
        const char *band = ps_scale_band(scale, band_at(scale, k), NULL, NULL);
        svg_raw(&p->s, "<tr><th scope=\"row\">");
        svg_text(&p->s, band);
        svg_raw(&p->s, "</th>");
        html_figure_cell(&p->s, find(p, b, PS_STAT_N_BASELINE_BAND, band));
        html_figure_cell(&p->s, find(p, b, PS_STAT_SHARE_BASELINE_BAND, band));
        html_figure_cell(&p->s, find(p, b, PS_STAT_N_FOLLOWUP_BAND, band));
        html_figure_cell(&p->s, find(p, b, PS_STAT_SHARE_FOLLOWUP_BAND, band));
        html_figure_cell(&p->s, find(p, b, PS_STAT_BAND_CHANGE, band));
        html_figure_cell(&p->s, find(p, b, PS_STAT_MOVED_BETTER_FROM, band));
        svg_raw(&p->s, "</tr>\n");
    }
    html_table_end(&p->s);
    svg_raw(&p->s, "<table>\n<caption>Band transitions: ");
    svg_text(&p->s, unit_label(b));
    svg_raw(&p->s, " (rows: band at baseline; columns: band at follow-up)</caption>\n"
                   "<thead><tr><th scope=\"col\">Baseline \\ follow-up</th>");
    for (size_t z = 0; z < nb; z++) {
        svg_raw(&p->s, "<th scope=\"col\">");
        svg_text(&p->s, ps_scale_band(scale, band_at(scale, z), NULL, NULL));
        svg_raw(&p->s, "</th>");
    }
    svg_raw(&p->s, "</tr></thead>\n<tbody>\n");
    for (size_t a = 0; a < nb; a++) {
        const char *from = ps_scale_band(scale, band_at(scale, a), NULL, NULL);
        svg_raw(&p->s, "<tr><th scope=\"row\">");
        svg_text(&p->s, from);
        svg_raw(&p->s, "</th>");
        for (size_t z = 0; z < nb; z++) {
            const char *to = ps_scale_band(scale, band_at(scale, z), NULL, NULL);
            const ps_statistic_t *cell = NULL;
            for (size_t i = b->start; i < b->end && !cell; i++) {
                const ps_statistic_t *s = ps_report_statistic(p->report, i);
                if (s->id == PS_STAT_TRANSITION && !s->category && strcmp(s->param[0], from) == 0 &&
                    strcmp(s->param[1], to) == 0)
                    cell = s;
            }
            html_figure_cell(&p->s, cell);
        }
        svg_raw(&p->s, "</tr>\n");
    }
    html_table_end(&p->s);
    html_chart_end(&p->s);
}

/* ---- Groups: the mean change with its interval beside the whole cohort's. ---- */

enum { MAX_GROUPS = 1 + 100 * 8 };

/* Groups in one chart of the mean change: more are drawn in further charts, each fitting on a
 * printed page with its axis and the whole cohort's row at its top. */
enum { GROUPS_PER_CHART = 30 };

/* A group's label in a chart: "site: Dalston", cut with an ellipsis to fit the labels' column
 * (the whole name is in the table, the chart's description and the label's title). */
static const double forest_label_ems = 15;

/* One chart of the mean change: the whole cohort (rows[0]) and rows[from .. to - 1]. */
static void forest_chart(struct page *p, const ps_report_block_t *const *rows, size_t from,
                         size_t to, const svg_scale_t *x, const double *ticks, size_t n_ticks)
{
    const double width = 640, left = x->r0, right = x->r1, row_h = 24;
    const size_t shown_rows = 1 + to - from;
    const double height = 30 + row_h * (double)shown_rows + 40;
    char title[512], desc[8192], words[256];
    comparison_words(rows[0]->comparison, words, sizeof words);
    snprintf(title, sizeof title, "Mean change by group: %s%s", unit_label(rows[0]),
             from == 1 ? "" : " (continued)");
    int used = snprintf(desc, sizeof desc, "Mean change with its 95%% confidence interval, %s",
                        words);
    for (size_t i = 0; i < shown_rows && used > 0 && (size_t)used < sizeof desc; i++) {
        const ps_report_block_t *r = rows[i ? from + i - 1 : 0];
        char group[1024];
        group_label(r->group, group, sizeof group);
        used += snprintf(desc + used, sizeof desc - (size_t)used, "; %s: %s (%s to %s)", group,
                         headline_figure(r->headline[PS_HEADLINE_MEAN_CHANGE]).s,
                         headline_figure(r->headline[PS_HEADLINE_CI_LOW]).s,
                         headline_figure(r->headline[PS_HEADLINE_CI_HIGH]).s);
    }
    html_chart_begin(&p->s, &p->charts, from == 1 ? "Mean change by group" : NULL, width, height,
                     title, desc);
    const double bottom = 30 + row_h * (double)shown_rows;
    for (size_t t = 0; t < n_ticks; t++) {
        double tx = svg_map(x, ticks[t]);
        svg_line(&p->s, tx, 24, tx, bottom, ticks[t] == 0 ? "zero" : "grid");
        char label[32];
        snprintf(label, sizeof label, "%g", ticks[t]);
        svg_label(&p->s, tx, bottom + 14, "middle", "small", label);
    }
    svg_label(&p->s, (left + right) / 2, bottom + 32, "middle", "small",
              "mean change in points, with its 95% confidence interval");
    svg_label(&p->s, right + 12, 18, "start", "small", "mean (95% CI)");
    for (size_t i = 0; i < shown_rows; i++) {
        const ps_report_block_t *r = rows[i ? from + i - 1 : 0];
        double y = 30 + row_h * (double)i + row_h / 2;
        char group[1024], value[320];
        group_label(r->group, group, sizeof group);
        svg_label_fit(&p->s, 8, y + 4, "start", NULL, group, forest_label_ems);
        const ps_statistic_t *mean = r->headline[PS_HEADLINE_MEAN_CHANGE],
                             *l = r->headline[PS_HEADLINE_CI_LOW],
                             *h = r->headline[PS_HEADLINE_CI_HIGH];
        if (!shown(mean)) {
            svg_label(&p->s, right + 12, y + 4, "start", "small",
                      mean && mean->shown == PS_SUPPRESSED ? "hidden" : "-");
            continue;
        }
        if (shown(l) && shown(h))
            svg_line(&p->s, svg_map(x, l->value), y, svg_map(x, h->value), y, "ci");
        double mx = svg_map(x, mean->value);
        svg_rect(&p->s, mx - 4, y - 4, 8, 8, i ? "point" : "point-all");
        if (shown(l) && shown(h))
            snprintf(value, sizeof value, "%s (%s to %s)", headline_figure(mean).s,
                     headline_figure(l).s, headline_figure(h).s);
        else
            snprintf(value, sizeof value, "%s", headline_figure(mean).s);
        svg_label(&p->s, right + 12, y + 4, "start", NULL, value);
    }
    svg_end(&p->s);
    svg_raw(&p->s, "</div>\n");
}

static void write_forest(struct page *p, const ps_report_block_t *all)
{
    const ps_report_block_t *rows[MAX_GROUPS];
    size_t n = 0;
    for (size_t k = 0; k < p->n && n < MAX_GROUPS; k++)
        if (p->blocks[k].unit == all->unit && p->blocks[k].comparison == all->comparison)
            rows[n++] = &p->blocks[k];
    if (n < 2)
        return;
    /* One axis for every chart of the scale, from the intervals shown. */
    double lo = 0, hi = 0;
    for (size_t k = 0; k < n; k++) {
        const ps_statistic_t *mean = rows[k]->headline[PS_HEADLINE_MEAN_CHANGE],
                             *l = rows[k]->headline[PS_HEADLINE_CI_LOW],
                             *h = rows[k]->headline[PS_HEADLINE_CI_HIGH];
        if (!shown(mean))
            continue;
        lo = fmin(lo, shown(l) ? l->value : mean->value);
        hi = fmax(hi, shown(h) ? h->value : mean->value);
    }
    double ticks[16], step;
    size_t n_ticks = svg_ticks(lo, hi, 7, ticks, &step);
    lo = fmin(lo, ticks[0]);
    hi = fmax(hi, ticks[n_ticks - 1]);
    const svg_scale_t x = {lo, hi, 190, 470};
    for (size_t from = 1; from < n; from += GROUPS_PER_CHART)
        forest_chart(p, rows, from, from + GROUPS_PER_CHART < n ? from + GROUPS_PER_CHART : n,
                     &x, ticks, n_ticks);
    char title[512];
    snprintf(title, sizeof title, "Mean change by group: %s", unit_label(all));
    /* A table longer than a printed page breaks between its rows. */
    static const char *const columns[] = {"Group", "Paired", "Mean change", "95% CI from", "to",
                                          NULL};
    html_table_begin(&p->s, n > GROUPS_PER_CHART, title, columns);
    for (size_t k = 0; k < n; k++) {
        svg_raw(&p->s, "<tr><th scope=\"row\">");
        group_html(p, rows[k]->group);
        svg_raw(&p->s, "</th>");
        html_figure_cell(&p->s, rows[k]->headline[PS_HEADLINE_N_PAIRED]);
        html_figure_cell(&p->s, rows[k]->headline[PS_HEADLINE_MEAN_CHANGE]);
        html_figure_cell(&p->s, rows[k]->headline[PS_HEADLINE_CI_LOW]);
        html_figure_cell(&p->s, rows[k]->headline[PS_HEADLINE_CI_HIGH]);
        svg_raw(&p->s, "</tr>\n");
    }
    html_table_end(&p->s);
}

/* ---- Per instrument, per scale. ---- */

static void write_scale(struct page *p, const ps_report_block_t *b);

/* A section per instrument, its scales then its pools. */
static void write_instruments(struct page *p)
{
    for (size_t k = 0; k < p->n; k++) {
        if (!first_of_instrument(p, k))
            continue;
        svg_raw(&p->s, "<section class=\"instrument\">\n");
        html_warning(&p->s, p->warning);
        svg_raw(&p->s, "<h2>");
        svg_text(&p->s, ps_instrument_title(p->blocks[k].instrument));
        svg_raw(&p->s, "</h2>\n");
        for (size_t j = k; j < p->n; j++)
            if (p->blocks[j].instrument == p->blocks[k].instrument &&
                headline_row(p->blocks, p->n, j))
                write_scale(p, &p->blocks[j]);
        svg_raw(&p->s, "</section>\n");
    }
}

static void write_scale(struct page *p, const ps_report_block_t *b)
{
    {
        char words[256];
        comparison_words(b->comparison, words, sizeof words);
        svg_raw(&p->s, "<h3>");
        svg_text(&p->s, unit_label(b));
        svg_raw(&p->s, "</h3>\n<p class=\"lead\">");
        svg_text(&p->s, words);
        svg_raw(&p->s, b->scale && ps_scale_lower_is_better(b->scale)
                           ? "; a lower score is better.</p>\n"
                           : "; a higher score is better.</p>\n");
        if (!b->scale) {
            svg_raw(&p->s, "<p>Pooled, one unit per person and member: its figures are in the "
                           "text report.</p>\n");
            return;
        }
        write_change(p, b);
        write_bands(p, b);
        write_forest(p, b);
    }
}

/* ---- Disclosure, caveats, definitions, how the page was made. ---- */

static void write_caveats(struct page *p)
{
    svg_raw(&p->s,
            "<section id=\"caveats\">\n<h2>What this cannot tell you</h2>\n<ul>\n"
            "<li>A before-and-after comparison has no comparison group: it cannot show that the "
            "service caused the change.</li>\n"
            "<li>People who start with low scores tend to score higher later anyway "
            "(regression to the mean), so some of the improvement would have happened "
            "regardless.</li>\n"
            "<li>Those lost to follow-up may differ from those who stayed: the text report "
            "compares their baseline scores.</li>\n"
            "<li>Each person's last follow-up mixes timepoints when there are several.</li>\n"
            "</ul>\n</section>\n");
}

/* The rules of a scale that a definition takes from its sources, in words. */
static const struct {
    ps_rule_t rule;
    const char *words;
} rules[] = {
    {PS_RULE_MISSING, "missing items"},   {PS_RULE_LOOKUP, "lookup table"},
    {PS_RULE_CALIBRATION, "calibration"}, {PS_RULE_BANDS, "bands"},
    {PS_RULE_MEANINGFUL, "meaningful change"}, {PS_RULE_RELIABLE, "reliable change"},
};

/* Which source each rule of the scales reported comes from. */
static void rule_sources(struct page *p, const ps_instrument_t *in)
{
    svg_raw(&p->s, "<ul class=\"key\">\n");
    for (size_t k = 0; k < p->n; k++) {
        const ps_scale_t *scale = p->blocks[k].scale;
        int first = 1;
        for (size_t j = 0; j < k && first; j++)
            first = p->blocks[j].scale != scale;
        if (p->blocks[k].instrument != in || !scale || !first)
            continue;
        int any = 0;
        for (size_t r = 0; r < sizeof rules / sizeof rules[0]; r++) {
            int verified;
            const char *source = ps_scale_rule_source(scale, rules[r].rule, &verified);
            if (!source)
                continue;
            if (!any) {
                svg_raw(&p->s, "<li><b>");
                svg_text(&p->s, ps_scale_label(scale));
                svg_raw(&p->s, "</b>: ");
            }
            svg_raw(&p->s, any ? "; " : "");
            svg_text(&p->s, rules[r].words);
            svg_raw(&p->s, " from <span class=\"source-id\">");
            svg_text(&p->s, source);
            svg_raw(&p->s, verified ? "</span>" : "</span> (not confirmed as official)");
            any = 1;
        }
        if (any)
            svg_raw(&p->s, ".</li>\n");
    }
    svg_raw(&p->s, "</ul>\n");
}

/* The sources a definition cites: each one's id, what it says and its address, as text (the
 * page follows no link). */
static void sources(struct page *p, const ps_instrument_t *in)
{
    svg_raw(&p->s, "<h3>Sources: ");
    svg_text(&p->s, ps_instrument_title(in));
    svg_raw(&p->s, "</h3>\n");
    rule_sources(p, in);
    svg_raw(&p->s, "<dl>\n");
    for (size_t i = 0; i < ps_instrument_source_count(in); i++) {
        const char *text, *url;
        const char *id = ps_instrument_source(in, i, &text, &url);
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
    svg_raw(&p->s, "</dl>\n");
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static int instrument_used(const struct page *p, const ps_instrument_t *in)
{
    for (size_t k = 0; k < p->n; k++)
        if (p->blocks[k].instrument == in)
            return 1;
    return 0;
}

static void write_definitions(struct page *p, ps_context_t *context)
{
    svg_raw(&p->s, "<section id=\"definitions\">\n<h2>Definitions</h2>\n<table>\n<thead><tr>"
                   "<th scope=\"col\">Instrument</th><th scope=\"col\">Version</th>"
                   "<th scope=\"col\">Definition</th><th scope=\"col\">Licence and notice</th>"
                   "</tr></thead>\n<tbody>\n");
    for (size_t i = 0; i < ps_context_instrument_count(context); i++) {
        const ps_instrument_t *in = ps_context_instrument(context, i);
        if (!instrument_used(p, in))
            continue;
        svg_raw(&p->s, "<tr><th scope=\"row\">");
        svg_text(&p->s, ps_instrument_title(in));
        svg_raw(&p->s, "</th><td>");
        svg_text(&p->s, ps_instrument_version(in));
        svg_raw(&p->s, "</td><td>");
        svg_text(&p->s, base_name(ps_instrument_file(in)));
        svg_raw(&p->s, "</td><td>");
        svg_text(&p->s, ps_instrument_notice(in));
        svg_raw(&p->s, "</td></tr>\n");
    }
    svg_raw(&p->s, "</tbody>\n</table>\n<p class=\"key\">Every statistic is defined, with its "
                   "formula, in promscore-statistics(7); each definition's rules, with the "
                   "sources below, in promscore describe.</p>\n");
    for (size_t i = 0; i < ps_context_instrument_count(context); i++)
        if (instrument_used(p, ps_context_instrument(context, i)))
            sources(p, ps_context_instrument(context, i));
    svg_raw(&p->s, "</section>\n");
}

void report_write_html(output_t *out, const ps_report_t *report, ps_context_t *context,
                       const report_made_t *made)
{
    struct page p = {SVG_INIT, report, NULL, 0, 0, made->warning};
    if (ps_report_blocks(report, &p.blocks, &p.n) != PS_OK) {
        out->error = ENOMEM;
        return;
    }
    html_page_begin(&p.s, "Cohort change report", made->warning);
    svg_raw(&p.s, "<h1>Cohort change report</h1>\n"
                  "<p class=\"lead\">How the scores of the people seen changed between baseline "
                  "and follow-up: ");
    int first = 1;
    for (size_t k = 0; k < p.n; k++) {
        if (!first_of_instrument(&p, k))
            continue;
        svg_raw(&p.s, first ? "" : ", ");
        svg_text(&p.s, ps_instrument_title(p.blocks[k].instrument));
        first = 0;
    }
    svg_raw(&p.s, first ? "no instrument with a follow-up.</p>\n</header>\n<main>\n"
                        : ".</p>\n</header>\n<main>\n");
    write_headline(&p);
    write_flows(&p);
    write_instruments(&p);
    html_disclosure(&p.s, ps_report_disclosure_rule(report), ps_report_audit(report), 1);
    write_caveats(&p);
    write_definitions(&p, context);
    html_made(&p.s, made);
    html_page_end(&p.s, out);
    ps_report_blocks_free(p.blocks);
}
