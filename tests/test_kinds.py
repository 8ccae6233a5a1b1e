"""Who listens on a port: listen, reference, shared and connection uses; environments; variants."""
from conftest import FIXTURES, run_portlint


def model_of(path):
    from portlint.engine.pipeline import Engine
    from portlint.plugins import load_registry
    from portlint.settings.settings import SettingsResolver

    result = Engine(SettingsResolver(), load_registry()).run([str(path)], keep_configs=True)
    return result.configs[0]


def kinds(config):
    return {(u.process.display_name, u.where): u.kind.value for u in config.uses()}


def test_server_ui_browser_share_api_and_cdp():
    config = model_of(FIXTURES / "valid" / "server-ui-browser" / "ecosystem.config.cjs")
    got = kinds(config)
    assert got[("scout-server", "env.PORT")] == "listen"
    assert got[("scout-ui", "env.VITE_API_PORT")] == "reference"
    assert got[("scout-ui", "args --port")] == "listen" and got[("scout-ui", "env.VITE_PORT")] == "listen"
    assert got[("scout-server", "env.CDP_PORT")] == got[("scout-browser", "env.CDP_PORT")] == "shared"
    ref = next(u for u in config.uses() if u.key == "VITE_API_PORT")
    assert ref.target.process.display_name == "scout-server"
    assert [e.key for e in config.ports.entries if e.shared] == ["CDP"]


def test_urls_in_strings_and_templates_are_references():
    config = model_of(FIXTURES / "valid" / "url-reference" / "ecosystem.config.cjs")
    refs = {(u.key, tuple(u.ports)) for u in config.uses() if u.kind.value == "reference"}
    assert refs == {("API_URL", (5590,)), ("LIVE_URL", (5592,))}
    assert all(u.label == "" for u in config.uses() if u.in_url)  # labels belong to listeners
    legacy = model_of(FIXTURES / "kinds" / "url-literal" / "ecosystem.config.cjs")
    remote = [u for u in legacy.uses() if u.key == "SEARCH_URL"]
    assert remote == []  # only loopback hosts name a port of this machine


def test_two_binders_collide_but_a_reference_does_not():
    out = run_portlint("--no-cache", str(FIXTURES / "kinds" / "two-listeners" / "ecosystem.config.cjs")).stdout
    assert out.count("PL203") == 1 and "shop-admin (env.PORT)" in out and "VITE_SHOP_PORT" not in out


def test_environments_are_alternatives():
    proc = run_portlint("--no-cache", "--select", "PL201", str(FIXTURES / "kinds" / "env-production" / "ecosystem.config.cjs"))
    assert proc.returncode == 0, proc.stdout  # 3000 in env and 80 in env_production: no 80-3000 gap
    out = run_portlint("--no-cache", "--select", "PL203", str(FIXTURES / "kinds" / "env-production" / "swap")).stdout
    assert out.count("PL203") == 1 and "reports" in out and "when started with --env production" in out


def test_variants_in_one_folder_are_one_process():
    proc = run_portlint("--no-cache", "--select", "PL203", str(FIXTURES / "projects" / "variants"))
    lines = [line for line in proc.stdout.splitlines() if "PL203" in line]
    # recipes-api in both files is one process; the mail catcher really takes the worker's port
    assert len(lines) == 1, proc.stdout
    assert "recipes-mailcatcher" in lines[0] and "recipes-worker" in lines[0]


def test_a_reference_in_another_config_is_not_a_collision(tmp_path):
    (tmp_path / "api").mkdir()
    (tmp_path / "web").mkdir()
    (tmp_path / "api" / "ecosystem.config.cjs").write_text(
        "const PORTS = {\n  API: 5570, // api\n};\n"
        "module.exports = { PORTS, apps: [{ name: 'api', env: { PORT: PORTS.API } }] };\n")
    (tmp_path / "web" / "ecosystem.config.cjs").write_text(
        "const PORTS = {\n  WEB: 5571, // web\n  API: 5570, // the api's port, to reach it\n};\n"
        "module.exports = { PORTS, apps: [{ name: 'web', env: { PORT: PORTS.WEB, API_PORT: PORTS.API } }] };\n")
    assert "PL203" not in run_portlint("--no-cache", str(tmp_path)).stdout
    (tmp_path / "web" / "ecosystem.config.cjs").write_text(
        "const PORTS = {\n  WEB: 5570, // web\n};\n"
        "module.exports = { PORTS, apps: [{ name: 'web', env: { PORT: PORTS.WEB } }] };\n")
    assert run_portlint("--no-cache", str(tmp_path)).stdout.count("PL203") == 1


