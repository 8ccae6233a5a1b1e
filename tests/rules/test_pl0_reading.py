"""PL001-PL003, reading the file (rules/pl0_reading.py): its golden cases, fixtures/rules/PL0xx/ (its
docstring examples run in tests/test_rule_docs.py)."""
from golden import rule_family_tests

test_golden_case, test_every_rule_of_the_family_lives_in_its_module = rule_family_tests("PL0", "pl0_reading")
