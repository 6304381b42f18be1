/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Every refused row and answer, with its reason, file, line and column; and
 * batches refused whole. Every row read is either scored or rejected.
 */
#include "config.h"

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "helpers.h"

#define HEADER "participant_id,timepoint,swemwbs_1,swemwbs_2,swemwbs_3,swemwbs_4,swemwbs_5," \
               "swemwbs_6,swemwbs_7\n"

static void assert_accounted(const struct capture *c)
{
    cr_assert_eq(c->summary.rows_read, c->summary.rows_scored + c->summary.rows_rejected,
                 "%lu read, %lu scored, %lu rejected", c->summary.rows_read,
                 c->summary.rows_scored, c->summary.rows_rejected);
}

/* Scores one data row after HEADER and expects exactly one reject. */
static const struct captured_reject *one_reject(struct capture *c, const char *row)
{
    char *csv;
    cr_assert_geq(asprintf(&csv, HEADER "%s\n", row), 0);
    cr_assert_eq(test_score_text(c, csv, NULL), PS_OK);
    cr_assert_eq(c->n_rejects, 1, "%zu rejects", c->n_rejects);
    cr_assert_eq(c->rejects[0].line, 2);
    assert_accounted(c);
    return &c->rejects[0];
}

static void assert_cell(const struct captured_reject *r, const char *column, unsigned long number,
                        const char *value, const char *reason)
{
    cr_assert_str_eq(r->column_name, column);
    cr_assert_eq(r->column, number);
    cr_assert_str_eq(r->value, value);
    cr_assert(strstr(r->reason, reason), "'%s' not in '%s'", reason, r->reason);
    cr_assert_str_eq(r->participant_id, "P1");
}

Test(rejects, code_out_of_range)
{
    struct capture c = {0};
    assert_cell(one_reject(&c, "P1,t0,1,2,6,4,5,4,3"), "swemwbs_3", 5, "6",
                "code out of range (codes are 1-5)");
    cr_assert_str_eq(test_find(&c, "P1", "t0", "swemwbs.metric")->status, "invalid_response");
    cr_assert_eq(c.summary.cells_rejected, 1);
}

Test(rejects, negative_code)
{
    struct capture c = {0};
    assert_cell(one_reject(&c, "P1,t0,1,2,3,4,5,4,-1"), "swemwbs_7", 9, "-1", "code out of range");
}

Test(rejects, decimal_code)
{
    struct capture c = {0};
    assert_cell(one_reject(&c, "P1,t0,2.5,2,3,4,5,4,1"), "swemwbs_1", 3, "2.5",
                "not a whole-number code");
}

Test(rejects, unknown_label)
{
    struct capture c = {0};
    assert_cell(one_reject(&c, "P1,t0,1,Sometimes,3,4,5,4,1"), "swemwbs_2", 4, "Sometimes",
                "unknown response label");
}

Test(rejects, invalid_utf8_answer)
{
    struct capture c = {0};
    const struct captured_reject *r = one_reject(&c, "P1,t0,1,2,\xff\xfe,4,5,4,1");
    cr_assert_str_eq(r->column_name, "swemwbs_3");
    cr_assert(strstr(r->reason, "UTF-8"));
}

Test(rejects, missing_participant_id)
{
    struct capture c = {0};
    const struct captured_reject *r = one_reject(&c, " ,t0,1,2,3,4,5,4,1");
    cr_assert_str_eq(r->reason, "missing participant id");
    cr_assert_str_eq(r->column_name, "");
    cr_assert_eq(c.n_scores, 0);
    cr_assert_eq(c.summary.rows_rejected, 1);
}

Test(rejects, missing_timepoint)
{
    struct capture c = {0};
    cr_assert_str_eq(one_reject(&c, "P1,,1,2,3,4,5,4,1")->reason, "missing timepoint");
}

Test(rejects, too_few_fields)
{
    struct capture c = {0};
    const struct captured_reject *r = one_reject(&c, "P1,t0,1,2,3");
    cr_assert_str_eq(r->reason, "ragged row: 5 fields, the header has 9");
    cr_assert_str_eq(r->participant_id, "P1");
}

Test(rejects, too_many_fields)
{
    struct capture c = {0};
    cr_assert_str_eq(one_reject(&c, "P1,t0,1,2,3,4,5,4,1,9")->reason,
                     "ragged row: 10 fields, the header has 9");
}

Test(rejects, duplicate_names_both_lines)
{
    struct capture c = {0};
    const char *csv = HEADER "P1,t0,1,1,1,1,1,1,1\nP2,t0,1,1,1,1,1,1,1\nP1,t1,2,2,2,2,2,2,2\n"
                             "P1,t0,3,3,3,3,3,3,3\n";
    cr_assert_eq(test_score_text(&c, csv, NULL), PS_OK);
    cr_assert_eq(c.n_rejects, 1);
    cr_assert_eq(c.rejects[0].line, 5);
    cr_assert(strstr(c.rejects[0].reason, "already has swemwbs on line 2"), "%s",
              c.rejects[0].reason);
    /* The first one stands. */
    cr_assert_eq(test_find(&c, "P1", "t0", "swemwbs.raw")->value, 7);
    cr_assert_eq(test_find(&c, "P1", "t1", "swemwbs.raw")->value, 14);
    cr_assert_eq(c.summary.rows_read, 4);
    assert_accounted(&c);
}

