"""A local ICS feed for the desktop e2e tests: an HTTP server on 127.0.0.1 (random port) that
serves one generated calendar at /team.ics, only with the right `token` in the query (as a
private feed link would), with an ETag so refreshes are conditional (304 when unchanged), and
that can be switched to answer an HTML login page instead (a feed whose link stopped working).
An https attempt (what a webcal:// link becomes) is counted and refused."""

import datetime as dt
import hashlib
import http.server
import socket
import threading
import urllib.parse

TOKEN = "s3cret"
PATH = "/team.ics"

LOGIN_PAGE = b"""<!DOCTYPE html>
<html><head><title>Sign in</title></head>
<body><form method="post" action="/login"><input name="user"><input name="password" type="password">
<button>Sign in</button></form></body></html>
"""


def _utc(t):
    return t.astimezone(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def _fold(line):
    # RFC 5545 3.1: lines longer than 75 octets are folded (CRLF + one space).
    raw = line.encode("utf-8")
    if len(raw) <= 75:
        return line
    parts, rest = [], raw
    while len(rest) > 75:
        parts.append(rest[:75])
        rest = rest[75:]
    parts.append(rest)
    return "\r\n ".join(p.decode("utf-8") for p in parts)


def calendar(cal_name, events, stamp):
    """An iCalendar body. `events` are dicts: uid, summary, and either `start`/`end` datetimes
    (UTC) or `date` (an all-day event on that date); optional location, description, rrule."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Calendar Buddy//e2e feed//EN",
             f"X-WR-CALNAME:{cal_name}"]
    for e in events:
        lines += ["BEGIN:VEVENT", f"UID:{e['uid']}", f"DTSTAMP:{_utc(stamp)}", f"SUMMARY:{e['summary']}"]
        if "date" in e:
            lines += [f"DTSTART;VALUE=DATE:{e['date']:%Y%m%d}",
                      f"DTEND;VALUE=DATE:{e['date'] + dt.timedelta(days=1):%Y%m%d}"]
        else:
            lines += [f"DTSTART:{_utc(e['start'])}", f"DTEND:{_utc(e['end'])}"]
        for key, prop in (("rrule", "RRULE"), ("location", "LOCATION"), ("description", "DESCRIPTION")):
            if key in e:
                lines.append(f"{prop}:{e[key]}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return ("\r\n".join(_fold(line) for line in lines) + "\r\n").encode("utf-8")


class IcsFeed:
    """The server. `requests` lists what it was asked (path without the query, whether the
    token matched, the If-None-Match header, the status answered)."""

    def __init__(self, body):
        self.body = body
        self.mode = "feed"  # or "login"
        self.requests = []
        self.tls_attempts = 0
        self._lock = threading.Lock()
        feed = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def handle(self):
                # A TLS ClientHello (first byte 0x16) is an https attempt (a webcal:// link): note
                # it and hang up at once rather than wait for an HTTP request line that never comes.
                if self.connection.recv(1, socket.MSG_PEEK) == b"\x16":
                    with feed._lock:
                        feed.tls_attempts += 1
                    return
                super().handle()

            def do_GET(self):  # noqa: N802 (the http.server API)
                feed._answer(self)

            def log_message(self, *_args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, scheme="http"):
        return f"{scheme}://127.0.0.1:{self.port}{PATH}?token={TOKEN}"

    @property
    def etag(self):
        return '"' + hashlib.sha256(self.body).hexdigest()[:16] + '"'

    def _answer(self, req):
        parts = urllib.parse.urlsplit(req.path)
        token_ok = urllib.parse.parse_qs(parts.query).get("token") == [TOKEN]
        inm = req.headers.get("If-None-Match")
        with self._lock:
            mode, body, etag = self.mode, self.body, self.etag
        if parts.path != PATH or not token_ok:
            status, ctype, payload = 404, "text/plain", b"not found\n"
        elif mode == "login":
            # What many hosts answer for a revoked private link: 200 and their sign-in page.
            status, ctype, payload = 200, "text/html; charset=utf-8", LOGIN_PAGE
        elif inm is not None and etag in [t.strip() for t in inm.split(",")]:
            status, ctype, payload = 304, None, b""
        else:
            status, ctype, payload = 200, "text/calendar; charset=utf-8", body
        with self._lock:
            self.requests.append({"path": parts.path, "token_ok": token_ok, "if_none_match": inm,
                                  "status": status})
        req.send_response(status)
        if ctype:
            req.send_header("Content-Type", ctype)
        if mode == "feed" and status in (200, 304):
            req.send_header("ETag", etag)
        req.send_header("Content-Length", str(len(payload)))
        req.end_headers()
        req.wfile.write(payload)

    def set_mode(self, mode):
        with self._lock:
            self.mode = mode

    def feed_requests(self):
        with self._lock:
            return [r for r in self.requests if r["path"] == PATH]

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
