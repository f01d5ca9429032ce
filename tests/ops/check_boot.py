#!/usr/bin/env python3
"""Boot integration: the systemd unit and the rc.d script apply the host's
manifest directory at boot and take it down at shutdown, and jails with
`autostart: false` stay down.

  check_boot.py JAILMGR SOURCE_ROOT

1. dist/rc.d/jailmgr passes `sh -n`; run under a stand-in rc.subr, `start`
   runs `jailmgr apply -f /etc/jailmgr/` (or ${jailmgr_dir}), `stop` runs
   `jailmgr down -f /etc/jailmgr/`, and it is marked for shutdown.
2. dist/systemd/jailmgr.service: ExecStart/ExecReload apply, ExecStop down,
   on /etc/jailmgr/, wanted by multi-user.target.
3. The unit's own ExecStart and ExecStop command lines, run with the real
   jailmgr on a manifest directory (and a private --root-dir): a jail with
   autostart true runs its service, one with autostart false exists with no
   supervisor (status JSON matches docs/status.schema.json); a second boot
   changes nothing; stop removes both.
"""
import json
import os
import jsonschema
import re
import shlex
import subprocess
import sys
import tempfile
import time

jailmgr, root = os.path.abspath(sys.argv[1]), sys.argv[2]
rc_script = os.path.join(root, "dist", "rc.d", "jailmgr")
unit_file = os.path.join(root, "dist", "systemd", "jailmgr.service")
failures, count = [], 0


def check(name, ok, detail=""):
    global count
    count += 1
    if not ok:
        failures.append("%s%s" % (name, (": " + detail) if detail else ""))


