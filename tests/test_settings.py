"""Settings files, their discovery, validation (exit 2 naming the key) and command-line overrides."""
import pytest

from conftest import run_portlint

GAP_AND_LABEL = ("const PORTS = {\n  API: 5570, // api\n  METRICS: 5572, // metrics\n};\n"
                 "module.exports = { PORTS, apps: [{ name: 'a', env: { PORT: PORTS.API, METRICS_PORT: PORTS.METRICS } }] };\n")
CORE = ("const PORTS = {\n  API: 5555, // core API\n};\n"
        "module.exports = { PORTS, apps: [{ name: 'core-api', env: { PORT: PORTS.API } }] };\n")


def codes(proc):
    return sorted({line.split(": ")[1].split()[0] for line in proc.stdout.splitlines() if ": PL" in line})


@pytest.fixture
def project(tmp_path):
    (tmp_path / ".git").mkdir()
    app = tmp_path / "apps" / "api"
    app.mkdir(parents=True)
    (app / "ecosystem.config.cjs").write_text(GAP_AND_LABEL)
    return tmp_path


@pytest.mark.parametrize("name,text", [
    ("pyproject.toml", "[tool.portlint]\nextend-labels = [\"metrics\"]\nignore = [\"PL201\"]\n"),
    ("portlint.toml", "extend-labels = [\"metrics\"]\nignore = [\"PL201\"]\n"),
    (".portlint.toml", "extend_labels = [\"metrics\"]\nignore = [\"PL2\"]\n"),
])
def test_settings_file_found_by_walking_up(project, name, text):
    assert codes(run_portlint(str(project))) == ["PL201", "PL501"]
    (project / name).write_text(text)
    assert codes(run_portlint(str(project))) == []


def test_nearest_file_wins_and_pyproject_without_table_is_skipped(project):
    (project / "portlint.toml").write_text("ignore = [\"PL201\", \"PL501\"]\n")
    (project / "apps" / "pyproject.toml").write_text("[project]\nname = 'x'\n")  # no [tool.portlint]: skipped
    assert codes(run_portlint(str(project))) == []
    (project / "apps" / "portlint.toml").write_text("ignore = [\"PL501\"]\n")  # nearer: replaces the root one
    assert codes(run_portlint(str(project))) == ["PL201"]


def test_command_line_overrides_settings_file(project):
    (project / "portlint.toml").write_text("ignore = [\"PL201\", \"PL501\"]\n")
    assert codes(run_portlint(str(project), "--extend-select", "PL201")) == ["PL201"]
    assert codes(run_portlint(str(project), "--isolated")) == ["PL201", "PL501"]
    assert codes(run_portlint(str(project), "--select", "PL5")) == ["PL501"]  # the command line decides
    assert codes(run_portlint(str(project), "--isolated", "--select", "PL5")) == ["PL501"]


def test_role_and_per_file_roles(tmp_path):
    (tmp_path / "ecosystem.config.cjs").write_text(CORE)
    assert "PL202" in codes(run_portlint(str(tmp_path), "--isolated"))
    assert "PL202" not in codes(run_portlint(str(tmp_path), "--isolated", "--role", "core"))
    (tmp_path / "portlint.toml").write_text("[per-file-roles]\n\"ecosystem.config.cjs\" = \"core\"\n")
    assert "PL202" not in codes(run_portlint(str(tmp_path)))


def test_ranges_well_known_and_allowed_ports(tmp_path):
    (tmp_path / "ecosystem.config.cjs").write_text(
        "const PORTS = {\n  API: 3000, // api\n};\nmodule.exports = { PORTS, apps: [{ name: 'a', env: { PORT: PORTS.API } }] };\n")
    assert codes(run_portlint(str(tmp_path))) == ["PL301"]  # one cause at one place: not also PL202
    (tmp_path / "portlint.toml").write_text("allowed-ports = [3000]\n[ranges]\nuser = \"3000-3099\"\n")
    assert codes(run_portlint(str(tmp_path))) == []
    (tmp_path / "portlint.toml").write_text("extend-well-known-ports = [\"5570-5575\"]\n")
    (tmp_path / "ecosystem.config.cjs").write_text(GAP_AND_LABEL.replace("5572", "5571"))
    assert "PL301" in codes(run_portlint(str(tmp_path)))


