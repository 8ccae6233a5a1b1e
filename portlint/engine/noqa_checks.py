"""What is wrong with the noqa comments of a file: PL004 invalid-noqa (a code no rule has, a ``noqa:``
with no code, a file-wide switch after the first code) and PL005 unused-noqa (a directive that
suppressed nothing, with a safe fix that removes it).

Both are judged after the file's diagnostics went through the one filter (``portlint.engine.
filter``), which records in the index (``portlint.engine.noqa``) what each comment suppressed. A
comment that could hide a finding of a rule comparing configs (PL203) on a port line is judged only
after the project pass of the run; the first lint of the file after that run (the ``--fix`` loop)
takes the run's verdict, so that its fix is applied too."""
from __future__ import annotations

from portlint.diagnostic import Diagnostic, Span
from portlint.engine.noqa import CODE_FORM, NoqaComment
from portlint.source.read import Source

#: The codes reported here; a noqa silences them only by naming them, never as a bare ``// noqa``.
NOQA_CODES = ("PL004", "PL005")


class NoqaChecks:
    """PL004/PL005 for the files one filter has seen (``filter_``: its noqa indexes, settings and
    rule set)."""

    def __init__(self, filter_):
        self.filter = filter_
        #: path -> rows where the last run found a noqa unused (PL005), for the first lint of that
        #: path after it (``--fix``): there, a noqa a rule comparing configs might use is decided
        self._judged: dict[str, set[int]] = {}

    @property
    def _rules(self):
        return self.filter.rules

    def _known(self) -> tuple[str, ...]:
        return tuple(self._rules.registry.rules) if self._rules is not None else ()

    def _enabled(self, path: str, code: str) -> bool:
        rules = self._rules
        return rules is not None and code in rules.registry.rules and rules.enabled(self.filter.settings_of(path), code)

    def _index(self, path: str):
        return None if self.filter.disable_noqa else self.filter.noqa.get(path)

    def of_file(self, path: str, config) -> list[Diagnostic]:
        """PL004 and PL005 of one file, its diagnostics having been through its noqa comments."""
        index = self._index(path)
        if index is None or index.whole_file or not index.comments or index.source is None:
            return []
        known = self._known()
        out: list[Diagnostic] = []
        if self._enabled(path, "PL004"):
            for comment in index.comments:
                for span, message in invalid(index.source, comment, known):
                    out.append(self._report("PL004", span, message))
        if not self._enabled(path, "PL005"):
            return out
        port_rows = _port_rows(config, path)
        project_codes = tuple(c for c, r in self._rules.registry.rules.items() if r.scope == "project")
        judged = self._judged.pop(path, None)  # what the last run said, valid for this text only
        for comment in index.comments:
            idle = unused(comment, known, ignore=NOQA_CODES)
            if not idle:
                continue
            rows = range(comment.first_row, comment.last_row + 1)
            if any(r in port_rows for r in rows) and may_match(idle, project_codes):
                # a rule that compares configs (PL203) may still use it: the run decides, and the
                # first lint after a run that found it unused (the --fix loop) removes it
                if judged is None:
                    index.deferred.append(comment)
                    continue
                if comment.place[0] not in judged:
                    continue  # the run's project pass used it
            out.append(self._unused(path, index, comment, idle))
        return out

    def _unused(self, path: str, index, comment, idle) -> Diagnostic:
        """The PL005 of one comment, with the safe fix that removes what suppressed nothing."""
        span, message, edits = unused_finding(index.source, comment, idle, self._not_enabled(path, idle))
        diagnostic = self._report("PL005", span, message)
        if edits:
            from portlint.fix.apply import Edit, Fix

            what = "the unused noqa" if comment.tokens is None or idle == comment.codes else \
                f"{', '.join(idle)} from the noqa"
            diagnostic.fix = Fix("safe", f"Remove {what}", tuple(Edit(*e) for e in edits))
        return diagnostic

    def of_run(self, paths) -> list[Diagnostic]:
        """PL005 for the noqa comments only the whole run could judge (they sit on a port a rule
        comparing configs reports on), once the project pass has been through them."""
        known = self._known()
        out = []
        for path in dict.fromkeys(paths):
            index = self._index(path)
            if index is None or not index.deferred or not self._enabled(path, "PL005"):
                continue
            rule = self._rules.registry.rules["PL005"]
            severity = self.filter.settings_of(path).severity_of("PL005", rule.severity)
            for comment in index.deferred:
                idle = unused(comment, known, ignore=NOQA_CODES)
                if idle and index.source is not None:  # with its fix, as a file's own PL005
                    out.append(self._unused(path, index, comment, idle))
                elif idle:
                    row, column, end_row, end_column = comment.place
                    message = unused_message(comment, idle, self._not_enabled(path, idle))
                    out.append(Diagnostic("PL005", rule.name, message, severity, path, row, column, end_row,
                                          end_column, noqa_row=row))
        return out

    def remember(self, diagnostics: list[Diagnostic]) -> None:
        """What a run found about noqa comments, for the first lint of each file after it."""
        self._judged = {}
        for d in diagnostics:
            if d.code == "PL005":
                self._judged.setdefault(d.path, set()).add(d.row)

    def _not_enabled(self, path: str, codes) -> list[str]:
        """Those of ``codes`` that select no rule running for this file."""
        if self._rules is None:
            return []
        settings = self.filter.settings_of(path)
        return [c for c in codes if c != "*" and not any(
            code.startswith(c) and self._rules.enabled(settings, code) for code in self._rules.registry.rules)]

    def _report(self, code: str, span: Span, message: str) -> Diagnostic:
        rule = self._rules.registry.rules[code]
        severity = self.filter.settings_of(span.path).severity_of(code, rule.severity)
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


