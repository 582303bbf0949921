#!/usr/bin/env bash
# examples/cluster with real processes: three quickstart instances behind
# nginx on redis-server, and three more on nats-server, each cluster
# started and stopped by cluster.sh on free loopback ports. The Go tests
# of e2e/cluster then check: a chat message crosses instances (directly
# and through nginx, clients pinned); kill -9 of an instance under load
# (WebSocket clients join again through nginx, SSE clients resume by
# Last-Event-ID with no gap and no duplicate); a redis-server restart
# during traffic (refused messages reach nobody and their senders are
# told, the rooms recover); a rolling restart under 4 clients with 0
# failed requests; HYPERLANE_RATE_LIMIT=5/1m shared by the three; and the
# figures of docs/scaling.md (fan-out latency to 1,000 subscribers over
# three instances, messages/s; Redis, NATS and the in-memory hub).
source "$(dirname "$0")/../lib.sh"
ROOT=$(cd "$E2E_DIR/.." && pwd)
SCRIPT="$ROOT/examples/cluster/cluster.sh"

for tool in nginx redis-server curl python3; do
  command -v "$tool" >/dev/null || { fail "$tool is not installed (e2e/setup.sh installs it)"; finish; exit 1; }
done
[ -x "$BIN/nats-server" ] || { fail "e2e/bin/nats-server is missing (e2e/setup.sh installs it)"; finish; exit 1; }
export NATS_SERVER="$BIN/nats-server"

tmp=$(mktemp -d)
down() {
  for c in redis nats; do
    [ -d "$tmp/$c" ] || continue
    mkdir -p "$ARTIFACTS/cluster-$c"
    cp -r "$tmp/$c"/*.log "$tmp/$c/nginx/error.log" "$ARTIFACTS/cluster-$c/" 2>/dev/null || true
    CLUSTER_DIR="$tmp/$c" "$SCRIPT" down >/dev/null 2>&1 || true
  done
}
trap 'down; cleanup; rm -rf "$tmp"' EXIT

# free_block: a port P such that P..P+20 are free on 127.0.0.1.
free_block() {
  python3 - <<'PY'
import random, socket
for _ in range(200):
    base = random.randrange(20000, 59000)
    socks = []
    try:
        for p in range(base, base + 21):
            s = socket.socket(); s.bind(("127.0.0.1", p)); socks.append(s)
    except OSError:
        continue
    finally:
        for s in socks: s.close()
    print(base); break
PY
}

export QUICKSTART_BIN="$tmp/quickstart"
(cd "$ROOT/examples" && go build -o "$QUICKSTART_BIN" ./quickstart) || { fail "cannot build the quickstart"; finish; exit 1; }
export HYPERLANE_API_KEY=e2e-cluster-key HYPERLANE_RATE_LIMIT=5/1m
export CLUSTER_SH="$SCRIPT" CLUSTER_DIR="$tmp/redis" CLUSTER_PORT=$(free_block)
out=$(CLUSTER_BACKPLANE=redis "$SCRIPT" up 2>&1) || { fail "cluster.sh up (redis): $out"; finish; exit 1; }
ok "$out"
status=$("$SCRIPT" status) && ok "cluster.sh status: $(echo "$status" | grep -c running) processes running" \
  || fail "cluster.sh status: $status"
export CLUSTER_NATS_DIR="$tmp/nats" CLUSTER_NATS_PORT=$(free_block)
out=$(CLUSTER_DIR=$CLUSTER_NATS_DIR CLUSTER_PORT=$CLUSTER_NATS_PORT CLUSTER_BACKPLANE=nats "$SCRIPT" up 2>&1) \
  || { fail "cluster.sh up (nats): $out"; finish; exit 1; }
ok "$out"

log="$ARTIFACTS/cluster-go-test.log"
go_tests e2e/cluster e2e "$log" -timeout 280s ./cluster/
grep -E '^ +[a-z_]+_test.go:[0-9]+: (figures|report)' "$log" | sed 's/^ *[a-z_]*_test.go:[0-9]*: /     /' || true

# down stops everything it started.
CLUSTER_DIR="$tmp/nats" "$SCRIPT" down >/dev/null
"$SCRIPT" down >/dev/null
left=$(ps -eo args | grep -F -e "$tmp" -e "127.0.0.1:$((CLUSTER_PORT + 20))" -e "127.0.0.1:$((CLUSTER_NATS_PORT + 20))" | grep -v grep || true)
check "cluster.sh down leaves no process of the clusters" "" "$left"
check "cluster.sh down removes its state directories" "no no" \
  "$([ -d "$tmp/redis" ] && echo yes || echo no) $([ -d "$tmp/nats" ] && echo yes || echo no)"
finish
