/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Search paths and the directories an empty entry in them stands for. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "builddirs.h"
#include "paths.h"

char *ps_path_expand(const char *value, const char *defaults)
{
    if (!value)
        return strdup(defaults);
    /* The defaults go in once, at the first empty entry: ":" is not them twice. */
    size_t size = strlen(value) + strlen(defaults) + 1;
    char *path = malloc(size), *end = path;
    if (!path)
        return NULL;
    int inserted = 0;
    for (const char *entry = value;; entry++) {
        size_t n = strcspn(entry, ":");
        if (n || !inserted) {
            const char *text = n ? entry : defaults;
            size_t length = n ? n : strlen(defaults);
            if (end > path)
                *end++ = ':';
            memcpy(end, text, length);
            end += length;
            inserted |= !n;
        }
        entry += n;
        if (!*entry)
            break;
    }
    *end = '\0';
    return path;
}

/*
 * Whether directory 'dir' (resolved) is one the user may trust as a build
 * tree: a directory itself, not a link to one, belonging to the user or to
 * root, and writable by no one else. A build tree's path is built into the
 * library, and the tree may have been deleted since: whoever re-creates that
 * path must not thereby choose the plugins an installed promscore loads.
 */
static int trusted_directory(const char *dir)
{
    struct stat st;
    return lstat(dir, &st) == 0 && S_ISDIR(st.st_mode) &&
           (st.st_uid == 0 || st.st_uid == geteuid()) && !(st.st_mode & (S_IWGRP | S_IWOTH));
}

int ps_path_in_build_tree(const char *exe, const char *builddir)
{
    char *name = strdup(exe), *tree = realpath(builddir, NULL), *libs = NULL, *dir = NULL;
    char *slash = name ? strrchr(name, '/') : NULL;
    int inside = 0;
    if (slash && tree && asprintf(&libs, "%s/.libs", tree) >= 0) {
        slash[slash == name] = '\0'; /* "/promscore" is in "/" */
        /* The program's own directory, by name: a link named .libs leading elsewhere is not. */
        if ((dir = realpath(name, NULL))) {
            const int in_tree = strcmp(dir, tree) == 0, in_libs = strcmp(dir, libs) == 0;
            inside = (in_tree || in_libs) && trusted_directory(tree) &&
                     (in_tree || trusted_directory(libs));
        }
    }
    free(name);
    free(dir);
    free(tree);
    free(libs);
    return inside;
}

/* Directories separated by spaces (as make lists them), resolved where they exist
 * ("build/../plugins/pam" reads better as "plugins/pam"), separated by colons. */
static char *colon_separated(const char *spaced)
{
    char *path = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&path, &size);
    if (!out)
        return NULL;
    const char *separator = "";
    for (const char *p = spaced + strspn(spaced, " "); *p; p += strspn(p, " ")) {
        int n = (int)strcspn(p, " ");
        char *dir = strndup(p, (size_t)n), *real = dir ? realpath(dir, NULL) : NULL;
        fprintf(out, "%s%s", separator, real ? real : dir ? dir : "");
        separator = ":";
        free(dir);
        free(real);
        p += n;
    }
    if (fclose(out) != 0) {
        free(path);
        return NULL;
    }
    return path;
}

char *ps_path_defaults(enum ps_path_kind kind, int *build_tree)
{
    static const char *const installed[] = {PS_PLUGINDIR, PS_INSTRUMENTDIR, PS_SCHEMADIR};
    /* Built into the library (builddirs.h), used only by a program run from that tree. */
    static const char *const built[] = {PS_BUILD_PLUGIN_DIRS, PS_BUILD_INSTRUMENT_DIRS,
                                        PS_BUILD_SCHEMA_DIR};
    char *exe = realpath("/proc/self/exe", NULL);
    *build_tree = exe && ps_path_in_build_tree(exe, PS_BUILDDIR);
    free(exe);
    return *build_tree ? colon_separated(built[kind]) : strdup(installed[kind]);
}

void ps_path_explain(const struct ps_path_origin *origin, char *text, size_t size)
{
    const char *defaults =
        origin->build_tree ? "the build tree's directories" : "the installed directories";
    switch (origin->from) {
    case PS_PATH_DEFAULT:
        snprintf(text, size,
                 "(%s; set %s to search others, an empty entry in it standing for these)", defaults,
                 origin->variable);
        break;
    case PS_PATH_FROM_VARIABLE:
        snprintf(text, size, "(from %s, in which an empty entry stands for %s: %s)",
                 origin->variable, defaults, origin->defaults);
        break;
    default:
        snprintf(text, size, "(given by the program; an empty entry in it stands for %s: %s)",
                 defaults, origin->defaults);
        break;
    }
}
