#!/usr/bin/env bash
# OpenAPI of examples/quickstart with tools nobody here wrote: Redocly lints
# api.yaml with the committed config; kin-openapi validates the served 3.1
# and 3.0 documents and checks live traffic against them; oapi-codegen
# generates a Go client from the 3.0 document that drives the Pet API;
# openapi-typescript generates types that a typed client compiles against
# under tsc; headless Chromium runs Swagger UI's Try it out and RapiDoc.
source "$(dirname "$0")/../lib.sh"
ROOT=$(cd "$E2E_DIR/.." && pwd)
OAPI_CODEGEN=github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen@v2.8.2

# run NAME LOG CMD...: runs a tool, one ok/FAIL line, its output in LOG.
run() {
  local name=$1 log=$2; shift 2
  if "$@" >"$log" 2>&1; then ok "$name"; else fail "$name; see $log"; tail -20 "$log"; fi
}

# The npm-installed RapiDoc, served from another origin, as a self-hosted
# copy would be.
static_port=$(free_port)
node "$E2E_DIR/js/static-server.mjs" "$E2E_DIR/node_modules/rapidoc/dist" "$static_port" 300 &
PIDS+=($!)
wait_port "127.0.0.1:$static_port" || fail "the static server did not start"

export HYPERLANE_API_KEY=e2e-openapi-key
export HYPERLANE_RAPIDOC_URL="http://127.0.0.1:$static_port/rapidoc-min.js"
export HYPERLANE_PID_FILE="$ARTIFACTS/openapi-quickstart.pid"
addr="127.0.0.1:$(free_port)"
start_app quickstart "$addr"
base="http://$addr"

for doc in openapi.json openapi.yaml openapi-3.0.json openapi-3.0.yaml; do
  curl -sf "$base/$doc" -o "$ARTIFACTS/$doc" || fail "GET /$doc"
done
check "api.yaml is the document the quickstart serves" "" "$(diff "$ROOT/api.yaml" "$ARTIFACTS/openapi.yaml" | head -5)"
check "the openapi command prints the served document" "" \
  "$("$BIN/quickstart" openapi --format json --version 3.0 2>/dev/null | diff - "$ARTIFACTS/openapi-3.0.json" | head -5)"

# Redocly: the recommended rules, no error and no warning.
log="$ARTIFACTS/redocly.log"
if (cd "$E2E_DIR" && npx --no-install redocly lint --config redocly.yaml "$ROOT/api.yaml") >"$log" 2>&1 \
  && grep -q "Your API description is valid" "$log" && ! grep -Eq "[0-9]+ (warning|error)s?" "$log"; then
  ok "redocly lints api.yaml clean"
else
  fail "redocly lints api.yaml clean; see $log"; grep -v "║\|╔\|╚" "$log" | tail -20
fi

# oapi-codegen regenerates the committed Go client from the served 3.0
# document: the same code, so the client the tests compile is current.
# (Under "_gen": the go tool ignores directories starting with "_".)
gen="$ARTIFACTS/_gen/petclient.gen.go"
rm -f "$gen"
sed "s|^output: .*|output: $gen|" "$E2E_DIR/openapi/oapi-codegen.yaml" >"$ARTIFACTS/oapi-codegen.yaml"
run "oapi-codegen generates a Go client from the 3.0 document" "$ARTIFACTS/oapi-codegen.log" \
  bash -c "cd '$E2E_DIR/openapi' && go run $OAPI_CODEGEN -config '$ARTIFACTS/oapi-codegen.yaml' '$ARTIFACTS/openapi-3.0.yaml'"
if cmp -s "$E2E_DIR/openapi/petclient/petclient.gen.go" "$gen"; then
  ok "the generated client is the committed one"
else
  fail "the generated client differs from e2e/openapi/petclient/petclient.gen.go (regenerate it: see docs/openapi.md)"
  diff "$E2E_DIR/openapi/petclient/petclient.gen.go" "$gen" 2>&1 | head -10
fi
run "the generated client compiles" "$ARTIFACTS/petclient-build.log" bash -c "cd '$E2E_DIR' && go vet ./openapi/..."

# kin-openapi and the generated client against the running quickstart.
log="$ARTIFACTS/openapi-go-test.log"
if (cd "$E2E_DIR" && HYPERLANE_E2E_URL="$base" go test -count=1 -v ./openapi/) >"$log" 2>&1; then
  ok "kin-openapi validates both documents and live traffic; the generated client creates, reads, lists, gets 422 and 401 ($(grep -c -- '--- PASS' "$log") tests)"
else
  fail "Go tests of the documents and the generated client; see $log"
  grep -E -- '--- FAIL|_test.go' "$log" | head -20
fi

# openapi-typescript types, and a typed client that must compile.
run "openapi-typescript generates types from the 3.1 document" "$ARTIFACTS/openapi-typescript.log" \
  bash -c "cd '$E2E_DIR' && npx --no-install openapi-typescript '$ARTIFACTS/openapi.json' -o ts/petstore.ts"
run "the typed TypeScript client compiles under tsc --noEmit" "$ARTIFACTS/tsc.log" \
  bash -c "cd '$E2E_DIR' && npx --no-install tsc --noEmit -p ts/tsconfig.json"

# Swagger UI and RapiDoc in headless Chromium.
out=$(timeout 180 node "$E2E_DIR/js/openapi-ui.mjs" "$base" 2>&1) || true
echo "$out"
FAILS=$((FAILS + $(grep -c '^FAIL' <<<"$out" || true)))
grep -q '^ok   RapiDoc runs under' <<<"$out" || fail "the Chromium check did not finish"
finish
