#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# make installcheck: the installed promscore, with no PROMSCORE_* variable set,
# finds its plugins, definitions and schemas; and a plugin built out of tree
# against the installed headers with pkg-config installs into plugindir and
# scores a batch; the licence, guides and examples are installed. Run with:
# installcheck.sh BINDIR LIBDIR SRCDIR DOCDIR
set -eu
bindir=$1 libdir=$2 srcdir=$3 docdir=$4
unset PROMSCORE_PLUGIN_PATH PROMSCORE_INSTRUMENT_PATH PROMSCORE_SCHEMA_DIR
promscore="$bindir/promscore"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "installcheck: $*" >&2; exit 1; }

"$promscore" --version
for doc in COPYING README.md NEWS.md guide-evaluator.md guide-programme-lead.md guide-developer.md \
    examples/baseline.csv examples/wemwbs-export-cp1252.csv examples/plugin/Makefile \
    examples/plugin/spread.c; do
    [ -s "$docdir/$doc" ] || fail "$docdir/$doc is not installed"
done
cmp -s "$docdir/COPYING" "$srcdir/COPYING" || fail "the installed COPYING differs"
"$promscore" instruments > "$work/instruments"
for id in wemwbs swemwbs ons4 pam domains goals; do
    grep -q "^$id " "$work/instruments" || fail "installed instruments lack $id"
done
status=0
"$promscore" score -q -o "$work/scored.csv" "$srcdir/docs/examples/baseline.csv" \
    "$srcdir/docs/examples/followup.csv" || status=$?
[ "$status" -eq 1 ] || fail "scoring the example batch: exit $status, expected 1"
grep -q '^CH0102,baseline,wemwbs,total,38,' "$work/scored.csv" || fail "unexpected scores"
"$promscore" report -o "$work/report.txt" "$work/scored.csv" || fail "report"
echo "installcheck: the installed promscore scores and reports with no environment set"

# An empty entry in a search path stands for the installed directories.
mkdir "$work/more"
PROMSCORE_INSTRUMENT_PATH="$work/more:" PROMSCORE_PLUGIN_PATH=":$work/more" "$promscore" instruments \
    > "$work/instruments" || fail "instruments with empty entries in the search paths"
grep -q '^wemwbs ' "$work/instruments" || fail "'DIR:' lacks the installed instruments"
status=0
PROMSCORE_INSTRUMENT_PATH="$work/more" "$promscore" instruments > "$work/instruments" || status=$?
[ "$status" -eq 0 ] && [ ! -s "$work/instruments" ] || fail "'DIR' alone: exit $status"
echo "installcheck: an empty entry in PROMSCORE_INSTRUMENT_PATH or PROMSCORE_PLUGIN_PATH is the installed directory"

# The out-of-tree example plugin, against the installed headers and library,
# with PKG_CONFIG_PATH on make's command line as its Makefile says.
pc_path="$libdir/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
plugindir=$(PKG_CONFIG_PATH=$pc_path pkg-config --variable=plugindir promscore)
instrumentdir=$(PKG_CONFIG_PATH=$pc_path pkg-config --variable=instrumentdir promscore)
[ "$(PKG_CONFIG_PATH=$pc_path pkg-config --variable=license promscore)" = GPL-3.0-or-later ] ||
    fail "promscore.pc does not state the licence"
cp "$srcdir/docs/examples/plugin/spread.c" "$srcdir/docs/examples/plugin/spread.xml" \
    "$srcdir/docs/examples/plugin/Makefile" "$work/"
unset MAKEFLAGS MFLAGS MAKELEVEL
make -s -C "$work" PKG_CONFIG_PATH="$pc_path"
make -s -C "$work" PKG_CONFIG_PATH="$pc_path" install
trap 'make -s -C "$work" PKG_CONFIG_PATH="$pc_path" uninstall; rm -rf "$work"' EXIT
printf 'participant_id,timepoint,spread_1,spread_2,spread_3\nP1,t0,1,5,3\n' > "$work/spread.csv"
LD_LIBRARY_PATH="$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
    "$promscore" score -q -i spread -o "$work/spread-scored.csv" "$work/spread.csv" ||
    fail "scoring with the out-of-tree plugin"
grep -q '^P1,t0,spread,spread,4,,3,ok$' "$work/spread-scored.csv" ||
    fail "out-of-tree plugin scored $(cat "$work/spread-scored.csv")"
echo "installcheck: an out-of-tree plugin built with pkg-config installs into $plugindir and scores"
