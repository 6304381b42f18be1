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
 * per participant x timepoint x instrument, used to refuse duplicates.
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

/** The instrument with this id, or NULL. */
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
/** Number of bands of the scale's score (0 when it has none). */
size_t ps_scale_band_count(const ps_scale_t *scale);
/** Label of band 'index' and its inclusive bounds. */
const char *ps_scale_band(const ps_scale_t *scale, size_t index, double *min, double *max);
/** The band a score falls in, or NULL. */
const char *ps_scale_band_of(const ps_scale_t *scale, double score);
/** Meaningful change in points; returns 0 when the definition gives none. */
int ps_scale_meaningful_change(const ps_scale_t *scale, double *points);
/** Standard error of measurement for reliable change; returns 0 when none is given. */
int ps_scale_sem(const ps_scale_t *scale, double *sem);

/* ------------------------------------------------------------------------- */
/* Scoring batches.                                                           */

typedef struct ps_scorer ps_scorer_t;

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
    /** Timepoint column; NULL for "timepoint". Ignored when timepoint is set. */
    const char *timepoint_column;
    /** One timepoint label for every row of every batch, or NULL. */
    const char *timepoint;
    /** Columns carried unchanged to every score of a row (e.g. site). */
    const char *const *keep;
    size_t n_keep;
    /** CSV file with columns header,item mapping a batch's own headers to items
     * written INSTRUMENT.ITEM (e.g. "Q1 optimistic,wemwbs.1"), or NULL. */
    const char *map_file;
    /**
     * Threads a batch is scored with: 1 reads and scores on the caller's
     * thread alone (for embedding, and for debuggers); 0, the default, and any
     * other number read and score rows on one extra thread while the caller's
     * thread runs the handlers.
     */
    unsigned threads;
    /** The batches' character encoding, converted to UTF-8 on input with iconv
     * (e.g. "windows-1252", "latin1", "utf-16"); NULL for UTF-8. */
    const char *encoding;
    /** The batches' field delimiter; 0 for ','. */
    char delimiter;
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
 * Reads one batch and scores it. A row at fault (ragged, text after a
 * closing quote, more than 4096 fields, ...) is refused with its reason and
 * reading goes on; what makes the rest unreadable (a quote never closed, a
 * field over the limit, bytes not in the encoding) stops the batch.
 * Participant x timepoint x instrument duplicates are refused across every
 * batch given to the same scorer.
 * Returns PS_OK when the batch was read to the end (rows may still have been
 * rejected: see the summary), or the error that stopped it.
 */
ps_error_t ps_scorer_score_file(ps_scorer_t *scorer, const char *file);

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
    /** The baseline timepoint label; NULL for "baseline". */
    const char *baseline;
    /** Later timepoints in order; NULL or empty: in order of first appearance.
     * When given, a score at any other timepoint is refused. */
    const char *const *timepoints;
    size_t n_timepoints;
    /** Columns to group by (e.g. site), besides the whole cohort. The
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

/** Computes every statistic and applies 'disclosure'. The cohort may be freed afterwards. */
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
    size_t primary;          /**< hidden because 1..threshold */
    size_t secondary;        /**< hidden so that no primary one can be worked out */
    size_t linear_programs;  /**< attacker's programs solved */
    size_t withheld;         /**< figures withheld because they would give the exact n */
    size_t figures_hidden;   /**< blocks whose figures were hidden: with its band counts, a
                                  block's means and medians would reveal a hidden count */
} ps_audit_t;

/** The disclosure audit's figures (all 0 without disclosure control). */
const ps_audit_t *ps_report_audit(const ps_report_t *report);

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
 * Refused with PS_ERROR_BATCH and a diagnostic naming file, line and column,
 * before the header reaches handlers->row (nothing is handed on): a header
 * naming the identifier column twice (compared case-insensitively, after
 * trimming white space), and a column to drop that the header lacks.
 * Dropping the identifier column is refused with PS_ERROR_USAGE. *summary
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
