/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Timepoints from dates in the library: dates read, windows checked, baseline and follow-up decided. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "../core/dates.h"
#include "helpers.h"

/* ---- Reading dates. ---- */

/* Days from 1970-01-01, worked out by hand: 2025-02-03 is 55 years (14 leap days) and 33 days on. */
enum { FEB_3_2025 = 55 * 365 + 14 + 33 };

static ps_date_problem_t read_date(const char *text, const char *format, int32_t *day)
{
    *day = -1;
    return ps_date_read(text, format, day);
}

static void assert_reason(const char *text, const char *format, const char *expected)
{
    int32_t day;
    ps_date_problem_t problem = read_date(text, format, &day);
    cr_assert_neq(problem, PS_DATE_OK, "'%s' read as a date", text);
    char reason[400];
    ps_date_problem_text(problem, text, format, reason, sizeof reason);
    cr_assert_str_eq(reason, expected);
}

Test(dates, iso_by_default_and_uk_with_its_format_give_one_day)
{
    int32_t day;
    cr_assert_eq(read_date("2025-02-03", NULL, &day), PS_DATE_OK);
    cr_assert_eq(day, FEB_3_2025);
    cr_assert_eq(read_date("03/02/2025", "%d/%m/%Y", &day), PS_DATE_OK);
    cr_assert_eq(day, FEB_3_2025);
    cr_assert_eq(read_date("3/2/2025", "%d/%m/%Y", &day), PS_DATE_OK);
    cr_assert_eq(day, FEB_3_2025);
    cr_assert_eq(read_date("03 Feb 2025", "%d %b %Y", &day), PS_DATE_OK);
    cr_assert_eq(day, FEB_3_2025);
    cr_assert_eq(read_date("1970-01-01", NULL, &day), PS_DATE_OK);
    cr_assert_eq(day, 0);
    cr_assert_eq(read_date("1969-12-31", NULL, &day), PS_DATE_OK);
    cr_assert_eq(day, -1);
    char iso[11];
    ps_date_iso(FEB_3_2025, iso);
    cr_assert_str_eq(iso, "2025-02-03");
}

Test(dates, every_day_of_two_centuries_reads_back_as_written)
{
    int32_t day, first;
    cr_assert_eq(read_date("1950-01-01", NULL, &first), PS_DATE_OK);
    for (int32_t d = first; d < first + 200 * 366; d++) {
        char iso[11];
        ps_date_iso(d, iso);
        cr_assert_eq(read_date(iso, NULL, &day), PS_DATE_OK, "%s", iso);
        cr_assert_eq(day, d, "%s", iso);
    }
}

Test(dates, leap_days_exist_only_in_leap_years)
{
    int32_t day;
    cr_assert_eq(read_date("2024-02-29", NULL, &day), PS_DATE_OK);
    cr_assert_eq(read_date("2000-02-29", NULL, &day), PS_DATE_OK);
    cr_assert_eq(read_date("2100-02-29", NULL, &day), PS_DATE_IMPOSSIBLE);
    cr_assert_eq(read_date("2025-04-31", NULL, &day), PS_DATE_IMPOSSIBLE);
    cr_assert_eq(day, -1, "a refused date leaves the day alone");
}

Test(dates, an_impossible_date_is_refused_naming_the_format_and_the_month)
{
    assert_reason("31/02/2025", "%d/%m/%Y",
                  "not a real date (read as %d/%m/%Y): February 2025 has 28 days");
    assert_reason("2024-02-30", NULL,
                  "not a real date (read as %Y-%m-%d): February 2024 has 29 days");
    assert_reason("Tue 03/02/2025", "%a %d/%m/%Y",
                  "not a real date (read as %a %d/%m/%Y): 3 February 2025 was a Monday, not a "
                  "Tuesday");
    int32_t day;
    cr_assert_eq(read_date("Mon 03/02/2025", "%a %d/%m/%Y", &day), PS_DATE_OK);
    cr_assert_eq(day, FEB_3_2025);
}

Test(dates, a_day_and_month_either_way_round_is_refused_with_the_iso_default)
{
    assert_reason("03/06/2025", NULL,
                  "not an ISO 8601 date (%Y-%m-%d), and its day and month could be either way "
                  "round: give --date-format '%d/%m/%Y' (day first, as in the UK) or '%m/%d/%Y' "
                  "(month first)");
    assert_reason("3.6.2025", "%Y-%m-%d",
                  "not an ISO 8601 date (%Y-%m-%d), and its day and month could be either way "
                  "round: give --date-format '%d/%m/%Y' (day first, as in the UK) or '%m/%d/%Y' "
                  "(month first)");
}

Test(dates, the_whole_cell_must_be_the_date)
{
    assert_reason("2025-02-03x", NULL,
                  "not a date written %Y-%m-%d (ISO 8601): give --date-format for another way "
                  "of writing dates");
    assert_reason("2025-02-03 10:15", NULL,
                  "not a date written %Y-%m-%d (ISO 8601): give --date-format for another way "
                  "of writing dates");
    assert_reason("2025-02-03", "%d/%m/%Y", "not a date written %d/%m/%Y");
    assert_reason("", "%d/%m/%Y", "missing date");
    int32_t day;
    cr_assert_eq(read_date("03/02/2025 10:15", "%d/%m/%Y %H:%M", &day), PS_DATE_OK);
    cr_assert_eq(day, FEB_3_2025);
}

Test(dates, a_year_of_fewer_than_four_digits_is_refused)
{
    assert_reason("3/2/25", "%d/%m/%Y",
                  "the year has fewer than four digits (read as %d/%m/%Y): the century would "
                  "be guessed");
}

