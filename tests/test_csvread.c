/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The CSV reader and the pipeline behind the scorer: lines, quotes, faults
 * that refuse a row, input that arrives in pieces, and stopping a reader that
 * waits on a pipe. Links the library's private parts.
 */
#include "config.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "csvread.h"
#include "helpers.h"
#include "limits.h"
#include "pipeline.h"

struct row {
    unsigned long line;
    size_t n;
    char *fields[8];
    const char *fault;
    unsigned long fault_column;
};

struct rows {
    struct row row[16];
    size_t n;
    ps_error_t error;
    struct capture capture;
};

/* Reads every record of 'file' into 'out'; returns what stopped the read. */
static ps_error_t read_all(const char *file, const ps_csv_options_t *options, struct rows *out)
{
    ps_context_t *context = test_context(&out->capture);
    ps_csv_reader_t *r;
    ps_error_t err = ps_csv_open(context, file, options, &r);
    if (err)
        return err;
    ps_csv_record_t *rec;
    while (!(err = ps_csv_next(r, &rec)) && rec) {
        cr_assert_lt(out->n, 16);
        struct row *row = &out->row[out->n++];
        row->line = rec->line;
        row->n = rec->n_fields;
        row->fault = rec->fault;
        row->fault_column = rec->fault_column;
        for (size_t f = 0; f < rec->n_fields && f < 8; f++)
            row->fields[f] = strndup(rec->fields[f], rec->lengths[f]);
    }
    if (err)
        err = ps_csv_report(context, r);
    ps_csv_close(r);
    ps_context_free(context);
    return out->error = err;
}

static ps_error_t read_text(const char *text, long length, struct rows *out)
{
    return read_all(test_file("in.csv", text, length), NULL, out);
}

Test(csvread, every_record_knows_its_line)
{
    struct rows r = {0};
    cr_assert_eq(read_text("a,b\r\n\"x\r\ny\",2\r\n\r\n  c , d \rlast,\"q\"\"q\"", -1, &r), PS_OK);
    cr_assert_eq(r.n, 4);
    cr_assert_eq(r.row[0].line, 1);
    cr_assert_eq(r.row[1].line, 2);
    cr_assert_str_eq(r.row[1].fields[0], "x\r\ny");
    cr_assert_eq(r.row[2].line, 5);
    cr_assert_str_eq(r.row[2].fields[0], "c");
    cr_assert_str_eq(r.row[2].fields[1], "d");
    cr_assert_eq(r.row[3].line, 6);
    cr_assert_str_eq(r.row[3].fields[1], "q\"q");
}

Test(csvread, a_cr_then_a_later_lf_are_two_line_breaks)
{
    /* Only a LF right after a CR is the same line break as the CR. */
    struct rows r = {0};
    cr_assert_eq(read_text("a\rb\nc\r\"l1\nl2\",y\r\nz\n", -1, &r), PS_OK);
    cr_assert_eq(r.n, 5);
    cr_assert_eq(r.row[1].line, 2);
    cr_assert_eq(r.row[2].line, 3);
    cr_assert_eq(r.row[3].line, 4);
    cr_assert_str_eq(r.row[3].fields[0], "l1\nl2");
    cr_assert_eq(r.row[4].line, 6);
}

Test(csvread, a_stray_quote_refuses_its_row_only)
{
    struct rows r = {0};
    cr_assert_eq(read_text("id,comment\n1,she said \"hi\"\n2,5\" tall\n3,ok\n", -1, &r), PS_OK);
    cr_assert_eq(r.n, 4);
    for (int i = 1; i <= 2; i++) {
        cr_assert_not_null(r.row[i].fault);
        cr_assert(strstr(r.row[i].fault, "malformed quoting: a quote inside an unquoted field"),
                  "%s", r.row[i].fault);
        cr_assert_eq(r.row[i].fault_column, 2);
        cr_assert_eq(r.row[i].line, (unsigned long)i + 1);
    }
    /* The field at fault as written, for the message. */
    cr_assert_eq(r.row[1].n, 2);
    cr_assert_str_eq(r.row[1].fields[1], "she said \"hi\"");
    cr_assert_str_eq(r.row[2].fields[1], "5\" tall");
    cr_assert_null(r.row[3].fault);
    cr_assert_eq(r.row[3].line, 4);
    cr_assert_str_eq(r.row[3].fields[1], "ok");
}

