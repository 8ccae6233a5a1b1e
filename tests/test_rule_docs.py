"""Each rule's docstring is its documentation; its Bad examples must fire it, its Good ones must not."""
import pytest


def builtin_rules():
    import os

    os.environ.setdefault("PORTLINT_BUILTIN_ONLY", "1")
    from portlint.plugins import load_registry

    return [r for r in load_registry().rules.values() if r.__module__.startswith("portlint.rules")]


CASES = [(rule.code, kind, i, text) for rule in builtin_rules()
         for kind, texts in rule.examples().items() for i, text in enumerate(texts)]


def test_every_rule_documents_a_bad_and_a_good_example():
    for rule in builtin_rules():
        examples = rule.examples()
        assert examples["Bad"] and examples["Good"], f"{rule.code} lacks a Bad or a Good example"
        assert rule.summary(), f"{rule.code} has no summary line"


@pytest.mark.parametrize("code,kind,index,text", CASES, ids=[f"{c}-{k}-{i}" for c, k, i, _ in CASES])
def test_docstring_example(code, kind, index, text, registry, lint_text):
    rule = registry.rules[code]
    diagnostics = lint_text(text, name=rule.example_filename, select={code})
    fired = [d for d in diagnostics if d.code == code]
    if kind == "Bad":
        assert fired, f"{code} Bad example #{index + 1} did not fire:\n{text}"
    else:
        assert not fired, f"{code} Good example #{index + 1} fired: {fired[0].message}"


def test_explain_every_rule_and_readme_lists_every_rule():
    from conftest import ROOT, run_portlint

    readme = (ROOT / "README.md").read_text()
    for rule in builtin_rules():
        proc = run_portlint("--explain", rule.code)
        assert proc.returncode == 0
        assert proc.stdout.startswith(f"{rule.code} {rule.name}\n")
        assert "Bad:" in proc.stdout and "Good:" in proc.stdout
        assert f"| {rule.code} | {rule.name} |" in readme, f"README's rule table lacks {rule.code}"
    by_name = run_portlint("--explain", "port-gap")
    assert by_name.stdout.startswith("PL201 port-gap")


def test_rule_names_and_codes_follow_the_spec():
    """The spec's codes and names are a public contract."""
    spec = {
        "PL001": "syntax-error", "PL002": "unresolvable", "PL003": "wrong-module-format",
        "PL004": "invalid-noqa", "PL005": "unused-noqa",
        "PL101": "missing-ports-constant", "PL102": "ports-constant-form", "PL103": "ports-not-exported",
        "PL104": "undocumented-port", "PL105": "invalid-port", "PL106": "duplicate-port-value",
        "PL201": "port-gap", "PL202": "port-out-of-range", "PL203": "port-collision",
        "PL204": "instances-share-port", "PL301": "well-known-port", "PL401": "literal-port",
        "PL402": "port-not-in-ports", "PL403": "duplicated-literal", "PL404": "undefined-ports-key",
        "PL405": "unused-port", "PL501": "non-standard-label", "PL502": "invisible-to-portos",
        "PL503": "label-conflict",
    }
    rules = {r.code: r for r in builtin_rules()}
    assert {c: r.name for c, r in rules.items()} == spec
    warnings = {"PL002", "PL004", "PL005", "PL104", "PL405", "PL501", "PL502"}
    assert {c for c, r in rules.items() if r.severity == "warning"} == warnings
    assert [c for c, r in rules.items() if not r.enabled_by_default] == ["PL005", "PL405"]
    # read from the advice table (one truth for --list-rules, --explain, docs and README); PL101's
    # safe fix (introduce PORTS) comes from issue 18, the moves to a free block (PL201, PL202, PL203,
    # PL301) from issue 21: the spec table's fix column predates both
    assert {c: r.fixable for c, r in rules.items() if r.fixable} == {
        "PL005": "safe", "PL101": "safe, some unsafe", "PL103": "safe", "PL201": "unsafe", "PL202": "unsafe", "PL203": "unsafe",
        "PL301": "unsafe", "PL401": "safe, some unsafe", "PL402": "unsafe", "PL502": "safe, some unsafe"}


def test_every_place_says_the_same_about_fixes(registry):
    """--list-rules, --explain (and docs/rules.md), the README's rule table and the advice table agree
    on which codes have a safe fix, an unsafe one, or none (issue 29)."""
    import re

    from conftest import ROOT
    from portlint.model.advice import fix_kinds
    from portlint.report.catalog import explain, list_rules

    readme = (ROOT / "README.md").read_text()
    table = readme.split("## Rules", 1)[1].split("## Settings", 1)[0]
    in_readme = {m.group(1): m.group(2) for m in re.finditer(r"^\| (PL\d{3}) \| [a-z-]+ \| [^|]+ \| ([^|]+) \|", table, re.M)}
    listed = {line.split()[0]: line for line in list_rules(registry).splitlines()[1:]}
    for rule in builtin_rules():
        label = rule.fixable
        kinds = fix_kinds(rule.code)
        assert label == ({"safe": "safe", "unsafe": "unsafe"}.get(next(iter(kinds))) if len(kinds) == 1 else
                         "safe, some unsafe" if kinds else None)
        assert in_readme[rule.code].strip() == (label or "–"), rule.code
        assert f"fix: {label or 'none'}" in explain(registry, rule.code), rule.code
        assert f" {label or '-'} " in listed[rule.code], rule.code


def test_unknown_codes_and_names_get_a_suggestion():
    from conftest import run_portlint

    for given in ("PL4O3", "duplicate-literal"):
        proc = run_portlint("--explain", given)
        assert proc.returncode == 2 and "did you mean PL403 (duplicated-literal)?" in proc.stderr, proc.stderr
    proc = run_portlint("--select", "PL4O3", "--no-cache", ".")
    assert proc.returncode == 2 and "did you mean PL403 (duplicated-literal)?" in proc.stderr, proc.stderr


def test_docs_rules_md_is_generated_from_the_docstrings(registry):
    from conftest import ROOT
    from portlint.report.catalog import rules_markdown

    assert (ROOT / "docs" / "rules.md").read_text() == rules_markdown(registry), \
        "regenerate it: python -m portlint.report.catalog > docs/rules.md"
