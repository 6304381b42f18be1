/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Service use by site or practice (ps_service_options_t.by): a participant in
 * one group, the groups' blocks beside the whole's, the net rate ratio per
 * group, and disclosure control attacked from outside.
 *
 * The attacker holds the published report and knows, from the statistics'
 * names alone, how its counts add up: each count of a whole cohort is the sum
 * of the same count over the groups of one column; within a block, n_people =
 * n_fell + n_stayed + n_rose, no one's use falls from none or rises to none,
 * and each person with some use has one event or more. A count hidden as
 * small lies within 1..threshold (the rule says so); any other hidden count is
 * 0 or more. With these, linear programs solved exactly by GLPK find how small
 * and how large each hidden count can be: none may be worked out, and the
 * whole less the groups shown must not leave 1..threshold people or events.
 * It uses neither the report's own relations nor any private code.
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

static ps_context_t *context_only(void)
{
    ps_context_t *context;
    memset(&capture, 0, sizeof capture);
    cr_assert_eq(ps_context_new(&context), PS_OK);
    test_capture_diagnostics(context, &capture);
    return context;
}

static const char *last_message(void)
{
    return capture.n_diagnostics ? capture.diagnostics[capture.n_diagnostics - 1].message : "";
}

static ps_service_definition_t *shipped(ps_context_t *context)
{
    char *path = test_shipped_measures();
    ps_service_definition_t *d = NULL;
    cr_assert_eq(ps_service_definition_read(context, path, &d), PS_OK, "%s", last_message());
    free(path);
    return d;
}

static const ps_service_window_t year[] = {{"pre12", 365}, {"post12", 365}};
static const ps_service_handlers_t handlers = {test_on_reject, &capture};

static ps_error_t new_cohort(ps_context_t *context, const ps_service_definition_t *d,
                             const char *const *by, size_t n_by, ps_service_cohort_t **cohort)
{
    ps_service_options_t o;
    ps_service_options_init(&o, sizeof o);
    o.windows = year;
    o.n_windows = 2;
    o.by = by;
    o.n_by = n_by;
    return ps_service_cohort_new(context, d, &o, cohort);
}

static const char *const by_site[] = {"site"};

/* A report by site of files under tests/data/service (comparison may be NULL). */
static ps_service_report_t *report_of(ps_context_t *context, const ps_service_definition_t *d,
                                      const char *referred, const char *comparison,
                                      const ps_disclosure_t *rule)
{
    ps_service_cohort_t *cohort;
    cr_assert_eq(new_cohort(context, d, by_site, 1, &cohort), PS_OK, "%s", last_message());
    const char *files[2] = {referred, comparison};
    for (int arm = 0; arm < 2; arm++) {
        if (!files[arm])
            continue;
        char *relative, *path;
        cr_assert_geq(asprintf(&relative, "service/%s", files[arm]), 0);
        path = test_data(relative);
        cr_assert_eq(ps_service_read(cohort, path, (ps_service_arm_t)arm, &handlers, NULL), PS_OK,
                     "%s: %s", path, last_message());
        free(relative);
        free(path);
    }
    ps_service_report_t *report;
    cr_assert_eq(ps_service_report(cohort, rule, &report), PS_OK, "%s", last_message());
    ps_service_cohort_free(cohort);
    return report;
}

static size_t index_of(const ps_service_report_t *r, const char *group, const char *name)
{
    for (size_t i = 0; i < ps_service_report_count(r); i++) {
        const ps_statistic_t *s = ps_service_report_statistic(r, i);
        if (strcmp(s->group, group) == 0 && strcmp(s->name, name) == 0)
            return i;
    }
    return SIZE_MAX;
}

static const ps_statistic_t *figure(const ps_service_report_t *r, const char *group,
                                    const char *name)
{
    size_t i = index_of(r, group, name);
    cr_assert_neq(i, SIZE_MAX, "no %s in %s", name, group);
    return ps_service_report_statistic(r, i);
}

static const ps_disclosure_t no_control = {0, 0, 0};
static const ps_disclosure_t seven = {1, 7, 0};

