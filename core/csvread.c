/*
 * CSV reading on top of libcsv, parsed ahead on a second thread.
 *
 * libcsv reports neither lines nor columns, so input is fed to it one
 * physical line at a time: every callback then knows the line it fires on.
 *
 * The parsing thread fills blocks of whole records, prepares each record as
 * it is completed when the caller asks for that, and hands the blocks over in
 * order; the caller's thread takes them and runs the record function. Only
 * the caller's thread touches the context: a parse that fails leaves its
 * diagnostic in the last block, reported after the records before it, as one
 * thread would. Blocks are small enough to stay in cache between the threads.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <csv.h>

#include "csvread.h"
#include "limits.h"

enum {
    N_BLOCKS = 4,                 /* in flight between the threads */
    BLOCK_TEXT = 64 * 1024,       /* a block is handed over past this much text, */
    BLOCK_FIELDS = 16 * 1024,     /* this many fields, */
    BLOCK_RECORDS = 1024,         /* this many records, */
    BLOCK_NOTES = 64 * 1024,      /* or this many bytes of notes */
    READ_SIZE = 1 << 16,
};

/* Why reading stopped early, reported by the caller's thread. */
struct failure {
    ps_error_t error;             /* PS_OK: the input ended normally */
    unsigned long line;
    char message[256];            /* empty when there is nothing to report (out of memory) */
};

/*
 * A block's records point straight into it, so its complete records never
 * move: its field arrays are allocated at their largest (its limits and one
 * more record), and its text grows only to hold a record longer than it has
 * room for, which then moves to a block of its own (see make_room).
 */
struct block {
    char *text;                   /* every field, each NUL-terminated */
    size_t text_used, text_size;
    char **fields;                /* per field */
    size_t *lengths;
    size_t n_fields;
    ps_csv_record_t *records;
    size_t n_records;
    char *notes;                  /* note_size bytes per record, once that is known */
    int last;                     /* no block follows; 'failure' says why */
    struct failure failure;
};

struct reader {
    const char *file;
    int fd;

    /* The parsing thread's own while it runs. */
    struct csv_parser parser;
    char *buffer;                 /* read from the file; lines from 'pos' not yet fed */
    size_t pos, len;
    int first_read, last_was_cr;
    unsigned long line;           /* line being fed */
    unsigned long record_line;    /* line the current record started on */
    size_t record_fields;         /* fields of the current record so far */
    size_t record_bytes;
    struct failure failure;       /* set by a callback: stop feeding */
    struct block *filling;
    ps_csv_reading_t *reading;
    int header_pending;           /* the first record is still to come */
    size_t note_size;             /* the caller's, read once it has handled the header */

    /* Shared, under 'lock'. */
    pthread_mutex_t lock;
    pthread_cond_t changed;
    struct block blocks[N_BLOCKS];
    size_t next_fill, next_take, n_full;
    int stop;                     /* the caller wants no more */
};

typedef struct reader reader_t;

/* libcsv grows a field buffer through this; refusing makes the parse fail with CSV_ENOMEM. */
static void *capped_realloc(void *p, size_t size)
{
    return size > PS_MAX_FIELD_BYTES + 256 ? NULL : realloc(p, size);
}

static unsigned long line_breaks(const char *s, size_t n)
{
    unsigned long breaks = 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] == '\r' || (s[i] == '\n' && (i == 0 || s[i - 1] != '\r')))
            breaks++;
    return breaks;
}

static void fail(reader_t *r, ps_error_t error, unsigned long line, const char *format, ...)
    __attribute__((format(printf, 4, 5)));

static void fail(reader_t *r, ps_error_t error, unsigned long line, const char *format, ...)
{
    if (r->failure.error)
        return;
    r->failure.error = error;
    r->failure.line = line;
    va_list ap;
    va_start(ap, format);
    vsnprintf(r->failure.message, sizeof r->failure.message, format, ap);
    va_end(ap);
}

