"""Fixing one file: lint, apply the fixes, verify, re-lint, until nothing changes.

A fix is a list of non-overlapping edits; everything outside them is kept byte for byte
(comments, quotes, tabs, CRLF, BOM). Each pass applies the fixes that do not touch each other
together and lints the result once; that lint both verifies the pass (the text parses and PM2 sees
what the fixes promise, see ``verify``) and offers the next pass's fixes. A pass that fails is split
in halves to find the fix at fault, which is refused with the reason. At the end the result must
bring no code the file did not have, and fixing must have settled (a second pass changes nothing);
otherwise the fixes to blame are refused and the file is fixed again without them. The whole of it
stops at the file's ``max-seconds-per-file`` budget, keeping the verified passes done so far.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

from portlint.fix.data import Edit, Fix, apply_edits  # noqa: F401 (Edit, Fix: their old home, re-exported)
from portlint.fix.outcome import FixOutcome, Refusal

MAX_PASSES = 10
#: Times a file is fixed again without the fixes its result blamed (a new code, no fixed point).
MAX_RETRIES = 3


@dataclass
class _State:
    """One verified text of the file: what linting it found, what PM2 sees, and the fixes that led to it."""

    text: str
    config: object
    diagnostics: list
    view: dict | None
    fixes: list = field(default_factory=list)  # [(diagnostic, fix)] applied to reach this state

    @property
    def codes(self) -> set[str]:
        return {d.code for d in self.diagnostics}


def choose(fixes: list[Fix]) -> list[Fix]:
    """The fixes that can be applied together (no two touch the same text), first come first."""
    chosen: list[Fix] = []
    taken: list[Edit] = []
    for fix in sorted(fixes, key=lambda f: min(e.start for e in f.edits)):
        if any(a.start <= t.end and t.start <= a.end for a in fix.edits for t in taken):
            continue  # touching edits wait for the next pass
        chosen.append(fix)
        taken.extend(fix.edits)
    return chosen


def fix_text(engine, path: str, text: str, unsafe: bool, first=None) -> FixOutcome:
    """The verified fixed text of one file. ``first``: the (config, diagnostics) of linting ``text``
    when the caller has them. Everything (each lint included) runs within the file's one budget."""
    from portlint.engine.budget import TimeBudgetExceeded, time_budget

    budget = engine.settings_for(path).max_seconds_per_file
    fixer = FileFixer(engine, path, unsafe, time.monotonic() + budget, budget)
    outcome = FixOutcome(text, text)
    start = None
    try:
        with time_budget(budget):
            start = fixer.state(text, first)
            outcome.original_codes, outcome.config, outcome.diagnostics = start.codes, start.config, start.diagnostics
            for _ in range(MAX_RETRIES + 1):
                states = fixer.run(start, outcome)
                blamed = fixer.blame(start, states)
                if not blamed:
                    break
                fixer.refuse_all(blamed, outcome)
            else:  # still blamed after every retry: nothing of it is trusted
                outcome.refuse(Refusal(path, "", "its fixes", f"refused: they do not settle into a result without "
                                                              f"new findings after {MAX_RETRIES} tries"))
                fixer.states = [start]
    except TimeBudgetExceeded:
        fixer.timed_out = True
        fixer.stopped(outcome)
    if start is None:
        return outcome
    states = fixer.states or [start]
    final = _last_good(start, states)
    outcome.text = final.text
    outcome.applied = [(d.code, fix.message) for state in states[1:states.index(final) + 1] for d, fix in state.fixes]
    outcome.config, outcome.diagnostics = final.config, final.diagnostics
    return outcome


def _last_good(start: _State, states: list[_State]) -> _State:
    """The last state that brings no code the file did not have (the start always qualifies)."""
    for state in reversed(states):
        if state.codes <= start.codes:
            return state
    return start


