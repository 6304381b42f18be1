/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The promscore command end to end: example data, exit statuses, atomic outputs. */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "helpers.h"


static char *example(const char *name)
{
    char *path;
    cr_assert_geq(asprintf(&path, "%s/%s", getenv("PROMSCORE_EXAMPLES"), name), 0);
    return path;
}

static char *temp_dir(void)
{
    char *dir = strdup("/tmp/promscore-out-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    return dir;
}

static char *in_dir(const char *dir, const char *name)
{
    char *path;
    cr_assert_geq(asprintf(&path, "%s/%s", dir, name), 0);
    return path;
}

static size_t count_lines(const char *text)
{
    size_t n = 0;
    for (; text && *text; text++)
        n += *text == '\n';
    return n;
}

static size_t count_entries(const char *dir)
{
    size_t n = 0;
    DIR *d = opendir(dir);
    for (struct dirent *e; (e = readdir(d));)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0; /* hidden files too */
    closedir(d);
    return n;
}

Test(cli, scores_the_example_batches)
{
    char *dir = temp_dir(), *scored = in_dir(dir, "scored.csv"), *rejects = in_dir(dir, "rejects.csv");
    struct run_result r = RUN("score", "--keep", "site", "-o", scored, "--rejects", rejects,
                          example("baseline.csv"), example("followup.csv"));
    /* The examples hold refused rows on purpose: exit 1. */
    cr_assert_eq(r.status, 1, "stderr: %s", r.err);
    char *s = test_slurp(scored), *j = test_slurp(rejects);
    cr_assert(strncmp(s, "participant_id,timepoint,instrument,scale,score,band,answered,status,site\n",
                      74) == 0);
    /* Worked by hand from the example row CH0102: 3,3,3,4,3,4,2,3,3,2,2,1,2,3. Total 38;
     * SWEMWBS items 1,2,3,6,7,9,11 = 3+3+3+4+2+3+2 = 20, metric 18.59. */
    cr_assert(strstr(s, "\nCH0102,baseline,wemwbs,total,38,probable depression (screening),14,ok,Homerton\n"));
    cr_assert(strstr(s, "\nCH0102,baseline,wemwbs,swemwbs,18.59,,7,ok,Homerton\n"));
    /* CH0143 left item 11 blank: both scales incomplete, nothing guessed. */
    cr_assert(strstr(s, "\nCH0143,baseline,wemwbs,total,,,13,incomplete,Homerton\n"));
    cr_assert(strstr(s, "\nCH0143,baseline,wemwbs,swemwbs,,,6,incomplete,Homerton\n"));
    /* 43 + 33 rows scored, two scales each. */
    cr_assert_eq(count_lines(s), 1 + (43 + 33) * 2);
    cr_assert_eq(count_lines(j), 1 + 7);
    cr_assert(strstr(j, "baseline.csv,42,CH0141,wemwbs_5,6,code out of range (codes are 1-5)\n"));
    cr_assert(strstr(j, "baseline.csv,45,CH0105,,,duplicate: participant 'CH0105' at timepoint "
                        "'baseline' already has wemwbs on line 6\n"));
    cr_assert(strstr(j, "baseline.csv,46,,,,missing participant id\n"));
    cr_assert(strstr(j, "followup.csv,33,CH0141,wemwbs_3,3.5,not a whole-number code"));
    cr_assert(strstr(r.err, "baseline.csv: 46 rows read, 43 scored, 3 rejected"), "%s", r.err);
    cr_assert(strstr(r.err, "followup.csv: 33 rows read, 33 scored, 0 rejected"), "%s", r.err);
    struct stat st;
    cr_assert_eq(stat(scored, &st), 0);
    cr_assert_eq(st.st_mode & 0777, 0600, "row-level output is private");
    cr_assert_eq(count_entries(dir), 2, "no temporary files left behind");
}

Test(cli, a_batch_on_standard_input_scores_as_the_file_does)
{
    char *dir = temp_dir(), *from_file = in_dir(dir, "file.csv"), *from_stdin = in_dir(dir, "in.csv");
    char *baseline = example("baseline.csv");
    struct run_result a = RUN("score", "-q", "--keep", "site", "-o", from_file, baseline);
    struct run_result b =
        run_promscore(&(struct run_how){.input = baseline},
                      (const char *const[]){"score", "-q", "--keep", "site", "-o", from_stdin, "-",
                                            NULL});
    cr_assert_eq(a.status, 1, "%s", a.err);
    cr_assert_eq(b.status, 1, "%s", b.err);
    cr_assert_str_eq(test_slurp(from_stdin), test_slurp(from_file));
    cr_assert(strstr(b.err, "-:42:8: column wemwbs_5, value \"6\": code out of range"), "%s", b.err);
}

Test(cli, a_kept_cell_longer_than_the_output_buffer_is_escaped_whole)
{
    enum { LONG = 300 * 1024 }; /* past the output buffer */
    char *note = malloc(LONG + 1);
    memset(note, 'x', LONG);
    note[0] = '=';              /* a formula guard, */
    note[LONG / 2] = '"';       /* a quote doubled, */
    note[LONG - 1] = ',';       /* and quotes around it all */
    note[LONG] = '\0';
    char *csv;
    cr_assert_geq(asprintf(&csv, "participant_id,note,swemwbs_1,swemwbs_2,swemwbs_3,swemwbs_4,"
                                 "swemwbs_5,swemwbs_6,swemwbs_7\nA,\"%.*s\"\"%s\",3,3,3,3,3,3,3\n",
                  LONG / 2, note, note + LONG / 2 + 1),
                  0);
    char *dir = temp_dir(), *scored = in_dir(dir, "s.csv");
    struct run_result r = RUN("score", "-q", "-t", "t0", "--keep", "note", "-o", scored,
                          test_file("long.csv", csv, -1));
    cr_assert_eq(r.status, 0, "%s", r.err);
    char *expected;
    cr_assert_geq(asprintf(&expected, "A,t0,swemwbs,raw,21,,7,ok,\"'%.*s\"\"%s\"\n", LONG / 2, note,
                           note + LONG / 2 + 1),
                  0);
    cr_assert(strstr(test_slurp(scored), expected), "the cell is escaped as one");
    free(note);
}

Test(cli, exit_zero_when_everything_scores)
{
    char *dir = temp_dir(), *scored = in_dir(dir, "s.csv");
    char *batch = test_file("ok.csv", "participant_id,swemwbs_1,swemwbs_2,swemwbs_3,swemwbs_4,"
                                      "swemwbs_5,swemwbs_6,swemwbs_7\nA,3,3,3,3,3,3,3\n", -1);
    struct run_result r = RUN("score", "-q", "-t", "baseline", "-o", scored, batch);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_str_eq(r.err, "");
    cr_assert_str_eq(test_slurp(scored),
                     "participant_id,timepoint,instrument,scale,score,band,answered,status\n"
                     "A,baseline,swemwbs,raw,21,,7,ok\n"
                     "A,baseline,swemwbs,metric,19.25,,7,ok\n");
}

Test(cli, rejects_go_to_stderr_with_file_line_and_column_without_a_rejects_file)
{
    char *dir = temp_dir();
    struct run_result r = RUN("score", "-q", "-o", in_dir(dir, "s.csv"), example("baseline.csv"));
    cr_assert_eq(r.status, 1);
    cr_assert(strstr(r.err, "baseline.csv:42:8: column wemwbs_5, value \"6\": code out of range"),
              "%s", r.err);
    cr_assert(strstr(r.err, "baseline.csv:47: ragged row: 10 fields, the header has 17"), "%s",
              r.err);
}

Test(cli, invalid_input_writes_nothing)
{
    char *dir = temp_dir(), *scored = in_dir(dir, "s.csv"), *rejects = in_dir(dir, "r.csv");
    char *batch = test_file("broken.csv", "participant_id,timepoint,swemwbs_1,swemwbs_2,swemwbs_3,"
                                          "swemwbs_4,swemwbs_5,swemwbs_6,swemwbs_7\n"
                                          "A,t,1,1,1,1,1,1,1\nB,t,\"1,1,1,1,1,1,1\n", -1);
    struct run_result r = RUN("score", "-o", scored, "--rejects", rejects, example("baseline.csv"), batch);
    cr_assert_eq(r.status, 3, "%s", r.err);
    cr_assert(strstr(r.err, "broken.csv:3:3: end of file inside a quoted field"), "%s", r.err);
    cr_assert(strstr(r.err, "nothing written"));
    cr_assert_eq(count_entries(dir), 0, "no output and no temporary file");
}

Test(cli, an_existing_output_survives_a_failed_run)
{
    char *dir = temp_dir(), *scored = in_dir(dir, "s.csv");
    FILE *f = fopen(scored, "w");
    fputs("previous results\n", f);
    fclose(f);
    struct run_result r = RUN("score", "-o", scored, "/nonexistent/batch.csv");
    cr_assert_eq(r.status, 3);
    cr_assert(strstr(r.err, "/nonexistent/batch.csv: cannot open"), "%s", r.err);
    cr_assert_str_eq(test_slurp(scored), "previous results\n");
}

Test(cli, output_equal_to_an_input_is_refused)
{
    char *batch = test_file("b.csv", "participant_id\n", -1);
    struct run_result r = RUN("score", "-o", batch, batch);
    cr_assert_eq(r.status, 2);
    cr_assert(strstr(r.err, "is the same file as input"), "%s", r.err);
    cr_assert_str_eq(test_slurp(batch), "participant_id\n");
}

Test(cli, unwritable_output_directory)
{
    struct run_result r = RUN("score", "-o", "/nonexistent/dir/s.csv", example("baseline.csv"));
    cr_assert_eq(r.status, 3);
    cr_assert(strstr(r.err, "/nonexistent/dir/s.csv: cannot create"), "%s", r.err);
}

Test(cli, usage_errors_exit_two)
{
    cr_assert_eq(RUN("frobnicate").status, 2);
    cr_assert_eq(RUN("score", example("baseline.csv")).status, 2);
    cr_assert_eq(RUN("score", "--no-such-option").status, 2);
    cr_assert_eq(RUN("score", "-i", "phq9", "-o", "/tmp/x.csv", example("baseline.csv")).status, 2);
    cr_assert_eq(RUN("template").status, 2);
    struct run_result none = run_promscore(NULL, (const char *const[]){NULL});
    cr_assert_eq(none.status, 2);
    cr_assert(strstr(none.err, "Usage: promscore COMMAND"));
}

Test(cli, help_and_version)
{
    struct run_result r = RUN("--help");
    cr_assert_eq(r.status, 0);
    cr_assert(strstr(r.out, "Exit status"));
    r = RUN("score", "--help");
    cr_assert_eq(r.status, 0);
    cr_assert(strstr(r.out, "--rejects FILE"));
    r = RUN("--version");
    cr_assert_eq(r.status, 0);
    char expected[64];
    snprintf(expected, sizeof expected, "promscore %s (plugin ABI %d.%d)\n", PS_VERSION,
             PS_PLUGIN_ABI_MAJOR, PS_PLUGIN_ABI_MINOR);
    cr_assert(strncmp(r.out, expected, strlen(expected)) == 0, "%s", r.out);
    cr_assert(strstr(r.out, "\nCopyright (C) 2026 the promscore authors.\nLicense "
                            "GPL-3.0-or-later: GNU GPL version 3 or later"),
              "%s", r.out);
}

Test(cli, template_prints_the_collection_header)
{
    struct run_result r = RUN("template", "-i", "swemwbs");
    cr_assert_eq(r.status, 0);
    cr_assert_str_eq(r.out, "participant_id,timepoint,swemwbs_1,swemwbs_2,swemwbs_3,swemwbs_4,"
                            "swemwbs_5,swemwbs_6,swemwbs_7\n");
}

Test(cli, instruments_lists_ids_versions_plugins_and_notices)
{
    struct run_result r = RUN("instruments");
    cr_assert_eq(r.status, 0);
    cr_assert(strstr(r.out, "wemwbs 1.0 (plugin scale)"));
    cr_assert(strstr(r.out, "swemwbs 1.0 (plugin scale)"));
    cr_assert(strstr(r.out, "(c) University of Warwick"));
}

Test(cli, validate_reports_file_and_line)
{
    char *shipped;
    cr_assert_geq(asprintf(&shipped, "%s/plugins/wemwbs/wemwbs.xml", getenv("PROMSCORE_SOURCE_DIR")), 0);
    struct run_result r = RUN("validate", shipped);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strstr(r.out, "valid: instrument wemwbs version 1.0"));
    char *bad = test_file("bad.xml", "<?xml version=\"1.0\"?>\n<instrument xmlns=\"urn:promscore:instrument:1\"\n"
                                     "  id=\"Bad Id\" version=\"1\" plugin=\"scale\"/>\n", -1);
    r = RUN("validate", bad);
    cr_assert_eq(r.status, 3);
    char *where;
    cr_assert_geq(asprintf(&where, "%s:3: Element 'instrument', attribute 'id'", bad), 0);
    cr_assert(strstr(r.err, where), "%s", r.err);
}

