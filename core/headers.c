/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Column headers as people type them: normalised, compared, and the closest found. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "headers.h"
#include "internal.h"
#include "limits.h"

/* ---- Normalising. ---- */

enum { NOT_A_CHARACTER = 0xFFFFFFFFu };

/* The code point at p and its length in *n; a byte that starts no UTF-8 character is itself. */
static uint32_t decode(const unsigned char *p, size_t *n)
{
    unsigned c = p[0];
    size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3
                            : (c & 0xF8) == 0xF0 ? 4 : 0;
    *n = 1;
    if (len == 1)
        return c;
    if (len == 0)
        return NOT_A_CHARACTER;
    uint32_t cp = c & (0x7F >> len);
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return NOT_A_CHARACTER;
        cp = cp << 6 | (p[i] & 0x3F);
    }
    *n = len;
    return cp;
}

static int is_space(uint32_t cp)
{
    return cp == ' ' || (cp >= '\t' && cp <= '\r') || cp == 0xA0 || cp == 0x1680 ||
           (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F ||
           cp == 0x205F || cp == 0x3000;
}

/* The plain ASCII form of a code point, or 0 when it has none (compared as written). */
static int plain(uint32_t cp)
{
    if (cp == '`') /* U+0060, typed for an apostrophe on keyboards without one */
        return '\'';
    if (cp < 0x80)
        return cp >= 'A' && cp <= 'Z' ? (int)cp + ('a' - 'A') : (int)cp;
    switch (cp) {
    case 0x2018: case 0x2019: case 0x201A: case 0x201B: case 0x2032: case 0xB4:
        return '\'';
    case 0x201C: case 0x201D: case 0x201E: case 0x201F: case 0x2033:
        return '"';
    case 0x2212:
        return '-';
    default:
        return cp >= 0x2010 && cp <= 0x2015 ? '-' : 0;
    }
}

/* Reads a text's normalised bytes one at a time. */
struct cursor {
    const unsigned char *p;
    const unsigned char *raw;  /* the rest of a character compared as written */
    size_t raw_left;
};

static const unsigned char *skip_spaces(const unsigned char *p)
{
    size_t n;
    while (*p && is_space(decode(p, &n)))
        p += n;
    return p;
}

static struct cursor cursor_at(const char *text)
{
    return (struct cursor){skip_spaces((const unsigned char *)text), NULL, 0};
}

/* The next byte of the normalised text, or 0 at its end. */
static int next(struct cursor *c)
{
    if (c->raw_left) {
        c->raw_left--;
        return *c->raw++;
    }
    if (!*c->p)
        return 0;
    size_t n;
    uint32_t cp = decode(c->p, &n);
    if (is_space(cp)) {
        c->p = skip_spaces(c->p);
        return *c->p ? ' ' : 0; /* spaces at the end are dropped */
    }
    const unsigned char *at = c->p;
    c->p += n;
    int ascii = cp == NOT_A_CHARACTER ? 0 : plain(cp);
    if (ascii)
        return ascii;
    c->raw = at + 1;
    c->raw_left = n - 1;
    return *at;
}

int ps_header_eq(const char *a, const char *b)
{
    struct cursor x = cursor_at(a), y = cursor_at(b);
    for (;;) {
        int cx = next(&x), cy = next(&y);
        if (cx != cy)
            return 0;
        if (!cx)
            return 1;
    }
}

char *ps_header_normalise(const char *text)
{
    struct cursor c = cursor_at(text);
    size_t n = 0;
    while (next(&c))
        n++;
    char *out = malloc(n + 1);
    if (!out)
        return NULL;
    c = cursor_at(text);
    for (size_t i = 0; i < n; i++)
        out[i] = (char)next(&c);
    out[n] = '\0';
    return out;
}

/* ---- Words. ---- */

/* The words of a normalised text: runs of letters and digits, ' inside a word kept ("i've"). */
struct words {
    char *text;           /* normalised */
    size_t *start, *length;
    size_t n;
};

static int word_byte(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80;
}

static int words_of(const char *text, struct words *w)
{
    *w = (struct words){0};
    if (!(w->text = ps_header_normalise(text)))
        return -1;
    size_t len = strlen(w->text), most = len / 2 + 1;
    w->start = malloc(most * sizeof *w->start);
    w->length = malloc(most * sizeof *w->length);
    if (!w->start || !w->length)
        return -1;
    const unsigned char *t = (const unsigned char *)w->text;
    for (size_t i = 0; i < len;) {
        if (!word_byte(t[i])) {
            i++;
            continue;
        }
        size_t j = i;
        while (j < len && (word_byte(t[j]) || (t[j] == '\'' && j + 1 < len && word_byte(t[j + 1]))))
            j++;
        /* A word seen already in this text counts once. */
        int seen = 0;
        for (size_t k = 0; k < w->n && !seen; k++)
            seen = w->length[k] == j - i && memcmp(w->text + w->start[k], t + i, j - i) == 0;
        if (!seen) {
            w->start[w->n] = i;
            w->length[w->n++] = j - i;
        }
        i = j;
    }
    return 0;
}

static void words_free(struct words *w)
{
    free(w->text);
    free(w->start);
    free(w->length);
}

static int holds(const struct words *w, const char *word, size_t length)
{
    for (size_t k = 0; k < w->n; k++)
        if (w->length[k] == length && memcmp(w->text + w->start[k], word, length) == 0)
            return 1;
    return 0;
}

/* A word that negates what follows: not, no, never, cannot, or one ending in n't. */
static int negates(const char *word, size_t length)
{
    static const char *const words[] = {"not", "no", "never", "cannot"};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (length == strlen(words[i]) && memcmp(word, words[i], length) == 0)
            return 1;
    return length > 3 && memcmp(word + length - 3, "n't", 3) == 0;
}

int ps_header_negation(const char *header, const char *label, char *word, size_t size)
{
    struct words h = {0}, l = {0};
    int found = -1;
    if (words_of(header, &h) == 0 && words_of(label ? label : "", &l) == 0) {
        found = 0;
        for (size_t k = 0; k < h.n && !found; k++) {
            const char *w = h.text + h.start[k];
            if (negates(w, h.length[k]) && !holds(&l, w, h.length[k])) {
                snprintf(word, size, "%.*s", (int)h.length[k], w);
                found = 1;
            }
        }
    }
    words_free(&h);
    words_free(&l);
    return found;
}

struct ps_header_set {
    size_t n;
    unsigned char *skip;       /* per header */
    struct words *words;       /* per header */
};

void ps_header_set_free(ps_header_set_t *set)
{
    if (!set)
        return;
    for (size_t h = 0; h < set->n; h++)
        words_free(&set->words[h]);
    free(set->words);
    free(set->skip);
    free(set);
}

ps_header_set_t *ps_header_set_new(const char *const *headers, size_t n,
                                   const unsigned char *skip)
{
    ps_header_set_t *set = calloc(1, sizeof *set);
    if (!set)
        return NULL;
    set->words = calloc(n + 1, sizeof *set->words);
    set->skip = calloc(n + 1, 1);
    if (!set->words || !set->skip) {
        ps_header_set_free(set);
        return NULL;
    }
    set->n = n;
    for (size_t h = 0; h < n; h++) {
        set->skip[h] = skip && skip[h];
        if (!set->skip[h] && words_of(headers[h], &set->words[h]) != 0) {
            ps_header_set_free(set);
            return NULL;
        }
    }
    return set;
}

/*
 * The share of a text's words that header h holds, each word weighed by one
 * over the number of candidates holding it (1 for a word none holds).
 */
static double word_share(const ps_header_set_t *set, const struct words *of, const double *weight,
                         size_t h)
{
    double held = 0, all = 0;
    for (size_t k = 0; k < of->n; k++) {
        all += weight[k];
        if (holds(&set->words[h], of->text + of->start[k], of->length[k]))
            held += weight[k];
    }
    return all > 0 ? held / all : 0;
}

static void weigh(const ps_header_set_t *set, const struct words *of, double *weight)
{
    for (size_t k = 0; k < of->n; k++) {
        size_t holders = 0;
        for (size_t h = 0; h < set->n; h++)
            holders += !set->skip[h] && holds(&set->words[h], of->text + of->start[k],
                                              of->length[k]);
        weight[k] = holders ? 1.0 / (double)holders : 1.0;
    }
}

/* Levenshtein distance, or SIZE_MAX when it is surely above 'most'. */
static size_t edit_distance(const char *a, const char *b, size_t most)
{
    size_t la = strlen(a), lb = strlen(b);
    if ((la > lb ? la - lb : lb - la) > most)
        return SIZE_MAX;
    size_t *row = malloc((lb + 1) * sizeof *row);
    if (!row)
        return SIZE_MAX;
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diagonal = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t above = row[j];
            size_t best = diagonal + (a[i - 1] != b[j - 1]);
            if (above + 1 < best)
                best = above + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diagonal = above;
        }
    }
    size_t d = row[lb];
    free(row);
    return d;
}