Test(dates, formats_must_read_day_month_and_a_whole_year)
{
    char why[300];
    cr_assert_eq(ps_date_format_check("%d/%m/%Y", why, sizeof why), 0);
    cr_assert_eq(ps_date_format_check("%F", why, sizeof why), 0);
    cr_assert_eq(ps_date_format_check("%e %B %Y, %H:%M", why, sizeof why), 0);
    cr_assert_eq(ps_date_format_check("%d/%m/%y", why, sizeof why), -1);
    cr_assert_str_eq(why, "%y reads a year of two digits, whose century would be guessed: write %Y");
    cr_assert_eq(ps_date_format_check("%m/%Y", why, sizeof why), -1);
    cr_assert_str_eq(why, "it needs a day (%d), a month (%m or %b) and a year (%Y)");
    cr_assert_eq(ps_date_format_check("%d/%m/%Y %", why, sizeof why), -1);
    cr_assert_str_eq(why, "it ends with a lone %");
    cr_assert_eq(ps_date_format_check("%x", why, sizeof why), -1);
    cr_assert(strstr(why, "%x is not one of the conversions") == why, "%s", why);
}

Test(dates, the_book_keeps_each_participants_earliest_and_latest_day_per_instrument)
{
    ps_date_book_t *book = ps_date_book_new();
    cr_assert_not_null(book);
    char id[32];
    /* Enough participants to grow the table several times. */
    for (int round = 0; round < 3; round++)
        for (int p = 0; p < 20000; p++) {
            int n = snprintf(id, sizeof id, "P%05d", p);
            cr_assert_eq(ps_date_book_note(book, id, (size_t)n, 1, 100 + (round * 7 + p) % 19), 0);
            cr_assert_eq(ps_date_book_note(book, id, (size_t)n, 2, 500 - round), 0);
        }
    int32_t first, last;
    for (int p = 0; p < 20000; p += 997) {
        int n = snprintf(id, sizeof id, "P%05d", p);
        cr_assert_eq(ps_date_book_find(book, id, (size_t)n, 1, &first, &last), 1);
        int a = 100 + p % 19, b = 100 + (7 + p) % 19, c = 100 + (14 + p) % 19;
        int lo = a < b ? (a < c ? a : c) : (b < c ? b : c);
        int hi = a > b ? (a > c ? a : c) : (b > c ? b : c);
        cr_assert_eq(first, lo, "%s", id);
        cr_assert_eq(last, hi, "%s", id);
        cr_assert_eq(ps_date_book_find(book, id, (size_t)n, 2, &first, &last), 1);
        cr_assert_eq(first, 498);
        cr_assert_eq(last, 500);
    }
    cr_assert_eq(ps_date_book_find(book, "P00001", 6, 3, &first, &last), 0);
    cr_assert_eq(ps_date_book_find(book, "P0000", 5, 1, &first, &last), 0);
    ps_date_book_free(book);
}

/* A field read twice would silently take its second value: "2025-02-03 2024" as 2024-02-03. */
Test(dates, a_format_reading_a_field_twice_is_refused)
{
    static const struct {
        const char *format, *why;
    } cases[] = {
        {"%Y-%m-%d %Y", "it reads the year twice (%Y and %Y): the second would replace the first"},
        {"%d/%m/%Y %d", "it reads the day twice (%d and %d): the second would replace the first"},
        {"%d/%m/%Y %e", "it reads the day twice (%d and %e): the second would replace the first"},
        {"%d %b %Y %m", "it reads the month twice (%b and %m): the second would replace the "
                        "first"},
        {"%F %d", "it reads the day twice (%F and %d): the second would replace the first"},
        {"%a %d/%m/%Y %A", "it reads the weekday twice (%a and %A): the second would replace "
                           "the first"},
        {"%d/%m/%Y %H:%M %T", "it reads the hour twice (%H and %T): the second would replace "
                              "the first"},
        {"%d/%m/%Y %OH %H", "it reads the hour twice (%OH and %H): the second would replace "
                            "the first"},
    };
    char why[300];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cr_assert_eq(ps_date_format_check(cases[i].format, why, sizeof why), -1, "%s",
                     cases[i].format);
        cr_assert_str_eq(why, cases[i].why);
    }
    cr_assert_eq(ps_date_format_check("%d/%m/%Y %H:%M:%S %%", why, sizeof why), 0, "%s", why);
    cr_assert_eq(ps_date_format_check("%a %e %B %Y, %I:%M %p", why, sizeof why), 0, "%s", why);
}

/*
 * With the day and month before the year, a date whose month field is 13 to
 * 31 and day field 1 to 12 is the other order's: refused saying which format
 * reads it. The format stays the user's: other rows are read as it says.
 */
Test(dates, a_date_in_the_other_order_of_day_and_month_is_refused_naming_that_order)
{
    assert_reason("02/13/2025", "%d/%m/%Y",
                  "not a date written %d/%m/%Y: month 13 does not exist, so the dates are "
                  "probably month-first (MM/DD/YYYY): give --date-format %m/%d/%Y");
    assert_reason("06/20/2025", "%d/%m/%Y",
                  "not a date written %d/%m/%Y: month 20 does not exist, so the dates are "
                  "probably month-first (MM/DD/YYYY): give --date-format %m/%d/%Y");
    assert_reason("31.12.2025 10:15", "%m.%d.%Y %H:%M",
                  "not a date written %m.%d.%Y %H:%M: month 31 does not exist, so the dates are "
                  "probably day-first (DD.MM.YYYY %H:%M): give --date-format %d.%m.%Y %H:%M");
    assert_reason("2/13/2025", "%e/%m/%Y",
                  "not a date written %e/%m/%Y: month 13 does not exist, so the dates are "
                  "probably month-first (MM/D/YYYY): give --date-format %m/%e/%Y");
    /* Neither order reads these: the plain reason. */
    assert_reason("13/13/2025", "%d/%m/%Y", "not a date written %d/%m/%Y");
    assert_reason("02/32/2025", "%d/%m/%Y", "not a date written %d/%m/%Y");
    /* The year first: no such hint (2025-13-02 is no common order). */
    assert_reason("2025/13/02", "%Y/%m/%d", "not a date written %Y/%m/%d");
    int32_t day;
    cr_assert_eq(read_date("02/03/2025", "%d/%m/%Y", &day), PS_DATE_OK);
    cr_assert_eq(day, FEB_3_2025 + 27, "2 March, read day first as the format says");
}

