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

static const char *const month_names[] = {"January", "February", "March",     "April",
                                           "May",     "June",     "July",      "August",
                                           "September", "October", "November", "December"};

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

int32_t ps_date_today(void)
{
    time_t now = time(NULL);
    struct tm tm;
    if (!localtime_r(&now, &tm))
        gmtime_r(&now, &tm);
    return (int32_t)days_from_civil(tm.tm_year + 1900L, (unsigned)tm.tm_mon + 1,
                                    (unsigned)tm.tm_mday);
}

/* ---- Formats and cells. ---- */

/* What a date's text may say, each once: a conversion reads one or more of them. */
enum field { DAY, MONTH, YEAR, WEEKDAY, HOUR, MINUTE, SECOND, HALF_DAY, N_FIELDS };

/* The fields conversion 'c' reads, one bit each. */
static unsigned fields_of(char c)
{
    switch (c) {
    case 'd': case 'e': return 1u << DAY;
    case 'm': case 'b': case 'B': case 'h': return 1u << MONTH;
    case 'Y': return 1u << YEAR;
    case 'F': return 1u << DAY | 1u << MONTH | 1u << YEAR;
    case 'a': case 'A': return 1u << WEEKDAY;
    case 'H': case 'I': return 1u << HOUR;
    case 'M': return 1u << MINUTE;
    case 'S': return 1u << SECOND;
    case 'T': return 1u << HOUR | 1u << MINUTE | 1u << SECOND;
    case 'R': return 1u << HOUR | 1u << MINUTE;
    case 'p': return 1u << HALF_DAY;
    default: return 0;
    }
}

