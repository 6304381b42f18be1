/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * promscore service: the command line's report of service use before and after, in text,
 * CSV and JSON, its refusals and its exit statuses.
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "helpers.h"

static char *golden(const char *name)
{
    char *relative, *path;
    cr_assert_geq(asprintf(&relative, "../golden/service/%s", name), 0);
    path = test_data(relative);
    free(relative);
    return path;
}

static void assert_has(const char *text, const char *part)
{
    cr_assert_not_null(strstr(text, part), "wanted \"%s\" in:\n%s", part, text);
}

Test(cli_service, the_camden_fixture_in_text)
{
    char *referred = golden("camden_referred.csv"), *comparison = golden("camden_comparison.csv");
    struct run_result r = RUN("service", "-w", "pre12=365,post12=365", "-s",
                          "ae_attendances >= 6 in pre12", "-c", comparison, referred);
    cr_assert_eq(r.status, 0, "%s", r.err);
    assert_has(r.out, "== ae_attendances: A&E attendances (attendances)\n"
                      "   Selected: ae_attendances >= 6 in pre12\n");
    assert_has(r.out, "    attendances: 300 in pre12 (10.01 per person-year over 30.0 "
                      "person-years); 188 in post12 (6.27 per person-year over 30.0 "
                      "person-years)\n");
    assert_has(r.out, "    change in the total: -37.3%; rate ratio post12/pre12: 0.63 (95% CI "
                      "0.57 to 0.69; within-person, cluster-robust)\n");
    assert_has(r.out, "    net of the comparison cohort (its rate ratio divided out): 1.03 (95% "
                      "CI 0.90 to 1.16)\n");
    assert_has(r.out, "  pre12->post12, the comparison cohort\n");
    /* 1 stayed and 2 rose: hidden, with what would give them away. */
    assert_has(r.out, "    each person's rate: fell for 27 (90.0%), stayed for *, rose for *;");
    assert_has(r.err, "camden_referred.csv: 60 rows read, 60 used, 0 refused\n");
    assert_has(r.err, "camden_comparison.csv: 60 rows read, 60 used, 0 refused (comparison "
                      "cohort)\n");
    cr_assert_null(strstr(r.out, "NOT FOR RELEASE"));
    run_result_free(&r);
    free(referred);
    free(comparison);
}

Test(cli_service, csv_in_the_report_columns)
{
    char *counts = golden("equal.csv");
    struct run_result r = RUN("service", "-f", "csv", "--window", "pre12=365", "--window",
                          "post12=365", counts);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_eq(strncmp(r.out, "instrument,scale,group,comparison,statistic,kind,value,"
                                "suppressed,note\n",
                         71),
                 0, "%s", r.out);
    assert_has(r.out, "\nservice_use,ae_attendances,all,pre12->post12,rate_ratio,figure,"
                      "0.45217391304347831,no,\n");
    assert_has(r.out, "\nservice_use,ae_attendances,all,pre12->post12,events_before,count,115,"
                      "no,\n");
    assert_has(r.out, "\nservice_use,ae_attendances,all,pre12->post12,n_rose,count,,yes,\n");
    run_result_free(&r);
    /* Windows of different lengths: no change in the total, with the reason. */
    free(counts);
    counts = golden("exposure.csv");
    r = RUN("service", "-f", "csv", "-w", "pre12=365,post6=183", "--no-suppress", counts);
    cr_assert_eq(r.status, 0, "%s", r.err);
    assert_has(r.out, "\nservice_use,ae_attendances,all,pre12->post6,events_change,change,,"
                      "not computable: windows of different lengths (365 and 183 days): compare "
                      "the rates,\"not attributable: if these people were chosen for high use, "
                      "a fall is expected without any intervention (regression to the mean); no "
                      "counterfactual (no comparison cohort)\"\n");
    run_result_free(&r);
    free(counts);
}

Test(cli_service, json_with_the_rule_and_relations)
{
    char *counts = golden("camden_referred.csv");
    struct run_result r = RUN("service", "-f", "json", "-w", "pre12=365,post12=365", "--selected",
                          "ae_attendances > 5", counts);
    cr_assert_eq(r.status, 0, "%s", r.err);
    assert_has(r.out, "\"selected\": \"ae_attendances >= 6 in pre12\"");
    assert_has(r.out, "\"windows\": [{\"name\": \"pre12\", \"days\": 365}, {\"name\": "
                      "\"post12\", \"days\": 365}]");
    assert_has(r.out, "\"statistic\": \"selected_at_least\", \"kind\": \"constant\", \"value\": "
                      "6, \"suppressed\": false, \"not_computable\": null, \"note\": "
                      "\"ae_attendances >= 6 in pre12\"}");
    assert_has(r.out, "\"statistic\": \"n_outside_rule\", \"kind\": \"count\", \"value\": 0,");
    assert_has(r.out, "\"relations\": [\n    {\"terms\": [");
    run_result_free(&r);
    free(counts);
}

Test(cli_service, refusals_and_exit_statuses)
{
    char *counts = golden("equal.csv");
    struct run_result r = RUN("service", counts);
    cr_assert_eq(r.status, 2);
    assert_has(r.err, "promscore: service: give the windows in time order with their lengths "
                      "in days, e.g. --window pre12=365,post12=365\n");
    run_result_free(&r);
    r = RUN("service", "-w", "pre12", counts);
    cr_assert_eq(r.status, 2);
    assert_has(r.err, "--window takes NAME=DAYS (e.g. pre12=365), not 'pre12'");
    run_result_free(&r);
    r = RUN("service", "-w", "pre12=365,post12=365", "-s", "ae_attendances <= 6", counts);
    cr_assert_eq(r.status, 2);
    assert_has(r.err, "selection rule 'ae_attendances <= 6': expected MEASURE >= N in WINDOW");
    run_result_free(&r);
    r = RUN("service", "-w", "pre12=365,post12=365", "-o", counts, counts);
    cr_assert_eq(r.status, 2, "the report may not replace its input");
    run_result_free(&r);
    /* A row refused: written, exit status 1, the row named. */
    char *bad = test_file("counts.csv", "participant_id,window,ae_attendances,site\nA,pre12,7,x\n"
                                        "A,post12,-2,x\nB,pre12,9,y\nB,post12,4,y\n",
                          -1);
    r = RUN("service", "-w", "pre12=365,post12=365", "--no-suppress", bad);
    cr_assert_eq(r.status, 1, "%s", r.err);
    assert_has(r.err, ":3:3: column ae_attendances, value \"-2\": a count cannot be negative\n");
    assert_has(r.out, "NOT FOR RELEASE: small numbers not suppressed (--no-suppress).");
    assert_has(r.err, "counts.csv:1:4: column 'site' is not a measure of service_use (");
    assert_has(r.out, "    people: 1 with counts in both windows; 1 with a count in pre12 and "
                      "none in post12\n");
    run_result_free(&r);
    /* A file of measures that is not one. */
    r = RUN("service", "-w", "pre12=365,post12=365", "-m", counts, counts);
    cr_assert_eq(r.status, 3);
    run_result_free(&r);
    free(bad);
    free(counts);
}

Test(cli_service, listed_in_the_help)
{
    struct run_result r = RUN("--help");
    assert_has(r.out, "  service      compare service use");
    run_result_free(&r);
    r = RUN("service", "--help");
    cr_assert_eq(r.status, 0);
    assert_has(r.out, "Usage: promscore service -w NAME=DAYS,... [OPTION]... COUNTS.csv...\n");
    run_result_free(&r);
}

