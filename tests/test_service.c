/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Service use: the measures' definition (schemas/service-use.xsd), the
 * cohort's windows and selection rule, and counts read with every row used or
 * refused with its reason.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include <promscore/service.h>

#include "helpers.h"

/* ---- Fixtures. ---- */

static struct capture capture;

static ps_context_t *context_only(void)
{
    ps_context_t *context;
    memset(&capture, 0, sizeof capture);
    cr_assert_eq(ps_context_new(&context), PS_OK);
    test_capture_diagnostics(context, &capture);
    return context;
}

static char *shipped_path(void)
{
    char *path = test_shipped_measures();
    return path;
}

static ps_service_definition_t *shipped(ps_context_t *context)
{
    char *path = shipped_path();
    ps_service_definition_t *d = NULL;
    ps_error_t err = ps_service_definition_read(context, path, &d);
    cr_assert_eq(err, PS_OK, "the shipped definition: %s",
                 capture.n_diagnostics ? capture.diagnostics[0].message : ps_error_message(err));
    free(path);
    return d;
}

static const ps_service_window_t two_windows[] = {{"pre12", 365}, {"post12", 365}};

static ps_service_cohort_t *cohort_with(ps_context_t *context, const ps_service_definition_t *d,
                                        const char *selected)
{
    ps_service_options_t o;
    ps_service_options_init(&o, sizeof o);
    o.windows = two_windows;
    o.n_windows = 2;
    o.selected = selected;
    ps_service_cohort_t *cohort = NULL;
    cr_assert_eq(ps_service_cohort_new(context, d, &o, &cohort), PS_OK, "%s",
                 capture.n_diagnostics ? capture.diagnostics[0].message : "");
    return cohort;
}

static ps_service_handlers_t handlers = {test_on_reject, &capture};

static ps_error_t read_text(ps_service_cohort_t *cohort, const char *csv, ps_service_arm_t arm,
                            ps_batch_summary_t *summary)
{
    char *path = test_file("counts.csv", csv, -1);
    ps_error_t err = ps_service_read(cohort, path, arm, &handlers, summary);
    free(path);
    return err;
}

static const char *last_message(void)
{
    return capture.n_diagnostics ? capture.diagnostics[capture.n_diagnostics - 1].message : "";
}

/* ---- The definition. ---- */

Test(service_definition, shipped_measures_with_units_and_sources)
{
    ps_context_t *context = context_only();
    ps_service_definition_t *d = shipped(context);
    cr_assert_str_eq(ps_service_definition_id(d), "service_use");
    cr_assert_str_eq(ps_service_definition_version(d), "1");
    static const char *const ids[] = {"ae_attendances", "emergency_admissions", "bed_days",
                                      "gp_consultations", "gp_home_visits", "calls_999",
                                      "ambulance_conveyances", "nhs111_calls", "prescriptions"};
    cr_assert_eq(ps_service_measure_count(d), sizeof ids / sizeof ids[0]);
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
        cr_assert_str_eq(ps_service_measure(d, i, NULL, NULL, NULL, NULL, NULL), ids[i]);
    const char *column, *label, *unit, *source;
    int verified;
    size_t ae = ps_service_measure_find(d, "ae_attendances");
    cr_assert_eq(ae, 0);
    ps_service_measure(d, ae, &column, &label, &unit, &source, &verified);
    cr_assert_str_eq(column, "ae_attendances");
    cr_assert_str_eq(label, "A&E attendances");
    cr_assert_str_eq(unit, "attendances");
    cr_assert_str_eq(source, "nice-ng94");
    cr_assert_eq(verified, 0, "seen at second hand");
    ps_service_measure(d, ps_service_measure_find(d, "bed_days"), NULL, NULL, &unit, &source,
                       &verified);
    cr_assert_str_eq(unit, "bed days");
    cr_assert_null(source, "no source is cited for bed days");
    cr_assert_eq(ps_service_measure_find(d, "no_such"), SIZE_MAX);
    cr_assert_null(ps_service_measure(d, 99, NULL, NULL, NULL, NULL, NULL));
    /* Every source a measure cites is among the definition's sources. */
    for (size_t i = 0; i < ps_service_measure_count(d); i++) {
        ps_service_measure(d, i, NULL, NULL, NULL, &source, NULL);
        int found = !source;
        for (size_t k = 0; k < ps_service_source_count(d) && !found; k++)
            found = strcmp(ps_service_source(d, k, NULL, NULL), source) == 0;
        cr_assert(found, "measure %zu cites source %s", i, source);
    }
    const char *text, *url;
    cr_assert_str_eq(ps_service_source(d, 1, &text, &url), "unit-costs-2023");
    cr_assert_not_null(strstr(text, "table 9.4.2"));
    ps_service_definition_free(d);
    ps_context_free(context);
}

static ps_error_t read_definition(ps_context_t *context, const char *xml,
                                  ps_service_definition_t **d)
{
    char *path = test_file("measures.xml", xml, -1);
    ps_error_t err = ps_service_definition_read(context, path, d);
    free(path);
    return err;
}

#define HEAD                                                                                   \
    "<?xml version=\"1.0\"?>\n<service-use xmlns=\"urn:promscore:service-use:1\" id=\"ours\" " \
    "version=\"2\">\n<title>Ours</title><sources/>\n<measures>\n"

Test(service_definition, two_measures_for_one_column_are_refused)
{
    ps_context_t *context = context_only();
    ps_service_definition_t *d = NULL;
    ps_error_t err = read_definition(
        context,
        HEAD "<measure id=\"visits\" label=\"Visits\" unit=\"visits\"/>\n"
             "<measure id=\"calls\" label=\"Calls\" unit=\"calls\"><alias>Visits</alias></measure>\n"
             "</measures></service-use>\n",
        &d);
    cr_assert_eq(err, PS_ERROR_DEFINITION);
    cr_assert_null(d);
    cr_assert_str_eq(last_message(), "measure 'visits' and measure 'calls' both hold the column "
                                     "'Visits'");
    cr_assert_eq(capture.diagnostics[capture.n_diagnostics - 1].line, 6, "the second measure");
    ps_context_free(context);
}

Test(service_definition, the_schema_wants_a_unit_and_cited_sources)
{
    ps_context_t *context = context_only();
    ps_service_definition_t *d = NULL;
    cr_assert_eq(read_definition(context,
                                 HEAD "<measure id=\"visits\" label=\"Visits\"/>\n"
                                      "</measures></service-use>\n",
                                 &d),
                 PS_ERROR_SCHEMA);
    cr_assert_not_null(strstr(last_message(), "unit"), "%s", last_message());
    cr_assert_eq(read_definition(context,
                                 HEAD "<measure id=\"visits\" label=\"V\" unit=\"v\" "
                                      "source=\"nowhere\"/>\n</measures></service-use>\n",
                                 &d),
                 PS_ERROR_SCHEMA);
    cr_assert_eq(read_definition(context,
                                 "<?xml version=\"1.0\"?>\n<instrument "
                                 "xmlns=\"urn:promscore:instrument:1\" id=\"x\"/>\n",
                                 &d),
                 PS_ERROR_SCHEMA, "an instrument is not a service-use definition");
    cr_assert_null(d);
    ps_context_free(context);
}

