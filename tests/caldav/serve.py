#!/usr/bin/env python3
"""Starts a real CalDAV server on 127.0.0.1 for the engine's tests.

    serve.py radicale|xandikos --port 0 --root DIR --user alice --password secret

The server requires HTTP Basic auth for that one user. Once it answers, the script creates the
user's calendars through the server's own MKCALENDAR (a default calendar "Personal" and, where the
server honours supported-calendar-component-set, a task-only list "Tasks"), then prints one line
of JSON on stdout:

    {"server": "radicale", "version": "3.9.0", "url": "http://127.0.0.1:PORT/",
     "principal": "http://127.0.0.1:PORT/alice/", "calendars": [{"href": ..., "name": ...,
     "components": [...]}], "startup_ms": 123}

It stops when its stdin closes, so a test process that dies never leaves a server behind.

Radicale runs its own threaded server (radicale.server.serve) with an htpasswd file in plain
text. Xandikos has Basic auth of its own (--htpasswd, {SHA} or bcrypt entries), but its command
line refuses it without --autocert (self-signed HTTPS); the tests talk plain HTTP on loopback, so
this script builds Xandikos' aiohttp application itself with the same backend, the same
`basic_auth_middleware` and the same /.well-known redirects that `xandikos.web.main` installs,
minus the TLS guard.
"""

import argparse
import base64
import hashlib
import http.client
import json
import os
import socket
import sys
import threading
import time
import urllib.parse

CALENDAR_COLOR = "#3A87ADFF"


def mkcalendar_body(name, components, color=None):
    comps = "".join(f'<C:comp name="{c}"/>' for c in components)
    color_xml = f"<I:calendar-color>{color}</I:calendar-color>" if color else ""
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"'
        ' xmlns:I="http://apple.com/ns/ical/">'
        "<D:set><D:prop>"
        f"<D:displayname>{name}</D:displayname>{color_xml}"
        f"<C:supported-calendar-component-set>{comps}</C:supported-calendar-component-set>"
        "</D:prop></D:set></C:mkcalendar>"
    ).encode()


