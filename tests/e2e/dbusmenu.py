"""Reads and clicks the app's tray menu over D-Bus (com.canonical.dbusmenu), which
libayatana-appindicator exports under /org/ayatana/NotificationItem/<id>/Menu even when no
StatusNotifierWatcher (panel) is running."""

import time
import xml.etree.ElementTree as ET

import dbus

MENU_IFACE = "com.canonical.dbusmenu"
ROOT = "/org/ayatana/NotificationItem"
SNI_IFACE = "org.kde.StatusNotifierItem"


def _introspect(bus, name, path):
    obj = bus.get_object(name, path, introspect=False)
    xml = obj.Introspect(dbus_interface="org.freedesktop.DBus.Introspectable", timeout=1)
    return ET.fromstring(str(xml))


def connection_pid(bus, name):
    daemon = dbus.Interface(bus.get_object("org.freedesktop.DBus", "/org/freedesktop/DBus"),
                            "org.freedesktop.DBus")
    return int(daemon.GetConnectionUnixProcessID(name))


def find_menus(bus, pid=None):
    """(bus name, object path) of every exported dbusmenu below ROOT; only the connection of
    process `pid` if given."""
    found = []
    for name in bus.list_names():
        name = str(name)
        if not name.startswith(":"):
            continue
        if pid is not None:
            try:
                if connection_pid(bus, name) != pid:
                    continue
            except dbus.DBusException:
                continue
        stack = [ROOT]
        while stack:
            path = stack.pop()
            try:
                node = _introspect(bus, name, path)
            except (dbus.DBusException, ET.ParseError):
                continue
            if any(i.get("name") == MENU_IFACE for i in node.findall("interface")):
                found.append((name, path))
            for child in node.findall("node"):
                stack.append(path.rstrip("/") + "/" + child.get("name"))
    return found


def _flatten(layout, out, depth=0):
    item_id, props, children = layout
    props = {str(k): v for k, v in props.items()}
    out.append({
        "id": int(item_id),
        "label": str(props.get("label", "")).replace("__", "\0").replace("_", "").replace("\0", "_"),
        "enabled": bool(props.get("enabled", True)),
        "visible": bool(props.get("visible", True)),
        "type": str(props.get("type", "standard")),
        "depth": depth,
    })
    for child in children:
        _flatten(child, out, depth + 1)


class Menu:
    def __init__(self, bus, name, path):
        self.bus, self.name, self.path = bus, name, path
        self.iface = dbus.Interface(bus.get_object(name, path, introspect=False), MENU_IFACE)

    def items(self):
        """Every item below the root, in order: dicts with id, label, enabled, visible, type."""
        _revision, layout = self.iface.GetLayout(0, -1, dbus.Array([], signature="s"), timeout=5)
        out = []
        _flatten(layout, out)
        return [i for i in out[1:] if i["visible"]]

    def labels(self):
        return [i["label"] for i in self.items() if i["type"] != "separator"]

    def click(self, label):
        for item in self.items():
            if item["label"] == label:
                self.iface.Event(item["id"], "clicked", dbus.Int32(0, variant_level=1),
                                 dbus.UInt32(int(time.time())), timeout=5)
                return item
        raise KeyError(f"no tray menu item {label!r} in {self.labels()}")


def indicator_properties(menu):
    """The StatusNotifierItem properties (Title, XAyatanaLabel, ...) of the indicator that
    exports `menu`: its object is the menu's parent path."""
    item_path = menu.path.rsplit("/", 1)[0]
    props = dbus.Interface(menu.bus.get_object(menu.name, item_path, introspect=False),
                           "org.freedesktop.DBus.Properties")
    values = props.GetAll(SNI_IFACE, timeout=5)
    return {str(k): v for k, v in values.items()}


def app_menu(bus, pid=None, timeout=15.0):
    """The app's tray menu, waiting for it to be exported."""
    deadline = time.monotonic() + timeout
    while True:
        menus = find_menus(bus, pid)
        if menus:
            return Menu(bus, *menus[-1])
        if time.monotonic() >= deadline:
            raise TimeoutError(f"no dbusmenu exported under {ROOT} after {timeout:.0f}s")
        time.sleep(0.2)
