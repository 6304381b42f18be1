/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * promscore service --completed and --wellbeing: completers-only cost figures and the
 * wellbeing value line on the command line, in text, CSV and JSON, and what is refused.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "helpers.h"

static char *path_of(const char *relative)
{
    return test_data(relative);
}

static void assert_has(const char *text, const char *part)
{
    cr_assert_not_null(strstr(text, part), "wanted \"%s\" in:\n%s", part, text);
}

/* The Camden-like fixture, costed with the example index. */
struct files {
    char *referred, *comparison, *costs, *index, *completed, *scored;
};

static struct files files(void)
{
    return (struct files){path_of("../golden/service/camden_referred.csv"),
                          path_of("../golden/service/camden_comparison.csv"),
                          path_of("costs/unit-costs-wellby.csv"),
                          path_of("costs/price-index.csv"), path_of("costs/completed.csv"),
                          path_of("costs/wellbeing-ons4.csv")};
}

static void release(struct files *f)
{
    free(f->referred);
    free(f->comparison);
    free(f->costs);
    free(f->index);
    free(f->completed);
    free(f->scored);
}

Test(cli_wellbeing, completers_and_wellbeing_in_text)
{
    struct files f = files();
    struct run_result r = RUN("service", "-w", "pre12=365,post12=365", "-c", f.comparison,
                              f.referred, "--unit-costs", f.costs, "--price-index", f.index,
                              "--programme-cost", "5000", "--completed", f.completed,
                              "--wellbeing", f.scored);
    cr_assert_eq(r.status, 1, "rows of the list and the scores were refused: %s", r.err);
    assert_has(r.err, "completed.csv: 22 rows read, 18 used, 4 refused (completed)\n");
    assert_has(r.err, "completed.csv:22: listed twice (first on line 6)\n");
    assert_has(r.err, "wellbeing-ons4.csv: 215 rows read, 53 used, 3 refused (wellbeing: "
                      "scores of the scale used at the two timepoints)\n");
    assert_has(r.err, "wellbeing-ons4.csv:206: in the comparison cohort, not among the people "
                      "referred: the wellbeing value is theirs alone\n");
    /* Everyone's figures first, the completers' after them, labelled. */
    assert_has(r.out, "      expected after without the service \u00a320,907; notional cost "
                      "avoidance -\u00a3525\n"
                      "      completers only (18 of 30 referred): not intention to treat: cost "
                      "before \u00a320,064,\n"
                      "      after \u00a313,338; gross fall \u00a36,726; expected after without "
                      "the service \u00a312,265;\n"
                      "      notional cost avoidance -\u00a31,073; rate ratio 0.66\n");
    /* The return on investment line is everyone's alone. */
    assert_has(r.out, "      return on investment against \u00a35,000 (over 365 days): "
                      "-\u00a30.11 of notional cost\n");
    const char *roi = strstr(r.out, "return on investment against");
    cr_assert_not_null(roi);
    const char *end = strstr(roi, "bootstrap:");
    cr_assert_not_null(end);
    for (const char *at = roi; at < end; at++)
        cr_assert_neq(strncmp(at, "completers", 10), 0, "no completers in the ROI line");
    /* The wellbeing value on its own. */
    assert_has(r.out, "  pre12->post12: wellbeing value (not NHS cost avoidance; never added "
                      "to it)\n");
    assert_has(r.out, "\n    people paired 22: ONS4 life satisfaction (0-10), baseline -> "
                      "followup, from\n");
    assert_has(r.out, "    mean change 1.36 points of life satisfaction (95% CI 0.41 to 2.32; "
                      "paired t); 29.98\n");
    assert_has(r.out, "wellbeing value\n    \u00a3439,736 (95% CI \u00a3132,307 to "
                      "\u00a3747,165)\n");
    assert_has(r.out, "not attributable: no\n    comparison group");
    run_result_free(&r);
    release(&f);
}

