/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The command line on a terminal: the progress line, its formatting (core/cli/progress.c,
 * linked here alone) and runs of promscore with stderr on a pseudo-terminal; and what
 * pseudonymise reads: --encoding, --delimiter, an Excel export in Windows-1252.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "cli/cli.h"
#include "helpers.h"

/* ---- The line's text. ---- */

static const char *thousands(unsigned long long n)
{
    static char text[32];
    cli_thousands(text, sizeof text, n);
    return text;
}

Test(progress_format, thousands_are_separated_by_commas_whatever_the_locale)
{
    cr_assert_str_eq(thousands(0), "0");
    cr_assert_str_eq(thousands(999), "999");
    cr_assert_str_eq(thousands(1000), "1,000");
    cr_assert_str_eq(thousands(65536), "65,536");
    cr_assert_str_eq(thousands(100000), "100,000");
    cr_assert_str_eq(thousands(1234567), "1,234,567");
    cr_assert_str_eq(thousands(18446744073709551615ULL), "18,446,744,073,709,551,615");
    char small[6];
    cr_assert_eq(cli_thousands(small, sizeof small, 1234567), 5, "cut to the buffer");
    cr_assert_str_eq(small, "1,234");
}

static const char *line(const char *doing, const char *file, unsigned long rows,
                        unsigned long long bytes, unsigned long long size, unsigned width)
{
    static char text[512];
    ps_progress_t at = {file, rows, bytes, size};
    size_t n = cli_progress_format(text, sizeof text, doing, &at, width);
    cr_assert_eq(n, strlen(text));
    return text;
}

Test(progress_format, a_percentage_of_the_file_and_the_rows)
{
    cr_assert_str_eq(line("scoring", "batch.csv", 1234567, 42, 100, 0),
                     "\rscoring batch.csv: 42% (1,234,567 rows)");
    cr_assert_str_eq(line("scoring", "batch.csv", 1, 0, 100, 0), "\rscoring batch.csv: 0% (1 row)");
    /* Whole percent, rounded down: 100% only once the whole file was read. */
    cr_assert_str_eq(line("pseudonymising", "a.csv", 5000, 999, 1000, 0),
                     "\rpseudonymising a.csv: 99% (5,000 rows)");
    cr_assert_str_eq(line("scoring", "a.csv", 7, 1000, 1000, 0), "\rscoring a.csv: 100% (7 rows)");
    cr_assert_str_eq(line("scoring", "a.csv", 7, 1500, 1000, 0), "\rscoring a.csv: 100% (7 rows)",
                     "a file that grew while it was read");
    /* Sizes past what bytes * 100 can hold. */
    cr_assert_str_eq(line("scoring", "a.csv", 7, 1ULL << 62, 1ULL << 63, 0),
                     "\rscoring a.csv: 50% (7 rows)");
    /* Not a regular file (a pipe, standard input): rows alone. */
    cr_assert_str_eq(line("reading", "-", 3000, 3000, 0, 0), "\rreading -: 3,000 rows");
}

