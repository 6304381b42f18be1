/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The wellbeing value line of the costs: WELLBYs from the paired change in
 * ONS4 life satisfaction (HM Treasury, Green Book supplementary guidance:
 * wellbeing, 2021: one WELLBY is one point of life satisfaction on 0-10 for
 * one person for one year), valued at the costs file's "wellby" row. Never
 * added to NHS cost avoidance. WEMWBS and SWEMWBS changes count only through
 * an exchange rate the costs file declares, a benefit transfer labelled so.
 * See docs/costs.md and tests/golden/costs/wellbeing.R.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MATHLIB_STANDALONE
#include <Rmath.h>

#include "costs.h"
#include "disclosure.h"
#include "serviceuse.h"

/* The scales a wellbeing value is taken from, in order of preference. */
static const struct source {
    const char *instrument, *scale, *name;
    const char *rate;             /* the costs file's exchange rate row; NULL: none needed */
} sources[] = {
    {"ons4", "satisfaction", "ONS4 life satisfaction (0-10)", NULL},
    {"wemwbs", "total", "WEMWBS total", "wemwbs_to_life_satisfaction"},
    {"swemwbs", "metric", "SWEMWBS metric score", "swemwbs_to_life_satisfaction"},
};
#define N_SOURCES (sizeof sources / sizeof sources[0])

/* One score of a scale the value may be taken from. */
struct record {
    uint32_t person, timepoint;
    double value;
    unsigned long line;
    int ok;                       /* scored "ok": paired; any other is not */
};

struct scores {
    ps_names_t *people, *timepoints;
    struct record *records;
    size_t n, size;
};

struct reading {
    struct scores of[N_SOURCES];
    unsigned long rows;
    int failed;
};

static int on_score(const ps_score_t *score, void *user)
{
    struct reading *r = user;
    r->rows++;
    for (size_t k = 0; k < N_SOURCES; k++) {
        if (strcmp(score->instrument->id, sources[k].instrument) != 0 ||
            strcmp(score->scale->id, sources[k].scale) != 0)
            continue;
        struct scores *s = &r->of[k];
        if ((!s->people && !(s->people = ps_names_new())) ||
            (!s->timepoints && !(s->timepoints = ps_names_new_folded())) ||
            ps_grow((void **)&s->records, &s->size, s->n + 1, sizeof *s->records)) {
            r->failed = 1;
            return 1;
        }
        uint32_t person = ps_names_intern(s->people, score->participant_id,
                                          strlen(score->participant_id));
        uint32_t timepoint =
            ps_names_intern(s->timepoints, score->timepoint, strlen(score->timepoint));
        if (person == UINT32_MAX || timepoint == UINT32_MAX) {
            r->failed = 1;
            return 1;
        }
        s->records[s->n++] = (struct record){person, timepoint, score->value, score->line,
                                             score->outcome == PS_SCORED};
    }
    return 0;
}

static void release(struct reading *r)
{
    for (size_t k = 0; k < N_SOURCES; k++) {
        ps_names_free(r->of[k].people);
        ps_names_free(r->of[k].timepoints);
        free(r->of[k].records);
    }
}

/* The report's own string for comparison 'name', so that writers group by pointer. */
static const char *report_comparison(ps_service_report_t *r, const char *name)
{
    for (size_t i = 0; i < ps_service_report_count(r); i++) {
        const ps_statistic_t *s = ps_service_report_statistic(r, i);
        if (strcmp(s->comparison, name) == 0)
            return s->comparison;
    }
    return ps_su_report_keep(r, name);
}