Test(service_definition, a_column_of_its_own)
{
    ps_context_t *context = context_only();
    ps_service_definition_t *d = NULL;
    cr_assert_eq(read_definition(context,
                                 HEAD "<measure id=\"visits\" column=\"Home visits\" "
                                      "label=\"Visits\" unit=\"visits\"/>\n"
                                      "</measures></service-use>\n",
                                 &d),
                 PS_OK);
    const char *column;
    ps_service_measure(d, 0, &column, NULL, NULL, NULL, NULL);
    cr_assert_str_eq(column, "Home visits");
    ps_service_definition_free(d);
    ps_context_free(context);
}

/* ---- Windows and the selection rule. ---- */

static ps_error_t new_cohort(ps_context_t *context, const ps_service_definition_t *d,
                             const ps_service_window_t *windows, size_t n, const char *before,
                             const char *selected, ps_service_cohort_t **cohort)
{
    ps_service_options_t o;
    ps_service_options_init(&o, sizeof o);
    o.windows = windows;
    o.n_windows = n;
    o.before = before;
    o.selected = selected;
    *cohort = NULL;
    return ps_service_cohort_new(context, d, &o, cohort);
}

Test(service_cohort, the_rule_as_reports_print_it)
{
    ps_context_t *context = context_only();
    ps_service_definition_t *d = shipped(context);
    static const ps_service_window_t three[] = {{"pre24", 365}, {"pre12", 365}, {"post12", 365}};
    ps_service_cohort_t *cohort, *cohort2;
    cr_assert_eq(new_cohort(context, d, three, 3, NULL, "ae_attendances > 5 in PRE12", &cohort),
                 PS_OK);
    cr_assert_str_eq(ps_service_cohort_selection(cohort), "ae_attendances >= 6 in pre12");
    ps_service_cohort_free(cohort);
    /* "in WINDOW" left out: the before window. */
    cr_assert_eq(new_cohort(context, d, three, 3, "pre12", "ae_attendances>=13", &cohort), PS_OK);
    cr_assert_str_eq(ps_service_cohort_selection(cohort), "ae_attendances >= 13 in pre12");
    ps_service_cohort_free(cohort);
    /* By an alias of the measure's column. */
    cr_assert_eq(new_cohort(context, d, three, 3, NULL, "A&E attendances >= 6 in pre12", &cohort),
                 PS_ERROR_USAGE, "a rule names a measure in one word");
    cr_assert_eq(new_cohort(context, d, three, 3, NULL, "calls_999 >= 2 in pre12", &cohort), PS_OK);
    cr_assert_eq(new_cohort(context, d, three, 3, NULL, NULL, &cohort2), PS_OK);
    cr_assert_null(ps_service_cohort_selection(cohort2), "no rule given");
    ps_service_cohort_free(cohort2);
    cr_assert_str_eq(ps_service_cohort_selection(cohort), "calls_999 >= 2 in pre12");
    ps_service_cohort_free(cohort);
    ps_service_definition_free(d);
    ps_context_free(context);
}

Test(service_cohort, bad_rules_and_windows_say_why)
{
    ps_context_t *context = context_only();
    ps_service_definition_t *d = shipped(context);
    ps_service_cohort_t *cohort;
    static const struct {
        const char *rule, *message;
    } rules[] = {
        {"ae_attendances <= 6 in pre12",
         "selection rule 'ae_attendances <= 6 in pre12': expected MEASURE >= N in WINDOW, e.g. "
         "\"ae_attendances >= 6 in pre12\" (people are selected for high use: >= or >)"},
        {"ae_attendances >= six", "selection rule 'ae_attendances >= six': the count must be a "
                                  "whole number (at most 9 digits)"},
        {"ae_attendances >= 6 during pre12",
         "selection rule 'ae_attendances >= 6 during pre12': expected MEASURE >= N in WINDOW, "
         "e.g. \"ae_attendances >= 6 in pre12\""},
        {"walk_ins >= 6 in pre12",
         "selection rule 'walk_ins >= 6 in pre12': 'walk_ins' is not a measure of service_use"},
        {"ae_attendances >= 6 in pre24",
         "selection rule 'ae_attendances >= 6 in pre24': 'pre24' is not one of the windows"},
    };
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
        cr_assert_eq(new_cohort(context, d, two_windows, 2, NULL, rules[i].rule, &cohort),
                     PS_ERROR_USAGE, "%s", rules[i].rule);
        cr_assert_null(cohort);
        cr_assert_str_eq(last_message(), rules[i].message);
    }
    static const ps_service_window_t one[] = {{"pre12", 365}};
    cr_assert_eq(new_cohort(context, d, one, 1, NULL, NULL, &cohort), PS_ERROR_USAGE);
    cr_assert_str_eq(last_message(), "service use needs from 2 to 16 windows, each with its "
                                     "length in days (e.g. pre12=365,post12=365); 1 given");
    static const ps_service_window_t twice[] = {{"pre12", 365}, {"PRE12", 365}};
    cr_assert_eq(new_cohort(context, d, twice, 2, NULL, NULL, &cohort), PS_ERROR_USAGE);
    cr_assert_str_eq(last_message(), "window 'PRE12' is named twice (names match in any case)");
    static const ps_service_window_t long_one[] = {{"pre12", 365}, {"post", 4000}};
    cr_assert_eq(new_cohort(context, d, long_one, 2, NULL, NULL, &cohort), PS_ERROR_USAGE);
    cr_assert_str_eq(last_message(), "window 'post': 4000 days; a window is from 1 to 3660 days "
                                     "long");
    static const ps_service_window_t arrow[] = {{"pre->12", 365}, {"post", 365}};
    cr_assert_eq(new_cohort(context, d, arrow, 2, NULL, NULL, &cohort), PS_ERROR_USAGE);
    cr_assert_eq(new_cohort(context, d, two_windows, 2, "post6", NULL, &cohort), PS_ERROR_USAGE);
    cr_assert_str_eq(last_message(), "--before 'post6' is not one of the windows");
    ps_service_options_t unsized = {0};
    cr_assert_eq(ps_service_cohort_new(context, d, &unsized, &cohort), PS_ERROR_USAGE);
    ps_service_definition_free(d);
    ps_context_free(context);
}

/* ---- Counts. ---- */

struct expected_reject {
    unsigned long line, column;
    const char *participant, *value, *reason;
};

static void check_rejects(const struct expected_reject *want, size_t n)
{
    for (size_t i = 0; i < n && i < capture.n_rejects; i++) {
        const struct captured_reject *got = &capture.rejects[i];
        cr_expect_eq(got->line, want[i].line, "reject %zu: line %lu", i, got->line);
        cr_expect_eq(got->column, want[i].column, "reject %zu: column %lu", i, got->column);
        cr_expect_str_eq(got->participant_id, want[i].participant, "reject %zu", i);
        cr_expect_str_eq(got->value, want[i].value, "reject %zu", i);
        cr_expect_str_eq(got->reason, want[i].reason, "reject %zu", i);
    }
    cr_assert_eq(capture.n_rejects, n, "%zu rejects", capture.n_rejects);
}

