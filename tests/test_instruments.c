/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The other instruments against their references: GAS T-scores, PAM-13 with a
 * vendor score, a synthetic calibration and none, the seven-domain published
 * shape, ONS4 bands, and their bad data.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "helpers.h"

static int add_to_cohort(const ps_score_t *score, void *cohort);
static double figure(const ps_report_t *r, const char *scale, const char *name);

static const struct captured_score *score_of(struct capture *c, const char *participant,
                                             const char *scale)
{
    const struct captured_score *s = test_find(c, participant, "t0", scale);
    cr_assert_not_null(s, "no %s for %s", scale, participant);
    return s;
}

/* ---- Goals: Goal Attainment Scaling (Kiresuk and Sherman 1968, rho = 0.3). ---- */

/* One row of the goals instrument: attainment x[k] (weight w[k], 0 for blank) for n goals. */
static char *goals_row(const int *x, const double *w, int n)
{
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    fputs("participant_id,timepoint,goal1_rating", f);
    for (int k = 1; k <= n; k++)
        fprintf(f, ",goal%d_gas,goal%d_weight", k, k);
    fputs("\nP1,t0,5", f);
    for (int k = 0; k < n; k++) {
        if (w && w[k] > 0)
            fprintf(f, ",%d,%g", x[k], w[k]);
        else
            fprintf(f, ",%d,", x[k]);
    }
    fputs("\n", f);
    fclose(f);
    return text;
}

static double gas_of(const int *x, const double *w, int n)
{
    struct capture c = {0};
    cr_assert_eq(test_score_text(&c, goals_row(x, w, n), NULL), PS_OK);
    const struct captured_score *s = score_of(&c, "P1", "goals.gas");
    cr_assert_str_eq(s->status, "ok");
    return s->value;
}

Test(goals, gas_unweighted_vectors_from_the_reference)
{
    const int minus1[5] = {-1, -1, -1, -1, -1}, zero[5] = {0}, plus2[3] = {2, 2, 2},
              minus2[3] = {-2, -2, -2};
    const double expected[5] = {40.0, 37.597, 36.307, 35.490, 34.924};
    for (int n = 1; n <= 5; n++)
        cr_assert_float_eq(gas_of(minus1, NULL, n), expected[n - 1], 0.0005, "%d goals", n);
    cr_assert_float_eq(gas_of(zero, NULL, 5), 50.0, 1e-9);
    cr_assert_float_eq(gas_of(plus2, NULL, 3), 77.386, 0.0005);
    cr_assert_float_eq(gas_of(minus2, NULL, 3), 22.614, 0.0005);
}

/* The weighted vector has six goals: a definition with six goal slots, N from XML. */
Test(goals, gas_weighted_six_goals)
{
    char *xml = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&xml, &size);
    fputs("<?xml version=\"1.0\"?>\n<instrument xmlns=\"urn:promscore:instrument:1\" id=\"six\" "
          "version=\"1\" plugin=\"goals\">\n<title>Six goals</title><notice>Test.</notice>\n"
          "<sources><source id=\"ks\">Kiresuk and Sherman 1968</source></sources>\n"
          "<parameter name=\"goals\" value=\"6\" source=\"ks\"/>\n"
          "<parameter name=\"rho\" value=\"0.3\" source=\"ks\"/>\n"
          "<responses id=\"a\"><option code=\"-2\" label=\"m2\"/><option code=\"-1\" label=\"m1\"/>"
          "<option code=\"0\" label=\"z\"/><option code=\"1\" label=\"p1\"/><option code=\"2\" "
          "label=\"p2\"/></responses>\n<responses id=\"w\"><range min=\"0\" max=\"100\"/></responses>\n"
          "<items responses=\"a\">\n", f);
    for (int k = 1; k <= 6; k++)
        fprintf(f, "<item id=\"g%d\" column=\"goal%d_gas\" label=\"g%d\"/><item id=\"w%d\" "
                   "column=\"goal%d_weight\" label=\"w%d\" responses=\"w\"/>\n", k, k, k, k, k, k);
    fputs("</items>\n<scale id=\"gas\" method=\"gas\" items=\"g1 w1 g2 w2 g3 w3 g4 w4 g5 w5 g6 w6\" "
          "min=\"0\" max=\"100\" precision=\"3\"/>\n</instrument>\n", f);
    fclose(f);
    /* A context holding it, scoring like any batch. */
    struct capture c = {0};
    ps_context_t *context;
    cr_assert_eq(ps_context_new(&context), PS_OK);
    test_capture_diagnostics(context, &c);
    cr_assert_eq(ps_context_load_instrument(context, test_file("six.xml", xml, -1), NULL), PS_OK,
                 "%s", c.n_diagnostics ? c.diagnostics[0].message : "");
    const int x[6] = {-2, 0, -1, 2, 0, 1};
    const double w[6] = {3, 5, 1, 4, 2, 6};
    char *csv = NULL;
    f = open_memstream(&csv, &size);
    fputs("participant_id,timepoint", f);
    for (int k = 1; k <= 6; k++)
        fprintf(f, ",goal%d_gas,goal%d_weight", k, k);
    fputs("\nP1,t0", f);
    for (int k = 0; k < 6; k++)
        fprintf(f, ",%d,%g", x[k], w[k]);
    fputs("\n", f);
    fclose(f);
    ps_score_handlers_t h = {0};
    struct capture e = {0};
    h.user = &e;
    h.reject = test_on_reject;
    h.score = test_on_score;
    ps_scorer_t *scorer;
    cr_assert_eq(ps_scorer_new(context, &(ps_score_options_t){.size = sizeof(ps_score_options_t)}, &h, &scorer), PS_OK);
    cr_assert_eq(ps_scorer_score_file(scorer, test_file("six.csv", csv, -1)), PS_OK);
    cr_assert_float_eq(test_find(&e, "P1", "t0", "six.gas")->value, 55.0, 0.0005);
    ps_scorer_free(scorer);
    ps_context_free(context);
}

