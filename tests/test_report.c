/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The cohort report end to end through the library: pairing, loss to
 * follow-up, the "end" comparison, R's figures, and disclosure control.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "helpers.h"

struct built {
    struct capture capture;
    ps_cohort_t *cohort;
    ps_report_t *report;
    ps_error_t error;
};

static int add(const ps_score_t *score, void *user)
{
    struct built *b = user;
    b->error = ps_cohort_add(b->cohort, score);
    return b->error != PS_OK;
}

/* Reports on a scored CSV (text) with the given options, after loading 'definition' (a file
 * under tests/data) when not NULL. */
static struct built *build_with(const char *definition, const char *scored,
                                const ps_cohort_options_t *options, ps_disclosure_t disclosure)
{
    struct built *b = calloc(1, sizeof *b);
    ps_context_t *context = test_context(&b->capture);
    if (definition)
        cr_assert_eq(ps_context_load_instrument(context, test_data(definition), NULL), PS_OK);
    cr_assert_eq(ps_cohort_new(context, options, &b->cohort), PS_OK);
    ps_error_t err = ps_scored_read(context, test_file("scored.csv", scored, -1), options->by,
                                    options->n_by, add, b);
    if (err != PS_ERROR_ABORTED)
        b->error = err;
    if (!b->error)
        b->error = ps_cohort_report(b->cohort, &disclosure, &b->report);
    ps_cohort_free(b->cohort);
    return b;
}

static struct built *build(const char *scored, const ps_cohort_options_t *options,
                           ps_disclosure_t disclosure)
{
    return build_with(NULL, scored, options, disclosure);
}

static const ps_disclosure_t no_suppression = {0, 7, 0};
static const ps_disclosure_t nhs = {1, 7, 0};

static const ps_statistic_t *get(const struct built *b, const char *scale, const char *group,
                                 const char *comparison, const char *name)
{
    for (size_t i = 0; i < ps_report_count(b->report); i++) {
        const ps_statistic_t *s = ps_report_statistic(b->report, i);
        if (strcmp(s->unit, scale) == 0 && strcmp(s->group, group) == 0 &&
            strcmp(s->comparison, comparison) == 0 && strcmp(s->name, name) == 0)
            return s;
    }
    cr_assert_fail("no %s %s %s %s", scale, group, comparison, name);
    return NULL;
}

static double value(const struct built *b, const char *scale, const char *comparison,
                    const char *name)
{
    const ps_statistic_t *s = get(b, scale, "all", comparison, name);
    cr_assert_eq(s->shown, PS_SHOWN, "%s is not shown: %s", name, s->reason ? s->reason : "suppressed");
    return s->value;
}

#define HEADER "participant_id,timepoint,instrument,scale,score,band,answered,status\n"
#define HEADER_SITE "participant_id,timepoint,instrument,scale,score,band,answered,status,site\n"

/* A scored CSV of WEMWBS totals from a golden data set: baseline and followup. */
static char *scored_from_golden(const char *set, const char *scale)
{
    char *name;
    cr_assert_geq(asprintf(&name, "../golden/%s.csv", set), 0);
    FILE *f = fopen(test_data(name), "r");
    cr_assert_not_null(f);
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    fputs(HEADER, out);
    char line[128], pre[32], post[32];
    cr_assert_not_null(fgets(line, sizeof line, f));
    for (int k = 1; fgets(line, sizeof line, f); k++) {
        cr_assert_eq(sscanf(line, "%31[^,],%31s", pre, post), 2);
        const char *in = strcmp(scale, "metric") == 0 ? "swemwbs" : "wemwbs";
        fprintf(out, "G%d,baseline,%s,%s,%s,,14,ok\nG%d,followup,%s,%s,%s,,14,ok\n", k, in,
                scale, pre, k, in, scale, post);
    }
    fclose(out);
    fclose(f);
    return text;
}

static double golden(const char *set, const char *statistic)
{
    FILE *f = fopen(test_data("../golden/expected.csv"), "r");
    char line[256], s[64], n[64], v[64];
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "%63[^,],%63[^,],%63s", s, n, v) == 3 && strcmp(s, set) == 0 &&
            strcmp(n, statistic) == 0) {
            fclose(f);
            return strtod(v, NULL);
        }
    cr_assert_fail("no golden %s %s", set, statistic);
    return NAN;
}

static void assert_r(const struct built *b, const char *set, const char *scale)
{
    static const char *const names[] = {
        "mean_baseline", "sd_baseline", "median_baseline", "mean_followup", "sd_followup",
        "median_followup", "mean_change", "sd_change", "ci_low", "ci_high", "t", "df", "p_t",
        "wilcoxon_v", "p_wilcoxon", "d_z", "d_z_ci_low", "d_z_ci_high", "g_z"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        double want = golden(set, names[i]);
        double got = value(b, scale, "baseline->followup", names[i]);
        cr_assert(fabs(got - want) <= 1e-9 * fabs(want) || (want == 0 && fabs(got) < 1e-12),
                  "%s %s: R %.17g, report %.17g", set, names[i], want, got);
    }
}

Test(report, matches_r_through_the_scored_csv_small_ties)
{
    ps_cohort_options_t o = {.size = sizeof o};
    struct built *b = build(scored_from_golden("small_ties_zeros", "total"), &o, no_suppression);
    cr_assert_eq(b->error, PS_OK);
    assert_r(b, "small_ties_zeros", "total");
    cr_assert_eq(value(b, "total", "baseline->followup", "wilcoxon_exact"), 0);
}

Test(report, matches_r_exact_wilcoxon)
{
    ps_cohort_options_t o = {.size = sizeof o};
    struct built *b = build(scored_from_golden("exact_no_ties", "metric"), &o, no_suppression);
    cr_assert_eq(b->error, PS_OK);
    assert_r(b, "exact_no_ties", "metric");
    cr_assert_eq(value(b, "metric", "baseline->followup", "wilcoxon_exact"), 1);
}

Test(report, matches_r_normal_approximation)
{
    ps_cohort_options_t o = {.size = sizeof o};
    struct built *b = build(scored_from_golden("large_normal", "total"), &o, nhs);
    cr_assert_eq(b->error, PS_OK);
    assert_r(b, "large_normal", "total");
}

