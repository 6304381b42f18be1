#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Every instrument family's folder has its build lines (plugins/NAME/Makefile.inc),
# and Makefile.am includes each: automake cannot include a wildcard.
set -u
status=0
for dir in "$PROMSCORE_SOURCE_DIR"/plugins/*/; do
    name=$(basename "$dir")
    if [ ! -f "$dir/Makefile.inc" ]; then
        echo "families: plugins/$name has no Makefile.inc"
        status=1
    elif ! grep -qx "include \$(srcdir)/plugins/$name/Makefile.inc" "$PROMSCORE_SOURCE_DIR/Makefile.am"; then
        echo "families: Makefile.am does not include plugins/$name/Makefile.inc"
        status=1
    fi
done
[ "$status" -eq 0 ] && echo "families: every plugins/NAME/Makefile.inc is included"
exit $status
