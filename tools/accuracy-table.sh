#!/usr/bin/env bash
# Markdown table (strategy x width) of the measured accuracies in a `poq sweep --accuracy measured`
# CSV: "top-1 % (95 % Wilson interval)", strategies in the CSV's order.
#   tools/accuracy-table.sh resources/models/experiment.csv
set -euo pipefail
[ $# -eq 1 ] && [ -f "$1" ] || { echo "usage: tools/accuracy-table.sh SWEEP.csv" >&2; exit 2; }
awk -F, '
NR == 1 { for (i = 1; i <= NF; ++i) col[$i] = i; next }
{
  w = $col["width"]; s = $col["strategy"]
  if (!(w in seenW)) { seenW[w] = 1; widths[++nw] = w }
  if (!(s in seenS)) { seenS[s] = 1; strategies[++ns] = s }
  a = $col["accuracy"]
  cell[s, w] = a == "" ? "—" : sprintf("%.2f (%.2f–%.2f)", 100 * a, 100 * $col["accuracy_lo"], 100 * $col["accuracy_hi"])
}
END {
  # widths ascending
  for (i = 1; i <= nw; ++i) for (j = i + 1; j <= nw; ++j) if (widths[j] + 0 < widths[i] + 0) { t = widths[i]; widths[i] = widths[j]; widths[j] = t }
  printf "| strategy |"; for (i = 1; i <= nw; ++i) printf " w%s |", widths[i]; print ""
  printf "|---|"; for (i = 1; i <= nw; ++i) printf "---|"; print ""
  for (k = 1; k <= ns; ++k) {
    printf "| %s |", strategies[k]
    for (i = 1; i <= nw; ++i) printf " %s |", ((strategies[k], widths[i]) in cell) ? cell[strategies[k], widths[i]] : "—"
    print ""
  }
}' "$1"
