/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * promscore service: counts of service use in, before and after compared, a report out. The
 * command reads its options and inputs, runs the cohort, the costs and the wellbeing value, and
 * writes the CSV and the JSON itself; the text report is service_text.c's, the page
 * service_html.c's.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <promscore/formats.h>
#include <promscore/service.h>
#include <promscore/costs.h>

#include "cli.h"
#include "output.h"
#include "service_html.h"
#include "service_text.h"
#include "reportformat.h"

static void usage(FILE *to)
{
    fputs("Usage: promscore service -w NAME=DAYS,... [OPTION]... COUNTS.csv...\n"
          "  or:  promscore service -w NAME=DAYS,... --events FILE (--index FILE |\n"
          "         --index-column NAME) [OPTION]...\n"
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
          "  -f, --format FORMAT       text (default), csv, json or html (a page for a board)\n"
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
          "      --population SPEC     empirical Bayes (Hauer): the selection rule's count in\n"
          "                            its window among all attenders, \"nb:mean=M,shape=K\"\n"
          "                            or a CSV file of count,people fitted as a negative\n"
          "                            binomial; needs --selected\n"
          "      --population-source TEXT\n"
          "                            where the population's figures come from\n"
          "      --interval KIND       the rate ratio's 95% CI: robust (cluster-robust,\n"
          "                            default) or quasi-poisson\n"
          "      --unit-costs FILE     price the events: unit costs per measure (CSV or\n"
          "                            XML: measure,value,unit,price_year,source,licence)\n"
          "      --price-index FILE    a named price index to uprate costs to one year\n"
          "      --price-year YEAR     the year costs are shown at (e.g. 2023/24)\n"
          "      --programme-cost AMOUNT  what the programme cost: a return on investment\n"
          "      --programme-period DAYS  the days that cost covers (default 365)\n"
          "      --scenario YEARS:DROP  with --programme-cost, a labelled scenario: a year's\n"
          "                            cost avoidance continued for YEARS years, falling\n"
          "                            DROP% a year (e.g. 3:50); not observed\n"
          "      --no-counterfactual   without --comparison, give cost avoidance and return\n"
          "                            on investment against no change, stamped naive\n"
          "      --seed N, --replicates N\n"
          "                            the bootstrap's seed (default 1) and replicates\n"
          "                            (default 1999; at least 100), as R's set.seed with\n"
          "                            Marsaglia-Multicarry\n"
          "      --completed FILE      who completed the programme (participant_id a row):\n"
          "                            the cost figures again for them alone, labelled\n"
          "                            completers only, never the headline\n"
          "      --wellbeing FILE      a scored CSV (promscore score) with ONS4 life\n"
          "                            satisfaction at baseline and follow-up of the\n"
          "                            people referred (others refused): WELLBYs\n"
          "                            valued at the costs file's wellby row, on their own\n"
          "                            line, never added to cost avoidance\n"
          "      --wellbeing-followup LABEL  its follow-up timepoint (default: the only\n"
          "                            one after baseline)\n"
          "  -q, --quiet               no per-file summary\n"
          "\n"
          "Event lists, counted into the windows around each participant's index date:\n"
          "      --events FILE         events of the people referred, one row each:\n"
          "                            participant_id,date,measure[,quantity] (repeatable)\n"
          "      --index FILE          their index dates: participant_id,index_date\n"
          "                            [,end_date]; each person listed is counted, with\n"
          "                            zeros when they have no event\n"
          "      --comparison-events FILE, --comparison-index FILE\n"
          "                            the same for a comparison cohort\n"
          "      --index-column NAME, --end-column NAME\n"
          "                            the index and end dates' columns (index_date,\n"
          "                            end_date): in the events when no index file is given\n"
          "      --first-after NAME    the first window after the index date (default: the\n"
          "                            first named post...); it starts on the index date, the\n"
          "                            windows listed before it end the day before\n"
          "      --date-format FORMAT  how dates are written, as for 'promscore score'\n"
          "                            (default %Y-%m-%d)\n"
          "      --observed-until DATE the last day the event lists cover, YYYY-MM-DD\n"
          "                            (needed when anyone's windows reach past the latest\n"
          "                            event): exposure stops there\n"
          "  An end date (died, moved away) is the last day observed: exposure stops there.\n"
          "  -h, --help                this help\n"
          "\n"
          "CSV columns: instrument,scale,group,comparison,statistic,kind,value,suppressed,note\n"
          "(instrument: the measures' definition; scale: the measure; see\n"
          "promscore-statistics(7)).\n"
          "Exit status: 0 report written; 1 written, but rows or counts were refused;\n"
          "2 usage; 3 unreadable or invalid input (nothing written); 4 internal error.\n",
          to);
}

