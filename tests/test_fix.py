"""--fix, --diff, --unsafe-fixes, --show-fixes: golden before/after files, byte-exact, atomic writes,
idempotence, fixes in JSON and for stdin, and a property test against Node.js."""
import json
import os
import shutil
import stat
from pathlib import Path

import pytest

from conftest import FIXTURES, run_portlint

FIXES = FIXTURES / "fixes"
UPDATE = os.environ.get("PORTLINT_UPDATE_GOLDEN") == "1"
CASES = sorted(p for p in FIXES.iterdir() if p.is_dir())


def config_in(folder: Path) -> Path:
    from portlint.source.discover import is_config_name

    return next(p for p in sorted(folder.iterdir()) if is_config_name(p.name))


@pytest.mark.parametrize("unsafe", [False, True], ids=["safe", "unsafe"])
@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_golden_fix(case, unsafe, tmp_path):
    original = config_in(case)
    work = tmp_path / original.name
    shutil.copyfile(original, work)
    flags = ["--fix", "--unsafe-fixes"] if unsafe else ["--fix"]
    first = run_portlint(str(work), *flags, "--isolated")
    assert first.returncode in (0, 1), first.stderr
    fixed = work.read_bytes()
    expected_file = original.with_name(original.name + (".unsafe-fixed" if unsafe else ".fixed"))
    if UPDATE:
        if fixed != original.read_bytes():
            expected_file.write_bytes(fixed)
        elif expected_file.exists():
            expected_file.unlink()
    expected = expected_file.read_bytes() if expected_file.exists() else original.read_bytes()
    assert fixed == expected
    # a second --fix changes nothing, and --diff agrees there is nothing left to do
    second = run_portlint(str(work), *flags, "--isolated")
    assert work.read_bytes() == fixed, second.stderr
    diff = run_portlint(str(work), "--diff", *(["--unsafe-fixes"] if unsafe else []), "--isolated")
    refused = sorted(line.split(": ")[3].split(" ")[0] for line in first.stderr.splitlines()
                     if line.startswith("portlint: fix refused: "))
    assert diff.stdout == "" and diff.returncode == (1 if refused else 0), diff.stderr
    # nothing fixable is left behind, but the fixes the verifier refused (each named on stderr)
    data = json.loads(run_portlint(str(work), "--format", "json", "--isolated").stdout)
    wanted = {"safe", "unsafe"} if unsafe else {"safe"}
    assert sorted(d["code"] for d in data if d["fix"] and d["fix"]["applicability"] in wanted) == refused
    assert not list(tmp_path.glob(".portlint-*"))  # no temporary file left


def test_bytes_outside_the_edits_are_kept():
    """BOM, CRLF and tabs survive: every line the fix did not touch is identical."""
    case = FIXES / "crlf-tabs-bom"
    before = config_in(case).read_bytes()
    after = (case / "ecosystem.config.cjs.unsafe-fixed").read_bytes()
    assert before.startswith(b"\xef\xbb\xbf") and after.startswith(b"\xef\xbb\xbf")
    assert b"\n" not in after.replace(b"\r\n", b"")  # no bare LF introduced
    kept = [l for l in before.split(b"\r\n") if b"5573, WS_PORT" not in l and b"WS: 5574 //" not in l]
    assert all(l in after.split(b"\r\n") for l in kept)


def test_diff_prints_and_writes_nothing(tmp_path):
    work = tmp_path / "ecosystem.config.cjs"
    shutil.copyfile(config_in(FIXES / "literals"), work)
    before = work.read_bytes()
    proc = run_portlint(str(work), "--diff")
    assert proc.returncode == 1
    assert proc.stdout.startswith(f"--- a/{work}\n+++ b/{work}\n")
    assert "+    { name: 'ui', script: 'vite', args: `--host 0.0.0.0 --port ${PORTS.UI}`" in proc.stdout
    assert "PORTS.API" not in proc.stdout  # dropping `process.env.PORT ||` changes meaning: unsafe only
    assert work.read_bytes() == before


