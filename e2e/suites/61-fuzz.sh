#!/usr/bin/env bash
# Every Go fuzz target of the library (scripts/fuzz.sh, what `make fuzz`
# runs) for FUZZTIME each, 10 s by default as CI runs them: route
# patterns and matching, the static file resolver, problem+json, the SSE
# encoder, the typed-operation binder and its query lookup, the schema
# checks. A crash fails the suite; go test saves the input under the
# package's testdata/fuzz, to be committed as a regression seed.
source "$(dirname "$0")/../lib.sh"
SUMMARY="$ARTIFACTS/summary-61-fuzz.txt" # figures for docs/security.md
: >"$SUMMARY"
fuzztime=${FUZZTIME:-10s}
log="$ARTIFACTS/fuzz.log"

corpus() { (cd "$E2E_DIR/.." && find hyperlane openapi adapter cli examples -path '*/testdata/fuzz/*' -type f 2>/dev/null | sort); }
before=$(corpus)
rc=0
(cd "$E2E_DIR/.." && bash scripts/fuzz.sh "$fuzztime") >"$log" 2>&1 || rc=$?

# Each target: "=== fuzz ./pkg FuzzName (10s)" then the last lines of go
# test, the fuzzer's "execs: N" among them, and "ok" or "FAIL".
targets=0 total_execs=0
while IFS=$'\t' read -r name execs verdict; do
  targets=$((targets + 1))
  total_execs=$((total_execs + execs))
  if [ "$verdict" = ok ]; then ok "fuzz $name: $execs executions, no failure"; else fail "fuzz $name: $verdict (see $log)"; fi
  echo "fuzz $name: $execs executions in $fuzztime, $verdict" >>"$SUMMARY"
done < <(awk '
  /^=== fuzz / { if (name != "") print name "\t" execs + 0 "\t" verdict; name = $3 " " $4; execs = 0; verdict = "FAIL" ; next }
  /execs: / { for (i = 1; i <= NF; i++) if ($i == "execs:") { v = $(i + 1); gsub(/,/, "", v); execs = v } }
  /^ok / { verdict = "ok" }
  END { if (name != "") print name "\t" execs + 0 "\t" verdict }' "$log")

retries=$(grep -c "no input written (golang/go#75804); retry" "$log" || true)
[ "$retries" -eq 0 ] || echo "     $retries run(s) retried after Go's bare fuzztime deadline error (no input written): $(grep -o 'fuzz Fuzz[A-Za-z0-9_]*: go' "$log" | cut -d' ' -f2 | tr -d : | tr '\n' ' ')"
[ "$targets" -ge 9 ] || fail "only $targets fuzz targets ran; expected at least 9 (see $log)"
[ "$rc" -eq 0 ] || fail "scripts/fuzz.sh exited with $rc"
new=$(comm -13 <(echo "$before") <(corpus))
check "no new crasher saved under testdata/fuzz" "" "$new"
for f in $new; do # show why, with the command that replays it
  target=$(basename "$(dirname "$f")") pkg=./${f%%/testdata/*}
  dir="$E2E_DIR/.."
  case $pkg in ./examples/*) dir="$dir/examples" pkg=./${pkg#./examples/} ;; esac # its own module
  echo "     replay: (cd ${dir#"$E2E_DIR/"} && go test -run '$target/$(basename "$f")' $pkg)"
  (cd "$dir" && go test -count=1 -run "$target/$(basename "$f")" "$pkg" 2>&1 | grep -E '_test.go|panic' | head -5)
done
ok "fuzz: $targets targets, $total_execs executions in all"
finish