Test(rejects, every_row_of_a_mixed_batch_is_accounted_for)
{
    struct capture c = {0};
    const char *csv = HEADER "P1,t0,1,1,1,1,1,1,1\n"
                             ",t0,1,1,1,1,1,1,1\n"
                             "P3,t0,1,1\n"
                             "P4,t0,1,1,1,1,,1,1\n"
                             "P5,t0,1,1,1,1,7,1,1\n"
                             "P1,t0,1,1,1,1,1,1,1\n";
    cr_assert_eq(test_score_text(&c, csv, NULL), PS_OK);
    cr_assert_eq(c.summary.rows_read, 6);
    cr_assert_eq(c.summary.rows_scored, 3);
    cr_assert_eq(c.summary.rows_rejected, 3);
    cr_assert_eq(c.summary.cells_rejected, 1);
    cr_assert_eq(c.n_rejects, 4);
    cr_assert_eq(c.summary.scores_ok, 2);
    cr_assert_eq(c.summary.scores_not_ok, 4);
}

Test(rejects, duplicates_across_batches_of_one_run)
{
    struct capture c = {0};
    ps_context_t *context = test_context(&c);
    ps_scorer_t *scorer;
    ps_score_options_t o = {.size = sizeof o, .timepoint = "baseline"};
    ps_score_handlers_t h = {0};
    h.reject = test_on_reject;
    h.user = &c;
    cr_assert_eq(ps_scorer_new(context, &o, &h, &scorer), PS_OK);
    const char *csv = "participant_id,swemwbs_1,swemwbs_2,swemwbs_3,swemwbs_4,swemwbs_5,"
                      "swemwbs_6,swemwbs_7\nP1,1,1,1,1,1,1,1\n";
    cr_assert_eq(ps_scorer_score_file(scorer, test_file("a.csv", csv, -1)), PS_OK);
    cr_assert_eq(ps_scorer_score_file(scorer, test_file("b.csv", csv, -1)), PS_OK);
    cr_assert_eq(c.n_rejects, 1);
    cr_assert(strstr(c.rejects[0].file, "b.csv"));
    cr_assert(strstr(c.rejects[0].reason, "line 2 of another batch"), "%s", c.rejects[0].reason);
    ps_scorer_free(scorer);
    ps_context_free(context);
}

/* ---- Batches refused whole: nothing scored, a diagnostic with file and line. ---- */

static void assert_batch_refused(const char *csv, long length, ps_error_t want,
                                 unsigned long line, const char *words)
{
    struct capture c = {0};
    ps_context_t *context = test_context(&c);
    ps_scorer_t *scorer;
    ps_score_options_t o = {.size = sizeof o};
    cr_assert_eq(ps_scorer_new(context, &o, NULL, &scorer), PS_OK);
    char *file = test_file("bad.csv", csv, length);
    cr_assert_eq(ps_scorer_score_file(scorer, file), want);
    cr_assert_geq(c.n_diagnostics, 1);
    cr_assert_str_eq(c.diagnostics[0].file, file);
    cr_assert_eq(c.diagnostics[0].line, line, "line %lu: %s", c.diagnostics[0].line,
                 c.diagnostics[0].message);
    cr_assert(strstr(c.diagnostics[0].message, words), "'%s' not in '%s'", words,
              c.diagnostics[0].message);
    ps_scorer_free(scorer);
    ps_context_free(context);
}

Test(batches, empty_file)
{
    assert_batch_refused("", 0, PS_ERROR_BATCH, 0, "empty file");
}

Test(batches, no_participant_id_column)
{
    assert_batch_refused("id,timepoint,swemwbs_1\n", -1, PS_ERROR_BATCH, 1,
                         "no participant id column 'participant_id'");
}

Test(batches, no_timepoint_column)
{
    assert_batch_refused("participant_id,swemwbs_1\n", -1, PS_ERROR_BATCH, 1, "--timepoint");
}

Test(batches, duplicate_header_names)
{
    assert_batch_refused("participant_id,timepoint,swemwbs_1,SWEMWBS_1\n", -1, PS_ERROR_BATCH, 1,
                         "repeats column 3");
}

Test(batches, no_instrument_found_names_the_closest)
{
    assert_batch_refused("participant_id,timepoint,swemwbs_1,swemwbs_2,swemwbs_3,swemwbs_4,"
                         "swemwbs_5,swemwbs_6\n",
                         -1, PS_ERROR_BATCH, 1, "closest: swemwbs, 6 of 7 item columns; missing swemwbs_7");
}

