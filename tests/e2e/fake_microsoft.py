"""Starts the fake Microsoft identity platform + Graph (`fake-microsoft --port 0`) and drives its
/_admin JSON API."""

import urllib.parse

from fake_server import FakeServer

CLIENT_ID = "5e3ce6c0-2b1f-4285-8d4b-75ee78787346"
DEFAULT_CALENDAR = "AAMkADefaultCalendar-Q_Q="


class FakeMicrosoft(FakeServer):
    name = "fake-microsoft"

    # ---- endpoints the app is pointed at ----
    def env(self):
        return {
            "CALBUDDY_MICROSOFT_CLIENT_ID": CLIENT_ID,
            "CALBUDDY_MICROSOFT_AUTH_URL": self.base + "/{tenant}/oauth2/v2.0/authorize",
            "CALBUDDY_MICROSOFT_TOKEN_URL": self.base + "/{tenant}/oauth2/v2.0/token",
            "CALBUDDY_MICROSOFT_GRAPH_URL": self.base + "/v1.0",
        }

    # ---- admin API ----
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
