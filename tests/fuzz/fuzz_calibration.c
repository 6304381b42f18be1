/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Fuzzes the calibration loader: any bytes as a licensee's calibration table. */
#include "fuzz.h"

#include <promscore/plugin.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* The long-lived context keeps the plugins loaded (see fuzz_definition.c). */
    fuzz_context();
    char path[64];
    int fd = fuzz_file(data, size, path, sizeof path);
    ps_context_t *context;
    if (ps_context_new(&context) != PS_OK)
        abort();
    ps_context_set_diagnostic_handler(context, fuzz_quiet, NULL);
    if (ps_context_load_instruments(context, NULL) != PS_OK)
        abort();
    if (ps_context_load_calibration(context, path) == PS_OK) {
        /* A table that loads must answer lookups inside the scale's range. */
        const ps_scale_t *score =
            ps_instrument_find_scale(ps_context_find_instrument(context, "pam"), "score");
        for (unsigned answered = 1; answered <= 13; answered++)
            for (int raw = 1; raw <= 52; raw++) {
                double value;
                if (ps_scale_calibrate(score, answered, raw, &value) &&
                    (value < ps_scale_min(score) || value > ps_scale_max(score)))
                    abort();
            }
    }
    ps_context_free(context);
    close(fd);
    return 0;
}
