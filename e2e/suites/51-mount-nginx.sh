#!/usr/bin/env bash
# The quickstart behind nginx (Debian's), which serves it under /api/ with
# proxy_pass to the app's root and names the stripped prefix in
# X-Forwarded-Prefix; the app trusts the proxy through
# HYPERLANE_TRUSTED_PROXIES. With curl: a route, the documents' servers,
# the Swagger UI and RapiDoc pages, a redirect's Location and a problem's
# instance all carry /api; a client's own X-Forwarded-Prefix changes
# nothing. Then Swagger UI renders and calls the API in Chromium.
source "$(dirname "$0")/../lib.sh"

command -v nginx >/dev/null || { fail "nginx is not installed: run e2e/setup.sh"; finish; exit; }
tmp=$(mktemp -d)
trap 'cleanup; rm -rf "$tmp"' EXIT

app="127.0.0.1:$(free_port)"
HYPERLANE_TRUSTED_PROXIES=127.0.0.1/32 start_app quickstart "$app"

port=$(free_port)
mkdir -p "$tmp"/{client,proxy,fastcgi,uwsgi,scgi}
cat >"$tmp/nginx.conf" <<CONF
daemon off;
worker_processes 1;
pid $tmp/nginx.pid;
error_log $tmp/error.log warn;
events { worker_connections 64; }
http {
  access_log $tmp/access.log;
  client_body_temp_path $tmp/client;
  proxy_temp_path $tmp/proxy;
  fastcgi_temp_path $tmp/fastcgi;
  uwsgi_temp_path $tmp/uwsgi;
  scgi_temp_path $tmp/scgi;
  server {
    listen 127.0.0.1:$port;
    location /api/ {
      proxy_pass http://$app/;
      proxy_set_header X-Forwarded-Prefix /api;
    }
  }
}
CONF
nginx -t -q -p "$tmp" -c "$tmp/nginx.conf" -e "$tmp/error.log" || { fail "nginx rejects the config"; finish; exit; }
nginx -p "$tmp" -c "$tmp/nginx.conf" -e "$tmp/error.log" &
PIDS+=($!)
wait_port "127.0.0.1:$port" || { fail "nginx did not start"; cat "$tmp/error.log"; finish; exit; }
base="http://127.0.0.1:$port"

check_contains "GET /api/pets through nginx" '"items":' "$(curl -s "$base/api/pets")"
check_contains "the 3.1 document's server is /api" '"url": "/api"' "$(curl -s "$base/api/openapi.json")"
check_contains "the 3.0 document's server is /api" '"url": "/api"' "$(curl -s "$base/api/openapi-3.0.json")"
swagger=$(curl -s "$base/api/swagger")
check_contains "/api/swagger loads /api/openapi.json" '"/api/openapi.json"' "$swagger"
asset=$(grep -o 'src="/api/swagger/[^"]*"' <<<"$swagger" | head -1 | cut -d'"' -f2 || true)
check "/api/swagger's script ($asset) loads through nginx" 200 \
  "$(curl -s -o /dev/null -w '%{http_code}' "$base$asset")"
check_contains "/api/rapidoc loads /api/openapi.json" 'spec-url="/api/openapi.json"' "$(curl -s "$base/api/rapidoc")"
check_contains "a redirect's Location keeps /api" "Location: /api/" "$(curl -s -D - -o /dev/null "$base/api/old" | tr -d '\r')"
check_contains "a problem's instance keeps /api" '"instance":"/api/pets/999"' "$(curl -s "$base/api/pets/999")"
check_contains "a client's own X-Forwarded-Prefix is replaced by nginx's" "Location: /api/" \
  "$(curl -s -D - -o /dev/null -H 'X-Forwarded-Prefix: //evil.com' "$base/api/old" | tr -d '\r')"

out=$(node "$E2E_DIR/js/nginx-swagger.mjs" "$base" 2>&1) || true
echo "$out"
FAILS=$((FAILS + $(grep -c '^FAIL' <<<"$out" || true)))
grep -q '^ok   no script errors' <<<"$out" || fail "the Chromium check did not finish"
finish
