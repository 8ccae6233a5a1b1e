"""Where PL101's fix puts ``const PORTS``: after every combination of a shebang, a directive
prologue, leading comments (line and block, one or many lines, several) and imports/requires,
found from the syntax tree and the comment tokens; never inside a comment, a string or a
template (issue 27 item 2). Node.js loads every result and sees PORTS and the same apps."""
import itertools
import re

import pytest

SHEBANGS = ["", "#!/usr/bin/env node\n"]
DIRECTIVES = ["", "'use strict';\n", '"use strict"\n\n']
COMMENTS = [
    "",
    "// Wiki: the PM2 apps\n",
    "/* one-line block */\n",
    "/*\n  Billing service.\n  Start: pm2 start ecosystem.config.cjs\n*/\n",
    "/**\n * JSDoc header\n * with `backticks` and 'quotes' and // slashes\n */\n\n// second comment, after a blank line\n",
    "/* a */ /* b */ // c\n// d\n",
    "// eslint-disable-next-line\n/* mixed */\n\n",
]
REQUIRES = [
    "",
    "const path = require('path'); // node's path, not /* a comment opener */\n",
    "const path = require('path')\nconst { join } = require('path')\n\n/* helpers */\nrequire('path').sep;\n",
]
ABOVE_BODY = ["", "// the apps of this file\n", "\n/* the apps\n   of this file */\n"]
BODY = ("module.exports = {\n  apps: [{ name: 'wiki', script: 'wiki.js', env: { PORT: 5570, "
        "URL: `http://localhost:5570/${'/*'}` } }],\n};\n")

CASES = [(i, parts) for i, parts in enumerate(itertools.product(SHEBANGS, DIRECTIVES, COMMENTS, REQUIRES, ABOVE_BODY))]


def _text(i: int, parts) -> str:
    text = "".join(parts) + BODY
    return text.replace("\n", "\r\n") if i % 5 == 0 else text  # every fifth file with CRLF line endings


def _comments(text: str) -> list[str]:
    import esprima

    body = text[text.index("\n") + 1:] if text.startswith("#!") else text
    return [t.value for t in esprima.tokenize(body, {"comment": True}) if t.type.endswith("Comment")]


def test_every_header_combination(registry, tmp_path):
    from node_exports import dump_exports

    from portlint.engine.pipeline import Engine
    from portlint.fix.insertion import is_header_statement
    from portlint.fix.run import fix_files
    from portlint.settings.settings import Settings
    from portlint.source.parse import parse
    from portlint.source.read import Source

    engine = Engine(Settings(), registry)
    files = []
    for i, parts in CASES:
        path = tmp_path / str(i) / "ecosystem.config.cjs"
        path.parent.mkdir()
        text = _text(i, parts)
        fixed = fix_files(engine, {str(path): text}, unsafe=False)[str(path)].text
        assert "const PORTS = {" in fixed, (parts, fixed)
        path.write_bytes(fixed.encode("utf-8"))
        files.append(path)
        shebang, directive = parts[0], parts[1]
        assert fixed.startswith(shebang.replace("\n", "\r\n" if i % 5 == 0 else "\n")), fixed
        assert _comments(fixed)[:len(_comments(text))] != [] or not _comments(text)
        original = _comments(text)
        mine = [c for c in _comments(fixed) if c not in _comments(text)]
        assert [c for c in _comments(fixed) if c in original] == original, fixed  # every comment kept, in order
        assert all(re.search(r"single source of truth|: API server", c) for c in mine), mine
        program = parse(Source(str(path), fixed)).program
        body = list(program.body)
        at = next(n for n, s in enumerate(body) if s.type == "VariableDeclaration"
                  and any(d.id.type == "Identifier" and d.id.name == "PORTS" for d in s.declarations))
        assert all(is_header_statement(s) for s in body[:at]), fixed  # after the header...
        assert not any(is_header_statement(s) and s.type != "EmptyStatement" for s in body[at + 1:]), fixed  # ...all of it
        if directive:
            assert getattr(body[0], "directive", None) == "use strict", fixed  # still the prologue
        comment_above = parts[4].strip()
        own_group = parts[4].startswith("\n") or parts[2].endswith("\n\n") or parts[1] or parts[3]
        if comment_above and own_group and "".join(parts[1:4]).strip():
            # the comment written over module.exports stays with it (unless it is the file's opening comment)
            lines = fixed.replace("\r\n", "\n")
            assert lines.index(comment_above.splitlines()[0]) > lines.index("const PORTS"), fixed
    seen = dump_exports(files, [tmp_path])
    for path in files:
        data = seen[str(path)]
        assert "error" not in data, (path.read_text(), data)
        assert data["exports"]["PORTS"] == {"API": 5570}, data
        app = data["exports"]["apps"][0]
        assert app["env"] == {"PORT": 5570, "URL": "http://localhost:5570//*"}, app


@pytest.mark.parametrize("text, why", [
    ("module.exports = { apps: [] };\n", "no port: no PL101"),
    ("const a = require('x'); module.exports = { apps: [{ name: 'a', env: { PORT: 5570 } }] };\n", "one line"),
])
def test_header_on_the_statement_line(text, why, registry, tmp_path):
    """A statement on the line of the last header statement: the declaration goes between them."""
    from portlint.engine.pipeline import Engine
    from portlint.fix.run import fix_files
    from portlint.settings.settings import Settings

    path = tmp_path / "ecosystem.config.cjs"
    fixed = fix_files(Engine(Settings(), registry), {str(path): text}, unsafe=False)[str(path)].text
    if "PORT:" not in text:
        assert fixed == text, why
    else:
        assert fixed.startswith("const a = require('x');\n\n// Ports of this config"), fixed
        assert "\n\nmodule.exports = { PORTS," in fixed, fixed


def test_no_semicolon_style_before_a_parenthesis(registry, tmp_path):
    """A file without semicolons whose next statement starts with `(`: the declaration ends with
    `;`, or the next line would call the object."""
    from node_exports import dump_exports

    from portlint.engine.pipeline import Engine
    from portlint.fix.run import fix_files
    from portlint.settings.settings import Settings

    path = tmp_path / "ecosystem.config.cjs"
    text = ("(function () { return 1 })()\n"
            "module.exports = { apps: [{ name: 'a', script: 'a.js', env: { PORT: 5570 } }] }\n")
    fixed = fix_files(Engine(Settings(), registry), {str(path): text}, unsafe=False)[str(path)].text
    assert "\n};\n" in fixed, fixed
    path.write_text(fixed)
    assert dump_exports([path])[str(path)]["exports"]["PORTS"] == {"API": 5570}
