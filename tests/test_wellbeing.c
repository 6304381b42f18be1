/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Beside the costs, never in them: completers-only cost figures (who completed read from a
 * list, every row used or refused) against R (tests/golden/costs/completers.R), and the
 * wellbeing value line (WELLBYs from ONS4 life satisfaction, or from (S)WEMWBS through a
 * declared exchange rate) against R's t.test (tests/golden/costs/wellbeing.R), with what
 * disclosure control hides and what is refused.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include <promscore/service.h>
#include <promscore/costs.h>

#include "helpers.h"

static struct capture capture;

static const char *last_message(void)
{
    return capture.n_diagnostics ? capture.diagnostics[capture.n_diagnostics - 1].message : "";
}

static char *data(const char *file)
{
    char *relative, *path;
    cr_assert_geq(asprintf(&relative, "costs/%s", file), 0);
    path = test_data(relative);
    free(relative);
    return path;
}

static char *golden(const char *file)
{
    char *relative, *path;
    cr_assert_geq(asprintf(&relative, "../golden/%s", file), 0);
    path = test_data(relative);
    free(relative);
    return path;
}

static const ps_service_window_t year_after[] = {{"pre12", 365}, {"post12", 365}};
static const ps_service_handlers_t handlers = {test_on_reject, &capture};
static const ps_disclosure_t no_control = {0, 0, 0};
static const ps_disclosure_t threshold_7 = {1, 7, 0};

/* The Camden-like cohort of tests/golden/service, its report and the costs of 'costs_csv'
 * (under tests/data/costs) with the example price index. */
struct run {
    ps_context_t *context;
    ps_service_definition_t *definition;
    ps_service_cohort_t *cohort;
    ps_service_report_t *report;
    ps_service_costs_t *costs;
    ps_service_costs_options_t options;
};

static void start(struct run *r, const char *costs_csv, const ps_disclosure_t *rule)
{
    test_capture_release(&capture);
    r->context = test_context(&capture);
    char *path = test_shipped_measures();
    cr_assert_eq(ps_service_definition_read(r->context, path, &r->definition), PS_OK, "%s",
                 last_message());
    free(path);
    ps_service_options_t o;
    ps_service_options_init(&o, sizeof o);
    o.windows = year_after;
    o.n_windows = 2;
    cr_assert_eq(ps_service_cohort_new(r->context, r->definition, &o, &r->cohort), PS_OK);
    const char *files[2] = {"service/camden_referred.csv", "service/camden_comparison.csv"};
    for (int arm = 0; arm < 2; arm++) {
        path = golden(files[arm]);
        cr_assert_eq(ps_service_read(r->cohort, path, (ps_service_arm_t)arm, &handlers, NULL),
                     PS_OK, "%s", last_message());
        free(path);
    }
    cr_assert_eq(ps_service_report(r->cohort, rule, &r->report), PS_OK, "%s", last_message());
    path = data(costs_csv);
    cr_assert_eq(ps_service_costs_read(r->context, path, &r->costs), PS_OK, "%s",
                 last_message());
    free(path);
    path = data("price-index.csv");
    cr_assert_eq(ps_service_costs_read_index(r->costs, path), PS_OK, "%s", last_message());
    free(path);
    ps_service_costs_options_init(&r->options, sizeof r->options);
    r->options.seed = 1;
}

static void finish(struct run *r)
{
    ps_service_costs_free(r->costs);
    ps_service_report_free(r->report);
    ps_service_cohort_free(r->cohort);
    ps_service_definition_free(r->definition);
    ps_context_free(r->context);
    test_capture_release(&capture);
}

static const ps_statistic_t *figure_of(const ps_service_report_t *report, const char *unit,
                                       const char *name)
{
    for (size_t i = 0; i < ps_service_report_count(report); i++) {
        const ps_statistic_t *s = ps_service_report_statistic(report, i);
        if (strcmp(s->unit, unit) == 0 && strcmp(s->name, name) == 0)
            return s;
    }
    return NULL;
}

