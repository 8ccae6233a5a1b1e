"""The command line as users and tools call it: click's runner for speed, a subprocess for truth."""
import json
import os
from pathlib import Path

from click.testing import CliRunner

from conftest import FIXTURES, run_portlint

GAP = "const PORTS = {\n  API: 5570, // api\n  UI: 5572, // ui\n};\nmodule.exports = { PORTS, apps: [] };\n"
LABEL_WARNING = ("const PORTS = {\n  API: 5570, // api\n  METRICS: 5571, // metrics\n};\n"
                 "module.exports = { PORTS, apps: [{ name: 'a', env: { PORT: PORTS.API, METRICS_PORT: PORTS.METRICS } }] };\n")
CLEAN = "const PORTS = {\n  API: 5570, // api\n};\nmodule.exports = { PORTS, apps: [{ name: 'a', env: { PORT: PORTS.API } }] };\n"


def invoke(*args, cwd=None):
    from portlint.cli import cli

    runner = CliRunner()
    old = os.getcwd()
    try:
        if cwd:
            os.chdir(cwd)
        return runner.invoke(cli, list(args), catch_exceptions=False)
    finally:
        os.chdir(old)


def write(tmp_path: Path, text: str, name="ecosystem.config.cjs") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_text_output_and_exit_one_on_errors(tmp_path):
    path = write(tmp_path, GAP)
    result = invoke(str(path))
    assert result.exit_code == 1
    first = result.output.splitlines()[0]
    assert first.startswith(f"{path}:3:7: PL201 ")  # at 5572, the first port above the gap
    assert "5571" in first
    # role = "auto" (the default) inferred the role from the process names; the summary says so
    assert result.output.splitlines()[-1] == "Found 1 error in 1 file."


def test_clean_config_exits_zero_with_no_output(tmp_path):
    result = invoke(str(write(tmp_path, CLEAN)))
    assert result.exit_code == 0
    assert result.output == ""


def test_warnings_alone_do_not_fail_but_max_warnings_does(tmp_path):
    path = write(tmp_path, LABEL_WARNING)
    assert invoke(str(path)).exit_code == 0
    assert invoke(str(path), "--max-warnings", "1").exit_code == 0
    assert invoke(str(path), "--max-warnings", "0").exit_code == 1


def test_quiet_reports_errors_only(tmp_path):
    path = write(tmp_path, LABEL_WARNING)
    result = invoke(str(path), "--quiet")
    assert result.output == ""
    gap = write(tmp_path / "..", GAP, name=f"{tmp_path.name}-ecosystem.config.cjs")
    result = invoke(str(gap), "-q")
    assert result.output.count("\n") == 1 and "PL201" in result.output


def test_exit_zero_hides_errors_but_not_usage_errors(tmp_path):
    assert invoke(str(write(tmp_path, GAP)), "--exit-zero").exit_code == 0
    assert invoke(str(tmp_path / "missing.config.js"), "--exit-zero").exit_code == 2


def test_missing_path_is_one_line_and_exit_two(tmp_path):
    proc = run_portlint(str(tmp_path / "nope"))
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0
    assert "no such file or directory" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_unknown_format_and_bad_option_exit_two(tmp_path):
    path = write(tmp_path, CLEAN)
    proc = run_portlint(str(path), "--format", "xml")
    assert proc.returncode == 2 and "unknown format 'xml'" in proc.stderr
    proc = run_portlint(str(path), "--max-warnings", "-3")
    assert proc.returncode == 2


def test_version_in_subprocess_and_python_dash_m():
    from portlint import __version__

    proc = run_portlint("--version")
    assert proc.returncode == 0 and proc.stdout.strip() == f"portlint {__version__}"


def test_json_output_validates_against_the_shipped_schema(tmp_path):
    import jsonschema

    from importlib.resources import files

    schema = json.loads(files("portlint").joinpath("schema/diagnostics.schema.json").read_text())
    proc = run_portlint(str(FIXTURES), "--format", "json")
    assert proc.returncode == 1, proc.stderr
    data = json.loads(proc.stdout)
    jsonschema.validate(data, schema)
    codes = {d["code"] for d in data}
    assert {"PL001", "PL101", "PL201", "PL301", "PL401", "PL501"} <= codes
    fixes = [d["fix"] for d in data if d["fix"] is not None]
    assert fixes and {f["applicability"] for f in fixes} == {"safe", "unsafe"}