# 1. rc.d
p = subprocess.run(["sh", "-n", rc_script], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
check("sh -n dist/rc.d/jailmgr", p.returncode == 0, p.stdout.decode())
with open(rc_script) as f:
    rc_text = f.read()
check("rc.d: enabled by jailmgr=YES (rcvar=$name, name=jailmgr)",
      'name="jailmgr"' in rc_text and "rcvar=$name" in rc_text)
check("rc.d: KEYWORD shutdown (so rc.shutdown stops it)", re.search(r"(?m)^# KEYWORD:.*\bshutdown\b", rc_text))

with tempfile.TemporaryDirectory() as tmp:
    # Stand-ins: jailmgr and modstat/modload log their arguments; rc.subr's
    # load_rc_config/run_rc_command dispatch to start_cmd/stop_cmd.
    log = os.path.join(tmp, "calls")
    for prog in ("jailmgr", "modstat", "modload"):
        path = os.path.join(tmp, prog)
        with open(path, "w") as f:
            f.write('#!/bin/sh\necho "%s $*" >> %s\n' % (prog, log))
        os.chmod(path, 0o755)
    script = os.path.join(tmp, "rc.jailmgr")
    with open(script, "w") as f:
        f.write(rc_text.replace("@SBINDIR@", tmp).replace("/sbin/modstat", os.path.join(tmp, "modstat"))
                .replace("/sbin/modload", os.path.join(tmp, "modload")))
    prelude = ('_rc_subr_loaded=:; load_rc_config() { :; }; '
               'run_rc_command() { case $1 in start) $start_cmd ;; stop) $stop_cmd ;; reload) $reload_cmd ;; esac; }; ')
    for action, env, want in (("start", {}, "jailmgr apply -f /etc/jailmgr/"),
                              ("stop", {}, "jailmgr down -f /etc/jailmgr/"),
                              ("start", {"jailmgr_dir": "/srv/fleet"}, "jailmgr apply -f /srv/fleet/"),
                              ("reload", {}, "jailmgr apply -f /etc/jailmgr/")):
        if os.path.exists(log):
            os.unlink(log)
        p = subprocess.run(["sh", "-c", prelude + '. "$0"', script, action], env=dict(os.environ, **env),
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        calls = open(log).read().splitlines() if os.path.exists(log) else []
        check("rc.d %s %s runs `%s`" % (action, env or "", want), p.returncode == 0 and want in calls,
              "exit %d, calls %r, output %r" % (p.returncode, calls, p.stdout))

# 2. systemd unit
with open(unit_file) as f:
    unit = f.read()


def unit_value(key):
    m = re.search(r"(?m)^%s=(.*)$" % key, unit)
    return m.group(1) if m else None


check("unit: ExecStart applies /etc/jailmgr/", unit_value("ExecStart") == "@SBINDIR@/jailmgr apply -f /etc/jailmgr/")
check("unit: ExecReload re-applies", unit_value("ExecReload") == "@SBINDIR@/jailmgr apply -f /etc/jailmgr/")
check("unit: ExecStop takes the jails down", unit_value("ExecStop") == "@SBINDIR@/jailmgr down -f /etc/jailmgr/")
check("unit: oneshot that stays active", unit_value("Type") == "oneshot" and unit_value("RemainAfterExit") == "yes")
check("unit: enabled for multi-user.target", unit_value("WantedBy") == "multi-user.target")


# 3. The unit's command lines on real jails.
def unit_command(key, manifests, root_dir):
    argv = shlex.split(unit_value(key).replace("@SBINDIR@/jailmgr", jailmgr).replace("/etc/jailmgr/", manifests))
    return argv[:1] + ["--root-dir", root_dir] + argv[1:]


def run(argv):
    return subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=240,
                          env=dict(os.environ, NO_COLOR="1"))


with open(os.path.join(root, "docs", "status.schema.json")) as f:
    status_schema = jsonschema.Draft202012Validator(json.load(f))


def status(root_dir, validate=False):
    p = run([jailmgr, "--root-dir", root_dir, "status", "--output", "json"])
    try:
        doc = json.loads(p.stdout)
        if validate:
            errors = sorted(status_schema.iter_errors(doc), key=str)
            check("status --output json (a running and a stopped jail) matches docs/status.schema.json",
                  not errors, errors[0].message if errors else "")
        return {j["name"]: j for j in doc["jails"]}
    except (ValueError, KeyError):
        return {"<unreadable>": p.stdout.decode() + p.stderr.decode()}


MANIFEST = """version: 1
project: boot
defaults: {base: host, profile: high, user: "65534:65534", limits: {memory: 64MiB, pids: 32}}
jails:
  bootup:
    services:
      idle: {command: ["sleep", "3600"]}
  bootheld:
    autostart: false
    services:
      idle: {command: ["sleep", "3600"]}
"""

with tempfile.TemporaryDirectory() as tmp:
    manifests = os.path.join(tmp, "etc-jailmgr") + "/"
    root_dir = os.path.join(tmp, "root")
    os.makedirs(manifests)
    os.makedirs(root_dir)
    with open(os.path.join(manifests, "jails.yaml"), "w") as f:
        f.write(MANIFEST)
    try:
        p = run(unit_command("ExecStart", manifests, root_dir))
        check("boot: ExecStart succeeds", p.returncode == 0, p.stdout.decode() + p.stderr.decode())
        # The service starts asynchronously after apply returns: wait for it.
        deadline, st = time.monotonic() + 30, {}
        while time.monotonic() < deadline:
            st = status(root_dir)
            svcs = st.get("bootup", {}).get("services") or []
            if svcs and svcs[0].get("state") == "running":
                break
            time.sleep(0.2)
        st = status(root_dir, validate=True)
        up, held = st.get("bootup", {}), st.get("bootheld", {})
        check("boot: the autostart jail runs its service",
              up.get("state") == "running" and [s["state"] for s in up.get("services", [])] == ["running"], repr(up))
        check("boot: the autostart: false jail exists but stays down",
              held.get("state") == "stopped" and held.get("supervisor") is None and held.get("jid") is not None,
              repr(held))
        p = run(unit_command("ExecStart", manifests, root_dir)[:3] + ["plan", "--detailed-exitcode", "-f", manifests])
        check("boot: after boot nothing is pending (autostart: false is not drift)", p.returncode == 0,
              "exit %d: %s" % (p.returncode, p.stdout.decode() + p.stderr.decode()))
        p = run(unit_command("ExecReload", manifests, root_dir))
        check("boot: a second start (reload) succeeds", p.returncode == 0, p.stderr.decode())
        st = status(root_dir)
        check("boot: the autostart: false jail is still down after reload",
              st.get("bootheld", {}).get("supervisor") is None and st.get("bootheld", {}).get("state") == "stopped",
              repr(st.get("bootheld")))
        p = run(unit_command("ExecStop", manifests, root_dir))
        check("shutdown: ExecStop succeeds", p.returncode == 0, p.stdout.decode() + p.stderr.decode())
        st = status(root_dir)
        check("shutdown: both jails are gone", "bootup" not in st and "bootheld" not in st, repr(sorted(st)))
    finally:
        run([jailmgr, "--root-dir", root_dir, "down", "-f", manifests])

for f in failures:
    print("FAIL", f)
print("%d passed, %d failed" % (count - len(failures), len(failures)))
sys.exit(1 if failures else 0)
