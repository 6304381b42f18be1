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
                      "the rates,\n");
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
