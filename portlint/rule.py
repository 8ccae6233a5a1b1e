"""The base class every rule derives from, built-in or third-party.

A rule's docstring is its documentation: the first line is the summary, then why the policy asks
for it, then ``Bad:`` and ``Good:`` examples (indented code) and, if it has any, ``Options:``.
The test suite runs the examples, so the docs cannot drift from the behaviour.
"""
from __future__ import annotations

import inspect
import re
from typing import TYPE_CHECKING, ClassVar, Iterable, Iterator

from portlint.diagnostic import Diagnostic, Span, port_list

if TYPE_CHECKING:
    from portlint.engine.project import ProjectContext
    from portlint.model.config import Config
    from portlint.settings.settings import Settings


class _FixLabel:
    """``Rule.fixable`` of a built-in rule: read from the advice table (``portlint.model.advice``),
    the one place that says which findings have a safe fix, an unsafe one, or none. A plugin's rule
    sets ``fixable`` itself."""

    def __get__(self, obj, cls) -> str | None:
        from portlint.model.advice import fix_label

        return fix_label(cls.code)


class Rule:
    code: ClassVar[str] = ""
    name: ClassVar[str] = ""
    severity: ClassVar[str] = "error"
    enabled_by_default: ClassVar[bool] = True
    #: None | "safe" | "unsafe" | "safe, some unsafe"; built-in rules read it from the advice table
    fixable: ClassVar[str | None] = _FixLabel()  # type: ignore[assignment]
    #: "config" rules see one config at a time; "project" rules see every config of the run.
    scope: ClassVar[str] = "config"
    #: Filled in for the example of a project rule: the example config's file name.
    example_filename: ClassVar[str] = "ecosystem.config.cjs"

    def __init__(self, settings: "Settings"):
        self.settings = settings

    def check(self, config: "Config") -> Iterable[Diagnostic]:
        return ()

    def check_project(self, summaries: list, context: "ProjectContext") -> Iterable[Diagnostic]:
        """See every config of the run, as ConfigSummary objects (path, claims, severity), with the
        ``context`` of the run (``context.external_ports``: the live PortOS ports, ``--portos-url``).
        A ``check_project(self, summaries)`` of one argument is called without the context."""
        return ()

    def report(self, span: Span, message: str, settings: "Settings | None" = None, ports=()) -> Diagnostic:
        """A diagnostic of this rule at ``span`` (severity from ``settings``, e.g. another config's),
        about ``ports`` (the port numbers it concerns: the port map marks them)."""
        severity = (settings or self.settings).severity_of(self.code, self.severity)
        return Diagnostic.at(span, self.code, self.name, message, severity, ports=ports)

    def report_claim(self, claim, severity: str, message: str) -> Diagnostic:
        """A diagnostic at a PortClaim's place (project rules work on claims, not on spans), about its port."""
        return Diagnostic(self.code, self.name, message, severity, claim.path, claim.row, claim.column,
                          claim.end_row, claim.end_column, noqa_row=claim.row, ports=port_list([claim.port]))

    # -- documentation ----------------------------------------------------------------------------
    @classmethod
    def doc(cls) -> str:
        return inspect.cleandoc(cls.__doc__ or "")

    @classmethod
    def summary(cls) -> str:
        return cls.doc().split("\n", 1)[0].strip()

    @classmethod
    def examples(cls) -> dict[str, list[str]]:
        """The ``Bad:`` and ``Good:`` code blocks of the docstring, each dedented."""
        return parse_examples(cls.doc())


_SECTION = re.compile(r"^(Bad|Good|Options|Why)\s*(?:\(([^)]*)\))?:\s*$")


def parse_examples(doc: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {"Bad": [], "Good": []}
    current: str | None = None
    block: list[str] = []

    def flush() -> None:
        if current in out and block:
            out[current].append(inspect.cleandoc("\n".join(block)) + "\n")

    for line in doc.splitlines():
        m = _SECTION.match(line)
        if m:
            flush()
            current, block = m.group(1), []
            continue
        if current in out:
            if line.strip() and not line.startswith((" ", "\t")):
                flush()
                current, block = None, []
                continue
            block.append(line)
    flush()
    return out


def iter_rule_classes(objects: Iterable[object]) -> Iterator[type[Rule]]:
    for obj in objects:
        if isinstance(obj, type) and issubclass(obj, Rule) and obj is not Rule and obj.code:
            yield obj