Test(batches, unterminated_quote_at_end_of_file)
{
    /* Where the quote opened, not where the file ended. */
    assert_batch_refused(HEADER "P1,t0,1,1,1,1,1,1,1\nP2,t0,\"1,1,1,1,1,1,1\n", -1, PS_ERROR_BATCH,
                         3, "never closed");
}


Test(batches, oversized_field)
{
    size_t big = 2u * 1024 * 1024;
    char *csv = malloc(big + 200);
    strcpy(csv, HEADER "P1,t0,\"");
    size_t n = strlen(csv);
    memset(csv + n, 'x', big);
    strcpy(csv + n + big, "\",1,1,1,1,1,1\n");
    assert_batch_refused(csv, -1, PS_ERROR_LIMIT, 2, "longer than");
}

Test(batches, header_only_scores_nothing)
{
    struct capture c = {0};
    cr_assert_eq(test_score_text(&c, HEADER, NULL), PS_OK);
    cr_assert_eq(c.summary.rows_read, 0);
    cr_assert_eq(c.n_scores, 0);
}

/* ---- Batches longer than the reader's blocks (it parses ahead on a second thread). ---- */

/* 'rows' good SWEMWBS rows after HEADER, then 'tail'. */
static char *long_batch(size_t rows, const char *tail)
{
    size_t size = strlen(HEADER) + rows * 32 + strlen(tail) + 1, used = 0;
    char *csv = malloc(size);
    cr_assert_not_null(csv);
    used += (size_t)snprintf(csv, size, "%s", HEADER);
    for (size_t i = 0; i < rows; i++)
        used += (size_t)snprintf(csv + used, size - used, "P%zu,t0,%zu,2,3,4,5,1,2\n", i,
                                 1 + i % 5);
    snprintf(csv + used, size - used, "%s", tail);
    return csv;
}

struct counted {
    unsigned long scores, stop_after;
    unsigned long last_line;
    double metric_sum;
};

static int count_score(const ps_score_t *score, void *user)
{
    struct counted *n = user;
    n->scores++;
    n->last_line = score->line;
    if (strcmp(ps_scale_id(score->scale), "metric") == 0)
        n->metric_sum += score->value;
    return n->stop_after && n->scores == n->stop_after;
}

static ps_error_t score_counted(const char *file, struct counted *n, struct capture *c)
{
    ps_context_t *context = test_context(c);
    ps_scorer_t *scorer;
    ps_score_options_t o = {.size = sizeof o};
    ps_score_handlers_t h = {.score = count_score, .user = n};
    cr_assert_eq(ps_scorer_new(context, &o, &h, &scorer), PS_OK);
    ps_error_t err = ps_scorer_score_file(scorer, file);
    ps_scorer_free(scorer);
    ps_context_free(context);
    return err;
}

Test(long_batches, every_row_in_order_then_a_late_quoting_error_with_its_line)
{
    const size_t rows = 30000; /* several of the reader's blocks */
    struct counted n = {0};
    struct capture c = {0};
    char *file = test_file("long.csv", long_batch(rows, "P-last,t0,\"1,1,1,1,1,1,1\n"), -1);
    cr_assert_eq(score_counted(file, &n, &c), PS_ERROR_BATCH);
    cr_assert_eq(n.scores, 2 * rows, "every row before the error is scored");
    cr_assert_eq(n.last_line, rows + 1);
    /* Raw sums cycle 18, 19, ... 22: metric 17.43, 17.98, 18.59, 19.25, 19.98 (the table). */
    cr_assert_float_eq(n.metric_sum, rows / 5 * (17.43 + 17.98 + 18.59 + 19.25 + 19.98), 1e-3);
    cr_assert_eq(c.n_diagnostics, 1);
    cr_assert_eq(c.diagnostics[0].line, rows + 2);
    cr_assert(strstr(c.diagnostics[0].message, "never closed"), "%s", c.diagnostics[0].message);
}

Test(long_batches, duplicates_found_among_many_rows)
{
    /* Room for the rows is made from the file's size: a duplicate is still found anywhere. */
    const size_t rows = 30000;
    char *csv = long_batch(rows, "P4,t0,1,1,1,1,1,1,1\nP29999,t0,1,1,1,1,1,1,1\n");
    struct capture c = {0};
    ps_context_t *context = test_context(&c);
    ps_scorer_t *scorer;
    ps_score_options_t o = {.size = sizeof o};
    ps_score_handlers_t h = {.reject = test_on_reject, .user = &c};
    cr_assert_eq(ps_scorer_new(context, &o, &h, &scorer), PS_OK);
    cr_assert_eq(ps_scorer_score_file(scorer, test_file("long.csv", csv, -1)), PS_OK);
    cr_assert_eq(c.n_rejects, 2);
    cr_assert_eq(c.rejects[0].line, rows + 2);
    cr_assert(strstr(c.rejects[0].reason, "'P4' at timepoint 't0' already has swemwbs on line 6"),
              "%s", c.rejects[0].reason);
    cr_assert_eq(c.rejects[1].line, rows + 3);
    cr_assert(strstr(c.rejects[1].reason, "on line 30001"), "%s", c.rejects[1].reason);
    ps_scorer_free(scorer);
    ps_context_free(context);
}

