"""CI, pre-commit and editor integration: noqa, output formats, stdin, excludes, the real hook."""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from conftest import FIXTURES, ROOT, need, run_portlint

LITERALS = FIXTURES / "rules" / "PL401" / "literals" / "ecosystem.config.cjs"
BAD = ("const PORTS = {\n  API: 5570, // api\n};\n"
       "module.exports = { PORTS, apps: [{ name: 'a', env: { PORT: 5570, WS_PORT: PORTS.WS } }] };\n")
GOOD = ("const PORTS = {\n  API: 5570, // api\n};\n"
        "module.exports = { PORTS, apps: [{ name: 'a', env: { PORT: PORTS.API } }] };\n")


def lines(proc):
    return [l for l in proc.stdout.splitlines() if ": PL" in l]


# --- noqa ------------------------------------------------------------------------------------------

def test_noqa_forms(tmp_path):
    path = tmp_path / "ecosystem.config.cjs"
    path.write_text(BAD)
    assert {l.split()[1] for l in lines(run_portlint(str(path)))} == {"PL401", "PL404"}
    path.write_text(BAD.replace("} }] };", "} }] }; // noqa"))
    assert lines(run_portlint(str(path))) == []
    path.write_text(BAD.replace("} }] };", "} }] }; // noqa: PL401"))
    assert [l.split()[1] for l in lines(run_portlint(str(path)))] == ["PL404"]
    path.write_text(BAD.replace("} }] };", "} }] }; /* NOQA:pl4 */"))
    assert lines(run_portlint(str(path))) == []
    assert len(lines(run_portlint(str(path), "--disable-noqa"))) == 2


def test_file_wide_noqa_only_in_the_first_comment_block(tmp_path):
    path = tmp_path / "ecosystem.config.cjs"
    path.write_text("#!/usr/bin/env node\n// Legacy config, kept as is.\n// portlint: noqa\n" + BAD)
    assert lines(run_portlint(str(path))) == []
    path.write_text(BAD + "// portlint: noqa\n")  # after the code it does nothing, and PL004 says so
    assert [l.split()[1] for l in lines(run_portlint(str(path)))] == ["PL401", "PL404", "PL004"]
    # a syntax error cannot hide behind noqa unless the whole file is switched off
    path.write_text("// portlint: noqa\nmodule.exports = {,};\n")
    assert lines(run_portlint(str(path))) == []


def test_yaml_noqa_with_hash_comments(tmp_path):
    path = tmp_path / "ecosystem.yaml"
    path.write_text("apps:\n  - name: api\n    env:\n      PORT: 5579  # noqa: PL101, PL502\n")
    assert lines(run_portlint(str(path))) == []
    path.write_text("# portlint: noqa\napps:\n  - name: api\n    env:\n      PORT: 5579\n")
    assert lines(run_portlint(str(path))) == []
    path.write_text("apps:\n  - name: 'not # a comment'\n    env:\n      PORT: 5579\n")
    assert len(lines(run_portlint(str(path)))) == 1  # PL101 (a YAML file: PortOS does not read it either)


def test_json_reports_the_noqa_row(tmp_path):
    path = tmp_path / "ecosystem.config.cjs"
    path.write_text(GOOD.replace("PORTS.API }", "5570 }"))
    data = json.loads(run_portlint(str(path), "--format", "json").stdout)
    assert [(d["code"], d["noqa_row"], d["location"]["row"]) for d in data] == [("PL401", 4, 4)]


# --- formats --------------------------------------------------------------------------------------

def test_json_lines_is_the_json_objects_one_per_line():
    as_json = json.loads(run_portlint(str(LITERALS), "--format", "json").stdout)
    as_lines = [json.loads(l) for l in run_portlint(str(LITERALS), "--format", "json-lines").stdout.splitlines()]
    assert as_lines == as_json and len(as_lines) >= 5


def test_github_annotations_escape_properly(tmp_path):
    weird = tmp_path / "we,ird:dir"
    weird.mkdir()
    path = weird / "ecosystem.config.cjs"
    path.write_text(GOOD.replace("name: 'a'", "name: 'a%b'").replace("PORTS.API }", "5570 }"))
    out = run_portlint(str(path), "--format", "github").stdout.splitlines()
    assert len(out) == 1
    line = out[0]
    assert line.startswith("::error file=")
    assert "we%2Cird%3Adir" in line and ",line=4,col=" in line and ",endLine=4,endColumn=" in line
    assert "title=PL401 literal-port::PL401 a%25b writes 5570 literally" in line
    from portlint.report.formats.github import escape_data, escape_property

    assert escape_data("50%\r\nx") == "50%25%0D%0Ax"
    assert escape_property("a:b,c%") == "a%3Ab%2Cc%25"


