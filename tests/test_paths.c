/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Search paths: an empty entry in PROMSCORE_PLUGIN_PATH or PROMSCORE_INSTRUMENT_PATH stands
 * for the default directories, as in MANPATH; the defaults are the build tree's only for a
 * program run from that tree; messages say where a path came from. tests/build-tree.sh runs
 * the build tree's promscore itself.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "helpers.h"
#include "internal.h"
#include "paths.h"

/* ---- Empty entries ------------------------------------------------------------ */

static void expands(const char *value, const char *expected)
{
    char *path = ps_path_expand(value, "/usr/share/d1:/opt/d2");
    cr_assert_str_eq(path, expected, "'%s'", value ? value : "(unset)");
    free(path);
}

Test(expand, an_empty_entry_stands_for_the_defaults)
{
    expands(":/a", "/usr/share/d1:/opt/d2:/a");
    expands("/a:", "/a:/usr/share/d1:/opt/d2");
    expands("/a::/b", "/a:/usr/share/d1:/opt/d2:/b");
}

Test(expand, an_empty_or_unset_value_is_the_defaults)
{
    expands("", "/usr/share/d1:/opt/d2");
    expands(NULL, "/usr/share/d1:/opt/d2");
}

Test(expand, the_defaults_go_in_once_at_the_first_empty_entry)
{
    expands(":", "/usr/share/d1:/opt/d2");
    expands("::/a::", "/usr/share/d1:/opt/d2:/a");
    expands("/a::/b:", "/a:/usr/share/d1:/opt/d2:/b");
}

Test(expand, a_path_without_empty_entries_is_kept)
{
    expands("/a", "/a");
    expands("/a:/b:relative", "/a:/b:relative");
}

/* ---- The build tree ------------------------------------------------------------- */

/* A fresh directory holding build/, build/.libs/, build/tests/.libs/, other/ and a link
 * 'link' to build/. */
static char *tree(void)
{
    char *top = test_path("tree");
    cr_assert_eq(mkdir(top, 0700), 0);
    static const char *const dirs[] = {"build", "build/.libs", "build/tests", "build/tests/.libs",
                                       "other"};
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        char *dir;
        cr_assert_geq(asprintf(&dir, "%s/%s", top, dirs[i]), 0);
        cr_assert_eq(mkdir(dir, 0700), 0);
        free(dir);
    }
    char *link;
    cr_assert_geq(asprintf(&link, "%s/link", top), 0);
    cr_assert_eq(symlink("build", link), 0);
    free(link);
    return top;
}

static int inside(const char *top, const char *exe, const char *builddir)
{
    char *e, *b;
    cr_assert_geq(asprintf(&e, "%s/%s", top, exe), 0);
    cr_assert_geq(asprintf(&b, "%s/%s", top, builddir), 0);
    int in = ps_path_in_build_tree(e, b);
    free(e);
    free(b);
    return in;
}

Test(build_tree, the_program_in_the_build_directory_or_its_libs_is_in_it)
{
    char *top = tree();
    cr_assert(inside(top, "build/promscore", "build"));
    cr_assert(inside(top, "build/.libs/lt-promscore", "build"));
    cr_assert(inside(top, "link/.libs/promscore", "build"), "symbolic links resolved");
    cr_assert(inside(top, "build/.libs/promscore", "link"));
}

Test(build_tree, a_program_elsewhere_is_not)
{
    char *top = tree();
    cr_assert_not(inside(top, "build/tests/.libs/test_cli", "build"));
    cr_assert_not(inside(top, "other/promscore", "build"));
    cr_assert_not(inside(top, "build/promscore", "missing"), "a build tree since removed");
    cr_assert_not(inside(top, "missing/promscore", "missing"));
    cr_assert_not(ps_path_in_build_tree("promscore", top), "a name without a directory");
}

/*
 * The build tree's path is built into the library and may be re-created by
 * anyone once the tree is deleted: an installed program must not take such a
 * path's plugins for its own.
 */
