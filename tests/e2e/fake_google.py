"""Starts the fake Google server (`fake-google --port 0`) and drives its /_admin JSON API."""

import urllib.request

from fake_server import FakeServer

CLIENT_ID = "test-client.apps.googleusercontent.com"
CLIENT_SECRET = "test-secret"
USER = "user@example.com"


class FakeGoogle(FakeServer):
    name = "fake-google"

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