static double shown(const ps_service_report_t *report, const char *unit, const char *name)
{
    const ps_statistic_t *s = figure_of(report, unit, name);
    cr_assert_not_null(s, "no %s of %s", name, unit);
    cr_assert_eq(s->shown, PS_SHOWN, "%s of %s: %s", name, unit,
                 s->reason ? s->reason : "hidden");
    return s->value;
}

/* Every value of a golden file whose statistic the report has, for 'unit'; returns how many. */
static int check_golden(const char *file, const ps_service_report_t *report, const char *unit)
{
    char *path = golden(file);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "%s", path);
    free(path);
    char line[256];
    int checked = 0;
    while (fgets(line, sizeof line, f)) {
        char statistic[64], value[64];
        if (sscanf(line, "%63[^,],%63s", statistic, value) != 2 ||
            !figure_of(report, unit, statistic))
            continue;
        double want = strtod(value, NULL), got = shown(report, unit, statistic);
        cr_assert(fabs(got - want) <= 1e-9 * fmax(fabs(want), 1), "%s %s: R %.17g, promscore %.17g",
                  unit, statistic, want, got);
        checked++;
    }
    fclose(f);
    return checked;
}

/* ---- Completers only. ---- */

static void read_completed(struct run *r, const char *file)
{
    char *path = data(file);
    ps_batch_summary_t summary;
    cr_assert_eq(ps_service_costs_read_completed(r->costs, r->cohort, path, &handlers, &summary),
                 PS_OK, "%s", last_message());
    free(path);
    /* R1 to R18 used; a comparison participant, an unknown id, R5 again and no id refused. */
    cr_assert_eq(summary.rows_read, 22);
    cr_assert_eq(summary.rows_scored, 18);
    cr_assert_eq(summary.rows_rejected, 4);
}

Test(completers, every_row_used_or_refused_with_its_reason)
{
    struct run r;
    start(&r, "unit-costs-wellby.csv", &no_control);
    read_completed(&r, "completed.csv");
    cr_assert_eq(capture.n_rejects, 4);
    cr_assert_eq(capture.rejects[0].line, 20);
    cr_assert_str_eq(capture.rejects[0].participant_id, "C1");
    cr_assert_str_eq(capture.rejects[0].reason, "in the comparison cohort, not among the people "
                                                "referred: only they can complete the programme");
    cr_assert_str_eq(capture.rejects[1].reason,
                     "not among the people referred (no count of theirs was read)");
    cr_assert_str_eq(capture.rejects[2].participant_id, "R5");
    cr_assert_str_eq(capture.rejects[2].reason, "listed twice (first on line 6)");
    cr_assert_str_eq(capture.rejects[3].reason, "no participant id");
    finish(&r);
}

Test(completers, a_list_without_the_id_column_is_refused)
{
    struct run r;
    start(&r, "unit-costs-wellby.csv", &no_control);
    char *list = test_file("completed.csv", "person\nR1\n", -1);
    cr_assert_eq(ps_service_costs_read_completed(r.costs, r.cohort, list, &handlers, NULL),
                 PS_ERROR_BATCH);
    cr_assert_str_eq(last_message(), "no column 'participant_id': a list of who completed the "
                                     "programme has one participant id a row under a header "
                                     "'participant_id'");
    free(list);
    finish(&r);
}

Test(completers, figures_equal_r_and_labelled_not_intention_to_treat)
{
    struct run r;
    start(&r, "unit-costs-wellby.csv", &no_control);
    read_completed(&r, "completed.csv");
    r.options.programme_cost = 5000;
    cr_assert_eq(ps_service_costs_apply(r.costs, &r.options, r.cohort, &no_control, r.report),
                 PS_OK, "%s", last_message());
    cr_assert_eq(check_golden("costs/completers-expected.csv", r.report, "ae_attendances"), 6);
    cr_assert_eq(check_golden("costs/completers-expected.csv", r.report, "total"), 5);
    const ps_statistic_t *s =
        figure_of(r.report, "total", "completers_notional_cost_avoidance");
    cr_assert_str_eq(s->note, "completers only (18 of 30 referred): not intention to treat");
    /* The headline stays everyone's: notional cost avoidance -525 (tests/test_cli_costs.c),
     * and the return on investment rests on it alone. */
    cr_assert_float_eq(shown(r.report, "total", "roi") * 5000,
                       shown(r.report, "total", "notional_cost_avoidance"), 1e-9);
    cr_assert_null(figure_of(r.report, "total", "completers_roi"));
    finish(&r);
}

