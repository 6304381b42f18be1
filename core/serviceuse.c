/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Service use before and after: the measures' definition, and counts per
 * participant, window and measure read from CSV into a service cohort.
 *
 *   <service-use xmlns="urn:promscore:service-use:1" id="service_use" version="1">
 *     <title>...</title> <sources>...</sources>
 *     <measures><measure id="ae_attendances" label="A&amp;E attendances"
 *                        unit="attendances" source="..."/> ...</measures>
 *   </service-use>
 */
#include "config.h"

#include <ctype.h>
#include <stddef.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/tree.h>

#include <promscore/service.h>

#include "builddirs.h"
#include "csvread.h"
#include "headers.h"
#include "internal.h"
#include "limits.h"
#include "names.h"
#include "paths.h"
#include "serviceuse.h"

#define NS "urn:promscore:service-use:1"
#define SHIPPED "service_use.xml"

/* ---- The definition. ---- */

struct reader {
    ps_context_t *context;
    const char *file;
    ps_service_definition_t *definition;
};

static int is(xmlNodePtr node, const char *name)
{
    return node->type == XML_ELEMENT_NODE && node->ns &&
           xmlStrEqual(node->ns->href, BAD_CAST NS) && xmlStrEqual(node->name, BAD_CAST name);
}

static size_t count_children(xmlNodePtr parent, const char *name)
{
    size_t n = 0;
    for (xmlNodePtr child = parent->children; child; child = child->next)
        n += is(child, name);
    return n;
}

/* An attribute's value in the arena; 'fallback' (NULL or "") when absent. The second
 * pointer says whether it was out of memory. */
static const char *attr(struct reader *r, xmlNodePtr node, const char *name, int *nomem)
{
    xmlChar *value = xmlGetNoNsProp(node, BAD_CAST name);
    if (!value)
        return NULL;
    char *copy = ps_arena_strdup(r->definition->arena, (const char *)value);
    xmlFree(value);
    *nomem |= !copy;
    return copy;
}

static const char *text(struct reader *r, xmlNodePtr node, int *nomem)
{
    xmlChar *value = xmlNodeGetContent(node);
    char *copy = value ? ps_arena_strdup(r->definition->arena, (const char *)value) : NULL;
    xmlFree(value);
    *nomem |= !copy;
    return copy;
}

static unsigned long line_of(xmlNodePtr node)
{
    long line = xmlGetLineNo(node);
    return line > 0 ? (unsigned long)line : 0;
}

static ps_error_t read_sources(struct reader *r, xmlNodePtr node)
{
    ps_service_definition_t *d = r->definition;
    int nomem = 0;
    d->n_sources = count_children(node, "source");
    if (!(d->sources = ps_arena_array(d->arena, d->n_sources + 1, sizeof *d->sources)))
        return PS_ERROR_NOMEM;
    size_t i = 0;
    for (xmlNodePtr x = node->children; x; x = x->next)
        if (is(x, "source")) {
            struct ps_source *s = &d->sources[i++];
            s->id = attr(r, x, "id", &nomem);
            s->url = attr(r, x, "url", &nomem);
            s->text = text(r, x, &nomem);
        }
    return nomem ? PS_ERROR_NOMEM : PS_OK;
}

static ps_error_t read_measure(struct reader *r, xmlNodePtr node, struct ps_service_measure *m)
{
    ps_service_definition_t *d = r->definition;
    int nomem = 0;
    m->id = attr(r, node, "id", &nomem);
    m->column = attr(r, node, "column", &nomem);
    if (!m->column)
        m->column = m->id;
    m->label = attr(r, node, "label", &nomem);
    m->unit = attr(r, node, "unit", &nomem);
    m->source = attr(r, node, "source", &nomem);
    const char *verified = attr(r, node, "verified", &nomem);
    m->verified = !verified || strcmp(verified, "true") == 0 || strcmp(verified, "1") == 0;
    m->line = line_of(node);
    m->n_aliases = count_children(node, "alias");
    if (nomem || !(m->aliases = ps_arena_array(d->arena, m->n_aliases + 1, sizeof *m->aliases)))
        return PS_ERROR_NOMEM;
    size_t i = 0;
    for (xmlNodePtr a = node->children; a; a = a->next)
        if (is(a, "alias"))
            m->aliases[i++] = text(r, a, &nomem);
    return nomem ? PS_ERROR_NOMEM : PS_OK;
}

/* Whether a header names the measure: its column or an alias, as batch headers match. */
static int names_measure(const struct ps_service_measure *m, const char *header)
{
    if (ps_header_eq(m->column, header))
        return 1;
    for (size_t a = 0; a < m->n_aliases; a++)
        if (ps_header_eq(m->aliases[a], header))
            return 1;
    return 0;
}

/* Two measures may not hold one column: a header would name both. */
static ps_error_t check_columns(struct reader *r)
{
    const ps_service_definition_t *d = r->definition;
    for (size_t i = 0; i < d->n_measures; i++) {
        const struct ps_service_measure *m = &d->measures[i];
        for (size_t j = 0; j < i; j++) {
            const struct ps_service_measure *o = &d->measures[j];
            const char *clash = names_measure(o, m->column) ? m->column : NULL;
            for (size_t a = 0; a < m->n_aliases && !clash; a++)
                if (names_measure(o, m->aliases[a]))
                    clash = m->aliases[a];
            if (clash)
                return ps_diagnose(r->context, PS_ERROR_DEFINITION, r->file, m->line, 0,
                                   "measure '%s' and measure '%s' both hold the column '%s'",
                                   o->id, m->id, clash);
        }
    }
    return PS_OK;
}

