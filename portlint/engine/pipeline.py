"""The per-file pipeline, read → parse → evaluate → model → rules, and Engine, which ties it to the
rule set, the one filter, the run over many files and the project pass."""
from __future__ import annotations

import os
from functools import lru_cache

from portlint.diagnostic import Diagnostic
from portlint.engine.deadline import RunDeadline
from portlint.engine.filter import DiagnosticFilter, dedupe  # noqa: F401 (dedupe: re-exported)
from portlint.engine.results import FileResult, RunResult  # noqa: F401 (re-exported)
from portlint.engine.ruleset import RuleSet, call_rule
from portlint.engine.workers import PARALLEL_THRESHOLD, EngineSpec  # noqa: F401 (re-exported)
from portlint.evaluator.interpreter import Loader
from portlint.model.config import Config, build_config
from portlint.plugins import Registry
from portlint.settings.settings import Settings, SettingsResolver
from portlint.source.parse import ParseError, Parsed, parse
from portlint.source.read import Source, UnreadableFile, read_source


@lru_cache(maxsize=4096)
def project_root(directory: str) -> str:
    """The folder ``require()`` may not leave: the enclosing git work tree, else the file's folder."""
    current = directory
    while True:
        if os.path.exists(os.path.join(current, ".git")):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return directory
        current = parent


def display_path(path: str) -> str:
    """How a file found through require() is named in messages: relative to here when inside."""
    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel


def read_and_parse(path: str) -> Parsed:
    return parse(read_source(display_path(path)))


class FilePipeline:
    """One file through every stage; a file that cannot go on becomes a PL001, a bug of ours an
    internal error in ``errors``. Remembers each file's noqa comments in ``noqa``. Each file gets
    its own time budget, cut to what is left of the run's ``deadline``; a file a time limit stops
    is a PL001 and is named in ``unchecked`` (path -> why), so that no report takes it as checked."""

    def __init__(self, rules: RuleSet, noqa: dict | None, deadline: RunDeadline | None = None):
        self.rules = rules
        self.noqa = noqa  # path -> NoqaIndex; None with --disable-noqa
        self.deadline = deadline or RunDeadline(None)

    def lint(self, path: str, text: str | None, settings: Settings, errors: list[str] | None,
             sources: dict, unchecked: dict | None = None) -> tuple[Config | None, list[Diagnostic]]:
        from portlint.engine.budget import TimeBudgetExceeded, time_budget

        unchecked = unchecked if unchecked is not None else {}
        if self.deadline.passed():  # not even read: the rest of the run is reported, not linted
            unchecked[path] = f"not linted: {self.deadline.reason}"
            return None, self.rules.file_problem(Source(path, ""), settings, 0, unchecked[path])
        try:
            source = Source(path, text) if text is not None else read_source(path)
            sources[path] = source
        except UnreadableFile as exc:
            return None, self.rules.file_problem(Source(path, ""), settings, 0, str(exc))
        seconds, by_run = self.deadline.limit(settings.max_seconds_per_file)
        try:
            with time_budget(seconds):
                return self._lint_source(path, source, settings, errors)
        except TimeBudgetExceeded:
            unchecked[path] = (f"linting this file was stopped: {self.deadline.reason}" if by_run else
                               f"linting this file took longer than {settings.max_seconds_per_file:g} s and was "
                               "stopped (the `max-seconds-per-file` setting)")
            return None, self.rules.file_problem(source, settings, 0, unchecked[path])

    def _remember_noqa(self, source: Source, parsed: Parsed | None) -> None:
        if self.noqa is not None:
            from portlint.engine.noqa import index_for

            self.noqa[source.path] = index_for(source, parsed)

    def _lint_source(self, path: str, source: Source, settings: Settings, errors: list[str] | None):
        from portlint.engine.timing import phase

        problem = self.rules.file_problem
        try:
            with phase("parse"):
                parsed = parse(source)
        except ParseError as exc:
            self._remember_noqa(source, None)
            end = exc.offset + 1 if exc.offset < len(source.text) else exc.offset
            return None, problem(source, settings, exc.offset, f"syntax error: {exc.reason}", end)
        except RecursionError:
            self._remember_noqa(source, None)
            return None, problem(source, settings, 0, "syntax error: the file is nested too deeply to parse")
        self._remember_noqa(source, parsed)
        directory = os.path.dirname(os.path.abspath(path))
        # files reached by require() are named the way this one was: absolute, or relative to here
        read = read_and_parse if not os.path.isabs(path) else (lambda p: parse(read_source(p)))
        loader = Loader(project_root(directory), read=read)
        try:
            with phase("evaluate"):
                evaluator = loader.evaluator_for(parsed)
                config = build_config(parsed, evaluator, settings)
        except RecursionError:
            return None, problem(source, settings, 0, "the file is nested too deeply to evaluate")
        except Exception as exc:  # a bug of ours, or a limit (MemoryError): this file's problem, not the run's
            return None, self.crash(source, settings, exc)
        diagnostics: list[Diagnostic] = []
        with phase("rules"):
            for rule in self.rules.rules_for(settings):
                if rule.scope == "config":
                    # A rule speaks about this file; what it finds in a required file is that file's business.
                    found = call_rule(rule, rule.check, (config,), errors)
                    diagnostics.extend(d for d in found if d.path == path)
        return config, diagnostics

    def crash(self, source: Source, settings: Settings, exc: BaseException) -> list[Diagnostic]:
        """A failure while linting one file is a PL001 on that file; the other files are still linted."""
        reason = f"{type(exc).__name__}: {exc}"
        reason = reason if len(reason) <= 200 else reason[:197] + "..."
        return self.rules.file_problem(source, settings, 0, f"portlint could not lint this file ({reason}); "
                                                            "please report this")


