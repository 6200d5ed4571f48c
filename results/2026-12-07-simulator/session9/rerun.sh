#!/bin/bash
# session 9: the committed results made with the default preset, rerun now that the linux preset has PRR, the restart after idle and CWR after a probe
set -u
J=/tmp/s9/sim-after.jar; M=/work/main/results
rm -rf $M/simulation && java -jar $J --out $M/simulation --progress false > /dev/null
rm -rf $M/simulation-10m && java -Xmx16g -jar $J --connections 10000000 --rate 100000 --clients 512 --threads 2 --out $M/simulation-10m --progress false > /dev/null
java -Xmx16g -jar $J --connections 10000000 --rate 100000 --clients 512 --threads 1 --out /tmp/s9/sim10m-1t --progress false > /dev/null && cp /tmp/s9/sim10m-1t/summary.txt $M/simulation-10m/summary-1-thread.txt
rm -rf $M/compare && java -jar $J compare --out $M/compare --progress false > /tmp/s9/compare.log 2>&1; tail -3 /tmp/s9/compare.log
R=$M/2026-12-07-simulator/traffic-model
for p in linux rfc; do for rtt in 20ms 100ms; do for f in true false; do
  out=$R/$p-$rtt-frto-$f; rm -rf $out
  java -jar $J --preset $p --rtt $rtt --loss 0.01 --frto $f --out $out --progress false > /dev/null 2>&1 || echo "FAILED $out"
done; done; done
