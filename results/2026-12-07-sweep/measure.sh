#!/usr/bin/env bash
# The sweep against compare on the same grid, as CPU seconds (user + system, children included) and wall time:
# start-up alone (a 1-run grid), then the 500-run grid of measurement.txt (5 strategies x 10 seeds x 10 loss
# rates, 20,000 connections a run; compare's 30 check runs on the driver in both), then `cmp` of the two
# compare.csv files. Run it on a quiet machine from the repository's root, after
#   mvn -B -pl sweep -am package -DskipTests
#
# Usage: results/2026-12-07-sweep/measure.sh [OUT]        (OUT: a scratch directory, default /tmp/sweep-measure)
# Environment, all optional:
#   SEEDS=1,2,3,4,5,6,7,8,9,10  CONNECTIONS=20000   a smaller grid for a quick look (SEEDS=1,2: 100 runs)
#   SIM_JAR, SWEEP_JAR          the jars (default: this checkout's), e.g. an older build's sweep to compare with
#   SWEEP_ARGS                  more sweep options, e.g. '--runs-per-task 1' (a task a run, as before batching)
#   SKIP_COMPARE=1              time the sweep only (compare's figures from an earlier run in OUT are kept)
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"
SIM_JAR=${SIM_JAR:-simulator/target/escapement-simulator.jar}
SWEEP_JAR=${SWEEP_JAR:-sweep/target/escapement-sweep.jar}
SEEDS=${SEEDS:-1,2,3,4,5,6,7,8,9,10}
CONNECTIONS=${CONNECTIONS:-20000}
read -r -a MORE <<< "${SWEEP_ARGS:-}"
OUT=${1:-/tmp/sweep-measure}
mkdir -p "$OUT"
rm -rf "$OUT/sweep" "$OUT/runs" "$OUT/startup-sweep" "$OUT/startup-runs"

GRID=(--strategies 'linux;rfc793;fixed;quic;eifel:min=200ms' --seeds "$SEEDS"
      --sweep loss=0,0.005,0.01,0.02,0.03,0.05,0.07,0.1,0.15,0.2 --connections "$CONNECTIONS" --progress false)
ONE=(--strategies rfc6298 --seeds 1 --sweep loss=0 --connections 100 --timeline 5s --progress false)

# timed NAME COMMAND...: runs it, its output in OUT/NAME.log, and prints its CPU and wall seconds
timed() {
  local name=$1; shift
  /usr/bin/time -o "$OUT/$name.time" -f '%U %S %e' "$@" > "$OUT/$name.log" 2>&1 || { tail "$OUT/$name.log"; exit 1; }
  report "$name"
}
report() {
  awk -v n="$1" '{printf "%-16s cpu %8.2f s (user %.2f, sys %.2f)   wall %8.2f s\n", n, $1 + $2, $1, $2, $3}' \
    "$OUT/$1.time"
}

echo "== start-up: a 1-run grid (100 connections) =="
if [ -z "${SKIP_COMPARE:-}" ]; then
  rm -rf "$OUT/startup-compare"
  timed startup-compare java -jar "$SIM_JAR" compare "${ONE[@]}" --parallel 2 --out "$OUT/startup-compare"
else
  report startup-compare
fi
timed startup-sweep java -jar "$SWEEP_JAR" "${ONE[@]}" --master 'local[2]' ${MORE[@]+"${MORE[@]}"} --out "$OUT/startup-sweep" \
  --results "$OUT/startup-runs"

echo "== the grid: seeds $SEEDS, $CONNECTIONS connections a run =="
if [ -z "${SKIP_COMPARE:-}" ]; then
  rm -rf "$OUT/compare"
  timed compare java -jar "$SIM_JAR" compare "${GRID[@]}" --parallel 2 --out "$OUT/compare"
else
  report compare
fi
timed sweep java -jar "$SWEEP_JAR" "${GRID[@]}" --master 'local[2]' ${MORE[@]+"${MORE[@]}"} --out "$OUT/sweep" --results "$OUT/runs"
cmp "$OUT/compare/compare.csv" "$OUT/sweep/compare.csv"
echo "compare.csv identical ($(($(wc -l < "$OUT/sweep/compare.csv") - 1)) runs)"

# the overheads: wall (the issue's target, at most 20%) and CPU, whole and net of start-up
read -r cu cs ce < "$OUT/compare.time"; read -r su ss se < "$OUT/sweep.time"
read -r pu ps pe < "$OUT/startup-compare.time"; read -r qu qs qe < "$OUT/startup-sweep.time"
awk -v cc="$(echo "$cu $cs" | awk '{print $1 + $2}')" -v sc="$(echo "$su $ss" | awk '{print $1 + $2}')" \
    -v ce="$ce" -v se="$se" -v pc="$(echo "$pu $ps" | awk '{print $1 + $2}')" \
    -v qc="$(echo "$qu $qs" | awk '{print $1 + $2}')" 'BEGIN {
  printf "overhead, wall:                  %+.1f%% (%.2f s against %.2f s)\n", 100 * (se / ce - 1), se, ce
  printf "overhead, CPU:                   %+.1f%% (%.2f s against %.2f s)\n", 100 * (sc / cc - 1), sc, cc
  printf "start-up, CPU:                   sweep %.2f s, compare %.2f s (difference %.2f s)\n", qc, pc, qc - pc
  printf "overhead, CPU net of start-up:   %+.1f%%\n", 100 * ((sc - qc) / (cc - pc) - 1)
}'
