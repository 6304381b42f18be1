/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Options structs the caller allocates lead with their size (see
 * ps_score_options_t), so that a field added later leaves programs built
 * against an older header working: one way of making and reading them.
 */
#include "config.h"

#include <string.h>

#include "internal.h"

void ps_options_init(void *options, size_t size)
{
    if (size < sizeof(size_t))
        return; /* not even the size fits: ps_options_copy refuses it */
    memset(options, 0, size);
    memcpy(options, &size, sizeof size);
}

ps_error_t ps_options_copy(const ps_context_t *context, const void *given, size_t least,
                           void *copy, size_t copy_size, const char *what)
{
    size_t size = 0;
    if (given)
        memcpy(&size, given, sizeof size);
    if (size < least)
        return ps_diagnose(context, PS_ERROR_USAGE, NULL, 0, 0,
                           "%s options without their size: initialise them with "
                           "ps_%s_options_init",
                           what, what);
    /* Fields the caller's header did not have stay zero: their defaults. */
    memset(copy, 0, copy_size);
    memcpy(copy, given, size < copy_size ? size : copy_size);
    return PS_OK;
}
