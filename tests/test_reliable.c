/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Reliable change given in points with its rule (<reliable points="6" rule="at-least"/>, as
 * NHS Talking Therapies counts PHQ-9), beside Jacobson and Truax's 1.96 * sqrt(2) * SEM:
 * the definition's checks, the counts at the threshold under each rule, and the report's text.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "helpers.h"

/* ---- Definitions ------------------------------------------------------------ */

/* Loads a one-scale definition whose <change> holds 'change'; returns the error, with the
 * scale's reliable_change and reliable_at_least from a one-pair report when it loads. */
static ps_error_t load(struct capture *c, const char *change)
{
    char *xml;
    cr_assert_geq(
        asprintf(&xml,
                 "<?xml version=\"1.0\"?>\n"
                 "<instrument xmlns=\"urn:promscore:instrument:1\" id=\"rel\" version=\"1\" "
                 "plugin=\"scale\">\n"
                 "<title>T</title><notice>N</notice>\n"
                 "<sources><source id=\"s\">S</source></sources>\n"
                 "<responses id=\"r\"><option code=\"0\" label=\"no\"/><option code=\"1\" "
                 "label=\"yes\"/></responses>\n"
                 "<items responses=\"r\"><item id=\"1\" column=\"rel_1\" label=\"One\"/></items>\n"
                 "<scale id=\"s\" label=\"S\" method=\"sum\" items=\"1\" min=\"0\" max=\"1\" "
                 "precision=\"0\"/>\n"
                 "<change scale=\"s\">\n%s\n</change>\n"
                 "</instrument>\n",
                 change),
        0);
    ps_context_t *context;
    cr_assert_eq(ps_context_new(&context), PS_OK);
    test_capture_diagnostics(context, c);
    ps_error_t err = ps_context_load_instrument(context, test_file("rel.xml", xml, -1), NULL);
    ps_context_free(context);
    free(xml);
    return err;
}

static void refused(const char *change, ps_error_t error, const char *message)
{
    struct capture c = {0};
    cr_assert_eq(load(&c, change), error);
    cr_assert_eq(c.n_diagnostics, 1);
    cr_assert_str_eq(c.diagnostics[0].message, message);
    cr_assert_eq(c.diagnostics[0].line, 9, "the <reliable> element's line");
}

Test(definition, points_need_a_rule)
{
    refused("<reliable points=\"6\" source=\"s\"/>", PS_ERROR_DEFINITION,
            "reliable change in points needs a rule: rule=\"at-least\" (a change of exactly the "
            "points is reliable) or rule=\"more-than\"");
}

Test(definition, points_go_with_neither_sem_nor_sd)
{
    const char *message =
        "reliable change needs one of points (with a rule), sem, or sd with reliability";
    refused("<reliable points=\"6\" rule=\"at-least\" sem=\"2\" source=\"s\"/>",
            PS_ERROR_DEFINITION, message);
    refused("<reliable points=\"6\" rule=\"at-least\" sd=\"5\" reliability=\"0.9\" source=\"s\"/>",
            PS_ERROR_DEFINITION, message);
    refused("<reliable rule=\"at-least\" source=\"s\"/>", PS_ERROR_DEFINITION, message);
}

Test(definition, points_must_be_above_zero)
{
    refused("<reliable points=\"0\" rule=\"more-than\" source=\"s\"/>", PS_ERROR_DEFINITION,
            "reliable change must be above 0 points");
}

Test(definition, a_rule_is_at_least_or_more_than)
{
    struct capture c = {0};
    cr_assert_eq(load(&c, "<reliable points=\"6\" rule=\"6 or more\" source=\"s\"/>"),
                 PS_ERROR_SCHEMA);
    cr_assert_eq(c.diagnostics[0].line, 9);
    cr_assert(strstr(c.diagnostics[0].message, "rule"), "%s", c.diagnostics[0].message);
}

Test(definition, points_need_a_source)
{
    struct capture c = {0};
    cr_assert_eq(load(&c, "<reliable points=\"6\" rule=\"at-least\"/>"), PS_ERROR_SCHEMA);
    cr_assert(strstr(c.diagnostics[0].message, "source"), "%s", c.diagnostics[0].message);
}

