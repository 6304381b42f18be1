/* Loading scoring plugins with libltdl. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ltdl.h>

#include "internal.h"

struct ps_plugin_handle {
    char *name;
    char *file;
    lt_dlhandle module;
    const ps_plugin_t *plugin;
};

/*
 * The first file of the plugin path named NAME.la or NAME.so, as a path
 * without the suffix for lt_dlopenext, or NULL. Plugins are opened by full
 * path so that no other search (LD_LIBRARY_PATH, the current directory)
 * can supply them.
 */
static char *find_module(const char *path, const char *name)
{
    static const char *const suffixes[] = {".la", ".so"};
    char *dirs = strdup(path);
    char *found = NULL, *save = NULL;
    if (!dirs)
        return NULL;
    for (char *dir = strtok_r(dirs, ":", &save); dir && !found; dir = strtok_r(NULL, ":", &save)) {
        for (size_t i = 0; i < 2 && !found; i++) {
            size_t len = strlen(dir) + strlen(name) + 5;
            char *candidate = malloc(len);
            if (!candidate)
                break;
            snprintf(candidate, len, "%s/%s%s", dir, name, suffixes[i]);
            if (access(candidate, F_OK) == 0) {
                candidate[strlen(candidate) - 3] = '\0';
                found = candidate;
            } else {
                free(candidate);
            }
        }
    }
    free(dirs);
    return found;
}

/*
 * A plugin is code that runs with the user's rights: anyone who can replace
 * it, or put another file of its name beside it, runs code as the user. The
 * directory the module was found in and every file libltdl may load from it
 * (NAME.la, NAME.so, and .libs/NAME.so for an uninstalled build) must not be
 * writable by others. A sticky bit does not help: in a world-writable
 * directory anyone may create the module's name before it is installed.
 * Group-writable directories are common in shared installations (staff,
 * /usr/local) and are accepted. Symbolic links are followed, as libltdl does.
 */
static ps_error_t check_writable(ps_context_t *c, const char *base, const char *name,
                                 const char *wanted_by)
{
    /* Plugin path entries are absolute: base is "/DIR/NAME", or "/NAME" with DIR the root. */
    const char *slash = strrchr(base, '/');
    size_t dir_length = slash && slash > base ? (size_t)(slash - base) : 1;
    size_t len = strlen(base) + strlen(name) + 16;
    char *path = malloc(len);
    if (!path)
        return PS_ERROR_NOMEM;
    ps_error_t err = PS_OK;
    for (int i = 0; i < 5 && !err; i++) {
        switch (i) {
        case 0: snprintf(path, len, "%.*s", (int)dir_length, base); break;
        case 1: snprintf(path, len, "%s.la", base); break;
        case 2: snprintf(path, len, "%s.so", base); break;
        case 3: snprintf(path, len, "%.*s/.libs", (int)dir_length, base); break;
        default: snprintf(path, len, "%.*s/.libs/%s.so", (int)dir_length, base, name); break;
        }
        struct stat st;
        if (stat(path, &st) != 0)
            continue; /* what is not there cannot be loaded */
        if (st.st_mode & S_IWOTH)
            err = ps_diagnose(c, PS_ERROR_PLUGIN, path, 0, 0,
                              "plugin '%s' (for %s) refused: this %s is writable by anyone "
                              "(mode %04o), and a plugin runs with your rights; "
                              "chmod o-w it",
                              name, wanted_by ? wanted_by : "promscore",
                              S_ISDIR(st.st_mode) ? "directory" : "file",
                              (unsigned)(st.st_mode & 07777));
    }
    free(path);
    return err;
}

/* Relative entries would make the plugins found depend on the current directory. */
static const char *relative_entry(const char *path)
{
    for (const char *p = path; *p; p = strchr(p, ':') ? strchr(p, ':') + 1 : "")
        if (*p != '/' && *p != ':')
            return p;
    return NULL;
}

static int plugin_name_ok(const char *name)
{
    if (!*name)
        return 0;
    for (const char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))
            return 0;
    return 1;
}

