/*
 * The generic plugin for simple scales: the score is the sum or the mean of
 * the answered items. Everything else (lookup tables such as the SWEMWBS
 * conversion, bands, missing-item rules) is data in the definition, applied
 * by the core; WEMWBS, SWEMWBS and ONS4 need no code of their own.
 */
#include <math.h>
#include <stdio.h>

#include <promscore/plugin.h>

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

static int sum_check(const ps_scale_t *scale, char *why, size_t size)
{
    double lo, hi;
    if (!sum_range(scale, &lo, &hi)) {
        snprintf(why, size, "an item has no scored responses");
        return -1;
    }
    return check_range(scale, lo, hi, why, size);
}

/* The sum of the answered items, and how many there are. */
static double answered_sum(const ps_scale_t *scale, const ps_response_t *responses,
                           size_t *answered)
{
    double sum = 0;
    *answered = 0;
    for (size_t i = 0; i < ps_scale_item_count(scale); i++)
        if (responses[i].answer == PS_ANSWER_GIVEN) {
            sum += responses[i].value;
            ++*answered;
        }
    return sum;
}

static ps_result_t sum_score(const ps_scale_t *scale, const ps_response_t *responses)
{
    size_t n = ps_scale_item_count(scale), answered;
    double sum = answered_sum(scale, responses, &answered);
    if (answered == 0)
        return (ps_result_t){0, "incomplete"};
    if (answered < n && ps_scale_prorates(scale))
        sum = sum * (double)n / (double)answered;
    return (ps_result_t){sum, NULL};
}

static int mean_check(const ps_scale_t *scale, char *why, size_t size)
{
    double lo = INFINITY, hi = -INFINITY;
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
    if (answered == 0)
        return (ps_result_t){0, "incomplete"};
    return (ps_result_t){sum / (double)answered, NULL};
}

static const ps_method_t methods[] = {
    {"sum", "sum of the answered items (prorated when the missing-item rule says so)", sum_check,
     sum_score},
    {"mean", "mean of the answered items", mean_check, mean_score},
};

static const ps_plugin_t plugin = {
    PS_PLUGIN_ABI_MAJOR,
    PS_PLUGIN_ABI_MINOR,
    "scale",
    "simple scales: sums and means of items",
    methods,
    sizeof methods / sizeof methods[0],
};

const ps_plugin_t *promscore_plugin(void)
{
    return &plugin;
}
