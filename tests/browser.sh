#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The HTML report in a real browser (Debian's chromium, headless): the example
# report loads with no console message (its Content-Security-Policy turns any
# request into one) and nothing in its DOM that could fetch; it prints to A4
# PDF with the headline's numbers (pdftotext) on several pages (pdfinfo); a
# screenshot and the PDF are kept in tests/ as artefacts; a site named
# <script>alert(1)</script> is text, never markup; a site named with 205
# characters and no space leaves the table's numbers on the printed page; with
# 40 groups, no printed page holds a heading alone and each chart of the mean
# change carries its axis. The page is checked by the
# Nu HTML Checker (vnu.jar, run offline with java) when ./bootstrap check has
# installed it, or VNU_JAR names it.
name=browser
# shellcheck source-path=SCRIPTDIR source=browser-lib.sh
. "$(dirname "$0")/browser-lib.sh"

"$promscore" score -q --keep site -o "$tmp/scored.csv" "$examples/baseline.csv" \
    "$examples/followup.csv" 2>"$tmp/rejects.log"
[ $? -le 1 ] || fail "the examples could not be scored"
page=tests/browser-report.html
"$promscore" report -q -f html --by site -o "$page" "$tmp/scored.csv" || fail "no HTML report"

# Loads with no console message at all, and nothing in the DOM that fetches.
loads_cleanly "$(pwd)/$page" '<h1>Cohort change report</h1>'

# Prints to A4: the headline's figures, a page for the headline and one per instrument.
print_pdf "$(pwd)/$page" "$(pwd)/tests/browser-report.pdf" ||
    fail "chromium could not print the page"
pdftotext -layout tests/browser-report.pdf "$tmp/report.txt" || fail "pdftotext failed"
for figure in "3.77 (1.36 to 6.17)" "56.7%" "25.0%" "Cohort change report" "Participant flow"; do
    grep -qF "$figure" "$tmp/report.txt" || fail "the PDF lacks '$figure'"
done
pages=$(pages_of tests/browser-report.pdf)
[ "${pages:-0}" -ge 2 ] && [ "${pages:-0}" -le 8 ] || fail "$pages pages, not 2 to 8"
on_a4 tests/browser-report.pdf
echo "browser: prints on $pages A4 pages with the headline's figures"

screenshot "$(pwd)/$page" "$(pwd)/tests/browser-report.png"

# A site named like a script is text.
sed 's/Dalston/<script>alert(1)<\/script>/g' "$tmp/scored.csv" >"$tmp/hostile.csv"
"$promscore" report -q -f html --by site -o "$tmp/hostile.html" "$tmp/hostile.csv" ||
    fail "no HTML report of the hostile site"
as_text "$tmp/hostile.html" 'site: <bdi>&lt;script&gt;alert(1)&lt;/script&gt;</bdi>' \
    "the site's name"
echo "browser: a site named <script>alert(1)</script> is text"

# A name too long for the page: the table wraps it, its numbers stay on the page.
long=Site_$(printf '%0200d' 0 | tr 0 x)
sed "s/Dalston/$long/g" "$tmp/scored.csv" >"$tmp/long.csv"
"$promscore" report -q -f html --by site -o "$tmp/long.html" "$tmp/long.csv" ||
    fail "no HTML report of the long name"
print_pdf "$tmp/long.html" "$tmp/long.pdf" || fail "chromium could not print the long name's page"
pdftotext -layout "$tmp/long.pdf" "$tmp/long.txt" || fail "pdftotext failed"
grep -Eq '^ *site: Site_x+ +15 +4\.33 +0\.25 +8\.41 *$' "$tmp/long.txt" ||
    fail "the long-named site's paired, mean change and interval are not on the printed page"
grep -Eq '^ *Whole cohort +30 +3\.77 +1\.36 +6\.17 *$' "$tmp/long.txt" ||
    fail "the whole cohort's row is not whole on the printed page"
echo "browser: a 205-character name leaves the table's numbers on the printed page"

# Forty groups: the charts of the mean change split, each with its axis, and no page with a
# heading alone.
awk 'BEGIN {
    print "participant_id,timepoint,instrument,scale,score,band,answered,status,site"
    for (g = 1; g <= 40; g++)
        for (k = 0; k < 8; k++) {
            id = sprintf("P%03d%d", g, k); after = 42 + (g + k) % 6
            printf "%s,baseline,wemwbs,total,38,probable depression (screening),14,ok,S%d\n", id, g
            printf "%s,followup,wemwbs,total,%d,%s,14,ok,S%d\n", id, after,
                after <= 44 ? "possible depression (screening)" : "above screening cut-offs", g
        }
}' >"$tmp/many.csv"
"$promscore" report -q -f html --by site -o "$tmp/many.html" "$tmp/many.csv" ||
    fail "no HTML report of forty groups"
print_pdf "$tmp/many.html" "$tmp/many.pdf" || fail "chromium could not print forty groups"
many_pages=$(pages_of "$tmp/many.pdf")
charts=0
for page_no in $(seq 1 "${many_pages:-0}"); do
    page_text "$tmp/many.pdf" "$page_no"
    axes=$(grep -c 'mean change in points, with its 95% confidence interval' "$tmp/page.txt")
    heads=$(grep -c 'mean (95% CI)' "$tmp/page.txt")
    [ "$axes" -eq "$heads" ] || fail "page $page_no has a chart of the mean change cut in two"
    charts=$((charts + axes))
done
[ "$charts" -eq 2 ] || fail "$charts charts of the mean change printed, not 2 (30 groups and 10)"
echo "browser: forty groups print on $many_pages pages, two charts of the mean change, none cut"

# Valid HTML, by the Nu HTML Checker.
valid "$page" "$tmp/hostile.html" "$tmp/long.html" "$tmp/many.html"
