/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#ifndef PROC_SUPER_MAGIC
#define PROC_SUPER_MAGIC 0x9fa0
#endif

#include <promscore/formats.h>

#include "cli.h"
#include "output.h"

/*
 * Named temporary files (the fallback where O_TMPFILE is refused, and the
 * moment between naming an unnamed file and renaming it), so that a signal
 * leaves none behind: the handler may only unlink.
 */
enum { MAX_PENDING = 8 };
static struct pending {
    volatile int dir;
    char *volatile name;
} pending[MAX_PENDING];

static void remember(int dir, char *name)
{
    for (int i = 0; i < MAX_PENDING; i++)
        if (!pending[i].name) {
            pending[i].dir = dir;
            pending[i].name = name;
            return;
        }
}

static void forget(const char *name)
{
    for (int i = 0; i < MAX_PENDING; i++)
        if (pending[i].name == name)
            pending[i].name = NULL;
}

static void on_signal(int sig)
{
    for (int i = 0; i < MAX_PENDING; i++)
        if (pending[i].name)
            unlinkat(pending[i].dir, pending[i].name, 0);
    signal(sig, SIG_DFL);
    raise(sig); /* delivered, by default, once the handler returns */
}

/* Every signal whose default action ends the process and that can be caught. */
static const int fatal_signals[] = {
    SIGHUP,  SIGINT,  SIGQUIT, SIGILL,  SIGTRAP,   SIGABRT, SIGBUS,  SIGFPE,
    SIGUSR1, SIGSEGV, SIGUSR2, SIGPIPE, SIGALRM,   SIGTERM, SIGXCPU, SIGVTALRM,
    SIGPROF, SIGSYS,
#ifdef SIGSTKFLT
    SIGSTKFLT,
#endif
#ifdef SIGPOLL
    SIGPOLL,
#endif
#ifdef SIGPWR
    SIGPWR,
#endif
#ifdef SIGLOST
    SIGLOST,
#endif
#ifdef SIGEMT
    SIGEMT,
#endif
};

static void catch_signal(int sig)
{
    struct sigaction action = {.sa_handler = on_signal}, before;
    sigfillset(&action.sa_mask); /* no second signal interrupts the cleanup */
    /* A signal ignored when the run started (nohup) stays ignored. */
    if (sigaction(sig, NULL, &before) == 0 && before.sa_handler == SIG_IGN)
        return;
    sigaction(sig, &action, NULL);
}

void output_catch_signals(void)
{
    for (size_t i = 0; i < sizeof fatal_signals / sizeof fatal_signals[0]; i++)
        catch_signal(fatal_signals[i]);
#ifdef SIGRTMIN
    for (int sig = SIGRTMIN; sig <= SIGRTMAX; sig++)
        catch_signal(sig);
#endif
    /* A file-size limit then fails the write with EFBIG, reported like a full disk. */
    signal(SIGXFSZ, SIG_IGN);
}

/* Holds every signal that can be held (SIGKILL and SIGSTOP cannot), keeping the mask before. */
static void hold_signals(sigset_t *before)
{
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, before);
}

static void release_signals(const sigset_t *before)
{
    pthread_sigmask(SIG_SETMASK, before, NULL);
}

/* ---- Which file a path names. ---- */

/* The directory part of 'path' ("." when it has none) and its last name, both allocated. */
static int split_path(const char *path, char **dir, char **base)
{
    const char *slash = strrchr(path, '/');
    *dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
    *base = strdup(slash ? slash + 1 : path);
    if (!*dir || !*base) {
        free(*dir);
        free(*base);
        *dir = *base = NULL;
        errno = ENOMEM;
        return -1;
    }
    return 0;
}

/* The file 'path' names; "-" is standard input or output. 0, or -1 when it does not exist. */
static int stat_named(const char *path, int is_output, struct stat *st)
{
    if (strcmp(path, "-") == 0)
        return fstat(is_output ? STDOUT_FILENO : STDIN_FILENO, st);
    return stat(path, st);
}

