/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Private to libpromscore: structures behind the public opaque types. */
#ifndef PROMSCORE_INTERNAL_H
#define PROMSCORE_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <promscore/plugin.h>

#include "arena.h"
#include "paths.h"

/* One answer a response set allows. */
struct ps_option {
    const char *code;      /* as written in a batch cell */
    const char *label;     /* matched case-insensitively, like the aliases */
    const char **aliases;
    size_t n_aliases;
    double value;
    int not_applicable;
};

struct ps_response_set {
    const char *id;
    struct ps_option *options;
    size_t n_options;
    int is_free_text;       /* personal text: never scored, never a report's group */
    /* Or, without options, a number written in the cell: */
    int is_range;
    double range_min, range_max;
    int decimals;
    /* Option number + 1 of each one-byte code ("1".."5"), 0 for none: the common case, fast. */
    unsigned short by_code_byte[256];
};

struct ps_item {
    const char *id;
    const char *column;
    const char *label;
    const char **aliases;
    size_t n_aliases;
    const struct ps_response_set *responses;
    int optional;           /* the instrument is scored without this column */
};

/* Where a rule of a definition comes from: a <source>'s id, and whether it is confirmed as official. */
struct ps_provenance {
    const char *source;     /* NULL: the definition has no such rule */
    int verified;
};

/* A <source> of a definition: what a rule was taken from. */
struct ps_source {
    const char *id;
    const char *url;        /* or NULL */
    const char *text;
};

struct ps_band {
    double min, max;
    const char *label;
};

struct ps_scale {
    const struct ps_instrument *instrument;
    const char *id;
    const char *label;
    const char *method_name;
    const ps_method_t *method;
    size_t *items;          /* indices into instrument->items */
    size_t n_items;
    const struct ps_scale *of;  /* scored from this earlier scale's score instead of items */
    double min, max;
    int precision;
    int lower_is_better;
    size_t max_missing;     /* 0: every item must be answered */
    int prorate;
    long lookup_first;      /* raw value of lookup[0]; raws are contiguous */
    double *lookup;
    size_t n_lookup;
    struct ps_band *bands;  /* ascending, contiguous */
    size_t n_bands;
    int has_meaningful;
    double meaningful;
    int has_reliable;
    double reliable;        /* reliable change in points: given, or 1.96 * sqrt(2) * sem */
    int reliable_at_least;  /* a change of exactly 'reliable' is reliable (else more than) */
    int has_sem;            /* 'reliable' comes from an SEM */
    double sem;
    double reference_sd, reliability;   /* what the SEM came from; 0 when given directly */
    int reported;                       /* 0: kept for a pool, not reported alone */
    int check;                          /* a check on the data: not in a headline */
    const char *calibration_schema;     /* takes a run-time table valid against it */
    struct ps_calibration *calibration; /* loaded by ps_context_load_calibration */
    /* The sources of its rules (ps_rule_t order: missing, lookup, calibration, bands,
     * meaningful, reliable). */
    struct ps_provenance from[6];
};

/* A run-time calibration table: per number of items answered, raw sum -> score. */
struct ps_calibration {
    ps_arena_t *arena;
    const char *file;
    struct ps_calibration_table {
        unsigned answered;
        long first_raw;
        double *scores;
        size_t n;
    } *tables;
    size_t n_tables;
};

/* Scales reported together, one unit per person and member (e.g. each goal). */
struct ps_pool {
    const char *id;
    const char *label;
    const struct ps_scale **members;
    const struct ps_scale **attainment;  /* per member, or NULL */
    const struct ps_scale **category;    /* per member, or NULL */
    size_t n_members;
};

struct ps_parameter {
    const char *name;
    double value;
    struct ps_provenance from;
};

struct ps_instrument {
    ps_arena_t *arena;      /* owns everything below */
    const char *file;
    const char *id;
    const char *title;
    const char *version;
    const char *notice;
    const char *plugin_name;
    struct ps_response_set *response_sets;
    size_t n_response_sets;
    struct ps_item *items;
    size_t n_items;
    struct ps_scale *scales;
    size_t n_scales;
    struct ps_parameter *parameters;
    size_t n_parameters;
    struct ps_pool *pools;
    size_t n_pools;
    struct ps_source *sources;
    size_t n_sources;
};

