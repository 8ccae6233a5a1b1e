"""portlint.model.pm2 and args: PM2 7's rules, against PM2's own code. PM2's functions (Config._valid
for args, verifyConfs and determineExecMode for instances and exec mode, prepareAppConf and
mergeEnvironmentVariables for the environments) run in one Node process per test, on inputs
hypothesis generates; no daemon is started (the PM2 tier, tests/test_pm2_tier.py, does that).
Plus the shapes PM2 treats specially, and the instance counts no machine runs, under resource limits.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT, need, run_portlint

sys.path.insert(0, os.path.dirname(__file__))
import pm2_tier  # noqa: E402

# What PM2 does, by calling PM2: one case per input, the answers in order.
ORACLE = textwrap.dedent("""
    const path = require('path');
    process.env.PM2_SILENT = 'true';
    const lib = path.join(process.argv[2], 'lib');
    const Common = require(path.join(lib, 'Common.js'));
    const Config = require(path.join(lib, 'tools', 'Config.js'));
    let input = '';
    process.stdin.on('data', (d) => { input += d; });
    process.stdin.on('end', () => {
      const answers = JSON.parse(input).map((c) => {
        try {
          if (c.kind === 'args') return Config._valid('args', c.value);
          const app = JSON.parse(JSON.stringify(c.app));
          if (app.instances === '__Infinity__') app.instances = Infinity;
          const verified = Common.verifyConfs([app]);
          if (verified instanceof Error) return { error: String(verified.message) };
          const v = verified[0];
          if (c.kind === 'mode') {
            v.exec_interpreter = c.interpreter;
            Common.sink.determineExecMode(v);
            let n = parseInt(v.instances);  // lib/God.js prepare: how many instances start
            if (n === 0) n = c.cpus; else if (n < 0) n += c.cpus;
            if (n <= 0) n = 1;
            return { exec_mode: v.exec_mode.replace('_mode', ''), instances: Number.isNaN(n) ? null : n };
          }
          v.script = process.argv[1];  // prepareAppConf wants a script that exists
          const resolved = Common.prepareAppConf({ cwd: process.cwd() }, v);
          const env = Common.mergeEnvironmentVariables(resolved, c.environment, c.deploy);
          delete env.current_conf;
          for (const key of Object.keys(process.env)) delete env[key];
          return env;
        } catch (e) { return { error: String(e.message) }; }
      });
      process.stdout.write(JSON.stringify(answers));
    });
""")


@pytest.fixture(scope="module")
def pm2_oracle(tmp_path_factory):
    need(pm2_tier.node_binary(), "node")
    ok, why = pm2_tier.pm2_available()
    if not ok:
        if os.environ.get("CI"):
            pytest.fail(f"PM2 is needed in CI (.ci/run installs it): {why}")
        pytest.skip(f"PM2 7 is not available: {why}")
    script = tmp_path_factory.mktemp("oracle") / "oracle.js"
    script.write_text(ORACLE, encoding="utf-8")

    def ask(cases: list[dict]) -> list:
        proc = subprocess.run([pm2_tier.node_binary(), str(script), str(pm2_tier.PM2_BIN.parent.parent)],
                              input=json.dumps(cases), capture_output=True, text=True, timeout=120,
                              env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")}, cwd=script.parent)
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout)

    return ask


def _obj(data: dict):
    """An evaluated object for a plain dict (what the evaluator makes of the same literal)."""
    from portlint.evaluator.values import Arr, Obj, Prim, Prop

    def value(v):
        if isinstance(v, dict):
            return _obj(v)
        if isinstance(v, list):
            return Arr(items=[value(i) for i in v])
        if v == "__Infinity__":
            return Prim(float("inf"))
        return Prim(v)

    return Obj(props={k: Prop(k, None, value(v)) for k, v in data.items()})


# --- args ----------------------------------------------------------------------------------------

ARG_TEXT = st.lists(st.sampled_from([
    "--port", "5571", "'5571'", '"--port=5572"', '--port="5573"', "key=\"a b\"", "k='c d'", '"a b"', "'x y'",
    "\t", " ", "  ", "\u00a0", "\u2028", '"', "'", "=", '""', "''", "--host", "0.0.0.0", "a=b", 'x"y"z', "é",
]), max_size=8).map("".join)


@settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck))
@given(texts=st.lists(ARG_TEXT, min_size=50, max_size=50))
def test_args_split_like_pm2(pm2_oracle, texts):
    from portlint.evaluator.values import Prim
    from portlint.model.args import arg_words, word_text

    theirs = pm2_oracle([{"kind": "args", "value": t} for t in texts])
    for text, expected in zip(texts, theirs):
        ours = [word_text(w) for w in arg_words(Prim(text))]
        assert ours == expected, text


def _uses(tmp_path, registry, app: str) -> list[tuple[str, str, object]]:
    """(where, key, value) of the port uses portlint's model finds in one app."""
    from portlint.engine.pipeline import Engine
    from portlint.settings.settings import Settings

    config = tmp_path / "ecosystem.config.cjs"
    config.write_text(f"module.exports = {{ apps: [{app}] }};\n", encoding="utf-8")
    [model] = Engine(Settings(), registry).run([str(config)], keep_configs=True).configs
    return [(u.where, u.key, getattr(u.value, "value", None)) for u in model.processes[0].uses if u.effective]