Test(report, equal_changes_are_reported_not_computable_with_reason)
{
    ps_cohort_options_t o = {.size = sizeof o};
    struct built *b = build(scored_from_golden("constant_change", "total"), &o, no_suppression);
    const ps_statistic_t *t = get(b, "total", "all", "baseline->followup", "t");
    cr_assert_eq(t->shown, PS_NOT_COMPUTABLE);
    cr_assert_str_eq(t->reason, "every change is the same (no variation)");
    cr_assert_eq(get(b, "total", "all", "baseline->followup", "d_z")->shown, PS_NOT_COMPUTABLE);
    cr_assert_float_eq(value(b, "total", "baseline->followup", "mean_change"), 3, 1e-12);
}

/* Three timepoints: P1 all three; P2 baseline and t1; P3 baseline and t2; P4 baseline only;
 * P5 t1 only; P6 incomplete at t2. WEMWBS totals. */
static const char three_timepoints[] =
    HEADER "P1,baseline,wemwbs,total,40,,14,ok\nP1,t1,wemwbs,total,44,,14,ok\n"
           "P1,t2,wemwbs,total,48,,14,ok\nP2,baseline,wemwbs,total,30,,14,ok\n"
           "P2,t1,wemwbs,total,33,,14,ok\nP3,baseline,wemwbs,total,50,,14,ok\n"
           "P3,t2,wemwbs,total,45,,14,ok\nP4,baseline,wemwbs,total,35,,14,ok\n"
           "P5,t1,wemwbs,total,41,,14,ok\nP6,baseline,wemwbs,total,20,,14,ok\n"
           "P6,t2,wemwbs,total,,,13,incomplete\n";

Test(report, loss_to_follow_up_and_end_with_three_timepoints)
{
    ps_cohort_options_t o = {.size = sizeof o};
    struct built *b = build(three_timepoints, &o, no_suppression);
    cr_assert_eq(b->error, PS_OK);
    cr_assert_eq(value(b, "total", "baseline->t1", "n_baseline"), 5);
    cr_assert_eq(value(b, "total", "baseline->t1", "n_followup"), 3);
    cr_assert_eq(value(b, "total", "baseline->t1", "n_paired"), 2);
    cr_assert_eq(value(b, "total", "baseline->t1", "lost_to_followup"), 3);
    cr_assert_float_eq(value(b, "total", "baseline->t1", "loss_rate"), 0.6, 1e-12);
    cr_assert_eq(value(b, "total", "baseline->t2", "n_paired"), 2);
    /* End: P1 48 (t2), P2 33 (t1), P3 45 (t2); P6's incomplete t2 is not a score. */
    cr_assert_eq(value(b, "total", "baseline->end", "n_paired"), 3);
    cr_assert_eq(value(b, "total", "baseline->end", "lost_to_followup"), 2);
    cr_assert_float_eq(value(b, "total", "baseline->end", "mean_change"), (8.0 + 3 - 5) / 3, 1e-12);
    /* Lost at end: P4 35 and P6 20. */
    cr_assert_float_eq(value(b, "total", "baseline->end", "mean_baseline_lost"), 27.5, 1e-12);
}

Test(report, timepoint_order_decides_the_last_follow_up)
{
    const char *order[] = {"t2", "t1"};
    ps_cohort_options_t o = {.size = sizeof o, .timepoints = order, .n_timepoints = 2};
    struct built *b = build(three_timepoints, &o, no_suppression);
    cr_assert_eq(b->error, PS_OK);
    /* With t1 last, P1's end is 44. */
    cr_assert_float_eq(value(b, "total", "baseline->end", "mean_change"), (4.0 + 3 - 5) / 3, 1e-12);
    const ps_statistic_t *first = ps_report_statistic(b->report, 0);
    cr_assert_str_eq(first->comparison, "baseline->t2");
}

Test(report, unlisted_timepoint_is_refused)
{
    const char *order[] = {"t1"};
    ps_cohort_options_t o = {.size = sizeof o, .timepoints = order, .n_timepoints = 1};
    struct built *b = build(three_timepoints, &o, no_suppression);
    cr_assert_eq(b->error, PS_ERROR_USAGE);
    cr_assert(strstr(b->capture.diagnostics[0].message, "'t2'"));
    cr_assert_eq(b->capture.diagnostics[0].line, 4);
}

Test(report, a_score_given_twice_is_refused)
{
    ps_cohort_options_t o = {.size = sizeof o};
    struct built *b = build(HEADER "P1,baseline,wemwbs,total,40,,14,ok\n"
                                   "P1,baseline,wemwbs,total,41,,14,ok\n", &o, no_suppression);
    cr_assert_eq(b->error, PS_ERROR_BATCH);
    cr_assert_eq(b->capture.diagnostics[0].line, 3);
}

Test(report, a_file_that_is_not_scored_output_is_refused)
{
    ps_cohort_options_t o = {.size = sizeof o};
    struct built *b = build("participant_id,timepoint,wemwbs_1\nP1,t,3\n", &o, no_suppression);
    cr_assert_eq(b->error, PS_ERROR_BATCH);
    cr_assert(strstr(b->capture.diagnostics[0].message, "not a scored CSV"));
}

Test(report, scored_header_alone_is_refused_not_reported_empty)
{
    /* Found by fuzz_scored: no scales at all once reached qsort with a null array. A report
     * would be empty: it is refused, saying why. */
    ps_cohort_options_t o = {.size = sizeof o};
    struct built *b = build(HEADER, &o, nhs);
    cr_assert_eq(b->error, PS_ERROR_BATCH);
    cr_assert_null(b->report);
    cr_assert_str_eq(b->capture.diagnostics[0].message,
                     "no row has the baseline timepoint 'baseline': no scores were read");
}

/* ---- Disclosure control. ---- */

/* n people with baseline 40 and follow-up 40 + change[k] in site[k]. */
static char *cohort_text(size_t n, const int *change, const char *const *site)
{
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    fputs(HEADER_SITE, f);
    for (size_t k = 0; k < n; k++) {
        fprintf(f, "Q%zu,baseline,wemwbs,total,40,,14,ok,%s\n", k, site ? site[k] : "A");
        if (change[k] != 99)
            fprintf(f, "Q%zu,followup,wemwbs,total,%d,,14,ok,%s\n", k, 40 + change[k],
                    site ? site[k] : "A");
    }
    fclose(f);
    return text;
}

