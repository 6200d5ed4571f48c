#!/bin/bash
# the service's arm+cancel from one producer against Netty's HashedWheelTimer: the 2026-12-06 suite's code (bc12db4, as built by h-arm14) against this session's
# end jar, alternated, to tell a regression from the machine (the end's suite run put the service at 0.82x Netty)
set -u
R=/work/main/results/2026-12-08-perf-s14
S=/tmp/h-arm14/old.jar; E=/tmp/s14/bench-end.jar
j() { local out=$1; shift; echo "$(date +%T) $out: java -jar $*" >> $R/commands.txt; java -jar "$@" -rf json -rff $R/$out.json > $R/$out.txt 2>&1; }
for r in 1 2; do
  if [ $r = 1 ]; then o="start end"; else o="end start"; fi
  for J in $o; do  # start = bc12db4
    jar=$S; [ $J = end ] && jar=$E
    j ab/service-2026-12-06-code-$J-$r $jar 'ServiceBenchmark.armCancel$' -p impl=escapement,netty
  done
done
echo "$(date +%T) service against bc12db4 done" >> $R/commands.txt
