/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Long exports held in memory (see longexport.h): answers in input order,
 * their texts in an arena, and a hash table from participant and date to the
 * last answer of that assessment, which links each answer to the next.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "longexport.h"

struct ps_long_export {
    ps_arena_t *texts;
    size_t n_kept;
    ps_long_answer_t *answers;
    size_t n_answers, answers_size;
    size_t *slots;            /* the last answer of an assessment + 1; 0 is empty */
    size_t n_slots;           /* a power of two, at least twice the assessments */
    size_t n_assessments;
};

ps_long_export_t *ps_long_export_new(size_t n_kept)
{
    ps_long_export_t *export = calloc(1, sizeof *export);
    if (!export)
        return NULL;
    export->n_kept = n_kept;
    export->n_slots = 256;
    export->texts = ps_arena_new();
    export->slots = calloc(export->n_slots, sizeof *export->slots);
    if (!export->texts || !export->slots) {
        ps_long_export_free(export);
        return NULL;
    }
    return export;
}

void ps_long_export_free(ps_long_export_t *export)
{
    if (!export)
        return;
    ps_arena_free(export->texts);
    free(export->answers);
    free(export->slots);
    free(export);
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
        const ps_long_answer_t *a = &export->answers[export->slots[i] - 1];
        if (a->day == day && a->id_length == id_length && memcmp(a->id, id, id_length) == 0)
            return i;
    }
}

static int grow_slots(ps_long_export_t *export)
{
    size_t n = export->n_slots * 2, *old = export->slots, n_old = export->n_slots;
    if (!(export->slots = calloc(n, sizeof *export->slots))) {
        export->slots = old;
        return -1;
    }
    export->n_slots = n;
    for (size_t i = 0; i < n_old; i++)
        if (old[i]) {
            const ps_long_answer_t *a = &export->answers[old[i] - 1];
            export->slots[slot_of(export, a->id, a->id_length, a->day)] = old[i];
        }
    free(old);
    return 0;
}

int ps_long_export_add(ps_long_export_t *export, unsigned long line, const char *id,
                       size_t id_length, int32_t day, const char *item, const char *value,
                       const char *const *kept)
{
    if (ps_grow((void **)&export->answers, &export->answers_size, export->n_answers + 1,
                sizeof *export->answers) != 0)
        return -1;
    ps_long_answer_t *a = &export->answers[export->n_answers];
    char *id_copy = ps_arena_alloc(export->texts, id_length + 1);
    const char **kept_copy = ps_arena_array(export->texts, export->n_kept + 1, sizeof *kept_copy);
    if (!id_copy || !kept_copy)
        return -1;
    memcpy(id_copy, id, id_length);
    *a = (ps_long_answer_t){line, id_copy, id_length, day,
                            ps_arena_strdup(export->texts, item),
                            ps_arena_strdup(export->texts, value), kept_copy, PS_LONG_END, 0};
    if (!a->item || !a->value)
        return -1;
    for (size_t k = 0; k < export->n_kept; k++)
        if (!(kept_copy[k] = ps_arena_strdup(export->texts, kept[k])))
            return -1;
    size_t slot = slot_of(export, id, id_length, day);
    if (export->slots[slot]) {
        export->answers[export->slots[slot] - 1].next = export->n_answers;
    } else {
        a->first = 1;
        export->n_assessments++;
    }
    export->slots[slot] = ++export->n_answers;
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
    return &export->answers[index];
}
