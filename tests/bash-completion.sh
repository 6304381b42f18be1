#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The bash completion, with the bash-completion package's helpers loaded and with bash's
# builtins alone: commands, options and their values, column names read from the header of
# the input on the line (split at --delimiter, converted from --encoding, quoted), instrument
# ids; never a hang on a pipe, never a whole file read, never a word of the line run.
set -u
command -v bash >/dev/null 2>&1 || { echo "bash-completion: bash is not installed: skipped"; exit 77; }
script="$(cd "$srcdir" && pwd)/docs/bash-completion/promscore"
bash -n "$script" || exit 1
dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT

printf 'participant_id,timepoint,site,Client Name,"Service, site",wemwbs_1\n1,b,x,y,z,3\n' \
    >"$dir/batch.csv"
printf 'id;Client Name;NHS Number\r\n' >"$dir/semi.csv"
printf 'participant_id,timepoint,instrument,scale,score,band,answered,status,site,Team Name\n' \
    >"$dir/scored.csv"
cp "$srcdir/tests/data/export/wemwbs-export-cp1252.csv" "$dir/export.csv"
: >"$dir/secret.key"
mkfifo "$dir/fifo.csv" || exit 1
# A first line of about 650 KB and no line break: only its first 64 KiB are read.
awk 'BEGIN { for (i = 1; i <= 90000; i++) printf "c%d,", i }' >"$dir/wide.csv"
mkdir "$dir/bin" "$dir/instruments"
printf '#!/bin/sh\nprintf "alpha 1.0 (plugin scale): A\\n  items: 1\\nbeta 1.0 (plugin pam): B\\n"\n' \
    >"$dir/bin/promscore"
chmod +x "$dir/bin/promscore"
printf '<?xml version="1.0"?>\n<instrument xmlns="urn:promscore:instrument:1"\n    id="gamma" version="1.0">\n' \
    >"$dir/instruments/g.xml"

# Each case: the words, the one completed marked with a leading ^; one line of [replies] each.
cat >"$dir/cases.sh" <<'EOF'
c() {
    local w i=0 line=
    COMP_WORDS=()
    for w; do
        if [[ $w == ^* ]]; then
            w=${w:1}
            COMP_CWORD=$i
            COMP_POINT=$((${#line} + ${#w}))
        fi
        COMP_WORDS+=("$w")
        line+="$w "
        i=$((i + 1))
    done
    COMP_LINE=${line% }
    COMPREPLY=()
    _promscore
    printf '[%s]' "${COMPREPLY[@]}"
    echo
}
c promscore ^re
c promscore ^de
c promscore score ^--da
c promscore report -f ^j
c promscore score batch.csv --keep ^
c promscore score --keep ^Cl batch.csv
c promscore score --keep '^site,Cl' batch.csv
c promscore score --keep '^"Cl' batch.csv
c promscore score -k ^Se batch.csv
c promscore score ^--keep=Se batch.csv
c promscore score --date-column ^ti batch.csv
c promscore score --long '^participant_id,' batch.csv
c promscore score --delimiter ';' semi.csv -k ^N
c promscore score --delimiter=\; semi.csv -k ^
c promscore report scored.csv --by ^
c promscore report -i wemwbs batch.csv --by ^s
c promscore pseudonymise -k ^sec
c promscore pseudonymise --encoding windows-1252 export.csv --column ^NHS
c promscore pseudonymise export.csv --encoding windows-1252 --column '^"Serv'
c promscore pseudonymise export.csv --encoding windows-1252 --drop '^NHS\ Number,Cl'
c promscore pseudonymise --encoding ^w
c promscore score --encoding ^l
c promscore pseudonymise --delimiter ^
c promscore score --date-format ^%d
c promscore template --map ^bat
c promscore template --encoding ^win
c promscore score fifo.csv --keep ^
c promscore score wide.csv --keep ^c2000
c promscore score wide.csv --keep ^c89999
c promscore score '$(touch pwned)' batch.csv --keep ^x
c promscore score --delimiter '`touch pwned`' batch.csv --keep ^x
c promscore score --encoding '$(touch pwned)' batch.csv --keep ^x
PROMSCORE_INSTRUMENT_PATH=$PWD/instruments c promscore describe ^
PATH=$PWD/bin:$PATH c promscore describe ^
PATH=$PWD/bin:$PATH c promscore report -i '^alpha,b'
c promscore report -i wemwbs ^--da
c promscore report -i wemwbs batch.csv --date-column ^ti
c promscore report -i wemwbs batch.csv --long '^participant_id,s'
c promscore report -i wemwbs --date-format ^%d
EOF
expected='[report]
[describe]
[--date-column][--date-format][--date-range]
[json]
[participant_id][timepoint][site][Client\ Name][Service\,\ site][wemwbs_1]
[Client\ Name]
[site,Client\ Name]
[Client Name]
[Service\,\ site]
[Service\,\ site]
[timepoint]
[participant_id,participant_id][participant_id,timepoint][participant_id,site][participant_id,Client\ Name][participant_id,Service\,\ site][participant_id,wemwbs_1]
[NHS\ Number]
[id][Client\ Name][NHS\ Number]
[site][Team\ Name]
[site]
[secret.key]
[NHS\ Number]
[Service – site]
[NHS\ Number,Client\ Name]
[windows-1252]
[latin1]
[,][\;][\|][:][tab]
[%d/%m/%Y]
[batch.csv]
[windows-1252]
[]
[c2000]
[]
[]
[]
[]
[gamma]
[alpha][beta]
[alpha,beta]
[--date-column][--date-format][--date-range]
[timepoint]
[participant_id,site]
[%d/%m/%Y]'

status=0
run() {
    # $1: what to load first. bash --norc: no user or system completion set-up.
    out=$(cd "$dir" && PATH=/usr/bin:/bin LC_ALL=C.UTF-8 timeout 20 bash --norc -c '
        [ -n "$1" ] && . "$1"
        . "$2"
        . ./cases.sh' sh "$1" "$script" 2>&1)
    if [ "$out" != "$expected" ]; then
        echo "bash-completion ($2): unexpected completions:"
        printf '%s\n' "$out" >"$dir/got"
        printf '%s\n' "$expected" >"$dir/want"
        diff "$dir/want" "$dir/got"
        status=1
    fi
    if [ -e "$dir/pwned" ]; then
        echo "bash-completion ($2): a word of the line was run"
        status=1
    fi
}
run "" "bash alone"
helpers=/usr/share/bash-completion/bash_completion
if [ -r "$helpers" ]; then
    run "$helpers" "with bash-completion"
else
    echo "bash-completion: $helpers is not installed: checked with bash alone"
fi
[ $status = 0 ] && echo "bash-completion: commands, options, values, columns and instruments complete"
exit $status
