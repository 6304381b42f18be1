/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Progress of long runs: one line on a terminal's stderr, rewritten in place
 * ("\rscoring batch.csv: 42% (1,234,567 rows)") and cleared before anything
 * else is written there.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

enum {
    CHECK_EVERY = 4096, /* calls between two readings of the clock: cheap for a million rows */
    DRAW_EVERY_MS = 250 /* at most four lines a second, the first after a quarter of a second */
};

/* A progress line is on stderr: whatever is written there next clears it first. */
static int line_shown;

static long long now_ms(void)
{
    struct timespec t;
    if (clock_gettime(CLOCK_MONOTONIC, &t) != 0)
        return 0;
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

size_t cli_thousands(char *out, size_t size, unsigned long long n)
{
    char digits[32];
    int length = snprintf(digits, sizeof digits, "%llu", n);
    size_t used = 0;
    for (int i = 0; i < length; i++) {
        if (i && (length - i) % 3 == 0 && used + 1 < size)
            out[used++] = ',';
        if (used + 1 < size)
            out[used++] = digits[i];
    }
    if (size)
        out[used] = '\0';
    return used;
}

/* Whole percent of 'part' in 'whole', never over 100 (a file may grow while it is read). */
static unsigned percent(unsigned long long part, unsigned long long whole)
{
    if (part >= whole)
        return 100;
    if (whole > (unsigned long long)-1 / 100)
        return (unsigned)(part / (whole / 100));
    return (unsigned)(part * 100 / whole);
}

size_t cli_progress_format(char *line, size_t size, const char *doing, const ps_progress_t *at,
                           unsigned width)
{
    char rows[32], tail[96];
    cli_thousands(rows, sizeof rows, at->rows);
    const char *noun = at->rows == 1 ? "row" : "rows";
    if (at->size)
        snprintf(tail, sizeof tail, ": %u%% (%s %s)", percent(at->bytes, at->size), rows, noun);
    else
        snprintf(tail, sizeof tail, ": %s %s", rows, noun);
    /* Within the terminal's width, or \r would go back to the start of its last row only:
     * the start of the file name gives way. The last column stays free. */
    const char *name = at->file ? at->file : "-", *cut = "";
    size_t fixed = strlen(doing) + 1 + strlen(tail);
    if (width && fixed + strlen(name) >= width) {
        size_t room = width > fixed + 4 ? width - fixed - 4 : 0;
        name += strlen(name) - room;
        while (((unsigned char)*name & 0xC0) == 0x80) /* not inside a UTF-8 character */
            name++;
        cut = "...";
    }
    int n = snprintf(line, size, "\r%s %s%s%s", doing, cut, name, tail);
    return n < 0 ? 0 : (size_t)n < size ? (size_t)n : size ? size - 1 : 0;
}

/* Whether 'output' is the terminal stderr is ("-": standard output). */
static int same_terminal(const char *output)
{
    struct stat err, out;
    if (!output || fstat(STDERR_FILENO, &err) != 0 || !S_ISCHR(err.st_mode))
        return 0;
    int found = strcmp(output, "-") == 0 ? fstat(STDOUT_FILENO, &out) : stat(output, &out);
    return found == 0 && S_ISCHR(out.st_mode) && out.st_rdev == err.st_rdev;
}

void cli_progress_init(cli_progress_t *progress, const char *doing, int quiet, const char *output)
{
    *progress = (cli_progress_t){.doing = doing};
    /* Rows written to the same terminal would be torn by the line. */
    progress->enabled = !quiet && isatty(STDERR_FILENO) && !same_terminal(output);
    if (!progress->enabled)
        return;
    struct winsize size;
    if (ioctl(STDERR_FILENO, TIOCGWINSZ, &size) == 0)
        progress->width = size.ws_col;
    progress->next_ms = now_ms() + DRAW_EVERY_MS;
}

void cli_progress(cli_progress_t *progress, const ps_progress_t *at)
{
    if (!progress->enabled || ++progress->calls % CHECK_EVERY != 0)
        return;
    long long now = now_ms();
    if (now < progress->next_ms)
        return;
    progress->next_ms = now + DRAW_EVERY_MS;
    char line[512];
    size_t n = cli_progress_format(line, sizeof line, progress->doing, at, progress->width);
    fwrite(line, 1, n, stderr);
    fflush(stderr);
    line_shown = 1;
}

void cli_progress_clear(void)
{
    if (line_shown)
        fputs("\r\033[K", stderr);
    line_shown = 0;
}

void cli_progress_done(cli_progress_t *progress)
{
    cli_progress_clear();
    progress->calls = 0;
}
