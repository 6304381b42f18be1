/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * promscore: scoring of outcome surveys (WEMWBS, SWEMWBS, ...) from CSV batches.
 *
 * The header for programs that use the library. Plugin authors include
 * <promscore/plugin.h>, which includes this one.
 *
 * The flow is one way: a context loads instrument definitions (XML, validated
 * against the installed schema) and the plugins that score them; a scorer reads
 * batches (CSV) row by row and hands every scale score and every refused row or
 * cell to the caller's handlers. Nothing is kept per row beyond one small record
 * per participant x timepoint x instrument, used to refuse duplicates (with
 * timepoints from dates, one more per participant x instrument; a long export
 * is held whole while it is scored).
 *
 * All objects are opaque. Functions that can fail return ps_error_t; details of
 * the failure (file, line, column, message) go to the context's diagnostic
 * handler.
 */
#ifndef PROMSCORE_H
#define PROMSCORE_H

#include <stddef.h>
#include <promscore/version.h>
#include <promscore/statistics.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Outcome of a library call. */
typedef enum ps_error {
    PS_OK = 0,
    PS_ERROR_NOMEM,      /**< out of memory */
    PS_ERROR_USAGE,      /**< the caller asked for something impossible (unknown instrument, ...) */
    PS_ERROR_READ,       /**< a file could not be opened or read */
    PS_ERROR_WRITE,      /**< a file could not be written */
    PS_ERROR_BATCH,      /**< a batch is not usable: not CSV, no header, no id column, ... */
    PS_ERROR_LIMIT,      /**< an input exceeds a documented limit */
    PS_ERROR_XML,        /**< a definition is not well-formed XML, or has a DTD */
    PS_ERROR_SCHEMA,     /**< a definition does not follow schemas/instrument.xsd */
    PS_ERROR_DEFINITION, /**< a definition follows the schema but its rules are inconsistent */
    PS_ERROR_PLUGIN,     /**< a plugin is missing, is not a plugin, or refused a definition */
    PS_ERROR_ABI,        /**< a plugin was built for another plugin ABI */
    PS_ERROR_ABORTED,    /**< a handler asked the scorer to stop */
    PS_ERROR_INTERNAL    /**< a bug in promscore or a plugin */
} ps_error_t;

/** A short English description of an error code (never NULL). */
const char *ps_error_message(ps_error_t error);

/** Where and why something failed. Line and column are 1-based; 0 when unknown. */
typedef struct ps_diagnostic {
    ps_error_t error;
    const char *file;    /**< file concerned, or NULL */
    unsigned long line;
    unsigned long column;
    const char *message; /**< one line, no trailing newline */
} ps_diagnostic_t;

typedef void (*ps_diagnostic_fn)(const ps_diagnostic_t *diagnostic, void *user);

/* ------------------------------------------------------------------------- */
/* Context: instruments and the plugins that score them.                     */

typedef struct ps_context ps_context_t;
typedef struct ps_instrument ps_instrument_t;
typedef struct ps_item ps_item_t;
typedef struct ps_scale ps_scale_t;

/**
 * Creates a context. Plugins are searched in the directories of the environment
 * variable PROMSCORE_PLUGIN_PATH (colon-separated) when it is set, else in the
 * configured plugin directory; definitions in PROMSCORE_INSTRUMENT_PATH, else
 * the configured instrument directory; the schema in PROMSCORE_SCHEMA_DIR, else
 * the configured schema directory. In either path an empty entry (leading,
 * trailing, "::" or the whole value) stands for the configured directory, as
 * in MANPATH. A program run from the build tree it was built in uses that
 * tree's directories instead of the configured ones. The current directory is
 * never searched.
 */
ps_error_t ps_context_new(ps_context_t **context);
void ps_context_free(ps_context_t *context);

/** Receives every diagnostic; without one, diagnostics are dropped. */
void ps_context_set_diagnostic_handler(ps_context_t *context, ps_diagnostic_fn fn, void *user);

/** Overrides the plugin search path (colon-separated directories; an empty entry stands for
 * the default ones). */
ps_error_t ps_context_set_plugin_path(ps_context_t *context, const char *path);
/** Overrides the directory holding instrument.xsd. */
ps_error_t ps_context_set_schema_dir(ps_context_t *context, const char *dir);

/**
 * Loads every *.xml definition in the instrument path (colon-separated
 * directories, an empty entry standing for the default ones; NULL for the path
 * described at ps_context_new), in name order, with the plugins they name. A
 * definition that fails stops the load.
 */
ps_error_t ps_context_load_instruments(ps_context_t *context, const char *path);

/**
 * Loads a run-time calibration table (e.g. a PAM licensee's) for the scale it
 * names, checked against the schema that scale's definition gives
 * (<calibration schema="...">): no gaps, scores inside the scale's range.
 * Load the instruments first.
 */
ps_error_t ps_context_load_calibration(ps_context_t *context, const char *file);

/** Loads one definition file. Two instruments with one id are refused. */
ps_error_t ps_context_load_instrument(ps_context_t *context, const char *file,
                                      const ps_instrument_t **instrument);

size_t ps_context_instrument_count(const ps_context_t *context);
const ps_instrument_t *ps_context_instrument(const ps_context_t *context, size_t index);
/** Nonzero when a loaded definition declares 'column' free text (personal data). */
int ps_context_is_free_text(const ps_context_t *context, const char *column);

/** The instrument with this id in any ASCII case (WEMWBS is wemwbs), or NULL. */
const ps_instrument_t *ps_context_find_instrument(const ps_context_t *context, const char *id);

/* ------------------------------------------------------------------------- */
/* Instruments, items and scales, as their definition describes them.         */