Test(csvread, text_after_a_closing_quote_is_the_rows_fault)
{
    struct rows r = {0};
    cr_assert_eq(read_text("a,b,c\n1,\"x\"y,3\n4,5,6\n", -1, &r), PS_OK);
    cr_assert_eq(r.n, 3);
    cr_assert_not_null(r.row[1].fault);
    cr_assert(strstr(r.row[1].fault, "malformed quoting: text after the closing quote"), "%s",
              r.row[1].fault);
    cr_assert_eq(r.row[1].fault_column, 2);
    /* The field at fault as written; the row goes on after it. */
    cr_assert_eq(r.row[1].n, 3);
    cr_assert_str_eq(r.row[1].fields[1], "xy");
    cr_assert_str_eq(r.row[1].fields[2], "3");
    cr_assert_null(r.row[2].fault);
    cr_assert_eq(r.row[2].line, 3);
    cr_assert_str_eq(r.row[2].fields[2], "6");
}

/* A refused field at the very end of the input, with no line break: its row is still read. */
Test(csvread, a_refused_field_at_the_end_of_the_input_still_ends_its_row)
{
    static const char *const texts[] = {"a,b\n1,2\n3,x\"y", "a,b\n1,2\n3,x\"y,",
                                        "a,b\n1,2\n3,\"x\"y"};
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        struct rows r = {0};
        cr_assert_eq(read_text(texts[i], -1, &r), PS_OK, "%zu", i);
        cr_assert_eq(r.n, 3, "%zu: the header, 1,2 and the refused row", i);
        cr_assert_not_null(r.row[2].fault, "%zu", i);
        cr_assert_eq(r.row[2].line, 3, "%zu", i);
        cr_assert_str_eq(r.row[2].fields[0], "3", "%zu", i);
    }
}

/*
 * A row refused for its quoting still ends where CSV ends it: a quoted field
 * after the one at fault, line breaks and all, is the row's; every line is in
 * the refused row's span or in a row of its own.
 */
Test(csvread, reading_goes_on_at_the_line_after_a_refused_row)
{
    struct rows r = {0};
    cr_assert_eq(read_text("a,b,c\n"
                           "1,\"two\nlines\"x,\"opens\n"  /* lines 2-4: one row, refused */
                           "here\",3\n"
                           "\n"
                           "4,5,6\n",                     /* line 6 */
                           -1, &r),
                 PS_OK);
    cr_assert_eq(r.n, 3);
    cr_assert_eq(r.row[1].line, 2);
    cr_assert_not_null(r.row[1].fault);
    cr_assert_eq(r.row[1].fault_column, 2);
    cr_assert_eq(r.row[1].n, 4);
    cr_assert_str_eq(r.row[1].fields[1], "two\nlinesx");
    cr_assert_str_eq(r.row[1].fields[2], "opens\nhere");
    cr_assert_str_eq(r.row[1].fields[3], "3");
    cr_assert_null(r.row[2].fault);
    cr_assert_eq(r.row[2].line, 6);
    cr_assert_str_eq(r.row[2].fields[0], "4");
    /* The same with CR LF line endings. */
    struct rows s = {0};
    cr_assert_eq(read_text("a,b\r\n1,x\"y\r\n\"2\r\n2\",3\r\n", -1, &s), PS_OK);
    cr_assert_eq(s.n, 3);
    cr_assert_eq(s.row[1].line, 2);
    cr_assert_not_null(s.row[1].fault);
    cr_assert_eq(s.row[2].line, 3);
    cr_assert_null(s.row[2].fault);
    cr_assert_str_eq(s.row[2].fields[0], "2\r\n2");
}

Test(csvread, too_many_fields_is_the_rows_fault)
{
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    fputs("a,b\n1", f);
    for (unsigned i = 0; i < PS_MAX_COLUMNS + 10; i++)
        fputs(",x", f);
    fputs("\n2,3\n", f);
    fclose(f);
    ps_context_t *context = test_context(NULL);
    ps_csv_reader_t *r;
    cr_assert_eq(ps_csv_open(context, test_file("wide.csv", text, -1), NULL, &r), PS_OK);
    ps_csv_record_t *rec;
    cr_assert_eq(ps_csv_next(r, &rec), PS_OK);
    cr_assert_eq(ps_csv_next(r, &rec), PS_OK);
    cr_assert_not_null(rec->fault);
    cr_assert_eq(rec->n_fields, PS_MAX_COLUMNS);
    cr_assert_eq(rec->n_fields_found, PS_MAX_COLUMNS + 11);
    cr_assert_eq(rec->line, 2);
    cr_assert_eq(ps_csv_next(r, &rec), PS_OK);
    cr_assert_null(rec->fault);
    cr_assert_eq(rec->line, 3);
    cr_assert_str_eq(rec->fields[1], "3");
    cr_assert_eq(ps_csv_next(r, &rec), PS_OK);
    cr_assert_null(rec);
    ps_csv_close(r);
    ps_context_free(context);
}

