#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The service-use page (promscore service -f html) in a real browser (Debian's
# chromium, headless), as tests/browser.sh checks the questionnaire report's:
# the example page loads with no console message (its Content-Security-Policy
# turns any request into one) and nothing in its DOM that could fetch; it
# prints to A4 PDF with the headline rate ratios (pdftotext), a page per
# measure; a measure labelled <script>alert(1)</script> is text, never markup;
# a screenshot and the PDF are kept in tests/ as artefacts; the page with the
# example unit costs loads as cleanly and prints its costs section, with the
# return on investment line and the bridge chart, to A4. The pages are
# checked by the Nu HTML Checker (vnu.jar, run offline with java) when
# ./bootstrap check has installed it, or VNU_JAR names it.
name=browser-service
# shellcheck source-path=SCRIPTDIR source=browser-lib.sh
. "$(dirname "$0")/browser-lib.sh"

page=tests/browser-service.html
"$promscore" service -q -f html -w pre24=365,pre12=365,post12=365 \
    -s "ae_attendances >= 6 in pre12" -c "$examples/service-comparison.csv" -o "$page" \
    "$examples/service-referred.csv" 2>"$tmp/rejects.log"
[ $? -le 1 ] && [ -s "$page" ] || fail "no service-use page"

# Loads with no console message at all, and nothing in the DOM that fetches.
loads_cleanly "$(pwd)/$page" '<h1>Service use before and after</h1>'

# Prints to A4: the selection rule and the headline rate ratios, a page per measure.
print_pdf "$(pwd)/$page" "$(pwd)/tests/browser-service.pdf" ||
    fail "chromium could not print the page"
pdftotext -layout tests/browser-service.pdf "$tmp/service.txt" || fail "pdftotext failed"
for figure in "Selection rule: ae_attendances >= 6 in pre12" "Regression to the mean" \
    "0.48 (0.37 to 0.63)" "0.98 (0.69 to 1.37)" "Lago et al., BMJ Open 2019" \
    "Rates before and after" "The earlier window"; do
    grep -qF "$figure" "$tmp/service.txt" || fail "the PDF lacks '$figure'"
done
pages=$(pages_of tests/browser-service.pdf)
[ "${pages:-0}" -ge 5 ] && [ "${pages:-0}" -le 20 ] || fail "$pages pages, not 5 to 20"
on_a4 tests/browser-service.pdf
for page_no in $(seq 1 "$pages"); do
    page_text tests/browser-service.pdf "$page_no"
    tr -d '\f' <"$tmp/page.txt" | grep '[^ ]' | tail -n 1 | grep -Eq '^ *(The earlier window: )?[a-z0-9_]+ to [a-z0-9_]+ *$' &&
        fail "page $page_no ends with a comparison's heading, its table on the next page"
done
echo "browser-service: prints on $pages A4 pages with the headline rate ratios"

screenshot "$(pwd)/$page" "$(pwd)/tests/browser-service.png"

# A measure labelled like a script is text.
measures=${PROMSCORE_SOURCE_DIR:-.}/plugins/service_use/service_use.xml
sed 's/label="A&amp;E attendances"/label="\&lt;script\&gt;alert(1)\&lt;\/script\&gt;"/' \
    "$measures" >"$tmp/hostile.xml"
grep -q 'label="&lt;script&gt;' "$tmp/hostile.xml" || fail "the hostile measures were not made"
"$promscore" service -q -f html -w pre12=365,post12=365 -m "$tmp/hostile.xml" \
    -o "$tmp/hostile.html" "$examples/service-referred.csv" 2>/dev/null
[ $? -le 1 ] || fail "no page of the hostile label"
as_text "$tmp/hostile.html" '<h2>&lt;script&gt;alert(1)&lt;/script&gt;</h2>' "the measure's label"
echo "browser-service: a measure labelled <script>alert(1)</script> is text"

# With the example unit costs: the costs section and its bridge chart load, and print to A4
# with the return on investment line.
costs_page=tests/browser-service-costs.html
"$promscore" service -q -f html -w pre24=365,pre12=365,post12=365 \
    -s "ae_attendances >= 6 in pre12" -c "$examples/service-comparison.csv" \
    --unit-costs "$examples/unit-costs-example.csv" --price-index "$examples/price-index-example.csv" \
    --price-year 2023/24 --programme-cost 60000 -o "$costs_page" \
    "$examples/service-referred.csv" 2>/dev/null
[ $? -le 1 ] && [ -s "$costs_page" ] || fail "no service-use page with costs"
load "$(pwd)/$costs_page" costs || fail "chromium could not load the page with costs"
grep -q '<h2>Costs: notional cost avoidance (not savings)</h2>' "$tmp/costs-dom.html" ||
    fail "the costs section did not render"
grep -q '<h4>From the gross fall in cost to notional cost avoidance</h4>' "$tmp/costs-dom.html" ||
    fail "the bridge chart did not render"
if grep ':CONSOLE' "$tmp/costs-console.log"; then
    fail "the page with costs wrote to the console"
fi
print_pdf "$(pwd)/$costs_page" "$tmp/costs.pdf" || fail "chromium could not print the page with costs"
pdftotext -layout "$tmp/costs.pdf" "$tmp/costs.txt" || fail "pdftotext failed"
# The return on investment, its line wrapped as the page width has it.
tr -s ' \n' ' ' <"$tmp/costs.txt" >"$tmp/costs-line.txt"
for figure in "Costs: notional cost avoidance (not savings)" \
    "Return on investment against £60,000 (over 365 days): £0.10 of notional cost avoidance per £1 (95% CI £0.02 to £0.17); P(ROI > 1) = 0.000" \
    "The return on investment £0.10 per £1 (95% CI £0.02 to £0.17)" \
    "From the gross fall in cost to notional cost avoidance"; do
    grep -qF "$figure" "$tmp/costs-line.txt" || fail "the PDF with costs lacks '$figure'"
done
on_a4 "$tmp/costs.pdf"
echo "browser-service: the page with costs loads and prints its return on investment on A4"

# Valid HTML, by the Nu HTML Checker.
valid "$page" "$tmp/hostile.html" "$costs_page"
