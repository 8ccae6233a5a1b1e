"""Built-in output formats, registered through the ``portlint`` entry-point group like any plugin.

A format is ``render(diagnostics, stream, context)``; ``context`` is a FormatContext.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from portlint.plugins import hookimpl


class LazySources(dict):
    """path -> Source, reading a file only when a format asks (cached files were not read)."""

    def get(self, path, default=None):
        if path not in self:
            from portlint.source.read import UnreadableFile, read_source

            try:
                self[path] = read_source(path)
            except (UnreadableFile, OSError):
                return default
        return self[path]


@dataclass
class FormatContext:
    rules: dict = field(default_factory=dict)  # code -> Rule class
    files: int = 0
    paths: list = field(default_factory=list)  # every file linted, in order
    sources: dict = field(default_factory=dict)  # path -> Source, for --show-source
    quiet: bool = False
    color: bool = False
    show_source: bool = False


@hookimpl
def portlint_formats():
    from . import github, gitlab, json_format, junit, sarif, text

    return {
        "text": text.render,
        "concise": text.render,
        "json": json_format.render,
        "json-lines": json_format.render_lines,
        "sarif": sarif.render,
        "github": github.render,
        "gitlab": gitlab.render,
        "junit": junit.render,
        "pylint": text.render_pylint,
    }
