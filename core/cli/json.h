/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Numbers in the CLI's JSON. Private to the command line. */
#ifndef PROMSCORE_CLI_JSON_H
#define PROMSCORE_CLI_JSON_H

#include <math.h>
#include <stdio.h>

/* Room for any double as %.17g ("-1.7976931348623157e+308") and its NUL. */
#define JSON_NUMBER_SIZE 32

/*
 * 'value' as a JSON number into 'text': whole for a count, else with the 17
 * significant digits that read back to the same double. JSON has no infinity
 * or NaN (and "inf", "nan" break every parser): those are written as null and
 * 0 is returned, so that the caller can say why; 1 for a number.
 */
static inline int json_number_text(double value, int whole, char text[JSON_NUMBER_SIZE])
{
    if (!isfinite(value)) {
        snprintf(text, JSON_NUMBER_SIZE, "null");
        return 0;
    }
    snprintf(text, JSON_NUMBER_SIZE, whole ? "%.0f" : "%.17g", value);
    return 1;
}

#endif