def test_json_positions_match_text_positions(tmp_path):
    path = write(tmp_path, GAP)
    text = invoke(str(path)).output.splitlines()[0]
    data = json.loads(invoke(str(path), "--format", "json").output)
    assert text.startswith(f"{data[0]['filename']}:{data[0]['location']['row']}:{data[0]['location']['column']}: {data[0]['code']}")
    assert data[0]["end_location"] == {"row": 3, "column": 11}  # 5572, the first port above the gap


def test_directory_discovery_skips_node_modules_and_gitignored(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".gitignore").write_text("generated/\n")
    for rel in ["apps/api/ecosystem.config.cjs", "node_modules/pkg/ecosystem.config.js",
                "generated/ecosystem.config.js", "apps/web/pm2.prod.config.mjs", "apps/web/other.config.js",
                "ecosystem.json", "deploy/ecosystem.prod.yaml"]:
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(GAP if p.suffix in (".cjs", ".js") else ("export default { apps: [] };\n" if p.suffix == ".mjs" else ("apps: []\n" if p.suffix == ".yaml" else '{"apps": []}')))
    from portlint.source.discover import discover

    found = discover([str(tmp_path)])
    rel = [os.path.relpath(f, tmp_path) for f in found]
    assert rel == ["apps/api/ecosystem.config.cjs", "apps/web/pm2.prod.config.mjs", "deploy/ecosystem.prod.yaml", "ecosystem.json"]
    # a file named explicitly is linted even when ignored
    assert discover([str(tmp_path / "generated/ecosystem.config.js")]) == [str(tmp_path / "generated/ecosystem.config.js")]


def test_output_order_is_deterministic():
    first = run_portlint(str(FIXTURES)).stdout
    parts = sorted((p for p in FIXTURES.iterdir() if p.is_dir()), reverse=True)  # the same tree, named differently
    second = run_portlint(*map(str, parts)).stdout
    assert first == second
    lines = [l for l in first.splitlines() if ": PL" in l]
    keys = [(l.split(":")[0], int(l.split(":")[1]), int(l.split(":")[2])) for l in lines]
    assert keys == sorted(keys)


def test_internal_error_is_one_line_without_traceback(monkeypatch, tmp_path):
    from portlint.engine import pipeline as engine

    def explode(self, paths, stdin_text=None, keep_configs=False):
        raise RuntimeError("simulated failure")

    monkeypatch.setattr(engine.Engine, "run", explode)
    from portlint.cli import cli

    result = CliRunner().invoke(cli, [str(write(tmp_path, CLEAN))])
    assert result.exit_code == 2
    assert "internal error: RuntimeError: simulated failure" in result.output
    assert "Traceback" not in result.output


def test_explain_and_list_rules():
    proc = run_portlint("--explain", "pl201")
    assert proc.returncode == 0
    assert proc.stdout.startswith("PL201 port-gap\n")
    assert "Bad:" in proc.stdout and "Good:" in proc.stdout
    assert run_portlint("--explain", "PL999").returncode == 2
    catalog = run_portlint("--list-rules").stdout
    assert "PL401  literal-port" in catalog


def test_defaults_to_current_folder(tmp_path):
    write(tmp_path, GAP)
    proc = run_portlint(cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stdout.startswith("ecosystem.config.cjs:3:7: PL201")


def test_nothing_to_lint_is_a_warning_not_an_error(tmp_path):
    (tmp_path / "server.js").write_text("module.exports = {};\n")
    proc = run_portlint(str(tmp_path))
    assert proc.returncode == 0 and proc.stdout == ""
    assert "warning: no ecosystem files found under" in proc.stderr
    assert run_portlint(str(tmp_path), "-q").stderr == ""


def test_summary_counts_files_with_findings_and_files_checked(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    write(tmp_path / "a", GAP)
    write(tmp_path / "b", CLEAN)
    result = invoke(str(tmp_path))
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == "Found 1 error in 1 file (2 files checked)."
