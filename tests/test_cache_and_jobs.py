"""The cache (.portlint_cache) and parallel runs give the same answers as a plain serial run."""
import json
import os
import subprocess
import sys
from pathlib import Path


from conftest import run_portlint


def make_tree(root: Path, n: int) -> None:
    """n configs; every tenth collides with the one before it (PL203 across files)."""
    for i in range(n):
        folder = root / f"app{i:04d}"
        folder.mkdir(parents=True, exist_ok=True)
        port = 5570 + (i % 30)
        (folder / "ecosystem.config.cjs").write_text(
            f"const PORTS = {{\n  API: {port}, // api\n}};\n"
            f"module.exports = {{ PORTS, apps: [{{ name: 'app{i}', env: {{ PORT: PORTS.API, WS_PORT: {port} }} }}] }};\n")


def lint(root, *args):
    proc = run_portlint(".", "--format", "json", *args, cwd=root)
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout)


def test_cache_hits_give_the_same_answer_and_see_changes(tmp_path):
    make_tree(tmp_path, 40)
    cold = lint(tmp_path)
    cache = tmp_path / ".portlint_cache"
    assert (cache / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172789f06886806bc55")
    entries = list(cache.rglob("*.json"))
    assert len(entries) == 40
    assert lint(tmp_path) == cold  # warm
    # change one file: its own diagnostics and the cross-file collisions follow
    (tmp_path / "app0005" / "ecosystem.config.cjs").write_text(
        "const PORTS = {\n  API: 5599, // api\n};\nmodule.exports = { PORTS, apps: [{ name: 'app5', env: { PORT: PORTS.API } }] };\n")
    changed = lint(tmp_path)
    assert changed == lint(tmp_path, "--no-cache")
    assert changed != cold
    assert not any(d["filename"].startswith("app0005") and d["code"] == "PL401" for d in changed)


def test_required_file_change_invalidates_the_entry(tmp_path):
    (tmp_path / "ports.config.cjs").write_text("module.exports = { PORTS: { API: 5570 } };\n")
    (tmp_path / "ecosystem.config.cjs").write_text(
        "const { PORTS } = require('./ports.config.cjs');\n"
        "module.exports = { PORTS, apps: [{ name: 'a', env: { PORT: 5570 } }] };\n")
    assert [d["code"] for d in lint(tmp_path)] == ["PL401"]
    (tmp_path / "ports.config.cjs").write_text("module.exports = { PORTS: { API: 5571 } };\n")
    assert [d["code"] for d in lint(tmp_path)] == ["PL402"]


def test_settings_change_invalidates_the_entry(tmp_path):
    make_tree(tmp_path, 2)
    assert any(d["code"] == "PL401" for d in lint(tmp_path))
    (tmp_path / "portlint.toml").write_text("ignore = [\"PL401\"]\n")
    assert not any(d["code"] == "PL401" for d in lint(tmp_path))


def test_corrupt_and_foreign_entries_are_ignored_and_rewritten(tmp_path):
    make_tree(tmp_path, 5)
    cold = lint(tmp_path)
    entries = sorted((tmp_path / ".portlint_cache").rglob("*.json"))
    entries[0].write_text('{"format": 1, "trunc')
    entries[1].write_bytes(b"\x00\xff garbage")
    entries[2].write_text(json.dumps({"format": 1, "version": "0.0.0-other", "path": "x", "content": "y",
                                      "deps": [], "result": {}}))
    entries[3].write_text(json.dumps({"format": 1, "result": {"diagnostics": "not a list"}}))
    assert lint(tmp_path) == cold
    for entry in entries[:4]:
        data = json.loads(entry.read_text())  # rewritten as valid entries
        assert isinstance(data["result"]["diagnostics"], list)


def test_cache_dir_option_and_no_cache(tmp_path):
    make_tree(tmp_path, 3)
    lint(tmp_path, "--no-cache")
    assert not (tmp_path / ".portlint_cache").exists()
    lint(tmp_path, "--cache-dir", str(tmp_path / "elsewhere"))
    assert (tmp_path / "elsewhere" / "CACHEDIR.TAG").exists()


def test_parallel_run_matches_serial(tmp_path):
    make_tree(tmp_path, 250)
    serial = lint(tmp_path, "--no-cache", "--jobs", "1")
    parallel = lint(tmp_path, "--no-cache", "--jobs", "3")
    auto = lint(tmp_path, "--no-cache")
    assert serial == parallel == auto
    assert sum(d["code"] == "PL203" for d in serial) > 0


def test_two_processes_sharing_a_cache_do_not_corrupt_it(tmp_path):
    make_tree(tmp_path, 60)
    cmd = [sys.executable, "-m", "portlint", ".", "--format", "json"]
    env = {**os.environ, "PORTLINT_BUILTIN_ONLY": "1"}
    procs = [subprocess.Popen(cmd, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
             for _ in range(4)]
    outs = [p.communicate(timeout=120) for p in procs]
    results = [json.loads(o[0]) for o in outs]
    assert all(r == results[0] for r in results)
    for entry in (tmp_path / ".portlint_cache").rglob("*.json"):
        json.loads(entry.read_text())  # every entry is whole
    assert not list((tmp_path / ".portlint_cache").rglob(".tmp-*"))
    assert lint(tmp_path) == results[0]
