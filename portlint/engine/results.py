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


@dataclass
class FileResult:
    """One file's lint, as plain data: it can come from the cache or a worker process."""

    path: str
    diagnostics: list[dict]
    summary: dict | None
    noqa: dict | None
    deps: list[str] = field(default_factory=list)
    internal_errors: list[str] = field(default_factory=list)

    def to_data(self) -> dict:
        return {"diagnostics": self.diagnostics, "summary": self.summary, "noqa": self.noqa}

    @classmethod
    def from_cache(cls, path: str, data: object) -> "FileResult | None":
        """The cached result, or None when it is not exactly the shape ``to_data`` writes."""
        if not _fits(data, _RESULT):
            return None
        return cls(path, data["diagnostics"], data["summary"], data["noqa"])


# -- the shape of a cached result: an entry of the wrong shape is a miss, never a crash later --------
class _Opt:
    def __init__(self, spec):
        self.spec = spec


class _Map:  # {str: spec}, keys passing ``key``
    def __init__(self, spec, key=lambda k: isinstance(k, str)):
        self.spec, self.key = spec, key


_INT, _STR = int, str
_POSITION = {"row": _INT, "column": _INT}
_FIX = {"applicability": _STR, "message": _STR,
        "edits": [{"content": _STR, "location": _POSITION, "end_location": _POSITION}]}
_DIAGNOSTIC = {"code": _STR, "name": _STR, "message": _STR, "severity": _STR, "path": _STR, "row": _INT,
               "column": _INT, "end_row": _INT, "end_column": _INT, "noqa_row": _Opt(_INT), "fix": _Opt(_FIX)}
_CLAIM = ([(_STR, _INT)], _STR, _Opt(_STR), _STR, _INT, _STR, _INT, _INT, _INT, _INT)
_SUMMARY = {"path": _STR, "severity": _Map(_STR), "claims": [_CLAIM]}
_NOQA = {"whole_file": bool, "rows": _Map(_Opt([_STR]), key=lambda k: isinstance(k, str) and k.isascii() and k.isdigit())}
_RESULT = {"diagnostics": [_DIAGNOSTIC], "summary": _Opt(_SUMMARY), "noqa": _Opt(_NOQA)}


def _fits(value, spec) -> bool:
    if isinstance(spec, _Opt):
        return value is None or _fits(value, spec.spec)
    if isinstance(spec, _Map):
        return isinstance(value, dict) and all(spec.key(k) and _fits(v, spec.spec) for k, v in value.items())
    if isinstance(spec, dict):
        return (isinstance(value, dict) and value.keys() == spec.keys()
                and all(_fits(value[k], s) for k, s in spec.items()))
    if isinstance(spec, list):  # a list of one shape
        return isinstance(value, list) and all(_fits(item, spec[0]) for item in value)
    if isinstance(spec, tuple):
        if all(isinstance(s, type) for s in spec):  # one of these scalar types
            return any(_fits(value, s) for s in spec)
        return isinstance(value, list) and len(value) == len(spec) and all(map(_fits, value, spec))
    if spec is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, spec)
