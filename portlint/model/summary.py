"""What cross-config rules see of a config: its port claims as plain data, which survive the cache
and worker processes."""
from __future__ import annotations

import os
from dataclasses import dataclass

from portlint.model.types import Config, Kind


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
    #: taken through PORT/port/--port/--inspect/ports (binds it surely); False for other *_PORT keys
    binds: bool = True
    #: an extra port of an increment_var copy, not the number written
    copy: bool = False
    #: the environments of the config in which the use applies ('' = no --env)
    envs: tuple = ("",)
    #: (folder, process name): variants of one process in one folder are one process
    variant: tuple = ()

    def same_process(self, other: "PortClaim") -> bool:
        return self.identity == other.identity or (bool(self.variant) and self.variant == other.variant)

    @property
    def place(self) -> str:
        return f"{self.path}:{self.row}:{self.column}"


@dataclass
class ConfigSummary:
    """What project rules (PL203) see of one config: its path, its claims, its severities."""

    path: str
    claims: list[PortClaim]
    severity: dict[str, str]
    #: every environment name of the config ('' included)
    environments: tuple = ("",)
    role: str = "user"
    role_inferred: bool = False

    def applies(self, claim: PortClaim, environment: str) -> bool:
        """Whether ``claim`` holds in ``environment``; a name this config does not know runs as ''."""
        return environment in claim.envs if environment in self.known() else "" in claim.envs

    def holds_in(self, claim: PortClaim, names) -> list[str]:
        """The environments of ``names`` in which ``claim`` holds (``applies`` to each, in one pass)."""
        known, envs = self.known(), frozenset(claim.envs)
        default = "" in envs
        return [e for e in names if (e in envs if e in known else default)]

    def known(self) -> frozenset:
        """The config's environment names, as a set (made once)."""
        known = self.__dict__.get("_known")
        if known is None:
            known = self.__dict__["_known"] = frozenset(self.environments)
        return known

    def severity_of(self, code: str, default: str) -> str:
        return self.severity.get(code, default)

    def to_data(self) -> dict:
        return {"path": self.path, "severity": self.severity, "environments": list(self.environments),
                "role": self.role, "role_inferred": self.role_inferred,
                "claims": [[list(c.identity), c.process, c.process_name, c.where, c.port, c.path, c.row, c.column,
                            c.end_row, c.end_column, c.binds, c.copy, list(c.envs), list(c.variant)]
                           for c in self.claims]}

    @classmethod
    def from_data(cls, data: dict) -> "ConfigSummary":
        claims = [PortClaim(tuple(c[0]), *c[1:12], tuple(c[12]), tuple(c[13])) for c in data["claims"]]
        return cls(data["path"], claims, dict(data["severity"]), tuple(data["environments"]),
                   data.get("role", "user"), data.get("role_inferred", False))


def summarize(config: Config) -> ConfigSummary:
    """The config's claims: one per port each listen use occupies (a shared PORTS entry claims its
    ports once, as its own owner), with the environments it holds in."""
    claims = []
    folder = os.path.dirname(os.path.realpath(config.path))
    universe = config.environment_names()
    for process in config.processes:
        span = process.span
        # the same app object from two configs is one process; apps made by one .map() are not
        identity = ((os.path.realpath(span.source.path), span.start, process.display_name) if span is not None
                    else (config.path, process.index))
        variant = (folder, process.name) if process.name else ()
        for use in process.occupying_uses():
            if use.span is None:
                continue
            owner, where = identity, use.where
            if use.kind is Kind.SHARED and use.entry is not None and use.entry.span is not None:
                entry_span = use.entry.span
                owner = (os.path.realpath(entry_span.path), entry_span.start, use.entry.reference)
            row, col = use.span.location
            end_row, end_col = use.span.end_location
            envs = tuple(sorted(process.environments_of(use, universe)))
            for port in sorted(process.occupied(use)):
                shown = where if port in use.valid_ports else f"{where} + {port - min(use.valid_ports)}: " \
                    f"increment_var {process.increment_var} of {process.counted.describe()}"
                claims.append(PortClaim(owner, process.display_name, process.name, shown, port,
                                        use.span.path, row, col, end_row, end_col, binds=use.binds,
                                        copy=port not in use.valid_ports, envs=envs,
                                        variant=variant if owner is identity else ()))
    return ConfigSummary(config.path, claims, dict(config.settings.severity), tuple(sorted(universe)),
                         config.role, config.role_inferred)
