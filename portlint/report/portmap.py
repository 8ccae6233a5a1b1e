"""The port map: which ports every config of a tree takes, as the policy's allocation table.

One row per (config, process, port). Rows come from the model, so they are the ports PM2 really
applies (per environment, with increment_var copies). Each row says its kind: ``listen`` (the
process binds it), ``shared`` (one PORTS entry several processes use), ``reference`` (the process is
told where another listens; ``listener`` names it) or ``connection`` (another service's port).
The tables show each port once under who listens, with "used by" for its references.

Each row also says under which label the PortOS apps list will show it (``portos``; None: not at
all): every (process, label, port) PortOS lists is a row, on the use PortOS read it from (a reference
or connection PortOS lists for the referring process included; ``portos_only`` rows for what it lists
where portlint sees no port use at all), so the map previews the apps list exactly.

Its marks (``codes``: collisions, gaps, ports out of range, well-known, not listed by PortOS) come
from the diagnostics of the same run (``portlint.report.marks``), and with ``--portos-url`` each row
also says what the live PortOS lists (``live``, ``live_differs``; ``portlint.report.live``).
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

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
    codes: list[str] = field(default_factory=list)  # the codes of this run's diagnostics that mark it
    live: str | None = None  # with --portos-url: the label the live PortOS lists it under
    live_differs: bool = False  # with --portos-url: the live list and the prediction (portos) disagree


def rows_of(configs: list[Config], unread=()) -> list[MapRow]:
    """The map's rows for ``configs``; ``unread``: the sources of files that did not parse as a
    config, whose PortOS apps list (PortOS scans them all the same) is shown as portos_only rows."""
    rows: list[MapRow] = []
    seen: set[tuple] = set()
    from portlint.model.portos import view_of, view_of_text

    for source in unread:
        rows += _portos_only_rows(source, view_of_text(source.path, source.text), [])

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
                    portos = view.label_of_use(process, use, port)
                    key = (use.span.path, process.display_name, port, use.kind, portos)
                    if key in seen:
                        continue
                    seen.add(key)
                    rows.append(MapRow(use.span.path, row, column, process.display_name, use.label, port,
                                       description, source, use.connection, use.kind.value, listener, portos))
        rows += _portos_only_rows(config.source, view, rows)
    rows.sort(key=lambda r: (r.connection, r.port, r.file, r.process))
    return rows


def _portos_only_rows(source, view, rows: list[MapRow]) -> list[MapRow]:
    """What PortOS lists from this file that no row of that process shows under that label."""
    if not view.own:
        return []
    have = {(r.process, r.port, r.portos) for r in rows if r.file == source.path}
    extra = []
    for app, label, port in view.rows():
        if (app.name, port, label) in have or not 1 <= port <= 65535:  # a number that is no port: PL105's
            continue
        have.add((app.name, port, label))
        row, column = source.position(app.start)
        extra.append(MapRow(source.path, row, column, app.name, "", port, "", "listed by PortOS only",
                            kind="reference", portos=label, portos_only=True))
    return extra


def _shown(r: MapRow) -> str:
    """The PortOS column: the label it lists, '-' for a port it does not list; '*' marks a row PortOS
    lists for a process that does not listen on it (a reference, or no port use portlint sees)."""
    if r.portos is None:
        return "-"
    return f"{r.portos}*" if r.portos_only or r.kind == "reference" else r.portos


_NOTE = ("\n* listed by PortOS for a process that does not listen on it (a reference, or a port use "
         "portlint does not see).\n")


def _shown_group(group: list[MapRow]) -> str:
    """The PortOS column of a shared entry's one line: the label when every process that shares it is
    listed under the same ones, else each process with its labels."""
    labels: dict[str, list[str]] = {}
    for r in group:
        labels.setdefault(r.process, [])
        if r.portos is not None and r.portos not in labels[r.process]:
            labels[r.process].append(r.portos)
    shown = {p: ", ".join(ls) or "-" for p, ls in labels.items()}
    if len(set(shown.values())) == 1:
        return next(iter(shown.values()))
    return "; ".join(f"{p}: {v}" for p, v in shown.items())


def _owners(rows: list[MapRow]) -> list[tuple[MapRow, str, str, str]]:
    """Each port once per owner: (row, who, PortOS column, used by). A shared entry is one row "shared by ..."."""
    refs: dict[int, list[str]] = {}
    for r in rows:
        if r.kind == "reference":
            refs.setdefault(r.port, [])
            if r.process not in refs[r.port]:
                refs[r.port].append(r.process)
    out: list[tuple[MapRow, str, str, str]] = []
    shared: dict[tuple, list[MapRow]] = {}
    for r in rows:
        if r.kind == "shared":
            shared.setdefault((r.file, r.port), []).append(r)
    done: set[tuple] = set()
    for r in rows:
        if r.kind == "listen":
            out.append((r, r.process, _shown(r), ", ".join(p for p in refs.get(r.port, []) if p != r.process)))
        elif r.kind == "shared" and (r.file, r.port) not in done:
            done.add((r.file, r.port))
            group = shared[(r.file, r.port)]
            who = "shared by " + ", ".join(dict.fromkeys(x.process for x in group))
            out.append((r, who, _shown_group(group), ", ".join(refs.get(r.port, []))))
        elif r.kind == "reference" and r.portos is not None:  # PortOS lists it under the referring process
            out.append((r, r.process, _shown(r), ""))
    return out


def apply_marks(rows: list[MapRow], marks) -> None:
    """Give each row the codes that mark its (file, port) in this run."""
    for r in rows:
        r.codes = marks.codes(r.file, r.port)


def render_text(rows: list[MapRow], marks=None, live=None) -> str:
    return _render(rows, marks, live, plain=True)


def render_markdown(rows: list[MapRow], marks=None, live=None) -> str:
    return _render(rows, marks, live, plain=False)


def _render(rows: list[MapRow], marks, live, plain: bool) -> str:
    """The text (``plain``) or Markdown map: the ports, then connection ports, then the marks that
    fall on no row (a gap's ports), then what only the live PortOS lists."""
    own = _owners(rows)
    conn = [r for r in rows if r.connection]
    used = any(u for _, _, _, u in own)
    found = any(r.codes for r in rows)
    where = (lambda r: [f"{r.file}:{r.row}"]) if plain else (lambda r: [])
    out = _table(["Port", "Process", "Label", "PortOS"] + (["Live"] if live else []) + ["Description"]
                 + (["Used by"] if used else []) + (["Findings"] if found else []) + (["Where"] if plain else []),
                 [[str(r.port), who, r.label or "-", shown] + ([_live(r)] if live else []) + [r.description]
                  + ([u] if used else []) + ([" ".join(r.codes)] if found else []) + where(r)
                  for r, who, shown, u in own], plain)
    if conn:
        out += "\nConnection ports (used, not allocated):\n" + ("" if plain else "\n")
        out += _table(["Port", "Process", "Key", "PortOS"] + (["Live"] if live else [])
                      + (["Findings"] if found else []) + (["Where"] if plain else []),
                      [[str(r.port), r.process, r.source, _shown(r)] + ([_live(r)] if live else [])
                       + ([" ".join(r.codes)] if found else []) + where(r) for r in conn], plain)
    shown_places = {(r.file, r.port) for r, _, _, _ in own} | {(r.file, r.port) for r in conn}
    apart = [m for m in (marks.rows() if marks else []) if (m["file"], m["port"]) not in shown_places]
    if apart:
        out += "\nFindings on ports no process above takes (e.g. the gaps of a block):\n" + ("" if plain else "\n")
        out += _table(["Port", "Findings", "File"], [[str(m["port"]), " ".join(m["codes"]), m["file"]] for m in apart],
                      plain)
    if live:
        out += _live_section(live, plain)
    return out + (_NOTE if any(shown.endswith("*") for _, _, shown, _ in own) else "")


def _live(r: MapRow) -> str:
    """The Live column: the label the live PortOS lists, '-' for none; '!' where it differs from PortOS's."""
    return (r.live or "-") + ("!" if r.live_differs else "")


def _live_section(live, plain: bool) -> str:
    out = ""
    if live.only_live:
        out += "\nListed by the live PortOS, but by no config here:\n" + ("" if plain else "\n")
        out += _table(["Port", "App", "Process", "Label"],
                      [[str(p.port), p.app, p.process, p.label or "-"] for p in live.only_live], plain)
    apps = ", ".join(live.apps) or "none of its apps has a process of these configs"
    count = f"{live.differences} difference{'s' if live.differences != 1 else ''}" if live.differences else "no differences"
    return out + f"\nLive PortOS at {live.url} (apps compared: {apps}): {count} from the prediction ('!').\n"


def render_json(rows: list[MapRow], marks=None, live=None) -> str:
    data = {
        "ports": [asdict(r) for r in rows if r.kind in ("listen", "shared")],
        "references": [asdict(r) for r in rows if r.kind == "reference"],
        "connections": [asdict(r) for r in rows if r.connection],
        "marks": marks.rows() if marks else [],
        "live": live.as_json() if live else None,
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
