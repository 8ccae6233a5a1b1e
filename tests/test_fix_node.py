"""The differential tier of the fix verifier, against Node.js: for every fixture config of the
repository and for generated legacy configs, `--fix` and `--fix --unsafe-fixes` run on a copy (the
same planning and verification as the command line, ``portlint.fix.run``), and Node loads the
files before and after (a child process with an empty environment; one per batch of files):

- every file that loaded before still loads;
- after the safe fixes PM2 sees the same thing: every app's fields and, per environment, the env
  it merges (values as the strings the process gets); a PORTS export may be new or grow, an entry
  it had keeps its value;
- after the unsafe fixes only the ports of the plan differ (each leaf that changed is a planned
  old port turned into its new one, never a connection), every app's ports are its old ports
  mapped by the plan, and the apps that shared a port still share one (the partition is kept);
- the result brings no code the file did not have, and fixing it again changes nothing.

Refused fixes are expected (the verifier refuses what it cannot prove); the assertions are that
nothing broken is ever written. ``PORTLINT_FIX_REPORT=FILE`` writes the counts (files migrated,
fixes refused and why) for the notes.
"""
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import FIXTURES, ROOT, need, node_binary
from test_node_oracle import ORACLE

DUMP = ROOT / "tests" / "oracle" / "dump_exports.mjs"
CONNECTION = ("DB", "DATABASE", "PG", "POSTGRES", "MYSQL", "MARIADB", "MSSQL", "REDIS", "MONGO", "MONGODB", "SMTP",
              "MAIL", "EMAIL", "IMAP", "POP3", "AMQP", "RABBITMQ", "KAFKA", "ELASTIC", "ELASTICSEARCH", "MEMCACHED",
              "LDAP", "NATS", "MQTT", "CLICKHOUSE", "INFLUX", "CASSANDRA", "NEO4J", "MINIO", "S3")
SERVED = {"http", "https", "ws", "wss"}
GOLDEN_SUFFIXES = ("*.expected", "*.fixed", "*.unsafe-fixed", "*.after")


