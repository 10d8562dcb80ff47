"""A real Radicale for the desktop e2e tests: started through tests/caldav/serve.py with the
venv's python (E2E_CALDAV_PYTHON, which tests/e2e/run gets from scripts/caldav-venv), on
127.0.0.1 at a random port with Basic auth for one user. Events are put on and deleted from the
server over plain HTTP, as another calendar client would; the user's password can be changed on
the server (the htpasswd file Radicale reads on each login), as when it is changed elsewhere."""

import base64
import datetime as dt
import http.client
import json
import os
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
SERVE = os.path.join(HERE, "..", "caldav", "serve.py")
USER = "alice"
PASSWORD = "e2e-dav-s3cret"


def _utc(t):
    return t.astimezone(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def vevent(uid, summary, start, minutes=30, rrule=None, recurrence_id=None, location=None):
    lines = ["BEGIN:VEVENT", f"UID:{uid}", f"DTSTAMP:{_utc(dt.datetime.now(dt.timezone.utc))}",
             f"DTSTART:{_utc(start)}", f"DTEND:{_utc(start + dt.timedelta(minutes=minutes))}",
             f"SUMMARY:{summary}"]
    if rrule:
        lines.append(f"RRULE:{rrule}")
    if recurrence_id:
        lines.append(f"RECURRENCE-ID:{_utc(recurrence_id)}")
    if location:
        lines.append(f"LOCATION:{location}")
    return lines + ["END:VEVENT"]


def calendar(*vevents):
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Calendar Buddy//e2e caldav//EN"]
    for v in vevents:
        lines += v
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


class Radicale:
    def __init__(self, python, root, popen):
        """`popen` starts a process the harness stops at the end (PROCS.popen)."""
        self.root = root
        self.proc = popen([python, SERVE, "radicale", "--root", root, "--user", USER,
                           "--password", PASSWORD],
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        line = self.proc.stdout.readline()
        if not line:
            err = self.proc.stderr.read().decode(errors="replace")[-2000:]
            raise RuntimeError(f"serve.py radicale did not start: {err}")
        info = json.loads(line)
        self.url = info["url"]
        self.port = int(self.url.rsplit(":", 1)[1].strip("/"))
        self.calendar = next(c["href"] for c in info["calendars"] if "VEVENT" in c["components"])
        self.password = PASSWORD

    def _request(self, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        token = base64.b64encode(f"{USER}:{self.password}".encode()).decode()
        all_headers = {"Authorization": f"Basic {token}"}
        all_headers.update(headers or {})
        conn.request(method, path, body=body, headers=all_headers)
        response = conn.getresponse()
        response.read()
        conn.close()
        return response.status

    def _path(self, name):
        return self.calendar.split(str(self.port), 1)[1] + name

    def put(self, name, body):
        status = self._request("PUT", self._path(name), body, {"Content-Type": "text/calendar; charset=utf-8"})
        if status not in (201, 204):
            raise RuntimeError(f"PUT {name} answered {status}")

    def delete(self, name):
        status = self._request("DELETE", self._path(name))
        if status not in (200, 204):
            raise RuntimeError(f"DELETE {name} answered {status}")

    def change_password(self, password):
        with open(os.path.join(self.root, "htpasswd"), "w") as f:
            f.write(f"{USER}:{password}\n")
        self.password = password

    def stop(self):
        if self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
