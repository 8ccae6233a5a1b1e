"""Runs the pipeline: read → parse → evaluate → model → rules, for each file, then the project pass."""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from functools import lru_cache

from portlint.diagnostic import Diagnostic, Span
from portlint.evaluator.interpreter import Loader
from portlint.engine.filter import DiagnosticFilter, dedupe  # noqa: F401 (dedupe: re-exported)
from portlint.model.config import Config, build_config
from portlint.source.parse import ParseError, Parsed, parse
from portlint.plugins import Registry
from portlint.settings.settings import Settings, SettingsError, SettingsResolver
from portlint.source.read import Source, UnreadableFile, read_source


@dataclass
class RunResult:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    configs: list[Config] = field(default_factory=list)  # the files linted in this process (not cached)
    summaries: list = field(default_factory=list)  # ConfigSummary of every config, cached or not
    files: int = 0
    internal_errors: list[str] = field(default_factory=list)
    sources: dict = field(default_factory=dict)  # path -> Source of every file read here
    cache_hits: int = 0


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


@dataclass(frozen=True)
class EngineSpec:
    """How to build an equivalent Engine in a worker process."""

    overrides: tuple = ()
    config_file: str | None = None
    isolated: bool = False
    disable_noqa: bool = False


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


class Engine:
    """Lints files. ``settings`` is one Settings for every file, or a SettingsResolver that finds
    each file's own (nearest settings file); rules are instantiated once per distinct Settings."""

    def __init__(self, settings: "Settings | SettingsResolver", registry: Registry, selected: set[str] | None = None,
                 disable_noqa: bool = False, external_ports: tuple = (), cache=None, jobs: int | None = None,
                 spec: EngineSpec | None = None):
        self.resolver = settings if isinstance(settings, SettingsResolver) else None
        self.settings = settings if isinstance(settings, Settings) else settings.default()
        self.registry = registry
        #: Codes chosen by the caller (tests, the API); None means each file's settings decide.
        self.selected = {c for c in selected if c in registry.rules} if selected is not None else None
        self._rules: dict[Settings, list] = {}
        self.disable_noqa = disable_noqa
        self.external_ports = tuple(external_ports)
        self.cache = cache
        self.jobs = jobs
        self.spec = spec  # set when workers can rebuild this engine (the CLI)
        self._noqa: dict[str, object] = {}  # path -> NoqaIndex, for the project pass
        self.filter = DiagnosticFilter(self.settings_for, self._noqa, disable_noqa)

    def settings_for(self, path: str) -> Settings:
        return self.resolver.for_path(path) if self.resolver is not None else self.settings

    def enabled(self, settings: Settings, code: str) -> bool:
        if self.selected is not None:
            return code in self.selected
        rule = self.registry.rules.get(code)
        return rule is not None and settings.is_enabled(code, rule.enabled_by_default)

    def rules_for(self, settings: Settings) -> list:
        rules = self._rules.get(settings)
        if rules is None:
            prefix = self.registry.unknown_selector(settings.selectors())
            if prefix is not None:
                raise SettingsError(f"{settings.origin or 'settings'}: unknown rule selector {prefix!r} (see --list-rules)")
            rules = [cls(settings) for code, cls in self.registry.rules.items() if self.enabled(settings, code)]
            self._rules[settings] = rules
        return rules

    def _file_problem(self, source: Source, settings: Settings, offset: int, message: str, end: int | None = None) -> list[Diagnostic]:
        rule_cls = self.registry.rules.get("PL001")
        if rule_cls is None or not self.enabled(settings, "PL001"):
            return []
        end = offset if end is None else end
        severity = settings.severity_of("PL001", rule_cls.severity)
        return [Diagnostic.at(Span(source, offset, end), rule_cls.code, rule_cls.name, message, severity)]

    def lint_file(self, path: str, text: str | None = None, result: RunResult | None = None) -> tuple[Config | None, list[Diagnostic]]:
        """Lint one file: its config (None if it did not parse) and its diagnostics, filtered."""
        config, diagnostics = self._lint_file(path, text, result)
        return config, self.filter(diagnostics)

    def _remember_noqa(self, source: Source, parsed: Parsed | None) -> None:
        if not self.disable_noqa:
            from portlint.engine.noqa import index_for

            self._noqa[source.path] = index_for(source, parsed)

    def _lint_file(self, path: str, text: str | None, result: RunResult | None) -> tuple[Config | None, list[Diagnostic]]:
        from portlint.engine.budget import TimeBudgetExceeded, time_budget

        settings = self.settings_for(path)
        try:
            source = Source(path, text) if text is not None else read_source(path)
            if result is not None:
                result.sources[path] = source
        except UnreadableFile as exc:
            return None, self._file_problem(Source(path, ""), settings, 0, str(exc))
        try:
            with time_budget(settings.max_seconds_per_file):
                return self._lint_source(path, source, settings, result)
        except TimeBudgetExceeded:
            return None, self._file_problem(source, settings, 0, (
                f"linting this file took longer than {settings.max_seconds_per_file:g} s and was stopped "
                "(the `max-seconds-per-file` setting)"))

    def _lint_source(self, path: str, source: Source, settings: Settings, result: RunResult | None):
        from portlint.engine.timing import phase

        try:
            with phase("parse"):
                parsed = parse(source)
        except ParseError as exc:
            self._remember_noqa(source, None)
            return None, self._file_problem(source, settings, exc.offset, f"syntax error: {exc.reason}", exc.offset + 1 if exc.offset < len(source.text) else exc.offset)
        except RecursionError:
            self._remember_noqa(source, None)
            return None, self._file_problem(source, settings, 0, "syntax error: the file is nested too deeply to parse")
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
            return None, self._file_problem(source, settings, 0, "the file is nested too deeply to evaluate")
        except Exception as exc:  # a bug of ours, or a limit (MemoryError): this file's problem, not the run's
            return None, self._crash(source, settings, exc)
        diagnostics: list[Diagnostic] = []
        with phase("rules"):
            for rule in self.rules_for(settings):
                if rule.scope != "config":
                    continue
                # A rule speaks about this file; what it finds in a required file is that file's business.
                diagnostics.extend(d for d in self._run(rule, rule.check, config, result) if d.path == path)
        return config, diagnostics

    def _crash(self, source: Source, settings: Settings, exc: BaseException) -> list[Diagnostic]:
        """A failure while linting one file is a PL001 on that file; the other files are still linted."""
        reason = f"{type(exc).__name__}: {exc}"
        reason = reason if len(reason) <= 200 else reason[:197] + "..."
        return self._file_problem(source, settings, 0, f"portlint could not lint this file ({reason}); "
                                                       "please report this")

    def _run(self, rule, method, arg, result: RunResult | None) -> list[Diagnostic]:
        try:
            return list(method(arg))
        except RecursionError:
            return []
        except Exception as exc:  # a crashing (plugin) rule is an internal error, not a traceback
            message = f"rule {rule.code} crashed: {type(exc).__name__}: {exc}"
            if result is not None:
                result.internal_errors.append(message)
            else:
                print(f"portlint: {message}", file=sys.stderr)
            return []

    def file_result(self, path: str, text: str | None = None) -> tuple[FileResult, Config | None, Source | None]:
        """Lint one file into plain data (diagnostics with noqa applied, its summary, its noqa rows)."""
        from portlint.model.config import summarize

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
            diagnostics = self.filter(self._crash(source, self.settings_for(path), exc))
        noqa = self._noqa.get(path)
        data = FileResult(path, [d.to_data() for d in diagnostics], summary,
                          noqa.to_data() if noqa is not None else None, deps, result.internal_errors)
        return data, config, result.sources.get(path)

    def run(self, paths: list[str], stdin_text: dict[str, str] | None = None, keep_configs: bool = False) -> RunResult:
        """Lint every path (from the cache where it is still valid, in worker processes when there
        are many), then run the project rules over all of them."""
        from portlint.model.config import ConfigSummary
        from portlint.engine.noqa import NoqaIndex

        result = RunResult()
        stdin_text = stdin_text or {}
        results: dict[str, FileResult] = {}
        todo: list[str] = []
        keys: dict[str, tuple] = {}
        for path in paths:
            if self.cache is not None and path not in stdin_text and not keep_configs:
                from portlint.engine.cache import _file_digest

                content = _file_digest(path)
                if content is None:
                    todo.append(path)
                    continue
                settings_key = settings_fingerprint(self.settings_for(path))
                keys[path] = (settings_key, content)
                hit = self.cache.get(path, settings_key, content)
                if hit is not None:
                    results[path] = FileResult(path, hit["diagnostics"], hit["summary"], hit["noqa"])
                    result.cache_hits += 1
                    continue
            todo.append(path)
        jobs = self.jobs_for(len(todo)) if not keep_configs else 1
        if jobs > 1 and not stdin_text:
            for data in _parallel(self, todo, jobs):
                results[data.path] = data
        else:
            for path in todo:
                data, config, source = self.file_result(path, stdin_text.get(path))
                results[path] = data
                if config is not None:
                    result.configs.append(config)
                if source is not None:
                    result.sources[path] = source
        if self.cache is not None:
            from portlint.engine.cache import _file_digest

            for path in todo:
                data = results[path]
                if path in keys and not data.internal_errors:
                    deps = [(dep, _file_digest(dep)) for dep in data.deps]
                    self.cache.put(path, keys[path][0], keys[path][1], deps, data.to_data())
        for path in paths:
            data = results[path]
            result.files += 1
            result.internal_errors.extend(data.internal_errors)
            result.diagnostics.extend(Diagnostic.from_data(d) if isinstance(d, dict) else d for d in data.diagnostics)
            if data.summary is not None:
                result.summaries.append(ConfigSummary.from_data(data.summary))
            if data.noqa is not None and path not in self._noqa:
                self._noqa[path] = NoqaIndex.from_data(data.noqa)
        from portlint.engine.timing import phase

        with phase("rules"):
            for rule in self.rules_for(self.settings):
                if rule.scope == "project":
                    rule.external_ports = self.external_ports
                    result.diagnostics.extend(self._run(rule, rule.check_project, result.summaries, result))
        result.diagnostics = self.filter(result.diagnostics)
        result.diagnostics.sort(key=Diagnostic.sort_key)
        return result

    def jobs_for(self, files: int) -> int:
        """--jobs N, or automatic: serial for small runs (starting workers costs more than it saves)."""
        if self.jobs is not None:
            return max(1, min(self.jobs, files))
        cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
        if files < PARALLEL_THRESHOLD or cpus < 2 or self.spec is None:
            return 1
        return min(cpus, 8, max(1, files // (PARALLEL_THRESHOLD // 2)))


#: Files below which a run stays in one process.
PARALLEL_THRESHOLD = 40

_WORKER: "Engine | None" = None


def _worker_init(spec: EngineSpec, selected) -> None:
    global _WORKER
    from portlint.plugins import load_registry

    resolver = SettingsResolver(dict(spec.overrides), config_file=spec.config_file, isolated=spec.isolated)
    _WORKER = Engine(resolver, load_registry(), selected, disable_noqa=spec.disable_noqa)


def _worker_lint(path: str) -> FileResult:
    assert _WORKER is not None
    return _WORKER.file_result(path)[0]


def _parallel(engine: "Engine", paths: list[str], jobs: int):
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
    chunk = max(1, len(paths) // (jobs * 8))
    with ProcessPoolExecutor(jobs, mp_context=context, initializer=_worker_init,
                             initargs=(engine.spec, engine.selected)) as pool:
        yield from pool.map(_worker_lint, paths, chunksize=chunk)


_FINGERPRINTS: dict[int, tuple] = {}


def settings_fingerprint(settings: Settings) -> str:
    """A stable text for a Settings value (computed once per Settings object)."""
    cached = _FINGERPRINTS.get(id(settings))
    if cached is not None and cached[0] is settings:
        return cached[1]
    import dataclasses
    import hashlib

    parts = []
    for f in dataclasses.fields(settings):
        value = getattr(settings, f.name)
        parts.append(f"{f.name}={sorted(value) if isinstance(value, (set, frozenset)) else value!r}")
    text = hashlib.sha256("\n".join(parts).encode()).hexdigest()
    _FINGERPRINTS[id(settings)] = (settings, text)
    return text
