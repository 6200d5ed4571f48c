#!/bin/bash
# 10M, 2 threads: gc log + compilation log per run
set -u
for r in a1 b1 a2; do
  j=after; [ ${r:0:1} = b ] && j=before
  rm -rf out-$r
  { /usr/bin/time -f '%U %S %e' java -Xmx16g -Xlog:gc*:file=gc-$r.log:uptime -XX:+UnlockDiagnosticVMOptions -XX:+PrintCompilation -jar /tmp/s10/sim-$j.jar --out out-$r --progress false --connections 10000000 --rate 100000 --clients 512 --threads 2 > comp-$r.txt; } 2> time-$r.txt
  echo "$r $j $(tail -1 time-$r.txt)"
done
