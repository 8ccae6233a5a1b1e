"""Bad input gets a clear diagnostic or a one-line error, never a traceback; the rest is still linted."""
import os

import pytest

from conftest import run_portlint

CLEAN = "const PORTS = {\n  API: 5570, // api\n};\nmodule.exports = { PORTS, apps: [{ name: 'a', env: { PORT: PORTS.API } }] };\n"


def lines_of(proc):
    return [l for l in proc.stdout.splitlines() if ": PL" in l]


def test_binary_and_non_utf8_files_are_diagnostics_and_others_still_linted(tmp_path):
    (tmp_path / "ecosystem.bin.config.js").write_bytes(b"\x7fELF\x00\x00\x01binary")
    (tmp_path / "ecosystem.latin.config.js").write_bytes(b"// \xe9t\xe9\nmodule.exports = {};\n")
    (tmp_path / "ecosystem.gap.config.cjs").write_text(CLEAN.replace("API: 5570, // api", "API: 5570, // api\n  UI: 5573, // ui"))
    proc = run_portlint(str(tmp_path))
    out = lines_of(proc)
    assert any("ecosystem.bin.config.js:1:1: PL001 binary file" in l for l in out)
    assert any("ecosystem.latin.config.js:1:1: PL001 not valid UTF-8 (byte 0xe9 on line 1)" in l for l in out)
    assert any("ecosystem.gap.config.cjs" in l and "PL201" in l for l in out)
    assert "Traceback" not in proc.stderr and proc.returncode == 1


def test_unreadable_file_is_a_diagnostic(tmp_path, monkeypatch, lint_text, registry):
    from portlint.engine.pipeline import Engine
    from portlint.settings.settings import Settings

    path = tmp_path / "ecosystem.config.js"
    path.write_text(CLEAN)
    real_open = os.open

    def deny(file, flags, *args, **kwargs):  # every file portlint reads is opened through os.open
        if str(file) == str(path):
            raise PermissionError(13, "Permission denied")
        return real_open(file, flags, *args, **kwargs)

    monkeypatch.setattr("os.open", deny)
    diagnostics = Engine(Settings(), registry).run([str(path)]).diagnostics
    assert [(d.code, d.message) for d in diagnostics] == [("PL001", "cannot read file: Permission denied")]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_permission_denied_for_real(tmp_path):
    path = tmp_path / "ecosystem.config.js"
    path.write_text(CLEAN)
    path.chmod(0)
    proc = run_portlint(str(path))
    assert "PL001 cannot read file: Permission denied" in proc.stdout


def test_fifo_and_folder_named_like_a_config_never_block(tmp_path):
    fifo = tmp_path / "ecosystem.fifo.config.js"
    os.mkfifo(fifo)
    (tmp_path / "ecosystem.dir.config.js").mkdir()
    proc = run_portlint(str(fifo))
    assert "PL001 not a regular file" in proc.stdout
    proc = run_portlint(str(tmp_path))  # the walk skips both: neither is a config file
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_symlink_loop_and_dangling_link(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "loop").symlink_to(tmp_path / "a")
    (tmp_path / "a" / "ecosystem.config.cjs").write_text(CLEAN)
    (tmp_path / "ecosystem.dangling.config.js").symlink_to(tmp_path / "nowhere.js")
    proc = run_portlint(str(tmp_path))
    assert "Traceback" not in proc.stderr
    assert lines_of(proc) == [f"{tmp_path}/ecosystem.dangling.config.js:1:1: PL001 cannot read file: No such file or directory"]


def test_very_large_file_is_refused_with_a_diagnostic(tmp_path):
    from portlint.source.read import MAX_BYTES

    path = tmp_path / "ecosystem.config.js"
    path.write_text("// " + "x" * (MAX_BYTES + 10) + "\n")
    proc = run_portlint(str(path))
    assert "PL001 file is" in proc.stdout and "-byte limit" in proc.stdout


def test_deep_nesting_is_a_diagnostic_not_a_recursion_error(tmp_path):
    deep_array = "module.exports = " + "[" * 5000 + "]" * 5000 + ";\n"
    deep_json = "{\"apps\": " + "[" * 5000 + "]" * 5000 + "}"
    (tmp_path / "ecosystem.config.js").write_text(deep_array)
    (tmp_path / "ecosystem.json").write_text(deep_json)
    proc = run_portlint(str(tmp_path))
    assert "Traceback" not in proc.stderr and "RecursionError" not in proc.stdout + proc.stderr
    assert len([l for l in lines_of(proc) if "PL001" in l]) == 2


def test_long_chain_of_constants_hits_the_depth_budget_not_the_stack(lint_text, tmp_path):
    # each constant refers to the previous one: shallow syntax, deep evaluation
    chain = "const c0 = 5570;\n" + "".join(f"const c{i} = c{i - 1} + 0;\n" for i in range(1, 3000))
    text = chain + "const PORTS = {\n  API: c2999, // api\n};\nmodule.exports = { PORTS, apps: [{ name: 'a', env: { PORT: PORTS.API } }] };\n"
    diagnostics = lint_text(text)
    # nothing crashes; the value is unknown, and PL002 says so instead of guessing
    assert {d.code for d in diagnostics} == {"PL002"}
    assert all("nested too deeply" in d.message for d in diagnostics)
    for i in range(12):
        body = f"module.exports = require('./ecosystem.c{i + 1}.config.cjs');\n" if i < 11 else chain + "module.exports = { v: c2999 };\n"
        (tmp_path / f"ecosystem.c{i}.config.cjs").write_text(body)
    proc = run_portlint(str(tmp_path))
    assert "Traceback" not in proc.stderr and proc.returncode in (0, 1)


def test_bom_and_crlf_keep_positions(lint_text):
    text = "\ufeffconst PORTS = { UI: 5572, // ui\r\n  API: 5570, // api\r\n};\r\nmodule.exports = { PORTS, apps: [] };\r\n"
    diagnostics = lint_text(text)
    gap = [d for d in diagnostics if d.code == "PL201"]  # at 5572, the first port above the gap
    # Editors (VS Code, Vim/Neovim, Helix) hide a BOM and never give it a column, and the text
    # they send a language server has none: 5572 starts at column 21 as they show it.
    assert [(d.row, d.column) for d in gap] == [(1, 21)]


def test_yaml_syntax_error_and_empty_files(tmp_path):
    (tmp_path / "ecosystem.yaml").write_text("apps: [\n")
    (tmp_path / "ecosystem.config.js").write_text("")
    (tmp_path / "ecosystem.json").write_text("")
    proc = run_portlint(str(tmp_path))
    assert "Traceback" not in proc.stderr
    out = "\n".join(lines_of(proc))
    assert "ecosystem.yaml:2:1: PL001 syntax error" in out
    assert "ecosystem.json:" in out  # an empty JSON file is not an expression