/* Within the terminal's width, the last column left free: the start of the name gives way. */
Test(progress_format, a_long_name_is_cut_at_its_start_to_fit_the_terminal)
{
    const char *name = "/srv/exports/2025/quarter-two/wemwbs-batch.csv";
    cr_assert_str_eq(line("scoring", name, 1234567, 42, 100, 0),
                     "\rscoring /srv/exports/2025/quarter-two/wemwbs-batch.csv: 42% "
                     "(1,234,567 rows)");
    const char *cut = line("scoring", name, 1234567, 42, 100, 50);
    cr_assert_str_eq(cut, "\rscoring ...wemwbs-batch.csv: 42% (1,234,567 rows)");
    cr_assert_eq(strlen(cut) - 1, 49, "8 + 3 + 16 + 22 columns");
    const char *wide = line("scoring", name, 1234567, 42, 100, 70);
    cr_assert_str_eq(wide,
                     "\rscoring ...ts/2025/quarter-two/wemwbs-batch.csv: 42% (1,234,567 rows)");
    cr_assert_eq(strlen(wide) - 1, 69);
    /* Exactly one column short of the width: nothing is cut. */
    cr_assert_str_eq(line("scoring", "abc.csv", 5, 1, 2, 30), "\rscoring abc.csv: 50% (5 rows)");
    cr_assert_str_eq(line("scoring", "abcd.csv", 5, 1, 2, 30), "\rscoring ....csv: 50% (5 rows)");
    /* Never inside a UTF-8 character ("é" is two bytes). */
    cr_assert_str_eq(line("scoring", "r\xc3\xa9sum\xc3\xa9s/\xc3\xa9t\xc3\xa9.csv", 5, 1, 2, 32),
                     "\rscoring ...\xc3\xa9.csv: 50% (5 rows)");
    cr_assert_str_eq(line("scoring", "r\xc3\xa9sum\xc3\xa9s/\xc3\xa9t\xc3\xa9.csv", 5, 1, 2, 31),
                     "\rscoring ....csv: 50% (5 rows)", "not half an \"\xc3\xa9\"");
    /* No room at all: the name is "..." alone. */
    cr_assert_str_eq(line("scoring", "batch.csv", 5, 1, 2, 10), "\rscoring ...: 50% (5 rows)");
}

/* ---- The line on stderr: drawn on a terminal only, cleared before anything else. ---- */

struct terminal {
    int master, slave;
};

static struct terminal open_terminal(unsigned short columns)
{
    struct terminal t;
    t.master = posix_openpt(O_RDWR | O_NOCTTY);
    cr_assert_geq(t.master, 0);
    cr_assert_eq(grantpt(t.master), 0);
    cr_assert_eq(unlockpt(t.master), 0);
    struct winsize size = {.ws_row = 24, .ws_col = columns};
    cr_assert_eq(ioctl(t.master, TIOCSWINSZ, &size), 0);
    t.slave = open(ptsname(t.master), O_RDWR | O_NOCTTY);
    cr_assert_geq(t.slave, 0);
    /* Bytes as written: no LF made CR LF. */
    struct termios mode;
    cr_assert_eq(tcgetattr(t.slave, &mode), 0);
    mode.c_oflag &= ~(tcflag_t)OPOST;
    cr_assert_eq(tcsetattr(t.slave, TCSANOW, &mode), 0);
    return t;
}

/* What the terminal received so far. */
static char *drain(int master)
{
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    char buffer[4096];
    struct pollfd p = {.fd = master, .events = POLLIN};
    while (poll(&p, 1, 0) > 0 && (p.revents & POLLIN)) {
        ssize_t n = read(master, buffer, sizeof buffer);
        if (n <= 0)
            break;
        fwrite(buffer, 1, (size_t)n, f);
    }
    fclose(f);
    return text;
}

static const ps_progress_t seven_rows = {"b.csv", 7, 50, 100};

Test(progress_line, drawn_every_few_thousand_calls_and_cleared)
{
    struct terminal t = open_terminal(0);
    int saved = dup(STDERR_FILENO);
    cr_assert_eq(dup2(t.slave, STDERR_FILENO), STDERR_FILENO);
    cli_progress_t p;
    cli_progress_init(&p, "scoring", 0, NULL);
    cr_assert(p.enabled);
    p.next_ms = 0; /* due now, instead of a quarter of a second after the start */
    for (int i = 1; i < 4096; i++)
        cli_progress(&p, &seven_rows);
    char *before = drain(t.master);
    cr_assert_str_eq(before, "", "the clock is read once every 4,096 calls");
    cli_progress(&p, &seven_rows);
    char *drawn = drain(t.master);
    cr_assert_str_eq(drawn, "\rscoring b.csv: 50% (7 rows)");
    for (int i = 0; i < 4096; i++)
        cli_progress(&p, &seven_rows);
    char *again = drain(t.master);
    cr_assert_str_eq(again, "", "not twice within a quarter of a second");
    cli_progress_clear(); /* as before a message */
    char *cleared = drain(t.master);
    cr_assert_str_eq(cleared, "\r\033[K");
    cli_progress_done(&p);
    char *nothing = drain(t.master);
    cr_assert_str_eq(nothing, "", "no line, nothing to clear");
    dup2(saved, STDERR_FILENO);
    close(saved);
    free(before);
    free(drawn);
    free(again);
    free(cleared);
    free(nothing);
}

