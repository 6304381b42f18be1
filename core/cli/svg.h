/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A small writer of HTML text and inline SVG charts, into a growing buffer:
 * every text is escaped, every number written with the C locale's point and
 * a fixed number of decimals, so that the same figures give the same page.
 * After an allocation fails the buffer keeps what it had and 'failed' is set;
 * later calls do nothing.
 */
#ifndef PROMSCORE_SVG_H
#define PROMSCORE_SVG_H

#include <stddef.h>

typedef struct svg {
    char *text;
    size_t length, size;
    int failed;
} svg_t;

#define SVG_INIT {NULL, 0, 0, 0}

void svg_free(svg_t *s);

/* Raw markup: the caller's own, never data. */
void svg_raw(svg_t *s, const char *markup);
/* printf-like raw markup; %s arguments are NOT escaped: pass data through svg_text. */
void svg_rawf(svg_t *s, const char *format, ...) __attribute__((format(printf, 2, 3)));
/*
 * Text from data, escaped for HTML and SVG content and attribute values (& < > " '); control
 * characters other than tab and line breaks become spaces, and bidi embedding, override and
 * isolate controls (U+202A-U+202E, U+2066-U+2069) are dropped, so that no name can reorder
 * what is shown with it.
 */
void svg_text(svg_t *s, const char *text);
/* A number with 'decimals' places (0 to 6); "0" for what is not finite. */
void svg_number(svg_t *s, double value, int decimals);

/*
 * A linear map from [d0, d1] to [r0, r1]: a chart's axis. d0 == d1 maps
 * everything to r0.
 */
typedef struct svg_scale {
    double d0, d1, r0, r1;
} svg_scale_t;

double svg_map(const svg_scale_t *scale, double value);

/*
 * Round tick values within [lo, hi]: steps of 1, 2 or 5 times a power of
 * ten, at most 'most' ticks (at least 2). Writes them to ticks and returns how
 * many; *step is the step.
 */
size_t svg_ticks(double lo, double hi, size_t most, double *ticks, double *step);

/*
 * <svg> opening an accessible chart: role="img", labelled by its <title> and
 * described by its <desc> (both escaped), 'id' making their ids unique on the
 * page; width x height in user units, drawn at that size at most.
 */
void svg_begin(svg_t *s, const char *id, double width, double height, const char *title,
               const char *desc);
void svg_end(svg_t *s);

/* Shapes, their class names (from the caller's style sheet) given as they are. */
void svg_rect(svg_t *s, double x, double y, double width, double height, const char *klass);
void svg_line(svg_t *s, double x1, double y1, double x2, double y2, const char *klass);
/* Text at (x, y), anchored "start", "middle" or "end", escaped. */
void svg_label(svg_t *s, double x, double y, const char *anchor, const char *klass,
               const char *text);
/*
 * The same, cut to about 'ems' ems at the label's font size (a rough width, on the wide side)
 * and ended with an ellipsis when it is longer; the whole text is then the label's <title>.
 */
void svg_label_fit(svg_t *s, double x, double y, const char *anchor, const char *klass,
                   const char *text, double ems);

#endif
