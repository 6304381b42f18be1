/*
 * Pseudonymisation. A plain or salted hash of an NHS number can be reversed by
 * trying every number; an HMAC under a secret key cannot without the key.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "csvread.h"
#include "internal.h"

enum { MAX_KEY_BYTES = 4096 };

/*
 * In a directory anyone may write to, anyone may rename the key away and put
 * one they know in its place, and every pseudonym made with it is theirs to
 * reverse. A sticky directory (/tmp) lets only a file's owner do that.
 */
static ps_error_t check_key_directory(ps_context_t *c, const char *file)
{
    const char *slash = strrchr(file, '/');
    char *dir = slash ? strndup(file, slash == file ? 1 : (size_t)(slash - file)) : strdup(".");
    if (!dir)
        return PS_ERROR_NOMEM;
    struct stat st;
    ps_error_t err = PS_OK;
    if (stat(dir, &st) != 0)
        err = ps_diagnose(c, PS_ERROR_READ, dir, 0, 0, "cannot examine the key's directory: %s",
                          strerror(errno));
    else if ((st.st_mode & S_IWOTH) && !(st.st_mode & S_ISVTX))
        err = ps_diagnose(c, PS_ERROR_USAGE, file, 0, 0,
                          "the key's directory %s is writable by anyone and not sticky "
                          "(mode %04o): anyone could replace the key with one they know; keep "
                          "the key in a private directory",
                          dir, (unsigned)(st.st_mode & 07777));
    free(dir);
    return err;
}

