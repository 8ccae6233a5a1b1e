"""``portlint --show-resolved``: what PM2 would run, as portlint resolved it. Golden outputs for
fixtures/resolved/<case>/ (show-resolved.txt: every environment as text; show-resolved.production.json:
one environment as JSON; names no discovery takes for a config. PORTLINT_UPDATE_GOLDEN=1 rewrites them,
then read the diff), the JSON schema over every fixture, and the promise that it shows what the rules
judge: the ports an environment listens on are the ports the collision rule claims there.
(Whether PM2 really runs that is tests/test_pm2_tier.py's job.)"""
import json

import pytest

from conftest import FIXTURES, ROOT, run_portlint
from golden import UPDATE, fixture_files

RESOLVED = FIXTURES / "resolved"
CASES = sorted(p for p in RESOLVED.rglob("ecosystem*.c*js") if p.is_file())


def _golden(path, text: str) -> None:
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("config", CASES, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_text_output_is_golden(config):
    proc = run_portlint("--no-cache", "--show-resolved", config.name, cwd=config.parent)
    assert proc.returncode == 0, proc.stderr
    _golden(config.with_name("show-resolved.txt"), proc.stdout)


@pytest.mark.parametrize("config", CASES, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_json_output_of_one_environment_is_golden(config):
    proc = run_portlint("--no-cache", "--show-resolved", "--format", "json", "--env", "production", config.name,
                        cwd=config.parent)
    assert proc.returncode == 0, proc.stderr
    _golden(config.with_name("show-resolved.production.json"), proc.stdout)


@pytest.fixture(scope="module")
def every_fixture():
    """--show-resolved --format json over every fixture at once."""
    paths = [str(p) for p in fixture_files()]
    proc = run_portlint("--no-cache", "--isolated", "--show-resolved", "--format", "json", *paths, cwd=ROOT)
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout)


def test_json_follows_its_schema_for_every_fixture(every_fixture):
    import jsonschema

    schema = json.loads((ROOT / "portlint" / "schema" / "resolved.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(every_fixture, schema)
    assert len(every_fixture["configs"]) > 100


def test_the_schema_rejects_a_broken_output(every_fixture):
    import jsonschema

    schema = json.loads((ROOT / "portlint" / "schema" / "resolved.schema.json").read_text())
    broken = json.loads(json.dumps(every_fixture))
    app = next(a for c in broken["configs"] for e in c["environments"] for a in e["apps"])
    app["exec_mode"] = "fork_mode"  # PM2's spelling; the output says fork or cluster
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)


def test_it_shows_what_the_rules_judge(registry):
    """Per environment, the ports --show-resolved says the apps listen on (from the config) are the
    ports the collision rule (PL203) claims there: one resolution, read by both."""
    from portlint.engine.pipeline import Engine
    from portlint.model.resolution import resolve
    from portlint.settings.settings import SettingsResolver

    engine = Engine(SettingsResolver(), registry)
    checked = 0
    for path in fixture_files():
        result = engine.run([str(path)], keep_configs=True)
        for config, summary in zip(result.configs, result.summaries):
            for environment in resolve(config).environments:
                shown = {(a.process.display_name, port) for a in environment.apps for i in a.instance_list for p in i.listens
                         for port in ([p.port] if p.port is not None else p.one_of)
                         if 1 <= port <= 65535 and not p.source.startswith("increment_var")
                         and not (p.source == "node_args --inspect" and p.note)}  # Node's default 9229
                claimed = {(c.process, c.port) for c in summary.claims
                           if summary.applies(c, environment.name)}
                assert shown == claimed, (path, environment.name)
                checked += 1
    assert checked > 150


def test_exit_status_and_formats(tmp_path):
    config = tmp_path / "ecosystem.config.mjs"
    config.write_text("export default { apps: [{ name: 'api', script: 'a.js', env: { PORT: 5570 } }] };\n")
    proc = run_portlint("--no-cache", "--show-resolved", str(config))
    assert proc.returncode == 1  # PM2 starts nothing from it (PL003)
    assert "PM2 starts nothing: `export default` in an .mjs file" in proc.stdout
    assert "api: fork mode" in proc.stdout  # ... and the app the file means is still shown
    proc = run_portlint("--no-cache", "--show-resolved", "--format", "sarif", str(config))
    assert proc.returncode == 2 and "--show-resolved is printed as text, json" in proc.stderr
    proc = run_portlint("--env", "production", str(config))
    assert proc.returncode == 2 and "--env goes with --show-resolved" in proc.stderr


def test_an_env_the_config_does_not_name_is_the_default_env_with_its_deploy_env(tmp_path):
    config = tmp_path / "ecosystem.config.cjs"
    config.write_text("module.exports = { apps: [{ name: 'api', script: 'a.js', env: { PORT: 5570 }, "
                      "env_production: { PORT: 5571 } }], deploy: { staging: { env: { HOST: 'x' } } } };\n")
    data = json.loads(run_portlint("--no-cache", "--show-resolved", "--format", "json", "--env", "qa",
                                   str(config)).stdout)
    [environment] = data["configs"][0]["environments"]
    assert environment["command"].endswith("--env qa")
    assert [(v["key"], v["value"], v["from"]) for v in environment["apps"][0]["env"]] == [("PORT", 5570, "env")]
    data = json.loads(run_portlint("--no-cache", "--show-resolved", "--format", "json", "--env", "staging",
                                   str(config)).stdout)
    env = data["configs"][0]["environments"][0]["apps"][0]["env"]
    assert [(v["key"], v["from"]) for v in env] == [("PORT", "env"), ("HOST", "deploy.staging.env")]


def test_a_million_instances_are_listed_lazily(tmp_path):
    config = tmp_path / "ecosystem.config.cjs"
    config.write_text("module.exports = { apps: [{ name: 'w', script: 'w.js', instances: 1e6, exec_mode: 'fork', "
                      "increment_var: 'PORT', env: { PORT: 5570 } }] };\n")
    data = json.loads(run_portlint("--no-cache", "--show-resolved", "--format", "json", str(config)).stdout)
    app = data["configs"][0]["environments"][0]["apps"][0]
    assert app["instances"] == 1_000_000 and len(app["instance_list"]) == 1000
    assert app["instance_list"][999]["env"] == {"PORT": 6569}
    text = run_portlint("--no-cache", "--show-resolved", str(config)).stdout
    assert "instances 1000-999999, not listed (portlint expands at most 1000)" in text
    assert len(text.splitlines()) < 40


def test_the_readme_example_is_the_real_output():
    proc = run_portlint("--no-cache", "--show-resolved", "--env", "production", "fixtures/resolved/shop", cwd=ROOT)
    shown = f"$ portlint --show-resolved --env production fixtures/resolved/shop\n{proc.stdout.rstrip()}\n```"
    assert shown in (ROOT / "README.md").read_text(encoding="utf-8")
