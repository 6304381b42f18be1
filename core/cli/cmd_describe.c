/* SPDX-License-Identifier: GPL-3.0-or-later */
/* promscore describe: everything a definition says about one instrument, in words. */
#include "config.h"

#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <promscore/plugin.h>

#include "cli.h"

static const char help[] =
    "Usage: promscore describe INSTRUMENT...\n"
    "Describe an installed instrument as its definition gives it: each item's column,\n"
    "the other names it is accepted under, its label, and its answers (codes and\n"
    "labels); each scale's method, items, range, precision, missing-item rule,\n"
    "lookup or calibration table, bands, and meaningful and reliable change, each\n"
    "rule with the source it was taken from; the sources; the licence notice.\n"
    "\n"
    "  -h, --help   this help\n"
    "\n"
    "Exit status: 0 described; 2 usage, or an instrument not installed (the installed\n"
    "ones are listed); 3 an invalid definition.\n";

/*
 * Prints 'text' with its lines broken at spaces before column 80: the first
 * line from column 'first', the others from column 'indent'.
 */
static void print_wrapped_from(int first, int indent, const char *text)
{
    const int width = 79;
    int column = 0, line = 0;
    while (*text) {
        text += strspn(text, " \t\n");
        size_t word = strcspn(text, " \t\n");
        if (!word)
            break;
        if (column && column + 1 + (int)word > width) {
            putchar('\n');
            column = 0;
        }
        if (!column)
            column = printf("%*s", line++ ? indent : first, "");
        else
            column += printf(" ");
        column += printf("%.*s", (int)word, text);
        text += word;
    }
    if (column)
        putchar('\n');
}

static void print_wrapped(int indent, const char *text)
{
    print_wrapped_from(indent, indent, text);
}

/* Text built a piece at a time, then printed wrapped. */
struct line {
    char text[2048];
    size_t used;
};

static void add(struct line *l, const char *format, ...) __attribute__((format(printf, 2, 3)));

static void add(struct line *l, const char *format, ...)
{
    if (l->used >= sizeof l->text)
        return;
    va_list ap;
    va_start(ap, format);
    int n = vsnprintf(l->text + l->used, sizeof l->text - l->used, format, ap);
    va_end(ap);
    l->used = n < 0 ? l->used : l->used + (size_t)n;
}

/* " (source ID)" or " (source ID, not confirmed as official)". */
static void add_source(struct line *l, const char *source, int verified)
{
    if (source)
        add(l, " (source %s%s)", source, verified ? "" : ", not confirmed as official");
}

static void add_rule(struct line *l, const ps_scale_t *scale, ps_rule_t rule)
{
    int verified;
    const char *source = ps_scale_rule_source(scale, rule, &verified);
    add_source(l, source, verified);
}

/* What the source with this id says, indented under the rule taken from it. */
static void print_source_text(const ps_instrument_t *in, const char *id)
{
    const char *text;
    for (size_t i = 0; id && i < ps_instrument_source_count(in); i++)
        if (strcmp(ps_instrument_source(in, i, &text, NULL), id) == 0)
            print_wrapped(8, text);
}

/* Two items with one response set share its options. */
static int same_answers(const ps_item_t *a, const ps_item_t *b)
{
    return ps_item_option_count(a) && ps_item_option(a, 0, NULL, NULL, NULL) ==
                                          ps_item_option(b, 0, NULL, NULL, NULL);
}

static void print_answers(const ps_item_t *item)
{
    double min, max;
    int decimals;
    if (ps_item_free_text(item)) {
        printf("    answers: free text (personal data: never scored, never a report's group)\n");
        return;
    }
    if (ps_item_range(item, &min, &max, &decimals)) {
        printf("    answers: a number from %g to %g, with at most %d decimal%s\n", min, max,
               decimals, decimals == 1 ? "" : "s");
        return;
    }
    printf("    answers:\n");
    for (size_t i = 0; i < ps_item_option_count(item); i++) {
        const char *label;
        double value;
        int na;
        const char *code = ps_item_option(item, i, &label, &value, &na);
        struct line l = {.used = 0};
        add(&l, "%s = %s", code, label);
        for (size_t a = 0; ps_item_option_alias(item, i, a); a++)
            add(&l, "%s%s", a ? ", " : " (also ", ps_item_option_alias(item, i, a));
        if (ps_item_option_alias(item, i, 0))
            add(&l, ")");
        char written[64];
        snprintf(written, sizeof written, "%g", value);
        if (na)
            add(&l, ": counts as not answered");
        else if (strcmp(written, code) != 0)
            add(&l, ": scored %g", value);
        print_wrapped_from(6, 8, l.text);
    }
}

