#!/usr/bin/env bash
# The AsyncAPI side of the quickstart. The served document validates
# with @asyncapi/parser (no error and no warning; the one "info" it
# prints recommends AsyncAPI 3.1.0, and the document is 3.0.0 on
# purpose), and equals the checked-in asyncapi.yaml's JSON form but for
# the host; an npm ws client sends every message the document lists for
# /chat/ws, and an invalid one, and gets the documented answers; the
# echo returns text and binary as sent; headless Chromium, with every
# request beyond loopback aborted, opens /asyncapi and sees every
# channel. The viewer is the pinned @asyncapi/react-component that make
# ui-assets fetched.
source "$(dirname "$0")/../lib.sh"
ROOT=$(cd "$E2E_DIR/.." && pwd)
ASSETS="$ROOT/ui-assets/asyncapi"
[ -s "$ASSETS/index.js" ] || make -s -C "$ROOT" ui-assets

# The copy is the npm package's file: its SHA-384 is the SRI hash the
# CDN page pins (openapi.DefaultAsyncAPIScriptSRI).
sri="sha384-$(openssl dgst -sha384 -binary "$ASSETS/index.js" | openssl base64 -A)"
pinned=$(grep -o 'DefaultAsyncAPIScriptSRI *= "[^"]*"' "$ROOT/openapi/asyncapi_viewer.go" | cut -d'"' -f2)
check "ui-assets/asyncapi/index.js is @asyncapi/react-component@3.2.1's standalone bundle (SHA-384 = the pinned SRI)" "$pinned" "$sri"

export HYPERLANE_PID_FILE="$ARTIFACTS/asyncapi-quickstart.pid"
export HYPERLANE_ASYNCAPI_DIR="$ASSETS"
unset HYPERLANE_BACKPLANE_URL
addr="127.0.0.1:$(free_port)"
start_app quickstart "$addr"
base="http://$addr"

# The document: served as JSON and YAML, valid for @asyncapi/parser.
check "GET /asyncapi.json: 200 JSON" "200 application/json; charset=utf-8" \
  "$(curl -s -o "$ARTIFACTS/asyncapi.json" -w '%{http_code} %{content_type}' "$base/asyncapi.json")"
check "GET /asyncapi.yaml: 200 YAML" "200 application/yaml; charset=utf-8" \
  "$(curl -s -o "$ARTIFACTS/asyncapi.yaml" -w '%{http_code} %{content_type}' "$base/asyncapi.yaml")"
for f in asyncapi.json asyncapi.yaml; do
  out=$(cd "$E2E_DIR" && timeout 60 node js/asyncapi-validate.mjs "$ARTIFACTS/$f" 2>&1) && ok "@asyncapi/parser: the served $f is valid, no error or warning" \
    || fail "@asyncapi/parser on the served $f: $out"
  echo "$out" | sed 's/^/    /'
done
out=$(cd "$E2E_DIR" && timeout 60 node js/asyncapi-validate.mjs "$ROOT/asyncapi.yaml" 2>&1) && ok "@asyncapi/parser: the checked-in asyncapi.yaml is valid" \
  || fail "@asyncapi/parser on asyncapi.yaml: $out"
# The checked-in file is the served document but for the host it names.
served=$(sed "s/\"host\": \"$addr\"/\"host\": \"localhost\"/" "$ARTIFACTS/asyncapi.yaml" | sed "s/host: \"$addr\"/host: \"localhost\"/")
check "asyncapi.yaml is the served /asyncapi.yaml (but for the host)" "" "$(diff <(echo "$served") "$ROOT/asyncapi.yaml" | head -20)"
check_contains "the document's ws server is where it was asked from" "\"host\": \"$addr\"" "$(cat "$ARTIFACTS/asyncapi.json")"

# The sockets, from what the document says.
out=$(cd "$E2E_DIR" && timeout 60 node js/asyncapi-socket.mjs "$base" 2>&1) || true
echo "$out"
FAILS=$((FAILS + $(grep -c '^FAIL' <<<"$out" || true)))
[ "$(grep -c '^ok' <<<"$out" || true)" -ge 14 ] || fail "the ws client did not run every check"

# The viewer page: its policy, then Chromium offline.
headers=$(curl -s -D - -o "$ARTIFACTS/asyncapi.html" "$base/asyncapi" | tr -d '\r')
csp=$(grep -i '^content-security-policy:' <<<"$headers")
check_contains "/asyncapi: CSP allows scripts from the app, eval (Ajv in @asyncapi/parser compiles schemas with new Function) and the inline boot script by its hash" "script-src 'self' 'unsafe-eval' 'sha256-" "$csp"
check "/asyncapi: CSP names no other host" "" "$(grep -o 'https\?://[^ ;]*' <<<"$csp" || true)"
check "/asyncapi: the page names no URL beyond the app" "" "$(grep -o 'https\?://[^"]*' "$ARTIFACTS/asyncapi.html" || true)"
src=$(grep -o 'src="[^"]*"' "$ARTIFACTS/asyncapi.html" | cut -d'"' -f2)
curl -s -o "$ARTIFACTS/asyncapi-index.js" "$base/$src"
check "GET /$src: the pinned file, byte for byte" "" "$(cmp "$ASSETS/index.js" "$ARTIFACTS/asyncapi-index.js" 2>&1)"
out=$(cd "$E2E_DIR" && timeout 120 node js/asyncapi-viewer.mjs "$base" 2>&1) || true
echo "$out"
FAILS=$((FAILS + $(grep -c '^FAIL' <<<"$out" || true)))
grep -q '^ok   /asyncapi attempted no request beyond loopback' <<<"$out" || fail "the offline Chromium check did not finish clean"
grep -q '^ok   /asyncapi shows every channel' <<<"$out" || fail "the viewer did not show every channel"
finish
