/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Service use from event lists: events counted into the windows around each
 * participant's index date, exposure cut at the end date, and every row of the
 * index file and the events used or refused with its reason.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include <promscore/service.h>

#include "helpers.h"

static struct capture capture;
static ps_service_handlers_t handlers = {test_on_reject, &capture};

static const char *last_message(void)
{
    return capture.n_diagnostics ? capture.diagnostics[capture.n_diagnostics - 1].message : "";
}

static const ps_service_window_t year_each_side[] = {{"pre12", 365}, {"post12", 365}};

/* Each test's, made before it and freed after it: a context whose diagnostics are captured,
 * the shipped measures, and a cohort of them with a year each side of the index date. */
static ps_context_t *context;
static ps_service_definition_t *definition;
static ps_service_cohort_t *cohort;

/* The options of a cohort with these windows, all observed. */
static ps_service_options_t options_of(const ps_service_window_t *windows, size_t n)
{
    ps_service_options_t o;
    ps_service_options_init(&o, sizeof o);
    o.windows = windows;
    o.n_windows = n;
    o.observed_until = "2025-12-31"; /* every window here ends before */
    return o;
}

static ps_error_t new_cohort(const ps_service_window_t *windows, size_t n, const char *first_after,
                             ps_service_cohort_t **made)
{
    ps_service_options_t o = options_of(windows, n);
    o.first_after = first_after;
    return ps_service_cohort_new(context, definition, &o, made);
}

static ps_service_cohort_t *a_year_each_side(void)
{
    ps_service_cohort_t *made = NULL;
    cr_assert_eq(new_cohort(year_each_side, 2, NULL, &made), PS_OK, "%s", last_message());
    return made;
}

static void setup(void)
{
    memset(&capture, 0, sizeof capture);
    cr_assert_eq(ps_context_new(&context), PS_OK);
    test_capture_diagnostics(context, &capture);
    char *path = test_shipped_measures();
    cr_assert_eq(ps_service_definition_read(context, path, &definition), PS_OK, "%s",
                 last_message());
    free(path);
    cohort = a_year_each_side();
}

static void teardown(void)
{
    ps_service_cohort_free(cohort);
    ps_service_definition_free(definition);
    ps_context_free(context);
}

TestSuite(service_events, .init = setup, .fini = teardown);

/* Reads tests/data/service/events-NAME.csv with its index file events-NAME-index.csv. */
static ps_error_t read_fixture(ps_service_cohort_t *into, const char *name, ps_service_arm_t arm,
                               ps_batch_summary_t summaries[2])
{
    char *relative, *events, *index;
    cr_assert_geq(asprintf(&relative, "service/events-%s.csv", name), 0);
    events = test_data(relative);
    free(relative);
    cr_assert_geq(asprintf(&relative, "service/events-%s-index.csv", name), 0);
    index = test_data(relative);
    free(relative);
    const char *files[] = {events};
    ps_error_t err = ps_service_read_events(into, arm, index, files, 1, &handlers, summaries);
    free(events);
    free(index);
    return err;
}

/* Reads the event list 'events' (its text, in a new events.csv) into the cohort's 'arm', with
 * the index file 'index' (its text, in a new index.csv; NULL: none). */
static ps_error_t read_events(ps_service_cohort_t *into, ps_service_arm_t arm, const char *index,
                              const char *events, ps_batch_summary_t summaries[2])
{
    char *index_path = index ? test_file("index.csv", index, -1) : NULL,
         *events_path = test_file("events.csv", events, -1);
    const char *files[] = {events_path};
    ps_error_t err = ps_service_read_events(into, arm, index_path, files, 1, &handlers, summaries);
    free(events_path);
    free(index_path);
    return err;
}

/* The count and exposure of a participant's measure in a window: whether recorded. */
static int count_of(const ps_service_cohort_t *of, const char *participant, const char *window,
                    const char *measure, double *count, double *days)
{
    size_t m = ps_service_measure_find(definition, measure);
    cr_assert_neq(m, SIZE_MAX, "%s", measure);
    return ps_service_count(of, PS_SERVICE_REFERRED, participant, window, m, count, days);
}

struct expected_reject {
    unsigned long line, column;
    const char *participant, *value, *reason;
};

