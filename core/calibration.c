/*
 * Run-time calibration tables: a licensee's raw-to-score conversion, never
 * shipped, loaded for the scale that asks for one in its definition.
 *
 *   <calibration xmlns="urn:promscore:calibration:1" instrument="pam" scale="score">
 *     <table answered="13"><map raw="13" score="0.0"/> ... </table>
 *   </calibration>
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "internal.h"
#include "limits.h"

#define NS "urn:promscore:calibration:1"

static int is(xmlNodePtr node, const char *name)
{
    return node->type == XML_ELEMENT_NODE && node->ns &&
           xmlStrEqual(node->ns->href, BAD_CAST NS) && xmlStrEqual(node->name, BAD_CAST name);
}

static long attr_long(xmlNodePtr node, const char *name)
{
    xmlChar *v = xmlGetNoNsProp(node, BAD_CAST name);
    long n = v ? strtol((const char *)v, NULL, 10) : 0;
    xmlFree(v);
    return n;
}

static double attr_double(xmlNodePtr node, const char *name)
{
    xmlChar *v = xmlGetNoNsProp(node, BAD_CAST name);
    double d = NAN;
    if (v && ps_parse_double((const char *)v, &d) != 0)
        d = NAN;
    xmlFree(v);
    return d;
}

static unsigned long line_of(xmlNodePtr node)
{
    long line = xmlGetLineNo(node);
    return line > 0 ? (unsigned long)line : 0;
}

/* Reads one table; its raws must run without gaps, its scores lie in the scale's range. */
static ps_error_t read_table(ps_context_t *c, const char *file, const struct ps_scale *scale,
                             xmlNodePtr node, struct ps_calibration *cal,
                             struct ps_calibration_table *t)
{
    t->answered = (unsigned)attr_long(node, "answered");
    size_t n = 0;
    long first = 0, last = 0;
    for (xmlNodePtr m = node->children; m; m = m->next) {
        if (!is(m, "map"))
            continue;
        long raw = attr_long(m, "raw");
        /* A schema is the user's to choose: the loader holds raws to the definition limit. */
        if (raw < -(long)PS_MAX_DEFINITION_MAGNITUDE || raw > (long)PS_MAX_DEFINITION_MAGNITUDE)
            return ps_diagnose(c, PS_ERROR_DEFINITION, file, line_of(m), 0,
                               "raw %ld is beyond the limit: numbers in a calibration are at most "
                               "%g in magnitude",
                               raw, PS_MAX_DEFINITION_MAGNITUDE);
        first = n == 0 || raw < first ? raw : first;
        last = n == 0 || raw > last ? raw : last;
        n++;
    }
    if (n == 0 || (unsigned long)(last - first) + 1 != n)
        return ps_diagnose(c, PS_ERROR_DEFINITION, file, line_of(node), 0,
                           "table for %u answered items has gaps or repeats: raw %ld to %ld "
                           "needs %ld entries, %zu given",
                           t->answered, first, last, last - first + 1, n);
    t->first_raw = first;
    t->n = n;
    if (!(t->scores = ps_arena_array(cal->arena, n, sizeof *t->scores)))
        return PS_ERROR_NOMEM;
    for (xmlNodePtr m = node->children; m; m = m->next) {
        if (!is(m, "map"))
            continue;
        double score = attr_double(m, "score");
        if (!(score >= scale->min && score <= scale->max))
            return ps_diagnose(c, PS_ERROR_DEFINITION, file, line_of(m), 0,
                               "score is outside the range %g to %g of %s %s", scale->min,
                               scale->max, scale->instrument->id, scale->id);
        t->scores[attr_long(m, "raw") - first] = score;
    }
    return PS_OK;
}

static ps_error_t read_calibration(ps_context_t *c, const char *file, xmlDocPtr doc,
                                   struct ps_scale **target, struct ps_calibration *cal)
{
    xmlNodePtr root = xmlDocGetRootElement(doc);
    if (!root || !is(root, "calibration"))
        return ps_diagnose(c, PS_ERROR_SCHEMA, file, root ? line_of(root) : 0, 0,
                           "not a calibration table: the root must be <calibration xmlns=\"%s\">",
                           NS);
    xmlChar *instrument_id = xmlGetNoNsProp(root, BAD_CAST "instrument");
    xmlChar *scale_id = xmlGetNoNsProp(root, BAD_CAST "scale");
    const ps_instrument_t *in =
        instrument_id ? ps_context_find_instrument(c, (const char *)instrument_id) : NULL;
    struct ps_scale *scale =
        in && scale_id ? (struct ps_scale *)ps_instrument_find_scale(in, (const char *)scale_id)
                       : NULL;
    ps_error_t err = PS_OK;
    if (!scale || !scale->calibration_schema)
        err = ps_diagnose(c, PS_ERROR_USAGE, file, line_of(root), 0,
                          "instrument '%s' has no scale '%s' that takes a calibration table",
                          instrument_id ? (const char *)instrument_id : "",
                          scale_id ? (const char *)scale_id : "");
    xmlFree(instrument_id);
    xmlFree(scale_id);
    if (err || (err = ps_xml_validate(c, file, doc, scale->calibration_schema)))
        return err;
    for (xmlNodePtr x = root->children; x; x = x->next)
        cal->n_tables += is(x, "table");
    if (!(cal->tables = ps_arena_array(cal->arena, cal->n_tables, sizeof *cal->tables)))
        return PS_ERROR_NOMEM;
    size_t k = 0;
    for (xmlNodePtr x = root->children; x && !err; x = x->next)
        if (is(x, "table"))
            err = read_table(c, file, scale, x, cal, &cal->tables[k++]);
    *target = scale;
    return err;
}

ps_error_t ps_context_load_calibration(ps_context_t *c, const char *file)
{
    xmlDocPtr doc = NULL;
    ps_error_t err = ps_xml_read(c, file, (void **)&doc);
    if (err)
        return err;
    struct ps_calibration *cal = NULL;
    ps_arena_t *arena = ps_arena_new();
    if (!arena || !(cal = ps_arena_alloc(arena, sizeof *cal))) {
        ps_arena_free(arena);
        xmlFreeDoc(doc);
        return PS_ERROR_NOMEM;
    }
    cal->arena = arena;
    cal->file = ps_arena_strdup(arena, file);
    struct ps_scale *scale = NULL;
    err = read_calibration(c, file, doc, &scale, cal);
    xmlFreeDoc(doc);
    if (err) {
        ps_arena_free(arena);
        return err;
    }
    if (scale->calibration) {
        ps_arena_free(arena);
        return ps_diagnose(c, PS_ERROR_USAGE, file, 0, 0,
                           "%s %s already has a calibration table, from %s",
                           scale->instrument->id, scale->id, scale->calibration->file);
    }
    scale->calibration = cal;
    return PS_OK;
}
