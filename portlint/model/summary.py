"""What cross-config rules see of a config: its port claims as plain data, which survive the cache
and worker processes."""
from __future__ import annotations

import os
from dataclasses import dataclass

from portlint.model.types import Config


@dataclass(frozen=True)
class PortClaim:
    """One port a process occupies, as plain data."""

    identity: tuple  # (real path of the app object's file, offset): the same app from two configs is one
    process: str  # display name
    process_name: str | None
    where: str  # env.PORT, args --port, ...
    port: int
    path: str
    row: int
    column: int
    end_row: int
    end_column: int

    @property
    def place(self) -> str:
        return f"{self.path}:{self.row}:{self.column}"


@dataclass
class ConfigSummary:
    """What project rules (PL203) see of one config: its path, its claims, its severities."""

    path: str
    claims: list[PortClaim]
    severity: dict[str, str]

    def severity_of(self, code: str, default: str) -> str:
        return self.severity.get(code, default)

    def to_data(self) -> dict:
        return {"path": self.path, "severity": self.severity,
                "claims": [[list(c.identity), c.process, c.process_name, c.where, c.port, c.path, c.row, c.column,
                            c.end_row, c.end_column] for c in self.claims]}

    @classmethod
    def from_data(cls, data: dict) -> "ConfigSummary":
        claims = [PortClaim(tuple(c[0]), *c[1:]) for c in data["claims"]]
        return cls(data["path"], claims, dict(data["severity"]))


def summarize(config: Config) -> ConfigSummary:
    claims = []
    for process in config.processes:
        span = process.span
        # the same app object from two configs is one process; apps made by one .map() are not
        identity = ((os.path.realpath(span.source.path), span.start, process.display_name) if span is not None
                    else (config.path, process.index))
        for use in process.occupying_uses():
            if use.span is None:
                continue
            row, col = use.span.location
            end_row, end_col = use.span.end_location
            for port in sorted(process.occupied(use)):
                claims.append(PortClaim(identity, process.display_name, process.name, use.where, port,
                                        use.span.path, row, col, end_row, end_col))
    return ConfigSummary(config.path, claims, dict(config.settings.severity))
