"""GitHub Actions workflow commands: one ``::error``/``::warning`` annotation per diagnostic."""
from __future__ import annotations

from portlint.report.formats.escape import printable


def escape_data(text: str) -> str:
    return printable(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(diagnostics, stream, context) -> None:
    for d in diagnostics:
        level = "error" if d.severity == "error" else "warning"
        props = ",".join([
            f"file={escape_property(d.path)}",
            f"line={d.row}", f"col={d.column}", f"endLine={d.end_row}", f"endColumn={d.end_column}",
            f"title={escape_property(f'{d.code} {d.name}')}",
        ])
        stream.write(f"::{level} {props}::{escape_data(f'{d.code} {d.message}')}\n")
