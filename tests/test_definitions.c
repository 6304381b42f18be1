/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Instrument definitions and plugins that must be refused, each with file and line. */
#include "config.h"

#include <iconv.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "helpers.h"

/*
 * A small valid definition. PLUGIN, BEFORE_ROOT, LOOKUP, BANDS and TITLE are
 * replaced by each test; the line numbers in the comments are the file's.
 */
static const char *const base =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"                                       /* 1 */
    "BEFORE_ROOT\n"                                                                      /* 2 */
    "<instrument xmlns=\"urn:promscore:instrument:1\" id=\"tiny\" version=\"1\" "
    "plugin=\"PLUGIN\">\n"                                                               /* 3 */
    "  <title>TITLE</title>\n"                                                           /* 4 */
    "  <notice>Test only.</notice>\n"                                                    /* 5 */
    "  <sources><source id=\"s\">test</source></sources>\n"                              /* 6 */
    "  <responses id=\"r\"><option code=\"0\" label=\"no\"/>"
    "<option code=\"1\" label=\"yes\"/></responses>\n"                                   /* 7 */
    "  <items responses=\"r\"><item id=\"1\" column=\"t1\" label=\"one\"/>"
    "<item id=\"2\" column=\"t2\" label=\"two\"/></items>\n"                             /* 8 */
    "  <scale id=\"sum\" method=\"METHOD\" items=\"1 2\" min=\"0\" max=\"2\" "
    "precision=\"0\">LOOKUP</scale>\n"                                                   /* 9 */
    "  BANDS\n"                                                                          /* 10 */
    "</instrument>\n";

struct edits {
    const char *plugin, *before_root, *title, *method, *lookup, *bands;
};

static char *replace(const char *text, const char *key, const char *value)
{
    const char *at = strstr(text, key);
    cr_assert_not_null(at, "%s", key);
    char *out;
    cr_assert_geq(asprintf(&out, "%.*s%s%s", (int)(at - text), text, value, at + strlen(key)), 0);
    return out;
}

static char *definition_text(struct edits e)
{
    char *s = replace(base, "PLUGIN", e.plugin ? e.plugin : "scale");
    s = replace(s, "BEFORE_ROOT", e.before_root ? e.before_root : "");
    s = replace(s, "TITLE", e.title ? e.title : "Tiny");
    s = replace(s, "METHOD", e.method ? e.method : "sum");
    s = replace(s, "LOOKUP", e.lookup ? e.lookup : "");
    return replace(s, "BANDS", e.bands ? e.bands : "");
}

static char *definition(struct edits e)
{
    return test_file("tiny.xml", definition_text(e), -1);
}

/* Loads a definition into a fresh context; returns the error and keeps the diagnostics. */
static ps_error_t load(struct capture *c, const char *file)
{
    ps_context_t *context;
    cr_assert_eq(ps_context_new(&context), PS_OK);
    test_capture_diagnostics(context, c);
    ps_error_t err = ps_context_load_instrument(context, file, NULL);
    ps_context_free(context);
    return err;
}

static void assert_refused(struct capture *c, ps_error_t got, ps_error_t want, const char *file,
                           unsigned long line, const char *words)
{
    cr_assert_eq(got, want, "got %s, want %s: %s", ps_error_message(got), ps_error_message(want),
                 c->n_diagnostics ? c->diagnostics[0].message : "");
    cr_assert_geq(c->n_diagnostics, 1);
    const struct captured_diagnostic *d = &c->diagnostics[0];
    cr_assert_eq(d->error, want);
    if (file)
        cr_assert_str_eq(d->file, file);
    if (line)
        cr_assert_eq(d->line, line, "line %lu: %s", d->line, d->message);
    cr_assert(strstr(d->message, words), "'%s' not in: %s", words, d->message);
}

Test(definitions, the_base_definition_is_valid)
{
    struct capture c = {0};
    cr_assert_eq(load(&c, definition((struct edits){0})), PS_OK);
    cr_assert_eq(c.n_diagnostics, 0);
}

Test(definitions, shipped_definitions_are_valid)
{
    struct capture c = {0};
    ps_context_t *context = test_context(&c);
    cr_assert_eq(ps_context_instrument_count(context), 6);
    for (const char *const *id = (const char *const[]){"wemwbs", "swemwbs", "ons4", "pam",
                                                        "domains", "goals", NULL};
         *id; id++)
        cr_assert_not_null(ps_context_find_instrument(context, *id), "%s", *id);
    const ps_instrument_t *w = ps_context_find_instrument(context, "wemwbs");
    cr_assert_eq(ps_instrument_item_count(w), 14);
    cr_assert_eq(ps_instrument_scale_count(w), 2);
    double points, sem;
    const ps_scale_t *total = ps_instrument_find_scale(w, "total");
    cr_assert(ps_scale_meaningful_change(total, &points));
    cr_assert_float_eq(points, 3.0, 1e-12);
    /* Jacobson-Truax from SD 8.96 and alpha 0.91: 1.96 * sqrt(2) * SEM = 7.45 points. */
    cr_assert(ps_scale_sem(total, &sem));
    cr_assert_float_eq(1.96 * sqrt(2.0) * sem, 7.45, 0.005);
    ps_context_free(context);
}

Test(definitions, schema_violation_names_file_and_line)
{
    struct capture c = {0};
    char *file = definition((struct edits){.method = "sum\" bogus=\"1"});
    assert_refused(&c, load(&c, file), PS_ERROR_SCHEMA, file, 9, "bogus");
}

Test(definitions, a_dtd_is_refused)
{
    struct capture c = {0};
    char *file = definition((struct edits){.before_root = "<!DOCTYPE instrument [ <!ENTITY t \"x\"> ]>"});
    assert_refused(&c, load(&c, file), PS_ERROR_XML, file, 2, "DTD");
}

Test(definitions, a_local_external_entity_is_refused_unread)
{
    struct capture c = {0};
    char *secret = test_file("secret.txt", "TOP-SECRET-CONTENT", -1);
    char *dtd;
    cr_assert_geq(asprintf(&dtd, "<!DOCTYPE instrument [ <!ENTITY leak SYSTEM \"file://%s\"> ]>",
                           secret), 0);
    char *file = definition((struct edits){.before_root = dtd, .title = "&leak;"});
    ps_error_t err = load(&c, file);
    cr_assert_eq(err, PS_ERROR_XML);
    cr_assert_eq(c.diagnostics[0].line, 2);
    for (size_t i = 0; i < c.n_diagnostics; i++)
        cr_assert_null(strstr(c.diagnostics[i].message, "TOP-SECRET"));
}

Test(definitions, a_network_entity_is_refused)
{
    struct capture c = {0};
    char *file = definition((struct edits){
        .before_root = "<!DOCTYPE instrument [ <!ENTITY net SYSTEM \"http://127.0.0.1:9/x\"> ]>",
        .title = "&net;"});
    assert_refused(&c, load(&c, file), PS_ERROR_XML, file, 2, "");
}

