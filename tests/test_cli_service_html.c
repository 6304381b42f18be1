/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * promscore service -f html end to end: a self-contained page whose every
 * number is accounted for (a figure the service CSV publishes; in the
 * statement at its top, the windows and the disclosure section, what the JSON
 * says of them; in the definitions, the measures' file; in how it was made,
 * the version or an argument), the selection rule and regression to the mean
 * at the top, suppressed cells shown as suppressed, every chart with its title,
 * description and table, text from data escaped, the warning of a page whose
 * small numbers are shown, and the files by their base names. With unit costs,
 * the costs section: its money is the CSV's too, naive figures are stamped,
 * nothing is called savings, and hidden costs stay hidden in the bridge chart.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <criterion/criterion.h>

#include "helpers.h"

static char *golden(const char *name)
{
    char *relative, *path;
    cr_assert_geq(asprintf(&relative, "../golden/service/%s", name), 0);
    path = test_data(relative);
    free(relative);
    return path;
}

static void assert_has(const char *text, const char *part)
{
    cr_assert_not_null(strstr(text, part), "wanted \"%s\" in:\n%s", part, text);
}

/* ---- Every number on the page, accounted for. ---- */

/* The labels of the measures in a definition's XML (label="..."), unescaped. */
static size_t measure_labels(const char *xml, char labels[][256], size_t most)
{
    size_t n = 0;
    for (const char *p = xml; n < most && (p = strstr(p, " label=\"")); n++) {
        p += 8;
        size_t k = 0;
        for (; *p && *p != '"' && k + 1 < 256; k++) {
            if (strncmp(p, "&amp;", 5) == 0) {
                labels[n][k] = '&';
                p += 5;
            } else if (strncmp(p, "&lt;", 4) == 0 || strncmp(p, "&gt;", 4) == 0) {
                labels[n][k] = p[1] == 'l' ? '<' : '>';
                p += 4;
            } else {
                labels[n][k] = *p++;
            }
        }
        labels[n][k] = '\0';
    }
    return n;
}

/* What the page's numbers may be, outside the figures the CSV publishes. */
struct sources {
    const char *csv;      /* the report's CSV */
    const char *prelude;  /* the JSON up to its results: rule, audit, windows, statement */
    const char *measures; /* the measures' XML */
    const char *made;     /* promscore's version and the command's arguments */
};

/*
 * Every number in the text of the page (its style and markup aside: ids, coordinates) is
 * accounted for, once the selection rule, the windows' names and the measures' labels are
 * blanked: before the headline, a number of the JSON's prelude; from the headline to the
 * disclosure section, a figure the CSV publishes, an axis tick (a chart label of class "small")
 * or the 95 of "95% CI"; in the disclosure section, a number of the JSON's prelude; none in
 * the caveats; in the definitions, one of the measures' XML; in how the page was made, the
 * version or an argument. Returns how many figures were checked against the CSV.
 */
static size_t every_number_is_accounted_for(const char *given, const struct sources *from,
                                            const char *rule, const char *const *windows,
                                            size_t n_windows)
{
    char *html = strdup(given);
    cr_assert_not_null(html);
    char labels[64][256];
    size_t n_labels = measure_labels(from->measures, labels, 64);
    cr_assert_gt(n_labels, 0);
    test_blank(html, "promscore-statistics(7)");
    /* Why a figure is not computable, as the CSV gives it, is said below its table. */
    for (const char *p = from->csv; (p = strstr(p, ",not computable: ")); p++) {
        size_t n = strcspn(p + 17, ",\"\n");
        char *reason = strndup(p + 17, n);
        cr_assert_not_null(reason);
        test_blank(html, reason);
        free(reason);
    }
    /* What a figure rests on, as the CSV's note gives it (a unit cost's chain, the bootstrap's
     * seed and replicates, a scenario's assumption), and the words of the return on
     * investment. */
    for (const char *line = from->csv; line && *line;
         line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
        const char *note = line;
        for (int k = 0; k < 8 && note; k++) {
            note = strchr(note, ',');
            note = note ? note + 1 : NULL;
        }
        if (!note || *note == '\n' || !*note)
            continue;
        char *text = strndup(note + (*note == '"'), strcspn(note + (*note == '"'), "\n"));
        cr_assert_not_null(text);
        size_t n = strlen(text);
        if (*note == '"' && n && text[n - 1] == '"')
            text[n - 1] = '\0';
        test_blank(html, text);
        /* The completers' "(N of M referred)", which the heading of their table repeats. */
        const char *counted = strstr(text, "completers only (");
        if (counted) {
            counted += strlen("completers only ");
            char *part = strndup(counted, strcspn(counted, ")") + 1);
            cr_assert_not_null(part);
            test_blank(html, part);
            free(part);
        }
        free(text);
    }
    test_blank(html, "per \u00a31");
    test_blank(html, "P(ROI > 1)");
    if (rule)
        test_blank(html, rule);
    for (size_t k = 0; k < n_labels; k++)
        test_blank(html, labels[k]);
    for (size_t w = 0; w < n_windows; w++)
        test_blank(html, windows[w]);
    const char *headline = strstr(html, "<section id=\"headline\">"),
               *disclosure = strstr(html, "<section id=\"disclosure\">"),
               *caveats = strstr(html, "<section id=\"caveats\">"),
               *definitions = strstr(html, "<section id=\"definitions\">"),
               *made = strstr(html, "<section id=\"made\">");
    cr_assert(headline && disclosure && caveats && definitions && made);
    cr_assert(headline < disclosure && disclosure < caveats && caveats < definitions &&
              definitions < made);
    /* In the costs section, money: "£12,345", "-£525", "£0.09". */
    const char *costs = strstr(html, "<section id=\"costs\"");
    cr_assert(!costs || (costs > headline && costs < disclosure));
    size_t figures = 0;
    struct page_reader reader = {html, html, costs, disclosure, 0, 0};
    for (struct page_number n; test_page_next_number(&reader, &n);) {
        const char *p = n.digits, *start = n.start, *token = n.token;
        if (p < headline || (p > disclosure && p < caveats)) {
            cr_assert(test_number_in(from->prelude, token),
                      "%.80s: %s is not in the JSON's rule, audit, windows or statement", start,
                      token);
        } else if (p < disclosure) {
            if (!n.tick && !(strcmp(token, "95") == 0 && strncasecmp(n.end, "% c", 3) == 0)) {
                const double half = 0.5 * pow(10, -n.decimals) + 1e-9;
                cr_assert(test_csv_publishes(from->csv, n.value, half, half),
                          "%.60s: %.*s is no figure the CSV publishes", start, (int)(n.end - start),
                          start);
                figures++;
            }
        } else if (p < definitions) {
            cr_assert_fail("%.80s: a number in the caveats", start);
        } else if (p < made) {
            cr_assert(test_number_in(from->measures, token),
                      "%.80s: %s is not in the measures' definition", start, token);
        } else {
            cr_assert(test_number_in(from->made, token),
                      "%.80s: %s is neither promscore's version nor an argument", start, token);
        }
    }
    free(html);
    return figures;
}

/* The page of 'args' (service -f html ARGS... -o PAGE), every number checked against the same
 * report's CSV and JSON and the measures' XML ('measures', NULL for the shipped one); 'rule'
 * and 'windows' as the arguments give them. Returns the page. */
static char *checked_page(const char *const *args, size_t n_args, const char *measures,
                          const char *rule, const char *const *windows, size_t n_windows,
                          size_t least_figures)
{
    char *page = test_path("service.html");
    struct run_result out[3];
    test_run_html_csv_json("service", args, n_args, page, out);
    for (int f = 0; f < 3; f++)
        cr_assert_leq(out[f].status, 1, "%s", out[f].err);
    char *html = test_slurp(page);
    cr_assert_not_null(html);
    char *results = strstr(out[2].out, "\"results\"");
    cr_assert_not_null(results);
    *results = '\0';
    char *shipped = test_shipped_measures();
    char *xml = test_slurp(measures ? measures : shipped);
    cr_assert_not_null(xml);
    char made[4096];
    test_version_and_arguments(made, sizeof made, args, n_args);
    /* The page gives one total of hidden counts, as the JSON does, never its parts. */
    cr_assert_not_null(strstr(out[2].out, "\"hidden\": "));
    cr_assert_null(strstr(out[2].out, "\"primary\""));
    cr_assert_null(strstr(out[2].out, "\"secondary\""));
    char *prelude = strdup(out[2].out);
    cr_assert_not_null(prelude);
    struct sources from = {out[1].out, prelude, xml, made};
    size_t figures = every_number_is_accounted_for(html, &from, rule, windows, n_windows);
    cr_assert_geq(figures, least_figures, "the page has %zu figures", figures);
    for (int f = 0; f < 3; f++)
        run_result_free(&out[f]);
    free(prelude);
    free(xml);
    free(shipped);
    free(page);
    return html;
}

/* Each chart: in its <div class="chart">, an <svg> with its title and description, then its
 * numbers in a table with a caption. Returns how many charts. */
static size_t every_chart_has_its_table(const char *html)
{
    size_t charts = 0;
    for (const char *p = html; (p = strstr(p, "<div class=\"chart\">")); p++, charts++) {
        const char *end = strstr(p, "</div>");
        cr_assert_not_null(end);
        const char *svg = strstr(p, "<svg "), *title = strstr(p, "<title id=\""),
                   *desc = strstr(p, "<desc id=\""), *table = strstr(p, "</svg>\n<table>");
        cr_assert(svg && svg < end, "a chart without its <svg>");
        cr_assert(title && title < end && desc && desc < end, "a chart without title or desc");
        cr_assert(table && table < end && strstr(table, "<caption>") < end,
                  "a chart without its table: %.300s", p);
    }
    return charts;
}

static const char *const three_windows[] = {"pre24", "pre12", "post12"};

