"""Suppression comments that cannot lie (issue 29): a noqa matches exact codes and real prefixes
only (``PL4O1`` with the letter O suppresses nothing, and PL004 says so), and a noqa that suppresses
nothing is PL005 (off by default), whose safe fix removes it and keeps the rest of the line."""
import pytest

from conftest import run_portlint

HEAD = "const PORTS = {\n  API: 5570, // REST API\n};\n"


class Template(str):
    def format(self, comment: str) -> str:
        return self.replace("{comment}", comment)


LITERAL = Template(HEAD + "module.exports = { PORTS, apps: [{ name: 'api', env: { PORT: 5570 } }] };{comment}\n")
CLEAN = Template(HEAD + "module.exports = { PORTS, apps: [{ name: 'api', env: { PORT: PORTS.API } }] };{comment}\n")


@pytest.fixture
def lint(registry, tmp_path):
    """(code, row, message) of a config's diagnostics, with PL005 selected unless ``pl005`` is False."""
    from portlint.engine.pipeline import Engine
    from portlint.settings.settings import SettingsResolver

    def run(text, name="ecosystem.config.cjs", pl005=True):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        engine = Engine(SettingsResolver({"extend-select": ["PL005"]} if pl005 else {}, isolated=True), registry)
        return [(d.code, d.row, d.message) for d in engine.run([str(path)]).diagnostics]

    return run


def codes(found):
    return [code for code, _, _ in found]


@pytest.mark.parametrize("comment,left", [
    (" // noqa: PL401", []),
    (" // noqa: PL4", []),  # a prefix of real codes
    (" // noqa: PL40", []),
    (" // NOQA:pl401", []),  # any case
    (" /* noqa: PL301, PL401 */", ["PL005"]),  # PL301 suppressed nothing
    (" // noqa", []),
    (" // noqa: PL401 legacy port, kept until the move", []),  # words after the codes explain
    (" // legacy // noqa: PL401", []),  # after other words, from its own //
])
def test_exact_codes_and_prefixes_suppress(lint, comment, left):
    assert codes(lint(LITERAL.format(comment=comment))) == left


@pytest.mark.parametrize("comment,named", [
    (" // noqa: PL4O1", "`PL4O1` in this noqa is not a code or code prefix of any rule (did you mean PL401?)"),
    (" // noqa: PL41", "`PL41` in this noqa is not a code or code prefix of any rule"),
    (" // noqa: PL4010", "`PL4010` in this noqa is not a code or code prefix of any rule (did you mean PL401?)"),
    (" // noqa: X1", "`X1` in this noqa is not a code or code prefix of any rule"),
])
def test_a_wrong_code_suppresses_nothing_and_is_named(lint, comment, named):
    found = lint(LITERAL.format(comment=comment), pl005=False)
    assert codes(found) == ["PL401", "PL004"], found
    assert named in found[1][2] and found[1][1] == 4


def test_a_wrong_code_beside_a_right_one_leaves_the_right_one_working(lint):
    found = lint(LITERAL.format(comment=" // noqa: PL401, PL4O1"))
    assert codes(found) == ["PL004"], found


def test_malformed_and_misplaced_directives(lint):
    found = lint(LITERAL.format(comment=" // noqa: legacy"), pl005=False)
    assert codes(found) == ["PL401", "PL004"] and "`noqa:` lists no code" in found[1][2]
    found = lint(LITERAL.format(comment="") + "// portlint: noqa\n", pl005=False)
    assert codes(found) == ["PL401", "PL004"] and "first comment block" in found[1][2]


def test_the_word_in_prose_is_no_directive(lint):
    found = lint(LITERAL.format(comment=" // see the noqa section of the README"))
    assert codes(found) == ["PL401"]


def test_pl004_is_silenced_only_by_naming_it(lint):
    assert codes(lint(LITERAL.format(comment=" // noqa: PL4O1, PL004"), pl005=False)) == ["PL401"]


@pytest.mark.parametrize("comment,message", [
    (" // noqa", "this `noqa` suppresses nothing: no finding is reported on its line; remove it"),
    (" // noqa: PL401, PL2", "this `noqa: PL401, PL2` suppresses nothing: no PL401, PL2 finding is reported on its "
                             "line; remove it"),
    (" // noqa: PL405", "this `noqa: PL405` suppresses nothing: no PL405 finding is reported on its line (PL405 is "
                        "not selected); remove it"),
])
def test_unused_noqa_is_pl005(lint, comment, message):
    found = lint(CLEAN.format(comment=comment))
    assert found == [("PL005", 4, message)]


def test_pl005_is_off_by_default_and_silenced_by_naming_it(lint):
    assert lint(CLEAN.format(comment=" // noqa"), pl005=False) == []
    assert lint(CLEAN.format(comment=" // noqa: PL401, PL005")) == []


def test_partly_unused(lint):
    found = lint(LITERAL.format(comment=" // noqa: PL401, PL301"))
    assert found == [("PL005", 4, "PL301 in this noqa suppresses nothing: no such finding is reported on its line; "
                                   "remove it from the list")]


