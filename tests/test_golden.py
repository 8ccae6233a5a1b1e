"""Golden fixtures outside fixtures/rules/ (forms, fixes, kinds, evaluator, migrate, advice, valid):
every config next to the exact diagnostics it must produce (see tests/golden.py). The rules' own
cases, fixtures/rules/PLxxx/, run in tests/rules/test_pl<N>_*.py, one module per code family.
"""
import pytest

from conftest import FIXTURES
from golden import case_id, check, fixture_files


@pytest.mark.parametrize("path", fixture_files(skip=frozenset({"rules"})), ids=case_id)
def test_fixture(path, golden_engine, monkeypatch):
    check(path, golden_engine, monkeypatch)


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
