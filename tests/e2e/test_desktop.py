#!/usr/bin/env python3
"""End-to-end tests of the Calendar Buddy desktop app: the real binary in Xvfb, driven through
WebKitWebDriver, talking to the fake Google server, with a private notification server and the
tray menu read over D-Bus. Run through tests/e2e/run (which provides Xvfb and the D-Bus
session). Prints one PASS/FAIL line per test and finally `e2e: N passed, M failed`."""

import ctypes
import datetime as dt
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import traceback

import dbus

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
# Scenario modules (busy_day_scenario.py) import this harness as `test_desktop`: run as a
# script it is `__main__`, and a second import would make a second PROCS.
sys.modules.setdefault("test_desktop", sys.modules[__name__])

import caldav_server  # noqa: E402
import dbusmenu  # noqa: E402
import ics_feed  # noqa: E402
from fake_google import USER, FakeGoogle  # noqa: E402
from fake_microsoft import FakeMicrosoft  # noqa: E402
from webdriver import Session, WebDriverError, wait_until  # noqa: E402

BIN_DIR = os.environ.get("E2E_BIN_DIR") or os.path.join(
    os.environ.get("CARGO_TARGET_DIR") or os.path.expanduser("~/.cache/calbuddy-target"), "debug")
APP_BIN = os.path.join(BIN_DIR, "calbuddy-desktop")
FAKE_BIN = os.path.join(BIN_DIR, "fake-google")
FAKE_MS_BIN = os.path.join(BIN_DIR, "fake-microsoft")
DRIVER_BIN = shutil.which("WebKitWebDriver") or "/usr/bin/WebKitWebDriver"
ARTIFACTS = os.environ.get("E2E_ARTIFACTS") or os.path.join(HERE, "artifacts")

XSS = '<img src=x onerror="window.__pwned=1">'
T_STANDUP = "E2E Stand-up"
T_REVIEW = "E2E Design review"
T_REMINDER = "E2E Reminder check"
T_ADDED = "E2E Added later"
T_DEMO = "Product sync"
MEET = "https://meet.google.com/abc-defg-hij"


def log(msg):
    print(msg, flush=True)


# ----------------------------------------------------------------------------------------------
# processes

_libc = ctypes.CDLL(None, use_errno=True)


def _die_with_parent():
    # PR_SET_PDEATHSIG = 1: our children get SIGKILL if this process dies without cleaning up.
    _libc.prctl(1, signal.SIGKILL, 0, 0, 0)


def _children_of(pid):
    kids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read().decode(errors="replace")
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may hold spaces and parentheses.
        fields = stat[stat.rfind(")") + 2:].split()
        if len(fields) > 1 and int(fields[1]) == pid:
            kids.append(int(entry))
    return kids


def descendants(pid):
    out, stack = [], [pid]
    while stack:
        for kid in _children_of(stack.pop()):
            out.append(kid)
            stack.append(kid)
    return out


def _alive(pid):
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            return f.read().split(b") ")[-1][:1] != b"Z"
    except OSError:
        return False


def kill_pids(pids, grace=5.0):
    """SIGTERM each pid, then SIGKILL what is still alive after `grace` seconds."""
    pids = [p for p in pids if _alive(p)]
    for p in pids:
        try:
            os.kill(p, signal.SIGTERM)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and any(_alive(p) for p in pids):
        time.sleep(0.05)
    for p in pids:
        if _alive(p):
            try:
                os.kill(p, signal.SIGKILL)
            except ProcessLookupError:
                pass


class Procs:
    """Every process the suite starts, so all of them (and their children) end at the end."""

    def __init__(self):
        self.procs = []

    def popen(self, cmd, **kw):
        kw.setdefault("stdin", subprocess.DEVNULL)
        proc = subprocess.Popen(cmd, preexec_fn=_die_with_parent, **kw)
        self.procs.append(proc)
        return proc

    def stop(self, proc, grace=5.0):
        tree = descendants(proc.pid)
        kill_pids([proc.pid] + tree, grace)
        try:
            proc.wait(2)
        except subprocess.TimeoutExpired:
            pass

    def stop_all(self):
        for proc in reversed(self.procs):
            if proc.poll() is None or descendants(proc.pid):
                self.stop(proc)
        self.procs.clear()


