#!/bin/sh
# CTest fixture: a private CUPS scheduler (own config, spool and socket under DIR) with one cups-pdf
# queue whose PDFs land in DIR/out. Usage: cups_fixture.sh start|stop DIR QUEUE
# The cups-pdf backend reads its configuration only from /etc/cups: for a device URI cups-pdf:/NAME it
# reads /etc/cups/cups-pdf-NAME.conf, written on start and removed on stop (nothing else outside DIR).
set -eu
cmd=$1 dir=$2 queue=$3
conf=/etc/cups/cups-pdf-$queue.conf

stop() {
    if [ -f "$dir/cupsd.pid" ]; then
        pid=$(cat "$dir/cupsd.pid")
        kill "$pid" 2>/dev/null || true
        i=0
        while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
        kill -9 "$pid" 2>/dev/null || true
        rm -f "$dir/cupsd.pid"
    fi
    rm -f "$conf"
}

case "$cmd" in
stop)
    stop
    rm -rf "$dir"
    exit 0 ;;
start) ;;
*) echo "usage: $0 start|stop DIR QUEUE" >&2; exit 2 ;;
esac

for tool in /usr/sbin/cupsd /usr/sbin/lpadmin /usr/lib/cups/backend/cups-pdf; do
    if [ ! -x "$tool" ]; then
        echo "cups_fixture: $tool missing; install cups and printer-driver-cups-pdf (packaging/deps/documents.txt)" >&2
        exit 1
    fi
done
if [ "$(id -u)" != 0 ]; then
    echo "cups_fixture: needs root (cupsd and the cups-pdf backend run as root); the printing tests will skip" >&2
    mkdir -p "$dir" && echo "not root" > "$dir/unavailable"
    exit 0
fi

stop
rm -rf "$dir"
mkdir -p "$dir/conf/ppd" "$dir/spool/tmp" "$dir/cache" "$dir/state" "$dir/log" "$dir/out" "$dir/cups-pdf-spool"
chmod 0755 "$dir" "$dir/out"
chmod 1777 "$dir/cups-pdf-spool"
cat > "$dir/conf/cupsd.conf" <<CONF
Listen $dir/cups.sock
LogLevel info
WebInterface No
Browsing No
BrowseLocalProtocols none
DefaultAuthType None
JobKillDelay 5
PreserveJobHistory Yes
<Location />
  Order allow,deny
  Allow all
</Location>
<Policy default>
  <Limit All>
    Order deny,allow
  </Limit>
</Policy>
CONF
cat > "$dir/conf/cups-files.conf" <<CONF
ServerRoot $dir/conf
RequestRoot $dir/spool
TempDir $dir/spool/tmp
CacheDir $dir/cache
StateDir $dir/state
ErrorLog $dir/log/error_log
AccessLog $dir/log/access_log
PageLog $dir/log/page_log
SystemGroup root
Sandboxing Relaxed
CONF
cat > "$conf" <<CONF
Out $dir/out
AnonDirName $dir/out
Spool $dir/cups-pdf-spool
Label 0
Log $dir/log
LogType 3
CONF

/usr/sbin/cupsd -f -c "$dir/conf/cupsd.conf" -s "$dir/conf/cups-files.conf" >"$dir/log/cupsd.out" 2>&1 &
echo $! > "$dir/cupsd.pid"
i=0
while [ ! -S "$dir/cups.sock" ]; do
    i=$((i + 1))
    if [ $i -gt 100 ] || ! kill -0 "$(cat "$dir/cupsd.pid")" 2>/dev/null; then
        echo "cups_fixture: cupsd did not start; see $dir/log" >&2
        cat "$dir/log/cupsd.out" "$dir/log/error_log" >&2 2>/dev/null || true
        stop
        exit 1
    fi
    sleep 0.1
done
CUPS_SERVER=$dir/cups.sock /usr/sbin/lpadmin -p "$queue" -v "cups-pdf:/$queue" \
    -P /usr/share/ppd/cups-pdf/CUPS-PDF_noopt.ppd -E 2>"$dir/log/lpadmin.err" || {
    echo "cups_fixture: lpadmin failed:" >&2; cat "$dir/log/lpadmin.err" >&2; stop; exit 1; }
# A second queue that is stopped, for the "printer stopped" test.
CUPS_SERVER=$dir/cups.sock /usr/sbin/lpadmin -p "${queue}_stopped" -v "cups-pdf:/$queue" \
    -P /usr/share/ppd/cups-pdf/CUPS-PDF_noopt.ppd -E 2>>"$dir/log/lpadmin.err"
CUPS_SERVER=$dir/cups.sock /usr/sbin/cupsdisable "${queue}_stopped"
echo "cups_fixture: cupsd $(cat "$dir/cupsd.pid") on $dir/cups.sock, queue $queue -> $dir/out"
