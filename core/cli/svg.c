/* SPDX-License-Identifier: GPL-3.0-or-later */
/* HTML text and inline SVG charts into a growing buffer: see svg.h. */
#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "svg.h"

void svg_free(svg_t *s)
{
    free(s->text);
    *s = (svg_t)SVG_INIT;
}

static void append(svg_t *s, const char *data, size_t n)
{
    if (s->failed || !n)
        return;
    if (s->length + n + 1 > s->size) {
        size_t size = s->size ? s->size : 4096;
        while (size < s->length + n + 1)
            size *= 2;
        char *text = realloc(s->text, size);
        if (!text) {
            s->failed = 1;
            return;
        }
        s->text = text;
        s->size = size;
    }
    memcpy(s->text + s->length, data, n);
    s->length += n;
    s->text[s->length] = '\0';
}

void svg_raw(svg_t *s, const char *markup)
{
    append(s, markup, strlen(markup));
}

void svg_rawf(svg_t *s, const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    char *text = NULL;
    int n = vasprintf(&text, format, ap);
    va_end(ap);
    if (n < 0) {
        s->failed = 1;
        return;
    }
    append(s, text, (size_t)n);
    free(text);
}

/* The length of a bidi embedding, override or isolate control at p (U+202A-U+202E,
 * U+2066-U+2069, three bytes of UTF-8), or 0. */
static size_t bidi_control(const char *p)
{
    const unsigned char *u = (const unsigned char *)p;
    if (u[0] != 0xE2)
        return 0;
    if ((u[1] == 0x80 && u[2] >= 0xAA && u[2] <= 0xAE) ||
        (u[1] == 0x81 && u[2] >= 0xA6 && u[2] <= 0xA9))
        return 3;
    return 0;
}