PROCS = Procs()
INTERRUPTED = False  # set on SIGTERM: tear down without further D-Bus calls


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def screenshot(name):
    os.makedirs(ARTIFACTS, exist_ok=True)
    path = os.path.join(ARTIFACTS, name)
    time.sleep(0.7)  # let WebKit paint the last change
    subprocess.run(["import", "-window", "root", path], check=True, timeout=30,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return path


# ----------------------------------------------------------------------------------------------
# the notification server and the session bus

class Notifications:
    def __init__(self, workdir):
        self.path = os.path.join(workdir, "notifications.jsonl")
        open(self.path, "w").close()
        self.proc = PROCS.popen([sys.executable, os.path.join(HERE, "notify_server.py"), self.path],
                                stdout=subprocess.DEVNULL,
                                stderr=open(os.path.join(ARTIFACTS, "notify-server.log"), "wb"))
        bus = dbus.SessionBus()
        wait_until("org.freedesktop.Notifications to have an owner",
                   lambda: self.proc.poll() is None and bus.name_has_owner("org.freedesktop.Notifications"),
                   timeout=10)
        if self.proc.poll() is not None:
            raise RuntimeError("the notification server exited")

    def all(self):
        with open(self.path, encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.strip()]

    def notifies(self, summary=None):
        return [n for n in self.all() if n["method"] == "Notify" and (summary is None or n["summary"] == summary)]

    def invoke_action(self, notification_id, action_key):
        """Has the server emit ActionInvoked(id, action_key), as for a user's click. Returns
        whether the server knew the id."""
        server = dbus.SessionBus().get_object("org.freedesktop.Notifications", "/org/freedesktop/Notifications")
        return bool(server.InvokeAction(dbus.UInt32(notification_id), action_key,
                                        dbus_interface="org.calbuddy.E2E", timeout=5))


# ----------------------------------------------------------------------------------------------
# the app under WebKitWebDriver

class App:
    """One run of calbuddy-desktop, started by WebKitWebDriver in a WebDriver session."""

    def __init__(self, name, data_dir, env):
        self.name = name
        self._menu = None
        self.port = free_port()
        full_env = dict(os.environ)
        full_env["CALBUDDY_LOG"] = os.environ.get("CALBUDDY_LOG", "info")
        full_env.update(env)
        # The tray follows the locale's 12/24-hour clock: pinned to 24-hour, as hhmm() writes it.
        full_env.pop("LC_ALL", None)
        full_env.update({
            "LC_TIME": "C.UTF-8",
            "CALBUDDY_DATA_DIR": data_dir,
            "TAURI_WEBVIEW_AUTOMATION": "true",
        })
        self.log_path = os.path.join(ARTIFACTS, f"{name}-app.log")
        # The app inherits both streams: all it prints lands in the log (checked for secrets).
        app_log = open(self.log_path, "wb")
        self.driver = PROCS.popen([DRIVER_BIN, f"--port={self.port}"], env=full_env,
                                  stdout=app_log, stderr=app_log)
        base = f"http://127.0.0.1:{self.port}"
        wait_until("WebKitWebDriver to listen", lambda: self._listening(), timeout=15)
        caps = {"alwaysMatch": {"webkitgtk:browserOptions": {"binary": APP_BIN, "args": []}}}
        self.session = Session(base, caps, timeout=60)
        self.pid = wait_until("the app process", self._find_pid, timeout=10)
        self.base_url = self.session.url().split("#")[0]

    def _listening(self):
        if self.driver.poll() is not None:
            raise RuntimeError(f"WebKitWebDriver exited with {self.driver.returncode}")
        with socket.socket() as s:
            s.settimeout(0.5)
            return s.connect_ex(("127.0.0.1", self.port)) == 0

    def _find_pid(self):
        real = os.path.realpath(APP_BIN)
        for pid in descendants(self.driver.pid):
            try:
                if os.path.realpath(f"/proc/{pid}/exe") == real:
                    return pid
            except OSError:
                pass
        return None

    def alive(self):
        return _alive(self.pid)

    def show(self, view):
        """Shows the dashboard or the settings view in the WebDriver-controlled window: sets the
        hash and reloads, as a freshly opened window would load it."""
        s = self.session
        s.execute("location.hash = arguments[0];", "#settings" if view == "settings" else "")
        s.refresh()
        wait_until(f"the {view} view", lambda: s.execute(
            "return document.body.dataset.view === arguments[0] && !document.querySelector('#loading');",
            view), timeout=15)

    def titles(self):
        return self.session.texts(".event .event-title")

    def wait_for_titles(self, want, what):
        """Waits until every title in `want` is on the dashboard (`what` names them in errors)."""
        try:
            wait_until(f"{what} in the dashboard", lambda: want <= set(self.titles()), timeout=15)
        except TimeoutError as e:
            raise AssertionError(f"{e}; shown: {self.titles()}") from None

    def cards(self):
        """The dashboard's events as drawn: id, title, time, Join, calendar and classes."""
        return self.session.execute(
            "return Array.from(document.querySelectorAll('.event'), li => ({"
            " id: li.dataset.eventId, title: li.querySelector('.event-title').textContent,"
            " time: (li.querySelector('.event-time') || {}).textContent || '',"
            " join: !!li.querySelector('.join'),"
            " calendar: (li.querySelector('.event-calendar-name') || {}).textContent || '',"
            " ongoing: li.classList.contains('ongoing'), allDay: li.classList.contains('all-day'),"
            " line: li.classList.contains('allday-line')}));")

    def menu(self, timeout=15.0):
        """The app's tray menu over D-Bus (found once, found again if it went away)."""
        if self._menu is not None:
            try:
                self._menu.items()
                return self._menu
            except dbus.DBusException:
                self._menu = None
        self._menu = dbusmenu.app_menu(dbus.SessionBus(), pid=self.pid, timeout=timeout)
        return self._menu

    def quit(self):
        """Quits through the tray menu; kills the process tree if that does not end it."""
        quit_ok = False
        if self.alive() and not INTERRUPTED:
            try:
                self.menu(timeout=5).click("Quit")
                wait_until("the app to exit after Quit", lambda: not self.alive(), timeout=10)
                quit_ok = True
            except Exception as e:  # noqa: BLE001
                log(f"NOTE: {self.name}: Quit from the tray did not end the app: {e}")
        self.session.close()
        PROCS.stop(self.driver)
        if self.alive():
            kill_pids([self.pid] + descendants(self.pid))
        return quit_ok


# ----------------------------------------------------------------------------------------------
# the tests

def iso(t):
    return t.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def event(ev_id, title, start, minutes=30, **extra):
    body = {"id": ev_id, "summary": title,
            "start": {"dateTime": iso(start)}, "end": {"dateTime": iso(start + dt.timedelta(minutes=minutes))}}
    body.update(extra)
    return body


def hhmm(t):
    return t.astimezone().strftime("%H:%M")


def check(cond, message):
    if not cond:
        raise AssertionError(message)


class Suite:
    def __init__(self, workdir):
        self.workdir = workdir
        self.results = []  # (name, ok, seconds, message)
        self.notes = []

    def run(self, name, fn, *args):
        t0 = time.monotonic()
        try:
            fn(*args)
            ok, msg = True, ""
        except Exception as e:  # noqa: BLE001
            ok, msg = False, f"{type(e).__name__}: {e}"
            with open(os.path.join(ARTIFACTS, "failures.log"), "a") as f:
                f.write(f"== {name}\n{traceback.format_exc()}\n")
        secs = time.monotonic() - t0
        self.results.append((name, ok, secs, msg))
        log(f"{'PASS' if ok else 'FAIL'} {name} ({secs:.1f}s){'' if ok else ': ' + msg}")
        return ok

    def skip(self, name, why):
        self.results.append((name, False, 0.0, why))
        log(f"FAIL {name} (0.0s): not run: {why}")


def click_sync_now(app):
    """Shows the dashboard and presses its Sync now button."""
    app.show("dashboard")
    app.session.wait_for("#sync-now", visible=True).click()


def wait_sync_done(app, timeout=20):
    """Waits until Sync now is usable again: the sync it started has finished."""
    wait_until("the Sync now button to be usable again", lambda: app.session.execute(
        "const b = document.querySelector('#sync-now');"
        "return !!b && !b.disabled && b.textContent.trim() === 'Sync now';"), timeout=timeout)


def quit_app(suite, app, name):
    """Quits the app through its tray menu, noting when that did not end it."""
    if app and not app.quit() and not INTERRUPTED:
        suite.notes.append(f"{name}: Quit from the tray menu did not end the app (killed instead)")


def fake_browser(w, opened_log):
    """Writes a stand-in for the user's browser and for xdg-open into the work dir `w`; returns
    (the browser's path, a directory to put first on PATH)."""
    open(opened_log, "w").close()
    browser = os.path.join(w, "fake-browser")
    with open(browser, "w") as f:
        f.write(f"""#!{sys.executable}
# Plays the user's browser: records every URL it is given (one a line, at once), and for the
# sign-in opens the consent URL (the fake approves at once) and follows its redirect to the
# app's loopback listener. Other URLs (a meeting link) are only recorded, never fetched.
import sys, urllib.parse, urllib.request
url = sys.argv[-1]
with open({opened_log!r}, 'a') as opened:
    opened.write(url + '\\n')
with open({os.path.join(w, 'browser.log')!r}, 'a') as log:
    log.write(url + '\\n')
    if urllib.parse.urlsplit(url).hostname not in ('127.0.0.1', 'localhost', '::1'):
        log.write('-> recorded only\\n')
        sys.exit(0)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({{}}))
    try:
        with opener.open(url, timeout=30) as r:
            log.write('-> %s %s\\n' % (r.status, r.geturl()))
    except Exception as e:
        log.write('-> error %r\\n' % e)
""")
    os.chmod(browser, 0o755)
    # The app opens links (a reminder's meeting link) through tauri-plugin-opener, i.e. the
    # `open` crate, which ignores $BROWSER and runs xdg-open, else gio open, ... Stand in for
    # xdg-open as it behaves without a desktop environment: hand the URL to $BROWSER.
    bin_dir = os.path.join(w, "bin")
    os.makedirs(bin_dir)
    with open(os.path.join(bin_dir, "xdg-open"), "w") as f:
        f.write(f"""#!/bin/sh
# e2e stand-in for xdg-open (generic mode): the URL goes to $BROWSER.
printf '%s\\n' "$*" >> {os.path.join(ARTIFACTS, 'xdg-open.log')!r}
[ -n "$BROWSER" ] || exit 3
exec "$BROWSER" "$1"
""")
    os.chmod(os.path.join(bin_dir, "xdg-open"), 0o755)
    return browser, bin_dir


class MainScenario:
    """One app run against the fake: connect, sync, reminder (and its click), tray, XSS, disconnect."""

    def __init__(self, suite, notifications):
        self.suite = suite
        self.notes = suite.notes
        self.notifications = notifications
        self.fake = None
        self.app = None

    def setup(self):
        w = self.suite.workdir
        self.data_dir = os.path.join(w, "main-data")
        os.makedirs(self.data_dir)
        # A settings file: no demo calendar; reminders 2 minutes ahead.
        with open(os.path.join(self.data_dir, "config.toml"), "w") as f:
            # No reminder at the start: a "Starting now" can only come of a Snooze.
            f.write("[notifications]\nlead_minutes = 2\nat_start = false\n")
        self.fake = FakeGoogle(FAKE_BIN, os.path.join(ARTIFACTS, "fake-google.log"), popen=PROCS.popen)
        now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
        self.t_standup = now + dt.timedelta(hours=1)
        self.t_review = now + dt.timedelta(days=1, hours=2)
        self.t_reminder = now + dt.timedelta(seconds=100)
        self.fake.put_events([
            event("e2estandup", T_STANDUP, self.t_standup, location="Room 4"),
            event("e2ereview", T_REVIEW, self.t_review, 60),
            event("e2ereminder", T_REMINDER, self.t_reminder, hangoutLink=MEET),
            event("e2exss", XSS, now + dt.timedelta(hours=3), description=XSS),
        ])
        self.opened_log = os.path.join(w, "opened-urls.txt")
        browser, bin_dir = fake_browser(w, self.opened_log)
        env = self.fake.env()
        env.update({"CALBUDDY_SECRET_STORE": "file", "CALBUDDY_RETRY_BASE_MS": "50", "BROWSER": browser,
                    "PATH": bin_dir + os.pathsep + os.environ.get("PATH", "/usr/bin:/bin")})
        self.app = App("main", self.data_dir, env)

    def teardown(self):
        quit_app(self.suite, self.app, "main")
        if self.fake:
            self.fake.stop()

    # a
    def test_connect(self):
        app, s = self.app, self.app.session
        app.show("settings")
        s.wait_for("#connect-google", visible=True).click()
        # The shell's `settings` command reads only config.toml, so with the client given in
        # CALBUDDY_GOOGLE_CLIENT_ID the UI still asks for one: fill the form like a user would.
        form = wait_until("the sign-in to start or the client form", lambda: s.execute(
            "const f = document.querySelector('#google-client-form');"
            "if (f && !f.hidden) return 'form';"
            "const w = document.querySelector('#connect-waiting');"
            "const r = document.querySelector('#connect-result');"
            "if ((w && !w.hidden) || (r && r.textContent)) return 'connecting';"
            "return null;"), timeout=10)
        if form == "form":
            self.notes.append("#connect-google showed the OAuth client form although CALBUDDY_GOOGLE_CLIENT_ID/"
                              "_SECRET are set (startConnect in ui/src/views/settings/accounts.ts checks "
                              "settings.google.client_id, which src-tauri's `settings` command reads from "
                              "config.toml only); the test fills the form")
            s.find("#google-client-id").send_keys("test-client.apps.googleusercontent.com")
            s.find("#google-client-secret").send_keys("test-secret")
            s.find("#google-client-save").click()
        s.wait_for_text("#connect-result", f"Connected {USER}", timeout=30)
        err = s.texts("#connect-error")[0]
        check(not err, f"connect error shown: {err!r}")
        s.wait_for_text("#account-list .account-name", USER, timeout=10)
        s.wait_for_text("#calendar-list .calendar-name", USER, timeout=10)
        screenshot("settings-connected.png")
        app.show("dashboard")
        wait_until("the seeded events in the dashboard",
                   lambda: {T_STANDUP, T_REVIEW, T_REMINDER, XSS} <= set(app.titles()), timeout=15)
        banner_hidden = s.execute("return document.querySelector('#error-banner').hidden;")
        check(banner_hidden, f"error banner shown: {s.texts('#error-banner')}")
        # the dashboard's order is by start: reminder, stand-up, xss, review
        titles = app.titles()
        check(titles.index(T_REMINDER) < titles.index(T_STANDUP) < titles.index(XSS) < titles.index(T_REVIEW),
              f"events out of order: {titles}")
        screenshot("dashboard-events.png")

    # b
    def test_sync_now(self):
        app, s = self.app, self.app.session
        self.fake.put_events(event("e2eadded", T_ADDED, self.t_standup + dt.timedelta(minutes=45)))
        time.sleep(0.5)
        check(T_ADDED not in app.titles(), "the new event showed before Sync now")
        before = len(self.fake.events_requests())
        s.wait_for("#sync-now", visible=True).click()
        wait_until(f"{T_ADDED!r} in the dashboard after Sync now", lambda: T_ADDED in app.titles(), timeout=20)
        check(len(self.fake.events_requests()) > before, "no events request reached the fake")
        wait_until("the Sync now button to be enabled again",
                   lambda: s.execute("return !document.querySelector('#sync-now').disabled;"), timeout=15)
        last = s.texts("#last-synced")[0]
        check(last.strip(), "no 'last synced' text")

    # c
    def test_reminder(self):
        got = wait_until(f"a Notify call for {T_REMINDER!r}",
                         lambda: self.notifications.notifies(T_REMINDER), timeout=30)
        n = got[0]
        check(n["body"].startswith("Starts in"), f"unexpected body {n['body']!r}")
        # Sent under the app's name and icon; a lead-time reminder is of normal urgency (1;
        # the one at the start is critical, 2).
        check(n["app_name"] == "Calendar Buddy", f"sent as {n['app_name']!r}")
        check(n["app_icon"] == "calbuddy-desktop", f"icon {n['app_icon']!r}")
        check(n["hints"].get("urgency") == 1, f"urgency hint {n['hints']!r}")
        check(n["hints"].get("desktop-entry") == "calbuddy-desktop", f"desktop-entry hint {n['hints']!r}")
        check(hhmm(self.t_reminder) in n["body"], f"start time {hhmm(self.t_reminder)} not in body {n['body']!r}")
        # Later syncs re-plan: still exactly one.
        check(len(got) == 1, f"{len(got)} notifications for {T_REMINDER!r}: {got}")
        others = [x["summary"] for x in self.notifications.notifies() if x["summary"] != T_REMINDER]
        check(not others, f"unexpected reminders: {others}")

    # c2
    def test_reminder_click(self):
        n = wait_until(f"a Notify call for {T_REMINDER!r}",
                       lambda: self.notifications.notifies(T_REMINDER), timeout=30)[0]
        keys = n["actions"][0::2]  # [key, label, key, label, ...]
        check("default" in keys, f"the reminder offers no 'default' action (a click): actions {n['actions']}")
        with open(self.opened_log) as f:
            before = f.read().splitlines()
        check(MEET not in before, f"the meeting link was opened before any click: {before}")
        check(self.notifications.invoke_action(n["id"], "default"),
              f"the notification server does not know id {n['id']}")

        def opened():
            with open(self.opened_log) as f:
                return [u for u in f.read().splitlines() if u == MEET]
        try:
            wait_until(f"{MEET} to be opened after the click", opened, timeout=15)
        except TimeoutError as e:
            with open(self.opened_log) as f:
                raise AssertionError(f"{e}; URLs opened: {f.read().splitlines()}") from None
        time.sleep(0.5)  # one click, one open
        count = len(opened())
        check(count == 1, f"the meeting link was opened {count} times for one click")

    # e2 (runs after d and e: it waits until the meeting starts)
    def test_reminder_join_and_snooze(self):
        n = wait_until(f"a Notify call for {T_REMINDER!r}",
                       lambda: self.notifications.notifies(T_REMINDER), timeout=30)[0]
        keys = n["actions"][0::2]
        check("join" in keys and "snooze" in keys, f"no Join and Snooze buttons: actions {n['actions']}")

        def opened():
            with open(self.opened_log) as f:
                return [u for u in f.read().splitlines() if u == MEET]
        before = len(opened())
        check(self.notifications.invoke_action(n["id"], "join"),
              f"the notification server does not know id {n['id']}")
        wait_until(f"{MEET} to be opened by Join", lambda: len(opened()) > before or None, timeout=15)
        time.sleep(0.5)  # one Join, one open
        check(len(opened()) == before + 1, f"Join opened the link {len(opened()) - before} times")
        # Snoozed less than 100 s before the start: it comes back at the start (sooner than
        # 5 min), not before, once, with its buttons.
        check(self.notifications.invoke_action(n["id"], "snooze"),
              f"the notification server does not know id {n['id']}")

        def back():
            got = self.notifications.notifies(T_REMINDER)
            return got if len(got) >= 2 else None
        again = wait_until("the snoozed reminder to come back at the start", back, timeout=150)
        check(again[1]["body"].startswith("Starting now"), f"unexpected body {again[1]['body']!r}")
        early = self.t_reminder.timestamp() - again[1]["at"]
        check(early <= 1.0, f"the snoozed reminder came back {early:.0f} s before the start")
        check({"join", "snooze"} <= set(again[1]["actions"][0::2]),
              f"the snoozed reminder lost its buttons: {again[1]['actions']}")
        time.sleep(2)
        count = len(self.notifications.notifies(T_REMINDER))
        check(count == 2, f"{count} notifications for {T_REMINDER!r} after one snooze")

    # d
    def test_tray(self):
        app = self.app
        want = {f"{hhmm(self.t_standup)}  {T_STANDUP}", f"{hhmm(self.t_reminder)}  {T_REMINDER}"}
        if T_ADDED in self.app.titles():  # test b added it (tests stay independent if b failed)
            want.add(f"{hhmm(self.t_standup + dt.timedelta(minutes=45))}  {T_ADDED}")

        def ready():
            labels = app.menu().labels()
            return labels if want <= set(labels) else None
        try:
            labels = wait_until("the upcoming events in the tray menu", ready, timeout=20)
        except TimeoutError as e:
            raise AssertionError(f"{e}; menu: {app.menu().labels()}") from None
        items = app.menu().items()
        headers = [i for i in items if i["label"] in ("Today", "Tomorrow")]
        check(headers and not any(i["enabled"] for i in headers), f"no disabled Today/Tomorrow header: {items}")
        for fixed in ("Sync now", "Open Calendar Buddy", "Settings…", "Quit"):
            check(fixed in labels, f"{fixed!r} missing from the tray menu: {labels}")
        join = [i for i, label in enumerate(labels) if label.startswith(f"Join: {T_REMINDER} (")]
        check(join, f"no 'Join: {T_REMINDER} (…)' item: {labels}")
        listed = [i for i, label in enumerate(labels) if label.endswith(f"  {T_REMINDER}")]
        check(join and listed and join[0] < listed[0], f"the Join item is not above the events: {labels}")
        self.fake.clear_requests()
        app.menu().click("Sync now")
        wait_until("/events requests after the tray's Sync now",
                   lambda: self.fake.events_requests(), timeout=15)

    # e
    def test_xss(self):
        app, s = self.app, self.app.session
        app.show("dashboard")
        wait_until("the XSS event title", lambda: XSS in app.titles(), timeout=10)
        li = s.execute(
            "const li = Array.from(document.querySelectorAll('.event')).find("
            "  e => e.querySelector('.event-title').textContent === arguments[0]);"
            "li.click();"
            "const panel = document.querySelector('#event-details');"
            "return {title: li.querySelector('.event-title').innerText,"
            "        desc: panel.querySelector('.details-description').innerText,"
            "        open: !panel.hidden};", XSS)
        check(li["title"] == XSS, f"title shown as {li['title']!r}")
        check(li["open"] and li["desc"] == XSS, f"description shown as {li['desc']!r} (open={li['open']})")
        imgs = s.execute("return document.querySelectorAll('img').length;")
        check(imgs == 0, f"{imgs} <img> element(s) in the document")
        pwned = s.execute("return typeof window.__pwned;")
        check(pwned == "undefined", f"window.__pwned is {pwned}")
        tray = [label for label in app.menu().labels() if label.endswith(XSS)]
        check(tray, f"the tray does not list the title literally: {app.menu().labels()}")
        screenshot("dashboard-xss-details.png")
        s.execute("document.querySelector('#event-details .details-close').click();")

    # f
    def test_disconnect(self):
        app, s = self.app, self.app.session
        app.show("settings")
        s.wait_for_text("#account-list .account-name", USER, timeout=10)
        self.fake.clear_requests()
        s.wait_for(".account .disconnect", visible=True).click()
        wait_until("the confirmation dialog", lambda: s.execute(
            "return document.querySelector('#confirm-dialog').open;"), timeout=5)
        msg = s.texts("#confirm-message")[0]
        check(USER in msg, f"dialog message {msg!r}")
        s.wait_for("#confirm-yes", visible=True).click()
        s.wait_for_text("#connect-result", f"Disconnected {USER}", timeout=20)
        wait_until("the account list to be empty",
                   lambda: not s.find_all("#account-list .account"), timeout=10)
        check(any(r["path"] == "/revoke" for r in self.fake.requests()), "the token was not revoked at the fake")
        app.show("dashboard")
        s.wait_for("#empty-state", timeout=10)
        check(not app.titles(), f"events still shown: {app.titles()}")
        empty = s.texts("#empty-state .empty-title")[0]
        check(empty == "No calendars connected", f"empty state says {empty!r}")
        try:
            wait_until("'Nothing coming up' in the tray",
                       lambda: "Nothing coming up" in app.menu().labels(), timeout=15)
        except TimeoutError:
            raise AssertionError(f"tray still lists: {app.menu().labels()}") from None
        screenshot("dashboard-empty.png")


def test_first_start_demo(suite):
    data_dir = os.path.join(suite.workdir, "fresh-data")  # does not exist yet
    app = App("first-start", data_dir, {"CALBUDDY_SECRET_STORE": "file"})
    try:
        wait_until(f"{T_DEMO!r} in the dashboard", lambda: T_DEMO in app.titles(), timeout=20)
        check(os.path.exists(os.path.join(data_dir, "config.toml")), "config.toml not written on first start")
        s = app.session
        joins = s.execute("return document.querySelectorAll('.event .join').length;")
        check(joins >= 1, "no Join button on the demo's meeting")
        screenshot("dashboard-demo.png")
    finally:
        quit_app(suite, app, "first-start")


def test_failed_sync_shows_its_error(suite):
    """A Google account with no OAuth client configured: Sync now must end with the error in
    the dashboard (and a usable button), on the account in settings and in the tray."""
    data_dir = os.path.join(suite.workdir, "no-client-data")
    os.makedirs(data_dir)
    with open(os.path.join(data_dir, "config.toml"), "w") as f:  # no demo, no Google client
        f.write("[notifications]\nenabled = false\n")
    app = App("no-client", data_dir, {"CALBUDDY_SECRET_STORE": "file"})
    try:
        s = app.session
        app.show("dashboard")
        # The app made the database at start; add an account as an earlier run would have.
        with sqlite3.connect(os.path.join(data_dir, "calbuddy.db"), timeout=10) as db:
            db.execute("INSERT INTO accounts (provider, external_id, name, created_at) "
                       "VALUES ('google', ?, ?, ?)", (USER, USER, iso(dt.datetime.now(dt.timezone.utc))))
        s.wait_for("#sync-now", visible=True).click()
        try:
            wait_until("the sync's error in the dashboard banner", lambda: "no Google OAuth client" in (
                s.execute("const b = document.querySelector('#error-banner');"
                          "return b.hidden ? '' : b.textContent;") or ""), timeout=20)
        except TimeoutError as e:
            raise AssertionError(f"{e}; Sync now button says {s.texts('#sync-now')}") from None
        wait_until("the Sync now button to be usable again", lambda: s.execute(
            "const b = document.querySelector('#sync-now');"
            "return !b.disabled && b.textContent.trim() === 'Sync now';"), timeout=10)
        screenshot("dashboard-sync-error.png")
        app.show("settings")
        s.wait_for_text("#account-list .account-status", "no Google OAuth client", timeout=10)
        warning = f"⚠ Sync of {USER} is failing…"
        try:
            wait_until("the tray's warning", lambda: warning in app.menu().labels(), timeout=15)
        except TimeoutError:
            raise AssertionError(f"no {warning!r} in the tray: {app.menu().labels()}") from None
    finally:
        quit_app(suite, app, "no-client")


T_FEED_SOON = "E2E Feed kickoff"
T_FEED_ALLDAY = "E2E Feed holiday"
T_FEED_WEEKLY = "E2E Feed weekly sync"
FEED_NAME = "E2E Team rota"
FEED_MEET = "https://zoom.us/j/81234567890"


def time_shown(text, t):
    """Whether a dashboard time text shows `t`, in the 24- or the 12-hour clock (the webview's
    locale decides)."""
    local = t.astimezone()
    return hhmm(t) in text or f"{local.hour % 12 or 12}:{local.minute:02d}" in text


class IcsScenario:
    """One app run with an ICS subscription from the local feed: subscribe from the settings
    window, events in the dashboard and the tray, a reminder, a conditional refresh, a feed that
    turns into a login page, unsubscribe. The feed link's token must never show or be stored
    outside the secret store."""

    def __init__(self, suite, notifications):
        self.suite = suite
        self.notifications = notifications
        self.feed = None
        self.app = None

    def setup(self):
        self.data_dir = os.path.join(self.suite.workdir, "ics-data")
        os.makedirs(self.data_dir)
        # No demo; reminders 3 minutes ahead, so the feed's meeting in 2.5 minutes is due at once.
        with open(os.path.join(self.data_dir, "config.toml"), "w") as f:
            f.write("[notifications]\nlead_minutes = 3\n")
        now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
        self.t_soon = now + dt.timedelta(seconds=150)
        # The series began two weeks ago: its occurrence today, in an hour, comes from the RRULE.
        self.t_weekly = now + dt.timedelta(hours=1)
        body = ics_feed.calendar("E2E feed's own name", [
            {"uid": "soon@e2e", "summary": T_FEED_SOON, "start": self.t_soon,
             "end": self.t_soon + dt.timedelta(minutes=30), "location": FEED_MEET},
            {"uid": "allday@e2e", "summary": T_FEED_ALLDAY, "date": dt.datetime.now().date()},
            {"uid": "weekly@e2e", "summary": T_FEED_WEEKLY, "start": self.t_weekly - dt.timedelta(days=14),
             "end": self.t_weekly - dt.timedelta(days=14) + dt.timedelta(minutes=45),
             "rrule": "FREQ=WEEKLY;COUNT=6", "description": "Weekly; no meeting link here."},
        ], now)
        self.feed = ics_feed.IcsFeed(body)
        # Debug logging: the log checked for the link's token then covers the sync's own lines.
        self.app = App("ics", self.data_dir, {"CALBUDDY_SECRET_STORE": "file", "CALBUDDY_RETRY_BASE_MS": "50",
                                              "CALBUDDY_LOG": "debug"})

    def teardown(self):
        quit_app(self.suite, self.app, "ics")
        if self.feed:
            self.feed.stop()

    def _secret_in_dom(self):
        return self.app.session.execute(
            "return document.documentElement.outerHTML.includes(arguments[0]) ||"
            " Array.from(document.querySelectorAll('input'), i => i.value).some(v => v.includes(arguments[0]));",
            ics_feed.TOKEN)

    # i1
    def test_refuses_ftp(self):
        app, s = self.app, self.app.session
        app.show("settings")
        field = s.wait_for("#subscribe-url", visible=True)
        field.send_keys("ftp://127.0.0.1/team.ics")
        s.find("#subscribe-submit").click()
        s.wait_for_text("#subscribe-url-error", "isn't a web address", timeout=5)
        check(s.find("#subscribe-url").attr("aria-invalid") == "true", "the link field is not marked invalid")
        time.sleep(0.3)
        check(not s.find_all("#account-list .account"), "an account was added for an ftp:// link")
        check(not s.texts("#subscribe-status")[0], f"status says {s.texts('#subscribe-status')}")
        s.find("#subscribe-url").clear()

    # i1b
    def test_webcal_is_https(self):
        app, s = self.app, self.app.session
        app.show("settings")
        s.wait_for("#subscribe-url", visible=True).send_keys(self.feed.url("webcal"))
        s.find("#subscribe-submit").click()
        try:
            s.wait_for_text("#subscribe-error", "Couldn't reach that address", timeout=20)
        except TimeoutError as e:
            raise AssertionError(f"{e}; error: {s.texts('#subscribe-error')}, status: "
                                 f"{s.texts('#subscribe-status')}") from None
        check(self.feed.tls_attempts >= 1, "the webcal:// link was not tried over https (no TLS hello)")
        check(not self.feed.feed_requests(), f"plain http requests for a webcal:// link: {self.feed.requests}")
        check(not s.find_all("#account-list .account"), "an account was added for an unreachable link")
        detail = s.texts("#subscribe-error-detail")[0]
        check("https://127.0.0.1" in detail, f"the error's detail does not name the https address: {detail!r}")
        # The refused link stays in the field for correcting: clear it as a user would.
        s.find("#subscribe-url").clear()
        s.find("#subscribe-dismiss").click()

    # i2
    def test_subscribe(self):
        app, s = self.app, self.app.session
        app.show("settings")
        s.wait_for("#subscribe-url", visible=True).send_keys(self.feed.url())
        s.find("#subscribe-name").send_keys(FEED_NAME)
        s.find("#subscribe-submit").click()
        try:
            s.wait_for_text("#subscribe-status", f"Subscribed to {FEED_NAME}", timeout=20)
        except TimeoutError as e:
            raise AssertionError(f"{e}; error shown: {s.texts('#subscribe-error')}") from None
        s.wait_for_text("#account-list .account-name", FEED_NAME, timeout=10)
        provider = s.texts("#account-list .account-provider")
        check(provider == ["Calendar link"], f"provider badge says {provider}")
        detail = s.texts("#account-list .account-detail")
        want = f"http://127.0.0.1:{self.feed.port}/team.ics?…"
        check(detail == [want], f"account detail {detail}, expected the redacted {want!r}")
        got = [r for r in self.feed.feed_requests() if r["token_ok"] and r["status"] == 200]
        check(got, f"the feed was not fetched with its full link: {self.feed.requests}")
        check(not self._secret_in_dom(), "the link's token is in the settings DOM")
        screenshot("settings-ics-subscribed.png")

    # i3
    def test_dashboard(self):
        app, s = self.app, self.app.session
        app.show("dashboard")
        want = {T_FEED_SOON, T_FEED_ALLDAY, T_FEED_WEEKLY}
        app.wait_for_titles(want, "the feed's events")
        cards = app.cards()
        by_title = {c["title"]: c for c in cards}
        soon, allday, weekly = by_title[T_FEED_SOON], by_title[T_FEED_ALLDAY], by_title[T_FEED_WEEKLY]
        check(time_shown(soon["time"], self.t_soon), f"{T_FEED_SOON!r} shows {soon['time']!r}")
        check(soon["join"], f"no Join button on {T_FEED_SOON!r} (link in LOCATION)")
        check(not weekly["join"], f"a Join button on {T_FEED_WEEKLY!r}, which has no link")
        check(time_shown(weekly["time"], self.t_weekly), f"{T_FEED_WEEKLY!r} shows {weekly['time']!r}")
        check(allday["allDay"] and allday["time"].startswith("All day"), f"all-day event shown as {allday}")
        check(not self._secret_in_dom(), "the link's token is in the dashboard DOM")
        screenshot("dashboard-ics-events.png")

    # i4
    def test_tray(self):
        app = self.app
        want = f"{hhmm(self.t_soon)}  {T_FEED_SOON}"
        try:
            wait_until("the feed's soon event in the tray menu", lambda: want in app.menu().labels(), timeout=15)
        except TimeoutError as e:
            raise AssertionError(f"{e}; menu: {app.menu().labels()}") from None
        labels = app.menu().labels()
        check(any(label.startswith(f"Join: {T_FEED_SOON} (") for label in labels), f"no 'Join: …' item: {labels}")

    # i5
    def test_reminder(self):
        got = wait_until(f"a Notify call for {T_FEED_SOON!r}",
                         lambda: self.notifications.notifies(T_FEED_SOON), timeout=30)
        body = got[0]["body"]
        check(body.startswith("Starts in") and hhmm(self.t_soon) in body, f"unexpected body {body!r}")
        check(len(got) == 1, f"{len(got)} notifications for {T_FEED_SOON!r}")

    # i6
    def test_refresh_unchanged(self):
        app = self.app
        before = len(self.feed.feed_requests())
        click_sync_now(self.app)
        wait_until("a conditional request answered 304", lambda: any(
            r["if_none_match"] == self.feed.etag and r["status"] == 304
            for r in self.feed.feed_requests()[before:]), timeout=15)
        wait_sync_done(self.app, timeout=15)
        titles = app.titles()
        check({T_FEED_SOON, T_FEED_ALLDAY, T_FEED_WEEKLY} <= set(titles), f"events after a 304: {titles}")
        banner = app.session.execute(
            "const b = document.querySelector('#error-banner'); return b.hidden ? '' : b.textContent;")
        check(not banner, f"error banner after an unchanged refresh: {banner!r}")

    # i7
    def test_login_page(self):
        app, s = self.app, self.app.session
        self.feed.set_mode("login")
        before = len(self.feed.feed_requests())
        click_sync_now(self.app)
        wait_until("the feed to be asked again", lambda: len(self.feed.feed_requests()) > before, timeout=15)
        wait_sync_done(self.app, timeout=15)
        titles = app.titles()
        check({T_FEED_SOON, T_FEED_ALLDAY, T_FEED_WEEKLY} <= set(titles), f"events lost to a login page: {titles}")
        app.show("settings")
        try:
            s.wait_for_text("#account-list .account-status", "did not send a calendar", timeout=10)
        except TimeoutError as e:
            raise AssertionError(f"{e}; status: {s.texts('#account-list .account-status')}") from None
        warn = s.execute("return document.querySelector('#account-list .account-status').classList.contains('warn');")
        check(warn, "the account's error is not marked as a warning")
        check(not self._secret_in_dom(), "the link's token is in the settings DOM with the error")
        screenshot("settings-ics-error.png")
        self.feed.set_mode("feed")

    # i8
    def test_secret_not_stored(self):
        db = os.path.join(self.data_dir, "calbuddy.db")
        check(os.path.exists(db), f"no database at {db}")
        token = ics_feed.TOKEN.encode()
        for path in [db, db + "-wal", db + "-shm", self.app.log_path]:
            if os.path.exists(path):
                with open(path, "rb") as f:
                    check(token not in f.read(), f"the link's token is in {os.path.basename(path)}")

    # i9
    def test_unsubscribe(self):
        app, s = self.app, self.app.session
        app.show("settings")
        s.wait_for_text("#account-list .account-name", FEED_NAME, timeout=10)
        s.wait_for(".account .disconnect", visible=True).click()
        wait_until("the confirmation dialog", lambda: s.execute(
            "return document.querySelector('#confirm-dialog').open;"), timeout=5)
        msg = s.texts("#confirm-message")[0]
        check(msg.startswith(f"Unsubscribe from {FEED_NAME}"), f"dialog message {msg!r}")
        s.wait_for("#confirm-yes", visible=True).click()
        s.wait_for_text("#connect-result", f"Unsubscribed from {FEED_NAME}", timeout=15)
        wait_until("the account list to be empty", lambda: not s.find_all("#account-list .account"), timeout=10)
        app.show("dashboard")
        s.wait_for("#empty-state", timeout=10)
        check(not app.titles(), f"events still shown: {app.titles()}")
        try:
            wait_until("the feed's events to leave the tray",
                       lambda: not any(T_FEED_SOON in label for label in app.menu().labels()), timeout=15)
        except TimeoutError:
            raise AssertionError(f"tray still lists: {app.menu().labels()}") from None
        with open(app.log_path, "rb") as f:
            check(ics_feed.TOKEN.encode() not in f.read(), "the link's token is in the app's log")


ICS_TESTS = [
    ("i1_ics_form_refuses_ftp_link", "test_refuses_ftp"),
    ("i1b_ics_webcal_link_is_tried_over_https", "test_webcal_is_https"),
    ("i2_ics_subscribe_from_settings", "test_subscribe"),
    ("i3_ics_events_in_dashboard", "test_dashboard"),
    ("i4_ics_soon_event_in_tray", "test_tray"),
    ("i5_ics_reminder_on_dbus", "test_reminder"),
    ("i6_ics_unchanged_refresh_is_conditional", "test_refresh_unchanged"),
    ("i7_ics_login_page_error_keeps_events", "test_login_page"),
    ("i8_ics_token_not_in_database_or_log", "test_secret_not_stored"),
    ("i9_ics_unsubscribe_removes_events", "test_unsubscribe"),
]


T_DAV_SOON = "E2E DAV planning"
T_DAV_WEEKLY = "E2E DAV weekly"
T_DAV_MOVED = "E2E DAV weekly (moved)"
T_DAV_ADDED = "E2E DAV added on the server"
DAV_MEET = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_dav-e2e%40thread.v2/0"


class CalDavScenario:
    """One app run against a real Radicale: add the account from the settings window (a wrong
    password first), its events (a series with a moved instance) in the dashboard and the tray,
    changes made on the server picked up by Sync now, a password changed on the server ending in
    Reconnect, and disconnect. The password must never show or be stored outside the secret
    store."""

    def __init__(self, suite, notifications):
        self.suite = suite
        self.notifications = notifications
        self.server = None
        self.app = None

    def setup(self):
        python = os.environ.get("E2E_CALDAV_PYTHON")
        check(python and os.access(python, os.X_OK),
              "E2E_CALDAV_PYTHON is not set: run through tests/e2e/run (it calls scripts/caldav-venv)")
        self.data_dir = os.path.join(self.suite.workdir, "caldav-data")
        os.makedirs(self.data_dir)
        with open(os.path.join(self.data_dir, "config.toml"), "w") as f:
            f.write("[notifications]\nlead_minutes = 3\n")
        self.server = caldav_server.Radicale(python, os.path.join(self.suite.workdir, "radicale"), PROCS.popen)
        now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
        self.t_soon = now + dt.timedelta(seconds=150)
        # A daily series that began two days ago; today's instance is moved to 90 minutes from now.
        self.t_weekly = now + dt.timedelta(hours=1) - dt.timedelta(days=2)
        self.t_moved = now + dt.timedelta(minutes=90)
        self.server.put("soon.ics", caldav_server.calendar(
            caldav_server.vevent("soon@dav-e2e", T_DAV_SOON, self.t_soon, location=DAV_MEET)))
        self.server.put("series.ics", caldav_server.calendar(
            caldav_server.vevent("series@dav-e2e", T_DAV_WEEKLY, self.t_weekly, rrule="FREQ=DAILY;COUNT=5"),
            caldav_server.vevent("series@dav-e2e", T_DAV_MOVED, self.t_moved,
                                 recurrence_id=self.t_weekly + dt.timedelta(days=2))))
        self.app = App("caldav", self.data_dir, {"CALBUDDY_SECRET_STORE": "file", "CALBUDDY_RETRY_BASE_MS": "50",
                                                 "CALBUDDY_LOG": "debug"})

    def teardown(self):
        quit_app(self.suite, self.app, "caldav")
        if self.server:
            self.server.stop()

    def _fill(self, url, user, password):
        s = self.app.session
        s.wait_for("#caldav-url", visible=True).clear()
        s.find("#caldav-url").send_keys(url)
        s.find("#caldav-user").clear()
        s.find("#caldav-user").send_keys(user)
        s.find("#caldav-password").send_keys(password)
        s.find("#caldav-submit").click()

    def _password_in(self, text):
        return self.server.password.encode() in text or caldav_server.PASSWORD.encode() in text

    # c1
    def test_wrong_password(self):
        app, s = self.app, self.app.session
        app.show("settings")
        s.wait_for("#add-caldav", visible=True).click()
        self._fill(self.server.url, caldav_server.USER, "not-the-password")
        try:
            s.wait_for_text("#caldav-error", "didn't accept that user name and password", timeout=20)
        except TimeoutError as e:
            raise AssertionError(f"{e}; shown: {s.texts('#caldav-error')} {s.texts('#caldav-status')}") from None
        check(not s.find_all("#account-list .account"), "an account was added with a wrong password")
        check(s.find("#caldav-password").attr("aria-invalid") == "true", "the password is not marked")
        value = s.execute("return document.querySelector('#caldav-password').value;")
        check(value == "", "the refused password is still in the field")
        screenshot("settings-caldav-wrong-password.png")

    # c2
    def test_connect(self):
        app, s = self.app, self.app.session
        app.show("settings")
        s.wait_for("#add-caldav", visible=True).click()
        self._fill(self.server.url, caldav_server.USER, caldav_server.PASSWORD)
        try:
            s.wait_for_text("#connect-result", f"Connected {caldav_server.USER}", timeout=30)
        except TimeoutError as e:
            raise AssertionError(f"{e}; error: {s.texts('#caldav-error')} {s.texts('#caldav-error-detail')}") from None
        check(s.execute("return document.querySelector('#caldav-form').hidden;"), "the form stayed open")
        s.wait_for_text("#account-list .account-provider", "CalDAV", timeout=10)
        detail = s.texts("#account-list .account-detail")
        check(detail == ["127.0.0.1"], f"account detail {detail}")
        names = s.texts(".calendar .calendar-name")
        check("Personal" in names and "Tasks" not in names, f"calendars listed: {names}")
        check(not self._password_in(s.execute("return document.documentElement.outerHTML;").encode()),
              "the password is in the settings DOM")
        screenshot("settings-caldav-connected.png")

    # c3
    def test_dashboard(self):
        app = self.app
        app.show("dashboard")
        want = {T_DAV_SOON, T_DAV_WEEKLY, T_DAV_MOVED}
        app.wait_for_titles(want, "the CalDAV events")
        cards = app.cards()
        by_title = {c["title"]: c for c in cards}
        check(by_title[T_DAV_SOON]["join"], f"no Join button on {T_DAV_SOON!r}")
        check(time_shown(by_title[T_DAV_MOVED]["time"], self.t_moved), f"moved instance shows {by_title[T_DAV_MOVED]}")
        screenshot("dashboard-caldav-events.png")

    # c4
    def test_tray_and_reminder(self):
        app = self.app
        want = f"{hhmm(self.t_soon)}  {T_DAV_SOON}"
        try:
            wait_until("the CalDAV event in the tray menu", lambda: want in app.menu().labels(), timeout=15)
        except TimeoutError as e:
            raise AssertionError(f"{e}; menu: {app.menu().labels()}") from None
        got = wait_until(f"a Notify call for {T_DAV_SOON!r}", lambda: self.notifications.notifies(T_DAV_SOON),
                         timeout=30)
        check(len(got) == 1, f"{len(got)} notifications for {T_DAV_SOON!r}")

    # c5
    def test_server_changes(self):
        app = self.app
        self.server.put("added.ics", caldav_server.calendar(caldav_server.vevent(
            "added@dav-e2e", T_DAV_ADDED, dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=3))))
        self.server.delete("soon.ics")
        click_sync_now(self.app)
        wait_sync_done(self.app)
        try:
            wait_until("the server's changes in the dashboard", lambda: T_DAV_ADDED in app.titles()
                       and T_DAV_SOON not in app.titles(), timeout=15)
        except TimeoutError as e:
            raise AssertionError(f"{e}; shown: {app.titles()}") from None
        check(T_DAV_MOVED in app.titles(), f"the series lost its moved instance: {app.titles()}")

    # c6
    def test_password_changed_on_server(self):
        app, s = self.app, self.app.session
        self.server.change_password("changed-elsewhere")
        click_sync_now(self.app)
        wait_sync_done(self.app)
        titles = app.titles()
        check(T_DAV_ADDED in titles and T_DAV_MOVED in titles, f"events lost to a refused password: {titles}")
        app.show("settings")
        try:
            reconnect = s.wait_for("#account-list .reconnect", visible=True, timeout=15)
        except TimeoutError as e:
            raise AssertionError(f"{e}; status: {s.texts('#account-list .account-status')}") from None
        reconnect.click()
        s.wait_for_text("#caldav-heading", f"Reconnect {caldav_server.USER}", timeout=5)
        s.wait_for("#caldav-password", visible=True).send_keys("changed-elsewhere")
        s.find("#caldav-submit").click()
        try:
            s.wait_for_text("#connect-result", f"Reconnected {caldav_server.USER}", timeout=30)
        except TimeoutError as e:
            raise AssertionError(f"{e}; error: {s.texts('#caldav-error')} {s.texts('#caldav-error-detail')}") from None
        wait_until("Reconnect to go away", lambda: not s.find_all("#account-list .reconnect"), timeout=10)
        screenshot("settings-caldav-reconnected.png")

    # c7
    def test_password_not_stored(self):
        db = os.path.join(self.data_dir, "calbuddy.db")
        check(os.path.exists(db), f"no database at {db}")
        for path in [db, db + "-wal", db + "-shm", self.app.log_path]:
            if os.path.exists(path):
                with open(path, "rb") as f:
                    check(not self._password_in(f.read()), f"the password is in {os.path.basename(path)}")

    # c8
    def test_disconnect(self):
        app, s = self.app, self.app.session
        app.show("settings")
        s.wait_for(".account .disconnect", visible=True).click()
        wait_until("the confirmation dialog", lambda: s.execute(
            "return document.querySelector('#confirm-dialog').open;"), timeout=5)
        s.wait_for("#confirm-yes", visible=True).click()
        s.wait_for_text("#connect-result", f"Disconnected {caldav_server.USER}", timeout=15)
        wait_until("the account list to be empty", lambda: not s.find_all("#account-list .account"), timeout=10)
        app.show("dashboard")
        s.wait_for("#empty-state", timeout=10)
        check(not app.titles(), f"events still shown: {app.titles()}")


