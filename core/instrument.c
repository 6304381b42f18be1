/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Instrument definitions: read safely, validate against instrument.xsd, check
 * the rules the schema cannot express, and keep them in an arena.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/xmlschemas.h>

#include "internal.h"
#include "limits.h"

#define NS "urn:promscore:instrument:1"
#define TEXT_OF(x) #x
#define EXPANDED_TEXT_OF(x) TEXT_OF(x)
#define MAGNITUDE_TEXT EXPANDED_TEXT_OF(PS_MAX_DEFINITION_MAGNITUDE)

/* ---- Reading the validated document into structures. ---- */

struct reader {
    ps_context_t *context;
    const char *file;
    struct ps_instrument *instrument;
    ps_arena_t *arena;
};

static int is(xmlNodePtr node, const char *name)
{
    return node->type == XML_ELEMENT_NODE && node->ns &&
           xmlStrEqual(node->ns->href, BAD_CAST NS) && xmlStrEqual(node->name, BAD_CAST name);
}

static size_t count(xmlNodePtr parent, const char *name)
{
    size_t n = 0;
    for (xmlNodePtr child = parent->children; child; child = child->next)
        n += is(child, name);
    return n;
}

/* The attribute's value in the arena, or NULL when absent. Schema-valid tokens are collapsed. */
static const char *attr(struct reader *r, xmlNodePtr node, const char *name)
{
    xmlChar *value = xmlGetNoNsProp(node, BAD_CAST name);
    if (!value)
        return NULL;
    char *copy = ps_arena_strdup(r->arena, (const char *)value);
    xmlFree(value);
    return copy;
}

static const char *text(struct reader *r, xmlNodePtr node)
{
    xmlChar *value = xmlNodeGetContent(node);
    if (!value)
        return NULL;
    char *copy = ps_arena_strdup(r->arena, (const char *)value);
    xmlFree(value);
    return copy;
}

static unsigned long line_of(xmlNodePtr node)
{
    long line = xmlGetLineNo(node);
    return line > 0 ? (unsigned long)line : 0;
}