def test_one_cause_one_finding_for_labels():
    out = run_portlint("--no-cache", "--select", "PL501", str(FIXTURES / "kinds" / "gateway-engines")).stdout
    assert out.count("PL501") == 2  # one per shared entry, not one per process
    out = run_portlint("--no-cache", "--select", "PL501,PL202", str(FIXTURES / "kinds" / "map-list")).stdout
    assert out.count("env.STATS_PORT") == 2  # once per rule at the template, naming the three bots
    assert "bot-chat, bot-voice and bot-mail" in out


def test_a_label_finding_in_env_and_env_production_is_one_diagnostic(tmp_path):
    (tmp_path / "ecosystem.config.cjs").write_text(
        "const PORTS = {\n  API: 5570, // api\n  METRICS: 5571, // metrics\n};\n"
        "module.exports = { PORTS, apps: [{ name: 'api', env: { PORT: PORTS.API, METRICS_PORT: PORTS.METRICS },\n"
        "  env_production: { METRICS_PORT: PORTS.METRICS } }] };\n")
    out = run_portlint("--no-cache", "--select", "PL501", str(tmp_path)).stdout
    assert out.count("PL501") == 1 and "env.METRICS_PORT and env_production.METRICS_PORT" in out


def test_a_finding_sits_where_the_value_is_written_and_names_the_user(tmp_path):
    import json

    out = json.loads(run_portlint("--no-cache", "--format", "json", "--select", "PL202,PL301",
                                  str(FIXTURES / "kinds" / "map-list")).stdout)
    mail = [d for d in out if "bot-mail uses 3000" in d["message"]]
    assert {d["code"] for d in mail} == {"PL301"}  # one cause at one place: PL202 stays silent there
    assert all(d["location"]["row"] == 10 for d in mail)  # the list item `{ id: 'mail', port: 3000 }`
    assert all([r["location"]["row"] for r in d["related"]] == [18] for d in mail)  # the app template's env
    (tmp_path / "ecosystem.config.cjs").write_text(
        "const PORT = process.env.PORT || 8020;\n\nmodule.exports = { apps: [{ name: 'legacy', env: { PORT: PORT } }] };\n")
    out = json.loads(run_portlint("--no-cache", "--format", "json", "--select", "PL202", str(tmp_path)).stdout)
    assert [(d["location"]["row"], d["related"][0]["location"]["row"]) for d in out] == [(1, 3)]
    collision = json.loads(run_portlint("--no-cache", "--format", "json", "--select", "PL203",
                                        str(FIXTURES / "kinds" / "two-listeners")).stdout)
    assert [(d["location"]["row"], [r["location"]["row"] for r in d["related"]]) for d in collision] == [(11, [10])]
    sarif = json.loads(run_portlint("--no-cache", "--format", "sarif", "--select", "PL203",
                                    str(FIXTURES / "kinds" / "two-listeners")).stdout)
    related = sarif["runs"][0]["results"][0]["relatedLocations"]
    assert related[0]["physicalLocation"]["region"]["startLine"] == 10


def test_a_frozen_ports_object_is_a_ports_literal_and_an_alias_is_no_duplicate():
    out = run_portlint("--no-cache", str(FIXTURES / "kinds" / "alias-entry")).stdout
    assert "PL102" not in out and out.count("PL106") == 1 and "PORTS.CACHE_OLD" in out



def test_a_label_conflict_in_a_template_is_one_finding(tmp_path):
    (tmp_path / "ecosystem.config.cjs").write_text(
        "const PORTS = {\n  A: 5570, // bot a\n  B: 5571, // bot b\n  ADMIN: 5572, // shared admin API\n};\n"
        "const BOTS = [{ id: 'a', port: PORTS.A }, { id: 'b', port: PORTS.B }];\n"
        "module.exports = { PORTS, apps: BOTS.map((bot) => ({ name: `bot-${bot.id}`,\n"
        "  env: { PORT: bot.port, API_PORT: PORTS.ADMIN } })) };\n")
    out = run_portlint("--no-cache", "--select", "PL503", str(tmp_path)).stdout
    assert out.count("PL503") == 1 and "bot-a (and bot-b, built from the same template)" in out