/* ---- Reading: one group per participant. ---- */

Test(service_groups, a_participant_is_in_one_group)
{
    ps_context_t *context = context_only();
    ps_service_definition_t *d = shipped(context);
    ps_service_cohort_t *cohort;
    cr_assert_eq(new_cohort(context, d, by_site, 1, &cohort), PS_OK);
    char *path = test_file("counts.csv", "participant_id,window,Site,ae_attendances\n"
                                         "P1,pre12,North,7\nP1,post12,South,2\n"
                                         "P2,pre12,,9\nP2,post12,,4\n"
                                         "P3,pre12,North,6\nP3,post12,North,3\n",
                           -1);
    ps_batch_summary_t s;
    cr_assert_eq(ps_service_read(cohort, path, PS_SERVICE_REFERRED, &handlers, &s), PS_OK);
    cr_assert_eq(s.rows_rejected, 1);
    cr_assert_eq(capture.n_rejects, 1);
    cr_assert_eq(capture.rejects[0].line, 3);
    cr_assert_eq(capture.rejects[0].column, 3);
    cr_assert_str_eq(capture.rejects[0].value, "South");
    char *want;
    cr_assert_geq(asprintf(&want, "the participant's site is 'North' on their row at %s:2: a "
                                  "participant is in one group",
                           path),
                  0);
    cr_assert_str_eq(capture.rejects[0].reason, want);
    free(want);
    ps_service_report_t *r;
    cr_assert_eq(ps_service_report(cohort, &no_control, &r), PS_OK);
    /* An empty value is a group of its own, as in the questionnaire report; P1 has no row
     * after, so is not compared. */
    cr_assert_eq(figure(r, "site=", "n_people")->value, 1);
    cr_assert_eq(figure(r, "site=North", "n_people")->value, 1);
    cr_assert_eq(figure(r, "site=North", "n_unpaired")->value, 1);
    cr_assert_eq(index_of(r, "site=South", "n_people"), SIZE_MAX, "no one is at South");
    cr_assert_str_eq(ps_service_report_statistic(r, 0)->group, "all");
    ps_service_report_free(r);
    ps_service_cohort_free(cohort);
    free(path);
    ps_service_definition_free(d);
    ps_context_free(context);
}

Test(service_groups, columns_that_cannot_group_and_files_without_the_column)
{
    ps_context_t *context = context_only();
    ps_service_definition_t *d = shipped(context);
    ps_service_cohort_t *cohort = NULL;
    static const struct {
        const char *by, *message;
    } bad[] = {
        {"participant_id", "--by 'participant_id': the participant id column, not a column to "
                           "group by (a site, a practice)"},
        {"Window", "--by 'Window': the window column, not a column to group by (a site, a "
                   "practice)"},
        {"ae_attendances", "--by 'ae_attendances': a measure's column, not a column to group by "
                           "(a site, a practice)"},
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        cr_assert_eq(new_cohort(context, d, &bad[k].by, 1, &cohort), PS_ERROR_USAGE);
        cr_assert_str_eq(last_message(), bad[k].message);
    }
    static const char *const twice[] = {"site", "SITE"};
    cr_assert_eq(new_cohort(context, d, twice, 2, &cohort), PS_ERROR_USAGE);
    cr_assert_str_eq(last_message(), "--by 'SITE': named twice, not a column to group by (a "
                                     "site, a practice)");
    /* The referred must give the column; a comparison cohort may. */
    cr_assert_eq(new_cohort(context, d, by_site, 1, &cohort), PS_OK);
    char *plain = test_file("plain.csv", "participant_id,window,ae_attendances\nC1,pre12,7\n"
                                         "C1,post12,5\n",
                            -1);
    cr_assert_eq(ps_service_read(cohort, plain, PS_SERVICE_REFERRED, &handlers, NULL),
                 PS_ERROR_BATCH);
    cr_assert_str_eq(last_message(), "no column 'site' to group by (--by): each file of the "
                                     "people referred gives every participant's value (empty "
                                     "for none)");
    cr_assert_eq(ps_service_read(cohort, plain, PS_SERVICE_COMPARISON, &handlers, NULL), PS_OK);
    char *referred = test_file("referred.csv", "participant_id,window,site,ae_attendances\n"
                                               "R1,pre12,North,8\nR1,post12,North,4\n",
                               -1);
    cr_assert_eq(ps_service_read(cohort, referred, PS_SERVICE_REFERRED, &handlers, NULL), PS_OK);
    ps_service_report_t *r;
    cr_assert_eq(ps_service_report(cohort, &no_control, &r), PS_OK);
    /* No one of the comparison cohort is at North: no net figure for the group, and the
     * comparison cohort has no groups. */
    cr_assert_not_null(figure(r, "all", "net_rate_ratio"));
    cr_assert_eq(index_of(r, "site=North", "net_rate_ratio"), SIZE_MAX);
    cr_assert_eq(index_of(r, "comparison site=North", "n_people"), SIZE_MAX);
    ps_service_report_free(r);
    ps_service_cohort_free(cohort);
    free(plain);
    free(referred);
    ps_service_definition_free(d);
    ps_context_free(context);
}

