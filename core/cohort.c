/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Collecting a cohort's scores: one value per participant, scale and timepoint. */
#include "config.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cohort.h"
#include "limits.h"

/*
 * A report names its comparisons "BASELINE->LABEL", and the comparison with
 * each person's last follow-up "BASELINE->end". A timepoint called "end" (in
 * any case), or holding "->", would make those names ambiguous: such a label
 * is refused, as the baseline or as any other timepoint. 'role' is "baseline"
 * or "timepoint"; returns 'error' with a diagnostic, or PS_OK.
 */
static ps_error_t check_label(const ps_context_t *context, ps_error_t error, const char *file,
                              unsigned long line, const char *role, const char *label,
                              const char *baseline)
{
    if (ps_strcaseeq(label, "end"))
        return ps_diagnose(context, error, file, line, 0,
                           "%s '%s' is refused: 'end', in any case, names the comparison with "
                           "each person's last follow-up (%s->end)",
                           role, label, baseline);
    if (strstr(label, "->"))
        return ps_diagnose(context, error, file, line, 0,
                           "%s '%s' is refused: '->' joins the baseline to the timepoint in a "
                           "comparison's name (%s->%s)",
                           role, label, baseline, role[0] == 'b' ? "LABEL" : label);
    return PS_OK;
}

void ps_cohort_options_init(ps_cohort_options_t *options, size_t size)
{
    ps_options_init(options, size);
}

ps_error_t ps_cohort_new(ps_context_t *context, const ps_cohort_options_t *given,
                         ps_cohort_t **out)
{
    *out = NULL;
    ps_cohort_options_t copy;
    ps_error_t copied = ps_options_copy(context, given,
                                        offsetof(ps_cohort_options_t, n_by) + sizeof copy.n_by,
                                        &copy, sizeof copy, "cohort");
    if (copied)
        return copied;
    const ps_cohort_options_t *options = &copy;
    const char *baseline = options->baseline ? options->baseline : "baseline";
    ps_error_t err = check_label(context, PS_ERROR_USAGE, NULL, 0, "baseline", baseline, baseline);
    for (size_t i = 0; !err && i < options->n_timepoints; i++)
        err = check_label(context, PS_ERROR_USAGE, NULL, 0, "timepoint", options->timepoints[i],
                          baseline);
    if (err)
        return err;
    ps_cohort_t *c = calloc(1, sizeof *c);
    if (!c)
        return PS_ERROR_NOMEM;
    c->context = context;
    /* BASELINE is baseline, as it is for the labels of answers. */
    c->timepoints = ps_names_new_folded();
    c->participants = ps_names_new();
    c->files = ps_names_new();
    c->last_file = UINT32_MAX;
    c->n_by = options->n_by;
    c->by = calloc(c->n_by + 1, sizeof *c->by);
    c->group_values = calloc(c->n_by + 1, sizeof *c->group_values);
    if (!c->timepoints || !c->participants || !c->files || !c->by || !c->group_values)
        goto nomem;
    if (ps_names_intern(c->timepoints, baseline, strlen(baseline)) == UINT32_MAX)
        goto nomem;
    for (size_t i = 0; i < options->n_timepoints; i++) {
        const char *t = options->timepoints[i];
        if (ps_names_find(c->timepoints, t, strlen(t)) != UINT32_MAX) {
            ps_cohort_free(c);
            return ps_diagnose(context, PS_ERROR_USAGE, NULL, 0, 0,
                               "timepoint '%s' is named twice, or is the baseline", t);
        }
        if (ps_names_intern(c->timepoints, t, strlen(t)) == UINT32_MAX)
            goto nomem;
    }
    c->fixed_order = options->n_timepoints > 0;
    for (size_t b = 0; b < options->n_by; b++)
        if (ps_strcaseeq(options->by[b], "participant_id")) {
            ps_cohort_free(c);
            return ps_diagnose(context, PS_ERROR_USAGE, NULL, 0, 0,
                               "column '%s' identifies people: it is never a report's group",
                               options->by[b]);
        }
    for (size_t b = 0; b < options->n_by; b++)
        if (ps_context_is_free_text(context, options->by[b])) {
            ps_cohort_free(c);
            return ps_diagnose(context, PS_ERROR_USAGE, NULL, 0, 0,
                               "column '%s' is free text (personal data): it is never a "
                               "report's group",
                               options->by[b]);
        }
    for (size_t b = 0; b < c->n_by; b++)
        if (!(c->by[b] = strdup(options->by[b])) || !(c->group_values[b] = ps_names_new()))
            goto nomem;
    *out = c;
    return PS_OK;
nomem:
    ps_cohort_free(c);
    return PS_ERROR_NOMEM;
}

