/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The promscore command line: shared pieces of its subcommands. */
#ifndef PROMSCORE_CLI_H
#define PROMSCORE_CLI_H

#include <getopt.h>
#include <stddef.h>
#include <promscore/promscore.h>

/* Exit statuses, documented in promscore(1). */
enum {
    EXIT_ALL_SCORED = 0,  /* every row scored, every score ok */
    EXIT_SOME_REFUSED = 1,/* finished, but rows or answers were refused or scores incomplete */
    EXIT_USAGE = 2,       /* bad command line */
    EXIT_INPUT = 3,       /* unreadable or invalid input, definition or output: nothing written */
    EXIT_INTERNAL = 4     /* plugin or internal error */
};

/* Values of repeatable options, each of which may be a comma-separated list. */
typedef struct cli_list {
    char **items;
    size_t n;
} cli_list_t;

/* getopt_long's option values are below this: short ones below 256, long ones above. */
enum { CLI_OPTION_VALUES = 1024 };

/*
 * Refuses, naming 'command', a second value of an option that takes one, which would
 * otherwise replace the first without a word (a first --completed list never read, a first
 * --key-file lost): call it with each option getopt_long returns. 'given' (CLI_OPTION_VALUES
 * entries, all NULL at first) keeps each option's first value; options that gather their
 * values ('gathers', 0-ended: -i, --by, --window...) and flags pass. Returns 0, or -1 when
 * refused.
 */
int cli_given_once(const char *command, const struct option *options, const int *gathers,
                   int option, const char **given);

/* Adds each comma-separated item of 'text'. Returns 0, or -1 when out of memory. */
int cli_list_add(cli_list_t *list, const char *text);
void cli_list_free(cli_list_t *list);

/*
 * --delimiter's argument: one character, or 'tab' (also written \t) for a tab.
 * Returns 0, or -1 after saying why; which characters can be delimiters, the
 * library decides (ps_csv_check).
 */
int cli_delimiter(const char *command, const char *text, char *delimiter);

/* The exit status for a library error. */
int cli_exit_status(ps_error_t error);

/* Prints "promscore: " and the message to stderr. */
void cli_error(const char *format, ...) __attribute__((format(printf, 1, 2)));

/*
 * Progress of long runs (core/cli/progress.c): one stderr line rewritten in
 * place, "\rscoring batch.csv: 42% (1,234,567 rows)", at most four times a
 * second, the percentage of the file's bytes read when it is a regular file.
 * Shown only when stderr is a terminal, --quiet was not given and the output
 * does not go to that terminal too; cleared before any message is printed.
 */
typedef struct cli_progress {
    int enabled;
    const char *doing;      /* "scoring", "reading", "pseudonymising" */
    unsigned width;         /* the terminal's columns; 0 when unknown */
    unsigned long calls;    /* the clock is read once every few thousand */
    long long next_ms;      /* the line is drawn no sooner */
} cli_progress_t;

/* 'output': the path of an output written while reading ("-" standard output), or NULL. */
void cli_progress_init(cli_progress_t *progress, const char *doing, int quiet, const char *output);
/* Called for every row (or score): now and then draws the line with where 'at' says. */
void cli_progress(cli_progress_t *progress, const ps_progress_t *at);
/* Clears the line, if one is shown: at the end of a file, and before a message. */
void cli_progress_done(cli_progress_t *progress);
void cli_progress_clear(void);
/* The line, "\r" first, its file name cut at the start to fit 'width' columns (0: any). */
size_t cli_progress_format(char *line, size_t size, const char *doing, const ps_progress_t *at,
                           unsigned width);
/* 'n' with a comma between groups of three digits, whatever the locale: "1,234,567". */
size_t cli_thousands(char *out, size_t size, unsigned long long n);

/* Prints a refused row or answer to stderr as FILE:LINE[:COLUMN]: [column NAME, value "V": ]reason. */
void cli_print_reject(const ps_reject_t *reject);

/* A context printing its diagnostics to stderr, with every instrument loaded when 'load'. */
int cli_context(ps_context_t **context, int load);

/* Loads each --calibration file into a loaded context; returns an exit status. */
int cli_calibrations(ps_context_t *context, const cli_list_t *files);


int cmd_score(int argc, char **argv);
int cmd_instruments(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_template(int argc, char **argv);
int cmd_describe(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_service(int argc, char **argv);
int cmd_pseudonymise(int argc, char **argv);

#endif