Test(completers, hidden_when_the_others_are_few)
{
    struct run r;
    start(&r, "unit-costs-wellby.csv", &threshold_7);
    /* 25 of 30 completed: the 5 others' costs would follow by difference. */
    char *list = test_file("completed.csv",
                           "participant_id\nR1\nR2\nR3\nR4\nR5\nR6\nR7\nR8\nR9\nR10\nR11\nR12\n"
                           "R13\nR14\nR15\nR16\nR17\nR18\nR19\nR20\nR21\nR22\nR23\nR24\nR25\n",
                           -1);
    cr_assert_eq(ps_service_costs_read_completed(r.costs, r.cohort, list, &handlers, NULL), PS_OK);
    cr_assert_eq(ps_service_costs_apply(r.costs, &r.options, r.cohort, &threshold_7, r.report),
                 PS_OK, "%s", last_message());
    const ps_statistic_t *s = figure_of(r.report, "ae_attendances", "completers_cost_after");
    cr_assert_eq(s->shown, PS_SUPPRESSED);
    cr_assert_null(s->note, "a hidden figure says nothing of its people");
    cr_assert_eq(figure_of(r.report, "total", "completers_cost_before")->shown, PS_SUPPRESSED);
    /* Everyone's figures are still shown. */
    cr_assert_float_eq(shown(r.report, "ae_attendances", "cost_before"), 34200, 1e-9);
    free(list);
    finish(&r);
}

/* The report of 'counts' (people referred, whole windows) under 'rule', with who completed
 * read from 'list' and costs of 999 calls at 10 a unit, GP consultations at 40. */
static void costed(struct run *r, const char *counts, const char *list,
                   const ps_disclosure_t *rule)
{
    test_capture_release(&capture);
    r->context = test_context(&capture);
    char *path = test_shipped_measures();
    cr_assert_eq(ps_service_definition_read(r->context, path, &r->definition), PS_OK, "%s",
                 last_message());
    free(path);
    ps_service_options_t o;
    ps_service_options_init(&o, sizeof o);
    o.windows = year_after;
    o.n_windows = 2;
    cr_assert_eq(ps_service_cohort_new(r->context, r->definition, &o, &r->cohort), PS_OK);
    path = test_file("counts.csv", counts, -1);
    cr_assert_eq(ps_service_read(r->cohort, path, PS_SERVICE_REFERRED, &handlers, NULL), PS_OK,
                 "%s", last_message());
    free(path);
    cr_assert_eq(ps_service_report(r->cohort, rule, &r->report), PS_OK, "%s", last_message());
    path = test_file("costs.csv", "measure,value,unit,price_year,source,licence\n"
                                  "calls_999,10,per call,2023,test,CC0-1.0\n"
                                  "gp_consultations,40,per consultation,2023,test,CC0-1.0\n",
                     -1);
    cr_assert_eq(ps_service_costs_read(r->context, path, &r->costs), PS_OK, "%s",
                 last_message());
    free(path);
    path = test_file("completed.csv", list, -1);
    cr_assert_eq(ps_service_costs_read_completed(r->costs, r->cohort, path, &handlers, NULL),
                 PS_OK, "%s", last_message());
    free(path);
    ps_service_costs_options_init(&r->options, sizeof r->options);
    r->options.seed = 1;
    cr_assert_eq(ps_service_costs_apply(r->costs, &r->options, r->cohort, rule, r->report),
                 PS_OK, "%s", last_message());
}

/* The ten who completed of twenty referred, R00 to R09. */
static const char ten_of_twenty[] =
    "participant_id\nR00\nR01\nR02\nR03\nR04\nR05\nR06\nR07\nR08\nR09\n";

/*
 * Twenty people referred with 999 calls, ten of whom completed (R00 to R09); GP consultations
 * were linked for R00 to R10 only, so R10 is the one non-completer with GP counts ('gp_before'
 * and 'gp_after' theirs).
 */
