#!/bin/bash
# session 14 quiet-machine simulator runs: start (55e59e0, this session's start) against end (this session's final
# main). Default run (1M connections, 1 thread): 6 rounds, the order swapped every round; 10M connections on 2
# threads, 2 rounds each, alternated; then the outputs compared byte for byte, start against end, on the default
# run, --preset rfc and --loss 0.05 --connections 200000.
set -u
W=/tmp/s14/sim; R=${R:-/work/main/results/2026-12-08-simulator/session14}
mkdir -p $R $W
run() { # jar tag extra...
  local j=$1 tag=$2; shift 2
  local out=$W/run-$j-$tag
  rm -rf $out
  local t; t=$( { /usr/bin/time -f '%U %S %e' java ${JOPT:-} -jar /tmp/s14/sim-$j.jar --out $out --progress false "$@" > $out.txt; } 2>&1 | tail -1)
  printf '%-7s %-10s cpu user/sys/wall %s | %s | %s | %s\n' $j $tag "$t" \
    "$(grep -E 'events per second' $out.txt | awk '{print $NF " ev/s"}')" \
    "$(grep -E '^  wall time' $out.txt | awk '{print $3 " s"}')" \
    "$(grep -E 'bytes per' $out.txt | awk '{print $NF " B/conn"}')"
}
{
echo "== $(date +%T) default run (1M connections, 1 thread), alternated"
for n in 1 2 3 4 5 6; do
  if [ $((n % 2)) = 1 ]; then o="start end"; else o="end start"; fi
  for j in $o; do run $j $n; done
done
echo "== $(date +%T) 10M connections (--connections 10000000 --rate 100000 --clients 512), 2 threads, -Xmx16g, alternated"
JOPT=-Xmx16g
for n in 1 2; do
  if [ $((n % 2)) = 1 ]; then o="start end"; else o="end start"; fi
  for j in $o; do run $j 10m2-$n --connections 10000000 --rate 100000 --clients 512 --threads 2; done
done
JOPT=
for j in start end; do run $j rfc --preset rfc; run $j loss5 --loss 0.05 --connections 200000; done
echo "== $(date +%T) outputs, start against end: files whose bytes differ, then the differing lines"
for tag in 1 rfc loss5; do
  for f in summary.txt summary.csv summary.json timeseries.csv; do cmp -s $W/run-start-$tag/$f $W/run-end-$tag/$f && echo "$tag $f identical" || { echo "$tag $f differs:"; diff $W/run-start-$tag/$f $W/run-end-$tag/$f | grep -E "^[<>]" | grep -v "wall\|per second\|bytes per" | head -8; }; done
done
echo "== $(date +%T) done"
} 2>&1 | tee $R/speed.txt
