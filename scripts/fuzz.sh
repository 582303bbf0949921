#!/usr/bin/env bash
# make fuzz: runs every Go fuzz target in the module for a bounded time
# each (default 30s; CI passes 10s). A crash is saved by go test under the
# package's testdata/fuzz and fails the run: commit it as a regression seed.
#
# Go's fuzzing coordinator (before go1.27, golang/go#75804) can fail a
# target with a bare "context deadline exceeded" as -fuzztime ends, having
# found nothing and written no input. Such a run is retried, at most twice,
# and said so; a run that wrote a failing input or failed any other way
# fails at once.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime=${1:-30s}
status=0
out=$(mktemp); trap 'rm -f "$out"' EXIT
while IFS= read -r line; do
  file=${line%%:*}
  name=$(sed -E 's/^.*func (Fuzz[A-Za-z0-9_]+).*/\1/' <<<"$line")
  # go test runs in the module that holds the package (examples/ is its own).
  mod=$(dirname "$file"); while [ ! -f "$mod/go.mod" ] && [ "$mod" != . ]; do mod=$(dirname "$mod"); done
  pkg="./$(realpath --relative-to="$mod" "$(dirname "$file")")"
  echo "=== fuzz ./$(dirname "$file") $name ($fuzztime)"
  for try in 1 2 3; do
    rc=0
    (cd "$mod" && go test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" "$pkg") >"$out" 2>&1 || rc=$?
    if [ "$rc" -eq 0 ]; then tail -3 "$out"; break; fi
    if [ "$try" -lt 3 ] && grep -q 'context deadline exceeded' "$out" && ! grep -q 'Failing input written to' "$out"; then
      echo "fuzz $name: go's coordinator ended the run with a bare deadline error, no input written (golang/go#75804); retry $try"
      continue
    fi
    cat "$out"; status=1; break
  done
done < <(grep -rn --include='*_test.go' -E '^func Fuzz[A-Za-z0-9_]+\(f \*testing\.F\)' hyperlane openapi adapter cli examples 2>/dev/null)
exit $status
