"""PL301, well-known ports (rules/pl3_well_known.py): its golden cases, fixtures/rules/PL3xx/ (its
docstring examples run in tests/test_rule_docs.py)."""
import pytest

from golden import case_id, check, rule_cases


@pytest.mark.parametrize("path", rule_cases("PL3"), ids=case_id)
def test_golden_case(path, golden_engine, monkeypatch):
    check(path, golden_engine, monkeypatch)


def test_every_rule_of_the_family_lives_in_its_module(registry):
    codes = [code for code in registry.rules if code.startswith("PL3")]
    assert codes and all(registry.rules[c].__module__ == "portlint.rules.pl3_well_known" for c in codes)
