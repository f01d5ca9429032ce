#!/bin/sh
# run.sh -- the supervisor benchmark: restart latency (kill -9 -> new process
# running) over COUNT crashes, private memory and idle wakeups of the
# supervising process, for a bare shell `while` loop (the floor), runit's
# runsv, s6-supervise and jailmgr's supervisor, all in the same run.  As root.
#
#   bench/supervisor/run.sh            COUNT=200 HOLD_MS=1100 IDLE_S=10 by default
#
# Installs runit and s6 from Debian if missing (runit only: never runit-run,
# which replaces init).  Cleans up every process it starts.
set -eu

here=$(cd "$(dirname "$0")/../.." && pwd)
COUNT=${COUNT:-200}
HOLD_MS=${HOLD_MS:-1100}
IDLE_S=${IDLE_S:-10}

[ "$(id -u)" -eq 0 ] || { echo "run.sh: run as root" >&2; exit 2; }
"$here/scripts/setup.sh" build >/dev/null   # the release build
build=$here/build
for p in runit s6; do
    if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
        echo "run.sh: installing $p"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$p" >/dev/null
    fi
done

work=$(mktemp -d /tmp/jailmgr-bench.XXXXXX)
started=""   # pids to kill on exit
cleanup() {
    for pid in $started; do kill -KILL "$pid" 2>/dev/null || true; done
    pkill_service
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

svc=$build/bench/supervisor/bench_service
lat=$build/bench/supervisor/restart_latency
mkfifo "$work/fifo"
export BENCH_FIFO="$work/fifo"

# The bench service instances are the only processes running $svc.
pkill_service() {
    for d in /proc/[0-9]*; do
        [ "$(readlink "$d/exe" 2>/dev/null)" = "$svc" ] && kill -KILL "${d#/proc/}" 2>/dev/null || true
    done
}

private_kib() {  # Private_Clean + Private_Dirty of a pid
    awk '/^Private_(Clean|Dirty):/ { s += $2 } END { print s }' "/proc/$1/smaps_rollup"
}

switches() {  # voluntary + involuntary context switches of a pid (each wakeup is one)
    awk '/ctxt_switches:/ { s += $2 } END { print s }' "/proc/$1/status"
}

results=$work/results
: > "$results"

# measure NAME PID: latency with the FIFO already being fed, then memory
# and wakeups of PID while its service sits idle.
measure() {
    name=$1 pid=$2
    out=$("$lat" "$BENCH_FIFO" "$COUNT" "$HOLD_MS")
    mem=$(private_kib "$pid")
    s0=$(switches "$pid")
    sleep "$IDLE_S"
    s1=$(switches "$pid")
    wake=$(awk -v a="$s0" -v b="$s1" -v t="$IDLE_S" 'BEGIN { printf "%.2f", (b - a) / t }')
    echo "$name $out mem_kib $mem wakeups_per_s $wake" | tee -a "$results"
}

echo "run.sh: $COUNT crashes per supervisor, each instance killed after $HOLD_MS ms; idle $IDLE_S s"

# 1. the floor: a shell loop
sh -c "while :; do '$svc'; done" 2>/dev/null &
loop=$!
started="$started $loop"
measure "shell-loop" "$loop"
kill -KILL "$loop"; pkill_service

# 2. runit
mkdir -p "$work/runsv"
ln -s "$svc" "$work/runsv/run"
runsv "$work/runsv" &
runsv_pid=$!
started="$started $runsv_pid"
measure "runsv" "$runsv_pid"
sv exit "$work/runsv" >/dev/null 2>&1 || kill -TERM "$runsv_pid"
wait "$runsv_pid" 2>/dev/null || true
pkill_service

# 3. s6
mkdir -p "$work/s6"
ln -s "$svc" "$work/s6/run"
s6-supervise "$work/s6" &
s6_pid=$!
started="$started $s6_pid"
measure "s6-supervise" "$s6_pid"
s6-svc -xd "$work/s6" 2>/dev/null || kill -TERM "$s6_pid"
wait "$s6_pid" 2>/dev/null || true
pkill_service

# 4. jailmgr's supervisor.  TEST SEAM: until the Linux driver is merged it
# runs on the HostSession (host processes in a PID namespace, no jail).
JAILMGR_ALLOW_TEST_SEAMS=1 "$build/cli/jailctl" --root-dir "$work/jailmgr" supervise --test-host-jid 1 \
    --backoff 0 --start-limit 0 --name bench --env "BENCH_FIFO=$BENCH_FIFO" bench -- "$svc" >/dev/null
sup=$(cat "$work/jailmgr/run/jailmgr/supervisors/bench.pid")
started="$started $sup"
measure "jailmgr" "$sup"
init=$(awk '{ print $1 }' "/proc/$sup/task/$sup/children" | head -n 1)
echo "jailmgr-test-init mem_kib $(private_kib "$init") (the HostSession seam's PID 1, not part of the supervisor)" \
    | tee -a "$results"
# With one supervisor per jail, the code pages of the jailmgr binary are
# shared between them: what a further jail costs is measured with a second one.
JAILMGR_ALLOW_TEST_SEAMS=1 "$build/cli/jailctl" --root-dir "$work/jailmgr" supervise --test-host-jid 2 \
    --name idle second -- sleep 100000 >/dev/null
sup2=$(cat "$work/jailmgr/run/jailmgr/supervisors/second.pid")
started="$started $sup2"
echo "jailmgr-with-a-second-jail mem_kib $(private_kib "$sup") (second supervisor: $(private_kib "$sup2") KiB)" \
    | tee -a "$results"
kill -TERM "$sup" "$sup2"
while kill -0 "$sup" 2>/dev/null || kill -0 "$sup2" 2>/dev/null; do sleep 0.05; done

echo
awk '
/^(shell-loop|runsv|s6-supervise|jailmgr) / {
    printf "%-13s restart p50 %7.2f ms  p99 %7.2f ms  mean %7.2f ms  max %7.2f ms   private %5d KiB   idle wakeups %s/s\n",
        $1, $3, $5, $7, $9, $(NF-2), $NF
}
/^jailmgr-with-a-second-jail / {
    printf "%-13s private %d KiB per supervisor once a second jail shares the code pages (second one: %s KiB)\n",
        "jailmgr", $3, $7
}' "$results"
