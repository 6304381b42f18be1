/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Loading scoring plugins with libltdl. */
#include "config.h"

#include <errno.h>
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

static int exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

/*
 * The shared object of plugin NAME: in the first directory of the plugin
 * path holding NAME.so, an uninstalled libtool build's .libs/NAME.so, or
 * NAME.la, the file DIR/NAME.so or else DIR/.libs/NAME.so. A .la is never
 * read: it may name any file (dlname, libdir) for libltdl to load, outside
 * every directory checked; a directory with only the .la is refused.
 * Plugins are opened by full path so that no other search (LD_LIBRARY_PATH,
 * the current directory) can supply them.
 */
static ps_error_t find_module(ps_context_t *c, const char *name, const char *wanted_by,
                              char **dir_out, char **so_out)
{
    char *dirs = strdup(c->plugin_path), *save = NULL;
    if (!dirs)
        return PS_ERROR_NOMEM;
    ps_error_t err = PS_OK;
    for (char *dir = strtok_r(dirs, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
        char *so = NULL, *libs = NULL, *la = NULL;
        if (asprintf(&so, "%s/%s.so", dir, name) < 0 ||
            asprintf(&libs, "%s/.libs/%s.so", dir, name) < 0 ||
            asprintf(&la, "%s/%s.la", dir, name) < 0) {
            free(so), free(libs), free(la);
            err = PS_ERROR_NOMEM;
            break;
        }
        char *found = exists(so) ? so : exists(libs) ? libs : NULL;
        if (found) {
            *so_out = found;
            *dir_out = strdup(dir);
            free(found == so ? libs : so);
            free(la);
            if (!*dir_out) {
                free(*so_out);
                err = PS_ERROR_NOMEM;
            }
            free(dirs);
            return err;
        }
        if (exists(la))
            err = ps_diagnose(c, PS_ERROR_PLUGIN, la, 0, 0,
                              "plugin '%s' (for %s) refused: no %s.so or .libs/%s.so beside "
                              "its .la; a plugin is loaded from its shared object only, never "
                              "where a .la points",
                              name, wanted_by ? wanted_by : "promscore", name, name);
        free(so), free(libs), free(la);
        if (err)
            break;
    }
    free(dirs);
    if (!err) {
        char from[1024];
        ps_path_explain(&c->plugin_origin, from, sizeof from);
        err = ps_diagnose(c, PS_ERROR_PLUGIN, wanted_by, 0, 0,
                          "plugin '%s' not found in plugin path %s %s", name, c->plugin_path, from);
    }
    return err;
}

/* A plugin, and the directories it is found in, must be the user's own or root's. */
static int trusted_owner(uid_t uid)
{
    return uid == 0 || uid == geteuid();
}

/*
 * Directory 'dir' and every one above it (resolved paths). 'dir' and the
 * plugin path's directory 'entry' may not be writable by others at all;
 * those above them may be if they are sticky and owned by root.
 */
static ps_error_t check_directories(ps_context_t *c, const char *name, const char *by,
                                    const char *dir, const char *entry)
{
    char *path = strdup(dir);
    if (!path)
        return PS_ERROR_NOMEM;
    ps_error_t err = PS_OK;
    for (int first = 1; !err; first = 0) {
        int plugin_directory = first || strcmp(path, entry) == 0;
        struct stat st;
        if (stat(path, &st) != 0)
            err = ps_diagnose(c, PS_ERROR_PLUGIN, path, 0, 0,
                              "plugin '%s' (for %s): cannot examine: %s", name, by,
                              strerror(errno));
        else if (plugin_directory && !trusted_owner(st.st_uid))
            err = ps_diagnose(c, PS_ERROR_PLUGIN, path, 0, 0,
                              "plugin '%s' (for %s) refused: this directory belongs to another "
                              "user (uid %lu), who could put other code in the plugin's place",
                              name, by, (unsigned long)st.st_uid);
        else if ((st.st_mode & S_IWOTH) &&
                 (plugin_directory || !(st.st_mode & S_ISVTX) || st.st_uid != 0))
            err = ps_diagnose(c, PS_ERROR_PLUGIN, path, 0, 0,
                              plugin_directory
                                  ? "plugin '%s' (for %s) refused: this directory is writable by "
                                    "anyone (mode %04o), and a plugin runs with your rights; "
                                    "chmod o-w it"
                                  : "plugin '%s' (for %s) refused: this directory above it is "
                                    "writable by anyone (mode %04o), so anyone could move the "
                                    "plugin's directory away and put another in its place; "
                                    "chmod o-w it (only a sticky directory owned by root, "
                                    "such as /tmp, is safe)",
                              name, by, (unsigned)(st.st_mode & 07777));
        char *slash = strrchr(path, '/');
        if (!slash || strcmp(path, "/") == 0)
            break;
        slash[slash == path] = '\0'; /* "/a" becomes "/", "/a/b" becomes "/a" */
    }
    free(path);
    return err;
}

/*
 * A plugin is code that runs with the user's rights: anyone who can replace
 * it, or put another file of its name beside it, runs code as the user. The
 * shared object (symbolic links resolved) must be a regular file not writable
 * by others; so must its directory and the plugin path's directory it was
 * found from (a sticky bit does not help there: in a world-writable directory
 * anyone may create the module's name before it is installed). Every
 * directory above them must not be writable by others either, or anyone could
 * move the plugin's directory away and put their own in its place, unless it
 * is sticky and owned by root (/tmp): then only root and its entries' owners
 * may rename them. The file and those two directories must belong to the user
 * or to root: their owner could change them whatever their mode. Group-writable directories are common in shared
 * installations (staff, /usr/local) and are accepted. Returns the resolved
 * path in 'real': the file checked is the file opened.
 */
static ps_error_t check_module(ps_context_t *c, const char *name, const char *wanted_by,
                               const char *dir, const char *so, char **real)
{
    const char *by = wanted_by ? wanted_by : "promscore";
    char *real_dir = NULL;
    ps_error_t err = PS_OK;
    if (!(*real = realpath(so, NULL)) || !(real_dir = realpath(dir, NULL))) {
        err = ps_diagnose(c, PS_ERROR_PLUGIN, *real ? dir : so, 0, 0,
                          "plugin '%s' (for %s): cannot resolve: %s", name, by, strerror(errno));
        goto cleanup;
    }
    struct stat st;
    if (stat(*real, &st) != 0) {
        err = ps_diagnose(c, PS_ERROR_PLUGIN, *real, 0, 0, "plugin '%s' (for %s): cannot examine: %s",
                          name, by, strerror(errno));
        goto cleanup;
    }
    if (!S_ISREG(st.st_mode)) {
        err = ps_diagnose(c, PS_ERROR_PLUGIN, *real, 0, 0,
                          "plugin '%s' (for %s) refused: not a regular file", name, by);
        goto cleanup;
    }
    if (st.st_mode & S_IWOTH) {
        err = ps_diagnose(c, PS_ERROR_PLUGIN, *real, 0, 0,
                          "plugin '%s' (for %s) refused: this file is writable by anyone "
                          "(mode %04o), and a plugin runs with your rights; chmod o-w it",
                          name, by, (unsigned)(st.st_mode & 07777));
        goto cleanup;
    }
    if (!trusted_owner(st.st_uid)) {
        err = ps_diagnose(c, PS_ERROR_PLUGIN, *real, 0, 0,
                          "plugin '%s' (for %s) refused: this file belongs to another user "
                          "(uid %lu), who could change the code that runs with your rights; "
                          "install it as yourself or as root",
                          name, by, (unsigned long)st.st_uid);
        goto cleanup;
    }
    /* The file's directories up to the root; and the path entry's, when the file is elsewhere. */
    char *parent = strdup(*real);
    if (!parent) {
        err = PS_ERROR_NOMEM;
        goto cleanup;
    }
    char *slash = strrchr(parent, '/');
    slash[slash == parent] = '\0';
    err = check_directories(c, name, by, parent, real_dir);
    size_t n = strlen(real_dir);
    if (!err && !(strncmp(*real, real_dir, n) == 0 && (*real)[n] == '/'))
        err = check_directories(c, name, by, real_dir, real_dir);
    free(parent);
cleanup:
    free(real_dir);
    if (err) {
        free(*real);
        *real = NULL;
    }
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
    char *dir = NULL, *so = NULL, *base = NULL;
    ps_error_t refused = find_module(c, name, wanted_by, &dir, &so);
    if (!refused)
        refused = check_module(c, name, wanted_by, dir, so, &base);
    free(dir);
    free(so);
    if (refused)
        return refused;
    /* The exact file checked: lt_dlopen with a path opens that file, reading no .la. */
    lt_dlhandle module = lt_dlopen(base);
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
