/*
 * CSV reading: a plain, line-accurate streaming reader.
 *
 * The parser is a small state machine over the bytes of the input, so that
 * it knows the physical line of every byte: a record says where it starts, a
 * quote that is never closed is reported where it opened, and a row at fault
 * (text after a closing quote, too many fields) is handed over marked as such
 * while reading goes on. Quotes inside an unquoted field are text, as R and
 * pandas read them. Unquoted fields lose surrounding spaces and tabs.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "csvread.h"
#include "limits.h"

enum {
    READ_SIZE = 1 << 16,
    /* iconv may write up to 3 bytes of UTF-8 for each input byte (Windows-1252, UTF-16) */
    BUFFER_SIZE = 3 * READ_SIZE + 16,
    TEXT_START = 4096,
};

enum state {
    LINE_START,      /* no record begun: blank lines and leading blanks are skipped */
    FIELD_START,     /* after a delimiter */
    UNQUOTED,
    QUOTED,
    QUOTE_IN_QUOTED, /* a quote inside a quoted field: doubled, or the closing one */
    AFTER_QUOTED,    /* blanks after the closing quote */
};

struct failure {
    ps_error_t error;
    unsigned long line, column;
    char message[300];
};

struct ps_csv_reader {
    const char *file;
    int fd;
    char delimiter;
    int cancel_fd;
    iconv_t convert;           /* (iconv_t)-1 when the input is UTF-8 */
    char encoding[64];
    char *raw;                 /* read, not yet converted */
    size_t raw_len;
    char *buffer;              /* UTF-8 to parse: [pos, len) */
    size_t pos, len;
    int at_eof, started;
    unsigned char special[256];        /* ends a run of unquoted text */
    unsigned char quoted_special[256]; /* ends a run of quoted text */

    enum state state;
    unsigned long line;        /* of the next byte */
    int after_cr;              /* the last byte was a CR: a LF now is the same line break */

    /* The record being read. */
    char *text;
    size_t text_used, text_size;
    size_t *starts, *lengths;  /* per field kept */
    char **fields;
    size_t n_kept, n_found;
    size_t field_start;
    unsigned long record_line, quote_line;
    const char *fault;
    unsigned long fault_column;
    ps_csv_record_t record;

    struct failure failure;
};

typedef struct ps_csv_reader reader_t;

static void fail(reader_t *r, ps_error_t error, unsigned long line, unsigned long column,
                 const char *format, ...) __attribute__((format(printf, 5, 6)));

static void fail(reader_t *r, ps_error_t error, unsigned long line, unsigned long column,
                 const char *format, ...)
{
    if (r->failure.error)
        return;
    r->failure.error = error;
    r->failure.line = line;
    r->failure.column = column;
    va_list ap;
    va_start(ap, format);
    vsnprintf(r->failure.message, sizeof r->failure.message, format, ap);
    va_end(ap);
}

static int is_utf8(const char *encoding)
{
    return !encoding || ps_strcaseeq(encoding, "utf-8") || ps_strcaseeq(encoding, "utf8");
}

ps_error_t ps_csv_check(const ps_context_t *context, const ps_csv_options_t *options)
{
    char delimiter = options->delimiter ? options->delimiter : ',';
    if (delimiter == '"' || delimiter == '\r' || delimiter == '\n' || delimiter == ' ' ||
        delimiter == '\t' || delimiter == '\0' || (unsigned char)delimiter >= 0x80)
        /* a tab would need the blanks around fields kept: not offered yet */
        return ps_diagnose(context, PS_ERROR_USAGE, NULL, 0, 0,
                           "a delimiter is one printable ASCII character other than '\"' "
                           "and space");
    if (!is_utf8(options->encoding)) {
        iconv_t convert = iconv_open("UTF-8", options->encoding);
        if (convert == (iconv_t)-1)
            return ps_diagnose(context, PS_ERROR_USAGE, NULL, 0, 0,
                               "unknown encoding '%s' (e.g. windows-1252, latin1, utf-16)",
                               options->encoding);
        iconv_close(convert);
    }
    return PS_OK;
}

