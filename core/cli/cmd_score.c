/* SPDX-License-Identifier: GPL-3.0-or-later */
/* promscore score: batches in, SCORED.csv and REJECTS.csv out. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <promscore/formats.h>

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
          "                            listed on standard error\n"
          "      --id-column NAME      participant id column (default participant_id)\n"
          "      --timepoint-column NAME  timepoint column (default timepoint)\n"
          "  -t, --timepoint LABEL     one timepoint for every row (no timepoint column)\n"
          "      --date-column NAME    timepoints from dates: each participant's earliest\n"
          "                            assessment of an instrument is baseline, the latest\n"
          "                            followup (see --window); the date is kept\n"
          "      --date-format FORMAT  how dates are written, as for strptime (default\n"
          "                            %Y-%m-%d; '%d/%m/%Y' for UK exports)\n"
          "      --window NAME=FROM-TO  a later timepoint: FROM to TO days after baseline\n"
          "                            (repeatable, e.g. --window month4=90-150); NAME of\n"
          "                            letters, digits, _ and -; days up to 999999\n"
          "      --date-range FROM,TO  the dates accepted, YYYY-MM-DD (default 2000-01-01\n"
          "                            to today); a date outside is refused\n"
          "      --long ID,DATE,ITEM,VALUE  a long export (one row per answer): the columns\n"
          "                            of the participant, the date, the item (column name,\n"
          "                            alias or --map header) and the answer; a\n"
          "                            participant's answers on one date are one assessment\n"
          "  -k, --keep COL[,COL]...   carry these columns to every scored row\n"
          "  -m, --map MAP.csv         header,item pairs for batches with their own headers,\n"
          "                            items written INSTRUMENT.ITEM (e.g. wemwbs.1)\n"
          "      --encoding NAME       the batches' encoding, converted to UTF-8 (e.g.\n"
          "                            windows-1252, latin1, utf-16; default utf-8); the\n"
          "                            map's too, unless it is UTF-8\n"
          "      --delimiter CHAR      the batches' field delimiter (default ','; 'tab')\n"
          "  -q, --quiet               no per-batch summary\n"
          "      --mode MODE           permissions of the outputs (default 600: they hold\n"
          "                            data about individuals)\n"
          "      --calibration FILE.xml  a licensee's calibration table (e.g. PAM-13)\n"
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

/* Days after baseline: 1 to 9 digits and nothing else; 0, or -1. */
static int parse_days(const char *text, size_t length, unsigned *days)
{
    if (!length || length > 9 || strspn(text, "0123456789") != length)
        return -1;
    *days = (unsigned)strtoul(text, NULL, 10);
    return 0;
}

/*
 * Reads NAME=FROM-TO into 'window' (its name points into 'text', cut at the
 * '='). The library checks what the name and the numbers mean; here, only how
 * they are written.
 */
static int parse_window(char *text, ps_window_t *window)
{
    char *equals = strchr(text, '=');
    if (!equals || equals == text)
        return -1;
    char *from = equals + 1, *dash = strchr(from, '-'), *to = dash ? dash + 1 : NULL;
    if (!dash || parse_days(from, (size_t)(dash - from), &window->from) != 0 ||
        parse_days(to, strlen(to), &window->to) != 0)
        return -1;
    *equals = '\0';
    window->name = text;
    return 0;
}

/*
 * Timepoints from dates read each batch twice. A batch on standard input from
 * a pipe is first copied to an unnamed temporary file (tmpfile(3): mode 0600,
 * already unlinked, gone when promscore ends), which then stands in for
 * standard input. Returns 0, or -1 after saying why.
 */
