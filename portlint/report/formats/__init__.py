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


class _Lazy:
    """A format's render function, imported on first use: a run loads only the format it prints."""

    def __init__(self, module: str, function: str):
        self.module, self.function = module, function

    def __call__(self, *args, **kwargs):
        import importlib

        return getattr(importlib.import_module(f"{__name__}.{self.module}"), self.function)(*args, **kwargs)


@hookimpl
def portlint_formats():
    return {
        "text": _Lazy("text", "render"),
        "concise": _Lazy("text", "render"),
        "json": _Lazy("json_format", "render"),
        "json-lines": _Lazy("json_format", "render_lines"),
        "sarif": _Lazy("sarif", "render"),
        "github": _Lazy("github", "render"),
        "junit": _Lazy("junit", "render"),
        "pylint": _Lazy("text", "render_pylint"),
    }
