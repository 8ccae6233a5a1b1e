"""The one filter every reporting or fixing path goes through: per-file-ignores, noqa, dedupe, and
one cause, one finding.

Rule selection (select/ignore) happens earlier, when the engine picks the rules to run; everything a
rule reports then passes here, whether the caller is a plain lint, ``--fix``/``--diff`` or the
language server. What the noqa comments suppressed is recorded on the way, and the comments are
judged from it (PL004, PL005: ``portlint.engine.noqa_checks``)."""
from __future__ import annotations

import os
from typing import Callable

from portlint.diagnostic import Diagnostic

#: The root causes (what the user must change to cure a finding) that several rules can trip over,
#: each with the order in which its codes speak for it. At one place (or, for a file-wide cause, in
#: one file), the diagnostics of one cause are one finding: the first code of the order that is
#: present is kept, with the related places of the others (and their fix, when the kept code's
#: advice has that kind of fix). This runs after select/ignore and noqa, so ignoring the kept code
#: shows the next one.
CAUSES: dict[str, tuple[str, ...]] = {
    # the number (or expression) written at the place: a port that is not the config's to use
    # (not a port at all, well-known, out of range, another process's, written where PORTS should be
    # referred to, not in PORTS, written twice, not knowable); one change there, a free port of the
    # block in PORTS referred to here, cures all. A collision comes before PL401/PL402/PL403, whose
    # "refer to the one entry" would keep the two processes on one port.
    "value": ("PL105", "PL301", "PL202", "PL203", "PL401", "PL402", "PL403", "PL101", "PL002"),
    # the label the key at the place gives the port: two ports under one label, PortOS listing it
    # under another label, a label outside the set
    "label": ("PL503", "PL502", "PL501"),
    # the kind or name of the file: a JSON/YAML config cannot define PORTS and PortOS does not read
    # it; one move, to ecosystem.config.cjs, cures both
    "file": ("PL101", "PL502"),
    # how PORTS is written (not a bare object literal): PortOS cannot read any entry of it
    "ports-form": ("PL102", "PL502"),
    # one noqa comment: a code no rule has is not also a code that suppressed nothing
    "noqa": ("PL004", "PL005"),
}
#: Causes that are one per file wherever their diagnostics sit.
FILE_WIDE = frozenset({"file", "ports-form"})
#: The cause of a code's diagnostics when the rule does not name one (``Diagnostic.cause``).
DEFAULT_CAUSE = {**{code: "value" for code in ("PL105", "PL301", "PL202", "PL203", "PL401", "PL402", "PL403", "PL002")},
                 "PL501": "label", "PL503": "label", "PL004": "noqa", "PL005": "noqa"}


#: Codes whose cure another code's fix at the same place does not bring: a collision (PL203) is cured
#: by giving one process another port, while PL401/PL402's "refer to the entry" keeps both on it.
KEEPS_OWN_FIX = frozenset({"PL203"})


def cause_of(d: Diagnostic) -> str:
    """The root cause of a diagnostic: its rule's word for it (before any ``@``), else its code's,
    else the code itself."""
    return (d.cause or DEFAULT_CAUSE.get(d.code) or d.code).split("@", 1)[0]


def cause_key(d: Diagnostic) -> tuple:
    """Where one cause is one finding: (file, cause) for a file-wide cause; (file, cause@subject)
    when the rule names the cause's subject (``label@api/ui``: one process, two ports labelled ui,
    wherever its diagnostics sit); else (place, cause)."""
    if "@" in d.cause:
        return (d.path, d.cause)
    cause = cause_of(d)
    if cause in FILE_WIDE:
        return (d.path, cause)
    return (d.path, d.row, d.column, d.end_row, d.end_column, cause)


