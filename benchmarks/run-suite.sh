#!/usr/bin/env bash
# Runs the whole benchmark suite and writes its results, a Markdown summary, a chart and a flame graph of the
# engine's hot path into results/suite-<date>/. Run from the repository root after
#   mvn -B -q package -DskipTests
# on a quiet machine (never beside a build or another benchmark: the machines have 2 cores).
#
#   benchmarks/run-suite.sh           the full suite, about 40 minutes on this 2-core machine
#   benchmarks/run-suite.sh --quick   every benchmark once, smallest sizes, about 70 seconds (a smoke run)
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=benchmarks/target/escapement-benchmarks.jar
LIB="$(pwd)/benchmarks/target/async-profiler/linux-x64/libasyncProfiler.so"
[ -f "$JAR" ] || { echo "build first: mvn -B -q package -DskipTests" >&2; exit 2; }

MODE=full
OUT="results/suite-$(date +%Y-%m-%d)"
for arg in "$@"; do
  case "$arg" in
    --quick) MODE=quick; OUT="target/suite-quick" ;;
    --help|-h) sed -n 2,8p "$0"; exit 0 ;;
    *) echo "unknown option '$arg'; try --help" >&2; exit 2 ;;
  esac
done
mkdir -p "$OUT"

if [ "$MODE" = quick ]; then
  SHORT=(-f 1 -wi 1 -w 200ms -i 1 -r 200ms -foe true)
  SIZES=(-p liveTimers=1000 -p connections=1000)
else
  SHORT=(-foe true)
  SIZES=()
fi

run() { # name, then JMH arguments
  local name="$1"; shift
  local started=$SECONDS
  echo "== $name" >&2
  java -jar "$JAR" "$@" "${SHORT[@]}" -prof gc -rf json -rff "$OUT/$name.json" | tail -n 40
  echo "== $name took $((SECONDS - started)) s" >&2
}

if [ "$MODE" = quick ]; then
  run wheel TimerWheelBenchmark "${SIZES[@]}"
  run peers TimerPeersBenchmark -p liveTimers=1000
  run peers-expire TimerPeersExpireBenchmark -p liveTimers=1000
  run peers-mixed TimerPeersMixedBenchmark -p liveTimers=1000
  run peers-drain TimerPeersDrainBenchmark -p timers=100000
  run peers-random-rearm TimerPeersRandomRearmBenchmark -p liveTimers=1000
  run floor RandomAccessFloorBenchmark.harnessOfPeersRearm -p timers=1000
  run floor-drain DrainFloorBenchmark -p timers=1000000
  run floor-drain-layout DrainLayoutFloorBenchmark -p timers=1000000
  run floor-arm-cancel ArmCancelFloorBenchmark -p timers=1000000
else
  # The wheel alone, one fork: its side-by-side figures are the peers' run below, which has two.
  run wheel TimerWheelBenchmark -f 1 -wi 2 -i 3
  # 1k and 1M live timers with two forks; 10M with one, as filling ten million timers per fork and peer is most of
  # that run's time (10M needs the 8 GB heap each fork is given)
  run peers TimerPeersBenchmark -p liveTimers=1000,1000000 -wi 1 -i 2
  run peers-10m TimerPeersBenchmark -p liveTimers=10000000 -f 1 -wi 1 -i 2
  run peers-expire TimerPeersExpireBenchmark
  run peers-mixed TimerPeersMixedBenchmark
  # The drain: single-shot, one drain per iteration. 10M with one fork and fewer iterations: the heap and Kafka take
  # about half a minute per drain there, and arming ten million timers before each is most of the rest.
  run peers-drain TimerPeersDrainBenchmark -p timers=1000000
  run peers-drain-10m TimerPeersDrainBenchmark -p timers=10000000 -f 1 -wi 2 -i 3
  run peers-random-rearm TimerPeersRandomRearmBenchmark
  # the floor the re-arm at 1M and 10M is read against (the summary's targets)
  run floor RandomAccessFloorBenchmark.harnessOfPeersRearm -p timers=1000000,10000000 -f 1
  # what a drain cannot go below, by where firing's data lives (the summary prints it beside the drain targets)
  run floor-drain DrainFloorBenchmark -f 1
  # the drain's own traffic in today's layout and in the sequential one of issue 18 (beside the drain targets too)
  run floor-drain-layout DrainLayoutFloorBenchmark -f 1
  # what arm+cancel cannot go below, by what a structure keeps (the summary prints it beside the arm+cancel targets)
  run floor-arm-cancel ArmCancelFloorBenchmark -f 1
fi
if [ "$MODE" = full ]; then
  # bytes per live timer, one JVM per peer and size (a stopped peer's memory can linger and spoil the next baseline)
  started=$SECONDS
  { echo "impl         live timers  bytes per timer"
    for impl in escapement agrona netty stpe heap kafka service; do for n in 1000000 10000000; do
      java -Xmx12g -XX:+UseParallelGC -cp "$JAR" io.escapement.benchmarks.baseline.PeerFootprint $n $impl | tail -1
    done; done; } > "$OUT/footprint.txt"
  echo "== footprint took $((SECONDS - started)) s" >&2
fi
run service ServiceBenchmark
if [ "$MODE" = quick ]; then
  run rto RtoBenchmark "${SIZES[@]}"
else
  run rto RtoBenchmark -f 1 -wi 2 -i 3
fi

# The drop-in adapters against the classes they replace, on the same user code, and the service's request ring
# against JCTools' queues. In extra/, which the summary does not read: it compares timer structures.
mkdir -p "$OUT/extra"
if [ "$MODE" = quick ]; then
  run extra/adapter-executor ScheduledExecutorBenchmark -p pending=1000
  run extra/adapter-netty NettyTimerAdapterBenchmark -p pending=1000
else
  run extra/adapter-executor ScheduledExecutorBenchmark
  run extra/adapter-netty NettyTimerAdapterBenchmark
fi
run extra/request-ring RequestRingBenchmark

# the engine's hot path: arm+cancel and expire at 1M live timers, async-profiler (itimer if perf is unavailable)
if [ -f "$LIB" ]; then
  EVENT=cpu
  [ "$(cat /proc/sys/kernel/perf_event_paranoid 2>/dev/null || echo 3)" -le 2 ] || EVENT=itimer
  if ! java -jar "$JAR" 'TimerWheelBenchmark.(armCancel|expire)' -p liveTimers=1000000 -p lazy=true "${SHORT[@]}" \
    -prof "async:libPath=$LIB;output=flamegraph,text;event=$EVENT;dir=$OUT/flamegraph" | tail -n 5; then
    echo "flame graph skipped: async-profiler could not attach here" >&2
  fi
fi

java -cp "$JAR" io.escapement.benchmarks.report.SuiteSummary "$OUT"
echo "results in $OUT, after $((SECONDS / 60)) min $((SECONDS % 60)) s" >&2
