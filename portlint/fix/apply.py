"""Automatic fixes: text edits over the original source, applied until nothing changes.

A fix is a list of non-overlapping edits; everything outside them is kept byte for byte
(comments, quotes, tabs, CRLF, BOM). The fixed text must still parse, or the fix is dropped and
reported. Files are written atomically: a temporary file in the same folder, then a rename.
"""
from __future__ import annotations

import os
import stat
import tempfile
from dataclasses import dataclass, field

MAX_PASSES = 10


@dataclass(frozen=True)
class Edit:
    start: int  # character offsets into the text the diagnostic was found in
    end: int
    content: str


@dataclass
class Fix:
    applicability: str  # "safe" | "unsafe"
    message: str
    edits: tuple[Edit, ...]

    def as_json(self, source) -> dict:
        def loc(offset: int) -> dict:
            row, col = source.position(offset)
            return {"row": row, "column": col}

        return {
            "applicability": self.applicability,
            "message": self.message,
            "edits": [{"content": e.content, "location": loc(e.start), "end_location": loc(e.end)} for e in self.edits],
        }


class FixWriteError(Exception):
    """The fixed text could not be written; one line for the user."""


def _overlaps(a: Edit, b: Edit) -> bool:
    return a.start <= b.end and b.start <= a.end  # touching edits wait for the next pass


def apply_edits(text: str, edits: list[Edit]) -> str:
    out = []
    position = 0
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        out.append(text[position:edit.start])
        out.append(edit.content)
        position = edit.end
    out.append(text[position:])
    return "".join(out)


def choose(fixes: list[Fix]) -> list[Fix]:
    """The fixes that can be applied together (no two touch the same text), first come first."""
    chosen: list[Fix] = []
    taken: list[Edit] = []
    for fix in sorted(fixes, key=lambda f: min(e.start for e in f.edits)):
        if any(_overlaps(e, t) for e in fix.edits for t in taken):
            continue
        chosen.append(fix)
        taken.extend(fix.edits)
    return chosen


@dataclass
class FixOutcome:
    original: str
    text: str
    applied: list[tuple[str, str]] = field(default_factory=list)  # (code, message)
    dropped: list[tuple[str, str]] = field(default_factory=list)  # fixes that would not parse
    moves: list[str] = field(default_factory=list)  # "API 3000 → 5570": ports the unsafe renumbering moved

    @property
    def changed(self) -> bool:
        return self.text != self.original


def fix_text(engine, path: str, text: str, unsafe: bool) -> FixOutcome:
    """Lint, apply the fixes, re-lint, until stable (at most MAX_PASSES passes). The non-overlapping
    fixes of one pass are applied together and the result parsed once; only when it does not parse
    are they split in halves to find the fixes at fault. Fixing stops at the file's time budget
    (``max-seconds-per-file``), keeping the passes done so far."""
    import time

    outcome = FixOutcome(text, text)
    wanted = {"safe", "unsafe"} if unsafe else {"safe"}
    refused: set[tuple] = set()
    budget = engine.settings_for(path).max_seconds_per_file
    deadline = time.monotonic() + budget
    for _ in range(MAX_PASSES):
        if time.monotonic() > deadline:
            outcome.dropped.append(("PL001", f"{path}: fixing stopped after {budget:g} s (the `max-seconds-per-file` "
                                             "setting); the fixes applied so far are kept"))
            break
        _, diagnostics = engine.lint_file(path, outcome.text)
        candidates = [(d, d.fix) for d in diagnostics
                      if d.fix is not None and d.fix.applicability in wanted
                      and (d.code, tuple(d.fix.edits)) not in refused]
        if not candidates:
            break
        by_fix = {id(fix): d for d, fix in candidates}
        groups = _parsable_groups(path, outcome.text, choose([f for _, f in candidates]), deadline)
        for fix in groups.bad:
            d = by_fix[id(fix)]
            refused.add((d.code, tuple(fix.edits)))
            outcome.dropped.append((d.code, f"{d.path}:{d.row}:{d.column}: {fix.message} (the result would not parse)"))
        good = [fix for group in groups.good for fix in group]
        if not good:
            continue
        combined = apply_edits(outcome.text, [e for fix in good for e in fix.edits])
        if len(groups.good) > 1 and not _parses(path, combined):
            good = groups.good[0]  # each group parses alone but not together: one now, the rest after a re-lint
            combined = apply_edits(outcome.text, [e for fix in good for e in fix.edits])
        outcome.text = combined
        outcome.applied.extend((by_fix[id(f)].code, f.message) for f in good)
    return outcome


@dataclass
class _Groups:
    good: list[list[Fix]] = field(default_factory=list)  # each group parses when applied alone
    bad: list[Fix] = field(default_factory=list)  # fixes that do not parse even alone


def _parsable_groups(path: str, text: str, fixes: list[Fix], deadline: float) -> _Groups:
    """Split ``fixes`` into groups that parse when applied together (all of them in one group when
    they parse, which is the usual case: one parse) and the fixes that break the file alone."""
    import time

    groups = _Groups()
    pending = [fixes] if fixes else []
    while pending:
        group = pending.pop(0)
        if _parses(path, apply_edits(text, [e for fix in group for e in fix.edits])):
            groups.good.append(group)
        elif len(group) == 1:
            groups.bad.append(group[0])
        elif time.monotonic() <= deadline:
            half = len(group) // 2
            pending[:0] = [group[:half], group[half:]]
    return groups


def _parses(path: str, candidate: str) -> bool:
    from portlint.source.parse import ParseError, parse
    from portlint.source.read import Source

    try:
        parse(Source(path, candidate))
        return True
    except (ParseError, RecursionError):
        return False


def write_atomic(path: str, text: str) -> None:
    """Replace the file's contents in one step, keeping its mode; through a symlink, its target."""
    target = os.path.realpath(path)
    try:
        st = os.stat(target)
    except OSError as exc:
        raise FixWriteError(f"{path}: cannot write the fix: {exc.strerror or exc}") from None
    if not st.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(target, os.W_OK):
        raise FixWriteError(f"{path}: the file is read-only; the fixes were not written")
    directory = os.path.dirname(target) or "."
    data = text.encode("utf-8")
    try:
        fd, temp = tempfile.mkstemp(prefix=".portlint-", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise FixWriteError(f"{path}: cannot write the fix into {directory}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(temp, stat.S_IMODE(st.st_mode))
        os.replace(temp, target)
    except OSError as exc:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise FixWriteError(f"{path}: cannot write the fix: {exc.strerror or exc}") from None
