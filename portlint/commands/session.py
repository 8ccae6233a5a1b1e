"""What every linting command shares: the plugin registry, standard input, settings, discovery and the engine."""
from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field

import click

from portlint.commands.options import Fatal, Options


def load_registry():
    """The rules and formats of portlint and its plugins; a broken plugin is a warning, not an error."""
    from portlint.plugins import load_registry as load

    registry = load()
    for warning in registry.warnings:
        click.echo(f"portlint: warning: {warning}", err=True)
    return registry


@contextmanager
def settings_errors():
    """A bad settings value or an unreadable path: one line naming where it came from, exit 2."""
    from portlint.settings.settings import SettingsError
    from portlint.source.discover import DiscoveryError

    try:
        yield
    except (SettingsError, DiscoveryError) as exc:
        raise Fatal(str(exc)) from None


@dataclass
class Session:
    """The files to lint and an engine set up for them."""

    options: Options
    registry: object
    resolver: object
    engine: object
    files: list[str]
    paths: list[str]  # as given, with '-' replaced by the --stdin-filename
    stdin_text: dict[str, str] = field(default_factory=dict)  # path -> text, when linting standard input
    external: list = field(default_factory=list)  # ports the live PortOS apps take
    #: configs the linted ones require that were not found otherwise: linted (and fixed) with them
    required: list[str] = field(default_factory=list)

    def run(self, keep_configs: bool = False):
        with settings_errors():
            return self.engine.run(self.files, stdin_text=self.stdin_text or None, keep_configs=keep_configs)

    def first_settings(self):
        """The settings of the first path: they choose the range --next-free searches."""
        first = (self.paths or ["."])[0]
        return self.resolver.for_path(os.path.join(first, "_") if os.path.isdir(first) else first)


def open_session(options: Options, registry, use_cache: bool) -> Session:
    """Fetch the live PortOS ports, read standard input, resolve settings, find the files, build the engine."""
    import time

    started = time.monotonic()  # the run's deadline counts from here: fetching, discovery and linting
    external = _portos_ports(options)
    paths, stdin_text = _stdin(options)
    if options.unsafe_fixes and not (options.fix or options.diff):
        raise Fatal("--unsafe-fixes goes with --fix or --diff")
    from portlint.engine.deadline import RunDeadline
    from portlint.engine.pipeline import Engine, EngineSpec
    from portlint.settings.settings import SettingsResolver

    overrides = options.settings_overrides()
    _check_selectors(options, registry)
    with settings_errors():
        resolver = SettingsResolver(dict(overrides), config_file=options.config_file, isolated=options.isolated)
        seconds = resolver.default().max_seconds_per_run
        deadline = RunDeadline(seconds, started + seconds)
        files = paths if stdin_text else _discover(options, paths, resolver)
        required = [] if stdin_text else _required(files, paths, resolver)
        files = files + required
        if options.output_file:  # refused before any work: a FIFO, a link out of the project, a linted config
            from portlint.report.output import check_target

            check_target(options.output_file, files)
        spec = EngineSpec(tuple(overrides.items()), options.config_file, options.isolated, options.disable_noqa)
        cache = _cache(options, registry) if use_cache and not stdin_text else None
        engine = Engine(resolver, registry, disable_noqa=options.disable_noqa, external_ports=external,
                        cache=cache, jobs=options.jobs, spec=spec, deadline=deadline)
    return Session(options, registry, resolver, engine, files, paths, stdin_text, external, required)


def _required(files: list[str], paths: list[str], resolver) -> list[str]:
    """The configs the named ones require (a root config's services), linted with them. A folder's
    configs are all found by walking it, so only files named on the command line are read for this."""
    from portlint.engine.required import required_configs

    named = set(paths)
    return required_configs([f for f in files if f in named], known=files,
                            excluded=lambda path: resolver.for_path(path).is_excluded(path))


def _check_selectors(options: Options, registry) -> None:
    """A code given on the command line that selects no rule: say which option it came from."""
    from portlint.commands.options import split_codes

    for name in ("select", "ignore", "extend_select", "extend_ignore"):
        value = getattr(options, name)
        prefix = registry.unknown_selector(split_codes(value.upper())) if value else None
        if prefix is not None:
            option = "--" + name.replace("_", "-")
            raise Fatal(f"unknown rule selector {prefix!r} (from {option}){registry.did_you_mean(prefix)}")


def _portos_ports(options: Options) -> list:
    if not options.portos_url:
        return []
    from portlint.integrations.portos_api import PortosError, fetch_ports

    try:
        return fetch_ports(options.portos_url, timeout=options.portos_timeout)
    except PortosError as exc:
        raise Fatal(str(exc)) from None


def _stdin(options: Options) -> tuple[list[str], dict[str, str]]:
    """The paths to lint, and with '-' the text of standard input under its --stdin-filename."""
    paths = list(options.paths)
    if "-" not in paths:
        if options.stdin_filename:
            raise Fatal("--stdin-filename needs '-' as the path")
        return paths, {}
    if len(paths) != 1:
        raise Fatal("'-' (standard input) cannot be combined with other paths")
    name = options.stdin_filename or "ecosystem.config.js"
    from portlint.source.read import UnreadableFile, decode, read_stdin

    try:
        return [name], {name: decode(read_stdin(), name).text}
    except UnreadableFile as exc:
        raise Fatal(f"standard input: {exc}") from None


def _discover(options: Options, paths: list[str], resolver) -> list[str]:
    from portlint.engine.timing import phase
    from portlint.source.discover import discover

    def excluded(path: str, is_dir: bool) -> bool:
        probe = os.path.join(path, "_") if is_dir else path
        return resolver.for_path(probe).is_excluded(path, is_dir)

    with phase("discovery"):
        files = discover(paths or ["."], excluded=excluded, force_exclude=options.force_exclude,
                         warn=lambda message: click.echo(f"portlint: warning: {message}", err=True))
    if not files and not options.quiet:
        shown = ", ".join(paths) if paths else "."
        click.echo(f"portlint: warning: no ecosystem files found under {shown} "
                   "(ecosystem*.config.{js,cjs,mjs}, pm2*.config.*, ecosystem*.json, ecosystem*.y*ml)", err=True)
    return files


def _cache(options: Options, registry):
    if options.no_cache:
        return None
    from portlint.engine.cache import DEFAULT_DIRECTORY, Cache

    explicit = options.cache_dir is not None  # a cache folder that is a link is used only when named
    return Cache.for_run(options.cache_dir or DEFAULT_DIRECTORY, registry, options.disable_noqa, explicit)


def write_output(options: Options, text: str) -> None:
    """Write a whole report to --output-file, or to standard output."""
    if options.output_file:
        from portlint.report.output import open_output

        with open_output(options.output_file, newline=None) as fh:
            fh.write(text)
    else:
        sys.stdout.write(text)
