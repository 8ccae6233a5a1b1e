"""The static evaluator on the forms the spec names, one by one."""
import pytest

from portlint.evaluator.interpreter import Loader
from portlint.engine.pipeline import read_and_parse
from portlint.source.parse import parse
from portlint.source.read import Source
from portlint.evaluator.values import Arr, EnvDefault, EnvVar, Obj, OneOf, Prim, Template, Unknown, possible_ports


def exports_of(text, name="ecosystem.config.cjs", tmp_path=None, root=None):
    path = str(tmp_path / name) if tmp_path else name
    if tmp_path:
        (tmp_path / name).write_text(text)
    parsed = parse(Source(path, text))
    root = root or (str(tmp_path) if tmp_path else None)
    return Loader(root, read=read_and_parse).evaluator_for(parsed).exports()


def value_of(expr, prelude=""):
    exported = exports_of(prelude + f"\nmodule.exports = {{ v: {expr} }};\n")
    return exported.props["v"].value


@pytest.mark.parametrize("expr,expected", [
    ("5570", 5570), ("5_570", 5570), ("0x15c2", 5570), ("-5570", -5570), ("5569 + 1", 5570),
    ("`55${70}`", "5570"), ("'55' + 70", "5570"), ("Number('5570')", 5570), ("parseInt('5570px', 10)", 5570),
    ("PORTS.API", 5570), ("PORTS['API']", 5570), ("PORTS.server.api", 5571), ("PORTS?.server?.api", 5571),
    ("{ ...BASE, PORT: 1 }.X", None), ("[...LIST, 3][2]", 3), ("BASE.X", 7), ("A", 1), ("B", 2),
])
def test_resolves(expr, expected):
    prelude = ("const PORTS = { API: 5570, server: { api: 5571 } };\nconst BASE = { X: 7 };\n"
               "const LIST = [1, 2];\nconst { a: A, b: [, B] } = { a: 1, b: [0, 2] };")
    value = value_of(f"({expr})" if not expr.startswith("{") else f"({expr.split('.X')[0]}).X", prelude)
    if expected is None:
        assert isinstance(value, Prim) and value.value == 7
    else:
        assert isinstance(value, (Prim, Template))
        got = value.value if isinstance(value, Prim) else value.text()
        assert got == expected


def test_env_defaults_keep_the_default_and_the_variable():
    for expr in ("process.env.PORT || 5570", "process.env.PORT ?? 5570", "Number(process.env.PORT) || 5570",
                 "parseInt(process.env.PORT, 10) || 5570", "+process.env.PORT || 5570"):
        value = value_of(expr)
        assert isinstance(value, EnvDefault), expr
        assert value.env == "PORT" and possible_ports(value) == ({5570}, True)


def test_nan_is_not_nullish():
    value = value_of("Number(process.env.PORT) ?? 5570")
    assert isinstance(value, EnvVar) and possible_ports(value) == (set(), False)


def test_conditional_on_the_environment_keeps_both_branches():
    value = value_of("process.env.PG_MODE === 'native' ? 5432 : 5561")
    assert isinstance(value, OneOf)
    assert possible_ports(value) == ({5432, 5561}, True)
    assert possible_ports(value_of("1 > 2 ? 5432 : 5561")) == ({5561}, True)


def test_every_value_remembers_where_it_was_written():
    text = "const PORTS = { API: 5570 };\nmodule.exports = { apps: [{ env: { PORT: PORTS.API } }] };\n"
    exported = exports_of(text)
    port = exported.props["apps"].value.items[0].props["env"].value.props["PORT"].value
    assert port.span.text == "PORTS.API"
    assert port.origin.text == "5570" and port.origin.location == (1, 22)


def test_unknowns_say_why_and_where():
    value = value_of("os.cpus().length")
    assert isinstance(value, Unknown) and "unknown identifier 'os'" in value.reason
    value = value_of("path.join(__dirname, 'x')", "const path = require('path');")
    assert isinstance(value, Unknown)
    assert value.span.text == "path.join(__dirname, 'x')"
    value = value_of("apps.sort((a, b) => a - b)", "const apps = [1];")
    assert isinstance(value, Unknown) and "apps.sort" in value.reason
    value = value_of("helper()", "function helper() { for (;;) {} }")
    assert isinstance(value, Unknown) and "loop budget" in value.reason
    value = value_of("helper()", "function helper() { class A {} with (x) {} }")
    assert isinstance(value, Unknown) and "helper() uses a WithStatement" in value.reason