Test(csvread, an_unclosed_quote_is_reported_where_it_opened)
{
    struct rows r = {0};
    cr_assert_eq(read_text("a,b\n1,2\n3,\"open\n4,5\n6,7\n", -1, &r), PS_ERROR_BATCH);
    cr_assert_eq(r.capture.diagnostics[0].line, 3);
    cr_assert_eq(r.capture.diagnostics[0].column, 2);
    /* In a record's first field, after blank lines. */
    struct rows t = {0};
    cr_assert_eq(read_text("a,b\n\n  \n \"open\nx\n", -1, &t), PS_ERROR_BATCH);
    cr_assert_eq(t.capture.diagnostics[0].line, 4);
    cr_assert_eq(t.capture.diagnostics[0].column, 1);
    /* One that runs past the field limit, too, and not where the limit is reached. */
    size_t big = PS_MAX_FIELD_BYTES + 1000;
    char *text = malloc(big + 100);
    strcpy(text, "a,b\n1,\"");
    size_t n = strlen(text);
    for (size_t i = 0; i < big; i++)
        text[n + i] = i % 100 == 99 ? '\n' : 'x';
    text[n + big] = '\0';
    struct rows s = {0};
    cr_assert_eq(read_text(text, -1, &s), PS_ERROR_LIMIT);
    cr_assert_eq(s.capture.diagnostics[0].line, 2);
    cr_assert(strstr(s.capture.diagnostics[0].message, "never closed"), "%s",
              s.capture.diagnostics[0].message);
}

/* A writer on a pipe that sends 'first' bytes of 'text', waits, then the rest. */
static pid_t slow_writer(const char *text, size_t length, size_t first, int *read_end)
{
    int p[2];
    cr_assert_eq(pipe(p), 0);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        close(p[0]);
        if (write(p[1], text, first) != (ssize_t)first)
            _exit(1);
        nanosleep(&(struct timespec){0, 100 * 1000 * 1000}, NULL);
        if (write(p[1], text + first, length - first) != (ssize_t)(length - first))
            _exit(1);
        _exit(0);
    }
    close(p[1]);
    *read_end = p[0];
    return pid;
}

Test(csvread, a_bom_split_across_two_reads_of_a_pipe)
{
    const char text[] = "\xEF\xBB\xBFid,x\n1,2\n";
    int fd;
    pid_t pid = slow_writer(text, sizeof text - 1, 1, &fd);
    char path[64];
    snprintf(path, sizeof path, "/dev/fd/%d", fd);
    struct rows r = {0};
    cr_assert_eq(read_all(path, NULL, &r), PS_OK);
    cr_assert_eq(r.n, 2);
    cr_assert_str_eq(r.row[0].fields[0], "id");
    waitpid(pid, NULL, 0);
}

Test(csvread, a_refused_rows_line_split_across_two_reads)
{
    /* The rest of the refused field comes in the second read; the row goes on after it. */
    const char text[] = "a,b\n1,\"x\"y,\"z\nw\"\n2,3\n";
    int fd;
    pid_t pid = slow_writer(text, sizeof text - 1, 11, &fd);
    char path[64];
    snprintf(path, sizeof path, "/dev/fd/%d", fd);
    struct rows r = {0};
    cr_assert_eq(read_all(path, NULL, &r), PS_OK);
    cr_assert_eq(r.n, 3);
    cr_assert_not_null(r.row[1].fault);
    cr_assert_eq(r.row[1].line, 2);
    cr_assert_eq(r.row[1].n, 3);
    cr_assert_str_eq(r.row[1].fields[2], "z\nw");
    cr_assert_null(r.row[2].fault);
    cr_assert_eq(r.row[2].line, 4);
    cr_assert_str_eq(r.row[2].fields[0], "2");
    waitpid(pid, NULL, 0);
}

