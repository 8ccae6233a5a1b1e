"""What a run produces: RunResult for the caller, FileResult for one file as plain data (it crosses
process boundaries and the cache), and the type check a cached FileResult must pass."""
from __future__ import annotations

from dataclasses import dataclass, field

from portlint.diagnostic import Diagnostic


@dataclass
class RunResult:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    configs: list = field(default_factory=list)  # Config of the files linted in this process (not cached)
    summaries: list = field(default_factory=list)  # ConfigSummary of every config, cached or not
    files: int = 0
    internal_errors: list[str] = field(default_factory=list)
    sources: dict = field(default_factory=dict)  # path -> Source of every file read here
    roles: dict = field(default_factory=dict)  # path -> (role, inferred) of every config, cached or not
    #: path -> why a time limit left it unchecked (it has a PL001 too): the map and --next-free must
    #: not take such a config as having no ports
    unchecked: dict = field(default_factory=dict)
    #: why the project pass (collisions across configs) did not finish, or None
    project_unchecked: str | None = None


    def unchecked_notice(self) -> str | None:
        """One line saying what a time limit left unchecked (None: everything was checked)."""
        if not self.unchecked:
            return self.project_unchecked
        first, why = next(iter(self.unchecked.items()))
        more = len(self.unchecked) - 1
        others = f" and {more} more" if more else ""
        files = (f"{len(self.unchecked)} of {self.files} config{'s' if self.files != 1 else ''} not checked, "
                 f"stopped by a time limit ({first}{others}: {why})")
        return files if self.project_unchecked is None else f"{files}; {self.project_unchecked}"


@dataclass
class FileResult:
    """One file's lint, as plain data: it can come from the cache or a worker process."""

    path: str
    diagnostics: list[dict]
    summary: dict | None
    noqa: dict | None
    deps: list[str] = field(default_factory=list)
    internal_errors: list[str] = field(default_factory=list)
    #: (role, inferred) of a cached result, whose summary is read only when the run needs it
    role: tuple | None = None
    #: why a time limit stopped this file (never cached: it depends on the machine, not the file)
    unchecked: str | None = None

    def config_role(self) -> tuple | None:
        """(role, inferred) of the config, as the reports name it; None for a file that did not parse."""
        return self.role if self.role is not None else summary_role(self.summary)

    def to_data(self) -> dict:
        return {"diagnostics": self.diagnostics, "summary": self.summary, "noqa": self.noqa}

    @classmethod
    def from_cache(cls, path: str, data: object) -> "FileResult | None":
        """A result as the cache index holds it (``to_data`` with the summary's role instead of the
        summary), or None when it is not exactly that shape."""
        if not _valid(data):
            return None
        role = data["role"]
        return cls(path, data["diagnostics"], None, data["noqa"], role=tuple(role) if role is not None else None)


# -- the shape of a cached result: an entry of the wrong shape is a miss, never a crash later --------
# Written out by hand rather than as a generic schema walk: a warm run checks every cached entry, and
# a generic walk cost two thirds of a warm run of 1,000 configs.
_DIAGNOSTIC_KEYS = {"code", "name", "message", "severity", "path", "row", "column", "end_row", "end_column",
                    "noqa_row", "fix", "related", "ports", "cause"}
_FIX_KEYS = {"applicability", "message", "edits"}
_EDIT_KEYS = {"content", "location", "end_location"}
_POSITION_KEYS = {"row", "column"}
_SUMMARY_KEYS = {"path", "severity", "environments", "role", "role_inferred", "claims"}
_NOQA_KEYS = {"whole_file", "rows", "deferred"}
_RESULT_KEYS = {"diagnostics", "noqa", "role"}


def valid_diagnostics(data) -> bool:
    """Whether ``data`` is a list of diagnostics exactly as ``Diagnostic.to_data`` writes them."""
    return type(data) is list and all(map(_diagnostic, data))


def summary_role(summary: dict | None) -> tuple | None:
    """(role, inferred) read straight from a summary's data (``ConfigSummary.to_data``)."""
    return (summary["role"], summary["role_inferred"]) if summary is not None else None


def valid_summary(data) -> bool:
    """Whether ``data`` is a summary exactly as ``ConfigSummary.to_data`` writes it."""
    return _summary(data)


