/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Pseudonymisation. A plain or salted hash of an NHS number can be reversed by
 * trying every number; an HMAC under a secret key cannot without the key.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "csvread.h"
#include "headers.h"
#include "internal.h"

enum { MAX_KEY_BYTES = 4096 };

/* Owned by whoever runs promscore, or by root: nobody else can rewrite it. */
static int trusted_owner(uid_t uid)
{
    return uid == geteuid() || uid == 0;
}

/*
 * Where a key lives must be out of others' reach, or anyone could put a key
 * they know in its place and reverse every pseudonym by trying every NHS
 * number: the key's directory, with symbolic links resolved, and every
 * directory above it must belong to the user or to root; the key's own
 * directory must not be writable by others unless it is sticky, nor any
 * directory above it unless it is sticky and root's (as /tmp is). 'file' is
 * the key as named; 'key' what was opened (NULL when it is still to be made):
 * it must be the file found at the resolved place.
 */
static ps_error_t check_key_place(ps_context_t *c, const char *file, const struct stat *key)
{
    const char *slash = strrchr(file, '/');
    char *dir = slash ? strndup(file, slash == file ? 1 : (size_t)(slash - file)) : strdup(".");
    char *real = dir ? realpath(dir, NULL) : NULL;
    ps_error_t err = PS_OK;
    if (!dir)
        return PS_ERROR_NOMEM;
    if (!real) {
        err = ps_diagnose(c, PS_ERROR_READ, dir, 0, 0, "cannot resolve the key's directory: %s",
                          strerror(errno));
        goto done;
    }
    if (key) {
        /* The file opened is the one at the resolved place: no link was swapped in between. */
        char *resolved;
        struct stat there;
        if (asprintf(&resolved, "%s/%s", strcmp(real, "/") ? real : "", slash ? slash + 1 : file) < 0) {
            err = PS_ERROR_NOMEM;
            goto done;
        }
        int same = lstat(resolved, &there) == 0 && there.st_dev == key->st_dev &&
                   there.st_ino == key->st_ino;
        free(resolved);
        if (!same) {
            err = ps_diagnose(c, PS_ERROR_USAGE, file, 0, 0,
                              "the key changed while it was being read: try again");
            goto done;
        }
    }
    for (int own = 1;; own = 0) {
        struct stat st;
        if (stat(real, &st) != 0) {
            err = ps_diagnose(c, PS_ERROR_READ, real, 0, 0, "cannot examine the key's directory: %s",
                              strerror(errno));
            break;
        }
        const int others_write = (st.st_mode & S_IWOTH) &&
                                 !((st.st_mode & S_ISVTX) && (own || st.st_uid == 0));
        if (!trusted_owner(st.st_uid) || others_write) {
            err = ps_diagnose(c, PS_ERROR_USAGE, file, 0, 0,
                              "the key's %s %s %s (mode %04o, owner %lu): anyone who can change "
                              "it could put a key they know in the key's place; keep the key in "
                              "a private directory of your own",
                              own ? "directory" : "parent directory", real,
                              others_write ? "is writable by others" : "belongs to another user",
                              (unsigned)(st.st_mode & 07777), (unsigned long)st.st_uid);
            break;
        }
        if (strcmp(real, "/") == 0)
            break;
        /* Up one directory. */
        char *up = strrchr(real, '/');
        if (up == real)
            up[1] = '\0';
        else
            *up = '\0';
    }
done:
    free(real);
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
    else if (!trusted_owner(st.st_uid))
        err = ps_diagnose(c, PS_ERROR_USAGE, file, 0, 0,
                          "the key belongs to another user (uid %lu), who could rewrite it",
                          (unsigned long)st.st_uid);
    else if (st.st_size < PS_KEY_MIN_BYTES || st.st_size > MAX_KEY_BYTES)
        err = ps_diagnose(c, PS_ERROR_USAGE, file, 0, 0,
                          "the key must hold %d to %d bytes, not %lld (make one with --keygen)",
                          PS_KEY_MIN_BYTES, MAX_KEY_BYTES, (long long)st.st_size);
    if (!err)
        err = check_key_place(c, file, &st);
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
    /* A key made where others could replace it would be refused when read: refuse it now. */
    ps_error_t placed = check_key_place(c, file, NULL);
    if (placed)
        return placed;
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
    const ps_pseudonymise_options_t *options;
    const unsigned char *key;
    size_t key_length;
    const ps_pseudonymise_handlers_t *handlers;
    ps_batch_summary_t *summary;
    size_t n_fields, field;
    unsigned char *dropped; /* per field of the header: left out */
    const char **header;    /* the header's names, for reasons */
    const char **out;       /* the row handed on: kept fields, the pseudonym in place */
    ps_progress_t progress;
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

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

/* Header cell and column name compared case-insensitively, after trimming white space. */
static int same_name(const char *cell, size_t cell_length, const char *column)
{
    size_t b = strlen(column);
    while (cell_length && is_space(cell[0]))
        cell++, cell_length--;
    while (cell_length && is_space(cell[cell_length - 1]))
        cell_length--;
    while (b && is_space(column[0]))
        column++, b--;
    while (b && is_space(column[b - 1]))
        b--;
    if (cell_length != b)
        return 0;
    for (size_t i = 0; i < b; i++) {
        char cx = cell[i] >= 'A' && cell[i] <= 'Z' ? (char)(cell[i] - 'A' + 'a') : cell[i];
        char cy = column[i] >= 'A' && column[i] <= 'Z' ? (char)(column[i] - 'A' + 'a') : column[i];
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

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/*
 * The zeros of Unicode's decimal digits (General_Category Nd, Unicode 14.0's
 * UnicodeData.txt): each is followed by the digits 1 to 9, in order. ASCII's
 * 0, Arabic-Indic U+0660, extended Arabic-Indic U+06F0, Devanagari U+0966,
 * fullwidth U+FF10 and the other scripts' read as digits in a number.
 */
static const uint32_t digit_zeros[] = {
    0x30,    0x660,   0x6F0,   0x7C0,   0x966,   0x9E6,   0xA66,   0xAE6,   0xB66,   0xBE6,
    0xC66,   0xCE6,   0xD66,   0xDE6,   0xE50,   0xED0,   0xF20,   0x1040,  0x1090,  0x17E0,
    0x1810,  0x1946,  0x19D0,  0x1A80,  0x1A90,  0x1B50,  0x1BB0,  0x1C40,  0x1C50,  0xA620,
    0xA8D0,  0xA900,  0xA9D0,  0xA9F0,  0xAA50,  0xABF0,  0xFF10,  0x104A0, 0x10D30, 0x11066,
    0x110F0, 0x11136, 0x111D0, 0x112F0, 0x11450, 0x114D0, 0x11650, 0x116C0, 0x11730, 0x118E0,
    0x11950, 0x11C50, 0x11D50, 0x11DA0, 0x16A60, 0x16AC0, 0x16B50, 0x1D7CE, 0x1D7D8, 0x1D7E2,
    0x1D7EC, 0x1D7F6, 0x1E140, 0x1E2F0, 0x1E950, 0x1FBF0};

/*
 * The character at t[i] (of n bytes): its code point, its bytes in *length.
 * A byte that does not start a UTF-8 sequence stands for itself.
 */
static uint32_t char_at(const unsigned char *t, size_t n, size_t i, size_t *length)
{
    const unsigned char c = t[i];
    size_t k = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xC2 && c <= 0xDF ? 2 : 1;
    if (k == 1 || i + k > n) {
        *length = 1;
        return c;
    }
    uint32_t cp = c & (0x7F >> k);
    for (size_t j = 1; j < k; j++) {
        if ((t[i + j] & 0xC0) != 0x80) {
            *length = 1;
            return c;
        }
        cp = cp << 6 | (t[i + j] & 0x3F);
    }
    *length = k;
    return cp;
}

/*
 * Digits of other forms that a person reads as digits (General_Category No,
 * numeric values 0 to 9, Unicode 14.0's UnicodeData.txt; NFKC folds each to an
 * ASCII digit): superscripts and subscripts, circled, parenthesised, with a
 * full stop or a comma, double circled and negative circled. Runs of
 * consecutive code points, 'value' that of the first, in order.
 */
static const struct digit_form {
    uint32_t first, last;
    int value;
} digit_forms[] = {
    {0xB2, 0xB3, 2},       {0xB9, 0xB9, 1},       {0x2070, 0x2070, 0},   {0x2074, 0x2079, 4},
    {0x2080, 0x2089, 0},   {0x2460, 0x2468, 1},   {0x2474, 0x247C, 1},   {0x2488, 0x2490, 1},
    {0x24EA, 0x24EA, 0},   {0x24F5, 0x24FD, 1},   {0x24FF, 0x24FF, 0},   {0x2776, 0x277E, 1},
    {0x2780, 0x2788, 1},   {0x278A, 0x2792, 1},   {0x1F100, 0x1F100, 0}, {0x1F101, 0x1F10A, 0},
    {0x1F10B, 0x1F10B, 0}, {0x1F10C, 0x1F10C, 0},
};

/* A decimal digit's value, or a digit form's (see digit_forms), or -1 for any other character. */
static int digit_value(uint32_t cp)
{
    if (cp < 0x80)
        return is_digit((char)cp) ? (int)(cp - '0') : -1;
    size_t lo = 0, hi = sizeof digit_zeros / sizeof digit_zeros[0];
    while (lo < hi) { /* the last zero at or below cp */
        size_t mid = (lo + hi) / 2;
        if (digit_zeros[mid] <= cp)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo && cp - digit_zeros[lo - 1] < 10)
        return (int)(cp - digit_zeros[lo - 1]);
    for (size_t i = 0; i < sizeof digit_forms / sizeof digit_forms[0] && digit_forms[i].first <= cp;
         i++)
        if (cp <= digit_forms[i].last)
            return digit_forms[i].value + (int)(cp - digit_forms[i].first);
    return -1;
}

/*
 * A character that shows nothing (General_Category Cf): zero-width spaces and
 * joiners, the word joiner, the byte-order mark and the soft hyphen. Between
 * digits it counts as nothing: 943, five zero-width spaces, 476 reads 943476.
 */
static int invisible(uint32_t cp)
{
    return (cp >= 0x200B && cp <= 0x200D) || cp == 0x2060 || cp == 0xFEFF || cp == 0xAD;
}

/* A character that can stand between the digits of a number as people write it. */
static int separator(uint32_t cp)
{
    return digit_value(cp) < 0 && !(cp >= 'a' && cp <= 'z') && !(cp >= 'A' && cp <= 'Z');
}

/*
 * Longest gap between two digits of one number, in characters whatever their
 * bytes: "943 - 476", "943 – 476" (an en dash), a no-break space; invisible
 * characters are not counted (see invisible).
 */
enum { MAX_GAP = 4 };

/* Whether the digits of t[from..to) (separators skipped) are a valid NHS number, not a placeholder. */
static int nhs_number_in(const unsigned char *t, size_t from, size_t to)
{
    char digits[11], checked[11];
    size_t n = 0;
    for (size_t k = from, length; k < to; k += length) {
        const int value = digit_value(char_at(t, to, k, &length));
        if (value >= 0) {
            if (n == 10)
                return 0;
            digits[n++] = (char)('0' + value);
        }
    }
    if (n != 10)
        return 0;
    digits[10] = '\0';
    /* A placeholder is nobody's number (see pass_record). */
    int valid = ps_nhs_number_valid(digits, checked) && !placeholder(checked);
    OPENSSL_cleanse(digits, sizeof digits);
    OPENSSL_cleanse(checked, sizeof checked);
    return valid;
}

/*
 * Whether text holds a valid NHS number as a person would read one: groups of
 * decimal digits (of any script: fullwidth, Arabic-Indic, Devanagari...) or
 * digit forms (superscript, circled: see digit_forms), invisible characters
 * among them ignored, with a few characters that are neither letters nor
 * digits between them (spaces, hyphens, dots, slashes, brackets, no-break
 * spaces, dashes), any consecutive groups of which hold ten digits passing the
 * modulus-11 check and not a placeholder ("943 476 5919, 2 visits",
 * "(943) 476-5919", "⁹⁴³⁴⁷⁶⁵⁹¹⁹"). Wider than what
 * the identifier column accepts, on purpose: such a number in any column but
 * the identifier is an identifier leaving in clear, whatever the column is
 * called. Ten digits inside one longer group are not looked for. Gaps are
 * counted in characters: the same number is caught whatever the encoding its
 * file was converted from.
 */
static int holds_nhs_number(const char *text, size_t length)
{
    const unsigned char *t = (const unsigned char *)text;
    enum { MAX_GROUPS = 10 };
    size_t start[MAX_GROUPS], end[MAX_GROUPS], digits[MAX_GROUPS], n = 0;
    size_t gap = MAX_GAP + 1;    /* characters since the last group ended */
    int in_group = 0, gap_clean = 0;
    for (size_t i = 0, step = 0; i <= length; i += step) {
        const uint32_t cp = i < length ? char_at(t, length, i, &step) : 0;
        if (i == length)
            step = 1;
        else if (invisible(cp))
            continue; /* neither a digit nor a separator: it is not there */
        const int digit = i < length && digit_value(cp) >= 0;
        if (digit && !in_group) {
            /* A new group: it joins the groups before when the gap is short and all separators. */
            if (!(n && gap <= MAX_GAP && gap_clean))
                n = 0;
            if (n == MAX_GROUPS) {
                memmove(start, start + 1, (MAX_GROUPS - 1) * sizeof *start);
                memmove(end, end + 1, (MAX_GROUPS - 1) * sizeof *end);
                memmove(digits, digits + 1, (MAX_GROUPS - 1) * sizeof *digits);
                n--;
            }
            start[n] = i;
            digits[n] = 0;
            in_group = 1;
        }
        if (digit) {
            digits[n]++;
            continue;
        }
        if (in_group) {
            end[n] = i;
            n++;
            in_group = 0;
            gap = 0;
            gap_clean = 1;
            /* Consecutive groups ending with this one that hold ten digits. */
            size_t total = 0;
            for (size_t g = n; g-- > 0 && total < 10;) {
                total += digits[g];
                if (total == 10 && nhs_number_in(t, start[g], end[n - 1]))
                    return 1;
            }
        }
        if (i < length) {
            gap++;
            gap_clean = gap_clean && separator(cp);
        }
    }
    return 0;
}

/* The header: where the identifier is, what is dropped. Nothing is handed on before it is checked. */
static ps_error_t read_header(struct pass *p, const ps_csv_record_t *rec)
{
    const ps_pseudonymise_options_t *o = p->options;
    p->field = SIZE_MAX;
    for (size_t i = 0; i < rec->n_fields; i++) {
        if (!same_name(rec->fields[i], rec->lengths[i], o->column))
            continue;
        /* A second copy of the identifier column would go out in clear. */
        if (p->field != SIZE_MAX)
            return ps_diagnose(p->context, PS_ERROR_BATCH, p->file, rec->line, i + 1,
                               "the identifier column '%s' appears twice in the header "
                               "(columns %zu and %zu): one copy would leave in clear, so "
                               "the batch is refused",
                               o->column, p->field + 1, i + 1);
        p->field = i;
    }
    if (p->field == SIZE_MAX) {
        /* One column holding another delimiter: the file is delimited by it. */
        const int one = rec->n_fields == 1 && (!o->delimiter || o->delimiter == ',');
        return ps_diagnose(p->context, PS_ERROR_BATCH, p->file, rec->line, 0,
                           "no column '%s' in the header%s", o->column,
                           one && strchr(rec->fields[0], ';')
                               ? ", which seems delimited by semicolons: give --delimiter ';'"
                           : one && strchr(rec->fields[0], '\t')
                               ? ", which seems tab-separated: give --delimiter tab"
                               : "");
    }
    p->n_fields = rec->n_fields;
    if (!(p->dropped = calloc(rec->n_fields, 1)) ||
        !(p->out = calloc(rec->n_fields, sizeof *p->out)) ||
        !(p->header = calloc(rec->n_fields, sizeof *p->header)))
        return PS_ERROR_NOMEM;
    for (size_t d = 0; d < o->n_drop; d++) {
        int found = 0;
        for (size_t i = 0; i < rec->n_fields; i++)
            if (same_name(rec->fields[i], rec->lengths[i], o->drop[d]))
                p->dropped[i] = found = 1;
        if (!found)
            return ps_diagnose(p->context, PS_ERROR_BATCH, p->file, rec->line, 0,
                               "no column '%s' to drop in the header", o->drop[d]);
    }
    for (size_t i = 0; i < rec->n_fields; i++)
        if (!p->dropped[i] && holds_nhs_number(rec->fields[i], rec->lengths[i]))
            return ps_diagnose(p->context, PS_ERROR_BATCH, p->file, rec->line, i + 1,
                               "the name of column %zu holds an NHS number: it would leave in "
                               "clear, so the batch is refused (drop or rename the column)",
                               i + 1);
    for (size_t i = 0; i < rec->n_fields; i++)
        if (!p->dropped[i] && !ps_utf8_valid(rec->fields[i], rec->lengths[i]))
            return ps_diagnose(p->context, PS_ERROR_BATCH, p->file, rec->line, i + 1,
                               "the name of column %zu is not UTF-8 text: " PS_ENCODING_ADVICE,
                               i + 1);
    size_t n = 0;
    for (size_t i = 0; i < rec->n_fields; i++) {
        if (!(p->header[i] = strdup(rec->fields[i])))
            return PS_ERROR_NOMEM;
        if (!p->dropped[i])
            p->out[n++] = rec->fields[i];
    }
    return p->handlers->row(p->out, n, p->handlers->user) ? PS_ERROR_ABORTED : PS_OK;
}

static ps_error_t pass_record(const ps_csv_record_t *rec, void *user)
{
    struct pass *p = user;
    if (!p->n_fields)
        return read_header(p, rec);
    p->summary->rows_read++;
    if (p->options->progress) {
        p->progress.rows = p->summary->rows_read;
        p->progress.bytes = rec->offset;
        if (p->options->progress(&p->progress, p->handlers->user))
            return PS_ERROR_ABORTED;
    }
    if (rec->n_fields != p->n_fields)
        return refuse(p, rec->line, "ragged row: not the header's number of fields");
    for (size_t i = 0; i < rec->n_fields; i++)
        if (i != p->field && !p->dropped[i] && holds_nhs_number(rec->fields[i], rec->lengths[i])) {
            char reason[300];
            snprintf(reason, sizeof reason,
                     "column %zu ('%.100s') holds an NHS number in clear: leave the column out "
                     "(drop it) or pseudonymise it",
                     i + 1, p->header[i]);
            return refuse(p, rec->line, reason);
        }
    /* The output is UTF-8: bytes in another encoding would be garbled there. */
    for (size_t i = 0; i < rec->n_fields; i++)
        if (i != p->field && !p->dropped[i] && !ps_utf8_valid(rec->fields[i], rec->lengths[i])) {
            char reason[300];
            snprintf(reason, sizeof reason,
                     "column %zu ('%.100s') is not UTF-8 text: " PS_ENCODING_ADVICE,
                     i + 1, p->header[i]);
            return refuse(p, rec->line, reason);
        }
    char *cell = rec->fields[p->field];
    size_t length = rec->lengths[p->field];
    const char *id = ps_trim(cell, &length);
    if (memchr(cell, '\0', rec->lengths[p->field]))
        return refuse(p, rec->line, "identifier holds a NUL byte");
    if (length == 0)
        return refuse(p, rec->line, "missing identifier");
    /* Hashed in another encoding, it would not pair with the same identifier in UTF-8. */
    if (p->options->kind == PS_IDENTIFIER_TEXT && !ps_utf8_valid(id, length))
        return refuse(p, rec->line,
                      "identifier is not UTF-8 text: " PS_ENCODING_ADVICE);
    char digits[11], hex[65];
    if (p->options->kind == PS_IDENTIFIER_NHS_NUMBER) {
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
    size_t n = 0;
    for (size_t i = 0; i < rec->n_fields; i++)
        if (!p->dropped[i])
            p->out[n++] = i == p->field ? hex : rec->fields[i];
    int stop = p->handlers->row(p->out, n, p->handlers->user);
    p->summary->rows_scored++;
    return stop ? PS_ERROR_ABORTED : PS_OK;
}

/* The size of a regular file ("-": standard input), for progress; else 0. */
static unsigned long long file_size(const char *file)
{
    struct stat st;
    int found = strcmp(file, "-") == 0 ? fstat(STDIN_FILENO, &st) : stat(file, &st);
    return found == 0 && S_ISREG(st.st_mode) ? (unsigned long long)st.st_size : 0;
}

void ps_pseudonymise_options_init(ps_pseudonymise_options_t *options, size_t size)
{
    ps_options_init(options, size);
}

ps_error_t ps_pseudonymise_file(ps_context_t *context, const char *file,
                                const ps_pseudonymise_options_t *given,
                                const unsigned char *key, size_t key_length,
                                const ps_pseudonymise_handlers_t *handlers,
                                ps_batch_summary_t *summary)
{
    memset(summary, 0, sizeof *summary);
    summary->file = file;
    ps_pseudonymise_options_t options;
    ps_error_t copied = ps_options_copy(context, given, offsetof(ps_pseudonymise_options_t, drop),
                                        &options, sizeof options, "pseudonymise");
    if (copied)
        return copied;
    if (!options.column || !*options.column)
        return ps_diagnose(context, PS_ERROR_USAGE, NULL, 0, 0, "no identifier column given");
    for (size_t d = 0; d < options.n_drop; d++)
        if (same_name(options.drop[d], strlen(options.drop[d]), options.column))
            return ps_diagnose(context, PS_ERROR_USAGE, NULL, 0, 0,
                               "dropping '%s' would drop the identifier column: it is replaced "
                               "by its pseudonym, never dropped",
                               options.drop[d]);
    if (key_length < PS_KEY_MIN_BYTES)
        return ps_diagnose(context, PS_ERROR_USAGE, NULL, 0, 0, "the key is shorter than %d bytes",
                           PS_KEY_MIN_BYTES);
    struct pass p = {.context = context, .file = file, .options = &options, .key = key,
                     .key_length = key_length, .handlers = handlers, .summary = summary,
                     .progress = {.file = file, .size = file_size(file)}};
    const ps_csv_options_t csv = {options.delimiter, options.encoding};
    ps_error_t err = ps_csv_read_with(context, file, &csv, pass_record, &p);
    if (!err && !p.n_fields)
        err = ps_diagnose(context, PS_ERROR_BATCH, file, 0, 0, "empty file: no header row");
    if (p.header)
        for (size_t i = 0; i < p.n_fields; i++)
            free((char *)p.header[i]);
    free(p.header);
    free(p.dropped);
    free(p.out);
    return err;
}