/* The rejects of 'file' (a suffix of its path), in order, against 'want'. */
static void check_rejects(const char *file, const struct expected_reject *want, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < capture.n_rejects; i++) {
        const struct captured_reject *got = &capture.rejects[i];
        size_t len = strlen(got->file), suffix = strlen(file);
        if (len < suffix || strcmp(got->file + len - suffix, file) != 0)
            continue;
        cr_assert_lt(k, n, "an unexpected reject: %s:%lu %s", got->file, got->line, got->reason);
        cr_expect_eq(got->line, want[k].line, "reject %zu: line %lu", k, got->line);
        cr_expect_eq(got->column, want[k].column, "reject %zu (line %lu): column %lu", k, got->line,
                     got->column);
        cr_expect_str_eq(got->participant_id, want[k].participant, "reject %zu", k);
        cr_expect_str_eq(got->value, want[k].value, "reject %zu", k);
        if (want[k].reason)
            cr_expect_str_eq(got->reason, want[k].reason, "reject %zu", k);
        k++;
    }
    cr_assert_eq(k, n, "%zu rejects of %s", k, file);
}

/* ---- Every row used or refused. ---- */

Test(service_events, every_index_row_used_or_refused_with_its_reason)
{
    ps_batch_summary_t s[2];
    cr_assert_eq(read_fixture(cohort, "refusals", PS_SERVICE_REFERRED, s), PS_OK, "%s",
                 last_message());
    static const struct expected_reject want[] = {
        {5, 1, "P1", "P1", "a second row for this participant (the first is at line 2)"},
        {6, 1, "", "", "missing participant id"},
        {7, 2, "P4", "", "missing index date"},
        {8, 2, "P5", "2024-02-30", "not a real date (read as %Y-%m-%d): February 2024 has 29 days"},
        {9, 3, "P6", "2024-04-01",
         "the end date, 2024-04-01, is before the index date, 2024-05-01"},
        {10, 2, "P7", "01/02/2024",
         "not an ISO 8601 date (%Y-%m-%d), and its day and month could be either way round: give "
         "--date-format '%d/%m/%Y' (day first, as in the UK) or '%m/%d/%Y' (month first)"},
        {11, 2, "P8", "24-01-01",
         "the year has fewer than four digits (read as %Y-%m-%d): the century would be guessed"},
    };
    check_rejects("events-refusals-index.csv", want, sizeof want / sizeof want[0]);
    cr_assert_eq(s[0].rows_read, 10);
    cr_assert_eq(s[0].rows_scored, 3, "P1, P2 and P3");
    cr_assert_eq(s[0].rows_rejected, 7);
    cr_assert_eq(ps_service_participant_count(cohort, PS_SERVICE_REFERRED), 3);
}

