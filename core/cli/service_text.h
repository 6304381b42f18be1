/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * promscore service's text report (the default format), in lines of at most 90
 * columns: what the measures, windows and selection are and what regression to
 * the mean means for them; per measure and comparison of windows, the people
 * referred (then the comparison cohort, and each group of --by): their events
 * and rates before and after, the rate ratio, whose use fell, stayed or rose;
 * then the costs (notional cost avoidance, never savings, and the return on
 * investment, with the completers' figures apart from everyone's) and the
 * wellbeing value on lines of its own, never added to them; the caveats last.
 * Every number is a statistic of the report as disclosure control left it:
 * nothing is recomputed.
 */
#ifndef PROMSCORE_SERVICE_TEXT_H
#define PROMSCORE_SERVICE_TEXT_H

#include <promscore/promscore.h>
#include <promscore/service.h>
#include <stddef.h>

#include "output.h"
#include "service_setting.h"

/* The text report. Sets out->error to ENOMEM when memory runs out. */
void service_write_text(output_t *out, const ps_service_report_t *report,
                        const service_setting_t *setting);

#endif