enum format { FORMAT_TEXT, FORMAT_CSV, FORMAT_JSON, FORMAT_HTML };

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

/* ---- The CSV, the JSON, and what regression to the mean means for every report. ---- */

/* The report's CSV: the questionnaire report's format, the measures' definition as its
 * instrument. */
static void write_csv(output_t *o, const ps_service_report_t *report,
                      const ps_service_definition_t *d)
{
    csv_report_header(o);
    for (size_t i = 0; i < ps_service_report_count(report); i++)
        csv_report_row(o, ps_service_definition_id(d), ps_service_report_statistic(report, i));
}

static const char *interval_name(int interval)
{
    return interval == PS_SERVICE_QUASI_POISSON ? "quasi-poisson" : "robust";
}

/* What the empirical-Bayes figures say, when there are some. */
static const char *const eb_statement =
    "The empirical-Bayes figures (Hauer 2002) give the events expected after without any "
    "intervention, from each person's count in the selection window and the distribution of "
    "that count among all attenders (--population): an index near 1 is the fall regression "
    "to the mean explains; below 1, fewer events than expected, as far as that population is "
    "the one these people were drawn from.";

/*
 * What regression to the mean means for these figures, in words, for the top of every report
 * but the CSV: people selected for high use use less afterwards whatever is done, so the report
 * says so, with its sources, and says which counterfactual it has. 'earlier' is the window
 * listed just before the one the others are compared with, or NULL. NULL when memory runs out.
 */
static char *regression_statement(const service_setting_t *set, const char *earlier)
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
                     : set->has_population ? eb_statement
                     : earlier
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
    if (n >= 0 && set->has_population && set->has_comparison) {
        char *longer = NULL;
        n = asprintf(&longer, "%s %s", text, eb_statement);
        free(text);
        text = n < 0 ? NULL : longer;
    }
    return n < 0 ? NULL : text;
}

static void write_json(output_t *o, const ps_service_report_t *report, const service_setting_t *set)
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
    output_printf(o, ",\n  \"interval\": \"%s\"", interval_name(set->interval));
    output_puts(o, ",\n  \"regression_to_the_mean\": ");
    json_string(o, set->regression);
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

/* One cohort's event lists and where its index dates come from. */
struct events {
    cli_list_t files;
    const char *index;      /* the index file, or NULL: the events' index column */
};

/* Event lists need index dates, and index files event lists: 0, or -1 with a message. */
static int check_events(const struct events events[2], const ps_service_options_t *options)
{
    for (int a = 0; a < 2; a++) {
        const char *what = a ? "--comparison-events" : "--events";
        const char *index = a ? "--comparison-index" : "--index";
        if (events[a].index && !events[a].files.n) {
            cli_error("service: %s gives index dates for event lists: give them with %s", index,
                      what);
            return -1;
        }
        if (events[a].files.n && !events[a].index && !options->index_column) {
            cli_error("service: %s needs each participant's index date: give %s FILE or "
                      "--index-column NAME",
                      what, index);
            return -1;
        }
    }
    return 0;
}

/*
 * A file's summary line on stderr: "promscore: FILE: 12 rows read, 10 used, 2 refused", then in
 * brackets what the file is ('what', or NULL for counts) and whether it is the comparison
 * cohort's.
 */
static void print_summary(const char *file, const ps_batch_summary_t *summary, const char *what,
                          ps_service_arm_t arm)
{
    const int comparison = arm == PS_SERVICE_COMPARISON;
    fprintf(stderr, "promscore: %s: %lu rows read, %lu used, %lu refused", file, summary->rows_read,
            summary->rows_scored, summary->rows_rejected);
    if (what || comparison)
        fprintf(stderr, " (%s%s%s)", what ? what : "", what && comparison ? ", " : "",
                comparison ? "comparison cohort" : "");
    fputc('\n', stderr);
}

