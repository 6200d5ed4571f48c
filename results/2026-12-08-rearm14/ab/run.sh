#!/bin/bash
# usage: run.sh JAR args... ; retries while another JMH instance holds /tmp/jmh.lock
jar=$1; shift
while true; do
  out=$(java -jar "$jar" "$@" 2>&1)
  if echo "$out" | grep -q "Unable to acquire the JMH lock"; then sleep 3; continue; fi
  echo "$out"; break
done
