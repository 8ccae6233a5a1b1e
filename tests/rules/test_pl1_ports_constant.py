"""PL101-PL106, PORTS is the single source of truth (rules/pl1_ports_constant.py): its golden cases,
fixtures/rules/PL1xx/ (its docstring examples run in tests/test_rule_docs.py)."""
from golden import rule_family_tests

test_golden_case, test_every_rule_of_the_family_lives_in_its_module = rule_family_tests("PL1", "pl1_ports_constant")