void ps_cohort_free(ps_cohort_t *c)
{
    if (!c)
        return;
    for (size_t s = 0; s < c->n_scales; s++) {
        for (size_t t = 0; t < c->scales[s].n_columns; t++) {
            free(c->scales[s].columns[t].values);
            free(c->scales[s].columns[t].seen);
        }
        free(c->scales[s].columns);
    }
    free(c->scales);
    for (size_t b = 0; b < c->n_by; b++) {
        free(c->by[b]);
        ps_names_free(c->group_values[b]);
    }
    free(c->by);
    free(c->group_values);
    free(c->groups);
    free(c->groups_from_baseline);
    ps_names_free(c->participants);
    ps_names_free(c->timepoints);
    ps_names_free(c->files);
    free(c);
}

static struct ps_scale_scores *scores_of(ps_cohort_t *c, const struct ps_scale *scale)
{
    for (size_t s = 0; s < c->n_scales; s++)
        if (c->scales[s].scale == scale)
            return &c->scales[s];
    struct ps_scale_scores *grown = realloc(c->scales, (c->n_scales + 1) * sizeof *grown);
    if (!grown)
        return NULL;
    c->scales = grown;
    size_t instrument = 0;
    while (c->context->instruments[instrument] != scale->instrument)
        instrument++;
    c->scales[c->n_scales] = (struct ps_scale_scores){
        .scale = scale,
        .order = instrument * 1000 + (size_t)(scale - scale->instrument->scales),
    };
    return &c->scales[c->n_scales++];
}

/* Grows a column to hold participant 'p', filling with "absent". */
static int reach(struct ps_column *column, size_t p)
{
    if (p < column->size)
        return 0;
    size_t size = column->size ? column->size : 1024;
    while (size <= p)
        size *= 2;
    double *values = realloc(column->values, size * sizeof *values);
    if (values)
        column->values = values;
    uint8_t *seen = realloc(column->seen, size);
    if (seen)
        column->seen = seen;
    if (!values || !seen)
        return -1;
    for (size_t i = column->size; i < size; i++)
        values[i] = NAN;
    memset(seen + column->size, 0, size - column->size);
    column->size = size;
    return 0;
}

static int reach_participant(ps_cohort_t *c, size_t p)
{
    if (p < c->participants_size)
        return 0;
    size_t size = c->participants_size ? c->participants_size : 1024;
    while (size <= p)
        size *= 2;
    if (c->n_by) {
        uint32_t *groups = realloc(c->groups, size * c->n_by * sizeof *groups);
        if (!groups)
            return -1;
        c->groups = groups;
        for (size_t i = c->participants_size * c->n_by; i < size * c->n_by; i++)
            groups[i] = NO_GROUP;
    }
    uint8_t *from = realloc(c->groups_from_baseline, size);
    if (!from)
        return -1;
    memset(from + c->participants_size, 0, size - c->participants_size);
    c->groups_from_baseline = from;
    c->participants_size = size;
    return 0;
}

