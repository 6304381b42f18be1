/* The promscore command line: shared pieces of its subcommands. */
#ifndef PROMSCORE_CLI_H
#define PROMSCORE_CLI_H

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

/* Adds each comma-separated item of 'text'. Returns 0, or -1 when out of memory. */
int cli_list_add(cli_list_t *list, const char *text);
void cli_list_free(cli_list_t *list);

/* The exit status for a library error. */
int cli_exit_status(ps_error_t error);

/* Prints "promscore: " and the message to stderr. */
void cli_error(const char *format, ...) __attribute__((format(printf, 1, 2)));

/*
 * Progress for long runs: when 'enabled', every 100,000 calls rewrites one
 * stderr line with the file and line reached; cli_progress_done clears it.
 * Enabled only when stderr is a terminal and --quiet was not given.
 */
typedef struct cli_progress {
    int enabled;
    unsigned long calls;
} cli_progress_t;

void cli_progress_init(cli_progress_t *progress, int quiet);
void cli_progress(cli_progress_t *progress, const char *file, unsigned long line);
void cli_progress_done(cli_progress_t *progress);

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
int cmd_pseudonymise(int argc, char **argv);

#endif
