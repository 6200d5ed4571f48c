#!/bin/bash
# session 14 quiet-machine JMH on the end jar: the README's headline rows beside every peer (arm+cancel and re-arm
# later at 1M, the mixed TCP churn, the service against Netty), every row of issue 18's targets, the footprint;
# then start against end (single forks alternated) on what changed, and the re-arm-later question of session 13
# (its start c4d0481 against its end 55e59e0, a benchmark where the cascade change never runs).
set -u
R=${R:-/work/main/results/2026-12-08-perf-s14}
S=/tmp/s14/escapement-benchmarks.jar; E=/tmp/s14/bench-end.jar; S13=/tmp/s13/bench-start.jar
mkdir -p $R/ab
j() { local out=$1; shift; echo "$(date +%T) $out: java -jar $*" >> $R/commands.txt; java -jar "$@" -rf json -rff $R/$out.json > $R/$out.txt 2>&1; }
j peers $E TimerPeersBenchmark -p liveTimers=1000000 -wi 1 -i 2 -prof gc
j peers-mixed $E TimerPeersMixedBenchmark -prof gc
j service $E "ServiceBenchmark.armCancel$" -prof gc
j peers-drain $E TimerPeersDrainBenchmark -p impl=escapement,agrona -p timers=1000000 -prof gc
j peers-drain-10m $E TimerPeersDrainBenchmark -p impl=escapement,agrona -p timers=10000000 -f 1 -wi 2 -i 3 -prof gc
j peers-random-rearm $E TimerPeersRandomRearmBenchmark -p impl=escapement,agrona -prof gc
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
for r in 1 2 3; do
  if [ $((r % 2)) = 1 ]; then o="start end"; else o="end start"; fi
  for J in $o; do
    jar=$S; [ $J = end ] && jar=$E
    j ab/peers-1m-$J-$r $jar TimerPeersBenchmark -p impl=escapement -p liveTimers=1000000 -f 1 -wi 3 -i 5 -prof gc
    j ab/random-rearm-1k-$J-$r $jar TimerPeersRandomRearmBenchmark -p impl=escapement -p liveTimers=1000 -f 1 -prof gc
    j ab/drain-1m-$J-$r $jar TimerPeersDrainBenchmark -p impl=escapement -p timers=1000000 -f 1 -wi 3 -i 5 -prof gc
  done
done
for r in 1 2 3 4; do
  if [ $((r % 2)) = 1 ]; then o="s13start s13end"; else o="s13end s13start"; fi
  for J in $o; do
    jar=$S13; [ $J = s13end ] && jar=$S
    j ab/rearm-later-1m-$J-$r $jar TimerPeersBenchmark.rearm -p impl=escapement -p liveTimers=1000000 -f 1 -wi 3 -i 5
  done
done
echo "$(date +%T) done" >> $R/commands.txt
