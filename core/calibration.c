/* SPDX-License-Identifier: GPL-3.0-or-later */
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

static unsigned long line_of(xmlNodePtr node);

/*
 * A whole number, read strictly whatever the calibration's schema allows (as
 * xs:integer reads it), and at most PS_MAX_DEFINITION_MAGNITUDE in magnitude.
 */
static ps_error_t whole_number(ps_context_t *c, const char *file, xmlNodePtr node,
                               const char *name, long *value)
{
    xmlChar *v = xmlGetNoNsProp(node, BAD_CAST name);
    const char *why = ps_xml_integer((const char *)v, value);
    ps_error_t err = PS_OK;
    if (why)
        err = ps_diagnose(c, PS_ERROR_DEFINITION, file, line_of(node), 0, "%s=\"%s\" %s", name,
                          v ? (const char *)v : "", why);
    else if (*value < -(long)PS_MAX_DEFINITION_MAGNITUDE ||
             *value > (long)PS_MAX_DEFINITION_MAGNITUDE)
        err = ps_diagnose(c, PS_ERROR_DEFINITION, file, line_of(node), 0,
                          "%s %ld is beyond the limit: numbers in a calibration are at most %g "
                          "in magnitude",
                          name, *value, PS_MAX_DEFINITION_MAGNITUDE);
    xmlFree(v);
    return err;
}

/* A score: xs:double's decimal form, finite, read strictly whatever the schema allows. */
static ps_error_t score_number(ps_context_t *c, const char *file, xmlNodePtr node, double *value)
{
    xmlChar *v = xmlGetNoNsProp(node, BAD_CAST "score");
    const char *why = ps_xml_number((const char *)v, value);
    ps_error_t err = PS_OK;
    if (why)
        err = ps_diagnose(c, PS_ERROR_DEFINITION, file, line_of(node), 0, "score=\"%s\" %s",
                          v ? (const char *)v : "", why);
    xmlFree(v);
    return err;
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
    long answered;
    ps_error_t err = whole_number(c, file, node, "answered", &answered);
    if (err)
        return err;
    if (answered < 0)
        return ps_diagnose(c, PS_ERROR_DEFINITION, file, line_of(node), 0,
                           "answered=\"%ld\" is below 0", answered);
    t->answered = (unsigned)answered;
    size_t n = 0;
    long first = 0, last = 0;
    for (xmlNodePtr m = node->children; m; m = m->next) {
        if (!is(m, "map"))
            continue;
        long raw;
        /* A schema is the user's to choose: the loader holds raws to the definition limit. */
        if ((err = whole_number(c, file, m, "raw", &raw)))
            return err;
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
    for (size_t i = 0; i < n; i++)
        t->scores[i] = NAN; /* not yet given: a raw given twice leaves another out */
    for (xmlNodePtr m = node->children; m; m = m->next) {
        if (!is(m, "map"))
            continue;
        double score;
        long raw = 0;
        if ((err = score_number(c, file, m, &score)) ||
            (err = whole_number(c, file, m, "raw", &raw)))
            return err;
        if (!(score >= scale->min && score <= scale->max))
            return ps_diagnose(c, PS_ERROR_DEFINITION, file, line_of(m), 0,
                               "score %g is outside the range %g to %g of %s %s", score,
                               scale->min, scale->max, scale->instrument->id, scale->id);
        if (!isnan(t->scores[raw - first]))
            return ps_diagnose(c, PS_ERROR_DEFINITION, file, line_of(m), 0,
                               "raw %ld is given twice in the table for %u answered items", raw,
                               t->answered);
        t->scores[raw - first] = score;
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
