#!/usr/bin/env python3
"""Writes a lint-clean manifest with N jails to stdout (deterministic).

Each jail looks like a real one: a named profile, two reserved ports, limits,
environment, a dependency on the previous jail, setup steps, and two
services (a one-shot migrate and a server with a health check), ~30 lines.
"""
import sys

n = int(sys.argv[1])
out = sys.stdout
out.write("version: 1\nproject: bench\n\nprofiles:\n  web:\n    extends: medium\n    deny: [sysvipc]\n\n"
          "x-limits: &limits\n  memory: 256MiB\n  cpus: 0.5\n  pids: 128\n  nofile: 4096\n\njails:\n")
for i in range(n):
    port = 1024 + 2 * i  # 10,000 jails use ports 1024..21022
    dep = f"    depends_on: [j{i - 1}]\n" if i else ""
    out.write(f"""  j{i}:
    profile: web
    hostname: j{i}.bench
    ports: [{port}, "{port + 1}/tcp"]
    limits:
      <<: *limits
    environment: {{TZ: UTC, JAIL_ID: "{i}"}}
    user: "65534:65534"
{dep}    setup:
      - run: mkdir -p /srv/app
      - file: {{path: /srv/app/index.html, content: "<h1>{i}</h1>", mode: "0644"}}
    services:
      migrate:
        command: ["/bin/sh", "-c", "echo migrated"]
        restart: "no"
      app:
        command: ["busybox", "httpd", "-f", "-p", "127.0.0.1:{port}", "-h", "/srv/app"]
        restart: on-failure
        stop_grace_period: 10s
        depends_on:
          migrate: {{condition: service_completed_successfully}}
        healthcheck: {{tcp: {port}, interval: 5s}}
        logging: {{file: {{max_size: 10MiB, keep: 3}}}}
""")
