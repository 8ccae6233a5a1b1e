"""Verifying the renumbering plan of a run (``--fix --unsafe-fixes``) before anything is written.

Each config the plan moves, and each config that requires one, is evaluated again with every
fixed text of the run in place (nothing is read from disk that the run changes) and compared with
what it was, under ``verify.Move``: only the plan's ports change, each old number to its one new
number wherever a port is written, connections never. Then the new ports themselves: none
well-known, none outside the config's range, none that another config of the run (or a live PortOS
app) keeps; a reference elsewhere in the run to a port whose only listener moves must move with it;
the moved file brings no code it did not have, and planning again moves nothing (a second pass
changes nothing). A plan that fails is refused; a refusal can make another plan fail (the refused
config keeps its ports), so the checks run again until none is refused.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field


@dataclass
class Candidate:
    """One config's planned move: the plan, the text after it, and its old -> new ports."""

    path: str
    plan: object
    text: str
    moves: dict[int, int] = field(default_factory=dict)


class RunTexts:
    """Every text of the run before the plan, and evaluation with a chosen set of moves applied."""

    def __init__(self, engine, outcomes: dict):
        self.engine = engine
        self.outcomes = outcomes  # path -> FixOutcome (text: before the plan)
        self.real = {os.path.realpath(p): p for p in outcomes}
        self._linted: dict[tuple, tuple] = {}

    def reads(self, path: str) -> set[str]:
        """The files of the run that ``path``'s config reads through require()/import."""
        config = self.outcomes[path].config
        loader = getattr(getattr(config, "evaluator", None), "loader", None)
        found = {self.real.get(os.path.realpath(p)) for p in getattr(loader, "read_paths", ())}
        return {p for p in found if p is not None and p != path}

    def config(self, path: str, moved: dict[str, Candidate]):
        """The model of ``path`` with the texts of ``moved`` in place of their files (None if it fails)."""
        return self.linted(path, moved)[0]

    def linted(self, path: str, moved: dict[str, Candidate]) -> tuple:
        """(config, diagnostics) of ``path``, linted with every text of the run, and those of
        ``moved`` in place of their files, read instead of the disk."""
        from portlint.source.files import overlay

        key = (path, tuple(sorted(p for p in moved if p == path or p in self.reads(path) or _same_folder(p, path))))
        if key not in self._linted:
            texts = {p: o.text for p, o in self.outcomes.items()}
            texts.update({p: c.text for p, c in moved.items()})
            with overlay(texts):
                self._linted[key] = self.engine.lint_file(path, texts[path])
        return self._linted[key]


def _same_folder(a: str, b: str) -> bool:
    """Files of one folder see each other (PortOS reads one file per folder)."""
    return os.path.dirname(os.path.realpath(a)) == os.path.dirname(os.path.realpath(b))


def refused_moves(engine, outcomes: dict, candidates: dict[str, Candidate], plans: list) -> dict[str, str]:
    """path -> why, for each candidate move the checks turn down (see the module's docstring)."""
    run = RunTexts(engine, outcomes)
    refused: dict[str, str] = {}
    while True:
        accepted = {p: c for p, c in candidates.items() if p not in refused}
        found = _check(engine, run, accepted, plans)
        if not found:
            return refused
        refused.update(found)


def _check(engine, run: RunTexts, moved: dict[str, Candidate], plans: list) -> dict[str, str]:
    from portlint.fix.verify import Move, broken, connection_key
    from portlint.fix.view import TooBig, pm2_view

    refused: dict[str, str] = {}
    for path in run.outcomes:
        closure = [p for p in moved if p == path or p in run.reads(path)]
        if not closure:
            continue
        mapping: dict[int, int] = {}
        for p in closure:
            for old, new in moved[p].moves.items():
                if mapping.setdefault(old, new) != new:
                    for q in closure:
                        refused.setdefault(q, f"it and another config {path} reads move port {old} differently")
        before, after = run.config(path, {}), run.config(path, moved)
        if before is None or after is None:
            why = "the result cannot be evaluated" if after is None else "the config cannot be evaluated again"
        else:
            try:
                why = broken(pm2_view(before.exports), pm2_view(after.exports), Move(mapping),
                             connection_key(engine.settings_for(path)))
            except TooBig as exc:
                why = str(exc)
        if why:
            for p in closure:
                refused.setdefault(p, why if p == path else f"it breaks {path}, which requires it: {why}")
    refused.update({p: why for p, why in _placement(engine, run, moved, plans).items() if p not in refused})
    refused.update({p: why for p, why in _after_effects(engine, run, moved, plans).items() if p not in refused})
    return refused


