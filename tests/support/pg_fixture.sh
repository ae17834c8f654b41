#!/bin/sh
# CTest fixture: one private PostgreSQL 15 cluster for the tests of a run that need a server.
# Usage: pg_fixture.sh start|stop|kill|restart STATE_DIR
# start: initdb in a fresh temporary folder, start the server (socket in that folder, a free TCP port on
#   127.0.0.1 only, trust authentication for the test superuser), and write its connection URI to
#   STATE_DIR/uri (tests read it through KIOSK_TEST_PG_URI_FILE) and the cluster folder to STATE_DIR/cluster.
#   TLS on its TCP port: a test CA (STATE_DIR/ca.pem) signs the server's certificate for localhost and 127.0.0.1;
#   a second CA that signed nothing is STATE_DIR/wrong-ca.pem; STATE_DIR/tls-uri connects with
#   sslmode=verify-full and the test CA (the sockets of the other tests use no TLS). Tests may run openssl (the
#   product never runs a program): its command-line tool makes the certificates.
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
tls=$cluster/tls
mkdir -p "$tls"
make_tls() {
    ec="-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
    openssl req -x509 $ec -days 3 -subj "/CN=Badge kiosk test CA" -keyout "$tls/ca.key" -out "$tls/ca.pem" &&
    openssl req -x509 $ec -days 3 -subj "/CN=Some other CA" -keyout "$tls/wrong-ca.key" -out "$tls/wrong-ca.pem" &&
    openssl req $ec -subj "/CN=localhost" -keyout "$tls/server.key" -out "$tls/server.csr" &&
    printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' \
        >"$tls/server.ext" &&
    openssl x509 -req -in "$tls/server.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca.key" -CAcreateserial -days 3 \
        -extfile "$tls/server.ext" -out "$tls/server.crt"
}
make_tls >"$tls/openssl.log" 2>&1 || { echo "openssl could not make the test certificates:" >&2; cat "$tls/openssl.log" >&2; stop; exit 1; }
chmod 0600 "$tls/server.key"
if [ "$(id -u)" -eq 0 ]; then chown -R nobody "$tls"; fi
cp "$tls/ca.pem" "$tls/wrong-ca.pem" "$state/"
# fsync off: a test cluster need not survive a power cut; synchronous_commit stays on (commits wait for WAL).
cat >>"$cluster/data/postgresql.conf" <<EOF
ssl = on
ssl_cert_file = '$tls/server.crt'
ssl_key_file = '$tls/server.key'
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
printf 'postgresql://%s@localhost:%s/postgres?hostaddr=127.0.0.1&sslmode=verify-full&sslrootcert=%s' \
    "$superuser" "$port" "$state/ca.pem" >"$state/tls-uri"
echo "PostgreSQL on $cluster port $port: $(cat "$state/uri")"
