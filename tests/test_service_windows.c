/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Service use over three windows: the window before the index date is in two
 * comparisons (pre24->pre12 as the second window, pre12->post12 as the
 * first), each over its own paired people. Someone paired in one and not the
 * other (who died at the index date, say) is the difference between the two
 * published totals of that window, in people and in events.
 *
 * The attacker holds the published report and takes the two paired sets as
 * nested, as they are when no one has the later comparison's windows without
 * the earlier's: then n_people of pre24->pre12 less n_people of
 * pre12->post12 is the people paired in the first only, and its events_after
 * less the other's events_before their events in pre12. Beside that, it knows
 * what the statistics' names say of each block (n_people = n_fell + n_stayed
 * + n_rose, no one's use falls from none or rises to none, each person with
 * some use has an event, those selected had the rule's least each), that the
 * same people are paired for two measures that every row counts, and that a
 * count hidden as small lies within 1..threshold. Linear programs solved
 * exactly by GLPK find the least and greatest those few can be: never both
 * within 1..threshold.
 */
#include "config.h"

#include <glpk.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include <promscore/service.h>

#include "helpers.h"

static struct capture capture;
static const ps_service_handlers_t handlers = {test_on_reject, &capture};
static const ps_disclosure_t no_control = {0, 0, 0};
static const ps_disclosure_t seven = {1, 7, 0};
static const ps_service_window_t three[] = {{"pre24", 365}, {"pre12", 365}, {"post12", 365}};

static const char *last_message(void)
{
    return capture.n_diagnostics ? capture.diagnostics[capture.n_diagnostics - 1].message : "";
}

/* The shipped definition, in a context of its own; the reports made of it point into it. */
static ps_context_t *context;
static ps_service_definition_t *definition;

static void setup(void)
{
    memset(&capture, 0, sizeof capture);
    cr_assert_eq(ps_context_new(&context), PS_OK);
    test_capture_diagnostics(context, &capture);
    char *path = test_shipped_measures();
    cr_assert_eq(ps_service_definition_read(context, path, &definition), PS_OK, "%s",
                 last_message());
    free(path);
}

static void teardown(void)
{
    ps_service_definition_free(definition);
    ps_context_free(context);
}

/* The report of tests/data/service/FILE over pre24, pre12 and post12, people selected by
 * 'selected'. */
static ps_service_report_t *report_of(const char *file, const char *selected,
                                      const ps_disclosure_t *rule)
{
    ps_service_options_t o;
    ps_service_options_init(&o, sizeof o);
    o.windows = three;
    o.n_windows = 3;
    o.selected = selected;
    ps_service_cohort_t *cohort;
    cr_assert_eq(ps_service_cohort_new(context, definition, &o, &cohort), PS_OK, "%s",
                 last_message());
    char *relative, *path;
    cr_assert_geq(asprintf(&relative, "service/%s", file), 0);
    path = test_data(relative);
    cr_assert_eq(ps_service_read(cohort, path, PS_SERVICE_REFERRED, &handlers, NULL), PS_OK,
                 "%s: %s", path, last_message());
    free(relative);
    free(path);
    ps_service_report_t *report;
    cr_assert_eq(ps_service_report(cohort, rule, &report), PS_OK, "%s", last_message());
    ps_service_cohort_free(cohort);
    return report;
}

static size_t index_of(const ps_service_report_t *r, const char *unit, const char *comparison,
                       const char *name)
{
    for (size_t i = 0; i < ps_service_report_count(r); i++) {
        const ps_statistic_t *s = ps_service_report_statistic(r, i);
        if (strcmp(s->unit, unit) == 0 && strcmp(s->group, "all") == 0 &&
            strcmp(s->comparison, comparison) == 0 && strcmp(s->name, name) == 0)
            return i;
    }
    cr_assert_fail("no %s %s %s", unit, comparison, name);
    return SIZE_MAX;
}

/* ---- The attacker. ---- */

/* lo <= sum of coefficients * terms <= hi (hi INFINITY for none); a term is a statistic of
 * the report, or (from LATENT_PEOPLE) one of the attacker's two unknowns. */
enum { LATENT_PEOPLE = 1 << 20, LATENT_EVENTS };