static void one_non_completer(struct run *r, int gp_before, int gp_after,
                              const ps_disclosure_t *rule)
{
    char counts[4096] = "participant_id,window,calls_999,gp_consultations\n";
    for (int i = 0; i < 20; i++) {
        char before[16] = "", after[16] = "";
        if (i < 10) {
            snprintf(before, sizeof before, "%d", 8 + i % 6);
            snprintf(after, sizeof after, "%d", 4 + i % 5);
        } else if (i == 10) {
            snprintf(before, sizeof before, "%d", gp_before);
            snprintf(after, sizeof after, "%d", gp_after);
        }
        snprintf(counts + strlen(counts), sizeof counts - strlen(counts),
                 "R%02d,pre12,%d,%s\nR%02d,post12,%d,%s\n", i, 3 + i % 6, before, i, i % 5, after);
    }
    costed(r, counts, ten_of_twenty, rule);
}

/* GP consultations' completers figures are hidden (10 of 11: one other); the total's would
 * give them, less the 999 calls' (and everyone's GP events less them R10's 13 and 4), so
 * they are hidden too, as everyone's total is hidden with any measure's. */
Test(completers, the_total_is_hidden_with_any_measures)
{
    struct run r;
    one_non_completer(&r, 13, 4, &threshold_7);
    /* Everyone's figures are shown, and the 999 calls' completers' (10 of 20). */
    cr_assert_float_eq(shown(r.report, "total", "cost_before"),
                       shown(r.report, "calls_999", "cost_before") +
                           shown(r.report, "gp_consultations", "cost_before"),
                       1e-9);
    shown(r.report, "calls_999", "completers_cost_before");
    cr_assert_str_eq(figure_of(r.report, "calls_999", "completers_cost_before")->note,
                     "completers only (10 of 20 referred): not intention to treat");
    static const char *const names[] = {"completers_cost_before", "completers_cost_after",
                                        "completers_gross_cost_fall"};
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        cr_assert_eq(figure_of(r.report, "gp_consultations", names[k])->shown, PS_SUPPRESSED,
                     "%s", names[k]);
        const ps_statistic_t *s = figure_of(r.report, "total", names[k]);
        cr_assert_eq(s->shown, PS_SUPPRESSED, "total %s", names[k]);
        cr_assert_null(s->note, "a hidden figure says nothing of its people");
    }
    finish(&r);
}

/* Twenty referred, each with 5 999 calls before; after, the completers (R00 to R09) 'mine'
 * calls between them and the others 'theirs' (a call each from R00, or from R10, on). */
static void calls_after(struct run *r, int mine, int theirs, const ps_disclosure_t *rule)
{
    char counts[2048] = "participant_id,window,calls_999\n";
    for (int i = 0; i < 20; i++) {
        int after = i < 10 ? (i < mine) + (i + 10 < mine) : (i - 10 < theirs) + (i < theirs);
        snprintf(counts + strlen(counts), sizeof counts - strlen(counts),
                 "R%02d,pre12,5\nR%02d,post12,%d\n", i, i, after);
    }
    costed(r, counts, ten_of_twenty, rule);
}

/*
 * The completers' costs over the published unit cost are their events, and everyone's less
 * theirs the others': 2 calls after of the completers, or 3 of the others, would come out
 * though the report hides such numbers for everyone. All the measure's completers' figures
 * are hidden, and the total's with them; with 20 and 20 they are shown.
 */
Test(completers, hidden_when_their_events_or_the_others_are_few)
{
    static const int cases[][3] = {{2, 20, 1}, {20, 3, 1}, {20, 20, 0}};
    static const char *const names[] = {"completers_cost_before", "completers_cost_after",
                                        "completers_gross_cost_fall", "completers_rate_ratio"};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        struct run r;
        calls_after(&r, cases[c][0], cases[c][1], &threshold_7);
        /* Everyone's calls after are shown: 22, 23 or 40 of them. */
        cr_assert_float_eq(shown(r.report, "calls_999", "cost_after"),
                           10.0 * (cases[c][0] + cases[c][1]), 1e-9);
        for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
            const ps_statistic_t *s = figure_of(r.report, "calls_999", names[k]);
            cr_assert_eq(s->shown, cases[c][2] ? PS_SUPPRESSED : PS_SHOWN, "%d and %d: %s",
                         cases[c][0], cases[c][1], names[k]);
        }
        const ps_statistic_t *total = figure_of(r.report, "total", "completers_cost_after");
        cr_assert_eq(total->shown, cases[c][2] ? PS_SUPPRESSED : PS_SHOWN, "%d and %d: total",
                     cases[c][0], cases[c][1]);
        if (!cases[c][2])
            cr_assert_float_eq(total->value, 10.0 * cases[c][0], 1e-9);
        finish(&r);
    }
}

