#!/usr/bin/env bash
# gosec, pinned, over the library packages (core, middleware, adapter,
# openapi, cli; not tests, examples or e2e): no finding may be left. A
# finding that is not a defect carries a `// #nosec Gxxx -- reason`
# comment where it occurs; the suite lists them all so that every
# suppression and its reason can be read in one place.
source "$(dirname "$0")/../lib.sh"
SUMMARY="$ARTIFACTS/summary-64-gosec.txt" # figures for docs/security.md
: >"$SUMMARY"
GOSEC_MODULE="github.com/securego/gosec/v2/cmd/gosec@v2.22.4"

if [ ! -x "$BIN/gosec" ]; then
  echo "installing $GOSEC_MODULE"
  GOBIN="$BIN" go install "$GOSEC_MODULE" >"$ARTIFACTS/gosec-install.log" 2>&1 ||
    { fail "go install $GOSEC_MODULE; see $ARTIFACTS/gosec-install.log"; finish; exit; }
fi
report="$ARTIFACTS/gosec.json"
rc=0
(cd "$E2E_DIR/.." && "$BIN/gosec" -quiet -fmt json -out "$report" -track-suppressions \
  ./hyperlane/... ./adapter/... ./openapi/... ./cli/...) >"$ARTIFACTS/gosec.log" 2>&1 || rc=$?
if [ ! -s "$report" ]; then
  fail "gosec wrote no report (exit $rc); see $ARTIFACTS/gosec.log"
  finish
  exit
fi
read -r files lines nosec issues < <(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
s = d.get("Stats", {})
print(s.get("files", 0), s.get("lines", 0), s.get("nosec", 0), len(d.get("Issues") or []))' "$report")
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
for i in d.get("Issues") or []:
    if not i.get("suppressions"):
        print("FAIL gosec %s %s:%s %s" % (i["rule_id"], i["file"].split("/work/main/")[-1], i["line"], i["details"]))' "$report"
unexplained=$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(sum(1 for i in d.get("Issues") or [] if not i.get("suppressions")))' "$report")
check "gosec: findings without a fix or a reasoned #nosec" 0 "$unexplained"
# Every suppression in the library states its reason after "--".
bare=$(cd "$E2E_DIR/.." && grep -rn --include='*.go' '#nosec' hyperlane adapter openapi cli | grep -v '_test.go' | grep -v -- '#nosec G[0-9]* -- ' || true)
check "every #nosec names its rule and gives a reason" "" "$bare"
if [ "$unexplained" -eq 0 ]; then
  echo "gosec v2.22.4: $files files, $lines lines, $issues findings all suppressed with a reason ($nosec #nosec), 0 open" >>"$SUMMARY"
  ok "gosec: $files files, $lines lines; $nosec reasoned suppressions; 0 open findings"
fi
(cd "$E2E_DIR/.." && grep -rn --include='*.go' '#nosec' hyperlane adapter openapi cli | grep -v '_test.go' |
  sed -E 's/^([^:]+:[0-9]+):.*#nosec (G[0-9]+) -- (.*)$/     \1 \2: \3/')
finish
