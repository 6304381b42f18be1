/*
 * Output files written atomically: a temporary file beside the target,
 * renamed over it only when everything was written. Until then a failed run
 * leaves nothing behind. CSV cells are encoded by the library
 * (<promscore/formats.h>) straight into the buffer.
 *
 * Once an output fills its first buffer, a writer thread takes each full
 * buffer while the next one fills, and starts the disk writing them back so
 * that the sync before the rename has little left to do.
 */
#ifndef PROMSCORE_OUTPUT_H
#define PROMSCORE_OUTPUT_H

#include <stddef.h>

enum { OUTPUT_BUFFER = 1 << 18 };

typedef struct output {
    char *path;        /* the target; "-" for standard output */
    char *temporary;   /* NULL for standard output */
    int fd;
    int error;         /* errno of the first failure, 0 while all is well */
    char *buffer;      /* OUTPUT_BUFFER bytes being filled */
    size_t used;
    struct writer *writer;  /* NULL until the first buffer is full */
} output_t;

/* Removes the temporary files of unfinished outputs on SIGINT, SIGTERM, SIGHUP, SIGPIPE. */
void output_catch_signals(void);

/* Parses a --mode argument: octal permissions such as 600 or 0640. Returns 0 or -1. */
int output_parse_mode(const char *text, unsigned *mode);

/* Opens a temporary file for 'path' with 'mode'. Returns 0, or -1 with errno set. */
int output_open(output_t *out, const char *path, unsigned mode);
void output_write(output_t *out, const char *data, size_t length);
/*
 * Room for n more bytes in the buffer, passing on what it holds when it is
 * short. Write at most n bytes there, then add what was written to out->used.
 * NULL when n is larger than the buffer, or after a failure.
 */
char *output_room(output_t *out, size_t n);
void output_puts(output_t *out, const char *text);
/* Flushes, syncs and renames into place. Returns 0, or -1 with out->error set. */
int output_commit(output_t *out);
/* Removes the temporary file. Safe after a commit, a failure, or on an unopened output. */
void output_discard(output_t *out);

struct ps_reject;
struct ps_score;
struct ps_statistic;

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
void csv_report_row(output_t *out, const struct ps_statistic *statistic);

#endif
