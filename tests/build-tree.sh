#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The build tree's promscore run with no PROMSCORE_* variable finds that tree's
# plugins, definitions and schemas; an empty entry in PROMSCORE_INSTRUMENT_PATH
# or PROMSCORE_PLUGIN_PATH stands for them; and the message about a directory
# that cannot be read names the variable and says so.
set -u
source=$(cd "$PROMSCORE_SOURCE_DIR" && pwd -P)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "build-tree: $*"; exit 1; }
run() { env -u PROMSCORE_PLUGIN_PATH -u PROMSCORE_INSTRUMENT_PATH -u PROMSCORE_SCHEMA_DIR "$@"; }

run "$PROMSCORE_BIN" instruments > "$work/out" 2> "$work/err" || fail "instruments: $(cat "$work/err")"
grep -q '^wemwbs ' "$work/out" || fail "no wemwbs among the build tree's instruments"
grep -qx "  file: $source/plugins/wemwbs/wemwbs.xml" "$work/out" ||
    fail "wemwbs is not the source tree's: $(grep 'file:.*wemwbs.xml' "$work/out")"
echo "build-tree: build/promscore lists the source tree's instruments with no environment set"

status=0
run "$PROMSCORE_BIN" score -q -o "$work/scored.csv" "$source/docs/examples/baseline.csv" || status=$?
[ "$status" -eq 1 ] || fail "scoring the example batch: exit $status, expected 1"
grep -q '^CH0102,baseline,wemwbs,total,38,' "$work/scored.csv" || fail "unexpected scores"
echo "build-tree: and scores with the build tree's plugins"

# An empty entry adds the build tree's definitions to the test definitions.
run env PROMSCORE_INSTRUMENT_PATH=":$source/tests/data/definitions" "$PROMSCORE_BIN" instruments \
    > "$work/out" || fail "instruments with a leading empty entry"
grep -q '^wemwbs ' "$work/out" && grep -q '^reliabletest ' "$work/out" ||
    fail "':DIR' did not give the defaults and DIR: $(grep -v '^ ' "$work/out")"
run env PROMSCORE_INSTRUMENT_PATH="$source/tests/data/definitions" "$PROMSCORE_BIN" instruments \
    > "$work/out" || fail "instruments from one directory"
grep -q '^wemwbs ' "$work/out" && fail "'DIR' alone gave the defaults too"
grep -q '^reliabletest ' "$work/out" || fail "'DIR' alone did not give DIR"
run env PROMSCORE_PLUGIN_PATH="$work::$work" "$PROMSCORE_BIN" instruments > /dev/null ||
    fail "the plugins were not found through the empty entry of '$work::$work'"
echo "build-tree: an empty entry in PROMSCORE_INSTRUMENT_PATH or PROMSCORE_PLUGIN_PATH stands for the defaults"

status=0
run env PROMSCORE_INSTRUMENT_PATH="$work/none" "$PROMSCORE_BIN" instruments 2> "$work/err" ||
    status=$?
[ "$status" -eq 3 ] || fail "an unreadable instrument directory: exit $status, expected 3"
expected="promscore: $work/none: cannot read instrument directory: No such file or directory (from\
 PROMSCORE_INSTRUMENT_PATH, in which an empty entry stands for the build tree's directories:\
 $source/plugins/"
case $(cat "$work/err") in
"$expected"*"$source/plugins/wemwbs"*) ;;
*) fail "message: $(cat "$work/err")" ;;
esac
echo "build-tree: the message names PROMSCORE_INSTRUMENT_PATH and what an empty entry stands for"
