"""The pieces behind issue 20's guarantees, tested directly: the safe-open helper, the interval set of
ports, gitignore patterns without RE2, fixes applied together, fixes kept inside the roots, and the
escaping of untrusted text in reports. (tests/test_bombs.py runs the attacks end to end.)"""
import io
import os

import pytest

from conftest import FIXTURES


def test_read_regular_refuses_fifos_devices_folders_and_big_files(tmp_path):
    from portlint.source.files import UnreadableFile, read_regular, read_stream

    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)  # nobody writes to it: a blocking open would wait forever
    for path, reason in [(fifo, "not a regular file"), ("/dev/zero", "not a regular file"),
                         (tmp_path, "is a directory"), (tmp_path / "missing", "cannot read file: No such file")]:
        with pytest.raises(UnreadableFile, match=reason):
            read_regular(str(path))
    big = tmp_path / "big"
    big.write_bytes(b"x" * 101)
    with pytest.raises(UnreadableFile, match="file is 101 bytes, over the 100-byte limit for a thing"):
        read_regular(str(big), limit=100, what="a thing")
    assert read_regular(str(big), limit=101) == b"x" * 101
    stream = io.BytesIO(b"y" * 5000)
    with pytest.raises(UnreadableFile, match="input is over the 4096-byte limit"):
        read_stream(stream, limit=4096)
    assert stream.tell() == 4097  # the rest was never read
    assert read_stream(io.BytesIO(b"abc"), limit=3) == b"abc"


def test_a_file_swapped_for_a_fifo_after_the_check_does_not_block(tmp_path, monkeypatch):
    from portlint.source import files

    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    regular = os.stat(__file__)
    monkeypatch.setattr(files.os, "stat", lambda path: regular)  # the check before opening is fooled
    with pytest.raises(files.UnreadableFile, match="not a regular file"):
        files.read_regular(str(fifo))  # opened without blocking, refused through the descriptor


def test_port_set_is_intervals():
    from portlint.settings.portset import PortSet

    ports = PortSet([80, 81, 443], [(1000, 2000), (1500, 2500), (2501, 2600)])
    assert ports.intervals == ((80, 81), (443, 443), (1000, 2600))
    assert 81 in ports and 82 not in ports and 2600 in ports and 2601 not in ports and "80" not in ports
    assert len(ports) == 2 + 1 + 1601 and set(PortSet([3, 1, 2])) == {1, 2, 3}
    assert (ports | PortSet([82])).intervals[0] == (80, 82) and PortSet([5]) == frozenset({5})
    assert repr(PortSet([1, 2])) == "PortSet(intervals=((1, 2),))"  # stable: the cache fingerprints settings
    many = PortSet(intervals=[(1, 65535)] * 10_000)
    assert many.intervals == ((1, 65535),)


def test_settings_keys_each_have_a_parser_and_the_old_names_still_import(tmp_path):
    import portlint.settings.settings as old
    from portlint.settings import KNOWN_KEYS, PARSERS, SETTINGS_FILES, Settings, SettingsError, apply_table

    assert set(PARSERS) == KNOWN_KEYS and "well-known-ports" in KNOWN_KEYS
    assert old.Settings is Settings and old.SettingsResolver and old.read_settings_file and old._apply is apply_table
    assert SETTINGS_FILES == (".portlint.toml", "portlint.toml", "pyproject.toml")
    assert not hasattr(Settings, "range")  # dead code, removed
    s = apply_table(Settings(), {"extend-well-known-ports": ["5570-5575", 9999], "allowed-ports": [80],
                                 "extend_labels": ["metrics"], "ranges": {"user": [6000, 6099]}}, "t.toml", ".")
    assert s.is_well_known(5572) and s.is_well_known(9999) and s.is_well_known(22) and not s.is_well_known(80)
    assert s.labels[-1] == "metrics" and ("user", 6000, 6099) in s.ranges
    with pytest.raises(SettingsError, match=r"t.toml: allowed-ports: 10001 items; at most 10000 are allowed"):
        apply_table(Settings(), {"allowed-ports": [80] * 10_001}, "t.toml", ".")
    with pytest.raises(SettingsError, match=r"is not a range like '5570-5599'"):
        apply_table(Settings(), {"well-known-ports": ["1-" + "9" * 5000]}, "t.toml", ".")


def test_gitignore_patterns_match_with_re2_and_without_it_backtracking_ones_are_left_out(monkeypatch):
    from portlint.source import ignore
    from portlint.source.ignore import compile_ignore

    lines = ["*a*a*a*a*a*a*a*a*a*a*a*a*b", "build/", "*.log", "*a*b*c"]
    assert compile_ignore(lines).match_file("x/" + "a" * 200 + "b")  # RE2: linear, however long the name
    monkeypatch.setattr(ignore, "re2_available", lambda: False)  # a platform with no google-re2 wheel
    spec = compile_ignore(lines)
    assert not spec.match_file("a" * 200)  # the 12-star pattern is left out: no minutes of backtracking
    assert spec.match_file("build/") and spec.match_file("x.log") and spec.match_file("xaxbxc")