static void print_items(const ps_instrument_t *in)
{
    printf("\nItems (the column a batch holds it in, the item's id and other names accepted;\n"
           "its label):\n");
    for (size_t i = 0; i < ps_instrument_item_count(in); i++) {
        const ps_item_t *item = ps_instrument_item(in, i);
        struct line l = {.used = 0};
        add(&l, "%s (item %s", ps_item_column(item), ps_item_id(item));
        for (size_t a = 0; a < ps_item_alias_count(item); a++)
            add(&l, "%s%s", a ? ", " : "; also ", ps_item_alias(item, a));
        add(&l, "): %s%s", ps_item_label(item),
            ps_item_optional(item) ? " (optional: scored without it)" : "");
        print_wrapped_from(2, 4, l.text);
        size_t same = 0;
        while (same < i && !same_answers(ps_instrument_item(in, same), item))
            same++;
        if (same < i)
            printf("    answers: as %s\n", ps_item_column(ps_instrument_item(in, same)));
        else
            print_answers(item);
    }
}

static void print_scale(const ps_instrument_t *in, const ps_scale_t *s)
{
    int p = ps_scale_precision(s), verified;
    struct line l = {.used = 0};
    add(&l, "%s: %s%s", ps_scale_id(s), ps_scale_label(s),
        ps_scale_reported(s) ? "" : " (kept for a pool, not reported alone)");
    print_wrapped_from(2, 4, l.text);
    l = (struct line){.used = 0};
    if (ps_scale_of(s)) {
        add(&l, "scored from scale %s's score by method %s", ps_scale_id(ps_scale_of(s)),
            ps_scale_method(s));
    } else {
        add(&l, "method %s of %zu item%s:", ps_scale_method(s), ps_scale_item_count(s),
            ps_scale_item_count(s) == 1 ? "" : "s");
        for (size_t i = 0; i < ps_scale_item_count(s); i++)
            add(&l, " %s", ps_item_column(ps_scale_item(s, i)));
    }
    print_wrapped_from(4, 6, l.text);
    printf("    range %.*f to %.*f, %d decimal%s; %s is better\n", p, ps_scale_min(s), p,
           ps_scale_max(s), p, p == 1 ? "" : "s",
           ps_scale_lower_is_better(s) ? "lower" : "higher");
    if (!ps_scale_of(s)) {
        size_t missing = ps_scale_max_missing(s);
        l = (struct line){.used = 0};
        if (missing)
            add(&l, "missing items: scored with up to %zu unanswered%s", missing,
                ps_scale_prorates(s) ? ", the sum prorated to all items" : "");
        else
            add(&l, "missing items: every item must be answered");
        add_rule(&l, s, PS_RULE_MISSING);
        print_wrapped_from(4, 6, l.text);
    }
    long first;
    size_t n_lookup = ps_scale_lookup_count(s, &first);
    if (n_lookup) {
        l = (struct line){.used = 0};
        add(&l, "lookup: a table converts raw %ld to %ld into the score", first,
            first + (long)n_lookup - 1);
        add_rule(&l, s, PS_RULE_LOOKUP);
        print_wrapped_from(4, 6, l.text);
    }
    if (ps_scale_calibration_schema(s)) {
        l = (struct line){.used = 0};
        add(&l, "calibration: scored only with a licensee's table valid against %s, given "
                "with --calibration",
            ps_scale_calibration_schema(s));
        add_rule(&l, s, PS_RULE_CALIBRATION);
        print_wrapped_from(4, 6, l.text);
    }
    if (ps_scale_band_count(s)) {
        l = (struct line){.used = 0};
        add(&l, "bands");
        add_rule(&l, s, PS_RULE_BANDS);
        add(&l, ":");
        print_wrapped_from(4, 6, l.text);
        for (size_t b = 0; b < ps_scale_band_count(s); b++) {
            double min, max;
            const char *label = ps_scale_band(s, b, &min, &max);
            printf("      %.*f to %.*f: %s\n", p, min, p, max, label);
        }
    }
    double points, sem, sd, reliability;
    const char *meaningful = NULL;
    if (ps_scale_meaningful_change(s, &points)) {
        meaningful = ps_scale_rule_source(s, PS_RULE_MEANINGFUL, &verified);
        l = (struct line){.used = 0};
        add(&l, "meaningful change: %g points", points);
        add_source(&l, meaningful, verified);
        add(&l, ":");
        print_wrapped_from(4, 6, l.text);
        print_source_text(in, meaningful);
    }
    int at_least;
    if (ps_scale_reliable_change(s, &points, &at_least)) {
        /* The threshold as the counts use it: its rule, and where its points come from. */
        const char *source = ps_scale_rule_source(s, PS_RULE_RELIABLE, &verified);
        int from_sem = ps_scale_sem(s, &sem);
        char threshold[64];
        snprintf(threshold, sizeof threshold, from_sem ? "%.4g" : "%g", points);
        l = (struct line){.used = 0};
        if (at_least)
            add(&l, "reliable change: %s points or more (at-least)", threshold);
        else
            add(&l, "reliable change: more than %s points (more-than)", threshold);
        if (!from_sem)
            add(&l, ", from the definition");
        else
            add(&l, ", 1.96 x sqrt(2) x SEM %.4g", sem);
        if (from_sem && ps_scale_reliability(s, &sd, &reliability))
            add(&l, " from SD %g and reliability %g", sd, reliability);
        add_source(&l, source, verified);
        int again = meaningful && source && strcmp(meaningful, source) == 0;
        add(&l, "%s", again ? ", as above" : ":");
        print_wrapped_from(4, 6, l.text);
        if (!again)
            print_source_text(in, source);
    }
}