def test_ports_in_args_as_pm2_splits_them(tmp_path, registry):
    def uses(args):
        return [v for _, key, v in _uses(tmp_path, registry, f"{{ name: 'a', script: 'a.js', args: {args} }}")]

    assert uses("\"--host 0.0.0.0 --port '5571'\"") == [5571]
    assert uses("'\"--port=5572\"'") == [5572]
    assert uses("'--port=\"5573\"'") == ['"5573"']  # the app gets the quotes: not a port (PL105)
    assert uses("['--port 5574']") == []  # one argument: no --port flag
    assert uses("['--port', '5575']") == [5575]
    assert uses("'--port\t5576'") == [5576]


def test_a_shell_script_has_the_ports_of_its_words(tmp_path, registry):
    found = _uses(tmp_path, registry, "{ name: 'a', script: \"npm run start -- --port '55''78' --x\", "
                                      "args: '--port 5590' }")
    assert found == [("script --port", "--port", 5578)]  # PM2 drops args


# --- instances and exec mode ---------------------------------------------------------------------

INSTANCES = st.one_of(st.none(), st.integers(-6, 6), st.sampled_from([
    "max", "0", "-1", "2", " 3", "4abc", "abc", "", 2.5, 0.5, -0.5, 1e21, 1e-7, 1e9, "__Infinity__", True]))
MODES = st.sampled_from([None, "fork", "cluster", "fork_mode", "cluster_mode", "Cluster", "cluster-ish"])
INTERPRETERS = st.sampled_from(["node", "/usr/local/bin/node", "bun", "python3", "none", "ruby"])


@settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck))
@given(cases=st.lists(st.tuples(INSTANCES, MODES, INTERPRETERS, st.integers(1, 16)), min_size=80, max_size=80))
def test_exec_mode_and_instance_count_like_pm2(pm2_oracle, cases):
    from portlint.model import pm2

    asked = []
    for instances, mode, interpreter, cpus in cases:
        app = {"name": "a", "script": "a.js"}
        if instances is not None:
            app["instances"] = instances
        if mode is not None:
            app["exec_mode"] = mode
        asked.append({"kind": "mode", "app": app, "interpreter": interpreter, "cpus": cpus})
    for (instances, mode, interpreter, cpus), question, answer in zip(cases, asked, pm2_oracle(asked)):
        app = _obj({**question["app"], "interpreter": interpreter})
        counted = pm2.instances_of(app.get("instances"), cpus)
        decided = pm2.exec_mode_of(app, counted, pm2.interpreter_of(app))
        assert bool(pm2.refusal(app)) == ("error" in answer), (question, answer)
        if "error" in answer:  # PM2 refuses the config: so does portlint
            assert decided.mode is None or counted.count is None, (question, answer)
            continue
        assert decided.mode == answer["exec_mode"], (question, answer, decided)
        assert counted.count == answer["instances"], (question, answer, counted)


@settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck))
@given(cases=st.lists(st.fixed_dictionaries({}, optional={
    "port": st.sampled_from([5570, "5571", "abc", "", 0, True, {"a": 1}]),
    "args": st.sampled_from(["--port 1", ["--port", "2"], 3, False, {"a": 1}]),
    "node_args": st.sampled_from(["--inspect", ["--inspect=4"], 5]),
    "exec_mode": st.sampled_from(["fork", "cluster_mode", "", "x"]),
}), min_size=60, max_size=60))
def test_what_pm2_refuses(pm2_oracle, cases):
    from portlint.model import pm2

    asked = [{"kind": "mode", "app": {"name": "a", "script": "a.js", **c}, "interpreter": "node", "cpus": 2}
             for c in cases]
    for question, answer in zip(asked, pm2_oracle(asked)):
        assert bool(pm2.refusal(_obj(question["app"]))) == ("error" in answer), (question, answer)


# --- environments --------------------------------------------------------------------------------

ENV = st.dictionaries(st.sampled_from(["PORT", "API_PORT", "NODE_ENV", "X"]),
                      st.one_of(st.integers(5570, 5599), st.sampled_from(["5571", "prod", ""])), max_size=3)


@st.composite
def apps_and_deploys(draw):
    app = {"name": "a", "script": "a.js"}
    if draw(st.booleans()):
        app["env"] = draw(ENV)
    for name in draw(st.lists(st.sampled_from(["production", "staging"]), unique=True, max_size=2)):
        app[f"env_{name}"] = draw(ENV)
    if draw(st.booleans()):
        app["port"] = draw(st.one_of(st.integers(0, 5599), st.sampled_from(["5576", "0"])))
    deploy = {name: {"env": draw(ENV)} for name in draw(st.lists(st.sampled_from(["production", "qa"]),
                                                                   unique=True, max_size=2))}
    return app, deploy, draw(st.sampled_from(["", "production", "staging", "qa"]))


@settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck))
@given(cases=st.lists(apps_and_deploys(), min_size=60, max_size=60))
def test_environments_merge_like_pm2(pm2_oracle, cases):
    from portlint.model import pm2

    answers = pm2_oracle([{"kind": "env", "app": app, "deploy": deploy, "environment": environment or None}
                          for app, deploy, environment in cases])
    for (app, deploy, environment), answer in zip(cases, answers):
        merged = pm2.merge_env(_obj(app), {k: _obj(v["env"]) for k, v in deploy.items()}, environment)
        ours = {k: e.value.value for k, e in merged.entries.items()}
        assert ours == {k: v for k, v in answer.items() if k != "io"}, (app, deploy, environment)


def test_increment_var_counts_like_pm2s_number_or_zero():
    from portlint.evaluator.values import Prim
    from portlint.model.pm2 import increment_start

    for value, start in [("5590", 5590), (5590, 5590), ("", 0), ("abc", 0), ("0x15D6", 5590), (" 7 ", 7),
                         (None, 0), (True, 1)]:
        assert increment_start(Prim(value) if value is not None else None) == (start, True), value


# --- the shapes PM2 treats specially -------------------------------------------------------------

def test_a_script_with_spaces_drops_args_and_listens_on_its_own_port(tmp_path):
    config = tmp_path / "ecosystem.config.cjs"
    config.write_text("module.exports = { apps: [{ name: 'web', script: 'node server.js --port 5577', "
                      "args: '--port 5590' }] };\n")
    data = json.loads(run_portlint("--no-cache", "--show-resolved", "--format", "json", str(config)).stdout)
    app = data["configs"][0]["environments"][0]["apps"][0]
    assert app["script"] == "bash" and app["args"]["values"] == ["-c", "node server.js --port 5577"]
    assert [p["port"] for p in app["instance_list"][0]["listens"]] == [5577]


def test_serve_listens_on_pm2_serve_port_then_its_argument_then_8080(tmp_path):
    config = tmp_path / "ecosystem.config.cjs"
    config.write_text(textwrap.dedent("""\
        module.exports = { apps: [
          { name: 'a', script: 'serve', env: { PORT: 5570 }, env_production: { PM2_SERVE_PORT: 5571 } },
          { name: 'b', script: 'serve', args: './dist 5572', env: { PORT: 5573 } },
        ] };
        """))
    data = json.loads(run_portlint("--no-cache", "--show-resolved", "--format", "json", str(config)).stdout)
    seen = {(e["environment"], a["name"]): [p["port"] for p in a["instance_list"][0]["listens"]]
            for e in data["configs"][0]["environments"] for a in e["apps"]}
    assert seen == {("", "a"): [8080], ("", "b"): [5572], ("production", "a"): [5571], ("production", "b"): [5572]}


