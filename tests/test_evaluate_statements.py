"""The evaluator follows statements: loops, pushes, branches, helper functions with statement bodies,
defaults through unknown values and around effects, and stops at its budgets with a reason.

Expected values are what Node computes for each program (with an empty environment); the Node
differential and property tests check the same against Node itself.
"""
import pytest

from test_evaluate import exports_of
from portlint.evaluator.values import Arr, EnvDefault, Obj, OneOf, Unknown, default_text, possible_ports


def apps_of(text, **kw):
    exported = exports_of(text, **kw)
    assert isinstance(exported, Obj), getattr(exported, "reason", exported)
    apps = exported.props["apps"].value
    assert isinstance(apps, Arr), getattr(apps, "reason", apps)
    return apps


def ports_of(app, key="PORT"):
    return possible_ports(app.props["env"].value.props[key].value)


def names(apps):
    return [default_text(a.props["name"].value) for a in apps.items]


def test_for_loop_with_a_counter_pushes_apps():
    apps = apps_of("""
const BASE = 5570;
const apps = [];
for (let i = 0; i < 3; i++) {
  apps.push({ name: `worker-${i}`, script: 'w.js', env: { PORT: BASE + i } });
}
module.exports = { apps };
""")
    assert names(apps) == ["worker-0", "worker-1", "worker-2"]
    assert [ports_of(a) for a in apps.items] == [({5570}, True), ({5571}, True), ({5572}, True)]
    assert apps.complete


def test_for_of_for_in_foreach_and_while():
    apps = apps_of("""
const SERVICES = { api: 5570, web: 5571 };
const apps = [];
for (const name in SERVICES) apps.push({ name, env: { PORT: SERVICES[name] } });
for (const [name, port] of Object.entries({ jobs: 5572 })) apps.push({ name, env: { PORT: port } });
['mail'].forEach((name, i) => { apps.push({ name, env: { PORT: 5573 + i } }); });
let n = 0;
while (n < 2) { n += 1; if (n === 1) continue; apps.push({ name: 'w' + n, env: { PORT: 5580 + n } }); }
module.exports = { apps };
""")
    assert names(apps) == ["api", "web", "jobs", "mail", "w2"]
    assert [ports_of(a)[0] for a in apps.items] == [{5570}, {5571}, {5572}, {5573}, {5582}]


def test_helper_function_with_a_statement_body_builds_the_apps():
    apps = apps_of("""
function getApps(base) {
  const apps = [];
  const names = ['api', 'ui'];
  for (let i = 0; i < names.length; i++) {
    const app = { name: names[i], env: {} };
    app.env.PORT = base + i;
    apps[i] = app;
  }
  return apps;
}
module.exports = { apps: getApps(5570) };
""")
    assert names(apps) == ["api", "ui"]
    assert [ports_of(a)[0] for a in apps.items] == [{5570}, {5571}]


def test_if_else_let_reassignment_and_object_assign():
    apps = apps_of("""
let port = 3000;
const mode = 'prod';
if (mode === 'prod') { port = 8080; } else { port = 9090; }
const env = { NODE_ENV: 'production' };
Object.assign(env, { PORT: port });
const app = { name: 'api' };
app.env = env;
module.exports = { apps: [app] };
""")
    assert ports_of(apps.items[0]) == ({8080}, True)


def test_if_on_the_environment_keeps_both_values():
    apps = apps_of("""
let port = 3000;
if (process.env.PROD) port = 8080;
module.exports = { apps: [{ name: 'api', env: { PORT: port } }] };
""")
    value = apps.items[0].props["env"].value.props["PORT"].value
    assert isinstance(value, OneOf)
    assert possible_ports(value)[0] == {3000}  # the other branch's value is kept unknown, not guessed
    pushed = apps_of("""
const apps = [{ name: 'api' }];
if (process.env.WITH_UI) apps.push({ name: 'ui' });
module.exports = { apps };
""")
    assert names(pushed) == ["api"] and not pushed.complete
    assert "depends on the environment" in pushed.unknown_parts[0].reason


@pytest.mark.parametrize("expr,port", [
    ("envConfig.FRONTEND_PORT || 4000", 4000),
    ("parseInt(envConfig.PORT) || 8332", 8332),
    ("Number(envConfig.PORT ?? 3000)", 3000),
])
def test_defaults_through_unknown_values(expr, port):
    apps = apps_of(f"""
const fs = require('fs');
const envConfig = JSON.parse(fs.readFileSync('./env.json', 'utf8'));
module.exports = {{ apps: [{{ name: 'web', env: {{ PORT: {expr} }} }}] }};
""")
    value = apps.items[0].props["env"].value.props["PORT"].value
    assert isinstance(value, EnvDefault) and possible_ports(value) == ({port}, True)


