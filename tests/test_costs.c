/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Costs of service use: unit costs and price indexes read (or refused with
 * file, line and column), uprating by a hand-worked example, notional cost
 * avoidance and the return on investment against R
 * (tests/golden/costs/costs.R), and what disclosure control hides.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include <promscore/service.h>
#include <promscore/costs.h>

#include "helpers.h"

static struct capture capture;

static ps_context_t *context_only(void)
{
    ps_context_t *context;
    test_capture_release(&capture);
    cr_assert_eq(ps_context_new(&context), PS_OK);
    test_capture_diagnostics(context, &capture);
    return context;
}

static const char *last_message(void)
{
    return capture.n_diagnostics ? capture.diagnostics[capture.n_diagnostics - 1].message : "";
}

static const struct captured_diagnostic *last_diagnostic(void)
{
    cr_assert_gt(capture.n_diagnostics, 0, "a diagnostic");
    return &capture.diagnostics[capture.n_diagnostics - 1];
}

static char *golden(const char *file)
{
    char *relative, *path;
    cr_assert_geq(asprintf(&relative, "../golden/%s", file), 0);
    path = test_data(relative);
    free(relative);
    return path;
}

static ps_service_definition_t *shipped(ps_context_t *context)
{
    char *path = test_shipped_measures();
    ps_service_definition_t *d = NULL;
    cr_assert_eq(ps_service_definition_read(context, path, &d), PS_OK, "%s", last_message());
    free(path);
    return d;
}

static const ps_service_window_t year_after[] = {{"pre12", 365}, {"post12", 365}};
static const ps_service_handlers_t handlers = {test_on_reject, &capture};
static const ps_disclosure_t no_control = {0, 0, 0};

/* A cohort of files under tests/golden (comparison may be NULL) and its report. */
struct run {
    ps_context_t *context;
    ps_service_definition_t *definition;
    ps_service_cohort_t *cohort;
    ps_service_report_t *report;
    ps_service_costs_t *costs;
};

static void start(struct run *r, const char *referred, const char *comparison,
                  const ps_disclosure_t *rule)
{
    r->context = context_only();
    r->definition = shipped(r->context);
    ps_service_options_t o;
    ps_service_options_init(&o, sizeof o);
    o.windows = year_after;
    o.n_windows = 2;
    cr_assert_eq(ps_service_cohort_new(r->context, r->definition, &o, &r->cohort), PS_OK);
    const char *files[2] = {referred, comparison};
    for (int arm = 0; arm < 2; arm++) {
        if (!files[arm])
            continue;
        /* Under tests/golden, or a file the test wrote (an absolute path). */
        char *path = files[arm][0] == '/' ? strdup(files[arm]) : golden(files[arm]);
        cr_assert_eq(ps_service_read(r->cohort, path, (ps_service_arm_t)arm, &handlers, NULL),
                     PS_OK, "%s: %s", files[arm], last_message());
        free(path);
    }
    cr_assert_eq(ps_service_report(r->cohort, rule, &r->report), PS_OK, "%s", last_message());
    r->costs = NULL;
}

static ps_error_t read_costs(struct run *r, const char *file, const char *index)
{
    char *path = golden(file);
    ps_error_t err = ps_service_costs_read(r->context, path, &r->costs);
    free(path);
    if (!err && index) {
        path = golden(index);
        err = ps_service_costs_read_index(r->costs, path);
        free(path);
    }
    return err;
}

static void finish(struct run *r)
{
    ps_service_costs_free(r->costs);
    ps_service_report_free(r->report);
    ps_service_cohort_free(r->cohort);
    ps_service_definition_free(r->definition);
    ps_context_free(r->context);
    test_capture_release(&capture);
}

static const ps_statistic_t *figure_of(const ps_service_report_t *report, const char *unit,
                                       const char *name)
{
    for (size_t i = 0; i < ps_service_report_count(report); i++) {
        const ps_statistic_t *s = ps_service_report_statistic(report, i);
        if (strcmp(s->unit, unit) == 0 && strcmp(s->name, name) == 0 &&
            s->id >= PS_STAT_CO_UNIT_COST)
            return s;
    }
    return NULL;
}

static double shown(const ps_service_report_t *report, const char *unit, const char *name)
{
    const ps_statistic_t *s = figure_of(report, unit, name);
    cr_assert_not_null(s, "no %s of %s", name, unit);
    cr_assert_eq(s->shown, PS_SHOWN, "%s of %s: %s", name, unit,
                 s->reason ? s->reason : "hidden");
    return s->value;
}

/* A service-use figure of the people referred, shown: events, person-years, rate ratios. */
static double use_of(const ps_service_report_t *report, const char *unit, const char *name)
{
    for (size_t i = 0; i < ps_service_report_count(report); i++) {
        const ps_statistic_t *s = ps_service_report_statistic(report, i);
        if (s->id < PS_STAT_CO_UNIT_COST && strcmp(s->unit, unit) == 0 &&
            strcmp(s->name, name) == 0 && strcmp(s->group, "all") == 0) {
            cr_assert_eq(s->shown, PS_SHOWN, "%s of %s", name, unit);
            return s->value;
        }
    }
    cr_assert_fail("no %s of %s", name, unit);
    return NAN;
}

/* Every golden value of 'set' against the report's "total" figures. */
static int check_golden(const char *set, const ps_service_report_t *report)
{
    char *path = golden("costs/expected.csv");
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f);
    free(path);
    char line[256];
    int checked = 0;
    while (fgets(line, sizeof line, f)) {
        char name_set[64], statistic[64], value[64];
        if (sscanf(line, "%63[^,],%63[^,],%63s", name_set, statistic, value) != 3 ||
            strcmp(name_set, set) != 0)
            continue;
        double want = strtod(value, NULL), got = shown(report, "total", statistic);
        cr_assert(fabs(got - want) <= 1e-9 * fmax(fabs(want), 1) ,
                  "%s %s: R %.17g, promscore %.17g", set, statistic, want, got);
        checked++;
    }
    fclose(f);
    return checked;
}

static ps_service_costs_options_t options_of(double cost, uint32_t seed, unsigned replicates)
{
    ps_service_costs_options_t o;
    ps_service_costs_options_init(&o, sizeof o);
    o.programme_cost = cost;
    o.seed = seed;
    o.replicates = replicates;
    return o;
}

/* ---- Uprating. ---- */

