"""The command line: click options -> an Options value -> one command per mode (portlint.commands)."""
from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

import click

from portlint._version import __version__
from portlint.commands.help import GroupedCommand

if TYPE_CHECKING:
    from portlint.commands.options import Options

__all__ = ["cli", "main", "console_main"]


@click.command(cls=GroupedCommand, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option("--format", "output_format", default="text", metavar="NAME",
              help="Output format: text (default), json, json-lines, sarif, github, gitlab, junit, pylint, "
                   "or one a plugin adds.")
@click.option("--output-file", "-o", type=click.Path(dir_okay=False, writable=True), metavar="FILE",
              help="Write the report to FILE instead of standard output.")
@click.option("--max-warnings", type=click.IntRange(min=0), default=None, metavar="N",
              help="Exit 1 when more than N warnings are reported (as ESLint does).")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when errors are reported (usage errors still exit 2).")
@click.option("-q", "--quiet", is_flag=True, help="Report errors only, without warnings or the summary line.")
@click.option("--statistics", is_flag=True, help="After the report, count the diagnostics of each rule.")
@click.option("--count", is_flag=True, help="After the report, print the number of diagnostics.")
@click.option("--show-source", is_flag=True, help="Show the reported line under each diagnostic (text format).")
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True,
              help="Colour the text output; auto means only on a terminal, and never when NO_COLOR is set.")
@click.option("--select", metavar="CODES", help="Comma-separated codes or prefixes to check (replaces the default set).")
@click.option("--ignore", metavar="CODES", help="Comma-separated codes or prefixes to skip.")
@click.option("--extend-select", metavar="CODES", help="Codes or prefixes to check in addition (e.g. PL405).")
@click.option("--extend-ignore", metavar="CODES", help="Codes or prefixes to skip in addition.")
@click.option("--per-file-ignores", metavar="GLOB:CODES", multiple=True,
              help="Skip codes for matching files, e.g. 'legacy/*:PL4,PL502' (repeatable).")
@click.option("--extend-exclude", metavar="PATTERNS", help="Comma-separated gitignore-style paths to skip.")
@click.option("--force-exclude", is_flag=True,
              help="Apply the exclude settings to files named on the command line too (for pre-commit).")
@click.option("--disable-noqa", is_flag=True, help="Ignore `// noqa` comments and report everything.")
@click.option("--fix", is_flag=True, help="Apply the safe fixes to the files (atomically), then report what is left.")
@click.option("--unsafe-fixes", is_flag=True, help="With --fix or --diff: also apply fixes that may change meaning.")
@click.option("--diff", is_flag=True, help="Print the fixes as a unified diff and write nothing (exit 1 if any).")
@click.option("--show-fixes", is_flag=True, help="With --fix: list the fixes applied, per file.")
@click.option("--allow-dirty", is_flag=True,
              help="With --fix --unsafe-fixes: rewrite files that have uncommitted changes in their git work tree "
                   "too (by default such a run writes nothing, so the migration stays one reviewable diff).")
@click.option("--role", type=click.Choice(["auto", "user", "core", "reserved", "any"]),
              help="The range every linted config takes its ports from (default: the settings, else auto: core "
                   "for a config whose processes are all named portos-*, user for every other).")
@click.option("--extend-labels", metavar="LABELS", help="Comma-separated labels to accept besides the label set.")
@click.option("--stdin-filename", metavar="PATH",
              help="With '-' as the path: lint standard input as if it were the file PATH.")
@click.option("--jobs", "-j", type=click.IntRange(min=1, max=256), default=None, metavar="N",
              help="Lint with N processes (default: automatic, serial for small runs).")
@click.option("--no-cache", is_flag=True, help="Lint every file, and do not read or write the cache.")
@click.option("--cache-dir", type=click.Path(file_okay=False), default=None, metavar="DIR",
              help="Where to keep the results of unchanged files.  [default: .portlint_cache; a link there is "
                   "followed only when named here]")
@click.option("--config", "config_file", type=click.Path(exists=True, dir_okay=False), metavar="FILE",
              help="Use this settings file (portlint.toml or pyproject.toml) for every file.")
@click.option("--isolated", is_flag=True, help="Ignore every settings file; defaults and options only.")
@click.option("--map", "port_map", is_flag=True,
              help="Print the port map of the configs under PATHS (--format text, markdown, json or html) instead of linting.")
@click.option("--next-free", type=click.IntRange(min=1, max=1000), metavar="N",
              help="Print the first block of N free ports in the range of --role (default: user) and exit; "
                   "with --map, inside the map.")
@click.option("--portos-url", metavar="URL",
              help="Also count the ports of the live PortOS apps list (GET URL/api/apps) as taken.")
@click.option("--portos-timeout", type=click.FloatRange(min=0.1, max=120), default=5.0, show_default=True,
              metavar="SECONDS", help="How long to wait for PortOS.")
@click.option("--max-seconds-per-run", type=click.FloatRange(min=0, min_open=True, max=86400), default=None,
              metavar="SECONDS", help="The whole run's time limit; configs it leaves unlinted are reported as not "
                                      "checked (default: the max-seconds-per-run setting, 300).")