Test(service_events, every_event_used_or_refused_with_its_reason)
{
    ps_batch_summary_t s[2];
    cr_assert_eq(read_fixture(cohort, "refusals", PS_SERVICE_REFERRED, s), PS_OK, "%s",
                 last_message());
    static const struct expected_reject want[] = {
        {7, 2, "P2", "2024-06-29", NULL /* names the index file */},
        {8, 2, "P2", "2022-01-01",
         "2022-01-01 is outside every window: for the index date 2024-03-01 they run from "
         "2023-03-02 to 2025-02-28"},
        {9, 1, "P9", "P9", NULL /* names the index file */},
        {10, 1, "P4", "P4", NULL /* names the index file */},
        {11, 3, "P1", "ae_visits", NULL /* names the definition's file */},
        {12, 3, "P1", "", "missing measure"},
        {13, 2, "P1", "",
         "missing date: bed_days is not recorded for this participant in any window (its count "
         "is not known)"},
        {14, 2, "P1", "2023-13-01",
         "not a date written %Y-%m-%d (ISO 8601): give --date-format for another way of writing "
         "dates: emergency_admissions is not recorded for this participant in any window (its "
         "count is not known)"},
        {15, 4, "P2", "0",
         "not a whole number from 1 to 1e9 (empty for 1): ae_attendances is not recorded for this "
         "participant in pre12 (its count is not known)"},
        {16, 4, "P2", "1.5",
         "not a whole number from 1 to 1e9 (empty for 1): ae_attendances is not recorded for this "
         "participant in pre12 (its count is not known)"},
        {18, 0, "P2", "", "ragged row: 5 fields, the header has 4"},
    };
    check_rejects("events-refusals.csv", want, sizeof want / sizeof want[0]);
    /* The reasons that name files. */
    const struct captured_reject *r = capture.rejects;
    size_t first = 7; /* after the index file's */
    cr_assert_not_null(strstr(r[first].reason, "2024-06-29 is after the participant's end date, "
                                               "2024-06-28 ("));
    cr_assert_not_null(strstr(r[first].reason, "events-refusals-index.csv:3)"));
    cr_assert_not_null(strstr(r[first + 2].reason, "participant is not in the index file "));
    cr_assert_not_null(strstr(r[first + 3].reason, "participant's row in the index file ("));
    cr_assert_not_null(strstr(r[first + 3].reason, "events-refusals-index.csv:7) was refused"));
    cr_assert_not_null(strstr(r[first + 4].reason, "not a measure of service_use ("));
    cr_assert_eq(s[1].rows_read, 18);
    cr_assert_eq(s[1].rows_scored, 7, "lines 2 to 6, 17 and 19");
    cr_assert_eq(s[1].rows_rejected, 11);
    cr_assert_eq(s[1].rows_read, s[1].rows_scored + s[1].rows_rejected);

    /* What was counted. P1: 1 + 3 + 1 before (the day before the index date is before), 1
     * after (the index date itself is after). */
    double count, days;
    cr_assert_eq(count_of(cohort, "P1", "pre12", "ae_attendances", &count, &days), 1);
    cr_assert(count == 5 && days == 365, "%g %g", count, days);
    cr_assert_eq(count_of(cohort, "P1", "post12", "ae_attendances", &count, &days), 1);
    cr_assert(count == 1 && days == 365, "%g %g", count, days);
    /* An event refused for its date: its measure's count is not known in any window. */
    cr_assert_eq(count_of(cohort, "P1", "pre12", "bed_days", &count, &days), 0);
    cr_assert(isnan(count) && days == 365);
    cr_assert_eq(count_of(cohort, "P1", "post12", "bed_days", &count, &days), 0);
    /* One refused for its quantity: not known in its window only. */
    cr_assert_eq(count_of(cohort, "P2", "pre12", "ae_attendances", &count, &days), 0);
    cr_assert(isnan(count) && days == 365);
    cr_assert_eq(count_of(cohort, "P2", "post12", "ae_attendances", &count, &days), 1);
    cr_assert(count == 1 && days == 120, "the end date is the last day observed: %g", days);
    cr_assert_eq(count_of(cohort, "P2", "post12", "bed_days", &count, NULL), 1);
    cr_assert(count == 12, "a quantity: %g", count);
    cr_assert_eq(count_of(cohort, "P2", "pre12", "bed_days", &count, NULL), 1);
    cr_assert(count == 0);
    /* P3 has no event: zeros in every window, for each measure the list records. */
    cr_assert_eq(count_of(cohort, "P3", "pre12", "ae_attendances", &count, &days), 1);
    cr_assert(count == 0 && days == 365);
    cr_assert_eq(count_of(cohort, "P3", "post12", "bed_days", &count, &days), 1);
    cr_assert(count == 0 && days == 365);
    /* A measure no row used names is not recorded at all. */
    cr_assert_eq(count_of(cohort, "P3", "pre12", "emergency_admissions", &count, NULL), 0);
    cr_assert_eq(count_of(cohort, "P2", "post12", "gp_consultations", &count, NULL), 0);
}