Test(cli_service_html, page_is_self_contained_and_every_number_is_accounted_for)
{
    char *referred = test_example("service-referred.csv"),
         *comparison = test_example("service-comparison.csv");
    const char *args[] = {"-w",           "pre24=365,pre12=365,post12=365",
                          "-s",           "ae_attendances >= 6 in pre12",
                          "--comparison", comparison,
                          referred};
    char *html = checked_page(args, 7, NULL, "ae_attendances >= 6 in pre12", three_windows, 3, 150);
    cr_assert(strncmp(html, "<!DOCTYPE html>\n<html lang=\"en\">", 32) == 0);
    assert_has(html, "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src "
                     "'none'; style-src 'unsafe-inline'; img-src data:\">");
    assert_has(html, "<title>Service use before and after</title>");
    assert_has(html, "@page{size:A4;margin:14mm}");
    cr_assert_null(strstr(html, "<script"), "no script");
    cr_assert_null(strstr(html, "<link"), "nothing linked");
    cr_assert_null(strstr(html, "url("), "nothing fetched by the style");
    cr_assert_null(strstr(html, "src="), "nothing fetched by an element");
    cr_assert_null(strstr(html, "href="), "no link: a source's address is text");
    cr_assert_null(strstr(html, "NOT FOR RELEASE"));
    /* At the top, not buried: the rule, then regression to the mean with its sources, in the
     * text report's words; then the headline; then the measures. */
    const char *order[] = {
        "<section id=\"selection\">",
        "Selection rule: <bdi>ae_attendances &gt;= 6 in pre12</bdi>",
        "<h3>Regression to the mean</h3>\n<p class=\"regression\">These people were selected "
        "because their use was high (ae_attendances &gt;= 6 in pre12).",
        "(Finkelstein et al., NEJM 2020;382:152)",
        "(Moe et al., Acad Emerg Med 2017;24:40)",
        "(Lago et al., BMJ Open 2019;9:e027700)",
        "The net rate ratio divides out the fall of the comparison cohort",
        "<section id=\"headline\">",
        /* The headline row of A&E attendances: the rate ratio and the net, with their CIs. */
        "<tr><th scope=\"row\">A&amp;E attendances</th><td><bdi>pre12</bdi> to "
        "<bdi>post12</bdi></td><td class=\"num\">64</td><td class=\"num\">9.13</td>"
        "<td class=\"num\">4.40</td><td class=\"num\">0.48 (0.37 to 0.63)</td>"
        "<td class=\"num\">0.98 (0.69 to 1.37)</td></tr>",
        "<section class=\"instrument\">\n<h2>A&amp;E attendances</h2>",
        "<h3><bdi>pre12</bdi> to <bdi>post12</bdi></h3>",
        "<caption>A&amp;E attendances, pre12 to post12 (selected: ae_attendances &gt;= 6 in "
        "pre12)</caption>",
        "<tr><th scope=\"row\">Change in the total</th><td class=\"num\">-53.3%</td>"
        "<td class=\"num\">-52.7%</td></tr>",
        "<tr><th scope=\"row\">Rate ratio (95% CI)</th><td class=\"num\">0.48 (0.37 to "
        "0.63)</td><td class=\"num\">0.49 (0.40 to 0.61)</td></tr>",
        "<tr><th scope=\"row\">Net of the comparison cohort (95% CI)</th><td class=\"num\">"
        "0.98 (0.69 to 1.37)</td><td></td></tr>",
        "<tr><th scope=\"row\">Use fell (share)</th><td class=\"num\">54 (84.4%)</td>"
        "<td class=\"num\">73 (81.1%)</td></tr>",
        "<tr><th scope=\"row\">None in <bdi>post12</bdi></th><td class=\"num hidden\">*</td>"
        "<td class=\"num\">10 (11.1%)</td></tr>",
        "Net of the comparison cohort: the rate ratio of the people referred over the "
        "comparison cohort&#39;s (difference in differences on the log scale). Rate ratio: the "
        "within-person rate ratio, a ratio of sums over the same people "
        "(Poisson&#39;s estimate with log person-time offset); its 95% confidence interval is "
        "cluster-robust",
        "<h4>Rates before and after</h4>",
        "<h4>Rate ratios: is the fall more than the comparison&#39;s?</h4>",
        "<tr><th scope=\"row\">Net: referred over comparison</th><td class=\"num\">0.98</td>"
        "<td class=\"num\">0.69</td><td class=\"num\">1.37</td></tr>",
        "<h3>The earlier window: <bdi>pre24</bdi> to <bdi>pre12</bdi></h3>",
        "<section id=\"disclosure\">",
        "<section id=\"caveats\">",
        "<section id=\"definitions\">",
        "<section id=\"made\">",
    };
    const char *at = html;
    for (size_t k = 0; k < sizeof order / sizeof order[0]; k++) {
        const char *next = strstr(at, order[k]);
        cr_assert_not_null(next, "\"%s\" missing or out of order", order[k]);
        at = next;
    }
    /* Every measure with counts has its section; each comparison its charts and tables. */
    size_t sections = 0;
    for (const char *p = html; (p = strstr(p, "<section class=\"instrument\">")); p++)
        sections++;
    cr_assert_eq(sections, 4, "A&E, admissions, GP consultations and 999 calls");
    /* Two comparisons per measure, each a chart of rates and a forest. */
    cr_assert_eq(every_chart_has_its_table(html), 16);
    /* The audit: one total of hidden counts, never how many were small. */
    char *disclosure = test_section(html, "<section id=\"disclosure\">");
    assert_has(disclosure, "<p>The audit: of 146 counts, 35 were hidden, the small ones and "
                           "those that would let a small one be worked out from the rest; 0 "
                           "figures were withheld");
    /* Not the work the audit took, which varies with the hidden counts. */
    cr_assert_null(strstr(disclosure, "programs"), "%s", disclosure);
    cr_assert_null(strstr(disclosure, "more"), "%s", disclosure);
    cr_assert_null(strstr(disclosure, "band"), "no blocks of bands here: %s", disclosure);
    /* The measures' definition, version and sources. */
    char *definitions = test_section(html, "<section id=\"definitions\">");
    assert_has(definitions, "<caption>Service use: urgent, emergency and primary care, "
                            "ambulance and prescriptions (service_use version 1, "
                            "service_use.xml)</caption>");
    assert_has(definitions, "<tr><th scope=\"row\">ae_attendances</th><td>A&amp;E "
                            "attendances</td><td>attendances</td><td><span class=\"source-id\">"
                            "nice-ng94</span> (not confirmed as official)</td></tr>");
    assert_has(definitions, "<dt class=\"source-id\">unit-costs-2023</dt>");
    cr_assert_null(strstr(definitions, "bed_days"), "only the measures reported");
    /* How it was made: the files by their base names, no folder. */
    char *made = test_section(html, "<section id=\"made\">");
    assert_has(made, "<li><bdi>service-referred.csv</bdi></li>\n"
                     "<li><bdi>service-comparison.csv</bdi></li>");
    assert_has(made, "<bdi>--comparison</bdi> <bdi>service-comparison.csv</bdi>");
    assert_has(made, "<bdi>&#39;ae_attendances &gt;= 6 in pre12&#39;</bdi>");
    cr_assert_null(strstr(made, "/tmp"), "no folder of the page: %s", made);
    cr_assert_null(strstr(made, "examples/"), "no folder of the inputs: %s", made);
    free(made);
    free(definitions);
    free(disclosure);
    free(html);
    free(referred);
    free(comparison);
}

/* The Camden fixture: both cohorts fall alike, and the few who stayed or rose are hidden. */
Test(cli_service_html, suppressed_cells_are_shown_as_suppressed)
{
    char *referred = golden("camden_referred.csv"), *comparison = golden("camden_comparison.csv");
    static const char *const windows[] = {"pre12", "post12"};
    const char *args[] = {
        "-w",    "pre12=365,post12=365", "-s", "ae_attendances >= 6 in pre12", "-c", comparison,
        referred};
    char *html = checked_page(args, 7, NULL, "ae_attendances >= 6 in pre12", windows, 2, 30);
    struct run_result csv = RUN("service", "-q", "-f", "csv", "-w", "pre12=365,post12=365", "-s",
                                "ae_attendances >= 6 in pre12", "-c", comparison, referred);
    assert_has(csv.out, "\nservice_use,ae_attendances,all,pre12->post12,n_stayed,count,,yes,\n");
    assert_has(csv.out, "\nservice_use,ae_attendances,all,pre12->post12,n_rose,count,,yes,\n");
    assert_has(html, "<tr><th scope=\"row\">Use stayed the same</th><td class=\"num hidden\">*"
                     "</td>");
    assert_has(html, "<tr><th scope=\"row\">Use rose</th><td class=\"num hidden\">*</td>");
    /* Both fall alike: a large fall, and a net effect near one. */
    assert_has(html, "<td class=\"num\">0.63 (0.57 to 0.69)</td>");
    assert_has(html, "<td class=\"num\">1.03 (0.90 to 1.16)</td>");
    /* Each figure hidden in the CSV is hidden on the page: as many hidden cells as rows. */
    size_t hidden_rows = 0, hidden_cells = 0;
    for (const char *p = csv.out; (p = strstr(p, ",yes,")); p++)
        hidden_rows++;
    for (const char *p = html; (p = strstr(p, "<td class=\"num hidden\">*</td>")); p++)
        hidden_cells++;
    cr_assert_gt(hidden_rows, 0);
    cr_assert_geq(hidden_cells, hidden_rows - 2,
                  "%zu hidden in the CSV, %zu hidden cells on the page", hidden_rows, hidden_cells);
    run_result_free(&csv);
    free(html);
    free(referred);
    free(comparison);
}

/* Without a comparison cohort: no net, no forest, and the fall not attributed. */
Test(cli_service_html, without_a_comparison_the_fall_is_not_attributed)
{
    char *referred = golden("camden_referred.csv");
    static const char *const windows[] = {"pre12", "post12"};
    const char *args[] = {"-w", "pre12=365,post12=365", "-s", "ae_attendances >= 6 in pre12",
                          referred};
    char *html = checked_page(args, 5, NULL, "ae_attendances >= 6 in pre12", windows, 2, 15);
    assert_has(html, "No comparison cohort was given, so the fall cannot be attributed to the "
                     "service");
    assert_has(html, "Without a comparison cohort a fall cannot be put down to the service.");
    cr_assert_null(strstr(html, "Net of the comparison cohort"));
    cr_assert_null(strstr(html, "Rate ratios: is the fall"));
    cr_assert_null(strstr(html, "Comparison cohort"));
    cr_assert_eq(every_chart_has_its_table(html), 1);
    free(html);
    free(referred);
}