Test(disclosure, small_counts_and_secondary_suppression)
{
    /* 10 improved (+5), 5 unchanged (0), 12 deteriorated (-5): 27 paired. */
    int change[27];
    for (int k = 0; k < 27; k++)
        change[k] = k < 10 ? 5 : k < 15 ? 0 : -5;
    ps_cohort_options_t o = {.size = sizeof o};
    struct built *b = build(cohort_text(27, change, NULL), &o, nhs);
    const char *c = "baseline->followup";
    cr_assert_eq(get(b, "total", "all", c, "n_unchanged")->shown, PS_SUPPRESSED);
    /* 27 - 10 - 12 would give the 5 away: another of them is hidden too. */
    cr_assert(get(b, "total", "all", c, "n_improved")->shown == PS_SUPPRESSED ||
              get(b, "total", "all", c, "n_deteriorated")->shown == PS_SUPPRESSED);
    cr_assert_eq(value(b, "total", c, "n_paired"), 27);
    cr_assert_float_eq(value(b, "total", c, "mean_change"), (50.0 - 60) / 27, 1e-12);
    cr_assert(strstr(ps_report_disclosure_rule(b->report), "1 to 7"));
}

Test(disclosure, figures_on_seven_or_fewer_people_are_hidden)
{
    int change[7] = {1, 2, 3, 4, 5, 6, 99};
    ps_cohort_options_t o = {.size = sizeof o};
    struct built *b = build(cohort_text(7, change, NULL), &o, nhs);
    const char *c = "baseline->followup";
    for (const char *const *name = (const char *const[]){"n_baseline", "n_paired", "mean_change",
                                                          "median_followup", "p_t", "d_z", NULL};
         *name; name++)
        cr_assert_eq(get(b, "total", "all", c, *name)->shown, PS_SUPPRESSED, "%s", *name);
}

Test(disclosure, a_small_group_cannot_be_recovered_from_the_total)
{
    /* Site A: 5 people; site B: 20; the whole cohort 25. */
    int change[25];
    const char *site[25];
    for (int k = 0; k < 25; k++) {
        change[k] = k % 3;
        site[k] = k < 5 ? "A" : "B";
    }
    const char *by[] = {"site"};
    ps_cohort_options_t o = {.size = sizeof o, .by = by, .n_by = 1};
    struct built *b = build(cohort_text(25, change, site), &o, nhs);
    const char *c = "baseline->followup";
    cr_assert_eq(b->error, PS_OK);
    cr_assert_eq(value(b, "total", c, "n_baseline"), 25);
    cr_assert_eq(get(b, "total", "site=A", c, "n_baseline")->shown, PS_SUPPRESSED);
    cr_assert_eq(get(b, "total", "site=B", c, "n_baseline")->shown, PS_SUPPRESSED,
                 "25 - B would reveal A");
    /* B's 20 pairs are hidden too, and with them every figure resting on them: from a mean,
     * SD and t (or df) anyone could work out n, and A's 5 from 25 - n. */
    cr_assert_eq(get(b, "total", "site=B", c, "n_paired")->shown, PS_SUPPRESSED);
    for (const char *const *name = (const char *const[]){"df", "t", "mean_change", "sd_change",
                                                          "ci_low", "d_z", NULL};
         *name; name++)
        cr_assert_eq(get(b, "total", "site=B", c, *name)->shown, PS_SUPPRESSED, "%s", *name);
    /* The whole cohort's figures stand. */
    cr_assert_eq(get(b, "total", "all", c, "df")->shown, PS_SHOWN);
}

Test(disclosure, rounding_to_five_and_rates_from_rounded_counts)
{
    int change[23];
    for (int k = 0; k < 23; k++)
        change[k] = k < 12 ? 2 : 99; /* 12 paired, 11 lost */
    ps_cohort_options_t o = {.size = sizeof o};
    struct built *b = build(cohort_text(23, change, NULL), &o, (ps_disclosure_t){1, 7, 5});
    const char *c = "baseline->followup";
    cr_assert_eq(value(b, "total", c, "n_baseline"), 25);
    cr_assert_eq(value(b, "total", c, "n_paired"), 10);
    cr_assert_eq(value(b, "total", c, "lost_to_followup"), 10);
    cr_assert_float_eq(value(b, "total", c, "loss_rate"), 10.0 / 25, 1e-12);
    cr_assert(strstr(ps_report_disclosure_rule(b->report), "nearest 5"));
}

Test(disclosure, no_suppress_shows_everything_and_says_so)
{
    int change[3] = {1, 2, 3};
    ps_cohort_options_t o = {.size = sizeof o};
    struct built *b = build(cohort_text(3, change, NULL), &o, no_suppression);
    cr_assert_eq(value(b, "total", "baseline->followup", "n_paired"), 3);
    cr_assert(strstr(ps_report_disclosure_rule(b->report), "internal analysis"));
}

/* ---- Which way is better. ---- */

/* Severity (lower is better): 10 people 20 -> 3 (severe to minimal), 9 stay at 12 (moderate),
 * 8 go 6 -> 12 (mild to moderate). */
static char *severity_cohort(void)
{
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    fputs(HEADER, f);
    for (int k = 0; k < 27; k++) {
        int pre = k < 10 ? 20 : k < 19 ? 12 : 6, post = k < 10 ? 3 : 12;
        fprintf(f, "L%d,baseline,lowtest,severity,%d,,9,ok\nL%d,followup,lowtest,severity,%d,,9,ok\n",
                k, pre, k, post);
    }
    fclose(f);
    return text;
}

