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

/* The path 'relative' under the folder that the environment variable 'root' names. */
static char *under(const char *root, const char *relative)
{
    const char *folder = getenv(root);
    cr_assert_not_null(folder, "%s is set by make check", root);
    char *path;
    cr_assert_geq(asprintf(&path, "%s/%s", folder, relative), 0);
    return path;
}

char *test_data(const char *relative)
{
    return under("PROMSCORE_TEST_DATA", relative);
}

char *test_shipped_measures(void)
{
    return under("PROMSCORE_SOURCE_DIR", "plugins/service_use/service_use.xml");
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

void test_capture_release(struct capture *capture)
{
    for (size_t i = 0; i < capture->n_diagnostics; i++) {
        free(capture->diagnostics[i].file);
        free(capture->diagnostics[i].message);
    }
    for (size_t i = 0; i < capture->n_rejects; i++) {
        struct captured_reject *r = &capture->rejects[i];
        free(r->file);
        free(r->participant_id);
        free(r->column_name);
        free(r->value);
        free(r->reason);
    }
    memset(capture, 0, sizeof *capture);
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

char *test_example(const char *name)
{
    return under("PROMSCORE_EXAMPLES", name);
}

void test_run_html_csv_json(const char *command, const char *const *args, size_t n_args,
                            const char *page, struct run_result out[3])
{
    const char *argv[48];
    cr_assert_lt(n_args + 7, sizeof argv / sizeof argv[0]);
    const char *formats[] = {"html", "csv", "json"};
    for (int f = 0; f < 3; f++) {
        size_t n = 0;
        argv[n++] = command;
        argv[n++] = "-q";
        argv[n++] = "-f";
        argv[n++] = formats[f];
        for (size_t i = 0; i < n_args; i++)
            argv[n++] = args[i];
        if (f == 0) {
            argv[n++] = "-o";
            argv[n++] = page;
        }
        argv[n] = NULL;
        out[f] = run_promscore(NULL, argv);
    }
}

void test_version_and_arguments(char *made, size_t size, const char *const *args, size_t n_args)
{
    snprintf(made, size, "promscore %s", PS_VERSION);
    for (size_t i = 0; i < n_args; i++)
        snprintf(made + strlen(made), size - strlen(made), " %s", args[i]);
}

char *test_section(const char *html, const char *start)
{
    const char *at = strstr(html, start);
    cr_assert_not_null(at, "no %s", start);
    const char *end = strstr(at + 1, "</section>");
    cr_assert_not_null(end);
    return strndup(at, (size_t)(end - at));
}

char *test_escaped(const char *text)
{
    char *out = malloc(6 * strlen(text) + 1), *w = out;
    cr_assert_not_null(out);
    for (const char *p = text; *p; p++) {
        const char *entity = *p == '&'    ? "&amp;"
                             : *p == '<'  ? "&lt;"
                             : *p == '>'  ? "&gt;"
                             : *p == '"'  ? "&quot;"
                             : *p == '\'' ? "&#39;"
                                          : NULL;
        if (entity)
            w = stpcpy(w, entity);
        else
            *w++ = *p;
    }
    *w = '\0';
    return out;
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int is_word(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

void test_blank(char *page, const char *text)
{
    char *label = test_escaped(text);
    size_t n = strlen(label);
    for (char *p = page; n && (p = strstr(p, label)); p++)
        if ((p == page || !is_word(p[-1]) || !is_word(label[0])) &&
            (!is_word(p[n]) || !is_word(label[n - 1])))
            memset(p, ' ', n);
    free(label);
}

int test_number_in(const char *text, const char *token)
{
    size_t n = strlen(token);
    for (const char *p = text; (p = strstr(p, token)); p++) {
        char before = p > text ? p[-1] : ' ', after = p[n];
        if (!is_digit(before) && before != '.' && !is_digit(after) &&
            !(after == '.' && is_digit(p[n + 1])))
            return 1;
    }
    return 0;
}

/* Whether |a - b| < within, without libm, which not every test links. */
static int near(double a, double b, double within)
{
    return a - b < within && b - a < within;
}

int test_csv_publishes(const char *csv, double number, double figure_within, double share_within)
{
    for (const char *line = csv; line && *line;
         line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
        /* The value is the seventh field, followed by whether it is suppressed. */
        const char *field = line;
        for (int k = 0; k < 6 && field; k++) {
            field = strchr(field, ',');
            field = field ? field + 1 : NULL;
        }
        if (!field || *field == ',')
            continue;
        char *end;
        double v = strtod(field, &end);
        if (end == field || strncmp(end, ",no,", 4) != 0)
            continue;
        if (near(v, number, figure_within) || near(100 * v, number, share_within))
            return 1;
    }
    return 0;
}

int test_page_next_number(struct page_reader *r, struct page_number *number)
{
    const char *html = r->page, *p = r->at;
    while (*p) {
        if (*p == '<') {
            const char *close = strchr(p, '>');
            cr_assert_not_null(close);
            const char *small = strstr(p, "class=\"small\"");
            r->tick = strncmp(p, "<text ", 6) == 0 && small && small < close;
            if (strncmp(p, "<style", 6) == 0)
                r->in_style = 1;
            else if (strncmp(p, "</style", 7) == 0)
                r->in_style = 0;
            p = close + 1;
        } else if (*p == '&') { /* an entity such as &#39; */
            const char *semicolon = strchr(p, ';');
            cr_assert_not_null(semicolon);
            p = semicolon + 1;
        } else if (r->in_style || !is_digit(*p)) {
            p++;
        } else {
            break;
        }
    }
    r->at = p;
    if (!*p)
        return 0;
    const int money = r->money && p > r->money && p < r->money_end;
    const char *start = p > html && p[-1] == '-' ? p - 1 : p, *end = p;
    int negative = p > html && p[-1] == '-';
    if (money && p - html >= 3 && strncmp(p - 2, "\u00a3", 2) == 0) {
        negative = p[-3] == '-';
        start = negative ? p - 3 : p - 2;
    }
    while (is_digit(*end) || (*end == '.' && is_digit(end[1])) ||
           (money && *end == ',' && is_digit(end[1]) && is_digit(end[2]) && is_digit(end[3]) &&
            !is_digit(end[4])))
        end++;
    char digits[64];
    size_t n_digits = 0;
    for (const char *d = p; d < end && n_digits + 1 < sizeof digits; d++)
        if (*d != ',')
            digits[n_digits++] = *d;
    digits[n_digits] = '\0';
    const char *point = memchr(p, '.', (size_t)(end - p));
    number->start = start;
    number->digits = p;
    number->end = end;
    snprintf(number->token, sizeof number->token, "%.*s", (int)(end - p), p);
    number->value = (negative ? -1 : 1) * strtod(digits, NULL);
    number->decimals = point ? (int)(end - point - 1) : 0;
    number->tick = r->tick;
    r->at = end;
    return 1;
}