Test(cli_service, regression_to_the_mean_and_the_counterfactual_at_hand)
{
    char *referred = golden("camden_referred.csv"), *comparison = golden("camden_comparison.csv");
    char *peak = test_data("service/peak.csv");
    /* A rule, no comparison, no earlier window: the fall cannot be attributed. */
    struct run_result r = RUN("service", "-w", "pre12=365,post12=365", "-s",
                          "ae_attendances >= 6 in pre12", referred);
    cr_assert_eq(r.status, 0, "%s", r.err);
    assert_has(r.out, "Regression to the mean:\n  These people were selected because their use "
                      "was high (ae_attendances >= 6 in pre12).\n");
    run_result_free(&r);
    r = RUN("service", "-f", "json", "-w", "pre12=365,post12=365", "-s",
            "ae_attendances >= 6 in pre12", referred);
    cr_assert_eq(r.status, 0, "%s", r.err);
    assert_has(r.out, "(Finkelstein et al., NEJM 2020;382:152)");
    assert_has(r.out, "(Moe et al., Acad Emerg Med 2017;24:40)");
    assert_has(r.out, "(Lago et al., BMJ Open 2019;9:e027700)");
    assert_has(r.out, "No comparison cohort was given, so the fall cannot be attributed to the "
                      "service: report it as a change, not an effect");
    run_result_free(&r);
    /* With a comparison cohort: the net rate ratio is the part that may be the service's. */
    r = RUN("service", "-f", "json", "-w", "pre12=365,post12=365", "-s",
            "ae_attendances >= 6 in pre12", "-c", comparison, referred);
    cr_assert_eq(r.status, 0, "%s", r.err);
    assert_has(r.out, "A fall is expected without any intervention. The net rate ratio divides "
                      "out the fall of the comparison cohort, selected the same way");
    assert_has(r.out, "\"before\": \"pre12\"");
    run_result_free(&r);
    /* An earlier window: whether the selection year was a peak. */
    r = RUN("service", "-w", "pre24=365,pre12=365,post12=365", "-s",
            "ae_attendances >= 6 in pre12", peak);
    cr_assert_eq(r.status, 0, "%s", r.err);
    assert_has(r.out, "Windows: pre24 (365 days), pre12 (365 days), post12 (365 days); compared "
                      "with pre12\n");
    assert_has(r.out, "shows whether the selection window was a peak");
    assert_has(r.out, "  pre24->pre12, the people referred\n");
    assert_has(r.out, "rate ratio pre12/pre24: 2.85");
    run_result_free(&r);
    /* No rule: what follows if they were chosen for high use. */
    r = RUN("service", "-w", "pre12=365,post12=365", referred);
    cr_assert_eq(r.status, 0, "%s", r.err);
    assert_has(r.out, "The selection rule was not given (--selected). If these people were");
    assert_has(r.out, "   Selection rule: not given (--selected)\n");
    run_result_free(&r);
    free(referred);
    free(comparison);
    free(peak);
}

Test(cli_service, counts_from_a_spreadsheet)
{
    /* Saved by Excel where the decimal mark is a comma: windows-1252 and semicolons. */
    char *counts = test_file("counts.csv", "Patient;Period;ae_attendances\r\n"
                                           "A\xe9;pre12;7\r\nA\xe9;post12;2\r\n", -1);
    struct run_result r = RUN("service", "-f", "csv", "--no-suppress", "-w", "pre12=365,post12=365",
                          "--id-column", "patient", "--window-column", "PERIOD", "--encoding",
                          "windows-1252", "--delimiter", ";", counts);
    cr_assert_eq(r.status, 0, "%s", r.err);
    assert_has(r.out, ",n_people,count,1,no,\n");
    assert_has(r.out, ",events_after,count,2,no,\n");
    run_result_free(&r);
    r = RUN("service", "-w", "pre12=365,post12=365", "--delimiter", "ab", counts);
    cr_assert_eq(r.status, 2);
    assert_has(r.err, "service: --delimiter takes one character");
    run_result_free(&r);
    free(counts);
}

/* ---- Event lists. ---- */

static char *example(const char *name)
{
    char *relative, *path;
    cr_assert_geq(asprintf(&relative, "../../docs/examples/%s", name), 0);
    path = test_data(relative);
    free(relative);
    return path;
}

Test(cli_service, events_give_the_report_of_their_counts)
{
    char *counts = example("service-referred.csv"), *comparison = example("service-comparison.csv");
    char *events = example("service-events.csv"), *index = example("service-events-index.csv");
    struct run_result a = RUN("service", "-f", "csv", "-w", "pre24=365,pre12=365,post12=365", "-s",
                              "ae_attendances >= 6 in pre12", "-c", comparison, counts);
    struct run_result b = RUN("service", "-f", "csv", "-w", "pre24=365,pre12=365,post12=365", "-s",
                              "ae_attendances >= 6 in pre12", "-c", comparison, "--events", events,
                              "--index", index, "--observed-until", "2025-12-31");
    cr_assert_eq(a.status, 1, "HIU004's n/k: %s", a.err);
    cr_assert_eq(b.status, 1, "the n/k events: %s", b.err);
    cr_assert_gt(strlen(a.out), 10000);
    cr_assert_str_eq(b.out, a.out, "the same report, byte for byte");
    assert_has(b.err, "service-events-index.csv: 64 rows read, 64 used, 0 refused (index "
                      "dates)\n");
    assert_has(b.err, "service-events.csv: 676 rows read, 667 used, 9 refused (events)\n");
    assert_has(b.err, "service-events.csv:34:4: column quantity, value \"n/k\": not a whole "
                      "number from 1 to 1e9 (empty for 1): gp_consultations is not recorded for "
                      "this participant in pre12 (its count is not known)\n");
    run_result_free(&a);
    run_result_free(&b);
    /* The same in text. */
    a = RUN("service", "-w", "pre24=365,pre12=365,post12=365", counts);
    b = RUN("service", "-w", "pre24=365,pre12=365,post12=365", "--events", events, "--index",
            index, "--observed-until", "2025-12-31");
    cr_assert_str_eq(b.out, a.out);
    run_result_free(&a);
    run_result_free(&b);
    free(counts);
    free(comparison);
    free(events);
    free(index);
}