Test(definition, white_space_around_a_rule_is_dropped_as_the_schema_does)
{
    struct capture c = {0};
    cr_assert_eq(load(&c, "<reliable points=\"1\" rule=\" at-least\n\" source=\"s\"/>"), PS_OK);
}

/* ---- Counts at the threshold --------------------------------------------------- */

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

/* The report, without disclosure control, on 'scored' (a scored CSV) after loading the
 * definition file 'definition' (NULL: 'xml', a definition's text). */
static struct built *report(const char *definition, const char *xml, const char *scored)
{
    struct built *b = calloc(1, sizeof *b);
    ps_context_t *context = test_context(&b->capture);
    const char *file = definition ? test_data(definition) : test_file("def.xml", xml, -1);
    cr_assert_eq(ps_context_load_instrument(context, file, NULL), PS_OK, "%s",
                 b->capture.n_diagnostics ? b->capture.diagnostics[0].message : "");
    ps_cohort_options_t options = {.size = sizeof options};
    cr_assert_eq(ps_cohort_new(context, &options, &b->cohort), PS_OK);
    cr_assert_eq(ps_scored_read(context, test_file("scored.csv", scored, -1), NULL, 0, add, b),
                 PS_OK);
    cr_assert_eq(b->error, PS_OK);
    const ps_disclosure_t none = {0, 7, 0};
    cr_assert_eq(ps_cohort_report(b->cohort, &none, &b->report), PS_OK);
    ps_cohort_free(b->cohort);
    return b;
}

static const ps_statistic_t *find(const struct built *b, const char *scale, const char *name)
{
    for (size_t i = 0; i < ps_report_count(b->report); i++) {
        const ps_statistic_t *s = ps_report_statistic(b->report, i);
        if (strcmp(s->unit, scale) == 0 && strcmp(s->group, "all") == 0 &&
            strcmp(s->name, name) == 0)
            return s;
    }
    return NULL;
}

static double value(const struct built *b, const char *scale, const char *name)
{
    const ps_statistic_t *s = find(b, scale, name);
    cr_assert_not_null(s, "no %s of %s", name, scale);
    cr_assert_eq(s->shown, PS_SHOWN, "%s of %s is not shown", name, scale);
    return s->value;
}

#define HEADER "participant_id,timepoint,instrument,scale,score,band,answered,status\n"

/* Seven people's changes on both fixture scales (lower is better): -6 and +6 exactly at the
 * threshold, -5 and +5 below it, -7 and +7 above it, and 0. */
static char *severity_changes(void)
{
    static const int before[] = {12, 12, 12, 6, 7, 5, 10}, after[] = {6, 7, 5, 12, 12, 12, 10};
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    fputs(HEADER, out);
    for (int p = 0; p < 7; p++)
        for (int s = 0; s < 2; s++) {
            const char *scale = s ? "more_than" : "at_least";
            fprintf(out, "P%d,baseline,reliabletest,%s,%d,,9,ok\n", p + 1, scale, before[p]);
            fprintf(out, "P%d,followup,reliabletest,%s,%d,,9,ok\n", p + 1, scale, after[p]);
        }
    fclose(out);
    return text;
}

Test(counts, a_change_of_exactly_the_points_is_reliable_under_at_least)
{
    struct built *b = report("definitions/reliable.xml", NULL, severity_changes());
    cr_assert_eq(value(b, "at_least", "reliable_change"), 6);
    cr_assert_eq(value(b, "at_least", "reliable_at_least"), 1);
    cr_assert_eq(value(b, "at_least", "n_reliable_improved"), 2);     /* -6, -7 */
    cr_assert_eq(value(b, "at_least", "n_no_reliable_change"), 3);    /* -5, +5, 0 */
    cr_assert_eq(value(b, "at_least", "n_reliable_deteriorated"), 2); /* +6, +7 */
    /* Meaningful change (at least 5) beside it, and no SEM: the points are the definition's. */
    cr_assert_eq(value(b, "at_least", "n_improved"), 3);
    cr_assert_eq(value(b, "at_least", "n_deteriorated"), 3);
    cr_assert_null(find(b, "at_least", "sem"));
    cr_assert_null(find(b, "at_least", "reliability"));
}

