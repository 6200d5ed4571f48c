#!/bin/bash
# session 11 quiet-machine JMH: /tmp/s11/bench-start.jar (a71b656, the session's start) and /tmp/s11/bench-after.jar
# (cad7432: h-drain6's DrainLayoutFloorBenchmark and h-simwheel's lone-timer firing and hint-marked small cascades).
set -u
R=${R:-/work/main/results/2026-12-07-perf-s11}
mkdir -p $R/ab
A=/tmp/s11/bench-after.jar; B=/tmp/s11/bench-start.jar
j() { local out=$1; shift; echo "$(date +%T) $out: $*" >> $R/commands.log; java -jar "$@" -rf json -rff $R/$out.json > $R/$out.txt 2>&1; }
# issue 18's drain against its floors by layout, beside Agrona, 1M and 10M (h-drain6's command)
j drain-layout $A 'TimerPeersDrainBenchmark|DrainLayoutFloorBenchmark' -p impl=escapement,agrona -p timers=1000000,10000000 -f 2 -wi 3 -i 5 -prof gc
# h-simwheel's change: the drain at 1M and the event loop at 1M live timers, single forks alternated start/after
for r in 1 2; do for J in start after; do
  j ab/drain-1m-$J-$r /tmp/s11/bench-$J.jar TimerPeersDrainBenchmark -p timers=1000000 -p impl=escapement -f 1 -wi 3 -i 5 -prof gc
  j ab/eventloop-1m-$J-$r /tmp/s11/bench-$J.jar EventLoopBenchmark -p liveTimers=1000000 -f 1 -prof gc
done; done
j peers-expire $A TimerPeersExpireBenchmark -p impl=escapement,agrona,kafka -prof gc
for impl in escapement service; do java -Xmx12g -XX:+UseParallelGC -cp $A io.escapement.benchmarks.baseline.PeerFootprint 1000000 $impl 2>&1 | tail -1; done > $R/footprint.txt
echo "$(date +%T) done" >> $R/commands.log