/* Sites S2 and S10 in natural order; more than 100 values stop the read. */
Test(service_groups, groups_in_natural_order_and_their_limit)
{
    ps_context_t *context = context_only();
    ps_service_definition_t *d = shipped(context);
    ps_service_cohort_t *cohort;
    cr_assert_eq(new_cohort(context, d, by_site, 1, &cohort), PS_OK);
    char *path = test_file("counts.csv", "participant_id,window,site,ae_attendances\n"
                                         "P1,pre12,S10,7\nP1,post12,S10,2\nP2,pre12,S2,9\n"
                                         "P2,post12,S2,4\n",
                           -1);
    cr_assert_eq(ps_service_read(cohort, path, PS_SERVICE_REFERRED, &handlers, NULL), PS_OK);
    ps_service_report_t *r;
    cr_assert_eq(ps_service_report(cohort, &no_control, &r), PS_OK);
    cr_assert_lt(index_of(r, "site=S2", "n_people"), index_of(r, "site=S10", "n_people"));
    ps_service_report_free(r);
    ps_service_cohort_free(cohort);
    free(path);
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    fputs("participant_id,window,site,ae_attendances\n", f);
    for (int k = 0; k <= 100; k++)
        fprintf(f, "P%d,pre12,site %d,7\n", k, k);
    cr_assert_eq(fclose(f), 0);
    path = test_file("many.csv", text, -1);
    cr_assert_eq(new_cohort(context, d, by_site, 1, &cohort), PS_OK);
    cr_assert_eq(ps_service_read(cohort, path, PS_SERVICE_REFERRED, &handlers, NULL),
                 PS_ERROR_LIMIT);
    cr_assert_str_eq(last_message(), "'site' has more than 100 values to group by: a report "
                                     "groups by a column with few values (a site, a practice), "
                                     "never by one that names people");
    cr_assert_eq(capture.diagnostics[capture.n_diagnostics - 1].line, 102);
    ps_service_cohort_free(cohort);
    free(path);
    free(text);
    ps_service_definition_free(d);
    ps_context_free(context);
}

/* ---- The groups beside the whole. ---- */

