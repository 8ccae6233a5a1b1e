"""Where things are (Span) and what is wrong with them (Diagnostic)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from portlint.words import MESSAGE_LIMIT, clipped

if TYPE_CHECKING:
    from portlint.fix.data import Fix
    from portlint.source.read import Source



@dataclass(frozen=True, eq=False)
class Span:
    """A half-open range of characters [start, end) in one source."""

    source: "Source"
    start: int
    end: int

    @property
    def path(self) -> str:
        return self.source.path

    @property
    def location(self) -> tuple[int, int]:
        return self.source.position(self.start)

    @property
    def end_location(self) -> tuple[int, int]:
        return self.source.position(self.end)

    @property
    def text(self) -> str:
        return self.source.text[self.start : self.end]

    def same_place(self, other: "Span | None") -> bool:
        return other is not None and self.source is other.source and self.start == other.start and self.end == other.end

    def contains(self, other: "Span | None") -> bool:
        return other is not None and self.source is other.source and self.start <= other.start and other.end <= self.end


def _bounded(message: str) -> str:
    """Every message has an end (words.py keeps quoted lists short; this is the last word)."""
    return message if len(message) <= MESSAGE_LIMIT else clipped(message, MESSAGE_LIMIT)


@dataclass(frozen=True)
class Related:
    """Another place a diagnostic involves (the process that uses the value, the first of two)."""

    path: str
    row: int
    column: int
    end_row: int
    end_column: int
    message: str

    @classmethod
    def at(cls, span: Span, message: str) -> "Related":
        row, col = span.location
        end_row, end_col = span.end_location
        return cls(span.path, row, col, end_row, end_col, message)

    def __post_init__(self) -> None:
        object.__setattr__(self, "message", _bounded(self.message))

    def to_data(self) -> list:
        return [self.path, self.row, self.column, self.end_row, self.end_column, self.message]


def port_list(ports) -> tuple[int, ...]:
    """Ports as a diagnostic carries them: distinct, ascending, real port numbers only."""
    return tuple(sorted({p for p in ports if isinstance(p, int) and not isinstance(p, bool) and 1 <= p <= 65535}))


@dataclass
class Diagnostic:
    """One problem at one place. Rows and columns are 1-based; the end is exclusive."""

    code: str
    name: str
    message: str
    severity: str  # "error" | "warning"
    path: str
    row: int
    column: int
    end_row: int
    end_column: int
    #: a Fix; its JSON form (a dict) when it came from the cache or another process
    fix: "Fix | dict | None" = None
    noqa_row: int | None = None
    #: other places involved, for JSON/SARIF (the message names them too)
    related: tuple[Related, ...] = ()
    #: the ports the diagnostic is about (the missing ones of a gap, the two colliding uses' port),
    #: ascending; what the port map's marks are drawn from
    ports: tuple[int, ...] = ()
    source: "Source | None" = field(default=None, repr=False, compare=False)  # for fix positions
    #: the root cause when the code alone does not say it ('' = the code's own; see
    #: ``portlint.engine.filter.CAUSES``): at one place, one cause is one finding
    cause: str = ""

    def __post_init__(self) -> None:
        self.message = _bounded(self.message)

    @classmethod
    def at(cls, span: Span, code: str, name: str, message: str, severity: str, ports=()) -> "Diagnostic":
        row, col = span.location
        end_row, end_col = span.end_location
        return cls(code, name, message, severity, span.path, row, col, end_row, end_col, noqa_row=row, source=span.source,
                   ports=port_list(ports))

    def fix_json(self) -> dict | None:
        if self.fix is None:
            return None
        if isinstance(self.fix, dict):
            return self.fix  # from the cache or another process: already in JSON form
        return self.fix.as_json(self.source) if self.source is not None else None

    def to_data(self) -> dict:
        """Plain data (for the cache and worker processes); fixes keep only their JSON form."""
        return {"code": self.code, "name": self.name, "message": self.message, "severity": self.severity,
                "path": self.path, "row": self.row, "column": self.column, "end_row": self.end_row,
                "end_column": self.end_column, "noqa_row": self.noqa_row, "fix": self.fix_json(),
                "related": [r.to_data() for r in self.related], "ports": list(self.ports), "cause": self.cause}

    @classmethod
    def from_data(cls, data: dict) -> "Diagnostic":
        return cls(data["code"], data["name"], data["message"], data["severity"], data["path"], data["row"],
                   data["column"], data["end_row"], data["end_column"], fix=data.get("fix"), noqa_row=data.get("noqa_row"),
                   related=tuple(Related(*r) for r in data.get("related", ())), ports=tuple(data.get("ports", ())),
                   cause=data.get("cause", ""))

    def relate(self, span: "Span | None", message: str) -> "Diagnostic":
        """Add a related place (skipped when it is the diagnostic's own place); returns self."""
        if span is not None:
            row, col = span.location
            if (span.path, row, col) != (self.path, self.row, self.column):
                self.related += (Related.at(span, message),)
        return self

    @property
    def url(self) -> str:
        """This rule's section of docs/rules.md (the address comes from the package metadata)."""
        from portlint.urls import rule_docs

        return rule_docs(self.code)

    def sort_key(self) -> tuple:
        return (self.path, self.row, self.column, self.code, self.message)
