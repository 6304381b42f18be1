/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The report's statistics against R: golden values in tests/golden/expected.csv
 * were written by tests/golden/golden.R from the data sets beside it. Every
 * value must agree to 1e-9 relative; NA in R must be "not computable" here.
 * Whatever libRmath says must stay off standard output, and a figure it warned
 * about must carry a note.
 */
#include "config.h"

#include <dlfcn.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <criterion/criterion.h>

#define MATHLIB_STANDALONE
#include <Rmath.h>

#include "helpers.h"
#include "stats.h"

static const char pnt_doubted[] = "libRmath doubted its precision (pnt)";

/* Calls of libRmath's pnt that printed something, to whatever stdout then was. */
static unsigned pnt_printed;

/* libRmath's pnt, standing in for it in stats.c to count the calls that printed. */
double pnt(double x, double df, double ncp, int lower_tail, int log_p)
{
    static double (*libRmath_pnt)(double, double, double, int, int);
    if (!libRmath_pnt)
        libRmath_pnt = (double (*)(double, double, double, int, int))dlsym(RTLD_NEXT, "pnt");
    cr_assert_not_null(libRmath_pnt);
    fflush(stdout);
    long before = ftell(stdout);
    double p = libRmath_pnt(x, df, ncp, lower_tail, log_p);
    fflush(stdout);
    pnt_printed += ftell(stdout) != before;
    return p;
}

/*
 * ps_paired with file descriptor 1 on a temporary file, which must stay empty;
 * *printed is the number of pnt calls that printed meanwhile.
 */
static void paired_quietly(const double *d, size_t n, void *scratch, ps_paired_t *out,
                           unsigned *printed)
{
    FILE *file = tmpfile();
    cr_assert_not_null(file);
    fflush(stdout);
    int saved = dup(STDOUT_FILENO);
    cr_assert_geq(saved, 0);
    cr_assert_geq(dup2(fileno(file), STDOUT_FILENO), 0);
    pnt_printed = 0;
    ps_paired(d, n, scratch, out);
    *printed = pnt_printed;
    fflush(stdout);
    cr_assert_geq(dup2(saved, STDOUT_FILENO), 0);
    close(saved);
    struct stat st;
    cr_assert_eq(fstat(fileno(file), &st), 0);
    char said[128] = "";
    rewind(file);
    size_t length = fread(said, 1, sizeof said - 1, file);
    said[length] = '\0';
    cr_assert_eq(st.st_size, 0, "standard output received %lld bytes: %s", (long long)st.st_size,
                 said);
    fclose(file);
}

/* Notes: only d_z's interval comes from pnt, and a bound has one when pnt printed. */
static void check_notes(const char *set, const ps_paired_t *p, unsigned printed)
{
    const ps_figure_t *quiet[] = {&p->mean_change, &p->sd_change, &p->ci_low, &p->ci_high, &p->t,
                                  &p->df, &p->p_t, &p->wilcoxon_v, &p->p_wilcoxon, &p->d_z, &p->g_z};
    for (size_t i = 0; i < sizeof quiet / sizeof quiet[0]; i++)
        cr_assert_null(quiet[i]->note, "%s: figure %zu noted: %s", set, i, quiet[i]->note);
    int noted = p->d_z_ci_low.note || p->d_z_ci_high.note;
    cr_assert_eq(noted, printed > 0, "%s: pnt printed %u times, notes %s / %s", set, printed,
                 p->d_z_ci_low.note, p->d_z_ci_high.note);
    if (p->d_z_ci_low.note)
        cr_assert_str_eq(p->d_z_ci_low.note, pnt_doubted);
    if (p->d_z_ci_high.note)
        cr_assert_str_eq(p->d_z_ci_high.note, pnt_doubted);
}

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
        return (ps_figure_t){.value = p->wilcoxon_exact};
    }
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (strcmp(all[i].name, name) == 0)
            return all[i].value;
    cr_assert_fail("no statistic %s", name);
    return (ps_figure_t){.missing = "unreachable"};
}

/* Computes a golden set's figures quietly into *paired and checks them against R's; *printed
 * is the number of pnt calls that printed. */
