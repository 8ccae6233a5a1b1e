"""Fuzzing in the test suite (bounded budget): configs from a grammar, then mutated — truncated,
bytes flipped, nested deeply, odd numbers, Unicode, CRLF, BOM, NUL. Whatever the input, linting
answers with diagnostics: no exception escapes, no hang, nothing is run."""
import os
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import run_portlint

EXAMPLES = int(os.environ.get("PORTLINT_FUZZ_EXAMPLES", "150"))

numbers = st.sampled_from(["5570", "0", "-1", "70000", "5_570", "0x15c2", "1e308", "9" * 40, "NaN", "Infinity",
                           "5570.5", "-0", "0b1", "0o17", "1n", "'5570'", "`5570`", "null", "undefined"])
names = st.sampled_from(["PORT", "WS_PORT", "DB_PORT", "PGPORT", "port", "'PORT'", "[k]", "__proto__", "constructor"])
idents = st.sampled_from(["PORTS.API", "PORTS['API']", "PORTS.a.b", "PORTS?.API", "process.env.PORT || 5570",
                          "process.env.X ?? PORTS.API", "Number(process.env.P) || 5571", "cond ? 5570 : 5432",
                          "require('./other.config.cjs').PORTS.API", "require('fs')", "f()", "this", "new Date()",
                          "`${PORTS.API}`", "[...x][0]", "{...y}.z", "(() => 5570)()", "a = 1", "++b"])
values = st.one_of(numbers, idents)


@st.composite
def configs(draw):
    entries = draw(st.lists(st.tuples(st.sampled_from(["API", "UI", "a", "'q'", "x-y"]), numbers), max_size=4))
    ports = ", ".join(f"{k}: {v}" for k, v in entries)
    apps = []
    for i in range(draw(st.integers(0, 3))):
        env = ", ".join(f"{k}: {draw(values)}" for k in draw(st.lists(names, max_size=3)))
        extra = draw(st.sampled_from(["", "args: '--port 5571', ", "args: ['--port=5572'], ", "instances: 'max', ",
                                      "node_args: '--inspect=0.0.0.0:9229', ", "...base, ", "ports: { api: 5573 }, "]))
        apps.append(f"{{ name: 'a{i}', {extra}env: {{ {env} }}, env_production: {{ PORT: {draw(values)} }} }}")
    head = draw(st.sampled_from(["", "'use strict';\n", "#!/usr/bin/env node\n", "// portlint: noqa\n",
                                 "import x from './y.mjs';\n"]))
    tail = draw(st.sampled_from(["module.exports = { PORTS, apps: [APPS] };", "export default { apps: [APPS] };",
                                 "module.exports = [APPS];", "exports.apps = [APPS];", "module.exports = APPS0;"]))
    body = tail.replace("APPS0", apps[0] if apps else "{}").replace("APPS", ", ".join(apps))
    return f"{head}const base = {{ script: 'x.js' }};\nconst PORTS = {{ {ports} }};\n{body}\n"


@st.composite
def mutated(draw):
    text = draw(configs())
    data = text.encode("utf-8")
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(["truncate", "flip", "nest", "unicode", "crlf", "bom", "nul", "dup", "insert"]))
        pos = draw(st.integers(0, max(0, len(data))))
        if kind == "truncate":
            data = data[:pos]
        elif kind == "flip" and data:
            i = min(pos, len(data) - 1)
            data = data[:i] + bytes([draw(st.integers(0, 255))]) + data[i + 1:]
        elif kind == "nest":
            depth = draw(st.integers(10, 3000))
            opener, closer = draw(st.sampled_from([("[", "]"), ("{a:", "}"), ("(", ")"), ("-", ""), ("!", "")]))
            data = data[:pos] + (opener * depth + "1" + closer * depth).encode() + data[pos:]
        elif kind == "unicode":
            data = data[:pos] + draw(st.text(min_size=1, max_size=8)).encode("utf-8", "surrogatepass") + data[pos:]
        elif kind == "crlf":
            data = data.replace(b"\n", b"\r\n")
        elif kind == "bom":
            data = b"\xef\xbb\xbf" + data
        elif kind == "nul":
            data = data[:pos] + b"\x00" + data[pos:]
        elif kind == "dup":
            data = data + data
        else:
            data = data[:pos] + draw(st.sampled_from([b"`${", b"/*", b"'", b"\\", b"=>", b"?.", b"\xe2\x80\xa8"])) + data[pos:]
    return data