static void out_of_memory(reader_t *r)
{
    if (!r->failure.error)
        r->failure = (struct failure){.error = PS_ERROR_NOMEM};
}

static void empty(struct block *b)
{
    b->text_used = b->n_fields = b->n_records = 0;
}

/* ---- Handing blocks over. ---- */

/* The parsing thread's next empty block, or NULL when the caller has stopped. */
static struct block *take_empty(reader_t *r)
{
    pthread_mutex_lock(&r->lock);
    while (r->n_full == N_BLOCKS && !r->stop)
        pthread_cond_wait(&r->changed, &r->lock);
    struct block *b = r->stop ? NULL : &r->blocks[r->next_fill];
    pthread_mutex_unlock(&r->lock);
    if (b)
        empty(b);
    return b;
}

/* Hands the block being filled to the caller. Returns 0, or -1 when the caller has stopped. */
static int hand_over(reader_t *r, int last)
{
    r->filling->last = last;
    r->filling->failure = r->failure;
    pthread_mutex_lock(&r->lock);
    r->next_fill = (r->next_fill + 1) % N_BLOCKS;
    r->n_full++;
    pthread_cond_broadcast(&r->changed);
    pthread_mutex_unlock(&r->lock);
    if (last)
        return 0;
    return (r->filling = take_empty(r)) ? 0 : -1;
}

/* ---- Parsing: libcsv callbacks append to the block being filled. ---- */

/* A record's first field: the line it starts on, counting back over quoted line breaks. */
static void start_record(reader_t *r, const char *data, size_t len)
{
    r->record_line = r->line - line_breaks(data, len);
    r->record_bytes = 0;
}

static __attribute__((cold)) void too_large(reader_t *r)
{
    if (r->record_fields >= PS_MAX_COLUMNS)
        fail(r, PS_ERROR_LIMIT, r->record_line, "more than %u fields in a row", PS_MAX_COLUMNS);
    else
        fail(r, PS_ERROR_LIMIT, r->record_line, "row longer than %u bytes", PS_MAX_RECORD_BYTES);
}

/*
 * Makes room for 'need' more bytes of the record being read. When the block
 * holds complete records, they are handed over and the record moves to the
 * next block; a block holding only that record grows. Returns 0, or -1 with
 * the failure set.
 */
static int make_room(reader_t *r, size_t need)
{
    struct block *b = r->filling;
    const size_t first = b->n_fields - r->record_fields;
    const size_t start = r->record_fields ? (size_t)(b->fields[first] - b->text) : b->text_used;
    const size_t partial = b->text_used - start;
    const struct block *from = b;
    if (b->n_records) {
        /* The caller reads only the complete records of the block it is handed. */
        b->n_fields = first;
        if (hand_over(r, 0) != 0) {
            r->failure.error = PS_ERROR_ABORTED;
            return -1;
        }
        b = r->filling;
    }
    size_t size = b->text_size;
    while (size < partial + need)
        size *= 2;
    if (size > b->text_size) {
        char *text = b == from ? realloc(b->text, size) : malloc(size);
        if (!text) {
            out_of_memory(r);
            return -1;
        }
        if (b != from)
            free(b->text);
        b->text = text;
        b->text_size = size;
    }
    /* The record's fields, at the start of the block: copied there, or where realloc left them. */
    if (b != from)
        memcpy(b->text, from->text + start, partial);
    size_t offset = 0;
    for (size_t f = 0; f < r->record_fields; f++) {
        b->lengths[f] = from->lengths[first + f];
        b->fields[f] = b->text + offset;
        offset += b->lengths[f] + 1;
    }
    b->n_fields = r->record_fields;
    b->text_used = partial;
    return 0;
}