Test(build_tree, a_tree_others_could_have_made_is_not)
{
    char *top = tree(), *libs, *build, *bin;
    cr_assert_geq(asprintf(&build, "%s/build", top), 0);
    cr_assert_geq(asprintf(&libs, "%s/build/.libs", top), 0);
    cr_assert_geq(asprintf(&bin, "%s/other", top), 0);
    /* .libs a link to where the installed program is. */
    cr_assert_eq(rmdir(libs), 0);
    cr_assert_eq(symlink(bin, libs), 0);
    cr_assert_not(inside(top, "other/promscore", "build"), ".libs is a link");
    cr_assert_eq(unlink(libs), 0);
    cr_assert_eq(mkdir(libs, 0700), 0);
    cr_assert(inside(top, "build/.libs/promscore", "build"));
    /* Writable by others. */
    cr_assert_eq(chmod(libs, 0777), 0);
    cr_assert_not(inside(top, "build/.libs/promscore", "build"), ".libs writable by anyone");
    cr_assert_eq(chmod(libs, 0700), 0);
    cr_assert_eq(chmod(build, 0770), 0);
    cr_assert_not(inside(top, "build/.libs/promscore", "build"), "the tree writable by its group");
    cr_assert_eq(chmod(build, 0700), 0);
    /* Another user's. */
    if (geteuid() == 0) {
        cr_assert_eq(chown(libs, 65534, 65534), 0);
        cr_assert_not(inside(top, "build/.libs/promscore", "build"), ".libs another user's");
        cr_assert_eq(chown(libs, 0, 0), 0);
        cr_assert_eq(chown(build, 65534, 65534), 0);
        cr_assert_not(inside(top, "build/promscore", "build"), "the tree another user's");
        cr_assert_eq(chown(build, 0, 0), 0);
    }
    cr_assert(inside(top, "build/promscore", "build"));
    free(build);
    free(libs);
    free(bin);
}

Test(build_tree, a_program_outside_it_gets_the_installed_directories)
{
    /* This test runs from build/tests/.libs, which is not the build directory. */
    int build_tree = -1;
    char *plugins = ps_path_defaults(PS_PATH_PLUGINS, &build_tree);
    cr_assert_eq(build_tree, 0);
    cr_assert_str_eq(plugins, TEST_PLUGINDIR);
    char *instruments = ps_path_defaults(PS_PATH_INSTRUMENTS, &build_tree);
    cr_assert_str_eq(instruments, TEST_INSTRUMENTDIR);
    free(plugins);
    free(instruments);
}

/* ---- The context and its messages ---------------------------------------------- */

static ps_context_t *context_with(struct capture *c, const char *plugins, const char *instruments)
{
    if (plugins)
        cr_assert_eq(setenv("PROMSCORE_PLUGIN_PATH", plugins, 1), 0);
    else
        cr_assert_eq(unsetenv("PROMSCORE_PLUGIN_PATH"), 0);
    if (instruments)
        cr_assert_eq(setenv("PROMSCORE_INSTRUMENT_PATH", instruments, 1), 0);
    else
        cr_assert_eq(unsetenv("PROMSCORE_INSTRUMENT_PATH"), 0);
    ps_context_t *context;
    cr_assert_eq(ps_context_new(&context), PS_OK);
    test_capture_diagnostics(context, c);
    return context;
}

Test(context, the_variables_empty_entries_are_the_installed_directories)
{
    struct capture c = {0};
    ps_context_t *context = context_with(&c, "/opt/plugins:", ":/opt/instruments");
    cr_assert_str_eq(context->plugin_path, "/opt/plugins:" TEST_PLUGINDIR);
    cr_assert_str_eq(context->instrument_path, TEST_INSTRUMENTDIR ":/opt/instruments");
    ps_context_free(context);
    context = context_with(&c, "", NULL);
    cr_assert_str_eq(context->plugin_path, TEST_PLUGINDIR);
    cr_assert_str_eq(context->instrument_path, TEST_INSTRUMENTDIR);
    ps_context_free(context);
}