Test(csvread, utf16_split_inside_a_character)
{
    /* "id,x\n1,\u00e9\n" in UTF-16LE with its BOM, cut after an odd byte. */
    const char text[] = "\xFF\xFEi\0d\0,\0x\0\n\0" "1\0,\0\xE9\0\n\0";
    int fd;
    pid_t pid = slow_writer(text, sizeof text - 1, 7, &fd);
    char path[64];
    snprintf(path, sizeof path, "/dev/fd/%d", fd);
    struct rows r = {0};
    ps_csv_options_t o = {.encoding = "utf-16"};
    cr_assert_eq(read_all(path, &o, &r), PS_OK);
    cr_assert_eq(r.n, 2);
    cr_assert_str_eq(r.row[0].fields[0], "id");
    cr_assert_str_eq(r.row[1].fields[1], "\xC3\xA9");
    cr_assert_eq(r.row[1].line, 2);
    waitpid(pid, NULL, 0);
}

Test(csvread, bytes_not_in_the_encoding_are_reported_with_their_line)
{
    struct rows r = {0};
    ps_csv_options_t o = {.encoding = "ascii"};
    cr_assert_eq(read_all(test_file("in.csv", "a,b\n1,2\n3,\xE9\n", -1), &o, &r), PS_ERROR_BATCH);
    cr_assert_eq(r.capture.diagnostics[0].line, 3);
    cr_assert(strstr(r.capture.diagnostics[0].message, "not ascii text"), "%s",
              r.capture.diagnostics[0].message);
}

Test(csvread, a_reader_waiting_on_a_pipe_can_be_cancelled, .timeout = 10)
{
    int input[2], cancel[2];
    cr_assert_eq(pipe(input), 0);
    cr_assert_eq(pipe(cancel), 0);
    cr_assert_eq(write(input[1], "a,b\n", 4), 4);
    char path[64];
    snprintf(path, sizeof path, "/dev/fd/%d", input[0]);
    ps_context_t *context = test_context(NULL);
    ps_csv_reader_t *r;
    cr_assert_eq(ps_csv_open(context, path, NULL, &r), PS_OK);
    ps_csv_set_cancel_fd(r, cancel[0]);
    ps_csv_record_t *rec;
    cr_assert_eq(ps_csv_next(r, &rec), PS_OK);
    cr_assert_eq(write(cancel[1], "", 1), 1);
    /* The write end stays open: without the cancel this would wait for ever. */
    cr_assert_eq(ps_csv_next(r, &rec), PS_ERROR_ABORTED);
    ps_csv_close(r);
    ps_context_free(context);
}

/* ---- The pipeline: the same rows, in the same order, with one thread or two. ---- */

struct trace {
    char *text;
    size_t size;
    FILE *f;
};

static void prepare_line(ps_csv_record_t *record, void *row, void *user)
{
    (void)user;
    *(size_t *)row = record->n_fields * 1000 + record->lengths[0];
}

static ps_error_t finish_line(const ps_csv_record_t *record, void *row, void *user)
{
    struct trace *t = user;
    fprintf(t->f, "%lu:%zu:%s;", record->line, *(size_t *)row, record->fields[0]);
    return record->line == 50001 ? PS_ERROR_ABORTED : PS_OK;
}

static char *run_pipeline(const char *file, unsigned threads, ps_error_t *err)
{
    struct trace t = {0};
    t.f = open_memstream(&t.text, &t.size);
    ps_context_t *context = test_context(NULL);
    ps_csv_reader_t *r;
    cr_assert_eq(ps_csv_open(context, file, NULL, &r), PS_OK);
    ps_pipeline_stages_t stages = {prepare_line, finish_line, NULL, sizeof(size_t), &t};
    *err = ps_pipeline_run(context, r, threads, &stages);
    ps_csv_close(r);
    ps_context_free(context);
    fclose(t.f);
    return t.text;
}

Test(pipeline, one_thread_or_two_give_the_same_rows_in_order)
{
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    for (int i = 0; i < 60000; i++)
        fprintf(f, "row%d,%s\n", i, i % 7 ? "x" : "\"y\ny\"");
    fclose(f);
    char *file = test_file("rows.csv", text, -1);
    ps_error_t one, two;
    char *a = run_pipeline(file, 1, &one), *b = run_pipeline(file, 0, &two);
    cr_assert_eq(one, PS_ERROR_ABORTED);
    cr_assert_eq(two, PS_ERROR_ABORTED);
    cr_assert_str_eq(a, b);
    cr_assert(strstr(a, "50001:"));
    cr_assert_null(strstr(a, "50002:"));
}

