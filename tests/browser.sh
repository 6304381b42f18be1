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
set -u
command -v chromium >/dev/null 2>&1 ||
    { echo "browser: chromium is not installed (apt-get install chromium): skipped"; exit 77; }
for tool in pdftotext pdfinfo; do
    command -v $tool >/dev/null 2>&1 ||
        { echo "browser: $tool is not installed (apt-get install poppler-utils): skipped"; exit 77; }
done
promscore=$PROMSCORE_BIN
examples=$PROMSCORE_EXAMPLES
tmp=$(mktemp -d "${TMPDIR:-/tmp}/promscore-browser-XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
mkdir -p tests
fail() { echo "browser: $*"; exit 1; }

# Headless, with a fresh profile, and nothing of Chromium's own leaving the
# machine: its background services off, names unresolvable, and any request
# sent to a closed port on the loopback.
browse() {
    timeout 180 chromium --headless --disable-gpu --no-sandbox --no-first-run \
        --user-data-dir="$tmp/profile" --disable-background-networking \
        --disable-component-update --disable-sync --disable-default-apps --disable-extensions \
        --disable-domain-reliability --disable-client-side-phishing-detection --disable-breakpad \
        --host-resolver-rules="MAP * ~NOTFOUND" --proxy-server=http://127.0.0.1:9 \
        --proxy-bypass-list="<-loopback>" --hide-scrollbars "$@"
}

"$promscore" score -q --keep site -o "$tmp/scored.csv" "$examples/baseline.csv" \
    "$examples/followup.csv" 2>"$tmp/rejects.log"
[ $? -le 1 ] || fail "the examples could not be scored"
page=tests/browser-report.html
"$promscore" report -q -f html --by site -o "$page" "$tmp/scored.csv" || fail "no HTML report"

# Loads with no console message at all, and nothing in the DOM that fetches.
browse --enable-logging=stderr --v=0 --dump-dom "file://$(pwd)/$page" >"$tmp/dom.html" \
    2>"$tmp/console.log" || fail "chromium could not load the page"
grep -q '<h1>Cohort change report</h1>' "$tmp/dom.html" || fail "the page did not render"
if grep ':CONSOLE' "$tmp/console.log"; then
    fail "the page wrote to the console (a request refused by its policy, or an error)"
fi
if grep -Eio '(src|href|srcset|action|data)="[^"]*"|url\(|@import|<script|<iframe|<object|<embed|<link' \
    "$tmp/dom.html"; then
    fail "the page has something that would fetch"
fi
echo "browser: loads with no console message and nothing to fetch"

# Prints to A4: the headline's figures, a page for the headline and one per instrument.
browse --no-pdf-header-footer --print-to-pdf="$(pwd)/tests/browser-report.pdf" \
    "file://$(pwd)/$page" >/dev/null 2>&1 || fail "chromium could not print the page"
pdftotext -layout tests/browser-report.pdf "$tmp/report.txt" || fail "pdftotext failed"
for figure in "3.77 (1.36 to 6.17)" "56.7%" "25.0%" "Cohort change report" "Participant flow"; do
    grep -qF "$figure" "$tmp/report.txt" || fail "the PDF lacks '$figure'"
done
pages=$(pdfinfo tests/browser-report.pdf | awk '/^Pages:/ {print $2}')
size=$(pdfinfo tests/browser-report.pdf | awk '/^Page size:/ {print $3 "x" $5}')
[ "${pages:-0}" -ge 2 ] && [ "${pages:-0}" -le 8 ] || fail "$pages pages, not 2 to 8"
case $size in 59[45]*x84[12]*) ;; *) fail "pages of $size pt, not A4" ;; esac
echo "browser: prints on $pages A4 pages with the headline's figures"

browse --window-size=1000,2600 --screenshot="$(pwd)/tests/browser-report.png" \
    "file://$(pwd)/$page" >/dev/null 2>&1 || fail "no screenshot"
[ -s tests/browser-report.png ] || fail "no screenshot"
echo "browser: screenshot in tests/browser-report.png"

# A site named like a script is text.
sed 's/Dalston/<script>alert(1)<\/script>/g' "$tmp/scored.csv" >"$tmp/hostile.csv"
"$promscore" report -q -f html --by site -o "$tmp/hostile.html" "$tmp/hostile.csv" ||
    fail "no HTML report of the hostile site"
browse --enable-logging=stderr --v=0 --dump-dom "file://$tmp/hostile.html" >"$tmp/hostile-dom.html" \
    2>"$tmp/hostile-console.log" || fail "chromium could not load the hostile page"
grep -qF 'site: <bdi>&lt;script&gt;alert(1)&lt;/script&gt;</bdi>' "$tmp/hostile-dom.html" ||
    fail "the site's name is not shown as text"
if grep -i '<script' "$tmp/hostile-dom.html" || grep ':CONSOLE' "$tmp/hostile-console.log"; then
    fail "the site's name became markup"
fi
echo "browser: a site named <script>alert(1)</script> is text"

# A name too long for the page: the table wraps it, its numbers stay on the page.
long=Site_$(printf '%0200d' 0 | tr 0 x)
sed "s/Dalston/$long/g" "$tmp/scored.csv" >"$tmp/long.csv"
"$promscore" report -q -f html --by site -o "$tmp/long.html" "$tmp/long.csv" ||
    fail "no HTML report of the long name"
browse --no-pdf-header-footer --print-to-pdf="$tmp/long.pdf" "file://$tmp/long.html" \
    >/dev/null 2>&1 || fail "chromium could not print the long name's page"
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
browse --no-pdf-header-footer --print-to-pdf="$tmp/many.pdf" "file://$tmp/many.html" \
    >/dev/null 2>&1 || fail "chromium could not print forty groups"
many_pages=$(pdfinfo "$tmp/many.pdf" | awk '/^Pages:/ {print $2}')
charts=0
for page in $(seq 1 "${many_pages:-0}"); do
    pdftotext -layout -f "$page" -l "$page" "$tmp/many.pdf" "$tmp/page.txt" || fail "pdftotext failed"
    [ "$(grep -c '[^ ]' "$tmp/page.txt")" -ge 4 ] || fail "page $page holds a heading alone"
    axes=$(grep -c 'mean change in points, with its 95% confidence interval' "$tmp/page.txt")
    heads=$(grep -c 'mean (95% CI)' "$tmp/page.txt")
    [ "$axes" -eq "$heads" ] || fail "page $page has a chart of the mean change cut in two"
    charts=$((charts + axes))
done
[ "$charts" -eq 2 ] || fail "$charts charts of the mean change printed, not 2 (30 groups and 10)"
echo "browser: forty groups print on $many_pages pages, two charts of the mean change, none cut"

# Valid HTML, by the Nu HTML Checker.
jar=${VNU_JAR:-tools/node_modules/vnu-jar/build/dist/vnu.jar}
if command -v java >/dev/null 2>&1 && [ -f "$jar" ]; then
    java -jar "$jar" --errors-only "$page" "$tmp/hostile.html" "$tmp/long.html" "$tmp/many.html" ||
        fail "the page is not valid HTML"
    echo "browser: valid HTML (Nu HTML Checker)"
else
    echo "browser: the Nu HTML Checker is not installed (./bootstrap check installs it): validity not checked"
fi
