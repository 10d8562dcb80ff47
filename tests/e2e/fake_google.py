"""Starts the fake Google server (`fake-google --port 0`) and drives its /_admin JSON API."""

import json
import os
import select
import subprocess
import time
import urllib.request

# Never through a proxy: everything here is on loopback.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))

CLIENT_ID = "test-client.apps.googleusercontent.com"
CLIENT_SECRET = "test-secret"
USER = "user@example.com"


class FakeGoogle:
    def __init__(self, binary, log_path, popen=subprocess.Popen, timeout=15.0):
        self.log = open(log_path, "ab")
        self.proc = popen([binary, "--port", "0"], stdout=subprocess.PIPE, stderr=self.log,
                          stdin=subprocess.DEVNULL)
        line = b""
        deadline = time.monotonic() + timeout
        while not line.endswith(b"\n"):
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.proc.stdout], [], [], left)[0]:
                raise TimeoutError("fake-google did not print its address")
            chunk = os.read(self.proc.stdout.fileno(), 1)
            if not chunk:
                raise RuntimeError(f"fake-google exited early (code {self.proc.poll()})")
            line += chunk
        text = line.decode().strip()
        if not text.startswith("listening on "):
            raise RuntimeError(f"fake-google printed {text!r}")
        self.base = text[len("listening on "):].rstrip("/")

    # ---- endpoints the app is pointed at ----
    def env(self):
        return {
            "CALBUDDY_GOOGLE_CLIENT_ID": CLIENT_ID,
            "CALBUDDY_GOOGLE_CLIENT_SECRET": CLIENT_SECRET,
            "CALBUDDY_GOOGLE_AUTH_URL": self.base + "/o/oauth2/v2/auth",
            "CALBUDDY_GOOGLE_TOKEN_URL": self.base + "/token",
            "CALBUDDY_GOOGLE_REVOKE_URL": self.base + "/revoke",
            "CALBUDDY_GOOGLE_API_URL": self.base + "/calendar/v3",
        }

    # ---- admin API ----
    def _admin(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + "/_admin" + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        with _OPENER.open(req, timeout=10) as resp:
            return json.loads(resp.read() or b"null")

    def add_calendar(self, cal_id, summary, color="#9fc6e7"):
        return self._admin("POST", "/calendars", {"id": cal_id, "summary": summary, "color": color})

    def put_events(self, events, calendar=USER):
        return self._admin("POST", f"/calendars/{urllib.request.quote(calendar, safe='@')}/events", events)

    def delete_event(self, event_id, calendar=USER):
        return self._admin("DELETE", f"/calendars/{calendar}/events/{event_id}")

    def requests(self):
        return self._admin("GET", "/requests")

    def clear_requests(self):
        return self._admin("DELETE", "/requests")

    def events_requests(self):
        return [r for r in self.requests() if r["path"].endswith("/events") and r["path"].startswith("/calendar/v3/")]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.log.close()