def test_severity_override_changes_exit_code(tmp_path):
    (tmp_path / "ecosystem.config.cjs").write_text(GAP_AND_LABEL.replace("METRICS: 5572", "METRICS: 5571"))
    assert run_portlint(str(tmp_path)).returncode == 0  # PL501 is a warning
    (tmp_path / "portlint.toml").write_text("[severity]\nPL501 = \"error\"\n")
    assert run_portlint(str(tmp_path)).returncode == 1


def test_connection_prefixes_setting(tmp_path):
    text = ("const PORTS = {\n  API: 5570, // api\n};\n"
            "module.exports = { PORTS, apps: [{ name: 'a', env: { PORT: PORTS.API, VAULT_PORT: 8200 } }] };\n")
    (tmp_path / "ecosystem.config.cjs").write_text(text)
    assert "PL202" in codes(run_portlint(str(tmp_path)))  # out of range, not in PORTS: one finding
    (tmp_path / "portlint.toml").write_text("extend-connection-prefixes = [\"VAULT\"]\n")
    assert codes(run_portlint(str(tmp_path))) == []


@pytest.mark.parametrize("text,needle", [
    ("lables = [\"api\"]\n", "lables: unknown setting (did you mean 'labels'?)"),
    ("labels = \"api\"\n", "labels: expected a list of non-empty strings"),
    ("role = \"admin\"\n", "role: 'admin' is not one of auto, user, core, reserved, any"),
    ("[ranges]\nuser = \"5599-5570\"\n", "ranges.user: '5599-5570' is not a range of ports"),
    ("[ranges]\nextra = \"1-2\"\n", "ranges.extra: unknown range"),
    ("allowed-ports = [70000]\n", "allowed-ports: 70000 is not a port"),
    ("select = [\"nope\"]\n", "unknown rule selector 'NOPE'"),
    ("select = [\"pl-1\"]\n", "select: 'PL-1' is not a rule code or prefix"),
    ("[severity]\nPL201 = \"fatal\"\n", "severity.PL201: 'fatal' is not \"error\" or \"warning\""),
    ("this is = not toml\n", "not valid TOML"),
])
def test_bad_settings_are_one_line_exit_two(project, text, needle):
    (project / "portlint.toml").write_text(text)
    proc = run_portlint(str(project))
    assert proc.returncode == 2, proc.stdout
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("portlint: ")
    assert str(project / "portlint.toml") in proc.stderr
    assert needle in proc.stderr
    assert "Traceback" not in proc.stderr


def test_unknown_rule_selector_on_the_command_line(project):
    proc = run_portlint(str(project), "--select", "PL9")
    assert proc.returncode == 2 and "unknown rule selector 'PL9'" in proc.stderr


def test_per_file_ignores_longest_prefix_and_off_by_default_rule(project):
    proc = run_portlint(str(project), "--per-file-ignores", "apps/*/ecosystem.config.cjs:PL2")
    assert codes(proc) == ["PL201", "PL501"]  # relative to the settings folder: cwd here, so no match
    proc = run_portlint(str(project), "--per-file-ignores", "ecosystem.config.cjs:PL2")
    assert codes(proc) == ["PL501"]  # a bare file-name glob matches anywhere
    assert "PL405" not in codes(run_portlint(str(project)))
    assert codes(run_portlint(str(project), "--select", "PL405,PL201", "--ignore", "PL2")) == ["PL201"]
    assert codes(run_portlint(str(project), "--select", "PL2", "--ignore", "PL20", "--extend-select", "PL201")) == ["PL201"]