ps_error_t ps_csv_open(const ps_context_t *context, const char *file,
                       const ps_csv_options_t *options, ps_csv_reader_t **out)
{
    *out = NULL;
    const ps_csv_options_t defaults = {.delimiter = ','};
    if (!options)
        options = &defaults;
    char delimiter = options->delimiter ? options->delimiter : ',';
    ps_error_t err = ps_csv_check(context, options);
    if (err)
        return err;
    reader_t *r = calloc(1, sizeof *r);
    if (!r)
        return PS_ERROR_NOMEM;
    r->fd = -1;
    r->convert = (iconv_t)-1;
    r->file = file;
    r->delimiter = delimiter;
    r->cancel_fd = -1;
    r->line = 1;
    r->text_size = TEXT_START;
    r->buffer = malloc(BUFFER_SIZE);
    r->text = malloc(r->text_size);
    r->starts = malloc(PS_MAX_COLUMNS * sizeof *r->starts);
    r->lengths = malloc(PS_MAX_COLUMNS * sizeof *r->lengths);
    r->fields = malloc(PS_MAX_COLUMNS * sizeof *r->fields);
    if (!r->buffer || !r->text || !r->starts || !r->lengths || !r->fields) {
        ps_csv_close(r);
        return PS_ERROR_NOMEM;
    }
    if (!is_utf8(options->encoding)) {
        snprintf(r->encoding, sizeof r->encoding, "%s", options->encoding);
        r->convert = iconv_open("UTF-8", options->encoding);
        if (r->convert == (iconv_t)-1) {
            ps_csv_close(r);
            return ps_diagnose(context, PS_ERROR_USAGE, file, 0, 0,
                               "unknown encoding '%s' (e.g. windows-1252, latin1, utf-16)",
                               options->encoding);
        }
        if (!(r->raw = malloc(READ_SIZE))) {
            ps_csv_close(r);
            return PS_ERROR_NOMEM;
        }
    }
    r->special[(unsigned char)delimiter] = r->special['\r'] = r->special['\n'] = 1;
    r->quoted_special['"'] = r->quoted_special['\r'] = r->quoted_special['\n'] = 1;
    r->fd = strcmp(file, "-") == 0 ? STDIN_FILENO : open(file, O_RDONLY | O_CLOEXEC);
    if (r->fd < 0) {
        int e = errno;
        ps_csv_close(r);
        return ps_diagnose(context, PS_ERROR_READ, file, 0, 0, "cannot open: %s", strerror(e));
    }
    *out = r;
    return PS_OK;
}

void ps_csv_close(ps_csv_reader_t *r)
{
    if (!r)
        return;
    if (r->fd > STDIN_FILENO)
        close(r->fd);
    if (r->convert != (iconv_t)-1)
        iconv_close(r->convert);
    free(r->raw);
    free(r->buffer);
    free(r->text);
    free(r->starts);
    free(r->lengths);
    free(r->fields);
    free(r);
}

void ps_csv_set_cancel_fd(ps_csv_reader_t *r, int fd)
{
    r->cancel_fd = fd;
}

int ps_csv_buffered(const ps_csv_reader_t *r)
{
    return r->pos < r->len;
}

size_t ps_csv_size(const ps_csv_reader_t *r)
{
    struct stat st;
    return fstat(r->fd, &st) == 0 && S_ISREG(st.st_mode) ? (size_t)st.st_size : 0;
}

const char *ps_csv_file(const ps_csv_reader_t *r)
{
    return r->file;
}

ps_error_t ps_csv_report(const ps_context_t *context, const ps_csv_reader_t *r)
{
    const struct failure *f = &r->failure;
    if (f->error && f->message[0])
        return ps_diagnose(context, f->error, r->file, f->line, f->column, "%s", f->message);
    return f->error;
}

