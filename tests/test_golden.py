"""Golden fixtures: every config under fixtures/ next to the exact diagnostics it must produce.

``fixtures/valid/**`` must lint clean. Elsewhere, ``<config>.expected`` holds the text output
(paths relative to the config's folder); no .expected file means "must lint clean" (a near miss).
Set PORTLINT_UPDATE_GOLDEN=1 to rewrite the files after a deliberate change, then review the diff.
"""
import os
from pathlib import Path

import pytest

from conftest import FIXTURES

UPDATE = os.environ.get("PORTLINT_UPDATE_GOLDEN") == "1"


def fixture_files():
    from portlint.source.discover import is_config_name

    files = []
    for path in sorted(FIXTURES.rglob("*")):
        if path.is_file() and is_config_name(path.name) and not {"projects", "portos"} & set(path.relative_to(FIXTURES).parts):
            files.append(path)
    return files


def lint_lines(engine, path: Path, monkeypatch) -> list[str]:
    monkeypatch.chdir(path.parent)
    result = engine.run([path.name])
    return [f"{d.path}:{d.row}:{d.column}: {d.code} {d.message}" for d in result.diagnostics]


@pytest.fixture(scope="module")
def engine(registry):
    """Each fixture folder may carry its own portlint.toml, found the way the CLI finds it."""
    from portlint.engine.pipeline import Engine
    from portlint.settings.settings import SettingsResolver

    return Engine(SettingsResolver(), registry)


@pytest.mark.parametrize("path", fixture_files(), ids=lambda p: str(p.relative_to(FIXTURES)))
def test_fixture(path, engine, monkeypatch):
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


def test_every_rule_fixture_folder_fires_its_rule():
    """fixtures/rules/PLxxx/ holds at least one config that triggers PLxxx and one near miss."""
    rules_dir = FIXTURES / "rules"
    for folder in sorted(p for p in rules_dir.iterdir() if p.is_dir()):
        code = folder.name
        expected = [p.read_text(encoding="utf-8") for p in folder.rglob("*.expected")]
        assert any(f": {code} " in text for text in expected), f"no fixture in {folder} triggers {code}"
        from portlint.source.discover import is_config_name

        configs = [p for p in folder.rglob("*") if is_config_name(p.name)]
        near_misses = [p for p in configs if code not in (p.with_name(p.name + ".expected").read_text(encoding="utf-8")
                                                         if p.with_name(p.name + ".expected").exists() else "")]
        if code != "PL001":
            assert near_misses, f"{folder} has no near miss (a config that must not trigger {code})"
