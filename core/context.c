/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/xmlschemas.h>

#include "internal.h"
#include "paths.h"

/* A search path from 'variable', or the defaults when it is not set. */
static char *search_path(const char *variable, enum ps_path_kind kind,
                         struct ps_path_origin *origin)
{
    const char *value = getenv(variable);
    origin->variable = variable;
    origin->from = value ? PS_PATH_FROM_VARIABLE : PS_PATH_DEFAULT;
    origin->defaults = ps_path_defaults(kind, &origin->build_tree);
    return origin->defaults ? ps_path_expand(value, origin->defaults) : NULL;
}

/* A directory from 'variable' when it is set and not empty, else the default. */
static char *directory(const char *variable, enum ps_path_kind kind)
{
    const char *value = getenv(variable);
    int build_tree;
    return value && *value ? strdup(value) : ps_path_defaults(kind, &build_tree);
}

ps_error_t ps_context_new(ps_context_t **out)
{
    *out = NULL;
    LIBXML_TEST_VERSION
    ps_context_t *c = calloc(1, sizeof *c);
    if (!c)
        return PS_ERROR_NOMEM;
    c->plugin_path = search_path("PROMSCORE_PLUGIN_PATH", PS_PATH_PLUGINS, &c->plugin_origin);
    c->instrument_path =
        search_path("PROMSCORE_INSTRUMENT_PATH", PS_PATH_INSTRUMENTS, &c->instrument_origin);
    c->schema_dir = directory("PROMSCORE_SCHEMA_DIR", PS_PATH_SCHEMAS);
    if (!c->plugin_path || !c->instrument_path || !c->schema_dir) {
        ps_context_free(c);
        return PS_ERROR_NOMEM;
    }
    *out = c;
    return PS_OK;
}

void ps_context_free(ps_context_t *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n_instruments; i++)
        ps_definition_free(c->instruments[i]);
    free(c->instruments);
    ps_plugins_unload(c);
    ps_xml_free_schemas(c);
    free(c->plugin_path);
    free(c->instrument_path);
    free(c->schema_dir);
    free(c->plugin_origin.defaults);
    free(c->instrument_origin.defaults);
    free(c);
}

void ps_context_set_diagnostic_handler(ps_context_t *c, ps_diagnostic_fn fn, void *user)
{
    c->diagnose = fn;
    c->diagnose_user = user;
}

static ps_error_t replace(char **slot, const char *value)
{
    char *copy = strdup(value);
    if (!copy)
        return PS_ERROR_NOMEM;
    free(*slot);
    *slot = copy;
    return PS_OK;
}

ps_error_t ps_context_set_plugin_path(ps_context_t *c, const char *path)
{
    char *expanded = ps_path_expand(path, c->plugin_origin.defaults);
    if (!expanded)
        return PS_ERROR_NOMEM;
    free(c->plugin_path);
    c->plugin_path = expanded;
    c->plugin_origin.from = PS_PATH_FROM_PROGRAM;
    return PS_OK;
}

ps_error_t ps_context_set_schema_dir(ps_context_t *c, const char *dir)
{
    ps_xml_free_schemas(c);
    return replace(&c->schema_dir, dir);
}

ps_error_t ps_context_load_instrument(ps_context_t *c, const char *file,
                                      const ps_instrument_t **out)
{
    struct ps_instrument *instrument;
    ps_error_t err = ps_definition_read(c, file, &instrument);
    if (err)
        return err;
    const ps_instrument_t *same = ps_context_find_instrument(c, instrument->id);
    if (same) {
        err = ps_diagnose(c, PS_ERROR_DEFINITION, file, 0, 0,
                          "instrument '%s' is already defined in %s", instrument->id, same->file);
        ps_definition_free(instrument);
        return err;
    }
    struct ps_instrument **grown =
        realloc(c->instruments, (c->n_instruments + 1) * sizeof *grown);
    if (!grown) {
        ps_definition_free(instrument);
        return PS_ERROR_NOMEM;
    }
    c->instruments = grown;
    c->instruments[c->n_instruments++] = instrument;
    if (out)
        *out = instrument;
    return PS_OK;
}

static int has_xml_suffix(const char *name)
{
    size_t n = strlen(name);
    return n > 4 && strcmp(name + n - 4, ".xml") == 0 && name[0] != '.';
}

static ps_error_t load_directory(ps_context_t *c, const char *dir,
                                 const struct ps_path_origin *origin)
{
    struct dirent **names;
    int n = scandir(dir, &names, NULL, alphasort);
    if (n < 0) {
        const char *why = strerror(errno);
        char from[1024];
        ps_path_explain(origin, from, sizeof from);
        return ps_diagnose(c, PS_ERROR_READ, dir, 0, 0, "cannot read instrument directory: %s %s",
                           why, from);
    }
    ps_error_t err = PS_OK;
    for (int i = 0; i < n; i++) {
        if (!err && has_xml_suffix(names[i]->d_name)) {
            size_t len = strlen(dir) + strlen(names[i]->d_name) + 2;
            char *file = malloc(len);
            if (!file) {
                err = PS_ERROR_NOMEM;
            } else {
                snprintf(file, len, "%s/%s", dir, names[i]->d_name);
                err = ps_context_load_instrument(c, file, NULL);
                free(file);
            }
        }
        free(names[i]);
    }
    free(names);
    return err;
}

ps_error_t ps_context_load_instruments(ps_context_t *c, const char *path)
{
    struct ps_path_origin given = c->instrument_origin;
    if (path)
        given.from = PS_PATH_FROM_PROGRAM;
    char *dirs = path ? ps_path_expand(path, given.defaults) : strdup(c->instrument_path);
    if (!dirs)
        return PS_ERROR_NOMEM;
    ps_error_t err = PS_OK;
    char *save = NULL, **seen = NULL;
    size_t n_seen = 0;
    for (char *dir = strtok_r(dirs, ":", &save); dir && !err; dir = strtok_r(NULL, ":", &save)) {
        /* A directory named twice ("$dir:" with $dir the installed one) is read once. */
        char *real = realpath(dir, NULL);
        int again = 0;
        for (size_t i = 0; real && i < n_seen && !again; i++)
            again = strcmp(seen[i], real) == 0;
        if (again) {
            free(real);
            continue;
        }
        char **grown = real ? realloc(seen, (n_seen + 1) * sizeof *seen) : seen;
        if (real && !grown) {
            free(real);
            err = PS_ERROR_NOMEM;
            break;
        }
        seen = grown;
        if (real)
            seen[n_seen++] = real;
        err = load_directory(c, dir, &given);
    }
    for (size_t i = 0; i < n_seen; i++)
        free(seen[i]);
    free(seen);
    free(dirs);
    return err;
}

size_t ps_context_instrument_count(const ps_context_t *c)
{
    return c->n_instruments;
}

const ps_instrument_t *ps_context_instrument(const ps_context_t *c, size_t index)
{
    return index < c->n_instruments ? c->instruments[index] : NULL;
}

const ps_instrument_t *ps_context_find_instrument(const ps_context_t *c, const char *id)
{
    /* Ids are lower case (the schema's identifier): WEMWBS is wemwbs, as headers match. */
    for (size_t i = 0; i < c->n_instruments; i++)
        if (strcasecmp(c->instruments[i]->id, id) == 0)
            return c->instruments[i];
    return NULL;
}
