#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The out-of-tree example plugin's Makefile (docs/examples/plugin) against the
# build tree, described by a promscore.pc of its own: PKG_CONFIG_PATH given on
# make's command line reaches pkg-config, the plugin installs into the .pc's
# plugindir and scores through an empty entry in the search paths, and without
# promscore found nothing is built or installed. tests/installcheck.sh does the
# same against an installed promscore.
set -u
command -v make >/dev/null 2>&1 && command -v pkg-config >/dev/null 2>&1 ||
    { echo "plugin-makefile: make or pkg-config is not installed: skipped"; exit 77; }
source=$(cd "$PROMSCORE_SOURCE_DIR" && pwd -P)
build=$(cd "$(dirname "$PROMSCORE_BIN")" && pwd -P)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "plugin-makefile: $*"; exit 1; }
# The outer make's flags and variables are not the plugin author's.
unset MAKEFLAGS MFLAGS MAKELEVEL DESTDIR
# pkg-config searches PKG_CONFIG_PATH alone, never an installed promscore.pc.
PKG_CONFIG_LIBDIR=$work/nothing
export PKG_CONFIG_LIBDIR
mkdir "$work/src" "$work/pc" "$work/nothing"
cp "$source/docs/examples/plugin/Makefile" "$source/docs/examples/plugin/spread.c" \
    "$source/docs/examples/plugin/spread.xml" "$work/src/"
cat > "$work/pc/promscore.pc" <<PC
prefix=$work/prefix
plugindir=\${prefix}/plugins
instrumentdir=\${prefix}/instruments
Name: promscore
Description: promscore's build tree
Version: 0
Cflags: -I$source/core -I$build/core
Libs: -L$build/core/.libs -lpromscore
PC

make -s -C "$work/src" PKG_CONFIG_PATH="$work/pc" > "$work/log" 2>&1 ||
    fail "make PKG_CONFIG_PATH=...: $(cat "$work/log")"
make -s -C "$work/src" PKG_CONFIG_PATH="$work/pc" DESTDIR="$work/dest" install > "$work/log" 2>&1 ||
    fail "make PKG_CONFIG_PATH=... install: $(cat "$work/log")"
plugins=$work/dest$work/prefix/plugins instruments=$work/dest$work/prefix/instruments
[ -f "$plugins/spread.so" ] && [ -f "$instruments/spread.xml" ] ||
    fail "installed: $(cd "$work/dest" && find . -type f)"
echo "plugin-makefile: make PKG_CONFIG_PATH=... builds and installs into the .pc's directories"

printf 'participant_id,timepoint,spread_1,spread_2,spread_3\nP1,t0,1,5,3\n' > "$work/spread.csv"
env -u PROMSCORE_SCHEMA_DIR PROMSCORE_PLUGIN_PATH=":$plugins" PROMSCORE_INSTRUMENT_PATH=":$instruments" \
    "$PROMSCORE_BIN" score -q -i spread -o "$work/scored.csv" "$work/spread.csv" ||
    fail "scoring with the plugin"
grep -qx 'P1,t0,spread,spread,4,,3,ok' "$work/scored.csv" || fail "scored $(cat "$work/scored.csv")"
echo "plugin-makefile: the plugin scores, found after the defaults through ':DIR'"

# spread.so is built: make install alone stops, where it once installed /spread.so.
status=0
make -s -C "$work/src" PKG_CONFIG_PATH="$work/nothing" DESTDIR="$work/refused" install \
    > "$work/log" 2>&1 || status=$?
[ "$status" -ne 0 ] || fail "make install without promscore found succeeded"
grep -q "^pkg-config cannot find promscore (PKG_CONFIG_PATH='$work/nothing'): install promscore," \
    "$work/log" || fail "message: $(cat "$work/log")"
[ ! -e "$work/refused" ] || fail "installed: $(find "$work/refused" -type f)"
make -s -C "$work/src" clean
status=0
make -s -C "$work/src" PKG_CONFIG_PATH="$work/nothing" > "$work/log" 2>&1 || status=$?
[ "$status" -ne 0 ] && grep -q "^pkg-config cannot find promscore" "$work/log" ||
    fail "make without promscore found: exit $status, $(cat "$work/log")"
[ ! -e "$work/src/spread.so" ] || fail "spread.so was built"
echo "plugin-makefile: without promscore found, make and make install stop, saying why"
