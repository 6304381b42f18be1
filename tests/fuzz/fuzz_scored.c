/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Fuzzes the report: any bytes as a scored CSV, through pairing, statistics and disclosure. */
#include "fuzz.h"

static int add(const ps_score_t *score, void *cohort)
{
    return ps_cohort_add(cohort, score) != PS_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ps_context_t *context = fuzz_context();
    char path[64];
    int fd = fuzz_file(data, size, path, sizeof path);
    const char *by[] = {"site"};
    ps_cohort_options_t options = {.size = sizeof options, .by = by, .n_by = size && data[0] & 1};
    ps_cohort_t *cohort;
    if (ps_cohort_new(context, &options, &cohort) == PS_OK) {
        if (ps_scored_read(context, path, by, options.n_by, add, cohort) == PS_OK) {
            ps_report_t *report;
            ps_disclosure_t rule = {1, 7, size && data[0] & 2 ? 5 : 0};
            if (ps_cohort_report(cohort, &rule, &report) == PS_OK) {
                /* Disclosure must hold: no shown count of 1 to 7. */
                for (size_t i = 0; i < ps_report_count(report); i++) {
                    const ps_statistic_t *s = ps_report_statistic(report, i);
                    if (s->is_count && s->shown == PS_SHOWN && s->value >= 1 && s->value <= 7)
                        abort();
                }
                ps_report_free(report);
            }
        }
        ps_cohort_free(cohort);
    }
    close(fd);
    return 0;
}
