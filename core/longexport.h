/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A long export's answers (one row per answer: participant, date, item,
 * value), held in memory and grouped into assessments: the answers of one
 * participant on one date. Private.
 */
#ifndef PROMSCORE_LONGEXPORT_H
#define PROMSCORE_LONGEXPORT_H

#include <stddef.h>
#include <stdint.h>

/* No next answer. */
#define PS_LONG_END SIZE_MAX

typedef struct ps_long_answer {
    unsigned long line;
    const char *id;
    size_t id_length;
    int32_t day;
    const char *item, *value;
    const char *const *kept;  /* the kept columns' texts */
    size_t next;              /* the next answer of its assessment, or PS_LONG_END */
    int first;                /* the first answer of its assessment */
} ps_long_answer_t;

typedef struct ps_long_export ps_long_export_t;

ps_long_export_t *ps_long_export_new(size_t n_kept);
void ps_long_export_free(ps_long_export_t *export);
/* Adds an answer, its texts copied, after the others of its assessment. Returns 0, or -1 when
 * out of memory. */
int ps_long_export_add(ps_long_export_t *export, unsigned long line, const char *id,
                       size_t id_length, int32_t day, const char *item, const char *value,
                       const char *const *kept);
size_t ps_long_export_count(const ps_long_export_t *export);
/* Answer 'index', in input order. */
const ps_long_answer_t *ps_long_export_answer(const ps_long_export_t *export, size_t index);

#endif
