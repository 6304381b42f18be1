/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What promscore's HTML pages share: see html_page.h. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "html_page.h"

/* Names from data in a table (a site's, a timepoint's) are at most 24em wide and break
 * anywhere, so that a long one without spaces cannot push the table's numbers off the printed
 * page; so do long words in text (a source's address). In print a chart stays on one page with
 * its heading, and a table longer than a page breaks between its rows, its header repeated. */
static const char *const style =
    "body{font-family:\"Segoe UI\",Arial,Helvetica,sans-serif;color:#1d1d1b;margin:0 auto;"
    "max-width:60rem;padding:1rem 1.5rem;line-height:1.4}\n"
    "h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.3rem;border-bottom:2px solid #005eb8;"
    "padding-bottom:.2rem;margin-top:2rem}h3{font-size:1.1rem;margin-top:1.5rem}"
    "h4{font-size:1rem;margin:1rem 0 .3rem}\n"
    ".lead{color:#425563}.key{font-size:.85rem;color:#425563}\n"
    ".not-for-release{border:3px solid #d5281b;color:#d5281b;background:#fff;font-weight:700;"
    "font-size:1.2rem;padding:.5rem .8rem;margin:.5rem 0}\n"
    "table{border-collapse:collapse;margin:.5rem 0 1rem;font-size:.85rem;max-width:100%}"
    "caption{text-align:left;font-weight:600;padding:.2rem 0;overflow-wrap:anywhere}"
    "th,td{border:1px solid #c8cfd4;padding:.2rem .4rem;vertical-align:top;"
    "overflow-wrap:break-word}"
    "th{background:#eef3f7;text-align:left;font-weight:600}"
    "th bdi,td bdi{display:inline-block;max-width:24em;vertical-align:top;"
    "overflow-wrap:anywhere}"
    "td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}"
    "td.hidden{color:#768692}\n"
    "table.headline th,table.headline td{font-size:.8rem}\n"
    "p,li,dd{overflow-wrap:anywhere}.source-id{font-weight:600}\n"
    "svg{max-width:100%;height:auto;display:block;margin:.5rem 0}"
    "svg text{font-family:inherit;font-size:12px;fill:#1d1d1b}"
    "svg .small{font-size:10px;fill:#425563}svg .axis{stroke:#768692;stroke-width:1}"
    "svg .grid{stroke:#e8edee;stroke-width:1}svg .zero{stroke:#425563;stroke-width:1}"
    "svg .threshold{stroke:#d5281b;stroke-width:1.5;stroke-dasharray:4 3}"
    "svg .bar{fill:#005eb8}svg .bar-better{fill:#007f3b}svg .bar-worse{fill:#d5281b}"
    "svg .bar-same{fill:#768692}"
    "svg .hidden{fill:#fff;stroke:#768692;stroke-dasharray:3 2}"
    "svg .box{fill:#eef3f7;stroke:#005eb8}svg .lost{fill:#fff;stroke:#768692}"
    "svg .arrow{stroke:#005eb8;stroke-width:2}"
    "svg .ci{stroke:#003087;stroke-width:2}svg .point{fill:#003087}"
    "svg .point-all{fill:#d5281b}\n"
    "svg .band0{fill:#d5281b}svg .band1{fill:#ed8b00}svg .band2{fill:#ffb81c}"
    "svg .band3{fill:#78be20}svg .band4{fill:#007f3b}\n"
    ".chart{break-inside:avoid;page-break-inside:avoid}"
    "section.instrument{margin-top:2rem}"
    "pre{white-space:pre-wrap;word-break:break-all;background:#f0f4f5;padding:.5rem}\n"
    "@page{size:A4;margin:14mm}\n"
    "@media print{body{max-width:none;padding:0;font-size:10pt}"
    "section.instrument{break-before:page;page-break-before:always}"
    "h2,h3,h4,caption{break-after:avoid;page-break-after:avoid}"
    "table,svg{break-inside:avoid;page-break-inside:avoid}"
    "table.long{break-inside:auto;page-break-inside:auto}"
    "tr{break-inside:avoid;page-break-inside:avoid}"
    "table.headline{font-size:8pt}}\n";

void html_page_begin(svg_t *s, const char *title, const char *warning)
{
    svg_raw(s, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
               "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
               "style-src 'unsafe-inline'; img-src data:\">\n"
               "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
               "<meta name=\"generator\" content=\"promscore ");
    svg_text(s, ps_version());
    svg_raw(s, warning ? "\">\n<title>NOT FOR RELEASE: " : "\">\n<title>");
    svg_text(s, title);
    svg_raw(s, "</title>\n<style>\n");
    svg_raw(s, style);
    svg_raw(s, "</style>\n</head>\n<body>\n<header>\n");
    html_warning(s, warning);
}

void html_page_end(svg_t *s, output_t *out)
{
    svg_raw(s, "</main>\n</body>\n</html>\n");
    if (s->failed)
        out->error = ENOMEM;
    else
        output_write(out, s->text, s->length);
    svg_free(s);
}

void html_warning(svg_t *s, const char *warning)
{
    if (!warning)
        return;
    svg_raw(s, "<p class=\"not-for-release\">");
    svg_text(s, warning);
    svg_raw(s, "</p>\n");
}

void html_data_text(svg_t *s, const char *text)
{
    svg_raw(s, "<bdi>");
    svg_text(s, text);
    svg_raw(s, "</bdi>");
}

