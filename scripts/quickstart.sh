#!/bin/sh
# quickstart.sh -- set up, build, and run the main job on this machine.
# Idempotent: running it again converges to the same state.
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)
"$here/scripts/setup.sh" build
jailmgr=$here/build/cli/jailmgr

"$jailmgr" lint -f "$here/examples/quickstart/jails.yaml"
