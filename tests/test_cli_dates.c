/* SPDX-License-Identifier: GPL-3.0-or-later */
/* promscore score with timepoints from dates, end to end: formats, windows, batches, stdin. */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "helpers.h"

static size_t count_lines(const char *text)
{
    size_t n = 0;
    for (; text && *text; text++)
        n += *text == '\n';
    return n;
}

static size_t count_text(const char *text, const char *part)
{
    size_t n = 0;
    for (const char *p = text; (p = strstr(p, part)); p += strlen(part))
        n++;
    return n;
}

/* The scored rows of an ISO batch, each participant's total and SWEMWBS. */
static const char iso_without_windows[] =
    "participant_id,timepoint,instrument,scale,score,band,answered,status,date,site\n"
    "P01,baseline,wemwbs,total,40,probable depression (screening),14,ok,2025-01-06,Hackney\n"
    "P01,baseline,wemwbs,swemwbs,15.32,,7,ok,2025-01-06,Hackney\n"
    "P01,followup,wemwbs,total,43,possible depression (screening),14,ok,2025-09-03,Hackney\n"
    "P01,followup,wemwbs,swemwbs,20.73,,7,ok,2025-09-03,Hackney\n"
    "P02,baseline,wemwbs,total,42,possible depression (screening),14,ok,2025-01-06,Homerton\n"
    "P02,baseline,wemwbs,swemwbs,22.35,,7,ok,2025-01-06,Homerton\n"
    "P02,followup,wemwbs,total,44,possible depression (screening),14,ok,2025-05-16,Homerton\n"
    "P02,followup,wemwbs,swemwbs,19.25,,7,ok,2025-05-16,Homerton\n"
    "P03,baseline,wemwbs,total,43,possible depression (screening),14,ok,2025-01-09,Hackney\n"
    "P03,baseline,wemwbs,swemwbs,20.73,,7,ok,2025-01-09,Hackney\n"
    "P04,baseline,wemwbs,total,41,possible depression (screening),14,ok,2025-01-16,Homerton\n"
    "P04,baseline,wemwbs,swemwbs,19.98,,7,ok,2025-01-16,Homerton\n"
    "P04,followup,wemwbs,total,40,probable depression (screening),14,ok,2025-09-13,Homerton\n"
    "P04,followup,wemwbs,swemwbs,15.32,,7,ok,2025-09-13,Homerton\n"
    "P05,baseline,wemwbs,total,43,possible depression (screening),14,ok,2025-01-07,Hackney\n"
    "P05,baseline,wemwbs,swemwbs,20.73,,7,ok,2025-01-07,Hackney\n"
    "P05,followup,wemwbs,total,42,possible depression (screening),14,ok,2025-04-11,Hackney\n"
    "P05,followup,wemwbs,swemwbs,22.35,,7,ok,2025-04-11,Hackney\n";

Test(cli_dates, iso_dates_give_baseline_and_follow_up_and_refuse_the_rest_with_reasons)
{
    char *batch = test_data("dates/iso.csv");
    char *rejects = test_path("rejects.csv");
    struct run_result r = RUN("score", "-q", "-i", "wemwbs", "--date-column", "date", "-k", "site",
                          "-o", "-", "--rejects", rejects, batch);
    cr_assert_eq(r.status, 1, "%s", r.err);
    cr_assert_str_eq(r.out, iso_without_windows);
    char *got = test_slurp(rejects);
    char *expected;
    cr_assert_geq(
        asprintf(&expected,
                 "file,line,participant_id,column,value,reason\n"
                 "%s,3,P01,,,\"between baseline and follow-up: 120 days after baseline "
                 "(2025-01-06), 120 before follow-up (2025-09-03); give --window to score "
                 "assessments between them\"\n"
                 "%s,6,P02,,,\"between baseline and follow-up: 45 days after baseline "
                 "(2025-01-06), 85 before follow-up (2025-05-16); give --window to score "
                 "assessments between them\"\n"
                 "%s,7,P02,,,\"between baseline and follow-up: 100 days after baseline "
                 "(2025-01-06), 30 before follow-up (2025-05-16); give --window to score "
                 "assessments between them\"\n"
                 "%s,10,P04,date,2025-02-30,not a real date (read as %%Y-%%m-%%d): February "
                 "2025 has 28 days\n"
                 "%s,13,P05,date,03/06/2025,\"not an ISO 8601 date (%%Y-%%m-%%d), and its day "
                 "and month could be either way round: give --date-format '%%d/%%m/%%Y' (day "
                 "first, as in the UK) or '%%m/%%d/%%Y' (month first)\"\n"
                 "%s,16,P01,,,duplicate: participant 'P01' at timepoint 'baseline' already has "
                 "wemwbs on line 2\n",
                 batch, batch, batch, batch, batch, batch),
        0);
    cr_assert_str_eq(got, expected);
    free(got);
    free(expected);
    run_result_free(&r);
    free(batch);
    free(rejects);
}

Test(cli_dates, windows_name_the_timepoints_and_refuse_outside_and_second_assessments)
{
    char *batch = test_data("dates/iso.csv");
    struct run_result r = RUN("score", "-i", "wemwbs", "--date-column", "date", "--window",
                          "month4=90-150", "--window", "month8=210-270", "-o", "-", batch);
    cr_assert_eq(r.status, 1, "%s", r.err);
    cr_assert(strstr(r.out, "P01,month4,wemwbs,total,44,possible depression (screening),14,ok,"
                            "2025-05-06\n"));
    cr_assert(strstr(r.out, "P01,month8,wemwbs,total,43,possible depression (screening),14,ok,"
                            "2025-09-03\n"));
    cr_assert(strstr(r.out, "P02,month4,wemwbs,total,40,probable depression (screening),14,ok,"
                            "2025-04-16\n"));
    cr_assert(strstr(r.out, "P04,month8,wemwbs,total,40,probable depression (screening),14,ok,"
                            "2025-09-13\n"));
    cr_assert(strstr(r.out, "P05,month4,wemwbs,total,42,possible depression (screening),14,ok,"
                            "2025-04-11\n"));
    cr_assert_eq(count_lines(r.out), 1 + 2 * 10, "%s", r.out);
    cr_assert(strstr(r.err, "iso.csv:6: outside every window: 45 days after baseline "
                            "(2025-01-06) (windows: month4 90-150, month8 210-270)\n"),
              "%s", r.err);
    cr_assert(strstr(r.err, "iso.csv:8: second assessment in window month4: line 7 already has "
                            "it\n"),
              "%s", r.err);
    cr_assert(strstr(r.err, "15 rows read, 10 scored, 5 rejected; 20 scores ok"), "%s", r.err);
    run_result_free(&r);
    free(batch);
}

