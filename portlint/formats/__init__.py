"""Built-in output formats, registered through the ``portlint`` entry-point group like any plugin.

A format is ``render(diagnostics, stream, context)``; ``context`` is a FormatContext.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from portlint.plugins import hookimpl


@dataclass
class FormatContext:
    rules: dict = field(default_factory=dict)
    files: int = 0
    quiet: bool = False


@hookimpl
def portlint_formats():
    from . import json_format, text

    return {"text": text.render, "concise": text.render, "json": json_format.render}
