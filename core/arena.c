/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "arena.h"

enum { BLOCK_SIZE = 16384 };

struct block {
    struct block *next;
    size_t used, size;
    max_align_t data[];
};

struct ps_arena {
    struct block *blocks;
};

ps_arena_t *ps_arena_new(void)
{
    return calloc(1, sizeof(ps_arena_t));
}

void ps_arena_free(ps_arena_t *arena)
{
    if (!arena)
        return;
    for (struct block *b = arena->blocks, *next; b; b = next) {
        next = b->next;
        free(b);
    }
    free(arena);
}

void *ps_arena_alloc(ps_arena_t *arena, size_t size)
{
    const size_t align = sizeof(max_align_t);
    if (size > SIZE_MAX - align)
        return NULL;
    size = (size + align - 1) / align * align;
    struct block *b = arena->blocks;
    if (!b || b->size - b->used < size) {
        size_t capacity = size > BLOCK_SIZE ? size : BLOCK_SIZE;
        b = malloc(sizeof(*b) + capacity);
        if (!b)
            return NULL;
        b->size = capacity;
        b->used = 0;
        b->next = arena->blocks;
        arena->blocks = b;
    }
    void *p = (char *)b->data + b->used;
    b->used += size;
    return memset(p, 0, size);
}

void *ps_arena_array(ps_arena_t *arena, size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size)
        return NULL;
    return ps_arena_alloc(arena, count * size);
}

char *ps_arena_strdup(ps_arena_t *arena, const char *text)
{
    size_t n = strlen(text) + 1;
    char *copy = ps_arena_alloc(arena, n);
    return copy ? memcpy(copy, text, n) : NULL;
}

int ps_grow_to(void **array, size_t *capacity, size_t need, size_t unit)
{
    if (need <= *capacity)
        return 0;
    size_t n = *capacity ? *capacity : 16;
    while (n < need) {
        if (n > SIZE_MAX / 2)
            return -1;
        n *= 2;
    }
    if (unit && n > SIZE_MAX / unit)
        return -1;
    void *grown = realloc(*array, n * unit);
    if (!grown)
        return -1;
    *array = grown;
    *capacity = n;
    return 0;
}

void ps_advise_huge(void *array, size_t size)
{
#ifdef MADV_HUGEPAGE
    /* Whole pages around the array: advising all of a mapping leaves it one mapping,
     * which realloc can still grow without copying. */
    enum { HUGE = 2u << 20 };
    const uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t start = (uintptr_t)array & ~(page - 1);
    uintptr_t end = ((uintptr_t)array + size + page - 1) & ~(page - 1);
    if (size >= HUGE)
        madvise((void *)start, end - start, MADV_HUGEPAGE);
#else
    (void)array;
    (void)size;
#endif
}