const char *ps_instrument_id(const ps_instrument_t *instrument);
const char *ps_instrument_title(const ps_instrument_t *instrument);
const char *ps_instrument_version(const ps_instrument_t *instrument);
/** The licence or copyright notice that copies of the instrument must carry. */
const char *ps_instrument_notice(const ps_instrument_t *instrument);
/** The plugin that scores the instrument. */
const char *ps_instrument_plugin(const ps_instrument_t *instrument);
/** The definition file it was loaded from. */
const char *ps_instrument_file(const ps_instrument_t *instrument);
size_t ps_instrument_item_count(const ps_instrument_t *instrument);
const ps_item_t *ps_instrument_item(const ps_instrument_t *instrument, size_t index);
size_t ps_instrument_scale_count(const ps_instrument_t *instrument);
const ps_scale_t *ps_instrument_scale(const ps_instrument_t *instrument, size_t index);
/** The scale with this id, or NULL. */
const ps_scale_t *ps_instrument_find_scale(const ps_instrument_t *instrument, const char *id);

const char *ps_item_id(const ps_item_t *item);
/** The batch column that holds the item's answers (aliases are also accepted). */
const char *ps_item_column(const ps_item_t *item);
const char *ps_item_label(const ps_item_t *item);

const char *ps_scale_id(const ps_scale_t *scale);
const char *ps_scale_label(const ps_scale_t *scale);
const char *ps_scale_method(const ps_scale_t *scale);
const ps_instrument_t *ps_scale_instrument(const ps_scale_t *scale);
/** Number of items the scale is computed from. */
size_t ps_scale_item_count(const ps_scale_t *scale);
/** The scale's index'th item. */
const ps_item_t *ps_scale_item(const ps_scale_t *scale, size_t index);
/** Number of decimal places scores of this scale are reported with. */
int ps_scale_precision(const ps_scale_t *scale);
double ps_scale_min(const ps_scale_t *scale);
double ps_scale_max(const ps_scale_t *scale);
/** Nonzero when a lower score is the better one (e.g. ONS4 anxiety). */
int ps_scale_lower_is_better(const ps_scale_t *scale);
/** Nonzero for a check on the data (statements answered, a raw sum kept for checking): its
 * definition says check="true"; reports leave it out of their headline table. */
int ps_scale_is_check(const ps_scale_t *scale);
/** Number of bands of the scale's score (0 when it has none). */
size_t ps_scale_band_count(const ps_scale_t *scale);
/** Label of band 'index' and its inclusive bounds. */
const char *ps_scale_band(const ps_scale_t *scale, size_t index, double *min, double *max);
/** The band a score falls in, or NULL. */
const char *ps_scale_band_of(const ps_scale_t *scale, double score);
/** Meaningful change in points; returns 0 when the definition gives none. */
int ps_scale_meaningful_change(const ps_scale_t *scale, double *points);
/**
 * Reliable change in points: the definition's points, or 1.96 * sqrt(2) * SEM
 * (Jacobson and Truax); with *at_least (when not NULL) 1 when a change of
 * exactly that much is reliable (rule="at-least"), 0 when a change must be
 * more. Returns 0 when the definition gives none.
 */
int ps_scale_reliable_change(const ps_scale_t *scale, double *points, int *at_least);
/** Standard error of measurement for reliable change; returns 0 when none is given. */
int ps_scale_sem(const ps_scale_t *scale, double *sem);
/** The SD and reliability the SEM comes from; returns 0 when the SEM was given directly, or none. */
int ps_scale_reliability(const ps_scale_t *scale, double *sd, double *reliability);
/** Items that may go unanswered with the scale still scored (0: every one must be answered). */
size_t ps_scale_max_missing(const ps_scale_t *scale);
/** Number of raw values the scale's lookup table converts, from *first_raw (when not NULL)
 * up; 0 without a lookup. */
size_t ps_scale_lookup_count(const ps_scale_t *scale, long *first_raw);
/** The schema a licensee's calibration table for the scale must follow, or NULL when it takes
 * none. */
const char *ps_scale_calibration_schema(const ps_scale_t *scale);
/** 0 for a scale kept for a pool (e.g. each goal's), not reported alone. */
int ps_scale_reported(const ps_scale_t *scale);

/** The rules of a scale that a definition takes from its sources. */
typedef enum ps_rule {
    PS_RULE_MISSING,      /**< the missing-item rule */
    PS_RULE_LOOKUP,       /**< the raw-to-score lookup table */
    PS_RULE_CALIBRATION,  /**< the calibration table it takes at run time */
    PS_RULE_BANDS,        /**< the bands */
    PS_RULE_MEANINGFUL,   /**< the meaningful change */
    PS_RULE_RELIABLE      /**< the SEM, or SD and reliability, of reliable change */
} ps_rule_t;

/**
 * The id of the source (see ps_instrument_source) a rule of the scale was
 * taken from, with *verified (when not NULL) set to 0 when the definition
 * marks the rule as not confirmed as official; NULL when the scale has no
 * such rule.
 */
const char *ps_scale_rule_source(const ps_scale_t *scale, ps_rule_t rule, int *verified);

/** Number of sources the definition cites. */
size_t ps_instrument_source_count(const ps_instrument_t *instrument);
/**
 * Source 'index': its id, with what the definition says of it in *text and
 * its address in *url (NULL when it gives none); NULL when out of range.
 * 'text' and 'url' may be NULL.
 */
const char *ps_instrument_source(const ps_instrument_t *instrument, size_t index,
                                 const char **text, const char **url);
