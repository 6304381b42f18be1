/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Strings numbered in the order first seen: participant ids, timepoints and
 * group values of a cohort. Private.
 */
#ifndef PROMSCORE_NAMES_H
#define PROMSCORE_NAMES_H

#include <stddef.h>
#include <stdint.h>

typedef struct ps_names ps_names_t;

ps_names_t *ps_names_new(void);
/* Names that match in any ASCII case, as labels do; each is kept as first seen. */
ps_names_t *ps_names_new_folded(void);
void ps_names_free(ps_names_t *names);
/* The number of 'text' (length bytes), adding it when new; UINT32_MAX when out of memory. */
uint32_t ps_names_intern(ps_names_t *names, const char *text, size_t length);
/* The number of 'text', or UINT32_MAX when absent. */
uint32_t ps_names_find(const ps_names_t *names, const char *text, size_t length);
size_t ps_names_count(const ps_names_t *names);
/* The NUL-terminated text of number 'index'. */
const char *ps_names_text(const ps_names_t *names, uint32_t index);
/* The numbers of the names in natural order (runs of digits compared as numbers: S2 before
 * S10), as reports list group values; NULL when out of memory. The caller frees it. */
uint32_t *ps_names_natural_order(const ps_names_t *names);

#endif