static void on_field(void *data, size_t len, void *user)
{
    reader_t *r = user;
    if (r->failure.error)
        return;
    if (r->record_fields == 0)
        start_record(r, data, len);
    if (r->record_fields >= PS_MAX_COLUMNS || r->record_bytes + len + 1 > PS_MAX_RECORD_BYTES) {
        too_large(r);
        return;
    }
    if (r->filling->text_used + len + 1 > r->filling->text_size && make_room(r, len + 1) != 0)
        return;
    struct block *b = r->filling;
    char *to = b->text + b->text_used;
    if (len <= 16) /* most fields: a copy without a call */
        for (size_t i = 0; i < len; i++)
            to[i] = ((const char *)data)[i];
    else
        memcpy(to, data, len);
    to[len] = '\0';
    b->fields[b->n_fields] = to;
    b->lengths[b->n_fields++] = len;
    b->text_used += len + 1;
    r->record_fields++;
    r->record_bytes += len + 1;
}

/* Waits until the caller has handled every block handed over. Returns -1 when it has stopped. */
static int wait_for_caller(reader_t *r)
{
    pthread_mutex_lock(&r->lock);
    while (r->n_full && !r->stop)
        pthread_cond_wait(&r->changed, &r->lock);
    int stopped = r->stop;
    r->note_size = r->reading->note_size;
    pthread_mutex_unlock(&r->lock);
    return stopped ? -1 : 0;
}

static void on_record(int terminator, void *user)
{
    reader_t *r = user;
    struct block *b = r->filling;
    (void)terminator;
    if (r->failure.error)
        return;
    if (r->record_fields == 0)
        r->record_line = r->line;
    const size_t first = b->n_fields - r->record_fields;
    ps_csv_record_t *record = &b->records[b->n_records++];
    *record = (ps_csv_record_t){b->fields + first, b->lengths + first, r->record_fields,
                                r->record_line, NULL};
    r->record_fields = 0;
    if (r->reading->prepare) {
        if (r->header_pending) {
            /* The caller reads the header before any record is prepared. */
            r->header_pending = 0;
            if (hand_over(r, 0) != 0 || wait_for_caller(r) != 0)
                r->failure.error = PS_ERROR_ABORTED;
            return;
        }
        if (r->note_size) {
            if (!b->notes && !(b->notes = malloc(BLOCK_NOTES + r->note_size))) {
                out_of_memory(r);
                return;
            }
            record->note = memset(b->notes + (b->n_records - 1) * r->note_size, 0, r->note_size);
        }
        r->reading->prepare(record, r->reading->user);
    }
    if ((b->text_used >= BLOCK_TEXT || b->n_fields >= BLOCK_FIELDS ||
         b->n_records >= BLOCK_RECORDS || b->n_records * r->note_size >= BLOCK_NOTES) &&
        hand_over(r, 0) != 0)
        r->failure.error = PS_ERROR_ABORTED; /* the caller stopped: nobody reads this */
}

static void parse_failure(reader_t *r, int at_end)
{
    int e = csv_error(&r->parser);
    if (e == CSV_ENOMEM || e == CSV_ETOOBIG)
        fail(r, PS_ERROR_LIMIT, r->line, "a field is longer than %u bytes (an unclosed quote?)",
             PS_MAX_FIELD_BYTES);
    else if (at_end)
        fail(r, PS_ERROR_BATCH, r->line,
             "end of file inside a quoted field: a quote opened on or after line %lu is never "
             "closed",
             r->record_fields ? r->record_line : r->line);
    else
        fail(r, PS_ERROR_BATCH, r->line,
             "malformed quoting: a quote inside an unquoted field, or text after a closing "
             "quote (%s)",
             csv_strerror(e));
}