Test(service_counts, every_row_used_or_refused_with_its_reason)
{
    ps_context_t *context = context_only();
    ps_service_definition_t *d = shipped(context);
    ps_service_cohort_t *cohort = cohort_with(context, d, "ae_attendances >= 6 in pre12");
    ps_batch_summary_t s;
    ps_error_t err = read_text(cohort,
                               "participant_id,window,exposure_days,AE Attendances,bed_days,site\n"
                               "P1,pre12,,8,3,A\n"                  /* 2: used, whole window */
                               "P1,post12,200,2,0,A\n"              /* 3: used, 200 days */
                               ",pre12,,7,1,A\n"                    /* 4: no id */
                               "P2,pre6,,7,1,A\n"                   /* 5: unknown window */
                               "P2,pre12,400,7,1,A\n"               /* 6: longer than window */
                               "P2,post12,12.5,7,1,A\n"             /* 7: not whole days */
                               "P1,PRE12,,9,9,A\n"                  /* 8: a second row */
                               "P3,pre12,,-1,4,A\n"                 /* 9: count refused */
                               "P3,post12,,2.5,,A\n"                /* 10: refused, no count */
                               "P4,pre12,,,,A\n"                    /* 11: no count at all */
                               "P4,post12,,1,2\n"                   /* 12: ragged */
                               "P5,post12,0,0,0,B\n",               /* 13: observed 0 days */
                               PS_SERVICE_REFERRED, &s);
    cr_assert_eq(err, PS_OK, "%s", last_message());
    static const struct expected_reject want[] = {
        {4, 0, "", "", "missing participant id"},
        {5, 0, "P2", "", "window 'pre6' is not one of pre12, post12 (list each window with its "
                         "length in days)"},
        {6, 3, "P2", "400", "exposure of 400 days is longer than the window (365 days)"},
        {7, 3, "P2", "12.5", "exposure '12.5' is not a whole number of days"},
        {8, 0, "P1", "", NULL /* names the file: filled in below */},
        {9, 4, "P3", "-1", "a count cannot be negative"},
        {10, 4, "P3", "2.5", "not a whole number: a count is a whole number, 0 or more"},
        {10, 0, "P3", "", "no count in any measure column (an empty cell is not recorded)"},
        {11, 0, "P4", "", "no count in any measure column (an empty cell is not recorded)"},
        {12, 0, "P4", "", "ragged row: 5 fields, the header has 6"},
    };
    char duplicate[512];
    snprintf(duplicate, sizeof duplicate, "a second row for window pre12 (the first is at %s:2)",
             capture.rejects[4].file);
    struct expected_reject copy[sizeof want / sizeof want[0]];
    memcpy(copy, want, sizeof want);
    copy[4].reason = duplicate;
    check_rejects(copy, sizeof copy / sizeof copy[0]);
    cr_assert_eq(s.rows_read, 12);
    cr_assert_eq(s.rows_scored, 4, "lines 2, 3, 9 and 13");
    cr_assert_eq(s.rows_rejected, 8);
    cr_assert_eq(s.cells_rejected, 2);
    cr_assert_eq(s.rows_read, s.rows_scored + s.rows_rejected);
    /* The column that is not a measure is named, and not read. */
    cr_assert_eq(capture.n_diagnostics, 1);
    cr_assert_eq(capture.diagnostics[0].error, PS_OK);
    cr_assert_eq(capture.diagnostics[0].column, 6);
    cr_assert_not_null(strstr(capture.diagnostics[0].message,
                              "column 'site' is not a measure of service_use ("));
    /* What was kept. */
    size_t ae = ps_service_measure_find(d, "ae_attendances"), beds = 2, gp = 3;
    double count, days;
    cr_assert_eq(ps_service_participant_count(cohort, PS_SERVICE_REFERRED), 3, "P1, P3, P5");
    cr_assert_eq(ps_service_count(cohort, PS_SERVICE_REFERRED, "P1", "pre12", ae, &count, &days), 1);
    cr_assert(count == 8 && days == 365);
    cr_assert_eq(ps_service_count(cohort, PS_SERVICE_REFERRED, "P1", "Post12", ae, &count, &days), 1);
    cr_assert(count == 2 && days == 200);
    cr_assert_eq(ps_service_count(cohort, PS_SERVICE_REFERRED, "P1", "post12", beds, &count, NULL), 1);
    cr_assert(count == 0);
    cr_assert_eq(ps_service_count(cohort, PS_SERVICE_REFERRED, "P1", "post12", gp, &count, &days), 0,
                 "not in the file: not recorded");
    cr_assert(isnan(count) && days == 200);
    cr_assert_eq(ps_service_count(cohort, PS_SERVICE_REFERRED, "P3", "pre12", ae, &count, NULL), 0,
                 "refused: not recorded");
    cr_assert_eq(ps_service_count(cohort, PS_SERVICE_REFERRED, "P3", "pre12", beds, &count, NULL), 1);
    cr_assert(count == 4);
    cr_assert_eq(ps_service_count(cohort, PS_SERVICE_REFERRED, "P3", "post12", beds, &count, &days), 0);
    cr_assert(isnan(days), "no row");
    cr_assert_eq(ps_service_count(cohort, PS_SERVICE_REFERRED, "P5", "post12", ae, &count, &days), 1);
    cr_assert(count == 0 && days == 0);
    cr_assert_eq(ps_service_count(cohort, PS_SERVICE_REFERRED, "P2", "pre12", ae, &count, &days), 0);
    ps_service_cohort_free(cohort);
    ps_service_definition_free(d);
    ps_context_free(context);
}

Test(service_counts, headers_that_refuse_a_file)
{
    ps_context_t *context = context_only();
    ps_service_definition_t *d = shipped(context);
    ps_service_cohort_t *cohort = cohort_with(context, d, NULL);
    cr_assert_eq(read_text(cohort, "participant_id,ae_attendances\nP1,3\n", PS_SERVICE_REFERRED,
                           NULL),
                 PS_ERROR_BATCH);
    cr_assert_str_eq(last_message(), "no column 'window': counts of service use come one row per "
                                     "participant and window, with columns participant_id, "
                                     "window, optionally exposure_days, then a column per measure");
    cr_assert_eq(read_text(cohort, "participant_id,window,ae_attendances,a&e attendances\n",
                           PS_SERVICE_REFERRED, NULL),
                 PS_ERROR_BATCH);
    cr_assert_str_eq(last_message(), "columns 'ae_attendances' and 'a&e attendances' both hold "
                                     "measure 'ae_attendances'");
    cr_assert_eq(capture.diagnostics[capture.n_diagnostics - 1].column, 4);
    cr_assert_eq(read_text(cohort, "participant_id,window,walk_ins\nP1,pre12,3\n",
                           PS_SERVICE_REFERRED, NULL),
                 PS_ERROR_BATCH);
    cr_assert_not_null(strstr(last_message(), "no column holds a measure of service_use"));
    cr_assert_eq(read_text(cohort, "", PS_SERVICE_REFERRED, NULL), PS_ERROR_BATCH);
    cr_assert_str_eq(last_message(), "empty file: counts start with a header row");
    cr_assert_eq(ps_service_participant_count(cohort, PS_SERVICE_REFERRED), 0);
    ps_service_cohort_free(cohort);
    ps_service_definition_free(d);
    ps_context_free(context);
}

