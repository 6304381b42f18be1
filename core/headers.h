/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Column headers as people type them. Private.
 *
 * A header names a column whatever its case, its quotes, dashes and spacing:
 * an export's "I’ve been feeling  relaxed " is the column "i've been feeling
 * relaxed". When a header is not an item's column, the one most like it is
 * found by its words (against the item's label) or by its spelling (against
 * its column and aliases), for a message or for a draft map.
 */
#ifndef PROMSCORE_HEADERS_H
#define PROMSCORE_HEADERS_H

#include <stddef.h>

#include "csvread.h"
#include "promscore/promscore.h"

/*
 * Nonzero when two headers name one column once normalised: ASCII letters in
 * either case, typographic apostrophes and quotes (U+2018 U+2019 U+201A U+201B
 * U+2032 U+00B4 U+0060; U+201C U+201D U+201E U+201F U+2033) read as ' and ",
 * dashes (U+2010 to U+2015, U+2212) as -, every run of white space (tabs,
 * line breaks, no-break and other Unicode spaces) as one space, and white space
 * at either end ignored. Other characters compare byte for byte.
 */
int ps_header_eq(const char *a, const char *b);

/* The normalised form of 'text' in a new string (free it); NULL when out of memory. */
char *ps_header_normalise(const char *text);

/*
 * Candidate headers, weighed for comparison: a word most headers share
 * ("feeling", "been") tells less of which header is meant than one only a
 * few hold ("relaxed").
 */
typedef struct ps_header_set ps_header_set_t;

/* The headers whose 'skip' entry is 0 ('skip' may be NULL); NULL when out of memory. */
ps_header_set_t *ps_header_set_new(const char *const *headers, size_t n,
                                   const unsigned char *skip);
void ps_header_set_free(ps_header_set_t *set);

/*
 * How well each candidate fits an item known by 'names' (its column, aliases,
 * and any header a map gives it) and 'label': 1 for a header that is one of
 * the names once normalised (*exact set to 1 for it), else the larger of its
 * likeness in spelling to a name (1 less the edit distance over the longer
 * length, spaces, _, - and . aside, counted from 0.75 and only between texts
 * holding the same numbers, leading zeros aside: item 01 is item 1, item 11 is
 * not) and the weighed share of the label's, or a name's, words it holds.
 * fit[h] and exact[h] for each header, 0 for those skipped. Returns 0, or -1
 * when out of memory.
 */
int ps_header_fits(const ps_header_set_t *set, const char *const *names, size_t n_names,
                   const char *label, double *fit, unsigned char *exact);

/*
 * Whether a header holds a word of negation ("not", "no", "never", "cannot",
 * or one ending in "n't") that 'label' lacks, so that it may say the opposite
 * of the label ("Feeling not confident" for "Feeling confident"): 1 with the
 * word, normalised, in 'word' (of 'size' bytes); 0 when not; -1 when out of
 * memory.
 */
int ps_header_negation(const char *header, const char *label, char *word, size_t size);

/* A fit above this is close enough to name as a guess. */
#define PS_HEADER_CLOSE 0.5

/*
 * The candidate that fits the item best when it is close enough (ties: the
 * first), else SIZE_MAX; SIZE_MAX too when out of memory.
 */
size_t ps_header_closest(const ps_header_set_t *set, const char *const *names, size_t n_names,
                         const char *label);

/*
 * The column names of the header row 'rec' of batch 'file', trimmed, in a new
 * array of rec->n_fields strings (*names; free each, then the array; NULL on
 * error). Refuses, with a diagnostic naming the line and column, a header the
 * reader found at fault (PS_ERROR_BATCH; PS_ERROR_LIMIT past the field limit)
 * and two names alike once normalised. A name that is not UTF-8 text (the file
 * is in another encoding than the one given) is refused too, saying to give
 * --encoding, when 'not_text' is NULL; else it is left empty, naming nothing,
 * and *not_text is the first such column (from 1; 0 when none), for the
 * message of a run that then misses a column.
 */
ps_error_t ps_header_row_read(ps_context_t *context, const char *file,
                              const ps_csv_record_t *rec, char ***names, size_t *not_text);

/* What a refused row or answer says of a cell that is not UTF-8 text. */
#define PS_NOT_UTF8 "is not valid UTF-8 text (give the file's encoding with --encoding)"

/* The advice for text that is not UTF-8: how to name the file's encoding. */
#define PS_ENCODING_ADVICE                                                                     \
    "give the file's encoding with --encoding (a spreadsheet saves CSV as windows-1252, for "  \
    "one)"

#endif
