/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The generic plugin for simple scales: sums, means and counts of items, one
 * item's value, the difference of two, and the band of another scale's score. Everything else
 * (lookup tables such as the SWEMWBS conversion, bands, missing-item rules)
 * is data in the definition, applied by the core: WEMWBS, SWEMWBS, ONS4 and the
 * seven-domain outcomes need no code of their own, and other plugins' scales
 * use these methods as "scale:sum", "scale:band" and so on.
 */
#include <math.h>
#include <stdio.h>

#include <promscore/plugin.h>

static ps_result_t scored(double value)
{
    return (ps_result_t){.value = value};
}

static ps_result_t not_scored(const char *status)
{
    return (ps_result_t){.status = status};
}

/* Methods on items refuse a scale scored from another scale, and the reverse. */
static int needs_items(const ps_scale_t *scale, char *why, size_t size)
{
    if (ps_scale_of(scale)) {
        snprintf(why, size, "this method scores items: give items=\"...\", not of=\"...\"");
        return -1;
    }
    return 0;
}

/* The lowest and highest sum the scale's items allow. */
static int sum_range(const ps_scale_t *scale, double *lo, double *hi)
{
    *lo = *hi = 0;
    for (size_t i = 0; i < ps_scale_item_count(scale); i++) {
        double min, max;
        if (!ps_item_value_range(ps_scale_item(scale, i), &min, &max))
            return 0;
        *lo += min;
        *hi += max;
    }
    return 1;
}

static int check_range(const ps_scale_t *scale, double lo, double hi, char *why, size_t size)
{
    if (ps_scale_has_lookup(scale))
        return 0; /* the core checks that lookup scores fall in the scale's range */
    if (lo < ps_scale_min(scale) || hi > ps_scale_max(scale)) {
        snprintf(why, size, "its items give %g to %g, outside the declared range %g to %g", lo,
                 hi, ps_scale_min(scale), ps_scale_max(scale));
        return -1;
    }
    return 0;
}

/* The sum of the answered items, and how many there are. */
static double answered_sum(const ps_scale_t *scale, const ps_response_t *responses,
                           size_t *answered)
{
    double sum = 0;
    const size_t n = ps_scale_item_count(scale);
    *answered = 0;
    for (size_t i = 0; i < n; i++)
        if (responses[i].answer == PS_ANSWER_GIVEN) {
            sum += responses[i].value;
            ++*answered;
        }
    return sum;
}

static int sum_check(const ps_scale_t *scale, char *why, size_t size)
{
    double lo, hi;
    if (needs_items(scale, why, size))
        return -1;
    if (!sum_range(scale, &lo, &hi)) {
        snprintf(why, size, "an item has no scored responses");
        return -1;
    }
    return check_range(scale, lo, hi, why, size);
}

static ps_result_t sum_score(const ps_scale_t *scale, const ps_response_t *responses)
{
    size_t n = ps_scale_item_count(scale), answered;
    double sum = answered_sum(scale, responses, &answered);
    if (answered == 0)
        return not_scored("incomplete");
    if (answered < n && ps_scale_prorates(scale))
        sum = sum * (double)n / (double)answered;
    return scored(sum);
}

static int mean_check(const ps_scale_t *scale, char *why, size_t size)
{
    double lo = INFINITY, hi = -INFINITY;
    if (needs_items(scale, why, size))
        return -1;
    for (size_t i = 0; i < ps_scale_item_count(scale); i++) {
        double min, max;
        if (!ps_item_value_range(ps_scale_item(scale, i), &min, &max)) {
            snprintf(why, size, "an item has no scored responses");
            return -1;
        }
        lo = fmin(lo, min);
        hi = fmax(hi, max);
    }
    if (ps_scale_prorates(scale)) {
        snprintf(why, size, "prorate applies to sums; a mean already uses the answered items");
        return -1;
    }
    return check_range(scale, lo, hi, why, size);
}