/* North: referred 80 -> 40 attendances, comparison 80 -> 60; South: 100 -> 80 in both. */
Test(service_groups, the_net_rate_ratio_of_each_site)
{
    ps_context_t *context = context_only();
    ps_service_definition_t *d = shipped(context);
    ps_service_report_t *r =
        report_of(context, d, "groups-referred.csv", "groups-comparison.csv", &no_control);
    cr_assert_eq(figure(r, "site=North", "events_before")->value, 80);
    cr_assert_eq(figure(r, "site=North", "events_after")->value, 40);
    cr_assert_eq(figure(r, "comparison site=North", "events_after")->value, 60);
    cr_assert_float_eq(figure(r, "site=North", "rate_ratio")->value, 0.5, 1e-12);
    cr_assert_float_eq(figure(r, "comparison site=North", "rate_ratio")->value, 0.75, 1e-12);
    cr_assert_float_eq(figure(r, "site=North", "net_rate_ratio")->value, 0.5 / 0.75, 1e-12);
    cr_assert_float_eq(figure(r, "site=South", "net_rate_ratio")->value, 1, 1e-12);
    /* The whole: 180 -> 120 against 180 -> 140. */
    cr_assert_float_eq(figure(r, "all", "net_rate_ratio")->value, (120.0 / 180) / (140.0 / 180),
                       1e-12);
    cr_assert_eq(index_of(r, "comparison site=North", "net_rate_ratio"), SIZE_MAX);
    /* Each count of a whole is the sum over its groups, in the relations the audit used. */
    static const char *const wholes[][3] = {{"all", "site=North", "site=South"},
                                            {"comparison", "comparison site=North",
                                             "comparison site=South"}};
    static const char *const counts[] = {"n_people", "events_before", "events_after", "n_fell"};
    for (size_t w = 0; w < 2; w++)
        for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++) {
            size_t whole = index_of(r, wholes[w][0], counts[c]);
            size_t north = index_of(r, wholes[w][1], counts[c]);
            size_t south = index_of(r, wholes[w][2], counts[c]);
            int found = 0;
            for (size_t k = 0; k < ps_service_report_relation_count(r); k++) {
                ps_relation_t rel;
                ps_service_report_relation(r, k, &rel);
                found += rel.n == 3 && rel.statistics[0] == whole &&
                         rel.statistics[1] == north && rel.statistics[2] == south &&
                         rel.coefficients[0] == 1 && rel.coefficients[1] == -1 &&
                         rel.coefficients[2] == -1 && rel.lo == 0 && rel.hi == 0;
            }
            cr_assert_eq(found, 1, "%s %s = the sum over sites", wholes[w][0], counts[c]);
        }
    ps_service_report_free(r);
    ps_service_definition_free(d);
    ps_context_free(context);
}

/* ---- The attacker. ---- */

struct relation {
    size_t terms[64];
    double coefficients[64];
    size_t n;
    double lo, hi;
    int over_groups;              /* a whole = the sum over its groups */
};

struct attack {
    const ps_service_report_t *truth, *published;
    unsigned threshold;
    struct relation *relations;
    size_t n_relations, size;
    int *column;                  /* per statistic: its LP column for a hidden count, or 0 */
    int n_columns;
};

static struct relation *add_relation(struct attack *a, double lo, double hi)
{
    if (a->n_relations == a->size) {
        a->size = a->size ? 2 * a->size : 64;
        a->relations = realloc(a->relations, a->size * sizeof *a->relations);
        cr_assert_not_null(a->relations);
    }
    struct relation *rel = &a->relations[a->n_relations++];
    rel->n = 0;
    rel->lo = lo;
    rel->hi = hi;
    rel->over_groups = 0;
    return rel;
}

static void term(struct relation *rel, size_t statistic, double coefficient)
{
    cr_assert_neq(statistic, SIZE_MAX);
    cr_assert_lt(rel->n, 64);
    rel->terms[rel->n] = statistic;
    rel->coefficients[rel->n++] = coefficient;
}

static size_t find_in_block(const ps_service_report_t *r, const ps_statistic_t *like,
                            const char *group, const char *name)
{
    for (size_t i = 0; i < ps_service_report_count(r); i++) {
        const ps_statistic_t *s = ps_service_report_statistic(r, i);
        if (strcmp(s->unit, like->unit) == 0 && strcmp(s->comparison, like->comparison) == 0 &&
            strcmp(s->group, group) == 0 && strcmp(s->name, name) == 0)
            return i;
    }
    return SIZE_MAX;
}

/* Whether 'group' is a group of the whole 'whole' ("all" or "comparison"), in column 'by'. */
static int group_of(const char *group, const char *whole, const char *by)
{
    const int comparison = strcmp(whole, "comparison") == 0;
    if (comparison != (strncmp(group, "comparison ", 11) == 0))
        return 0;
    const char *rest = comparison ? group + 11 : group;
    size_t n = strlen(by);
    return strncmp(rest, by, n) == 0 && rest[n] == '=';
}

