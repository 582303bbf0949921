#!/usr/bin/env bash
# Installs what the e2e suites need, idempotently: Debian packages, the
# pinned npm packages (npm ci), the pinned doc UIs (make ui-assets) and
# the app binaries under e2e/bin.
set -euo pipefail
cd "$(dirname "$0")"
need=()
for pkg in curl wrk chromium openssl slowhttptest sslscan nginx redis-server prometheus; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: apt-get install ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi
echo "setup: make ui-assets (RapiDoc, pinned and checksum-verified)"
make -s -C .. ui-assets
mkdir -p bin artifacts
if [ ! -x bin/nats-server ]; then
  echo "setup: go install nats-server (the cluster suite's NATS broker)"
  GOBIN=$PWD/bin go install github.com/nats-io/nats-server/v2@v2.15.3
fi
echo "setup: building example binaries"
(cd ../examples && go build -o ../e2e/bin/ ./...)
