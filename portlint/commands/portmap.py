"""The port-map commands: --map prints the allocation table, --next-free the first free block (both together: both)."""
from __future__ import annotations

import json

import click

from portlint.commands.options import EXIT_CLEAN, EXIT_PROBLEMS, Fatal, Options
from portlint.commands.session import open_session, write_output

MAP_FORMATS = ("text", "markdown", "json", "html")


class FreeBlock:
    """The answer of --next-free: the first block of `size` free ports in a range, or none."""

    def __init__(self, size: int, range_name: str, low: int, high: int, block: tuple[int, int] | None):
        self.size, self.range_name, self.low, self.high, self.block = size, range_name, low, high, block

    def text(self) -> str:
        start, end = self.block
        return f"{start}-{end}" if end != start else f"{start}"

    def as_json(self) -> dict:
        start, end = self.block
        return {"start": start, "end": end, "size": self.size, "range": [self.low, self.high]}

    def none_found(self) -> str:
        return (f"no block of {self.size} free port{'s' if self.size != 1 else ''} in the {self.range_name} range "
                f"{self.low}-{self.high}")


def run_portmap(options: Options, registry) -> int:
    """--map and/or --next-free N."""
    if options.port_map and options.output_format not in MAP_FORMATS:
        raise Fatal(f"--format: the port map is printed as {', '.join(MAP_FORMATS)}, not {options.output_format!r}")
    session = open_session(options, registry, use_cache=False)
    result = session.run(keep_configs=True)
    unchecked = dict(result.unchecked)  # configs a time limit stopped: their ports are not known
    free = None
    if options.next_free and not unchecked:
        free = find_free_block(result.configs, session.first_settings(), options, session.external)
    if unchecked:
        click.echo(f"portlint: {result.unchecked_notice()}", err=True)
    if not options.port_map:
        if unchecked:  # a block offered now could be ports an unchecked config uses
            raise Fatal(f"--next-free: {NOT_KNOWN}")
        return _print_free_block(options, free)
    code = _print_map(options, result, session, free, unchecked)
    if unchecked and options.next_free:
        raise Fatal(f"--next-free: {NOT_KNOWN}")
    return EXIT_PROBLEMS if unchecked else code


#: Why --next-free offers no block when a time limit left a config unchecked.
NOT_KNOWN = ("cannot tell which ports are free: a time limit stopped a config before its ports were known "
             "(raise the limit named above)")


def search_range(settings, options: Options) -> tuple[str, int, int]:
    """The range --next-free searches: the role's (--role, else the settings); 'any' searches user."""
    role = options.role or settings.role
    return settings.search_range(role)


def find_free_block(configs, settings, options: Options, external: list) -> FreeBlock:
    from portlint.report import portmap
    from portlint.report.freeblock import first_free_block

    name, low, high = search_range(settings, options)
    taken = {r.port for r in portmap.rows_of(configs) if not r.connection}
    for config in configs:
        if config.ports is not None:
            for entry in config.ports.entries:
                taken |= entry.ports
    taken |= {p.port for p in external}
    block = first_free_block(options.next_free, low, high, taken, settings.is_well_known)
    return FreeBlock(options.next_free, name, low, high, block)


def _print_free_block(options: Options, free: FreeBlock) -> int:
    if free.block is None:
        click.echo(f"portlint: {free.none_found()}", err=True)
        return EXIT_PROBLEMS
    write_output(options, json.dumps(free.as_json()) + "\n" if options.output_format == "json" else free.text() + "\n")
    return EXIT_CLEAN


def _print_map(options: Options, result, session, free: FreeBlock | None, unchecked: dict[str, str]) -> int:
    """The map in the chosen format, marked from this run's diagnostics; with --portos-url, beside
    the live apps list; with --next-free, the free block inside it (exit 1 when there is none);
    configs a time limit left unchecked are listed after it (in JSON: ``unchecked``)."""
    from portlint.report import portmap
    from portlint.report.marks import marks_of

    configs = result.configs
    parsed = {c.path for c in configs}
    # files that did not parse still show what PortOS lists; configs a time limit stopped show nothing
    rows = portmap.rows_of(configs, [s for p, s in result.sources.items() if p not in parsed and p not in unchecked])
    marks = marks_of(result.diagnostics)
    portmap.apply_marks(rows, marks)
    live = None
    if options.portos_url:
        from portlint.report.live import compare

        live = compare(rows, session.external, options.portos_url)
    block = free.block if free is not None else None
    fmt = options.output_format
    if fmt == "html":
        from portlint.report.htmlmap import render_html

        text = render_html(rows, session.resolver.default(), marks, block, live=live, unchecked=unchecked)
    elif fmt == "json":
        data = json.loads(portmap.render_json(rows, marks, live))
        if free is not None or (unchecked and options.next_free):
            data["next_free"] = free.as_json() if block else None
        if unchecked:
            data["unchecked"] = [{"file": path, "reason": why} for path, why in unchecked.items()]
        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    else:
        text = (portmap.render_markdown if fmt == "markdown" else portmap.render_text)(rows, marks, live)
        if unchecked:
            from portlint.report.formats.escape import printable

            text += ("\nNot checked (a time limit stopped them; their ports are not in this map):\n"
                     + "".join(f"{'- ' if fmt == 'markdown' else '  '}{printable(path)}: {printable(why)}\n"
                               for path, why in unchecked.items()))
        if free is not None:
            found = (f"Next free block of {free.size} in the {free.range_name} range {free.low}-{free.high}: "
                     f"{free.text()}") if block else f"No free block: {free.none_found()}"
            text += "\n" + found + "\n"
        elif unchecked and options.next_free:
            text += f"\nNo free block: {NOT_KNOWN}\n"
    write_output(options, text)
    return EXIT_PROBLEMS if free is not None and block is None else EXIT_CLEAN
