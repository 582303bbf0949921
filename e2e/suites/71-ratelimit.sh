#!/usr/bin/env bash
# Rate limiting of the quickstart's Pet API writes (HYPERLANE_RATE_LIMIT)
# with real processes: two instances share one budget per API key through
# a real redis-server (Debian package); the 429 and its headers as curl
# sees them; spoofed forwarding headers; Redis going away (fail open,
# logged once); Redocly lints the 3.1 and 3.0 documents that describe the
# 429; a malformed variable stops the start. Then the Redis store's Go
# tests run against redis-server, none skipped.
source "$(dirname "$0")/../lib.sh"
ROOT=$(cd "$E2E_DIR/.." && pwd)

redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no \
  >"$ARTIFACTS/ratelimit-redis.log" 2>&1 &
redis_pid=$!
PIDS+=($redis_pid)
wait_port "127.0.0.1:$redis_port" || fail "redis-server did not start"

export HYPERLANE_API_KEY=e2e-ratelimit-key
export HYPERLANE_RATE_LIMIT=5/1m
export HYPERLANE_BACKPLANE_URL="redis://127.0.0.1:$redis_port/0"
a="127.0.0.1:$(free_port)"
b="127.0.0.1:$(free_port)"
HYPERLANE_PID_FILE="$ARTIFACTS/ratelimit-a.pid" start_app quickstart "$a"
HYPERLANE_PID_FILE="$ARTIFACTS/ratelimit-b.pid" start_app quickstart "$b"

# write ADDR [CURL ARGS...]: POST /pets, prints "status|RateLimit|Retry-After|RateLimit-Policy|Content-Type".
write() {
  local addr=$1; shift
  curl -s -o /dev/null -D - -X POST "http://$addr/pets" -H 'Content-Type: application/json' \
    -d '{"name":"Kit","age":1}' "$@" | tr -d '\r' | awk -F': ' '
      NR==1 {status=$2; split($0, s, " "); status=s[2]}
      tolower($1)=="ratelimit" {rl=$2} tolower($1)=="retry-after" {ra=$2}
      tolower($1)=="ratelimit-policy" {pol=$2} tolower($1)=="content-type" {ct=$2}
      END {print status "|" rl "|" ra "|" pol "|" ct}'
}

# Real time passes between curl runs, so t and Retry-After are checked
# against the window they must fall in, r and q exactly.
got="" times=""
for addr in "$a" "$b" "$a" "$b" "$a"; do
  line=$(write "$addr" -H "X-API-Key: $HYPERLANE_API_KEY")
  got+="$(echo "$line" | cut -d'|' -f1,2 | sed 's/;t=[0-9]*//') "
  times+="$(echo "$line" | cut -d'|' -f2 | sed 's/.*;t=//') "
done
check "five writes spread over two instances spend one budget" \
  '201|"writes";r=4 201|"writes";r=3 201|"writes";r=2 201|"writes";r=1 201|"writes";r=0 ' "$got"
t_ok=yes i=1
for t in $times; do
  [ "$t" -le $((12 * i)) ] && [ "$t" -ge $((12 * i - 10)) ] || t_ok="no: $times"
  i=$((i + 1))
done
check "each write's t is when the whole budget is back (12 s per spent write, less the time passed)" yes "$t_ok"
line=$(write "$b" -H "X-API-Key: $HYPERLANE_API_KEY")
IFS='|' read -r status rl retry policy ctype <<<"$line"
check "the 6th write, on the other instance, is 429 problem+json with the policy" \
  '429|"writes";q=5;w=60|application/problem+json' "$status|$policy|$ctype"
check "its RateLimit says none left" '"writes";r=0' "${rl%;t=*}"
if [ "$retry" -ge 1 ] 2>/dev/null && [ "$retry" -le 12 ]; then ok "its Retry-After ($retry s) is within the 12 s one write takes to come back"
else fail "Retry-After [$retry], want 1..12"; fi
check "the 7th write is 429 on the first instance too" "429" "$(write "$a" -H "X-API-Key: $HYPERLANE_API_KEY" | cut -d'|' -f1)"
check "reads are not limited" "200" "$(curl -s -o /dev/null -w '%{http_code}' "http://$a/pets")"

# Without the key the client IP is the key; an untrusted peer's
# X-Forwarded-For does not change it.
got=""
for i in 1 2 3 4 5 6; do
  got+="$(write "$a" -H "X-Forwarded-For: 203.0.113.$i" -H "X-Real-IP: 198.51.100.$i" | cut -d'|' -f1) "
done
check "spoofed X-Forwarded-For from an untrusted peer shares one budget (401s spend it, the 6th is 429)" \
  "401 401 401 401 401 429 " "$got"
check "a 60 KB API key header is answered (401), not a crash or a hang" "401" \
  "$(write "$b" -H "X-API-Key: $(head -c 60000 /dev/zero | tr '\0' k)" | cut -d'|' -f1)"

# Redocly on the documents the limited quickstart serves.
for doc in openapi.json openapi-3.0.json; do
  curl -sf "http://$a/$doc" -o "$ARTIFACTS/ratelimit-$doc" || fail "GET /$doc"
  check "the $doc documents the 429 with its headers" 3 \
    "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(len(d["paths"]["/pets"]["post"]["responses"]["429"]["headers"]))' "$ARTIFACTS/ratelimit-$doc" 2>&1)"
  log="$ARTIFACTS/ratelimit-redocly-$doc.log"
  if (cd "$E2E_DIR" && npx --no-install redocly lint --config redocly.yaml "$ARTIFACTS/ratelimit-$doc") >"$log" 2>&1 \
    && grep -q "Your API description is valid" "$log" && ! grep -Eq "[0-9]+ (warning|error)s?" "$log"; then
    ok "redocly lints the rate-limited $doc clean"
  else
    fail "redocly lints the rate-limited $doc clean; see $log"; grep -v "║\|╔\|╚" "$log" | tail -20
  fi
done

# Redis goes away: the limiter fails open and logs the outage once.
kill "$redis_pid"; wait "$redis_pid" 2>/dev/null || true
got=""
for i in 1 2 3; do got+="$(write "$a" -H "X-API-Key: $HYPERLANE_API_KEY" | cut -d'|' -f1,2) "; done
check "with Redis down, writes pass unlimited and without headers (fail open)" "201| 201| 201| " "$got"
check "the outage is logged once" 1 "$(grep -c 'rate limit store failed' "$ARTIFACTS/quickstart-${a##*:}.log" || true)"

# A malformed value stops the start, naming the variable and the form.
out=$(HYPERLANE_RATE_LIMIT=5perminute HYPERLANE_ADDR="127.0.0.1:$(free_port)" timeout 10 "$BIN/quickstart" 2>&1; echo "exit=$?")
check_contains "HYPERLANE_RATE_LIMIT=5perminute stops the start with exit 2" "exit=2" "$out"
check_contains "the message names the variable and the form" 'HYPERLANE_RATE_LIMIT: rate "5perminute": want N/duration' "$out"

# The Redis store's Go tests against redis-server from PATH, not skipped.
log="$ARTIFACTS/ratelimit-redis-go-test.log"
if (cd "$ROOT/backplane/redis" && go test -count=1 -v -run 'RateLimit' ./...) >"$log" 2>&1 \
  && ! grep -q -- '--- SKIP' "$log"; then
  ok "backplane/redis rate-limit tests pass against redis-server ($(grep -c -- '--- PASS' "$log") tests, none skipped)"
else
  fail "backplane/redis rate-limit tests; see $log"; grep -E -- '--- (FAIL|SKIP)|_test.go' "$log" | head -20
fi
finish