Test(cli_service, events_cut_at_the_end_date_and_every_refusal_named)
{
    char *events = test_data("service/events-exposure.csv");
    char *index = test_data("service/events-exposure-index.csv");
    /* C's year after runs to 8 February 2025, past the lists' last event (30 December 2024):
     * the days between are not known to be without use. */
    struct run_result r = RUN("service", "-w", "pre12=365,post12=365", "--no-suppress",
                              "--events", events, "--index", index);
    cr_assert_eq(r.status, 2, "%s", r.err);
    cr_assert_str_eq(r.err, "promscore: the windows of C reach 2025-02-08, past the latest event "
                            "in the lists (2024-12-30): give --observed-until with the last day "
                            "the extract covers, so that days it may not cover are not counted "
                            "as days without use\npromscore: nothing written\n");
    cr_assert_str_eq(r.out, "");
    run_result_free(&r);
    r = RUN("service", "-w", "pre12=365,post12=365", "--no-suppress", "--events", events,
            "--index", index, "--observed-until", "2025-02-08");
    cr_assert_eq(r.status, 0, "%s", r.err);
    /* 10 events over 3 years before; 3 over 365 + 120 + 365 days after: 850 / 365.25 = 2.33
     * person-years, 3 / 2.33 = 1.29 a person-year; rate ratio 3285 / 8500 = 0.39. */
    assert_has(r.out, "    attendances: 10 in pre12 (3.34 per person-year over 3.0 person-years); "
                      "3 in post12 (1.29 per person-year over 2.3 person-years)\n");
    assert_has(r.out, "rate ratio post12/pre12: 0.39 (95% CI ");
    assert_has(r.out, "    people: 3 with counts in both windows;");
    run_result_free(&r);
    free(events);
    free(index);
    events = test_data("service/events-refusals.csv");
    index = test_data("service/events-refusals-index.csv");
    r = RUN("service", "-w", "pre12=365,post12=365", "--no-suppress", "--events", events,
            "--index", index, "--observed-until", "2025-12-31");
    cr_assert_eq(r.status, 1, "%s", r.err);
    static const char *const named[] = {
        "events-refusals-index.csv:5:1: column participant_id, value \"P1\": a second row for "
        "this participant (the first is at line 2)\n",
        "events-refusals-index.csv:6:1: column participant_id, value \"\": missing participant "
        "id\n",
        "events-refusals-index.csv:7:2: column index_date, value \"\": missing index date\n",
        "events-refusals-index.csv:8:2: column index_date, value \"2024-02-30\": not a real date",
        "events-refusals-index.csv:9:3: column end_date, value \"2024-04-01\": the end date, "
        "2024-04-01, is before the index date, 2024-05-01\n",
        "events-refusals-index.csv:10:2: column index_date, value \"01/02/2024\": not an ISO 8601 "
        "date",
        "events-refusals-index.csv:11:2: column index_date, value \"24-01-01\": the year has "
        "fewer than four digits",
        "events-refusals.csv:7:2: column date, value \"2024-06-29\": 2024-06-29 is after the "
        "participant's end date, 2024-06-28 (",
        "events-refusals.csv:8:2: column date, value \"2022-01-01\": 2022-01-01 is outside every "
        "window: for the index date 2024-03-01 they run from 2023-03-02 to 2025-02-28\n",
        "events-refusals.csv:9:1: column participant_id, value \"P9\": participant is not in the "
        "index file ",
        "events-refusals.csv:10:1: column participant_id, value \"P4\": participant's row in the "
        "index file (",
        "events-refusals.csv:11:3: column measure, value \"ae_visits\": not a measure of "
        "service_use (",
        "events-refusals.csv:12:3: column measure, value \"\": missing measure\n",
        "events-refusals.csv:13:2: column date, value \"\": missing date: bed_days is not "
        "recorded for this participant in any window (its count is not known)\n",
        "events-refusals.csv:14:2: column date, value \"2023-13-01\": not a date written",
        "events-refusals.csv:15:4: column quantity, value \"0\": not a whole number from 1 to 1e9",
        "events-refusals.csv:16:4: column quantity, value \"1.5\": not a whole number",
        "events-refusals.csv:18: ragged row: 5 fields, the header has 4\n",
        "events-refusals-index.csv: 10 rows read, 3 used, 7 refused (index dates)\n",
        "events-refusals.csv: 18 rows read, 7 used, 11 refused (events)\n",
    };
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
        assert_has(r.err, named[i]);
    run_result_free(&r);
    free(events);
    free(index);
}

Test(cli_service, events_need_their_index_dates)
{
    char *events = test_data("service/events-exposure.csv");
    char *index = test_data("service/events-exposure-index.csv");
    struct run_result r = RUN("service", "-w", "pre12=365,post12=365", "--events", events);
    cr_assert_eq(r.status, 2);
    assert_has(r.err, "service: --events needs each participant's index date: give --index FILE "
                      "or --index-column NAME\n");
    run_result_free(&r);
    r = RUN("service", "-w", "pre12=365,post12=365", "--comparison-index", index, events);
    cr_assert_eq(r.status, 2);
    assert_has(r.err, "service: --comparison-index gives index dates for event lists: give them "
                      "with --comparison-events\n");
    run_result_free(&r);
    r = RUN("service", "-w", "before=365,after=365", "--events", events, "--index", index);
    cr_assert_eq(r.status, 2, "%s", r.err);
    assert_has(r.err, "no window is named post...: say which window is the first after the "
                      "index date (--first-after)");
    run_result_free(&r);
    r = RUN("service", "-w", "before=365,after=365", "--first-after", "after", "--events", events,
            "--index", index, "-o", index);
    cr_assert_eq(r.status, 2, "the report may not replace the index file");
    run_result_free(&r);
    r = RUN("service", "-w", "before=365,after=365", "--first-after", "after", "--events", events,
            "--index", index, "-f", "csv", "--no-suppress", "--observed-until", "2025-12-31");
    cr_assert_eq(r.status, 0, "%s", r.err);
    assert_has(r.out, ",before->after,rate_ratio,figure,0.38647058823529");
    run_result_free(&r);
    /* Observed until the end of June 2024: A's year after is 182 days, B's 120 (its end
     * date), C's 142: 444 / 365.25 person-years. */
    r = RUN("service", "-w", "pre12=365,post12=365", "--events", events, "--index", index, "-f",
            "csv", "--no-suppress", "--observed-until", "2024-06-30");
    cr_assert_eq(r.status, 1, "A's event of 30 December is refused: %s", r.err);
    assert_has(r.err, "events-exposure.csv:6:2: column date, value \"2024-12-30\": 2024-12-30 is "
                      "after the last day the event lists cover, 2024-06-30 (--observed-until)\n");
    assert_has(r.out, ",pre12->post12,person_years_after,figure,1.215605749486653,no,\n");
    run_result_free(&r);
    /* In the help. */
    r = RUN("service", "--help");
    assert_has(r.out, "      --events FILE         events of the people referred, one row each:\n");
    assert_has(r.out, "      --first-after NAME    the first window after the index date");
    run_result_free(&r);
    free(events);
    free(index);
}

