#!/bin/bash
# session 9 quiet-machine simulator runs: before (7b18ba5, before the traffic model: /tmp/s8/sim-before.jar), start
# (d23334c, session 9's start: /tmp/s9/sim-start.jar), after (final main: /tmp/s9/sim-after.jar). Default run
# alternated, the after-jar also without PRR and the restart after idle, with Reno, and with every mechanism off;
# then 10M connections on 2 threads (the 1-thread run is in rerun.sh).
set -u
W=/tmp/s9/sim; R=${R:-/work/main/results/2026-12-07-simulator/session9}
mkdir -p $R $W
OFF="--cwnd off --fast-retransmit false --delayed-ack off --rack false --frto false"
jar() { case $1 in before) echo /tmp/s8/sim-before.jar;; *) echo /tmp/s9/sim-$1.jar;; esac; }
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
echo "== default run (1M connections, 1 thread), alternated; -noprr: --prr false --slow-start-after-idle false; -reno: --cc reno; -off: $OFF"
for n in 1 2 3; do
  run before $n; run start $n; run after $n; run after noprr$n --prr false --slow-start-after-idle false; run after reno$n --cc reno; run after off$n $OFF
done
echo "== 10M connections (--connections 10000000 --rate 100000 --clients 512), 2 threads"
JOPT=-Xmx16g
for j in before start after; do run $j 10m2 --connections 10000000 --rate 100000 --clients 512 --threads 2; done
} 2>&1 | tee $R/speed.txt