/* The start of the number at 'digits' once its leading zeros are dropped ("007" reads "7"). */
static const char *without_zeros(const char *digits)
{
    while (digits[0] == '0' && digits[1] >= '0' && digits[1] <= '9')
        digits++;
    return digits;
}

/*
 * Nonzero when two texts hold the same numbers in the same order, leading
 * zeros aside: item 1 is item 01, not item 11.
 */
static int same_numbers(const char *a, const char *b)
{
    for (;;) {
        a = without_zeros(a + strcspn(a, "0123456789"));
        b = without_zeros(b + strcspn(b, "0123456789"));
        size_t na = strspn(a, "0123456789"), nb = strspn(b, "0123456789");
        if (na != nb || memcmp(a, b, na) != 0)
            return 0;
        if (!na)
            return 1;
        a += na;
        b += nb;
    }
}

/*
 * A normalised text as its spelling is compared, in a new string: without the
 * marks that part its words (space, _, -, .) and numbers without leading
 * zeros, so that "Q 1" is spelt as "Q1" and "wemwbs_01" as "wemwbs1".
 */
static char *spelt(const char *text)
{
    char *out = malloc(strlen(text) + 1);
    if (!out)
        return NULL;
    size_t n = 0;
    for (const char *p = text; *p;) {
        if (*p >= '0' && *p <= '9' && (p == text || p[-1] < '0' || p[-1] > '9'))
            p = without_zeros(p);
        if (!strchr(" _-.", *p))
            out[n++] = *p;
        p++;
    }
    out[n] = '\0';
    return out;
}

