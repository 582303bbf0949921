#!/usr/bin/env bash
# SDKs of the quickstart from four generators, each fed the document the
# LIVE app serves, unmodified and without configuration: ogen v1.25.0 and
# oapi-codegen v2.8.2 (Go, from the 3.0 document), openapi-typescript and
# @hey-api/openapi-ts (TypeScript, from the 3.1 document). Each client is
# compiled (go vet / tsc --strict) and used against the running app:
# create, read, list, 422 and 401 on the Pet API, and three typed events of
# GET /events (Go: oapi-codegen's types over its client and ogen's raw
# stream; TypeScript: hey-api's SSE client and openapi-typescript's types).
source "$(dirname "$0")/../lib.sh"
OGEN=github.com/ogen-go/ogen/cmd/ogen@v1.25.0
OAPI_CODEGEN=github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen@v2.8.2

# run NAME LOG CMD...: runs a tool, one ok/FAIL line, its output in LOG.
run() {
  local name=$1 log=$2; shift 2
  if "$@" >"$log" 2>&1; then ok "$name"; else fail "$name; see $log"; tail -20 "$log"; fi
}
# run_checks LOG CMD...: runs a client that prints ok/FAIL lines; echoes
# them and counts its failures (and its exit status) into FAILS.
run_checks() {
  local log=$1; shift
  local rc=0
  "$@" >"$log" 2>&1 || rc=$?
  grep -E '^(ok|FAIL) ' "$log" || true
  FAILS=$((FAILS + $(grep -c '^FAIL' "$log" || true)))
  if [ "$rc" -ne 0 ] && ! grep -q '^FAIL' "$log"; then fail "$* exited $rc; see $log"; tail -10 "$log"; fi
  grep -q '^ok ' "$log" || fail "$* ran no check; see $log"
}

export HYPERLANE_API_KEY=e2e-sdk-key
export HYPERLANE_PID_FILE="$ARTIFACTS/sdk-quickstart.pid"
addr="127.0.0.1:$(free_port)"
start_app quickstart "$addr"
base="http://$addr"
for doc in openapi.json openapi-3.0.yaml; do
  curl -sf "$base/$doc" -o "$ARTIFACTS/sdk-$doc" || fail "GET /$doc"
done

# ogen, unconfigured, from the served 3.0 document: the same code as the
# committed e2e/openapi/petogen, which the Go tests compile.
gen="$ARTIFACTS/_gen/petogen"
run "ogen generates a Go client and server from the 3.0 document, without configuration" "$ARTIFACTS/ogen.log" \
  bash -c "cd '$E2E_DIR/openapi' && go run $OGEN --target '$gen' --package petogen --clean '$ARTIFACTS/sdk-openapi-3.0.yaml'"
if diff -r "$E2E_DIR/openapi/petogen" "$gen" >"$ARTIFACTS/ogen-diff.log" 2>&1; then
  ok "the ogen client is the committed one"
else
  fail "the ogen client differs from e2e/openapi/petogen (regenerate it: see docs/openapi.md)"; head -10 "$ARTIFACTS/ogen-diff.log"
fi
# Why the 3.0 document carries x-ogen-raw-response: without it, ogen
# refuses the whole document (it has no server encoder for typed SSE).
grep -v 'x-ogen-raw-response' "$ARTIFACTS/sdk-openapi-3.0.yaml" >"$ARTIFACTS/sdk-openapi-3.0-noext.yaml"
if (cd "$E2E_DIR/openapi" && go run $OGEN --target "$ARTIFACTS/_gen/noext" --package noext --clean "$ARTIFACTS/sdk-openapi-3.0-noext.yaml") \
  >"$ARTIFACTS/ogen-noext.log" 2>&1; then
  fail "ogen took the 3.0 document without x-ogen-raw-response: the extension may be dropped (see docs/openapi.md)"
