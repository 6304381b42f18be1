#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Every source file states its licence in an SPDX line near its top: C sources
# and headers, scripts, makefiles, schemas, R and Python.
set -u
top=${PROMSCORE_SOURCE_DIR:-$srcdir}
missing=$(cd "$top" && find core plugins schemas tests docs bootstrap .ci Makefile.am \
    \( -path tests/data -o -path docs/examples/plugin/.libs \) -prune -o -type f \
    \( -name '*.[ch]' -o -name '*.sh' -o -name '*.am' -o -name '*.inc' -o -name '*.R' \
       -o -name '*.py' -o -name '*.xsd' -o -name bootstrap -o -name run -o -name demo \
       -o -path docs/examples/plugin/Makefile -o -path docs/bash-completion/promscore \) \
    -print | while read -r f; do
        head -n 3 "$f" | grep -q 'SPDX-License-Identifier: GPL-3.0-or-later' || echo "$f"
    done)
if [ -n "$missing" ]; then
    echo "spdx: these files lack an SPDX-License-Identifier line:" >&2
    echo "$missing" >&2
    exit 1
fi
echo "spdx: every source file states its licence"
