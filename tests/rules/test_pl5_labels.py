"""PL501-PL503, labels and PortOS visibility (rules/pl5_labels.py): its golden cases,
fixtures/rules/PL5xx/ (its docstring examples run in tests/test_rule_docs.py)."""
from golden import rule_family_tests

test_golden_case, test_every_rule_of_the_family_lives_in_its_module = rule_family_tests("PL5", "pl5_labels")
