/* SPDX-License-Identifier: GPL-3.0-or-later */
/* promscore service: counts of service use in, before and after compared, a report out. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <promscore/formats.h>
#include <promscore/service.h>

#include "cli.h"
#include "output.h"
#include "reportformat.h"

static void usage(FILE *to)
{
    fputs("Usage: promscore service -w NAME=DAYS,... [OPTION]... COUNTS.csv...\n"
          "Compare each participant's service use (A&E attendances, admissions, GP\n"
          "consultations, ...) before and after their index date: totals and rates per\n"
          "person-year, the within-person rate ratio with its 95% CI, whose use fell,\n"
          "stayed or rose, with disclosure control, and what regression to the mean means\n"
          "for people selected for high use.\n"
          "\n"
          "Counts come one row per participant and window: participant_id,window,\n"
          "[exposure_days,]MEASURE,... (an empty count is not recorded; an empty or absent\n"
          "exposure is the whole window).\n"
          "\n"
          "  -w, --window NAME=DAYS,...  the windows in time order with their lengths in\n"
          "                            days, e.g. pre24=365,pre12=365,post12=365 (required)\n"
          "      --before NAME         the window the others are compared with (default:\n"
          "                            the selection rule's, else the first)\n"
          "  -s, --selected RULE       how the people were selected, printed with every\n"
          "                            table: \"MEASURE >= N in WINDOW\" (or >)\n"
          "  -c, --comparison FILE     counts of a comparison cohort selected the same way\n"
          "                            and not referred (repeatable): the net rate ratio\n"
          "  -b, --by COLUMN           also report per value of this column, e.g. site\n"
          "                            (repeatable; one value per participant)\n"
          "  -m, --measures FILE.xml   the measures (default: the shipped service_use.xml)\n"
          "  -f, --format FORMAT       text (default), csv or json\n"
          "  -o, --output FILE         write the report here, atomically (default: stdout)\n"
          "      --threshold N         suppress counts of people and of events of 1 to N and\n"
          "                            figures based on them (default 7)\n"
          "      --round N             round other counts to the nearest N (e.g. 5)\n"
          "      --no-suppress         no disclosure control: internal analysis only\n"
          "      --id-column NAME, --window-column NAME, --exposure-column NAME\n"
          "                            the counts' columns (participant_id, window,\n"
          "                            exposure_days)\n"
          "      --encoding NAME, --delimiter CHAR\n"
          "                            how the counts are written, as for 'promscore score'\n"
          "  -q, --quiet               no per-file summary\n"
          "  -h, --help                this help\n"
          "\n"
          "CSV columns: instrument,scale,group,comparison,statistic,kind,value,suppressed,note\n"
          "(instrument: the measures' definition; scale: the measure; see\n"
          "promscore-statistics(7)).\n"
          "Exit status: 0 report written; 1 written, but rows or counts were refused;\n"
          "2 usage; 3 unreadable or invalid input (nothing written); 4 internal error.\n",
          to);
}

enum format { FORMAT_TEXT, FORMAT_CSV, FORMAT_JSON };

struct run {
    int quiet;
    unsigned long refused;
};

static int on_reject(const ps_reject_t *r, void *user)
{
    struct run *run = user;
    run->refused++;
    cli_print_reject(r);
    return 0;
}

/* ---- Writers. ---- */

/* The report's CSV: the questionnaire report's format, the measures' definition as its
 * instrument. */
static void write_csv(output_t *o, const ps_service_report_t *report,
                      const ps_service_definition_t *d)
{
    csv_report_header(o);
    for (size_t i = 0; i < ps_service_report_count(report); i++)
        csv_report_row(o, ps_service_definition_id(d), ps_service_report_statistic(report, i));
}

/* What the command line set up, for the writers. */
struct setting {
    const ps_service_definition_t *definition;
    const ps_service_window_t *windows;
    size_t n_windows;
    const char *selected;   /* the rule as reports print it, or NULL */
    int has_comparison;
    const char *before;     /* the window the others are compared with */
    const char *earlier;    /* the window listed just before it, or NULL */
};

