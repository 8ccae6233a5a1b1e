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