Test(progress_line, never_on_a_file_a_pipe_with_quiet_or_when_the_rows_go_to_the_terminal)
{
    int saved_err = dup(STDERR_FILENO), saved_out = dup(STDOUT_FILENO);
    char *path = test_path("stderr");
    int file = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    cr_assert_geq(file, 0);
    cr_assert_eq(dup2(file, STDERR_FILENO), STDERR_FILENO);
    cli_progress_t p;
    cli_progress_init(&p, "scoring", 0, NULL);
    cr_assert_not(p.enabled, "stderr is a file");
    p.next_ms = 0;
    for (int i = 0; i < 3 * 4096; i++)
        cli_progress(&p, &seven_rows);
    cli_progress_done(&p);
    struct stat st;
    cr_assert_eq(stat(path, &st), 0);
    cr_assert_eq(st.st_size, 0, "nothing written to stderr");

    struct terminal t = open_terminal(0);
    cr_assert_eq(dup2(t.slave, STDERR_FILENO), STDERR_FILENO);
    cli_progress_init(&p, "scoring", 1, NULL);
    cr_assert_not(p.enabled, "--quiet");
    cr_assert_eq(dup2(t.slave, STDOUT_FILENO), STDOUT_FILENO);
    cli_progress_init(&p, "scoring", 0, "-");
    cr_assert_not(p.enabled, "the rows go to standard output, the same terminal");
    cli_progress_init(&p, "scoring", 0, ptsname(t.master));
    cr_assert_not(p.enabled, "the rows go to the terminal by its name");
    cr_assert_eq(dup2(file, STDOUT_FILENO), STDOUT_FILENO);
    cli_progress_init(&p, "scoring", 0, "-");
    cr_assert(p.enabled, "standard output is a file");
    dup2(saved_err, STDERR_FILENO);
    dup2(saved_out, STDOUT_FILENO);
    close(saved_err);
    close(saved_out);
    close(file);
}

/* ---- promscore with stderr on a terminal. ---- */

struct result {
    int status;
    char *err; /* stderr: the terminal's, or the file's */
};

/*
 * Runs promscore with 'args', stdout to /dev/null (or, with 'stdout_too', to the
 * terminal as well) and stderr on a pseudo-terminal of 'columns' columns, or on a
 * file when 'columns' is -1. The clock runs a second ahead at every reading.
 */
static struct result run(int columns, int stdout_too, const char *const *args)
{
    const char *bin = getenv("PROMSCORE_BIN"), *libtool = getenv("PROMSCORE_LIBTOOL");
    const char *clock = getenv("PROMSCORE_FAST_CLOCK");
    cr_assert(bin && libtool && clock);
    struct terminal t = {-1, -1};
    char *err_path = test_path("stderr");
    if (columns >= 0)
        t = open_terminal((unsigned short)columns);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        int in = open("/dev/null", O_RDONLY), out = open("/dev/null", O_WRONLY);
        int err = columns >= 0 ? t.slave : open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (in < 0 || out < 0 || err < 0 || dup2(in, STDIN_FILENO) < 0 ||
            dup2(stdout_too ? t.slave : out, STDOUT_FILENO) < 0 || dup2(err, STDERR_FILENO) < 0)
            _exit(126);
        char *preload;
        if (asprintf(&preload, "LD_PRELOAD=%s", clock) < 0)
            _exit(126);
        /* The library reaches promscore alone, not the build tree's wrapper script. */
        const char *argv[48] = {libtool, "--mode=execute", "env", preload, bin};
        size_t n = 5;
        for (size_t i = 0; args[i] && n < 47; i++)
            argv[n++] = args[i];
        argv[n] = NULL;
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    /* Read as it comes, so that a full terminal never holds promscore up. */
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    int status = 0;
    for (;;) {
        if (columns >= 0) {
            char *some = drain(t.master);
            fputs(some, f);
            free(some);
        }
        pid_t done = waitpid(pid, &status, WNOHANG);
        cr_assert_geq(done, 0);
        if (done == pid)
            break;
        poll(NULL, 0, 10);
    }
    if (columns >= 0) {
        char *rest = drain(t.master);
        fputs(rest, f);
        free(rest);
        close(t.slave);
        close(t.master);
    }
    fclose(f);
    cr_assert(WIFEXITED(status), "promscore did not exit normally");
    if (columns < 0) {
        free(text);
        text = test_slurp(err_path);
    }
    return (struct result){WEXITSTATUS(status), text};
}

