/* SPDX-License-Identifier: GPL-3.0-or-later */
/* promscore score: batches in, SCORED.csv and REJECTS.csv out. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <promscore/formats.h>

#include "batch_options.h"
#include "cli.h"
#include "output.h"

static void usage(FILE *to)
{
    fputs("Usage: promscore score [OPTION]... BATCH.csv... -o SCORED.csv\n"
          "Score survey batches: one output row per participant, timepoint, instrument\n"
          "and scale; every refused row or answer goes to the rejects.\n"
          "\n"
          "  -i, --instrument ID       score this instrument (repeatable); without it, every\n"
          "                            instrument whose item columns are all present\n"
          "  -o, --output FILE         scored rows (required; '-' for standard output)\n"
          "  -r, --rejects FILE        refused rows and answers; without it they are\n"
          "                            listed on standard error\n",
          to);
    cli_batch_usage(to, CLI_BATCH_SCORE);
    fputs("  -q, --quiet               no per-batch summary\n"
          "      --mode MODE           permissions of the outputs (default 600: they hold\n"
          "                            data about individuals)\n"
          CLI_BATCH_CALIBRATION_HELP
          "  -h, --help                this help\n"
          "\n"
          "Output columns: participant_id,timepoint,instrument,scale,score,band,answered,\n"
          "status, date (with --date-column), then the kept columns.\n"
          "Rejects: file,line,participant_id,column,value,\n"
          "reason. Outputs are written atomically.\n"
          "Exit status: 0 all scored; 1 some rows or answers refused or scores not ok;\n"
          "2 usage; 3 unreadable or invalid input (nothing written); 4 internal error.\n",
          to);
}

struct run {
    output_t scored;
    output_t rejects;
    int rejects_to_file;
    int quiet;
    cli_progress_t progress;
    ps_scorer_t *scorer;
    size_t n_keep;
    unsigned long refused;   /* rows rejected + answers refused + scores not ok */
};

static int on_batch_start(const ps_batch_start_t *start, void *user)
{
    struct run *run = user;
    if (run->quiet)
        return 0;
    if (!start->n_instruments) {
        fprintf(stderr, "promscore: %s: no item of any instrument scored\n", start->file);
        return 0;
    }
    fprintf(stderr, "promscore: %s: %s", start->file,
            start->detected ? "found item columns of" : "scoring");
    for (size_t i = 0; i < start->n_instruments; i++)
        fprintf(stderr, "%s%s", i ? ", " : " ", ps_instrument_id(start->instruments[i]));
    fputc('\n', stderr);
    return 0;
}

static int on_score(const ps_score_t *s, void *user)
{
    struct run *run = user;
    cli_progress(&run->progress, ps_scorer_progress(run->scorer));
    output_t *o = &run->scored;
    csv_scored_row(o, s, run->n_keep);
    run->refused += s->outcome != PS_SCORED;
    return o->error != 0;
}

static int on_reject(const ps_reject_t *r, void *user)
{
    struct run *run = user;
    run->refused++;
    cli_progress(&run->progress, ps_scorer_progress(run->scorer));
    if (!run->rejects_to_file) {
        cli_print_reject(r);
        return 0;
    }
    csv_reject(&run->rejects, r);
    return run->rejects.error != 0;
}

static int on_batch_end(const ps_batch_summary_t *s, void *user)
{
    struct run *run = user;
    cli_progress_done(&run->progress);
    if (!run->quiet)
        fprintf(stderr,
                "promscore: %s: %lu rows read, %lu scored, %lu rejected; %lu scores ok, %lu "
                "not ok; %lu answers refused\n",
                s->file, s->rows_read, s->rows_scored, s->rows_rejected, s->scores_ok,
                s->scores_not_ok, s->cells_rejected);
    return 0;
}

