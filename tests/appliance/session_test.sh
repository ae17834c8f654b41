#!/usr/bin/env bash
# The appliance session, as far as a machine without a seat can test it: the packaged badge-kiosk.service run by
# a real systemd manager with cage's headless backend and the kiosk inside (Xwayland: Debian 12's GLFW is X11).
#
#   session_test.sh KIOSK KIOSKCTL PACKAGING_DIR ASSETS_DIR ARTIFACTS_DIR
#
# systemd is not PID 1 here, so the unit runs under `systemd --user` (as the user nobody: cage refuses to run
# as root) in a private mount namespace where /run/systemd/system exists, in a cgroup delegated to that user.
# The unit is the packaged one with what needs a seat or root taken out (User=, PAMName=, TTY*=, Utmp*=, the
# sandboxing) and the paths pointed at the build; Type=notify, NotifyAccess=all, Restart=, RestartSec=,
# ExecCondition=, ExecStop=, KillMode= and the watchdog are kept (WatchdogSec shortened to 6 s).
#
# Checks:
#  1. the unit becomes active (READY=1 from the kiosk's first frame), cage's only children are Xwayland and kiosk;
#  2. escape attempts (Ctrl+Alt+F1/F2/F7, Alt+Tab, Alt+F4, Super, Ctrl+Alt+Del, Ctrl+Alt+Backspace, Ctrl+W,
#     Ctrl+Q, Escape, Alt+Space, F11) injected as key events into the kiosk's X server, each followed by: the
#     same kiosk and cage processes, no restart, no other client, the screen unchanged (< 2 % pixels differ);
#  3. SIGKILL to the kiosk: the session is active again with a new kiosk (time measured and printed);
#  4. a hung frame loop (SIGSTOP): the watchdog kills it and the session comes back;
#  5. the admin-exit marker keeps the session down after the kiosk ends; `systemctl start` brings it back;
#  6. `systemctl stop`: the kiosk gets SIGTERM first and the unit stops without being killed by timeout.
# Exit status: 0 all passed, 1 a check failed, 77 skipped (not root, or cage/Xwayland/grim/xdotool missing).
set -euo pipefail
abs() { (cd "$(dirname "$1")" && echo "$PWD/$(basename "$1")"); }
kiosk_bin="$(abs "$1")"; kioskctl_bin="$(abs "$2")"; packaging="$(abs "$3")"; assets="$(abs "$4")"; artifacts="$5"

if [[ $(id -u) -ne 0 ]]; then echo "SKIP: needs root (mount namespace, cgroup, running cage as nobody)"; exit 77; fi
for t in cage Xwayland grim xdotool unshare setpriv python3; do
  command -v "$t" >/dev/null || { echo "SKIP: $t is not installed (packaging/install-deps)"; exit 77; }
done
[[ -x /lib/systemd/systemd ]] || { echo "SKIP: /lib/systemd/systemd is missing (package systemd)"; exit 77; }
if [[ -z "${KIOSK_SESSION_NAMESPACE:-}" ]]; then
  export KIOSK_SESSION_NAMESPACE=1
  exec unshare -m --propagation private "$0" "$@"
fi

