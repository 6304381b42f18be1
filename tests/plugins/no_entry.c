/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A module that is not a promscore plugin: it lacks the promscore_plugin() entry point. */
int something_else(void);

int something_else(void)
{
    return 42;
}
