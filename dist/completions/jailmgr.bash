# bash completion for jailmgr(8) and jailctl(8).
#
# Subcommands and flags are listed here (tests/docs/check_docs.py checks the
# lists against the binaries); jail and service names come from
# `jailmgr status --output json`, asked with the same --root-dir as the
# command line being completed, bounded to 2 seconds and silent on failure.
# Installed as completions/jailmgr and completions/jailctl (the same file).

# Prints "jail" and "jail/service" lines from status JSON on stdin.  A tiny
# JSON walker: a "name" key at object depth 2 names a jail, at depth 3 a
# service of the last jail (the other depth-3 object, supervisor, has no name).
_jailmgr_status_names_awk='
{ s = s $0 "\n" }
END {
    n = length(s); depth = 0; key = ""
    for (i = 1; i <= n; i++) {
        c = substr(s, i, 1)
        if (c == "\"") {
            str = ""
            for (j = i + 1; j <= n; j++) {
                ch = substr(s, j, 1)
                if (ch == "\\") { str = str substr(s, j, 2); j++; continue }
                if (ch == "\"") break
                str = str ch
            }
            i = j
            k = i + 1
            while (k <= n && substr(s, k, 1) ~ /[ \t\r\n]/) k++
            if (substr(s, k, 1) == ":") { key = str; continue }
            if (key == "name" && depth == 2) { jail = str; print str }
            else if (key == "name" && depth == 3 && jail != "") print jail "/" str
            key = ""
        } else if (c == "{") depth++
        else if (c == "}") depth--
        else if (c == ",") key = ""
    }
}'

