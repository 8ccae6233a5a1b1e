"""What `pip install portlint` and CI users get: the sdist and wheel (built and twine-checked), their
metadata, and the composite GitHub Action (schema-validated, its shell steps run)."""
import email
import json
import os
import shutil
import subprocess
import sys
import zipfile

import pytest
import yaml

from conftest import ROOT

BAD = ("const PORTS = {\n  API: 5570, // api\n};\n"
       "module.exports = { PORTS, apps: [{ name: 'a', env: { PORT: 5570 } }] };\n")


@pytest.fixture(scope="session")
def dist(tmp_path_factory):
    """`python -m build` of this checkout: one sdist and one wheel."""
    out = tmp_path_factory.mktemp("dist")
    proc = subprocess.run([sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)],
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return out


def test_build_gives_an_sdist_and_a_wheel_that_twine_accepts(dist):
    assert len(list(dist.glob("portlint-*.tar.gz"))) == 1 and len(list(dist.glob("portlint-*.whl"))) == 1
    proc = subprocess.run([sys.executable, "-m", "twine", "check", "--strict", *map(str, dist.iterdir())],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count("PASSED") == 2, proc.stdout


def test_wheel_metadata_for_pypi(dist):
    wheel = zipfile.ZipFile(next(dist.glob("portlint-*.whl")))
    names = wheel.namelist()
    assert "portlint/py.typed" in names  # the public API is typed (Typing :: Typed)
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    meta = email.message_from_bytes(wheel.read(next(n for n in names if n.endswith(".dist-info/METADATA"))))
    classifiers = meta.get_all("Classifier")
    assert "Typing :: Typed" in classifiers and "Topic :: Software Development :: Quality Assurance" in classifiers
    assert meta["License-Expression"] == "MIT"
    assert {"pm2", "linter", "ports"} <= set(meta["Keywords"].split(","))
    assert meta["Description-Content-Type"] == "text/markdown" and "# portlint" in meta.get_payload()
    urls = dict(u.split(", ", 1) for u in meta.get_all("Project-URL"))
    assert {"Homepage", "Documentation", "Repository", "Issues", "Schema"} <= set(urls)


def test_addresses_come_from_the_project_urls():
    """[project.urls] is the one place: the diagnostic url, SARIF's informationUri and the schema's $id use it."""
    import tomllib

    from portlint.diagnostic import Diagnostic
    from portlint.urls import project_urls

    urls = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["urls"]
    assert project_urls() == urls
    d = Diagnostic("PL401", "literal-port", "m", "error", "x", 1, 1, 1, 2)
    assert d.url == urls["Documentation"] + "#pl401"
    schema = json.loads((ROOT / "portlint" / "schema" / "diagnostics.schema.json").read_text())
    assert schema["$id"] == urls["Schema"]
    import io

    from portlint.report.formats import FormatContext
    from portlint.report.formats.sarif import render

    out = io.StringIO()
    render([], out, FormatContext())
    assert json.loads(out.getvalue())["runs"][0]["tool"]["driver"]["informationUri"] == urls["Homepage"]


# --- the GitHub Action -----------------------------------------------------------------------------

def check_jsonschema(path):
    return subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-actions",
                           str(path)], capture_output=True, text=True, timeout=120)


def test_action_yml_is_a_valid_github_action():
    proc = check_jsonschema(ROOT / "action.yml")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "ok -- validation done" in proc.stdout


def test_the_action_schema_check_can_fail(tmp_path):
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    del action["runs"]["steps"][0]["shell"]  # a composite run step needs its shell
    broken = tmp_path / "action.yml"
    broken.write_text(yaml.safe_dump(action))
    assert check_jsonschema(broken).returncode == 1


def run_action(inputs: dict, workspace, dist, tmp_path) -> list[subprocess.CompletedProcess]:
    """Run the action's shell steps as the runner does: inputs through each step's env, GITHUB_PATH and
    GITHUB_OUTPUT files, pip finding this checkout's wheel for the version asked."""
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    values = {name: str(spec.get("default", "")) for name, spec in action["inputs"].items()}
    values.update(inputs)
    github_path, github_output = tmp_path / "github_path", tmp_path / "github_output"
    github_path.write_text("")
    github_output.write_text("")
    done = []
    for step in action["runs"]["steps"]:
        assert step["shell"] == "bash"
        env = {k: v for k, v in os.environ.items() if not k.startswith("PORTLINT_")}
        extra = [line for line in github_path.read_text().splitlines() if line]
        env.update(RUNNER_TEMP=str(tmp_path), GITHUB_PATH=str(github_path), GITHUB_OUTPUT=str(github_output),
                   PATH=os.pathsep.join([*extra, env["PATH"]]), PIP_FIND_LINKS=str(dist))
        for key, value in step.get("env", {}).items():
            for name, given in values.items():
                value = value.replace("${{ inputs.%s }}" % name, given)
            assert "${{" not in value, value
            env[key] = value
        proc = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=workspace, env=env, capture_output=True,
                              text=True, timeout=900)
        done.append(proc)
        if proc.returncode != 0:
            break
    return done


