"""The port map as one self-contained HTML page with inline SVG: rulers for the core, reserved and
user ranges (and any port outside them), a coloured cell per port and process, collisions, gaps,
well-known and out-of-range ports marked, hover text from the PORTS comments, and the next free
block highlighted. No scripts, no fonts, no network: it opens anywhere and prints."""
from __future__ import annotations

import colorsys
from dataclasses import dataclass
from xml.sax.saxutils import escape

from portlint.report.portmap import MapRow
from portlint.model.portsets import runs

CELLS = 10  # ports per ruler row
W, H, GAP = 116, 54, 4
LEFT, TOP = 8, 8


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
    return escape(text, {'"': "&quot;"})


def render_html(rows: list[MapRow], settings, configs_roles: dict[str, str], free: tuple[int, int] | None = None,
                title: str = "Port map", unchecked: dict[str, str] | None = None) -> str:
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
    # gaps: ports between a config's lowest and highest that it does not use
    gaps: dict[int, list[str]] = {}
    for f in files:
        used = sorted({r.port for r in own if r.file == f})
        for p in range(used[0], used[-1] + 1) if used and used[-1] - used[0] < 200 else []:
            if p not in used:
                gaps.setdefault(p, []).append(f)
    sections: list[Section] = []
    in_ranges: set[int] = set()
    for name, low, high in settings.ranges:
        sections.append(Section(f"{name} {low}-{high}", list(range(low, high + 1)), name))
        in_ranges |= set(range(low, high + 1))
    outside = sorted(p for p in by_port if p not in in_ranges)
    for low, high in runs(outside):
        sections.append(Section(f"outside the ranges {low}" + (f"-{high}" if high != low else ""),
                                list(range(low, high + 1)), "outside"))

    def out_of_range(row: MapRow) -> bool:
        role = configs_roles.get(row.file, settings.role)
        allowed = settings.allowed_range(role)
        return not any(lo <= row.port <= hi for _, lo, hi in allowed)

    svgs = []
    for section in sections:
        svgs.append(_section_svg(section, by_port, gaps, colour, settings, free, out_of_range, used_by, portos_only))
    collisions = sum(1 for p, rs in by_port.items() if len(_owners_of(rs)) > 1)
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
    return PAGE.format(
        title=escape(title), n_configs=len(files), n_ports=len(by_port), collisions=collisions,
        sections="\n".join(svgs), legend_files=legend_files, free=free_text)


def _owners_of(users: list[MapRow]) -> list[tuple[str, str]]:
    """Who holds a port: each listening process, and a shared entry once (as "shared")."""
    return sorted({(r.file, r.process if r.kind == "listen" else "shared") for r in users})


