"""``--list-rules`` and ``--explain CODE``: the rule docs, taken from each rule's docstring."""
from __future__ import annotations


def list_rules(registry) -> str:
    rows = [("code", "name", "severity", "fix", "default")]
    for code, rule in registry.rules.items():
        rows.append((code, rule.name, rule.severity, rule.fixable or "-", "on" if rule.enabled_by_default else "off"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    return "\n".join(lines) + "\n"


def explain(registry, code: str) -> str | None:
    rule = registry.rules.get(code)
    if rule is None:
        by_name = {r.name: r for r in registry.rules.values()}
        rule = by_name.get(code.lower())
    if rule is None:
        return None
    header = f"{rule.code} {rule.name}"
    facts = (f"severity: {rule.severity}; enabled by default: {'yes' if rule.enabled_by_default else 'no'}; "
             f"fix: {rule.fixable or 'none'}")
    return f"{header}\n{'=' * len(header)}\n{facts}\n\n{rule.doc()}\n"


def rules_markdown(registry) -> str:
    """docs/rules.md: every built-in rule's documentation, one section per code."""
    out = ["# portlint rules", "", "Generated from each rule's docstring by `python -m portlint.docs`; "
           "`portlint --explain CODE` prints the same text.", ""]
    for code, rule in registry.rules.items():
        if not rule.__module__.startswith("portlint.rules"):
            continue
        out.append(f'<a id="{code.lower()}"></a>')
        out.append(f"## {code} {rule.name}")
        out.append("")
        out.append(f"severity: {rule.severity}; enabled by default: {'yes' if rule.enabled_by_default else 'no'}; "
                   f"fix: {rule.fixable or 'none'}")
        out.append("")
        out.append("```text")
        out.append(rule.doc())
        out.append("```")
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":
    import os
    import sys

    from portlint.plugins import load_registry

    os.environ["PORTLINT_BUILTIN_ONLY"] = "1"
    sys.stdout.write(rules_markdown(load_registry()))
