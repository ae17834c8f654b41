#!/bin/sh
# CTest fixture: one private PostgreSQL 15 cluster for the tests of a run that need a server.
# Usage: pg_fixture.sh start|stop|kill|restart STATE_DIR
# start: initdb in a fresh temporary folder, start the server (socket in that folder, a free TCP port on
#   127.0.0.1 only, trust authentication for the test superuser), and write its connection URI to
#   STATE_DIR/uri (tests read it through KIOSK_TEST_PG_URI_FILE) and the cluster folder to STATE_DIR/cluster.
# stop: pg_ctl stop -m fast, then remove the cluster folder and STATE_DIR.
# kill: the server stops at once as a crash would (pg_ctl stop -m immediate: no checkpoint), the data stays.
# restart: start the server of STATE_DIR again (after kill) on the same port and socket folder.
# PostgreSQL refuses to run as root (CI runs as root): then the server runs as 'nobody', which owns the
# cluster folder; otherwise it runs as the user running the tests.
set -eu
cmd=$1 state=$2
bindir=${KIOSK_PG_BINDIR:-/usr/lib/postgresql/15/bin}
superuser=kiosk_test

as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u nobody -- "$@"
    else
        "$@"
    fi
}

stop() {
    if [ -f "$state/cluster" ]; then
        cluster=$(cat "$state/cluster")
        if [ -f "$cluster/data/postmaster.pid" ]; then
            as_owner "$bindir/pg_ctl" stop -D "$cluster/data" -m fast -w -t 30 >/dev/null 2>&1 || true
        fi
        # Only ever remove a folder this script made.
        case "$cluster" in
            "${TMPDIR:-/tmp}"/kiosk-pg.*) rm -rf "$cluster" ;;
        esac
    fi
}

case "$cmd" in
stop)
    stop
    rm -rf "$state"
    exit 0 ;;
kill)
    cluster=$(cat "$state/cluster")
    as_owner "$bindir/pg_ctl" stop -D "$cluster/data" -m immediate -w -t 30 >/dev/null
    exit 0 ;;
restart)
    cluster=$(cat "$state/cluster")
    as_owner "$bindir/pg_ctl" start -D "$cluster/data" -l "$cluster/server.log" -w -t 60 >/dev/null
    exit 0 ;;
start) ;;
*) echo "usage: $0 start|stop|kill|restart STATE_DIR" >&2; exit 2 ;;
esac

[ -x "$bindir/initdb" ] || { echo "PostgreSQL 15 is not installed (package postgresql-15): no $bindir/initdb" >&2; exit 1; }
stop
rm -rf "$state"
mkdir -p "$state"
cluster=$(mktemp -d "${TMPDIR:-/tmp}/kiosk-pg.XXXXXX")
echo "$cluster" >"$state/cluster"
chmod 0755 "$cluster"
if [ "$(id -u)" -eq 0 ]; then chown nobody "$cluster"; fi

# A free TCP port: bind to port 0 and take what the kernel gives (the socket file is named after it too).
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

as_owner "$bindir/initdb" -D "$cluster/data" -U "$superuser" --auth=trust -E UTF8 --locale=C.UTF-8 \
    >"$cluster/initdb.log" 2>&1 || { cat "$cluster/initdb.log" >&2; stop; exit 1; }
# fsync off: a test cluster need not survive a power cut; synchronous_commit stays on (commits wait for WAL).
cat >>"$cluster/data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$cluster'
fsync = off
synchronous_commit = on
full_page_writes = off
max_connections = 200
shared_buffers = 32MB
EOF
if ! as_owner "$bindir/pg_ctl" start -D "$cluster/data" -l "$cluster/server.log" -w -t 60 >/dev/null 2>&1; then
    echo "PostgreSQL did not start:" >&2
    cat "$cluster/server.log" >&2 || true
    stop
    exit 1
fi
printf 'postgresql:///postgres?host=%s&port=%s&user=%s' "$cluster" "$port" "$superuser" >"$state/uri"
echo "PostgreSQL on $cluster port $port: $(cat "$state/uri")"
