/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Memory helpers: a region allocator (many small allocations, one free) and
 * arrays that double. Private. */
#ifndef PROMSCORE_ARENA_H
#define PROMSCORE_ARENA_H

#include <stddef.h>

typedef struct ps_arena ps_arena_t;

ps_arena_t *ps_arena_new(void);
void ps_arena_free(ps_arena_t *arena);
/* Zeroed memory aligned for any type, or NULL when out of memory. */
void *ps_arena_alloc(ps_arena_t *arena, size_t size);
/* Zeroed array; NULL when out of memory or when count * size overflows. */
void *ps_arena_array(ps_arena_t *arena, size_t count, size_t size);
char *ps_arena_strdup(ps_arena_t *arena, const char *text);

/* Grows *array (of 'unit'-byte elements, *capacity of them) by doubling until it holds
 * 'need'. Returns 0, or -1 when out of memory or on overflow, leaving it as it was. */
int ps_grow_to(void **array, size_t *capacity, size_t need, size_t unit);

/* ps_grow_to when the array is too small: the check stays inline on hot paths. */
static inline int ps_grow(void **array, size_t *capacity, size_t need, size_t unit)
{
    return need <= *capacity ? 0 : ps_grow_to(array, capacity, need, unit);
}

/*
 * Asks the kernel to back a large array with huge pages where it can: a table
 * touched at random then costs a few hundred page faults rather than thousands.
 * Only advice; does nothing where unsupported.
 */
void ps_advise_huge(void *array, size_t size);

#endif