Test(goals, bad_goal_data_is_refused_with_its_column)
{
    struct capture c = {0};
    const char *csv = "participant_id,timepoint,goal1_rating,goal1_gas,goal1_weight,goal2_rating\n"
                      "P1,t0,11,3,-1,4\n";
    cr_assert_eq(test_score_text(&c, csv, NULL), PS_OK);
    cr_assert_eq(c.n_rejects, 3);
    cr_assert_str_eq(c.rejects[0].column_name, "goal1_rating");
    cr_assert(strstr(c.rejects[0].reason, "code out of range (codes are 0-10)"), "%s", c.rejects[0].reason);
    cr_assert_str_eq(c.rejects[1].column_name, "goal1_gas");
    cr_assert(strstr(c.rejects[1].reason, "code out of range (codes are -2 to 2)"), "%s", c.rejects[1].reason);
    cr_assert_str_eq(c.rejects[2].column_name, "goal1_weight");
    cr_assert(strstr(c.rejects[2].reason, "out of range (from 0 to 100)"), "%s", c.rejects[2].reason);
    cr_assert_eq(c.rejects[2].column, 5);
    cr_assert_str_eq(score_of(&c, "P1", "goals.goal2")->status, "ok");
    cr_assert_str_eq(score_of(&c, "P1", "goals.goal1")->status, "invalid_response");
}

/* ---- PAM-13 ---- */

static char *pam_row(const char *answers, const char *vendor)
{
    char *text;
    cr_assert_geq(asprintf(&text, "participant_id,timepoint,pam_1,pam_2,pam_3,pam_4,pam_5,pam_6,"
                                  "pam_7,pam_8,pam_9,pam_10,pam_11,pam_12,pam_13%s\nP1,t0,%s%s%s\n",
                           vendor ? ",pam_score" : "", answers, vendor ? "," : "",
                           vendor ? vendor : ""), 0);
    return text;
}

Test(pam, without_calibration_or_vendor_score_the_raw_checks_still_run)
{
    struct capture c = {0};
    cr_assert_eq(test_score_text(&c, pam_row("1,2,3,4,1,2,3,4,1,2,3,NA,4", NULL), NULL), PS_OK);
    cr_assert_eq(score_of(&c, "P1", "pam.raw")->value, 30);
    cr_assert_eq(score_of(&c, "P1", "pam.answered")->value, 12);
    cr_assert_str_eq(score_of(&c, "P1", "pam.score")->status, "no_calibration");
    cr_assert_str_eq(score_of(&c, "P1", "pam.level")->status, "no_calibration");
    cr_assert_eq(c.n_rejects, 0);
}