#define ON_TERMINAL(columns, ...) run(columns, 0, (const char *const[]){__VA_ARGS__, NULL})
#define NO_TERMINAL(...) run(-1, 0, (const char *const[]){__VA_ARGS__, NULL})

static char *key(void)
{
    char bytes[32];
    memset(bytes, 0x0b, sizeof bytes);
    char *path = test_file("secret.key", bytes, 32);
    cr_assert_eq(chmod(path, 0600), 0);
    return path;
}

/* "nhs_number,site" then 'rows' rows of 19 bytes; with 'bad' > 0, row 'bad' is refused. */
static char *ids(int rows, int bad, const char *last)
{
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    fputs("nhs_number,site\n", f);
    for (int i = 1; i <= rows; i++)
        fputs(i == bad ? "4010232138,Dalston\n" : "4010232137,Dalston\n", f);
    if (last)
        fputs(last, f);
    fclose(f);
    char *path = test_file("ids.csv", text, -1);
    free(text);
    return path;
}

static char *expect(const char *format, ...) __attribute__((format(printf, 1, 2)));

static char *expect(const char *format, ...)
{
    char *text;
    va_list ap;
    va_start(ap, format);
    cr_assert_geq(vasprintf(&text, format, ap), 0);
    va_end(ap);
    return text;
}

/* 16 + 4,096 x 19 of 16 + 10,000 x 19 bytes is 40%; 8,192 rows 81%. */
Test(cli_tty, pseudonymise_shows_its_progress_and_clears_it_before_the_summary)
{
    char *in = ids(10000, 0, NULL), *out = test_path("out.csv");
    struct result r =
        ON_TERMINAL(0, "pseudonymise", "-k", key(), "-c", "nhs_number", in, "-o", out);
    cr_assert_eq(r.status, 0, "%s", r.err);
    char *want = expect("\rpseudonymising %s: 40%% (4,096 rows)"
                        "\rpseudonymising %s: 81%% (8,192 rows)"
                        "\r\033[Kpromscore: %s: 10000 rows read, 10000 written, 0 refused\n",
                        in, in, in);
    cr_assert_str_eq(r.err, want);
    /* Cut to the terminal's 40 columns: 15 + 3 + 3 + 18, the last column free. */
    r = ON_TERMINAL(40, "pseudonymise", "-k", key(), "-c", "nhs_number", in, "-o", out);
    cr_assert_eq(r.status, 0, "%s", r.err);
    want = expect("\rpseudonymising ...csv: 40%% (4,096 rows)"
                  "\rpseudonymising ...csv: 81%% (8,192 rows)"
                  "\r\033[Kpromscore: %s: 10000 rows read, 10000 written, 0 refused\n",
                  in);
    cr_assert_str_eq(r.err, want);
}

Test(cli_tty, nothing_but_messages_on_a_stderr_that_is_not_a_terminal_or_with_quiet)
{
    char *in = ids(10000, 0, NULL), *out = test_path("out.csv");
    struct result r = NO_TERMINAL("pseudonymise", "-k", key(), "-c", "nhs_number", in, "-o", out);
    cr_assert_eq(r.status, 0, "%s", r.err);
    char *want = expect("promscore: %s: 10000 rows read, 10000 written, 0 refused\n", in);
    cr_assert_str_eq(r.err, want);
    r = ON_TERMINAL(0, "pseudonymise", "-q", "-k", key(), "-c", "nhs_number", in, "-o", out);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_str_eq(r.err, "");
}

