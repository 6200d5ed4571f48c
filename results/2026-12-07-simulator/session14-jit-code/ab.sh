#!/bin/bash
# ab.sh PAIRS JAR1 JAR2 [args...]: alternated default runs, /usr/bin/time for process CPU
cd /tmp/h-sim14
n=$1; a=$2; b=$3; shift 3
for r in $(seq 1 $n); do
 for j in $a $b; do
  l=$(cut -d' ' -f1 /proc/loadavg)
  res=$(/usr/bin/time -f '%U user %S sys %e real' java -jar $j.jar --out /tmp/h-sim14/ab-$j-$r --progress false "$@" 2>&1 | grep -E 'wall time|events per second|real$' | sed -E 's/ +/ /g' | tr '\n' ' ')
  echo "r$r $j load $l | $res"
 done
done
