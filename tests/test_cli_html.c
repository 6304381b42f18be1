/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * promscore report -f html end to end: a self-contained page whose every
 * number is accounted for (a statistic the CSV shows, or what the page says of
 * its rule, its definitions and how it was made, never an input's size), text
 * from data escaped and isolated, long names that keep the tables on the page,
 * many groups, the warning of a page whose small numbers are shown, and the
 * command line as it can be typed again.
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "helpers.h"

/* The example batches scored, with their sites kept: a new file. */
static char *scored_examples(void)
{
    char *scored = test_path("scored.csv"), *baseline = test_example("baseline.csv"),
         *followup = test_example("followup.csv");
    struct run_result r = RUN("score", "-q", "--keep", "site", "-o", scored, baseline, followup);
    cr_assert_eq(r.status, 1, "%s", r.err);
    run_result_free(&r);
    free(baseline);
    free(followup);
    return scored;
}

/* A scored WEMWBS total CSV with a site column: for each group, 'people' people from
 * 'first_id' on, scored 'before' at baseline and 'after' at follow-up. */
struct group {
    const char *site;
    int before, after;
    unsigned people;
};

static char *scored_groups(const char *path, const struct group *groups, size_t n,
                           unsigned first_id)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs("participant_id,timepoint,instrument,scale,score,band,answered,status,site\n", f);
    unsigned id = first_id;
    for (size_t g = 0; g < n; g++)
        for (unsigned k = 0; k < groups[g].people; k++, id++)
            for (int t = 0; t < 2; t++) {
                int score = t ? groups[g].after + (int)(k % 3) : groups[g].before;
                fprintf(f, "P%05u,%s,wemwbs,total,%d,%s,14,ok,\"%s\"\n", id,
                        t ? "followup" : "baseline", score,
                        score <= 40   ? "probable depression (screening)"
                        : score <= 44 ? "possible depression (screening)"
                                      : "above screening cut-offs",
                        groups[g].site);
            }
    cr_assert_eq(fclose(f), 0);
    return strdup(path);
}

/* ---- Every number on the page, accounted for. ---- */

/* What the page's numbers may be, outside the statistics the CSV shows. */
struct sources {
    const char *csv;         /* the report's CSV */
    const char *rule;        /* the JSON report up to its instruments: version, rule, audit */
    const char *definitions; /* promscore describe of the instruments on the page */
    const char *made;        /* promscore's version and the command's arguments */
};

static int longer_first(const void *a, const void *b)
{
    size_t x = strlen(*(const char *const *)a), y = strlen(*(const char *const *)b);
    return (x < y) - (x > y);
}

/* The page with the definitions' own words blanked: instruments' titles, scales' and bands'
 * labels ("SWEMWBS metric score (from WEMWBS items 1, 2, 3, 6, 7, 9, 11)"), the longest first.
 * Their numbers are the definition's, not the data's. */
static char *without_definition_labels(const char *html)
{
    struct capture capture = {0};
    ps_context_t *context = test_context(&capture);
    const char *labels[1024];
    size_t n = 0;
    for (size_t i = 0; i < ps_context_instrument_count(context); i++) {
        const ps_instrument_t *in = ps_context_instrument(context, i);
        labels[n++] = ps_instrument_title(in);
        for (size_t k = 0; k < ps_instrument_scale_count(in); k++) {
            const ps_scale_t *scale = ps_instrument_scale(in, k);
            labels[n++] = ps_scale_label(scale);
            for (size_t b = 0; b < ps_scale_band_count(scale); b++)
                labels[n++] = ps_scale_band(scale, b, NULL, NULL);
            cr_assert_lt(n + 64, sizeof labels / sizeof labels[0]);
        }
    }
    qsort(labels, n, sizeof labels[0], longer_first);
    char *page = strdup(html);
    cr_assert_not_null(page);
    for (size_t k = 0; k < n; k++)
        test_blank(page, labels[k]);
    ps_context_free(context);
    return page;
}

/*
 * Every number in the text of the page (its style and markup aside: ids, coordinates; and the
 * definitions' titles and labels) is accounted for. Up to the disclosure section, it is a
 * figure the CSV shows, an axis tick (a chart label of class "small") or the 95 of "95% CI";
 * in the disclosure section, a number of the JSON's rule or audit; in the definitions, one of
 * promscore describe; in how the page was made, the version or an argument. Nothing else: no
 * input's row count, no caveat's. Returns how many figures were checked against the CSV.
 */
