"""A run is bounded in time (issue 28, Time): the collision check is near-linear, thousands of apps
of one name stay linear, and one deadline for the whole run (``max-seconds-per-run``) ends a run
that would take too long, reporting every config it did not check, in lint, --map and --next-free.

No test here measures time: work is counted (Python function calls, the index's own steps) on an
input and on one twice its size, and a run that must end is run in a subprocess that is killed at a
limit. The attack inputs are generated here; figures before and after are in NOTES of issue 28."""
from __future__ import annotations

import json
import os
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import run_portlint

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "fuzz"))
from attacks import run as run_attack, Attack  # noqa: E402


def calls_made(function, *args) -> int:
    """How many Python function calls (generator steps included) ``function(*args)`` makes: the work
    it does, whatever the machine's speed."""
    count = 0

    def profile(frame, event, arg):
        nonlocal count
        if event == "call":
            count += 1

    sys.setprofile(profile)
    try:
        function(*args)
    finally:
        sys.setprofile(None)
    return count


def grows_linearly(work, small: int) -> tuple[int, int]:
    """The work of an input of size ``small`` and of twice that; linear work about doubles,
    quadratic work quadruples."""
    return work(small), work(2 * small)


# --- the collision check (PL203) ----------------------------------------------------------------

def _apps_named_like_environments(n: int) -> str:
    """n apps, each with its own environment block on one port and its default on another: n
    environments a claim may hold in, n claims on each port."""
    apps = "".join(f"    {{ name: 'e{i}', script: 's.js', env: {{ PORT: 5570 }}, env_e{i}: {{ PORT: 5571 }} }},\n"
                   for i in range(n))
    return f"module.exports = {{ apps: [\n{apps}] }};\n"


def _portos_list_repeated(n: int) -> str:
    """A PortOS-style apps list written n times over in one file: n apps of each name on each port."""
    apps = ("  { name: 'portos-server', script: 'server/index.js', env: { PORT: 5555, CDP_PORT: 5556 } },\n"
            "  { name: 'portos-ui', script: 'vite', args: '--port 5554', env: { VITE_PORT: 5554 } },\n"
            "  { name: 'portos-cos', script: 'cos.js', env: { PORT: 5558 } },\n")
    return "module.exports = { apps: [\n" + apps * n + "] };\n"


def _summaries(tmp_path: Path, registry, text: str) -> list:
    from portlint.engine.pipeline import Engine
    from portlint.model.summary import ConfigSummary
    from portlint.settings.settings import Settings

    path = tmp_path / "ecosystem.config.cjs"
    path.write_text(text)
    data = Engine(Settings(max_seconds_per_file=3600), registry).file_result(str(path))[0]
    assert data.summary is not None, data.diagnostics
    return [ConfigSummary.from_data(data.summary)]


@pytest.mark.parametrize("shape, size", [(_apps_named_like_environments, 60), (_portos_list_repeated, 150)])
def test_the_collision_check_grows_linearly_with_the_claims(tmp_path, registry, shape, size):
    """Before the index, 300 apps named like environments took 76 s in PL203 alone (each claim
    compared with every earlier one, in every environment); work now about doubles with the input."""
    from portlint.engine.project import ProjectContext
    from portlint.rules.pl2_ranges import PortCollision
    from portlint.settings.settings import Settings

    def work(n: int) -> int:
        folder = tmp_path / str(n)
        folder.mkdir()
        summaries = _summaries(folder, registry, shape(n))
        rule = PortCollision(Settings())
        return calls_made(lambda: list(rule.check_project(summaries, ProjectContext())))

    small, large = grows_linearly(work, size)
    assert large < 2.6 * small, (small, large)


def test_apps_named_like_environments_still_collide_once_each(tmp_path, registry):
    """The shape of the attack is a real mistake too: every app's default PORT is 5570."""
    from portlint.engine.project import ProjectContext
    from portlint.rules.pl2_ranges import PortCollision
    from portlint.settings.settings import Settings

    found = list(PortCollision(Settings()).check_project(_summaries(tmp_path, registry, _apps_named_like_environments(30)),
                                                         ProjectContext()))
    assert len(found) == 29  # every app after the first, on 5570; the env_e<i> blocks (5571) are alternatives
    assert all(d.message.startswith("port 5570 of e") for d in found)
    assert "when started with" not in found[0].message  # e0 and e1 meet with no --env, and in e2 ... e29


