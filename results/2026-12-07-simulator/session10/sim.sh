#!/bin/bash
# session 10 quiet-machine simulator runs: before (7b18ba5, before the traffic model), start (bcf5241's code, this
# session's start), after (this session's final main). Default run (1M connections, 1 thread) alternated 3 rounds,
# then 10M connections on 2 threads alternated 2 rounds (before, after).
set -u
W=/tmp/s10/sim; R=${R:-/work/main/results/2026-12-07-simulator/session10}
mkdir -p $R $W
jar() { echo /tmp/s10/sim-$1.jar; }
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
for n in 1 2 3; do run before $n; run start $n; run after $n; done
echo "== $(date +%T) 10M connections (--connections 10000000 --rate 100000 --clients 512), 2 threads, -Xmx16g, alternated"
JOPT=-Xmx16g
for n in 1 2; do for j in before after; do run $j 10m2-$n --connections 10000000 --rate 100000 --clients 512 --threads 2; done; done
echo "== $(date +%T) done"
} 2>&1 | tee $R/speed.txt