Test(pam, vendor_score_and_its_level)
{
    struct capture c = {0};
    cr_assert_eq(test_score_text(&c, pam_row("1,2,3,4,1,2,3,4,1,2,3,4,4", "62.5"), NULL), PS_OK);
    const struct captured_score *s = score_of(&c, "P1", "pam.score");
    cr_assert_str_eq(s->status, "ok");
    cr_assert_float_eq(s->value, 62.5, 1e-9);
    cr_assert_str_eq(s->band, "Level 3");
    cr_assert_eq(score_of(&c, "P1", "pam.level")->value, 3);
    /* The cut points: 47.0 is Level 1, 47.1 Level 2, 67.1 Level 4. */
    const char *cuts[][2] = {{"47.0", "1"}, {"47.1", "2"}, {"55.1", "2"}, {"55.2", "3"}, {"67.1", "4"}};
    for (size_t i = 0; i < 5; i++) {
        struct capture d = {0};
        cr_assert_eq(test_score_text(&d, pam_row("1,2,3,4,1,2,3,4,1,2,3,4,4", cuts[i][0]), NULL), PS_OK);
        cr_assert_eq(score_of(&d, "P1", "pam.level")->value, atof(cuts[i][1]), "%s", cuts[i][0]);
    }
    struct capture e = {0};
    cr_assert_eq(test_score_text(&e, pam_row("1,2,3,4,1,2,3,4,1,2,3,4,4", "101"), NULL), PS_OK);
    cr_assert(strstr(e.rejects[0].reason, "out of range (from 0 to 100)"));
}

Test(pam, identical_answers_are_flagged_not_dropped)
{
    struct capture c = {0};
    cr_assert_eq(test_score_text(&c, pam_row("3,3,3,3,3,3,3,3,3,3,3,3,3", "55.0"), NULL), PS_OK);
    const struct captured_score *raw = score_of(&c, "P1", "pam.raw");
    cr_assert_str_eq(raw->status, "identical_answers");
    cr_assert_eq(raw->outcome, PS_FLAGGED);
    cr_assert_eq(score_of(&c, "P1", "pam.level")->outcome, PS_FLAGGED, "carried to scales of it");
    cr_assert(raw->has_value);
    cr_assert_eq(raw->value, 39);
    cr_assert_str_eq(score_of(&c, "P1", "pam.score")->status, "identical_answers");
    cr_assert_str_eq(score_of(&c, "P1", "pam.level")->status, "identical_answers");
    cr_assert_eq(score_of(&c, "P1", "pam.level")->value, 2);
}

/* An obviously synthetic calibration: score = 100 * (raw - answered) / (3 * answered). */
static char *synthetic_calibration(int gap)
{
    char *xml = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&xml, &size);
    fputs("<?xml version=\"1.0\"?>\n<calibration xmlns=\"urn:promscore:calibration:1\" "
          "instrument=\"pam\" scale=\"score\" version=\"synthetic-1\">\n"
          "<notice>SYNTHETIC test table: not the licence holder's; never use for real.</notice>\n", f);
    for (int answered = 12; answered <= 13; answered++) {
        fprintf(f, "<table answered=\"%d\">\n", answered);
        for (int raw = answered; raw <= 4 * answered; raw++)
            if (!(gap && raw == 20))
                fprintf(f, "<map raw=\"%d\" score=\"%.1f\"/>\n", raw,
                        100.0 * (raw - answered) / (3.0 * answered));
        fputs("</table>\n", f);
    }
    fputs("</calibration>\n", f);
    fclose(f);
    return test_file("calibration.xml", xml, -1);
}