Test(cli_service, empirical_bayes_a_fall_as_expected_and_one_beyond_it)
{
    char *referred = golden("camden_referred.csv"), *steeper = golden("steeper_referred.csv");
    char *population = golden("population.csv");
    /* The Camden cohort falls as the population predicts: an index near 1, its CI across 1. */
    struct run_result r = RUN("service", "-w", "pre12=365,post12=365", "-s",
                              "ae_attendances >= 6 in pre12", "--population", population,
                              "--population-source", "HES 2023/24, all attenders", referred);
    cr_assert_eq(r.status, 0, "%s", r.err);
    assert_has(r.out, "    empirical Bayes (population mean 0.869, shape 0.601): 188.1 expected "
                      "in post12 without intervention, 188 observed; index 1.00 (95% CI 0.82 to "
                      "1.18)\n");
    assert_has(r.out, "19998 people; source: HES 2023/24, all attenders\n");
    run_result_free(&r);
    /* The steeper cohort falls beyond it. */
    r = RUN("service", "-f", "csv", "-w", "pre12=365,post12=365", "-s",
            "ae_attendances >= 6 in pre12", "--population", population, steeper);
    cr_assert_eq(r.status, 0, "%s", r.err);
    assert_has(r.out, "\nservice_use,ae_attendances,all,pre12->post12,eb_index,figure,"
                      "0.46863355303");
    assert_has(r.out, "\nservice_use,ae_attendances,all,pre12->post12,eb_index_ci_high,figure,"
                      "0.58889611534");
    assert_has(r.out, "\nservice_use,ae_attendances,all,pre12->post12,eb_population_shape,"
                      "constant,0.600811014323");
    assert_has(r.out, "source: not declared\"\n");
    run_result_free(&r);
    /* JSON, with the population given as mean and shape. */
    r = RUN("service", "-f", "json", "-w", "pre12=365,post12=365", "-s",
            "ae_attendances >= 6 in pre12", "--population", "nb:mean=1.8,shape=0.6", referred);
    cr_assert_eq(r.status, 0, "%s", r.err);
    assert_has(r.out, "\"statistic\": \"eb_population_mean\", \"kind\": \"constant\", \"value\": "
                      "1.8, \"suppressed\": false, \"not_computable\": null, \"note\": \"negative "
                      "binomial as given (mean 1.8, shape 0.6); source: not declared\"}");
    assert_has(r.out, "\"statistic\": \"eb_expected_after\", \"kind\": \"figure\", \"value\": "
                      "238.5,");
    assert_has(r.out, "\"interval\": \"robust\"");
    /* The statement names the counterfactual at hand, not "cannot be attributed". */
    assert_has(r.out, "A fall is expected without any intervention. The empirical-Bayes figures "
                      "(Hauer 2002) give the events expected after without any intervention");
    cr_assert_null(strstr(r.out, "cannot be attributed"));
    run_result_free(&r);
    free(referred);
    free(steeper);
    free(population);
}

Test(cli_service, a_population_needs_the_rule_and_a_quasi_poisson_interval_on_request)
{
    char *referred = golden("camden_referred.csv"), *comparison = golden("camden_comparison.csv");
    struct run_result r = RUN("service", "-w", "pre12=365,post12=365", "--population",
                              "nb:mean=1.8,shape=0.6", referred);
    cr_assert_eq(r.status, 2);
    assert_has(r.err, "promscore: a population for empirical Bayes needs the selection rule "
                      "(--selected): the expected counts follow from the count that chose the "
                      "people, in the window it was counted in\n");
    cr_assert_str_eq(r.out, "");
    run_result_free(&r);
    char *flat = test_file("population.csv", "count,people\n0,10\n2,10\n", -1);
    r = RUN("service", "-w", "pre12=365,post12=365", "-s", "ae_attendances >= 6",
            "--population", flat, referred);
    cr_assert_eq(r.status, 3);
    assert_has(r.err, "population.csv: population histogram: the counts vary no more than a "
                      "Poisson's");
    run_result_free(&r);
    r = RUN("service", "-w", "pre12=365,post12=365", "--interval", "wald", referred);
    cr_assert_eq(r.status, 2);
    assert_has(r.err, "service: --interval is robust or quasi-poisson, not 'wald'\n");
    run_result_free(&r);
    r = RUN("service", "-w", "pre12=365,post12=365", "--interval", "quasi-poisson", "-c",
            comparison, referred);
    cr_assert_eq(r.status, 0, "%s", r.err);
    assert_has(r.out, "rate ratio post12/pre12: 0.63 (95% CI 0.51 to 0.77; within-person, "
                      "quasi-Poisson)\n");
    assert_has(r.out, "    net of the comparison cohort (its rate ratio divided out): 1.03 (95% "
                      "CI 0.77 to 1.36)\n");
    run_result_free(&r);
    r = RUN("service", "-f", "csv", "-w", "pre12=365,post12=365", "--interval", "quasi-poisson",
            referred);
    cr_assert_eq(r.status, 0, "%s", r.err);
    assert_has(r.out, "\nservice_use,ae_attendances,all,pre12->post12,rate_ratio_ci_low,figure,"
                      "0.51153434388");
    assert_has(r.out, ",\"95% CI quasi-Poisson (in place of cluster-robust): glm over each "
                      "person's two windows, dispersion from Pearson's chi-square, t with 2n - 2 "
                      "df\"\n");
    run_result_free(&r);
    free(flat);
    free(referred);
    free(comparison);
}

/* ---- By site. ---- */

Test(cli_service, by_site_beside_the_whole_in_text_csv_and_json)
{
    char *referred = test_data("service/groups-referred.csv");
    char *comparison = test_data("service/groups-comparison.csv");
    struct run_result r = RUN("service", "-w", "pre12=365,post12=365", "--by", "site", "-c",
                              comparison, referred);
    cr_assert_eq(r.status, 0, "%s", r.err);
    assert_has(r.out, "  pre12->post12, the comparison cohort\n");
    assert_has(r.out, "  pre12->post12, the people referred, site=North\n"
                      "    people: 10 with counts in both windows; 0 with a count in pre12 and "
                      "none in post12\n"
                      "    attendances: 80 in pre12 (8.01 per person-year over 10.0 "
                      "person-years); 40 in post12 (4.00 per person-year over 10.0 "
                      "person-years)\n");
    assert_has(r.out, "    net of the comparison cohort (its rate ratio divided out): 0.67 (95% "
                      "CI 0.60 to 0.75)\n");
    assert_has(r.out, "  pre12->post12, the comparison cohort, site=South\n");
    /* The whole first, then each site's referred block and the comparison's. */
    const char *whole = strstr(r.out, "the people referred\n");
    const char *north = strstr(r.out, "the people referred, site=North\n");
    const char *south = strstr(r.out, "the comparison cohort, site=South\n");
    cr_assert(whole && north && south && whole < north && north < south);
    run_result_free(&r);
    r = RUN("service", "-f", "csv", "-w", "pre12=365,post12=365", "-b", "site", "-c", comparison,
            referred);
    cr_assert_eq(r.status, 0, "%s", r.err);
    assert_has(r.out, "\nservice_use,ae_attendances,site=North,pre12->post12,net_rate_ratio,"
                      "figure,0.66666666666666674,no,\n");
    assert_has(r.out, "\nservice_use,ae_attendances,comparison site=North,pre12->post12,"
                      "events_after,count,60,no,\n");
    run_result_free(&r);
    r = RUN("service", "-f", "json", "-w", "pre12=365,post12=365", "-b", "site", referred);
    cr_assert_eq(r.status, 0, "%s", r.err);
    assert_has(r.out, "\"group\": \"site=South\", \"comparison\": \"pre12->post12\", "
                      "\"statistic\": \"events_before\", \"kind\": \"count\", \"value\": 100,");
    /* The audit as the questionnaire report gives it. */
    assert_has(r.out, "\"audit\": {\"counts\": ");
    assert_has(r.out, ", \"hidden\": ");
    run_result_free(&r);
    free(referred);
    free(comparison);
}