def test_one_pass_of_fixes_is_checked_once(registry, monkeypatch, tmp_path):
    from portlint.engine.pipeline import Engine
    from portlint.fix.apply import fix_text
    from portlint.settings.settings import Settings

    ports = "".join(f"  P{i}: {5570 + i}, // service {i}\n" for i in range(20))
    apps = "".join(f"    {{ name: 's{n}', script: 's.js', env: {{ PORT: {5570 + n % 20} }} }},\n" for n in range(200))
    text = f"const PORTS = {{\n{ports}}};\nmodule.exports = {{\n  PORTS,\n  apps: [\n{apps}  ],\n}};\n"
    engine = Engine(Settings(), registry)
    calls = []
    real = engine.lint_file
    monkeypatch.setattr(engine, "lint_file", lambda *args: calls.append(1) or real(*args))
    outcome = fix_text(engine, str(tmp_path / "ecosystem.config.cjs"), text, unsafe=False)
    assert len(outcome.applied) == 200 and outcome.text.count("PORT: PORTS.P") == 200
    # the 200 fixes checked together: one lint of the file, one of the result (which both verifies
    # the pass and shows that nothing is left to fix), not one each
    assert len(calls) == 2


def test_fixes_that_break_the_file_are_found_by_halving(registry, monkeypatch, tmp_path):
    from portlint.engine.pipeline import Engine
    from portlint.fix import apply
    from portlint.settings.settings import Settings

    text = (FIXTURES / "fixes" / "literals" / "ecosystem.config.cjs").read_text()
    engine = Engine(Settings(), registry)
    good = apply.fix_text(engine, "ecosystem.config.cjs", text, unsafe=False)
    real = apply.apply_edits

    def apply_edits(text, edits):  # pretend that the health-check fix breaks the file
        out = real(text, edits)
        return out + "}{" if any("health-check" in e.content for e in edits) else out

    monkeypatch.setattr(apply, "apply_edits", apply_edits)
    outcome = apply.fix_text(engine, "ecosystem.config.cjs", text, unsafe=False)
    kept = [fix for fix in good.applied if "health-check" not in fix[1]]
    assert len(kept) < len(good.applied) and sorted(outcome.applied) == sorted(kept)
    broken = [r for r in outcome.refused if "health-check" in r.fix]
    assert broken and all(r.code == "PL401" and r.reason.startswith("the result does not parse (syntax error")
                          for r in broken)
    assert [r for r in outcome.refused if r not in broken] == [r for r in good.refused]  # the others, as without it


def test_fixing_stops_at_the_file_time_budget(registry):
    from portlint.engine.pipeline import Engine
    from portlint.fix.apply import fix_text
    from portlint.settings.settings import Settings

    text = (FIXTURES / "fixes" / "literals" / "ecosystem.config.cjs").read_text()
    outcome = fix_text(Engine(Settings(max_seconds_per_file=1e-9), registry), "ecosystem.config.cjs", text, False)
    assert outcome.text == text and outcome.dropped == [
        ("PL001", "ecosystem.config.cjs: fixing stopped after 1e-09 s (the `max-seconds-per-file` setting); "
                  "the fixes applied so far are kept")]


def test_fix_scope_is_the_given_folders_or_the_named_file(tmp_path):
    from portlint.fix.scope import outside_roots

    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "target.cjs").write_text("")
    (tmp_path / "proj").mkdir()
    (tmp_path / "proj" / "inner.cjs").write_text("")
    link = tmp_path / "proj" / "ecosystem.config.cjs"
    link.symlink_to(tmp_path / "out" / "target.cjs")
    (tmp_path / "proj" / "inside.config.cjs").symlink_to(tmp_path / "proj" / "inner.cjs")
    proj = str(tmp_path / "proj")
    assert outside_roots(str(link), [proj]) == (
        f"{link}: not fixed: it leads to {tmp_path / 'out' / 'target.cjs'}, outside the paths given on the "
        "command line (name the file itself to fix it)")
    assert outside_roots(str(link), [str(link)]) is None  # named itself
    assert outside_roots(str(link), [str(tmp_path)]) is None  # the target is inside a given folder
    assert outside_roots(str(tmp_path / "proj" / "inside.config.cjs"), [proj]) is None


def test_escaping_of_untrusted_text():
    from portlint.report.formats.escape import printable, unicode_safe

    name = os.fsdecode(b"eco\xff\n\x1b[2J\x7f\\u2028\t.js".replace(b"\\u2028", "\u2028".encode()))
    assert printable(name) == "eco\\xff\\n\\x1b[2J\\x7f\\u2028\\t.js"
    assert unicode_safe(name) == "eco\\xff\n\x1b[2J\x7f\u2028\t.js"
    assert printable("plain ünïcode → ok") == "plain ünïcode → ok"


def test_a_port_of_five_thousand_digits_is_reported_like_any_other_bad_port(tmp_path):
    """Python refuses to convert digit strings over 4,300 digits: every place a port is read from
    digits bounds them, so the file gets its real findings (not a 'could not lint' PL001)."""
    import json

    from conftest import run_portlint

    big = "9" * 5000
    (tmp_path / "ecosystem.config.cjs").write_text(
        f"const PORTS = {{\n  API: '{big}', // api\n}};\n"
        f"module.exports = {{ PORTS, apps: [\n"
        f"  {{ name: 'a', env: {{ PORT: '{big}' }} }},\n"
        f"  {{ name: 'b', args: '--port {big}' }},\n"
        f"  {{ name: 'c', env: {{ PORT: parseInt('{big}') }} }},\n] }};\n")
    proc = run_portlint(str(tmp_path), "--format", "json", "--no-cache")
    assert proc.returncode == 1, proc.stderr
    found = json.loads(proc.stdout)
    assert not any("could not lint" in d["message"] for d in found)
    assert {d["code"] for d in found} >= {"PL105"}
