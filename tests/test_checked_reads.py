"""Every file portlint reads goes through one checked reader with a size cap (issue 28, Memory):
``portlint.source.files.read_regular``. The inputs are generated here (sparse files cost no disk)
and each run is a subprocess under an address-space cap: a plain ``read()`` of them would end in
MemoryError."""
from __future__ import annotations

import ast
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "fuzz"))
from attacks import Attack, run as run_attack  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
MEMORY_MB = 700  # the interpreter, esprima and PyYAML take about 150 of address space

#: The modules allowed to call open() and friends: the reader itself, and writers.
READER = "portlint/source/files.py"
WRITERS = {"portlint/fix/atomic.py", "portlint/fix/write.py", "portlint/report/output.py"}


def _reads(tree: ast.AST):
    """(line, what) of every call that opens or reads a file by itself."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        owner = func.value.id if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) else ""
        if name in ("open", "read_text", "read_bytes", "fdopen") or (owner in ("json", "tomllib", "pickle", "marshal")
                                                                      and name == "load"):
            yield node.lineno, f"{owner + '.' if owner else ''}{name}"


def test_no_module_opens_a_file_but_the_checked_reader():
    """A new plain open() anywhere in portlint or its rules fails here: route it through read_regular."""
    found = []
    for path in sorted([*ROOT.glob("portlint/**/*.py"), *ROOT.glob("rules/*.py")]):
        rel = path.relative_to(ROOT).as_posix()
        if rel == READER or rel in WRITERS:
            continue
        for line, what in _reads(ast.parse(path.read_text(), rel)):
            if rel == "portlint/engine/cache.py" and what == "os.open":
                continue  # opens the cache folder (O_DIRECTORY), whose files are then read by read_regular
            if rel == "portlint/cli.py" and what == "os.open":
                continue  # /dev/null, to silence a closed pipe
            if rel == "portlint/integrations/portos_api.py" and what == "open":
                continue  # urllib's opener: a request, whose answer read_stream caps
            found.append(f"{rel}:{line}: {what}")
    assert found == []


def _variant_beside(tmp_path: Path, size: int) -> Path:
    """ecosystem.dev.config.cjs, beside the ecosystem.config.js PortOS would read, made ``size`` bytes."""
    (tmp_path / "ecosystem.dev.config.cjs").write_text(
        "const PORTS = {\n  API: 5570, // api\n};\n"
        "module.exports = { PORTS, apps: [{ name: 'api', script: 's.js', env: { PORT: PORTS.API } }] };\n")
    with open(tmp_path / "ecosystem.config.js", "wb") as fh:
        fh.truncate(size)  # sparse
    return tmp_path / "ecosystem.dev.config.cjs"


def test_the_portos_scan_never_reads_a_huge_file_beside_a_config(tmp_path):
    """Before: the PortOS view read the sibling ecosystem.config.js with a plain read(): a 3 GB sparse
    file ended in MemoryError (exit 2, 'please report this')."""
    variant = _variant_beside(tmp_path, 3 * 1024 ** 3)
    outcome = run_attack(Attack([str(variant), "--no-cache", "--format", "json"]), MEMORY_MB, 60)
    assert outcome.returncode == 0, outcome.stderr
    assert "MemoryError" not in outcome.stdout + outcome.stderr
    assert [d["code"] for d in json.loads(outcome.stdout)] == ["PL502"]  # PortOS's file cannot be read either


def test_a_cache_run_file_is_read_only_up_to_what_the_run_is_worth(tmp_path):
    """Before: a run file of the cache was read up to 256 MiB; for a run of one file the cap is
    now 1 MiB (100 KiB a file), and a bigger one is a miss, not a read."""
    config = tmp_path / "ecosystem.config.cjs"
    config.write_text("module.exports = { apps: [{ name: 'api', script: 's.js', env: { PORT: 5570 } }] };\n")
    first = run_attack(Attack([".", "--format", "json"], cwd=str(tmp_path)), MEMORY_MB, 60)
    assert first.returncode == 1
    index = json.loads((tmp_path / ".portlint_cache" / "index.json").read_text())
    [digest] = index["runs"]
    run_file = tmp_path / ".portlint_cache" / f"run-{digest}.json"
    with open(run_file, "r+b") as fh:
        fh.truncate(200 * 1024 * 1024)  # the planted run file: 200 MiB (sparse)
    second = run_attack(Attack([".", "--format", "json"], cwd=str(tmp_path)), 300, 60)
    assert second.returncode == 1, second.stderr  # a miss: the project pass is run again
    assert json.loads(second.stdout) == json.loads(first.stdout)


def test_a_settings_file_an_ignore_file_and_a_required_file_share_the_cap(tmp_path):
    from portlint.source.files import MAX_BYTES

    (tmp_path / ".git").mkdir()
    (tmp_path / "ecosystem.config.cjs").write_text(
        "const shared = require('./ports.js');\n"
        "module.exports = { apps: [{ name: 'api', script: 's.js', env: { PORT: shared.API } }] };\n")
    for name in ("ports.js", ".gitignore"):
        with open(tmp_path / name, "wb") as fh:
            fh.truncate(MAX_BYTES + 1)
    outcome = run_attack(Attack([".", "--no-cache", "--format", "json"], cwd=str(tmp_path)), MEMORY_MB, 60)
    assert outcome.returncode in (0, 1) and "Traceback" not in outcome.stderr
    assert "over the 2097152-byte limit for a .gitignore" in outcome.stderr
    (tmp_path / "portlint.toml").write_bytes(b"#" * (MAX_BYTES + 1))
    outcome = run_attack(Attack([".", "--no-cache"], cwd=str(tmp_path)), MEMORY_MB, 60)
    assert outcome.returncode == 2
    assert outcome.stderr.strip().endswith("over the 2097152-byte limit for a settings file")