static ps_error_t check_descriptor(ps_context_t *c, const char *file, const ps_plugin_t *p,
                                   const char *name)
{
    if (!p)
        return ps_diagnose(c, PS_ERROR_PLUGIN, file, 0, 0,
                           "%s() returned no descriptor", PS_PLUGIN_ENTRY_POINT);
    /* The ABI fields come first in every version: read them before anything else. */
    if (p->abi_major != PS_PLUGIN_ABI_MAJOR || p->abi_minor > PS_PLUGIN_ABI_MINOR)
        return ps_diagnose(c, PS_ERROR_ABI, file, 0, 0,
                           "plugin built for plugin ABI %u.%u, but this promscore supports "
                           "%d.0 to %d.%d: rebuild the plugin against promscore %s",
                           p->abi_major, p->abi_minor, PS_PLUGIN_ABI_MAJOR, PS_PLUGIN_ABI_MAJOR,
                           PS_PLUGIN_ABI_MINOR, PS_VERSION);
    if (!p->name || strcmp(p->name, name) != 0)
        return ps_diagnose(c, PS_ERROR_PLUGIN, file, 0, 0,
                           "plugin calls itself '%s', expected '%s'", p->name ? p->name : "(null)",
                           name);
    for (size_t i = 0; i < p->n_methods; i++)
        if (!p->methods || !p->methods[i].name || !p->methods[i].score)
            return ps_diagnose(c, PS_ERROR_PLUGIN, file, 0, 0,
                               "method %zu has no name or no score function", i + 1);
    return PS_OK;
}

static ps_error_t load(ps_context_t *c, const char *name, const char *wanted_by,
                       struct ps_plugin_handle *h)
{
    char *base = find_module(c->plugin_path, name);
    if (!base)
        return ps_diagnose(c, PS_ERROR_PLUGIN, wanted_by, 0, 0,
                           "plugin '%s' not found in plugin path %s", name, c->plugin_path);
    ps_error_t refused = check_writable(c, base, name, wanted_by);
    if (refused) {
        free(base);
        return refused;
    }
    lt_dlhandle module = lt_dlopenext(base);
    if (!module) {
        const char *why = lt_dlerror();
        ps_error_t err = ps_diagnose(c, PS_ERROR_PLUGIN, base, 0, 0,
                                     "cannot load plugin '%s': %s", name,
                                     why ? why : "not a loadable module");
        free(base);
        return err;
    }
    const ps_plugin_t *(*entry)(void);
    *(void **)&entry = lt_dlsym(module, PS_PLUGIN_ENTRY_POINT);
    if (!entry) {
        lt_dlerror();
        ps_error_t err = ps_diagnose(c, PS_ERROR_PLUGIN, base, 0, 0,
                                     "not a promscore plugin: no %s() entry point",
                                     PS_PLUGIN_ENTRY_POINT);
        lt_dlclose(module);
        free(base);
        return err;
    }
    const ps_plugin_t *plugin = entry();
    ps_error_t err = check_descriptor(c, base, plugin, name);
    if (err) {
        lt_dlclose(module);
        free(base);
        return err;
    }
    h->name = strdup(name);
    if (!h->name) {
        lt_dlclose(module);
        free(base);
        return PS_ERROR_NOMEM;
    }
    h->file = base;
    h->module = module;
    h->plugin = plugin;
    return PS_OK;
}

ps_error_t ps_plugin_get(ps_context_t *c, const char *name, const char *wanted_by,
                         const ps_plugin_t **out)
{
    for (size_t i = 0; i < c->n_plugins; i++)
        if (strcmp(c->plugins[i].name, name) == 0) {
            *out = c->plugins[i].plugin;
            return PS_OK;
        }
    if (!plugin_name_ok(name))
        return ps_diagnose(c, PS_ERROR_PLUGIN, wanted_by, 0, 0, "invalid plugin name '%s'", name);
    if (relative_entry(c->plugin_path))
        return ps_diagnose(c, PS_ERROR_PLUGIN, wanted_by, 0, 0,
                           "plugin path %s: every directory must be absolute", c->plugin_path);
    if (c->n_plugins == 0 && lt_dlinit() != 0)
        return ps_diagnose(c, PS_ERROR_PLUGIN, NULL, 0, 0, "cannot initialise libltdl: %s",
                           lt_dlerror());
    struct ps_plugin_handle *grown = realloc(c->plugins, (c->n_plugins + 1) * sizeof *grown);
    if (!grown)
        return PS_ERROR_NOMEM;
    c->plugins = grown;
    struct ps_plugin_handle h = {0};
    ps_error_t err = load(c, name, wanted_by, &h);
    if (err) {
        if (c->n_plugins == 0)
            lt_dlexit();
        return err;
    }
    c->plugins[c->n_plugins++] = h;
    *out = h.plugin;
    return PS_OK;
}

void ps_plugins_unload(ps_context_t *c)
{
    for (size_t i = 0; i < c->n_plugins; i++) {
        lt_dlclose(c->plugins[i].module);
        free(c->plugins[i].name);
        free(c->plugins[i].file);
    }
    if (c->n_plugins)
        lt_dlexit();
    free(c->plugins);
    c->plugins = NULL;
    c->n_plugins = 0;
}
