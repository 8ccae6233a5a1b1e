"""The port map: which ports every config of a tree takes, as the policy's allocation table.

One row per (config, process, port). Rows come from the model, so they are the ports PM2 really
applies (per environment, with increment_var copies). Each row says its kind: ``listen`` (the
process binds it), ``shared`` (one PORTS entry several processes use), ``reference`` (the process is
told where another listens; ``listener`` names it) or ``connection`` (another service's port).
The tables show each port once under who listens, with "used by" for its references.

Each row also says under which label the PortOS apps list will show it (``portos``; None: not at
all). What PortOS lists that portlint does not see as a port of that process (a reference PortOS
takes for a port of the referring process, a helper object it takes for an app) is shown too,
marked (``portos_only`` rows have no port use at all), so the map previews the apps list exactly.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from portlint.model.config import Config


@dataclass
class MapRow:
    file: str
    row: int
    column: int
    process: str
    label: str
    port: int
    description: str
    source: str
    connection: bool = False
    kind: str = "listen"  # listen | shared | reference | connection
    listener: str | None = None  # for a reference: the process it points to, when known
    portos: str | None = None  # the label the PortOS apps list shows it under; None: not listed
    portos_only: bool = False  # PortOS lists it, but portlint sees no port use of this process there


def rows_of(configs: list[Config]) -> list[MapRow]:
    rows: list[MapRow] = []
    seen: set[tuple] = set()
    from portlint.model.portos import view_of

    for config in configs:
        view = view_of(config)
        for process in config.processes:
            for use in process.uses:
                if not use.effective or use.span is None:
                    continue
                description = use.entry.comment or "" if use.entry is not None else ""
                row, column = use.span.location
                listener = use.target.process.display_name if use.target is not None else None
                for port in sorted(process.occupied(use) if use.kind.occupies else use.valid_ports):
                    source = use.where
                    if port not in use.valid_ports:
                        source = f"instance {port - min(use.valid_ports) + 1} of increment_var {process.increment_var}"
                    key = (use.span.path, process.display_name, port, use.kind)
                    if key in seen:
                        continue
                    seen.add(key)
                    rows.append(MapRow(use.span.path, row, column, process.display_name, use.label, port,
                                       description, source, use.connection, use.kind.value, listener,
                                       view.label_of(process.name, port)))
        rows += _portos_only_rows(config, view, rows)
    rows.sort(key=lambda r: (r.connection, r.port, r.file, r.process))
    return rows


def _portos_only_rows(config, view, rows: list[MapRow]) -> list[MapRow]:
    """What PortOS lists from this file that portlint sees as no port use of that process."""
    if not view.own:
        return []
    have = {(r.process, r.port) for r in rows if r.file == config.path}
    extra = []
    for app, label, port in view.rows():
        if (app.name, port) in have or not isinstance(port, int):
            continue
        have.add((app.name, port))
        row, column = config.source.position(app.start)
        extra.append(MapRow(config.path, row, column, app.name, "", port, "", "listed by PortOS only",
                            kind="reference", portos=label, portos_only=True))
    return extra


def _shown(r: MapRow) -> str:
    """The PortOS column: the label it lists, '-' for a port it does not list; '*' marks a row PortOS
    lists that portlint does not see as this process's own port."""
    if r.portos is None:
        return "-"
    return f"{r.portos}*" if r.portos_only or r.kind == "reference" else r.portos


_NOTE = "\n* listed by PortOS, but portlint sees no port of that process there (e.g. a reference).\n"


def _owners(rows: list[MapRow]) -> list[tuple[MapRow, str, str]]:
    """Each port once per owner: (row, who, used by). A shared entry is one row "shared by ..."."""
    refs: dict[int, list[str]] = {}
    for r in rows:
        if r.kind == "reference":
            refs.setdefault(r.port, [])
            if r.process not in refs[r.port]:
                refs[r.port].append(r.process)
    out: list[tuple[MapRow, str, str]] = []
    shared: dict[tuple, list[MapRow]] = {}
    for r in rows:
        if r.kind == "shared":
            shared.setdefault((r.file, r.port), []).append(r)
    done: set[tuple] = set()
    for r in rows:
        if r.kind == "listen":
            out.append((r, r.process, ", ".join(p for p in refs.get(r.port, []) if p != r.process)))
        elif r.kind == "shared" and (r.file, r.port) not in done:
            done.add((r.file, r.port))
            group = list(dict.fromkeys(x.process for x in shared[(r.file, r.port)]))
            out.append((r, "shared by " + ", ".join(group), ", ".join(refs.get(r.port, []))))
        elif r.kind == "reference" and r.portos is not None:  # PortOS lists it under the referring process
            out.append((r, r.process, ""))
    return out


def render_text(rows: list[MapRow]) -> str:
    own = _owners(rows)
    conn = [r for r in rows if r.connection]
    used = any(u for _, _, u in own)
    out = _table(["Port", "Process", "Label", "PortOS", "Description"] + (["Used by"] if used else []) + ["Where"],
                 [[str(r.port), who, r.label or "-", _shown(r), r.description] + ([u] if used else [])
                  + [f"{r.file}:{r.row}"] for r, who, u in own], plain=True)
    if conn:
        out += "\nConnection ports (used, not allocated):\n"
        out += _table(["Port", "Process", "Key", "PortOS", "Where"],
                      [[str(r.port), r.process, r.source, _shown(r), f"{r.file}:{r.row}"] for r in conn], plain=True)
    return out + (_NOTE if any(_shown(r).endswith("*") for r, _, _ in own) else "")


def render_markdown(rows: list[MapRow]) -> str:
    own = _owners(rows)
    conn = [r for r in rows if r.connection]
    used = any(u for _, _, u in own)
    out = _table(["Port", "Process", "Label", "PortOS", "Description"] + (["Used by"] if used else []),
                 [[str(r.port), who, r.label or "-", _shown(r), r.description] + ([u] if used else [])
                  for r, who, u in own], plain=False)
    if conn:
        out += "\nConnection ports (used, not allocated):\n\n"
        out += _table(["Port", "Process", "Key", "PortOS"], [[str(r.port), r.process, r.source, _shown(r)] for r in conn],
                      plain=False)
    return out + (_NOTE if any(_shown(r).endswith("*") for r, _, _ in own) else "")


def render_json(rows: list[MapRow]) -> str:
    data = {
        "ports": [asdict(r) for r in rows if r.kind in ("listen", "shared")],
        "references": [asdict(r) for r in rows if r.kind == "reference"],
        "connections": [asdict(r) for r in rows if r.connection],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _table(header: list[str], body: list[list[str]], plain: bool) -> str:
    from portlint.report.formats.escape import markdown, printable

    # a process name cannot add a row, a cell or a link, nor colour the terminal
    body = [[printable(c) if plain else markdown(c) for c in row] for row in body]
    if plain:
        widths = [max(len(x) for x in col) for col in zip(header, *body)] if body else [len(h) for h in header]
        lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in [header] + body]
        return "\n".join(lines) + "\n"
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in body]
    return "\n".join(lines) + "\n"
