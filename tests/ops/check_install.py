#!/usr/bin/env python3
"""`meson install` puts exactly the expected files in place.

  check_install.py MESON BUILD_DIR PREFIX SBINDIR MANDIR DATADIR SYSTEM

Installs the build into a temporary --destdir and compares the list of
installed files with the expected one; then checks the installed binaries'
--version, that the systemd unit points at the installed jailmgr, and that
the installed man pages and completions are the ones in the tree.
"""
import os
import subprocess
import sys
import tempfile

meson, build, prefix, sbindir, mandir, datadir, system = sys.argv[1:8]
failures, count = [], 0


def under_prefix(d):
    return d if os.path.isabs(d) else os.path.join(prefix, d)


def check(name, ok, detail=""):
    global count
    count += 1
    if not ok:
        failures.append("%s%s" % (name, (": " + detail) if detail else ""))


sbin, man, data = under_prefix(sbindir), under_prefix(mandir), under_prefix(datadir)
want = {
    os.path.join(sbin, "jailmgr"),
    os.path.join(sbin, "jailctl"),
    os.path.join(man, "man8", "jailmgr.8"),
    os.path.join(man, "man8", "jailctl.8"),
    os.path.join(man, "man5", "jails.yaml.5"),
    os.path.join(man, "man4", "secmodel_jail.4"),
    os.path.join(data, "bash-completion", "completions", "jailmgr"),
    os.path.join(data, "bash-completion", "completions", "jailctl"),
    os.path.join(data, "zsh", "site-functions", "_jailmgr"),
    os.path.join(data, "zsh", "site-functions", "_jailctl"),
}
if system == "linux":
    want.add(os.path.join(prefix, "lib", "systemd", "system", "jailmgr.service"))

with tempfile.TemporaryDirectory() as dest:
    p = subprocess.run([meson, "install", "-C", build, "--no-rebuild", "--destdir", dest],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300)
    check("meson install --destdir succeeds", p.returncode == 0, p.stdout.decode()[-2000:])
    got = set()
    for d, _, files in os.walk(dest):
        for f in files:
            got.add("/" + os.path.relpath(os.path.join(d, f), dest))
    missing, extra = sorted(want - got), sorted(got - want)
    check("the installed files are exactly the expected ones", not missing and not extra,
          "missing %s, unexpected %s (update tests/ops/check_install.py if intended)" % (missing, extra))

    for prog in ("jailmgr", "jailctl"):
        exe = dest + os.path.join(sbin, prog)
        if not os.path.exists(exe):
            continue
        check("%s is executable" % prog, os.access(exe, os.X_OK))
        p = subprocess.run([exe, "--version"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30)
        lines = p.stdout.decode().splitlines()
        check("installed %s --version prints version and build info" % prog,
              p.returncode == 0 and len(lines) == 2 and lines[0].startswith(prog + " ") and
              lines[1].startswith("build: ") and ", git " in lines[1] and
              lines[1].endswith(", driver " + ("linux" if system == "linux" else system)),
              repr(p.stdout) + repr(p.stderr))

    unit = dest + os.path.join(prefix, "lib", "systemd", "system", "jailmgr.service")
    if os.path.exists(unit):
        with open(unit) as f:
            text = f.read()
        check("the unit runs the installed jailmgr",
              "ExecStart=%s apply -f /etc/jailmgr/\n" % os.path.join(sbin, "jailmgr") in text and
              "ExecStop=%s down -f /etc/jailmgr/\n" % os.path.join(sbin, "jailmgr") in text and "@" not in text,
              text)

    src = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    for installed, source in ((os.path.join(man, "man8", "jailmgr.8"), "docs/jailmgr.8"),
                              (os.path.join(data, "bash-completion", "completions", "jailctl"),
                               "dist/completions/jailmgr.bash"),
                              (os.path.join(data, "zsh", "site-functions", "_jailctl"), "dist/completions/_jailctl")):
        try:
            with open(dest + installed, "rb") as a, open(os.path.join(src, source), "rb") as b:
                check("%s is %s" % (installed, source), a.read() == b.read())
        except OSError as e:
            check("%s is %s" % (installed, source), False, str(e))

for f in failures:
    print("FAIL", f)
print("%d passed, %d failed" % (count - len(failures), len(failures)))
sys.exit(1 if failures else 0)