def _section_svg(section: Section, by_port, gaps, colour, settings, free, out_of_range, used_by, portos_only=()) -> str:
    ports = section.ports
    rows_n = (len(ports) + CELLS - 1) // CELLS
    width = LEFT * 2 + CELLS * (W + GAP)
    height = TOP * 2 + rows_n * (H + GAP)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="ruler ruler-{section.kind}" '
             f'viewBox="0 0 {width} {height}" width="100%" role="img" aria-label="{_attr(section.title)}">']
    for i, port in enumerate(ports):
        x = LEFT + (i % CELLS) * (W + GAP)
        y = TOP + (i // CELLS) * (H + GAP)
        users = by_port.get(port, [])
        processes = sorted({(r.file, r.process) for r in users})
        owners = _owners_of(users)
        classes = ["cell"]
        tips = [f"{port}"]
        fill = "var(--free)"
        if users:
            classes.append("used")
            fill = colour[users[0].file]
        if len(owners) > 1:
            classes.append("collision")
            tips.append(f"COLLISION: {len(owners)} processes listen on this port")
        if settings.is_well_known(port):
            classes.append("well-known")
            tips.append("well-known port")
        if any(out_of_range(r) for r in users):
            classes.append("out-of-range")
            tips.append("outside the range of its config's role")
        if port in gaps and not users:
            classes.append("gap")
            tips.append("gap inside the block of " + ", ".join(gaps[port]))
        if free and free[0] <= port <= free[1]:
            classes.append("next-free")
            tips.append("in the next free block")
        if any(r.portos is None for r in users):
            classes.append("not-in-portos")
            tips.append("not in the PortOS apps list (PL502)")
        for r in users:
            tips.append(f"{r.process} ({r.label or '-'}{', shared' if r.kind == 'shared' else ''}) {r.file}:{r.row}"
                        + (f" - {r.description}" if r.description else "")
                        + (f"; PortOS lists it as {r.portos}" if r.portos else ""))
        if used_by.get(port):
            tips.append("used by " + ", ".join(used_by[port]))
        for r in (r for r in portos_only if r.port == port):
            tips.append(f"PortOS also lists {r.process} ({r.portos}) here, where portlint sees no port of it")
        if not users and not free_or_gap(port, gaps, free):
            tips.append("free")
        parts.append(f'<g class="{" ".join(classes)}" data-port="{port}" '
                     f'data-processes="{_attr(";".join(f"{f}|{p}" for f, p in processes))}">')
        parts.append(f"<title>{escape(chr(10).join(tips))}</title>")
        parts.append(f'<rect x="{x}" y="{y}" width="{W}" height="{H}" rx="5" fill="{fill}" />')
        parts.append(f'<text x="{x + 6}" y="{y + 14}" class="port">{port}</text>')
        if "well-known" in classes:
            parts.append(f'<path d="M{x + W - 16},{y + 4} l10,0 l-5,9 z" class="mark-well-known" />')
        if "not-in-portos" in classes:
            parts.append(f'<circle cx="{x + W - 10}" cy="{y + H - 12}" r="4" class="mark-not-in-portos" />')
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


def free_or_gap(port, gaps, free) -> bool:
    return port in gaps or bool(free and free[0] <= port <= free[1])


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
         --collision: #d1242f; --gap: #bf8700; --next: #1a7f37; --range: #fb8500; }}
@media (prefers-color-scheme: dark) {{
  :root {{ --bg: #0d1117; --fg: #e6edf3; --muted: #8d96a0; --free: #1c2128; --line: #30363d;
           --collision: #ff6b6b; --gap: #e3b341; --next: #3fb950; --range: #ffa657; }}
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
ul.legend {{ list-style: none; padding: 0; columns: 2 360px; }}
ul.legend li {{ margin: 2px 0; break-inside: avoid; }}
.swatch {{ display: inline-block; width: 12px; height: 12px; border-radius: 3px; vertical-align: -1px; margin-right: 4px; border: 1px solid var(--line); }}
.key {{ display: inline-block; width: 22px; height: 14px; border-radius: 3px; vertical-align: -2px; margin-right: 6px; background: var(--free); }}
.key.collision {{ outline: 3px solid var(--collision); }} .key.gap {{ outline: 2px dashed var(--gap); }}
.key.next {{ outline: 3px solid var(--next); }} .key.range {{ border-bottom: 4px solid var(--range); }}
.key.wk {{ background: #f5c400; }}
.free {{ color: var(--next); }}
</style>
</head>
<body>
<h1>{title}</h1>
<p class="muted">{n_configs} config(s), {n_ports} port(s) in use, {collisions} collision(s). Hover a port for its process, file:line and PORTS comment.</p>
{free}
{sections}
<h2>Legend</h2>
<ul class="legend-keys">
<li><span class="key"></span>free port</li>
<li><span class="key collision"></span>collision: more than one process uses the port (PL203)</li>
<li><span class="key gap"></span>gap inside a config's block (PL201)</li>
<li><span class="key wk"></span>well-known port (PL301)</li>
<li><span class="key range"></span>outside the range of its config's role (PL202)</li>
<li><span class="key next"></span>the next free block (--next-free)</li>
<li><span class="key portos">&#9675;</span>not in the PortOS apps list (PL502); hover for the label PortOS shows</li>
</ul>
<h2>Configs</h2>
<ul class="legend">
{legend_files}
</ul>
</body>
</html>
"""
