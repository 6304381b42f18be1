/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * promscore service's text report (service_text.h): a section per measure,
 * comparison of windows and cohort or group, then the costs, each figure
 * formatted as the catalogue formats it and money in pounds.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reportformat.h"
#include "service_text.h"

/* The report's lines are at most this many columns. */
enum { WIDTH = 90 };

/* 'text' in lines of at most WIDTH columns, each after 'indent'. */
static void write_wrapped(output_t *o, const char *text, const char *indent)
{
    while (*text) {
        size_t room = WIDTH - strlen(indent), n = strlen(text);
        if (n > room) {
            n = room;
            while (n > 0 && text[n] != ' ')
                n--;
            if (n == 0)
                n = strcspn(text, " ");
        }
        output_printf(o, "%s%.*s\n", indent, (int)n, text);
        text += n;
        text += strspn(text, " ");
    }
}

/* One line, wrapped, or ENOMEM on the output. */
static void write_line(output_t *o, const char *indent, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

static void write_line(output_t *o, const char *indent, const char *format, ...)
{
    char *line = NULL;
    va_list ap;
    va_start(ap, format);
    int n = vasprintf(&line, format, ap);
    va_end(ap);
    if (n < 0) {
        o->error = ENOMEM;
        return;
    }
    write_wrapped(o, line, indent);
    free(line);
}

/* ---- One section per measure, comparison and cohort or group. ---- */

struct section {
    const ps_service_report_t *report;
    size_t start, end;
};

static const ps_statistic_t *find(const struct section *s, ps_statistic_id_t id)
{
    for (size_t i = s->start; i < s->end; i++) {
        const ps_statistic_t *st = ps_service_report_statistic(s->report, i);
        if (st->id == id)
            return st;
    }
    return NULL;
}

/*
 * The section of statistics from 'start' (before 'end') that follow one another with the same
 * measure (or cost line) and comparison of windows, and the same cohort or group when
 * 'by_group'. The report's strings are its own, so equal ones are the same pointer.
 */
static struct section section_at(const ps_service_report_t *report, size_t start, size_t end,
                                 int by_group)
{
    const ps_statistic_t *first = ps_service_report_statistic(report, start);
    struct section s = {report, start, start + 1};
    while (s.end < end) {
        const ps_statistic_t *next = ps_service_report_statistic(report, s.end);
        if (next->unit != first->unit || next->comparison != first->comparison ||
            (by_group && next->group != first->group))
            break;
        s.end++;
    }
    return s;
}

#define F(id) format_figure(find(s, PS_STAT_SU_##id)).s

/* The comparison's two windows: "pre12" and "post12" of "pre12->post12". */
static void windows_of(const char *comparison, char *first, char *second, size_t size)
{
    const char *arrow = strstr(comparison, "->");
    snprintf(first, size, "%.*s", arrow ? (int)(arrow - comparison) : 0, comparison);
    snprintf(second, size, "%s", arrow ? arrow + 2 : comparison);
}

static void write_section(output_t *o, const struct section *s, const char *unit, int interval)
{
    const ps_statistic_t *first = ps_service_report_statistic(s->report, s->start);
    char w0[128], w1[128];
    windows_of(first->comparison, w0, w1, sizeof w0);
    /* "all", "comparison", "site=A" or "comparison site=A". */
    const char *group = first->group, *cohort = "the people referred";
    if (strncmp(group, "comparison", 10) == 0) {
        cohort = "the comparison cohort";
        group += 10 + (group[10] == ' ');
    }
    output_printf(o, "\n  %s, %s%s%s\n", first->comparison, cohort,
                  *group && strcmp(group, "all") ? ", " : "", strcmp(group, "all") ? group : "");
    output_printf(
        o, "    people: %s with counts in both windows; %s with a count in %s and none in %s\n",
        F(N_PEOPLE), F(N_UNPAIRED), w0, w1);
    output_printf(o,
                  "    %s: %s in %s (%s per person-year over %s person-years); %s in %s (%s per "
                  "person-year over %s person-years)\n",
                  unit, F(EVENTS_BEFORE), w0, F(RATE_BEFORE), F(PERSON_YEARS_BEFORE),
                  F(EVENTS_AFTER), w1, F(RATE_AFTER), F(PERSON_YEARS_AFTER));
    output_printf(
        o,
        "    change in the total: %s; rate ratio %s/%s: %s (95%% CI %s to %s; within-person, "
        "%s)\n",
        F(EVENTS_CHANGE), w1, w0, F(RATE_RATIO), F(RATE_RATIO_CI_LOW), F(RATE_RATIO_CI_HIGH),
        interval == PS_SERVICE_QUASI_POISSON ? "quasi-Poisson" : "cluster-robust");
    if (find(s, PS_STAT_SU_NET_RATE_RATIO))
        output_printf(
            o,
            "    net of the comparison cohort (its rate ratio divided out): %s (95%% CI %s "
            "to %s)\n",
            F(NET_RATE_RATIO), F(NET_RATE_RATIO_CI_LOW), F(NET_RATE_RATIO_CI_HIGH));
    output_printf(
        o,
        "    each person's rate: fell for %s (%s), stayed for %s, rose for %s; none in %s: "
        "%s; none in %s: %s (%s)\n",
        F(N_FELL), F(SHARE_FELL), F(N_STAYED), F(N_ROSE), w0, F(N_NONE_BEFORE), w1, F(N_NONE_AFTER),
        F(SHARE_NONE_AFTER));
    if (find(s, PS_STAT_SU_N_OUTSIDE_RULE))
        output_printf(o, "    not meeting the selection rule in %s: %s\n", w0, F(N_OUTSIDE_RULE));
    if (find(s, PS_STAT_SU_EB_INDEX))
        output_printf(
            o,
            "    empirical Bayes (population mean %s, shape %s): %s expected in %s without "
            "intervention, %s observed; index %s (95%% CI %s to %s)\n",
            F(EB_POPULATION_MEAN), F(EB_POPULATION_SHAPE), F(EB_EXPECTED_AFTER), w1,
            F(EVENTS_AFTER), F(EB_INDEX), F(EB_INDEX_CI_LOW), F(EB_INDEX_CI_HIGH));
    for (size_t i = s->start; i < s->end; i++) {
        const ps_statistic_t *st = ps_service_report_statistic(s->report, i);
        if (st->shown == PS_NOT_COMPUTABLE)
            output_printf(o, "    n/a %s: %s\n", st->name, st->reason);
        else if (st->note && st->shown == PS_SHOWN && st->id != PS_STAT_SU_SELECTED_AT_LEAST &&
                 st->id != PS_STAT_SU_RATE_RATIO)
            output_printf(o, "    note %s: %s\n", st->name, st->note);
    }
}

/* ---- Costs: notional cost avoidance and return on investment. ---- */

static int is_cost(const ps_statistic_t *st)
{
    return st->id >= PS_STAT_CO_UNIT_COST;
}

struct money {
    char s[48];
};

/* "£12,345" (or with pence when asked), "*" when suppressed, "n/a" when not computable. */
static struct money format_money(const ps_statistic_t *st, int pence)
{
    struct money m = {"-"};
    if (!st)
        return m;
    if (st->shown != PS_SHOWN || !isfinite(st->value)) {
        snprintf(m.s, sizeof m.s, "%s", st->shown == PS_SUPPRESSED ? "*" : "n/a");
        return m;
    }
    char digits[40];
    double v = fabs(st->value);
    snprintf(digits, sizeof digits, "%.0f", pence ? floor(v) : round(v));
    size_t n = strlen(digits), at = 0;
    char *to = m.s;
    if (st->value < 0 && (pence || round(v) > 0))
        *to++ = '-';
    to += sprintf(to, "\u00a3");
    for (size_t k = 0; k < n; k++) {
        if (k && (n - k) % 3 == 0)
            to[at++] = ',';
        to[at++] = digits[k];
    }
    to[at] = '\0';
    if (pence)
        snprintf(to + at, sizeof m.s - (size_t)(to + at - m.s), ".%02.0f",
                 fmin(99, round((v - floor(v)) * 100)));
    return m;
}

/* What a section's gross fall is said to be on its line: nothing when a counterfactual is
 * beside it (its note says when not), else not attributable, and naive when it is. */
static const char *gross_label(const struct section *sec)
{
    const ps_statistic_t *gross = find(sec, PS_STAT_CO_GROSS_COST_FALL);
    if (!gross || !gross->note)
        return "";
    return strncmp(gross->note, "NAIVE", 5) == 0 ? " (NAIVE, not attributable)"
                                                : " (not attributable)";
}

#define M(id) format_money(find(s, PS_STAT_CO_##id), 0).s
#define C(id) format_figure(find(s, PS_STAT_CO_##id)).s

/* Whether a figure is written on a line of its own (completers only, wellbeing), not in the
 * section's list of figures not computable. */
static int on_own_line(const ps_statistic_t *st)
{
    return st->id >= PS_STAT_CO_COMPLETERS_COST_BEFORE;
}

/* The completers' figures of a section, labelled, after everyone's. */
static void write_completers(output_t *o, const struct section *s)
{
    const ps_statistic_t *before = find(s, PS_STAT_CO_COMPLETERS_COST_BEFORE);
    if (!before)
        return;
    const ps_statistic_t *avoidance = find(s, PS_STAT_CO_COMPLETERS_NOTIONAL_COST_AVOIDANCE);
    const char *label = before->note ? before->note : avoidance->note;
    char rate_ratio[80] = "";
    if (find(s, PS_STAT_CO_COMPLETERS_RATE_RATIO))
        snprintf(rate_ratio, sizeof rate_ratio, "; rate ratio %s", C(COMPLETERS_RATE_RATIO));
    const ps_statistic_t *gross = find(s, PS_STAT_CO_COMPLETERS_GROSS_COST_FALL);
    const int attributable = !gross || !gross->note || !strstr(gross->note, "not attributable");
    write_line(o, "      ",
               "%s: cost before %s, after %s; gross fall %s%s; expected after without the "
               "service %s; notional cost avoidance %s%s",
               label ? label : "completers only: not intention to treat", M(COMPLETERS_COST_BEFORE),
               M(COMPLETERS_COST_AFTER), M(COMPLETERS_GROSS_COST_FALL),
               attributable ? "" : " (not attributable)", M(COMPLETERS_COST_EXPECTED_AFTER),
               M(COMPLETERS_NOTIONAL_COST_AVOIDANCE), rate_ratio);
    if (before->shown == PS_NOT_COMPUTABLE)
        write_line(o, "      ", "n/a completers: %s", before->reason);
}

/* The wellbeing value: on its own, never beside the costs' totals. */
static void write_wellbeing(output_t *o, const struct section *s)
{
    const ps_statistic_t *n = find(s, PS_STAT_CO_WB_N_PAIRED);
    const ps_statistic_t *value = find(s, PS_STAT_CO_WB_VALUE);
    const ps_statistic_t *per = find(s, PS_STAT_CO_WB_VALUE_PER_WELLBY);
    const ps_statistic_t *wellbys = find(s, PS_STAT_CO_WB_WELLBYS);
    const ps_statistic_t *mean = find(s, PS_STAT_CO_WB_MEAN_CHANGE);
    const int transfer = mean->note && strncmp(mean->note, "BENEFIT TRANSFER", 16) == 0;
    output_printf(o, "\n  %s: wellbeing value%s (not NHS cost avoidance; never added to it)\n",
                  n->comparison, transfer ? ", a BENEFIT TRANSFER from (S)WEMWBS" : "");
    write_line(o, "    ", "people paired %s: %s", C(WB_N_PAIRED),
               n->note ? n->note : "life satisfaction");
    write_line(o, "    ",
               "mean change %s points of life satisfaction (95%% CI %s to %s; paired t); %s "
               "WELLBYs%s%s",
               C(WB_MEAN_CHANGE), C(WB_MEAN_CHANGE_CI_LOW), C(WB_MEAN_CHANGE_CI_HIGH),
               C(WB_WELLBYS), wellbys->note ? ": " : "", wellbys->note ? wellbys->note : "");
    write_line(o, "    ", "at %s a WELLBY (%s): wellbeing value %s (95%% CI %s to %s)",
               format_money(per, 1).s, per->note ? per->note : "", M(WB_VALUE), M(WB_VALUE_CI_LOW),
               M(WB_VALUE_CI_HIGH));
    if (value->note && value->shown == PS_SHOWN)
        write_wrapped(o, value->note, "    ");
    for (size_t k = s->start; k < s->end; k++) {
        const ps_statistic_t *f = ps_service_report_statistic(s->report, k);
        if (f->shown == PS_NOT_COMPUTABLE)
            write_line(o, "    ", "n/a %s: %s", f->name, f->reason);
        else if (f->shown == PS_SUPPRESSED && f->note)
            write_line(o, "    ", "* %s: %s", f->name, f->note);
    }
}

/*
 * The costs section, from statistic 'from' on: what the money means and its counterfactual, the
 * measures not costed, then per comparison of windows each costed measure and their total, with
 * the return on investment and the completers' figures, and the wellbeing value on its own.
 */
static void write_costs(output_t *o, const ps_service_report_t *report, size_t from,
                        const service_setting_t *set)
{
    const size_t n = ps_service_report_count(report);
    if (from >= n) {
        if (set->unit_costs)
            output_printf(o,
                          "\n== Costs: no measure with a unit cost in %s was counted in a window "
                          "after %s\n",
                          set->unit_costs, set->before);
        return;
    }
    output_puts(o, "\n== Costs: notional cost avoidance (not savings)\n");
    write_wrapped(o,
                  "Money at average unit costs, from the unit costs file: a fall in use priced "
                  "this way is cost avoided on paper, not money that can be released (average "
                  "costs overstate what fewer attendances free). Everyone referred with time "
                  "observed in both windows counts (intention to treat: no one is left out "
                  "for not completing the programme); nothing is extrapolated beyond the time "
                  "observed but in a scenario labelled so.",
                  "   ");
    if (set->has_comparison)
        write_wrapped(o,
                      "The counterfactual: the people's rate of use before (events over "
                      "person-years), on the time they were observed after, times the "
                      "comparison cohort's rate ratio.",
                      "   ");
    else if (set->has_population)
        write_wrapped(o,
                      set->no_counterfactual
                          ? "The counterfactual: for the selection rule's measure, each "
                            "person's count expected without intervention by empirical Bayes "
                            "(Hauer); other measures have none and are NAIVE, against no "
                            "change (--no-counterfactual), stamped so."
                          : "The counterfactual: for the selection rule's measure, each "
                            "person's count expected without intervention by empirical Bayes "
                            "(Hauer); other measures have none: their gross fall is shown but "
                            "cannot be attributed, and they are left out of cost avoidance.",
                      "   ");
    else
        write_wrapped(o,
                      set->no_counterfactual
                          ? "NAIVE: no comparison cohort was given and --no-counterfactual "
                            "asked for figures against no change: they count the fall that "
                            "regression to the mean brings, and are stamped naive."
                          : "No comparison cohort was given: the gross fall in cost is shown "
                            "but cannot be attributed to the service, and no cost avoidance "
                            "or return on investment is given.",
                      "   ");
    /* Measures counted but not priced: the totals leave them out. */
    const char *listed = NULL;
    for (size_t i = 0; i < from; i++) {
        const char *unit = ps_service_report_statistic(report, i)->unit;
        if (listed && strcmp(unit, listed) == 0)
            continue;
        int costed = 0;
        for (size_t k = from; k < n && !costed; k++)
            costed = strcmp(ps_service_report_statistic(report, k)->unit, unit) == 0;
        if (!costed) {
            output_printf(o, "%s%s", listed ? ", " : "   Not costed (no unit cost given): ", unit);
            listed = unit;
        }
    }
    if (listed)
        output_puts(o, "\n");
    const char *comparison = NULL;
    for (size_t i = from; i < n;) {
        const ps_statistic_t *st = ps_service_report_statistic(report, i);
        const struct section sec = section_at(report, i, n, 0), *s = &sec;
        i = sec.end;
        if (strcmp(st->unit, "wellbeing") == 0) {
            write_wellbeing(o, s);
            continue;
        }
        if (st->comparison != comparison) {
            comparison = st->comparison;
            output_printf(o, "\n  %s, the people referred\n", comparison);
        }
        const int total = strcmp(st->unit, "total") == 0;
        const ps_statistic_t *expected = find(s, PS_STAT_CO_COST_EXPECTED_AFTER);
        const char *naive =
            expected && expected->note && strncmp(expected->note, "NAIVE", 5) == 0 ? "NAIVE " : "";
        if (!total) {
            const ps_statistic_t *unit_cost = find(s, PS_STAT_CO_UNIT_COST);
            output_printf(o, "    %s: unit cost %s\n", st->unit, format_money(unit_cost, 1).s);
            if (unit_cost && unit_cost->note)
                write_wrapped(o, unit_cost->note, "      ");
        } else {
            output_printf(o, "    total of the measures costed:\n");
        }
        output_printf(
            o, "      cost before %s, after %s; gross fall over the time observed after %s%s\n",
            M(COST_BEFORE), M(COST_AFTER), M(GROSS_COST_FALL), gross_label(s));
        output_printf(
            o, "      %sexpected after without the service %s; %snotional cost avoidance %s\n",
            naive, M(COST_EXPECTED_AFTER), naive, M(NOTIONAL_COST_AVOIDANCE));
        if (find(s, PS_STAT_CO_PROGRAMME_COST)) {
            const ps_statistic_t *roi = find(s, PS_STAT_CO_ROI);
            const ps_statistic_t *low = find(s, PS_STAT_CO_ROI_CI_LOW);
            write_line(o, "      ",
                       "%sreturn on investment against %s (%s): %s of notional cost avoidance "
                       "per \u00a31 (95%% CI %s to %s); P(ROI > 1) = %s; break-even net rate "
                       "ratio %s",
                       naive, M(PROGRAMME_COST), find(s, PS_STAT_CO_PROGRAMME_COST)->note,
                       format_money(roi, 1).s, format_money(low, 1).s,
                       format_money(find(s, PS_STAT_CO_ROI_CI_HIGH), 1).s, C(P_ROI_ABOVE_1),
                       C(BREAK_EVEN_RATE_RATIO));
            const ps_statistic_t *scenario = find(s, PS_STAT_CO_SCENARIO_COST_AVOIDANCE);
            if (scenario && scenario->shown == PS_SHOWN)
                write_line(o, "      ", "%s: notional cost avoidance %s, %s per \u00a31",
                           scenario->note, format_money(scenario, 0).s,
                           format_money(find(s, PS_STAT_CO_SCENARIO_ROI), 1).s);
            if (low && low->shown == PS_SHOWN && low->note)
                write_line(o, "      ", "bootstrap: %s", low->note);
        }
        write_completers(o, s);
        for (size_t k = s->start; k < s->end; k++) {
            const ps_statistic_t *f = ps_service_report_statistic(report, k);
            if (f->shown == PS_NOT_COMPUTABLE && !on_own_line(f) &&
                f->id != PS_STAT_CO_ROI_CI_LOW && f->id != PS_STAT_CO_ROI_CI_HIGH &&
                f->id != PS_STAT_CO_P_ROI_ABOVE_1)
                write_line(o, "      ", "n/a %s: %s", f->name, f->reason);
        }
    }
}

#undef M
#undef C

void service_write_text(output_t *o, const ps_service_report_t *report,
                        const service_setting_t *set)
{
    const ps_service_definition_t *d = set->definition;
    if (set->warning)
        output_printf(o, "%s\n\n", set->warning);
    output_printf(o, "promscore %s service use before and after\n\nDisclosure control: %s\n",
                  PS_VERSION, ps_service_report_disclosure_rule(report));
    output_puts(o, "* suppressed; n/a not computable (reason below the section). Fewer is "
                   "better.\n");
    output_printf(o, "Measures: %s version %s (%s)\nWindows:", ps_service_definition_id(d),
                  ps_service_definition_version(d), ps_service_definition_file(d));
    for (size_t w = 0; w < set->n_windows; w++)
        output_printf(o, "%s %s (%u days)", w ? "," : "", set->windows[w].name,
                      set->windows[w].days);
    output_printf(o, "; compared with %s\n\nRegression to the mean:\n", set->before);
    write_wrapped(o, set->regression, "  ");
    /* The costs follow the statistics of use. */
    size_t costs = 0;
    while (costs < ps_service_report_count(report) &&
           !is_cost(ps_service_report_statistic(report, costs)))
        costs++;
    const char *unit = NULL;
    for (size_t i = 0; i < costs;) {
        const ps_statistic_t *st = ps_service_report_statistic(report, i);
        size_t m = ps_service_measure_find(d, st->unit);
        const char *label = "", *what = st->unit;
        ps_service_measure(d, m, NULL, &label, &what, NULL, NULL);
        if (st->unit != unit) {
            unit = st->unit;
            output_printf(o, "\n== %s: %s (%s)\n", st->unit, label, what);
            if (set->selected)
                output_printf(o, "   Selected: %s\n", set->selected);
            else
                output_puts(o, "   Selection rule: not given (--selected)\n");
        }
        const struct section s = section_at(report, i, costs, 1);
        write_section(o, &s, what, set->interval);
        i = s.end;
    }
    write_costs(o, report, costs, set);
    output_puts(o, "\nCaveats: people with a count before and none after (died, moved away, not "
                   "yet followed\nup) are not compared: their use after is unknown, not zero. "
                   "Rates count only the time\neach person was observed. A fall in use is not "
                   "a saving of money.\n");
}
