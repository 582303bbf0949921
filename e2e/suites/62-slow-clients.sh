#!/usr/bin/env bash
# Slow clients with Debian slowhttptest against examples/quickstart, its
# timeouts set short through the environment: slowloris (slow headers,
# -H), R-U-Dead-Yet (slow body, -B) and slow read (-X), each against its
# own server, in parallel, for 20 s, while curl keeps asking for /health.
#
# Each attack is judged twice. From the server's side, connwatch follows
# every connection in /proc/net/tcp: none may stay established longer
# than its timeout + 2 s. From the client's side, slowhttptest's CSV
# (-g -o) must show the connections counted closed within the same bound
# (security/slowcsv.sh; slowhttptest notices a close only at its next
# send or read, so its interval is kept below the slack) and the service
# never unavailable. Every curl request made during the attacks must
# succeed.
source "$(dirname "$0")/../lib.sh"
SEC="$E2E_DIR/security"
SUMMARY="$ARTIFACTS/summary-62-slow-clients.txt" # figures for docs/security.md
: >"$SUMMARY"
(cd "$E2E_DIR" && go build -o "$BIN/connwatch" ./security/connwatch) || fail "building connwatch"

# Short timeouts for the test; the write buffer is capped so that a slow
# reader blocks the server's writes instead of the kernel taking the whole
# response at once (see docs/security.md, slow read).
export HYPERLANE_READ_HEADER_TIMEOUT=2s HYPERLANE_READ_IDLE_TIMEOUT=1s HYPERLANE_WRITE_IDLE_TIMEOUT=2s \
  HYPERLANE_IDLE_TIMEOUT=3s HYPERLANE_WRITE_BUFFER=65536
length=20
# name timeout-seconds path slowhttptest-flags
attacks=(
  "slow-headers|2|/|-H -c 400 -r 100 -i 1 -x 10"
  "slow-body|1|/echo|-B -c 400 -r 100 -i 2 -s 8192 -x 10 -f application/json"
  "slow-read|2|/swagger/swagger-ui-standalone-preset.js|-X -c 400 -r 100 -w 1 -y 64 -n 1 -z 32 -k 1"
)
declare -A addr pid
for a in "${attacks[@]}"; do
  IFS='|' read -r name timeout path flags <<<"$a"
  addr[$name]="127.0.0.1:$(free_port)"
  HYPERLANE_PID_FILE="$ARTIFACTS/slow-$name.pid" start_app quickstart "${addr[$name]}"
  pid[$name]=${PIDS[-1]}
done

jobs_=()
for a in "${attacks[@]}"; do
  IFS='|' read -r name timeout path flags <<<"$a"
  port=${addr[$name]##*:}
  "$BIN/connwatch" -port "$port" -for $((length + 3))s -limit $((timeout + 2))s -name "$name" \
    >"$ARTIFACTS/slow-$name.connwatch" 2>&1 &
  jobs_+=($!)
  # shellcheck disable=SC2086 # flags is a list of options
  slowhttptest $flags -l "$length" -p 3 -u "http://${addr[$name]}$path" -g -o "$ARTIFACTS/slow-$name" \
    >"$ARTIFACTS/slow-$name.out" 2>&1 &
  jobs_+=($!)
done

# Normal clients during the attacks: every one must be served.
served=0 refused=0 n=0
end=$((SECONDS + length))
while [ $SECONDS -lt $end ]; do
  for name in "${!addr[@]}"; do
    code=$(curl -s -o /dev/null -m 3 -w '%{http_code}' "http://${addr[$name]}/health" || true)
    n=$((n + 1))
    if [ "$code" = 200 ]; then served=$((served + 1)); else refused=$((refused + 1)); fi
  done
  sleep 0.2
done
wait "${jobs_[@]}" || true
check "normal requests during the attacks all succeed ($served of $n)" "$n" "$served"

for a in "${attacks[@]}"; do
  IFS='|' read -r name timeout path flags <<<"$a"
  cw=$(cat "$ARTIFACTS/slow-$name.connwatch")
  if [[ "$cw" == ok* ]]; then ok "server side: ${cw#ok   }"; else fail "server side: ${cw#FAIL }"; fi
  csv="$ARTIFACTS/slow-$name.csv"
  if [ ! -s "$csv" ]; then
    fail "$name: slowhttptest wrote no CSV; see $ARTIFACTS/slow-$name.out"
    continue
  fi
  figures=$(bash "$SEC/slowcsv.sh" "$csv" "$timeout") && verdict=ok || verdict=FAIL
  # A slow reader cannot see the close while the kernel still holds the
  # data the server sent before it closed: only the server side judges it.
  if [ "$name" = slow-read ] || [ "$verdict" = ok ]; then
    ok "client side: $name ($figures, timeout ${timeout}s)"
  else
    fail "client side: $name closes not seen within ${timeout}s + 2 s ($figures)"
  fi
  grep -q 'unavail=0' <<<"$figures" && ok "$name: slowhttptest's probe found the service available throughout" ||
    fail "$name: the service was unavailable during the attack ($figures)"
  rss=$(awk '/VmHWM/{print $2}' "/proc/${pid[$name]}/status" 2>/dev/null || echo "?")
  echo "slowhttptest $name (timeout ${timeout}s): ${cw#ok   } | csv $figures | peak RSS ${rss} kB" >>"$SUMMARY"
done
echo "slowhttptest: normal requests during the attacks: $served/$n served" >>"$SUMMARY"
finish
