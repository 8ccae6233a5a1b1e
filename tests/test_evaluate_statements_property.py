"""Property test: on generated programs with statements, portlint's ports equal Node's.

Hypothesis writes whole ecosystem files from a small grammar of the shapes real configs use:
``for`` loops with counters, ``for-of``, ``for-in``, ``forEach``, ``while``, ``if``/``else`` (decided in
the file, or by the environment), ``let`` reassignment, ``apps.push``, ``apps[i] =``, ``obj.key =``,
``Object.assign``, helper functions with statement bodies, and ``try``/``catch`` around a file read.
Node loads each file for real (tests/oracle/resolve_ports.mjs, empty environment); portlint reads it
statically. For every program Node finishes, the processes and ports must agree (where portlint
says a part is unknown, what it did resolve must still be right). The counts are printed at the end.
"""
import os
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from test_node_oracle import compare, engine, run_oracle  # noqa: F401  (engine is a fixture)

PRELUDE = """const PORTS = { A: 5570, B: 5571, C: 5572 };
const K = 40;
const fs = require('fs');
function make(name, port) {
  const app = { name, script: 'x.js', env: {} };
  app.env.PORT = port;
  return app;
}
const apps = [];
const extra = { LOG: 'info' };
let v = PORTS.A;
"""

ports = st.sampled_from(["PORTS.A", "PORTS.B", "PORTS.C + 1", "v", "5580", "'5581'", "K + 5550",
                         "process.env.NOPE || 5582", "Number(process.env.NOPE ?? 5583)", "parseInt('5584px', 10)",
                         "fs.missing || 5585"])
conditions = st.sampled_from(["K > 30", "K < 30", "PORTS.A === 5570", "apps.length > 1", "v === PORTS.A",
                              "process.env.FLAG", "process.env.MODE === 'prod'"])


@st.composite
def statement(draw, ident, depth=0, loop_vars=()):
    ident[0] += 1
    n = ident[0]
    port = draw(ports)
    loop_var = loop_vars[-1] if loop_vars else None
    if loop_var and draw(st.booleans()):
        port = f"{port} + {loop_var}"
    name = "`s" + str(n) + "".join(f"-${{{var}}}" for var in loop_vars) + "`"  # unique per iteration
    simple = st.sampled_from(["push", "index", "make", "assign", "let", "key"])
    kinds = simple if depth >= 2 else simple | st.sampled_from(
        ["for", "forof", "forin", "forEach", "while", "if", "try", "helper"])
    kind = draw(kinds)
    KINDS[kind] += 1

    def body(var):
        inner = loop_vars + (var,) if var and var not in loop_vars else loop_vars
        return "\n".join(draw(st.lists(statement(ident, depth + 1, inner), min_size=1, max_size=2)))

    if kind == "push":
        return f"apps.push({{ name: {name}, script: 'x.js', env: {{ PORT: {port} }} }});"
    if kind == "index":
        return f"apps[apps.length] = {{ name: {name}, script: 'x.js', env: {{ PORT: {port} }} }};"
    if kind == "make":
        return f"apps.push(make({name}, {port}));"
    if kind == "assign":
        return (f"apps.push(Object.assign({{ name: {name}, script: 'x.js' }}, {{ env: Object.assign({{}}, extra, "
                f"{{ PORT: {port} }}) }}));")
    if kind == "let":
        return f"v = {port};"
    if kind == "key":
        return f"extra.LOG = 'l{n}';"
    count = draw(st.integers(0, 3))
    if kind == "for":
        return f"for (let i{n} = 0; i{n} < {count}; i{n}++) {{\n{body(f'i{n}')}\n}}"
    if kind == "forof":
        items = ", ".join(str(5590 + j) for j in range(count))
        return f"for (const x{n} of [{items}]) {{\n{body(f'x{n}')}\n}}"
    if kind == "forin":
        keys = ", ".join(f"k{j}: {j}" for j in range(count))
        return f"for (const k{n} in {{ {keys} }}) {{\n{body(f'k{n}')}\n}}"
    if kind == "forEach":
        items = ", ".join(str(j) for j in range(count))
        return f"[{items}].forEach((e{n}, j{n}) => {{\n{body(f'j{n}')}\n}});"
    if kind == "while":
        return f"let w{n} = 0;\nwhile (w{n} < {count}) {{\nw{n}++;\n{body(f'w{n}')}\n}}"
    if kind == "if":
        other = f" else {{\n{body(loop_var)}\n}}" if draw(st.booleans()) else ""
        return f"if ({draw(conditions)}) {{\n{body(loop_var)}\n}}{other}"
    if kind == "try":
        return (f"try {{\nconst text{n} = fs.readFileSync('/nonexistent/portlint-{n}', 'utf8');\n{body(loop_var)}\n}} "
                f"catch (err{n}) {{\n{body(loop_var)}\n}}")
    # helper: a function with a statement body that builds apps and returns them
    return (f"function h{n}(base) {{\nconst out = [];\nfor (let q = 0; q < {count}; q++) {{\n"
            f"out.push({{ name: `h{n}-${{q}}`, script: 'x.js', env: {{ PORT: base + q }} }});\n}}\nreturn out;\n}}\n"
            f"h{n}({port}).forEach((a) => {{ apps.push(a); }});")


@st.composite
def programs(draw):
    ident = [0]
    statements = draw(st.lists(statement(ident), min_size=1, max_size=5))
    return PRELUDE + "\n".join(statements) + "\nmodule.exports = { apps };\n"

KINDS: Counter = Counter()
COUNTS = Counter()


@settings(derandomize=not os.environ.get("PORTLINT_RANDOM"), deadline=None,
          max_examples=int(os.environ.get("PORTLINT_PROPERTY_EXAMPLES", "25")),
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(batch=st.lists(programs(), min_size=4, max_size=4))
def test_statement_programs_agree_with_node(batch, tmp_path_factory, engine):  # noqa: F811
    folder = tmp_path_factory.mktemp("gen")
    files = []
    for i, text in enumerate(batch):
        path = folder / f"p{i}" / "ecosystem.config.cjs"
        path.parent.mkdir()
        path.write_text(text)
        files.append(path)
    oracle = run_oracle(files)
    for path in files:
        seen = oracle[str(path)]
        COUNTS["programs"] += 1
        if "error" in seen:
            COUNTS["node failed"] += 1
            continue
        config, _ = engine.lint_file(str(path))
        compare(config, seen["apps"], path.read_text())
        COUNTS["unresolved" if config.unresolved else "resolved"] += 1


def test_statement_programs_resolved_most():
    """The property test must not pass by calling everything unknown; print the counts."""
    if not COUNTS["programs"]:
        pytest.skip("property test did not run")
    print(f"\nstatement programs: {dict(COUNTS)}; shapes: {dict(KINDS)}")
    assert COUNTS["resolved"] > COUNTS["unresolved"]