/*
 * Spelling likeness of two normalised texts: 1 - distance / longer length, as
 * spelt (see spelt), when at least 0.75 and both hold the same numbers; else 0.
 */
static double spelling(const char *a, const char *b)
{
    if (!same_numbers(a, b))
        return 0;
    char *x = spelt(a), *y = spelt(b);
    double likeness = 0;
    size_t lx = x ? strlen(x) : 0, ly = y ? strlen(y) : 0, longer = lx > ly ? lx : ly;
    if (x && y && longer) {
        size_t d = edit_distance(x, y, longer / 4);
        if (d != SIZE_MAX)
            likeness = 1.0 - (double)d / (double)longer;
    }
    free(x);
    free(y);
    return likeness >= 0.75 ? likeness : 0;
}

int ps_header_fits(const ps_header_set_t *set, const char *const *names, size_t n_names,
                   const char *label, double *fit, unsigned char *exact)
{
    /* The label's words, then each name's. */
    const size_t n_texts = n_names + 1;
    struct words *texts = calloc(n_texts, sizeof *texts);
    double **weights = calloc(n_texts, sizeof *weights);
    int status = -1;
    if (!texts || !weights)
        goto done;
    for (size_t t = 0; t < n_texts; t++) {
        if (words_of(t == 0 ? (label ? label : "") : names[t - 1], &texts[t]) != 0 ||
            !(weights[t] = malloc((texts[t].n + 1) * sizeof **weights)))
            goto done;
        weigh(set, &texts[t], weights[t]);
    }
    for (size_t h = 0; h < set->n; h++) {
        fit[h] = 0;
        exact[h] = 0;
        if (set->skip[h])
            continue;
        for (size_t t = 1; t < n_texts && !exact[h]; t++)
            exact[h] = *texts[t].text && strcmp(set->words[h].text, texts[t].text) == 0;
        if (exact[h]) {
            fit[h] = 1;
            continue;
        }
        for (size_t t = 0; t < n_texts; t++) {
            double share = word_share(set, &texts[t], weights[t], h);
            double like = t ? spelling(set->words[h].text, texts[t].text) : 0;
            if (share > fit[h])
                fit[h] = share;
            if (like > fit[h])
                fit[h] = like;
        }
    }
    status = 0;
done:
    for (size_t t = 0; texts && weights && t < n_texts; t++) {
        words_free(&texts[t]);
        free(weights[t]);
    }
    free(texts);
    free(weights);
    return status;
}

