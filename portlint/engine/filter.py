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
        return one_cause([d for d in dedupe(diagnostics) if not self.suppressed(d)])


#: Codes that, at one place, report one root cause: a port number that is not the config's to use
#: (well-known, out of range, not in PORTS). One diagnostic says it, the first of this order
#: present; its advice (a free port of the block, in PORTS) cures the others too.
ONE_CAUSE = ("PL301", "PL202", "PL402")


def one_cause(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """Keep, at each place, only the first of ``ONE_CAUSE`` reported there (after select/ignore
    and noqa, so ignoring PL301 still shows PL202). The kept diagnostic takes over the fix of one
    it stands for when it has none (PL402's: the number goes into PORTS, where a move can reach it)."""
    kept: dict[tuple, Diagnostic] = {}
    for d in diagnostics:
        if d.code in ONE_CAUSE:
            key = (d.path, d.row, d.column, d.end_row, d.end_column)
            best = kept.get(key)
            if best is None or ONE_CAUSE.index(d.code) < ONE_CAUSE.index(best.code):
                kept[key] = d
    for d in diagnostics:
        if d.code in ONE_CAUSE:
            best = kept[(d.path, d.row, d.column, d.end_row, d.end_column)]
            if best is not d and best.fix is None and d.fix is not None:
                best.fix = d.fix
    return [d for d in diagnostics if d.code not in ONE_CAUSE
            or kept[(d.path, d.row, d.column, d.end_row, d.end_column)] is d]


def dedupe(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    seen = set()
    out = []
    for d in diagnostics:
        key = (d.path, d.row, d.column, d.end_row, d.end_column, d.code, d.message)
        if key not in seen:
            seen.add(key)
            out.append(d)
    return out