Test(cli_dates, a_follow_up_batch_given_first_still_meets_its_baseline_in_uk_dates)
{
    char *followup = test_data("dates/uk-followup.csv");
    char *baseline = test_data("dates/uk-baseline.csv");
    struct run_result r = RUN("score", "--date-column", "date", "--date-format", "%d/%m/%Y", "-o",
                          "-", followup, baseline);
    cr_assert_eq(r.status, 1, "%s", r.err);
    cr_assert_str_eq(
        r.out,
        "participant_id,timepoint,instrument,scale,score,band,answered,status,date\n"
        "A01,followup,wemwbs,total,44,possible depression (screening),14,ok,2025-06-05\n"
        "A01,followup,wemwbs,swemwbs,19.25,,7,ok,2025-06-05\n"
        "A02,followup,wemwbs,total,43,possible depression (screening),14,ok,2025-06-10\n"
        "A02,followup,wemwbs,swemwbs,20.73,,7,ok,2025-06-10\n"
        "A03,baseline,wemwbs,total,42,possible depression (screening),14,ok,2025-05-14\n"
        "A03,baseline,wemwbs,swemwbs,22.35,,7,ok,2025-05-14\n"
        "A01,baseline,wemwbs,total,40,probable depression (screening),14,ok,2025-02-05\n"
        "A01,baseline,wemwbs,swemwbs,15.32,,7,ok,2025-02-05\n"
        "A02,baseline,wemwbs,total,41,possible depression (screening),14,ok,2025-02-10\n"
        "A02,baseline,wemwbs,swemwbs,19.98,,7,ok,2025-02-10\n"
        "A04,baseline,wemwbs,total,40,probable depression (screening),14,ok,2025-03-01\n"
        "A04,baseline,wemwbs,swemwbs,15.32,,7,ok,2025-03-01\n");
    cr_assert(strstr(r.err, "uk-baseline.csv:5:2: column date, value \"2025-03-01\": not a date "
                            "written %d/%m/%Y\n"),
              "%s", r.err);
    cr_assert(strstr(r.err, "uk-baseline.csv:6:2: column date, value \"1/3/25\": the year has "
                            "fewer than four digits (read as %d/%m/%Y): the century would be "
                            "guessed\n"),
              "%s", r.err);
    run_result_free(&r);
    free(followup);
    free(baseline);
}

Test(cli_dates, a_windows_1252_export_with_uk_dates_and_question_headers)
{
    char *export = test_data("export/wemwbs-export-cp1252.csv");
    char *map = test_data("dates/export-map.csv");
    struct run_result r = RUN("score", "-i", "wemwbs", "--encoding", "windows-1252", "--id-column",
                          "NHS Number", "--date-column", "Date of Completion", "--date-format",
                          "%d/%m/%Y", "-k", "Service \xe2\x80\x93 site", "-m", map, "-o", "-",
                          export);
    cr_assert_eq(r.status, 1, "%s", r.err);
    /* 20 rows: 19 scored (10 baselines, 9 follow-ups), the impossible date refused. */
    cr_assert_eq(count_lines(r.out), 1 + 2 * 19, "%s", r.out);
    cr_assert_eq(count_text(r.out, ",baseline,wemwbs,total,"), 10);
    cr_assert_eq(count_text(r.out, ",followup,wemwbs,total,"), 9);
    cr_assert(strstr(r.out, "999 748 5262,baseline,wemwbs,total,27,probable depression "
                            "(screening),14,ok,2025-02-03,Dudley North\n"));
    cr_assert(strstr(r.out, "999 748 5262,followup,wemwbs,total,40,probable depression "
                            "(screening),14,ok,2025-06-03,Dudley North\n"));
    /* Ida's only other date does not exist: her one assessment is a baseline. */
    cr_assert(strstr(r.out, "999 816 9690,baseline,wemwbs,total,28,"));
    cr_assert_null(strstr(r.out, "999 816 9690,followup"));
    cr_assert(strstr(r.err, "wemwbs-export-cp1252.csv:20:3: column Date of Completion, value "
                            "\"31/02/2025\": not a real date (read as %d/%m/%Y): February 2025 "
                            "has 28 days\n"),
              "%s", r.err);
    cr_assert(strstr(r.err, "20 rows read, 19 scored, 1 rejected"), "%s", r.err);
    run_result_free(&r);
    free(export);
    free(map);
}

Test(cli_dates, standard_input_from_a_pipe_or_a_file_scores_as_the_file_does)
{
    char *batch = test_data("dates/iso.csv");
    char *text = test_slurp(batch);
    cr_assert_not_null(text);
    const char *const args[] = {"score", "-q", "-i", "wemwbs", "--date-column", "date", "-k",
                                "site", "-o", "-", "-", NULL};
    struct run_result piped = run_promscore(&(struct run_how){.piped = text}, args);
    cr_assert_eq(piped.status, 1, "%s", piped.err);
    cr_assert_str_eq(piped.out, iso_without_windows);
    cr_assert(strstr(piped.err, "-:3: between baseline and follow-up"), "%s", piped.err);
    struct run_result redirected = run_promscore(&(struct run_how){.input = batch}, args);
    cr_assert_eq(redirected.status, 1, "%s", redirected.err);
    cr_assert_str_eq(redirected.out, iso_without_windows);
    cr_assert_str_eq(redirected.err, piped.err);
    run_result_free(&piped);
    run_result_free(&redirected);
    free(text);
    free(batch);
}

Test(cli_dates, a_named_pipe_cannot_be_read_twice_and_is_refused_without_waiting)
{
    char *fifo = test_path("batch.csv");
    cr_assert_eq(mkfifo(fifo, 0600), 0);
    struct run_result r = RUN("score", "--date-column", "date", "-o", "-", fifo);
    cr_assert_eq(r.status, 3, "%s", r.err);
    cr_assert_str_eq(r.out, "");
    cr_assert(strstr(r.err, "batch.csv: timepoints from dates read each batch twice (its dates "
                            "first, then its rows), and this is not a file, which can be read "
                            "only once: save it to a file\n"),
              "%s", r.err);
    unlink(fifo);
    free(fifo);
    run_result_free(&r);
}

