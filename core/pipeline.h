/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Read-and-score on one worker thread, rows handed to the caller's thread in
 * order. Private. The one place in the library where a thread is started.
 */
#ifndef PROMSCORE_PIPELINE_H
#define PROMSCORE_PIPELINE_H

#include "csvread.h"

typedef struct ps_pipeline_stages {
    /*
     * What the row alone decides, on the worker (on the caller's thread with
     * one thread): it may change the record in place, and fills 'row', bytes
     * of its own that hold what they held before. It must read nothing that
     * 'finish' changes.
     */
    void (*prepare)(ps_csv_record_t *record, void *row, void *user);
    /* On the caller's thread, row after row, in order; anything but PS_OK stops the read. */
    ps_error_t (*finish)(const ps_csv_record_t *record, void *row, void *user);
    /*
     * NULL, or on the caller's thread for a prepared row a few rows before it
     * is finished (not for every row): to start fetching what 'finish' will
     * need of memory. It changes nothing that matters.
     */
    void (*ahead)(const ps_csv_record_t *record, void *row, void *user);
    size_t row_size;
    void *user;
} ps_pipeline_stages_t;

/*
 * Reads what is left of 'reader' through both stages. 'threads' 1 runs both
 * on the caller's thread; any other number runs 'prepare' and the reading on
 * one worker. A failure of the reader is diagnosed on the caller's thread,
 * after the rows before it were finished. When 'finish' stops the read, the
 * worker is stopped too, even while it waits for input, before this returns.
 */
ps_error_t ps_pipeline_run(const ps_context_t *context, ps_csv_reader_t *reader,
                           unsigned threads, const ps_pipeline_stages_t *stages);

#endif
