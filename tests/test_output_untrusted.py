"""Output that no input can blow up or forge (issue 28, Output): messages quote a few items of a list
and have an end; each format family escapes what it cannot carry (text: invisible and bidi
characters; XML: what XML forbids; json-lines: the characters some readers break lines at; Markdown:
markup); file names that are not UTF-8 and names that differ only by Unicode normalization work and
stay apart in every format; ``--show-source`` and the fingerprints read a bounded piece of a long
line. The hostile inputs are made here, at test time; the CLI runs in a child process with its
output file size, memory and CPU time capped."""
from __future__ import annotations

import json
import os
import re
import resource
import subprocess
import sys
import unicodedata
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from portlint.report.formats import escape
from portlint.words import LIST_LIMIT, MESSAGE_LIMIT, clipped, listed


def run_capped(args, cwd, out: Path, fsize_mib: int = 16, cpu: int = 120, mem_mib: int = 1024):
    """``python -m portlint ARGS`` with stdout in ``out``, its size, CPU time and memory capped."""
    def limits():
        resource.setrlimit(resource.RLIMIT_FSIZE, (fsize_mib << 20, fsize_mib << 20))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
        resource.setrlimit(resource.RLIMIT_AS, (mem_mib << 20, mem_mib << 20))

    with open(out, "wb") as fh:
        proc = subprocess.run([sys.executable, "-m", "portlint", *args], cwd=cwd, stdout=fh, stderr=subprocess.PIPE,
                              preexec_fn=limits, timeout=600, env={**os.environ, "PORTLINT_BUILTIN_ONLY": "1"})
    return proc.returncode, proc.stderr.decode("utf-8", "replace")


# -- bounded messages -------------------------------------------------------------------------------

def test_a_list_in_a_message_names_a_few_items_and_counts_the_rest():
    items = ["api", "ui", "cdp"] + [f"label{i}" for i in range(997)]
    shown = listed(items)
    assert shown.startswith("api, ui, cdp, label0") and shown.endswith(f" and {1000 - LIST_LIMIT} more")
    assert shown.count(", ") == LIST_LIMIT - 1
    assert listed(["a", "b", "c"], last=" and ") == "a, b and c" and listed(["a"], last=" and ") == "a"
    assert listed([5570, 5571], sep="/") == "5570/5571"
    long = "x" * 10_000
    assert listed([long]) == clipped(long) and len(clipped(long)) < 200


def test_every_message_and_related_message_has_an_end():
    from portlint.diagnostic import Diagnostic, Related

    d = Diagnostic("PL999", "x", "y" * 5_000_000, "error", "a.js", 1, 1, 1, 2,
                   related=(Related("a.js", 1, 1, 1, 2, "z" * 5_000_000),))
    assert len(d.message) < MESSAGE_LIMIT + 100 and len(d.related[0].message) < MESSAGE_LIMIT + 100
    assert d.message.endswith("more characters)")


def test_ten_thousand_labels_do_not_make_a_report_of_gigabytes(tmp_path):
    # Before: the PL501 message quoted the whole label set; 10,000 labels of 150 characters and 400
    # port uses printed 644 MB (5 s, 660 MB of memory). Now each message names 8 of them.
    labels = ", ".join(f'"label{i:04d}{"x" * 150}"' for i in range(10_000))
    (tmp_path / "portlint.toml").write_text(f"labels = [{labels}]\n")
    ports = ",\n".join(f"  P{i}: {5570 + 2 * i}, // api {i}\n  Q{i}: {5571 + 2 * i}, // metrics {i}" for i in range(100))
    apps = ",\n".join(f"  {{ name: 'svc{i}', env: {{ PORT: PORTS.P{i}, METRICS{i}_PORT: PORTS.Q{i} }} }}" for i in range(100))
    (tmp_path / "ecosystem.config.cjs").write_text(f"const PORTS = {{\n{ports}\n}};\nmodule.exports = {{ PORTS, apps: [\n{apps}\n] }};\n")
    code, err = run_capped([".", "--no-cache", "--select", "PL501"], tmp_path, tmp_path / "out.txt", fsize_mib=8)
    out = (tmp_path / "out.txt").read_text()
    assert code == 0, err  # PL501 is a warning
    found = out.splitlines()[:-1]
    assert len(found) == 200 and all("PL501" in line for line in found)
    assert all(len(line) < 2_000 for line in found)
    assert f"and {10_000 - LIST_LIMIT} more" in found[0]


