#!/bin/bash
# session 12, after the A/B: the random re-arm (1k, 10k, both benchmarks) and the drain at 1M beside Agrona with the
# benchmarks' own settings (2 forks), on the end jar, for issue 18's ratios
set -u
R=${R:-/work/main/results/2026-12-07-perf-s12}
j() { local out=$1; shift; echo "$(date +%T) $out: java -jar $*" >> $R/commands.log; java -jar "$@" -rf json -rff $R/$out.json > $R/$out.txt 2>&1; }
j random-rearm-2forks /tmp/s12/bench-end.jar TimerPeersRandomRearmBenchmark -p impl=escapement,agrona -prof gc
j drain-1m-2forks /tmp/s12/bench-end.jar TimerPeersDrainBenchmark -p impl=escapement,agrona -p timers=1000000 -prof gc
echo "$(date +%T) done" >> $R/commands.log