/* A refused row and a fatal error are printed on a line of their own, the progress cleared. */
Test(cli_tty, the_line_is_cleared_before_any_message)
{
    char *in = ids(10000, 9000, NULL), *out = test_path("out.csv");
    struct result r =
        ON_TERMINAL(0, "pseudonymise", "-k", key(), "-c", "nhs_number", in, "-o", out);
    cr_assert_eq(r.status, 1, "%s", r.err);
    char *want = expect("\rpseudonymising %s: 40%% (4,096 rows)"
                        "\rpseudonymising %s: 81%% (8,192 rows)"
                        "\r\033[Kpromscore: %s:9001: not a valid NHS number (10 digits with a "
                        "modulus-11 check digit)\n"
                        "promscore: %s: 10000 rows read, 9999 written, 1 refused\n",
                        in, in, in, in);
    cr_assert_str_eq(r.err, want);

    in = ids(10000, 0, "\"broken\" quote,x\n");
    r = ON_TERMINAL(0, "pseudonymise", "-k", key(), "-c", "nhs_number", in, "-o", out);
    cr_assert_eq(r.status, 3, "%s", r.err);
    want = expect("\rpseudonymising %s: 40%% (4,096 rows)"
                  "\rpseudonymising %s: 81%% (8,192 rows)"
                  "\r\033[Kpromscore: %s:10002:1: malformed quoting: text after the closing "
                  "quote of a quoted field\n"
                  "promscore: nothing written\n",
                  in, in, in);
    cr_assert_str_eq(r.err, want);
}

/* A SWEMWBS batch: two scores (raw, metric) a row; 'offsets[r]': bytes up to the end of row r. */
static char *swemwbs_batch(int rows, size_t *offsets)
{
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    fputs("participant_id,timepoint,swemwbs_1,swemwbs_2,swemwbs_3,swemwbs_4,swemwbs_5,"
          "swemwbs_6,swemwbs_7\n",
          f);
    for (int i = 1; i <= rows; i++) {
        fprintf(f, "P%d,baseline,3,4,3,2,5,3,4\n", i);
        fflush(f);
        offsets[i] = size;
    }
    fclose(f);
    char *path = test_file("batch.csv", text, -1);
    offsets[0] = size;
    free(text);
    return path;
}

static unsigned percent(size_t part, size_t whole)
{
    return (unsigned)(part * 100 / whole);
}

Test(cli_tty, score_shows_the_rows_and_the_share_of_the_batch_read)
{
    static size_t offsets[5001];
    char *batch = swemwbs_batch(5000, offsets), *out = test_path("scored.csv");
    struct result r = ON_TERMINAL(0, "score", "-o", out, batch);
    cr_assert_eq(r.status, 0, "%s", r.err);
    /* The 4,096th score is row 2,048's second. */
    char *want = expect("promscore: %s: found item columns of swemwbs\n"
                        "\rscoring %s: %u%% (2,048 rows)"
                        "\rscoring %s: %u%% (4,096 rows)"
                        "\r\033[Kpromscore: %s: 5000 rows read, 5000 scored, 0 rejected; "
                        "10000 scores ok, 0 not ok; 0 answers refused\n",
                        batch, batch, percent(offsets[2048], offsets[0]), batch,
                        percent(offsets[4096], offsets[0]), batch);
    cr_assert_str_eq(r.err, want);
    cr_assert_eq(percent(offsets[2048], offsets[0]), 40, "the test's own arithmetic");
}

Test(cli_tty, report_i_clears_the_line_before_its_summary)
{
    static size_t offsets[5001];
    char *batch = swemwbs_batch(5000, offsets);
    struct result r = ON_TERMINAL(0, "report", "-i", "swemwbs", "--timepoints", "followup", "-o",
                                  "/dev/null", batch);
    cr_assert_eq(r.status, 0, "%s", r.err);
    char *want = expect("\rscoring %s: %u%% (2,048 rows)"
                        "\rscoring %s: %u%% (4,096 rows)"
                        "\r\033[Kpromscore: %s: 5000 rows read, 5000 scored, 0 rejected\n",
                        batch, percent(offsets[2048], offsets[0]), batch,
                        percent(offsets[4096], offsets[0]), batch);
    cr_assert_str_eq(r.err, want);
}

