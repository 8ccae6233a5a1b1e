"""Property test: over generated configs, fixing (safe and unsafe) keeps the ports Node.js resolves
for every process, leaves no fixable diagnostic behind, and a second pass changes nothing."""
import json
import os
import subprocess

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT
from test_node_oracle import ORACLE, require_node

PORT_POOL = list(range(5570, 5600))


@st.composite
def configs(draw):
    ports = draw(st.lists(st.sampled_from(PORT_POOL), min_size=1, max_size=4, unique=True))
    outside = [p for p in PORT_POOL if p not in ports]
    keys = [f"K{i}" for i in range(len(ports))]
    nl = draw(st.sampled_from(["\n", "\r\n"]))
    lines = ["const PORTS = {"]
    for i, (key, port) in enumerate(zip(keys, ports)):
        last = i == len(ports) - 1
        comma = "," if (not last or draw(st.booleans())) else ""
        comment = draw(st.sampled_from(["", " // what it is", " /* block */"]))
        lines.append(f"  {key}: {port}{comma}{comment}")
    lines.append("};")

    def value():
        kind = draw(st.sampled_from(["ref", "literal", "outside", "default", "quoted", "default-ref"]))
        port = draw(st.sampled_from(ports))
        if kind == "ref":
            return f"PORTS.{keys[ports.index(port)]}"
        if kind == "literal":
            return str(port)
        if kind == "outside":
            return str(draw(st.sampled_from(outside))) if outside else str(port)
        if kind == "default":
            return f"process.env.P{draw(st.integers(0, 9))} || {port}"
        if kind == "default-ref":
            return f"process.env.P{draw(st.integers(0, 9))} || PORTS.{keys[ports.index(port)]}"
        return f"'{port}'"

    apps = []
    for a in range(draw(st.integers(1, 3))):
        env_keys = draw(st.lists(st.sampled_from(["PORT", "WS_PORT", "HEALTH_PORT", "CDP_PORT"]), max_size=3, unique=True))
        env = ", ".join(f"{k}: {value()}" for k in env_keys)
        own = draw(st.sampled_from(ports))
        args = draw(st.sampled_from(["", f"args: '--port {draw(st.sampled_from(PORT_POOL))}', ",
                                     f"args: ['--port', '{draw(st.sampled_from(PORT_POOL))}'], ",
                                     f"args: `--port ${{PORTS.{keys[ports.index(own)]}}}`, ",
                                     f"node_args: '--inspect={draw(st.sampled_from(PORT_POOL))}', "]))
        script = draw(st.sampled_from(["a.js", "node_modules/.bin/vite"]))
        body = draw(st.sampled_from([f"env: {{ {env} }} ", ""])) if env else "env: {} "
        apps.append(f"    {{ name: 'app{a}', script: '{script}', {args}{body}}},")
    export_ports = draw(st.booleans())
    lines += ["", "module.exports = {"] + (["  PORTS,"] if export_ports else []) + ["  apps: ["] + apps + ["  ],", "};", ""]
    return nl.join(lines)


def node_ports(node, files):
    proc = subprocess.run([node, str(ORACLE), *map(str, files)], capture_output=True, text=True, timeout=60,
                          env={"PATH": os.environ.get("PATH", "")}, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def before_and_after(tmp_path, text: str):
    """The config as generated (before/) and the path its fixed text goes to (after/)."""
    before = tmp_path / "before" / "ecosystem.config.cjs"
    after = tmp_path / "after" / "ecosystem.config.cjs"
    before.parent.mkdir(exist_ok=True)
    after.parent.mkdir(exist_ok=True)
    before.write_bytes(text.encode())
    return before, after


@settings(derandomize=not os.environ.get("PORTLINT_RANDOM"), max_examples=int(os.environ.get("PORTLINT_FIX_EXAMPLES", "30")), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(text=configs())
def test_fixing_keeps_meaning_and_converges(text, tmp_path, registry):
    node = require_node()
    from portlint.engine.pipeline import Engine
    from portlint.fix.apply import fix_text
    from portlint.settings.settings import Settings

    engine = Engine(Settings(), registry)
    before, after = before_and_after(tmp_path, text)
    outcome = fix_text(engine, str(after), text, unsafe=True)
    assert not outcome.dropped, outcome.dropped
    after.write_bytes(outcome.text.encode())
    seen = node_ports(node, [before, after])
    assert "error" not in seen[str(before)] and "error" not in seen[str(after)], seen
    assert seen[str(after)]["apps"] == seen[str(before)]["apps"]
    _, left = engine.lint_file(str(after), outcome.text)
    assert [d.code for d in left if d.fix is not None] == []
    again = fix_text(engine, str(after), outcome.text, unsafe=True)
    assert again.text == outcome.text


@settings(derandomize=not os.environ.get("PORTLINT_RANDOM"), max_examples=int(os.environ.get("PORTLINT_FIX_EXAMPLES", "30")),
          deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(text=configs())
def test_fixes_never_trade_one_finding_for_another(text, tmp_path, registry):
    """Issue 16: lint, apply every safe fix, lint: no new code and Node.js computes the same ports
    for every process; then every unsafe fix (the migration included): still no new code; each
    pass is stable."""
    node = require_node()
    from portlint.engine.pipeline import Engine
    from portlint.fix.run import fix_files
    from portlint.settings.settings import Settings

    engine = Engine(Settings(), registry)
    before, after = before_and_after(tmp_path, text)
    codes = {d.code for d in engine.lint_file(str(before), text)[1]}
    current = text
    for unsafe in (False, True):
        fixed = fix_files(engine, {str(after): current}, unsafe=unsafe)[str(after)].text
        after.write_bytes(fixed.encode())
        left = {d.code for d in engine.lint_file(str(after), fixed)[1]}
        assert left <= codes, (sorted(left - codes), fixed)
        assert fix_files(engine, {str(after): fixed}, unsafe=unsafe)[str(after)].text == fixed
        if not unsafe:
            seen = node_ports(node, [before, after])
            assert seen[str(after)]["apps"] == seen[str(before)]["apps"], fixed
        current = fixed