struct relation {
    size_t terms[4];
    double coefficients[4];
    size_t n;
    double lo, hi;
};

struct attack {
    const ps_service_report_t *truth, *published;
    struct relation relations[48];
    size_t n_relations;
    double latent[2];             /* the true values of the unknowns */
};

static void relation(struct attack *a, double lo, double hi, size_t n, const size_t *terms,
                     const double *coefficients)
{
    cr_assert_lt(a->n_relations, sizeof a->relations / sizeof a->relations[0]);
    struct relation *rel = &a->relations[a->n_relations++];
    *rel = (struct relation){.n = n, .lo = lo, .hi = hi};
    memcpy(rel->terms, terms, n * sizeof *terms);
    memcpy(rel->coefficients, coefficients, n * sizeof *coefficients);
}

#define RELATION(a, lo, hi, ...)                                                                  \
    relation(a, lo, hi, sizeof((size_t[]){__VA_ARGS__}) / sizeof(size_t), (size_t[]){__VA_ARGS__}, \
             coefficients)

static double truth(const struct attack *a, size_t term)
{
    return term >= LATENT_PEOPLE ? a->latent[term - LATENT_PEOPLE]
                                 : ps_service_report_statistic(a->truth, term)->value;
}

static int hidden(const struct attack *a, size_t term)
{
    return term >= LATENT_PEOPLE ||
           ps_service_report_statistic(a->published, term)->shown == PS_SUPPRESSED;
}

/* What the names say of one block, least the rule's least when it has n_outside_rule. */
static void block(struct attack *a, const char *unit, const char *comparison, double least)
{
    const ps_service_report_t *r = a->published;
    size_t n = index_of(r, unit, comparison, "n_people");
    size_t fell = index_of(r, unit, comparison, "n_fell");
    size_t stayed = index_of(r, unit, comparison, "n_stayed");
    size_t rose = index_of(r, unit, comparison, "n_rose");
    size_t none_before = index_of(r, unit, comparison, "n_none_before");
    size_t none_after = index_of(r, unit, comparison, "n_none_after");
    size_t before = index_of(r, unit, comparison, "events_before");
    size_t after = index_of(r, unit, comparison, "events_after");
    double *coefficients = (double[]){1, -1, -1, -1};
    RELATION(a, 0, 0, n, fell, stayed, rose);
    RELATION(a, 0, INFINITY, n, none_before, fell);
    RELATION(a, 0, INFINITY, n, none_after, rose);
    coefficients = (double[]){1, -1, 1};
    RELATION(a, 0, INFINITY, before, n, none_before);
    RELATION(a, 0, INFINITY, after, n, none_after);
    if (least > 0) {
        size_t outside = index_of(r, unit, comparison, "n_outside_rule");
        coefficients = (double[]){1, -least, least};
        RELATION(a, 0, INFINITY, before, n, outside);
        coefficients = (double[]){1, -1};
        RELATION(a, 0, INFINITY, n, outside);
    }
}

