/*
 * Collecting a cohort: timepoint labels that would read as another comparison
 * of the report ("BASELINE->end", "BASELINE->LABEL") are refused, whether they
 * come from the options or from the scores.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "helpers.h"

#define HEADER "participant_id,timepoint,instrument,scale,score,band,answered,status\n"

struct cohort_run {
    struct capture capture;
    ps_context_t *context;
    ps_cohort_t *cohort;
    ps_error_t added;   /* the first error of ps_cohort_add */
    char *file;         /* the scored CSV read */
};

static int add(const ps_score_t *score, void *user)
{
    struct cohort_run *run = user;
    run->added = ps_cohort_add(run->cohort, score);
    return run->added != PS_OK;
}

/* A cohort with 'options', then, when it was made, every score of 'scored'. */
static struct cohort_run *collect(const ps_cohort_options_t *options, const char *scored,
                                  ps_error_t *created)
{
    struct cohort_run *run = calloc(1, sizeof *run);
    cr_assert_not_null(run);
    run->context = test_context(&run->capture);
    *created = ps_cohort_new(run->context, options, &run->cohort);
    if (*created != PS_OK) {
        cr_assert_null(run->cohort, "no cohort when it is refused");
        return run;
    }
    run->file = test_file("scored.csv", scored, -1);
    ps_error_t err = ps_scored_read(run->context, run->file, NULL, 0, add, run);
    cr_assert(err == PS_OK || err == PS_ERROR_ABORTED, "read: %s", ps_error_message(err));
    return run;
}

static void done(struct cohort_run *run)
{
    ps_cohort_free(run->cohort);
    ps_context_free(run->context);
    free(run);
}

static const struct captured_diagnostic *only_diagnostic(const struct cohort_run *run)
{
    cr_assert_eq(run->capture.n_diagnostics, 1);
    return &run->capture.diagnostics[0];
}

/* ---- From the options: PS_ERROR_USAGE, naming the label. ---- */

static void refused_option(const ps_cohort_options_t *options, const char *label, const char *why)
{
    ps_error_t created;
    struct cohort_run *run = collect(options, HEADER, &created);
    cr_assert_eq(created, PS_ERROR_USAGE, "%s: %s", label, ps_error_message(created));
    const struct captured_diagnostic *d = only_diagnostic(run);
    cr_assert_eq(d->error, PS_ERROR_USAGE);
    cr_assert(strstr(d->message, label), "%s", d->message);
    cr_assert(strstr(d->message, why), "%s", d->message);
    done(run);
}

Test(cohort, a_baseline_called_end_in_any_case_is_refused)
{
    const char *labels[] = {"end", "End", "END", "eNd"};
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++) {
        ps_cohort_options_t o = {.size = sizeof o, .baseline = labels[i]};
        char *named;
        cr_assert_geq(asprintf(&named, "baseline '%s' is refused", labels[i]), 0);
        refused_option(&o, named, "each person's last follow-up");
        free(named);
    }
}

Test(cohort, a_baseline_with_an_arrow_is_refused)
{
    ps_cohort_options_t o = {.size = sizeof o, .baseline = "pre->post"};
    refused_option(&o, "baseline 'pre->post' is refused", "'->'");
}

Test(cohort, a_listed_timepoint_called_end_is_refused)
{
    const char *order[] = {"week6", "End"};
    ps_cohort_options_t o = {.size = sizeof o, .timepoints = order, .n_timepoints = 2};
    refused_option(&o, "timepoint 'End' is refused", "(baseline->end)");
}

Test(cohort, a_listed_timepoint_with_an_arrow_is_refused)
{
    const char *order[] = {"week6->week12"};
    ps_cohort_options_t o = {.size = sizeof o, .baseline = "intake", .timepoints = order, .n_timepoints = 1};
    refused_option(&o, "timepoint 'week6->week12' is refused", "(intake->week6->week12)");
}

/* ---- From the scores: PS_ERROR_BATCH, naming the score's file and line. ---- */