Test(service_events, index_dates_in_a_column_of_the_events)
{
    ps_batch_summary_t s[2];
    cr_assert_eq(read_events(cohort, PS_SERVICE_REFERRED, NULL,
                             "participant_id,date,measure,index_date,end_date\n"
                             "Q1,2023-06-01,ae_attendances,2024-01-01,\n"            /* 2 */
                             "Q1,2024-02-01,ae_attendances,2024-01-01,\n"            /* 3 */
                             "Q1,2024-02-02,ae_attendances,2024-01-02,\n"            /* 4 */
                             "Q1,2024-02-02,ae_attendances,2024-01-01,2024-12-01\n"  /* 5 */
                             "Q2,2023-06-01,ae_attendances,,\n"                      /* 6 */
                             "Q2,2023-06-01,ae_attendances,2024-01-01,2023-12-01\n"  /* 7 */
                             "Q3,,,2024-03-01,2024-03-10\n"                          /* 8 */
                             "Q3,2024-03-10,ae_attendances,2024-03-01,2024-03-10\n", /* 9 */
                             s),
                 PS_OK, "%s", last_message());
    static const struct expected_reject want[] = {
        {4, 4, "Q1", "2024-01-02", NULL},
        {5, 5, "Q1", "2024-12-01", NULL},
        {6, 4, "Q2", "",
         "missing index date: ae_attendances is not recorded for this participant in any window "
         "(its count is not known)"},
        {7, 5, "Q2", "2023-12-01",
         "the end date, 2023-12-01, is before the index date, 2024-01-01: ae_attendances is not "
         "recorded for this participant in any window (its count is not known)"},
    };
    check_rejects("events.csv", want, sizeof want / sizeof want[0]);
    cr_assert_not_null(strstr(capture.rejects[0].reason,
                              "the index date, 2024-01-02, differs from the participant's first "
                              "row's, 2024-01-01 ("));
    cr_assert_not_null(strstr(capture.rejects[0].reason,
                              "events.csv:2): each row of a participant gives the same"));
    cr_assert_not_null(strstr(capture.rejects[1].reason,
                              "the end date, 2024-12-01, differs from the participant's first "
                              "row's, none ("));
    cr_assert_eq(s[0].rows_read, 0, "no index file");
    cr_assert_eq(s[1].rows_read, 8);
    cr_assert_eq(s[1].rows_scored, 4);
    cr_assert_eq(ps_service_participant_count(cohort, PS_SERVICE_REFERRED), 2, "Q1 and Q3");
    double count, days;
    /* Q1's events refused for their index and end dates: A&E is not known in either window. */
    cr_assert_eq(count_of(cohort, "Q1", "pre12", "ae_attendances", &count, &days), 0);
    cr_assert(isnan(count) && days == 365);
    cr_assert_eq(count_of(cohort, "Q1", "post12", "ae_attendances", &count, &days), 0);
    cr_assert(isnan(count) && days == 365);
    /* Observed from 1 to 10 March: 10 days after; the whole year before, with no event. */
    cr_assert_eq(count_of(cohort, "Q3", "post12", "ae_attendances", &count, &days), 1);
    cr_assert(count == 1 && days == 10, "%g %g", count, days);
    cr_assert_eq(count_of(cohort, "Q3", "pre12", "ae_attendances", &count, &days), 1);
    cr_assert(count == 0 && days == 365);
}

/* ---- Windows around the index date. ---- */

Test(service_events, windows_before_and_after_the_index_date)
{
    static const ps_service_window_t windows[] = {
        {"earlier", 10}, {"selection", 20}, {"first", 5}, {"later", 30}};
    ps_service_cohort_t *windowed = NULL;
    /* No window named post...: which comes after the index date must be said. */
    cr_assert_eq(new_cohort(windows, 4, NULL, &windowed), PS_OK, "%s", last_message());
    cr_assert_eq(read_events(windowed, PS_SERVICE_REFERRED, NULL,
                             "participant_id,date,measure,index_date\n"
                             "R1,2024-02-20,gp_consultations,2024-03-01\n",
                             NULL),
                 PS_ERROR_USAGE);
    cr_assert_str_eq(last_message(), "event lists: no window is named post...: say which window "
                                     "is the first after the index date (--first-after)");
    ps_service_cohort_free(windowed);
    cr_assert_eq(new_cohort(windows, 4, "nowhere", &windowed), PS_ERROR_USAGE);
    cr_assert_str_eq(last_message(), "--first-after 'nowhere' is not one of the windows");
    /* Index date 1 March 2024: earlier is 31 January to 9 February, selection 10 to 29
     * February, first 1 to 5 March, later 6 March to 4 April. */
    cr_assert_eq(new_cohort(windows, 4, "FIRST", &windowed), PS_OK, "%s", last_message());
    ps_batch_summary_t s[2];
    cr_assert_eq(read_events(windowed, PS_SERVICE_REFERRED, NULL,
                             "participant_id,date,measure,index_date\n"
                             "R1,2024-01-30,gp_consultations,2024-03-01\n"  /* 2: outside */
                             "R1,2024-01-31,gp_consultations,2024-03-01\n"  /* 3: earlier */
                             "R1,2024-02-09,gp_consultations,2024-03-01\n"  /* 4: earlier */
                             "R1,2024-02-10,gp_consultations,2024-03-01\n"  /* 5: selection */
                             "R1,2024-02-29,gp_consultations,2024-03-01\n"  /* 6: selection */
                             "R1,2024-03-01,gp_consultations,2024-03-01\n"  /* 7: first */
                             "R1,2024-03-05,gp_consultations,2024-03-01\n"  /* 8: first */
                             "R1,2024-03-06,gp_consultations,2024-03-01\n"  /* 9: later */
                             "R1,2024-04-04,gp_consultations,2024-03-01\n"  /* 10: later */
                             "R1,2024-04-05,gp_consultations,2024-03-01\n", /* 11: outside */
                             s),
                 PS_OK, "%s", last_message());
    cr_assert_eq(s[1].rows_scored, 8);
    cr_assert_eq(s[1].rows_rejected, 2);
    cr_assert_str_eq(capture.rejects[capture.n_rejects - 1].reason,
                     "2024-04-05 is outside every window: for the index date 2024-03-01 they run "
                     "from 2024-01-31 to 2024-04-04");
    static const char *const names[] = {"earlier", "selection", "first", "later"};
    static const double days[] = {10, 20, 5, 30};
    for (size_t w = 0; w < 4; w++) {
        double count, exposure;
        cr_assert_eq(count_of(windowed, "R1", names[w], "gp_consultations", &count, &exposure), 1);
        cr_assert(count == 2 && exposure == days[w], "%s: %g in %g days", names[w], count,
                  exposure);
    }
    ps_service_cohort_free(windowed);
}

