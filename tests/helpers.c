/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "helpers.h"

static char *copy_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

char *test_file(const char *name, const char *content, long length)
{
    char dir[] = "/tmp/promscore-test-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char *path;
    cr_assert_geq(asprintf(&path, "%s/%s", dir, name), 0);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    size_t n = length < 0 ? strlen(content) : (size_t)length;
    cr_assert_eq(fwrite(content, 1, n, f), n);
    cr_assert_eq(fclose(f), 0);
    return path;
}

char *test_path(const char *name)
{
    char dir[] = "/tmp/promscore-test-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char *path;
    cr_assert_geq(asprintf(&path, "%s/%s", dir, name), 0);
    return path;
}

char *test_data(const char *relative)
{
    const char *root = getenv("PROMSCORE_TEST_DATA");
    cr_assert_not_null(root, "PROMSCORE_TEST_DATA is set by make check");
    char *path;
    cr_assert_geq(asprintf(&path, "%s/%s", root, relative), 0);
    return path;
}

char *test_shipped_measures(void)
{
    const char *source = getenv("PROMSCORE_SOURCE_DIR");
    cr_assert_not_null(source, "PROMSCORE_SOURCE_DIR is set by make check");
    char *path;
    cr_assert_geq(asprintf(&path, "%s/plugins/service_use/service_use.xml", source), 0);
    return path;
}

static void on_diagnostic(const ps_diagnostic_t *d, void *user)
{
    struct capture *c = user;
    if (c->n_diagnostics == sizeof c->diagnostics / sizeof c->diagnostics[0])
        return;
    struct captured_diagnostic *out = &c->diagnostics[c->n_diagnostics++];
    out->error = d->error;
    out->file = copy_or_null(d->file);
    out->message = copy_or_null(d->message);
    out->line = d->line;
    out->column = d->column;
}

void test_capture_diagnostics(ps_context_t *context, struct capture *capture)
{
    ps_context_set_diagnostic_handler(context, on_diagnostic, capture);
}

ps_context_t *test_context(struct capture *capture)
{
    ps_context_t *context;
    cr_assert_eq(ps_context_new(&context), PS_OK);
    test_capture_diagnostics(context, capture);
    ps_error_t err = ps_context_load_instruments(context, NULL);
    cr_assert_eq(err, PS_OK, "loading the shipped instruments: %s",
                 capture->n_diagnostics ? capture->diagnostics[0].message : ps_error_message(err));
    return context;
}

static int on_start(const ps_batch_start_t *start, void *user)
{
    struct capture *c = user;
    size_t len = 1;
    for (size_t i = 0; i < start->n_instruments; i++)
        len += strlen(ps_instrument_id(start->instruments[i])) + 1;
    c->detected = calloc(1, len);
    for (size_t i = 0; i < start->n_instruments; i++) {
        if (i)
            strcat(c->detected, ",");
        strcat(c->detected, ps_instrument_id(start->instruments[i]));
    }
    return 0;
}

int test_on_score(const ps_score_t *s, void *user)
{
    struct capture *c = user;
    cr_assert_lt(c->n_scores, sizeof c->scores / sizeof c->scores[0]);
    struct captured_score *out = &c->scores[c->n_scores++];
    out->participant_id = copy_or_null(s->participant_id);
    out->timepoint = copy_or_null(s->timepoint);
    out->instrument = copy_or_null(ps_instrument_id(s->instrument));
    out->scale = copy_or_null(ps_scale_id(s->scale));
    out->status = copy_or_null(s->status);
    out->band = copy_or_null(s->band);
    out->kept0 = s->kept && s->kept[0] ? copy_or_null(s->kept[0]) : NULL;
    out->has_value = s->has_value;
    out->outcome = s->outcome;
    out->value = s->value;
    out->answered = s->answered;
    out->line = s->line;
    return 0;
}

int test_on_reject(const ps_reject_t *r, void *user)
{
    struct capture *c = user;
    cr_assert_lt(c->n_rejects, sizeof c->rejects / sizeof c->rejects[0]);
    struct captured_reject *out = &c->rejects[c->n_rejects++];
    out->file = copy_or_null(r->file);
    out->participant_id = copy_or_null(r->participant_id);
    out->column_name = copy_or_null(r->column_name);
    out->value = copy_or_null(r->value);
    out->reason = copy_or_null(r->reason);
    out->line = r->line;
    out->column = r->column;
    return 0;
}

static int on_end(const ps_batch_summary_t *summary, void *user)
{
    struct capture *c = user;
    c->summary = *summary;
    return 0;
}

