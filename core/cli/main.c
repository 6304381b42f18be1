/* SPDX-License-Identifier: GPL-3.0-or-later */
/* promscore: the command line. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "output.h"

static void usage(FILE *to)
{
    fputs("Usage: promscore COMMAND [OPTION]... [FILE]...\n"
          "Score outcome surveys (WEMWBS, SWEMWBS, ...) from CSV batches.\n"
          "\n"
          "Commands:\n"
          "  score        score batches into one row per participant, timepoint and scale\n"
          "  instruments  list the installed instrument definitions\n"
          "  validate     check instrument definition files\n"
          "  describe     an instrument's items, answers, scales and rules, with sources\n"
          "  template     print an empty CSV header for collecting an instrument, or\n"
          "               draft a map from an export's own headers\n"
          "  report       compare baseline with follow-up: paired change, effect sizes,\n"
          "               reliable change, band transitions, with disclosure control\n"
          "  service      compare service use (A&E attendances, admissions, ...) before\n"
          "               and after referral, honest about regression to the mean\n"
          "  pseudonymise replace NHS numbers (or other identifiers) by keyed HMAC-SHA256\n"
          "\n"
          "  promscore COMMAND --help   options of one command\n"
          "  promscore --version        version and plugin ABI\n"
          "\n"
          "Exit status: 0 all rows scored; 1 finished, but rows or answers were refused or\n"
          "scores incomplete; 2 usage error; 3 unreadable or invalid input, definition or\n"
          "output (nothing written); 4 plugin or internal error.\n"
          "See promscore(1).\n",
          to);
}

void cli_error(const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    cli_progress_clear();
    fputs("promscore: ", stderr);
    vfprintf(stderr, format, ap);
    fputc('\n', stderr);
    va_end(ap);
}

int cli_exit_status(ps_error_t error)
{
    switch (error) {
    case PS_OK:
        return EXIT_ALL_SCORED;
    case PS_ERROR_USAGE:
        return EXIT_USAGE;
    case PS_ERROR_READ:
    case PS_ERROR_WRITE:
    case PS_ERROR_BATCH:
    case PS_ERROR_LIMIT:
    case PS_ERROR_XML:
    case PS_ERROR_SCHEMA:
    case PS_ERROR_DEFINITION:
        return EXIT_INPUT;
    default:
        return EXIT_INTERNAL;
    }
}

/* "promscore: FILE:LINE:COLUMN: message", leaving out what is unknown. */
static void print_diagnostic(const ps_diagnostic_t *d, void *user)
{
    (void)user;
    cli_progress_clear();
    fputs("promscore: ", stderr);
    if (d->file) {
        fputs(d->file, stderr);
        if (d->line)
            fprintf(stderr, ":%lu", d->line);
        if (d->line && d->column)
            fprintf(stderr, ":%lu", d->column);
        fputs(": ", stderr);
    }
    fprintf(stderr, "%s\n", d->message);
}

void cli_print_reject(const ps_reject_t *r)
{
    cli_progress_clear();
    fprintf(stderr, "promscore: %s:%lu", r->file, r->line);
    if (r->column)
        fprintf(stderr, ":%lu: column %s, value \"%s\"", r->column, r->column_name, r->value);
    fprintf(stderr, ": %s\n", r->reason);
}

int cli_context(ps_context_t **context, int load)
{
    ps_error_t err = ps_context_new(context);
    if (err) {
        cli_error("%s", ps_error_message(err));
        return cli_exit_status(err);
    }
    ps_context_set_diagnostic_handler(*context, print_diagnostic, NULL);
    if (load && (err = ps_context_load_instruments(*context, NULL))) {
        if (err == PS_ERROR_NOMEM)
            cli_error("%s", ps_error_message(err));
        ps_context_free(*context);
        *context = NULL;
        return cli_exit_status(err);
    }
    return 0;
}

int cli_calibrations(ps_context_t *context, const cli_list_t *files)
{
    for (size_t i = 0; i < files->n; i++) {
        ps_error_t err = ps_context_load_calibration(context, files->items[i]);
        if (err)
            return cli_exit_status(err);
    }
    return 0;
}

int cli_delimiter(const char *command, const char *text, char *delimiter)
{
    if (strcmp(text, "tab") == 0 || strcmp(text, "\\t") == 0)
        text = "\t";
    if (strlen(text) != 1) {
        cli_error("%s: --delimiter takes one character, such as ';' (or 'tab'), not '%s'",
                  command, text);
        return -1;
    }
    *delimiter = text[0];
    return 0;
}

int cli_given_once(const char *command, const struct option *options, const int *gathers,
                   int option, const char **given)
{
    if (option < 0 || option >= CLI_OPTION_VALUES || !optarg)
        return 0;
    for (const int *g = gathers; *g; g++)
        if (*g == option)
            return 0;
    if (!given[option]) {
        given[option] = optarg;
        return 0;
    }
    const char *name = "?";
    for (const struct option *o = options; o->name; o++)
        if (o->val == option)
            name = o->name;
    cli_error("%s: --%s is given twice ('%s', then '%s'): it takes one value, and the first "
              "would be lost; give it once",
              command, name, given[option], optarg);
    return -1;
}

int cli_list_add(cli_list_t *list, const char *text)
{
    char *copy = strdup(text), *save = NULL;
    if (!copy)
        return -1;
    int err = 0;
    for (char *item = strtok_r(copy, ",", &save); item && !err; item = strtok_r(NULL, ",", &save)) {
        char **grown = realloc(list->items, (list->n + 2) * sizeof *grown);
        if (!grown || !(grown[list->n] = strdup(item))) {
            if (grown)
                list->items = grown;
            err = -1;
            break;
        }
        list->items = grown;
        list->items[++list->n] = NULL;
    }
    free(copy);
    return err;
}

void cli_list_free(cli_list_t *list)
{
    for (size_t i = 0; i < list->n; i++)
        free(list->items[i]);
    free(list->items);
    list->items = NULL;
    list->n = 0;
}

int main(int argc, char **argv)
{
    output_catch_signals();
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *command = argv[1];
    if (strcmp(command, "--help") == 0 || strcmp(command, "-h") == 0 ||
        strcmp(command, "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(command, "--version") == 0 || strcmp(command, "-V") == 0) {
        printf("promscore %s (plugin ABI %d.%d)\n"
               "Copyright (C) 2026 the promscore authors.\n"
               "License %s: GNU GPL version 3 or later <https://gnu.org/licenses/gpl.html>.\n"
               "This is free software: you are free to change and redistribute it.\n"
               "There is NO WARRANTY, to the extent permitted by law.\n",
               PS_VERSION, PS_PLUGIN_ABI_MAJOR, PS_PLUGIN_ABI_MINOR, PACKAGE_LICENSE);
        return 0;
    }
    static const struct {
        const char *name;
        int (*run)(int, char **);
    } commands[] = {
        {"score", cmd_score},
        {"instruments", cmd_instruments},
        {"validate", cmd_validate},
        {"template", cmd_template},
        {"describe", cmd_describe},
        {"report", cmd_report},
        {"service", cmd_service},
        {"pseudonymise", cmd_pseudonymise},
    };
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(command, commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    cli_error("unknown command '%s' (try 'promscore --help')", command);
    return EXIT_USAGE;
}
