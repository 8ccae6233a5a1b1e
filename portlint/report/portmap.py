"""The port map: which ports every config of a tree takes, as the policy's allocation table.

One row per (config, process, port). Rows come from the model, so they are the ports PM2 really
applies (per environment, with increment_var copies); connection ports are kept apart.
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
                for port in sorted(process.occupied(use) if not use.connection else use.valid_ports):
                    source = use.where
                    if port not in use.valid_ports:
                        source = f"instance {port - min(use.valid_ports) + 1} of increment_var {process.increment_var}"
                    key = (use.span.path, process.display_name, port, use.connection)
                    if key in seen:
                        continue
                    seen.add(key)
                    rows.append(MapRow(use.span.path, row, column, process.display_name, use.label, port,
                                       description, source, use.connection))
    rows.sort(key=lambda r: (r.connection, r.port, r.file, r.process))
    return rows


def render_text(rows: list[MapRow]) -> str:
    own = [r for r in rows if not r.connection]
    conn = [r for r in rows if r.connection]
    out = _table(["Port", "Process", "Label", "Description", "Where"],
                 [[str(r.port), r.process, r.label, r.description, f"{r.file}:{r.row}"] for r in own], plain=True)
    if conn:
        out += "\nConnection ports (used, not allocated):\n"
        out += _table(["Port", "Process", "Key", "Where"],
                      [[str(r.port), r.process, r.source, f"{r.file}:{r.row}"] for r in conn], plain=True)
    return out


def render_markdown(rows: list[MapRow]) -> str:
    own = [r for r in rows if not r.connection]
    conn = [r for r in rows if r.connection]
    out = _table(["Port", "Process", "Label", "Description"],
                 [[str(r.port), r.process, r.label, r.description] for r in own], plain=False)
    if conn:
        out += "\nConnection ports (used, not allocated):\n\n"
        out += _table(["Port", "Process", "Key"], [[str(r.port), r.process, r.source] for r in conn], plain=False)
    return out


def render_json(rows: list[MapRow]) -> str:
    data = {
        "ports": [asdict(r) for r in rows if not r.connection],
        "connections": [asdict(r) for r in rows if r.connection],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _table(header: list[str], body: list[list[str]], plain: bool) -> str:
    from portlint.report.formats.escape import printable

    body = [[printable(c) for c in row] for row in body]  # a process name cannot add a row or colour the terminal
    if plain:
        widths = [max(len(x) for x in col) for col in zip(header, *body)] if body else [len(h) for h in header]
        lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in [header] + body]
        return "\n".join(lines) + "\n"
    esc = lambda s: s.replace("|", "\\|")  # noqa: E731
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(esc(c) for c in row) + " |" for row in body]
    return "\n".join(lines) + "\n"
