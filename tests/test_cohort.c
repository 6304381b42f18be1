/* SPDX-License-Identifier: GPL-3.0-or-later */
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

/* ---- Limits: a report's timepoints and groups are few, and never people. ---- */

/* Reads 'scored' into a cohort grouped by 'by' (NULL: none); the first error of adding. */
static ps_error_t collect_by(const char *scored, const char *by, struct cohort_run *run)
{
    ps_cohort_options_t o = {.size = sizeof o, .by = &by, .n_by = by != NULL};
    run->context = test_context(&run->capture);
    cr_assert_eq(ps_cohort_new(run->context, &o, &run->cohort), PS_OK);
    run->file = test_file("scored.csv", scored, -1);
    ps_error_t err = ps_scored_read(run->context, run->file, &by, by != NULL, add, run);
    cr_assert(err == PS_OK || err == PS_ERROR_ABORTED, "read: %s", ps_error_message(err));
    return run->added;
}

/*
 * n + 1 people at baseline; with 'one_site_each' each in a site of their own
 * (s0..sn), else all in s0 with P0 seen again at n + 1 later timepoints t1...
 */
static char *timepoints_and_sites(size_t n, int one_site_each)
{
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    fputs("participant_id,timepoint,instrument,scale,score,band,answered,status,site\n", f);
    for (size_t i = 0; i <= n; i++) {
        fprintf(f, "P%zu,baseline,wemwbs,total,40,,14,ok,s%zu\n", i, one_site_each ? i : 0);
        if (!one_site_each)
            fprintf(f, "P0,t%zu,wemwbs,total,44,,14,ok,s0\n", i + 1);
    }
    fclose(f);
    return text;
}

Test(cohort, a_report_takes_at_most_64_timepoints_besides_the_baseline)
{
    struct cohort_run *run = calloc(1, sizeof *run);
    cr_assert_eq(collect_by(timepoints_and_sites(63, 0), NULL, run), PS_OK, "64 are taken: %s",
                 run->capture.n_diagnostics ? run->capture.diagnostics[0].message : "");
    done(run);
    run = calloc(1, sizeof *run);
    cr_assert_eq(collect_by(timepoints_and_sites(64, 0), NULL, run), PS_ERROR_LIMIT);
    const struct captured_diagnostic *d = only_diagnostic(run);
    cr_assert_str_eq(d->file, run->file);
    cr_assert_eq(d->line, 131, "the 65th timepoint's line");
    cr_assert(strstr(d->message, "timepoint 't65' is one more than a report takes: at most 64"),
              "%s", d->message);
    done(run);
}

Test(cohort, a_report_groups_by_at_most_100_values_of_a_column)
{
    struct cohort_run *run = calloc(1, sizeof *run);
    cr_assert_eq(collect_by(timepoints_and_sites(99, 1), "site", run), PS_OK, "100 are taken");
    done(run);
    run = calloc(1, sizeof *run);
    cr_assert_eq(collect_by(timepoints_and_sites(100, 1), "site", run), PS_ERROR_LIMIT);
    const struct captured_diagnostic *d = only_diagnostic(run);
    cr_assert(strstr(d->message, "'site' has more than 100 values to group by"), "%s",
              d->message);
    done(run);
}

Test(cohort, the_participant_id_is_never_a_group)
{
    const char *by = "Participant_ID";
    ps_cohort_options_t o = {.size = sizeof o, .by = &by, .n_by = 1};
    refused_option(&o, "Participant_ID", "identifies people");
}
