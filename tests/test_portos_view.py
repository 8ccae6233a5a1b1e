"""What PortOS will list: the model of its detector against lists worked out by reading it.

A portos.json beside a fixture's ecosystem.config.cjs is the list PortOS's parseEcosystemConfig
returns for it, derived by hand from reading that function (and, per label, the kind of port use
portlint sees there): fixtures/portos/<case>/ has one case per rule of its scan (each quirk both
ways) and configs shaped like PortOS's own; fixtures/valid/policy-example/ is the policy's own
example.
"""
import json
import os

import pytest

from conftest import FIXTURES, run_portlint

CASES = sorted(p.parent for p in FIXTURES.rglob("portos.json"))


def expected_of(case):
    return [(app["name"], app["port"], list(app["ports"].items()))
            for app in json.loads((case / "portos.json").read_text(encoding="utf-8"))]


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_predicted_list_equals_the_detectors(case):
    from portlint.model.portos_scan import scan

    apps = scan((case / "ecosystem.config.cjs").read_text(encoding="utf-8"))
    assert [(a.name, a.port, list(a.ports.items())) for a in apps] == expected_of(case)


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_map_portos_column_is_the_apps_list(case):
    """Every (process, label, port) PortOS lists is a map row with that label in `portos`, of the kind
    portlint gives that use (listen, reference, shared, connection; `portos-only` for a row of its
    own), and no other row claims PortOS shows anything."""
    proc = run_portlint("--map", "--format", "json", str(case / "ecosystem.config.cjs"))
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    rows = data["ports"] + data["references"] + data["connections"]
    shown = {(r["process"], r["portos"], r["port"]): "portos-only" if r["portos_only"] else r["kind"]
             for r in rows if r["portos"] is not None}
    apps = json.loads((case / "portos.json").read_text(encoding="utf-8"))
    expected = {(app["name"], label, port): app["kinds"][label] for app in apps for label, port in app["ports"].items()}
    assert shown == expected
    assert all(r["label"] == "" for r in rows if r["portos_only"])


# --- which file PortOS reads -----------------------------------------------------------------------

APP = "const PORTS = {{\n  API: {port}, // API\n}};\nmodule.exports = {{ PORTS, apps: [{{ name: 'api', script: 'a.js', env: {{ PORT: PORTS.API }} }}] }};\n"


def pl502(diagnostics):
    return [d for d in diagnostics if d.code == "PL502"]


def test_js_wins_over_cjs_and_the_cjs_is_judged_by_what_the_js_lists(tmp_path, lint_text):
    (tmp_path / "ecosystem.config.js").write_text(APP.format(port=5570))
    # the .cjs lists api on 5570 too: PortOS shows it (from the .js), so nothing to say
    assert pl502(lint_text(APP.format(port=5570), "ecosystem.config.cjs")) == []
    # on 5571 PortOS shows the .js's 5570, never this file's port
    found = pl502(lint_text(APP.format(port=5571), "ecosystem.config.cjs"))
    assert len(found) == 1 and "ecosystem.config.js sits beside it and PortOS reads that one" in found[0].message


def test_a_variant_file_shows_what_the_main_file_lists(tmp_path, lint_text):
    (tmp_path / "ecosystem.config.cjs").write_text(APP.format(port=5570))
    assert pl502(lint_text(APP.format(port=5570), "ecosystem.dev.config.cjs")) == []
    found = pl502(lint_text(APP.format(port=5572), "ecosystem.dev.config.cjs"))
    assert len(found) == 1
    assert "PortOS reads ecosystem.config.cjs in this folder, not this file" in found[0].message


def test_a_variant_file_alone_shows_nothing(lint_text):
    found = pl502(lint_text(APP.format(port=5570), "ecosystem.dev.config.cjs"))
    assert len(found) == 1 and "this folder has none" in found[0].message


# --- advice converges --------------------------------------------------------------------------------

def test_following_the_advice_for_template_args_is_the_policy_example(lint_text):
    before = ("const PORTS = {\n  API: 5570, // API\n  UI: 5571, // UI\n};\nmodule.exports = { PORTS, apps: [\n"
              "  { name: 'my-api', script: 'server.js', env: { PORT: PORTS.API } },\n"
              "  { name: 'my-ui', script: 'node_modules/.bin/vite', args: `--port ${PORTS.UI}` },\n] };\n")
    found = lint_text(before)
    assert [d.code for d in found] == ["PL502"]
    assert found[0].message.endswith("add `VITE_PORT: PORTS.UI` to its env")
    after = before.replace("args: `--port ${PORTS.UI}` }", "args: `--port ${PORTS.UI}`, env: { VITE_PORT: PORTS.UI } }")
    assert lint_text(after) == []


