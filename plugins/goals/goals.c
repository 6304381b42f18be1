/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Personal goals: the Goal Attainment Scaling T-score (Kiresuk and Sherman
 * 1968). Goal ratings (Goal-Based Outcomes) are plain items and means, scored
 * by the generic scale plugin.
 */
#include <math.h>
#include <stdio.h>

#include <promscore/plugin.h>

/* Items come in pairs: each goal's attainment (-2..+2), then its weight (blank: 1). */
static int gas_check(const ps_scale_t *scale, char *why, size_t size)
{
    double rho;
    if (ps_scale_item_count(scale) == 0 || ps_scale_item_count(scale) % 2) {
        snprintf(why, size, "method 'gas' takes pairs of items: attainment, then weight");
        return -1;
    }
    if (!ps_instrument_parameter(ps_scale_instrument(scale), "rho", &rho) || rho < 0 ||
        rho >= 1) {
        snprintf(why, size, "method 'gas' needs <parameter name=\"rho\"> between 0 and 1");
        return -1;
    }
    return 0;
}

/* T = 50 + 10 sum(w x) / sqrt((1 - rho) sum(w^2) + rho (sum w)^2). */
static ps_result_t gas_score(const ps_scale_t *scale, const ps_response_t *responses)
{
    double rho = 0.3, sum_wx = 0, sum_w = 0, sum_w2 = 0;
    ps_instrument_parameter(ps_scale_instrument(scale), "rho", &rho);
    size_t goals = 0;
    for (size_t i = 0; i + 1 < ps_scale_item_count(scale); i += 2) {
        const ps_response_t *x = &responses[i], *w = &responses[i + 1];
        if (x->answer != PS_ANSWER_GIVEN)
            continue;
        double weight = w->answer == PS_ANSWER_GIVEN ? w->value : 1;
        sum_wx += weight * x->value;
        sum_w += weight;
        sum_w2 += weight * weight;
        goals += weight > 0;
    }
    if (goals == 0)
        return (ps_result_t){.status = "incomplete"};
    double denominator = sqrt((1 - rho) * sum_w2 + rho * sum_w * sum_w);
    return (ps_result_t){.value = 50 + 10 * sum_wx / denominator};
}

static const ps_method_t methods[] = {
    {"gas", "Goal Attainment Scaling T-score of the goals with an attainment level", gas_check,
     gas_score},
};

static const ps_plugin_t plugin = {
    PS_PLUGIN_ABI_MAJOR, PS_PLUGIN_ABI_MINOR, "goals",
    "personal goals: Goal Attainment Scaling T-score", methods,
    sizeof methods / sizeof methods[0],
};

const ps_plugin_t *promscore_plugin(void)
{
    return &plugin;
}