static ps_error_t read_definition(struct reader *r, xmlNodePtr root)
{
    ps_service_definition_t *d = r->definition;
    int nomem = 0;
    if (!root || !is(root, "service-use"))
        return ps_diagnose(r->context, PS_ERROR_SCHEMA, r->file, root ? line_of(root) : 0, 0,
                           "not a service-use definition: the root must be <service-use "
                           "xmlns=\"%s\">",
                           NS);
    d->id = attr(r, root, "id", &nomem);
    d->version = attr(r, root, "version", &nomem);
    ps_error_t err = nomem ? PS_ERROR_NOMEM : PS_OK;
    for (xmlNodePtr x = root->children; x && !err; x = x->next) {
        if (is(x, "title")) {
            d->title = text(r, x, &nomem);
            err = nomem ? PS_ERROR_NOMEM : PS_OK;
        } else if (is(x, "sources")) {
            err = read_sources(r, x);
        } else if (is(x, "measures")) {
            d->n_measures = count_children(x, "measure");
            if (!(d->measures = ps_arena_array(d->arena, d->n_measures + 1, sizeof *d->measures)))
                return PS_ERROR_NOMEM;
            size_t i = 0;
            for (xmlNodePtr m = x->children; m && !err; m = m->next)
                if (is(m, "measure"))
                    err = read_measure(r, m, &d->measures[i++]);
        }
    }
    return err ? err : check_columns(r);
}

/* The shipped definition: the source tree's for a program run from its build tree. */
static char *shipped_definition(void)
{
    char *exe = realpath("/proc/self/exe", NULL), *file = NULL;
    int built = exe && ps_path_in_build_tree(exe, PS_BUILDDIR);
    free(exe);
    if (asprintf(&file, "%s/%s", built ? PS_BUILD_MEASURE_DIR : PS_MEASUREDIR, SHIPPED) < 0)
        return NULL;
    return file;
}

ps_error_t ps_service_definition_read(ps_context_t *c, const char *file,
                                      ps_service_definition_t **out)
{
    *out = NULL;
    char *shipped = file ? NULL : shipped_definition();
    if (!file && !(file = shipped))
        return PS_ERROR_NOMEM;
    xmlDocPtr doc = NULL;
    ps_service_definition_t *d = NULL;
    ps_arena_t *arena = NULL;
    ps_error_t err = ps_xml_read(c, file, (void **)&doc);
    if (err || (err = ps_xml_validate(c, file, doc, "service-use.xsd")))
        goto cleanup;
    err = PS_ERROR_NOMEM;
    if (!(arena = ps_arena_new()) || !(d = ps_arena_alloc(arena, sizeof *d)))
        goto cleanup;
    d->arena = arena;
    arena = NULL;
    if (!(d->file = ps_arena_strdup(d->arena, file)))
        goto cleanup;
    struct reader r = {c, file, d};
    if ((err = read_definition(&r, xmlDocGetRootElement(doc))))
        goto cleanup;
    *out = d;
    d = NULL;
cleanup:
    ps_service_definition_free(d);
    ps_arena_free(arena);
    xmlFreeDoc(doc);
    free(shipped);
    return err;
}

void ps_service_definition_free(ps_service_definition_t *d)
{
    if (d)
        ps_arena_free(d->arena);
}

const char *ps_service_definition_id(const ps_service_definition_t *d) { return d->id; }
const char *ps_service_definition_version(const ps_service_definition_t *d) { return d->version; }
const char *ps_service_definition_title(const ps_service_definition_t *d) { return d->title; }
const char *ps_service_definition_file(const ps_service_definition_t *d) { return d->file; }
size_t ps_service_measure_count(const ps_service_definition_t *d) { return d->n_measures; }
size_t ps_service_source_count(const ps_service_definition_t *d) { return d->n_sources; }

const char *ps_service_measure(const ps_service_definition_t *d, size_t index, const char **column,
                               const char **label, const char **unit, const char **source,
                               int *verified)
{
    if (index >= d->n_measures)
        return NULL;
    const struct ps_service_measure *m = &d->measures[index];
    if (column)
        *column = m->column;
    if (label)
        *label = m->label;
    if (unit)
        *unit = m->unit;
    if (source)
        *source = m->source;
    if (verified)
        *verified = m->verified;
    return m->id;
}

size_t ps_service_measure_find(const ps_service_definition_t *d, const char *id)
{
    for (size_t i = 0; i < d->n_measures; i++)
        if (strcmp(d->measures[i].id, id) == 0)
            return i;
    return SIZE_MAX;
}

const char *ps_service_source(const ps_service_definition_t *d, size_t index, const char **text,
                              const char **url)
{
    if (index >= d->n_sources)
        return NULL;
    if (text)
        *text = d->sources[index].text;
    if (url)
        *url = d->sources[index].url;
    return d->sources[index].id;
}

/* ---- The cohort: windows, the selection rule, and people. ---- */

void ps_service_options_init(ps_service_options_t *options, size_t size)
{
    ps_options_init(options, size);
}