else
  check_contains "without x-ogen-raw-response ogen refuses the document" 'Feature "sse server response encoding" is not implemented yet' \
    "$(cat "$ARTIFACTS/ogen-noext.log")"
fi

# oapi-codegen from the same document: the committed petclient.
out="$ARTIFACTS/_gen/petclient.gen.go"
sed "s|^output: .*|output: $out|" "$E2E_DIR/openapi/oapi-codegen.yaml" >"$ARTIFACTS/sdk-oapi-codegen.yaml"
run "oapi-codegen generates a Go client from the 3.0 document" "$ARTIFACTS/sdk-oapi-codegen.log" \
  bash -c "cd '$E2E_DIR/openapi' && go run $OAPI_CODEGEN -config '$ARTIFACTS/sdk-oapi-codegen.yaml' '$ARTIFACTS/sdk-openapi-3.0.yaml'"
if cmp -s "$E2E_DIR/openapi/petclient/petclient.gen.go" "$out"; then ok "the oapi-codegen client is the committed one"
else fail "the oapi-codegen client differs from e2e/openapi/petclient/petclient.gen.go"; fi
run "both Go clients compile (go vet)" "$ARTIFACTS/sdk-go-vet.log" bash -c "cd '$E2E_DIR' && go vet ./openapi/..."

log="$ARTIFACTS/sdk-go-test.log"
if (cd "$E2E_DIR" && HYPERLANE_E2E_URL="$base" go test -count=1 -v -run 'TestOgenClient|TestGeneratedClient' ./openapi/) >"$log" 2>&1; then
  ok "Go: ogen's client creates, reads, lists, gets 422 and 401 and reads the stream; oapi-codegen's does the same and decodes resumed, message and done into its generated types ($(grep -c -- '--- PASS' "$log") tests)"
else
  fail "Go SDK tests; see $log"; grep -E -- '--- FAIL|_test.go' "$log" | head -20
fi

# hey-api, unconfigured, from the served 3.1 document; its SSE client.
rm -rf "$E2E_DIR/ts/hey"
run "@hey-api/openapi-ts generates an SDK from the 3.1 document" "$ARTIFACTS/hey-gen.log" \
  bash -c "cd '$E2E_DIR' && npx --no-install openapi-ts -i '$base/openapi.json' -o ts/hey -c @hey-api/client-fetch"
check_contains "hey-api generated an SSE client for GET /events" ".sse.get<StreamEventsResponses" "$(cat "$E2E_DIR/ts/hey/sdk.gen.ts" 2>/dev/null)"
run "the hey-api SDK and its user compile under tsc --strict" "$ARTIFACTS/hey-tsc.log" \
  bash -c "cd '$E2E_DIR' && rm -rf artifacts/ts-hey && npx --no-install tsc -p ts/tsconfig.hey.json"
echo '{"type":"commonjs"}' >"$ARTIFACTS/ts-hey/package.json"
run_checks "$ARTIFACTS/hey-run.log" timeout 60 node "$ARTIFACTS/ts-hey/hey-sdk.js" "$base" "$HYPERLANE_API_KEY"

# openapi-typescript's types under a fetch client, against the app.
run "openapi-typescript generates types from the 3.1 document" "$ARTIFACTS/sdk-openapi-typescript.log" \
  bash -c "cd '$E2E_DIR' && npx --no-install openapi-typescript '$base/openapi.json' -o ts/petstore.ts"
run "the openapi-typescript client compiles under tsc --strict" "$ARTIFACTS/sdk-tsc.log" \
  bash -c "cd '$E2E_DIR' && rm -rf artifacts/ts-run && npx --no-install tsc -p ts/tsconfig.run.json"
echo '{"type":"commonjs"}' >"$ARTIFACTS/ts-run/package.json"
run_checks "$ARTIFACTS/sdk-ts-run.log" timeout 60 node "$ARTIFACTS/ts-run/petstore-run.js" "$base" "$HYPERLANE_API_KEY"
finish
