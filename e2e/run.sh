#!/usr/bin/env bash
# make e2e: install the outside tools, build the apps, run every suite in
# e2e/suites in name order, and end with one "N passed, N failed" line.
# A suite that cannot run its tool fails; nothing is skipped silently.
set -euo pipefail
cd "$(dirname "$0")"
bash ./setup.sh
passed=0 failed=0 failures=()
for suite in suites/*.sh; do
  name=$(basename "$suite" .sh)
  echo "=== e2e suite: $name"
  start=$(date +%s)
  if bash "$suite"; then
    passed=$((passed + 1)); echo "--- PASS: $name ($(( $(date +%s) - start ))s)"
  else
    failed=$((failed + 1)); failures+=("$name"); echo "--- FAIL: $name ($(( $(date +%s) - start ))s)"
  fi
done
echo
[ ${#failures[@]} -eq 0 ] || echo "failed suites: ${failures[*]}"
echo "e2e: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