def test_junit_counts_files_and_failures(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "ecosystem.config.cjs").write_text(BAD)
    (tmp_path / "b" / "ecosystem.config.cjs").write_text(GOOD.replace("5570", "5580"))
    root = ET.fromstring(run_portlint(str(tmp_path), "--format", "junit").stdout)
    assert root.tag == "testsuites" and root.get("failures") == "2"
    suites = {Path(s.get("name")).parent.name: s for s in root.findall("testsuite")}
    assert suites["a"].get("failures") == "2" and len(suites["a"].findall("testcase/failure")) == 2
    assert suites["b"].get("failures") == "0" and len(suites["b"].findall("testcase")) == 1
    assert {f.get("type") for f in suites["a"].iter("failure")} == {"PL401", "PL404"}


@pytest.fixture(scope="session")
def sarif_log(tmp_path_factory):
    out = tmp_path_factory.mktemp("sarif") / "portlint.sarif"
    proc = run_portlint("fixtures", "--format", "sarif", "--output-file", str(out), cwd=ROOT)
    assert proc.returncode == 1 and proc.stdout == ""
    return out


def test_sarif_matches_the_official_schema_and_github_needs(sarif_log):
    import jsonschema

    schema = json.loads((ROOT / "tests" / "schemas" / "sarif-2.1.0-rtm.5.json").read_text())
    log = json.loads(sarif_log.read_text())
    jsonschema.validate(log, schema)
    run = log["runs"][0]
    assert log["version"] == "2.1.0" and run["tool"]["driver"]["name"] == "portlint"
    rules = run["tool"]["driver"]["rules"]
    assert {"PL001", "PL203", "PL502"} <= {r["id"] for r in rules}
    for rule in rules:
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"] and rule["help"]["text"]
        assert rule["defaultConfiguration"]["level"] in ("error", "warning") and rule["helpUri"]
    assert run["results"]
    for result in run["results"]:
        loc = result["locations"][0]["physicalLocation"]
        assert not loc["artifactLocation"]["uri"].startswith("/")  # repository-relative
        assert loc["artifactLocation"]["uri"].startswith("fixtures/")
        assert loc["region"]["startLine"] >= 1 and loc["region"]["startColumn"] >= 1
        assert result["message"]["text"] and result["partialFingerprints"]["primaryLocationLineHash"]
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    fingerprints = [r["partialFingerprints"]["primaryLocationLineHash"] for r in run["results"]]
    assert len(set(zip(fingerprints, [r["ruleId"] for r in run["results"]]))) == len(fingerprints)


def sarif_multitool() -> str | None:
    """Microsoft's SARIF validator (npm @microsoft/sarif-multitool), installed on first use."""
    tools = ROOT / "tests" / ".tools"
    binary = tools / "node_modules" / "@microsoft" / "sarif-multitool-linux" / "Sarif.Multitool"
    if not binary.exists():
        npm = shutil.which("npm")
        if npm is None:
            return None
        tools.mkdir(parents=True, exist_ok=True)
        subprocess.run([npm, "install", "--prefix", str(tools), "--no-audit", "--no-fund", "--loglevel=error",
                        "@microsoft/sarif-multitool@5.7.0"], check=True, timeout=600, capture_output=True)
    if binary.exists():
        binary.chmod(0o755)  # its own postinstall step does this; npm may not run install scripts
        return str(binary)
    return None


def validated(log, tmp_path) -> list[dict]:
    """What Microsoft's SARIF validator says of a log (its results: errors, warnings, notes)."""
    if sys.platform != "linux":
        pytest.skip("the validator binary installed here is the Linux one")
    tool = need(sarif_multitool(), "npm (to install @microsoft/sarif-multitool)")
    out = tmp_path / "validation.sarif"
    proc = subprocess.run([tool, "validate", str(log), "--output", str(out), "--level", "Error;Warning;Note"],
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "DOTNET_SYSTEM_GLOBALIZATION_INVARIANT": "1"})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return json.loads(out.read_text(encoding="utf-8-sig"))["runs"][0].get("results", [])


