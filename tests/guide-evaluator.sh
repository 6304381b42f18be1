#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The evaluator's guide, run as written: the commands between its walkthrough
# markers are taken from docs/guide-evaluator.md and run on the export they
# describe, and what the guide says of their results is checked.
set -u
guide="$PROMSCORE_SOURCE_DIR/docs/guide-evaluator.md"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "guide-evaluator: $*" >&2; exit 1; }

# The indented lines between the markers, continuation lines joined.
sed -n '/<!-- walkthrough: begin -->/,/<!-- walkthrough: end -->/p' "$guide" |
    sed -n 's/^    //p' | sed -e ':a' -e '/\\$/N; s/\\\n//; ta' > "$work/commands"
[ "$(grep -c '^promscore ' "$work/commands")" -ge 6 ] || fail "the walkthrough lost its commands"
grep -v -e '^promscore ' -e '^sed ' "$work/commands" | grep . && fail "a line that is not a command"

cp "$PROMSCORE_SOURCE_DIR/tests/data/export/wemwbs-export-cp1252.csv" "$work/export.csv"
cd "$work" || exit 1
promscore() { "$PROMSCORE_BIN" "$@"; }
n=0
while IFS= read -r command; do
    n=$((n + 1))
    status=0
    eval "$command" > "out.$n" 2> "err.$n" < /dev/null || status=$?
    case $command in
    "promscore score "*) expected=1 ;; # the guide: one row is refused
    *) expected=0 ;;
    esac
    [ "$status" -eq "$expected" ] ||
        fail "'$command' exited $status, the guide expects $expected: $(cat "err.$n")"
done < commands

# What the guide says of the results.
[ -s batch.csv ] && ! grep -q 'Client Name\|Comments\|Ann Example' batch.csv ||
    fail "pseudonymise left a dropped column"
grep -q '999 748 5262\|9997485262' batch.csv && fail "an NHS number left in clear"
grep -q '£\|’' batch.csv || fail "batch.csv is not UTF-8 text"
[ "$(grep -c ',wemwbs\.[0-9]*,checked,' map.csv)" -eq 14 ] || fail "the map lacks its 14 checked items"
[ "$(grep -c . rejects.csv)" -eq 2 ] || fail "rejects: $(cat rejects.csv)"
grep -q ',Date of Completion,31/02/2025,not a real date (read as %d/%m/%Y): February 2025 has 28 days$' \
    rejects.csv || fail "the refused date: $(cat rejects.csv)"
head -1 scored.csv | grep -q ',date,Service - site$' || fail "scored header: $(head -1 scored.csv)"
# 20 rows: 19 scored at two scales each, one refused
[ "$(($(grep -c . scored.csv) - 1))" -eq 38 ] || fail "scored rows: $(grep -c . scored.csv)"
grep -q ',month4,wemwbs,total,' scored.csv || fail "no month4 follow-up"
grep -q 'baseline->month4' report.txt || fail "the text report compares no month4"
grep -q '<html' report.html && grep -q 'Dudley North' report.html || fail "the HTML report"
echo "guide-evaluator: the walkthrough's $n commands ran as the guide says"
