/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What promscore service's command line set up, as its reports (the text, the
 * JSON in part, the page) state it: declared once for all of them.
 */
#ifndef PROMSCORE_SERVICE_SETTING_H
#define PROMSCORE_SERVICE_SETTING_H

#include <promscore/promscore.h>
#include <promscore/service.h>
#include <stddef.h>

typedef struct service_setting {
    const ps_service_definition_t *definition;
    const ps_service_window_t *windows; /* in time order */
    size_t n_windows;
    const char *selected;   /* the selection rule as reports print it, or NULL */
    const char *before;     /* the window the others are compared with */
    const char *regression; /* what regression to the mean means here, with its sources */
    int has_comparison;     /* a comparison cohort was given */
    int has_population;     /* empirical Bayes (--population) */
    int interval;           /* PS_SERVICE_ROBUST or PS_SERVICE_QUASI_POISSON */
    const char *unit_costs; /* the unit costs file as given (--unit-costs), or NULL */
    int no_counterfactual;  /* --no-counterfactual: costs against no change, stamped naive */
    const char *warning;    /* "NOT FOR RELEASE: ..." for the top of the report, or NULL */
} service_setting_t;

#endif