/* A --date-range day written YYYY-MM-DD that does not exist says so. */
Test(dates, a_range_day_that_does_not_exist_says_so)
{
    ps_date_range_t range;
    char why[300];
    const int32_t today = FEB_3_2025 + 365;
    cr_assert_eq(ps_date_range_make("2025-02-29", NULL, today, &range, why, sizeof why), -1);
    cr_assert_str_eq(why, "'2025-02-29' is not a real date: February 2025 has 28 days");
    cr_assert_eq(ps_date_range_make(NULL, "2025-04-31", today, &range, why, sizeof why), -1);
    cr_assert_str_eq(why, "'2025-04-31' is not a real date: April 2025 has 30 days");
    cr_assert_eq(ps_date_range_make("2025-00-10", NULL, today, &range, why, sizeof why), -1);
    cr_assert_str_eq(why, "'2025-00-10' is not a real date: a month is 01 to 12");
    cr_assert_eq(ps_date_range_make("2025-01-00", NULL, today, &range, why, sizeof why), -1);
    cr_assert_str_eq(why, "'2025-01-00' is not a real date: January 2025 has 31 days");
    cr_assert_eq(ps_date_range_make("01/01/2025", NULL, today, &range, why, sizeof why), -1);
    cr_assert_str_eq(why, "'01/01/2025' is not a date written YYYY-MM-DD");
    cr_assert_eq(ps_date_range_make("2024-02-29", NULL, today, &range, why, sizeof why), 0);
    cr_assert_eq(range.from, FEB_3_2025 + 25 - 365, "2025-02-28 is 365 days after 2024-02-29");
}

/* ---- Scoring with dates. ---- */

/* What a run with dates hands on: each score's participant, timepoint and date. */
struct dated_run {
    char scores[64][80];
    char statuses[64][32];   /* of each score kept */
    size_t n_scores;
    char rejects[32][400];
    size_t n_rejects;
    unsigned long rows_read, rows_scored, rows_rejected, cells_rejected;
    char diagnostic[400];
};

static int keep_score(const ps_score_t *s, void *user)
{
    struct dated_run *run = user;
    cr_assert_lt(run->n_scores, 64);
    if (strcmp(ps_scale_id(s->scale), "total") == 0) {
        snprintf(run->statuses[run->n_scores], 32, "%s", s->status);
        snprintf(run->scores[run->n_scores++], 80, "%s %s %s", s->participant_id, s->timepoint,
                 s->date ? s->date : "(no date)");
    }
    return 0;
}

static int keep_reject(const ps_reject_t *r, void *user)
{
    struct dated_run *run = user;
    cr_assert_lt(run->n_rejects, 32);
    snprintf(run->rejects[run->n_rejects++], 400, "%lu %s", r->line, r->reason);
    return 0;
}

static int keep_summary(const ps_batch_summary_t *s, void *user)
{
    struct dated_run *run = user;
    cr_assert_eq(s->rows_read, s->rows_scored + s->rows_rejected);
    run->rows_read += s->rows_read;
    run->rows_scored += s->rows_scored;
    run->rows_rejected += s->rows_rejected;
    run->cells_rejected += s->cells_rejected;
    return 0;
}

static void keep_diagnostic(const ps_diagnostic_t *d, void *user)
{
    snprintf(((struct dated_run *)user)->diagnostic, 400, "%s", d->message);
}

static ps_error_t score_dated(struct dated_run *run, const ps_score_options_t *options,
                              const char *const *files, size_t n_files)
{
    memset(run, 0, sizeof *run);
    ps_context_t *context;
    cr_assert_eq(ps_context_new(&context), PS_OK);
    cr_assert_eq(ps_context_load_instruments(context, NULL), PS_OK);
    ps_context_set_diagnostic_handler(context, keep_diagnostic, run);
    ps_score_handlers_t handlers = {NULL, keep_score, keep_reject, keep_summary, run};
    ps_scorer_t *scorer;
    ps_error_t err = ps_scorer_new(context, options, &handlers, &scorer);
    if (!err) {
        err = ps_scorer_score_files(scorer, files, n_files);
        if (!err) {
            /* One set of batches per scorer: the dates were decided from it. */
            ps_error_t again = ps_scorer_score_file(scorer, files[0]);
            cr_assert_eq(again, PS_ERROR_USAGE);
            cr_assert_str_eq(run->diagnostic, "timepoints from dates are decided from every "
                                              "batch at once: give them all to one call");
        }
        ps_scorer_free(scorer);
    }
    ps_context_free(context);
    return err;
}

#define ITEMS ",1,2,3,4,5,1,2,3,4,5,1,2,3,4\n"
#define HEADER                                                                                  \
    "participant_id,date,wemwbs_1,wemwbs_2,wemwbs_3,wemwbs_4,wemwbs_5,wemwbs_6,wemwbs_7,"     \
    "wemwbs_8,wemwbs_9,wemwbs_10,wemwbs_11,wemwbs_12,wemwbs_13,wemwbs_14\n"

Test(dates, a_baseline_in_one_batch_counts_for_a_follow_up_in_another)
{
    char *later = test_file("later.csv", HEADER "A,2025-06-05" ITEMS "B,2025-05-01" ITEMS, -1);
    char *earlier = test_file("earlier.csv", HEADER "A,2025-02-05" ITEMS, -1);
    const char *files[] = {later, earlier};
    ps_score_options_t options;
    ps_score_options_init(&options, sizeof options);
    options.date_column = "date";
    struct dated_run run;
    cr_assert_eq(score_dated(&run, &options, files, 2), PS_OK);
    cr_assert_eq(run.n_scores, 3);
    /* In the order of the input: the later batch was given first. */
    cr_assert_str_eq(run.scores[0], "A followup 2025-06-05");
    cr_assert_str_eq(run.scores[1], "B baseline 2025-05-01");
    cr_assert_str_eq(run.scores[2], "A baseline 2025-02-05");
    cr_assert_eq(run.n_rejects, 0);
    free(later);
    free(earlier);
}