Test(cli_dates, bad_date_options_are_usage_errors)
{
    char *batch = test_data("dates/iso.csv");
    static const struct {
        const char *args[6];
        const char *message;
    } cases[] = {
        {{"--date-column", "date", "--window", "month4"},
         "score: --window takes NAME=FROM-TO, days after baseline from 1 to 999999 such as "
         "month4=90-150, not 'month4'"},
        {{"--date-column", "date", "--window", "month4=-5-10"},
         "score: --window takes NAME=FROM-TO, days after baseline from 1 to 999999 such as "
         "month4=90-150, not 'month4=-5-10'"},
        {{"--date-column", "date", "--window", "a=90-150", "--window", "b=120-200"},
         "windows 'a' (90-150) and 'b' (120-200) overlap: each day after baseline must name "
         "one timepoint"},
        {{"--date-column", "date", "--window", "baseline=1-10"},
         "window 'baseline': the baseline is each participant's earliest assessment, not a "
         "window"},
        {{"--date-column", "date", "--window", "end=1-10"},
         "window 'end': reports name comparisons 'baseline->LABEL' and 'baseline->end', so a "
         "timepoint may not be 'end' or hold '->'"},
        {{"--date-column", "date", "--date-format", "%d/%m/%y"},
         "date format '%d/%m/%y' cannot read dates: %y reads a year of two digits, whose "
         "century would be guessed: write %Y"},
        {{"--window", "month4=90-150"}, "score: --window needs --date-column"},
        {{"--date-format", "%d/%m/%Y"}, "score: --date-format needs --date-column"},
        {{"--date-column", "date", "-t", "baseline"},
         "score: --date-column decides the timepoints: give it without --timepoint"},
        {{"--date-column", "date", "--window", "month4=90-150 month8=210-270"},
         "score: --window 'month4=90-150 month8=210-270' holds white space: it takes one "
         "window, NAME=FROM-TO without spaces; give each window its own --window"},
        {{"--date-column", "date", "--window", "baseline =1-300"},
         "score: --window 'baseline =1-300' holds white space: it takes one window, "
         "NAME=FROM-TO without spaces; give each window its own --window"},
        {{"--date-column", "date", "--window", "Baseline=1-300"},
         "window 'Baseline': the baseline is each participant's earliest assessment, not a "
         "window"},
        {{"--date-column", "date", "--window", "a=1-1000000"},
         "window 'a' ends at day 1000000, past the last day a window may reach, 999999 days "
         "after baseline"},
        {{"--date-column", "date", "--window", "a=1-10000000000"},
         "score: --window takes NAME=FROM-TO, days after baseline from 1 to 999999 such as "
         "month4=90-150, not 'a=1-10000000000'"},
        {{"--date-column", "date", "--window", "a.b=1-10"},
         "window 'a.b': a window's name starts with a letter or digit and holds only letters, "
         "digits, '_' and '-'"},
        /* A name starting with '-' would be written guarded against formulas ('-m4). */
        {{"--date-column", "date", "--window", "-m4=90-150"},
         "window '-m4': a window's name starts with a letter or digit and holds only letters, "
         "digits, '_' and '-'"},
        {{"--date-column", "date", "--window", "_m4=90-150"},
         "window '_m4': a window's name starts with a letter or digit and holds only letters, "
         "digits, '_' and '-'"},
        {{"--date-column", "date", "--date-format", "%Y-%m-%d %Y"},
         "date format '%Y-%m-%d %Y' cannot read dates: it reads the year twice (%Y and %Y): "
         "the second would replace the first"},
        {{"--date-column", "date", "--date-format", "%d/%m/%Y %e"},
         "date format '%d/%m/%Y %e' cannot read dates: it reads the day twice (%d and %e): "
         "the second would replace the first"},
        {{"--date-column", "date", "--date-format", "%d %b %Y %m"},
         "date format '%d %b %Y %m' cannot read dates: it reads the month twice (%b and %m): "
         "the second would replace the first"},
        {{"--date-column", "date", "--date-range", "2025-02-29,"},
         "the range of dates accepted, 2025-02-29 to today, cannot be used: '2025-02-29' is "
         "not a real date: February 2025 has 28 days"},
        {{"--date-column", "date", "--date-range", "2020-01-01,2024-13-01"},
         "the range of dates accepted, 2020-01-01 to 2024-13-01, cannot be used: '2024-13-01' "
         "is not a real date: a month is 01 to 12"},
        {{"--date-column", "date", "--date-range", "2025-01-01"},
         "score: --date-range takes FROM,TO, dates written YYYY-MM-DD such as "
         "2020-01-01,2025-12-31 (either may be left out for its default), not '2025-01-01'"},
        {{"--date-column", "date", "--date-range", "2025-12-31,2025-01-01"},
         "the range of dates accepted, 2025-12-31 to 2025-01-01, cannot be used: it ends "
         "before it starts"},
        {{"--date-column", "date", "--date-range", "01/01/2020,"},
         "the range of dates accepted, 01/01/2020 to today, cannot be used: '01/01/2020' is "
         "not a date written YYYY-MM-DD"},
        {{"--date-range", "2020-01-01,2025-12-31"}, "score: --date-range needs --date-column"},
        {{"--date-column", "date", "-k", "DATE"},
         "kept column 'DATE' would have the name of the scored CSV's own column 'date': a "
         "scored CSV names each column once"},
        {{"-t", "baseline", "-k", "site,Site"},
         "column 'Site' is kept twice ('site' and 'Site'): a scored CSV names each column once"},
        {{"--long", "pid,pid,item,value"},
         "the id column 'pid' and the date column 'pid' are one column: each is a column of "
         "its own"},
        {{"--long", "pid,date,item,ITEM"},
         "the item column 'item' and the value column 'ITEM' are one column: each is a column "
         "of its own"},
        {{"--date-column", "date", "--delimiter", "-"},
         "the delimiter '-' cannot be used: it is written inside numbers, dates and NHS numbers "
         "(943-476-5919), which it would split across cells; a delimiter is ',', ';', '|', ':', "
         "a tab or other punctuation"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        const char *args[16] = {"score", "-o", "/dev/null"};
        size_t n = 3;
        for (size_t a = 0; a < 6 && cases[c].args[a]; a++)
            args[n++] = cases[c].args[a];
        args[n++] = batch;
        struct run_result r = run_promscore(NULL, args);
        cr_assert_eq(r.status, 2, "case %zu: %s", c, r.err);
        char *expected;
        cr_assert_geq(asprintf(&expected, "promscore: %s\n", cases[c].message), 0);
        cr_assert_str_eq(r.err, expected, "case %zu", c);
        free(expected);
        run_result_free(&r);
    }
    free(batch);
}

static int starts_with(const char *text, const char *start)
{
    return strncmp(text, start, strlen(start)) == 0;
}

/* The scored CSV without its date column (the fixtures' cells hold no commas). */
static char *without_date_column(const char *scored)
{
    char *copy = strdup(scored), *out = calloc(1, strlen(scored) + 1);
    cr_assert(copy && out);
    char *save = NULL;
    for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        int field = 0;
        for (char *c = line; *c; c++) {
            field += *c == ',';
            if (field != 8)
                strncat(out, c, 1);
        }
        strcat(out, "\n");
    }
    free(copy);
    return out;
}

