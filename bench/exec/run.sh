#!/bin/sh
# bench/exec/run.sh [JAILCTL] -- the cost of running `true` in a fresh sandbox:
# `jailctl exec JAIL true` against bubblewrap and `unshare`, in the same run,
# interleaved (ROUNDS rounds of RUNS starts per tool), as root.
#
# Comparable isolation: every tool gets new PID, mount, UTS and IPC
# namespaces and a fresh /proc; jailctl and bwrap both build a read-only /usr
# view, a minimal /dev and a tmpfs /tmp, drop capabilities and start a new
# session.  jailctl also joins the jail's cgroups, applies the `high` profile
# (seccomp, Landlock, securebits) and keeps its registry; bwrap runs without
# a seccomp filter.  Each `jailctl exec` here starts the jail's namespaces
# (nothing is running) and tears them down again: the full, "cold" cost.
# A second measurement, "warm", joins a running instance (the common case
# under a supervisor, which keeps the jail's namespaces up).
set -eu

here=$(cd "$(dirname "$0")/../.." && pwd)
jailctl=${1:-$here/build-rel/cli/jailctl}
rounds=${ROUNDS:-5}
runs=${RUNS:-20}

if [ "$(id -u)" -ne 0 ]; then echo "bench/exec: run as root" >&2; exit 2; fi
if ! command -v bwrap >/dev/null; then
    echo "bench/exec: installing bubblewrap (the peer measured alongside)" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q bubblewrap >/dev/null
fi
if [ ! -x "$jailctl" ]; then
    [ -f "$here/build-rel/build.ninja" ] || meson setup "$here/build-rel" "$here" -Dbuildtype=release >/dev/null
    ninja -C "$here/build-rel" cli/jailctl >/dev/null
fi

# The run dir lives on tmpfs, as /run does on real hosts.
dir=$(mktemp -d /dev/shm/jailmgr-bench-XXXXXX)
cleanup() {
    "$jailctl" --root-dir "$dir" destroy --force bench >/dev/null 2>&1 || true
    rm -rf "$dir"
}
trap cleanup EXIT INT TERM
"$jailctl" --root-dir "$dir" create -n bench -l high "$dir/root" >/dev/null

run_jailctl() { "$jailctl" --root-dir "$dir" exec bench true; }
run_bwrap() {
    bwrap --unshare-pid --unshare-ipc --unshare-uts --unshare-cgroup-try --new-session --die-with-parent \
        --cap-drop ALL --hostname bench --ro-bind /usr /usr --symlink usr/bin /bin --symlink usr/sbin /sbin \
        --symlink usr/lib /lib --symlink usr/lib64 /lib64 --symlink usr/lib32 /lib32 \
        --proc /proc --dev /dev --tmpfs /tmp true
}
run_unshare() { unshare --pid --ipc --uts --fork --mount-proc true; }

# One round: RUNS starts, appends "TOOL MEAN_US" to the results.
round() {
    start=$(date +%s%N)
    i=0
    while [ $i -lt "$runs" ]; do
        "run_$1" || { echo "bench/exec: $1 failed" >&2; exit 1; }
        i=$((i + 1))
    done
    end=$(date +%s%N)
    echo "$1 $(((end - start) / runs / 1000))" >>"$results"
}

results=$dir/results
: >"$results"
r=0
while [ $r -lt "$rounds" ]; do
    for tool in jailctl bwrap unshare; do round $tool; done
    r=$((r + 1))
done

# Warm: an owner keeps the jail's namespaces up while jailctl joins them.
"$jailctl" --root-dir "$dir" exec bench /bin/sleep 100000 </dev/null &
owner=$!
while ! "$jailctl" --root-dir "$dir" list | grep -q ' yes '; do sleep 0.01; done
run_warm() { "$jailctl" --root-dir "$dir" exec bench true; }
r=0
while [ $r -lt "$rounds" ]; do round warm; r=$((r + 1)); done
kill "$owner"
wait "$owner" 2>/dev/null || true

echo "per start, median of $rounds rounds x $runs starts (load: $(cut -d' ' -f1-3 /proc/loadavg))"
for tool in jailctl warm bwrap unshare; do
    printf '%s ' "$tool"
    grep "^$tool " "$results" | cut -d' ' -f2 | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
done | awk '{ t[$1] = $2; printf "  %-8s %8.2f ms\n", $1, $2 / 1000 }
    END { printf "  jailctl / bwrap   = %.2f   (cold: starts and ends the jail'"'"'s namespaces)\n", t["jailctl"] / t["bwrap"]
          printf "  warm / bwrap      = %.2f   (joins a running instance)\n", t["warm"] / t["bwrap"]
          printf "  jailctl / unshare = %.2f\n", t["jailctl"] / t["unshare"] }'
