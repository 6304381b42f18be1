/*
 * CSV reading on top of libcsv. libcsv reports neither lines nor columns, so
 * input is fed to it one physical line at a time: every callback then knows
 * the line it fires on.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <csv.h>

#include "csvread.h"
#include "limits.h"

struct reader {
    const ps_context_t *context;
    const char *file;
    ps_csv_record_fn fn;
    void *user;
    ps_error_t error;           /* set by a callback: stop feeding */
    unsigned long line;         /* line being fed */
    unsigned long record_line;  /* line the current record started on */
    char *text;                 /* current record's fields, each NUL-terminated */
    size_t text_used, text_size;
    size_t *offsets, *lengths;
    char **fields;
    size_t n_fields, fields_size;
};

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

static int grow_fields(struct reader *r)
{
    size_t n = r->fields_size ? r->fields_size * 2 : 16;
    size_t *offsets = realloc(r->offsets, n * sizeof *offsets);
    if (offsets)
        r->offsets = offsets;
    size_t *lengths = realloc(r->lengths, n * sizeof *lengths);
    if (lengths)
        r->lengths = lengths;
    char **fields = realloc(r->fields, n * sizeof *fields);
    if (fields)
        r->fields = fields;
    if (!offsets || !lengths || !fields)
        return -1;
    r->fields_size = n;
    return 0;
}

static void on_field(void *data, size_t len, void *user)
{
    struct reader *r = user;
    if (r->error)
        return;
    if (r->n_fields == 0)
        r->record_line = r->line - line_breaks(data, len);
    if (r->n_fields >= PS_MAX_COLUMNS) {
        r->error = ps_diagnose(r->context, PS_ERROR_LIMIT, r->file, r->record_line, 0,
                               "more than %u fields in a row", PS_MAX_COLUMNS);
        return;
    }
    if (r->text_used + len + 1 > PS_MAX_RECORD_BYTES) {
        r->error = ps_diagnose(r->context, PS_ERROR_LIMIT, r->file, r->record_line, 0,
                               "row longer than %u bytes", PS_MAX_RECORD_BYTES);
        return;
    }
    if (ps_grow((void **)&r->text, &r->text_size, r->text_used + len + 1, 1) ||
        (r->n_fields == r->fields_size && grow_fields(r))) {
        r->error = PS_ERROR_NOMEM;
        return;
    }
    if (len)
        memcpy(r->text + r->text_used, data, len);
    r->text[r->text_used + len] = '\0';
    r->offsets[r->n_fields] = r->text_used;
    r->lengths[r->n_fields] = len;
    r->text_used += len + 1;
    r->n_fields++;
}

static void on_record(int terminator, void *user)
{
    struct reader *r = user;
    (void)terminator;
    if (r->error)
        return;
    if (r->n_fields == 0)
        r->record_line = r->line;
    for (size_t i = 0; i < r->n_fields; i++)
        r->fields[i] = r->text + r->offsets[i];
    ps_csv_record_t record = {r->fields, r->lengths, r->n_fields, r->record_line};
    r->error = r->fn(&record, r->user);
    r->n_fields = 0;
    r->text_used = 0;
}

static ps_error_t parse_failure(struct reader *r, struct csv_parser *p, int at_end)
{
    int e = csv_error(p);
    if (e == CSV_ENOMEM || e == CSV_ETOOBIG)
        return ps_diagnose(r->context, PS_ERROR_LIMIT, r->file, r->line, 0,
                           "a field is longer than %u bytes (an unclosed quote?)",
                           PS_MAX_FIELD_BYTES);
    if (at_end)
        return ps_diagnose(r->context, PS_ERROR_BATCH, r->file, r->line, 0,
                           "end of file inside a quoted field: a quote opened on or after "
                           "line %lu is never closed",
                           r->n_fields ? r->record_line : r->line);
    return ps_diagnose(r->context, PS_ERROR_BATCH, r->file, r->line, 0,
                       "malformed quoting: a quote inside an unquoted field, or text after a "
                       "closing quote (%s)",
                       csv_strerror(e));
}

/* Feeds one buffer, a physical line at a time. */
static ps_error_t feed(struct reader *r, struct csv_parser *p, const char *buf, size_t n,
                       int *last_was_cr)
{
    /* Without a CR in the buffer, lines end at LF only and memchr finds them. */
    const int has_cr = memchr(buf, '\r', n) != NULL;
    size_t start = 0;
    while (start < n && !r->error) {
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
        if (csv_parse(p, buf + start, len, on_field, on_record, r) != len && !r->error)
            return parse_failure(r, p, 0);
        if (terminated) {
            char t = buf[end];
            if (t == '\r' || !*last_was_cr)
                r->line++;
            *last_was_cr = t == '\r';
        } else if (len) {
            *last_was_cr = 0;
        }
        start = end + (terminated ? 1 : 0);
    }
    return r->error;
}

ps_error_t ps_csv_read(const ps_context_t *context, const char *file, ps_csv_record_fn fn,
                       void *user)
{
    int fd = strcmp(file, "-") == 0 ? STDIN_FILENO : open(file, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return ps_diagnose(context, PS_ERROR_READ, file, 0, 0, "cannot open: %s",
                           strerror(errno));
    struct csv_parser p;
    enum { CHUNK = 1 << 16 };
    char *buf = malloc(CHUNK);
    if (!buf || csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) {
        free(buf);
        if (fd != STDIN_FILENO)
            close(fd);
        return PS_ERROR_NOMEM;
    }
    csv_set_realloc_func(&p, capped_realloc);
    struct reader r = {.context = context, .file = file, .fn = fn, .user = user, .line = 1};
    int first = 1, last_was_cr = 0;
    ps_error_t err = PS_OK;
    for (;;) {
        ssize_t n = read(fd, buf, CHUNK);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            err = ps_diagnose(context, PS_ERROR_READ, file, r.line, 0, "cannot read: %s",
                              strerror(errno));
            break;
        }
        if (n == 0)
            break;
        const char *data = buf;
        if (first && n >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
            data += 3, n -= 3;
        first = 0;
        if ((err = feed(&r, &p, data, (size_t)n, &last_was_cr)))
            break;
    }
    if (!err && csv_fini(&p, on_field, on_record, &r) != 0)
        err = r.error ? r.error : parse_failure(&r, &p, 1);
    if (!err)
        err = r.error;
    csv_free(&p);
    if (fd != STDIN_FILENO)
        close(fd);
    free(buf);
    free(r.text);
    free(r.offsets);
    free(r.lengths);
    free(r.fields);
    return err;
}
