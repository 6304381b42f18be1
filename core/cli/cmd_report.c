/* SPDX-License-Identifier: GPL-3.0-or-later */
/* promscore report: scored rows in, a cohort change report out. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "batch_options.h"
#include "cli.h"
#include "output.h"
#include "report_writers.h"
#include "reportformat.h"

static void usage(FILE *to)
{
    fputs("Usage: promscore report [OPTION]... SCORED.csv...\n"
          "       promscore report -i INSTRUMENT [OPTION]... BATCH.csv...\n"
          "Compare baseline with each later timepoint, and with each person's last\n"
          "follow-up: participant flow, paired change (t test, Wilcoxon signed rank),\n"
          "effect sizes, meaningful and reliable change, band transitions.\n"
          "\n"
          "  -i, --instrument ID       inputs are raw batches, scored on the fly (repeatable)\n"
          "      --baseline LABEL      the baseline timepoint (default baseline)\n"
          "      --timepoints A,B,...  later timepoints in order (default: first appearance);\n"
          "                            timepoints match in any case\n"
          "  -b, --by COLUMN           also report per value of a kept column (repeatable)\n"
          "  -f, --format FORMAT       text (default), csv, json, summary (the headline\n"
          "                            table as CSV) or html (a page with charts)\n"
          "  -o, --output FILE         write the report here, atomically (default: stdout)\n"
          "      --threshold N         suppress counts of 1 to N and figures based on them\n"
          "                            (default 7)\n"
          "      --round N             round other counts to the nearest N (e.g. 5)\n"
          "      --no-suppress         no disclosure control: internal analysis only\n"
          "  -q, --quiet               no per-batch summary\n"
          CLI_BATCH_CALIBRATION_HELP
          "  -h, --help                this help\n"
          "\n"
          "With -i, how the batches are read, as for 'promscore score':\n",
          to);
    cli_batch_usage(to, CLI_BATCH_REPORT);
    fputs("\n"
          "CSV columns: instrument,scale,group,comparison,statistic,kind,value,suppressed,note\n"
          "(see promscore-statistics(7)).\n"
          "Exit status: 0 report written; 1 written, but rows were refused while scoring;\n"
          "2 usage; 3 unreadable or invalid input, or no row at the baseline (nothing\n"
          "written); 4 internal error.\n",
          to);
}

enum format { FORMAT_TEXT, FORMAT_CSV, FORMAT_JSON, FORMAT_SUMMARY, FORMAT_HTML };

struct run {
    ps_cohort_t *cohort;
    ps_error_t error;       /* from ps_cohort_add */
    int quiet;
    cli_progress_t progress;
    ps_scorer_t *scorer; /* with -i */
    unsigned long refused;
};

/* How far the input has been read: a scorer's batch, or a scored file by its lines. */
static void progress(struct run *run, const char *file, unsigned long line)
{
    ps_progress_t read = {.file = file, .rows = line > 1 ? line - 1 : 0};
    cli_progress(&run->progress, run->scorer ? ps_scorer_progress(run->scorer) : &read);
}

static int add_score(const ps_score_t *score, void *user)
{
    struct run *run = user;
    progress(run, score->file, score->line);
    run->error = ps_cohort_add(run->cohort, score);
    return run->error != PS_OK;
}

static int on_reject(const ps_reject_t *r, void *user)
{
    struct run *run = user;
    run->refused++;
    progress(run, r->file, r->line);
    cli_print_reject(r);
    return 0;
}

static int on_batch_end(const ps_batch_summary_t *s, void *user)
{
    struct run *run = user;
    run->refused += s->scores_not_ok;
    cli_progress_done(&run->progress);
    if (!run->quiet)
        fprintf(stderr, "promscore: %s: %lu rows read, %lu scored, %lu rejected\n", s->file,
                s->rows_read, s->rows_scored, s->rows_rejected);
    return 0;
}

/* ---- Writers. ---- */

/* The report's CSV: one row per statistic, in the library's report format. */
static void write_csv(output_t *o, const ps_report_t *report)
{
    csv_report_header(o);
    for (size_t i = 0; i < ps_report_count(report); i++)
        csv_report_row(o, NULL, ps_report_statistic(report, i));
}

