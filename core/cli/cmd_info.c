/* promscore instruments, validate and template: what the definitions say. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
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
                           "plugin and its methods). Exit status 0 when all are valid, 3 if not.\n");
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
            status = cli_exit_status(err);
            worst = status > worst ? status : worst;
        } else {
            printf("%s: valid: instrument %s version %s\n", argv[i], ps_instrument_id(in),
                   ps_instrument_version(in));
        }
        ps_context_free(context);
    }
    return worst;
}

int cmd_template(int argc, char **argv)
{
    static const char help[] =
        "Usage: promscore template -i INSTRUMENT [-i INSTRUMENT]...\n"
        "Print an empty CSV header for collecting instruments: participant_id,\n"
        "timepoint, then each item's column.\n";
    static const struct option long_options[] = {{"instrument", required_argument, NULL, 'i'},
                                                 {"help", no_argument, NULL, 'h'},
                                                 {NULL, 0, NULL, 0}};
    const char *ids[64];
    size_t n = 0;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "i:h", long_options, NULL)) != -1) {
        if (c == 'i' && n < sizeof ids / sizeof ids[0]) {
            ids[n++] = optarg;
        } else {
            fputs(help, c == 'h' ? stdout : stderr);
            return c == 'h' ? 0 : EXIT_USAGE;
        }
    }
    if (n == 0 || optind < argc) {
        cli_error("template: name the instrument with -i ID");
        return EXIT_USAGE;
    }
    ps_context_t *context;
    int status = cli_context(&context, 1);
    if (status)
        return status;
    output_t out;
    if (output_open(&out, "-", 0) != 0) {
        ps_context_free(context);
        return EXIT_INTERNAL;
    }
    output_write(&out, "participant_id,timepoint", 24);
    for (size_t k = 0; k < n && !status; k++) {
        const ps_instrument_t *in = ps_context_find_instrument(context, ids[k]);
        if (!in) {
            cli_error("template: unknown instrument '%s' (see 'promscore instruments')", ids[k]);
            status = EXIT_USAGE;
            break;
        }
        for (size_t i = 0; i < ps_instrument_item_count(in); i++) {
            csv_comma(&out);
            csv_text(&out, ps_item_column(ps_instrument_item(in, i)));
        }
    }
    if (!status) {
        csv_end_row(&out);
        if (output_commit(&out) != 0)
            status = EXIT_INPUT;
    }
    output_discard(&out);
    ps_context_free(context);
    return status;
}