/* The least or greatest value of 'x' consistent with what the reader knows. */
static double extreme(const struct attack *a, size_t x, unsigned threshold, int direction)
{
    const size_t n = ps_service_report_count(a->published);
    int *column = calloc(n + 2, sizeof *column), columns = 0;
    cr_assert_not_null(column);
    glp_prob *lp = glp_create_prob();
    for (size_t i = 0; i < n + 2; i++) {
        size_t term = i < n ? i : LATENT_PEOPLE + (i - n);
        if (i < n && (!ps_service_report_statistic(a->published, i)->is_count || !hidden(a, i)))
            continue;
        column[i] = ++columns;
        glp_add_cols(lp, 1);
        /* The rule: a count hidden as small is 1..threshold (the reader is told which). */
        double v = truth(a, term);
        if (i < n && v >= 1 && v <= threshold)
            glp_set_col_bnds(lp, columns, GLP_DB, 1, threshold);
        else
            glp_set_col_bnds(lp, columns, GLP_LO, 0, 0);
    }
    for (size_t k = 0; k < a->n_relations; k++) {
        const struct relation *rel = &a->relations[k];
        int ind[5];
        double val[5], known = 0;
        int m = 0;
        for (size_t t = 0; t < rel->n; t++) {
            size_t term = rel->terms[t], i = term >= LATENT_PEOPLE ? n + term - LATENT_PEOPLE
                                                                   : term;
            if (column[i]) {
                ind[++m] = column[i];
                val[m] = rel->coefficients[t];
            } else {
                known += rel->coefficients[t] *
                         ps_service_report_statistic(a->published, term)->value;
            }
        }
        if (!m)
            continue;
        int row = glp_add_rows(lp, 1);
        glp_set_mat_row(lp, row, m, ind, val);
        if (isinf(rel->hi))
            glp_set_row_bnds(lp, row, GLP_LO, rel->lo - known, 0);
        else
            glp_set_row_bnds(lp, row, GLP_FX, rel->lo - known, rel->lo - known);
    }
    size_t i = x >= LATENT_PEOPLE ? n + x - LATENT_PEOPLE : x;
    glp_set_obj_coef(lp, column[i], 1);
    glp_set_obj_dir(lp, direction);
    glp_smcp parm;
    glp_init_smcp(&parm);
    parm.msg_lev = GLP_MSG_OFF;
    glp_simplex(lp, &parm);
    int err = glp_exact(lp, &parm), status = glp_get_status(lp);
    cr_assert(err == 0 && (status == GLP_OPT || status == GLP_UNBND), "glp_exact: %d, %d", err,
              status);
    double value = status == GLP_UNBND ? (direction == GLP_MAX ? INFINITY : -INFINITY)
                                       : glp_get_obj_val(lp);
    glp_delete_prob(lp);
    free(column);
    return value;
}

/*
 * Attacks measure 'unit' of the published report: the people paired in pre24->pre12 and not
 * in pre12->post12, and their events in pre12, must not be shown to be 1..threshold. Their
 * true numbers are 'people' and 'events'; 'least' is the selection rule's, for 'unit' (the
 * rule's measure) or 'other'. The attacker knows too that the same people are paired for
 * measure 'other', as each person's row has a count of both.
 */
static void attack(const ps_service_report_t *truth_report, const ps_service_report_t *published,
                   const char *unit, const char *other, double least, double people,
                   double events)
{
    struct attack a = {.truth = truth_report, .published = published, .latent = {people, events}};
    cr_assert_eq(ps_service_report_count(truth_report), ps_service_report_count(published));
    block(&a, unit, "pre24->pre12", 0);
    block(&a, unit, "pre12->post12", strcmp(unit, "ae_attendances") == 0 ? least : 0);
    block(&a, other, "pre24->pre12", 0);
    block(&a, other, "pre12->post12", strcmp(other, "ae_attendances") == 0 ? least : 0);
    static const char *const comparisons[] = {"pre24->pre12", "pre12->post12"};
    for (size_t k = 0; k < 2; k++) {
        double *coefficients = (double[]){1, -1};
        RELATION(&a, 0, 0, index_of(published, unit, comparisons[k], "n_people"),
                 index_of(published, other, comparisons[k], "n_people"));
    }
    size_t n1 = index_of(published, unit, "pre24->pre12", "n_people");
    size_t n2 = index_of(published, unit, "pre12->post12", "n_people");
    size_t e1 = index_of(published, unit, "pre24->pre12", "events_after");
    size_t e2 = index_of(published, unit, "pre12->post12", "events_before");
    double *coefficients = (double[]){1, -1, -1};
    RELATION(&a, 0, 0, n1, n2, LATENT_PEOPLE);
    RELATION(&a, 0, 0, e1, e2, LATENT_EVENTS);
    /* The relations hold in the truth, and what is published is true. */
    for (size_t k = 0; k < a.n_relations; k++) {
        double sum = 0;
        for (size_t t = 0; t < a.relations[k].n; t++) {
            size_t term = a.relations[k].terms[t];
            sum += a.relations[k].coefficients[t] * truth(&a, term);
            if (!hidden(&a, term))
                cr_assert_eq(ps_service_report_statistic(published, term)->value,
                             truth(&a, term));
        }
        cr_assert(sum >= a.relations[k].lo && sum <= a.relations[k].hi, "relation %zu: %g", k,
                  sum);
    }
    static const char *const what[] = {"people", "events in pre12"};
    for (size_t x = 0; x < 2; x++) {
        double low = extreme(&a, LATENT_PEOPLE + x, 7, GLP_MIN);
        double high = extreme(&a, LATENT_PEOPLE + x, 7, GLP_MAX);
        cr_assert(low <= a.latent[x] && a.latent[x] <= high);
        cr_assert(low < 1 || high > 7,
                  "%s: the %s paired in pre24->pre12 only are shown to be %g to %g (truly %g)",
                  unit, what[x], low, high, a.latent[x]);
    }
}