static ps_result_t mean_score(const ps_scale_t *scale, const ps_response_t *responses)
{
    size_t answered;
    double sum = answered_sum(scale, responses, &answered);
    return answered ? scored(sum / (double)answered) : not_scored("incomplete");
}

static int count_check(const ps_scale_t *scale, char *why, size_t size)
{
    if (needs_items(scale, why, size))
        return -1;
    return check_range(scale, 0, (double)ps_scale_item_count(scale), why, size);
}

static ps_result_t count_score(const ps_scale_t *scale, const ps_response_t *responses)
{
    size_t answered;
    answered_sum(scale, responses, &answered);
    return scored((double)answered);
}

static int item_check(const ps_scale_t *scale, char *why, size_t size)
{
    double lo, hi;
    if (needs_items(scale, why, size))
        return -1;
    if (ps_scale_item_count(scale) != 1) {
        snprintf(why, size, "method 'item' takes exactly one item");
        return -1;
    }
    if (!ps_item_value_range(ps_scale_item(scale, 0), &lo, &hi)) {
        snprintf(why, size, "the item has no scored responses");
        return -1;
    }
    return check_range(scale, lo, hi, why, size);
}

static ps_result_t item_score(const ps_scale_t *scale, const ps_response_t *responses)
{
    (void)scale;
    return responses[0].answer == PS_ANSWER_GIVEN ? scored(responses[0].value)
                                                  : not_scored("incomplete");
}

static int difference_check(const ps_scale_t *scale, char *why, size_t size)
{
    double lo1, hi1, lo2, hi2;
    if (needs_items(scale, why, size))
        return -1;
    if (ps_scale_item_count(scale) != 2 ||
        !ps_item_value_range(ps_scale_item(scale, 0), &lo1, &hi1) ||
        !ps_item_value_range(ps_scale_item(scale, 1), &lo2, &hi2)) {
        snprintf(why, size, "method 'difference' takes two scored items: from, then to");
        return -1;
    }
    return check_range(scale, lo2 - hi1, hi2 - lo1, why, size);
}

static ps_result_t difference_score(const ps_scale_t *scale, const ps_response_t *responses)
{
    (void)scale;
    if (responses[0].answer != PS_ANSWER_GIVEN || responses[1].answer != PS_ANSWER_GIVEN)
        return not_scored("incomplete");
    return scored(responses[1].value - responses[0].value);
}

static int band_check(const ps_scale_t *scale, char *why, size_t size)
{
    const ps_scale_t *of = ps_scale_of(scale);
    if (!of || ps_scale_band_count(of) == 0) {
        snprintf(why, size, "method 'band' needs of=\"SCALE\" naming a scale with bands");
        return -1;
    }
    if (ps_scale_min(scale) > 1 || ps_scale_max(scale) < (double)ps_scale_band_count(of)) {
        snprintf(why, size, "band numbers run from 1 to %zu, outside the declared range",
                 ps_scale_band_count(of));
        return -1;
    }
    return 0;
}

static ps_result_t band_score(const ps_scale_t *scale, const ps_response_t *responses)
{
    int band = ps_scale_band_number(ps_scale_of(scale), responses[0].value);
    return band ? scored(band) : not_scored("no_band");
}

static const ps_method_t methods[] = {
    {"sum", "sum of the answered items (prorated when the missing-item rule says so)", sum_check,
     sum_score},
    {"mean", "mean of the answered items", mean_check, mean_score},
    {"count", "number of items answered (not counting 'not applicable')", count_check,
     count_score},
    {"item", "the value of a single item", item_check, item_score},
    {"difference", "the second item minus the first (a change recorded in one row)",
     difference_check, difference_score},
    {"band", "the band number (1, 2, ...) of another scale's score", band_check, band_score},
};

static const ps_plugin_t plugin = {
    PS_PLUGIN_ABI_MAJOR,
    PS_PLUGIN_ABI_MINOR,
    "scale",
    "simple scales: sums, means, counts, single items, differences, bands of another scale",
    methods,
    sizeof methods / sizeof methods[0],
};

const ps_plugin_t *promscore_plugin(void)
{
    return &plugin;
}
