/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Loaded with LD_PRELOAD by tests/test_cli_tty: CLOCK_MONOTONIC jumps a second
 * ahead at every reading, so that promscore's progress line, drawn at most
 * four times a second, is drawn at every chance it gets, whatever the speed
 * of the machine: the lines a run draws are known in advance.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <time.h>

typedef int (*clock_gettime_fn)(clockid_t, struct timespec *);

int clock_gettime(clockid_t clock, struct timespec *t)
{
    static long ahead;
    clock_gettime_fn real = (clock_gettime_fn)dlsym(RTLD_NEXT, "clock_gettime");
    int status = real(clock, t);
    if (status == 0 && clock == CLOCK_MONOTONIC)
        t->tv_sec += __atomic_add_fetch(&ahead, 1, __ATOMIC_RELAXED);
    return status;
}
