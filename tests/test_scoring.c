/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Scores against the published rules: SWEMWBS conversion, WEMWBS totals, codes and labels. */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "helpers.h"

/*
 * SWEMWBS raw sum -> metric score, as published by Warwick (Stewart-Brown et
 * al. 2009) and copied here from the reference, independently of the
 * shipped definition it checks.
 */
static const double swemwbs_metric[36] = {
    [7] = 7.00,   [8] = 9.51,   [9] = 11.25,  [10] = 12.40, [11] = 13.33, [12] = 14.08,
    [13] = 14.75, [14] = 15.32, [15] = 15.84, [16] = 16.36, [17] = 16.88, [18] = 17.43,
    [19] = 17.98, [20] = 18.59, [21] = 19.25, [22] = 19.98, [23] = 20.73, [24] = 21.54,
    [25] = 22.35, [26] = 23.21, [27] = 24.11, [28] = 25.03, [29] = 26.02, [30] = 27.03,
    [31] = 28.13, [32] = 29.31, [33] = 30.70, [34] = 32.55, [35] = 35.00,
};

/* Codes 1-5 for 'n' items adding up to 'sum'. */
static void codes_summing_to(int sum, int *codes, size_t n)
{
    int left = sum - (int)n;
    for (size_t i = 0; i < n; i++) {
        int extra = left > 4 ? 4 : left;
        codes[i] = 1 + extra;
        left -= extra;
    }
    cr_assert_eq(left, 0);
}

ParameterizedTestParameters(swemwbs, conversion)
{
    static int raw[29];
    for (int i = 0; i < 29; i++)
        raw[i] = 7 + i;
    return cr_make_param_array(int, raw, 29);
}

ParameterizedTest(int *raw, swemwbs, conversion)
{
    int codes[7];
    codes_summing_to(*raw, codes, 7);
    struct capture c = {0};
    cr_assert_eq(test_score_text(&c, test_batch("swemwbs_", codes, 7), NULL), PS_OK);
    const struct captured_score *r = test_find(&c, "P1", "baseline", "swemwbs.raw");
    const struct captured_score *m = test_find(&c, "P1", "baseline", "swemwbs.metric");
    cr_assert(r && m);
    cr_assert_str_eq(m->status, "ok");
    cr_assert_eq(r->value, *raw);
    cr_assert_float_eq(m->value, swemwbs_metric[*raw], 1e-9, "raw %d: metric %.2f, published %.2f",
                       *raw, m->value, swemwbs_metric[*raw]);
}

/* The seven SWEMWBS items inside a full WEMWBS (1, 2, 3, 6, 7, 9, 11) convert the same way. */
ParameterizedTestParameters(wemwbs, swemwbs_from_fourteen_items)
{
    static int raw[29];
    for (int i = 0; i < 29; i++)
        raw[i] = 7 + i;
    return cr_make_param_array(int, raw, 29);
}

ParameterizedTest(int *raw, wemwbs, swemwbs_from_fourteen_items)
{
    static const int short_items[7] = {1, 2, 3, 6, 7, 9, 11};
    int seven[7], codes[14];
    codes_summing_to(*raw, seven, 7);
    for (int i = 0; i < 14; i++)
        codes[i] = 5; /* the other items must not count */
    for (int i = 0; i < 7; i++)
        codes[short_items[i] - 1] = seven[i];
    struct capture c = {0};
    cr_assert_eq(test_score_text(&c, test_batch("wemwbs_", codes, 14), NULL), PS_OK);
    const struct captured_score *s = test_find(&c, "P1", "baseline", "wemwbs.swemwbs");
    cr_assert_not_null(s);
    cr_assert_float_eq(s->value, swemwbs_metric[*raw], 1e-9);
    const struct captured_score *t = test_find(&c, "P1", "baseline", "wemwbs.total");
    cr_assert_eq(t->value, *raw + 7 * 5);
}