def test_a_quoted_number_is_advised_as_its_ports_reference(lint_text):
    text = APP.format(port=5570).replace("PORT: PORTS.API", "PORT: '5570'")
    found = pl502(lint_text(text))
    assert found and found[0].message.endswith("write `PORT: PORTS.API`")
    assert "||" not in found[0].message
    assert lint_text(text.replace("'5570'", "PORTS.API")) == []


def test_pl501_judges_the_label_portos_lists_once_per_process_and_label(lint_text):
    text = ("const PORTS = {\n  API: 5570, // API\n  STATS: 5571, // stats\n};\nmodule.exports = { PORTS, apps: [\n"
            "  { name: 'api', script: 'a.js', env: { PORT: PORTS.API, STATS_PORT: PORTS.STATS },\n"
            "    env_production: { STATS_PORT: PORTS.STATS } },\n] };\n")
    found = [d for d in lint_text(text) if d.code == "PL501"]
    assert len(found) == 1 and "PortOS will list it as 'stats'" in found[0].message


# --- role = "auto" -------------------------------------------------------------------------------

PORTOS_OWN = FIXTURES / "portos" / "portos-own"


def test_portos_own_config_is_core_without_settings():
    proc = run_portlint(str(PORTOS_OWN))
    assert "PL202" not in proc.stdout, proc.stdout
    user = run_portlint("--role", "user", str(PORTOS_OWN))
    # every PORTS entry and use in 5554-5560; DB (5561) only connections use (PGPORT, DB_PORT): a
    # service's port, which PL202 does not judge (issue 29 item 5)
    assert user.stdout.count("PL202") >= 7
    assert "role auto" not in user.stdout  # --role decides: nothing was inferred


def test_the_inferred_role_is_said_in_the_summary_and_in_json(tmp_path):
    config = tmp_path / "ecosystem.config.cjs"
    # a PortOS process on a user-range port: PL202 for a core config, so there is a summary to read
    config.write_text(APP.format(port=5599).replace("'api'", "'portos-api'"))
    text = run_portlint(str(config)).stdout
    assert text.splitlines()[-1] == "Found 1 error in 1 file (role auto: core)."
    data = json.loads(run_portlint("--format", "json", str(config)).stdout)
    assert data and all(d["role"] == {"name": "core", "inferred": True} for d in data)
    data = json.loads(run_portlint("--format", "json", "--role", "core", str(config)).stdout)
    assert all(d["role"] == {"name": "core", "inferred": False} for d in data)


def test_one_non_portos_process_makes_the_config_a_user_config(lint_text):
    text = ("const PORTS = {\n  API: 5555, // API\n  WEB: 5556, // web\n};\nmodule.exports = { PORTS, apps: [\n"
            "  { name: 'portos-server', script: 'a.js', env: { PORT: PORTS.API } },\n"
            "  { name: 'my-web', script: 'w.js', env: { PORT: PORTS.WEB } },\n] };\n")
    assert "a user config" in next(d.message for d in lint_text(text) if d.code == "PL202")


# --- property: in the plain forms PortOS reads, its list is portlint's listening ports -------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

#: env keys whose PortOS labels cannot collide with each other (VITE_PORT is left out of -ui names)
KEYS = ("PORT", "CDP_PORT", "VITE_PORT", "WS_PORT", "HEALTH_PORT", "ADMIN_API_PORT")
SUFFIXES = ("", "-ui", "-client", "-browser", "_api", "-vite")


