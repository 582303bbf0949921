#!/usr/bin/env bash
# cluster.sh: three quickstart instances behind nginx, sharing a broker
# (redis-server or nats-server), all on 127.0.0.1. See README.md.
#
#   cluster.sh up              start the broker, the instances and nginx
#   cluster.sh down            stop everything and remove CLUSTER_DIR
#   cluster.sh status          one line per process; exit 3 if one is down
#   cluster.sh rolling         zero-downtime restart of each instance in turn
#   cluster.sh kill N          kill -9 instance N (1, 2 or 3)
#   cluster.sh revive N        start instance N again
#   cluster.sh redis-restart [SECONDS]
#                              stop the broker, wait SECONDS (default 0),
#                              start it again on the same port
#
# Environment:
#   CLUSTER_DIR        state: PID files, logs, nginx config (/tmp/hyperlane-cluster)
#   CLUSTER_PORT       nginx (61000); +1..+3 nginx pinned to instance 1..3,
#                      +10..+12 the instances, +20 the broker
#   CLUSTER_BACKPLANE  redis (default) or nats
#   QUICKSTART_BIN     the quickstart binary (default: built from examples/)
#   NATS_SERVER        the nats-server binary (default: e2e/bin/nats-server, then PATH)
# Every other HYPERLANE_* variable (HYPERLANE_RATE_LIMIT, HYPERLANE_API_KEY...)
# reaches the instances as it is.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
DIR=${CLUSTER_DIR:-/tmp/hyperlane-cluster}
PORT=${CLUSTER_PORT:-61000}
BACKPLANE=${CLUSTER_BACKPLANE:-redis}
BROKER_PORT=$((PORT + 20))
BIN="$DIR/bin/quickstart"

die() { echo "cluster: $*" >&2; exit 1; }

case "$BACKPLANE" in
  redis) BROKER_URL="redis://127.0.0.1:$BROKER_PORT/0" ;;
  nats) BROKER_URL="nats://127.0.0.1:$BROKER_PORT" ;;
  *) die "CLUSTER_BACKPLANE=$BACKPLANE: want redis or nats" ;;
esac

instance_addr() { echo "127.0.0.1:$((PORT + 9 + $1))"; }

# wait_http URL: up to 20 s for a 200.
wait_http() {
  for _ in $(seq 200); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$1" || true)" = 200 ] && return 0
    sleep 0.1
  done
  return 1
}

# wait_tcp PORT: up to 20 s for a listener on 127.0.0.1:PORT.
wait_tcp() {
  for _ in $(seq 200); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

# alive PIDFILE: the process the file names runs (a zombie, killed but
# not yet reaped by its parent, does not).
alive() {
  [ -s "$1" ] || return 1
  local state
  state=$(ps -o stat= -p "$(cat "$1")" 2>/dev/null) || return 1
  [[ "$state" != Z* ]]
}

# qs N ARGS...: the quickstart binary as instance N.
qs() {
  local n=$1; shift
  HYPERLANE_ADDR=$(instance_addr "$n") \
    HYPERLANE_PID_FILE="$DIR/instance$n.pid" \
    HYPERLANE_LOG_FILE="$DIR/instance$n.log" \
    HYPERLANE_TRUSTED_PROXIES=127.0.0.1/32 \
    HYPERLANE_BACKPLANE_URL="$BROKER_URL" \
    "$BIN" "$@"
}

check_n() { case "${1:-}" in 1 | 2 | 3) ;; *) die "instance number must be 1, 2 or 3, got '${1:-}'" ;; esac; }

build() {
  mkdir -p "$DIR/bin"
  if [ -n "${QUICKSTART_BIN:-}" ]; then
    [ -x "$QUICKSTART_BIN" ] || die "QUICKSTART_BIN=$QUICKSTART_BIN is not an executable"
    cp "$QUICKSTART_BIN" "$BIN"
  else
    (cd "$ROOT/examples" && go build -o "$BIN" ./quickstart) || die "cannot build the quickstart"
  fi
}

broker_start() {
  case "$BACKPLANE" in
    redis)
      command -v redis-server >/dev/null || die "redis-server is not installed (apt-get install redis-server)"
      redis-server --port "$BROKER_PORT" --bind 127.0.0.1 --save '' --appendonly no \
        --daemonize yes --pidfile "$DIR/broker.pid" --logfile "$DIR/broker.log" >/dev/null
      ;;
    nats)
      local nats=${NATS_SERVER:-}
      [ -n "$nats" ] || { [ -x "$ROOT/e2e/bin/nats-server" ] && nats="$ROOT/e2e/bin/nats-server"; } || true
      [ -n "$nats" ] || nats=$(command -v nats-server || true)
      [ -n "$nats" ] || die "nats-server not found: set NATS_SERVER or run e2e/setup.sh"
      setsid "$nats" -a 127.0.0.1 -p "$BROKER_PORT" -P "$DIR/broker.pid" >>"$DIR/broker.log" 2>&1 </dev/null &
      ;;
  esac
  wait_tcp "$BROKER_PORT" || die "$BACKPLANE did not start on port $BROKER_PORT; see $DIR/broker.log"
  for _ in $(seq 50); do [ -s "$DIR/broker.pid" ] && break; sleep 0.1; done
}