Test(cli_dates, report_reads_scored_files_with_or_without_the_date_column)
{
    char *followup = test_data("dates/uk-followup.csv");
    char *baseline = test_data("dates/uk-baseline.csv");
    char *scored = test_path("scored.csv");
    struct run_result s = RUN("score", "-q", "--date-column", "date", "--date-format", "%d/%m/%Y",
                          "-o", scored, followup, baseline);
    cr_assert_eq(s.status, 1, "%s", s.err);
    char *text = test_slurp(scored);
    cr_assert(starts_with(text, "participant_id,timepoint,instrument,scale,score,band,answered,"
                                "status,date\n"));
    char *plain = without_date_column(text);
    cr_assert(starts_with(plain, "participant_id,timepoint,instrument,scale,score,band,answered,"
                                 "status\nA01,followup,wemwbs,total,44,"),
              "%s", plain);
    char *undated = test_file("undated.csv", plain, -1);
    struct run_result dated = RUN("report", "-f", "csv", "--no-suppress", scored);
    struct run_result other = RUN("report", "-f", "csv", "--no-suppress", undated);
    cr_assert_eq(dated.status, 0, "%s", dated.err);
    cr_assert_eq(other.status, 0, "%s", other.err);
    cr_assert_str_eq(dated.out, other.out);
    /* A01 and A02 have both; A03 and A04 a baseline alone. */
    cr_assert(strstr(dated.out, "wemwbs,total,all,baseline->followup,n_baseline,count,4,no,\n"));
    cr_assert(strstr(dated.out, "wemwbs,total,all,baseline->followup,n_paired,count,2,no,\n"));
    cr_assert(strstr(dated.out, "wemwbs,total,all,baseline->followup,n_improved,count,1,no,\n"));
    run_result_free(&s);
    run_result_free(&dated);
    run_result_free(&other);
    free(text);
    free(plain);
    free(undated);
    free(scored);
    free(followup);
    free(baseline);
}

/* ---- Long exports. ---- */

static const char long_scored[] =
    "participant_id,timepoint,instrument,scale,score,band,answered,status,date,Site\n"
    "L01,baseline,wemwbs,total,40,probable depression (screening),14,ok,2025-02-03,North\n"
    "L01,baseline,wemwbs,swemwbs,15.32,,7,ok,2025-02-03,North\n"
    "L02,baseline,wemwbs,total,43,possible depression (screening),14,ok,2025-02-04,South\n"
    "L02,baseline,wemwbs,swemwbs,19.98,,7,ok,2025-02-04,South\n"
    "L01,followup,wemwbs,total,,,13,invalid_response,2025-06-03,North\n"
    "L01,followup,wemwbs,swemwbs,,,6,invalid_response,2025-06-03,North\n"
    "L02,baseline,ons4,satisfaction,7,high,1,ok,2025-06-04,South\n"
    "L02,baseline,ons4,worthwhile,8,high,1,ok,2025-06-04,South\n"
    "L02,baseline,ons4,happiness,,,0,incomplete,2025-06-04,South\n"
    "L02,baseline,ons4,anxiety,2,low,1,ok,2025-06-04,South\n";

Test(cli_long, every_row_of_a_long_export_is_used_or_refused_with_its_reason)
{
    char *export = test_data("dates/long.csv");
    char *rejects = test_path("rejects.csv");
    struct run_result r = RUN("score", "--long", "Patient ID,Date,Code,Value", "--date-format",
                          "%d/%m/%Y", "-k", "Site", "-o", "-", "--rejects", rejects, export);
    cr_assert_eq(r.status, 1, "%s", r.err);
    cr_assert_str_eq(r.out, long_scored);
    char *got = test_slurp(rejects);
    char *expected;
    cr_assert_geq(
        asprintf(&expected,
                 "file,line,participant_id,column,value,reason\n"
                 "%s,45,L01,Code,mood_today,\"unknown item: not an item column, alias or --map "
                 "header of any instrument\"\n"
                 "%s,46,,,,missing participant id\n"
                 "%s,47,L02,Date,31/02/2025,not a real date (read as %%d/%%m/%%Y): February "
                 "2025 has 28 days\n"
                 "%s,31,L02,Code,wemwbs_14,item wemwbs.14 answered twice in one assessment (one "
                 "participant on one date): line 30 already has it\n"
                 "%s,39,L01,Value,9,code out of range (codes are 1-5)\n"
                 "%s,50,L02,Site,West,column 'Site' differs within one assessment (one "
                 "participant on one date): line 48 has 'South'\n",
                 export, export, export, export, export, export),
        0);
    cr_assert_str_eq(got, expected);
    /*
     * Every input row used or refused: 50 rows, 5 refused, 45 in the assessments scored, of
     * which line 39 has its answer refused, as a wide row's answer would be.
     */
    char *input = test_slurp(export);
    cr_assert_eq(count_lines(input) - 1, 50);
    cr_assert_eq(count_lines(got) - 1, 6);
    cr_assert(strstr(r.err, "long.csv: 50 rows read, 45 scored, 5 rejected; 7 scores ok, 3 "
                            "not ok; 1 answers refused\n"),
              "%s", r.err);
    free(input);
    free(got);
    free(expected);
    run_result_free(&r);
    free(rejects);
    free(export);
}

Test(cli_long, a_long_export_on_a_pipe_scores_as_the_file_does)
{
    char *export = test_data("dates/long.csv");
    char *text = test_slurp(export);
    const char *const args[] = {"score", "-q", "--long", "Patient ID,Date,Code,Value",
                                "--date-format", "%d/%m/%Y", "-k", "Site", "-o", "-", "-",
                                NULL};
    struct run_result r = run_promscore(&(struct run_how){.piped = text}, args);
    cr_assert_eq(r.status, 1, "%s", r.err);
    cr_assert_str_eq(r.out, long_scored);
    cr_assert(strstr(r.err, "-:31:3: column Code, value \"wemwbs_14\": item wemwbs.14 answered "
                            "twice"),
              "%s", r.err);
    run_result_free(&r);
    free(text);
    free(export);
}

Test(cli_long, windows_and_a_timepoint_refused_refuse_every_row_of_the_assessment)
{
    char *export = test_data("dates/long.csv");
    /* L01's second assessment is 120 days after baseline: outside a window of 90-100. */
    struct run_result r = RUN("score", "-q", "-i", "wemwbs", "--long", "Patient ID,Date,Code,Value",
                          "--date-format", "%d/%m/%Y", "--window", "month3=90-100", "-o", "-",
                          export);
    cr_assert_eq(r.status, 1, "%s", r.err);
    cr_assert_null(strstr(r.out, "L01,month3"));
    /* Its 13 rows still used are refused, each at its own line; line 39's value already was. */
    cr_assert_eq(count_text(r.err, ": outside every window: 120 days after baseline (2025-02-03) "
                                   "(windows: month3 90-100)\n"),
                 13, "%s", r.err);
    cr_assert(strstr(r.err, "long.csv:18: outside every window"), "%s", r.err);
    cr_assert(strstr(r.err, "long.csv:43: outside every window"), "%s", r.err);
    cr_assert_null(strstr(r.err, "long.csv:39: outside every window"));
    run_result_free(&r);
    free(export);
}

