#!/bin/sh
# CTest fixture: start/stop the real pcscd (vpcd readers "Virtual PCD 00 00" on TCP 35963 and "... 00 01" on
# 35964) and the virtual passport on the first slot. Only one pcscd can run per machine (RESOURCE_LOCK pcscd).
#   pcsc_stack.sh start STATE_DIR PHOTO_MAKER_BINARY
#   pcsc_stack.sh restart STATE_DIR [--other-reader]   (pcscd and card again, fixture kept; with --other-reader
#       pcscd gets a private reader.conf.d (-c) whose only reader is "Hotplug PCD 00 00/01" on TCP 47110/47111,
#       and the passport goes on "Hotplug PCD 00 00". One pcscd cannot serve two vpcd entries: the driver keeps
#       its state per slot number, so a second entry breaks the first one's slot 0.)
#   pcsc_stack.sh stop STATE_DIR
# PASSPORT_MRZ (two MRZ lines, newline-separated) replaces the ICAO 9303 specimen's MRZ (expired 2012-04-15) on
# start: the demo uses a passport that is still valid.
set -u
cmd=$1
dir=$2
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)  # pcscd -c needs an absolute path

wait_gone() { # pid
    i=0
    while kill -0 "$1" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
    kill -0 "$1" 2>/dev/null && kill -KILL "$1" 2>/dev/null
    return 0
}

stop() {
    for f in card.pid pcscd.pid; do
        if [ -s "$dir/$f" ]; then
            pid=$(cat "$dir/$f")
            kill -TERM "$pid" 2>/dev/null && wait_gone "$pid"
            rm -f "$dir/$f"
        fi
    done
}

# Starts pcscd (with a private reader.conf.d when $1 is a directory) and the virtual passport on TCP port $2.
start_stack() {
    confopt=""
    [ -n "$1" ] && confopt="-c $1"
    : >"$dir/pcscd.log"
    # A subshell reaps pcscd when it exits, so no zombie keeps /run/pcscd/pcscd.pid "alive".
    (setsid sh -c 'pcscd --foreground --info $3 >"$1" 2>&1 </dev/null & echo $! >"$2"; wait' sh \
        "$dir/pcscd.log" "$dir/pcscd.pid" "$confopt" </dev/null >/dev/null 2>&1 &)
    i=0
    until grep -qs "daemon ready" "$dir/pcscd.log"; do
        i=$((i + 1)); [ $i -gt 250 ] && { echo "pcscd did not start:" >&2; cat "$dir/pcscd.log" >&2; stop; exit 1; }
        sleep 0.02
    done
    : >"$dir/card.log"
    (setsid sh -c '/usr/bin/python3 "$1" serve --mrz "$2/mrz.txt" --photo "$2/photo.jpg" --sod "$2/sod.bin" \
        --port "$5" --log "$3" </dev/null >>"$3" 2>&1 & echo $! >"$4"; wait' sh "$here/vcard/vpassport.py" \
        "$dir/fixture" "$dir/card.log" "$dir/card.pid" "$2" </dev/null >/dev/null 2>&1 &)
    i=0
    until grep -qs " atr" "$dir/card.log"; do
        i=$((i + 1)); [ $i -gt 200 ] && { echo "virtual card did not come up:" >&2; cat "$dir/card.log" >&2; stop; exit 1; }
        sleep 0.025
    done
}

case "$cmd" in
start)
    stop
    if pgrep -x pcscd >/dev/null 2>&1; then
        echo "pcscd is already running (pid $(pgrep -x pcscd)): stop it; the tests need their own pcscd" >&2
        exit 1
    fi
    photo=""
    if [ -n "${KIOSK_TEST_FACES:-}" ] && [ -f "$KIOSK_TEST_FACES/a_obama_idchip_240x320.jpg" ]; then
        photo="$KIOSK_TEST_FACES/a_obama_idchip_240x320.jpg"
    else
        "$3" "$dir/generated_photo.jpg" || { echo "cannot generate a test photo" >&2; exit 1; }
        photo="$dir/generated_photo.jpg"
    fi
    rm -rf "$dir/fixture"
    mkdir -p "$dir/fixture"
    cp "$photo" "$dir/fixture/photo.jpg"
    if [ -n "${PASSPORT_MRZ:-}" ]; then
        printf '%s\n' "$PASSPORT_MRZ" >"$dir/fixture/mrz.txt"
    else
        printf 'P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10\n' >"$dir/fixture/mrz.txt"
    fi
    /usr/bin/python3 "$here/vcard/make_fixture.py" --mrz "$dir/fixture/mrz.txt" --photo "$dir/fixture/photo.jpg" \
        --out "$dir/fixture" || { echo "fixture generation failed" >&2; exit 1; }
    start_stack "" 35963
    echo "pcscd $(cat "$dir/pcscd.pid") and virtual passport $(cat "$dir/card.pid") running"
    ;;
restart)
    stop
    if pgrep -x pcscd >/dev/null 2>&1; then
        echo "pcscd is already running (pid $(pgrep -x pcscd)): stop it; the tests need their own pcscd" >&2
        exit 1
    fi
    [ -s "$dir/fixture/sod.bin" ] || { echo "no fixture in $dir: run '$0 start' first" >&2; exit 1; }
    conf=""
    port=35963
    if [ "${3:-}" = "--other-reader" ]; then
        conf="$dir/reader.conf.d"
        port=47110
        rm -rf "$conf"
        mkdir -p "$conf"
        printf 'FRIENDLYNAME "Hotplug PCD"\nDEVICENAME /dev/null:0xB806\nLIBPATH /usr/lib/pcsc/drivers/serial/libifdvpcd.so\nCHANNELID 0xB806\n' >"$conf/vpcd_hotplug"
    fi
    start_stack "$conf" $port
    echo "pcscd $(cat "$dir/pcscd.pid") and virtual passport $(cat "$dir/card.pid") running again${conf:+ (readers from $conf)}"
    ;;
stop)
    stop
    echo "stopped"
    ;;
*)
    echo "usage: $0 start STATE_DIR PHOTO_MAKER | restart STATE_DIR [--other-reader] | stop STATE_DIR" >&2
    exit 1
    ;;
esac
