/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Search paths (paths.c). PROMSCORE_PLUGIN_PATH and PROMSCORE_INSTRUMENT_PATH
 * are colon-separated directories in which an empty entry (a leading or
 * trailing colon, "::", or an empty value) stands for the default directories,
 * as in MANPATH: ":/opt/more" searches the defaults, then /opt/more. The
 * defaults are the installed directories (configure's plugindir, instrumentdir
 * and schemadir) or, for a program run from the build tree it was built in
 * (build/promscore, build/.libs/promscore), that tree's own.
 */
#ifndef PROMSCORE_PATHS_H
#define PROMSCORE_PATHS_H

#include <stddef.h>

enum ps_path_kind { PS_PATH_PLUGINS, PS_PATH_INSTRUMENTS, PS_PATH_SCHEMAS };

/* Where a search path came from, for the messages about it. */
struct ps_path_origin {
    const char *variable; /* the environment variable that sets it */
    enum { PS_PATH_DEFAULT, PS_PATH_FROM_VARIABLE, PS_PATH_FROM_PROGRAM } from;
    char *defaults; /* what an empty entry stands for */
    int build_tree; /* the defaults are the build tree's */
};

/* 'value' with each empty entry replaced by 'defaults' (NULL: the defaults alone);
 * a new string, or NULL when out of memory. */
char *ps_path_expand(const char *value, const char *defaults);

/* Nonzero when the directory of the executable 'exe' (resolved) is 'builddir' (resolved)
 * or its .libs (a libtool build runs .libs/NAME through a wrapper), by name, not through
 * a link, and each is a directory of the user's or root's that no one else may write. */
int ps_path_in_build_tree(const char *exe, const char *builddir);

/* The default directories of a kind, colon-separated, as a new string (NULL when out of
 * memory); *build_tree is set when they are the build tree's. */
char *ps_path_defaults(enum ps_path_kind kind, int *build_tree);

/* What a message about a search path adds, in brackets: where the path came from and what
 * an empty entry in it stands for. */
void ps_path_explain(const struct ps_path_origin *origin, char *text, size_t size);

#endif