def is_code(code: str, known) -> bool:
    """A full code of a rule, or a documented prefix of one: letters and at least one digit."""
    return bool(CODE_FORM.fullmatch(code)) and any(k.startswith(code) for k in known)


def invalid(source: Source, comment: NoqaComment, known) -> list[tuple[Span, str]]:
    """(place, message) of each thing in the comment that suppresses nothing because it is wrong."""
    whole = Span(source, comment.directive_start, comment.directive_end)
    if comment.problem == "misplaced":
        return [(whole, "`portlint: noqa` switches a file off only in its first comment block, before any code; "
                        "here it does nothing: move it to the top of the file, or put `// noqa: CODE` on the lines "
                        "you mean")]
    if comment.problem == "no-codes":
        return [(whole, "`noqa:` lists no code, so it suppresses nothing; name the codes (`noqa: PL401, PL2`), or "
                        "write `noqa` without the colon for every code on the line")]
    out = []
    for token in comment.tokens or ():
        if not is_code(token.code, known):
            out.append((Span(source, token.start, token.end), (
                f"`{token.text}` in this noqa is not a code or code prefix of any rule{_did_you_mean(token.code, known)}, "
                "so it suppresses nothing; write a code exactly (`PL401`) or a prefix of codes (`PL4`)")))
    return out


def _did_you_mean(code: str, known) -> str:
    import difflib

    prefixes = {k[:i] for k in known for i in range(len(k.rstrip("0123456789")) + 1, len(k))}
    close = difflib.get_close_matches(code, list(known) + sorted(prefixes), n=1, cutoff=0.6)
    return f" (did you mean {close[0]}?)" if close else ""


def unused(comment: NoqaComment, known, ignore=()) -> tuple[str, ...]:
    """What the comment lists that suppressed nothing: ('*',) for a bare noqa that suppressed
    nothing, else its valid codes that matched no finding (codes in ``ignore``, which a noqa may
    name to silence them, and wrong codes, which PL004 reports, are left out)."""
    if comment.problem:
        return ()
    if comment.tokens is None:
        return () if comment.used else ("*",)
    out = []
    for token in comment.tokens:
        code = token.code
        if code in comment.used or not is_code(code, known) or any(i.startswith(code) for i in ignore):
            continue
        if code not in out:
            out.append(code)
    return tuple(out)


def may_match(codes, candidates) -> bool:
    """Some of ``codes`` ('*': every code) would suppress one of ``candidates``."""
    return bool(candidates) and any(c == "*" or any(k.startswith(c) for k in candidates) for c in codes)


def unused_message(comment: NoqaComment, codes, not_enabled=()) -> str:
    off = f" ({', '.join(not_enabled)} {'is' if len(not_enabled) == 1 else 'are'} not selected)" if not_enabled else ""
    if codes == ("*",):
        return "this `noqa` suppresses nothing: no finding is reported on its line; remove it"
    listed = ", ".join(codes)
    if all(t.code in codes for t in comment.tokens or ()):
        return f"this `noqa: {listed}` suppresses nothing: no {listed} finding is reported on its line{off}; remove it"
    return (f"{listed} in this noqa suppress{'es' if len(codes) == 1 else ''} nothing: no such finding is reported on "
            f"its line{off}; remove {'it' if len(codes) == 1 else 'them'} from the list")


def unused_finding(source: Source, comment: NoqaComment, codes, not_enabled=()):
    """(place, message, edits) of a PL005: the edits remove what suppressed nothing and keep the
    rest of the line and of the comment."""
    span = Span(source, comment.directive_start, comment.directive_end)
    return span, unused_message(comment, codes, not_enabled), _removal(source.text, comment, codes)


def _removal(text: str, comment: NoqaComment, codes) -> list[tuple[int, int, str]]:
    """Edits (start, end, new text) that take ``codes`` out of the comment, or the directive out of
    the comment when nothing of it is left, or the comment out of its line when it held nothing else."""
    if comment.directive_start < 0:
        return []
    keep = [t for t in comment.tokens or () if t.code not in codes]
    if keep:  # some codes stay: rewrite the list
        tokens = comment.tokens
        return [(tokens[0].start, tokens[-1].end, ", ".join(t.text for t in keep))]
    start, end = comment.directive_start, comment.directive_end
    body_start = comment.comment_start + (2 if text.startswith(("//", "/*"), comment.comment_start) else 1)
    body_end = comment.comment_end - (2 if text.startswith("/*", comment.comment_start) else 0)
    before = text[body_start:start].strip().strip("*").strip()
    after = text[end:body_end].strip()
    if not before and not after:  # the comment is the directive: the comment goes, and its line if bare
        start, end = comment.comment_start, comment.comment_end
        while start > 0 and text[start - 1] in " \t":
            start -= 1
        line_start = start == 0 or text[start - 1] in "\r\n"
        rest = len(text[end:]) - len(text[end:].lstrip(" \t"))
        if line_start and (end + rest == len(text) or text[end + rest] in "\r\n"):
            end += rest
            end += 2 if text.startswith("\r\n", end) else (1 if end < len(text) else 0)
        elif not line_start and end < len(text) and text[end] not in "\r\n" and rest == 0:
            start = comment.comment_start  # `a /* noqa */b`: keep the space before
        return [(start, end, "")]
    if before:  # `// REST API // noqa: PL301`: from the inner `//` and the space before it
        while start > body_start and text[start - 1] in " \t":
            start -= 1
        return [(start, end, "")]
    while end < body_end and text[end] in " \t":  # `// noqa: PL301 legacy port`: keep the words
        end += 1
    if text.startswith(("//", "#"), end) and not text.startswith("/*", comment.comment_start):
        start = comment.comment_start  # `// noqa: PL301 // noqa: PL401`: the second one stays, whole
    return [(start, end, "")]


