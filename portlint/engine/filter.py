"""The one filter every reporting or fixing path goes through: per-file-ignores, noqa, dedupe.

Rule selection (select/ignore) happens earlier, when the engine picks the rules to run; everything a
rule reports then passes here, whether the caller is a plain lint, ``--fix``/``--diff`` or the
language server."""
from __future__ import annotations

from typing import Callable

from portlint.diagnostic import Diagnostic


class DiagnosticFilter:
    """Drops what the user said to ignore (per-file-ignores, noqa comments) and repeats."""

    def __init__(self, settings_for: Callable, noqa: dict, disable_noqa: bool = False):
        self.settings_for = settings_for  # path -> Settings
        self.noqa = noqa  # path -> NoqaIndex, filled as files are read
        self.disable_noqa = disable_noqa
        self._settings: dict = {}

    def suppressed(self, d: Diagnostic) -> bool:
        settings = self._settings.get(d.path)
        if settings is None:
            settings = self._settings[d.path] = self.settings_for(d.path)
        if settings.ignored_here(d.path, d.code):
            return True
        if self.disable_noqa:
            return False
        index = self.noqa.get(d.path)
        return bool(index) and index.suppresses(d.row, d.code)

    def __call__(self, diagnostics: list[Diagnostic]) -> list[Diagnostic]:
        return [d for d in dedupe(diagnostics) if not self.suppressed(d)]


def dedupe(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    seen = set()
    out = []
    for d in diagnostics:
        key = (d.path, d.row, d.column, d.end_row, d.end_column, d.code, d.message)
        if key not in seen:
            seen.add(key)
            out.append(d)
    return out
