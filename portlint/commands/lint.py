"""The lint command: lint, then with --fix write the fixes or with --diff show them, and report."""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field

import click

from portlint.commands.options import EXIT_CLEAN, EXIT_ERROR, EXIT_PROBLEMS, Fatal, Options
from portlint.commands.session import Session, open_session


@dataclass
class FixReport:
    """What --fix / --diff did: the fixes in the files written (or shown), those refused, and the
    writes that failed."""

    fixes: int = 0
    files: int = 0
    refused: int = 0
    failures: list[str] = field(default_factory=list)
    fixed_lines: list[str] = field(default_factory=list)  # --show-fixes, one line per file


def run_lint(options: Options, registry) -> int:
    render = registry.formats.get(options.output_format)
    if render is None:
        raise Fatal(f"--format: unknown format {options.output_format!r} "
                    f"(choose from {', '.join(sorted(registry.formats))})")
    session = open_session(options, registry, use_cache=True)
    from_stdin = bool(session.stdin_text)  # fixed files join stdin_text below, so decide it now
    fix_failed = False
    if options.fix or options.diff:
        # with a cache, a first run is nearly free and tells the files with nothing to fix; without
        # one it would lint every file once more than fixing does, unless unused noqa comments
        # (PL005) are to be removed: only a whole run judges those that may hide a collision
        first = session.engine.cache is not None or _judges_unused_noqa(session)
        fixes = apply_fixes(session, session.run() if first else None)
        if options.diff:
            return EXIT_ERROR if fixes.failures else (EXIT_PROBLEMS if fixes.files or fixes.refused else EXIT_CLEAN)
        fix_failed = bool(fixes.failures)
    result = session.run()  # what is left (after --fix: unchanged files come from the cache when there is one)
    # with standard input and --fix, standard output carries the fixed buffer: the report goes to stderr
    report(options, registry, result, session.files, to_stderr=from_stdin and options.fix)
    for message in result.internal_errors:
        click.echo(f"portlint: {message}", err=True)
    unchecked = result.unchecked_notice()
    if unchecked:  # also a PL001 on each such config; said here too, whatever the rule selection
        click.echo(f"portlint: {unchecked}", err=True)
    if result.internal_errors or fix_failed:
        return EXIT_ERROR
    code = exit_code(options, result.diagnostics)
    return EXIT_PROBLEMS if unchecked and not options.exit_zero else code


def _judges_unused_noqa(session: Session) -> bool:
    """PL005 is on for some file of the run."""
    engine = session.engine
    return any(engine.rules.enabled(engine.settings_for(path), "PL005") for path in session.files)


def exit_code(options: Options, diagnostics) -> int:
    errors = sum(1 for d in diagnostics if d.severity == "error")
    warnings = len(diagnostics) - errors
    failed = errors > 0 or (options.max_warnings is not None and warnings > options.max_warnings)
    return EXIT_PROBLEMS if failed and not options.exit_zero else EXIT_CLEAN


def report(options: Options, registry, result, files: list[str], to_stderr: bool) -> None:
    """Render the diagnostics in the chosen format, then --statistics and --count."""
    from portlint.engine.timing import phase
    from portlint.report.formats import FormatContext, LazySources

    diagnostics = result.diagnostics
    if options.quiet:
        diagnostics = [d for d in diagnostics if d.severity == "error"]
    output_file = options.output_file
    from portlint.report.output import open_output

    stream = open_output(output_file) if output_file else (
        sys.stderr if to_stderr else sys.stdout)
    try:
        context = FormatContext(rules=registry.rules, files=result.files, paths=files,
                                sources=LazySources(result.sources), quiet=options.quiet,
                                color=use_color(options.color, stream), show_source=options.show_source,
                                roles=result.roles)
        with phase("report"):
            registry.formats[options.output_format](diagnostics, stream, context)
        extra = stream if options.output_format in ("text", "concise", "pylint") else sys.stderr
        if options.statistics:
            statistics(diagnostics, registry, extra)
        if options.count:
            extra.write(f"{len(diagnostics)}\n")
        stream.flush()
    finally:
        if output_file:
            stream.close()


def use_color(choice: str, stream) -> bool:
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    return hasattr(stream, "isatty") and stream.isatty()


def statistics(diagnostics, registry, stream) -> None:
    """flake8's --statistics: how many of each code, most first."""
    counts: dict[str, int] = {}
    for d in diagnostics:
        counts[d.code] = counts.get(d.code, 0) + 1
    for code, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        rule = registry.rules.get(code)
        stream.write(f"{n:<5} {code:<6} {rule.name if rule else ''}\n")