Test(definitions, not_well_formed_xml_names_line)
{
    struct capture c = {0};
    char *file = definition((struct edits){.title = "<b>unclosed"});
    ps_error_t err = load(&c, file);
    cr_assert_eq(err, PS_ERROR_XML);
    cr_assert_geq(c.diagnostics[0].line, 4);
    cr_assert_str_eq(c.diagnostics[0].file, file);
}

Test(definitions, lookup_with_a_gap_is_refused)
{
    struct capture c = {0};
    char *file = definition((struct edits){
        .lookup = "<lookup source=\"s\"><map raw=\"0\" score=\"0\"/><map raw=\"2\" score=\"2\"/></lookup>"});
    assert_refused(&c, load(&c, file), PS_ERROR_DEFINITION, file, 9, "gaps");
}

Test(definitions, overlapping_bands_are_refused)
{
    struct capture c = {0};
    char *file = definition((struct edits){
        .bands = "<bands scale=\"sum\" source=\"s\"><band min=\"0\" max=\"1\" label=\"low\"/>"
                 "<band min=\"1\" max=\"2\" label=\"high\"/></bands>"});
    assert_refused(&c, load(&c, file), PS_ERROR_DEFINITION, file, 10, "overlap");
}

Test(definitions, bands_with_a_gap_are_refused)
{
    struct capture c = {0};
    char *file = definition((struct edits){
        .bands = "<bands scale=\"sum\" source=\"s\"><band min=\"0\" max=\"0\" label=\"low\"/>"
                 "<band min=\"2\" max=\"2\" label=\"high\"/></bands>"});
    assert_refused(&c, load(&c, file), PS_ERROR_DEFINITION, file, 10, "gap");
}

Test(definitions, bands_for_an_unknown_scale_are_refused_by_the_schema)
{
    struct capture c = {0};
    char *file = definition((struct edits){
        .bands = "<bands scale=\"metric\" source=\"s\"><band min=\"0\" max=\"2\" label=\"all\"/></bands>"});
    assert_refused(&c, load(&c, file), PS_ERROR_SCHEMA, file, 10, "");
}

Test(definitions, a_range_the_items_cannot_fit_is_refused_by_the_method)
{
    /* Two items coded 0 or 1 sum to 0-2; a declared maximum of 1 cannot hold that. */
    struct capture c = {0};
    char *file = test_file("narrow.xml",
                           replace(definition_text((struct edits){0}), "max=\"2\"", "max=\"1\""), -1);
    assert_refused(&c, load(&c, file), PS_ERROR_DEFINITION, file, 0, "outside the declared range");
}

Test(definitions, an_unknown_method_is_refused)
{
    struct capture c = {0};
    char *file = definition((struct edits){.method = "median"});
    assert_refused(&c, load(&c, file), PS_ERROR_DEFINITION, file, 0, "no method 'median'");
}

Test(definitions, an_unknown_plugin_is_refused)
{
    struct capture c = {0};
    char *file = definition((struct edits){.plugin = "nosuch"});
    assert_refused(&c, load(&c, file), PS_ERROR_PLUGIN, file, 0, "plugin 'nosuch' not found");
}

/* A threshold of change no change on the scale (0 to 2) could reach, refused at its line. */
Test(definitions, a_threshold_beyond_the_scales_range_is_refused_with_its_line)
{
    static const struct {
        const char *change, *message;
    } unreachable[] = {
        {"<reliable points=\"2.5\" rule=\"at-least\" source=\"s\"/>",
         "reliable change of 2.5 points can never be reached: scale 'sum' runs from 0 to 2, 2 "
         "points apart"},
        {"<reliable points=\"2\" rule=\"more-than\" source=\"s\"/>",
         "reliable change of more than 2 points can never be reached: scale 'sum' runs from 0 to "
         "2, 2 points apart"},
        {"<meaningful points=\"3\" source=\"s\"/>",
         "meaningful change of 3 points can never be reached: scale 'sum' runs from 0 to 2, 2 "
         "points apart"},
        {"<reliable sem=\"1\" source=\"s\"/>",
         "reliable change (1.96 x sqrt(2) x SEM) of more than 2.77186 points can never be "
         "reached: scale 'sum' runs from 0 to 2, 2 points apart"},
    };
    for (size_t i = 0; i < sizeof unreachable / sizeof unreachable[0]; i++) {
        struct capture c = {0};
        char *change;
        cr_assert_geq(asprintf(&change, "<change scale=\"sum\">\n%s</change>",
                               unreachable[i].change),
                      0);
        char *file = definition((struct edits){.bands = change});
        assert_refused(&c, load(&c, file), PS_ERROR_DEFINITION, file, 11, unreachable[i].message);
        cr_assert_str_eq(c.diagnostics[0].message, unreachable[i].message);
        free(change);
        free(file);
    }
    /* Within reach: the whole range at least, or a little less than it. */
    static const char *const reachable[] = {
        "<reliable points=\"2\" rule=\"at-least\" source=\"s\"/>",
        "<reliable points=\"1.9\" rule=\"more-than\" source=\"s\"/>",
        "<meaningful points=\"2\" source=\"s\"/>",
        "<reliable sem=\"0.7\" source=\"s\"/>",
    };
    for (size_t i = 0; i < sizeof reachable / sizeof reachable[0]; i++) {
        struct capture c = {0};
        char *change;
        cr_assert_geq(asprintf(&change, "<change scale=\"sum\">%s</change>", reachable[i]), 0);
        char *file = definition((struct edits){.bands = change});
        cr_assert_eq(load(&c, file), PS_OK, "%s: %s", reachable[i],
                     c.n_diagnostics ? c.diagnostics[0].message : "");
        free(change);
        free(file);
    }
}

Test(definitions, an_instrument_is_found_by_its_id_in_any_case)
{
    struct capture c = {0};
    ps_context_t *context = test_context(&c);
    const ps_instrument_t *w = ps_context_find_instrument(context, "wemwbs");
    cr_assert_not_null(w);
    cr_assert_eq(ps_context_find_instrument(context, "WEMWBS"), w);
    cr_assert_eq(ps_context_find_instrument(context, "WemWBS"), w);
    cr_assert_null(ps_context_find_instrument(context, "wemwbs "));
    cr_assert_null(ps_context_find_instrument(context, "wemwb"));
    ps_context_free(context);
}

Test(definitions, an_oversized_definition_is_refused_before_parsing)
{
    struct capture c = {0};
    size_t size = 5u * 1024 * 1024;
    char *big = malloc(size);
    memset(big, ' ', size);
    memcpy(big, "<?xml version=\"1.0\"?>", 21);
    char *file = test_file("big.xml", big, (long)size);
    assert_refused(&c, load(&c, file), PS_ERROR_LIMIT, file, 0, "limit");
}

/* Attributes a0="0" a1="1" ... on the notice element (line 5). */
static char *many_attributes(size_t n)
{
    size_t size = n * 24 + 32, used = 0;
    char *tag = malloc(size);
    used += (size_t)snprintf(tag, size, "<notice");
    for (size_t i = 0; i < n; i++)
        used += (size_t)snprintf(tag + used, size - used, " a%zu=\"%zu\"", i, i);
    snprintf(tag + used, size - used, ">");
    return replace(definition_text((struct edits){0}), "<notice>", tag);
}

