/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Test plugins built from one source with another ABI version or name:
 * bad_abi (next major), newer_minor (next minor), and a good one for
 * comparison. The core must refuse the first two before calling a method.
 */
#include <stdlib.h>

#include <promscore/plugin.h>

static ps_result_t never(const ps_scale_t *scale, const ps_response_t *responses)
{
    (void)scale, (void)responses;
    abort(); /* a refused plugin's methods are never called */
}

static const ps_method_t methods[] = {{"sum", "must not run", NULL, never}};

static const ps_plugin_t plugin = {
    TEST_ABI_MAJOR, TEST_ABI_MINOR, TEST_NAME, "test plugin", methods, 1,
};

const ps_plugin_t *promscore_plugin(void)
{
    return &plugin;
}