Test(pam, a_licensees_calibration_table_scores_the_statements)
{
    struct capture c = {0};
    ps_context_t *context = test_context(&c);
    cr_assert_eq(ps_context_load_calibration(context, synthetic_calibration(0)), PS_OK,
                 "%s", c.n_diagnostics ? c.diagnostics[0].message : "");
    struct capture e = {0};
    ps_score_handlers_t h = {NULL, test_on_score, NULL, NULL, &e};
    ps_scorer_t *scorer;
    cr_assert_eq(ps_scorer_new(context, &(ps_score_options_t){.size = sizeof(ps_score_options_t)}, &h, &scorer), PS_OK);
    /* 13 answered, raw 39: 100 * 26 / 39 = 66.7, Level 3; 12 answered (one N/A), raw 36: 66.7. */
    cr_assert_eq(ps_scorer_score_file(scorer, test_file("p.csv",
        "participant_id,timepoint,pam_1,pam_2,pam_3,pam_4,pam_5,pam_6,pam_7,pam_8,pam_9,pam_10,"
        "pam_11,pam_12,pam_13\nP1,t0,2,4,3,3,3,3,3,3,3,3,3,3,3\nP2,t0,2,4,3,3,3,3,3,3,3,3,3,NA,3\n"
        "P3,t0,4,4,4,4,4,4,4,4,4,4,4,NA,NA\n", -1)), PS_OK);
    cr_assert_float_eq(score_of(&e, "P1", "pam.score")->value, 66.7, 1e-9);
    cr_assert_eq(score_of(&e, "P1", "pam.level")->value, 3);
    cr_assert_float_eq(score_of(&e, "P2", "pam.score")->value, 66.7, 1e-9);
    cr_assert_str_eq(score_of(&e, "P3", "pam.score")->status, "not_in_calibration");
    ps_scorer_free(scorer);
    ps_context_free(context);
}

Test(pam, a_calibration_with_a_gap_is_refused_with_its_line)
{
    struct capture c = {0};
    ps_context_t *context = test_context(&c);
    char *file = synthetic_calibration(1);
    cr_assert_eq(ps_context_load_calibration(context, file), PS_ERROR_DEFINITION);
    cr_assert(strstr(c.diagnostics[0].message, "gaps"), "%s", c.diagnostics[0].message);
    cr_assert_str_eq(c.diagnostics[0].file, file);
    cr_assert_eq(c.diagnostics[0].line, 4);
    ps_context_free(context);
}

Test(pam, a_calibration_not_valid_against_its_schema_is_refused)
{
    struct capture c = {0};
    ps_context_t *context = test_context(&c);
    char *file = test_file("bad.xml", "<?xml version=\"1.0\"?>\n<calibration xmlns=\"urn:promscore:"
                                      "calibration:1\" instrument=\"pam\" scale=\"score\" "
                                      "version=\"1\">\n<table answered=\"14\"/>\n</calibration>\n", -1);
    cr_assert_eq(ps_context_load_calibration(context, file), PS_ERROR_SCHEMA);
    cr_assert_eq(c.diagnostics[0].line, 3);
    ps_context_free(context);
}

/* The schema is the user's to choose: past it, the loader still holds raws to a finite span. */
Test(pam, a_calibration_raw_beyond_the_limit_is_refused_whatever_the_schema)
{
    char *xsd_path;
    cr_assert_geq(asprintf(&xsd_path, "%s/schemas/pam-calibration.xsd",
                           getenv("PROMSCORE_SOURCE_DIR")), 0);
    char *xsd = test_slurp(xsd_path);
    cr_assert_not_null(xsd);
    char *bound = strstr(xsd, "<xs:maxInclusive value=\"52\"/>");
    cr_assert_not_null(bound);
    memset(bound, ' ', strlen("<xs:maxInclusive value=\"52\"/>"));
    char *schema_dir = test_file("pam-calibration.xsd", xsd, -1);
    *strrchr(schema_dir, '/') = '\0';
    struct capture c = {0};
    ps_context_t *context = test_context(&c);
    cr_assert_eq(ps_context_set_schema_dir(context, schema_dir), PS_OK);
    char *file = test_file("wide.xml", "<?xml version=\"1.0\"?>\n<calibration xmlns=\"urn:promscore:"
                                       "calibration:1\" instrument=\"pam\" scale=\"score\" "
                                       "version=\"1\">\n<notice>SYNTHETIC</notice>\n"
                                       "<table answered=\"13\">\n<map raw=\"1\" score=\"0\"/>\n"
                                       "<map raw=\"9223372036854775807\" score=\"1\"/>\n"
                                       "</table>\n</calibration>\n", -1);
    cr_assert_eq(ps_context_load_calibration(context, file), PS_ERROR_DEFINITION,
                 "%s", c.n_diagnostics ? c.diagnostics[0].message : "");
    cr_assert_eq(c.diagnostics[0].line, 6);
    cr_assert(strstr(c.diagnostics[0].message, "at most 1e+09 in magnitude"), "%s",
              c.diagnostics[0].message);
    ps_context_free(context);
}

/* ---- Seven-domain outcomes: the published shape. ---- */

