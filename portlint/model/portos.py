"""What PortOS will list: its labels, the file it reads in a folder, and its apps list for a config.

The one place that knows PortOS: the model labels ports with it, PL501/PL502 judge with it, the
port map shows its column from it, and fixes name PORTS keys with it. The detector itself is
modelled in :mod:`portlint.model.portos_scan`.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
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
def _scan_file(path: str, stamp: tuple) -> portos_scan.Scan:
    from portlint.source.files import read_regular

    # the one checked reader: a regular file under the config cap (a sparse 3 GB file is refused,
    # not read into memory); UnreadableFile is an OSError's case for the caller
    return portos_scan.scan_file(read_regular(path, what="an ecosystem file").decode("utf-8", "replace"))


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
    #: the names PortOS resolves in the file it reads (steps 1-2): ``PORTS.X``, ``FOO_PORT``
    constants: dict = field(default_factory=dict)

    def listed(self, name: str | None) -> dict[int, list[str]]:
        """port -> labels under which PortOS lists a process of this name (made once per view for
        every name, so that thousands of apps of one name stay linear). Read-only."""
        by_name = self.__dict__.get("_listed")
        if by_name is None:
            by_name = self.__dict__["_listed"] = {n: _by_port(apps) for n, apps in self._named().items()}
        return by_name.get(name, _NOTHING_LISTED)

    def _named(self) -> dict:
        """name -> the apps of that name, in order (made once per view)."""
        named = self.__dict__.get("_apps_by_name")
        if named is None:
            named = self.__dict__["_apps_by_name"] = {}
            for app in self.apps:
                named.setdefault(app.name, []).append(app)
        return named

    def apps_of(self, process) -> list[ScannedApp]:
        """The apps of PortOS's list that are this process: the one PortOS reads from its own object
        when it has the process's name (two processes of one name are then told apart), else every
        app of that name (the file PortOS reads is another one, or an app built elsewhere)."""
        own = self.app_at(process)
        if own is not None and own.name == process.name:
            return [own]
        return self._named().get(process.name, [])

    def listed_for(self, process) -> dict[int, list[str]]:
        """port -> labels under which PortOS lists this process."""
        own = self.app_at(process)
        if own is not None and own.name == process.name:
            return _by_port([own])
        return self.listed(process.name)

    def label_of_use(self, process, use, port: int) -> str | None:
        """The label PortOS lists ``port`` of this process under, for the row of ``use``: the label
        PortOS took from this very use when there is one (a port listed under two labels, such as
        ``CDP_PORT`` and ``DEBUG_PORT`` giving one port, has a row per label), else its first."""
        apps = self.apps_of(process)
        labels = [label for app in apps for label in app.labels_of(port)]
        for app in apps:
            for label in app.labels_of(port):
                if took_from(label, app.origins[label], use):
                    return label
        return labels[0] if labels else None

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
            for label, port in app.ports.items():
                yield app, label, port


def _by_port(apps) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for app in apps:
        for label, port in app.ports.items():
            out.setdefault(port, []).append(label)
    return out


def took_from(label: str, origin: portos_scan.Origin, use) -> bool:
    """Whether PortOS read its ``label`` (with this origin) from ``use``: same step, same key."""
    from portlint.model.types import Field

    field = use.site.field
    if origin.stage == "env":
        return field is Field.ENV and use.source in PORTOS_ENV_BLOCKS and use.key == origin.key
    if origin.stage in ("ports", "ports-ref"):
        return field is Field.PORTS and use.key == label
    if origin.stage == "args":
        return field is Field.ARGS
    return field is Field.PORT


def view_of(config) -> PortosView:
    """The PortOS view of a config, computed once per config."""
    cached = config.__dict__.get("_portos_view")
    if cached is not None:
        return cached
    view = view_of_text(config.path, config.source.text)
    config.__dict__["_portos_view"] = view
    return view


def view_of_text(path: str, text: str) -> PortosView:
    """The PortOS view of a file's text, whether or not portlint could read it as a config (PortOS
    scans a file with a syntax error all the same)."""
    read = portos_file(os.path.dirname(path)) if os.path.basename(path) != "-" else None
    own = os.path.basename(path) in PORTOS_FILE_NAMES and (
        read is None or os.path.basename(read) == os.path.basename(path))
    found = portos_scan.Scan((), {})
    if own:
        read, found = path, portos_scan.scan_file(text)
    elif read is not None and overlaid(read) is not None:  # a fix run verifying the text it will write
        found = portos_scan.scan_file(overlaid(read).decode("utf-8", "replace"))
    elif read is not None:
        from portlint.source.files import UnreadableFile

        try:
            stat = os.stat(read)
            found = _scan_file(os.path.realpath(read), (stat.st_mtime_ns, stat.st_size))
        except (OSError, UnreadableFile):
            read = None
    return PortosView(path, read, own, found.apps, found.constants)