/* ---- Input in another encoding than the one given. ---- */

/* Frees what a capture holds of its diagnostics. */
static void free_diagnostics(struct capture *capture)
{
    for (size_t i = 0; i < capture->n_diagnostics; i++) {
        free(capture->diagnostics[i].file);
        free(capture->diagnostics[i].message);
    }
    capture->n_diagnostics = 0;
}

/* Frees what read_all kept. */
static void free_rows(struct rows *r)
{
    for (size_t i = 0; i < r->n; i++)
        for (size_t f = 0; f < r->row[i].n && f < 8; f++)
            free(r->row[i].fields[f]);
    r->n = 0;
    free_diagnostics(&r->capture);
}

/* Reads 'length' bytes (-1: a string) as 'encoding'; returns the error and keeps the rows. */
static ps_error_t read_as(const char *text, long length, const char *encoding, struct rows *r)
{
    ps_csv_options_t o = {.encoding = encoding};
    char *path = test_file("in.csv", text, length);
    ps_error_t err = read_all(path, &o, r);
    free(path);
    return err;
}

static void assert_refused_as(const char *text, long length, const char *encoding,
                              unsigned long line, const char *message)
{
    struct rows r = {0};
    cr_assert_eq(read_as(text, length, encoding, &r), PS_ERROR_BATCH, "%s", encoding);
    cr_assert_eq(r.capture.n_diagnostics, 1);
    cr_assert_eq(r.capture.diagnostics[0].line, line, "%s", r.capture.diagnostics[0].message);
    cr_assert_str_eq(r.capture.diagnostics[0].message, message);
    free_rows(&r);
}

Test(csvread, utf_8_read_one_byte_a_character_is_refused)
{
    /* £10 fare – it’s paid, in UTF-8, would be Â£10 fare â€“ itâ€™s paid. */
    assert_refused_as("id,comment\r\n1,\xc2\xa3" "10 fare \xe2\x80\x93 it\xe2\x80\x99s paid\r\n",
                      -1, "windows-1252", 2,
                      "the file is UTF-8 already (bytes 0xC2 0xA3 here are the UTF-8 of one "
                      "character, which read as windows-1252 would be garbled): leave out "
                      "--encoding");
    assert_refused_as("\xef\xbb\xbfid,x\n1,a\n", -1, "windows-1252", 1,
                      "the file starts with a UTF-8 byte-order mark: it is UTF-8 already, not "
                      "windows-1252: leave out --encoding");
    assert_refused_as("\xef\xbb\xbfid,x\n1,a\n", -1, "utf-16", 1,
                      "the file starts with a UTF-8 byte-order mark: it is UTF-8 already, not "
                      "utf-16: leave out --encoding");

    /* Decided block by block: the first character of several bytes may come late. */
    size_t n = 200000;
    char *text = malloc(n + 64);
    cr_assert_not_null(text);
    /* Row k on line k + 1, after the header: the last, row 'lines', on line lines + 1. */
    size_t used = (size_t)sprintf(text, "id,x\n");
    unsigned long lines = 1;
    while (used < n) {
        used += (size_t)sprintf(text + used, "%lu,plain\n", lines);
        lines++;
    }
    used += (size_t)sprintf(text + used, "%lu,caf\xc3\xa9\n", lines);
    struct capture capture = {0};
    ps_context_t *context = test_context(&capture);
    char *path = test_file("long.csv", text, (long)used);
    ps_csv_options_t o = {.encoding = "latin1"};
    ps_csv_reader_t *reader;
    cr_assert_eq(ps_csv_open(context, path, &o, &reader), PS_OK);
    ps_csv_record_t *rec;
    ps_error_t err;
    unsigned long records = 0;
    while (!(err = ps_csv_next(reader, &rec)) && rec)
        records++;
    cr_assert_eq(err, PS_ERROR_BATCH);
    cr_assert_gt(records, 1000, "rows of the blocks before are read");
    cr_assert_eq(ps_csv_report(context, reader), PS_ERROR_BATCH);
    cr_assert_eq(capture.diagnostics[0].line, lines + 1, "%lu", capture.diagnostics[0].line);
    cr_assert_str_eq(capture.diagnostics[0].message,
                     "the file is UTF-8 already (bytes 0xC3 0xA9 here are the UTF-8 of one "
                     "character, which read as latin1 would be garbled): leave out --encoding");
    ps_csv_close(reader);
    ps_context_free(context);
    free_diagnostics(&capture);
    free(path);
    free(text);

    /* Windows-1252 text is not UTF-8, and reads as it should. */
    struct rows r = {0};
    cr_assert_eq(read_as("id,x\n1,caf\xe9 \x96 \xa3" "3\n", -1, "windows-1252", &r), PS_OK);
    cr_assert_str_eq(r.row[1].fields[1], "caf\xc3\xa9 \xe2\x80\x93 \xc2\xa3" "3");
    free_rows(&r);
}