ps_error_t ps_cohort_add(ps_cohort_t *c, const ps_score_t *score)
{
    const char *tp_text = score->timepoint;
    uint32_t tp = ps_names_find(c->timepoints, tp_text, strlen(tp_text));
    if (tp == UINT32_MAX) {
        ps_error_t err = check_label(c->context, PS_ERROR_BATCH, score->file, score->line,
                                     "timepoint", tp_text, ps_names_text(c->timepoints, 0));
        if (err)
            return err;
        if (c->fixed_order)
            return ps_diagnose(c->context, PS_ERROR_USAGE, score->file, score->line, 0,
                               "timepoint '%s' is neither the baseline '%s' nor one of "
                               "--timepoints",
                               tp_text, ps_names_text(c->timepoints, 0));
        if (ps_names_count(c->timepoints) > PS_MAX_REPORT_TIMEPOINTS)
            return ps_diagnose(c->context, PS_ERROR_LIMIT, score->file, score->line, 0,
                               "timepoint '%s' is one more than a report takes: at most %u "
                               "timepoints besides the baseline '%s'",
                               tp_text, PS_MAX_REPORT_TIMEPOINTS,
                               ps_names_text(c->timepoints, 0));
        if ((tp = ps_names_intern(c->timepoints, tp_text, strlen(tp_text))) == UINT32_MAX)
            return PS_ERROR_NOMEM;
    }
    if (score->file && (c->last_file == UINT32_MAX ||
                        strcmp(ps_names_text(c->files, c->last_file), score->file) != 0) &&
        (c->last_file = ps_names_intern(c->files, score->file, strlen(score->file))) ==
            UINT32_MAX)
        return PS_ERROR_NOMEM;
    uint32_t p = ps_names_intern(c->participants, score->participant_id,
                                 strlen(score->participant_id));
    struct ps_scale_scores *scores = scores_of(c, score->scale);
    if (p == UINT32_MAX || !scores || reach_participant(c, p) != 0)
        return PS_ERROR_NOMEM;
    if (scores->n_columns <= tp) {
        struct ps_column *columns = realloc(scores->columns, (tp + 1) * sizeof *columns);
        if (!columns)
            return PS_ERROR_NOMEM;
        memset(columns + scores->n_columns, 0, (tp + 1 - scores->n_columns) * sizeof *columns);
        scores->columns = columns;
        scores->n_columns = tp + 1;
    }
    struct ps_column *column = &scores->columns[tp];
    if (reach(column, p) != 0)
        return PS_ERROR_NOMEM;
    if (column->seen[p])
        return ps_diagnose(c->context, PS_ERROR_BATCH, score->file, score->line, 0,
                           "a second %s %s score for participant '%s' at timepoint '%s'",
                           score->instrument->id, score->scale->id, score->participant_id,
                           tp_text);
    column->seen[p] = 1;
    /* Only scored ones pair: a flagged one (identical answers, ...) stays out. */
    if (score->has_value && score->outcome == PS_SCORED)
        column->values[p] = score->value;
    /* Groups come from the baseline when there is one, else from the first score. */
    int baseline = tp == 0;
    if (c->n_by && (baseline ? !c->groups_from_baseline[p] : c->groups[p * c->n_by] == NO_GROUP)) {
        for (size_t b = 0; b < c->n_by; b++) {
            const char *v = score->kept[b];
            uint32_t g = ps_names_intern(c->group_values[b], v, strlen(v));
            if (g == UINT32_MAX)
                return PS_ERROR_NOMEM;
            if (g >= PS_MAX_REPORT_GROUPS)
                return ps_diagnose(c->context, PS_ERROR_LIMIT, score->file, score->line, 0,
                                   "'%s' has more than %u values to group by: a report groups "
                                   "by a column with few values (a site, a service), never by "
                                   "one that names people",
                                   c->by[b], PS_MAX_REPORT_GROUPS);
            c->groups[p * c->n_by + b] = g;
        }
        c->groups_from_baseline[p] = (uint8_t)baseline;
    }
    return PS_OK;
}

/* Whether any score was given at timepoint 't'. */
static int has_scores_at(const ps_cohort_t *c, size_t t)
{
    for (size_t s = 0; s < c->n_scales; s++)
        if (t < c->scales[s].n_columns && c->scales[s].columns[t].size)
            return 1;
    return 0;
}

/*
 * Appends "A, B, C" to 'out': the names from 'first' on, only those with scores
 * when they are 'timepoints'; cut short with "..." when they do not fit.
 */
static void list_names(const ps_cohort_t *c, const ps_names_t *names, size_t first, int timepoints,
                       char *out, size_t size)
{
    size_t used = strlen(out), listed = 0;
    for (size_t i = first; i < ps_names_count(names); i++) {
        if (timepoints && !has_scores_at(c, i))
            continue;
        const char *name = ps_names_text(names, (uint32_t)i);
        if (used + strlen(name) + 8 >= size) {
            snprintf(out + used, size - used, "%s...", listed ? ", " : "");
            return;
        }
        used += (size_t)snprintf(out + used, size - used, "%s%s", listed++ ? ", " : "", name);
    }
}

ps_error_t ps_cohort_check(const ps_cohort_t *c)
{
    const char *baseline = ps_names_text(c->timepoints, 0);
    if (has_scores_at(c, 0)) {
        if (ps_names_count(c->timepoints) > 1)
            return PS_OK; /* with --timepoints, a report says who was lost to follow-up */
        char files[300] = "";
        list_names(c, c->files, 0, 0, files, sizeof files);
        return ps_diagnose(c->context, PS_ERROR_BATCH, NULL, 0, 0,
                           "no row has a timepoint after the baseline '%s' (in %s): a report "
                           "compares the baseline with later timepoints",
                           baseline, files);
    }
    int any = 0;
    for (size_t t = 1; t < ps_names_count(c->timepoints) && !any; t++)
        any = has_scores_at(c, t);
    if (!any)
        return ps_diagnose(c->context, PS_ERROR_BATCH, NULL, 0, 0,
                           "no row has the baseline timepoint '%s': no scores were read",
                           baseline);
    char found[600] = "", files[300] = "";
    list_names(c, c->timepoints, 1, 1, found, sizeof found);
    list_names(c, c->files, 0, 0, files, sizeof files);
    return ps_diagnose(c->context, PS_ERROR_BATCH, NULL, 0, 0,
                       "no row has the baseline timepoint '%s'; timepoints found: %s%s%s%s; "
                       "name the baseline with --baseline",
                       baseline, found, *files ? " (in " : "", files, *files ? ")" : "");
}
