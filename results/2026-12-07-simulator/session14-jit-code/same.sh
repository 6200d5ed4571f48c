#!/bin/bash
# same.sh A B: timeseries.csv byte for byte; summary.json/csv byte for byte once the cost lines (wall, events/s, heap) are dropped
a=$1; b=$2; ok=1
cmp $a/timeseries.csv $b/timeseries.csv || ok=0
for f in summary.json summary.csv; do
  grep -vE 'wall_seconds|events_per_second|peak_heap_bytes|retained_heap_bytes|bytes_per_open_connection' $a/$f > /tmp/h-sim14/.a
  grep -vE 'wall_seconds|events_per_second|peak_heap_bytes|retained_heap_bytes|bytes_per_open_connection' $b/$f > /tmp/h-sim14/.b
  cmp /tmp/h-sim14/.a /tmp/h-sim14/.b || ok=0
  echo "$f: $(diff <(cat $a/$f) <(cat $b/$f) | grep -c '^<') lines differ in all, cost lines excluded -> cmp $( [ $ok = 1 ] && echo same || echo DIFF)"
done
[ $ok = 1 ] && echo "IDENTICAL (results) $a $b" || echo "DIFFERENT $a $b"
