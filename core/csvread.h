/* Streaming CSV records with the line each starts on. Private. */
#ifndef PROMSCORE_CSVREAD_H
#define PROMSCORE_CSVREAD_H

#include "internal.h"

typedef struct ps_csv_record {
    char **fields;              /* NUL-terminated; may hold a NUL too (see lengths). A
                                   handler may change the text in place and narrow a
                                   field (e.g. trim it); what 'prepare' did is kept */
    size_t *lengths;
    size_t n_fields;
    unsigned long line;         /* physical line the record starts on, 1-based */
    void *note;                 /* what 'prepare' left for the record, or NULL */
} ps_csv_record_t;

/* Returns PS_OK to go on, anything else to stop reading with that error. */
typedef ps_error_t (*ps_csv_record_fn)(const ps_csv_record_t *record, void *user);

/* Records a block at a time: records[0] to records[n - 1], in order. */
typedef ps_error_t (*ps_csv_block_fn)(const ps_csv_record_t *records, size_t n, void *user);

/*
 * Work that needs only the record itself, done on the parsing thread as soon
 * as the record is read. It may change the record in place; what it finds
 * goes in record->note (zeroed bytes of its own). It must use nothing that
 * the caller's thread changes while records are read.
 */
typedef void (*ps_csv_prepare_fn)(ps_csv_record_t *record, void *user);

typedef struct ps_csv_reading {
    ps_csv_block_fn records;    /* on the caller's thread, in order */
    ps_csv_prepare_fn prepare;  /* NULL, or for every record but the first (the header),
                                   once 'records' has returned on it: with 'prepare', the
                                   header comes in a block of its own */
    size_t note_size;           /* bytes of note per record; 'records' may set it when it
                                   reads the header */
    void *user;
} ps_csv_reading_t;

/*
 * Reads 'file' ("-" for standard input) record by record. A UTF-8 BOM is
 * skipped; LF, CRLF and CR line endings are accepted. Quoting errors, fields
 * over PS_MAX_FIELD_BYTES and records over PS_MAX_COLUMNS fields stop the read
 * with a diagnostic naming the line.
 */
ps_error_t ps_csv_read(const ps_context_t *context, const char *file, ps_csv_record_fn fn,
                       void *user);

/*
 * The same in two stages: each record prepared on the parsing thread, then
 * handed over with the records parsed so far, a block at a time.
 */
ps_error_t ps_csv_read_prepared(const ps_context_t *context, const char *file,
                                ps_csv_reading_t *reading);

#endif
