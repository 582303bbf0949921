#!/usr/bin/env bash
# The doc pages with no network. The quickstart serves RapiDoc from the
# pinned, checksum-verified copy that make ui-assets (run by setup.sh)
# put in ui-assets/rapidoc; curl checks the page's policy and the
# script's headers; headless Chromium, with every request beyond
# loopback aborted and listed, runs one call from /swagger and one from
# /rapidoc. A control run without the directory shows the blocker
# catches the CDN page.
source "$(dirname "$0")/../lib.sh"
ROOT=$(cd "$E2E_DIR/.." && pwd)
ASSETS="$ROOT/ui-assets/rapidoc"
[ -s "$ASSETS/rapidoc-min.js" ] || make -s -C "$ROOT" ui-assets

# The copy is the npm package's file: its SHA-384 is the SRI hash the
# CDN page pins (openapi.DefaultRapiDocIntegrity).
sri="sha384-$(openssl dgst -sha384 -binary "$ASSETS/rapidoc-min.js" | openssl base64 -A)"
pinned=$(grep -o 'DefaultRapiDocIntegrity = "[^"]*"' "$ROOT/openapi/ui.go" | cut -d'"' -f2)
check "ui-assets/rapidoc/rapidoc-min.js is rapidoc@9.3.8's dist file (SHA-384 = the pinned SRI)" "$pinned" "$sri"

export HYPERLANE_PID_FILE="$ARTIFACTS/offline-docs-quickstart.pid"
unset HYPERLANE_RAPIDOC_URL
addr="127.0.0.1:$(free_port)"
export HYPERLANE_RAPIDOC_DIR="$ASSETS"
start_app quickstart "$addr"
base="http://$addr"

headers=$(curl -s -D - -o "$ARTIFACTS/offline-rapidoc.html" "$base/rapidoc")
csp=$(grep -i '^content-security-policy:' <<<"$headers" | tr -d '\r')
check_contains "/rapidoc: CSP allows scripts from the app only" "script-src 'self';" "$csp"
check "/rapidoc: CSP names no other host" "" "$(grep -o 'https\?://[^ ;]*' <<<"$csp" || true)"
check "/rapidoc: the page names no URL beyond the app" "" "$(grep -o 'https\?://[^"]*' "$ARTIFACTS/offline-rapidoc.html" || true)"
src=$(grep -o 'src="[^"]*"' "$ARTIFACTS/offline-rapidoc.html" | cut -d'"' -f2)
check "/rapidoc: the page's script is the app's versioned copy" "rapidoc/rapidoc-min.js?v=" "${src%%v=*}v="
script_headers=$(curl -s -D - -o "$ARTIFACTS/offline-rapidoc-min.js" "$base/$src" | tr -d '\r')
check "GET /$src: the pinned file, byte for byte" "" "$(cmp "$ASSETS/rapidoc-min.js" "$ARTIFACTS/offline-rapidoc-min.js" 2>&1)"
check_contains "GET /$src: JavaScript" "Content-Type: text/javascript; charset=utf-8" "$script_headers"
check_contains "GET /$src: cached for a year (the URL changes with the content)" "Cache-Control: public, max-age=31536000, immutable" "$script_headers"
# A browser accepts gzip: the script (written around Compress) comes
# compressed by the API and decompresses to the same file.
gz_headers=$(curl -s -D - -o "$ARTIFACTS/offline-rapidoc-min.js.gz" -H 'Accept-Encoding: gzip' "$base/$src" | tr -d '\r')
check_contains "GET /$src with Accept-Encoding: gzip: gzip-encoded" "Content-Encoding: gzip" "$gz_headers"
check "GET /$src with Accept-Encoding: gzip: decompresses to the pinned file" "" \
  "$(gunzip -c "$ARTIFACTS/offline-rapidoc-min.js.gz" | cmp - "$ASSETS/rapidoc-min.js" 2>&1)"
echo "rapidoc-min.js: $(stat -c %s "$ASSETS/rapidoc-min.js") bytes, $(stat -c %s "$ARTIFACTS/offline-rapidoc-min.js.gz") gzip-encoded"
check "GET /rapidoc/../go.mod and /rapidoc/.pin: 404, nothing from the disk" "404 404" \
  "$(curl -s -o /dev/null -w '%{http_code}' --path-as-is "$base/rapidoc/../go.mod") $(curl -s -o /dev/null -w '%{http_code}' "$base/rapidoc/.pin")"

out=$(timeout 120 node "$E2E_DIR/js/offline-docs.mjs" "$base" offline 2>&1) || true
echo "$out"
FAILS=$((FAILS + $(grep -c '^FAIL' <<<"$out" || true)))
grep -q '^ok   the doc pages attempted no request beyond loopback' <<<"$out" || fail "the offline Chromium check did not finish clean"

# Control: the same binary without the directory, started elsewhere, so
# it does not find ui-assets/: the page needs the CDN and the blocker
# sees it; the app logs once that the page needs network.
addr2="127.0.0.1:$(free_port)"
unset HYPERLANE_RAPIDOC_DIR
export HYPERLANE_PID_FILE="$ARTIFACTS/offline-docs-cdn.pid"
cd "$ARTIFACTS"
start_app quickstart "$addr2"
out=$(timeout 60 node "$E2E_DIR/js/offline-docs.mjs" "http://$addr2" cdn-control 2>&1) || true
echo "$out"
FAILS=$((FAILS + $(grep -c '^FAIL' <<<"$out" || true)))
grep -q '^ok   control:' <<<"$out" || fail "the control check did not finish"
check "control: the app logged once that the CDN page needs network" "1" "$(grep -c 'needs network' "$ARTIFACTS/quickstart-${addr2##*:}.log" || true)"
finish