struct kept_lengths {
    unsigned long scores;
    size_t kept_length[512]; /* by line */
};

static int note_kept_length(const ps_score_t *score, void *user)
{
    struct kept_lengths *k = user;
    k->scores++;
    if (score->line < 512)
        k->kept_length[score->line] = strlen(score->kept[0]);
    return 0;
}

Test(long_batches, records_longer_than_a_block_are_read_whole)
{
    /* A header longer than a block's text, short rows, a row with a long cell, short rows. */
    enum { LONG = 200 * 1024 };
    char *name = malloc(LONG + 1), *cell = malloc(LONG + 1);
    memset(name, 'n', LONG);
    memset(cell, 'c', LONG);
    name[LONG] = cell[LONG] = '\0';
    size_t size = 2 * LONG + 400 * 64, used = 0;
    char *csv = malloc(size);
    used += (size_t)snprintf(csv, size, "participant_id,timepoint,note,%s,swemwbs_1,swemwbs_2,"
                                        "swemwbs_3,swemwbs_4,swemwbs_5,swemwbs_6,swemwbs_7\n", name);
    for (int i = 0; i < 400; i++)
        used += (size_t)snprintf(csv + used, size - used, "P%d,t0,%s,x,1,2,3,4,5,1,2\n", i,
                                 i == 200 ? cell : "short");
    struct capture c = {0};
    ps_context_t *context = test_context(&c);
    ps_scorer_t *scorer;
    const char *keep[] = {"note"};
    ps_score_options_t o = {.size = sizeof o, .keep = keep, .n_keep = 1};
    struct kept_lengths k = {0};
    ps_score_handlers_t h = {.score = note_kept_length, .user = &k};
    cr_assert_eq(ps_scorer_new(context, &o, &h, &scorer), PS_OK);
    cr_assert_eq(ps_scorer_score_file(scorer, test_file("long.csv", csv, (long)used)), PS_OK,
                 "%s", c.n_diagnostics ? c.diagnostics[0].message : "");
    cr_assert_eq(k.scores, 2 * 400);
    cr_assert_eq(k.kept_length[2], 5);
    cr_assert_eq(k.kept_length[202], LONG, "the long cell is whole");
    cr_assert_eq(k.kept_length[203], 5);
    cr_assert_eq(k.kept_length[401], 5);
    ps_scorer_free(scorer);
    ps_context_free(context);
    free(name);
    free(cell);
    free(csv);
}

Test(long_batches, a_row_longer_than_the_limit_is_refused_with_its_line)
{
    /* Nine fields under the field limit, together over the row limit. */
    const size_t field = 1000 * 1000, fields = 9;
    char *csv = malloc(strlen(HEADER) + 64 + fields * (field + 1));
    size_t used = (size_t)sprintf(csv, "%sP1,t0,1,1,1,1,1,1,1\n", HEADER);
    for (size_t f = 0; f < fields; f++) {
        memset(csv + used, 'x', field);
        used += field;
        csv[used++] = f + 1 < fields ? ',' : '\n';
    }
    csv[used] = '\0';
    assert_batch_refused(csv, (long)used, PS_ERROR_LIMIT, 3, "row longer than 8388608 bytes");
    free(csv);
}

Test(long_batches, a_handler_that_stops_stops_the_reading)
{
    struct counted n = {.stop_after = 7};
    struct capture c = {0};
    char *file = test_file("long.csv", long_batch(50000, ""), -1);
    cr_assert_eq(score_counted(file, &n, &c), PS_ERROR_ABORTED);
    cr_assert_eq(n.scores, 7);
}

Test(long_batches, a_refused_header_does_not_wait_for_a_pipe_to_end, .timeout = 20)
{
    int fds[2];
    cr_assert_eq(pipe(fds), 0);
    const char header[] = "id,timepoint,swemwbs_1\n"; /* no participant_id column */
    cr_assert_eq(write(fds[1], header, sizeof header - 1), (ssize_t)(sizeof header - 1));
    char path[64];
    snprintf(path, sizeof path, "/dev/fd/%d", fds[0]);
    struct counted n = {0};
    struct capture c = {0};
    /* The write end stays open: the parsing thread waits in read(2) until it is cancelled. */
    cr_assert_eq(score_counted(path, &n, &c), PS_ERROR_BATCH);
    cr_assert(strstr(c.diagnostics[0].message, "no participant id column"));
    close(fds[1]);
    close(fds[0]);
}

/* ---- Encodings and line endings. ---- */

