"""The cache (.portlint_cache) and parallel runs give the same answers as a plain serial run."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


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


def cache_files(root: Path) -> list[Path]:
    return sorted(p for p in (root / ".portlint_cache").rglob("*.json"))


def test_cache_hits_give_the_same_answer_and_see_changes(tmp_path):
    make_tree(tmp_path, 40)
    cold = lint(tmp_path)
    cache = tmp_path / ".portlint_cache"
    assert (cache / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172789f06886806bc55")
    index = cache / "index.json"  # one index, read once per run, like .eslintcache
    [run] = [p.name for p in cache_files(tmp_path) if p.name.startswith("run-")]
    assert [p.name for p in cache_files(tmp_path)] == ["index.json", run, "summaries.json"]
    assert len(json.loads(index.read_text())["entries"]) == 40
    (cache / "summaries.json").unlink()  # an unchanged tree needs no config's claims:
    assert lint(tmp_path) == cold  # warm: the index and the run's project pass
    assert not (cache / "summaries.json").exists()
    (cache / "summaries.json").write_text(json.dumps({"token": "other", "summaries": {}}))
    # change one file: its own diagnostics and the cross-file collisions follow
    (tmp_path / "app0005" / "ecosystem.config.cjs").write_text(
        "const PORTS = {\n  API: 5599, // api\n};\nmodule.exports = { PORTS, apps: [{ name: 'app5', env: { PORT: PORTS.API } }] };\n")
    changed = lint(tmp_path)  # the other 39 are hits with no summary to be found: linted again
    assert changed == lint(tmp_path, "--no-cache")
    assert changed != cold
    assert not any(d["filename"].startswith("app0005") and d["code"] == "PL401" for d in changed)
    summaries = json.loads((cache / "summaries.json").read_text())
    assert summaries["token"] == json.loads(index.read_text())["summaries"] and len(summaries["summaries"]) == 40
    (tmp_path / "app0006" / "ecosystem.config.cjs").write_text(
        "const PORTS = {\n  API: 5598, // api\n};\nmodule.exports = { PORTS, apps: [{ name: 'app6', env: { PORT: PORTS.API } }] };\n")
    assert lint(tmp_path) == lint(tmp_path, "--no-cache")  # 39 summaries from the file, one linted


def test_required_file_change_invalidates_the_entry(tmp_path):
    (tmp_path / "ports.config.cjs").write_text("module.exports = { PORTS: { API: 5570 } };\n")
    (tmp_path / "ecosystem.config.cjs").write_text(
        "const { PORTS } = require('./ports.config.cjs');\n"
        "module.exports = { PORTS, apps: [{ name: 'a', env: { PORT: 5570 } }] };\n")
    assert [d["code"] for d in lint(tmp_path)] == ["PL401"]
    (tmp_path / "ports.config.cjs").write_text("module.exports = { PORTS: { API: 5571 } };\n")
    assert [d["code"] for d in lint(tmp_path)] == ["PL402"]


def test_run_files_no_index_names_are_removed_once_stale(tmp_path):
    """Run files left by another index (another noqa mode, a crash, a process beside this one) do
    not pile up: one no index names goes once it is a minute old; a fresh one is left to its writer."""
    make_tree(tmp_path, 5)
    lint(tmp_path)
    cache = tmp_path / ".portlint_cache"
    stale, fresh = cache / f"run-{'a' * 64}.json", cache / f"run-{'b' * 64}.json"
    for planted in (stale, fresh):
        planted.write_text("[]")
    os.utime(stale, (0, 0))
    (cache / "unrelated.json").write_text("{}")
    (tmp_path / "app0001" / "ecosystem.config.cjs").write_text(
        "module.exports = { apps: [{ name: 'app1', env: { PORT: 5571 } }] };\n")
    lint(tmp_path)  # a run that writes the index
    named = json.loads((cache / "index.json").read_text())["runs"]
    assert sorted(p.name for p in cache.glob("run-*.json")) == sorted([fresh.name, *(f"run-{d}.json" for d in named)])
    assert (cache / "unrelated.json").exists()


def test_settings_change_invalidates_the_entry(tmp_path):
    make_tree(tmp_path, 2)
    assert any(d["code"] == "PL401" for d in lint(tmp_path))
    (tmp_path / "portlint.toml").write_text("ignore = [\"PL401\"]\n")
    assert not any(d["code"] == "PL401" for d in lint(tmp_path))


def results(index: Path) -> dict:
    return {path: entry["result"] for path, entry in json.loads(index.read_text())["entries"].items()}


def test_corrupt_and_foreign_indexes_are_ignored_and_rewritten(tmp_path):
    make_tree(tmp_path, 5)
    cold = lint(tmp_path)
    index = tmp_path / ".portlint_cache" / "index.json"
    good = json.loads(index.read_text())
    entry = next(iter(good["entries"].values()))
    results_before = results(index)
    for bad in ['{"format": 2, "trunc', b"\x00\xff garbage",
                json.dumps({**good, "version": "0.0.0-other"}),
                json.dumps({**good, "entries": {k: {**entry, "result": {"diagnostics": "not a list"}}
                                                for k in good["entries"]}})]:
        index.write_bytes(bad if isinstance(bad, bytes) else bad.encode())
        assert lint(tmp_path) == cold
        assert results(index) == results_before  # rewritten with the same results


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
    for entry in cache_files(tmp_path):
        json.loads(entry.read_text())  # every entry is whole
    assert not list((tmp_path / ".portlint_cache").rglob(".portlint-*"))  # no temporary file left
    assert lint(tmp_path) == results[0]


# -- hostile cache folders (issue 20, items 12 and 14) ------------------------------------------------

def lint_quietly(root, *args):
    """A run that must neither hang, nor fail, nor say anything on stderr beyond ``allowed``."""
    proc = subprocess.run([sys.executable, "-m", "portlint", ".", "--format", "json", *args], cwd=root,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode in (0, 1), proc.stderr
    assert "internal error" not in proc.stderr and "Traceback" not in proc.stderr
    return json.loads(proc.stdout), proc.stderr


def _retype(value):
    """The same JSON with every row, column and port a string: valid JSON, wrong types."""
    if isinstance(value, dict):
        return {k: ("one" if k in ("row", "column", "end_row", "port") else _retype(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_retype(v) for v in value]
    return value


def _deep(path: Path, tmp_path: Path) -> None:
    path.write_text("[" * 200_000 + "]" * 200_000)


def _wrong_types(path: Path, tmp_path: Path) -> None:
    path.write_text(json.dumps(_retype(json.loads(path.read_text()))))


def _fifo(path: Path, tmp_path: Path) -> None:
    path.unlink()
    os.mkfifo(path)


def _folder(path: Path, tmp_path: Path) -> None:
    path.unlink()
    path.mkdir()
    (path / "x.json").write_text("{}")


def _symlink_out(path: Path, tmp_path: Path) -> None:
    outside = tmp_path / f"outside-{path.name}"
    outside.write_text('{"planted": true}')
    path.unlink()
    path.symlink_to(outside)


@pytest.mark.parametrize("spoil", [_deep, _wrong_types, _fifo, _folder, _symlink_out])
def test_cache_files_of_any_shape_are_ignored_and_rewritten(tmp_path, spoil):
    root = tmp_path / "project"
    make_tree(root, 5)
    cold, _ = lint_quietly(root)
    spoiled = cache_files(root)
    for path in spoiled:
        spoil(path, tmp_path)
    assert lint_quietly(root)[0] == cold
    for path in spoiled:
        if spoil is _folder:
            continue  # a folder in the way is left alone (the run only costs time)
        assert path.is_file() and not path.is_symlink()
        json.loads(path.read_text())  # rewritten, valid
    for outside in tmp_path.glob("outside-*"):
        assert outside.read_text() == '{"planted": true}'  # a link's target is never written
    assert lint_quietly(root)[0] == cold


@pytest.mark.parametrize("spoil", [_deep, _wrong_types, _fifo, _folder, _symlink_out])
@pytest.mark.parametrize("name", ["summaries.json", "run"])
def test_a_spoiled_summaries_or_run_file_beside_a_good_index_is_a_miss(tmp_path, spoil, name):
    """The index is fine; the file read only when needed is not: the run lints again what it must."""
    root = tmp_path / "project"
    make_tree(root, 12)
    lint_quietly(root)
    cache = root / ".portlint_cache"
    [target] = cache.glob("run-*.json") if name == "run" else [cache / name]
    spoil(target, tmp_path)
    if name == "summaries.json":  # needed when a file changed
        (root / "app0003" / "ecosystem.config.cjs").write_text(
            "module.exports = { apps: [{ name: 'app3', env: { PORT: 5573 } }] };\n")
    assert lint_quietly(root)[0] == lint(root, "--no-cache")
    for outside in tmp_path.glob("outside-*"):
        assert outside.read_text() == '{"planted": true}'
    assert lint_quietly(root)[0] == lint(root, "--no-cache")


def test_a_cache_folder_that_is_a_link_is_refused_unless_named(tmp_path):
    root, elsewhere = tmp_path / "project", tmp_path / "elsewhere"
    make_tree(root, 3)
    elsewhere.mkdir()
    (root / ".portlint_cache").symlink_to(elsewhere)  # e.g. committed to the repository
    found, stderr = lint_quietly(root)
    assert found == lint(root, "--no-cache")
    assert list(elsewhere.iterdir()) == []  # nothing written through the link
    assert "the cache folder .portlint_cache is a symbolic link; it is not used" in stderr
    assert "--cache-dir" in stderr
    # named explicitly: the user means it
    assert lint_quietly(root, "--cache-dir", ".portlint_cache") == (found, "")
    assert (elsewhere / "CACHEDIR.TAG").is_file()


def test_links_inside_the_cache_folder_are_never_followed(tmp_path):
    root, outside = tmp_path / "project", tmp_path / "outside"
    make_tree(root, 3)
    outside.mkdir()
    cache = root / ".portlint_cache"
    cache.mkdir()
    for name in ("CACHEDIR.TAG", ".gitignore", "index.json", "v1"):  # dangling links to outside
        (cache / name).symlink_to(outside / name)
    found, _ = lint_quietly(root)
    assert found == lint(root, "--no-cache")
    assert list(outside.iterdir()) == []


# -- workers (issue 20, item 9) ------------------------------------------------------------------------

def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                status = (entry / "status").read_text()
            except OSError:
                continue
            fields = dict(line.split(":\t", 1) for line in status.splitlines() if ":\t" in line)
            if fields.get("PPid", "").strip() == str(pid) and not fields.get("State", "").startswith("Z"):
                found.add(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/status").read_text().split("State:\t", 1)[1][0]
    except (OSError, IndexError):
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc (Linux)")
def test_workers_exit_when_the_main_process_is_killed(tmp_path):
    import signal
    import time

    make_tree(tmp_path, 400)
    proc = subprocess.Popen([sys.executable, "-m", "portlint", ".", "--no-cache", "--jobs", "2"], cwd=tmp_path,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    workers: set[int] = set()
    while len(workers) < 2 and time.monotonic() < deadline and proc.poll() is None:
        workers |= _children(proc.pid)
        time.sleep(0.02)
    assert workers, "the run ended before its workers were seen; make the tree bigger"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 15
    while any(map(_alive, workers)) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = [pid for pid in workers if _alive(pid)]
    for pid in left:  # do not leave them behind for the rest of the suite
        os.kill(pid, signal.SIGKILL)
    assert not left, "pool workers outlived the main process"


def test_a_warm_run_hashes_a_file_only_until_its_signature_is_recorded(tmp_path, monkeypatch, registry):
    """A file changed within the clock's resolution is hashed; once settled, its stat signature is
    recorded and the next warm run reads no file at all."""
    from portlint.engine import cache as cache_module
    from portlint.engine.pipeline import Engine
    from portlint.settings.settings import Settings

    make_tree(tmp_path, 1)
    path = str(tmp_path / "app0000" / "ecosystem.config.cjs")
    hashed = []
    real_file_key = cache_module.file_key
    monkeypatch.setattr(cache_module, "file_key", lambda p: hashed.append(p) or real_file_key(p))

    def run():
        hashed.clear()
        cache = cache_module.Cache(str(tmp_path / "cache"), "key")
        found = Engine(Settings(), registry, cache=cache).run([path]).diagnostics
        return [d.to_data() for d in found], cache

    monkeypatch.setattr(cache_module, "RACY_NS", 10**18)  # just written: too recent to trust its stat
    cold, cache = run()
    assert next(iter(cache._entries.values()))["content"][1] is None
    monkeypatch.setattr(cache_module, "RACY_NS", -1)  # time has passed
    assert run()[0] == cold and hashed == [path]  # hashed once more, and the signature recorded
    warm, cache = run()
    assert warm == cold and hashed == []
    assert next(iter(cache._entries.values()))["content"][1] is not None


def test_a_run_of_few_files_leaves_a_large_index_alone(tmp_path, monkeypatch, registry):
    """Reading a 10,000-config index would cost a two-file pre-commit run more than linting them."""
    from portlint.engine import cache as cache_module
    from portlint.engine.pipeline import Engine
    from portlint.settings.settings import Settings

    make_tree(tmp_path, 3)
    paths = sorted(str(p) for p in tmp_path.rglob("ecosystem.config.cjs"))

    def run(files, cached=True):
        cache = cache_module.Cache(str(tmp_path / "cache"), "key") if cached else None
        return [d.to_data() for d in Engine(Settings(), registry, cache=cache).run(files).diagnostics], cache

    full, _ = run(paths)
    index = tmp_path / "cache" / "index.json"
    before = index.read_bytes()
    monkeypatch.setattr(cache_module, "MIN_INDEX_BUDGET", 0)
    monkeypatch.setattr(cache_module, "INDEX_BYTES_PER_FILE", len(before) // 2)  # one file: half the index
    one, cache = run(paths[:1])
    assert cache._skipped and index.read_bytes() == before  # neither used nor rewritten
    assert one == run(paths[:1], cached=False)[0]
    again, cache = run(paths)  # three files: worth reading
    assert not cache._skipped and again == full


def test_cached_results_of_the_wrong_shape_are_refused(tmp_path, registry):
    """Each field of a cached result, given a wrong type, makes the entry a miss (not a crash later)."""
    from portlint.engine.pipeline import Engine
    from portlint.engine.results import FileResult, valid_summary
    from portlint.settings.settings import Settings

    path = tmp_path / "ecosystem.config.cjs"
    path.write_text("module.exports = { apps: [{ name: 'api', env: { PORT: 5570 } }] }; // noqa: PL5\n")
    good = Engine(Settings(), registry).file_result(str(path))[0].to_data()
    assert good["diagnostics"]  # PL101 (its fix, when it has one, is replaced below)
    good["diagnostics"][0]["fix"] = {"applicability": "safe", "message": "m", "edits": [
        {"content": "x", "location": {"row": 1, "column": 1}, "end_location": {"row": 1, "column": 2}}]}
    good["noqa"]["rows"] = {"1": ["PL5"]}
    summary = good.pop("summary")  # the index holds the rest, with the summary's role
    good["role"] = [summary["role"], summary["role_inferred"]]
    assert FileResult.from_cache("p", good) is not None and valid_summary(summary)

    def spoiled(value, trail=()):  # every way of replacing one scalar, list or dict by a wrong type
        if isinstance(value, dict):
            for k, v in value.items():
                for bad, where in spoiled(v, trail + (k,)):
                    yield {**value, k: bad}, where
            yield {**value, "extra": 1}, trail + ("extra",)
        elif isinstance(value, list):
            for i, v in enumerate(value):
                for bad, where in spoiled(v, trail + (i,)):
                    yield [*value[:i], bad, *value[i + 1:]], where
        if not (value is None and trail and trail[-1] in ("fix", "noqa_row", "role", "noqa", 2)):
            yield ("1" if not isinstance(value, str) else 1), trail  # None is allowed in a few places

    count = 0
    for bad, where in spoiled(good):
        count += 1
        assert FileResult.from_cache("p", bad) is None, where
    for bad, where in spoiled(summary):
        count += 1
        assert not valid_summary(bad), where
    assert count > 50  # the walk reached every field


def test_an_unchanged_tree_gives_its_report_from_the_run_entry(tmp_path):
    """The same files with the same keys give the same project pass: a warm run of an unchanged tree
    skips the summaries and PL203 over them; a spoiled or stale run entry is not used."""
    make_tree(tmp_path, 40)  # app0030 collides with app0000 (PL203)
    cold = lint(tmp_path, "--jobs", "1")
    index = tmp_path / ".portlint_cache" / "index.json"
    [digest] = json.loads(index.read_text())["runs"]
    run = tmp_path / ".portlint_cache" / f"run-{digest}.json"
    assert {d["code"] for d in json.loads(run.read_text())["diagnostics"]} == {"PL203"}
    assert lint(tmp_path) == cold  # from the run entry, which is really what is used:
    from portlint.engine.cache import _dumps

    good = json.loads(run.read_text())["diagnostics"]
    run.write_bytes(_dumps(run.name, {"diagnostics": [{**d, "message": "from the run entry"} for d in good]}))
    assert {d["message"] for d in lint(tmp_path) if d["code"] == "PL203"} == {"from the run entry"}  # it is used
    run.write_text(json.dumps({"diagnostics": [{**d, "message": "doctored"} for d in good]}))
    assert lint(tmp_path) == cold  # one not signed with this user's key is recomputed (issue 28)
    run.write_bytes(_dumps(run.name, {"diagnostics": [{**d, "row": "one"} for d in good]}))
    assert lint(tmp_path) == cold  # a run entry of the wrong shape is recomputed
    assert json.loads(run.read_text())["diagnostics"] == good  # and rewritten
    assert lint(tmp_path, "--select", "PL203") == [d for d in cold if d["code"] == "PL203"]  # another run
    assert lint(tmp_path) == cold
    assert len(json.loads(index.read_text())["runs"]) == 2
    for i in range(1, 5):  # the last four runs are kept; the files of older ones go
        lint(tmp_path, "--select", f"PL20{i}")
    runs = json.loads(index.read_text())["runs"]
    assert len(runs) == 4 and sorted(p.name for p in run.parent.glob("run-*.json")) == sorted(f"run-{d}.json" for d in runs)
    data = json.loads(index.read_text())
    index.write_text(json.dumps({**data, "runs": ["../../outside", "x" * 64]}))
    assert lint(tmp_path) == cold  # digests that are not digests are never made into file names
    (tmp_path / "app0003" / "ecosystem.config.cjs").write_text(
        "module.exports = { apps: [{ name: 'app3', env: { PORT: 5573 } }] };\n")
    changed = lint(tmp_path)
    assert changed != cold and changed == lint(tmp_path, "--no-cache")