class Engine:
    """Lints files. ``settings`` is one Settings for every file, or a SettingsResolver that finds
    each file's own (nearest settings file); rules are instantiated once per distinct Settings."""

    def __init__(self, settings: "Settings | SettingsResolver", registry: Registry, selected: set[str] | None = None,
                 disable_noqa: bool = False, external_ports: tuple = (), cache=None, jobs: int | None = None,
                 spec: EngineSpec | None = None, deadline: RunDeadline | None = None):
        from portlint.engine.project import ProjectContext

        self.resolver = settings if isinstance(settings, SettingsResolver) else None
        self.settings = settings if isinstance(settings, Settings) else settings.default()
        self.registry = registry
        self.rules = RuleSet(registry, selected)
        self.disable_noqa = disable_noqa
        self.project = ProjectContext(tuple(external_ports))
        self.cache = cache
        self.jobs = jobs
        self.spec = spec  # set when workers can rebuild this engine (the CLI)
        #: The run's deadline (the command line gives one; a language server's engine lives on).
        self.deadline = deadline or RunDeadline(None)
        self.noqa: dict[str, object] = {}  # path -> NoqaIndex, for the filter and the project pass
        self.pipeline = FilePipeline(self.rules, None if disable_noqa else self.noqa, self.deadline)
        self.filter = DiagnosticFilter(self.settings_for, self.noqa, disable_noqa, self.rules)

    def settings_for(self, path: str) -> Settings:
        return self.resolver.for_path(path) if self.resolver is not None else self.settings

    def rules_for(self, settings: Settings) -> list:
        return self.rules.rules_for(settings)

    def lint_file(self, path: str, text: str | None = None, result: RunResult | None = None) -> tuple[Config | None, list[Diagnostic]]:
        """Lint one file: its config (None if it did not parse) and its diagnostics, filtered."""
        errors = result.internal_errors if result is not None else None  # None: rule crashes are printed
        sources = result.sources if result is not None else {}
        unchecked = result.unchecked if result is not None else None
        config, diagnostics = self.pipeline.lint(path, text, self.settings_for(path), errors, sources, unchecked)
        return config, self.filter.for_file(path, diagnostics, config)

    def file_result(self, path: str, text: str | None = None) -> tuple[FileResult, Config | None, Source | None]:
        """Lint one file into plain data (diagnostics with noqa applied, its summary, its noqa rows)."""
        from portlint.model.config import summarize

        from portlint.settings.settings import SettingsError

        result = RunResult()
        try:
            config, diagnostics = self.lint_file(path, text, result)
            summary = summarize(config).to_data() if config is not None else None
            deps = list(config.evaluator.loader.read_paths) if config is not None else []
        except SettingsError:
            raise  # the settings are wrong for every file: one line, exit 2
        except Exception as exc:  # never the end of the run: the other files' reports are kept
            source = result.sources.get(path) or Source(path, text or "")
            config, summary, deps = None, None, []
            diagnostics = self.filter(self.pipeline.crash(source, self.settings_for(path), exc))
        noqa = self.noqa.get(path)
        data = FileResult(path, [d.to_data() for d in diagnostics], summary,
                          noqa.to_data() if noqa is not None else None, deps, result.internal_errors,
                          unchecked=result.unchecked.get(path))
        return data, config, result.sources.get(path)

    def run(self, paths: list[str], stdin_text: dict[str, str] | None = None, keep_configs: bool = False) -> RunResult:
        """Lint every path (from the cache where it is still valid, in worker processes when there
        are many), then run the project rules over all of them."""
        from portlint.engine.runner import run_files

        return run_files(self, paths, stdin_text or {}, keep_configs)

    def project_pass(self, summaries: list, errors: list[str]) -> tuple[list[Diagnostic], bool]:
        """The project rules' diagnostics over every summary, and whether they ran to the end (the
        run's deadline stops them too, keeping what they found)."""
        from portlint.engine.project import run_project_rules
        from portlint.engine.timing import phase

        with phase("rules"):
            return run_project_rules(self.rules_for(self.settings), summaries, self.project, errors, self.deadline)

    def jobs_for(self, files: int) -> int:
        from portlint.engine.workers import jobs_for

        return jobs_for(self.jobs, files, self.spec is not None)

    def worker_engine(self):
        """What a worker process calls to build its own engine like this one (None: this engine
        cannot be rebuilt, so the run stays in this process)."""
        if self.spec is None:
            return None
        from functools import partial

        return partial(build_worker_engine, self.spec, self.rules.selected, self.deadline.seconds, self.deadline.ends)


def build_worker_engine(spec: EngineSpec, selected, seconds: float | None, ends: float | None) -> Engine:
    """An engine equal to the one that started the worker, sharing its deadline."""
    from portlint.plugins import load_registry

    resolver = SettingsResolver(dict(spec.overrides), config_file=spec.config_file, isolated=spec.isolated)
    return Engine(resolver, load_registry(), selected, disable_noqa=spec.disable_noqa,
                  deadline=RunDeadline(seconds, ends))

