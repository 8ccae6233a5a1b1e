"""Advice converges (issue 16): every message's advice and every fix leads to a clean config.

The advice table (portlint/model/advice.py) is checked row by row on the minimal configs of
fixtures/advice/<row>/ (the config before, ``.after`` with the advice followed by hand; where the
row has a fix, the fix must write exactly the ``.after``); every fixture of the repository is fixed
(safe, then unsafe) and must end with no code it did not have; the circle of issue 16 is gone."""
import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES, run_portlint

ADVICE = FIXTURES / "advice"


def _engine():
    from portlint.engine.pipeline import Engine
    from portlint.plugins import load_registry
    from portlint.settings.settings import Settings

    return Engine(Settings(), load_registry())


@pytest.fixture(scope="module")
def engine():
    return _engine()


def codes_at(engine, path: Path) -> list[tuple[str, int, int]]:
    return sorted((d.code, d.row, d.column) for d in engine.run([str(path)]).diagnostics)


def test_every_row_has_a_fixture_and_every_fixture_a_row():
    from portlint.model.advice import ROWS

    assert sorted(p.name for p in ADVICE.iterdir() if p.is_dir()) == sorted(ROWS)


def _engine_for(code: str, default):
    """The engine a row is judged with: the default rules, plus the row's rule when it is off by default."""
    from portlint.engine.pipeline import Engine
    from portlint.plugins import load_registry
    from portlint.settings.settings import Settings

    registry = load_registry()
    if registry.rules[code].enabled_by_default:
        return default
    selected = {c for c, r in registry.rules.items() if r.enabled_by_default} | {code}
    return Engine(Settings(), registry, selected)


@pytest.mark.parametrize("row", sorted(p.name for p in ADVICE.iterdir() if p.is_dir()))
def test_following_the_advice_leaves_a_clean_config(row, engine, tmp_path):
    from portlint.fix.run import fix_files
    from portlint.model.advice import ROWS

    advice = ROWS[row]
    engine = _engine_for(advice.code, engine)
    # the config before, and the one after (a JSON/YAML row's advice is an ecosystem.config.cjs)
    from portlint.source.discover import is_config_name

    (before,) = [p for p in (ADVICE / row).iterdir() if is_config_name(p.name)]
    (after,) = (ADVICE / row).glob("*.after")
    work = tmp_path / before.name
    shutil.copyfile(before, work)
    # a row about several configs (PL203) has the others in 0-neighbour/, linted in the same run
    neighbours = []
    for other in sorted((ADVICE / row).glob("*/ecosystem.config.cjs")):
        copy = tmp_path / other.parent.name / other.name
        copy.parent.mkdir()
        shutil.copyfile(other, copy)
        neighbours.append(str(copy))
    run = [str(work), *neighbours]
    found = engine.run(run).diagnostics
    mine = [d for d in found if d.code == advice.code]
    assert len(mine) == 1, [d.message for d in found]
    # one finding, except a quoted number PORTS holds (PL401 there too, whose fix cures both) and a
    # JSON/YAML config (PL101 and PL502 say that it cannot hold PORTS and PortOS does not read it);
    # noqa with a typo (the finding it meant to hide is there too)
    also = {"PL101", "PL502"} if row.endswith("-json") else set()
    assert len([d for d in found if d.code not in also or d.code == advice.code]) == 1 \
        or row in ("PL502-quoted", "PL004"), [d.message for d in found]
    message = mine[0].message
    # the message carries the row's advice (its fixed words, between the fields)
    import re
    for piece in re.split(r"\{[a-z_]+\}", advice.write.replace("{{", "{").replace("}}", "}")):
        assert piece.strip(" `") in message, (piece, message)
    work.unlink()
    work = tmp_path / after.name[:-len(".after")]
    shutil.copyfile(after, work)
    run = [str(work), *neighbours]
    assert engine.run(run).diagnostics == [], "the advice followed must lint clean"
    # the fix, where the row has one, writes the clean form itself (and only with --unsafe-fixes
    # when it is unsafe)
    text = before.read_text(encoding="utf-8")
    texts = {str(work): text, **{p: open(p, encoding="utf-8").read() for p in neighbours}}
    safe = fix_files(engine, texts, unsafe=False)[str(work)].text
    unsafe = fix_files(engine, texts, unsafe=True)[str(work)].text
    expected = after.read_text(encoding="utf-8")
    if advice.fix == "safe":
        assert safe == expected
    elif advice.fix == "unsafe":
        assert safe == text and unsafe == expected
    else:
        assert mine[0].fix is None


def _configs():
    from portlint.source.discover import is_config_name

    return sorted(p for p in FIXTURES.rglob("*") if p.is_file() and is_config_name(p.name))