Test(direction, lower_is_better_counts_a_fall_as_improvement)
{
    ps_cohort_options_t o = {.size = sizeof o};
    struct built *b = build_with("definitions/lower.xml", severity_cohort(), &o, no_suppression);
    cr_assert_eq(b->error, PS_OK);
    const char *c = "baseline->followup";
    cr_assert_eq(value(b, "severity", c, "n_band_better"), 10);
    cr_assert_eq(value(b, "severity", c, "n_band_same"), 9);
    cr_assert_eq(value(b, "severity", c, "n_band_worse"), 8);
    /* The worst band, the one a lead quotes ("x% moved out of severe"), has its figure. */
    cr_assert_eq(value(b, "severity", c, "n_moved_better_from:severe"), 10);
    cr_assert_float_eq(value(b, "severity", c, "moved_better_from:severe"), 1.0, 1e-12);
    cr_assert_eq(value(b, "severity", c, "n_moved_better_from:mild"), 0);
    cr_assert_float_eq(value(b, "severity", c, "moved_better_from:mild"), 0.0, 1e-12);
    /* The best band has no better one. */
    for (size_t i = 0; i < ps_report_count(b->report); i++)
        cr_assert_neq(strcmp(ps_report_statistic(b->report, i)->name,
                             "n_moved_better_from:minimal"), 0);
    /* Meaningful (at least 5 points) and reliable (more than 1.96 * sqrt(2) * 2) change. */
    cr_assert_eq(value(b, "severity", c, "n_improved"), 10);
    cr_assert_eq(value(b, "severity", c, "n_unchanged"), 9);
    cr_assert_eq(value(b, "severity", c, "n_deteriorated"), 8);
    cr_assert_eq(value(b, "severity", c, "n_reliable_improved"), 10);
    cr_assert_eq(value(b, "severity", c, "n_reliable_deteriorated"), 8);
    cr_assert_float_eq(value(b, "severity", c, "reliable_change"), 1.96 * sqrt(2) * 2, 1e-12);
}

Test(direction, higher_is_better_bands)
{
    /* WEMWBS: 10 move 38 -> 46 (probable to above), 9 stay at 42, 8 go 42 -> 39. */
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    fputs(HEADER, f);
    for (int k = 0; k < 27; k++) {
        int pre = k < 10 ? 38 : 42, post = k < 10 ? 46 : k < 19 ? 42 : 39;
        fprintf(f, "W%d,baseline,wemwbs,total,%d,,14,ok\nW%d,followup,wemwbs,total,%d,,14,ok\n", k,
                pre, k, post);
    }
    fclose(f);
    ps_cohort_options_t o = {.size = sizeof o};
    struct built *b = build(text, &o, no_suppression);
    const char *c = "baseline->followup";
    cr_assert_eq(value(b, "total", c, "n_band_better"), 10);
    cr_assert_eq(value(b, "total", c, "n_band_same"), 9);
    cr_assert_eq(value(b, "total", c, "n_band_worse"), 8);
    cr_assert_eq(value(b, "total", c, "n_moved_better_from:probable depression (screening)"), 10);
    cr_assert_eq(value(b, "total", c, "n_moved_better_from:possible depression (screening)"), 0);
    for (size_t i = 0; i < ps_report_count(b->report); i++)
        cr_assert_neq(strcmp(ps_report_statistic(b->report, i)->name,
                             "n_moved_better_from:above screening cut-offs"), 0);
}

/* ---- What disclosure control hides, and what follows from it. ---- */

Test(disclosure, a_hidden_base_hides_its_reason_too)
{
    /* Site B has a single pair: "fewer than 2 pairs" would say n = 1. */
    int change[21];
    const char *site[21];
    for (int k = 0; k < 21; k++) {
        change[k] = k % 4;
        site[k] = k < 20 ? "A" : "B";
    }
    const char *by[] = {"site"};
    ps_cohort_options_t o = {.size = sizeof o, .by = by, .n_by = 1};
    struct built *b = build(cohort_text(21, change, site), &o, nhs);
    const char *c = "baseline->followup";
    for (size_t i = 0; i < ps_report_count(b->report); i++) {
        const ps_statistic_t *s = ps_report_statistic(b->report, i);
        /* Every figure about B's pairs (rates of B's published zeros stand). */
        const ps_statistic_info_t *info = ps_statistic_info(s->id);
        if (strcmp(s->group, "site=B") != 0 || info->rests_on[0] != PS_STAT_N_PAIRED)
            continue;
        cr_assert_eq(s->shown, PS_SUPPRESSED, "%s", s->name);
        cr_assert_null(s->reason, "%s says why it cannot be computed", s->name);
    }
    cr_assert_eq(get(b, "total", "site=B", c, "n_paired")->shown, PS_SUPPRESSED);
}

Test(disclosure, rounding_withholds_what_gives_the_exact_n)
{
    /* 31 pairs: n_paired is published as 30; df = 30 or t with the mean and SD would say 31. */
    int change[31];
    for (int k = 0; k < 31; k++)
        change[k] = k % 7 - 2;
    ps_cohort_options_t o = {.size = sizeof o};
    struct built *b = build(cohort_text(31, change, NULL), &o, (ps_disclosure_t){1, 7, 5});
    const char *c = "baseline->followup";
    cr_assert_eq(value(b, "total", c, "n_paired"), 30);
    static const char *const withheld[] = {"df", "t", "p_t", "ci_low", "ci_high", "wilcoxon_v",
                                           "p_wilcoxon", "d_z_ci_low", "d_z_ci_high", "g_z"};
    for (size_t i = 0; i < sizeof withheld / sizeof withheld[0]; i++) {
        const ps_statistic_t *s = get(b, "total", "all", c, withheld[i]);
        cr_assert_eq(s->shown, PS_SUPPRESSED, "%s", withheld[i]);
        cr_assert(s->note && strstr(s->note, "exact number"), "%s says why", withheld[i]);
    }
    /* Means and SDs to one decimal, medians whole: no finer than the rounded n allows. */
    double mean = value(b, "total", c, "mean_change");
    cr_assert_float_eq(mean, round(mean * 10) / 10, 1e-12);
    cr_assert_float_eq(mean, 0.8, 1e-12, "sum of changes 25 over 31: 0.806");
    double median = value(b, "total", c, "median_followup");
    cr_assert_float_eq(median, round(median), 1e-12);
    cr_assert_gt(ps_report_audit(b->report)->withheld, 0);
    cr_assert(strstr(ps_report_disclosure_rule(b->report), "withheld"));
}

