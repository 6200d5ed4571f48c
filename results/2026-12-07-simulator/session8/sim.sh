#!/bin/bash
# session 8 quiet-machine simulator runs: sim-before (7b18ba5, before the traffic model), sim-start (e6b8696, session
# 8's start), sim-after (final main: CUBIC by default). Default run alternated; then 10M connections on 2 threads.
set -u
W=/tmp/s8/sim; R=${R:-results/2026-12-07-simulator/session8}
mkdir -p $R $W
OFF="--cwnd off --fast-retransmit false --delayed-ack off --rack false --frto false"
run() { # jar tag extra...
  local jar=$1 tag=$2; shift 2
  local out=$W/run-$jar-$tag
  rm -rf $out
  local t; t=$( { /usr/bin/time -f '%U %S %e' java ${JOPT:-} -jar /tmp/s8/sim-$jar.jar --out $out --progress false "$@" > $out.txt; } 2>&1 | tail -1)
  printf '%-7s %-10s cpu user/sys/wall %s | %s | %s | %s\n' $jar $tag "$t" \
    "$(grep -E 'events per second' $out.txt | awk '{print $NF " ev/s"}')" \
    "$(grep -E '^  wall time' $out.txt | awk '{print $3 " s"}')" \
    "$(grep -E 'bytes per' $out.txt | awk '{print $NF " B/conn"}')"
}
{
echo "== default run (1M connections, 1 thread), alternated; -reno: --cc reno; -off: $OFF"
for n in 1 2 3; do
  run before $n; run start $n; run after $n; run after reno$n --cc reno; run after off$n $OFF
done
echo "== 10M connections, 2 threads (--connections 10000000 --rate 100000 --clients 512 --threads 2)"
JOPT=-Xmx16g
for jar in before after; do run $jar 10m2 --connections 10000000 --rate 100000 --clients 512 --threads 2; done
} 2>&1 | tee $R/speed.txt