/* libxml2 2.9.14 takes time quadratic in the attributes of one element: counted before parsing. */
Test(definitions, fifty_thousand_attributes_on_one_element_are_refused_before_parsing,
     .timeout = 60)
{
    struct capture c = {0};
    char *file = test_file("wide.xml", many_attributes(50000), -1);
    assert_refused(&c, load(&c, file), PS_ERROR_LIMIT, file, 5,
                   "element <notice> has more than 256 attributes; the limit is 256 attributes "
                   "per element");
    cr_assert_eq(c.diagnostics[0].column, 3);
}

Test(definitions, attributes_up_to_the_limit_reach_the_schema)
{
    struct capture c = {0};
    char *file = test_file("wide.xml", many_attributes(256), -1);
    assert_refused(&c, load(&c, file), PS_ERROR_SCHEMA, file, 5, "a0");
    /* '=' in a quoted value or a comment counts for nothing. */
    char equals[301], *text;
    memset(equals, '=', 300);
    equals[300] = '\0';
    cr_assert_geq(asprintf(&text, "<!-- %s --><notice>", equals), 0);
    char *defined = replace(definition_text((struct edits){0}), "<notice>", text);
    cr_assert_geq(asprintf(&text, "label=\"one %s\"", equals), 0);
    defined = replace(defined, "label=\"one\"", text);
    struct capture d = {0};
    char *file2 = test_file("quoted.xml", defined, -1);
    assert_refused(&d, load(&d, file2), PS_ERROR_SCHEMA, file2, 8, "maxLength");
}

/* ---- Encodings: UTF-8 (or US-ASCII) and UTF-16 only, checked before parsing. ---- */

/* 'text' (UTF-8) in UTF-16, big- or little-endian, with or without a byte-order mark. */
static char *utf16(const char *text, int big, int bom, long *length)
{
    iconv_t cd = iconv_open(big ? "UTF-16BE" : "UTF-16LE", "UTF-8");
    cr_assert_neq(cd, (iconv_t)-1);
    size_t in_left = strlen(text), out_left = in_left * 4 + 2;
    char *out = malloc(out_left), *o = out, *in = (char *)text;
    if (bom) {
        memcpy(o, big ? "\xFE\xFF" : "\xFF\xFE", 2);
        o += 2, out_left -= 2;
    }
    cr_assert_neq(iconv(cd, &in, &in_left, &o, &out_left), (size_t)-1);
    iconv_close(cd);
    *length = (long)(o - out);
    return out;
}

Test(encodings, utf16_definitions_are_read_either_way_round)
{
    char *text = replace(definition_text((struct edits){.title = "Tiny \xC3\xA9t\xC3\xA9"}),
                         "encoding=\"UTF-8\"", "encoding=\"UTF-16\"");
    for (int big = 0; big < 2; big++)
        for (int bom = 0; bom < 2; bom++) {
            long n;
            char *bytes = utf16(text, big, bom, &n);
            struct capture c = {0};
            ps_context_t *context;
            cr_assert_eq(ps_context_new(&context), PS_OK);
            test_capture_diagnostics(context, &c);
            const ps_instrument_t *in = NULL;
            cr_assert_eq(ps_context_load_instrument(context, test_file("tiny.xml", bytes, n), &in),
                         PS_OK, "big %d bom %d: %s", big, bom,
                         c.n_diagnostics ? c.diagnostics[0].message : "");
            cr_assert_str_eq(ps_instrument_title(in), "Tiny \xC3\xA9t\xC3\xA9");
            ps_context_free(context);
        }
}

Test(encodings, other_declared_encodings_are_refused_naming_them)
{
    static const char *const names[] = {"UTF-7", "IBM037", "ISO-8859-1", "windows-1252",
                                        "UTF-32"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        char *declared;
        cr_assert_geq(asprintf(&declared, "encoding='%s'", names[i]), 0);
        struct capture c = {0};
        char *file = test_file("tiny.xml", replace(definition_text((struct edits){0}),
                                                   "encoding=\"UTF-8\"", declared), -1);
        char *words;
        cr_assert_geq(asprintf(&words, "declares encoding \"%s\": definitions, schemas and "
                                       "calibrations must be UTF-8 (or US-ASCII) or UTF-16",
                               names[i]), 0);
        assert_refused(&c, load(&c, file), PS_ERROR_XML, file, 1, words);
    }
}

/* libxml2 would decode these and parse 100,000 attributes the pre-scan never counted. */
Test(encodings, a_wide_element_in_another_encoding_is_refused_before_parsing, .timeout = 60)
{
    char *text = many_attributes(100000);
    struct capture c = {0};
    char *file = test_file("wide.xml", replace(text, "encoding=\"UTF-8\"", "encoding=\"UTF-7\""),
                           -1);
    assert_refused(&c, load(&c, file), PS_ERROR_XML, file, 1, "declares encoding \"UTF-7\"");
    /* EBCDIC and UCS-4 are told by their first bytes, declared or not. */
    struct capture d = {0};
    char *ebcdic = test_file("ebcdic.xml", "\x4C\x6F\xA7\x94\x93\x40", 6);
    assert_refused(&d, load(&d, ebcdic), PS_ERROR_XML, ebcdic, 1, "written in EBCDIC");
    struct capture e = {0};
    char *ucs4 = test_file("ucs4.xml", "\0\0\0<\0\0\0?", 8);
    assert_refused(&e, load(&e, ucs4), PS_ERROR_XML, ucs4, 1, "written in UCS-4 (UTF-32)");
}

Test(encodings, bytes_that_are_neither_utf8_nor_utf16_are_refused_with_their_line)
{
    struct capture c = {0};
    char *file = definition((struct edits){.title = "Tiny \xE9t\xE9"}); /* Latin-1 */
    assert_refused(&c, load(&c, file), PS_ERROR_XML, file, 4,
                   "is neither UTF-8 nor UTF-16: line 4 holds a byte that is not UTF-8");
    /* A lone surrogate in UTF-16. */
    long n;
    char *bytes = utf16(definition_text((struct edits){.title = "XX"}), 0, 1, &n);
    char *at = memmem(bytes, (size_t)n, "X\0X\0", 4);
    cr_assert_not_null(at);
    memcpy(at, "\x00\xD8", 2);
    struct capture d = {0};
    char *file16 = test_file("tiny.xml", bytes, n);
    assert_refused(&d, load(&d, file16), PS_ERROR_XML, file16, 0,
                   "is neither UTF-8 nor UTF-16");
}

Test(encodings, a_declaration_that_does_not_match_the_bytes_is_refused)
{
    struct capture c = {0};
    char *file = test_file("tiny.xml", replace(definition_text((struct edits){0}),
                                               "encoding=\"UTF-8\"", "encoding=\"UTF-16\""),
                           -1);
    assert_refused(&c, load(&c, file), PS_ERROR_XML, file, 1,
                   "declares encoding \"UTF-16\" but is written in UTF-8");
    struct capture d = {0};
    char *ascii = definition((struct edits){.title = "Tiny \xC3\xA9t\xC3\xA9"});
    char *text = test_slurp(ascii);
    ascii = test_file("tiny.xml", replace(text, "encoding=\"UTF-8\"", "encoding=\"US-ASCII\""),
                      -1);
    assert_refused(&d, load(&d, ascii), PS_ERROR_XML, ascii, 4,
                   "declares encoding \"US-ASCII\" but holds a character that is not ASCII");
}

