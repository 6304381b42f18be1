/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The library's version, for programs that may run with another than they were built with. */
#include "config.h"

#include <promscore/promscore.h>

const char *ps_version(void)
{
    return PS_VERSION;
}
