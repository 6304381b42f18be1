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

#include <promscore/promscore.h>

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

static int plain_number(const char *s)
{
    char *end;
    if (!*s || strspn(s, "+-0123456789.eE") != strlen(s))
        return 0;
    strtod(s, &end);
    return *end == '\0';
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

/* A few bytes into the buffer. */
static void put(output_t *out, const char *data, size_t n)
{
    char *room = output_room(out, n);
    if (!room) {
        output_write(out, data, n);
        return;
    }
    memcpy(room, data, n);
    out->used += n;
}

/* Bytes that make a cell need quotes. */
#define NEEDS_QUOTES ",\"\r\n"

/*
 * Writes 'text' (n bytes; 'special' when it holds one of NEEDS_QUOTES) as a
 * CSV cell at 'to', which has room for CELL_ROOM(n) bytes, and returns where it
 * ends. A cell is quoted when it holds a comma, quote or line break or starts
 * or ends with a space; one that starts like a spreadsheet formula, and is not
 * a plain number, also gets a ' inside the quotes so that no spreadsheet runs it.
 */
#define CELL_ROOM(n) (2 * (n) + 3)

/* A first byte with which a spreadsheet may take a cell for a formula. */
static int starts_formula(char c)
{
    return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
}

static char *cell_at(char *to, const char *text, size_t n, int special)
{
    const int guard = starts_formula(text[0]) && !plain_number(text);
    if (!special && !guard && (n == 0 || (text[0] != ' ' && text[n - 1] != ' '))) {
        memcpy(to, text, n);
        return to + n;
    }
    *to++ = '"';
    if (guard)
        *to++ = '\'';
    for (size_t i = 0; i < n; i++) {
        if (text[i] == '"')
            *to++ = '"';
        *to++ = text[i];
    }
    *to++ = '"';
    return to;
}

/* Bytes that end a plain cell: the end of the text, or a byte that needs quotes. */
static const unsigned char ends_plain[256] = {[0] = 1, [','] = 1, ['"'] = 1, ['\r'] = 1, ['\n'] = 1};

void csv_text(output_t *out, const char *text)
{
    /* The common cell, short plain text, is copied as it is checked. */
    enum { SHORT = 64 };
    char *room;
    /* Perhaps a formula, or a leading space: the careful way below. */
    if (!starts_formula(text[0]) && text[0] != ' ' && (room = output_room(out, SHORT))) {
        size_t i = 0;
        unsigned char c;
        while (i < SHORT && !ends_plain[c = (unsigned char)text[i]])
            room[i++] = (char)c;
        if (i < SHORT && text[i] == '\0' && (i == 0 || text[i - 1] != ' ')) {
            out->used += i;
            return;
        }
    }
    size_t n = strcspn(text, NEEDS_QUOTES);
    const int special = text[n] != '\0';
    if (special)
        n += strlen(text + n);
    if (n > (SIZE_MAX - 3) / 2) {
        out->error = out->error ? out->error : EOVERFLOW;
        return;
    }
    if ((room = output_room(out, CELL_ROOM(n)))) {
        out->used = (size_t)(cell_at(room, text, n, special) - out->buffer);
        return;
    }
    if (out->error)
        return;
    char *cell = malloc(CELL_ROOM(n)); /* longer than the buffer: rare */
    if (!cell) {
        out->error = ENOMEM;
        return;
    }
    output_write(out, cell, (size_t)(cell_at(cell, text, n, special) - cell));
    free(cell);
}

void csv_identifier(output_t *out, const char *id)
{
    put(out, id, strlen(id));
}

/* The digits of 'value' ending at 'end'; returns where they start. */
static char *digits_before(char *end, unsigned long long value)
{
    do {
        *--end = (char)('0' + value % 10);
        value /= 10;
    } while (value);
    return end;
}

void csv_unsigned(output_t *out, unsigned long value)
{
    char digits[24], *end = digits + sizeof digits;
    char *start = digits_before(end, value);
    put(out, start, (size_t)(end - start));
}

/* Fixed-point without printf: scores are written millions of times. */
void csv_fixed(output_t *out, double value, int decimals)
{
    static const double powers[] = {1, 10, 100, 1e3, 1e4, 1e5, 1e6};
    char text[64];
    if (!isfinite(value) || decimals < 0 || decimals > 6 || fabs(value) > 1e12) {
        int n = snprintf(text, sizeof text, "%.*f", decimals < 0 ? 0 : decimals, value);
        output_write(out, text, (size_t)n);
        return;
    }
    long long scaled = llround(value * powers[decimals]);
    unsigned long long magnitude = (unsigned long long)(scaled < 0 ? -scaled : scaled);
    unsigned long long unit = (unsigned long long)powers[decimals];
    char *end = text + sizeof text, *start = end;
    if (decimals) {
        unsigned long long frac = magnitude % unit;
        for (int i = 0; i < decimals; i++, frac /= 10)
            *--start = (char)('0' + frac % 10);
        *--start = '.';
    }
    start = digits_before(start, magnitude / unit);
    if (scaled < 0)
        *--start = '-';
    put(out, start, (size_t)(end - start));
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

void csv_rejects_header(output_t *out)
{
    output_puts(out, "file,line,participant_id,column,value,reason\n");
}

void csv_reject(output_t *out, const ps_reject_t *r)
{
    csv_text(out, r->file);
    csv_comma(out);
    csv_unsigned(out, r->line);
    csv_comma(out);
    csv_text(out, r->participant_id);
    csv_comma(out);
    csv_text(out, r->column_name);
    csv_comma(out);
    csv_text(out, r->value);
    csv_comma(out);
    csv_text(out, r->reason);
    csv_end_row(out);
}