def test_thousands_of_apps_of_one_name_in_one_file_stay_linear(tmp_path, registry):
    """The PortOS view answered 'what does PortOS list under this name' by reading every app, for every
    process: 4,000 apps named 'api' cost 16 million steps. Each name is now read once per file."""
    from portlint.engine.pipeline import Engine
    from portlint.settings.settings import Settings

    engine = Engine(Settings(max_seconds_per_file=3600), registry)

    def work(n: int) -> int:
        path = tmp_path / f"n{n}" / "ecosystem.config.cjs"
        path.parent.mkdir()
        path.write_text("module.exports = { apps: [\n" + "".join(
            f"  {{ name: 'api', script: 's.js', env: {{ PORT: {5570 + i % 3} }} }},\n" for i in range(n)) + "] };\n")
        return calls_made(engine.file_result, str(path))

    small, large = grows_linearly(work, 150)
    assert large < 2.6 * small, (small, large)


def test_the_outside_roots_check_of_fix_is_not_files_times_roots(tmp_path):
    """pre-commit names every file it passes: each file was checked against every name."""
    from portlint.fix import scope

    def work(n: int) -> int:
        folder = tmp_path / f"n{n}"
        folder.mkdir()
        files = [str(folder / f"ecosystem.{i}.config.cjs") for i in range(n)]
        for f in files:
            Path(f).write_text("module.exports = { apps: [] };\n")
        scope._prepared.cache_clear()
        return calls_made(lambda: [scope.outside_roots(f, files) for f in files])

    small, large = grows_linearly(work, 300)
    assert large < 2.6 * small, (small, large)
    assert scope.outside_roots(str(tmp_path / "n300" / "ecosystem.1.config.cjs"), [str(tmp_path / "n300")]) is None


# --- the run's deadline -------------------------------------------------------------------------

def _config(name: str, port: int) -> str:
    return textwrap.dedent(f"""\
        const PORTS = {{
          API: {port}, // {name} api
        }};
        module.exports = {{ PORTS, apps: [{{ name: '{name}-api', script: 's.js', env: {{ PORT: PORTS.API }} }}] }};
    """)


@pytest.fixture
def one_config_times_out(tmp_path):
    """a/ lints normally; b/ (port 5571) has a per-folder time budget no file can meet."""
    for name, port in (("a", 5570), ("b", 5571)):
        (tmp_path / name).mkdir()
        (tmp_path / name / "ecosystem.config.cjs").write_text(_config(name, port))
    (tmp_path / "b" / "portlint.toml").write_text("max-seconds-per-file = 0.000001\n")
    return tmp_path


def test_next_free_never_offers_the_ports_of_a_config_that_timed_out(one_config_times_out):
    """Before: `--next-free 2` answered 5571-5572, a port of the config it had not read; exit 0."""
    proc = run_portlint("--next-free", "2", ".", cwd=one_config_times_out)
    assert proc.returncode == 2 and proc.stdout == ""
    assert "b/ecosystem.config.cjs: linting this file took longer than 1e-06 s" in proc.stderr
    assert proc.stderr.strip().splitlines()[-1] == (
        "portlint: --next-free: cannot tell which ports are free: a time limit stopped a config before its "
        "ports were known (raise the limit named above)")


def test_the_map_names_the_configs_it_could_not_check(one_config_times_out):
    proc = run_portlint("--map", ".", cwd=one_config_times_out)
    assert proc.returncode == 1
    assert "5570  a-api" in proc.stdout and "5571" not in proc.stdout.split("Not checked")[0]
    assert ("Not checked (a time limit stopped them; their ports are not in this map):\n"
            "  b/ecosystem.config.cjs: linting this file took longer than 1e-06 s") in proc.stdout
    proc = run_portlint("--map", "--format", "json", "--next-free", "1", ".", cwd=one_config_times_out)
    assert proc.returncode == 2
    data = json.loads(proc.stdout)
    assert data["next_free"] is None
    assert [u["file"] for u in data["unchecked"]] == ["b/ecosystem.config.cjs"]
    from jsonschema import Draft202012Validator

    schema = json.loads((Path(__file__).resolve().parent.parent / "portlint" / "schema" / "portmap.schema.json").read_text())
    Draft202012Validator(schema).validate(data)


def test_lint_reports_a_config_that_timed_out_even_when_pl001_is_not_selected(one_config_times_out):
    proc = run_portlint(".", "--select", "PL2", cwd=one_config_times_out)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "portlint: 1 of 2 configs not checked, stopped by a time limit (b/ecosystem.config.cjs: " in proc.stderr
    proc = run_portlint(".", cwd=one_config_times_out)
    assert "b/ecosystem.config.cjs:1:1: PL001 linting this file took longer than 1e-06 s" in proc.stdout