static void check_values(const char *set, int *checked, ps_paired_t *out, unsigned *printed)
{
    struct pairs p = read_pairs(set);
    ps_describe_t pre, post;
    ps_paired_t paired;
    void *scratch = malloc(ps_paired_scratch(p.n));
    double d[200];
    memcpy(d, p.d, sizeof d);
    paired_quietly(d, p.n, scratch, &paired, printed);
    *out = paired;
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

static void check_set(const char *set, int *checked)
{
    ps_paired_t paired;
    unsigned printed;
    check_values(set, checked, &paired, &printed);
    check_notes(set, &paired, printed);
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

/* Changes 23.21-22.35 and 15.84-14.75: the search for d_z's lower bound used to
 * ask pnt where it prints "full precision may not have been achieved". */
Test(stats, two_swemwbs_pairs_keep_libRmath_off_standard_output)
{
    int checked = 0;
    check_set("swemwbs_two_pairs", &checked);
    cr_assert_eq(checked, 20);
}

Test(stats, one_and_two_degrees_of_freedom_agree_with_R_quietly)
{
    const char *sets[] = {"swemwbs_two_pairs_decline", "swemwbs_two_pairs_apart",
                          "swemwbs_three_pairs", "swemwbs_three_pairs_mixed"};
    for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++) {
        int checked = 0;
        check_set(sets[i], &checked);
        cr_assert_eq(checked, 20, "%s", sets[i]);
    }
}

/* t = 201 with df = 1: the lower bound lies where pt falls steadily, not at
 * ncp = -128 where pnt's normal approximation crosses 0.975 again. */
Test(stats, a_large_t_keeps_d_z_interval_where_pt_falls_steadily)
{
    int checked = 0;
    check_set("two_pairs_large_t", &checked);
    cr_assert_eq(checked, 20);
}

/* Three almost equal changes (t = 8.7e6, df = 2): pnt's series falters below
 * ncp = 37.62 and says so, and the lower bound ends there. It is still given,
 * with the note. */
Test(stats, a_bound_libRmath_doubted_is_given_with_a_note)
{
    double d[3] = {5, 5.000001, 5.000002};
    ps_paired_t p;
    double scratch[8];
    unsigned printed;
    paired_quietly(d, 3, scratch, &p, &printed);
    cr_assert_gt(printed, 0, "pnt printed nothing: choose changes where it does");
    check_notes("near-constant", &p, printed);
    cr_assert_null(p.d_z_ci_low.missing);
    cr_assert(isfinite(p.d_z_ci_low.value) && isfinite(p.d_z_ci_high.value));
    cr_assert(p.d_z_ci_low.value > 0 && p.d_z_ci_low.value < p.d_z.value);
    cr_assert_str_eq(p.d_z_ci_low.note, pnt_doubted);
}

/* Changes 1, 1.000001, 1 (t = 3e6, df = 2): pt(t, 2, ncp) jumps from 1 - 1.6e-10 to 0.96 at
 * ncp = 37.62, where pnt's series gives way to its normal approximation, and pnt prints
 * nothing, its series being just short of 1 - 1e-10. The lower bound, like R's uniroot,
 * ends on the jump, not on a root (that lies near ncp = 4.8e5): it carries a note. */
Test(stats, a_bound_on_pnts_jump_is_noted_though_pnt_printed_nothing)
{
    int checked = 0;
    ps_paired_t p;
    unsigned printed;
    check_values("three_pairs_pnt_jump", &checked, &p, &printed);
    cr_assert_eq(checked, 20);
    cr_assert_eq(printed, 0, "pnt printed: choose changes where it does not");
    cr_assert_not_null(p.d_z_ci_low.note, "d_z_ci_low %.17g is given without a note",
                       p.d_z_ci_low.value);
    cr_assert(strstr(p.d_z_ci_low.note, "jumps"), "%s", p.d_z_ci_low.note);
    /* The upper bound is a root of pnt's approximation, which falls steadily there. */
    cr_assert_null(p.d_z_ci_high.note, "%s", p.d_z_ci_high.note);
}
