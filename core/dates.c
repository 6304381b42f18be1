/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Dates of assessments (see dates.h): strptime reads a cell, a day-number
 * calculation checks that the day exists, and a small hash table keeps each
 * participant's earliest and latest day per instrument.
 */
#include "config.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dates.h"
#include "internal.h"

/* ---- Days. ---- */

/* Days from 1970-01-01 to a day of the proleptic Gregorian calendar (H. Hinnant's algorithm). */
static long days_from_civil(long year, unsigned month, unsigned mday)
{
    year -= month <= 2;
    const long era = (year >= 0 ? year : year - 399) / 400;
    const unsigned year_of_era = (unsigned)(year - era * 400);
    const unsigned day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + mday - 1;
    const unsigned day_of_era =
        year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return era * 146097 + (long)day_of_era - 719468;
}

static void civil_from_days(long days, long *year, unsigned *month, unsigned *mday)
{
    days += 719468;
    const long era = (days >= 0 ? days : days - 146096) / 146097;
    const unsigned day_of_era = (unsigned)(days - era * 146097);
    const unsigned year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
    const unsigned day_of_year =
        day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    const unsigned shifted_month = (5 * day_of_year + 2) / 153;
    *mday = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    *month = shifted_month < 10 ? shifted_month + 3 : shifted_month - 9;
    *year = (long)year_of_era + era * 400 + (*month <= 2);
}

static unsigned days_in_month(long year, unsigned month)
{
    static const unsigned char days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return days[month - 1] + (month == 2 && leap);
}

void ps_date_iso(int32_t day, char out[11])
{
    long year;
    unsigned month, mday;
    civil_from_days(day, &year, &month, &mday);
    const unsigned y = year < 0 ? 0 : (unsigned)(year % 10000); /* days come from years 1000-9999 */
    snprintf(out, 11, "%04u-%02u-%02u", y, month % 13, mday % 32);
}

/* ---- Formats and cells. ---- */

int ps_date_format_check(const char *format, char *why, size_t size)
{
    int day = 0, month = 0, year = 0;
    for (const char *p = format; *p; p++) {
        if (*p != '%')
            continue;
        p++;
        if (*p == 'E' || *p == 'O')
            p++;
        switch (*p) {
        case 'd': case 'e': day = 1; break;
        case 'm': case 'b': case 'B': case 'h': month = 1; break;
        case 'Y': year = 1; break;
        case 'F': day = month = year = 1; break;
        /* A time of day, a weekday (checked against the date), white space, a %. */
        case 'H': case 'M': case 'S': case 'T': case 'R': case 'I': case 'p':
        case 'a': case 'A': case 'n': case 't': case '%':
            break;
        case 'y':
        case 'D':
            snprintf(why, size, "%%%c reads a year of two digits, whose century would be "
                                "guessed: write %%Y",
                     *p);
            return -1;
        case '\0':
            snprintf(why, size, "it ends with a lone %%");
            return -1;
        default:
            snprintf(why, size, "%%%c is not one of the conversions dates are read with "
                                "(%%d, %%e, %%m, %%b, %%B, %%Y, %%F, a time of day, a weekday)",
                     *p);
            return -1;
        }
    }
    if (!day || !month || !year) {
        snprintf(why, size, "it needs a day (%%d), a month (%%m or %%b) and a year (%%Y)");
        return -1;
    }
    return 0;
}

static int is_iso(const char *format)
{
    return !format || strcmp(format, PS_DATE_ISO) == 0;
}

/* dd/mm/yyyy or mm/dd/yyyy (also with . or -): a date, but which way round? */
static int looks_day_month(const char *text)
{
    size_t a = strspn(text, "0123456789");
    if (a < 1 || a > 2 || !strchr("/.-", text[a]))
        return 0;
    const char separator = text[a];
    const char *rest = text + a + 1;
    size_t b = strspn(rest, "0123456789");
    return b >= 1 && b <= 2 && rest[b] == separator && strspn(rest + b + 1, "0123456789") == 4 &&
           rest[b + 5] == '\0';
}

