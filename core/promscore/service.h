/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * promscore: service use before and after.
 *
 * Counts of service use (A&E attendances, emergency admissions, GP
 * consultations, ...) per participant in named windows relative to each
 * participant's index date (referral), compared before and after. The
 * measures are declared in XML (schemas/service-use.xsd); counts are read from
 * CSV, every row used or refused with its reason, into a service cohort: the
 * people referred and, optionally, a comparison cohort selected the same way.
 * See docs/service-use.md.
 *
 * Included after <promscore/promscore.h>.
 */
#ifndef PROMSCORE_SERVICE_H
#define PROMSCORE_SERVICE_H

#include <stddef.h>
#include <stdint.h>
#include <promscore/promscore.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------- */
/* Measures.                                                                  */

typedef struct ps_service_definition ps_service_definition_t;

/**
 * Reads a service-use definition, validated against service-use.xsd in the
 * context's schema directory; 'file' NULL reads the one shipped with promscore
 * (plugins/service_use/service_use.xml, installed in the package's data directory, or the
 * source tree's for a program run from its build tree). Two measures holding
 * one column (by their columns and aliases, matched as batch headers are) are
 * refused with PS_ERROR_DEFINITION.
 */
ps_error_t ps_service_definition_read(ps_context_t *context, const char *file,
                                      ps_service_definition_t **definition);
void ps_service_definition_free(ps_service_definition_t *definition);

const char *ps_service_definition_id(const ps_service_definition_t *definition);
const char *ps_service_definition_version(const ps_service_definition_t *definition);
const char *ps_service_definition_title(const ps_service_definition_t *definition);
/** The file it was read from. */
const char *ps_service_definition_file(const ps_service_definition_t *definition);

size_t ps_service_measure_count(const ps_service_definition_t *definition);
/**
 * Measure 'index': its id, with its column, label, unit ("attendances"), and
 * the id of the source it cites (NULL when none) with whether that source is
 * confirmed; NULL when out of range. Pointers may be NULL.
 */
const char *ps_service_measure(const ps_service_definition_t *definition, size_t index,
                               const char **column, const char **label, const char **unit,
                               const char **source, int *verified);
/** The number of the measure with this id, or SIZE_MAX. */
size_t ps_service_measure_find(const ps_service_definition_t *definition, const char *id);

size_t ps_service_source_count(const ps_service_definition_t *definition);
/** Source 'index': its id, with its text and address (NULL when none); NULL when out of range. */
const char *ps_service_source(const ps_service_definition_t *definition, size_t index,
                              const char **text, const char **url);

/* ------------------------------------------------------------------------- */
/* Counts per participant and window.                                         */

/** A window, named as rows name it, of 'days' days (1 to PS_SERVICE_MAX_DAYS). */
typedef struct ps_service_window {
    const char *name;
    unsigned days;
} ps_service_window_t;

/** The longest window, in days (ten years). */
#define PS_SERVICE_MAX_DAYS 3660u
/** The most windows a cohort has. */
#define PS_SERVICE_MAX_WINDOWS 16u

/**
 * How counts are read and compared. Caller-allocated and growable like
 * ps_score_options_t: initialise it with ps_service_options_init.
 */