class DiagnosticFilter:
    """Drops what the user said to ignore (per-file-ignores, noqa comments), repeats and the
    diagnostics another one at the same place speaks for; reports noqa comments that cannot work
    (PL004) or worked for nothing (PL005)."""

    def __init__(self, settings_for: Callable, noqa: dict, disable_noqa: bool = False, rules=None):
        self.settings_for = settings_for  # path -> Settings
        self.noqa = noqa  # path -> NoqaIndex, filled as files are read
        self.disable_noqa = disable_noqa
        self.rules = rules  # the RuleSet: whether PL004/PL005 run for a file, and every known code
        self._settings: dict = {}
        from portlint.engine.noqa_checks import NoqaChecks

        self.noqa_checks = NoqaChecks(self)

    def settings_of(self, path: str):
        key = os.path.abspath(path)  # a relative path names another file once the folder changes
        settings = self._settings.get(key)
        if settings is None:
            settings = self._settings[key] = self.settings_for(path)
        return settings

    def suppressed(self, d: Diagnostic) -> bool:
        if self.settings_of(d.path).ignored_here(d.path, d.code):
            return True
        if self.disable_noqa:
            return False
        index = self.noqa.get(d.path)
        if not index:
            return False
        from portlint.engine.noqa_checks import NOQA_CODES

        if d.code in NOQA_CODES:  # only a noqa that names them silences them
            return index.names(d.row, d.code)
        return index.suppresses(d.row, d.code)

    def __call__(self, diagnostics: list[Diagnostic]) -> list[Diagnostic]:
        return one_cause([d for d in dedupe(diagnostics) if not self.suppressed(d)])

    # -- noqa comments: judged by portlint.engine.noqa_checks, which needs what they suppressed -------
    def for_file(self, path: str, diagnostics: list[Diagnostic], config=None) -> list[Diagnostic]:
        """The diagnostics of one file, filtered, with what is wrong with its noqa comments (known
        only once its diagnostics have been through them)."""
        kept = self(diagnostics)
        found = self.noqa_checks.of_file(path, config)
        return kept + self(found) if found else kept

    def unused_noqa_of_run(self, paths) -> list[Diagnostic]:
        """PL005 for the noqa comments only the whole run could judge, after its project pass."""
        return self(self.noqa_checks.of_run(paths))

    def remember(self, diagnostics: list[Diagnostic]) -> None:
        """What a run found about noqa comments, for the first lint of each file after it (--fix)."""
        self.noqa_checks.remember(diagnostics)


def one_cause(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """Keep, for each root cause at each place (``cause_key``), only the first code of its order
    (``CAUSES``); the kept diagnostic takes the related places of those it stands for, and their
    fix when it has none and its own advice has a fix of that kind (PL402's, for PL301: the number
    goes into PORTS, where a move can reach it)."""
    groups: dict[tuple, list[Diagnostic]] = {}
    for d in diagnostics:
        if cause_of(d) in CAUSES:
            groups.setdefault(cause_key(d), []).append(d)
    dropped: set[int] = set()
    for group in groups.values():
        if len(group) < 2:
            continue
        order = CAUSES[cause_of(group[0])]
        best = min(group, key=lambda d: order.index(d.code) if d.code in order else len(order))
        for d in group:
            if d is best or d.code == best.code and d.message != best.message and len(cause_key(d)) > 2:
                continue  # two findings of one rule at one place are the rule's own business
            dropped.add(id(d))
            have = {tuple(r.to_data()[:5]) for r in best.related}
            best.related += tuple(r for r in d.related if tuple(r.to_data()[:5]) not in have)
            if best.fix is None and d.fix is not None and _has_fix(best.code, _applicability(d.fix)) \
                    and best.code not in KEEPS_OWN_FIX:
                best.fix = d.fix
    dropped |= _spoken_for_at_the_entry(d for d in diagnostics if id(d) not in dropped)
    return [d for d in diagnostics if id(d) not in dropped]


def _spoken_for_at_the_entry(diagnostics) -> set[int]:
    """A collision (PL203) reported at a use whose port a PORTS entry holds, when a value finding
    that comes first (PL301, PL202, PL105) sits at that entry about the same port and names the use
    as a related place: the number is written at the entry, so that is where its one finding is;
    likewise an instance block out of range (PL202) at a use whose entry has a value finding.
    (Without this, moving a literal into PORTS would turn one finding into two.)"""
    diagnostics = list(diagnostics)
    order = CAUSES["value"]
    at_entry: dict[tuple, list[Diagnostic]] = {}
    for d in diagnostics:
        if cause_of(d) == "value" and d.code in order:
            for r in d.related:
                at_entry.setdefault((r.path, r.row, r.column), []).append(d)
    out: set[int] = set()
    for d in diagnostics:
        if d.code not in _AT_THE_ENTRY:
            continue
        for entry in at_entry.get((d.path, d.row, d.column), ()):
            if entry is not d and _AT_THE_ENTRY[d.code](order.index(entry.code), order.index(d.code), entry, d):
                out.add(id(d))
                break
    return out


#: Findings at a use that a value finding at its PORTS entry speaks for: a collision on the same port
#: (PL203), and the instances of an increment_var block leaving the range (PL202) when the entry
#: they count from is itself out of place (PL301/PL202 there): moving the entry moves the block.
_AT_THE_ENTRY = {
    "PL203": lambda first, mine, entry, d: first < mine and bool(set(entry.ports) & set(d.ports)),
    "PL202": lambda first, mine, entry, d: first <= mine,
}


def _applicability(fix) -> str | None:
    return fix.get("applicability") if isinstance(fix, dict) else getattr(fix, "applicability", None)


def _has_fix(code: str, applicability: str | None) -> bool:
    from portlint.model.advice import fix_kinds

    return applicability in fix_kinds(code)


def dedupe(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    seen = set()
    out = []
    for d in diagnostics:
        key = (d.path, d.row, d.column, d.end_row, d.end_column, d.code, d.message)
        if key not in seen:
            seen.add(key)
            out.append(d)
    return out