/* The attribute limit reads UTF-16 as text: the element's name, its column in characters. */
Test(encodings, the_attribute_limit_names_the_element_of_a_utf16_definition)
{
    long n;
    char *text = replace(many_attributes(300), "encoding=\"UTF-8\"", "encoding=\"UTF-16\"");
    char *bytes = utf16(text, 1, 1, &n);
    struct capture c = {0};
    char *file = test_file("wide.xml", bytes, n);
    assert_refused(&c, load(&c, file), PS_ERROR_LIMIT, file, 5,
                   "element <notice> has more than 256 attributes");
    cr_assert_eq(c.diagnostics[0].column, 3);
}

/* ---- Numbers: finite and at most 1e9 in magnitude, wherever they stand. ---- */

/* The base definition with a parameter, a lookup, bands and change thresholds; 'where'
 * names the number under test (MIN: the scale's min and max, 'value' the attributes). */
static char *with_number(const char *where, const char *value)
{
    struct edits e = {0};
    const char *lookup = "<lookup source=\"s\"><map raw=\"0\" score=\"L0\"/><map raw=\"1\" "
                         "score=\"1\"/><map raw=\"2\" score=\"2\"/></lookup>";
    const char *bands = "<bands scale=\"sum\" source=\"s\"><band min=\"0\" max=\"B0\" "
                        "label=\"low\"/><band min=\"1\" max=\"2\" label=\"high\"/></bands>"
                        "<change scale=\"sum\"><meaningful points=\"MC\" source=\"s\"/>"
                        "<reliable sem=\"SEM\" source=\"s\"/></change>";
    e.lookup = lookup;
    e.bands = bands;
    char *text = replace(definition_text(e), "</sources>",
                         "</sources><parameter name=\"p\" value=\"PAR\" source=\"s\"/>");
    static const char *const keys[] = {"L0", "B0", "MC", "SEM", "PAR"};
    static const char *const plain[] = {"0", "0", "1", "0.5", "0.5"};
    for (size_t i = 0; i < 5; i++)
        text = replace(text, keys[i], strcmp(where, keys[i]) == 0 ? value : plain[i]);
    if (strcmp(where, "MIN") == 0)
        text = replace(text, "min=\"0\" max=\"2\"", value);
    return text;
}

static const char *const absurd[] = {"NaN", "INF", "-INF", "1e308", "-1e308", "1e10", "1000000001"};

Test(definitions, the_numbered_base_definition_is_valid)
{
    struct capture c = {0};
    char *file = test_file("numbers.xml", with_number("none", ""), -1);
    cr_assert_eq(load(&c, file), PS_OK, "%s", c.n_diagnostics ? c.diagnostics[0].message : "");
}

/* The schema's number type: xs:double without INF, NaN or magnitudes past 1e9. */
Test(definitions, non_finite_or_absurd_numbers_are_refused_by_the_schema)
{
    static const char *const places[] = {"L0", "B0", "MC", "SEM", "PAR"};
    static const unsigned long lines[] = {9, 10, 10, 10, 6};
    for (size_t p = 0; p < 5; p++)
        for (size_t v = 0; v < sizeof absurd / sizeof *absurd; v++) {
            struct capture c = {0};
            char *file = test_file("numbers.xml", with_number(places[p], absurd[v]), -1);
            cr_assert_eq(load(&c, file), PS_ERROR_SCHEMA, "%s=%s", places[p], absurd[v]);
            cr_assert_eq(c.diagnostics[0].line, lines[p], "%s", c.diagnostics[0].message);
            cr_assert(strstr(c.diagnostics[0].message, "allowed ('1e9')") ||
                          strstr(c.diagnostics[0].message, "allowed ('-1e9')"),
                      "%s=%s: %s", places[p], absurd[v], c.diagnostics[0].message);
        }
    const char *ranges[] = {"min=\"-1e308\" max=\"1e308\"", "min=\"0\" max=\"INF\""};
    for (size_t i = 0; i < 2; i++) {
        struct capture c = {0};
        char *file = test_file("numbers.xml", with_number("MIN", ranges[i]), -1);
        assert_refused(&c, load(&c, file), PS_ERROR_SCHEMA, file, 9, "1e9");
    }
}

/* The loader checks the same limit itself: a schema directory is the user's to choose. */
Test(definitions, non_finite_or_absurd_numbers_are_refused_under_a_permissive_schema)
{
    char *xsd_path;
    cr_assert_geq(asprintf(&xsd_path, "%s/schemas/instrument.xsd", getenv("PROMSCORE_SOURCE_DIR")), 0);
    char *xsd = test_slurp(xsd_path);
    cr_assert_not_null(xsd);
    xsd = replace(xsd, "<xs:minInclusive value=\"-1e9\"/>", "");
    xsd = replace(xsd, "<xs:maxInclusive value=\"1e9\"/>", "");
    char *schema_dir = test_file("instrument.xsd", xsd, -1);
    *strrchr(schema_dir, '/') = '\0';
    static const char *const places[] = {"L0", "B0", "MC", "SEM", "PAR", "MIN"};
    static const unsigned long lines[] = {9, 10, 10, 10, 6, 9};
    for (size_t p = 0; p < 6; p++)
        for (size_t v = 0; v < sizeof absurd / sizeof *absurd; v++) {
            char *value = (char *)absurd[v];
            if (strcmp(places[p], "MIN") == 0)
                cr_assert_geq(asprintf(&value, "min=\"0\" max=\"%s\"", absurd[v]), 0);
            struct capture c = {0};
            ps_context_t *context;
            cr_assert_eq(ps_context_new(&context), PS_OK);
            test_capture_diagnostics(context, &c);
            cr_assert_eq(ps_context_set_schema_dir(context, schema_dir), PS_OK);
            char *file = test_file("numbers.xml", with_number(places[p], value), -1);
            ps_error_t err = ps_context_load_instrument(context, file, NULL);
            ps_context_free(context);
            const char *words = isfinite(strtod(absurd[v], NULL))
                                    ? "is beyond the limit: numbers in a definition are at most "
                                      "1e9 in magnitude"
                                    : "is not a finite number";
            assert_refused(&c, err, PS_ERROR_DEFINITION, file, lines[p], words);
        }
}

