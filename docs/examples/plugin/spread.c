/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * An out-of-tree promscore plugin, built against the installed headers with
 * pkg-config (see Makefile): the spread (highest minus lowest answer) of a
 * scale's items, say to spot answers that swing between extremes.
 */
#include <stdio.h>

#include <promscore/plugin.h>

static int spread_check(const ps_scale_t *scale, char *why, size_t size)
{
    if (ps_scale_item_count(scale) < 2) {
        snprintf(why, size, "a spread needs two items or more");
        return -1;
    }
    return 0;
}

static ps_result_t spread_score(const ps_scale_t *scale, const ps_response_t *responses)
{
    double lo = 0, hi = 0;
    size_t answered = 0;
    for (size_t i = 0; i < ps_scale_item_count(scale); i++) {
        if (responses[i].answer != PS_ANSWER_GIVEN)
            continue;
        double v = responses[i].value;
        lo = answered == 0 || v < lo ? v : lo;
        hi = answered == 0 || v > hi ? v : hi;
        answered++;
    }
    if (answered < 2)
        return (ps_result_t){.status = "incomplete"};
    return (ps_result_t){.value = hi - lo};
}

static const ps_method_t methods[] = {
    {"spread", "highest minus lowest answer", spread_check, spread_score},
};

static const ps_plugin_t plugin = {
    PS_PLUGIN_ABI_MAJOR, PS_PLUGIN_ABI_MINOR, "spread",
    "example out-of-tree plugin: the spread of a scale's answers", methods, 1,
};

PS_PLUGIN_EXPORT const ps_plugin_t *promscore_plugin(void)
{
    return &plugin;
}