/* ---- Input: read(2), waiting for the cancel descriptor too; converted when asked. ---- */

static ssize_t read_some(reader_t *r, char *to, size_t size)
{
    for (;;) {
        if (r->cancel_fd >= 0) {
            struct pollfd p[2] = {{.fd = r->fd, .events = POLLIN},
                                  {.fd = r->cancel_fd, .events = POLLIN}};
            if (poll(p, 2, -1) < 0) {
                if (errno == EINTR)
                    continue;
                return -1;
            }
            if (p[1].revents) {
                r->failure.error = PS_ERROR_ABORTED;
                return -1;
            }
        }
        ssize_t n = read(r->fd, to, size);
        if (n < 0 && errno == EINTR)
            continue;
        return n;
    }
}

static unsigned long line_breaks(const char *s, size_t n)
{
    unsigned long breaks = 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] == '\r' || (s[i] == '\n' && (i == 0 || s[i - 1] != '\r')))
            breaks++;
    return breaks;
}

/* Appends at most 'room' bytes of UTF-8 to the buffer. Returns 0, or -1 with the failure set. */
static int convert_raw(reader_t *r, int at_eof)
{
    char *in = r->raw, *to = r->buffer + r->len;
    size_t in_left = r->raw_len, to_left = BUFFER_SIZE - r->len;
    size_t done = iconv(r->convert, &in, &in_left, &to, &to_left);
    int e = errno;
    size_t converted = (size_t)(to - (r->buffer + r->len));
    if (done == (size_t)-1 && (e == EILSEQ || (e == EINVAL && at_eof))) {
        fail(r, PS_ERROR_BATCH,
             r->line + line_breaks(r->buffer + r->pos, r->len - r->pos) +
                 line_breaks(r->buffer + r->len, converted),
             0, "bytes that are not %s text (byte 0x%02x)%s", r->encoding,
             (unsigned char)*in, e == EINVAL ? " at the end of the file" : "");
        return -1;
    }
    r->len += converted;
    memmove(r->raw, in, in_left);
    r->raw_len = in_left;
    return 0;
}

/* What to do about input that is UTF-16 when no encoding was given. */
static int looks_like_utf16(const unsigned char *b, size_t n)
{
    if (n >= 2 && ((b[0] == 0xFF && b[1] == 0xFE) || (b[0] == 0xFE && b[1] == 0xFF)))
        return 1;
    return n >= 4 && ((b[1] == 0 && b[3] == 0 && b[0] && b[2]) ||
                      (b[0] == 0 && b[2] == 0 && b[1] && b[3]));
}

/*
 * Refills the buffer once everything in it was parsed. Returns 1 with bytes to
 * parse, 0 at the end of the input, -1 with the failure set.
 */
