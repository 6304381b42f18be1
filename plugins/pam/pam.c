/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Patient Activation Measure (PAM-13). The activation score is the licence
 * holder's: taken from the vendor-scored column when present, else from a
 * licensee's calibration table loaded at run time; never computed here.
 * Responses that give every statement the same answer are flagged.
 */
#include <stddef.h>
#include <stdio.h>

#include <promscore/plugin.h>

enum { STATEMENTS = 13 };

/* The sum and number of the answered statements (the first 13 items of the scale). */
static double statements(const ps_response_t *responses, unsigned *answered, int *identical)
{
    double sum = 0, first = 0;
    *answered = 0;
    *identical = 1;
    for (size_t i = 0; i < STATEMENTS; i++) {
        if (responses[i].answer != PS_ANSWER_GIVEN)
            continue;
        if (*answered == 0)
            first = responses[i].value;
        else if (responses[i].value != first)
            *identical = 0;
        sum += responses[i].value;
        ++*answered;
    }
    /* One answer cannot be "all the same"; every statement must be answered alike. */
    *identical = *identical && *answered == STATEMENTS;
    return sum;
}

static int check_statements(const ps_scale_t *scale, size_t n_items, char *why, size_t size)
{
    if (ps_scale_item_count(scale) != n_items) {
        snprintf(why, size, "expects the 13 statements%s as its items",
                 n_items > STATEMENTS ? " and the vendor score" : "");
        return -1;
    }
    return 0;
}

static int raw_check(const ps_scale_t *scale, char *why, size_t size)
{
    return check_statements(scale, STATEMENTS, why, size);
}

static ps_result_t raw_score(const ps_scale_t *scale, const ps_response_t *responses)
{
    (void)scale;
    unsigned answered;
    int identical;
    double sum = statements(responses, &answered, &identical);
    if (answered == 0)
        return (ps_result_t){.status = "incomplete"};
    return (ps_result_t){.value = sum, .flag = identical ? "identical_answers" : NULL};
}

static int activation_check(const ps_scale_t *scale, char *why, size_t size)
{
    return check_statements(scale, STATEMENTS + 1, why, size);
}

static ps_result_t activation_score(const ps_scale_t *scale, const ps_response_t *responses)
{
    unsigned answered;
    int identical;
    double sum = statements(responses, &answered, &identical), score;
    const char *flag = identical ? "identical_answers" : NULL;
    const ps_response_t *vendor = &responses[STATEMENTS];
    if (vendor->answer == PS_ANSWER_GIVEN)
        return (ps_result_t){.value = vendor->value, .flag = flag};
    if (!ps_scale_has_calibration(scale))
        return (ps_result_t){.status = "no_calibration"};
    if (answered == 0)
        return (ps_result_t){.status = "incomplete"};
    if (!ps_scale_calibrate(scale, answered, sum, &score))
        return (ps_result_t){.status = "not_in_calibration"};
    return (ps_result_t){.value = score, .flag = flag};
}

static const ps_method_t methods[] = {
    {"raw", "sum of the answered statements, flagged when all 13 are answered alike", raw_check,
     raw_score},
    {"activation",
     "the 0-100 activation score: the vendor-scored column, else the licensee's calibration",
     activation_check, activation_score},
};

static const ps_plugin_t plugin = {
    PS_PLUGIN_ABI_MAJOR, PS_PLUGIN_ABI_MINOR, "pam",
    "Patient Activation Measure (PAM-13): raw checks, vendor or calibrated activation score",
    methods, sizeof methods / sizeof methods[0],
};

const ps_plugin_t *promscore_plugin(void)
{
    return &plugin;
}
