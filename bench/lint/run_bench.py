#!/usr/bin/env python3
"""Lint benchmark: time and peak memory of `jailmgr lint` on generated
manifests of 1,000 and 10,000 jails (see README.md).

  run_bench.py JAILMGR [REPEATS]
"""
import os
import resource
import subprocess
import sys
import tempfile
import time

here = os.path.dirname(os.path.abspath(__file__))


def run_once(jailmgr, path):
    """Wall time and peak RSS (KiB) of one lint run, measured in a fresh child."""
    code = ("import resource,subprocess,sys,time\n"
            "t=time.perf_counter()\n"
            "p=subprocess.run(sys.argv[1:],stdout=subprocess.DEVNULL)\n"
            "d=time.perf_counter()-t\n"
            "print(p.returncode,d,resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n")
    out = subprocess.run([sys.executable, "-c", code, jailmgr, "lint", "-f", path],
                         check=True, stdout=subprocess.PIPE, text=True).stdout.split()
    rc, secs, rss = int(out[0]), float(out[1]), int(out[2])
    if rc != 0:
        sys.exit("lint of %s exited %d; the generated manifest must lint clean" % (path, rc))
    return secs, rss


def main():
    jailmgr = sys.argv[1]
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for n in (1000, 10000):
            path = os.path.join(tmp, "jails-%d.yaml" % n)
            with open(path, "w") as f:
                subprocess.run([sys.executable, os.path.join(here, "gen_manifest.py"), str(n)], stdout=f, check=True)
            size = os.path.getsize(path)
            runs = [run_once(jailmgr, path) for _ in range(repeats)]
            best = min(r[0] for r in runs)
            median = sorted(r[0] for r in runs)[len(runs) // 2]
            rss = max(r[1] for r in runs)
            results[n] = best
            print("%6d jails  %5.1f MiB  best %.3f s  median %.3f s  peak RSS %.1f MiB"
                  % (n, size / 2**20, best, median, rss / 1024))
    ratio = results[10000] / results[1000]
    print("10x jails -> %.2fx time (target <= 12x); 10,000 jails in %.3f s (target < 1 s)" % (ratio, results[10000]))
    return 0 if results[10000] < 1.0 and ratio <= 12 else 1


if __name__ == "__main__":
    sys.exit(main())
