"""The one filter every reporting or fixing path goes through: per-file-ignores, noqa, dedupe, and
one cause, one finding.

Rule selection (select/ignore) happens earlier, when the engine picks the rules to run; everything a
rule reports then passes here, whether the caller is a plain lint, ``--fix``/``--diff`` or the
language server. The noqa comments themselves are judged here too: PL004 (a code no rule has, a
malformed directive) and PL005 (a directive that suppressed nothing), since only the filter knows
what each comment suppressed."""
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
#: The codes the filter itself reports about noqa comments; a noqa silences them only by naming
#: them (``// noqa: PL005``), never as a bare ``// noqa``.
NOQA_CODES = ("PL004", "PL005")


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
        #: path -> rows where the last run found a noqa unused (PL005), for the first lint of that
        #: path after it (``--fix``): there, a noqa a rule comparing configs might use is decided
        self._judged: dict[str, set[int]] = {}

    def _settings_of(self, path: str):
        key = os.path.abspath(path)  # a relative path names another file once the folder changes
        settings = self._settings.get(key)
        if settings is None:
            settings = self._settings[key] = self.settings_for(path)
        return settings

    def suppressed(self, d: Diagnostic) -> bool:
        if self._settings_of(d.path).ignored_here(d.path, d.code):
            return True
        if self.disable_noqa:
            return False
        index = self.noqa.get(d.path)
        if not index:
            return False
        if d.code in NOQA_CODES:
            return index.names(d.row, d.code)
        return index.suppresses(d.row, d.code)

    def __call__(self, diagnostics: list[Diagnostic]) -> list[Diagnostic]:
        return one_cause([d for d in dedupe(diagnostics) if not self.suppressed(d)])

    # -- noqa comments --------------------------------------------------------------------------------
    def for_file(self, path: str, diagnostics: list[Diagnostic], config=None) -> list[Diagnostic]:
        """The diagnostics of one file, filtered, with what is wrong with its noqa comments (known
        only once its diagnostics have been through them)."""
        kept = self(diagnostics)
        found = self._noqa_findings(path, config)
        return kept + self(found) if found else kept

    def _enabled(self, path: str, code: str) -> bool:
        return self.rules is not None and code in self.rules.registry.rules \
            and self.rules.enabled(self._settings_of(path), code)

    def _noqa_findings(self, path: str, config) -> list[Diagnostic]:
        from portlint.engine import noqa as noqa_comments

        index = None if self.disable_noqa else self.noqa.get(path)
        if index is None or index.whole_file or not index.comments or index.source is None:
            return []
        known = tuple(self.rules.registry.rules) if self.rules is not None else ()
        out: list[Diagnostic] = []
        if self._enabled(path, "PL004"):
            for comment in index.comments:
                for span, message in noqa_comments.invalid(index.source, comment, known):
                    out.append(self._report("PL004", span, message))
        if self._enabled(path, "PL005"):
            project_rows = _port_rows(config, path)
            project_codes = tuple(c for c, r in self.rules.registry.rules.items() if r.scope == "project")
            judged = self._judged.pop(path, None)  # what the last run said, valid for this text only
            for comment in index.comments:
                unused = noqa_comments.unused(comment, known, ignore=NOQA_CODES)
                if not unused:
                    continue
                rows = range(comment.first_row, comment.last_row + 1)
                if any(r in project_rows for r in rows) and noqa_comments.may_match(unused, project_codes):
                    # a rule that compares configs (PL203) may still use it: the run decides, and
                    # the first lint after a run that found it unused (--fix) removes it
                    if judged is None:
                        index.deferred.append(comment)
                        continue
                    if comment.place[0] not in judged:
                        continue  # the run's project pass used it
                span, message, edits = noqa_comments.unused_finding(index.source, comment, unused,
                                                                    self._not_enabled(path, unused))
                d = self._report("PL005", span, message)
                if edits:
                    from portlint.fix.apply import Edit, Fix

                    d.fix = Fix("safe", "Remove the unused noqa" if unused == comment.codes or comment.tokens is None
                                else f"Remove {', '.join(unused)} from the noqa", tuple(Edit(*e) for e in edits))
                out.append(d)
        return out

    def unused_noqa_of_run(self, paths) -> list[Diagnostic]:
        """PL005 for the noqa comments only the whole run could judge (they sit on a port a rule
        comparing configs reports on), once the project pass has been through them."""
        from portlint.engine import noqa as noqa_comments

        known = tuple(self.rules.registry.rules) if self.rules is not None else ()
        out = []
        for path in dict.fromkeys(paths):
            index = None if self.disable_noqa else self.noqa.get(path)
            if index is None or not index.deferred or not self._enabled(path, "PL005"):
                continue
            for comment in index.deferred:
                unused = noqa_comments.unused(comment, known, ignore=NOQA_CODES)
                if unused:
                    row, column, end_row, end_column = comment.place
                    rule = self.rules.registry.rules["PL005"]
                    message = noqa_comments.unused_message(comment, unused, self._not_enabled(path, unused))
                    severity = self._settings_of(path).severity_of("PL005", rule.severity)
                    out.append(Diagnostic("PL005", rule.name, message, severity, path, row, column, end_row,
                                          end_column, noqa_row=row))
        return self(out)

    def remember(self, diagnostics: list[Diagnostic]) -> None:
        """What a run found about noqa comments, for the first lint of each file after it."""
        self._judged = {}
        for d in diagnostics:
            if d.code == "PL005":
                self._judged.setdefault(d.path, set()).add(d.row)

    def _not_enabled(self, path: str, codes) -> list[str]:
        if self.rules is None:
            return []
        return [c for c in codes if c != "*" and not any(
            code.startswith(c) and self.rules.enabled(self._settings_of(path), code) for code in self.rules.registry.rules)]

    def _report(self, code: str, span, message: str) -> Diagnostic:
        rule = self.rules.registry.rules[code]
        severity = self._settings_of(span.path).severity_of(code, rule.severity)
        return Diagnostic.at(span, code, rule.name, message, severity)


def _port_rows(config, path: str) -> set[int]:
    """The rows of this file where a port use sits: where a rule comparing configs may report."""
    if config is None:
        return set()
    rows = set()
    for process in config.processes:
        for use in process.uses:
            if use.span is not None and use.span.path == path:
                rows.update(range(use.span.location[0], use.span.end_location[0] + 1))
    return rows


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
            best.related += tuple(r for r in d.related if r not in best.related)
            if best.fix is None and d.fix is not None and _has_fix(best.code, _applicability(d.fix)):
                best.fix = d.fix
    return [d for d in diagnostics if id(d) not in dropped]


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