Test(disclosure, one_follow_up_is_not_repeated_as_end)
{
    int change[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 0};
    ps_cohort_options_t o = {.size = sizeof o};
    struct built *b = build(cohort_text(10, change, NULL), &o, no_suppression);
    for (size_t i = 0; i < ps_report_count(b->report); i++)
        cr_assert_str_eq(ps_report_statistic(b->report, i)->comparison, "baseline->followup");
}

Test(disclosure, every_figure_has_its_catalogue_row)
{
    int change[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 0, -3, -8};
    ps_cohort_options_t o = {.size = sizeof o};
    struct built *b = build(cohort_text(12, change, NULL), &o, nhs);
    for (size_t i = 0; i < ps_report_count(b->report); i++) {
        const ps_statistic_t *s = ps_report_statistic(b->report, i);
        const ps_statistic_info_t *info = ps_statistic_info(s->id);
        cr_assert_not_null(info);
        cr_assert_eq(strncmp(s->name, info->name, strlen(info->name)), 0, "%s", s->name);
        cr_assert_eq(s->is_count, info->kind == PS_KIND_COUNT, "%s", s->name);
    }
    /* Every relation is between counts of the report, and holds for what it shows. */
    for (size_t k = 0; k < ps_report_relation_count(b->report); k++) {
        ps_relation_t rel;
        cr_assert(ps_report_relation(b->report, k, &rel));
        cr_assert(rel.lo <= rel.hi);
        for (size_t p = 0; p < rel.n; p++)
            cr_assert(ps_report_statistic(b->report, rel.statistics[p])->is_count);
    }
    cr_assert_gt(ps_report_relation_count(b->report), 5);
}

/* ---- Found by auditing the report as an attacker would (tests/data/disclosure). ---- */

static char *data_text(const char *name)
{
    char *text = test_slurp(test_data(name));
    cr_assert_not_null(text, "%s", name);
    return text;
}

static int hidden_count(const struct built *b, const char *scale, const char *group,
                        const char *comparison, ps_statistic_id_t id)
{
    for (size_t i = 0; i < ps_report_count(b->report); i++) {
        const ps_statistic_t *s = ps_report_statistic(b->report, i);
        if (s->id == id && strcmp(s->unit, scale) == 0 && strcmp(s->group, group) == 0 &&
            strcmp(s->comparison, comparison) == 0 && s->shown == PS_SUPPRESSED)
            return 1;
    }
    return 0;
}

Test(disclosure, on_one_score_bands_the_mean_is_hidden_with_a_band_count)
{
    /* Finance, 1-3, each band one score: 20 paired, 10 getting support at baseline, mean 2.30
     * gave n1 + n3 = 10 and n1 + 3 n3 = 26, so the hidden 2 not managing. */
    ps_cohort_options_t o = {.size = sizeof o};
    struct built *b = build(data_text("disclosure/one-score-bands.csv"), &o, nhs);
    cr_assert_eq(b->error, PS_OK);
    const char *c = "baseline->followup";
    cr_assert_eq(get(b, "finance", "all", c, "n_baseline_band:not managing")->shown,
                 PS_SUPPRESSED);
    for (const char *const *name = (const char *const[]){"mean_baseline", "sd_baseline",
                                                          "median_baseline", "mean_change",
                                                          "wilcoxon_v", "t", NULL};
         *name; name++) {
        const ps_statistic_t *s = get(b, "finance", "all", c, *name);
        cr_assert_eq(s->shown, PS_SUPPRESSED, "%s", *name);
        cr_assert(s->note && strstr(s->note, "band counts"), "%s says why", *name);
    }
    cr_assert_eq(value(b, "finance", c, "n_paired"), 20);
}

Test(disclosure, a_median_at_a_band_cut_off_reveals_no_hidden_band)
{
    /* 22 paired, median 40.5 at the 40/41 cut-off: exactly 11 score 40 or less. Either that
     * band's count is published, or the median is not. */
    ps_cohort_options_t o = {.size = sizeof o};
    struct built *b = build(data_text("disclosure/median-at-a-cut-off.csv"), &o, nhs);
    cr_assert_eq(b->error, PS_OK);
    for (size_t i = 0; i < ps_report_count(b->report); i++) {
        const ps_statistic_t *s = ps_report_statistic(b->report, i);
        if (s->id != PS_STAT_MEDIAN_BASELINE || s->shown != PS_SHOWN || !s->scale)
            continue;
        if (fabs(s->value - 40.5) > 1e-9)
            continue;
        cr_assert(!hidden_count(b, s->unit, s->group, s->comparison, PS_STAT_N_BASELINE_BAND) ||
                      get(b, s->unit, s->group, s->comparison,
                          "n_baseline_band:probable depression (screening)")
                              ->shown == PS_SHOWN,
                  "%s %s: median 40.5 beside a hidden band below the cut-off", s->group,
                  s->comparison);
    }
}

Test(disclosure, follow_up_without_baseline_is_a_count_too)
{
    /* Site A: 13 with a follow-up, 10 paired: 3 people with a follow-up and no baseline. */
    const char *by[] = {"site"};
    ps_cohort_options_t o = {.size = sizeof o, .by = by, .n_by = 1};
    struct built *b = build(data_text("disclosure/follow-up-without-baseline.csv"), &o, nhs);
    cr_assert_eq(b->error, PS_OK);
    for (size_t i = 0; i < ps_report_count(b->report); i++) {
        const ps_statistic_t *s = ps_report_statistic(b->report, i);
        if (s->id != PS_STAT_N_FOLLOWUP || s->shown != PS_SHOWN)
            continue;
        const ps_statistic_t *paired = get(b, s->unit, s->group, s->comparison, "n_paired");
        double rest = s->value - paired->value;
        cr_assert(paired->shown != PS_SHOWN || rest == 0 || rest > 7,
                  "%s %s: %g with a follow-up and no baseline", s->group, s->comparison, rest);
    }
}

