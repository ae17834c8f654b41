#!/bin/sh
# Runs the exam-room benchmark (bench_exam_room) on SQLite and on a private PostgreSQL 15 cluster started with
# tests/support/pg_fixture.sh, then the fault run: the postmaster is killed with SIGKILL while 40 kiosks are
# answering, started again one second later, and the benchmark counts acknowledged answers lost.
# Usage: tests/bench/run_exam_room.sh [BUILD_DIR]   (default build/default)
# KIOSK_BENCH_FSYNC=off keeps the fixture's fsync = off (by default the cluster flushes WAL to disk as a real
# server does, so that "saved" costs what it costs in a center).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-$root/build/default}
bench=$build/tests/bench/bench_exam_room
bindir=${KIOSK_PG_BINDIR:-/usr/lib/postgresql/15/bin}
[ -x "$bench" ] || { echo "no $bench: build the target bench_exam_room first" >&2; exit 1; }

state=$(mktemp -d "${TMPDIR:-/tmp}/kiosk-bench-room.XXXXXX")
cleanup() { "$root/tests/support/pg_fixture.sh" stop "$state/pg" >/dev/null 2>&1 || true; rm -rf "$state"; }
trap cleanup EXIT INT TERM

as_owner() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u nobody -- "$@"; else "$@"; fi
}

"$root/tests/support/pg_fixture.sh" start "$state/pg"
cluster=$(cat "$state/pg/cluster")
uri=$(cat "$state/pg/uri")
if [ "${KIOSK_BENCH_FSYNC:-on}" = on ]; then
    printf 'fsync = on\nfull_page_writes = on\n' >>"$cluster/data/postgresql.conf"
    as_owner "$bindir/pg_ctl" restart -D "$cluster/data" -l "$cluster/server.log" -w -t 60 >/dev/null
fi
echo "fsync: $(as_owner "$bindir/psql" -At -d "$uri" -c 'SHOW fsync'), synchronous_commit: $(as_owner "$bindir/psql" -At -d "$uri" -c 'SHOW synchronous_commit')"

echo "== exam room and board, SQLite and PostgreSQL"
KIOSK_BENCH_PG_URI=$uri "$bench" --benchmark_counters_tabular=true

echo "== fault run: kill -9 of the postmaster while 40 kiosks answer"
ready=$state/answering back=$state/server-back
KIOSK_BENCH_PG_URI=$uri KIOSK_BENCH_FAULT=1 KIOSK_BENCH_FAULT_READY=$ready KIOSK_BENCH_FAULT_BACK=$back \
    "$bench" --benchmark_counters_tabular=true &
runner=$!
i=0
while [ ! -f "$ready" ]; do
    i=$((i + 1))
    [ $i -lt 600 ] || { echo "the fault run never started answering" >&2; kill "$runner"; exit 1; }
    sleep 0.1
done
sleep 1
postmaster=$(head -n 1 "$cluster/data/postmaster.pid")
echo "$(date -u +%T.%N | cut -c1-12) kill -9 $postmaster (postmaster)"
kill -9 "$postmaster"
# The server processes notice that their postmaster died and exit; then the cluster can start again.
while kill -0 "$postmaster" 2>/dev/null; do sleep 0.05; done
sleep 1
echo "$(date -u +%T.%N | cut -c1-12) starting PostgreSQL again"
i=0
until as_owner "$bindir/pg_ctl" start -D "$cluster/data" -l "$cluster/server.log" -w -t 60 >"$state/pg_ctl.out" 2>&1; do
    i=$((i + 1))
    [ $i -lt 50 ] || { echo "PostgreSQL did not start again" >&2; tail "$cluster/server.log" >&2; exit 1; }
    echo "  (not yet: $(tail -n 1 "$state/pg_ctl.out"))"
    sleep 0.2
done
touch "$back"
echo "$(date -u +%T.%N | cut -c1-12) PostgreSQL accepts connections again (crash recovery done, $i failed starts)"
wait "$runner"
