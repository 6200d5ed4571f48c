import collections,sys,re
f=sys.argv[1]
rooms=[('wheel','io/escapement/engine/'),('network','simulator/net/'),('wire','tcp/Wire'),('transitions','tcp/Transitions'),
('sender/receiver','tcp/Sender'),('sender/receiver','tcp/Receiver'),('sender/receiver','tcp/Streams'),('sender/receiver','tcp/SendTimes'),('sender/receiver','tcp/ResendTimes'),
('rack/sack','tcp/Rack'),('rack/sack','tcp/Sack'),('rack/sack','tcp/LossRecovery'),('rack/sack','tcp/Frto'),
('cc','tcp/CongestionControl'),('timers','tcp/KernelTimers'),('timers','tcp/AuxTimers'),('timers','tcp/DelayedAck'),('timers','tcp/ShardClock'),
('conntable','tcp/ConnectionTable'),('conntable','tcp/PortPool'),('conntable','tcp/TimeWaitCompactor'),
('application','tcp/Application'),('application','simulator/Exchanges'),('application','simulator/SizeDistribution'),('shard/batch','tcp/TcpShard'),('shard/batch','tcp/EventBatch'),('report','simulator/report/'),('trace','tcp/TraceLog'),('jdk','java/'),('jdk','jdk/')]
def room(fr):
    for r,p in rooms:
        if p in fr: return r
    return 'other:'+fr
selfr=collections.Counter(); incl=collections.Counter(); selfc=collections.Counter(); kinds=collections.Counter(); T=0
for line in open(f):
    s,n=line.rsplit(' ',1); n=int(n)
    fr=s.split(';')
    if 'escapement-shard' not in fr[0]: continue
    T+=n
    # leaf java frame
    jf=[x for x in fr[1:] if '/' in x or '.' in x]
    leaf=fr[-1]
    m=re.search(r'_\[(\w)\]$',leaf); kinds[m.group(1) if m else 'native']+=n
    leafn=re.sub(r'_\[\w\]$','',leaf)
    selfr[room(leafn)]+=n
    selfc[leafn.split('.')[0] if '/' in leafn else leafn]+=n
    seen=set(room(re.sub(r'_\[\w\]$','',x)) for x in fr[1:])
    for r in seen: incl[r]+=n
print('shard samples',T)
print('leaf frame kind', {k:f"{100*v/T:.1f}%" for k,v in kinds.items()})
print('--- self by room'); 
for k,v in selfr.most_common(25): print(f"{v:6d} {100*v/T:5.1f}% {k}")
print('--- inclusive by room (sample counted once per room on its stack)')
for k,v in incl.most_common(25): 
    if not k.startswith('other'): print(f"{v:6d} {100*v/T:5.1f}% {k}")
print('--- self by class')
for k,v in selfc.most_common(30): print(f"{v:6d} {100*v/T:5.1f}% {k}")