def test_connections_by_key_by_scheme_and_their_ports_entries():
    """A service the process connects to is a connection, by its key (DB_PORT, REDIS_URL,
    SMTP_HOST, KAFKA_BROKERS) or its URL's scheme (clickhouse:// in SEARCH): not a port use of the
    config, no PL002 when the environment chooses it (issue 27 item 3; issue 29 item 4)."""
    config = model_of(FIXTURES / "kinds" / "connections" / "ecosystem.config.cjs")
    got = {(u.key, tuple(sorted(u.ports))): u.kind.value for u in config.uses()}
    assert got == {
        ("PORT", (5570,)): "listen", ("WS_PORT", (5571,)): "listen", ("DB_PORT", ()): "connection",
        ("REDIS_URL", (6379,)): "connection", ("DATABASE_URL", (5432,)): "connection",
        ("MONGO_URI", (27017,)): "connection", ("MONGO_URI", (27018,)): "connection",
        ("SMTP_HOST", (2525,)): "connection", ("AMQP_URL", (5671,)): "connection",
        ("KAFKA_BROKERS", (9092,)): "connection", ("KAFKA_BROKERS", (9093,)): "connection",
        ("LDAP_URL", (389,)): "connection", ("SEARCH", (8123,)): "connection",
    }
    assert config.unresolved == []  # DB_PORT: process.env.DB_PORT is not worth a PL002
    assert config.block() == {5570, 5571}


def test_connection_schemes_and_prefixes_are_settings(tmp_path):
    (tmp_path / "portlint.toml").write_text('extend-connection-schemes = ["VAULT"]\nextend-connection-prefixes = ["CACHE"]\n')
    config = tmp_path / "ecosystem.config.cjs"
    config.write_text("const PORTS = {\n  API: 5570, // api: REST API\n};\nmodule.exports = { PORTS, apps: [{ name: 'api', "
                      "script: 'a.js', env: { PORT: PORTS.API, SECRETS: 'vault://localhost:8200', "
                      "CACHE_SERVERS: 'localhost:11311', CACHE_PORT: 11311 } }] };\n")
    got = {u.key: u.kind.value for u in model_of(config).uses()}
    assert got == {"PORT": "listen", "SECRETS": "connection", "CACHE_SERVERS": "connection", "CACHE_PORT": "connection"}
    (tmp_path / "portlint.toml").write_text('connection-schemes = ["redis"]\n')
    got = {u.key: u.kind.value for u in model_of(config).uses()}
    assert got["SECRETS"] == "reference"  # replaced: vault:// is no longer a service the process connects to
    (tmp_path / "portlint.toml").write_text('connection-schemes = "redis"\n')
    proc = run_portlint("--no-cache", str(config))
    assert proc.returncode == 2 and "connection-schemes: expected a list of non-empty strings" in proc.stderr


def test_a_ports_entry_only_connections_use_is_no_allocation():
    """DB: 5432 read by DB_PORT, PGPORT and a postgres:// URL: not judged by PL201/PL202/PL301 (issue
    29 item 5), not in the block, and the migration never moves it."""
    path = FIXTURES / "kinds" / "connection-entries" / "ecosystem.config.cjs"
    config = model_of(path)
    assert [(e.key, e.connection) for e in config.ports.entries] == [("API", False), ("DB", True)]
    assert config.block() == {5570}
    assert run_portlint("--no-cache", "--isolated", str(path)).stdout == ""


def test_a_url_in_an_env_fallback_is_a_reference():
    """`process.env.API_URL || 'http://127.0.0.1:5570'`: PL401 and PL403 see the URL's port (issue 29)."""
    path = FIXTURES / "kinds" / "url-fallback" / "ecosystem.config.cjs"
    refs = {(u.key, tuple(u.ports)) for u in model_of(path).uses() if u.kind.value == "reference"}
    assert refs == {("API_URL", (5570,)), ("SEARCH_URL", (5590,)), ("SEARCH_WS", (5590,))}
    out = run_portlint("--no-cache", "--isolated", str(path)).stdout
    assert "16:59: PL401 wiki-ui writes 5570 literally in env.API_URL" in out and out.count("PL403") == 1