Test(cli_service, by_site_refusals)
{
    char *counts = test_file("counts.csv", "participant_id,window,site,ae_attendances\n"
                                           "A,pre12,North,7\nA,post12,South,2\nB,pre12,North,9\n"
                                           "B,post12,North,4\n",
                             -1);
    struct run_result r = RUN("service", "-w", "pre12=365,post12=365", "--no-suppress", "--by",
                              "site", counts);
    cr_assert_eq(r.status, 1, "a row refused: %s", r.err);
    assert_has(r.err, "counts.csv:3:3: column site, value \"South\": the participant's site is "
                      "'North' on their row at ");
    assert_has(r.err, "counts.csv:2: a participant is in one group\n");
    assert_has(r.out, "  pre12->post12, the people referred, site=North\n"
                      "    people: 1 with counts in both windows; 1 with a count in pre12 and "
                      "none in post12\n");
    run_result_free(&r);
    r = RUN("service", "-w", "pre12=365,post12=365", "--by", "practice", counts);
    cr_assert_eq(r.status, 3);
    assert_has(r.err, "no column 'practice' to group by (--by)");
    run_result_free(&r);
    r = RUN("service", "-w", "pre12=365,post12=365", "--by", "window", counts);
    cr_assert_eq(r.status, 2);
    assert_has(r.err, "--by 'window': the window column, not a column to group by");
    run_result_free(&r);
    r = RUN("service", "--help");
    assert_has(r.out, "  -b, --by COLUMN           also report per value of this column, e.g. "
                      "site\n");
    run_result_free(&r);
    free(counts);
}

/* Event lists carry no groups: --by with them is refused, not read as people of no group. */
Test(cli_service, event_lists_with_by_are_refused)
{
    char *events = test_data("service/events-exposure.csv");
    char *index = test_data("service/events-exposure-index.csv");
    struct run_result r = RUN("service", "-w", "pre12=365,post12=365", "--by", "site",
                              "--events", events, "--index", index, "--observed-until",
                              "2025-12-31");
    cr_assert_eq(r.status, 2, "%s", r.err);
    cr_assert_str_eq(r.err, "promscore: event lists do not carry the columns to group by (--by "
                            "site): give the groups' counts as counts files, or leave out --by\n"
                            "promscore: nothing written\n");
    cr_assert_str_eq(r.out, "");
    run_result_free(&r);
    free(events);
    free(index);
}

