"""Old import paths (portlint 0.1 had one flat package) that plugins may use, kept for a release.

``import portlint.values`` still works and gives the module now at ``portlint.evaluator.values``,
with a DeprecationWarning naming the new path."""
from __future__ import annotations

import sys

MOVED = {
    "portlint.discover": "portlint.source.discover",
    "portlint.parse": "portlint.source.parse",
    "portlint.syntax": "portlint.source.estree",
    "portlint.evaluate": "portlint.evaluator.interpreter",
    "portlint.values": "portlint.evaluator.values",
    "portlint.yaml_values": "portlint.evaluator.yaml_values",
    "portlint.portos": "portlint.model.portos",
    "portlint.portsets": "portlint.model.portsets",
    "portlint.cache": "portlint.engine.cache",
    "portlint.budget": "portlint.engine.budget",
    "portlint.timing": "portlint.engine.timing",
    "portlint.noqa": "portlint.engine.noqa",
    "portlint.edits": "portlint.fix.edits",
    "portlint.formats": "portlint.report.formats",
    "portlint.portmap": "portlint.report.portmap",
    "portlint.htmlmap": "portlint.report.htmlmap",
    "portlint.freeblock": "portlint.report.freeblock",
    "portlint.docs": "portlint.report.catalog",
    "portlint.lsp": "portlint.integrations.lsp",
    "portlint.lsp_entry": "portlint.integrations.lsp_entry",
    "portlint.portos_api": "portlint.integrations.portos_api",
    "portlint.rules.syntax": "portlint.rules.pl0_reading",
    "portlint.rules.ports_constant": "portlint.rules.pl1_ports_constant",
    "portlint.rules.ranges": "portlint.rules.pl2_ranges",
    "portlint.rules.well_known": "portlint.rules.pl3_well_known",
    "portlint.rules.dry": "portlint.rules.pl4_dry",
    "portlint.rules.labels": "portlint.rules.pl5_labels",
}


class _Alias:
    """A loader whose module is the one at the new path."""

    def __init__(self, target: str):
        self.target = target

    def create_module(self, spec):
        import importlib
        import warnings

        warnings.warn(f"{spec.name} moved to {self.target}; the old path goes away in portlint 0.3",
                      DeprecationWarning, stacklevel=3)
        return importlib.import_module(self.target)

    def exec_module(self, module) -> None:
        pass


class MovedModuleFinder:
    """Finds the old names and nothing else (a meta path finder, PEP 451)."""

    @staticmethod
    def find_spec(name: str, path=None, target=None):
        new = MOVED.get(name)
        if new is None:
            return None
        from importlib.machinery import ModuleSpec

        return ModuleSpec(name, _Alias(new))


def install() -> None:
    if not any(isinstance(f, MovedModuleFinder) for f in sys.meta_path):
        sys.meta_path.append(MovedModuleFinder())
