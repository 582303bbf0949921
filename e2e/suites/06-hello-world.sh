#!/usr/bin/env bash
# The hello world of README.md and docs/getting-started.md, as a new user
# builds it: extracted from the docs (the ```go block after the
# "<!-- hello-world" marker), in a fresh module that points at this
# checkout with the replace directive getting-started.md shows. Each runs
# on HYPERLANE_ADDR (FromEnv), answers, and exits 0 on SIGTERM and SIGINT
# after the drain.
source "$(dirname "$0")/../lib.sh"
ROOT=$(cd "$E2E_DIR/.." && pwd)

# extract FILE [MARKER]: the ```go block after <!-- MARKER: in FILE.
extract() {
  awk -v marker="<!-- ${2:-hello-world}:" 'index($0, marker) == 1 { m = 1; next }
       m == 1 && /^```go/ { m = 2; next }
       m == 2 && /^```/ { exit }
       m == 2 { print }' "$1"
}

for doc in README.md docs/getting-started.md; do
  name=$(basename "$doc" .md)
  dir=$(mktemp -d)
  extract "$ROOT/$doc" >"$dir/main.go"
  if ! grep -q '^func main' "$dir/main.go"; then
    fail "$doc: no hello-world snippet after the marker"; continue
  fi
  log="$ARTIFACTS/hello-$name-build.log"
  # The commands of getting-started.md's Install section.
  if ! (cd "$dir" && go mod init example.com/hello &&
        go mod edit -replace github.com/hyperlane-go/hyperlane="$ROOT" &&
        go mod tidy && go build -o hello .) >"$log" 2>&1; then
    fail "$doc: the snippet does not build against this checkout (log: $log)"; tail -20 "$log"; continue
  fi
  ok "$doc: the snippet builds against this checkout with a replace directive"
  extract "$ROOT/$doc" hello-world-test >"$dir/main_test.go"
  if [ -s "$dir/main_test.go" ]; then
    if (cd "$dir" && go test -count=1 ./...) >>"$log" 2>&1; then
      ok "$doc: its test passes"
    else
      fail "$doc: its test fails (log: $log)"; tail -20 "$log"
    fi
  else
    rm -f "$dir/main_test.go"
  fi
  for sig in TERM INT; do
    addr="127.0.0.1:$(free_port)"
    out="$ARTIFACTS/hello-$name-$sig.log"
    HYPERLANE_ADDR="$addr" "$dir/hello" >"$out" 2>&1 &
    pid=$!
    if ! wait_port "$addr"; then
      fail "$doc: nothing serves on HYPERLANE_ADDR=$addr"; kill -KILL "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; tail -5 "$out"; continue
    fi
    check "$doc: GET / on HYPERLANE_ADDR" "Hello hyperlane => /" "$(curl -s "http://$addr/")"
    check "$doc: GET /users/42" '{"id":"42"}' "$(curl -s "http://$addr/users/42")"
    kill -"$sig" "$pid"
    status=0; wait "$pid" || status=$?
    check "$doc: exit status after SIG$sig and the drain" 0 "$status"
    if grep -q '<nil>' "$out"; then fail "$doc: printed <nil> on SIG$sig: $(grep -m1 '<nil>' "$out")"; fi
  done
  rm -rf "$dir"
done
finish