static size_t every_number_is_accounted_for(const char *given, const struct sources *from)
{
    char *html = without_definition_labels(given);
    const char *disclosure = strstr(html, "<section id=\"disclosure\">"),
               *caveats = strstr(html, "<section id=\"caveats\">"),
               *definitions = strstr(html, "<section id=\"definitions\">"),
               *made = strstr(html, "<section id=\"made\">");
    cr_assert(disclosure && caveats && definitions && made);
    size_t figures = 0;
    struct page_reader reader = {html, html, NULL, NULL, 0, 0};
    for (struct page_number n; test_page_next_number(&reader, &n);) {
        const char *p = n.digits, *start = n.start, *token = n.token;
        if (p < disclosure) {
            if (!n.tick && !(strcmp(token, "95") == 0 && strncasecmp(n.end, "% c", 3) == 0)) {
                cr_assert(test_csv_publishes(from->csv, n.value, 0.005 + 1e-9, 0.05 + 1e-9),
                          "%.60s: %.*s is no figure the CSV shows", start, (int)(n.end - start),
                          start);
                figures++;
            }
        } else if (p < caveats) {
            cr_assert(test_number_in(from->rule, token),
                      "%.80s: %s is not in the JSON's rule or audit", start, token);
        } else if (p < definitions) {
            cr_assert_fail("%.80s: a number in the caveats", start);
        } else if (p < made) {
            cr_assert(test_number_in(from->definitions, token),
                      "%.80s: %s is not in the definitions (promscore describe)", start, token);
        } else {
            cr_assert(test_number_in(from->made, token),
                      "%.80s: %s is neither promscore's version nor an argument", start, token);
        }
    }
    free(html);
    return figures;
}

/* The page of 'args' (report -f html ARGS... -o PAGE), with every number checked against the
 * same report's CSV and JSON and promscore describe of wemwbs. Returns the page. */
static char *checked_page(const char *const *args, size_t n_args, size_t least_figures)
{
    char *page = test_path("report.html");
    struct run_result out[3];
    test_run_html_csv_json("report", args, n_args, page, out);
    for (int f = 0; f < 3; f++)
        cr_assert_eq(out[f].status, 0, "%s", out[f].err);
    char *html = test_slurp(page);
    cr_assert_not_null(html);
    /* The rule and the audit: the JSON up to its list of instruments. */
    char *instruments = strstr(out[2].out, "\"instruments\"");
    cr_assert_not_null(instruments);
    *instruments = '\0';
    struct run_result describe = RUN("describe", "wemwbs");
    cr_assert_eq(describe.status, 0);
    char made[4096];
    test_version_and_arguments(made, sizeof made, args, n_args);
    struct sources from = {out[1].out, out[2].out, describe.out, made};
    size_t figures = every_number_is_accounted_for(html, &from);
    cr_assert_geq(figures, least_figures, "the page has %zu figures", figures);
    for (int f = 0; f < 3; f++)
        run_result_free(&out[f]);
    run_result_free(&describe);
    free(page);
    return html;
}