class FileFixer:
    def __init__(self, engine, path: str, unsafe: bool, deadline: float, budget: float):
        from portlint.fix.verify import SAFE, UNSAFE_EDIT, connection_key

        self.engine, self.path, self.deadline, self.budget = engine, path, deadline, budget
        self.wanted = {"safe", "unsafe"} if unsafe else {"safe"}
        self.promise = UNSAFE_EDIT if unsafe else SAFE
        self.is_connection = connection_key(engine.settings_for(path))
        self.refused: dict[tuple, str] = {}  # fix identity -> why (kept across retries)
        self.timed_out = False
        self.states: list[_State] = []  # the verified states of the current try, first the file as it was

    def out_of_time(self) -> bool:
        self.timed_out = self.timed_out or time.monotonic() > self.deadline
        return self.timed_out

    def state(self, text: str, linted=None) -> _State | None:
        from portlint.fix.view import TooBig, pm2_view

        config, diagnostics = linted if linted is not None else self.engine.lint_file(self.path, text)
        try:
            view = pm2_view(config.exports) if config is not None else None
        except TooBig:
            view = None
        return _State(text, config, diagnostics, view)

    def stopped(self, outcome: FixOutcome) -> None:
        note = (f"{self.path}: fixing stopped after {self.budget:g} s (the `max-seconds-per-file` setting); "
                "the fixes applied so far are kept")
        if ("PL001", note) not in outcome.dropped:
            outcome.dropped.append(("PL001", note))

    def run(self, start: _State, outcome: FixOutcome) -> list[_State]:
        """Passes from ``start`` until no fix is left (or the budget is spent): the verified states."""
        states = self.states = [start]
        for _ in range(MAX_PASSES):
            if self.out_of_time():
                self.stopped(outcome)
                return states
            current = states[-1]
            candidates = [(d, d.fix) for d in current.diagnostics
                          if isinstance(d.fix, Fix) and d.fix.applicability in self.wanted
                          and _key(d, d.fix) not in self.refused and _loose_key(d, d.fix) not in self.refused]
            if not candidates:
                return states
            by_fix = {id(fix): d for d, fix in candidates}
            following = self._one_pass(current, choose([f for _, f in candidates]), by_fix, outcome)
            if following is None:
                if self.timed_out:
                    self.stopped(outcome)
                    return states
                continue  # every fix of the pass was refused: the others are offered again
            states.append(following)
        current = states[-1]
        left = [(d, d.fix) for d in current.diagnostics if isinstance(d.fix, Fix) and d.fix.applicability in self.wanted
                and _key(d, d.fix) not in self.refused and _loose_key(d, d.fix) not in self.refused]
        current.unsettled = left  # type: ignore[attr-defined]
        return states

    def _one_pass(self, current: _State, fixes: list[Fix], by_fix: dict, outcome: FixOutcome) -> _State | None:
        """Apply ``fixes`` together; when the result fails, the first half, and so on down to one
        fix, which is refused. Returns the next verified state, or None when nothing was applied."""
        group = fixes
        while group and not self.out_of_time():
            text = apply_edits(current.text, [e for fix in group for e in fix.edits])
            candidate = self.state(text)
            if self.out_of_time():
                return None  # the budget ran out while linting it: that says nothing about the fix
            why = self.check(current, candidate)
            if why is None:
                candidate.fixes = [(by_fix[id(f)], f) for f in group]
                return candidate
            if len(group) == 1:
                d = by_fix[id(group[0])]
                self.refused[_key(d, group[0])] = why
                outcome.refuse(Refusal(self.path, d.code, group[0].message, why))
                return None
            group = group[: len(group) // 2]
        return None

    def check(self, before: _State, after: _State) -> str | None:
        """Why the step from ``before`` to ``after`` breaks its promise, or None."""
        from portlint.fix.verify import broken

        if after.config is None:
            problem = next((d.message for d in after.diagnostics if d.code == "PL001"), "it cannot be linted")
            return f"the result does not parse ({problem})" if "syntax error" in problem else f"the result cannot be checked ({problem})"
        if before.view is None or after.view is None:
            return "the evaluator cannot compare the config before and after the fix (it is too big)"
        return broken(before.view, after.view, self.promise, self.is_connection)

    def blame(self, start: _State, states: list[_State]) -> list[tuple]:
        """The fixes to refuse because the result brings a new code, or because fixing does not
        settle; [(diagnostic, fix, why)]. Empty when the result is fine (or the budget ran out)."""
        if self.timed_out:
            return []
        final = states[-1]
        new = sorted(final.codes - start.codes)
        if new:
            code = new[0]
            first = len(states) - 1  # the state since which the code is there for good
            while first > 1 and code in states[first - 1].codes:
                first -= 1
            shown = next(d for d in final.diagnostics if d.code == code)
            why = f"the result has {code}, which the file did not have ({shown.message})"
            return [(d, fix, why) for d, fix in states[first].fixes]
        unsettled = getattr(final, "unsettled", None)
        if unsettled:
            why = f"fixing does not settle: after {MAX_PASSES} passes it still changes the file"
            recurring = {(d.code, fix.message) for d, fix in unsettled}
            return [(d, fix, why) for state in states[1:] for d, fix in state.fixes if (d.code, fix.message) in recurring] \
                or [(d, fix, why) for d, fix in unsettled]
        return []

    def refuse_all(self, blamed: list[tuple], outcome: FixOutcome) -> None:
        for d, fix, why in blamed:
            if _loose_key(d, fix) not in self.refused:
                self.refused[_loose_key(d, fix)] = why
                outcome.refuse(Refusal(self.path, d.code, fix.message, why))


def _key(diagnostic, fix: Fix) -> tuple:
    return (diagnostic.code, tuple(fix.edits))


def _loose_key(diagnostic, fix: Fix) -> tuple:
    """A fix by what it says, wherever its edits are: how a blamed fix is known on the next try."""
    return (diagnostic.code, fix.message)