Test(dates, without_windows_assessments_between_baseline_and_follow_up_are_refused)
{
    char *batch = test_file("batch.csv",
                            HEADER "A,2025-01-06" ITEMS "A,2025-02-20" ITEMS "A,2025-05-16" ITEMS
                                   "A,2025-01-06" ITEMS "A,2025-05-16" ITEMS,
                            -1);
    const char *files[] = {batch};
    ps_score_options_t options;
    ps_score_options_init(&options, sizeof options);
    options.date_column = "date";
    struct dated_run run;
    cr_assert_eq(score_dated(&run, &options, files, 1), PS_OK);
    cr_assert_eq(run.n_scores, 2);
    cr_assert_str_eq(run.scores[0], "A baseline 2025-01-06");
    cr_assert_str_eq(run.scores[1], "A followup 2025-05-16");
    cr_assert_eq(run.n_rejects, 3);
    cr_assert_str_eq(run.rejects[0],
                     "3 between baseline and follow-up: 45 days after baseline (2025-01-06), 85 "
                     "before follow-up (2025-05-16); give --window to score assessments between "
                     "them");
    cr_assert_str_eq(run.rejects[1], "5 duplicate: participant 'A' at timepoint 'baseline' "
                                     "already has wemwbs on line 2");
    cr_assert_str_eq(run.rejects[2], "6 duplicate: participant 'A' at timepoint 'followup' "
                                     "already has wemwbs on line 4");
    cr_assert_eq(run.rows_read, 5);
    free(batch);
}

Test(dates, windows_name_later_timepoints_and_refuse_what_falls_outside_or_twice)
{
    char *first = test_file("first.csv",
                            HEADER "A,2025-01-06" ITEMS "A,2025-02-20" ITEMS "A,2025-04-16" ITEMS,
                            -1);
    char *second = test_file("second.csv",
                             HEADER "A,2025-05-16" ITEMS "A,2025-09-03" ITEMS "A,2025-12-01" ITEMS,
                             -1);
    const char *files[] = {first, second};
    const ps_window_t windows[] = {{"month4", 90, 150}, {"month8", 210, 270}};
    ps_score_options_t options;
    ps_score_options_init(&options, sizeof options);
    options.date_column = "date";
    options.windows = windows;
    options.n_windows = 2;
    struct dated_run run;
    cr_assert_eq(score_dated(&run, &options, files, 2), PS_OK);
    cr_assert_eq(run.n_scores, 3);
    cr_assert_str_eq(run.scores[0], "A baseline 2025-01-06");
    cr_assert_str_eq(run.scores[1], "A month4 2025-04-16");
    cr_assert_str_eq(run.scores[2], "A month8 2025-09-03");
    cr_assert_eq(run.n_rejects, 3);
    cr_assert_str_eq(run.rejects[0], "3 outside every window: 45 days after baseline "
                                     "(2025-01-06) (windows: month4 90-150, month8 210-270)");
    char expected[400];
    snprintf(expected, sizeof expected,
             "2 second assessment in window month4: line 4 of %s already has it", first);
    cr_assert_str_eq(run.rejects[1], expected);
    cr_assert_str_eq(run.rejects[2], "4 outside every window: 329 days after baseline "
                                     "(2025-01-06) (windows: month4 90-150, month8 210-270)");
    cr_assert_eq(run.rows_read, 6);
    cr_assert_eq(run.rows_scored, 3);
    cr_assert_eq(run.rows_rejected, 3);
    free(first);
    free(second);
}

Test(dates, a_refused_date_is_no_ones_baseline)
{
    char *batch = test_file("batch.csv",
                            HEADER "A,31/02/2025" ITEMS "A,01/03/2025" ITEMS "A,,1" ITEMS
                                   "A,01/06/2025" ITEMS,
                            -1);
    const char *files[] = {batch};
    ps_score_options_t options;
    ps_score_options_init(&options, sizeof options);
    options.date_column = "date";
    options.date_format = "%d/%m/%Y";
    struct dated_run run;
    cr_assert_eq(score_dated(&run, &options, files, 1), PS_OK);
    cr_assert_eq(run.n_scores, 2);
    cr_assert_str_eq(run.scores[0], "A baseline 2025-03-01");
    cr_assert_str_eq(run.scores[1], "A followup 2025-06-01");
    cr_assert_eq(run.n_rejects, 2);
    cr_assert_str_eq(run.rejects[0],
                     "2 not a real date (read as %d/%m/%Y): February 2025 has 28 days");
    cr_assert_str_eq(run.rejects[1], "4 ragged row: 17 fields, the header has 16");
    free(batch);
}

static void assert_refused(const ps_score_options_t *options, const char *message)
{
    struct dated_run run = {0};
    ps_context_t *context;
    cr_assert_eq(ps_context_new(&context), PS_OK);
    cr_assert_eq(ps_context_load_instruments(context, NULL), PS_OK);
    ps_context_set_diagnostic_handler(context, keep_diagnostic, &run);
    ps_scorer_t *scorer = NULL;
    cr_assert_eq(ps_scorer_new(context, options, NULL, &scorer), PS_ERROR_USAGE);
    cr_assert_null(scorer);
    cr_assert_str_eq(run.diagnostic, message);
    ps_context_free(context);
}

