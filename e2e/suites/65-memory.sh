#!/usr/bin/env bash
# Memory of typed operations (issue 11): eight concurrent 8 MiB bodies
# with escaped strings to POST /pets of the quickstart binary, with the
# API key, must keep the server's peak RSS (VmHWM in /proc/PID/status)
# under 300 MB. Two shapes, each against a fresh server so that each peak
# is its own:
#  - escaped-array: a valid pet whose unknown key holds an array of about
#    a million escaped strings (201): encoding/json's tree of it in any
#    took ~14x the body, 685 MB for eight before the fix;
#  - escaped-name: a name of 8 MiB that starts with an escape and fails
#    maxLength (422).
source "$(dirname "$0")/../lib.sh"
SUMMARY="$ARTIFACTS/summary-65-memory.txt" # figures for docs/security.md
: >"$SUMMARY"
limit_kb=$((300 * 1000))
size=$((8 * 1024 * 1024 - 64)) # under the default 8 MiB body limit

# body KIND FILE: writes an 8 MiB JSON body of that shape.
body() {
  python3 - "$1" "$size" >"$2" <<'EOF'
import sys
kind, n = sys.argv[1], int(sys.argv[2])
if kind == "escaped-array":
    head, item, tail = '{"name":"Rex","tags":[', '"\\u0041",', '"x"]}'
    sys.stdout.write(head + item * ((n - len(head) - len(tail)) // len(item)) + tail)
else:
    head, tail = '{"name":"\\u0041', '"}'
    sys.stdout.write(head + "a" * (n - len(head) - len(tail)) + tail)
EOF
}

for shape in "escaped-array|201" "escaped-name|422"; do
  IFS='|' read -r kind want <<<"$shape"
  file="$ARTIFACTS/memory-$kind.json"
  body "$kind" "$file"
  addr="127.0.0.1:$(free_port)"
  start_app quickstart "$addr"
  pid=${PIDS[-1]}
  before=$(awk '/^VmHWM/ {print $2}' "/proc/$pid/status")
  curls=()
  for i in $(seq 8); do
    curl -s -o /dev/null -w '%{http_code}\n' --max-time 60 -H 'X-API-Key: hyperlane-demo-key' \
      -H 'Content-Type: application/json' --data-binary "@$file" "http://$addr/pets" >"$ARTIFACTS/memory-$kind.$i.code" &
    curls+=($!)
  done
  wait "${curls[@]}" || true
  codes=$(sort -u "$ARTIFACTS"/memory-"$kind".*.code | tr '\n' ' ')
  check "eight $kind bodies of $size bytes answer $want" "$want " "$codes"
  peak=$(awk '/^VmHWM/ {print $2}' "/proc/$pid/status")
  line="$kind: 8 x $size bytes, peak RSS $((peak / 1024)) MiB ($peak kB; $before kB at start)"
  echo "$line" | tee -a "$SUMMARY"
  if [ "$peak" -lt "$limit_kb" ]; then ok "$kind: peak RSS under 300 MB"; else fail "$kind: peak RSS $peak kB, want under $limit_kb kB"; fi
  kill "$pid" 2>/dev/null || true
  rm -f "$file" "$ARTIFACTS"/memory-"$kind".*.code
done
finish