static ps_error_t usage(const ps_service_cohort_t *c, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

static ps_error_t usage(const ps_service_cohort_t *c, const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    ps_error_t err = ps_vdiagnose(c->context, PS_ERROR_USAGE, NULL, 0, 0, format, ap);
    va_end(ap);
    return err;
}

size_t ps_su_window_find(const ps_service_cohort_t *c, const char *name)
{
    for (size_t w = 0; w < c->n_windows; w++)
        if (ps_strcaseeq(c->windows[w].name, name))
            return w;
    return SIZE_MAX;
}

static ps_error_t copy_windows(ps_service_cohort_t *c, const ps_service_options_t *o)
{
    if (o->n_windows < 2 || o->n_windows > PS_SERVICE_MAX_WINDOWS)
        return usage(c, "service use needs from 2 to %u windows, each with its length in days "
                        "(e.g. pre12=365,post12=365); %zu given",
                     PS_SERVICE_MAX_WINDOWS, o->n_windows);
    if (!(c->windows = ps_arena_array(c->arena, o->n_windows, sizeof *c->windows)))
        return PS_ERROR_NOMEM;
    for (size_t w = 0; w < o->n_windows; w++) {
        const ps_service_window_t *given = &o->windows[w];
        const char *name = given->name ? given->name : "";
        int blank = !*name;
        for (const char *p = name; *p && !blank; p++)
            blank = isspace((unsigned char)*p);
        if (blank || strstr(name, "->"))
            return usage(c, "window '%s': a window's name is one word, without \"->\"", name);
        if (given->days < 1 || given->days > PS_SERVICE_MAX_DAYS)
            return usage(c, "window '%s': %u days; a window is from 1 to %u days long", name,
                         given->days, PS_SERVICE_MAX_DAYS);
        if (ps_su_window_find(c, name) != SIZE_MAX)
            return usage(c, "window '%s' is named twice (names match in any case)", name);
        struct ps_service_window_def *to = &c->windows[c->n_windows++];
        if (!(to->name = ps_arena_strdup(c->arena, name)))
            return PS_ERROR_NOMEM;
        to->days = given->days;
    }
    return PS_OK;
}

size_t ps_su_measure_find(const ps_service_definition_t *d, const char *name)
{
    size_t m = ps_service_measure_find(d, name);
    for (size_t i = 0; i < d->n_measures && m == SIZE_MAX; i++)
        if (names_measure(&d->measures[i], name))
            m = i;
    return m;
}

/* "MEASURE >= N [in WINDOW]", or ">" N: at least N + 1. */
static ps_error_t read_rule(ps_service_cohort_t *c, const char *rule, const char *before)
{
    static const char form[] = "expected MEASURE >= N in WINDOW, e.g. \"ae_attendances >= 6 "
                               "in pre12\"";
    const char *p = rule + strspn(rule, " \t");
    size_t n = strcspn(p, " \t<>=");
    char measure[128] = "", window[128] = "";
    if (!n || n >= sizeof measure)
        return usage(c, "selection rule '%s': %s", rule, form);
    memcpy(measure, p, n);
    p += n;
    p += strspn(p, " \t");
    int strictly = 0;
    if (p[0] == '>' && p[1] == '=')
        p += 2;
    else if (p[0] == '>')
        p += 1, strictly = 1;
    else
        return usage(c, "selection rule '%s': %s (people are selected for high use: >= or >)",
                     rule, form);
    p += strspn(p, " \t");
    size_t digits = strspn(p, "0123456789");
    if (!digits || digits > 9)
        return usage(c, "selection rule '%s': the count must be a whole number (at most 9 "
                        "digits)",
                     rule);
    long least = strtol(p, NULL, 10) + strictly;
    p += digits;
    size_t space = strspn(p, " \t");
    p += space;
    if (*p) {
        if (!space || strncmp(p, "in", 2) != 0 || !strchr(" \t", p[2]) || !p[2])
            return usage(c, "selection rule '%s': %s", rule, form);
        p += 2;
        p += strspn(p, " \t");
        n = strcspn(p, " \t");
        if (!n || n >= sizeof window || p[n + strspn(p + n, " \t")])
            return usage(c, "selection rule '%s': %s", rule, form);
        memcpy(window, p, n);
    }
    size_t m = ps_su_measure_find(c->definition, measure);
    if (m == SIZE_MAX)
        return usage(c, "selection rule '%s': '%s' is not a measure of %s", rule, measure,
                     c->definition->id);
    size_t w = ps_su_window_find(c, *window ? window : before ? before : "");
    if (!*window && !before)
        w = 0;
    if (w == SIZE_MAX)
        return usage(c, "selection rule '%s': '%s' is not one of the windows", rule,
                     *window ? window : before);
    c->rule.measure = m;
    c->rule.window = w;
    c->rule.least = least;
    c->has_rule = 1;
    char text[400];
    snprintf(text, sizeof text, "%s >= %ld in %s", c->definition->measures[m].id, least,
             c->windows[w].name);
    return (c->rule.text = ps_arena_strdup(c->arena, text)) ? PS_OK : PS_ERROR_NOMEM;
}

/*
 * The rule's window must come before the index date (the first window after it, when known)
 * and be the before window or one listed before it, with a window after it to follow the
 * people selected.
 */
static ps_error_t check_rule_window(const ps_service_cohort_t *c, const char *rule)
{
    const size_t w = c->rule.window, first_after = c->events.first_after;
    const char *name = c->windows[w].name;
    if (first_after != SIZE_MAX && w >= first_after)
        return usage(c, "selection rule '%s': %s is after the index date (the first window after "
                        "it is %s): people are selected by their use before it, in the before "
                        "window or one listed before that",
                     rule, name, c->windows[first_after].name);
    if (w > c->before)
        return usage(c, "selection rule '%s': %s is listed after the before window, %s: people "
                        "are selected by their use before the index date, in the before window "
                        "or one listed before that",
                     rule, name, c->windows[c->before].name);
    if (w + 1 == c->n_windows)
        return usage(c, "selection rule '%s': %s is the last window, with none after it to "
                        "follow the people it selects",
                     rule, name);
    return PS_OK;
}

ps_error_t ps_su_check_rule_counted(const ps_service_cohort_t *c)
{
    if (!c->has_rule)
        return PS_OK;
    const struct ps_service_arm_data *arm = &c->arms[PS_SERVICE_REFERRED];
    const size_t nw = c->n_windows, nm = c->definition->n_measures;
    const size_t m = c->rule.measure, w = c->rule.window;
    for (size_t p = 0; p < ps_names_count(arm->participants); p++)
        if (!isnan(arm->counts[(p * nw + w) * nm + m]))
            return PS_OK;
    return ps_diagnose(c->context, PS_ERROR_USAGE, NULL, 0, 0,
                       "selection rule '%s': no count of %s in %s was read for the people "
                       "referred, so they cannot be said to have been selected by it: give the "
                       "counts it selected by, or leave out --selected",
                       c->rule.text, c->definition->measures[m].id, c->windows[w].name);
}

static ps_error_t copy_text(ps_service_cohort_t *c, const char *given, const char *fallback,
                            const char **to)
{
    *to = ps_arena_strdup(c->arena, given ? given : fallback);
    return *to ? PS_OK : PS_ERROR_NOMEM;
}

/* The empirical-Bayes population and the interval (servicebayes.c). */
static ps_error_t counterfactual_options(ps_service_cohort_t *c, const ps_service_options_t *o)
{
    if (o->interval != PS_SERVICE_ROBUST && o->interval != PS_SERVICE_QUASI_POISSON)
        return usage(c, "interval %d: robust (%d) or quasi-Poisson (%d)", o->interval,
                     PS_SERVICE_ROBUST, PS_SERVICE_QUASI_POISSON);
    c->interval = o->interval;
    if (!o->population)
        return PS_OK;
    if (!c->has_rule)
        return usage(c, "a population for empirical Bayes needs the selection rule "
                        "(--selected): the expected counts follow from the count that chose "
                        "the people, in the window it was counted in");
    return ps_su_population_read(c->context, o->population, o->population_source, &c->csv,
                                 c->arena, &c->population);
}

/* The columns to group by: none that holds the counts, names a person or is free text. */
static ps_error_t copy_by(ps_service_cohort_t *c, const ps_service_options_t *o)
{
    if (!o->n_by)
        return PS_OK;
    if (!(c->by = ps_arena_array(c->arena, o->n_by, sizeof *c->by)) ||
        !(c->group_values = ps_arena_array(c->arena, o->n_by, sizeof *c->group_values)))
        return PS_ERROR_NOMEM;
    for (size_t b = 0; b < o->n_by; b++) {
        const char *by = o->by[b] ? o->by[b] : "";
        const char *role = !*by                                   ? "no column"
                           : ps_header_eq(by, c->id_column)       ? "the participant id column"
                           : ps_header_eq(by, c->window_column)   ? "the window column"
                           : ps_header_eq(by, c->exposure_column) ? "the exposure column"
                                                                  : NULL;
        for (size_t m = 0; m < c->definition->n_measures && !role; m++)
            if (names_measure(&c->definition->measures[m], by))
                role = "a measure's column";
        for (size_t k = 0; k < c->n_by && !role; k++)
            if (ps_header_eq(c->by[k], by))
                role = "named twice";
        if (role)
            return usage(c, "--by '%s': %s, not a column to group by (a site, a practice)", by,
                         role);
        if (ps_context_is_free_text(c->context, by))
            return usage(c,
                         "column '%s' is free text (personal data): it is never a "
                         "report's group",
                         by);
        if (!(c->by[b] = ps_arena_strdup(c->arena, by)) || !(c->group_values[b] = ps_names_new()))
            return PS_ERROR_NOMEM;
        c->n_by++;
    }
    return PS_OK;
}

ps_error_t ps_service_cohort_new(ps_context_t *context, const ps_service_definition_t *definition,
                                 const ps_service_options_t *options,
                                 ps_service_cohort_t **out)
{
    *out = NULL;
    ps_service_options_t o;
    ps_error_t err = ps_options_copy(context, options, offsetof(ps_service_options_t, encoding), &o,
                                    sizeof o, "service");
    if (err)
        return err;
    ps_service_cohort_t *c = calloc(1, sizeof *c);
    if (!c || !(c->arena = ps_arena_new())) {
        free(c);
        return PS_ERROR_NOMEM;
    }
    c->context = context;
    c->definition = definition;
    for (int a = 0; a < 2 && !err; a++)
        if (!(c->arms[a].participants = ps_names_new()))
            err = PS_ERROR_NOMEM;
    if (err || (err = copy_windows(c, &o)))
        goto done;
    if (o.before && (c->before = ps_su_window_find(c, o.before)) == SIZE_MAX) {
        err = usage(c, "--before '%s' is not one of the windows", o.before);
        goto done;
    }
    if (o.selected && (err = read_rule(c, o.selected, o.before)))
        goto done;
    if (!o.before)
        c->before = c->has_rule ? c->rule.window : 0;
    if ((err = copy_text(c, o.id_column, "participant_id", &c->id_column)) ||
        (err = copy_text(c, o.window_column, "window", &c->window_column)) ||
        (err = copy_text(c, o.exposure_column, "exposure_days", &c->exposure_column)))
        goto done;
    if ((err = copy_by(c, &o)))
        goto done;
    if (o.encoding && (err = copy_text(c, o.encoding, NULL, &c->csv.encoding)))
        goto done;
    c->csv.delimiter = o.delimiter;
    if ((err = ps_csv_check(context, &c->csv)) || (err = ps_su_events_setup(c, &o)))
        goto done;
    if (c->has_rule && (err = check_rule_window(c, o.selected)))
        goto done;
    if ((err = counterfactual_options(c, &o)))
        goto done;
    *out = c;
    c = NULL;
done:
    ps_service_cohort_free(c);
    return err;
}

void ps_service_cohort_free(ps_service_cohort_t *c)
{
    if (!c)
        return;
    for (size_t b = 0; b < c->n_by; b++)
        ps_names_free(c->group_values[b]);
    for (int a = 0; a < 2; a++) {
        ps_names_free(c->arms[a].participants);
        free(c->arms[a].groups);
        free(c->arms[a].counts);
        free(c->arms[a].exposure);
        free(c->arms[a].line);
        free(c->arms[a].file);
    }
    for (size_t f = 0; f < c->n_files; f++)
        free(c->files[f]);
    free(c->files);
    ps_arena_free(c->arena);
    free(c);
}

const char *ps_service_cohort_selection(const ps_service_cohort_t *c)
{
    return c->has_rule ? c->rule.text : NULL;
}

const char *ps_service_cohort_before(const ps_service_cohort_t *c)
{
    return c->windows[c->before].name;
}

/* ---- Reading counts. ---- */

/* What one file's header found. */
struct layout {
    size_t n_fields;
    char **header;
    size_t id, window, exposure;   /* fields; SIZE_MAX for no exposure column */
    size_t *measure_field;         /* per measure: its field, or SIZE_MAX */
    size_t *by_field;              /* per column to group by: its field, or SIZE_MAX */
};

struct read {
    ps_service_cohort_t *cohort;
    struct ps_service_arm_data *arm;
    ps_service_arm_t which;
    const char *file;
    uint32_t file_index;
    const ps_service_handlers_t *handlers;
    ps_batch_summary_t summary;
    struct layout layout;
    double *values;                /* per measure, for the row being read */
    const char **group;            /* per column to group by, for the row being read */
};

#define NO_FIELD SIZE_MAX

static ps_error_t reject(struct read *rd, unsigned long line, size_t field, const char *id,
                         const char *value, const char *reason)
{
    ps_reject_t r = {rd->file, line, field == NO_FIELD ? 0 : field + 1, id ? id : "",
                     field == NO_FIELD ? "" : rd->layout.header[field], value ? value : "",
                     reason};
    if (rd->handlers && rd->handlers->reject && rd->handlers->reject(&r, rd->handlers->user))
        return PS_ERROR_ABORTED;
    return PS_OK;
}

static ps_error_t reject_row(struct read *rd, unsigned long line, const char *id,
                             const char *reason)
{
    rd->summary.rows_rejected++;
    return reject(rd, line, NO_FIELD, id, NULL, reason);
}

const char *ps_su_clean_field(ps_csv_record_t *rec, size_t field)
{
    size_t len = rec->lengths[field];
    if (!ps_utf8_valid(rec->fields[field], len))
        return NULL;
    char *text = rec->fields[field] + (ps_trim(rec->fields[field], &len) - rec->fields[field]);
    text[len] = '\0';
    return text;
}

static ps_error_t read_header(struct read *rd, ps_csv_record_t *rec)
{
    ps_service_cohort_t *c = rd->cohort;
    const ps_service_definition_t *d = c->definition;
    struct layout *l = &rd->layout;
    ps_error_t err = ps_header_row_read(c->context, rd->file, rec, &l->header, NULL);
    if (err)
        return err;
    l->n_fields = rec->n_fields;
    l->id = l->window = l->exposure = NO_FIELD;
    if (!(l->measure_field = malloc((d->n_measures + 1) * sizeof *l->measure_field)))
        return PS_ERROR_NOMEM;
    for (size_t m = 0; m < d->n_measures; m++)
        l->measure_field[m] = NO_FIELD;
    if (!(l->by_field = malloc((c->n_by + 1) * sizeof *l->by_field)))
        return PS_ERROR_NOMEM;
    for (size_t b = 0; b < c->n_by; b++)
        l->by_field[b] = NO_FIELD;
    size_t n_measures = 0;
    for (size_t f = 0; f < l->n_fields; f++) {
        const char *h = l->header[f];
        size_t *key = ps_header_eq(h, c->id_column)         ? &l->id
                      : ps_header_eq(h, c->window_column)   ? &l->window
                      : ps_header_eq(h, c->exposure_column) ? &l->exposure
                                                            : NULL;
        for (size_t b = 0; b < c->n_by && !key; b++)
            if (ps_header_eq(h, c->by[b]))
                key = &l->by_field[b];
        if (key && *key != NO_FIELD)
            return ps_diagnose(c->context, PS_ERROR_BATCH, rd->file, rec->line, f + 1,
                               "columns '%s' and '%s' are one column", l->header[*key], h);
        if (key) {
            *key = f;
            continue;
        }
        size_t m = 0;
        while (m < d->n_measures && !names_measure(&d->measures[m], h))
            m++;
        if (m == d->n_measures) {
            ps_diagnose(c->context, PS_OK, rd->file, rec->line, f + 1,
                        "column '%s' is not a measure of %s (%s): not read", h, d->id, d->file);
            continue;
        }
        if (l->measure_field[m] != NO_FIELD)
            return ps_diagnose(c->context, PS_ERROR_BATCH, rd->file, rec->line, f + 1,
                               "columns '%s' and '%s' both hold measure '%s'",
                               l->header[l->measure_field[m]], h, d->measures[m].id);
        l->measure_field[m] = f;
        n_measures++;
    }
    if (l->id == NO_FIELD || l->window == NO_FIELD)
        return ps_diagnose(c->context, PS_ERROR_BATCH, rd->file, rec->line, 0,
                           "no column '%s': counts of service use come one row per participant "
                           "and window, with columns %s, %s, optionally %s, then a column per "
                           "measure",
                           l->id == NO_FIELD ? c->id_column : c->window_column, c->id_column,
                           c->window_column, c->exposure_column);
    for (size_t b = 0; b < c->n_by && rd->which == PS_SERVICE_REFERRED; b++)
        if (l->by_field[b] == NO_FIELD)
            return ps_diagnose(c->context, PS_ERROR_BATCH, rd->file, rec->line, 0,
                               "no column '%s' to group by (--by): each file of the people "
                               "referred gives every participant's value (empty for none)",
                               c->by[b]);
    if (!n_measures)
        return ps_diagnose(c->context, PS_ERROR_BATCH, rd->file, rec->line, 0,
                           "no column holds a measure of %s (%s): name each column by its "
                           "measure's id, e.g. %s",
                           d->id, d->file, d->n_measures ? d->measures[0].column : "");
    return PS_OK;
}

int ps_su_room_for(ps_service_cohort_t *c, struct ps_service_arm_data *arm, size_t p)
{
    if (p < arm->capacity)
        return 0;
    const size_t nw = c->n_windows, nm = c->definition->n_measures;
    size_t capacity = arm->capacity ? 2 * arm->capacity : 64;
    while (capacity <= p)
        capacity *= 2;
    double *counts = realloc(arm->counts, capacity * nw * (nm ? nm : 1) * sizeof *counts);
    if (counts)
        arm->counts = counts;
    double *exposure = realloc(arm->exposure, capacity * nw * sizeof *exposure);
    if (exposure)
        arm->exposure = exposure;
    unsigned long *line = realloc(arm->line, capacity * nw * sizeof *line);
    if (line)
        arm->line = line;
    uint32_t *file = realloc(arm->file, capacity * nw * sizeof *file);
    if (file)
        arm->file = file;
    uint32_t *groups = arm->groups;
    if (c->n_by && (groups = realloc(arm->groups, capacity * c->n_by * sizeof *groups)))
        arm->groups = groups;
    if (!counts || !exposure || !line || !file || (c->n_by && !groups))
        return -1;
    for (size_t i = arm->capacity * c->n_by; i < capacity * c->n_by; i++)
        groups[i] = PS_SU_NO_GROUP;
    for (size_t i = arm->capacity * nw; i < capacity * nw; i++) {
        exposure[i] = NAN;
        line[i] = 0;
        file[i] = 0;
    }
    for (size_t i = arm->capacity * nw * nm; i < capacity * nw * nm; i++)
        counts[i] = NAN;
    arm->capacity = capacity;
    return 0;
}

const char *ps_service_number(const char *text, unsigned flags, double *value)
{
    *value = NAN;
    const char *p = text;
    const int sign = *p == '-' || *p == '+';
    p += sign;
    size_t whole = strspn(p, "0123456789"), fraction = 0;
    if (whole && p[whole] == '.')
        fraction = 1 + strspn(p + whole + 1, "0123456789");
    const int plus = *text == '+' && !(flags & PS_SERVICE_NUMBER_SIGNED);
    if (!whole || fraction == 1 || p[whole + fraction] || plus)
        return flags & PS_SERVICE_NUMBER_FRACTION
                   ? "not a number written in decimal digits, such as 12 or 2.5 (no exponent "
                     "such as 1e3, hex such as 0x10, or separator)"
                   : "not a whole number written in decimal digits, such as 12 (no exponent "
                     "such as 1e3, hex such as 0x10, or separator)";
    double v = strtod(text, NULL);
    if (!isfinite(v))
        return "too large";
    *value = v;
    if (*text == '-' && !(flags & PS_SERVICE_NUMBER_SIGNED))
        return "a negative number";
    if (fraction && !(flags & PS_SERVICE_NUMBER_FRACTION))
        return "not a whole number";
    return NULL;
}

/* Why a cell is not a count (NULL when it is one: *value). */
static const char *read_count(const char *text, double *value)
{
    if (ps_service_number(text, 0, value)) {
        if (isnan(*value))
            return "not a number: a count is a whole number written in decimal digits, 0 or "
                   "more (no exponent such as 1e3, hex such as 0x10, or separator)";
        if (*text == '-')
            return "a count cannot be negative";
        return "not a whole number: a count is a whole number, 0 or more";
    }
    if (*value > PS_MAX_DEFINITION_MAGNITUDE)
        return "more than 1e9: not a count of one person's use";
    return NULL;
}

/* The whole days of exposure in 'text', or why not. */
static const char *read_exposure(const char *text, unsigned days, double *value, char *why,
                                 size_t size)
{
    size_t digits = strspn(text, "0123456789");
    if (!digits || text[digits] || digits > 6) {
        snprintf(why, size, "exposure '%s' is not a whole number of days", text);
        return why;
    }
    *value = strtod(text, NULL);
    if (*value > days) {
        snprintf(why, size, "exposure of %.0f days is longer than the window (%u days)", *value,
                 days);
        return why;
    }
    return NULL;
}

/* Where participant p's first row was read (the earliest file, then line), for messages. */
static void first_row(const struct read *rd, uint32_t p, const char **file, unsigned long *line)
{
    const ps_service_cohort_t *c = rd->cohort;
    const struct ps_service_arm_data *arm = rd->arm;
    size_t first = SIZE_MAX;
    for (size_t at = (size_t)p * c->n_windows; at < (size_t)(p + 1) * c->n_windows; at++)
        if (arm->line[at] &&
            (first == SIZE_MAX || arm->file[at] < arm->file[first] ||
             (arm->file[at] == arm->file[first] && arm->line[at] < arm->line[first])))
            first = at;
    *file = first == SIZE_MAX ? rd->file : c->files[arm->file[first]];
    *line = first == SIZE_MAX ? 0 : arm->line[first];
}

/*
 * The row's values of the columns to group by into rd->group (NULL where the file has no such
 * column): each must be the participant's value on their earlier rows ('known' their number,
 * or UINT32_MAX when new), and a new value must leave the column within its limit. Sets
 * *refused when it refused the row; PS_ERROR_LIMIT stops the read.
 */
static ps_error_t read_groups(struct read *rd, ps_csv_record_t *rec, const char *id, uint32_t known,
                              int *refused)
{
    ps_service_cohort_t *c = rd->cohort;
    char reason[600];
    for (size_t b = 0; b < c->n_by; b++) {
        size_t f = rd->layout.by_field[b];
        rd->group[b] = NULL;
        if (f == NO_FIELD)
            continue;
        const char *v = ps_su_clean_field(rec, f);
        if (!v) {
            rd->summary.rows_rejected++;
            *refused = 1;
            return reject(rd, rec->line, f, id, "", "not valid UTF-8 text");
        }
        rd->group[b] = v;
        uint32_t g = ps_names_find(c->group_values[b], v, strlen(v));
        uint32_t had =
            known == UINT32_MAX ? PS_SU_NO_GROUP : rd->arm->groups[(size_t)known * c->n_by + b];
        if (had != PS_SU_NO_GROUP && had != g) {
            const char *file;
            unsigned long line;
            first_row(rd, known, &file, &line);
            snprintf(reason, sizeof reason,
                     "the participant's %s is '%s' on their row at %s:%lu: a participant "
                     "is in one group",
                     c->by[b], ps_names_text(c->group_values[b], had), file, line);
            rd->summary.rows_rejected++;
            *refused = 1;
            return reject(rd, rec->line, f, id, v, reason);
        }
        if (g == UINT32_MAX && ps_names_count(c->group_values[b]) >= PS_MAX_REPORT_GROUPS)
            return ps_diagnose(c->context, PS_ERROR_LIMIT, rd->file, rec->line, f + 1,
                               "'%s' has more than %u values to group by: a report groups by "
                               "a column with few values (a site, a practice), never by one "
                               "that names people",
                               c->by[b], PS_MAX_REPORT_GROUPS);
    }
    return PS_OK;
}

static ps_error_t read_row(struct read *rd, ps_csv_record_t *rec)
{
    ps_service_cohort_t *c = rd->cohort;
    const struct layout *l = &rd->layout;
    const size_t nm = c->definition->n_measures, nw = c->n_windows;
    char reason[600];
    rd->summary.rows_read++;
    const char *id = rec->n_fields > l->id ? ps_su_clean_field(rec, l->id) : NULL;
    if (rec->fault) {
        if (rec->n_fields_found > rec->n_fields) {
            snprintf(reason, sizeof reason,
                     "ragged row: %zu fields, more than the limit of %u (the header has %zu)",
                     rec->n_fields_found, PS_MAX_COLUMNS, l->n_fields);
            return reject_row(rd, rec->line, id, reason);
        }
        rd->summary.rows_rejected++;
        snprintf(reason, sizeof reason, "%s: the row is refused", rec->fault);
        size_t at = rec->fault_column - 1;
        return reject(rd, rec->line, at < l->n_fields ? at : NO_FIELD, id,
                      at < rec->n_fields ? rec->fields[at] : "", reason);
    }
    if (rec->n_fields != l->n_fields) {
        snprintf(reason, sizeof reason, "ragged row: %zu fields, the header has %zu",
                 rec->n_fields, l->n_fields);
        return reject_row(rd, rec->line, id, reason);
    }
    if (!id)
        return reject_row(rd, rec->line, "", "participant id is not valid UTF-8 text");
    if (!*id)
        return reject_row(rd, rec->line, "", "missing participant id");
    const char *window = ps_su_clean_field(rec, l->window);
    if (!window || !*window)
        return reject_row(rd, rec->line, id,
                          window ? "missing window" : "window is not valid UTF-8 text");
    size_t w = ps_su_window_find(c, window);
    if (w == SIZE_MAX) {
        int n = snprintf(reason, sizeof reason, "window '%s' is not one of", window);
        for (size_t k = 0; k < nw && n > 0 && (size_t)n < sizeof reason; k++)
            n += snprintf(reason + n, sizeof reason - (size_t)n, "%s %s", k ? "," : "",
                          c->windows[k].name);
        if (n > 0 && (size_t)n < sizeof reason)
            snprintf(reason + n, sizeof reason - (size_t)n,
                     " (list each window with its length in days)");
        return reject_row(rd, rec->line, id, reason);
    }
    double exposure = c->windows[w].days;
    if (l->exposure != NO_FIELD) {
        const char *given = ps_su_clean_field(rec, l->exposure);
        if (!given)
            return reject_row(rd, rec->line, id, "exposure is not valid UTF-8 text");
        if (*given && read_exposure(given, c->windows[w].days, &exposure, reason, sizeof reason)) {
            rd->summary.rows_rejected++;
            return reject(rd, rec->line, l->exposure, id, given, reason);
        }
    }
    /* The participant: one row per window, and in one arm only. */
    const struct ps_service_arm_data *other = &c->arms[!rd->which];
    if (ps_names_find(other->participants, id, strlen(id)) != UINT32_MAX) {
        snprintf(reason, sizeof reason,
                 "participant is in the %s cohort too: a comparison cohort is of people not "
                 "referred",
                 rd->which == PS_SERVICE_REFERRED ? "comparison" : "referred");
        return reject_row(rd, rec->line, id, reason);
    }
    uint32_t known = ps_names_find(rd->arm->participants, id, strlen(id));
    if (known != UINT32_MAX && rd->arm->line[known * nw + w]) {
        size_t at = known * nw + w;
        snprintf(reason, sizeof reason, "a second row for window %s (the first is at %s:%lu)",
                 c->windows[w].name, c->files[rd->arm->file[at]], rd->arm->line[at]);
        return reject_row(rd, rec->line, id, reason);
    }
    int refused = 0;
    ps_error_t err = read_groups(rd, rec, id, known, &refused);
    if (err || refused)
        return err;
    /* The counts: each refused alone; a row with none is refused. */
    size_t n_counts = 0;
    for (size_t m = 0; m < nm; m++) {
        rd->values[m] = NAN;
        size_t f = l->measure_field[m];
        if (f == NO_FIELD)
            continue;
        const char *cell = ps_su_clean_field(rec, f);
        const char *why = cell ? (*cell ? read_count(cell, &rd->values[m]) : NULL)
                               : "not valid UTF-8 text";
        if (!why && exposure == 0 && rd->values[m] > 0)
            why = "events in 0 days observed (exposure_days 0): a count of events needs time "
                  "observed";
        if (why) {
            rd->values[m] = NAN;
            rd->summary.cells_rejected++;
            if ((err = reject(rd, rec->line, f, id, cell ? cell : "", why)))
                return err;
        }
        n_counts += !isnan(rd->values[m]);
    }
    if (!n_counts)
        return reject_row(rd, rec->line, id,
                          "no count in any measure column (an empty cell is not recorded)");
    uint32_t p = ps_names_intern(rd->arm->participants, id, strlen(id));
    if (p == UINT32_MAX || ps_su_room_for(c, rd->arm, p))
        return PS_ERROR_NOMEM;
    for (size_t b = 0; b < c->n_by; b++) {
        const char *v = rd->group[b];
        uint32_t g = v ? ps_names_intern(c->group_values[b], v, strlen(v)) : PS_SU_NO_GROUP;
        if (v && g == UINT32_MAX)
            return PS_ERROR_NOMEM;
        if (v)
            rd->arm->groups[(size_t)p * c->n_by + b] = g;
    }
    size_t at = (size_t)p * nw + w;
    rd->arm->exposure[at] = exposure;
    rd->arm->line[at] = rec->line;
    rd->arm->file[at] = rd->file_index;
    memcpy(rd->arm->counts + at * nm, rd->values, nm * sizeof *rd->values);
    rd->summary.rows_scored++;
    return PS_OK;
}

ps_error_t ps_su_remember_file(ps_service_cohort_t *c, const char *file, uint32_t *index)
{
    char **grown = realloc(c->files, (c->n_files + 1) * sizeof *grown);
    if (!grown)
        return PS_ERROR_NOMEM;
    c->files = grown;
    if (!(c->files[c->n_files] = strdup(file)))
        return PS_ERROR_NOMEM;
    *index = (uint32_t)c->n_files++;
    return PS_OK;
}

ps_error_t ps_service_read(ps_service_cohort_t *c, const char *file, ps_service_arm_t which,
                           const ps_service_handlers_t *handlers, ps_batch_summary_t *summary)
{
    if (which != PS_SERVICE_REFERRED && which != PS_SERVICE_COMPARISON)
        return usage(c, "ps_service_read: no such arm (%d)", (int)which);
    struct read rd = {.cohort = c, .arm = &c->arms[which], .which = which, .file = file,
                      .handlers = handlers};
    rd.summary.file = file;
    ps_csv_reader_t *reader = NULL;
    ps_csv_record_t *rec;
    ps_error_t err = ps_su_remember_file(c, file, &rd.file_index);
    if (err || (err = ps_csv_open(c->context, file, &c->csv, &reader)))
        goto done;
    if (!(rd.values = malloc((c->definition->n_measures + 1) * sizeof *rd.values)) ||
        !(rd.group = malloc((c->n_by + 1) * sizeof *rd.group))) {
        err = PS_ERROR_NOMEM;
        goto done;
    }
    if ((err = ps_csv_next(reader, &rec))) {
        err = ps_csv_report(c->context, reader);
        goto done;
    }
    if (!rec) {
        err = ps_diagnose(c->context, PS_ERROR_BATCH, file, 0, 0,
                          "empty file: counts start with a header row");
        goto done;
    }
    if ((err = read_header(&rd, rec)))
        goto done;
    int row_failed = 0;
    while (!(err = ps_csv_next(reader, &rec)) && rec)
        if ((row_failed = (err = read_row(&rd, rec)) != PS_OK))
            break;
    if (err && !row_failed && err != PS_ERROR_ABORTED && err != PS_ERROR_NOMEM)
        err = ps_csv_report(c->context, reader);
done:
    if (summary)
        *summary = rd.summary;
    ps_csv_close(reader);
    if (rd.layout.header)
        for (size_t f = 0; f < rd.layout.n_fields; f++)
            free(rd.layout.header[f]);
    free(rd.layout.header);
    free(rd.layout.measure_field);
    free(rd.layout.by_field);
    free(rd.values);
    free(rd.group);
    return err;
}

size_t ps_service_participant_count(const ps_service_cohort_t *c, ps_service_arm_t which)
{
    if (which != PS_SERVICE_REFERRED && which != PS_SERVICE_COMPARISON)
        return 0;
    return ps_names_count(c->arms[which].participants);
}

int ps_service_count(const ps_service_cohort_t *c, ps_service_arm_t which, const char *participant,
                     const char *window, size_t measure, double *count, double *exposure_days)
{
    if (count)
        *count = NAN;
    if (exposure_days)
        *exposure_days = NAN;
    if (which != PS_SERVICE_REFERRED && which != PS_SERVICE_COMPARISON)
        return 0;
    const struct ps_service_arm_data *arm = &c->arms[which];
    uint32_t p = ps_names_find(arm->participants, participant, strlen(participant));
    size_t w = ps_su_window_find(c, window);
    if (p == UINT32_MAX || w == SIZE_MAX || measure >= c->definition->n_measures)
        return 0;
    size_t at = (size_t)p * c->n_windows + w;
    double value = arm->counts[at * c->definition->n_measures + measure];
    if (exposure_days)
        *exposure_days = arm->exposure[at];
    if (count)
        *count = value;
    return !isnan(value);
}
