"""The evaluator's budgets: how much work and memory one linted file (with what it requires) may cost.

Each budget that runs out gives an unknown value whose reason names the budget, so PL002 says
which one; none of them ever raises out of the evaluator.
"""
from __future__ import annotations

from portlint.diagnostic import Span
from portlint.evaluator.values import Unknown

#: Deepest expression nesting evaluated before giving up (well inside Python's recursion limit).
MAX_DEPTH = 150
#: Evaluation steps per file (required files included); a config needs a few thousand.
MAX_STEPS = 200_000
#: Loop iterations per file, over every loop, forEach and map together.
MAX_ITERATIONS = 10_000
#: Nested calls evaluated at most (a recursive helper stops here).
MAX_CALL_DEPTH = 24
#: Alternatives kept for one value before it becomes unknown.
MAX_ALTERNATIVES = 16
#: Largest value built: characters of a string, items of an array, keys of an object.
MAX_VALUE_SIZE = 100_000
#: Characters, items and keys built per file in all (bounds memory, whatever the program does).
MAX_TOTAL_SIZE = 4_000_000

STEP_BUDGET = f"the step budget ({MAX_STEPS:,} evaluation steps per file) ran out"
LOOP_BUDGET = f"the loop budget ({MAX_ITERATIONS:,} iterations per file) ran out"
TOTAL_BUDGET = f"the size budget ({MAX_TOTAL_SIZE:,} characters, items and keys built per file) ran out"


def too_big(what: str, size: int, span: Span | None) -> Unknown:
    """A value past the size budget: never built."""
    return Unknown(reason=f"the size budget ({MAX_VALUE_SIZE:,} characters, items or keys per value) ran out: "
                          f"{what} of {size:,}", span=span, budget="size")


class BudgetExceeded(Exception):
    """A budget of a statement run ran out: the run stops and what it was computing is unknown."""

    def __init__(self, reason: str, budget: str, span: Span | None = None):
        super().__init__(reason)
        self.reason, self.budget, self.span = reason, budget, span

    def unknown(self, span: Span | None = None) -> Unknown:
        return Unknown(reason=self.reason, span=self.span or span, budget=self.budget)


class Budget:
    """What one linted file has spent so far, shared by every file its require() chain evaluates."""

    __slots__ = ("steps", "iterations", "built", "expression_depth", "call_depth")

    def __init__(self) -> None:
        self.steps = 0
        self.iterations = 0
        self.built = 0
        self.expression_depth = 0  # expression nesting right now
        self.call_depth = 0  # function calls nested right now

    def iterate(self, span: Span | None) -> None:
        self.iterations += 1
        if self.iterations > MAX_ITERATIONS:
            raise BudgetExceeded(LOOP_BUDGET, "loop", span)

    def build(self, size: int, span: Span | None) -> None:
        """Count ``size`` characters, items or keys built."""
        self.built += size
        if self.built > MAX_TOTAL_SIZE:
            raise BudgetExceeded(TOTAL_BUDGET, "size", span)