/*
 * What regression to the mean means for these figures, in words, for the top of the text and
 * the JSON: people selected for high use use less afterwards whatever is done, so the report
 * says so, with its sources, and says which counterfactual it has.
 */
static char *regression_statement(const struct setting *set)
{
    static const char evidence[] =
        "Use falls after a period of high use whether or not anyone intervenes (regression to "
        "the mean): in a randomised trial of a programme for such patients the controls' "
        "readmissions fell as much as the treated group's, so that a before-and-after view of "
        "the treated alone suggested a 38 percentage point fall that the programme did not "
        "cause (Finkelstein et al., NEJM 2020;382:152); across 31 mostly uncontrolled studies of "
        "frequent attenders, use after was a median 0.63 times use before (Moe et al., Acad "
        "Emerg Med 2017;24:40); and 80% of one year's frequent attenders were not frequent the "
        "next (Lago et al., BMJ Open 2019;9:e027700).";
    char *text = NULL;
    int n;
    if (set->selected)
        n = asprintf(&text, "These people were selected because their use was high (%s). %s A "
                            "fall is expected without any intervention. %s",
                     set->selected, evidence,
                     set->has_comparison
                         ? "The net rate ratio divides out the fall of the comparison cohort, "
                           "selected the same way: it is the part of the fall that may be put "
                           "down to the service, as far as the two cohorts are alike."
                     : set->earlier
                         ? "No comparison cohort was given, so the fall cannot be attributed to "
                           "the service. The comparison of the earlier window with the "
                           "selection window shows whether the selection window was a peak: a "
                           "rate ratio well above 1 there means use rose into it, and a fall "
                           "after it is expected."
                         : "No comparison cohort was given, so the fall cannot be attributed to "
                           "the service: report it as a change, not an effect (give "
                           "--comparison, or an earlier window to show whether the selection "
                           "window was a peak).");
    else
        n = asprintf(&text, "The selection rule was not given (--selected). If these people were "
                            "chosen for high use, their use would fall afterwards without any "
                            "intervention. %s %s",
                     evidence,
                     set->has_comparison
                         ? "The net rate ratio divides out the fall of the comparison cohort."
                         : "Without a comparison cohort the fall cannot be attributed to the "
                           "service.");
    return n < 0 ? NULL : text;
}

/* 'text' in lines of at most 'width' columns, each after 'indent'. */
static void write_wrapped(output_t *o, const char *text, size_t width, const char *indent)
{
    while (*text) {
        size_t room = width - strlen(indent), n = strlen(text);
        if (n > room) {
            n = room;
            while (n > 0 && text[n] != ' ')
                n--;
            if (n == 0)
                n = strcspn(text, " ");
        }
        output_printf(o, "%s%.*s\n", indent, (int)n, text);
        text += n;
        text += strspn(text, " ");
    }
}

static void write_json(output_t *o, const ps_service_report_t *report, const struct setting *set)
{
    const ps_audit_t *audit = ps_service_report_audit(report);
    const ps_service_definition_t *d = set->definition;
    output_printf(o, "{\n  \"promscore\": \"%s\",\n  \"disclosure\": ", PS_VERSION);
    json_string(o, ps_service_report_disclosure_rule(report));
    output_puts(o, ",\n  \"audit\": ");
    report_json_audit(o, audit);
    output_puts(o, ",\n  \"measures\": {\"id\": ");
    json_string(o, ps_service_definition_id(d));
    output_puts(o, ", \"version\": ");
    json_string(o, ps_service_definition_version(d));
    output_puts(o, ", \"title\": ");
    json_string(o, ps_service_definition_title(d));
    output_puts(o, ", \"definition\": ");
    json_string(o, ps_service_definition_file(d));
    output_puts(o, "},\n  \"windows\": [");
    for (size_t w = 0; w < set->n_windows; w++) {
        output_printf(o, "%s{\"name\": ", w ? ", " : "");
        json_string(o, set->windows[w].name);
        output_printf(o, ", \"days\": %u}", set->windows[w].days);
    }
    output_puts(o, "],\n  \"before\": ");
    json_string(o, set->before);
    output_puts(o, ",\n  \"selected\": ");
    json_or_null(o, set->selected);
    char *statement = regression_statement(set);
    output_puts(o, ",\n  \"regression_to_the_mean\": ");
    json_or_null(o, statement);
    if (!statement)
        o->error = ENOMEM;
    free(statement);
    output_puts(o, ",\n  \"results\": [");
    for (size_t i = 0; i < ps_service_report_count(report); i++)
        report_json_result(o, i, ps_service_definition_id(d),
                           ps_service_report_statistic(report, i));
    output_puts(o, "\n  ],\n  \"relations\": [");
    for (size_t k = 0; k < ps_service_report_relation_count(report); k++) {
        ps_relation_t rel;
        ps_service_report_relation(report, k, &rel);
        report_json_relation(o, k, &rel);
    }
    output_puts(o, "\n  ]\n}\n");
}