/* ---- The report: exposure cut by an end date, and zeros counted. ---- */

static const ps_statistic_t *figure_of(const ps_service_report_t *report, const char *name)
{
    for (size_t i = 0; i < ps_service_report_count(report); i++) {
        const ps_statistic_t *s = ps_service_report_statistic(report, i);
        if (strcmp(s->unit, "ae_attendances") == 0 && strcmp(s->group, "all") == 0 &&
            strcmp(s->comparison, "pre12->post12") == 0 && strcmp(s->name, name) == 0)
            return s;
    }
    cr_assert_fail("no figure %s", name);
    return NULL;
}

static double value_of(const ps_service_report_t *report, const char *name)
{
    const ps_statistic_t *s = figure_of(report, name);
    cr_assert_eq(s->shown, PS_SHOWN, "%s", name);
    return s->value;
}

Test(service_events, exposure_cut_by_the_end_date_in_person_years)
{
    cr_assert_eq(read_fixture(cohort, "exposure", PS_SERVICE_REFERRED, NULL), PS_OK, "%s",
                 last_message());
    cr_assert_eq(capture.n_rejects, 0);
    static const ps_disclosure_t no_control = {0, 0, 0};
    ps_service_report_t *report;
    cr_assert_eq(ps_service_report(cohort, &no_control, &report), PS_OK, "%s", last_message());
    /* A: 4 events before, 2 after, observed throughout. B: 6 before, 1 after, observed from 1
     * March to its end date, 28 June 2024, 120 days. C: in the index file with no event: 0 and
     * 0, and counted. */
    cr_assert_eq(value_of(report, "n_people"), 3, "C's zeros count");
    cr_assert_eq(value_of(report, "n_none_before"), 1);
    cr_assert_eq(value_of(report, "n_none_after"), 1);
    cr_assert_eq(value_of(report, "events_before"), 10);
    cr_assert_eq(value_of(report, "events_after"), 3);
    cr_assert_float_eq(value_of(report, "person_years_before"), 3 * 365 / 365.25, 1e-12);
    cr_assert_float_eq(value_of(report, "person_years_after"), (365 + 120 + 365) / 365.25, 1e-12);
    cr_assert_float_eq(value_of(report, "rate_before"), 10 / (1095 / 365.25), 1e-12);
    cr_assert_float_eq(value_of(report, "rate_after"), 3 / (850 / 365.25), 1e-12);
    /* (3 / 850) / (10 / 1095) = 3285 / 8500. */
    cr_assert_float_eq(value_of(report, "rate_ratio"), 3285.0 / 8500.0, 1e-12);
    ps_service_report_free(report);
}

