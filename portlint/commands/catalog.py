"""The catalog commands: --list-rules prints every rule, --explain CODE one rule's documentation."""
from __future__ import annotations

import click

from portlint.commands.options import EXIT_CLEAN, Fatal, Options


def run_catalog(options: Options, registry) -> int:
    from portlint.report.catalog import explain, list_rules

    if options.list_rules:
        click.echo(list_rules(registry), nl=False)
        return EXIT_CLEAN
    text = explain(registry, options.explain.strip().upper())
    if text is None:
        raise Fatal(f"--explain: unknown rule code or name {options.explain!r}{registry.did_you_mean(options.explain)} "
                    "(see --list-rules)")
    click.echo(text, nl=False)
    return EXIT_CLEAN
