/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Service use before and after: what the definition, the cohort and the
 * report share. Private to libpromscore.
 */
#ifndef PROMSCORE_SERVICEUSE_H
#define PROMSCORE_SERVICEUSE_H

#include <stddef.h>
#include <stdint.h>

#include <promscore/service.h>

#include "csvread.h"
#include "internal.h"
#include "names.h"
#include "servicebayes.h"

struct ps_service_measure {
    const char *id;
    const char *column;          /* the id when the definition gives none */
    const char *label;
    const char *unit;
    const char *source;          /* a source's id, or NULL */
    int verified;
    const char **aliases;
    size_t n_aliases;
    unsigned long line;          /* in the definition, for messages */
};

struct ps_service_definition {
    ps_arena_t *arena;           /* owns everything below */
    const char *file;
    const char *id;
    const char *version;
    const char *title;
    struct ps_source *sources;
    size_t n_sources;
    struct ps_service_measure *measures;
    size_t n_measures;
};

struct ps_service_window_def {
    const char *name;
    unsigned days;
};

/* The people of one arm: per participant, window and measure, the count (NaN: not
 * recorded); per participant and window, the days observed (NaN: no row) and where the row
 * was read (line 0: none). */
struct ps_service_arm_data {
    ps_names_t *participants;
    double *counts;              /* [participant][window][measure] */
    double *exposure;            /* [participant][window] */
    unsigned long *line;
    uint32_t *file;              /* index into the cohort's files */
    uint32_t *groups;            /* [participant][by]: a value of group_values, or NO_GROUP */
    size_t capacity;             /* participants the tables have room for */
};

struct ps_service_cohort {
    ps_context_t *context;
    const ps_service_definition_t *definition;
    ps_arena_t *arena;
    struct ps_service_window_def *windows;
    size_t n_windows;
    size_t before;               /* the window the others are compared with */
    int has_rule;
    struct {
        size_t measure, window;
        long least;              /* selected when the count is at least this */
        const char *text;        /* "ae_attendances >= 6 in pre12" */
    } rule;
    const char *id_column, *window_column, *exposure_column;
    ps_csv_options_t csv;
    const char **by;             /* columns to group by */
    size_t n_by;
    ps_names_t **group_values;   /* per column, both arms' values */
    struct ps_service_arm_data arms[2];
    char **files;                /* every file read, for messages */
    size_t n_files;
    struct ps_service_event_setup {  /* event lists (serviceevents.c) */
        const char *index_column, *end_column;
        const char *date_format;
        size_t first_after;      /* the first window after the index date */
        int32_t from, until;     /* the days dates may be: placeholders before, none after */
        int until_is_today;
    } events;
    struct ps_su_population population;  /* for empirical Bayes; shape 0: none */
    int interval;                /* PS_SERVICE_ROBUST or PS_SERVICE_QUASI_POISSON */
};

/* A participant without a value in a column to group by (no such column in their file). */
#define PS_SU_NO_GROUP UINT32_MAX

/* The number of the window named 'name' (in any ASCII case), or SIZE_MAX. */
size_t ps_su_window_find(const ps_service_cohort_t *cohort, const char *name);
/* The measure 'name' names: by its id, or by its column or an alias; SIZE_MAX for none. */
size_t ps_su_measure_find(const ps_service_definition_t *definition, const char *name);
/* A field as UTF-8 text without the spaces around it, or NULL when it is not text. */
const char *ps_su_clean_field(ps_csv_record_t *record, size_t field);
/* Makes room for participant p in the arm's tables: 0, or -1 when out of memory. */
int ps_su_room_for(ps_service_cohort_t *cohort, struct ps_service_arm_data *arm, size_t p);
/* Keeps a copy of a file's name for messages; *index is its number in cohort->files. */
ps_error_t ps_su_remember_file(ps_service_cohort_t *cohort, const char *file, uint32_t *index);
/* Checks and copies the options of event lists into cohort->events (serviceevents.c). */
ps_error_t ps_su_events_setup(ps_service_cohort_t *cohort, const ps_service_options_t *options);
/*
 * Once the counts are read: PS_OK, or PS_ERROR_USAGE with a diagnostic when a selection rule
 * names a measure and window of which no count of the people referred was read.
 */
ps_error_t ps_su_check_rule_counted(const ps_service_cohort_t *cohort);

#endif