Test(cli, validate_refuses_an_absurd_range_with_its_limit)
{
    char *shipped, *text;
    cr_assert_geq(asprintf(&shipped, "%s/plugins/template/template.xml", getenv("PROMSCORE_SOURCE_DIR")), 0);
    text = test_slurp(shipped);
    char *at = strstr(text, "min=\"1\" max=\"3\"");
    cr_assert_not_null(at);
    char *edited;
    cr_assert_geq(asprintf(&edited, "%.*smin=\"-1e308\" max=\"1e308\"%s", (int)(at - text), text,
                           at + strlen("min=\"1\" max=\"3\"")), 0);
    unsigned long line = 1;
    for (const char *p = text; p < at; p++)
        line += *p == '\n';
    char *bad = test_file("absurd.xml", edited, -1);
    struct run_result r = RUN("validate", bad);
    cr_assert_eq(r.status, 3, "%s", r.err);
    char *where;
    cr_assert_geq(asprintf(&where, "%s:%lu: ", bad, line), 0);
    cr_assert(strstr(r.err, where), "%s", r.err);
    cr_assert(strstr(r.err, "'1e9'") || strstr(r.err, "'-1e9'"), "%s", r.err);
}

Test(cli, a_plugin_for_another_abi_stops_with_status_four)
{
    char *dir = temp_dir();
    char *def = in_dir(dir, "x.xml");
    FILE *f = fopen(def, "w");
    fputs("<?xml version=\"1.0\"?>\n"
          "<instrument xmlns=\"urn:promscore:instrument:1\" id=\"x\" version=\"1\" plugin=\"bad_abi\">\n"
          "<title>X</title><notice>N</notice><sources><source id=\"s\">s</source></sources>\n"
          "<responses id=\"r\"><option code=\"1\" label=\"a\"/></responses>\n"
          "<items responses=\"r\"><item id=\"1\" column=\"x1\" label=\"x\"/></items>\n"
          "<scale id=\"s\" method=\"sum\" items=\"1\" min=\"0\" max=\"1\" precision=\"0\"/>\n"
          "</instrument>\n",
          f);
    fclose(f);
    char *env_path;
    cr_assert_geq(asprintf(&env_path, "PROMSCORE_INSTRUMENT_PATH=%s", dir), 0);
    struct run_result r = run_promscore(&(struct run_how){.env = (const char *const[]){env_path, NULL}},
                                        (const char *const[]){"instruments", NULL});
    cr_assert_eq(r.status, 4, "%s", r.err);
    cr_assert(strstr(r.err, "bad_abi"), "%s", r.err);
    cr_assert(strstr(r.err, "plugin built for plugin ABI"), "%s", r.err);
}

/* ---- promscore report ---- */

static char *scored_examples(void)
{
    char *dir = temp_dir(), *scored = in_dir(dir, "scored.csv");
    struct run_result r = RUN("score", "-q", "--keep", "site", "-o", scored, example("baseline.csv"),
                          example("followup.csv"));
    cr_assert_eq(r.status, 1);
    return scored;
}

Test(cli_report, tidy_csv_of_the_example_cohort)
{
    char *scored = scored_examples();
    struct run_result r = RUN("report", "-f", "csv", "--by", "site", scored);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strncmp(r.out, "instrument,scale,group,comparison,statistic,kind,value,suppressed,note\n",
                      71) == 0);
    /* 40 people have a complete, valid baseline WEMWBS (CH0101-CH0140). */
    cr_assert(strstr(r.out, "\nwemwbs,total,all,baseline->followup,n_baseline,count,40,no,\n"), "%s",
              r.out);
    cr_assert_null(strstr(r.out, "baseline->end"), "one follow-up: its comparison is not repeated");
    cr_assert(strstr(r.out, ",n_unchanged,count,,yes,\n"), "a suppressed count is empty, flagged");
    cr_assert(strstr(r.out, "\nwemwbs,swemwbs,site=Dalston,baseline->followup,"));
    cr_assert_null(strstr(r.out, "CH01"), "no participant appears in a report");
}

Test(cli_report, text_states_the_rule_and_the_caveats)
{
    struct run_result r = RUN("report", scored_examples());
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strstr(r.out, "Disclosure control: Counts of 1 to 7"));
    cr_assert(strstr(r.out, "== wemwbs total: WEMWBS total (definition version 1.0)"));
    cr_assert(strstr(r.out, "reliable change (more than 7.45 points; Jacobson-Truax, 1.96 x "
                            "sqrt(2) x SEM: SD 8.96, reliability 0.91, SEM 2.69)"));
    cr_assert(strstr(r.out, "regression to the mean"));
}

/* The report refuses a rounding base that would show counts above the threshold as 0, as
 * service does (the check is shared): 10 is the most for a threshold of 4. */
Test(cli_report, a_rounding_base_that_would_show_counts_as_0_is_refused)
{
    char *scored = scored_examples();
    struct run_result r = RUN("report", "--threshold", "4", "--round", "11", scored);
    cr_assert_eq(r.status, 2, "%s", r.err);
    cr_assert_str_eq(r.err, "promscore: report: --round 11 with --threshold 4 would show a count "
                            "of 5 as 0: the rounding base may be at most 10 (twice the threshold "
                            "and 2); raise --threshold or round to less\n");
    cr_assert_str_eq(r.out, "");
    run_result_free(&r);
    r = RUN("report", "--threshold", "4", "--round", "10", scored);
    cr_assert_eq(r.status, 0, "%s", r.err);
    run_result_free(&r);
    free(scored);
}

/* Every command refuses an option of one value given twice, naming both values, and lets
 * those that gather values repeat. */
Test(cli, an_option_of_one_value_given_twice_is_refused_in_every_command)
{
    struct run_result r = RUN("score", "-i", "wemwbs", "-o", "a.csv", "--map", "m1.csv", "--map",
                              "m2.csv", "batch.csv");
    cr_assert_eq(r.status, 2, "%s", r.err);
    cr_assert_str_eq(r.err, "promscore: score: --map is given twice ('m1.csv', then 'm2.csv'): it "
                            "takes one value, and the first would be lost; give it once\n");
    run_result_free(&r);
    r = RUN("report", "--threshold", "5", "--threshold", "9", "scored.csv");
    cr_assert_eq(r.status, 2, "%s", r.err);
    cr_assert_str_eq(r.err, "promscore: report: --threshold is given twice ('5', then '9'): it "
                            "takes one value, and the first would be lost; give it once\n");
    run_result_free(&r);
    r = RUN("pseudonymise", "-k", "one.key", "--key-file", "two.key", "ids.csv");
    cr_assert_eq(r.status, 2, "%s", r.err);
    cr_assert_str_eq(r.err, "promscore: pseudonymise: --key-file is given twice ('one.key', then "
                            "'two.key'): it takes one value, and the first would be lost; give it "
                            "once\n");
    run_result_free(&r);
    /* Gathering options repeat: two instruments. */
    char *batch = test_file("both.csv",
                            "participant_id,timepoint,wemwbs_1,wemwbs_2,wemwbs_3,wemwbs_4,"
                            "wemwbs_5,wemwbs_6,wemwbs_7,wemwbs_8,wemwbs_9,wemwbs_10,wemwbs_11,"
                            "wemwbs_12,wemwbs_13,wemwbs_14,swemwbs_1,swemwbs_2,swemwbs_3,"
                            "swemwbs_4,swemwbs_5,swemwbs_6,swemwbs_7\n"
                            "P1,baseline,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3\n",
                            -1);
    char *scored = test_path("both-scored.csv");
    r = RUN("score", "-q", "-i", "wemwbs", "-i", "swemwbs", "-o", scored, batch);
    cr_assert_eq(r.status, 0, "%s", r.err);
    run_result_free(&r);
    free(batch);
    free(scored);
}

/* report -i reads raw batches as score does: in another encoding, with another delimiter. */
Test(cli_report, raw_batches_in_another_encoding_and_delimiter)
{
    char *batch = test_file("b.csv",
                            "participant_id;timepoint;site;swemwbs_1;swemwbs_2;swemwbs_3;"
                            "swemwbs_4;swemwbs_5;swemwbs_6;swemwbs_7\n"
                            "P1;baseline;Caf\xe9;1;1;1;1;1;1;1\n"
                            "P1;followup;Caf\xe9;2;2;2;2;2;2;2\n",
                            -1);
    struct run_result r = RUN("report", "-i", "swemwbs", "--no-suppress", "--by", "site", "-f", "csv",
                          "--encoding", "windows-1252", "--delimiter", ";", batch);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strstr(r.out, "swemwbs,metric,site=Caf\xc3\xa9,baseline->followup,n_paired,count,1,"),
              "%s", r.out);
    r = RUN("report", "-i", "swemwbs", "--by", "site", "--delimiter", ";", batch);
    cr_assert_eq(r.status, 3, "%s", r.err);
    cr_assert(strstr(r.err, "b.csv:2: column 'site' is not valid UTF-8 text (give the file's "
                            "encoding with --encoding)\n"),
              "%s", r.err);
    r = RUN("report", "-i", "swemwbs", "--delimiter", "x", batch);
    cr_assert_eq(r.status, 2, "%s", r.err);
}

Test(cli_report, text_opens_with_the_headline_table)
{
    struct run_result r = RUN("report", "--by", "site", scored_examples());
    cr_assert_eq(r.status, 0, "%s", r.err);
    const char *headline = strstr(r.out, "\nHeadline: the whole cohort, baseline to followup\n");
    const char *detail = strstr(r.out, "\n== wemwbs total: WEMWBS total");
    cr_assert(headline && detail && headline < detail, "%s", r.out);
    /* 40 at baseline, 30 paired, 10 lost; n_followup and the shares resting on small
     * counts hidden, as in the detail. */
    cr_assert(strstr(headline, "\nwemwbs total    higher         40         *      30      25.0%     "
                               "38.10      41.87       3.77 (1.36 to 6.17)         56.7%         *"
                               "           *\n"),
              "%s", headline);
    cr_assert(strstr(headline, "improved meaningfully: by at least 3.00 points; reliably: by more "
                               "than 7.45 points (Jacobson-Truax); worst band: probable depression "
                               "(screening)\n"),
              "%s", headline);
    char *table = strndup(headline, (size_t)(detail - headline));
    cr_assert_null(strstr(table, "site="), "the headline is the whole cohort: %s", table);
    free(table);
}