/* ---- Text: one section per measure, comparison and cohort or group. ---- */

struct section {
    const ps_service_report_t *report;
    size_t start, end;
};

static const ps_statistic_t *find(const struct section *s, ps_statistic_id_t id)
{
    for (size_t i = s->start; i < s->end; i++) {
        const ps_statistic_t *st = ps_service_report_statistic(s->report, i);
        if (st->id == id)
            return st;
    }
    return NULL;
}

#define F(id) format_figure(find(s, PS_STAT_SU_##id)).s

/* The comparison's two windows: "pre12" and "post12" of "pre12->post12". */
static void windows_of(const char *comparison, char *first, char *second, size_t size)
{
    const char *arrow = strstr(comparison, "->");
    snprintf(first, size, "%.*s", arrow ? (int)(arrow - comparison) : 0, comparison);
    snprintf(second, size, "%s", arrow ? arrow + 2 : comparison);
}

static void write_section(output_t *o, const struct section *s, const char *unit)
{
    const ps_statistic_t *first = ps_service_report_statistic(s->report, s->start);
    char w0[128], w1[128];
    windows_of(first->comparison, w0, w1, sizeof w0);
    /* "all", "comparison", "site=A" or "comparison site=A". */
    const char *group = first->group, *cohort = "the people referred";
    if (strncmp(group, "comparison", 10) == 0) {
        cohort = "the comparison cohort";
        group += 10 + (group[10] == ' ');
    }
    output_printf(o, "\n  %s, %s%s%s\n", first->comparison, cohort,
                  *group && strcmp(group, "all") ? ", " : "", strcmp(group, "all") ? group : "");
    output_printf(
        o, "    people: %s with counts in both windows; %s with a count in %s and none in %s\n",
        F(N_PEOPLE), F(N_UNPAIRED), w0, w1);
    output_printf(o,
                  "    %s: %s in %s (%s per person-year over %s person-years); %s in %s (%s per "
                  "person-year over %s person-years)\n",
                  unit, F(EVENTS_BEFORE), w0, F(RATE_BEFORE), F(PERSON_YEARS_BEFORE),
                  F(EVENTS_AFTER), w1, F(RATE_AFTER), F(PERSON_YEARS_AFTER));
    output_printf(
        o,
        "    change in the total: %s; rate ratio %s/%s: %s (95%% CI %s to %s; within-person, "
        "cluster-robust)\n",
        F(EVENTS_CHANGE), w1, w0, F(RATE_RATIO), F(RATE_RATIO_CI_LOW), F(RATE_RATIO_CI_HIGH));
    if (find(s, PS_STAT_SU_NET_RATE_RATIO))
        output_printf(
            o,
            "    net of the comparison cohort (its rate ratio divided out): %s (95%% CI %s "
            "to %s)\n",
            F(NET_RATE_RATIO), F(NET_RATE_RATIO_CI_LOW), F(NET_RATE_RATIO_CI_HIGH));
    output_printf(
        o,
        "    each person's rate: fell for %s (%s), stayed for %s, rose for %s; none in %s: "
        "%s; none in %s: %s (%s)\n",
        F(N_FELL), F(SHARE_FELL), F(N_STAYED), F(N_ROSE), w0, F(N_NONE_BEFORE), w1, F(N_NONE_AFTER),
        F(SHARE_NONE_AFTER));
    if (find(s, PS_STAT_SU_N_OUTSIDE_RULE))
        output_printf(o, "    not meeting the selection rule in %s: %s\n", w0, F(N_OUTSIDE_RULE));
    for (size_t i = s->start; i < s->end; i++) {
        const ps_statistic_t *st = ps_service_report_statistic(s->report, i);
        if (st->shown == PS_NOT_COMPUTABLE)
            output_printf(o, "    n/a %s: %s\n", st->name, st->reason);
        else if (st->note && st->shown == PS_SHOWN && st->id != PS_STAT_SU_SELECTED_AT_LEAST)
            output_printf(o, "    note %s: %s\n", st->name, st->note);
    }
}