Test(disclosure, a_published_wilcoxon_v_bounds_no_hidden_band)
{
    /* 20 paired, 14 stayed, V = 1: at most one positive change, so with n_band_better hidden
     * n_band_worse would be 5 or 6. V goes, or the counts it would bound are not hidden. */
    ps_cohort_options_t o = {.size = sizeof o};
    struct built *b = build(data_text("disclosure/wilcoxon-v-of-one.csv"), &o, nhs);
    cr_assert_eq(b->error, PS_OK);
    const char *c = "baseline->followup";
    int v_shown = get(b, "total", "all", c, "wilcoxon_v")->shown == PS_SHOWN;
    int worse_hidden = get(b, "total", "all", c, "n_band_worse")->shown == PS_SUPPRESSED;
    int same_shown = get(b, "total", "all", c, "n_band_same")->shown == PS_SHOWN;
    int paired_shown = get(b, "total", "all", c, "n_paired")->shown == PS_SHOWN;
    cr_assert(!(v_shown && worse_hidden && same_shown && paired_shown));
}

Test(disclosure, rounding_audits_a_program_of_very_unequal_coefficients)
{
    /* 30 paired, every change +0.1, on bands of -1e9..0 and 1e-6..1e9: the published mean
     * change gives a relation with coefficients from 1e-6 to 2e9, which the floating-point
     * simplex called infeasible, though the true counts satisfy it. */
    static const unsigned rounds[] = {2, 3, 5, 10};
    for (size_t k = 0; k < sizeof rounds / sizeof rounds[0]; k++) {
        ps_cohort_options_t o = {.size = sizeof o};
        ps_disclosure_t rounded = {1, 7, rounds[k]};
        struct built *b = build_with("definitions/wide.xml",
                                     data_text("disclosure/every-change-a-tenth.csv"), &o,
                                     rounded);
        cr_assert_eq(b->error, PS_OK, "rounded to %u: %s", rounds[k], ps_error_message(b->error));
        const char *c = "baseline->followup";
        cr_assert_eq(value(b, "x", c, "n_paired"), 30);
        cr_assert_eq(get(b, "x", "all", c, "transition:low->high")->shown, PS_SUPPRESSED);
    }
}

/* ---- The headline: blocks of the report, and the figures a board paper leads with. ---- */

/* Eight WEMWBS pairs and two lost: changes +10 +11 +4 0 +8 -1 -5 +5 (mean 4), three of them
 * more than the reliable 7.45 points, five at least the meaningful 3; four start in the worst
 * band ("probable depression", 14-40), and two of them leave it. */
#define HEADLINE_WEMWBS                                                                            \
    HEADER "P1,baseline,wemwbs,total,30,,14,ok\nP1,followup,wemwbs,total,40,,14,ok\n"             \
           "P2,baseline,wemwbs,total,35,,14,ok\nP2,followup,wemwbs,total,46,,14,ok\n"             \
           "P3,baseline,wemwbs,total,38,,14,ok\nP3,followup,wemwbs,total,42,,14,ok\n"             \
           "P4,baseline,wemwbs,total,40,,14,ok\nP4,followup,wemwbs,total,40,,14,ok\n"             \
           "P5,baseline,wemwbs,total,42,,14,ok\nP5,followup,wemwbs,total,50,,14,ok\n"             \
           "P6,baseline,wemwbs,total,44,,14,ok\nP6,followup,wemwbs,total,43,,14,ok\n"             \
           "P7,baseline,wemwbs,total,50,,14,ok\nP7,followup,wemwbs,total,45,,14,ok\n"             \
           "P8,baseline,wemwbs,total,55,,14,ok\nP8,followup,wemwbs,total,60,,14,ok\n"             \
           "P9,baseline,wemwbs,total,36,,14,ok\nP10,baseline,wemwbs,total,33,,14,ok\n"

Test(headline, share_reliably_improved_is_of_the_paired)
{
    ps_cohort_options_t options = {.size = sizeof options};
    struct built *b = build(HEADLINE_WEMWBS, &options, no_suppression);
    cr_assert_eq(b->error, PS_OK);
    const char *c = "baseline->followup";
    cr_assert_eq(value(b, "total", c, "n_reliable_improved"), 3);
    cr_assert_float_eq(value(b, "total", c, "share_reliable_improved"), 3.0 / 8, 1e-12);
    const ps_statistic_info_t *info = ps_statistic_info(PS_STAT_SHARE_RELIABLE_IMPROVED);
    cr_assert_eq(info->kind, PS_KIND_RATE);
    cr_assert_eq(info->rests_on[0], PS_STAT_N_RELIABLE_IMPROVED);
    cr_assert_eq(info->rests_on[1], PS_STAT_N_PAIRED);
}

Test(headline, hidden_with_the_count_it_rests_on)
{
    ps_cohort_options_t options = {.size = sizeof options};
    struct built *b = build(HEADLINE_WEMWBS, &options, nhs);
    cr_assert_eq(b->error, PS_OK);
    const ps_statistic_t *n = get(b, "total", "all", "baseline->followup", "n_reliable_improved");
    const ps_statistic_t *share =
        get(b, "total", "all", "baseline->followup", "share_reliable_improved");
    cr_assert_eq(n->shown, PS_SUPPRESSED, "3 people");
    cr_assert_eq(share->shown, PS_SUPPRESSED);
    cr_assert(isnan(share->value));
}

