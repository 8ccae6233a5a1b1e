"""PL401-PL405, env refers, PORTS defines (rules/pl4_dry.py): its golden cases, fixtures/rules/PL4xx/
(its docstring examples run in tests/test_rule_docs.py)."""
from golden import rule_family_tests

test_golden_case, test_every_rule_of_the_family_lives_in_its_module = rule_family_tests("PL4", "pl4_dry")