static void write_json(output_t *o, const ps_report_t *report, ps_context_t *context)
{
    const ps_audit_t *audit = ps_report_audit(report);
    output_printf(o, "{\n  \"promscore\": \"%s\",\n  \"disclosure\": ", PS_VERSION);
    json_string(o, ps_report_disclosure_rule(report));
    output_puts(o, ",\n  \"audit\": ");
    report_json_audit(o, audit);
    output_puts(o, ",\n");
    output_puts(o, "  \"last_followup\": \"baseline->end compares each person's baseline with "
                   "their last follow-up; with a single follow-up it equals that comparison "
                   "and is not repeated\",\n  \"instruments\": [");
    /* The definitions the figures rest on, with their versions and change thresholds. */
    int first = 1;
    for (size_t i = 0; i < ps_context_instrument_count(context); i++) {
        const ps_instrument_t *in = ps_context_instrument(context, i);
        int used = 0;
        for (size_t k = 0; k < ps_report_count(report) && !used; k++)
            used = ps_report_statistic(report, k)->instrument == in;
        if (!used)
            continue;
        output_printf(o, "%s\n    {\"id\": ", first ? "" : ",");
        json_string(o, ps_instrument_id(in));
        output_puts(o, ", \"version\": ");
        json_string(o, ps_instrument_version(in));
        output_puts(o, ", \"title\": ");
        json_string(o, ps_instrument_title(in));
        output_puts(o, ", \"definition\": ");
        json_string(o, ps_instrument_file(in));
        output_puts(o, "}");
        first = 0;
    }
    output_puts(o, "\n  ],\n  \"results\": [");
    for (size_t i = 0; i < ps_report_count(report); i++)
        report_json_result(o, i, NULL, ps_report_statistic(report, i));
    /* What disclosure control was audited against: lo <= sum of coefficient * statistic <= hi. */
    output_puts(o, "\n  ],\n  \"relations\": [");
    for (size_t k = 0; k < ps_report_relation_count(report); k++) {
        ps_relation_t rel;
        ps_report_relation(report, k, &rel);
        report_json_relation(o, k, &rel);
    }
    output_puts(o, "\n  ]\n}\n");
}

/* Text: one section per scale, comparison and group. */

struct section {
    const ps_report_t *report;
    size_t start, end;
};

static const ps_statistic_t *find(const struct section *s, ps_statistic_id_t id, const char *p0)
{
    for (size_t i = s->start; i < s->end; i++) {
        const ps_statistic_t *st = ps_report_statistic(s->report, i);
        if (st->id == id && st->param[0] == p0 && !st->category)
            return st;
    }
    return NULL;
}

#define F(id) format_figure(find(s, PS_STAT_##id, NULL)).s
#define FB(id, band) format_figure(find(s, PS_STAT_##id, band)).s

/* Whether the section shows nothing about people but zeros: every other figure is hidden. */
static int all_hidden(const struct section *s)
{
    for (size_t i = s->start; i < s->end; i++) {
        const ps_statistic_t *st = ps_report_statistic(s->report, i);
        ps_kind_t kind = ps_statistic_info(st->id)->kind;
        if (kind == PS_KIND_CONSTANT || st->shown == PS_SUPPRESSED ||
            (kind == PS_KIND_COUNT && st->value == 0))
            continue;
        return 0;
    }
    return 1;
}