/* Finance, as published: 81% reduction in not managing, 48% increase in managing.
 * 250 people: 100 not managing, 100 getting support, 50 managing at baseline; of the
 * 100 not managing, 19 stay and 81 move up (70 to support, 11 to managing); 13 of those
 * getting support move to managing. Quality of life: poor 100 -> 54 (46% fewer). */
static char *finance_cohort(void)
{
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    fputs("participant_id,timepoint,site,quality_of_life", f);
    const char *domains[] = {"finance", "physical_health", "mental_health", "social_contact",
                             "housing", "safety", "learning"};
    for (int d = 0; d < 7; d++)
        fprintf(f, ",domain_%s", domains[d]);
    fputs("\n", f);
    for (int p = 0; p < 250; p++) {
        int before = p < 100 ? 1 : p < 200 ? 2 : 3, after;
        if (p < 19)
            after = 1;
        else if (p < 89)
            after = 2;
        else if (p < 100)
            after = 3;
        else if (p < 187)
            after = 2;
        else
            after = 3;
        int qol_before = p < 100 ? 1 : 2, qol_after = p < 54 ? 1 : 2;
        fprintf(f, "D%03d,baseline,A,%d,%d,2,2,2,2,2,2\n", p, qol_before, before);
        fprintf(f, "D%03d,followup,A,%d,%d,2,2,2,2,2,2\n", p, qol_after, after);
    }
    fclose(f);
    return text;
}

static int add_to_cohort(const ps_score_t *score, void *cohort)
{
    return ps_cohort_add(cohort, score) != PS_OK;
}

static double figure(const ps_report_t *r, const char *scale, const char *name)
{
    for (size_t i = 0; i < ps_report_count(r); i++) {
        const ps_statistic_t *s = ps_report_statistic(r, i);
        if (strcmp(s->unit, scale) == 0 && strcmp(s->name, name) == 0 &&
            strcmp(s->group, "all") == 0 && strcmp(s->comparison, "baseline->followup") == 0) {
            cr_assert_eq(s->shown, PS_SHOWN, "%s %s not shown", scale, name);
            return s->value;
        }
    }
    cr_assert_fail("no %s %s", scale, name);
    return NAN;
}

Test(domains, the_published_finance_shape)
{
    struct capture c = {0};
    ps_context_t *context = test_context(&c);
    ps_cohort_t *cohort;
    cr_assert_eq(ps_cohort_new(context, &(ps_cohort_options_t){.size = sizeof(ps_cohort_options_t)}, &cohort), PS_OK);
    ps_score_handlers_t h = {NULL, add_to_cohort, NULL, NULL, cohort};
    ps_scorer_t *scorer;
    const char *ids[] = {"domains"};
    cr_assert_eq(ps_scorer_new(context, &(ps_score_options_t){.size = sizeof(ps_score_options_t), .instruments = ids, .n_instruments = 1},
                               &h, &scorer), PS_OK);
    cr_assert_eq(ps_scorer_score_file(scorer, test_file("d.csv", finance_cohort(), -1)), PS_OK);
    ps_report_t *r;
    cr_assert_eq(ps_cohort_report(cohort, &(ps_disclosure_t){1, 7, 0}, &r), PS_OK);
    /* Cohort level: (NM at baseline - NM at follow-up) / NM at baseline = 81%. */
    cr_assert_float_eq(figure(r, "finance", "band_change:not managing"), -0.81, 1e-12);
    /* Individual level: of those not managing at baseline, the share who moved to a better
     * band: 81%. */
    cr_assert_float_eq(figure(r, "finance", "moved_better_from:not managing"), 0.81, 1e-12);
    cr_assert_float_eq(figure(r, "finance", "band_change:managing"), 0.48, 1e-12);
    cr_assert_eq(figure(r, "finance", "n_baseline_band:not managing"), 100);
    cr_assert_eq(figure(r, "finance", "n_followup_band:not managing"), 19);
    cr_assert_eq(figure(r, "finance", "transition:not managing->getting support"), 70);
    cr_assert_float_eq(figure(r, "quality_of_life", "band_change:poor"), -0.46, 1e-12);
    /* Indicators were not collected in this batch: they are not scored at all. */
    for (size_t i = 0; i < ps_report_count(r); i++)
        cr_assert_null(strstr(ps_report_statistic(r, i)->unit, "indicator"));
    ps_report_free(r);
    ps_scorer_free(scorer);
    ps_cohort_free(cohort);
    ps_context_free(context);
}

