/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Reading XML safely: no network, no DTD, no external entity, a size limit,
 * and validation against a schema from the schema directory, compiled once.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/xmlschemas.h>

#include "internal.h"
#include "limits.h"

/* The first libxml2 error of one parse or validation. */
struct xml_errors {
    int seen;
    char message[512];
    unsigned long line, column;
    char file[512];
};

static void collect_error(void *user, xmlErrorPtr e)
{
    struct xml_errors *errors = user;
    if (errors->seen++)
        return;
    snprintf(errors->message, sizeof errors->message, "%s", e->message ? e->message : "error");
    /* "{urn:promscore:instrument:1}scale" reads better as "scale". */
    for (char *ns; (ns = strstr(errors->message, "{urn:promscore:"));) {
        char *end = strchr(ns, '}');
        if (!end)
            break;
        memmove(ns, end + 1, strlen(end + 1) + 1);
    }
    size_t n = strlen(errors->message);
    while (n && errors->message[n - 1] == '\n')
        errors->message[--n] = '\0';
    errors->line = e->line > 0 ? (unsigned long)e->line : 0;
    errors->column = e->int2 > 0 ? (unsigned long)e->int2 : 0;
    snprintf(errors->file, sizeof errors->file, "%s", e->file ? e->file : "");
}

static void ignore_generic_error(void *user, const char *format, ...)
{
    (void)user, (void)format;
}

/* No definition may reach outside itself: every external entity is refused. */
static xmlParserInputPtr refuse_external(const char *url, const char *id, xmlParserCtxtPtr ctxt)
{
    (void)id, (void)ctxt;
    xmlGenericError(xmlGenericErrorContext, "external entity refused: %s\n", url ? url : "?");
    return NULL;
}

/* What a file is, for a message refusing it. */
static const char *file_type(mode_t mode)
{
    return S_ISFIFO(mode)  ? "a FIFO (named pipe)"
           : S_ISDIR(mode) ? "a directory"
           : S_ISSOCK(mode) ? "a socket"
           : S_ISCHR(mode) ? "a character device"
           : S_ISBLK(mode) ? "a block device"
                           : "something else";
}

/*
 * Reads a whole file of at most 'limit' bytes. Definitions, schemas and
 * calibrations are regular files: O_NONBLOCK keeps the open of a FIFO (or a
 * device) from waiting for a writer, and the type is checked on the opened
 * descriptor, so nothing can be swapped in between the check and the read.
 */
static ps_error_t slurp(ps_context_t *c, const char *file, size_t limit, char **data,
                        size_t *size)
{
    int fd = open(file, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        int saved = errno;
        struct stat st;
        if (saved == ENXIO && stat(file, &st) == 0 && !S_ISREG(st.st_mode))
            return ps_diagnose(c, PS_ERROR_READ, file, 0, 0, "not a regular file but %s",
                               file_type(st.st_mode));
        return ps_diagnose(c, PS_ERROR_READ, file, 0, 0, "cannot open: %s", strerror(saved));
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int saved = errno;
        close(fd);
        return ps_diagnose(c, PS_ERROR_READ, file, 0, 0, "cannot examine: %s", strerror(saved));
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return ps_diagnose(c, PS_ERROR_READ, file, 0, 0, "not a regular file but %s",
                           file_type(st.st_mode));
    }
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0) {
        int saved = errno;
        close(fd);
        return ps_diagnose(c, PS_ERROR_READ, file, 0, 0, "cannot read: %s", strerror(saved));
    }
    if ((unsigned long long)st.st_size > limit) {
        close(fd);
        return ps_diagnose(c, PS_ERROR_LIMIT, file, 0, 0,
                           "definition is %lld bytes; the limit is %zu bytes",
                           (long long)st.st_size, limit);
    }
    char *buffer = malloc((size_t)st.st_size + 1);
    if (!buffer) {
        close(fd);
        return PS_ERROR_NOMEM;
    }
    size_t got = 0;
    while (got < (size_t)st.st_size) {
        ssize_t n = read(fd, buffer + got, (size_t)st.st_size - got);
        if (n <= 0) {
            int saved = n < 0 ? errno : EIO;
            free(buffer);
            close(fd);
            return ps_diagnose(c, PS_ERROR_READ, file, 0, 0, "cannot read: %s", strerror(saved));
        }
        got += (size_t)n;
    }
    close(fd);
    buffer[got] = '\0';
    *data = buffer;
    *size = got;
    return PS_OK;
}

