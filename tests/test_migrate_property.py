"""Property test of the migration: for generated legacy configs (hard-coded ports, no PORTS), after
--fix Node.js resolves the same ports for every process; after --fix --unsafe-fixes every port is
in the user range, each config's block is contiguous, no port is shared across configs, and the
processes that shared a port in a config still share one."""
import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from test_node_oracle import require_node, run_oracle

LEGACY_PORTS = [3000, 3001, 4000, 5000, 5173, 5555, 5580, 8000, 8080, 9229]
#: Where legacy configs write a port (PM2 reads each of them).
SHAPES = {
    "env": "env: {{ PORT: {port} }}",
    "quoted": "env: {{ PORT: '{port}', NODE_ENV: 'production' }}",
    "default": "env: {{ PORT: process.env.PORT || {port} }}",
    "args": "args: '--port {port}'",
    "args-eq": "args: 'serve --port={port}'",
    "array": "args: ['--port', '{port}']",
    "field": "port: {port}",
    "inspect": "node_args: '--inspect=127.0.0.1:{port}'",
    "cdp": "env: {{ CDP_PORT: {port} }}",
}


@st.composite
def legacy_config(draw):
    nl = draw(st.sampled_from(["\n", "\r\n"]))
    indent = draw(st.sampled_from(["  ", "    ", "\t"]))
    ports = draw(st.lists(st.sampled_from(LEGACY_PORTS), min_size=1, max_size=3, unique=True))
    apps = []
    for a in range(draw(st.integers(1, 3))):
        port = draw(st.sampled_from(ports))
        shape = draw(st.sampled_from(sorted(SHAPES)))
        fields = [f"name: 'app{a}'", "script: 'a.js'", SHAPES[shape].format(port=port)]
        if draw(st.booleans()):
            other = draw(st.sampled_from(ports))
            fields.append(f"env_production: {{ PORT: {other}, API_URL: 'http://localhost:{other}/x' }}")
        apps.append(indent * 2 + "{ " + ", ".join(fields) + " },")
    head = draw(st.sampled_from(["", "'use strict';" + nl + nl, "const path = require('path');" + nl + nl]))
    return head + nl.join(["module.exports = {", indent + "apps: ["] + apps + [indent + "],", "};", ""])


def _ports(seen, files):
    return {(i, app["name"]): tuple(app["ports"]) for i, f in enumerate(files) for app in seen[str(f)]["apps"]}


def _partition(ports, i):
    groups: dict[int, set] = {}
    for (k, name), plist in ports.items():
        if k == i:
            for p in plist:
                groups.setdefault(p, set()).add(name)
    return {frozenset(g) for g in groups.values()}


@settings(derandomize=not os.environ.get("PORTLINT_RANDOM"), deadline=None,
          max_examples=int(os.environ.get("PORTLINT_FIX_EXAMPLES", "25")),
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(texts=st.lists(legacy_config(), min_size=1, max_size=2))
def test_migration_keeps_ports_then_lands_in_free_blocks(texts, tmp_path_factory, registry):
    require_node()
    from portlint.engine.pipeline import Engine
    from portlint.fix.run import fix_files
    from portlint.settings.settings import Settings

    root = tmp_path_factory.mktemp("run")
    engine = Engine(Settings(), registry)
    files = {}
    for i, text in enumerate(texts):
        for stage in ("before", "safe", "unsafe"):
            (root / stage / f"c{i}").mkdir(parents=True, exist_ok=True)
        (root / "before" / f"c{i}" / "ecosystem.config.cjs").write_bytes(text.encode())
        files[str(root / "unsafe" / f"c{i}" / "ecosystem.config.cjs")] = text
    safe = fix_files(engine, dict(files), unsafe=False)
    unsafe = fix_files(engine, dict(files), unsafe=True)
    for i, path in enumerate(files):
        assert not unsafe[path].dropped, unsafe[path].dropped
        (root / "safe" / f"c{i}" / "ecosystem.config.cjs").write_bytes(safe[path].text.encode())
        (root / "unsafe" / f"c{i}" / "ecosystem.config.cjs").write_bytes(unsafe[path].text.encode())
    paths = {stage: [root / stage / f"c{i}" / "ecosystem.config.cjs" for i in range(len(texts))]
             for stage in ("before", "safe", "unsafe")}
    seen = run_oracle([p for group in paths.values() for p in group])
    assert not [v for v in seen.values() if "error" in v], seen
    before, after = _ports(seen, paths["before"]), _ports(seen, paths["unsafe"])
    assert _ports(seen, paths["safe"]) == before
    owner: dict[int, int] = {}
    for i in range(len(texts)):
        assert _partition(after, i) == _partition(before, i)
        block = {p for (k, _), plist in after.items() if k == i for p in plist}
        assert all(5570 <= p <= 5599 for p in block), block
        assert sorted(block) == list(range(min(block), max(block) + 1)), block
        for p in block:
            assert owner.setdefault(p, i) == i, f"{p} is used by two configs"
    again = fix_files(engine, {p: o.text for p, o in unsafe.items()}, unsafe=True)
    assert all(o.text == unsafe[p].text for p, o in again.items())  # a second run is a no-op
