"""The command line's shape: click options -> a frozen Options value -> one command per mode, in small pieces."""
import ast
import dataclasses
import json
from pathlib import Path

import click
import pytest

from conftest import ROOT, run_portlint

CLI_MODULES = [ROOT / "portlint" / "cli.py", *sorted((ROOT / "portlint" / "commands").glob("*.py"))]


def test_every_click_option_is_a_field_of_options():
    from portlint.cli import cli
    from portlint.commands.options import Options

    names = {p.name for p in cli.params if isinstance(p, click.Option) and not p.is_eager}
    fields = {f.name for f in dataclasses.fields(Options)}
    assert names == fields - {"paths"}
    assert dataclasses.fields(Options)  # and it is frozen: no command can change what was asked
    with pytest.raises(dataclasses.FrozenInstanceError):
        Options().fix = True


def test_no_hidden_option_keys_and_no_long_functions():
    for path in CLI_MODULES:
        text = path.read_text()
        assert 'options["_' not in text and "options['_" not in text, path
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                limit = 120 if node.name == "cli" else 60  # cli: ~40 option decorators, then a short body
                assert length <= limit, f"{path.name}:{node.name} is {length} lines"


@pytest.mark.parametrize("argv,mode", [
    ((), "lint"), (("--fix",), "lint"), (("--diff",), "lint"), (("--map",), "map"), (("--next-free", "2"), "free"),
    (("--map", "--next-free", "2"), "map"), (("--list-rules",), "catalog"), (("--explain", "PL201"), "catalog"),
])
def test_each_mode_has_its_command(argv, mode):
    from portlint.cli import cli
    from portlint.commands.options import Options

    ctx = cli.make_context("portlint", list(argv))
    options = Options(paths=tuple(ctx.params.pop("paths")), **ctx.params)
    assert options.mode == mode


CONFIG = ("const PORTS = {\n  API: 5570, // REST API\n  UI: 5571, // web UI\n};\n"
          "module.exports = { PORTS, apps: [\n"
          "  { name: 'shop-api', env: { PORT: PORTS.API } },\n"
          "  { name: 'shop-ui', env: { PORT: PORTS.UI } },\n] };\n")


def test_map_with_next_free_prints_both(tmp_path):
    (tmp_path / "ecosystem.config.cjs").write_text(CONFIG)
    text = run_portlint("--map", "--next-free", "2", str(tmp_path))
    assert text.returncode == 0, text.stderr
    lines = text.stdout.splitlines()
    assert lines[0].split() == ["Port", "Process", "Label", "PortOS", "Description", "Where"]
    assert [line.split()[:2] for line in lines[1:3]] == [["5570", "shop-api"], ["5571", "shop-ui"]]
    assert lines[-1] == "Next free block of 2 in the user range 5570-5599: 5572-5573"
    md = run_portlint("--map", "--next-free", "2", "--format", "markdown", str(tmp_path)).stdout
    assert md.rstrip().endswith("Next free block of 2 in the user range 5570-5599: 5572-5573")
    data = json.loads(run_portlint("--map", "--next-free", "2", "--format", "json", str(tmp_path)).stdout)
    assert [r["port"] for r in data["ports"]] == [5570, 5571]
    assert data["next_free"] == {"start": 5572, "end": 5573, "size": 2, "range": [5570, 5599]}


def test_map_with_next_free_and_no_room_says_so_and_exits_1(tmp_path):
    (tmp_path / "ecosystem.config.cjs").write_text(CONFIG)
    (tmp_path / "portlint.toml").write_text('[ranges]\nuser = "5570-5572"\n')
    proc = run_portlint("--map", "--next-free", "2", str(tmp_path))
    assert proc.returncode == 1
    assert proc.stdout.splitlines()[-1] == "No free block: no block of 2 free ports in the user range 5570-5572"
    data = json.loads(run_portlint("--map", "--next-free", "2", "--format", "json", str(tmp_path)).stdout)
    assert data["next_free"] is None


@pytest.mark.parametrize("option", ["--select", "--ignore", "--extend-select", "--extend-ignore"])
def test_a_bad_selector_names_the_option_it_came_from(tmp_path, option):
    (tmp_path / "ecosystem.config.cjs").write_text(CONFIG)
    (tmp_path / "portlint.toml").write_text('select = ["PL2"]\n')  # a settings file that is fine
    proc = run_portlint(option, "PL4,pl9", str(tmp_path))
    assert proc.returncode == 2
    assert proc.stderr == f"portlint: unknown rule selector 'PL9' (from {option})\n"


def test_a_bad_selector_in_a_settings_file_still_names_the_file(tmp_path):
    (tmp_path / "ecosystem.config.cjs").write_text(CONFIG)
    (tmp_path / "portlint.toml").write_text('select = ["PL9"]\n')
    proc = run_portlint("--select", "PL2", str(tmp_path))
    assert proc.returncode == 2 and proc.stderr.startswith(f"portlint: {tmp_path / 'portlint.toml'}: ")
    assert "unknown rule selector 'PL9'" in proc.stderr


def test_help_is_grouped_like_ruffs_and_every_option_has_a_section():
    from portlint.cli import cli
    from portlint.commands.help import SECTIONS

    proc = run_portlint("--help", env={"COLUMNS": "100"})
    titles = [line[:-1] for line in proc.stdout.splitlines() if line and not line.startswith(" ") and line.endswith(":")]
    assert titles == [title for title, _ in SECTIONS]
    assert titles[:7] == ["Output", "Rule selection", "Fixes", "Files and exclusion", "Settings",
                          "Port map and PortOS", "Performance"]
    listed = {name for _, names in SECTIONS for name in names}
    options = {p.name for p in cli.params if isinstance(p, click.Option)} - {"_click_default_help"}
    assert options <= listed and "Other options" not in proc.stdout
    section = proc.stdout.split("\nFixes:\n", 1)[1].split("\n\n", 1)[0]
    assert [line.split()[0] for line in section.splitlines() if line.startswith("  --")] == [
        "--fix", "--unsafe-fixes", "--diff", "--show-fixes", "--allow-dirty"]


def test_readme_shows_the_real_help():
    proc = run_portlint("--help", env={"COLUMNS": "100"})
    assert f"```\n{proc.stdout}```" in (ROOT / "README.md").read_text()


def test_after_fix_what_is_left_is_reported_on_standard_output(tmp_path):
    # a fixed file's new text feeds the second lint; that must not send the report to stderr
    # (only standard input with --fix does: stdout then carries the fixed buffer)
    config = tmp_path / "ecosystem.config.cjs"
    config.write_text("const PORTS = {\n  API: 5570, // api\n};\nmodule.exports = { PORTS, apps: [\n"
                      "  { name: 'a', env: { PORT: 5570 } },\n  { name: 'b', env: { PORT: 5570 } },\n] };\n")
    proc = run_portlint(str(config), "--fix", "--no-cache")
    assert proc.returncode == 1
    assert "PL203" in proc.stdout and "PL203" not in proc.stderr
