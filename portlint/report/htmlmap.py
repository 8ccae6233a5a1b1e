"""The port map as one self-contained HTML page with inline SVG: rulers for the core, reserved and
user ranges (and any port outside them), a coloured cell per port and process, the marks lint's
diagnostics put on ports (collisions, gaps, well-known and out-of-range ports, ports PortOS will
not list), hover text from the PORTS comments and PortOS's labels, the next free block highlighted,
and with ``--portos-url`` the differences from the live PortOS. No scripts, no fonts, no network:
it opens anywhere and prints."""
from __future__ import annotations

import colorsys
from dataclasses import dataclass
from portlint.report.formats.escape import html as escape  # the one HTML escaper: markup and invisible characters

from portlint.model.portsets import runs
from portlint.report.marks import MARK_CODES, Marks
from portlint.report.portmap import MapRow

CELLS = 10  # ports per ruler row
W, H, GAP = 116, 54, 4
LEFT, TOP = 8, 8
#: The class (and so the drawing) of each mark code.
MARK_CLASS = {"PL203": "collision", "PL201": "gap", "PL202": "out-of-range", "PL301": "well-known",
              "PL502": "not-in-portos"}
_KEY = {"PL203": "collision", "PL201": "gap", "PL202": "range", "PL301": "wk", "PL502": "portos"}


@dataclass
class Section:
    title: str
    ports: list[int]
    kind: str  # core | reserved | user | outside


def _colour(index: int) -> str:
    hue = (index * 0.618033988749895) % 1.0
    r, g, b = colorsys.hls_to_rgb(hue, 0.55, 0.55)
    return f"#{int(r * 255):02x}{int(g * 255):02x}{int(b * 255):02x}"


def _attr(text: str) -> str:
    return escape(text)  # quotes too


def render_html(rows: list[MapRow], settings, marks: Marks | None = None, free: tuple[int, int] | None = None,
                title: str = "Port map", live=None, unchecked: dict[str, str] | None = None) -> str:
    marks = marks or Marks()
    portos_only = [r for r in rows if r.portos_only]
    own = [r for r in rows if r.kind in ("listen", "shared")]
    used_by: dict[int, list[str]] = {}
    for r in rows:
        if r.kind == "reference" and not r.portos_only and r.process not in used_by.setdefault(r.port, []):
            used_by[r.port].append(r.process)
    files = sorted({r.file for r in own})
    colour = {f: _colour(i) for i, f in enumerate(files)}
    by_port: dict[int, list[MapRow]] = {}
    for r in own:
        by_port.setdefault(r.port, []).append(r)
    sections: list[Section] = []
    in_ranges: set[int] = set()
    for name, low, high in settings.ranges:
        sections.append(Section(f"{name} {low}-{high}", list(range(low, high + 1)), name))
        in_ranges |= set(range(low, high + 1))
    live_only = live.only_live if live else []
    drawn = set(by_port) | marks.ports() | {p.port for p in live_only}
    for low, high in runs(sorted(p for p in drawn if p not in in_ranges)):
        sections.append(Section(f"outside the ranges {low}" + (f"-{high}" if high != low else ""),
                                list(range(low, high + 1)), "outside"))
    context = _Context(by_port, marks, colour, free, used_by, portos_only, rows, live_only)
    svgs = [_section_svg(section, context) for section in sections]
    collisions = sum(1 for p in drawn if "PL203" in marks.codes_at(p))
    legend_files = "\n".join(
        f'<li><span class="swatch" style="background:{colour[f]}"></span><code>{escape(f)}</code> '
        f'<span class="muted">{len({r.process for r in own if r.file == f})} process(es), '
        f'{len({r.port for r in own if r.file == f})} port(s)</span></li>' for f in files)
    free_text = (f'<p class="free">Next free block: <strong>{free[0]}' + (f"-{free[1]}" if free[1] != free[0] else "")
                 + "</strong></p>") if free else ""
    if unchecked:  # configs a time limit stopped: say so above the rulers, never leave them out silently
        free_text += ('<p class="unchecked"><strong>Not checked</strong> (a time limit stopped them; their ports '
                      'are not in this map):</p>\n<ul>' + "".join(
                          f"<li><code>{escape(path)}</code>: {escape(why)}</li>" for path, why in unchecked.items())
                      + "</ul>")
    keys = "\n".join(f'<li data-codes="{code}"><span class="key {_KEY[code]}"></span>{escape(text)} ({code})</li>'
                     for code, text in MARK_CODES.items())
    if live:
        keys += ('\n<li><span class="key live"></span>the live PortOS apps list differs here from the PortOS column '
                 f"({escape(live.url)}; {live.differences} difference(s))</li>")
    return PAGE.format(
        title=escape(title), n_configs=len(files), n_ports=len(by_port), collisions=collisions,
        sections="\n".join(svgs), legend_files=legend_files, free=free_text, keys=keys,
        portos=_portos_legend(rows, live_only))