Test(cli_report, summary_is_the_headline_table_as_csv)
{
    struct run_result r = RUN("report", "-f", "summary", "--by", "site", scored_examples());
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strncmp(r.out, "instrument,scale,label,better,group,comparison,n_baseline,"
                             "n_baseline_suppressed,n_followup,", 86) == 0, "%s", r.out);
    cr_assert(strstr(r.out, "\nwemwbs,total,WEMWBS total,higher,all,baseline->followup,40,no,,yes,"
                            "30,no,25.0,no,38.10,no,41.87,no,3.77,no,1.36,no,6.17,no,56.7,no,,yes,"
                            "probable depression (screening),,yes\n"),
              "%s", r.out);
    cr_assert(strstr(r.out, "\nwemwbs,total,WEMWBS total,higher,site=Dalston,baseline->followup,,yes,"
                            "15,no,15,no,"),
              "%s", r.out);
    /* SWEMWBS has no bands: its worst band is empty and flagged n/a. */
    cr_assert(strstr(r.out, ",,,n/a\n"), "%s", r.out);
    cr_assert_null(strstr(r.out, "CH01"), "no participant appears in a report");
    /* Nothing the full CSV hides is shown: every flagged-yes cell is hidden there too. */
    struct run_result full = RUN("report", "-f", "csv", "--by", "site", scored_examples());
    cr_assert(strstr(full.out, "\nwemwbs,total,all,baseline->followup,n_followup,count,,yes,\n"));
    cr_assert(strstr(full.out, "\nwemwbs,total,all,baseline->followup,share_reliable_improved,rate,,"
                               "yes,\n"));
}

Test(cli_report, check_scales_are_left_out_of_the_headline)
{
    char *dir = temp_dir(), *scored = in_dir(dir, "pam.csv");
    struct run_result s = RUN("score", "-q", "-o", scored, example("pam.csv"));
    cr_assert_leq(s.status, 1, "%s", s.err);
    struct run_result r = RUN("report", "-f", "summary", scored);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strstr(r.out, "\npam,score,PAM activation score (0-100),higher,all,"), "%s", r.out);
    cr_assert_null(strstr(r.out, "\npam,answered,"), "%s", r.out);
    cr_assert_null(strstr(r.out, "\npam,raw,"), "%s", r.out);
    struct run_result text = RUN("report", scored);
    cr_assert(strstr(text.out, "\npam score "), "%s", text.out);
    cr_assert_null(strstr(text.out, "\npam answered "), "%s", text.out);
    cr_assert(strstr(text.out, "\n== pam answered: PAM statements answered"),
              "a check scale keeps its detail");
}

/* The HTML page: tests/test_cli_html.c. */

Test(cli_report, json_carries_versions_and_rule)
{
    char *dir = temp_dir(), *out = in_dir(dir, "report.json");
    struct run_result r = RUN("report", "-f", "json", "--round", "5", "-o", out, scored_examples());
    cr_assert_eq(r.status, 0, "%s", r.err);
    char *j = test_slurp(out);
    cr_assert(strstr(j, "\"instruments\": [\n    {\"id\": \"wemwbs\", \"version\": \"1.0\""), "%s", j);
    cr_assert(strstr(j, "rounded to the nearest 5"));
    cr_assert(strstr(j, "\"instrument\": \"wemwbs\", \"scale\": \"total\", \"group\": \"all\", "
                        "\"comparison\": \"baseline->followup\", \"statistic\": \"n_baseline\", "
                        "\"kind\": \"count\", \"value\": 40, \"suppressed\": false, "
                        "\"not_computable\": null, \"note\": null}"), "%s", j);
    /* Under rounding, df would give the exact n: it is withheld, and says why. */
    cr_assert(strstr(j, "\"statistic\": \"df\", \"kind\": \"figure\", \"value\": null, "
                        "\"suppressed\": true, \"not_computable\": null, \"note\": \"withheld under "
                        "rounding"));
    cr_assert(strstr(j, "\"relations\": [\n    {\"terms\": [["), "the audit's relations are listed");
    /* What the audit did, as a reader could count it; not the work it took, which varies with
     * the hidden counts. */
    const char *audit = strstr(j, "\"audit\": {\"counts\": ");
    cr_assert(audit, "%s", j);
    cr_assert(strstr(audit, ", \"withheld\": "), "%s", audit);
    cr_assert_null(strstr(j, "linear_programs"), "%s", j);
    struct stat st;
    cr_assert_eq(stat(out, &st), 0);
    mode_t mask = umask(0);
    umask(mask);
    cr_assert_eq(st.st_mode & 0777, 0666 & ~mask, "reports (aggregates) follow the umask");
    cr_assert_eq(count_entries(dir), 1);
}

Test(cli_report, raw_batches_scored_on_the_fly_give_the_same_figures)
{
    struct run_result scored = RUN("report", "-f", "csv", scored_examples());
    struct run_result raw = RUN("report", "-q", "-f", "csv", "-i", "wemwbs", example("baseline.csv"),
                            example("followup.csv"));
    cr_assert_eq(raw.status, 1, "rows were refused while scoring");
    cr_assert_str_eq(raw.out, scored.out);
}

/* Two SWEMWBS pairs, changes 23.21-22.35 and 15.84-14.75: libRmath has warned on
 * standard output while d_z's interval was sought, inside the JSON report. */
Test(cli_report, libRmath_says_nothing_inside_a_report_on_standard_output)
{
    char *scored = test_file("two-pairs.csv",
                             "participant_id,timepoint,instrument,scale,score,band,answered,status\n"
                             "A,baseline,swemwbs,metric,22.35,,7,ok\n"
                             "B,baseline,swemwbs,metric,14.75,,7,ok\n"
                             "A,followup,swemwbs,metric,23.21,,7,ok\n"
                             "B,followup,swemwbs,metric,15.84,,7,ok\n",
                             -1);
    struct run_result r = RUN("report", "-f", "json", "--no-suppress", scored);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_null(strstr(r.out, "precision"), "%s", r.out);
    cr_assert_eq(r.out[0], '{');
    cr_assert(strstr(r.out, "\"statistic\": \"d_z_ci_low\", \"kind\": \"figure\", \"value\": -0.2123061889334"), "%s",
              r.out);
}

/* "baseline->End" would read as the comparison with each person's last follow-up. */
Test(cli_report, a_timepoint_called_end_is_refused_and_nothing_written)
{
    char *dir = temp_dir(), *out = in_dir(dir, "report.csv");
    char *scored = test_file("end.csv",
                             "participant_id,timepoint,instrument,scale,score,band,answered,status\n"
                             "A,baseline,swemwbs,metric,22.35,,7,ok\n"
                             "A,End,swemwbs,metric,23.21,,7,ok\n",
                             -1);
    struct run_result r = RUN("report", "-f", "csv", "-o", out, scored);
    cr_assert_eq(r.status, 3, "%s", r.err);
    cr_assert(strstr(r.err, "end.csv:3: timepoint 'End' is refused: 'end', in any case, names the "
                            "comparison with each person's last follow-up (baseline->end)"),
              "%s", r.err);
    cr_assert(strstr(r.err, "nothing written"), "%s", r.err);
    cr_assert_str_eq(r.out, "");
    cr_assert_eq(count_entries(dir), 0, "no report, no temporary file");
}

Test(cli_report, usage_and_input_errors)
{
    char *scored = scored_examples();
    cr_assert_eq(RUN("report").status, 2);
    cr_assert_eq(RUN("report", "-f", "xml", scored).status, 2);
    cr_assert_eq(RUN("report", "--round", "5", "--no-suppress", scored).status, 2);
    cr_assert_eq(RUN("report", "--threshold", "seven", scored).status, 2);
    struct run_result r = RUN("report", "--by", "practice", scored);
    cr_assert_eq(r.status, 3);
    cr_assert(strstr(r.err, "no column 'practice' to group by"), "%s", r.err);
    r = RUN("report", example("baseline.csv"));
    cr_assert_eq(r.status, 3);
    cr_assert(strstr(r.err, "not a scored CSV"), "%s", r.err);
    r = RUN("report", "-o", "/nonexistent/dir/r.txt", scored);
    cr_assert_eq(r.status, 3);
}

/* ---- promscore pseudonymise ---- */

/* A key of 32 bytes of 0x0b; its pseudonym of 9434765919 was computed with Python's hmac
 * module: hmac.new(b'\x0b' * 32, b'9434765919', hashlib.sha256).hexdigest(). */
static const char pseudonym_9434765919[] =
    "7d181f918c6431969efd8482947c447fee6cbb819f0f925f17cf17e1f4363e8a";

static char *test_key(void)
{
    char bytes[32];
    memset(bytes, 0x0b, sizeof bytes);
    char *path = test_file("secret.key", bytes, 32);
    chmod(path, 0600);
    return path;
}

Test(cli_pseudonymise, nhs_numbers_become_reproducible_pseudonyms)
{
    char *dir = temp_dir(), *out = in_dir(dir, "out.csv"), *rej = in_dir(dir, "rejects.csv");
    char *in = test_file("in.csv",
                         "nhs_number,site,wemwbs_1\n"
                         "943 476 5919,Dalston,3\n"
                         "943-476-5918,Homerton,4\n"
                         "4010232137,\"=HYPERLINK(\"\"x\"\")\",4\n"
                         ",Dalston,2\n",
                         -1);
    struct run_result r = RUN("pseudonymise", "--key-file", test_key(), "--column", "nhs_number", in,
                          "-o", out, "--rejects", rej);
    cr_assert_eq(r.status, 1, "%s", r.err);
    char *o = test_slurp(out);
    char *expected;
    cr_assert_geq(asprintf(&expected, "nhs_number,site,wemwbs_1\n%s,Dalston,3\n",
                           pseudonym_9434765919), 0);
    cr_assert(strncmp(o, expected, strlen(expected)) == 0, "%s", o);
    cr_assert_eq(count_lines(o), 3, "the invalid and the missing are not written");
    /* A text cell that a spreadsheet would run as a formula is escaped. */
    cr_assert(strstr(o, ",\"'=HYPERLINK(\"\"x\"\")\",4\n"), "%s", o);
    char *j = test_slurp(rej);
    cr_assert(strstr(j, "in.csv,3,,,,not a valid NHS number"), "%s", j);
    cr_assert(strstr(j, "in.csv,5,,,,missing identifier"), "%s", j);
    cr_assert_null(strstr(j, "5918"), "a refused identifier is never written");
    cr_assert(strstr(r.err, "4 rows read, 2 written, 2 refused"), "%s", r.err);
    struct stat st;
    cr_assert_eq(stat(out, &st), 0);
    cr_assert_eq(st.st_mode & 0777, 0600);
    /* Pseudonymised apart, the same person pairs. */
    char *again = in_dir(dir, "again.csv");
    char *in2 = test_file("in2.csv", "nhs_number\n9434765919\n", -1);
    cr_assert_eq(RUN("pseudonymise", "-k", test_key(), "-c", "nhs_number", in2, "-o", again).status, 0);
    cr_assert(strstr(test_slurp(again), pseudonym_9434765919));
}