Test(headline, each_column_is_its_catalogue_statistic_in_the_block)
{
    ps_cohort_options_t options = {.size = sizeof options};
    struct built *b = build(HEADLINE_WEMWBS, &options, no_suppression);
    cr_assert_eq(b->error, PS_OK);
    ps_report_block_t *blocks;
    size_t n;
    cr_assert_eq(ps_report_blocks(b->report, &blocks, &n), PS_OK);
    cr_assert_eq(n, 1, "one scale, one comparison, the whole cohort");
    const ps_report_block_t *k = &blocks[0];
    cr_assert_str_eq(k->unit, "total");
    cr_assert_str_eq(k->group, "all");
    cr_assert_str_eq(k->comparison, "baseline->followup");
    cr_assert_eq(k->start, 0);
    cr_assert_eq(k->end, ps_report_count(b->report));
    cr_assert_str_eq(k->worst_band, "probable depression (screening)");
    static const double expected[PS_HEADLINE_COLUMNS_] = {
        [PS_HEADLINE_N_BASELINE] = 10, [PS_HEADLINE_N_FOLLOWUP] = 8, [PS_HEADLINE_N_PAIRED] = 8,
        [PS_HEADLINE_LOSS_RATE] = 0.2, [PS_HEADLINE_MEAN_BASELINE] = 41.75,
        [PS_HEADLINE_MEAN_FOLLOWUP] = 45.75, [PS_HEADLINE_MEAN_CHANGE] = 4,
        [PS_HEADLINE_SHARE_IMPROVED] = 5.0 / 8, [PS_HEADLINE_SHARE_RELIABLE_IMPROVED] = 3.0 / 8,
        [PS_HEADLINE_LEFT_WORST_BAND] = 0.5};
    for (int c = 0; c < PS_HEADLINE_COLUMNS_; c++) {
        const ps_statistic_t *s = k->headline[c];
        cr_assert_not_null(s, "column %d", c);
        cr_assert_eq(s->id, ps_report_headline_statistic((ps_headline_column_t)c));
        if (c != PS_HEADLINE_CI_LOW && c != PS_HEADLINE_CI_HIGH)
            cr_assert_float_eq(s->value, expected[c], 1e-9, "column %d: %s = %g", c, s->name,
                               s->value);
    }
    cr_assert_str_eq(k->headline[PS_HEADLINE_LEFT_WORST_BAND]->name,
                     "moved_better_from:probable depression (screening)");
    /* t.test(c(40,46,42,40,50,43,45,60), c(30,35,38,40,42,44,50,55), paired = TRUE) */
    cr_assert_float_eq(k->headline[PS_HEADLINE_CI_LOW]->value, -0.7292, 1e-4);
    cr_assert_float_eq(k->headline[PS_HEADLINE_CI_HIGH]->value, 8.7292, 1e-4);
    cr_assert_eq(ps_report_headline_statistic(PS_HEADLINE_COLUMNS_), PS_STAT_NONE);
    ps_report_blocks_free(blocks);
}

Test(headline, the_worst_band_of_a_lower_is_better_scale_is_the_highest)
{
    ps_cohort_options_t options = {.size = sizeof options};
    struct built *b = build(HEADER "A,baseline,ons4,anxiety,7,,1,ok\nA,followup,ons4,anxiety,2,,1,ok\n"
                                   "B,baseline,ons4,anxiety,8,,1,ok\nB,followup,ons4,anxiety,7,,1,ok\n"
                                   "C,baseline,ons4,anxiety,3,,1,ok\nC,followup,ons4,anxiety,3,,1,ok\n",
                            &options, no_suppression);
    cr_assert_eq(b->error, PS_OK);
    ps_report_block_t *blocks;
    size_t n;
    cr_assert_eq(ps_report_blocks(b->report, &blocks, &n), PS_OK);
    cr_assert_eq(n, 1);
    cr_assert_str_eq(blocks[0].worst_band, "high");
    cr_assert_float_eq(blocks[0].headline[PS_HEADLINE_LEFT_WORST_BAND]->value, 0.5, 1e-12);
    cr_assert_null(blocks[0].headline[PS_HEADLINE_SHARE_IMPROVED], "ONS4 gives no threshold");
    ps_report_blocks_free(blocks);
}

Test(headline, blocks_follow_groups_and_comparisons_in_report_order)
{
    const char *by[] = {"site"};
    ps_cohort_options_t options = {.size = sizeof options, .by = by, .n_by = 1};
    struct built *b = build(HEADER_SITE "A,baseline,wemwbs,total,30,,14,ok,X\n"
                                        "A,week6,wemwbs,total,40,,14,ok,X\n"
                                        "A,week12,wemwbs,total,41,,14,ok,X\n"
                                        "B,baseline,wemwbs,total,50,,14,ok,Y\n"
                                        "B,week6,wemwbs,total,52,,14,ok,Y\n",
                            &options, no_suppression);
    cr_assert_eq(b->error, PS_OK);
    ps_report_block_t *blocks;
    size_t n;
    cr_assert_eq(ps_report_blocks(b->report, &blocks, &n), PS_OK);
    static const char *const expected[][2] = {
        {"baseline->week6", "all"},  {"baseline->week6", "site=X"},  {"baseline->week6", "site=Y"},
        {"baseline->week12", "all"}, {"baseline->week12", "site=X"}, {"baseline->week12", "site=Y"},
        {"baseline->end", "all"},    {"baseline->end", "site=X"},    {"baseline->end", "site=Y"}};
    cr_assert_eq(n, 9);
    for (size_t k = 0; k < n; k++) {
        cr_assert_str_eq(blocks[k].comparison, expected[k][0]);
        cr_assert_str_eq(blocks[k].group, expected[k][1]);
        cr_assert_eq(blocks[k].start, k ? blocks[k - 1].end : 0);
    }
    cr_assert_eq(blocks[n - 1].end, ps_report_count(b->report));
    cr_assert_float_eq(blocks[6].headline[PS_HEADLINE_N_PAIRED]->value, 2, 0);
    cr_assert_float_eq(blocks[3].headline[PS_HEADLINE_N_PAIRED]->value, 1, 0);
    ps_report_blocks_free(blocks);
}

/* Groups in natural order, for every format (they all follow the report's): runs of digits as
 * numbers, so S2 before S10; S01 and S1 are both kept, in a fixed order. */
Test(report, groups_are_in_natural_order)
{
    static const char *const written[] = {"S10", "S2", "s1", "S1", "S01", "Clinic 9", "Clinic 10",
                                          "S2b", "S100"};
    static const char *const expected[] = {"all",          "site=Clinic 9", "site=Clinic 10",
                                           "site=S01",     "site=S1",       "site=S2",
                                           "site=S2b",     "site=S10",      "site=S100",
                                           "site=s1"};
    const size_t n = sizeof written / sizeof written[0];
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    fputs(HEADER_SITE, f);
    for (size_t k = 0; k < n; k++)
        fprintf(f, "N%zu,baseline,wemwbs,total,40,,14,ok,%s\n"
                   "N%zu,followup,wemwbs,total,42,,14,ok,%s\n",
                k, written[k], k, written[k]);
    fclose(f);
    const char *by[] = {"site"};
    ps_cohort_options_t options = {.size = sizeof options, .by = by, .n_by = 1};
    struct built *b = build(text, &options, no_suppression);
    cr_assert_eq(b->error, PS_OK);
    ps_report_block_t *blocks;
    size_t count;
    cr_assert_eq(ps_report_blocks(b->report, &blocks, &count), PS_OK);
    cr_assert_eq(count, n + 1);
    for (size_t k = 0; k < count; k++)
        cr_assert_str_eq(blocks[k].group, expected[k], "block %zu", k);
    ps_report_blocks_free(blocks);
    free(text);
}

