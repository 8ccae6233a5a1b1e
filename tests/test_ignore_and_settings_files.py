"""Per-folder ignore and settings files (issue 28, Time): read and compiled once per real file and
content, capped, a rejected pattern said once and the file's other patterns kept, and thousands of
valid ``exclude`` patterns accepted (RE2 refused a few thousand wildcards in one set). Work is
counted, never timed; the inputs are generated here."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import run_portlint

CONFIG = "module.exports = {{ apps: [{{ name: '{name}', script: 's.js', env: {{ PORT: {port} }} }}] }};\n"


def _folders(root: Path, n: int) -> list[Path]:
    (root / ".git").mkdir(exist_ok=True)
    out = []
    for i in range(n):
        folder = root / f"d{i:03d}"
        folder.mkdir()
        (folder / "ecosystem.config.cjs").write_text(CONFIG.format(name=f"a{i}", port=5570 + i % 30))
        out.append(folder)
    return out


def test_a_gitignore_linked_from_every_folder_is_read_and_compiled_once(tmp_path):
    """Before: 100 folders linking one 20,000-line .gitignore took 320 s (read and compiled 100 times)."""
    from portlint.source import ignore
    from portlint.source.discover import discover

    big = tmp_path / "shared.gitignore"
    big.write_text("".join(f"/generated-{i}-*/\n" for i in range(3000)) + "skipped/\n")
    for folder in _folders(tmp_path, 40):
        (folder / ".gitignore").symlink_to(big)
        (folder / "skipped").mkdir()
        (folder / "skipped" / "ecosystem.config.cjs").write_text(CONFIG.format(name="x", port=5570))
    before = dict(ignore.READS)
    found = discover([str(tmp_path)])
    assert len(found) == 40 and not any("skipped" in f for f in found)  # the patterns still apply everywhere
    assert ignore.READS["read"] - before["read"] == 1
    assert ignore.READS["compiled"] - before["compiled"] == 1


def test_a_settings_file_linked_from_every_folder_is_read_and_checked_once(tmp_path, monkeypatch):
    from portlint.settings import load, resolve
    from portlint.settings.settings import SettingsResolver

    shared = tmp_path / "shared.toml"
    shared.write_text("exclude = [" + ", ".join(f'"gen-{i}-*/"' for i in range(2000)) + "]\nrole = 'user'\n")
    folders = _folders(tmp_path, 40)
    for folder in folders:
        (folder / "portlint.toml").symlink_to(shared)
    reads, applied = [], []
    real_read, real_apply = load._read_settings_file, resolve.apply_table
    monkeypatch.setattr(load, "_read_settings_file", lambda p: reads.append(p) or real_read(p))
    monkeypatch.setattr(resolve, "apply_table", lambda *a: applied.append(a[2]) or real_apply(*a))
    load._TABLES.clear()
    resolver = SettingsResolver()
    each = [resolver.for_path(str(folder / "ecosystem.config.cjs")) for folder in folders]
    assert len(reads) == 1 and len(applied) == 1
    # each folder still has its own: globs are relative to the folder of the file that was found
    assert {s.base_dir for s in each} == {str(f) for f in folders}
    assert each[3].is_excluded(str(folders[3] / "gen-7-x"), True)
    assert not each[3].is_excluded(str(folders[4] / "gen-7-x"), True)


def test_one_bad_pattern_leaves_the_others_of_its_gitignore_and_is_said_once(tmp_path):
    """Before: `foo\\` made the whole .gitignore unreadable, silently: the ignored folder was linted."""
    (tmp_path / ".gitignore").write_text("ignored/\nfoo\\\n*.tmp\n")
    folders = _folders(tmp_path, 5)
    for folder in folders:
        (folder / ".gitignore").symlink_to(tmp_path / ".gitignore")
    (tmp_path / "ignored").mkdir()
    (tmp_path / "ignored" / "ecosystem.config.cjs").write_text(CONFIG.format(name="hidden", port=5599))
    proc = run_portlint(".", "--no-cache", cwd=tmp_path)
    assert "ignored/ecosystem.config.cjs" not in proc.stdout
    warnings = [line for line in proc.stderr.splitlines() if "left out" in line]
    assert warnings == ["portlint: warning: ./.gitignore:2: pattern 'foo\\\\' is left out: not a valid pattern "
                        "(Invalid git pattern: 'foo\\\\')"]


def test_thousands_of_valid_exclude_patterns_are_accepted(tmp_path):
    """RE2 refused 3,000 `*.N.bak`-style patterns in one set ("failed to compile Set", exit 2)."""
    (tmp_path / "portlint.toml").write_text(
        "exclude = [" + ", ".join(f'"src/**/tmp-{i}*.js", "gen-{i}-*/"' for i in range(3000)) + "]\n")
    (tmp_path / "ecosystem.config.cjs").write_text(CONFIG.format(name="kept", port=5570))
    (tmp_path / "gen-2999-x").mkdir()
    (tmp_path / "gen-2999-x" / "ecosystem.config.cjs").write_text(CONFIG.format(name="gone", port=5571))
    proc = run_portlint(".", "--no-cache", "--format", "concise", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert "kept" in proc.stdout and "gen-2999-x" not in proc.stdout and proc.stderr == ""


def test_an_exclude_pattern_that_is_not_valid_names_its_place(tmp_path):
    (tmp_path / "portlint.toml").write_text('exclude = ["ok/", "foo\\\\"]\n')
    (tmp_path / "ecosystem.config.cjs").write_text(CONFIG.format(name="a", port=5570))
    proc = run_portlint(".", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.strip().endswith("portlint.toml: exclude[1]: bad pattern 'foo\\\\': not a valid pattern "
                                        "(Invalid git pattern: 'foo\\\\')")


def test_an_ignore_file_over_the_size_cap_is_not_used_and_said_once(tmp_path):
    from portlint.source.files import MAX_BYTES

    big = tmp_path / "huge.gitignore"
    with open(big, "wb") as fh:
        fh.truncate(MAX_BYTES + 1)  # sparse: costs no disk
    for folder in _folders(tmp_path, 3):
        (folder / ".gitignore").symlink_to(big)
    proc = run_portlint(".", "--no-cache", cwd=tmp_path)
    refused = [line for line in proc.stderr.splitlines() if "huge" in line or ".gitignore" in line]
    assert len(refused) == 1 and "over the 2097152-byte limit for a .gitignore; its patterns are not used" in refused[0]


def test_an_ignore_list_keeps_its_first_patterns_up_to_the_cap(monkeypatch):
    from portlint.source import ignore

    monkeypatch.setattr(ignore, "MAX_PATTERNS", 3)
    compiled = ignore.compile_patterns(["a/", "# a comment", "b/", "c/", "d/"])
    assert compiled.patterns.match_file("a/") and compiled.patterns.match_file("b/")
    assert not compiled.patterns.match_file("d/")
    assert [(r.line, r.invalid) for r in compiled.rejected] == [(4, False)]


segments = st.sampled_from(["a", "b", "ab", "*", "**", "a*", "*.js", "x?", "[ab]"])
patterns = st.builds(lambda lead, parts, trail: lead + "/".join(parts) + trail,
                     st.sampled_from(["", "/", "**/"]), st.lists(segments, min_size=1, max_size=3),
                     st.sampled_from(["", "/"]))
paths = st.builds(lambda parts, folder: "/".join(parts) + ("/" if folder else ""),
                  st.lists(st.sampled_from(["a", "b", "ab", "x.js", "xy", "c"]), min_size=1, max_size=4), st.booleans())


@settings(max_examples=300, deadline=None)
@given(st.lists(patterns, min_size=1, max_size=12), st.lists(paths, min_size=1, max_size=8))
def test_patterns_compiled_in_chunks_match_as_one_set(lines, probes):
    """Without negations, a path is ignored by chunks exactly when one set of the same patterns says so."""
    import pathspec

    from portlint.source import ignore

    whole = pathspec.GitIgnoreSpec.from_lines(lines)
    real = ignore.CHUNK
    try:
        ignore.CHUNK = 2
        chunked = ignore.compile_ignore(lines)
    finally:
        ignore.CHUNK = real
    for path in probes:
        assert chunked.match_file(path) == whole.match_file(path), (lines, path)


def test_negations_keep_their_order_when_the_list_is_too_large_for_one_set(monkeypatch):
    import pathspec

    from portlint.source import ignore

    lines = ["logs/", "*.log", "!keep.log", "build/**", "!build/keep/"]
    real_init = pathspec.GitIgnoreSpec.__init__

    def refuse_re2(self, patterns, *, backend=None, **kwargs):  # RE2 refusing the whole set
        if backend == "re2":
            raise RuntimeError("failed to compile Set")
        real_init(self, patterns, backend=backend, **kwargs)

    monkeypatch.setattr(pathspec.GitIgnoreSpec, "__init__", refuse_re2)
    spec = ignore.compile_ignore(lines)
    assert spec.match_file("a.log") and not spec.match_file("keep.log") and spec.match_file("logs/")


@pytest.mark.parametrize("digits, message", [
    (4000, "cpus: an integer out of TOML's 64-bit range"),
    (5000, "not valid TOML: a number has more digits than portlint reads (over 4300)"),
])
def test_a_settings_file_with_a_huge_integer_is_one_short_line(tmp_path, digits, message):
    """Before: 4,000 digits were quoted whole; 5,000 made Python's int parsing fail (internal error)."""
    (tmp_path / "portlint.toml").write_text("cpus = " + "9" * digits + "\n")
    (tmp_path / "ecosystem.config.cjs").write_text(CONFIG.format(name="a", port=5570))
    proc = run_portlint(".", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr == f"portlint: {tmp_path / 'portlint.toml'}: {message}\n"
