#!/bin/sh
# quickstart.sh -- set up, build, and run the main job on this machine: the
# quickstart jails (examples/quickstart/jails.yaml), their status, and the
# page the web jail serves.  Idempotent: a second run finds everything in
# place and changes nothing.
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)
"$here/scripts/setup.sh" build
jailmgr=$here/build/cli/jailmgr
manifest=$here/examples/quickstart/jails.yaml

if [ "$(id -u)" -ne 0 ]; then
    echo "quickstart: jails are kernel objects: run as root" >&2
    exit 2
fi

"$jailmgr" apply -f "$manifest"
echo
"$jailmgr" status
echo

# The services start asynchronously after apply returns; give the page a
# few seconds to appear.
i=0
while ! page=$(curl -fsS --max-time 2 http://127.0.0.1:8080/ 2>/dev/null); do
    i=$((i + 1))
    if [ "$i" -ge 50 ]; then
        echo "quickstart: http://127.0.0.1:8080/ did not answer; see: $jailmgr logs web/httpd" >&2
        exit 1
    fi
    sleep 0.2
done
echo "GET http://127.0.0.1:8080/ ->"
echo "$page"
echo
echo "Next: $jailmgr status | logs web/httpd | exec web -- ps | down -f $manifest"
