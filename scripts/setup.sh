#!/bin/sh
# setup.sh -- make this Debian 12 machine able to build and test jailmgr, then
# build it.  Idempotent: installs only what is missing, configures the build
# directory only once, and rebuilds only what changed.
#
#   scripts/setup.sh [BUILD_DIR [MESON_OPTION...]]
#
# BUILD_DIR defaults to ./build (release).  Extra arguments go to `meson setup`
# the first time, e.g. scripts/setup.sh build-test -Db_sanitize=address,undefined
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
[ $# -gt 0 ] && shift
case $build in /*) ;; *) build=$here/$build ;; esac

# Build tools, libraries (Debian packages only, no downloads at build time),
# and what the tests run: busybox for minimal jail roots, clang's libFuzzer
# runtime for the fuzz targets, curl and iproute2 for the end-to-end checks;
# prometheus (its promtool checks our exposition, its server scrapes the
# exporter end to end), python3-prometheus-client (its exposition parser) and
# prometheus-node-exporter (the telemetry benchmark's peer);
# mandoc and zsh for the man page and completion checks.
packages="g++ meson ninja-build pkg-config
  libcli11-dev libspdlog-dev nlohmann-json3-dev prometheus-cpp-dev
  doctest-dev libseccomp-dev libcap-dev
  libyaml-dev nettle-dev python3-jsonschema libcurl4-openssl-dev
  clang libclang-rt-14-dev busybox-static curl iproute2 procps
  prometheus python3-prometheus-client prometheus-node-exporter mandoc zsh"

missing=
for p in $packages; do
    dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' \
        || missing="$missing $p"
done
if [ -n "$missing" ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "setup: missing packages:$missing -- run as root (sudo $0) to install them" >&2
        exit 2
    fi
    echo "setup: installing$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >/dev/null || echo "setup: apt-get update failed; trying the cached lists" >&2
    # prometheus and node-exporter start their daemons from postinst; jailmgr
    # only runs them from tests, on loopback.  A policy-rc.d that says "not
    # now" (exit 101) keeps invoke-rc.d from starting them; it is ours only if
    # none existed, and goes away however the install ends.
    policy=/usr/sbin/policy-rc.d
    own_policy=
    if [ ! -e "$policy" ]; then
        own_policy=1
        trap 'rm -f "$policy"' EXIT INT TERM
        printf '#!/bin/sh\n# temporary, from jailmgr scripts/setup.sh\nexit 101\n' >"$policy"
        chmod 755 "$policy"
    fi
    # shellcheck disable=SC2086
    apt-get install -y -q --no-install-recommends $missing >/dev/null
    if [ -n "$own_policy" ]; then
        rm -f "$policy"
        trap - EXIT INT TERM
    fi
fi

if [ ! -f "$build/build.ninja" ]; then
    meson setup "$build" "$here" "$@" >/dev/null
elif [ $# -gt 0 ]; then
    meson configure "$build" "$@" >/dev/null   # options changed since the first setup
fi
ninja -C "$build" >/dev/null
echo "setup: built $build"
