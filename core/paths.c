/* Search paths and the directories an empty entry in them stands for. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* Whether 'dir' and 'other' resolve to one directory. */
static int same_directory(const char *dir, const char *other)
{
    char *a = realpath(dir, NULL), *b = realpath(other, NULL);
    int same = a && b && strcmp(a, b) == 0;
    free(a);
    free(b);
    return same;
}

int ps_path_in_build_tree(const char *exe, const char *builddir)
{
    char *dir = strdup(exe), *libs = NULL;
    char *slash = dir ? strrchr(dir, '/') : NULL;
    int inside = 0;
    if (slash && asprintf(&libs, "%s/.libs", builddir) >= 0) {
        slash[slash == dir] = '\0'; /* "/promscore" is in "/" */
        inside = same_directory(dir, builddir) || same_directory(dir, libs);
    }
    free(dir);
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
