"""The live view: the apps list a running PortOS shows (``--portos-url``) beside the port map's
prediction of it, and every difference between the two.

The live list comes from ``GET /api/apps`` (``portlint.integrations.portos_api``). A live app is one
of the linted configs' apps when one of its processes has the name of a process of those configs
(PM2 process names are what PortOS and PM2 know an app by); only those apps are compared, so a tree
linted on its own is not flagged for every other app PortOS manages. Two differences are flagged:
a (process, port) the prediction lists that the live PortOS does not, or lists under another label,
and a (process, port) the live PortOS lists that no row of the map has.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class LivePort:
    """One (app, process, label, port) of the live apps list that no row of the map has."""

    app: str
    process: str
    label: str
    port: int


@dataclass
class LiveView:
    url: str
    #: process -> port -> labels the live PortOS lists for it (only the apps of the linted configs)
    listed: dict[str, dict[int, list[str]]] = field(default_factory=dict)
    apps: list[str] = field(default_factory=list)  # the live apps compared, in the live list's order
    only_live: list[LivePort] = field(default_factory=list)
    differences: int = 0

    def as_json(self) -> dict:
        return {"url": self.url, "apps": self.apps, "differences": self.differences,
                "only_live": [vars(p) for p in self.only_live]}


def compare(rows, live_ports, url: str) -> LiveView:
    """Set each map row's ``live`` label and ``live_differs`` flag, and collect what only the live
    list has. ``live_ports``: PortosPort items (app, process, label, port) of the live list."""
    names = {r.process for r in rows}
    ours = list(dict.fromkeys(p.app for p in live_ports if p.process in names))
    view = LiveView(url, apps=ours)
    mine = [p for p in live_ports if p.app in ours]
    for p in mine:
        labels = view.listed.setdefault(p.process, {}).setdefault(p.port, [])
        if p.label not in labels:
            labels.append(p.label)
    for r in rows:
        labels = view.listed.get(r.process, {}).get(r.port, [])
        r.live = r.portos if r.portos in labels else (labels[0] if labels else None)
        r.live_differs = r.live != r.portos
    view.differences = len({(r.process, r.port) for r in rows if r.live_differs})
    have = {(r.process, r.port) for r in rows}
    seen: set[tuple] = set()
    for p in mine:
        if (p.process, p.port) not in have and (p.process, p.port, p.label) not in seen:
            seen.add((p.process, p.port, p.label))
            view.only_live.append(LivePort(p.app, p.process, p.label, p.port))
    view.differences += len(view.only_live)
    return view
