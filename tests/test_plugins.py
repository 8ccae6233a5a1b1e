"""Plugins load through the ``portlint`` entry-point group, like the built-ins do."""
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, run_portlint

EXAMPLES = ROOT / "examples"
UNNAMED = "module.exports = { apps: [{ script: 'server.js' }] };\n"


def pip_install_to(target: Path, project: Path) -> None:
    """A real install of a plugin package into ``target`` (wheel built from the repository copy)."""
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
         "--target", str(target), str(project)],
        capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr


@pytest.fixture(scope="module")
def plugin_site(tmp_path_factory):
    site = tmp_path_factory.mktemp("site")
    pip_install_to(site, EXAMPLES / "portlint-plugin-example")
    pip_install_to(site, EXAMPLES / "portlint-plugin-broken")
    return site


def test_builtins_register_through_the_entry_point_group(registry):
    assert "portlint.rules" in registry.plugin_names
    assert "portlint.report.formats" in registry.plugin_names
    assert {"PL001", "PL101", "PL201", "PL301", "PL401", "PL501"} <= set(registry.rules)
    assert {"text", "json"} <= set(registry.formats)


def test_installed_plugin_rule_fires_and_broken_plugin_only_warns(plugin_site, tmp_path):
    config = tmp_path / "ecosystem.config.cjs"
    config.write_text(UNNAMED)
    proc = run_portlint(str(config), env={"PYTHONPATH": str(plugin_site), "PORTLINT_BUILTIN_ONLY": ""})
    assert "EX100 app #1 has no name" in proc.stdout
    assert "plugin 'broken' (portlint_broken) failed to load: ImportError" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.returncode == 0  # EX100 is a warning


def test_builtin_only_environment_variable_skips_plugins(plugin_site, tmp_path):
    config = tmp_path / "ecosystem.config.cjs"
    config.write_text(UNNAMED)
    proc = run_portlint(str(config), env={"PYTHONPATH": str(plugin_site), "PORTLINT_BUILTIN_ONLY": "1"})
    assert "EX100" not in proc.stdout
    assert "broken" not in proc.stderr


def test_plugin_rule_appears_in_catalog(plugin_site):
    proc = run_portlint("--list-rules", env={"PYTHONPATH": str(plugin_site), "PORTLINT_BUILTIN_ONLY": "0"})
    assert "EX100" in proc.stdout and "unnamed-process" in proc.stdout


def test_crashing_rule_is_an_internal_error_not_a_traceback(registry, tmp_path, capsys):
    from portlint.engine.pipeline import Engine
    from portlint.rule import Rule
    from portlint.settings.settings import Settings

    class Crashes(Rule):
        code, name = "ZZ001", "crashes"

        def check(self, config):
            raise ValueError("boom")

    registry.rules["ZZ001"] = Crashes
    try:
        path = tmp_path / "ecosystem.config.cjs"
        path.write_text("module.exports = { apps: [] };\n")
        result = Engine(Settings(), registry, {"ZZ001", "PL001"}).run([str(path)])
    finally:
        del registry.rules["ZZ001"]
    assert result.internal_errors == ["rule ZZ001 crashed: ValueError: boom"]


def test_builtin_rules_failing_to_load_is_fatal_not_a_silent_pass(monkeypatch, tmp_path):
    """If portlint's own rules cannot load, linting with none of them would pass everything."""
    import portlint.rules
    from click.testing import CliRunner

    from portlint.cli import cli

    def broken():
        raise ModuleNotFoundError("No module named 'portlint.something'")

    from portlint.plugins import hookimpl

    monkeypatch.setattr(portlint.rules, "portlint_rules", hookimpl(broken))
    config = tmp_path / "ecosystem.config.cjs"
    config.write_text(UNNAMED)
    result = CliRunner().invoke(cli, [str(config)])
    assert result.exit_code == 2
    assert "internal error" in result.output and "portlint's own portlint.rules failed to load" in result.output