unit_src="$packaging/systemd/badge-kiosk.service"
user=nobody; group=nogroup
w="$(mktemp -d /tmp/kiosk-session.XXXXXX)"
chmod 755 "$w"
mkdir -p "$artifacts" "$w/run" "$w/home/.config/systemd/user" "$w/data" "$w/shots"
rm -f "$artifacts"/*.ppm "$artifacts"/*.log
failures=0
pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
as_user() { setpriv --reuid="$user" --regid="$group" --clear-groups env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
  HOME="$w/home" XDG_RUNTIME_DIR="$w/run" "$@"; }
sctl() { as_user systemctl --user "$@"; }
prop() { sctl show -p "$1" --value badge-kiosk.service; }

# The packaged unit has what the session relies on.
for line in "Type=notify" "NotifyAccess=all" "Restart=always" "WatchdogSec=" "ExecStop=" "ExecCondition=" \
            "StartLimitIntervalSec=0" "ExecStart=/usr/bin/cage -d -- /usr/bin/kiosk"; do
  if grep -q "^$line" "$unit_src"; then pass "the packaged unit has $line"; else fail "the packaged unit lacks $line"; fi
done
if grep -E '^ExecStart=.*cage.* -s( |$)' "$unit_src"; then fail "cage is started with -s (VT switching allowed)"; fi

# Records of a demo center, owned by the session user.
"$kioskctl_bin" --db "$w/data/center.db" demo-seed >/dev/null
cat >"$w/kiosk.toml" <<EOF
[card_reader]
kind = "none"
[camera]
source = "none"
[speech]
enabled = false
EOF
chown -R "$user:$group" "$w/run" "$w/home" "$w/data" "$w/shots"
chmod 700 "$w/run"

# The unit for the user manager, derived from the packaged one.
sed -E \
  -e '/^(User|Group|PAMName|TTYPath|TTYReset|TTYVHangup|TTYVTDisallocate|StandardInput|UtmpIdentifier|UtmpMode|ConditionPathExists|Conflicts|NoNewPrivileges|ProtectSystem|ProtectHome|PrivateTmp|ReadWritePaths|WorkingDirectory)=/d' \
  -e "s|/var/lib/badge-kiosk/center.db|$w/data/center.db|g; s|/var/lib/badge-kiosk|$w/data|g" \
  -e "s|/run/badge-kiosk/|$w/run/badge-kiosk/|g" \
  -e "s|/usr/libexec/badge-kiosk/|$packaging/|g" \
  -e "s|/usr/bin/kiosk |$kiosk_bin |; s|/etc/badge-kiosk/kiosk.toml|$w/kiosk.toml|" \
  -e 's|^WatchdogSec=.*|WatchdogSec=6|' \
  -e 's#^(StandardOutput|StandardError)=journal#\1=inherit#' \
  -e "s|^\\[Service\\]\$|[Service]\\nEnvironment=WLR_BACKENDS=headless WLR_RENDERER=pixman WLR_LIBINPUT_NO_DEVICES=1 LIBGL_ALWAYS_SOFTWARE=1\\nEnvironment=KIOSK_ASSETS_DIR=$assets|" \
  "$unit_src" >"$w/home/.config/systemd/user/badge-kiosk.service"
cp "$w/home/.config/systemd/user/badge-kiosk.service" "$artifacts/badge-kiosk.user.service"

# A cgroup for the user manager, and /run/systemd/system so that it believes it runs under systemd.
cgbase=/sys/fs/cgroup/unified
[[ -f $cgbase/cgroup.procs ]] || cgbase=/sys/fs/cgroup
cg="$cgbase/kiosk-session-test.$$"
mkdir "$cg"
chown -R "$user:$group" "$cg"
echo $$ >"$cg/cgroup.procs"
mount -t tmpfs tmpfs /run/systemd
mkdir -p /run/systemd/system

manager=""
cleanup() {
  set +e
  sctl stop badge-kiosk.service >/dev/null 2>&1
  [[ -n "$manager" ]] && kill "$manager" 2>/dev/null && sleep 1
  local f p
  for f in $(find "$cg" -name cgroup.procs 2>/dev/null); do
    for p in $(cat "$f"); do [[ "$p" != "$$" ]] && kill -9 "$p" 2>/dev/null; done
  done
  sleep 0.5
  echo $$ >"$cgbase/cgroup.procs" 2>/dev/null || echo $$ >"$cgbase/init.scope/cgroup.procs" 2>/dev/null
  find "$cg" -depth -type d -exec rmdir {} \; 2>/dev/null
  cp "$w/manager.log" "$artifacts/manager.log" 2>/dev/null
  rm -rf "$w"
}
trap cleanup EXIT
as_user /lib/systemd/systemd --user --log-target=console >"$w/manager.log" 2>&1 &
manager=$!
for _ in $(seq 100); do [[ -S "$w/run/systemd/private" ]] && break; sleep 0.1; done
[[ -S "$w/run/systemd/private" ]] || { cat "$w/manager.log"; echo "FAIL: the systemd user manager did not start"; exit 1; }

cage_pid() { prop MainPID; }
kiosk_pid() {  # the kiosk child of cage, or nothing
  local c="$1" k
  for k in $(cat /proc/"$c"/task/*/children 2>/dev/null); do
    [[ "$(cat /proc/"$k"/comm 2>/dev/null)" == kiosk ]] && { echo "$k"; return; }
  done
}
# cage's clients: the kiosk is its child; wlroots starts Xwayland detached, so that one is counted by user.
xwayland_count() { pgrep -u "$user" -x Xwayland | wc -l; }
children() { for k in $(cat /proc/"$1"/task/*/children 2>/dev/null); do cat /proc/"$k"/comm; done | sort | tr '\n' ' '; }
wait_active() {  # wait_active OLD_CAGE_PID TIMEOUT_S: until active with another cage and a kiosk; prints seconds
  local old="$1" limit="$2" start now c
  start=$(date +%s.%N)
  while :; do
    c="$(cage_pid)"
    if [[ "$(prop ActiveState)" == active && "$c" != 0 && "$c" != "$old" && -n "$(kiosk_pid "$c")" ]]; then
      now=$(date +%s.%N); python3 -c "print(f'{$now - $start:.2f}')"; return 0
    fi
    now=$(date +%s.%N)
    if python3 -c "import sys; sys.exit(0 if $now - $start > $limit else 1)"; then return 1; fi
    sleep 0.05
  done
}
shot() {  # shot NAME: a screenshot of cage's output (wlr-screencopy) as PPM
  local sock
  sock="$(basename "$(ls "$w"/run/wayland-* 2>/dev/null | grep -v lock | head -n 1)")"
  as_user env WAYLAND_DISPLAY="$sock" grim -t ppm "$w/shots/$1.ppm" && cp "$w/shots/$1.ppm" "$artifacts/$1.ppm" || true
}
differ() {  # differ A B: fraction of differing pixels between two PPM screenshots
  python3 - "$w/shots/$1.ppm" "$w/shots/$2.ppm" <<'EOF'
import sys
def load(p):
    data = open(p, "rb").read()
    parts, pos = [], 0
    while len(parts) < 4:
        while data[pos:pos + 1].isspace(): pos += 1
        if data[pos:pos + 1] == b"#":
            pos = data.index(b"\n", pos); continue
        end = pos
        while not data[end:end + 1].isspace(): end += 1
        parts.append(data[pos:end]); pos = end
    return int(parts[1]), int(parts[2]), data[pos + 1:]
wa, ha, a = load(sys.argv[1]); wb, hb, b = load(sys.argv[2])
if (wa, ha) != (wb, hb): print("1.0"); sys.exit()
n = wa * ha
diff = sum(1 for i in range(0, 3 * n, 3) if abs(a[i] - b[i]) + abs(a[i+1] - b[i+1]) + abs(a[i+2] - b[i+2]) > 30)
print(f"{diff / n:.4f}")
EOF
}
drawn() {  # drawn NAME: the screenshot is not a blank screen (enough distinct colours)
  python3 - "$w/shots/$1.ppm" <<'EOF'
import sys
data = open(sys.argv[1], "rb").read()
body = data[-(len(data) // 2):]
colours = {body[i:i + 3] for i in range(0, len(body) - 3, 3 * 7)}
sys.exit(0 if len(colours) > 8 else 1)
EOF
}

# 1. start
if ! as_user timeout 90 systemctl --user start badge-kiosk.service; then
  cat "$w/manager.log"
  fail "systemctl --user start badge-kiosk (Type=notify: READY=1 after the first frame)"
  exit 1
fi
cage="$(cage_pid)"; kiosk="$(kiosk_pid "$cage")"
[[ -n "$kiosk" ]] && pass "the session is active: cage $cage runs kiosk $kiosk (READY=1 received)" || fail "no kiosk under cage $cage"
kids="$(children "$cage")"
[[ "$kids" == "kiosk " && "$(xwayland_count)" == 1 ]] && pass "cage runs only the kiosk (children: $kids; one Xwayland)" ||
  fail "cage's children: $kids; Xwayland servers: $(xwayland_count)"
display="$(tr '\0' '\n' </proc/"$kiosk"/environ | sed -n 's/^DISPLAY=//p')"
xdo() { as_user env DISPLAY="$display" xdotool "$@"; }
sleep 3
shot before
# Known gap: with cage's headless pixman renderer the capture of the Xwayland window comes back black here, so
# the pixel comparison below only shows that nothing else appeared; reported, not failed (see README).
drawn before && pass "the kiosk is on the screen (artifacts/before.ppm)" ||
  echo "NOTE: the screenshot is blank (headless pixman + Xwayland capture); the pixel comparison is weak"

# 2. escape attempts
focus="$(xdo getwindowfocus 2>/dev/null || true)"
kiosk_windows="$(xdo search --pid "$kiosk" 2>/dev/null | tr '\n' ' ')"
if [[ -n "$focus" && " $kiosk_windows" == *" $focus "* ]]; then
  pass "the keyboard focus is the kiosk's window ($focus): injected keys reach it"
else
  fail "the focus ($focus) is not a kiosk window ($kiosk_windows)"
fi
restarts="$(prop NRestarts)"
i=0
for keys in ctrl+alt+F2 ctrl+alt+F1 ctrl+alt+F7 alt+Tab alt+F4 super super+d ctrl+alt+Delete ctrl+alt+BackSpace \
            ctrl+w ctrl+q Escape alt+space F11; do
  i=$((i + 1))
  xdo key --clearmodifiers "$keys" || fail "xdotool key $keys"
  sleep 1
  shot "after-$i"
  d="$(differ before "after-$i")"
  now_cage="$(cage_pid)"; now_kiosk="$(kiosk_pid "$now_cage")"; now_kids="$(children "$now_cage")"
  if [[ "$now_cage" == "$cage" && "$now_kiosk" == "$kiosk" && "$(prop NRestarts)" == "$restarts" &&
        "$now_kids" == "kiosk " && "$(xwayland_count)" == 1 && "$(prop ActiveState)" == active ]] &&
     python3 -c "import sys; sys.exit(0 if $d < 0.02 else 1)"; then
    pass "escape attempt $keys changed nothing (same kiosk $kiosk, clients: $now_kids, $d of the pixels differ)"
  else
    fail "escape attempt $keys: cage $now_cage kiosk $now_kiosk clients '$now_kids' state $(prop ActiveState) pixels $d"
  fi
done

# 3. SIGKILL: back within a few seconds
kill -9 "$kiosk"
if t="$(wait_active "$cage" 30)"; then
  pass "SIGKILL to the kiosk: the session is active again with a new kiosk after ${t} s (target: 3 s)"
  echo "measured: restart after SIGKILL ${t} s (RestartSec=$(sed -n 's/^RestartSec=//p' "$unit_src"))"
else
  fail "SIGKILL to the kiosk: not back within 30 s"
fi
cage="$(cage_pid)"; kiosk="$(kiosk_pid "$cage")"

# 4. a hung frame loop: the watchdog
kill -STOP "$kiosk"
if t="$(wait_active "$cage" 40)"; then
  pass "a stopped frame loop: the watchdog restarted the session after ${t} s (WatchdogSec=6 here)"
else
  fail "a stopped frame loop was not restarted within 40 s"
fi
cage="$(cage_pid)"; kiosk="$(kiosk_pid "$cage")"

# 5. the admin exit keeps the session down once
sleep 1
touch "$w/run/badge-kiosk/admin-exit" && chown "$user:$group" "$w/run/badge-kiosk/admin-exit"
kill -9 "$kiosk"
sleep 4
state="$(prop ActiveState)"
if [[ "$state" != active && ! -e "$w/run/badge-kiosk/admin-exit" ]]; then
  pass "after the admin exit the session stays down ($state) and the marker is consumed"
else
  fail "after the admin exit: state $state, marker $(ls "$w/run/badge-kiosk" 2>&1)"
fi
if as_user timeout 90 systemctl --user start badge-kiosk.service && [[ "$(prop ActiveState)" == active ]]; then
  pass "systemctl start brings the session back"
else
  fail "systemctl start after the admin exit"
fi
cage="$(cage_pid)"; kiosk="$(kiosk_pid "$cage")"

# 6. a clean stop: SIGTERM to the kiosk first
sleep 2
start=$(date +%s.%N)
as_user timeout 60 systemctl --user stop badge-kiosk.service || fail "systemctl stop"
took=$(python3 -c "print(f'{$(date +%s.%N) - $start:.2f}')")
if [[ -z "$(ls /proc/"$kiosk" 2>/dev/null)" ]] && ! grep -q "badge-kiosk.service: State 'stop-.*' timed out" "$w/manager.log"; then
  pass "systemctl stop ended the kiosk and cage in ${took} s without a kill by timeout"
else
  fail "systemctl stop: took ${took} s; $(grep 'timed out' "$w/manager.log" | tail -n 1)"
fi

cp "$w/manager.log" "$artifacts/manager.log"
echo "== session test: $failures failed check(s); screenshots and the manager log in $artifacts"
[[ $failures -eq 0 ]]