def test_sarif_passes_microsofts_validator(sarif_log, tmp_path):
    results = validated(sarif_log, tmp_path)
    assert results, "the validator reported nothing at all: was it run?"  # it always adds notes
    errors = [r for r in results if r.get("level") == "error"]
    assert errors == [], [r["message"] for r in errors]


def test_the_validator_does_catch_a_broken_log(sarif_log, tmp_path):
    """The validator test above can fail: a log with an invalid region is an error."""
    tool = sarif_multitool() if sys.platform == "linux" else None
    if tool is None:
        pytest.skip("validator not available")
    broken = json.loads(sarif_log.read_text())
    broken["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    bad = tmp_path / "broken.sarif"
    bad.write_text(json.dumps(broken))
    out = tmp_path / "validation.sarif"
    subprocess.run([tool, "validate", str(bad), "--output", str(out)], capture_output=True, timeout=300,
                   env={**os.environ, "DOTNET_SYSTEM_GLOBALIZATION_INVARIANT": "1"})
    results = json.loads(out.read_text(encoding="utf-8-sig"))["runs"][0].get("results", [])
    assert any(r.get("level") == "error" for r in results)


def test_statistics_count_show_source_and_output_file(tmp_path):
    proc = run_portlint(str(LITERALS), "--statistics", "--count")
    tail = proc.stdout.splitlines()[-5:]
    assert tail[-1] == str(len(lines(proc)))
    assert any(l.split()[:2] == ["3", "PL401"] for l in tail)  # the fourth is PL203's collision
    shown = run_portlint(str(LITERALS), "--show-source").stdout.splitlines()
    i = next(i for i, l in enumerate(shown) if ":10:73: PL401" in l)
    assert shown[i + 1].startswith("   10 | ") and "process.env.PORT || 5570" in shown[i + 1]
    assert shown[i + 2].index("^") == shown[i + 1].index("5570") and shown[i + 2].count("^") == 4
    out = tmp_path / "report.txt"
    proc = run_portlint(str(LITERALS), "-o", str(out))
    assert proc.stdout == "" and ": PL401 " in out.read_text()
    proc = run_portlint(str(LITERALS), "--format", "json", "--count")
    json.loads(proc.stdout)  # counts go to stderr when stdout is machine-readable
    assert proc.stderr.strip().splitlines()[-1].isdigit()


def test_colour_only_on_request_or_terminal(monkeypatch):
    assert "\x1b[" not in run_portlint(str(LITERALS)).stdout  # a pipe is not a terminal
    assert "\x1b[" in run_portlint(str(LITERALS), "--color", "always").stdout
    assert "\x1b[" not in run_portlint(str(LITERALS), "--color", "never").stdout
    from portlint.cli import _use_color

    class Tty:
        def isatty(self):
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    assert _use_color("auto", Tty()) is True
    monkeypatch.setenv("NO_COLOR", "1")
    assert _use_color("auto", Tty()) is False


# --- stdin for editors ---------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["text", "json", "json-lines", "sarif", "github", "junit", "pylint"])
def test_stdin_uses_the_given_path_for_settings_requires_and_reports(tmp_path, fmt):
    app = tmp_path / "apps" / "api"
    app.mkdir(parents=True)
    (tmp_path / "portlint.toml").write_text("extend-labels = [\"metrics\"]\n")
    (app / "ports.config.cjs").write_text("module.exports = { PORTS: { API: 5570, /* api */ METRICS: 5571 } };\n")
    buffer = ("const { PORTS } = require('./ports.config.cjs');\n"
              "module.exports = { PORTS, apps: [{ name: 'a', env: { PORT: 5570, METRICS_PORT: PORTS.METRICS } }] };\n")
    name = "apps/api/ecosystem.config.cjs"
    proc = run_portlint("-", "--stdin-filename", name, "--format", fmt, input=buffer, cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert not (app / "ecosystem.config.cjs").exists()
    out = proc.stdout
    if fmt == "sarif":  # the rule catalog names every code; look at the results only
        out = json.dumps(json.loads(out)["runs"][0]["results"])
    assert name in out and "PL401" in out  # the literal 5570 equals the required PORTS.API
    assert "PL501" not in out  # metrics is allowed by the settings found from the given path
    assert "PL002" not in out  # the relative require resolved from the given path


def test_stdin_without_a_name_and_bad_combinations(tmp_path):
    proc = run_portlint("-", input=GOOD, cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert run_portlint("-", "x", input=GOOD, cwd=tmp_path).returncode == 2
    assert run_portlint(".", "--stdin-filename", "a.js", cwd=tmp_path).returncode == 2
    proc = run_portlint("-", "--stdin-filename", "ecosystem.json", input="{ apps: [,, }", cwd=tmp_path)
    assert proc.returncode == 1 and "ecosystem.json:1:" in proc.stdout and "PL001" in proc.stdout


# --- excludes and pre-commit --------------------------------------------------------------------

def test_exclude_settings_and_force_exclude(tmp_path):
    (tmp_path / "vendor").mkdir()
    (tmp_path / "vendor" / "ecosystem.config.cjs").write_text(BAD)
    (tmp_path / "ecosystem.config.cjs").write_text(GOOD)
    (tmp_path / "portlint.toml").write_text("exclude = [\"vendor/\"]\n")
    assert run_portlint(".", cwd=tmp_path).returncode == 0
    named = "vendor/ecosystem.config.cjs"
    assert run_portlint(named, cwd=tmp_path).returncode == 1  # named: linted, like ruff
    assert run_portlint(named, "--force-exclude", cwd=tmp_path).returncode == 0
    assert run_portlint(".", "--isolated", cwd=tmp_path).returncode == 1
    assert run_portlint(".", "--isolated", "--extend-exclude", "vendor", cwd=tmp_path).returncode == 0


def test_pre_commit_manifest_is_valid():
    proc = subprocess.run([sys.executable, "-m", "pre_commit", "validate-manifest", str(ROOT / ".pre-commit-hooks.yaml")],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def git(cwd, *args):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, timeout=60,
                   env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
                        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid"})


@pytest.mark.skipif(shutil.which("git") is None, reason="git is needed")
def test_pre_commit_try_repo_fails_on_bad_and_passes_on_good(tmp_path):
    repo = tmp_path / "project"
    repo.mkdir()
    git(repo, "init", "-q")
    (repo / "bad").mkdir()
    (repo / "good").mkdir()
    (repo / "vendor").mkdir()
    (repo / "bad" / "ecosystem.config.cjs").write_text(BAD)
    (repo / "good" / "ecosystem.config.cjs").write_text(GOOD.replace("5570", "5580"))
    (repo / "vendor" / "ecosystem.config.cjs").write_text(BAD.replace("5570", "5590"))
    (repo / "portlint.toml").write_text("exclude = [\"vendor/\"]\n")
    (repo / "README.md").write_text("not a config\n")
    git(repo, "add", "-A")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"), "PORTLINT_BUILTIN_ONLY": "1"}

    def try_repo(*files):
        return subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), "portlint",
                               "--files", *files], cwd=repo, capture_output=True, text=True, timeout=900, env=env)

    bad = try_repo("bad/ecosystem.config.cjs", "README.md")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "bad/ecosystem.config.cjs:4:" in bad.stdout and "PL401" in bad.stdout
    good = try_repo("good/ecosystem.config.cjs", "README.md")
    assert good.returncode == 0, good.stdout + good.stderr
    excluded = try_repo("vendor/ecosystem.config.cjs")  # named by pre-commit, excluded by settings
    assert excluded.returncode == 0, excluded.stdout + excluded.stderr


def test_comment_scanner_skips_strings_templates_and_regexes():
    from portlint.engine.noqa import scan_js_comments

    text = ("#!/usr/bin/env node\n"
            "const a = `x${ { b: '// no' } }y // not ${ `in${1} // no` }` // one\n"
            "const r = /\\/\\/ no [/]/g; /* two */ const d = 4 / 2 / 1; // three\n"
            "const s = \"// no\" + '/* no */'; // four\n")
    assert [c[2].strip() for c in scan_js_comments(text)] == ["/usr/bin/env node", "one", "two", "three", "four"]


@pytest.fixture(scope="session")
def sarif_inside_and_outside(tmp_path_factory):
    """A log of two configs: one under the working directory, one outside it."""
    work = tmp_path_factory.mktemp("work")
    outside = tmp_path_factory.mktemp("elsewhere")
    for folder in (work / "apps" / "api", outside):
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "ecosystem.config.cjs").write_text(BAD)
    out = work / "portlint.sarif"
    proc = run_portlint("apps", str(outside), "--no-cache", "--format", "sarif", "-o", str(out), cwd=work)
    assert proc.returncode == 1, proc.stderr
    return out, outside


