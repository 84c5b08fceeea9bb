#!/usr/bin/env python3
"""Find what keeps plugin class loaders alive in an HPROF heap dump.

Usage: scripts/hprof-leaks.py dump.hprof [loader-class-substring]
Walks from GC roots without entering "plugin world" (the loader objects, classes they defined,
instances of those classes) and prints, for every distinct (holder class, field) that points into
plugin world, the shortest path from a root.
"""
import mmap, struct, sys
from collections import deque

path = sys.argv[1]
loader_name = sys.argv[2] if len(sys.argv) > 2 else 'HostFirstClassLoader'
f = open(path, 'rb')
m = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
end = m.find(b'\0')
pos = end + 1
IDS = struct.unpack('>I', m[pos:pos+4])[0]; pos += 4 + 8
assert IDS == 8
def rid(o): return struct.unpack_from('>Q', m, o)[0]
def u4(o): return struct.unpack_from('>I', m, o)[0]
def u2(o): return struct.unpack_from('>H', m, o)[0]
SIZES = {2: 8, 4: 1, 5: 2, 6: 4, 7: 8, 8: 1, 9: 2, 10: 4, 11: 8}
strings = {}
classnames = {}
classes = {}   # id -> dict(super, loader, statics[(name, type, value)], fields[(name,type)])
inst = {}      # id -> (offset of field bytes, class id)
arrs = {}      # id -> (offset of elements, n, arrayclass)
roots = []     # (id, kind)
prims = {}
size = len(m)
while pos < size:
    tag = m[pos]; length = u4(pos + 5); body = pos + 9; pos = body + length
    if tag == 0x01:
        strings[rid(body)] = m[body+8:body+length].decode('utf-8', 'replace')
    elif tag == 0x02:
        classnames[rid(body + 4)] = rid(body + 16)
    elif tag in (0x0C, 0x1C):
        p = body; e = body + length
        while p < e:
            st = m[p]; p += 1
            if st == 0xFF: roots.append((rid(p), 'unknown')); p += 8
            elif st == 0x01: roots.append((rid(p), 'jni-global')); p += 16
            elif st == 0x02: roots.append((rid(p), 'jni-local')); p += 16
            elif st == 0x03: roots.append((rid(p), 'java-frame')); p += 16
            elif st == 0x04: roots.append((rid(p), 'native-stack')); p += 12
            elif st == 0x05: roots.append((rid(p), 'sticky-class')); p += 8
            elif st == 0x06: roots.append((rid(p), 'thread-block')); p += 12
            elif st == 0x07: roots.append((rid(p), 'monitor')); p += 8
            elif st == 0x08: roots.append((rid(p), 'thread-object')); p += 16
            elif st == 0x20:
                cid = rid(p); sup = rid(p + 12); ld = rid(p + 20)
                p += 8 + 4 + 8 * 6 + 4
                n = u2(p); p += 2
                for _ in range(n):
                    t = m[p + 2]; p += 3 + SIZES[t]
                n = u2(p); p += 2
                statics = []
                for _ in range(n):
                    name = rid(p); t = m[p + 8]; p += 9
                    v = rid(p) if t == 2 else None
                    p += SIZES[t]
                    statics.append((name, t, v))
                n = u2(p); p += 2
                fields = []
                for _ in range(n):
                    fields.append((rid(p), m[p + 8])); p += 9
                classes[cid] = dict(super=sup, loader=ld, statics=statics, fields=fields)
            elif st == 0x21:
                oid = rid(p); cid = rid(p + 12); nb = u4(p + 20)
                inst[oid] = (p + 24, cid); p += 24 + nb
            elif st == 0x22:
                oid = rid(p); n = u4(p + 12); ac = rid(p + 16)
                arrs[oid] = (p + 24, n, ac); p += 24 + 8 * n
            elif st == 0x23:
                n = u4(p + 12); t = m[p + 16]
                if t == 8: prims[rid(p)] = (p + 17, n)
                p += 17 + n * SIZES[t]
            else:
                raise SystemExit('unknown subtag %x at %d' % (st, p))