/* The shipped schema with every number a plain string: only the loader reads them. */
static char *string_schema_dir(void)
{
    char *xsd_path;
    cr_assert_geq(asprintf(&xsd_path, "%s/schemas/instrument.xsd", getenv("PROMSCORE_SOURCE_DIR")), 0);
    char *xsd = test_slurp(xsd_path);
    cr_assert_not_null(xsd);
    xsd = replace(xsd, "<xs:restriction base=\"xs:double\">", "<xs:restriction base=\"xs:string\">");
    xsd = replace(xsd, "<xs:minInclusive value=\"-1e9\"/>", "");
    xsd = replace(xsd, "<xs:maxInclusive value=\"1e9\"/>", "");
    xsd = replace(xsd, "name=\"raw\" type=\"xs:integer\"", "name=\"raw\" type=\"xs:string\"");
    xsd = replace(xsd, "name=\"max-missing\" type=\"xs:nonNegativeInteger\"",
                  "name=\"max-missing\" type=\"xs:string\"");
    xsd = replace(xsd, "<xs:field xpath=\"@raw\"/>", "<xs:field xpath=\"@score\"/>");
    char *dir = test_file("instrument.xsd", xsd, -1);
    *strrchr(dir, '/') = '\0';
    return dir;
}

static ps_error_t load_with_schema(struct capture *c, const char *schema_dir, const char *file)
{
    ps_context_t *context;
    cr_assert_eq(ps_context_new(&context), PS_OK);
    test_capture_diagnostics(context, c);
    cr_assert_eq(ps_context_set_schema_dir(context, schema_dir), PS_OK);
    ps_error_t err = ps_context_load_instrument(context, file, NULL);
    ps_context_free(context);
    return err;
}

/* Hex, junk before or after, inner spaces: refused by the loader, saying what is wrong. */
Test(definitions, numbers_are_read_strictly_whatever_the_schema)
{
    char *dir = string_schema_dir();
    static const struct {
        const char *where, *value, *message;
        unsigned long line;
    } cases[] = {
        {"PAR", "0x10", "attribute value=\"0x10\" is not a decimal number", 6},
        {"PAR", "12abc", "attribute value=\"12abc\" is not a decimal number", 6},
        {"PAR", "1 2", "attribute value=\"1 2\" is not a decimal number", 6},
        {"PAR", "1e", "attribute value=\"1e\" is not a decimal number", 6},
        {"PAR", ".", "attribute value=\".\" is not a decimal number", 6},
        {"PAR", "", "attribute value=\"\" is empty", 6},
        {"PAR", "NaN", "attribute value=\"NaN\" is not a finite number", 6},
        {"PAR", "inf", "attribute value=\"inf\" is not a decimal number", 6},
        {"L0", "0x0", "attribute score=\"0x0\" is not a decimal number", 9},
        {"SEM", "1e400", "attribute sem=\"1e400\" is beyond the limit", 10},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct capture c = {0};
        char *file = test_file("numbers.xml", with_number(cases[i].where, cases[i].value), -1);
        assert_refused(&c, load_with_schema(&c, dir, file), PS_ERROR_DEFINITION, file,
                       cases[i].line, cases[i].message);
    }
}

/* A lookup's raw is a whole number: no INF, NaN, empty, 0abc, 0x0, 1.5 or 1e308 read as another. */
Test(definitions, lookup_raws_are_whole_numbers_whatever_the_schema)
{
    char *dir = string_schema_dir();
    static const char *const raws[] = {"INF", "NaN", "", "0abc", "0x0", "1.5", "1e308", "1e0"};
    for (size_t i = 0; i < sizeof raws / sizeof *raws; i++) {
        struct capture c = {0};
        char *text = replace(with_number("none", ""), "<map raw=\"0\"", "<map raw=\"RAW\"");
        char *file = test_file("numbers.xml", replace(text, "RAW", raws[i]), -1);
        char *words;
        cr_assert_geq(asprintf(&words, "attribute raw=\"%s\" %s", raws[i],
                               raws[i][0] ? "is not a whole number" : "is empty"), 0);
        assert_refused(&c, load_with_schema(&c, dir, file), PS_ERROR_DEFINITION, file, 9, words);
    }
    struct capture c = {0};
    char *text = replace(with_number("none", ""), "<map raw=\"0\"", "<map raw=\"-10000000000\"");
    char *file = test_file("numbers.xml", text, -1);
    assert_refused(&c, load_with_schema(&c, dir, file), PS_ERROR_DEFINITION, file, 9,
                   "attribute raw=\"-10000000000\" is beyond the limit");
    /* A raw given twice, the count right: another is missing, never scored as 0. */
    struct capture d = {0};
    text = replace(with_number("none", ""), "<map raw=\"2\"", "<map raw=\"1\"");
    text = replace(text, "</lookup>", "<map raw=\"3\" score=\"3\"/></lookup>");
    text = replace(text, "max=\"2\" precision", "max=\"3\" precision");
    file = test_file("numbers.xml", text, -1);
    assert_refused(&d, load_with_schema(&d, dir, file), PS_ERROR_DEFINITION, file, 9,
                   "lookup of scale 'sum' gives raw 1 twice");
}

Test(definitions, max_missing_and_numeric_codes_are_read_strictly_whatever_the_schema)
{
    char *dir = string_schema_dir();
    char *base_text = replace(definition_text((struct edits){.lookup = "MISSING"}), "MISSING",
                              "<missing rule=\"at-most\" max-missing=\"N\" source=\"s\"/>");
    static const char *const counts[] = {"0x1", "1.0", "1e0", "+1 x"};
    for (size_t i = 0; i < sizeof counts / sizeof *counts; i++) {
        char *quoted;
        cr_assert_geq(asprintf(&quoted, "\"%s\"", counts[i]), 0);
        struct capture c = {0};
        char *file = test_file("tiny.xml", replace(base_text, "\"N\"", quoted), -1);
        char *words;
        cr_assert_geq(asprintf(&words, "attribute max-missing=\"%s\" is not a whole number",
                               counts[i]), 0);
        assert_refused(&c, load_with_schema(&c, dir, file), PS_ERROR_DEFINITION, file, 9, words);
    }
    struct capture ok = {0};
    char *file = test_file("tiny.xml", replace(base_text, "\"N\"", "\" 1 \""), -1);
    cr_assert_eq(load_with_schema(&ok, dir, file), PS_OK, "%s",
                 ok.n_diagnostics ? ok.diagnostics[0].message : "");
    /* A code read as its value: decimal only. */
    struct capture c = {0};
    file = test_file("tiny.xml", replace(definition_text((struct edits){0}), "<option code=\"1\"",
                                         "<option code=\"0x1\""),
                     -1);
    assert_refused(&c, load(&c, file), PS_ERROR_DEFINITION, file, 7,
                   "response '0x1' has no value: give value=\"...\" or a decimal number as its code");
}

/* What xs:double accepts the loader accepts: white space around a value, tiny magnitudes. */
Test(definitions, numbers_valid_as_xs_double_are_accepted)
{
    static const struct {
        const char *where, *value;
    } cases[] = {{"PAR", " 1E9 "}, {"PAR", "\t-1e9\n"}, {"PAR", "1e-400"}, {"SEM", "+.5"},
                 {"MC", "1."}, {"PAR", "-0"}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct capture c = {0};
        char *file = test_file("numbers.xml", with_number(cases[i].where, cases[i].value), -1);
        cr_assert_eq(load(&c, file), PS_OK, "%s=\"%s\": %s", cases[i].where, cases[i].value,
                     c.n_diagnostics ? c.diagnostics[0].message : "");
    }
}

