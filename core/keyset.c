/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Open addressing over a dense array of records: the table holds 8-byte
 * slots (record number and hash), so its empty slots cost little, and ids are stored once in
 * a byte pool (consecutive keys of one row share them).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "keyset.h"

struct record {
    uint32_t id_offset;     /* into pool: a uint32 length, then the id's bytes */
    uint32_t hash;
    uint32_t line;
    uint16_t file;
    uint16_t timepoint;
    uint16_t instrument;
};

struct slot {
    uint32_t record;        /* record number + 1; 0 is empty */
    uint32_t hash;
};

struct ps_keyset {
    struct record *records;
    size_t n_records, records_size;
    struct slot *slots;     /* open addressing; a slot's hash spares a look at its record */
    size_t n_slots;         /* a power of two */
    char *pool;
    size_t pool_used, pool_size;
    uint32_t last_id;       /* offset of the id stored last, for reuse */
    int has_last_id;
};

ps_keyset_t *ps_keyset_new(void)
{
    ps_keyset_t *set = calloc(1, sizeof *set);
    if (!set)
        return NULL;
    set->n_slots = 1024;
    set->slots = calloc(set->n_slots, sizeof *set->slots);
    if (!set->slots) {
        free(set);
        return NULL;
    }
    return set;
}

void ps_keyset_free(ps_keyset_t *set)
{
    if (!set)
        return;
    free(set->records);
    free(set->slots);
    free(set->pool);
    free(set);
}

static uint32_t hash_of(const ps_key_t *key)
{
    return ps_hash(key->id, key->id_length, (uint32_t)key->timepoint << 16 | key->instrument);
}

static const char *id_at(const ps_keyset_t *set, uint32_t offset, uint32_t *length)
{
    memcpy(length, set->pool + offset, sizeof *length);
    return set->pool + offset + sizeof *length;
}

static int same(const ps_keyset_t *set, const struct record *r, const ps_key_t *key, uint32_t h)
{
    if (r->hash != h || r->timepoint != key->timepoint || r->instrument != key->instrument)
        return 0;
    uint32_t length;
    const char *id = id_at(set, r->id_offset, &length);
    return length == key->id_length && memcmp(id, key->id, length) == 0;
}

/* The slot holding the key, or the empty slot where it would go. */
static size_t probe(const ps_keyset_t *set, const ps_key_t *key, uint32_t h)
{
    size_t mask = set->n_slots - 1, i = h & mask;
    while (set->slots[i].record &&
           (set->slots[i].hash != h || !same(set, &set->records[set->slots[i].record - 1], key, h)))
        i = (i + 1) & mask;
    return i;
}

void ps_keyset_prepare(const ps_keyset_t *set, ps_key_t *key)
{
    key->hash = hash_of(key);
    __builtin_prefetch(&set->slots[key->hash & (set->n_slots - 1)]);
}

int ps_keyset_find(const ps_keyset_t *set, ps_key_t *key, ps_key_origin_t *first)
{
    key->slot = probe(set, key, key->hash);
    key->slots = set->n_slots;
    uint32_t slot = set->slots[key->slot].record;
    if (!slot)
        return 0;
    const struct record *r = &set->records[slot - 1];
    first->file = r->file;
    first->line = r->line;
    return 1;
}

/* Moves the slots to a table of n, a larger power of two. */
static int resize(ps_keyset_t *set, size_t n)
{
    struct slot *slots = calloc(n, sizeof *slots);
    if (!slots)
        return -1;
    ps_advise_huge(slots, n * sizeof *slots);
    /*
     * In the old table's order, each slot lands at or just after a multiple of
     * its old home, so the new table is written almost sequentially, not at random.
     */
    for (size_t k = 0; k < set->n_slots; k++) {
        struct slot old = set->slots[k];
        if (!old.record)
            continue;
        size_t i = old.hash & (n - 1);
        while (slots[i].record)
            i = (i + 1) & (n - 1);
        slots[i] = old;
    }
    free(set->slots);
    set->slots = slots;
    set->n_slots = n;
    return 0;
}

static int store_id(ps_keyset_t *set, const ps_key_t *key, uint32_t *offset)
{
    if (set->has_last_id) {
        uint32_t length;
        const char *id = id_at(set, set->last_id, &length);
        if (length == key->id_length && memcmp(id, key->id, length) == 0) {
            *offset = set->last_id;
            return 0;
        }
    }
    size_t need = sizeof(uint32_t) + key->id_length;
    if (key->id_length > UINT32_MAX || set->pool_used + need > UINT32_MAX)
        return -1;
    if (set->pool_used + need > set->pool_size) {
        size_t size = set->pool_size ? set->pool_size : 4096;
        while (size < set->pool_used + need)
            size *= 2;
        char *pool = realloc(set->pool, size);
        if (!pool)
            return -1;
        ps_advise_huge(pool, size);
        set->pool = pool;
        set->pool_size = size;
    }
    uint32_t length = (uint32_t)key->id_length;
    memcpy(set->pool + set->pool_used, &length, sizeof length);
    memcpy(set->pool + set->pool_used + sizeof length, key->id, length);
    *offset = set->last_id = (uint32_t)set->pool_used;
    set->has_last_id = 1;
    set->pool_used += need;
    return 0;
}

static int grow_records(ps_keyset_t *set, size_t size)
{
    struct record *records = realloc(set->records, size * sizeof *records);
    if (!records)
        return -1;
    ps_advise_huge(records, size * sizeof *records);
    set->records = records;
    set->records_size = size;
    return 0;
}

/* At most 70% of the slots are used. */
static int crowded(size_t records, size_t slots)
{
    return records > slots / 10 * 7;
}

int ps_keyset_reserve(ps_keyset_t *set, size_t more)
{
    if (more >= UINT32_MAX - 1 - set->n_records)
        return -1;
    size_t keys = set->n_records + more;
    size_t n = set->n_slots;
    while (crowded(keys, n))
        n *= 2;
    if (n > set->n_slots && resize(set, n) != 0)
        return -1;
    return keys > set->records_size ? grow_records(set, keys) : 0;
}

int ps_keyset_add(ps_keyset_t *set, ps_key_t *key, ps_key_origin_t origin)
{
    if (set->n_records >= UINT32_MAX - 1)
        return -1;
    if (crowded(set->n_records + 1, set->n_slots) && resize(set, set->n_slots * 2) != 0)
        return -1;
    if (set->n_records == set->records_size &&
        grow_records(set, set->records_size ? set->records_size * 2 : 1024) != 0)
        return -1;
    uint32_t offset;
    if (store_id(set, key, &offset) != 0)
        return -1;
    uint32_t h = key->hash;
    struct record *r = &set->records[set->n_records];
    r->id_offset = offset;
    r->hash = h;
    r->line = origin.line > UINT32_MAX ? UINT32_MAX : (uint32_t)origin.line;
    r->file = (uint16_t)origin.file;
    r->timepoint = (uint16_t)key->timepoint;
    r->instrument = (uint16_t)key->instrument;
    /* The slot found is still free unless the table grew, or a key added since took it. */
    size_t slot = key->slots == set->n_slots && !set->slots[key->slot].record ? key->slot
                                                                             : probe(set, key, h);
    set->slots[slot] = (struct slot){(uint32_t)++set->n_records, h};
    return 0;
}