/* Feeds what is buffered to libcsv, a physical line at a time. */
static void feed(reader_t *r)
{
    const char *buf = r->buffer;
    const size_t n = r->len;
    /* Without a CR in the buffer, lines end at LF only and memchr finds them. */
    const int has_cr = memchr(buf + r->pos, '\r', n - r->pos) != NULL;
    size_t start = r->pos;
    while (start < n && !r->failure.error) {
        size_t end = start;
        if (has_cr) {
            while (end < n && buf[end] != '\n' && buf[end] != '\r')
                end++;
        } else {
            const char *lf = memchr(buf + start, '\n', n - start);
            end = lf ? (size_t)(lf - buf) : n;
        }
        int terminated = end < n;
        size_t len = end - start + (terminated ? 1 : 0);
        if (csv_parse(&r->parser, buf + start, len, on_field, on_record, r) != len &&
            !r->failure.error) {
            parse_failure(r, 0);
            break;
        }
        if (terminated) {
            char t = buf[end];
            if (t == '\r' || !r->last_was_cr)
                r->line++;
            r->last_was_cr = t == '\r';
        } else if (len) {
            r->last_was_cr = 0;
        }
        start = end + (terminated ? 1 : 0);
    }
    r->pos = start;
}

/*
 * read(2) is the one place the caller may cancel the parsing thread: a batch
 * on a terminal or a pipe can wait there for ever after the caller has stopped.
 */
static ssize_t cancellable_read(reader_t *r)
{
    pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, NULL);
    ssize_t n = read(r->fd, r->buffer, READ_SIZE);
    pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
    return n;
}

/* Reads and feeds until the input ends or a failure. */
static void run(reader_t *r)
{
    while (!r->failure.error) {
        if (r->pos < r->len) {
            feed(r);
            continue;
        }
        /*
         * Whole records go to the caller before a read that may wait (a pipe, a
         * terminal); a record still being read keeps its block until it is whole.
         */
        if (r->filling->n_records && r->record_fields == 0 && hand_over(r, 0) != 0) {
            r->failure.error = PS_ERROR_ABORTED;
            break;
        }
        ssize_t n = cancellable_read(r);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            fail(r, PS_ERROR_READ, r->line, "cannot read: %s", strerror(errno));
            break;
        }
        if (n == 0) {
            if (csv_fini(&r->parser, on_field, on_record, r) != 0 && !r->failure.error)
                parse_failure(r, 1);
            break;
        }
        r->pos = 0;
        r->len = (size_t)n;
        if (r->first_read && n >= 3 && memcmp(r->buffer, "\xEF\xBB\xBF", 3) == 0)
            r->pos = 3;
        r->first_read = 0;
    }
}

static void *parse(void *user)
{
    reader_t *r = user;
    pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
    if (!(r->filling = take_empty(r)))
        return NULL;
    run(r);
    if (r->failure.error != PS_ERROR_ABORTED)
        hand_over(r, 1);
    return NULL;
}

/* ---- The caller's thread. ---- */

static struct block *take_full(reader_t *r)
{
    pthread_mutex_lock(&r->lock);
    while (r->n_full == 0)
        pthread_cond_wait(&r->changed, &r->lock);
    struct block *b = &r->blocks[r->next_take];
    pthread_mutex_unlock(&r->lock);
    return b;
}

/*
 * Gives the block back; with 'stop', says in the same breath that the caller wants no more,
 * so that the parsing thread, waiting for the header to be handled, never sees the block
 * handled without the stop and goes on preparing records for a refused header.
 */
static void give_back(reader_t *r, int stop)
{
    pthread_mutex_lock(&r->lock);
    r->next_take = (r->next_take + 1) % N_BLOCKS;
    r->n_full--;
    r->stop |= stop;
    pthread_cond_broadcast(&r->changed);
    pthread_mutex_unlock(&r->lock);
}

/* Runs 'fn' on the block's records; a diagnostic for a failure that ends it. */
static ps_error_t deliver(const ps_context_t *context, const char *file, const struct block *b,
                          ps_csv_block_fn fn, void *user)
{
    ps_error_t err = b->n_records ? fn(b->records, b->n_records, user) : PS_OK;
    if (err)
        return err;
    const struct failure *f = &b->failure;
    if (b->last && f->error && f->message[0])
        return ps_diagnose(context, f->error, file, f->line, 0, "%s", f->message);
    return b->last ? f->error : PS_OK;
}

