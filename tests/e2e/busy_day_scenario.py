"""The busy day end to end (busy_day.py's data in the fake Google and the fake Microsoft, both
accounts connected from the settings window): the dashboard, the tray over dbusmenu, the
next-up area, the search box and the merged meeting, with screenshots of the dashboard and
the settings in light and dark mode, at the default and the narrowest window width. Runs
inside test_desktop.py's harness (imported as `h`: processes, App, helpers)."""

import datetime as dt
import json
import os
import re
import subprocess
import time

import busy_day as bd
import dbusmenu
import test_desktop as h
from fake_google import CLIENT_ID, CLIENT_SECRET, USER, FakeGoogle
from fake_microsoft import DEFAULT_CALENDAR, FakeMicrosoft
from webdriver import wait_until

# The windows' sizes (src-tauri/src/windows.rs): the dashboard opens at 440x660, no window
# goes below 360x420, the settings window opens at 580x740.
DEFAULT_SIZE = (440, 660)
NARROW_SIZE = (360, 660)
SETTINGS_SIZE = (580, 740)
MS_CALENDAR = "Contoso work"  # the Microsoft account's calendar, renamed to tell it apart
MS_USER = bd.MICROSOFT_USER


def hhmm(t):
    return h.hhmm(t)


def check(cond, message):
    h.check(cond, message)


def minutes_text(text, word_re, around, slack=2):
    """Whether `text` has "<N> min" matching word_re ("{} min left", "in {} min") with N within
    `slack` minutes below `around` (the clock moves on while the test runs)."""
    for n in range(around - slack, around + 1):
        if re.search(word_re.format(n), text):
            return True
    return False