def node(script: Path, files: list[Path], stdin: bool = False) -> dict:
    binary = need(node_binary(), "Node.js (the differential tests' oracle)")
    env = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp")}
    names = [str(f) for f in files]
    proc = subprocess.run([binary, str(script), *([] if stdin else names)], input=json.dumps(names) if stdin else None,
                          capture_output=True, text=True, env=env, timeout=120, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


# --- what PM2 sees, computed from Node's module.exports (independently of portlint) -------------

def js_string(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dict) and "$number" in value:
        return value["$number"]
    return value if isinstance(value, str) else json.dumps(value)


def apps_of(exports):
    if isinstance(exports, list):
        return exports, {}
    if not isinstance(exports, dict):
        return [], {}
    for key in ("apps", "pm2"):
        if isinstance(exports.get(key), list):
            return exports[key], {k: v for k, v in exports.items() if k != key}
        if isinstance(exports.get(key), dict):
            return [exports[key]], {k: v for k, v in exports.items() if k != key}
    if "script" in exports or "name" in exports:
        return [exports], {}
    return [], exports


def pm2_sees(exports) -> dict:
    """{'apps': [{'fields', 'env': {environment: {key: string}}}], 'rest', 'PORTS'}"""
    apps, rest = apps_of(exports)
    deploy = rest.get("deploy") if isinstance(rest.get("deploy"), dict) else {}
    seen = []
    for app in apps:
        if not isinstance(app, dict):
            seen.append({"fields": app, "env": {}})
            continue
        names = {""} | {k[4:] for k in app if k.startswith("env_")} | {
            n for n, t in deploy.items() if isinstance(t, dict) and isinstance(t.get("env"), dict)}
        envs = {}
        for name in sorted(names):
            merged = {}
            if name and isinstance(deploy.get(name), dict) and isinstance(deploy[name].get("env"), dict):
                merged.update(deploy[name]["env"])
            merged.update(app.get("env") if isinstance(app.get("env"), dict) else {})
            if "port" in app:
                merged["PORT"] = app["port"]
            if name and isinstance(app.get(f"env_{name}"), dict):
                merged.update(app[f"env_{name}"])
            envs[name] = {k: js_string(v) for k, v in merged.items() if v != {"$undefined": True}}
        seen.append({"fields": {k: v for k, v in app.items() if k != "env" and not k.startswith("env_")}, "env": envs})
    return {"apps": seen, "rest": {k: v for k, v in rest.items() if k != "PORTS"},
            "PORTS": rest.get("PORTS") if isinstance(rest, dict) else None}


def leaves(value, path=""):
    if isinstance(value, dict) and not any(k.startswith("$") for k in value):
        for key, item in value.items():
            yield from leaves(item, f"{path}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from leaves(item, f"{path}[{i}]")
    else:
        yield path, value


def kept_entries(before, after) -> bool:
    """Every PORTS entry the file exported keeps its value (new ones may come)."""
    if not isinstance(before, dict):
        return before == after
    return isinstance(after, dict) and all(k in after and kept_entries(v, after[k]) for k, v in before.items())


def is_connection(path: str, value) -> bool:
    key = path.rsplit(".", 1)[-1].upper()
    stem = re.sub(r"_?(PORT|URL|URI|DSN|HOST|SERVERS?|ADDR(ESS)?)$", "", key)
    if stem and any(stem.startswith(p) for p in CONNECTION):
        return True
    scheme = re.match(r"^([a-z][a-z0-9+.-]*)://", value) if isinstance(value, str) else None
    return scheme is not None and scheme.group(1).lower() not in SERVED


def moved_only_by_plan(before, after, moves: dict[int, int], app_ports: list[set]) -> str | None:
    """None when every leaf that differs is a planned old port become its new one (numbers, or the
    digit runs of a string), and no connection changed; else what differs. An app's env may gain a
    key whose value is one of that app's ports (``VITE_PORT`` beside ``--port``: an unsafe fix)."""
    old, new = dict(leaves(before)), dict(leaves(after))
    for path in set(new) - set(old):
        m = re.match(r"^\.apps\[(\d+)\]\.env\.[^.]*\.[^.]+$", path)
        if m is None or not (new[path].isdigit() and int(new[path]) in app_ports[int(m.group(1))]):
            return f"{path} is new: {new[path]!r}"
    if set(old) - set(new):
        return f"the keys differ: {sorted(set(old) - set(new))[:5]}"
    for path, b in old.items():
        a = new[path]
        if a == b:
            continue
        if is_connection(path, b):
            return f"the connection {path} changed: {b!r} -> {a!r}"
        if isinstance(b, (int, float)) and not isinstance(b, bool) and moves.get(int(b)) == a:
            continue
        if isinstance(b, str) and isinstance(a, str):
            runs_b, runs_a = re.split(r"(\d+)", b), re.split(r"(\d+)", a)
            if len(runs_b) == len(runs_a) and all(
                    x == y or (i % 2 == 1 and moves.get(int(x)) == int(y)) for i, (x, y) in enumerate(zip(runs_b, runs_a))):
                continue
        return f"{path} changed outside the plan: {b!r} -> {a!r}"
    return None


def partition(apps: list[dict]) -> set:
    by_port: dict[int, set] = {}
    for i, app in enumerate(apps):
        for port in app["ports"]:
            by_port.setdefault(port, set()).add(i)
    return {frozenset(g) for g in by_port.values()}


# --- running a case -----------------------------------------------------------------------------

class Tier:
    """Fix copies of configs in memory, write them, load every version with Node in one go, check."""

    def __init__(self, engine, root: Path):
        self.engine, self.root = engine, root
        self.cases: list[dict] = []
        self.refused: list[str] = []

    def add(self, name: str, source: Path, configs: list[Path]):
        """A run over ``configs`` (all under the folder ``source``), as `portlint --fix source` would."""
        from portlint.fix.run import fix_files

        case = {"name": name, "files": {}}
        for stage in ("before", "safe", "unsafe"):
            shutil.copytree(source, self.root / stage / name, ignore=shutil.ignore_patterns(*GOLDEN_SUFFIXES))
        texts = {}
        for config in configs:
            try:
                texts[Path(name) / config.relative_to(source)] = config.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                continue
        for stage, unsafe in (("safe", False), ("unsafe", True)):
            outcomes = fix_files(self.engine, {str(self.root / stage / rel): t for rel, t in texts.items()}, unsafe=unsafe)
            for path, outcome in outcomes.items():
                Path(path).write_text(outcome.text, encoding="utf-8")
                rel = os.path.relpath(path, self.root / stage)
                entry = case["files"].setdefault(rel, {"moves": {}})
                entry[stage] = outcome
                if unsafe:
                    entry["moves"] = {int(o): int(n) for o, n in (re.findall(r"(\d+) → (\d+)", " ".join(outcome.moves)))}
                self.refused += [f"{'unsafe' if unsafe else 'safe'}: {r.line()}" for r in outcome.refused]
        self.cases.append(case)

    def check(self):
        files = [self.root / stage / rel for case in self.cases for rel in case["files"] for stage in
                 ("before", "safe", "unsafe")]
        loadable = [f for f in files if not f.name.endswith((".yaml", ".yml"))]
        dumped = node(DUMP, loadable, stdin=True) if loadable else {}
        ports = node(ORACLE, loadable) if loadable else {}
        for case in self.cases:
            for rel, entry in case["files"].items():
                self._check_file(case, rel, entry, dumped, ports)

    def _unrooted(self, data, stage: str):
        """Node's view with the copy's folder (``__dirname`` in paths) replaced by one name for every copy."""
        if data is None:
            return None
        return json.loads(json.dumps(data).replace(json.dumps(str(self.root / stage))[1:-1], "<copy>"))

    def _check_file(self, case, rel, entry, dumped, ports):
        where = f"{case['name']}: {rel}"
        seen = {stage: self._unrooted(dumped.get(str(self.root / stage / rel)), stage)
                for stage in ("before", "safe", "unsafe")}
        if seen["before"] is None:  # YAML: Node does not load it; portlint's checks still ran
            return
        if "error" in seen["before"]:
            return  # Node could not load the original either (a fixture of a broken config)
        for stage in ("safe", "unsafe"):
            assert "error" not in seen[stage], (where, stage, seen[stage], entry[stage].text)
        before, safe = pm2_sees(seen["before"]["exports"]), pm2_sees(seen["safe"]["exports"])
        assert safe["apps"] == before["apps"] and safe["rest"] == before["rest"], (where, entry["safe"].text)
        assert before["PORTS"] is None or kept_entries(before["PORTS"], safe["PORTS"]), where
        # unsafe: the moves of this file and of the files of the run it requires
        moves = dict(entry["moves"])
        text = entry["unsafe"].original
        for request in re.findall(r"require\(\s*['\"](\.{1,2}/[^'\"]+)['\"]\s*\)", text):
            required = os.path.normpath(os.path.join(os.path.dirname(rel), request))
            moves.update(case["files"].get(required, {}).get("moves", {}))
        unsafe = pm2_sees(seen["unsafe"]["exports"])
        old_ports = ports[str(self.root / "before" / rel)].get("apps", [])
        new_ports = ports[str(self.root / "unsafe" / rel)].get("apps", [])
        why = moved_only_by_plan({"apps": before["apps"], "rest": before["rest"]},
                                 {"apps": unsafe["apps"], "rest": unsafe["rest"]}, moves,
                                 [set(a["ports"]) for a in new_ports])
        assert why is None, (where, why, entry["unsafe"].text)
        assert [sorted({moves.get(p, p) for p in a["ports"]}) for a in old_ports] == [a["ports"] for a in new_ports], where
        assert partition(old_ports) == partition(new_ports), where
        for stage, unsafe_fixes in (("safe", False), ("unsafe", True)):
            outcome = entry[stage]
            path = str(self.root / stage / rel)
            _, found = self.engine.lint_file(path, outcome.text)
            assert {d.code for d in found} <= outcome.original_codes, (where, stage, outcome.text)


def report(tier: Tier, migrated: list[str], total: int) -> None:
    target = os.environ.get("PORTLINT_FIX_REPORT")
    if target:
        with open(target, "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"configs": total, "migrated": migrated, "refused": tier.refused}) + "\n")


@pytest.fixture(scope="module")
def engine(registry):
    from portlint.engine.pipeline import Engine
    from portlint.settings.settings import Settings

    return Engine(Settings(), registry)


def _cases() -> dict[Path, list[Path]]:
    from portlint.source.discover import is_config_name

    cases: dict[Path, list[Path]] = {}
    for path in sorted(FIXTURES.rglob("*")):
        if path.is_file() and is_config_name(path.name):
            folder = FIXTURES.joinpath(*path.relative_to(FIXTURES).parts[:2])
            cases.setdefault(folder if folder.is_dir() else path.parent, []).append(path)
    return cases


def test_every_fixture_fixes_into_what_node_agrees_with(engine, tmp_path):
    tier = Tier(engine, tmp_path)
    for folder, configs in _cases().items():
        tier.add(str(folder.relative_to(FIXTURES)).replace(os.sep, "__"), folder, configs)
    tier.check()
    migrated = []
    left = {"PL101", "PL201", "PL202", "PL301", "PL401", "PL402"}
    for case in tier.cases:
        for rel, entry in case["files"].items():
            outcome = entry["unsafe"]
            if outcome.original_codes & left and outcome.changed:
                codes = {d.code for d in tier.engine.lint_file(str(tmp_path / "unsafe" / rel), outcome.text)[1]}
                if not codes & left:
                    migrated.append(rel)
    report(tier, migrated, sum(len(c["files"]) for c in tier.cases))
    assert len(migrated) >= 10, migrated  # the tier migrates real shapes, not only refuses


# --- generated legacy configs -------------------------------------------------------------------

HEADERS = ["", "#!/usr/bin/env node\n", "'use strict';\n\n", "// Orders: the PM2 apps.\n",
           "/*\n * Orders service.\n * Owner: café team — 注文\n */\n", "/** @type {import('pm2').Config} */\n",
           "// one\n/* two */\n// three\n", "const path = require('path');\n\n",
           "'use strict';\n/* header */\nconst os = require('os');\n\n"]
PORTS = [3000, 3001, 4000, 5000, 5173, 5570, 5572, 8080, 9229]
CONNECTIONS = ["REDIS_URL: 'redis://localhost:6379'", "DATABASE_URL: 'postgres://shop:pw@localhost:5432/shop'",
               "DB_PORT: 5432", "MONGO_URI: 'mongodb://localhost:27017/app'", "AMQP_URL: 'amqp://localhost:5672'",
               "MEMCACHED_SERVERS: 'localhost:11211'", "NATS_URL: 'nats://127.0.0.1:4222'"]


@st.composite
def legacy_config(draw, name: str):
    nl = draw(st.sampled_from(["\n", "\r\n"]))
    indent = draw(st.sampled_from(["  ", "\t"]))
    ports = draw(st.lists(st.sampled_from(PORTS), min_size=1, max_size=3, unique=True))
    apps = []
    for a in range(draw(st.integers(1, 3))):
        port = draw(st.sampled_from(ports))
        fields = [f"name: '{name}-{a}'", f"script: '{draw(st.sampled_from(['a.js', 'node_modules/vite/bin/vite.js']))}'"]
        listen = draw(st.sampled_from(["env", "default", "quoted", "args", "field", "inspect"]))
        env = [f"NODE_ENV: '{draw(st.sampled_from(['production', 'développement']))}'"]
        if listen == "env":
            env.append(f"PORT: {port}")
        elif listen == "default":
            env.append(f"PORT: process.env.PORT || {port}")
        elif listen == "quoted":
            env.append(f"PORT: '{port}'")
        elif listen == "args":
            fields.append(f"args: '--port {port}'")
        elif listen == "field":
            fields.append(f"port: {port}")
        else:
            fields.append(f"node_args: '--inspect={port}'")
        env += draw(st.lists(st.sampled_from(CONNECTIONS), max_size=2, unique=True))
        if draw(st.booleans()):
            env.append(f"API_URL: 'http://localhost:{draw(st.sampled_from(ports))}/api'")
        if draw(st.booleans()):
            fields += ["instances: 2", "exec_mode: 'cluster'", "increment_var: 'PORT'"]
        if draw(st.booleans()):
            fields.append("kill_timeout: 3000")
        fields.append("env: { " + ", ".join(env) + " }")
        if draw(st.booleans()):
            fields.append(f"env_production: {{ NODE_ENV: 'production', PORT: {draw(st.sampled_from(ports))} }}")
        apps.append(indent * 2 + "{ " + ", ".join(fields) + " },")
    head = draw(st.sampled_from(HEADERS))
    body = nl.join(["module.exports = {", indent + "apps: ["] + apps + [indent + "],", "};", ""])
    return head.replace("\n", nl) + body


@st.composite
def runs(draw):
    """A few folders, each one legacy config; some folders also a config that requires it."""
    out = []
    for i in range(draw(st.integers(1, 3))):
        files = {"ecosystem.config.cjs": draw(legacy_config(f"svc{i}"))}
        if draw(st.integers(0, 3)) == 0:
            files["ecosystem.all.config.cjs"] = ("const base = require('./ecosystem.config.cjs');\n\n"
                                                 "module.exports = { apps: [...base.apps] };\n")
        out.append(files)
    return out


@settings(derandomize=not os.environ.get("PORTLINT_RANDOM"), deadline=None,
          max_examples=int(os.environ.get("PORTLINT_FIX_NODE_EXAMPLES", "25")),
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(batch=st.lists(runs(), min_size=4, max_size=4))
def test_generated_legacy_configs_fix_into_what_node_agrees_with(batch, engine, tmp_path_factory):
    """Four runs per example, one Node process for all their files."""
    root = tmp_path_factory.mktemp("gen")
    tier = Tier(engine, root)
    for r, folders in enumerate(batch):
        source = root / "src" / f"run{r}"
        configs = []
        for i, files in enumerate(folders):
            for name, text in files.items():
                path = source / f"svc{i}" / name
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(text.encode("utf-8"))
                configs.append(path)
        tier.add(f"run{r}", source, configs)
    tier.check()
    report(tier, [], sum(len(c["files"]) for c in tier.cases))