static void write_bands(output_t *o, const struct section *s, const ps_scale_t *scale)
{
    output_printf(o,
                  "    bands (%s is better): %s moved to a better band, %s stayed, %s moved to a "
                  "worse band\n",
                  ps_scale_lower_is_better(scale) ? "lower" : "higher", F(N_BAND_BETTER),
                  F(N_BAND_SAME), F(N_BAND_WORSE));
    for (size_t i = s->start; i < s->end; i++) {
        const ps_statistic_t *st = ps_report_statistic(s->report, i);
        if (st->id == PS_STAT_TRANSITION)
            output_printf(o, "      %-60s %s\n", st->name + strlen("transition:"),
                          format_figure(st).s);
    }
    /* Both readings of a change in a band, each labelled. */
    for (size_t i = s->start; i < s->end; i++) {
        const ps_statistic_t *st = ps_report_statistic(s->report, i);
        if (st->id != PS_STAT_N_BASELINE_BAND)
            continue;
        const char *band = st->param[0];
        output_printf(
            o, "    %s: %s at baseline (%s), %s at follow-up (%s); cohort-level change %s", band,
            format_figure(st).s, FB(SHARE_BASELINE_BAND, band), FB(N_FOLLOWUP_BAND, band),
            FB(SHARE_FOLLOWUP_BAND, band), FB(BAND_CHANGE, band));
        if (find(s, PS_STAT_N_MOVED_BETTER_FROM, band))
            output_printf(o, "; individual level: %s of them moved to a better band",
                          FB(MOVED_BETTER_FROM, band));
        output_puts(o, "\n");
    }
}

static void write_reasons_and_notes(output_t *o, const struct section *s)
{
    for (size_t i = s->start; i < s->end; i++) {
        const ps_statistic_t *st = ps_report_statistic(s->report, i);
        if (st->shown == PS_NOT_COMPUTABLE && st->id != PS_STAT_WILCOXON_EXACT)
            output_printf(o, "    n/a %s: %s\n", st->name, st->reason);
        else if (st->note && st->shown == PS_SHOWN)
            output_printf(o, "    note %s: %s\n", st->name, st->note);
    }
}

static void write_section(output_t *o, const struct section *s)
{
    const ps_statistic_t *first = ps_report_statistic(s->report, s->start);
    if (all_hidden(s)) {
        output_printf(o,
                      "\n  %s, %s: figures suppressed (small numbers, or numbers that "
                      "would reveal one elsewhere)\n",
                      first->comparison, first->group);
        return;
    }
    output_printf(o, "\n  %s, %s\n", first->comparison, first->group);
    output_printf(
        o,
        "    participants: %s at baseline, %s at follow-up, %s paired, %s lost to follow-up "
        "(%s)\n",
        F(N_BASELINE), F(N_FOLLOWUP), F(N_PAIRED), F(LOST_TO_FOLLOWUP), F(LOSS_RATE));
    output_printf(o,
                  "    lost to follow-up: baseline mean %s (SD %s); completers minus lost, "
                  "standardised: %s\n",
                  F(MEAN_BASELINE_LOST), F(SD_BASELINE_LOST), F(SMD_COMPLETERS_VS_LOST));
    output_printf(
        o,
        "    completers: baseline mean %s (SD %s, median %s); follow-up mean %s (SD %s, median "
        "%s)\n",
        F(MEAN_BASELINE), F(SD_BASELINE), F(MEDIAN_BASELINE), F(MEAN_FOLLOWUP), F(SD_FOLLOWUP),
        F(MEDIAN_FOLLOWUP));
    output_printf(o,
                  "    change: mean %s (95%% CI %s to %s), SD %s; paired t = %s, df = %s, p = %s\n",
                  F(MEAN_CHANGE), F(CI_LOW), F(CI_HIGH), F(SD_CHANGE), F(T), F(DF), F(P_T));
    const ps_statistic_t *exact = find(s, PS_STAT_WILCOXON_EXACT, NULL);
    output_printf(o, "    Wilcoxon signed rank: V = %s, p = %s (%s)\n", F(WILCOXON_V),
                  F(P_WILCOXON),
                  exact && exact->shown == PS_SHOWN
                      ? (exact->value ? "exact" : "normal approximation with continuity correction")
                      : "method not shown");
    output_printf(
        o,
        "    effect size (standardised by the SD of the changes): d_z = %s (95%% CI %s to "
        "%s), Hedges' g_z = %s\n",
        F(D_Z), F(D_Z_CI_LOW), F(D_Z_CI_HIGH), F(G_Z));
    if (find(s, PS_STAT_MEANINGFUL_CHANGE, NULL))
        output_printf(
            o,
            "    meaningful change (at least %s points): %s improved (%s), %s unchanged, %s "
            "deteriorated\n",
            F(MEANINGFUL_CHANGE), F(N_IMPROVED), F(SHARE_IMPROVED), F(N_UNCHANGED),
            F(N_DETERIORATED));
    if (find(s, PS_STAT_RELIABLE_CHANGE, NULL)) {
        /* The rule stated: "more than 7.45 points" or "6.00 points or more", and whence. */
        const ps_statistic_t *at_least = find(s, PS_STAT_RELIABLE_AT_LEAST, NULL);
        char threshold[96], source[256] = "from the definition";
        snprintf(threshold, sizeof threshold,
                 at_least && at_least->value ? "%s points or more" : "more than %s points",
                 F(RELIABLE_CHANGE));
        if (find(s, PS_STAT_RELIABILITY, NULL))
            snprintf(source, sizeof source,
                     "Jacobson-Truax, 1.96 x sqrt(2) x SEM: SD %s, "
                     "reliability %s, SEM %s",
                     F(REFERENCE_SD), F(RELIABILITY), F(SEM));
        else if (find(s, PS_STAT_SEM, NULL))
            snprintf(source, sizeof source, "Jacobson-Truax, 1.96 x sqrt(2) x SEM: SEM %s", F(SEM));
        output_printf(o,
                      "    reliable change (%s; %s): %s improved, %s no reliable change, %s "
                      "deteriorated\n",
                      threshold, source, F(N_RELIABLE_IMPROVED), F(N_NO_RELIABLE_CHANGE),
                      F(N_RELIABLE_DETERIORATED));
    }
    if (find(s, PS_STAT_N_BAND_BETTER, NULL))
        write_bands(o, s, first->scale);
    write_reasons_and_notes(o, s);
}