def request(port, method, path, user, password, body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    all_headers = {"Authorization": f"Basic {token}"}
    if body is not None:
        all_headers["Content-Type"] = "application/xml; charset=utf-8"
    all_headers.update(headers or {})
    conn.request(method, path, body=body, headers=all_headers)
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, data


def wait_until_answering(port, deadline):
    while True:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("OPTIONS", "/")
            conn.getresponse().read()
            conn.close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise SystemExit(f"serve.py: the server on port {port} never answered")
            time.sleep(0.02)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_radicale(args):
    import radicale
    import radicale.config
    import radicale.log
    import radicale.server

    htpasswd = os.path.join(args.root, "htpasswd")
    with open(htpasswd, "w") as f:
        f.write(f"{args.user}:{args.password}\n")
    storage = os.path.join(args.root, "collections")
    # Radicale binds the port itself; with --port 0 pick a free one first and try again if
    # another process took it in between.
    for _attempt in range(5):
        port = args.port or free_port()
        configuration = radicale.config.load()
        configuration.update(
            {
                "server": {"hosts": f"127.0.0.1:{port}"},
                "auth": {
                    "type": "htpasswd",
                    "htpasswd_filename": htpasswd,
                    "htpasswd_encryption": "plain",
                    # Radicale delays failed logins on purpose; a short delay keeps the
                    # wrong-password tests quick and still exercises it.
                    "delay": "0.1",
                },
                "storage": {"filesystem_folder": storage},
                "rights": {"type": "owner_only"},
                "logging": {"level": "warning", "mask_passwords": "True"},
            },
            "serve.py",
        )
        radicale.log.setup()
        radicale.log.set_level("warning", True)
        failed = []

        def run():
            try:
                radicale.server.serve(configuration)
            except Exception as e:  # noqa: BLE001 - reported below
                failed.append(e)

        threading.Thread(target=run, daemon=True).start()
        deadline = time.monotonic() + 1
        bound = False
        while time.monotonic() < deadline and not failed:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                bound = True
                break
            except OSError:
                time.sleep(0.02)
        if bound:
            break
        if args.port:
            raise SystemExit(f"serve.py: Radicale could not listen on {port}: {failed}")
    else:
        raise SystemExit("serve.py: Radicale found no free port")
    wait_until_answering(port, time.monotonic() + 20)
    principal = f"/{args.user}/"
    # Radicale creates the principal collection on the user's first request.
    status, _ = request(port, "PROPFIND", principal, args.user, args.password,
                        headers={"Depth": "0"})
    if status != 207:
        raise SystemExit(f"serve.py: Radicale PROPFIND {principal} answered {status}")
    calendars = [
        (f"{principal}personal/", "Personal", ["VEVENT"], CALENDAR_COLOR),
        (f"{principal}tasks/", "Tasks", ["VTODO"], None),
    ]
    return "radicale", radicale.VERSION, port, principal, calendars


def start_xandikos(args):
    import asyncio

    from aiohttp import web as aioweb
    from importlib.metadata import version

    from xandikos import caldav as xcaldav
    from xandikos import htpasswd as xhtpasswd
    from xandikos import web as xweb

    htpasswd = os.path.join(args.root, "htpasswd")
    digest = base64.b64encode(hashlib.sha1(args.password.encode()).digest()).decode()
    with open(htpasswd, "w") as f:
        f.write(f"{args.user}:{{SHA}}{digest}\n")
    directory = os.path.join(args.root, "collections")
    os.makedirs(directory, exist_ok=True)
    principal = f"/{args.user}/"
    backend = xweb.SingleUserFilesystemBackend(os.path.abspath(directory))
    backend._mark_as_principal(principal)
    backend.create_principal(principal, create_defaults=False)
    app = xweb.XandikosApp(backend, current_user_principal=principal,
                           state_dir=os.path.join(args.root, "state"))

    async def handler(request):
        return await app.aiohttp_handler(request, "/")

    aio = aioweb.Application()
    # As xandikos.web.main: /.well-known/caldav and /.well-known/carddav redirect to the root.
    for path in xweb.WELLKNOWN_DAV_PATHS:
        aio.router.add_route("*", path, xweb.RedirectDavHandler("/").__call__)
    aio.middlewares.append(xweb.basic_auth_middleware(xhtpasswd.HtpasswdFile(htpasswd)))
    aio.router.add_route("*", "/{path_info:.*}", handler)
    assert xcaldav.WELLKNOWN_CALDAV_PATH in xweb.WELLKNOWN_DAV_PATHS

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", args.port))
    port = sock.getsockname()[1]

    def run():
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)

        async def serve():
            runner = aioweb.AppRunner(aio, access_log=None)
            await runner.setup()
            await aioweb.SockSite(runner, sock).start()
            await asyncio.Event().wait()

        loop.run_until_complete(serve())

    threading.Thread(target=run, daemon=True).start()
    wait_until_answering(port, time.monotonic() + 20)
    calendars = [
        (f"{principal}calendars/personal/", "Personal", ["VEVENT"], CALENDAR_COLOR),
        (f"{principal}calendars/tasks/", "Tasks", ["VTODO"], None),
    ]
    return "xandikos", version("xandikos"), port, principal, calendars


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("server", choices=["radicale", "xandikos"])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--root", required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    args = parser.parse_args()
    os.makedirs(args.root, exist_ok=True)

    started = time.monotonic()
    start = start_radicale if args.server == "radicale" else start_xandikos
    name, server_version, port, principal, calendars = start(args)
    created = []
    for href, display, components, color in calendars:
        status, body = request(port, "MKCALENDAR", href, args.user, args.password,
                               body=mkcalendar_body(display, components, color))
        if status != 201:
            raise SystemExit(
                f"serve.py: {name} MKCALENDAR {href} answered {status}: {body[:300]!r}")
        created.append({"href": href, "name": display, "components": components})
    base = f"http://127.0.0.1:{port}/"
    print(json.dumps({
        "server": name,
        "version": server_version,
        "url": base,
        "principal": urllib.parse.urljoin(base, principal),
        "calendars": [dict(c, href=urllib.parse.urljoin(base, c["href"])) for c in created],
        "startup_ms": round((time.monotonic() - started) * 1000),
    }), flush=True)
    # Serve until whoever started us closes our stdin (or dies).
    for _ in sys.stdin:
        pass
    os._exit(0)


if __name__ == "__main__":
    main()
