"""One filter for every path that reports or fixes: select/ignore, per-file-ignores, noqa, dedupe.

A per-file ignore used to apply only to a plain lint; ``--diff``, ``--fix`` and the language server
(which go through ``Engine.lint_file``) still reported and rewrote the ignored findings."""
from pathlib import Path

from test_cli import invoke

LEGACY = ("const PORTS = {\n  API: 5570, // api\n};\n"
          "module.exports = { PORTS, apps: [{ name: 'a', env: { PORT: 5570 } }] };\n")


def legacy_project(tmp_path: Path) -> Path:
    (tmp_path / "portlint.toml").write_text('[per-file-ignores]\n"legacy/*" = ["PL4"]\n')
    (tmp_path / "legacy").mkdir()
    path = tmp_path / "legacy" / "ecosystem.config.cjs"
    path.write_text(LEGACY)
    return path


def test_per_file_ignores_hold_for_lint_diff_and_fix(tmp_path):
    path = legacy_project(tmp_path)
    assert invoke("legacy", cwd=tmp_path).exit_code == 0
    diff = invoke("--diff", "legacy", cwd=tmp_path)
    assert diff.exit_code == 0, diff.output
    assert "PORTS.API" not in diff.output
    fixed = invoke("--fix", "legacy", cwd=tmp_path)
    assert fixed.exit_code == 0, fixed.output
    assert path.read_text() == LEGACY


def test_per_file_ignores_hold_for_the_editor_path(tmp_path, monkeypatch):
    from portlint.engine.pipeline import Engine
    from portlint.plugins import load_registry
    from portlint.settings.settings import SettingsResolver

    path = legacy_project(tmp_path)
    monkeypatch.chdir(tmp_path)
    engine = Engine(SettingsResolver({}), load_registry())
    _, diagnostics = engine.lint_file("legacy/ecosystem.config.cjs", LEGACY)
    assert [d.code for d in diagnostics] == []
    # outside the ignored folder the same text is reported
    _, elsewhere = engine.lint_file("ecosystem.config.cjs", LEGACY)
    assert [d.code for d in elsewhere] == ["PL401"]
    assert path.exists()


def test_duplicates_are_reported_once_on_every_path(tmp_path, monkeypatch):
    from portlint.engine.pipeline import Engine, dedupe
    from portlint.plugins import load_registry
    from portlint.settings.settings import SettingsResolver

    monkeypatch.chdir(tmp_path)
    engine = Engine(SettingsResolver({}), load_registry())
    _, diagnostics = engine.lint_file("ecosystem.config.cjs", LEGACY)
    assert diagnostics == dedupe(diagnostics)
