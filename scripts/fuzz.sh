#!/usr/bin/env bash
# make fuzz: runs every Go fuzz target in the module for a bounded time
# each (default 30s; CI passes 10s). A crash is saved by go test under the
# package's testdata/fuzz and fails the run: commit it as a regression seed.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime=${1:-30s}
status=0
while IFS= read -r line; do
  file=${line%%:*}
  name=$(sed -E 's/^.*func (Fuzz[A-Za-z0-9_]+).*/\1/' <<<"$line")
  # go test runs in the module that holds the package (examples/ is its own).
  mod=$(dirname "$file"); while [ ! -f "$mod/go.mod" ] && [ "$mod" != . ]; do mod=$(dirname "$mod"); done
  pkg="./$(realpath --relative-to="$mod" "$(dirname "$file")")"
  echo "=== fuzz ./$(dirname "$file") $name ($fuzztime)"
  if ! (cd "$mod" && go test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" "$pkg") 2>&1 | tail -3; then status=1; fi
done < <(grep -rn --include='*_test.go' -E '^func Fuzz[A-Za-z0-9_]+\(f \*testing\.F\)' hyperlane openapi adapter cli examples 2>/dev/null)
exit $status
