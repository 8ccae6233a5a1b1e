"""The project pass: rules with ``scope = "project"`` see every config of the run at once, as
ConfigSummary objects, with what the run knows beyond the files (the live PortOS ports)."""
from __future__ import annotations

from dataclasses import dataclass

from portlint.diagnostic import Diagnostic
from portlint.engine.ruleset import call_rule


@dataclass(frozen=True)
class ProjectContext:
    """What a project rule may use besides the summaries."""

    #: Ports the live PortOS apps list shows (``--portos-url``): objects with ``port``, ``app``,
    #: ``process`` and ``label``.
    external_ports: tuple = ()


def takes_context(method) -> bool:
    """Whether ``check_project`` accepts the context (rules written before it existed take one argument)."""
    code = getattr(getattr(method, "__func__", method), "__code__", None)
    if code is None:
        return True
    return code.co_argcount >= 3 or bool(code.co_flags & 0x04)  # (self, summaries, context) or *args


def run_project_rules(rules: list, summaries: list, context: ProjectContext, errors: list[str],
                      deadline=None) -> tuple[list[Diagnostic], bool]:
    """Every project rule's diagnostics, and whether they all ran to the end: the run's ``deadline``
    (a RunDeadline) stops them, and what they found before is kept."""
    from portlint.engine.budget import TimeBudgetExceeded, time_budget

    found: list[Diagnostic] = []
    for rule in rules:
        if rule.scope != "project":
            continue
        if deadline is not None and deadline.passed():
            return found, False
        args = (summaries, context) if takes_context(rule.check_project) else (summaries,)
        left = deadline.remaining() if deadline is not None else None
        try:
            with time_budget(left if left is not None else 0):
                call_rule(rule, rule.check_project, args, errors, into=found)
        except TimeBudgetExceeded:
            return found, False
    return found, True