def apply_fixes(session: Session, linted=None) -> FixReport:
    """Plan and verify the fixes of every file (``portlint.fix.run``), then --fix writes each fixed
    file safely (standard input: prints it) and --diff prints a unified diff. ``linted``: a run's
    result, which tells the files that have nothing to fix (None: every file is fixed)."""
    from portlint.fix.run import fix_files
    from portlint.fix.write import Stale, WriteFailed, write_fixed

    options, done = session.options, FixReport()
    texts, stamps = _texts_to_fix(session, linted)
    outcomes = fix_files(session.engine, texts, options.unsafe_fixes)  # the whole plan, verified, before any write
    for path, outcome in outcomes.items():
        for _code, message in outcome.dropped:
            click.echo(f"portlint: fix not applied: {message}", err=True)
        for refusal in outcome.refused:
            click.echo(f"portlint: fix refused: {refusal.line()}", err=True)
        done.refused += len(outcome.refused)
    changed = [path for path, outcome in outcomes.items() if outcome.changed]
    if options.fix and options.unsafe_fixes and not options.allow_dirty:
        if _dirty(session, [p for p in changed if p not in session.stdin_text], done):
            changed = [p for p in changed if p in session.stdin_text]
    for path in changed:
        outcome = outcomes[path]
        if options.diff:
            sys.stdout.write(_unified_diff(path, outcome.original, outcome.text))
        elif path in session.stdin_text:
            session.stdin_text[path] = outcome.text
            sys.stdout.write(outcome.text)  # an editor reads the fixed buffer back
        else:
            try:
                write_fixed(path, outcome.text, stamps[path])
            except Stale as exc:
                click.echo(f"portlint: {exc}", err=True)
                continue
            except WriteFailed as exc:
                done.failures.append(str(exc))
                continue
            if options.show_fixes:
                done.fixed_lines.append(_fixed_line(path, outcome.applied, outcome.moves))
        done.files += 1
        done.fixes += len(outcome.applied)
    _tell(options, done)
    return done


def _texts_to_fix(session: Session, linted) -> tuple[dict[str, str], dict]:
    """The text of each file to fix and the stamp its write is checked against. With safe fixes
    only, a file whose lint offered none is not fixed again; the renumbering plan needs every config."""
    from portlint.fix.scope import outside_roots
    from portlint.fix.write import read_for_fix
    from portlint.source.read import UnreadableFile

    options = session.options
    wanted = {"safe", "unsafe"} if options.unsafe_fixes else {"safe"}
    fixable = None if options.unsafe_fixes or linted is None else {
        d.path for d in linted.diagnostics if d.fix is not None and _applicability(d.fix) in wanted}
    texts, stamps = {}, {}
    roots = (list(options.paths) or ["."]) + session.required  # a required config is named by the one requiring it
    for path in session.files:
        if path in session.stdin_text:
            texts[path] = session.stdin_text[path]
            continue
        if fixable is not None and path not in fixable:
            continue
        refused = outside_roots(path, roots)
        if refused:  # a link to a file outside the folders given: lint it, never rewrite it
            click.echo(f"portlint: {refused}", err=True)
            continue
        try:
            texts[path], stamps[path] = read_for_fix(path)
        except UnreadableFile:
            continue  # PL001 reports it
    return texts, stamps


def _applicability(fix) -> str | None:
    return fix.get("applicability") if isinstance(fix, dict) else getattr(fix, "applicability", None)


def _dirty(session: Session, paths: list[str], done: FixReport) -> bool:
    """--unsafe-fixes rewrites no file with uncommitted changes (without --allow-dirty): when one of
    ``paths`` has some, nothing is written and the files are named (exit 2)."""
    from portlint.fix.dirty import uncommitted

    dirty, note = uncommitted(paths)
    if note:
        click.echo(f"portlint: note: {note}", err=True)
    if not dirty:
        return False
    shown = "; ".join(f"{path} ({why})" for path, why in list(dirty.items())[:20])
    more = f" and {len(dirty) - 20} more" if len(dirty) > 20 else ""
    done.failures.append(
        f"--fix --unsafe-fixes rewrites files with uncommitted changes: {shown}{more}. Nothing was written: commit "
        "or stash them first, so that the migration is one diff you can review and undo, or pass --allow-dirty")
    return True


def _unified_diff(path: str, before: str, after: str) -> str:
    import difflib

    return "".join(difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                        f"a/{path}", f"b/{path}"))


def _fixed_line(path: str, applied, moves=()) -> str:
    counts: dict[str, int] = {}
    for code, _ in applied:
        counts[code] = counts.get(code, 0) + 1
    return (f"{path}: " + ", ".join(f"{n} x {code}" for code, n in sorted(counts.items()))
            + "".join(f"\n  move {move}" for move in moves))


def _plural(n: int, word: str, suffix: str = "s") -> str:
    return f"{n} {word}{suffix if n != 1 else ''}"


def _tell(options: Options, done: FixReport) -> None:
    """The summary of --fix / --diff on standard error."""
    for line in done.fixed_lines:
        click.echo(f"fixed {line}", err=True)
    for message in done.failures:
        click.echo(f"portlint: {message}", err=True)
    if options.quiet:
        return
    refused = f"; {_plural(done.refused, 'fix', 'es')} refused (see above)" if done.refused else ""
    if options.diff:
        click.echo(f"{_plural(done.fixes, 'fix', 'es')} in {_plural(done.files, 'file')} would be applied{refused}",
                   err=True)
    elif done.fixes:
        click.echo(f"Fixed {_plural(done.fixes, 'problem')} in {_plural(done.files, 'file')}{refused}.", err=True)
    elif done.refused:
        click.echo(f"No fix applied{refused}.", err=True)