/* P12 died at the index date (0 days in post12): paired in pre24->pre12, with 9 attendances
 * and 3 calls in pre12, and not in pre12->post12. Every other person is in both. */
Test(service_windows_attack, one_who_died_is_not_the_difference_of_two_totals, .init = setup,
     .fini = teardown)
{
    ps_service_report_t *t = report_of("windows-died.csv", "ae_attendances >= 6 in pre12",
                                       &no_control);
    /* The situation: 12 and 11 paired, 47 and 44 calls in pre12. */
    cr_assert_eq(ps_service_report_statistic(t, index_of(t, "calls_999", "pre24->pre12",
                                                         "n_people"))->value, 12);
    cr_assert_eq(ps_service_report_statistic(t, index_of(t, "calls_999", "pre12->post12",
                                                         "n_people"))->value, 11);
    cr_assert_eq(ps_service_report_statistic(t, index_of(t, "calls_999", "pre24->pre12",
                                                         "events_after"))->value, 47);
    cr_assert_eq(ps_service_report_statistic(t, index_of(t, "calls_999", "pre12->post12",
                                                         "events_before"))->value, 44);
    ps_service_report_t *p = report_of("windows-died.csv", "ae_attendances >= 6 in pre12",
                                       &seven);
    attack(t, p, "ae_attendances", "calls_999", 6, 1, 9);
    attack(t, p, "calls_999", "ae_attendances", 6, 1, 3);
    ps_service_report_free(t);
    ps_service_report_free(p);
}

/* Whether the report lists lo <= statistic a - statistic b <= hi. */
static int lists(const ps_service_report_t *r, size_t a, size_t b, double lo, double hi)
{
    int found = 0;
    for (size_t k = 0; k < ps_service_report_relation_count(r); k++) {
        ps_relation_t rel;
        cr_assert(ps_service_report_relation(r, k, &rel));
        found += rel.n == 2 && rel.statistics[0] == a && rel.statistics[1] == b &&
                 rel.coefficients[0] == 1 && rel.coefficients[1] == -1 && rel.lo == lo &&
                 rel.hi == hi;
    }
    return found;
}

/* The relations between the two comparisons' totals of pre12 are listed with the others: as
 * equal when everyone is in both, and the first at least the second when someone is in the
 * first only (what they have is never listed). */
Test(service_windows, the_shared_window_in_the_relations, .init = setup, .fini = teardown)
{
    const char *rule = "ae_attendances >= 6 in pre12";
    ps_service_report_t *died = report_of("windows-died.csv", rule, &no_control);
    ps_service_report_t *all = report_of("windows-all.csv", rule, &no_control);
    for (const char *const *unit = (const char *const[]){"ae_attendances", "calls_999", NULL};
         *unit; unit++) {
        static const char *const names[][2] = {{"n_people", "n_people"},
                                               {"events_after", "events_before"}};
        for (size_t k = 0; k < 2; k++) {
            size_t a = index_of(died, *unit, "pre24->pre12", names[k][0]);
            size_t b = index_of(died, *unit, "pre12->post12", names[k][1]);
            cr_assert_eq(lists(died, a, b, 0, INFINITY), 1, "%s %s", *unit, names[k][0]);
            cr_assert_eq(lists(died, a, b, 0, 0), 0);
            a = index_of(all, *unit, "pre24->pre12", names[k][0]);
            b = index_of(all, *unit, "pre12->post12", names[k][1]);
            cr_assert_eq(lists(all, a, b, 0, 0), 1, "%s %s", *unit, names[k][0]);
            cr_assert_eq(ps_service_report_statistic(all, a)->value,
                         ps_service_report_statistic(all, b)->value);
        }
    }
    ps_service_report_free(died);
    ps_service_report_free(all);
}
