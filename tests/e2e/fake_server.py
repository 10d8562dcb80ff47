"""One local fake server process (`<binary> --port 0`): started, its address read from the
`listening on …` line it prints, its /_admin JSON API called, and stopped."""

import json
import os
import select
import subprocess
import time
import urllib.request

# Never through a proxy: everything here is on loopback.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class FakeServer:
    """Base of the fakes' drivers; `name` is used in errors."""

    name = "fake server"

    def __init__(self, binary, log_path, popen=subprocess.Popen, timeout=15.0):
        self.log = open(log_path, "ab")
        self.proc = popen([binary, "--port", "0"], stdout=subprocess.PIPE, stderr=self.log,
                          stdin=subprocess.DEVNULL)
        line = b""
        deadline = time.monotonic() + timeout
        while not line.endswith(b"\n"):
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.proc.stdout], [], [], left)[0]:
                raise TimeoutError(f"{self.name} did not print its address")
            chunk = os.read(self.proc.stdout.fileno(), 1)
            if not chunk:
                raise RuntimeError(f"{self.name} exited early (code {self.proc.poll()})")
            line += chunk
        text = line.decode().strip()
        if not text.startswith("listening on "):
            raise RuntimeError(f"{self.name} printed {text!r}")
        self.base = text[len("listening on "):].rstrip("/")

    def _admin(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + "/_admin" + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        with _OPENER.open(req, timeout=10) as resp:
            return json.loads(resp.read() or b"null")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.log.close()