/* What the attacker knows from the statistics' names: see the top of the file. */
static void derive_relations(struct attack *a)
{
    const ps_service_report_t *r = a->published;
    for (size_t i = 0; i < ps_service_report_count(r); i++) {
        const ps_statistic_t *s = ps_service_report_statistic(r, i);
        if (!s->is_count)
            continue;
        /* A whole's count = the sum over the groups of the column. */
        if (strcmp(s->group, "all") == 0 || strcmp(s->group, "comparison") == 0) {
            struct relation *rel = add_relation(a, 0, 0);
            rel->over_groups = 1;
            term(rel, i, 1);
            for (size_t j = 0; j < ps_service_report_count(r); j++) {
                const ps_statistic_t *g = ps_service_report_statistic(r, j);
                if (strcmp(g->unit, s->unit) == 0 && strcmp(g->comparison, s->comparison) == 0 &&
                    strcmp(g->name, s->name) == 0 && group_of(g->group, s->group, "site"))
                    term(rel, j, -1);
            }
            if (rel->n == 1)
                a->n_relations--;
        }
        if (strcmp(s->name, "n_people") != 0)
            continue;
        const char *group = s->group;
        size_t fell = find_in_block(r, s, group, "n_fell");
        size_t stayed = find_in_block(r, s, group, "n_stayed");
        size_t rose = find_in_block(r, s, group, "n_rose");
        size_t none_before = find_in_block(r, s, group, "n_none_before");
        size_t none_after = find_in_block(r, s, group, "n_none_after");
        struct relation *rel = add_relation(a, 0, 0);
        term(rel, i, 1), term(rel, fell, -1), term(rel, stayed, -1), term(rel, rose, -1);
        rel = add_relation(a, 0, INFINITY);
        term(rel, i, 1), term(rel, none_before, -1), term(rel, fell, -1);
        rel = add_relation(a, 0, INFINITY);
        term(rel, i, 1), term(rel, none_after, -1), term(rel, rose, -1);
        rel = add_relation(a, 0, INFINITY);
        term(rel, find_in_block(r, s, group, "events_before"), 1), term(rel, i, -1);
        term(rel, none_before, 1);
        rel = add_relation(a, 0, INFINITY);
        term(rel, find_in_block(r, s, group, "events_after"), 1), term(rel, i, -1);
        term(rel, none_after, 1);
    }
}

static int hidden(const struct attack *a, size_t i)
{
    return ps_service_report_statistic(a->published, i)->shown == PS_SUPPRESSED;
}

static double truth(const struct attack *a, size_t i)
{
    return ps_service_report_statistic(a->truth, i)->value;
}

/* The least or greatest value of hidden count 'x' consistent with what the reader knows. */
static double extreme(const struct attack *a, size_t x, int direction)
{
    glp_prob *lp = glp_create_prob();
    glp_add_cols(lp, a->n_columns);
    for (size_t i = 0; i < ps_service_report_count(a->published); i++) {
        if (!a->column[i])
            continue;
        /* The rule: a count hidden as small is 1..threshold (the attacker is told which). */
        double v = truth(a, i);
        if (v >= 1 && v <= a->threshold)
            glp_set_col_bnds(lp, a->column[i], GLP_DB, 1, a->threshold);
        else
            glp_set_col_bnds(lp, a->column[i], GLP_LO, 0, 0);
    }
    int ind[66];
    double val[66];
    for (size_t k = 0; k < a->n_relations; k++) {
        const struct relation *rel = &a->relations[k];
        double known = 0;
        int n = 0;
        for (size_t t = 0; t < rel->n; t++) {
            size_t i = rel->terms[t];
            if (a->column[i]) {
                ind[++n] = a->column[i];
                val[n] = rel->coefficients[t];
            } else {
                known += rel->coefficients[t] * ps_service_report_statistic(a->published, i)->value;
            }
        }
        if (!n)
            continue;
        int row = glp_add_rows(lp, 1);
        glp_set_mat_row(lp, row, n, ind, val);
        if (isinf(rel->hi))
            glp_set_row_bnds(lp, row, GLP_LO, rel->lo - known, 0);
        else
            glp_set_row_bnds(lp, row, GLP_FX, rel->lo - known, rel->lo - known);
    }
    glp_set_obj_coef(lp, a->column[x], 1);
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
    return value;
}

