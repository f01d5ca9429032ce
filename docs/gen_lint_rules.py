#!/usr/bin/env python3
"""Regenerates docs/lint-rules.md from the rule table (via SARIF output)
and the lint corpus (tests/lint/invalid: one example per rule, with the
exact output it produces).

  docs/gen_lint_rules.py JAILMGR > docs/lint-rules.md
"""
import json
import re
import os
import subprocess
import sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
jailmgr = sys.argv[1]
sarif = json.loads(subprocess.run([jailmgr, "lint", "--format", "sarif", "-f", "-"], input=b"version: 1\n",
                                  stdout=subprocess.PIPE).stdout)
rules = sarif["runs"][0]["tool"]["driver"]["rules"]
corpus = os.path.join(root, "tests", "lint", "invalid")
entries = sorted(os.listdir(corpus))

print("""# jailmgr lint rules

Every finding of `jailmgr lint` names one of these rules.  IDs are stable:
a rule is never renumbered and a retired number is never reused.  Errors make
`jailmgr lint` exit 1; warnings are reported but exit 0.  Numbering: JM0xx
reading the file and YAML, JM1xx structure and values, JM12x duplicates,
JM13x ports, JM14x dependencies, JM15x profiles, JM16x mounts, JM17x roots,
JM18x services, JM2xx warnings about risky but legal choices.

Each example below is a file of the lint corpus (`tests/lint/invalid/`) and
the exact output lint gives for it (the corpus test keeps both in sync).

## Output formats

- `--format text` (default): `file:line:col: severity: message [ID]`, the
  source line with a caret, `note:` lines for related places, then a
  summary line `N errors, M warnings in K files`.  Colour only when stdout is
  a terminal and `NO_COLOR` is unset.
- `--format json`: one object, stable (fields are only ever added):
  `{"version": 1, "summary": {"errors", "warnings", "files"}, "findings": [
  {"rule", "name", "severity", "file", "line", "column", "message",
  "related": [{"file", "line", "column", "message"}]}]}`.  Lines and columns
  are 1-based; columns count characters.
- `--format sarif`: SARIF 2.1.0, one run; `tool.driver.rules` lists every
  rule below with its default level; results carry `relatedLocations`.
- `--format github`: GitHub Actions workflow commands
  `::error file=F,line=L,col=C,title=ID::message`, then the summary line.

Exit status: 0 no errors (warnings allowed), 1 errors found, 2 usage error
or a path that cannot be read (JM000).

## Rules
""")
print("| ID | name | severity | checks |\n|---|---|---|---|")
for r in rules:
    print("| [%s](#%s) | %s | %s | %s |" % (r["id"], r["id"].lower(), r["name"],
                                          r["defaultConfiguration"]["level"], r["shortDescription"]["text"]))
print()
for r in rules:
    rid = r["id"]
    print("### %s\n" % rid)
    print("**%s** (%s). %s.\n" % (r["name"], r["defaultConfiguration"]["level"], r["shortDescription"]["text"][0].upper()
                                  + r["shortDescription"]["text"][1:]))
    print("Fix: %s.\n" % re.sub(r" \(docs/.*\)$", "", r["help"]["text"]))
    ex = [e for e in entries if e.startswith(rid[2:] + "-") and e.endswith((".yaml", ".d"))]
    if not ex:
        if rid == "JM000":
            print("Example: `jailmgr lint -f missing.yaml` prints\n`missing.yaml:1:1: error: no such file or "
                  "directory; check the -f argument [JM000]` and exits 2.\n")
        continue
    e = ex[0]
    path = os.path.join(corpus, e)
    if os.path.isdir(path):
        for f in sorted(os.listdir(path)):
            with open(os.path.join(path, f), "rb") as fh:
                print("`%s/%s`:\n\n```yaml\n%s```\n" % (e, f, fh.read().decode(errors="replace")))
    else:
        with open(path, "rb") as fh:
            text = fh.read().decode(errors="replace")
        if text.strip():
            print("`%s`:\n\n```yaml\n%s%s```\n" % (e, text, "" if text.endswith("\n") else "\n"))
        else:
            print("`%s`: an empty file.\n" % e)
    with open(os.path.join(corpus, e.rsplit(".", 1)[0] + ".expected")) as fh:
        print("Output:\n\n```\n%s```\n" % fh.read())