Test(cli_html, page_is_self_contained_and_every_number_is_accounted_for)
{
    char *scored = scored_examples();
    const char *args[] = {"--by", "site", scored};
    char *html = checked_page(args, 3, 50);
    cr_assert(strncmp(html, "<!DOCTYPE html>\n<html lang=\"en\">", 32) == 0);
    cr_assert(strstr(html, "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src "
                           "'none'; style-src 'unsafe-inline'; img-src data:\">"));
    cr_assert_null(strstr(html, "<script"), "no script");
    cr_assert_null(strstr(html, "<link"), "nothing linked");
    cr_assert_null(strstr(html, "url("), "nothing fetched by the style");
    cr_assert_null(strstr(html, "src="), "nothing fetched by an element");
    cr_assert_null(strstr(html, "href="), "no link: a source's address is text");
    /* The headline row, as in the text report, and the sections in their order. */
    const char *order[] = {"<section id=\"headline\">", "<th scope=\"row\">WEMWBS total</th>"
                           "<td>higher</td><td class=\"num\">40</td><td class=\"num hidden\">*</td>"
                           "<td class=\"num\">30</td><td class=\"num\">25.0%</td>"
                           "<td class=\"num\">38.10</td><td class=\"num\">41.87</td>"
                           "<td class=\"num\">3.77 (1.36 to 6.17)</td><td class=\"num\">56.7%</td>",
                           "<section id=\"flow\">", "<section class=\"instrument\">",
                           "<h4>Individual change</h4>", "<h4>Bands before and after</h4>",
                           "<h4>Mean change by group</h4>", "<section id=\"disclosure\">",
                           "<section id=\"caveats\">", "<section id=\"definitions\">",
                           "<section id=\"made\">"};
    const char *at = html;
    for (size_t k = 0; k < sizeof order / sizeof order[0]; k++) {
        const char *next = strstr(at, order[k]);
        cr_assert_not_null(next, "%s missing or out of order", order[k]);
        at = next;
    }
    cr_assert(strstr(html, "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\""));
    cr_assert_null(strstr(html, "CH01"), "no participant appears in a report");
    cr_assert_null(strstr(html, "NOT FOR RELEASE"), "small numbers are suppressed");
    cr_assert(strstr(html, "<title>Cohort change report</title>"));
    /* The definitions: version, file, licence notice, and each source, its address as text. */
    char *definitions = test_section(html, "<section id=\"definitions\">");
    cr_assert(strstr(definitions, "<td>1.0</td><td>wemwbs.xml</td><td>Warwick-Edinburgh Mental "
                                  "Wellbeing Scale (WEMWBS) (c) University of Warwick, 2006"),
              "%s", definitions);
    cr_assert(strstr(definitions, "<dt class=\"source-id\">warwick-howto</dt><dd>Warwick Medical "
                                  "School: WEMWBS, &quot;Collect, score, analyse and "
                                  "interpret&quot;."),
              "%s", definitions);
    cr_assert(strstr(definitions, "<br>https://warwick.ac.uk/fac/sci/med/research/platform/wemwbs/"
                                  "using/howto/</dd>"));
    cr_assert(strstr(definitions, "<dt class=\"source-id\">depression-bands</dt>"));
    cr_assert(strstr(definitions, "<li><b>WEMWBS total</b>: missing items from <span "
                                  "class=\"source-id\">complete-cases</span> (not confirmed as "
                                  "official); bands from <span class=\"source-id\">depression-bands"
                                  "</span> (not confirmed as official); meaningful change from "
                                  "<span class=\"source-id\">three-point-convention</span> (not "
                                  "confirmed as official); reliable change from <span "
                                  "class=\"source-id\">shes2018</span>.</li>"),
              "%s", definitions);
    /* How it was made: the inputs by name, and why their sizes are not given. */
    char *made = test_section(html, "<section id=\"made\">");
    cr_assert(strstr(made, "<li><bdi>scored.csv</bdi></li>"), "%s", made);
    cr_assert(strstr(made, "How many rows each input held is left out"), "%s", made);
    cr_assert_null(strstr(made, "Rows read"));
    cr_assert_null(strstr(made, "/tmp"), "no folder of the inputs or the page: %s", made);
    free(made);
    free(definitions);
    free(html);
    free(scored);
}

/* The audit's own repro: one input per site. The page names the inputs and not their rows,
 * which would give the hidden site's size (3 people, 6 rows). */
Test(cli_html, inputs_are_named_never_counted)
{
    char *a_path = test_path("siteA.csv"), *b_path = test_path("siteB.csv");
    const struct group alpha[] = {{"Alpha", 30, 34, 20}}, beta[] = {{"Beta", 30, 34, 3}};
    char *a = scored_groups(a_path, alpha, 1, 1), *b = scored_groups(b_path, beta, 1, 100);
    const char *args[] = {"-b", "site", a, b};
    char *html = checked_page(args, 4, 10);
    char *made = test_section(html, "<section id=\"made\">");
    cr_assert(strstr(made, "<ul>\n<li><bdi>siteA.csv</bdi></li>\n<li><bdi>siteB.csv</bdi></li>\n"
                           "</ul>"),
              "%s", made);
    cr_assert_null(strstr(made, ">6<"), "%s", made);
    cr_assert_null(strstr(made, ">40<"), "%s", made);
    free(made);
    free(html);
    free(a);
    free(b);
    free(a_path);
    free(b_path);
}

