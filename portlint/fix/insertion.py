"""Where a new top-level declaration (``const PORTS = {...}``) goes: after the file's header, found
from the syntax tree and the comment tokens, never inside a comment, a string or a template.

The header is, in order: a shebang, the directive prologue (``'use strict'``), the leading
imports and ``require``s (``const path = require('path')``, ``require('dotenv').config()``), the
comments on their lines, and the comments above the first other statement, line or block, one or
many lines, any number of them. The comments written directly above that statement (no blank line
between) describe it and stay with it, unless they are the first thing in the file (then they are
the file's own header). Between two top-level statements there is only whitespace and comments, so
the gap the declaration goes into is tokenized on its own: esprima finds each comment's extent.
"""
from __future__ import annotations

from dataclasses import dataclass

#: Characters that would continue the declaration's last line when it has no semicolon.
_ASI_HAZARDS = "([`+-/"


@dataclass(frozen=True)
class Insertion:
    """Insert at ``offset`` (replacing the whitespace up to ``end``): ``before``, the declaration,
    then ``after``. ``semicolon``: the declaration must end with ``;`` whatever the file's style (the
    code after it starts with a character that would continue it)."""

    offset: int
    end: int
    before: str
    after: str
    semicolon: bool

    def text(self, declaration: str) -> str:
        return self.before + declaration + self.after


def insertion_point(parsed, newline: str) -> Insertion | None:
    """Where a top-level declaration goes in ``parsed`` (a JavaScript file), or None when the gap
    after the header cannot be read (it then is not only comments)."""
    text = parsed.source.text
    body = list(parsed.program.body)
    count = 0
    while count < len(body) and (is_header_statement(body[count])):
        count += 1
    first = body[count] if count < len(body) else None
    if first is None:
        return None  # nothing but a header: no app, nothing to declare
    anchor = parsed.span(body[count - 1]).end if count else None
    gap_start = anchor if anchor is not None else 0
    gap_end = parsed.span(first).start
    comments = _comments(text, gap_start, gap_end)
    if comments is None:
        return None
    if anchor is not None:  # the comments on the last header statement's line belong to it
        while comments and "\n" not in text[anchor:comments[0][0]]:
            anchor = comments.pop(0)[1]
    if anchor is None and comments and text[comments[0][0]:comments[0][0] + 2] == "#!":
        anchor = comments.pop(0)[1]  # a shebang stays the first line
        opened = False
    else:
        opened = anchor is not None
    groups: list[list[tuple[int, int]]] = []
    for comment in comments:
        if groups and text[groups[-1][-1][1]:comment[0]].count("\n") < 2:
            groups[-1].append(comment)
        else:
            groups.append([comment])
    if groups and text[groups[-1][-1][1]:gap_end].count("\n") < 2 and (opened or len(groups) > 1):
        groups.pop()  # the comments directly above the statement describe it
    if groups:
        anchor = groups[-1][-1][1]
    semicolon = text[gap_end:gap_end + 1] in _ASI_HAZARDS
    if anchor is None:  # nothing before the statement: the declaration opens the file
        line_start = text.rfind("\n", 0, gap_end) + 1
        offset = line_start if not text[line_start:gap_end].strip() else gap_end
        return Insertion(offset, offset, "", newline + newline, semicolon)
    line_end = len(text) if text.find("\n", anchor) == -1 else text.find("\n", anchor)
    if text[line_end - 1:line_end] == "\r":
        line_end -= 1
    if not text[anchor:line_end].strip():
        next_line = text[text.find("\n", line_end) + 1:] if text.find("\n", line_end) != -1 else ""
        blank_follows = not next_line.split("\n", 1)[0].strip()
        return Insertion(line_end, line_end, newline + newline, "" if blank_follows else newline, semicolon)
    end = anchor
    while end < len(text) and text[end] in " \t":
        end += 1
    return Insertion(anchor, end, newline + newline, newline + newline, semicolon)


def _comments(text: str, start: int, end: int) -> list[tuple[int, int]] | None:
    """The (start, end) of every comment in ``text[start:end]``, a stretch between statements; None
    when it holds anything else."""
    import esprima

    from portlint.source.parse import Offsets

    gap = text[start:end]
    if not gap.strip():
        return []
    try:
        tokens = esprima.tokenize(gap, {"comment": True, "range": True})
    except Exception:  # noqa: BLE001 (esprima raises its own errors and, on odd input, others)
        return None
    offsets = Offsets(gap)
    out = []
    for token in tokens:
        if token.type not in ("LineComment", "BlockComment"):
            return None
        out.append((start + offsets.code_point(token.range[0]), start + offsets.code_point(token.range[1])))
    return out


def is_header_statement(node) -> bool:
    """A directive (``'use strict'``), an import, a ``require`` (declared or called), or an empty
    statement: what a file opens with, before its own code."""
    if node.type in ("ImportDeclaration", "EmptyStatement"):
        return True
    if node.type == "ExpressionStatement" and getattr(node, "directive", None):
        return True
    if node.type == "VariableDeclaration":
        return all(d.init is not None and _calls_require(d.init) for d in node.declarations)
    if node.type == "ExpressionStatement":
        return _calls_require(node.expression)
    return False


def _calls_require(node) -> bool:
    while node is not None and node.type in ("MemberExpression", "CallExpression", "AwaitExpression"):
        if node.type == "CallExpression" and node.callee.type == "Identifier" and node.callee.name == "require":
            return True
        node = node.object if node.type == "MemberExpression" else node.callee if node.type == "CallExpression" else node.argument
    return False
