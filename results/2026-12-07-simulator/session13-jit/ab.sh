#!/bin/bash
cd /tmp/h-sim13
for r in 1 2 3 4 5 6; do
 for j in start jit; do
  l=$(cut -d' ' -f1 /proc/loadavg)
  res=$(/usr/bin/time -f '%U user %S sys %e real' java -jar $j.jar --out /tmp/h-sim13/ab-$j-$r --progress false 2>&1 | grep -E 'wall time|events per second|real$' | sed -E 's/ +/ /g' | tr '\n' ' ')
  echo "r$r $j load $l | $res"
 done
done