/* A pool's section: each figure on a line of its own. */
static void write_pool_section(output_t *o, const struct section *s)
{
    const ps_statistic_t *first = ps_report_statistic(s->report, s->start);
    if (all_hidden(s)) {
        output_printf(o,
                      "\n  %s, %s: figures suppressed (small numbers, or numbers that "
                      "would reveal one elsewhere)\n",
                      first->comparison, first->group);
        return;
    }
    output_printf(o, "\n  %s, %s\n", first->comparison, first->group);
    for (size_t i = s->start; i < s->end; i++) {
        const ps_statistic_t *st = ps_report_statistic(s->report, i);
        if (st->shown == PS_NOT_COMPUTABLE)
            output_printf(o, "    %-52s n/a (%s)\n", st->name, st->reason);
        else
            output_printf(o, "    %-52s %s\n", st->name, format_figure(st).s);
    }
}

static void write_text(output_t *o, const ps_report_t *report, const char *warning)
{
    if (warning)
        output_printf(o, "%s\n\n", warning);
    output_printf(o, "promscore %s cohort change report\n\nDisclosure control: %s\n", PS_VERSION,
                  ps_report_disclosure_rule(report));
    output_puts(o, "* suppressed; n/a not computable (reason below the section). Each person's "
                   "last follow-up\n(baseline->end) is given only when there are two follow-ups "
                   "or more.\n");
    report_write_headline(o, report);
    const char *unit = NULL;
    for (size_t i = 0; i < ps_report_count(report);) {
        const ps_statistic_t *st = ps_report_statistic(report, i);
        if (st->unit != unit) {
            unit = st->unit;
            if (st->scale)
                output_printf(o, "\n== %s %s: %s (definition version %s)\n",
                              ps_instrument_id(st->instrument), st->unit, ps_scale_label(st->scale),
                              ps_instrument_version(st->instrument));
            else
                output_printf(o,
                              "\n== %s %s: pooled, one unit per person and member (definition "
                              "version %s)\n",
                              ps_instrument_id(st->instrument), st->unit,
                              ps_instrument_version(st->instrument));
        }
        struct section s = {report, i, i};
        while (s.end < ps_report_count(report)) {
            const ps_statistic_t *next = ps_report_statistic(report, s.end);
            if (next->unit != st->unit || next->group != st->group ||
                next->comparison != st->comparison)
                break;
            s.end++;
        }
        if (st->scale)
            write_section(o, &s);
        else
            write_pool_section(o, &s);
        i = s.end;
    }
    output_puts(o,
                "\nCaveats: a before-and-after comparison without a comparison group cannot "
                "show that\nthe intervention caused the change. People selected for low "
                "baseline scores tend to\nscore higher later anyway (regression to the mean). "
                "Those lost to follow-up may\ndiffer from those who stayed: compare their "
                "baseline scores above.\n");
}