/*
 * By hand: A&E attendances cost 114 at 2021/22 prices; the test index (the NHS Cost Inflation
 * Index's changes) rises 7.32% into 2022/23 and 4.31% into 2023/24, so at 2023/24 prices
 *   114 x 1.0732 x 1.0431 = 114 x 1.11945492 = 127.61786088.
 * Emergency admissions, costed at 2023/24 already, stay at 1850.50.
 */
Test(costs_uprating, hand_worked_example)
{
    struct run r;
    start(&r, "costs/referred.csv", "costs/comparison.csv", &no_control);
    cr_assert_eq(read_costs(&r, "costs/unit-costs.csv", "costs/price-index.csv"), PS_OK, "%s",
                 last_message());
    ps_service_costs_options_t o = options_of(0, 1, 0);
    o.price_year = "2023/24";
    cr_assert_eq(ps_service_costs_apply(r.costs, &o, r.cohort, &no_control, r.report), PS_OK,
                 "%s", last_message());
    cr_assert_float_eq(shown(r.report, "ae_attendances", "unit_cost"), 127.61786088, 1e-9);
    cr_assert_float_eq(shown(r.report, "emergency_admissions", "unit_cost"), 1850.5, 1e-12);
    const ps_statistic_t *ae = figure_of(r.report, "ae_attendances", "unit_cost");
    cr_assert_not_null(strstr(ae->note, "114.00 (2021/22) x 1.11945 (NHS Cost Inflation Index "
                                        "(test copy), 2021/22 to 2023/24; source: test copy"),
                       "%s", ae->note);
    cr_assert_not_null(strstr(ae->note, "= 127.62 (2023/24)"), "%s", ae->note);
    cr_assert_not_null(strstr(ae->note, "licence CC0-1.0"), "%s", ae->note);
    /* Events before times the unit cost, in total too. */
    double before = shown(r.report, "ae_attendances", "cost_before") +
                    shown(r.report, "emergency_admissions", "cost_before");
    cr_assert_float_eq(shown(r.report, "total", "cost_before"), before, 1e-9);
    /* No programme cost: no return on investment. */
    cr_assert_null(figure_of(r.report, "total", "roi"));
    finish(&r);
}

Test(costs_uprating, mixed_price_years_without_an_index_are_refused)
{
    struct run r;
    start(&r, "costs/referred.csv", NULL, &no_control);
    cr_assert_eq(read_costs(&r, "costs/unit-costs.csv", NULL), PS_OK, "%s", last_message());
    ps_service_costs_options_t o = options_of(0, 1, 0);
    cr_assert_eq(ps_service_costs_apply(r.costs, &o, r.cohort, &no_control, r.report),
                 PS_ERROR_USAGE);
    const struct captured_diagnostic *d = last_diagnostic();
    cr_assert_eq(d->line, 2);
    cr_assert_eq(d->column, 1);
    cr_assert_str_eq(d->message, "ae_attendances is costed at 2021/22 prices and the report is "
                                 "at 2023/24: costs of different price years are not added "
                                 "without a price index (--price-index)");
    finish(&r);
}

Test(costs_uprating, a_year_the_index_lacks_is_refused)
{
    struct run r;
    start(&r, "costs/referred.csv", NULL, &no_control);
    cr_assert_eq(read_costs(&r, "costs/unit-costs.csv", "costs/price-index.csv"), PS_OK);
    ps_service_costs_options_t o = options_of(0, 1, 0);
    o.price_year = "2024/25";
    cr_assert_eq(ps_service_costs_apply(r.costs, &o, r.cohort, &no_control, r.report),
                 PS_ERROR_USAGE);
    cr_assert_not_null(strstr(last_message(), "has no 2024/25"), "%s", last_message());
    finish(&r);
}

/* ---- Files refused, with file, line and column. ---- */

static void refused(const char *csv, unsigned long line, unsigned long column,
                    const char *message)
{
    ps_context_t *context = context_only();
    char *path = test_file("costs.csv", csv, -1);
    ps_service_costs_t *costs = NULL;
    cr_assert_eq(ps_service_costs_read(context, path, &costs), PS_ERROR_DEFINITION, "%s", csv);
    cr_assert_null(costs);
    const struct captured_diagnostic *d = last_diagnostic();
    cr_assert_str_eq(d->file, path);
    cr_assert_eq(d->line, line, "%s: line %lu", d->message, d->line);
    cr_assert_eq(d->column, column, "%s: column %lu", d->message, d->column);
    cr_assert_str_eq(d->message, message);
    free(path);
    ps_context_free(context);
    test_capture_release(&capture);
}

#define HEADER "measure,value,unit,price_year,source,licence\n"

Test(costs_files, bad_unit_costs_are_refused_where_they_are)
{
    refused(HEADER "ae_attendances,-3,per attendance,2022/23,x,y\n", 2, 2,
            "unit cost '-3' is not a number of 0 or more");
    refused(HEADER "ae_attendances,abc,per attendance,2022/23,x,y\n", 2, 2,
            "unit cost 'abc' is not a number of 0 or more: not a number written in decimal "
            "digits, such as 12 or 2.5 (no exponent such as 1e3, hex such as 0x10, or "
            "separator)");
    refused(HEADER "ae_attendances,0x10,per attendance,2022/23,x,y\n", 2, 2,
            "unit cost '0x10' is not a number of 0 or more: not a number written in decimal "
            "digits, such as 12 or 2.5 (no exponent such as 1e3, hex such as 0x10, or "
            "separator)");
    refused(HEADER "ae_attendances,1e2,per attendance,2022/23,x,y\n", 2, 2,
            "unit cost '1e2' is not a number of 0 or more: not a number written in decimal "
            "digits, such as 12 or 2.5 (no exponent such as 1e3, hex such as 0x10, or "
            "separator)");
    refused(HEADER "ae_attendances,3,per attendance,2022/24,x,y\n", 2, 4,
            "price year '2022/24' is not a financial year such as 2022/23 or a year such as "
            "2023");
    refused(HEADER "ae_attendances,3,per attendance,2022/23,,y\n", 2, 5,
            "source is empty: every unit cost needs its source");
    refused(HEADER "ae_attendances,3,a,2022/23,x,y\nae_attendances,4,a,2022/23,x,y\n", 3, 1,
            "measure 'ae_attendances' is costed twice (first on line 2): give one unit cost "
            "per measure");
    refused("measure,value,unit,price_year,source\n", 1, 0,
            "the header has no column 'licence': unit costs need measure, value, unit, "
            "price_year, source and licence");
    refused("measure,value,unit,price_year,source,licence,cost\n", 1, 7,
            "column 'cost' is not one of measure, value, unit, price_year, source, licence, "
            "note");
    refused(HEADER, 0, 0, "no unit cost is given");
}

