"""What PortOS will list: its labels, the file it reads in a folder, and its apps list for a config.

The one place that knows PortOS: the model labels ports with it, PL501/PL502 judge with it, the
port map shows its column from it, and fixes name PORTS keys with it. The detector itself is
modelled in :mod:`portlint.model.portos_scan`.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache

import portlint.model.portos_scan as portos_scan
from portlint.model.portos_scan import ENV_PORT_KEY, ScannedApp
from portlint.source.files import overlaid

#: The only ecosystem files PortOS reads, in the order it looks for them (the first one found wins).
PORTOS_FILE_NAMES = ("ecosystem.config.js", "ecosystem.config.cjs")
PORTOS_ENV_BLOCKS = portos_scan.ENV_BLOCKS
#: Labels PortOS derives by itself from a user's label (a Vite UI beside an API becomes devUi).
DERIVED_LABELS = {"devUi": "ui"}
_ANY_CASE_PORT_KEY = re.compile(ENV_PORT_KEY.pattern, re.IGNORECASE)


def is_port_key(key: str, is_connection_key=lambda key: False) -> bool:
    """An env key that carries a port: PORT, FOO_PORT, or a PGPORT-style connection key."""
    return bool(_ANY_CASE_PORT_KEY.fullmatch(key)) or is_connection_key(key)


def is_portos_key(key: str) -> bool:
    """An env key PortOS reads (upper case ``PORT`` or ``FOO_PORT``)."""
    return bool(ENV_PORT_KEY.fullmatch(key))


def port_key_stem(key: str) -> str:
    """``API_PORT`` -> ``API``, ``PORT`` -> ``''``: the part of an env key before its ``PORT``."""
    return re.sub(r"_?PORT\Z", "", key.upper(), count=1)


def env_label(key: str, process_name: str | None, has_cdp: bool) -> str:
    """The label PortOS gives a port found under env ``key`` (portlint also reads lower-case keys)."""
    upper = key.upper()
    if not upper.endswith("PORT"):
        return portos_scan.camel_label(upper)
    return portos_scan.env_label(upper, process_name or "", has_cdp)


def listening_uses(process):
    """The uses by which a process listens: what PortOS's list should show. One function so the
    model's notion of a listening port can change in one place."""
    return [u for u in process.occupying_uses() if u.span is not None]


def portos_file(folder: str) -> str | None:
    """The ecosystem file PortOS reads in ``folder``, or None."""
    for name in PORTOS_FILE_NAMES:
        path = os.path.join(folder or ".", name)
        if os.path.isfile(path):
            return path
    return None


@lru_cache(maxsize=64)
def _scan_file(path: str, stamp: tuple) -> tuple[ScannedApp, ...]:
    from portlint.source.files import read_regular

    # the one checked reader: a regular file under the config cap (a sparse 3 GB file is refused,
    # not read into memory); UnreadableFile is an OSError's case for the caller
    return tuple(portos_scan.scan(read_regular(path, what="an ecosystem file").decode("utf-8", "replace")))


_NOTHING_LISTED: dict = {}


@dataclass
class PortosView:
    """PortOS's apps list as it concerns one config.

    ``read`` is the file PortOS reads in the config's folder (None: none there); ``own`` says the
    config is that file, so ``apps`` can be linked to its processes by position.
    """

    path: str
    read: str | None
    own: bool
    apps: tuple[ScannedApp, ...]

    def listed(self, name: str | None) -> dict[int, list[str]]:
        """port -> labels under which PortOS lists a process of this name (each label once; made
        once per view for every name, so that thousands of apps of one name stay linear). Read-only."""
        by_name = self.__dict__.get("_listed")
        if by_name is None:
            by_name = {}
            for app in self.apps:
                out = by_name.setdefault(app.name, {})
                for label in portos_scan.js_key_order(app.ports):
                    labels = out.setdefault(app.ports[label], [])
                    if label not in labels:
                        labels.append(label)
            self.__dict__["_listed"] = by_name
        return by_name.get(name, _NOTHING_LISTED)

    def app_at(self, process) -> ScannedApp | None:
        """The app PortOS reads from this process's own object, when this file is the one it reads."""
        span = process.span
        if not self.own or span is None or span.source.path != self.path:
            return None
        starts = self.__dict__.get("_starts")
        if starts is None:
            starts = self.__dict__["_starts"] = {}
            for app in self.apps:
                starts.setdefault(app.start, app)
        return starts.get(span.start)

    def label_of(self, name: str | None, port: int) -> str | None:
        labels = self.listed(name).get(port)
        return labels[0] if labels else None

    def rows(self):
        """(app, label, port) for every port PortOS lists from this file, in its order."""
        for app in self.apps:
            for label in portos_scan.js_key_order(app.ports):
                yield app, label, app.ports[label]


def view_of(config) -> PortosView:
    """The PortOS view of a config, computed once per config."""
    cached = config.__dict__.get("_portos_view")
    if cached is not None:
        return cached
    path = config.path
    read = portos_file(os.path.dirname(path)) if os.path.basename(path) != "-" else None
    own = os.path.basename(path) in PORTOS_FILE_NAMES and (
        read is None or os.path.basename(read) == os.path.basename(path))
    if own:
        read, apps = path, tuple(portos_scan.scan(config.source.text))
    elif read is not None and overlaid(read) is not None:  # a fix run verifying the text it will write
        apps = tuple(portos_scan.scan(overlaid(read).decode("utf-8", "replace")))
    elif read is not None:
        from portlint.source.files import UnreadableFile

        try:
            stat = os.stat(read)
            apps = _scan_file(os.path.realpath(read), (stat.st_mtime_ns, stat.st_size))
        except (OSError, UnreadableFile):
            read, apps = None, ()
    else:
        apps = ()
    view = PortosView(path, read, own, apps)
    config.__dict__["_portos_view"] = view
    return view