Test(domains, statuses_as_codes_or_labels)
{
    struct capture c = {0};
    const char *csv = "participant_id,timepoint,domain_finance,domain_physical_health,"
                      "domain_mental_health,domain_social_contact,domain_housing,domain_safety,"
                      "domain_learning\nP1,t0,Not managing,getting appropriate support,managing ok,"
                      "1,2,3,4\n";
    cr_assert_eq(test_score_text(&c, csv, NULL), PS_OK);
    cr_assert_eq(score_of(&c, "P1", "domains.finance")->value, 1);
    cr_assert_str_eq(score_of(&c, "P1", "domains.physical_health")->band, "getting support");
    cr_assert_str_eq(score_of(&c, "P1", "domains.mental_health")->band, "managing");
    cr_assert_eq(c.n_rejects, 1);
    cr_assert_str_eq(c.rejects[0].column_name, "domain_learning");
}

/* ---- ONS4: XML alone, ONS bands, anxiety reversed in meaning. ---- */

Test(ons4, bands_and_direction)
{
    struct capture c = {0};
    const char *csv = "participant_id,timepoint,ons4_satisfaction,ons4_worthwhile,ons4_happiness,"
                      "ons4_anxiety\nP1,t0,4,5,9,1\nP2,t0,7,8,10,6\nP3,t0,Completely,not at all,6,11\n";
    cr_assert_eq(test_score_text(&c, csv, NULL), PS_OK);
    cr_assert_str_eq(c.detected, "ons4");
    cr_assert_str_eq(score_of(&c, "P1", "ons4.satisfaction")->band, "low");
    cr_assert_str_eq(score_of(&c, "P1", "ons4.worthwhile")->band, "medium");
    cr_assert_str_eq(score_of(&c, "P1", "ons4.happiness")->band, "very high");
    cr_assert_str_eq(score_of(&c, "P1", "ons4.anxiety")->band, "very low");
    cr_assert_str_eq(score_of(&c, "P2", "ons4.satisfaction")->band, "high");
    cr_assert_str_eq(score_of(&c, "P2", "ons4.anxiety")->band, "high");
    cr_assert_eq(score_of(&c, "P3", "ons4.satisfaction")->value, 10);
    cr_assert_eq(score_of(&c, "P3", "ons4.worthwhile")->value, 0);
    cr_assert_str_eq(c.rejects[0].column_name, "ons4_anxiety");
    cr_assert(strstr(c.rejects[0].reason, "code out of range (codes are 0-10)"));
    ps_context_t *context = test_context(&c);
    cr_assert(ps_scale_lower_is_better(
        ps_instrument_find_scale(ps_context_find_instrument(context, "ons4"), "anxiety")));
    ps_context_free(context);
}

/* ---- Pools: goals as units, by category; the indicator with the greatest improvement. ---- */