@pytest.mark.parametrize("instances", ["1e9", "Infinity", "1e300", "-1e9", "'9'.repeat(400)"])
def test_instance_counts_no_machine_runs_are_cheap(tmp_path, instances):
    """No crash, no set per instance: under 512 MB and 60 s, a finding and exit 1 or 0 (issue 28)."""
    config = tmp_path / "ecosystem.config.cjs"
    config.write_text(f"const PORTS = {{\n  W: 5570, // workers\n}};\nmodule.exports = {{ PORTS, apps: [\n"
                      f"  {{ name: 'w', script: 'w.js', instances: {instances}, increment_var: 'PORT', "
                      f"env: {{ PORT: PORTS.W }} }},\n] }};\n")
    limit = textwrap.dedent(f"""\
        import resource, sys
        resource.setrlimit(resource.RLIMIT_AS, (512 * 2**20, 512 * 2**20))
        resource.setrlimit(resource.RLIMIT_CPU, (60, 60))
        from portlint.cli import main
        sys.argv = ['portlint', '--no-cache', {str(config)!r}]
        main()
        """)
    proc = subprocess.run([sys.executable, "-c", limit], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert proc.returncode in (0, 1), proc.stderr
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr
    resolved = subprocess.run([sys.executable, "-c", limit.replace("'--no-cache'", "'--no-cache', '--show-resolved'")],
                              capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert resolved.returncode == 0, resolved.stderr


SHELL_TEXT = st.lists(st.sampled_from([
    "node", "server.js", "--port", "5577", " ", "  ", "\t", "'a b'", '"c d"', "'", '"', "\\ ", "\\'", '\\"',
    "x\\y", '"e\\"f"', '"g\\\\h"', "'i\\j'", "--port=5578", "=",
]), max_size=10).map("".join)


@settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck))
@given(scripts=st.lists(SHELL_TEXT, min_size=40, max_size=40))
def test_a_shell_script_splits_like_bash(scripts):
    """The words of a script with spaces, as `bash -c` splits them (no expansions generated)."""
    from portlint.evaluator.values import Prim
    from portlint.model.args import arg_words, word_text

    bash = need(shutil.which("bash"), "bash")
    for script in scripts:
        proc = subprocess.run([bash, "-c", 'eval "set -- $1" 2>/dev/null || exit 3; for a; do printf "%s\\0" "$a"; done',
                               "_", script],
                              capture_output=True, timeout=30)
        if proc.returncode == 3:  # an unterminated quote: bash refuses it, so would PM2's shell
            continue
        theirs = proc.stdout.decode().split("\0")[:-1]
        assert [word_text(w) for w in arg_words(Prim(script), shell=True)] == theirs, script


def test_cpus_option_counts_per_cpu_instances(tmp_path):
    config = tmp_path / "ecosystem.config.cjs"
    config.write_text("module.exports = { apps: [{ name: 'w', script: 'w.js', instances: -1 }] };\n")
    data = json.loads(run_portlint("--no-cache", "--cpus", "8", "--show-resolved", "--format", "json",
                                   str(config)).stdout)
    app = data["configs"][0]["environments"][0]["apps"][0]
    assert app["instances"] == 7 and "CPUs - 1; the `cpus` setting says 8" in app["instances_text"]
    assert app["exec_mode"] == "cluster"
    assert run_portlint("--cpus", "0", str(config)).returncode == 2


@pytest.mark.parametrize("args, ports", [
    ("--host 0.0.0.0 --port '5571'", ["5571"]),  # a wholly quoted token loses its quotes
    ('"--port=5572"', ["5572"]),
    ('--port="5573"', []),  # the quotes stay: the app gets the text "5573"
    ("'--port 5574'", []),  # one argument with a space: no --port flag
    ("--port 5575 --inspect=127.0.0.1:9230", ["5575", "9230"]),
    ("--inspect-brk=[::1]:9229", ["9229"]),
    ("--port=55x", []),
])
def test_the_verifier_finds_arg_ports_where_pm2_splits_them(args, ports):
    """What the fix verifier renumbers in an args string: the ports PM2's split gives the app."""
    from portlint.model.args import port_digit_spans, port_numbers
    from portlint.evaluator.values import Prim

    assert [args[a:b] for a, b in port_digit_spans(args)] == ports
    assert port_numbers(Prim(args)) | port_numbers(Prim(args), inspect=True) == {int(p) for p in ports}
