#!/usr/bin/env bash
# Observability with real tools (issue 16): examples/quickstart serves
# /metrics and sends traces over OTLP/HTTP.
#   - promtool (Debian's prometheus package) checks /metrics;
#   - a real Prometheus, started here with a temporary config and storage
#     and a 1 s scrape interval, scrapes the quickstart; after a short
#     load, a PromQL query through its HTTP API returns the request rate
#     of GET /pets/{id} by route, and a scan of random paths added no
#     series;
#   - otlpreceiver (e2e/otlpreceiver, decoding the protobuf with
#     go.opentelemetry.io/proto/otlp) receives the spans of a request sent
#     with a traceparent, of an event stream and of a WebSocket session
#     (npm ws), whose attributes are
#     checked.
source "$(dirname "$0")/../lib.sh"
SECONDS=0
step() { echo "     [${SECONDS}s] $*"; }
TMP=$(mktemp -d)
trap 'cleanup; rm -rf "$TMP"' EXIT
(cd "$E2E_DIR" && go build -o "$BIN/otlpreceiver" ./otlpreceiver) || { fail "building otlpreceiver"; finish; exit; }
for tool in prometheus promtool; do
  command -v $tool >/dev/null || { fail "$tool missing: run e2e/setup.sh (Debian package prometheus)"; finish; exit; }
done

# json EXPR FILE: evaluates a Python expression over the JSON in FILE (j).
json() { python3 -c "import json,sys; j=json.load(open(sys.argv[2])); print($1)" "$1" "$2" 2>/dev/null || echo "?"; }

otlp="127.0.0.1:$(free_port)"
SPANS="$ARTIFACTS/80-spans.jsonl"; : >"$SPANS"
"$BIN/otlpreceiver" -addr "$otlp" -out "$SPANS" >"$ARTIFACTS/80-otlpreceiver.log" 2>&1 &
PIDS+=($!)
wait_port "$otlp" || fail "otlpreceiver did not start"

app="127.0.0.1:$(free_port)"
OTEL_EXPORTER_OTLP_ENDPOINT="http://$otlp" OTEL_SERVICE_NAME=quickstart-e2e OTEL_BSP_SCHEDULE_DELAY=200 \
  start_app quickstart "$app"

# --- /metrics and the health probes
curl -s "http://$app/pets/1" >/dev/null
curl -s "http://$app/metrics" >"$TMP/metrics.txt"
if out=$(promtool check metrics <"$TMP/metrics.txt" 2>&1); then ok "promtool check metrics passes on /metrics"
else fail "promtool check metrics: $out"; fi
check_contains "/metrics labels GET /pets/{id} by route and operationId" \
  'hyperlane_http_requests_total{method="GET",operation="getPet",route="/pets/{id}",status="2xx"} 1' "$(cat "$TMP/metrics.txt")"
check "/health/ready is 200 while serving" 200 "$(curl -s -o /dev/null -w '%{http_code}' "http://$app/health/ready")"
check "/health/live is 200" 200 "$(curl -s -o /dev/null -w '%{http_code}' "http://$app/health/live")"
check_contains "/metrics stays out of the OpenAPI document" "absent" \
  "$(curl -s "http://$app/openapi.json" | grep -q '"/metrics"' && echo present || echo absent)"

step "prometheus"
# --- Prometheus scrapes the app
prom="127.0.0.1:$(free_port)"
cat >"$TMP/prometheus.yml" <<YAML
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: quickstart
    static_configs:
      - targets: ['$app']
YAML
promtool check config "$TMP/prometheus.yml" >/dev/null 2>&1 || fail "promtool check config"
prometheus --config.file="$TMP/prometheus.yml" --storage.tsdb.path="$TMP/data" \
  --web.listen-address="$prom" --log.level=warn >"$ARTIFACTS/80-prometheus.log" 2>&1 &
PIDS+=($!)
wait_port "$prom" || fail "prometheus did not start"
# promql QUERY OUTFILE: an instant query through the HTTP API.
promql() { curl -s -G "http://$prom/api/v1/query" --data-urlencode "query=$1" >"$2"; }
# The load starts once Prometheus has scraped the app: a rate needs a
# sample from before it.
for _ in $(seq 300); do
  promql 'up{job="quickstart"}' "$TMP/up.json" 2>/dev/null
  grep -q '"value":\[[0-9.]*,"1"\]' "$TMP/up.json" 2>/dev/null && break
  sleep 0.1
done
check "Prometheus scrapes the quickstart (up == 1)" 1 "$(json "j['data']['result'][0]['value'][1]" "$TMP/up.json")"

step "load"
# Load: GET /pets/{id} for 4 s, and a scan of 300 random paths.
end=$((SECONDS + 4)); n=0
while [ $SECONDS -lt $end ]; do
  curl -s "http://$app/pets/1" "http://$app/pets/2" "http://$app/pets/3" -o /dev/null -o /dev/null -o /dev/null; n=$((n + 3))
done
for i in $(seq 300); do echo "url = \"http://$app/scan-$RANDOM$RANDOM/$i\""; echo "output = /dev/null"; done >"$TMP/scan.curl"
curl -s -K "$TMP/scan.curl"
echo "     load: $n requests to GET /pets/{id}, 300 random 404 paths"

step "query"
q='sum by (route) (rate(hyperlane_http_requests_total{job="quickstart",method="GET",route="/pets/{id}"}[1m]))'
rate="?"
for _ in $(seq 100); do # the scrapes after the load
  promql "$q" "$TMP/rate.json"
  grep -q '"value":\[[0-9.]*,"0"\]' "$TMP/rate.json" || break
  sleep 0.2
