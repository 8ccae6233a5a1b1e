"""portlint: a linter for PM2 ecosystem files that enforces the PortOS port-allocation policy.

The public surface for plugin authors is small: ``hookimpl`` to mark hook implementations,
``Rule`` to derive rules from, ``Diagnostic`` and ``Span`` for what rules report.
"""
from typing import TYPE_CHECKING, Any

from portlint import _compat
from portlint._version import __version__

if TYPE_CHECKING:  # what type checkers see (the package ships py.typed); at run time: lazy, below
    from portlint.diagnostic import Diagnostic, Span
    from portlint.plugins import hookimpl
    from portlint.rule import Rule

_compat.install()  # old flat import paths (portlint.values, ...) still work for a release

__all__ = ["__version__", "hookimpl", "Rule", "Diagnostic", "Span"]


def __getattr__(name: str) -> Any:  # lazy, so that `portlint --version` stays cheap
    if name == "hookimpl":
        from portlint.plugins import hookimpl

        return hookimpl
    if name == "Rule":
        from portlint.rule import Rule

        return Rule
    if name in ("Diagnostic", "Span"):
        from portlint import diagnostic

        return getattr(diagnostic, name)
    raise AttributeError(name)