@dataclass
class _Context:
    by_port: dict
    marks: Marks
    colour: dict
    free: tuple[int, int] | None
    used_by: dict
    portos_only: list
    rows: list
    live_only: list


def _portos_legend(rows: list[MapRow], live_only) -> str:
    """The PortOS apps list the map predicts, per config and process (what the PortOS column says)."""
    listed: dict[str, dict[str, list[str]]] = {}
    for r in sorted(rows, key=lambda r: (r.file, r.port)):
        if r.portos is not None:
            shown = listed.setdefault(r.file, {}).setdefault(r.process, [])
            entry = f"{r.portos} {r.port}"
            if entry not in shown:
                shown.append(entry)
    items = [f"<li><code>{escape(f)}</code>: " + "; ".join(
        f"{escape(p)} ({escape(', '.join(labels))})" for p, labels in processes.items()) + "</li>"
             for f, processes in listed.items()]
    items += [f"<li>only in the live PortOS: {escape(p.app)} / {escape(p.process)} ({escape(p.label or '-')} "
              f"{p.port})</li>" for p in live_only]
    return "\n".join(items) or "<li>nothing: PortOS will list no port of these configs</li>"


def _owners_of(users: list[MapRow]) -> list[tuple[str, str]]:
    """Who holds a port: each listening process, and a shared entry once (as "shared")."""
    return sorted({(r.file, r.process if r.kind == "listen" else "shared") for r in users})