Test(service_counts, a_comparison_cohort_is_of_other_people)
{
    ps_context_t *context = context_only();
    ps_service_definition_t *d = shipped(context);
    ps_service_cohort_t *cohort = cohort_with(context, d, NULL);
    ps_batch_summary_t s;
    cr_assert_eq(read_text(cohort, "participant_id,window,ae_attendances\nP1,pre12,7\n",
                           PS_SERVICE_REFERRED, &s),
                 PS_OK);
    cr_assert_eq(read_text(cohort, "participant_id,window,ae_attendances\nP1,pre12,7\nC1,pre12,6\n",
                           PS_SERVICE_COMPARISON, &s),
                 PS_OK);
    cr_assert_eq(s.rows_scored, 1);
    cr_assert_eq(capture.n_rejects, 1);
    cr_assert_str_eq(capture.rejects[0].reason, "participant is in the referred cohort too: a "
                                                "comparison cohort is of people not referred");
    cr_assert_eq(ps_service_participant_count(cohort, PS_SERVICE_COMPARISON), 1);
    ps_service_cohort_free(cohort);
    ps_service_definition_free(d);
    ps_context_free(context);
}

Test(service_counts, other_column_names_and_a_delimiter)
{
    ps_context_t *context = context_only();
    ps_service_definition_t *d = shipped(context);
    ps_service_options_t o;
    ps_service_options_init(&o, sizeof o);
    o.windows = two_windows;
    o.n_windows = 2;
    o.id_column = "nhs_pseudonym";
    o.window_column = "period";
    o.exposure_column = "days_observed";
    o.delimiter = ';';
    ps_service_cohort_t *cohort;
    cr_assert_eq(ps_service_cohort_new(context, d, &o, &cohort), PS_OK);
    cr_assert_eq(read_text(cohort, "nhs_pseudonym;period;days_observed;gp_consultations\n"
                                   "a1;pre12;300;4\n",
                           PS_SERVICE_REFERRED, NULL),
                 PS_OK);
    double count, days;
    cr_assert_eq(ps_service_count(cohort, PS_SERVICE_REFERRED, "a1", "pre12", 3, &count, &days), 1);
    cr_assert(count == 4 && days == 300);
    ps_service_cohort_free(cohort);
    ps_service_definition_free(d);
    ps_context_free(context);
}

static int stop(const ps_reject_t *reject, void *user)
{
    (void)reject;
    (*(int *)user)++;
    return 1;
}

Test(service_counts, a_handler_stops_the_read)
{
    ps_context_t *context = context_only();
    ps_service_definition_t *d = shipped(context);
    ps_service_cohort_t *cohort = cohort_with(context, d, NULL);
    int calls = 0;
    ps_service_handlers_t stopping = {stop, &calls};
    char *path = test_file("counts.csv", "participant_id,window,ae_attendances\n,pre12,1\n"
                                         "P1,pre12,2\n", -1);
    ps_batch_summary_t s;
    cr_assert_eq(ps_service_read(cohort, path, PS_SERVICE_REFERRED, &stopping, &s),
                 PS_ERROR_ABORTED);
    cr_assert_eq(calls, 1);
    cr_assert_eq(s.rows_read, 1);
    cr_assert_eq(ps_service_participant_count(cohort, PS_SERVICE_REFERRED), 0);
    free(path);
    ps_service_cohort_free(cohort);
    ps_service_definition_free(d);
    ps_context_free(context);
}

/* ---- The report's statistics against R (tests/golden/service/service.R). ---- */

static char *golden(const char *file)
{
    char *relative, *path;
    cr_assert_geq(asprintf(&relative, "../golden/service/%s", file), 0);
    path = test_data(relative);
    free(relative);
    return path;
}

/* A report of golden files (comparison may be NULL) over windows pre12 and 'second'. */
static ps_service_report_t *golden_report(ps_context_t *context, const ps_service_definition_t *d,
                                          const char *referred, const char *comparison,
                                          const ps_service_window_t *windows,
                                          const ps_disclosure_t *rule, const char *selected)
{
    ps_service_options_t o;
    ps_service_options_init(&o, sizeof o);
    o.windows = windows;
    o.n_windows = 2;
    o.selected = selected;
    ps_service_cohort_t *cohort;
    cr_assert_eq(ps_service_cohort_new(context, d, &o, &cohort), PS_OK, "%s", last_message());
    const char *files[2] = {referred, comparison};
    for (int arm = 0; arm < 2; arm++) {
        if (!files[arm])
            continue;
        char *path = golden(files[arm]);
        cr_assert_eq(ps_service_read(cohort, path, (ps_service_arm_t)arm, &handlers, NULL), PS_OK,
                     "%s: %s", files[arm], last_message());
        free(path);
    }
    ps_service_report_t *report;
    cr_assert_eq(ps_service_report(cohort, rule, &report), PS_OK, "%s", last_message());
    ps_service_cohort_free(cohort);
    return report;
}

static const ps_statistic_t *figure_of(const ps_service_report_t *report, const char *unit,
                                       const char *group, const char *comparison,
                                       const char *name)
{
    for (size_t i = 0; i < ps_service_report_count(report); i++) {
        const ps_statistic_t *s = ps_service_report_statistic(report, i);
        if (strcmp(s->unit, unit) == 0 && strcmp(s->group, group) == 0 &&
            strcmp(s->comparison, comparison) == 0 && strcmp(s->name, name) == 0)
            return s;
    }
    return NULL;
}

static const ps_disclosure_t no_control = {0, 0, 0};

/* Every golden value of 'set' in 'file' against the report's (rows of a cohort, "all" or
 * "comparison"; rows of one person are for tests of their own); returns how many were
 * checked. */
static int check_golden_in(const char *file, const char *set, const ps_service_report_t *report,
                           const char *comparison)
{
    char *path = golden(file);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f);
    free(path);
    char line[256];
    int checked = 0;
    while (fgets(line, sizeof line, f)) {
        char name_set[64], group[64], statistic[64], value[64];
        if (sscanf(line, "%63[^,],%63[^,],%63[^,],%63s", name_set, group, statistic, value) != 4 ||
            strcmp(name_set, set) != 0 ||
            (strcmp(group, "all") != 0 && strcmp(group, "comparison") != 0))
            continue;
        const ps_statistic_t *s = figure_of(report, "ae_attendances", group, comparison, statistic);
        cr_assert_not_null(s, "%s %s: no %s in the report", set, group, statistic);
        if (strcmp(value, "NA") == 0) {
            cr_assert_eq(s->shown, PS_NOT_COMPUTABLE, "%s %s %s: R says NA, promscore %.17g", set,
                         group, statistic, s->value);
            cr_assert_not_null(s->reason);
        } else {
            double want = strtod(value, NULL);
            cr_assert_eq(s->shown, PS_SHOWN, "%s %s %s: R says %s, promscore: %s", set, group,
                         statistic, value, s->reason ? s->reason : "hidden");
            double tolerance = 1e-9 * fmax(fabs(want), 1e-300);
            cr_assert(fabs(s->value - want) <= tolerance || (want == 0 && fabs(s->value) < 1e-12),
                      "%s %s %s: R %.17g, promscore %.17g", set, group, statistic, want, s->value);
        }
        checked++;
    }
    fclose(f);
    return checked;
}

static int check_golden(const char *set, const ps_service_report_t *report, const char *comparison)
{
    return check_golden_in("expected.csv", set, report, comparison);
}

static const ps_service_window_t year_after[] = {{"pre12", 365}, {"post12", 365}};

Test(service_golden, equal_windows)
{
    ps_context_t *context = context_only();
    ps_service_definition_t *d = shipped(context);
    static const char *const sets[] = {"equal", "none_after", "proportional", "single"};
    for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++) {
        char file[64];
        snprintf(file, sizeof file, "%s.csv", sets[i]);
        ps_service_report_t *r = golden_report(context, d, file, NULL, year_after, &no_control, NULL);
        cr_assert_eq(check_golden(sets[i], r, "pre12->post12"), 19, "%s", sets[i]);
        ps_service_report_free(r);
    }
    ps_service_definition_free(d);
    ps_context_free(context);
}