/*
 * Reads 'length' bytes as 'encoding' record by record, however many: the
 * records read before the read stopped, and its one diagnostic in 'capture'.
 */
static ps_error_t read_many_as(const char *text, size_t length, const char *encoding,
                               unsigned long *records, struct capture *capture)
{
    ps_context_t *context = test_context(capture);
    char *path = test_file("many.csv", text, (long)length);
    ps_csv_options_t o = {.encoding = encoding};
    ps_csv_reader_t *reader;
    cr_assert_eq(ps_csv_open(context, path, &o, &reader), PS_OK);
    ps_csv_record_t *rec;
    ps_error_t err;
    *records = 0;
    while (!(err = ps_csv_next(reader, &rec)) && rec)
        ++*records;
    if (err)
        err = ps_csv_report(context, reader);
    ps_csv_close(reader);
    ps_context_free(context);
    free(path);
    return err;
}

/* Rows "k,plain" from line 2 on, up to 'n' bytes, after the header "id,x" and 'first'. */
static size_t plain_rows(char *text, size_t n, const char *first, unsigned long *next_line)
{
    size_t used = (size_t)sprintf(text, "id,x\n%s", first);
    unsigned long line = 2 + (*first != '\0');
    while (used < n)
        used += (size_t)sprintf(text + used, "%lu,plain\n", line++);
    *next_line = line;
    return used;
}

/*
 * A file holding UTF-8 and bytes that are not UTF-8 (two exports joined, one
 * edited in two programs) is read wrongly whatever its --encoding: refused,
 * naming both, wherever they are.
 */
Test(csvread, a_file_in_two_encodings_read_one_byte_a_character_is_refused_naming_both_lines)
{
    /* Windows-1252 (it’s) first, then UTF-8 (£) in the same block. */
    assert_refused_as("NHS Number,Comments\r\n9434765919,it\x92s ok\r\n9434765919,\xc2\xa3"
                      "10 paid\r\n",
                      -1, "windows-1252", 3,
                      "the file holds UTF-8 text (line 3: bytes 0xC2 0xA3, one character) though "
                      "read as windows-1252, as its other text is (line 2: byte 0x92, not "
                      "UTF-8): it mixes two encodings, and read as either, part of it would be "
                      "garbled: save it in one encoding");
    /* UTF-8 (’, three bytes) first, then Windows-1252 (é) further on in the block. */
    assert_refused_as("id,x\n1,it\xe2\x80\x99s\n2,caf\xe9\n", -1, "latin1", 2,
                      "the file holds UTF-8 text (line 2: bytes 0xE2 0x80 0x99, one character) "
                      "though read as latin1, as its other text is (line 3: byte 0xE9, not "
                      "UTF-8): it mixes two encodings, and read as either, part of it would be "
                      "garbled: save it in one encoding");
    /* A lead byte without its continuation is not UTF-8: Ã before a space, é before a quote. */
    assert_refused_as("id,x\n1,\xc3 \xe9\x92s\n2,\xf0\x9f\x98\x80\n", -1, "windows-1252", 3,
                      "the file holds UTF-8 text (line 3: bytes 0xF0 0x9F 0x98 0x80, one "
                      "character) though read as windows-1252, as its other text is (line 2: "
                      "byte 0xC3, not UTF-8): it mixes two encodings, and read as either, part "
                      "of it would be garbled: save it in one encoding");

    /* The UTF-8 blocks after the stray byte (past 64 KiB) are looked at all the same. */
    const size_t n = 200000;
    char *text = malloc(n + 64);
    cr_assert_not_null(text);
    unsigned long line;
    size_t used = plain_rows(text, n, "1,it\x92s ok\n", &line);
    used += (size_t)sprintf(text + used, "%lu,\xc2\xa3" "10 paid\n", line);
    struct capture capture = {0};
    unsigned long records;
    cr_assert_eq(read_many_as(text, used, "windows-1252", &records, &capture), PS_ERROR_BATCH);
    cr_assert_gt(records, 1000, "rows of the blocks before are read");
    cr_assert_eq(capture.n_diagnostics, 1);
    cr_assert_eq(capture.diagnostics[0].line, line);
    char *expected;
    cr_assert_geq(asprintf(&expected,
                           "the file holds UTF-8 text (line %lu: bytes 0xC2 0xA3, one character) "
                           "though read as windows-1252, as its other text is (line 2: byte "
                           "0x92, not UTF-8): it mixes two encodings, and read as either, part "
                           "of it would be garbled: save it in one encoding",
                           line),
                  0);
    cr_assert_str_eq(capture.diagnostics[0].message, expected);
    free(expected);
    free_diagnostics(&capture);
    free(text);
}

