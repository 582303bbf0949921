#!/usr/bin/env bash
# Package adapter end to end: the reference app of adapter/mounttest
# mounted in gin and echo (Go tests of the e2e module: static, param,
# catch-all, 404, 405, redirect, WebSocket and SSE through each), then
# examples/mount — a net/http app hosting a Hyperlane API at /api — with
# curl, and its Swagger UI's Try it out in headless Chromium.
source "$(dirname "$0")/../lib.sh"

# gin and echo hosts, through their own http.Handler wrapping.
log="$ARTIFACTS/adapter-hosts.log"
if (cd "$E2E_DIR" && go test -count=1 -v ./adapter/) >"$log" 2>&1; then
  ok "gin and echo host the mounted app ($(grep -c -- '--- PASS' "$log") checks passed)"
else
  fail "gin and echo host the mounted app; see $log"
  grep -E -- '--- FAIL|_test.go|mounttest' "$log" | head -20
fi

token=suite-token
export MOUNT_TOKEN=$token
addr="127.0.0.1:$(free_port)"
start_app mount "$addr"
base="http://$addr"

# status URL [curl args...]: prints the status code only.
status() { local u=$1; shift; curl -s -o /dev/null -w '%{http_code}' "$@" "$u"; }

check_contains "the host's own page" 'href="/api/swagger"' "$(curl -s "$base/")"
check "the host's own route" ok "$(curl -s "$base/healthz")"
hdrs=$(curl -s -D - -o "$ARTIFACTS/mount-notes.json" "$base/api/notes" | tr -d '\r')
check_contains "GET /api/notes" '"items":[]' "$(cat "$ARTIFACTS/mount-notes.json")"
check_contains "the host's middleware wraps the API" "X-Request-Id: " "$hdrs"
check "POST /api/notes without the token is 401" 401 \
  "$(status "$base/api/notes" -X POST -H 'Content-Type: application/json' -d '{"text":"x"}')"
check "POST /api/notes with the token is 201" 201 \
  "$(status "$base/api/notes" -X POST -H 'Content-Type: application/json' -H "Authorization: Bearer $token" -d '{"text":"x"}')"
check "GET /api/notes/1" '"text":"x"' "$(curl -s "$base/api/notes/1" | grep -o '"text":"x"')"
check "an unknown API path is 404" 404 "$(status "$base/api/nope")"
check_contains "405 has Allow" "Allow: GET, HEAD, POST, OPTIONS" "$(curl -s -D - -o /dev/null -X PUT "$base/api/notes" | tr -d '\r')"
check_contains "a redirect keeps the prefix" "Location: /api/notes" "$(curl -s -D - -o /dev/null "$base/api/all" | tr -d '\r')"
check_contains "the document's server is the mount" '"url": "/api"' "$(curl -s "$base/api/openapi.json")"
# /api/notes/1%2F2 reaches /notes/{id} with id "1/2", which is not a number.
check_contains "an escaped slash stays inside one parameter" '"location":"path.id"' "$(curl -s "$base/api/notes/1%2F2")"

# Swagger UI's Try it out in Chromium: a read and an authorized write.
out=$(node "$E2E_DIR/js/mount-swagger.mjs" "$base" "$token" 2>&1) || true
echo "$out"
FAILS=$((FAILS + $(grep -c '^FAIL' <<<"$out" || true)))
grep -q '^ok   Try it out on POST' <<<"$out" || fail "the Chromium check did not finish"
finish