Test(service_golden, exposure_and_windows_of_different_lengths)
{
    ps_context_t *context = context_only();
    ps_service_definition_t *d = shipped(context);
    static const ps_service_window_t half_year[] = {{"pre12", 365}, {"post6", 183}};
    ps_service_report_t *r =
        golden_report(context, d, "exposure.csv", NULL, half_year, &no_control, NULL);
    cr_assert_eq(check_golden("exposure", r, "pre12->post6"), 19);
    const ps_statistic_t *change = figure_of(r, "ae_attendances", "all", "pre12->post6",
                                             "events_change");
    cr_assert_str_eq(change->reason, "windows of different lengths (365 and 183 days): compare the "
                                     "rates");
    /* bed_days, recorded for two people only, is a block of its own. */
    const ps_statistic_t *beds = figure_of(r, "bed_days", "all", "pre12->post6", "n_people");
    cr_assert_not_null(beds);
    cr_assert_eq(beds->value, 2, "E10 and E11 have bed days in both windows");
    ps_service_report_free(r);
    ps_service_definition_free(d);
    ps_context_free(context);
}

Test(service_golden, comparison_cohorts_that_fall_alike_and_unlike)
{
    ps_context_t *context = context_only();
    ps_service_definition_t *d = shipped(context);
    ps_service_report_t *r = golden_report(context, d, "camden_referred.csv",
                                           "camden_comparison.csv", year_after, &no_control, NULL);
    cr_assert_eq(check_golden("camden", r, "pre12->post12"), 2 * 19 + 3);
    /* A large fall, and a net effect near 1 whose interval includes it. */
    cr_assert_lt(figure_of(r, "ae_attendances", "all", "pre12->post12", "events_change")->value,
                 -0.3);
    cr_assert_lt(figure_of(r, "ae_attendances", "all", "pre12->post12", "net_rate_ratio_ci_low")
                     ->value,
                 1);
    cr_assert_gt(figure_of(r, "ae_attendances", "all", "pre12->post12", "net_rate_ratio_ci_high")
                     ->value,
                 1);
    cr_assert_null(figure_of(r, "ae_attendances", "comparison", "pre12->post12", "net_rate_ratio"),
                   "the net figures are the referred cohort's");
    ps_service_report_free(r);
    r = golden_report(context, d, "steeper_referred.csv", "camden_comparison.csv", year_after,
                      &no_control, NULL);
    cr_assert_eq(check_golden("steeper", r, "pre12->post12"), 2 * 19 + 3);
    cr_assert_lt(figure_of(r, "ae_attendances", "all", "pre12->post12", "net_rate_ratio_ci_high")
                     ->value,
                 1, "a fall beyond the comparison's shows");
    ps_service_report_free(r);
    ps_service_definition_free(d);
    ps_context_free(context);
}

/* ---- Disclosure control. ---- */

Test(service_disclosure, small_counts_of_people_and_what_rests_on_them)
{
    ps_context_t *context = context_only();
    ps_service_definition_t *d = shipped(context);
    const ps_disclosure_t rule = {1, 7, 0};
    ps_service_report_t *r = golden_report(context, d, "equal.csv", NULL, year_after, &rule, NULL);
    const char *c = "pre12->post12";
    /* 12 people: 9 fell, 1 stayed, 2 rose; 2 with none after. */
    static const char *const hidden[] = {"n_stayed", "n_rose", "n_none_after",
                                         "share_none_after"};
    for (size_t i = 0; i < sizeof hidden / sizeof hidden[0]; i++)
        cr_assert_eq(figure_of(r, "ae_attendances", "all", c, hidden[i])->shown, PS_SUPPRESSED,
                     "%s", hidden[i]);
    /* n_people = n_fell + 1 + 2: the two small ones stay hidden together. */
    cr_assert_eq(figure_of(r, "ae_attendances", "all", c, "n_people")->value, 12);
    cr_assert_eq(figure_of(r, "ae_attendances", "all", c, "n_fell")->value, 9);
    cr_assert_eq(figure_of(r, "ae_attendances", "all", c, "rate_ratio")->shown, PS_SHOWN);
    const ps_audit_t *audit = ps_service_report_audit(r);
    cr_assert_eq(audit->primary, 3);
    cr_assert_eq(audit->counts, 9);
    cr_assert_not_null(strstr(ps_service_report_disclosure_rule(r),
                              "Counts of people and of events from 1 to 7"));
    ps_service_report_free(r);
    /* One person: every figure about them is hidden, with its reason ("needs 2 or more
     * people" would tell how many); their 9 events before are not a count of people. */
    r = golden_report(context, d, "single.csv", NULL, year_after, &rule, NULL);
    cr_assert_eq(figure_of(r, "ae_attendances", "all", c, "n_people")->shown, PS_SUPPRESSED);
    cr_assert_eq(figure_of(r, "ae_attendances", "all", c, "events_before")->value, 9);
    size_t figures = 0;
    for (size_t i = 0; i < ps_service_report_count(r); i++) {
        const ps_statistic_t *s = ps_service_report_statistic(r, i);
        if (s->is_count)
            continue;
        cr_assert_eq(s->shown, PS_SUPPRESSED, "%s", s->name);
        cr_assert_null(s->reason, "%s", s->name);
        figures++;
    }
    cr_assert_eq(figures, 10);
    ps_service_report_free(r);
    ps_service_definition_free(d);
    ps_context_free(context);
}

Test(service_disclosure, events_are_counts_and_rounding_withholds_rates)
{
    ps_context_t *context = context_only();
    ps_service_definition_t *d = shipped(context);
    const ps_disclosure_t rule = {1, 7, 5};
    ps_service_report_t *r = golden_report(context, d, "equal.csv", NULL, year_after, &rule, NULL);
    const char *c = "pre12->post12";
    /* 115 events before, 52 after: published as 115 and 50, the change from those. */
    cr_assert_eq(figure_of(r, "ae_attendances", "all", c, "events_before")->value, 115);
    cr_assert_eq(figure_of(r, "ae_attendances", "all", c, "events_after")->value, 50);
    cr_assert_float_eq(figure_of(r, "ae_attendances", "all", c, "events_change")->value,
                       (50.0 - 115) / 115, 1e-12);
    static const char *const withheld[] = {"person_years_before", "person_years_after",
                                           "rate_before", "rate_after"};
    for (size_t i = 0; i < sizeof withheld / sizeof withheld[0]; i++) {
        const ps_statistic_t *s = figure_of(r, "ae_attendances", "all", c, withheld[i]);
        cr_assert_eq(s->shown, PS_SUPPRESSED, "%s", withheld[i]);
        cr_assert_not_null(strstr(s->note, "withheld under rounding"));
    }
    /* The ratio, to one decimal fewer than the text's two. */
    cr_assert_float_eq(figure_of(r, "ae_attendances", "all", c, "rate_ratio")->value, 0.5, 1e-12);
    ps_service_report_free(r);
    /* Small totals of events are suppressed like small counts of people. */
    const ps_disclosure_t strict = {1, 7, 0};
    r = golden_report(context, d, "none_after.csv", NULL, year_after, &strict, NULL);
    cr_assert_eq(figure_of(r, "ae_attendances", "all", c, "events_after")->value, 0, "0 stays 0");
    ps_service_report_free(r);
    r = golden_report(context, d, "exposure.csv", NULL,
                      (const ps_service_window_t[]){{"pre12", 365}, {"post6", 183}}, &strict,
                      NULL);
    const ps_statistic_t *beds = figure_of(r, "bed_days", "all", "pre12->post6", "events_after");
    cr_assert_eq(beds->shown, PS_SUPPRESSED, "4 bed days");
    cr_assert_eq(figure_of(r, "bed_days", "all", "pre12->post6", "rate_ratio")->shown,
                 PS_SUPPRESSED);
    ps_service_report_free(r);
    ps_service_definition_free(d);
    ps_context_free(context);
}