def test_pure_functions_and_array_methods_are_followed():
    prelude = "\n".join([
        "const PORTS = { A: 5570 };",
        "const names = ['api', 'ui'];",
        "const mk = (name, i, { base = PORTS.A } = {}) => ({ name, port: base + i });",
        "function twice(x) { const y = x * 2; return y; }",
        "const fact = (n) => n <= 1 ? 1 : n * fact(n - 1);",
    ])
    apps = value_of("names.map((n, i) => mk(n, i))", prelude)
    assert [(a.props["name"].value.value, a.props["port"].value.value) for a in apps.items] == [("api", 5570), ("ui", 5571)]
    assert value_of("twice(21)", prelude).value == 42
    assert value_of("[1, 0, 2].filter((x) => x).concat([3]).length", prelude).value == 3
    assert value_of("Object.keys({ a: 1, b: 2 }).map((k) => k + '!')[1]", prelude).value == "b!"
    deep = value_of("fact(100)", prelude)  # recursion stops at the call-depth budget
    assert isinstance(deep, Unknown) and "nested too deeply" in deep.reason


def test_exports_forms():
    assert list(exports_of("exports.apps = [];\nexports.PORTS = { A: 1 };\n").props) == ["apps", "PORTS"]
    assert list(exports_of("module.exports = { apps: [] };\nmodule.exports.PORTS = { A: 1 };\n").props) == ["apps", "PORTS"]
    esm = exports_of("export const PORTS = { A: 1 };\nexport default { apps: [] };\n", name="ecosystem.config.mjs")
    assert list(esm.props) == ["apps"]
    named = exports_of("const PORTS = { A: 1 };\nexport { PORTS };\nexport const apps = [];\n", name="ecosystem.config.mjs")
    assert set(named.props) == {"PORTS", "apps"}
    json_value = exports_of("{ // PM2 accepts comments\n 'apps': [{ name: 'x', }], }", name="ecosystem.json")
    assert isinstance(json_value, Obj) and isinstance(json_value.props["apps"].value, Arr)


def test_local_require_and_import(tmp_path):
    (tmp_path / "ports.config.cjs").write_text("module.exports = { PORTS: { API: 5570 } };\n")
    (tmp_path / "data.json").write_text('{"ui": 5571}')
    (tmp_path / "esm.config.mjs").write_text("export const PORTS = { WS: 5572 };\n")
    value = exports_of("const { PORTS } = require('./ports.config.cjs');\nconst d = require('./data.json');\n"
                       "module.exports = { a: PORTS.API, b: d.ui, c: require('./ports.config').PORTS.API };\n",
                       tmp_path=tmp_path)
    assert [value.props[k].value.value for k in "abc"] == [5570, 5571, 5570]
    esm = exports_of("import { PORTS } from './esm.config.mjs';\nexport default { ws: PORTS.WS };\n",
                     name="ecosystem.config.mjs", tmp_path=tmp_path)
    assert esm.props["ws"].value.value == 5572


def test_require_cycles_outside_paths_and_node_modules_are_unknown(tmp_path):
    (tmp_path / "a.config.cjs").write_text("module.exports = { b: require('./b.config.cjs').v, v: 1 };\n")
    (tmp_path / "b.config.cjs").write_text("module.exports = { v: require('./a.config.cjs').v };\n")
    (tmp_path / "node_modules" / "x").mkdir(parents=True)
    (tmp_path / "node_modules" / "x" / "index.js").write_text("module.exports = 1;\n")
    (tmp_path / "project").mkdir()
    (tmp_path / "project" / ".git").mkdir()
    value = exports_of("module.exports = { a: require('./a.config.cjs').b, nm: require('./node_modules/x'),"
                       " pkg: require('dotenv'), up: require('../secret.js'), gone: require('./missing') };\n",
                       tmp_path=tmp_path)
    reasons = {k: p.value.reason for k, p in value.props.items()}
    assert "circular require" in reasons["a"]
    assert "node_modules" in reasons["nm"]
    assert "outside the project" in reasons["pkg"]
    assert "cannot find" in reasons["gone"]
    inner = exports_of("module.exports = { up: require('../a.config.cjs') };\n", name="project/e.config.cjs",
                       tmp_path=tmp_path, root=str(tmp_path / "project"))
    assert "outside the project root" in inner.props["up"].value.reason


def test_self_reference_and_bad_spread_do_not_crash():
    value = exports_of("const a = b;\nconst b = a;\nmodule.exports = { a, s: { ...a }, l: [...a] };\n")
    assert isinstance(value.props["a"].value, Unknown)
    assert value.props["s"].value.complete is False
    assert value.props["l"].value.complete is False