done
rate=$(json "j['data']['result'][0]['value'][1] if j['data']['result'] else '0'" "$TMP/rate.json")
route=$(json "j['data']['result'][0]['metric'].get('route','') if j['data']['result'] else ''" "$TMP/rate.json")
if [ "$route" == "/pets/{id}" ] && python3 -c "import sys; sys.exit(0 if float('$rate') > 0 else 1)" 2>/dev/null; then
  ok "PromQL rate of GET /pets/{id} by route through Prometheus: $(printf '%.1f' "$rate") req/s"
else fail "PromQL $q: $(cat "$TMP/rate.json")"; fi

promql 'count(hyperlane_http_requests_total{job="quickstart",route=~".*scan.*"}) or vector(0)' "$TMP/scan.json"
check "the random-path scan added no route series" 0 "$(json "j['data']['result'][0]['value'][1]" "$TMP/scan.json")"
promql 'sum(hyperlane_http_requests_total{job="quickstart",route="unmatched"})' "$TMP/unmatched.json"
unmatched=$(json "int(float(j['data']['result'][0]['value'][1])) if j['data']['result'] else 0" "$TMP/unmatched.json")
if [ "$unmatched" != "?" ] && [ "$unmatched" -ge 300 ]; then ok "the scan is counted under route=\"unmatched\" ($unmatched)"
else fail "unmatched requests counted: $unmatched, want >= 300"; fi
promql 'hyperlane_connections_open{job="quickstart"}' "$TMP/open.json"
check "Prometheus sees the connection gauge" 1 "$(json "len(j['data']['result'])" "$TMP/open.json")"

step "traces"
# --- traces
trace=4bf92f3577b34da6a3ce929d0e0e4736 parent=00f067aa0ba902b7
curl -s -D "$TMP/headers.txt" -o /dev/null -H "traceparent: 00-$trace-$parent-01" -H "X-Request-Id: e2e-obs-1" "http://$app/pets/1"
check_contains "the response carries the request span's traceparent" "traceparent: 00-$trace-" "$(tr -d '\r' <"$TMP/headers.txt" | tr 'A-Z' 'a-z')"
curl -s -o /dev/null "http://$app/events?n=2&interval=10ms"
# A WebSocket session through npm's ws client: three messages echoed,
# then a normal close.
(cd "$E2E_DIR" && node --input-type=module -e '
import WebSocket from "ws";
const ws = new WebSocket(process.argv[1]);
let echoed = 0;
const guard = setTimeout(() => { console.error("no echo"); process.exit(1); }, 10000);
ws.on("open", () => { for (const m of ["a", "b", "c"]) ws.send(m); });
ws.on("message", () => { if (++echoed === 3) ws.close(1000, "bye"); });
ws.on("close", () => { clearTimeout(guard); process.exit(echoed === 3 ? 0 : 1); });
ws.on("error", (e) => { console.error(e.message); process.exit(1); });
' "ws://$app/ws") && ok "a WebSocket client had three messages echoed on /ws" || fail "the WebSocket session on /ws"
for _ in $(seq 100); do # the exporter sends every 200 ms
  grep -q '"name":"sse /events"' "$SPANS" && grep -q '"name":"websocket /ws"' "$SPANS" &&
    grep -q "\"trace_id\":\"$trace\"" "$SPANS" && break
  sleep 0.1
done
python3 - "$SPANS" "$trace" "$parent" <<'PY' >"$TMP/span-checks.txt"
import json, sys
spans = [json.loads(l) for l in open(sys.argv[1])]
trace, parent = sys.argv[2], sys.argv[3]
def check(name, ok, detail=""):
    print(("ok" if ok else "FAIL") + " " + name + ("" if ok else ": " + detail))
req = [s for s in spans if s["trace_id"] == trace and s["name"] == "GET /pets/{id}"]
check("otlpreceiver got the span of the traced request, named by route", len(req) == 1, str([s["name"] for s in spans])[:300])
if req:
    s = req[0]; a = s["attributes"]
    check("its parent is the caller's span (W3C traceparent in)", s["parent_span_id"] == parent, s["parent_span_id"])
    check("it is a server span of service quickstart-e2e", s["kind"] == "SPAN_KIND_SERVER" and s["service"] == "quickstart-e2e", s["kind"] + " " + s["service"])
    want = {"http.route": "/pets/{id}", "http.request.method": "GET", "http.response.status_code": "200",
            "url.path": "/pets/1", "hyperlane.operation_id": "getPet", "hyperlane.request_id": "e2e-obs-1"}
    bad = {k: a.get(k) for k, v in want.items() if a.get(k) != v}
    check("its attributes: route, method, status, path, operationId, request id", not bad, str(bad))
sse = [s for s in spans if s["name"] == "sse /events"]
check("the event stream has its own span counting the 3 events sent (2 counts, then done)",
      len(sse) == 1 and sse[0]["attributes"].get("hyperlane.stream.messages_sent") == "3", str(sse)[:300])
ws = [s for s in spans if s["name"] == "websocket /ws"]
check("the WebSocket session has its own span counting 3 messages each way",
      len(ws) == 1 and ws[0]["attributes"].get("hyperlane.stream.messages_received") == "3"
      and ws[0]["attributes"].get("hyperlane.stream.messages_sent") == "3"
      and int(ws[0]["end_unix_nano"]) > int(ws[0]["start_unix_nano"]), str(ws)[:400])
PY
while read -r verdict rest; do # one line per check, counted as lib.sh's ok and fail do
  if [ "$verdict" == ok ]; then ok "$rest"; else fail "$rest"; fi
done <"$TMP/span-checks.txt"
[ -s "$TMP/span-checks.txt" ] || fail "the span checks did not run"
finish
