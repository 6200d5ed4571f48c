#!/bin/bash
# session 11: three more alternated rounds of the default run (1M connections, 1 thread), before and after only,
# run after the JMH runs on the same quiet machine, appended to speed.txt
set -u
W=/tmp/s11/sim; R=/work/main/results/2026-12-07-simulator/session11
jar() { case $1 in before) echo /tmp/s10/sim-before.jar;; *) echo /tmp/s11/sim-$1.jar;; esac; }
run() { local j=$1 tag=$2; local out=$W/run-$j-$tag; rm -rf $out
  local t; t=$( { /usr/bin/time -f '%U %S %e' java -jar $(jar $j) --out $out --progress false > $out.txt; } 2>&1 | tail -1)
  printf '%-7s %-10s cpu user/sys/wall %s | %s | %s | %s\n' $j $tag "$t" \
    "$(grep -E 'events per second' $out.txt | awk '{print $NF " ev/s"}')" \
    "$(grep -E '^  wall time' $out.txt | awk '{print $3 " s"}')" \
    "$(grep -E 'bytes per' $out.txt | awk '{print $NF " B/conn"}')"; }
{ echo "== $(date +%T) default run, three more alternated rounds (before, after), after the JMH runs"
for n in 4 5 6; do run before $n; run after $n; done
echo "== $(date +%T) done"; } 2>&1 | tee -a $R/speed.txt
