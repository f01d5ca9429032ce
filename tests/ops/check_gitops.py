#!/usr/bin/env python3
"""examples/gitops: one config repository, two hosts.

  check_gitops.py JAILMGR SOURCE_ROOT

- the whole example lints clean, in text and in --format github;
- `plan --host web1` and `plan --host db1` each plan exactly the jails
  placed on that host (plus the ones placed everywhere), their JSON
  matches docs/plan.schema.json, and
  --detailed-exitcode says changes are pending (a fresh --root-dir);
- a copy where `admin` is also placed on web1 fails lint with exactly one
  port conflict (JM130) at admin's port, in json and github formats;
- the CI workflow runs lint --format github and plan --detailed-exitcode.
"""
import json
import os
import jsonschema
import re
import shutil
import subprocess
import sys
import tempfile

jailmgr, root = os.path.abspath(sys.argv[1]), sys.argv[2]
example = os.path.join(root, "examples", "gitops")
jails_dir = os.path.join(example, "jails")
failures, count = [], 0
with open(os.path.join(root, "docs", "plan.schema.json")) as f:
    plan_schema = jsonschema.Draft202012Validator(json.load(f))


def run(*args):
    return subprocess.run([jailmgr, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120,
                          env=dict(os.environ, NO_COLOR="1"))


def check(name, ok, detail=""):
    global count
    count += 1
    if not ok:
        failures.append("%s%s" % (name, (": " + detail) if detail else ""))


p = run("lint", "-f", jails_dir)
check("the example lints clean", p.returncode == 0 and b"0 errors" in p.stdout, p.stdout.decode() + p.stderr.decode())
p = run("lint", "--format", "github", "-f", jails_dir)
check("github format: no error annotations", p.returncode == 0 and b"::error" not in p.stdout, p.stdout.decode())

with tempfile.TemporaryDirectory() as tmp:
    for host, want in (("web1", {"www", "node-agent"}), ("db1", {"db", "admin", "node-agent"})):
        p = run("--root-dir", tmp, "plan", "--output", "json", "-f", jails_dir, "--host", host)
        try:
            plan = json.loads(p.stdout)
            created = {s["jail"] for s in plan["steps"] if s["action"] == "create"}
            planned = {s["jail"] for s in plan["steps"]}
        except (ValueError, KeyError) as e:
            check("plan --host %s prints a JSON plan" % host, False, "%r: %s" % (e, p.stderr.decode()))
            continue
        errors = sorted(plan_schema.iter_errors(plan), key=str)
        check("plan --host %s --output json matches docs/plan.schema.json" % host, not errors,
              errors[0].message if errors else "")
        check("plan --host %s creates exactly its jails" % host, p.returncode == 0 and created == want and
              planned == want, "exit %d, created %s, planned %s" % (p.returncode, sorted(created), sorted(planned)))
        # admin has autostart: false: created, but nothing started.
        started = {s["jail"] for s in plan["steps"] if s["action"] == "start"}
        check("plan --host %s starts no service of an autostart: false jail" % host,
              "admin" not in started and started == want - {"admin"}, "started %s" % sorted(started))
        p = run("--root-dir", tmp, "plan", "--detailed-exitcode", "-f", jails_dir, "--host", host)
        check("plan --detailed-exitcode --host %s exits 2 (changes pending)" % host, p.returncode == 2,
              "exit %d: %s" % (p.returncode, p.stderr.decode()))
        text = p.stdout.decode()
        others = {"www", "db", "admin"} - want
        check("plan --host %s text names none of the other host's jails" % host,
              not any(re.search(r"\b%s\b" % j, text) for j in others), text)
    p = run("--root-dir", tmp, "plan", "-f", jails_dir, "--host", "nowhere")
    check("a host with no placement gets only the jails placed everywhere",
          p.returncode == 0 and "node-agent" in p.stdout.decode() and "www" not in p.stdout.decode(),
          p.stdout.decode() + p.stderr.decode())

    # A fixture copy: admin placed on web1 too, where www already has 8080.
    bad = os.path.join(tmp, "repo")
    shutil.copytree(jails_dir, bad)
    path = os.path.join(bad, "20-db1.yaml")
    with open(path) as f:
        text = f.read()
    moved = text.replace("  admin:\n    placement: {hosts: [db1]}", "  admin:\n    placement: {hosts: [db1, web1]}")
    check("the fixture edit applies", moved != text)
    with open(path, "w") as f:
        f.write(moved)
    p = run("lint", "--format", "json", "-f", bad)
    try:
        findings = [f for f in json.loads(p.stdout)["findings"] if f["severity"] == "error"]
    except (ValueError, KeyError) as e:
        findings = []
        check("lint --format json parses", False, repr(e))
    got = [(f["rule"], os.path.basename(f["file"]), f["line"], f["message"]) for f in findings]
    want = [("JM130", "20-db1.yaml", 19,
             "jail 'admin': port 8080 is already reserved by jail 'www' (%s:7:13); give each jail its own port, "
             "or place the jails on different hosts" % os.path.join(bad, "10-web1.yaml"))]
    check("a per-host port conflict fails lint, at admin's port", p.returncode == 1 and got == want,
          "exit %d: %r" % (p.returncode, got))
    p = run("lint", "--format", "github", "-f", bad)
    out = p.stdout.decode()
    check("the conflict is one github error annotation", p.returncode == 1 and out.count("::error") == 1 and
          "20-db1.yaml" in out, out)

with open(os.path.join(example, ".github", "workflows", "jailmgr.yml")) as f:
    workflow = f.read()
check("the workflow lints with --format github", "jailmgr lint --format github -f jails/" in workflow)
check("the workflow plans per host with --detailed-exitcode",
      'jailmgr plan --detailed-exitcode -f jails/ --host "${{ matrix.host }}"' in workflow and
      "host: [web1, db1]" in workflow)

for f in failures:
    print("FAIL", f)
print("%d passed, %d failed" % (count - len(failures), len(failures)))
sys.exit(1 if failures else 0)
