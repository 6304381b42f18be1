#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <promscore/formats.h>

#include "output.h"

/*
 * Temporary files of the outputs being written, so that an interrupted run
 * (SIGINT, SIGTERM, SIGHUP) leaves none behind: the handler may only unlink.
 */
enum { MAX_PENDING = 8 };
static char *volatile pending[MAX_PENDING];

static void remember(char *temporary)
{
    for (int i = 0; i < MAX_PENDING; i++)
        if (!pending[i]) {
            pending[i] = temporary;
            return;
        }
}

static void forget(const char *temporary)
{
    for (int i = 0; i < MAX_PENDING; i++)
        if (pending[i] == temporary)
            pending[i] = NULL;
}

static void on_signal(int sig)
{
    for (int i = 0; i < MAX_PENDING; i++)
        if (pending[i])
            unlink(pending[i]);
    signal(sig, SIG_DFL);
    raise(sig);
}

void output_catch_signals(void)
{
    static const int signals[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE};
    for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++) {
        struct sigaction action = {.sa_handler = on_signal};
        sigemptyset(&action.sa_mask);
        for (size_t j = 0; j < sizeof signals / sizeof signals[0]; j++)
            sigaddset(&action.sa_mask, signals[j]);
        sigaction(signals[i], &action, NULL);
    }
}

int output_open(output_t *out, const char *path, unsigned mode)
{
    *out = (output_t){.fd = -1};
    if (!(out->path = strdup(path)) || !(out->buffer = malloc(OUTPUT_BUFFER)))
        return -1;
    if (strcmp(path, "-") == 0) {
        out->fd = STDOUT_FILENO;
        return 0;
    }
    /* A device or pipe (/dev/null, /dev/stdout) cannot be replaced by renaming: write to it. */
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        out->fd = open(path, O_WRONLY | O_CLOEXEC);
        return out->fd < 0 ? -1 : 0;
    }
    size_t len = strlen(path) + sizeof ".tmp-XXXXXX";
    if (!(out->temporary = malloc(len)))
        return -1;
    snprintf(out->temporary, len, "%s.tmp-XXXXXX", path);
    out->fd = mkostemp(out->temporary, O_CLOEXEC);
    if (out->fd < 0) {
        int saved = errno;
        free(out->temporary);
        out->temporary = NULL;
        errno = saved;
        return -1;
    }
    remember(out->temporary);
    if (fchmod(out->fd, mode & 07777) != 0) {
        int saved = errno;
        output_discard(out);
        errno = saved;
        return -1;
    }
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
    w->sync_as_written = out->temporary != NULL;
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

int output_commit(output_t *out)
{
    flush(out, 0);
    stop_writer(out, 0);
    if (!out->temporary) {
        if (out->fd > STDERR_FILENO && close(out->fd) != 0 && !out->error)
            out->error = errno;
        out->fd = -1;
        return out->error ? -1 : 0;
    }
    if (!out->error && fsync(out->fd) != 0)
        out->error = errno;
    if (close(out->fd) != 0 && !out->error)
        out->error = errno;
    out->fd = -1;
    if (!out->error && rename(out->temporary, out->path) != 0)
        out->error = errno;
    if (out->error) {
        output_discard(out);
        return -1;
    }
    forget(out->temporary);
    free(out->temporary);
    out->temporary = NULL;
    return 0;
}

void output_discard(output_t *out)
{
    stop_writer(out, 1);
    free(out->buffer);
    out->buffer = NULL;
    if (!out->temporary && out->fd > STDERR_FILENO)
        close(out->fd);
    if (out->temporary) {
        if (out->fd >= 0)
            close(out->fd);
        unlink(out->temporary);
        forget(out->temporary);
        free(out->temporary);
        out->temporary = NULL;
    }
    out->fd = -1;
    free(out->path);
    out->path = NULL;
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

void csv_report_row(output_t *out, const ps_statistic_t *statistic)
{
    ENCODE(out, ps_format_report_row(to, room, statistic));
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
