"""The map's marks are lint's findings: for every fixture tree, the marks of the text, JSON and HTML
maps are exactly the (file, port, code) that lint's JSON output reports, after --select/--ignore
and noqa; and every diagnostic about ports carries them (`ports` in JSON, json-lines and SARIF)."""
import json
import os
import re
from xml.etree import ElementTree as ET

import pytest
from click.testing import CliRunner

from conftest import FIXTURES

MARK_CODES = ("PL203", "PL201", "PL202", "PL301", "PL502")
TREES = sorted(p for p in FIXTURES.iterdir() if p.is_dir()) + [FIXTURES.parent / "examples"]


def invoke(*args, cwd=None) -> str:
    from portlint.cli import cli

    old = os.getcwd()
    try:
        os.chdir(cwd or old)
        result = CliRunner().invoke(cli, ["--no-cache", *args], catch_exceptions=False)
    finally:
        os.chdir(old)
    assert result.exit_code in (0, 1), result.output
    return result.stdout


def lint_marks(diagnostics: list[dict]) -> set[tuple]:
    """(file, port, code) of every diagnostic of a mark code: its file and its related places' files."""
    return {(f, p, d["code"]) for d in diagnostics if d["code"] in MARK_CODES
            for f in {d["filename"], *(r["filename"] for r in d["related"])} for p in d["ports"]}


def text_marks(text: str) -> set[tuple]:
    """(file, port, code) read back from the text map's tables (columns found from each header)."""
    found = set()
    lines = text.splitlines()
    for i, header in enumerate(lines):
        if not header.startswith("Port  ") or "Findings" not in header:
            continue
        names = re.findall(r"\S+(?: \S+)*", header)
        starts = [header.index(n) for n in names]
        for line in lines[i + 1:]:
            if not line.strip() or not line[0].isdigit():
                break
            cells = {n: line[s:(starts[k + 1] if k + 1 < len(starts) else None)].strip()
                     for k, (n, s) in enumerate(zip(names, starts))}
            file = cells["File"] if "File" in cells else cells["Where"].rsplit(":", 1)[0]
            found |= {(file, int(cells["Port"]), code) for code in cells["Findings"].split()}
    return found


def html_marks(html: str) -> set[tuple]:
    out = set()
    for block in re.findall(r"<svg .*?</svg>", html, flags=re.S):
        for g in ET.fromstring(block).iter("{http://www.w3.org/2000/svg}g"):
            classes = set(g.get("class").split())
            codes = g.get("data-codes").split()
            drawn = {"PL203": "collision", "PL201": "gap", "PL202": "out-of-range", "PL301": "well-known",
                     "PL502": "not-in-portos"}
            assert {c for c, name in drawn.items() if name in classes} == set(codes)  # drawn = carried
            out |= {(int(g.get("data-port")), code) for code in codes}
    return out


@pytest.mark.parametrize("tree", TREES, ids=lambda p: p.name)
def test_the_marks_of_every_map_are_lints_findings(tree):
    where = tree.parent
    expected = lint_marks(json.loads(invoke("--format", "json", tree.name, cwd=where)))
    data = json.loads(invoke("--map", "--format", "json", tree.name, cwd=where))
    assert {(m["file"], m["port"], c) for m in data["marks"] for c in m["codes"]} == expected
    for row in data["ports"] + data["references"] + data["connections"]:
        assert {(row["file"], row["port"], c) for c in row["codes"]} == {
            m for m in expected if m[:2] == (row["file"], row["port"])}
    assert text_marks(invoke("--map", tree.name, cwd=where)) == expected
    assert html_marks(invoke("--map", "--format", "html", tree.name, cwd=where)) == {(p, c) for _, p, c in expected}


CONFLICTED = """const PORTS = {
  API: 5570, // REST API
  UI: 5573, // web UI; 5571 and 5572 are left out
};
module.exports = { PORTS, apps: [
  { name: 'api', script: 'a.js', env: { PORT: PORTS.API } },
  { name: 'twin', script: 'b.js', env: { PORT: PORTS.API } }, // noqa: PL203
  { name: 'web', script: 'c.js', env: { PORT: PORTS.UI } },
  { name: 'legacy', script: 'd.js', env: { PORT: 3000 } },
] };
"""


@pytest.mark.parametrize("args, codes", [
    ((), {"PL201", "PL301"}),  # the collision is reported on twin's line, where noqa silences it: no mark
    (("--ignore", "PL201"), {"PL301"}),
    (("--select", "PL3"), {"PL301"}),
    (("--disable-noqa",), {"PL201", "PL203", "PL301"}),
    # with PL301 off, PL202 reports the literal 3000 (PL301 would have, once): the mark moves with it
    (("--disable-noqa", "--extend-ignore", "PL301"), {"PL201", "PL202", "PL203"}),
])
def test_marks_follow_select_ignore_and_noqa(tmp_path, args, codes):
    (tmp_path / "ecosystem.config.cjs").write_text(CONFLICTED)
    lint = json.loads(invoke("--format", "json", *args, ".", cwd=tmp_path))
    data = json.loads(invoke("--map", "--format", "json", *args, ".", cwd=tmp_path))
    marks = {(m["port"], c) for m in data["marks"] for c in m["codes"]}
    assert {c for _, c in marks} == codes
    assert marks == {(p, c) for _, p, c in lint_marks(lint)}


def test_diagnostics_carry_their_ports_in_every_machine_format(tmp_path):
    (tmp_path / "ecosystem.config.cjs").write_text(CONFLICTED)
    data = json.loads(invoke("--format", "json", ".", cwd=tmp_path))
    by_code = {d["code"]: d["ports"] for d in data}  # (the noqa'd PL203 is gone, so use --disable-noqa below)
    assert by_code == {"PL201": [5571, 5572], "PL301": [3000]}
    assert [d["ports"] for d in json.loads(invoke("--format", "json", "--disable-noqa", ".", cwd=tmp_path))
            if d["code"] == "PL203"] == [[5570]]
    lines = [json.loads(line) for line in invoke("--format", "json-lines", ".", cwd=tmp_path).splitlines()]
    assert [d["ports"] for d in lines] == [d["ports"] for d in data]
    sarif = json.loads(invoke("--format", "sarif", ".", cwd=tmp_path))
    results = sarif["runs"][0]["results"]
    assert [r.get("properties", {}).get("ports", []) for r in results] == [d["ports"] for d in data]


def test_ports_survive_the_cache(tmp_path):
    (tmp_path / "ecosystem.config.cjs").write_text(CONFLICTED)
    from portlint.cli import cli

    def run():
        old = os.getcwd()
        os.chdir(tmp_path)
        try:
            return CliRunner().invoke(cli, ["--format", "json", "--cache-dir", str(tmp_path / "cache"), "."]).stdout
        finally:
            os.chdir(old)

    first, second = run(), run()
    assert (tmp_path / "cache").is_dir()
    assert json.loads(first) == json.loads(second)
    assert any(d["ports"] for d in json.loads(second))