Test(costs_files, a_cost_of_a_measure_not_defined_is_refused)
{
    struct run r;
    start(&r, "costs/referred.csv", NULL, &no_control);
    char *path = test_file("costs.csv", HEADER "ae_attendances,1,a,2022/23,x,y\n"
                                               "taxi_rides,3,per ride,2022/23,x,y\n", -1);
    cr_assert_eq(ps_service_costs_read(r.context, path, &r.costs), PS_OK);
    ps_service_costs_options_t o = options_of(0, 1, 0);
    cr_assert_eq(ps_service_costs_apply(r.costs, &o, r.cohort, &no_control, r.report),
                 PS_ERROR_DEFINITION);
    const struct captured_diagnostic *d = last_diagnostic();
    cr_assert_eq(d->line, 3);
    cr_assert_eq(d->column, 1);
    cr_assert_not_null(strstr(d->message, "'taxi_rides' is not a measure of service_use"));
    free(path);
    finish(&r);
}

Test(costs_files, a_bad_price_index_is_refused)
{
    ps_context_t *context = context_only();
    char *costs_path = test_file("costs.csv", HEADER "ae_attendances,1,a,2022/23,x,y\n", -1);
    ps_service_costs_t *costs = NULL;
    cr_assert_eq(ps_service_costs_read(context, costs_path, &costs), PS_OK);
    static const struct {
        const char *text;
        unsigned long line, column;
        const char *message;
    } cases[] = {
        {"index,I\nsource,S\nyear,level\n2022/23,100\n2021/22,98\n", 5, 1,
         "year 2021/22 does not follow 2022/23: list the years in time order"},
        {"index,I\nsource,S\nyear,level\n2022/23,100\n2023/24,-1\n", 5, 2,
         "level '-1' is not a number above 0"},
        {"index,I\nsource,S\nyear,percent_change\n2022/23,\n2023/24,0x7\n", 5, 2,
         "change '0x7' is not a percentage above -100: not a number written in decimal digits, "
         "such as 12 or 2.5 (no exponent such as 1e3, hex such as 0x10, or separator)"},
        {"index,I\nsource,S\nyear,level\n2022/23,1e2\n", 4, 2,
         "level '1e2' is not a number above 0: not a number written in decimal digits, such as "
         "12 or 2.5 (no exponent such as 1e3, hex such as 0x10, or separator)"},
        {"index,I\nyear,level\n2022/23,100\n", 2, 1,
         "the index's source must come before its years"},
        {"index,I\nsource,S\nyear,percent_change\n2022/23,1\n", 4, 2,
         "the first year is the base: leave its change empty"},
        {"index,I\nsource,S\nyear,ratio\n", 3, 2, "'ratio' is not level or percent_change"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        char *path = test_file("index.csv", cases[k].text, -1);
        cr_assert_eq(ps_service_costs_read_index(costs, path), PS_ERROR_DEFINITION, "%s",
                     cases[k].text);
        const struct captured_diagnostic *d = last_diagnostic();
        cr_assert_eq(d->line, cases[k].line, "%s", d->message);
        cr_assert_eq(d->column, cases[k].column, "%s", d->message);
        cr_assert_str_eq(d->message, cases[k].message);
        free(path);
    }
    cr_assert_null(ps_service_costs_index(costs, NULL));
    ps_service_costs_free(costs);
    free(costs_path);
    ps_context_free(context);
    test_capture_release(&capture);
}

Test(costs_files, xml_unit_costs_are_validated)
{
    ps_context_t *context = context_only();
    char *path = test_file("costs.xml",
                           "<?xml version=\"1.0\"?>\n"
                           "<unit-costs xmlns=\"urn:promscore:unit-costs:1\">\n"
                           "  <cost measure=\"ae_attendances\" value=\"114\" unit=\"per "
                           "attendance\" price-year=\"2022/23\" licence=\"CC0-1.0\">\n"
                           "    <source>test</source>\n"
                           "  </cost>\n"
                           "</unit-costs>\n",
                           -1);
    ps_service_costs_t *costs = NULL;
    cr_assert_eq(ps_service_costs_read(context, path, &costs), PS_OK, "%s", last_message());
    ps_service_costs_free(costs);
    free(path);
    path = test_file("costs.xml",
                     "<?xml version=\"1.0\"?>\n"
                     "<unit-costs xmlns=\"urn:promscore:unit-costs:1\">\n"
                     "  <cost measure=\"ae_attendances\" value=\"-1\" unit=\"a\" "
                     "price-year=\"2022/23\" licence=\"x\"><source>t</source></cost>\n"
                     "</unit-costs>\n",
                     -1);
    cr_assert_eq(ps_service_costs_read(context, path, &costs), PS_ERROR_SCHEMA);
    cr_assert_eq(last_diagnostic()->line, 3, "%s", last_message());
    free(path);
    ps_context_free(context);
    test_capture_release(&capture);
}

/* ---- Against R (tests/golden/costs/costs.R). ---- */

static void golden_run(const char *set, const char *referred, const char *comparison,
                       const char *unit_costs, const char *index, double cost, uint32_t seed,
                       unsigned replicates, int naive)
{
    struct run r;
    start(&r, referred, comparison, &no_control);
    cr_assert_eq(read_costs(&r, unit_costs, index), PS_OK, "%s", last_message());
    ps_service_costs_options_t o = options_of(cost, seed, replicates);
    o.no_counterfactual = naive;
    cr_assert_eq(ps_service_costs_apply(r.costs, &o, r.cohort, &no_control, r.report), PS_OK,
                 "%s", last_message());
    cr_assert_eq(check_golden(set, r.report), 7, "%s", set);
    finish(&r);
}

Test(costs_golden, two_measures_with_a_comparison_cohort)
{
    golden_run("two_measures", "costs/referred.csv", "costs/comparison.csv",
               "costs/unit-costs.csv", "costs/price-index.csv", 20000, 20261130, 0, 0);
}

Test(costs_golden, interpolated_percentiles)
{
    /* 500 replicates: (R + 1) * 0.025 is not whole, so the ends are interpolated as
     * boot.ci's norm.inter does. */
    golden_run("two_measures_r500", "costs/referred.csv", "costs/comparison.csv",
               "costs/unit-costs.csv", "costs/price-index.csv", 20000, 7, 500, 0);
}

Test(costs_golden, naive_against_no_change)
{
    golden_run("naive", "costs/referred.csv", NULL, "costs/unit-costs.csv",
               "costs/price-index.csv", 20000, 1, 0, 1);
}

/*
 * R01 observed for 1 day before referral, with 9 A&E attendances: the counterfactual pools
 * their day with everyone's time before, as the rate ratio does, so it is not made a year's
 * use of their own. Each person scaled by their own time (the rule before) made the return on
 * investment 17.20 (95% CI 0.10 to 54.40) against 0.77 here, while the net rate ratio barely
 * moved.
 */
Test(costs_golden, a_short_time_observed_before_is_not_extrapolated)
{
    char *original = golden("costs/referred.csv");
    char *text = test_slurp(original);
    free(original);
    char *row = strstr(text, "R01,pre12,,9,0\n");
    cr_assert_not_null(row);
    char *edited;
    cr_assert_geq(asprintf(&edited, "%.*sR01,pre12,1,9,0\n%s", (int)(row - text), text,
                           row + strlen("R01,pre12,,9,0\n")),
                  0);
    char *referred = test_file("referred.csv", edited, -1);
    struct run r;
    start(&r, referred, "costs/comparison.csv", &no_control);
    cr_assert_eq(read_costs(&r, "costs/unit-costs.csv", "costs/price-index.csv"), PS_OK, "%s",
                 last_message());
    ps_service_costs_options_t o = options_of(20000, 20261130, 0);
    cr_assert_eq(ps_service_costs_apply(r.costs, &o, r.cohort, &no_control, r.report), PS_OK,
                 "%s", last_message());
    cr_assert_eq(check_golden("short_before", r.report), 7);
    /* Observed over expected is the report's own net rate ratio, measure by measure. */
    static const char *const measures[] = {"ae_attendances", "emergency_admissions"};
    for (size_t k = 0; k < 2; k++)
        cr_assert_float_eq(shown(r.report, measures[k], "cost_after") /
                               shown(r.report, measures[k], "cost_expected_after"),
                           use_of(r.report, measures[k], "net_rate_ratio"), 1e-12, "%s",
                           measures[k]);
    cr_assert_lt(shown(r.report, "total", "roi"), 1);
    finish(&r);
    free(referred);
    free(edited);
    free(text);
}

Test(costs_golden, camden_interval_includes_no_avoidance)
{
    struct run r;
    start(&r, "service/camden_referred.csv", "service/camden_comparison.csv", &no_control);
    char *path = test_file("costs.csv", HEADER "ae_attendances,114,per attendance,2022/23,"
                                               "test,CC0-1.0\n", -1);
    cr_assert_eq(ps_service_costs_read(r.context, path, &r.costs), PS_OK);
    free(path);
    ps_service_costs_options_t o = options_of(5000, 1, 0);
    cr_assert_eq(ps_service_costs_apply(r.costs, &o, r.cohort, &no_control, r.report), PS_OK,
                 "%s", last_message());
    cr_assert_eq(check_golden("camden", r.report), 7);
    /* Equal falls in both cohorts: zero net avoidance is inside the interval, though the
     * gross fall is large. */
    cr_assert_lt(shown(r.report, "total", "roi_ci_low"), 0);
    cr_assert_gt(shown(r.report, "total", "roi_ci_high"), 0);
    cr_assert_gt(shown(r.report, "total", "gross_cost_fall"), 10000);
    const ps_statistic_t *low = figure_of(r.report, "total", "roi_ci_low");
    cr_assert_not_null(strstr(low->note, "1999 of 1999 bootstrap replicates (seed 1;"));
    finish(&r);
}

/* ---- Without a counterfactual; periods; disclosure control. ---- */

Test(costs_report, without_a_counterfactual_only_the_gross_fall)
{
    struct run r;
    start(&r, "costs/referred.csv", NULL, &no_control);
    cr_assert_eq(read_costs(&r, "costs/unit-costs.csv", "costs/price-index.csv"), PS_OK);
    ps_service_costs_options_t o = options_of(20000, 1, 0);
    cr_assert_eq(ps_service_costs_apply(r.costs, &o, r.cohort, &no_control, r.report), PS_OK);
    const ps_statistic_t *gross = figure_of(r.report, "total", "gross_cost_fall");
    cr_assert_eq(gross->shown, PS_SHOWN);
    cr_assert_not_null(strstr(gross->note, "not attributable"));
    static const char *const absent[] = {"cost_expected_after", "notional_cost_avoidance", "roi",
                                         "roi_ci_low", "p_roi_above_1",
                                         "break_even_rate_ratio"};
    for (size_t k = 0; k < sizeof absent / sizeof absent[0]; k++) {
        const ps_statistic_t *s = figure_of(r.report, "total", absent[k]);
        cr_assert_eq(s->shown, PS_NOT_COMPUTABLE, "%s", absent[k]);
        cr_assert_not_null(strstr(s->reason, "no counterfactual"), "%s", s->reason);
    }
    finish(&r);
}

Test(costs_report, naive_figures_are_stamped)
{
    struct run r;
    start(&r, "costs/referred.csv", NULL, &no_control);
    cr_assert_eq(read_costs(&r, "costs/unit-costs.csv", "costs/price-index.csv"), PS_OK);
    ps_service_costs_options_t o = options_of(20000, 1, 0);
    o.no_counterfactual = 1;
    cr_assert_eq(ps_service_costs_apply(r.costs, &o, r.cohort, &no_control, r.report), PS_OK);
    static const char *const stamped[] = {"cost_expected_after", "notional_cost_avoidance", "roi",
                                          "roi_ci_low", "roi_ci_high", "p_roi_above_1",
                                          "break_even_rate_ratio"};
    for (size_t k = 0; k < sizeof stamped / sizeof stamped[0]; k++) {
        const ps_statistic_t *s = figure_of(r.report, "total", stamped[k]);
        cr_assert_eq(s->shown, PS_SHOWN, "%s", stamped[k]);
        cr_assert(s->note && strstr(s->note, "NAIVE"), "%s: %s", stamped[k],
                  s->note ? s->note : "no note");
    }
    /* Against no change, the avoidance is the gross fall. */
    cr_assert_float_eq(shown(r.report, "total", "notional_cost_avoidance"),
                       shown(r.report, "total", "gross_cost_fall"), 1e-9);
    finish(&r);
}

Test(costs_report, a_programme_period_unlike_the_window_gives_no_roi)
{
    struct run r;
    start(&r, "costs/referred.csv", "costs/comparison.csv", &no_control);
    cr_assert_eq(read_costs(&r, "costs/unit-costs.csv", "costs/price-index.csv"), PS_OK);
    ps_service_costs_options_t o = options_of(20000, 1, 0);
    o.programme_days = 182;
    cr_assert_eq(ps_service_costs_apply(r.costs, &o, r.cohort, &no_control, r.report), PS_OK);
    const ps_statistic_t *roi = figure_of(r.report, "total", "roi");
    cr_assert_eq(roi->shown, PS_NOT_COMPUTABLE);
    cr_assert_str_eq(roi->reason, "the programme's period (182 days) is not the after window's "
                                  "(365 days)");
    finish(&r);
}

Test(costs_report, costs_are_hidden_with_the_events_they_rest_on)
{
    /* Three people: every count of 1 to 7 is hidden, and so is every cost. */
    struct run r;
    r.context = context_only();
    r.definition = shipped(r.context);
    ps_service_options_t so;
    ps_service_options_init(&so, sizeof so);
    so.windows = year_after;
    so.n_windows = 2;
    cr_assert_eq(ps_service_cohort_new(r.context, r.definition, &so, &r.cohort), PS_OK);
    char *path = test_file("counts.csv",
                           "participant_id,window,ae_attendances\n"
                           "a,pre12,9\na,post12,4\nb,pre12,8\nb,post12,6\nc,pre12,7\nc,post12,2\n",
                           -1);
    cr_assert_eq(ps_service_read(r.cohort, path, PS_SERVICE_REFERRED, &handlers, NULL), PS_OK);
    free(path);
    const ps_disclosure_t rule = {1, 7, 0};
    cr_assert_eq(ps_service_report(r.cohort, &rule, &r.report), PS_OK);
    r.costs = NULL;
    path = test_file("costs.csv", HEADER "ae_attendances,114,a,2022/23,x,y\n", -1);
    cr_assert_eq(ps_service_costs_read(r.context, path, &r.costs), PS_OK);
    free(path);
    ps_service_costs_options_t o = options_of(1000, 1, 0);
    o.no_counterfactual = 1;
    cr_assert_eq(ps_service_costs_apply(r.costs, &o, r.cohort, &rule, r.report), PS_OK);
    static const char *const names[] = {"cost_before", "cost_after", "gross_cost_fall",
                                        "notional_cost_avoidance", "roi", "roi_ci_low"};
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        cr_assert_eq(figure_of(r.report, "ae_attendances", names[k]) ?
                     figure_of(r.report, "ae_attendances", names[k])->shown : PS_SUPPRESSED,
                     PS_SUPPRESSED, "%s", names[k]);
        cr_assert_eq(figure_of(r.report, "total", names[k])->shown, PS_SUPPRESSED, "%s",
                     names[k]);
    }
    /* The unit cost is about no one. */
    cr_assert_eq(figure_of(r.report, "ae_attendances", "unit_cost")->shown, PS_SHOWN);
    finish(&r);
}