static void write_text(output_t *o, const ps_service_report_t *report, const struct setting *set,
                       const char *warning)
{
    const ps_service_definition_t *d = set->definition;
    if (warning)
        output_printf(o, "%s\n\n", warning);
    output_printf(o, "promscore %s service use before and after\n\nDisclosure control: %s\n",
                  PS_VERSION, ps_service_report_disclosure_rule(report));
    output_puts(o, "* suppressed; n/a not computable (reason below the section). Fewer is "
                   "better.\n");
    output_printf(o, "Measures: %s version %s (%s)\nWindows:", ps_service_definition_id(d),
                  ps_service_definition_version(d), ps_service_definition_file(d));
    for (size_t w = 0; w < set->n_windows; w++)
        output_printf(o, "%s %s (%u days)", w ? "," : "", set->windows[w].name,
                      set->windows[w].days);
    output_printf(o, "; compared with %s\n\nRegression to the mean:\n", set->before);
    char *statement = regression_statement(set);
    if (!statement)
        o->error = ENOMEM;
    else
        write_wrapped(o, statement, 90, "  ");
    free(statement);
    const char *unit = NULL;
    for (size_t i = 0; i < ps_service_report_count(report);) {
        const ps_statistic_t *st = ps_service_report_statistic(report, i);
        size_t m = ps_service_measure_find(d, st->unit);
        const char *label = "", *what = st->unit;
        ps_service_measure(d, m, NULL, &label, &what, NULL, NULL);
        if (st->unit != unit) {
            unit = st->unit;
            output_printf(o, "\n== %s: %s (%s)\n", st->unit, label, what);
            if (set->selected)
                output_printf(o, "   Selected: %s\n", set->selected);
            else
                output_puts(o, "   Selection rule: not given (--selected)\n");
        }
        struct section s = {report, i, i};
        while (s.end < ps_service_report_count(report)) {
            const ps_statistic_t *next = ps_service_report_statistic(report, s.end);
            if (next->unit != st->unit || next->group != st->group ||
                next->comparison != st->comparison)
                break;
            s.end++;
        }
        write_section(o, &s, what);
        i = s.end;
    }
    output_puts(o, "\nCaveats: people with a count before and none after (died, moved away, not "
                   "yet followed\nup) are not compared: their use after is unknown, not zero. "
                   "Rates count only the time\neach person was observed. A fall in use is not "
                   "a saving of money.\n");
}

/* ---- The command. ---- */

/* The --window items NAME=DAYS into 'windows'; returns 0 or -1 with a message. */
static int read_windows(const cli_list_t *given, ps_service_window_t *windows)
{
    for (size_t i = 0; i < given->n; i++) {
        char *item = given->items[i], *equals = strchr(item, '=');
        unsigned days;
        if (!equals || equals == item || report_parse_unsigned(equals + 1, &days)) {
            cli_error("service: --window takes NAME=DAYS (e.g. pre12=365), not '%s'", item);
            return -1;
        }
        *equals = '\0';
        windows[i] = (ps_service_window_t){item, days};
    }
    return 0;
}

