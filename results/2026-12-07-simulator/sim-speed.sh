#!/bin/bash
# The simulator's speed (issues 16 and 18), on a quiet machine: jars built from 7b18ba5 (before the traffic model),
# 852670e (main with the traffic model, session 7's start) and the branch under test (default: HEAD), each run
# alternated, with the traffic model's mechanisms on (the default run) and off. Prints CPU seconds (user, sys),
# wall seconds and the summary's events per second, wall time and bytes per open connection, then the 10M runs.
# It also checks that every run's `results` section is the same bit for bit across the jars that share options.
#
#   results/2026-12-07-simulator/sim-speed.sh [RUNS] [REV]     # RUNS: alternations (default 3), REV: default HEAD
#
# SIM_ARGS="--connections 20000" SKIP_10M=1 makes a smoke run of the script itself.
# Needs about 3 GiB of disk in $WORK and, for the 10M runs, 16 GiB of heap.
set -euo pipefail
RUNS=${1:-3}
REV=${2:-HEAD}
REPO=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
WORK=${WORK:-/tmp/sim-speed}
OFF="--cwnd off --fast-retransmit false --delayed-ack off --rack false --frto false"
mkdir -p "$WORK"

build() # name rev
{
  local name=$1 rev=$2 dir=$WORK/src-$1
  [ -f "$WORK/sim-$name.jar" ] && return
  rm -rf "$dir"; git -C "$REPO" worktree add --detach "$dir" "$rev" > /dev/null
  (cd "$dir" && mvn -B -q -o -pl simulator -am package -DskipTests -Dmaven.javadoc.skip=true)
  cp "$dir/simulator/target/escapement-simulator.jar" "$WORK/sim-$name.jar"
  git -C "$REPO" worktree remove --force "$dir"
}
build before 7b18ba5
build main 852670e
build branch "$REV"

# one run: cfg = jar name, with -off for the mechanisms off (7b18ba5 has none: its default run is the off run)
run() # cfg tag extra-options...
{
  local cfg=$1 tag=$2; shift 2
  local jar=$WORK/sim-${cfg%-off}.jar extra=""
  case $cfg in *-off) extra=$OFF;; esac
  local out=$WORK/run-$cfg-$tag
  local t
  # shellcheck disable=SC2086
  t=$( { /usr/bin/time -f '%U %S %e' java "${JAVA_OPTS[@]}" -jar "$jar" --out "$out" --progress false $extra \
    ${SIM_ARGS:-} "$@" \
    > "$out.txt"; } 2>&1 | tail -1 )
  printf '%-12s %-6s cpu user/sys/wall %s | %s | %s | %s\n' "$cfg" "$tag" "$t" \
    "$(grep -E 'events per second' "$out.txt" | awk '{print $NF " ev/s"}')" \
    "$(grep -E '^  wall time' "$out.txt" | awk '{print $3 " s"}')" \
    "$(grep -E 'bytes per connection' "$out.txt" | awk '{print $NF " B/conn"}')"
  python3 -c "import json,sys; json.dump(json.load(open('$out/summary.json'))['results'], open('$out.results.json','w'), sort_keys=True, indent=1)"
}

JAVA_OPTS=()
echo "== default run (1M connections, 1 thread), $RUNS alternations"
for n in $(seq "$RUNS"); do
  for cfg in before main-off branch-off main branch; do run "$cfg" "$n"; done
done
echo "== results bit for bit (before = main-off = branch-off; main = branch)"
same() { cmp -s "$1" "$2" && echo "$3: identical" || echo "$3: DIFFERENT ($1 $2)"; }
# 7b18ba5's results have fewer fields (the traffic model added counters): compare those it has
python3 -c "import json,sys; a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2])); \
d=[k for k in a if a[k]!=b.get(k)]; print('off, before = main: ' + ('identical in its %d fields' % len(a) if not d \
else 'DIFFERENT in ' + ', '.join(d)))" "$WORK/run-before-1.results.json" "$WORK/run-main-off-1.results.json"
same "$WORK/run-main-off-1.results.json" "$WORK/run-branch-off-1.results.json" "off, main = branch"
same "$WORK/run-main-1.results.json" "$WORK/run-branch-1.results.json" "on, main = branch"
for preset in "--preset rfc" "--loss 0.01" "--threads 2"; do
  tag=$(echo "$preset" | tr -dc 'a-z0-9')
  # shellcheck disable=SC2086
  run main "$tag" $preset > /dev/null; run branch "$tag" $preset > /dev/null
  same "$WORK/run-main-$tag.results.json" "$WORK/run-branch-$tag.results.json" "$preset, main = branch"
done

[ -n "${SKIP_10M:-}" ] && exit 0
JAVA_OPTS=(-Xmx16g)
TEN_M="--connections 10000000 --rate 100000 --clients 512"
echo "== 10M connections, 2 threads (issue 16: under 30 s; issue 18: under 10 s)"
for cfg in before main branch; do
  # shellcheck disable=SC2086
  run "$cfg" 10m2 $TEN_M --threads 2
done
echo "== 10M connections, 1 thread (issue 18: above 5 million events a second)"
for cfg in main branch; do
  # shellcheck disable=SC2086
  run "$cfg" 10m1 $TEN_M --threads 1
done
