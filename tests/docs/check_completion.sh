#!/bin/bash
# check_completion.sh JAILMGR SOURCE_ROOT -- the bash completion of jailmgr
# and jailctl, driven the way bash drives it (COMP_WORDS, COMP_CWORD), with a
# fake jailmgr whose `status --output json` is fixed, and with the real one;
# then the zsh completions' jail and service name helpers.
set -u
jailmgr=$1 root=$2
script=$root/dist/completions/jailmgr.bash
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0

# A fake jailmgr/jailctl pair: status prints a pretty-printed status with a
# supervisor object and braces inside strings, only for --root-dir /srv/x;
# any other root dir fails loudly (completion must stay silent).
mkdir "$tmp/bin"
cat >"$tmp/bin/jailmgr" <<'FAKE'
#!/bin/sh
if [ "$*" = "--root-dir /srv/x status --output json" ]; then
cat <<'JSON'
{
  "format_version": 1,
  "jails": [
    {"name": "web", "root": "/var/lib/{odd}\"dir", "supervisor": {"pid": 12, "started": 1.5},
     "services": [ {"name": "httpd", "state": "running"}, {"name": "cron", "state": "running"} ]},
    {
      "name": "db",
      "supervisor": null,
      "services": [
        {"name": "server", "health": null}
      ]
    }
  ]
}
JSON
exit 0
fi
echo "jailmgr: status failed: $*" >&2
exit 1
FAKE
cp "$tmp/bin/jailmgr" "$tmp/bin/jailctl"
chmod +x "$tmp/bin/jailmgr" "$tmp/bin/jailctl"

# complete FUNCTION WORD... -- completes the last word; prints COMPREPLY
# sorted, one line, and fails if anything was written to stderr.
complete_words() {
    local fn=$1
    shift
    bash -c '
        source "$0" || exit 9
        fn=$1; shift
        COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
        COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
        $fn
        printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " " | sed "s/ $//"
    ' "$script" "$fn" "$@" 2>"$tmp/stderr"
}

expect() {
    local name=$1 want=$2
    shift 2
    local got
    got=$(complete_words "$@")
    if [ "$got" = "$want" ] && [ ! -s "$tmp/stderr" ]; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL $name: got '$got', expected '$want'; stderr: $(cat "$tmp/stderr")"
    fi
}

J=$tmp/bin/jailmgr C=$tmp/bin/jailctl
expect "subcommands" "apply down exec exporter lint logs metrics plan ps schema status" _jailmgr "$J" ""
expect "subcommand prefix" "apply" _jailmgr "$J" ap
expect "apply flags" "--dry-run" _jailmgr "$J" apply --dr
expect "global flags before the subcommand" "--log-level" _jailmgr "$J" --log-l
expect "lint --format values" "github json sarif text" _jailmgr "$J" lint --format ""
expect "plan --output values" "json text" _jailmgr "$J" plan --output ""
expect "--log-level values" "debug" _jailmgr "$J" --log-level d
expect "jail names from status, with --root-dir" "db web" _jailmgr "$J" --root-dir /srv/x down ""
expect "--root-dir after the subcommand" "web" _jailmgr "$J" ps --root-dir /srv/x w
expect "--target takes jail names" "db web" _jailmgr "$J" --root-dir /srv/x apply --target ""
expect "logs offers jails and services" "db db/server web web/cron web/httpd" _jailmgr "$J" --root-dir /srv/x logs ""
expect "logs -f is --follow, not a file" "web web/cron web/httpd" _jailmgr "$J" --root-dir /srv/x logs -f w
expect "exec completes the jail" "web" _jailmgr "$J" --root-dir /srv/x exec we
expect "exec does not offer jails for the command" "" _jailmgr "$J" --root-dir /srv/x exec web z
expect "status failure is silent" "" _jailmgr "$J" --root-dir /srv/other down ""
expect "jailctl subcommands" "create destroy exec list stats supervise" _jailctl "$C" ""
expect "jailctl create -l" "high low medium" _jailctl "$C" create -l ""
expect "jailctl create flags" "--address-space" _jailctl "$C" create --addr
expect "jailctl destroy takes jail names" "db web" _jailctl "$C" --root-dir /srv/x destroy -f ""
expect "jailctl supervise --restart" "always no on-failure" _jailctl "$C" supervise --restart ""

# zsh: the name helpers of _jailmgr and _jailctl (completion machinery
# stubbed; _describe prints what it would offer).
zsh_names() {
    zsh -c '
        _arguments() { :; }; compdef() { :; }
        _describe() { print -l -- ${(P)4}; }
        source <(sed "\$d" "$1")
        words=("$2" --root-dir /srv/x "$3" "")
        $4
    ' zsh "$@" 2>"$tmp/stderr" | sort | tr "\n" " " | sed "s/ $//"
}
expect_zsh() {
    local name=$1 want=$2 got
    shift 2
    got=$(zsh_names "$@")
    if [ "$got" = "$want" ] && [ ! -s "$tmp/stderr" ]; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL zsh $name: got '$got', expected '$want'; stderr: $(cat "$tmp/stderr")"
    fi
}
comp=$root/dist/completions
expect_zsh "_jailmgr jail names" "db web" "$comp/_jailmgr" "$J" down _jailmgr_jails
expect_zsh "_jailmgr jail and service names" "db db/server web web/cron web/httpd" "$comp/_jailmgr" "$J" logs \
    _jailmgr_services
expect_zsh "_jailctl jail names" "db web" "$comp/_jailctl" "$C" destroy _jailctl_jails

# The real jailmgr on an empty instance: no jails, nothing printed, fast.
start=$(date +%s%N)
expect "real jailmgr, no jails" "" _jailmgr "$jailmgr" --root-dir "$tmp/empty" down ""
ms=$(( ($(date +%s%N) - start) / 1000000 ))
if [ "$ms" -lt 2000 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL real completion took ${ms} ms"; fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
