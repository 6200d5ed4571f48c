#!/bin/bash
# session 12 quiet-machine simulator runs: before (7b18ba5, before the traffic model: issue 16's "today"), start
# (ea7cb84, this session's start), end (this session's final main). Default run (1M connections, 1 thread): 10
# rounds, the order of before/end swapped every round, start in rounds 1-5; 10M connections on 2 threads, 3 rounds
# each of before and end, alternated; then the outputs of the default run compared byte for byte, start against end.
set -u
W=/tmp/s12/sim; R=${R:-/work/main/results/2026-12-07-simulator/session12}
mkdir -p $R $W
jar() { case $1 in before) echo /tmp/s10/sim-before.jar;; *) echo /tmp/s12/sim-$1.jar;; esac; }
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
for n in 1 2 3 4 5 6 7 8 9 10; do
  if [ $((n % 2)) = 1 ]; then run before $n; run end $n; else run end $n; run before $n; fi
  [ $n -le 5 ] && run start $n
done
echo "== $(date +%T) 10M connections (--connections 10000000 --rate 100000 --clients 512), 2 threads, -Xmx16g, alternated"
JOPT=-Xmx16g
for n in 1 2 3; do
  if [ $((n % 2)) = 1 ]; then o="before end"; else o="end before"; fi
  for j in $o; do run $j 10m2-$n --connections 10000000 --rate 100000 --clients 512 --threads 2; done
done
echo "== $(date +%T) outputs, start against end (default run, round 1): files whose bytes differ, then the differing lines"
for f in summary.txt summary.csv summary.json timeseries.csv; do cmp -s $W/run-start-1/$f $W/run-end-1/$f && echo "end $f identical" || { echo "end $f differs:"; diff $W/run-start-1/$f $W/run-end-1/$f | grep -E "^[<>]" | head -8; }; done
echo "== $(date +%T) done"
} 2>&1 | tee $R/speed.txt
