/*
 * make bench: scores a generated batch of 1,000,000 fourteen-item WEMWBS rows
 * with the promscore command and prints rows per second and peak memory.
 * Targets (issue: streaming scoring): under 0.5 s and under 64 MiB.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { ROWS = 1000000, ITEMS = 14 };

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void generate(const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        exit(1);
    }
    fputs("participant_id,timepoint,site", f);
    for (int i = 1; i <= ITEMS; i++)
        fprintf(f, ",wemwbs_%d", i);
    fputc('\n', f);
    unsigned seed = 12345;
    for (int r = 0; r < ROWS; r++) {
        /* Half the participants at baseline, half at follow-up: distinct keys throughout. */
        fprintf(f, "P%07d,%s,site%d", r / 2, r % 2 ? "followup" : "baseline", r % 7);
        for (int i = 0; i < ITEMS; i++) {
            seed = seed * 1103515245u + 12345u;
            fprintf(f, ",%u", 1 + (seed >> 16) % 5);
        }
        fputc('\n', f);
    }
    if (fclose(f) != 0) {
        perror(path);
        exit(1);
    }
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: bench PROMSCORE\n");
        return 2;
    }
    char dir[] = "/tmp/promscore-bench-XXXXXX";
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    char batch[64], scored[64];
    snprintf(batch, sizeof batch, "%s/batch.csv", dir);
    snprintf(scored, sizeof scored, "%s/scored.csv", dir);
    printf("bench: generating %d rows of %d WEMWBS items...\n", ROWS, ITEMS);
    fflush(stdout);
    generate(batch);

    double best = 1e9;
    long peak_kib = 0;
    for (int run = 0; run < 3; run++) {
        double start = now();
        pid_t pid = fork();
        if (pid == 0) {
            execl(argv[1], argv[1], "score", "-q", "-i", "wemwbs", "--keep", "site", "-o", scored,
                  batch, (char *)NULL);
            _exit(127);
        }
        int status;
        struct rusage usage;
        if (wait4(pid, &status, 0, &usage) != pid || !WIFEXITED(status) ||
            WEXITSTATUS(status) != 0) {
            fprintf(stderr, "bench: promscore failed (status %d)\n", status);
            return 1;
        }
        double elapsed = now() - start;
        best = elapsed < best ? elapsed : best;
        peak_kib = usage.ru_maxrss > peak_kib ? usage.ru_maxrss : peak_kib;
    }
    unlink(batch);
    unlink(scored);
    rmdir(dir);
    double mib = (double)peak_kib / 1024.0;
    printf("bench: score %d rows: best of 3 %.3f s, %.0f rows/s, peak memory %.1f MiB\n", ROWS,
           best, ROWS / best, mib);
    printf("bench: targets: time %s 0.5 s, memory %s 64 MiB\n", best < 0.5 ? "under" : "OVER",
           mib < 64 ? "under" : "OVER");
    return 0;
}
