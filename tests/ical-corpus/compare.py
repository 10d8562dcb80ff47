#!/usr/bin/env python3
"""Compares the engine's occurrences with the reference expander's, file by file.

Usage: compare.py REFERENCE.jsonl ENGINE.jsonl [--differences occurrence-differences.tsv]
                  [--show N]

Both inputs are JSON lines as reference.py prints them (the engine's from the
`ics_occurrences` example). Occurrences are matched per file by their start (the instant for a
timed one, the date for an all-day one); several with the same start are paired first where
end, summary and status agree. A file's differences are counted as:

  missing    in the reference, not in the engine (cancelled: of those, the reference's
             STATUS:CANCELLED ones, which the engine hides on purpose)
  extra      in the engine, not in the reference
  end, summary, status   paired occurrences whose field differs

and summed up as a signature ("missing=2 cancelled=2 extra=0 end=0 summary=0 status=0", or
"reference-error" when the reference could not read the file, "engine-error" likewise).
A file passes when it has no difference and is not listed, or when its signature is exactly the
one listed in the differences file (file, signature, reason: tab-separated, '#' comments). A
new difference fails, and so does a listed one that changed or went away, so the list stays
true. The last line is "ical-corpus: N passed, M failed"; the exit code is 1 on any failure.
"""
import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

FIELDS = ("end", "summary", "status")


def load(path):
    """File name -> the reference.py record."""
    records = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                record = json.loads(line)
                records[Path(record["file"]).name] = record
    return records


def status(occ):
    # An event without STATUS is confirmed (RFC 5545 §3.8.1.11 gives no default; the engine
    # stores "confirmed", the reference prints "").
    return occ.get("status") or "CONFIRMED"


def key(occ):
    return occ["start"]


def fields(occ):
    return (occ["end"], occ["summary"], status(occ))


def compare_file(reference, engine):
    """(signature, details): the signature is "" when the file has no difference."""
    if not reference.get("ok"):
        return "reference-error", [reference.get("error", "")]
    if not engine.get("ok"):
        return "engine-error", [engine.get("error", "")]
    ref_by_start, eng_by_start = defaultdict(list), defaultdict(list)
    for occ in reference["occurrences"]:
        ref_by_start[key(occ)].append(occ)
    for occ in engine["occurrences"]:
        eng_by_start[key(occ)].append(occ)
    counts = dict.fromkeys(("missing", "cancelled", "extra") + FIELDS, 0)
    details = []
    for start in sorted(set(ref_by_start) | set(eng_by_start)):
        refs, engs = list(ref_by_start[start]), list(eng_by_start[start])
        # Exact pairs first, so that a start shared by several events pairs the right ones.
        for occ in list(refs):
            twin = next((e for e in engs if fields(e) == fields(occ)), None)
            if twin is not None:
                refs.remove(occ)
                engs.remove(twin)
        # A cancelled occurrence the engine hides is not paired with another event's.
        for occ in [o for o in refs if status(o) == "CANCELLED"]:
            refs.remove(occ)
            counts["missing"] += 1
            counts["cancelled"] += 1
            details.append(f"missing (cancelled) {start} {occ['summary']!r}")
        for ref_occ, eng_occ in zip(refs, engs):
            for name, a, b in zip(FIELDS, fields(ref_occ), fields(eng_occ)):
                if a != b:
                    counts[name] += 1
                    details.append(f"{name} at {start}: reference {a!r}, engine {b!r}")
        for occ in refs[len(engs):]:
            counts["missing"] += 1
            details.append(f"missing {start}..{occ['end']} {occ['summary']!r}")
        for occ in engs[len(refs):]:
            counts["extra"] += 1
            details.append(f"extra {start}..{occ['end']} {occ['summary']!r}")
    if not any(counts.values()):
        return "", []
    return " ".join(f"{k}={v}" for k, v in counts.items()), details


def load_differences(path):
    listed = {}
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            cells = line.split("\t")
            if len(cells) != 3 or not cells[2].strip():
                sys.exit(f"{path}:{number}: want file<TAB>signature<TAB>reason")
            listed[cells[0]] = cells[1]
    return listed


def main(argv=None):
    here = Path(__file__).resolve().parent
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("reference")
    p.add_argument("engine")
    p.add_argument("--differences", default=here / "occurrence-differences.tsv")
    p.add_argument("--show", type=int, default=5, help="details shown per failing file")
    args = p.parse_args(argv)

    reference, engine = load(args.reference), load(args.engine)
    listed = load_differences(args.differences)
    passed, failed = 0, 0
    for name in sorted(set(reference) | set(engine)):
        if name not in reference or name not in engine:
            print(f"{name}: only in {'the engine' if name in engine else 'the reference'}'s output")
            failed += 1
            continue
        signature, details = compare_file(reference[name], engine[name])
        expected = listed.get(name, "")
        if signature == expected:
            passed += 1
            continue
        failed += 1
        if not signature:
            print(f"{name}: listed as '{expected}' but now matches: remove it from the list")
        else:
            was = f" (listed: '{expected}')" if expected else ""
            print(f"{name}: {signature}{was}")
            for line in details[: args.show]:
                print(f"    {line}")
    for name in sorted(set(listed) - set(reference)):
        print(f"{name}: listed but not in the corpus")
        failed += 1
    print(f"ical-corpus: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