/* Decimal places index tables of seven: the loader holds them to 0-6 whatever the schema. */
Test(definitions, decimal_places_past_six_are_refused_under_a_permissive_schema)
{
    char *xsd_path;
    cr_assert_geq(asprintf(&xsd_path, "%s/schemas/instrument.xsd", getenv("PROMSCORE_SOURCE_DIR")), 0);
    char *xsd = test_slurp(xsd_path);
    cr_assert_not_null(xsd);
    while (strstr(xsd, "<xs:maxInclusive value=\"6\"/>"))
        xsd = replace(xsd, "<xs:maxInclusive value=\"6\"/>", "");
    char *schema_dir = test_file("instrument.xsd", xsd, -1);
    *strrchr(schema_dir, '/') = '\0';
    static const char *const cases[] = {"precision=\"0\"", "precision=\"1000000\"",
                                        "precision=\" +2 \"", NULL};
    for (size_t i = 1; cases[i]; i++) {
        struct capture c = {0};
        ps_context_t *context;
        cr_assert_eq(ps_context_new(&context), PS_OK);
        test_capture_diagnostics(context, &c);
        cr_assert_eq(ps_context_set_schema_dir(context, schema_dir), PS_OK);
        char *file = test_file("places.xml",
                               replace(definition_text((struct edits){0}), cases[0], cases[i]), -1);
        ps_error_t err = ps_context_load_instrument(context, file, NULL);
        ps_context_free(context);
        if (i == 1)
            assert_refused(&c, err, PS_ERROR_DEFINITION, file, 9,
                           "precision=\"1000000\" is not a number of decimal places from 0 to 6");
        else
            cr_assert_eq(err, PS_OK, "%s", c.n_diagnostics ? c.diagnostics[0].message : "");
    }
}

Test(definitions, an_absurd_numeric_response_code_is_refused)
{
    struct capture c = {0};
    char *file = test_file("tiny.xml", replace(definition_text((struct edits){0}),
                                               "<option code=\"1\"", "<option code=\"1e300\""),
                           -1);
    assert_refused(&c, load(&c, file), PS_ERROR_DEFINITION, file, 7,
                   "response code \"1e300\" is beyond the limit");
}

Test(definitions, two_definitions_with_one_id_are_refused)
{
    struct capture c = {0};
    ps_context_t *context = test_context(&c);
    char *file = test_file("again.xml",
                           replace(definition_text((struct edits){0}), "id=\"tiny\"", "id=\"wemwbs\""), -1);
    cr_assert_eq(ps_context_load_instrument(context, file, NULL), PS_ERROR_DEFINITION);
    cr_assert(strstr(c.diagnostics[0].message, "already defined"));
    ps_context_free(context);
}

/* ---- Plugins. ---- */

Test(plugins, a_plugin_for_another_major_abi_is_refused_with_both_versions)
{
    struct capture c = {0};
    char *file = definition((struct edits){.plugin = "bad_abi"});
    ps_error_t err = load(&c, file);
    cr_assert_eq(err, PS_ERROR_ABI);
    char theirs[32], ours[32];
    snprintf(theirs, sizeof theirs, "ABI %d.0", PS_PLUGIN_ABI_MAJOR + 1);
    snprintf(ours, sizeof ours, "%d.%d", PS_PLUGIN_ABI_MAJOR, PS_PLUGIN_ABI_MINOR);
    cr_assert(strstr(c.diagnostics[0].message, theirs), "%s", c.diagnostics[0].message);
    cr_assert(strstr(c.diagnostics[0].message, ours), "%s", c.diagnostics[0].message);
    cr_assert(strstr(c.diagnostics[0].file, "tests/plugins/.libs/bad_abi.so"), "%s",
              c.diagnostics[0].file);
}

Test(plugins, a_plugin_for_a_newer_minor_abi_is_refused)
{
    struct capture c = {0};
    char *file = definition((struct edits){.plugin = "newer_minor"});
    cr_assert_eq(load(&c, file), PS_ERROR_ABI);
    char theirs[32];
    snprintf(theirs, sizeof theirs, "ABI %d.%d", PS_PLUGIN_ABI_MAJOR, PS_PLUGIN_ABI_MINOR + 1);
    cr_assert(strstr(c.diagnostics[0].message, theirs), "%s", c.diagnostics[0].message);
}

Test(plugins, a_module_without_the_entry_point_is_refused)
{
    struct capture c = {0};
    char *file = definition((struct edits){.plugin = "no_entry"});
    cr_assert_eq(load(&c, file), PS_ERROR_PLUGIN);
    cr_assert(strstr(c.diagnostics[0].message, "no promscore_plugin() entry point"), "%s",
              c.diagnostics[0].message);
    /* The file opened, with its extension: an uninstalled build's .libs/NAME.so. */
    const char *at = strstr(c.diagnostics[0].file, "/tests/plugins/.libs/no_entry.so");
    cr_assert(at && !at[strlen("/tests/plugins/.libs/no_entry.so")], "%s", c.diagnostics[0].file);
}

Test(plugins, a_file_that_is_not_a_shared_object_is_refused)
{
    struct capture c = {0};
    char *file = definition((struct edits){.plugin = "garbage"});
    ps_context_t *context;
    cr_assert_eq(ps_context_new(&context), PS_OK);
    test_capture_diagnostics(context, &c);
    cr_assert_eq(ps_context_set_plugin_path(context, test_data("plugins")), PS_OK);
    cr_assert_eq(ps_context_load_instrument(context, file, NULL), PS_ERROR_PLUGIN);
    cr_assert(strstr(c.diagnostics[0].message, "cannot load plugin 'garbage'"), "%s",
              c.diagnostics[0].message);
    ps_context_free(context);
}

Test(plugins, a_relative_plugin_path_is_refused)
{
    struct capture c = {0};
    char *file = definition((struct edits){0});
    ps_context_t *context;
    cr_assert_eq(ps_context_new(&context), PS_OK);
    test_capture_diagnostics(context, &c);
    cr_assert_eq(ps_context_set_plugin_path(context, "plugins/scale"), PS_OK);
    cr_assert_eq(ps_context_load_instrument(context, file, NULL), PS_ERROR_PLUGIN);
    cr_assert(strstr(c.diagnostics[0].message, "absolute"));
    ps_context_free(context);
}

Test(plugins, a_missing_plugin_directory_is_named)
{
    struct capture c = {0};
    char *file = definition((struct edits){0});
    ps_context_t *context;
    cr_assert_eq(ps_context_new(&context), PS_OK);
    test_capture_diagnostics(context, &c);
    cr_assert_eq(ps_context_set_plugin_path(context, "/nonexistent/promscore/plugins"), PS_OK);
    cr_assert_eq(ps_context_load_instrument(context, file, NULL), PS_ERROR_PLUGIN);
    cr_assert(strstr(c.diagnostics[0].message, "/nonexistent/promscore/plugins"));
    ps_context_free(context);
}