static const char *skip_past(const char *p, const char *end, const char *terminator)
{
    size_t n = strlen(terminator);
    for (; p + n <= end; p++)
        if (memcmp(p, terminator, n) == 0)
            return p + n;
    return end;
}

/*
 * Refuses a start tag with more than PS_MAX_XML_ATTRIBUTES attributes before
 * libxml2 sees it: one linear pass over the bytes, counting the '=' outside
 * quoted values of each start tag. Comments, CDATA and processing
 * instructions are skipped; text holds no '<' in well-formed XML, and what is
 * not well-formed is left to the parser to report.
 */
static ps_error_t check_attribute_counts(ps_context_t *c, const char *file, const char *data,
                                         size_t size)
{
    const char *p = data, *end = data + size;
    while ((p = memchr(p, '<', (size_t)(end - p)))) {
        const char *tag = p++;
        if (end - tag >= 4 && memcmp(tag, "<!--", 4) == 0) {
            p = skip_past(tag + 4, end, "-->");
            continue;
        }
        if (end - tag >= 9 && memcmp(tag, "<![CDATA[", 9) == 0) {
            p = skip_past(tag + 9, end, "]]>");
            continue;
        }
        if (p < end && *p == '?') {
            p = skip_past(p + 1, end, "?>");
            continue;
        }
        if (p < end && (*p == '/' || *p == '!'))
            continue;
        size_t attributes = 0;
        while (p < end && *p != '>') {
            if (*p == '"' || *p == '\'') {
                const char *close = memchr(p + 1, *p, (size_t)(end - p - 1));
                p = close ? close + 1 : end;
                continue;
            }
            if (*p == '<')
                break; /* not well-formed: the parser says where */
            if (*p++ == '=' && ++attributes > PS_MAX_XML_ATTRIBUTES) {
                unsigned long line = 1;
                const char *line_start = data;
                for (const char *q = data; q < tag; q++)
                    if (*q == '\n')
                        line++, line_start = q + 1;
                unsigned long column = 1; /* in characters, not bytes */
                for (const char *q = line_start; q < tag; q++)
                    column += (*q & 0xC0) != 0x80;
                size_t name = strcspn(tag + 1, " \t\r\n/>");
                return ps_diagnose(c, PS_ERROR_LIMIT, file, line, column,
                                   "element <%.*s> has more than %u attributes; the limit is %u "
                                   "attributes per element",
                                   (int)(name < 64 ? name : 64), tag + 1, PS_MAX_XML_ATTRIBUTES,
                                   PS_MAX_XML_ATTRIBUTES);
            }
        }
    }
    return PS_OK;
}

/* ---- Encodings: UTF-8 (US-ASCII is part of it) and UTF-16, nothing else. ---- */

static unsigned long line_at(const char *data, const char *at)
{
    unsigned long line = 1;
    for (const char *p = data; p < at; p++)
        line += *p == '\n';
    return line;
}

/* The 1-based line of the first byte that is not UTF-8 (or is NUL), or 0 when all are. */
static unsigned long first_bad_utf8_line(const char *data, size_t size)
{
    if (ps_utf8_valid(data, size))
        return 0;
    unsigned long line = 1;
    for (const char *p = data, *end = data + size; p < end; line++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *stop = nl ? nl : end;
        if (!ps_utf8_valid(p, (size_t)(stop - p)))
            return line;
        p = stop + 1;
    }
    return line;
}

static int is_xml_space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

/*
 * The encoding named by the XML declaration at the start of 'text' (UTF-8),
 * copied into 'name'; 0 when there is no declaration or it names none.
 */
