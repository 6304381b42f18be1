/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Diagnostics. This program is linked with core/diagnose.c alone, not the
 * library: it builds only while the diagnose module depends on nothing but
 * the headers (no context, instrument, plugin or xml code).
 */
#include "config.h"

#include <stdarg.h>
#include <string.h>

#include <criterion/criterion.h>

#include "internal.h"

struct seen {
    int n;
    ps_diagnostic_t last;
    char message[PS_DIAGNOSTIC_MAX + 1024];
    char file[64];
};

static void keep(const ps_diagnostic_t *d, void *user)
{
    struct seen *s = user;
    s->n++;
    s->last = *d;
    strcpy(s->message, d->message);
    strcpy(s->file, d->file ? d->file : "");
}

/* A module's own wrapper, as instrument.c has: the reason ps_vdiagnose exists. */
static ps_error_t wrapped(const ps_context_t *c, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

static ps_error_t wrapped(const ps_context_t *c, const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    ps_error_t err = ps_vdiagnose(c, PS_ERROR_DEFINITION, "d.xml", 7, 3, format, ap);
    va_end(ap);
    return err;
}

Test(diagnose, the_va_list_variant_reports_file_line_column_and_message)
{
    struct seen s = {0};
    struct ps_context c = {0};
    c.diagnose = keep;
    c.diagnose_user = &s;
    cr_assert_eq(wrapped(&c, "band '%s' starts at %g", "low", 2.5), PS_ERROR_DEFINITION);
    cr_assert_eq(s.n, 1);
    cr_assert_eq(s.last.error, PS_ERROR_DEFINITION);
    cr_assert_str_eq(s.file, "d.xml");
    cr_assert_eq(s.last.line, 7);
    cr_assert_eq(s.last.column, 3);
    cr_assert_str_eq(s.message, "band 'low' starts at 2.5");
    cr_assert_eq(ps_diagnose(&c, PS_ERROR_BATCH, NULL, 0, 0, "%d rows", 3), PS_ERROR_BATCH);
    cr_assert_eq(s.n, 2);
    cr_assert_str_eq(s.message, "3 rows");
}

Test(diagnose, a_long_message_is_cut_not_overrun)
{
    struct seen s = {0};
    struct ps_context c = {.diagnose = keep, .diagnose_user = &s};
    char long_text[PS_DIAGNOSTIC_MAX + 500];
    memset(long_text, 'x', sizeof long_text - 1);
    long_text[sizeof long_text - 1] = '\0';
    wrapped(&c, "%s", long_text);
    cr_assert_eq(strlen(s.message), PS_DIAGNOSTIC_MAX - 1);
}

Test(diagnose, without_a_handler_the_error_is_returned)
{
    struct ps_context c = {0};
    cr_assert_eq(wrapped(&c, "%s", "ignored"), PS_ERROR_DEFINITION);
    cr_assert_str_eq(ps_error_message(PS_ERROR_LIMIT), "input exceeds a limit");
    cr_assert_str_eq(ps_error_message((ps_error_t)999), "unknown error");
}
