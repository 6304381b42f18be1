/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A report's blocks and their headline: what a board paper leads with, taken
 * from the report's statistics as disclosure control left them, never
 * recomputed. See ps_report_blocks in <promscore/promscore.h>.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <promscore/promscore.h>

static const ps_statistic_id_t headline_statistics[PS_HEADLINE_COLUMNS_] = {
    [PS_HEADLINE_N_BASELINE] = PS_STAT_N_BASELINE,
    [PS_HEADLINE_N_FOLLOWUP] = PS_STAT_N_FOLLOWUP,
    [PS_HEADLINE_N_PAIRED] = PS_STAT_N_PAIRED,
    [PS_HEADLINE_LOSS_RATE] = PS_STAT_LOSS_RATE,
    [PS_HEADLINE_MEAN_BASELINE] = PS_STAT_MEAN_BASELINE,
    [PS_HEADLINE_MEAN_FOLLOWUP] = PS_STAT_MEAN_FOLLOWUP,
    [PS_HEADLINE_MEAN_CHANGE] = PS_STAT_MEAN_CHANGE,
    [PS_HEADLINE_CI_LOW] = PS_STAT_CI_LOW,
    [PS_HEADLINE_CI_HIGH] = PS_STAT_CI_HIGH,
    [PS_HEADLINE_SHARE_IMPROVED] = PS_STAT_SHARE_IMPROVED,
    [PS_HEADLINE_SHARE_RELIABLE_IMPROVED] = PS_STAT_SHARE_RELIABLE_IMPROVED,
    [PS_HEADLINE_LEFT_WORST_BAND] = PS_STAT_MOVED_BETTER_FROM,
};

ps_statistic_id_t ps_report_headline_statistic(ps_headline_column_t column)
{
    if ((unsigned)column >= PS_HEADLINE_COLUMNS_)
        return PS_STAT_NONE;
    return headline_statistics[column];
}

static int same_text(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

const ps_statistic_t *ps_report_block_find(const ps_report_t *report,
                                            const ps_report_block_t *block,
                                            ps_statistic_id_t id, const char *param)
{
    for (size_t i = block->start; i < block->end; i++) {
        const ps_statistic_t *s = ps_report_statistic(report, i);
        if (s->id == id && !s->category && same_text(s->param[0], param))
            return s;
    }
    return NULL;
}

/* The worst band: the lowest, or the highest where lower is better. */
static const char *worst_band(const ps_scale_t *scale)
{
    size_t n = scale ? ps_scale_band_count(scale) : 0;
    if (!n)
        return NULL;
    return ps_scale_band(scale, ps_scale_lower_is_better(scale) ? n - 1 : 0, NULL, NULL);
}

static void fill_headline(const ps_report_t *report, ps_report_block_t *b)
{
    b->worst_band = worst_band(b->scale);
    for (int c = 0; c < PS_HEADLINE_COLUMNS_; c++) {
        const int banded = c == PS_HEADLINE_LEFT_WORST_BAND;
        b->headline[c] = banded && !b->worst_band
                             ? NULL
                             : ps_report_block_find(report, b, headline_statistics[c],
                                                    banded ? b->worst_band : NULL);
    }
}

ps_error_t ps_report_blocks(const ps_report_t *report, ps_report_block_t **blocks, size_t *n)
{
    *blocks = NULL;
    *n = 0;
    const size_t count = ps_report_count(report);
    size_t n_blocks = 0;
    for (size_t i = 0; i < count; i++) {
        const ps_statistic_t *s = ps_report_statistic(report, i), *before;
        before = i ? ps_report_statistic(report, i - 1) : NULL;
        n_blocks += !before || before->unit != s->unit || before->group != s->group ||
                    before->comparison != s->comparison;
    }
    ps_report_block_t *out = calloc(n_blocks ? n_blocks : 1, sizeof *out);
    if (!out)
        return PS_ERROR_NOMEM;
    size_t k = 0;
    for (size_t i = 0; i < count;) {
        const ps_statistic_t *s = ps_report_statistic(report, i);
        ps_report_block_t *b = &out[k++];
        *b = (ps_report_block_t){s->instrument, s->unit, s->scale, s->group, s->comparison, i,
                                 i, NULL, {NULL}};
        while (b->end < count) {
            const ps_statistic_t *t = ps_report_statistic(report, b->end);
            if (t->unit != s->unit || t->group != s->group || t->comparison != s->comparison)
                break;
            b->end++;
        }
        fill_headline(report, b);
        i = b->end;
    }
    *blocks = out;
    *n = n_blocks;
    return PS_OK;
}

void ps_report_blocks_free(ps_report_block_t *blocks)
{
    free(blocks);
}