def test_defaults_survive_an_effect_in_try():
    apps = apps_of("""
const fs = require('fs');
function loadPorts() {
  const ports = { WEB_PORT: '3000', API_PORT: '4000' };
  try {
    const text = fs.readFileSync('.ports', 'utf8');
    ports.WEB_PORT = text.trim();
  } catch (e) {
    // no file: keep the defaults
  }
  return ports;
}
const p = loadPorts();
module.exports = { apps: [{ name: 'web', env: { PORT: p.WEB_PORT } }, { name: 'api', env: { PORT: p.API_PORT } }] };
""")
    assert [ports_of(a) for a in apps.items] == [({3000}, True), ({4000}, True)]


def test_names_through_defaults():
    apps = apps_of("""
module.exports = { apps: [
  { name: process.env.APP_NAME || 'bun-app' },
  { name: `app:${process.env.ENV || 'production'}` },
] };
""")
    assert names(apps) == ["bun-app", "app:production"]


def test_missing_require_stays_unknown_naming_the_module(tmp_path):
    exported = exports_of("const cfg = require('./missing.json');\nmodule.exports = { apps: cfg.apps };\n",
                          tmp_path=tmp_path)
    apps = exported.props["apps"].value
    assert isinstance(apps, Unknown) and "./missing.json" in apps.reason
    resolved = exports_of("module.exports = { apps: [{ name: 'a', script: require.resolve('./x.js') }] };\n",
                          tmp_path=tmp_path)
    script = resolved.props["apps"].value.items[0].props["script"].value
    assert isinstance(script, Unknown) and "./x.js" in script.reason


HOSTILE = [
    ("for (;;) {}", "5570", "loop budget"),
    ("let i = 0; while (true) { i++; }", "5570", "loop budget"),
    ("const a = []; for (let i = 0; i < 1e9; i++) a.push(i);", "a[0]", "loop budget"),
    ("function f(n) { return f(n + 1); }", "f(0)", "nested too deeply"),
    ("let s = 'xx'; for (let i = 0; i < 40; i++) s = s + s;", "s", "size budget"),
    ("let t = 'xx'; for (let i = 0; i < 40; i++) t = `${t}${t}`;", "t", "size budget"),
    ("let a = [1, 2]; for (let i = 0; i < 40; i++) a = [...a, ...a];", "a[0]", "size budget"),
    ("let a = [1, 2]; for (let i = 0; i < 40; i++) a = a.concat(a);", "a[0]", "size budget"),
    ("const a = []; a[1e9] = 1;", "a[0]", "size budget"),
    ("const s0 = 'abcdefgh'; const s1 = s0 + s0; const s2 = s1 + s1; const s3 = s2 + s2; const s4 = s3 + s3;"
     " const s5 = s4 + s4; const s6 = s5 + s5; const s7 = s6 + s6; const s8 = s7 + s7; const s9 = s8 + s8;"
     " const s10 = s9 + s9; const s11 = s10 + s10; const s12 = s11 + s11; const s13 = s12 + s12;"
     " const s14 = s13 + s13; const s15 = s14 + s14; const s16 = s15 + s15; const s17 = s16 + s16;", "s17", "size budget"),
    ("const big = Array.from({ length: 1e9 }, (_, i) => i);", "big[0]", "size budget"),
]


@pytest.mark.parametrize("program,result,budget", HOSTILE)
def test_budgets_trip_with_a_reason(program, result, budget):
    exported = exports_of(program + f"\nmodule.exports = {{ apps: [{{ name: 'api', env: {{ PORT: {result} }} }}] }};\n")
    if not isinstance(exported, Unknown):
        exported = exported.props["apps"].value.items[0].props["env"].value.props["PORT"].value
    assert isinstance(exported, Unknown) and budget in exported.reason, exported


def test_effects_are_never_performed(tmp_path):
    marker = tmp_path / "written"
    exports_of(f"""
const fs = require('fs');
const cp = require('child_process');
fs.writeFileSync({str(marker)!r}, 'x');
cp.execSync('touch {marker}');
eval("require('fs').writeFileSync({str(marker)!r}, 'x')");
new Function("return 1")();
setTimeout(() => {{}}, 0);
module.exports = {{ apps: [] }};
""", tmp_path=tmp_path)
    assert not marker.exists()


# --- try/catch keeps both ways it may go (issue 29 item 1) ---------------------------------------