def _group(plans: list) -> dict[str, object]:
    return {plan.path: getattr(plan, "group", plan.path) for plan in plans}


def _placement(engine, run: RunTexts, moved: dict[str, Candidate], plans: list) -> dict[str, str]:
    """New ports that are well-known, out of range, taken by another config of the run or a live
    PortOS app; references elsewhere in the run left behind by their listener's move."""
    groups = _group(plans)
    blocks = {}
    for path, outcome in run.outcomes.items():
        config = run.config(path, moved) if path in moved else outcome.config
        blocks[path] = config.block() if config is not None else set()
    refused: dict[str, str] = {}
    for path, candidate in moved.items():
        settings = engine.settings_for(path)
        config = run.config(path, moved)
        if config is None:
            continue
        old_block = run.outcomes[path].config.block()
        new_ports = blocks[path] - old_block
        names = {p.name for p in config.processes}
        external = {p.port: getattr(p, "app", "") or getattr(p, "process", "") for p in engine.project.external_ports
                    if p.process not in names}
        ranges = settings.allowed_range(config.role)
        for port in sorted(new_ports):
            why = None
            if settings.is_well_known(port):
                why = f"it would move a port onto {port}, a well-known port"
            elif ranges and not any(low <= port <= high for _, low, high in ranges):
                why = f"it would move a port onto {port}, outside the {config.role} range"
            elif port in external:
                why = f"it would move a port onto {port}, which the live PortOS app {external[port]} uses"
            else:
                other = next((p for p, block in blocks.items()
                              if p != path and groups.get(p, p) != groups.get(path, path) and port in block), None)
                if other is not None:
                    why = f"it would move a port onto {port}, which {other} uses"
            if why:
                refused[path] = why
                break
    refused.update({p: why for p, why in _left_behind(run, moved, groups).items() if p not in refused})
    return refused


def _left_behind(run: RunTexts, moved: dict[str, Candidate], groups: dict) -> dict[str, str]:
    """A reference in another config to a port whose only listener in the run moves must move to
    the same new number (``API_URL: 'http://localhost:3000'`` in web/ when api/ leaves 3000)."""
    from portlint.model.types import Kind

    listeners: dict[int, set] = {}
    for path, outcome in run.outcomes.items():
        config = outcome.config
        for use in (config.uses() if config is not None else ()):
            if use.kind.occupies:
                for port in use.valid_ports:
                    listeners.setdefault(port, set()).add(groups.get(path, path))
    refused: dict[str, str] = {}
    for path, candidate in moved.items():
        mine = groups.get(path, path)
        for old, new in candidate.moves.items():
            if old == new or listeners.get(old) != {mine}:
                continue
            for other, outcome in run.outcomes.items():
                if groups.get(other, other) == mine or path in run.reads(other) or outcome.config is None:
                    continue
                follows = moved[other].moves.get(old, old) if other in moved else old
                if follows == new:
                    continue
                for use in outcome.config.uses():
                    if use.kind is Kind.REFERENCE and old in use.ports:
                        refused[path] = (f"it moves {old} to {new}, but {other} still refers to {old} "
                                         f"({use.process.display_name} in {use.where})"
                                         + (f", which its own plan moves to {follows}" if follows != old else ""))
                        if other in moved:
                            refused.setdefault(other, f"it moves its reference to {old} to {follows}, but the "
                                                      f"process listening on {old} ({path}) moves to {new}")
                        break
                if path in refused:
                    break
            if path in refused:
                break
    return refused


def _after_effects(engine, run: RunTexts, moved: dict[str, Candidate], plans: list) -> dict[str, str]:
    """A moved file must bring no code it did not have, and planning again must move nothing."""
    from portlint.fix.renumber import plan_moves

    refused: dict[str, str] = {}
    for path, candidate in moved.items():
        original = run.outcomes[path].original_codes
        _, diagnostics = run.linted(path, moved)
        new = sorted({d.code for d in diagnostics} - original)
        if new:
            shown = next(d for d in diagnostics if d.code == new[0])
            refused[path] = f"the result has {new[0]}, which the file did not have ({shown.message})"
    if moved:
        configs = [run.config(p, moved) if p in moved else o.config for p, o in run.outcomes.items()]
        again = plan_moves([c for c in configs if c is not None], engine.settings_for, engine.project.external_ports)
        for plan in again:
            if plan.path in moved and plan.path not in refused and plan.fix is not None and not plan.refused:
                refused[plan.path] = f"planning again would move it once more ({plan.fix.message})"
    return refused
