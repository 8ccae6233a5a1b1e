"""The golden-fixture check shared by tests/test_golden.py and the per-family rule tests in
tests/rules/: a config under fixtures/ next to the exact diagnostics it must produce.

``fixtures/valid/**`` must lint clean. Elsewhere, ``<config>.expected`` holds the text output
(paths relative to the config's folder); no .expected file means "must lint clean" (a near miss).
Set PORTLINT_UPDATE_GOLDEN=1 to rewrite the files after a deliberate change, then review the diff.
"""
import os
from pathlib import Path

from conftest import FIXTURES

UPDATE = os.environ.get("PORTLINT_UPDATE_GOLDEN") == "1"


def fixture_files(under: str = "", skip: frozenset = frozenset()) -> list[Path]:
    """Config files below fixtures/<under>, minus whole trees (projects/, portos/) and ``skip``."""
    from portlint.source.discover import is_config_name

    files = []
    for path in sorted((FIXTURES / under).rglob("*")):
        parts = set(path.relative_to(FIXTURES).parts)
        if path.is_file() and is_config_name(path.name) and not ({"projects", "portos"} | skip) & parts:
            files.append(path)
    return files


def rule_cases(family: str) -> list[Path]:
    """The golden cases of one code family: fixtures/rules/PL4xx/** for family 'PL4'."""
    return [p for p in fixture_files("rules") if p.relative_to(FIXTURES / "rules").parts[0].startswith(family)]


def case_id(path: Path) -> str:
    return str(path.relative_to(FIXTURES))


def lint_lines(engine, path: Path, monkeypatch) -> list[str]:
    monkeypatch.chdir(path.parent)
    result = engine.run([path.name])
    return [f"{d.path}:{d.row}:{d.column}: {d.code} {d.message}" for d in result.diagnostics]


def check(path: Path, engine, monkeypatch) -> None:
    lines = lint_lines(engine, path, monkeypatch)
    expected_file = path.with_name(path.name + ".expected")
    if "valid" in path.relative_to(FIXTURES).parts[:1]:
        assert lines == [], "a valid config must lint clean"
        return
    if UPDATE:
        if lines:
            expected_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
        elif expected_file.exists():
            expected_file.unlink()
    expected = expected_file.read_text(encoding="utf-8").splitlines() if expected_file.exists() else []
    assert lines == expected


def rule_family_tests(family: str, module: str):
    """The tests of one rule family's module in tests/rules/: its golden cases, and that every rule
    of the family lives in ``rules/<module>.py`` (so a rule is found from its code)."""
    import pytest

    @pytest.mark.parametrize("path", rule_cases(family), ids=case_id)
    def test_golden_case(path, golden_engine, monkeypatch):
        check(path, golden_engine, monkeypatch)

    def test_every_rule_of_the_family_lives_in_its_module(registry):
        codes = [code for code in registry.rules if code.startswith(family)]
        assert codes and all(registry.rules[c].__module__ == f"portlint.rules.{module}" for c in codes)

    return test_golden_case, test_every_rule_of_the_family_lives_in_its_module