int cmd_score(int argc, char **argv)
{
    static const struct option long_options[] = {
        {"instrument", required_argument, NULL, 'i'},
        {"output", required_argument, NULL, 'o'},
        {"rejects", required_argument, NULL, 'r'},
        CLI_BATCH_LONG_OPTIONS,
        {"quiet", no_argument, NULL, 'q'},
        {"mode", required_argument, NULL, 'M'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    cli_batch_t batch;
    cli_batch_init(&batch, CLI_BATCH_SCORE);
    ps_score_options_t *options = &batch.options;
    unsigned mode = 0600;
    const char **instruments = calloc((size_t)argc, sizeof *instruments);
    const char **extra = NULL; /* the scored CSV's columns after the fixed ones */
    const char *scored_path = NULL, *rejects_path = NULL;
    struct run run = {.scored = OUTPUT_INIT, .rejects = OUTPUT_INIT};
    output_file_t *files = NULL;
    ps_context_t *context = NULL;
    ps_scorer_t *scorer = NULL;
    int status = EXIT_USAGE, c;
    if (!instruments) {
        cli_error("out of memory");
        return EXIT_INTERNAL;
    }
    optind = 1;
    const char *once[CLI_OPTION_VALUES] = {NULL};
    static const int gathers[] = {'i', 'k', CLI_BATCH_WINDOW, CLI_BATCH_CALIBRATION, 0};
    while ((c = getopt_long(argc, argv, "i:o:r:" CLI_BATCH_SHORT_OPTIONS "qh", long_options,
                            NULL)) != -1) {
        if (cli_given_once("score", long_options, gathers, c, once))
            goto done;
        switch (c) {
        case 'i': instruments[options->n_instruments++] = optarg; break;
        case 'o': scored_path = optarg; break;
        case 'r': rejects_path = optarg; break;
        case 'q': run.quiet = 1; break;
        case 'M':
            if (output_parse_mode(optarg, &mode)) {
                cli_error("score: --mode takes octal permissions such as 640, not '%s'", optarg);
                goto done;
            }
            break;
        case 'h': usage(stdout); status = 0; goto done;
        default: {
            int taken = cli_batch_option(&batch, c, optarg);
            if (taken < 0)
                usage(stderr);
            if (taken != 0) {
                status = taken < 0 ? EXIT_USAGE : taken;
                goto done;
            }
        }
        }
    }
    if (optind >= argc) {
        cli_error("score: no batch given");
        usage(stderr);
        goto done;
    }
    if (!scored_path) {
        cli_error("score: give the scored output with -o FILE");
        goto done;
    }
    if (cli_batch_check(&batch) != 0)
        goto done;
    /* No output may be another output, an input, the map or a calibration table. */
    files = calloc((size_t)argc + batch.calibrations.n + 3, sizeof *files);
    if (!files) {
        cli_error("out of memory");
        status = EXIT_INTERNAL;
        goto done;
    }
    size_t n_files = 0;
    files[n_files++] = (output_file_t){scored_path, "-o", 1};
    files[n_files++] = (output_file_t){rejects_path, "--rejects", 1};
    files[n_files++] = (output_file_t){options->map_file, "--map", 0};
    for (size_t i = 0; i < batch.calibrations.n; i++)
        files[n_files++] = (output_file_t){batch.calibrations.items[i], "--calibration", 0};
    for (int i = optind; i < argc; i++)
        files[n_files++] = (output_file_t){argv[i], "input", 0};
    if (output_check_distinct("score", files, n_files) != 0)
        goto done;
    options->instruments = instruments;
    cli_progress_init(&run.progress, "scoring", run.quiet, scored_path);
    run.n_keep = batch.keep.n;

    if ((status = cli_context(&context, 1)) ||
        (status = cli_calibrations(context, &batch.calibrations)))
        goto done;
    ps_score_handlers_t handlers = {on_batch_start, on_score, on_reject, on_batch_end, &run};
    ps_error_t err = ps_scorer_new(context, options, &handlers, &scorer);
    if (err) {
        status = cli_exit_status(err);
        goto done;
    }
    run.scorer = scorer;
    if (output_open(&run.scored, scored_path, mode) != 0) {
        cli_error("%s: cannot create: %s", scored_path, strerror(errno));
        status = EXIT_INPUT;
        goto done;
    }
    /* With dates, each row keeps its date, before the kept columns. */
    const int dated = options->date_column != NULL;
    if (!(extra = calloc(batch.keep.n + 1, sizeof *extra))) {
        cli_error("out of memory");
        status = EXIT_INTERNAL;
        goto done;
    }
    if (dated)
        extra[0] = PS_SCORED_DATE_COLUMN;
    for (size_t k = 0; k < batch.keep.n; k++)
        extra[dated + k] = batch.keep.items[k];
    csv_scored_header(&run.scored, extra, dated + batch.keep.n);
    if (rejects_path) {
        if (output_open(&run.rejects, rejects_path, mode) != 0) {
            cli_error("%s: cannot create: %s", rejects_path, strerror(errno));
            status = EXIT_INPUT;
            goto done;
        }
        run.rejects_to_file = 1;
        csv_rejects_header(&run.rejects);
    }
    if ((status = cli_batch_spool_stdin(&batch, argv + optind, (size_t)(argc - optind))) != 0)
        goto done;
    err = ps_scorer_score_files(scorer, (const char *const *)argv + optind, (size_t)(argc - optind));
    if (err == PS_ERROR_ABORTED) {
        output_t *failed = run.scored.error ? &run.scored : &run.rejects;
        cli_error("%s: cannot write: %s", failed->path, strerror(failed->error));
        status = EXIT_INPUT;
        goto done;
    }
    if (err) {
        if (err == PS_ERROR_NOMEM)
            cli_error("%s", ps_error_message(err));
        cli_error("nothing written");
        status = cli_exit_status(err);
        goto done;
    }
    /* Both written and synced before either is put in place, the rejects first: a failed
     * run leaves existing outputs as they were, and scores never appear without their rejects. */
    output_t *outputs[] = {&run.rejects, &run.scored}, *failed;
    if (output_commit_all(outputs + !rejects_path, rejects_path ? 2 : 1, &failed) != 0) {
        cli_error("%s: cannot write: %s", failed->path, strerror(failed->error));
        status = EXIT_INPUT;
        goto done;
    }
    status = run.refused ? EXIT_SOME_REFUSED : EXIT_ALL_SCORED;
done:
    output_discard(&run.scored);
    output_discard(&run.rejects);
    ps_scorer_free(scorer);
    ps_context_free(context);
    cli_batch_free(&batch);
    free(instruments);
    free(files);
    free(extra);
    return status;
}
