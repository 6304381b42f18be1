#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Every instrument family's folder has its build lines (plugins/NAME/Makefile.inc),
# and plugins/families.am, which Makefile.am includes, is the list
# plugins/list-families writes of them now: a new family needs nothing else.
set -u
status=0
for dir in "$PROMSCORE_SOURCE_DIR"/plugins/*/; do
    name=$(basename "$dir")
    if [ ! -f "$dir/Makefile.inc" ]; then
        echo "families: plugins/$name has no Makefile.inc"
        status=1
    fi
done
if ! sh "$PROMSCORE_SOURCE_DIR/plugins/list-families" | cmp -s - "$PROMSCORE_SOURCE_DIR/plugins/families.am"; then
    echo "families: plugins/families.am is not the list of families: run autoreconf"
    status=1
fi
grep -qx 'include $(srcdir)/plugins/families.am' "$PROMSCORE_SOURCE_DIR/Makefile.am" ||
    { echo "families: Makefile.am does not include plugins/families.am"; status=1; }
[ "$status" -eq 0 ] && echo "families: every plugins/NAME/Makefile.inc is included"
exit $status
