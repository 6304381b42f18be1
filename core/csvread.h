/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Streaming CSV records with the line each starts on. Private.
 *
 * A plain pull reader: open, take records one at a time, close. It starts no
 * thread and calls nothing back; it touches the context only in
 * ps_csv_open and ps_csv_report, so that a reader may be used on a thread
 * other than the one that reports its failure (see pipeline.h).
 */
#ifndef PROMSCORE_CSVREAD_H
#define PROMSCORE_CSVREAD_H

#include "internal.h"

typedef struct ps_csv_reader ps_csv_reader_t;

typedef struct ps_csv_record {
    char **fields;              /* NUL-terminated; may hold a NUL too (see lengths). A
                                   holder may change the text in place and narrow a
                                   field (e.g. trim it) */
    size_t *lengths;
    size_t n_fields;            /* fields kept: never more than PS_MAX_COLUMNS */
    unsigned long line;         /* physical line the record starts on, 1-based */
    /*
     * Why the row cannot be taken as written, or NULL: the row alone is at
     * fault (malformed quoting: a quote inside an unquoted field or text after
     * a closing quote; more than PS_MAX_COLUMNS fields) and reading goes on
     * with the next row. A row refused for its quoting holds the fields up to
     * the one at fault, that one as written on its line; the rest of that
     * physical line is skipped, and the next line starts a row.
     */
    const char *fault;
    unsigned long fault_column; /* 1-based field the fault is in */
    size_t n_fields_found;      /* fields in the row, when more than were kept */
    /*
     * Bytes of the input read up to the end of the record, for progress:
     * exact for UTF-8 input (its BOM included); when converting, those
     * converted, at most one read (64 KiB) ahead of the record.
     */
    size_t offset;
} ps_csv_record_t;

typedef struct ps_csv_options {
    char delimiter;             /* 0 for ',' */
    const char *encoding;       /* the input's, converted to UTF-8 with iconv; NULL: UTF-8 */
} ps_csv_options_t;

/*
 * Opens 'file' ("-" for standard input). A UTF-8 BOM is skipped, even when it
 * arrives over two reads; LF, CRLF and CR line endings are accepted. Failures
 * to open, and an encoding iconv does not know, are diagnosed here.
 * 'options' may be NULL.
 */
ps_error_t ps_csv_open(const ps_context_t *context, const char *file,
                       const ps_csv_options_t *options, ps_csv_reader_t **reader);

/*
 * The next record in *record, valid until the next call; *record is NULL at
 * the end of the input. Parsed by libcsv in strict mode: malformed quoting
 * refuses the row (see 'fault'), not the read. What stops the read (a quote
 * never closed, reported at the line it opened; a field over
 * PS_MAX_FIELD_BYTES or a row over PS_MAX_RECORD_BYTES; bytes not in the
 * encoding; a read error) is returned and kept for ps_csv_report; nothing is
 * diagnosed here.
 */
ps_error_t ps_csv_next(ps_csv_reader_t *reader, ps_csv_record_t **record);

/* Diagnoses what stopped the read, naming file, line and column, and returns its error. */
ps_error_t ps_csv_report(const ps_context_t *context, const ps_csv_reader_t *reader);

/*
 * From now on reading stops (PS_ERROR_ABORTED) as soon as 'fd' is readable,
 * even while the input has nothing to give (a pipe, a terminal).
 */
void ps_csv_set_cancel_fd(ps_csv_reader_t *reader, int fd);

/* Nonzero while input already read waits to be parsed: the next record may not wait for input. */
int ps_csv_buffered(const ps_csv_reader_t *reader);

/* The size in bytes of the input when it is a regular file, else 0. */
size_t ps_csv_size(const ps_csv_reader_t *reader);

/* The file as opened, for messages. */
const char *ps_csv_file(const ps_csv_reader_t *reader);

void ps_csv_close(ps_csv_reader_t *reader);

/* Diagnoses a delimiter or an encoding the reader cannot use (PS_ERROR_USAGE). */
ps_error_t ps_csv_check(const ps_context_t *context, const ps_csv_options_t *options);

/*
 * Whether 'file' is UTF-8 text throughout (a byte-order mark allowed; no NUL
 * byte, which UTF-16 has): 1 when it is, 0 when not, -1 when it cannot be
 * read or is standard input (reading it says why).
 */
int ps_csv_is_utf8(const char *file);

/* Returns PS_OK to go on, anything else to stop reading with that error. */
typedef ps_error_t (*ps_csv_record_fn)(const ps_csv_record_t *record, void *user);

/*
 * Every record of 'file' to 'fn', in order, on the caller's thread. A row at
 * fault stops the read with a diagnostic naming its line and column.
 */
ps_error_t ps_csv_read(const ps_context_t *context, const char *file, ps_csv_record_fn fn,
                       void *user);

/* The same, for input in another encoding or with another delimiter; 'options' may be NULL. */
ps_error_t ps_csv_read_with(const ps_context_t *context, const char *file,
                            const ps_csv_options_t *options, ps_csv_record_fn fn, void *user);

#endif
