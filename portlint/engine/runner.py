"""A run over many files: each from the cache where it is still valid, else linted here or in
worker processes; then the project pass over every config (or, when no file changed, its cached
result), and the one filter."""
from __future__ import annotations

from portlint.diagnostic import Diagnostic
from portlint.engine.results import FileResult, RunResult


def run_files(engine, paths: list[str], stdin_text: dict[str, str], keep_configs: bool) -> RunResult:
    from portlint.engine.workers import jobs_for, lint_in_workers

    result = RunResult()
    cache = engine.cache if not keep_configs else None
    results: dict[str, FileResult] = {}
    todo: list[str] = []
    if cache is not None:
        cache.files = len(paths)
    for path in paths:
        if cache is not None and path not in stdin_text:
            hit = cache.lookup(path, engine.settings_for(path))
            if hit is not None:
                results[path] = hit
                continue
        todo.append(path)
    digest = None
    if cache is not None and not todo and not stdin_text:
        # every file is unchanged: the same files with the same keys give the same report
        digest = cache.run_digest(paths, _run_context(engine))
        found = cache.run_result(digest) if digest is not None else None
        if found is not None:  # the files' own diagnostics (filtered when linted) and the project pass's
            result.files = len(paths)
            result.roles = {p: results[p].config_role() for p in paths if results[p].role is not None}
            result.diagnostics = engine.filter([*(Diagnostic.from_data(d) for p in paths for d in results[p].diagnostics),
                                                *map(Diagnostic.from_data, found)])
            result.diagnostics.sort(key=Diagnostic.sort_key)
            cache.save()  # the signatures of files that settled since, if any (else nothing is written)
            engine.filter.remember(result.diagnostics)
            return result
    if cache is not None:  # the project pass needs every config's summary: those of the hits too
        for path in dict.fromkeys(paths):
            hit = results.get(path)
            if hit is not None and hit.role is not None:
                hit.summary = cache.summary(path)
                if hit.summary is None:  # the summaries file is missing or spoiled: lint it again
                    del results[path]
                    cache.miss(path)
                    todo.append(path)
    build = engine.worker_engine()
    jobs = jobs_for(engine.jobs, len(todo), build is not None) if not keep_configs else 1
    if jobs > 1 and not stdin_text:
        for data in lint_in_workers(build, todo, jobs):
            results[data.path] = data
    else:
        for path in todo:
            data, config, source = engine.file_result(path, stdin_text.get(path))
            results[path] = data
            if keep_configs and config is not None:  # a syntax tree per file: kept only when asked
                result.configs.append(config)
            if source is not None:
                result.sources[path] = source
    if cache is not None:
        for path in todo:
            data = results[path]
            if not data.internal_errors and data.unchecked is None:  # a time-out says nothing of the file
                cache.store(path, engine.settings_for(path), data.deps, data.to_data())
        cache.save()
    _collect(engine, paths, results, result)
    found, finished = engine.project_pass(result.summaries, result.internal_errors)
    project = engine.filter(found)
    if not finished:
        project.extend(_project_unchecked(engine, result))
    project += engine.filter.unused_noqa_of_run(paths)  # once the project pass has been through them
    # one filter over the files' and the project's findings: one cause at one place is one finding
    result.diagnostics = engine.filter([*result.diagnostics, *project])
    result.diagnostics.sort(key=Diagnostic.sort_key)
    engine.filter.remember(result.diagnostics)
    if cache is not None and not stdin_text and not result.internal_errors and not result.unchecked \
            and result.project_unchecked is None:
        digest = digest or cache.run_digest(paths, _run_context(engine))
        if digest is not None:  # the project pass of this run, for the next run of the same files
            cache.store_run(digest, [d.to_data() for d in project])
            cache.save()
    return result


def _project_unchecked(engine, result: RunResult) -> list[Diagnostic]:
    """The run's deadline stopped the project pass: each config with ports it did not finish comparing
    gets a PL001 saying so (collisions found before it stopped are still reported)."""
    from portlint.source.read import Source

    result.project_unchecked = (f"collisions with other configs (PL203) were not all checked: "
                                f"{engine.deadline.reason}")
    out: list[Diagnostic] = []
    for summary in result.summaries:
        if summary.claims:  # (its own ports are known: the map and --next-free still use them)
            settings = engine.settings_for(summary.path)
            out.extend(engine.rules.file_problem(Source(summary.path, ""), settings, 0, result.project_unchecked))
    return engine.filter(out)


def _run_context(engine) -> str:
    """What the report of a run depends on besides its files: the rule selection, the settings the
    project rules run with, and what they know beyond the files (the live PortOS ports)."""
    from portlint.engine.cache import settings_key

    return repr((sorted(engine.rules.selected or ()), settings_key(engine.settings), engine.project))


def _collect(engine, paths: list[str], results: dict[str, FileResult], result: RunResult) -> None:
    """Every file's diagnostics, summary and noqa rows into the run's result, in the given order."""
    from collections import Counter

    from portlint.engine.noqa import NoqaIndex
    from portlint.model.config import ConfigSummary

    left = Counter(paths)
    for path in paths:
        data = results[path]
        left[path] -= 1
        if not left[path]:  # its data is not needed once converted: a large run holds one form
            del results[path]
        result.files += 1
        result.internal_errors.extend(data.internal_errors)
        if data.unchecked is not None:
            result.unchecked[path] = data.unchecked
        result.diagnostics.extend(Diagnostic.from_data(d) if isinstance(d, dict) else d for d in data.diagnostics)
        if data.summary is not None:
            result.summaries.append(ConfigSummary.from_data(data.summary))
            result.roles[path] = data.config_role()
        if data.noqa is not None and path not in engine.noqa:
            engine.noqa[path] = NoqaIndex.from_data(data.noqa)
