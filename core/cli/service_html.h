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
#include "service_setting.h"

/*
 * The page. 'argv' is the command's (argv[0] "service"), its options before its operands as
 * getopt leaves them; 'files' the files it names (the output, the measures, comparison cohorts'
 * counts and the inputs), each shown by its base name. Sets out->error to ENOMEM when memory
 * runs out.
 */
void service_write_html(output_t *out, const ps_service_report_t *report,
                        const service_setting_t *setting, int argc, char *const *argv,
                        const output_file_t *files, size_t n_files);

#endif