Test(encodings, bom_crlf_and_quoted_newlines_keep_line_numbers)
{
    struct capture c = {0};
    const char *csv = "\xEF\xBB\xBFparticipant_id,timepoint,note,swemwbs_1,swemwbs_2,swemwbs_3,"
                      "swemwbs_4,swemwbs_5,swemwbs_6,swemwbs_7\r\n"
                      "P1,t0,\"two\r\nlines\",1,1,1,1,1,1,1\r\n"
                      "\"P2\",t0,x,1,1,1,1,1,1,8\r\n";
    cr_assert_eq(test_score_text(&c, csv, NULL), PS_OK);
    cr_assert_eq(test_find(&c, "P1", "t0", "swemwbs.raw")->line, 2);
    cr_assert_eq(c.n_rejects, 1);
    cr_assert_eq(c.rejects[0].line, 4, "line %lu", c.rejects[0].line);
    cr_assert_str_eq(c.rejects[0].participant_id, "P2");
}

Test(encodings, cr_only_line_endings)
{
    struct capture c = {0};
    const char *csv = "participant_id,timepoint,swemwbs_1,swemwbs_2,swemwbs_3,swemwbs_4,"
                      "swemwbs_5,swemwbs_6,swemwbs_7\rP1,t0,1,1,1,1,1,1,1\rP2,t0,1,1,1,1,1,1,0\r";
    cr_assert_eq(test_score_text(&c, csv, NULL), PS_OK);
    cr_assert_eq(c.summary.rows_read, 2);
    cr_assert_eq(c.rejects[0].line, 3);
}

Test(encodings, quoted_multiline_first_field_starts_where_it_opens)
{
    struct capture c = {0};
    const char *csv = HEADER "\"P\n1\",t0,1,1,1,1,1,1,9\n";
    cr_assert_eq(test_score_text(&c, csv, NULL), PS_OK);
    cr_assert_eq(c.rejects[0].line, 2);
}

/*
 * A refused header stops the parsing thread before it prepares a record for it: the reader
 * once handed the header's block back before saying it wanted no more, and the parsing
 * thread then scored rows with a half-built plan (found by the batch fuzzer; shown under
 * UndefinedBehaviorSanitizer as an index out of range). Repeated, as it was a race.
 */
Test(rejects, a_refused_header_stops_the_parsing_thread_at_once)
{
    char *csv = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&csv, &size);
    fputs("participant_id,tiempoint,site,ons4_satisfaction,ons4_worthwhile,ons4_happiness,"
          "ons4_anxiety\n",
          f);
    for (int k = 0; k < 200; k++)
        fprintf(f, "SP%03d,baseline,Cotgrave,6,4,5,6\n", k);
    fclose(f);
    for (int run = 0; run < 200; run++) {
        struct capture c = {0};
        cr_assert_eq(test_score_text(&c, csv, NULL), PS_ERROR_BATCH);
        cr_assert_eq(c.n_scores, 0);
    }
    free(csv);
}

/* ---- Messy input: the row is refused, not the batch. ---- */

#define KEPT_HEADER "participant_id,timepoint,comment,swemwbs_1,swemwbs_2,swemwbs_3,swemwbs_4," \
                    "swemwbs_5,swemwbs_6,swemwbs_7\n"

Test(messy, stray_quote_in_an_unquoted_cell_refuses_that_row_only)
{
    struct capture c = {0};
    const char *keep[] = {"comment"};
    ps_score_options_t o = {.size = sizeof o, .keep = keep, .n_keep = 1};
    cr_assert_eq(test_score_text(&c,
                                 KEPT_HEADER "P1,t0,she said \"hi\" twice,1,1,1,1,1,1,1\n"
                                             "P2,t0,ok,1,1,1,1,1,1,1\n",
                                 &o),
                 PS_OK);
    cr_assert_eq(c.n_rejects, 1);
    cr_assert_eq(c.rejects[0].line, 2);
    cr_assert_eq(c.rejects[0].column, 3);
    cr_assert_str_eq(c.rejects[0].column_name, "comment");
    cr_assert_str_eq(c.rejects[0].value, "she said \"hi\" twice");
    cr_assert_str_eq(c.rejects[0].participant_id, "P1");
    cr_assert(strstr(c.rejects[0].reason,
                     "malformed quoting: a quote inside an unquoted field: the row is refused"),
              "%s", c.rejects[0].reason);
    cr_assert_eq(c.summary.rows_scored, 1);
    cr_assert_not_null(test_find(&c, "P2", "t0", "swemwbs.metric"));
    assert_accounted(&c);
}

/* The lines the reader skips to find its footing again are in a refused row, or rows of their own. */
Test(messy, lines_after_malformed_quoting_are_accounted_for)
{
    struct capture c = {0};
    const char *csv = KEPT_HEADER "P1,t0,\"fine\"x,\"two\n"
                                  "lines\",1,1,1,1,1,1,1\n"
                                  "P2,t0,ok,1,1,1,1,1,1,1\n";
    cr_assert_eq(test_score_text(&c, csv, NULL), PS_OK);
    /* The refused row still ends where CSV ends it: its quoted field spans lines 2-3. */
    cr_assert_eq(c.summary.rows_read, 2);
    cr_assert_eq(c.n_rejects, 1);
    cr_assert_eq(c.rejects[0].line, 2);
    cr_assert_str_eq(c.rejects[0].participant_id, "P1");
    cr_assert(strstr(c.rejects[0].reason, "malformed quoting"), "%s", c.rejects[0].reason);
    cr_assert_not_null(test_find(&c, "P2", "t0", "swemwbs.metric"));
    assert_accounted(&c);
}