@settings(derandomize=not os.environ.get("PORTLINT_RANDOM"), max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=mutated(), name=st.sampled_from(["ecosystem.config.cjs", "ecosystem.config.mjs", "ecosystem.json",
                                             "ecosystem.config.js", "ecosystem.yaml"]))
def test_any_input_gives_diagnostics_not_exceptions(data, name, tmp_path_factory, registry):
    from portlint.engine.pipeline import Engine
    from portlint.settings.settings import Settings

    folder = tmp_path_factory.mktemp("fuzz")
    (folder / "other.config.cjs").write_text("module.exports = { PORTS: { API: 5570 } };\n")
    path = folder / name
    path.write_bytes(data)
    engine = Engine(Settings(max_seconds_per_file=20), registry, set(registry.rules))
    start = time.monotonic()
    result = engine.run([str(path)])  # must not raise
    assert time.monotonic() - start < 30
    assert result.internal_errors == []
    for d in result.diagnostics:
        assert d.row >= 1 and d.column >= 1 and d.message


def test_the_cli_on_a_corpus_of_broken_files_never_tracebacks(tmp_path):
    import random


    rng = random.Random(11)
    corpus = [b"", b"\x00" * 10, b"\xff\xfe", b"module.exports = {" * 200, b"[" * 100000, b"`${" * 500,
              b"\xef\xbb\xbf\r\n\r\n", ("\u2028" * 50).encode(), b"/*", b"'unterminated", b"exports.apps = [;"]
    corpus += [bytes(rng.randrange(256) for _ in range(rng.randrange(1, 400))) for _ in range(20)]
    for i, data in enumerate(corpus):
        (tmp_path / f"ecosystem.f{i}.config.js").write_bytes(data)
        (tmp_path / f"ecosystem.f{i}.json").write_bytes(data)
    proc = run_portlint(str(tmp_path), "--format", "json", "--no-cache")
    assert proc.returncode in (0, 1)
    assert "Traceback" not in proc.stderr and proc.stderr == ""


def test_time_budget_stops_a_slow_file(tmp_path, registry, monkeypatch):
    from portlint.engine import pipeline as engine_module
    from portlint.engine.pipeline import Engine
    from portlint.settings.settings import Settings

    def slow_parse(source):
        time.sleep(5)

    monkeypatch.setattr(engine_module, "parse", slow_parse)
    path = tmp_path / "ecosystem.config.cjs"
    path.write_text("module.exports = {};\n")
    start = time.monotonic()
    diagnostics = Engine(Settings(max_seconds_per_file=0.5), registry).run([str(path)]).diagnostics
    assert time.monotonic() - start < 3
    assert [(d.code, d.message) for d in diagnostics] == [
        ("PL001", "linting this file took longer than 0.5 s and was stopped (the `max-seconds-per-file` setting)")]


# Inputs the fuzzing campaigns found crashing, kept as regression tests.
FOUND = [
    ("atheris", "0.0 ** -30 raised ZeroDivisionError in the evaluator", "&0*3*.0*0%.03*.0*0%.0**-30"),
    ("atheris", "esprima-fork raised AssertionError on a tagged template with a comma",
     "module.exports = { apps: [{ env: { WS_PORT: PORTS.s `${PORTS.API,\n}`} }] };\n"),
]


def test_inputs_found_by_fuzzing_stay_fixed(registry):
    from portlint.engine.pipeline import Engine
    from portlint.settings.settings import Settings

    engine = Engine(Settings(), registry, set(registry.rules))
    for _, _, text in FOUND:
        for name in ("ecosystem.config.cjs", "ecosystem.config.mjs", "ecosystem.json"):
            result = engine.run([name], stdin_text={name: text})
            assert result.internal_errors == []
    from portlint.evaluator.interpreter import Loader
    from portlint.source.parse import parse
    from portlint.source.read import Source

    value = Loader().evaluator_for(parse(Source("x.cjs", "module.exports = { v: 0 ** -3, w: (-8) ** 0.5 };"))).exports()
    assert value.props["v"].value.value == float("inf")
