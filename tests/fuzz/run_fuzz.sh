#!/bin/sh
# run_fuzz.sh FUZZER SECONDS SEED_DIR... -- a short libFuzzer run for the
# test suite.  Seeds are copied into a scratch corpus (libFuzzer writes new
# inputs into its first corpus directory; the source tree stays untouched).
# A crash leaves its reproducer in the scratch dir named on stderr.
set -eu
fuzzer=$1
seconds=$2
shift 2
work=$(mktemp -d "${TMPDIR:-/tmp}/jailmgr-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir "$work/corpus" "$work/artifacts"
for dir in "$@"; do
    find "$dir" -type f \( -name '*.yaml' -o -name '*.yml' \) -size -64k | while read -r f; do
        cp "$f" "$work/corpus/$(printf '%s' "$f" | cksum | cut -d' ' -f1).yaml"
    done
done
dict=$(dirname "$0")/manifest.dict
status=0
"$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=16384 \
    -dict="$dict" -artifact_prefix="$work/artifacts/" -print_final_stats=1 \
    "$work/corpus" 2>"$work/log" || status=$?
if [ "$status" -ne 0 ]; then
    tail -n 60 "$work/log"
    for a in "$work"/artifacts/*; do
        [ -f "$a" ] && { echo "reproducer $a:"; od -c "$a" | head -n 20; }
    done
    exit 1
fi
grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb' "$work/log" || true
echo "fuzz: no crash in ${seconds}s"
