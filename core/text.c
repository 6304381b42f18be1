/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* ASCII case folding only: labels are matched the same way in every locale. */
int ps_strcaseeq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (lower((unsigned char)*a) != lower((unsigned char)*b))
            return 0;
    return *a == *b;
}

const char *ps_trim(const char *text, size_t *length)
{
    size_t n = *length;
    while (n && (*text == ' ' || *text == '\t'))
        text++, n--;
    while (n && (text[n - 1] == ' ' || text[n - 1] == '\t'))
        n--;
    *length = n;
    return text;
}

int ps_utf8_valid(const char *text, size_t length)
{
    const unsigned char *s = (const unsigned char *)text, *end = s + length;
    /* Eight bytes at a time while they are ASCII and not NUL: most text. */
    const uint64_t high = 0x8080808080808080u, ones = 0x0101010101010101u;
    while (end - s >= 8) {
        uint64_t w;
        memcpy(&w, s, sizeof w);
        if ((w & high) || ((w - ones) & ~w & high))
            break;
        s += 8;
    }
    while (s < end) {
        unsigned c = *s;
        size_t n;
        unsigned min;
        if (c < 0x80) {
            if (c == 0)
                return 0;
            s++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            n = 1, min = 0x80, c &= 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            n = 2, min = 0x800, c &= 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            n = 3, min = 0x10000, c &= 0x07;
        } else {
            return 0;
        }
        if ((size_t)(end - s) <= n)
            return 0;
        for (size_t i = 1; i <= n; i++) {
            if ((s[i] & 0xC0) != 0x80)
                return 0;
            c = (c << 6) | (s[i] & 0x3F);
        }
        if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
            return 0;
        s += n + 1;
    }
    return 1;
}

int ps_parse_double(const char *text, double *value)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (end == text || *end || errno || !isfinite(v))
        return -1;
    *value = v;
    return 0;
}

uint32_t ps_hash(const void *data, size_t length, uint32_t seed)
{
    const unsigned char *bytes = data;
    uint32_t h = 2166136261u ^ seed;
    for (size_t i = 0; i < length; i++)
        h = (h ^ bytes[i]) * 16777619u;
    /* FNV alone clusters on ids that differ only in their last digits. */
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    h *= 0xc2b2ae35u;
    return h ^ (h >> 16);
}