Test(cli_pseudonymise, keys_are_checked_and_never_shown)
{
    char *dir = temp_dir(), *key = in_dir(dir, "new.key"), *out = in_dir(dir, "o.csv");
    struct run_result r = RUN("pseudonymise", "--keygen", key);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_eq(RUN("pseudonymise", "--keygen", key).status, 3, "a key is never overwritten");
    chmod(key, 0644);
    char *in = test_file("in.csv", "nhs_number\n9434765919\n", -1);
    r = RUN("pseudonymise", "-k", key, "-c", "nhs_number", in, "-o", out);
    cr_assert_eq(r.status, 3);
    cr_assert(strstr(r.err, "group or others"), "%s", r.err);
    cr_assert_eq(count_entries(dir), 1, "nothing written");
    /* The key's bytes appear in no output and no message. */
    char *secret = test_file("s.key", "0123456789abcdefghijklmnopqrstuvwxyz", -1);
    chmod(secret, 0600);
    r = RUN("pseudonymise", "-k", secret, "-c", "nhs_number", "--text", in, "-o", out);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_null(strstr(test_slurp(out), "0123456789abcdef"));
    cr_assert_null(strstr(r.err, "0123456789abcdef"));
    cr_assert_eq(RUN("pseudonymise", "-k", secret, "-c", "nhs", in, "-o", out).status, 3);
    cr_assert_eq(RUN("pseudonymise", "-k", secret, in, "-o", out).status, 2);
}

Test(cli_pseudonymise, an_identifier_column_named_twice_writes_nothing)
{
    char *dir = temp_dir(), *out = in_dir(dir, "o.csv"), *rej = in_dir(dir, "r.csv");
    char *in = test_file("in.csv", "NHS_Number,site,nhs_number\n9434765919,Dalston,9434765919\n", -1);
    struct run_result r = RUN("pseudonymise", "-k", test_key(), "-c", "nhs_number", in, "-o", out,
                          "--rejects", rej);
    cr_assert_eq(r.status, 3, "%s", r.err);
    cr_assert(strstr(r.err, "in.csv:1"), "%s", r.err);
    cr_assert(strstr(r.err, "appears twice"), "%s", r.err);
    cr_assert_null(strstr(r.err, "9434765919"), "%s", r.err);
    cr_assert_eq(count_entries(dir), 0, "nothing written");
}

/* ---- The bad-input catalogue: each case, its message and exit status, nothing written. ---- */

#define HDR "participant_id,timepoint,swemwbs_1,swemwbs_2,swemwbs_3,swemwbs_4,swemwbs_5,swemwbs_6,swemwbs_7\n"

/* Scores one batch with content 'csv' (length n, or strlen); checks status and message. */
static void score_case(const char *csv, long n, int status, const char *message, size_t scored_rows)
{
    char *dir = temp_dir(), *out = in_dir(dir, "s.csv"), *rej = in_dir(dir, "r.csv");
    char *batch = test_file("batch.csv", csv, n);
    struct run_result r = RUN("score", "-o", out, "--rejects", rej, batch);
    cr_assert_eq(r.status, status, "status %d, stderr: %s", r.status, r.err);
    char *all;
    cr_assert_geq(asprintf(&all, "%s%s", r.err, status == 1 ? test_slurp(rej) : ""), 0);
    cr_assert(strstr(all, message), "'%s' not in: %s", message, all);
    if (status >= 2) {
        cr_assert_eq(count_entries(dir), 0, "nothing written");
    } else {
        cr_assert_eq(count_lines(test_slurp(out)), 1 + 2 * scored_rows);
        cr_assert_eq(count_entries(dir), 2);
    }
}

Test(catalogue, batches)
{
    score_case("", 0, 3, "batch.csv: empty file", 0);
    score_case(HDR, -1, 0, "0 rows read, 0 scored, 0 rejected", 0);
    score_case("id,timepoint\nP1,t\n", -1, 3, "batch.csv:1: no participant id column", 0);
    score_case("participant_id,timepoint,a,A\n", -1, 3, "batch.csv:1:4: column name 'A' repeats column 3", 0);
    score_case(HDR "P1,t,1,1,1\n", -1, 1, "batch.csv,2,P1,,,\"ragged row: 5 fields, the header has 9\"", 0);
    score_case(HDR "P1,t,1,1,1,1,1,1,1,1\n", -1, 1, "ragged row: 10 fields", 0);
    score_case(HDR "P1,t,\"1,1,1,1,1,1,1\n", -1, 3, "batch.csv:2:3: end of file inside a quoted field", 0);
    /* A stray quote, or text after a closing quote, refuses that row with its reason. */
    score_case(HDR "P1\"x,t,1,1,1,1,1,1,1\nP2,t,1,1,1,1,1,1,1\n", -1, 1,
               "batch.csv,2,\"P1\"\"x\",participant_id,\"P1\"\"x\",malformed quoting: a quote inside an unquoted field: the row is refused", 1);
    score_case(HDR "P1,t,\"1\"x,1,1,1,1,1,1\nP2,t,1,1,1,1,1,1,1\n", -1, 1,
               "batch.csv,2,P1,swemwbs_1,1x,malformed quoting: text after the closing quote of a quoted field: the row is refused", 1);
    score_case(HDR "P1,t,1,1,\0,1,1,1,1\n", (long)sizeof HDR + 18, 1, "answer is not valid UTF-8 text", 1);
    score_case(HDR "P\xff,t,1,1,1,1,1,1,1\n", -1, 1, "participant id is not valid UTF-8 text", 0);
    score_case("\xEF\xBB\xBF" HDR "P1,t,1,1,1,1,1,1,1\n", -1, 0, "1 rows read, 1 scored", 1);
    score_case("participant_id,timepoint,swemwbs_1,swemwbs_2,swemwbs_3,swemwbs_4,swemwbs_5,"
               "swemwbs_6,swemwbs_7\rP1,t,1,1,1,1,1,1,1\rP2,t,1,1,1,1,1,1,1\r",
               -1, 0, "2 rows read, 2 scored", 2);
    score_case(HDR "P1,t,1,1,6,1,1,1,1\n", -1, 1, "batch.csv,2,P1,swemwbs_3,6,code out of range", 1);
    score_case(HDR "P1,t,1,1,2.5,1,1,1,1\n", -1, 1, "not a whole-number code", 1);
    score_case(HDR "P1,t,1,1,2.0,1,1,1,3.00\n", -1, 0, "1 rows read, 1 scored", 1);
    score_case(HDR "P1,t,1,1,-2,1,1,1,1\n", -1, 1, "code out of range", 1);
    score_case(HDR "P1,t,1,1,lots,1,1,1,1\n", -1, 1, "unknown response label", 1);
    score_case(HDR ",t,1,1,1,1,1,1,1\n", -1, 1, "missing participant id", 0);
    score_case(HDR "P1,t,1,1,1,1,1,1,1\nP1,t,2,2,2,2,2,2,2\n", -1, 1,
               "batch.csv,3,P1,,,duplicate: participant 'P1' at timepoint 't' already has swemwbs on line 2", 1);
}

Test(catalogue, oversized_field_and_too_many_columns)
{
    size_t big = 50u * 1024 * 1024;
    char *csv = malloc(big + 300);
    strcpy(csv, HDR "P1,t,\"");
    size_t n = strlen(csv);
    memset(csv + n, 'x', big);
    strcpy(csv + n + big, "\",1,1,1,1,1,1\n");
    score_case(csv, -1, 3, "batch.csv:2:3: a field is longer than 1048576 bytes", 0);
    free(csv);
    char *wide = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&wide, &size);
    fputs("participant_id,timepoint", f);
    for (int i = 0; i < 10000; i++)
        fprintf(f, ",c%d", i);
    fputs("\n", f);
    fclose(f);
    score_case(wide, -1, 3, "batch.csv:1:4097: more than 4096 fields in the header", 0);
}

Test(catalogue, follow_up_without_baseline_is_counted_not_paired)
{
    char *dir = temp_dir(), *scored = in_dir(dir, "s.csv");
    char *batch = test_file("b.csv", HDR "P1,baseline,1,1,1,1,1,1,1\nP2,followup,2,2,2,2,2,2,2\n", -1);
    cr_assert_eq(RUN("score", "-q", "-o", scored, batch).status, 0);
    struct run_result r = RUN("report", "--no-suppress", "-f", "csv", scored);
    cr_assert(strstr(r.out, "swemwbs,metric,all,baseline->followup,n_followup,count,1,no,\n"));
    cr_assert(strstr(r.out, "swemwbs,metric,all,baseline->followup,n_paired,count,0,no,\n"));
    cr_assert(strstr(r.out, "mean_change,figure,,not computable: no pairs,\n"), "%s", r.out);
}

static void definition_case(const char *xml, long n, int status, const char *message)
{
    char *file = test_file("def.xml", xml, n);
    struct run_result r = RUN("validate", file);
    cr_assert_eq(r.status, status, "status %d: %s", r.status, r.err);
    cr_assert(strstr(r.err, message), "'%s' not in: %s", message, r.err);
    cr_assert(strstr(r.err, file), "the message names the file: %s", r.err);
}

Test(catalogue, definitions)
{
    definition_case("<?xml version=\"1.0\"?>\n<instrument xmlns=\"urn:promscore:instrument:1\"/>\n",
                    -1, 3, "def.xml:2");
    definition_case("<?xml version=\"1.0\"?>\n<!DOCTYPE i [<!ENTITY a \"b\">]>\n<i/>\n", -1, 3,
                    "def.xml:2: document type declarations (DTDs) are not allowed");
    definition_case("<?xml version=\"1.0\"?>\n<!DOCTYPE i [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n<i>&x;</i>\n",
                    -1, 3, "are not allowed");
    definition_case("<?xml version=\"1.0\"?>\n<!DOCTYPE i [<!ENTITY x SYSTEM \"http://127.0.0.1:9/x\">]>\n<i>&x;</i>\n",
                    -1, 3, "are not allowed");
    /* The billion laughs. */
    char *bomb = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&bomb, &size);
    fputs("<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n<!ENTITY lol \"lol\">\n", f);
    for (int i = 1; i <= 9; i++) {
        fprintf(f, "<!ENTITY lol%d \"", i);
        for (int k = 0; k < 10; k++)
            fprintf(f, "&lol%s;", i == 1 ? "" : (char[]){(char)('0' + i - 1), 0});
        fputs("\">\n", f);
    }
    fputs("]>\n<lolz>&lol9;</lolz>\n", f);
    fclose(f);
    definition_case(bomb, -1, 3, "def.xml");
    size_t big = 100u * 1024 * 1024;
    char *huge = malloc(big);
    memset(huge, ' ', big);
    memcpy(huge, "<?xml version=\"1.0\"?>", 21);
    definition_case(huge, (long)big, 3, "definition is 104857600 bytes; the limit is 4194304 bytes");
    free(huge);
}