class BusyDayScenario:
    """One app run with the busy day in two accounts, then a second run in dark mode."""

    def __init__(self, suite, notifications):
        self.suite = suite
        self.notifications = notifications
        self.google = None
        self.microsoft = None
        self.app = None

    def setup(self):
        w = os.path.join(self.suite.workdir, "busy-day")
        os.makedirs(w)
        self.data_dir = os.path.join(w, "data")
        os.makedirs(self.data_dir)
        # No reminders (the day would pop a dozen); the Google client in the settings file, so
        # connecting goes straight to the browser.
        with open(os.path.join(self.data_dir, "config.toml"), "w") as f:
            f.write("[notifications]\nenabled = false\n\n"
                    f'[google]\nclient_id = "{CLIENT_ID}"\nclient_secret = "{CLIENT_SECRET}"\n')
        self.google = FakeGoogle(h.FAKE_BIN, os.path.join(h.ARTIFACTS, "busy-day-fake-google.log"),
                                 popen=h.PROCS.popen)
        self.microsoft = FakeMicrosoft(h.FAKE_MS_BIN, os.path.join(h.ARTIFACTS, "busy-day-fake-microsoft.log"),
                                       popen=h.PROCS.popen)
        self.microsoft._admin("POST", "/calendars", {"id": DEFAULT_CALENDAR, "name": MS_CALENDAR})
        self.day = bd.build(dt.datetime.now(dt.timezone.utc))
        self.google.put_events(self.day.google)
        self.microsoft.put_events(self.day.microsoft)
        self.opened_log = os.path.join(w, "opened-urls.txt")
        browser, bin_dir = h.fake_browser(w, self.opened_log)
        self.env = {**self.google.env(), **self.microsoft.env()}
        self.env.update({"CALBUDDY_SECRET_STORE": "file", "CALBUDDY_RETRY_BASE_MS": "50", "BROWSER": browser,
                         "PATH": bin_dir + os.pathsep + os.environ.get("PATH", "/usr/bin:/bin")})
        self.app = h.App("busy-day", self.data_dir, self.env)

    def teardown(self):
        h.quit_app(self.suite, self.app, "busy-day")
        for fake in (self.google, self.microsoft):
            if fake:
                fake.stop()

    # ---- helpers ----
    def shot(self, name, size, check_height=False):
        """Resizes the window, waits for the page to take the width (and height), saves a
        screenshot."""
        s = self.app.session
        s.set_window_size(*size)
        wait_until(f"the page to be {size[0]} px wide",
                   lambda: s.execute("return window.innerWidth;") == size[0], timeout=10)
        if check_height:
            wait_until(f"the page to be {size[1]} px tall",
                       lambda: s.execute("return window.innerHeight;") == size[1], timeout=10)
        time.sleep(0.7)  # let WebKit paint the new layout
        return s.screenshot(os.path.join(h.ARTIFACTS, name))

    def shot_full(self, name, width):
        """The whole page in one picture, to look at all of it: a window as tall as the page."""
        tall = min(int(self.app.session.execute("return document.documentElement.scrollHeight;")), 8000)
        return self.shot(name, (width, tall), check_height=True)

    def opened_urls(self):
        """Every URL the fake browser was given, in order."""
        with open(self.opened_log) as f:
            return f.read().splitlines()

    def cards(self):
        return self.app.cards()

    def wait_dashboard(self):
        want = {bd.T_ONGOING_SHORT, bd.T_ONGOING_LONG, bd.T_NEXT, bd.T_MERGED, bd.T_TENTATIVE,
                bd.T_UNANSWERED, bd.T_SERIES, *bd.ALL_DAY_TODAY}
        self.app.show("dashboard")
        try:
            wait_until("the busy day in the dashboard", lambda: want <= set(self.app.titles()), timeout=30)
        except TimeoutError as e:
            raise AssertionError(f"{e}; missing: {sorted(want - set(self.app.titles()))}") from None

    def screenshots(self, mode):
        self.wait_dashboard()
        self.shot(f"busy-day-{mode}-default.png", DEFAULT_SIZE)
        self.shot_full(f"busy-day-{mode}-full.png", DEFAULT_SIZE[0])
        self.shot(f"busy-day-{mode}-narrow.png", NARROW_SIZE)
        # Narrower than that the window does not go (its minimum size).
        self.app.session.set_window_size(NARROW_SIZE[0] - 60, NARROW_SIZE[1])
        time.sleep(0.5)
        width = self.app.session.execute("return window.innerWidth;")
        check(width == NARROW_SIZE[0], f"asked for {NARROW_SIZE[0] - 60} px, the window is {width} px wide")
        self.app.show("settings")
        self.app.session.wait_for_text("#account-list .account-name", MS_USER, timeout=10)
        self.shot(f"settings-{mode}.png", SETTINGS_SIZE)
        self.shot_full(f"settings-{mode}-full.png", SETTINGS_SIZE[0])
        if mode == "dark":
            # WebKitGTK draws the spin buttons itself: on the dark theme they must be dark too.
            light = self.spinner_lightness("#sync-interval")
            check(light < 0.35, f"the number field's spin buttons are light ({light:.2f}) on the dark theme")
        self.app.session.set_window_size(*DEFAULT_SIZE)
        self.app.show("dashboard")

    def spinner_lightness(self, selector):
        """How light (0 black .. 1 white, the mean grey) a number field's spin buttons are drawn:
        its right 16 px inside the border, from a screenshot of the window."""
        s = self.app.session
        rect = s.execute(
            "const e = document.querySelector(arguments[0]); e.scrollIntoView({block: 'center'});"
            "const r = e.getBoundingClientRect();"
            "return [Math.round(r.right), Math.round(r.top), Math.round(r.height)];", selector)
        time.sleep(0.5)  # let WebKit paint the scrolled page
        path = os.path.join(h.ARTIFACTS, "settings-spinner.png")
        s.screenshot(path)
        right, top, height = rect
        crop = f"12x{height - 12}+{right - 18}+{top + 6}"
        out = subprocess.run(["convert", path, "-crop", crop, "-colorspace", "Gray", "-format", "%[fx:mean]", "info:"],
                             capture_output=True, text=True, timeout=20)
        check(out.returncode == 0, f"convert could not read the spinner: {out.stderr.strip()}")
        return float(out.stdout)

    def dark(self):
        return self.app.session.execute("return matchMedia('(prefers-color-scheme: dark)').matches;")

    # b1
    def test_connect_both(self):
        app, s = self.app, self.app.session
        app.show("settings")
        s.wait_for("#connect-google", visible=True).click()
        try:
            s.wait_for_text("#connect-result", f"Connected {USER}", timeout=30)
        except TimeoutError as e:
            raise AssertionError(f"{e}; error: {s.texts('#connect-error')}") from None
        s.wait_for("#connect-microsoft", visible=True).click()
        try:
            s.wait_for_text("#connect-result", f"Connected {MS_USER}", timeout=30)
        except TimeoutError as e:
            raise AssertionError(f"{e}; error: {s.texts('#connect-error')}") from None
        names = s.texts("#account-list .account-name")
        check(sorted(names) == sorted([USER, MS_USER]), f"accounts listed: {names}")

    # b2
    def test_dashboard(self):
        check(not self.dark(), "the first run is in light mode, yet prefers-color-scheme is dark")
        self.screenshots("light")  # first: they are wanted whatever the checks find
        cards = self.cards()
        titles = [c["title"] for c in cards]
        timed = [c["title"] for c in cards if not c["allDay"]]
        order = [bd.T_NEXT, "Roadmap check-in", bd.T_MERGED, bd.T_TENTATIVE, bd.T_UNANSWERED,
                 "Sprint retro", "Security review", "Customer call: Contoso"]
        at = [timed.index(t) for t in order if t in timed]
        check(len(at) == len(order) and at == sorted(at), f"the afternoon is out of order: {timed}")
        first_two = set(timed[:2])
        check(first_two == {bd.T_ONGOING_SHORT, bd.T_ONGOING_LONG},
              f"the meetings under way do not lead the timed events: {timed[:4]}")
        ongoing = {c["title"] for c in cards if c["ongoing"]}
        check({bd.T_ONGOING_SHORT, bd.T_ONGOING_LONG} <= ongoing, f"marked as under way: {ongoing}")
        # All-day items as one compact line each, the three-day one on each of its days left.
        cards_all_day = [c for c in cards if c["allDay"]]
        check(all(c["line"] for c in cards_all_day), f"all-day items as cards: {cards_all_day}")
        ooo = [c for c in cards_all_day if c["title"] == bd.T_OOO]
        check(len(ooo) == 2, f"'{bd.T_OOO}' (yesterday to tomorrow) shows {len(ooo)} times, expected today's and "
              "tomorrow's line")
        # The series' cancelled instance is gone; the other five stay.
        standups = titles.count(bd.T_SERIES)
        check(standups == 5, f"{standups} '{bd.T_SERIES}' cards, expected 5 (one of six cancelled)")

    # b2b
    def test_hostile_title(self):
        """The 2,000-character title with markup and terminal escapes: plain text, escapes gone
        (as in the tray and the CLI), nothing run."""
        self.wait_dashboard()
        titles = self.app.titles()
        check(bd.shown_title(bd.HOSTILE_TITLE) in titles,
              f"the hostile title is not shown as text: {[t[:60] for t in titles if 'img' in t]}")
        page = self.app.session.execute("return document.body.innerText;")
        check("\x1b" not in page and "[31m" not in page and "pwned" not in page,
              "terminal escapes reach the page")
        imgs = self.app.session.execute("return document.querySelectorAll('img').length;")
        check(imgs == 0, f"{imgs} <img> element(s) in the page")

    # b3
    def test_tray(self):
        app = self.app
        day = self.day
        hostile = f"{hhmm(day.starts(bd.HOSTILE_TITLE))}  {bd.tray_title(bd.HOSTILE_TITLE)}"

        def ready():
            labels = app.menu().labels()
            return labels if hostile in labels and any(x.startswith("Join: ") for x in labels) else None
        try:
            wait_until("the busy day in the tray menu", ready, timeout=20)
        except TimeoutError as e:
            raise AssertionError(f"{e}; menu: {[x[:80] for x in app.menu().labels()]}") from None
        items = app.menu().items()
        labels = [i["label"] for i in items if i["type"] != "separator"]
        props = dbusmenu.indicator_properties(app.menu())
        with open(os.path.join(h.ARTIFACTS, "busy-day-tray.txt"), "w", encoding="utf-8") as f:
            f.write(f"title: {props.get('XAyatanaLabel', '')!s}\n")  # to look at, as the screenshots
            f.write("".join("-----\n" if i["type"] == "separator" else f"{i['label'][:120]}\n" for i in items))
        # Join items first, one per meeting that can be joined, naming it: the two under way,
        # then the one in 3 min.
        joins = labels[:3]
        check(re.fullmatch(rf"Join: {re.escape(bd.T_ONGOING_SHORT)} \(\d+ min left\)", joins[0])
              and re.fullmatch(rf"Join: {re.escape(bd.T_ONGOING_LONG)} \(\d+ min left\)", joins[1])
              and re.fullmatch(rf"Join: {re.escape(bd.T_NEXT)} \(in \d+ min\)", joins[2]),
              f"the menu does not start with the three Join items: {labels[:4]}")
        check(minutes_text(joins[0], r"\({} min left\)", 20) and minutes_text(joins[1], r"\({} min left\)", 35)
              and minutes_text(joins[2], r"\(in {} min\)", 3), f"Join items' times: {joins}")
        check(items[3]["type"] == "separator", f"no separator after the Join items: {labels[:5]}")
        # All-day items: one line for today (two named, the rest counted), never one each.
        all_day = [x for x in labels if x.startswith("All day: ")]
        check(len(all_day) == 1 and all_day[0].endswith(" +2"), f"all-day lines: {all_day}")
        for title in bd.ALL_DAY_TODAY:
            check(not any(x.endswith(f"  {title}") or x == title for x in labels),
                  f"the all-day {title!r} has a line of its own: {labels}")
        check(labels.index(all_day[0]) == labels.index("Today") + 1, f"the all-day line is not first: {labels}")
        # The hostile title: its text, one line, no escapes, cut to fit a menu.
        check(hostile in labels, "the hostile title is not listed as plain text")
        check(not any("\x1b" in x or "[31m" in x or "pwned" in x for x in labels), "escapes in the tray menu")
        # The title: the two under way and the next ("Now: A, 20 min left · B, 35 min left ·
        # C in 3 min"), read from the indicator's label (the panel's text and accessible name).
        label = str(props.get("XAyatanaLabel", ""))
        want = (rf"Now: {re.escape(bd.T_ONGOING_SHORT)}, (\d+) min left · {re.escape(bd.T_ONGOING_LONG)}, "
                rf"(\d+) min left · {re.escape(bd.T_NEXT)} in (\d+) min")
        got = re.fullmatch(want, label)
        check(got and 18 <= int(got[1]) <= 20 and 33 <= int(got[2]) <= 35 and 1 <= int(got[3]) <= 3,
              f"tray title {label!r}, expected like 'Now: {bd.T_ONGOING_SHORT}, 20 min left · "
              f"{bd.T_ONGOING_LONG}, 35 min left · {bd.T_NEXT} in 3 min'")

    # b4
    def test_next_up(self):
        app, s = self.app, self.app.session
        app.show("dashboard")
        try:
            s.wait_for("#next-up .next-up-item", timeout=10)
        except TimeoutError as e:
            raise AssertionError(f"{e}: no next-up area (section#next-up with .next-up-item)") from None
        items = s.execute(
            "return Array.from(document.querySelectorAll('#next-up .next-up-item'), li => ({"
            " title: (li.querySelector('.next-up-title') || {}).textContent || '',"
            " when: (li.querySelector('.next-up-when') || {}).textContent || '',"
            " ongoing: li.classList.contains('ongoing'), join: !!li.querySelector('.next-up-join')}));")
        check(len(items) >= 3, f"next-up lists {items}")
        ongoing = [i for i in items if i["ongoing"]]
        check({i["title"] for i in ongoing} == {bd.T_ONGOING_SHORT, bd.T_ONGOING_LONG},
              f"ongoing in next-up: {ongoing}")
        check(all("min left" in i["when"] for i in ongoing), f"no 'min left' on the ongoing: {ongoing}")
        by_title = {i["title"]: i for i in items}
        check(minutes_text(by_title[bd.T_ONGOING_SHORT]["when"], r"\b{} min left", 20)
              and minutes_text(by_title[bd.T_ONGOING_LONG]["when"], r"\b{} min left", 35),
              f"time left: {ongoing}")
        nxt = by_title.get(bd.T_NEXT)
        check(nxt and not nxt["ongoing"] and minutes_text(nxt["when"], r"in {} min", 3),
              f"the next meeting in next-up: {nxt}")
        check(items.index(nxt) == len(ongoing), f"the next meeting does not follow the ongoing ones: {items}")
        check(all(i["join"] for i in items[:3]), f"a Join button missing in next-up: {items}")
        # Join on the next meeting opens its (Zoom) link in the browser, once.
        s.execute(
            "const li = Array.from(document.querySelectorAll('#next-up .next-up-item')).find("
            "  e => e.querySelector('.next-up-title').textContent === arguments[0]);"
            "li.querySelector('.next-up-join').click();", bd.T_NEXT)

        def opened():
            return [u for u in self.opened_urls() if u == bd.ZOOM]
        try:
            wait_until(f"{bd.ZOOM} to be opened by the next-up Join", opened, timeout=15)
        except TimeoutError as e:
            raise AssertionError(f"{e}; URLs opened: {self.opened_urls()}") from None
        time.sleep(0.5)
        check(len(opened()) == 1, f"the link was opened {len(opened())} times for one click")

    def _set_join_shortcut(self, on):
        """Turns the join shortcut on (with the field's CmdOrCtrl+Alt+J) or off in Settings →
        General, as a user does, and waits until the shell has saved it."""
        app, s = self.app, self.app.session
        app.show("settings")
        box = s.wait_for("#join-shortcut-on", timeout=10)
        field = s.execute("return document.querySelector('#join-shortcut').value;")
        check(field == "CmdOrCtrl+Alt+J", f"the shortcut field offers {field!r}, expected CmdOrCtrl+Alt+J")
        if s.execute("return document.querySelector('#join-shortcut-on').checked;") != on:
            box.click()
        try:
            wait_until("the shortcut setting to be saved", lambda: s.execute(
                "const f = document.querySelector('#join-shortcut').closest('.field');"
                "return f.querySelector('.field-status').textContent === 'Saved';"), timeout=10)
        except TimeoutError as e:
            raise AssertionError(f"{e}; error: {s.texts('#join-shortcut-error')}") from None
        saved = s.execute("return document.querySelector('#join-shortcut-on').checked;")
        check(saved == on, f"the shortcut switch reads {saved} after saving {on}")

    def _press_join_shortcut(self):
        """Ctrl+Alt+J on the app's X display (xvfb-run's), as a keyboard would send it: the
        app's root-window key grab takes it whichever window has the focus."""
        out = subprocess.run(["xdotool", "key", "--clearmodifiers", "ctrl+alt+j"],
                             capture_output=True, text=True, timeout=10)
        check(out.returncode == 0, f"xdotool key ctrl+alt+j failed: {out.stderr.strip()}")

    # b4b
    def test_join_shortcut(self):
        """The global "Join next meeting" shortcut: set in Settings → General, Ctrl+Alt+J opens
        the tray's first Join meeting (the one under way with the least time left) once; turned
        off, the same keys open nothing."""
        first = self.app.menu().labels()[0]
        check(first.startswith(f"Join: {bd.T_ONGOING_SHORT} "), f"the tray's first item is {first!r}")
        self._set_join_shortcut(True)
        before = self.opened_urls()
        self._press_join_shortcut()
        try:
            wait_until(f"{bd.MEET} to be opened by Ctrl+Alt+J", lambda: len(self.opened_urls()) > len(before),
                       timeout=10)
        except TimeoutError as e:
            raise AssertionError(f"{e}; URLs opened: {self.opened_urls()}") from None
        time.sleep(1.0)  # a second opening (a press seen twice) would land by now
        new = self.opened_urls()[len(before):]
        check(new == [bd.MEET], f"Ctrl+Alt+J opened {new}, expected the first Join meeting {bd.MEET} once")

        self._set_join_shortcut(False)
        before = self.opened_urls()
        self._press_join_shortcut()
        time.sleep(2.0)  # the press above was seen within a second
        new = self.opened_urls()[len(before):]
        check(new == [], f"Ctrl+Alt+J opened {new} with the shortcut turned off")

    def _search(self, text):
        s = self.app.session
        field = s.wait_for("#search", visible=True, timeout=10)
        field.clear()
        field.send_keys(text)

    def _results(self):
        return self.app.session.execute(
            "const r = document.querySelector('#search-results');"
            "if (!r || r.hidden) return null;"
            "return {titles: Array.from(r.querySelectorAll('.event-title'), e => e.textContent),"
            " count: (document.querySelector('#search-count') || {}).textContent || ''};")

    # b5
    def test_search(self):
        """An attendee's name and a word of a title, then Esc; every step is checked before
        failing."""
        app, s = self.app, self.app.session
        app.show("dashboard")
        try:
            s.wait_for("#search", visible=True, timeout=10)
        except TimeoutError as e:
            raise AssertionError(f"{e}: no search box (#search)") from None
        problems = []
        # Every meeting Chidi Okonkwo is invited to, the shared one once.
        with_chidi = {ev["summary"] for ev in self.day.google
                      if any(bd.SEARCH_ATTENDEE in a.get("displayName", "") for a in ev.get("attendees", []))}
        with_chidi |= {ev["subject"] for ev in self.day.microsoft
                       if any(bd.SEARCH_ATTENDEE in a["emailAddress"]["name"] for a in ev.get("attendees", []))}
        # A word of two titles: the shared invitation and the business review.
        quarterly = {bd.T_MERGED, "Quarterly business review"}
        for query, want in [(bd.SEARCH_ATTENDEE, with_chidi), ("Quarterly", quarterly)]:
            self._search(query)
            try:
                got = wait_until(f"search results for {query!r}", lambda: (
                    (r := self._results()) and sorted(r["titles"]) == sorted(want)
                    and re.search(rf"\b{len(want)}\b", r["count"]) and r), timeout=10)
            except TimeoutError:
                got = self._results() or {}
                problems.append(f"{query!r} finds {sorted(got.get('titles', []))} ({got.get('count')!r}), "
                                f"expected {sorted(want)} ({len(want)})")
            time.sleep(0.7)
            s.screenshot(os.path.join(h.ARTIFACTS, f"busy-day-search-{query.lower()}.png"))
        # Esc: back to the upcoming list, the box emptied.
        s.find("#search").send_keys("\ue00c")
        try:
            wait_until("Esc to return to the upcoming list", lambda: self._results() is None
                       and bd.T_ONGOING_SHORT in app.titles(), timeout=5)
            value = s.execute("return document.querySelector('#search').value;")
            if value:
                problems.append(f"the search box still holds {value!r} after Esc")
        except TimeoutError as e:
            problems.append(f"{e}; results still shown: {self._results()}")
        check(not problems, "; ".join(problems))

    # b6
    def test_merged(self):
        """The shared invitation (same iCalUID and start in both accounts) is one meeting
        everywhere, naming the other calendar; every place is checked before failing."""
        app, s = self.app, self.app.session
        app.show("dashboard")
        problems = []
        cards = [c for c in self.cards() if c["title"] == bd.T_MERGED]
        if len(cards) != 1:
            problems.append(f"the dashboard shows it {len(cards)} times ({[c['calendar'] for c in cards]})")
        tray = [x for x in app.menu().labels() if x.endswith(f"  {bd.T_MERGED}")]
        if len(tray) != 1:
            problems.append(f"the tray lists it {len(tray)} times")
        cli = os.path.join(h.BIN_DIR, "calbuddy")
        if os.access(cli, os.X_OK):
            out = subprocess.run([cli, "upcoming", "--days", "1", "--limit", "100", "--json"],
                                 env={**os.environ, **self.env, "CALBUDDY_DATA_DIR": self.data_dir},
                                 capture_output=True, timeout=30)
            listed = [e for e in json.loads(out.stdout or b"[]") if e.get("title") == bd.T_MERGED]
            if len(listed) != 1 or not listed[0].get("also_in"):
                problems.append(f"`calbuddy upcoming --json` lists it {len(listed)} times, also_in "
                                f"{[e.get('also_in') for e in listed]}")
        else:
            self.suite.notes.append(f"busy_day: no {cli}: the merged meeting was not checked in the CLI")
        if cards:
            shown = cards[0]["calendar"]
            other = MS_CALENDAR if shown == USER else USER
            s.execute(
                "const li = document.querySelector(`.event[data-event-id=\"${arguments[0]}\"]`);"
                "(li.querySelector('.event-title') || li).click();", cards[0]["id"])
            try:
                s.wait_for("#event-details", visible=True, timeout=5)
                also = s.texts("#event-details .details-also-in")
                if not also or other not in also[0]:
                    problems.append(f"its details name {also}, not the other calendar {other!r}")
                time.sleep(0.7)  # let WebKit paint the panel
                s.screenshot(os.path.join(h.ARTIFACTS, "busy-day-merged-details.png"))
                s.active().send_keys("\ue00c")  # Esc closes the panel
                wait_until("the details to close", lambda: not s.find("#event-details").displayed(), timeout=5)
            except TimeoutError as e:
                problems.append(f"the details panel: {e}")
        check(not problems, f"'{bd.T_MERGED}': " + "; ".join(problems))

    # b7
    def test_details(self):
        """An invitation's details from each provider: my answer flagged, the organizer, the
        attendees, and the provider's own page opened in the browser."""
        app, s = self.app, self.app.session
        app.show("dashboard")
        problems = []
        cases = [(bd.T_TENTATIVE, "tentative", "Adele Vance", 1, "https://outlook.office365.com/owa/?itemid="),
                 (bd.T_UNANSWERED, "unanswered", "Chidi Okonkwo", 3, "https://www.google.com/calendar/event?eid=")]
        for title, flag, organizer, attendees, web in cases:
            card = next((c for c in self.cards() if c["title"] == title), None)
            if not card:
                problems.append(f"no card {title!r}")
                continue
            s.execute("document.querySelector(`.event[data-event-id=\"${arguments[0]}\"] .event-title`).click();",
                      card["id"])
            try:
                s.wait_for("#event-details", visible=True, timeout=5)
            except TimeoutError:
                problems.append(f"{title!r}: no details panel")
                continue
            got = s.execute(
                "const d = document.querySelector('#event-details');"
                "return {flag: !!d.querySelector('.details-flag.' + arguments[0]),"
                " organizer: (d.querySelector('.details-organizer') || {}).textContent || '',"
                " attendees: d.querySelectorAll('.details-attendees li').length,"
                " web: !!d.querySelector('.details-web-link')};", flag)
            if not got["flag"]:
                problems.append(f"{title!r}: no '{flag}' flag")
            if organizer not in got["organizer"]:
                problems.append(f"{title!r}: organizer {got['organizer']!r}")
            if got["attendees"] != attendees:
                problems.append(f"{title!r}: {got['attendees']} attendees listed, expected {attendees}")
            if got["web"]:
                s.find("#event-details .details-web-link").click()
                try:
                    wait_until(f"{web}… to be opened", lambda: any(
                        u.startswith(web) for u in self.opened_urls()), timeout=10)
                except TimeoutError:
                    problems.append(f"{title!r}: the web link did not open {web}…")
            else:
                problems.append(f"{title!r}: no link to the event's page at the provider")
            s.screenshot(os.path.join(h.ARTIFACTS, f"busy-day-details-{flag}.png"))
            s.execute("document.querySelector('#event-details .details-close').click();")
        check(not problems, "; ".join(problems))

    # b8
    def test_dark_mode(self):
        """A second run on the same data with GTK's dark theme: the page must see dark."""
        h.quit_app(self.suite, self.app, "busy-day")
        self.app = None
        # WebKitGTK takes prefers-color-scheme from GTK: the theme's dark variant.
        self.app = h.App("busy-day-dark", self.data_dir, {**self.env, "GTK_THEME": "Adwaita:dark"})
        self.app.show("dashboard")
        check(self.dark(), "GTK_THEME=Adwaita:dark did not make prefers-color-scheme dark")
        self.screenshots("dark")


TESTS = [
    ("b1_busy_day_connect_google_and_microsoft", "test_connect_both"),
    ("b2_busy_day_dashboard_and_light_screenshots", "test_dashboard"),
    ("b2b_busy_day_hostile_title_is_plain_text", "test_hostile_title"),
    ("b3_busy_day_tray_joins_all_day_title_hostile", "test_tray"),
    ("b4_busy_day_next_up_countdown_and_join", "test_next_up"),
    ("b4b_busy_day_join_shortcut_opens_first_join_once", "test_join_shortcut"),
    ("b5_busy_day_search_attendee_title_esc", "test_search"),
    ("b6_busy_day_merged_meeting_once", "test_merged"),
    ("b7_busy_day_invitation_details_from_both_providers", "test_details"),
    # Last: it starts the app again, in dark mode.
    ("b8_busy_day_dark_mode_screenshots", "test_dark_mode"),
]
