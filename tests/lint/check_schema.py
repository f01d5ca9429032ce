#!/usr/bin/env python3
"""Checks that tie the examples and the JSON Schema to the linter.

  check_schema.py JAILMGR MANIFEST_TO_JSON SOURCE_ROOT

1. `jailmgr schema` is a valid draft 2020-12 schema and equals the checked-in
   schema/jails.schema.json (regenerate with: jailmgr schema > schema/jails.schema.json).
2. Every example under examples/ lints without errors (warnings allowed) and
   validates against the schema (python3-jsonschema, Draft202012Validator).
4. docs/lint-rules.md documents every rule.
3. Corpus files with structural mistakes (unknown keys, wrong types) are
   rejected by the schema too, so the schema is not vacuous.
"""
import json
import os
import subprocess
import sys

import jsonschema


def main():
    jailmgr, to_json, root = (os.path.abspath(a) for a in sys.argv[1:4])
    failures, count = [], 0

    count += 1
    generated = json.loads(subprocess.run([jailmgr, "schema"], check=True, stdout=subprocess.PIPE).stdout)
    jsonschema.Draft202012Validator.check_schema(generated)
    with open(os.path.join(root, "schema", "jails.schema.json")) as f:
        checked_in = json.load(f)
    if generated != checked_in:
        failures.append("schema/jails.schema.json is stale; regenerate: jailmgr schema > schema/jails.schema.json")
    validator = jsonschema.Draft202012Validator(generated)

    examples = os.path.join(root, "examples")
    targets = []
    for d in sorted(os.listdir(examples)):
        path = os.path.join(examples, d)
        if d.endswith(".d") and os.path.isdir(path):
            targets.append((path, sorted(os.path.join(path, f) for f in os.listdir(path) if f.endswith((".yaml", ".yml")))))
        elif os.path.isdir(path):
            for f in sorted(os.listdir(path)):
                if f.endswith((".yaml", ".yml")):
                    p = os.path.join(path, f)
                    targets.append((p, [p]))
    if len(targets) < 4:
        failures.append("expected at least 4 examples, found %d" % len(targets))
    for target, files in targets:
        count += 1
        p = subprocess.run([jailmgr, "lint", "--format", "json", "-f", target], stdout=subprocess.PIPE)
        report = json.loads(p.stdout)
        if p.returncode != 0 or report["summary"]["errors"]:
            failures.append("%s: lint reports errors:\n%s" % (target, json.dumps(report["findings"], indent=1)))
        for f in files:
            count += 1
            doc = json.loads(subprocess.run([to_json, f], check=True, stdout=subprocess.PIPE).stdout)
            errors = sorted(validator.iter_errors(doc), key=str)
            if errors:
                failures.append("%s: does not validate against the schema: %s" % (f, errors[0].message))

    corpus = os.path.join(root, "tests", "lint", "invalid")
    structural = [f for f in sorted(os.listdir(corpus)) if f.startswith(("100-unknown", "101-wrong-type"))
                  and f.endswith(".yaml")]
    for f in structural:
        count += 1
        doc = json.loads(subprocess.run([to_json, os.path.join(corpus, f)], check=True, stdout=subprocess.PIPE).stdout)
        if validator.is_valid(doc):
            failures.append("%s: the schema accepts a manifest that lint rejects" % f)

    count += 1
    sarif = json.loads(subprocess.run([jailmgr, "lint", "--format", "sarif", "-f", "-"], input=b"version: 1\n",
                                      stdout=subprocess.PIPE).stdout)
    with open(os.path.join(root, "docs", "lint-rules.md")) as f:
        doc = f.read()
    missing = [r["id"] for r in sarif["runs"][0]["tool"]["driver"]["rules"] if "\n### %s\n" % r["id"] not in doc]
    if missing:
        failures.append("docs/lint-rules.md lacks %s; regenerate with docs/gen_lint_rules.py" % ", ".join(missing))

    for f in failures:
        print(f)
    print("%d passed, %d failed" % (count - len(failures), len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
