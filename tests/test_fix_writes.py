"""--fix writes safely: never over an edit saved since the file was read, keeping mode and hard links,
a read-only file or folder and a failed write are exit 2 naming the file, "Fixed N" counts only
files written; --unsafe-fixes leaves files with uncommitted changes alone unless --allow-dirty."""
import os
import shutil
import stat
import subprocess

import pytest

from conftest import FIXTURES, run_portlint

LITERALS = FIXTURES / "fixes" / "literals" / "ecosystem.config.cjs"
FIXED = LITERALS.with_name(LITERALS.name + ".fixed")


def copy_to(folder, name: str = "ecosystem.config.cjs"):
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    shutil.copyfile(LITERALS, path)
    return path


def cli(*args):
    """portlint in this process (for monkeypatching); (exit code, stdout, stderr)."""
    from click.testing import CliRunner

    from portlint.cli import cli as command

    runner = CliRunner(mix_stderr=False) if "mix_stderr" in CliRunner.__init__.__code__.co_varnames else CliRunner()
    result = runner.invoke(command, [*args, "--isolated", "--no-cache"])
    return result.exit_code, result.stdout, result.stderr


def test_an_edit_saved_meanwhile_is_never_overwritten(tmp_path, monkeypatch):
    from portlint.fix import run

    path = copy_to(tmp_path)
    saved = LITERALS.read_text().replace("'api'", "'api-v2'")
    real = run.fix_files

    def and_the_editor_saves(*args, **kwargs):
        outcomes = real(*args, **kwargs)
        path.write_text(saved)  # an autosave between planning and writing
        return outcomes

    monkeypatch.setattr(run, "fix_files", and_the_editor_saves)
    code, _, err = cli(str(path), "--fix")
    assert path.read_text() == saved
    assert f"portlint: {path}: not fixed: the file changed since it was read (saved meanwhile?); run --fix again" in err
    assert "Fixed" not in err and code == 1


def test_a_change_that_keeps_size_and_mtime_is_still_seen(tmp_path):
    from portlint.fix.write import Stale, read_for_fix, write_fixed

    path = copy_to(tmp_path)
    text, stamp = read_for_fix(str(path))
    before = path.stat()
    path.write_text(text.replace("5570", "5599"))  # same size
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # same mtime
    with pytest.raises(Stale):
        write_fixed(str(path), FIXED.read_text(), stamp)
    assert "5599" in path.read_text()


def test_mode_and_hard_links_are_kept(tmp_path):
    path = copy_to(tmp_path / "app")
    path.chmod(0o640)
    other = tmp_path / "elsewhere.cjs"
    os.link(path, other)
    inode = path.stat().st_ino
    code, _, err = cli(str(path), "--fix")
    assert "Fixed " in err, err
    assert path.read_bytes() == FIXED.read_bytes() == other.read_bytes()  # written through: one file, two names
    assert path.stat().st_ino == inode and path.stat().st_nlink == 2
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert not list(path.parent.glob(".portlint-*"))


def test_a_read_only_folder_is_exit_2_and_never_fixed(tmp_path):
    path = copy_to(tmp_path / "ro")
    path.parent.chmod(0o555)
    try:
        proc = run_portlint(str(path), "--fix", "--isolated", "--no-cache")
    finally:
        path.parent.chmod(0o755)
    assert proc.returncode == 2
    assert f"portlint: {path}: the folder {path.parent} is read-only; the fixes were not written" in proc.stderr
    assert "Fixed" not in proc.stderr and path.read_bytes() == LITERALS.read_bytes()


