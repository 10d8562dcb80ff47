#!/usr/bin/env python3
"""Compare icaleval output (eval.jsonl) with reference.py output (ref.jsonl)."""
import collections, datetime as dt, json, sys, zoneinfo

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
ev = {json.loads(l)["file"]: json.loads(l) for l in open(sys.argv[1])}
ref = {json.loads(l)["file"]: json.loads(l) for l in open(sys.argv[2])}

def ts(s):
    if len(s) == 10:
        d = dt.date.fromisoformat(s)
        return int(dt.datetime(d.year, d.month, d.day, tzinfo=BERLIN).timestamp())
    return int(dt.datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.timezone.utc).timestamp())

n = len(ev)
stats = collections.Counter()
rows = []
for f, e in sorted(ev.items()):
    r = ref[f]
    name = f.rsplit("/", 1)[-1]
    stats["cc_fail"] += not e["cc_ok"]
    stats["ic_fail"] += not e["ic_ok"]
    if not r["ok"]:
        stats["ref_fail"] += 1
        continue
    rv = r["vevents"]
    stats["ref_vevents"] += rv
    stats["cc_vevents"] += e["cc_vevents"]
    stats["ic_vevents"] += e["ic_vevents"]
    stats["cc_vev_match"] += e["cc_vevents"] == rv
    stats["ic_vev_match"] += e["ic_vevents"] == rv
    rs = collections.Counter(ts(o["start"]) for o in r["occurrences"])
    cs = collections.Counter(e["cc_starts"])
    stats["ref_occ"] += sum(rs.values())
    stats["cc_occ"] += sum(cs.values())
    stats["cc_occ_common"] += sum((rs & cs).values())
    same = rs == cs
    stats["cc_same_files"] += same
    stats["ref_ok_files"] += 1
    if not same or e["cc_vevents"] != rv or e["ic_vevents"] != rv or not e["cc_ok"] or not e["ic_ok"]:
        rows.append((name, rv, e["cc_vevents"], e["ic_vevents"], sum(rs.values()), sum(cs.values()),
                     sum((rs - cs).values()), sum((cs - rs).values()), e["cc_expand_errors"],
                     e["cc_err"][:40], e["ic_err"][:40]))
print(dict(stats))
big = max(ev.values(), key=lambda e: e["cc_parse_us"])
print("slowest calcard parse", big["file"], big["cc_parse_us"], "us; expand", big["cc_expand_us"], "us; icalendar parse", big["ic_parse_us"], "us")
print("total calcard parse us", sum(e["cc_parse_us"] for e in ev.values()), "expand us", sum(e["cc_expand_us"] for e in ev.values()), "icalendar parse us", sum(e["ic_parse_us"] for e in ev.values()))
print("file | ref VEVENTs | calcard | icalendar | ref occ | calcard occ | missing | extra | cc expand errs | cc err | ic err")
for row in rows:
    print(" | ".join(str(x) for x in row))
