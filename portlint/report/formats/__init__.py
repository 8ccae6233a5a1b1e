"""Built-in output formats, registered through the ``portlint`` entry-point group like any plugin.

A format is ``render(diagnostics, stream, context)``; ``context`` is a FormatContext.
"""
from __future__ import annotations

from dataclasses import dataclass, field


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
    roles: dict = field(default_factory=dict)  # path -> (role, inferred) of every linted config

    def inferred_roles(self) -> str:
        """``role = "auto"`` at work, in words, where it decided something a user would not expect:
        a config it made anything but a ``user`` config (PortOS's own, judged against the core
        range). '' when every inferred role is ``user``, the role every config starts with (a
        PL202 message names the role it judged by)."""
        by_role: dict[str, list[str]] = {}
        for path, (role, inferred) in self.roles.items():
            if inferred and role != "user":
                by_role.setdefault(role, []).append(path)
        if len(by_role) == 1 and len(next(iter(by_role.values()))) == len(self.roles):
            return f"role auto: {next(iter(by_role))}"  # every config got the same role
        parts = []
        for role, paths in sorted(by_role.items()):
            named = ", ".join(sorted(paths)) if len(paths) <= 3 else f"{len(paths)} files"
            parts.append(f"{role} for {named}")
        return "role auto: " + "; ".join(parts) if parts else ""


def _lazy(module: str, name: str = "render"):
    """A format that imports its module on first use: a run pays only for the format it prints."""

    def render(diagnostics, stream, context) -> None:
        import importlib

        getattr(importlib.import_module(f"{__name__}.{module}"), name)(diagnostics, stream, context)

    render.__qualname__ = render.__name__ = f"{module}.{name}"
    return render


def portlint_formats():
    return {
        "text": _lazy("text"),
        "concise": _lazy("text"),
        "json": _lazy("json_format"),
        "json-lines": _lazy("json_format", "render_lines"),
        "sarif": _lazy("sarif"),
        "github": _lazy("github"),
        "gitlab": _lazy("gitlab"),
        "junit": _lazy("junit"),
        "pylint": _lazy("text", "render_pylint"),
    }
