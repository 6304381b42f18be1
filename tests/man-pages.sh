#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The man pages format without warnings.
set -u
command -v man >/dev/null 2>&1 || { echo "man-pages: man is not installed: skipped"; exit 77; }
status=0
for page in promscore.1 promscore-instrument.5 promscore-plugin.3 promscore-statistics.7; do
    warnings=$(MANWIDTH=80 man --warnings -l "$srcdir/docs/$page" 2>&1 >/dev/null)
    if [ -n "$warnings" ]; then
        echo "man-pages: $page: $warnings"
        status=1
    else
        echo "man-pages: $page: no warnings"
    fi
done
exit $status
