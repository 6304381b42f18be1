/* SPDX-License-Identifier: GPL-3.0-or-later */
/* promscore pseudonymise: identifiers replaced by keyed pseudonyms before data leaves a service. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "output.h"

static void usage(FILE *to)
{
    fputs("Usage: promscore pseudonymise --key-file KEY --column NAME IN.csv -o OUT.csv\n"
          "                              [--rejects REJECTS.csv] [--text] [--drop COL,...]\n"
          "                              [--encoding NAME] [--delimiter CHAR]\n"
          "       promscore pseudonymise --keygen KEY\n"
          "Replace an identifier column (by default an NHS number) by its HMAC-SHA256 under\n"
          "a secret key, written as 64 lowercase hexadecimal characters. The same key and\n"
          "identifier always give the same pseudonym, so batches pseudonymised apart still\n"
          "pair; without the key the pseudonyms cannot be reversed.\n"
          "\n"
          "  -k, --key-file KEY   the secret key: the file's bytes, at least 32, readable by\n"
          "                       its owner alone\n"
          "      --keygen KEY     create a new random 32-byte key with mode 0600\n"
          "  -c, --column NAME    the identifier column\n"
          "      --text           the column is not an NHS number: hash it as written\n"
          "                       (without surrounding spaces) instead of validating it\n"
          "  -d, --drop COL,...   leave these columns (names, free-text comments) out of\n"
          "                       the output; each must be in the header, and the\n"
          "                       identifier column cannot be dropped\n"
          "      --encoding NAME  the input's encoding, converted to UTF-8 (e.g.\n"
          "                       windows-1252, latin1, utf-16; default utf-8)\n"
          "      --delimiter CHAR the input's field delimiter (default ','; 'tab')\n"
          "  -o, --output FILE    the pseudonymised CSV, UTF-8 with commas (required; '-'\n"
          "                       for standard output)\n"
          "  -r, --rejects FILE   rows refused (invalid NHS number, ...), by line; the\n"
          "                       identifier itself is never written\n"
          "  -q, --quiet          no summary and no progress line\n"
          "      --mode MODE      permissions of the outputs (default 600)\n"
          "  -h, --help           this help\n"
          "\n"
          "NHS numbers: 10 digits, spaces and hyphens allowed between them, the last the\n"
          "modulus-11 check digit; the pseudonym is the HMAC of the 10 digits.\n"
          "Exit status: 0 all rows written; 1 some rows refused; 2 usage; 3 invalid input\n"
          "or key (nothing written); 4 internal error.\n",
          to);
}

struct run {
    output_t out, rejects;
    int has_rejects;
    cli_progress_t progress;
};

static int show_progress(const ps_progress_t *at, void *user)
{
    struct run *run = user;
    cli_progress(&run->progress, at);
    return 0;
}

static int write_row(const char *const *fields, size_t n, void *user)
{
    struct run *run = user;
    for (size_t i = 0; i < n; i++) {
        if (i)
            csv_comma(&run->out);
        csv_text(&run->out, fields[i]);
    }
    csv_end_row(&run->out);
    return run->out.error != 0;
}

static int write_reject(const ps_reject_t *r, void *user)
{
    struct run *run = user;
    if (!run->has_rejects) {
        cli_print_reject(r);
        return 0;
    }
    csv_reject(&run->rejects, r); /* the library leaves the identifier out of it */
    return run->rejects.error != 0;
}

