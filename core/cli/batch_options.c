/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The options that say how raw survey batches are read, shared by score and report -i. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "batch_options.h"

#define SCORE (1u << CLI_BATCH_SCORE)
#define REPORT (1u << CLI_BATCH_REPORT)

/* The help, line by line, with the commands each line is for. */
static const struct {
    unsigned uses;
    const char *text;
} help[] = {
    {SCORE | REPORT,
     "      --id-column NAME      participant id column (default participant_id)\n"},
    {SCORE | REPORT, "      --timepoint-column NAME  timepoint column (default timepoint)\n"},
    {SCORE, "  -t, --timepoint LABEL     one timepoint for every row (no timepoint column)\n"},
    {SCORE | REPORT,
     "      --date-column NAME    timepoints from dates: each participant's earliest\n"
     "                            assessment of an instrument is baseline, the latest\n"},
    {SCORE, "                            followup (see --window); the date is kept\n"},
    {REPORT, "                            followup (see --window)\n"},
    {SCORE | REPORT,
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
     "                            participant's answers on one date are one assessment\n"},
    {SCORE, "  -k, --keep COL[,COL]...   carry these columns to every scored row\n"},
    {SCORE | REPORT,
     "  -m, --map MAP.csv         header,item pairs for batches with their own headers,\n"
     "                            items written INSTRUMENT.ITEM (e.g. wemwbs.1)\n"
     "      --encoding NAME       the batches' encoding, converted to UTF-8 (e.g.\n"
     "                            windows-1252, latin1, utf-16; default utf-8); the\n"
     "                            map's too, unless it is UTF-8\n"
     "      --delimiter CHAR      the batches' field delimiter (default ','; 'tab')\n"},
};

void cli_batch_usage(FILE *to, cli_batch_use_t use)
{
    for (size_t i = 0; i < sizeof help / sizeof help[0]; i++)
        if (help[i].uses & (1u << use))
            fputs(help[i].text, to);
}

void cli_batch_init(cli_batch_t *batch, cli_batch_use_t use)
{
    *batch = (cli_batch_t){
        .use = use,
        .command = use == CLI_BATCH_REPORT ? "report" : "score",
        .options = {.size = sizeof batch->options},
    };
}

void cli_batch_free(cli_batch_t *batch)
{
    cli_list_free(&batch->keep);
    cli_list_free(&batch->calibrations);
    cli_list_free(&batch->long_columns);
    free(batch->date_range);
    for (size_t i = 0; i < batch->options.n_windows; i++)
        free(batch->window_texts[i]);
    free(batch->windows);
    free(batch->window_texts);
    batch->date_range = NULL;
    batch->windows = NULL;
    batch->window_texts = NULL;
    batch->options.n_windows = 0;
}

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

static int out_of_memory(void)
{
    cli_error("out of memory");
    return EXIT_INTERNAL;
}

/* --window: one more window, checked for how it is written. */
static int add_window(cli_batch_t *batch, const char *value)
{
    size_t n = batch->options.n_windows;
    ps_window_t *windows = realloc(batch->windows, (n + 1) * sizeof *windows);
    if (windows)
        batch->windows = windows;
    char **texts = windows ? realloc(batch->window_texts, (n + 1) * sizeof *texts) : NULL;
    if (texts)
        batch->window_texts = texts;
    char *text = texts ? strdup(value) : NULL;
    if (!text)
        return out_of_memory();
    if (strpbrk(value, " \t\n\r\v\f")) {
        cli_error("%s: --window '%s' holds white space: it takes one window, NAME=FROM-TO "
                  "without spaces; give each window its own --window",
                  batch->command, value);
        free(text);
        return EXIT_USAGE;
    }
    if (parse_window(text, &windows[n])) {
        cli_error("%s: --window takes NAME=FROM-TO, days after baseline from 1 to %u such as "
                  "month4=90-150, not '%s'",
                  batch->command, PS_MAX_WINDOW_DAY, value);
        free(text);
        return EXIT_USAGE;
    }
    texts[n] = text;
    batch->options.n_windows = n + 1;
    return 0;
}

/* --date-range FROM,TO: either side may be empty, for its default. */
static int set_date_range(cli_batch_t *batch, const char *value)
{
    const char *comma = strchr(value, ',');
    free(batch->date_range);
    batch->date_range = NULL;
    batch->options.date_from = batch->options.date_to = NULL;
    if (!comma || strchr(comma + 1, ',')) {
        cli_error("%s: --date-range takes FROM,TO, dates written YYYY-MM-DD such as "
                  "2020-01-01,2025-12-31 (either may be left out for its default), not '%s'",
                  batch->command, value);
        return EXIT_USAGE;
    }
    if (!(batch->date_range = strdup(value)))
        return out_of_memory();
    batch->date_range[comma - value] = '\0';
    batch->options.date_from = *batch->date_range ? batch->date_range : NULL;
    batch->options.date_to = comma[1] ? batch->date_range + (comma - value) + 1 : NULL;
    return 0;
}