def test_action_steps_annotate_findings_and_write_sarif(dist, tmp_path):
    if shutil.which("bash") is None:
        pytest.skip("bash is needed")
    workspace = tmp_path / "repo"
    (workspace / "apps" / "api").mkdir(parents=True)
    (workspace / "apps" / "api" / "ecosystem.config.cjs").write_text(BAD)
    install, lint = run_action({"version": "0.1.0", "args": "apps", "sarif-file": "portlint.sarif"},
                               workspace, dist, tmp_path)
    assert install.returncode == 0, install.stderr
    assert install.stdout.strip().endswith("portlint 0.1.0")
    assert lint.returncode == 1, lint.stderr  # an error fails the job
    annotations = [line for line in lint.stdout.splitlines() if line.startswith("::")]
    assert annotations and all(line.startswith("::error file=apps/api/ecosystem.config.cjs,line=4,")
                               for line in annotations)
    assert any("PL401" in line for line in annotations)
    log = json.loads((workspace / "portlint.sarif").read_text())
    assert {r["ruleId"] for r in log["runs"][0]["results"]} == {"PL401"}
    assert "sarif-file=portlint.sarif" in (tmp_path / "github_output").read_text().splitlines()


def test_action_never_writes_sarif_through_a_planted_link(dist, tmp_path):
    """A pull request that commits `portlint.sarif -> ../outside` cannot make the action write there."""
    if shutil.which("bash") is None:
        pytest.skip("bash is needed")
    workspace = tmp_path / "repo"
    workspace.mkdir()
    (workspace / "ecosystem.config.cjs").write_text(BAD)
    (tmp_path / "outside").write_text("SECRET\n")
    (workspace / "portlint.sarif").symlink_to("../outside")
    install, lint = run_action({"version": "0.1.0", "sarif-file": "portlint.sarif"}, workspace, dist, tmp_path)
    assert install.returncode == 0, install.stderr
    assert lint.returncode == 2
    assert lint.stdout.startswith("::error::portlint: portlint.sarif is a symbolic link or not a regular file")
    assert (tmp_path / "outside").read_text() == "SECRET\n"


def test_action_passes_a_clean_repository_without_sarif(dist, tmp_path):
    if shutil.which("bash") is None:
        pytest.skip("bash is needed")
    workspace = tmp_path / "repo"
    workspace.mkdir()
    (workspace / "ecosystem.config.cjs").write_text(BAD.replace("PORT: 5570", "PORT: PORTS.API"))
    install, lint = run_action({"version": "0.1.0"}, workspace, dist, tmp_path)
    assert install.returncode == 0, install.stderr
    assert lint.returncode == 0, lint.stdout + lint.stderr
    assert [line for line in lint.stdout.splitlines() if line.startswith("::")] == []
    assert not list(workspace.glob("*.sarif"))
    assert "sarif-file=" in (tmp_path / "github_output").read_text().splitlines()


# --- the public API is typed (py.typed) ------------------------------------------------------------

PLUGIN = '''"""A third-party rule, type-checked against portlint's public API."""
from collections.abc import Iterable

from portlint import Diagnostic, Rule, hookimpl


class KeepFree(Rule):
    """Port 5599 stays free."""

    code = "XP001"
    name = "keep-5599-free"

    def check(self, config: object) -> Iterable[Diagnostic]:
        return []


@hookimpl
def portlint_rules() -> list[type[Rule]]:
    return [KeepFree]


def describe(d: Diagnostic) -> str:
    return f"{d.code} {d.message} at {d.row}:{d.column}"
'''


def mypy(tmp_path, text: str) -> subprocess.CompletedProcess:
    (tmp_path / "plugin.py").write_text(text)
    return subprocess.run([sys.executable, "-m", "mypy", "--strict", "--follow-imports=silent", "--no-incremental",
                           "plugin.py"], cwd=tmp_path, capture_output=True, text=True, timeout=600,
                          env={**os.environ, "MYPYPATH": str(ROOT)})


def test_a_plugin_type_checks_strictly_against_the_public_api(tmp_path):
    proc = mypy(tmp_path, PLUGIN)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_type_check_catches_a_misused_api(tmp_path):
    proc = mypy(tmp_path, PLUGIN.replace("{d.row}", "{d.line_number}"))
    assert proc.returncode == 1 and '"Diagnostic" has no attribute "line_number"' in proc.stdout
