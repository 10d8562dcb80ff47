"""A tiny W3C WebDriver client over plain HTTP (urllib), enough to drive the app's webview
through WebKitWebDriver. Every wait is bounded."""

import base64
import json
import time
import urllib.error
import urllib.request

# Never through a proxy: everything here is on loopback.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))

ELEMENT_KEY = "element-6066-11e4-a52e-4f735466cecf"


class WebDriverError(Exception):
    pass


def _request(method, url, body=None, timeout=30):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method,
                                 headers={"Content-Type": "application/json; charset=utf-8"})
    try:
        with _OPENER.open(req, timeout=timeout) as resp:
            payload = resp.read()
    except urllib.error.HTTPError as e:
        payload = e.read()
        try:
            value = json.loads(payload).get("value", {})
        except ValueError:
            value = {"message": payload.decode(errors="replace")}
        raise WebDriverError(f"{method} {url}: {e.code} {value.get('error', '')}: {value.get('message', '')}") from None
    return json.loads(payload).get("value") if payload else None


def wait_until(what, fn, timeout=15.0, interval=0.1):
    """Polls fn() until it returns something truthy; raises TimeoutError naming `what`."""
    deadline = time.monotonic() + timeout
    last_error = None
    while True:
        try:
            value = fn()
            if value:
                return value
        except WebDriverError as e:
            last_error = e
        if time.monotonic() >= deadline:
            extra = f" (last error: {last_error})" if last_error else ""
            raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}{extra}")
        time.sleep(interval)


class Element:
    def __init__(self, session, element_id):
        self.session = session
        self.id = element_id

    def _url(self, suffix=""):
        return f"/element/{self.id}{suffix}"

    def click(self):
        self.session._cmd("POST", self._url("/click"), {})

    def text(self):
        return self.session._cmd("GET", self._url("/text"))

    def send_keys(self, text):
        self.session._cmd("POST", self._url("/value"), {"text": text})

    def clear(self):
        self.session._cmd("POST", self._url("/clear"), {})

    def attr(self, name):
        return self.session._cmd("GET", self._url(f"/attribute/{name}"))

    def displayed(self):
        return self.session._cmd("GET", self._url("/displayed"))


class Session:
    def __init__(self, base_url, capabilities, timeout=60):
        self.base = base_url.rstrip("/")
        value = _request("POST", f"{self.base}/session", {"capabilities": capabilities}, timeout=timeout)
        self.id = value["sessionId"]
        self.capabilities = value.get("capabilities", {})

    def _cmd(self, method, path, body=None, timeout=30):
        return _request(method, f"{self.base}/session/{self.id}{path}", body, timeout=timeout)

    # ---- navigation and scripts ----
    def url(self):
        return self._cmd("GET", "/url")

    def get(self, url):
        self._cmd("POST", "/url", {"url": url})

    def refresh(self):
        self._cmd("POST", "/refresh", {})

    def execute(self, script, *args):
        return self._cmd("POST", "/execute/sync", {"script": script, "args": list(args)})

    # ---- elements ----
    def find_all(self, css):
        found = self._cmd("POST", "/elements", {"using": "css selector", "value": css})
        return [Element(self, e[ELEMENT_KEY]) for e in found]

    def find(self, css):
        found = self.find_all(css)
        return found[0] if found else None

    def active(self):
        """The focused element (where keys typed go)."""
        found = self._cmd("GET", "/element/active")
        return Element(self, found[ELEMENT_KEY])

    def wait_for(self, css, timeout=15.0, visible=False):
        def probe():
            for el in self.find_all(css):
                if not visible or el.displayed():
                    return el
            return None
        return wait_until(f"element {css!r}", probe, timeout)

    def texts(self, css):
        """textContent of every element matching css (one round trip, no visibility rules)."""
        return self.execute(
            "return Array.from(document.querySelectorAll(arguments[0]), e => e.textContent);", css)

    def wait_for_text(self, css, text, timeout=15.0):
        return wait_until(f"{css!r} with text {text!r}",
                          lambda: any(text in t for t in self.texts(css)), timeout)

    # ---- the window ----
    def window_rect(self):
        return self._cmd("GET", "/window/rect")

    def set_window_size(self, width, height):
        """Resizes the top-level window (the app's minimum size still applies)."""
        return self._cmd("POST", "/window/rect", {"width": width, "height": height})

    def screenshot(self, path):
        """Saves what the webview shows (its viewport, as PNG) to `path`."""
        data = self._cmd("GET", "/screenshot", timeout=30)
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))
        return path

    def close(self):
        try:
            _request("DELETE", f"{self.base}/session/{self.id}", timeout=10)
        except Exception:
            pass
