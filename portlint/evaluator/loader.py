"""Loading the files a config names with ``require()`` or ``import``: resolution inside one project
root (never into ``node_modules``), cycle and depth checks, and one evaluator per file.

The loader does not know the evaluator: ``interpreter.Loader`` says how a file is evaluated
(``evaluator_for``), so that the interpreter depends on the loader and never the other way round.
"""
from __future__ import annotations

import os
from typing import Any, Callable

from portlint.evaluator.limits import Budget
from portlint.evaluator.values import Unknown, Value
from portlint.source.parse import Parsed


class ModuleLoader:
    """Finds, reads and evaluates files named by ``require()``, inside one project root."""

    MAX_REQUIRE_DEPTH = 8

    def __init__(self, root: str | None = None, read: Callable[[str], Parsed] | None = None):
        self.root = os.path.realpath(root) if root else None
        self._read = read
        self._modules: dict[str, Any] = {}  # real path -> its evaluator (None while it cannot be read)
        self._active: list[str] = []
        self.read_paths: list[str] = []  # files read through require()/import: the result depends on them
        self.budget = Budget()  # shared by every file a require() chain evaluates

    def new_evaluator(self, parsed: Parsed) -> Any:
        """An evaluator of one parsed file (``interpreter.Loader`` makes a ``ModuleEvaluator``)."""
        raise NotImplementedError

    def evaluator_for(self, parsed: Parsed) -> Any:
        path = os.path.realpath(parsed.source.path) if parsed.source.path not in ("-", "") else parsed.source.path
        ev = self.new_evaluator(parsed)
        self._modules.setdefault(path, ev)
        return ev

    def resolve(self, request: str, from_path: str) -> tuple[str | None, str]:
        if not request.startswith(("./", "../", "/")) and request not in (".", ".."):
            return None, f"module {request!r} is outside the project"
        base = os.path.dirname(os.path.abspath(from_path))
        target = os.path.normpath(os.path.join(base, request))
        candidates = [target] + [target + ext for ext in (".js", ".cjs", ".mjs", ".json")]
        candidates += [os.path.join(target, "index" + ext) for ext in (".js", ".cjs", ".json")]
        for candidate in candidates:
            if os.path.isfile(candidate):
                real = os.path.realpath(candidate)
                if "node_modules" in real.split(os.sep):
                    return None, f"{request!r} is inside node_modules"
                if self.root and os.path.commonpath([self.root, real]) != self.root:
                    return None, f"{request!r} is outside the project root"
                return real, ""
        return None, f"cannot find {request!r}"

    def exports_of(self, request: str, from_path: str, want: str | None = None) -> Value:
        path, why = self.resolve(request, from_path)
        if path is None:
            return Unknown(reason=why)
        if path in self._active:
            return Unknown(reason=f"circular require of {request!r}")
        if len(self._active) >= self.MAX_REQUIRE_DEPTH:
            return Unknown(reason="require() chain too deep")
        if path not in self._modules:
            self._modules[path] = None
            if self._read is None:
                return Unknown(reason=f"cannot read {request!r}")
            self.read_paths.append(path)
            try:
                parsed = self._read(path)
            except Exception as exc:  # unreadable or does not parse: the required file's own problem
                return Unknown(reason=f"cannot load {request!r}: {exc}")
            self._modules[path] = self.new_evaluator(parsed)
        ev = self._modules[path]
        if ev is None:
            return Unknown(reason=f"cannot load {request!r}")
        self._active.append(path)
        try:
            if want is not None and ev.parsed.is_module:
                return ev.named_export(want)
            return ev.exports()
        finally:
            self._active.pop()