/* The text read with the format into *tm; 0, or the problem. */
static ps_date_problem_t read_tm(const char *text, const char *format, struct tm *tm)
{
    if (!*text)
        return PS_DATE_MISSING;
    memset(tm, 0, sizeof *tm);
    tm->tm_wday = -1; /* set only when the format reads a weekday */
    const char *end = strptime(text, format ? format : PS_DATE_ISO, tm);
    if (!end || *end)
        return is_iso(format) && looks_day_month(text) ? PS_DATE_DAY_MONTH : PS_DATE_UNREADABLE;
    if (tm->tm_year + 1900L < 1000)
        return PS_DATE_SHORT_YEAR;
    return PS_DATE_OK;
}

static long day_of(const struct tm *tm)
{
    return days_from_civil(tm->tm_year + 1900L, (unsigned)tm->tm_mon + 1, (unsigned)tm->tm_mday);
}

/* 1970-01-01 was a Thursday (tm_wday 4). */
static int weekday_of(long day)
{
    return (int)(((day + 4) % 7 + 7) % 7);
}

ps_date_problem_t ps_date_read(const char *text, const char *format, int32_t *day)
{
    struct tm tm;
    ps_date_problem_t problem = read_tm(text, format, &tm);
    if (problem)
        return problem;
    if ((unsigned)tm.tm_mday > days_in_month(tm.tm_year + 1900L, (unsigned)tm.tm_mon + 1))
        return PS_DATE_IMPOSSIBLE;
    const long n = day_of(&tm);
    if (tm.tm_wday >= 0 && tm.tm_wday != weekday_of(n))
        return PS_DATE_IMPOSSIBLE;
    *day = (int32_t)n;
    return PS_DATE_OK;
}

void ps_date_problem_text(ps_date_problem_t problem, const char *text, const char *format,
                          char *out, size_t size)
{
    static const char *const months[] = {"January", "February", "March",     "April",
                                          "May",     "June",     "July",      "August",
                                          "September", "October", "November", "December"};
    static const char *const weekdays[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                           "Thursday", "Friday", "Saturday"};
    const char *shown = format ? format : PS_DATE_ISO;
    struct tm tm;
    switch (problem) {
    case PS_DATE_OK:
        break;
    case PS_DATE_MISSING:
        snprintf(out, size, "missing date");
        return;
    case PS_DATE_UNREADABLE:
        snprintf(out, size, "not a date written %s%s", shown,
                 is_iso(format) ? " (ISO 8601): give --date-format for another way of writing "
                                  "dates"
                                : "");
        return;
    case PS_DATE_DAY_MONTH:
        snprintf(out, size,
                 "not an ISO 8601 date (%s), and its day and month could be either way round: "
                 "give --date-format '%%d/%%m/%%Y' (day first, as in the UK) or '%%m/%%d/%%Y' "
                 "(month first)",
                 PS_DATE_ISO);
        return;
    case PS_DATE_SHORT_YEAR:
        snprintf(out, size,
                 "the year has fewer than four digits (read as %s): the century would be "
                 "guessed",
                 shown);
        return;
    case PS_DATE_IMPOSSIBLE:
        if (read_tm(text, format, &tm) == PS_DATE_OK && tm.tm_mon >= 0 && tm.tm_mon < 12) {
            const long year = tm.tm_year + 1900L;
            const unsigned month = (unsigned)tm.tm_mon + 1;
            if ((unsigned)tm.tm_mday > days_in_month(year, month)) {
                snprintf(out, size, "not a real date (read as %s): %s %ld has %u days", shown,
                         months[month - 1], year, days_in_month(year, month));
                return;
            }
            if (tm.tm_wday >= 0 && tm.tm_wday < 7) {
                snprintf(out, size, "not a real date (read as %s): %u %s %ld was a %s, not a %s",
                         shown, (unsigned)tm.tm_mday, months[month - 1], year,
                         weekdays[weekday_of(day_of(&tm))], weekdays[tm.tm_wday]);
                return;
            }
        }
        break;
    }
    snprintf(out, size, "not a real date (read as %s)", shown);
}

