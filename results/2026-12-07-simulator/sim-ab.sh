#!/bin/bash
# Simulator A/B on a quiet machine: the split's cost (c5c05db = before the split, a590dda = the split),
# the session's start (7b18ba5) and main (the traffic model on, and off).
cd /tmp/meas
OFF="--cwnd off --fast-retransmit false --delayed-ack off --rack false --frto false"
for n in 1 2 3; do
  for cfg in c5c05db a590dda 7b18ba5 main main-off; do
    jar=/tmp/sim-${cfg%-off}.jar; extra=""; [ "$cfg" = main-off ] && extra="$OFF"
    echo "== $cfg run $n"
    java -jar $jar --out /tmp/meas/run-$cfg-$n --progress false $extra | grep -E "events per second|wall time|bytes per connection|heap retained"
  done
done
for cfg in 7b18ba5 main; do
  echo "== $cfg 10M, 2 threads"
  /usr/bin/time -f "%e s process wall" java -Xmx16g -jar /tmp/sim-$cfg.jar --connections 10000000 --rate 100000 --clients 512 --threads 2 --out /tmp/meas/run10m-$cfg --progress false 2>&1 | grep -E "events per second|wall time|bytes per connection|heap retained|process wall"
done
echo "== main 10M, 1 thread"
java -Xmx16g -jar /tmp/sim-main.jar --connections 10000000 --rate 100000 --clients 512 --threads 1 --out /tmp/meas/run10m1-main --progress false | grep -E "events per second|wall time|bytes per connection"