/* Fifteen people, everyone observed for the whole year before; p15 for 120 days after (they
 * died). p01 had 'first' A&E attendances before and p15 'last'. */
static ps_service_report_t *one_part_observed(struct run *r, int first, int last,
                                              const ps_disclosure_t *rule)
{
    char text[2048] = "participant_id,window,exposure_days,ae_attendances\n";
    for (int i = 1; i <= 15; i++) {
        int before = i == 1 ? first : i == 15 ? last : 8 + i % 5;
        snprintf(text + strlen(text), sizeof text - strlen(text),
                 "p%02d,pre12,,%d\np%02d,post12,%s,%d\n", i, before, i, i == 15 ? "120" : "",
                 3 + i % 4);
    }
    r->context = context_only();
    r->definition = shipped(r->context);
    ps_service_options_t so;
    ps_service_options_init(&so, sizeof so);
    so.windows = year_after;
    so.n_windows = 2;
    cr_assert_eq(ps_service_cohort_new(r->context, r->definition, &so, &r->cohort), PS_OK);
    char *path = test_file("counts.csv", text, -1);
    cr_assert_eq(ps_service_read(r->cohort, path, PS_SERVICE_REFERRED, &handlers, NULL), PS_OK,
                 "%s", last_message());
    free(path);
    cr_assert_eq(ps_service_report(r->cohort, rule, &r->report), PS_OK, "%s", last_message());
    path = test_file("costs.csv", HEADER "ae_attendances,114,a,2022/23,x,y\n", -1);
    cr_assert_eq(ps_service_costs_read(r->context, path, &r->costs), PS_OK);
    free(path);
    ps_service_costs_options_t o = options_of(0, 1, 0);
    cr_assert_eq(ps_service_costs_apply(r->costs, &o, r->cohort, rule, r->report), PS_OK, "%s",
                 last_message());
    return r->report;
}

