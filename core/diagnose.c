/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Diagnostics: the library's one error type as text, and messages naming
 * where. Every module reports through here; this module calls none of them.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>

#include "internal.h"

const char *ps_error_message(ps_error_t error)
{
    switch (error) {
    case PS_OK: return "success";
    case PS_ERROR_NOMEM: return "out of memory";
    case PS_ERROR_USAGE: return "invalid request";
    case PS_ERROR_READ: return "cannot read file";
    case PS_ERROR_WRITE: return "cannot write file";
    case PS_ERROR_BATCH: return "unusable batch";
    case PS_ERROR_LIMIT: return "input exceeds a limit";
    case PS_ERROR_XML: return "definition is not acceptable XML";
    case PS_ERROR_SCHEMA: return "definition does not follow the schema";
    case PS_ERROR_DEFINITION: return "inconsistent definition";
    case PS_ERROR_PLUGIN: return "plugin error";
    case PS_ERROR_ABI: return "plugin built for another ABI";
    case PS_ERROR_ABORTED: return "stopped by the caller";
    case PS_ERROR_INTERNAL: return "internal error";
    }
    return "unknown error";
}

ps_error_t ps_vdiagnose(const ps_context_t *context, ps_error_t error, const char *file,
                        unsigned long line, unsigned long column, const char *format, va_list ap)
{
    if (!context->diagnose)
        return error;
    char message[PS_DIAGNOSTIC_MAX];
    vsnprintf(message, sizeof message, format, ap);
    ps_diagnostic_t d = {error, file, line, column, message};
    context->diagnose(&d, context->diagnose_user);
    return error;
}

ps_error_t ps_diagnose(const ps_context_t *context, ps_error_t error, const char *file,
                       unsigned long line, unsigned long column, const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    ps_vdiagnose(context, error, file, line, column, format, ap);
    va_end(ap);
    return error;
}
