"""``--list-rules``, ``--explain CODE`` (plain text) and docs/rules.md (Markdown), from each rule's docstring."""
from __future__ import annotations

import re
import textwrap

WIDTH = 92
_LITERAL = re.compile(r"``(.+?)``")
_SECTION = re.compile(r"^(Bad|Good|Options|Why)\s*(\([^)]*\))?:\s*$")

#: The settings each built-in rule reads, named as in settings files. A rule may declare its own
#: ``settings_keys`` (a plugin's rule, or a built-in one that moves this fact next to its code).
RULE_SETTINGS: dict[str, tuple[str, ...]] = {
    "PL202": ("role", "per-file-roles", "ranges"),
    "PL301": ("well-known-ports", "extend-well-known-ports", "allowed-ports"),
    "PL501": ("labels", "extend-labels"),
    "PL503": ("labels", "extend-labels"),
}


def list_rules(registry) -> str:
    rows = [("code", "name", "severity", "fix", "default")]
    for code, rule in registry.rules.items():
        rows.append((code, rule.name, rule.severity, rule.fixable or "-",
                     "on" if rule.enabled_by_default else "off"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    return "\n".join(lines) + "\n"


def find_rule(registry, code: str):
    """A rule by its code (PL201) or its name (port-gap), or None."""
    rule = registry.rules.get(code.upper())
    if rule is None:
        rule = {r.name: r for r in registry.rules.values()}.get(code.lower())
    return rule


def explain(registry, code: str) -> str | None:
    """The documentation of one rule as plain text for a terminal, or None for an unknown code."""
    rule = find_rule(registry, code)
    return None if rule is None else explain_rule(rule)


def explain_rule(rule) -> str:
    """One rule's documentation as plain text (--explain, and SARIF's help text)."""
    header = f"{rule.code} {rule.name}"
    out = [header, "=" * len(header), facts(rule), ""]
    for kind, lines in blocks(rule):
        if kind == "code":
            out += lines + [""]
        elif kind == "section":
            out.append(lines[0])
        else:
            out += textwrap.wrap(" ".join(lines), WIDTH) + [""]
    from portlint.model import advice

    for line in advice.markdown(rule.code):
        out += textwrap.wrap(line.replace("**", ""), WIDTH, subsequent_indent="  ") or [""]
    settings = rule_settings(rule)
    if settings:
        out.append("Settings (default values):")
        for key, default in settings:
            out += textwrap.wrap(f"{key}: {default}", WIDTH, initial_indent="    ", subsequent_indent="        ")
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def rule_markdown(rule) -> list[str]:
    """One rule's section of docs/rules.md."""
    out = [f'<a id="{rule.code.lower()}"></a>', f"## {rule.code} {rule.name}", "", facts(rule), ""]
    for kind, lines in blocks(rule, markdown=True):
        if kind == "code":
            lang = {"json": "json", "yml": "yaml", "yaml": "yaml"}.get(rule.example_filename.rsplit(".", 1)[-1], "js")
            out += [f"```{lang}", *textwrap.dedent("\n".join(lines)).splitlines(), "```", ""]
        elif kind == "section":
            out += [f"**{lines[0].rstrip(':')}:**", ""]
        else:
            out += textwrap.wrap(" ".join(lines), WIDTH, break_on_hyphens=False) + [""]
    from portlint.model import advice

    out += advice.markdown(rule.code)
    settings = rule_settings(rule)
    if settings:
        out += ["**Settings:**", "", "| setting | default |", "|---|---|"]
        out += [f"| `{key}` | {default.replace('|', chr(92) + '|')} |" for key, default in settings] + [""]
    return out


def facts(rule) -> str:
    return (f"severity: {rule.severity}; enabled by default: {'yes' if rule.enabled_by_default else 'no'}; "
            f"fix: {rule.fixable or 'none'}")


def blocks(rule, markdown: bool = False) -> list[tuple[str, list[str]]]:
    """The docstring as ('prose' | 'section' | 'code', lines), with settings named as in settings files.

    A docstring's own ``Options:`` list is left out where the generated settings table replaces it."""
    doc = _setting_names(rule.doc())
    doc = _LITERAL.sub(r"`\1`" if markdown else r"\1", doc)
    out: list[tuple[str, list[str]]] = []
    skipping = False
    for line in doc.splitlines():
        indented = line.startswith((" ", "\t"))
        if _SECTION.match(line):
            skipping = line.startswith("Options") and bool(rule_settings(rule))
            if not skipping:
                out.append(("section", [line.strip()]))
            continue
        if not line.strip():
            out.append(("blank", []))
            continue
        if indented and skipping:
            continue
        skipping = False
        kind = "code" if indented else "prose"
        if out and out[-1][0] == kind:
            out[-1][1].append(line)
        else:
            out.append((kind, [line]))
    # a blank line inside a code block belongs to it; elsewhere it only ends a paragraph
    merged: list[tuple[str, list[str]]] = []
    for i, (kind, lines) in enumerate(out):
        if kind == "blank":
            before, after = merged[-1][0] if merged else None, out[i + 1][0] if i + 1 < len(out) else None
            if before == "code" and after == "code":
                merged[-1][1].append("")
                merged.append(("join", []))
            continue
        if kind == "code" and merged and merged[-1][0] == "join":
            merged.pop()
            merged[-1][1].extend(lines)
            continue
        merged.append((kind, list(lines)))
    return [b for b in merged if b[0] != "join"]


def _setting_names(doc: str) -> str:
    """``allowed_ports`` -> ``allowed-ports``: the docs name settings as settings files spell them."""
    from portlint.settings.settings import KNOWN_KEYS

    for key in sorted(KNOWN_KEYS, key=len, reverse=True):
        if "-" in key:
            doc = re.sub(rf"\b{re.escape(key.replace('-', '_'))}\b", key, doc)
    return doc


def rule_settings(rule) -> list[tuple[str, str]]:
    """(settings key, its default, as text) for every setting the rule reads."""
    keys = getattr(rule, "settings_keys", None) or RULE_SETTINGS.get(rule.code, ())
    return [(key, default_of(key)) for key in keys]


def default_of(key: str) -> str:
    """A setting's default value, written as a settings file would."""
    from portlint.settings.settings import Settings

    defaults = Settings()
    if key == "ranges":
        return ", ".join(f"{name} {low}-{high}" for name, low, high in defaults.ranges)
    if key == "well-known-ports":
        return port_list(defaults.well_known)
    value = getattr(defaults, key.replace("-", "_"), None)
    if key == "labels" or key == "role":
        return ", ".join(value) if isinstance(value, tuple) else str(value)
    if value:
        return port_list(value) if isinstance(value, frozenset) else ", ".join(map(str, value))
    return "none"


def port_list(ports) -> str:
    """{1, 2, 3, 80} -> '1-3, 80'."""
    runs: list[list[int]] = []
    for port in sorted(ports):
        if runs and port == runs[-1][1] + 1:
            runs[-1][1] = port
        else:
            runs.append([port, port])
    return ", ".join(f"{a}-{b}" if a != b else f"{a}" for a, b in runs)


def rules_markdown(registry) -> str:
    """docs/rules.md: every built-in rule's documentation, one section per code."""
    out = ["# portlint rules", "", "Generated from each rule's docstring by `python -m portlint.report.catalog > "
           "docs/rules.md`; `portlint --explain CODE` prints the same text.", ""]
    for rule in registry.rules.values():
        if rule.__module__.startswith("portlint.rules"):
            out += rule_markdown(rule)
    return "\n".join(out).rstrip("\n") + "\n"


if __name__ == "__main__":
    import os
    import sys

    from portlint.plugins import load_registry

    os.environ["PORTLINT_BUILTIN_ONLY"] = "1"
    sys.stdout.write(rules_markdown(load_registry()))