/*
 * One person observed for part of the window after: the gross fall rests on the people's use
 * before pooled over their time, u * (X * B / A - Y) from the published events and
 * person-years, so it cannot give that person's count. Weighting each person's count by their
 * own time (the rule before) gave x_j = (X - G / u - Y) / (1 - b_j / 365): p15's 6 or 10.
 */
Test(costs_report, the_gross_fall_gives_no_one_part_observed_away)
{
    const ps_disclosure_t rule = {1, 7, 0};
    struct run a, b;
    one_part_observed(&a, 10, 6, &rule);
    one_part_observed(&b, 6, 10, &rule);
    const double u = shown(a.report, "ae_attendances", "unit_cost");
    const double x = use_of(a.report, "ae_attendances", "events_before"),
                 y = use_of(a.report, "ae_attendances", "events_after"),
                 years_before = use_of(a.report, "ae_attendances", "person_years_before"),
                 years_after = use_of(a.report, "ae_attendances", "person_years_after");
    cr_assert_float_eq(years_after, (14 * 365 + 120) / 365.25, 1e-12);
    const double gross = shown(a.report, "ae_attendances", "gross_cost_fall");
    cr_assert_float_eq(gross, u * (x * years_after / years_before - y), 1e-9);
    cr_assert_float_eq(shown(a.report, "total", "gross_cost_fall"), gross, 1e-9);
    /* p01 and p15 swapping their counts changes nothing published. */
    cr_assert_eq(shown(b.report, "ae_attendances", "gross_cost_fall"), gross);
    finish(&a);
    finish(&b);
}

