/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * promscore plugin API: the header for authors of scoring plugins.
 *
 * A plugin is a libtool module that exports exactly one symbol,
 * promscore_plugin(), returning a descriptor. The descriptor names the
 * scoring methods the plugin offers; an instrument definition names a plugin
 * (<instrument plugin="...">) and, for each scale, one of its methods
 * (<scale method="...">).
 *
 * Division of work for one scale of one row:
 *   1. the core turns each cell into a response (code or label -> value),
 *      refusing what the definition does not allow;
 *   2. the core applies the scale's missing-item rule; an incomplete scale
 *      never reaches the plugin;
 *   3. the method turns the scale's responses into a result;
 *   4. the core applies the scale's lookup table, rounds to its precision and
 *      finds its band.
 * So a method holds only what is particular to an instrument; sums, means,
 * lookups, bands and missing-item rules are data in the definition.
 *
 * ABI rules: the descriptor's first two fields are the ABI version the plugin
 * was built against, filled with PS_PLUGIN_ABI_MAJOR and PS_PLUGIN_ABI_MINOR.
 * The core reads them before calling anything else and refuses a plugin whose
 * major version differs from its own or whose minor version is newer.
 * A minor version adds fields at the end of structures; a major one changes them.
 */
#ifndef PROMSCORE_PLUGIN_H
#define PROMSCORE_PLUGIN_H

#include <promscore/promscore.h>

#ifdef __cplusplus
extern "C" {
#endif

/** How a respondent answered one item. */
typedef enum ps_answer {
    PS_ANSWER_GIVEN = 0,       /**< a scored response; value holds its number */
    PS_ANSWER_MISSING,         /**< blank cell */
    PS_ANSWER_NOT_APPLICABLE,  /**< a response the definition marks na="true" */
    PS_ANSWER_INVALID          /**< refused (already reported as a reject) */
} ps_answer_t;

/** One item's response, in the order the scale lists its items. */
typedef struct ps_response {
    ps_answer_t answer;
    double value;
} ps_response_t;

/** What a method made of one scale's responses. */
typedef struct ps_result {
    double value;        /**< before lookup, rounding and banding */
    const char *status;  /**< NULL when scored; else a short static reason, e.g. "no_calibration" */
    /**
     * NULL, or a short static word for a score that stands but is questionable
     * (e.g. "identical_answers"): the value is written, with this as its status,
     * and reports leave it out.
     */
    const char *flag;
} ps_result_t;

/** A scoring method. */
typedef struct ps_method {
    const char *name;         /**< as written in <scale method="..."> */
    const char *description;  /**< one line, for `promscore instruments` */
    /**
     * Optional: called once for every scale that names the method, when its
     * definition is loaded. Returns 0 to accept, or nonzero after writing why
     * into 'why' (a NUL-terminated sentence).
     */
    int (*check)(const ps_scale_t *scale, char *why, size_t why_size);
    /**
     * Scores one scale of one row. 'responses' has ps_scale_item_count()
     * entries; at least the scale's missing-item rule allows are answered.
     * For a scale scored from another (ps_scale_of), responses[0] is that
     * scale's score, always given. Called on the thread that reads the batch,
     * not the one that loaded the plugin: it must keep no state between calls.
     */
    ps_result_t (*score)(const ps_scale_t *scale, const ps_response_t *responses);
} ps_method_t;

/** What a plugin tells the core about itself. */
typedef struct ps_plugin {
    unsigned abi_major;       /**< PS_PLUGIN_ABI_MAJOR: must stay the first field */
    unsigned abi_minor;       /**< PS_PLUGIN_ABI_MINOR: must stay the second field */
    const char *name;         /**< the name definitions use in plugin="..." */
    const char *description;
    const ps_method_t *methods;
    size_t n_methods;
} ps_plugin_t;

/** Marks the entry point exported when a plugin is built with -fvisibility=hidden. */
#define PS_PLUGIN_EXPORT __attribute__((visibility("default")))

/** The one symbol a plugin exports. */
#define PS_PLUGIN_ENTRY_POINT "promscore_plugin"
PS_PLUGIN_EXPORT const ps_plugin_t *promscore_plugin(void);

/* What a method may ask of the scale it scores. */

/** Nonzero when the scale converts the method's result through a lookup table. */
int ps_scale_has_lookup(const ps_scale_t *scale);
/**
 * Lowest and highest value among the item's scored (not "not applicable")
 * responses. Returns 0 when it has none.
 */
int ps_item_value_range(const ps_item_t *item, double *min, double *max);
/** The earlier scale this one is scored from (<scale of="...">), or NULL. */
const ps_scale_t *ps_scale_of(const ps_scale_t *scale);
/** The band a score falls in, counted from 1 in the order the definition lists them; 0 for none. */
int ps_scale_band_number(const ps_scale_t *scale, double score);
/** Nonzero when a run-time calibration table was loaded for the scale. */
int ps_scale_has_calibration(const ps_scale_t *scale);
/**
 * Looks a raw sum up in the scale's calibration table for 'answered' items.
 * Returns 1 and sets *score when the table has it, else 0.
 */
int ps_scale_calibrate(const ps_scale_t *scale, unsigned answered, double raw, double *score);
/** Nonzero when the missing-item rule asks a sum to be prorated to all items. */
int ps_scale_prorates(const ps_scale_t *scale);
/**
 * A number the definition gives in <parameter name="...">. Returns 1 and sets
 * *value when present, else 0.
 */
int ps_instrument_parameter(const ps_instrument_t *instrument, const char *name, double *value);

#ifdef __cplusplus
}
#endif

#endif
