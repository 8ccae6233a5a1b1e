"""JSON for editors and tools: a list of objects in ruff's shape (see schema/diagnostics.schema.json);
json-lines: the same objects, one per line."""
from __future__ import annotations

from portlint.report.formats.escape import json_text, write_json


def as_dict(d, roles: dict | None = None) -> dict:
    out = {
        "code": d.code,
        "name": d.name,
        "message": d.message,
        "severity": d.severity,
        "filename": d.path,
        "location": {"row": d.row, "column": d.column},
        "end_location": {"row": d.end_row, "column": d.end_column},
        "fix": d.fix_json(),
        "noqa_row": d.noqa_row,
        "url": d.url,
        "related": [{"filename": r.path, "location": {"row": r.row, "column": r.column},
                     "end_location": {"row": r.end_row, "column": r.end_column}, "message": r.message}
                    for r in d.related],
        "ports": list(d.ports),
    }
    role = (roles or {}).get(d.path)
    if role is not None:
        out["role"] = {"name": role[0], "inferred": role[1]}
    return out


def render(diagnostics, stream, context) -> None:
    write_json(stream, [as_dict(d, context.roles) for d in diagnostics], indent=2)
    stream.write("\n")


def render_lines(diagnostics, stream, context) -> None:
    for d in diagnostics:
        stream.write(json_text(as_dict(d, context.roles)) + "\n")
