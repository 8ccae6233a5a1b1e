"""``try``/``catch`` as the two ways it may go (issue 29: PL106 on aliases through try/catch defaults).

A call portlint does not follow (an *effect*: reading a file, a missing ``require()``) may throw or not.
Inside a ``try`` both happen for some reader of the config, so both are kept:

- the try runs to its end, the effect's value unknown (the file was there);
- the try stops at an effect, and the ``catch`` runs from the state at that point (the file was not).

Afterwards every variable holds what either path gave it: ``let mode; try { mode = read() } catch
{ mode = 'docker' }`` leaves ``mode`` as "what read() returns at run time, else 'docker'", which is how
a ``cfg.mode || 'docker'`` default reads (an ``EnvDefault`` with ``reads``): the catch's value is the
one judged, and a test of ``mode`` stays open. A function that returns in both paths returns either
value. A list or object the try changed after an effect may or may not hold the change: it becomes
incomplete (PL002), never both paths' items at once. A path that throws out of the ``catch`` again is
a path on which the config does not load, so the other one is kept. A definite ``throw`` (a throw
statement, ``'x'.repeat(-1)``) is no choice: the catch runs.
"""
from __future__ import annotations

from typing import Any

from portlint.evaluator.semantics import either
from portlint.evaluator.statements import Break, Continue, Return, Signal, Throw
from portlint.evaluator.values import Arr, Obj, Prop, Unknown, Value, add_unknown_parts

#: Places where one try block may throw that are remembered; past them the catch starts from unknown.
MAX_THROW_POINTS = 16


class _State:
    """The variables visible at a ``try`` (and what the module exports), at one moment."""

    __slots__ = ("scopes", "exports", "default")

    def __init__(self, evaluator: Any, scopes: list[dict]):
        self.scopes = [dict(scope) for scope in scopes]
        self.exports = evaluator._cjs_exports
        self.default = evaluator._default_value


class TryFrame:
    """One ``try`` with a ``catch`` being run: where its block may throw, and what was thrown first."""

    __slots__ = ("scopes", "throw_points", "thrown", "contents", "overflow")

    def __init__(self, scopes: list[dict]):
        self.scopes = scopes  # the scope dicts visible at the try (the same objects, changed in place)
        self.throw_points: list[_State] = []
        self.thrown: Value | None = None
        self.contents: dict[int, tuple] = {}  # the lists and objects as they were at the first throw point
        self.overflow = False

    def record(self, evaluator: Any, thrown: Value) -> None:
        if self.thrown is None:
            self.thrown = thrown
            self.contents = _contents(self.scopes, evaluator)
        if len(self.throw_points) < MAX_THROW_POINTS:
            self.throw_points.append(_State(evaluator, self.scopes))
        else:
            self.overflow = True