/* A threshold of 0 or 1 leaves small numbers shown: the rule says so, and never "1 to 0". */
Test(disclosure, a_threshold_of_zero_or_one_says_small_numbers_are_shown)
{
    int change[9] = {1, 2, 3, 1, 2, 3, 1, 2, 3};
    ps_cohort_options_t o = {.size = sizeof o};
    const ps_disclosure_t zero = {1, 0, 0}, one = {1, 1, 0}, zero_rounded = {1, 0, 5};
    struct built *b = build(cohort_text(9, change, NULL), &o, zero);
    cr_assert_str_eq(ps_report_disclosure_rule(b->report),
                     "No count is suppressed (threshold 0): small numbers are shown. For "
                     "internal analysis only; do not publish.");
    cr_assert_eq(value(b, "total", "baseline->followup", "n_paired"), 9);
    b = build(cohort_text(9, change, NULL), &o, one);
    cr_assert_str_eq(ps_report_disclosure_rule(b->report),
                     "Counts of 1, and figures based on them, are suppressed; further counts are "
                     "suppressed until no hidden count can be worked out from the published "
                     "counts and the relations between them (audited by linear programming). "
                     "For internal analysis only; do not publish.");
    b = build(cohort_text(9, change, NULL), &o, zero_rounded);
    cr_assert(strncmp(ps_report_disclosure_rule(b->report),
                      "No count is suppressed (threshold 0); counts are rounded to the nearest 5 "
                      "and rates",
                      83) == 0,
              "%s", ps_report_disclosure_rule(b->report));
    cr_assert(strstr(ps_report_disclosure_rule(b->report),
                     "as they would give the exact n. For internal analysis only; do not "
                     "publish."));
}

/* ---- A scored file read strictly: a score as promscore score writes it, or refused. ---- */

static void refused_score(const char *score, const char *message)
{
    char *text;
    cr_assert_geq(asprintf(&text, HEADER "P1,baseline,wemwbs,total,40,,14,ok\n"
                                         "P1,followup,wemwbs,total,%s,,14,ok\n",
                           score),
                  0);
    ps_cohort_options_t o = {.size = sizeof o};
    struct built *b = build(text, &o, no_suppression);
    cr_assert_eq(b->error, PS_ERROR_BATCH, "'%s' is refused", score);
    cr_assert_null(b->report);
    cr_assert_str_eq(b->capture.diagnostics[0].message, message);
    cr_assert(strstr(b->capture.diagnostics[0].file, "scored.csv"));
    cr_assert_eq(b->capture.diagnostics[0].line, 3);
    cr_assert_eq(b->capture.diagnostics[0].column, 5, "the score's column");
    free(text);
}

Test(report, a_score_is_a_plain_decimal_number)
{
    static const char *const not_decimal[] = {"0x1e", "0x1p5", "+30", "inf", "-inf", "nan", "1e1",
                                              "30.", ".5", "3 0", "\" 30\"", "\"30 \"", "\xd9\xa3"};
    for (size_t k = 0; k < sizeof not_decimal / sizeof not_decimal[0]; k++) {
        char message[128];
        const char *cell = not_decimal[k];
        char unquoted[16];
        /* A quoted cell keeps its spaces. */
        snprintf(unquoted, sizeof unquoted, "%.*s", (int)strlen(cell) - 2 * (cell[0] == '"'),
                 cell + (cell[0] == '"'));
        snprintf(message, sizeof message, "score '%s' is not a plain decimal number (digits, "
                 "with a leading '-' and a point if need be)", unquoted);
        refused_score(cell, message);
    }
    refused_score("30.5", "score '30.5' is not a whole number, as wemwbs total's scores are");
    refused_score("999", "score '999' is not a number in the range of wemwbs total");
}

Test(report, a_score_has_at_most_its_scale_s_decimals)
{
    /* Whole numbers written with zeros after the point are whole. */
    ps_cohort_options_t o = {.size = sizeof o};
    struct built *b = build(HEADER "P1,baseline,wemwbs,total,40.00,,14,ok\n"
                                   "P1,followup,wemwbs,total,-0,,14,ok\n", &o, no_suppression);
    cr_assert_eq(b->error, PS_ERROR_BATCH, "-0 is below the range, read as 0");
    cr_assert_str_eq(b->capture.diagnostics[0].message,
                     "score '-0' is not a number in the range of wemwbs total");
    b = build(HEADER "P1,baseline,wemwbs,total,40.00,,14,ok\n"
                     "P1,followup,wemwbs,total,43,,14,ok\n"
                     "P2,baseline,wemwbs,total,50.0,,14,ok\n"
                     "P2,followup,wemwbs,total,55,,14,ok\n", &o, no_suppression);
    cr_assert_eq(b->error, PS_OK);
    cr_assert_float_eq(value(b, "total", "baseline->followup", "mean_change"), 4, 1e-12);
    /* SWEMWBS metric scores have two decimals. */
    b = build(HEADER "P1,baseline,swemwbs,metric,19.25,,7,ok\n"
                     "P1,followup,swemwbs,metric,20.2,,7,ok\n", &o, no_suppression);
    cr_assert_eq(b->error, PS_OK);
    b = build(HEADER "P1,baseline,swemwbs,metric,19.255,,7,ok\n", &o, no_suppression);
    cr_assert_eq(b->error, PS_ERROR_BATCH);
    cr_assert_str_eq(b->capture.diagnostics[0].message,
                     "score '19.255' has more than 2 decimal places, the precision of swemwbs "
                     "metric's scores");
    cr_assert_eq(b->capture.diagnostics[0].column, 5);
}
