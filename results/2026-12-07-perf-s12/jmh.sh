#!/bin/bash
# session 12 quiet-machine JMH: the wheel's far slots and next-bucket shortcut (h-wheel12), start (ea7cb84) against
# end, one fork each, alternated: the drain at 1M and 10M beside Agrona, arm+cancel and re-arm at 1M, random re-arm
# at 1k and 10k beside Agrona.
set -u
R=${R:-/work/main/results/2026-12-07-perf-s12}
mkdir -p $R
j() { local out=$1; shift; echo "$(date +%T) $out: java -jar $*" >> $R/commands.log; java -jar "$@" -rf json -rff $R/$out.json > $R/$out.txt 2>&1; }
for J in start end; do
  j drain-$J /tmp/s12/bench-$J.jar TimerPeersDrainBenchmark -p impl=escapement,agrona -p timers=1000000,10000000 -f 1 -wi 3 -i 5 -prof gc
done
for J in end start; do
  j peers-$J /tmp/s12/bench-$J.jar 'TimerPeersBenchmark' -p impl=escapement -p liveTimers=1000000 -f 1 -wi 3 -i 5 -prof gc
  j random-rearm-$J /tmp/s12/bench-$J.jar TimerPeersRandomRearmBenchmark -p impl=escapement,agrona -f 1 -wi 3 -i 5 -prof gc
done
echo "$(date +%T) done" >> $R/commands.log