/* A copy of the template plugin alone in a fresh directory; returns the directory. */
static char *plugin_copy(void)
{
    const char *path = getenv("PROMSCORE_PLUGIN_PATH");
    cr_assert_not_null(path);
    const char *at = strstr(path, "/plugins/template");
    cr_assert_not_null(at);
    char *so;
    cr_assert_geq(asprintf(&so, "%.*s/plugins/template/.libs/template.so", (int)(at - path), path), 0);
    const char *start = so;
    for (const char *p = so; p < so + (at - path); p++)
        if (*p == ':')
            start = p + 1;
    FILE *f = fopen(start, "rb");
    cr_assert_not_null(f, "%s", start);
    struct stat st;
    cr_assert_eq(fstat(fileno(f), &st), 0);
    char *bytes = malloc((size_t)st.st_size);
    size_t n = fread(bytes, 1, (size_t)st.st_size, f);
    fclose(f);
    cr_assert_eq(n, (size_t)st.st_size);
    cr_assert_gt(n, 0);
    char *copy = test_file("template.so", bytes, (long)n);
    cr_assert_eq(chmod(copy, 0755), 0);
    *strrchr(copy, '/') = '\0';
    cr_assert_eq(chmod(copy, 0755), 0);
    return copy;
}

/* Loads the template's definition with 'dir' first in the plugin path. */
static ps_error_t load_template(struct capture *c, const char *dir)
{
    ps_context_t *context;
    cr_assert_eq(ps_context_new(&context), PS_OK);
    test_capture_diagnostics(context, c);
    char *path;
    cr_assert_geq(asprintf(&path, "%s:%s", dir, getenv("PROMSCORE_PLUGIN_PATH")), 0);
    cr_assert_eq(ps_context_set_plugin_path(context, path), PS_OK);
    char *definition;
    cr_assert_geq(asprintf(&definition, "%s/plugins/template/template.xml",
                           getenv("PROMSCORE_SOURCE_DIR")), 0);
    ps_error_t err = ps_context_load_instrument(context, definition, NULL);
    ps_context_free(context);
    return err;
}

Test(plugins, a_plugin_in_a_world_writable_directory_is_refused)
{
    char *dir = plugin_copy();
    struct capture ok = {0};
    cr_assert_eq(load_template(&ok, dir), PS_OK, "%s",
                 ok.n_diagnostics ? ok.diagnostics[0].message : "");
    cr_assert_eq(chmod(dir, 0775), 0);
    cr_assert_eq(load_template(&ok, dir), PS_OK, "a group-writable directory is accepted");
    static const mode_t refused[] = {0777, 01777, 0757};
    for (size_t i = 0; i < 3; i++) {
        struct capture c = {0};
        cr_assert_eq(chmod(dir, refused[i]), 0);
        cr_assert_eq(load_template(&c, dir), PS_ERROR_PLUGIN, "mode %o", refused[i]);
        cr_assert_str_eq(c.diagnostics[0].file, dir);
        cr_assert(strstr(c.diagnostics[0].message, "plugin 'template'"), "%s",
                  c.diagnostics[0].message);
        cr_assert(strstr(c.diagnostics[0].message, "directory is writable by anyone"), "%s",
                  c.diagnostics[0].message);
    }
    cr_assert_eq(chmod(dir, 0755), 0);
}

Test(plugins, a_world_writable_plugin_file_is_refused)
{
    char *dir = plugin_copy(), *so;
    cr_assert_geq(asprintf(&so, "%s/template.so", dir), 0);
    cr_assert_eq(chmod(so, 0777), 0);
    struct capture c = {0};
    cr_assert_eq(load_template(&c, dir), PS_ERROR_PLUGIN);
    cr_assert_str_eq(c.diagnostics[0].file, so);
    cr_assert(strstr(c.diagnostics[0].message, "file is writable by anyone (mode 0777)"), "%s",
                  c.diagnostics[0].message);
}

/* A directory with 'mode' in a fresh private directory; returns its path. */
static char *directory(const char *parent, const char *name, mode_t mode)
{
    char *path;
    if (parent) {
        cr_assert_geq(asprintf(&path, "%s/%s", parent, name), 0);
    } else {
        path = test_path(name);
    }
    cr_assert_eq(mkdir(path, 0700), 0, "%s", path);
    cr_assert_eq(chmod(path, mode), 0);
    return path;
}

/* The template's shared object copied to 'path' with 'mode'. */
static void copy_template(const char *path, mode_t mode)
{
    char *dir = plugin_copy(), *so;
    cr_assert_geq(asprintf(&so, "%s/template.so", dir), 0);
    cr_assert_eq(rename(so, path), 0, "%s", path);
    cr_assert_eq(chmod(path, mode), 0);
}

/*
 * A .la can send libltdl anywhere (dlname='../wwx/template.so'): it is never
 * read. A directory with only the .la is refused; a link from the checked
 * directory is followed and the file it reaches checked, with its directory.
 */
Test(plugins, a_la_file_never_sends_the_loader_outside_the_checked_directory)
{
    char *top = directory(NULL, "top", 0700), *plug = directory(top, "plug", 0755),
         *open_dir = directory(top, "wwx", 0777), *evil;
    cr_assert_geq(asprintf(&evil, "%s/template.so", open_dir), 0);
    copy_template(evil, 0777);
    char *la;
    cr_assert_geq(asprintf(&la, "%s/template.la", plug), 0);
    FILE *f = fopen(la, "w");
    cr_assert_not_null(f);
    fprintf(f, "# template.la - a libtool library file\ndlname='../wwx/template.so'\n"
               "library_names='template.so'\nold_library=''\ninstalled=no\nlibdir='%s'\n",
            open_dir);
    cr_assert_eq(fclose(f), 0);
    struct capture c = {0};
    cr_assert_eq(load_template(&c, plug), PS_ERROR_PLUGIN, "the .la was followed");
    cr_assert_str_eq(c.diagnostics[0].file, la);
    cr_assert(strstr(c.diagnostics[0].message, "no template.so or .libs/template.so beside its .la"),
              "%s", c.diagnostics[0].message);
    /* .libs/template.so a link to the world-writable file: the file reached is refused. */
    char *libs = directory(plug, ".libs", 0755), *link;
    cr_assert_geq(asprintf(&link, "%s/template.so", libs), 0);
    cr_assert_eq(symlink(evil, link), 0);
    struct capture d = {0};
    cr_assert_eq(load_template(&d, plug), PS_ERROR_PLUGIN);
    cr_assert_str_eq(d.diagnostics[0].file, evil);
    cr_assert(strstr(d.diagnostics[0].message, "file is writable by anyone (mode 0777)"), "%s",
              d.diagnostics[0].message);
    /* The file kept to itself, its directory still open to anyone. */
    cr_assert_eq(chmod(evil, 0755), 0);
    struct capture e = {0};
    cr_assert_eq(load_template(&e, plug), PS_ERROR_PLUGIN);
    cr_assert_str_eq(e.diagnostics[0].file, open_dir);
    cr_assert(strstr(e.diagnostics[0].message, "directory is writable by anyone (mode 0777)"),
              "%s", e.diagnostics[0].message);
    /* Both closed: the linked file is the one loaded. */
    cr_assert_eq(chmod(open_dir, 0755), 0);
    struct capture ok = {0};
    cr_assert_eq(load_template(&ok, plug), PS_OK, "%s",
                 ok.n_diagnostics ? ok.diagnostics[0].message : "");
}

