"""``path:row:col: CODE message``, one line a diagnostic, then a one-line summary."""
from __future__ import annotations


def render(diagnostics, stream, context) -> None:
    for d in diagnostics:
        stream.write(f"{d.path}:{d.row}:{d.column}: {d.code} {d.message}\n")
    if context.quiet or not diagnostics:
        return
    errors = sum(1 for d in diagnostics if d.severity == "error")
    warnings = len(diagnostics) - errors
    parts = []
    if errors:
        parts.append(f"{errors} error{'s' if errors != 1 else ''}")
    if warnings:
        parts.append(f"{warnings} warning{'s' if warnings != 1 else ''}")
    stream.write(f"Found {' and '.join(parts)} in {context.files} file{'s' if context.files != 1 else ''}.\n")