/* A measure labelled like a script, counts in a file named like one. */
Test(cli_service_html, text_from_data_is_escaped)
{
    char *shipped = test_shipped_measures();
    char *xml = test_slurp(shipped);
    cr_assert_not_null(xml);
    const char *from = "label=\"A&amp;E attendances\"";
    char *at = strstr(xml, from);
    cr_assert_not_null(at);
    char *measures = test_path("measures.xml");
    FILE *f = fopen(measures, "w");
    cr_assert_not_null(f);
    fprintf(f, "%.*slabel=\"&lt;script&gt;alert(1)&lt;/script&gt;\"%s", (int)(at - xml), xml,
            at + strlen(from));
    cr_assert_eq(fclose(f), 0);
    char *counts = test_path("<script>counts.csv");
    char *referred = golden("camden_referred.csv");
    char *text = test_slurp(referred);
    f = fopen(counts, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    cr_assert_eq(fclose(f), 0);
    static const char *const windows[] = {"pre12", "post12"};
    const char *args[] = {"-w", "pre12=365,post12=365", "-m", measures, counts};
    char *html = checked_page(args, 5, measures, NULL, windows, 2, 15);
    cr_assert_null(strstr(html, "<script"), "a label or a file's name is never markup");
    assert_has(html, "<h2>&lt;script&gt;alert(1)&lt;/script&gt;</h2>");
    assert_has(html, "<li><bdi>&lt;script&gt;counts.csv</bdi></li>");
    assert_has(html, "Selection rule: not given (--selected)");
    free(html);
    free(text);
    free(referred);
    free(counts);
    free(measures);
    free(xml);
    free(shipped);
}

Test(cli_service_html, small_numbers_shown_are_not_for_release)
{
    char *referred = golden("camden_referred.csv");
    static const struct {
        const char *option, *value, *warning;
    } cases[] = {
        {"--no-suppress", NULL,
         "NOT FOR RELEASE: small numbers not suppressed (--no-suppress). For internal analysis "
         "only."},
        {"--threshold", "0",
         "NOT FOR RELEASE: small numbers not suppressed (--threshold 0). For internal analysis "
         "only."},
        {"--threshold", "1",
         "NOT FOR RELEASE: small numbers not suppressed (--threshold 1 hides only counts of 1). "
         "For internal analysis only."},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        const char *option = cases[c].option, *value = cases[c].value;
        struct run_result html = value ? RUN("service", "-q", "-f", "html", "-w",
                                             "pre12=365,post12=365", option, value, referred)
                                       : RUN("service", "-q", "-f", "html", "-w",
                                             "pre12=365,post12=365", option, referred);
        cr_assert_eq(html.status, 0, "%s", html.err);
        char banner[512];
        snprintf(banner, sizeof banner,
                 "<title>NOT FOR RELEASE: Service use before and after</title>\n<style>");
        cr_assert(strstr(html.out, banner), "%s: the title says so", option);
        snprintf(banner, sizeof banner,
                 "<body>\n<header>\n<p class=\"not-for-release\">%s</p>\n"
                 "<h1>Service use before and after</h1>",
                 cases[c].warning);
        cr_assert(strstr(html.out, banner), "%s: the page opens with the warning", option);
        snprintf(banner, sizeof banner,
                 "<section class=\"instrument\">\n<p class=\"not-for-release\">%s</p>\n<h2>",
                 cases[c].warning);
        cr_assert(strstr(html.out, banner), "%s: and each printed section", option);
        if (!value)
            cr_assert_null(strstr(html.out, "class=\"num hidden\""), "%s: nothing hidden", option);
        run_result_free(&html);
    }
    struct run_result usual = RUN("service", "-q", "-f", "html", "-w", "pre12=365,post12=365",
                                  "--threshold", "2", referred);
    cr_assert_eq(usual.status, 0, "%s", usual.err);
    cr_assert_null(strstr(usual.out, "NOT FOR RELEASE"));
    run_result_free(&usual);
    free(referred);
}

/* The command line as it can be typed again in the folder of its files: each file by its base
 * name however the option gives it, options before the counts as promscore read them. */
Test(cli_service_html, command_line_names_files_by_base_name)
{
    char *referred = golden("camden_referred.csv"), *comparison = golden("camden_comparison.csv");
    char *page = test_path("board page.html"), *output, *page2 = test_path("page2.html"), *short_o;
    cr_assert_geq(asprintf(&output, "--output=%s", page), 0);
    cr_assert_geq(asprintf(&short_o, "-o%s", page2), 0);
    const char *const forms[] = {output, short_o};
    const char *const shown[] = {"<bdi>&#39;--output=board page.html&#39;</bdi>",
                                 "<bdi>-opage2.html</bdi>"};
    for (int k = 0; k < 2; k++) {
        struct run_result r = RUN("service", "-w", "pre12=365,post12=365", referred, "-qf", "html",
                                  forms[k], "--comparison", comparison);
        cr_assert_eq(r.status, 0, "%s", r.err);
        char *html = test_slurp(k ? page2 : page);
        cr_assert_not_null(html);
        char *made = test_section(html, "<section id=\"made\">");
        assert_has(made, shown[k]);
        assert_has(made, "<pre><bdi>promscore</bdi> <bdi>service</bdi> <bdi>-w</bdi> "
                         "<bdi>pre12=365,post12=365</bdi> <bdi>-qf</bdi> <bdi>html</bdi> ");
        assert_has(made, " <bdi>--comparison</bdi> <bdi>camden_comparison.csv</bdi> "
                         "<bdi>camden_referred.csv</bdi></pre>");
        cr_assert_null(strstr(made, "/tmp"), "%s", made);
        cr_assert_null(strstr(made, "golden/"), "%s", made);
        free(made);
        free(html);
        run_result_free(&r);
    }
    free(short_o);
    free(output);
    free(page2);
    free(page);
    free(referred);
    free(comparison);
}

/* Windows of different lengths: the change in the total is not computable, and the page says
 * why below the table, as the CSV does. */
Test(cli_service_html, not_computable_with_its_reason)
{
    char *counts = golden("exposure.csv");
    static const char *const windows[] = {"pre12", "post6"};
    const char *args[] = {"-w", "pre12=365,post6=183", "--no-suppress", counts};
    char *html = checked_page(args, 4, NULL, NULL, windows, 2, 10);
    assert_has(html, "<tr><th scope=\"row\">Change in the total</th><td class=\"num\">-</td>"
                     "</tr>");
    assert_has(html, "<li>People referred, events_change not computable: windows of different "
                     "lengths (365 and 183 days): compare the rates</li>");
    free(html);
    free(counts);
}

/* ---- Costs (--unit-costs): the section, the bridge chart and what it never says. ---- */

/* How often 'part' occurs in 'text'. */
static size_t occurrences(const char *text, const char *part)
{
    size_t n = 0;
    for (const char *p = text; (p = strstr(p, part)); p++)
        n++;
    return n;
}

/* Never "savings", but in "(not savings)". */
static void never_savings(const char *html)
{
    size_t savings = 0;
    for (const char *p = html; *p; p++)
        savings += strncasecmp(p, "savings", 7) == 0;
    cr_assert_eq(savings, occurrences(html, "(not savings)"), "\"savings\" on the page");
}

/* The chart of the costs section, from its <div> to its end. */
static char *bridge_chart(const char *costs)
{
    const char *at = strstr(costs, "<div class=\"chart\">");
    cr_assert_not_null(at, "no bridge chart in %s", costs);
    const char *end = strstr(at, "</div>");
    cr_assert_not_null(end);
    return strndup(at, (size_t)(end - at));
}

/* The guide's worked example: the example files uprated to 2023/24, against £60,000. */
Test(cli_service_html, costs_every_number_is_a_published_figure)
{
    char *referred = test_example("service-referred.csv"),
         *comparison = test_example("service-comparison.csv"),
         *costs = test_example("unit-costs-example.csv"),
         *index = test_example("price-index-example.csv");
    const char *args[] = {"-w",
                          "pre24=365,pre12=365,post12=365",
                          "-s",
                          "ae_attendances >= 6 in pre12",
                          "--comparison",
                          comparison,
                          "--unit-costs",
                          costs,
                          "--price-index",
                          index,
                          "--price-year",
                          "2023/24",
                          "--programme-cost",
                          "60000",
                          "--scenario",
                          "3:50",
                          referred};
    char *html =
        checked_page(args, 17, NULL, "ae_attendances >= 6 in pre12", three_windows, 3, 200);
    never_savings(html);
    /* The measures are as they were: the costs are not a measure named "total". */
    cr_assert_eq(occurrences(html, "<section class=\"instrument\">"), 4);
    cr_assert_null(strstr(html, "<h2>total</h2>"));
    char *headline = test_section(html, "<section id=\"headline\">");
    cr_assert_eq(occurrences(headline, "<tr><th scope=\"row\">"), 4, "%s", headline);
    /* Each measure's charts, and the bridge: every chart with its table. */
    cr_assert_eq(every_chart_has_its_table(html), 17);
    char *section_costs = test_section(html, "<section id=\"costs\" class=\"instrument\">");
    const char *order[] = {
        "<h2>Costs: notional cost avoidance (not savings)</h2>",
        "Money at average unit costs, from the unit costs file: a fall in use priced this way is "
        "cost avoided on paper, not money that can be released",
        "The counterfactual: the people&#39;s rate of use before (events over person-years), on "
        "the time they were observed after, times the comparison cohort&#39;s rate ratio.",
        "Not costed (no unit cost given), so left out of the totals: A&amp;E attendances, "
        "Emergency (non-elective) admissions.",
        "<tr><th scope=\"row\">GP consultations</th><td class=\"num\">\u00a343.81</td><td>42.00 "
        "(2022/23) x 1.0431 (NHS Cost Inflation Index (pay and prices), 2022/23 to 2023/24; "
        "source: ",
        "<h3><bdi>pre12</bdi> to <bdi>post12</bdi></h3>",
        "<th scope=\"col\">Gross fall over the time observed after</th><th scope=\"col\">Expected "
        "after without the service</th><th scope=\"col\">Notional cost avoidance</th>",
        /* The guide's lines, in the table. */
        "<tr><th scope=\"row\">GP consultations</th><td class=\"num\">\u00a343.81</td>"
        "<td class=\"num\">\u00a330,623</td><td class=\"num\">\u00a326,724</td>"
        "<td class=\"num\">\u00a32,898</td><td class=\"num\">\u00a332,378</td>"
        "<td class=\"num\">\u00a35,654</td></tr>",
        "<tr><th scope=\"row\">Total of the measures costed</th><td></td>",
        "<td class=\"num\">\u00a35,712</td></tr>",
        "<p class=\"roi\"><b>Return on investment against \u00a360,000 (over 365 days): \u00a30.10 "
        "of notional cost avoidance per \u00a31 (95% CI \u00a30.02 to \u00a30.17); P(ROI &gt; 1) "
        "= 0.000; break-even net rate ratio -.</b> Bootstrap: 1999 of 1999 bootstrap replicates "
        "(seed 1; participants resampled within each cohort;",
        "<p class=\"scenario\"><b>SCENARIO, not observed: assumes the notional cost avoidance of "
        "the year observed after (post12) continues for 3 years in all, falling by 50% a year",
        "<h4>From the gross fall in cost to notional cost avoidance</h4>",
        "<li>total, break_even_rate_ratio not computable: the programme costs more than all the "
        "use expected after: no fall in use would pay for it</li>",
    };
    const char *at = section_costs;
    for (size_t k = 0; k < sizeof order / sizeof order[0]; k++) {
        const char *next = strstr(at, order[k]);
        cr_assert_not_null(next, "\"%s\" missing or out of order", order[k]);
        at = next;
    }
    /* The bridge: gross, less the fall expected anyway, equals the net; then the programme
     * cost, with the return on investment, its interval, P(ROI > 1), the break-even, the
     * seed and the replicates. */
    char *chart = bridge_chart(section_costs);
    const char *bridge[] = {
        "<title id=\"chart17-title\">Cost bridge, pre12 to post12: the gross fall in cost, less "
        "the fall expected without the service, equals the notional cost avoidance, beside the "
        "programme cost",
        "<desc id=\"chart17-desc\">In pounds at average unit costs: the gross fall over the time "
        "observed after \u00a33,998; less the fall expected without the service (by the "
        "comparison cohort); equals notional cost avoidance \u00a35,712; programme cost "
        "\u00a360,000 (over 365 days); return on investment \u00a30.10 per \u00a31 (95% CI "
        "\u00a30.02 to \u00a30.17), P(ROI &gt; 1) 0.000, break-even net rate ratio -</desc>",
        ">Gross fall in cost</text>",
        "class=\"bar-same\"/>\n<text x=\"478.0\" y=\"43.0\">\u00a33,998</text>",
        ">less the fall expected anyway</text>",
        "class=\"box\"/>",
        ">= notional cost avoidance</text>",
        "class=\"bar\"/>\n<text x=\"478.0\" y=\"103.0\">\u00a35,712</text>",
        ">Programme cost (over 365 days)</text>",
        "class=\"point\"/>\n<text x=\"478.0\" y=\"133.0\">\u00a360,000</text>",
        "class=\"threshold\"/>",
        ">The return on investment \u00a30.10 per \u00a31 (95% CI \u00a30.02 to \u00a30.17); "
        "P(ROI &gt; 1) = 0.000</text>",
        ">The break-even net rate ratio - (not computable: why is below the chart)</text>",
        "class=\"small\">Bootstrap: 1999 of 1999 bootstrap replicates (seed 1;",
        "<tr><th scope=\"row\">Expected after without the service</th><td class=\"num\">"
        "\u00a333,423</td></tr>",
        "<tr><th scope=\"row\">Programme cost (over 365 days)</th><td class=\"num\">\u00a360,000"
        "</td></tr>",
        "<tr><th scope=\"row\">95% CI from</th><td class=\"num\">\u00a30.02</td></tr>",
        "<tr><th scope=\"row\">SCENARIO, not observed: notional cost avoidance</th>"
        "<td class=\"num\">\u00a39,996</td></tr>",
    };
    at = chart;
    for (size_t k = 0; k < sizeof bridge / sizeof bridge[0]; k++) {
        const char *next = strstr(at, bridge[k]);
        cr_assert_not_null(next, "\"%s\" missing or out of order in %s", bridge[k], chart);
        at = next;
    }
    /* Nothing hidden, nothing naive here. */
    cr_assert_null(strstr(section_costs, "hidden\""), "%s", section_costs);
    cr_assert_null(strstr(section_costs, "NAIVE"));
    /* The caveat, and the files by their base names. */
    assert_has(html, "<li>Notional cost avoidance is priced at average unit costs: fewer "
                     "attendances do not release their average cost from a budget.</li>");
    char *made = test_section(html, "<section id=\"made\">");
    assert_has(made, "<li><bdi>service-comparison.csv</bdi></li>\n<li><bdi>unit-costs-example."
                     "csv</bdi></li>\n<li><bdi>price-index-example.csv</bdi></li>");
    assert_has(made, "<bdi>--unit-costs</bdi> <bdi>unit-costs-example.csv</bdi>");
    free(made);
    free(chart);
    free(section_costs);
    free(headline);
    free(html);
    free(referred);
    free(comparison);
    free(costs);
    free(index);
}

static char *camden_costs(void)
{
    return test_file("costs.csv",
                     "measure,value,unit,price_year,source,licence\n"
                     "ae_attendances,114,per attendance,2022/23,test,CC0-1.0\n",
                     -1);
}

/* Without a counterfactual: the gross fall beside the statement that it is not attributable;
 * no bridge beyond it, no cost avoidance, no return on investment. */
Test(cli_service_html, costs_without_a_counterfactual_only_the_gross_fall)
{
    char *referred = golden("camden_referred.csv"), *costs = camden_costs();
    static const char *const windows[] = {"pre12", "post12"};
    const char *args[] = {"-w",
                          "pre12=365,post12=365",
                          "-s",
                          "ae_attendances >= 6 in pre12",
                          "--unit-costs",
                          costs,
                          "--programme-cost",
                          "5000",
                          referred};
    char *html = checked_page(args, 9, NULL, "ae_attendances >= 6 in pre12", windows, 2, 20);
    never_savings(html);
    char *section_costs = test_section(html, "<section id=\"costs\" class=\"instrument\">");
    assert_has(section_costs, "<p><b>No comparison cohort was given: the gross fall in cost is "
                              "shown but cannot be attributed to the service, and no cost "
                              "avoidance or return on investment is given.</b></p>");
    assert_has(section_costs, "<th scope=\"col\">Gross fall over the time observed after (not "
                              "attributable)</th></tr></thead>");
    assert_has(section_costs, "<tr><th scope=\"row\">A&amp;E attendances</th><td class=\"num\">"
                              "\u00a3114.00</td><td class=\"num\">\u00a334,200</td><td "
                              "class=\"num\">\u00a321,432</td><td class=\"num\">\u00a312,768</td>"
                              "</tr>");
    assert_has(section_costs, "<p class=\"roi\"><b>No return on investment against \u00a35,000 "
                              "(over 365 days): no counterfactual: no comparison cohort was "
                              "given (--comparison),");
    cr_assert_null(strstr(section_costs, "Expected after"));
    cr_assert_null(strstr(section_costs, "Notional cost avoidance"));
    cr_assert_null(strstr(section_costs, "Return on investment"));
    cr_assert_null(strstr(section_costs, "NAIVE"));
    char *chart = bridge_chart(section_costs);
    assert_has(chart, "<h4>Gross fall in cost: not attributable</h4>");
    assert_has(chart, "<title id=\"chart2-title\">Gross fall in cost, pre12 to post12, not "
                      "attributable to the service");
    assert_has(chart, ">Gross fall, not attributable</text>\n<rect x=\"250.0\" y=\"30.0\" "
                      "width=\"215.0\" height=\"18.0\" class=\"bar-same\"/>\n<text x=\"478.0\" "
                      "y=\"43.0\">\u00a312,768</text>");
    assert_has(chart, ">Not attributable to the service: no counterfactual (no comparison "
                      "cohort).</text>");
    /* One bar: no step beyond the gross fall, no programme cost, no return on investment. */
    cr_assert_eq(occurrences(chart, "<rect "), 1, "%s", chart);
    cr_assert_null(strstr(chart, "P(ROI"));
    cr_assert_null(strstr(chart, "Programme cost"));
    cr_assert_eq(occurrences(chart, "<tr><th scope=\"row\">"), 1, "%s", chart);
    free(chart);
    free(section_costs);
    free(html);
    free(referred);
    free(costs);
}

/* --no-counterfactual: every figure against no change is stamped NAIVE, as in the text. */
Test(cli_service_html, costs_naive_figures_are_stamped)
{
    char *referred = golden("camden_referred.csv"), *costs = camden_costs();
    static const char *const windows[] = {"pre12", "post12"};
    const char *args[] = {
        "-w",  "pre12=365,post12=365", "-s",   "ae_attendances >= 6 in pre12", "--unit-costs",
        costs, "--programme-cost",     "5000", "--no-counterfactual",          referred};
    char *html = checked_page(args, 10, NULL, "ae_attendances >= 6 in pre12", windows, 2, 30);
    never_savings(html);
    struct run_result text =
        RUN("service", "-q", "-w", "pre12=365,post12=365", "-s", "ae_attendances >= 6 in pre12",
            "--unit-costs", costs, "--programme-cost", "5000", "--no-counterfactual", referred);
    cr_assert_eq(text.status, 0, "%s", text.err);
    assert_has(text.out, "NAIVE expected after without the service \u00a334,200; NAIVE notional "
                         "cost avoidance \u00a312,768");
    assert_has(text.out, "NAIVE return on investment against \u00a35,000 (over 365 days): "
                         "\u00a32.55");
    char *section_costs = test_section(html, "<section id=\"costs\" class=\"instrument\">");
    assert_has(section_costs, "<p><b>NAIVE: no comparison cohort was given and "
                              "--no-counterfactual asked for figures against no change");
    assert_has(section_costs, "<th scope=\"col\">NAIVE: expected after without the service</th>"
                              "<th scope=\"col\">NAIVE: notional cost avoidance</th>");
    assert_has(section_costs, "<td class=\"num\">NAIVE \u00a312,768</td><td class=\"num\">NAIVE "
                              "\u00a334,200</td><td class=\"num\">NAIVE \u00a312,768</td></tr>");
    assert_has(section_costs, "<th scope=\"col\">NAIVE: gross fall over the time observed after "
                              "(not attributable)</th>");
    assert_has(text.out, "gross fall over the time observed after \u00a312,768 (NAIVE, not "
                         "attributable)");
    assert_has(section_costs, "<p class=\"roi\"><b>NAIVE return on investment against "
                              "\u00a35,000 (over 365 days): \u00a32.55 of notional cost avoidance "
                              "per \u00a31 (95% CI \u00a32.01 to \u00a33.10); P(ROI &gt; 1) = "
                              "1.000; break-even net rate ratio 0.854.</b> Bootstrap: NAIVE;");
    char *chart = bridge_chart(section_costs);
    assert_has(chart, "<title id=\"chart2-title\">NAIVE: Cost bridge, pre12 to post12");
    assert_has(chart, ">= NAIVE notional cost avoidance</text>");
    assert_has(chart, "<text x=\"478.0\" y=\"103.0\">NAIVE \u00a312,768</text>");
    assert_has(chart, ">NAIVE return on investment \u00a32.55 per \u00a31 (95% CI \u00a32.01 to "
                      "\u00a33.10); P(ROI &gt; 1) = 1.000</text>");
    assert_has(chart, ">NAIVE break-even net rate ratio 0.854</text>");
    /* Every figure against no change, in both tables: the gross fall (against no change, the
     * naive avoidance), expected and avoidance per measure and in total (6), and in the
     * chart's table with the return on investment, its interval, P(ROI > 1) and the
     * break-even (8); costs before and after, the unit cost and the programme cost are not
     * naive. */
    cr_assert_eq(occurrences(section_costs, "<td class=\"num\">NAIVE "), 14, "%s", section_costs);
    cr_assert_eq(occurrences(chart, "<tr><th scope=\"row\">NAIVE: "), 8, "%s", chart);
    for (const char *p = section_costs; (p = strstr(p, "<td class=\"num\">")); p++) {
        const char *figure = p + strlen("<td class=\"num\">");
        int naive = strncmp(figure, "NAIVE ", 6) == 0;
        const char *row = p;
        while (row > section_costs && strncmp(row, "<tr>", 4) != 0)
            row--;
        /* In the chart's table a row is stamped when its figure is. */
        if (strncmp(row, "<tr><th scope=\"row\">NAIVE: ", 27) == 0)
            cr_assert(naive, "%.120s", row);
    }
    run_result_free(&text);
    free(chart);
    free(section_costs);
    free(html);
    free(referred);
    free(costs);
}

/* Costs hidden with the event counts they rest on: shown as hidden, never drawn at a size
 * that tells them; the axis rests on the programme cost alone, the only figure shown. */
Test(cli_service_html, costs_suppressed_are_shown_as_suppressed)
{
    const char *const relative[] = {
        "../golden/costs/referred.csv", "../golden/costs/comparison.csv",
        "../golden/costs/unit-costs.csv", "../golden/costs/price-index.csv"};
    char *files[4];
    for (int k = 0; k < 4; k++)
        files[k] = test_data(relative[k]);
    static const char *const windows[] = {"pre12", "post12"};
    const char *args[] = {"-w",
                          "pre12=365,post12=365",
                          "--threshold",
                          "20",
                          "-c",
                          files[1],
                          "--unit-costs",
                          files[2],
                          "--price-index",
                          files[3],
                          "--programme-cost",
                          "5000",
                          files[0]};
    char *html = checked_page(args, 13, NULL, NULL, windows, 2, 0);
    struct run_result csv = RUN("service", "-q", "-f", "csv", "-w", "pre12=365,post12=365",
                                "--threshold", "20", "-c", files[1], "--unit-costs", files[2],
                                "--price-index", files[3], "--programme-cost", "5000", files[0]);
    cr_assert_eq(csv.status, 0, "%s", csv.err);
    assert_has(csv.out, "\nservice_use,total,all,pre12->post12,notional_cost_avoidance,figure,,"
                        "yes,\n");
    assert_has(csv.out, "\nservice_use,total,all,pre12->post12,roi,figure,,yes,\n");
    char *section_costs = test_section(html, "<section id=\"costs\" class=\"instrument\">");
    /* Per measure and in total, the five figures of money hidden, the unit costs shown. */
    assert_has(section_costs, "<tr><th scope=\"row\">A&amp;E attendances</th><td class=\"num\">"
                              "\u00a3127.62</td><td class=\"num hidden\">*</td><td class=\"num "
                              "hidden\">*</td><td class=\"num hidden\">*</td><td class=\"num "
                              "hidden\">*</td><td class=\"num hidden\">*</td></tr>");
    assert_has(section_costs, "<tr><th scope=\"row\">Total of the measures costed</th><td></td>"
                              "<td class=\"num hidden\">*</td>");
    char *chart = bridge_chart(section_costs);
    /* Gross, the step and the net: fixed placeholders, each marked hidden; the programme cost
     * drawn, and the axis ticks from zero to it. */
    cr_assert_eq(occurrences(chart, "width=\"40.0\" height=\"18.0\" class=\"hidden\"/>"), 3, "%s",
                 chart);
    cr_assert_eq(occurrences(chart, "class=\"small\">hidden</text>"), 3, "%s", chart);
    assert_has(chart, "<rect x=\"250.0\" y=\"120.0\" width=\"215.0\" height=\"18.0\" "
                      "class=\"point\"/>");
    assert_has(chart, "class=\"small\">\u00a30</text>");
    assert_has(chart, "class=\"small\">\u00a34,000</text>");
    cr_assert_null(strstr(chart, "\u00a36,000"), "%s", chart);
    cr_assert_null(strstr(chart, "class=\"bar"), "no bar of a hidden figure: %s", chart);
    cr_assert_null(strstr(chart, "class=\"box\""), "no step of a hidden figure: %s", chart);
    /* Every figure of the total the CSV hides is hidden in the chart's table, but the cost
     * before, which the bridge does not use: the gross fall, cost after, expected, avoidance,
     * the return on investment, its interval, P(ROI > 1) and the break-even. The programme
     * cost, a constant, is shown. */
    size_t hidden_total = 0;
    for (const char *line = csv.out; (line = strstr(line, "\nservice_use,total,")); line++) {
        const char *field = line + 1;
        for (int k = 0; k < 7 && field; k++)
            field = strchr(field, ',') ? strchr(field, ',') + 1 : NULL;
        hidden_total += field && strncmp(field, "yes,", 4) == 0;
    }
    cr_assert_eq(hidden_total, 10, "%s", csv.out);
    cr_assert_eq(occurrences(chart, "<td class=\"num hidden\">*</td>"), hidden_total - 1, "%s",
                 chart);
    run_result_free(&csv);
    free(chart);
    free(section_costs);
    free(html);
    for (int k = 0; k < 4; k++)
        free(files[k]);
}

/* Unit costs for no measure counted: the section says so, and draws nothing. */
Test(cli_service_html, costs_of_no_measure_counted)
{
    char *referred = golden("camden_referred.csv");
    char *costs = test_file("costs.csv",
                            "measure,value,unit,price_year,source,licence\n"
                            "gp_consultations,42,a,2022/23,x,y\n",
                            -1);
    struct run_result r = RUN("service", "-q", "-f", "html", "-w", "pre12=365,post12=365", referred,
                              "--unit-costs", costs);
    cr_assert_eq(r.status, 0, "%s", r.err);
    char *section_costs = test_section(r.out, "<section id=\"costs\" class=\"instrument\">");
    assert_has(section_costs, "<p class=\"lead\">No measure with a unit cost (--unit-costs) was "
                              "counted in a window after <bdi>pre12</bdi>.</p>");
    cr_assert_null(strstr(section_costs, "<table>"));
    cr_assert_null(strstr(section_costs, "<svg"));
    cr_assert_null(strstr(r.out, "Notional cost avoidance is priced"), "no caveat of costs");
    free(section_costs);
    run_result_free(&r);
    free(referred);
    free(costs);
}

/* ---- Empirical Bayes (--population). ---- */

/* The value the CSV publishes for 'statistic' of 'group' (the first such row). */
static double csv_value(const char *csv, const char *group, const char *statistic)
{
    char key[256];
    snprintf(key, sizeof key, ",%s,pre12->post12,%s,", group, statistic);
    const char *at = strstr(csv, key);
    cr_assert_not_null(at, "no %s in the CSV", key);
    at = strchr(at + strlen(key), ',');
    cr_assert_not_null(at);
    return strtod(at + 1, NULL);
}

static const char *const two_windows[] = {"pre12", "post12"};

/* The empirical-Bayes figures in the measure's table, the headline and the forest, each the
 * CSV's; the population's note below the table; nothing naive. */
Test(cli_service_html, empirical_bayes_figures_are_the_csvs)
{
    char *referred = golden("camden_referred.csv"), *population = golden("population.csv");
    const char *args[] = {"-w",           "pre12=365,post12=365", "-s", "ae_attendances >= 6 in pre12",
                          "--population", population,             referred};
    char *html = checked_page(args, 7, NULL, "ae_attendances >= 6 in pre12", two_windows, 2, 30);
    struct run_result csv =
        RUN("service", "-q", "-f", "csv", "-w", "pre12=365,post12=365", "-s",
            "ae_attendances >= 6 in pre12", "--population", population, referred);
    cr_assert_eq(csv.status, 0, "%s", csv.err);
    /* The figures as the CSV gives them, rounded as the headline rounds them. */
    char mean[64], shape[64], expected[64], index[64], low[64], high[64];
    snprintf(mean, sizeof mean, "%.3f", csv_value(csv.out, "all", "eb_population_mean"));
    snprintf(shape, sizeof shape, "%.3f", csv_value(csv.out, "all", "eb_population_shape"));
    snprintf(expected, sizeof expected, "%.1f", csv_value(csv.out, "all", "eb_expected_after"));
    snprintf(index, sizeof index, "%.2f", csv_value(csv.out, "all", "eb_index"));
    snprintf(low, sizeof low, "%.2f", csv_value(csv.out, "all", "eb_index_ci_low"));
    snprintf(high, sizeof high, "%.2f", csv_value(csv.out, "all", "eb_index_ci_high"));
    cr_assert_str_eq(expected, "188.1");
    cr_assert_str_eq(index, "1.00");
    char want[512];
    /* The headline: events after over those expected, and their ratio with its interval. */
    char *headline = test_section(html, "<section id=\"headline\">");
    assert_has(headline, "<th scope=\"col\">Events after / expected without intervention "
                         "(empirical Bayes)</th><th scope=\"col\">Observed over expected (95% "
                         "CI)</th></tr></thead>");
    snprintf(want, sizeof want,
             "<td class=\"num\">0.63 (0.57 to 0.69)</td><td class=\"num\">188 / %s</td>"
             "<td class=\"num\">%s (%s to %s)</td></tr>",
             expected, index, low, high);
    assert_has(headline, want);
    assert_has(headline, "Observed over expected divides the events after by those expected");
    /* The measure's table, and the population's note below it. */
    snprintf(want, sizeof want,
             "<tr><th scope=\"row\">Empirical Bayes: population&#39;s mean count in "
             "<bdi>pre12</bdi></th><td class=\"num\">%s</td></tr>",
             mean);
    assert_has(html, want);
    snprintf(want, sizeof want,
             "<tr><th scope=\"row\">Empirical Bayes: population&#39;s shape (negative "
             "binomial)</th><td class=\"num\">%s</td></tr>",
             shape);
    assert_has(html, want);
    snprintf(want, sizeof want,
             "<tr><th scope=\"row\">Total attendances expected without intervention in "
             "<bdi>post12</bdi></th><td class=\"num\">%s</td></tr>",
             expected);
    assert_has(html, want);
    snprintf(want, sizeof want,
             "<tr><th scope=\"row\">Observed over expected: empirical-Bayes index (95%% "
             "CI)</th><td class=\"num\">%s (%s to %s)</td></tr>",
             index, low, high);
    assert_has(html, want);
    assert_has(html, "<li>People referred, eb_population_mean: negative binomial fitted by "
                     "maximum likelihood (as MASS::glm.nb) to ");
    assert_has(html, "population.csv, 19998 people; source: not declared</li>");
    assert_has(html, "Empirical Bayes (Hauer): each person&#39;s count expected after");
    /* The forest: the rate ratio beside observed over expected. */
    assert_has(html, "<h4>Rate ratios: is the fall more than regression to the mean "
                     "explains?</h4>");
    snprintf(want, sizeof want,
             "; People referred: 0.63 (0.57 to 0.69); Observed over expected (EB): %s (%s to "
             "%s)</desc>",
             index, low, high);
    assert_has(html, want);
    snprintf(want, sizeof want,
             "<tr><th scope=\"row\">Observed over expected (EB)</th><td class=\"num\">%s</td>"
             "<td class=\"num\">%s</td><td class=\"num\">%s</td></tr>",
             index, low, high);
    assert_has(html, want);
    /* The statement at the top is the text report's, with empirical Bayes. */
    assert_has(html, "The empirical-Bayes figures (Hauer 2002) give the events expected after "
                     "without any intervention");
    assert_has(html, "<li>The empirical-Bayes index puts down to the service only the fall "
                     "beyond what the population given predicts");
    cr_assert_eq(every_chart_has_its_table(html), 2);
    cr_assert_null(strstr(html, "NAIVE"));
    run_result_free(&csv);
    free(headline);
    free(html);
    free(referred);
    free(population);
}

/* With unit costs, the cost expected after is empirical Bayes's: attributable, not naive; the
 * bridge goes from the gross fall to notional cost avoidance against the programme cost. */
Test(cli_service_html, empirical_bayes_costs_are_not_naive)
{
    char *referred = golden("camden_referred.csv"), *population = golden("population.csv"),
         *costs = camden_costs();
    const char *args[] = {"-w",
                          "pre12=365,post12=365",
                          "-s",
                          "ae_attendances >= 6 in pre12",
                          "--population",
                          population,
                          "--unit-costs",
                          costs,
                          "--programme-cost",
                          "5000",
                          referred};
    char *html = checked_page(args, 11, NULL, "ae_attendances >= 6 in pre12", two_windows, 2, 40);
    never_savings(html);
    cr_assert_null(strstr(html, "NAIVE"), "empirical Bayes's figures stamped naive");
    char *section_costs = test_section(html, "<section id=\"costs\" class=\"instrument\">");
    /* The costs rest on empirical Bayes: none is noted not attributable (the change in use
     * itself is, in the measure's notes). */
    cr_assert_null(strstr(section_costs, "not attributable"), "%s", section_costs);
    assert_has(section_costs, "<p><b>The counterfactual: for the selection rule&#39;s measure, "
                              "each person&#39;s count expected without intervention by "
                              "empirical Bayes (Hauer); other measures have none: their gross "
                              "fall is shown but cannot be attributed, and they are left out "
                              "of cost avoidance.</b></p>");
    assert_has(section_costs, "<th scope=\"col\">Gross fall over the time observed after</th>"
                              "<th scope=\"col\">Expected after without the service</th>"
                              "<th scope=\"col\">Notional cost avoidance</th></tr></thead>");
    /* The text report's figures: expected £21,439, avoidance £7, for the measure and total. */
    const char *row = "<td class=\"num\">\u00a334,200</td><td class=\"num\">\u00a321,432</td>"
                      "<td class=\"num\">\u00a312,768</td><td class=\"num\">\u00a321,439</td>"
                      "<td class=\"num\">\u00a37</td></tr>";
    cr_assert_eq(occurrences(section_costs, row), 2, "%s", section_costs);
    assert_has(section_costs, "<li>A&amp;E attendances, cost_expected_after: empirical Bayes: "
                              "each person&#39;s expected count after without intervention");
    assert_has(section_costs, "<p class=\"roi\"><b>Return on investment against \u00a35,000 "
                              "(over 365 days): \u00a30.00 of notional cost avoidance per "
                              "\u00a31 (95% CI -\u00a30.38 to \u00a30.38); P(ROI &gt; 1) = "
                              "0.000; break-even net rate ratio 0.767.</b>");
    char *chart = bridge_chart(section_costs);
    assert_has(chart, "<h4>From the gross fall in cost to notional cost avoidance</h4>");
    assert_has(chart, "; less the fall expected without the service (by empirical Bayes); "
                      "equals notional cost avoidance \u00a37; programme cost \u00a35,000");
    assert_has(chart, ">= notional cost avoidance</text>");
    assert_has(chart, "class=\"threshold\"/>");
    cr_assert_eq(occurrences(chart, "<rect "), 4, "%s", chart);
    free(chart);
    free(section_costs);
    free(html);
    free(referred);
    free(population);
    free(costs);
}

/* ---- By group (--by). ---- */

/* The forest of rate ratios by group: its <div class="chart">, from its heading to its end. */
static char *group_forest(const char *html)
{
    const char *at = strstr(html, "<h4>Rate ratio by group</h4>");
    cr_assert_not_null(at, "no forest by group");
    const char *end = strstr(at, "</div>");
    cr_assert_not_null(end);
    return strndup(at, (size_t)(end - at));
}

/* Each site's people, events and rate ratio beside the whole cohort's, with the comparison
 * cohort's and the net, in the report's order; and their forest. */
Test(cli_service_html, groups_beside_the_whole_cohort)
{
    char *referred = test_data("service/groups-referred.csv"),
         *comparison = test_data("service/groups-comparison.csv");
    const char *args[] = {"-w", "pre12=365,post12=365", "--by", "site", "-c", comparison, referred};
    char *html = checked_page(args, 7, NULL, NULL, two_windows, 2, 60);
    assert_has(html, "<h4>By group</h4>\n<table>\n<caption>By group: A&amp;E attendances, pre12 "
                     "to post12, the people referred (selection rule not given (--selected))"
                     "</caption>\n<thead><tr><th scope=\"col\">Group</th><th scope=\"col\">People"
                     "</th><th scope=\"col\">Events in pre12</th><th scope=\"col\">Events in "
                     "post12</th><th scope=\"col\">Rate ratio (95% CI)</th><th scope=\"col\">"
                     "Comparison cohort&#39;s rate ratio (95% CI)</th><th scope=\"col\">Net of "
                     "the comparison cohort (95% CI)</th></tr></thead>\n<tbody>\n"
                     "<tr><th scope=\"row\">Whole cohort</th><td class=\"num\">20</td>"
                     "<td class=\"num\">180</td><td class=\"num\">120</td><td class=\"num\">0.67 "
                     "(0.59 to 0.75)</td><td class=\"num\">0.78 (0.76 to 0.80)</td><td "
                     "class=\"num\">0.86 (0.76 to 0.97)</td></tr>\n"
                     "<tr><th scope=\"row\">site: <bdi>North</bdi></th><td class=\"num\">10</td>"
                     "<td class=\"num\">80</td><td class=\"num\">40</td><td class=\"num\">0.50 "
                     "(0.45 to 0.55)</td><td class=\"num\">0.75 (0.72 to 0.78)</td><td "
                     "class=\"num\">0.67 (0.60 to 0.75)</td></tr>\n"
                     "<tr><th scope=\"row\">site: <bdi>South</bdi></th><td class=\"num\">10</td>"
                     "<td class=\"num\">100</td><td class=\"num\">80</td><td class=\"num\">0.80 "
                     "(0.76 to 0.84)</td><td class=\"num\">0.80 (0.79 to 0.81)</td><td "
                     "class=\"num\">1.00 (0.95 to 1.06)</td></tr>\n</tbody>");
    char *forest = group_forest(html);
    assert_has(forest, "<desc id=\"chart3-desc\">Ratios with their 95% confidence intervals on "
                       "a log scale, one meaning no change; Whole cohort: 0.67 (0.59 to 0.75); "
                       "site: North: 0.50 (0.45 to 0.55); site: South: 0.80 (0.76 to "
                       "0.84)</desc>");
    /* The whole cohort first, then the sites in the report's order, each drawn. */
    const char *order[] = {">Whole cohort</text>", "class=\"point-all\"/>", ">site: North</text>",
                           "class=\"point\"/>",    ">site: South</text>",   "class=\"point\"/>",
                           "<th scope=\"row\">site: <bdi>North</bdi></th><td class=\"num\">0.50"};
    const char *at = forest;
    for (size_t k = 0; k < sizeof order / sizeof order[0]; k++) {
        const char *next = strstr(at, order[k]);
        cr_assert_not_null(next, "\"%s\" missing or out of order in %s", order[k], forest);
        at = next;
    }
    cr_assert_eq(occurrences(forest, "class=\"ci\"/>"), 3);
    cr_assert_eq(every_chart_has_its_table(html), 3);
    /* The comparison cohort's groups are not groups of the people referred. */
    cr_assert_null(strstr(html, "comparison site"));
    free(forest);
    free(html);
    free(referred);
    free(comparison);
}

/* Two one-person sites beside a big one: every site's figures are hidden, shown as *: the
 * one-person sites' events before are the events of one person, the big site's would give
 * theirs together; the forest draws no hidden ratio at any size and its axis rests on the
 * whole cohort's figures alone. */
Test(cli_service_html, groups_hidden_are_never_drawn)
{
    char *counts = test_data("service/groups-two-beside-a-big-site.csv");
    const char *args[] = {"-w", "pre12=365,post12=365", "--by", "site", counts};
    char *html = checked_page(args, 5, NULL, NULL, two_windows, 2, 20);
    static const char *const sites[] = {"A", "Bethnal", "Clapton"};
    for (size_t k = 0; k < 3; k++) {
        char want[256];
        snprintf(want, sizeof want,
                 "<tr><th scope=\"row\">site: <bdi>%s</bdi></th><td class=\"num hidden\">*</td>"
                 "<td class=\"num hidden\">*</td><td class=\"num hidden\">*</td><td "
                 "class=\"num hidden\">*</td></tr>",
                 sites[k]);
        assert_has(html, want);
        snprintf(want, sizeof want,
                 "</td><td class=\"num hidden\">*</td><td class=\"num hidden\">*</td></tr>");
        assert_has(html, want);
    }
    char *forest = group_forest(html);
    /* One point and one interval: the whole cohort's; each site a placeholder. */
    cr_assert_eq(occurrences(forest, "<rect "), 1, "%s", forest);
    cr_assert_eq(occurrences(forest, "class=\"ci\"/>"), 1, "%s", forest);
    cr_assert_eq(occurrences(forest, "class=\"small\">hidden</text>"), 3, "%s", forest);
    for (size_t k = 0; k < 3; k++) {
        char want[256];
        snprintf(want, sizeof want, ">site: %s</text>\n<text x=\"452.0\" y=\"", sites[k]);
        assert_has(forest, want);
    }
    assert_has(forest, "; site: A: *; site: Bethnal: *; site: Clapton: *</desc>");
    /* The axis: from 0.25 to 1, around the whole cohort's 0.58 (0.50 to 0.69) alone. */
    assert_has(forest, "class=\"small\">0.25</text>");
    assert_has(forest, "class=\"small\">1</text>");
    cr_assert_null(strstr(forest, "class=\"small\">0.2</text>"));
    cr_assert_null(strstr(forest, "class=\"small\">1.5</text>"));
    free(forest);
    free(html);
    free(counts);
}

/* Empirical Bayes covers the selection rule's measure only: another measure costed has no
 * counterfactual, its gross fall and the total's are not attributable, and the total's bridge
 * is the gross fall alone; the measure with one keeps its expected cost, not naive. */
Test(cli_service_html, empirical_bayes_beside_a_measure_without_a_counterfactual)
{
    char *referred = test_example("service-referred.csv"), *population = golden("population.csv"),
         *costs = test_file("costs.csv",
                            "measure,value,unit,price_year,source,licence\n"
                            "ae_attendances,114,per attendance,2022/23,test,CC0-1.0\n"
                            "gp_consultations,42,per consultation,2022/23,test,CC0-1.0\n",
                            -1);
    const char *args[] = {"-w",
                          "pre24=365,pre12=365,post12=365",
                          "-s",
                          "ae_attendances >= 6 in pre12",
                          "--population",
                          population,
                          "--unit-costs",
                          costs,
                          "--programme-cost",
                          "60000",
                          referred};
    char *html =
        checked_page(args, 11, NULL, "ae_attendances >= 6 in pre12", three_windows, 3, 100);
    never_savings(html);
    cr_assert_null(strstr(html, "NAIVE"));
    char *section_costs = test_section(html, "<section id=\"costs\" class=\"instrument\">");
    /* Three of the example's people were observed for part of post12: empirical Bayes's
     * expected count, weighted by each one's time, would give their counts, so it is withheld,
     * and the A&E costs resting on it hidden with it. GP consultations have no counterfactual
     * and the total, hidden with A&E's, has no bridge. */
    assert_has(section_costs, "<tr><th scope=\"row\">A&amp;E attendances</th><td class=\"num\">"
                              "\u00a3114.00</td><td class=\"num hidden\">*</td>");
    assert_has(section_costs, "<tr><th scope=\"row\">GP consultations</th><td class=\"num\">"
                              "\u00a342.00</td><td class=\"num\">\u00a329,358</td><td "
                              "class=\"num\">\u00a325,620</td><td class=\"num\">\u00a32,778</td>"
                              "</tr>");
    assert_has(section_costs, "<li>GP consultations, cost_expected_after not computable: no "
                              "counterfactual: no comparison cohort was given (--comparison), "
                              "and empirical Bayes (--population) covers only the selection "
                              "rule&#39;s measure from its window;");
    assert_has(section_costs, "<tr><th scope=\"row\">Total of the measures costed</th><td></td>"
                              "<td class=\"num hidden\">*</td>");
    cr_assert_null(strstr(section_costs, "Programme cost"));
    free(section_costs);
    free(html);
    free(referred);
    free(population);
    free(costs);
}

/* ---- Completers only (--completed) and the wellbeing value (--wellbeing). ---- */

/* The files and arguments of the guide's worked example. */
struct worked {
    char *referred, *comparison, *costs, *index, *completed, *ons4, *scored;
    const char *args[32];
};

/* The guide's worked example (docs/examples), its ONS4 file scored here, in w->args: with
 * --completed and --wellbeing when asked, and 'extras' (NULL-ended) before the people
 * referred. Returns the arguments' count. */
static size_t worked_example(struct worked *w, int completers_and_wellbeing,
                             const char *const *extras)
{
    w->referred = test_example("service-referred.csv");
    w->comparison = test_example("service-comparison.csv");
    w->costs = test_example("unit-costs-example.csv");
    w->index = test_example("price-index-example.csv");
    w->completed = test_example("service-completed.csv");
    w->ons4 = test_example("service-ons4.csv");
    w->scored = test_path("service-ons4-scored.csv");
    struct run_result s = RUN("score", "-q", "-i", "ons4", w->ons4, "-o", w->scored);
    cr_assert_eq(s.status, 1, "the example has a refused answer: %s", s.err);
    run_result_free(&s);
    const char *base[] = {"-w",           "pre24=365,pre12=365,post12=365",
                          "-s",           "ae_attendances >= 6 in pre12",
                          "--comparison", w->comparison,
                          "--unit-costs", w->costs,
                          "--price-index", w->index,
                          "--price-year", "2023/24",
                          "--programme-cost", "60000"};
    size_t n = 0;
    for (size_t k = 0; k < sizeof base / sizeof base[0]; k++)
        w->args[n++] = base[k];
    if (completers_and_wellbeing) {
        w->args[n++] = "--completed";
        w->args[n++] = w->completed;
        w->args[n++] = "--wellbeing";
        w->args[n++] = w->scored;
    }
    for (size_t k = 0; extras && extras[k]; k++)
        w->args[n++] = extras[k];
    w->args[n++] = w->referred;
    cr_assert_lt(n, sizeof w->args / sizeof w->args[0]);
    w->args[n] = NULL;
    return n;
}

static void worked_free(struct worked *w)
{
    free(w->referred);
    free(w->comparison);
    free(w->costs);
    free(w->index);
    free(w->completed);
    free(w->ons4);
    free(w->scored);
}

/* The part of 'text' from 'start' up to 'end' (not included; to the end when NULL). */
static char *between(const char *text, const char *start, const char *end)
{
    const char *at = strstr(text, start);
    cr_assert_not_null(at, "no \"%s\" in %s", start, text);
    const char *to = end ? strstr(at + 1, end) : at + strlen(at);
    cr_assert_not_null(to, "no \"%s\" after \"%s\"", end, start);
    return strndup(at, (size_t)(to - at));
}

/* Both appear, each labelled as the text report labels it and apart from everyone's costs:
 * the completers after everyone's figures, with their own N of M per row where it differs;
 * the wellbeing value after the costs. Every number is a published figure. */
Test(cli_service_html, completers_and_wellbeing_value_apart_and_labelled)
{
    struct worked w;
    size_t n = worked_example(&w, 1, NULL);
    char *html =
        checked_page(w.args, n, NULL, "ae_attendances >= 6 in pre12", three_windows, 3, 230);
    never_savings(html);
    char *section_costs = test_section(html, "<section id=\"costs\" class=\"instrument\">");
    const char *order[] = {
        /* Everyone's figures first, as without --completed. */
        "<td class=\"num\">\u00a35,712</td></tr>",
        "<p class=\"roi\"><b>Return on investment against \u00a360,000 (over 365 days): \u00a30.10 "
        "of notional cost avoidance per \u00a31",
        "<h4>From the gross fall in cost to notional cost avoidance</h4>",
        "<li>total, break_even_rate_ratio not computable:",
        /* Then the completers', as the text report gives them (tests/test_cli_wellbeing.c). */
        "<h4>Completers only: not intention to treat (40 of 64 referred)</h4>",
        "<caption>Completers only, pre12 to post12: not intention to treat (selected: "
        "ae_attendances &gt;= 6 in pre12)</caption>",
        "<th scope=\"col\">Expected after without the service</th><th scope=\"col\">Notional "
        "cost avoidance</th><th scope=\"col\">Rate ratio</th></tr></thead>",
        "<tr><th scope=\"row\">GP consultations (36 of 58 referred)</th><td class=\"num\">"
        "\u00a319,408</td><td class=\"num\">\u00a315,553</td><td class=\"num\">\u00a33,030</td>"
        "<td class=\"num\">\u00a320,311</td><td class=\"num\">\u00a34,758</td><td class=\"num\">"
        "0.84</td></tr>",
        "<tr><th scope=\"row\">999 calls</th><td class=\"num\">\u00a31,489</td><td class=\"num\">"
        "\u00a3617</td><td class=\"num\">\u00a3815</td><td class=\"num\">\u00a3717</td><td "
        "class=\"num\">\u00a3100</td><td class=\"num\">0.43</td></tr>",
        "<tr><th scope=\"row\">Total of the measures costed</th><td class=\"num\">\u00a320,897</td>"
        "<td class=\"num\">\u00a316,169</td><td class=\"num\">\u00a33,845</td><td class=\"num\">"
        "\u00a321,028</td><td class=\"num\">\u00a34,859</td><td></td></tr>",
        /* Then the wellbeing value, on its own. */
        "<h3>Wellbeing value: not NHS cost avoidance, never added to it</h3>",
        "never added to it or to the return on investment. Not attributable without a "
        "comparison group: a before-after change, not an effect of the service.</b></p>",
        "<caption>Wellbeing value, pre12 to post12: the people paired (not NHS cost avoidance; "
        "never added to it)</caption>",
        "<tr><th scope=\"row\">People paired</th><td class=\"num\">37</td><td>ONS4 life "
        "satisfaction (0-10), baseline -&gt; followup, from ",
        "<tr><th scope=\"row\">Mean change in life satisfaction, points (paired t)</th><td "
        "class=\"num\">0.78</td><td></td></tr>\n<tr><th scope=\"row\">95% CI from</th><td "
        "class=\"num\">0.16</td><td></td></tr>\n<tr><th scope=\"row\">to</th><td class=\"num\">"
        "1.41</td><td></td></tr>",
        "<tr><th scope=\"row\">WELLBYs</th><td class=\"num\">28.98</td><td>sum of the 37 changes x "
        "0.999316 years (post12, 365 days: the follow-up window observed, not extrapolated)",
        "<tr><th scope=\"row\">Value of a WELLBY</th><td class=\"num\">\u00a315,300.10</td><td>"
        "13000.00 (2019/20) x 1.17693 (NHS Cost Inflation Index (pay and prices), 2019/20 to "
        "2023/24;",
        "<tr><th scope=\"row\">Wellbeing value (not NHS cost avoidance)</th><td class=\"num\">"
        "\u00a3443,399</td><td>wellbeing value (not NHS cost avoidance; never added to it); not "
        "attributable: no comparison group, so the change is a before-after change, not an "
        "effect of the service</td></tr>",
        "<tr><th scope=\"row\">95% CI from</th><td class=\"num\">\u00a390,147</td><td></td></tr>"
        "\n<tr><th scope=\"row\">to</th><td class=\"num\">\u00a3796,651</td><td></td></tr>",
    };
    const char *at = section_costs;
    for (size_t k = 0; k < sizeof order / sizeof order[0]; k++) {
        const char *next = strstr(at, order[k]);
        cr_assert_not_null(next, "\"%s\" missing or out of order in %s", order[k], at);
        at = next;
    }
    /* Nothing of either in the headline, the return on investment, the bridge or everyone's
     * notes; no benefit transfer from ONS4; nothing hidden or naive here. */
    char *headline = test_section(html, "<section id=\"headline\">");
    char *everyone = between(section_costs, "<h3>", "<h4>Completers only");
    for (const char *part = everyone; *part; part++) {
        cr_assert_neq(strncasecmp(part, "completers", 10), 0, "%.200s", part);
        cr_assert_neq(strncasecmp(part, "wellb", 5), 0, "%.200s", part);
    }
    cr_assert_null(strcasestr(headline, "completers"));
    cr_assert_null(strcasestr(headline, "wellb"));
    cr_assert_eq(occurrences(html, "<h3>Wellbeing value"), 1);
    cr_assert_eq(occurrences(html, "<h4>Completers only"), 1);
    cr_assert_null(strstr(section_costs, "BENEFIT TRANSFER"));
    cr_assert_null(strstr(section_costs, "hidden\""));
    cr_assert_null(strstr(section_costs, "NAIVE"));
    free(everyone);
    free(headline);
    free(section_costs);
    free(html);
    worked_free(&w);
}

/* What the page says of everyone's costs (the section up to the completers' table, but for the
 * charts' numbering) is the same with and without --completed and --wellbeing: the table, the
 * return on investment, the bridge and its table, the notes. */
Test(cli_service_html, completers_and_wellbeing_change_neither_bridge_nor_roi)
{
    char *pages[2], *everyone[2];
    for (int with = 0; with < 2; with++) {
        struct worked w;
        size_t n = worked_example(&w, with, NULL);
        pages[with] =
            checked_page(w.args, n, NULL, "ae_attendances >= 6 in pre12", three_windows, 3, 200);
        never_savings(pages[with]);
        everyone[with] =
            between(pages[with], "<section id=\"costs\" class=\"instrument\">",
                    with ? "<h4>Completers only" : "<p class=\"key\">* hidden by disclosure");
        worked_free(&w);
    }
    cr_assert_str_eq(everyone[1], everyone[0]);
    /* It is the whole of everyone's: the bridge and the return on investment are in it. */
    assert_has(everyone[0], "<h4>From the gross fall in cost to notional cost avoidance</h4>");
    assert_has(everyone[0], "<p class=\"roi\"><b>Return on investment against \u00a360,000");
    /* The headline too. */
    char *headline[2] = {test_section(pages[0], "<section id=\"headline\">"),
                         test_section(pages[1], "<section id=\"headline\">")};
    cr_assert_str_eq(headline[1], headline[0]);
    for (int with = 0; with < 2; with++) {
        free(headline[with]);
        free(everyone[with]);
        free(pages[with]);
    }
}

/* Under --round: the completers' N of M rounded, and the wellbeing figures that would give the
 * exact number paired withheld, shown as * with the reason below their table. */
Test(cli_service_html, completers_and_wellbeing_withheld_under_rounding)
{
    struct worked w;
    static const char *const rounding[] = {"--round", "5", NULL};
    size_t n = worked_example(&w, 1, rounding);
    char *html =
        checked_page(w.args, n, NULL, "ae_attendances >= 6 in pre12", three_windows, 3, 50);
    never_savings(html);
    char *section_costs = test_section(html, "<section id=\"costs\" class=\"instrument\">");
    char *wellbeing = between(section_costs, "<h3>Wellbeing value", NULL);
    assert_has(wellbeing, "<tr><th scope=\"row\">People paired</th><td class=\"num\">35</td>");
    assert_has(wellbeing, "<tr><th scope=\"row\">WELLBYs</th><td class=\"num hidden\">*</td>"
                          "<td></td></tr>");
    assert_has(wellbeing, "<tr><th scope=\"row\">Wellbeing value (not NHS cost avoidance)</th>"
                          "<td class=\"num hidden\">*</td><td></td></tr>");
    assert_has(wellbeing, "<li>wellbys: withheld under rounding: beside the mean change it "
                          "would give the exact number of people</li>");
    /* The value of a WELLBY is about no one: shown. */
    assert_has(wellbeing, "<td class=\"num\">\u00a315,300.10</td>");
    /* The completers' money withheld as everyone's is; their rate ratios shown, each row with
     * its own N of M, rounded (the total's, whose figures are all withheld, unknown). */
    char *completers = between(section_costs, "<h4>Completers only", "<h3>Wellbeing value");
    assert_has(completers, "<h4>Completers only: not intention to treat</h4>");
    assert_has(completers, "<tr><th scope=\"row\">GP consultations (35 of 60 referred)</th><td "
                           "class=\"num hidden\">*</td>");
    /* Their rate ratio to one decimal fewer under rounding: 0.837 as 0.8. */
    assert_has(completers, "<td class=\"num hidden\">*</td><td class=\"num\">0.80</td></tr>");
    assert_has(completers, "<tr><th scope=\"row\">999 calls (40 of 65 referred)</th>");
    assert_has(completers, "<li>total, completers_notional_cost_avoidance: withheld under "
                           "rounding: with the unit costs it would give exact numbers of "
                           "events</li>");
    free(completers);
    free(wellbeing);
    free(section_costs);
    free(html);
    worked_free(&w);
}

/* One person paired, small numbers shown: the mean change, but no interval, shown as - with
 * the reason below the table. */
Test(cli_service_html, wellbeing_not_computable_with_its_reason)
{
    char *raw = test_file("ons4-one.csv",
                          "participant_id,timepoint,ons4_satisfaction,ons4_worthwhile,"
                          "ons4_happiness,ons4_anxiety\n"
                          "HIU001,baseline,4,5,5,3\n"
                          "HIU001,followup,7,6,6,2\n",
                          -1);
    char *scored = test_path("ons4-one-scored.csv");
    struct run_result s = RUN("score", "-q", "-i", "ons4", raw, "-o", scored);
    cr_assert_eq(s.status, 0, "%s", s.err);
    run_result_free(&s);
    static const char *const extras[] = {"--no-suppress", NULL};
    struct worked w;
    size_t n = worked_example(&w, 0, extras);
    const char *args[40];
    size_t k = 0;
    for (size_t i = 0; i + 1 < n; i++)
        args[k++] = w.args[i];
    args[k++] = "--wellbeing";
    args[k++] = scored;
    args[k++] = w.args[n - 1];
    char *html = checked_page(args, k, NULL, "ae_attendances >= 6 in pre12", three_windows, 3,
                              200);
    never_savings(html);
    char *wellbeing = between(html, "<h3>Wellbeing value", "</section>");
    assert_has(wellbeing, "<tr><th scope=\"row\">People paired</th><td class=\"num\">1</td>");
    assert_has(wellbeing, "<tr><th scope=\"row\">Mean change in life satisfaction, points "
                          "(paired t)</th><td class=\"num\">3.00</td><td></td></tr>\n<tr><th "
                          "scope=\"row\">95% CI from</th><td class=\"num\">-</td>");
    assert_has(wellbeing, "<tr><th scope=\"row\">Wellbeing value (not NHS cost avoidance)</th>"
                          "<td class=\"num\">\u00a3");
    assert_has(wellbeing, "<li>wellbeing_mean_change_ci_low not computable: one person paired: "
                          "no interval</li>");
    assert_has(wellbeing, "<li>wellbeing_value_ci_high not computable: one person paired: no "
                          "interval</li>");
    cr_assert_null(strstr(wellbeing, "hidden\""), "%s", wellbeing);
    free(wellbeing);
    free(html);
    free(scored);
    free(raw);
    worked_free(&w);
}

/* From SWEMWBS through the rate the costs file declares: a BENEFIT TRANSFER, said in the
 * wellbeing value's words, its caption and beside the mean change with the rate and its
 * source. */
Test(cli_service_html, wellbeing_benefit_transfer_is_labelled)
{
    char *referred = golden("camden_referred.csv"),
         *costs = test_data("costs/unit-costs-transfer.csv");
    char *swemwbs = test_file("swemwbs.csv",
                              "participant_id,timepoint,instrument,scale,score,band,answered,"
                              "status\nR1,baseline,swemwbs,metric,19.25,,7,ok\n"
                              "R1,followup,swemwbs,metric,21.54,,7,ok\n",
                              -1);
    static const char *const windows[] = {"pre12", "post12"};
    const char *args[] = {"-w",          "pre12=365,post12=365", "--unit-costs", costs,
                          "--wellbeing", swemwbs,                "--no-suppress", referred};
    char *html = checked_page(args, 8, NULL, NULL, windows, 2, 10);
    never_savings(html);
    char *wellbeing = between(html, "<h3>Wellbeing value", "</section>");
    assert_has(wellbeing, "<h3>Wellbeing value: not NHS cost avoidance, never added to it</h3>\n"
                          "<p><b>BENEFIT TRANSFER from (S)WEMWBS, through the exchange rate the "
                          "unit costs file declares. WELLBYs from the paired change");
    assert_has(wellbeing, "<caption>BENEFIT TRANSFER: Wellbeing value, pre12 to post12:");
    assert_has(wellbeing, "<tr><th scope=\"row\">Mean change in life satisfaction, points "
                          "(paired t)</th><td class=\"num\">0.57</td><td>BENEFIT TRANSFER: "
                          "SWEMWBS metric score change x 0.25 life satisfaction points per "
                          "SWEMWBS point (test rate, not a published one; licence "
                          "CC0-1.0)</td></tr>");
    assert_has(wellbeing, "<td>BENEFIT TRANSFER; wellbeing value (not NHS cost avoidance; never "
                          "added to it); not attributable:");
    free(wellbeing);
    free(html);
    free(swemwbs);
    free(costs);
    free(referred);
}
