/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A draft --map for a batch with headers of its own, from its header row alone. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "csvread.h"
#include "headers.h"
#include "internal.h"
#include "limits.h"

/* One item and one header that might hold it. */
struct pair {
    size_t item, header;   /* item: numbered across the instruments */
    double fit;
    int exact;
};

/* Exact matches first, then the closest, then in the order of items and of headers. */
static int compare_pairs(const void *a, const void *b)
{
    const struct pair *x = a, *y = b;
    if (x->exact != y->exact)
        return y->exact - x->exact;
    if (x->fit != y->fit)
        return x->fit < y->fit ? 1 : -1;
    if (x->item != y->item)
        return x->item < y->item ? -1 : 1;
    return x->header < y->header ? -1 : x->header > y->header;
}

/* The batch's header row, each name trimmed (see ps_header_row_read). */
static ps_error_t read_headers(ps_context_t *context, const char *file,
                               const ps_score_options_t *o, char ***out, size_t *n)
{
    ps_csv_options_t csv = {o->delimiter ? o->delimiter : ',', o->encoding};
    ps_csv_reader_t *reader;
    ps_csv_record_t *rec;
    ps_error_t err = ps_csv_open(context, file, &csv, &reader);
    if (err)
        return err;
    if ((err = ps_csv_next(reader, &rec))) {
        err = ps_csv_report(context, reader);
    } else if (!rec) {
        err = ps_diagnose(context, PS_ERROR_BATCH, file, 0, 0,
                          "empty file: a batch starts with a header row");
    } else if (rec->n_fields == 1 && csv.delimiter == ',' && strpbrk(rec->fields[0], ";\t")) {
        /* One column holding another delimiter: the file is delimited by it, as score says. */
        const int tab = !strchr(rec->fields[0], ';');
        err = ps_diagnose(context, PS_ERROR_BATCH, file, rec->line, 0,
                          tab ? "the header is one column holding tabs: the file seems to be "
                                "tab-separated: give --delimiter tab"
                              : "the header is one column holding ';': the file seems to be "
                                "delimited by semicolons: give --delimiter ';'");
    } else if (!(err = ps_header_row_read(context, file, rec, out, NULL))) {
        *n = rec->n_fields;
    }
    ps_csv_close(reader);
    return err;
}

/* Every item's fit to every header, in 'pairs' when close enough. */
static ps_error_t weigh_pairs(const ps_header_set_t *set, size_t n_headers,
                              const struct ps_instrument *const *instruments,
                              size_t n_instruments, struct pair *pairs, size_t *n_pairs)
{
    double *fit = malloc((n_headers + 1) * sizeof *fit);
    unsigned char *exact = malloc(n_headers + 1);
    ps_error_t err = PS_ERROR_NOMEM;
    if (!fit || !exact)
        goto done;
    size_t item = 0;
    for (size_t i = 0; i < n_instruments; i++)
        for (size_t k = 0; k < instruments[i]->n_items; k++, item++) {
            const struct ps_item *it = &instruments[i]->items[k];
            const char *names[it->n_aliases + 1];
            names[0] = it->column;
            for (size_t a = 0; a < it->n_aliases; a++)
                names[a + 1] = it->aliases[a];
            if (ps_header_fits(set, names, it->n_aliases + 1, it->label, fit, exact) != 0)
                goto done;
            for (size_t h = 0; h < n_headers; h++)
                if (exact[h] || fit[h] > PS_HEADER_CLOSE)
                    pairs[(*n_pairs)++] = (struct pair){item, h, fit[h], exact[h]};
        }
    err = PS_OK;
done:
    free(fit);
    free(exact);
    return err;
}