Test(counts, a_change_of_exactly_the_points_is_not_reliable_under_more_than)
{
    struct built *b = report("definitions/reliable.xml", NULL, severity_changes());
    cr_assert_eq(value(b, "more_than", "reliable_change"), 6);
    cr_assert_eq(value(b, "more_than", "reliable_at_least"), 0);
    cr_assert_eq(value(b, "more_than", "n_reliable_improved"), 1);     /* -7 */
    cr_assert_eq(value(b, "more_than", "n_no_reliable_change"), 5);    /* -6, -5, +5, +6, 0 */
    cr_assert_eq(value(b, "more_than", "n_reliable_deteriorated"), 1); /* +7 */
    cr_assert_null(find(b, "more_than", "sem"));
}

/* A threshold with decimals, on a higher-is-better scale: 4.48 - 2.03 is 2.4500000000000006
 * and 3.55 - 1.10 is 2.4499999999999997 in binary; both are a change of 2.45 points. */
Test(counts, a_change_of_the_points_with_decimals_is_that_change)
{
    const char *xml =
        "<?xml version=\"1.0\"?>\n"
        "<instrument xmlns=\"urn:promscore:instrument:1\" id=\"dec\" version=\"1\" "
        "plugin=\"scale\">\n"
        "<title>T</title><notice>N</notice><sources><source id=\"s\">S</source></sources>\n"
        "<responses id=\"r\"><range min=\"0\" max=\"10\" decimals=\"2\"/></responses>\n"
        "<items responses=\"r\"><item id=\"1\" column=\"dec_1\" label=\"One\"/></items>\n"
        "<scale id=\"at_least\" label=\"A\" method=\"item\" items=\"1\" min=\"0\" max=\"10\" "
        "precision=\"2\"/>\n"
        "<scale id=\"more_than\" label=\"M\" method=\"item\" items=\"1\" min=\"0\" max=\"10\" "
        "precision=\"2\"/>\n"
        "<change scale=\"at_least\"><reliable points=\"2.45\" rule=\"at-least\" "
        "source=\"s\"/></change>\n"
        "<change scale=\"more_than\"><reliable points=\"2.45\" rule=\"more-than\" "
        "source=\"s\"/></change>\n"
        "</instrument>\n";
    const char *scored = HEADER "A,baseline,dec,at_least,2.03,,1,ok\n"
                                "A,followup,dec,at_least,4.48,,1,ok\n"
                                "B,baseline,dec,at_least,1.10,,1,ok\n"
                                "B,followup,dec,at_least,3.55,,1,ok\n"
                                "C,baseline,dec,at_least,1.00,,1,ok\n"
                                "C,followup,dec,at_least,3.46,,1,ok\n"
                                "A,baseline,dec,more_than,2.03,,1,ok\n"
                                "A,followup,dec,more_than,4.48,,1,ok\n"
                                "B,baseline,dec,more_than,1.10,,1,ok\n"
                                "B,followup,dec,more_than,3.55,,1,ok\n"
                                "C,baseline,dec,more_than,1.00,,1,ok\n"
                                "C,followup,dec,more_than,3.46,,1,ok\n";
    struct built *b = report(NULL, xml, scored);
    cr_assert_eq(value(b, "at_least", "n_reliable_improved"), 3);
    cr_assert_eq(value(b, "more_than", "n_reliable_improved"), 1); /* C's 2.46 alone */
    cr_assert_eq(value(b, "more_than", "n_no_reliable_change"), 2);
}

/* An SEM keeps Jacobson and Truax's threshold and rule unless a rule is given. */
Test(counts, an_sem_gives_more_than_1_96_sqrt_2_sem)
{
    struct built *b = report("definitions/lower.xml", NULL,
                             HEADER "P1,baseline,lowtest,severity,10,,9,ok\n"
                                    "P1,followup,lowtest,severity,4,,9,ok\n");
    cr_assert_float_eq(value(b, "severity", "reliable_change"), 1.96 * sqrt(2) * 2, 1e-12);
    cr_assert_eq(value(b, "severity", "reliable_at_least"), 0);
    cr_assert_eq(value(b, "severity", "sem"), 2);
    cr_assert_eq(value(b, "severity", "n_reliable_improved"), 1);
}

