#!/bin/bash
# session 13 quiet-machine JMH, every row of issue 18's targets table on the end jar (the benchmarks' own settings
# where they fit the time: 2 forks for the 1M drain, the random re-arm and the peers at 1M), then the drain at 1M and
# arm+cancel / re-arm at 1M, start jar against end jar, single forks alternated.
set -u
R=${R:-/work/main/results/2026-12-07-perf-s13}
S=/tmp/s13/bench-start.jar; E=/tmp/s13/bench-end.jar
mkdir -p $R/ab
j() { local out=$1; shift; echo "$(date +%T) $out: java -jar $*" >> $R/commands.txt; java -jar "$@" -rf json -rff $R/$out.json > $R/$out.txt 2>&1; }
j peers-drain $E TimerPeersDrainBenchmark -p impl=escapement,agrona -p timers=1000000 -prof gc
j peers-drain-10m $E TimerPeersDrainBenchmark -p impl=escapement,agrona -p timers=10000000 -f 1 -wi 2 -i 3 -prof gc
j peers-random-rearm $E TimerPeersRandomRearmBenchmark -p impl=escapement,agrona -prof gc
j peers $E TimerPeersBenchmark -p impl=escapement,agrona -p liveTimers=1000000 -wi 1 -i 2 -prof gc
j peers-10m $E TimerPeersBenchmark -p impl=escapement,agrona -p liveTimers=10000000 -f 1 -wi 1 -i 2 -prof gc
j peers-expire $E TimerPeersExpireBenchmark -p impl=escapement,agrona,kafka,heap -prof gc
j floor $E RandomAccessFloorBenchmark.harnessOfPeersRearm -p timers=1000000,10000000 -f 1 -prof gc
j floor-drain-layout $E DrainLayoutFloorBenchmark -f 1 -prof gc
j floor-arm-cancel $E ArmCancelFloorBenchmark -f 1 -prof gc
for impl in escapement service; do for n in 1000000 10000000; do
  java -Xmx12g -XX:+UseParallelGC -cp $E io.escapement.benchmarks.baseline.PeerFootprint $n $impl 2>&1 | tail -1
done; done > $R/footprint.txt
echo "$(date +%T) footprint: java -Xmx12g -XX:+UseParallelGC -cp bench-end.jar io.escapement.benchmarks.baseline.PeerFootprint N IMPL" >> $R/commands.txt
java -cp $E io.escapement.benchmarks.report.SuiteSummary $R > $R/summary-out.txt 2>&1
for r in 1 2 3; do for J in start end; do
  jar=$S; [ $J = end ] && jar=$E
  j ab/drain-1m-$J-$r $jar TimerPeersDrainBenchmark -p impl=escapement -p timers=1000000 -f 1 -wi 3 -i 5 -prof gc
done; done
for J in end start; do
  jar=$S; [ $J = end ] && jar=$E
  j ab/peers-1m-$J $jar TimerPeersBenchmark -p impl=escapement -p liveTimers=1000000 -f 1 -wi 3 -i 5 -prof gc
done
echo "$(date +%T) done" >> $R/commands.txt
