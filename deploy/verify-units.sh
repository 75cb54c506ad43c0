#!/bin/sh
# Checks units (default: deploy/systemd/*.service) with `systemd-analyze verify`, failing on any complaint
# (systemd-analyze exits 0 on warnings such as unknown keys, so its output must be empty).
# The units' ExecStart points at /usr/local/bin, which need not exist here: the copies
# checked point at this folder's launcher scripts instead.
#
# Usage: verify-units.sh [UNIT_FILE...]
# Exit status: 0 all units verified; 1 a unit has a problem; 77 skipped (no systemd-analyze).
set -u
here=$(cd "$(dirname "$0")" && pwd)
if ! command -v systemd-analyze >/dev/null 2>&1; then
  echo "SKIP: systemd-analyze is not available on this machine; units not verified"
  exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
[ $# -gt 0 ] || set -- "$here"/systemd/*.service
for unit in "$@"; do
  name=$(basename "$unit")
  sed "s#/usr/local/bin/#$here/bin/#g" "$unit" >"$tmp/$name"
  out=$(SYSTEMD_LOG_COLOR=0 systemd-analyze verify --man=no "$tmp/$name" 2>&1)
  rc=$?
  if [ $rc -ne 0 ] || [ -n "$out" ]; then
    echo "FAIL: $name (exit $rc)"
    printf '%s\n' "$out" | sed "s#$tmp/##g"
    status=1
  else
    echo "ok: $name"
  fi
done
exit $status
