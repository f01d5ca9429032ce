#!/usr/bin/python3
"""Check a Grafana dashboard's PromQL against a real jailmgr scrape.

    check_dashboard.py DASHBOARD.json SCRAPE.prom

Fails (exit 1, one line per problem) when a query names a jailmgr_ metric the
exposition does not have, when a query names no jailmgr_ metric at all, or
when promtool (Debian's prometheus package) rejects a query as PromQL.
"""
import json
import os
import re
import subprocess
import sys
import tempfile

from prometheus_client.parser import text_string_to_metric_families

METRIC = re.compile(r"\bjailmgr_[a-zA-Z0-9_]+\b")
# Grafana's variables, as Prometheus would see them after substitution.
VARIABLES = {"$__rate_interval": "5m", "$__interval": "1m", "$__range": "1h", "$jail": ".*"}


def queries(dashboard):
    """(where, expr) for every panel target and query variable."""
    def walk(panels, path):
        for p in panels:
            title = f"{path}/{p.get('title', '?')}"
            for t in p.get("targets", []):
                yield f"panel '{title}' target {t.get('refId', '?')}", t.get("expr", "")
            yield from walk(p.get("panels", []), title)
    yield from walk(dashboard.get("panels", []), "")
    for v in dashboard.get("templating", {}).get("list", []):
        if v.get("type") == "query":
            q = v.get("query")
            yield f"variable ${v['name']}", q.get("query", "") if isinstance(q, dict) else q


def exposed_names(text):
    names = set()
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            names.add(s.name)
    return names


def promql_problems(exprs):
    """promtool check rules on one recording rule per PromQL expression."""
    rules = {"groups": [{"name": "dashboard", "rules": [
        {"record": f"dashboard:query_{i}", "expr": e} for i, (_, e) in enumerate(exprs)]}]}
    with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as f:
        json.dump(rules, f)  # JSON is YAML
        path = f.name
    try:
        r = subprocess.run(["promtool", "check", "rules", path], capture_output=True, text=True)
    except FileNotFoundError:
        return ["promtool not found: install Debian's prometheus package (scripts/setup.sh does)"]
    finally:
        os.unlink(path)
    if r.returncode == 0:
        return []
    return [f"promtool rejects a query: {(r.stdout + r.stderr).strip()}"]


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        dashboard = json.load(f)
    with open(sys.argv[2], encoding="utf-8") as f:
        names = exposed_names(f.read())
    problems, promql = [], []
    found = list(queries(dashboard))
    if not found:
        problems.append("the dashboard has no queries")
    for where, expr in found:
        used = set(METRIC.findall(expr))
        if not used:
            problems.append(f"{where}: names no jailmgr_ metric: {expr}")
        for name in sorted(used - names):
            problems.append(f"{where}: {name} is not in the exposition")
        if not expr.startswith("label_values("):
            for var, value in VARIABLES.items():
                expr = expr.replace(var, value)
            promql.append((where, expr))
    problems += promql_problems(promql)
    for p in problems:
        print(p)
    print(f"{len(found)} queries, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