def test_a_value_set_in_a_try_that_may_throw_keeps_the_catch_value_and_the_read_one():
    exported = exports_of("""
const fs = require('fs');
let mode;
try {
  mode = fs.readFileSync('.mode', 'utf8').trim();
} catch {
  mode = 'docker';
}
module.exports = { mode, pg: mode === 'docker' ? 5613 : 5614 };
""")
    mode = exported.props["mode"].value
    # "what the file says, else 'docker'": read like `cfg.mode || 'docker'`, never definitely 'docker'
    assert isinstance(mode, EnvDefault) and default_text(mode) == "docker" and "readFileSync" in mode.reads
    pg = exported.props["pg"].value
    assert isinstance(pg, OneOf) and possible_ports(pg) == ({5613, 5614}, True)


def test_a_try_without_an_effect_never_runs_its_catch():
    exported = exports_of("let a = 1;\ntry { a = 2; } catch { a = 3; }\nmodule.exports = { a };\n")
    assert possible_ports(exported.props["a"].value) == ({2}, True)
    assert not isinstance(exported.props["a"].value, (OneOf, EnvDefault))


def test_a_throw_for_sure_runs_the_catch_from_each_place_the_block_may_have_stopped():
    exported = exports_of("""
const fs = require('fs');
let a = 5600, b = 5600;
try { a = 5601; fs.readFileSync('x'); a = 5602; throw new Error('no'); } catch { b = a + 10; }
module.exports = { a, b };
""")
    assert possible_ports(exported.props["a"].value) == ({5601, 5602}, True)  # Node: 5601 (no file)
    assert possible_ports(exported.props["b"].value) == ({5611, 5612}, True)


def test_a_helper_that_returns_in_try_and_in_catch_returns_either():
    apps = apps_of("""
const fs = require('fs');
function settings() {
  try {
    return JSON.parse(fs.readFileSync('./settings.json', 'utf8'));
  } catch (err) {
    return { port: 5620 };
  }
}
module.exports = { apps: [{ name: 'api', script: 'a.js', env: { PORT: settings().port } }] };
""")
    port = apps.items[0].props["env"].value.props["PORT"].value
    assert isinstance(port, EnvDefault) and possible_ports(port) == ({5620}, True)


def test_a_list_the_try_changed_after_an_effect_is_incomplete_and_holds_the_catch_items_only():
    apps = apps_of("""
const apps = [{ name: 'api', script: 'a.js', env: { PORT: 5600 } }];
try {
  const local = require('./local-apps.json');
  apps.push({ name: 'local', script: 'l.js', env: { PORT: 5601 } });
} catch {
  apps.push({ name: 'fallback', script: 'f.js', env: { PORT: 5602 } });
}
module.exports = { apps };
""")
    assert names(apps) == ["api", "fallback"]  # never both paths' apps at once (a false collision)
    assert not apps.complete and "may throw" in apps.unknown_parts[0].reason


def test_a_catch_that_throws_again_leaves_the_try_path():
    exported = exports_of("""
const fs = require('fs');
let port = 5600;
try { port = Number(fs.readFileSync('port')); } catch (e) { throw new Error('no port file'); }
module.exports = { port };
""")
    port = exported.props["port"].value
    assert isinstance(port, Unknown) and "Number()" in port.reason  # the config loads only with the file


# --- what is computed from an `|| N` default is read with the default (issue 31) -------------------

def test_a_loop_whose_bound_is_an_environment_default_runs_with_the_default():
    apps = apps_of("""
const PORT = Number(process.env.PORT || 5630);
const apps = [];
for (let i = 0; i < Number(process.env.INSTANCES || 3); i++) {
  apps.push({ name: `w-${i}`, script: 'w.js', env: { PORT: PORT + 1 + i } });
}
module.exports = { apps };
""")
    assert names(apps) == ["w-0", "w-1", "w-2"] and apps.complete
    ports = [apps.items[i].props["env"].value.props["PORT"].value for i in range(3)]
    # 5631 unless PORT is set, like the default it is computed from
    assert all(isinstance(p, EnvDefault) and p.env == "PORT" for p in ports)
    assert [possible_ports(p) for p in ports] == [({5631}, True), ({5632}, True), ({5633}, True)]


def test_a_condition_on_a_default_still_keeps_both_branches():
    exported = exports_of("""
const workers = Number(process.env.WORKERS || 2);
module.exports = { mode: workers > 1 ? 'cluster' : 'fork', hosts: (process.env.HOSTS || 'a,b').split(',') };
""")
    assert isinstance(exported.props["mode"].value, OneOf)  # the environment may say 1
    hosts = exported.props["hosts"].value
    assert isinstance(hosts, EnvDefault) and [default_text(h) for h in hosts.default.items] == ["a", "b"]
