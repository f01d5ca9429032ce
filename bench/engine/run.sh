#!/bin/bash
# bench/engine/run.sh [JAILMGR] -- the reconciliation engine at scale, as root:
#
#  (a) cold start of N jails with one service each (`jailmgr apply`), timed
#      until every service process runs, against N bwrap sandboxes started in
#      the background (the floor), N runit services under one runsvdir and N
#      `runc run -d` containers, in the same run, interleaved; then teardown
#      (`jailmgr down` against killing bwrap, HUP to runsvdir, `runc delete
#      --force`), timed until no service process is left.
#  (b) a no-op `jailmgr apply` of 100 converged jails against `jailmgr lint`
#      of the same manifest.
#
#   bench/engine/run.sh                    COUNTS="50 100" REPS=5 NOOP_REPS=10
#
# Every tool runs the same service, `sleep MARKER` (MARKER a number unique to
# this run), and "running" means: N processes whose command line is exactly
# `sleep MARKER` exist on the host (pgrep).  For jailmgr it also means that
# every supervisor's status file says its service is running.
#
# Installs bubblewrap, runit, runc and busybox-static with apt-get if missing
# (peers measured alongside, not dependencies of jailmgr).  Everything runs in
# its own jailmgr instance (--root-dir), its own runc --root and a temporary
# directory; the EXIT trap removes every jail, container and process it made.
set -eu

here=$(cd "$(dirname "$0")/../.." && pwd)
jailmgr=${1:-$here/build-rel/cli/jailmgr}
counts=${COUNTS:-50 100}
reps=${REPS:-5}
noop_reps=${NOOP_REPS:-10}
parallel=${PARALLEL:-}            # jailmgr apply --parallel (default: its own)
tools=${TOOLS-jailmgr bwrap runsvdir runc}   # empty: (b) only
noop=${NOOP:-1}                   # 0: skip (b)

[ "$(id -u)" -eq 0 ] || { echo "bench/engine: run as root" >&2; exit 2; }
missing=""
for p in bubblewrap runit runc busybox-static; do
    dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing="$missing $p"
done
if [ -n "$missing" ]; then
    echo "bench/engine: installing$missing (peers measured alongside)" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing >/dev/null
fi
if [ ! -x "$jailmgr" ]; then
    [ -f "$here/build-rel/build.ninja" ] || meson setup "$here/build-rel" "$here" -Dbuildtype=release >/dev/null
    ninja -C "$here/build-rel" cli/jailmgr >/dev/null
fi

# The instance's state and logs live under /var/tmp, on disk like
# /var/lib/jailmgr and /var/log on a real host; its run directory is on tmpfs
# (/dev/shm), as /run is there.
work=$(mktemp -d "${BENCH_TMP:-/var/tmp}/jailmgr-bench-engine.XXXXXX")
root=$work/jailmgr
rundir=$(mktemp -d /dev/shm/jailmgr-bench-engine-run.XXXXXX)
mkdir -p "$root"
ln -s "$rundir" "$root/run"
marker=$((900000000 + $$ * 7 % 99999999))
pattern="^(/usr)?(/bin/)?sleep $marker\$"
jm() { "$jailmgr" --root-dir "$root" "$@"; }