Test(dates, windows_that_cannot_name_one_timepoint_are_refused)
{
    ps_score_options_t options;
    ps_score_options_init(&options, sizeof options);
    options.date_column = "date";
    const ps_window_t overlap[] = {{"month4", 90, 150}, {"month5", 150, 180}};
    options.windows = overlap;
    options.n_windows = 2;
    assert_refused(&options, "windows 'month4' (90-150) and 'month5' (150-180) overlap: each day "
                             "after baseline must name one timepoint");
    const ps_window_t twice[] = {{"month4", 90, 150}, {"Month4", 200, 250}};
    options.windows = twice;
    assert_refused(&options, "window 'Month4' is given twice");
    const ps_window_t baseline[] = {{"Baseline", 1, 10}};
    options.windows = baseline;
    options.n_windows = 1;
    assert_refused(&options, "window 'Baseline': the baseline is each participant's earliest "
                             "assessment, not a window");
    const ps_window_t end[] = {{"END", 1, 10}};
    options.windows = end;
    assert_refused(&options, "window 'END': reports name comparisons 'baseline->LABEL' and "
                             "'baseline->end', so a timepoint may not be 'end' or hold '->'");
    const ps_window_t arrow[] = {{"a->b", 1, 10}};
    options.windows = arrow;
    assert_refused(&options, "window 'a->b': a window's name starts with a letter or digit and "
                             "holds only letters, digits, '_' and '-'");
    const ps_window_t day0[] = {{"week1", 0, 7}};
    options.windows = day0;
    assert_refused(&options, "window 'week1' starts at day 0, the baseline's own date: windows "
                             "start at day 1 or later");
    const ps_window_t backwards[] = {{"month4", 150, 90}};
    options.windows = backwards;
    assert_refused(&options, "window 'month4' ends (day 90) before it starts (day 150)");
    options.date_format = "%d/%m/%y";
    options.n_windows = 0;
    assert_refused(&options, "date format '%d/%m/%y' cannot read dates: %y reads a year of two "
                             "digits, whose century would be guessed: write %Y");
    options.date_format = NULL;
    options.timepoint = "baseline";
    assert_refused(&options, "a date column and one timepoint for every row exclude each other: "
                             "with dates, the dates decide the timepoints");
    ps_score_options_init(&options, sizeof options);
    options.windows = overlap;
    options.n_windows = 1;
    assert_refused(&options, "a window needs a date column");
}

Test(dates, without_dates_scores_have_no_date)
{
    char *batch = test_file("batch.csv",
                            "participant_id,timepoint,wemwbs_1,wemwbs_2,wemwbs_3,wemwbs_4,"
                            "wemwbs_5,wemwbs_6,wemwbs_7,wemwbs_8,wemwbs_9,wemwbs_10,wemwbs_11,"
                            "wemwbs_12,wemwbs_13,wemwbs_14\nA,baseline" ITEMS,
                            -1);
    ps_score_options_t options;
    ps_score_options_init(&options, sizeof options);
    struct dated_run run;
    memset(&run, 0, sizeof run);
    ps_context_t *context;
    cr_assert_eq(ps_context_new(&context), PS_OK);
    cr_assert_eq(ps_context_load_instruments(context, NULL), PS_OK);
    ps_score_handlers_t handlers = {NULL, keep_score, keep_reject, keep_summary, &run};
    ps_scorer_t *scorer;
    cr_assert_eq(ps_scorer_new(context, &options, &handlers, &scorer), PS_OK);
    const char *files[] = {batch, batch};
    cr_assert_eq(ps_scorer_score_files(scorer, files, 1), PS_OK);
    cr_assert_str_eq(run.scores[0], "A baseline (no date)");
    ps_scorer_free(scorer);
    ps_context_free(context);
    free(batch);
}

/* ---- Long exports. ---- */

Test(dates, a_long_exports_rows_of_one_participant_and_date_are_one_assessment)
{
    /* ONS4 in long form: B's answers come in two orders, A's happiness twice. */
    char *batch = test_file("long.csv",
                            "id,when,question,answer\n"
                            "A,2025-01-06,ons4_satisfaction,6\n"
                            "B,2025-01-07,ons4_anxiety,3\n"
                            "A,2025-01-06,ons4_worthwhile,4\n"
                            "A,2025-01-06,ons4_happiness,5\n"
                            "A,2025-01-06,ons4_anxiety,6\n"
                            "B,2025-01-07,ons4_happiness,7\n"
                            "A,2025-01-06,ons4_happiness,9\n"
                            "B,2025-01-07,ons4_satisfaction,8\n"
                            "B,2025-01-07,ons4_worthwhile,x\n"
                            "A,2025-03-06,ons4_satisfaction,7\n"
                            "A,2025-03-06,wemwbs_1,3\n",
                            -1);
    const char *files[] = {batch};
    ps_score_options_t options;
    ps_score_options_init(&options, sizeof options);
    options.id_column = "id";
    options.date_column = "when";
    options.item_column = "question";
    options.value_column = "answer";
    const char *ons4 = "ons4";
    options.instruments = &ons4;
    options.n_instruments = 1;
    struct dated_run run;
    memset(&run, 0, sizeof run);
    ps_context_t *context;
    cr_assert_eq(ps_context_new(&context), PS_OK);
    cr_assert_eq(ps_context_load_instruments(context, NULL), PS_OK);
    ps_score_handlers_t handlers = {NULL, keep_score, keep_reject, keep_summary, &run};
    ps_scorer_t *scorer;
    cr_assert_eq(ps_scorer_new(context, &options, &handlers, &scorer), PS_OK);
    cr_assert_eq(ps_scorer_score_files(scorer, files, 1), PS_OK);
    ps_scorer_free(scorer);
    ps_context_free(context);
    /* B's worthwhile is refused, in B's assessment scored: a row scored, an answer refused. */
    cr_assert_eq(run.rows_read, 11);
    cr_assert_eq(run.rows_scored, 9);
    cr_assert_eq(run.rows_rejected, 2);
    cr_assert_eq(run.cells_rejected, 1);
    cr_assert_eq(run.n_rejects, 3);
    cr_assert_str_eq(run.rejects[0], "12 unknown item: not an item column, alias or --map header "
                                     "of ons4");
    cr_assert_str_eq(run.rejects[1], "8 item ons4.happiness answered twice in one assessment "
                                     "(one participant on one date): line 5 already has it");
    cr_assert_str_eq(run.rejects[2], "10 unknown response label (codes are 0-10)");
    free(batch);
}

/* ---- Dates that could be read more than one way, or are no assessment's. ---- */

