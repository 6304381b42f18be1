/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Loaded with LD_PRELOAD by the command-line tests: a filesystem that refuses
 * unnamed files (O_TMPFILE), as some do, so that the named fallback is tested.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <sys/types.h>

typedef int (*openat_fn)(int, const char *, int, ...);

static int refuse_or_open(const char *name, int dir, const char *path, int flags, va_list ap)
{
    if ((flags & O_TMPFILE) == O_TMPFILE) {
        errno = EOPNOTSUPP;
        return -1;
    }
    mode_t mode = (flags & O_CREAT) ? (mode_t)va_arg(ap, int) : 0;
    openat_fn real = (openat_fn)dlsym(RTLD_NEXT, name);
    return real(dir, path, flags, mode);
}

int openat(int dir, const char *path, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    int fd = refuse_or_open("openat", dir, path, flags, ap);
    va_end(ap);
    return fd;
}

int openat64(int dir, const char *path, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    int fd = refuse_or_open("openat64", dir, path, flags, ap);
    va_end(ap);
    return fd;
}
