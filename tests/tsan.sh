#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The command line's paths that stop early, run under ThreadSanitizer: a
# refused header with --keep (many times, and pinned to one CPU), a handler
# that aborts (outputs on /dev/full), a batch on a pipe (one that ends, and
# one that never does while the run stops), and a parse error late in a long
# batch. Any ThreadSanitizer report, or an unexpected exit status, fails.
#   tests/tsan.sh PROMSCORE   (built with -fsanitize=thread; plugins and
#                              definitions found through the environment)
# 'make tsan-check' runs it with the build tree's plugins; ./bootstrap check
# builds build-tsan/ for it.
set -u
promscore=$1
work=$(mktemp -d "${TMPDIR:-/tmp}/promscore-tsan-XXXXXX")
trap 'rm -rf "$work"' EXIT
TSAN_OPTIONS="halt_on_error=1 exitcode=66 ${TSAN_OPTIONS:-}"
export TSAN_OPTIONS
failures=0
runs=0

# check WANT NAME COMMAND...: the command exits WANT and ThreadSanitizer said nothing.
check() {
    want=$1
    name=$2
    shift 2
    runs=$((runs + 1))
    "$@" >"$work/out" 2>"$work/err"
    got=$?
    if grep -q "ThreadSanitizer" "$work/err" || [ "$got" != "$want" ]; then
        echo "tsan: $name: exit $got (want $want)"
        sed -n 1,80p "$work/err"
        failures=$((failures + 1))
    fi
}

header="participant_id,timepoint,site"
i=1
while [ $i -le 14 ]; do
    header="$header,wemwbs_$i"
    i=$((i + 1))
done
# rows N: N rows of answers, some refused
rows() {
    awk -v n="$1" 'BEGIN { for (r = 0; r < n; r++) {
        printf "P%07d,t%d,site%d", r, r % 3, r % 7
        for (i = 0; i < 14; i++) printf ",%d", 1 + (r * 7 + i * 3) % (r % 97 ? 5 : 6)
        printf "\n" } }'
}
{ echo "$header"; rows 200000; } >"$work/big.csv"
{ cat "$work/big.csv"; echo 'P-last,t0,"site0,1,1,1,1,1,1,1,1,1,1,1,1,1,1'; } >"$work/late.csv"
{ echo "participant_id,timepoint,site,SITE$(echo "$header" | sed 's/^participant_id,timepoint,site//')"
  rows 20000 | sed 's/,site/,a,b/'; } >"$work/site.csv"

pin=
command -v taskset >/dev/null 2>&1 && pin="taskset -c 0"
n=0
while [ $n -lt 20 ]; do
    check 3 "refused header with --keep" "$promscore" score -q --keep site -o "$work/s.csv" "$work/site.csv"
    [ -n "$pin" ] && check 3 "refused header with --keep, one CPU" \
        $pin "$promscore" score -q --keep site -o "$work/s.csv" "$work/site.csv"
    n=$((n + 1))
done
check 1 "a whole batch" "$promscore" score -q --keep site -o "$work/s.csv" -r "$work/r.csv" "$work/big.csv"
check 3 "scores to /dev/full" "$promscore" score -q -o /dev/full "$work/big.csv"
check 3 "rejects to /dev/full" "$promscore" score -q -o "$work/s.csv" -r /dev/full "$work/big.csv"
check 3 "a parse error late in a long batch" "$promscore" score -q -o "$work/s.csv" "$work/late.csv"
check 1 "a batch on a pipe" sh -c "cat '$work/big.csv' | '$promscore' score -q -o '$work/s.csv' -"
# The run stops while the batch's writer keeps the pipe open: no waiting for it.
mkfifo "$work/fifo"
sleep 120 >"$work/fifo" &
holder=$!
cat "$work/big.csv" >"$work/fifo" &
check 3 "a pipe left open while the run stops" timeout 60 "$promscore" score -q -o /dev/full "$work/fifo"
kill "$holder" 2>/dev/null
wait

if [ $failures -ne 0 ]; then
    echo "tsan: $failures of $runs runs failed"
    exit 1
fi
echo "tsan: $runs runs, no ThreadSanitizer report"