bwrap_pids=""
runsvdir_pid=""
runc_ids=""
cleanup() {
    set +e
    for m in "$work"/jails-*.yaml; do
        [ -f "$m" ] && jm down -f "$m" >/dev/null 2>&1
    done
    [ -n "$runsvdir_pid" ] && kill -HUP "$runsvdir_pid" 2>/dev/null
    for pid in $bwrap_pids; do kill -KILL "$pid" 2>/dev/null; done
    for id in $(runc --root "$work/runc" list -q 2>/dev/null); do
        runc --root "$work/runc" delete --force "$id" >/dev/null 2>&1
    done
    # Whatever is left running our service (only this run uses the marker).
    for i in 1 2 3 4 5 6 7 8 9 10; do
        pids=$(pgrep -f "$pattern") || break
        kill -KILL $pids 2>/dev/null
        sleep 0.1
    done
    # runsv processes of our service directories.
    for pid in $(pgrep -f "^runsv $work/sv/" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
    rm -rf "$work" "$rundir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now_ns() { date +%s%N; }
running() { pgrep -c -f "$pattern" || true; }

# wait_for COUNT [STATUS_DIR]: until COUNT service processes run (and, with
# STATUS_DIR, COUNT jailmgr status files say "running"); 120 s at most.
wait_for() {
    local want=$1 sdir=${2:-} t0 n
    t0=$(date +%s)
    while :; do
        n=$want
        if [ -n "$sdir" ] && [ "$want" -gt 0 ]; then
            n=$(status_running "$sdir")
        fi
        if [ "$n" -eq "$want" ]; then
            n=$(running)
            [ "$n" -eq "$want" ] && return 0
        fi
        if [ $(($(date +%s) - t0)) -gt 120 ]; then
            echo "bench/engine: timed out waiting for $want services (have $n)" >&2
            exit 1
        fi
        sleep 0.005
    done
}

status_running() { grep -l '"state":"running"' "$1"/*.status.json 2>/dev/null | wc -l; }
ms_since() { echo $((($(now_ns) - $1) / 1000000)); }
results=$work/results
: >"$results"
record() { echo "$1 $2 $3 $4" >>"$results"; }   # TOOL PHASE N MS

gen_manifest() {  # N FILE
    {
        echo "version: 1"
        echo "project: bench$$"
        echo "defaults:"
        echo "  base: host"
        echo "jails:"
        for i in $(seq -w 1 "$1"); do
            echo "  j$i:"
            echo "    services:"
            echo "      sleep: {command: [\"sleep\", \"$marker\"]}"
        done
    } >"$2"
}

# --- jailmgr ---------------------------------------------------------------
at_return=$work/at_return
bench_jailmgr() {  # N
    local n=$1 m=$work/jails-$1.yaml t0 ms
    local popt=""
    [ -n "$parallel" ] && popt="--parallel $parallel"
    t0=$(now_ns)
    jm apply -f "$m" $popt >"$work/apply.out" 2>&1 || { cat "$work/apply.out" >&2; exit 1; }
    ms=$(ms_since "$t0")
    echo "$n $ms $(status_running "$root/run/jailmgr/supervisors")" >>"$at_return"
    wait_for "$n" "$root/run/jailmgr/supervisors"
    record jailmgr up "$n" "$(ms_since "$t0")"
    t0=$(now_ns)
    jm down -f "$m" >"$work/down.out" 2>&1 || { cat "$work/down.out" >&2; exit 1; }
    wait_for 0
    record jailmgr down "$n" "$(ms_since "$t0")"
}

# --- bwrap: the floor ------------------------------------------------------
bwrap_one() {
    exec bwrap --unshare-pid --unshare-ipc --unshare-uts --unshare-cgroup-try --new-session --die-with-parent \
        --cap-drop ALL --hostname bench --ro-bind /usr /usr --symlink usr/bin /bin --symlink usr/sbin /sbin \
        --symlink usr/lib /lib --symlink usr/lib64 /lib64 --proc /proc --dev /dev --tmpfs /tmp \
        sleep "$marker" </dev/null >/dev/null 2>&1
}
bench_bwrap() {
    local n=$1 t0 i
    bwrap_pids=""
    t0=$(now_ns)
    for i in $(seq "$n"); do
        bwrap_one &
        bwrap_pids="$bwrap_pids $!"
    done
    wait_for "$n"
    record bwrap up "$n" "$(ms_since "$t0")"
    t0=$(now_ns)
    kill -TERM $bwrap_pids
    wait_for 0
    record bwrap down "$n" "$(ms_since "$t0")"
    wait $bwrap_pids 2>/dev/null || true
    bwrap_pids=""
}

# --- runit: N services under one runsvdir ---------------------------------
bench_runsvdir() {
    local n=$1 t0 i
    rm -rf "$work/sv"
    mkdir -p "$work/sv"
    for i in $(seq -w 1 "$n"); do
        mkdir "$work/sv/s$i"
        printf '#!/bin/sh\nexec sleep %s\n' "$marker" >"$work/sv/s$i/run"
        chmod +x "$work/sv/s$i/run"
    done
    t0=$(now_ns)
    runsvdir -P "$work/sv" </dev/null >/dev/null 2>&1 &
    runsvdir_pid=$!
    wait_for "$n"
    record runsvdir up "$n" "$(ms_since "$t0")"
    # HUP: runsvdir sends TERM to every runsv, which stops its service and exits.
    t0=$(now_ns)
    kill -HUP "$runsvdir_pid"
    wait_for 0
    record runsvdir down "$n" "$(ms_since "$t0")"
    wait "$runsvdir_pid" 2>/dev/null || true
    runsvdir_pid=""
    while pgrep -f "^runsv $work/sv/" >/dev/null; do sleep 0.01; done
}

# --- runc: N containers from one busybox bundle ----------------------------
make_bundle() {
    local b=$work/bundle
    mkdir -p "$b/rootfs/bin" "$b/rootfs/proc" "$b/rootfs/dev" "$b/rootfs/tmp"
    cp /bin/busybox "$b/rootfs/bin/busybox"
    ln -s busybox "$b/rootfs/bin/sleep"
    (cd "$b" && runc spec)
    jq --arg m "$marker" '.process.terminal = false | .process.args = ["sleep", $m] | .root.readonly = true' \
        "$b/config.json" >"$b/config.json.new"
    mv "$b/config.json.new" "$b/config.json"
}
bench_runc() {
    local n=$1 t0 i
    t0=$(now_ns)
    for i in $(seq -w 1 "$n"); do
        runc --root "$work/runc" run -d --bundle "$work/bundle" "jmbench$$-$i" </dev/null >/dev/null 2>&1 &
    done
    wait
    wait_for "$n"
    record runc up "$n" "$(ms_since "$t0")"
    t0=$(now_ns)
    for i in $(seq -w 1 "$n"); do
        runc --root "$work/runc" delete --force "jmbench$$-$i" >/dev/null 2>&1 &
    done
    wait
    wait_for 0
    record runc down "$n" "$(ms_since "$t0")"
}

# --- run ---------------------------------------------------------------------
make_bundle
for n in $counts; do gen_manifest "$n" "$work/jails-$n.yaml"; done
echo "bench/engine: $reps rounds of jailmgr, bwrap, runsvdir, runc for N in $counts (marker $marker)" >&2
for r in $(seq "$reps"); do
    for n in $counts; do
        for tool in $tools; do
            "bench_$tool" "$n"
        done
    done
    echo "  round $r done" >&2
done

# (b) no-op apply of 100 converged jails, against lint of the same manifest.
noop_n=100
if [ "$noop" -eq 1 ]; then
m=$work/jails-$noop_n.yaml
[ -f "$m" ] || gen_manifest "$noop_n" "$m"
jm apply -f "$m" >/dev/null
wait_for "$noop_n" "$root/run/jailmgr/supervisors"
for r in $(seq "$noop_reps"); do
    t0=$(now_ns)
    jm apply -f "$m" >"$work/noop.out"
    record jailmgr noop "$noop_n" "$(ms_since "$t0")"
    grep -q "No changes" "$work/noop.out" || { echo "bench/engine: no-op apply changed something:" >&2; cat "$work/noop.out" >&2; exit 1; }
    t0=$(now_ns)
    jm lint -f "$m" >/dev/null
    record jailmgr lint "$noop_n" "$(ms_since "$t0")"
done
jm down -f "$m" >/dev/null
wait_for 0
fi

median() {  # TOOL PHASE N
    awk -v t="$1" -v p="$2" -v n="$3" '$1 == t && $2 == p && $3 == n { print $4 }' "$results" | sort -n |
        awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
all() { awk -v t="$1" -v p="$2" -v n="$3" '$1 == t && $2 == p && $3 == n { printf "%s ", $4 }' "$results"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

echo
echo "medians of $reps rounds, ms (load: $(cut -d' ' -f1-3 /proc/loadavg))"
for n in $counts; do
    for phase in up down; do
        floor=$(median bwrap "$phase" "$n")
        for tool in $tools; do
            v=$(median "$tool" "$phase" "$n")
            printf '  %-5s N=%-4s %-9s %7s ms   x%s of bwrap   [%s]\n' "$phase" "$n" "$tool" "$v" "$(ratio "$v" "$floor")" \
                "$(all "$tool" "$phase" "$n")"
        done
    done
done
[ -s "$at_return" ] && echo "  when jailmgr apply returned, status said this many services were running:"
[ -s "$at_return" ] && awk '{ printf "    N=%s: returned after %s ms, %s running\n", $1, $2, $3 }' "$at_return"
[ "$noop" -eq 1 ] || exit 0
noop=$(median jailmgr noop $noop_n)
lint=$(median jailmgr lint $noop_n)
echo "  no-op apply of $noop_n: $noop ms   lint: $lint ms   ratio $(ratio "$noop" "$lint")   [$(all jailmgr noop $noop_n)] [$(all jailmgr lint $noop_n)]"
