"""Plugins, pluggy style: rules and output formats come from the ``portlint`` entry-point group.

The built-in rules (``portlint.rules``) and formats (``portlint.report.formats``) are hook
modules like any plugin; they are declared in the group too, but loaded directly, and pluggy
arbitrates only when a third-party plugin is installed. A plugin that fails to load is reported and
skipped. Set ``PORTLINT_BUILTIN_ONLY=1`` to load the built-ins alone (reproducible CI, tests).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

from portlint.rule import Rule, iter_rule_classes

if TYPE_CHECKING:  # what type checkers see; at run time __getattr__ below makes them
    import pluggy

    hookimpl: pluggy.HookimplMarker
    hookspec: pluggy.HookspecMarker

PROJECT = "portlint"
ENTRY_POINT_GROUP = "portlint"
BUILTIN_ONLY_ENV = "PORTLINT_BUILTIN_ONLY"
BUILTIN_MODULES = {"builtin-rules": "portlint.rules", "builtin-formats": "portlint.report.formats"}
HOOKS = ("portlint_rules", "portlint_formats")


def __getattr__(name: str):
    """``hookimpl`` and ``hookspec``, pluggy's markers for the ``portlint`` project, made on first use:
    a run with no third-party plugin never imports pluggy (13 modules, a few ms of every start)."""
    if name in ("hookimpl", "hookspec"):
        import pluggy

        marker = pluggy.HookimplMarker(PROJECT) if name == "hookimpl" else pluggy.HookspecMarker(PROJECT)
        globals()[name] = marker
        return marker
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class PortlintSpec:
    """The hooks a plugin may implement (marked as pluggy hook specifications when pluggy is used)."""

    def portlint_rules(self) -> list[type[Rule]]:
        """Return the Rule classes this plugin contributes."""

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

    def did_you_mean(self, text: str) -> str:
        """' (did you mean PL403 (duplicated-literal)?)' for a code or rule name close to ``text``, else ''."""
        import difflib

        by_name = {r.name: code for code, r in self.rules.items()}
        close = difflib.get_close_matches(text.strip().upper(), list(self.rules), n=1, cutoff=0.6)
        code = close[0] if close else None
        if code is None:
            names = difflib.get_close_matches(text.strip().lower(), list(by_name), n=1, cutoff=0.6)
            code = by_name[names[0]] if names else None
        return f" (did you mean {code} ({self.rules[code].name})?)" if code else ""


def _truthy_env(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() not in ("", "0", "false", "no")


@dataclass(frozen=True)
class EntryPoint:
    """One ``name = module[:attr]`` line of a distribution's ``[portlint]`` entry-point group."""

    name: str
    value: str

    def load(self):
        import importlib

        module_name, _, attr = self.value.partition("[")[0].strip().partition(":")
        obj = importlib.import_module(module_name.strip())
        for part in filter(None, attr.strip().split(".")):
            obj = getattr(obj, part)
        return obj


#: The largest entry_points.txt read (a real one is a few hundred bytes).
MAX_ENTRY_POINTS_BYTES = 1024 * 1024


def entry_points(path: list[str] | None = None) -> list[EntryPoint]:
    """The ``portlint`` group of every distribution on ``sys.path``, read from the ``entry_points.txt``
    of each ``*.dist-info``/``*.egg-info`` folder, as ``importlib.metadata`` does (the first
    distribution of a name on the path wins), without importing it or reading any other metadata:
    that costs a one-file run about a quarter of its time."""
    import sys

    from portlint.source.files import UnreadableFile, read_regular

    found: list[EntryPoint] = []
    seen: set[str] = set()
    for folder in sys.path if path is None else path:
        try:
            names = sorted(e.name for e in os.scandir(folder or ".") if e.name.endswith((".dist-info", ".egg-info")))
        except OSError:  # a zip file, a missing folder
            continue
        for name in names:
            distribution = name.rpartition(".")[0].split("-")[0].lower().replace("-", "_").replace(".", "_")
            if distribution in seen:
                continue
            seen.add(distribution)
            try:  # the one checked reader: a folder on sys.path may be the linted checkout
                text = read_regular(os.path.join(folder or ".", name, "entry_points.txt"), MAX_ENTRY_POINTS_BYTES,
                                    "an entry_points.txt").decode("utf-8")
            except (UnreadableFile, UnicodeDecodeError):
                continue
            found.extend(_group(text, ENTRY_POINT_GROUP))
    return found