CALDAV_TESTS = [
    ("c1_caldav_wrong_password_is_refused", "test_wrong_password"),
    ("c2_caldav_connect_from_settings", "test_connect"),
    ("c3_caldav_events_in_dashboard", "test_dashboard"),
    ("c4_caldav_event_in_tray_and_reminder", "test_tray_and_reminder"),
    ("c5_caldav_server_changes_on_sync_now", "test_server_changes"),
    ("c6_caldav_password_changed_reconnect", "test_password_changed_on_server"),
    ("c7_caldav_password_not_in_database_or_log", "test_password_not_stored"),
    ("c8_caldav_disconnect_removes_events", "test_disconnect"),
]


T_MS_SOON = "E2E Outlook sync"
T_MS_LATER = "E2E Outlook planning"
T_MS_ALLDAY = "E2E Outlook offsite"
MS_USER = "megan@contoso.example"
TEAMS = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_e2e%40thread.v2/0"


def graph_time(t):
    return {"dateTime": t.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.0000000"), "timeZone": "UTC"}


class MicrosoftScenario:
    """One app run against the fake Microsoft identity platform and Graph: connect Microsoft 365 /
    Outlook from the settings window (the fake browser consents), its events (a Teams meeting,
    an HTML body, an all-day event) in the dashboard, the tray and a reminder, a revoked grant
    ending in Reconnect, no token outside the secret store, and disconnect saying Microsoft
    cannot revoke."""

    def __init__(self, suite, notifications):
        self.suite = suite
        self.notifications = notifications
        self.fake = None
        self.app = None

    def setup(self):
        w = os.path.join(self.suite.workdir, "microsoft")
        os.makedirs(w)
        self.data_dir = os.path.join(w, "data")
        os.makedirs(self.data_dir)
        with open(os.path.join(self.data_dir, "config.toml"), "w") as f:
            f.write("[notifications]\nlead_minutes = 3\n")
        self.fake = FakeMicrosoft(FAKE_MS_BIN, os.path.join(ARTIFACTS, "fake-microsoft.log"), popen=PROCS.popen)
        now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
        self.t_soon = now + dt.timedelta(seconds=150)
        self.t_later = now + dt.timedelta(hours=2)
        today = dt.datetime.now().date()
        self.fake.put_events([
            {"subject": T_MS_SOON, "start": graph_time(self.t_soon),
             "end": graph_time(self.t_soon + dt.timedelta(minutes=30)),
             "isOnlineMeeting": True, "onlineMeeting": {"joinUrl": TEAMS}},
            {"subject": T_MS_LATER, "start": graph_time(self.t_later),
             "end": graph_time(self.t_later + dt.timedelta(hours=1)),
             "body": {"contentType": "html",
                      "content": "<p>Bring <b>numbers</b></p><script>window.__pwned=1</script>"}},
            {"subject": T_MS_ALLDAY, "isAllDay": True,
             "start": {"dateTime": f"{today:%Y-%m-%d}T00:00:00.0000000", "timeZone": "UTC"},
             "end": {"dateTime": f"{today + dt.timedelta(days=1):%Y-%m-%d}T00:00:00.0000000", "timeZone": "UTC"}},
        ])
        browser, bin_dir = fake_browser(w, os.path.join(w, "opened-urls.txt"))
        env = self.fake.env()
        env.update({"CALBUDDY_SECRET_STORE": "file", "CALBUDDY_RETRY_BASE_MS": "50", "CALBUDDY_LOG": "debug",
                    "BROWSER": browser, "PATH": bin_dir + os.pathsep + os.environ.get("PATH", "/usr/bin:/bin")})
        self.app = App("microsoft", self.data_dir, env)

    def teardown(self):
        quit_app(self.suite, self.app, "microsoft")
        if self.fake:
            self.fake.stop()

    # m1
    def test_connect(self):
        app, s = self.app, self.app.session
        app.show("settings")
        s.wait_for("#connect-microsoft", visible=True).click()
        try:
            s.wait_for_text("#connect-result", f"Connected {MS_USER}", timeout=30)
        except TimeoutError as e:
            raise AssertionError(f"{e}; error: {s.texts('#connect-error')}") from None
        s.wait_for_text("#account-list .account-provider", "Microsoft", timeout=10)
        names = s.texts("#account-list .account-name")
        check(names == [MS_USER], f"accounts listed: {names}")
        screenshot("settings-microsoft-connected.png")

    # m2
    def test_dashboard(self):
        app = self.app
        app.show("dashboard")
        want = {T_MS_SOON, T_MS_LATER, T_MS_ALLDAY}
        app.wait_for_titles(want, "the Outlook events")
        cards = app.cards()
        by_title = {c["title"]: c for c in cards}
        check(by_title[T_MS_SOON]["join"], f"no Join button on the Teams meeting: {by_title[T_MS_SOON]}")
        check(time_shown(by_title[T_MS_SOON]["time"], self.t_soon), f"{T_MS_SOON!r} shows {by_title[T_MS_SOON]}")
        check(by_title[T_MS_ALLDAY]["allDay"], f"all-day event shown as {by_title[T_MS_ALLDAY]}")
        check(not app.session.execute("return !!window.__pwned;"), "the HTML body's script ran")
        screenshot("dashboard-microsoft-events.png")

    # m3
    def test_tray_and_reminder(self):
        app = self.app
        want = f"{hhmm(self.t_soon)}  {T_MS_SOON}"
        try:
            wait_until("the Teams meeting in the tray menu", lambda: want in app.menu().labels(), timeout=15)
        except TimeoutError as e:
            raise AssertionError(f"{e}; menu: {app.menu().labels()}") from None
        check(any(label.startswith(f"Join: {T_MS_SOON} (") for label in app.menu().labels()),
              f"no Join item: {app.menu().labels()}")
        got = wait_until(f"a Notify call for {T_MS_SOON!r}", lambda: self.notifications.notifies(T_MS_SOON),
                         timeout=30)
        check(len(got) == 1, f"{len(got)} notifications for {T_MS_SOON!r}")

    # m4
    def test_revoked_reconnect(self):
        app, s = self.app, self.app.session
        self.fake.revoke_grants()
        # The access token may still be good: only a refresh meets the revoked grant. Make the
        # app refresh by asking after the access tokens expired.
        self.fake._admin("POST", "/expire-access-tokens")
        click_sync_now(self.app)
        wait_sync_done(self.app)
        titles = app.titles()
        check({T_MS_SOON, T_MS_LATER} <= set(titles), f"events lost to a revoked grant: {titles}")
        app.show("settings")
        try:
            reconnect = s.wait_for("#account-list .reconnect", visible=True, timeout=15)
        except TimeoutError as e:
            raise AssertionError(f"{e}; status: {s.texts('#account-list .account-status')}") from None
        reconnect.click()
        try:
            s.wait_for_text("#connect-result", f"Connected {MS_USER}", timeout=30)
        except TimeoutError as e:
            raise AssertionError(f"{e}; error: {s.texts('#connect-error')}") from None
        wait_until("Reconnect to go away", lambda: not s.find_all("#account-list .reconnect"), timeout=10)

    # m5
    def test_tokens_not_stored(self):
        tokens = [t.encode() for t in self.fake.tokens()]
        check(tokens, "the fake issued no tokens")
        db = os.path.join(self.data_dir, "calbuddy.db")
        for path in [db, db + "-wal", db + "-shm", self.app.log_path]:
            if os.path.exists(path):
                with open(path, "rb") as f:
                    data = f.read()
                check(not any(t in data for t in tokens), f"a token is in {os.path.basename(path)}")
        html = self.app.session.execute("return document.documentElement.outerHTML;").encode()
        check(not any(t in html for t in tokens), "a token is in the page")

    # m6
    def test_disconnect(self):
        app, s = self.app, self.app.session
        app.show("settings")
        s.wait_for(".account .disconnect", visible=True).click()
        wait_until("the confirmation dialog", lambda: s.execute(
            "return document.querySelector('#confirm-dialog').open;"), timeout=5)
        msg = s.texts("#confirm-message")[0]
        check("Microsoft" in msg, f"the dialog does not say what happens at Microsoft: {msg!r}")
        s.wait_for("#confirm-yes", visible=True).click()
        s.wait_for_text("#connect-result", f"Disconnected {MS_USER}", timeout=15)
        result = s.texts("#connect-result")[0]
        check("myapps.microsoft.com" in result or "account.live.com" in result,
              f"no word on removing the access at Microsoft: {result!r}")
        wait_until("the account list to be empty", lambda: not s.find_all("#account-list .account"), timeout=10)
        app.show("dashboard")
        s.wait_for("#empty-state", timeout=10)
        check(not app.titles(), f"events still shown: {app.titles()}")


MICROSOFT_TESTS = [
    ("m1_microsoft_connect_from_settings", "test_connect"),
    ("m2_microsoft_events_in_dashboard", "test_dashboard"),
    ("m3_microsoft_event_in_tray_and_reminder", "test_tray_and_reminder"),
    ("m4_microsoft_revoked_grant_reconnect", "test_revoked_reconnect"),
    ("m5_microsoft_tokens_not_in_database_log_or_page", "test_tokens_not_stored"),
    ("m6_microsoft_disconnect_says_it_cannot_revoke", "test_disconnect"),
]


MAIN_TESTS = [
    ("a_connect_google_lists_events", "test_connect"),
    ("b_sync_now_picks_up_new_event", "test_sync_now"),
    ("c_reminder_notification_on_dbus", "test_reminder"),
    ("c2_reminder_click_opens_meeting_link", "test_reminder_click"),
    ("d_tray_menu_lists_events_and_syncs", "test_tray"),
    ("e_event_text_is_not_html", "test_xss"),
    # After the tray test: this one waits until the meeting starts.
    ("e2_reminder_join_and_snooze_buttons", "test_reminder_join_and_snooze"),
    ("f_disconnect_clears_dashboard", "test_disconnect"),
]


def run_scenario(suite, scenario, setup_name, tests):
    setup_ok = suite.run(setup_name, scenario.setup)
    try:
        for name, method in tests:
            if setup_ok:
                suite.run(name, getattr(scenario, method))
            else:
                suite.skip(name, "setup failed")
    finally:
        scenario.teardown()


SCENARIOS = ("main", "first_start", "failed_sync", "ics", "caldav", "microsoft", "busy_day")


def main():
    t0 = time.monotonic()
    only = [n for n in (sys.argv[1:] or os.environ.get("E2E_ONLY", "").split(",")) if n]
    unknown = [n for n in only if n not in SCENARIOS]
    if unknown:  # before the artefacts of the last run are cleared
        log(f"e2e: unknown scenario(s) {', '.join(unknown)}; known: {', '.join(SCENARIOS)}")
        log("e2e: 0 passed, 1 failed")
        return 1
    os.makedirs(ARTIFACTS, exist_ok=True)
    for old in os.listdir(ARTIFACTS):
        if old != "session.log":  # written by tests/e2e/run while we run
            os.remove(os.path.join(ARTIFACTS, old))
    for b in (APP_BIN, FAKE_BIN, FAKE_MS_BIN, DRIVER_BIN):
        if not os.access(b, os.X_OK):
            log(f"e2e: missing binary {b} (build it first)")
            log("e2e: 0 passed, 1 failed")
            return 1
    if not os.environ.get("DISPLAY") or not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        log("e2e: needs DISPLAY and a session bus: run tests/e2e/run")
        log("e2e: 0 passed, 1 failed")
        return 1

    def on_signal(signum, _frame):
        global INTERRUPTED
        INTERRUPTED = True
        raise KeyboardInterrupt(f"signal {signum}")
    signal.signal(signal.SIGTERM, on_signal)

    import busy_day_scenario  # after this module's definitions, which it uses

    # Every scenario of SCENARIOS by name, in the order they run; `run NAME...` (or
    # E2E_ONLY=NAME,NAME) runs only those.
    scenarios = {
        "main": lambda: run_scenario(suite, MainScenario(suite, notifications), "setup_main_app", MAIN_TESTS),
        "first_start": lambda: suite.run("g_first_start_shows_demo", test_first_start_demo, suite),
        "failed_sync": lambda: suite.run("h_failed_sync_shows_its_error", test_failed_sync_shows_its_error, suite),
        "ics": lambda: run_scenario(suite, IcsScenario(suite, notifications), "setup_ics_app", ICS_TESTS),
        "caldav": lambda: run_scenario(suite, CalDavScenario(suite, notifications), "setup_caldav_app",
                                       CALDAV_TESTS),
        "microsoft": lambda: run_scenario(suite, MicrosoftScenario(suite, notifications), "setup_microsoft_app",
                                          MICROSOFT_TESTS),
        "busy_day": lambda: run_scenario(suite, busy_day_scenario.BusyDayScenario(suite, notifications),
                                         "setup_busy_day_app", busy_day_scenario.TESTS),
    }
    assert tuple(scenarios) == SCENARIOS, "SCENARIOS names every scenario, in order"
    workdir = tempfile.mkdtemp(prefix="calbuddy-e2e-")
    suite = Suite(workdir)
    try:
        notifications = Notifications(workdir)
        for name, run in scenarios.items():
            if not only or name in only:
                run()
    except KeyboardInterrupt as e:
        suite.results.append(("interrupted", False, 0.0, str(e)))
    finally:
        PROCS.stop_all()
        if os.environ.get("E2E_KEEP_WORKDIR"):
            log(f"workdir kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    for note in suite.notes:
        log(f"NOTE: {note}")
    # The setup steps are not tests of their own unless they failed.
    counted = [r for r in suite.results if not r[0].startswith("setup_") or not r[1]]
    passed = sum(1 for r in counted if r[1])
    failed = len(counted) - passed
    log(f"total {time.monotonic() - t0:.1f}s; artefacts in {ARTIFACTS}")
    log(f"e2e: {passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception:  # noqa: BLE001 (a harness bug: still end with a result line)
        traceback.print_exc(file=sys.stdout)
        PROCS.stop_all()
        log("e2e: 0 passed, 1 failed")
        sys.exit(1)