/* ---- The selection rule and the earlier window. ---- */

static ps_service_report_t *peak_report(ps_context_t *context, const ps_service_definition_t *d,
                                        const ps_disclosure_t *rule)
{
    static const ps_service_window_t three[] = {{"pre24", 365}, {"pre12", 365}, {"post12", 365}};
    ps_service_options_t o;
    ps_service_options_init(&o, sizeof o);
    o.windows = three;
    o.n_windows = 3;
    o.selected = "ae_attendances >= 6 in pre12";
    ps_service_cohort_t *cohort;
    cr_assert_eq(ps_service_cohort_new(context, d, &o, &cohort), PS_OK, "%s", last_message());
    cr_assert_str_eq(ps_service_cohort_before(cohort), "pre12", "the rule's window");
    char *path = test_data("service/peak.csv");
    cr_assert_eq(ps_service_read(cohort, path, PS_SERVICE_REFERRED, &handlers, NULL), PS_OK);
    free(path);
    ps_service_report_t *report;
    cr_assert_eq(ps_service_report(cohort, rule, &report), PS_OK, "%s", last_message());
    ps_service_cohort_free(cohort);
    return report;
}

Test(service_selection, the_earlier_window_shows_a_peak)
{
    ps_context_t *context = context_only();
    ps_service_definition_t *d = shipped(context);
    ps_service_report_t *r = peak_report(context, d, &no_control);
    /* The earlier window against the selection window first, then it against the later. */
    cr_assert_str_eq(ps_service_report_statistic(r, 0)->comparison, "pre24->pre12");
    cr_assert_str_eq(ps_service_report_statistic(r, ps_service_report_count(r) - 1)->comparison,
                     "pre12->post12");
    const ps_statistic_t *rise = figure_of(r, "ae_attendances", "all", "pre24->pre12", "rate_ratio");
    cr_assert_float_eq(rise->value, 74.0 / 26, 1e-12, "use rose into the selection year");
    cr_assert_float_eq(figure_of(r, "ae_attendances", "all", "pre12->post12", "rate_ratio")->value,
                       34.0 / 74, 1e-12);
    ps_service_report_free(r);
    ps_service_definition_free(d);
    ps_context_free(context);
}

Test(service_selection, the_rule_with_every_table_and_those_outside_it)
{
    ps_context_t *context = context_only();
    ps_service_definition_t *d = shipped(context);
    ps_service_report_t *r = peak_report(context, d, &no_control);
    static const char *const comparisons[] = {"pre24->pre12", "pre12->post12"};
    for (size_t k = 0; k < 2; k++) {
        const ps_statistic_t *least =
            figure_of(r, "ae_attendances", "all", comparisons[k], "selected_at_least");
        cr_assert_eq(least->value, 6);
        cr_assert_str_eq(least->note, "ae_attendances >= 6 in pre12");
    }
    /* P9 and P10 had 4 and 5 in pre12: counted where pre12 is the first window only. */
    const ps_statistic_t *outside =
        figure_of(r, "ae_attendances", "all", "pre12->post12", "n_outside_rule");
    cr_assert_eq(outside->value, 2);
    cr_assert_null(figure_of(r, "ae_attendances", "all", "pre24->pre12", "n_outside_rule"));
    /* The audit knows that those selected had 6 or more each: events_before (74) >= 6 *
     * (n_people - n_outside_rule). */
    size_t events = (size_t)(figure_of(r, "ae_attendances", "all", "pre12->post12",
                                       "events_before") -
                             ps_service_report_statistic(r, 0));
    size_t people = (size_t)(figure_of(r, "ae_attendances", "all", "pre12->post12", "n_people") -
                             ps_service_report_statistic(r, 0));
    size_t out = (size_t)(outside - ps_service_report_statistic(r, 0));
    int found = 0;
    for (size_t k = 0; k < ps_service_report_relation_count(r); k++) {
        ps_relation_t rel;
        cr_assert(ps_service_report_relation(r, k, &rel));
        if (rel.n == 3 && rel.statistics[0] == events && rel.statistics[1] == people &&
            rel.statistics[2] == out) {
            cr_assert(rel.coefficients[0] == 1 && rel.coefficients[1] == -6 &&
                      rel.coefficients[2] == 6);
            cr_assert(rel.lo == 0 && isinf(rel.hi));
            found++;
        }
    }
    cr_assert_eq(found, 1);
    ps_service_report_free(r);
    /* Two outside the rule: a small count, hidden. */
    const ps_disclosure_t rule = {1, 7, 0};
    r = peak_report(context, d, &rule);
    cr_assert_eq(figure_of(r, "ae_attendances", "all", "pre12->post12", "n_outside_rule")->shown,
                 PS_SUPPRESSED);
    ps_service_report_free(r);
    ps_service_definition_free(d);
    ps_context_free(context);
}

/* ---- Empirical Bayes and the quasi-Poisson interval (tests/golden/service/eb.R). ---- */

/* A report of golden files (comparison may be NULL) over two windows, with a population (a
 * golden file, "nb:...", or NULL) and an interval. */
static ps_service_report_t *eb_report(ps_context_t *context, const ps_service_definition_t *d,
                                      const char *referred, const char *comparison,
                                      const ps_service_window_t *windows,
                                      const ps_disclosure_t *rule, const char *selected,
                                      const char *population, int interval)
{
    char *file = population && strncmp(population, "nb:", 3) ? golden(population) : NULL;
    ps_service_options_t o;
    ps_service_options_init(&o, sizeof o);
    o.windows = windows;
    o.n_windows = 2;
    o.selected = selected;
    o.population = file ? file : population;
    o.population_source = "a synthetic population (tests/golden/service/eb.R)";
    o.interval = interval;
    ps_service_cohort_t *cohort;
    cr_assert_eq(ps_service_cohort_new(context, d, &o, &cohort), PS_OK, "%s", last_message());
    free(file);
    const char *files[2] = {referred, comparison};
    for (int arm = 0; arm < 2; arm++) {
        if (!files[arm])
            continue;
        char *path = golden(files[arm]);
        cr_assert_eq(ps_service_read(cohort, path, (ps_service_arm_t)arm, &handlers, NULL), PS_OK,
                     "%s: %s", files[arm], last_message());
        free(path);
    }
    ps_service_report_t *report;
    cr_assert_eq(ps_service_report(cohort, rule, &report), PS_OK, "%s", last_message());
    ps_service_cohort_free(cohort);
    return report;
}

static const char *const rule6 = "ae_attendances >= 6 in pre12";

