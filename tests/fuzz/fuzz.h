/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Shared by the libFuzzer harnesses (make fuzz): inputs reach promscore as files. */
#ifndef PROMSCORE_FUZZ_H
#define PROMSCORE_FUZZ_H

#include "config.h" /* _GNU_SOURCE, for memfd_create */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include <promscore/promscore.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An in-memory file holding the input; its path is written to 'path'. Returns the fd. */
static inline int fuzz_file(const uint8_t *data, size_t size, char *path, size_t path_size)
{
    int fd = memfd_create("fuzz-input", MFD_CLOEXEC);
    if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size))
        abort();
    snprintf(path, path_size, "/proc/self/fd/%d", fd);
    return fd;
}

static void fuzz_quiet(const ps_diagnostic_t *d, void *user)
{
    (void)d, (void)user;
}

/* A context with the instruments of PROMSCORE_INSTRUMENT_PATH loaded, made once. */
static inline ps_context_t *fuzz_context(void)
{
    static ps_context_t *context;
    if (!context) {
        if (ps_context_new(&context) != PS_OK)
            abort();
        ps_context_set_diagnostic_handler(context, fuzz_quiet, NULL);
        if (ps_context_load_instruments(context, NULL) != PS_OK) {
            fprintf(stderr, "fuzz: cannot load the instruments: set PROMSCORE_*_PATH\n");
            abort();
        }
    }
    return context;
}

#endif