static int fill(reader_t *r)
{
    r->pos = r->len = 0;
    for (;;) {
        if (r->convert != (iconv_t)-1 && r->raw_len) {
            if (convert_raw(r, r->at_eof) != 0)
                return -1;
        }
        /* The start of the input decides on a BOM: at least four bytes of it, or all. */
        int enough = r->started ? r->len > 0 : r->len >= 4;
        if (enough || r->at_eof)
            break;
        char *to = r->convert != (iconv_t)-1 ? r->raw + r->raw_len : r->buffer + r->len;
        size_t room = r->convert != (iconv_t)-1 ? READ_SIZE - r->raw_len : READ_SIZE - r->len;
        if (room == 0 && r->convert != (iconv_t)-1) {
            /* iconv could not use a whole buffer: a sequence longer than any encoding has */
            fail(r, PS_ERROR_BATCH, r->line, 0, "bytes that are not %s text", r->encoding);
            return -1;
        }
        ssize_t n = read_some(r, to, room);
        if (n < 0) {
            if (r->failure.error != PS_ERROR_ABORTED)
                fail(r, PS_ERROR_READ, r->line, 0, "cannot read: %s", strerror(errno));
            return -1;
        }
        if (n == 0) {
            r->at_eof = 1;
            if (r->convert != (iconv_t)-1 && r->raw_len && convert_raw(r, 1) != 0)
                return -1;
            continue;
        }
        if (r->convert != (iconv_t)-1)
            r->raw_len += (size_t)n;
        else
            r->len += (size_t)n;
    }
    if (!r->started) {
        r->started = 1;
        const unsigned char *b = (const unsigned char *)r->buffer;
        if (r->convert == (iconv_t)-1 && looks_like_utf16(b, r->len)) {
            fail(r, PS_ERROR_BATCH, 1, 0,
                 "the file is UTF-16 text (%s): give --encoding utf-16, or save it as UTF-8 "
                 "CSV",
                 b[0] >= 0xFE ? "it starts with a UTF-16 byte-order mark"
                              : "every other byte is NUL");
            return -1;
        }
        if (r->len >= 3 && memcmp(b, "\xEF\xBB\xBF", 3) == 0)
            r->pos = 3;
    }
    return r->len > r->pos;
}

/* ---- The record being read. ---- */

static __attribute__((cold)) int grow_text(reader_t *r, size_t need)
{
    size_t size = r->text_size;
    while (size < r->text_used + need)
        size *= 2;
    char *text = realloc(r->text, size);
    if (!text) {
        fail(r, PS_ERROR_NOMEM, r->record_line, 0, "out of memory for a row");
        return -1;
    }
    r->text = text;
    r->text_size = size;
    return 0;
}

static __attribute__((cold)) void too_large(reader_t *r, int quoted, size_t n)
{
    unsigned long column = r->n_found + 1;
    if (r->text_used + n > PS_MAX_RECORD_BYTES &&
        r->text_used - r->field_start + n <= PS_MAX_FIELD_BYTES)
        fail(r, PS_ERROR_LIMIT, r->record_line, 0, "row longer than %u bytes",
             PS_MAX_RECORD_BYTES);
    else if (quoted)
        fail(r, PS_ERROR_LIMIT, r->quote_line, column,
             "a field is longer than %u bytes: is the quote opened here never closed?",
             PS_MAX_FIELD_BYTES);
    else
        fail(r, PS_ERROR_LIMIT, r->record_line, column, "a field is longer than %u bytes",
             PS_MAX_FIELD_BYTES);
}

/* Appends to the field being read. Returns 0, or -1 with the failure set. */
static inline int append(reader_t *r, const char *data, size_t n, int quoted)
{
    if (__builtin_expect(r->text_used - r->field_start + n > PS_MAX_FIELD_BYTES ||
                             r->text_used + n > PS_MAX_RECORD_BYTES, 0)) {
        too_large(r, quoted, n);
        return -1;
    }
    if (__builtin_expect(r->text_used + n + 1 > r->text_size, 0) && grow_text(r, n + 1) != 0)
        return -1;
    memcpy(r->text + r->text_used, data, n);
    r->text_used += n;
    return 0;
}

/*
 * Copies the bytes from b[*at] up to the next one 'stop' marks, or to n, to
 * the field being read. Returns 0, or -1 with the failure set.
 */
static inline int copy_run(reader_t *r, const char *b, size_t *at, size_t n,
                           const unsigned char *stop, int quoted)
{
    size_t i = *at;
    if (__builtin_expect(r->text_size - r->text_used < n - i + 2, 0) &&
        grow_text(r, n - i + 2) != 0)
        return -1;
    char *to = r->text + r->text_used;
    const char *start = to;
    while (i < n && !stop[(unsigned char)b[i]])
        *to++ = b[i++];
    r->text_used += (size_t)(to - start);
    *at = i;
    if (__builtin_expect(r->text_used - r->field_start > PS_MAX_FIELD_BYTES ||
                             r->text_used > PS_MAX_RECORD_BYTES,
                         0)) {
        too_large(r, quoted, 0);
        return -1;
    }
    return 0;
}

