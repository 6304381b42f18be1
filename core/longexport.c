/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Long exports held in memory (see longexport.h): answers in the order added,
 * in chunks that never move; their texts packed in blocks, each distinct item,
 * value and kept text once; and a hash table from participant and date to the
 * last answer of that assessment, which links each answer to the next.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "longexport.h"

enum {
    CHUNK_BITS = 16,                 /* answers per chunk: 2^16, about 3.5 MiB */
    CHUNK = 1 << CHUNK_BITS,
    TEXT_BLOCK = 1 << 16,            /* bytes per block of texts */
};

/* Texts packed end to end, each with its NUL: no alignment, no header per text. */
struct text_block {
    struct text_block *next;
    size_t used, size;
    char data[];
};

/* A distinct text: where it is, and what finds it. */
struct text_slot {
    const char *text;
    uint32_t hash, length;
};

struct ps_long_export {
    size_t n_kept;
    ps_long_answer_t **chunks;
    size_t n_chunks, chunks_size;
    size_t n_answers;
    uint32_t *slots;                 /* the last answer of an assessment + 1; 0 is empty */
    size_t n_slots;                  /* a power of two, at least twice the assessments */
    size_t n_assessments;
    struct text_block *blocks;
    ps_arena_t *arrays;              /* kept texts' arrays, one per assessment as a rule */
    struct text_slot *texts;         /* the distinct items, values and kept texts */
    size_t n_texts, n_text_slots;    /* n_text_slots: a power of two, at least twice n_texts */
};

static const char *const no_kept[1] = {NULL};

ps_long_export_t *ps_long_export_new(size_t n_kept)
{
    ps_long_export_t *export = calloc(1, sizeof *export);
    if (!export)
        return NULL;
    export->n_kept = n_kept;
    export->n_slots = 256;
    export->n_text_slots = 64;
    export->slots = calloc(export->n_slots, sizeof *export->slots);
    export->texts = calloc(export->n_text_slots, sizeof *export->texts);
    export->arrays = ps_arena_new();
    if (!export->slots || !export->texts || !export->arrays) {
        ps_long_export_free(export);
        return NULL;
    }
    return export;
}

void ps_long_export_free(ps_long_export_t *export)
{
    if (!export)
        return;
    for (size_t c = 0; c < export->n_chunks; c++)
        free(export->chunks[c]);
    free(export->chunks);
    for (struct text_block *b = export->blocks, *next; b; b = next) {
        next = b->next;
        free(b);
    }
    ps_arena_free(export->arrays);
    free(export->slots);
    free(export->texts);
    free(export);
}

/* A copy of 'length' bytes and a NUL in the blocks; NULL when out of memory. */
static char *store(ps_long_export_t *export, const char *text, size_t length)
{
    struct text_block *b = export->blocks;
    if (!b || b->size - b->used < length + 1) {
        size_t size = length + 1 > TEXT_BLOCK ? length + 1 : TEXT_BLOCK;
        if (!(b = malloc(sizeof *b + size)))
            return NULL;
        b->used = 0;
        b->size = size;
        b->next = export->blocks;
        export->blocks = b;
    }
    char *copy = b->data + b->used;
    memcpy(copy, text, length);
    copy[length] = '\0';
    b->used += length + 1;
    return copy;
}

static int grow_texts(ps_long_export_t *export)
{
    const size_t n = export->n_text_slots * 2;
    struct text_slot *texts = calloc(n, sizeof *texts);
    if (!texts)
        return -1;
    for (size_t i = 0; i < export->n_text_slots; i++) {
        const struct text_slot *t = &export->texts[i];
        if (!t->text)
            continue;
        size_t j = t->hash & (n - 1);
        while (texts[j].text)
            j = (j + 1) & (n - 1);
        texts[j] = *t;
    }
    free(export->texts);
    export->texts = texts;
    export->n_text_slots = n;
    return 0;
}

/* The one copy of 'text'; NULL when out of memory. */
static const char *intern(ps_long_export_t *export, const char *text)
{
    const size_t length = strlen(text);
    const uint32_t hash = ps_hash(text, length, 0);
    const size_t mask = export->n_text_slots - 1;
    size_t i = hash & mask;
    for (; export->texts[i].text; i = (i + 1) & mask) {
        const struct text_slot *t = &export->texts[i];
        if (t->hash == hash && t->length == length && memcmp(t->text, text, length) == 0)
            return t->text;
    }
    const char *copy = store(export, text, length);
    if (!copy)
        return NULL;
    export->texts[i] = (struct text_slot){copy, hash, (uint32_t)length};
    if (2 * ++export->n_texts > export->n_text_slots && grow_texts(export) != 0)
        return NULL;
    return copy;
}

