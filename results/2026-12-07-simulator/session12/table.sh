#!/bin/bash
# issue 16's table on session 12's end jar (648a057): the default workload at 1% loss, 20/100 ms RTT, linux and rfc
# presets, F-RTO on/off; each run's summary.txt and summary.json kept under traffic-model/, the table in
# traffic-model-table.md
set -u
J=${J:-/tmp/s12/sim-end.jar}
R=/work/main/results/2026-12-07-simulator/session12/traffic-model
mkdir -p $R
for p in linux rfc; do for rtt in 20ms 100ms; do for f in true false; do
  out=/tmp/s12/tm/$p-$rtt-frto-$f; rm -rf $out
  java -jar $J --preset $p --rtt $rtt --loss 0.01 --frto $f --out $out --progress false > /dev/null 2>&1 || echo "FAILED $out"
  mkdir -p $R/$p-$rtt-frto-$f && cp $out/summary.txt $out/summary.json $R/$p-$rtt-frto-$f/
done; done; done
python3 - > $R/../traffic-model-table.md <<'PY'
import json
R='/work/main/results/2026-12-07-simulator/session12/traffic-model'
cols=['packets_lost','repaired_by_fast_recovery','repaired_by_rack','repaired_by_tlp','repaired_by_rto','rto_expiries','retx_spurious_data_and_fin','frto_spurious_rtos','fast_recoveries','reno_recoveries','rescue_retransmits']
print('| preset | RTT | F-RTO | '+' | '.join(cols)+' |'); print('|'+'---|'*(3+len(cols)))
for p in ['linux','rfc']:
  for rtt in ['20ms','100ms']:
    for f in ['true','false']:
      d=json.load(open(f'{R}/{p}-{rtt}-frto-{f}/summary.json'))['results']
      print(f'| {p} | {rtt} | {"on" if f=="true" else "off"} | '+' | '.join(f"{d.get(c,'-'):,}" if isinstance(d.get(c),int) else '-' for c in cols)+' |')
PY
cat $R/../traffic-model-table.md
