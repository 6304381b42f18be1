#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# promscore-statistics(7) says what the statistic catalogue declares: the page
# written from the table now is the page shipped.
set -u
page="$srcdir/docs/promscore-statistics.7"
if ./docs/statistics-page | diff -u "$page" -; then
    echo "statistics-page: docs/promscore-statistics.7 matches the catalogue"
else
    echo "statistics-page: docs/promscore-statistics.7 is out of date: run 'make statistics-page'"
    exit 1
fi
