#!/usr/bin/env bash
# Core routes of examples/quickstart with curl (HTTP/1.1, and HTTP/2 over
# TLS with a certificate made now), then a 5-second wrk smoke run.
source "$(dirname "$0")/../lib.sh"

addr="127.0.0.1:$(free_port)"
start_app quickstart "$addr"
base="http://$addr"

# status URL [curl args...]: prints the status code only.
status() { local u=$1; shift; curl -s -o /dev/null -w '%{http_code}' "$@" "$u"; }

body=$(curl -s -D "$ARTIFACTS/core-root.headers" "$base/")
check "GET / body" "Hello hyperlane => /" "$body"
headers=$(tr -d '\r' < "$ARTIFACTS/core-root.headers")
check_contains "GET / Server header" "Server: hyperlane" "$headers"
check_contains "GET / X-Request-Id header" "X-Request-Id: " "$headers"
check_contains "GET / Content-Length" "Content-Length: 20" "$headers"

check "GET /users/42" '{"id":"42"}' "$(curl -s "$base/users/42")"
check "GET /users/abc is 404" 404 "$(status "$base/users/abc")"
check_contains "404 is problem+json" "application/problem+json" "$(curl -s -o /dev/null -w '%{content_type}' "$base/users/abc")"

check "GET /files/hello.txt" "Hello from an embedded file." "$(curl -s "$base/files/hello.txt")"
check "Range on a file is 206" 206 "$(status "$base/files/hello.txt" -H 'Range: bytes=0-4')"
check "Range body" "Hello" "$(curl -s -H 'Range: bytes=0-4' "$base/files/hello.txt")"
check "a file with a trailing slash is 404" 404 "$(status "$base/files/hello.txt/")"
etag=$(curl -s -D - -o /dev/null "$base/files/hello.txt" | tr -d '\r' | awk -F': ' 'tolower($1)=="etag"{print $2}')
[ -n "$etag" ] && ok "file has an ETag ($etag)" || fail "file has no ETag"
check "If-None-Match is 304" 304 "$(status "$base/files/hello.txt" -H "If-None-Match: $etag")"
check "dot-dot escape is 404" 404 "$(status "$base/files/../go.mod" --path-as-is)"
check "encoded dot-dot escape is 404" 404 "$(status "$base/files/%2e%2e/go.mod" --path-as-is)"
check "encoded slash escape is 404" 404 "$(status "$base/files/..%2fgo.mod" --path-as-is)"

check "GET /old is 301" 301 "$(status "$base/old")"
check "GET /old Location" "/" "$(curl -s -o /dev/null -w '%{redirect_url}' "$base/old" | sed "s#$base##")"

check "POST /echo echoes JSON" '{"a":[1,2,3],"b":"x"}' \
  "$(curl -s -H 'Content-Type: application/json' -d '{"a":[1,2,3],"b":"x"}' "$base/echo")"
check "POST /echo invalid JSON is 400" 400 \
  "$(status "$base/echo" -H 'Content-Type: application/json' -d '{"a":')"
check_contains "400 names the problem" "malformed JSON" \
  "$(curl -s -H 'Content-Type: application/json' -d '{"a":' "$base/echo")"
head -c $((1024 * 1024 + 10)) /dev/zero | tr '\0' 'a' | sed 's/^/"/; s/$/"/' > "$ARTIFACTS/big.json"
check "POST /echo over 1 MiB is 413" 413 \
  "$(status "$base/echo" -H 'Content-Type: application/json' --data-binary "@$ARTIFACTS/big.json")"

health=$(curl -s "$base/health")
for key in '"status":"ok"' '"uptime_seconds":' '"goroutines":'; do
  check_contains "health has $key" "$key" "$health"
done

# /panic answers 500 and the same keep-alive connection serves the next one.
out=$(curl -s -o /dev/null -o /dev/null -w '%{http_code} %{num_connects}\n' "$base/panic" "$base/")
check "panic then next request on one connection" "500 1
200 0" "$out"

# HTTP/2 over TLS with a self-signed certificate made for this run.
tls_dir=$(mktemp -d)
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
  -subj /CN=localhost -addext subjectAltName=IP:127.0.0.1,DNS:localhost \
  -keyout "$tls_dir/key.pem" -out "$tls_dir/cert.pem" 2>/dev/null
taddr="127.0.0.1:$(free_port)"
HYPERLANE_TLS_CERT_FILE="$tls_dir/cert.pem" HYPERLANE_TLS_KEY_FILE="$tls_dir/key.pem" start_app quickstart "$taddr"
check "HTTP/2 over TLS" "2 200" \
  "$(curl -s --http2 --cacert "$tls_dir/cert.pem" -o /dev/null -w '%{http_version} %{http_code}' "https://$taddr/")"
check "HTTP/2 body" "Hello hyperlane => /" "$(curl -s --http2 --cacert "$tls_dir/cert.pem" "https://$taddr/")"
check "HTTP/2 param route" '{"id":"7"}' "$(curl -s --http2 --cacert "$tls_dir/cert.pem" "https://$taddr/users/7")"
check "HTTP/1.1 over TLS" "1.1" "$(curl -s --http1.1 --cacert "$tls_dir/cert.pem" -o /dev/null -w '%{http_version}' "https://$taddr/")"

# A 5-second wrk smoke run: no socket errors, no non-2xx answers.
wrk -t1 -c16 -d5s "$base/" > "$ARTIFACTS/core-wrk.txt" 2>&1
cat "$ARTIFACTS/core-wrk.txt"
if grep -qE 'Socket errors|Non-2xx' "$ARTIFACTS/core-wrk.txt"; then fail "wrk smoke had errors"; else ok "wrk smoke: 0 errors"; fi
grep -q 'Requests/sec' "$ARTIFACTS/core-wrk.txt" && ok "wrk ran" || fail "wrk did not run"
finish
