/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Service use, empirical Bayes (core/servicebayes.h): a person's expected count without
 * intervention and its variance, Hauer's index, and the negative binomial fitted to a
 * histogram, against R (tests/golden/service/eb.R, eb_expected.csv) to 1e-9.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "helpers.h"
#include "servicebayes.h"

/* R's value of (set, group, statistic) in eb_expected.csv. */
static double r_value(const char *set, const char *group, const char *statistic)
{
    char *path = test_data("../golden/service/eb_expected.csv");
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "%s", path);
    free(path);
    char line[256];
    double value = NAN;
    while (fgets(line, sizeof line, f)) {
        char s[64], g[64], name[64], v[64];
        if (sscanf(line, "%63[^,],%63[^,],%63[^,],%63s", s, g, name, v) == 4 &&
            strcmp(s, set) == 0 && strcmp(g, group) == 0 && strcmp(name, statistic) == 0)
            value = strtod(v, NULL);
    }
    fclose(f);
    cr_assert(!isnan(value), "no %s %s %s in eb_expected.csv", set, group, statistic);
    return value;
}

static void assert_close(double got, double want, double relative, const char *what)
{
    cr_assert(fabs(got - want) <= relative * fabs(want), "%s: R %.17g, promscore %.17g", what,
              want, got);
}

/* The histogram of tests/golden/service/population.csv. */
static const double histogram_counts[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
static const double histogram_people[] = {11682, 4148, 1964, 1007, 537, 292, 161, 90, 51,
                                          29,    16,   9,    5,    3,   2,   1,   1};

Test(servicebayes, the_negative_binomial_fitted_as_glm_nb)
{
    double mean, shape;
    const char *why = ps_su_nb_fit(histogram_counts, histogram_people,
                                   sizeof histogram_counts / sizeof histogram_counts[0], &mean,
                                   &shape);
    cr_assert_null(why, "%s", why);
    assert_close(mean, r_value("population", "all", "eb_population_mean"), 1e-12, "mean");
    /* The root of theta.ml's score, to double precision... */
    assert_close(shape, r_value("population", "all", "eb_population_shape"), 1e-9, "shape");
    /* ...which glm.nb, stopping Newton at a step of 1.2e-4, leaves about 3e-8 away. */
    assert_close(shape, r_value("population", "all", "glm_nb_theta"), 1e-7, "glm.nb's theta");
    /* The order of the bars and bars of no one change nothing. */
    const double counts[] = {16, 0, 3, 40, 1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
    const double people[] = {1, 11682, 1007, 0, 4148, 1964, 537, 292, 161, 90, 51, 29, 16, 9,
                             5, 3, 2, 1};
    double mean2, shape2;
    cr_assert_null(ps_su_nb_fit(counts, people, sizeof counts / sizeof counts[0], &mean2, &shape2));
    assert_close(mean2, mean, 1e-14, "mean, reordered");
    assert_close(shape2, shape, 1e-12, "shape, reordered");
}

Test(servicebayes, no_fit_without_over_dispersion)
{
    double mean, shape;
    /* Everyone 2: variance 0. */
    const double same[] = {2}, many[] = {50};
    cr_assert_str_eq(ps_su_nb_fit(same, many, 1, &mean, &shape),
                     "the counts vary no more than a Poisson's (variance not above the mean): no "
                     "finite negative binomial shape; every person would be expected at the mean");
    cr_assert_float_eq(mean, 2, 1e-15);
    cr_assert(isnan(shape));
    /* Variance exactly the mean: 0 and 2 alike, mean 1, variance 1. */
    const double counts[] = {0, 2}, people[] = {10, 10};
    cr_assert_not_null(ps_su_nb_fit(counts, people, 2, &mean, &shape));
    const double nothing[] = {0}, one[] = {1};
    cr_assert_str_eq(ps_su_nb_fit(nothing, many, 1, &mean, &shape),
                     "no one has any events: no distribution to fit");
    cr_assert_str_eq(ps_su_nb_fit(same, one, 1, &mean, &shape),
                     "fewer than two people: no distribution to fit");
    /* Barely over-dispersed: a large shape, still found. */
    const double near[] = {0, 1, 2, 3, 4, 5}, how_many[] = {3600, 3600, 1850, 650, 200, 100};
    cr_assert_null(ps_su_nb_fit(near, how_many, 6, &mean, &shape));
    assert_close(mean, r_value("nearly_poisson", "all", "eb_population_mean"), 1e-12, "mean");
    assert_close(shape, r_value("nearly_poisson", "all", "eb_population_shape"), 1e-9, "shape");
}

Test(servicebayes, each_persons_expected_count_and_its_variance)
{
    const double mu = r_value("population", "all", "eb_population_mean");
    const double k = r_value("population", "all", "eb_population_shape");
    const struct ps_su_population fitted = {mu, k, NULL}, given = {1.8, 0.6, NULL};
    static const struct {
        const char *set, *id;
        int fitted;
        double x, days0, days1;
    } people[] = {
        {"camden_eb", "R1", 1, 9, 365, 365},    {"camden_eb", "R10", 1, 8, 365, 365},
        {"camden_eb", "R11", 1, 6, 365, 365},   {"steeper_eb", "T10", 1, 11, 365, 365},
        {"exposure_eb", "E1", 0, 8, 365, 183},  {"exposure_eb", "E2", 0, 10, 365, 120},
        {"exposure_eb", "E11", 0, 4, 364, 182},
    };
    for (size_t i = 0; i < sizeof people / sizeof people[0]; i++) {
        double e, v;
        ps_su_eb_expected(people[i].fitted ? &fitted : &given, people[i].x,
                          people[i].days0 / 365, people[i].days1 / 365, &e, &v);
        assert_close(e, r_value(people[i].set, people[i].id, "eb_expected"), 1e-12,
                     people[i].id);
        assert_close(v, r_value(people[i].set, people[i].id, "eb_variance"), 1e-12,
                     people[i].id);
    }
    /* Whole equal windows: (k + x) mu / (k + mu), as Hauer writes it. */
    double e;
    ps_su_eb_expected(&given, 9, 1, 1, &e, NULL);
    cr_assert_float_eq(e, (0.6 + 9) * 1.8 / 2.4, 1e-14);
}

Test(servicebayes, hauers_index_and_when_there_is_none)
{
    double index, low, high;
    cr_assert_str_eq(ps_su_eb_index(0, 10, 5, &index, &low, &high),
                     "no events after: no interval");
    cr_assert_eq(index, 0);
    cr_assert(isnan(low) && isnan(high));
    cr_assert_str_eq(ps_su_eb_index(3, 0, 0, &index, &low, &high),
                     "no time observed after: nothing expected");
    cr_assert(isnan(index));
    /* By hand: O = 10, E = 20, Var = 40: theta = 0.5 / 1.1, Var(theta) = theta^2 (0.1 + 0.1)
     * / 1.21; the low end below 0 is 0. */
    cr_assert_null(ps_su_eb_index(10, 20, 40, &index, &low, &high));
    const double theta = 0.5 / 1.1, se = theta * sqrt(0.2) / 1.1;
    cr_assert_float_eq(index, theta, 1e-15);
    cr_assert_float_eq(high, theta + 1.959963984540054 * se, 1e-15);
    cr_assert_float_eq(low, theta - 1.959963984540054 * se, 1e-15);
    cr_assert_null(ps_su_eb_index(1, 20, 400, &index, &low, &high));
    cr_assert_eq(low, 0, "no lower than 0");
}