Test(completers, none_counted_is_said)
{
    struct run r;
    start(&r, "unit-costs-wellby.csv", &no_control);
    char *list = test_file("completed.csv", "participant_id\n", -1);
    cr_assert_eq(ps_service_costs_read_completed(r.costs, r.cohort, list, &handlers, NULL), PS_OK);
    cr_assert_eq(ps_service_costs_apply(r.costs, &r.options, r.cohort, &no_control, r.report),
                 PS_OK);
    const ps_statistic_t *s = figure_of(r.report, "total", "completers_cost_before");
    cr_assert_eq(s->shown, PS_NOT_COMPUTABLE);
    cr_assert_str_eq(s->reason, "no one listed as completing the programme (--completed) was "
                                "counted in both windows");
    free(list);
    finish(&r);
}

/* ---- The wellbeing value. ---- */

static ps_error_t wellbeing(struct run *r, const char *file, const char *followup,
                            const ps_disclosure_t *rule)
{
    char *path = data(file);
    ps_batch_summary_t summary;
    ps_error_t err = ps_service_costs_wellbeing(r->costs, &r->options, r->cohort, path, NULL,
                                                followup, &handlers, rule, r->report, &summary);
    free(path);
    return err;
}

Test(wellbeing, ons4_life_satisfaction_equals_r_t_test)
{
    struct run r;
    start(&r, "unit-costs-wellby.csv", &no_control);
    cr_assert_eq(ps_service_costs_apply(r.costs, &r.options, r.cohort, &no_control, r.report),
                 PS_OK);
    double avoidance = shown(r.report, "total", "notional_cost_avoidance");
    cr_assert_eq(wellbeing(&r, "wellbeing-ons4.csv", NULL, &no_control), PS_OK, "%s",
                 last_message());
    cr_assert_eq(check_golden("costs/wellbeing-expected.csv", r.report, "wellbeing"), 9);
    /* 13000 at 2019/20 prices x 1.0249 x 1.0258 x 1.0732 (the example index) by hand. */
    cr_assert_float_eq(shown(r.report, "wellbeing", "value_per_wellby"),
                       13000 * 1.0249 * 1.0258 * 1.0732, 1e-9);
    /* Never added to the costs: everyone's cost avoidance is as it was. */
    cr_assert_float_eq(shown(r.report, "total", "notional_cost_avoidance"), avoidance, 1e-12);
    cr_assert_str_eq(figure_of(r.report, "wellbeing", "wellbeing_value")->note,
                     "wellbeing value (not NHS cost avoidance; never added to it); not "
                     "attributable: no comparison group, so the change is a before-after "
                     "change, not an effect of the service");
    cr_assert_str_eq(figure_of(r.report, "wellbeing", "wellbys")->note,
                     "sum of the 22 changes x 0.999316 years (post12, 365 days: the follow-up "
                     "window observed, not extrapolated)");
    /* The scores of C1 (the comparison cohort's) and X31 (no one read) are refused, not
     * valued, and R1's second baseline score is refused, the first kept. */
    cr_assert_eq(capture.n_rejects, 3);
    cr_assert_eq(capture.rejects[0].line, 206);
    cr_assert_str_eq(capture.rejects[0].participant_id, "C1");
    cr_assert_str_eq(capture.rejects[0].reason,
                     "in the comparison cohort, not among the people referred: the wellbeing "
                     "value is theirs alone");
    cr_assert_eq(capture.rejects[1].line, 210);
    cr_assert_str_eq(capture.rejects[1].participant_id, "X31");
    cr_assert_str_eq(capture.rejects[1].reason,
                     "not among the people referred (no count of theirs was read): the "
                     "wellbeing value is theirs alone");
    cr_assert_eq(capture.rejects[2].line, 214);
    cr_assert_str_eq(capture.rejects[2].participant_id, "R1");
    cr_assert_str_eq(capture.rejects[2].reason,
                     "a second ONS4 life satisfaction (0-10) score of this participant at "
                     "baseline (the first, on line 2, is used)");
    finish(&r);
}