/* ---- The command. ---- */

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash && slash[1] ? slash + 1 : path;
}

/* A file named on the command line: where its name starts in an argument (an option's value
 * may follow "--map=" or "-o"), and whether it is a comma-separated list of files. */
struct named_file {
    const char *at;
    int list;
};

/* An argument as the page shows it: each file in it by its base name. */
static char *shown_argument(const char *arg, const struct named_file *files, size_t n)
{
    size_t length = strlen(arg);
    for (size_t k = 0; k < n; k++) {
        if (files[k].at < arg || files[k].at > arg + length)
            continue;
        char *shown = malloc(length + 1), *w = shown;
        if (!shown)
            return NULL;
        memcpy(w, arg, (size_t)(files[k].at - arg));
        w += files[k].at - arg;
        for (const char *name = files[k].at; name;) {
            const char *comma = files[k].list ? strchr(name, ',') : NULL;
            size_t n_name = comma ? (size_t)(comma - name) : strlen(name);
            char *one = strndup(name, n_name);
            if (!one) {
                free(shown);
                return NULL;
            }
            w = stpcpy(w, base_name(one));
            free(one);
            if (comma)
                *w++ = ',';
            name = comma ? comma + 1 : NULL;
        }
        *w = '\0';
        return shown;
    }
    return strdup(arg);
}

/* Frees the first n of a command line shown (shown_argument), and the list. */
static void free_shown(char **shown, int n)
{
    for (int i = 0; shown && i < n; i++)
        free(shown[i]);
    free(shown);
}

