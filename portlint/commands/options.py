"""What the command line asked for, as one typed, frozen value (built by ``portlint.cli``)."""
from __future__ import annotations

from dataclasses import dataclass

EXIT_CLEAN, EXIT_PROBLEMS, EXIT_ERROR = 0, 1, 2


class Fatal(Exception):
    """A usage, settings or environment problem: one line on stderr, exit 2."""


@dataclass(frozen=True, eq=False)  # never compared; eq would cost start-up time (a __hash__ too)
class Options:
    """Every command-line option, named as click names them; defaults are click's defaults."""

    paths: tuple[str, ...] = ()
    # output
    output_format: str = "text"
    output_file: str | None = None
    max_warnings: int | None = None
    exit_zero: bool = False
    quiet: bool = False
    statistics: bool = False
    count: bool = False
    show_source: bool = False
    color: str = "auto"
    # rule selection
    select: str | None = None
    ignore: str | None = None
    extend_select: str | None = None
    extend_ignore: str | None = None
    per_file_ignores: tuple[str, ...] = ()
    disable_noqa: bool = False
    # fixes
    fix: bool = False
    unsafe_fixes: bool = False
    diff: bool = False
    show_fixes: bool = False
    allow_dirty: bool = False
    # files and exclusion
    extend_exclude: str | None = None
    force_exclude: bool = False
    stdin_filename: str | None = None
    # settings
    config_file: str | None = None
    isolated: bool = False
    role: str | None = None
    extend_labels: str | None = None
    # port map and PortOS
    port_map: bool = False
    next_free: int | None = None
    portos_url: str | None = None
    portos_timeout: float = 5.0
    # what PM2 would run
    show_resolved: bool = False
    env: str | None = None
    cpus: int | None = None
    # performance
    jobs: int | None = None
    no_cache: bool = False
    cache_dir: str | None = None  # None: .portlint_cache, which is not followed when it is a link
    max_seconds_per_run: float | None = None
    # the rule catalog
    list_rules: bool = False
    explain: str | None = None

    @property
    def mode(self) -> str:
        """Which command runs: catalog, resolved (--show-resolved), map (--map, with --next-free too),
        free (--next-free) or lint."""
        if self.list_rules or self.explain:
            return "catalog"
        if self.show_resolved:
            return "resolved"
        if self.port_map:
            return "map"
        return "free" if self.next_free else "lint"

    def settings_overrides(self) -> dict:
        """The options that are settings, as a settings table (validated like a settings file)."""
        table: dict = {}
        for key in ("select", "ignore", "extend_select", "extend_ignore", "extend_labels", "extend_exclude"):
            value = getattr(self, key)
            if value is not None:
                table[key.replace("_", "-")] = split_codes(value)
        if self.role:
            table["role"] = self.role
        if self.max_seconds_per_run is not None:
            table["max-seconds-per-run"] = self.max_seconds_per_run
        if self.cpus is not None:
            table["cpus"] = self.cpus
        if self.per_file_ignores:
            entries: dict = {}
            for item in self.per_file_ignores:
                glob, sep, codes = item.rpartition(":")
                if not sep or not glob:
                    raise Fatal(f"--per-file-ignores: {item!r} is not GLOB:CODES (e.g. 'legacy/*:PL4')")
                entries.setdefault(glob, []).extend(split_codes(codes))
            table["per-file-ignores"] = entries
        return table


def split_codes(text: str) -> list[str]:
    """'PL4, PL502' -> ['PL4', 'PL502']."""
    return [part.strip() for part in text.split(",") if part.strip()]