def test_a_result_stopped_by_a_time_limit_is_not_cached(one_config_times_out):
    run_portlint(".", cwd=one_config_times_out)
    index = json.loads((one_config_times_out / ".portlint_cache" / "index.json").read_text())
    assert [os.path.basename(os.path.dirname(p)) for p in index["entries"]] == ["a"]
    assert index["runs"] == []  # nor the project pass of a run that missed a config


def _require_mesh(root: Path, n: int) -> None:
    """n configs, each requiring every other one and spreading the apps of the next three."""
    (root / ".git").mkdir()
    for i in range(n):
        requires = "".join(f"const c{j} = require('./ecosystem.c{j}.config.cjs');\n" for j in range(n) if j != i)
        spreads = "".join(f"...c{(i + k) % n}.apps, " for k in range(1, 4))
        (root / f"ecosystem.c{i}.config.cjs").write_text(
            requires + f"module.exports = {{ apps: [{{ name: 'a{i}', script: 's.js', env: {{ PORT: {5570 + i % 30} }} }}, "
                       f"{spreads}] }};\n")


def test_configs_that_all_require_one_another_end_at_the_deadline(tmp_path):
    """Each config reaches the others through require(): the run ends at its deadline, and every
    config it did not check is named (a PL001 each, and the line on standard error)."""
    _require_mesh(tmp_path, 250)
    outcome = run_attack(Attack([".", "--no-cache", "--max-seconds-per-run", "3", "--format", "json"], cwd=str(tmp_path)),
                         mem_mb=1024, timeout=90)
    assert outcome.returncode == 1, outcome.stderr  # not killed at the limit: it ended by itself
    diagnostics = json.loads(outcome.stdout)
    linted = {d["filename"] for d in diagnostics if d["code"] != "PL001"}
    stopped = {d["filename"] for d in diagnostics if d["code"] == "PL001" and "max-seconds-per-run" in d["message"]}
    assert stopped and len(linted | stopped) == 250  # every config: either linted or reported as not checked
    assert "configs not checked, stopped by a time limit" in outcome.stderr


def test_the_project_pass_stopped_by_the_deadline_keeps_what_it_found_and_names_the_rest(tmp_path, registry, monkeypatch):
    """A project rule still running at the deadline is stopped; its findings so far stay, and every
    config whose collisions were not all compared gets a PL001."""
    import time

    from portlint.engine.deadline import RunDeadline
    from portlint.engine.pipeline import Engine
    from portlint.rules.pl2_ranges import PortCollision
    from portlint.settings.settings import Settings

    real = PortCollision.check_project

    def slow(self, summaries, context):
        yield next(iter(real(self, summaries, context)))
        while True:  # the rest would take forever
            time.sleep(0.01)

    monkeypatch.setattr(PortCollision, "check_project", slow)
    paths = []
    for name in ("a", "b", "c"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "ecosystem.config.cjs").write_text(_config(name, 5570))
        paths.append(str(tmp_path / name / "ecosystem.config.cjs"))
    result = Engine(Settings(), registry, deadline=RunDeadline(2)).run(paths)
    assert [d.code for d in result.diagnostics].count("PL203") == 1
    stopped = [d for d in result.diagnostics if d.code == "PL001"]
    assert len(stopped) == 3 and "collisions with other configs (PL203) were not all checked" in stopped[0].message
    assert result.project_unchecked and result.unchecked == {}  # their own ports are known (for the map)
    assert result.unchecked_notice() == result.project_unchecked


def test_the_deadline_is_a_setting_and_an_option(tmp_path):
    (tmp_path / "ecosystem.config.cjs").write_text(_config("a", 5570))
    (tmp_path / "portlint.toml").write_text("max-seconds-per-run = 0\n")
    proc = run_portlint(".", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.strip().endswith("portlint.toml: max-seconds-per-run: 0 is not a number of seconds from 0 to 86400")
    (tmp_path / "portlint.toml").write_text("max-seconds-per-run = 120\n")
    assert run_portlint(".", cwd=tmp_path).returncode == 0
    proc = run_portlint(".", "--max-seconds-per-run", "0.000001", cwd=tmp_path)  # the option wins over the file
    assert proc.returncode == 1 and "PL001 not linted: the run reached its time limit of 1e-06 s" in proc.stdout