# --- the fix -----------------------------------------------------------------------------------

def fixed(tmp_path, text, name="ecosystem.config.cjs"):
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    proc = run_portlint("--isolated", "--no-cache", "--extend-select", "PL005", "--fix", str(path))
    assert "PL005" not in proc.stdout, proc.stdout + proc.stderr
    return path.read_bytes().decode("utf-8")


@pytest.mark.parametrize("before,after", [
    ("x = 1; // noqa\n", "x = 1;\n"),
    ("x = 1;   /* noqa: PL401 */\n", "x = 1;\n"),
    ("x = 1; /* noqa */ y = 2;\n", "x = 1; y = 2;\n"),
    ("// noqa\nx = 1;\n", "x = 1;\n"),  # a line that held only the comment goes
    ("x = 1; // REST API // noqa: PL301\n", "x = 1; // REST API\n"),
    ("x = 1; // noqa: PL301 legacy port\n", "x = 1; // legacy port\n"),
    ("x = 1; /* REST API // noqa */ y = 2;\n", "x = 1; /* REST API */ y = 2;\n"),
    ("x = 1; // noqa\r\ny = 2;\r\n", "x = 1;\r\ny = 2;\r\n"),
    ("x = 1; // noqa: PL301 // noqa: PL4\n", "x = 1;\n"),  # both unused: both go
])
def test_the_fix_removes_the_directive_and_keeps_the_rest(tmp_path, before, after):
    text = "module.exports = { apps: [] };\n" + before
    assert fixed(tmp_path, text) == "module.exports = { apps: [] };\n" + after


def test_the_fix_keeps_a_second_directive_that_works(tmp_path):
    text = LITERAL.format(comment=" // noqa: PL301 // noqa: PL401")
    assert fixed(tmp_path, text) == LITERAL.format(comment=" // noqa: PL401")


def test_the_fix_removes_only_the_unused_codes(tmp_path):
    text = LITERAL.format(comment=" // noqa: PL401, PL301,PL2 kept")
    assert fixed(tmp_path, text) == LITERAL.format(comment=" // noqa: PL401 kept")


def test_the_fix_in_yaml(tmp_path):
    text = "apps:\n  - name: api  # the API  # noqa: PL301\n    script: server.js  # noqa\n"
    assert fixed(tmp_path, text, "ecosystem.yml") == "apps:\n  - name: api  # the API\n    script: server.js\n"


# --- a noqa only the whole run can judge ---------------------------------------------------------

def test_a_noqa_on_a_port_that_may_collide_is_judged_over_the_run(tmp_path):
    for name, comment in (("a", ""), ("b", " /* noqa: PL203 */")):
        path = tmp_path / name / "ecosystem.config.cjs"
        path.parent.mkdir()
        path.write_text(CLEAN.format(comment="").replace("'api'", f"'{name}'").replace("PORTS.API }", "PORTS.API }" + comment))
    args = ("--isolated", "--extend-select", "PL005", "--no-cache")
    both = run_portlint(*args, "a", "b", cwd=tmp_path)
    assert both.returncode == 0 and ": PL" not in both.stdout, both.stdout  # it hides b's collision with a
    alone = run_portlint(*args, "b", cwd=tmp_path)
    assert "PL005 this `noqa: PL203` suppresses nothing" in alone.stdout, alone.stdout
    cached = [run_portlint(*args[:-1], "b", cwd=tmp_path).stdout for _ in range(2)]  # cold, then from the cache
    assert cached == [alone.stdout] * 2
    assert run_portlint("--diff", *args, "a", "b", cwd=tmp_path).stdout == ""  # the run needs it
    fixed = run_portlint("--fix", *args[:-1], "b", cwd=tmp_path)  # from the cache's run entry too
    assert fixed.returncode == 0 and ": PL" not in fixed.stdout, fixed.stdout + fixed.stderr
    assert (tmp_path / "b" / "ecosystem.config.cjs").read_text() == (tmp_path / "a" / "ecosystem.config.cjs").read_text(
        ).replace("'a'", "'b'")


def test_a_second_directive_in_one_comment_works_and_is_judged_alone(lint):
    """An editor's "suppress" action appends `// noqa: CODE` to a line that may end in a comment."""
    text = LITERAL.format(comment=" // noqa: PL301 // noqa: PL401")
    assert lint(text) == [("PL005", 4, "this `noqa: PL301` suppresses nothing: no PL301 finding is reported on its line; "
                                      "remove it")]


def test_per_file_ignores_and_disable_noqa_hold_for_the_noqa_codes(tmp_path):
    path = tmp_path / "ecosystem.config.cjs"
    path.write_text(CLEAN.format(comment=" // noqa: PL4O1"), encoding="utf-8")
    args = ("--isolated", "--no-cache", "--extend-select", "PL005", str(path))
    assert "PL004" in run_portlint(*args).stdout
    assert ": PL" not in run_portlint("--per-file-ignores", "*.cjs:PL0", *args).stdout
    assert ": PL" not in run_portlint("--disable-noqa", *args).stdout  # no noqa read: nothing to judge