typedef struct ps_service_options {
    size_t size;
    /** The windows in time order, at least two; names unique in any ASCII case, none
     * containing "->" or white space. */
    const ps_service_window_t *windows;
    size_t n_windows;
    /** The window the others are compared with (it before each later one, each earlier one
     * before it); NULL for the selection rule's window, else the first listed. */
    const char *before;
    /**
     * How the people were selected, "MEASURE >= N in WINDOW" (or ">"; N a whole number;
     * "in WINDOW" left out for the before window), or NULL when not given. MEASURE is a
     * measure's id.
     */
    const char *selected;
    /** Column names; NULL for "participant_id", "window" and "exposure_days". A file need
     * not have the exposure column. */
    const char *id_column;
    const char *window_column;
    const char *exposure_column;
    /** The files' character encoding (NULL: UTF-8) and field delimiter (0: ','). */
    const char *encoding;
    char delimiter;
    /**
     * Event lists (ps_service_read_events). The columns of index and end dates, in the
     * index file or, without one, in the events; NULL for "index_date" and "end_date".
     */
    const char *index_column;
    const char *end_column;
    /** The first window after the index date; NULL for the first whose name begins with
     * "post" (in any ASCII case). The windows listed before it lie before the index date. */
    const char *first_after;
    /** How dates are written, a strptime format as for ps_score_options_t.date_format;
     * NULL for ISO 8601 (YYYY-MM-DD). */
    const char *date_format;
    /** The last day the event lists cover (an extract's end), written YYYY-MM-DD, up to
     * today. Exposure stops there as at an end date; later events and index dates are
     * refused. NULL: no one may be observed past the latest event in the lists (a read that
     * would is refused with PS_ERROR_USAGE), for the extract's end cannot be told. */
    const char *observed_until;
    /**
     * For the empirical-Bayes counterfactual (Hauer 2002): the distribution of the selection
     * rule's count in its window among all attenders (not only those selected), either
     * "nb:mean=M,shape=K" (a negative binomial, both above 0) or the name of a CSV file of
     * a histogram with columns count and people, fitted by maximum likelihood (as
     * MASS::glm.nb); NULL for none. Needs 'selected': the rule names the count and window
     * the people were chosen by.
     */
    const char *population;
    /** Where the population's figures come from, printed with them; NULL: not declared. */
    const char *population_source;
    /** The rate ratio's 95% interval (PS_SERVICE_ROBUST by default). */
    int interval;
    /**
     * Columns to group by (a site, a practice), matched as batch headers are: the report has
     * blocks per value of each beside the whole cohort's. A participant's value must be the
     * same on each of their rows; an empty value is a group of its own (the people with no
     * value), as in the questionnaire report. Each file of the referred must have the
     * columns; a comparison cohort's may (its people are then grouped alike, and each group
     * of the referred has its net rate ratio against the same group of the comparison).
     */
    const char *const *by;
    size_t n_by;
} ps_service_options_t;

/** The rate ratio's 95% intervals (ps_service_options_t.interval). */
enum {
    /** Cluster-robust (sandwich) over people, t with n - 1 degrees of freedom. */
    PS_SERVICE_ROBUST = 0,
    /** quasi-Poisson glm over each person's two windows, t with 2n - 2 degrees of freedom. */
    PS_SERVICE_QUASI_POISSON = 1
};

/** Zeroes 'options' and sets its size: call it with sizeof(ps_service_options_t). */
void ps_service_options_init(ps_service_options_t *options, size_t size);

/** The people of a service cohort: those referred, or a comparison cohort. */
typedef enum ps_service_arm {
    PS_SERVICE_REFERRED = 0,
    PS_SERVICE_COMPARISON = 1
} ps_service_arm_t;

typedef struct ps_service_cohort ps_service_cohort_t;

/**
 * Creates a service cohort. Refused with PS_ERROR_USAGE and a diagnostic:
 * fewer than two windows or more than PS_SERVICE_MAX_WINDOWS, a window
 * named twice, without a name, containing "->" or white space, or of 0 days
 * or more than PS_SERVICE_MAX_DAYS; a 'before' that is not a window; a
 * selection rule that does not read as MEASURE >= N in WINDOW, or names a
 * measure or window there is not, or a window at or after the first after the
 * index date (options.first_after), listed after the before window, or the
 * last (none after it follows the people selected); a population without a selection rule, or
 * not as described, and an interval not among those listed. A population
 * histogram that cannot be read or fitted is refused with PS_ERROR_BATCH (or
 * PS_ERROR_READ), naming file, line and column; a column to group by that is
 * the id, window or exposure column, a measure's, named twice, or free text of
 * a loaded instrument. The definition must outlive the cohort.
 */
ps_error_t ps_service_cohort_new(ps_context_t *context, const ps_service_definition_t *definition,
                                 const ps_service_options_t *options,
                                 ps_service_cohort_t **cohort);
void ps_service_cohort_free(ps_service_cohort_t *cohort);

/** The selection rule as reports print it ("ae_attendances >= 6 in pre12": a rule "> 5" is
 * ">= 6"), or NULL when none was given. */
const char *ps_service_cohort_selection(const ps_service_cohort_t *cohort);

/** The name of the window the others are compared with (see ps_service_options_t.before). */
const char *ps_service_cohort_before(const ps_service_cohort_t *cohort);

/** Callbacks of ps_service_read; nonzero stops it with PS_ERROR_ABORTED. */
typedef struct ps_service_handlers {
    /** A row refused whole (column 0), or one count refused in a row used. */
    int (*reject)(const ps_reject_t *reject, void *user);
    void *user;
} ps_service_handlers_t;

