"""Differential test: the ports portlint resolves statically must equal what Node.js computes
when it really loads each fixture (Node runs the file here, in the test only — portlint never does).

Node runs once for all fixtures with an empty environment, so ``process.env.X || 5570`` gives 5570.
tests/oracle/resolve_ports.mjs applies PM2 7's rules to what Node computes (env < port < deploy <
env_<name>, args split as PM2 splits them, scripts with spaces, serve, the cluster inspector);
tests/test_pm2_tier.py checks the same against real PM2.
Where portlint keeps both branches of a conditional, Node's port must be one of them.
"""
import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from conftest import FIXTURES, ROOT, need, node_binary

ORACLE = ROOT / "tests" / "oracle" / "resolve_ports.mjs"


def js_fixtures() -> list[Path]:
    from portlint.source.discover import is_config_name
    from portlint.source.read import kind_of

    return [p for p in sorted(FIXTURES.rglob("*"))
            if p.is_file() and is_config_name(p.name) and kind_of(p.name) in ("js", "mjs", "json")]


def require_node():
    return need(node_binary(), "Node.js (the differential tests' oracle)")


def run_oracle(files: list[Path]) -> dict:
    node = require_node()
    env = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp")}
    proc = subprocess.run([node, str(ORACLE), *map(str, files)], capture_output=True, text=True,
                          env=env, timeout=120, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.fixture(scope="module")
def oracle():
    return run_oracle(js_fixtures())


def portlint_view(engine, path: Path):
    config, diagnostics = engine.lint_file(str(path))
    return config, {d.code for d in diagnostics}


@pytest.fixture(scope="module")
def engine(registry):
    from portlint.engine.pipeline import Engine
    from portlint.settings.settings import Settings

    return Engine(Settings(), registry)


def applied(process):
    """The uses PM2 applies in some environment (connection ports included: Node sees them too)."""
    return [u for u in process.uses if u.effective]


def compare(config, node_apps, where):
    assert config is not None, f"{where}: Node loads it, portlint did not"
    if config.unresolved:
        # portlint said (PL002) that parts are unknown: what it did resolve must still be right
        by_name = {a["name"]: a for a in node_apps}
        for process in config.processes:
            app = by_name.get(process.name)
            assert app is not None or process.name is None, f"{where}: portlint invented {process.name}"
            if app is not None:
                certain = set().union(*(u.ports for u in applied(process) if len(list(u.value.alternatives())) == 1
                                        and u.known))
                assert certain <= set(app["ports"]), f"{where} {process.name}: {sorted(certain)} vs Node {app['ports']}"
        return
    assert [p.name for p in config.processes] == [a["name"] for a in node_apps], where
    for process, app in zip(config.processes, node_apps):
        node_ports = set(app["ports"])
        possible = set().union(*(u.ports for u in applied(process)))
        certain = set().union(*(u.ports for u in applied(process) if len(list(u.value.alternatives())) == 1))
        assert node_ports <= possible, f"{where} {process.name}: Node sees {sorted(node_ports - possible)} that portlint missed"
        assert certain <= node_ports, f"{where} {process.name}: portlint resolved {sorted(certain - node_ports)} that Node does not give"


@pytest.mark.parametrize("path", js_fixtures(), ids=lambda p: str(p.relative_to(FIXTURES)))
def test_ports_match_node(path, oracle, engine):
    seen = oracle[str(path)]
    config, codes = portlint_view(engine, path)
    if "error" in seen:
        missing = re.match(r"Cannot find module '([^']+)'", seen["error"])
        if missing and config is not None:
            # a file the repository does not hold (generated, or on the author's machine only): portlint
            # cannot see it either, and says so naming it, never guessing what it holds
            assert any(d.code == "PL002" and missing.group(1) in d.message for d in engine.lint_file(str(path))[1])
            return
        # Node cannot load it, and neither can PM2: portlint must say so.
        assert codes & {"PL001", "PL003"}, f"Node fails ({seen['error']}) but portlint reports {sorted(codes)}"
        return
    if seen.get("pm2_refuses"):  # an .mjs config exported only as the default: PM2 starts nothing
        assert "PL003" in codes, f"PM2 never reads `export default`, but portlint reports {sorted(codes)}"
    if config is None:
        # Node replaces bad UTF-8 bytes and runs on; portlint refuses text it cannot read exactly.
        assert "PL001" in codes
        with pytest.raises(UnicodeDecodeError):
            path.read_bytes().decode("utf-8")
        return
    compare(config, seen["apps"], path.name)
