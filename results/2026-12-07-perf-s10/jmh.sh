#!/bin/bash
# session 10 quiet-machine JMH: /tmp/s10/bench-start.jar (bcf5241's code, the session's start) and
# /tmp/s10/bench-after.jar (final main). Budget about 20 minutes.
set -u
R=${R:-/work/main/results/2026-12-07-perf-s10}
mkdir -p $R/ab
A=/tmp/s10/bench-after.jar; B=/tmp/s10/bench-start.jar
j() { local out=$1; shift; echo "$(date +%T) $out: $*" >> $R/commands.log; java -jar "$@" -rf json -rff $R/$out.json > $R/$out.txt 2>&1; }
j peers-drain $A TimerPeersDrainBenchmark -p timers=1000000 -p impl=escapement,agrona,kafka,heap -prof gc
# the drain at 1M, single forks alternated across session 9's start (d23334c), this session's start and the end
for r in 1 2 3 4; do for J in s9start start after; do
  j ab/drain-1m-$J-$r /tmp/s10/bench-$J.jar TimerPeersDrainBenchmark -p timers=1000000 -p impl=escapement -f 1 -wi 3 -i 5 -prof gc
done; done
j peers-drain-10m $A TimerPeersDrainBenchmark -p timers=10000000 -p impl=escapement,agrona -f 2 -wi 2 -i 3 -prof gc
j peers-random-rearm $A TimerPeersRandomRearmBenchmark -p impl=escapement,agrona -prof gc
j ab/random-rearm-before $B TimerPeersRandomRearmBenchmark -p impl=escapement -prof gc
j peers $A TimerPeersBenchmark -p impl=escapement,agrona -p liveTimers=1000000 -wi 1 -i 2 -prof gc
j ab/peers-before $B TimerPeersBenchmark -p impl=escapement -p liveTimers=1000000 -wi 1 -i 2 -prof gc
j peers-10m $A TimerPeersBenchmark -p impl=escapement,agrona -p liveTimers=10000000 -f 1 -wi 1 -i 2 -prof gc
j peers-expire $A TimerPeersExpireBenchmark -p impl=escapement,agrona,kafka -prof gc
j floor $A RandomAccessFloorBenchmark.harnessOfPeersRearm -p timers=1000000,10000000 -f 1 -prof gc
j floor-drain $A DrainFloorBenchmark -f 1 -prof gc
j floor-arm-cancel $A ArmCancelFloorBenchmark -f 1 -prof gc
for impl in escapement service; do java -Xmx12g -XX:+UseParallelGC -cp $A io.escapement.benchmarks.baseline.PeerFootprint 1000000 $impl 2>&1 | tail -1; done > $R/footprint.txt
java -cp $A io.escapement.benchmarks.report.SuiteSummary $R > $R/summary-out.txt 2>&1
echo "$(date +%T) done" >> $R/commands.log