def _valid(data) -> bool:
    role = data.get("role", 0) if type(data) is dict else 0
    return (type(data) is dict and data.keys() == _RESULT_KEYS and type(data["diagnostics"]) is list
            and all(map(_diagnostic, data["diagnostics"]))
            and (role is None or (type(role) is list and len(role) == 2 and type(role[0]) is str
                                  and type(role[1]) is bool))
            and (data["noqa"] is None or _noqa(data["noqa"])))


def _diagnostic(d) -> bool:
    return (type(d) is dict and d.keys() == _DIAGNOSTIC_KEYS
            and type(d["code"]) is type(d["name"]) is type(d["message"]) is type(d["severity"]) is type(d["path"]) is str
            and type(d["cause"]) is str
            and type(d["row"]) is type(d["column"]) is type(d["end_row"]) is type(d["end_column"]) is int
            and (d["noqa_row"] is None or type(d["noqa_row"]) is int)
            and (d["fix"] is None or _fix(d["fix"]))
            and type(d["related"]) is list and all(map(_related, d["related"]))
            and type(d["ports"]) is list and all(type(p) is int for p in d["ports"]))


def _related(r) -> bool:  # Related: path, row, column, end_row, end_column, message
    return (type(r) is list and len(r) == 6 and type(r[0]) is type(r[5]) is str
            and type(r[1]) is type(r[2]) is type(r[3]) is type(r[4]) is int)


def _position(p) -> bool:
    return type(p) is dict and p.keys() == _POSITION_KEYS and type(p["row"]) is type(p["column"]) is int


def _fix(f) -> bool:
    return (type(f) is dict and f.keys() == _FIX_KEYS and type(f["applicability"]) is type(f["message"]) is str
            and type(f["edits"]) is list
            and all(type(e) is dict and e.keys() == _EDIT_KEYS and type(e["content"]) is str
                    and _position(e["location"]) and _position(e["end_location"]) for e in f["edits"]))


def _claim(c) -> bool:  # PortClaim: identity, process, process_name, where, port, path, row, column, end_row,
    # end_column, binds, copy, envs, variant
    return (type(c) is list and len(c) == 14 and _identity(c[0])
            and type(c[1]) is type(c[3]) is type(c[5]) is str and (c[2] is None or type(c[2]) is str)
            and type(c[4]) is type(c[6]) is type(c[7]) is type(c[8]) is type(c[9]) is int
            and type(c[10]) is type(c[11]) is bool
            and type(c[12]) is list and all(type(e) is str for e in c[12])
            and type(c[13]) is list and all(type(v) is str for v in c[13]))


def _identity(i) -> bool:  # (real path, offset, display name) or (config path, index)
    return (type(i) is list and len(i) in (2, 3) and type(i[0]) is str and type(i[1]) is int
            and (len(i) == 2 or type(i[2]) is str))


def _summary(s) -> bool:
    return (type(s) is dict and s.keys() == _SUMMARY_KEYS and type(s["path"]) is str
            and type(s["environments"]) is list and all(type(e) is str for e in s["environments"])
            and type(s["role"]) is str and type(s["role_inferred"]) is bool
            and type(s["severity"]) is dict
            and all(type(k) is str and type(v) is str for k, v in s["severity"].items())
            and type(s["claims"]) is list and all(map(_claim, s["claims"])))


def _noqa(n) -> bool:
    return (type(n) is dict and n.keys() == _NOQA_KEYS and type(n["whole_file"]) is bool and type(n["rows"]) is dict
            and all(type(k) is str and k.isascii() and k.isdigit()
                    and (v is None or (type(v) is list and all(type(c) is str for c in v)))
                    for k, v in n["rows"].items())
            and type(n["deferred"]) is list and all(map(_noqa_comment, n["deferred"])))


def _noqa_comment(c) -> bool:  # NoqaComment: first_row, last_row, row, column, end_row, end_column, codes, used
    return (type(c) is list and len(c) == 8 and all(type(x) is int for x in c[:6])
            and (c[6] is None or (type(c[6]) is list and all(type(x) is str for x in c[6])))
            and type(c[7]) is list and all(type(x) is str for x in c[7]))