Test(cli_long, a_long_file_without_long_says_so)
{
    char *export = test_data("dates/long.csv");
    struct run_result r = RUN("score", "-o", "-", export);
    cr_assert_eq(r.status, 3, "%s", r.err);
    cr_assert_str_eq(r.out, "");
    char *expected;
    cr_assert_geq(asprintf(&expected,
                           "promscore: %s:1: this looks like a long export (one row per answer): "
                           "give --long ID,DATE,ITEM,VALUE\npromscore: nothing written\n",
                           export),
                  0);
    cr_assert_str_eq(r.err, expected);
    free(expected);
    run_result_free(&r);
    struct run_result bad = RUN("score", "--long", "Patient ID,Date,Code", "-o", "-", export);
    cr_assert_eq(bad.status, 2);
    cr_assert_str_eq(bad.err, "promscore: score: --long takes the four columns of a long "
                              "export, ID,DATE,ITEM,VALUE, as its header names them\n");
    run_result_free(&bad);
    struct run_result both = RUN("score", "--long", "Patient ID,Date,Code,Value", "--date-column",
                             "Date", "-o", "-", export);
    cr_assert_eq(both.status, 2);
    cr_assert_str_eq(both.err, "promscore: score: --long names the id and date columns: give "
                               "it without --date-column\n");
    run_result_free(&both);
    free(export);
}

/* ---- Dates no assessment has. ---- */

#define WIDE_HEADER                                                                              \
    "participant_id,date,wemwbs_1,wemwbs_2,wemwbs_3,wemwbs_4,wemwbs_5,wemwbs_6,wemwbs_7,"     \
    "wemwbs_8,wemwbs_9,wemwbs_10,wemwbs_11,wemwbs_12,wemwbs_13,wemwbs_14\n"
#define WIDE_ITEMS ",1,2,3,4,5,1,2,3,4,5,1,2,3,4\n"

Test(cli_dates, placeholder_dates_are_refused_and_the_real_assessments_kept)
{
    char *batch = test_file("f2.csv",
                            WIDE_HEADER "S1,2025-02-03" WIDE_ITEMS "S1,2025-06-03" WIDE_ITEMS
                                        "S1,9999-12-31" WIDE_ITEMS "S2,1900-01-01" WIDE_ITEMS
                                        "S2,2025-02-03" WIDE_ITEMS "S2,2025-06-03" WIDE_ITEMS
                                        "S3,1753-01-01" WIDE_ITEMS,
                            -1);
    struct run_result r = RUN("score", "-q", "--date-column", "date", "--date-range",
                          "2000-01-01,2025-12-31", "-o", "-", batch);
    cr_assert_eq(r.status, 1, "%s", r.err);
    cr_assert_eq(count_text(r.out, ",baseline,wemwbs,total,"), 2, "%s", r.out);
    cr_assert(strstr(r.out, "S1,followup,wemwbs,total,40,probable depression (screening),14,ok,"
                            "2025-06-03\n"),
              "%s", r.out);
    cr_assert(strstr(r.out, "S2,baseline,wemwbs,total,40,probable depression (screening),14,ok,"
                            "2025-02-03\n"),
              "%s", r.out);
    cr_assert(strstr(r.err, "f2.csv:4:2: column date, value \"9999-12-31\": 9999-12-31 is after "
                            "the dates accepted, 2000-01-01 to 2025-12-31 (see --date-range)\n"),
              "%s", r.err);
    cr_assert(strstr(r.err, "f2.csv:8:2: column date, value \"1753-01-01\": 1753-01-01 is before "
                            "the dates accepted, 2000-01-01 to 2025-12-31 (see --date-range): "
                            "placeholders for no date (such as 1900-01-01) and mistyped years "
                            "are refused\n"),
              "%s", r.err);
    cr_assert_eq(count_lines(r.err), 3, "%s", r.err);
    /* The default range ends today: 9999-12-31 is in the future whenever the test runs. */
    struct run_result d = RUN("score", "-q", "--date-column", "date", "-o", "-", batch);
    cr_assert_eq(d.status, 1, "%s", d.err);
    cr_assert(strstr(d.err, "(today; see --date-range): an assessment cannot be in the future\n"),
              "%s", d.err);
    cr_assert(strstr(d.out, "S1,followup,wemwbs,total,40,probable depression (screening),14,ok,"
                            "2025-06-03\n"),
              "%s", d.out);
    struct run_result future = RUN("score", "-q", "--date-column", "date", "--date-range",
                               ",9999-12-31", "-o", "-", batch);
    cr_assert_eq(future.status, 2, "%s", future.err);
    cr_assert(strstr(future.err, "promscore: the range of dates accepted, 2000-01-01 to "
                                 "9999-12-31, cannot be used: it ends after today ("),
              "%s", future.err);
    cr_assert(strstr(future.err, "): an assessment cannot be in the future\n"), "%s", future.err);
    run_result_free(&r);
    run_result_free(&d);
    run_result_free(&future);
    free(batch);
}

Test(cli_dates, compact_dates_that_could_be_read_two_ways_are_refused)
{
    char *batch = test_file("f1.csv",
                            WIDE_HEADER "A,2025123" WIDE_ITEMS "B,1122025" WIDE_ITEMS
                                        "C,20250203" WIDE_ITEMS "D,2025 0203" WIDE_ITEMS,
                            -1);
    struct run_result r = RUN("score", "-q", "--date-column", "date", "--date-format", "%Y%m%d",
                          "-o", "-", batch);
    cr_assert_eq(r.status, 1, "%s", r.err);
    cr_assert_str_eq(r.out,
                     "participant_id,timepoint,instrument,scale,score,band,answered,status,date\n"
                     "C,baseline,wemwbs,total,40,probable depression (screening),14,ok,"
                     "2025-02-03\n"
                     "C,baseline,wemwbs,swemwbs,15.32,,7,ok,2025-02-03\n");
    cr_assert(strstr(r.err, "f1.csv:2:2: column date, value \"2025123\": its numbers are written "
                            "side by side (%Y%m%d), so each must have all its digits, four for "
                            "the year and two for the others (3 February 2025 is 20250203): else "
                            "the date could be read more than one way\n"),
              "%s", r.err);
    cr_assert(strstr(r.err, "f1.csv:3:2: column date, value \"1122025\": its numbers are written "
                            "side by side"),
              "%s", r.err);
    cr_assert(strstr(r.err, "f1.csv:5:2: column date, value \"2025 0203\": white space inside "
                            "the date, where its format (%Y%m%d) has none\n"),
              "%s", r.err);
    run_result_free(&r);
    free(batch);
}