Test(wellbeing, few_people_paired_hide_it)
{
    struct run r;
    start(&r, "unit-costs-wellby.csv", &threshold_7);
    char *scored = test_file("few.csv",
                             "participant_id,timepoint,instrument,scale,score,band,answered,"
                             "status\n"
                             "R1,baseline,ons4,satisfaction,4,low,1,ok\n"
                             "R1,followup,ons4,satisfaction,6,medium,1,ok\n"
                             "R2,baseline,ons4,satisfaction,5,medium,1,ok\n"
                             "R2,followup,ons4,satisfaction,8,high,1,ok\n",
                             -1);
    cr_assert_eq(ps_service_costs_wellbeing(r.costs, &r.options, r.cohort, scored, NULL, NULL,
                                            &handlers, &threshold_7, r.report, NULL),
                 PS_OK, "%s", last_message());
    cr_assert_eq(figure_of(r.report, "wellbeing", "wellbeing_n_paired")->shown, PS_SUPPRESSED);
    cr_assert_eq(figure_of(r.report, "wellbeing", "wellbeing_mean_change")->shown,
                 PS_SUPPRESSED);
    cr_assert_eq(figure_of(r.report, "wellbeing", "wellbeing_value")->shown, PS_SUPPRESSED);
    /* The value of a WELLBY is about no one. */
    cr_assert_float_eq(shown(r.report, "wellbeing", "value_per_wellby"),
                       13000 * 1.0249 * 1.0258 * 1.0732, 1e-9);
    free(scored);
    finish(&r);
}

static const char swemwbs[] =
    "participant_id,timepoint,instrument,scale,score,band,answered,status\n"
    "R1,baseline,swemwbs,metric,19.25,,7,ok\n"
    "R1,followup,swemwbs,metric,21.54,,7,ok\n"
    "R2,baseline,swemwbs,metric,20.73,,7,ok\n"
    "R2,followup,swemwbs,metric,20.73,,7,ok\n"
    "R3,baseline,swemwbs,metric,17.43,,7,ok\n"
    "R3,followup,swemwbs,metric,23.21,,7,ok\n";

Test(wellbeing, swemwbs_without_a_declared_rate_is_refused)
{
    struct run r;
    start(&r, "unit-costs-wellby.csv", &no_control);
    char *scored = test_file("swemwbs.csv", swemwbs, -1);
    cr_assert_eq(ps_service_costs_wellbeing(r.costs, &r.options, r.cohort, scored, NULL, NULL,
                                            &handlers, &no_control, r.report, NULL),
                 PS_ERROR_USAGE);
    cr_assert(strstr(last_message(), "has SWEMWBS metric score scores and no ONS4 life "
                                     "satisfaction: a wellbeing value from them needs an "
                                     "exchange rate to life satisfaction declared in the costs "
                                     "file with its source (a row "
                                     "swemwbs_to_life_satisfaction,RATE,...)"),
              "%s", last_message());
    free(scored);
    finish(&r);
}