def _section_svg(section: Section, c: _Context) -> str:
    ports = section.ports
    rows_n = (len(ports) + CELLS - 1) // CELLS
    width = LEFT * 2 + CELLS * (W + GAP)
    height = TOP * 2 + rows_n * (H + GAP)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="ruler ruler-{section.kind}" '
             f'viewBox="0 0 {width} {height}" width="100%" role="img" aria-label="{_attr(section.title)}">']
    for i, port in enumerate(ports):
        x = LEFT + (i % CELLS) * (W + GAP)
        y = TOP + (i // CELLS) * (H + GAP)
        users = c.by_port.get(port, [])
        processes = sorted({(r.file, r.process) for r in users})
        codes = c.marks.codes_at(port)
        classes = ["cell"]
        tips = [f"{port}"]
        fill = "var(--free)"
        if users:
            classes.append("used")
            fill = c.colour[users[0].file]
        for code in codes:
            classes.append(MARK_CLASS[code])
            where = sorted({f for (f, p), found in c.marks.by_place.items() if p == port and code in found})
            tips.append(f"{code}: {MARK_CODES[code]} ({', '.join(where)})")
        if c.free and c.free[0] <= port <= c.free[1]:
            classes.append("next-free")
            tips.append("in the next free block")
        for r in users:
            tips.append(f"{r.process} ({r.label or '-'}{', shared' if r.kind == 'shared' else ''}) {r.file}:{r.row}"
                        + (f" - {r.description}" if r.description else "")
                        + (f"; PortOS lists it as {r.portos}" if r.portos else "; PortOS will not list it"))
        if c.used_by.get(port):
            tips.append("used by " + ", ".join(c.used_by[port]))
        for r in (r for r in c.portos_only if r.port == port):
            tips.append(f"PortOS also lists {r.process} ({r.portos}) here, where portlint sees no port of it")
        differs = [r for r in c.rows if r.port == port and r.live_differs]
        for r in differs:
            tips.append(f"live PortOS: {r.process} " + (f"listed as {r.live}" if r.live else "not listed")
                        + f" (predicted: {r.portos or 'not listed'})")
        for p in (p for p in c.live_only if p.port == port):
            tips.append(f"live PortOS lists {p.app} / {p.process} ({p.label or '-'}) here; no config here does")
        if differs or any(p.port == port for p in c.live_only):
            classes.append("live-differs")
        if not users and not codes and "next-free" not in classes:
            tips.append("free")
        parts.append(f'<g class="{" ".join(classes)}" data-port="{port}" data-codes="{" ".join(codes)}" '
                     f'data-processes="{_attr(";".join(f"{f}|{p}" for f, p in processes))}">')
        parts.append(f"<title>{escape(chr(10).join(tips))}</title>")
        parts.append(f'<rect x="{x}" y="{y}" width="{W}" height="{H}" rx="5" fill="{fill}" />')
        parts.append(f'<text x="{x + 6}" y="{y + 14}" class="port">{port}</text>')
        if "well-known" in classes:
            parts.append(f'<path d="M{x + W - 16},{y + 4} l10,0 l-5,9 z" class="mark-well-known" />')
        if "not-in-portos" in classes:
            parts.append(f'<circle cx="{x + W - 10}" cy="{y + H - 12}" r="4" class="mark-not-in-portos" />')
        if "live-differs" in classes:
            parts.append(f'<rect x="{x + W - 30}" y="{y + H - 16}" width="8" height="8" class="mark-live" />')
        if "out-of-range" in classes:
            parts.append(f'<rect x="{x}" y="{y + H - 5}" width="{W}" height="5" class="mark-range" />')
        names = [p for _, p in processes]
        if names:
            label = users[0].label
            parts.append(f'<text x="{x + 6}" y="{y + 31}" class="name">{escape(_short(names[0]))}</text>')
            extra = f"+{len(names) - 1} more" if len(names) > 1 else (label or "")
            parts.append(f'<text x="{x + 6}" y="{y + 46}" class="label">{escape(_short(extra))}</text>')
        parts.append("</g>")
    parts.append("</svg>")
    return f'<section><h2>{escape(section.title)}</h2>\n' + "\n".join(parts) + "\n</section>"


def _short(text: str, limit: int = 17) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
:root {{ --bg: #ffffff; --fg: #1b1f24; --muted: #57606a; --free: #eef1f4; --line: #d0d7de;
         --collision: #d1242f; --gap: #bf8700; --next: #1a7f37; --range: #fb8500; --live: #8250df; }}
@media (prefers-color-scheme: dark) {{
  :root {{ --bg: #0d1117; --fg: #e6edf3; --muted: #8d96a0; --free: #1c2128; --line: #30363d;
           --collision: #ff6b6b; --gap: #e3b341; --next: #3fb950; --range: #ffa657; --live: #bc8cff; }}
}}
@media print {{
  :root {{ --bg: #ffffff; --fg: #000000; --muted: #444444; --free: #f3f3f3; --line: #999999; }}
  section {{ break-inside: avoid; }}
}}
body {{ background: var(--bg); color: var(--fg); font: 14px/1.4 system-ui, sans-serif; margin: 24px; max-width: 1400px; }}
h1 {{ font-size: 20px; margin: 0 0 4px; }} h2 {{ font-size: 15px; margin: 20px 0 6px; }}
.muted {{ color: var(--muted); }}
svg {{ display: block; max-width: 1300px; }}
svg text {{ fill: #111; font: 12px system-ui, sans-serif; }}
svg .free-cell text, svg g:not(.used) text {{ fill: var(--muted); }}
svg .port {{ font-weight: 600; }} svg .label {{ font-size: 11px; }}
svg g:not(.used) rect:first-of-type {{ stroke: var(--line); }}
svg g.collision rect:first-of-type {{ stroke: var(--collision); stroke-width: 4; }}
svg g.gap rect:first-of-type {{ stroke: var(--gap); stroke-width: 2; stroke-dasharray: 5 3; }}
svg g.next-free rect:first-of-type {{ stroke: var(--next); stroke-width: 4; }}
svg .mark-well-known {{ fill: #f5c400; stroke: #111; stroke-width: 0.8; }}
svg .mark-range {{ fill: var(--range); }}
svg .mark-not-in-portos {{ fill: none; stroke: #111; stroke-width: 1.5; }}
svg .mark-live {{ fill: var(--live); stroke: #111; stroke-width: 0.8; }}
ul.legend {{ list-style: none; padding: 0; columns: 2 360px; }}
ul.legend li {{ margin: 2px 0; break-inside: avoid; }}
.swatch {{ display: inline-block; width: 12px; height: 12px; border-radius: 3px; vertical-align: -1px; margin-right: 4px; border: 1px solid var(--line); }}
.key {{ display: inline-block; width: 22px; height: 14px; border-radius: 3px; vertical-align: -2px; margin-right: 6px; background: var(--free); }}
.key.collision {{ outline: 3px solid var(--collision); }} .key.gap {{ outline: 2px dashed var(--gap); }}
.key.next {{ outline: 3px solid var(--next); }} .key.range {{ border-bottom: 4px solid var(--range); }}
.key.wk {{ background: #f5c400; }} .key.portos {{ border: 1.5px solid var(--fg); border-radius: 50%; width: 10px; height: 10px; }}
.key.live {{ background: var(--live); }}
.free {{ color: var(--next); }}
</style>
</head>
<body>
<h1>{title}</h1>
<p class="muted">{n_configs} config(s), {n_ports} port(s) in use, {collisions} collision(s). Hover a port for its process, file:line and PORTS comment.</p>
{free}
{sections}
<h2>Legend</h2>
<p class="muted">Every mark is a finding of <code>portlint</code> for the same paths and settings (the code in brackets; <code>data-codes</code> on each cell).</p>
<ul class="legend-keys">
<li><span class="key"></span>free port</li>
{keys}
<li><span class="key next"></span>the next free block (--next-free)</li>
</ul>
<h2>What PortOS will list</h2>
<p class="muted">The PortOS apps list these configs give, by PortOS's own reading of the files (hover a port for its label).</p>
<ul class="legend">
{portos}
</ul>
<h2>Configs</h2>
<ul class="legend">
{legend_files}
</ul>
</body>
</html>
"""
