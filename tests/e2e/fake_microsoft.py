"""Starts the fake Microsoft identity platform + Graph (`fake-microsoft --port 0`) and drives its
/_admin JSON API."""

import json
import os
import select
import subprocess
import time
import urllib.parse
import urllib.request

# Never through a proxy: everything here is on loopback.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))

CLIENT_ID = "5e3ce6c0-2b1f-4285-8d4b-75ee78787346"
DEFAULT_CALENDAR = "AAMkADefaultCalendar-Q_Q="


class FakeMicrosoft:
    def __init__(self, binary, log_path, popen=subprocess.Popen, timeout=15.0):
        self.log = open(log_path, "ab")
        self.proc = popen([binary, "--port", "0"], stdout=subprocess.PIPE, stderr=self.log,
                          stdin=subprocess.DEVNULL)
        line = b""
        deadline = time.monotonic() + timeout
        while not line.endswith(b"\n"):
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.proc.stdout], [], [], left)[0]:
                raise TimeoutError("fake-microsoft did not print its address")
            chunk = os.read(self.proc.stdout.fileno(), 1)
            if not chunk:
                raise RuntimeError(f"fake-microsoft exited early (code {self.proc.poll()})")
            line += chunk
        text = line.decode().strip()
        if not text.startswith("listening on "):
            raise RuntimeError(f"fake-microsoft printed {text!r}")
        self.base = text[len("listening on "):].rstrip("/")

    # ---- endpoints the app is pointed at ----
    def env(self):
        return {
            "CALBUDDY_MICROSOFT_CLIENT_ID": CLIENT_ID,
            "CALBUDDY_MICROSOFT_AUTH_URL": self.base + "/{tenant}/oauth2/v2.0/authorize",
            "CALBUDDY_MICROSOFT_TOKEN_URL": self.base + "/{tenant}/oauth2/v2.0/token",
            "CALBUDDY_MICROSOFT_GRAPH_URL": self.base + "/v1.0",
        }

    # ---- admin API ----
    def _admin(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + "/_admin" + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        with _OPENER.open(req, timeout=10) as resp:
            return json.loads(resp.read() or b"null")

    def put_events(self, events, calendar=DEFAULT_CALENDAR):
        """Events in Graph's create-event JSON; returns their ids."""
        return self._admin("POST", f"/calendars/{urllib.parse.quote(calendar, safe='')}/events", events)["ids"]

    def revoke_grants(self):
        return self._admin("POST", "/revoke-grants")

    def requests(self):
        return self._admin("GET", "/requests")

    def tokens(self):
        """Every token issued so far (access and refresh)."""
        return self._admin("GET", "/tokens")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.log.close()