Test(catalogue, outputs)
{
    char *batch = test_file("b.csv", HDR "P1,t,1,1,1,1,1,1,1\n", -1);
    struct run_result r = RUN("score", "-o", "/dev/full", batch);
    cr_assert_eq(r.status, 3, "%s", r.err);
    cr_assert(strstr(r.err, "/dev/full: cannot write: No space left on device"), "%s", r.err);
    r = RUN("score", "-o", "/nonexistent/s.csv", batch);
    cr_assert_eq(r.status, 3);

    /* Past the first output buffer a writer thread writes: its failure is reported the same. */
    enum { ROWS = 8000 };
    char *text = malloc(sizeof HDR + ROWS * 32);
    size_t used = (size_t)sprintf(text, "%s", HDR);
    for (int i = 0; i < ROWS; i++)
        used += (size_t)sprintf(text + used, "P%d,t,1,2,3,4,5,%d,1\n", i, 1 + i % 5);
    char *large = test_file("large.csv", text, (long)used);
    r = RUN("score", "-o", "/dev/full", large);
    cr_assert_eq(r.status, 3, "%s", r.err);
    cr_assert(strstr(r.err, "/dev/full: cannot write: No space left on device"), "%s", r.err);
    char *large_dir = temp_dir(), *large_out = in_dir(large_dir, "s.csv");
    cr_assert_eq(RUN("score", "-q", "-o", large_out, large).status, 0);
    char *scored = test_slurp(large_out);
    cr_assert_eq(count_lines(scored), 1 + 2 * ROWS);
    cr_assert(strstr(scored, "\nP7999,t,swemwbs,raw,21,,7,ok\nP7999,t,swemwbs,metric,19.25,"),
              "the last row, scored and written in order");
    free(text);
    r = RUN("score", "-o", batch, batch);
    cr_assert_eq(r.status, 2);
    char *dir = temp_dir(), *out = in_dir(dir, "s.csv");
    cr_assert_eq(RUN("score", "-q", "--mode", "640", "-o", out, batch).status, 0);
    struct stat st;
    cr_assert_eq(stat(out, &st), 0);
    cr_assert_eq(st.st_mode & 0777, 0640);
    cr_assert_eq(RUN("score", "--mode", "999", "-o", out, batch).status, 2);
}

/*
 * A run stopped half way by a signal while it waits for more input leaves no
 * file behind, whatever the signal (SIGKILL and SIGSEGV cannot be cleaned up
 * after: the output has no name until it is complete), and an existing output
 * as it was.
 */
static void interrupt_case_on(int sig, int unnamed)
{
    char *dir = temp_dir(), *fifo = in_dir(dir, "batch.csv"), *out = in_dir(dir, "s.csv");
    char *log_dir = temp_dir(), *log = in_dir(log_dir, "stderr");
    FILE *f = fopen(out, "w");
    fputs("previous results\n", f);
    fclose(f);
    cr_assert_eq(mkfifo(fifo, 0600), 0);
    pid_t pid = fork();
    if (pid == 0) {
        struct rlimit no_core = {0, 0};
        setrlimit(RLIMIT_CORE, &no_core);
        test_default_signals();
        int e = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        dup2(e, STDERR_FILENO);
        char *preload;
        if (!unnamed && asprintf(&preload, "LD_PRELOAD=%s", getenv("PROMSCORE_NO_TMPFILE")) > 0)
            /* libtool and env exec in turn: the process signalled is promscore. */
            execl(getenv("PROMSCORE_LIBTOOL"), "libtool", "--mode=execute", "env", preload,
                  getenv("PROMSCORE_BIN"), "score", "-o", out, fifo, (char *)NULL);
        execl(getenv("PROMSCORE_BIN"), "promscore", "score", "-o", out, fifo, (char *)NULL);
        _exit(127);
    }
    FILE *w = fopen(fifo, "w");
    cr_assert_not_null(w);
    fputs(HDR "P1,t,1,1,1,1,1,1,1\n", w);
    fflush(w);
    /* Wait for the header to be read and the output to be open: the run under way. While
     * it is written, an unnamed output has no name; the fallback's has one. The child is
     * signalled before anything is asserted, so that a failure never leaves it waiting. */
    const size_t expected = unnamed ? 2 : 3;
    int started = 0;
    size_t entries = 0;
    for (int i = 0; i < 1000 && !(started && entries == expected); i++) {
        char *seen = test_slurp(log);
        started = seen && strstr(seen, "swemwbs");
        free(seen);
        entries = count_entries(dir);
        if (!(started && entries == expected))
            usleep(10000);
    }
    kill(pid, sig);
    int status;
    pid_t waited = waitpid(pid, &status, 0);
    fclose(w);
    cr_assert(started, "%s", test_slurp(log));
    cr_assert_eq(entries, expected);
    cr_assert_eq(waited, pid);
    cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == sig, "signal %d", sig);
    cr_assert_eq(count_entries(dir), 2, "only the fifo and the previous output remain");
    cr_assert_str_eq(test_slurp(out), "previous results\n");
}

static void interrupt_case(int sig)
{
    interrupt_case_on(sig, 1);
}

Test(catalogue, an_interrupted_run_leaves_nothing)
{
    interrupt_case(SIGTERM);
    interrupt_case(SIGINT);
}

Test(catalogue, a_killed_run_leaves_nothing)
{
    interrupt_case(SIGKILL);
    interrupt_case(SIGSEGV);
    interrupt_case(SIGQUIT);
    interrupt_case(SIGBUS);
}

/* Where the filesystem refuses unnamed files, the named temporary file is removed on signals. */
Test(catalogue, without_unnamed_files_a_stopped_run_leaves_nothing)
{
    cr_assert_not_null(getenv("PROMSCORE_NO_TMPFILE"));
    static const int signals[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGSEGV, SIGBUS, SIGABRT};
    for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++)
        interrupt_case_on(signals[i], 0);
}

Test(cli_outputs, without_unnamed_files_outputs_are_still_whole_or_absent)
{
    const char *env[] = {NULL, NULL};
    cr_assert_geq(asprintf((char **)&env[0], "LD_PRELOAD=%s", getenv("PROMSCORE_NO_TMPFILE")), 0);
    char *batch = test_file("b.csv", HDR "P1,t,1,1,1,1,1,1,1\nP2,t,9,1,1,1,1,1,1\n", -1);
    char name[256];
    memset(name, 'n', 255);
    memcpy(name + 251, ".csv", 5);
    char *dir = temp_dir(), *out = in_dir(dir, name), *rejects = in_dir(dir, "r.csv");
    struct run_result r =
        run_promscore(&(struct run_how){.env = env},
                      (const char *const[]){"score", "-q", "-o", out, "--rejects", rejects, batch,
                                            NULL});
    cr_assert_eq(r.status, 1, "%s", r.err);
    cr_assert(strstr(test_slurp(out), "P1,t,swemwbs,raw,7,,7,ok\n"));
    cr_assert(strstr(test_slurp(rejects), "b.csv,3,P2,swemwbs_1,9,code out of range"));
    cr_assert_eq(count_entries(dir), 2);
    /* A failed write: the earlier rejects stay, no temporary file is left. */
    char *before = test_slurp(rejects);
    r = run_promscore(&(struct run_how){.env = env},
                      (const char *const[]){"score", "-q", "-o", "/dev/full", "--rejects", rejects,
                                            batch, NULL});
    cr_assert_eq(r.status, 3, "%s", r.err);
    cr_assert_str_eq(test_slurp(rejects), before);
    cr_assert_eq(count_entries(dir), 2);
}

/* ---- Progress: on a terminal only. ---- */

Test(cli, progress_on_a_terminal_and_not_otherwise)
{
    char *rows = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&rows, &size);
    fputs(HDR, f);
    for (int i = 0; i < 120000; i++)
        fprintf(f, "P%d,t,1,2,3,4,5,4,3\n", i);
    fclose(f);
    char *batch = test_file("big.csv", rows, -1), *dir = temp_dir(), *out = in_dir(dir, "s.csv");
    /* Not a terminal: no progress. */
    struct run_result r = RUN("score", "-o", out, batch);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_null(strchr(r.err, '\r'), "%s", r.err);
    if (system("command -v script >/dev/null 2>&1") != 0) {
        cr_log_warn("script(1) is not installed: the terminal case is not checked");
        return;
    }
    /* A terminal (script gives the command one): progress lines, if the run lasts long
     * enough for one, cleared before the summary (test_cli_tty has them exactly). */
    char *command;
    cr_assert_geq(asprintf(&command, "script -qec '%s score -o %s %s' /dev/null > %s/tty.txt 2>&1",
                           getenv("PROMSCORE_BIN"), out, batch, dir), 0);
    cr_assert_eq(system(command), 0);
    char *tty = in_dir(dir, "tty.txt");
    char *seen = test_slurp(tty);
    char *summary = strstr(seen, "promscore: ");
    cr_assert(summary && (summary = strstr(summary + 1, "promscore: ")), "%s", seen);
    cr_assert(strstr(summary, ": 120000 rows read, 120000 scored"), "%s", seen);
    char *line = strstr(seen, "\rscoring ");
    cr_assert(!line || strncmp(summary - 4, "\r\033[K", 4) == 0, "%s", seen);
    cr_assert(!line || strstr(line, "% ("), "%s", seen);
    unlink(tty);
}

/* ---- Free text: carried in row-level output, never in a report. ---- */

Test(cli_goals, goal_wording_is_kept_in_rows_and_refused_as_a_group)
{
    char *batch = test_file("goals.csv",
                            "participant_id,timepoint,goal1_rating,goal1_text\n"
                            "G1,baseline,2,\"Walk to the shops, with my daughter\"\n"
                            "G1,followup,6,\"Walk to the shops, with my daughter\"\n", -1);
    char *dir = temp_dir(), *scored = in_dir(dir, "s.csv");
    struct run_result r = RUN("score", "-q", "--keep", "goal1_text", "-o", scored, batch);
    cr_assert_leq(r.status, 1, "%s", r.err);
    cr_assert(strstr(test_slurp(scored), "\nG1,baseline,goals,goal1,2,,1,ok,\"Walk to the shops, with my daughter\"\n"),
              "%s", test_slurp(scored));
    r = RUN("report", "--by", "goal1_text", scored);
    cr_assert_eq(r.status, 2);
    cr_assert(strstr(r.err, "column 'goal1_text' is free text"), "%s", r.err);
    r = RUN("report", "--no-suppress", scored);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_null(strstr(r.out, "shops"), "the wording never reaches a report");
}

/* Scores at both ends of the largest range a definition may declare (1e9 in magnitude):
 * sums, squares, changes and effect sizes stay finite, and JSON has no inf or nan. */
Test(cli_report, json_at_the_limits_of_a_definition_has_only_finite_numbers)
{
    char *dir = temp_dir(), *def = in_dir(dir, "extreme.xml");
    FILE *f = fopen(def, "w");
    fputs("<?xml version=\"1.0\"?>\n"
          "<instrument xmlns=\"urn:promscore:instrument:1\" id=\"extreme\" version=\"1\" plugin=\"scale\">\n"
          "<title>X</title><notice>N</notice><sources><source id=\"s\">s</source></sources>\n"
          "<responses id=\"r\"><range min=\"-1e9\" max=\"1e9\"/></responses>\n"
          "<items responses=\"r\"><item id=\"1\" column=\"x1\" label=\"x\"/></items>\n"
          "<scale id=\"s\" method=\"sum\" items=\"1\" min=\"-1e9\" max=\"1e9\" precision=\"0\"/>\n"
          "<change scale=\"s\"><meaningful points=\"1e-9\" source=\"s\"/>"
          "<reliable sem=\"1e-9\" source=\"s\"/></change>\n"
          "</instrument>\n",
          f);
    fclose(f);
    char *env, *csv = strdup("participant_id,timepoint,x1\n");
    cr_assert_geq(asprintf(&env, "PROMSCORE_INSTRUMENT_PATH=%s", dir), 0);
    for (int i = 0; i < 40; i++) {
        char *more;
        cr_assert_geq(asprintf(&more, "%sP%02d,baseline,%s\nP%02d,followup,%s\n", csv, i,
                               i % 2 ? "1000000000" : "-1000000000", i,
                               i % 3 ? "-1000000000" : "1000000000"), 0);
        csv = more;
    }
    char *batch = test_file("x.csv", csv, -1), *scored = in_dir(dir, "s.csv");
    struct run_result r = run_promscore(&(struct run_how){.env = (const char *const[]){env, NULL}},
                                        (const char *const[]){"score", "-q", "-o", scored, batch,
                                                              NULL});
    cr_assert_eq(r.status, 0, "%s", r.err);
    r = run_promscore(&(struct run_how){.env = (const char *const[]){env, NULL}},
                      (const char *const[]){"report", "-q", "--no-suppress", "-f", "json", scored,
                                            NULL});
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strstr(r.out, "\"statistic\": \"mean_change\""), "%s", r.out);
    /* Outside strings, the only words are true, false and null. */
    for (const char *p = r.out; *p; p++) {
        if (*p == '"') {
            for (p++; *p && *p != '"'; p++)
                p += *p == '\\' && p[1];
        } else if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')) {
            size_t n = strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ");
            int ok = (n == 4 && (!strncmp(p, "true", 4) || !strncmp(p, "null", 4))) ||
                     (n == 5 && !strncmp(p, "false", 5)) ||
                     (n == 1 && *p == 'e' && p > r.out && p[-1] >= '0' && p[-1] <= '9');
            cr_assert(ok, "a bare word in JSON: %.20s", p);
            p += n - 1;
        }
    }
}

