"""``path:row:col: CODE message``, one line a diagnostic, then a one-line summary."""
from __future__ import annotations

from portlint.report.formats.escape import printable, printable_pieces, width
from portlint.report.formats.lines import window

_BOLD, _RED, _YELLOW, _CYAN, _DIM, _RESET = "\x1b[1m", "\x1b[31m", "\x1b[33m", "\x1b[36m", "\x1b[2m", "\x1b[0m"


def _paint(text: str, style: str, on: bool) -> str:
    return f"{style}{text}{_RESET}" if on else text


def render(diagnostics, stream, context) -> None:
    color = context.color
    for d in diagnostics:
        where = _paint(f"{printable(d.path)}:{d.row}:{d.column}:", _BOLD, color)
        code = _paint(d.code, _RED if d.severity == "error" else _YELLOW, color)
        stream.write(f"{where} {code} {printable(d.message)}\n")
        if context.show_source:
            stream.write(source_excerpt(d, context, color))
    if context.quiet or not diagnostics:
        return
    errors = sum(1 for d in diagnostics if d.severity == "error")
    warnings = len(diagnostics) - errors
    parts = []
    if errors:
        parts.append(f"{errors} error{'s' if errors != 1 else ''}")
    if warnings:
        parts.append(f"{warnings} warning{'s' if warnings != 1 else ''}")
    notes = [printable(n) for n in (checked_phrase(diagnostics, context.files), context.inferred_roles()) if n]
    stream.write(f"Found {' and '.join(parts)} {files_phrase(diagnostics)}"
                 f"{' (' + '; '.join(notes) + ')' if notes else ''}.\n")


def files_phrase(diagnostics) -> str:
    with_findings = len({d.path for d in diagnostics})
    return f"in {with_findings} file{'s' if with_findings != 1 else ''}"


def checked_phrase(diagnostics, checked: int) -> str:
    """``3 files checked`` when not every file checked had findings (else nothing)."""
    if checked <= len({d.path for d in diagnostics}):
        return ""
    return f"{checked} file{'s' if checked != 1 else ''} checked"


#: Code points of a long line that --show-source shows around the finding (the rest is "…").
SOURCE_WIDTH = 120


def source_excerpt(d, context, color: bool) -> str:
    """The reported line with a caret run under the reported token (ruff's --show-source); of a
    long line, a window around the token, so a minified file costs no more than a short one."""
    source = context.sources.get(d.path)
    if source is None or d.row > source.line_count:
        return ""
    shown = window(source, d.row, d.column, SOURCE_WIDTH)
    pieces = printable_pieces(shown.text.replace("\t", " "))
    start = min(max(0, d.column - shown.column), len(pieces))
    end = min(max(start, (d.end_column - shown.column) if d.end_row == d.row else len(pieces)), len(pieces))
    lead, tail = ("…" if shown.cut_before else ""), ("…" if shown.cut_after else "")
    line = lead + "".join(pieces) + tail
    caret = " " * (len(lead) + width("".join(pieces[:start]))) + "^" * max(1, width("".join(pieces[start:end])))
    gutter = f"{d.row:>5} | "
    pad = " " * (len(gutter) - 2) + "| "
    return f"{_paint(gutter, _CYAN, color)}{line}\n{_paint(pad, _CYAN, color)}{_paint(caret, _RED if d.severity == 'error' else _YELLOW, color)}\n"


def render_pylint(diagnostics, stream, context) -> None:
    """pylint's parseable shape: ``path:row: [CODE] message``."""
    for d in diagnostics:
        stream.write(f"{printable(d.path)}:{d.row}: [{d.code}] {printable(d.message)}\n")
