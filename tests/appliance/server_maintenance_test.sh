#!/bin/sh
# The center server's daily maintenance (packaging/daily-maintenance as badge-center-server-daily.service runs it)
# against the test cluster (fixture pg): a seeded center database is dumped with pg_dump in custom format, the dump
# lists the center's tables with pg_restore, a second run the same day keeps it, a dump older than the retention is
# deleted while the newest is kept, and the privacy purge runs as the scheduled job (audit actor system:daily-purge).
#   server_maintenance_test.sh PACKAGING_DIR KIOSKCTL URI_FILE
set -eu
packaging="$1" kioskctl="$2" urifile="$3"
bindir=/usr/lib/postgresql/15/bin
[ -x "$bindir/pg_dump" ] || { echo "needs PostgreSQL 15 (package postgresql-15)"; exit 77; }
admin="$(cat "$urifile")"
work="$(mktemp -d)"
name="kiosk_maint_$$"
cleanup() {
  "$bindir/psql" -q -d "$admin" -c "DROP DATABASE IF EXISTS $name" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$bindir/psql" -q -d "$admin" -c "CREATE DATABASE $name" >/dev/null
db="$(printf '%s' "$admin" | sed "s|:///postgres?|:///$name?|")"
KIOSK_CENTER_DIR="$work/center" "$kioskctl" --db "$db" demo-seed >"$work/seed.log" 2>&1 || { cat "$work/seed.log"; fail "demo-seed"; }

run() {
  env KIOSK_DB="$db" KIOSK_BACKUP_DIR="$work/backups" KIOSK_BACKUP_KEEP_DAYS=30 KIOSKCTL="$kioskctl" \
      PG_DUMP="$bindir/pg_dump" "$packaging/daily-maintenance" >"$work/run.log" 2>&1 || { cat "$work/run.log"; fail "daily-maintenance"; }
}
run
today="$work/backups/center-$(date +%Y-%m-%d).dump"
[ -f "$today" ] || { cat "$work/run.log"; fail "no dump $today"; }
mode="$(stat -c %a "$today")"
[ "$mode" = 600 ] || fail "the dump is mode $mode, not 600"
"$bindir/pg_restore" --list "$today" | grep -q "TABLE public workers" || fail "pg_restore --list finds no table workers in the dump"
"$bindir/pg_restore" --list "$today" | grep -q "TABLE public audit_log" || fail "no audit_log in the dump"
grep -q "retention" "$work/run.log" || { cat "$work/run.log"; fail "the purge did not report"; }
purges="$("$bindir/psql" -At -d "$db" -c "SELECT count(*) FROM audit_log WHERE actor = 'system:daily-purge'")"
[ "$purges" -ge 1 ] || fail "no audit row of the scheduled purge (actor system:daily-purge)"

# A second run the same day keeps the dump; one older than the retention goes, the newest stays.
sum="$(sha256sum "$today" | cut -d' ' -f1)"
old="$work/backups/center-2000-01-01.dump"
cp "$today" "$old" && touch -d '40 days ago' "$old"
run
grep -q "exists already" "$work/run.log" || fail "a second run the same day did not keep the first dump"
[ "$(sha256sum "$today" | cut -d' ' -f1)" = "$sum" ] || fail "the day's dump was rewritten"
[ ! -e "$old" ] || fail "the dump older than 30 days was kept"
[ -f "$today" ] || fail "the newest dump was deleted"
echo "server maintenance: $(basename "$today") ($(stat -c %s "$today") bytes), retention and purge as the scheduled job"