Test(costs_report, rounding_withholds_costs_that_give_exact_events)
{
    struct run r;
    const ps_disclosure_t rule = {1, 0, 5};
    start(&r, "costs/referred.csv", "costs/comparison.csv", &rule);
    cr_assert_eq(read_costs(&r, "costs/unit-costs.csv", "costs/price-index.csv"), PS_OK);
    ps_service_costs_options_t o = options_of(0, 1, 0);
    cr_assert_eq(ps_service_costs_apply(r.costs, &o, r.cohort, &rule, r.report), PS_OK);
    const ps_statistic_t *before = figure_of(r.report, "ae_attendances", "cost_before");
    cr_assert_eq(before->shown, PS_SUPPRESSED);
    cr_assert_not_null(strstr(before->note, "withheld under rounding"));
    finish(&r);
}

Test(costs_report, a_scenario_is_labelled_with_its_assumption)
{
    struct run r;
    start(&r, "costs/referred.csv", "costs/comparison.csv", &no_control);
    cr_assert_eq(read_costs(&r, "costs/unit-costs.csv", "costs/price-index.csv"), PS_OK);
    ps_service_costs_options_t o = options_of(20000, 1, 100);
    o.scenario_years = 3;
    o.scenario_drop_off = 0.5;
    cr_assert_eq(ps_service_costs_apply(r.costs, &o, r.cohort, &no_control, r.report), PS_OK,
                 "%s", last_message());
    /* R's avoidance (expected.csv, two_measures) for a year, then half and a quarter of it:
     * 12356.121846315949 x 1.75 = 21623.213231052912, over 20000 = 1.0811606615526457. */
    cr_assert_float_eq(shown(r.report, "total", "scenario_cost_avoidance"), 21623.213231052912,
                       1e-8);
    cr_assert_float_eq(shown(r.report, "total", "scenario_roi"), 1.0811606615526457, 1e-12);
    const ps_statistic_t *s = figure_of(r.report, "total", "scenario_roi");
    cr_assert_str_eq(s->note, "SCENARIO, not observed: assumes the notional cost avoidance of "
                              "the year observed after (post12) continues for 3 years in all, "
                              "falling by 50% a year, with no further programme cost; nothing "
                              "beyond the time observed is data");
    /* The observed figures are not extrapolated. */
    cr_assert_float_eq(shown(r.report, "total", "roi"), 0.61780609231579742, 1e-12);
    finish(&r);
}

Test(costs_report, no_scenario_unless_asked)
{
    struct run r;
    start(&r, "costs/referred.csv", "costs/comparison.csv", &no_control);
    cr_assert_eq(read_costs(&r, "costs/unit-costs.csv", "costs/price-index.csv"), PS_OK);
    ps_service_costs_options_t o = options_of(20000, 1, 100);
    cr_assert_eq(ps_service_costs_apply(r.costs, &o, r.cohort, &no_control, r.report), PS_OK);
    cr_assert_null(figure_of(r.report, "total", "scenario_cost_avoidance"));
    cr_assert_null(figure_of(r.report, "total", "scenario_roi"));
    finish(&r);
}

/* ---- What the readers refuse besides. ---- */

/* A unit costs file of 'size' bytes refused at 'line' and 'column' with 'message'. */
static void refused_bytes(const char *bytes, int size, unsigned long line, unsigned long column,
                          const char *message)
{
    ps_context_t *context = context_only();
    char *path = test_file("costs.csv", bytes, size);
    ps_service_costs_t *costs = NULL;
    cr_assert_eq(ps_service_costs_read(context, path, &costs), PS_ERROR_DEFINITION, "%s",
                 last_message());
    cr_assert_null(costs);
    const struct captured_diagnostic *d = last_diagnostic();
    cr_assert_str_eq(d->file, path);
    cr_assert_eq(d->line, line, "%s: line %lu", d->message, d->line);
    cr_assert_eq(d->column, column, "%s: column %lu", d->message, d->column);
    cr_assert_str_eq(d->message, message);
    free(path);
    ps_context_free(context);
    test_capture_release(&capture);
}

/* A price index of 'size' bytes (-1: a string) refused at 'line' and 'column' with 'message'. */
static void index_refused(const char *bytes, int size, unsigned long line, unsigned long column,
                          const char *message)
{
    ps_context_t *context = context_only();
    char *costs_path = test_file("costs.csv", HEADER "ae_attendances,1,a,2022/23,x,y\n", -1);
    ps_service_costs_t *costs = NULL;
    cr_assert_eq(ps_service_costs_read(context, costs_path, &costs), PS_OK);
    char *path = test_file("index.csv", bytes, size);
    cr_assert_eq(ps_service_costs_read_index(costs, path), PS_ERROR_DEFINITION, "%s", bytes);
    const struct captured_diagnostic *d = last_diagnostic();
    cr_assert_str_eq(d->file, path);
    cr_assert_eq(d->line, line, "%s: line %lu", d->message, d->line);
    cr_assert_eq(d->column, column, "%s: column %lu", d->message, d->column);
    cr_assert_str_eq(d->message, message);
    cr_assert_null(ps_service_costs_index(costs, NULL));
    ps_service_costs_free(costs);
    free(path);
    free(costs_path);
    ps_context_free(context);
    test_capture_release(&capture);
}

Test(costs_files, a_nul_byte_in_a_number_refuses_the_file)
{
    static const char costs[] = HEADER "ae_attendances,1\0" "9,per attendance,2022/23,x,y\n";
    refused_bytes(costs, (int)sizeof costs - 1, 2, 2,
                  "value is not valid UTF-8 text: it holds a NUL byte or bytes that are no "
                  "character");
    static const char index[] = "index,I\nsource,S\nyear,percent_change\n2022/23,\n"
                                "2023/24,1\0" "9\n";
    index_refused(index, (int)sizeof index - 1, 5, 2,
                  "not valid UTF-8 text: the field holds a NUL byte or bytes that are no "
                  "character");
}