static ps_long_answer_t *answer_at(const ps_long_export_t *export, size_t index)
{
    return &export->chunks[index >> CHUNK_BITS][index & (CHUNK - 1)];
}

static uint32_t hash_of(const char *id, size_t id_length, int32_t day)
{
    return ps_hash(id, id_length, (uint32_t)day * 2654435761u);
}

/* The slot of the assessment, or the empty one where it would go. */
static size_t slot_of(const ps_long_export_t *export, const char *id, size_t id_length,
                      int32_t day)
{
    const size_t mask = export->n_slots - 1;
    for (size_t i = hash_of(id, id_length, day) & mask;; i = (i + 1) & mask) {
        if (!export->slots[i])
            return i;
        const ps_long_answer_t *a = answer_at(export, export->slots[i] - 1);
        if (a->day == day && a->id_length == id_length && memcmp(a->id, id, id_length) == 0)
            return i;
    }
}

static int grow_slots(ps_long_export_t *export)
{
    size_t n = export->n_slots * 2, n_old = export->n_slots;
    uint32_t *old = export->slots;
    if (!(export->slots = calloc(n, sizeof *export->slots))) {
        export->slots = old;
        return -1;
    }
    export->n_slots = n;
    for (size_t i = 0; i < n_old; i++)
        if (old[i]) {
            const ps_long_answer_t *a = answer_at(export, old[i] - 1);
            export->slots[slot_of(export, a->id, a->id_length, a->day)] = old[i];
        }
    free(old);
    return 0;
}

/* The kept texts of a new answer: those of the answer before it in its assessment when alike. */
static const char *const *keep(ps_long_export_t *export, const ps_long_answer_t *before,
                               const char *const *kept)
{
    if (!export->n_kept)
        return no_kept;
    int alike = before != NULL;
    for (size_t k = 0; k < export->n_kept && alike; k++)
        alike = strcmp(before->kept[k], kept[k]) == 0;
    if (alike)
        return before->kept;
    const char **copy = ps_arena_array(export->arrays, export->n_kept + 1, sizeof *copy);
    if (!copy)
        return NULL;
    for (size_t k = 0; k < export->n_kept; k++)
        if (!(copy[k] = intern(export, kept[k])))
            return NULL;
    return copy;
}

int ps_long_export_add(ps_long_export_t *export, unsigned batch, unsigned long line,
                       const char *id, size_t id_length, int32_t day, const char *item,
                       const char *value, const char *const *kept)
{
    const size_t index = export->n_answers;
    if (index >= (size_t)PS_LONG_END - 1 || id_length > UINT32_MAX || batch > UINT16_MAX)
        return -1;
    if (index >> CHUNK_BITS == export->n_chunks) {
        if (ps_grow((void **)&export->chunks, &export->chunks_size, export->n_chunks + 1,
                    sizeof *export->chunks) != 0 ||
            !(export->chunks[export->n_chunks] = malloc(CHUNK * sizeof(ps_long_answer_t))))
            return -1;
        export->n_chunks++;
    }
    const size_t slot = slot_of(export, id, id_length, day);
    ps_long_answer_t *last = export->slots[slot] ? answer_at(export, export->slots[slot] - 1) : NULL;
    const char *id_copy = last ? last->id : store(export, id, id_length);
    const char *item_copy = intern(export, item), *value_copy = intern(export, value);
    const char *const *kept_copy = keep(export, last, kept);
    if (!id_copy || !item_copy || !value_copy || !kept_copy)
        return -1;
    *answer_at(export, index) = (ps_long_answer_t){line,      id_copy,    item_copy,
                                                   value_copy, kept_copy, PS_LONG_END,
                                                   day,       (uint32_t)id_length,
                                                   (uint16_t)batch, !last};
    if (last)
        last->next = (uint32_t)index;
    else
        export->n_assessments++;
    export->slots[slot] = (uint32_t)index + 1;
    export->n_answers++;
    if (2 * export->n_assessments > export->n_slots && grow_slots(export) != 0)
        return -1;
    return 0;
}

size_t ps_long_export_count(const ps_long_export_t *export)
{
    return export->n_answers;
}

const ps_long_answer_t *ps_long_export_answer(const ps_long_export_t *export, size_t index)
{
    return answer_at(export, index);
}