/* Reads one cohort's event lists, with a summary line per file. */
static ps_error_t read_events(ps_service_cohort_t *cohort, ps_service_arm_t arm,
                              const struct events *events, const ps_service_handlers_t *handlers,
                              int quiet)
{
    if (!events->files.n)
        return PS_OK;
    ps_batch_summary_t *summaries = calloc(events->files.n + 1, sizeof *summaries);
    if (!summaries)
        return PS_ERROR_NOMEM;
    ps_error_t err = ps_service_read_events(cohort, arm, events->index,
                                            (const char *const *)events->files.items,
                                            events->files.n, handlers, summaries);
    for (size_t i = !events->index; !err && !quiet && i <= events->files.n; i++)
        print_summary(summaries[i].file, &summaries[i], i ? "events" : "index dates", arm);
    free(summaries);
    return err;
}

int cmd_service(int argc, char **argv)
{
    enum { BEFORE = 256, THRESHOLD, ROUND, NO_SUPPRESS, ID_COLUMN, WINDOW_COLUMN,
           EXPOSURE_COLUMN, EVENTS, INDEX, COMPARISON_EVENTS, COMPARISON_INDEX, INDEX_COLUMN,
           END_COLUMN, FIRST_AFTER, DATE_FORMAT, OBSERVED_UNTIL,
           UNIT_COSTS, PRICE_INDEX, PRICE_YEAR, PROGRAMME_COST,
           PROGRAMME_PERIOD, NO_COUNTERFACTUAL, SEED, REPLICATES, SCENARIO,
           POPULATION, POPULATION_SOURCE, INTERVAL,
           COMPLETED, WELLBEING, WELLBEING_FOLLOWUP };
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
        {"population", required_argument, NULL, POPULATION},
        {"population-source", required_argument, NULL, POPULATION_SOURCE},
        {"interval", required_argument, NULL, INTERVAL},
        {"help", no_argument, NULL, 'h'},
        {"events", required_argument, NULL, EVENTS},
        {"index", required_argument, NULL, INDEX},
        {"comparison-events", required_argument, NULL, COMPARISON_EVENTS},
        {"comparison-index", required_argument, NULL, COMPARISON_INDEX},
        {"index-column", required_argument, NULL, INDEX_COLUMN},
        {"end-column", required_argument, NULL, END_COLUMN},
        {"first-after", required_argument, NULL, FIRST_AFTER},
        {"date-format", required_argument, NULL, DATE_FORMAT},
        {"observed-until", required_argument, NULL, OBSERVED_UNTIL},
        {"unit-costs", required_argument, NULL, UNIT_COSTS},
        {"price-index", required_argument, NULL, PRICE_INDEX},
        {"price-year", required_argument, NULL, PRICE_YEAR},
        {"programme-cost", required_argument, NULL, PROGRAMME_COST},
        {"programme-period", required_argument, NULL, PROGRAMME_PERIOD},
        {"no-counterfactual", no_argument, NULL, NO_COUNTERFACTUAL},
        {"seed", required_argument, NULL, SEED},
        {"replicates", required_argument, NULL, REPLICATES},
        {"scenario", required_argument, NULL, SCENARIO},
        {"by", required_argument, NULL, 'b'},
        {"completed", required_argument, NULL, COMPLETED},
        {"wellbeing", required_argument, NULL, WELLBEING},
        {"wellbeing-followup", required_argument, NULL, WELLBEING_FOLLOWUP},
        {NULL, 0, NULL, 0},
    };
    ps_service_options_t options;
    ps_service_options_init(&options, sizeof options);
    ps_disclosure_t disclosure = {.suppress = 1, .threshold = 7, .round_to = 0};
    cli_list_t window_items = {0}, comparisons = {0}, by = {0};
    /* The event lists of the people referred, and of a comparison cohort. */
    struct events events[2] = {{.index = NULL}, {.index = NULL}};
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
    char *statement = NULL; /* what regression to the mean means here */
    const char *unit_costs = NULL, *price_index = NULL;
    ps_service_costs_options_t cost_options;
    ps_service_costs_options_init(&cost_options, sizeof cost_options);
    cost_options.seed = 1;
    ps_service_costs_t *costs = NULL;
    /* --completed and --wellbeing: figures beside the costs, never in them. */
    const char *completed = NULL, *wellbeing = NULL, *wellbeing_followup = NULL;
    int status = EXIT_USAGE, c;
    optind = 1;
    const char *given[CLI_OPTION_VALUES] = {NULL};
    static const int gathers[] = {'w', 'c', 'b', EVENTS, COMPARISON_EVENTS, 0};
    while ((c = getopt_long(argc, argv, "w:s:c:m:f:o:qhb:", long_options, NULL)) != -1) {
        if (cli_given_once("service", long_options, gathers, c, given))
            goto done;
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
            else if (strcmp(optarg, "html") == 0)
                format = FORMAT_HTML;
            else {
                cli_error("service: --format is text, csv, json or html, not '%s'", optarg);
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
        case POPULATION: options.population = optarg; break;
        case POPULATION_SOURCE: options.population_source = optarg; break;
        case INTERVAL:
            if (strcmp(optarg, "robust") == 0)
                options.interval = PS_SERVICE_ROBUST;
            else if (strcmp(optarg, "quasi-poisson") == 0)
                options.interval = PS_SERVICE_QUASI_POISSON;
            else {
                cli_error("service: --interval is robust or quasi-poisson, not '%s'", optarg);
                goto done;
            }
            break;
        case 'h': usage(stdout); status = 0; goto done;
        case 'b':
            if (cli_list_add(&by, optarg)) {
                status = EXIT_INTERNAL;
                goto done;
            }
            break;
        case EVENTS:
        case COMPARISON_EVENTS:
            if (cli_list_add(&events[c == COMPARISON_EVENTS].files, optarg)) {
                status = EXIT_INTERNAL;
                goto done;
            }
            break;
        case INDEX: events[0].index = optarg; break;
        case COMPARISON_INDEX: events[1].index = optarg; break;
        case INDEX_COLUMN: options.index_column = optarg; break;
        case END_COLUMN: options.end_column = optarg; break;
        case FIRST_AFTER: options.first_after = optarg; break;
        case DATE_FORMAT: options.date_format = optarg; break;
        case OBSERVED_UNTIL: options.observed_until = optarg; break;
        case UNIT_COSTS: unit_costs = optarg; break;
        case PRICE_INDEX: price_index = optarg; break;
        case PRICE_YEAR: cost_options.price_year = optarg; break;
        case NO_COUNTERFACTUAL: cost_options.no_counterfactual = 1; break;
        case PROGRAMME_COST: {
            const char *why = ps_service_number(optarg, PS_SERVICE_NUMBER_FRACTION,
                                                &cost_options.programme_cost);
            if (why || cost_options.programme_cost <= 0) {
                cli_error("service: --programme-cost needs an amount above 0, not '%s'%s%s",
                          optarg, why && isnan(cost_options.programme_cost) ? ": " : "",
                          why && isnan(cost_options.programme_cost) ? why : "");
                goto done;
            }
            break;
        }
        case SCENARIO: {
            double years = NAN, drop = NAN;
            const char *colon = strchr(optarg, ':'), *why = NULL;
            char years_text[8] = "";
            if (!colon)
                why = "no ':' between the years and the drop-off";
            else if ((size_t)(colon - optarg) >= sizeof years_text)
                why = "the years are not a whole number from 1 to 100";
            else {
                memcpy(years_text, optarg, (size_t)(colon - optarg));
                if (!(why = ps_service_number(years_text, 0, &years)))
                    why = ps_service_number(colon + 1, PS_SERVICE_NUMBER_FRACTION, &drop);
            }
            if (why || years < 1 || years > 100 || drop > 100) {
                cli_error("service: --scenario takes YEARS:DROP, years from 1 to 100 and a "
                          "drop-off from 0 to 100%% a year (e.g. 3:50), not '%s'%s%s",
                          optarg, why ? ": " : "", why ? why : "");
                goto done;
            }
            cost_options.scenario_years = (unsigned)years;
            cost_options.scenario_drop_off = drop / 100;
            break;
        }
        case PROGRAMME_PERIOD:
        case SEED:
        case REPLICATES: {
            unsigned value = 0;
            char *end;
            errno = 0;
            unsigned long seed = c == SEED ? strtoul(optarg, &end, 10) : 0;
            if (c == SEED ? errno || end == optarg || *end || optarg[0] == '-' ||
                                seed > 2147483647ul
                          : report_parse_unsigned(optarg, &value) || value == 0) {
                cli_error("service: --%s needs a whole number%s, not '%s'",
                          c == SEED ? "seed" : c == REPLICATES ? "replicates" : "programme-period",
                          c == SEED ? " from 0 to 2147483647" : " from 1 to 1000000", optarg);
                goto done;
            }
            if (c == SEED)
                cost_options.seed = (uint32_t)seed;
            else if (c == REPLICATES)
                cost_options.replicates = value;
            else
                cost_options.programme_days = value;
            break;
        }
        case COMPLETED: completed = optarg; break;
        case WELLBEING: wellbeing = optarg; break;
        case WELLBEING_FOLLOWUP: wellbeing_followup = optarg; break;
        default: usage(stderr); goto done;
        }
    }
    if (!unit_costs && (completed || wellbeing)) {
        cli_error("service: --completed and --wellbeing add to the costs: give --unit-costs "
                  "(with a wellby row for --wellbeing)");
        goto done;
    }
    if (wellbeing_followup && !wellbeing) {
        cli_error("service: --wellbeing-followup names a timepoint of --wellbeing FILE");
        goto done;
    }
    if (check_events(events, &options))
        goto done;
    if (optind >= argc && !events[0].files.n) {
        cli_error("service: no input given");
        usage(stderr);
        goto done;
    }
    if (!window_items.n) {
        cli_error("service: give the windows in time order with their lengths in days, e.g. "
                  "--window pre12=365,post12=365");
        goto done;
    }
    if (!unit_costs && (price_index || cost_options.price_year || cost_options.no_counterfactual ||
                        cost_options.programme_cost > 0 || cost_options.scenario_years)) {
        cli_error("service: --price-index, --price-year, --programme-cost, --scenario and "
                  "--no-counterfactual price the events: give --unit-costs");
        goto done;
    }
    if (cost_options.scenario_years && !(cost_options.programme_cost > 0)) {
        cli_error("service: --scenario runs against the programme's cost: give "
                  "--programme-cost");
        goto done;
    }
    if (report_check_disclosure("service", &disclosure))
        goto done;
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
    /* -o, --measures, --unit-costs, --price-index, --population, --completed, --wellbeing, two
     * index files, the
     * comparisons, the counts and the event lists. */
    files = calloc((size_t)argc + comparisons.n + events[0].files.n + events[1].files.n + 9,
                   sizeof *files);
    if (!files) {
        cli_error("out of memory");
        status = EXIT_INTERNAL;
        goto done;
    }
    size_t n_files = 0;
    files[n_files++] = (output_file_t){output_path, "-o", 1};
    files[n_files++] = (output_file_t){measures, "--measures", 0};
    files[n_files++] = (output_file_t){unit_costs, "--unit-costs", 0};
    files[n_files++] = (output_file_t){price_index, "--price-index", 0};
    if (options.population && strncmp(options.population, "nb:", 3) != 0)
        files[n_files++] = (output_file_t){options.population, "--population", 0};
    files[n_files++] = (output_file_t){completed, "--completed", 0};
    files[n_files++] = (output_file_t){wellbeing, "--wellbeing", 0};
    const size_t first_data = n_files; /* the files of rows, each read once */
    for (size_t i = 0; i < comparisons.n; i++)
        files[n_files++] = (output_file_t){comparisons.items[i], "--comparison", 0};
    for (int i = optind; i < argc; i++)
        files[n_files++] = (output_file_t){argv[i], "input", 0};
    for (int a = 0; a < 2; a++) {
        if (events[a].index)
            files[n_files++] =
                (output_file_t){events[a].index, a ? "--comparison-index" : "--index", 0};
        for (size_t i = 0; i < events[a].files.n; i++)
            files[n_files++] = (output_file_t){events[a].files.items[i],
                                               a ? "--comparison-events" : "--events", 0};
    }
    if (output_check_distinct("service", files, n_files) != 0 ||
        output_check_read_once("service", files + first_data, n_files - first_data) != 0)
        goto done;

    if ((status = cli_context(&context, wellbeing != NULL)))
        goto done;
    ps_error_t err = ps_service_definition_read(context, measures, &definition);
    if (!err)
        err = ps_service_cohort_new(context, definition, &options, &cohort);
    ps_service_handlers_t handlers = {on_reject, &run};
    for (int k = 0; !err && k < argc - optind + (int)comparisons.n; k++) {
        int referred = k < argc - optind;
        const char *file = referred ? argv[optind + k] : comparisons.items[k - (argc - optind)];
        const ps_service_arm_t arm = referred ? PS_SERVICE_REFERRED : PS_SERVICE_COMPARISON;
        ps_batch_summary_t summary;
        err = ps_service_read(cohort, file, arm, &handlers, &summary);
        if (!err && !run.quiet)
            print_summary(file, &summary, NULL, arm);
    }
    for (int a = 0; a < 2 && !err; a++)
        err = read_events(cohort, a ? PS_SERVICE_COMPARISON : PS_SERVICE_REFERRED, &events[a],
                          &handlers, run.quiet);
    if (!err && unit_costs)
        err = ps_service_costs_read(context, unit_costs, &costs);
    if (!err && price_index)
        err = ps_service_costs_read_index(costs, price_index);
    if (!err)
        err = ps_service_report(cohort, &disclosure, &report);
    ps_batch_summary_t summary;
    if (!err && completed) {
        err = ps_service_costs_read_completed(costs, cohort, completed, &handlers, &summary);
        if (!err && !run.quiet)
            print_summary(completed, &summary, "completed", PS_SERVICE_REFERRED);
    }
    /* The rows of the unit costs and the years of the index used, for their summary lines. */
    ps_batch_summary_t costs_summary = {0}, index_summary = {0};
    cost_options.unit_costs_summary = &costs_summary;
    cost_options.price_index_summary = &index_summary;
    if (!err && costs)
        err = ps_service_costs_apply(costs, &cost_options, cohort, &disclosure, report);
    if (!err && wellbeing) {
        err = ps_service_costs_wellbeing(costs, &cost_options, cohort, wellbeing, NULL,
                                         wellbeing_followup, &handlers, &disclosure, report,
                                         &summary);
        if (!err && !run.quiet)
            print_summary(wellbeing, &summary,
                          "wellbeing: scores of the scale used at the two timepoints",
                          PS_SERVICE_REFERRED);
    }
    if (!err && costs && !run.quiet) {
        print_summary(unit_costs, &costs_summary, "unit costs", PS_SERVICE_REFERRED);
        if (price_index)
            print_summary(price_index, &index_summary, "price index: years",
                          PS_SERVICE_REFERRED);
    }
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
    service_setting_t set = {.definition = definition,
                             .windows = windows,
                             .n_windows = window_items.n,
                             .selected = ps_service_cohort_selection(cohort),
                             .before = ps_service_cohort_before(cohort),
                             .has_comparison = comparisons.n > 0 || events[1].files.n > 0,
                             .has_population = options.population != NULL,
                             .interval = options.interval,
                             .unit_costs = unit_costs,
                             .no_counterfactual = cost_options.no_counterfactual,
                             .warning = report_not_for_release(&disclosure)};
    const char *earlier = NULL;
    for (size_t w = 1; w < window_items.n; w++)
        if (strcasecmp(windows[w].name, set.before) == 0)
            earlier = windows[w - 1].name;
    set.regression = statement = regression_statement(&set, earlier);
    if (!statement)
        out.error = ENOMEM;
    else if (format == FORMAT_CSV)
        write_csv(&out, report, definition);
    else if (format == FORMAT_JSON)
        write_json(&out, report, &set);
    else if (format == FORMAT_HTML) {
        service_write_html(&out, report, &set, argc, argv, files, n_files);
    } else
        service_write_text(&out, report, &set);
    if (output_commit(&out) != 0) {
        cli_error("%s: cannot write: %s", output_path, strerror(out.error));
        status = EXIT_INPUT;
        goto done;
    }
    status = run.refused ? EXIT_SOME_REFUSED : EXIT_ALL_SCORED;
done:
    output_discard(&out);
    ps_service_report_free(report);
    ps_service_costs_free(costs);
    ps_service_cohort_free(cohort);
    ps_service_definition_free(definition);
    ps_context_free(context);
    cli_list_free(&window_items);
    cli_list_free(&comparisons);
    cli_list_free(&events[0].files);
    cli_list_free(&events[1].files);
    cli_list_free(&by);
    free(windows);
    free(files);
    free(statement);
    return status;
}