def test_fixes_over_every_fixture_add_no_code_and_are_stable(engine, tmp_path):
    """`--fix`, then `--fix --unsafe-fixes`, over every config of the repository's fixtures: no
    file ends with a code it did not have, and a second pass changes nothing."""
    from portlint.fix.run import fix_files

    problems = {}
    for n, original in enumerate(_configs()):
        work = tmp_path / str(n)
        shutil.copytree(original.parent, work, ignore=shutil.ignore_patterns("*.expected", "*.fixed",
                                                                              "*.unsafe-fixed", "*.after"))
        path = work / original.name
        before = {d.code for d in engine.run([str(path)]).diagnostics}
        for unsafe in (False, True):
            try:
                text = path.read_bytes().decode("utf-8")
            except UnicodeDecodeError:
                break
            fixed = fix_files(engine, {str(path): text}, unsafe=unsafe)[str(path)].text
            path.write_bytes(fixed.encode("utf-8"))
            after = {d.code for d in engine.run([str(path)]).diagnostics}
            again = fix_files(engine, {str(path): fixed}, unsafe=unsafe)[str(path)].text
            name = f"{original.relative_to(FIXTURES)} ({'unsafe' if unsafe else 'safe'})"
            if after - before:
                problems[name] = sorted(after - before)
            if again != fixed:
                problems[name] = "a second pass changed the file"
    assert not problems, problems


def test_one_cause_one_finding_but_ignoring_the_first_shows_the_next(tmp_path):
    config = tmp_path / "ecosystem.config.cjs"
    config.write_text("const PORTS = {\n  API: 5570, // REST API\n};\n"
                      "module.exports = { PORTS, apps: [\n"
                      "  { name: 'api', node_args: '--inspect=9229', env: { PORT: PORTS.API } },\n] };\n")
    out = run_portlint("--isolated", "--no-cache", str(config)).stdout
    assert [line.split(" ")[1] for line in out.splitlines()[:-1]] == ["PL301"], out
    assert "9229" in out and "PORTS.KEY" in out
    out = run_portlint("--isolated", "--no-cache", "--ignore", "PL301", str(config)).stdout
    assert [line.split(" ")[1] for line in out.splitlines()[:-1]] == ["PL202"], out
    out = run_portlint("--isolated", "--no-cache", "--ignore", "PL301,PL202", str(config)).stdout
    assert [line.split(" ")[1] for line in out.splitlines()[:-1]] == ["PL402"], out


CIRCLE = {
    # issue 16's six starting points, each with the one clean form its advice names
    "PORT: process.env.B_PORT": ("env: { PORT: process.env.B_PORT }", "`PORT: PORTS.KEY`"),
    "PORT: process.env.PORT || 5570": ("env: { PORT: process.env.PORT || 5570 }", "`PORT: PORTS.API`"),
    "PORT: process.env.PORT || PORTS.API": ("env: { PORT: process.env.PORT || PORTS.API }", "`PORT: PORTS.API`"),
}


@pytest.mark.parametrize("start", sorted(CIRCLE))
def test_the_circle_is_gone(start, tmp_path):
    field, named = CIRCLE[start]
    config = tmp_path / "ecosystem.config.cjs"
    head = "const PORTS = {\n  API: 5570, // REST API\n};\n"
    config.write_text(head + f"module.exports = {{ PORTS, apps: [{{ name: 'b', {field} }}] }};\n")
    out = run_portlint("--isolated", "--no-cache", str(config)).stdout
    assert named in out, out
    config.write_text(head + "module.exports = { PORTS, apps: [{ name: 'b', env: { PORT: PORTS.API } }] };\n")
    assert run_portlint("--isolated", "--no-cache", str(config)).returncode == 0


def test_messages_read_as_english(tmp_path):
    config = tmp_path / "ecosystem.config.cjs"
    config.write_text("const PORTS = {\n  API: 4100, // REST API\n};\n"
                      "module.exports = { PORTS, apps: [{ name: 'api', env: { PORT: PORTS.API } }] };\n")
    out = run_portlint("--isolated", "--no-cache", "--role", "any", str(config)).stdout
    assert "an any config takes its ports from" in out, out
    out = run_portlint("--isolated", "--no-cache", str(config)).stdout
    assert "a user config takes its ports from" in out, out
    variant = tmp_path / "ecosystem.dev.config.cjs"
    variant.write_text("const PORTS = {\n  API: 5570, // REST API\n};\n"
                       "module.exports = { PORTS, apps: [{ name: 'dev-api', env: { PORT: PORTS.API } }] };\n")
    out = run_portlint("--isolated", "--no-cache", "--select", "PL502", str(variant)).stdout
    assert "the one port use in this file will not show" in out and "none of the 1" not in out, out
    assert "in ecosystem.config.cjs" in out, out  # names the file PortOS reads