Test(service_events, the_same_counts_as_the_pre_aggregated_file)
{
    ps_service_cohort_t *from_events = cohort, *from_counts = a_year_each_side();
    cr_assert_eq(read_fixture(from_events, "exposure", PS_SERVICE_REFERRED, NULL), PS_OK);
    char *counts = test_data("service/events-exposure-counts.csv");
    cr_assert_eq(ps_service_read(from_counts, counts, PS_SERVICE_REFERRED, &handlers, NULL), PS_OK,
                 "%s", last_message());
    free(counts);
    static const char *const people[] = {"A", "B", "C"}, *const windows[] = {"pre12", "post12"};
    for (size_t m = 0; m < ps_service_measure_count(definition); m++)
        for (size_t p = 0; p < 3; p++)
            for (size_t w = 0; w < 2; w++) {
                double a, b, da, db;
                int ra = ps_service_count(from_events, PS_SERVICE_REFERRED, people[p], windows[w],
                                          m, &a, &da);
                int rb = ps_service_count(from_counts, PS_SERVICE_REFERRED, people[p], windows[w],
                                          m, &b, &db);
                cr_assert_eq(ra, rb, "%s %s measure %zu", people[p], windows[w], m);
                cr_assert(ra ? a == b : isnan(a) && isnan(b), "%s %s: %g, %g", people[p],
                          windows[w], a, b);
                cr_assert(da == db, "%s %s: %g days, %g", people[p], windows[w], da, db);
            }
    ps_service_cohort_free(from_counts);
}

/* ---- Files refused, and people in two places. ---- */

Test(service_events, headers_that_refuse_a_file)
{
    const char *events = "participant_id,day,measure\nP1,2023-05-01,bed_days\n";
    cr_assert_eq(read_events(cohort, PS_SERVICE_REFERRED,
                             "participant_id,referred\nP1,2024-01-01\n", events, NULL),
                 PS_ERROR_BATCH);
    cr_assert_str_eq(last_message(), "no column 'index_date': an index file has one row per "
                                     "participant with the columns participant_id, index_date "
                                     "and optionally end_date");
    cr_assert_eq(read_events(cohort, PS_SERVICE_REFERRED, NULL, events, NULL), PS_ERROR_BATCH);
    cr_assert_str_eq(last_message(),
                     "no column 'date': an event list has one row per event with the columns "
                     "participant_id, date, measure, optionally quantity, and the participant's "
                     "index date (index_date) and optionally end date (end_date) on every row");
    cr_assert_eq(ps_service_participant_count(cohort, PS_SERVICE_REFERRED), 0);
}

Test(service_events, other_columns_and_date_formats)
{
    ps_service_options_t o = options_of(year_each_side, 2);
    o.index_column = "referred";
    o.end_column = "died";
    o.date_format = "%d/%m/%Y";
    ps_service_cohort_t *other;
    cr_assert_eq(ps_service_cohort_new(context, definition, &o, &other), PS_OK, "%s",
                 last_message());
    cr_assert_eq(read_events(other, PS_SERVICE_REFERRED, NULL,
                             "participant_id,date,measure,quantity,referred,died,site\n"
                             "P1,02/05/2023,bed_days,4,01/01/2024,31/01/2024,A\n"
                             "P1,31/01/2024,bed_days,3,01/01/2024,31/01/2024,A\n",
                             NULL),
                 PS_OK, "%s", last_message());
    cr_assert_eq(capture.n_rejects, 0);
    cr_assert_not_null(strstr(last_message(), "column 'site' is not read"));
    double count, days;
    cr_assert_eq(count_of(other, "P1", "pre12", "bed_days", &count, &days), 1);
    cr_assert(count == 4 && days == 365);
    cr_assert_eq(count_of(other, "P1", "post12", "bed_days", &count, &days), 1);
    cr_assert(count == 3 && days == 31, "%g %g", count, days);
    ps_service_cohort_free(other);
    /* A format that cannot read dates is refused with the cohort. */
    o.date_format = "%d/%m/%y";
    cr_assert_eq(ps_service_cohort_new(context, definition, &o, &other), PS_ERROR_USAGE);
    cr_assert_not_null(strstr(last_message(), "date format '%d/%m/%y' cannot read dates: "));
}