@click.option("--show-resolved", is_flag=True,
              help="Print what PM2 would run, as portlint resolved it (--format text or json), instead of linting: "
                   "per environment, app and instance, the name, exec mode, env, args and ports.")
@click.option("--env", "env", metavar="NAME",
              help="With --show-resolved: only the environment of `pm2 start FILE --env NAME`.")
@click.option("--cpus", type=click.IntRange(min=1, max=1024), metavar="N",
              help="How many CPUs PM2's instances 'max', 0 and -1 count (default: the cpus setting, else 4).")
@click.option("--list-rules", is_flag=True, help="Print the rule catalog and exit.")
@click.option("--explain", metavar="CODE", help="Print the documentation of one rule and exit.")
@click.version_option(__version__, "--version", prog_name="portlint", message="%(prog)s %(version)s")
def cli(paths, **options):
    """Lint PM2 ecosystem files against the PortOS port-allocation policy.

    PATHS are files or folders (default: the current folder), or '-' for standard input. In
    folders, portlint finds ecosystem*.config.{js,cjs,mjs}, pm2*.config.{js,cjs,mjs},
    ecosystem*.json and ecosystem*.{yml,yaml}, skipping node_modules, .git and what .gitignore
    or the exclude settings leave out.

    Exit status: 0 no errors (warnings alone pass), 1 errors found, 2 usage, settings or internal error.
    """
    if os.environ.get("PORTLINT_PHASES") == "1":
        import time

        os.environ["PORTLINT_T_CLI"] = repr(time.time())
    from portlint.commands.options import EXIT_ERROR, EXIT_PROBLEMS, Fatal, Options  # not needed by --help/--version
    from portlint.report.output import OutputError

    try:
        code = run(Options(paths=tuple(paths), **options))
    except (Fatal, OutputError) as exc:
        click.echo(f"portlint: {exc}", err=True)
        code = EXIT_ERROR
    except BrokenPipeError:  # `portlint ... | head`: the reader left; that is not our error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = EXIT_PROBLEMS
    except KeyboardInterrupt:
        click.echo("portlint: interrupted", err=True)
        code = EXIT_ERROR
    except Exception as exc:  # never a traceback: one line, exit 2
        click.echo(f"portlint: internal error: {type(exc).__name__}: {exc}", err=True)
        code = EXIT_ERROR
    from portlint.engine.timing import report

    report()
    sys.exit(code)


def run(options: Options) -> int:
    """Run the command the options ask for and return its exit code."""
    from portlint.commands.session import load_registry

    registry = load_registry()
    mode = options.mode
    if options.env is not None and mode != "resolved":
        from portlint.commands.options import Fatal

        raise Fatal("--env goes with --show-resolved")
    if mode == "catalog":
        from portlint.commands.catalog import run_catalog

        return run_catalog(options, registry)
    if mode == "resolved":
        from portlint.commands.resolved import run_resolved

        return run_resolved(options, registry)
    if mode in ("map", "free"):
        from portlint.commands.portmap import run_portmap

        return run_portmap(options, registry)
    from portlint.commands.lint import run_lint

    return run_lint(options, registry)


def __getattr__(name: str):
    """The exit codes, Fatal and Options moved to portlint.commands.options; the old names still answer."""
    if name in ("EXIT_CLEAN", "EXIT_ERROR", "EXIT_PROBLEMS", "Fatal", "Options"):
        from portlint.commands import options

        return getattr(options, name)
    raise AttributeError(name)


def _use_color(choice: str, stream) -> bool:
    """Kept for callers of the old name; see portlint.commands.lint.use_color."""
    from portlint.commands.lint import use_color

    return use_color(choice, stream)


def main() -> None:
    import gc

    # Parsing makes many small objects and few cycles: collecting less often saves a fifth of a run.
    gc.set_threshold(50_000, 20, 100)
    for stream in (sys.stdout, sys.stderr):  # a name that is not UTF-8 never ends the run mid-report
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    cli(prog_name="portlint")


def console_main() -> None:
    """The ``portlint`` command (and ``python -m portlint``): ``main``, then the early exit. A
    program that calls ``main`` itself gets its SystemExit as usual."""
    try:
        main()
    except SystemExit as stop:
        exit_now(stop.code)


def exit_now(code) -> None:
    """End the process as soon as the report is out: flush, run the atexit handlers, and skip the
    teardown of every module and object, which costs a fifth of a one-file run (about 20 ms). A run
    that leaves another thread alive, or an exit that is not a number, ends the normal way."""
    import atexit
    import threading

    if not isinstance(code, (int, type(None))) or threading.active_count() > 1 or not hasattr(atexit, "_run_exitfuncs"):
        raise SystemExit(code)
    code = code or 0
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except BrokenPipeError:  # the reader left (`portlint | head`): not our error
            pass
        except (OSError, ValueError) as exc:  # a full disk behind a redirect: say so once
            os.write(2, f"portlint: cannot write the report: {exc}\n".encode(errors="backslashreplace"))
            code = 2
    os._exit(code)
