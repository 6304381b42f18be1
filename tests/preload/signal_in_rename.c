/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Loaded with LD_PRELOAD by the command-line tests: the signal numbered by
 * PROMSCORE_RAISE (a decimal number) is raised as soon as the first rename of
 * the run is done, between putting one output in place and the next.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

typedef int (*renameat_fn)(int, const char *, int, const char *);
typedef int (*rename_fn)(const char *, const char *);

static int raised;

static void raise_once(void)
{
    const char *sig = getenv("PROMSCORE_RAISE");
    if (!raised && sig) {
        raised = 1;
        raise(atoi(sig));
    }
}

int renameat(int from_dir, const char *from, int to_dir, const char *to)
{
    renameat_fn real = (renameat_fn)dlsym(RTLD_NEXT, "renameat");
    int result = real(from_dir, from, to_dir, to);
    raise_once();
    return result;
}

int rename(const char *from, const char *to)
{
    rename_fn real = (rename_fn)dlsym(RTLD_NEXT, "rename");
    int result = real(from, to);
    raise_once();
    return result;
}
