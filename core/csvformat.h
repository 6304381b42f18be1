/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The project's CSV formats: what the library itself needs beyond <promscore/formats.h>. Private. */
#ifndef PROMSCORE_CSVFORMAT_H
#define PROMSCORE_CSVFORMAT_H

#include <promscore/formats.h>

/* The header's names (guard undone) and its line; PS_OK to go on reading. */
typedef ps_error_t (*ps_format_header_fn)(const char *const *names, size_t n,
                                          unsigned long line, void *user);

/* ps_format_read, with the header handed to 'header_fn' (when not NULL) before any row. */
ps_error_t ps_read_format(ps_context_t *context, const char *file,
                                      ps_format_t format, ps_format_header_fn header_fn,
                                      int (*fn)(const ps_format_row_t *, void *), void *user);

#endif