/** Number of the definition's parameters (numbers its plugin's methods use). */
size_t ps_instrument_parameter_count(const ps_instrument_t *instrument);
/**
 * Parameter 'index': its name, with its value, its source's id and whether it
 * is confirmed as official; NULL when out of range. Pointers may be NULL.
 */
const char *ps_instrument_parameter_at(const ps_instrument_t *instrument, size_t index,
                                       double *value, const char **source, int *verified);

/** Number of other column names the item's column is accepted under. */
size_t ps_item_alias_count(const ps_item_t *item);
const char *ps_item_alias(const ps_item_t *item, size_t index);
/** Nonzero when the instrument is scored without the item's column. */
int ps_item_optional(const ps_item_t *item);
/** Nonzero when the item's answers are free text: personal data, never scored. */
int ps_item_free_text(const ps_item_t *item);
/** An item answered with a number: from *min to *max with at most *decimals places; returns 0
 * for an item answered with a code or free text. Pointers may be NULL. */
int ps_item_range(const ps_item_t *item, double *min, double *max, int *decimals);
/** Number of answers an item coded by its response set has (0 for a number or free text). */
size_t ps_item_option_count(const ps_item_t *item);
/**
 * Answer 'index' of a coded item: its code, with its label, the value scored
 * and whether it counts as not answered (e.g. "not applicable"); NULL when out
 * of range. Pointers may be NULL.
 */
const char *ps_item_option(const ps_item_t *item, size_t index, const char **label,
                           double *value, int *not_applicable);
/** Another label answer 'index' is accepted under, number 'alias'; NULL past the last. */
const char *ps_item_option_alias(const ps_item_t *item, size_t index, size_t alias);

/* ------------------------------------------------------------------------- */
/* Scoring batches.                                                           */

typedef struct ps_scorer ps_scorer_t;

/** A window of days after a participant's baseline that names a later timepoint. */
typedef struct ps_window {
    const char *name;    /**< the timepoint's label, e.g. "month4" */
    unsigned from, to;   /**< days after the baseline's date, inclusive; 1 <= from <= to */
} ps_window_t;

/** The last day after baseline a window may reach. */
#define PS_MAX_WINDOW_DAY 999999u

/**
 * How batches are read. The caller allocates it; its first field is its size,
 * so that later versions can add fields without breaking programs built
 * against this header: initialise it with ps_score_options_init, or write
 * `ps_score_options_t o = {.size = sizeof o, ...}`, then set what you need.
 * A zero size is refused (PS_ERROR_USAGE).
 */
typedef struct ps_score_options {
    /** sizeof(ps_score_options_t) as the caller knows it. */
    size_t size;
    /** Instruments to score; NULL or empty: every loaded instrument whose item
     * columns are all present in a batch. */
    const char *const *instruments;
    size_t n_instruments;
    /** Participant id column; NULL for "participant_id". */
    const char *id_column;
    /** Timepoint column; NULL for "timepoint". Ignored when timepoint or date_column is set. */
    const char *timepoint_column;
    /** One timepoint label for every row of every batch, or NULL. */
    const char *timepoint;
    /** Columns carried unchanged to every score of a row (e.g. site). */
    const char *const *keep;
    size_t n_keep;
    /** CSV file with columns header,item mapping a batch's own headers to items
     * written INSTRUMENT.ITEM (e.g. "Q1 optimistic,wemwbs.1"), or NULL. Headers
     * match as batch headers do (see ps_scorer_score_file). An item may have
     * several headers (spellings of one export), of which a batch holds one; a
     * header holds one item. Optional columns 'match' and 'label' (as
     * ps_map_draft's drafts have them) may follow: a row whose match is "guess"
     * is refused until a person has checked it and written "checked"; "exact",
     * "none" and an empty cell are accepted; 'label' is not read. A row with an
     * empty header is refused; a header cell guarded against spreadsheet formulas
     * (see <promscore/formats.h>) is read without its guard. */
    const char *map_file;
    /**
     * Threads a batch is scored with: 1 reads and scores on the caller's
     * thread alone (for embedding, and for debuggers); 0, the default, and any
     * other number read and score rows on one extra thread while the caller's
     * thread runs the handlers.
     */
    unsigned threads;
    /** The batches' character encoding, converted to UTF-8 on input with iconv
     * (e.g. "windows-1252", "latin1", "utf-16"); NULL for UTF-8. A batch whose
     * bytes show another encoding (UTF-8 given as windows-1252, windows-1252
     * given as latin1, UTF-16 in the other byte order) is refused, saying so. */
    const char *encoding;
    /** The batches' field delimiter; 0 for ','. An ASCII punctuation character
     * or a tab: a digit, letter, '-', '+', '.', quote, space or control
     * character, written inside cells, is refused (PS_ERROR_USAGE). */
    char delimiter;
    /**
     * Column holding the date of each assessment, or NULL. When set, timepoints
     * come from dates instead of a timepoint column: each participant's
     * earliest dated assessment of an instrument is "baseline"; a later one
     * takes the name of the window (see 'windows') that holds its number of
     * days after the baseline, or, without windows, the latest is "followup"
     * and any between are refused. Dates are read in every batch before any
     * row is scored (see ps_scorer_score_files), keeping one small record per
     * participant and instrument. Each score carries its date (ps_score_t.date).
     */
    const char *date_column;
    /** How dates are written, as for strptime(3): "%d/%m/%Y" for UK exports;
     * NULL for ISO 8601 ("%Y-%m-%d"). It must read a day, a month and a year
     * of four digits: %y, whose century would be guessed, is refused. Numbers
     * it writes side by side ("%Y%m%d") must each have all their digits, and
     * white space inside a date is refused where the format has none: a date
     * that could be read more than one way is refused, never guessed. */
    const char *date_format;
    /** Windows naming the timepoints after baseline, or NULL for baseline and
     * followup alone. Names, without white space around them, hold only
     * letters, digits, '_' and '-', are unique (in any case), and none is
     * "baseline" or "end"; windows end by day PS_MAX_WINDOW_DAY and do not
     * overlap. */
    const ps_window_t *windows;
    size_t n_windows;
    /**
     * For long exports (one row per answer, as EMIS and SystmOne searches
     * give): the column naming the item answered (an item's column name, one
     * of its aliases, or a header of the map) and the column holding the
     * answer; NULL for wide batches. Needs date_column: the rows of one
     * participant (id_column) on one date form one assessment, scored as a
     * wide row would be, its scores given the line of its first row. Every
     * row is used or refused with its reason: in the batch summary rows are
     * answers, rows_scored those used (an answer refused counts there too, in
     * cells_rejected, when its assessment is scored). Every long batch of a
     * run is held in memory until all are read, so that an assessment split
     * between batches (an export saved in parts) is one assessment; their
     * assessments are then scored, and each batch's summary given at the end.
     */
    const char *item_column;
    const char *value_column;
    /**
     * The dates assessments may have, both included, written YYYY-MM-DD
     * (with date_column): a row dated outside is refused, for a placeholder
     * for "no date" (1900-01-01, 9999-12-31) or a mistyped year would
     * otherwise become a baseline or follow-up. NULL: from 2000-01-01, and to
     * today (local time). A range ending after today is refused: an
     * assessment cannot be in the future.
     */
    const char *date_from;
    const char *date_to;
} ps_score_options_t;