Test(counts, an_sem_takes_a_rule_too)
{
    const char *xml =
        "<?xml version=\"1.0\"?>\n"
        "<instrument xmlns=\"urn:promscore:instrument:1\" id=\"semrule\" version=\"1\" "
        "plugin=\"scale\">\n"
        "<title>T</title><notice>N</notice><sources><source id=\"s\">S</source></sources>\n"
        "<responses id=\"r\"><range min=\"0\" max=\"100\" decimals=\"0\"/></responses>\n"
        "<items responses=\"r\"><item id=\"1\" column=\"semrule_1\" label=\"One\"/></items>\n"
        "<scale id=\"x\" label=\"X\" method=\"item\" items=\"1\" min=\"0\" max=\"100\" "
        "precision=\"0\"/>\n"
        "<change scale=\"x\"><reliable sd=\"10\" reliability=\"0.75\" rule=\"at-least\" "
        "source=\"s\"/></change>\n"
        "</instrument>\n";
    struct built *b = report(NULL, xml,
                             HEADER "P1,baseline,semrule,x,10,,1,ok\n"
                                    "P1,followup,semrule,x,20,,1,ok\n");
    /* SEM = 10 * sqrt(1 - 0.75) = 5; 1.96 * sqrt(2) * 5 = 13.86 points or more. */
    cr_assert_float_eq(value(b, "x", "sem"), 5, 1e-12);
    cr_assert_float_eq(value(b, "x", "reliable_change"), 1.96 * sqrt(2) * 5, 1e-12);
    cr_assert_eq(value(b, "x", "reliable_at_least"), 1);
    cr_assert_eq(value(b, "x", "n_no_reliable_change"), 1);
}

/* ---- The text report ------------------------------------------------------------ */

/* promscore report --no-suppress on 'scored', with the test definitions on the path. */
static char *report_text(const char *scored)
{
    static char *instruments;
    const char *bin = getenv("PROMSCORE_BIN"), *path = getenv("PROMSCORE_INSTRUMENT_PATH");
    cr_assert_not_null(bin);
    cr_assert_not_null(path);
    if (!instruments) {
        cr_assert_geq(asprintf(&instruments, "%s:%s", path, test_data("definitions")), 0);
        cr_assert_eq(setenv("PROMSCORE_INSTRUMENT_PATH", instruments, 1), 0);
    }
    char *command;
    cr_assert_geq(asprintf(&command, "'%s' report --no-suppress '%s'", bin,
                           test_file("scored.csv", scored, -1)),
                  0);
    FILE *p = popen(command, "r");
    cr_assert_not_null(p);
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    char buffer[4096];
    size_t n;
    while ((n = fread(buffer, 1, sizeof buffer, p)) > 0)
        fwrite(buffer, 1, n, out);
    fclose(out);
    cr_assert_eq(pclose(p), 0, "%s", command);
    free(command);
    return text;
}

Test(text, the_report_states_the_rule_and_where_the_threshold_comes_from)
{
    char *text = report_text(severity_changes());
    cr_assert(strstr(text, "    reliable change (6.00 points or more; from the definition): 2 "
                           "improved, 3 no reliable change, 2 deteriorated\n"),
              "%s", text);
    cr_assert(strstr(text, "    reliable change (more than 6.00 points; from the definition): 1 "
                           "improved, 5 no reliable change, 1 deteriorated\n"),
              "%s", text);
    /* The headline states the same rule as the detail. */
    cr_assert(strstr(text, "; reliably: by 6.00 points or more (from the definition)"), "%s",
              text);
    cr_assert(strstr(text, "; reliably: by more than 6.00 points (from the definition)"), "%s",
              text);
    cr_assert_null(strstr(text, "6.00 points (Jacobson-Truax)"), "%s", text);
    free(text);
    text = report_text(HEADER "P1,baseline,lowtest,severity,10,,9,ok\n"
                              "P1,followup,lowtest,severity,4,,9,ok\n");
    cr_assert(strstr(text, "    reliable change (more than 5.54 points; Jacobson-Truax, 1.96 x "
                           "sqrt(2) x SEM: SEM 2.00): 1 improved, 0 no reliable change, 0 "
                           "deteriorated\n"),
              "%s", text);
    cr_assert(strstr(text, "; reliably: by more than 5.54 points (Jacobson-Truax)"), "%s", text);
    free(text);
}