/**
 * Reads pre-aggregated counts into the arm's people: a header row naming the
 * id column, the window column, optionally the exposure column, and one
 * column per measure read (by its column or an alias, matched as batch
 * headers are); then one row per participant and window. A header without
 * the id or window column, or without any measure's, and two columns for one
 * measure, refuse the file (PS_ERROR_BATCH); any other column is named in a
 * diagnostic of error PS_OK and not read.
 *
 * A row is refused whole, with its reason, when it is ragged or malformed, has
 * no participant id or window, names a window not in the options, gives an
 * exposure that is not a whole number of days from 0 to the window's length,
 * is a second row for its participant and window, names a participant of the
 * other arm, gives a group (options' by) other than their earlier row's, or
 * has no valid count. A file of the referred without a column to group by is
 * refused (PS_ERROR_BATCH); more than 100 values in one column stop the
 * read (PS_ERROR_LIMIT): a group is a site, never a person. A count must be a whole number from 0 to
 * 1e9: any other is refused with its reason and the row used for its other
 * measures. An empty count is not recorded (not zero); an empty or absent
 * exposure is the whole window. *summary counts rows read, used (rows_scored)
 * and refused, and counts refused (cells_rejected); it may be NULL.
 */
ps_error_t ps_service_read(ps_service_cohort_t *cohort, const char *file, ps_service_arm_t arm,
                           const ps_service_handlers_t *handlers, ps_batch_summary_t *summary);

/**
 * Reads event lists into the arm's people, counting each participant's events
 * into the windows around their index date (referral), with the days each was
 * observed, so that what follows is as for ps_service_read.
 *
 * Each of the 'n_events' files has a header row naming the id column, "date",
 * "measure" and optionally "quantity" (a whole number from 1 to 1e9; empty or
 * absent, 1): one row per event, its measure named by its id, column or an
 * alias. The index date of each participant, and optionally the last day they
 * were observed (died, moved away), come from 'index_file' (columns: the id
 * column, options.index_column, optionally options.end_column; one row per
 * participant, each of whom is then counted, with zeros when they have no
 * event) or, when 'index_file' is NULL, from those columns of the events (the
 * same on each row of a participant; a row with its date and measure both
 * empty says the participant was observed and has no event).
 *
 * Windows: the first after the index date (options.first_after) starts on the
 * index date itself, and each later one the day after the one before it ends;
 * the window listed just before it ends the day before the index date, and each
 * earlier one the day before the one after it starts. A participant is observed
 * for the whole of each window before, and for each window after up to the end
 * date or options.observed_until, whichever is first (that day included): the
 * days observed are the exposure, and a window of none is not recorded. Index
 * dates before 2000-01-01 (placeholders such as 1900-01-01, mistyped years) and
 * index dates and events after observed_until are refused.
 *
 * The measures an event list records are those named by any of its rows; each
 * participant's count of one is 0 in each window observed until events add to
 * it. Every row is used or refused with its reason: ragged or malformed rows,
 * missing or unreadable ids and dates, a measure there is not, a quantity that
 * is not a whole number of 1 or more, a participant not in the index file or
 * whose index row was refused, an index or end date that differs from the
 * participant's earlier rows', an end date before the index date, an event
 * after the end date or outside every window, a participant of the other arm
 * or read already. An event refused for its date, or for an index or end
 * date that cannot be read or differs from the participant's earlier rows',
 * leaves its measure not recorded for the participant in every window (the
 * participant is still counted for the other measures), and one refused for
 * its quantity in its window: their counts are unknown, never 0. In the index file, rows
 * are refused for the same reasons and for a second row of a participant.
 * A header without the columns needed refuses the file (PS_ERROR_BATCH). An
 * event list that counted the same events as an earlier one (the same people,
 * measures, dates and quantities, whatever its bytes, row order or quoting: a
 * copy, perhaps saved again) is refused (PS_ERROR_USAGE): each event would be
 * counted twice. A cohort with columns to group by (options.by) is refused (PS_ERROR_USAGE):
 * event lists do not carry groups.
 *
 * 'summaries' (NULL, or room for 1 + n_events) receives, first, the index
 * file's rows read, used and refused (all 0 without one), then each events
 * file's.
 */
ps_error_t ps_service_read_events(ps_service_cohort_t *cohort, ps_service_arm_t arm,
                                  const char *index_file, const char *const *events,
                                  size_t n_events, const ps_service_handlers_t *handlers,
                                  ps_batch_summary_t *summaries);