def test_unsafe_fixes_only_on_request(tmp_path):
    work = tmp_path / "ecosystem.config.cjs"
    shutil.copyfile(config_in(FIXES / "add-entries"), work)
    before = work.read_bytes()
    run_portlint(str(work), "--fix")
    after_safe = work.read_bytes()
    assert b"TODO" not in after_safe  # PL402's fix is unsafe
    proc = run_portlint(str(work), "--fix", "--unsafe-fixes", "--show-fixes")
    assert b"WS: 5582, // TODO: say what this port is for" in work.read_bytes()
    assert "fixed " in proc.stderr and "x PL402" in proc.stderr and "Fixed " in proc.stderr
    assert before != work.read_bytes()
    assert run_portlint(str(work), "--unsafe-fixes").returncode == 2  # needs --fix or --diff


def test_write_keeps_mode_follows_symlinks_and_refuses_read_only(tmp_path):
    real = tmp_path / "real" / "ecosystem.config.cjs"
    real.parent.mkdir()
    shutil.copyfile(config_in(FIXES / "literals"), real)
    real.chmod(0o640)
    link = tmp_path / "ecosystem.config.cjs"
    link.symlink_to(real)
    proc = run_portlint(str(link), "--fix")
    assert link.is_symlink(), "the link must stay a link"
    assert b"${PORTS.UI}" in real.read_bytes()
    assert stat.S_IMODE(real.stat().st_mode) == 0o640
    ro = tmp_path / "ro" / "ecosystem.config.cjs"
    ro.parent.mkdir()
    shutil.copyfile(config_in(FIXES / "literals"), ro)
    before = ro.read_bytes()
    ro.chmod(0o444)
    proc = run_portlint(str(ro), "--fix")
    assert proc.returncode == 2
    assert f"{ro}: the file is read-only; the fixes were not written" in proc.stderr
    assert ro.read_bytes() == before and "Traceback" not in proc.stderr


def test_json_and_stdin_carry_the_edits(tmp_path):
    text = config_in(FIXES / "literals").read_text()
    name = "apps/x/ecosystem.config.cjs"
    proc = run_portlint("-", "--stdin-filename", name, "--format", "json", input=text, cwd=tmp_path)
    data = json.loads(proc.stdout)
    fixes = [d["fix"] for d in data if d["code"] == "PL401"]
    assert fixes and all(f["edits"] for f in fixes)
    # `PORT: process.env.PORT || 5570`: the clean form `PORT: PORTS.API` drops the override: unsafe
    first = next(d for d in data if d["code"] == "PL401" and d["location"]["row"] == 11)
    assert first["fix"]["applicability"] == "unsafe"
    edit = first["fix"]["edits"][0]
    assert edit["content"] == "PORTS.API" and edit["location"] == {"row": 11, "column": 49}
    assert edit["end_location"] == first["end_location"]
    # a fix that adds the env key PortOS reads (VITE_PORT beside --port) changes what the process sees
    # (ui-alt's, on PL502 there: ui and ui-alt collide on 5571, so the collision is the finding at
    # that place and keeps no "refer to PORTS.UI" fix of PL401's)
    every = [d["fix"] for d in data if d["fix"]]
    assert not any(d["fix"] for d in data if d["code"] == "PL203")
    adds_a_key = [f for f in every if any("VITE_PORT" in e["content"] for e in f["edits"])]
    assert adds_a_key and all(f["applicability"] == "unsafe" for f in adds_a_key)
    assert all(f["applicability"] == "safe" for f in fixes if f is not first["fix"] and f not in adds_a_key)
    # an editor applying --fix to its buffer gets the fixed text on stdout, the report on stderr
    proc = run_portlint("-", "--stdin-filename", name, "--fix", input=text, cwd=tmp_path)
    assert "${PORTS.UI}" in proc.stdout and "module.exports" in proc.stdout
    assert not (tmp_path / name).exists()


def test_a_fix_that_would_not_parse_is_refused(registry, monkeypatch, tmp_path):
    from portlint.fix import edits
    from portlint.engine.pipeline import Engine
    from portlint.fix.apply import Edit, fix_text
    from portlint.settings.settings import Settings

    monkeypatch.setattr(edits, "export_ports", lambda config: [Edit(0, 0, "}{")])
    path = tmp_path / "ecosystem.config.cjs"
    text = config_in(FIXES / "export-multiline").read_text()
    outcome = fix_text(Engine(Settings(), registry), str(path), text, unsafe=False)
    assert outcome.text == text
    assert [(r.code, r.reason) for r in outcome.refused] == [
        ("PL103", "the result does not parse (syntax error: Unexpected token })")]