/* ---- Long exports: counts, and assessments split between batches. ---- */

Test(cli_long, the_summary_counts_an_answer_refused_as_a_wide_row_would)
{
    char *export = test_file("f10.csv", "pid,date,item,value\nA,2025-01-01,wemwbs_1,9\n", -1);
    struct run_result r = RUN("score", "--long", "pid,date,item,value", "-o", "-", export);
    cr_assert_eq(r.status, 1, "%s", r.err);
    cr_assert(strstr(r.out, "A,baseline,wemwbs,total,,,0,invalid_response,2025-01-01\n"), "%s",
              r.out);
    cr_assert(strstr(r.err, "f10.csv: 1 rows read, 1 scored, 0 rejected; 0 scores ok, 2 not ok; "
                            "1 answers refused\n"),
              "%s", r.err);
    run_result_free(&r);
    free(export);
}

Test(cli_long, an_assessment_split_between_two_batches_is_scored_whole)
{
    char *a = test_file("f11a.csv",
                        "pid,date,item,value\n"
                        "C,2025-02-03,wemwbs_1,2\nC,2025-02-03,wemwbs_2,2\nC,2025-02-03,wemwbs_3,2\n"
                        "C,2025-02-03,wemwbs_4,2\nC,2025-02-03,wemwbs_5,2\nC,2025-02-03,wemwbs_6,2\n"
                        "C,2025-02-03,wemwbs_7,2\nD,2025-02-04,wemwbs_1,x\n",
                        -1);
    char *b = test_file("f11b.csv",
                        "pid,date,item,value\n"
                        "C,2025-02-03,wemwbs_8,2\nC,2025-02-03,wemwbs_9,2\nC,2025-02-03,wemwbs_10,2\n"
                        "C,2025-02-03,wemwbs_11,2\nC,2025-02-03,wemwbs_12,2\n"
                        "C,2025-02-03,wemwbs_13,2\nC,2025-02-03,wemwbs_14,2\n",
                        -1);
    char *rejects = test_path("rejects.csv");
    struct run_result r = RUN("score", "--long", "pid,date,item,value", "-o", "-", "-r", rejects, a,
                          b);
    cr_assert_eq(r.status, 1, "%s", r.err);
    cr_assert_str_eq(r.out,
                     "participant_id,timepoint,instrument,scale,score,band,answered,status,date\n"
                     "C,baseline,wemwbs,total,28,probable depression (screening),14,ok,"
                     "2025-02-03\n"
                     "C,baseline,wemwbs,swemwbs,15.32,,7,ok,2025-02-03\n"
                     "D,baseline,wemwbs,total,,,0,invalid_response,2025-02-04\n"
                     "D,baseline,wemwbs,swemwbs,,,0,invalid_response,2025-02-04\n");
    /* Each batch's summary counts its own rows, once every batch is read. */
    cr_assert(strstr(r.err, "f11a.csv: 8 rows read, 8 scored, 0 rejected; 2 scores ok, 2 not ok; "
                            "1 answers refused\n"),
              "%s", r.err);
    cr_assert(strstr(r.err, "f11b.csv: 7 rows read, 7 scored, 0 rejected; 0 scores ok, 0 not ok; "
                            "0 answers refused\n"),
              "%s", r.err);
    char *got = test_slurp(rejects);
    char *expected;
    cr_assert_geq(asprintf(&expected,
                           "file,line,participant_id,column,value,reason\n"
                           "%s,9,D,value,x,unknown response label (codes are 1-5)\n",
                           a),
                  0);
    cr_assert_str_eq(got, expected);
    free(expected);
    free(got);
    run_result_free(&r);
    free(rejects);
    free(a);
    free(b);
}

/* ---- How the input is written, for every command that reads it. ---- */

Test(cli_input, a_delimiter_written_inside_cells_is_a_usage_error_for_every_command)
{
    char *batch = test_file("f14.csv", "NHS Number-a-b-c\n9434765919-943-476-5919\n", -1);
    char *key = test_path("key");
    struct run_result made = RUN("pseudonymise", "--keygen", key);
    cr_assert_eq(made.status, 0, "%s", made.err);
    static const char message[] =
        "promscore: the delimiter '-' cannot be used: it is written inside numbers, dates and "
        "NHS numbers (943-476-5919), which it would split across cells; a delimiter is ',', "
        "';', '|', ':', a tab or other punctuation\n";
    struct run_result p = RUN("pseudonymise", "-k", key, "-c", "NHS Number", "--delimiter", "-", "-o",
                          "-", batch);
    cr_assert_eq(p.status, 2, "%s", p.err);
    cr_assert_str_eq(p.out, "");
    cr_assert(strncmp(p.err, message, strlen(message)) == 0, "%s", p.err);
    struct run_result t = RUN("template", "--map", batch, "-i", "wemwbs", "--delimiter", "-");
    cr_assert_eq(t.status, 2, "%s", t.err);
    cr_assert(strncmp(t.err, message, strlen(message)) == 0, "%s", t.err);
    struct run_result s = RUN("score", "-t", "baseline", "--delimiter", "9", "-o", "-", batch);
    cr_assert_eq(s.status, 2, "%s", s.err);
    cr_assert(strstr(s.err, "the delimiter '9' cannot be used: it is a digit or letter"), "%s",
              s.err);
    struct run_result long_text = RUN("score", "-t", "baseline", "--delimiter", "ab", "-o", "-", batch);
    cr_assert_eq(long_text.status, 2);
    cr_assert_str_eq(long_text.err, "promscore: score: --delimiter takes one character, such as "
                                    "';' (or 'tab'), not 'ab'\n");
    run_result_free(&made);
    run_result_free(&p);
    run_result_free(&t);
    run_result_free(&s);
    run_result_free(&long_text);
    free(key);
    free(batch);
}

Test(cli_input, tab_separated_batches_are_read_with_delimiter_tab)
{
    char *batch = test_file("tab.tsv",
                            "participant_id\ttimepoint\tsite\twemwbs_1\twemwbs_2\twemwbs_3\t"
                            "wemwbs_4\twemwbs_5\twemwbs_6\twemwbs_7\twemwbs_8\twemwbs_9\t"
                            "wemwbs_10\twemwbs_11\twemwbs_12\twemwbs_13\twemwbs_14\n"
                            "P1\tbaseline\tNorth East\t1\t2\t3\t4\t5\t1\t2\t3\t4\t5\t1\t2\t3\t4\n",
                            -1);
    struct run_result r = RUN("score", "-q", "--delimiter", "tab", "-k", "site", "-o", "-", batch);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strstr(r.out, "P1,baseline,wemwbs,total,40,probable depression (screening),14,ok,"
                            "North East\n"),
              "%s", r.out);
    run_result_free(&r);
    free(batch);
}