Test(service_bayes, a_fall_as_expected_and_a_fall_beyond_it)
{
    ps_context_t *context = context_only();
    ps_service_definition_t *d = shipped(context);
    const char *c = "pre12->post12";
    /* The Camden cohort falls as the fitted population predicts. */
    ps_service_report_t *r = eb_report(context, d, "camden_referred.csv", "camden_comparison.csv",
                                       year_after, &no_control, rule6, "population.csv",
                                       PS_SERVICE_ROBUST);
    cr_assert_eq(check_golden_in("eb_expected.csv", "camden_eb", r, c), 6);
    cr_assert_lt(figure_of(r, "ae_attendances", "all", c, "events_change")->value, -0.3,
                 "a large observed fall");
    cr_assert_lt(figure_of(r, "ae_attendances", "all", c, "eb_index_ci_low")->value, 1);
    cr_assert_gt(figure_of(r, "ae_attendances", "all", c, "eb_index_ci_high")->value, 1);
    const ps_statistic_t *mean = figure_of(r, "ae_attendances", "all", c, "eb_population_mean");
    cr_assert_not_null(strstr(mean->note, "negative binomial fitted by maximum likelihood (as "
                                          "MASS::glm.nb) to "));
    cr_assert_not_null(strstr(mean->note, "population.csv, 19998 people; source: a synthetic "
                                          "population (tests/golden/service/eb.R)"));
    /* The referred cohort's, on the rule's measure from the rule's window only. */
    cr_assert_null(figure_of(r, "ae_attendances", "comparison", c, "eb_index"));
    cr_assert_null(figure_of(r, "ae_attendances", "comparison", c, "eb_population_mean"));
    ps_service_report_free(r);
    /* The steeper cohort falls beyond it. */
    r = eb_report(context, d, "steeper_referred.csv", NULL, year_after, &no_control, rule6,
                  "population.csv", PS_SERVICE_ROBUST);
    cr_assert_eq(check_golden_in("eb_expected.csv", "steeper_eb", r, c), 6);
    cr_assert_lt(figure_of(r, "ae_attendances", "all", c, "eb_index_ci_high")->value, 1);
    ps_service_report_free(r);
    ps_service_definition_free(d);
    ps_context_free(context);
}

Test(service_bayes, time_observed_in_part_of_either_window)
{
    ps_context_t *context = context_only();
    ps_service_definition_t *d = shipped(context);
    static const ps_service_window_t half_year[] = {{"pre12", 365}, {"post6", 183}};
    ps_service_report_t *r =
        eb_report(context, d, "exposure.csv", NULL, half_year, &no_control,
                  "ae_attendances >= 4 in pre12", "nb:mean=1.8,shape=0.6", PS_SERVICE_ROBUST);
    cr_assert_eq(check_golden_in("eb_expected.csv", "exposure_eb", r, "pre12->post6"), 6);
    cr_assert_str_eq(figure_of(r, "ae_attendances", "all", "pre12->post6", "eb_population_mean")
                         ->note,
                     "negative binomial as given (mean 1.8, shape 0.6); source: a synthetic "
                     "population (tests/golden/service/eb.R)");
    cr_assert_null(figure_of(r, "bed_days", "all", "pre12->post6", "eb_index"),
                   "not the measure the people were selected by");
    ps_service_report_free(r);
    ps_service_definition_free(d);
    ps_context_free(context);
}

Test(service_bayes, quasi_poisson_intervals_as_glm_gives_them)
{
    ps_context_t *context = context_only();
    ps_service_definition_t *d = shipped(context);
    static const char *const sets[] = {"equal", "proportional"};
    for (size_t i = 0; i < 2; i++) {
        char file[64], set[64];
        snprintf(file, sizeof file, "%s.csv", sets[i]);
        snprintf(set, sizeof set, "%s_quasi", sets[i]);
        ps_service_report_t *r = eb_report(context, d, file, NULL, year_after, &no_control, NULL,
                                           NULL, PS_SERVICE_QUASI_POISSON);
        cr_assert_eq(check_golden_in("eb_expected.csv", set, r, "pre12->post12"), 3, "%s", set);
        cr_assert_not_null(strstr(figure_of(r, "ae_attendances", "all", "pre12->post12",
                                            "rate_ratio")->note,
                                  "95% CI quasi-Poisson"));
        ps_service_report_free(r);
    }
    static const ps_service_window_t half_year[] = {{"pre12", 365}, {"post6", 183}};
    ps_service_report_t *r = eb_report(context, d, "exposure.csv", NULL, half_year, &no_control,
                                       NULL, NULL, PS_SERVICE_QUASI_POISSON);
    cr_assert_eq(check_golden_in("eb_expected.csv", "exposure_quasi", r, "pre12->post6"), 3);
    ps_service_report_free(r);
    static const char *const referred[] = {"camden", "steeper"};
    for (size_t i = 0; i < 2; i++) {
        char file[64], set[64];
        snprintf(file, sizeof file, "%s_referred.csv", referred[i]);
        snprintf(set, sizeof set, "%s_quasi", referred[i]);
        r = eb_report(context, d, file, "camden_comparison.csv", year_after, &no_control, NULL,
                      NULL, PS_SERVICE_QUASI_POISSON);
        cr_assert_eq(check_golden_in("eb_expected.csv", set, r, "pre12->post12"), 9, "%s", set);
        ps_service_report_free(r);
    }
    /* The default interval is the one the catalogue describes: no note. */
    r = eb_report(context, d, "equal.csv", NULL, year_after, &no_control, NULL, NULL,
                  PS_SERVICE_ROBUST);
    cr_assert_null(figure_of(r, "ae_attendances", "all", "pre12->post12", "rate_ratio")->note);
    ps_service_report_free(r);
    ps_service_definition_free(d);
    ps_context_free(context);
}

/* A cohort's options with a population; returns what ps_service_cohort_new says. */
static ps_error_t cohort_with_population(ps_context_t *context, const ps_service_definition_t *d,
                                         const char *selected, const char *population,
                                         int interval)
{
    ps_service_options_t o;
    ps_service_options_init(&o, sizeof o);
    o.windows = two_windows;
    o.n_windows = 2;
    o.selected = selected;
    o.population = population;
    o.interval = interval;
    ps_service_cohort_t *cohort = NULL;
    ps_error_t err = ps_service_cohort_new(context, d, &o, &cohort);
    cr_assert_eq(cohort == NULL, err != PS_OK);
    ps_service_cohort_free(cohort);
    return err;
}

