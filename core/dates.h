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
    PS_DATE_SPACE,        /* white space inside it where the format has none (2025- 4- 1) */
    PS_DATE_COMPACT,      /* numbers without separators, not each at full width (2025123) */
    PS_DATE_OUT_OF_RANGE, /* a real date outside the dates accepted (see ps_date_range_t) */
    PS_DATE_OTHER_ORDER,  /* day and month before the year, read the other way round: its month
                             field is 13 to 31, its day field 1 to 12 (02/13/2025 as %d/%m/%Y) */
} ps_date_problem_t;

/* The longest format read. */
#define PS_DATE_FORMAT_MAX 64

/*
 * Whether a strptime format can read dates: it must name a day, a month and
 * a year of four digits (%y would guess the century), and nothing that
 * depends on the locale or the week, in at most PS_DATE_FORMAT_MAX
 * characters. Returns 0, or -1 with why not in 'why'.
 */
int ps_date_format_check(const char *format, char *why, size_t size);

/*
 * Reads 'text' (trimmed) written in 'format' as days since 1970-01-01. The whole text must be
 * the date, and the date a real one, its year of four digits. White space inside it is
 * refused unless the format has white space there (or %e, a day padded with a space);
 * numbers the format writes side by side (%Y%m%d) must each have all their digits, the
 * year four and the others two, or the date could be read more than one way.
 */
ps_date_problem_t ps_date_read(const char *text, const char *format, int32_t *day);

/* Why 'text' is not a date in 'format', in words (the column and the text are said apart);
 * for PS_DATE_OUT_OF_RANGE, see ps_date_range_text. */
void ps_date_problem_text(ps_date_problem_t problem, const char *text, const char *format,
                          char *out, size_t size);

/* A day number as YYYY-MM-DD and a NUL: 'out' has room for 11 bytes. */
void ps_date_iso(int32_t day, char out[11]);

/* Today's day number, in local time. */
int32_t ps_date_today(void);

/*
 * The dates assessments may have, both included: dates outside are
 * placeholders for "no date" (1900-01-01, 9999-12-31) or typing mistakes, and
 * an assessment cannot be in the future.
 */
typedef struct ps_date_range {
    int32_t from, to;
    int to_is_today;      /* for the reason */
} ps_date_range_t;

/* The first date accepted when none is given. */
#define PS_DATE_RANGE_FROM "2000-01-01"

/*
 * The range from 'from' to 'to', ISO 8601 dates written YYYY-MM-DD; NULL for
 * PS_DATE_RANGE_FROM and 'today'. A range that ends after 'today' or before it
 * starts is refused: returns 0, or -1 with why in 'why'.
 */
int ps_date_range_make(const char *from, const char *to, int32_t today, ps_date_range_t *range,
                       char *why, size_t size);

/* Why 'day' is outside 'range', in words naming the range and --date-range. */
void ps_date_range_text(const ps_date_range_t *range, int32_t day, char *out, size_t size);

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