static int declared_encoding(const char *text, size_t size, char *name, size_t name_size)
{
    if (size < 6 || memcmp(text, "<?xml", 5) != 0 || !is_xml_space(text[5]))
        return 0;
    const char *end = text + size, *close = skip_past(text + 5, end, "?>");
    for (const char *p = text + 5; p + 8 < close; p++) {
        if (!is_xml_space(p[-1]) || memcmp(p, "encoding", 8) != 0)
            continue;
        const char *q = p + 8;
        while (q < close && is_xml_space(*q))
            q++;
        if (q >= close || *q++ != '=')
            return 0;
        while (q < close && is_xml_space(*q))
            q++;
        if (q >= close || (*q != '"' && *q != '\''))
            return 0;
        const char *value = q + 1, *quote = memchr(value, *q, (size_t)(close - value));
        if (!quote)
            return 0;
        size_t n = (size_t)(quote - value);
        snprintf(name, name_size, "%.*s", (int)(n < name_size ? n : name_size - 1), value);
        return 1;
    }
    return 0;
}

static int names_one_of(const char *name, const char *const *names)
{
    for (; *names; names++)
        if (ps_strcaseeq(name, *names))
            return 1;
    return 0;
}

/*
 * UTF-16 (big-endian when 'big') to UTF-8, in a new buffer. Returns the
 * offset of the first code unit that is not UTF-16 (an unpaired surrogate,
 * an odd last byte) through 'bad', with NULL.
 */
static char *utf16_to_utf8(const unsigned char *in, size_t size, int big, size_t *out_size,
                           size_t *bad)
{
    *bad = SIZE_MAX;
    char *out = malloc(size / 2 * 3 + 1), *o = out;
    if (!out)
        return NULL;
    size_t i = 0;
    while (i + 1 < size) {
        unsigned long u = big ? (unsigned)in[i] << 8 | in[i + 1] : (unsigned)in[i + 1] << 8 | in[i];
        size_t at = i;
        i += 2;
        if (u >= 0xDC00 && u <= 0xDFFF) {
            *bad = at;
            break;
        }
        if (u >= 0xD800 && u <= 0xDBFF) {
            unsigned long low = i + 1 < size ? (big ? (unsigned)in[i] << 8 | in[i + 1]
                                                    : (unsigned)in[i + 1] << 8 | in[i])
                                             : 0;
            if (low < 0xDC00 || low > 0xDFFF) {
                *bad = at;
                break;
            }
            i += 2;
            u = 0x10000 + ((u - 0xD800) << 10) + (low - 0xDC00);
        }
        if (u < 0x80) {
            *o++ = (char)u;
        } else if (u < 0x800) {
            *o++ = (char)(0xC0 | u >> 6);
            *o++ = (char)(0x80 | (u & 0x3F));
        } else if (u < 0x10000) {
            *o++ = (char)(0xE0 | u >> 12);
            *o++ = (char)(0x80 | (u >> 6 & 0x3F));
            *o++ = (char)(0x80 | (u & 0x3F));
        } else {
            *o++ = (char)(0xF0 | u >> 18);
            *o++ = (char)(0x80 | (u >> 12 & 0x3F));
            *o++ = (char)(0x80 | (u >> 6 & 0x3F));
            *o++ = (char)(0x80 | (u & 0x3F));
        }
    }
    if (*bad == SIZE_MAX && i != size)
        *bad = i;
    if (*bad != SIZE_MAX) {
        free(out);
        return NULL;
    }
    *o = '\0';
    *out_size = (size_t)(o - out);
    return out;
}

#define ENCODINGS_ALLOWED "definitions, schemas and calibrations must be UTF-8 (or US-ASCII) or UTF-16"

/*
 * Only UTF-8 (US-ASCII included) and UTF-16 are read. libxml2 also decodes
 * EBCDIC, UTF-7, UCS-4 and legacy code pages, into text the byte-level
 * checks before parsing (the attribute limit) never saw; so any other
 * encoding, declared or found in the bytes, is refused before parsing.
 * UTF-16 is decoded to UTF-8 here, so the checks and the parser read the
 * same text; the parser is then told to ignore the declaration.
 */
