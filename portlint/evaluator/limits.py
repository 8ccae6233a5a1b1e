"""The evaluator's budgets, and the one accounting point for what it builds and scans.

Everything the evaluator allocates — a string joined or repeated, a list sliced, flattened or spread,
the keys of an object, a template — is claimed here first (``Budget.claim``), and every piece of work
proportional to a value's size — ``includes`` over a long list, a copy — is charged here
(``Budget.work``). A claim past a budget is refused: the caller gives an unknown value whose reason
names the budget (PL002 reports it), and never builds the value. Nothing here ever raises out of the
evaluator: ``BudgetExceeded`` stops a statement run, and the run turns it into an unknown value.
"""
from __future__ import annotations

from portlint.diagnostic import Span
from portlint.evaluator.values import Unknown

#: Deepest expression nesting evaluated before giving up (well inside Python's recursion limit).
MAX_DEPTH = 150
#: Evaluation steps per file (required files included); a config needs a few thousand. Work in
#: proportion to a value's size (``includes`` comparing 50,000 items) counts here too.
MAX_STEPS = 200_000
#: Loop iterations per file, over every loop, forEach and map together.
MAX_ITERATIONS = 10_000
#: Nested calls evaluated at most (a recursive helper stops here).
MAX_CALL_DEPTH = 24
#: Alternatives kept for one value before it becomes unknown.
MAX_ALTERNATIVES = 16
#: Largest value built: characters of a string, items of an array, keys of an object.
MAX_VALUE_SIZE = 100_000
#: Memory built per file in all, estimated as below (bounds memory, whatever the program does).
MAX_BUILT_BYTES = 64 * 1024 * 1024

#: Estimated bytes of what the evaluator builds: a character, a list slot, an object key (its table
#: entry), and each new value object (a number, string, list or key made for the result).
STRING, ARRAY, OBJECT = "a string", "an array", "an object"
BYTES = {STRING: 1, ARRAY: 8, OBJECT: 64}
VALUE_BYTES = 160

STEP_BUDGET = f"the step budget ({MAX_STEPS:,} evaluation steps per file) ran out"
LOOP_BUDGET = f"the loop budget ({MAX_ITERATIONS:,} iterations per file) ran out"
TOTAL_BUDGET = f"the memory budget ({MAX_BUILT_BYTES >> 20} MiB of values built per file) ran out"


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
        self.built = 0  # estimated bytes
        self.expression_depth = 0  # expression nesting right now
        self.call_depth = 0  # function calls nested right now

    def iterate(self, span: Span | None) -> None:
        self.iterations += 1
        if self.iterations > MAX_ITERATIONS:
            raise BudgetExceeded(LOOP_BUDGET, "loop", span)

    def claim(self, what: str, size: int, span: Span | None, added: int | None = None, fresh: int = 0) -> Unknown | None:
        """Ask to build ``what`` (``STRING``, ``ARRAY`` or ``OBJECT``) of ``size`` characters, items or
        keys, ``added`` of them new (all, unless told) and ``fresh`` new value objects. None: build it.
        Otherwise the unknown value to give instead, naming the budget that ran out."""
        if size > MAX_VALUE_SIZE:
            return too_big(what, size, span)
        self.built += (size if added is None else added) * BYTES[what] + fresh * VALUE_BYTES
        if self.built > MAX_BUILT_BYTES:
            return Unknown(reason=TOTAL_BUDGET, span=span, budget="size")
        return None

    def work(self, amount: int, span: Span | None) -> Unknown | None:
        """Charge work proportional to a value's size (comparisons, copies) to the step budget."""
        self.steps += amount
        if self.steps > MAX_STEPS:
            return Unknown(reason=STEP_BUDGET, span=span, budget="steps")
        return None
