#!/bin/sh
# CTest fixture: one Xvfb (Mesa software OpenGL through GLX) for every kiosk scenario of the run.
# Usage: xvfb_fixture.sh start|stop DIR
# start writes the display number to DIR/display (Xvfb picks a free one: -displayfd) and its pid to DIR/pid;
# stop ends it and removes DIR. Xvfb runs in its own session with every descriptor redirected, so CTest does
# not wait for it; the scenarios run the kiosk with DISPLAY=:N and see its exit status unchanged.
set -eu
cmd=$1 dir=$2

stop() {
    if [ -f "$dir/pid" ]; then
        pid=$(cat "$dir/pid")
        kill "$pid" 2>/dev/null || true
        i=0
        while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
        kill -9 "$pid" 2>/dev/null || true
    fi
}

case "$cmd" in
stop)
    stop
    rm -rf "$dir"
    exit 0 ;;
start) ;;
*) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac

command -v Xvfb >/dev/null || { echo "Xvfb is not installed (package xvfb)" >&2; exit 1; }
stop
rm -rf "$dir"
mkdir -p "$dir"
# 1920x1920 holds every window size the scenarios use (1280x800, 1920x1080, 1080x1920).
setsid Xvfb -displayfd 3 -screen 0 1920x1920x24 -nolisten tcp -noreset \
    </dev/null >"$dir/xvfb.log" 2>&1 3>"$dir/display.tmp" &
echo $! >"$dir/pid"
i=0
while [ ! -s "$dir/display.tmp" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
if [ ! -s "$dir/display.tmp" ]; then
    echo "Xvfb did not start:" >&2
    cat "$dir/xvfb.log" >&2
    stop
    exit 1
fi
tr -d '\n' <"$dir/display.tmp" >"$dir/display"
rm -f "$dir/display.tmp"
echo "Xvfb on :$(cat "$dir/display") (pid $(cat "$dir/pid"))"
