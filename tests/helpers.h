/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Shared by the Criterion tests: score CSV text through the library and keep what comes out. */
#ifndef PROMSCORE_TEST_HELPERS_H
#define PROMSCORE_TEST_HELPERS_H

#include <stddef.h>
#include <promscore/promscore.h>

struct captured_score {
    char *participant_id, *timepoint, *instrument, *scale, *status, *band, *kept0;
    int has_value;
    ps_outcome_t outcome;
    double value;
    unsigned answered;
    unsigned long line;
};

struct captured_reject {
    char *file, *participant_id, *column_name, *value, *reason;
    unsigned long line, column;
};

struct captured_diagnostic {
    ps_error_t error;
    char *file, *message;
    unsigned long line, column;
};

struct capture {
    struct captured_score scores[512];
    size_t n_scores;
    struct captured_reject rejects[128];
    size_t n_rejects;
    struct captured_diagnostic diagnostics[16];
    size_t n_diagnostics;
    ps_batch_summary_t summary;
    char *detected;  /* instruments named at batch start, comma-separated */
};

/* A new file in a fresh temporary directory holding 'content' (length bytes, or strlen when -1). */
char *test_file(const char *name, const char *content, long length);
/* A path named 'name' in a fresh temporary directory, with nothing there yet. */
char *test_path(const char *name);
/* The whole of a file as text, or NULL when it cannot be opened. */
char *test_slurp(const char *path);
/* A path under tests/data in the source tree. */
char *test_data(const char *relative);
/* The service-use measures promscore ships (plugins/service_use/service_use.xml). */
char *test_shipped_measures(void);
/* Sends a context's diagnostics to 'capture'. */
void test_capture_diagnostics(ps_context_t *context, struct capture *capture);
/* Frees what 'capture' holds of its diagnostics and rejects (its handlers copy each message
 * and value), and empties it. */
void test_capture_release(struct capture *capture);
/* A score handler appending to the capture passed as user data. */
int test_on_score(const ps_score_t *score, void *capture);
/* A reject handler appending to the capture passed as user data. */
int test_on_reject(const ps_reject_t *reject, void *capture);
/* A context with a capturing diagnostic handler and every installed instrument loaded. */
ps_context_t *test_context(struct capture *capture);
/* Scores CSV text as one batch; options may be NULL. */
ps_error_t test_score_text(struct capture *capture, const char *csv,
                           const ps_score_options_t *options);
/* The score of participant x timepoint x scale ("instrument.scale"), or NULL. */
const struct captured_score *test_find(const struct capture *capture, const char *participant,
                                       const char *timepoint, const char *scale);
/* A CSV batch: header "participant_id,timepoint,<prefix>1..<prefix>n" and one row of codes. */
char *test_batch(const char *prefix, const int *codes, size_t n);

/* ---- The promscore program (PROMSCORE_BIN), run as a user would. ---- */

/* What a run gave: its exit status and what it wrote (free with run_result_free). */
struct run_result {
    int status;
    char *out, *err;
};

/*
 * How to run it: settings ("NAME=value") added to its environment, a library
 * to preload (LD_PRELOAD=...) reaching promscore alone, not the build tree's
 * wrapper script; and its standard input: the file 'input', or the text
 * 'piped' on a pipe (under 60,000 bytes), else /dev/null.
 */
struct run_how {
    const char *const *env;
    const char *input;
    const char *piped;
};

/*
 * Runs promscore with 'args' (NULL-terminated) as 'how' says (NULL: plainly),
 * every signal at its default whatever the test runner ignores; under
 * valgrind's memcheck when PROMSCORE_VALGRIND is set (make check-valgrind),
 * where an error or a definite leak exits 99, which no test expects. Asserts
 * that it exited.
 */
struct run_result run_promscore(const struct run_how *how, const char *const *args);
void run_result_free(struct run_result *r);

#define RUN(...) run_promscore(NULL, (const char *const[]){__VA_ARGS__, NULL})

/* In a child about to run promscore: every signal back at its default. */
void test_default_signals(void);

/* ---- A page promscore writes (-f html), read as a reader would. ---- */

/* A file of the worked examples promscore ships (docs/examples). */
char *test_example(const char *name);
/*
 * One report three ways: promscore COMMAND -q -f FORMAT ARGS... as html, its
 * page written to 'page' (-o PAGE), then as csv and json: out[0], [1], [2].
 */
void test_run_html_csv_json(const char *command, const char *const *args, size_t n_args,
                            const char *page, struct run_result out[3]);
/* "promscore VERSION ARGS...": what the section on how a page was made may give, into 'made'. */
void test_version_and_arguments(char *made, size_t size, const char *const *args, size_t n_args);
/* The section of the page that starts with 'start', up to the next section's end. */
char *test_section(const char *html, const char *start);
/* 'text' as the page escapes it: & < > " and ' as entities. */
char *test_escaped(const char *text);
/*
 * Blanks every occurrence of 'text' (as the page escapes it) in 'page' that is
 * not part of a longer word: a label, a rule or a reason whose numbers are
 * words, not figures.
 */
void test_blank(char *page, const char *text);
/* Whether the number 'token' appears in 'text' whole, not as part of a longer number. */
int test_number_in(const char *text, const char *token);
/*
 * Whether a report's CSV publishes 'number' (not suppressed) in any row: its
 * value within 'figure_within' (a count or a figure), or a hundred times it
 * within 'share_within' (a share or a change as a percentage).
 */
int test_csv_publishes(const char *csv, double number, double figure_within, double share_within);

/* A number in the text of a page. */
struct page_number {
    const char *start;  /* where it starts as written: its minus sign, its pound sign */
    const char *digits; /* its first digit */
    const char *end;    /* just past its last digit */
    char token[64];     /* as written from its first digit: "3.77", "0.1.0", "12,345" */
    double value;       /* its value, its sign with it */
    int decimals;       /* how many decimals it is written with */
    int tick;           /* 1 for an axis tick, a chart label of class "small" */
};

/*
 * A page read number by number, from {page, page} on. Between 'money' and
 * 'money_end' (NULL: nowhere), amounts of money are numbers too: "£12,345",
 * "-£525", "£0.09".
 */
struct page_reader {
    const char *page, *at;
    const char *money, *money_end;
    int in_style, tick;
};

/*
 * The next number in the text of the page, its markup, entities and style
 * aside (ids, coordinates): digits and points (a version such as 0.1.0 is
 * one), a minus sign before it with it. Returns 0 at the end of the page.
 */
int test_page_next_number(struct page_reader *reader, struct page_number *number);

#endif
