"""Runs the pipeline: read → parse → evaluate → model → rules, for each file, then the project pass."""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from functools import lru_cache

from .diagnostic import Diagnostic, Span
from .evaluate import Loader, ModuleEvaluator
from .model import Config, build_config
from .parse import ParseError, Parsed, parse
from .plugins import Registry
from .settings import Settings, SettingsError, SettingsResolver
from .source import Source, UnreadableFile, read_source


@dataclass
class RunResult:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    configs: list[Config] = field(default_factory=list)
    files: int = 0
    internal_errors: list[str] = field(default_factory=list)
    sources: dict = field(default_factory=dict)  # path -> Source of every file read


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
                 disable_noqa: bool = False, external_ports: tuple = ()):
        self.resolver = settings if isinstance(settings, SettingsResolver) else None
        self.settings = settings if isinstance(settings, Settings) else settings.default()
        self.registry = registry
        #: Codes chosen by the caller (tests, the API); None means each file's settings decide.
        self.selected = {c for c in selected if c in registry.rules} if selected is not None else None
        self._rules: dict[Settings, list] = {}
        self.disable_noqa = disable_noqa
        self.external_ports = tuple(external_ports)
        self._noqa: dict[str, object] = {}  # path -> NoqaIndex, for the project pass

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
            for prefix in settings.selectors():
                if prefix != "ALL" and not any(code.startswith(prefix) for code in self.registry.rules):
                    where = settings.origin or "settings"
                    raise SettingsError(f"{where}: unknown rule selector {prefix!r} (see --list-rules)")
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
        """Lint one file: its config (None if it did not parse) and its diagnostics, noqa applied."""
        config, diagnostics = self._lint_file(path, text, result)
        return config, self._apply_noqa(diagnostics)

    def _apply_noqa(self, diagnostics: list[Diagnostic]) -> list[Diagnostic]:
        if self.disable_noqa:
            return diagnostics
        return [d for d in diagnostics if not (self._noqa.get(d.path) and self._noqa[d.path].suppresses(d.row, d.code))]

    def _remember_noqa(self, source: Source, parsed: Parsed | None) -> None:
        if not self.disable_noqa:
            from .noqa import index_for

            self._noqa[source.path] = index_for(source, parsed)

    def _lint_file(self, path: str, text: str | None, result: RunResult | None) -> tuple[Config | None, list[Diagnostic]]:
        settings = self.settings_for(path)
        try:
            source = Source(path, text) if text is not None else read_source(path)
            if result is not None:
                result.sources[path] = source
        except UnreadableFile as exc:
            return None, self._file_problem(Source(path, ""), settings, 0, str(exc))
        try:
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
            evaluator = loader.evaluator_for(parsed)
            config = build_config(parsed, evaluator, settings)
        except RecursionError:
            return None, self._file_problem(source, settings, 0, "the file is nested too deeply to evaluate")
        diagnostics: list[Diagnostic] = []
        for rule in self.rules_for(settings):
            if rule.scope != "config":
                continue
            # A rule speaks about this file; what it finds in a required file is that file's business.
            diagnostics.extend(d for d in self._run(rule, rule.check, config, result) if d.path == path)
        return config, diagnostics

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

    def run(self, paths: list[str], stdin_text: dict[str, str] | None = None) -> RunResult:
        result = RunResult()
        for path in paths:
            text = stdin_text.get(path) if stdin_text else None
            config, diagnostics = self.lint_file(path, text, result)
            result.files += 1
            result.diagnostics.extend(diagnostics)
            if config is not None:
                result.configs.append(config)
        for rule in self.rules_for(self.settings):
            if rule.scope == "project":
                rule.external_ports = self.external_ports
                result.diagnostics.extend(self._apply_noqa(self._run(rule, rule.check_project, result.configs, result)))
        result.diagnostics = [d for d in dedupe(result.diagnostics)
                              if not self.settings_for(d.path).ignored_here(d.path, d.code)]
        result.diagnostics.sort(key=Diagnostic.sort_key)
        return result


def dedupe(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    seen = set()
    out = []
    for d in diagnostics:
        key = (d.path, d.row, d.column, d.end_row, d.end_column, d.code, d.message)
        if key not in seen:
            seen.add(key)
            out.append(d)
    return out