/** Zeroes 'options' and sets its size: call it with sizeof(ps_score_options_t). */
void ps_score_options_init(ps_score_options_t *options, size_t size);

/** The version of the library in use, e.g. "0.1.0" (PS_VERSION is the headers'). */
const char *ps_version(void);

/** What came of one scale's score. */
typedef enum ps_outcome {
    PS_NOT_SCORED = 0, /**< no value: status says why ("incomplete", ...) */
    PS_SCORED,         /**< a value; status is "ok" */
    PS_FLAGGED         /**< a value with a flag in status (e.g. identical answers): not paired */
} ps_outcome_t;

/** The score of one scale for one row. */
typedef struct ps_score {
    const char *file;
    unsigned long line;          /**< line where the row starts */
    const char *participant_id;
    const char *timepoint;
    const ps_instrument_t *instrument;
    const ps_scale_t *scale;
    int has_value;               /**< 1 for scored and for flagged scores (see outcome) */
    double value;                /**< rounded to the scale's precision */
    const char *band;            /**< NULL when the scale has no bands or no value */
    unsigned answered;           /**< items of the scale answered */
    const char *status;          /**< "ok", or a short reason such as "incomplete" */
    const char *const *kept;     /**< values of the kept columns, in option order, then NULL */
    ps_outcome_t outcome;        /**< what status says, to test without comparing text */
    /** The assessment's date as YYYY-MM-DD when timepoints come from dates
     * (ps_score_options_t.date_column), else NULL. */
    const char *date;
} ps_score_t;

/** A row, or one cell of it, that was refused. */
typedef struct ps_reject {
    const char *file;
    unsigned long line;
    unsigned long column;        /**< 1-based field number; 0 for the whole row */
    const char *participant_id;  /**< "" when unknown */
    const char *column_name;     /**< "" for the whole row */
    const char *value;           /**< the refused text, "" for the whole row */
    const char *reason;
} ps_reject_t;

/** What one batch's header matched. */
typedef struct ps_batch_start {
    const char *file;
    const ps_instrument_t *const *instruments;
    size_t n_instruments;
    int detected;                /**< instruments were found from the header, not asked for */
} ps_batch_start_t;

/** Totals for one batch. rows_read == rows_scored + rows_rejected. */
typedef struct ps_batch_summary {
    const char *file;
    unsigned long rows_read;
    unsigned long rows_scored;    /**< rows that produced scores (some may not be "ok") */
    unsigned long rows_rejected;  /**< rows refused whole: see the rejects */
    unsigned long cells_rejected; /**< refused answers in scored rows */
    unsigned long scores_ok;
    unsigned long scores_not_ok;  /**< incomplete, invalid answer, ... */
} ps_batch_summary_t;

/**
 * How far the reading of a file has got, for a progress display. Only the
 * library fills it: later versions may add fields at its end.
 */
typedef struct ps_progress {
    const char *file;
    unsigned long rows;           /**< rows read so far, the header not counted */
    unsigned long long bytes;     /**< bytes of the file read up to the end of the last row */
    unsigned long long size;      /**< the file's size; 0 when unknown (a pipe, standard input) */
} ps_progress_t;

/**
 * Callbacks of a scorer. A handler returning nonzero stops the batch with
 * PS_ERROR_ABORTED.
 *
 * Threads: every handler, and the context's diagnostic handler, is called on
 * the thread that called ps_scorer_score_file, one call at a time, rows in
 * the order of the batch. With threads != 1 the scorer reads and scores
 * ahead on a thread of its own, which calls none of the caller's code; it is
 * stopped and joined before ps_scorer_score_file returns, whatever happens.
 *
 * Lifetimes: what a handler is given (the structure and every string and
 * array it points to: ids, timepoints, kept values, reasons, file names) is
 * valid only until the handler returns; copy what you keep. Instruments and
 * scales live as long as the context.
 */
typedef struct ps_score_handlers {
    int (*batch_start)(const ps_batch_start_t *start, void *user);
    int (*score)(const ps_score_t *score, void *user);
    int (*reject)(const ps_reject_t *reject, void *user);
    int (*batch_end)(const ps_batch_summary_t *summary, void *user);
    void *user;
} ps_score_handlers_t;