static ps_error_t check_encoding(ps_context_t *c, const char *file, char **data, size_t *size)
{
    const unsigned char *b = (const unsigned char *)*data;
    size_t n = *size;
    static const unsigned char ucs4[][4] = {
        {0, 0, 0, 0x3C}, {0x3C, 0, 0, 0}, {0, 0, 0x3C, 0}, {0, 0x3C, 0, 0}, {0, 0, 0xFE, 0xFF}};
    for (size_t i = 0; n >= 4 && i < sizeof ucs4 / sizeof ucs4[0]; i++)
        if (memcmp(b, ucs4[i], 4) == 0)
            return ps_diagnose(c, PS_ERROR_XML, file, 1, 0, "written in UCS-4 (UTF-32): %s",
                               ENCODINGS_ALLOWED);
    if (n >= 4 && memcmp(b, "\x4C\x6F\xA7\x94", 4) == 0)
        return ps_diagnose(c, PS_ERROR_XML, file, 1, 0, "written in EBCDIC: %s",
                           ENCODINGS_ALLOWED);
    int utf16 = 0, big = 0;
    size_t bom = 0;
    if (n >= 2 && b[0] == 0xFE && b[1] == 0xFF)
        utf16 = 1, big = 1, bom = 2;
    else if (n >= 2 && b[0] == 0xFF && b[1] == 0xFE)
        utf16 = 1, bom = 2;
    else if (n >= 4 && memcmp(b, "\0<\0?", 4) == 0)
        utf16 = 1, big = 1;
    else if (n >= 4 && memcmp(b, "<\0?\0", 4) == 0)
        utf16 = 1;
    else if (n >= 3 && memcmp(b, "\xEF\xBB\xBF", 3) == 0)
        bom = 3;
    if (utf16) {
        size_t bad = SIZE_MAX, decoded_size = 0;
        char *decoded = utf16_to_utf8(b + bom, n - bom, big, &decoded_size, &bad);
        if (!decoded && bad == SIZE_MAX)
            return PS_ERROR_NOMEM;
        if (!decoded)
            return ps_diagnose(c, PS_ERROR_XML, file, 0, 0,
                               "is neither UTF-8 nor UTF-16: byte %zu begins no UTF-16 character; "
                               "%s",
                               bad + bom, ENCODINGS_ALLOWED);
        free(*data);
        *data = decoded;
        *size = decoded_size;
        bom = 0;
    }
    unsigned long line = first_bad_utf8_line(*data, *size);
    if (line)
        return ps_diagnose(c, PS_ERROR_XML, file, line, 0,
                           "is neither UTF-8 nor UTF-16: line %lu holds a byte that is not UTF-8 "
                           "(or a NUL); %s",
                           line, ENCODINGS_ALLOWED);
    char name[64];
    if (!declared_encoding(*data + bom, *size - bom, name, sizeof name))
        return PS_OK;
    static const char *const utf8_names[] = {"UTF-8", "UTF8", NULL};
    static const char *const ascii_names[] = {"US-ASCII", "ASCII", NULL};
    static const char *const utf16_names[] = {"UTF-16", "UTF16", "UTF-16BE", "UTF-16LE", NULL};
    if (utf16 ? names_one_of(name, utf16_names)
              : names_one_of(name, utf8_names) || names_one_of(name, ascii_names)) {
        if (names_one_of(name, ascii_names))
            for (const char *p = *data; p < *data + *size; p++)
                if (*p & 0x80)
                    return ps_diagnose(c, PS_ERROR_XML, file, line_at(*data, p), 0,
                                       "declares encoding \"%s\" but holds a character that is "
                                       "not ASCII; declare UTF-8",
                                       name);
        return PS_OK;
    }
    if (names_one_of(name, utf16_names) || names_one_of(name, utf8_names))
        return ps_diagnose(c, PS_ERROR_XML, file, 1, 0,
                           "declares encoding \"%s\" but is written in %s", name,
                           utf16 ? "UTF-16" : "UTF-8 (UTF-16 begins with a byte-order mark)");
    return ps_diagnose(c, PS_ERROR_XML, file, 1, 0, "declares encoding \"%s\": %s", name,
                       ENCODINGS_ALLOWED);
}

/* ---- Numbers, read as XML Schema reads them, whatever the schema says. ---- */