/* Reads with a parsing thread already set up in 'r'. */
static ps_error_t read_records(const ps_context_t *context, reader_t *r)
{
    pthread_t parser;
    int started = pthread_create(&parser, NULL, parse, r);
    if (started != 0)
        return ps_diagnose(context, PS_ERROR_INTERNAL, r->file, 0, 0,
                           "cannot start the parsing thread: %s", strerror(started));
    ps_error_t err = PS_OK;
    for (int last = 0; !err && !last;) {
        const struct block *b = take_full(r);
        err = deliver(context, r->file, b, r->reading->records, r->reading->user);
        last = b->last;
        give_back(r, err != PS_OK);
    }
    if (err)
        pthread_cancel(parser);
    pthread_join(parser, NULL);
    return err;
}

/* Field arrays at their largest, text at twice a block's limit: see struct block. */
static int allocate_blocks(reader_t *r)
{
    for (size_t i = 0; i < N_BLOCKS; i++) {
        struct block *b = &r->blocks[i];
        const size_t fields = BLOCK_FIELDS + PS_MAX_COLUMNS;
        b->text_size = 2 * BLOCK_TEXT;
        b->text = malloc(b->text_size);
        b->fields = malloc(fields * sizeof *b->fields);
        b->lengths = malloc(fields * sizeof *b->lengths);
        b->records = malloc(BLOCK_RECORDS * sizeof *b->records);
        if (!b->text || !b->fields || !b->lengths || !b->records)
            return -1;
    }
    return 0;
}

ps_error_t ps_csv_read_prepared(const ps_context_t *context, const char *file,
                                ps_csv_reading_t *reading)
{
    int fd = strcmp(file, "-") == 0 ? STDIN_FILENO : open(file, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return ps_diagnose(context, PS_ERROR_READ, file, 0, 0, "cannot open: %s",
                           strerror(errno));
    ps_error_t err = PS_ERROR_NOMEM;
    reader_t *r = calloc(1, sizeof *r);
    if (!r || !(r->buffer = malloc(READ_SIZE)) || allocate_blocks(r) != 0 ||
        csv_init(&r->parser, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
        goto done;
    csv_set_realloc_func(&r->parser, capped_realloc);
    r->file = file;
    r->fd = fd;
    r->line = 1;
    r->first_read = 1;
    r->reading = reading;
    r->header_pending = 1;
    pthread_mutex_init(&r->lock, NULL);
    pthread_cond_init(&r->changed, NULL);
    err = read_records(context, r);
    pthread_cond_destroy(&r->changed);
    pthread_mutex_destroy(&r->lock);
    csv_free(&r->parser);
done:
    if (r) {
        for (size_t i = 0; i < N_BLOCKS; i++) {
            free(r->blocks[i].text);
            free(r->blocks[i].fields);
            free(r->blocks[i].lengths);
            free(r->blocks[i].records);
            free(r->blocks[i].notes);
        }
        free(r->buffer);
    }
    free(r);
    if (fd != STDIN_FILENO)
        close(fd);
    return err;
}

/* ps_csv_read on top of ps_csv_read_prepared. */
struct one_by_one {
    ps_csv_record_fn fn;
    void *user;
};

static ps_error_t each_record(const ps_csv_record_t *records, size_t n, void *user)
{
    const struct one_by_one *o = user;
    for (size_t i = 0; i < n; i++) {
        ps_error_t err = o->fn(&records[i], o->user);
        if (err)
            return err;
    }
    return PS_OK;
}

ps_error_t ps_csv_read(const ps_context_t *context, const char *file, ps_csv_record_fn fn,
                       void *user)
{
    struct one_by_one o = {fn, user};
    ps_csv_reading_t reading = {.records = each_record, .user = &o};
    return ps_csv_read_prepared(context, file, &reading);
}