Test(cli_input, a_file_in_another_encoding_than_the_one_given_is_named_by_every_command)
{
    char *utf8 = test_file("f4.csv", "NHS Number,Comments\r\n9434765919,\xc2\xa3" "10 fare\r\n",
                           -1);
    char *key = test_path("key");
    struct run_result made = RUN("pseudonymise", "--keygen", key);
    cr_assert_eq(made.status, 0, "%s", made.err);
    char *expected;
    cr_assert_geq(asprintf(&expected,
                           "promscore: %s:2: the file is UTF-8 already (bytes 0xC2 0xA3 here are "
                           "the UTF-8 of one character, which read as windows-1252 would be "
                           "garbled): leave out --encoding\npromscore: nothing written\n",
                           utf8),
                  0);
    struct run_result p = RUN("pseudonymise", "-k", key, "-c", "NHS Number", "--encoding",
                          "windows-1252", "-o", "-", utf8);
    cr_assert_eq(p.status, 3, "%s", p.err);
    cr_assert_str_eq(p.out, "");
    cr_assert_str_eq(p.err, expected);
    /* template --map reads the header alone: the header's block is checked all the same. */
    struct run_result t = RUN("template", "--map", utf8, "-i", "wemwbs", "--encoding",
                          "windows-1252");
    cr_assert_eq(t.status, 3, "%s", t.err);
    cr_assert(strstr(t.err, "the file is UTF-8 already"), "%s", t.err);
    char *export = test_data("export/wemwbs-export-cp1252.csv");
    struct run_result s = RUN("score", "-q", "--encoding", "latin1", "--id-column", "NHS Number",
                          "-t", "baseline", "-o", "-", export);
    cr_assert_eq(s.status, 3, "%s", s.err);
    cr_assert(strstr(s.err, "wemwbs-export-cp1252.csv:1: read as latin1, bytes 0x80-0x9F are "
                            "control characters (byte 0x96 here): the file is probably "
                            "windows-1252: give --encoding windows-1252\n"),
              "%s", s.err);
    free(expected);
    run_result_free(&made);
    run_result_free(&p);
    run_result_free(&t);
    run_result_free(&s);
    free(export);
    free(key);
    free(utf8);
}

/* ---- report -i: batches read as score reads them. ---- */

/* The report of 'scored' as given by report alone, in the format 'format' ("csv" or "text"). */
static struct run_result report_scored(const char *format, const char *by, const char *scored)
{
    return by ? RUN("report", "-q", "-f", format, "--no-suppress", "--by", by, scored)
              : RUN("report", "-q", "-f", format, "--no-suppress", scored);
}

Test(cli_report_dates, report_i_with_dates_gives_the_report_of_score_then_report)
{
    char *followup = test_data("dates/uk-followup.csv");
    char *baseline = test_data("dates/uk-baseline.csv");
    char *scored = test_path("scored.csv");
    /* The follow-ups first: their baselines are in the second batch. */
    struct run_result s = RUN("score", "-q", "-i", "wemwbs", "--date-column", "date",
                              "--date-format", "%d/%m/%Y", "--window", "month4=90-150", "-o",
                              scored, followup, baseline);
    cr_assert_eq(s.status, 1, "%s", s.err);
    struct run_result two_steps = report_scored("csv", NULL, scored);
    cr_assert_eq(two_steps.status, 0, "%s", two_steps.err);
    struct run_result one_step = RUN("report", "-q", "-i", "wemwbs", "--date-column", "date",
                                     "--date-format", "%d/%m/%Y", "--window", "month4=90-150",
                                     "-f", "csv", "--no-suppress", followup, baseline);
    /* Rows were refused while scoring (dates not written %d/%m/%Y): status 1, as score's. */
    cr_assert_eq(one_step.status, 1, "%s", one_step.err);
    cr_assert_str_eq(one_step.out, two_steps.out);
    cr_assert(strstr(one_step.out, "wemwbs,total,all,baseline->month4,n_baseline,count,4,no,\n"));
    cr_assert(strstr(one_step.out, "wemwbs,total,all,baseline->month4,n_paired,count,2,no,\n"));
    cr_assert(strstr(one_step.out, "wemwbs,total,all,baseline->month4,mean_change,figure,3,no,\n"));
    /* Each refused row is named, as score names it. */
    cr_assert(strstr(one_step.err, "uk-baseline.csv:5:2: column date, value \"2025-03-01\": not a "
                                   "date written %d/%m/%Y\n"),
              "%s", one_step.err);
    cr_assert_str_eq(one_step.err, s.err);
    run_result_free(&s);
    run_result_free(&two_steps);
    run_result_free(&one_step);
    free(scored);
    free(followup);
    free(baseline);
}

Test(cli_report_dates, report_i_by_a_column_of_a_dated_batch_matches_score_keep_then_report)
{
    char *batch = test_data("dates/iso.csv");
    char *scored = test_path("scored.csv");
    struct run_result s = RUN("score", "-q", "-i", "wemwbs", "--date-column", "date", "--window",
                              "month4=90-150", "--window", "month8=210-270", "--date-range",
                              "2024-01-01,2025-12-31", "-k", "site", "-o", scored, batch);
    cr_assert_eq(s.status, 1, "%s", s.err);
    static const char *const formats[] = {"csv", "text"};
    for (size_t f = 0; f < 2; f++) {
        struct run_result two_steps = report_scored(formats[f], "site", scored);
        cr_assert_eq(two_steps.status, 0, "%s", two_steps.err);
        struct run_result one_step =
            RUN("report", "-q", "-i", "wemwbs", "--date-column", "date", "--window",
                "month4=90-150", "--window", "month8=210-270", "--date-range",
                "2024-01-01,2025-12-31", "-f", formats[f], "--no-suppress", "--by", "site", batch);
        cr_assert_eq(one_step.status, 1, "%s: %s", formats[f], one_step.err);
        cr_assert_str_eq(one_step.out, two_steps.out, "%s", formats[f]);
        run_result_free(&two_steps);
        run_result_free(&one_step);
    }
    struct run_result csv = RUN("report", "-q", "-i", "wemwbs", "--date-column", "date",
                                "--window", "month4=90-150", "--window", "month8=210-270",
                                "-f", "csv", "--no-suppress", "--by", "site", batch);
    /* P01, P02 and P05 at month4; P01 and P04 at month8. */
    cr_assert(strstr(csv.out, "wemwbs,total,all,baseline->month4,n_paired,count,3,no,\n"), "%s",
              csv.out);
    cr_assert(strstr(csv.out, "wemwbs,total,all,baseline->month8,n_paired,count,2,no,\n"));
    cr_assert(strstr(csv.out, "wemwbs,total,site=Homerton,baseline->month8,n_paired,count,1,no,\n"));
    run_result_free(&csv);
    run_result_free(&s);
    free(scored);
    free(batch);
}