/* The value without the XML white space around it (xs:double and xs:integer collapse it). */
static const char *collapsed(const char *text, size_t *length)
{
    while (is_xml_space(*text))
        text++;
    size_t n = strlen(text);
    while (n && is_xml_space(text[n - 1]))
        n--;
    *length = n;
    return text;
}

static size_t digits(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9')
        i++;
    return i;
}

const char *ps_xml_number(const char *text, double *value)
{
    size_t n;
    const char *s = collapsed(text ? text : "", &n);
    if (n == 0)
        return "is empty";
    if ((n == 3 && memcmp(s, "NaN", 3) == 0) || (n == 3 && memcmp(s, "INF", 3) == 0) ||
        (n == 4 && (memcmp(s, "-INF", 4) == 0 || memcmp(s, "+INF", 4) == 0)))
        return "is not a finite number";
    /* xs:double's decimal form: [+-] digits [. digits] [(e|E) [+-] digits], a digit before or after the point. */
    size_t i = s[0] == '+' || s[0] == '-';
    size_t whole = digits(s + i, n - i), fraction = 0;
    i += whole;
    if (i < n && s[i] == '.') {
        fraction = digits(s + i + 1, n - i - 1);
        i += 1 + fraction;
    }
    if (whole + fraction == 0)
        return "is not a decimal number";
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i += 1 + (i + 1 < n && (s[i + 1] == '+' || s[i + 1] == '-'));
        size_t exponent = digits(s + i, n - i);
        if (exponent == 0)
            return "is not a decimal number";
        i += exponent;
    }
    if (i != n)
        return "is not a decimal number";
    char buffer[64], *copy = n < sizeof buffer ? buffer : malloc(n + 1);
    if (!copy)
        return "is too long to read";
    memcpy(copy, s, n);
    copy[n] = '\0';
    /* Past DBL_MAX strtod gives an infinity, which every caller's limit refuses; below the
     * smallest double it gives 0 or a subnormal, as a schema validator would. */
    *value = strtod(copy, NULL);
    if (copy != buffer)
        free(copy);
    return NULL;
}

const char *ps_xml_integer(const char *text, long *value)
{
    size_t n;
    const char *s = collapsed(text ? text : "", &n);
    if (n == 0)
        return "is empty";
    size_t sign = s[0] == '+' || s[0] == '-';
    if (n == sign || digits(s + sign, n - sign) != n - sign)
        return "is not a whole number";
    /* All digits: past LONG_MAX strtol gives LONG_MAX (or LONG_MIN), which every caller's
     * limit refuses. */
    *value = strtol(s, NULL, 10);
    return NULL;
}

/* Parses XML from memory with no network, no DTD and no entity substitution. */
static ps_error_t parse_xml(ps_context_t *c, const char *file, const char *data, size_t size,
                            xmlDocPtr *out)
{
    struct xml_errors errors = {0};
    xmlExternalEntityLoader previous = xmlGetExternalEntityLoader();
    xmlSetExternalEntityLoader(refuse_external);
    xmlSetGenericErrorFunc(NULL, ignore_generic_error);
    xmlSetStructuredErrorFunc(&errors, collect_error);
    xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
    xmlDocPtr doc = NULL;
    if (ctxt) {
        /* check_encoding has made it UTF-8, whatever the declaration says. */
        doc = xmlCtxtReadMemory(ctxt, data, (int)size, file, "UTF-8",
                                XML_PARSE_NONET | XML_PARSE_IGNORE_ENC);
        xmlFreeParserCtxt(ctxt);
    }
    xmlSetStructuredErrorFunc(NULL, NULL);
    xmlSetExternalEntityLoader(previous);
    if (!ctxt)
        return PS_ERROR_NOMEM;
    if (!doc || errors.seen) {
        xmlFreeDoc(doc);
        return ps_diagnose(c, PS_ERROR_XML, file, errors.line, errors.column, "%s",
                           errors.seen ? errors.message : "not well-formed XML");
    }
    if (doc->intSubset || doc->extSubset) {
        /* libxml2 keeps no line for a DTD node: find the declaration in the text. */
        const char *at = strstr(data, "<!DOCTYPE");
        unsigned long line = at ? 1 : 0;
        for (const char *p = data; at && p < at; p++)
            line += *p == '\n';
        xmlFreeDoc(doc);
        return ps_diagnose(c, PS_ERROR_XML, file, line, 0,
                           "document type declarations (DTDs) are not allowed in definitions");
    }
    *out = doc;
    return PS_OK;
}

