#!/bin/sh
# The bash completion parses, and completes promscore's commands and its -f formats.
set -u
command -v bash >/dev/null 2>&1 || { echo "bash-completion: bash is not installed: skipped"; exit 77; }
bash -n "$srcdir/docs/bash-completion/promscore" || exit 1
out=$(bash -c '
    _init_completion() { cur=${COMP_WORDS[COMP_CWORD]}; prev=${COMP_WORDS[COMP_CWORD-1]};
                         words=("${COMP_WORDS[@]}"); cword=$COMP_CWORD; }
    _filedir() { :; }
    . "$1"
    COMP_WORDS=(promscore re); COMP_CWORD=1; _promscore; echo "${COMPREPLY[*]}"
    COMP_WORDS=(promscore report -f j); COMP_CWORD=3; _promscore; echo "${COMPREPLY[*]}"
' sh "$srcdir/docs/bash-completion/promscore")
echo "$out"
[ "$out" = "report
json" ] || { echo "bash-completion: unexpected completions"; exit 1; }
echo "bash-completion: completes commands and formats"