def _group(text: str, group: str) -> list[EntryPoint]:
    """The ``name = value`` lines of one ``[group]`` section of an entry_points.txt (INI)."""
    out, current = [], None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1].strip()
        elif current == group and "=" in line:
            name, _, value = line.partition("=")
            out.append(EntryPoint(name.strip(), value.strip()))
    return out


def load_registry() -> Registry:
    """Every rule and format: the built-ins, loaded directly, and each third-party plugin of the
    ``portlint`` entry-point group through pluggy (only when there is one)."""
    import importlib

    registry = Registry()
    builtins = [(module, importlib.import_module(module)) for module in BUILTIN_MODULES.values()]
    registry.plugin_names.extend(BUILTIN_MODULES.values())
    third_party = [] if _truthy_env(BUILTIN_ONLY_ENV) else [
        ep for ep in sorted(entry_points(), key=lambda e: e.name) if ep.value not in BUILTIN_MODULES.values()]
    if third_party:
        hooks = _plugin_hooks(builtins, third_party, registry)
    else:  # nothing to arbitrate: call the built-ins' hooks directly
        hooks = {hook: [(name, getattr(module, hook)) for name, module in builtins if hasattr(module, hook)]
                 for hook in HOOKS}
    for plugin_name, hook_impl in _each_result(hooks["portlint_rules"], "portlint_rules", registry):
        for rule in iter_rule_classes(hook_impl or []):
            if rule.code in registry.rules and registry.rules[rule.code] is not rule:
                registry.warnings.append(f"plugin {plugin_name!r} redefines rule {rule.code}; the first one is kept")
                continue
            registry.rules[rule.code] = rule
    for plugin_name, formats in _each_result(hooks["portlint_formats"], "portlint_formats", registry):
        for name, render in (formats or {}).items():
            registry.formats.setdefault(name, render)
    registry.rules = dict(sorted(registry.rules.items()))
    if not any(rule.__module__.startswith("portlint.rules") for rule in registry.rules.values()) or "text" not in registry.formats:
        raise BuiltinPluginError("portlint's own rules or formats did not register; the installation is broken")
    return registry


def _plugin_hooks(builtins: list, third_party: list[EntryPoint], registry: Registry) -> dict[str, list]:
    """The hook implementations of the built-ins and of each plugin that loads, through pluggy."""
    import pluggy

    hookspec, hookimpl = (globals().get(name) or __getattr__(name) for name in ("hookspec", "hookimpl"))
    for hook in HOOKS:  # the built-ins' hooks are plain functions until pluggy needs them marked
        hookspec(getattr(PortlintSpec, hook))
        for _, module in builtins:
            function = getattr(module, hook, None)
            if function is not None and not hasattr(function, f"{PROJECT}_impl"):
                hookimpl(function)
    pm = pluggy.PluginManager(PROJECT)
    pm.add_hookspecs(PortlintSpec)
    for name, module in builtins:
        pm.register(module, name=name)
    for ep in third_party:
        if pm.has_plugin(ep.value):
            continue
        try:
            pm.register(ep.load(), name=ep.value)
        except Exception as exc:  # a broken plugin must not stop the run
            registry.warnings.append(f"plugin {ep.name!r} ({ep.value}) failed to load: {type(exc).__name__}: {exc}")
            continue
        registry.plugin_names.append(ep.value)
    return {hook: [(impl.plugin_name, impl.function) for impl in getattr(pm.hook, hook).get_hookimpls()]
            for hook in HOOKS}


class BuiltinPluginError(Exception):
    """portlint's own rules or formats failed to load: never lint with them silently missing."""


def _each_result(impls: list, hook_name: str, registry: Registry):
    """Call one hook of each plugin separately, so one failing plugin does not hide the others."""
    for plugin_name, function in impls:
        try:
            yield plugin_name, function()
        except Exception as exc:
            if plugin_name in BUILTIN_MODULES.values():
                raise BuiltinPluginError(f"portlint's own {plugin_name} failed to load: "
                                         f"{type(exc).__name__}: {exc}") from None
            registry.warnings.append(f"plugin {plugin_name!r} failed in {hook_name}: {type(exc).__name__}: {exc}")
