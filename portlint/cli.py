"""The command line: click options → settings → engine → report → exit code."""
from __future__ import annotations

import sys

import click

from ._version import __version__

EXIT_CLEAN, EXIT_PROBLEMS, EXIT_ERROR = 0, 1, 2


class Fatal(Exception):
    """A usage, settings or environment problem: one line on stderr, exit 2."""


@click.command(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option("--format", "output_format", default="text", metavar="NAME",
              help="Output format: text (default), json, or one a plugin adds.")
@click.option("--max-warnings", type=click.IntRange(min=0), default=None, metavar="N",
              help="Exit 1 when more than N warnings are reported (as ESLint does).")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when errors are reported (usage errors still exit 2).")
@click.option("-q", "--quiet", is_flag=True, help="Report errors only, without warnings or the summary line.")
@click.option("--select", metavar="CODES", help="Comma-separated codes or prefixes to check (replaces the default set).")
@click.option("--ignore", metavar="CODES", help="Comma-separated codes or prefixes to skip.")
@click.option("--extend-select", metavar="CODES", help="Codes or prefixes to check in addition (e.g. PL405).")
@click.option("--extend-ignore", metavar="CODES", help="Codes or prefixes to skip in addition.")
@click.option("--per-file-ignores", metavar="GLOB:CODES", multiple=True,
              help="Skip codes for matching files, e.g. 'legacy/*:PL4,PL502' (repeatable).")
@click.option("--role", type=click.Choice(["user", "core", "reserved", "any"]),
              help="The range every linted config takes its ports from (default: user, or the settings).")
@click.option("--extend-labels", metavar="LABELS", help="Comma-separated labels to accept besides the label set.")
@click.option("--config", "config_file", type=click.Path(exists=True, dir_okay=False), metavar="FILE",
              help="Use this settings file (portlint.toml or pyproject.toml) for every file.")
@click.option("--isolated", is_flag=True, help="Ignore every settings file; defaults and options only.")
@click.option("--list-rules", is_flag=True, help="Print the rule catalog and exit.")
@click.option("--explain", metavar="CODE", help="Print the documentation of one rule and exit.")
@click.version_option(__version__, "--version", prog_name="portlint", message="%(prog)s %(version)s")
def cli(paths, output_format, max_warnings, exit_zero, quiet, list_rules, explain, **settings_options):
    """Lint PM2 ecosystem files against the PortOS port-allocation policy.

    PATHS are files or folders (default: the current folder). In folders, portlint finds
    ecosystem*.config.{js,cjs,mjs}, pm2*.config.{js,cjs,mjs}, ecosystem*.json and
    ecosystem*.{yml,yaml}, skipping node_modules, .git and what .gitignore excludes.

    Exit status: 0 no errors (warnings alone pass), 1 errors found, 2 usage, settings or internal error.
    """
    try:
        code = _run(paths, output_format, max_warnings, exit_zero, quiet, list_rules, explain, settings_options)
    except Fatal as exc:
        click.echo(f"portlint: {exc}", err=True)
        code = EXIT_ERROR
    except click.exceptions.Exit:
        raise
    except click.ClickException:
        raise
    except BrokenPipeError:  # `portlint ... | head`: the reader left; that is not our error
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = EXIT_PROBLEMS
    except KeyboardInterrupt:
        click.echo("portlint: interrupted", err=True)
        code = EXIT_ERROR
    except Exception as exc:  # never a traceback: one line, exit 2
        click.echo(f"portlint: internal error: {type(exc).__name__}: {exc}", err=True)
        code = EXIT_ERROR
    sys.exit(code)


def _overrides(options: dict) -> dict:
    """Command-line options as a settings table (validated like a settings file)."""
    def split(text):
        return [part.strip() for part in text.split(",") if part.strip()]

    table: dict = {}
    for key in ("select", "ignore", "extend_select", "extend_ignore", "extend_labels"):
        if options.get(key) is not None:
            table[key.replace("_", "-")] = split(options[key])
    if options.get("role"):
        table["role"] = options["role"]
    if options.get("per_file_ignores"):
        entries: dict = {}
        for item in options["per_file_ignores"]:
            glob, sep, codes = item.rpartition(":")
            if not sep or not glob:
                raise Fatal(f"--per-file-ignores: {item!r} is not GLOB:CODES (e.g. 'legacy/*:PL4')")
            entries.setdefault(glob, []).extend(split(codes))
        table["per-file-ignores"] = entries
    return table


def _run(paths, output_format, max_warnings, exit_zero, quiet, list_rules, explain, settings_options) -> int:
    from .plugins import load_registry

    registry = load_registry()
    for warning in registry.warnings:
        click.echo(f"portlint: warning: {warning}", err=True)

    if list_rules:
        from .docs import list_rules as render_catalog

        click.echo(render_catalog(registry), nl=False)
        return EXIT_CLEAN
    if explain:
        from .docs import explain as render_explain

        text = render_explain(registry, explain.strip().upper())
        if text is None:
            raise Fatal(f"--explain: unknown rule code {explain!r} (see --list-rules)")
        click.echo(text, nl=False)
        return EXIT_CLEAN

    render = registry.formats.get(output_format)
    if render is None:
        raise Fatal(f"--format: unknown format {output_format!r} (choose from {', '.join(sorted(registry.formats))})")

    from .discover import DiscoveryError, discover
    from .engine import Engine
    from .settings import SettingsError, SettingsResolver

    try:
        resolver = SettingsResolver(_overrides(settings_options), config_file=settings_options.get("config_file"),
                                    isolated=settings_options.get("isolated", False))
        resolver.default()
        files = discover(list(paths) or ["."])
        engine = Engine(resolver, registry)
        result = engine.run(files)
    except (SettingsError, DiscoveryError) as exc:
        raise Fatal(str(exc)) from None
    diagnostics = result.diagnostics
    if quiet:
        diagnostics = [d for d in diagnostics if d.severity == "error"]

    from .formats import FormatContext

    out = sys.stdout
    render(diagnostics, out, FormatContext(rules=registry.rules, files=result.files, quiet=quiet))
    out.flush()
    for message in result.internal_errors:
        click.echo(f"portlint: {message}", err=True)

    if result.internal_errors:
        return EXIT_ERROR
    errors = sum(1 for d in result.diagnostics if d.severity == "error")
    warnings = len(result.diagnostics) - errors
    failed = errors > 0 or (max_warnings is not None and warnings > max_warnings)
    return EXIT_PROBLEMS if failed and not exit_zero else EXIT_CLEAN


def main() -> None:
    cli(prog_name="portlint")