Test(dates, numbers_side_by_side_must_each_have_all_their_digits)
{
    int32_t day;
    cr_assert_eq(read_date("20250203", "%Y%m%d", &day), PS_DATE_OK);
    cr_assert_eq(day, FEB_3_2025);
    cr_assert_eq(read_date("03022025", "%d%m%Y", &day), PS_DATE_OK);
    cr_assert_eq(day, FEB_3_2025);
    cr_assert_eq(read_date("03022025 1015", "%d%m%Y %H%M", &day), PS_DATE_OK);
    cr_assert_eq(day, FEB_3_2025);
    /* 2025-12-03 or 2025-01-23; 1 December or 11 February; and years 1122 and 5123. */
    static const char *const compact[][2] = {
        {"2025123", "%Y%m%d"}, {"1122025", "%Y%m%d"}, {"1122025", "%d%m%Y"},
        {"2025123", "%d%m%Y"}, {"202523", "%Y%m%d"},  {"03022025 915", "%d%m%Y %H%M"},
    };
    for (size_t i = 0; i < sizeof compact / sizeof compact[0]; i++)
        cr_assert_eq(read_date(compact[i][0], compact[i][1], &day), PS_DATE_COMPACT, "%s as %s",
                     compact[i][0], compact[i][1]);
    cr_assert_eq(day, -1);
    assert_reason("2025123", "%Y%m%d",
                  "its numbers are written side by side (%Y%m%d), so each must have all its "
                  "digits, four for the year and two for the others (3 February 2025 is "
                  "20250203): else the date could be read more than one way");
    assert_reason("1122025", "%d%m%Y",
                  "its numbers are written side by side (%d%m%Y), so each must have all its "
                  "digits, four for the year and two for the others (3 February 2025 is "
                  "03022025): else the date could be read more than one way");
    /* With separators, a number may go without its zero; a year never has fewer digits. */
    cr_assert_eq(read_date("3/2/2025", "%d/%m/%Y", &day), PS_DATE_OK);
    cr_assert_eq(read_date("03/02/0999", "%d/%m/%Y", &day), PS_DATE_SHORT_YEAR);
}

Test(dates, white_space_inside_a_date_is_refused_unless_the_format_has_it)
{
    int32_t day;
    cr_assert_eq(read_date("2025- 4- 1", NULL, &day), PS_DATE_SPACE);
    cr_assert_eq(read_date("2025-04- 1", NULL, &day), PS_DATE_SPACE);
    cr_assert_eq(read_date("03/02/ 2025", "%d/%m/%Y", &day), PS_DATE_SPACE);
    cr_assert_eq(read_date("03/\t02/2025", "%d/%m/%Y", &day), PS_DATE_SPACE);
    cr_assert_eq(read_date("2025 02 03", "%Y%m%d", &day), PS_DATE_SPACE);
    assert_reason("2025- 4- 1", NULL,
                  "white space inside the date, where its format (%Y-%m-%d) has none");
    /* Where the format has white space, or a day padded with a space (%e), it may be there. */
    cr_assert_eq(read_date("03  Feb 2025", "%d %b %Y", &day), PS_DATE_OK);
    cr_assert_eq(day, FEB_3_2025);
    cr_assert_eq(read_date("03/02/2025  10:15", "%d/%m/%Y %H:%M", &day), PS_DATE_OK);
    cr_assert_eq(read_date("Feb  3 2025", "%b %e %Y", &day), PS_DATE_OK);
    cr_assert_eq(day, FEB_3_2025);
    cr_assert_eq(read_date("2025-02-03", "%F", &day), PS_DATE_OK);
    cr_assert_eq(read_date("2025-02- 3", "%F", &day), PS_DATE_SPACE);
}

Test(dates, the_range_of_dates_accepted)
{
    int32_t today, day;
    cr_assert_eq(read_date("2026-11-22", NULL, &today), PS_DATE_OK);
    ps_date_range_t range;
    char why[300], text[300];
    cr_assert_eq(ps_date_range_make(NULL, NULL, today, &range, why, sizeof why), 0);
    cr_assert_eq(read_date("2000-01-01", NULL, &day), PS_DATE_OK);
    cr_assert_eq(range.from, day);
    cr_assert_eq(range.to, today);
    cr_assert_eq(read_date("9999-12-31", NULL, &day), PS_DATE_OK);
    ps_date_range_text(&range, day, text, sizeof text);
    cr_assert_str_eq(text, "9999-12-31 is after the dates accepted, 2000-01-01 to 2026-11-22 "
                           "(today; see --date-range): an assessment cannot be in the future");
    cr_assert_eq(read_date("1900-01-01", NULL, &day), PS_DATE_OK);
    ps_date_range_text(&range, day, text, sizeof text);
    cr_assert_str_eq(text, "1900-01-01 is before the dates accepted, 2000-01-01 to 2026-11-22 "
                           "(see --date-range): placeholders for no date (such as 1900-01-01) "
                           "and mistyped years are refused");
    cr_assert_eq(ps_date_range_make("1990-01-01", "2025-12-31", today, &range, why, sizeof why),
                 0);
    cr_assert_eq(read_date("2026-01-01", NULL, &day), PS_DATE_OK);
    ps_date_range_text(&range, day, text, sizeof text);
    cr_assert_str_eq(text, "2026-01-01 is after the dates accepted, 1990-01-01 to 2025-12-31 "
                           "(see --date-range)");
    cr_assert_eq(ps_date_range_make(NULL, "2026-11-23", today, &range, why, sizeof why), -1);
    cr_assert_str_eq(why, "it ends after today (2026-11-22): an assessment cannot be in the "
                          "future");
    cr_assert_eq(ps_date_range_make("2025-12-31", "2025-01-01", today, &range, why, sizeof why),
                 -1);
    cr_assert_str_eq(why, "it ends before it starts");
    cr_assert_eq(ps_date_range_make("2025-1-1", NULL, today, &range, why, sizeof why), -1);
    cr_assert_str_eq(why, "'2025-1-1' is not a date written YYYY-MM-DD");
    cr_assert_eq(ps_date_range_make(NULL, "2025-02-30", today, &range, why, sizeof why), -1);
    cr_assert_str_eq(why, "'2025-02-30' is not a real date: February 2025 has 28 days");
}