def _project_rule(registry, tmp_path, rule_cls, **engine_args):
    from portlint.engine.pipeline import Engine
    from portlint.settings.settings import Settings

    registry.rules[rule_cls.code] = rule_cls
    try:
        path = tmp_path / "ecosystem.config.cjs"
        path.write_text("module.exports = { apps: [{ name: 'api', env: { PORT: 5570 } }] };\n")
        return Engine(Settings(), registry, {rule_cls.code}, **engine_args).run([str(path)])
    finally:
        del registry.rules[rule_cls.code]


def test_project_rule_sees_summaries_and_the_live_ports_in_its_context(registry, tmp_path):
    from portlint.integrations.portos_api import PortosPort
    from portlint.rule import Rule

    class SeesLive(Rule):
        code, name, scope = "ZZ002", "sees-live", "project"

        def check_project(self, summaries, context):
            live = {p.port: p for p in context.external_ports}
            for summary in summaries:
                for claim in summary.claims:
                    if claim.port in live:
                        yield self.report_claim(claim, "error", f"{claim.port} is {live[claim.port].app}'s")

    result = _project_rule(registry, tmp_path, SeesLive, external_ports=[PortosPort(5570, "shop", "web", "api")])
    assert [(d.code, d.message, d.row) for d in result.diagnostics] == [("ZZ002", "5570 is shop's", 1)]
    assert not hasattr(SeesLive(None), "external_ports")  # passed in, not injected


def test_project_rule_written_with_one_argument_keeps_working(registry, tmp_path):
    from portlint.rule import Rule

    class OldStyle(Rule):
        code, name, scope = "ZZ003", "old-style", "project"

        def check_project(self, summaries):
            for summary in summaries:
                yield from (self.report_claim(c, "warning", f"claims {c.port}") for c in summary.claims)

    result = _project_rule(registry, tmp_path, OldStyle)
    assert [(d.code, d.message) for d in result.diagnostics] == [("ZZ003", "claims 5570")]
    assert result.internal_errors == []


def test_entry_point_reader_agrees_with_importlib_metadata(plugin_site):
    """portlint reads only the ``portlint`` group (importlib.metadata costs a quarter of a one-file run);
    it must find what importlib.metadata finds, here with two real plugin installs on the path."""
    code = ("import json, sys\n"
            "from importlib.metadata import entry_points as oracle\n"
            "from portlint.plugins import entry_points\n"
            "print(json.dumps([sorted({(e.name, e.value) for e in oracle(group='portlint')}),\n"
            "                  sorted({(e.name, e.value) for e in entry_points()})]))\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          env={**__import__("os").environ, "PYTHONPATH": str(plugin_site)})
    assert proc.returncode == 0, proc.stderr
    expected, found = __import__("json").loads(proc.stdout)
    assert found == expected
    assert ["example", "portlint_example"] in found and ["builtin-rules", "portlint.rules"] in found


def test_entry_point_group_parsing():
    from portlint.plugins import EntryPoint, _group

    text = ("[console_scripts]\nportlint = portlint.cli:main\n\n"
            "[portlint]\n# a comment\nexample = portlint_example\nmore=pkg.mod:hooks [extra]\n\n[other]\nx = y\n")
    assert _group(text, "portlint") == [EntryPoint("example", "portlint_example"),
                                         EntryPoint("more", "pkg.mod:hooks [extra]")]
    assert EntryPoint("fmt", "json:dumps [x]").load() is __import__("json").dumps


def test_without_third_party_plugins_pluggy_does_not_arbitrate(monkeypatch):
    """The one-file path loads the built-ins directly; the pluggy path is what plugins take (above)."""
    import portlint.plugins as plugins

    def no_pluggy(*args):
        raise AssertionError("pluggy's manager was used without a third-party plugin")

    monkeypatch.setattr(plugins, "_plugin_hooks", no_pluggy)
    monkeypatch.setattr(plugins, "entry_points", lambda: [plugins.EntryPoint("builtin-rules", "portlint.rules")])
    registry = plugins.load_registry()
    assert {"PL101", "PL203"} <= set(registry.rules) and "sarif" in registry.formats