Test(service_events, a_comparison_cohort_is_of_other_people)
{
    cr_assert_eq(read_fixture(cohort, "exposure", PS_SERVICE_REFERRED, NULL), PS_OK);
    ps_batch_summary_t s[2];
    cr_assert_eq(read_events(cohort, PS_SERVICE_COMPARISON,
                             "participant_id,index_date\nB,2024-01-01\nZ,2024-01-01\n",
                             "participant_id,date,measure\nZ,2023-05-01,bed_days\n"
                             "B,2023-05-01,bed_days\n",
                             s),
                 PS_OK, "%s", last_message());
    static const struct expected_reject index_wants[] = {
        {2, 1, "B", "B",
         "participant is in the referred cohort too: a comparison cohort is of people not "
         "referred"},
    };
    check_rejects("index.csv", index_wants, 1);
    static const struct expected_reject event_wants[] = {{3, 1, "B", "B", NULL}};
    check_rejects("events.csv", event_wants, 1);
    cr_assert_not_null(strstr(capture.rejects[1].reason, "participant's row in the index file ("));
    cr_assert_not_null(strstr(capture.rejects[1].reason, "index.csv:2) was refused"));
    cr_assert_eq(ps_service_participant_count(cohort, PS_SERVICE_COMPARISON), 1, "Z");
    /* Read again into the referred: each of them was read already. */
    size_t before = capture.n_rejects;
    cr_assert_eq(read_fixture(cohort, "exposure", PS_SERVICE_REFERRED, s), PS_OK);
    cr_assert_eq(s[0].rows_rejected, 3);
    cr_assert_eq(s[1].rows_rejected, 8, "their events with them");
    cr_assert_not_null(
        strstr(capture.rejects[before].reason, "participant's counts were read already ("));
    cr_assert_not_null(strstr(capture.rejects[before].reason, "events-exposure-index.csv:2)"));
}

static int stop(const ps_reject_t *reject, void *user)
{
    (void)reject;
    ++*(int *)user;
    return 1;
}

Test(service_events, a_handler_stops_the_read)
{
    int calls = 0;
    ps_service_handlers_t stopping = {stop, &calls};
    char *events = test_data("service/events-refusals.csv");
    char *index = test_data("service/events-refusals-index.csv");
    const char *files[] = {events};
    ps_batch_summary_t s[2];
    cr_assert_eq(ps_service_read_events(cohort, PS_SERVICE_REFERRED, index, files, 1, &stopping, s),
                 PS_ERROR_ABORTED);
    cr_assert_eq(calls, 1, "stopped at the first refusal");
    cr_assert_eq(s[0].rows_read, 4, "line 5 is the first refused");
    cr_assert_eq(s[1].rows_read, 0);
    cr_assert_eq(ps_service_participant_count(cohort, PS_SERVICE_REFERRED), 0, "nothing kept");
    free(events);
    free(index);
}

Test(service_events, observed_until_the_extract_ends)
{
    ps_service_options_t o = options_of(year_each_side, 2);
    o.observed_until = "2024-06-30";
    ps_service_cohort_t *until;
    cr_assert_eq(ps_service_cohort_new(context, definition, &o, &until), PS_OK, "%s",
                 last_message());
    cr_assert_eq(read_events(until, PS_SERVICE_REFERRED,
                             "participant_id,index_date,end_date\n"
                             "A,2024-01-01,\n"            /* 2 */
                             "B,2024-07-01,\n"            /* 3: after the last day */
                             "C,1900-01-01,\n"            /* 4: a placeholder */
                             "D,2024-06-01,2024-06-10\n"  /* 5 */
                             "E,2024-06-30,2024-12-31\n", /* 6: end after the last day */
                             "participant_id,date,measure\n"
                             "A,2024-06-30,ae_attendances\n"  /* 2 */
                             "A,2024-07-01,ae_attendances\n", /* 3 */
                             NULL),
                 PS_OK, "%s", last_message());
    static const struct expected_reject index_wants[] = {
        {3, 2, "B", "2024-07-01",
         "2024-07-01 is after the last day the event lists cover, 2024-06-30 (--observed-until)"},
        {4, 2, "C", "1900-01-01",
         "1900-01-01 is before 2000-01-01: placeholders for no date (such as 1900-01-01) and "
         "mistyped years are refused"},
    };
    check_rejects("index.csv", index_wants, 2);
    static const struct expected_reject event_wants[] = {
        {3, 2, "A", "2024-07-01",
         "2024-07-01 is after the last day the event lists cover, 2024-06-30 (--observed-until)"},
    };
    check_rejects("events.csv", event_wants, 1);
    /* January to June 2024: 182 days, not a year of zeros. */
    double count, days;
    cr_assert_eq(count_of(until, "A", "post12", "ae_attendances", &count, &days), 1);
    cr_assert(count == 1 && days == 182, "%g in %g days", count, days);
    cr_assert_eq(count_of(until, "D", "post12", "ae_attendances", &count, &days), 1);
    cr_assert(count == 0 && days == 10, "%g in %g days", count, days);
    cr_assert_eq(count_of(until, "E", "post12", "ae_attendances", &count, &days), 1);
    cr_assert(count == 0 && days == 1, "the index date itself: %g days", days);
    cr_assert_eq(ps_service_participant_count(until, PS_SERVICE_REFERRED), 3, "A, D and E");
    ps_service_cohort_free(until);
    /* A last day that is not one, or is in the future. */
    static const char *const bad[] = {"30/06/2024", "3000-01-01", "1999-12-31"};
    for (size_t i = 0; i < 3; i++) {
        o.observed_until = bad[i];
        cr_assert_eq(ps_service_cohort_new(context, definition, &o, &until), PS_ERROR_USAGE, "%s",
                     bad[i]);
        cr_assert_not_null(strstr(last_message(), "the last day the event lists cover, written "
                                                  "YYYY-MM-DD, from 2000-01-01 to today ("));
    }
}