ps_error_t test_score_text(struct capture *capture, const char *csv,
                           const ps_score_options_t *options)
{
    ps_score_options_t none = {.size = sizeof none};
    ps_context_t *context = test_context(capture);
    ps_score_handlers_t handlers = {on_start, test_on_score, test_on_reject, on_end, capture};
    ps_scorer_t *scorer;
    ps_error_t err = ps_scorer_new(context, options ? options : &none, &handlers, &scorer);
    if (!err) {
        err = ps_scorer_score_file(scorer, test_file("batch.csv", csv, -1));
        ps_scorer_free(scorer);
    }
    ps_context_free(context);
    return err;
}

const struct captured_score *test_find(const struct capture *c, const char *participant,
                                       const char *timepoint, const char *scale)
{
    const char *dot = strchr(scale, '.');
    for (size_t i = 0; i < c->n_scores; i++) {
        const struct captured_score *s = &c->scores[i];
        if (strcmp(s->participant_id, participant) == 0 && strcmp(s->timepoint, timepoint) == 0 &&
            strncmp(s->instrument, scale, (size_t)(dot - scale)) == 0 &&
            s->instrument[dot - scale] == '\0' && strcmp(s->scale, dot + 1) == 0)
            return s;
    }
    return NULL;
}

char *test_batch(const char *prefix, const int *codes, size_t n)
{
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    fputs("participant_id,timepoint", f);
    for (size_t i = 1; i <= n; i++)
        fprintf(f, ",%s%zu", prefix, i);
    fputs("\nP1,baseline", f);
    for (size_t i = 0; i < n; i++)
        fprintf(f, ",%d", codes[i]);
    fputs("\n", f);
    fclose(f);
    return text;
}

char *test_slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *text = NULL;
    size_t size = 0;
    FILE *m = open_memstream(&text, &size);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        fwrite(buf, 1, n, m);
    fclose(m);
    fclose(f);
    return text;
}

void test_default_signals(void)
{
    for (int sig = 1; sig < NSIG; sig++)
        if (sig != SIGKILL && sig != SIGSTOP)
            signal(sig, SIG_DFL);
}

struct run_result run_promscore(const struct run_how *how, const char *const *args)
{
    static const struct run_how plainly = {0};
    if (!how)
        how = &plainly;
    char *out_path = test_path("stdout"), *err_path = test_path("stderr");
    const char *bin = getenv("PROMSCORE_BIN");
    cr_assert_not_null(bin);
    int fds[2] = {-1, -1};
    if (how->piped) {
        size_t n = strlen(how->piped);
        cr_assert_lt(n, 60000, "a pipe holds 64 KiB");
        cr_assert_eq(pipe(fds), 0);
        cr_assert_eq(write(fds[1], how->piped, n), (ssize_t)n);
        close(fds[1]);
    }
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        test_default_signals();
        int o = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int e = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int i = how->input ? open(how->input, O_RDONLY)
                : how->piped ? fds[0]
                             : open("/dev/null", O_RDONLY);
        if (o < 0 || e < 0 || i < 0 || dup2(o, STDOUT_FILENO) < 0 ||
            dup2(e, STDERR_FILENO) < 0 || dup2(i, STDIN_FILENO) < 0)
            _exit(126);
        const char *argv[48];
        size_t n = 0;
        const char *libtool = getenv("PROMSCORE_LIBTOOL");
        const int valgrind = getenv("PROMSCORE_VALGRIND") && libtool;
        const char *preload = NULL;
        for (size_t k = 0; how->env && how->env[k]; k++) {
            if (strncmp(how->env[k], "LD_PRELOAD=", 11) == 0 && libtool && !valgrind)
                preload = how->env[k];
            else
                putenv((char *)how->env[k]);
        }
        if (preload) {
            argv[n++] = libtool;
            argv[n++] = "--mode=execute";
            argv[n++] = "env";
            argv[n++] = preload;
        }
        if (valgrind) {
            static const char *const memcheck[] = {
                "--mode=execute", "valgrind", "--quiet", "--error-exitcode=99",
                "--leak-check=full", "--errors-for-leak-kinds=definite",
                "--show-leak-kinds=definite"};
            argv[n++] = libtool;
            for (size_t k = 0; k < sizeof memcheck / sizeof memcheck[0]; k++)
                argv[n++] = memcheck[k];
        }
        argv[n++] = bin;
        for (size_t k = 0; args[k] && n < 47; k++)
            argv[n++] = args[k];
        argv[n] = NULL;
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    if (how->piped)
        close(fds[0]);
    int status;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFEXITED(status), "promscore did not exit normally");
    struct run_result r = {WEXITSTATUS(status), test_slurp(out_path), test_slurp(err_path)};
    free(out_path);
    free(err_path);
    return r;
}

void run_result_free(struct run_result *r)
{
    free(r->out);
    free(r->err);
    r->out = r->err = NULL;
}

