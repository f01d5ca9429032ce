#!/bin/sh
# test.sh -- set up, build (with AddressSanitizer and UBSan) and run every
# test: unit, lint corpus, integration and security suites (real jails, as
# root), and short fuzz runs.  Ends with one line: "N passed, N failed".
#
#   scripts/test.sh [SUITE...]      e.g. scripts/test.sh unit lint
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)
build=$here/build-test
# -O1 and line-table debug info (-g1): what the sanitizers need for exact
# reports, at a third of the compile time of -O2 -g on two cores.
"$here/scripts/setup.sh" build-test -Dbuildtype=plain -Doptimization=1 -Ddebug=false \
    -Dc_args=-g1 -Dcpp_args=-g1 -Db_sanitize=address,undefined -Db_lundef=false

suites=
for s in "$@"; do suites="$suites --suite $s"; done

# meson's own exit status says whether anything failed; the summary line
# counts individual tests from its machine-readable log.
status=0
# shellcheck disable=SC2086
meson test -C "$build" --print-errorlogs --num-processes 1 $suites || status=$?

log=$build/meson-logs/testlog.json
passed=$(grep -c '"result": "OK"' "$log" || true)
skipped=$(grep -c '"result": "SKIP"' "$log" || true)
total=$(grep -c '"result": ' "$log" || true)
failed=$((total - passed - skipped))
[ "$skipped" -gt 0 ] && echo "($skipped skipped)"
echo "$passed passed, $failed failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