/* Placeholders and mistyped years are refused, and so never displace a real baseline or follow-up. */
Test(dates, a_date_outside_the_range_is_refused_and_displaces_nothing)
{
    char *batch = test_file("batch.csv",
                            HEADER "S1,2025-02-03" ITEMS "S1,2025-06-03" ITEMS "S1,9999-12-31" ITEMS
                                   "S2,1900-01-01" ITEMS "S2,2025-02-03" ITEMS "S2,2025-06-03" ITEMS
                                   "S3,2026-03-01" ITEMS,
                            -1);
    const char *files[] = {batch};
    ps_score_options_t options;
    ps_score_options_init(&options, sizeof options);
    options.date_column = "date";
    options.date_to = "2025-12-31";
    struct dated_run run;
    cr_assert_eq(score_dated(&run, &options, files, 1), PS_OK);
    cr_assert_eq(run.n_scores, 4);
    cr_assert_str_eq(run.scores[0], "S1 baseline 2025-02-03");
    cr_assert_str_eq(run.scores[1], "S1 followup 2025-06-03");
    cr_assert_str_eq(run.scores[2], "S2 baseline 2025-02-03");
    cr_assert_str_eq(run.scores[3], "S2 followup 2025-06-03");
    cr_assert_eq(run.n_rejects, 3);
    cr_assert_str_eq(run.rejects[0], "4 9999-12-31 is after the dates accepted, 2000-01-01 to "
                                     "2025-12-31 (see --date-range)");
    cr_assert_str_eq(run.rejects[1], "5 1900-01-01 is before the dates accepted, 2000-01-01 to "
                                     "2025-12-31 (see --date-range): placeholders for no date "
                                     "(such as 1900-01-01) and mistyped years are refused");
    cr_assert_str_eq(run.rejects[2], "8 2026-03-01 is after the dates accepted, 2000-01-01 to "
                                     "2025-12-31 (see --date-range)");
    /* By default the range ends today, whatever today is: 9999-12-31 is in the future. */
    options.date_to = NULL;
    cr_assert_eq(score_dated(&run, &options, files, 1), PS_OK);
    cr_assert(strstr(run.rejects[0], "4 9999-12-31 is after the dates accepted, 2000-01-01 to "),
              "%s", run.rejects[0]);
    cr_assert(strstr(run.rejects[0], " (today; see --date-range): an assessment cannot be in "
                                     "the future"),
              "%s", run.rejects[0]);
    options.date_to = "9999-12-31";
    struct dated_run refused = {0};
    char *message;
    ps_context_t *context;
    cr_assert_eq(ps_context_new(&context), PS_OK);
    cr_assert_eq(ps_context_load_instruments(context, NULL), PS_OK);
    ps_context_set_diagnostic_handler(context, keep_diagnostic, &refused);
    ps_scorer_t *scorer = NULL;
    cr_assert_eq(ps_scorer_new(context, &options, NULL, &scorer), PS_ERROR_USAGE);
    cr_assert_geq(asprintf(&message, "the range of dates accepted, 2000-01-01 to 9999-12-31, "
                                     "cannot be used: it ends after today ("),
                  0);
    cr_assert(strstr(refused.diagnostic, message) == refused.diagnostic, "%s",
              refused.diagnostic);
    free(message);
    ps_context_free(context);
    free(batch);
}

Test(dates, window_names_start_with_a_letter_or_digit_then_hold_underscores_and_dashes_too)
{
    ps_score_options_t options;
    ps_score_options_init(&options, sizeof options);
    options.date_column = "date";
    const ps_window_t two_in_one[] = {{"month4=90-150 month8", 210, 270}};
    options.windows = two_in_one;
    options.n_windows = 1;
    assert_refused(&options, "window 'month4=90-150 month8': a window's name starts with a "
                             "letter or digit and holds only letters, digits, '_' and '-'");
    const ps_window_t dash_first[] = {{" -m4", 90, 150}};
    options.windows = dash_first;
    assert_refused(&options, "window '-m4': a window's name starts with a letter or digit and "
                             "holds only letters, digits, '_' and '-'");
    const ps_window_t spaced_baseline[] = {{"baseline ", 1, 300}};
    options.windows = spaced_baseline;
    assert_refused(&options, "window 'baseline': the baseline is each participant's earliest "
                             "assessment, not a window");
    const ps_window_t spaced_twice[] = {{"Followup", 1, 100}, {"followup ", 200, 300}};
    options.windows = spaced_twice;
    options.n_windows = 2;
    assert_refused(&options, "window 'followup' is given twice");
    const ps_window_t too_long[] = {{"a", 1, PS_MAX_WINDOW_DAY + 1}};
    options.windows = too_long;
    options.n_windows = 1;
    assert_refused(&options, "window 'a' ends at day 1000000, past the last day a window may "
                             "reach, 999999 days after baseline");

    /* Trimmed, a name is used as written otherwise. */
    char *batch = test_file("batch.csv", HEADER "A,2025-01-06" ITEMS "A,2025-05-06" ITEMS, -1);
    const char *files[] = {batch};
    const ps_window_t spaced[] = {{" month-4_a\t", 90, 150}};
    options.windows = spaced;
    struct dated_run run;
    cr_assert_eq(score_dated(&run, &options, files, 1), PS_OK);
    cr_assert_eq(run.n_scores, 2);
    cr_assert_str_eq(run.scores[1], "A month-4_a 2025-05-06");
    free(batch);
}

Test(dates, a_kept_column_may_not_take_an_output_columns_name_nor_the_run_one_column_twice)
{
    ps_score_options_t options;
    ps_score_options_init(&options, sizeof options);
    options.date_column = "date";
    const char *keep_date[] = {"Date"};
    options.keep = keep_date;
    options.n_keep = 1;
    assert_refused(&options, "kept column 'Date' would have the name of the scored CSV's own "
                             "column 'date': a scored CSV names each column once");
    const char *keep_status[] = {"site", " STATUS "};
    options.keep = keep_status;
    options.n_keep = 2;
    assert_refused(&options, "kept column ' STATUS ' would have the name of the scored CSV's own "
                             "column 'status': a scored CSV names each column once");
    const char *keep_twice[] = {"site", "Site"};
    options.keep = keep_twice;
    assert_refused(&options, "column 'Site' is kept twice ('site' and 'Site'): a scored CSV "
                             "names each column once");
    options.n_keep = 0;
    options.id_column = "pid";
    options.date_column = "PID";
    assert_refused(&options, "the id column 'pid' and the date column 'PID' are one column: each "
                             "is a column of its own");
    options.date_column = "date";
    options.item_column = "item";
    options.value_column = "Item";
    assert_refused(&options, "the item column 'item' and the value column 'Item' are one column: "
                             "each is a column of its own");
}