static void refused_score(const ps_cohort_options_t *options, const char *scored,
                          unsigned long line, const char *label)
{
    ps_error_t created;
    struct cohort_run *run = collect(options, scored, &created);
    cr_assert_eq(created, PS_OK);
    cr_assert_eq(run->added, PS_ERROR_BATCH, "%s", ps_error_message(run->added));
    const struct captured_diagnostic *d = only_diagnostic(run);
    cr_assert_eq(d->error, PS_ERROR_BATCH);
    cr_assert_str_eq(d->file, run->file);
    cr_assert_eq(d->line, line);
    char *named;
    cr_assert_geq(asprintf(&named, "timepoint '%s' is refused", label), 0);
    cr_assert(strstr(d->message, named), "%s", d->message);
    free(named);
    done(run);
}

Test(cohort, a_score_at_end_is_refused_with_its_file_and_line)
{
    ps_cohort_options_t o = {.size = sizeof o};
    refused_score(&o,
                  HEADER "P1,baseline,wemwbs,total,40,,14,ok\n"
                         "P1,week6,wemwbs,total,44,,14,ok\n"
                         "P1,END,wemwbs,total,47,,14,ok\n",
                  4, "END");
}

Test(cohort, a_score_at_a_timepoint_with_an_arrow_is_refused)
{
    ps_cohort_options_t o = {.size = sizeof o};
    refused_score(&o,
                  HEADER "P1,baseline,wemwbs,total,40,,14,ok\n"
                         "P1,baseline->week6,wemwbs,total,44,,14,ok\n",
                  3, "baseline->week6");
}

/* The clash is the more telling reason when the timepoints are also listed. */
Test(cohort, a_score_at_end_is_refused_as_a_clash_when_timepoints_are_listed)
{
    const char *order[] = {"week6"};
    ps_cohort_options_t o = {.size = sizeof o, .timepoints = order, .n_timepoints = 1};
    refused_score(&o, HEADER "P1,baseline,wemwbs,total,40,,14,ok\nP1,end,wemwbs,total,47,,14,ok\n",
                  3, "end");
}

/* ---- Labels that only look alike are kept. ---- */

Test(cohort, labels_that_only_resemble_end_or_an_arrow_are_reported)
{
    ps_cohort_options_t o = {.size = sizeof o, .baseline = "ending"};
    ps_error_t created;
    struct cohort_run *run = collect(&o,
                                     HEADER "P1,ending,wemwbs,total,40,,14,ok\n"
                                            "P2,ending,wemwbs,total,42,,14,ok\n"
                                            "P1,weekend,wemwbs,total,44,,14,ok\n"
                                            "P2,weekend,wemwbs,total,43,,14,ok\n"
                                            "P1,end-,wemwbs,total,45,,14,ok\n"
                                            "P2,end-,wemwbs,total,47,,14,ok\n"
                                            "P1,<-3m>,wemwbs,total,49,,14,ok\n"
                                            "P2,<-3m>,wemwbs,total,48,,14,ok\n",
                                     &created);
    cr_assert_eq(created, PS_OK);
    cr_assert_eq(run->added, PS_OK, "%s",
                 run->capture.n_diagnostics ? run->capture.diagnostics[0].message : "");
    ps_disclosure_t everything = {0, 7, 0};
    ps_report_t *report;
    cr_assert_eq(ps_cohort_report(run->cohort, &everything, &report), PS_OK);
    const char *wanted[] = {"ending->weekend", "ending->end-", "ending-><-3m>", "ending->end"};
    for (size_t w = 0; w < sizeof wanted / sizeof wanted[0]; w++) {
        int found = 0;
        for (size_t i = 0; i < ps_report_count(report) && !found; i++)
            found = strcmp(ps_report_statistic(report, i)->comparison, wanted[w]) == 0;
        cr_assert(found, "no comparison %s", wanted[w]);
    }
    ps_report_free(report);
    done(run);
}
