"""Plugins, pluggy style: rules and output formats come from the ``portlint`` entry-point group.

The built-in rules (``portlint.rules``) and formats (``portlint.formats``) register through the
same group as third-party packages. A plugin that fails to load is reported and skipped.
Set ``PORTLINT_BUILTIN_ONLY=1`` to load the built-ins alone (reproducible CI, tests).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Callable

import pluggy

from portlint.rule import Rule, iter_rule_classes

PROJECT = "portlint"
ENTRY_POINT_GROUP = "portlint"
BUILTIN_ONLY_ENV = "PORTLINT_BUILTIN_ONLY"
BUILTIN_MODULES = {"builtin-rules": "portlint.rules", "builtin-formats": "portlint.report.formats"}

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


class PortlintSpec:
    @hookspec
    def portlint_rules(self) -> list[type[Rule]]:
        """Return the Rule classes this plugin contributes."""

    @hookspec
    def portlint_formats(self) -> dict[str, Callable]:
        """Return output formats: ``{name: render(diagnostics, stream, context)}``."""


@dataclass
class Registry:
    rules: dict[str, type[Rule]] = field(default_factory=dict)
    formats: dict[str, Callable] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    plugin_names: list[str] = field(default_factory=list)

    def unknown_selector(self, prefixes) -> str | None:
        """The first of ``prefixes`` (codes or code prefixes, or ALL) that selects no rule, if any."""
        for prefix in prefixes:
            if prefix != "ALL" and not any(code.startswith(prefix) for code in self.rules):
                return prefix
        return None


def _truthy_env(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() not in ("", "0", "false", "no")


def load_registry() -> Registry:
    import importlib
    from importlib.metadata import entry_points

    pm = pluggy.PluginManager(PROJECT)
    pm.add_hookspecs(PortlintSpec)
    registry = Registry()
    builtin_only = _truthy_env(BUILTIN_ONLY_ENV)
    loaded: set[str] = set()
    for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: (e.value not in BUILTIN_MODULES.values(), e.name)):
        is_builtin = ep.value in BUILTIN_MODULES.values()
        if (builtin_only and not is_builtin) or ep.value in loaded:
            continue
        try:
            plugin = ep.load()
            pm.register(plugin, name=ep.value)
        except Exception as exc:  # a broken plugin must not stop the run
            if is_builtin:
                raise BuiltinPluginError(f"portlint's own {ep.value} failed to load: {type(exc).__name__}: {exc}") from None
            registry.warnings.append(f"plugin {ep.name!r} ({ep.value}) failed to load: {type(exc).__name__}: {exc}")
            continue
        loaded.add(ep.value)
        registry.plugin_names.append(ep.value)
    # Running from a source tree that was never installed: register the built-ins directly.
    for module_name in BUILTIN_MODULES.values():
        if module_name not in loaded:
            pm.register(importlib.import_module(module_name), name=module_name)
            registry.plugin_names.append(module_name)

    for plugin_name, hook_impl in _each_result(pm, "portlint_rules", registry):
        for rule in iter_rule_classes(hook_impl or []):
            if rule.code in registry.rules and registry.rules[rule.code] is not rule:
                registry.warnings.append(f"plugin {plugin_name!r} redefines rule {rule.code}; the first one is kept")
                continue
            registry.rules[rule.code] = rule
    for plugin_name, formats in _each_result(pm, "portlint_formats", registry):
        for name, render in (formats or {}).items():
            registry.formats.setdefault(name, render)
    registry.rules = dict(sorted(registry.rules.items()))
    if not any(rule.__module__.startswith("portlint.rules") for rule in registry.rules.values()) or "text" not in registry.formats:
        raise BuiltinPluginError("portlint's own rules or formats did not register; the installation is broken")
    return registry


class BuiltinPluginError(Exception):
    """portlint's own rules or formats failed to load: never lint with them silently missing."""


def _each_result(pm: pluggy.PluginManager, hook_name: str, registry: Registry):
    """Call one hook on each plugin separately, so one failing plugin does not hide the others."""
    for impl in getattr(pm.hook, hook_name).get_hookimpls():
        try:
            yield impl.plugin_name, impl.function()
        except Exception as exc:
            if impl.plugin_name in BUILTIN_MODULES.values():
                raise BuiltinPluginError(f"portlint's own {impl.plugin_name} failed to load: "
                                         f"{type(exc).__name__}: {exc}") from None
            registry.warnings.append(f"plugin {impl.plugin_name!r} failed in {hook_name}: {type(exc).__name__}: {exc}")
