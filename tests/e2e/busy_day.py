"""A busy day of calendar data, always relative to now so it looks like a live day: 46 events
over a Google account (the fake Google's admin JSON, Google's event resource) and a Microsoft
365 account (the fake Microsoft's admin JSON, Graph's create-event shape). Two meetings under
way (20 and 35 min left), the next in 3 min, back-to-back meetings for the rest of the
afternoon, one from 23:00 yesterday to 01:00 today, four all-day items today (one of them a
three-day "Out of office"), tentative, unanswered and declined invitations, a cancelled
instance of a series, Meet and Teams links, a hostile 2,000-character title, the same
invitation in both accounts (same iCalUID and start), and six more days of meetings.

`build(now)` is pure (the tests choose the clock); `busy_day.py json` prints the data as of now.
"""

import datetime as dt
import json
import re
import sys
from dataclasses import dataclass, field

# The accounts the fakes sign in (fake_google.USER, fake_microsoft's profile).
GOOGLE_USER = "user@example.com"
MICROSOFT_USER = "megan@contoso.example"

MEET = "https://meet.google.com/bsy-dayx-now"
TEAMS = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_busyday%40thread.v2/0"
ZOOM = "https://zoom.us/j/81234500001"

T_ONGOING_SHORT = "Design review"  # under way, 20 min left, Google, Meet link
T_ONGOING_LONG = "Budget sync"  # under way, 35 min left, Microsoft, Teams link
T_NEXT = "1:1 with Priya"  # in 3 min, Google, Zoom link in the location
T_OVERNIGHT = "Release watch (overnight)"  # 23:00 yesterday to 01:00 today
T_MERGED = "Quarterly planning"  # the same invitation in both accounts
T_TENTATIVE = "Vendor demo"
T_UNANSWERED = "Hiring sync"
T_DECLINED = "Architecture forum"
T_SERIES = "Team stand-up"  # daily from tomorrow; one instance cancelled
T_HOLIDAY = "Holiday: Founders' Day"
T_OOO = "Out of office"
T_BIRTHDAY = "Birthday: Sam"
T_FOCUS = "Focus day"
ALL_DAY_TODAY = (T_HOLIDAY, T_OOO, T_BIRTHDAY, T_FOCUS)

# A title from a stranger: markup, terminal escapes, 2,000 characters.
XSS = "<img src=x onerror=alert(1)>"
HOSTILE_TITLE = (f"\x1b[31m{XSS}\x1b[0m Hostile \x1b]0;pwned\x07title "
                 + "padding the title out " * 100)[:2000]
MERGED_UID = "quarterly-planning-20261201@fabrikam.example"
# An attendee's surname found in several events, for the search box.
SEARCH_ATTENDEE = "Okonkwo"
TOTAL_EVENTS = 46

_CHIDI = ("chidi.okonkwo@example.com", "Chidi Okonkwo")
_PRIYA = ("priya.raman@example.com", "Priya Raman")
_ZOLTAN = ("zoltan.kovacs@example.com", "Zoltán Kovács")
_ADELE = ("adele.vance@fabrikam.example", "Adele Vance")

