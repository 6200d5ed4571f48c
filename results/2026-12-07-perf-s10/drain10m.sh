#!/bin/bash
# the drain at 10M: this session's start (bcf5241: the level-1 filing loop in fileIntoLevel0) against the end
# (the loop back in cascade), single forks alternated
R=/work/main/results/2026-12-07-perf-s10
for r in 1 2; do for J in start after; do
  echo "$(date +%T) ab/drain-10m-$J-$r: /tmp/s10/bench-$J.jar TimerPeersDrainBenchmark -p timers=10000000 -p impl=escapement -f 1 -wi 2 -i 3 -prof gc" >> $R/commands.log
  java -jar /tmp/s10/bench-$J.jar TimerPeersDrainBenchmark -p timers=10000000 -p impl=escapement -f 1 -wi 2 -i 3 -prof gc -rf json -rff $R/ab/drain-10m-$J-$r.json > $R/ab/drain-10m-$J-$r.txt 2>&1
done; done
for J in start after; do for r in 1 2; do echo "$J $r: $(grep -E 'Iteration' $R/ab/drain-10m-$J-$r.txt | awk '{print $(NF-1)}' | paste -sd' ')"; done; done