/* Attacks the published report; *lo and *hi get the range of (group, name) when not NULL. */
static void attack(const ps_service_report_t *truth_report, const ps_service_report_t *published,
                   unsigned threshold, const char *group, const char *name, double *lo,
                   double *hi)
{
    struct attack a = {truth_report, published, threshold, NULL, 0, 0, NULL, 0};
    const size_t n = ps_service_report_count(published);
    cr_assert_eq(ps_service_report_count(truth_report), n);
    a.column = calloc(n, sizeof *a.column);
    for (size_t i = 0; i < n; i++) {
        const ps_statistic_t *p = ps_service_report_statistic(published, i);
        cr_assert_str_eq(p->name, ps_service_report_statistic(truth_report, i)->name);
        if (p->is_count && p->shown == PS_SUPPRESSED)
            a.column[i] = ++a.n_columns;
        else if (p->is_count)
            cr_assert_eq(p->value, truth(&a, i), "%s %s is published as it is", p->group,
                         p->name);
    }
    derive_relations(&a);
    /* The relations hold in the truth. */
    for (size_t k = 0; k < a.n_relations; k++) {
        double sum = 0;
        for (size_t t = 0; t < a.relations[k].n; t++)
            sum += a.relations[k].coefficients[t] * truth(&a, a.relations[k].terms[t]);
        cr_assert(sum >= a.relations[k].lo && sum <= a.relations[k].hi, "relation %zu: %g", k,
                  sum);
    }
    /* No hidden count is worked out. */
    for (size_t i = 0; i < n; i++) {
        if (!a.column[i])
            continue;
        const ps_statistic_t *s = ps_service_report_statistic(published, i);
        double least = extreme(&a, i, GLP_MIN), most = extreme(&a, i, GLP_MAX);
        cr_assert(least <= truth(&a, i) && truth(&a, i) <= most);
        cr_assert(truth(&a, i) == 0 || most - least >= 1,
                  "%s %s %s (%g) is worked out: %g to %g", s->comparison, s->group, s->name,
                  truth(&a, i), least, most);
        if (group && strcmp(s->group, group) == 0 && strcmp(s->name, name) == 0)
            *lo = least, *hi = most;
    }
    /* A whole less its groups shown leaves no 1..threshold people or events: the figures
     * resting on them (person-years, rates, the rate ratio's sums) add up over the groups, so
     * the whole's less the shown groups' would be about those few. */
    for (size_t k = 0; k < a.n_relations; k++) {
        const struct relation *rel = &a.relations[k];
        if (!rel->over_groups || a.column[rel->terms[0]])
            continue;
        const ps_statistic_t *whole = ps_service_report_statistic(published, rel->terms[0]);
        if (strcmp(whole->name, "n_people") != 0 && strncmp(whole->name, "events_", 7) != 0)
            continue;
        double rest = whole->value;
        size_t n_hidden = 0;
        for (size_t t = 1; t < rel->n; t++) {
            if (a.column[rel->terms[t]])
                n_hidden++;
            else
                rest -= ps_service_report_statistic(published, rel->terms[t])->value;
        }
        cr_assert(!n_hidden || rest < 1 || rest > threshold,
                  "%s %s less the groups shown: %g in %zu hidden groups", whole->group,
                  whole->name, rest, n_hidden);
    }
    /* Figures rest on what is shown: none of a block whose n_people is hidden. */
    for (size_t i = 0; i < n; i++) {
        const ps_statistic_t *s = ps_service_report_statistic(published, i);
        const ps_statistic_info_t *info = ps_statistic_info(s->id);
        if (s->is_count || info->kind == PS_KIND_CONSTANT)
            continue;
        size_t people = find_in_block(published, s, s->group, "n_people");
        if (hidden(&a, people))
            cr_assert_eq(s->shown, PS_SUPPRESSED, "%s %s", s->group, s->name);
    }
    free(a.relations);
    free(a.column);
}

