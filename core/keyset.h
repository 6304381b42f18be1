/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The participant x timepoint x instrument keys seen so far, to refuse
 * duplicates across every batch of a run. One 20-byte record per key plus the
 * participant id's bytes: the only memory that grows with a batch. Private.
 */
#ifndef PROMSCORE_KEYSET_H
#define PROMSCORE_KEYSET_H

#include <stddef.h>

typedef struct ps_keyset ps_keyset_t;

/* Where a key was first seen: the batch's index in the run and its line. */
typedef struct ps_key_origin {
    unsigned file;
    unsigned long line;
} ps_key_origin_t;

typedef struct ps_key {
    const char *id;         /* participant id, not necessarily NUL-terminated */
    size_t id_length;
    unsigned timepoint;     /* interned by the caller, < 65536 */
    unsigned instrument;    /* index in the context, < 65536 */
    /* Set by ps_keyset_prepare and ps_keyset_find for the calls that follow. */
    unsigned hash;
    size_t slot, slots;
} ps_key_t;

ps_keyset_t *ps_keyset_new(void);
void ps_keyset_free(ps_keyset_t *set);

/*
 * Hashes the key and starts fetching its slot from memory, so that work done
 * before ps_keyset_find overlaps the wait. Call before find.
 */
void ps_keyset_prepare(const ps_keyset_t *set, ps_key_t *key);

/* Returns 1 and sets *first when the prepared key is present, else 0. */
int ps_keyset_find(const ps_keyset_t *set, ps_key_t *key, ps_key_origin_t *first);

/*
 * Makes room for 'more' keys, so that a batch of about known size is not
 * rehashed as it grows. Returns 0, or -1 when out of memory or past the limit.
 */
int ps_keyset_reserve(ps_keyset_t *set, size_t more);

/*
 * Adds a key that ps_keyset_find just found absent. Returns 0, or -1 when out
 * of memory or past 4 GiB of ids.
 */
int ps_keyset_add(ps_keyset_t *set, ps_key_t *key, ps_key_origin_t origin);

#endif
