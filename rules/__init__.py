"""portlint's built-in rules, one module per family, named by the family's code prefix.

Find a rule from its code: PL401 lives in ``pl4_dry.py``, PL203 in ``pl2_ranges.py``.

- ``pl0_reading``: PL001-PL003, reading the file
- ``pl1_ports_constant``: PL101-PL106, PORTS is the single source of truth
- ``pl2_ranges``: PL201-PL204, contiguous blocks in the right range, no collisions
- ``pl3_well_known``: PL301, stay away from well-known ports
- ``pl4_dry``: PL401-PL405, env refers, PORTS defines
- ``pl5_labels``: PL501-PL503, labels and what PortOS shows

They register through the ``portlint`` entry point like any third-party plugin; their hook is a plain
function, which ``portlint.plugins`` marks for pluggy only when a third-party plugin is installed.
"""


def portlint_rules():
    from . import pl0_reading, pl1_ports_constant, pl2_ranges, pl3_well_known, pl4_dry, pl5_labels
    from portlint.rule import iter_rule_classes

    rules = []
    for module in (pl0_reading, pl1_ports_constant, pl2_ranges, pl3_well_known, pl4_dry, pl5_labels):
        rules.extend(iter_rule_classes(vars(module).values()))
    return rules