/* The follow-up timepoint: 'followup' when given, else the only one but the baseline. */
static ps_error_t find_followup(const ps_context_t *cx, const char *file,
                                const struct scores *s, uint32_t baseline, const char *followup,
                                uint32_t *out)
{
    if (followup) {
        *out = ps_names_find(s->timepoints, followup, strlen(followup));
        if (*out == UINT32_MAX)
            return ps_diagnose(cx, PS_ERROR_USAGE, file, 0, 0,
                               "no score at the follow-up timepoint '%s'", followup);
        if (*out == baseline)
            return ps_diagnose(cx, PS_ERROR_USAGE, file, 0, 0,
                               "the follow-up timepoint '%s' is the baseline: a change in "
                               "wellbeing is from the baseline to a later timepoint",
                               followup);
        return PS_OK;
    }
    char others[512] = "";
    size_t n_others = 0;
    for (uint32_t t = 0; t < ps_names_count(s->timepoints); t++) {
        if (t == baseline)
            continue;
        *out = t;
        if (n_others++ < 8)
            snprintf(others + strlen(others), sizeof others - strlen(others), "%s%s",
                     n_others > 1 ? ", " : "", ps_names_text(s->timepoints, t));
    }
    if (n_others == 1)
        return PS_OK;
    return ps_diagnose(cx, PS_ERROR_USAGE, file, 0, 0,
                       n_others ? "timepoints %s follow the baseline: name the one the "
                                  "wellbeing value is taken at (--wellbeing-followup)"
                                : "no score after the baseline%s: a wellbeing value needs a "
                                  "follow-up",
                       others);
}

/* Why a score of 'id' is not the cohort's, or NULL when 'id' is among the people referred:
 * the wellbeing value is theirs, as the costs are. */
static const char *not_referred(const ps_service_cohort_t *cohort, const char *id)
{
    const size_t len = strlen(id);
    if (ps_names_find(cohort->arms[PS_SERVICE_REFERRED].participants, id, len) != UINT32_MAX)
        return NULL;
    if (ps_names_find(cohort->arms[PS_SERVICE_COMPARISON].participants, id, len) != UINT32_MAX)
        return "in the comparison cohort, not among the people referred: the wellbeing value "
               "is theirs alone";
    return "not among the people referred (no count of theirs was read): the wellbeing value "
           "is theirs alone";
}

/*
 * An exchange rate from 'from' to life satisfaction is refused when the scale's whole range,
 * so exchanged, would be more points than life satisfaction's own range (0 to 10): a change
 * no one could make. The ranges are the instruments' definitions'.
 */
static ps_error_t check_rate(ps_context_t *cx, const struct source *from, double rate)
{
    double range[2];
    const ps_scale_t *scale[2];
    for (int k = 0; k < 2; k++) {
        const struct source *s = k ? from : &sources[0];
        const ps_instrument_t *in = ps_context_find_instrument(cx, s->instrument);
        scale[k] = in ? ps_instrument_find_scale(in, s->scale) : NULL;
        if (!scale[k])
            return ps_diagnose(cx, PS_ERROR_USAGE, NULL, 0, 0,
                               "the definition of %s is not loaded: its range bounds the "
                               "exchange rate %s",
                               s->name, from->rate);
        range[k] = ps_scale_max(scale[k]) - ps_scale_min(scale[k]);
    }
    if (rate * range[1] <= range[0])
        return PS_OK;
    return ps_diagnose(cx, PS_ERROR_USAGE, NULL, 0, 0,
                       "the costs file's %s, %g, would turn the %s's whole range (%g to %g) "
                       "into %g points of life satisfaction, whose scale runs %g to %g: a "
                       "rate is at most %g / %g = %.6g",
                       from->rate, rate, from->name, ps_scale_min(scale[1]),
                       ps_scale_max(scale[1]), rate * range[1], ps_scale_min(scale[0]),
                       ps_scale_max(scale[0]), range[0], range[1], range[0] / range[1]);
}