/*
 * A stray quote before a quoted field with a line break in it: the rows after
 * it are rows of their own, never swallowed into one field up to some later
 * quote, and the batch is never refused for it.
 */
Test(messy, a_stray_quote_before_a_quoted_line_break_loses_no_later_row)
{
    char *csv = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&csv, &size);
    fputs(KEPT_HEADER "P0,t0,5\" tall,1,1,1,1,1,1,\"7\n\"\n", f);
    for (int i = 1; i <= 50; i++)
        fprintf(f, "P%d,t0,fine,1,1,1,1,1,1,1\n", i);
    fputs("P51,t0,\"ok\",1,1,1,1,1,1,1\n", f);
    fclose(f);
    struct capture c = {0};
    cr_assert_eq(test_score_text(&c, csv, NULL), PS_OK);
    cr_assert_eq(c.summary.rows_read, 52);
    cr_assert_eq(c.summary.rows_rejected, 1);
    cr_assert_eq(c.rejects[0].line, 2);
    cr_assert(strstr(c.rejects[0].reason, "a quote inside an unquoted field"), "%s",
              c.rejects[0].reason);
    cr_assert_not_null(test_find(&c, "P50", "t0", "swemwbs.metric"));
    const struct captured_score *last = test_find(&c, "P51", "t0", "swemwbs.metric");
    cr_assert_not_null(last);
    cr_assert_eq(last->line, 54);
    assert_accounted(&c);
}

Test(messy, text_after_a_closing_quote_refuses_that_row_only)
{
    struct capture c = {0};
    const char *csv = KEPT_HEADER "P1,t0,\"fine\" really,1,1,1,1,1,1,1\n"
                                  "P2,t0,ok,1,1,1,1,1,1,1\n";
    cr_assert_eq(test_score_text(&c, csv, NULL), PS_OK);
    cr_assert_eq(c.n_rejects, 1);
    cr_assert_eq(c.rejects[0].line, 2);
    cr_assert_eq(c.rejects[0].column, 3);
    cr_assert_str_eq(c.rejects[0].column_name, "comment");
    cr_assert(strstr(c.rejects[0].reason, "text after the closing quote"), "%s",
              c.rejects[0].reason);
    cr_assert_eq(c.summary.rows_scored, 1);
    cr_assert_not_null(test_find(&c, "P2", "t0", "swemwbs.metric"));
    assert_accounted(&c);
}

Test(messy, a_row_over_the_field_limit_is_ragged_and_reading_goes_on)
{
    char *csv = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&csv, &size);
    fputs(HEADER "P1,t0,1,1,1,1,1,1,1", f);
    for (int i = 0; i < 5000; i++)
        fputs(",x", f);
    fputs("\nP2,t0,1,1,1,1,1,1,1\n", f);
    fclose(f);
    struct capture c = {0};
    cr_assert_eq(test_score_text(&c, csv, NULL), PS_OK);
    cr_assert_eq(c.n_rejects, 1);
    cr_assert_eq(c.rejects[0].line, 2);
    cr_assert(strstr(c.rejects[0].reason, "ragged row: 5009 fields, more than the limit of 4096"),
              "%s", c.rejects[0].reason);
    cr_assert_str_eq(c.rejects[0].participant_id, "P1");
    cr_assert_not_null(test_find(&c, "P2", "t0", "swemwbs.metric"));
    assert_accounted(&c);
}

Test(messy, invalid_utf8_in_a_column_the_run_does_not_use)
{
    struct capture c = {0};
    /* A Windows-1252 header and comment in a column nobody asked for. */
    const char *csv = "participant_id,timepoint,comm\xe9nt,swemwbs_1,swemwbs_2,swemwbs_3,"
                      "swemwbs_4,swemwbs_5,swemwbs_6,swemwbs_7\n"
                      "P1,t0,caf\xe9,1,1,1,1,1,1,1\n";
    cr_assert_eq(test_score_text(&c, csv, NULL), PS_OK, "%s",
                 c.n_diagnostics ? c.diagnostics[0].message : "");
    cr_assert_eq(c.n_rejects, 0);
    cr_assert_eq(c.summary.rows_scored, 1);
}

Test(messy, unterminated_quote_reported_where_it_opened)
{
    char *csv = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&csv, &size);
    fputs(HEADER "P1,t0,\"1,1,1,1,1,1,1\n", f);
    for (int i = 0; i < 30000; i++)
        fprintf(f, "P%d,t0,1,1,1,1,1,1,1\n", i + 2);
    fclose(f);
    struct capture c = {0};
    cr_assert_eq(test_score_text(&c, csv, NULL), PS_ERROR_BATCH);
    cr_assert_eq(c.n_diagnostics, 1);
    cr_assert_eq(c.diagnostics[0].line, 2, "line %lu: %s", c.diagnostics[0].line,
                 c.diagnostics[0].message);
    cr_assert_eq(c.diagnostics[0].column, 3);
    cr_assert(strstr(c.diagnostics[0].message, "never closed"), "%s", c.diagnostics[0].message);
}