Test(cli_wellbeing, csv_and_json_carry_the_labels)
{
    struct files f = files();
    struct run_result r = RUN("service", "-q", "-w", "pre12=365,post12=365", "-c", f.comparison,
                              f.referred, "--unit-costs", f.costs, "--price-index", f.index,
                              "--completed", f.completed, "--wellbeing", f.scored, "-f", "csv");
    cr_assert_eq(r.status, 1, "%s", r.err);
    assert_has(r.out, "service_use,total,all,pre12->post12,completers_cost_before,figure,20064,"
                      "no,completers only (18 of 30 referred): not intention to treat\n");
    assert_has(r.out, "service_use,wellbeing,all,pre12->post12,wellbeing_n_paired,count,22,no,");
    assert_has(r.out, "service_use,wellbeing,all,pre12->post12,wellbeing_value,figure,");
    assert_has(r.out, ",no,\"wellbeing value (not NHS cost avoidance; never added to it); not "
                      "attributable:");
    run_result_free(&r);
    struct run_result j = RUN("service", "-q", "-w", "pre12=365,post12=365", "-c", f.comparison,
                              f.referred, "--unit-costs", f.costs, "--price-index", f.index,
                              "--completed", f.completed, "--wellbeing", f.scored, "-f", "json");
    cr_assert_eq(j.status, 1, "%s", j.err);
    assert_has(j.out, "\"statistic\": \"completers_notional_cost_avoidance\", \"kind\": "
                      "\"figure\", \"value\": -1072.72791519");
    assert_has(j.out, "\"note\": \"completers only (18 of 30 referred): not intention to "
                      "treat\"");
    assert_has(j.out, "\"statistic\": \"value_per_wellby\", \"kind\": \"constant\", \"value\": "
                      "14667.9089068");
    run_result_free(&j);
    release(&f);
}

Test(cli_wellbeing, options_need_the_costs_and_a_rate_for_swemwbs)
{
    struct files f = files();
    struct run_result r = RUN("service", "-q", "-w", "pre12=365,post12=365", f.referred,
                              "--wellbeing", f.scored);
    cr_assert_eq(r.status, 2);
    assert_has(r.err, "--completed and --wellbeing add to the costs: give --unit-costs");
    run_result_free(&r);
    r = RUN("service", "-q", "-w", "pre12=365,post12=365", f.referred, "--unit-costs", f.costs,
            "--price-index", f.index, "--wellbeing", f.scored, "--wellbeing-followup",
            "baseline");
    cr_assert_eq(r.status, 2, "%s", r.err);
    assert_has(r.err, "wellbeing-ons4.csv: the follow-up timepoint 'baseline' is the baseline: a "
                      "change in wellbeing is from the baseline to a later timepoint\n");
    run_result_free(&r);
    r = RUN("service", "-q", "-w", "pre12=365,post12=365", f.referred, "--unit-costs", f.costs,
            "--price-index", f.index, "--wellbeing-followup", "followup");
    cr_assert_eq(r.status, 2);
    assert_has(r.err, "--wellbeing-followup names a timepoint of --wellbeing FILE");
    run_result_free(&r);
    char *swemwbs = test_file("swemwbs.csv",
                              "participant_id,timepoint,instrument,scale,score,band,answered,"
                              "status\nR1,baseline,swemwbs,metric,19.25,,7,ok\n"
                              "R1,followup,swemwbs,metric,21.54,,7,ok\n",
                              -1);
    r = RUN("service", "-q", "-w", "pre12=365,post12=365", f.referred, "--unit-costs", f.costs,
            "--price-index", f.index, "--wellbeing", swemwbs);
    cr_assert_eq(r.status, 2, "%s", r.err);
    assert_has(r.err, "a wellbeing value from them needs an exchange rate to life satisfaction "
                      "declared in the costs file");
    assert_has(r.err, "nothing written");
    cr_assert_str_eq(r.out, "");
    run_result_free(&r);
    /* With a declared rate: labelled a benefit transfer, with the rate and its source. */
    char *transfer = path_of("costs/unit-costs-transfer.csv");
    r = RUN("service", "-q", "-w", "pre12=365,post12=365", f.referred, "--unit-costs", transfer,
            "--wellbeing", swemwbs, "--no-suppress");
    cr_assert_eq(r.status, 0, "%s", r.err);
    assert_has(r.out, "  pre12->post12: wellbeing value, a BENEFIT TRANSFER from (S)WEMWBS (not "
                      "NHS cost avoidance; never added to it)\n");
    run_result_free(&r);
    r = RUN("service", "-q", "-w", "pre12=365,post12=365", f.referred, "--unit-costs", transfer,
            "--wellbeing", swemwbs, "--no-suppress", "-f", "csv");
    cr_assert_eq(r.status, 0, "%s", r.err);
    assert_has(r.out, "service_use,wellbeing,all,pre12->post12,wellbeing_mean_change,figure,"
                      "0.57249999999999979,no,\"BENEFIT TRANSFER: SWEMWBS metric score change x 0.25 life "
                      "satisfaction points per SWEMWBS point (test rate, not a published one; "
                      "licence CC0-1.0)\"\n");
    run_result_free(&r);
    free(transfer);
    /* The report may not replace the list. */
    r = RUN("service", "-q", "-w", "pre12=365,post12=365", f.referred, "--unit-costs", f.costs,
            "--completed", f.completed, "-o", f.completed);
    cr_assert_eq(r.status, 2, "%s", r.err);
    run_result_free(&r);
    free(swemwbs);
    release(&f);
}

