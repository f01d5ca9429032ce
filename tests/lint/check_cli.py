#!/usr/bin/env python3
"""The command-line contract of `jailmgr lint` and `jailmgr schema`:
exit codes, stdin, global options, help.

  check_cli.py JAILMGR EXAMPLES_DIR
"""
import json
import os
import subprocess
import sys
import tempfile

jailmgr, examples = os.path.abspath(sys.argv[1]), sys.argv[2]
failures, count = [], 0


def run(args, stdin=b"", env=None):
    e = dict(os.environ, NO_COLOR="1")
    e.update(env or {})
    return subprocess.run([jailmgr, *args], input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=e,
                          timeout=60)


def expect(name, p, code, stdout_has=None, stderr_has=None):
    global count
    count += 1
    out, err = p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")
    problems = []
    if p.returncode != code:
        problems.append("exit %d, expected %d" % (p.returncode, code))
    if stdout_has is not None and stdout_has not in out:
        problems.append("stdout lacks %r" % stdout_has)
    if stderr_has is not None and stderr_has not in err:
        problems.append("stderr lacks %r" % stderr_has)
    if problems:
        failures.append("%s: %s\nstdout: %s\nstderr: %s" % (name, "; ".join(problems), out[-800:], err[-800:]))


clean = b"version: 1\njails:\n  web: {}\n"
warn = b"version: 1\njails:\n  web: {profile: low}\n"
bad = b"version: 1\njails:\n  web: {hostnme: x}\n"
quick = os.path.join(examples, "quickstart", "jails.yaml")

expect("clean stdin exits 0", run(["lint", "-f", "-"], clean), 0, "0 errors, 0 warnings in 1 file")
expect("warnings only exit 0", run(["lint", "-f", "-"], warn), 0, "0 errors, 1 warning in 1 file")
expect("errors exit 1", run(["lint", "-f", "-"], bad), 1, "<stdin>:3:9: error: jail 'web': unknown key 'hostnme'")
expect("missing path exits 2", run(["lint", "-f", "/nonexistent/jails.yaml"]), 2,
       "/nonexistent/jails.yaml:1:1: error: no such file or directory; check the -f argument [JM000]")
expect("unknown format is a usage error", run(["lint", "--format", "xml", "-f", "-"], clean), 2, None, "--format")
expect("unknown option is a usage error", run(["lint", "--frobnicate"]), 2)
expect("global options after the subcommand", run(["lint", "--root-dir", "/tmp/x", "--log-level", "debug", "-f", quick]), 0,
       "0 errors")
expect("global options before the subcommand", run(["--root-dir", "/tmp/x", "lint", "-f", quick]), 0, "0 errors")
expect("schema takes the global options", run(["schema", "--root-dir", "/tmp/x", "--log-level", "info"]), 0,
       "\"$schema\": \"https://json-schema.org/draft/2020-12/schema\"")
expect("lint --help", run(["lint", "--help"]), 0, "--format")
expect("schema --help", run(["schema", "--help"]), 0, "JSON Schema")
expect("several -f merge", run(["lint", "-f", quick, "-f", os.path.join(examples, "oneshot", "jails.yaml")]), 0,
       "0 errors, 0 warnings in 2 files")
p = run(["lint", "--format", "json", "-f", "-"], bad)
expect("json output is JSON", p, 1)
try:
    assert json.loads(p.stdout)["findings"][0]["rule"] == "JM100"
except Exception as e:  # noqa: BLE001 - report any shape problem
    failures.append("json output: %r" % e)
with tempfile.TemporaryDirectory() as tmp:
    with open(os.path.join(tmp, "jails.yaml"), "wb") as f:
        f.write(clean)
    count += 1
    p = subprocess.run([jailmgr, "lint"], cwd=tmp, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode != 0 or b"in 1 file" not in p.stdout:
        failures.append("lint without -f reads ./jails.yaml: exit %d %r" % (p.returncode, p.stdout))
    os.chmod(os.path.join(tmp, "jails.yaml"), 0)
    if os.geteuid() != 0:  # root reads anything
        expect("unreadable file exits 2", run(["lint", "-f", os.path.join(tmp, "jails.yaml")]), 2, "cannot open")

for f in failures:
    print(f)
print("%d passed, %d failed" % (count - len(failures), len(failures)))
sys.exit(1 if failures else 0)