/* ---- The plugin template works as shipped. ---- */

Test(cli_template_plugin, the_template_definition_scores_with_its_plugin)
{
    char *def;
    cr_assert_geq(asprintf(&def, "%s/plugins/template/template.xml", getenv("PROMSCORE_SOURCE_DIR")), 0);
    struct run_result r = RUN("validate", def);
    cr_assert_eq(r.status, 0, "%s", r.err);
    char *env;
    cr_assert_geq(asprintf(&env, "PROMSCORE_INSTRUMENT_PATH=%s/plugins/template", getenv("PROMSCORE_SOURCE_DIR")), 0);
    char *batch = test_file("t.csv", "participant_id,timepoint,template_1,template_2\nT1,t0,1,3\nT2,t0,Agree,\n", -1);
    char *dir = temp_dir(), *scored = in_dir(dir, "s.csv");
    r = run_promscore(&(struct run_how){.env = (const char *const[]){env, NULL}},
                      (const char *const[]){"score", "-q", "-o", scored, batch, NULL});
    cr_assert_eq(r.status, 1, "T2's total is incomplete: %s", r.err);
    char *s = test_slurp(scored);
    cr_assert(strstr(s, "\nT1,t0,template,highest,3,,2,ok\n"), "%s", s);
    cr_assert(strstr(s, "\nT2,t0,template,highest,3,,1,ok\n"), "%s", s);
    cr_assert(strstr(s, "\nT2,t0,template,total,,,1,incomplete\n"), "%s", s);
}

/* A pool's ranks tell how many members have pairs: goal1 ranked 4th of 20 and 15 pairs with
 * goal3 and goal4 hidden, 8 between them, would put each in 1..7. Ranks go with a hidden
 * member count. */
Test(cli_report, pool_ranks_go_with_a_hidden_member_count)
{
    struct run_result r = RUN("report", "-q", "-i", "goals", "-f", "csv",
                          test_data("disclosure/pool-ranks.csv"));
    cr_assert(r.status == 0 || r.status == 1, "%s", r.err);
    cr_assert(strstr(r.out, ",n_paired:goal3,count,,yes,"), "%s", r.out);
    cr_assert_null(strstr(r.out, ",rank:goal1,figure,4,no,"), "%s", r.out);
    /* Every rank of the whole pool is hidden: each line ends "figure,,yes,...". */
    for (const char *p = r.out; (p = strstr(p, ",all,baseline->followup,rank:")); p++) {
        const char *end = strchr(p, '\n');
        const char *hidden = strstr(p, ",figure,,yes,");
        cr_assert(hidden && hidden < end, "%.*s", (int)(end - p), p);
    }
}

/* ---- Outputs: the same file under another name, failed runs, streams. ---- */

Test(cli_outputs, outputs_that_are_one_file_under_two_names_are_refused)
{
    char *batch = test_file("b.csv", HDR "P1,t,1,1,1,1,1,1,1\n", -1);
    char *dir = temp_dir();
    cr_assert_eq(chdir(dir), 0);
    /* Not yet created: the same directory and name. */
    struct run_result r = RUN("score", "-o", "s.csv", "--rejects", "./s.csv", batch);
    cr_assert_eq(r.status, 2, "%s", r.err);
    cr_assert(strstr(r.err, "score: --rejects ./s.csv is the same file as -o s.csv"), "%s", r.err);
    cr_assert_eq(count_entries(dir), 0);
    /* Existing: the same device and inode, here through a hard link. */
    FILE *f = fopen("s.csv", "w");
    fputs("previous\n", f);
    fclose(f);
    cr_assert_eq(link("s.csv", "t.csv"), 0);
    r = RUN("score", "-o", "s.csv", "--rejects", "t.csv", batch);
    cr_assert_eq(r.status, 2, "%s", r.err);
    cr_assert_str_eq(test_slurp("s.csv"), "previous\n");
    /* An input, the map or a calibration table under another name. */
    char *relative;
    cr_assert_geq(asprintf(&relative, "%s/../%s", dir, strrchr(dir, '/') + 1), 0);
    char *through = in_dir(relative, "s.csv");
    r = RUN("score", "-o", through, "s.csv");
    cr_assert_eq(r.status, 2, "%s", r.err);
    cr_assert(strstr(r.err, "is the same file as input s.csv"), "%s", r.err);
    r = RUN("score", "-o", "s.csv", "--map", "./t.csv", batch);
    cr_assert_eq(r.status, 2, "%s", r.err);
    cr_assert(strstr(r.err, "is the same file as --map ./t.csv"), "%s", r.err);
    r = RUN("report", "-o", "./s.csv", "s.csv");
    cr_assert_eq(r.status, 2, "%s", r.err);
    cr_assert(strstr(r.err, "report: -o ./s.csv is the same file as input s.csv"), "%s", r.err);
    cr_assert_str_eq(test_slurp("s.csv"), "previous\n");
    r = RUN("score", "-o", "-", "--rejects", "-", batch);
    cr_assert_eq(r.status, 2, "%s", r.err);
    cr_assert(strstr(r.err, "--rejects - is the same file as -o -"), "%s", r.err);
    /* Two streams are not files: both outputs to /dev/null is fine. */
    r = RUN("score", "-q", "-o", "/dev/null", "--rejects", "/dev/null", batch);
    cr_assert_eq(r.status, 0, "%s", r.err);
}

/* Rejects and scores are both complete before either is put in place. */
Test(cli_outputs, a_failed_write_leaves_every_existing_output_as_it_was)
{
    char *dir = temp_dir(), *rejects = in_dir(dir, "r.csv");
    FILE *f = fopen(rejects, "w");
    fputs("file,line,participant_id,column,value,reason\nold.csv,2,,,,kept\n", f);
    fclose(f);
    char *batch = test_file("b.csv", HDR "P1,t,1,1,1,1,1,1,1\nP2,t,1,1,9,1,1,1,1\n", -1);
    struct run_result r = RUN("score", "-o", "/dev/full", "--rejects", rejects, batch);
    cr_assert_eq(r.status, 3, "%s", r.err);
    cr_assert(strstr(r.err, "/dev/full: cannot write: No space left on device"), "%s", r.err);
    cr_assert_str_eq(test_slurp(rejects),
                     "file,line,participant_id,column,value,reason\nold.csv,2,,,,kept\n");
    cr_assert_eq(count_entries(dir), 1);
    /* pseudonymise the same. */
    char *key = test_key();
    char *in = test_file("in.csv", "nhs_number,x\n9434765919,1\nbad,2\n", -1);
    r = RUN("pseudonymise", "-k", key, "-c", "nhs_number", in, "-o", "/dev/full", "--rejects",
            rejects);
    cr_assert_eq(r.status, 3, "%s", r.err);
    cr_assert(strstr(r.err, "/dev/full: cannot write"), "%s", r.err);
    cr_assert_str_eq(test_slurp(rejects),
                     "file,line,participant_id,column,value,reason\nold.csv,2,,,,kept\n");
    cr_assert_eq(count_entries(dir), 1);
}

/* A batch of 'rows' rows, each scored twice. */
static char *large_batch(int rows)
{
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    fputs(HDR, f);
    for (int i = 0; i < rows; i++)
        fprintf(f, "P%d,t,1,2,3,4,5,%d,1\n", i, 1 + i % 5);
    fclose(f);
    char *batch = test_file("large.csv", text, (long)size);
    free(text);
    return batch;
}

/* A file-size limit (ulimit -f) fails the run with a message: no signal, no stray file. */
Test(cli_outputs, a_file_size_limit_fails_the_run_and_keeps_existing_outputs)
{
    char *batch = large_batch(40000);
    char *dir = temp_dir(), *out = in_dir(dir, "s.csv"), *rejects = in_dir(dir, "r.csv");
    char *log_dir = temp_dir(), *log = in_dir(log_dir, "stderr");
    for (const char *const *p = (const char *const[]){out, rejects, NULL}; *p; p++) {
        FILE *f = fopen(*p, "w");
        fputs("previous\n", f);
        fclose(f);
    }
    pid_t pid = fork();
    if (pid == 0) {
        struct rlimit limit = {64 * 1024, 64 * 1024};
        setrlimit(RLIMIT_FSIZE, &limit);
        int e = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        dup2(e, STDERR_FILENO);
        execl(getenv("PROMSCORE_BIN"), "promscore", "score", "-q", "-o", out, "--rejects",
              rejects, batch, (char *)NULL);
        _exit(127);
    }
    int status;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    char *err = test_slurp(log);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 3, "status %d: %s", status, err);
    cr_assert(strstr(err, "s.csv: cannot write: File too large"), "%s", err);
    cr_assert_str_eq(test_slurp(out), "previous\n");
    cr_assert_str_eq(test_slurp(rejects), "previous\n");
    cr_assert_eq(count_entries(dir), 2, "no temporary file left");
}

Test(cli_outputs, output_names_up_to_the_longest_a_directory_takes)
{
    char *batch = test_file("b.csv", HDR "P1,t,1,1,1,1,1,1,1\n", -1);
    char name[256];
    memset(name, 'n', 255);
    memcpy(name + 251, ".csv", 5);
    char *dir = temp_dir(), *out = in_dir(dir, name);
    struct run_result r = RUN("score", "-q", "-o", out, batch);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strstr(test_slurp(out), "P1,t,swemwbs,raw,7,,7,ok\n"));
    cr_assert_eq(count_entries(dir), 1);
}

