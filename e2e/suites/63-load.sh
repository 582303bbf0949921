#!/usr/bin/env bash
# Floods, drains and leaks, all bounded and on loopback:
#  1. wrk floods examples/quickstart, its connection limit set through
#     HYPERLANE_MAX_CONNS: excess connections wait (no connect error, no
#     reset), every answer is 2xx, open descriptors never pass the limit,
#     the server serves afterwards; peak RSS (VmHWM) is reported.
#  2. security/drain: load generator, WebSocket and SSE peers, then
#     SIGTERM mid-load, against the quickstart binary and against a bare
#     Server.RunListener: every request sent is answered 2xx, WebSocket
#     peers get 1001, SSE streams end cleanly.
#  3. 10,000 WebSocket and 10,000 SSE clients connect and vanish without
#     a close: goroutines and descriptors return to their baseline
#     (TestVanishedClientsLeakNothing at full scale).
source "$(dirname "$0")/../lib.sh"
SUMMARY="$ARTIFACTS/summary-63-load.txt" # figures for docs/security.md
: >"$SUMMARY"
(cd "$E2E_DIR" && go build -o "$BIN/drain" ./security/drain) || fail "building the drain load generator"

# fds PID: open descriptors of a process.
fds() { ls "/proc/$1/fd" 2>/dev/null | wc -l; }
# watch_fds PID SECONDS OUT: samples fds every 50 ms, writes the peak to OUT.
watch_fds() {
  local pid=$1 secs=$2 out=$3 peak=0 n
  local end=$((SECONDS + secs))
  while [ $SECONDS -lt $end ]; do
    n=$(fds "$pid"); [ "$n" -gt "$peak" ] && peak=$n
    sleep 0.05
  done
  echo "$peak" >"$out"
}

# --- 1. Flood with a connection limit ------------------------------------
limit=32
addr="127.0.0.1:$(free_port)"
HYPERLANE_MAX_CONNS=$limit HYPERLANE_PID_FILE="$ARTIFACTS/load-flood.pid" start_app quickstart "$addr"
qpid=${PIDS[-1]}
base=$(fds "$qpid")
watch_fds "$qpid" 14 "$ARTIFACTS/flood-fds" &
watcher=$!
# New connection per request: 256 clients share 32 slots, the rest wait
# in the accept backlog and are served in turn.
wrk -t2 -c256 -d8s -H 'Connection: close' "http://$addr/users/1" >"$ARTIFACTS/flood-close.txt" 2>&1
# Keep-alive: 32 connections hold the slots for the whole run and the
# other 224 wait in the backlog, never refused or reset.
wrk -t2 -c256 -d4s --timeout 1s "http://$addr/users/1" >"$ARTIFACTS/flood-keepalive.txt" 2>&1
wait "$watcher"
peak=$(cat "$ARTIFACTS/flood-fds")
rss=$(awk '/VmHWM/{print $2}' "/proc/$qpid/status")
close_reqs=$(awk '/requests in/{print $1}' "$ARTIFACTS/flood-close.txt")
ka_reqs=$(awk '/requests in/{print $1}' "$ARTIFACTS/flood-keepalive.txt")
for f in flood-close flood-keepalive; do
  errs=$(grep -oE 'Socket errors: connect [0-9]+, read [0-9]+, write [0-9]+' "$ARTIFACTS/$f.txt" || true)
  check "$f: no connection refused, reset or broken" "" "$(grep -E 'connect [1-9]|read [1-9]|write [1-9]' <<<"$errs" || true)"
  check "$f: every answer 2xx" "" "$(grep 'Non-2xx' "$ARTIFACTS/$f.txt" || true)"
done
[ "${close_reqs:-0}" -gt 1000 ] && ok "flood, new connection per request: $close_reqs requests served through $limit slots" ||
  fail "flood served only ${close_reqs:-0} requests; see $ARTIFACTS/flood-close.txt"
[ "$peak" -le $((base + limit + 2)) ] && ok "open descriptors peaked at $peak (baseline $base + limit $limit)" ||
  fail "open descriptors peaked at $peak, over baseline $base + limit $limit"
check "the server serves after the floods" 200 "$(curl -s -o /dev/null -m 5 -w '%{http_code}' "http://$addr/health")"
echo "flood (wrk, HYPERLANE_MAX_CONNS=$limit): $close_reqs requests with Connection: close from 256 clients, $ka_reqs keep-alive; fds peak $peak (base $base); peak RSS $rss kB; 0 socket errors other than waiting" >>"$SUMMARY"
ok "flood: peak RSS ${rss} kB"

# --- 2. Graceful shutdown under load -------------------------------------
addr="127.0.0.1:$(free_port)"
HYPERLANE_PID_FILE="$ARTIFACTS/load-drain.pid" start_app quickstart "$addr"
qpid=${PIDS[-1]}
out=$("$BIN/drain" -addr "$addr" -pid "$qpid" 2>&1) && ok "${out#ok   }" || fail "${out#FAIL }"
echo "$out" >"$ARTIFACTS/drain-quickstart.txt"
rc=0
wait "$qpid" || rc=$?
check "the quickstart exits 0 after its drain" 0 "$rc"
out=$("$BIN/drain" -core 2>&1) && ok "${out#ok   }" || fail "${out#FAIL }"
echo "$out" >"$ARTIFACTS/drain-core.txt"
head -1 "$ARTIFACTS/drain-quickstart.txt" >>"$SUMMARY"
head -1 "$ARTIFACTS/drain-core.txt" >>"$SUMMARY"

# --- 3. Vanishing clients leak nothing ------------------------------------
# Both ends live in the test process, 4 descriptors per pair of clients;
# the batch shrinks when the machine allows fewer descriptors.
hard=$(ulimit -Hn)
batch=2500
[ "$hard" != unlimited ] && [ $(((hard - 500) / 4)) -lt $batch ] && batch=$(((hard - 500) / 4))
log="$ARTIFACTS/leak-10k.log"
if (cd "$E2E_DIR/.." && HYPERLANE_LEAK_CLIENTS=10000 HYPERLANE_LEAK_BATCH=$batch \
  go test -count=1 -run '^TestVanishedClientsLeakNothing$' -v ./hyperlane/) >"$log" 2>&1; then
  line=$(grep -oE '[0-9]+ WebSocket \+ [0-9]+ SSE clients vanished.*' "$log")
  ok "leaks: $line"
  echo "leaks: $line" >>"$SUMMARY"
else
  fail "vanishing clients left goroutines or descriptors behind; see $log"
  tail -20 "$log"
fi
finish