/* The compiled schema 'name' from the schema directory, compiled on first use. */
static ps_error_t load_schema(ps_context_t *c, const char *name, xmlSchemaPtr *out)
{
    for (size_t i = 0; i < c->n_schemas; i++)
        if (strcmp(c->schemas[i].name, name) == 0) {
            *out = c->schemas[i].schema;
            return PS_OK;
        }
    if (c->n_schemas == sizeof c->schemas / sizeof c->schemas[0])
        return ps_diagnose(c, PS_ERROR_INTERNAL, NULL, 0, 0, "too many schemas");
    size_t len = strlen(c->schema_dir) + strlen(name) + 2;
    char *file = malloc(len);
    if (!file)
        return PS_ERROR_NOMEM;
    snprintf(file, len, "%s/%s", c->schema_dir, name);
    xmlDocPtr doc = NULL;
    xmlSchemaPtr schema = NULL;
    ps_error_t err = ps_xml_read(c, file, (void **)&doc);
    if (!err) {
        struct xml_errors errors = {0};
        xmlSchemaParserCtxtPtr pctxt = xmlSchemaNewDocParserCtxt(doc);
        if (pctxt) {
            xmlSchemaSetParserStructuredErrors(pctxt, collect_error, &errors);
            schema = xmlSchemaParse(pctxt);
            xmlSchemaFreeParserCtxt(pctxt);
        }
        if (!schema)
            err = ps_diagnose(c, PS_ERROR_INTERNAL, file, errors.line, errors.column,
                              "cannot compile the schema: %s",
                              errors.seen ? errors.message : "out of memory");
    }
    char *copy = err ? NULL : strdup(name);
    if (!err && !copy)
        err = PS_ERROR_NOMEM;
    if (err) {
        xmlSchemaFree(schema);
        xmlFreeDoc(doc);
    } else {
        /* The compiled schema keeps pointers into its document: keep the document too. */
        c->schemas[c->n_schemas++] = (struct ps_schema){copy, schema, doc};
        *out = schema;
    }
    free(file);
    return err;
}

ps_error_t ps_xml_validate(ps_context_t *c, const char *file, void *doc, const char *schema_name)
{
    xmlSchemaPtr schema = NULL;
    ps_error_t err = load_schema(c, schema_name, &schema);
    if (err)
        return err;
    struct xml_errors errors = {0};
    xmlSchemaValidCtxtPtr vctxt = xmlSchemaNewValidCtxt(schema);
    if (!vctxt)
        return PS_ERROR_NOMEM;
    xmlSchemaSetValidStructuredErrors(vctxt, collect_error, &errors);
    int rc = xmlSchemaValidateDoc(vctxt, doc);
    xmlSchemaFreeValidCtxt(vctxt);
    if (rc == 0)
        return PS_OK;
    if (rc < 0)
        return ps_diagnose(c, PS_ERROR_INTERNAL, file, 0, 0, "schema validation failed internally");
    return ps_diagnose(c, PS_ERROR_SCHEMA, file, errors.line, errors.column, "%s",
                       errors.seen ? errors.message : "does not follow its schema");
}

ps_error_t ps_xml_read(ps_context_t *c, const char *file, void **doc)
{
    char *data = NULL;
    size_t size = 0;
    ps_error_t err = slurp(c, file, PS_MAX_DEFINITION_BYTES, &data, &size);
    if (err)
        return err;
    err = check_encoding(c, file, &data, &size);
    if (!err)
        err = check_attribute_counts(c, file, data, size);
    if (!err)
        err = parse_xml(c, file, data, size, (xmlDocPtr *)doc);
    free(data);
    return err;
}

void ps_xml_free_schemas(ps_context_t *c)
{
    for (size_t i = 0; i < c->n_schemas; i++) {
        xmlSchemaFree(c->schemas[i].schema);
        xmlFreeDoc(c->schemas[i].doc);
        free(c->schemas[i].name);
    }
    c->n_schemas = 0;
}