Test(goals, pooled_goals_achieved_and_by_category)
{
    /* Three people, goals rated at baseline and follow-up, with attainment and category:
     * P1 goal1 health 2 -> 6 (+4, achieved 0), goal2 work 5 -> 6 (+1, attainment -1);
     * P2 goal1 health 3 -> 3 (0, attainment 1); P3 goal1 money 1 -> 9 (+8, attainment 2). */
    const char *csv =
        "participant_id,timepoint,goal1_rating,goal1_gas,goal1_category,goal2_rating,goal2_gas,goal2_category\n"
        "P1,baseline,2,-1,health,5,-1,work\nP1,followup,6,0,health,6,-1,work\n"
        "P2,baseline,3,-1,health,,,\nP2,followup,3,1,health,,,\n"
        "P3,baseline,1,-2,money,,,\nP3,followup,9,2,money,,,\n";
    struct capture c = {0};
    ps_context_t *context = test_context(&c);
    ps_cohort_t *cohort;
    cr_assert_eq(ps_cohort_new(context, &(ps_cohort_options_t){.size = sizeof(ps_cohort_options_t)}, &cohort), PS_OK);
    ps_score_handlers_t h = {NULL, add_to_cohort, NULL, NULL, cohort};
    ps_scorer_t *scorer;
    cr_assert_eq(ps_scorer_new(context, &(ps_score_options_t){.size = sizeof(ps_score_options_t)}, &h, &scorer), PS_OK);
    cr_assert_eq(ps_scorer_score_file(scorer, test_file("g.csv", csv, -1)), PS_OK);
    ps_report_t *r;
    cr_assert_eq(ps_cohort_report(cohort, &(ps_disclosure_t){0, 7, 0}, &r), PS_OK);
    cr_assert_eq(figure(r, "goal", "n_paired"), 4);
    cr_assert_float_eq(figure(r, "goal", "mean_change"), (4.0 + 1 + 0 + 8) / 4, 1e-12);
    /* Improving by 2.45 or more: +4 and +8. */
    cr_assert_eq(figure(r, "goal", "n_improved"), 2);
    cr_assert_float_eq(figure(r, "goal", "share_improved"), 0.5, 1e-12);
    /* Achieved at follow-up (attainment >= 0): P1 goal1, P2, P3; not P1 goal2. */
    cr_assert_float_eq(figure(r, "goal", "share_achieved_followup"), 0.75, 1e-12);
    cr_assert_eq(figure(r, "goal", "category:health:n_paired"), 2);
    cr_assert_float_eq(figure(r, "goal", "category:health:mean_change"), 2.0, 1e-12);
    cr_assert_eq(figure(r, "goal", "category:money:n_achieved_followup"), 1);
    cr_assert_eq(figure(r, "goal", "category:work:n_improved"), 0);
    /* Goal 1 improved more on average (+4) than goal 2 (+1). */
    cr_assert_eq(figure(r, "goal", "rank:goal1"), 1);
    cr_assert_eq(figure(r, "goal", "rank:goal2"), 2);
    /* Goal ratings are pooled, not reported one slot at a time. */
    for (size_t i = 0; i < ps_report_count(r); i++)
        cr_assert_str_neq(ps_report_statistic(r, i)->unit, "goal1");
    ps_report_free(r);
    ps_scorer_free(scorer);
    ps_cohort_free(cohort);
    ps_context_free(context);
}

Test(goals, per_goal_change_in_row_level_output)
{
    /* A booklet that records each goal's first rating beside its latest gives the change
     * in the row itself; a batch without that column has no change rows. */
    struct capture c = {0};
    const char *csv = "participant_id,timepoint,goal1_first_rating,goal1_rating,goal2_rating\n"
                      "P1,t0,2,7,4\n";
    cr_assert_eq(test_score_text(&c, csv, NULL), PS_OK);
    cr_assert_eq(score_of(&c, "P1", "goals.goal1_change")->value, 5);
    cr_assert_null(test_find(&c, "P1", "t0", "goals.goal2_change"));
    cr_assert_null(test_find(&c, "P1", "t0", "goals.gas"), "no attainment columns: no T-score rows");
    cr_assert_eq(c.summary.scores_not_ok, 0);
}

Test(pam, a_calibration_that_is_a_fifo_is_refused_without_waiting, .timeout = 10)
{
    char *file = test_path("calibration.xml");
    cr_assert_eq(mkfifo(file, 0600), 0);
    struct capture c = {0};
    ps_context_t *context = test_context(&c);
    cr_assert_eq(ps_context_load_calibration(context, file), PS_ERROR_READ);
    cr_assert_str_eq(c.diagnostics[0].file, file);
    cr_assert(strstr(c.diagnostics[0].message, "not a regular file but a FIFO (named pipe)"), "%s",
              c.diagnostics[0].message);
    ps_context_free(context);
}

Test(pam, a_calibration_in_another_encoding_is_refused_before_parsing)
{
    struct capture c = {0};
    ps_context_t *context = test_context(&c);
    char *file = test_file("cp.xml", "<?xml version=\"1.0\" encoding=\"IBM037\"?>\n"
                                     "<calibration/>\n", -1);
    cr_assert_eq(ps_context_load_calibration(context, file), PS_ERROR_XML);
    cr_assert_str_eq(c.diagnostics[0].file, file);
    cr_assert(strstr(c.diagnostics[0].message, "declares encoding \"IBM037\": definitions, "
                                               "schemas and calibrations must be UTF-8"),
              "%s", c.diagnostics[0].message);
    ps_context_free(context);
}