static ps_error_t fail(struct reader *r, xmlNodePtr node, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

static ps_error_t fail(struct reader *r, xmlNodePtr node, const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    ps_error_t err = ps_vdiagnose(r->context, PS_ERROR_DEFINITION, r->file,
                                  node ? line_of(node) : 0, 0, format, ap);
    va_end(ap);
    return err;
}

/*
 * Every number of a definition comes through here. The schema limits them too,
 * but a schema directory is the user's to choose: read each as xs:double
 * reads it (white space around it dropped; no hex, no INF or NaN, nothing
 * after it), and refuse magnitudes past PS_MAX_DEFINITION_MAGNITUDE, whose
 * sums and differences would overflow in scoring and reports.
 */
static ps_error_t finite_number(struct reader *r, xmlNodePtr node, const char *what,
                                const char *s, double *value)
{
    const char *why = ps_xml_number(s, value);
    if (why)
        return fail(r, node, "%s\"%s\" %s", what, s ? s : "", why);
    if (fabs(*value) > PS_MAX_DEFINITION_MAGNITUDE)
        return fail(r, node, "%s\"%s\" is beyond the limit: numbers in a definition are at "
                             "most " MAGNITUDE_TEXT " in magnitude",
                    what, s);
    return PS_OK;
}

/* A whole number (xs:integer) of at most PS_MAX_DEFINITION_MAGNITUDE in magnitude. */
static ps_error_t whole_number(struct reader *r, xmlNodePtr node, const char *name,
                               const char *s, long *value)
{
    const char *why = ps_xml_integer(s, value);
    if (why)
        return fail(r, node, "attribute %s=\"%s\" %s", name, s ? s : "", why);
    if (*value < -(long)PS_MAX_DEFINITION_MAGNITUDE || *value > (long)PS_MAX_DEFINITION_MAGNITUDE)
        return fail(r, node, "attribute %s=\"%s\" is beyond the limit: numbers in a definition "
                             "are at most " MAGNITUDE_TEXT " in magnitude",
                    name, s);
    return PS_OK;
}

static ps_error_t number(struct reader *r, xmlNodePtr node, const char *name, double *value)
{
    char what[64];
    snprintf(what, sizeof what, "attribute %s=", name);
    return finite_number(r, node, what, attr(r, node, name), value);
}

/* A count of decimal places: the schema allows 0 to 6, and tables are sized for no more. */
static ps_error_t decimal_places(struct reader *r, xmlNodePtr node, const char *name,
                                 const char *fallback, int *places)
{
    const char *s = attr(r, node, name);
    if (!s)
        s = fallback;
    long n = -1;
    if (!s || ps_xml_integer(s, &n) || n < 0 || n > 6) /* the schema's: "2", "+2", " 02 " */
        return fail(r, node, "attribute %s=\"%s\" is not a number of decimal places from 0 to 6",
                    name, s ? s : "");
    *places = (int)n;
    return PS_OK;
}

static int flag(struct reader *r, xmlNodePtr node, const char *name)
{
    const char *s = attr(r, node, name);
    return s && (strcmp(s, "true") == 0 || strcmp(s, "1") == 0);
}

/* A rule's source="..." and verified="..." (true unless the definition says otherwise). */
static struct ps_provenance provenance(struct reader *r, xmlNodePtr node)
{
    const char *verified = attr(r, node, "verified");
    return (struct ps_provenance){attr(r, node, "source"),
                                  !verified || (strcmp(verified, "false") != 0 &&
                                                strcmp(verified, "0") != 0)};
}

static ps_error_t read_sources(struct reader *r, xmlNodePtr node)
{
    struct ps_instrument *in = r->instrument;
    in->n_sources = count(node, "source");
    in->sources = ps_arena_array(r->arena, in->n_sources + 1, sizeof *in->sources);
    if (!in->sources)
        return PS_ERROR_NOMEM;
    size_t i = 0;
    for (xmlNodePtr x = node->children; x; x = x->next) {
        if (!is(x, "source"))
            continue;
        struct ps_source *source = &in->sources[i++];
        source->id = attr(r, x, "id");
        source->url = attr(r, x, "url");
        if (!source->id || !(source->text = text(r, x)))
            return PS_ERROR_NOMEM;
    }
    return PS_OK;
}

static ps_error_t read_aliases(struct reader *r, xmlNodePtr node, const char ***aliases,
                               size_t *n)
{
    *n = count(node, "alias");
    *aliases = ps_arena_array(r->arena, *n ? *n : 1, sizeof **aliases);
    if (!*aliases)
        return PS_ERROR_NOMEM;
    size_t i = 0;
    for (xmlNodePtr a = node->children; a; a = a->next)
        if (is(a, "alias") && !((*aliases)[i++] = text(r, a)))
            return PS_ERROR_NOMEM;
    return PS_OK;
}

static ps_error_t read_range(struct reader *r, xmlNodePtr node, struct ps_response_set *set)
{
    ps_error_t err;
    if ((err = number(r, node, "min", &set->range_min)) ||
        (err = number(r, node, "max", &set->range_max)))
        return err;
    if (set->range_min >= set->range_max)
        return fail(r, node, "range min %g is not below max %g", set->range_min, set->range_max);
    if ((err = decimal_places(r, node, "decimals", "0", &set->decimals)))
        return err;
    set->is_range = 1;
    return PS_OK;
}

static ps_error_t read_responses(struct reader *r, xmlNodePtr node, struct ps_response_set *set)
{
    set->id = attr(r, node, "id");
    for (xmlNodePtr x = node->children; x; x = x->next)
        if (is(x, "range"))
            return set->id ? read_range(r, x, set) : PS_ERROR_NOMEM;
        else if (is(x, "free-text"))
            return set->id ? (set->is_free_text = 1, PS_OK) : PS_ERROR_NOMEM;
    set->n_options = count(node, "option");
    set->options = ps_arena_array(r->arena, set->n_options, sizeof *set->options);
    if (!set->id || !set->options)
        return PS_ERROR_NOMEM;
    size_t i = 0;
    for (xmlNodePtr o = node->children; o; o = o->next) {
        if (!is(o, "option"))
            continue;
        struct ps_option *opt = &set->options[i++];
        opt->code = attr(r, o, "code");
        opt->label = attr(r, o, "label");
        opt->not_applicable = flag(r, o, "na");
        ps_error_t err = read_aliases(r, o, &opt->aliases, &opt->n_aliases);
        if (err)
            return err;
        if (opt->code[0] && !opt->code[1])
            set->by_code_byte[(unsigned char)opt->code[0]] = (unsigned short)i;
        if (xmlHasProp(o, BAD_CAST "value")) {
            if ((err = number(r, o, "value", &opt->value)))
                return err;
        } else if (!opt->not_applicable) {
            const char *why = ps_xml_number(opt->code, &opt->value);
            if (why && strcmp(why, "is not a finite number") != 0)
                return fail(r, o,
                            "response '%s' has no value: give value=\"...\" or a decimal "
                            "number as its code",
                            opt->code);
            if ((err = finite_number(r, o, "response code ", opt->code, &opt->value)))
                return err;
        }
        /* Codes and labels must each pick one option. */
        for (size_t j = 0; j + 1 < i; j++) {
            const struct ps_option *prev = &set->options[j];
            if (strcmp(prev->code, opt->code) == 0)
                return fail(r, o, "response code '%s' appears twice in '%s'", opt->code, set->id);
            const char *names[21] = {opt->label};
            size_t n_names = 1;
            for (size_t k = 0; k < opt->n_aliases && n_names < 21; k++)
                names[n_names++] = opt->aliases[k];
            for (size_t k = 0; k < n_names; k++) {
                int clash = ps_strcaseeq(prev->label, names[k]) || ps_strcaseeq(prev->code, names[k]);
                for (size_t m = 0; m < prev->n_aliases; m++)
                    clash |= ps_strcaseeq(prev->aliases[m], names[k]);
                if (clash)
                    return fail(r, o, "response label '%s' of code '%s' also names code '%s'",
                                names[k], opt->code, prev->code);
            }
        }
    }
    return PS_OK;
}

static const struct ps_response_set *find_responses(const struct ps_instrument *in,
                                                    const char *id)
{
    for (size_t i = 0; i < in->n_response_sets; i++)
        if (strcmp(in->response_sets[i].id, id) == 0)
            return &in->response_sets[i];
    return NULL;
}

static int names_column(const struct ps_item *item, const char *name)
{
    if (ps_strcaseeq(item->column, name))
        return 1;
    for (size_t i = 0; i < item->n_aliases; i++)
        if (ps_strcaseeq(item->aliases[i], name))
            return 1;
    return 0;
}

static ps_error_t read_items(struct reader *r, xmlNodePtr node)
{
    struct ps_instrument *in = r->instrument;
    const struct ps_response_set *common = find_responses(in, attr(r, node, "responses"));
    in->n_items = count(node, "item");
    in->items = ps_arena_array(r->arena, in->n_items, sizeof *in->items);
    if (!in->items)
        return PS_ERROR_NOMEM;
    size_t i = 0;
    for (xmlNodePtr x = node->children; x; x = x->next) {
        if (!is(x, "item"))
            continue;
        struct ps_item *item = &in->items[i++];
        item->id = attr(r, x, "id");
        item->column = attr(r, x, "column");
        item->label = attr(r, x, "label");
        const char *own = attr(r, x, "responses");
        item->responses = own ? find_responses(in, own) : common;
        if (!item->responses) {
            const char *named = own ? own : attr(r, node, "responses");
            return fail(r, x, "item '%s' names the response set '%s', which is not defined",
                        item->id, named ? named : "");
        }
        item->optional = flag(r, x, "optional");
        ps_error_t err = read_aliases(r, x, &item->aliases, &item->n_aliases);
        if (err)
            return err;
        for (size_t j = 0; j + 1 < i; j++) {
            const struct ps_item *prev = &in->items[j];
            int clash = names_column(prev, item->column);
            for (size_t k = 0; k < item->n_aliases; k++)
                clash |= names_column(prev, item->aliases[k]);
            if (clash)
                return fail(r, x, "item '%s' and item '%s' share a column name or alias",
                            item->id, prev->id);
        }
    }
    return PS_OK;
}

static ps_error_t read_scale_items(struct reader *r, xmlNodePtr node, struct ps_scale *scale)
{
    const struct ps_instrument *in = r->instrument;
    const char *list = attr(r, node, "items");
    const char *of = attr(r, node, "of");
    if (!list == !of)
        return fail(r, node, "scale '%s' needs either items=\"...\" or of=\"SCALE\"", scale->id);
    if (of) {
        /* Only an earlier scale: scales are scored in order, each once. */
        for (const struct ps_scale *s = in->scales; s < scale; s++)
            if (strcmp(s->id, of) == 0)
                scale->of = s;
        return scale->of ? PS_OK
                         : fail(r, node, "scale '%s' is of '%s', which is not defined before it",
                                scale->id, of);
    }
    char *copy = ps_arena_strdup(r->arena, list);
    scale->items = ps_arena_array(r->arena, in->n_items, sizeof *scale->items);
    if (!copy || !scale->items)
        return PS_ERROR_NOMEM;
    char *save = NULL;
    for (char *id = strtok_r(copy, " \t\r\n", &save); id; id = strtok_r(NULL, " \t\r\n", &save)) {
        size_t k = 0;
        while (k < in->n_items && strcmp(in->items[k].id, id) != 0)
            k++;
        if (k == in->n_items)
            return fail(r, node, "scale '%s' lists item '%s', which is not defined", scale->id, id);
        for (size_t j = 0; j < scale->n_items; j++)
            if (scale->items[j] == k)
                return fail(r, node, "scale '%s' lists item '%s' twice", scale->id, id);
        if (in->items[k].responses->is_free_text)
            return fail(r, node, "scale '%s' lists item '%s', which is free text", scale->id, id);
        scale->items[scale->n_items++] = k;
    }
    return PS_OK;
}

static ps_error_t read_missing(struct reader *r, xmlNodePtr node, struct ps_scale *scale)
{
    const char *rule = attr(r, node, "rule");
    const char *max = attr(r, node, "max-missing");
    scale->from[PS_RULE_MISSING] = provenance(r, node);
    scale->prorate = flag(r, node, "prorate");
    if (strcmp(rule, "complete") == 0) {
        if (max || scale->prorate)
            return fail(r, node, "rule=\"complete\" takes neither max-missing nor prorate");
        scale->max_missing = 0;
        return PS_OK;
    }
    if (!max)
        return fail(r, node, "rule=\"at-most\" needs max-missing=\"N\"");
    long n;
    ps_error_t err = whole_number(r, node, "max-missing", max, &n);
    if (err)
        return err;
    if (n < 0)
        return fail(r, node, "attribute max-missing=\"%s\" is below 0", max);
    scale->max_missing = (size_t)n;
    if (scale->max_missing >= scale->n_items)
        return fail(r, node, "max-missing=\"%s\" must leave at least one of the %zu items answered",
                    max, scale->n_items);
    return PS_OK;
}

static ps_error_t read_lookup(struct reader *r, xmlNodePtr node, struct ps_scale *scale)
{
    scale->from[PS_RULE_LOOKUP] = provenance(r, node);
    size_t n = count(node, "map");
    long first = 0, last = 0;
    int seeded = 0;
    for (xmlNodePtr m = node->children; m; m = m->next) {
        if (!is(m, "map"))
            continue;
        long v;
        ps_error_t err = whole_number(r, m, "raw", attr(r, m, "raw"), &v);
        if (err)
            return err;
        if (!seeded || v < first)
            first = v;
        if (!seeded || v > last)
            last = v;
        seeded = 1;
    }
    if ((unsigned long)(last - first) + 1 != n)
        return fail(r, node, "lookup of scale '%s' has gaps: raw values %ld to %ld need %lu "
                             "entries, %zu given",
                    scale->id, first, last, (unsigned long)(last - first) + 1, n);
    scale->lookup_first = first;
    scale->n_lookup = n;
    scale->lookup = ps_arena_array(r->arena, n, sizeof *scale->lookup);
    if (!scale->lookup)
        return PS_ERROR_NOMEM;
    for (size_t i = 0; i < n; i++)
        scale->lookup[i] = NAN; /* not yet given: a raw given twice leaves another out */
    for (xmlNodePtr m = node->children; m; m = m->next) {
        if (!is(m, "map"))
            continue;
        long v = 0;
        ps_xml_integer(attr(r, m, "raw"), &v); /* read in the first pass */
        double score;
        ps_error_t err = number(r, m, "score", &score);
        if (err)
            return err;
        if (score < scale->min || score > scale->max)
            return fail(r, m, "lookup score %g is outside the range %g to %g of scale '%s'", score,
                        scale->min, scale->max, scale->id);
        if (!isnan(scale->lookup[v - first]))
            return fail(r, m, "lookup of scale '%s' gives raw %ld twice", scale->id, v);
        scale->lookup[v - first] = score;
    }
    return PS_OK;
}

static ps_error_t read_scale(struct reader *r, xmlNodePtr node, struct ps_scale *scale)
{
    scale->instrument = r->instrument;
    scale->id = attr(r, node, "id");
    scale->label = attr(r, node, "label");
    scale->method_name = attr(r, node, "method");
    const char *better = attr(r, node, "better");
    scale->lower_is_better = better && strcmp(better, "lower") == 0;
    const char *reported = attr(r, node, "reported");
    scale->reported = !reported || strcmp(reported, "false") != 0;
    const char *check = attr(r, node, "check");
    scale->check = check && (strcmp(check, "true") == 0 || strcmp(check, "1") == 0);
    ps_error_t err;
    if ((err = decimal_places(r, node, "precision", NULL, &scale->precision)))
        return err;
    if ((err = number(r, node, "min", &scale->min)) || (err = number(r, node, "max", &scale->max)))
        return err;
    if (scale->min >= scale->max)
        return fail(r, node, "scale '%s' has min %g not below max %g", scale->id, scale->min,
                    scale->max);
    if ((err = read_scale_items(r, node, scale)))
        return err;
    for (xmlNodePtr x = node->children; x; x = x->next) {
        if (is(x, "missing"))
            err = read_missing(r, x, scale);
        else if (is(x, "lookup"))
            err = read_lookup(r, x, scale);
        else if (is(x, "calibration")) {
            scale->from[PS_RULE_CALIBRATION] = provenance(r, x);
            if (!(scale->calibration_schema = attr(r, x, "schema")))
                err = PS_ERROR_NOMEM;
        }
        if (err)
            return err;
    }
    if (scale->of && (scale->max_missing || scale->n_lookup))
        return fail(r, node, "scale '%s' is scored from another scale: it takes neither a "
                             "missing-item rule nor a lookup", scale->id);
    return PS_OK;
}

static struct ps_scale *find_scale(struct ps_instrument *in, const char *id)
{
    for (size_t i = 0; i < in->n_scales; i++)
        if (strcmp(in->scales[i].id, id) == 0)
            return &in->scales[i];
    return NULL;
}

/* Bands must cover the scale's range in order, without overlap or gap at its precision. */
static ps_error_t read_bands(struct reader *r, xmlNodePtr node)
{
    struct ps_scale *scale = find_scale(r->instrument, attr(r, node, "scale"));
    scale->from[PS_RULE_BANDS] = provenance(r, node);
    scale->n_bands = count(node, "band");
    scale->bands = ps_arena_array(r->arena, scale->n_bands, sizeof *scale->bands);
    if (!scale->bands)
        return PS_ERROR_NOMEM;
    const double step = pow(10.0, -scale->precision), tolerance = step / 1000;
    size_t i = 0;
    for (xmlNodePtr b = node->children; b; b = b->next) {
        if (!is(b, "band"))
            continue;
        struct ps_band *band = &scale->bands[i];
        ps_error_t err;
        if ((err = number(r, b, "min", &band->min)) || (err = number(r, b, "max", &band->max)))
            return err;
        band->label = attr(r, b, "label");
        if (band->min > band->max)
            return fail(r, b, "band '%s' has min %g above max %g", band->label, band->min,
                        band->max);
        double expected = i == 0 ? scale->min : scale->bands[i - 1].max + step;
        if (fabs(band->min - expected) > tolerance) {
            if (i == 0)
                return fail(r, b, "bands of scale '%s' must start at its minimum %g, not %g",
                            scale->id, scale->min, band->min);
            return fail(r, b, "band '%s' starts at %g: after '%s' (to %g) the next band must start "
                              "at %g, or bands %s",
                        band->label, band->min, scale->bands[i - 1].label, scale->bands[i - 1].max,
                        expected, band->min < expected ? "overlap" : "leave a gap");
        }
        i++;
    }
    if (fabs(scale->bands[i - 1].max - scale->max) > tolerance)
        return fail(r, node, "bands of scale '%s' end at %g, not at its maximum %g", scale->id,
                    scale->bands[i - 1].max, scale->max);
    return PS_OK;
}

/* A reliable change rule: 1 for at-least, 0 for more-than, -1 for anything else (an
 * xs:token, white space around it dropped). */
static int rule_at_least(const char *rule)
{
    static const char space[] = " \t\r\n";
    rule += strspn(rule, space);
    size_t n = strcspn(rule, space);
    if (rule[n + strspn(rule + n, space)])
        return -1;
    if (n == 8 && strncmp(rule, "at-least", n) == 0)
        return 1;
    return n == 9 && strncmp(rule, "more-than", n) == 0 ? 0 : -1;
}

/*
 * Reliable change: a threshold in points with its rule, or Jacobson and Truax's
 * 1.96 * sqrt(2) * SEM, the SEM given or sd * sqrt(1 - reliability). A change
 * must be more than the threshold, or with rule="at-least" at least as much.
 */
static ps_error_t read_reliable(struct reader *r, xmlNodePtr x, struct ps_scale *scale)
{
    int has_points = xmlHasProp(x, BAD_CAST "points") != NULL;
    int has_sem = xmlHasProp(x, BAD_CAST "sem") != NULL;
    int has_sd = xmlHasProp(x, BAD_CAST "sd") != NULL;
    int has_r = xmlHasProp(x, BAD_CAST "reliability") != NULL;
    if (has_points + has_sem + (has_sd || has_r) != 1 || has_sd != has_r)
        return fail(r, x, "reliable change needs one of points (with a rule), sem, or sd with "
                          "reliability");
    const char *rule = attr(r, x, "rule");
    int at_least = rule ? rule_at_least(rule) : 0;
    if (at_least < 0)
        return fail(r, x, "reliable change rule \"%s\" is neither at-least nor more-than", rule);
    if (has_points && !rule)
        return fail(r, x, "reliable change in points needs a rule: rule=\"at-least\" (a change "
                          "of exactly the points is reliable) or rule=\"more-than\"");
    ps_error_t err;
    if (has_points) {
        if ((err = number(r, x, "points", &scale->reliable)))
            return err;
        if (scale->reliable <= 0)
            return fail(r, x, "reliable change must be above 0 points");
    } else {
        if (has_sem) {
            if ((err = number(r, x, "sem", &scale->sem)))
                return err;
        } else {
            double sd, rel;
            if ((err = number(r, x, "sd", &sd)) || (err = number(r, x, "reliability", &rel)))
                return err;
            if (sd <= 0 || rel <= 0 || rel >= 1)
                return fail(r, x, "reliable change needs sd > 0 and 0 < reliability < 1");
            scale->sem = sd * sqrt(1 - rel);
            scale->reference_sd = sd;
            scale->reliability = rel;
        }
        if (scale->sem <= 0)
            return fail(r, x, "standard error of measurement must be above 0");
        scale->has_sem = 1;
        scale->reliable = 1.96 * sqrt(2.0) * scale->sem;
    }
    scale->reliable_at_least = at_least;
    scale->has_reliable = 1;
    return PS_OK;
}

/* Refuses a threshold of change that no change within the scale's range could reach. */
static ps_error_t check_reachable(struct reader *r, xmlNodePtr x, const struct ps_scale *scale,
                                  const char *what, double points, int at_least)
{
    double range = scale->max - scale->min;
    if (at_least ? points <= range : points < range)
        return PS_OK;
    return fail(r, x,
                "%s of %s%g points can never be reached: scale '%s' runs from %g to %g, %g "
                "points apart",
                what, at_least ? "" : "more than ", points, scale->id, scale->min, scale->max,
                range);
}

static ps_error_t read_change(struct reader *r, xmlNodePtr node)
{
    struct ps_scale *scale = find_scale(r->instrument, attr(r, node, "scale"));
    ps_error_t err;
    for (xmlNodePtr x = node->children; x; x = x->next) {
        if (is(x, "meaningful")) {
            scale->from[PS_RULE_MEANINGFUL] = provenance(r, x);
            if ((err = number(r, x, "points", &scale->meaningful)))
                return err;
            if (scale->meaningful <= 0)
                return fail(r, x, "meaningful change must be above 0 points");
            if ((err = check_reachable(r, x, scale, "meaningful change", scale->meaningful, 1)))
                return err;
            scale->has_meaningful = 1;
        } else if (is(x, "reliable")) {
            scale->from[PS_RULE_RELIABLE] = provenance(r, x);
            if ((err = read_reliable(r, x, scale)) ||
                (err = check_reachable(r, x, scale,
                                       scale->has_sem ? "reliable change (1.96 x sqrt(2) x SEM)"
                                                      : "reliable change",
                                       scale->reliable, scale->reliable_at_least)))
                return err;
        }
    }
    return PS_OK;
}

/* A list of scale ids, each naming a defined scale; 'n' when given must match. */
static ps_error_t read_scale_list(struct reader *r, xmlNodePtr node, const char *name,
                                  const struct ps_scale ***out, size_t *n)
{
    const char *list = attr(r, node, name);
    *out = NULL;
    if (!list)
        return PS_OK;
    char *copy = ps_arena_strdup(r->arena, list);
    const struct ps_scale **scales =
        ps_arena_array(r->arena, r->instrument->n_scales + 1, sizeof *scales);
    if (!copy || !scales)
        return PS_ERROR_NOMEM;
    size_t k = 0;
    char *save = NULL;
    for (char *id = strtok_r(copy, " \t\r\n", &save); id; id = strtok_r(NULL, " \t\r\n", &save)) {
        const struct ps_scale *scale = find_scale(r->instrument, id);
        if (!scale)
            return fail(r, node, "pool %s names scale '%s', which is not defined", name, id);
        if (k == r->instrument->n_scales)
            return fail(r, node, "pool %s names more scales than are defined", name);
        scales[k++] = scale;
    }
    if (*n && k != *n)
        return fail(r, node, "pool %s lists %zu scales, one per member (%zu)", name, k, *n);
    *n = k;
    *out = scales;
    return PS_OK;
}

static ps_error_t read_pool(struct reader *r, xmlNodePtr node, struct ps_pool *pool)
{
    pool->id = attr(r, node, "id");
    pool->label = attr(r, node, "label");
    ps_error_t err;
    if ((err = read_scale_list(r, node, "scales", &pool->members, &pool->n_members)) ||
        (err = read_scale_list(r, node, "attainment", &pool->attainment, &pool->n_members)) ||
        (err = read_scale_list(r, node, "category", &pool->category, &pool->n_members)))
        return err;
    for (size_t k = 0; pool->category && k < pool->n_members; k++)
        if (!pool->category[k]->n_bands)
            return fail(r, node, "category scale '%s' needs bands to name its categories",
                        pool->category[k]->id);
    return PS_OK;
}

static ps_error_t read_instrument(struct reader *r, xmlNodePtr root)
{
    struct ps_instrument *in = r->instrument;
    in->file = ps_arena_strdup(r->arena, r->file);
    in->id = attr(r, root, "id");
    in->version = attr(r, root, "version");
    in->plugin_name = attr(r, root, "plugin");
    in->n_response_sets = count(root, "responses");
    in->n_scales = count(root, "scale");
    in->n_parameters = count(root, "parameter");
    in->response_sets = ps_arena_array(r->arena, in->n_response_sets, sizeof *in->response_sets);
    in->scales = ps_arena_array(r->arena, in->n_scales, sizeof *in->scales);
    in->parameters = ps_arena_array(r->arena, in->n_parameters + 1, sizeof *in->parameters);
    in->n_pools = count(root, "pool");
    in->pools = ps_arena_array(r->arena, in->n_pools + 1, sizeof *in->pools);
    if (!in->file || !in->response_sets || !in->scales || !in->parameters || !in->pools)
        return PS_ERROR_NOMEM;
    size_t n_sets = 0, n_scales = 0, n_parameters = 0, n_pools = 0;
    ps_error_t err = PS_OK;
    /* The schema fixes the order: responses come before items, scales before bands. */
    for (xmlNodePtr x = root->children; x && !err; x = x->next) {
        if (is(x, "title"))
            in->title = text(r, x);
        else if (is(x, "notice"))
            in->notice = text(r, x);
        else if (is(x, "sources"))
            err = read_sources(r, x);
        else if (is(x, "parameter")) {
            struct ps_parameter *p = &in->parameters[n_parameters++];
            p->name = attr(r, x, "name");
            p->from = provenance(r, x);
            err = number(r, x, "value", &p->value);
        } else if (is(x, "responses"))
            err = read_responses(r, x, &in->response_sets[n_sets++]);
        else if (is(x, "items"))
            err = read_items(r, x);
        else if (is(x, "scale")) {
            struct ps_scale *scale = &in->scales[n_scales++];
            err = read_scale(r, x, scale);
            for (size_t j = 0; !err && j + 1 < n_scales; j++)
                if (strcmp(in->scales[j].id, scale->id) == 0)
                    err = fail(r, x, "scale '%s' is defined twice", scale->id);
        } else if (is(x, "bands"))
            err = read_bands(r, x);
        else if (is(x, "change"))
            err = read_change(r, x);
        else if (is(x, "pool"))
            err = read_pool(r, x, &in->pools[n_pools++]);
    }
    if (!err && (!in->title || !in->notice || !in->id || !in->version || !in->plugin_name))
        err = PS_ERROR_NOMEM;
    return err;
}

/*
 * Binds each scale to its method, "method" of the instrument's plugin or
 * "plugin:method" of another, and lets the method check the scale.
 */
static ps_error_t bind_methods(ps_context_t *c, struct ps_instrument *in)
{
    for (size_t i = 0; i < in->n_scales; i++) {
        struct ps_scale *scale = &in->scales[i];
        char plugin_name[72];
        const char *method = scale->method_name, *colon = strchr(method, ':');
        snprintf(plugin_name, sizeof plugin_name, "%.*s",
                 colon ? (int)(colon - method) : (int)strlen(in->plugin_name),
                 colon ? method : in->plugin_name);
        if (colon)
            method = colon + 1;
        const ps_plugin_t *plugin;
        ps_error_t err = ps_plugin_get(c, plugin_name, in->file, &plugin);
        if (err)
            return err;
        for (size_t m = 0; m < plugin->n_methods && !scale->method; m++)
            if (strcmp(plugin->methods[m].name, method) == 0)
                scale->method = &plugin->methods[m];
        if (!scale->method)
            return ps_diagnose(c, PS_ERROR_DEFINITION, in->file, 0, 0,
                               "scale '%s': plugin '%s' has no method '%s'", scale->id,
                               plugin_name, method);
        char why[512] = "";
        if (scale->method->check && scale->method->check(scale, why, sizeof why) != 0)
            return ps_diagnose(c, PS_ERROR_DEFINITION, in->file, 0, 0, "scale '%s': %s",
                               scale->id, why[0] ? why : "refused by its method");
    }
    /* The instrument's own plugin is loaded even when every method is another's. */
    const ps_plugin_t *own;
    return ps_plugin_get(c, in->plugin_name, in->file, &own);
}

ps_error_t ps_definition_read(ps_context_t *c, const char *file, struct ps_instrument **out)
{
    *out = NULL;
    xmlDocPtr doc = NULL;
    struct ps_instrument *in = NULL;
    ps_error_t err = ps_xml_read(c, file, (void **)&doc);
    if (err || (err = ps_xml_validate(c, file, doc, "instrument.xsd")))
        goto cleanup;
    ps_arena_t *arena = ps_arena_new();
    if (!arena || !(in = ps_arena_alloc(arena, sizeof *in))) {
        ps_arena_free(arena);
        err = PS_ERROR_NOMEM;
        goto cleanup;
    }
    in->arena = arena;
    struct reader r = {c, file, in, arena};
    if ((err = read_instrument(&r, xmlDocGetRootElement(doc))) || (err = bind_methods(c, in)))
        goto cleanup;
    *out = in;
    in = NULL;
cleanup:
    ps_definition_free(in);
    xmlFreeDoc(doc);
    return err;
}

void ps_definition_free(struct ps_instrument *in)
{
    if (!in)
        return;
    for (size_t i = 0; i < in->n_scales; i++)
        if (in->scales[i].calibration)
            ps_arena_free(in->scales[i].calibration->arena);
    ps_arena_free(in->arena);
}

/* ---- Accessors. ---- */

const char *ps_instrument_id(const ps_instrument_t *in) { return in->id; }
const char *ps_instrument_title(const ps_instrument_t *in) { return in->title; }
const char *ps_instrument_version(const ps_instrument_t *in) { return in->version; }
const char *ps_instrument_notice(const ps_instrument_t *in) { return in->notice; }
const char *ps_instrument_plugin(const ps_instrument_t *in) { return in->plugin_name; }
const char *ps_instrument_file(const ps_instrument_t *in) { return in->file; }
size_t ps_instrument_item_count(const ps_instrument_t *in) { return in->n_items; }
size_t ps_instrument_scale_count(const ps_instrument_t *in) { return in->n_scales; }

const ps_item_t *ps_instrument_item(const ps_instrument_t *in, size_t index)
{
    return index < in->n_items ? &in->items[index] : NULL;
}

const ps_scale_t *ps_instrument_scale(const ps_instrument_t *in, size_t index)
{
    return index < in->n_scales ? &in->scales[index] : NULL;
}

const ps_scale_t *ps_instrument_find_scale(const ps_instrument_t *in, const char *id)
{
    return find_scale((struct ps_instrument *)in, id);
}

int ps_instrument_parameter(const ps_instrument_t *in, const char *name, double *value)
{
    for (size_t i = 0; i < in->n_parameters; i++)
        if (strcmp(in->parameters[i].name, name) == 0) {
            *value = in->parameters[i].value;
            return 1;
        }
    return 0;
}

size_t ps_instrument_source_count(const ps_instrument_t *in) { return in->n_sources; }

const char *ps_instrument_source(const ps_instrument_t *in, size_t index, const char **text,
                                 const char **url)
{
    if (index >= in->n_sources)
        return NULL;
    if (text)
        *text = in->sources[index].text;
    if (url)
        *url = in->sources[index].url;
    return in->sources[index].id;
}

size_t ps_instrument_parameter_count(const ps_instrument_t *in) { return in->n_parameters; }

const char *ps_instrument_parameter_at(const ps_instrument_t *in, size_t index, double *value,
                                       const char **source, int *verified)
{
    if (index >= in->n_parameters)
        return NULL;
    const struct ps_parameter *p = &in->parameters[index];
    if (value)
        *value = p->value;
    if (source)
        *source = p->from.source;
    if (verified)
        *verified = p->from.verified;
    return p->name;
}

const char *ps_item_id(const ps_item_t *item) { return item->id; }
const char *ps_item_column(const ps_item_t *item) { return item->column; }
const char *ps_item_label(const ps_item_t *item) { return item->label; }
size_t ps_item_alias_count(const ps_item_t *item) { return item->n_aliases; }
int ps_item_optional(const ps_item_t *item) { return item->optional; }
int ps_item_free_text(const ps_item_t *item) { return item->responses->is_free_text; }

const char *ps_item_alias(const ps_item_t *item, size_t index)
{
    return index < item->n_aliases ? item->aliases[index] : NULL;
}

int ps_item_range(const ps_item_t *item, double *min, double *max, int *decimals)
{
    const struct ps_response_set *set = item->responses;
    if (!set->is_range)
        return 0;
    if (min)
        *min = set->range_min;
    if (max)
        *max = set->range_max;
    if (decimals)
        *decimals = set->decimals;
    return 1;
}

size_t ps_item_option_count(const ps_item_t *item) { return item->responses->n_options; }

const char *ps_item_option(const ps_item_t *item, size_t index, const char **label,
                           double *value, int *not_applicable)
{
    if (index >= item->responses->n_options)
        return NULL;
    const struct ps_option *o = &item->responses->options[index];
    if (label)
        *label = o->label;
    if (value)
        *value = o->value;
    if (not_applicable)
        *not_applicable = o->not_applicable;
    return o->code;
}

const char *ps_item_option_alias(const ps_item_t *item, size_t index, size_t alias)
{
    if (index >= item->responses->n_options)
        return NULL;
    const struct ps_option *o = &item->responses->options[index];
    return alias < o->n_aliases ? o->aliases[alias] : NULL;
}

int ps_item_value_range(const ps_item_t *item, double *min, double *max)
{
    if (item->responses->is_free_text)
        return 0;
    if (item->responses->is_range) {
        *min = item->responses->range_min;
        *max = item->responses->range_max;
        return 1;
    }
    int any = 0;
    for (size_t i = 0; i < item->responses->n_options; i++) {
        const struct ps_option *o = &item->responses->options[i];
        if (o->not_applicable)
            continue;
        if (!any || o->value < *min)
            *min = o->value;
        if (!any || o->value > *max)
            *max = o->value;
        any = 1;
    }
    return any;
}

const char *ps_scale_id(const ps_scale_t *s) { return s->id; }
const char *ps_scale_label(const ps_scale_t *s) { return s->label ? s->label : s->id; }
const char *ps_scale_method(const ps_scale_t *s) { return s->method_name; }
const ps_instrument_t *ps_scale_instrument(const ps_scale_t *s) { return s->instrument; }
int ps_scale_precision(const ps_scale_t *s) { return s->precision; }
double ps_scale_min(const ps_scale_t *s) { return s->min; }
double ps_scale_max(const ps_scale_t *s) { return s->max; }
int ps_scale_lower_is_better(const ps_scale_t *s) { return s->lower_is_better; }
int ps_scale_is_check(const ps_scale_t *s) { return s->check; }
size_t ps_scale_band_count(const ps_scale_t *s) { return s->n_bands; }
size_t ps_scale_item_count(const ps_scale_t *s) { return s->n_items; }
int ps_scale_prorates(const ps_scale_t *s) { return s->prorate; }
int ps_scale_has_lookup(const ps_scale_t *s) { return s->n_lookup > 0; }

const ps_item_t *ps_scale_item(const ps_scale_t *s, size_t index)
{
    return index < s->n_items ? &s->instrument->items[s->items[index]] : NULL;
}

const char *ps_scale_band(const ps_scale_t *s, size_t index, double *min, double *max)
{
    if (index >= s->n_bands)
        return NULL;
    if (min)
        *min = s->bands[index].min;
    if (max)
        *max = s->bands[index].max;
    return s->bands[index].label;
}

const char *ps_scale_band_of(const ps_scale_t *s, double score)
{
    static const double tolerances[] = {1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-9};
    const double tolerance = tolerances[s->precision]; /* a thousandth of the last decimal */
    for (size_t i = 0; i < s->n_bands; i++)
        if (score >= s->bands[i].min - tolerance && score <= s->bands[i].max + tolerance)
            return s->bands[i].label;
    return NULL;
}

int ps_scale_meaningful_change(const ps_scale_t *s, double *points)
{
    if (s->has_meaningful)
        *points = s->meaningful;
    return s->has_meaningful;
}

int ps_scale_reliable_change(const ps_scale_t *s, double *points, int *at_least)
{
    if (s->has_reliable) {
        *points = s->reliable;
        if (at_least)
            *at_least = s->reliable_at_least;
    }
    return s->has_reliable;
}

int ps_scale_sem(const ps_scale_t *s, double *sem)
{
    if (s->has_sem)
        *sem = s->sem;
    return s->has_sem;
}

const ps_scale_t *ps_scale_of(const ps_scale_t *s) { return s->of; }
size_t ps_scale_max_missing(const ps_scale_t *s) { return s->max_missing; }
const char *ps_scale_calibration_schema(const ps_scale_t *s) { return s->calibration_schema; }
int ps_scale_reported(const ps_scale_t *s) { return s->reported; }

size_t ps_scale_lookup_count(const ps_scale_t *s, long *first_raw)
{
    if (first_raw && s->n_lookup)
        *first_raw = s->lookup_first;
    return s->n_lookup;
}

int ps_scale_reliability(const ps_scale_t *s, double *sd, double *reliability)
{
    if (!s->has_sem || s->reliability <= 0)
        return 0;
    if (sd)
        *sd = s->reference_sd;
    if (reliability)
        *reliability = s->reliability;
    return 1;
}

const char *ps_scale_rule_source(const ps_scale_t *s, ps_rule_t rule, int *verified)
{
    if ((unsigned)rule >= sizeof s->from / sizeof s->from[0] || !s->from[rule].source)
        return NULL;
    if (verified)
        *verified = s->from[rule].verified;
    return s->from[rule].source;
}

int ps_scale_band_number(const ps_scale_t *s, double value)
{
    const char *label = ps_scale_band_of(s, value);
    for (size_t i = 0; label && i < s->n_bands; i++)
        if (s->bands[i].label == label)
            return (int)i + 1;
    return 0;
}

int ps_scale_has_calibration(const ps_scale_t *s)
{
    return s->calibration != NULL;
}

int ps_scale_calibrate(const ps_scale_t *s, unsigned answered, double raw, double *score)
{
    if (!s->calibration || raw != floor(raw))
        return 0;
    for (size_t t = 0; t < s->calibration->n_tables; t++) {
        const struct ps_calibration_table *table = &s->calibration->tables[t];
        if (table->answered != answered)
            continue;
        double at = raw - (double)table->first_raw;
        if (at < 0 || at >= (double)table->n)
            return 0;
        *score = table->scores[(size_t)at];
        return 1;
    }
    return 0;
}

int ps_context_is_free_text(const ps_context_t *c, const char *column)
{
    for (size_t i = 0; i < c->n_instruments; i++)
        for (size_t k = 0; k < c->instruments[i]->n_items; k++) {
            const struct ps_item *item = &c->instruments[i]->items[k];
            if (item->responses->is_free_text && names_column(item, column))
                return 1;
        }
    return 0;
}
