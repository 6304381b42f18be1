/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The page's SVG and HTML writer (core/cli/svg.c), linked alone: escaping of
 * every text from data, numbers as the page writes them, axes and ticks, and
 * the shapes' exact markup.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include <criterion/criterion.h>

#include "cli/svg.h"

Test(svg, text_from_data_is_escaped_for_content_and_attributes)
{
    svg_t s = SVG_INIT;
    svg_text(&s, "<script>alert('x') & \"y\"</script>");
    cr_assert_str_eq(s.text, "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;");
    svg_free(&s);
    svg_text(&s, "caf\xc3\xa9\x01\x1f\ttab\nline");
    cr_assert_str_eq(s.text, "caf\xc3\xa9  \ttab\nline", "UTF-8 kept, control characters blanked");
    svg_free(&s);
    svg_text(&s, NULL);
    svg_text(&s, "");
    cr_assert_null(s.text, "nothing written for no text");
}

Test(svg, numbers_have_a_point_and_fixed_decimals)
{
    svg_t s = SVG_INIT;
    svg_number(&s, 3.14159, 2);
    svg_raw(&s, " ");
    svg_number(&s, -0.04, 1);
    svg_raw(&s, " ");
    svg_number(&s, NAN, 1);
    svg_raw(&s, " ");
    svg_number(&s, INFINITY, 0);
    svg_raw(&s, " ");
    svg_number(&s, -12.5, 9);
    svg_raw(&s, " ");
    svg_number(&s, 1e300, 0);
    cr_assert_str_eq(s.text, "3.14 0.0 0.0 0 -12.500000 0", "no -0, nan, inf or 300 digits");
    svg_free(&s);
}

Test(svg, a_scale_maps_its_domain_linearly)
{
    svg_scale_t x = {0, 10, 100, 200}, down = {0, 50, 300, 100}, flat = {4, 4, 7, 9};
    cr_assert_float_eq(svg_map(&x, 5), 150, 1e-12);
    cr_assert_float_eq(svg_map(&x, -10), 0, 1e-12, "outside the domain, on the same line");
    cr_assert_float_eq(svg_map(&down, 25), 200, 1e-12, "a y axis runs down");
    cr_assert_float_eq(svg_map(&flat, 4), 7, 0, "an empty domain maps to its start");
}

Test(svg, ticks_are_round_and_within_the_range)
{
    double t[16], step;
    size_t n = svg_ticks(-15, 15, 9, t, &step);
    cr_assert_eq(n, 7);
    cr_assert_float_eq(step, 5, 0);
    for (size_t k = 0; k < n; k++)
        cr_assert_float_eq(t[k], -15 + 5.0 * (double)k, 1e-12);
    n = svg_ticks(0, 8.41, 7, t, &step);
    cr_assert_eq(n, 5, "0 2 4 6 8");
    cr_assert_float_eq(step, 2, 0);
    cr_assert_float_eq(t[4], 8, 1e-12);
    n = svg_ticks(0.24, 1.91, 7, t, &step);
    cr_assert_float_eq(step, 0.5, 1e-12, "0.2 would need 8 ticks");
    cr_assert_eq(n, 3);
    cr_assert_float_eq(t[0], 0.5, 1e-12);
    n = svg_ticks(6.17, -0.23, 7, t, &step);
    cr_assert_eq(n, 7, "0 to 6, the ends swapped");
    cr_assert_float_eq(step, 1, 0);
    cr_assert(t[0] == 0 && !signbit(t[0]), "zero is zero, not -0 or 1e-17");
    cr_assert_float_eq(t[6], 6, 1e-12);
    n = svg_ticks(3, 3, 5, t, &step);
    cr_assert_geq(n, 1);
    cr_assert_leq(n, 5);
    n = svg_ticks(NAN, 1, 5, t, &step);
    cr_assert_eq(n, 1);
}