class Attempts:
    """Effects and ``try`` (mixed into ``ModuleEvaluator`` through ``Statements``)."""

    def effect(self, unknown: Unknown) -> Value:
        """A call portlint does not follow (it may read files, start processes...): never performed.
        Its value is unknown; inside ``try`` it may also throw, so the ``catch`` path is kept too."""
        self.may_throw(unknown)
        return unknown

    def may_throw(self, thrown: Value) -> None:
        """Control may leave here for the innermost ``catch``: remember the state it would start from."""
        if self._try_frames:
            self._try_frames[-1].record(self, thrown)

    def _exec_TryStatement(self, node: Any) -> None:
        try:
            if node.handler is None:
                self.exec(node.block)  # an effect here may throw to an outer catch, recorded there
            else:
                self._attempt(node)
        finally:
            if node.finalizer is not None:
                self.exec(node.finalizer)

    def _watched(self) -> list[dict]:
        return ([self._module_scope] if self._module_scope is not None else []) + list(self._scopes)

    def _attempt(self, node: Any) -> None:
        frame = TryFrame(self._watched())
        self._try_frames.append(frame)
        try:
            ended = self._run(node.block)
        finally:
            self._try_frames.pop()
        if isinstance(ended, Throw):
            frame.record(self, ended.value)  # a throw for sure: one more place the catch starts from
        if frame.thrown is None:  # nothing in the block may throw: the catch never runs
            if ended is not None:
                raise ended
            return
        finished = None if isinstance(ended, Throw) else _State(self, frame.scopes)  # the try's own end
        changed = self._changed_since(frame)  # lists and objects: back to the first throw point for the catch
        self._restore(frame, self._catch_start(frame))
        caught = self._run_handler(node.handler, frame.thrown)
        if finished is None:  # the block throws for sure: the catch path is the only one
            self._merge_contents(changed, node)
            if caught is not None:
                raise caught
            return
        if isinstance(caught, Throw):  # the catch throws again: where the config loads, the try ran
            self._restore(frame, finished)
            for container, _, tried in changed:
                _put(container, tried)
            self.may_throw(caught.value)
            if ended is not None:
                raise ended
            return
        self._merge(frame, finished)
        self._merge_contents(changed, node)
        self._leave(ended, caught)

    def _run(self, block: Any) -> Signal | None:
        try:
            self.exec(block)
        except (Throw, Return, Break, Continue) as signal:
            return signal
        return None

    def _run_handler(self, handler: Any, thrown: Value) -> Signal | None:
        scope: dict[str, Value] = {}
        if handler.param is not None:
            self.bind_loosely(handler.param, thrown, scope)
        self._scopes.append(scope)
        try:
            return self._run(handler.body)
        finally:
            self._scopes.pop()

    def _catch_start(self, frame: TryFrame) -> _State:
        """The state the catch starts from: at any of the places the block may throw."""
        points = frame.throw_points
        start = points[0]
        merged = _State.__new__(_State)
        merged.scopes = []
        for i, scope in enumerate(start.scopes):
            out = {}
            for name, value in scope.items():
                values = [point.scopes[i].get(name, value) for point in points]
                if frame.overflow and any(v is not value for v in values):
                    values.append(Unknown(reason=f"{name} set in a try block that may throw in many places"))
                out[name] = _one(values)
            merged.scopes.append(out)
        merged.exports = _one([point.exports for point in points])
        merged.default = _one([point.default for point in points if point.default is not None]) \
            if any(point.default is not None for point in points) else None
        return merged

    def _restore(self, frame: TryFrame, state: _State) -> None:
        for scope, saved in zip(frame.scopes, state.scopes):
            for name, value in saved.items():
                scope[name] = value
        self._cjs_exports, self._default_value = state.exports, state.default

    def _merge(self, frame: TryFrame, finished: _State) -> None:
        """After both paths: each variable holds what either gave it."""
        for scope, theirs in zip(frame.scopes, finished.scopes):
            for name, value in theirs.items():
                mine = scope.get(name, value)
                if mine is not value:
                    scope[name] = either([value, mine], getattr(mine, "span", None))
        if self._cjs_exports is not finished.exports:
            self._cjs_exports = either([finished.exports, self._cjs_exports], None)
        if finished.default is not None and self._default_value is not finished.default:
            self._default_value = either([finished.default] + ([self._default_value] if self._default_value else []), None)

    def _leave(self, ended: Signal | None, caught: Signal | None) -> None:
        """How control goes on after both paths ran: a return on one path is one of the function's
        possible results, and the other path goes on."""
        if isinstance(ended, Return) and isinstance(caught, Return):
            raise Return(either([ended.value, caught.value], None))
        for signal in (ended, caught):
            if isinstance(signal, Return) and self._pending_returns:
                self._pending_returns[-1].append(signal.value)
        if type(ended) is type(caught) and isinstance(ended, (Break, Continue)) and ended.label == caught.label:
            raise ended

    def _changed_since(self, frame: TryFrame) -> list[tuple]:
        """The lists and objects the block changed after its first throw point, each put back as it
        was there (the catch starts from that state): (container, content then, content after the try)."""
        changed = []
        for key, (container, before) in frame.contents.items():
            after = _content(container)
            if not _same_content(before, after):
                changed.append((container, before, after))
                _put(container, before)
        return changed

    def _merge_contents(self, changed: list[tuple], node: Any) -> None:
        """After both paths: an object's key holds what either path gave it; a key only the try adds,
        or a list the try changed, makes it incomplete (never both paths' items at once)."""
        span = self._span(node.block)
        for container, _, tried in changed:
            if isinstance(container, Obj):
                tried_props, now_props = tried[0], container.props
                for key, prop in tried_props.items():
                    mine = now_props.get(key)
                    if mine is None:
                        add_unknown_parts(container, [Unknown(
                            reason=f"key {key!r} set in a try block after a call that may throw", span=span)])
                    elif mine is not prop and mine.value is not prop.value:
                        now_props[key] = Prop(key, mine.key_span, either([prop.value, mine.value], mine.value.span))
                extra = [part for part in tried[1] if part not in container.unknown_parts]
                add_unknown_parts(container, extra)
            else:
                add_unknown_parts(container, [Unknown(
                    reason="changed in a try block after a call that may throw", span=span)])


def _content(container: Obj | Arr) -> tuple:
    if isinstance(container, Obj):
        return dict(container.props), list(container.unknown_parts)
    return list(container.items), list(container.unknown_parts)


def _same_content(a: tuple, b: tuple) -> bool:
    if len(a[1]) != len(b[1]):
        return False
    if isinstance(a[0], dict):
        return list(a[0]) == list(b[0]) and all(a[0][k] is b[0][k] for k in a[0])
    return len(a[0]) == len(b[0]) and all(x is y for x, y in zip(a[0], b[0]))


def _put(container: Obj | Arr, content: tuple) -> None:
    if isinstance(container, Obj):
        container.props.clear()
        container.props.update(content[0])
    else:
        container.items[:] = content[0]
    container.unknown_parts[:] = content[1]


def _contents(scopes: list[dict], evaluator: Any) -> dict[int, tuple]:
    """The lists and objects the scopes hold, each with a copy of what it holds now."""
    out: dict[int, tuple] = {}
    for scope in scopes:
        for value in scope.values():
            if isinstance(value, (Obj, Arr)):
                table = value.props if isinstance(value, Obj) else value.items
                if id(table) not in out:
                    evaluator.budget.work(len(table), None)
                    out[id(table)] = (value, _content(value))
    return out


def _one(values: list[Value]) -> Value:
    first = values[0]
    if all(v is first for v in values):
        return first
    return either(values, getattr(first, "span", None))
