#!/bin/sh
# run.sh -- scrape latency and RSS of `jailmgr exporter` with JAILS real jails
# of 3 supervised services each, next to prometheus-node-exporter scraped the
# same way on the same host in the same run.  As root, from a release build:
#
#   bench/telemetry/run.sh            # JAILS=100 COUNT=300 BUILD=build-rel
#
# Everything lives in its own --root-dir under /tmp and is taken down at the
# end, also when the run fails or is interrupted.
set -eu

here=$(cd "$(dirname "$0")/../.." && pwd)
jails=${JAILS:-100}
count=${COUNT:-300}
build=${BUILD:-$here/build-rel}
case $build in /*) ;; *) build=$here/$build ;; esac

if [ ! -f "$build/build.ninja" ]; then
    meson setup "$build" "$here" -Dbuildtype=release >/dev/null
fi
ninja -C "$build" cli/jailmgr >/dev/null
jailmgr=$build/cli/jailmgr
for tool in /usr/bin/prometheus-node-exporter /usr/bin/python3; do
    [ -x "$tool" ] || { echo "bench: $tool is missing; run scripts/setup.sh" >&2; exit 2; }
done

root=$(mktemp -d /tmp/jailmgr-bench-telemetry-XXXXXX)
exporter_pid=
node_pid=
# Runs with errexit off: a killed exporter's status must not stop it before
# the jails are taken down.
cleanup() {
    set +e
    for pid in $exporter_pid $node_pid; do
        kill "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    done
    if "$jailmgr" --root-dir "$root" down -f "$root/jails.yaml" >"$root/down.log" 2>&1; then
        rm -rf "$root"
    else
        echo "bench: jailmgr down failed (see $root/down.log); jails may remain under --root-dir $root" >&2
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# JAILS jails, each with three long-running services and limits, so every
# series is present (the limits, the state sets, the restart counters).
{
    printf 'version: 1\nproject: bench\ndefaults:\n  user: "65534:65534"\n'
    printf '  limits: {memory: 64MiB, pids: 32, cpus: 0.25}\njails:\n'
    i=0
    while [ "$i" -lt "$jails" ]; do
        printf '  j%03d:\n    services:\n' "$i"
        for s in a b c; do
            printf '      %s: {command: ["sleep", "100000"]}\n' "$s"
        done
        i=$((i + 1))
    done
} >"$root/jails.yaml"

start=$(date +%s%N)
"$jailmgr" --root-dir "$root" apply -f "$root/jails.yaml" >"$root/apply.log" 2>&1 \
    || { cat "$root/apply.log" >&2; exit 1; }
echo "bench: applied $jails jails x 3 services in $((($(date +%s%N) - start) / 1000000)) ms" >&2

# Wait for a port from a server that logs it (or that we chose).
wait_http() {
    for _ in $(seq 200); do
        curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
        sleep 0.05
    done
    echo "bench: nothing answers $1" >&2
    exit 1
}

"$jailmgr" --root-dir "$root" exporter --listen 127.0.0.1:0 -f "$root/jails.yaml" 2>"$root/exporter.log" &
exporter_pid=$!
for _ in $(seq 200); do
    port=$(sed -n 's|.*serving http://127.0.0.1:\([0-9]*\)/metrics.*|\1|p' "$root/exporter.log")
    [ -n "$port" ] && break
    sleep 0.05
done
[ -n "$port" ] || { cat "$root/exporter.log" >&2; exit 1; }
wait_http "http://127.0.0.1:$port/metrics"

node_port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
/usr/bin/prometheus-node-exporter --web.listen-address="127.0.0.1:$node_port" >"$root/node.log" 2>&1 &
node_pid=$!
wait_http "http://127.0.0.1:$node_port/metrics"

echo "| exporter | p50 | p99 | mean | max | body | samples | RSS after |"
echo "|---|---|---|---|---|---|---|---|"
/usr/bin/python3 "$here/bench/telemetry/scrape_latency.py" "jailmgr exporter ($jails jails x 3 services)" \
    "http://127.0.0.1:$port/metrics" "$count" "$exporter_pid"
/usr/bin/python3 "$here/bench/telemetry/scrape_latency.py" "prometheus-node-exporter $(/usr/bin/prometheus-node-exporter --version 2>&1 | sed -n '1s/.*version \([^ ]*\).*/\1/p')" \
    "http://127.0.0.1:$node_port/metrics" "$count" "$node_pid"