# Later days: (day offset, local hour, minute, minutes long, account, title, attendees, link).
_LATER = [
    (1, 11, 0, 60, "google", "Design critique: onboarding", [_PRIYA, _CHIDI], MEET),
    (1, 14, 0, 30, "microsoft", "Contoso renewal prep", [_ADELE], TEAMS),
    (1, 16, 30, 45, "google", "Interview: backend engineer", [_ZOLTAN], None),
    (1, 18, 0, 30, "microsoft", "Expense approvals", [], None),
    (2, 10, 0, 60, "microsoft", "Quarterly business review", [_ADELE, _CHIDI], TEAMS),
    (2, 13, 0, 30, "google", "Lunch & learn: Rust async", [], None),
    (2, 15, 0, 60, "microsoft", "Finance sync", [], TEAMS),
    (2, 17, 0, 30, "google", "Mentoring: Zoltán", [_ZOLTAN], MEET),
    (3, 11, 0, 90, "google", "Workshop: incident drills", [_PRIYA, _ZOLTAN], MEET),
    (3, 14, 30, 30, "microsoft", "Partner check-in", [_ADELE], TEAMS),
    (3, 16, 0, 60, "google", "Product demo rehearsal", [], None),
    (3, 17, 30, 30, "microsoft", "Travel booking", [], None),
    (4, 10, 30, 60, "google", "Board deck review", [_PRIYA], MEET),
    (4, 13, 0, 45, "microsoft", "Procurement sync", [_CHIDI], TEAMS),
    (4, 15, 0, 30, "google", "Dentist", [], None),
    (4, 16, 0, 60, "microsoft", "Year-end planning", [_ADELE], TEAMS),
    (5, 11, 0, 60, "google", "Hackathon kickoff", [_ZOLTAN, _PRIYA], MEET),
    (5, 14, 0, 60, "microsoft", "Security training", [], TEAMS),
    (5, 16, 0, 30, "google", "Weekly wrap-up", [], None),
    (6, 10, 0, 120, "google", "Offsite planning", [_PRIYA, _ZOLTAN, _CHIDI], None),
    (6, 14, 0, 30, "microsoft", "Contract signing", [_ADELE], TEAMS),
    (6, 15, 0, 60, "google", "Reading group", [], None),
]


@dataclass
class BusyDay:
    """The day's data and what the tests expect of it."""
    now: dt.datetime  # aware, UTC
    google: list = field(default_factory=list)  # event resources for the fake's admin API
    microsoft: list = field(default_factory=list)  # Graph create-event JSON
    # Title -> (start, end) as aware datetimes, for every timed event seeded (the series once,
    # at its first instance).
    times: dict = field(default_factory=dict)
    occurrences: int = 0  # every event occurrence seeded, a cancelled instance included

    def starts(self, title):
        return self.times[title][0]


def _utc(t):
    return t.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _graph(t):
    return {"dateTime": t.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.0000000"),
            "timeZone": "UTC"}


def _graph_date(d):
    return {"dateTime": f"{d:%Y-%m-%d}T00:00:00.0000000", "timeZone": "UTC"}


def shown_title(raw, cap=1024):
    """A title as the engine keeps and shows it: capped at `cap` bytes with "…" (the engine's
    MAX_TITLE), terminal escapes removed, whitespace runs made one space (text::one_line)."""
    data = raw.encode()
    if len(data) > cap:
        raw = data[:cap - len("…".encode())].decode(errors="ignore") + "…"
    raw = re.sub(r"\x1b\[[0-?]*[ -/]*[@-~]", "", raw)  # CSI
    raw = re.sub(r"\x1b\][^\x07\x1b]*(\x07|\x1b\\)", "", raw)  # OSC to BEL or ST
    return " ".join(raw.split())


def tray_title(raw, chars=60):
    """A title as the tray shows it: shown_title cut at `chars` characters with "…" (menus do
    not wrap; the engine's agenda::TITLE_CHARS)."""
    shown = shown_title(raw)
    return shown if len(shown) <= chars else shown[:chars].rstrip() + "…"