static void attack_files(const char *referred, const char *comparison, const char *group,
                         const char *name, double *lo, double *hi)
{
    ps_context_t *context = context_only();
    ps_service_definition_t *d = shipped(context);
    ps_service_report_t *t = report_of(context, d, referred, comparison, &no_control);
    ps_service_report_t *p = report_of(context, d, referred, comparison, &seven);
    attack(t, p, 7, group, name, lo, hi);
    ps_service_report_free(t);
    ps_service_report_free(p);
    ps_service_definition_free(d);
    ps_context_free(context);
}

/* 28 people at site A; Bethnal's one person had 9 attendances then 3, Clapton's 12 then 1.
 * The whole less A must not give the two people's counts: 30 - 28 = 2 people, each hidden as
 * at least 1, would be one each, and 4 attendances after between them. */
Test(service_groups_attack, two_one_person_sites_beside_a_big_site)
{
    ps_context_t *context = context_only();
    ps_service_definition_t *d = shipped(context);
    ps_service_report_t *p =
        report_of(context, d, "groups-two-beside-a-big-site.csv", NULL, &seven);
    /* The whole stands; the small sites' people and events after are hidden. */
    cr_assert_eq(figure(p, "all", "n_people")->value, 30);
    cr_assert_eq(figure(p, "all", "rate_ratio")->shown, PS_SHOWN);
    for (const char *const *g = (const char *const[]){"site=Bethnal", "site=Clapton", NULL}; *g;
         g++) {
        cr_assert_eq(figure(p, *g, "n_people")->shown, PS_SUPPRESSED, "%s", *g);
        cr_assert_eq(figure(p, *g, "events_after")->shown, PS_SUPPRESSED, "%s", *g);
        cr_assert_eq(figure(p, *g, "rate_ratio")->shown, PS_SUPPRESSED, "%s", *g);
    }
    /* Neither is the whole's people and events after less site A's. */
    static const char *const counts[] = {"n_people", "events_after"};
    for (size_t c = 0; c < 2; c++)
        cr_assert(figure(p, "site=A", counts[c])->shown == PS_SUPPRESSED ||
                      figure(p, "all", counts[c])->shown == PS_SUPPRESSED,
                  "%s", counts[c]);
    ps_service_report_free(p);
    ps_service_definition_free(d);
    ps_context_free(context);
    double lo, hi;
    attack_files("groups-two-beside-a-big-site.csv", NULL, "site=Clapton", "events_after", &lo,
                 &hi);
    cr_assert(lo <= 1 && hi >= 2, "Clapton's attendances after can be %g to %g", lo, hi);
    attack_files("groups-two-beside-a-big-site.csv", NULL, "site=Bethnal", "n_people", &lo, &hi);
    cr_assert(lo == 1 && hi >= 2, "Bethnal's people can be %g to %g", lo, hi);
}

/* 27 at A, two at B and one at C: B (1 or 2 to the reader) is not pinned, but the whole less A
 * would be the three people's counts together. */
Test(service_groups_attack, three_people_beside_a_big_site)
{
    ps_context_t *context = context_only();
    ps_service_definition_t *d = shipped(context);
    ps_service_report_t *p =
        report_of(context, d, "groups-three-beside-a-big-site.csv", NULL, &seven);
    cr_assert_eq(figure(p, "all", "n_people")->value, 30);
    cr_assert_eq(figure(p, "site=A", "n_people")->shown, PS_SUPPRESSED,
                 "30 less 27 would be the three people");
    cr_assert_eq(figure(p, "site=A", "rate_ratio")->shown, PS_SUPPRESSED);
    ps_service_report_free(p);
    ps_service_definition_free(d);
    ps_context_free(context);
    attack_files("groups-three-beside-a-big-site.csv", NULL, NULL, NULL, NULL, NULL);
}

/* Two sites in both cohorts: whatever is hidden, nothing is worked out. */
Test(service_groups_attack, sites_of_both_cohorts)
{
    attack_files("groups-referred.csv", "groups-comparison.csv", NULL, NULL, NULL, NULL);
}