/* Scored rows written to the terminal itself would be torn by the line: none is drawn. */
Test(cli_tty, no_line_when_the_rows_go_to_the_same_terminal)
{
    static size_t offsets[5001];
    char *batch = swemwbs_batch(5000, offsets);
    struct result r = run(0, 1, (const char *const[]){"score", "-o", "-", batch, NULL});
    cr_assert_eq(r.status, 0);
    cr_assert_null(strstr(r.err, "\rscoring"));
    cr_assert(strstr(r.err, "P5000,baseline,swemwbs,metric,"), "the rows came through");
}

/* ---- pseudonymise --encoding and --delimiter. ---- */

/* HMAC-SHA256 under 32 bytes of 0x0b, from Python's hmac module. */
static const char pseudonym_9997485262[] =
    "246ee0ef563a53e8b35607144bb4cf9f32299659f78b2600e24b97788837e080";
static const char pseudonym_4010232137[] =
    "5ed47038d123de9fbff1f464f8d06113c4f5eddbdbfc130a9d1f6558dd1ada00";

/* The export's header in UTF-8, names and comments dropped. The reader trims the blanks
 * around a name ("I’ve been feeling confident "), as it does every unquoted field. */
static const char export_header[] =
    "NHS Number,Date of Completion,Service \xe2\x80\x93 site,"
    "I\xe2\x80\x99ve been feeling optimistic about the future,"
    "I\xe2\x80\x99ve been feeling useful,I\xe2\x80\x99ve been feeling relaxed,"
    "I\xe2\x80\x99ve been feeling interested in other people,"
    "I\xe2\x80\x99ve had  energy to spare,I\xe2\x80\x99ve been dealing with problems well,"
    "I\xe2\x80\x99ve been thinking clearly,I\xe2\x80\x99ve been feeling good about myself,"
    "I\xe2\x80\x99ve been feeling close to other people,"
    "I\xe2\x80\x99ve been feeling confident,"
    "I\xe2\x80\x99ve been able to make up my own mind about things,"
    "I\xe2\x80\x99ve been feeling loved,I\xe2\x80\x99ve been interested in new things,"
    "I\xe2\x80\x99ve been feeling cheerful\n";

static size_t lines(const char *text)
{
    size_t n = 0;
    for (; text && *text; text++)
        n += *text == '\n';
    return n;
}

/*
 * An evaluator's first step with an Excel export: its NHS numbers (spaced, from the 999
 * test range) pseudonymised, names and comments dropped, the question wording kept, all
 * in UTF-8. No cell left holds an NHS number (the UK dates have eight digits): the
 * guard refuses no row.
 */
Test(cli_pseudonymise_encoding, a_windows_1252_export_becomes_utf_8)
{
    char *export = test_data("export/wemwbs-export-cp1252.csv"), *out = test_path("out.csv");
    struct result r = NO_TERMINAL("pseudonymise", "-k", key(), "--column", "NHS Number", "--drop",
                                  "Client Name,Comments", "--encoding", "windows-1252", export,
                                  "-o", out);
    cr_assert_eq(r.status, 0, "%s", r.err);
    char *want = expect("promscore: %s: 20 rows read, 20 written, 0 refused\n", export);
    cr_assert_str_eq(r.err, want);
    char *o = test_slurp(out);
    cr_assert(strncmp(o, export_header, strlen(export_header)) == 0, "%s", o);
    cr_assert_eq(lines(o), 21);
    char *first = expect("%s,03/02/2025,Dudley North,None of the time,Rarely,Rarely,Rarely,Rarely,"
                         "Some of the time,Rarely,None of the time,Rarely,Rarely,Rarely,Rarely,"
                         "Rarely,Rarely\n",
                         pseudonym_9997485262);
    cr_assert(strncmp(o + strlen(export_header), first, strlen(first)) == 0, "%s", o);
    cr_assert_null(strstr(o, "Ann Example"));
    cr_assert_null(strstr(o, "999 748 5262"));
    cr_assert_null(strstr(o, "\xc2\xa3"), "the comments are dropped");

    /* Comments kept: their pound signs and curly quotes in UTF-8. */
    r = NO_TERMINAL("pseudonymise", "-k", key(), "-c", "NHS Number", "-d", "Client Name",
                    "--encoding", "windows-1252", export, "-o", out);
    cr_assert_eq(r.status, 0, "%s", r.err);
    o = test_slurp(out);
    cr_assert(strstr(o, ",First session \xc2\xa3" "10 bus fare paid\n"), "%s", o);
    cr_assert(strstr(o, ",Review \xe2\x80\x93 \xe2\x80\x9c" "feels better\xe2\x80\x9d\n"), "%s", o);
}