Test(costs_files, a_year_missing_from_percent_changes_is_refused)
{
    index_refused("index,I\nsource,S\nyear,percent_change\n2021/22,\n2023/24,10\n", -1, 5, 1,
                  "year 2022/23 is missing before 2023/24: percent changes are of consecutive "
                  "years, each from the one before (levels may skip years)");
    index_refused("index,I\nsource,S\nyear,percent_change\n2021,\n2022,3\n2024,10\n", -1, 6, 1,
                  "year 2023 is missing before 2024: percent changes are of consecutive years, "
                  "each from the one before (levels may skip years)");
    /* Levels may skip years: 2021/22 to 2023/24 is their ratio, 110 / 100. */
    struct run r;
    start(&r, "costs/referred.csv", NULL, &no_control);
    char *costs = test_file("costs.csv", HEADER "ae_attendances,100,a,2021/22,x,y\n", -1);
    char *index = test_file("index.csv", "index,I\nsource,S\nyear,level\n2021/22,100\n"
                                         "2023/24,110\n", -1);
    cr_assert_eq(ps_service_costs_read(r.context, costs, &r.costs), PS_OK, "%s", last_message());
    cr_assert_eq(ps_service_costs_read_index(r.costs, index), PS_OK, "%s", last_message());
    ps_service_costs_options_t o = options_of(0, 1, 0);
    o.price_year = "2023/24";
    cr_assert_eq(ps_service_costs_apply(r.costs, &o, r.cohort, &no_control, r.report), PS_OK,
                 "%s", last_message());
    cr_assert_float_eq(shown(r.report, "ae_attendances", "unit_cost"), 110, 1e-9);
    free(costs);
    free(index);
    finish(&r);
}

Test(costs_files, a_plus_sign_mixed_years_and_a_second_name_are_refused)
{
    index_refused("index,I\nsource,S\nyear,percent_change\n2021/22,\n2022/23,+10\n", -1, 5, 2,
                  "change '+10' has a leading +: write a rise without a sign and a fall with a "
                  "- (e.g. 4.31 or -0.5)");
    index_refused("index,I\nsource,S\nyear,percent_change\n2021/22,\n2023,10\n", -1, 5, 1,
                  "year 2023 is a calendar year and the index's first, 2021/22, a financial "
                  "one: an index gives years of one kind");
    index_refused("index,I\nsource,S\nyear,level\n2021,100\n2022/23,110\n", -1, 5, 1,
                  "year 2022/23 is a financial year and the index's first, 2021, a calendar "
                  "one: an index gives years of one kind");
    index_refused("index,I\nsource,S\nindex,J\nyear,level\n2021,100\n2022,110\n", -1, 3, 1,
                  "index is given twice (first 'I'): a price index has one name, one source "
                  "and one licence");
    index_refused("index,I\nsource,S\nSource,T\nyear,level\n2021,100\n2022,110\n", -1, 3, 1,
                  "Source is given twice (first 'S'): a price index has one name, one source "
                  "and one licence");
}

Test(costs_files, amounts_above_1e9_are_refused)
{
    refused_bytes(HEADER "ae_attendances,1000000000.5,a,2022/23,x,y\n", -1, 2, 2,
                  "unit cost '1000000000.5' is more than 1e9: not the cost of one unit of use");
    index_refused("index,I\nsource,S\nyear,level\n2021,100\n2022,1000000001\n", -1, 5, 2,
                  "level '1000000001' is more than 1e9: not a price index");
    index_refused("index,I\nsource,S\nyear,percent_change\n2021,\n2022,99999\n"
                  "2023,9999999\n", -1, 6, 2,
                  "change '9999999' takes the index above 1e9 (its first year is 100): not a "
                  "price index");
}

/*
 * One person of five in the comparison cohort has an A&E attendance before: a replicate that
 * draws only the other four has no rate ratio, so no interval or probability is given (the
 * finite replicates alone would be a selected subset), and the note says how many were finite.
 */
Test(costs_report, no_interval_when_a_replicate_is_not_finite)
{
    struct run r;
    r.context = context_only();
    r.definition = shipped(r.context);
    ps_service_options_t so;
    ps_service_options_init(&so, sizeof so);
    so.windows = year_after;
    so.n_windows = 2;
    cr_assert_eq(ps_service_cohort_new(r.context, r.definition, &so, &r.cohort), PS_OK);
    char *referred = golden("costs/referred.csv");
    char *comparison = test_file("comparison.csv",
                                 "participant_id,window,exposure_days,ae_attendances\n"
                                 "C1,pre12,,6\nC1,post12,,3\nC2,pre12,,0\nC2,post12,,1\n"
                                 "C3,pre12,,0\nC3,post12,,0\nC4,pre12,,0\nC4,post12,,2\n"
                                 "C5,pre12,,0\nC5,post12,,0\n", -1);
    char *costs = test_file("costs.csv", HEADER "ae_attendances,100,a,2023,x,y\n", -1);
    cr_assert_eq(ps_service_read(r.cohort, referred, PS_SERVICE_REFERRED, &handlers, NULL),
                 PS_OK, "%s", last_message());
    cr_assert_eq(ps_service_read(r.cohort, comparison, PS_SERVICE_COMPARISON, &handlers, NULL),
                 PS_OK, "%s", last_message());
    cr_assert_eq(ps_service_report(r.cohort, &no_control, &r.report), PS_OK);
    cr_assert_eq(ps_service_costs_read(r.context, costs, &r.costs), PS_OK, "%s", last_message());
    ps_service_costs_options_t o = options_of(1000, 1, 1999);
    cr_assert_eq(ps_service_costs_apply(r.costs, &o, r.cohort, &no_control, r.report), PS_OK,
                 "%s", last_message());
    /* The estimate itself is finite: the comparison cohort has 6 events before. */
    cr_assert(isfinite(shown(r.report, "total", "roi")));
    const char *names[] = {"roi_ci_low", "roi_ci_high", "p_roi_above_1"};
    for (size_t k = 0; k < 3; k++) {
        const ps_statistic_t *s = figure_of(r.report, "total", names[k]);
        cr_assert_eq(s->shown, PS_NOT_COMPUTABLE, "%s", names[k]);
        cr_assert_str_eq(s->reason, "some bootstrap replicates are not a finite number (the "
                                    "note says how many are): an interval of the others alone "
                                    "would be a selected subset");
        /* (4/5)^5 of the replicates draw no one with events before: about a third. */
        unsigned long finite = 0;
        cr_assert_eq(sscanf(s->note, "%lu of 1999 bootstrap replicates", &finite), 1, "%s",
                     s->note);
        cr_assert(finite > 1100 && finite < 1500, "%lu finite", finite);
    }
    free(referred);
    free(comparison);
    free(costs);
    finish(&r);
}