# -- one escaper per family -----------------------------------------------------------------------

def test_the_invisible_class_covers_what_unicode_says_is_invisible():
    """Every control, format, separator and space character but U+0020 of the running Python's
    Unicode, every noncharacter and surrogate: shown as an escape by the text family."""
    missed = []
    for code in range(0x110000):
        ch = chr(code)
        category = unicodedata.category(ch)
        wanted = (category in ("Cc", "Cf", "Cs", "Zl", "Zp") or (category == "Zs" and ch != " ")
                  or (code & 0xFFFE) == 0xFFFE or 0xFDD0 <= code <= 0xFDEF)
        if wanted and escape.printable(ch) == ch:
            missed.append(hex(code))
    assert missed == []
    for visible in ["a", "é", "日", "🚀", "|", "\u0301x"]:
        assert escape.printable(visible) == visible


def test_text_shows_bidi_zero_width_and_undecodable_bytes_escaped():
    name = "api\u202etxt.exe\u200b\u2066\ufeff\x00\ud800\udcff"
    assert escape.printable(name) == "api\\u202etxt.exe\\u200b\\u2066\\ufeff\\x00\\ud800\\xff"
    assert escape.printable("\U000e0041") == "\\U000e0041"  # a tag character


def test_names_that_differ_only_by_normalization_are_told_apart():
    nfc, nfd = "caf\u00e9", "cafe\u0301"
    assert escape.printable(nfc) == nfc
    assert escape.printable(nfd) == "cafe\\u0301"
    angstrom = "\u212b"  # ANGSTROM SIGN, which NFC replaces by Å
    assert escape.printable(angstrom) == "\\u212b"
    assert escape.printable("\u1112\u1161\u11ab") == "\\u1112\\u1161\\u11ab"  # 한 as conjoining jamo


def test_json_lines_escapes_what_readers_break_lines_at_and_json_is_strict():
    text = escape.json_text({"m": "a\x85b\u2028c\u2029d\ud800\udcff"})
    assert len(text.splitlines()) == 1 and json.loads(text) == {"m": "a\x85b\u2028c\u2029d\\ud800\\xff"}
    text.encode("utf-8")  # no lone surrogate left
    with pytest.raises(ValueError):
        escape.json_text({"n": float("inf")})
    import io

    value = [{"m": f"line {i} é \u2028 \udcff", "n": i} for i in range(5000)]  # written in pieces
    out = io.StringIO()
    escape.write_json(out, value, indent=2)
    assert out.getvalue() == escape.json_text(value, indent=2)
    plain = [{"m": "é", "n": [1, 2.5, None]}]
    out = io.StringIO()
    escape.write_json(out, plain, indent=2)
    assert out.getvalue() == json.dumps(plain, indent=2, ensure_ascii=False)  # the json format, unchanged


def test_markdown_and_html_escape_markup():
    assert escape.markdown("[x](http://e) <b> a|b *c* `d` \u202e") == "\\[x\\](http://e) \\<b\\> a\\|b \\*c\\* \\`d\\` \\\\u202e"  # the escape's \\ too
    assert escape.html('<script>"x"&\u202e') == "&lt;script&gt;&quot;x&quot;&amp;\\u202e"


# A process name with one character of every class, written as JavaScript escapes (the file stays ASCII).
HOSTILE = "api\\u202e\\u200b\\ufffe\\uffff\\u0085\\u2028\\u2029\\u0001\\u001b[2J|[x](http://e)<b>&"
FORMATS = ["text", "concise", "pylint", "github", "junit", "json", "json-lines", "sarif", "gitlab"]