Test(cli_html, has_one_section_per_instrument_its_pools_included)
{
    char *scored = test_path("others.csv");
    char *pam = test_example("pam.csv"), *domains = test_example("domains.csv"),
         *goals = test_example("goals.csv"), *ons4 = test_example("ons4.csv");
    struct run_result s = RUN("score", "-q", "--keep", "site", "-o", scored, pam, domains, goals, ons4);
    cr_assert_leq(s.status, 1, "%s", s.err);
    struct run_result r = RUN("report", "-f", "html", "--by", "site", scored);
    cr_assert_eq(r.status, 0, "%s", r.err);
    size_t sections = 0;
    for (const char *p = r.out; (p = strstr(p, "<section class=\"instrument\">")); p++)
        sections++;
    cr_assert_eq(sections, 4, "ONS4, PAM, the domains and the goals, each once");
    const char *goals_at = strstr(r.out, "<h2>Personal goals (Goal-Based Outcomes and Goal "
                                         "Attainment Scaling)</h2>");
    cr_assert_not_null(goals_at);
    cr_assert_null(strstr(goals_at + 1, "<h2>Personal goals"), "the goals' pool joins its scales");
    cr_assert(strstr(goals_at, "<h3>goal</h3>"), "the pool, after the goals' scales");
    cr_assert_null(strstr(r.out, "<h3>PAM statements answered</h3>"), "a check scale has no chart");
    cr_assert(strstr(r.out, "<h3>Sources: Patient Activation Measure"),
              "each definition's sources");
    run_result_free(&r);
    run_result_free(&s);
    free(pam);
    free(domains);
    free(goals);
    free(ons4);
    free(scored);
}

/* A copy of 'text' with every 'from' replaced by 'to'. */
static char *replaced(const char *text, const char *from, const char *to)
{
    size_t n = 0, nf = strlen(from), nt = strlen(to);
    for (const char *p = text; (p = strstr(p, from)); p += nf)
        n++;
    char *copy = malloc(strlen(text) + n * nt + 1), *w = copy;
    cr_assert_not_null(copy);
    for (const char *p = text; *p;) {
        if (strncmp(p, from, nf) == 0) {
            w = stpcpy(w, to);
            p += nf;
        } else {
            *w++ = *p++;
        }
    }
    *w = '\0';
    return copy;
}

Test(cli_html, text_from_data_is_escaped_and_isolated)
{
    char *scored = scored_examples(), *text = test_slurp(scored);
    /* Dalston becomes a site named like a script, Hackney one that would read backwards. */
    char *step = replaced(text, "Dalston", "<script>alert(1)</script>");
    char *hostile = replaced(step, "Hackney Central", "rlo\xe2\x80\xaegnp.exe\xe2\x81\xa6");
    char *file = test_file("hostile.csv", hostile, -1);
    struct run_result r = RUN("report", "-f", "html", "--by", "site", file);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_null(strstr(r.out, "<script"), "a site's name is never markup");
    cr_assert(strstr(r.out, "<th scope=\"row\">site: <bdi>&lt;script&gt;alert(1)&lt;/script&gt;"
                            "</bdi></th>"),
              "%s", r.out);
    cr_assert(strstr(r.out, "<th scope=\"row\">site: <bdi>rlognp.exe</bdi></th>"),
              "a name is isolated, its bidi controls dropped");
    cr_assert(strstr(r.out, ">site: rlognp.exe</text>"), "in a chart too");
    cr_assert_null(strstr(r.out, "\xe2\x80\xae"), "no override anywhere on the page");
    cr_assert_null(strstr(r.out, "\xe2\x81\xa6"), "no isolate anywhere on the page");
    run_result_free(&r);
    free(file);
    free(hostile);
    free(step);
    free(text);
    free(scored);
}

/* ---- Names too long for the page, and many groups. ---- */

Test(cli_html, a_long_name_is_cut_in_charts_and_whole_in_tables)
{
    char name[256] = "Site_";
    memset(name + 5, 'x', 200);
    name[205] = '\0';
    char *path = test_path("long.csv");
    const struct group groups[] = {{"A", 30, 34, 10}, {name, 30, 35, 10}};
    char *scored = scored_groups(path, groups, 2, 1);
    struct run_result r = RUN("report", "-f", "html", "--by", "site", scored);
    cr_assert_eq(r.status, 0, "%s", r.err);
    char whole[300], cut[300];
    snprintf(whole, sizeof whole, "<th scope=\"row\">site: <bdi>%s</bdi></th>", name);
    cr_assert(strstr(r.out, whole), "the table has the whole name");
    /* 15 ems, one left for the ellipsis: "site: Site_" (6.75 ems: 0.6 an em, 0.75 a capital)
     * and 12 more characters (7.2). */
    snprintf(cut, sizeof cut, ">site: Site_xxxxxxxxxxxx\xe2\x80\xa6<title>site: %s</title></text>",
             name);
    cr_assert(strstr(r.out, cut), "the chart's label is cut, its title whole");
    cr_assert(strstr(r.out, "th bdi,td bdi{display:inline-block;max-width:24em;"
                            "vertical-align:top;overflow-wrap:anywhere}"),
              "a name in a table breaks anywhere within a width");
    run_result_free(&r);
    free(scored);
    free(path);
}

