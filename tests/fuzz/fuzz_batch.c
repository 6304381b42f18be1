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
    ps_score_handlers_t handlers = {NULL, count, reject, NULL, &events};
    ps_scorer_t *scorer;
    if (ps_scorer_new(context, &options, &handlers, &scorer) == PS_OK) {
        ps_scorer_score_file(scorer, path);
        ps_scorer_free(scorer);
    }
    close(fd);
    return 0;
}