Test(service_bayes, populations_and_intervals_refused_with_their_reasons)
{
    ps_context_t *context = context_only();
    ps_service_definition_t *d = shipped(context);
    cr_assert_eq(cohort_with_population(context, d, NULL, "nb:mean=1.8,shape=0.6", 0),
                 PS_ERROR_USAGE);
    cr_assert_str_eq(last_message(),
                     "a population for empirical Bayes needs the selection rule (--selected): the "
                     "expected counts follow from the count that chose the people, in the window "
                     "it was counted in");
    static const struct {
        const char *spec, *why;
    } specs[] = {
        {"nb:mean=1.8", "both mean and shape are needed"},
        {"nb:mean=1.8,shape=0", "mean and shape are numbers above 0"},
        {"nb:mean=1.8,shape=x",
         "mean and shape are numbers above 0, and 'x' is not a number written in decimal "
         "digits, such as 12 or 2.5 (no exponent such as 1e3, hex such as 0x10, or separator)"},
        {"nb:mean=0x10,shape=1",
         "mean and shape are numbers above 0, and '0x10' is not a number written in decimal "
         "digits, such as 12 or 2.5 (no exponent such as 1e3, hex such as 0x10, or separator)"},
        {"nb:mean=1.8,shape=1e1",
         "mean and shape are numbers above 0, and '1e1' is not a number written in decimal "
         "digits, such as 12 or 2.5 (no exponent such as 1e3, hex such as 0x10, or separator)"},
        {"nb:mean=1.8,mean=2,shape=1", "a figure is given twice"},
        {"nb:mean=1.8,size=0.6", "expected mean=M and shape=K"},
    };
    for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
        cr_assert_eq(cohort_with_population(context, d, rule6, specs[i].spec, 0), PS_ERROR_USAGE);
        char *want;
        cr_assert_geq(asprintf(&want, "population '%s': %s; give \"nb:mean=M,shape=K\" (the "
                                      "negative binomial of the selection count among all "
                                      "attenders, both above 0) or a CSV file with columns "
                                      "count and people",
                               specs[i].spec, specs[i].why),
                      0);
        cr_assert_str_eq(last_message(), want);
        free(want);
    }
    /* Spaces around the figures are fine. */
    cr_assert_eq(cohort_with_population(context, d, rule6, "nb: mean = 1.8 , shape=0.6", 0),
                 PS_OK, "%s", last_message());
    cr_assert_eq(cohort_with_population(context, d, rule6, NULL, 2), PS_ERROR_USAGE);
    cr_assert_str_eq(last_message(), "interval 2: robust (0) or quasi-Poisson (1)");
    ps_service_definition_free(d);
    ps_context_free(context);
}

Test(service_bayes, population_histograms_refused_naming_line_and_column)
{
    ps_context_t *context = context_only();
    ps_service_definition_t *d = shipped(context);
    static const struct {
        const char *csv, *why;
        unsigned long line, column;
    } files[] = {
        {"count,n\n0,5\n", "a population histogram has columns count (events in the selection "
                           "window) and people (how many had that count)", 1, 0},
        {"count,people\n0,50\n1,x\n",
         "people 'x': not a whole number written in decimal digits, such as 12 (no exponent "
         "such as 1e3, hex such as 0x10, or separator) (how many people had the count, at most "
         "1e12)",
         3, 2},
        {"count,people\n0,1000\n1,0x10\n",
         "people '0x10': not a whole number written in decimal digits, such as 12 (no exponent "
         "such as 1e3, hex such as 0x10, or separator) (how many people had the count, at most "
         "1e12)",
         3, 2},
        {"count,people\n0,1000\n1e0,10\n",
         "count '1e0': not a whole number written in decimal digits, such as 12 (no exponent "
         "such as 1e3, hex such as 0x10, or separator) (events in the selection window, at most "
         "100000)",
         3, 1},
        {"people,count\n50,0\n3,1.5\n", "count '1.5': not a whole number, 0 or more (events in "
                                        "the selection window, at most 100000)", 3, 2},
        {"count,people\n0,50\n1,20\n0,3\n", "count 0 is given twice (also on line 2)", 4, 1},
        {"count,people\n0,50\n1,20,3\n", "3 fields where the header has 2", 3, 0},
        {"count,people\n0,10\n2,10\n", "population histogram: the counts vary no more than a "
                                       "Poisson's (variance not above the mean): no finite "
                                       "negative binomial shape; every person would be "
                                       "expected at the mean", 0, 0},
        {"", "empty: no histogram", 0, 0},
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char *path = test_file("population.csv", files[i].csv, -1);
        cr_assert_eq(cohort_with_population(context, d, rule6, path, 0), PS_ERROR_BATCH, "%zu",
                     i);
        cr_assert_str_eq(last_message(), files[i].why);
        const struct captured_diagnostic *last = &capture.diagnostics[capture.n_diagnostics - 1];
        cr_assert_eq(last->line, files[i].line, "%zu", i);
        cr_assert_eq(last->column, files[i].column, "%zu", i);
        free(path);
    }
    ps_service_definition_free(d);
    ps_context_free(context);
}

Test(service_bayes, hidden_when_the_events_it_rests_on_are)
{
    ps_context_t *context = context_only();
    ps_service_definition_t *d = shipped(context);
    /* Ten people, 3 events before among them: a small count, and the expected count (10 k + 3)
     * mean / (k + mean) would give it back. */
    ps_service_cohort_t *cohort = NULL;
    ps_service_options_t o;
    ps_service_options_init(&o, sizeof o);
    o.windows = two_windows;
    o.n_windows = 2;
    o.selected = "ae_attendances >= 0 in pre12";
    o.population = "nb:mean=1.8,shape=0.6";
    cr_assert_eq(ps_service_cohort_new(context, d, &o, &cohort), PS_OK, "%s", last_message());
    char *csv = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&csv, &size);
    fputs("participant_id,window,ae_attendances\n", f);
    for (int p = 0; p < 10; p++)
        fprintf(f, "P%d,pre12,%d\nP%d,post12,%d\n", p, p == 0 ? 3 : 0, p, p < 5 ? 2 : 1);
    fclose(f);
    ps_batch_summary_t summary;
    cr_assert_eq(read_text(cohort, csv, PS_SERVICE_REFERRED, &summary), PS_OK);
    free(csv);
    const ps_disclosure_t strict = {1, 7, 0}, rounding = {1, 7, 5};
    ps_service_report_t *r;
    cr_assert_eq(ps_service_report(cohort, &strict, &r), PS_OK);
    const char *c = "pre12->post12";
    cr_assert_eq(figure_of(r, "ae_attendances", "all", c, "events_before")->shown, PS_SUPPRESSED);
    cr_assert_eq(figure_of(r, "ae_attendances", "all", c, "n_people")->value, 10);
    static const char *const hidden[] = {"eb_expected_after", "eb_index", "eb_index_ci_low",
                                         "eb_index_ci_high"};
    for (size_t i = 0; i < 4; i++)
        cr_assert_eq(figure_of(r, "ae_attendances", "all", c, hidden[i])->shown, PS_SUPPRESSED,
                     "%s", hidden[i]);
    cr_assert_eq(figure_of(r, "ae_attendances", "all", c, "eb_population_mean")->value, 1.8,
                 "about no one");
    ps_service_report_free(r);
    ps_service_cohort_free(cohort);
    /* Under rounding the expected count, beside the counts, is withheld; the index is
     * rounded to one decimal fewer than the text's two. */
    r = eb_report(context, d, "camden_referred.csv", NULL, year_after, &rounding, rule6,
                  "population.csv", PS_SERVICE_ROBUST);
    const ps_statistic_t *expected = figure_of(r, "ae_attendances", "all", c, "eb_expected_after");
    cr_assert_eq(expected->shown, PS_SUPPRESSED);
    cr_assert_not_null(expected->note);
    cr_assert_not_null(strstr(expected->note, "withheld under rounding"));
    cr_assert_eq(figure_of(r, "ae_attendances", "all", c, "eb_index")->value, 1.0, "0.9965");
    cr_assert_float_eq(figure_of(r, "ae_attendances", "all", c, "eb_index_ci_low")->value, 0.8,
                       1e-12);
    ps_service_report_free(r);
    ps_service_definition_free(d);
    ps_context_free(context);
}
