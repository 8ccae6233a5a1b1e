"""Rule set-up: which rules run for a Settings value (instantiated once per distinct Settings), the
PL001 a file problem becomes, and calling a rule so that a crashing plugin is an internal error."""
from __future__ import annotations

import sys

from portlint.diagnostic import Diagnostic, Span
from portlint.settings.settings import Settings, SettingsError


class RuleSet:
    def __init__(self, registry, selected: set[str] | None = None):
        self.registry = registry
        #: Codes chosen by the caller (tests, the API); None means each file's settings decide.
        self.selected = {c for c in selected if c in registry.rules} if selected is not None else None
        self._rules: dict[Settings, list] = {}

    def enabled(self, settings: Settings, code: str) -> bool:
        if self.selected is not None:
            return code in self.selected
        rule = self.registry.rules.get(code)
        return rule is not None and settings.is_enabled(code, rule.enabled_by_default)

    def rules_for(self, settings: Settings) -> list:
        rules = self._rules.get(settings)
        if rules is None:
            prefix = self.registry.unknown_selector(settings.selectors())
            if prefix is not None:
                raise SettingsError(f"{settings.origin or 'settings'}: unknown rule selector {prefix!r}"
                                    f"{self.registry.did_you_mean(prefix)} (see --list-rules)")
            rules = [cls(settings) for code, cls in self.registry.rules.items() if self.enabled(settings, code)]
            self._rules[settings] = rules
        return rules

    def file_problem(self, source, settings: Settings, offset: int, message: str, end: int | None = None) -> list[Diagnostic]:
        """A PL001 (the file cannot be linted) at ``offset``, if PL001 is enabled for this file."""
        rule_cls = self.registry.rules.get("PL001")
        if rule_cls is None or not self.enabled(settings, "PL001"):
            return []
        end = offset if end is None else end
        severity = settings.severity_of("PL001", rule_cls.severity)
        return [Diagnostic.at(Span(source, offset, end), rule_cls.code, rule_cls.name, message, severity)]


def call_rule(rule, method, args: tuple, errors: list[str] | None, into: list | None = None) -> list[Diagnostic]:
    """``method(*args)`` of one rule, as a list (``into``, when given, gets each diagnostic as it
    comes, so that a rule stopped by a time limit keeps what it found); a crash is recorded in
    ``errors`` (or printed)."""
    found = into if into is not None else []
    start = len(found)
    try:
        found.extend(method(*args))  # list.extend keeps the items it took before an exception
        return found
    except RecursionError:
        del found[start:]
        return found
    except Exception as exc:  # a crashing (plugin) rule is an internal error, not a traceback
        del found[start:]
        message = f"rule {rule.code} crashed: {type(exc).__name__}: {exc}"
        if errors is not None:
            errors.append(message)
        else:
            print(f"portlint: {message}", file=sys.stderr)
        return found