def test_sarif_uri_base_id_only_on_relative_uris(sarif_inside_and_outside):
    out, outside = sarif_inside_and_outside
    log = json.loads(out.read_text())
    locations = [r["locations"][0]["physicalLocation"]["artifactLocation"] for r in log["runs"][0]["results"]]
    inside = [loc for loc in locations if not loc["uri"].startswith("file:")]
    absolute = [loc for loc in locations if loc["uri"].startswith("file:")]
    assert inside and absolute
    assert all(loc == {"uri": "apps/api/ecosystem.config.cjs", "uriBaseId": "%SRCROOT%"} for loc in inside)
    assert all(loc == {"uri": (outside / "ecosystem.config.cjs").as_uri()} for loc in absolute)
    base = log["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert base.startswith("file:///") and base.endswith("/")


def test_sarif_inside_and_outside_the_working_directory_passes_microsofts_validator(sarif_inside_and_outside, tmp_path):
    if sys.platform != "linux":
        pytest.skip("the validator binary installed here is the Linux one")
    tool = need(sarif_multitool(), "npm (to install @microsoft/sarif-multitool)")
    log, _ = sarif_inside_and_outside
    out = tmp_path / "validation.sarif"
    proc = subprocess.run([tool, "validate", str(log), "--output", str(out), "--level", "Error;Warning;Note"],
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "DOTNET_SYSTEM_GLOBALIZATION_INVARIANT": "1"})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    results = json.loads(out.read_text(encoding="utf-8-sig"))["runs"][0].get("results", [])
    assert results, "the validator reported nothing at all: was it run?"
    bad = [r for r in results if r.get("level") == "error" or r.get("ruleId") == "SARIF1004"]
    assert bad == [], [r["message"] for r in bad]


