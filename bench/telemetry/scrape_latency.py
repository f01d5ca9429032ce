#!/usr/bin/python3
"""Time N scrapes of a /metrics URL: each a new loopback TCP connection and
one GET that reads the whole body (civetweb, under prometheus-cpp, closes
kept-alive connections, so both exporters are measured the same way).

    scrape_latency.py NAME URL COUNT PID

Prints one Markdown table row: name, p50, p99, mean, max (ms), body size,
samples, and the RSS of PID after the scrapes (VmRSS and peak VmHWM).
"""
import http.client
import statistics
import sys
import time
import urllib.parse


def rss_kib(pid, key):
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def main():
    name, url, count, pid = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    u = urllib.parse.urlsplit(url)
    times, body = [], b""
    for i in range(count + 5):
        t0 = time.perf_counter()
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
        conn.request("GET", u.path)
        r = conn.getresponse()
        body = r.read()
        dt = time.perf_counter() - t0
        conn.close()
        if r.status != 200:
            sys.exit(f"{name}: GET {url} answered {r.status}")
        if i >= 5:  # the first scrapes warm caches
            times.append(dt * 1000)
    times.sort()
    p = lambda q: times[min(len(times) - 1, int(q * len(times)))]
    samples = sum(1 for line in body.decode().splitlines() if line and not line.startswith("#"))
    print(f"| {name} | {p(0.5):.2f} ms | {p(0.99):.2f} ms | {statistics.mean(times):.2f} ms | {times[-1]:.2f} ms "
          f"| {len(body) / 1024:.0f} KiB | {samples} | {rss_kib(pid, 'VmRSS') / 1024:.1f} MiB "
          f"(peak {rss_kib(pid, 'VmHWM') / 1024:.1f}) |")


if __name__ == "__main__":
    main()
