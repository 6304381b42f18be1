/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "names.h"

struct ps_names {
    uint32_t *offsets;      /* per name: offset of its text in pool */
    uint32_t *hashes;       /* per name */
    size_t n, size;
    uint32_t *slots;        /* name number + 1; 0 empty */
    size_t n_slots;
    char *pool;
    size_t pool_used, pool_size;
    int folded;             /* names match in any ASCII case */
};

ps_names_t *ps_names_new(void)
{
    ps_names_t *names = calloc(1, sizeof *names);
    if (!names)
        return NULL;
    names->n_slots = 64;
    if (!(names->slots = calloc(names->n_slots, sizeof *names->slots))) {
        free(names);
        return NULL;
    }
    return names;
}

ps_names_t *ps_names_new_folded(void)
{
    ps_names_t *names = ps_names_new();
    if (names)
        names->folded = 1;
    return names;
}

void ps_names_free(ps_names_t *names)
{
    if (!names)
        return;
    free(names->offsets);
    free(names->hashes);
    free(names->slots);
    free(names->pool);
    free(names);
}

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

static int same(const ps_names_t *names, const char *t, const char *text, size_t length)
{
    if (!names->folded)
        return strncmp(t, text, length) == 0 && t[length] == '\0';
    for (size_t i = 0; i < length; i++)
        if (!t[i] || lower((unsigned char)t[i]) != lower((unsigned char)text[i]))
            return 0;
    return t[length] == '\0';
}

/* A folded name is hashed by its first bytes folded, seeded with its length. */
static uint32_t hash_of(const ps_names_t *names, const char *text, size_t length)
{
    if (!names->folded)
        return ps_hash(text, length, 0);
    char folded[64];
    size_t n = length < sizeof folded ? length : sizeof folded;
    for (size_t i = 0; i < n; i++)
        folded[i] = (char)lower((unsigned char)text[i]);
    return ps_hash(folded, n, (uint32_t)length);
}

static size_t probe(const ps_names_t *names, const char *text, size_t length, uint32_t h)
{
    size_t mask = names->n_slots - 1, i = h & mask;
    for (; names->slots[i]; i = (i + 1) & mask) {
        uint32_t k = names->slots[i] - 1;
        if (names->hashes[k] == h && same(names, names->pool + names->offsets[k], text, length))
            break;
    }
    return i;
}

uint32_t ps_names_find(const ps_names_t *names, const char *text, size_t length)
{
    uint32_t slot = names->slots[probe(names, text, length, hash_of(names, text, length))];
    return slot ? slot - 1 : UINT32_MAX;
}

static int grow_slots(ps_names_t *names)
{
    size_t n = names->n_slots * 2;
    uint32_t *slots = calloc(n, sizeof *slots);
    if (!slots)
        return -1;
    for (size_t k = 0; k < names->n; k++) {
        size_t i = names->hashes[k] & (n - 1);
        while (slots[i])
            i = (i + 1) & (n - 1);
        slots[i] = (uint32_t)k + 1;
    }
    free(names->slots);
    names->slots = slots;
    names->n_slots = n;
    return 0;
}

uint32_t ps_names_intern(ps_names_t *names, const char *text, size_t length)
{
    uint32_t h = hash_of(names, text, length);
    size_t i = probe(names, text, length, h);
    if (names->slots[i])
        return names->slots[i] - 1;
    if (names->n >= UINT32_MAX - 1 || names->pool_used + length + 1 > UINT32_MAX)
        return UINT32_MAX;
    if ((names->n + 1) * 10 > names->n_slots * 7) {
        if (grow_slots(names) != 0)
            return UINT32_MAX;
        i = probe(names, text, length, h);
    }
    if (names->n == names->size) {
        size_t size = names->size ? names->size * 2 : 64;
        uint32_t *offsets = realloc(names->offsets, size * sizeof *offsets);
        if (offsets)
            names->offsets = offsets;
        uint32_t *hashes = realloc(names->hashes, size * sizeof *hashes);
        if (hashes)
            names->hashes = hashes;
        if (!offsets || !hashes)
            return UINT32_MAX;
        names->size = size;
    }
    if (names->pool_used + length + 1 > names->pool_size) {
        size_t size = names->pool_size ? names->pool_size : 1024;
        while (size < names->pool_used + length + 1)
            size *= 2;
        char *pool = realloc(names->pool, size);
        if (!pool)
            return UINT32_MAX;
        names->pool = pool;
        names->pool_size = size;
    }
    memcpy(names->pool + names->pool_used, text, length);
    names->pool[names->pool_used + length] = '\0';
    names->offsets[names->n] = (uint32_t)names->pool_used;
    names->hashes[names->n] = h;
    names->pool_used += length + 1;
    names->slots[i] = (uint32_t)names->n + 1;
    return (uint32_t)names->n++;
}

size_t ps_names_count(const ps_names_t *names)
{
    return names->n;
}

const char *ps_names_text(const ps_names_t *names, uint32_t index)
{
    return names->pool + names->offsets[index];
}

/* Text order with runs of digits compared as numbers (S2 before S10); texts that differ only
 * in leading zeros (S01, S1) in byte order, so that the order is total. */
static int natural_compare(const char *a, const char *b)
{
    const char *x = a, *y = b;
    while (*x && *y) {
        if (*x >= '0' && *x <= '9' && *y >= '0' && *y <= '9') {
            while (*x == '0')
                x++;
            while (*y == '0')
                y++;
            size_t nx = strspn(x, "0123456789"), ny = strspn(y, "0123456789");
            int c = nx != ny ? (nx < ny ? -1 : 1) : memcmp(x, y, nx);
            if (c)
                return c;
            x += nx;
            y += ny;
        } else if (*x != *y) {
            return (unsigned char)*x < (unsigned char)*y ? -1 : 1;
        } else {
            x++;
            y++;
        }
    }
    if (*x || *y)
        return *x ? 1 : -1;
    return strcmp(a, b);
}

uint32_t *ps_names_natural_order(const ps_names_t *names)
{
    size_t n = ps_names_count(names);
    uint32_t *order = malloc((n ? n : 1) * sizeof *order);
    if (!order)
        return NULL;
    for (uint32_t i = 0; i < n; i++)
        order[i] = i;
    /* Insertion sort: a handful of sites or practices. */
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && natural_compare(ps_names_text(names, order[j - 1]),
                                                     ps_names_text(names, order[j])) > 0;
             j--) {
            uint32_t t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    return order;
}
