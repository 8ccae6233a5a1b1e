"""PL201-PL204, ranges (rules/pl2_ranges.py): its golden cases, fixtures/rules/PL2xx/ (its docstring
examples run in tests/test_rule_docs.py)."""
from golden import rule_family_tests

test_golden_case, test_every_rule_of_the_family_lives_in_its_module = rule_family_tests("PL2", "pl2_ranges")