Test(cli_report_dates, report_i_reads_a_dated_batch_from_a_pipe_as_from_its_file)
{
    char *batch = test_data("dates/iso.csv");
    char *text = test_slurp(batch);
    cr_assert_not_null(text);
    struct run_result file = RUN("report", "-q", "-i", "wemwbs", "--date-column", "date", "-f",
                                 "csv", "--no-suppress", batch);
    cr_assert_eq(file.status, 1, "%s", file.err);
    cr_assert(strstr(file.out, "wemwbs,total,all,baseline->followup,n_paired,count,4,no,\n"), "%s",
              file.out);
    const char *const args[] = {"report", "-q", "-i", "wemwbs", "--date-column", "date", "-f",
                                "csv", "--no-suppress", "-", NULL};
    struct run_result piped = run_promscore(&(struct run_how){.piped = text}, args);
    cr_assert_eq(piped.status, 1, "%s", piped.err);
    cr_assert_str_eq(piped.out, file.out);
    cr_assert(strstr(piped.err, "-:3: between baseline and follow-up"), "%s", piped.err);
    run_result_free(&file);
    run_result_free(&piped);
    free(text);
    free(batch);
}

/* 'text' with each "promscore: score: " made "promscore: report: ". */
static char *as_report_message(const char *text)
{
    static const char from[] = "promscore: score: ", to[] = "promscore: report: ";
    char *out = calloc(1, 2 * strlen(text) + 1);
    cr_assert_not_null(out);
    for (const char *p = text; *p;) {
        if (strncmp(p, from, strlen(from)) == 0) {
            strcat(out, to);
            p += strlen(from);
        }
        else
            strncat(out, p++, 1);
    }
    return out;
}

Test(cli_report_dates, bad_batch_options_are_the_same_usage_errors_in_report_naming_it)
{
    char *batch = test_data("dates/iso.csv");
    static const char *const cases[][6] = {
        {"--date-column", "date", "--window", "month4"},
        {"--date-column", "date", "--window", "month4=90-150 month8=210-270"},
        {"--date-column", "date", "--window", "a=90-150", "--window", "b=120-200"},
        {"--date-column", "date", "--window", "baseline=1-10"},
        {"--date-column", "date", "--date-format", "%d/%m/%y"},
        {"--window", "month4=90-150"},
        {"--date-format", "%d/%m/%Y"},
        {"--date-range", "2020-01-01,2025-12-31"},
        {"--date-column", "date", "--date-range", "2025-01-01"},
        {"--date-column", "date", "--date-range", "2025-02-29,"},
        {"--date-column", "date", "--timepoint-column", "timepoint"},
        {"--long", "pid,date,item"},
        {"--long", "pid,date,item,value", "--id-column", "pid"},
        {"--long", "pid,date,item,value", "--timepoint-column", "tp"},
        {"--long", "pid,pid,item,value"},
        {"--date-column", "date", "--delimiter", "-"},
        {"--date-column", "date", "--delimiter", "ab"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        const char *score_args[16] = {"score", "-i", "wemwbs", "-o", "/dev/null"};
        const char *report_args[16] = {"report", "-i", "wemwbs"};
        size_t n_score = 5, n_report = 3;
        for (size_t a = 0; a < 6 && cases[c][a]; a++)
            score_args[n_score++] = report_args[n_report++] = cases[c][a];
        score_args[n_score] = report_args[n_report] = batch;
        struct run_result s = run_promscore(NULL, score_args);
        struct run_result r = run_promscore(NULL, report_args);
        cr_assert_eq(s.status, 2, "case %zu: %s", c, s.err);
        cr_assert_eq(r.status, 2, "case %zu: %s", c, r.err);
        cr_assert_str_eq(r.out, "", "case %zu", c);
        cr_assert(strncmp(s.err, "promscore: ", strlen("promscore: ")) == 0, "case %zu", c);
        char *expected = as_report_message(s.err);
        cr_assert_str_eq(r.err, expected, "case %zu", c);
        free(expected);
        run_result_free(&s);
        run_result_free(&r);
    }
    /* One of them in full. */
    struct run_result r = RUN("report", "-i", "wemwbs", "--date-column", "date", "--window",
                              "month4", batch);
    cr_assert_eq(r.status, 2);
    cr_assert_str_eq(r.err, "promscore: report: --window takes NAME=FROM-TO, days after baseline "
                            "from 1 to 999999 such as month4=90-150, not 'month4'\n");
    run_result_free(&r);
    free(batch);
}

Test(cli_report_dates, options_a_report_cannot_use_are_refused_with_their_reasons)
{
    char *batch = test_data("dates/iso.csv");
    static const struct {
        const char *args[5];
        const char *message;
    } cases[] = {
        {{"-i", "wemwbs", "-t", "baseline"},
         "report: --timepoint gives every row of every batch one label, leaving no later "
         "timepoint to compare with the baseline: score each file with its own --timepoint, "
         "then report the scored files"},
        {{"-i", "wemwbs", "--keep", "site"},
         "report: --keep carries columns to scored rows, which a report does not write: give "
         "the columns to report by with --by"},
        {{"--date-column", "date"},
         "report: --date-column says how raw batches are read: give it with -i INSTRUMENT, or "
         "leave it out to report scored files"},
        {{"--encoding", "latin1", "--window", "month4=90-150"},
         "report: --encoding says how raw batches are read: give it with -i INSTRUMENT, or "
         "leave it out to report scored files"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        const char *args[8] = {"report"};
        size_t n = 1;
        for (size_t a = 0; a < 5 && cases[c].args[a]; a++)
            args[n++] = cases[c].args[a];
        args[n] = batch;
        struct run_result r = run_promscore(NULL, args);
        cr_assert_eq(r.status, 2, "case %zu: %s", c, r.err);
        cr_assert_str_eq(r.out, "", "case %zu", c);
        char *expected;
        cr_assert_geq(asprintf(&expected, "promscore: %s\n", cases[c].message), 0);
        cr_assert_str_eq(r.err, expected, "case %zu", c);
        free(expected);
        run_result_free(&r);
    }
    free(batch);
}
