/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * promscore service -f html: one self-contained page for a board, in the
 * style of the questionnaire report's (html_page.h).
 */
#ifndef PROMSCORE_SERVICE_HTML_H
#define PROMSCORE_SERVICE_HTML_H

#include <promscore/promscore.h>
#include <promscore/service.h>
#include <stddef.h>

#include "output.h"

/* What the command line set up, as the page states it. */
typedef struct service_page {
    const ps_service_definition_t *definition;
    const ps_service_window_t *windows; /* in time order */
    size_t n_windows;
    const char *selected;   /* the selection rule as reports print it, or NULL */
    const char *before;     /* the window the others are compared with */
    const char *regression; /* what regression to the mean means here, with its sources, in the
                               words of the text report */
    int has_comparison;     /* a comparison cohort was given */
    const char *warning;    /* "NOT FOR RELEASE: ..." for the top of the page, or NULL */
} service_page_t;

/*
 * The page. 'argv' is the command's (argv[0] "service"), its options before its operands as
 * getopt leaves them; 'files' the files it names (the output, the measures, comparison cohorts'
 * counts and the inputs), each shown by its base name. Sets out->error to ENOMEM when memory
 * runs out.
 */
void service_write_html(output_t *out, const ps_service_report_t *report,
                        const service_page_t *page, int argc, char *const *argv,
                        const output_file_t *files, size_t n_files);

#endif