def test_a_failed_write_is_exit_2_naming_the_file_and_fixed_counts_only_files_written(tmp_path, monkeypatch):
    from portlint.fix import atomic

    good = copy_to(tmp_path / "good")
    bad = copy_to(tmp_path / "full")
    real = atomic.replace_file

    def disk_full(directory, name, data, **kwargs):
        if directory.endswith("full"):
            raise OSError(28, "No space left on device")
        return real(directory, name, data, **kwargs)

    monkeypatch.setattr(atomic, "replace_file", disk_full)
    code, _, err = cli(str(tmp_path), "--fix")
    assert code == 2
    assert f"portlint: {bad}: cannot write the fix into {bad.parent}: No space left on device" in err
    assert bad.read_bytes() == LITERALS.read_bytes() and good.read_bytes() == FIXED.read_bytes()
    import re

    assert re.search(r"^Fixed \d+ problems in 1 file[;.]", err, re.M), err  # the file that failed is not counted


# --- --allow-dirty ---------------------------------------------------------------------------------

LEGACY = "module.exports = {\n  apps: [\n    { name: 'wiki', script: 'wiki.js', env: { PORT: 8080 } },\n  ],\n};\n"


def git(repo, *args):
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "init.defaultBranch=main", *args],
                   cwd=repo, check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    git(tmp_path, "init", "-q")
    (tmp_path / "wiki").mkdir()
    (tmp_path / "wiki" / "ecosystem.config.cjs").write_text(LEGACY)
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "wiki")
    return tmp_path


def test_unsafe_fixes_leave_a_dirty_work_tree_alone(repo):
    config = repo / "wiki" / "ecosystem.config.cjs"
    config.write_text(LEGACY.replace("wiki.js", "main.js"))  # an uncommitted change
    (repo / "notes").mkdir()
    (repo / "notes" / "ecosystem.config.cjs").write_text(LEGACY.replace("wiki", "notes").replace("8080", "8081"))
    before = {p: p.read_bytes() for p in repo.rglob("ecosystem.config.cjs")}
    proc = run_portlint(str(repo), "--fix", "--unsafe-fixes", "--isolated", "--no-cache")
    assert proc.returncode == 2
    assert "--fix --unsafe-fixes rewrites files with uncommitted changes: " in proc.stderr
    assert f"{config} (has uncommitted changes)" in proc.stderr
    assert f"{repo / 'notes' / 'ecosystem.config.cjs'} (not committed)" in proc.stderr
    assert "Nothing was written" in proc.stderr and "--allow-dirty" in proc.stderr and "Fixed" not in proc.stderr
    assert {p: p.read_bytes() for p in repo.rglob("ecosystem.config.cjs")} == before
    # --diff writes nothing, and the safe fixes do not renumber: neither asks
    assert run_portlint(str(repo), "--diff", "--unsafe-fixes", "--isolated", "--no-cache").returncode == 1
    assert "PORTS" in (run_portlint(str(config), "--fix", "--isolated", "--no-cache"), config.read_text())[1]
    proc = run_portlint(str(repo), "--fix", "--unsafe-fixes", "--allow-dirty", "--isolated", "--no-cache")
    assert proc.returncode in (0, 1) and "Fixed" in proc.stderr and "API: 557" in config.read_text()


def test_a_committed_file_is_fixed_and_git_runs_no_hook_or_filter(repo):
    marker = repo / "ran"
    git(repo, "config", "core.fsmonitor", f"touch {marker}; echo")
    git(repo, "config", "filter.trap.clean", f"touch {marker}; cat")
    (repo / ".gitattributes").write_text("*.cjs filter=trap\n")
    config = repo / "wiki" / "ecosystem.config.cjs"
    proc = run_portlint(str(config), "--fix", "--unsafe-fixes", "--isolated", "--no-cache")
    assert proc.returncode in (0, 1), proc.stderr
    assert "5570" in config.read_text() and "uncommitted" not in proc.stderr
    assert not marker.exists()


def test_outside_a_git_work_tree_nothing_is_asked(tmp_path):
    from portlint.fix.dirty import uncommitted

    config = tmp_path / "ecosystem.config.cjs"
    config.write_text(LEGACY)
    assert uncommitted([str(config)]) == ({}, None)
