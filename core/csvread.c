/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * CSV reading: a plain, line-accurate streaming reader on top of libcsv.
 *
 * libcsv reports neither lines nor columns, so the input is fed to it one
 * physical line at a time: every callback then knows the line it fires on, a
 * record is whole once the line that ends it has been fed, and a quote that
 * is never closed is reported at the line where its field began.
 *
 * libcsv runs strict: a quote inside an unquoted field, or text after a
 * closing quote, stops it. That row alone is handed over at fault, the rest of
 * its physical line is skipped, and a fresh parser goes on with the next line.
 * Unquoted fields lose surrounding spaces and tabs (libcsv's way).
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

#include <csv.h>

#include "csvread.h"
#include "limits.h"

enum {
    READ_SIZE = 1 << 16,
    /* iconv may write up to 3 bytes of UTF-8 for each input byte (Windows-1252, UTF-16) */
    BUFFER_SIZE = 3 * READ_SIZE + 16,
    TEXT_START = 4096,
};

static const char QUOTE_IN_UNQUOTED[] = "malformed quoting: a quote inside an unquoted field";
static const char TEXT_AFTER_QUOTE[] =
    "malformed quoting: text after the closing quote of a quoted field";
static const char TOO_MANY_FIELDS[] = "more fields than the limit";

/*
 * UTF-8 looked for in input read one byte a character, fed block after block
 * (a sequence may run on into the next block): the first character of several
 * bytes written in UTF-8 (a lead byte 0xC2-0xF4 and its continuation bytes),
 * and the first byte that is no part of one.
 */
struct utf8_scan {
    unsigned need;             /* continuation bytes still to come */
    unsigned char low, high;   /* the range of the next one */
    unsigned char bytes[4];    /* the sequence under way */
    unsigned n_bytes;
    unsigned long line;        /* where it began, once the block it began in has ended */
    unsigned char found[4];    /* the first character found, of n_found bytes (0: none) */
    unsigned n_found;
    unsigned long found_line;
    int stray;                 /* a byte that is not UTF-8 was found: */
    unsigned char stray_byte;
    unsigned long stray_line;
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
    int single_byte;           /* converting from an encoding of one byte per character */
    char utf16;                /* converting from UTF-16: 'L' or 'B' as named, 'U' unnamed */
    int raw_started;           /* the start of the input was checked */
    struct utf8_scan utf8;     /* single_byte: UTF-8 in the input, block after block */
    size_t raw_scanned;        /* bytes at the start of raw that utf8 has seen */
    char *raw;                 /* read, not yet converted */
    size_t raw_len;
    size_t bytes_read;         /* from the input so far */
    char *buffer;              /* UTF-8 not yet fed to libcsv: [pos, len) */
    size_t pos, len;
    int has_cr;                /* the buffer holds a CR: lines end at CR as well as at LF */
    int at_eof, started, finished;

    struct csv_parser parser;
    int parser_ready;
    unsigned long line;        /* of the next byte fed */
    int after_cr;              /* the last line fed ended at a CR: a LF now is the same break */
    int fresh_state;           /* libcsv's parser state before anything is fed */
    int resumed;               /* a fresh parser took the record on after a refused field */
    int skipping;              /* a refused field runs on past the piece of line fed */

    /* The record being read. */
    int begun;                 /* something other than blanks was fed since the last record */
    int whole;                 /* and has ended: it is handed over */
    unsigned long record_line; /* where the record began */
    unsigned long field_line;  /* where the field after the last one found began */
    size_t line_fields;        /* fields found before the line being fed */
    char *text;                /* the fields kept, each NUL-terminated */
    size_t text_used, text_size;
    size_t text_room;          /* text_size within the row limit; 0 once the read failed */
    char **fields;             /* per field kept, with their lengths */
    size_t *lengths;
    size_t *starts;            /* while the text moves */
    size_t n_kept, n_found;
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
    r->text_room = 0; /* every field now goes to on_field's slow path, which keeps none */
    r->failure.error = error;
    r->failure.line = line;
    r->failure.column = column;
    va_list ap;
    va_start(ap, format);
    vsnprintf(r->failure.message, sizeof r->failure.message, format, ap);
    va_end(ap);
}

/*
 * libcsv grows its field buffer through this; refusing makes the parse stop
 * with CSV_ENOMEM, so no field, an unclosed quote's included, outgrows the limit.
 */
static void *capped_realloc(void *p, size_t size)
{
    return size > PS_MAX_FIELD_BYTES + 256 ? NULL : realloc(p, size);
}

/* With tabs between fields, only spaces around a field are not part of it. */
static int space_not_tab(unsigned char c)
{
    return c == ' ';
}

/* A parser in its first state: at the start, and again after a row it refused. */
static void start_parser(reader_t *r)
{
    if (r->parser_ready)
        csv_free(&r->parser);
    /* Strict: malformed quoting stops the parse (see refuse_row); so does a quote open at the end. */
    csv_init(&r->parser, CSV_STRICT | CSV_STRICT_FINI);
    csv_set_delim(&r->parser, (unsigned char)r->delimiter);
    if (r->delimiter == '\t')
        csv_set_space_func(&r->parser, space_not_tab);
    csv_set_realloc_func(&r->parser, capped_realloc);
    r->fresh_state = r->parser.pstate;
    r->parser_ready = 1;
}

static int is_utf8(const char *encoding)
{
    return !encoding || ps_strcaseeq(encoding, "utf-8") || ps_strcaseeq(encoding, "utf8");
}

/*
 * Why a character cannot be a delimiter, or NULL when it can (',', ';', '|',
 * ':', a tab, other punctuation). One written inside cells would cut them
 * where they are not cut: numbers, dates, names, an NHS number split across
 * cells (943-476-5919 with '-'), each piece of which passes every check alone.
 */
static const char *delimiter_problem(char delimiter)
{
    const unsigned char c = (unsigned char)delimiter;
    if (c == '\t')
        return NULL;
    if (c < 0x20 || c == 0x7F)
        return "a control character";
    if (c >= 0x80)
        return "not an ASCII character";
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
        return "a digit or letter, written inside numbers and names";
    if (c == '-' || c == '+' || c == '.')
        return "written inside numbers, dates and NHS numbers (943-476-5919), which it would "
               "split across cells";
    if (c == '"' || c == '\'')
        return "a quote";
    if (c == ' ')
        return "a space, written inside cells";
    return NULL;
}

ps_error_t ps_csv_check(const ps_context_t *context, const ps_csv_options_t *options)
{
    char delimiter = options->delimiter ? options->delimiter : ',';
    const char *problem = delimiter_problem(delimiter);
    if (problem) {
        char shown[8];
        if ((unsigned char)delimiter < 0x20 || (unsigned char)delimiter >= 0x7F)
            snprintf(shown, sizeof shown, "0x%02X", (unsigned char)delimiter);
        else
            snprintf(shown, sizeof shown, "'%c'", delimiter);
        return ps_diagnose(context, PS_ERROR_USAGE, NULL, 0, 0,
                           "the delimiter %s cannot be used: it is %s; a delimiter is ',', ';', "
                           "'|', ':', a tab or other punctuation",
                           shown, problem);
    }
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

/* An encoding's name in lower case without '-', '_' and spaces: "utf16le" for "UTF-16LE". */
static void plain_name(const char *encoding, char *out, size_t size)
{
    size_t n = 0;
    for (const char *c = encoding; *c && n + 1 < size; c++)
        if (*c != '-' && *c != '_' && *c != ' ')
            out[n++] = (char)(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c);
    out[n] = '\0';
}

/* 'L' or 'B' for UTF-16 named little- or big-endian, 'U' unnamed, 0 for another encoding. */
static char utf16_of(const char *encoding)
{
    char name[64];
    plain_name(encoding, name, sizeof name);
    if (strncmp(name, "utf16", 5) != 0 && strncmp(name, "ucs2", 4) != 0)
        return 0;
    const char *order = name + (name[1] == 't' ? 5 : 4);
    return strcmp(order, "le") == 0 ? 'L' : strcmp(order, "be") == 0 ? 'B' : 'U';
}

/*
 * Whether iconv reads 'encoding' one byte per character, ASCII as ASCII
 * (windows-1252, latin1, the ISO 8859 family): every byte alone is a
 * character, or not one of the encoding.
 */
static int single_byte(iconv_t convert)
{
    for (unsigned b = 0; b < 256; b++) {
        char in = (char)b, out[8], *from = &in, *to = out;
        size_t in_left = 1, out_left = sizeof out;
        iconv(convert, NULL, NULL, NULL, NULL);
        if (iconv(convert, &from, &in_left, &to, &out_left) == (size_t)-1 && errno != EILSEQ)
            return 0; /* incomplete alone: characters of several bytes */
        if (b < 0x80 && (to - out != 1 || out[0] != in))
            return 0;
    }
    iconv(convert, NULL, NULL, NULL, NULL);
    return 1;
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
    r->text_size = r->text_room = TEXT_START;
    r->buffer = malloc(BUFFER_SIZE);
    r->text = malloc(r->text_size);
    r->starts = malloc(PS_MAX_COLUMNS * sizeof *r->starts);
    r->lengths = malloc(PS_MAX_COLUMNS * sizeof *r->lengths);
    r->fields = malloc(PS_MAX_COLUMNS * sizeof *r->fields);
    if (!r->buffer || !r->text || !r->starts || !r->lengths || !r->fields) {
        ps_csv_close(r);
        return PS_ERROR_NOMEM;
    }
    start_parser(r);
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
        r->single_byte = single_byte(r->convert);
        r->utf16 = utf16_of(options->encoding);
    }
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
    if (r->parser_ready)
        csv_free(&r->parser);
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

/* The line of the byte after the n bytes of 's', the next ones to be fed. */
static unsigned long line_after(const reader_t *r, const char *s, size_t n)
{
    unsigned long breaks = line_breaks(s, n);
    if (n && s[0] == '\n' && r->after_cr)
        breaks--; /* the LF of a CR LF whose CR was fed already */
    return r->line + breaks;
}

/* The line of b[i], when b[0] is on 'line'. */
static unsigned long line_in(const unsigned char *b, size_t i, unsigned long line)
{
    return line + line_breaks((const char *)b, i);
}

static void note_stray(struct utf8_scan *u, unsigned char byte, unsigned long line)
{
    u->stray = 1;
    u->stray_byte = byte;
    u->stray_line = line;
}

/*
 * Feeds the 'n' bytes of a block, the first of them on 'line', to the scan;
 * it stops looking once it found both a character and a stray byte.
 */
static void utf8_feed(struct utf8_scan *u, const unsigned char *b, size_t n, unsigned long line)
{
    size_t lead = SIZE_MAX; /* where the sequence under way began, when in this block */
    size_t i = 0;
    while (i < n && !(u->n_found && u->stray)) {
        const unsigned char c = b[i];
        if (u->need) {
            if (c < u->low || c > u->high) {
                /* Its lead byte stands alone; this byte is looked at afresh. */
                if (!u->stray)
                    note_stray(u, u->bytes[0],
                               lead == SIZE_MAX ? u->line : line_in(b, lead, line));
                u->need = 0;
                continue;
            }
            u->bytes[u->n_bytes++] = c;
            u->low = 0x80;
            u->high = 0xBF;
            if (--u->need == 0 && !u->n_found) {
                memcpy(u->found, u->bytes, u->n_bytes);
                u->n_found = u->n_bytes;
                u->found_line = lead == SIZE_MAX ? u->line : line_in(b, lead, line);
            }
            i++;
            continue;
        }
        if (c < 0x80) {
            /* ASCII, most of any file: eight bytes at a time. */
            uint64_t word;
            for (i++; i + 8 <= n && (memcpy(&word, b + i, 8), !(word & 0x8080808080808080u));)
                i += 8;
            continue;
        }
        u->low = 0x80;
        u->high = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) {
            u->need = 1;
        } else if (c >= 0xE0 && c <= 0xEF) {
            u->need = 2;
            u->low = c == 0xE0 ? 0xA0 : 0x80;  /* no overlong form */
            u->high = c == 0xED ? 0x9F : 0xBF; /* no surrogate */
        } else if (c >= 0xF0 && c <= 0xF4) {
            u->need = 3;
            u->low = c == 0xF0 ? 0x90 : 0x80;
            u->high = c == 0xF4 ? 0x8F : 0xBF; /* nothing past U+10FFFF */
        } else {
            if (!u->stray)
                note_stray(u, c, line_in(b, i, line));
            i++;
            continue;
        }
        u->bytes[0] = c;
        u->n_bytes = 1;
        lead = i++;
    }
    if (u->need && lead != SIZE_MAX)
        u->line = line_in(b, lead, line);
}

/* The Windows code page a single-byte ISO 8859 encoding is usually confused with. */
static const char *windows_page_of(const char *encoding)
{
    static const struct {
        const char *part, *page;
    } pages[] = {{"88592", "windows-1250"}, {"latin2", "windows-1250"},
                 {"88595", "windows-1251"}, {"cyrillic", "windows-1251"},
                 {"88597", "windows-1253"}, {"greek", "windows-1253"},
                 {"88599", "windows-1254"}, {"latin5", "windows-1254"},
                 {"88598", "windows-1255"}, {"hebrew", "windows-1255"},
                 {"88596", "windows-1256"}, {"arabic", "windows-1256"},
                 {"885913", "windows-1257"}, {"latin7", "windows-1257"}};
    char name[64];
    plain_name(encoding, name, sizeof name);
    for (size_t i = 0; i < sizeof pages / sizeof pages[0]; i++)
        if (strstr(name, pages[i].part))
            return pages[i].page;
    return "windows-1252";
}

/*
 * The start of input to be converted: a UTF-8 byte-order mark says the input
 * is UTF-8; read one byte a character, a UTF-16 one or NUL bytes between
 * ASCII say it is UTF-16; read as UTF-16, the byte order must be the one
 * named, or, unnamed, the one its byte-order mark (or else its NUL bytes)
 * shows, never assumed. Returns 0, or -1 with the failure set.
 */
static int check_start(reader_t *r)
{
    const unsigned char *b = (const unsigned char *)r->raw;
    const size_t n = r->raw_len;
    if (n >= 3 && memcmp(b, "\xEF\xBB\xBF", 3) == 0) {
        fail(r, PS_ERROR_BATCH, 1, 0,
             "the file starts with a UTF-8 byte-order mark: it is UTF-8 already, not %s: leave "
             "out --encoding",
             r->encoding);
        return -1;
    }
    const int bom_le = n >= 2 && b[0] == 0xFF && b[1] == 0xFE;
    const int bom_be = n >= 2 && b[0] == 0xFE && b[1] == 0xFF;
    /* NUL bytes at even offsets (before ASCII: big-endian) and at odd ones, after any BOM. */
    size_t even = 0, odd = 0;
    for (size_t i = bom_le || bom_be ? 2 : 0; i < n && i < 512; i++)
        if (!b[i])
            *((i & 1) ? &odd : &even) += 1;
    const char order = even >= 2 && even > 2 * odd ? 'B' : odd >= 2 && odd > 2 * even ? 'L' : 0;
    if (r->single_byte && (bom_le || bom_be || order)) {
        fail(r, PS_ERROR_BATCH, 1, 0,
             "the file is UTF-16 text (%s), not %s: give --encoding utf-16",
             bom_le || bom_be ? "it starts with a UTF-16 byte-order mark"
                              : "every other byte is NUL",
             r->encoding);
        return -1;
    }
    if (!r->utf16)
        return 0;
    const char bom = bom_le ? 'L' : bom_be ? 'B' : 0;
    const char wanted = r->utf16 != 'U' ? r->utf16 : bom;
    if (r->utf16 != 'U' && bom && bom != r->utf16) {
        fail(r, PS_ERROR_BATCH, 1, 0,
             "the file starts with a %s-endian UTF-16 byte-order mark, but %s is %s-endian: "
             "give --encoding utf-16",
             bom == 'B' ? "big" : "little", r->encoding, r->utf16 == 'B' ? "big" : "little");
        return -1;
    }
    if (!bom && order && wanted && order != wanted) {
        fail(r, PS_ERROR_BATCH, 1, 0,
             "the file is %s-endian UTF-16 (a NUL byte %s each ASCII character), not %s: give "
             "--encoding utf-16%s",
             order == 'B' ? "big" : "little", order == 'B' ? "before" : "after", r->encoding,
             order == 'B' ? "be" : "le");
        return -1;
    }
    if (!bom && !wanted && order != 'L') {
        /* iconv would read it little-endian whatever it is. */
        fail(r, PS_ERROR_BATCH, 1, 0,
             order == 'B' ? "the file is UTF-16 without a byte-order mark, and big-endian (a NUL "
                            "byte before each ASCII character): give --encoding utf-16be"
                          : "the file is UTF-16 without a byte-order mark, and its byte order "
                            "cannot be told: give --encoding utf-16le or utf-16be");
        return -1;
    }
    return 0;
}

/*
 * Read one byte a character, text in UTF-8 with characters of several bytes
 * would be garbled (£ as Â£): a file holding any is refused, as UTF-8
 * already while no byte of it so far is not UTF-8, else as a file in two
 * encodings. Each block read is looked at whole, before it is converted.
 * Returns 0, or -1 with the failure set.
 */
static int check_not_utf8(reader_t *r)
{
    struct utf8_scan *u = &r->utf8;
    const unsigned char *b = (const unsigned char *)r->raw + r->raw_scanned;
    const unsigned long line = line_after(r, r->buffer + r->pos, r->len - r->pos) +
                               line_breaks(r->raw, r->raw_scanned);
    utf8_feed(u, b, r->raw_len - r->raw_scanned, line);
    r->raw_scanned = r->raw_len;
    if (!u->n_found)
        return 0;
    char shown[40] = "";
    for (unsigned k = 0; k < u->n_found; k++)
        snprintf(shown + strlen(shown), sizeof shown - strlen(shown), "%s0x%02X", k ? " " : "",
                 u->found[k]);
    if (!u->stray)
        fail(r, PS_ERROR_BATCH, u->found_line, 0,
             "the file is UTF-8 already (bytes %s here are the UTF-8 of one character, which "
             "read as %s would be garbled): leave out --encoding",
             shown, r->encoding);
    else
        fail(r, PS_ERROR_BATCH, u->found_line, 0,
             "the file holds UTF-8 text (line %lu: bytes %s, one character) though read as %s, "
             "as its other text is (line %lu: byte 0x%02X, not UTF-8): it mixes two encodings, "
             "and read as either, part of it would be garbled: save it in one encoding",
             u->found_line, shown, r->encoding, u->stray_line, u->stray_byte);
    return -1;
}

/*
 * Read as latin1 (or another ISO 8859 encoding), bytes 0x80 to 0x9F are
 * control characters, which no text holds: such a file is almost always a
 * Windows code page, whose letters and punctuation (’ – €) they are there.
 * Checks the 'n' bytes converted at the end of the buffer. Returns 0, or -1.
 */
static int check_no_control(reader_t *r, size_t n)
{
    const char *from = r->buffer + r->len - n;
    for (size_t i = 0; i + 1 < n; i++)
        if ((unsigned char)from[i] == 0xC2 && (unsigned char)from[i + 1] >= 0x80 &&
            (unsigned char)from[i + 1] <= 0x9F) {
            const char *page = windows_page_of(r->encoding);
            fail(r, PS_ERROR_BATCH, line_after(r, r->buffer + r->pos, r->len - n + i - r->pos),
                 0,
                 "read as %s, bytes 0x80-0x9F are control characters (byte 0x%02X here): the "
                 "file is probably %s: give --encoding %s",
                 r->encoding, (unsigned char)from[i + 1], page, page);
            return -1;
        }
    return 0;
}

/* Appends the UTF-8 of what was read to the buffer. Returns 0, or -1 with the failure set. */
static int convert_raw(reader_t *r, int at_eof)
{
    if (!r->raw_started) {
        /* The start is judged on four bytes at least (a pipe may give fewer at first). */
        if (r->raw_len < 4 && !at_eof && !r->at_eof)
            return 0;
        r->raw_started = 1;
        if (r->raw_len && check_start(r) != 0)
            return -1;
    }
    if (r->single_byte && check_not_utf8(r) != 0)
        return -1;
    char *in = r->raw, *to = r->buffer + r->len;
    size_t in_left = r->raw_len, to_left = BUFFER_SIZE - r->len;
    size_t done = iconv(r->convert, &in, &in_left, &to, &to_left);
    int e = errno;
    size_t converted = (size_t)(to - (r->buffer + r->len));
    if (done == (size_t)-1 && (e == EILSEQ || (e == EINVAL && at_eof))) {
        fail(r, PS_ERROR_BATCH, line_after(r, r->buffer + r->pos, r->len - r->pos + converted),
             0, "bytes that are not %s text (byte 0x%02x)%s", r->encoding,
             (unsigned char)*in, e == EINVAL ? " at the end of the file" : "");
        return -1;
    }
    r->len += converted;
    if (r->single_byte && check_no_control(r, converted) != 0)
        return -1;
    const size_t consumed = (size_t)(in - r->raw);
    memmove(r->raw, in, in_left);
    r->raw_len = in_left;
    r->raw_scanned = r->raw_scanned > consumed ? r->raw_scanned - consumed : 0;
    return 0;
}

int ps_csv_is_utf8(const char *file)
{
    if (strcmp(file, "-") == 0)
        return -1;
    int fd = open(file, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    struct utf8_scan u = {0};
    char block[8192];
    int nul = 0;
    ssize_t n;
    while (!u.stray && !nul && (n = read(fd, block, sizeof block)) != 0) {
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            close(fd);
            return -1;
        }
        utf8_feed(&u, (const unsigned char *)block, (size_t)n, 1);
        nul = memchr(block, '\0', (size_t)n) != NULL; /* UTF-16, whose ASCII is UTF-8 too */
    }
    close(fd);
    return !u.stray && !nul && !u.need;
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
 * Refills the buffer once everything in it was fed. Returns 1 with bytes to
 * feed, 0 at the end of the input, -1 with the failure set.
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
        r->bytes_read += (size_t)n;
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
    /* Without a CR, lines end at LF only and memchr finds them. */
    r->has_cr = memchr(r->buffer + r->pos, '\r', r->len - r->pos) != NULL;
    return r->len > r->pos;
}

/* ---- The record being read: libcsv's callbacks. ---- */

static __attribute__((cold)) int grow_text(reader_t *r, size_t need)
{
    size_t size = r->text_size;
    while (size < r->text_used + need)
        size *= 2;
    for (size_t i = 0; i < r->n_kept; i++)
        r->starts[i] = (size_t)(r->fields[i] - r->text);
    char *text = realloc(r->text, size);
    if (!text) {
        fail(r, PS_ERROR_NOMEM, r->record_line, 0, "out of memory for a row");
        return -1;
    }
    for (size_t i = 0; i < r->n_kept; i++)
        r->fields[i] = text + r->starts[i];
    r->text = text;
    r->text_size = size;
    r->text_room = size < PS_MAX_RECORD_BYTES ? size : PS_MAX_RECORD_BYTES;
    return 0;
}

/*
 * A field over the limit, begun on 'line', stops the read. 'quoted': it is
 * inside a quote, very likely one never closed.
 */
static __attribute__((cold)) void field_too_large(reader_t *r, unsigned long line, int quoted)
{
    if (quoted)
        fail(r, PS_ERROR_LIMIT, line, r->n_found + 1,
             "a field is longer than %u bytes: is the quote opened here never closed?",
             PS_MAX_FIELD_BYTES);
    else
        fail(r, PS_ERROR_LIMIT, line, r->n_found + 1, "a field is longer than %u bytes",
             PS_MAX_FIELD_BYTES);
}

static void set_fault(reader_t *r, const char *fault)
{
    if (!r->fault) {
        r->fault = fault;
        r->fault_column = r->n_found + 1;
    }
}

/* Keeps a field: room was made for it. */
static inline void keep_field(reader_t *r, const char *data, size_t len)
{
    char *to = r->text + r->text_used;
    if (len <= 16) /* most fields: a copy without a call */
        for (size_t i = 0; i < len; i++)
            to[i] = data[i];
    else
        memcpy(to, data, len);
    to[len] = '\0';
    r->fields[r->n_kept] = to;
    r->lengths[r->n_kept++] = len;
    r->text_used += len + 1;
}

/* Makes room to keep a field of 'len' bytes. Returns 0, or -1 with the failure set. */
static int make_room(reader_t *r, size_t len)
{
    if (r->text_used + len + 1 > PS_MAX_RECORD_BYTES) {
        fail(r, PS_ERROR_LIMIT, r->record_line, 0, "row longer than %u bytes",
             PS_MAX_RECORD_BYTES);
        return -1;
    }
    return r->text_used + len + 1 > r->text_size ? grow_text(r, len + 1) : 0;
}

/* A field not kept at once: the read failed, a limit, or the text must grow. */
static __attribute__((cold, noinline)) void on_other_field(reader_t *r, const char *data,
                                                          size_t len)
{
    if (r->failure.error)
        return;
    if (len > PS_MAX_FIELD_BYTES) {
        /* Whole, yet over the limit: quoted for sure when it runs over lines. */
        unsigned long began = r->n_found > r->line_fields ? r->line : r->field_line;
        field_too_large(r, began, began != r->line);
        return;
    }
    if (r->n_found >= PS_MAX_COLUMNS)
        set_fault(r, TOO_MANY_FIELDS); /* counted, not kept: the row is refused as ragged */
    else if (make_room(r, len) == 0)
        keep_field(r, data, len);
    else
        return;
    r->n_found++;
}

static void on_field(void *data, size_t len, void *user)
{
    reader_t *r = user;
    if (__builtin_expect(r->text_used + len >= r->text_room || len > PS_MAX_FIELD_BYTES ||
                             r->n_kept == PS_MAX_COLUMNS,
                         0)) {
        on_other_field(r, data, len);
        return;
    }
    keep_field(r, data, len);
    r->n_found++;
}

static void on_record(int terminator, void *user)
{
    reader_t *r = user;
    (void)terminator;
    r->whole = 1;
    r->begun = 0;
}

static void begin_record(reader_t *r)
{
    r->text_used = 0;
    r->n_kept = r->n_found = 0;
    r->fault = NULL;
    r->fault_column = 0;
    r->whole = 0;
    r->resumed = 0;
}

static ps_csv_record_t *end_record(reader_t *r)
{
    if (r->n_found > PS_MAX_COLUMNS)
        r->fault = TOO_MANY_FIELDS;
    /* Read but not yet fed to libcsv: the rest of the buffer (but the LF of a CR LF that ended
     * the record), or what waits to be converted. */
    size_t ahead = r->convert == (iconv_t)-1 ? r->len - r->pos : r->raw_len;
    if (r->convert == (iconv_t)-1 && ahead && r->after_cr && r->buffer[r->pos] == '\n')
        ahead--;
    r->record = (ps_csv_record_t){r->fields, r->lengths, r->n_kept, r->record_line, r->fault,
                                  r->fault_column, r->n_found, r->bytes_read - ahead};
    return &r->record;
}

/*
 * libcsv stopped at line[at], a byte of the n of a physical line. Malformed
 * quoting refuses the row, but the row still ends where CSV says it ends: the
 * field at fault is kept as written (as much of it as libcsv holds, and the
 * rest of it up to the next delimiter or the line's end), and a fresh parser
 * takes the record on from the delimiter after it, so that a quoted field
 * later in the row, line breaks and all, still belongs to it. *resume is where
 * feeding goes on in the line. Anything else stops the read. Returns 0, or -1
 * with the failure set.
 */
static int refuse_row(reader_t *r, const char *line, size_t at, size_t n, size_t *resume)
{
    if (csv_error(&r->parser) != CSV_EPARSE) {
        /* CSV_ENOMEM or CSV_ETOOBIG: capped_realloc refused to grow the field */
        field_too_large(r, r->field_line, r->parser.quoted);
        return -1;
    }
    /*
     * libcsv's state, from csv.h: 'quoted' tells the two faults apart; a quoted
     * field's buffer ends with its closing quote and the blanks after it.
     */
    const int quoted = r->parser.quoted;
    set_fault(r, quoted ? TEXT_AFTER_QUOTE : QUOTE_IN_UNQUOTED);
    size_t end = at;
    while (end < n && line[end] != r->delimiter && line[end] != '\r' && line[end] != '\n')
        end++;
    if (r->n_found < PS_MAX_COLUMNS) {
        size_t held = r->parser.entry_pos;
        if (quoted)
            held -= held < r->parser.spaces + 1 ? held : r->parser.spaces + 1;
        /* Within both limits: the field's, and what is left of the row's. */
        size_t rest = end - at, room = PS_MAX_FIELD_BYTES;
        size_t left = PS_MAX_RECORD_BYTES > r->text_used + 1
                          ? PS_MAX_RECORD_BYTES - r->text_used - 1
                          : 0;
        if (room > left)
            room = left;
        held = held < room ? held : room;
        rest = rest < room - held ? rest : room - held;
        if (make_room(r, held + rest) != 0)
            return -1;
        keep_field(r, held ? (const char *)r->parser.entry_buf : "", held);
        /* the rest, where keep_field put a NUL */
        memcpy(r->fields[r->n_kept - 1] + held, line + at, rest);
        r->fields[r->n_kept - 1][held + rest] = '\0';
        r->lengths[r->n_kept - 1] += rest;
        r->text_used += rest;
    }
    r->n_found++;
    start_parser(r);
    if (end == n) {
        /* The piece fed ends inside the field: it runs on in the next one. */
        r->skipping = 1;
        r->begun = 1;
        *resume = n;
    } else if (line[end] == r->delimiter) {
        /* More fields follow: the record goes on. */
        r->resumed = 1;
        r->begun = 1;
        *resume = end + 1;
    } else {
        /* The line ends the record (its break, fed to the fresh parser, begins nothing). */
        r->whole = 1;
        r->begun = 0;
        *resume = end;
    }
    return 0;
}

/*
 * A fresh parser that took a record on after a refused field, and has begun
 * nothing since: the record ends with an empty field (what followed the
 * delimiter was blank) at this line's end or the input's.
 */
static void end_resumed(reader_t *r)
{
    if (r->resumed && !r->whole && r->parser.pstate == r->fresh_state) {
        on_field("", 0, r);
        r->whole = 1;
        r->begun = 0;
    }
}

/* Nothing but blanks and line breaks: libcsv begins no record on such a line. */
static int blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
            return 0;
    return 1;
}

