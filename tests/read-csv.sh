#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Scored and report CSVs read into R with the right types (skipped where R is not installed).
set -u
command -v Rscript >/dev/null 2>&1 || { echo "read-csv: Rscript is not installed: skipped"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$PROMSCORE_BIN" score -q --keep site -o "$work/scored.csv" \
    "$srcdir/docs/examples/baseline.csv" "$srcdir/docs/examples/followup.csv"
"$PROMSCORE_BIN" report -f csv -o "$work/report.csv" "$work/scored.csv" || exit 1
Rscript -e '
s <- read.csv(commandArgs(TRUE)[1]); r <- read.csv(commandArgs(TRUE)[2])
stopifnot(is.character(s$participant_id), is.numeric(s$score), is.integer(s$answered),
          is.character(s$status), is.character(s$band), is.character(s$site))
stopifnot(is.numeric(r$value), is.character(r$statistic), is.character(r$suppressed))
stopifnot(abs(s$score[s$participant_id == "CH0102" & s$scale == "swemwbs" &
                      s$timepoint == "baseline"] - 18.59) < 1e-9)
stopifnot(r$value[r$scale == "total" & r$group == "all" & r$comparison == "baseline->followup" &
                  r$statistic == "n_baseline"] == 40)
cat("read-csv: scored and report CSVs read into R with numeric scores and values\n")
' "$work/scored.csv" "$work/report.csv"
