/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The pipeline: the worker reads records and prepares them into blocks; the
 * caller's thread takes the blocks in order and finishes their rows. A block
 * belongs to one thread at a time, handed over under one lock; the records in
 * it are copies, so the reader's buffers stay the worker's own. The caller
 * stops the worker by saying so under the lock and, for a worker waiting on
 * a pipe, by making the reader's cancel descriptor readable.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "limits.h"
#include "pipeline.h"

enum {
    N_BLOCKS = 4,              /* in flight between the threads */
    BLOCK_RECORDS = 1024,      /* a block is handed over with this many records, */
    BLOCK_TEXT = 64 * 1024,    /* this much text, */
    BLOCK_FIELDS = 16 * 1024,  /* or this many fields */
    ROW_ALIGN = 16,
    AHEAD = 8,                 /* rows looked at before they are finished */
};

struct block {
    char *text;
    size_t text_used, text_size;
    char **fields;             /* BLOCK_FIELDS + PS_MAX_COLUMNS: any record fits */
    size_t *lengths;
    size_t n_fields;
    ps_csv_record_t *records;
    unsigned char *rows;       /* row_size bytes per record */
    size_t n;
    int last;                  /* no block follows; 'error' says why */
    ps_error_t error;
};

struct pipeline {
    ps_csv_reader_t *reader;
    const ps_pipeline_stages_t *stages;
    size_t row_size;

    pthread_mutex_t lock;
    pthread_cond_t changed;
    struct block blocks[N_BLOCKS];
    size_t next_fill, next_take, n_full;
    int stop;
};

/* ---- One thread. ---- */

static ps_error_t run_inline(const ps_context_t *context, ps_csv_reader_t *reader,
                             const ps_pipeline_stages_t *stages)
{
    void *row = malloc(stages->row_size ? stages->row_size : 1);
    if (!row)
        return PS_ERROR_NOMEM;
    ps_error_t err;
    ps_csv_record_t *record;
    while (!(err = ps_csv_next(reader, &record)) && record) {
        stages->prepare(record, row, stages->user);
        if ((err = stages->finish(record, row, stages->user)))
            break;
    }
    free(row);
    if (err && !record)
        err = ps_csv_report(context, reader);
    return err;
}

/* ---- The worker. ---- */

static struct block *take_empty(struct pipeline *p)
{
    pthread_mutex_lock(&p->lock);
    while (p->n_full == N_BLOCKS && !p->stop)
        pthread_cond_wait(&p->changed, &p->lock);
    struct block *b = p->stop ? NULL : &p->blocks[p->next_fill];
    pthread_mutex_unlock(&p->lock);
    if (b)
        b->text_used = b->n_fields = b->n = 0;
    return b;
}

static void hand_over(struct pipeline *p)
{
    pthread_mutex_lock(&p->lock);
    p->next_fill = (p->next_fill + 1) % N_BLOCKS;
    p->n_full++;
    pthread_cond_broadcast(&p->changed);
    pthread_mutex_unlock(&p->lock);
}

static size_t record_text(const ps_csv_record_t *r)
{
    return (size_t)(r->fields[r->n_fields - 1] - r->fields[0]) + r->lengths[r->n_fields - 1] + 1;
}

/* Copies a record into the block, with room for its row. Returns the copy. */
static ps_csv_record_t *copy(struct block *b, const ps_csv_record_t *from, size_t text)
{
    char *to = b->text + b->text_used;
    memcpy(to, from->fields[0], text);
    ps_csv_record_t *r = &b->records[b->n];
    *r = *from;
    r->fields = b->fields + b->n_fields;
    r->lengths = b->lengths + b->n_fields;
    for (size_t f = 0; f < from->n_fields; f++) {
        r->fields[f] = to + (from->fields[f] - from->fields[0]);
        r->lengths[f] = from->lengths[f];
    }
    b->text_used += text;
    b->n_fields += from->n_fields;
    return r;
}

static void *work(void *user)
{
    struct pipeline *p = user;
    const ps_pipeline_stages_t *stages = p->stages;
    struct block *b = take_empty(p);
    while (b) {
        ps_csv_record_t *record;
        ps_error_t err = ps_csv_next(p->reader, &record);
        if (err || !record) {
            b->last = 1;
            b->error = err;
            hand_over(p);
            return NULL;
        }
        size_t text = record_text(record);
        if (b->text_used + text > b->text_size && b->n) {
            hand_over(p);
            if (!(b = take_empty(p)))
                return NULL;
        }
        if (text > b->text_size) {
            /* A record longer than a block: this block holds it alone. */
            char *grown = realloc(b->text, text);
            if (!grown) {
                b->last = 1;
                b->error = PS_ERROR_NOMEM;
                hand_over(p);
                return NULL;
            }
            b->text = grown;
            b->text_size = text;
        }
        ps_csv_record_t *copied = copy(b, record, text);
        stages->prepare(copied, b->rows + b->n * p->row_size, stages->user);
        b->n++;
        /* Whole blocks, or what there is before a read that may wait (a pipe, a terminal). */
        if (b->n == BLOCK_RECORDS || b->text_used >= BLOCK_TEXT ||
            b->n_fields >= BLOCK_FIELDS || !ps_csv_buffered(p->reader)) {
            hand_over(p);
            b = take_empty(p);
        }
    }
    return NULL;
}