/* ---- An event refused for its index or end date is not a zero. ---- */

Test(service_events, an_event_refused_for_its_index_date_leaves_its_measure_unknown)
{
    ps_batch_summary_t s[2];
    cr_assert_eq(read_events(cohort, PS_SERVICE_REFERRED, NULL,
                             "participant_id,date,measure,index_date\n"
                             "P1,2023-05-01,ae_attendances,2024-03-01\n" /* 2 */
                             "P1,2024-05-01,ae_attendances,2024-03-02\n" /* 3: refused */
                             "P1,2023-06-01,bed_days,2024-03-01\n"       /* 4 */
                             "P2,2023-05-01,ae_attendances,2024-13-01\n" /* 5: refused */
                             "P2,2024-05-01,ae_attendances,2024-03-01\n" /* 6 */
                             "P2,2024-05-01,bed_days,2024-03-01\n",      /* 7 */
                             s),
                 PS_OK, "%s", last_message());
    static const struct expected_reject want[] = {
        {3, 4, "P1", "2024-03-02", NULL},
        {5, 4, "P2", "2024-13-01",
         "not a date written %Y-%m-%d (ISO 8601): give --date-format for another way of writing "
         "dates: ae_attendances is not recorded for this participant in any window (its count "
         "is not known)"},
    };
    check_rejects("events.csv", want, sizeof want / sizeof want[0]);
    cr_assert_str_eq(capture.rejects[0].reason + strlen(capture.rejects[0].reason) -
                         strlen("each row of a participant gives the same: ae_attendances is not "
                                "recorded for this participant in any window (its count is not "
                                "known)"),
                     "each row of a participant gives the same: ae_attendances is not recorded "
                     "for this participant in any window (its count is not known)");
    cr_assert_eq(ps_service_participant_count(cohort, PS_SERVICE_REFERRED), 2);
    double count, days;
    /* P1: A&E not known before or after (not 1 and 0, a fall that is not in the data)... */
    cr_assert_eq(count_of(cohort, "P1", "pre12", "ae_attendances", &count, &days), 0);
    cr_assert(isnan(count) && days == 365);
    cr_assert_eq(count_of(cohort, "P1", "post12", "ae_attendances", &count, &days), 0);
    cr_assert(isnan(count) && days == 365);
    /* ... while bed days, which no refusal touched, are counted. */
    cr_assert_eq(count_of(cohort, "P1", "pre12", "bed_days", &count, NULL), 1);
    cr_assert(count == 1);
    cr_assert_eq(count_of(cohort, "P1", "post12", "bed_days", &count, NULL), 1);
    cr_assert(count == 0);
    /* P2's first row refused for its index date: the later rows set it, A&E stays unknown. */
    cr_assert_eq(count_of(cohort, "P2", "post12", "ae_attendances", &count, NULL), 0);
    cr_assert(isnan(count));
    cr_assert_eq(count_of(cohort, "P2", "post12", "bed_days", &count, NULL), 1);
    cr_assert(count == 1);
}