struct ps_plugin_handle;

struct ps_context {
    ps_diagnostic_fn diagnose;
    void *diagnose_user;
    char *plugin_path;
    char *instrument_path;
    char *schema_dir;
    struct ps_schema {      /* compiled on first use */
        char *name;
        void *schema;       /* xmlSchemaPtr */
        void *doc;          /* the xmlDocPtr it was compiled from, kept while it lives */
    } schemas[8];
    size_t n_schemas;
    struct ps_plugin_handle *plugins;
    size_t n_plugins;
    struct ps_instrument **instruments;
    size_t n_instruments;
    /* Where plugin_path and instrument_path came from, for messages (paths.h). */
    struct ps_path_origin plugin_origin, instrument_origin;
};

/*
 * Diagnostics (diagnose.c, which depends on nothing but this header and the
 * public one). Reports a diagnostic through the context's handler and returns
 * 'error'; the message is cut at PS_DIAGNOSTIC_MAX - 1 bytes.
 */
enum { PS_DIAGNOSTIC_MAX = 4096 };
ps_error_t ps_diagnose(const ps_context_t *context, ps_error_t error, const char *file,
                       unsigned long line, unsigned long column, const char *format, ...)
    __attribute__((format(printf, 6, 7)));
/* The same with a va_list, for modules that wrap it (the caller calls va_end). */
ps_error_t ps_vdiagnose(const ps_context_t *context, ps_error_t error, const char *file,
                        unsigned long line, unsigned long column, const char *format, va_list ap)
    __attribute__((format(printf, 6, 0)));

/* Plugins (plugin.c). Finds a loaded plugin or loads it from the plugin path. */
ps_error_t ps_plugin_get(ps_context_t *context, const char *name, const char *wanted_by,
                         const ps_plugin_t **plugin);
void ps_plugins_unload(ps_context_t *context);

/* Safe XML (xml.c): 'doc' is an xmlDocPtr, freed with xmlFreeDoc. */
ps_error_t ps_xml_read(ps_context_t *context, const char *file, void **doc);
ps_error_t ps_xml_validate(ps_context_t *context, const char *file, void *doc,
                           const char *schema_name);
void ps_xml_free_schemas(ps_context_t *context);
/*
 * A number of a definition or calibration read strictly, whatever the schema:
 * XML white space around it is dropped (as xs:double and xs:integer collapse
 * it), then it must be xs:double's decimal form, finite (no INF, NaN or hex),
 * or for ps_xml_integer xs:integer's digits. Returns NULL, or why it is not
 * ("is not a decimal number", "is not finite", "is not a whole number", ...).
 */
const char *ps_xml_number(const char *text, double *value);
const char *ps_xml_integer(const char *text, long *value);

/* Definitions (instrument.c); calibrations are freed with their scale's instrument. */
ps_error_t ps_definition_read(ps_context_t *context, const char *file,
                              struct ps_instrument **instrument);
void ps_definition_free(struct ps_instrument *instrument);

/*
 * Options structs the caller allocates, led by their size (options.c):
 * ps_options_init zeroes 'size' bytes and records the size; ps_options_copy
 * copies what the caller's struct holds into 'copy', the rest zero, and
 * refuses one smaller than 'least' bytes with a diagnostic naming
 * ps_WHAT_options_init.
 */
void ps_options_init(void *options, size_t size);
ps_error_t ps_options_copy(const ps_context_t *context, const void *given, size_t least,
                           void *copy, size_t copy_size, const char *what);

/* A well-mixed 32-bit hash of 'length' bytes (FNV-1a finished with murmur3's mixer). */
uint32_t ps_hash(const void *data, size_t length, uint32_t seed);

/* Text helpers (text.c). */
int ps_strcaseeq(const char *a, const char *b);
/* Trims ASCII spaces and tabs in place; returns the start and sets *length. */
const char *ps_trim(const char *text, size_t *length);
/* Nonzero when text is valid UTF-8 without NUL bytes. */
int ps_utf8_valid(const char *text, size_t length);
/* Parses a finite decimal number that fills the text; returns 0 on success. */
int ps_parse_double(const char *text, double *value);

#endif
