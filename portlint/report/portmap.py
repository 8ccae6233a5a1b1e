"""The port map: which ports every config of a tree takes, as the policy's allocation table.

One row per (config, process, port). Rows come from the model, so they are the ports PM2 really
applies (per environment, with increment_var copies). Each row says its kind: ``listen`` (the
process binds it), ``shared`` (one PORTS entry several processes use), ``reference`` (the process is
told where another listens; ``listener`` names it) or ``connection`` (another service's port).
The tables show each port once under who listens, with "used by" for its references.
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


def rows_of(configs: list[Config]) -> list[MapRow]:
    rows: list[MapRow] = []
    seen: set[tuple] = set()
    for config in configs:
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
                                       description, source, use.connection, use.kind.value, listener))
    rows.sort(key=lambda r: (r.connection, r.port, r.file, r.process))
    return rows


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
    return out


def render_text(rows: list[MapRow]) -> str:
    own = _owners(rows)
    conn = [r for r in rows if r.connection]
    used = any(u for _, _, u in own)
    out = _table(["Port", "Process", "Label", "Description"] + (["Used by"] if used else []) + ["Where"],
                 [[str(r.port), who, r.label, r.description] + ([u] if used else []) + [f"{r.file}:{r.row}"]
                  for r, who, u in own], plain=True)
    if conn:
        out += "\nConnection ports (used, not allocated):\n"
        out += _table(["Port", "Process", "Key", "Where"],
                      [[str(r.port), r.process, r.source, f"{r.file}:{r.row}"] for r in conn], plain=True)
    return out


def render_markdown(rows: list[MapRow]) -> str:
    own = _owners(rows)
    conn = [r for r in rows if r.connection]
    used = any(u for _, _, u in own)
    out = _table(["Port", "Process", "Label", "Description"] + (["Used by"] if used else []),
                 [[str(r.port), who, r.label, r.description] + ([u] if used else []) for r, who, u in own],
                 plain=False)
    if conn:
        out += "\nConnection ports (used, not allocated):\n\n"
        out += _table(["Port", "Process", "Key"], [[str(r.port), r.process, r.source] for r in conn], plain=False)
    return out


def render_json(rows: list[MapRow]) -> str:
    data = {
        "ports": [asdict(r) for r in rows if r.kind in ("listen", "shared")],
        "references": [asdict(r) for r in rows if r.kind == "reference"],
        "connections": [asdict(r) for r in rows if r.connection],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _table(header: list[str], body: list[list[str]], plain: bool) -> str:
    if plain:
        widths = [max(len(x) for x in col) for col in zip(header, *body)] if body else [len(h) for h in header]
        lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in [header] + body]
        return "\n".join(lines) + "\n"
    esc = lambda s: s.replace("|", "\\|")  # noqa: E731
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(esc(c) for c in row) + " |" for row in body]
    return "\n".join(lines) + "\n"