ps_error_t ps_map_draft(ps_context_t *context, const char *file,
                        const ps_score_options_t *given,
                        int (*fn)(const ps_map_entry_t *entry, void *user), void *user)
{
    ps_score_options_t o;
    ps_error_t err = ps_options_copy(context, given, offsetof(ps_score_options_t, threads), &o,
                                     sizeof o, "score");
    if (err)
        return err;
    if (!o.n_instruments)
        return ps_diagnose(context, PS_ERROR_USAGE, NULL, 0, 0,
                           "a draft map needs the instruments whose items it maps");
    const struct ps_instrument *instruments[o.n_instruments];
    size_t n_items = 0;
    for (size_t i = 0; i < o.n_instruments; i++) {
        if (!(instruments[i] = ps_context_find_instrument(context, o.instruments[i])))
            return ps_diagnose(context, PS_ERROR_USAGE, NULL, 0, 0, "unknown instrument '%s'",
                               o.instruments[i]);
        for (size_t j = 0; j < i; j++)
            if (instruments[j] == instruments[i])
                return ps_diagnose(context, PS_ERROR_USAGE, NULL, 0, 0,
                                   "instrument '%s' is named twice", o.instruments[i]);
        n_items += instruments[i]->n_items;
    }
    char **headers = NULL;
    size_t n_headers = 0;
    unsigned char *empty = NULL, *taken = NULL;
    size_t *header_of = NULL;    /* per item; SIZE_MAX when none */
    double *fit_of = NULL;
    unsigned char *exact_of = NULL;
    struct pair *pairs = NULL;
    ps_header_set_t *set = NULL;
    if ((err = read_headers(context, file, &o, &headers, &n_headers)))
        goto done;
    err = PS_ERROR_NOMEM;
    empty = calloc(n_headers + 1, 1);
    taken = calloc(n_headers + 1, 1);
    header_of = malloc((n_items + 1) * sizeof *header_of);
    fit_of = calloc(n_items + 1, sizeof *fit_of);
    exact_of = calloc(n_items + 1, 1);
    if (!empty || !taken || !header_of || !fit_of || !exact_of ||
        (n_headers && n_items > SIZE_MAX / sizeof *pairs / n_headers) ||
        !(pairs = malloc((n_items * n_headers + 1) * sizeof *pairs)))
        goto done;
    for (size_t h = 0; h < n_headers; h++)
        empty[h] = !*headers[h];
    if (!(set = ps_header_set_new((const char *const *)headers, n_headers, empty)))
        goto done;
    size_t n_pairs = 0;
    if ((err = weigh_pairs(set, n_headers, instruments, o.n_instruments, pairs, &n_pairs)))
        goto done;
    /* The closest pairs first, each item and each header taken once. */
    qsort(pairs, n_pairs, sizeof *pairs, compare_pairs);
    for (size_t i = 0; i < n_items; i++)
        header_of[i] = SIZE_MAX;
    for (size_t p = 0; p < n_pairs; p++) {
        const struct pair *q = &pairs[p];
        if (header_of[q->item] != SIZE_MAX || taken[q->header])
            continue;
        header_of[q->item] = q->header;
        fit_of[q->item] = q->fit;
        exact_of[q->item] = (unsigned char)q->exact;
        taken[q->header] = 1;
    }
    err = PS_OK;
    size_t item = 0;
    for (size_t i = 0; i < o.n_instruments && !err; i++)
        for (size_t k = 0; k < instruments[i]->n_items && !err; k++, item++) {
            size_t h = header_of[item];
            ps_map_entry_t entry = {
                .instrument = instruments[i],
                .item = &instruments[i]->items[k],
                .header = h == SIZE_MAX ? NULL : headers[h],
                .match = h == SIZE_MAX ? PS_MATCH_NONE
                         : exact_of[item] ? PS_MATCH_EXACT
                                          : PS_MATCH_GUESS,
                .fit = fit_of[item],
            };
            /* A guess whose header negates what its label says may be its opposite. */
            char negation[64];
            int negated =
                entry.match == PS_MATCH_GUESS
                    ? ps_header_negation(headers[h], entry.item->label, negation, sizeof negation)
                    : 0;
            if (negated < 0)
                err = PS_ERROR_NOMEM;
            else if (negated)
                entry.negation = negation;
            if (!err && fn(&entry, user))
                err = PS_ERROR_ABORTED;
        }
    for (size_t h = 0; h < n_headers && !err; h++) {
        ps_map_entry_t entry = {.header = headers[h], .match = PS_MATCH_NONE};
        if (!taken[h] && !empty[h] && fn(&entry, user))
            err = PS_ERROR_ABORTED;
    }
done:
    ps_header_set_free(set);
    for (size_t h = 0; h < n_headers; h++)
        free(headers[h]);
    free(headers);
    free(empty);
    free(taken);
    free(header_of);
    free(fit_of);
    free(exact_of);
    free(pairs);
    return err;
}