/** Creates a scorer. The context must outlive it; options are copied. */
ps_error_t ps_scorer_new(ps_context_t *context, const ps_score_options_t *options,
                         const ps_score_handlers_t *handlers, ps_scorer_t **scorer);
void ps_scorer_free(ps_scorer_t *scorer);

/**
 * Reads one batch and scores it. Headers name columns whatever their ASCII
 * case, their quotes (' for U+2018 U+2019 U+201A U+201B U+2032 U+00B4 U+0060;
 * " for U+201C U+201D U+201E U+201F U+2033), dashes (- for U+2010 to U+2015
 * and U+2212) and white space (each run of spaces, tabs, line breaks and
 * no-break spaces one space; none at either end); two headers alike in that
 * way refuse the batch. When an instrument lacks an item's column, the
 * diagnostic names the unused header most like it, by the words of the item's
 * label or the spelling of its column, when one is close. A row at fault (ragged, text after a
 * closing quote, more than 4096 fields, ...) is refused with its reason and
 * reading goes on; what makes the rest unreadable (a quote never closed, a
 * field over the limit, bytes not in the encoding) stops the batch.
 * Participant x timepoint x instrument duplicates are refused across every
 * batch given to the same scorer.
 * Returns PS_OK when the batch was read to the end (rows may still have been
 * rejected: see the summary), or the error that stopped it.
 */
ps_error_t ps_scorer_score_file(ps_scorer_t *scorer, const char *file);

/**
 * How far the batch being scored has been read, up to the row whose scores
 * or rejects are being handed to the handlers: call it from a handler. Valid
 * until the handler returns or the function is called again.
 */
const ps_progress_t *ps_scorer_progress(ps_scorer_t *scorer);

/**
 * Scores batches one after the other, as ps_scorer_score_file does. With
 * timepoints from dates (ps_score_options_t.date_column) every batch is read
 * twice: first for its participants' dates, all batches before any row is
 * scored, so that a baseline in one batch counts for a follow-up in another;
 * then to score it. So each must be a file that can be read again: a pipe
 * (also on standard input) is refused with PS_ERROR_READ before anything is
 * scored. Such a scorer scores one set of batches: give them all to one call
 * (ps_scorer_score_file counts as a call with one batch); a second call is
 * refused with PS_ERROR_USAGE.
 */
ps_error_t ps_scorer_score_files(ps_scorer_t *scorer, const char *const *files, size_t n_files);

/* ------------------------------------------------------------------------- */
/* Drafting a map for a batch with headers of its own (question wording).     */

/** How a draft map found an item's header. */
typedef enum ps_match {
    PS_MATCH_EXACT, /**< the header is the item's column or an alias, as a batch's would match */
    PS_MATCH_GUESS, /**< its words or spelling are like the item's: a person must check it */
    PS_MATCH_NONE   /**< no header is close: a person must fill it in */
} ps_match_t;

/** One entry of a draft map. */
typedef struct ps_map_entry {
    const ps_instrument_t *instrument; /**< NULL for a header no item took */
    const ps_item_t *item;             /**< NULL for a header no item took */
    const char *header;                /**< as the batch has it, trimmed; NULL for an item
                                            without one */
    ps_match_t match;                  /**< PS_MATCH_NONE for a header no item took */
    double fit;                        /**< 0 to 1: how like the item the header is */
    const char *negation;              /**< for a guess, a word of negation its header holds
                                            and the item's label lacks ("not", "no", "never",
                                            "cannot", or one ending in "n't"), normalised: the
                                            header may say the opposite; else NULL */
} ps_map_entry_t;

/**
 * Drafts a map (see ps_score_options_t.map_file) for the batch 'file' from
 * its header row alone, read with the options' encoding and delimiter, for the
 * options' instruments (at least one; the other options are not used). A
 * header that is an item's column or alias, as headers match, is exact; else
 * a header is a guess for an item when more than half of the words of the
 * item's label (or of its column or an alias) are among its words, each word
 * weighed by one over the number of headers holding it ("feeling" tells less
 * than "relaxed"), or when it is spelled like its column or an alias (at most
 * one edit in four characters, spaces, _, - and . aside, the same numbers in
 * both, leading zeros aside). Each header goes to one item at most, exact ones
 * first, then the closest; a guess whose header holds a word of negation its
 * label lacks names it (the entry's negation). 'fn' gets each item,
 * instrument after instrument, then each header no item took (in batch
 * order); its returning nonzero stops the draft with PS_ERROR_ABORTED.
 * Refused: no instrument, an unknown one or one named twice (PS_ERROR_USAGE);
 * an empty batch, a malformed header row, or one naming a column twice
 * (PS_ERROR_BATCH).
 */
ps_error_t ps_map_draft(ps_context_t *context, const char *file,
                        const ps_score_options_t *options,
                        int (*fn)(const ps_map_entry_t *entry, void *user), void *user);

/* ------------------------------------------------------------------------- */
/* Cohort change reports: baseline against each later timepoint.              */

typedef struct ps_cohort ps_cohort_t;
typedef struct ps_report ps_report_t;

/**
 * How scores are paired. Caller-allocated and growable like ps_score_options_t:
 * initialise it with ps_cohort_options_init, or write
 * `ps_cohort_options_t o = {.size = sizeof o, ...}`. A zero size is refused.
 *
 * A report names its comparisons "BASELINE->LABEL", and the comparison with
 * each person's last follow-up "BASELINE->end"; so no timepoint label, the
 * baseline's included, may be "end" in any case, or contain "->".
 */
