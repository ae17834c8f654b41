#!/bin/sh
# systemd-analyze verify on the kiosk's units; any message fails.
#   verify_units.sh PACKAGING_DIR   the units of the source tree (packaging/systemd); the helper scripts they run
#                                   are taken from PACKAGING_DIR instead of /usr/libexec/badge-kiosk
#   verify_units.sh --root ROOT     the units installed in ROOT (packaging/test-install); their programs are
#                                   looked up in ROOT
# Exit status: 0 clean, 1 systemd-analyze said something, 77 systemd-analyze is not installed.
set -eu
command -v systemd-analyze >/dev/null || { echo "systemd-analyze is not installed (package systemd)"; exit 77; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
if [ "$1" = "--root" ]; then
  root="$2"
  units="$root/lib/systemd/system"
  map="s|=/usr/|=$root/usr/|g; s|=-/usr/|=-$root/usr/|g"
else
  units="$1/systemd"
  src="$(cd "$1" && pwd)"
  map="s|/usr/libexec/badge-kiosk/|$src/|g"
fi
names="badge-kiosk.service badge-kiosk-daily.service badge-kiosk-daily.timer badge-center-server-daily.service badge-center-server-daily.timer"
for u in $names; do
  [ -f "$units/$u" ] || { echo "missing unit $units/$u"; exit 1; }
  sed -e "$map" "$units/$u" >"$tmp/$u"
done
# Programs run by Exec*= must exist: cage comes from its package (a dependency), the kiosk's scripts from ours.
out="$(cd "$tmp" && systemd-analyze verify $names 2>&1 || true)"
if [ -n "$out" ]; then
  echo "$out"
  exit 1
fi
echo "systemd-analyze verify: $names clean"