int cmd_pseudonymise(int argc, char **argv)
{
    enum { KEYGEN = 256, TEXT, ENCODING, DELIMITER };
    static const struct option long_options[] = {
        {"key-file", required_argument, NULL, 'k'}, {"keygen", required_argument, NULL, KEYGEN},
        {"column", required_argument, NULL, 'c'},   {"text", no_argument, NULL, TEXT},
        {"output", required_argument, NULL, 'o'},   {"rejects", required_argument, NULL, 'r'},
        {"quiet", no_argument, NULL, 'q'},          {"help", no_argument, NULL, 'h'},
        {"mode", required_argument, NULL, 'M'},     {"drop", required_argument, NULL, 'd'},
        {"encoding", required_argument, NULL, ENCODING},
        {"delimiter", required_argument, NULL, DELIMITER},
        {NULL, 0, NULL, 0},
    };
    const char *key_file = NULL, *keygen = NULL, *column = NULL, *output = NULL, *rejects = NULL;
    const char *encoding = NULL;
    char delimiter = 0;
    ps_identifier_t kind = PS_IDENTIFIER_NHS_NUMBER;
    int quiet = 0, c;
    unsigned mode = 0600;
    cli_list_t drop = {0};
    ps_context_t *context = NULL;
    int status = EXIT_USAGE;
    struct run run = {.out = OUTPUT_INIT, .rejects = OUTPUT_INIT};
    unsigned char *key = NULL;
    size_t key_length = 0;
    optind = 1;
    const char *once[CLI_OPTION_VALUES] = {NULL};
    static const int gathers[] = {'d', 0};
    while ((c = getopt_long(argc, argv, "k:c:o:r:d:qh", long_options, NULL)) != -1) {
        if (cli_given_once("pseudonymise", long_options, gathers, c, once))
            goto done;
        switch (c) {
        case 'k': key_file = optarg; break;
        case KEYGEN: keygen = optarg; break;
        case 'c': column = optarg; break;
        case TEXT: kind = PS_IDENTIFIER_TEXT; break;
        case 'o': output = optarg; break;
        case 'r': rejects = optarg; break;
        case 'd':
            if (cli_list_add(&drop, optarg)) {
                cli_error("out of memory");
                status = EXIT_INTERNAL;
                goto done;
            }
            break;
        case ENCODING: encoding = optarg; break;
        case DELIMITER:
            if (cli_delimiter("pseudonymise", optarg, &delimiter) != 0)
                goto done;
            break;
        case 'q': quiet = 1; break;
        case 'M':
            if (output_parse_mode(optarg, &mode)) {
                cli_error("pseudonymise: --mode takes octal permissions, not '%s'", optarg);
                goto done;
            }
            break;
        case 'h': usage(stdout); status = 0; goto done;
        default: usage(stderr); goto done;
        }
    }
    if (keygen) {
        if (key_file || column || output || rejects || drop.n || encoding || delimiter ||
            optind < argc) {
            cli_error("pseudonymise: --keygen takes only the new key's file");
            goto done;
        }
        if ((status = cli_context(&context, 0)))
            goto done;
        status = cli_exit_status(ps_key_generate(context, keygen));
        goto done;
    }
    if (!key_file || !column || !output || optind + 1 != argc) {
        cli_error("pseudonymise: give --key-file, --column, one input file and -o OUT.csv");
        usage(stderr);
        goto done;
    }
    const char *input = argv[optind];
    /* Neither output may be the key (it would be lost), the input, or the other output. */
    const output_file_t files[] = {{output, "-o", 1},
                                   {rejects, "--rejects", 1},
                                   {key_file, "--key-file", 0},
                                   {input, "input", 0}};
    if (output_check_distinct("pseudonymise", files, sizeof files / sizeof files[0]) != 0)
        goto done;
    /* Nor may the input be the key: its bytes would be written out as rows. */
    if (output_same_file(input, 0, key_file, 0)) {
        cli_error("pseudonymise: input %s is the key file: refusing to write it out", input);
        goto done;
    }
    if ((status = cli_context(&context, 0)))
        goto done;
    ps_batch_summary_t summary;
    ps_error_t err = ps_key_read(context, key_file, &key, &key_length);
    if (err) {
        status = err == PS_ERROR_USAGE ? EXIT_INPUT : cli_exit_status(err);
        goto done;
    }
    /* Row-level data: private to its owner, like scored output. */
    if (output_open(&run.out, output, mode) != 0) {
        cli_error("%s: cannot create: %s", output, strerror(errno));
        status = EXIT_INPUT;
        goto done;
    }
    if (rejects && output_open(&run.rejects, rejects, mode) != 0) {
        cli_error("%s: cannot create: %s", rejects, strerror(errno));
        status = EXIT_INPUT;
        goto done;
    }
    if (rejects) {
        run.has_rejects = 1;
        csv_rejects_header(&run.rejects);
    }
    ps_pseudonymise_handlers_t handlers = {write_row, write_reject, &run};
    ps_pseudonymise_options_t options;
    ps_pseudonymise_options_init(&options, sizeof options);
    options.column = column;
    options.kind = kind;
    options.drop = (const char *const *)drop.items;
    options.n_drop = drop.n;
    options.encoding = encoding;
    options.delimiter = delimiter;
    options.progress = show_progress;
    cli_progress_init(&run.progress, "pseudonymising", quiet, output);
    err = ps_pseudonymise_file(context, input, &options, key, key_length, &handlers, &summary);
    if (err == PS_ERROR_ABORTED && !run.out.error && !run.rejects.error) {
        cli_error("out of memory");
        status = EXIT_INTERNAL;
        goto done;
    }
    if (err == PS_ERROR_ABORTED) {
        output_t *failed = run.out.error ? &run.out : &run.rejects;
        cli_error("%s: cannot write: %s", failed->path, strerror(failed->error));
        status = EXIT_INPUT;
        goto done;
    }
    if (err) {
        cli_error("nothing written");
        status = cli_exit_status(err);
        goto done;
    }
    cli_progress_done(&run.progress);
    /* Both written and synced before either is put in place: a failure leaves both as they were. */
    output_t *outputs[] = {&run.rejects, &run.out}, *failed;
    if (output_commit_all(outputs + !rejects, rejects ? 2 : 1, &failed) != 0) {
        cli_error("%s: cannot write: %s", failed->path, strerror(failed->error));
        status = EXIT_INPUT;
        goto done;
    }
    if (!quiet)
        fprintf(stderr, "promscore: %s: %lu rows read, %lu written, %lu refused\n", input,
                summary.rows_read, summary.rows_scored, summary.rows_rejected);
    status = summary.rows_rejected ? EXIT_SOME_REFUSED : EXIT_ALL_SCORED;
done:
    ps_key_free(key, key_length);
    output_discard(&run.out);
    output_discard(&run.rejects);
    ps_context_free(context);
    cli_list_free(&drop);
    return status;
}