/* /dev/stdout and a FIFO are written as streams, never replaced by a file. */
Test(cli_outputs, devices_and_fifos_are_written_in_place)
{
    char *batch = test_file("b.csv", HDR "P1,t,1,1,1,1,1,1,1\n", -1);
    /* "-o/dev/stdout" in one word: libtool's execute mode (under valgrind) would read a
     * file argument, and /dev/stdout is its own pipe. */
    struct run_result r = RUN("score", "-q", "-o/dev/stdout", batch);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strstr(r.out, "P1,t,swemwbs,raw,7,,7,ok\n"), "%s", r.out);
    struct stat st;
    cr_assert_eq(lstat("/dev/stdout", &st), 0);
    cr_assert(S_ISLNK(st.st_mode), "/dev/stdout is still the link it was");
    r = RUN("pseudonymise", "-k", test_key(), "-c", "nhs_number",
            test_file("in.csv", "nhs_number\n9434765919\n", -1), "-o", "-");
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strstr(r.out, pseudonym_9434765919), "%s", r.out);

    char *dir = temp_dir(), *fifo = in_dir(dir, "out.fifo");
    cr_assert_eq(mkfifo(fifo, 0600), 0);
    pid_t pid = fork();
    if (pid == 0) {
        int devnull = open("/dev/null", O_WRONLY);
        dup2(devnull, STDERR_FILENO);
        execl(getenv("PROMSCORE_BIN"), "promscore", "score", "-q", "-o", fifo, batch,
              (char *)NULL);
        _exit(127);
    }
    FILE *from = fopen(fifo, "r");
    cr_assert_not_null(from);
    char text[4096];
    size_t n = fread(text, 1, sizeof text - 1, from);
    text[n] = '\0';
    fclose(from);
    int status;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    cr_assert(strstr(text, "P1,t,swemwbs,raw,7,,7,ok\n"), "%s", text);
    cr_assert_eq(lstat(fifo, &st), 0);
    cr_assert(S_ISFIFO(st.st_mode), "the FIFO was not replaced");
    cr_assert_eq(count_entries(dir), 1);

    /* A socket can be neither written nor replaced: refused, and left as it was. */
    char *socket_path = in_dir(dir, "out.sock");
    int sock = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un address = {.sun_family = AF_UNIX};
    snprintf(address.sun_path, sizeof address.sun_path, "%s", socket_path);
    cr_assert_eq(bind(sock, (struct sockaddr *)&address, sizeof address), 0);
    r = RUN("score", "-q", "-o", socket_path, batch);
    cr_assert_eq(r.status, 3, "%s", r.err);
    cr_assert(strstr(r.err, "out.sock: cannot create"), "%s", r.err);
    cr_assert_eq(lstat(socket_path, &st), 0);
    cr_assert(S_ISSOCK(st.st_mode));
    close(sock);
}

/* ---- pseudonymise: never the key, never an identifier. ---- */

Test(cli_pseudonymise, an_output_naming_the_key_or_the_input_is_refused)
{
    char *key = test_key(), *before = test_slurp(key);
    char *in = test_file("in.csv", "nhs_number\n9434765919\n", -1);
    char *dir = temp_dir(), *out = in_dir(dir, "o.csv");
    struct run_result r = RUN("pseudonymise", "-k", key, "-c", "nhs_number", in, "-o", key);
    cr_assert_eq(r.status, 2, "%s", r.err);
    cr_assert(strstr(r.err, "is the same file as --key-file"), "%s", r.err);
    r = RUN("pseudonymise", "-k", key, "-c", "nhs_number", in, "-o", out, "--rejects", key);
    cr_assert_eq(r.status, 2, "%s", r.err);
    cr_assert(strstr(r.err, "--rejects"), "%s", r.err);
    cr_assert_eq(memcmp(test_slurp(key), before, 32), 0, "the key is intact");
    r = RUN("pseudonymise", "-k", key, "-c", "nhs_number", key, "-o", out);
    cr_assert_eq(r.status, 2, "%s", r.err);
    cr_assert(strstr(r.err, "is the key file"), "%s", r.err);
    r = RUN("pseudonymise", "-k", key, "-c", "nhs_number", in, "-o", out, "--rejects", out);
    cr_assert_eq(r.status, 2, "%s", r.err);
    cr_assert_eq(count_entries(dir), 0, "nothing written");
}

Test(cli_pseudonymise, an_uncreatable_output_is_named)
{
    char *in = test_file("in.csv", "nhs_number\n9434765919\n", -1);
    struct run_result r = RUN("pseudonymise", "-k", test_key(), "-c", "nhs_number", in, "-o",
                          "/nonexistent/x.csv");
    cr_assert_eq(r.status, 3, "%s", r.err);
    cr_assert(strstr(r.err, "/nonexistent/x.csv: cannot create: No such file or directory"),
              "%s", r.err);
    char *dir = temp_dir();
    r = RUN("pseudonymise", "-k", test_key(), "-c", "nhs_number", in, "-o", in_dir(dir, "o.csv"),
            "--rejects", "/nonexistent/r.csv");
    cr_assert_eq(r.status, 3, "%s", r.err);
    cr_assert(strstr(r.err, "/nonexistent/r.csv: cannot create"), "%s", r.err);
    cr_assert_eq(count_entries(dir), 0);
}

Test(cli_pseudonymise, dropped_columns_never_reach_the_output)
{
    char *in = test_file("in.csv",
                         "nhs_number,Name,site,comments,wemwbs_1\n"
                         "9434765919,Ann Smith,Dalston,\"lives at 3 High St\",3\n",
                         -1);
    char *dir = temp_dir(), *out = in_dir(dir, "o.csv");
    struct run_result r = RUN("pseudonymise", "-k", test_key(), "-c", "nhs_number", "--drop",
                          "name,Comments", in, "-o", out);
    cr_assert_eq(r.status, 0, "%s", r.err);
    char *expected;
    cr_assert_geq(asprintf(&expected, "nhs_number,site,wemwbs_1\n%s,Dalston,3\n",
                           pseudonym_9434765919), 0);
    cr_assert_str_eq(test_slurp(out), expected);
    /* A column the header does not have: an error, nothing written. */
    r = RUN("pseudonymise", "-k", test_key(), "-c", "nhs_number", "--drop", "surname", in, "-o",
            out);
    cr_assert_eq(r.status, 3, "%s", r.err);
    cr_assert(strstr(r.err, "in.csv:1: no column 'surname' to drop in the header"), "%s", r.err);
    cr_assert_str_eq(test_slurp(out), expected, "the earlier output is as it was");
    /* The identifier is replaced, never dropped. */
    r = RUN("pseudonymise", "-k", test_key(), "-c", "nhs_number", "--drop", "NHS_Number", in, "-o",
            out);
    cr_assert_eq(r.status, 2, "%s", r.err);
    cr_assert(strstr(r.err, "would drop the identifier column"), "%s", r.err);
    cr_assert_eq(count_entries(dir), 1);
}

/* ---- What score writes, report reads back. ---- */

Test(cli_report, a_timepoint_that_looks_like_a_formula_reads_back_as_written)
{
    char *batch = test_file("b.csv",
                            "participant_id,timepoint,swemwbs_1,swemwbs_2,swemwbs_3,swemwbs_4,"
                            "swemwbs_5,swemwbs_6,swemwbs_7\n"
                            "=P1,baseline,1,1,1,1,1,1,1\n=P1,+6m,2,2,2,2,2,2,2\n"
                            "-P2,baseline,1,1,1,1,1,1,1\n-P2,+6m,2,2,2,2,2,2,2\n",
                            -1);
    char *dir = temp_dir(), *scored = in_dir(dir, "s.csv");
    struct run_result r = RUN("score", "-q", "-o", scored, batch);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strstr(test_slurp(scored), "\"'=P1\",\"'+6m\","), "guarded in the file");
    r = RUN("report", "--no-suppress", "-f", "csv", "--timepoints", "+6m", scored);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strstr(r.out, "swemwbs,metric,all,baseline->+6m,n_paired,count,2,no,\n"), "%s",
              r.out);
}

/* Every text column score writes (ids, timepoints, kept columns) reads back as the batch had it. */
static const char *const tricky[] = {
    "plain", "a,b", "say \"hi\"", "=1+2", "+6m", "-P2", "@SUM(A1)", "two\nlines", "crlf\r\nx",
    "caf\xc3\xa9 \xe6\xbc\xa2\xe5\xad\x97", "'=x", "''+y", "'", "-5", "inner  space", "=", "x\ty",
};
enum { N_TRICKY = sizeof tricky / sizeof tricky[0] };

struct tricky_seen {
    size_t n;
};

static int check_tricky(const ps_score_t *s, void *user)
{
    struct tricky_seen *seen = user;
    size_t i = seen->n++ / 2; /* two scales per row */
    char id[64];
    snprintf(id, sizeof id, "%s#%zu", tricky[i], i);
    cr_assert_str_eq(s->participant_id, id);
    cr_assert_str_eq(s->timepoint, tricky[(i + 1) % N_TRICKY]);
    cr_assert_str_eq(s->kept[0], tricky[(i + 2) % N_TRICKY]);
    cr_assert_str_eq(s->kept[1], tricky[(i + 3) % N_TRICKY]);
    return 0;
}

static void quoted(FILE *f, const char *text)
{
    fputc('"', f);
    for (; *text; text++) {
        if (*text == '"')
            fputc('"', f);
        fputc(*text, f);
    }
    fputc('"', f);
}

Test(cli_report, every_text_column_of_a_scored_csv_reads_back_as_written)
{
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    fputs("participant_id,timepoint,note,\"=site \"\"quoted\"\"\",swemwbs_1,swemwbs_2,swemwbs_3,"
          "swemwbs_4,swemwbs_5,swemwbs_6,swemwbs_7\n", f);
    for (size_t i = 0; i < N_TRICKY; i++) {
        char id[64];
        snprintf(id, sizeof id, "%s#%zu", tricky[i], i);
        quoted(f, id);
        for (size_t k = 1; k <= 3; k++) {
            fputc(',', f);
            quoted(f, tricky[(i + k) % N_TRICKY]);
        }
        fputs(",1,2,3,4,5,4,3\n", f);
    }
    fclose(f);
    char *batch = test_file("tricky.csv", text, (long)size);
    char *dir = temp_dir(), *scored = in_dir(dir, "s.csv");
    struct run_result r = RUN("score", "-q", "--keep", "note,=site \"quoted\"", "-o", scored, batch);
    cr_assert_eq(r.status, 0, "%s", r.err);
    struct capture capture = {0};
    ps_context_t *context = test_context(&capture);
    const char *by[] = {"note", "=site \"quoted\""};
    struct tricky_seen seen = {0};
    cr_assert_eq(ps_scored_read(context, scored, by, 2, check_tricky, &seen), PS_OK, "%s",
                 capture.n_diagnostics ? capture.diagnostics[0].message : "");
    cr_assert_eq(seen.n, 2 * N_TRICKY);
    ps_context_free(context);
}

/* ---- Encodings and delimiters other than UTF-8 and ','. ---- */

Test(catalogue, encodings_and_delimiters)
{
    char *dir = temp_dir(), *out = in_dir(dir, "s.csv");
    char *cp1252 = test_file("cp1252.csv", "participant_id,timepoint,site,swemwbs_1,swemwbs_2,"
                                           "swemwbs_3,swemwbs_4,swemwbs_5,swemwbs_6,swemwbs_7\n"
                                           "P1,t,Caf\xe9,1,1,1,1,1,1,1\n", -1);
    struct run_result r = RUN("score", "-q", "--encoding", "windows-1252", "--keep", "site", "-o", out,
                          cp1252);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strstr(test_slurp(out), ",Caf\xc3\xa9\n"), "%s", test_slurp(out));
    r = RUN("score", "-q", "--encoding", "klingon", "-o", out, cp1252);
    cr_assert_eq(r.status, 2, "%s", r.err);
    cr_assert(strstr(r.err, "unknown encoding 'klingon'"), "%s", r.err);

    char *semi = test_file("semi.csv", "participant_id;timepoint;swemwbs_1;swemwbs_2;swemwbs_3;"
                                       "swemwbs_4;swemwbs_5;swemwbs_6;swemwbs_7\n"
                                       "P1;t;1;1;1;1;1;1;1\n", -1);
    r = RUN("score", "-q", "-o", out, semi);
    cr_assert_eq(r.status, 3);
    cr_assert(strstr(r.err, "semi.csv:1: the header is one column holding ';'") &&
                  strstr(r.err, "give --delimiter ';'"), "%s", r.err);
    r = RUN("score", "-q", "--delimiter", ";", "-o", out, semi);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_eq(count_lines(test_slurp(out)), 3);
    cr_assert_eq(RUN("score", "-q", "--delimiter", ";;", "-o", out, semi).status, 2);

    static const char utf16[] = "\xFF\xFEp\0,\0t\0\n\0";
    char *wide = test_file("wide.csv", utf16, sizeof utf16 - 1);
    r = RUN("score", "-q", "-o", out, wide);
    cr_assert_eq(r.status, 3);
    cr_assert(strstr(r.err, "wide.csv:1: the file is UTF-16 text") &&
                  strstr(r.err, "give --encoding utf-16"), "%s", r.err);
}

