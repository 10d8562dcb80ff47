#!/usr/bin/env python3
"""Reference expander for the iCalendar differential corpus.

Usage: reference.py [--from 2018-01-01] [--to 2028-01-01] [--tz Europe/Berlin] FILE.ics...

Prints one JSON line per file:
  {"file": ..., "ok": true, "vevents": N, "occurrences": [{"uid", "recurrence_id", "start",
   "end", "all_day", "summary", "status"}, ...]}
  {"file": ..., "ok": false, "error": "..."}

Expansion is done by recurring-ical-events (skip_bad_series: a series whose RRULE cannot be
expanded is dropped, the rest kept) after x-wr-timezone has applied X-WR-TIMEZONE, as
recurring-ical-events recommends. Several VCALENDARs in one file are expanded one after another.
Timed occurrences are given as RFC 3339 UTC ("...Z"); floating times are wall-clock times in the
viewer zone (--tz). All-day occurrences are YYYY-MM-DD, end exclusive. An occurrence is kept when
it overlaps [from, to) (UTC midnights; all-day dates are placed in the viewer zone); an
occurrence of zero length is kept when from <= start < to. STATUS:CANCELLED occurrences are
kept (with "status": "CANCELLED"), as recurring-ical-events returns them; "status" is "" when
the event has none. "vevents" is the number of VEVENT
components python-icalendar found (for the crate comparison); VEVENTs without DTSTART are
skipped. Output is sorted by
(start, end, uid, recurrence_id, summary).
"""
import argparse
import warnings
import datetime as dt
import json
import sys
import zoneinfo

import icalendar
import recurring_ical_events
import x_wr_timezone

UTC = dt.timezone.utc


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--from", dest="start", default="2018-01-01", type=dt.date.fromisoformat)
    p.add_argument("--to", dest="end", default="2028-01-01", type=dt.date.fromisoformat)
    p.add_argument("--tz", default="Europe/Berlin", help="viewer zone for floating times")
    p.add_argument("files", nargs="+")
    return p.parse_args(argv)


def to_utc(value, viewer):
    """An aware UTC datetime for a date-time value (floating = viewer zone)."""
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        value = value.replace(tzinfo=viewer)
    return value.astimezone(UTC)


def is_date(value):
    return isinstance(value, dt.date) and not isinstance(value, dt.datetime)


def fmt(value, viewer):
    if value is None:
        return None
    if is_date(value):
        return value.isoformat()
    return to_utc(value, viewer).strftime("%Y-%m-%dT%H:%M:%SZ")


def first(prop):
    """A property that appears more than once is a list in python-icalendar; take the first."""
    return prop[0] if isinstance(prop, list) else prop


def occurrence(comp, viewer):
    start = first(comp.get("DTSTART")).dt
    all_day = is_date(start)
    try:
        end = comp.end  # python-icalendar: DTEND, DTSTART+DURATION, or the RFC 5545 default
    except Exception:  # noqa: BLE001 - broken DTEND/DURATION
        end = None
    if end is None:
        end = start + dt.timedelta(days=1) if all_day else start
    if all_day and not is_date(end):
        end = end.date() if hasattr(end, "date") else end
    rid = first(comp.get("RECURRENCE-ID"))
    return {
        "uid": str(comp.get("UID", "")),
        "recurrence_id": fmt(rid.dt, viewer) if rid is not None else None,
        "start": fmt(start, viewer),
        "end": fmt(end, viewer),
        "all_day": all_day,
        "summary": str(comp.get("SUMMARY", "")),
        "status": str(first(comp.get("STATUS", ""))).upper(),
    }


def overlaps(occ, lo, hi, viewer):
    def instant(text):
        if len(text) == 10:
            d = dt.date.fromisoformat(text)
            return dt.datetime(d.year, d.month, d.day, tzinfo=viewer).astimezone(UTC)
        return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)

    s, e = instant(occ["start"]), instant(occ["end"])
    if e <= s:
        return lo <= s < hi
    return s < hi and e > lo


def expand_file(path, lo_date, hi_date, viewer):
    with open(path, "rb") as f:
        data = f.read()
    calendars = icalendar.Calendar.from_ical(data, multiple=True)
    lo = dt.datetime(lo_date.year, lo_date.month, lo_date.day, tzinfo=UTC)
    hi = dt.datetime(hi_date.year, hi_date.month, hi_date.day, tzinfo=UTC)
    # Ask with a margin of two days (floating and all-day values are compared naively by
    # recurring-ical-events), then filter exactly.
    q_lo, q_hi = lo_date - dt.timedelta(days=2), hi_date + dt.timedelta(days=2)
    occurrences, vevents = [], 0
    for cal in calendars:
        if cal.name != "VCALENDAR":  # a bare VEVENT/VTIMEZONE file: wrap it
            wrapper = icalendar.Calendar()
            wrapper.add_component(cal)
            cal = wrapper
        vevents += len(cal.walk("VEVENT"))
        # A VEVENT without DTSTART (legal in iTIP METHOD messages, common in test files) has no
        # occurrence; recurring-ical-events raises on it, so it is dropped here.
        cal.subcomponents = [
            c for c in cal.subcomponents if c.name != "VEVENT" or "DTSTART" in c
        ]
        cal = x_wr_timezone.to_standard(cal)
        for comp in recurring_ical_events.of(cal, skip_bad_series=True).between(q_lo, q_hi):
            occ = occurrence(comp, viewer)
            if overlaps(occ, lo, hi, viewer):
                occurrences.append(occ)
    key = lambda o: (o["start"], o["end"], o["uid"], o["recurrence_id"] or "", o["summary"])
    occurrences.sort(key=key)
    return {"file": path, "ok": True, "vevents": vevents, "occurrences": occurrences}


def main(argv=None):
    args = parse_args(argv)
    viewer = zoneinfo.ZoneInfo(args.tz)
    warnings.simplefilter("ignore")  # python-icalendar warns on guessed vendor TZIDs
    for path in args.files:
        try:
            result = expand_file(path, args.start, args.end, viewer)
        except Exception as err:  # noqa: BLE001 - one bad file must not stop the run
            result = {"file": path, "ok": False, "error": f"{type(err).__name__}: {err}"}
        sys.stdout.write(json.dumps(result, ensure_ascii=False, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