static void describe(const ps_instrument_t *in)
{
    printf("%s %s: %s\n", ps_instrument_id(in), ps_instrument_version(in),
           ps_instrument_title(in));
    printf("  scored by plugin %s; definition %s\n", ps_instrument_plugin(in),
           ps_instrument_file(in));
    print_items(in);
    printf("\nScales:\n");
    for (size_t i = 0; i < ps_instrument_scale_count(in); i++)
        print_scale(in, ps_instrument_scale(in, i));
    if (ps_instrument_parameter_count(in)) {
        printf("\nParameters:\n");
        for (size_t i = 0; i < ps_instrument_parameter_count(in); i++) {
            double value;
            const char *source;
            int verified;
            const char *name = ps_instrument_parameter_at(in, i, &value, &source, &verified);
            struct line l = {.used = 0};
            add(&l, "%s = %g", name, value);
            add_source(&l, source, verified);
            print_wrapped_from(2, 4, l.text);
        }
    }
    printf("\nSources:\n");
    for (size_t i = 0; i < ps_instrument_source_count(in); i++) {
        const char *text, *url;
        const char *id = ps_instrument_source(in, i, &text, &url);
        printf("  %s%s%s\n", id, url ? ": " : "", url ? url : "");
        print_wrapped(4, text);
    }
    printf("\nLicence notice:\n");
    print_wrapped(2, ps_instrument_notice(in));
}

int cmd_describe(int argc, char **argv)
{
    static const struct option long_options[] = {{"help", no_argument, NULL, 'h'},
                                                 {NULL, 0, NULL, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", long_options, NULL)) != -1) {
        fputs(help, c == 'h' ? stdout : stderr);
        return c == 'h' ? 0 : EXIT_USAGE;
    }
    if (optind >= argc) {
        cli_error("describe: name the instrument, e.g. 'promscore describe wemwbs'");
        return EXIT_USAGE;
    }
    ps_context_t *context;
    int status = cli_context(&context, 1);
    if (status)
        return status;
    for (int i = optind; i < argc && !status; i++)
        if (!ps_context_find_instrument(context, argv[i])) {
            char known[512] = "";
            size_t used = 0;
            for (size_t k = 0; k < ps_context_instrument_count(context) && used < sizeof known;
                 k++) {
                int n = snprintf(known + used, sizeof known - used, "%s%s", k ? ", " : "",
                                 ps_instrument_id(ps_context_instrument(context, k)));
                used += n > 0 ? (size_t)n : 0;
            }
            cli_error("describe: unknown instrument '%s'; installed: %s", argv[i],
                      *known ? known : "none");
            status = EXIT_USAGE;
        }
    for (int i = optind; i < argc && !status; i++) {
        if (i > optind)
            putchar('\n');
        describe(ps_context_find_instrument(context, argv[i]));
    }
    ps_context_free(context);
    return status;
}
