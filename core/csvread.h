/* Streaming CSV records with the line each starts on. Private. */
#ifndef PROMSCORE_CSVREAD_H
#define PROMSCORE_CSVREAD_H

#include "internal.h"

typedef struct ps_csv_record {
    char *const *fields;        /* NUL-terminated; may hold a NUL too (see lengths); the
                                   handler may change the text in place, e.g. to trim it */
    const size_t *lengths;
    size_t n_fields;
    unsigned long line;         /* physical line the record starts on, 1-based */
} ps_csv_record_t;

/* Returns PS_OK to go on, anything else to stop reading with that error. */
typedef ps_error_t (*ps_csv_record_fn)(const ps_csv_record_t *record, void *user);

/* Records a block at a time: records[0] to records[n - 1], in order. */
typedef ps_error_t (*ps_csv_block_fn)(const ps_csv_record_t *records, size_t n, void *user);

/*
 * Reads 'file' ("-" for standard input) record by record. A UTF-8 BOM is
 * skipped; LF, CRLF and CR line endings are accepted. Quoting errors, fields
 * over PS_MAX_FIELD_BYTES and records over PS_MAX_COLUMNS fields stop the read
 * with a diagnostic naming the line.
 */
ps_error_t ps_csv_read(const ps_context_t *context, const char *file, ps_csv_record_fn fn,
                       void *user);

/*
 * The same, handing over the records parsed so far a block at a time, for a
 * reader that does better seeing some records ahead (e.g. to prefetch).
 */
ps_error_t ps_csv_read_blocks(const ps_context_t *context, const char *file, ps_csv_block_fn fn,
                              void *user);

#endif