Test(wellbeing, swemwbs_through_a_declared_rate_is_a_benefit_transfer)
{
    struct run r;
    start(&r, "unit-costs-transfer.csv", &no_control);
    char *scored = test_file("swemwbs.csv", swemwbs, -1);
    cr_assert_eq(ps_service_costs_wellbeing(r.costs, &r.options, r.cohort, scored, NULL, NULL,
                                            &handlers, &no_control, r.report, NULL),
                 PS_OK, "%s", last_message());
    /* Changes 2.29, 0 and 5.78 SWEMWBS points x 0.25 (the test's rate): mean 0.6725; R:
     * t.test(c(2.29, 0, 5.78) * 0.25) gives 95% CI -1.13513696269 to 2.48013696269. */
    cr_assert_float_eq(shown(r.report, "wellbeing", "wellbeing_mean_change"), 0.6725, 1e-12);
    cr_assert_float_eq(shown(r.report, "wellbeing", "wellbeing_mean_change_ci_low"),
                       -1.13513696269, 1e-10);
    cr_assert_float_eq(shown(r.report, "wellbeing", "wellbeing_mean_change_ci_high"),
                       2.48013696269, 1e-10);
    /* At 2022/23 prices, as the measures' costs: no uprating. */
    cr_assert_float_eq(shown(r.report, "wellbeing", "wellbeing_value"),
                       (2.29 + 5.78) * 0.25 * 365 / 365.25 * 13000, 1e-6);
    const ps_statistic_t *mean = figure_of(r.report, "wellbeing", "wellbeing_mean_change");
    cr_assert_str_eq(mean->note, "BENEFIT TRANSFER: SWEMWBS metric score change x 0.25 life "
                                 "satisfaction points per SWEMWBS point (test rate, not a "
                                 "published one; licence CC0-1.0)");
    cr_assert(strncmp(figure_of(r.report, "wellbeing", "wellbeing_value")->note,
                      "BENEFIT TRANSFER; wellbeing value (not NHS cost avoidance", 57) == 0);
    free(scored);
    finish(&r);
}

Test(wellbeing, refused_without_a_wellby_row_or_a_follow_up)
{
    struct run r;
    start(&r, "unit-costs-transfer.csv", &no_control);
    /* unit-costs-transfer.csv has a wellby row; a file of ONS4 baselines alone has no
     * follow-up. */
    char *scored = test_file("baseline.csv",
                             "participant_id,timepoint,instrument,scale,score,band,answered,"
                             "status\nA,baseline,ons4,satisfaction,4,low,1,ok\n",
                             -1);
    cr_assert_eq(ps_service_costs_wellbeing(r.costs, &r.options, r.cohort, scored, NULL, NULL,
                                            &handlers, &no_control, r.report, NULL),
                 PS_ERROR_USAGE);
    cr_assert_str_eq(last_message(), "no score after the baseline: a wellbeing value needs a "
                                     "follow-up");
    free(scored);
    finish(&r);
    /* Costs without a wellby row. */
    start(&r, "unit-costs-no-wellby.csv", &no_control);
    cr_assert_eq(wellbeing(&r, "wellbeing-ons4.csv", NULL, &no_control), PS_ERROR_USAGE);
    cr_assert(strncmp(last_message(), "the costs file has no 'wellby' row", 34) == 0, "%s",
              last_message());
    finish(&r);
}

Test(wellbeing, a_follow_up_named_that_is_absent_is_refused)
{
    struct run r;
    start(&r, "unit-costs-wellby.csv", &no_control);
    cr_assert_eq(wellbeing(&r, "wellbeing-ons4.csv", "month6", &no_control), PS_ERROR_USAGE);
    cr_assert_str_eq(last_message(), "no score at the follow-up timepoint 'month6'");
    finish(&r);
}

Test(wellbeing, rounding_withholds_what_gives_the_exact_n)
{
    struct run r;
    const ps_disclosure_t rounded = {1, 7, 5};
    start(&r, "unit-costs-wellby.csv", &rounded);
    cr_assert_eq(wellbeing(&r, "wellbeing-ons4.csv", NULL, &rounded), PS_OK, "%s",
                 last_message());
    cr_assert_float_eq(shown(r.report, "wellbeing", "wellbeing_n_paired"), 20, 1e-12);
    /* 15 / 11 to one decimal fewer: its digits (1.3636...) beside a rounded 20 gave n = 22. */
    cr_assert_float_eq(shown(r.report, "wellbeing", "wellbeing_mean_change"), 1.4, 1e-12);
    cr_assert_eq(figure_of(r.report, "wellbeing", "wellbys")->shown, PS_SUPPRESSED);
    cr_assert_eq(figure_of(r.report, "wellbeing", "wellbeing_value")->shown, PS_SUPPRESSED);
    finish(&r);
}