/* For a file not yet created: its resolved directory and name. NULL when that cannot be told. */
static char *resolved_name(const char *path)
{
    char *dir, *base, *real, *whole = NULL;
    if (split_path(path, &dir, &base) != 0)
        return NULL;
    if (*base && strcmp(base, ".") != 0 && strcmp(base, "..") != 0 &&
        (real = realpath(dir, NULL))) {
        if (asprintf(&whole, "%s/%s", real, base) < 0)
            whole = NULL;
        free(real);
    }
    free(dir);
    free(base);
    return whole;
}

int output_same_file(const char *a, int a_is_output, const char *b, int b_is_output)
{
    if (a_is_output && b_is_output && strcmp(a, "-") == 0 && strcmp(b, "-") == 0)
        return 1; /* one standard output, whatever it is */
    struct stat sa, sb;
    int has_a = stat_named(a, a_is_output, &sa) == 0;
    int has_b = stat_named(b, b_is_output, &sb) == 0;
    if (has_a && has_b)
        return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino && !S_ISCHR(sa.st_mode);
    if (has_a || has_b || strcmp(a, "-") == 0 || strcmp(b, "-") == 0)
        return 0;
    char *ra = resolved_name(a), *rb = resolved_name(b);
    int same = ra && rb && strcmp(ra, rb) == 0;
    free(ra);
    free(rb);
    return same;
}

int output_check_distinct(const char *command, const output_file_t *files, size_t n)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++) {
            const output_file_t *a = &files[i], *b = &files[j];
            if (!a->path || !b->path || (!a->is_output && !b->is_output))
                continue;
            if (output_same_file(a->path, a->is_output, b->path, b->is_output)) {
                const output_file_t *out = b->is_output ? b : a, *other = out == a ? b : a;
                cli_error("%s: %s %s is the same file as %s %s: refusing to overwrite it",
                          command, out->role, out->path, other->role, other->path);
                return -1;
            }
        }
    return 0;
}

/*
 * Whether two regular files of 'size' bytes hold the same bytes with a line after the first:
 * 1, or 0 (also when either cannot be read).
 */
static int same_rows(const char *a, const char *b, off_t size)
{
    FILE *fa = fopen(a, "rb"), *fb = fa ? fopen(b, "rb") : NULL;
    int same = fa && fb, rows = 0;
    char ba[16384], bb[16384];
    off_t at = 0;
    while (same && at < size) {
        size_t want = size - at < (off_t)sizeof ba ? (size_t)(size - at) : sizeof ba;
        if (fread(ba, 1, want, fa) != want || fread(bb, 1, want, fb) != want ||
            memcmp(ba, bb, want) != 0) {
            same = 0;
            break;
        }
        const char *line = memchr(ba, '\n', want);
        rows |= line && at + (line - ba) + 1 < size;
        at += (off_t)want;
    }
    if (fa)
        fclose(fa);
    if (fb)
        fclose(fb);
    return same && rows;
}

int output_check_read_once(const char *command, const output_file_t *files, size_t n)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++) {
            const output_file_t *a = &files[i], *b = &files[j];
            if (!a->path || !b->path || a->is_output || b->is_output)
                continue;
            struct stat sa, sb;
            const char *how = NULL, *why = "each input is read once, so that no row is counted "
                                          "twice";
            if (strcmp(a->path, b->path) == 0 || output_same_file(a->path, 0, b->path, 0))
                how = "is the same file as";
            else if (strcmp(a->path, "-") != 0 && strcmp(b->path, "-") != 0 &&
                     stat(a->path, &sa) == 0 && stat(b->path, &sb) == 0 && S_ISREG(sa.st_mode) &&
                     S_ISREG(sb.st_mode) && sa.st_size == sb.st_size &&
                     same_rows(a->path, b->path, sa.st_size))
                how = "has the same bytes as",
                why = "a copy would count each of its rows twice: give each file once";
            if (how) {
                cli_error("%s: %s %s %s %s %s: %s", command, b->role, b->path, how, a->role,
                          a->path, why);
                return -1;
            }
        }
    return 0;
}

/* ---- Opening. ---- */