static int spool_stdin(void)
{
    struct stat st;
    if (fstat(STDIN_FILENO, &st) == 0 && S_ISREG(st.st_mode))
        return 0; /* a file already: read again where it starts */
    FILE *spool = tmpfile();
    if (!spool) {
        cli_error("-: cannot create a temporary file to hold standard input: %s", strerror(errno));
        return -1;
    }
    char buffer[65536];
    ssize_t n;
    while ((n = read(STDIN_FILENO, buffer, sizeof buffer)) != 0) {
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 || fwrite(buffer, 1, (size_t)n, spool) != (size_t)n) {
            cli_error("-: cannot copy standard input to a temporary file: %s", strerror(errno));
            fclose(spool);
            return -1;
        }
    }
    if (fflush(spool) != 0 || lseek(fileno(spool), 0, SEEK_SET) != 0 ||
        dup2(fileno(spool), STDIN_FILENO) < 0) {
        cli_error("-: cannot copy standard input to a temporary file: %s", strerror(errno));
        fclose(spool);
        return -1;
    }
    fclose(spool);
    return 0;
}

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
        {"id-column", required_argument, NULL, 'I'},
        {"timepoint-column", required_argument, NULL, 'T'},
        {"timepoint", required_argument, NULL, 't'},
        {"keep", required_argument, NULL, 'k'},
        {"map", required_argument, NULL, 'm'},
        {"quiet", no_argument, NULL, 'q'},
        {"mode", required_argument, NULL, 'M'},
        {"calibration", required_argument, NULL, 'C'},
        {"encoding", required_argument, NULL, 'E'},
        {"delimiter", required_argument, NULL, 'D'},
        {"date-column", required_argument, NULL, 'A'},
        {"date-format", required_argument, NULL, 'F'},
        {"window", required_argument, NULL, 'W'},
        {"long", required_argument, NULL, 'L'},
        {"date-range", required_argument, NULL, 'R'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    cli_list_t calibrations = {0};
    unsigned mode = 0600;
    const char **instruments = calloc((size_t)argc, sizeof *instruments);
    ps_window_t *windows = calloc((size_t)argc, sizeof *windows);
    char **window_texts = calloc((size_t)argc, sizeof *window_texts);
    const char **extra = NULL; /* the scored CSV's columns after the fixed ones */
    cli_list_t long_columns = {0};
    char *date_range = NULL;
    ps_score_options_t options = {.size = sizeof options};
    const char *scored_path = NULL, *rejects_path = NULL;
    cli_list_t keep = {0};
    struct run run = {.scored = OUTPUT_INIT, .rejects = OUTPUT_INIT};
    output_file_t *files = NULL;
    ps_context_t *context = NULL;
    ps_scorer_t *scorer = NULL;
    int status = EXIT_USAGE, c;
    if (!instruments || !windows || !window_texts) {
        free(instruments);
        free(windows);
        free(window_texts);
        cli_error("out of memory");
        return EXIT_INTERNAL;
    }
    optind = 1;
    while ((c = getopt_long(argc, argv, "i:o:r:t:k:m:qh", long_options, NULL)) != -1) {
        switch (c) {
        case 'i': instruments[options.n_instruments++] = optarg; break;
        case 'o': scored_path = optarg; break;
        case 'r': rejects_path = optarg; break;
        case 'I': options.id_column = optarg; break;
        case 'T': options.timepoint_column = optarg; break;
        case 't': options.timepoint = optarg; break;
        case 'k':
            if (cli_list_add(&keep, optarg)) {
                status = EXIT_INTERNAL;
                goto done;
            }
            break;
        case 'm': options.map_file = optarg; break;
        case 'E': options.encoding = optarg; break;
        case 'A': options.date_column = optarg; break;
        case 'L':
            cli_list_free(&long_columns);
            long_columns = (cli_list_t){0};
            if (cli_list_add(&long_columns, optarg)) {
                status = EXIT_INTERNAL;
                goto done;
            }
            break;
        case 'F': options.date_format = optarg; break;
        case 'R': {
            /* FROM,TO: either side may be empty, for its default. */
            const char *comma = strchr(optarg, ',');
            free(date_range);
            if (!comma || strchr(comma + 1, ',') || !(date_range = strdup(optarg))) {
                date_range = NULL;
                cli_error("score: --date-range takes FROM,TO, dates written YYYY-MM-DD such as "
                          "2020-01-01,2025-12-31 (either may be left out for its default), not "
                          "'%s'",
                          optarg);
                goto done;
            }
            date_range[comma - optarg] = '\0';
            options.date_from = *date_range ? date_range : NULL;
            options.date_to = comma[1] ? date_range + (comma - optarg) + 1 : NULL;
            break;
        }
        case 'W':
            if (!(window_texts[options.n_windows] = strdup(optarg))) {
                status = EXIT_INTERNAL;
                goto done;
            }
            if (strpbrk(optarg, " \t\n\r\v\f")) {
                cli_error("score: --window '%s' holds white space: it takes one window, "
                          "NAME=FROM-TO without spaces; give each window its own --window",
                          optarg);
                free(window_texts[options.n_windows]);
                window_texts[options.n_windows] = NULL;
                goto done;
            }
            if (parse_window(window_texts[options.n_windows], &windows[options.n_windows])) {
                cli_error("score: --window takes NAME=FROM-TO, days after baseline from 1 to "
                          "%u such as month4=90-150, not '%s'",
                          PS_MAX_WINDOW_DAY, optarg);
                free(window_texts[options.n_windows]);
                window_texts[options.n_windows] = NULL;
                goto done;
            }
            options.n_windows++;
            break;
        case 'D':
            if (cli_delimiter("score", optarg, &options.delimiter) != 0)
                goto done;
            break;
        case 'C':
            if (cli_list_add(&calibrations, optarg)) {
                status = EXIT_INTERNAL;
                goto done;
            }
            break;
        case 'q': run.quiet = 1; break;
        case 'M':
            if (output_parse_mode(optarg, &mode)) {
                cli_error("score: --mode takes octal permissions such as 640, not '%s'", optarg);
                goto done;
            }
            break;
        case 'h': usage(stdout); status = 0; goto done;
        default: usage(stderr); goto done;
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
    if (options.timepoint && !*options.timepoint) {
        cli_error("score: --timepoint needs a label");
        goto done;
    }
    if (long_columns.n) {
        int named = long_columns.n == 4;
        for (size_t i = 0; i < long_columns.n && named; i++)
            named = *long_columns.items[i] != '\0';
        if (!named) {
            cli_error("score: --long takes the four columns of a long export, ID,DATE,ITEM,VALUE, "
                      "as its header names them");
            goto done;
        }
        if (options.id_column || options.date_column) {
            cli_error("score: --long names the id and date columns: give it without %s",
                      options.id_column ? "--id-column" : "--date-column");
            goto done;
        }
        options.id_column = long_columns.items[0];
        options.date_column = long_columns.items[1];
        options.item_column = long_columns.items[2];
        options.value_column = long_columns.items[3];
    }
    if (options.date_column && (options.timepoint || options.timepoint_column)) {
        cli_error("score: %s decides the timepoints: give it without %s",
                  long_columns.n ? "--long" : "--date-column",
                  options.timepoint ? "--timepoint" : "--timepoint-column");
        goto done;
    }
    if (!options.date_column && (options.date_format || options.n_windows || date_range)) {
        cli_error("score: %s needs --date-column", options.n_windows ? "--window"
                                                   : date_range      ? "--date-range"
                                                                     : "--date-format");
        goto done;
    }
    options.windows = windows;
    /* No output may be another output, an input, the map or a calibration table. */
    files = calloc((size_t)argc + calibrations.n + 3, sizeof *files);
    if (!files) {
        cli_error("out of memory");
        status = EXIT_INTERNAL;
        goto done;
    }
    size_t n_files = 0;
    files[n_files++] = (output_file_t){scored_path, "-o", 1};
    files[n_files++] = (output_file_t){rejects_path, "--rejects", 1};
    files[n_files++] = (output_file_t){options.map_file, "--map", 0};
    for (size_t i = 0; i < calibrations.n; i++)
        files[n_files++] = (output_file_t){calibrations.items[i], "--calibration", 0};
    for (int i = optind; i < argc; i++)
        files[n_files++] = (output_file_t){argv[i], "input", 0};
    if (output_check_distinct("score", files, n_files) != 0)
        goto done;
    options.instruments = instruments;
    cli_progress_init(&run.progress, "scoring", run.quiet, scored_path);
    options.keep = (const char *const *)keep.items;
    options.n_keep = run.n_keep = keep.n;

    if ((status = cli_context(&context, 1)) || (status = cli_calibrations(context, &calibrations)))
        goto done;
    ps_score_handlers_t handlers = {on_batch_start, on_score, on_reject, on_batch_end, &run};
    ps_error_t err = ps_scorer_new(context, &options, &handlers, &scorer);
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
    const int dated = options.date_column != NULL;
    if (!(extra = calloc(keep.n + 1, sizeof *extra))) {
        cli_error("out of memory");
        status = EXIT_INTERNAL;
        goto done;
    }
    if (dated)
        extra[0] = PS_SCORED_DATE_COLUMN;
    for (size_t k = 0; k < keep.n; k++)
        extra[dated + k] = keep.items[k];
    csv_scored_header(&run.scored, extra, dated + keep.n);
    if (rejects_path) {
        if (output_open(&run.rejects, rejects_path, mode) != 0) {
            cli_error("%s: cannot create: %s", rejects_path, strerror(errno));
            status = EXIT_INPUT;
            goto done;
        }
        run.rejects_to_file = 1;
        csv_rejects_header(&run.rejects);
    }
    for (int i = optind; i < argc && options.date_column; i++)
        if (strcmp(argv[i], "-") == 0) {
            if (spool_stdin() != 0) {
                status = EXIT_INPUT;
                goto done;
            }
            break;
        }
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
    cli_list_free(&calibrations);
    cli_list_free(&keep);
    cli_list_free(&long_columns);
    free(instruments);
    free(files);
    free(extra);
    free(date_range);
    for (size_t i = 0; i < options.n_windows; i++)
        free(window_texts[i]);
    free(windows);
    free(window_texts);
    return status;
}