/* A character whose bytes straddle two blocks (64 KiB reads) is named by its bytes, once. */
Test(csvread, a_utf_8_character_across_two_blocks_is_named_by_its_bytes)
{
    const size_t block = 1 << 16;
    char *text = malloc(block + 64);
    cr_assert_not_null(text);
    unsigned long line;
    size_t used = plain_rows(text, block - 40, "", &line);
    /* The row's text runs up to the last byte of the block, where the £ begins. */
    used += (size_t)sprintf(text + used, "%lu,", line);
    memset(text + used, 'x', block - 1 - used);
    used = block - 1;
    used += (size_t)sprintf(text + used, "\xc2\xa3" "10\n");
    struct capture capture = {0};
    unsigned long records;
    cr_assert_eq(read_many_as(text, used, "windows-1252", &records, &capture), PS_ERROR_BATCH);
    cr_assert_eq(capture.diagnostics[0].line, line);
    cr_assert_str_eq(capture.diagnostics[0].message,
                     "the file is UTF-8 already (bytes 0xC2 0xA3 here are the UTF-8 of one "
                     "character, which read as windows-1252 would be garbled): leave out "
                     "--encoding");
    free_diagnostics(&capture);
    free(text);
}

/* Whether a whole file is UTF-8 text: a map is read so when it is, whatever --encoding says. */
Test(csvread, a_file_is_utf_8_text_when_every_byte_is)
{
    static const struct {
        const char *text;
        long length;
        int utf8;
    } cases[] = {
        {"header,item\nI\xe2\x80\x99ve been feeling useful,wemwbs.2\n", -1, 1},
        {"\xef\xbb\xbfheader,item\nQ1,wemwbs.1\n", -1, 1},
        {"header,item\nQ1,wemwbs.1\n", -1, 1},
        {"header,item\nI\x92ve been feeling useful,wemwbs.2\n", -1, 0},
        {"header,item\ncaf\xc3", -1, 0},  /* a character cut short at the end */
        {"h\0e\0a\0d\0", 8, 0},         /* UTF-16 without a BOM: ASCII, but NUL bytes */
        {"\xff\xfeh\0", 4, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *path = test_file("map.csv", cases[i].text, cases[i].length);
        cr_assert_eq(ps_csv_is_utf8(path), cases[i].utf8, "case %zu", i);
        free(path);
    }
    cr_assert_eq(ps_csv_is_utf8("-"), -1, "standard input is not read ahead");
    char *missing = test_path("none.csv");
    cr_assert_eq(ps_csv_is_utf8(missing), -1);
    free(missing);
}

Test(csvread, windows_1252_read_as_latin1_is_refused_for_its_control_characters)
{
    assert_refused_as("id,x\r\n1,fine\r\n2,it\x92s \x96 paid\r\n", -1, "latin1", 3,
                      "read as latin1, bytes 0x80-0x9F are control characters (byte 0x92 here): "
                      "the file is probably windows-1252: give --encoding windows-1252");
    assert_refused_as("id,x\n1,\x9a\n", -1, "iso-8859-2", 2,
                      "read as iso-8859-2, bytes 0x80-0x9F are control characters (byte 0x9A "
                      "here): the file is probably windows-1250: give --encoding windows-1250");
    /* The shipped export is Windows-1252: its header has an en dash (0x96). */
    char *export = test_data("export/wemwbs-export-cp1252.csv");
    struct rows r = {0};
    ps_csv_options_t o = {.encoding = "latin1"};
    cr_assert_eq(read_all(export, &o, &r), PS_ERROR_BATCH);
    cr_assert_eq(r.capture.diagnostics[0].line, 1);
    cr_assert(strstr(r.capture.diagnostics[0].message, "the file is probably windows-1252"), "%s",
              r.capture.diagnostics[0].message);
    free_rows(&r);
    free(export);
    /* Latin-1 itself reads as it should. */
    struct rows ok = {0};
    cr_assert_eq(read_as("id,x\n1,caf\xe9\n", -1, "latin1", &ok), PS_OK);
    cr_assert_str_eq(ok.row[1].fields[1], "caf\xc3\xa9");
    free_rows(&ok);
}

Test(csvread, utf_16_in_the_wrong_byte_order_or_read_as_another_encoding_is_named)
{
    static const char big_endian[] = "\0i\0d\0,\0x\0\n\0" "1\0,\0a\0\n";
    static const char little_endian[] = "i\0d\0,\0x\0\n\0" "1\0,\0a\0\n\0";
    assert_refused_as(big_endian, sizeof big_endian - 1, "utf-16", 1,
                      "the file is UTF-16 without a byte-order mark, and big-endian (a NUL byte "
                      "before each ASCII character): give --encoding utf-16be");
    assert_refused_as(big_endian, sizeof big_endian - 1, "UTF-16LE", 1,
                      "the file is big-endian UTF-16 (a NUL byte before each ASCII character), "
                      "not UTF-16LE: give --encoding utf-16be");
    assert_refused_as(little_endian, sizeof little_endian - 1, "windows-1252", 1,
                      "the file is UTF-16 text (every other byte is NUL), not windows-1252: give "
                      "--encoding utf-16");
    assert_refused_as("\xfe\xff\0i\0d\0\n", 8, "utf-16le", 1,
                      "the file starts with a big-endian UTF-16 byte-order mark, but utf-16le is "
                      "little-endian: give --encoding utf-16");
    struct rows be = {0}, le = {0};
    cr_assert_eq(read_as(big_endian, sizeof big_endian - 1, "utf-16be", &be), PS_OK);
    cr_assert_str_eq(be.row[1].fields[1], "a");
    cr_assert_eq(read_as(little_endian, sizeof little_endian - 1, "utf-16", &le), PS_OK);
    cr_assert_str_eq(le.row[0].fields[0], "id");
    cr_assert_str_eq(le.row[1].fields[1], "a");
    free_rows(&be);
    free_rows(&le);
}

/* ---- Delimiters. ---- */

Test(csvread, a_delimiter_written_inside_cells_is_refused)
{
    struct capture capture = {0};
    ps_context_t *context = test_context(&capture);
    static const char refused[] = "-+.0a9Z\"' \x01\x7f\x80";
    for (const char *d = refused; *d; d++) {
        ps_csv_options_t o = {.delimiter = *d};
        cr_assert_eq(ps_csv_check(context, &o), PS_ERROR_USAGE, "0x%02x", (unsigned char)*d);
    }
    cr_assert_str_eq(capture.diagnostics[0].message,
                     "the delimiter '-' cannot be used: it is written inside numbers, dates and "
                     "NHS numbers (943-476-5919), which it would split across cells; a delimiter "
                     "is ',', ';', '|', ':', a tab or other punctuation");
    static const char accepted[] = ",;|:\t/#~^";
    for (const char *d = accepted; *d; d++) {
        ps_csv_options_t o = {.delimiter = *d};
        cr_assert_eq(ps_csv_check(context, &o), PS_OK, "0x%02x", (unsigned char)*d);
    }
    ps_context_free(context);
    free_diagnostics(&capture);
}

Test(csvread, tab_separated_values_keep_their_spaces_and_empty_cells)
{
    struct rows r = {0};
    ps_csv_options_t o = {.delimiter = '\t'};
    char *path = test_file("in.tsv", "id\tname\tx\n1\t Ann Lee \t\n\"2\"\t\"a\tb\"\t3\n", -1);
    cr_assert_eq(read_all(path, &o, &r), PS_OK);
    cr_assert_eq(r.n, 3);
    cr_assert_eq(r.row[1].n, 3);
    cr_assert_str_eq(r.row[1].fields[1], "Ann Lee");
    cr_assert_str_eq(r.row[1].fields[2], "");
    cr_assert_str_eq(r.row[2].fields[1], "a\tb");
    cr_assert_str_eq(r.row[2].fields[2], "3");
    free_rows(&r);
    free(path);
}
