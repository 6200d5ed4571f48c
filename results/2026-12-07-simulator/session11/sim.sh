#!/bin/bash
# session 11 quiet-machine simulator runs: before (7b18ba5, before the traffic model: issue 16's "today"), start
# (a71b656, this session's start), after (this session's main with h-simwheel), cc (after with h-simcc merged, not on main). Default run (1M connections, 1 thread)
# alternated 3 rounds; 10M connections on 2 threads alternated 3 rounds (before, after, cc); then the outputs of the
# default run compared byte for byte between start and after.
set -u
W=/tmp/s11/sim; R=${R:-/work/main/results/2026-12-07-simulator/session11}
mkdir -p $R $W
jar() { case $1 in before) echo /tmp/s10/sim-before.jar;; *) echo /tmp/s11/sim-$1.jar;; esac; }
run() { # jar tag extra...
  local j=$1 tag=$2; shift 2
  local out=$W/run-$j-$tag
  rm -rf $out
  local t; t=$( { /usr/bin/time -f '%U %S %e' java ${JOPT:-} -jar $(jar $j) --out $out --progress false "$@" > $out.txt; } 2>&1 | tail -1)
  printf '%-7s %-10s cpu user/sys/wall %s | %s | %s | %s\n' $j $tag "$t" \
    "$(grep -E 'events per second' $out.txt | awk '{print $NF " ev/s"}')" \
    "$(grep -E '^  wall time' $out.txt | awk '{print $3 " s"}')" \
    "$(grep -E 'bytes per' $out.txt | awk '{print $NF " B/conn"}')"
}
{
echo "== $(date +%T) default run (1M connections, 1 thread), alternated"
for n in 1 2 3; do run before $n; run start $n; run after $n; run cc $n; done
echo "== $(date +%T) 10M connections (--connections 10000000 --rate 100000 --clients 512), 2 threads, -Xmx16g, alternated"
JOPT=-Xmx16g
for n in 1 2 3; do for j in before after cc; do run $j 10m2-$n --connections 10000000 --rate 100000 --clients 512 --threads 2; done; done
echo "== $(date +%T) outputs, start against after (default run, round 1): files whose bytes differ, then the differing lines"
for J in after cc; do for f in summary.txt summary.csv summary.json timeseries.csv; do cmp -s $W/run-start-1/$f $W/run-$J-1/$f && echo "$J $f identical" || { echo "$J $f differs:"; diff $W/run-start-1/$f $W/run-$J-1/$f | grep -E "^[<>]" | head -8; }; done; done
echo "== $(date +%T) done"
} 2>&1 | tee $R/speed.txt
