"""--show-resolved: print what PM2 would run, as portlint resolved it, without running anything."""
from __future__ import annotations

from portlint.commands.options import EXIT_CLEAN, EXIT_PROBLEMS, Fatal, Options
from portlint.commands.session import open_session, write_output

RESOLVED_FORMATS = ("text", "json")


def run_resolved(options: Options, registry) -> int:
    """Every config under PATHS, per environment (or only --env NAME), app and instance. Exit 1 when
    PM2 would start nothing from a config (PL003), else 0: the findings are the lint's job."""
    if options.output_format not in RESOLVED_FORMATS:
        raise Fatal(f"--format: --show-resolved is printed as {', '.join(RESOLVED_FORMATS)}, "
                    f"not {options.output_format!r}")
    from portlint.model.resolution import resolve
    from portlint.report.resolved import render_json, render_text

    session = open_session(options, registry, use_cache=False)
    result = session.run(keep_configs=True)
    resolved = [resolve(config, options.env) for config in sorted(result.configs, key=lambda c: c.path)]
    render = render_json if options.output_format == "json" else render_text
    write_output(options, render(resolved))
    return EXIT_PROBLEMS if any(not r.starts for r in resolved) else EXIT_CLEAN