/*
 * Feeds the buffer to libcsv a physical line at a time (a piece of one at the
 * end of the buffer) until a record is whole. Returns 1 with the record whole,
 * 0 when the buffer is used up first, -1 with the failure set.
 */
static int feed(reader_t *r)
{
    const char *b = r->buffer;
    const size_t n = r->len;
    size_t i = r->pos;
    while (i < n) {
        size_t end;
        if (r->has_cr) {
            end = i;
            while (end < n && b[end] != '\n' && b[end] != '\r')
                end++;
        } else {
            const char *lf = memchr(b + i, '\n', n - i);
            end = lf ? (size_t)(lf - b) : n;
        }
        const int terminated = end < n;
        const size_t length = end - i + (terminated ? 1 : 0);
        size_t start = 0;
        if (r->skipping) {
            /* The rest of a refused field: up to a delimiter (the record goes on) or the line's end. */
            while (start < length && b[i + start] != r->delimiter && b[i + start] != '\r' &&
                   b[i + start] != '\n')
                start++;
            if (start < length) {
                r->skipping = 0;
                if (b[i + start] == r->delimiter) {
                    r->resumed = 1;
                    start++;
                } else {
                    r->whole = 1;
                    r->begun = 0;
                }
            }
        }
        if (!r->begun && !r->whole)
            r->record_line = r->field_line = r->line;
        r->line_fields = r->n_found;
        for (size_t done = start; done < length;) {
            size_t used = csv_parse(&r->parser, b + i + done, length - done, on_field, on_record, r);
            if (r->n_found != r->line_fields)
                r->field_line = r->line; /* the next field begins after a delimiter here */
            if (r->failure.error) {
                r->pos = n;
                return -1;
            }
            if (done + used == length)
                break;
            if (refuse_row(r, b + i, done + used, length, &done) != 0) {
                r->pos = n;
                return -1;
            }
        }
        if (terminated)
            end_resumed(r);
        if (!r->begun && !r->whole && (r->n_found || !blank(b + i, length)))
            r->begun = 1; /* a record begun on this line goes on on the next */
        if (terminated) {
            /* A LF right after a CR ends no line of its own: CR LF is one line break. */
            if (!(b[end] == '\n' && end == i && r->after_cr))
                r->line++;
            r->after_cr = b[end] == '\r';
        } else if (length) {
            r->after_cr = 0;
        }
        i += length;
        if (r->whole) {
            r->pos = i;
            return 1;
        }
    }
    r->pos = i;
    return 0;
}

