/* SPDX-License-Identifier: GPL-3.0-or-later */
/* promscore instruments, validate and template: what the definitions say, and a draft map. */
#include "config.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "output.h"

/* Parses only --help; returns -1 to go on, else an exit status. */
static int help_only(int argc, char **argv, const char *text)
{
    static const struct option long_options[] = {{"help", no_argument, NULL, 'h'},
                                                 {NULL, 0, NULL, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", long_options, NULL)) != -1) {
        fputs(text, c == 'h' ? stdout : stderr);
        return c == 'h' ? 0 : EXIT_USAGE;
    }
    return -1;
}

static void print_instrument(const ps_instrument_t *in)
{
    printf("%s %s (plugin %s): %s\n", ps_instrument_id(in), ps_instrument_version(in),
           ps_instrument_plugin(in), ps_instrument_title(in));
    size_t n_items = ps_instrument_item_count(in);
    printf("  items: %zu, columns %s", n_items, ps_item_column(ps_instrument_item(in, 0)));
    if (n_items > 1)
        printf(" .. %s", ps_item_column(ps_instrument_item(in, n_items - 1)));
    printf("\n  scales:\n");
    for (size_t i = 0; i < ps_instrument_scale_count(in); i++) {
        const ps_scale_t *s = ps_instrument_scale(in, i);
        int p = ps_scale_precision(s);
        printf("    %-10s %s; %s of %zu items, %.*f-%.*f, %d decimal%s%s\n", ps_scale_id(s),
               ps_scale_label(s), ps_scale_method(s), ps_scale_item_count(s), p,
               ps_scale_min(s), p, ps_scale_max(s), p, p == 1 ? "" : "s",
               ps_scale_band_count(s) ? ", banded" : "");
    }
    printf("  file: %s\n  notice: %s\n", ps_instrument_file(in), ps_instrument_notice(in));
}

int cmd_instruments(int argc, char **argv)
{
    int status = help_only(argc, argv,
                           "Usage: promscore instruments\n"
                           "List the installed instruments: id, version, plugin, items, scales,\n"
                           "definition file and licence notice.\n");
    if (status >= 0)
        return status;
    if (optind < argc) {
        cli_error("instruments: unexpected argument '%s'", argv[optind]);
        return EXIT_USAGE;
    }
    ps_context_t *context;
    if ((status = cli_context(&context, 1)))
        return status;
    for (size_t i = 0; i < ps_context_instrument_count(context); i++)
        print_instrument(ps_context_instrument(context, i));
    ps_context_free(context);
    return 0;
}

int cmd_validate(int argc, char **argv)
{
    int status = help_only(argc, argv,
                           "Usage: promscore validate DEFINITION.xml...\n"
                           "Check instrument definitions against the schema and their rules\n"
                           "(lookup tables without gaps, bands without gaps or overlaps, the\n"
                           "plugin and its methods). Exit status 0 when all are valid, 3 if not\n"
                           "(a plugin it needs missing or unusable included), 4 on an internal\n"
                           "error.\n");
    if (status >= 0)
        return status;
    if (optind >= argc) {
        cli_error("validate: no definition given");
        return EXIT_USAGE;
    }
    int worst = 0;
    for (int i = optind; i < argc; i++) {
        /* A context of its own: a definition is judged alone, not against the installed ones. */
        ps_context_t *context;
        if ((status = cli_context(&context, 0)))
            return status;
        const ps_instrument_t *in;
        ps_error_t err = ps_context_load_instrument(context, argv[i], &in);
        if (err) {
            /* A definition whose plugin is missing, stale or refuses it is not valid here. */
            status =
                err == PS_ERROR_PLUGIN || err == PS_ERROR_ABI ? EXIT_INPUT : cli_exit_status(err);
            worst = status > worst ? status : worst;
        } else {
            printf("%s: valid: instrument %s version %s\n", argv[i], ps_instrument_id(in),
                   ps_instrument_version(in));
        }
        ps_context_free(context);
    }
    return worst;
}

/* Text that grows a piece at a time. */
struct text {
    char *text;
    size_t length;
};

static int text_add(struct text *t, const char *format, ...) __attribute__((format(printf, 2, 3)));

/* Returns nonzero when out of memory. */
static int text_add(struct text *t, const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    int n = vsnprintf(NULL, 0, format, ap);
    va_end(ap);
    char *grown = n < 0 ? NULL : realloc(t->text, t->length + (size_t)n + 1);
    if (!grown)
        return 1;
    t->text = grown;
    va_start(ap, format);
    vsnprintf(grown + t->length, (size_t)n + 1, format, ap);
    va_end(ap);
    t->length += (size_t)n;
    return 0;
}

/* A draft map as it is written, and what it leaves to a person. */
struct draft {
    output_t out;
    size_t exact, guessed, unfound;
    struct text unused;  /* headers no item took, "A, B, C" */
    struct text negated; /* a line for each guess whose header may say the opposite */
};

static int write_draft_entry(const ps_map_entry_t *e, void *user)
{
    static const char *const match[] = {"exact", "guess", "none"};
    struct draft *d = user;
    if (!e->item)
        return text_add(&d->unused, "%s'%s'", d->unused.length ? ", " : "", e->header);
    d->exact += e->match == PS_MATCH_EXACT;
    d->guessed += e->match == PS_MATCH_GUESS;
    d->unfound += e->match == PS_MATCH_NONE;
    char item[300];
    snprintf(item, sizeof item, "%s.%s", ps_instrument_id(e->instrument), ps_item_id(e->item));
    csv_text(&d->out, e->header ? e->header : "");
    csv_comma(&d->out);
    csv_text(&d->out, item);
    csv_comma(&d->out);
    csv_text(&d->out, match[e->match]);
    csv_comma(&d->out);
    if (e->negation) {
        /* Said where the reviewer reads the guess, and when the draft is made. */
        struct text label = {0};
        int failed =
            text_add(&label, "%s (header says '%s')", ps_item_label(e->item), e->negation) ||
            text_add(&d->negated,
                     "promscore: template: %s: the header '%s' says '%s', its label "
                     "'%s' does not: check that it is not the item's opposite\n",
                     item, e->header, e->negation, ps_item_label(e->item));
        if (!failed)
            csv_text(&d->out, label.text);
        free(label.text);
        if (failed)
            return 1;
    } else {
        csv_text(&d->out, ps_item_label(e->item));
    }
    csv_end_row(&d->out);
    return d->out.error != 0;
}

/* template --map: a draft map from the header row of an export. */
static int draft_map(ps_context_t *context, const char *file, const ps_score_options_t *options)
{
    struct draft d = {.out = OUTPUT_INIT};
    if (output_open(&d.out, "-", 0) != 0)
        return EXIT_INTERNAL;
    output_puts(&d.out, "header,item,match,label\n");
    ps_error_t err = ps_map_draft(context, file, options, write_draft_entry, &d);
    int status = EXIT_ALL_SCORED;
    if (err == PS_ERROR_ABORTED && d.out.error == 0)
        err = PS_ERROR_NOMEM; /* the notes on the draft could not grow */
    if (err == PS_ERROR_ABORTED || (!err && output_commit(&d.out) != 0)) {
        cli_error("standard output: cannot write: %s", strerror(d.out.error));
        status = EXIT_INPUT;
    } else if (err) {
        if (err == PS_ERROR_NOMEM)
            cli_error("%s", ps_error_message(err));
        status = cli_exit_status(err);
    }
    if (!status) {
        fprintf(stderr,
                "promscore: template: %zu item%s: %zu exact, %zu guessed, %zu without a "
                "header\n",
                d.exact + d.guessed + d.unfound, d.exact + d.guessed + d.unfound == 1 ? "" : "s",
                d.exact, d.guessed, d.unfound);
        if (d.guessed)
            fputs("promscore: template: check each guess (match 'guess'), then write 'checked' "
                  "in its match cell\n",
                  stderr);
        if (d.unfound)
            fputs("promscore: template: write the export's header for each item without one "
                  "(match 'none')\n",
                  stderr);
        if (d.guessed || d.unfound)
            fputs("promscore: template: 'promscore score --map' refuses the map until then\n",
                  stderr);
        if (d.negated.text)
            fputs(d.negated.text, stderr);
        if (d.unused.text)
            fprintf(stderr, "promscore: template: headers no item took: %s\n", d.unused.text);
    }
    output_discard(&d.out);
    free(d.unused.text);
    free(d.negated.text);
    return status;
}

int cmd_template(int argc, char **argv)
{
    static const char help[] =
        "Usage: promscore template -i INSTRUMENT [-i INSTRUMENT]...\n"
        "       promscore template --map EXPORT.csv -i INSTRUMENT... [--encoding NAME]\n"
        "                          [--delimiter CHAR]\n"
        "Print an empty CSV header for collecting instruments: participant_id,\n"
        "timepoint, then each item's column.\n"
        "\n"
        "With --map, read the header row of an export whose headers are its own (such\n"
        "as question wording) and print a draft map for 'promscore score --map', with\n"
        "the columns header,item,match,label: one row per item, match saying how its\n"
        "header was found: exact (it is the item's column or an alias), guess (its\n"
        "words are like the item's label, or its spelling like the column's: check it,\n"
        "then write 'checked' in the match cell), or none (no header is close: write\n"
        "the export's header in the empty cell). 'promscore score --map' refuses the\n"
        "map while a guess is unchecked or a header empty.\n"
        "\n"
        "  -i, --instrument ID   the instrument (repeatable)\n"
        "      --map EXPORT.csv  draft a map from this export's header row\n"
        "      --encoding NAME   the export's encoding (e.g. windows-1252; default utf-8)\n"
        "      --delimiter CHAR  the export's field delimiter (default ','; 'tab')\n"
        "  -h, --help            this help\n";
    enum { MAP = 256, ENCODING, DELIMITER };
    static const struct option long_options[] = {{"instrument", required_argument, NULL, 'i'},
                                                 {"map", required_argument, NULL, MAP},
                                                 {"encoding", required_argument, NULL, ENCODING},
                                                 {"delimiter", required_argument, NULL, DELIMITER},
                                                 {"help", no_argument, NULL, 'h'},
                                                 {NULL, 0, NULL, 0}};
    const char *ids[64];
    size_t n = 0;
    const char *export = NULL;
    ps_score_options_t options = {.size = sizeof options};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "i:h", long_options, NULL)) != -1) {
        if (c == 'i' && n < sizeof ids / sizeof ids[0]) {
            ids[n++] = optarg;
        } else if (c == MAP) {
            export = optarg;
        } else if (c == ENCODING) {
            options.encoding = optarg;
        } else if (c == DELIMITER) {
            if (cli_delimiter("template", optarg, &options.delimiter) != 0)
                return EXIT_USAGE;
        } else {
            fputs(help, c == 'h' ? stdout : stderr);
            return c == 'h' ? 0 : EXIT_USAGE;
        }
    }
    if (n == 0 || optind < argc) {
        cli_error("template: name the instrument with -i ID");
        return EXIT_USAGE;
    }
    if (!export && (options.encoding || options.delimiter)) {
        cli_error("template: --encoding and --delimiter apply to the export of --map");
        return EXIT_USAGE;
    }
    ps_context_t *context;
    int status = cli_context(&context, 1);
    if (status)
        return status;
    for (size_t k = 0; k < n; k++)
        if (!ps_context_find_instrument(context, ids[k])) {
            cli_error("template: unknown instrument '%s' (see 'promscore instruments')", ids[k]);
            ps_context_free(context);
            return EXIT_USAGE;
        }
    if (export) {
        options.instruments = ids;
        options.n_instruments = n;
        status = draft_map(context, export, &options);
        ps_context_free(context);
        return status;
    }
    output_t out;
    if (output_open(&out, "-", 0) != 0) {
        ps_context_free(context);
        return EXIT_INTERNAL;
    }
    output_write(&out, "participant_id,timepoint", 24);
    for (size_t k = 0; k < n; k++) {
        const ps_instrument_t *in = ps_context_find_instrument(context, ids[k]);
        for (size_t i = 0; i < ps_instrument_item_count(in); i++) {
            csv_comma(&out);
            csv_text(&out, ps_item_column(ps_instrument_item(in, i)));
        }
    }
    csv_end_row(&out);
    if (output_commit(&out) != 0)
        status = EXIT_INPUT;
    output_discard(&out);
    ps_context_free(context);
    return status;
}
