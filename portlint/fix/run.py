"""Fixing a whole run: every file's fixes until stable, then (with --unsafe-fixes) one plan that
moves the configs needing it to free blocks, all in memory before anything is written or shown."""
from __future__ import annotations

from portlint.fix.apply import FixOutcome, apply_edits, fix_text


def fix_files(engine, texts: dict[str, str], unsafe: bool) -> dict[str, FixOutcome]:
    """``texts``: path -> current text. Returns path -> outcome (the text to write or diff)."""
    outcomes = {path: fix_text(engine, path, text, unsafe) for path, text in texts.items()}
    if unsafe:
        _move_to_free_blocks(engine, outcomes)
    return outcomes


def _move_to_free_blocks(engine, outcomes: dict[str, FixOutcome]) -> None:
    from portlint.fix.renumber import plan_moves
    from portlint.source.parse import ParseError, parse
    from portlint.source.read import Source

    configs = []
    for path, outcome in outcomes.items():
        config, _ = engine.lint_file(path, outcome.text)
        if config is not None:
            configs.append(config)  # JSON and YAML configs cannot move, but their ports are taken
    for plan in plan_moves(configs, engine.settings_for, engine.project.external_ports):
        outcome = outcomes[plan.path]
        if plan.refused and plan.reasons:
            outcome.dropped.append((plan.reasons[0], f"{plan.path}: cannot move to a free block: {plan.refused}; "
                                    "its ports are left as they are"))
        if plan.fix is None:
            continue  # (a config that cannot move may still carry URLs that follow another's move)
        text = apply_edits(outcome.text, list(plan.fix.edits))
        try:
            parse(Source(plan.path, text))
        except (ParseError, RecursionError):
            outcome.dropped.append((plan.reasons[0], f"{plan.path}: {plan.fix.message} (the result would not parse)"))
            continue
        outcome.text = text
        outcome.applied.append((plan.reasons[0], plan.fix.message))
        outcome.moves.extend(f"{key} {old} → {new}" for key, old, new in plan.moves if old != new)
