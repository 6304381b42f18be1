/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A minimal promscore plugin to copy when an instrument needs a scoring method
 * that the generic "scale" plugin (sum, mean, count, item, band) lacks.
 *
 * To start a new one:
 *   1. copy plugins/template/ to plugins/NAME/ and rename the files;
 *   2. set the plugin's name below to NAME, as definitions will write it
 *      (<instrument plugin="NAME">), and name the module NAME too;
 *   3. write each method: an optional check, run once per scale when its
 *      definition loads, and a score function, run for every row;
 *   4. build it as a libtool module exporting only promscore_plugin (see the
 *      plugins in Makefile.am), or out of tree with pkg-config (see
 *      docs/examples/plugin/).
 *
 * Everything a user might need to change (thresholds, tables, bands) belongs
 * in the definition, not here: read numbers with ps_instrument_parameter().
 */
#include <stdio.h>

#include <promscore/plugin.h>

/* Runs once per scale that names the method: refuse a definition it cannot score. */
static int highest_check(const ps_scale_t *scale, char *why, size_t size)
{
    if (ps_scale_item_count(scale) == 0) {
        snprintf(why, size, "method 'highest' scores items: give items=\"...\"");
        return -1;
    }
    return 0;
}

/*
 * Runs for every row: the responses come in the scale's item order. The core
 * has already applied the missing-item rule; after this it applies the lookup
 * table, rounding and bands. Report problems as a status, never by exiting.
 */
static ps_result_t highest_score(const ps_scale_t *scale, const ps_response_t *responses)
{
    double best = 0;
    int any = 0;
    for (size_t i = 0; i < ps_scale_item_count(scale); i++)
        if (responses[i].answer == PS_ANSWER_GIVEN && (!any || responses[i].value > best)) {
            best = responses[i].value;
            any = 1;
        }
    if (!any)
        return (ps_result_t){.status = "incomplete"};
    return (ps_result_t){.value = best};
}

static const ps_method_t methods[] = {
    {"highest", "the highest answer among the scale's items", highest_check, highest_score},
};

static const ps_plugin_t plugin = {
    PS_PLUGIN_ABI_MAJOR, /* must come first: the core checks it before anything else */
    PS_PLUGIN_ABI_MINOR,
    "template",
    "a template to copy: the highest answer among items",
    methods,
    sizeof methods / sizeof methods[0],
};

PS_PLUGIN_EXPORT const ps_plugin_t *promscore_plugin(void)
{
    return &plugin;
}
