import sys,re,statistics
# reads JMH output on stdin; prints per benchmark (by "# Benchmark:" + params) the median of measurement iterations
cur=None; vals={}
for line in sys.stdin:
    m=re.match(r'# Benchmark: (\S+)',line)
    if m: cur=m.group(1).split('.')[-1]; continue
    m=re.match(r'# Parameters: \((.*)\)',line)
    if m: cur=cur.split('|')[0]+'|'+m.group(1).replace(' ',''); vals[cur]=[]; continue
    m=re.match(r'Iteration\s+\d+: ([\d.]+) ns/op',line)
    if m and cur: vals[cur].append(float(m.group(1)))
for k,v in vals.items():
    print("%-70s med %.2f min %.2f n=%d"%(k,statistics.median(v),min(v),len(v)))