static void set_fault(reader_t *r, const char *fault)
{
    if (!r->fault) {
        r->fault = fault;
        r->fault_column = r->n_found + 1;
    }
}

static void begin_record(reader_t *r)
{
    r->record_line = r->line;
    r->text_used = 0;
    r->n_kept = r->n_found = 0;
    r->fault = NULL;
    r->fault_column = 0;
}

static inline void begin_field(reader_t *r)
{
    r->field_start = r->text_used;
}

/* Ends the field being read; 'trim' drops the blanks an unquoted field ends with. */
static inline int end_field(reader_t *r, int trim)
{
    size_t end = r->text_used;
    if (trim)
        while (end > r->field_start && (r->text[end - 1] == ' ' || r->text[end - 1] == '\t'))
            end--;
    if (r->n_found >= PS_MAX_COLUMNS) {
        /* Counted, not kept: the row is refused as ragged. */
        set_fault(r, "more fields than the limit");
        r->text_used = r->field_start;
        r->n_found++;
        return 0;
    }
    if (end + 1 > r->text_size && grow_text(r, 1) != 0)
        return -1;
    r->text[end] = '\0';
    r->text_used = end + 1;
    r->starts[r->n_kept] = r->field_start;
    r->lengths[r->n_kept++] = end - r->field_start;
    r->n_found++;
    return 0;
}

static ps_csv_record_t *end_record(reader_t *r)
{
    for (size_t i = 0; i < r->n_kept; i++)
        r->fields[i] = r->text + r->starts[i];
    if (r->n_found > PS_MAX_COLUMNS)
        r->fault = "more fields than the limit";
    r->record = (ps_csv_record_t){r->fields, r->lengths, r->n_kept, r->record_line, r->fault,
                                  r->fault_column, r->n_found};
    r->state = LINE_START;
    return &r->record;
}

/*
 * A line break at buffer[i]: counts it, once for CR LF. Returns 1 when it is a
 * new line, 0 for the LF of a CR LF.
 */
static inline int line_break(reader_t *r, char c)
{
    if (c == '\n' && r->after_cr) {
        r->after_cr = 0;
        return 0;
    }
    r->after_cr = c == '\r';
    r->line++;
    return 1;
}

/*
 * Parses from the buffer until a record is whole. Returns it, or NULL when the
 * buffer ran out first (or a failure was set).
 */