typedef struct ps_cohort_options {
    /** sizeof(ps_cohort_options_t) as the caller knows it. */
    size_t size;
    /** The baseline timepoint label; NULL for "baseline". Timepoint labels match in any
     * ASCII case (BASELINE is baseline); a report names each as the options give it,
     * else as first seen. */
    const char *baseline;
    /** Later timepoints in order; NULL or empty: in order of first appearance.
     * When given, a score at any other timepoint is refused. */
    const char *const *timepoints;
    size_t n_timepoints;
    /** Columns to group by (e.g. site), besides the whole cohort, matched in a scored CSV as
     * headers are. The
     * ps_score_t.kept values given to ps_cohort_add must be these columns,
     * in this order. */
    const char *const *by;
    size_t n_by;
} ps_cohort_options_t;

/** Zeroes 'options' and sets its size: call it with sizeof(ps_cohort_options_t). */
void ps_cohort_options_init(ps_cohort_options_t *options, size_t size);

/**
 * Creates a cohort. A baseline or timepoint named "end" (in any case), or
 * containing "->", a timepoint named twice or as the baseline, and a free-text
 * column to group by are refused (PS_ERROR_USAGE, with a diagnostic naming it).
 */
ps_error_t ps_cohort_new(ps_context_t *context, const ps_cohort_options_t *options,
                         ps_cohort_t **cohort);
void ps_cohort_free(ps_cohort_t *cohort);

/**
 * Adds one score. Only scores whose outcome is PS_SCORED are paired; any other status still
 * counts the participant as seen. A second score for one participant,
 * timepoint, instrument and scale is refused (PS_ERROR_BATCH, naming the
 * score's file and line), and so is a score at a timepoint named "end" (in
 * any case) or containing "->" (see ps_cohort_options_t). When the options
 * list the timepoints, a score at any other is refused (PS_ERROR_USAGE). A
 * participant's groups are taken from their baseline score, or from the
 * first score seen when there is none.
 */
ps_error_t ps_cohort_add(ps_cohort_t *cohort, const ps_score_t *score);

/**
 * Reads a scored CSV written by `promscore score` and hands every row to
 * 'fn' as a ps_score_t whose kept values are the columns 'by' (n_by of them,
 * each required in the file). Cells are read as <promscore/formats.h> reads
 * the scored format: exactly as they were before they were written, the
 * formula guard undone. A row with a score has a value (has_value), an "ok"
 * row must have one. Unknown instruments or scales, and scores that are not
 * numbers in their scale's range, stop the read with PS_ERROR_BATCH.
 * A file whose column after the fixed ones is "date" (timepoints from dates)
 * gives each score its date; without it, ps_score_t.date is NULL.
 * 'fn' returning nonzero stops it with PS_ERROR_ABORTED.
 */
ps_error_t ps_scored_read(ps_context_t *context, const char *file, const char *const *by,
                          size_t n_by, int (*fn)(const ps_score_t *score, void *user),
                          void *user);

/** Disclosure control applied to a report before it leaves the building. */
typedef struct ps_disclosure {
    int suppress;         /**< 0: show everything (internal analysis only) */
    unsigned threshold;   /**< counts 1..threshold, and figures based on so few, are hidden */
    unsigned round_to;    /**< 0, or round other counts to the nearest multiple (e.g. 5) */
} ps_disclosure_t;

/** Whether a figure is shown. */
typedef enum ps_shown {
    PS_SHOWN = 0,
    PS_SUPPRESSED,        /**< hidden by disclosure control (see note for why, when not a count) */
    PS_NOT_COMPUTABLE     /**< cannot be computed; see reason */
} ps_shown_t;

/** One figure of a report: one per instrument x scale x group x comparison x statistic. */
typedef struct ps_statistic {
    const ps_instrument_t *instrument;
    /** What the figure is about: a scale's id, or a pool's (<pool id="goals">). */
    const char *unit;
    const ps_scale_t *scale;  /**< the scale, or NULL for a pool */
    const char *group;        /**< "all" or "COLUMN=value" */
    const char *comparison;   /**< "baseline->LABEL", or "baseline->end": each person's last
                                   follow-up, given only when there are two follow-ups or more */
    ps_statistic_id_t id;     /**< its row in the catalogue (promscore/statistics.h) */
    /** The full name: the catalogue's, qualified by its parameters and, in a pool, its
     * category: "n_paired", "transition:FROM->TO", "category:Housing:n_improved". */
    const char *name;
    const char *param[2];     /**< band, FROM and TO bands, or member; else NULL */
    const char *category;     /**< in a pool: the goal category this figure is about, or NULL */
    double value;             /**< when shown is PS_SHOWN */
    ps_shown_t shown;
    const char *reason;       /**< why it is not computable, else NULL */
    /** A caveat on a shown figure (libRmath doubted its precision, or its pnt jumps across a
     * bound of d_z's interval), or why a figure that is not a count was withheld (under
     * rounding it would give the exact n); else NULL. */
    const char *note;
    int is_count;             /**< a number of people (kind PS_KIND_COUNT) */
} ps_statistic_t;

/**
 * Computes every statistic and applies 'disclosure'. The cohort may be freed
 * afterwards. A cohort whose report would be empty is refused with
 * PS_ERROR_BATCH: with no score at the baseline (the diagnostic names the
 * timepoints it has and their files), or with scores at the baseline alone
 * and no later timepoint listed in the options.
 */
ps_error_t ps_cohort_report(ps_cohort_t *cohort, const ps_disclosure_t *disclosure,
                            ps_report_t **report);