static char *example(const char *name)
{
    const char *source = getenv("PROMSCORE_SOURCE_DIR");
    cr_assert_not_null(source);
    char *path;
    cr_assert_geq(asprintf(&path, "%s/docs/examples/%s", source, name), 0);
    return path;
}

/* The worked example of the programme lead's guide, its figures as the guide gives them. */
Test(cli_wellbeing, the_guide_worked_example)
{
    char *ons4 = example("service-ons4.csv"), *scored = test_path("service-ons4-scored.csv");
    struct run_result s = RUN("score", "-i", "ons4", ons4, "-o", scored);
    cr_assert_eq(s.status, 1, "the example has a refused answer: %s", s.err);
    run_result_free(&s);
    char *referred = example("service-referred.csv"), *comparison = example("service-comparison.csv");
    char *costs = example("unit-costs-example.csv"), *index = example("price-index-example.csv");
    char *completed = example("service-completed.csv");
    struct run_result r = RUN("service", "-q", "-w", "pre24=365,pre12=365,post12=365", "-s",
                              "ae_attendances >= 6 in pre12", "-c", comparison, referred,
                              "--unit-costs", costs, "--price-index", index, "--price-year",
                              "2023/24", "--programme-cost", "60000", "--completed", completed,
                              "--wellbeing", scored);
    cr_assert_eq(r.status, 1, "the example has refused counts: %s", r.err);
    assert_has(r.out, "      completers only (40 of 64 referred): not intention to treat: cost "
                      "before \u00a320,897,\n      after \u00a316,169; gross fall \u00a33,845; "
                      "expected after without the service \u00a321,028;\n      notional cost "
                      "avoidance \u00a34,859\n");
    assert_has(r.out, "notional cost avoidance \u00a35,712\n");
    assert_has(r.out, "    people paired 37: ONS4 life satisfaction (0-10), baseline -> "
                      "followup, from\n");
    assert_has(r.out, "    mean change 0.78 points of life satisfaction (95% CI 0.16 to 1.41; "
                      "paired t); 28.98\n");
    assert_has(r.out, "    at \u00a315,300.10 a WELLBY (13000.00 (2019/20) x 1.17693 (NHS Cost "
                      "Inflation Index (pay\n");
    assert_has(r.out, "\u00a3443,399 (95% CI \u00a390,147 to \u00a3796,651)\n");
    /* CMP007 of the comparison cohort, scored by mistake: refused, not valued. */
    assert_has(r.err, "service-ons4-scored.csv:394: in the comparison cohort, not among the "
                      "people referred: the wellbeing value is theirs alone\n");
    run_result_free(&r);
    free(ons4);
    free(scored);
    free(referred);
    free(comparison);
    free(costs);
    free(index);
    free(completed);
}

/* The list serves event lists as it serves counts: the people referred are those of the
 * index file. */
Test(cli_wellbeing, completers_with_event_lists)
{
    char *events = example("service-events.csv"), *index = example("service-events-index.csv");
    char *costs = example("unit-costs-example.csv"), *prices = example("price-index-example.csv");
    char *completed = example("service-completed.csv");
    struct run_result r = RUN("service", "-w", "pre24=365,pre12=365,post12=365", "--events",
                              events, "--index", index, "--observed-until", "2025-12-31",
                              "--unit-costs", costs, "--price-index", prices, "--completed",
                              completed);
    cr_assert_eq(r.status, 1, "the example events have refused rows: %s", r.err);
    assert_has(r.err, "service-completed.csv: 40 rows read, 40 used, 0 refused (completed)\n");
    assert_has(r.out, "      completers only (40 of 64 referred): not intention to treat: cost "
                      "before ");
    run_result_free(&r);
    free(events);
    free(index);
    free(costs);
    free(prices);
    free(completed);
}