broker_stop() {
  alive "$DIR/broker.pid" || return 0
  local pid
  pid=$(cat "$DIR/broker.pid")
  kill "$pid"
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$DIR/broker.pid"
}

instance_start() {
  qs "$1" start -d >/dev/null || die "instance $1 did not start; see $DIR/instance$1.log"
  wait_http "http://$(instance_addr "$1")/health/ready" || die "instance $1 is not ready; see $DIR/instance$1.log"
}

nginx_start() {
  command -v nginx >/dev/null || die "nginx is not installed (apt-get install nginx)"
  mkdir -p "$DIR/nginx/tmp"/{client,proxy,fastcgi,uwsgi,scgi}
  sed -e "s|@DIR@|$DIR/nginx|g" \
    -e "s|@LISTEN@|127.0.0.1:$PORT|" -e "s|@LISTEN_A@|127.0.0.1:$((PORT + 1))|" \
    -e "s|@LISTEN_B@|127.0.0.1:$((PORT + 2))|" -e "s|@LISTEN_C@|127.0.0.1:$((PORT + 3))|" \
    -e "s|@A@|$(instance_addr 1)|g" -e "s|@B@|$(instance_addr 2)|g" -e "s|@C@|$(instance_addr 3)|g" \
    "$HERE/nginx.conf" >"$DIR/nginx/nginx.conf"
  nginx -q -p "$DIR/nginx" -c "$DIR/nginx/nginx.conf" -e "$DIR/nginx/error.log" ||
    die "nginx did not start; see $DIR/nginx/error.log"
  for p in "$PORT" $((PORT + 1)) $((PORT + 2)) $((PORT + 3)); do
    wait_http "http://127.0.0.1:$p/health/ready" || die "nginx on port $p does not reach the cluster"
  done
}

nginx_stop() {
  alive "$DIR/nginx/nginx.pid" || return 0
  local pid
  pid=$(cat "$DIR/nginx/nginx.pid")
  kill -QUIT "$pid"
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
}

cmd_up() {
  if alive "$DIR/broker.pid" || alive "$DIR/nginx/nginx.pid"; then
    die "a cluster already runs in $DIR: cluster.sh down first"
  fi
  mkdir -p "$DIR"
  touch "$DIR/.hyperlane-cluster" # down removes only a directory up made
  build
  broker_start
  for n in 1 2 3; do instance_start "$n"; done
  nginx_start
  echo "cluster up ($BACKPLANE on 127.0.0.1:$BROKER_PORT): http://127.0.0.1:$PORT/" \
    "(pinned: :$((PORT + 1)) :$((PORT + 2)) :$((PORT + 3)); instances :$((PORT + 10))-:$((PORT + 12)))"
}

cmd_down() {
  [ -d "$DIR" ] || return 0
  nginx_stop
  for n in 1 2 3; do
    if alive "$DIR/instance$n.pid"; then qs "$n" stop --force --timeout 15s >/dev/null 2>&1 || true; fi
  done
  broker_stop
  [ -e "$DIR/.hyperlane-cluster" ] && rm -rf "$DIR"
  echo "cluster down"
}

cmd_status() {
  local down=0
  if alive "$DIR/nginx/nginx.pid"; then echo "nginx      running  pid $(cat "$DIR/nginx/nginx.pid")  127.0.0.1:$PORT"
  else echo "nginx      stopped"; down=1; fi
  for n in 1 2 3; do
    if alive "$DIR/instance$n.pid"; then echo "instance $n running  pid $(cat "$DIR/instance$n.pid")  $(instance_addr "$n")"
    else echo "instance $n stopped"; down=1; fi
  done
  if alive "$DIR/broker.pid"; then echo "$BACKPLANE      running  pid $(cat "$DIR/broker.pid")  127.0.0.1:$BROKER_PORT"
  else echo "$BACKPLANE      stopped"; down=1; fi
  [ "$down" = 0 ] || exit 3
}

cmd_rolling() {
  for n in 1 2 3; do
    qs "$n" restart >/dev/null || die "instance $n: restart failed; see $DIR/instance$n.log"
    wait_http "http://$(instance_addr "$n")/health/ready" || die "instance $n is not ready after its restart"
    echo "instance $n restarted: pid $(cat "$DIR/instance$n.pid")"
  done
}

cmd_kill() {
  check_n "${1:-}"
  alive "$DIR/instance$1.pid" || die "instance $1 does not run"
  kill -9 "$(cat "$DIR/instance$1.pid")"
  echo "instance $1 killed"
}

cmd_revive() {
  check_n "${1:-}"
  alive "$DIR/instance$1.pid" && die "instance $1 already runs"
  instance_start "$1"
  echo "instance $1 revived: pid $(cat "$DIR/instance$1.pid")"
}

cmd_redis_restart() {
  local pause=${1:-0}
  broker_stop
  sleep "$pause"
  broker_start
  echo "$BACKPLANE restarted"
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  rolling) cmd_rolling ;;
  kill) cmd_kill "${2:-}" ;;
  revive) cmd_revive "${2:-}" ;;
  redis-restart | broker-restart) cmd_redis_restart "${2:-0}" ;;
  *) sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
