# SPDX-License-Identifier: GPL-3.0-or-later
# Sourced by tests/browser.sh and tests/browser-service.sh, 'name' set first:
# chromium and poppler-utils found (else skipped, 77), a temporary folder, and
# what both tests do to a page: load, print, screenshot and validate it.
set -u
command -v chromium >/dev/null 2>&1 ||
    { echo "$name: chromium is not installed (apt-get install chromium): skipped"; exit 77; }
for tool in pdftotext pdfinfo; do
    command -v $tool >/dev/null 2>&1 ||
        { echo "$name: $tool is not installed (apt-get install poppler-utils): skipped"; exit 77; }
done
promscore=$PROMSCORE_BIN
examples=$PROMSCORE_EXAMPLES
tmp=$(mktemp -d "${TMPDIR:-/tmp}/promscore-browser-XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
mkdir -p tests
fail() { echo "$name: $*"; exit 1; }

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

# load PAGE LABEL: PAGE (absolute) loaded; its DOM and console in $tmp/LABEL-{dom.html,console.log}.
load() {
    browse --enable-logging=stderr --v=0 --dump-dom "file://$1" >"$tmp/$2-dom.html" \
        2>"$tmp/$2-console.log"
}

# loads_cleanly PAGE HEADING: it renders with no console message, nothing in its DOM fetching.
loads_cleanly() {
    load "$1" page || fail "chromium could not load the page"
    grep -q "$2" "$tmp/page-dom.html" || fail "the page did not render"
    if grep ':CONSOLE' "$tmp/page-console.log"; then
        fail "the page wrote to the console (a request refused by its policy, or an error)"
    fi
    if grep -Eio '(src|href|srcset|action|data)="[^"]*"|url\(|@import|<script|<iframe|<object|<embed|<link' \
        "$tmp/page-dom.html"; then
        fail "the page has something that would fetch"
    fi
    echo "$name: loads with no console message and nothing to fetch"
}

# as_text PAGE MARKUP WHAT: WHAT, named like a script, shows in PAGE (absolute) as MARKUP, as text.
as_text() {
    load "$1" hostile || fail "chromium could not load the hostile page"
    grep -qF "$2" "$tmp/hostile-dom.html" || fail "$3 is not shown as text"
    if grep -i '<script' "$tmp/hostile-dom.html" || grep ':CONSOLE' "$tmp/hostile-console.log"; then
        fail "$3 became markup"
    fi
}

# print_pdf PAGE PDF: PAGE (absolute) printed.
print_pdf() {
    browse --no-pdf-header-footer --print-to-pdf="$2" "file://$1" >/dev/null 2>&1
}

# pages_of PDF: how many pages it has.
pages_of() {
    pdfinfo "$1" | awk '/^Pages:/ {print $2}'
}

# on_a4 PDF: its pages are A4.
on_a4() {
    size=$(pdfinfo "$1" | awk '/^Page size:/ {print $3 "x" $5}')
    case $size in 59[45]*x84[12]*) ;; *) fail "pages of $size pt, not A4" ;; esac
}

# page_text PDF N: page N's text in $tmp/page.txt, a page that holds more than a heading alone.
page_text() {
    pdftotext -layout -f "$2" -l "$2" "$1" "$tmp/page.txt" || fail "pdftotext failed"
    [ "$(grep -c '[^ ]' "$tmp/page.txt")" -ge 4 ] || fail "page $2 holds a heading alone"
}

# screenshot PAGE PNG: PAGE (absolute) in a window 1000 pixels wide.
screenshot() {
    browse --window-size=1000,2600 --screenshot="$2" "file://$1" >/dev/null 2>&1 ||
        fail "no screenshot"
    [ -s "$2" ] || fail "no screenshot"
    echo "$name: screenshot in ${2#"$(pwd)/"}"
}

# valid PAGE...: valid HTML, by the Nu HTML Checker when it is installed.
valid() {
    jar=${VNU_JAR:-tools/node_modules/vnu-jar/build/dist/vnu.jar}
    if command -v java >/dev/null 2>&1 && [ -f "$jar" ]; then
        java -jar "$jar" --errors-only "$@" || fail "the page is not valid HTML"
        echo "$name: valid HTML (Nu HTML Checker)"
    else
        echo "$name: the Nu HTML Checker is not installed (./bootstrap check installs it): validity not checked"
    fi
}
