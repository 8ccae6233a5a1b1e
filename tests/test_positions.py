"""Rows and columns count code points (README: "Rows and columns are 1-based and count characters"),
whatever the parser counts: emoji (two UTF-16 units), CJK (three UTF-8 bytes), combining marks (two
code points) and a BOM before a finding, on its line and on lines above; in the report, --diff and
--fix."""
import json

import pytest

from conftest import run_portlint

# Each prefix goes before the finding; the comment says what it exercises.
PREFIXES = {
    "emoji": "🚀",  # one code point, two UTF-16 units, four UTF-8 bytes
    "many-emoji": "🚀" * 40,  # the header that once pushed findings past the end of the file
    "cjk": "日本語",  # one UTF-16 unit, three UTF-8 bytes each
    "combining": "e\u0301te\u0301",  # "été" spelled with combining accents: 5 code points
    "mixed": "𝔭ørt 🚀 日本 e\u0301",
}


def config(prefix: str, where: str) -> str:
    """A config with one literal port (PL401 with a fix) and ``prefix`` above it or on its line."""
    above = f"// {prefix} launch notes\n" if where == "above" else ""
    note = f"NOTE: '{prefix}', " if where == "same-line" else ""
    return (f"{above}const PORTS = {{\n  API: 5570, // api {prefix if where == 'above' else ''}\n}};\n"
            f"module.exports = {{ PORTS, apps: [{{ name: 'api', env: {{ {note}PORT: 5570 }} }}] }};\n")


def literal_position(text: str) -> tuple[int, int]:
    """1-based row and column of the literal in ``PORT: 5570``, counted in code points."""
    for row, line in enumerate(text.splitlines(), 1):
        if "PORT: 5570" in line:
            column = line.index("PORT: 5570") + len("PORT: ") + 1
            if row == 1 and line.startswith("\ufeff"):
                column -= 1  # a BOM is no column: editors hide it
            return row, column
    raise AssertionError("no literal")


CASES = [(name, where) for name in PREFIXES for where in ("above", "same-line")]


@pytest.mark.parametrize("name,where", CASES)
def test_findings_land_on_the_literal(lint_text, name, where):
    text = config(PREFIXES[name], where)
    found = [(d.code, d.row, d.column, d.end_row, d.end_column) for d in lint_text(text)]
    row, column = literal_position(text)
    assert found == [("PL401", row, column, row, column + 4)]


@pytest.mark.parametrize("name,where", CASES)
def test_fix_replaces_exactly_the_literal(tmp_path, name, where):
    text = config(PREFIXES[name], where)
    path = tmp_path / "ecosystem.config.cjs"
    path.write_text(text, encoding="utf-8")
    diff = run_portlint("--no-cache", "--diff", str(path))
    assert "+module.exports" in diff.stdout and "PORT: PORTS.API" in diff.stdout, diff.stdout + diff.stderr
    run_portlint("--no-cache", "--fix", str(path))
    assert path.read_text(encoding="utf-8") == text.replace("PORT: 5570", "PORT: PORTS.API")


def test_json_and_mjs_count_code_points_too(lint_text):
    mjs = config("🚀🚀", "same-line").replace("module.exports =", "export default")
    row, column = literal_position(mjs)
    found = {(d.code, d.row, d.column) for d in lint_text(mjs, "ecosystem.config.mjs")}
    assert ("PL401", row, column) in found
    # JSON has no PORTS constant: the literal itself is a PL101 on env.PORT
    text = '{"apps": [{"name": "🚀 api", "env": {"NOTE": "🚀日本", "PORT": 5570}}]}\n'
    found = {(d.code, d.row, d.column) for d in lint_text(text, "ecosystem.config.json")}
    assert ("PL101", 1, text.index("5570") + 1) in found


def test_a_bom_is_kept_and_is_no_column(tmp_path):
    text = "\ufeffmodule.exports = { apps: [{ name: 'api', env: { NOTE: '🚀', PORT: 5570 } }] };\n"
    path = tmp_path / "ecosystem.config.cjs"
    path.write_bytes(text.encode("utf-8"))
    result = run_portlint("--no-cache", "--format", "json", str(path))
    (finding,) = json.loads(result.stdout)
    # what an editor shows: the line without its BOM, columns in characters
    shown = text.lstrip("\ufeff")
    assert (finding["code"], finding["location"]) == ("PL101", {"row": 1, "column": shown.index("5570") + 1})


def test_a_parse_error_after_emoji_is_placed_right(lint_text):
    text = "// 🚀🚀🚀\nmodule.exports = { apps: [{ name: '🚀', env: { PORT: 55 70 } }] };\n"
    (d,) = lint_text(text)
    assert d.code == "PL001"
    assert (d.row, d.column) == (2, text.splitlines()[1].index("70") + 1)


def test_yaml_positions_count_code_points(lint_text):
    text = "\ufeff# 🚀 日本\napps:\n  - name: api # e\u0301\n    env: {NOTE: '🚀', PORT: 5570}\n"
    found = {(d.code, d.row, d.column) for d in lint_text(text, "ecosystem.config.yaml")}
    assert ("PL101", 4, text.splitlines()[3].index("5570") + 1) in found
