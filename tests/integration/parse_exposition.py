#!/usr/bin/python3
"""Parse Prometheus text exposition with python3-prometheus-client's parser.

    parse_exposition.py FILE

Prints {"types": {family: type}, "samples": [[name, {labels}, value], ...]} as
JSON on stdout; a text the parser rejects exits 1 with its message on stderr.
Run with Debian's /usr/bin/python3, where python3-prometheus-client lives.
"""
import json
import math
import sys

from prometheus_client.parser import text_string_to_metric_families


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        text = f.read()
    types, samples = {}, []
    try:
        for family in text_string_to_metric_families(text):
            if family.name in types:
                raise ValueError(f"family {family.name} appears twice")
            if not family.documentation:
                raise ValueError(f"family {family.name} has no HELP text")
            types[family.name] = family.type
            for s in family.samples:
                # JSON has no NaN: such values (prometheus-cpp's empty
                # summaries) travel as strings.
                value = s.value if math.isfinite(s.value) else str(s.value)
                samples.append([s.name, s.labels, value])
    except ValueError as e:
        print(f"exposition does not parse: {e}", file=sys.stderr)
        return 1
    json.dump({"types": types, "samples": samples}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