Test(context, a_path_the_program_sets_takes_empty_entries_too)
{
    struct capture c = {0};
    ps_context_t *context = context_with(&c, NULL, NULL);
    cr_assert_eq(ps_context_set_plugin_path(context, "::/opt/plugins"), PS_OK);
    cr_assert_str_eq(context->plugin_path, TEST_PLUGINDIR ":/opt/plugins");
    ps_context_free(context);
}

/* "$DIR:" with DIR the installed directory names it twice: its definitions are read once,
 * not refused as each defined twice. */
Test(context, a_directory_named_twice_is_read_once)
{
    struct capture c = {0};
    const char *source = getenv("PROMSCORE_SOURCE_DIR");
    cr_assert_not_null(source);
    char *path;
    cr_assert_geq(asprintf(&path, "%s/plugins/ons4:%s/plugins/ons4/../ons4/", source, source), 0);
    ps_context_t *context = context_with(&c, getenv("PROMSCORE_PLUGIN_PATH"), NULL);
    cr_assert_eq(ps_context_load_instruments(context, path), PS_OK, "%s",
                 c.n_diagnostics ? c.diagnostics[0].message : "");
    cr_assert_eq(ps_context_instrument_count(context), 1);
    cr_assert_not_null(ps_context_find_instrument(context, "ons4"));
    ps_context_free(context);
    free(path);
}

Test(messages, an_unreadable_instrument_directory_names_the_variable)
{
    struct capture c = {0};
    ps_context_t *context = context_with(&c, NULL, "/nonexistent/instruments");
    cr_assert_eq(ps_context_load_instruments(context, NULL), PS_ERROR_READ);
    cr_assert_eq(c.n_diagnostics, 1);
    cr_assert_str_eq(c.diagnostics[0].file, "/nonexistent/instruments");
    cr_assert_str_eq(c.diagnostics[0].message,
                     "cannot read instrument directory: No such file or directory (from "
                     "PROMSCORE_INSTRUMENT_PATH, in which an empty entry stands for the "
                     "installed directories: " TEST_INSTRUMENTDIR ")");
    ps_context_free(context);
}

Test(messages, an_instrument_path_the_program_gives_is_named_so)
{
    struct capture c = {0};
    ps_context_t *context = context_with(&c, NULL, "/not/used");
    cr_assert_eq(ps_context_load_instruments(context, "/nonexistent/given"), PS_ERROR_READ);
    cr_assert_str_eq(c.diagnostics[0].file, "/nonexistent/given");
    cr_assert_str_eq(c.diagnostics[0].message,
                     "cannot read instrument directory: No such file or directory (given by the "
                     "program; an empty entry in it stands for the installed directories: "
                     TEST_INSTRUMENTDIR ")");
    ps_context_free(context);
}

Test(messages, a_plugin_not_found_names_the_variable)
{
    struct capture c = {0};
    ps_context_t *context = context_with(&c, "/nonexistent/plugins", NULL);
    cr_assert_eq(ps_context_load_instrument(context, test_data("definitions/lower.xml"), NULL),
                 PS_ERROR_PLUGIN);
    cr_assert_str_eq(c.diagnostics[0].message,
                     "plugin 'scale' not found in plugin path /nonexistent/plugins (from "
                     "PROMSCORE_PLUGIN_PATH, in which an empty entry stands for the installed "
                     "directories: " TEST_PLUGINDIR ")");
    ps_context_free(context);
}

Test(messages, without_the_variable_the_message_says_how_to_set_it)
{
    struct ps_path_origin origin = {"PROMSCORE_PLUGIN_PATH", PS_PATH_DEFAULT, "/usr/lib/p", 0};
    char text[512];
    ps_path_explain(&origin, text, sizeof text);
    cr_assert_str_eq(text, "(the installed directories; set PROMSCORE_PLUGIN_PATH to search "
                           "others, an empty entry in it standing for these)");
    origin.build_tree = 1;
    origin.from = PS_PATH_FROM_VARIABLE;
    ps_path_explain(&origin, text, sizeof text);
    cr_assert_str_eq(text, "(from PROMSCORE_PLUGIN_PATH, in which an empty entry stands for the "
                           "build tree's directories: /usr/lib/p)");
}