# _jailmgr_names PROGRAM [jails|services] [GLOBAL-ARG...]
_jailmgr_names() {
    local prog=$1 what=$2 jailmgr=jailmgr
    shift 2
    # Use the jailmgr beside the program being completed (a build tree, or
    # jailctl's neighbour), else the one on PATH.
    case $prog in
    */*) jailmgr=${prog%/*}/jailmgr ;;
    esac
    local limit=
    command -v timeout >/dev/null 2>&1 && limit="timeout 2"
    $limit "$jailmgr" "$@" status --output json 2>/dev/null </dev/null |
        awk "$_jailmgr_status_names_awk" 2>/dev/null |
        if [[ $what == jails ]]; then grep -v / ; else cat; fi
}

# Options that take a value (-f is one except for `logs` and `destroy`).
_jailmgr_value_opts=" -f --file --host --format --output -o --target --parallel --lock-timeout --ready-timeout
 --listen --collect-timeout --user --env --workdir -n --lines --name -l --level -r --reserve --memory --cpus --pids -N --nofile -A
 --address-space -C --core --mount --deny --hostname -u -e --restart --backoff --backoff-max --start-limit "

# Sets _jm_cmd (the subcommand), _jm_globals (--root-dir/--log-level words
# to pass on), _jm_dashdash (a bare -- after the subcommand) and _jm_npos
# (operands after the subcommand, such as exec's jail), and clears
# COMPREPLY.  Returns 1 when the word is part of a command to run (after
# "--", or past exec's or supervise's jail): then bash completes it as usual.
_jailmgr_scan() {
    local i w
    _jm_cmd= _jm_globals=() _jm_dashdash= _jm_npos=0
    for ((i = 1; i < COMP_CWORD; i++)); do
        w=${COMP_WORDS[i]}
        case $w in
        --root-dir | --log-level)
            _jm_globals+=("$w" "${COMP_WORDS[i + 1]}")
            ((i++))
            ;;
        --root-dir=* | --log-level=*) _jm_globals+=("$w") ;;
        --) [[ -n $_jm_cmd ]] && _jm_dashdash=1 ;;
        -f) [[ $_jm_cmd == logs || $_jm_cmd == destroy ]] || ((i++)) ;;
        -*) [[ $_jailmgr_value_opts == *" $w "* ]] && ((i++)) ;;
        *) if [[ -z $_jm_cmd ]]; then _jm_cmd=$w; else ((_jm_npos++)); fi ;;
        esac
    done
    COMPREPLY=()
    if [[ -n $_jm_dashdash ]] || { [[ $_jm_cmd == exec || $_jm_cmd == supervise ]] && ((_jm_npos > 0)); }; then
        compopt -o default 2>/dev/null
        return 1
    fi
    return 0
}

_jailmgr_files() {
    compopt -o filenames 2>/dev/null
    COMPREPLY=($(compgen -f -- "$1"))
}

_jailmgr_dirs() {
    compopt -o filenames 2>/dev/null
    COMPREPLY=($(compgen -d -- "$1"))
}

_jailmgr() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
    local prog=${COMP_WORDS[0]}
    local _jm_cmd _jm_globals _jm_dashdash _jm_npos
    _jailmgr_scan || return 0

    local globals="--root-dir --log-level -h --help"
    local manifest="-f --file --host"
    local flags
    case $_jm_cmd in
    lint) flags="-f --file --format" ;;
    schema) flags= ;;
    plan) flags="$manifest --detailed-exitcode --output --target --prune" ;;
    apply) flags="$manifest --prune --target --dry-run --parallel --lock-timeout --ready-timeout" ;;
    down) flags="$manifest" ;;
    status) flags="--output" ;;
    ps) flags= ;;
    logs) flags="-f --follow -n --lines" ;;
    exec) flags="--user --env --workdir" ;;
    metrics) flags="$manifest -o --output" ;;
    exporter) flags="--listen --allow-remote --collect-timeout $manifest" ;;
    *) flags="--version" ;;
    esac

    case $prev in
    --root-dir) _jailmgr_dirs "$cur"; return 0 ;;
    --log-level)
        COMPREPLY=($(compgen -W "trace debug info warn error critical off" -- "$cur"))
        return 0
        ;;
    -f | --file)
        [[ $_jm_cmd == logs ]] || { _jailmgr_files "$cur"; return 0; }
        ;;
    --format) COMPREPLY=($(compgen -W "text json sarif github" -- "$cur")); return 0 ;;
    -o) _jailmgr_files "$cur"; return 0 ;;
    --output)
        if [[ $_jm_cmd == metrics ]]; then _jailmgr_files "$cur"
        else COMPREPLY=($(compgen -W "text json" -- "$cur")); fi
        return 0
        ;;
    --target)
        COMPREPLY=($(compgen -W "$(_jailmgr_names "$prog" jails "${_jm_globals[@]}")" -- "$cur"))
        return 0
        ;;
    --host) COMPREPLY=($(compgen -A hostname -- "$cur")); return 0 ;;
    --workdir) return 0 ;;
    -n | --lines | --user | --env | --parallel | --lock-timeout | --ready-timeout | --listen | --collect-timeout) return 0 ;;
    esac

    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$flags $globals" -- "$cur"))
        return 0
    fi
    case $_jm_cmd in
    "")
        COMPREPLY=($(compgen -W "lint schema plan apply down status ps logs exec metrics exporter" -- "$cur"))
        ;;
    down | ps | exec)
        COMPREPLY=($(compgen -W "$(_jailmgr_names "$prog" jails "${_jm_globals[@]}")" -- "$cur"))
        ;;
    logs)
        COMPREPLY=($(compgen -W "$(_jailmgr_names "$prog" services "${_jm_globals[@]}")" -- "$cur"))
        ;;
    esac
    return 0
}

_jailctl() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
    local prog=${COMP_WORDS[0]}
    local _jm_cmd _jm_globals _jm_dashdash _jm_npos
    _jailmgr_scan || return 0

    local globals="--root-dir --log-level -h --help"
    local flags
    case $_jm_cmd in
    create)
        flags="-n --name -l --level -r --reserve --memory --cpus --pids -N --nofile -A --address-space
               -C --core --rootfs --mount --deny --hostname"
        ;;
    destroy) flags="-f --force" ;;
    list) flags="--json" ;;
    exec) flags="--user --env --workdir" ;;
    stats) flags="--json --prometheus" ;;
    supervise) flags="--restart --name -u --user -e --env --backoff --backoff-max --start-limit" ;;
    *) flags="--version" ;;
    esac

    case $prev in
    --root-dir | --workdir) _jailmgr_dirs "$cur"; return 0 ;;
    --log-level)
        COMPREPLY=($(compgen -W "trace debug info warn error critical off" -- "$cur"))
        return 0
        ;;
    -l | --level) COMPREPLY=($(compgen -W "low medium high" -- "$cur")); return 0 ;;
    --restart) COMPREPLY=($(compgen -W "always on-failure no" -- "$cur")); return 0 ;;
    --deny)
        COMPREPLY=($(compgen -W "mount module mknod chroot reboot swap accounting time cpu_admin kernaddr
            filehandle sysctl_write net_admin raw_socket route_socket device machdep sysvipc" -- "$cur"))
        return 0
        ;;
    --mount) _jailmgr_dirs "$cur"; return 0 ;;
    -n | --name | -r | --reserve | --memory | --cpus | --pids | -N | --nofile | -A | --address-space | -C | \
        --core | --hostname | -u | --user | -e | --env | --backoff | --backoff-max | --start-limit)
        return 0
        ;;
    esac

    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$flags $globals" -- "$cur"))
        return 0
    fi
    case $_jm_cmd in
    "") COMPREPLY=($(compgen -W "create destroy list exec stats supervise" -- "$cur")) ;;
    create) _jailmgr_dirs "$cur" ;;
    destroy | exec | supervise)
        COMPREPLY=($(compgen -W "$(_jailmgr_names "$prog" jails "${_jm_globals[@]}")" -- "$cur"))
        ;;
    esac
    return 0
}

complete -F _jailmgr jailmgr
complete -F _jailctl jailctl