void ps_report_free(ps_report_t *report);
size_t ps_report_count(const ps_report_t *report);
const ps_statistic_t *ps_report_statistic(const ps_report_t *report, size_t index);
/** One sentence naming the disclosure rule applied. */
const char *ps_report_disclosure_rule(const ps_report_t *report);

/**
 * A linear relation between the report's counts that anyone knows from its
 * definition or from its published figures: lo <= the sum of coefficients[k]
 * times statistic statistics[k] (indices of ps_report_statistic) <= hi, with
 * -INFINITY or INFINITY for a side without bound. n_baseline = n_paired +
 * lost_to_followup is {1, -1, -1} between 0 and 0; n_followup >= n_paired is
 * {1, -1} from 0 up; a published mean, times n, lies between the sums of its
 * bands' lowest and highest scores. Disclosure control audits the report
 * against exactly these, with non-negativity; JSON output lists them so the
 * audit can be re-run by anyone. 'from_figures' is set when the relation holds
 * through published figures (they are shown).
 */
typedef struct ps_relation {
    const size_t *statistics;
    const double *coefficients;
    size_t n;
    double lo, hi;
    int from_figures;
} ps_relation_t;

size_t ps_report_relation_count(const ps_report_t *report);
/** Relation 'index', or 0 with *relation untouched when out of range. */
int ps_report_relation(const ps_report_t *report, size_t index, ps_relation_t *relation);

/** What the disclosure audit did: hidden counts, and how many were hidden to protect others. */
typedef struct ps_audit {
    size_t counts;           /**< counts in the report */
    size_t primary;          /**< hidden because 1..threshold (or, in service use, events of
                                  1..threshold people) */
    size_t secondary;        /**< hidden to protect others: so that no hidden count can be
                                  worked out, no zero shows all of a small total in one part,
                                  and no group's figures less others' describe 1..threshold */
    size_t linear_programs;  /**< attacker's programs solved */
    size_t withheld;         /**< figures withheld because they would give the exact n */
    size_t figures_hidden;   /**< blocks whose figures were hidden: with its band counts, a
                                  block's means and medians would reveal a hidden count */
    /** Hidden counts the relations pin to one value whatever else is hidden (7 pairs in
     * seven sites: each site has one), and counts of people never published (those paired
     * at two follow-ups) they confine to 1..threshold whatever is hidden: no suppression can
     * protect them, and the rule says how many of each. */
    size_t pinned;
} ps_audit_t;

/** The disclosure audit's figures (all 0 without disclosure control). */
const ps_audit_t *ps_report_audit(const ps_report_t *report);

/** The columns of a report's headline table, in order: each is a statistic of the catalogue. */
typedef enum ps_headline_column {
    PS_HEADLINE_N_BASELINE,               /**< n_baseline */
    PS_HEADLINE_N_FOLLOWUP,               /**< n_followup */
    PS_HEADLINE_N_PAIRED,                 /**< n_paired */
    PS_HEADLINE_LOSS_RATE,                /**< loss_rate */
    PS_HEADLINE_MEAN_BASELINE,            /**< mean_baseline */
    PS_HEADLINE_MEAN_FOLLOWUP,            /**< mean_followup */
    PS_HEADLINE_MEAN_CHANGE,              /**< mean_change */
    PS_HEADLINE_CI_LOW,                   /**< ci_low */
    PS_HEADLINE_CI_HIGH,                  /**< ci_high */
    PS_HEADLINE_SHARE_IMPROVED,           /**< share_improved */
    PS_HEADLINE_SHARE_RELIABLE_IMPROVED,  /**< share_reliable_improved */
    PS_HEADLINE_LEFT_WORST_BAND,          /**< moved_better_from:WORST, WORST the worst band */
    PS_HEADLINE_COLUMNS_                  /**< how many there are */
} ps_headline_column_t;

/** The catalogue statistic of a headline column (PS_STAT_NONE for an unknown column). */
ps_statistic_id_t ps_report_headline_statistic(ps_headline_column_t column);

/**
 * A block of a report: the statistics of one scale (or pool), group and
 * comparison, which follow one another in the report, and its headline: the
 * statistic of each headline column, or NULL where the block has none (a
 * scale without bands, thresholds of change, a pool). A pool's figures per
 * goal category are not in its headline.
 */
typedef struct ps_report_block {
    const ps_instrument_t *instrument;
    const char *unit;                 /**< the scale's id, or the pool's */
    const ps_scale_t *scale;          /**< NULL for a pool */
    const char *group;                /**< "all" or "COLUMN=value" */
    const char *comparison;           /**< "baseline->LABEL" or "baseline->end" */
    size_t start, end;                /**< its statistics: ps_report_statistic(start .. end - 1) */
    /** The band whose leaving PS_HEADLINE_LEFT_WORST_BAND counts: the lowest band, or the
     * highest on a scale where lower is better; NULL without bands. */
    const char *worst_band;
    const ps_statistic_t *headline[PS_HEADLINE_COLUMNS_];
} ps_report_block_t;

/**
 * The report's blocks in report order, in an array the caller frees with
 * ps_report_blocks_free. Returns PS_OK, or PS_ERROR_NOMEM with *blocks NULL.
 */
ps_error_t ps_report_blocks(const ps_report_t *report, ps_report_block_t **blocks, size_t *n);
void ps_report_blocks_free(ps_report_block_t *blocks);
/**
 * The statistic of a block by catalogue id and first parameter (a band, a
 * member; NULL for none), outside any pool category; NULL when it has none.
 */
const ps_statistic_t *ps_report_block_find(const ps_report_t *report,
                                            const ps_report_block_t *block,
                                            ps_statistic_id_t id, const char *param);