/* Anyone who can rename a directory above the plugin's can put their own in its place. */
Test(plugins, a_plugin_below_a_world_writable_directory_is_refused)
{
    char *top = directory(NULL, "top", 0700), *open_dir = directory(top, "open", 0777),
         *plug = directory(open_dir, "plug", 0755), *so;
    cr_assert_geq(asprintf(&so, "%s/template.so", plug), 0);
    copy_template(so, 0755);
    struct capture c = {0};
    cr_assert_eq(load_template(&c, plug), PS_ERROR_PLUGIN);
    cr_assert_str_eq(c.diagnostics[0].file, open_dir);
    cr_assert(strstr(c.diagnostics[0].message,
                     "plugin 'template' (for "), "%s", c.diagnostics[0].message);
    cr_assert(strstr(c.diagnostics[0].message,
                     "refused: this directory above it is writable by anyone (mode 0777), so "
                     "anyone could move the plugin's directory away"),
              "%s", c.diagnostics[0].message);
    /* Sticky and owned by root, as /tmp is: only root and each entry's owner may rename. */
    cr_assert_eq(chmod(open_dir, 01777), 0);
    struct capture ok = {0};
    if (geteuid() == 0) {
        cr_assert_eq(load_template(&ok, plug), PS_OK, "%s",
                     ok.n_diagnostics ? ok.diagnostics[0].message : "");
        /* Sticky but owned by someone else: that owner may rename anything in it. */
        cr_assert_eq(chown(open_dir, 65534, 65534), 0);
        struct capture d = {0};
        cr_assert_eq(load_template(&d, plug), PS_ERROR_PLUGIN);
        cr_assert_str_eq(d.diagnostics[0].file, open_dir);
        cr_assert(strstr(d.diagnostics[0].message, "(mode 1777)"), "%s",
                  d.diagnostics[0].message);
    } else {
        cr_assert_eq(load_template(&ok, plug), PS_ERROR_PLUGIN, "sticky, not owned by root");
    }
    /* Group-writable directories above are accepted, as shared installations need. */
    cr_assert_eq(chmod(open_dir, 0775), 0);
    struct capture g = {0};
    cr_assert_eq(load_template(&g, plug), PS_OK, "%s",
                 g.n_diagnostics ? g.diagnostics[0].message : "");
}

/* A plugin, or its directory, that belongs to another user: that user could change the code. */
Test(plugins, a_plugin_another_user_owns_is_refused)
{
    if (geteuid() != 0)
        cr_skip_test("changing a file's owner needs root");
    char *top = directory(NULL, "top", 0755), *plug = directory(top, "plug", 0755), *so;
    cr_assert_geq(asprintf(&so, "%s/template.so", plug), 0);
    copy_template(so, 0755);
    cr_assert_eq(chown(so, 65534, 65534), 0);
    struct capture c = {0};
    cr_assert_eq(load_template(&c, plug), PS_ERROR_PLUGIN);
    cr_assert(strstr(c.diagnostics[0].message,
                     "refused: this file belongs to another user (uid 65534), who could change "
                     "the code that runs with your rights"),
              "%s", c.diagnostics[0].message);
    cr_assert_eq(chown(so, 0, 0), 0);
    cr_assert_eq(chown(plug, 65534, 65534), 0);
    struct capture d = {0};
    cr_assert_eq(load_template(&d, plug), PS_ERROR_PLUGIN);
    cr_assert_str_eq(d.diagnostics[0].file, plug);
    cr_assert(strstr(d.diagnostics[0].message, "this directory belongs to another user (uid "
                                               "65534)"),
              "%s", d.diagnostics[0].message);
    cr_assert_eq(chown(plug, 0, 0), 0);
    struct capture ok = {0};
    cr_assert_eq(load_template(&ok, plug), PS_OK, "%s",
                 ok.n_diagnostics ? ok.diagnostics[0].message : "");
    free(so);
}

/* The schema takes a response set's name with white space around it; no set has that name.
 * Found by the definition fuzzer: the loader once went on with no response set at all. */
Test(definitions, items_naming_no_response_set_are_refused)
{
    struct capture c = {0};
    char *file = test_file("tiny.xml", replace(definition_text((struct edits){0}),
                                               "<items responses=\"r\">",
                                               "<items responses=\"r\t\t\">"),
                           -1);
    assert_refused(&c, load(&c, file), PS_ERROR_DEFINITION, file, 8,
                   "item '1' names the response set 'r  ', which is not defined");
}

/* ---- Files that must be regular: a FIFO is refused at once, never waited on. ---- */

/* A FIFO called 'name' in a fresh directory; returns its path. */
static char *fifo(const char *name)
{
    char *path = test_path(name);
    cr_assert_eq(mkfifo(path, 0600), 0, "%s", path);
    return path;
}

Test(files, a_definition_that_is_a_fifo_is_refused_without_waiting, .timeout = 10)
{
    struct capture c = {0};
    char *file = fifo("tiny.xml");
    assert_refused(&c, load(&c, file), PS_ERROR_READ, file, 0,
                   "not a regular file but a FIFO (named pipe)");
}

Test(files, a_definition_that_is_a_directory_is_refused)
{
    struct capture c = {0};
    char *file = test_path("dir.xml");
    cr_assert_eq(mkdir(file, 0700), 0);
    assert_refused(&c, load(&c, file), PS_ERROR_READ, file, 0,
                   "not a regular file but a directory");
}

/* The instrument directory's scan refuses a FIFO entry (or a link to one), naming it. */
Test(files, a_fifo_in_the_instrument_directory_is_refused_without_waiting, .timeout = 10)
{
    for (int linked = 0; linked < 2; linked++) {
        char *entry = fifo(linked ? "a.fifo" : "a.xml"), *dir = strdup(entry);
        *strrchr(dir, '/') = '\0';
        if (linked) {
            char *link;
            cr_assert_geq(asprintf(&link, "%s/b.xml", dir), 0);
            cr_assert_eq(symlink(entry, link), 0);
            entry = link;
        }
        struct capture c = {0};
        ps_context_t *context;
        cr_assert_eq(ps_context_new(&context), PS_OK);
        test_capture_diagnostics(context, &c);
        ps_error_t err = ps_context_load_instruments(context, dir);
        ps_context_free(context);
        assert_refused(&c, err, PS_ERROR_READ, entry, 0,
                       "not a regular file but a FIFO (named pipe)");
    }
}

Test(files, a_schema_that_is_a_fifo_is_refused_without_waiting, .timeout = 10)
{
    char *xsd = fifo("instrument.xsd"), *dir = strdup(xsd);
    *strrchr(dir, '/') = '\0';
    struct capture c = {0};
    ps_context_t *context;
    cr_assert_eq(ps_context_new(&context), PS_OK);
    test_capture_diagnostics(context, &c);
    cr_assert_eq(ps_context_set_schema_dir(context, dir), PS_OK);
    ps_error_t err = ps_context_load_instrument(context, definition((struct edits){0}), NULL);
    ps_context_free(context);
    assert_refused(&c, err, PS_ERROR_READ, xsd, 0, "not a regular file but a FIFO (named pipe)");
}