Test(messy, whole_number_codes_written_with_decimals)
{
    struct capture c = {0};
    cr_assert_eq(test_score_text(&c, HEADER "P1,t0,3.0,1.00,1,1,1,1,+2.0\n", NULL), PS_OK);
    cr_assert_eq(c.n_rejects, 0, "%s", c.n_rejects ? c.rejects[0].reason : "");
    const struct captured_score *s = test_find(&c, "P1", "t0", "swemwbs.raw");
    cr_assert_not_null(s);
    cr_assert_float_eq(s->value, 3 + 1 + 1 + 1 + 1 + 1 + 2, 1e-9);
    struct capture d = {0};
    assert_cell(one_reject(&d, "P1,t0,3.5,1,1,1,1,1,1"), "swemwbs_1", 3, "3.5",
                "not a whole-number code");
    /* A code's number written another way is refused as such, not as out of range. */
    static const char *const others[] = {"3.", "03", "+3", "3e0", "0x3"};
    for (size_t i = 0; i < sizeof others / sizeof *others; i++) {
        struct capture e = {0};
        char *row;
        cr_assert_geq(asprintf(&row, "P1,t0,%s,1,1,1,1,1,1", others[i]), 0);
        assert_cell(one_reject(&e, row), "swemwbs_1", 3, others[i],
                    "a code written another way: write it as the code itself (codes are 1-5)");
        free(row);
    }
    struct capture f = {0};
    assert_cell(one_reject(&f, "P1,t0,06,1,1,1,1,1,1"), "swemwbs_1", 3, "06",
                "code out of range (codes are 1-5)");
}

/* A Windows-1252 batch: "Caf\xe9" is Café once converted. */
Test(messy, encoding_converted_on_input)
{
    struct capture c = {0};
    const char *keep[] = {"comment"};
    ps_score_options_t o = {.size = sizeof o, .keep = keep, .n_keep = 1,
                            .encoding = "windows-1252"};
    cr_assert_eq(test_score_text(&c, KEPT_HEADER "P1,t0,Caf\xe9 \x93ok\x94,1,1,1,1,1,1,1\n", &o),
                 PS_OK);
    cr_assert_str_eq(test_find(&c, "P1", "t0", "swemwbs.metric")->kept0,
                     "Caf\xc3\xa9 \xe2\x80\x9cok\xe2\x80\x9d");
    struct capture d = {0};
    ps_score_options_t latin = {.size = sizeof latin, .keep = keep, .n_keep = 1,
                                .encoding = "latin1"};
    cr_assert_eq(test_score_text(&d, KEPT_HEADER "P1,t0,Caf\xe9,1,1,1,1,1,1,1\n", &latin), PS_OK);
    cr_assert_str_eq(test_find(&d, "P1", "t0", "swemwbs.metric")->kept0, "Caf\xc3\xa9");
}

/* The batch as UTF-16LE with a byte-order mark. */
static char *utf16(const char *ascii, long *length)
{
    size_t n = strlen(ascii);
    char *out = malloc(2 * n + 2);
    out[0] = (char)0xFF;
    out[1] = (char)0xFE;
    for (size_t i = 0; i < n; i++) {
        out[2 + 2 * i] = ascii[i];
        out[3 + 2 * i] = 0;
    }
    *length = (long)(2 * n + 2);
    return out;
}

Test(messy, utf16_needs_its_encoding_and_says_so)
{
    long length;
    char *text = utf16(HEADER "P1,t0,1,1,1,1,1,1,1\n", &length);
    struct capture c = {0};
    ps_context_t *context = test_context(&c);
    ps_scorer_t *scorer;
    ps_score_options_t o = {.size = sizeof o};
    ps_score_handlers_t h = {.score = test_on_score, .user = &c};
    cr_assert_eq(ps_scorer_new(context, &o, &h, &scorer), PS_OK);
    char *file = test_file("utf16.csv", text, length);
    cr_assert_eq(ps_scorer_score_file(scorer, file), PS_ERROR_BATCH);
    cr_assert(strstr(c.diagnostics[0].message, "--encoding utf-16"), "%s",
              c.diagnostics[0].message);
    cr_assert_eq(c.diagnostics[0].line, 1);
    ps_scorer_free(scorer);
    o.encoding = "utf-16";
    cr_assert_eq(ps_scorer_new(context, &o, &h, &scorer), PS_OK);
    cr_assert_eq(ps_scorer_score_file(scorer, file), PS_OK);
    cr_assert_not_null(test_find(&c, "P1", "t0", "swemwbs.metric"));
    ps_scorer_free(scorer);
    o.encoding = "no-such-encoding";
    cr_assert_eq(ps_scorer_new(context, &o, &h, &scorer), PS_ERROR_USAGE);
    cr_assert(strstr(c.diagnostics[c.n_diagnostics - 1].message, "unknown encoding"));
    ps_context_free(context);
}

