/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The headline table of promscore report: in plain text, and as the summary CSV. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_writers.h"

headline_text_t headline_figure(const ps_statistic_t *st)
{
    headline_text_t t = {"-"};
    if (!st || st->shown == PS_NOT_COMPUTABLE || (st->shown == PS_SHOWN && !isfinite(st->value)))
        return t;
    const ps_statistic_info_t *info = ps_statistic_info(st->id);
    if (st->shown == PS_SUPPRESSED)
        snprintf(t.s, sizeof t.s, "*");
    else if (info->kind == PS_KIND_COUNT)
        snprintf(t.s, sizeof t.s, "%.0f", st->value);
    else if (info->decimals == PS_PCT)
        snprintf(t.s, sizeof t.s, "%.1f%%", 100 * st->value);
    else if (info->decimals < 0)
        snprintf(t.s, sizeof t.s, st->value < 0.0001 ? "<0.0001" : "%.4f", st->value);
    else
        snprintf(t.s, sizeof t.s, "%.*f", info->decimals, st->value);
    return t;
}

int headline_row(const ps_report_block_t *blocks, size_t n, size_t k)
{
    const ps_report_block_t *b = &blocks[k];
    if (strcmp(b->group, "all") != 0 || (b->scale && ps_scale_is_check(b->scale)))
        return 0;
    /* The last comparison of the unit: no later block of it for the whole cohort. */
    for (size_t j = k + 1; j < n && blocks[j].unit == b->unit; j++)
        if (strcmp(blocks[j].group, "all") == 0)
            return 0;
    return 1;
}

void comparison_words(const char *comparison, char *to, size_t size)
{
    const char *arrow = strstr(comparison, "->");
    if (!arrow) {
        snprintf(to, size, "%s", comparison);
        return;
    }
    if (strcmp(arrow + 2, "end") == 0)
        snprintf(to, size, "%.*s to each person's last follow-up", (int)(arrow - comparison),
                 comparison);
    else
        snprintf(to, size, "%.*s to %s", (int)(arrow - comparison), comparison, arrow + 2);
}


/* "3.77 (1.36 to 6.17)": the mean change with its interval as far as they are shown. */
static headline_text_t change_with_interval(const ps_report_block_t *b)
{
    headline_text_t mean = headline_figure(b->headline[PS_HEADLINE_MEAN_CHANGE]),
                    lo = headline_figure(b->headline[PS_HEADLINE_CI_LOW]),
                    hi = headline_figure(b->headline[PS_HEADLINE_CI_HIGH]), t;
    if (!b->headline[PS_HEADLINE_CI_LOW] || strcmp(lo.s, "-") == 0)
        snprintf(t.s, sizeof t.s, "%s", mean.s);
    else if (strcmp(lo.s, "*") == 0 && strcmp(mean.s, "*") == 0)
        snprintf(t.s, sizeof t.s, "*");
    else
        snprintf(t.s, sizeof t.s, "%.24s (%.24s to %.24s)", mean.s, lo.s, hi.s);
    return t;
}

/* The table's columns after the scale: two header lines, a width, and the cell. */
enum { COL_BETTER = -1, COL_CHANGE = -2 };
static const struct column {
    const char *top, *bottom;
    int width;
    int headline; /* ps_headline_column_t, or COL_* */
} columns[] = {
    {"better", "", 6, COL_BETTER},
    {"people at", "baseline", 9, PS_HEADLINE_N_BASELINE},
    {"followed", "up", 8, PS_HEADLINE_N_FOLLOWUP},
    {"paired", "", 6, PS_HEADLINE_N_PAIRED},
    {"lost to", "follow-up", 9, PS_HEADLINE_LOSS_RATE},
    {"mean at", "baseline", 8, PS_HEADLINE_MEAN_BASELINE},
    {"mean at", "follow-up", 9, PS_HEADLINE_MEAN_FOLLOWUP},
    {"mean change", "(95% CI)", 24, COL_CHANGE},
    {"improved", "meaningfully", 12, PS_HEADLINE_SHARE_IMPROVED},
    {"reliably", "improved", 8, PS_HEADLINE_SHARE_RELIABLE_IMPROVED},
    {"left the", "worst band", 10, PS_HEADLINE_LEFT_WORST_BAND},
};
#define N_COLUMNS (sizeof columns / sizeof columns[0])

static headline_text_t cell(const ps_report_block_t *b, const struct column *c)
{
    headline_text_t t = {"-"};
    if (c->headline == COL_BETTER) {
        if (b->scale)
            snprintf(t.s, sizeof t.s, "%s",
                     ps_scale_lower_is_better(b->scale) ? "lower" : "higher");
        return t;
    }
    if (c->headline == COL_CHANGE)
        return change_with_interval(b);
    return headline_figure(b->headline[c->headline]);
}