size_t ps_header_closest(const ps_header_set_t *set, const char *const *names, size_t n_names,
                         const char *label)
{
    double *fit = malloc((set->n + 1) * sizeof *fit);
    unsigned char *exact = malloc(set->n + 1);
    size_t best = SIZE_MAX;
    if (fit && exact && ps_header_fits(set, names, n_names, label, fit, exact) == 0)
        for (size_t h = 0; h < set->n; h++)
            if (fit[h] > PS_HEADER_CLOSE && (best == SIZE_MAX || fit[h] > fit[best]))
                best = h;
    free(fit);
    free(exact);
    return best;
}

ps_error_t ps_header_row_read(ps_context_t *context, const char *file,
                              const ps_csv_record_t *rec, char ***names, size_t *not_text)
{
    *names = NULL;
    if (not_text)
        *not_text = 0;
    if (rec->fault)
        return rec->n_fields_found > rec->n_fields
                   ? ps_diagnose(context, PS_ERROR_LIMIT, file, rec->line, rec->fault_column,
                                 "more than %u fields in the header", PS_MAX_COLUMNS)
                   : ps_diagnose(context, PS_ERROR_BATCH, file, rec->line, rec->fault_column,
                                 "header: %s", rec->fault);
    char **out = calloc(rec->n_fields + 1, sizeof *out);
    if (!out)
        return PS_ERROR_NOMEM;
    ps_error_t err = PS_OK;
    for (size_t i = 0; i < rec->n_fields && !err; i++) {
        size_t len = rec->lengths[i];
        const char *name = ps_trim(rec->fields[i], &len);
        if (!ps_utf8_valid(rec->fields[i], rec->lengths[i])) {
            if (!not_text) {
                err = ps_diagnose(context, PS_ERROR_BATCH, file, rec->line, i + 1,
                                  "the name of column %zu is not UTF-8 text: " PS_ENCODING_ADVICE,
                                  i + 1);
                break;
            }
            if (!*not_text)
                *not_text = i + 1;
            len = 0; /* it names nothing the run can use */
        }
        if (!(out[i] = strndup(name, len))) {
            err = PS_ERROR_NOMEM;
            break;
        }
        for (size_t j = 0; j < i && len && !err; j++)
            if (ps_header_eq(out[j], out[i]))
                err = ps_diagnose(context, PS_ERROR_BATCH, file, rec->line, i + 1,
                                  "column name '%s' repeats column %zu '%s': each column "
                                  "needs its own name",
                                  out[i], j + 1, out[j]);
    }
    if (err) {
        for (size_t i = 0; i < rec->n_fields; i++)
            free(out[i]);
        free(out);
        return err;
    }
    *names = out;
    return PS_OK;
}