Test(cli_service, counts_are_read_in_decimal_digits_only)
{
    /* 0x10 is not 16 and 1e1 is not 10: each cell is refused where it is, with the reason. */
    char *counts = test_file("counts.csv",
                             "participant_id,window,ae_attendances,bed_days\n"
                             "R01,pre12,0x10,3\nR01,post12,1e1,2\nR02,pre12,+4,1\nR02,post12,-0,"
                             "1\nR03,pre12,8,1\nR03,post12,2,1\n",
                             -1);
    struct run_result r = RUN("service", "-w", "pre12=365,post12=365", "--no-suppress", "-f",
                              "csv", counts);
    cr_assert_eq(r.status, 1, "%s", r.err);
    static const char *const refused[] = {
        ":2:3: column ae_attendances, value \"0x10\": not a number: a count is a whole number "
        "written in decimal digits, 0 or more (no exponent such as 1e3, hex such as 0x10, or "
        "separator)\n",
        ":3:3: column ae_attendances, value \"1e1\": not a number: a count is a whole number "
        "written in decimal digits, 0 or more (no exponent such as 1e3, hex such as 0x10, or "
        "separator)\n",
        ":4:3: column ae_attendances, value \"+4\": not a number: a count is a whole number "
        "written in decimal digits, 0 or more (no exponent such as 1e3, hex such as 0x10, or "
        "separator)\n",
        ":5:3: column ae_attendances, value \"-0\": a count cannot be negative\n",
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        assert_has(r.err, refused[i]);
    assert_has(r.err, "counts.csv: 6 rows read, 6 used, 0 refused\n"); /* cells, not rows */
    /* A&E of R03 alone; bed days of all three. */
    assert_has(r.out, "\nservice_use,ae_attendances,all,pre12->post12,events_before,count,8,no,\n");
    assert_has(r.out, "\nservice_use,bed_days,all,pre12->post12,events_before,count,5,no,\n");
    run_result_free(&r);
    free(counts);
}

/* The message refusing input b as input a read again. */
static void assert_read_twice(const struct run_result *r, const char *role_b, const char *b,
                              const char *how, const char *role_a, const char *a)
{
    char *want;
    cr_assert_geq(asprintf(&want, "promscore: service: %s %s %s %s %s: %s\n", role_b, b, how,
                           role_a, a,
                           strcmp(how, "is the same file as") == 0
                               ? "each input is read once, so that no row is counted twice"
                               : "a copy would count each of its rows twice: give each file "
                                 "once"),
                  0);
    cr_assert_eq(r->status, 2, "%s", r->err);
    cr_assert_str_eq(r->err, want);
    cr_assert_str_eq(r->out, "");
    free(want);
}

/* 'text' as a spreadsheet might save it again: its rows after the header in reverse order,
 * each first field quoted, lines ended by CR LF. */
static char *saved_again(const char *text)
{
    size_t n = strlen(text);
    char *out = malloc(2 * n + 16), *at = out;
    cr_assert_not_null(out);
    const char *end = strchr(text, '\n');
    cr_assert_not_null(end);
    at += sprintf(at, "%.*s\r\n", (int)(end - text), text);
    const char *rows = end + 1, *stop = text + n;
    while (stop > rows) {
        const char *last = stop - 1; /* the newline ending the last row left */
        const char *start = last;
        while (start > rows && start[-1] != '\n')
            start--;
        const char *comma = memchr(start, ',', (size_t)(last - start));
        cr_assert_not_null(comma);
        at += sprintf(at, "\"%.*s\"%.*s\r\n", (int)(comma - start), start, (int)(last - comma),
                      comma);
        stop = start;
    }
    return out;
}

/* Two comparisons share pre12, their people differing by one each way: R00 has no pre24 count,
 * R39 no post12 yet. Both have 39 people, and the difference of their pre12 totals would be
 * R00's count less R39's (anyone knowing one would have the other): one total, pre24->pre12's
 * (not the comparison a reader looks for), is never published, nor worked out. */
Test(cli_service, a_swap_of_people_between_comparisons_keeps_one_total_apart)
{
    char *counts = test_data("service/swap.csv");
    struct run_result r = RUN("service", "-q", "-f", "csv", "-w", "pre24=365,pre12=365,post12=365",
                              "--before", "pre12", counts);
    cr_assert_eq(r.status, 0, "%s", r.err);
    assert_has(r.out, "\nservice_use,ae_attendances,all,pre24->pre12,n_people,count,39,no,\n");
    assert_has(r.out, "\nservice_use,ae_attendances,all,pre12->post12,n_people,count,39,no,\n");
    assert_has(r.out, "\nservice_use,ae_attendances,all,pre12->post12,events_before,count,426,"
                      "no,\n");
    assert_has(r.out, "\nservice_use,ae_attendances,all,pre24->pre12,events_after,count,,yes,\n");
    run_result_free(&r);
    free(counts);
}

/* Site B has no one followed to post12 (n_people 0, published): the whole of pre12->post12 is
 * site A alone, whose pre12 total less that of pre12->post6 would be R13's, who missed post6.
 * The audit knows a block of no one has no events, so the two are never both shown. */
Test(cli_service, a_group_of_no_one_leaves_the_whole_the_others)
{
    char *counts = test_data("service/empty-site.csv");
    struct run_result r = RUN("service", "-q", "-f", "csv", "-w", "pre12=365,post6=183,post12=182",
                              "--by", "site", counts);
    cr_assert_eq(r.status, 0, "%s", r.err);
    assert_has(r.out, "\nservice_use,calls_999,site=B,pre12->post12,n_people,count,0,no,\n");
    const int whole = strstr(r.out, "\nservice_use,calls_999,all,pre12->post12,events_before,"
                                    "count,83,no,\n") != NULL;
    const int a12 = strstr(r.out, "\nservice_use,calls_999,site=A,pre12->post12,events_before,"
                                  "count,83,no,\n") != NULL;
    const int a6 = strstr(r.out, "\nservice_use,calls_999,site=A,pre12->post6,events_before,"
                                 "count,,yes,\n") == NULL;
    cr_assert(!((whole || a12) && a6), "R13's 9 = 83 less site A's pre12->post6 total:\n%s",
              r.out);
    run_result_free(&r);
    free(counts);
}

/* Events counted in no time observed contradict each other: the count is refused with its
 * reason (the row then has none left, and is refused too), never used. */
Test(cli_service, events_in_zero_days_observed_are_refused)
{
    char *counts = test_file("zero.csv",
                             "participant_id,window,exposure_days,calls_999\n"
                             "R00,pre12,,3\nR00,post12,0,4\nR01,pre12,,2\nR01,post12,0,0\n",
                             -1);
    struct run_result r = RUN("service", "-w", "pre12=365,post12=365", counts);
    cr_assert_eq(r.status, 1, "%s", r.err);
    char *want;
    cr_assert_geq(asprintf(&want, "promscore: %s:3:4: column calls_999, value \"4\": events in 0 "
                                  "days observed (exposure_days 0): a count of events needs time "
                                  "observed\n",
                           counts),
                  0);
    assert_has(r.err, want);
    free(want);
    /* R01's 0 in 0 days is no contradiction: used. */
    cr_assert_geq(asprintf(&want, "promscore: %s: 4 rows read, 3 used, 1 refused\n", counts), 0);
    assert_has(r.err, want);
    free(want);
    run_result_free(&r);
    free(counts);
}

/* A rounding base under which a count shown (above the threshold) would round to 0 is
 * refused: a table of 0 people beside a rate ratio. Twice the threshold and 2 is the most. */
Test(cli_service, a_rounding_base_that_would_show_counts_as_0_is_refused)
{
    char *referred = example("service-referred.csv");
    struct run_result r = RUN("service", "-w", "pre12=365,post12=365", "--round", "1000000",
                              referred);
    cr_assert_eq(r.status, 2, "%s", r.err);
    cr_assert_str_eq(r.err, "promscore: service: --round 1000000 with --threshold 7 would show "
                            "counts of 8 to 499999 as 0: the rounding base may be at most 16 "
                            "(twice the threshold and 2); raise --threshold or round to less\n");
    run_result_free(&r);
    r = RUN("service", "-w", "pre12=365,post12=365", "--round", "17", referred);
    cr_assert_eq(r.status, 2, "%s", r.err);
    assert_has(r.err, "would show a count of 8 as 0");
    run_result_free(&r);
    r = RUN("service", "-q", "-w", "pre12=365,post12=365", "--round", "16", referred);
    cr_assert_eq(r.status, 1, "the example's refused count: %s", r.err);
    run_result_free(&r);
    r = RUN("service", "-w", "pre12=365,post12=365", "--round", "5", "--no-suppress", referred);
    cr_assert_eq(r.status, 2, "%s", r.err);
    cr_assert_str_eq(r.err, "promscore: service: --round applies with disclosure control; drop "
                            "--no-suppress\n");
    run_result_free(&r);
    free(referred);
}

/* An option of one value given twice is refused, naming both values: the first would be lost
 * (a first list of completers never read); those that gather values may repeat. */
Test(cli_service, an_option_of_one_value_given_twice_is_refused)
{
    char *referred = example("service-referred.csv"), *costs = example("unit-costs-example.csv");
    static const char *const once[][2] = {
        {"--completed", "a.csv"}, {"--unit-costs", "b.csv"}, {"--price-index", "c.csv"},
        {"--programme-cost", "1000"}, {"--index", "d.csv"}, {"-o", "e.txt"},
        {"--threshold", "7"}, {"--wellbeing", "f.csv"}};
    for (size_t k = 0; k < sizeof once / sizeof once[0]; k++) {
        struct run_result r = RUN("service", "-w", "pre12=365,post12=365", once[k][0], once[k][1],
                                  "--unit-costs", costs, once[k][0], "second", referred);
        char *want;
        const char *name = once[k][0][1] == '-' ? once[k][0] + 2 : "output";
        if (strcmp(once[k][0], "--unit-costs") == 0)
            cr_assert_geq(asprintf(&want, "promscore: service: --unit-costs is given twice ('%s', "
                                          "then '%s'): it takes one value, and the first would "
                                          "be lost; give it once\n",
                                   once[k][1], costs),
                          0);
        else
            cr_assert_geq(asprintf(&want, "promscore: service: --%s is given twice ('%s', then "
                                          "'second'): it takes one value, and the first would be "
                                          "lost; give it once\n",
                                   name, once[k][1]),
                          0);
        cr_assert_eq(r.status, 2, "%s: %s", once[k][0], r.err);
        cr_assert_str_eq(r.err, want);
        cr_assert_str_eq(r.out, "");
        free(want);
        run_result_free(&r);
    }
    /* Comparisons and windows gather. */
    char *comparison = example("service-comparison.csv");
    struct run_result r = RUN("service", "-q", "-w", "pre24=365", "-w", "pre12=365,post12=365",
                              "-c", comparison, referred);
    cr_assert_eq(r.status, 1, "the example's refused count: %s", r.err);
    cr_assert_null(strstr(r.err, "given twice"), "%s", r.err);
    run_result_free(&r);
    free(comparison);
    free(costs);
    free(referred);
}

Test(cli_service, each_input_of_rows_is_read_once)
{
    char *events = example("service-events.csv"), *index = example("service-events-index.csv");
    char *text = test_slurp(events);
    cr_assert_not_null(text);
    char *copy = test_file("copy.csv", text, -1), *hard = test_path("link.csv");
    cr_assert_eq(link(copy, hard), 0);
#define EVENTS_RUN(...)                                                                            \
    RUN("service", "-q", "-w", "pre24=365,pre12=365,post12=365", "--observed-until",              \
        "2025-12-31", "--index", index, __VA_ARGS__)
    struct run_result r = EVENTS_RUN("--events", events, "--events", events);
    assert_read_twice(&r, "--events", events, "is the same file as", "--events", events);
    run_result_free(&r);
    r = EVENTS_RUN("--events", copy, "--events", hard);
    assert_read_twice(&r, "--events", hard, "is the same file as", "--events", copy);
    run_result_free(&r);
    r = EVENTS_RUN("--events", events, "--events", copy);
    assert_read_twice(&r, "--events", copy, "has the same bytes as", "--events", events);
    run_result_free(&r);
    /* The index file copied for the comparison cohort. */
    char *index_text = test_slurp(index);
    char *index_copy = test_file("comparison-index.csv", index_text, -1);
    r = EVENTS_RUN("--events", events, "--comparison-index", index_copy, "--comparison-events",
                   copy);
    assert_read_twice(&r, "--comparison-index", index_copy, "has the same bytes as", "--index",
                      index);
    run_result_free(&r);
    free(index_text);
    free(index_copy);
    /* Standard input under two names. */
    struct run_how piped = {NULL, NULL, "participant_id,date,measure\nP01,2024-01-02,"
                                        "ae_attendances\n"};
    r = run_promscore(&piped, (const char *const[]){"service", "-q", "-w",
                                                    "pre24=365,pre12=365,post12=365", "--index",
                                                    index, "--events", "-", "--events",
                                                    "/dev/stdin", NULL});
    assert_read_twice(&r, "--events", "/dev/stdin", "is the same file as", "--events", "-");
    run_result_free(&r);
    /* Counts: a copy of the people referred given as the comparison cohort. */
    char *referred = example("service-referred.csv");
    free(text);
    text = test_slurp(referred);
    char *counts = test_file("comparison.csv", text, -1);
    r = RUN("service", "-q", "-w", "pre24=365,pre12=365,post12=365", referred, "-c", counts);
    assert_read_twice(&r, "input", referred, "has the same bytes as", "--comparison", counts);
    run_result_free(&r);
    /* Two empty extracts (a header, no rows) are not copies of each other. */
    char *none = test_file("none.csv", "participant_id,date,measure\n", -1);
    char *nothing = test_file("nothing.csv", "participant_id,date,measure\n", -1);
    r = EVENTS_RUN("--events", events, "--events", none, "--events", nothing);
    cr_assert_eq(r.status, 1, "the example's refusals: %s", r.err);
    run_result_free(&r);
    /* A copy saved again (other bytes, the same events) is the same list: refused by what it
     * counted (its 667 events; the 9 refused are not among them). */
    free(text);
    text = test_slurp(events);
    char *again = saved_again(text), *resaved = test_file("resaved.csv", again, -1);
    cr_assert_str_neq(again, text);
    r = EVENTS_RUN("--events", events, "--events", resaved);
    cr_assert_eq(r.status, 2, "%s", r.err);
    cr_assert_str_eq(r.out, "");
    char *want;
    cr_assert_geq(asprintf(&want, "promscore: %s: the same 667 events as %s (the same people, "
                                  "measures, dates and quantities, whatever the bytes: a copy, "
                                  "perhaps saved again): each would be counted twice; give each "
                                  "list once\n",
                           resaved, events),
                  0);
    assert_has(r.err, want);
    run_result_free(&r);
    free(want);
    free(again);
    free(resaved);
#undef EVENTS_RUN
    free(none);
    free(nothing);
    free(counts);
    free(referred);
    free(text);
    free(copy);
    free(hard);
    free(events);
    free(index);
}

Test(cli_service, a_rule_selects_by_use_before_the_index_date_in_counts_read)
{
    char *counts = test_file("r.csv",
                             "participant_id,window,ae_attendances\nR1,pre12,8\nR1,post12,2\n"
                             "R2,pre12,9\nR2,post12,3\n",
                             -1);
    static const struct {
        const char *windows, *before, *rule, *message;
    } refused[] = {
        {"pre12=365,post12=365", NULL, "ae_attendances >= 6 in post12",
         "promscore: selection rule 'ae_attendances >= 6 in post12': post12 is after the index "
         "date (the first window after it is post12): people are selected by their use before "
         "it, in the before window or one listed before that\n"},
        {"pre24=365,pre12=365,post12=365", "pre24", "ae_attendances >= 6 in pre12",
         "promscore: selection rule 'ae_attendances >= 6 in pre12': pre12 is listed after the "
         "before window, pre24: people are selected by their use before the index date, in the "
         "before window or one listed before that\n"},
        {"before=365,after=365", NULL, "ae_attendances >= 6 in after",
         "promscore: selection rule 'ae_attendances >= 6 in after': after is the last window, "
         "with none after it to follow the people it selects\n"},
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        struct run_result r =
            refused[i].before
                ? RUN("service", "-q", "-w", refused[i].windows, "--before", refused[i].before,
                      "-s", refused[i].rule, counts)
                : RUN("service", "-q", "-w", refused[i].windows, "-s", refused[i].rule, counts);
        cr_assert_eq(r.status, 2, "%s", r.err);
        assert_has(r.err, refused[i].message);
        cr_assert_str_eq(r.out, "");
        run_result_free(&r);
    }
    /* A rule on a measure no file gives: refused once the counts are read. */
    struct run_result r = RUN("service", "-q", "-w", "pre12=365,post12=365", "-s",
                              "gp_consultations >= 6 in pre12", counts);
    cr_assert_eq(r.status, 2, "%s", r.err);
    cr_assert_str_eq(r.err, "promscore: selection rule 'gp_consultations >= 6 in pre12': no count "
                            "of gp_consultations in pre12 was read for the people referred, so "
                            "they cannot be said to have been selected by it: give the counts it "
                            "selected by, or leave out --selected\npromscore: nothing written\n");
    cr_assert_str_eq(r.out, "");
    run_result_free(&r);
    /* The same rule on the measure given, in a window before the index date: reported. */
    r = RUN("service", "-q", "-w", "pre12=365,post12=365", "-s", "ae_attendances >= 6 in pre12",
            "--no-suppress", counts);
    cr_assert_eq(r.status, 0, "%s", r.err);
    assert_has(r.out, "   Selected: ae_attendances >= 6 in pre12\n");
    run_result_free(&r);
    free(counts);
}

Test(cli_service, a_population_histogram_from_a_pipe)
{
    char *referred = golden("camden_referred.csv"), *population = golden("population.csv");
    char *histogram = test_slurp(population);
    cr_assert_not_null(histogram);
    cr_assert_lt(strlen(histogram), 60000);
    struct run_result file = RUN("service", "-q", "-w", "pre12=365,post12=365", "-s",
                                 "ae_attendances >= 6 in pre12", "--population", population,
                                 referred);
    cr_assert_eq(file.status, 0, "%s", file.err);
    assert_has(file.out, "empirical Bayes (population mean 0.869, shape 0.601)");
    static const char *const names[] = {"-", "/dev/stdin"};
    for (size_t i = 0; i < 2; i++) {
        struct run_how piped = {NULL, NULL, histogram};
        struct run_result r = run_promscore(
            &piped, (const char *const[]){"service", "-q", "-w", "pre12=365,post12=365", "-s",
                                          "ae_attendances >= 6 in pre12", "--population",
                                          names[i], referred, NULL});
        cr_assert_eq(r.status, 0, "%s: %s", names[i], r.err);
        assert_has(r.out, "    empirical Bayes (population mean 0.869, shape 0.601): 188.1 "
                          "expected in post12 without intervention, 188 observed; index 1.00 "
                          "(95% CI 0.82 to 1.18)\n");
        char *fitted;
        /* Named without directories: "stdin" for /dev/stdin. */
        const char *base = strrchr(names[i], '/') ? strrchr(names[i], '/') + 1 : names[i];
        cr_assert_geq(asprintf(&fitted, "(as MASS::glm.nb) to %s, 19998 people;", base), 0);
        assert_has(r.out, fitted);
        free(fitted);
        run_result_free(&r);
    }
    run_result_free(&file);
    free(histogram);
    free(population);
    free(referred);
}

/* The CSV's change in the total of the people referred says that a fall of a cohort chosen for
 * high use is expected without any intervention and is not attributable, and names the
 * counterfactual the report has, or that there is none; the comparison cohort's has no note. */
Test(cli_service, csv_change_says_the_fall_is_not_attributable)
{
    char *referred = example("service-referred.csv"), *comparison = example("service-comparison.csv");
    char *camden = golden("camden_referred.csv"), *population = golden("population.csv");
    struct run_result r = RUN("service", "-f", "csv", "-w", "pre12=365,post12=365", "-s",
                              "ae_attendances >= 6 in pre12", camden);
    cr_assert_eq(r.status, 0, "%s", r.err);
    assert_has(r.out, "\nservice_use,ae_attendances,all,pre12->post12,events_change,change,"
                      "-0.37333333333333335,no,not attributable: the fall of a cohort chosen for "
                      "high use is expected without any intervention (regression to the mean); "
                      "no counterfactual (no comparison cohort)\n");
    run_result_free(&r);
    /* Without the rule, as a condition. */
    r = RUN("service", "-f", "csv", "-w", "pre12=365,post12=365", camden);
    cr_assert_eq(r.status, 0, "%s", r.err);
    assert_has(r.out, "\nservice_use,ae_attendances,all,pre12->post12,events_change,change,"
                      "-0.37333333333333335,no,\"not attributable: if these people were chosen "
                      "for high use, a fall is expected without any intervention (regression to "
                      "the mean); no counterfactual (no comparison cohort)\"\n");
    run_result_free(&r);
    /* Empirical Bayes: Hauer's index, for the rule's measure. */
    r = RUN("service", "-f", "csv", "-w", "pre12=365,post12=365", "-s",
            "ae_attendances >= 6 in pre12", "--population", population, camden);
    cr_assert_eq(r.status, 0, "%s", r.err);
    assert_has(r.out, ",all,pre12->post12,events_change,change,-0.37333333333333335,no,\"not "
                      "attributable: the fall of a cohort chosen for high use is expected without "
                      "any intervention (regression to the mean); the counterfactual is eb_index, "
                      "the events after against those expected without intervention (empirical "
                      "Bayes)\"\n");
    run_result_free(&r);
    /* An earlier window: what it shows, and what the change into the selection window is. */
    r = RUN("service", "-q", "-f", "csv", "-w", "pre24=365,pre12=365,post12=365", "-s",
            "ae_attendances >= 6 in pre12", referred);
    cr_assert_eq(r.status, 1, "HIU004's n/k: %s", r.err);
    assert_has(r.out, "\nservice_use,ae_attendances,all,pre12->post12,events_change,change,"
                      "-0.53253424657534243,no,not attributable: the fall of a cohort chosen for "
                      "high use is expected without any intervention (regression to the mean); "
                      "no counterfactual (no comparison cohort): pre24->pre12 shows whether pre12 "
                      "was a peak\n");
    assert_has(r.out, "\nservice_use,ae_attendances,all,pre24->pre12,events_change,change,");
    assert_has(r.out, ",no,\"the change into pre12, the last window before the index date: a "
                      "rise into it means a fall after it is expected without any intervention "
                      "(regression to the mean)\"\n");
    run_result_free(&r);
    /* A comparison cohort: the net rate ratio; its own block has no note. */
    r = RUN("service", "-q", "-f", "csv", "-w", "pre24=365,pre12=365,post12=365", "-s",
            "ae_attendances >= 6 in pre12", "-c", comparison, referred);
    cr_assert_eq(r.status, 1, "HIU004's n/k: %s", r.err);
    assert_has(r.out, "\nservice_use,ae_attendances,all,pre12->post12,events_change,change,"
                      "-0.53253424657534243,no,\"not attributable: the fall of a cohort chosen "
                      "for high use is expected without any intervention (regression to the "
                      "mean); the counterfactual is net_rate_ratio, the fall beyond the "
                      "comparison cohort's\"\n");
    assert_has(r.out, "\nservice_use,ae_attendances,comparison,pre12->post12,events_change,"
                      "change,-0.5267857142857143,no,\n");
    run_result_free(&r);
    free(referred);
    free(comparison);
    free(camden);
    free(population);
}

/* The selection rule is printed with every table, so a reader takes each person to meet it:
 * site C's one person had 11 attendances before, and 11 >= 6 n leaves n = 1 whether or not
 * n_outside_rule is hidden. Where no one falls outside the rule, the audit uses that bound,
 * and C's total before is hidden with its people. */
Test(cli_service, a_reader_takes_the_rule_as_met)
{
    char *counts = test_data("service/rule-one-person-site.csv");
    struct run_result r = RUN("service", "-q", "-f", "csv", "-w", "pre12=365,post12=365", "-s",
                              "ae_attendances >= 6 in pre12", "--by", "site", counts);
    cr_assert_eq(r.status, 0, "%s", r.err);
    assert_has(r.out, "\nservice_use,ae_attendances,site=C,pre12->post12,n_people,count,,yes,");
    assert_has(r.out, "\nservice_use,ae_attendances,site=C,pre12->post12,events_before,count,,"
                      "yes,");
    cr_assert_null(strstr(r.out, "site=C,pre12->post12,events_before,count,11"), "%s", r.out);
    run_result_free(&r);
    free(counts);
}

/* One person who died at referral has a year before but none after: the pre12 totals of
 * pre24->pre12 and of pre12->post12 differ by their count, 12, a size no threshold hides. The
 * audit hides one of the two (the earlier comparison's, the main one costing more to lose). */
Test(cli_service, one_persons_count_is_not_the_difference_of_two_totals)
{
    char text[4096] = "participant_id,window,ae_attendances\n";
    for (int i = 0; i < 20; i++) {
        char row[160];
        snprintf(row, sizeof row, "R%02d,pre24,%d\nR%02d,pre12,%d\nR%02d,post12,%d\n", i,
                 3 + i % 4, i, 6 + i % 5, i, 2 + i % 3);
        strcat(text, row);
    }
    strcat(text, "P99,pre24,5\nP99,pre12,12\n");
    char *counts = test_file("counts.csv", text, -1);
    struct run_result r = RUN("service", "-q", "-f", "csv", "-w", "pre24=365,pre12=365,post12=365",
                              "-s", "ae_attendances >= 6 in pre12", counts);
    cr_assert_eq(r.status, 0, "%s", r.err);
    const char *early = strstr(r.out, ",pre24->pre12,events_after,count,");
    const char *main_before = strstr(r.out, ",pre12->post12,events_before,count,");
    cr_assert(early && main_before, "%s", r.out);
    const int early_shown = strncmp(early + strlen(",pre24->pre12,events_after,count,"), ",", 1);
    const int main_shown =
        strncmp(main_before + strlen(",pre12->post12,events_before,count,"), ",", 1);
    cr_assert(!(early_shown && main_shown), "both pre12 totals published:\n%s", r.out);
    cr_assert(main_shown, "the main comparison keeps its total:\n%s", r.out);
    run_result_free(&r);
    free(counts);
}

/* Empirical Bayes weights each person's expected count by the time they were observed: in the
 * example three people were observed for part of post12, and beside the person-years and the
 * totals the expected count would give their counts before. It is withheld, with why. */
Test(cli_service, empirical_bayes_withheld_beside_a_few_partly_observed)
{
    char *referred = example("service-referred.csv"), *population = golden("population.csv");
    struct run_result r = RUN("service", "-q", "-f", "csv", "-w",
                              "pre24=365,pre12=365,post12=365", "-s",
                              "ae_attendances >= 6 in pre12", "--population", population,
                              referred);
    cr_assert_eq(r.status, 1, "HIU004's n/k: %s", r.err);
    assert_has(r.out, ",all,pre12->post12,eb_expected_after,figure,,\"not computable: withheld: "
                      "few of its people were observed for part of a window (died, moved), and "
                      "the expected count, weighted by each person's time, would give their "
                      "counts\",\n");
    assert_has(r.out, ",all,pre12->post12,eb_index,figure,,\"not computable: withheld:");
    run_result_free(&r);
    free(referred);
    free(population);
}
