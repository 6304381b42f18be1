/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * How raw survey batches are read: the options 'promscore score' and
 * 'promscore report -i' share, declared once. A command puts
 * CLI_BATCH_LONG_OPTIONS in its getopt_long table and CLI_BATCH_SHORT_OPTIONS
 * in its short options, hands every option it does not know itself to
 * cli_batch_option, calls cli_batch_check after the last, and prints the
 * options' help with cli_batch_usage.
 */
#ifndef PROMSCORE_CLI_BATCH_OPTIONS_H
#define PROMSCORE_CLI_BATCH_OPTIONS_H

#include <stdio.h>

#include "cli.h"

/* The command reading batches: it names the messages and decides what applies. */
typedef enum cli_batch_use {
    CLI_BATCH_SCORE, /* promscore score: every option */
    CLI_BATCH_REPORT /* promscore report -i: no --timepoint, no --keep (see cli_batch_option) */
} cli_batch_use_t;

/* getopt_long's values for the long options without a short one. */
enum {
    CLI_BATCH_ID_COLUMN = 0x200,
    CLI_BATCH_TIMEPOINT_COLUMN,
    CLI_BATCH_DATE_COLUMN,
    CLI_BATCH_DATE_FORMAT,
    CLI_BATCH_WINDOW,
    CLI_BATCH_DATE_RANGE,
    CLI_BATCH_LONG,
    CLI_BATCH_ENCODING,
    CLI_BATCH_DELIMITER,
    CLI_BATCH_CALIBRATION
};

#define CLI_BATCH_SHORT_OPTIONS "t:k:m:"

/* clang-format off */
#define CLI_BATCH_LONG_OPTIONS                                                     \
    {"id-column", required_argument, NULL, CLI_BATCH_ID_COLUMN},                   \
    {"timepoint-column", required_argument, NULL, CLI_BATCH_TIMEPOINT_COLUMN},     \
    {"timepoint", required_argument, NULL, 't'},                                   \
    {"date-column", required_argument, NULL, CLI_BATCH_DATE_COLUMN},               \
    {"date-format", required_argument, NULL, CLI_BATCH_DATE_FORMAT},               \
    {"window", required_argument, NULL, CLI_BATCH_WINDOW},                         \
    {"date-range", required_argument, NULL, CLI_BATCH_DATE_RANGE},                 \
    {"long", required_argument, NULL, CLI_BATCH_LONG},                             \
    {"keep", required_argument, NULL, 'k'},                                        \
    {"map", required_argument, NULL, 'm'},                                         \
    {"encoding", required_argument, NULL, CLI_BATCH_ENCODING},                     \
    {"delimiter", required_argument, NULL, CLI_BATCH_DELIMITER},                   \
    {"calibration", required_argument, NULL, CLI_BATCH_CALIBRATION}
/* clang-format on */

/* The help line of --calibration, which each command places among its own. */
#define CLI_BATCH_CALIBRATION_HELP                                                                 \
    "      --calibration FILE.xml  a licensee's calibration table (e.g. PAM-13)\n"

/*
 * The options read so far. 'options' is what the scorer is given once
 * cli_batch_check has completed it; the command adds the instruments (and,
 * for a report, its --by columns as kept columns).
 */
typedef struct cli_batch {
    cli_batch_use_t use;
    const char *command; /* "score", "report" */
    ps_score_options_t options;
    cli_list_t keep;         /* -k */
    cli_list_t calibrations; /* --calibration */
    cli_list_t long_columns; /* --long: ID,DATE,ITEM,VALUE */
    char *date_range;        /* --date-range, cut at its comma */
    ps_window_t *windows;    /* --window, each named in its own copy of the value */
    char **window_texts;
    const char *first_given; /* the first option given that reads raw batches, or NULL */
} cli_batch_t;

void cli_batch_init(cli_batch_t *batch, cli_batch_use_t use);
void cli_batch_free(cli_batch_t *batch);

/*
 * Reads one option as getopt_long returned it, with its value. Returns 0,
 * EXIT_USAGE or EXIT_INTERNAL after saying why, or -1 when 'option' is not
 * one of these. For a report, --timepoint (one label for every row of every
 * batch, so no later timepoint to compare) and --keep (a report carries its
 * --by columns) are refused with their reasons.
 */
int cli_batch_option(cli_batch_t *batch, int option, const char *value);

/*
 * After the last option: checks the options against each other (--long
 * against --id-column, dates against timepoints, date options without
 * --date-column) and completes 'options'. Returns 0, or EXIT_USAGE after
 * saying why.
 */
int cli_batch_check(cli_batch_t *batch);

/*
 * Timepoints from dates read each batch twice: when one of 'files' is "-",
 * standard input from a pipe is first copied to an unnamed temporary file
 * (tmpfile(3): mode 0600, already unlinked, gone when promscore ends), which
 * then stands in for it. Returns 0, or EXIT_INPUT after saying why.
 */
int cli_batch_spool_stdin(const cli_batch_t *batch, char *const *files, size_t n_files);

/* Prints the options' help lines, but for --calibration's, as the command takes them. */
void cli_batch_usage(FILE *to, cli_batch_use_t use);

#endif
