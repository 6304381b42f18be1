/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The report's JSON numbers: JSON has no inf or nan, and a number reads back as written. */
#include "config.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "cli/json.h"

Test(json_number, infinities_and_nan_become_null)
{
    char text[JSON_NUMBER_SIZE];
    const double bad[] = {INFINITY, -INFINITY, NAN, -NAN, HUGE_VAL * 0};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        for (int whole = 0; whole < 2; whole++) {
            cr_assert_eq(json_number_text(bad[i], whole, text), 0);
            cr_assert_str_eq(text, "null");
        }
}

Test(json_number, finite_numbers_read_back_exactly)
{
    char text[JSON_NUMBER_SIZE];
    const double good[] = {0, -0.0, 1, -1, 0.1, 1.0 / 3, 3.0e9, DBL_MAX, -DBL_MAX, DBL_MIN,
                           DBL_TRUE_MIN, 123456789.123456789};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        cr_assert_eq(json_number_text(good[i], 0, text), 1);
        cr_assert_null(strpbrk(text, "in"), "%s", text);
        cr_assert_eq(strtod(text, NULL), good[i], "%s", text);
    }
    cr_assert_str_eq((json_number_text(-DBL_MAX, 0, text), text), "-1.7976931348623157e+308");
}

Test(json_number, counts_are_whole)
{
    char text[JSON_NUMBER_SIZE];
    cr_assert_eq(json_number_text(12, 1, text), 1);
    cr_assert_str_eq(text, "12");
    cr_assert_eq(json_number_text(4294967296.0, 1, text), 1);
    cr_assert_str_eq(text, "4294967296");
}