static ps_csv_record_t *parse(reader_t *r)
{
    const char *b = r->buffer;
    size_t i = r->pos;
    const size_t n = r->len;
    const char delimiter = r->delimiter;
    while (i < n) {
        char c = b[i];
        switch (r->state) {
        case LINE_START:
            if (c == '\r' || c == '\n') {
                line_break(r, c); /* a blank line */
                i++;
                continue;
            }
            r->after_cr = 0;
            if (c == ' ' || c == '\t') {
                i++;
                continue;
            }
            begin_record(r);
            /* fall through */
        case FIELD_START:
            r->after_cr = 0;
            if (c == ' ' || c == '\t') {
                i++;
                continue;
            }
            begin_field(r);
            if (c == '"') {
                r->state = QUOTED;
                r->quote_line = r->line;
                i++;
                continue;
            }
            if (c == delimiter) {
                if (end_field(r, 0) != 0)
                    goto failed;
                r->state = FIELD_START;
                i++;
                continue;
            }
            if (c == '\r' || c == '\n') {
                /* a row ending in a delimiter: its last field is empty */
                if (end_field(r, 0) != 0)
                    goto failed;
                line_break(r, c);
                r->pos = i + 1;
                return end_record(r);
            }
            r->state = UNQUOTED;
            /* fall through */
        case UNQUOTED:
            if (copy_run(r, b, &i, n, r->special, 0) != 0)
                goto failed;
            if (i == n)
                continue;
            c = b[i++];
            if (end_field(r, 1) != 0)
                goto failed;
            if (c == delimiter) {
                r->state = FIELD_START;
                continue;
            }
            line_break(r, c);
            r->pos = i;
            return end_record(r);
        case QUOTED:
            if (b[i] != '"' && b[i] != '\r' && b[i] != '\n') {
                r->after_cr = 0;
                if (copy_run(r, b, &i, n, r->quoted_special, 1) != 0)
                    goto failed;
            }
            if (i == n)
                continue;
            c = b[i++];
            if (c == '"') {
                r->after_cr = 0;
                r->state = QUOTE_IN_QUOTED;
                continue;
            }
            line_break(r, c); /* a line break inside the field is part of it */
            if (append(r, &c, 1, 1) != 0)
                goto failed;
            continue;
        case QUOTE_IN_QUOTED:
            if (c == '"') {
                if (append(r, &c, 1, 1) != 0)
                    goto failed;
                r->state = QUOTED;
                i++;
                continue;
            }
            r->state = AFTER_QUOTED;
            /* fall through */
        case AFTER_QUOTED:
            i++;
            if (c == ' ' || c == '\t')
                continue;
            if (c == delimiter || c == '\r' || c == '\n') {
                if (end_field(r, 0) != 0)
                    goto failed;
                if (c == delimiter) {
                    r->state = FIELD_START;
                    continue;
                }
                line_break(r, c);
                r->pos = i;
                return end_record(r);
            }
            /* Text after the closing quote: kept as written, the row refused. */
            set_fault(r, "text after the closing quote of a quoted field");
            if (append(r, &c, 1, 0) != 0)
                goto failed;
            r->state = UNQUOTED;
            continue;
        }
    }
    r->pos = i;
    return NULL;
failed:
    r->pos = n;
    return NULL;
}

ps_error_t ps_csv_next(ps_csv_reader_t *r, ps_csv_record_t **record)
{
    *record = NULL;
    while (!r->failure.error) {
        if (r->pos < r->len) {
            ps_csv_record_t *done = parse(r);
            if (done) {
                *record = done;
                return PS_OK;
            }
            continue;
        }
        int got = fill(r);
        if (got < 0)
            break;
        if (got > 0)
            continue;
        /* The end of the input. */
        switch (r->state) {
        case LINE_START:
            return PS_OK;
        case QUOTED:
            fail(r, PS_ERROR_BATCH, r->quote_line, r->n_found + 1,
                 "end of file inside a quoted field: the quote opened on this line is never "
                 "closed");
            return r->failure.error;
        default:
            if (end_field(r, r->state == UNQUOTED) != 0)
                break;
            *record = end_record(r);
            return PS_OK;
        }
    }
    return r->failure.error;
}

ps_error_t ps_csv_read(const ps_context_t *context, const char *file, ps_csv_record_fn fn,
                       void *user)
{
    ps_csv_reader_t *r;
    ps_error_t err = ps_csv_open(context, file, NULL, &r);
    if (err)
        return err;
    ps_csv_record_t *record;
    while (!(err = ps_csv_next(r, &record)) && record) {
        if (record->fault && record->n_fields_found > record->n_fields) {
            err = ps_diagnose(context, PS_ERROR_LIMIT, file, record->line, record->fault_column,
                              "more than %u fields in a row", PS_MAX_COLUMNS);
            break;
        }
        if (record->fault) {
            err = ps_diagnose(context, PS_ERROR_BATCH, file, record->line, record->fault_column,
                              "%s", record->fault);
            break;
        }
        if ((err = fn(record, user)))
            break;
    }
    if (err && r->failure.error == err)
        err = ps_csv_report(context, r);
    ps_csv_close(r);
    return err;
}
