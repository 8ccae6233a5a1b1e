"""PL101-PL106, PORTS is the single source of truth (rules/pl1_ports_constant.py): its golden cases,
fixtures/rules/PL1xx/ (its docstring examples run in tests/test_rule_docs.py)."""
import pytest

from golden import case_id, check, rule_cases


@pytest.mark.parametrize("path", rule_cases("PL1"), ids=case_id)
def test_golden_case(path, golden_engine, monkeypatch):
    check(path, golden_engine, monkeypatch)


def test_every_rule_of_the_family_lives_in_its_module(registry):
    codes = [code for code in registry.rules if code.startswith("PL1")]
    assert codes and all(registry.rules[c].__module__ == "portlint.rules.pl1_ports_constant" for c in codes)