ps_error_t ps_csv_next(ps_csv_reader_t *r, ps_csv_record_t **record)
{
    *record = NULL;
    if (r->whole)
        begin_record(r); /* the record handed over last is done with */
    while (!r->failure.error) {
        if (r->pos < r->len) {
            int got = feed(r);
            if (got > 0) {
                *record = end_record(r);
                return PS_OK;
            }
            continue;
        }
        if (r->finished)
            return PS_OK;
        int got = fill(r);
        if (got < 0)
            break;
        if (got > 0)
            continue;
        /* The end of the input: a last line without a line break ends here. */
        r->finished = 1;
        if (r->skipping) {
            /* A refused field ran to the end of the input: so does its row. */
            r->skipping = 0;
            r->whole = 1;
            r->begun = 0;
        }
        end_resumed(r);
        if (csv_fini(&r->parser, on_field, on_record, r) != 0)
            fail(r, PS_ERROR_BATCH, r->field_line, r->n_found + 1,
                 "end of file inside a quoted field: the quote opened on this line is never "
                 "closed");
        if (r->failure.error)
            break;
        if (r->whole)
            *record = end_record(r);
        return PS_OK;
    }
    return r->failure.error;
}

ps_error_t ps_csv_read(const ps_context_t *context, const char *file, ps_csv_record_fn fn,
                       void *user)
{
    return ps_csv_read_with(context, file, NULL, fn, user);
}

ps_error_t ps_csv_read_with(const ps_context_t *context, const char *file,
                            const ps_csv_options_t *options, ps_csv_record_fn fn, void *user)
{
    ps_csv_reader_t *r;
    ps_error_t err = ps_csv_open(context, file, options, &r);
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
