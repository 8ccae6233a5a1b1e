"""Text to syntax tree: esprima-fork for JavaScript and JSON, PyYAML for YAML.

Nothing here runs the file. A file that does not parse becomes a ParseError carrying the
parser's own reason and position, which the engine reports as PL001.
"""
from __future__ import annotations

import bisect
import re
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from portlint.diagnostic import Span
from portlint.source.read import Source


#: Characters outside the Basic Multilingual Plane: two UTF-16 code units, one code point.
_ASTRAL = re.compile("[\U00010000-\U0010FFFF]")


class Offsets:
    """esprima's offsets count UTF-16 code units (as JavaScript does); portlint's count code points.
    This is the one place where the parser's positions enter portlint: every range goes through
    ``code_point``."""

    __slots__ = ("shift", "_astral")

    def __init__(self, text: str, shift: int = 0):
        self.shift = shift  # units the parser saw before the file's text (JSON's "(")
        # UTF-16 offset (in the parser's text) of each astral character, ascending.
        self._astral = [m.start() + k + shift for k, m in enumerate(_ASTRAL.finditer(text))]

    def code_point(self, unit: int) -> int:
        """The code-point offset into the file's text of a UTF-16 offset into the parser's text."""
        return unit - self.shift - bisect.bisect_left(self._astral, unit)


class ParseError(Exception):
    def __init__(self, reason: str, offset: int):
        super().__init__(reason)
        self.reason = reason
        self.offset = offset


@dataclass
class Parsed:
    """A parsed config. ``program`` is the ESTree Program (None for YAML)."""

    source: Source
    program: Any
    is_module: bool
    offsets: Offsets | None = None  # None for YAML, whose marks already count code points
    yaml_root: Any = None

    def span(self, node: Any) -> Span:
        start, end = node.range
        return Span(self.source, self.offsets.code_point(start), self.offsets.code_point(end))


# No "comment": esprima then runs a comment-attaching delegate over every node, which costs a
# fifth of the parse; noqa.py finds comments with its own scanner instead.
_OPTIONS = {"range": True}

#: Python frames the parser may use, counted from wherever parse() is called. esprima reports
#: "nesting exceeds the parser resource limit" when it runs out, so a fixed budget makes that
#: diagnostic land at the same place however deep the caller's own stack is.
PARSER_FRAMES = 2500


@contextmanager
def _stack_budget(frames: int):
    depth, frame = 0, sys._getframe()
    while frame is not None:
        depth, frame = depth + 1, frame.f_back
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(depth + frames)
    try:
        yield
    finally:
        sys.setrecursionlimit(old)


def _esprima_error(exc: Exception, offsets: Offsets, text: str) -> ParseError:
    description = getattr(exc, "description", None) or str(exc)
    # esprima messages start with "Line N: "; the position is reported separately.
    if description.startswith("Line ") and ": " in description:
        description = description.split(": ", 1)[1]
    index = getattr(exc, "index", None)
    if not isinstance(index, int):
        index = 0
    return ParseError(description, max(0, min(offsets.code_point(index), len(text))))


def parse(source: Source) -> Parsed:
    with _stack_budget(PARSER_FRAMES):
        try:
            return _parse(source)
        except ParseError:
            raise
        except RecursionError:
            raise
        except Exception as exc:  # the parser's own bug (fuzzing found an AssertionError): still a PL001
            raise ParseError(f"the parser could not read this file ({type(exc).__name__}: {exc})", 0) from None


def _parse(source: Source) -> Parsed:
    kind = source.kind
    if kind == "yaml":
        return _parse_yaml(source)
    import esprima  # lazy: the parser is the heaviest import

    text = source.text
    if kind == "json":
        # PM2 evaluates a JSON ecosystem file as the JavaScript expression "(" + text + ")".
        offsets = Offsets(text, shift=1)
        try:
            return Parsed(source, esprima.parseScript("(" + text + "\n)", _OPTIONS), False, offsets)
        except esprima.Error as exc:
            raise _esprima_error(exc, offsets, text) from None
    offsets = Offsets(text)
    if kind == "mjs":
        try:
            return Parsed(source, esprima.parseModule(text, _OPTIONS), True, offsets)
        except esprima.Error as exc:
            raise _esprima_error(exc, offsets, text) from None
    try:
        return Parsed(source, esprima.parseScript(text, _OPTIONS), False, offsets)
    except esprima.Error as script_error:
        # ESM syntax in a CommonJS file still parses as a module; PL003 says it will not load.
        try:
            return Parsed(source, esprima.parseModule(text, _OPTIONS), True, offsets)
        except esprima.Error as module_error:
            # Report whichever parse got further into the file: that is the real mistake.
            chosen = script_error
            if (getattr(module_error, "index", 0) or 0) > (getattr(script_error, "index", 0) or 0):
                chosen = module_error
            raise _esprima_error(chosen, offsets, text) from None


def _parse_yaml(source: Source) -> Parsed:
    import yaml

    try:
        root = yaml.compose(source.text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        offset = mark.index if mark else 0  # PyYAML reads a str: its index counts code points
        reason = exc.problem or exc.context or "invalid YAML"
        raise ParseError(reason, offset) from None
    except yaml.YAMLError as exc:
        raise ParseError(str(exc).splitlines()[0], 0) from None
    if root is not None:
        expanded, distinct = _expanded_nodes(root)
        if expanded - distinct > MAX_YAML_ALIAS_NODES:
            raise ParseError(f"the aliases would expand this file to {_rounded(expanded)} nodes, over the limit of "
                             f"{MAX_YAML_ALIAS_NODES} nodes from aliases (a YAML alias bomb?)", 0)
    return Parsed(source, None, False, yaml_root=root)


#: How many nodes aliases (``*name``) may add to a YAML file once expanded; a real config adds a few
#: dozen, a "billion laughs" file of a kilobyte adds hundreds of millions.
MAX_YAML_ALIAS_NODES = 100_000


def _expanded_nodes(root: Any) -> tuple[int, int]:
    """(nodes once every alias is expanded, distinct nodes) of a composed YAML tree, without
    expanding it: each node's size is computed once, bottom-up; a recursive alias counts once."""
    import yaml

    def children(node: Any) -> list:
        if isinstance(node, yaml.MappingNode):
            return [part for pair in node.value for part in pair]
        return list(node.value) if isinstance(node, yaml.SequenceNode) else []

    sizes: dict[int, int] = {}
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        if finished:
            sizes[id(node)] = 1 + sum(sizes[id(child)] for child in children(node))
        elif id(node) not in sizes:
            sizes[id(node)] = 1  # being expanded: a recursive alias back to it counts once
            stack.append((node, True))
            stack.extend((child, False) for child in children(node) if id(child) not in sizes)
    return sizes[id(root)], len(sizes)


def _rounded(n: int) -> str:
    return f"{n:.2e}" if n >= 10**7 else str(n)