void html_group_label(const char *group, char *to, size_t size)
{
    const char *eq = strchr(group, '=');
    if (strcmp(group, "all") == 0)
        snprintf(to, size, "Whole cohort");
    else if (eq)
        snprintf(to, size, "%.*s: %s", (int)(eq - group), group, eq + 1);
    else
        snprintf(to, size, "%s", group);
}

void html_group_text(svg_t *s, const char *group)
{
    const char *eq = strchr(group, '=');
    if (strcmp(group, "all") == 0) {
        svg_raw(s, "Whole cohort");
    } else if (eq) {
        char column[256];
        snprintf(column, sizeof column, "%.*s", (int)(eq - group), group);
        svg_text(s, column);
        svg_raw(s, ": ");
        html_data_text(s, eq + 1);
    } else {
        html_data_text(s, group);
    }
}

void html_figure_text(svg_t *s, const ps_statistic_t *statistic)
{
    svg_text(s, headline_figure(statistic).s);
}

void html_figure_cell(svg_t *s, const ps_statistic_t *statistic)
{
    headline_text_t t = headline_figure(statistic);
    svg_raw(s, strcmp(t.s, "*") == 0 ? "<td class=\"num hidden\">" : "<td class=\"num\">");
    svg_text(s, t.s);
    svg_raw(s, "</td>");
}

void html_chart_begin(svg_t *s, unsigned *charts, const char *heading, double width, double height,
                      const char *title, const char *desc)
{
    char id[32];
    snprintf(id, sizeof id, "chart%u", ++*charts);
    svg_raw(s, "<div class=\"chart\">\n");
    if (heading) {
        svg_raw(s, "<h4>");
        svg_text(s, heading);
        svg_raw(s, "</h4>\n");
    }
    svg_begin(s, id, width, height, title, desc);
}

void html_chart_end(svg_t *s)
{
    svg_raw(s, "</div>\n");
}

void html_table_begin(svg_t *s, int long_table, const char *caption, const char *const *columns)
{
    svg_raw(s, long_table ? "<table class=\"long\">\n<caption>" : "<table>\n<caption>");
    svg_text(s, caption);
    svg_raw(s, "</caption>\n<thead><tr>");
    for (size_t k = 0; columns[k]; k++) {
        svg_raw(s, "<th scope=\"col\">");
        svg_text(s, columns[k]);
        svg_raw(s, "</th>");
    }
    svg_raw(s, "</tr></thead>\n<tbody>\n");
}

void html_table_end(svg_t *s)
{
    svg_raw(s, "</tbody>\n</table>\n");
}

void html_disclosure(svg_t *s, const char *rule, const ps_audit_t *a, int block_figures)
{
    svg_raw(s, "<section id=\"disclosure\">\n<h2>Disclosure control</h2>\n<p>");
    svg_text(s, rule);
    svg_rawf(s,
             "</p>\n<p>The audit: of %zu counts, %zu were hidden, the small ones and "
             "those that would let a small one be worked out from the rest; %zu figures "
             "were withheld because they would give an exact number of people",
             a->counts, a->primary + a->secondary, a->withheld);
    if (block_figures)
        svg_rawf(s,
                 ", and the means and medians of %zu blocks were hidden with their band "
                 "counts",
                 a->figures_hidden);
    svg_raw(s, ". Nothing hidden here appears elsewhere on this page or in the report's CSV: "
               "every figure in its tables and charts is one of the report's published "
               "statistics, and it gives no other count of people or rows.</p>\n</section>\n");
}

/* An argument as a POSIX shell reads it: as it is when it holds only characters the shell
 * takes literally, else in single quotes. */
static void shell_word(svg_t *s, const char *word)
{
    static const char literal[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                  "0123456789@%+=:,./_-";
    if (*word && strspn(word, literal) == strlen(word)) {
        svg_text(s, word);
        return;
    }
    svg_raw(s, "&#39;");
    for (const char *q = word; *q;) {
        size_t n = strcspn(q, "'");
        char *part = strndup(q, n);
        if (!part) {
            s->failed = 1;
            return;
        }
        svg_text(s, part);
        free(part);
        q += n;
        if (*q == '\'') {
            svg_raw(s, "&#39;\\&#39;&#39;");
            q++;
        }
    }
    svg_raw(s, "&#39;");
}

void html_made(svg_t *s, const report_made_t *made)
{
    svg_raw(s, "<section id=\"made\">\n<h2>How this page was made</h2>\n<p>By promscore ");
    svg_text(s, ps_version());
    svg_raw(s, ", with the command below (each file by its name alone, without its "
               "folders):</p>\n<pre>");
    for (int i = 0; i < made->argc; i++) {
        if (i)
            svg_raw(s, " ");
        svg_raw(s, "<bdi>");
        shell_word(s, made->argv[i]);
        svg_raw(s, "</bdi>");
    }
    svg_raw(s, "</pre>\n<p>Inputs:</p>\n<ul>\n");
    for (size_t i = 0; i < made->n_inputs; i++) {
        svg_raw(s, "<li>");
        html_data_text(s, made->inputs[i]);
        svg_raw(s, "</li>\n");
    }
    svg_raw(s, "</ul>\n<p class=\"key\">How many rows each input held is left out: it is not "
               "one of the report's audited statistics, and it could reveal numbers that "
               "disclosure control hides (one input per site gives the site's size).</p>\n"
               "</section>\n");
}