/** Participants read into an arm. */
size_t ps_service_participant_count(const ps_service_cohort_t *cohort, ps_service_arm_t arm);
/**
 * The count of measure 'measure' for a participant in a window, and the days
 * they were observed in it: returns 1 when a row gave the count, 0 when not
 * recorded (then *exposure_days is still set when the participant has a row
 * for the window, else NaN). Pointers may be NULL.
 */
int ps_service_count(const ps_service_cohort_t *cohort, ps_service_arm_t arm,
                     const char *participant, const char *window, size_t measure, double *count,
                     double *exposure_days);

/* ------------------------------------------------------------------------- */
/* The report.                                                                */

typedef struct ps_service_report ps_service_report_t;

/**
 * Computes, for each measure with a count in the referred arm, each
 * comparison of two windows (each window listed before the before window
 * against it, "pre24->pre12", then it against each later one,
 * "pre12->post12") and each arm ("all" for the people referred, "comparison"
 * for a comparison cohort), the service-use statistics of the catalogue, and
 * applies 'disclosure' to counts of people and of events alike. Each figure is
 * a ps_statistic_t whose instrument and scale are NULL, unit the measure's id,
 * group "all" or "comparison", comparison "FIRST->SECOND", and whose
 * before and after are the comparison's first and second windows. With a
 * comparison cohort, each referred block also has the net rate ratio (its
 * rate ratio over the comparison's). With a selection rule, every block has
 * selected_at_least (its note the rule in words), and the blocks of the
 * rule's measure compared from the rule's window have n_outside_rule.
 * With columns to group by, each whole block is followed by the blocks of its
 * groups, column by column and value by value in natural order (S2 before
 * S10): group "COLUMN=VALUE" for the referred, "comparison COLUMN=VALUE" for
 * the comparison cohort's people with that value; a referred group's net rate
 * ratio is against the comparison's same group, when it has one. Each count
 * of a whole block is the sum of the same count over the groups of one column
 * (>= when some of the comparison cohort have no value), a relation the
 * audit keeps, with the rule that the whole less the groups shown must not be
 * 1..threshold people or events.
 * Refused with PS_ERROR_BATCH when no counts of the referred were read, and
 * with PS_ERROR_USAGE when the selection rule's measure has no count of the
 * referred in the rule's window (no file gave it).
 */
ps_error_t ps_service_report(ps_service_cohort_t *cohort, const ps_disclosure_t *disclosure,
                             ps_service_report_t **report);
void ps_service_report_free(ps_service_report_t *report);
size_t ps_service_report_count(const ps_service_report_t *report);
const ps_statistic_t *ps_service_report_statistic(const ps_service_report_t *report,
                                                  size_t index);
/** One sentence naming the disclosure rule applied. */
const char *ps_service_report_disclosure_rule(const ps_service_report_t *report);
/** What the disclosure audit did (all 0 without disclosure control). */
const ps_audit_t *ps_service_report_audit(const ps_service_report_t *report);
/** The relations between the report's counts the audit was run against (see
 * ps_report_relation). */
size_t ps_service_report_relation_count(const ps_service_report_t *report);
int ps_service_report_relation(const ps_service_report_t *report, size_t index,
                               ps_relation_t *relation);

/* ------------------------------------------------------------------------- */
/* Numbers of the service inputs.                                             */

/** Flags of ps_service_number: a leading '-' or '+' is read; a fraction ('.' then digits). */
#define PS_SERVICE_NUMBER_SIGNED 1u
#define PS_SERVICE_NUMBER_FRACTION 2u

/**
 * Reads 'text' strictly as a decimal number, as every number of the service inputs is
 * read (counts, unit costs, price indexes, populations, and the command line's amounts):
 * digits, with a sign only when 'flags' has PS_SERVICE_NUMBER_SIGNED and a fraction only
 * when it has PS_SERVICE_NUMBER_FRACTION; no white space, exponent (1e3), hex (0x10),
 * thousands separator, "inf" or "nan". Returns NULL with *value, or why not: with *value
 * NaN when the text is not digits with an optional sign and fraction, else with *value the
 * number when only its sign ("a negative number") or fraction ("not a whole number") is
 * not allowed.
 */
const char *ps_service_number(const char *text, unsigned flags, double *value);

#ifdef __cplusplus
}
#endif

#endif