@st.composite
def plain_configs(draw):
    count = draw(st.integers(1, 4))
    suffixes = draw(st.lists(st.sampled_from(SUFFIXES), min_size=count, max_size=count))
    next_port = iter(range(5570, 5600))
    entries, apps, expected = [], [], {}
    for i, suffix in enumerate(suffixes):
        name = f"app{i}{suffix}"
        keys = [k for k in KEYS if not (k == "VITE_PORT" and suffix in ("-ui", "-client"))]
        chosen = draw(st.lists(st.sampled_from(keys), min_size=1, max_size=3, unique=True))
        as_ports_object = draw(st.booleans()) and draw(st.booleans())
        fields = []
        for key in chosen:
            port = next(next_port)
            expected.setdefault(name, set()).add(port)
            entry = f"{name.upper().replace('-', '_')}_{key}"
            entries.append(f"  {entry}: {port}, // {name} {key}")
            literal = draw(st.booleans())
            if as_ports_object:
                fields.append(f"{key.lower().replace('_port', '') or 'api'}: {port}")
            else:
                fields.append(f"{key}: {port if literal else 'PORTS.' + entry}")
        body = f"ports: {{ {', '.join(fields)} }}" if as_ports_object else f"env: {{ {', '.join(fields)} }}"
        script = "node_modules/.bin/vite" if suffix == "-vite" else "index.js"
        apps.append(f"    {{ name: '{name}', script: '{script}', {body} }},")
    text = "const PORTS = {\n" + "\n".join(entries) + "\n};\n\nmodule.exports = {\n  PORTS,\n  apps: [\n"
    return text + "\n".join(apps) + "\n  ],\n};\n", expected


@settings(derandomize=not os.environ.get("PORTLINT_RANDOM"), max_examples=int(os.environ.get("PORTLINT_PORTOS_EXAMPLES", "60")),
          deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(case=plain_configs())
def test_portos_lists_exactly_the_listening_ports_of_plain_configs(case, registry, tmp_path):
    from portlint.engine.pipeline import Engine
    from portlint.model.portos import listening_uses, view_of
    from portlint.settings.settings import Settings

    text, expected = case
    path = tmp_path / "ecosystem.config.cjs"
    path.write_text(text, encoding="utf-8")
    result = Engine(Settings(), registry).run([str(path)], keep_configs=True)
    (config,) = result.configs
    view = view_of(config)
    listening = {p.name: {port for u in listening_uses(p) for port in u.valid_ports} for p in config.processes}
    listed = {a.name: set(a.ports.values()) for a in view.apps}
    assert listed == listening == expected, text
    labels = {(p.name, u.label, port) for p in config.processes for u in listening_uses(p) for port in u.valid_ports}
    assert labels == {(a.name, label, port) for a in view.apps for label, port in a.ports.items()}, text
    assert [d for d in result.diagnostics if d.code in ("PL501", "PL502")] == [] or all(
        d.code == "PL501" for d in result.diagnostics if d.code in ("PL501", "PL502")), text


def test_map_json_validates_against_its_schema():
    import jsonschema
    from importlib.resources import files

    schema = json.loads(files("portlint").joinpath("schema/portmap.schema.json").read_text())
    data = json.loads(run_portlint("--map", "--format", "json", *map(str, CASES)).stdout)
    assert any(r["portos_only"] for r in data["references"]) and any(r["portos"] is None for r in data["ports"])
    jsonschema.validate(data, schema)


# --- PL502 reads the scan: a port PortOS loses is reported, one it lists is not --------------------

def test_apps_spread_before_their_name_are_lost_and_reported():
    data = json.loads(run_portlint("--format", "json", "--select", "PL502",
                                   str(FIXTURES / "portos" / "spread-before-name")).stdout)
    import re

    said = [(d["ports"], re.search(r", so (\S+) and its ports", d["message"]).group(1)) for d in data]
    assert said == [([5590], "orders-api"), ([5591], "orders-jobs")]  # orders-web, name first, is listed: nothing to say
    assert all("make `name: '...'` the first key" in d["message"] for d in data)


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_pl502_never_says_a_port_is_lost_that_portos_lists(case):
    listed = {(app["name"], port) for app in json.loads((case / "portos.json").read_text(encoding="utf-8"))
              for port in app["ports"].values()}
    data = json.loads(run_portlint("--format", "json", "--select", "PL502", str(case)).stdout)
    for d in data:
        if "will not show" in d["message"]:
            name = d["message"].split("'s port ")[0] if "'s port " in d["message"] else None
            assert all((name, port) not in listed for port in d["ports"]), d["message"]


def test_a_file_that_does_not_parse_still_shows_what_portos_lists():
    """PortOS scans text: a syntax error does not stop it, so the map lists what it will show."""
    data = json.loads(run_portlint("--map", "--format", "json",
                                   str(FIXTURES / "rules" / "PL001" / "trailing-comma")).stdout)
    assert [(r["process"], r["portos"], r["port"], r["portos_only"]) for r in data["references"]] == [
        ("api", "api", 5570, True)]
