"""Fixing: the one module every path that writes or shows a fix calls (``--fix``, ``--diff``,
``--fix --unsafe-fixes``, the migration, the language server's code actions and fix-all, and
pre-commit, which runs the command line).

Data flows one way: the engine's diagnostics -> fix planning (each file's fixes until stable, see
``apply``; with unsafe fixes, one renumbering plan for the whole run, see ``renumber``) ->
verification (``verify``, ``verify_moves``) -> the outcomes that the writers (``write``, the diff,
the code actions) use as they are. Nothing here writes a file, and no writer works out again what
was fixed.

The renumbering planner is called through one function, ``renumber.plan_moves(configs,
settings_for, external)``, which returns a plan per config with ``path``, ``group`` (configs that
describe the same processes), ``reasons`` (the codes asking for the move), ``moves`` ([(PORTS key,
old, new)]), ``fix`` (a Fix, or None) and ``refused`` (why the config cannot move, or None).
"""
from __future__ import annotations

from portlint.fix.outcome import FixOutcome, Refusal


def fix_files(engine, texts: dict[str, str], unsafe: bool) -> dict[str, FixOutcome]:
    """``texts``: path -> current text. Returns path -> outcome: the verified text to write or
    show, the fixes applied and those refused. With ``unsafe``, the configs that need it move to
    free blocks, planned over every config of the run together."""
    outcomes = _fix_each(engine, texts, unsafe)
    if unsafe:
        _move_to_free_blocks(engine, outcomes)
    return outcomes


def _fix_each(engine, texts: dict[str, str], unsafe: bool) -> dict[str, FixOutcome]:
    """Each file's own fixes: in worker processes when the run is large enough (as linting is),
    except for the renumbering plan, which needs every file's model here."""
    from portlint.fix.apply import fix_text

    jobs = engine.jobs_for(len(texts)) if engine.spec is not None and not unsafe else 1
    if jobs <= 1:
        return {path: fix_text(engine, path, text, unsafe) for path, text in texts.items()}
    import multiprocessing
    import os
    from concurrent.futures import ProcessPoolExecutor

    from portlint.engine import workers

    context = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
    items = [(path, text, unsafe) for path, text in texts.items()]
    with ProcessPoolExecutor(jobs, mp_context=context, initializer=workers._worker_init,
                             initargs=(engine.spec, engine.rules.selected, os.getpid())) as pool:
        done = pool.map(_fix_in_worker, items, chunksize=max(1, len(items) // (jobs * 8)))
        return {path: outcome for (path, _, _), outcome in zip(items, done)}


def _fix_in_worker(item) -> FixOutcome:
    """In a worker process (see engine/workers.py): one file's outcome, without its syntax tree."""
    from portlint.engine import workers
    from portlint.fix.apply import fix_text

    path, text, unsafe = item
    outcome = fix_text(workers._WORKER, path, text, unsafe)
    outcome.config = outcome.diagnostics = None  # not sent back: the renumbering plan lints again
    return outcome


def verify_fix(engine, path: str, text: str, fix) -> str | None:
    """Why one fix (a ``Fix``) of ``text`` is refused, or None: the language server asks this before
    it offers a quick fix. The same checks as a pass of ``--fix``: the result parses, keeps what the
    fix's applicability promises, and brings no code the file did not have."""
    import time

    from portlint.fix.apply import FileFixer
    from portlint.fix.data import apply_edits

    budget = engine.settings_for(path).max_seconds_per_file
    fixer = FileFixer(engine, path, fix.applicability == "unsafe", time.monotonic() + budget, budget)
    before = fixer.state(text)
    after = fixer.state(apply_edits(text, fix.edits))
    why = fixer.check(before, after)
    if why is None and not after.codes <= before.codes:
        code = sorted(after.codes - before.codes)[0]
        shown = next(d for d in after.diagnostics if d.code == code)
        if not _settles(engine, path, after, before.codes, fix.applicability == "unsafe"):
            why = f"the result has {code}, which the file did not have ({shown.message})"
    return why


def _settles(engine, path: str, after, codes: set[str], unsafe: bool) -> bool:
    """Whether fixing on from ``after`` (as fix-all would) ends without codes outside ``codes``."""
    from portlint.fix.apply import fix_text

    outcome = fix_text(engine, path, after.text, unsafe, first=(after.config, after.diagnostics))
    return not outcome.refused and {d.code for d in outcome.diagnostics or ()} <= codes


def _move_to_free_blocks(engine, outcomes: dict[str, FixOutcome]) -> None:
    from portlint.fix.data import apply_edits
    from portlint.fix.renumber import plan_moves
    from portlint.fix.verify_moves import Candidate, refused_moves

    for path, outcome in outcomes.items():
        if outcome.config is None and outcome.diagnostics is None:
            outcome.config, outcome.diagnostics = engine.lint_file(path, outcome.text)
    configs = [o.config for o in outcomes.values() if o.config is not None]  # JSON/YAML cannot move: their ports are taken
    plans = plan_moves(configs, engine.settings_for, engine.project.external_ports)
    candidates: dict[str, Candidate] = {}
    for plan in plans:
        outcome = outcomes[plan.path]
        if plan.refused and plan.reasons:
            outcome.dropped.append((plan.reasons[0], f"{plan.path}: cannot move to a free block: {plan.refused}; "
                                    "its ports are left as they are"))
        if plan.fix is not None:  # (a config that cannot move may still carry URLs that follow another's move)
            candidates[plan.path] = Candidate(plan.path, plan, apply_edits(outcome.text, list(plan.fix.edits)),
                                              {old: new for _, old, new in plan.moves if old != new})
    refused = refused_moves(engine, outcomes, candidates, plans) if candidates else {}
    for path, candidate in candidates.items():
        outcome, plan = outcomes[path], candidate.plan
        # named by a finding the file had (the plan may judge a state a safe fix of this run made)
        code = next((c for c in plan.reasons if c in outcome.original_codes), plan.reasons[0] if plan.reasons else "")
        if path in refused:
            outcome.refuse(Refusal(path, code, plan.fix.message, refused[path]))
            continue
        outcome.text = candidate.text
        outcome.applied.append((code, plan.fix.message))
        outcome.moves.extend(f"{key} {old} → {new}" for key, old, new in plan.moves if old != new)
        outcome.config, outcome.diagnostics = None, None  # they describe the text before the move