int cli_batch_option(cli_batch_t *batch, int option, const char *value)
{
    ps_score_options_t *options = &batch->options;
    const char *name = NULL; /* the option's name when it reads raw batches */
    int status = 0;
    switch (option) {
    case CLI_BATCH_ID_COLUMN:
        options->id_column = value;
        name = "--id-column";
        break;
    case CLI_BATCH_TIMEPOINT_COLUMN:
        options->timepoint_column = value;
        name = "--timepoint-column";
        break;
    case 't':
        if (batch->use == CLI_BATCH_REPORT) {
            cli_error("report: --timepoint gives every row of every batch one label, leaving "
                      "no later timepoint to compare with the baseline: score each file with "
                      "its own --timepoint, then report the scored files");
            return EXIT_USAGE;
        }
        options->timepoint = value;
        name = "--timepoint";
        break;
    case CLI_BATCH_DATE_COLUMN:
        options->date_column = value;
        name = "--date-column";
        break;
    case CLI_BATCH_DATE_FORMAT:
        options->date_format = value;
        name = "--date-format";
        break;
    case CLI_BATCH_WINDOW:
        status = add_window(batch, value);
        name = "--window";
        break;
    case CLI_BATCH_DATE_RANGE:
        status = set_date_range(batch, value);
        name = "--date-range";
        break;
    case CLI_BATCH_LONG:
        cli_list_free(&batch->long_columns);
        batch->long_columns = (cli_list_t){0};
        if (cli_list_add(&batch->long_columns, value))
            return out_of_memory();
        name = "--long";
        break;
    case 'k':
        if (batch->use == CLI_BATCH_REPORT) {
            cli_error("report: --keep carries columns to scored rows, which a report does not "
                      "write: give the columns to report by with --by");
            return EXIT_USAGE;
        }
        if (cli_list_add(&batch->keep, value))
            return out_of_memory();
        name = "--keep";
        break;
    case 'm':
        options->map_file = value;
        name = "--map";
        break;
    case CLI_BATCH_ENCODING:
        options->encoding = value;
        name = "--encoding";
        break;
    case CLI_BATCH_DELIMITER:
        if (cli_delimiter(batch->command, value, &options->delimiter) != 0)
            return EXIT_USAGE;
        name = "--delimiter";
        break;
    case CLI_BATCH_CALIBRATION:
        /* Calibration tables are loaded into the context, whatever the inputs. */
        if (cli_list_add(&batch->calibrations, value))
            return out_of_memory();
        break;
    default: return -1;
    }
    if (name && !batch->first_given)
        batch->first_given = name;
    return status;
}

int cli_batch_check(cli_batch_t *batch)
{
    ps_score_options_t *options = &batch->options;
    const char *command = batch->command;
    cli_list_t *long_columns = &batch->long_columns;
    if (options->timepoint && !*options->timepoint) {
        cli_error("%s: --timepoint needs a label", command);
        return EXIT_USAGE;
    }
    if (long_columns->n) {
        int named = long_columns->n == 4;
        for (size_t i = 0; i < long_columns->n && named; i++)
            named = *long_columns->items[i] != '\0';
        if (!named) {
            cli_error("%s: --long takes the four columns of a long export, ID,DATE,ITEM,VALUE, "
                      "as its header names them",
                      command);
            return EXIT_USAGE;
        }
        if (options->id_column || options->date_column) {
            cli_error("%s: --long names the id and date columns: give it without %s", command,
                      options->id_column ? "--id-column" : "--date-column");
            return EXIT_USAGE;
        }
        options->id_column = long_columns->items[0];
        options->date_column = long_columns->items[1];
        options->item_column = long_columns->items[2];
        options->value_column = long_columns->items[3];
    }
    if (options->date_column && (options->timepoint || options->timepoint_column)) {
        cli_error("%s: %s decides the timepoints: give it without %s", command,
                  long_columns->n ? "--long" : "--date-column",
                  options->timepoint ? "--timepoint" : "--timepoint-column");
        return EXIT_USAGE;
    }
    if (!options->date_column &&
        (options->date_format || options->n_windows || batch->date_range)) {
        cli_error("%s: %s needs --date-column", command,
                  options->n_windows  ? "--window"
                  : batch->date_range ? "--date-range"
                                      : "--date-format");
        return EXIT_USAGE;
    }
    options->windows = batch->windows;
    options->keep = (const char *const *)batch->keep.items;
    options->n_keep = batch->keep.n;
    return 0;
}

int cli_batch_spool_stdin(const cli_batch_t *batch, char *const *files, size_t n_files)
{
    size_t i = 0;
    while (batch->options.date_column && i < n_files && strcmp(files[i], "-") != 0)
        i++;
    if (!batch->options.date_column || i == n_files)
        return 0;
    struct stat st;
    if (fstat(STDIN_FILENO, &st) == 0 && S_ISREG(st.st_mode))
        return 0; /* a file already: read again where it starts */
    FILE *spool = tmpfile();
    if (!spool) {
        cli_error("-: cannot create a temporary file to hold standard input: %s", strerror(errno));
        return EXIT_INPUT;
    }
    char buffer[65536];
    ssize_t n;
    while ((n = read(STDIN_FILENO, buffer, sizeof buffer)) != 0) {
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 || fwrite(buffer, 1, (size_t)n, spool) != (size_t)n) {
            cli_error("-: cannot copy standard input to a temporary file: %s", strerror(errno));
            fclose(spool);
            return EXIT_INPUT;
        }
    }
    if (fflush(spool) != 0 || lseek(fileno(spool), 0, SEEK_SET) != 0 ||
        dup2(fileno(spool), STDIN_FILENO) < 0) {
        cli_error("-: cannot copy standard input to a temporary file: %s", strerror(errno));
        fclose(spool);
        return EXIT_INPUT;
    }
    fclose(spool);
    return 0;
}