/* ---- The earliest and latest day per participant and instrument. ---- */

struct dated {
    uint32_t id_offset;   /* into pool: the id's bytes */
    uint32_t id_length;
    uint32_t hash;
    uint32_t instrument;
    int32_t first, last;
};

struct ps_date_book {
    struct dated *records;
    size_t n_records, records_size;
    uint32_t *slots;      /* record number + 1; 0 is empty */
    size_t n_slots;       /* a power of two, at least twice n_records */
    char *pool;
    size_t pool_used, pool_size;
};

ps_date_book_t *ps_date_book_new(void)
{
    ps_date_book_t *book = calloc(1, sizeof *book);
    if (!book)
        return NULL;
    book->n_slots = 1024;
    if (!(book->slots = calloc(book->n_slots, sizeof *book->slots))) {
        free(book);
        return NULL;
    }
    return book;
}

void ps_date_book_free(ps_date_book_t *book)
{
    if (!book)
        return;
    free(book->records);
    free(book->slots);
    free(book->pool);
    free(book);
}

static uint32_t hash_of(const char *id, size_t id_length, unsigned instrument)
{
    return ps_hash(id, id_length, (uint32_t)instrument * 2654435761u);
}

/* The slot of the record, or of the empty slot where it would go. */
static size_t slot_of(const ps_date_book_t *book, const char *id, size_t id_length,
                      unsigned instrument, uint32_t hash)
{
    const size_t mask = book->n_slots - 1;
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
        const uint32_t slot = book->slots[i];
        if (!slot)
            return i;
        const struct dated *d = &book->records[slot - 1];
        if (d->hash == hash && d->instrument == instrument && d->id_length == id_length &&
            memcmp(book->pool + d->id_offset, id, id_length) == 0)
            return i;
    }
}

static int grow_slots(ps_date_book_t *book)
{
    const size_t n = book->n_slots * 2;
    uint32_t *slots = calloc(n, sizeof *slots);
    if (!slots)
        return -1;
    free(book->slots);
    book->slots = slots;
    book->n_slots = n;
    for (size_t r = 0; r < book->n_records; r++) {
        size_t i = book->records[r].hash & (n - 1);
        while (slots[i])
            i = (i + 1) & (n - 1);
        slots[i] = (uint32_t)r + 1;
    }
    return 0;
}

int ps_date_book_note(ps_date_book_t *book, const char *id, size_t id_length,
                      unsigned instrument, int32_t day)
{
    const uint32_t hash = hash_of(id, id_length, instrument);
    size_t i = slot_of(book, id, id_length, instrument, hash);
    if (book->slots[i]) {
        struct dated *d = &book->records[book->slots[i] - 1];
        d->first = day < d->first ? day : d->first;
        d->last = day > d->last ? day : d->last;
        return 0;
    }
    if (book->n_records >= UINT32_MAX - 1 || id_length > UINT32_MAX - book->pool_used ||
        ps_grow((void **)&book->records, &book->records_size, book->n_records + 1,
                sizeof *book->records) != 0 ||
        ps_grow((void **)&book->pool, &book->pool_size, book->pool_used + id_length + 1, 1) != 0)
        return -1;
    memcpy(book->pool + book->pool_used, id, id_length);
    book->records[book->n_records] = (struct dated){(uint32_t)book->pool_used,
                                                    (uint32_t)id_length, hash, instrument, day,
                                                    day};
    book->pool_used += id_length;
    book->slots[i] = (uint32_t)++book->n_records;
    if (2 * book->n_records > book->n_slots && grow_slots(book) != 0) {
        /* The record stays found through its slot in the old table: only growth failed. */
        return -1;
    }
    return 0;
}

int ps_date_book_find(const ps_date_book_t *book, const char *id, size_t id_length,
                      unsigned instrument, int32_t *first, int32_t *last)
{
    const uint32_t slot =
        book->slots[slot_of(book, id, id_length, instrument, hash_of(id, id_length, instrument))];
    if (!slot)
        return 0;
    *first = book->records[slot - 1].first;
    *last = book->records[slot - 1].last;
    return 1;
}
