# session 12: medians, round-by-round ratios and a bootstrap interval of the median ratio from speed.txt
import re,statistics as st,random,sys
rows=[l for l in open(sys.argv[1]) if re.match(r'^(before|end|start)\s+\S+\s+cpu',l)]
d={}
for l in rows:
    j,tag=l.split()[:2]; wall=float(re.search(r'\| ([\d.]+) s \|',l).group(1)); cpu=[float(x) for x in re.search(r'wall ([\d.]+) ([\d.]+) ([\d.]+)',l).groups()]
    ev=int(re.search(r'([\d,]+) ev/s',l).group(1).replace(',','')); b=float(re.search(r'([\d.]+) B/conn',l).group(1))
    d[(j,tag)]=(wall,cpu,ev,b)
for pre,n in [('',10),('10m2-',3)]:
    tags=[f'{pre}{i}' for i in range(1,n+1)]
    bw=[d[('before',t)][0] for t in tags]; ew=[d[('end',t)][0] for t in tags]
    r=[e/b for e,b in zip(ew,bw)]
    print(pre or '1M','before median',st.median(bw),'end median',st.median(ew),'ratio of medians %.3f'%(st.median(ew)/st.median(bw)),'round ratios',' '.join('%.3f'%x for x in r),'median %.3f'%st.median(r))
    bu=[d[('before',t)][1][0] for t in tags]; eu=[d[('end',t)][1][0] for t in tags]
    print('  user cpu medians',st.median(bu),st.median(eu),'%.3f'%(st.median(eu)/st.median(bu)),' process wall medians',st.median([d[('before',t)][1][2] for t in tags]),st.median([d[('end',t)][1][2] for t in tags]))
    print('  ev/s medians',st.median([d[('before',t)][2] for t in tags]),st.median([d[('end',t)][2] for t in tags]),' B/conn',min(d[('before',t)][3] for t in tags),max(d[('before',t)][3] for t in tags),min(d[('end',t)][3] for t in tags),max(d[('end',t)][3] for t in tags))
    if n==10:
        random.seed(1); bs=sorted(st.median(random.choices(r,k=len(r))) for _ in range(10000)); print('  bootstrap 95%% of the median round ratio: %.3f-%.3f'%(bs[250],bs[9750]))
        sw=[d[('start',str(i))][0] for i in range(1,6)]; print('  start rounds 1-5',sw,'vs before %.3f'%st.median([s/b for s,b in zip(sw,bw[:5])]),'end vs start %.3f'%st.median([e/s for e,s in zip(ew[:5],sw)]))
