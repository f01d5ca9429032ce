#!/bin/sh
# prometheus_e2e.sh TEST_BINARY -- run the Prometheus end-to-end test where
# Debian's prometheus package is installed; otherwise say so and report the
# test as skipped (exit 77), never as passed.
if [ ! -x /usr/bin/prometheus ]; then
    echo "prometheus-e2e: SKIPPED: /usr/bin/prometheus is missing; install Debian's prometheus package" \
         "(scripts/setup.sh installs it)" >&2
    exit 77
fi
exec "$@"