# --- GitLab Code Quality ---------------------------------------------------------------------------

def gitlab_report(cwd, *paths, env=None):
    proc = run_portlint(*paths, "--no-cache", "--format", "gitlab", cwd=cwd, env=env)
    assert proc.returncode == 1, proc.stderr
    return json.loads(proc.stdout)


def test_gitlab_report_has_the_fields_gitlab_requires(tmp_path):
    import jsonschema

    (tmp_path / "api").mkdir()
    (tmp_path / "api" / "ecosystem.config.cjs").write_text(BAD)
    report = gitlab_report(tmp_path, "api")
    jsonschema.validate(report, json.loads((ROOT / "tests" / "schemas" / "gitlab-code-quality.schema.json").read_text()))
    # BAD (4 lines) writes 5570 literally on line 4 (PL401) and refers there to PORTS.WS, not defined (PL404)
    assert sorted((i["check_name"], i["severity"], i["location"]["path"], i["location"]["lines"]["begin"])
                  for i in report) == [("PL401", "major", "api/ecosystem.config.cjs", 4),
                                       ("PL404", "major", "api/ecosystem.config.cjs", 4)]
    assert all(i["description"].startswith(f"{i['check_name']} ") for i in report)
    assert len({i["fingerprint"] for i in report}) == len(report)


def test_gitlab_fingerprints_are_stable_across_runs_and_line_moves(tmp_path):
    config = tmp_path / "ecosystem.config.cjs"
    config.write_text(BAD)
    first = gitlab_report(tmp_path, ".")
    assert first == gitlab_report(tmp_path, ".")  # the same on a second run
    config.write_text("// a comment added above\n" + BAD)
    moved = gitlab_report(tmp_path, ".")
    assert [i["location"]["lines"]["begin"] for i in moved] == [i["location"]["lines"]["begin"] + 1 for i in first]
    assert [i["fingerprint"] for i in moved] == [i["fingerprint"] for i in first]


def test_gitlab_paths_are_relative_to_the_ci_project_dir(tmp_path):
    (tmp_path / "apps").mkdir()
    (tmp_path / "apps" / "ecosystem.config.cjs").write_text(BAD)
    report = gitlab_report(tmp_path / "apps", ".", env={"CI_PROJECT_DIR": str(tmp_path)})
    assert {i["location"]["path"] for i in report} == {"apps/ecosystem.config.cjs"}
