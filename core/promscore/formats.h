/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * promscore: the CSV files it writes and reads back.
 *
 * Three formats, each declared here once and written and read by the library:
 *
 *   scored   participant_id,timepoint,instrument,scale,score,band,answered,status,
 *            then date (YYYY-MM-DD) when timepoints came from dates, then the
 *            columns kept from the batches (e.g. site): one row per
 *            participant, timepoint, instrument and scale (`promscore score`);
 *   rejects  file,line,participant_id,column,value,reason: one row per refused row
 *            or answer;
 *   report   instrument,scale,group,comparison,statistic,kind,value,suppressed,note:
 *            one row per figure of a cohort change report (`promscore report -f csv`);
 *   summary  instrument,scale,label,better,group,comparison, then each headline figure
 *            (see ps_headline_column_t) followed by its flag NAME_suppressed:
 *            n_baseline, n_followup, n_paired, loss_rate_pct, mean_baseline,
 *            mean_followup, mean_change, ci_low, ci_high, share_improved_pct,
 *            share_reliable_improved_pct, then worst_band (its label) and
 *            left_worst_band_pct: one row per scale (or pool), group and comparison
 *            of a report, check scales left out (`promscore report -f summary`).
 *            Counts are whole numbers, shares percentages with one decimal, other
 *            figures to the decimals of the text report. A flag is "no" for a
 *            figure shown, "yes" for one hidden by disclosure control (its cell is
 *            empty), "n/a" for one not computable or that the scale does not have
 *            (no threshold, no bands): empty too.
 *
 * Cells follow RFC 4180: a cell holding a comma, a quote or a line break, or
 * starting or ending with a space or tab, is quoted, its quotes doubled. A text
 * cell that a spreadsheet would take for a formula (starting with = + - @, tab
 * or carriage return) and that is not a plain number is guarded: written with a
 * ' before it, inside quotes. So is a text that would read as a guarded one
 * (' then such a text), so that the reader gives back exactly what was written:
 * reading undoes the guard, and every cell makes the round trip unchanged.
 *
 * The writers are snprintf-like and allocate nothing, for callers that fill
 * their own output buffer: each writes at most 'room' bytes at 'to' and
 * returns the length of the whole encoding. When that is larger than 'room',
 * what was written is incomplete: give that much room and call again. Nothing
 * is NUL-terminated. 'to' may be NULL when 'room' is 0.
 */
#ifndef PROMSCORE_FORMATS_H
#define PROMSCORE_FORMATS_H

#include <stddef.h>
#include <promscore/promscore.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The CSV formats of promscore. */
typedef enum ps_format {
    PS_FORMAT_SCORED,   /**< scored rows; kept columns follow the fixed ones */
    PS_FORMAT_REJECTS,  /**< refused rows and answers */
    PS_FORMAT_REPORT,   /**< the figures of a report */
    PS_FORMAT_SUMMARY   /**< a report's headline, one row per block */
} ps_format_t;

/** The column of a scored CSV after the fixed ones when timepoints came from dates. */
#define PS_SCORED_DATE_COLUMN "date"

/** The fixed columns of 'format', in order, NULL-terminated; *n (when not NULL) is their number. */
const char *const *ps_format_columns(ps_format_t format, size_t *n);

/* ---- Cells. ---- */

/** A text cell: quoted when needed, guarded against spreadsheet formulas. */
size_t ps_cell_text(char *to, size_t room, const char *text);
/** A number with 'decimals' places (0 to 6 without printf; rounded half away from zero). */
size_t ps_cell_number(char *to, size_t room, double value, int decimals);
/** A whole number. */
size_t ps_cell_unsigned(char *to, size_t room, unsigned long value);
/**
 * The text a cell held before ps_cell_text guarded it: 'cell' (already
 * unquoted) without the guard's ', or 'cell' itself when it has none.
 */
const char *ps_cell_unguard(const char *cell);

/* ---- Rows, each ending with a line feed. ---- */

/** The header of 'format': its columns, then 'extra' ones (a scored CSV's "date", when its
 * scores have dates, then its kept columns). */
size_t ps_format_header(char *to, size_t room, ps_format_t format, const char *const *extra,
                        size_t n_extra);
/** A scored row: the fixed columns, score->date when it is not NULL, then the first
 * 'n_kept' of score->kept. */
size_t ps_format_scored_row(char *to, size_t room, const ps_score_t *score, size_t n_kept);
/** A rejects row. */
size_t ps_format_reject_row(char *to, size_t room, const ps_reject_t *reject);
/**
 * A report row. The value is empty unless the figure is shown; a count is
 * written whole, other figures to full precision (%.17g). 'suppressed' is
 * "no", "yes" or "not computable: REASON"; a shown figure that is not a finite
 * number is written as not computable, never as inf or nan.
 */
size_t ps_format_report_row(char *to, size_t room, const ps_statistic_t *statistic);
/**
 * A report row whose instrument column is 'instrument' (NULL: the statistic's
 * instrument's id): for figures of no instrument, such as service use's, whose
 * column is their measures' definition (see <promscore/service.h>).
 */
size_t ps_format_report_row_with(char *to, size_t room, const char *instrument,
                                 const ps_statistic_t *statistic);
/** A summary row: the block's headline (see ps_report_blocks), as the format says. */
size_t ps_format_summary_row(char *to, size_t room, const ps_report_block_t *block);

/* ---- Reading. ---- */

/** One data row of a file of a format, as read back. */
typedef struct ps_format_row {
    const char *file;
    unsigned long line;         /**< line where the row starts */
    const char *const *cells;   /**< the fixed columns, then any extra: unquoted, guard undone */
    size_t n_cells;
    const char *const *header;  /**< the header's names, n_cells of them, guard undone */
} ps_format_row_t;

/**
 * Reads a file of 'format' ("-" for standard input): its header must start
 * with the format's columns (a scored CSV may have more after them, the others
 * none), and every row must have the header's number of fields, in UTF-8.
 * Each row goes to 'fn'; its cells live until 'fn' returns. A file that is not
 * of the format stops with PS_ERROR_BATCH, naming its file and line; 'fn'
 * returning nonzero stops it with PS_ERROR_ABORTED.
 */
ps_error_t ps_format_read(ps_context_t *context, const char *file, ps_format_t format,
                          int (*fn)(const ps_format_row_t *row, void *user), void *user);

#ifdef __cplusplus
}
#endif

#endif