class _Builder:
    def __init__(self, now):
        self.day = BusyDay(now=now.astimezone(dt.timezone.utc).replace(microsecond=0))
        self.local_now = self.day.now.astimezone()
        self.today = self.local_now.date()
        self.tz = self.local_now.tzinfo

    def local(self, day_offset, hour, minute=0):
        d = self.today + dt.timedelta(days=day_offset)
        return dt.datetime(d.year, d.month, d.day, hour, minute).astimezone()

    def google(self, ev_id, title, start, end, attendees=(), me="accepted", organizer=None,
               link=None, location=None, description=None, reminder=None, **extra):
        body = {"id": ev_id, "summary": title, "start": {"dateTime": _utc(start)},
                "end": {"dateTime": _utc(end)}}
        if attendees or organizer:
            org_email, org_name = organizer or (GOOGLE_USER, None)
            people = [{"email": email, "displayName": name, "responseStatus": "accepted",
                       **({"organizer": True} if email == org_email else {})}
                      for email, name in attendees]
            people.append({"email": GOOGLE_USER, "self": True, "responseStatus": me,
                           **({"organizer": True} if org_email == GOOGLE_USER else {})})
            body["attendees"] = people
            body["organizer"] = ({"email": org_email, "self": True} if org_email == GOOGLE_USER
                                 else {"email": org_email, "displayName": org_name})
        if link == MEET:
            body["hangoutLink"] = MEET
        elif link:
            location = location or link
        if location:
            body["location"] = location
        if description:
            body["description"] = description
        if reminder is not None:
            body["reminders"] = {"useDefault": False,
                                 "overrides": [{"method": "popup", "minutes": reminder}]}
        body.update(extra)
        self.day.google.append(body)
        self.day.times[title] = (start, end)
        self.day.occurrences += 1

    def microsoft(self, title, start, end, attendees=(), response="organizer", organizer=None,
                  link=None, location=None, body=None, reminder=None, **extra):
        event = {"subject": title, "start": _graph(start), "end": _graph(end),
                 "responseStatus": {"response": response, "time": "0001-01-01T00:00:00Z"}}
        if attendees:
            event["attendees"] = [{"type": "required", "emailAddress": {"name": name, "address": email},
                                   "status": {"response": "accepted", "time": _utc(self.day.now)}}
                                  for email, name in attendees]
        if organizer:
            event["organizer"] = {"emailAddress": {"address": organizer[0], "name": organizer[1]}}
            event["isOrganizer"] = False
        if link == TEAMS:
            event.update({"isOnlineMeeting": True, "onlineMeetingProvider": "teamsForBusiness",
                          "onlineMeeting": {"joinUrl": TEAMS}})
        elif link:
            location = location or link
        if location:
            event["location"] = {"displayName": location}
        if body:
            event["body"] = {"contentType": "text", "content": body}
        if reminder is not None:
            event.update({"isReminderOn": True, "reminderMinutesBeforeStart": reminder})
        event.update(extra)
        self.day.microsoft.append(event)
        self.day.times[title] = (start, end)
        self.day.occurrences += 1

    def google_all_day(self, ev_id, title, first, days=1):
        self.day.google.append({"id": ev_id, "summary": title, "transparency": "transparent",
                                "start": {"date": f"{first:%Y-%m-%d}"},
                                "end": {"date": f"{first + dt.timedelta(days=days):%Y-%m-%d}"}})
        self.day.occurrences += 1

    def microsoft_all_day(self, title, first, days=1, show_as="free"):
        self.day.microsoft.append({"subject": title, "isAllDay": True, "showAs": show_as,
                                   "start": _graph_date(first),
                                   "end": _graph_date(first + dt.timedelta(days=days))})
        self.day.occurrences += 1


