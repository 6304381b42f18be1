/*
 * The report's statistics against R: golden values in tests/golden/expected.csv
 * were written by tests/golden/golden.R from the data sets beside it. Every
 * value must agree to 1e-9 relative; NA in R must be "not computable" here.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "helpers.h"
#include "stats.h"

struct pairs {
    double pre[200], post[200], d[200];
    size_t n;
};

static struct pairs read_pairs(const char *set)
{
    char *name;
    cr_assert_geq(asprintf(&name, "../golden/%s.csv", set), 0);
    FILE *f = fopen(test_data(name), "r");
    cr_assert_not_null(f, "%s", set);
    struct pairs p = {.n = 0};
    char line[128];
    cr_assert_not_null(fgets(line, sizeof line, f)); /* header */
    while (fgets(line, sizeof line, f)) {
        cr_assert_eq(sscanf(line, "%lf,%lf", &p.pre[p.n], &p.post[p.n]), 2);
        p.d[p.n] = p.post[p.n] - p.pre[p.n];
        p.n++;
    }
    fclose(f);
    return p;
}

/* The computed figure called 'name', from the describe and paired results. */
static ps_figure_t lookup(const char *name, const ps_describe_t *pre, const ps_describe_t *post,
                          const ps_paired_t *p, int *exact)
{
    const struct {
        const char *name;
        ps_figure_t value;
    } all[] = {
        {"mean_baseline", pre->mean},   {"sd_baseline", pre->sd},
        {"median_baseline", pre->median}, {"mean_followup", post->mean},
        {"sd_followup", post->sd},      {"median_followup", post->median},
        {"mean_change", p->mean_change}, {"sd_change", p->sd_change},
        {"t", p->t},                    {"df", p->df},
        {"p_t", p->p_t},                {"ci_low", p->ci_low},
        {"ci_high", p->ci_high},        {"d_z", p->d_z},
        {"g_z", p->g_z},                {"d_z_ci_low", p->d_z_ci_low},
        {"d_z_ci_high", p->d_z_ci_high}, {"wilcoxon_v", p->wilcoxon_v},
        {"p_wilcoxon", p->p_wilcoxon},
    };
    *exact = 0;
    if (strcmp(name, "wilcoxon_exact") == 0) {
        *exact = 1;
        return (ps_figure_t){p->wilcoxon_exact, NULL, NULL};
    }
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (strcmp(all[i].name, name) == 0)
            return all[i].value;
    cr_assert_fail("no statistic %s", name);
    return (ps_figure_t){0, "unreachable", NULL};
}

static void check_set(const char *set, int *checked)
{
    struct pairs p = read_pairs(set);
    ps_describe_t pre, post;
    ps_paired_t paired;
    void *scratch = malloc(ps_paired_scratch(p.n));
    double d[200];
    memcpy(d, p.d, sizeof d);
    ps_paired(d, p.n, scratch, &paired);
    cr_assert_eq(memcmp(d, p.d, p.n * sizeof *d), 0, "differences left unchanged");
    ps_describe(p.pre, p.n, &pre);
    ps_describe(p.post, p.n, &post);
    FILE *f = fopen(test_data("../golden/expected.csv"), "r");
    cr_assert_not_null(f);
    char line[256];
    while (fgets(line, sizeof line, f)) {
        char name_set[64], statistic[64], value[64];
        if (sscanf(line, "%63[^,],%63[^,],%63s", name_set, statistic, value) != 3 ||
            strcmp(name_set, set) != 0)
            continue;
        int exact;
        ps_figure_t got = lookup(statistic, &pre, &post, &paired, &exact);
        if (strcmp(value, "NA") == 0) {
            cr_assert_not_null(got.missing, "%s %s: R says NA, promscore says %.17g", set,
                               statistic, got.value);
        } else {
            double want = strtod(value, NULL);
            cr_assert_null(got.missing, "%s %s: R says %s, promscore: %s", set, statistic, value,
                           got.missing);
            double tolerance = 1e-9 * fmax(fabs(want), 1e-300);
            cr_assert(fabs(got.value - want) <= tolerance || (want == 0 && fabs(got.value) < 1e-12),
                      "%s %s: R %.17g, promscore %.17g", set, statistic, want, got.value);
        }
        (*checked)++;
    }
    fclose(f);
    free(scratch);
}

Test(stats, small_n_with_ties_and_zero_differences)
{
    int checked = 0;
    check_set("small_ties_zeros", &checked);
    cr_assert_eq(checked, 20);
}

Test(stats, exact_wilcoxon_below_fifty_without_ties)
{
    int checked = 0;
    check_set("exact_no_ties", &checked);
    cr_assert_eq(checked, 20);
}

Test(stats, normal_approximation_above_fifty)
{
    int checked = 0;
    check_set("large_normal", &checked);
    cr_assert_eq(checked, 20);
}

Test(stats, equal_changes_are_not_computable_for_t_and_d)
{
    int checked = 0;
    check_set("constant_change", &checked);
    cr_assert_eq(checked, 19); /* R's t.test stops before reporting df */
}

Test(stats, no_change_at_all)
{
    int checked = 0;
    check_set("all_zero", &checked);
    cr_assert_eq(checked, 18);
}

Test(stats, fewer_than_two_pairs_computes_nothing)
{
    double d[1] = {4};
    ps_paired_t p;
    char scratch[64];
    ps_paired(d, 1, scratch, &p);
    cr_assert_str_eq(p.mean_change.missing, "fewer than 2 pairs");
    cr_assert_str_eq(p.p_wilcoxon.missing, "fewer than 2 pairs");
    ps_paired(d, 0, scratch, &p);
    cr_assert_str_eq(p.t.missing, "no pairs");
}