ps_error_t ps_key_read(ps_context_t *c, const char *file, unsigned char **key, size_t *length)
{
    *key = NULL;
    *length = 0;
    /*
     * O_NONBLOCK: opening a FIFO (or a device) for reading would otherwise wait
     * for a writer for ever. The checks are made on the opened descriptor, so
     * nothing can be swapped in between a check and the read. O_NOFOLLOW: a
     * key is named directly, never through a symbolic link someone else may
     * have pointed elsewhere.
     */
    int fd = open(file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (fd < 0)
        return ps_diagnose(c, PS_ERROR_READ, file, 0, 0, "cannot open the key: %s%s",
                           strerror(errno),
                           errno == ELOOP ? " (a key is never read through a symbolic link)" : "");
    struct stat st;
    ps_error_t err = PS_OK;
    if (fstat(fd, &st) != 0)
        err = ps_diagnose(c, PS_ERROR_READ, file, 0, 0, "cannot examine the key: %s",
                          strerror(errno));
    else if (!S_ISREG(st.st_mode))
        err = ps_diagnose(c, PS_ERROR_USAGE, file, 0, 0,
                          "the key is not a regular file (a %s)",
                          S_ISFIFO(st.st_mode)   ? "pipe"
                          : S_ISDIR(st.st_mode)  ? "directory"
                          : S_ISSOCK(st.st_mode) ? "socket"
                                                 : "device");
    else if (st.st_nlink > 1)
        err = ps_diagnose(c, PS_ERROR_USAGE, file, 0, 0,
                          "the key has %lu hard links: another name for it may be where others "
                          "can replace or read it; keep a key under one name only (copy it to a "
                          "new file and remove the others)",
                          (unsigned long)st.st_nlink);
    else if (st.st_mode & (S_IRWXG | S_IRWXO))
        err = ps_diagnose(c, PS_ERROR_USAGE, file, 0, 0,
                          "the key is open to group or others (mode %03o): chmod 600 it",
                          (unsigned)(st.st_mode & 0777));
    else if (st.st_size < PS_KEY_MIN_BYTES || st.st_size > MAX_KEY_BYTES)
        err = ps_diagnose(c, PS_ERROR_USAGE, file, 0, 0,
                          "the key must hold %d to %d bytes, not %lld (make one with --keygen)",
                          PS_KEY_MIN_BYTES, MAX_KEY_BYTES, (long long)st.st_size);
    if (!err)
        err = check_key_directory(c, file);
    unsigned char *bytes = err ? NULL : malloc((size_t)st.st_size);
    if (!err && !bytes)
        err = PS_ERROR_NOMEM;
    if (!err && read(fd, bytes, (size_t)st.st_size) != (ssize_t)st.st_size)
        err = ps_diagnose(c, PS_ERROR_READ, file, 0, 0, "cannot read the key");
    close(fd);
    if (err) {
        ps_key_free(bytes, bytes ? (size_t)st.st_size : 0);
        return err;
    }
    *key = bytes;
    *length = (size_t)st.st_size;
    return PS_OK;
}

void ps_key_free(unsigned char *key, size_t length)
{
    if (key) {
        OPENSSL_cleanse(key, length);
        free(key);
    }
}

ps_error_t ps_key_generate(ps_context_t *c, const char *file)
{
    unsigned char key[PS_KEY_MIN_BYTES];
    if (getrandom(key, sizeof key, 0) != (ssize_t)sizeof key)
        return ps_diagnose(c, PS_ERROR_INTERNAL, NULL, 0, 0, "no random bytes: %s",
                           strerror(errno));
    int fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    ps_error_t err = PS_OK;
    if (fd < 0)
        err = ps_diagnose(c, PS_ERROR_WRITE, file, 0, 0, "cannot create the key%s: %s",
                          errno == EEXIST ? " (it exists: a key is never overwritten)" : "",
                          strerror(errno));
    else if (fchmod(fd, 0600) != 0 || write(fd, key, sizeof key) != (ssize_t)sizeof key ||
             fsync(fd) != 0)
        err = ps_diagnose(c, PS_ERROR_WRITE, file, 0, 0, "cannot write the key: %s",
                          strerror(errno));
    if (fd >= 0 && close(fd) != 0 && !err)
        err = ps_diagnose(c, PS_ERROR_WRITE, file, 0, 0, "cannot write the key: %s",
                          strerror(errno));
    if (err && fd >= 0)
        unlink(file);
    OPENSSL_cleanse(key, sizeof key);
    return err;
}

int ps_nhs_number_valid(const char *text, char digits[11])
{
    size_t n = 0;
    for (const char *p = text; *p; p++) {
        if (*p >= '0' && *p <= '9') {
            if (n == 10)
                return 0;
            digits[n++] = *p;
        } else if ((*p == ' ' || *p == '-') && n > 0 && n < 10) {
            continue; /* separators between digits only */
        } else {
            return 0;
        }
    }
    if (n != 10)
        return 0;
    digits[10] = '\0';
    int sum = 0;
    for (int i = 0; i < 9; i++)
        sum += (digits[i] - '0') * (10 - i);
    int check = 11 - sum % 11;
    if (check == 11)
        check = 0;
    return check != 10 && check == digits[9] - '0';
}

ps_error_t ps_pseudonym(const unsigned char *key, size_t key_length, const char *data,
                        size_t length, char hex[65])
{
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_length = 0;
    if (key_length > (size_t)MAX_KEY_BYTES ||
        !HMAC(EVP_sha256(), key, (int)key_length, (const unsigned char *)data, length, mac,
              &mac_length) ||
        mac_length != 32)
        return PS_ERROR_INTERNAL;
    static const char digits[] = "0123456789abcdef";
    for (unsigned i = 0; i < 32; i++) {
        hex[2 * i] = digits[mac[i] >> 4];
        hex[2 * i + 1] = digits[mac[i] & 15];
    }
    hex[64] = '\0';
    OPENSSL_cleanse(mac, sizeof mac);
    return PS_OK;
}

struct pass {
    ps_context_t *context;
    const char *file;
    const char *column;
    ps_identifier_t kind;
    const unsigned char *key;
    size_t key_length;
    const ps_pseudonymise_handlers_t *handlers;
    ps_batch_summary_t *summary;
    size_t n_fields, field;
    const char **out;       /* the row handed on: the record's fields, the pseudonym in place */
};

static ps_error_t refuse(struct pass *p, unsigned long line, const char *reason)
{
    p->summary->rows_rejected++;
    /* The identifier is personal data: a rejected one is never repeated. */
    ps_reject_t r = {p->file, line, 0, "", "", "", reason};
    if (p->handlers->reject && p->handlers->reject(&r, p->handlers->user))
        return PS_ERROR_ABORTED;
    return PS_OK;
}

/* Header cell and column name compared as ps_strcaseeq does, after trimming both. */
static int names_identifier(const char *cell, size_t cell_length, const char *column)
{
    size_t a = cell_length, b = strlen(column);
    const char *x = ps_trim(cell, &a), *y = ps_trim(column, &b);
    if (a != b)
        return 0;
    for (size_t i = 0; i < a; i++) {
        char cx = x[i] >= 'A' && x[i] <= 'Z' ? (char)(x[i] - 'A' + 'a') : x[i];
        char cy = y[i] >= 'A' && y[i] <= 'Z' ? (char)(y[i] - 'A' + 'a') : y[i];
        if (cx != cy)
            return 0;
    }
    return 1;
}

/* All ten digits the same (0000000000 to 9999999999): each passes the modulus-11 check. */
static int placeholder(const char digits[11])
{
    for (int i = 1; i < 10; i++)
        if (digits[i] != digits[0])
            return 0;
    return 1;
}

static ps_error_t pass_record(const ps_csv_record_t *rec, void *user)
{
    struct pass *p = user;
    if (!p->n_fields) {
        /*
         * Checked before the header is handed on: a second copy of the
         * identifier column would go out in clear, so the batch is refused
         * before anything is written.
         */
        p->field = SIZE_MAX;
        for (size_t i = 0; i < rec->n_fields; i++) {
            if (!names_identifier(rec->fields[i], rec->lengths[i], p->column))
                continue;
            if (p->field != SIZE_MAX)
                return ps_diagnose(p->context, PS_ERROR_BATCH, p->file, rec->line, i + 1,
                                   "the identifier column '%s' appears twice in the header "
                                   "(columns %zu and %zu): one copy would leave in clear, so "
                                   "the batch is refused",
                                   p->column, p->field + 1, i + 1);
            p->field = i;
        }
        if (p->field == SIZE_MAX)
            return ps_diagnose(p->context, PS_ERROR_BATCH, p->file, rec->line, 0,
                               "no column '%s' in the header", p->column);
        p->n_fields = rec->n_fields;
        if (!(p->out = calloc(rec->n_fields, sizeof *p->out)))
            return PS_ERROR_NOMEM;
        return p->handlers->row((const char *const *)rec->fields, rec->n_fields,
                                p->handlers->user)
                   ? PS_ERROR_ABORTED
                   : PS_OK;
    }
    p->summary->rows_read++;
    if (rec->n_fields != p->n_fields)
        return refuse(p, rec->line, "ragged row: not the header's number of fields");
    char *cell = rec->fields[p->field];
    size_t length = rec->lengths[p->field];
    const char *id = ps_trim(cell, &length);
    if (memchr(cell, '\0', rec->lengths[p->field]))
        return refuse(p, rec->line, "identifier holds a NUL byte");
    if (length == 0)
        return refuse(p, rec->line, "missing identifier");
    char digits[11], hex[65];
    if (p->kind == PS_IDENTIFIER_NHS_NUMBER) {
        char copy[64];
        if (length >= sizeof copy)
            return refuse(p, rec->line, "not a valid NHS number");
        memcpy(copy, id, length);
        copy[length] = '\0';
        int valid = ps_nhs_number_valid(copy, digits);
        OPENSSL_cleanse(copy, sizeof copy);
        if (!valid)
            return refuse(p, rec->line,
                          "not a valid NHS number (10 digits with a modulus-11 check digit)");
        if (placeholder(digits)) {
            /* Hashed, it would give every unknown patient one pseudonym. */
            OPENSSL_cleanse(digits, sizeof digits);
            return refuse(p, rec->line,
                          "placeholder NHS number (all ten digits the same), not a patient's");
        }
        id = digits;
        length = 10;
    }
    if (ps_pseudonym(p->key, p->key_length, id, length, hex) != PS_OK)
        return ps_diagnose(p->context, PS_ERROR_INTERNAL, p->file, rec->line, 0,
                           "HMAC-SHA256 failed");
    OPENSSL_cleanse(digits, sizeof digits);
    OPENSSL_cleanse(cell, rec->lengths[p->field]); /* no copy of it outlives the row */
    for (size_t i = 0; i < rec->n_fields; i++)
        p->out[i] = i == p->field ? hex : rec->fields[i];
    int stop = p->handlers->row(p->out, rec->n_fields, p->handlers->user);
    p->summary->rows_scored++;
    return stop ? PS_ERROR_ABORTED : PS_OK;
}

ps_error_t ps_pseudonymise_file(ps_context_t *context, const char *file, const char *column,
                                ps_identifier_t kind, const unsigned char *key,
                                size_t key_length, const ps_pseudonymise_handlers_t *handlers,
                                ps_batch_summary_t *summary)
{
    memset(summary, 0, sizeof *summary);
    summary->file = file;
    if (key_length < PS_KEY_MIN_BYTES)
        return ps_diagnose(context, PS_ERROR_USAGE, NULL, 0, 0, "the key is shorter than %d bytes",
                           PS_KEY_MIN_BYTES);
    struct pass p = {context, file, column, kind, key, key_length, handlers, summary, 0, 0, NULL};
    ps_error_t err = ps_csv_read(context, file, pass_record, &p);
    if (!err && !p.n_fields)
        err = ps_diagnose(context, PS_ERROR_BATCH, file, 0, 0, "empty file: no header row");
    free(p.out);
    return err;
}
