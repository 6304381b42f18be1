/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Long exports' answers (one row per answer: participant, date, item,
 * value), held in memory and grouped into assessments: the answers of one
 * participant on one date, whichever batch of the run they come from. Private.
 */
#ifndef PROMSCORE_LONGEXPORT_H
#define PROMSCORE_LONGEXPORT_H

#include <stddef.h>
#include <stdint.h>

/* No next answer. */
#define PS_LONG_END UINT32_MAX

/*
 * One answer, in about 56 bytes: its texts are kept once each (an item, a
 * value or a kept text written alike on many rows shares one copy, and the
 * answers of one assessment share its id).
 */
typedef struct ps_long_answer {
    unsigned long line;
    const char *id;
    const char *item, *value;
    const char *const *kept;  /* the kept columns' texts */
    uint32_t next;            /* the next answer of its assessment, or PS_LONG_END */
    int32_t day;
    uint32_t id_length;
    uint16_t batch;           /* the caller's number of the batch it comes from */
    uint8_t first;            /* the first answer of its assessment */
} ps_long_answer_t;

typedef struct ps_long_export ps_long_export_t;

ps_long_export_t *ps_long_export_new(size_t n_kept);
void ps_long_export_free(ps_long_export_t *export);
/*
 * Adds an answer, its texts copied, after the others of its assessment.
 * Returns 0, or -1 when out of memory or past PS_LONG_END - 1 answers (or ids of 4 GiB).
 */
int ps_long_export_add(ps_long_export_t *export, unsigned batch, unsigned long line,
                       const char *id, size_t id_length, int32_t day, const char *item,
                       const char *value, const char *const *kept);
size_t ps_long_export_count(const ps_long_export_t *export);
/* Answer 'index', in the order added. */
const ps_long_answer_t *ps_long_export_answer(const ps_long_export_t *export, size_t index);

#endif