/* ------------------------------------------------------------------------- */
/* Pseudonymisation: identifiers replaced by HMAC-SHA256 under a secret key.   */

/** Shortest key accepted, in bytes (256 bits). */
#define PS_KEY_MIN_BYTES 32

/**
 * Reads a secret key: the file's bytes are the key. Refused (PS_ERROR_USAGE,
 * with a diagnostic) when shorter than PS_KEY_MIN_BYTES, not a regular file
 * (a pipe, a device: opened without blocking, so a FIFO never hangs), or
 * readable or writable by group or others; the checks are made on the opened
 * file. A symbolic link is not followed (PS_ERROR_READ). Free *key with
 * ps_key_free.
 */
ps_error_t ps_key_read(ps_context_t *context, const char *file, unsigned char **key,
                       size_t *length);
/** Wipes and frees a key from ps_key_read. */
void ps_key_free(unsigned char *key, size_t length);
/** Writes a new random key of PS_KEY_MIN_BYTES bytes, mode 0600; never overwrites a file. */
ps_error_t ps_key_generate(ps_context_t *context, const char *file);

/**
 * Checks an NHS number: 10 digits, spaces and hyphens allowed between them,
 * the last the modulus-11 check digit of the first nine. Returns 1 and writes
 * the 10 digits and a NUL to 'digits' when valid, else 0. Placeholders with
 * all ten digits the same (0000000000 to 9999999999) pass this check;
 * ps_pseudonymise_file refuses them.
 */
int ps_nhs_number_valid(const char *text, char digits[11]);

/** HMAC-SHA256 of 'data' under 'key', as 64 lowercase hexadecimal characters and a NUL. */
ps_error_t ps_pseudonym(const unsigned char *key, size_t key_length, const char *data,
                        size_t length, char hex[65]);

/** What the identifier column holds. */
typedef enum ps_identifier {
    PS_IDENTIFIER_NHS_NUMBER,  /**< validated, then hashed as its 10 digits */
    PS_IDENTIFIER_TEXT         /**< hashed as written, without surrounding spaces */
} ps_identifier_t;

/**
 * What ps_pseudonymise_file does. Like ps_score_options_t it leads with its
 * size: initialise it with ps_pseudonymise_options_init, or write
 * {.size = sizeof options, ...}.
 */
typedef struct ps_pseudonymise_options {
    size_t size;
    /** The identifier column, replaced by its pseudonym (required). */
    const char *column;
    ps_identifier_t kind;
    /** Columns left out of the output (names, free-text comments), matched as the
     * identifier column is; every copy of a name is left out. */
    const char *const *drop;
    size_t n_drop;
    /** The input's character encoding, converted to UTF-8 with iconv (e.g.
     * "windows-1252", "latin1", "utf-16"); NULL for UTF-8. Rows are handed on
     * in UTF-8 whatever it is; input whose bytes show another encoding is
     * refused, as for ps_score_options_t.encoding. */
    const char *encoding;
    /** The input's field delimiter; 0 for ','. As for ps_score_options_t.delimiter:
     * one written inside cells would split an NHS number across them. */
    char delimiter;
    /** NULL, or called with handlers->user after each row is read and before it
     * is handed on, with how far the input has been read; nonzero stops the
     * read with PS_ERROR_ABORTED, as a handler's does. */
    int (*progress)(const ps_progress_t *progress, void *user);
} ps_pseudonymise_options_t;

/** Zeroes 'size' bytes of *options and records the size. */
void ps_pseudonymise_options_init(ps_pseudonymise_options_t *options, size_t size);

/** Callbacks of ps_pseudonymise_file; nonzero stops it with PS_ERROR_ABORTED. */
typedef struct ps_pseudonymise_handlers {
    /** The header, then every row with its identifier replaced by the pseudonym,
     * dropped columns left out. The fields are valid until the handler returns. */
    int (*row)(const char *const *fields, size_t n_fields, void *user);
    /** A row refused: never written, its identifier never repeated. */
    int (*reject)(const ps_reject_t *reject, void *user);
    void *user;
} ps_pseudonymise_handlers_t;

/**
 * Replaces the identifier column of a CSV file by pseudonyms, on the caller's
 * thread. Rows whose identifier is missing or (for NHS numbers) invalid or a
 * placeholder with all ten digits the same, and ragged rows, are refused with
 * a reason that never repeats the identifier.
 *
 * An identifier must not leave in clear under another name: a row in which any
 * other column that is written holds a valid NHS number (ten digits, spaces or
 * hyphens between them, passing the modulus-11 check), alone or inside text,
 * is refused, naming the column; leave such a column out ('drop') or
 * pseudonymise it.
 *
 * What is handed on is UTF-8 text: the input is converted from 'encoding'
 * first, and a row with a written cell (or an identifier hashed as text) that
 * is not UTF-8 is refused, naming the column.
 *
 * Refused with PS_ERROR_BATCH and a diagnostic naming file, line and column,
 * before the header reaches handlers->row (nothing is handed on): a header
 * naming the identifier column twice (compared case-insensitively, after
 * trimming white space), a column to drop that the header lacks, and the name
 * of a column written that is not UTF-8 text.
 * Dropping the identifier column, and an encoding or delimiter the reader
 * cannot use, are refused with PS_ERROR_USAGE before the file is read. *summary
 * counts rows read, written (as rows_scored) and refused.
 */
ps_error_t ps_pseudonymise_file(ps_context_t *context, const char *file,
                                const ps_pseudonymise_options_t *options,
                                const unsigned char *key, size_t key_length,
                                const ps_pseudonymise_handlers_t *handlers,
                                ps_batch_summary_t *summary);

#ifdef __cplusplus
}
#endif

#endif
