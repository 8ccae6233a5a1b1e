"""What fixing did to one file, as the writers (--fix, --diff, the language server) read it: the
verified text, the fixes applied, and the fixes refused with the reason."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Refusal:
    """A fix that failed verification: it is neither written nor shown as applied."""

    path: str
    code: str
    fix: str  # the fix's message
    reason: str  # what it would have broken

    def line(self) -> str:
        """``x/ecosystem.config.cjs: PL101 (Introduce PORTS ...): the result changes apps[0].env.X (...)``"""
        what = f"{self.code} ({self.fix})" if self.code else self.fix
        return f"{self.path}: {what}: {self.reason}"


@dataclass
class FixOutcome:
    original: str
    text: str
    applied: list[tuple[str, str]] = field(default_factory=list)  # (code, message)
    refused: list[Refusal] = field(default_factory=list)  # fixes the verifier turned down
    dropped: list[tuple[str, str]] = field(default_factory=list)  # (code, line): fixes not tried (budget, no room)
    moves: list[str] = field(default_factory=list)  # "API 3000 → 5570": ports the unsafe renumbering moved
    config: object = field(default=None, repr=False)  # the model of ``text``, when it was linted here
    diagnostics: list | None = field(default=None, repr=False)  # what linting ``text`` found
    original_codes: set = field(default_factory=set)  # the codes linting ``original`` found

    @property
    def changed(self) -> bool:
        return self.text != self.original

    def refuse(self, refusal: Refusal) -> None:
        if refusal not in self.refused:
            self.refused.append(refusal)