Test(svg, shapes_and_labels_are_exact)
{
    svg_t s = SVG_INIT;
    svg_rect(&s, 10, 5, -4, 3, "bar");
    svg_line(&s, 0, 1.25, 2, 3, NULL);
    svg_label(&s, 1, 2, "middle", "small", "A & B");
    svg_label(&s, 1, 2, "start", NULL, "x");
    cr_assert_str_eq(s.text,
                     "<rect x=\"6.0\" y=\"5.0\" width=\"4.0\" height=\"3.0\" class=\"bar\"/>\n"
                     "<line x1=\"0.0\" y1=\"1.2\" x2=\"2.0\" y2=\"3.0\"/>\n"
                     "<text x=\"1.0\" y=\"2.0\" text-anchor=\"middle\" class=\"small\">A &amp; "
                     "B</text>\n"
                     "<text x=\"1.0\" y=\"2.0\">x</text>\n");
    svg_free(&s);
}

Test(svg, a_chart_is_labelled_by_its_title_and_described)
{
    svg_t s = SVG_INIT;
    svg_begin(&s, "chart1", 640, 200.4, "Mean change: <site>", "3 groups & \"all\"");
    svg_end(&s);
    cr_assert_str_eq(s.text,
                     "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" viewBox=\"0 0 640 200\" "
                     "width=\"640\" height=\"200\" aria-labelledby=\"chart1-title chart1-desc\">"
                     "<title id=\"chart1-title\">Mean change: &lt;site&gt;</title>"
                     "<desc id=\"chart1-desc\">3 groups &amp; &quot;all&quot;</desc>\n</svg>\n");
    svg_rawf(&s, "%d%s", 7, "<b>");
    cr_assert(strstr(s.text, "</svg>\n7<b>"), "raw markup is the caller's, as given");
    svg_free(&s);
}

Test(svg, bidi_controls_are_dropped_from_text)
{
    svg_t s = SVG_INIT;
    /* U+202E RIGHT-TO-LEFT OVERRIDE, U+2066 LEFT-TO-RIGHT ISOLATE, U+202A and U+2069. */
    svg_text(&s, "rlo\xe2\x80\xaegnp.exe \xe2\x81\xa6" "a\xe2\x80\xaa" "b\xe2\x81\xa9");
    cr_assert_str_eq(s.text, "rlognp.exe ab");
    svg_free(&s);
    /* Their neighbours (U+2029, U+202F, U+2065, U+206A) and a cut sequence are kept as they are. */
    svg_text(&s, "\xe2\x80\xa9\xe2\x80\xaf\xe2\x81\xa5\xe2\x81\xaa<\xe2\x80");
    cr_assert_str_eq(s.text, "\xe2\x80\xa9\xe2\x80\xaf\xe2\x81\xa5\xe2\x81\xaa&lt;\xe2\x80");
    svg_free(&s);
}

Test(svg, a_label_too_long_is_cut_with_an_ellipsis_and_titled_whole)
{
    svg_t s = SVG_INIT;
    /* 4.5 ems: 0.6 an em, one left for the ellipsis: 5 characters of 8 lower-case ones. */
    svg_label_fit(&s, 8, 20, "start", NULL, "abcdefgh", 4.5);
    cr_assert_str_eq(s.text, "<text x=\"8.0\" y=\"20.0\">abcde\xe2\x80\xa6<title>abcdefgh</title>"
                             "</text>\n");
    svg_free(&s);
    /* What fits is written as it is. */
    svg_label_fit(&s, 8, 20, "middle", "small", "abcdefgh", 5);
    cr_assert_str_eq(s.text, "<text x=\"8.0\" y=\"20.0\" text-anchor=\"middle\" "
                             "class=\"small\">abcdefgh</text>\n");
    svg_free(&s);
    /* Capitals are wider (0.75), wide characters an em: 2.1 ems, and a fourth character would
     * leave no room for the ellipsis in 4. Cut between characters, escaped. */
    svg_label_fit(&s, 0, 0, "end", NULL, "A&B\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 4);
    cr_assert_str_eq(s.text, "<text x=\"0.0\" y=\"0.0\" text-anchor=\"end\">A&amp;B"
                             "\xe2\x80\xa6<title>A&amp;B\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e"
                             "</title></text>\n");
    svg_free(&s);
    /* A bidi control takes no room, and is dropped from the cut label and its title. */
    svg_label_fit(&s, 0, 0, "start", NULL, "\xe2\x80\xae" "abcdefghij", 5);
    cr_assert_str_eq(s.text, "<text x=\"0.0\" y=\"0.0\">abcdef\xe2\x80\xa6<title>abcdefghij"
                             "</title></text>\n");
    svg_free(&s);
}