/* A calibration schema whose raws, answered counts and scores are plain strings. */
static char *string_calibration_schema_dir(void)
{
    char *xsd_path;
    cr_assert_geq(asprintf(&xsd_path, "%s/schemas/pam-calibration.xsd",
                           getenv("PROMSCORE_SOURCE_DIR")), 0);
    char *xsd = test_slurp(xsd_path);
    cr_assert_not_null(xsd);
    for (char *p; (p = strstr(xsd, "base=\"xs:integer\""));)
        memcpy(p, "base=\"xs:string\" ", strlen("base=\"xs:integer\""));
    for (char *p; (p = strstr(xsd, "<xs:minInclusive"));)
        memset(p, ' ', strchr(p, '>') - p + 1);
    for (char *p; (p = strstr(xsd, "<xs:maxInclusive"));)
        memset(p, ' ', strchr(p, '>') - p + 1);
    char *p = strstr(xsd, "type=\"xs:decimal\"");
    cr_assert_not_null(p);
    memcpy(p, "type=\"xs:string\" ", strlen("type=\"xs:decimal\""));
    p = strstr(xsd, "<xs:unique name=\"rawOnce\">"); /* raws repeated reach the loader */
    cr_assert_not_null(p);
    memset(p, ' ', (size_t)(strstr(p, "</xs:unique>") + strlen("</xs:unique>") - p));
    char *dir = test_file("pam-calibration.xsd", xsd, -1);
    *strrchr(dir, '/') = '\0';
    return dir;
}

/* A one-table calibration with the map on line 5 given as 'map'; loaded under 'schema_dir'. */
static ps_error_t load_calibration_map(struct capture *c, const char *schema_dir,
                                       const char *map, char **file)
{
    char *xml;
    cr_assert_geq(asprintf(&xml, "<?xml version=\"1.0\"?>\n<calibration xmlns=\"urn:promscore:"
                                 "calibration:1\" instrument=\"pam\" scale=\"score\" "
                                 "version=\"1\">\n<notice>SYNTHETIC</notice>\n"
                                 "<table answered=\"13\">\n%s\n</table>\n</calibration>\n",
                           map), 0);
    *file = test_file("calibration.xml", xml, -1);
    ps_context_t *context = test_context(c);
    if (schema_dir)
        cr_assert_eq(ps_context_set_schema_dir(context, schema_dir), PS_OK);
    c->n_diagnostics = 0;
    ps_error_t err = ps_context_load_calibration(context, *file);
    ps_context_free(context);
    return err;
}

/* Raws are whole numbers and scores decimal numbers, whatever the calibration's schema. */
Test(pam, calibration_numbers_are_read_strictly_whatever_the_schema)
{
    char *dir = string_calibration_schema_dir();
    static const struct {
        const char *map, *message;
    } cases[] = {
        {"<map raw=\"31.5\" score=\"1\"/>", "raw=\"31.5\" is not a whole number"},
        {"<map raw=\"NaN\" score=\"1\"/>", "raw=\"NaN\" is not a whole number"},
        {"<map raw=\"0x1f\" score=\"1\"/>", "raw=\"0x1f\" is not a whole number"},
        {"<map raw=\"1e308\" score=\"1\"/>", "raw=\"1e308\" is not a whole number"},
        {"<map raw=\"31\" score=\"0x1f\"/>", "score=\"0x1f\" is not a decimal number"},
        {"<map raw=\"31\" score=\"NaN\"/>", "score=\"NaN\" is not a finite number"},
        {"<map raw=\"31\" score=\"\"/>", "score=\"\" is empty"},
        {"<map raw=\"31\" score=\"1\"/><map raw=\"31\" score=\"2\"/><map raw=\"33\" score=\"3\"/>",
         "raw 31 is given twice in the table for 13 answered items"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct capture c = {0};
        char *file;
        cr_assert_eq(load_calibration_map(&c, dir, cases[i].map, &file), PS_ERROR_DEFINITION,
                     "%s: %s", cases[i].map, c.n_diagnostics ? c.diagnostics[0].message : "");
        cr_assert_str_eq(c.diagnostics[0].file, file);
        cr_assert_eq(c.diagnostics[0].line, 5);
        cr_assert(strstr(c.diagnostics[0].message, cases[i].message), "%s", c.diagnostics[0].message);
    }
}

/* What the schema's xs:integer and xs:decimal accept, the loader reads as the same number. */
Test(pam, calibration_numbers_with_white_space_around_them_are_read)
{
    struct capture c = {0};
    char *file;
    cr_assert_eq(load_calibration_map(&c, NULL, "<map raw=\" 31 \" score=\" 50 \"/>", &file),
                 PS_OK, "%s", c.n_diagnostics ? c.diagnostics[0].message : "");
}
