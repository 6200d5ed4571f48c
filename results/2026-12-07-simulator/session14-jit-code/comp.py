import re,sys
# Summarize C2 tasks of a -XX:+LogCompilation file: per task method, start/end stamp, inlined bytecode total, nmsize
attr=re.compile(r"(\w+)='([^']*)'")
def A(l): return dict(attr.findall(l))
f=sys.argv[1]; tree=sys.argv[2] if len(sys.argv)>2 else None
tasks=[];cur=None;methods={};stack=[];pending=None
for l in open(f,errors='replace'):
    l=l.strip()
    if l.startswith('<task ') :
        a=A(l); cur=dict(m=' '.join(a['method'].split(' ')[:2]),bytes=int(a.get('bytes',0)),start=float(a['stamp']),osr='osr_bci' in a,level=a.get('level','4'),inl=0,lines=[]);methods={};stack=[];depth=0
        continue
    if cur is None: continue
    if l.startswith('<method '):
        a=A(l); methods[a['id']]=(a['holder'],a['name'],int(a.get('bytes',0)))
    elif l.startswith('<klass '):
        a=A(l); methods['k'+a['id']]=a['name']
    elif l.startswith('<call '):
        a=A(l); pending=a
    elif l.startswith('<inline_success') and pending:
        h,n,b=methods[pending['method']]; cur['inl']+=b
        cur['lines'].append('  '*len(stack)+'+ %s.%s %d cnt=%s'%(methods.get('k'+h,h).split('/')[-1],n,b,pending.get('count')))
    elif l.startswith('<inline_fail') and pending:
        h,n,b=methods[pending['method']]
        cur['lines'].append('  '*len(stack)+'- %s.%s %d cnt=%s (%s)'%(methods.get('k'+h,h).split('/')[-1],n,b,pending.get('count'),A(l).get('reason')))
    elif l.startswith('<parse ') and not l.endswith('/>'):
        stack.append(1)
    elif l.startswith('</parse>'):
        if stack: stack.pop()
    elif l.startswith('<task_done'):
        a=A(l); cur['end']=float(a['stamp']); cur['nm']=int(a.get('nmsize',0)); cur['ok']=a.get('success')
        tasks.append(cur); cur=None
c2=[t for t in tasks if t['level']=='4']
print('C2 tasks',len(c2),'sum time %.2f'%sum(t['end']-t['start'] for t in c2))
for t in sorted(c2,key=lambda t:-(t['end']-t['start']))[:25]:
    print('%6.2f %6.2f-%6.2f %s%s bytes=%d inlined=%d nm=%d'%(t['end']-t['start'],t['start'],t['end'],t['m'].split('/')[-1].replace(' ','.'),' OSR' if t['osr'] else '',t['bytes'],t['inl'],t['nm']))
if tree:
    for t in c2:
        if tree in t['m']:
            print('=== ',t['m'],t['start'],t['end'],t['inl']); print('\n'.join(t['lines']))
sim=[t for t in c2 if 'escapement' in t['m']]
print('escapement C2 tasks %d, bytecode compiled (root+inlined) %d, nmethod bytes %d, time %.2f'%(len(sim),sum(t['bytes']+t['inl'] for t in sim),sum(t['nm'] for t in sim),sum(t['end']-t['start'] for t in sim)))
import collections
agg=collections.defaultdict(lambda:[0,0,0.0])
for t in sim:
    k=t['m'].split('.')[-1].replace(' ','.')+(' OSR' if t['osr'] else '')
    agg[k][0]+=1; agg[k][1]+=t['bytes']+t['inl']; agg[k][2]+=t['end']-t['start']
for k,v in sorted(agg.items(),key=lambda kv:-kv[1][1])[:30]: print('%3d %6d %5.2f %s'%(v[0],v[1],v[2],k))