/* Without its encoding the export is refused before anything is written, saying what to do. */
Test(cli_pseudonymise_encoding, without_its_encoding_the_export_is_refused)
{
    char *export = test_data("export/wemwbs-export-cp1252.csv"), *out = test_path("out.csv");
    struct result r = NO_TERMINAL("pseudonymise", "-k", key(), "-c", "NHS Number", export, "-o",
                                  out);
    cr_assert_eq(r.status, 3, "%s", r.err);
    char *want = expect("promscore: %s:1:4: the name of column 4 is not UTF-8 text: give the "
                        "file's encoding with --encoding (a spreadsheet saves CSV as "
                        "windows-1252, for one)\npromscore: nothing written\n",
                        export);
    cr_assert_str_eq(r.err, want);
    struct stat st;
    cr_assert_neq(stat(out, &st), 0, "nothing written");
}

Test(cli_pseudonymise_encoding, a_semicolon_delimited_input_needs_its_delimiter)
{
    char *in = test_file("semi.csv", "nhs_number;site\n401 023 2137;Dalston\n", -1);
    char *out = test_path("out.csv");
    struct result r = NO_TERMINAL("pseudonymise", "-k", key(), "-c", "nhs_number", "--delimiter",
                                  ";", in, "-o", out);
    cr_assert_eq(r.status, 0, "%s", r.err);
    char *want = expect("nhs_number,site\n%s,Dalston\n", pseudonym_4010232137);
    char *o = test_slurp(out);
    cr_assert_str_eq(o, want);
    r = NO_TERMINAL("pseudonymise", "-k", key(), "-c", "nhs_number", in, "-o", out);
    cr_assert_eq(r.status, 3);
    want = expect("promscore: %s:1: no column 'nhs_number' in the header, which seems delimited "
                  "by semicolons: give --delimiter ';'\npromscore: nothing written\n",
                  in);
    cr_assert_str_eq(r.err, want);
}

Test(cli_pseudonymise_encoding, an_unknown_encoding_or_a_long_delimiter_is_a_usage_error)
{
    char *in = ids(1, 0, NULL), *out = test_path("out.csv");
    struct result r = NO_TERMINAL("pseudonymise", "-k", key(), "-c", "nhs_number", "--encoding",
                                  "klingon", in, "-o", out);
    cr_assert_eq(r.status, 2, "%s", r.err);
    cr_assert_str_eq(r.err, "promscore: unknown encoding 'klingon' (e.g. windows-1252, latin1, "
                            "utf-16)\npromscore: nothing written\n");
    r = NO_TERMINAL("pseudonymise", "-k", key(), "-c", "nhs_number", "--delimiter", ";;", in,
                    "-o", out);
    cr_assert_eq(r.status, 2);
    cr_assert_str_eq(r.err, "promscore: pseudonymise: --delimiter takes one character, such as "
                            "';' (or 'tab'), not ';;'\n");
    r = NO_TERMINAL("pseudonymise", "--keygen", test_path("new.key"), "--encoding", "latin1");
    cr_assert_eq(r.status, 2);
    cr_assert_str_eq(r.err, "promscore: pseudonymise: --keygen takes only the new key's file\n");
    struct stat st;
    cr_assert_neq(stat(out, &st), 0, "nothing written");
}