int ps_date_format_check(const char *format, char *why, size_t size)
{
    static const char *const names[N_FIELDS] = {"day",  "month",  "year",   "weekday",
                                                "hour", "minute", "second", "morning or afternoon"};
    char read_by[N_FIELDS][4] = {{0}}; /* the conversion that reads each field, as written */
    if (strlen(format) > PS_DATE_FORMAT_MAX) {
        snprintf(why, size, "it is longer than %d characters", PS_DATE_FORMAT_MAX);
        return -1;
    }
    for (const char *p = format; *p; p++) {
        if (*p != '%')
            continue;
        const char *conversion = p++;
        if (*p == 'E' || *p == 'O')
            p++;
        switch (*p) {
        case 'd': case 'e': case 'm': case 'b': case 'B': case 'h': case 'Y': case 'F':
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
        /* Read twice, a field would silently take the second value: 2025-02-03 2024 as 2024. */
        for (int f = 0; f < N_FIELDS; f++) {
            if (!(fields_of(*p) >> f & 1))
                continue;
            const int written = (int)(p - conversion + 1);
            if (read_by[f][0]) {
                snprintf(why, size,
                         "it reads the %s twice (%s and %.*s): the second would replace the "
                         "first",
                         names[f], read_by[f], written, conversion);
                return -1;
            }
            snprintf(read_by[f], sizeof read_by[f], "%.*s", written, conversion);
        }
    }
    if (!read_by[DAY][0] || !read_by[MONTH][0] || !read_by[YEAR][0]) {
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

/* ---- Where each number of a date is written. ---- */

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

/* The digits a conversion reads at full width; 0 for one that reads no number. */
static int full_width(char conversion)
{
    switch (conversion) {
    case 'Y': return 4;
    case 'd': case 'e': case 'm': case 'H': case 'M': case 'S': case 'I': return 2;
    default: return 0;
    }
}

/* 'format' with %F, %T and %R written out, so that each number has a conversion of its own. */
static int expand(const char *format, char *out, size_t size)
{
    size_t n = 0;
    for (const char *p = format; *p; p++) {
        const char *piece = NULL;
        if (p[0] == '%' && p[1] == 'F')
            piece = "%Y-%m-%d";
        else if (p[0] == '%' && p[1] == 'T')
            piece = "%H:%M:%S";
        else if (p[0] == '%' && p[1] == 'R')
            piece = "%H:%M";
        if (piece) {
            size_t k = strlen(piece);
            if (n + k >= size)
                return -1;
            memcpy(out + n, piece, k);
            n += k;
            p++;
            continue;
        }
        if (n + 2 >= size)
            return -1;
        out[n++] = *p;
        if (p[0] == '%' && p[1]) /* a conversion's letter is never a % of its own */
            out[n++] = *++p;
    }
    out[n] = '\0';
    return 0;
}

/* The conversion at 'format' (a '%'): its letter, and where it ends in *end. */
static char conversion_at(const char *format, size_t at, size_t *end)
{
    size_t k = at + 1;
    if (format[k] == 'E' || format[k] == 'O')
        k++;
    *end = format[k] ? k + 1 : k;
    return format[k];
}

/* Where strptime stands in 'text' after the first 'length' bytes of 'format'; NULL if lost. */
static const char *after(const char *text, const char *format, size_t length)
{
    char prefix[4 * PS_DATE_FORMAT_MAX + 1];
    if (!length)
        return text;
    memcpy(prefix, format, length);
    prefix[length] = '\0';
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    return strptime(text, prefix, &tm);
}

/*
 * strptime skips white space before a number, and reads at most a number's
 * width but fewer digits when fewer are there: it would read 2025- 4- 1 as a
 * date, and 2025123 as %Y%m%d as 2025-12-03 where 2025-01-23 is as likely. A
 * date strptime read whole is checked here number by number.
 */
static ps_date_problem_t check_numbers(const char *text, const char *format)
{
    int spaced = 0, compact = 0;
    for (const char *c = text; *c && !spaced; c++)
        spaced = is_space(*c);
    char expanded[4 * PS_DATE_FORMAT_MAX + 1];
    if (strlen(format) > PS_DATE_FORMAT_MAX || expand(format, expanded, sizeof expanded) != 0)
        return PS_DATE_UNREADABLE;
    /* Two numbers side by side: a conversion right after one that reads a number. */
    for (size_t i = 0, end; expanded[i]; i++) {
        if (expanded[i] != '%')
            continue;
        char c = conversion_at(expanded, i, &end);
        size_t next_end;
        if (full_width(c) && expanded[end] == '%' &&
            full_width(conversion_at(expanded, end, &next_end)))
            compact = 1;
        i = end - 1;
    }
    if (!spaced && !compact)
        return PS_DATE_OK;
    size_t previous_end = SIZE_MAX; /* of the last conversion reading a number */
    for (size_t i = 0, end; expanded[i]; i = end) {
        if (expanded[i] != '%') {
            end = i + 1;
            continue;
        }
        const char c = conversion_at(expanded, i, &end);
        const int width = full_width(c);
        if (!width)
            continue;
        const char *at = after(text, expanded, i);
        if (!at)
            return PS_DATE_UNREADABLE;
        if (is_space(*at) && c != 'e')
            return PS_DATE_SPACE;
        size_t next_end;
        const int beside = previous_end == i ||
                           (expanded[end] == '%' &&
                            full_width(conversion_at(expanded, end, &next_end)));
        previous_end = end;
        if (!beside)
            continue;
        const char *stop = after(text, expanded, end);
        if (!stop || stop - at != width)
            return PS_DATE_COMPACT;
        for (const char *d = at; d < stop; d++)
            if (*d < '0' || *d > '9')
                return PS_DATE_COMPACT;
    }
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

/*
 * 'format' with its day (%d, %e) and its month (%m) swapped, when both come
 * before its year (%d/%m/%Y, %m/%d/%Y): 0, and in *day_first whether 'format'
 * has the day first; -1 for another format.
 */
static int swap_day_month(const char *format, char *out, size_t size, int *day_first)
{
    size_t day = SIZE_MAX, month = SIZE_MAX, year = SIZE_MAX; /* where their letters are */
    if (strlen(format) >= size)
        return -1;
    for (size_t i = 0, end; format[i]; i = format[i] == '%' ? end : i + 1) {
        if (format[i] != '%')
            continue;
        const char c = conversion_at(format, i, &end);
        size_t *at = c == 'd' || c == 'e' ? &day : c == 'm' ? &month : c == 'Y' ? &year : NULL;
        if (at && *at == SIZE_MAX)
            *at = end - 1;
    }
    if (day == SIZE_MAX || month == SIZE_MAX || year == SIZE_MAX || day > year || month > year)
        return -1;
    strcpy(out, format);
    out[day] = 'm';
    out[month] = format[day];
    *day_first = day < month;
    return 0;
}

/*
 * Whether a date 'format' could not read, its day and month before its year,
 * reads the other way round: its month field is then 13 to 31 (the swapped
 * format's day, in *month) and its day field 1 to 12.
 */
static int other_order(const char *text, const char *format, int *month, int *day_first)
{
    char swapped[PS_DATE_FORMAT_MAX + 1];
    struct tm tm;
    if (!format || swap_day_month(format, swapped, sizeof swapped, day_first) != 0 ||
        read_tm(text, swapped, &tm) != PS_DATE_OK || tm.tm_mday < 13)
        return 0;
    *month = tm.tm_mday;
    return 1;
}

ps_date_problem_t ps_date_read(const char *text, const char *format, int32_t *day)
{
    struct tm tm;
    ps_date_problem_t problem = read_tm(text, format, &tm);
    int month, day_first;
    if (problem == PS_DATE_UNREADABLE && other_order(text, format, &month, &day_first))
        return PS_DATE_OTHER_ORDER;
    if (!problem)
        problem = check_numbers(text, format ? format : PS_DATE_ISO);
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
    case PS_DATE_SPACE:
        snprintf(out, size, "white space inside the date, where its format (%s) has none",
                 shown);
        return;
    case PS_DATE_COMPACT: {
        /* 3 February 2025, a Monday, at 10:15, as the format writes it. */
        struct tm example = {.tm_year = 125, .tm_mon = 1, .tm_mday = 3, .tm_wday = 1,
                             .tm_yday = 33, .tm_hour = 10, .tm_min = 15};
        char written[4 * PS_DATE_FORMAT_MAX + 64];
        /* The format is the user's, checked by ps_date_format_check: it only reads dates. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
        if (!strftime(written, sizeof written, shown, &example))
            written[0] = '\0';
#pragma GCC diagnostic pop
        snprintf(out, size,
                 "its numbers are written side by side (%s), so each must have all its digits, "
                 "four for the year and two for the others (3 February 2025 is %s): else the "
                 "date could be read more than one way",
                 shown, written);
        return;
    }
    case PS_DATE_OUT_OF_RANGE:
        snprintf(out, size, "not in the range of dates accepted (see --date-range)");
        return;
    case PS_DATE_OTHER_ORDER: {
        char swapped[PS_DATE_FORMAT_MAX + 1], written[2 * PS_DATE_FORMAT_MAX + 1] = "";
        int month, day_first;
        if (!other_order(text, format, &month, &day_first) ||
            swap_day_month(format, swapped, sizeof swapped, &day_first) != 0)
            break;
        /* The swapped format as people write it: MM/DD/YYYY. */
        size_t n = 0;
        for (size_t i = 0, end; swapped[i]; i = end) {
            end = i + 1;
            const char c = swapped[i] == '%' ? conversion_at(swapped, i, &end) : 0;
            const char *shape = c == 'd'   ? "DD"
                                : c == 'e' ? "D"
                                : c == 'm' ? "MM"
                                : c == 'Y' ? "YYYY"
                                           : NULL;
            n += (size_t)snprintf(written + n, sizeof written - n, "%.*s",
                                  shape ? (int)strlen(shape) : (int)(end - i),
                                  shape ? shape : swapped + i);
        }
        snprintf(out, size,
                 "not a date written %s: month %d does not exist, so the dates are probably "
                 "%s-first (%s): give --date-format %s",
                 shown, month, day_first ? "month" : "day", written, swapped);
        return;
    }
    case PS_DATE_IMPOSSIBLE:
        if (read_tm(text, format, &tm) == PS_DATE_OK && tm.tm_mon >= 0 && tm.tm_mon < 12) {
            const long year = tm.tm_year + 1900L;
            const unsigned month = (unsigned)tm.tm_mon + 1;
            if ((unsigned)tm.tm_mday > days_in_month(year, month)) {
                snprintf(out, size, "not a real date (read as %s): %s %ld has %u days", shown,
                         month_names[month - 1], year, days_in_month(year, month));
                return;
            }
            if (tm.tm_wday >= 0 && tm.tm_wday < 7) {
                snprintf(out, size, "not a real date (read as %s): %u %s %ld was a %s, not a %s",
                         shown, (unsigned)tm.tm_mday, month_names[month - 1], year,
                         weekdays[weekday_of(day_of(&tm))], weekdays[tm.tm_wday]);
                return;
            }
        }
        break;
    }
    snprintf(out, size, "not a real date (read as %s)", shown);
}

/* ---- The dates accepted. ---- */

/*
 * An ISO 8601 date, YYYY-MM-DD in full: 0 and its day, or -1 with why not in
 * 'why' (one written so may still be no real day: 2025-02-29).
 */
static int read_iso(const char *text, int32_t *day, char *why, size_t size)
{
    int written = 1;
    for (int i = 0; i < 10 && written; i++)
        written = i == 4 || i == 7 ? text[i] == '-' : text[i] >= '0' && text[i] <= '9';
    if (!written || text[10] != '\0') {
        snprintf(why, size, "'%s' is not a date written YYYY-MM-DD", text);
        return -1;
    }
    const long year = strtol(text, NULL, 10);
    const unsigned month = (unsigned)strtoul(text + 5, NULL, 10),
                   mday = (unsigned)strtoul(text + 8, NULL, 10);
    if (month < 1 || month > 12) {
        snprintf(why, size, "'%s' is not a real date: a month is 01 to 12", text);
        return -1;
    }
    if (mday < 1 || mday > days_in_month(year, month)) {
        snprintf(why, size, "'%s' is not a real date: %s %ld has %u days", text,
                 month_names[month - 1], year, days_in_month(year, month));
        return -1;
    }
    return ps_date_read(text, NULL, day) == PS_DATE_OK ? 0 : -1;
}

int ps_date_range_make(const char *from, const char *to, int32_t today, ps_date_range_t *range,
                       char *why, size_t size)
{
    char shown[11];
    *range = (ps_date_range_t){0, today, 1};
    if (read_iso(from ? from : PS_DATE_RANGE_FROM, &range->from, why, size) != 0 ||
        (to && read_iso(to, &range->to, why, size) != 0))
        return -1;
    ps_date_iso(today, shown);
    if (range->to > today) {
        snprintf(why, size, "it ends after today (%s): an assessment cannot be in the future",
                 shown);
        return -1;
    }
    range->to_is_today = range->to == today;
    if (range->from > range->to) {
        snprintf(why, size, "it ends before it starts");
        return -1;
    }
    return 0;
}

void ps_date_range_text(const ps_date_range_t *range, int32_t day, char *out, size_t size)
{
    char date[11], from[11], to[11];
    ps_date_iso(day, date);
    ps_date_iso(range->from, from);
    ps_date_iso(range->to, to);
    if (day < range->from)
        snprintf(out, size,
                 "%s is before the dates accepted, %s to %s (see --date-range): placeholders "
                 "for no date (such as 1900-01-01) and mistyped years are refused",
                 date, from, to);
    else if (range->to_is_today)
        snprintf(out, size,
                 "%s is after the dates accepted, %s to %s (today; see --date-range): an "
                 "assessment cannot be in the future",
                 date, from, to);
    else
        snprintf(out, size, "%s is after the dates accepted, %s to %s (see --date-range)", date,
                 from, to);
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