int cmd_report(int argc, char **argv)
{
    enum { BASELINE = 256, TIMEPOINTS, THRESHOLD, ROUND, NO_SUPPRESS };
    static const struct option long_options[] = {
        {"instrument", required_argument, NULL, 'i'},
        {"baseline", required_argument, NULL, BASELINE},
        {"timepoints", required_argument, NULL, TIMEPOINTS},
        {"by", required_argument, NULL, 'b'},
        {"format", required_argument, NULL, 'f'},
        {"output", required_argument, NULL, 'o'},
        {"threshold", required_argument, NULL, THRESHOLD},
        {"round", required_argument, NULL, ROUND},
        {"no-suppress", no_argument, NULL, NO_SUPPRESS},
        CLI_BATCH_LONG_OPTIONS,
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    cli_batch_t batch;
    cli_batch_init(&batch, CLI_BATCH_REPORT);
    ps_score_options_t *score_options = &batch.options;
    ps_cohort_options_t cohort_options = {.size = sizeof cohort_options};
    ps_disclosure_t disclosure = {.suppress = 1, .threshold = 7, .round_to = 0};
    cli_list_t instruments = {0}, by = {0}, timepoints = {0};
    enum format format = FORMAT_TEXT;
    const char *output_path = "-";
    struct run run = {0};
    ps_context_t *context = NULL;
    ps_scorer_t *scorer = NULL;
    ps_report_t *report = NULL;
    output_t out = OUTPUT_INIT;
    output_file_t *files = NULL;
    int status = EXIT_USAGE, c;
    /* The command line as given, before getopt reorders it, and the files named in it. */
    char **given = malloc(((size_t)argc + 1) * sizeof *given), **shown = NULL;
    struct named_file *named = calloc((size_t)argc + 1, sizeof *named);
    const char **inputs = NULL;
    size_t n_named = 0;
    if (!given || !named) {
        cli_error("out of memory");
        status = EXIT_INTERNAL;
        goto done;
    }
    memcpy(given, argv, ((size_t)argc + 1) * sizeof *given);
    optind = 1;
    const char *once[CLI_OPTION_VALUES] = {NULL};
    static const int gathers[] = {'i', 'b', TIMEPOINTS, 'k', CLI_BATCH_WINDOW,
                                  CLI_BATCH_CALIBRATION, 0};
    while ((c = getopt_long(argc, argv, "i:b:f:o:" CLI_BATCH_SHORT_OPTIONS "qh", long_options,
                            NULL)) != -1) {
        if (cli_given_once("report", long_options, gathers, c, once))
            goto done;
        switch (c) {
        case 'i':
        case 'b':
        case TIMEPOINTS:
            if (cli_list_add(c == 'i' ? &instruments : c == 'b' ? &by : &timepoints, optarg)) {
                status = EXIT_INTERNAL;
                goto done;
            }
            break;
        case BASELINE: cohort_options.baseline = optarg; break;
        case 'f':
            if (strcmp(optarg, "text") == 0)
                format = FORMAT_TEXT;
            else if (strcmp(optarg, "csv") == 0)
                format = FORMAT_CSV;
            else if (strcmp(optarg, "json") == 0)
                format = FORMAT_JSON;
            else if (strcmp(optarg, "summary") == 0)
                format = FORMAT_SUMMARY;
            else if (strcmp(optarg, "html") == 0)
                format = FORMAT_HTML;
            else {
                cli_error("report: --format is text, csv, json, summary or html, not '%s'",
                          optarg);
                goto done;
            }
            break;
        case 'o':
            output_path = optarg;
            named[n_named++] = (struct named_file){optarg, 0};
            break;
        case THRESHOLD:
        case ROUND:
            if (report_parse_unsigned(optarg, c == ROUND ? &disclosure.round_to : &disclosure.threshold)) {
                cli_error("report: --%s needs a whole number, not '%s'",
                          c == ROUND ? "round" : "threshold", optarg);
                goto done;
            }
            break;
        case NO_SUPPRESS: disclosure.suppress = 0; break;
        case 'q': run.quiet = 1; break;
        case 'h': usage(stdout); status = 0; goto done;
        default: {
            int taken = cli_batch_option(&batch, c, optarg);
            if (taken < 0)
                usage(stderr);
            if (taken != 0) {
                status = taken < 0 ? EXIT_USAGE : taken;
                goto done;
            }
            /* The page names the files given by their base names. */
            if (c == 'm' || c == CLI_BATCH_CALIBRATION)
                named[n_named++] = (struct named_file){optarg, c == CLI_BATCH_CALIBRATION};
        }
        }
    }
    if (optind >= argc) {
        cli_error("report: no input given");
        usage(stderr);
        goto done;
    }
    if (report_check_disclosure("report", &disclosure))
        goto done;
    if (!instruments.n && batch.first_given) {
        cli_error("report: %s says how raw batches are read: give it with -i INSTRUMENT, or "
                  "leave it out to report scored files",
                  batch.first_given);
        goto done;
    }
    if (cli_batch_check(&batch) != 0)
        goto done;
    /* The report may not replace an input, the map or a calibration table. */
    files = calloc((size_t)argc + batch.calibrations.n + 2, sizeof *files);
    if (!files) {
        cli_error("out of memory");
        status = EXIT_INTERNAL;
        goto done;
    }
    size_t n_files = 0;
    files[n_files++] = (output_file_t){output_path, "-o", 1};
    files[n_files++] = (output_file_t){score_options->map_file, "--map", 0};
    for (size_t i = 0; i < batch.calibrations.n; i++)
        files[n_files++] = (output_file_t){batch.calibrations.items[i], "--calibration", 0};
    for (int i = optind; i < argc; i++)
        files[n_files++] = (output_file_t){argv[i], "input", 0};
    if (output_check_distinct("report", files, n_files) != 0)
        goto done;
    cli_progress_init(&run.progress, instruments.n ? "scoring" : "reading", run.quiet, NULL);
    cohort_options.by = (const char *const *)by.items;
    cohort_options.n_by = by.n;
    cohort_options.timepoints = (const char *const *)timepoints.items;
    cohort_options.n_timepoints = timepoints.n;

    if ((status = cli_context(&context, 1)) ||
        (status = cli_calibrations(context, &batch.calibrations)))
        goto done;
    ps_error_t err = ps_cohort_new(context, &cohort_options, &run.cohort);
    if (!err && instruments.n) {
        /* The batches are scored as by score, each row carrying the --by columns. */
        score_options->instruments = (const char *const *)instruments.items;
        score_options->n_instruments = instruments.n;
        score_options->keep = (const char *const *)by.items;
        score_options->n_keep = by.n;
        ps_score_handlers_t handlers = {NULL, add_score, on_reject, on_batch_end, &run};
        if ((err = ps_scorer_new(context, score_options, &handlers, &scorer))) {
            status = cli_exit_status(err);
            goto done;
        }
        run.scorer = scorer;
        if ((status = cli_batch_spool_stdin(&batch, argv + optind, (size_t)(argc - optind))))
            goto done;
        err = ps_scorer_score_files(scorer, (const char *const *)argv + optind,
                                    (size_t)(argc - optind));
    }
    for (int i = optind; i < argc && !err && !scorer; i++)
        err = ps_scored_read(context, argv[i], (const char *const *)by.items, by.n, add_score,
                             &run);
    if (err == PS_ERROR_ABORTED)
        err = run.error;
    cli_progress_done(&run.progress);
    if (!err)
        err = ps_cohort_report(run.cohort, &disclosure, &report);
    if (err) {
        if (err == PS_ERROR_NOMEM)
            cli_error("%s", ps_error_message(err));
        cli_error("nothing written");
        status = cli_exit_status(err);
        goto done;
    }
    /* A report holds aggregates only: it gets the usual permissions. */
    mode_t mask = umask(0);
    umask(mask);
    if (output_open(&out, output_path, 0666 & ~mask) != 0) {
        cli_error("%s: cannot create: %s", output_path, strerror(errno));
        status = EXIT_INPUT;
        goto done;
    }
    if (format == FORMAT_CSV)
        write_csv(&out, report);
    else if (format == FORMAT_JSON)
        write_json(&out, report, context);
    else if (format == FORMAT_SUMMARY)
        report_write_summary(&out, report);
    else if (format == FORMAT_HTML) {
        for (int i = optind; i < argc; i++)
            named[n_named++] = (struct named_file){argv[i], 0};
        shown = calloc((size_t)argc + 2, sizeof *shown);
        inputs = calloc((size_t)argc, sizeof *inputs);
        int n_shown = 0;
        if (shown && inputs && (shown[n_shown] = strdup("promscore")))
            for (n_shown = 1; n_shown <= argc; n_shown++)
                if (!(shown[n_shown] = shown_argument(given[n_shown - 1], named, n_named)))
                    break;
        if (n_shown <= argc) {
            cli_error("out of memory");
            status = EXIT_INTERNAL;
            goto done;
        }
        for (int i = optind; i < argc; i++)
            inputs[i - optind] = base_name(argv[i]);
        report_made_t made = {argc + 1, shown, inputs, (size_t)(argc - optind),
                              report_not_for_release(&disclosure)};
        report_write_html(&out, report, context, &made);
    }
    else
        write_text(&out, report, report_not_for_release(&disclosure));
    if (output_commit(&out) != 0) {
        cli_error("%s: cannot write: %s", output_path, strerror(out.error));
        status = EXIT_INPUT;
        goto done;
    }
    status = run.refused ? EXIT_SOME_REFUSED : EXIT_ALL_SCORED;
done:
    output_discard(&out);
    ps_report_free(report);
    ps_scorer_free(scorer);
    ps_cohort_free(run.cohort);
    ps_context_free(context);
    cli_batch_free(&batch);
    cli_list_free(&instruments);
    cli_list_free(&by);
    cli_list_free(&timepoints);
    free(files);
    free_shown(shown, argc + 1);
    free(inputs);
    free(named);
    free(given);
    return status;
}
