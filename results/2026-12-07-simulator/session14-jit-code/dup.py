import re,sys,collections
# per method: times inlined into C2 roots (escapement roots), bytes inlined (own size x times), and subtree bytes
exec(open('comp.py').read().split("c2=[t for t")[0].replace("f=sys.argv[1]; tree=sys.argv[2] if len(sys.argv)>2 else None","f=sys.argv[1]; tree=None"))
c2=[t for t in tasks if t['level']=='4' and 'escapement' in t['m']]
cnt=collections.Counter(); sub=collections.Counter()
def depth(l): return (len(l)-len(l.lstrip(' ')))//2
for t in c2:
    L=t['lines']
    for k,l in enumerate(L):
        mm=re.match(r'\s*\+ (\S+) (\d+)',l)
        if not mm: continue
        d=depth(l); s=int(mm.group(2)); j=k+1
        while j<len(L) and depth(L[j])>d:
            m2=re.match(r'\s*\+ (\S+) (\d+)',L[j])
            if m2: s+=int(m2.group(2))
            j+=1
        name=mm.group(1).split('.')[-2]+'.'+mm.group(1).split('.')[-1]
        cnt[name]+=1; sub[name]+=s
for n,s in sub.most_common(int(sys.argv[2]) if len(sys.argv)>2 else 40): print('%6d %4d %s'%(s,cnt[n],n))