/* ---- Signals across the whole run, and outputs only ever written in place. ---- */

/*
 * Starts promscore with 'args', standard error to 'log', the libraries 'preload'
 * (space-separated, or NULL) preloaded, 'extra' ("NAME=value", or NULL) in its
 * environment and, when 'fd_file' is given, that file open for appending as
 * descriptor 'fd'. Returns the process id: the process is promscore itself.
 */
static pid_t spawn(const char *preload, const char *extra, int fd, const char *fd_file,
                   const char *log, const char *const *args)
{
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid)
        return pid;
    struct rlimit no_core = {0, 0};
    setrlimit(RLIMIT_CORE, &no_core);
    test_default_signals();
    int e = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(e, STDERR_FILENO);
    if (fd_file) {
        int f = open(fd_file, O_WRONLY | O_APPEND); /* no O_CLOEXEC: promscore is started with it */
        if (f < 0 || dup2(f, fd) < 0)
            _exit(126);
    }
    if (extra)
        putenv((char *)extra);
    const char *argv[48];
    size_t n = 0;
    char *set_preload = NULL;
    if (preload && asprintf(&set_preload, "LD_PRELOAD=%s", preload) > 0) {
        /* libtool and env exec in turn: the process signalled is promscore. */
        argv[n++] = getenv("PROMSCORE_LIBTOOL");
        argv[n++] = "--mode=execute";
        argv[n++] = "env";
        argv[n++] = set_preload;
    }
    argv[n++] = getenv("PROMSCORE_BIN");
    for (size_t i = 0; args[i] && n < 47; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    execv(argv[0], (char *const *)argv);
    _exit(127);
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
}

/* Where the filesystem refuses unnamed files, every fatal signal that can be caught removes the temporary file. */
Test(catalogue, without_unnamed_files_every_fatal_signal_leaves_nothing)
{
    cr_assert_not_null(getenv("PROMSCORE_NO_TMPFILE"));
    const int signals[] = {SIGUSR1, SIGUSR2, SIGALRM, SIGVTALRM, SIGPROF, SIGPIPE, SIGXCPU,
                           SIGSYS,  SIGTRAP, SIGFPE,  SIGILL,    SIGRTMIN, SIGRTMAX};
    for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++)
        interrupt_case_on(signals[i], 0);
}

/* A run killed while it writes a large batch leaves no file, hidden ones included. */
Test(cli_outputs, a_signal_while_a_large_batch_is_written_leaves_no_file)
{
    char *batch = large_batch(600000);
    const int signals[] = {SIGUSR1, SIGALRM, SIGTERM};
    for (size_t k = 0; k < sizeof signals / sizeof signals[0]; k++) {
        char *dir = temp_dir(), *out = in_dir(dir, "s.csv"), *rejects = in_dir(dir, "r.csv");
        char *log_dir = temp_dir(), *log = in_dir(log_dir, "stderr");
        write_text(out, "previous\n");
        write_text(rejects, "previous\n");
        pid_t pid = spawn(getenv("PROMSCORE_NO_TMPFILE"), NULL, -1, NULL, log,
                          (const char *const[]){"score", "-q", "-o", out, "--rejects", rejects,
                                                batch, NULL});
        /* Wait until the hidden temporary files are there and rows are being written. */
        int writing = 0;
        for (int i = 0; i < 20000 && !writing; i++) {
            DIR *d = opendir(dir);
            for (struct dirent *e; d && (e = readdir(d));) {
                struct stat st;
                char *path = in_dir(dir, e->d_name);
                if (strncmp(e->d_name, ".promscore-", 11) == 0 && stat(path, &st) == 0 &&
                    st.st_size > 0)
                    writing = 1;
                free(path);
            }
            closedir(d);
            if (!writing)
                usleep(500);
        }
        cr_assert(writing, "no temporary file was written");
        kill(pid, signals[k]);
        int status;
        cr_assert_eq(waitpid(pid, &status, 0), pid);
        cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == signals[k],
                  "signal %d: status %d (the run ended before the signal?)", signals[k], status);
        cr_assert_eq(count_entries(dir), 2, "signal %d: a temporary file was left", signals[k]);
        cr_assert_str_eq(test_slurp(out), "previous\n");
        cr_assert_str_eq(test_slurp(rejects), "previous\n");
    }
}

/*
 * A signal that arrives between putting one output in place and the next waits
 * until all are in place: outputs are all old or all new, never mixed.
 */
Test(cli_outputs, a_signal_between_two_renames_waits_until_every_output_is_in_place)
{
    cr_assert_not_null(getenv("PROMSCORE_SIGNAL_IN_RENAME"));
    char *batch = test_file("b.csv", HDR "P1,t,1,1,1,1,1,1,1\nP2,t,9,1,1,1,1,1,1\n", -1);
    char *both;
    cr_assert_geq(asprintf(&both, "%s %s", getenv("PROMSCORE_SIGNAL_IN_RENAME"),
                           getenv("PROMSCORE_NO_TMPFILE")), 0);
    const char *preloads[] = {getenv("PROMSCORE_SIGNAL_IN_RENAME"), both};
    const int signals[] = {SIGTERM, SIGINT, SIGHUP, SIGPIPE, SIGUSR1, SIGALRM};
    for (size_t p = 0; p < 2; p++)
        for (size_t k = 0; k < sizeof signals / sizeof signals[0]; k++) {
            char *dir = temp_dir(), *out = in_dir(dir, "s.csv"), *rejects = in_dir(dir, "r.csv");
            char *log_dir = temp_dir(), *log = in_dir(log_dir, "stderr");
            char *raise_env;
            cr_assert_geq(asprintf(&raise_env, "PROMSCORE_RAISE=%d", signals[k]), 0);
            write_text(out, "previous\n");
            write_text(rejects, "previous\n");
            pid_t pid = spawn(preloads[p], raise_env, -1, NULL, log,
                              (const char *const[]){"score", "-q", "-o", out, "--rejects",
                                                    rejects, batch, NULL});
            int status;
            cr_assert_eq(waitpid(pid, &status, 0), pid);
            cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == signals[k],
                      "signal %d: status %d: %s", signals[k], status, test_slurp(log));
            char *s = test_slurp(out), *r = test_slurp(rejects);
            int s_new = strstr(s, "P1,t,swemwbs,raw,7,,7,ok\n") != NULL;
            int r_new = strstr(r, "code out of range") != NULL;
            cr_assert(s_new == r_new && (s_new || (strcmp(s, "previous\n") == 0 &&
                                                   strcmp(r, "previous\n") == 0)),
                      "signal %d, preload %zu: mixed outputs:\n%s\n%s", signals[k], p, s, r);
            cr_assert(s_new, "signal %d: the outputs were complete and are in place", signals[k]);
            cr_assert_eq(count_entries(dir), 2, "signal %d: a temporary file was left", signals[k]);
        }
}

/*
 * An output that leads to one of the run's descriptors (/proc/self/fd/N, or a
 * link to it, as /dev/stdout is) is written in place, through that descriptor:
 * the link stays a link and the file it reaches gets the rows. Nothing is ever
 * created or renamed in /proc. A descriptor the run was not started with is
 * refused, by name.
 */
Test(cli_outputs, outputs_through_proc_self_fd_are_written_in_place)
{
    char *batch = test_file("b.csv", HDR "P1,t,1,1,1,1,1,1,1\nP2,t,9,1,1,1,1,1,1\n", -1);
    char *dir = temp_dir(), *rows = in_dir(dir, "rows.csv"), *link = in_dir(dir, "out.csv");
    char *log_dir = temp_dir(), *log = in_dir(log_dir, "stderr");
    write_text(rows, "");
    cr_assert_eq(symlink("/proc/self/fd/7", link), 0);
    int status;
    pid_t pid = spawn(NULL, NULL, 7, rows, log,
                      (const char *const[]){"score", "-q", "-o", link, batch, NULL});
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 1, "status %d: %s", status,
              test_slurp(log));
    struct stat st;
    cr_assert_eq(lstat(link, &st), 0);
    cr_assert(S_ISLNK(st.st_mode), "the link was replaced by a file");
    cr_assert(strstr(test_slurp(rows), "P1,t,swemwbs,raw,7,,7,ok\n"), "%s", test_slurp(rows));
    cr_assert_eq(count_entries(dir), 2);

    /* /proc/self/fd/N itself, the rejects this time: written where descriptor 9 goes. */
    char *rejects = in_dir(dir, "rejects.csv"), *scored = in_dir(dir, "s.csv");
    write_text(rejects, "");
    pid = spawn(NULL, NULL, 9, rejects, log,
                (const char *const[]){"score", "-q", "-o", scored, "--rejects", "/proc/self/fd/9",
                                      batch, NULL});
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 1, "status %d: %s", status,
              test_slurp(log));
    cr_assert(strstr(test_slurp(rejects), "code out of range"), "%s", test_slurp(rejects));
    cr_assert(strstr(test_slurp(scored), "P1,t,swemwbs,raw,7,,7,ok\n"));

    /* A closed descriptor: refused with the output's name, the link left as it was. */
    char *closed = in_dir(dir, "closed.csv");
    cr_assert_eq(symlink("/proc/self/fd/250", closed), 0);
    size_t before = count_entries(dir);
    struct run_result r = RUN("score", "-q", "-o", closed, batch);
    cr_assert_eq(r.status, 3, "%s", r.err);
    cr_assert(strstr(r.err, "closed.csv: cannot create: Bad file descriptor"), "%s", r.err);
    cr_assert_eq(lstat(closed, &st), 0);
    cr_assert(S_ISLNK(st.st_mode), "the link was replaced by a file");
    cr_assert_eq(count_entries(dir), before);
    r = RUN("score", "-q", "-o", "/proc/self/fd/250", batch);
    cr_assert_eq(r.status, 3, "%s", r.err);
    cr_assert(strstr(r.err, "/proc/self/fd/250: cannot create: Bad file descriptor"), "%s", r.err);
}

/* A read-only output is replaced like any other, and gets the mode --mode gives. */
Test(cli_outputs, a_read_only_output_is_replaced_with_the_mode_asked_for)
{
    char *batch = test_file("b.csv", HDR "P1,t,1,1,1,1,1,1,1\n", -1);
    char *dir = temp_dir(), *out = in_dir(dir, "s.csv");
    write_text(out, "previous\n");
    cr_assert_eq(chmod(out, 0444), 0);
    struct run_result r = RUN("score", "-q", "-o", out, batch);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strstr(test_slurp(out), "P1,t,swemwbs,raw,7,,7,ok\n"));
    struct stat st;
    cr_assert_eq(stat(out, &st), 0);
    cr_assert_eq(st.st_mode & 07777, 0600);
    cr_assert_eq(chmod(out, 0444), 0);
    r = RUN("score", "-q", "--mode", "640", "-o", out, batch);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_eq(stat(out, &st), 0);
    cr_assert_eq(st.st_mode & 07777, 0640);
    cr_assert_eq(count_entries(dir), 1);
}