/* A list of who completed with a column saying whether each did: only "yes" is a completer. */
Test(costs_files, a_completion_column_must_say_yes)
{
    struct run r;
    start(&r, "costs/referred.csv", NULL, &no_control);
    cr_assert_eq(read_costs(&r, "costs/unit-costs.csv", "costs/price-index.csv"), PS_OK);
    char *list = test_file("completed.csv", "participant_id,Completed\nR01,yes\nR02,no\n", -1);
    ps_batch_summary_t summary;
    cr_assert_eq(ps_service_costs_read_completed(r.costs, r.cohort, list, &handlers, &summary),
                 PS_ERROR_BATCH);
    const struct captured_diagnostic *d = last_diagnostic();
    cr_assert_str_eq(d->file, list);
    cr_assert_eq(d->line, 3);
    cr_assert_eq(d->column, 2);
    cr_assert_str_eq(d->message, "'no' in column 'Completed': a list of who completed the "
                                 "programme names completers only, one a row; a column saying "
                                 "whether each one completed must say yes on every row (leave "
                                 "out those who did not complete)");
    free(list);
    /* Yes on every row: used. Another column is named as not read. */
    list = test_file("completed.csv", "note,participant_id,completion status\n"
                                      "x,R01,YES\n,R02,yes\n", -1);
    size_t before = capture.n_diagnostics;
    cr_assert_eq(ps_service_costs_read_completed(r.costs, r.cohort, list, &handlers, &summary),
                 PS_OK, "%s", last_message());
    cr_assert_eq(summary.rows_read, 2);
    cr_assert_eq(summary.rows_scored, 2);
    cr_assert_eq(capture.n_diagnostics, before + 1);
    d = last_diagnostic();
    cr_assert_eq(d->error, PS_OK);
    cr_assert_eq(d->line, 1);
    cr_assert_eq(d->column, 1);
    cr_assert_str_eq(d->message, "column 'note' is not read: everyone listed is taken to have "
                                 "completed the programme");
    free(list);
    /* An empty flag is not yes either. */
    list = test_file("completed.csv", "participant_id,status\nR01,yes\nR02,\n", -1);
    cr_assert_eq(ps_service_costs_read_completed(r.costs, r.cohort, list, &handlers, &summary),
                 PS_ERROR_BATCH);
    cr_assert_eq(last_diagnostic()->line, 3);
    cr_assert(strncmp(last_message(), "'' in column 'status':", 22) == 0, "%s", last_message());
    free(list);
    finish(&r);
}

/*
 * A cost of a measure with no count read (ambulance conveyances: the fixture has none) is not
 * used: named, left out of the rows used, and it does not set the report's price year, which
 * is A&E's own, 2021/22 (before, the unused 2023/24 set it and A&E was uprated to it).
 */
Test(costs_report, a_cost_not_used_sets_nothing_and_is_named)
{
    struct run r;
    start(&r, "costs/referred.csv", "costs/comparison.csv", &no_control);
    char *costs = test_file("costs.csv", HEADER "ae_attendances,114,a,2021/22,x,y\n"
                                                "ambulance_conveyances,250,a,2023/24,x,y\n", -1);
    char *index = golden("costs/price-index.csv");
    cr_assert_eq(ps_service_costs_read(r.context, costs, &r.costs), PS_OK, "%s", last_message());
    cr_assert_eq(ps_service_costs_read_index(r.costs, index), PS_OK, "%s", last_message());
    ps_batch_summary_t rows, years;
    ps_service_costs_options_t o = options_of(0, 1, 0);
    o.unit_costs_summary = &rows;
    o.price_index_summary = &years;
    cr_assert_eq(ps_service_costs_apply(r.costs, &o, r.cohort, &no_control, r.report), PS_OK,
                 "%s", last_message());
    const struct captured_diagnostic *d = last_diagnostic();
    cr_assert_eq(d->error, PS_OK);
    cr_assert_str_eq(d->file, costs);
    cr_assert_eq(d->line, 3);
    cr_assert_eq(d->column, 1);
    cr_assert_str_eq(d->message, "the unit cost of ambulance_conveyances is not used: no count "
                                 "of it was read");
    cr_assert_float_eq(shown(r.report, "ae_attendances", "unit_cost"), 114, 1e-12);
    cr_assert_str_eq(figure_of(r.report, "ae_attendances", "unit_cost")->note,
                     "114.00 (2021/22; x; licence y)");
    cr_assert_null(figure_of(r.report, "ambulance_conveyances", "unit_cost"));
    cr_assert_str_eq(rows.file, costs);
    cr_assert_eq(rows.rows_read, 2);
    cr_assert_eq(rows.rows_scored, 1);
    cr_assert_eq(rows.rows_rejected, 0);
    cr_assert_str_eq(years.file, index);
    cr_assert_eq(years.rows_read, 4);
    cr_assert_eq(years.rows_scored, 0);
    free(costs);
    free(index);
    finish(&r);
}

/* Percentage changes compound: a chain from 2021/22 to 2023/24 rests on the three years. */
Test(costs_report, the_index_years_a_chain_rests_on_are_counted)
{
    struct run r;
    start(&r, "costs/referred.csv", "costs/comparison.csv", &no_control);
    cr_assert_eq(read_costs(&r, "costs/unit-costs.csv", "costs/price-index.csv"), PS_OK);
    ps_batch_summary_t rows, years;
    ps_service_costs_options_t o = options_of(0, 1, 0);
    o.unit_costs_summary = &rows;
    o.price_index_summary = &years;
    cr_assert_eq(ps_service_costs_apply(r.costs, &o, r.cohort, &no_control, r.report), PS_OK,
                 "%s", last_message());
    cr_assert_eq(rows.rows_read, 2);
    cr_assert_eq(rows.rows_scored, 2);
    cr_assert_eq(years.rows_read, 4);
    cr_assert_eq(years.rows_scored, 3);
    finish(&r);
}