/* An export saved in parts: one participant's answers on one date, in two batches, are one. */
Test(dates, a_long_assessment_split_between_batches_is_one_assessment)
{
    char *a = test_file("a.csv",
                        "pid,date,item,value\n"
                        "C,2025-02-03,wemwbs_1,2\nC,2025-02-03,wemwbs_2,2\nC,2025-02-03,wemwbs_3,2\n"
                        "C,2025-02-03,wemwbs_4,2\nC,2025-02-03,wemwbs_5,2\nC,2025-02-03,wemwbs_6,2\n"
                        "C,2025-02-03,wemwbs_7,2\n",
                        -1);
    char *b = test_file("b.csv",
                        "pid,date,value,item\n"
                        "C,2025-02-03,2,wemwbs_8\nC,2025-02-03,2,wemwbs_9\nC,2025-02-03,2,wemwbs_10\n"
                        "C,2025-02-03,2,wemwbs_11\nC,2025-02-03,2,wemwbs_12\nC,2025-02-03,2,wemwbs_13\n"
                        "C,2025-02-03,2,wemwbs_14\nC,2025-02-03,3,wemwbs_1\n",
                        -1);
    const char *files[] = {a, b};
    ps_score_options_t options;
    ps_score_options_init(&options, sizeof options);
    options.id_column = "pid";
    options.date_column = "date";
    options.item_column = "item";
    options.value_column = "value";
    struct dated_run run;
    cr_assert_eq(score_dated(&run, &options, files, 2), PS_OK);
    cr_assert_eq(run.n_scores, 1);
    cr_assert_str_eq(run.scores[0], "C baseline 2025-02-03");
    cr_assert_str_eq(run.statuses[0], "ok", "all 14 items, from both batches");
    cr_assert_eq(run.rows_read, 15);
    cr_assert_eq(run.rows_scored, 14);
    cr_assert_eq(run.rows_rejected, 1);
    cr_assert_eq(run.n_rejects, 1);
    char *expected;
    cr_assert_geq(asprintf(&expected,
                           "9 item wemwbs.1 answered twice in one assessment (one participant on "
                           "one date): line 2 of %s already has it",
                           a),
                  0);
    cr_assert_str_eq(run.rejects[0], expected);
    free(expected);
    free(a);
    free(b);
}

/*
 * A map gives an item other headers; its own column name and aliases still
 * name it in a long export's item cell, as they hold it in a wide batch's
 * header: one assessment naming it both ways answers it twice.
 */
Test(dates, a_long_items_own_name_holds_it_beside_the_headers_a_map_gives_it)
{
    char *map = test_file("map.csv", "header,item\nQ1,wemwbs.1\n", -1);
    char *batch = test_file("long.csv",
                            "pid,date,item,value\n"
                            "A,2025-01-06,wemwbs_1,2\nA,2025-01-06,wemwbs_2,2\n"
                            "A,2025-01-06,wemwbs_3,2\nA,2025-01-06,wemwbs_4,2\n"
                            "A,2025-01-06,wemwbs_5,2\nA,2025-01-06,wemwbs_6,2\n"
                            "A,2025-01-06,wemwbs_7,2\nA,2025-01-06,wemwbs_8,2\n"
                            "A,2025-01-06,wemwbs_9,2\nA,2025-01-06,wemwbs_10,2\n"
                            "A,2025-01-06,wemwbs_11,2\nA,2025-01-06,wemwbs_12,2\n"
                            "A,2025-01-06,wemwbs_13,2\nA,2025-01-06,wemwbs_14,2\n"
                            "B,2025-01-06,Q1,3\nB,2025-01-06,wemwbs_1,5\nB,2025-01-06,WEMWBS1,4\n"
                            "B,2025-01-06,wemwbs_2,2\nB,2025-01-06,wemwbs_3,2\n"
                            "B,2025-01-06,wemwbs_4,2\nB,2025-01-06,wemwbs_5,2\n"
                            "B,2025-01-06,wemwbs_6,2\nB,2025-01-06,wemwbs_7,2\n"
                            "B,2025-01-06,wemwbs_8,2\nB,2025-01-06,wemwbs_9,2\n"
                            "B,2025-01-06,wemwbs_10,2\nB,2025-01-06,wemwbs_11,2\n"
                            "B,2025-01-06,wemwbs_12,2\nB,2025-01-06,wemwbs_13,2\n"
                            "B,2025-01-06,wemwbs_14,2\n",
                            -1);
    const char *files[] = {batch};
    ps_score_options_t options;
    ps_score_options_init(&options, sizeof options);
    options.id_column = "pid";
    options.date_column = "date";
    options.item_column = "item";
    options.value_column = "value";
    options.map_file = map;
    struct dated_run run;
    cr_assert_eq(score_dated(&run, &options, files, 1), PS_OK);
    cr_assert_eq(run.n_scores, 2);
    cr_assert_str_eq(run.scores[0], "A baseline 2025-01-06");
    cr_assert_str_eq(run.statuses[0], "ok", "wemwbs_1 holds wemwbs.1 though the map gives it Q1");
    cr_assert_str_eq(run.scores[1], "B baseline 2025-01-06");
    cr_assert_str_eq(run.statuses[1], "ok");
    cr_assert_eq(run.rows_read, 30);
    cr_assert_eq(run.rows_scored, 28);
    cr_assert_eq(run.rows_rejected, 2);
    cr_assert_eq(run.n_rejects, 2);
    cr_assert_str_eq(run.rejects[0], "17 item wemwbs.1 answered twice in one assessment (one "
                                     "participant on one date): line 16 already has it");
    cr_assert_str_eq(run.rejects[1], "18 item wemwbs.1 answered twice in one assessment (one "
                                     "participant on one date): line 16 already has it");
    free(map);
    free(batch);
}
