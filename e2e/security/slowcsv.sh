#!/usr/bin/env bash
# slowcsv.sh FILE.csv TIMEOUT_SECONDS: reads the per-second CSV that
# `slowhttptest -g -o FILE` writes (Seconds,Closed,Pending,Connected,
# Service Available; Closed is cumulative, Connected current) and prints
# one line of key=value figures:
#
#   rows      seconds recorded
#   peak      most connections open at once
#   closed    connections the server closed in all
#   lag       the longest any connection open at second t waited to be
#             counted closed: the smallest d with closed[t+d] >= closed[t]
#             + connected[t], the maximum over every t that has a later
#             row to look at (whole seconds, a bound on the lifetime)
#   unavail   seconds the probe found the service unavailable
#
# and exits 1 when lag > TIMEOUT + 2 or when nothing connected.
set -euo pipefail
csv=$1 timeout=$2
awk -F, -v T="$timeout" '
NR > 1 && $1 ~ /^[0-9]+$/ {
  t = $1 + 0; closed[t] = $2 + 0; conn[t] = $4 + 0; avail[t] = $5 + 0
  if (t > last) last = t
  if (conn[t] > peak) peak = conn[t]
  if (avail[t] == 0) unavail++
  rows++
}
END {
  lag = 0
  for (t = 0; t <= last; t++) {
    if (!(t in conn) || conn[t] == 0) continue
    want = closed[t] + conn[t]
    for (d = 1; t + d <= last; d++) if (closed[t + d] >= want) break
    if (t + d > last) continue          # the run ended first: nothing to judge
    if (d > lag) lag = d
  }
  printf "rows=%d peak=%d closed=%d lag=%d unavail=%d\n", rows, peak, closed[last], lag, unavail + 0
  exit (peak == 0 || lag > T + 2) ? 1 : 0
}' "$csv"