@pytest.fixture(scope="module")
def hostile_tree(tmp_path_factory):
    """Configs whose folder names are not UTF-8 (byte 0xFF), are NFC and NFD spellings of one name,
    and hold a bidi control; each config has a process named with every hostile class."""
    root = tmp_path_factory.mktemp("hostile")
    config = ("module.exports = { apps: [{ name: '" + HOSTILE + "', script: 's.js', env: { PORT: 5570 } }] };\n")
    for folder in [b"bad\xffbyte", "caf\u00e9".encode(), "cafe\u0301".encode(), "bidi\u202ename".encode()]:
        path = os.path.join(os.fsencode(root), folder)
        os.mkdir(path)
        with open(os.path.join(path, b"ecosystem.config.cjs"), "w") as fh:
            fh.write(config)
    return root


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_carries_hostile_names_and_non_utf8_paths(hostile_tree, fmt, tmp_path):
    out = tmp_path / "report"
    code, err = run_capped([".", "--no-cache", "--format", fmt], hostile_tree, out)
    assert code == 1, err  # findings; never exit 2 for a name
    assert "Traceback" not in err
    data = out.read_bytes()
    text = data.decode("utf-8")  # valid UTF-8 in every format
    if fmt in ("text", "concise", "pylint", "github"):
        raw = [ch for ch in text if escape.printable(ch) != ch and ch != "\n"]
        assert raw == [], f"unescaped invisible characters: {raw!r}"
        assert "\\u202e" in text and "\\xff" in text
        where = (lambda line: re.search("file=([^,]*)", line).group(1)) if fmt == "github" else \
            (lambda line: line.split(":")[0])
        shown = {where(line) for line in text.splitlines() if "PL101" in line}
        assert len({unicodedata.normalize("NFC", s) for s in shown}) == 4, shown  # NFC and NFD stay apart
    elif fmt == "junit":
        root = ET.fromstring(data)  # expat: a real, strict XML parser
        names = {s.get("name") for s in root.iter("testsuite")}
        assert len({unicodedata.normalize("NFC", n) for n in names}) == 4
        assert any("\\u202e" in (f.get("message") or "") for f in root.iter("failure"))
    elif fmt == "json-lines":
        lines = text.splitlines()  # Python splits at U+0085/2028/2029 too: one record each all the same
        records = [json.loads(line, parse_constant=lambda c: pytest.fail(c)) for line in lines]
        assert len(records) == len([r for r in records if r["code"]]) and len({r["filename"] for r in records}) == 4
        assert any("\u202e" in r["message"] for r in records)
    else:
        log = json.loads(text, parse_constant=lambda c: pytest.fail(c))
        if fmt == "gitlab":
            assert len({i["fingerprint"] for i in log}) == len(log)
            assert len({i["location"]["path"] for i in log}) == 4
        if fmt == "sarif":
            uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in log["runs"][0]["results"]}
            assert len(uris) == 4 and any("%FF" in u for u in uris)  # the name's own bytes, percent-encoded


def test_sarif_of_hostile_names_passes_microsofts_validator(hostile_tree, tmp_path):
    from test_integrations import validated

    log = tmp_path / "hostile.sarif"
    code, err = run_capped([".", "--no-cache", "--format", "sarif"], hostile_tree, log)
    assert code == 1, err
    results = validated(log, tmp_path)
    assert results, "the validator reported nothing at all: was it run?"
    assert [r["message"] for r in results if r.get("level") == "error"] == []


def test_the_markdown_map_keeps_its_table_whatever_the_names(hostile_tree, tmp_path):
    code, err = run_capped([".", "--no-cache", "--map", "--format", "markdown"], hostile_tree, tmp_path / "map.md")
    assert code == 0, err
    rows = [line for line in (tmp_path / "map.md").read_text().splitlines() if line.startswith("|")]
    cells = {len(re.findall(r"(?<!\\)\|", row)) for row in rows}
    assert len(cells) == 1, rows  # no name adds a cell
    assert "](" not in (tmp_path / "map.md").read_text().replace("\\](", "")  # no link