def build(now):
    """The busy day as of `now` (an aware datetime), in the local time zone."""
    b = _Builder(now)
    n = b.day.now
    m = lambda minutes: n + dt.timedelta(minutes=minutes)  # noqa: E731

    # Started yesterday, ends after midnight (only under way when run just after midnight).
    b.google("busyovernight", T_OVERNIGHT, b.local(-1, 23), b.local(0, 1), location="War room")
    # Two meetings under way, overlapping; the next one in 3 minutes.
    b.google("busydesign", T_ONGOING_SHORT, m(-25), m(20), attendees=[_PRIYA, _ZOLTAN, _CHIDI],
             organizer=_PRIYA, link=MEET, description="Walk through the new onboarding flow.",
             reminder=10)
    b.microsoft(T_ONGOING_LONG, m(-25), m(35), attendees=[_ADELE], organizer=_ADELE,
                response="accepted", link=TEAMS, body="Numbers for Q1, see the sheet.", reminder=15)
    b.google("busyoneonone", T_NEXT, m(3), m(33), attendees=[_PRIYA], organizer=_PRIYA, link=ZOOM,
             reminder=5)
    # Back to back for the rest of the afternoon, from both accounts.
    b.google("busyroadmap", "Roadmap check-in", m(35), m(65), attendees=[_ZOLTAN], link=MEET)
    b.google("busyhostile", HOSTILE_TITLE, m(65), m(95),
             description=f"{XSS}\n\x1b[2J\x1b[31mred alert\x1b[0m")
    invite = dict(attendees=[_PRIYA, _CHIDI, _ADELE], organizer=_ADELE)
    b.google("busymergedg", T_MERGED, m(95), m(125), iCalUID=MERGED_UID, **invite,
             location="Fabrikam HQ, Room 12")
    b.microsoft(T_MERGED, m(95), m(125), iCalUId=MERGED_UID, response="accepted",
                location="Fabrikam HQ, Room 12", **invite)
    b.microsoft(T_TENTATIVE, m(125), m(155), attendees=[_ADELE], organizer=_ADELE,
                response="tentativelyAccepted", showAs="tentative", link=TEAMS)
    b.google("busyhiring", T_UNANSWERED, m(155), m(185), attendees=[_CHIDI, _ZOLTAN],
             organizer=_CHIDI, me="needsAction", link=MEET)
    b.microsoft("Sprint retro", m(185), m(215), link=TEAMS)
    b.google("busydeclined", T_DECLINED, m(185), m(245), attendees=[_ZOLTAN], organizer=_ZOLTAN,
             me="declined")
    b.google("busysecurity", "Security review", m(215), m(245), attendees=[_CHIDI], link=MEET)
    b.microsoft("Customer call: Contoso", m(245), m(275), attendees=[_ADELE, _CHIDI], link=TEAMS)
    # All day today: a holiday, three days out of office, a birthday, a focus day.
    b.google_all_day("busyholiday", T_HOLIDAY, b.today)
    b.microsoft_all_day(T_OOO, b.today - dt.timedelta(days=1), days=3, show_as="oof")
    b.google_all_day("busybirthday", T_BIRTHDAY, b.today)
    b.microsoft_all_day(T_FOCUS, b.today)
    # A daily stand-up from tomorrow for six days; the third instance is cancelled.
    first = b.local(1, 9, 30)
    b.google("busystandup", T_SERIES, first, first + dt.timedelta(minutes=15),
             recurrence=["RRULE:FREQ=DAILY;COUNT=6"], link=MEET)
    b.day.occurrences += 5  # the other instances
    cancelled = first + dt.timedelta(days=2)
    b.day.google.append({"recurringEventId": "busystandup", "status": "cancelled",
                         "originalStartTime": {"dateTime": _utc(cancelled)}})
    # The next six days.
    for day, hour, minute, minutes, account, title, people, link in _LATER:
        start = b.local(day, hour, minute)
        end = start + dt.timedelta(minutes=minutes)
        if account == "google":
            slug = re.sub(r"[^a-z0-9]", "", title.lower())[:40]
            b.google(f"busy{slug}", title, start, end, attendees=people, link=link)
        else:
            b.microsoft(title, start, end, attendees=people, link=link)
    assert b.day.occurrences == TOTAL_EVENTS, b.day.occurrences
    return b.day


def seed(day, google, microsoft):
    """Puts the day into running fakes (objects with put_events, as in fake_google.py and
    fake_microsoft.py)."""
    google.put_events(day.google)
    microsoft.put_events(day.microsoft)


def main(argv):
    if argv[1:] != ["json"]:
        print(f"usage: {argv[0]} json", file=sys.stderr)
        return 2
    day = build(dt.datetime.now(dt.timezone.utc))
    json.dump({"now": _utc(day.now), "google": day.google, "microsoft": day.microsoft},
              sys.stdout, indent=1, ensure_ascii=False)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