/* ---- The caller's thread. ---- */

static struct block *take_full(struct pipeline *p)
{
    pthread_mutex_lock(&p->lock);
    while (p->n_full == 0)
        pthread_cond_wait(&p->changed, &p->lock);
    struct block *b = &p->blocks[p->next_take];
    pthread_mutex_unlock(&p->lock);
    return b;
}

static void give_back(struct pipeline *p, int stop)
{
    pthread_mutex_lock(&p->lock);
    p->next_take = (p->next_take + 1) % N_BLOCKS;
    p->n_full--;
    p->stop |= stop;
    pthread_cond_broadcast(&p->changed);
    pthread_mutex_unlock(&p->lock);
}

static int allocate_blocks(struct pipeline *p)
{
    for (size_t i = 0; i < N_BLOCKS; i++) {
        struct block *b = &p->blocks[i];
        const size_t fields = BLOCK_FIELDS + PS_MAX_COLUMNS;
        b->text_size = 2 * BLOCK_TEXT;
        b->text = malloc(b->text_size);
        b->fields = malloc(fields * sizeof *b->fields);
        b->lengths = malloc(fields * sizeof *b->lengths);
        b->records = malloc(BLOCK_RECORDS * sizeof *b->records);
        b->rows = malloc(BLOCK_RECORDS * (p->row_size ? p->row_size : 1));
        if (!b->text || !b->fields || !b->lengths || !b->records || !b->rows)
            return -1;
    }
    return 0;
}

static void free_blocks(struct pipeline *p)
{
    for (size_t i = 0; i < N_BLOCKS; i++) {
        free(p->blocks[i].text);
        free(p->blocks[i].fields);
        free(p->blocks[i].lengths);
        free(p->blocks[i].records);
        free(p->blocks[i].rows);
    }
}

static ps_error_t run_threaded(const ps_context_t *context, ps_csv_reader_t *reader,
                               const ps_pipeline_stages_t *stages)
{
    struct pipeline *p = calloc(1, sizeof *p);
    int cancel[2] = {-1, -1};
    ps_error_t err = PS_ERROR_NOMEM;
    if (!p)
        return err;
    p->reader = reader;
    p->stages = stages;
    p->row_size = (stages->row_size + ROW_ALIGN - 1) / ROW_ALIGN * ROW_ALIGN;
    if (allocate_blocks(p) != 0)
        goto done;
    if (pipe2(cancel, O_CLOEXEC) != 0) {
        err = ps_diagnose(context, PS_ERROR_INTERNAL, ps_csv_file(reader), 0, 0,
                          "cannot make a pipe: %s", strerror(errno));
        goto done;
    }
    ps_csv_set_cancel_fd(reader, cancel[0]);
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->changed, NULL);
    pthread_t worker;
    int started = pthread_create(&worker, NULL, work, p);
    if (started != 0) {
        err = ps_diagnose(context, PS_ERROR_INTERNAL, ps_csv_file(reader), 0, 0,
                          "cannot start the reading thread: %s", strerror(started));
    } else {
        ps_error_t read_error = PS_OK;
        err = PS_OK;
        for (int last = 0; !err && !last;) {
            struct block *b = take_full(p);
            for (size_t i = 0; i < b->n && !err; i++) {
                if (stages->ahead && i + AHEAD < b->n)
                    stages->ahead(&b->records[i + AHEAD], b->rows + (i + AHEAD) * p->row_size,
                                  stages->user);
                err = stages->finish(&b->records[i], b->rows + i * p->row_size, stages->user);
            }
            last = b->last;
            read_error = b->error;
            give_back(p, err != PS_OK);
        }
        if (err) {
            /* The worker may wait on input that never comes: wake it. */
            ssize_t w;
            do
                w = write(cancel[1], "", 1);
            while (w < 0 && errno == EINTR);
        }
        pthread_join(worker, NULL);
        if (!err && read_error && !(err = ps_csv_report(context, reader)))
            err = read_error; /* the worker's own: out of memory */
    }
    ps_csv_set_cancel_fd(reader, -1);
    pthread_cond_destroy(&p->changed);
    pthread_mutex_destroy(&p->lock);
done:
    if (cancel[0] >= 0) {
        close(cancel[0]);
        close(cancel[1]);
    }
    free_blocks(p);
    free(p);
    return err;
}

ps_error_t ps_pipeline_run(const ps_context_t *context, ps_csv_reader_t *reader,
                           unsigned threads, const ps_pipeline_stages_t *stages)
{
    return threads == 1 ? run_inline(context, reader, stages)
                        : run_threaded(context, reader, stages);
}