int cmd_service(int argc, char **argv)
{
    enum { BEFORE = 256, THRESHOLD, ROUND, NO_SUPPRESS, ID_COLUMN, WINDOW_COLUMN,
           EXPOSURE_COLUMN };
    static const struct option long_options[] = {
        {"window", required_argument, NULL, 'w'},
        {"before", required_argument, NULL, BEFORE},
        {"selected", required_argument, NULL, 's'},
        {"comparison", required_argument, NULL, 'c'},
        {"measures", required_argument, NULL, 'm'},
        {"format", required_argument, NULL, 'f'},
        {"output", required_argument, NULL, 'o'},
        {"threshold", required_argument, NULL, THRESHOLD},
        {"round", required_argument, NULL, ROUND},
        {"no-suppress", no_argument, NULL, NO_SUPPRESS},
        {"id-column", required_argument, NULL, ID_COLUMN},
        {"window-column", required_argument, NULL, WINDOW_COLUMN},
        {"exposure-column", required_argument, NULL, EXPOSURE_COLUMN},
        {"encoding", required_argument, NULL, 'E'},
        {"delimiter", required_argument, NULL, 'D'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {"by", required_argument, NULL, 'b'},
        {NULL, 0, NULL, 0},
    };
    ps_service_options_t options;
    ps_service_options_init(&options, sizeof options);
    ps_disclosure_t disclosure = {.suppress = 1, .threshold = 7, .round_to = 0};
    cli_list_t window_items = {0}, comparisons = {0}, by = {0};
    ps_service_window_t *windows = NULL;
    enum format format = FORMAT_TEXT;
    const char *output_path = "-", *measures = NULL;
    struct run run = {0};
    ps_context_t *context = NULL;
    ps_service_definition_t *definition = NULL;
    ps_service_cohort_t *cohort = NULL;
    ps_service_report_t *report = NULL;
    output_t out = OUTPUT_INIT;
    output_file_t *files = NULL;
    int status = EXIT_USAGE, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "w:s:c:m:f:o:qhb:", long_options, NULL)) != -1) {
        switch (c) {
        case 'w':
        case 'c':
            if (cli_list_add(c == 'w' ? &window_items : &comparisons, optarg)) {
                status = EXIT_INTERNAL;
                goto done;
            }
            break;
        case BEFORE: options.before = optarg; break;
        case 's': options.selected = optarg; break;
        case 'm': measures = optarg; break;
        case 'f':
            if (strcmp(optarg, "text") == 0)
                format = FORMAT_TEXT;
            else if (strcmp(optarg, "csv") == 0)
                format = FORMAT_CSV;
            else if (strcmp(optarg, "json") == 0)
                format = FORMAT_JSON;
            else {
                cli_error("service: --format is text, csv or json, not '%s'", optarg);
                goto done;
            }
            break;
        case 'o': output_path = optarg; break;
        case THRESHOLD:
        case ROUND:
            if (report_parse_unsigned(optarg, c == ROUND ? &disclosure.round_to : &disclosure.threshold)) {
                cli_error("service: --%s needs a whole number, not '%s'",
                          c == ROUND ? "round" : "threshold", optarg);
                goto done;
            }
            break;
        case NO_SUPPRESS: disclosure.suppress = 0; break;
        case ID_COLUMN: options.id_column = optarg; break;
        case WINDOW_COLUMN: options.window_column = optarg; break;
        case EXPOSURE_COLUMN: options.exposure_column = optarg; break;
        case 'E': options.encoding = optarg; break;
        case 'D':
            if (cli_delimiter("service", optarg, &options.delimiter) != 0)
                goto done;
            break;
        case 'q': run.quiet = 1; break;
        case 'h': usage(stdout); status = 0; goto done;
        case 'b':
            if (cli_list_add(&by, optarg)) {
                status = EXIT_INTERNAL;
                goto done;
            }
            break;
        default: usage(stderr); goto done;
        }
    }
    if (optind >= argc) {
        cli_error("service: no input given");
        usage(stderr);
        goto done;
    }
    if (!window_items.n) {
        cli_error("service: give the windows in time order with their lengths in days, e.g. "
                  "--window pre12=365,post12=365");
        goto done;
    }
    if (!disclosure.suppress && disclosure.round_to) {
        cli_error("service: --round applies with disclosure control; drop --no-suppress");
        goto done;
    }
    if (!(windows = calloc(window_items.n, sizeof *windows))) {
        cli_error("out of memory");
        status = EXIT_INTERNAL;
        goto done;
    }
    if (read_windows(&window_items, windows))
        goto done;
    options.windows = windows;
    options.n_windows = window_items.n;
    options.by = (const char *const *)by.items;
    options.n_by = by.n;
    /* The report may not replace an input or the measures. */
    files = calloc((size_t)argc + comparisons.n + 2, sizeof *files);
    if (!files) {
        cli_error("out of memory");
        status = EXIT_INTERNAL;
        goto done;
    }
    size_t n_files = 0;
    files[n_files++] = (output_file_t){output_path, "-o", 1};
    files[n_files++] = (output_file_t){measures, "--measures", 0};
    for (size_t i = 0; i < comparisons.n; i++)
        files[n_files++] = (output_file_t){comparisons.items[i], "--comparison", 0};
    for (int i = optind; i < argc; i++)
        files[n_files++] = (output_file_t){argv[i], "input", 0};
    if (output_check_distinct("service", files, n_files) != 0)
        goto done;

    if ((status = cli_context(&context, 0)))
        goto done;
    ps_error_t err = ps_service_definition_read(context, measures, &definition);
    if (!err)
        err = ps_service_cohort_new(context, definition, &options, &cohort);
    ps_service_handlers_t handlers = {on_reject, &run};
    for (int k = 0; !err && k < argc - optind + (int)comparisons.n; k++) {
        int referred = k < argc - optind;
        const char *file = referred ? argv[optind + k] : comparisons.items[k - (argc - optind)];
        ps_batch_summary_t summary;
        err = ps_service_read(cohort, file, referred ? PS_SERVICE_REFERRED : PS_SERVICE_COMPARISON,
                              &handlers, &summary);
        if (!err && !run.quiet)
            fprintf(stderr, "promscore: %s: %lu rows read, %lu used, %lu refused%s\n", file,
                    summary.rows_read, summary.rows_scored, summary.rows_rejected,
                    referred ? "" : " (comparison cohort)");
    }
    if (!err)
        err = ps_service_report(cohort, &disclosure, &report);
    if (err) {
        if (err == PS_ERROR_NOMEM)
            cli_error("%s", ps_error_message(err));
        cli_error("nothing written");
        status = cli_exit_status(err);
        goto done;
    }
    mode_t mask = umask(0);
    umask(mask);
    if (output_open(&out, output_path, 0666 & ~mask) != 0) {
        cli_error("%s: cannot create: %s", output_path, strerror(errno));
        status = EXIT_INPUT;
        goto done;
    }
    struct setting set = {definition, windows, window_items.n,
                          ps_service_cohort_selection(cohort), comparisons.n > 0,
                          ps_service_cohort_before(cohort), NULL};
    for (size_t w = 1; w < window_items.n; w++)
        if (strcasecmp(windows[w].name, set.before) == 0)
            set.earlier = windows[w - 1].name;
    if (format == FORMAT_CSV)
        write_csv(&out, report, definition);
    else if (format == FORMAT_JSON)
        write_json(&out, report, &set);
    else
        write_text(&out, report, &set, report_not_for_release(&disclosure));
    if (output_commit(&out) != 0) {
        cli_error("%s: cannot write: %s", output_path, strerror(out.error));
        status = EXIT_INPUT;
        goto done;
    }
    status = run.refused ? EXIT_SOME_REFUSED : EXIT_ALL_SCORED;
done:
    output_discard(&out);
    ps_service_report_free(report);
    ps_service_cohort_free(cohort);
    ps_service_definition_free(definition);
    ps_context_free(context);
    cli_list_free(&window_items);
    cli_list_free(&comparisons);
    cli_list_free(&by);
    free(windows);
    free(files);
    return status;
}