def cname(cid):
    s = strings.get(classnames.get(cid), '?%x' % cid)
    return s.replace('/', '.')

layouts = {}
def layout(cid):
    if cid in layouts: return layouts[cid]
    out = []
    c = cid
    while c and c in classes:
        for (n, t) in classes[c]['fields']:
            out.append((strings.get(n, '?'), t))
        c = classes[c]['super']
    layouts[cid] = out
    return out

ref_classes = set()
for cid in classes:
    c = cid
    while c and c in classes:
        if cname(c) == 'java.lang.ref.Reference':
            ref_classes.add(cid); break
        c = classes[c]['super']

def edges(oid):
    if oid in inst:
        off, cid = inst[oid]
        yield ('<class>', cid)
        isref = cid in ref_classes
        for (n, t) in layout(cid):
            if t == 2:
                v = rid(off)
                if v and not (isref and n in ('referent', 'discovered')):
                    yield (n, v)
            off += SIZES[t]
    elif oid in arrs:
        off, n, ac = arrs[oid]
        for i in range(n):
            v = rid(off + 8 * i)
            if v: yield ('[%d]' % i, v)
    elif oid in classes:
        c = classes[oid]
        if c['loader']: yield ('<loader>', c['loader'])
        if c['super']: yield ('<super>', c['super'])
        for (n, t, v) in c['statics']:
            if t == 2 and v: yield ('static ' + strings.get(n, '?'), v)

def typename(oid):
    if oid in inst: return cname(inst[oid][1])
    if oid in arrs: return cname(arrs[oid][2])
    if oid in classes: return 'class ' + cname(oid)
    return '?'

loaders = {oid for oid, (off, cid) in inst.items() if loader_name in cname(cid)}
print('plugin loaders in dump:', len(loaders), file=sys.stderr)
plugin_classes = {cid for cid, c in classes.items() if c['loader'] in loaders}
def in_plugin_world(oid):
    if oid in loaders or oid in plugin_classes: return True
    if oid in inst: return inst[oid][1] in plugin_classes
    if oid in arrs: return arrs[oid][2] in plugin_classes
    return False

direct = [(r, kind) for (r, kind) in roots if in_plugin_world(r)]
print('%d roots directly in plugin world' % len(direct))
seen = set()
for (r, kind) in direct:
    key = (kind, typename(r))
    if key not in seen:
        seen.add(key)
        print('   root %s -> %s' % (kind, typename(r)))
parent = {}
q = deque()
for (r, kind) in roots:
    if r not in parent and not in_plugin_world(r):
        parent[r] = (None, 'root:' + kind); q.append(r)
hits = {}
while q:
    o = q.popleft()
    for (fname, v) in edges(o):
        if in_plugin_world(v):
            key = (typename(o), fname)
            if key not in hits:
                hits[key] = (o, v)
            continue
        if v not in parent:
            parent[v] = (o, fname); q.append(v)

def field(oid, want):
    off, cid = inst[oid]
    for (n, t) in layout(cid):
        if n == want and t == 2: return rid(off)
        off += SIZES[t]
    return None

def jstring(oid):
    if oid not in inst: return '?'
    v = field(oid, 'value')
    if v in prims:
        off, n = prims[v]
        return m[off:off+n].decode('latin-1')
    return '?'

def label(o):
    t = typename(o)
    if o in inst and 'Thread' in t:
        nm = field(o, 'name')
        if nm: return '%s "%s"' % (t, jstring(nm))
    return t

def chain(o):
    out = []
    while o is not None:
        p, fname = parent[o]
        out.append('%s  (via %s)' % (label(o), fname))
        o = p
    return list(reversed(out))

print('%d distinct edges into plugin world' % len(hits))
for (tn, fname), (o, v) in sorted(hits.items(), key=lambda kv: len(chain(kv[1][0]))):
    print('\n== %s .%s -> %s' % (tn, fname, typename(v)))
    for line in chain(o)[-12:]:
        print('   ', line)