Test(cli_html, many_groups_in_natural_order_and_charts_of_thirty)
{
    enum { GROUPS = 35 };
    struct group groups[GROUPS];
    char names[GROUPS][8];
    /* Written S35 first, down to S1. */
    for (int g = 0; g < GROUPS; g++) {
        snprintf(names[g], sizeof names[g], "S%d", GROUPS - g);
        groups[g] = (struct group){names[g], 30, 32 + g % 4, 8};
    }
    char *path = test_path("many.csv");
    char *scored = scored_groups(path, groups, GROUPS, 1);
    struct run_result r = RUN("report", "-f", "html", "--by", "site", scored);
    cr_assert_eq(r.status, 0, "%s", r.err);
    /* Two charts: the whole cohort and 30 groups, then the whole cohort and the other 5. */
    const char *first = strstr(r.out, "<h4>Mean change by group</h4>");
    cr_assert_not_null(first);
    const char *second = strstr(first, "<title id=\"chart");
    cr_assert_not_null(second);
    second = strstr(second + 1, "<title id=\"chart");
    cr_assert_not_null(second);
    const char *continued = ">Mean change by group: WEMWBS total (continued)</title>";
    cr_assert(strncmp(strchr(second, '>'), continued, strlen(continued)) == 0, "%.80s", second);
    cr_assert(strstr(r.out, "viewBox=\"0 0 640 814\""), "31 rows: 30 + 24 x 31 + 40");
    cr_assert(strstr(r.out, "viewBox=\"0 0 640 214\""), "6 rows");
    cr_assert(strstr(r.out, "<table class=\"long\">"), "a table that may break between rows");
    /* S1, S2, ..., S9, S10: in the table, in the charts, and in the CSV. */
    const char *at = strstr(r.out, "<table class=\"long\">");
    for (int g = 1; g <= GROUPS; g++) {
        char row[64];
        snprintf(row, sizeof row, "<th scope=\"row\">site: <bdi>S%d</bdi></th>", g);
        const char *next = strstr(at, row);
        cr_assert_not_null(next, "S%d missing or out of order", g);
        at = next;
    }
    cr_assert(strstr(r.out, ">site: S9</text>\n") < strstr(r.out, ">site: S10</text>\n"));
    struct run_result csv = RUN("report", "-f", "csv", "--by", "site", scored);
    cr_assert_eq(csv.status, 0, "%s", csv.err);
    cr_assert(strstr(csv.out, ",site=S2,") < strstr(csv.out, ",site=S10,"));
    run_result_free(&csv);
    run_result_free(&r);
    free(scored);
    free(path);
}

/* ---- A page whose small numbers are shown. ---- */

