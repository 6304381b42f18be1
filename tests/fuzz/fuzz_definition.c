/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Fuzzes the instrument loader: any bytes as an instrument definition. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* The long-lived context keeps the plugins loaded: libFuzzer must not see a
     * coverage-counted module come and go between inputs. */
    fuzz_context();
    char path[64];
    int fd = fuzz_file(data, size, path, sizeof path);
    ps_context_t *context;
    if (ps_context_new(&context) != PS_OK)
        abort();
    ps_context_set_diagnostic_handler(context, fuzz_quiet, NULL);
    const ps_instrument_t *in;
    if (ps_context_load_instrument(context, path, &in) == PS_OK) {
        /* A definition that loads must describe itself consistently. */
        for (size_t i = 0; i < ps_instrument_scale_count(in); i++) {
            const ps_scale_t *s = ps_instrument_scale(in, i);
            if (ps_scale_min(s) >= ps_scale_max(s) || ps_scale_item_count(s) == 0)
                abort();
        }
    }
    ps_context_free(context);
    close(fd);
    return 0;
}
