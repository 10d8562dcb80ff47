#!/usr/bin/env python3
"""Desktop benchmarks: idle memory and wake-ups, memory with the dashboard open and after it
is closed, and cold start to a painted dashboard. Run through scripts/bench-desktop, which
provides a headless X display and a private D-Bus session.

Usage: bench-desktop.py BINARY [IDLE_SECONDS]
"""

import ctypes
import os
import subprocess
import sys
import tempfile
import time

BINARY = os.path.abspath(sys.argv[1])
IDLE_SECONDS = int(sys.argv[2]) if len(sys.argv) > 2 else 600
TICKS = os.sysconf("SC_CLK_TCK")


def tree(pid):
    """The process and all its descendants."""
    pids, todo = [], [pid]
    while todo:
        p = todo.pop()
        pids.append(p)
        try:
            with open(f"/proc/{p}/task/{p}/children") as f:
                todo.extend(int(c) for c in f.read().split())
        except OSError:
            pass
    return pids


def name(pid):
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except OSError:
        return "?"


def memory(pid):
    """RSS, PSS, private and anonymous memory in KiB (from smaps_rollup)."""
    fields = {}
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 2 and parts[0].endswith(":") and parts[1].isdigit():
                    fields[parts[0][:-1]] = int(parts[1])
    except OSError:
        return None
    return {
        "rss": fields.get("Rss", 0),
        "pss": fields.get("Pss", 0),
        "private": fields.get("Private_Clean", 0) + fields.get("Private_Dirty", 0),
        "anon": fields.get("Anonymous", 0),
    }


def cpu_and_switches(pids):
    ticks = switches = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                stat = f.read().rsplit(")", 1)[1].split()
            ticks += int(stat[11]) + int(stat[12])
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/status") as f:
                    for line in f:
                        if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")):
                            switches += int(line.split()[1])
        except OSError:
            pass
    return ticks, switches


def report(label, pid):
    print(f"\n{label}")
    total = {"rss": 0, "pss": 0, "private": 0, "anon": 0}
    for p in tree(pid):
        m = memory(p)
        if m is None:
            continue
        for k in total:
            total[k] += m[k]
        print(f"  {name(p):<24} rss {m['rss']/1024:7.1f} MB  pss {m['pss']/1024:7.1f} MB  "
              f"private {m['private']/1024:7.1f} MB  anonymous {m['anon']/1024:7.1f} MB")
    print(f"  {'total':<24} rss {total['rss']/1024:7.1f} MB  pss {total['pss']/1024:7.1f} MB  "
          f"private {total['private']/1024:7.1f} MB  anonymous {total['anon']/1024:7.1f} MB")
    webkit = [name(p) for p in tree(pid) if name(p).startswith("WebKit")]
    print(f"  WebKit processes: {', '.join(webkit) if webkit else 'none'}")
    return total, webkit


def windows():
    out = subprocess.run(["xdotool", "search", "--name", "Calendar Buddy"],
                         capture_output=True, text=True).stdout
    return [int(w) for w in out.split()]


def wait_for(predicate, timeout, step=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return None


def close_window(window):
    """Asks the window to close, as a window manager's close button does (WM_DELETE_WINDOW)."""
    x11 = ctypes.cdll.LoadLibrary("libX11.so.6")
    x11.XOpenDisplay.restype = ctypes.c_void_p
    x11.XInternAtom.restype = ctypes.c_ulong
    x11.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
    display = x11.XOpenDisplay(None)

    class ClientMessage(ctypes.Structure):
        _fields_ = [("type", ctypes.c_int), ("serial", ctypes.c_ulong), ("send_event", ctypes.c_int),
                    ("display", ctypes.c_void_p), ("window", ctypes.c_ulong),
                    ("message_type", ctypes.c_ulong), ("format", ctypes.c_int),
                    ("data", ctypes.c_long * 5)]

    class Event(ctypes.Union):
        _fields_ = [("client", ClientMessage), ("pad", ctypes.c_long * 24)]

    event = Event()
    event.client.type = 33  # ClientMessage
    event.client.window = window
    event.client.message_type = x11.XInternAtom(display, b"WM_PROTOCOLS", 0)
    event.client.format = 32
    event.client.data[0] = x11.XInternAtom(display, b"WM_DELETE_WINDOW", 0)
    x11.XSendEvent.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_long,
                               ctypes.POINTER(Event)]
    x11.XSendEvent(display, window, 0, 0, ctypes.byref(event))
    x11.XFlush(ctypes.c_void_p(display))
    x11.XCloseDisplay(ctypes.c_void_p(display))


def painted(window):
    """The window shows more than a blank page (a painted dashboard has many colours)."""
    out = subprocess.run(["import", "-silent", "-window", str(window), "-format", "%k", "info:"],
                         capture_output=True, text=True).stdout.strip()
    return out.isdigit() and int(out) > 50


def cold_start(env):
    """Seconds from exec to a painted dashboard, on a data directory that already has data."""
    start = time.monotonic()
    app = subprocess.Popen([BINARY], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        window = wait_for(lambda: (windows() or [None])[0], 20)
        if window is None or not wait_for(lambda: painted(window), 20, step=0.02):
            return None
        return time.monotonic() - start
    finally:
        app.terminate()
        app.wait(10)


def main():
    data = tempfile.mkdtemp(prefix="calbuddy-bench-")
    env = dict(os.environ, CALBUDDY_DATA_DIR=data, CALBUDDY_SECRET_STORE="file")
    print(f"binary: {BINARY} ({os.path.getsize(BINARY)/1e6:.1f} MB)")

    app = subprocess.Popen([BINARY, "--hidden"], env=env, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    try:
        time.sleep(15)
        report("Idle in the tray, no window ever opened (after 15 s):", app.pid)

        before = cpu_and_switches(tree(app.pid))
        time.sleep(IDLE_SECONDS)
        after = cpu_and_switches(tree(app.pid))
        print(f"\nIdle for {IDLE_SECONDS} s: CPU time {(after[0]-before[0])/TICKS:.2f} s, "
              f"context switches {after[1]-before[1]} "
              f"({(after[1]-before[1])/(IDLE_SECONDS/60):.1f} per minute, all threads)")

        subprocess.run([BINARY], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       timeout=30)  # a second launch shows the first one's dashboard
        window = wait_for(lambda: (windows() or [None])[0], 20)
        wait_for(lambda: painted(window), 20)
        time.sleep(5)
        report("Dashboard open (5 s after it painted):", app.pid)

        close_window(window)
        wait_for(lambda: not windows(), 20)
        time.sleep(10)
        report("Dashboard closed again (after 10 s):", app.pid)

        started = time.monotonic()
        subprocess.run([BINARY], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       timeout=30)
        window = wait_for(lambda: (windows() or [None])[0], 20)
        shown = window is not None and wait_for(lambda: painted(window), 20)
        print(f"\nOpened again: {'painted' if shown else 'DID NOT PAINT'} after "
              f"{(time.monotonic() - started) * 1000:.0f} ms")
    finally:
        app.terminate()
        app.wait(10)

    times = [cold_start(env) for _ in range(5)]
    ok = sorted(t for t in times if t is not None)
    if ok:
        print(f"\nCold start to a painted dashboard: median {ok[len(ok)//2]*1000:.0f} ms "
              f"(runs: {', '.join(f'{t*1000:.0f}' for t in ok)} ms)")
    else:
        print("\nCold start: the dashboard never painted")


if __name__ == "__main__":
    main()