Test(cli_html, small_numbers_shown_are_not_for_release)
{
    char *path = test_path("small.csv");
    const struct group groups[] = {{"A", 30, 34, 20}, {"B", 30, 31, 2}};
    char *scored = scored_groups(path, groups, 2, 1);
    static const struct {
        const char *option, *value, *warning, *rule;
    } cases[] = {
        {"--no-suppress", NULL,
         "NOT FOR RELEASE: small numbers not suppressed (--no-suppress). For internal analysis "
         "only.",
         "No disclosure control: small numbers are shown. For internal analysis only; do not "
         "publish."},
        {"--threshold", "0",
         "NOT FOR RELEASE: small numbers not suppressed (--threshold 0). For internal analysis "
         "only.",
         "No count is suppressed (threshold 0): small numbers are shown. For internal analysis "
         "only; do not publish."},
        {"--threshold", "1",
         "NOT FOR RELEASE: small numbers not suppressed (--threshold 1 hides only counts of 1). "
         "For internal analysis only.",
"Counts of 1, and figures based on them, are suppressed. Further counts are suppressed "
         "until no hidden count can be worked out exactly (audited by linear programming) from "
         "the published counts, the relations between them and this rule, by which a count "
         "hidden as small is 1; so are zeros that would show all of a small total in one part, "
         "and any count without which the whole's figures less the groups' shown would "
         "describe 1 person. For internal analysis only; do not publish."},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        const char *option = cases[c].option, *value = cases[c].value;
        struct run_result html = value
                                 ? RUN("report", "-f", "html", "-b", "site", option, value, scored)
                                 : RUN("report", "-f", "html", "-b", "site", option, scored);
        struct run_result text = value ? RUN("report", "-b", "site", option, value, scored)
                                   : RUN("report", "-b", "site", option, scored);
        cr_assert_eq(html.status, 0, "%s", html.err);
        cr_assert_eq(text.status, 0, "%s", text.err);
        char banner[512];
        snprintf(banner, sizeof banner,
                 "<title>NOT FOR RELEASE: Cohort change report</title>\n<style>");
        cr_assert(strstr(html.out, banner), "%s: the title says so", option);
        snprintf(banner, sizeof banner, "<body>\n<header>\n<p class=\"not-for-release\">%s</p>\n"
                 "<h1>Cohort change report</h1>", cases[c].warning);
        cr_assert(strstr(html.out, banner), "%s: the page opens with the warning", option);
        snprintf(banner, sizeof banner, "<section class=\"instrument\">\n<p class=\"not-for-"
                 "release\">%s</p>\n<h2>", cases[c].warning);
        cr_assert(strstr(html.out, banner), "%s: and each printed section", option);
        char *rule = test_escaped(cases[c].rule);
        cr_assert(strstr(html.out, rule), "%s: %s", option, html.out);
        free(rule);
        cr_assert_null(strstr(html.out, "Counts of 1 to 0"));
        cr_assert_null(strstr(html.out, "Counts of 1 to 1"));
        snprintf(banner, sizeof banner, "%s\n\npromscore %s cohort change report\n",
                 cases[c].warning, PS_VERSION);
        cr_assert(strncmp(text.out, banner, strlen(banner)) == 0, "%s: %.200s", option, text.out);
        run_result_free(&html);
        run_result_free(&text);
    }
    struct run_result usual = RUN("report", "-b", "site", "--threshold", "2", scored);
    cr_assert(strncmp(usual.out, "promscore ", 10) == 0, "no warning from a threshold of 2");
    cr_assert(strstr(usual.out, "Counts of 1 to 2, and figures"));
    run_result_free(&usual);
    free(scored);
    free(path);
}

/* ---- The command line. ---- */

Test(cli_html, command_line_is_given_in_order_quoted_with_base_names)
{
    char *dir = test_path("home-jsmith-secret");
    cr_assert_eq(mkdir(dir, 0700), 0);
    char *input, *quoted, *page, *out;
    cr_assert_geq(asprintf(&input, "%s/two words.csv", dir), 0);
    cr_assert_geq(asprintf(&quoted, "%s/it's.csv", dir), 0);
    cr_assert_geq(asprintf(&page, "--output=%s/page.html", dir), 0);
    cr_assert_geq(asprintf(&out, "%s/page.html", dir), 0);
    const struct group a[] = {{"A", 30, 34, 10}}, b[] = {{"B", 30, 33, 10}};
    free(scored_groups(input, a, 1, 1));
    free(scored_groups(quoted, b, 1, 100));
    struct run_result r = RUN("report", input, "-qf", "html", page, "--by", "site", quoted);
    cr_assert_eq(r.status, 0, "%s", r.err);
    char *html = test_slurp(out);
    cr_assert(strstr(html, "<pre><bdi>promscore</bdi> <bdi>report</bdi> <bdi>&#39;two words.csv"
                           "&#39;</bdi> <bdi>-qf</bdi> <bdi>html</bdi> <bdi>--output=page.html"
                           "</bdi> <bdi>--by</bdi> <bdi>site</bdi> <bdi>&#39;it&#39;\\&#39;&#39;"
                           "s.csv&#39;</bdi></pre>"),
              "%s", html);
    cr_assert_null(strstr(html, "jsmith"), "no folder on the page");
    run_result_free(&r);
    free(html);
    free(out);
    free(page);
    free(quoted);
    free(input);
    free(dir);
}
