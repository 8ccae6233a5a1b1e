"""``portlint --help`` in sections, as ruff groups its options, through click's own formatter hooks."""
from __future__ import annotations

import click

# (title, option names as click names them); every option is in exactly one section (a test checks).
SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Output", ("output_format", "output_file", "quiet", "statistics", "count", "show_source", "color",
                "exit_zero", "max_warnings")),
    ("Rule selection", ("select", "ignore", "extend_select", "extend_ignore", "per_file_ignores", "disable_noqa")),
    ("Fixes", ("fix", "unsafe_fixes", "diff", "show_fixes", "allow_dirty")),
    ("Files and exclusion", ("extend_exclude", "force_exclude", "stdin_filename")),
    ("Settings", ("config_file", "isolated", "role", "extend_labels")),
    ("Port map and PortOS", ("port_map", "next_free", "portos_url", "portos_timeout")),
    ("Performance", ("jobs", "no_cache", "cache_dir", "max_seconds_per_run")),
    ("What PM2 runs", ("show_resolved", "env", "cpus")),
    ("Rules and help", ("list_rules", "explain", "version", "help")),
)
COLUMN_MAX = 30


class GroupedCommand(click.Command):
    """A click command whose --help lists the options under the SECTIONS titles instead of one flat list."""

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        records = {}
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx) if isinstance(param, click.Option) else None
            if record:
                name = "help" if ctx.help_option_names and set(param.opts) & set(ctx.help_option_names) else param.name
                records[name] = record
        # one width for the first column of every section, so the sections line up as one table
        width = min(COLUMN_MAX, max(len(term) for term, _ in records.values()))
        sections = [(title, [records.pop(name) for name in names if name in records]) for title, names in SECTIONS]
        sections.append(("Other options", list(records.values())))  # an option added without a section still shows
        for title, rows in sections:
            if rows:
                with formatter.section(title):
                    formatter.write_dl([(term.ljust(width), text) for term, text in rows], col_max=COLUMN_MAX)