Test(wemwbs, totals_and_bands)
{
    /* Totals 14 and 70 are the range ends; 40/41 and 44/45 are the band edges. */
    static const struct {
        int total;
        const char *band;
    } cases[] = {
        {14, "probable depression (screening)"}, {40, "probable depression (screening)"},
        {41, "possible depression (screening)"}, {44, "possible depression (screening)"},
        {45, "above screening cut-offs"},        {70, "above screening cut-offs"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        int codes[14];
        codes_summing_to(cases[k].total, codes, 14);
        struct capture c = {0};
        cr_assert_eq(test_score_text(&c, test_batch("wemwbs_", codes, 14), NULL), PS_OK);
        const struct captured_score *s = test_find(&c, "P1", "baseline", "wemwbs.total");
        cr_assert_not_null(s);
        cr_assert_eq(s->value, cases[k].total);
        cr_assert_eq(s->answered, 14);
        cr_assert_str_eq(s->band, cases[k].band, "total %d", cases[k].total);
    }
}

Test(wemwbs, labels_in_any_case_and_codes_mix)
{
    struct capture c = {0};
    const char *csv =
        "participant_id,timepoint,wemwbs_1,wemwbs_2,wemwbs_3,wemwbs_4,wemwbs_5,wemwbs_6,"
        "wemwbs_7,wemwbs_8,wemwbs_9,wemwbs_10,wemwbs_11,wemwbs_12,wemwbs_13,wemwbs_14\n"
        "P1,baseline,None of the time,RARELY,  some of the time ,Often,all of the time,"
        "1,2,3,4,5, 1 ,2,3,4\n";
    cr_assert_eq(test_score_text(&c, csv, NULL), PS_OK);
    const struct captured_score *s = test_find(&c, "P1", "baseline", "wemwbs.total");
    cr_assert_str_eq(s->status, "ok");
    cr_assert_eq(s->value, 1 + 2 + 3 + 4 + 5 + 1 + 2 + 3 + 4 + 5 + 1 + 2 + 3 + 4);
    cr_assert_eq(c.n_rejects, 0);
}

Test(wemwbs, one_blank_item_is_incomplete_not_guessed)
{
    struct capture c = {0};
    const char *csv =
        "participant_id,timepoint,wemwbs_1,wemwbs_2,wemwbs_3,wemwbs_4,wemwbs_5,wemwbs_6,"
        "wemwbs_7,wemwbs_8,wemwbs_9,wemwbs_10,wemwbs_11,wemwbs_12,wemwbs_13,wemwbs_14\n"
        "P1,baseline,3,3,3,3,,3,3,3,3,3,3,3,3,3\n";
    cr_assert_eq(test_score_text(&c, csv, NULL), PS_OK);
    const struct captured_score *t = test_find(&c, "P1", "baseline", "wemwbs.total");
    cr_assert_str_eq(t->status, "incomplete");
    cr_assert_not(t->has_value);
    cr_assert_eq(t->answered, 13);
    cr_assert_null(t->band);
    /* Item 5 is not a SWEMWBS item: the short score is still complete. */
    const struct captured_score *s = test_find(&c, "P1", "baseline", "wemwbs.swemwbs");
    cr_assert_str_eq(s->status, "ok");
    cr_assert_float_eq(s->value, 19.25, 1e-9);
    cr_assert_eq(c.n_rejects, 0);
    cr_assert_eq(c.summary.rows_scored, 1);
    cr_assert_eq(c.summary.scores_not_ok, 1);
}

Test(wemwbs, refused_answer_makes_its_scales_invalid)
{
    struct capture c = {0};
    const char *csv =
        "participant_id,timepoint,wemwbs_1,wemwbs_2,wemwbs_3,wemwbs_4,wemwbs_5,wemwbs_6,"
        "wemwbs_7,wemwbs_8,wemwbs_9,wemwbs_10,wemwbs_11,wemwbs_12,wemwbs_13,wemwbs_14\n"
        "P1,baseline,3,3,3,3,3,3,3,3,3,3,3,3,3,9\n";
    cr_assert_eq(test_score_text(&c, csv, NULL), PS_OK);
    cr_assert_str_eq(test_find(&c, "P1", "baseline", "wemwbs.total")->status, "invalid_response");
    cr_assert_str_eq(test_find(&c, "P1", "baseline", "wemwbs.swemwbs")->status, "ok");
    cr_assert_eq(c.n_rejects, 1);
    cr_assert_str_eq(c.rejects[0].column_name, "wemwbs_14");
    cr_assert_eq(c.rejects[0].column, 16);
    cr_assert_eq(c.rejects[0].line, 2);
}

Test(batch, detects_instruments_from_the_header_and_aliases)
{
    int codes[7] = {1, 2, 3, 4, 5, 4, 3};
    struct capture c = {0};
    /* "SWEMWBS3" is an alias of swemwbs_3; header names match in any case. */
    const char *csv = "Participant_ID,timepoint,swemwbs_1,swemwbs_2,SWEMWBS3,swemwbs_4,"
                      "swemwbs_5,swemwbs_6,swemwbs_7\nP1,baseline,1,2,3,4,5,4,3\n";
    (void)codes;
    cr_assert_eq(test_score_text(&c, csv, NULL), PS_OK);
    cr_assert_str_eq(c.detected, "swemwbs");
    cr_assert_eq(test_find(&c, "P1", "baseline", "swemwbs.raw")->value, 22);
    cr_assert_float_eq(test_find(&c, "P1", "baseline", "swemwbs.metric")->value, 19.98, 1e-9);
}

Test(batch, fixed_timepoint_custom_id_and_kept_column)
{
    struct capture c = {0};
    const char *csv = "nhs_ref,clinic,swemwbs_1,swemwbs_2,swemwbs_3,swemwbs_4,swemwbs_5,"
                      "swemwbs_6,swemwbs_7\nX9,Dalston,5,5,5,5,5,5,5\n";
    const char *keep[] = {"clinic"};
    ps_score_options_t o = {.size = sizeof o, .id_column = "nhs_ref", .timepoint = "week 12", .keep = keep,
                            .n_keep = 1};
    cr_assert_eq(test_score_text(&c, csv, &o), PS_OK);
    const struct captured_score *s = test_find(&c, "X9", "week 12", "swemwbs.metric");
    cr_assert_not_null(s);
    cr_assert_float_eq(s->value, 35.0, 1e-9);
    cr_assert_str_eq(s->kept0, "Dalston");
}

Test(batch, map_file_names_items_for_foreign_headers)
{
    struct capture c = {0};
    char *map = test_file("map.csv",
                          "header,item\nQ1,swemwbs.1\nQ2,swemwbs.2\nQ3,swemwbs.3\nQ4,swemwbs.4\n"
                          "Q5,swemwbs.5\nQ6,swemwbs.6\nQ7,swemwbs.7\n",
                          -1);
    const char *csv = "participant_id,timepoint,Q1,Q2,Q3,Q4,Q5,Q6,Q7\nP1,t0,2,2,2,2,2,2,2\n";
    ps_score_options_t o = {.size = sizeof o, .map_file = map};
    cr_assert_eq(test_score_text(&c, csv, &o), PS_OK);
    cr_assert_float_eq(test_find(&c, "P1", "t0", "swemwbs.metric")->value, 15.32, 1e-9);
}

Test(batch, asked_instrument_with_missing_columns_is_refused)
{
    struct capture c = {0};
    const char *ids[] = {"wemwbs"};
    ps_score_options_t o = {.size = sizeof o, .instruments = ids, .n_instruments = 1};
    const char *csv = "participant_id,timepoint,swemwbs_1,swemwbs_2,swemwbs_3,swemwbs_4,"
                      "swemwbs_5,swemwbs_6,swemwbs_7\nP1,t0,1,1,1,1,1,1,1\n";
    cr_assert_eq(test_score_text(&c, csv, &o), PS_ERROR_BATCH);
    cr_assert_eq(c.n_scores, 0);
    cr_assert(strstr(c.diagnostics[0].message, "wemwbs_1, wemwbs_2"), "%s",
              c.diagnostics[0].message);
    cr_assert_eq(c.diagnostics[0].line, 1);
}

Test(batch, unknown_instrument_is_a_usage_error)
{
    struct capture c = {0};
    const char *ids[] = {"phq9"};
    ps_score_options_t o = {.size = sizeof o, .instruments = ids, .n_instruments = 1};
    cr_assert_eq(test_score_text(&c, "participant_id,timepoint\n", &o), PS_ERROR_USAGE);
    cr_assert(strstr(c.diagnostics[0].message, "phq9"));
}

/* ---- The library's shape: its version, growable options, outcomes. ---- */

Test(library, version_is_the_headers)
{
    cr_assert_str_eq(ps_version(), PS_VERSION);
    cr_assert_gt(strlen(ps_version()), 0);
}

Test(library, options_carry_their_size)
{
    struct capture c = {0};
    ps_context_t *context = test_context(&c);
    ps_scorer_t *scorer;
    ps_score_options_t zeroed = {0};
    cr_assert_eq(ps_scorer_new(context, &zeroed, NULL, &scorer), PS_ERROR_USAGE);
    cr_assert(strstr(c.diagnostics[0].message, "ps_score_options_init"));
    /* A caller built before threads, encoding and delimiter: their defaults. */
    ps_score_options_t older;
    memset(&older, 0xAB, sizeof older);
    ps_score_options_init(&older, offsetof(ps_score_options_t, threads));
    cr_assert_eq(older.threads, 0xABABABABu, "init touches only the caller's size");
    cr_assert_eq(ps_scorer_new(context, &older, NULL, &scorer), PS_OK);
    ps_scorer_free(scorer);
    ps_cohort_t *cohort;
    ps_cohort_options_t none = {0};
    cr_assert_eq(ps_cohort_new(context, &none, &cohort), PS_ERROR_USAGE);
    ps_cohort_options_t sized;
    ps_cohort_options_init(&sized, sizeof sized);
    cr_assert_eq(ps_cohort_new(context, &sized, &cohort), PS_OK);
    ps_cohort_free(cohort);
    ps_context_free(context);
}

Test(library, outcome_beside_the_status)
{
    struct capture c = {0};
    cr_assert_eq(test_score_text(&c, "participant_id,timepoint,swemwbs_1,swemwbs_2,swemwbs_3,"
                                     "swemwbs_4,swemwbs_5,swemwbs_6,swemwbs_7\n"
                                     "P1,t,1,2,3,4,5,4,3\nP2,t,1,,,,,,\n", NULL), PS_OK);
    cr_assert_eq(test_find(&c, "P1", "t", "swemwbs.metric")->outcome, PS_SCORED);
    cr_assert_str_eq(test_find(&c, "P2", "t", "swemwbs.metric")->status, "incomplete");
    cr_assert_eq(test_find(&c, "P2", "t", "swemwbs.metric")->outcome, PS_NOT_SCORED);
}

/* One thread or two: the same scores and rejects, in the same order. */
Test(library, one_thread_or_the_default)
{
    char *csv = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&csv, &size);
    fputs("participant_id,timepoint,swemwbs_1,swemwbs_2,swemwbs_3,swemwbs_4,swemwbs_5,"
          "swemwbs_6,swemwbs_7\n", f);
    for (int i = 0; i < 60; i++)
        fprintf(f, "P%d,t%d,%d,2,3,x%d,5,4,3\n", i % 40, i % 3, 1 + i % 6, i);
    fclose(f);
    struct capture one = {0}, two = {0};
    ps_score_options_t o = {.size = sizeof o, .threads = 1};
    cr_assert_eq(test_score_text(&one, csv, &o), PS_OK);
    cr_assert_eq(test_score_text(&two, csv, NULL), PS_OK);
    cr_assert_eq(one.n_scores, two.n_scores);
    cr_assert_gt(one.n_scores, 0);
    for (size_t i = 0; i < one.n_scores; i++) {
        cr_assert_str_eq(one.scores[i].participant_id, two.scores[i].participant_id);
        cr_assert_eq(one.scores[i].line, two.scores[i].line);
        cr_assert_str_eq(one.scores[i].status, two.scores[i].status);
    }
    cr_assert_eq(one.n_rejects, two.n_rejects);
    cr_assert_gt(one.n_rejects, 60);
    for (size_t i = 0; i < one.n_rejects; i++) {
        cr_assert_eq(one.rejects[i].line, two.rejects[i].line);
        cr_assert_str_eq(one.rejects[i].reason, two.rejects[i].reason);
    }
}
