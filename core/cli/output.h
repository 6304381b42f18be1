/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Output files written atomically. A file is written unnamed (O_TMPFILE) in
 * the target's directory, so that however the process dies nothing is left
 * behind, and is given a name only when every output of the run is complete
 * and synced: then it is linked under a temporary name and renamed over the
 * target. Where the filesystem refuses unnamed files, a hidden temporary file
 * beside the target is used instead, removed on a failure or a caught signal.
 *
 * Standard output ("-"), an output that is not a regular file (a device, a
 * FIFO), and an output in /dev or under /proc, or reached through a symbolic
 * link that leads there (/dev/stdout, /proc/self/fd/N), are written as a
 * stream, in place, never replaced; nothing is created or renamed in /dev or
 * /proc. /proc/self/fd/N is written through descriptor N itself, and only if
 * the run was started with it open for writing.
 *
 * Once an output fills its first buffer, a writer thread takes each full
 * buffer while the next one fills, and starts the disk writing them back so
 * that the sync before the rename has little left to do. CSV cells are
 * encoded by the library (<promscore/formats.h>) straight into the buffer.
 */
#ifndef PROMSCORE_OUTPUT_H
#define PROMSCORE_OUTPUT_H

#include <stddef.h>

struct ps_reject;
struct ps_score;
struct ps_statistic;

enum { OUTPUT_BUFFER = 1 << 18 };

typedef struct output {
    char *path;        /* the target; "-" for standard output */
    int fd;            /* -1 when not open */
    int stream;        /* written in place: standard output, a device, a FIFO */
    int dir;           /* the target's directory, for a file to be renamed into place */
    char *base;        /* the target's name in 'dir' */
    char *temporary;   /* the name of a named temporary file in 'dir', or NULL */
    int error;         /* errno of the first failure, 0 while all is well */
    int finished;      /* written and synced: ready to be put in place */
    char *buffer;      /* OUTPUT_BUFFER bytes being filled */
    size_t used;
    struct writer *writer;  /* NULL until the first buffer is full */
} output_t;

/* An unopened output, safe to discard. */
#define OUTPUT_INIT {.fd = -1, .dir = -1}

/*
 * Installs what the outputs need against signals: SIGXFSZ is ignored, so that
 * a file-size limit fails a write (EFBIG) instead of killing the run; named
 * temporary files (the fallback, and the moment between a link and its rename)
 * are removed on every catchable signal whose default action ends the process
 * (the real-time ones included), unless it was ignored at start. The run then
 * ends by that signal.
 */
void output_catch_signals(void);

/* Parses a --mode argument: octal permissions such as 600 or 0640. Returns 0 or -1. */
int output_parse_mode(const char *text, unsigned *mode);

/*
 * Whether two paths name the same file: the same device and inode, or, for a
 * file not yet created, the same resolved directory and name. Character
 * devices (/dev/null, a terminal) are not files: never the same. "-" is
 * standard input for an input and standard output for an output.
 */
int output_same_file(const char *a, int a_is_output, const char *b, int b_is_output);

/* A file a command names, for output_check_distinct. */
typedef struct output_file {
    const char *path;    /* NULL: not given */
    const char *role;    /* as the user named it: "-o", "--rejects", "input", "--key-file" */
    int is_output;
} output_file_t;

/*
 * Refuses, with a message naming both, any output that is the same file as
 * another file of the list (input, key or output). Returns 0, or -1.
 */
int output_check_distinct(const char *command, const output_file_t *files, size_t n);

/*
 * Refuses, with a message naming both, two inputs of the list (its outputs are
 * passed over) whose rows would be counted twice: the same name, the same file
 * (device and inode: a hard link, /dev/stdin and "-"), or two regular files with
 * the same bytes and a line after their first (a copy; header-only files are no
 * rows). Pipes are not read here. Returns 0, or -1.
 */
int output_check_read_once(const char *command, const output_file_t *files, size_t n);

/* Opens an output for 'path' with 'mode'. Returns 0, or -1 with errno set. */
int output_open(output_t *out, const char *path, unsigned mode);
void output_write(output_t *out, const char *data, size_t length);

/* Writes text formatted as by printf, up to 2 KiB of it (a line of a report). */
void output_printf(output_t *out, const char *format, ...) __attribute__((format(printf, 2, 3)));
/*
 * Room for n more bytes in the buffer, passing on what it holds when it is
 * short. Write at most n bytes there, then add what was written to out->used.
 * NULL when n is larger than the buffer, or after a failure.
 */
char *output_room(output_t *out, size_t n);
void output_puts(output_t *out, const char *text);

/* Flushes and syncs, without putting the file in place. Returns 0, or -1 with out->error set. */
int output_finish(output_t *out);
/*
 * Finishes every output, then, only when all are complete, puts each in place
 * in the order given, with every signal that can be held held from the first
 * link to the last rename: a signal acts before any output is in place or
 * after all are. Returns 0, or -1: then *failed is the output that failed,
 * and no output before it was put in place unless the failure was in the final
 * renames.
 */
int output_commit_all(output_t *const *outs, size_t n, output_t **failed);
/* output_commit_all of one output. */
int output_commit(output_t *out);
/* Drops an unfinished output: its file never appears. Safe after a commit, a failure, or on an unopened output. */
void output_discard(output_t *out);

/* CSV cells, encoded by the library's formats (see <promscore/formats.h>). */
void csv_text(output_t *out, const char *text);
/* An identifier the schema restricts to [a-z0-9_-]: never needs quoting. */
void csv_identifier(output_t *out, const char *id);
void csv_fixed(output_t *out, double value, int decimals);
void csv_unsigned(output_t *out, unsigned long value);
static inline void csv_comma(output_t *out)
{
    if (out->used < OUTPUT_BUFFER)
        out->buffer[out->used++] = ',';
    else
        output_write(out, ",", 1);
}
static inline void csv_end_row(output_t *out)
{
    if (out->used < OUTPUT_BUFFER)
        out->buffer[out->used++] = '\n';
    else
        output_write(out, "\n", 1);
}

/* Whole rows of the project's CSV formats. */
void csv_scored_header(output_t *out, const char *const *kept, size_t n_kept);
void csv_scored_row(output_t *out, const struct ps_score *score, size_t n_kept);
void csv_rejects_header(output_t *out);
void csv_reject(output_t *out, const struct ps_reject *reject);
void csv_report_header(output_t *out);
/* A report row; 'instrument' NULL for the statistic's instrument's id (see
 * ps_format_report_row_with). */
void csv_report_row(output_t *out, const char *instrument, const struct ps_statistic *statistic);
void csv_summary_header(output_t *out);
void csv_summary_row(output_t *out, const struct ps_report_block *block);

#endif
