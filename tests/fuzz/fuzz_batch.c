/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Fuzzes the batch reader and scorer: any bytes as a CSV batch. */
#include "fuzz.h"

static int count(const ps_score_t *s, void *user)
{
    (void)s;
    ++*(unsigned long *)user;
    return 0;
}

static int reject(const ps_reject_t *r, void *user)
{
    (void)r;
    ++*(unsigned long *)user;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ps_context_t *context = fuzz_context();
    char path[64];
    int fd = fuzz_file(data, size, path, sizeof path);
    unsigned long events = 0;
    const char *keep[] = {"site"};
    /* Half the inputs keep a column and fix the timepoint, to reach those paths too. */
    ps_score_options_t options = {.size = sizeof options};
    if (size && data[0] & 1) {
        options.keep = keep;
        options.n_keep = 1;
        options.timepoint = "baseline";
    }
    /* Both ways of running the pipeline, and the encodings' and delimiters' paths. */
    static const char *const encodings[] = {NULL, "windows-1252", "utf-16", NULL};
    if (size) {
        options.threads = data[0] & 2 ? 1 : 0;
        options.encoding = encodings[(data[0] >> 2) & 3];
        options.delimiter = data[0] & 16 ? ';' : 0;
    }
    ps_score_handlers_t handlers = {NULL, count, reject, NULL, &events};
    ps_scorer_t *scorer;
    if (ps_scorer_new(context, &options, &handlers, &scorer) == PS_OK) {
        ps_scorer_score_file(scorer, path);
        ps_scorer_free(scorer);
    }
    close(fd);
    return 0;
}
