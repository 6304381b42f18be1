/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Dates of assessments: cells read as day numbers, and the earliest and
 * latest day of each participant's assessments of each instrument, from
 * which timepoints are decided. Private.
 */
#ifndef PROMSCORE_DATES_H
#define PROMSCORE_DATES_H

#include <stddef.h>
#include <stdint.h>

/* The format dates are read with when none is given: ISO 8601. */
#define PS_DATE_ISO "%Y-%m-%d"

/* Why a cell is not a date. */
typedef enum ps_date_problem {
    PS_DATE_OK = 0,
    PS_DATE_MISSING,      /* blank */
    PS_DATE_UNREADABLE,   /* not written in the format */
    PS_DATE_DAY_MONTH,    /* ISO expected, found dd/mm/yyyy or mm/dd/yyyy: either way round */
    PS_DATE_IMPOSSIBLE,   /* written in the format, but no such day (31/02/2025) */
    PS_DATE_SHORT_YEAR,   /* a year of fewer than four digits (25 for 2025) */
} ps_date_problem_t;

/*
 * Whether a strptime format can read dates: it must name a day, a month and
 * a year of four digits (%y would guess the century), and nothing that
 * depends on the locale or the week. Returns 0, or -1 with why not in 'why'.
 */
int ps_date_format_check(const char *format, char *why, size_t size);

/* Reads 'text' (trimmed) written in 'format' as days since 1970-01-01. The whole text must be
 * the date, and the date a real one. */
ps_date_problem_t ps_date_read(const char *text, const char *format, int32_t *day);

/* Why 'text' is not a date in 'format', in words (the column and the text are said apart). */
void ps_date_problem_text(ps_date_problem_t problem, const char *text, const char *format,
                          char *out, size_t size);

/* A day number as YYYY-MM-DD and a NUL: 'out' has room for 11 bytes. */
void ps_date_iso(int32_t day, char out[11]);

/*
 * The earliest and latest day each participant was assessed with each
 * instrument: one small record per participant and instrument (about 40
 * bytes and the id), the only memory that timepoints from dates take.
 */
typedef struct ps_date_book ps_date_book_t;

ps_date_book_t *ps_date_book_new(void);
void ps_date_book_free(ps_date_book_t *book);
/* Notes an assessment. Returns 0, or -1 when out of memory or past 4 GiB of ids. */
int ps_date_book_note(ps_date_book_t *book, const char *id, size_t id_length,
                      unsigned instrument, int32_t day);
/* Returns 1 and the earliest and latest day noted, or 0 when none was. */
int ps_date_book_find(const ps_date_book_t *book, const char *id, size_t id_length,
                      unsigned instrument, int32_t *first, int32_t *last);

#endif