ps_error_t ps_service_costs_wellbeing(const ps_service_costs_t *costs,
                                      const ps_service_costs_options_t *options,
                                      const ps_service_cohort_t *cohort,
                                      const char *scored_file, const char *baseline,
                                      const char *followup,
                                      const ps_service_handlers_t *handlers,
                                      const ps_disclosure_t *disclosure,
                                      ps_service_report_t *report, ps_batch_summary_t *summary)
{
    ps_context_t *cx = cohort->context;
    struct reading r = {0};
    ps_batch_summary_t sum = {scored_file, 0, 0, 0, 0, 0, 0};
    double *change = NULL;
    if (summary)
        *summary = sum;
    if (!baseline)
        baseline = "baseline";
    if (cohort->before + 1 >= cohort->n_windows)
        return ps_diagnose(cx, PS_ERROR_USAGE, NULL, 0, 0,
                           "a wellbeing value needs a window after %s: its length is the "
                           "follow-up observed",
                           cohort->windows[cohort->before].name);
    ps_error_t err = ps_scored_read(cx, scored_file, NULL, 0, on_score, &r);
    if (err == PS_ERROR_ABORTED && r.failed)
        err = PS_ERROR_NOMEM;
    if (err)
        goto done;
    sum.rows_read = r.rows;
    size_t k = 0;
    while (k < N_SOURCES && !r.of[k].n)
        k++;
    if (k == N_SOURCES) {
        err = ps_diagnose(cx, PS_ERROR_USAGE, scored_file, 0, 0,
                          "no ONS4 life satisfaction score (nor a WEMWBS or SWEMWBS one): a "
                          "wellbeing value is taken from them");
        goto done;
    }
    const struct source *from = &sources[k];
    const struct scores *s = &r.of[k];
    double rate = 1, wellby;
    const char *rate_chain = NULL, *wellby_chain, *year;
    if (from->rate) {
        if ((err = ps_costs_value_of(costs, options, report, from->rate, &rate, &rate_chain,
                                     &year)))
            goto done;
        if (isnan(rate)) {
            err = ps_diagnose(cx, PS_ERROR_USAGE, scored_file, 0, 0,
                              "%s has %s scores and no ONS4 life satisfaction: a wellbeing "
                              "value from them needs an exchange rate to life satisfaction "
                              "declared in the costs file with its source (a row %s,RATE,...), "
                              "and is then a benefit transfer",
                              scored_file, from->name, from->rate);
            goto done;
        }
        if ((err = check_rate(cx, from, rate)))
            goto done;
    }
    if ((err = ps_costs_value_of(costs, options, report, "wellby", &wellby, &wellby_chain,
                                 &year)))
        goto done;
    if (isnan(wellby)) {
        err = ps_diagnose(cx, PS_ERROR_USAGE, NULL, 0, 0,
                          "the costs file has no 'wellby' row: a wellbeing value needs the "
                          "value of a WELLBY with its price year and source (e.g. "
                          "wellby,13000,WELLBY,2019,HM Treasury Green Book supplementary "
                          "guidance: wellbeing (2021),...)");
        goto done;
    }
    uint32_t base = ps_names_find(s->timepoints, baseline, strlen(baseline)), follow = 0;
    if (base == UINT32_MAX) {
        err = ps_diagnose(cx, PS_ERROR_USAGE, scored_file, 0, 0,
                          "no %s score at the baseline '%s'", from->name, baseline);
        goto done;
    }
    if ((err = find_followup(cx, scored_file, s, base, followup, &follow)))
        goto done;
    /* Each person's scores at the two timepoints: the first of each, a second refused. */
    size_t n_people = ps_names_count(s->people);
    size_t *at[2] = {malloc(n_people * sizeof(size_t)), malloc(n_people * sizeof(size_t))};
    change = malloc((n_people ? n_people : 1) * sizeof *change);
    if (!at[0] || !at[1] || !change) {
        free(at[0]);
        free(at[1]);
        err = PS_ERROR_NOMEM;
        goto done;
    }
    for (size_t p = 0; p < n_people; p++)
        at[0][p] = at[1][p] = SIZE_MAX;
    for (size_t i = 0; i < s->n && !err; i++) {
        const struct record *rec = &s->records[i];
        if (rec->timepoint != base && rec->timepoint != follow)
            continue;
        char reason[256];
        const char *outside = not_referred(cohort, ps_names_text(s->people, rec->person));
        size_t *first = &at[rec->timepoint == follow][rec->person];
        if (outside)
            snprintf(reason, sizeof reason, "%s", outside);
        else if (*first == SIZE_MAX) {
            *first = i;
            sum.rows_scored++;
            continue;
        } else
            snprintf(reason, sizeof reason,
                     "a second %s score of this participant at %s (the first, on line %lu, is "
                     "used)",
                     from->name, ps_names_text(s->timepoints, rec->timepoint),
                     s->records[*first].line);
        ps_reject_t reject = {scored_file, rec->line, 0,
                              ps_names_text(s->people, rec->person), "", "", reason};
        sum.rows_rejected++;
        if (handlers && handlers->reject && handlers->reject(&reject, handlers->user))
            err = PS_ERROR_ABORTED;
    }
    size_t n = 0;
    for (size_t p = 0; p < n_people; p++) {
        if (at[0][p] == SIZE_MAX || at[1][p] == SIZE_MAX)
            continue;
        const struct record *b = &s->records[at[0][p]], *f = &s->records[at[1][p]];
        if (b->ok && f->ok)
            change[n++] = (f->value - b->value) * rate;
    }
    free(at[0]);
    free(at[1]);
    if (err)
        goto done;

    /* The paired change, as R's t.test(followup, baseline, paired = TRUE). */
    double total = 0, mean = NAN, sd = NAN, half = NAN;
    for (size_t i = 0; i < n; i++)
        total += change[i];
    if (n)
        mean = total / (double)n;
    if (n > 1) {
        double squares = 0;
        for (size_t i = 0; i < n; i++)
            squares += (change[i] - mean) * (change[i] - mean);
        sd = sqrt(squares / (double)(n - 1));
        half = qt(0.975, (double)(n - 1), 1, 0) * sd / sqrt((double)n);
    }
    const struct ps_service_window_def *window = &cohort->windows[cohort->before + 1];
    const double years = window->days / 365.25;
    char name[256];
    snprintf(name, sizeof name, "%s->%s", cohort->windows[cohort->before].name, window->name);
    struct ps_su_emit e = {.report = report,
                           .disclosure = disclosure,
                           .unit = "wellbeing",
                           .comparison = report_comparison(report, name),
                           .withheld = "withheld under rounding: beside the mean change it "
                                       "would give the exact number of people"};
    if (!e.comparison) {
        err = PS_ERROR_NOMEM;
        goto done;
    }
    int *failed = &e.failed;
    const char *transfer =
        from->rate
            ? ps_su_keep(report, failed, "BENEFIT TRANSFER: %s change x %s", from->name, rate_chain)
            : NULL;
    /* The file by its name alone: its directories may name a person or a project. */
    const char *slash = strrchr(scored_file, '/');
    const char *scale =
        ps_su_keep(report, failed, "%s, %s -> %s, from %s%s%s", from->name,
                   ps_names_text(s->timepoints, base), ps_names_text(s->timepoints, follow),
                   slash ? slash + 1 : scored_file, transfer ? "; " : "", transfer ? transfer : "");
    const char *wellbys =
        ps_su_keep(report, failed,
                   "%ssum of the %zu changes x %.6g years (%s, %u days: the follow-up window "
                   "observed, not extrapolated)",
                   transfer ? "BENEFIT TRANSFER; " : "", n, years, window->name, window->days);
    const char *value_note =
        ps_su_keep(report, failed,
                   "%swellbeing value (not NHS cost avoidance; never added to it); not "
                   "attributable: no comparison group, so the change is a before-after change, "
                   "not an effect of the service",
                   transfer ? "BENEFIT TRANSFER; " : "");
    const char *none = n ? NULL
                         : "no one has scores at both timepoints (each scored ok)";
    const char *no_interval = none ? none : n < 2 ? "one person paired: no interval" : NULL;
    e.hidden = disclosure->suppress && n >= 1 && n <= disclosure->threshold;
    ps_su_emit(&e, PS_STAT_CO_WB_N_PAIRED, (double)n, NULL, scale);
    ps_su_emit(&e, PS_STAT_CO_WB_MEAN_CHANGE, mean, none, transfer);
    ps_su_emit(&e, PS_STAT_CO_WB_MEAN_CHANGE_CI_LOW, mean - half, no_interval, transfer);
    ps_su_emit(&e, PS_STAT_CO_WB_MEAN_CHANGE_CI_HIGH, mean + half, no_interval, transfer);
    ps_su_emit(&e, PS_STAT_CO_WB_WELLBYS, total * years, none, wellbys);
    ps_su_emit(&e, PS_STAT_CO_WB_VALUE_PER_WELLBY, wellby, NULL, wellby_chain);
    ps_su_emit(&e, PS_STAT_CO_WB_VALUE, total * years * wellby, none, value_note);
    ps_su_emit(&e, PS_STAT_CO_WB_VALUE_CI_LOW, (mean - half) * (double)n * years * wellby,
               no_interval, value_note);
    ps_su_emit(&e, PS_STAT_CO_WB_VALUE_CI_HIGH, (mean + half) * (double)n * years * wellby,
               no_interval, value_note);
    if (e.failed)
        err = PS_ERROR_NOMEM;
done:
    if (summary) {
        sum.rows_read = r.rows;
        *summary = sum;
    }
    free(change);
    release(&r);
    return err;
}
