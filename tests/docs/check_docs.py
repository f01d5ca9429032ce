#!/usr/bin/env python3
"""The documentation matches the programs.

  check_docs.py JAILMGR JAILCTL SOURCE_ROOT

- every key of schema/jails.schema.json is named with the Ic macro in
  docs/jails.yaml.5 (as a tag or in a dotted path such as
  healthcheck.timeout);
- every flag of jailmgr and jailctl, read from the --help of the program and
  of each subcommand, is documented (.Fl) in the man page: global flags in
  OPTIONS, a subcommand's flags in that subcommand's .Ss section;
- every flag appears in the bash and the zsh completion of its program;
- the man pages pass `mandoc -T lint`; the completions parse (bash -n, zsh -n).

Then it checks itself: the same checks run on copies with one flag and one
key removed must report exactly those.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

MACRO = re.compile(r"^[A-Z][a-z][a-z]?$")


def help_text(prog, *args):
    p = subprocess.run([prog, *args, "--help"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30,
                       env=dict(os.environ, NO_COLOR="1"))
    if p.returncode != 0:
        raise SystemExit("%s %s --help exited %d: %s" % (prog, " ".join(args), p.returncode, p.stderr.decode()))
    return p.stdout.decode()


def help_sections(text):
    """{"Options": [lines], "Subcommands": [lines], ...} from CLI11 help."""
    out, cur = {}, None
    for line in text.splitlines():
        m = re.match(r"^(\w[\w ]*):\s*$", line)
        if m:
            cur = m.group(1)
            out[cur] = []
        elif cur and line.strip():
            out[cur].append(line)
    return out


def help_flags(text):
    flags = set()
    for line in help_sections(text).get("Options", []):
        m = re.match(r"^\s+(-\S+)", line)
        if m:
            flags.update(f for f in m.group(1).split(",") if f.startswith("-"))
    return flags


def help_subcommands(text):
    subs = []
    for line in help_sections(text).get("Subcommands", []):
        m = re.match(r"^  (\w[\w-]*)\s", line)
        if m:
            subs.append(m.group(1))
    return subs


def program_flags(prog):
    """{"": global flags, "apply": flags of apply, ...}"""
    top = help_text(prog)
    out = {"": help_flags(top)}
    for sub in help_subcommands(top):
        out[sub] = help_flags(help_text(prog, sub)) - {"-h", "--help"}
    return out


def mdoc_sections(path):
    """{"OPTIONS": [lines], "apply": [lines], ...}: .Sh and .Ss bodies."""
    out, cur = {}, None
    with open(path) as f:
        for line in f:
            m = re.match(r"^\.S[hs]\s+(.*?)\s*$", line)
            if m:
                cur = m.group(1)
                out.setdefault(cur, [])
            elif cur:
                out[cur].append(line.rstrip("\n"))
    return out


def mdoc_flags(lines):
    """Flags written with the Fl macro: `.Fl f , Fl -file Ar path` -> -f, --file."""
    flags = set()
    for line in lines:
        if not line.startswith("."):
            continue
        words = line[1:].split()
        in_fl = False
        for w in words:
            if w == "Fl":
                in_fl = True
            elif MACRO.match(w) or w in (",", "|", "(", ")", ".", ":", ";"):
                in_fl = False
            elif in_fl:
                flags.add("-" + w)
    return flags


def check_flags(prog_name, flags, man_path, failures):
    sections = mdoc_sections(man_path)
    documented_global = mdoc_flags(sections.get("OPTIONS", []))
    for flag in sorted(flags[""]):
        if flag not in documented_global:
            failures.append("%s: global flag %s is not documented in OPTIONS of %s" % (prog_name, flag, man_path))
    for sub, sub_flags in sorted(flags.items()):
        if not sub:
            continue
        if sub not in sections:
            failures.append("%s %s: no .Ss %s section in %s" % (prog_name, sub, sub, man_path))
            continue
        documented = mdoc_flags(sections[sub])
        for flag in sorted(sub_flags):
            if flag not in documented:
                failures.append("%s %s: flag %s is not documented in %s" % (prog_name, sub, flag, man_path))


def check_completion(prog_name, flags, path, failures):
    with open(path) as f:
        text = f.read()
    words = set(re.findall(r"(?<![\w-])(--?[A-Za-z][\w-]*)", text))
    for sub, sub_flags in sorted(flags.items()):
        if sub and not re.search(r"(?<![\w-])%s(?![\w-])" % re.escape(sub), text):
            failures.append("%s: subcommand %s missing from %s" % (prog_name, sub, path))
        for flag in sorted(sub_flags):
            if flag not in words:
                failures.append("%s %s: flag %s missing from %s" % (prog_name, sub or "(global)", flag, path))


def schema_keys(schema):
    """Every property name anywhere in the schema."""
    keys = set()

    def walk(node):
        if isinstance(node, dict):
            for k, v in node.get("properties", {}).items():
                keys.add(k)
                walk(v)
            for k, v in node.items():
                if k != "properties":
                    walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(schema)
    return keys


def man_keys(path):
    """The words of every key written with the Ic macro (`.It Ic a.b[].c`,
    `.Ic healthcheck.timeout ,`): a, b, c, healthcheck, timeout."""
    keys = set()
    with open(path) as f:
        for line in f:
            if not line.startswith("."):
                continue
            for m in re.finditer(r"(?:^\.|\s)Ic\s+(\S+)", line):
                keys.update(k for k in re.split(r"[.\[\]<>]+", m.group(1)) if k)
    return keys


def check_keys(schema_path, man_path, failures):
    with open(schema_path) as f:
        schema = json.load(f)
    documented = man_keys(man_path)
    for key in sorted(schema_keys(schema)):
        if key not in documented:
            failures.append("manifest key '%s' is not documented in %s (name it with .Ic)" % (key, man_path))


def check_mandoc(paths, failures):
    mandoc = shutil.which("mandoc")
    if not mandoc:
        failures.append("mandoc not found: apt-get install mandoc")
        return
    p = subprocess.run([mandoc, "-T", "lint", "-W", "warning", *paths], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT)
    if p.returncode != 0:
        failures.append("mandoc -T lint:\n" + p.stdout.decode())


def check_all(root, jailmgr_flags, jailctl_flags, docs):
    failures = []
    check_keys(os.path.join(root, "schema", "jails.schema.json"), os.path.join(docs, "jails.yaml.5"), failures)
    check_flags("jailmgr", jailmgr_flags, os.path.join(docs, "jailmgr.8"), failures)
    check_flags("jailctl", jailctl_flags, os.path.join(docs, "jailctl.8"), failures)
    comp = os.path.join(root, "dist", "completions")
    for name, flags in (("jailmgr", jailmgr_flags), ("jailctl", jailctl_flags)):
        check_completion(name, flags, os.path.join(comp, "jailmgr.bash"), failures)
        check_completion(name, flags, os.path.join(comp, "_" + name), failures)
    return failures


def self_test(root, jm, jc, docs):
    """Copies of the man pages with --dry-run and stop_grace_period removed
    must produce exactly those two findings."""
    with tempfile.TemporaryDirectory() as tmp:
        for n in ("jailmgr.8", "jailctl.8", "jails.yaml.5"):
            shutil.copy(os.path.join(docs, n), tmp)
        man = os.path.join(tmp, "jailmgr.8")
        with open(man) as f:
            text = f.read()
        with open(man, "w") as f:
            f.write(re.sub(r"(?m)^(\.(?:It|Op) Fl) -dry-run$", r"\1 -dry-rum", text))
        key_man = os.path.join(tmp, "jails.yaml.5")
        with open(key_man) as f:
            text = f.read()
        with open(key_man, "w") as f:
            f.write(re.sub(r"(?m)^\.It Ic stop_grace_period$", ".It Ic stop_grace", text))
        got = check_all(root, jm, jc, tmp)
        want = ["jailmgr apply: flag --dry-run is not documented in %s" % man,
                "manifest key 'stop_grace_period' is not documented in %s (name it with .Ic)" % key_man]
        if sorted(got) != sorted(want):
            return ["self-test: an undocumented flag and key gave %r, expected %r" % (got, want)]
    return []


def main():
    jailmgr, jailctl, root = sys.argv[1:4]
    docs = os.path.join(root, "docs")
    jm, jc = program_flags(jailmgr), program_flags(jailctl)
    # Guard against a help format this parser no longer understands.
    count, failures = 0, []
    for name, flags, must in (("jailmgr", jm, {"apply": "--dry-run", "": "--root-dir", "logs": "--lines"}),
                              ("jailctl", jc, {"create": "--address-space", "destroy": "--force"})):
        for sub, flag in must.items():
            count += 1
            if flag not in flags.get(sub, set()):
                failures.append("%s %s --help: %s not found; the help parser is out of date" % (name, sub, flag))
    count += 1
    real = check_all(root, jm, jc, docs)
    failures += real
    count += 1
    check_mandoc([os.path.join(docs, n) for n in ("jailmgr.8", "jailctl.8", "jails.yaml.5", "secmodel_jail.4")],
                 failures)

    root_comp = os.path.join(root, "dist", "completions")
    for shell, names in (("bash", ["jailmgr.bash"]), ("zsh", ["_jailmgr", "_jailctl"])):
        count += 1
        exe = shutil.which(shell)
        if not exe:
            failures.append("%s not found: apt-get install %s (scripts/setup.sh)" % (shell, shell))
            continue
        for n in names:
            p = subprocess.run([exe, "-n", os.path.join(root_comp, n)], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT)
            if p.returncode != 0:
                failures.append("%s -n %s: %s" % (shell, n, p.stdout.decode()))

    # The checks must catch an omission (tried once the real documents pass,
    # so that the expected findings are exact).
    count += 1
    if not real:
        failures += self_test(root, jm, jc, docs)

    for f in failures:
        print(f)
    print("%d passed, %d failed (%d jailmgr and %d jailctl flags, checked)" %
          (count - min(len(failures), count), len(failures), sum(map(len, jm.values())), sum(map(len, jc.values()))))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
