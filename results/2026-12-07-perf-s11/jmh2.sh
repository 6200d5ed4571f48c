#!/bin/bash
# the rest of jmh.sh, cut to one round of the A/B (the event loop at 1M takes about 8 minutes a jar)
set -u
R=/work/main/results/2026-12-07-perf-s11
A=/tmp/s11/bench-after.jar
while kill -0 20571 2>/dev/null; do sleep 2; done
j() { local out=$1; shift; echo "$(date +%T) $out: $*" >> $R/commands.log; java -jar "$@" -rf json -rff $R/$out.json > $R/$out.txt 2>&1; }
j ab/drain-1m-after-1 /tmp/s11/bench-after.jar TimerPeersDrainBenchmark -p timers=1000000 -p impl=escapement -f 1 -wi 3 -i 5 -prof gc
j ab/eventloop-1m-after-1 /tmp/s11/bench-after.jar EventLoopBenchmark -p liveTimers=1000000 -f 1 -prof gc
j peers-expire $A TimerPeersExpireBenchmark -p impl=escapement,agrona,kafka -prof gc
for impl in escapement service; do java -Xmx12g -XX:+UseParallelGC -cp $A io.escapement.benchmarks.baseline.PeerFootprint 1000000 $impl 2>&1 | tail -1; done > $R/footprint.txt
echo "$(date +%T) done" >> $R/commands.log
/work/wt/s11/sim-more.sh > /tmp/s11/sim-more.log 2>&1