# -- a bounded piece of a long line -----------------------------------------------------------------

def one_line_config(findings: int, size: int) -> str:
    apps = ",".join(f"{{name:'s{i}',script:'s.js',env:{{PORT:{5570 + i % 300}}}}}" for i in range(findings))
    pad = "/*" + "x" * (size - len(apps) - 100) + "*/"
    return f"{pad}module.exports={{apps:[{apps}]}};\n"


def test_show_source_on_a_megabyte_line_shows_a_window(tmp_path):
    # Before: each finding printed the whole 2 MB line and its carets (19 GB for 1,000 findings,
    # 274 s). Now a window of 120 characters around the token, with "…" where the line goes on.
    (tmp_path / "ecosystem.config.cjs").write_text(one_line_config(300, 1_900_000))
    (tmp_path / "portlint.toml").write_text("max-seconds-per-file = 120\n")  # a loaded machine is slow
    code, err = run_capped([".", "--no-cache", "--show-source", "--select", "PL101"],
                           tmp_path, tmp_path / "out.txt", fsize_mib=20)
    assert code == 1, err
    lines = (tmp_path / "out.txt").read_text().splitlines()
    assert max(map(len, lines)) < 300
    (i,) = [i for i, line in enumerate(lines) if ": PL101 " in line][:1]
    source, carets = lines[i + 1], lines[i + 2]
    assert source.startswith("    1 | …") and source.endswith("…")
    assert source[carets.index("^"):carets.index("^") + 4] == "5570"


def test_show_source_carets_stay_under_the_token_after_wide_and_escaped_characters():
    from portlint.diagnostic import Diagnostic
    from portlint.report.formats import FormatContext
    from portlint.report.formats.text import source_excerpt
    from portlint.source.read import Source

    text = "const x = '日本\u202e\t'; PORT = 5570;\n"
    source = Source("a.js", text)
    column = text.index("5570") + 1
    d = Diagnostic("PL401", "x", "m", "error", "a.js", 1, column, 1, column + 4)
    shown, carets = source_excerpt(d, FormatContext(sources={"a.js": source}), False).splitlines()
    start = carets.index("^")
    assert carets.count("^") == 4
    width = escape.width(shown[:shown.index("5570")])
    assert start == width  # 日本 take two columns each, \u202e is six characters shown


def test_a_fingerprint_reads_a_bounded_piece_of_a_long_line():
    """What SARIF and GitLab hash of a finding's line: the whole line when it is short (as before),
    a window around the finding when it is long (it hashed the whole line once per finding: 36 s for
    a SARIF report of one 2 MB line)."""
    import hashlib

    from portlint.diagnostic import Diagnostic
    from portlint.report.formats.fingerprint import Fingerprints
    from portlint.source.read import Source

    short = Source("a.js", "x = 1;\n  PORT: 5570,  \n")
    d = Diagnostic("PL401", "x", "m", "error", "a.js", 2, 9, 2, 13)
    expected = hashlib.sha256("PL401\0a.js\0PORT: 5570,".encode()).hexdigest()[:32]
    assert Fingerprints({"a.js": short}).of(d, "a.js") == (expected, 1)
    far_a = Source("a.js", "a" * 1_000_000 + " PORT: 5570, " + "b" * 1_000_000)
    far_b = Source("a.js", "c" * 1_000_000 + " PORT: 5570, " + "d" * 1_000_000)
    at = 1_000_000 + 8
    d = Diagnostic("PL401", "x", "m", "error", "a.js", 1, at, 1, at + 4)
    assert Fingerprints({"a.js": far_a}).of(d, "a.js") != Fingerprints({"a.js": far_b}).of(d, "a.js")  # context counts
    near = Source("a.js", "a" * 1_000_000 + " PORT: 5570, " + "b" * 999_000 + "e" * 1_000)
    assert Fingerprints({"a.js": far_a}).of(d, "a.js") == Fingerprints({"a.js": near}).of(d, "a.js")  # far text does not