/* The first n bytes of text, escaped. */
static void text_n(svg_t *s, const char *text, size_t n)
{
    const char *run = text, *end = text + n;
    for (const char *p = text; p < end;) {
        const char *entity = NULL;
        size_t length = 1;
        switch (*p) {
        case '&': entity = "&amp;"; break;
        case '<': entity = "&lt;"; break;
        case '>': entity = "&gt;"; break;
        case '"': entity = "&quot;"; break;
        case '\'': entity = "&#39;"; break;
        default:
            /* Control characters other than tab and line breaks are not allowed in HTML. */
            if ((unsigned char)*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r')
                entity = " ";
            /* A bidi control could make a name read otherwise ("rlo" U+202E "gnp.exe" shown
             * as "rloexe.png"), or reorder what follows it: dropped. */
            else if (end - p >= 3 && (length = bidi_control(p)) != 0)
                entity = "";
            else
                length = 1;
            break;
        }
        if (entity) {
            append(s, run, (size_t)(p - run));
            svg_raw(s, entity);
            run = p + length;
        }
        p += length;
    }
    append(s, run, (size_t)(end - run));
}

void svg_text(svg_t *s, const char *text)
{
    if (text)
        text_n(s, text, strlen(text));
}

void svg_number(svg_t *s, double value, int decimals)
{
    char text[64];
    if (!isfinite(value) || fabs(value) > 1e15)
        value = 0;
    decimals = decimals < 0 ? 0 : decimals > 6 ? 6 : decimals;
    int n = snprintf(text, sizeof text, "%.*f", decimals, value);
    /* No "-0": a coordinate rounded to zero is zero. */
    if (n > 1 && text[0] == '-' && strspn(text + 1, "0.") == (size_t)(n - 1))
        append(s, text + 1, (size_t)n - 1);
    else if (n > 0)
        append(s, text, (size_t)n);
}

double svg_map(const svg_scale_t *scale, double value)
{
    if (scale->d1 == scale->d0)
        return scale->r0;
    return scale->r0 + (value - scale->d0) / (scale->d1 - scale->d0) * (scale->r1 - scale->r0);
}

size_t svg_ticks(double lo, double hi, size_t most, double *ticks, double *step)
{
    if (most < 2)
        most = 2;
    if (!isfinite(lo) || !isfinite(hi)) {
        *step = 1;
        ticks[0] = 0;
        return 1;
    }
    if (hi < lo) {
        double t = lo;
        lo = hi;
        hi = t;
    }
    double span = hi - lo;
    if (span <= 0)
        span = fabs(lo) > 0 ? fabs(lo) : 1;
    /* The smallest step of 1, 2 or 5 times a power of ten that needs at most 'most' ticks. */
    double power = pow(10, floor(log10(span / (double)(most - 1))));
    static const double multiples[] = {1, 2, 5, 10, 20};
    double chosen = power * 20;
    for (size_t k = 0; k < sizeof multiples / sizeof multiples[0]; k++) {
        double candidate = power * multiples[k];
        if (floor(hi / candidate) - ceil(lo / candidate) + 1 <= (double)most) {
            chosen = candidate;
            break;
        }
    }
    *step = chosen;
    size_t n = 0;
    for (double k = ceil(lo / chosen - 1e-9); k * chosen <= hi + chosen * 1e-9 && n < most; k++) {
        double v = k * chosen;
        ticks[n++] = fabs(v) < chosen * 1e-9 ? 0 : v;
    }
    return n;
}

void svg_begin(svg_t *s, const char *id, double width, double height, const char *title,
               const char *desc)
{
    svg_raw(s, "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" viewBox=\"0 0 ");
    svg_number(s, width, 0);
    svg_raw(s, " ");
    svg_number(s, height, 0);
    svg_raw(s, "\" width=\"");
    svg_number(s, width, 0);
    svg_raw(s, "\" height=\"");
    svg_number(s, height, 0);
    svg_raw(s, "\" aria-labelledby=\"");
    svg_text(s, id);
    svg_raw(s, "-title ");
    svg_text(s, id);
    svg_raw(s, "-desc\"><title id=\"");
    svg_text(s, id);
    svg_raw(s, "-title\">");
    svg_text(s, title);
    svg_raw(s, "</title><desc id=\"");
    svg_text(s, id);
    svg_raw(s, "-desc\">");
    svg_text(s, desc);
    svg_raw(s, "</desc>\n");
}

void svg_end(svg_t *s)
{
    svg_raw(s, "</svg>\n");
}

static void attribute(svg_t *s, const char *name, double value)
{
    svg_raw(s, " ");
    svg_raw(s, name);
    svg_raw(s, "=\"");
    svg_number(s, value, 1);
    svg_raw(s, "\"");
}

static void klass_attribute(svg_t *s, const char *klass)
{
    if (!klass || !*klass)
        return;
    svg_raw(s, " class=\"");
    svg_text(s, klass);
    svg_raw(s, "\"");
}

void svg_rect(svg_t *s, double x, double y, double width, double height, const char *klass)
{
    /* A negative size is drawn from its other corner: SVG refuses it. */
    if (width < 0) {
        x += width;
        width = -width;
    }
    if (height < 0) {
        y += height;
        height = -height;
    }
    svg_raw(s, "<rect");
    attribute(s, "x", x);
    attribute(s, "y", y);
    attribute(s, "width", width);
    attribute(s, "height", height);
    klass_attribute(s, klass);
    svg_raw(s, "/>\n");
}

void svg_line(svg_t *s, double x1, double y1, double x2, double y2, const char *klass)
{
    svg_raw(s, "<line");
    attribute(s, "x1", x1);
    attribute(s, "y1", y1);
    attribute(s, "x2", x2);
    attribute(s, "y2", y2);
    klass_attribute(s, klass);
    svg_raw(s, "/>\n");
}

static void label_open(svg_t *s, double x, double y, const char *anchor, const char *klass)
{
    svg_raw(s, "<text");
    attribute(s, "x", x);
    attribute(s, "y", y);
    if (anchor && strcmp(anchor, "start") != 0) {
        svg_raw(s, " text-anchor=\"");
        svg_text(s, anchor);
        svg_raw(s, "\"");
    }
    klass_attribute(s, klass);
    svg_raw(s, ">");
}

void svg_label(svg_t *s, double x, double y, const char *anchor, const char *klass,
               const char *text)
{
    label_open(s, x, y, anchor, klass);
    svg_text(s, text);
    svg_raw(s, "</text>\n");
}

/* A character's width in ems, roughly and on the wide side for a sans-serif font: wide (East
 * Asian) characters 1, Latin capitals 0.75, invisible format characters (zero-width spaces and
 * joiners, bidi controls) 0, others 0.6. */
static double character_ems(unsigned long c)
{
    if ((c >= 0x200B && c <= 0x200F) || (c >= 0x202A && c <= 0x202E) ||
        (c >= 0x2060 && c <= 0x206F))
        return 0;
    if (c >= 0x1100 && !(c >= 0x2000 && c < 0x2E80))
        return 1;
    if (c >= 'A' && c <= 'Z')
        return 0.75;
    return 0.6;
}

/* The code point at p (UTF-8) and its length in bytes; a stray byte is read alone. */
static unsigned long code_point(const char *p, size_t *length)
{
    const unsigned char *u = (const unsigned char *)p;
    size_t n = u[0] < 0x80 ? 1 : u[0] >= 0xF0 ? 4 : u[0] >= 0xE0 ? 3 : u[0] >= 0xC0 ? 2 : 1;
    unsigned long c = n == 1 ? u[0] : u[0] & (0x3F >> (n - 1));
    for (size_t i = 1; i < n; i++) {
        if ((u[i] & 0xC0) != 0x80) {
            *length = 1;
            return u[0];
        }
        c = (c << 6) | (u[i] & 0x3F);
    }
    *length = n;
    return c;
}

void svg_label_fit(svg_t *s, double x, double y, const char *anchor, const char *klass,
                   const char *text, double ems)
{
    /* Where the text stops fitting, and where it must stop to leave room for the ellipsis. */
    size_t n = strlen(text), fits = 0, cut = 0;
    double used = 0;
    while (fits < n) {
        size_t length;
        double w = character_ems(code_point(text + fits, &length));
        if (used + w > ems)
            break;
        used += w;
        if (used + 1 <= ems)
            cut = fits + length;
        fits += length;
    }
    if (fits == n) {
        svg_label(s, x, y, anchor, klass, text);
        return;
    }
    label_open(s, x, y, anchor, klass);
    text_n(s, text, cut);
    svg_raw(s, "\xe2\x80\xa6<title>"); /* U+2026 HORIZONTAL ELLIPSIS */
    svg_text(s, text);
    svg_raw(s, "</title></text>\n");
}