Test(messy, semicolons_need_their_delimiter_and_say_so)
{
    const char *csv = "participant_id;timepoint;swemwbs_1;swemwbs_2;swemwbs_3;swemwbs_4;"
                      "swemwbs_5;swemwbs_6;swemwbs_7\nP1;t0;1;1;1;1;1;1;1\n";
    struct capture c = {0};
    cr_assert_eq(test_score_text(&c, csv, NULL), PS_ERROR_BATCH);
    cr_assert(strstr(c.diagnostics[0].message, "--delimiter ';'"), "%s",
              c.diagnostics[0].message);
    struct capture d = {0};
    ps_score_options_t o = {.size = sizeof o, .delimiter = ';'};
    cr_assert_eq(test_score_text(&d, csv, &o), PS_OK);
    cr_assert_float_eq(test_find(&d, "P1", "t0", "swemwbs.raw")->value, 7, 1e-9);
}

/* A tab-separated batch read with commas: its header is one column, and the message says so. */
Test(messy, tabs_need_their_delimiter_and_say_so)
{
    const char *tsv = "participant_id\ttimepoint\tswemwbs_1\tswemwbs_2\tswemwbs_3\tswemwbs_4\t"
                      "swemwbs_5\tswemwbs_6\tswemwbs_7\nP1\tt0\t1\t1\t1\t1\t1\t1\t1\n";
    struct capture c = {0};
    cr_assert_eq(test_score_text(&c, tsv, NULL), PS_ERROR_BATCH);
    cr_assert_str_eq(c.diagnostics[0].message,
                     "the header is one column holding tabs: the file seems to be "
                     "tab-separated: give --delimiter tab");
    struct capture d = {0};
    ps_score_options_t o = {.size = sizeof o, .delimiter = '\t'};
    cr_assert_eq(test_score_text(&d, tsv, &o), PS_OK);
    cr_assert_float_eq(test_find(&d, "P1", "t0", "swemwbs.raw")->value, 7, 1e-9);
}

/*
 * A long export's columns are named by --long, which takes no --id-column:
 * a part saved without its header row is missing its id column "(see --long)".
 */
Test(messy, a_long_export_without_its_header_points_to_long)
{
    const char *part = "A,2025-01-06,wemwbs_8,2\nA,2025-01-06,wemwbs_9,2\n";
    ps_score_options_t o = {.size = sizeof o, .id_column = "pid", .date_column = "date",
                            .item_column = "item", .value_column = "value"};
    struct capture c = {0};
    cr_assert_eq(test_score_text(&c, part, &o), PS_ERROR_BATCH);
    cr_assert_str_eq(c.diagnostics[0].message,
                     "no participant id column 'pid' in the header (see --long)");
    struct capture d = {0};
    cr_assert_eq(test_score_text(&d, "pid,when,item,value\nA,2025-01-06,wemwbs_8,2\n", &o),
                 PS_ERROR_BATCH);
    cr_assert_str_eq(d.diagnostics[0].message, "no date column 'date' in the header (see --long)");
}

/*
 * A refused header with kept columns, scored again and again on one CPU: the
 * rows are never read with a half-built plan (it crashed about one run in
 * twelve when the reading thread started before the header was refused).
 */
Test(batches, refused_header_with_kept_columns_many_times_on_one_cpu)
{
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(0, &one);
    cr_assert_eq(sched_setaffinity(0, sizeof one, &one), 0);
    char *csv = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&csv, &size);
    fputs("participant_id,timepoint,site,SITE,swemwbs_1,swemwbs_2,swemwbs_3,swemwbs_4,"
          "swemwbs_5,swemwbs_6,swemwbs_7\n", f);
    for (int i = 0; i < 5000; i++)
        fprintf(f, "P%d,t0,a,b,1,2,3,4,5,4,3\n", i);
    fclose(f);
    char *file = test_file("site.csv", csv, -1);
    struct capture c = {0};
    ps_context_t *context = test_context(&c);
    const char *keep[] = {"site"};
    for (int run = 0; run < 300; run++) {
        ps_score_options_t o = {.size = sizeof o, .keep = keep, .n_keep = 1};
        ps_score_handlers_t h = {.score = test_on_score, .user = &c};
        ps_scorer_t *scorer;
        cr_assert_eq(ps_scorer_new(context, &o, &h, &scorer), PS_OK);
        c.n_diagnostics = 0;
        cr_assert_eq(ps_scorer_score_file(scorer, file), PS_ERROR_BATCH);
        cr_assert_eq(c.n_scores, 0);
        cr_assert_eq(c.diagnostics[0].line, 1);
        cr_assert(strstr(c.diagnostics[0].message, "'SITE' repeats column 3"), "%s",
                  c.diagnostics[0].message);
        ps_scorer_free(scorer);
    }
    ps_context_free(context);
}