void reliable_rule_words(const ps_report_t *report, const ps_report_block_t *b, char *to,
                         size_t size)
{
    const ps_statistic_t *rc = ps_report_block_find(report, b, PS_STAT_RELIABLE_CHANGE, NULL),
                         *at_least =
                             ps_report_block_find(report, b, PS_STAT_RELIABLE_AT_LEAST, NULL),
                         *sem = ps_report_block_find(report, b, PS_STAT_SEM, NULL);
    to[0] = '\0';
    if (!rc || rc->shown != PS_SHOWN)
        return;
    const char *whence = sem && sem->shown == PS_SHOWN ? "Jacobson-Truax" : "from the definition";
    if (at_least && at_least->shown == PS_SHOWN && at_least->value)
        snprintf(to, size, "%s points or more (%s)", headline_figure(rc).s, whence);
    else
        snprintf(to, size, "more than %s points (%s)", headline_figure(rc).s, whence);
}

/* The definition's thresholds, as the block's constants give them. */
static void thresholds(const ps_report_t *report, const ps_report_block_t *b, char *to,
                       size_t size)
{
    const ps_statistic_t *m = ps_report_block_find(report, b, PS_STAT_MEANINGFUL_CHANGE, NULL),
                         *rc = ps_report_block_find(report, b, PS_STAT_RELIABLE_CHANGE, NULL);
    int n = 0;
    to[0] = '\0';
    if (m && m->shown == PS_SHOWN)
        n = snprintf(to, size, "; improved meaningfully: by at least %s points",
                     headline_figure(m).s);
    if (rc && rc->shown == PS_SHOWN && n >= 0 && (size_t)n < size) {
        char rule[160];
        reliable_rule_words(report, b, rule, sizeof rule);
        snprintf(to + n, size - (size_t)n, "; reliably: by %s", rule);
    }
}

void report_write_headline(output_t *o, const ps_report_t *report)
{
    ps_report_block_t *blocks;
    size_t n;
    if (ps_report_blocks(report, &blocks, &n) != PS_OK) {
        o->error = ENOMEM;
        return;
    }
    int key_width = (int)strlen("scale");
    const char *comparison = NULL;
    for (size_t k = 0; k < n; k++)
        if (headline_row(blocks, n, k)) {
            int w = (int)(strlen(ps_instrument_id(blocks[k].instrument)) + 1 +
                          strlen(blocks[k].unit));
            key_width = w > key_width ? w : key_width;
            comparison = blocks[k].comparison;
        }
    if (!comparison) {
        ps_report_blocks_free(blocks);
        return;
    }
    char words[256];
    comparison_words(comparison, words, sizeof words);
    output_printf(o, "\nHeadline: the whole cohort, %s\n\n", words);
    output_printf(o, "%-*s", key_width, "");
    for (size_t c = 0; c < N_COLUMNS; c++)
        output_printf(o, "  %*s", columns[c].width, columns[c].top);
    output_printf(o, "\n%-*s", key_width, "scale");
    for (size_t c = 0; c < N_COLUMNS; c++)
        output_printf(o, "  %*s", columns[c].width, columns[c].bottom);
    output_puts(o, "\n");
    for (size_t k = 0; k < n; k++) {
        if (!headline_row(blocks, n, k))
            continue;
        const ps_report_block_t *b = &blocks[k];
        char key[512];
        snprintf(key, sizeof key, "%s %s", ps_instrument_id(b->instrument), b->unit);
        output_printf(o, "%-*s", key_width, key);
        for (size_t c = 0; c < N_COLUMNS; c++)
            output_printf(o, "  %*s", columns[c].width, cell(b, &columns[c]).s);
        output_puts(o, "\n");
    }
    output_puts(o, "\n");
    for (size_t k = 0; k < n; k++) {
        if (!headline_row(blocks, n, k))
            continue;
        const ps_report_block_t *b = &blocks[k];
        char more[256];
        thresholds(report, b, more, sizeof more);
        output_printf(
            o, "%s %s: %s%s", ps_instrument_id(b->instrument), b->unit,
            b->scale ? ps_scale_label(b->scale) : "pooled, one unit per person and member", more);
        if (b->worst_band)
            output_printf(o, "; worst band: %s", b->worst_band);
        output_puts(o, "\n");
    }
    output_puts(o, "Shares of the paired; lost to follow-up, of those at baseline; the worst band "
                   "is left\nby moving to a better one. Check scales are in the detail only.\n\n"
                   "Detail, per scale, comparison and group:\n");
    ps_report_blocks_free(blocks);
}

void report_write_summary(output_t *o, const ps_report_t *report)
{
    ps_report_block_t *blocks;
    size_t n;
    if (ps_report_blocks(report, &blocks, &n) != PS_OK) {
        o->error = ENOMEM;
        return;
    }
    csv_summary_header(o);
    for (size_t k = 0; k < n; k++)
        if (!blocks[k].scale || !ps_scale_is_check(blocks[k].scale))
            csv_summary_row(o, &blocks[k]);
    ps_report_blocks_free(blocks);
}