/* A fresh name for a temporary file in a directory: short, so that any target name works. */
static char *temporary_name(void)
{
    unsigned char bytes[8];
    if (getrandom(bytes, sizeof bytes, 0) != (ssize_t)sizeof bytes) {
        /* Unlikely; the O_EXCL creation or link refuses a name in use anyway. */
        static unsigned counter;
        unsigned long v = (unsigned long)getpid() * 2654435761u + ++counter;
        memcpy(bytes, &v, sizeof bytes < sizeof v ? sizeof bytes : sizeof v);
    }
    char *name = malloc(32);
    if (name) {
        static const char hex[] = "0123456789abcdef";
        memcpy(name, ".promscore-", 11);
        for (size_t i = 0; i < sizeof bytes; i++) {
            name[11 + 2 * i] = hex[bytes[i] >> 4];
            name[12 + 2 * i] = hex[bytes[i] & 15];
        }
        memcpy(name + 11 + 2 * sizeof bytes, ".tmp", 5);
    }
    return name;
}

/* The fallback: a named temporary file in the target's directory, removed on failure. */
static int open_named(output_t *out)
{
    for (int attempt = 0; attempt < 100; attempt++) {
        if (!(out->temporary = temporary_name()))
            return -1;
        /* Signals wait until the name is remembered, so that none leaves it behind. */
        sigset_t before;
        hold_signals(&before);
        out->fd = openat(out->dir, out->temporary,
                         O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        int saved = errno;
        if (out->fd >= 0)
            remember(out->dir, out->temporary);
        release_signals(&before);
        if (out->fd >= 0)
            return 0;
        free(out->temporary);
        out->temporary = NULL;
        errno = saved;
        if (errno != EEXIST)
            return -1;
    }
    return -1;
}

/*
 * What is already at 'path', seen through an open descriptor so that what is
 * checked is what is written: a regular file (or nothing) is replaced by
 * renaming; anything else (a device, a FIFO, standard output) is written as a
 * stream. Returns 1 with out->fd set for a stream, 0 to replace, -1 on error.
 */
static int open_existing(output_t *out, const char *path)
{
    int fd = open(path, O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0 && errno == ENXIO) /* a FIFO nobody reads yet: wait for its reader */
        fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
    struct stat st, standard;
    if (fd < 0) {
        int saved = errno;
        if (saved == ENOENT)
            return 0; /* nothing there yet */
        /* Not ours to open: a regular file is replaced; anything else (a socket, a
         * device we may not write) is never replaced by a file. */
        if (saved == EISDIR || saved == ENXIO || (stat(path, &st) == 0 && !S_ISREG(st.st_mode))) {
            errno = saved;
            return -1;
        }
        return 0;
    }
    if (fstat(fd, &st) != 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    /* Our own standard output by another name (/dev/stdout when it is a file): write to it. */
    if (fstat(STDOUT_FILENO, &standard) == 0 && st.st_dev == standard.st_dev &&
        st.st_ino == standard.st_ino && S_ISREG(st.st_mode)) {
        close(fd);
        out->fd = STDOUT_FILENO;
        return 1;
    }
    if (S_ISREG(st.st_mode)) {
        close(fd); /* opened, never written: it is replaced whole */
        return 0;
    }
    int flags = fcntl(fd, F_GETFL);
    if (flags == -1 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) == -1) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    out->fd = fd;
    return 1;
}

/* A directory nothing is ever created in or renamed over: /dev itself, and /proc. */
static int special_directory(const char *real)
{
    if (strcmp(real, "/dev") == 0 || strcmp(real, "/proc") == 0 || strncmp(real, "/proc/", 6) == 0)
        return 1;
    struct statfs fs;
    return statfs(real, &fs) == 0 && fs.f_type == PROC_SUPER_MAGIC;
}

/* Whether 'base' in the resolved directory 'real' is one of our descriptors (/proc/self/fd/N). */
static int own_descriptor(const char *real, const char *base, int *fd)
{
    char own[64];
    int n = snprintf(own, sizeof own, "/proc/%ld/", (long)getpid());
    if (strncmp(real, own, (size_t)n) != 0)
        return 0;
    const char *rest = real + n;
    if (strncmp(rest, "task/", 5) == 0) { /* /proc/thread-self/fd */
        rest += 5;
        if (!(*rest >= '0' && *rest <= '9'))
            return 0;
        while (*rest >= '0' && *rest <= '9')
            rest++;
        if (*rest++ != '/')
            return 0;
    }
    if (strcmp(rest, "fd") != 0 || !*base || strlen(base) > 9)
        return 0;
    for (const char *c = base; *c; c++)
        if (*c < '0' || *c > '9')
            return 0;
    *fd = atoi(base);
    return 1;
}

/*
 * Whether 'path' may only be written in place: it, or a symbolic link it leads
 * through, lies in /dev or under /proc (/dev/stdout, /dev/fd/N, /proc/self/fd/N,
 * a link to one of them). *fd is then N when it names one of our descriptors,
 * else -1. Magic links under /proc (to a file, "pipe:[...]") are not followed.
 */
static int in_place_only(const char *path, int *fd)
{
    *fd = -1;
    int special = 0;
    char *current = strdup(path);
    for (int hops = 0; current && hops < 40; hops++) {
        char *dir, *base, *real, *next = NULL;
        if (split_path(current, &dir, &base) != 0)
            break;
        real = realpath(dir, NULL);
        free(dir);
        if (!real) {
            free(base);
            break;
        }
        special |= special_directory(real);
        int stop = own_descriptor(real, base, fd) || strncmp(real, "/proc/", 6) == 0;
        char target[4096];
        ssize_t length = stop ? -1 : readlink(current, target, sizeof target - 1);
        if (length > 0) {
            target[length] = '\0';
            if (target[0] == '/')
                next = strdup(target);
            else if (asprintf(&next, "%s/%s", real, target) < 0)
                next = NULL;
        }
        free(real);
        free(base);
        free(current);
        current = next;
        if (!current)
            break;
    }
    free(current);
    return special || *fd >= 0;
}

/*
 * Opens an output that may only be written in place. One of our descriptors is
 * written through a duplicate, at its offset, if the program was started with it
 * open for writing (ours have FD_CLOEXEC: never inherited); anything else is
 * opened as it is, never created, a regular file emptied first. -1 with errno set
 * when it cannot be: a closed descriptor is EBADF.
 */
static int open_in_place(output_t *out, const char *path, int own)
{
    out->stream = 1;
    if (own >= 0) {
        int flags = fcntl(own, F_GETFL), fd_flags = fcntl(own, F_GETFD);
        if (flags == -1 || fd_flags == -1 || (fd_flags & FD_CLOEXEC) ||
            (flags & O_ACCMODE) == O_RDONLY
#ifdef O_PATH
            || (flags & O_PATH) == O_PATH
#endif
        ) {
            errno = EBADF;
            return -1;
        }
        out->fd = fcntl(own, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
        return out->fd < 0 ? -1 : 0;
    }
    int fd = open(path, O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0 && errno == ENXIO) /* a FIFO nobody reads yet: wait for its reader */
        fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    struct stat st;
    int flags = fcntl(fd, F_GETFL);
    if (fstat(fd, &st) != 0 || flags == -1 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) == -1 ||
        (S_ISREG(st.st_mode) && ftruncate(fd, 0) != 0)) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    out->fd = fd;
    return 0;
}

int output_open(output_t *out, const char *path, unsigned mode)
{
    *out = (output_t)OUTPUT_INIT;
    if (!(out->path = strdup(path)) || !(out->buffer = malloc(OUTPUT_BUFFER))) {
        errno = ENOMEM;
        return -1;
    }
    if (strcmp(path, "-") == 0) {
        out->fd = STDOUT_FILENO;
        out->stream = 1;
        return 0;
    }
    int own;
    if (in_place_only(path, &own))
        return open_in_place(out, path, own);
    int existing = open_existing(out, path);
    if (existing != 0) {
        out->stream = existing == 1;
        return existing == 1 ? 0 : -1;
    }
    char *dir;
    if (split_path(path, &dir, &out->base) != 0)
        return -1;
    if (!*out->base) {
        free(dir);
        errno = EISDIR;
        return -1;
    }
    /* The directory is held open: the file lands in it even if it is renamed meanwhile. */
    out->dir = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (out->dir < 0 && errno == EACCES)
        out->dir = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    free(dir);
    if (out->dir < 0)
        return -1;
#ifdef O_TMPFILE
    /* An unnamed file is named through /proc/self/fd when complete: without /proc, the
     * fallback (AT_EMPTY_PATH would need a privilege). */
    struct stat proc;
    if (stat("/proc/self/fd", &proc) == 0) {
        out->fd = openat(out->dir, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
        if (out->fd < 0 && errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
            return -1;
    }
#endif
    if (out->fd < 0 && open_named(out) != 0)
        return -1;
    if (fchmod(out->fd, mode & 07777) != 0)
        return -1;
    return 0;
}

static int write_all(int fd, const char *data, size_t length)
{
    size_t done = 0;
    while (done < length) {
        ssize_t n = write(fd, data + done, length - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return n < 0 ? errno : EIO;
        done += (size_t)n;
    }
    return 0;
}

/* ---- The writer thread. ---- */

struct writer {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    int fd;
    int sync_as_written;    /* a temporary file, synced before its rename anyway */
    off_t written;
    char *spare;            /* the buffer neither being filled nor written, or NULL */
    char *data;             /* handed over to be written; NULL when the writer is idle */
    size_t length;
    int error;              /* errno of a failed write */
    int finish;             /* no more buffers will come */
};

static void *write_buffers(void *user)
{
    struct writer *w = user;
    pthread_mutex_lock(&w->lock);
    for (;;) {
        while (!w->data && !w->finish)
            pthread_cond_wait(&w->changed, &w->lock);
        if (!w->data)
            break;
        char *data = w->data;
        size_t length = w->length;
        int failed = w->error;
        pthread_mutex_unlock(&w->lock);
        int error = failed ? 0 : write_all(w->fd, data, length);
#ifdef SYNC_FILE_RANGE_WRITE
        if (!failed && !error && w->sync_as_written)
            sync_file_range(w->fd, w->written, (off_t)length, SYNC_FILE_RANGE_WRITE);
#endif
        w->written += (off_t)length;
        pthread_mutex_lock(&w->lock);
        if (error && !w->error)
            w->error = error;
        w->spare = data;
        w->data = NULL;
        pthread_cond_broadcast(&w->changed);
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

/* Starts a writer with a second buffer. NULL when it cannot: the caller writes itself. */
static struct writer *start_writer(const output_t *out)
{
    struct writer *w = calloc(1, sizeof *w);
    if (!w || !(w->spare = malloc(OUTPUT_BUFFER))) {
        free(w);
        return NULL;
    }
    w->fd = out->fd;
    w->sync_as_written = !out->stream;
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->changed, NULL);
    if (pthread_create(&w->thread, NULL, write_buffers, w) != 0) {
        pthread_cond_destroy(&w->changed);
        pthread_mutex_destroy(&w->lock);
        free(w->spare);
        free(w);
        return NULL;
    }
    return w;
}

/* Hands the filled buffer to the writer and takes the spare one, once it is free. */
static void hand_over(output_t *out)
{
    struct writer *w = out->writer;
    pthread_mutex_lock(&w->lock);
    while (!w->spare)
        pthread_cond_wait(&w->changed, &w->lock);
    if (w->error && !out->error)
        out->error = w->error;
    w->data = out->buffer;
    w->length = out->used;
    out->buffer = w->spare;
    w->spare = NULL;
    pthread_cond_broadcast(&w->changed);
    pthread_mutex_unlock(&w->lock);
}

/* Ends the writer once it has written all it was given, or at once when discarding. */
static void stop_writer(output_t *out, int discard)
{
    struct writer *w = out->writer;
    if (!w)
        return;
    pthread_mutex_lock(&w->lock);
    if (discard && !w->error)
        w->error = ECANCELED; /* write nothing more */
    w->finish = 1;
    pthread_cond_broadcast(&w->changed);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    if (w->error && !out->error && !discard)
        out->error = w->error;
    pthread_cond_destroy(&w->changed);
    pthread_mutex_destroy(&w->lock);
    free(w->spare);
    free(w);
    out->writer = NULL;
}

/* Passes the buffer on: to the writer thread for a large output, else straight to the file. */
static void flush(output_t *out, int more_to_come)
{
    if (out->used && !out->error) {
        if (!out->writer && more_to_come)
            out->writer = start_writer(out);
        if (out->writer)
            hand_over(out);
        else
            out->error = write_all(out->fd, out->buffer, out->used);
    }
    out->used = 0;
}

void output_printf(output_t *out, const char *format, ...)
{
    char text[2048];
    va_list ap;
    va_start(ap, format);
    int n = vsnprintf(text, sizeof text, format, ap);
    va_end(ap);
    if (n > 0)
        output_write(out, text, (size_t)n < sizeof text ? (size_t)n : sizeof text - 1);
}

void output_write(output_t *out, const char *data, size_t length)
{
    while (length && !out->error) {
        if (out->used == OUTPUT_BUFFER)
            flush(out, 1);
        size_t n = OUTPUT_BUFFER - out->used;
        n = n < length ? n : length;
        memcpy(out->buffer + out->used, data, n);
        out->used += n;
        data += n;
        length -= n;
    }
}

void output_puts(output_t *out, const char *text)
{
    output_write(out, text, strlen(text));
}

char *output_room(output_t *out, size_t n)
{
    if (n > OUTPUT_BUFFER - out->used) {
        if (n > OUTPUT_BUFFER)
            return NULL;
        flush(out, 1);
    }
    return out->error ? NULL : out->buffer + out->used;
}

/* ---- Finishing: every output written and synced, then each put in place. ---- */

int output_finish(output_t *out)
{
    if (out->finished)
        return out->error ? -1 : 0;
    if (out->fd < 0 && !out->error)
        out->error = EBADF;
    flush(out, 0);
    stop_writer(out, 0);
    if (!out->error && !out->stream && fsync(out->fd) != 0)
        out->error = errno;
    out->finished = 1;
    return out->error ? -1 : 0;
}

/* An unnamed file gets a temporary name in its directory (a named one has it already). */
static int name_temporary(output_t *out)
{
    if (out->stream || out->temporary)
        return 0;
    char proc[64];
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", out->fd);
    for (int attempt = 0; attempt < 100; attempt++) {
        char *name = temporary_name();
        if (!name) {
            out->error = ENOMEM;
            return -1;
        }
        /* Signals wait until the name is remembered, so that none leaves it behind. */
        sigset_t before;
        hold_signals(&before);
        int linked = linkat(AT_FDCWD, proc, out->dir, name, AT_SYMLINK_FOLLOW);
        if (linked != 0 && errno == ENOENT) /* /proc gone since: a privileged process can */
            linked = linkat(out->fd, "", out->dir, name, AT_EMPTY_PATH);
        int saved = errno;
        if (linked == 0) {
            out->temporary = name;
            remember(out->dir, name);
        }
        release_signals(&before);
        if (linked == 0)
            return 0;
        free(name);
        if (saved != EEXIST) {
            out->error = saved;
            return -1;
        }
    }
    out->error = EEXIST;
    return -1;
}

/* Renames the temporary file over the target, or ends a stream. */
static int put_in_place(output_t *out)
{
    if (out->stream) {
        if (out->fd > STDERR_FILENO && close(out->fd) != 0 && !out->error)
            out->error = errno;
        out->fd = -1;
        return out->error ? -1 : 0;
    }
    if (renameat(out->dir, out->temporary, out->dir, out->base) != 0) {
        out->error = errno;
        return -1;
    }
    forget(out->temporary);
    free(out->temporary);
    out->temporary = NULL;
    fsync(out->dir); /* the rename itself, where the directory could be opened for it */
    if (close(out->fd) != 0 && !out->error)
        out->error = errno;
    out->fd = -1;
    return out->error ? -1 : 0;
}

int output_commit_all(output_t *const *outs, size_t n, output_t **failed)
{
    for (size_t i = 0; i < n; i++)
        if (output_finish(outs[i]) != 0) {
            *failed = outs[i];
            return -1;
        }
    /*
     * From the first link to the last rename every signal that can be held waits: a
     * signal then acts once all outputs are in place (or, after a failure, with the
     * temporary names still remembered, so that its handler removes them), never
     * between two renames.
     */
    sigset_t before;
    hold_signals(&before);
    int result = 0;
    for (size_t i = 0; i < n && !result; i++)
        if (name_temporary(outs[i]) != 0) {
            *failed = outs[i];
            result = -1;
        }
    for (size_t i = 0; i < n && !result; i++)
        if (put_in_place(outs[i]) != 0) {
            *failed = outs[i];
            result = -1;
        }
    release_signals(&before);
    return result;
}

int output_commit(output_t *out)
{
    output_t *failed;
    return output_commit_all(&out, 1, &failed);
}

void output_discard(output_t *out)
{
    stop_writer(out, 1);
    free(out->buffer);
    out->buffer = NULL;
    if (out->fd > STDERR_FILENO)
        close(out->fd);
    out->fd = -1;
    if (out->temporary) {
        unlinkat(out->dir, out->temporary, 0);
        forget(out->temporary);
        free(out->temporary);
        out->temporary = NULL;
    }
    if (out->dir >= 0)
        close(out->dir);
    out->dir = -1;
    free(out->path);
    out->path = NULL;
    free(out->base);
    out->base = NULL;
}

/* ---- CSV, encoded by the library's formats into the buffer. ---- */

/*
 * Runs an encoder (snprintf-like: it returns the length it needs) on the
 * buffer's free room; when that is short, again on an emptied buffer, or on
 * a buffer of its own for a row longer than the output buffer.
 */
#define ENCODE(out, call_with_room)                                                           \
    do {                                                                                      \
        char *to_ = (out)->buffer + (out)->used;                                              \
        size_t room_ = OUTPUT_BUFFER - (out)->used;                                           \
        size_t n_;                                                                            \
        { char *to = to_; size_t room = room_; n_ = (call_with_room); }                       \
        if (n_ <= room_) {                                                                    \
            (out)->used += n_;                                                                \
            break;                                                                            \
        }                                                                                     \
        if ((out)->error)                                                                     \
            break;                                                                            \
        if (n_ <= OUTPUT_BUFFER) {                                                            \
            flush((out), 1);                                                                  \
            if ((out)->error)                                                                 \
                break;                                                                        \
            char *to = (out)->buffer;                                                         \
            size_t room = OUTPUT_BUFFER;                                                      \
            (out)->used = (call_with_room);                                                   \
            break;                                                                            \
        }                                                                                     \
        char *to = malloc(n_); /* longer than the buffer: rare */                            \
        size_t room = n_;                                                                     \
        if (!to) {                                                                            \
            (out)->error = ENOMEM;                                                            \
            break;                                                                            \
        }                                                                                     \
        output_write((out), to, (call_with_room));                                            \
        free(to);                                                                             \
    } while (0)

void csv_text(output_t *out, const char *text)
{
    ENCODE(out, ps_cell_text(to, room, text));
}

void csv_identifier(output_t *out, const char *id)
{
    ENCODE(out, ps_cell_text(to, room, id));
}

void csv_unsigned(output_t *out, unsigned long value)
{
    ENCODE(out, ps_cell_unsigned(to, room, value));
}

void csv_fixed(output_t *out, double value, int decimals)
{
    ENCODE(out, ps_cell_number(to, room, value, decimals));
}

void csv_scored_header(output_t *out, const char *const *kept, size_t n_kept)
{
    ENCODE(out, ps_format_header(to, room, PS_FORMAT_SCORED, kept, n_kept));
}

void csv_scored_row(output_t *out, const ps_score_t *score, size_t n_kept)
{
    ENCODE(out, ps_format_scored_row(to, room, score, n_kept));
}

void csv_rejects_header(output_t *out)
{
    ENCODE(out, ps_format_header(to, room, PS_FORMAT_REJECTS, NULL, 0));
}

void csv_reject(output_t *out, const ps_reject_t *reject)
{
    ENCODE(out, ps_format_reject_row(to, room, reject));
}

void csv_report_header(output_t *out)
{
    ENCODE(out, ps_format_header(to, room, PS_FORMAT_REPORT, NULL, 0));
}

void csv_report_row(output_t *out, const char *instrument, const ps_statistic_t *statistic)
{
    ENCODE(out, ps_format_report_row_with(to, room, instrument, statistic));
}

void csv_summary_header(output_t *out)
{
    ENCODE(out, ps_format_header(to, room, PS_FORMAT_SUMMARY, NULL, 0));
}

void csv_summary_row(output_t *out, const ps_report_block_t *block)
{
    ENCODE(out, ps_format_summary_row(to, room, block));
}

int output_parse_mode(const char *text, unsigned *mode)
{
    char *end;
    errno = 0;
    unsigned long m = strtoul(text, &end, 8);
    if (errno || end == text || *end || m > 0777)
        return -1;
    *mode = (unsigned)m;
    return 0;
}
