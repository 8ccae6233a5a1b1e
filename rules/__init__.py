"""portlint's built-in rules, one module per family; registered through the ``portlint`` entry point."""
from portlint.plugins import hookimpl


@hookimpl
def portlint_rules():
    from . import dry, labels, ports_constant, ranges, syntax, well_known
    from portlint.rule import iter_rule_classes

    rules = []
    for module in (syntax, ports_constant, ranges, well_known, dry, labels):
        rules.extend(iter_rule_classes(vars(module).values()))
    return rules
