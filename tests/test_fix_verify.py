"""The fix verifier, fed deliberately wrong fixes: each is refused, with a message that names what it
would have broken; and on the command line a refused fix is not written, not counted, and shown."""
import shutil

import pytest

from conftest import FIXTURES, run_portlint

PATH = "ecosystem.config.cjs"

LEGACY = """/*
 * Orders service.
 */
module.exports = {
  apps: [
    { name: 'orders-api', script: 'api.js', env: { NODE_ENV: 'production', PORT: 3000,
      REDIS_URL: 'redis://localhost:6379' } },
    { name: 'orders-web', script: 'web.js', env: { API_URL: 'http://localhost:3000/v1' } },
  ],
};
"""

WITH_PORTS = """const PORTS = {
  API: 5570, // orders-api: API server
};

module.exports = {
  PORTS,
  apps: [
    { name: 'orders-api', script: 'api.js', env: { PORT: PORTS.API, REDIS_URL: 'redis://localhost:6379' } },
    { name: 'orders-web', script: 'web.js', env: { API_URL: `http://localhost:${PORTS.API}/v1` } },
  ],
};
"""
#: The same, with web's URL naming the port literally (what PL401 reports).
LITERAL_URL = WITH_PORTS.replace("`http://localhost:${PORTS.API}/v1`", "'http://localhost:5570/v1'")


@pytest.fixture(scope="module")
def engine(registry):
    from portlint.engine.pipeline import Engine
    from portlint.settings.settings import Settings

    return Engine(Settings(), registry)


def edit(text: str, old: str, new: str, nth: int = 0):
    """The Edit that replaces the ``nth`` occurrence of ``old`` in ``text`` with ``new``."""
    from portlint.fix.data import Edit

    start = -1
    for _ in range(nth + 1):
        start = text.index(old, start + 1)
    return Edit(start, start + len(old), new)


def refusal(engine, text: str, *edits, applicability: str = "safe") -> str | None:
    from portlint.fix.data import Fix
    from portlint.fix.run import verify_fix

    return verify_fix(engine, PATH, text, Fix(applicability, "a wrong fix", tuple(edits)))


def test_a_declaration_inserted_inside_the_header_comment_is_refused(engine):
    # the case: `const PORTS` lands inside the /* */ header, so PORTS is not defined in Node
    at = LEGACY.index(" * Orders service.")
    from portlint.fix.data import Edit

    why = refusal(engine, LEGACY, Edit(at, at, "const PORTS = { API: 3000 };\n"), edit(LEGACY, "PORT: 3000", "PORT: PORTS.API"))
    assert why is not None and why.startswith("the result changes apps[0] (orders-api).env.PORT ('3000' → unknown ("), why


def test_a_changed_connection_url_is_refused(engine):
    why = refusal(engine, LEGACY, edit(LEGACY, "6379", "5571"))
    assert why == ("the result changes apps[0] (orders-api).env.REDIS_URL ('redis://localhost:6379' → "
                   "'redis://localhost:5571')")
    # an unsafe fix may not touch it either
    assert refusal(engine, LEGACY, edit(LEGACY, "6379", "5571"), applicability="unsafe") == why


def test_a_changed_env_value_is_refused(engine):
    why = refusal(engine, LEGACY, edit(LEGACY, "'production'", "'development'"))
    assert why == "the result changes apps[0] (orders-api).env.NODE_ENV ('production' → 'development')"


def test_a_dropped_or_added_key_is_refused(engine):
    assert refusal(engine, LEGACY, edit(LEGACY, "NODE_ENV: 'production', ", "")) == \
        "the result drops apps[0] (orders-api).env.NODE_ENV ('production')"
    assert refusal(engine, LEGACY, edit(LEGACY, "script: 'web.js', ", "script: 'web.js', instances: 2, ")) == \
        "the result adds apps[1] (orders-web).instances (2)"


def test_a_fix_that_does_not_parse_is_refused(engine):
    why = refusal(engine, LEGACY, edit(LEGACY, "PORT: 3000", "PORT: 3000}"))
    assert why is not None and why.startswith("the result does not parse (syntax error")


def test_a_fix_that_adds_a_finding_is_refused(engine):
    # dropping the entry's comment changes no value, but brings PL104 (a port without a comment)
    why = refusal(engine, WITH_PORTS, edit(WITH_PORTS, " // orders-api: API server", ""))
    assert why is not None and why.startswith("the result has PL104, which the file did not have ("), why


def test_a_fix_that_keeps_what_pm2_sees_passes(engine):
    assert refusal(engine, LITERAL_URL, edit(LITERAL_URL, "'http://localhost:5570/v1'",
                                             "`http://localhost:${PORTS.API}/v1`")) is None
    # a number written as a string in env is the same to the process: env values are strings
    assert refusal(engine, LEGACY, edit(LEGACY, "PORT: 3000", "PORT: '3000'")) is None


def _views(engine, before: str, after: str):
    from portlint.fix.view import pm2_view

    return [pm2_view(engine.lint_file(PATH, text)[0].exports) for text in (before, after)]


def test_a_move_that_splits_a_shared_port_is_refused(engine):
    """The plan moves API 5570 -> 5580; web's URL names 5570 literally and stays: the two processes
    that met on 5570 would no longer meet."""
    from portlint.fix.verify import Move, broken, connection_key
    from portlint.settings.settings import Settings

    moved = LITERAL_URL.replace("API: 5570", "API: 5580")
    why = broken(*_views(engine, LITERAL_URL, moved), Move({5570: 5580}), connection_key(Settings()))
    assert why == ("the result gives apps[1] (orders-web).env.API_URL 'http://localhost:5570/v1', but the plan moves "
                   "it from 'http://localhost:5570/v1' to 'http://localhost:5580/v1'")
    followed = moved.replace("localhost:5570", "localhost:5580")
    assert broken(*_views(engine, LITERAL_URL, followed), Move({5570: 5580}), connection_key(Settings())) is None


def test_a_move_that_changes_a_connection_or_another_number_is_refused(engine):
    from portlint.fix.verify import Move, broken, connection_key
    from portlint.settings.settings import Settings

    redis = LITERAL_URL.replace("API: 5570", "API: 5580").replace("localhost:5570", "localhost:5580")
    moved_redis = redis.replace("6379", "5581")
    assert broken(*_views(engine, LITERAL_URL, moved_redis), Move({5570: 5580, 6379: 5581}), connection_key(Settings())) \
        == "the result changes apps[0] (orders-api).env.REDIS_URL ('redis://localhost:6379' → 'redis://localhost:5581')"
    timeout = LITERAL_URL.replace("script: 'api.js', ", "script: 'api.js', kill_timeout: 5570, ")
    moved = timeout.replace("API: 5570", "API: 5580").replace("localhost:5570", "localhost:5580") \
        .replace("kill_timeout: 5570", "kill_timeout: 5580")
    assert broken(*_views(engine, timeout, moved), Move({5570: 5580}), connection_key(Settings())) == \
        "the result changes apps[0] (orders-api).kill_timeout (5570 → 5580)"


def test_the_fix_loop_refuses_a_fix_that_never_settles(engine, monkeypatch):
    """A fix that offers itself again after every pass: the loop gives up on it and keeps the rest."""
    from portlint.fix import edits
    from portlint.fix.apply import MAX_PASSES, fix_text
    from portlint.fix.data import Edit

    monkeypatch.setattr(edits, "export_ports", lambda config: [Edit(len(config.source.text), len(config.source.text), " ")])
    text = WITH_PORTS.replace("  PORTS,\n", "")
    outcome = fix_text(engine, PATH, text, unsafe=False)
    assert outcome.text == text and outcome.applied == []
    assert [(r.code, r.reason) for r in outcome.refused] == [
        ("PL103", f"fixing does not settle: after {MAX_PASSES} passes it still changes the file")]


def test_the_fix_loop_refuses_the_pass_that_brought_a_new_code(engine, monkeypatch):
    """PL103's (wrong) fix also drops the entry's comment: the result has PL104, which the file did
    not have; the fix is refused, the file is left as it was, and the reason names PL104."""
    from portlint.fix import edits
    from portlint.fix.data import Edit

    real = edits.export_ports

    def also_drops_the_comment(config):
        text = config.source.text
        at = text.find(" // orders-api: API server")
        return real(config) + ([Edit(at, at + len(" // orders-api: API server"), "")] if at >= 0 else [])

    monkeypatch.setattr(edits, "export_ports", also_drops_the_comment)
    from portlint.fix.apply import fix_text

    text = WITH_PORTS.replace("  PORTS,\n", "")
    outcome = fix_text(engine, PATH, text, unsafe=False)
    assert outcome.text == text
    assert [r.code for r in outcome.refused] == ["PL103"]
    assert outcome.refused[0].reason.startswith("the result has PL104, which the file did not have (")


def test_on_the_command_line_a_refused_fix_is_shown_not_written_not_counted(tmp_path, monkeypatch):
    """The CLI path (the same one pre-commit runs): one line naming the file, the rule and what the
    fix would have broken; the file is untouched; no "Fixed"; the findings remain (exit 1);
    --diff shows the refusal and no diff."""
    from click.testing import CliRunner

    from portlint.cli import cli
    from portlint.fix import introduce_ports
    from portlint.fix.data import Edit

    def inside_the_comment(config):
        text = config.source.text
        at = text.index(" * Orders service.")
        port = text.index("PORT: 3000") + len("PORT: ")
        return introduce_ports.Introduction(
            [Edit(at, at, "const PORTS = { API: 3000 };\n"), Edit(port, port + 4, "PORTS.API")], "Introduce PORTS (API: 3000)")

    monkeypatch.setattr(introduce_ports, "introduce_ports", inside_the_comment)
    config = tmp_path / PATH
    config.write_text(LEGACY)
    runner = CliRunner(mix_stderr=False) if "mix_stderr" in CliRunner.__init__.__code__.co_varnames else CliRunner()
    result = runner.invoke(cli, [str(config), "--fix", "--isolated", "--no-cache"])
    assert config.read_text() == LEGACY
    assert result.exit_code == 1
    line = next(l for l in result.stderr.splitlines() if l.startswith("portlint: fix refused:"))
    assert line.startswith(f"portlint: fix refused: {config}: PL101 (Introduce PORTS (API: 3000)): the result changes "
                           "apps[0] (orders-api).env.PORT ('3000' → unknown (")
    assert "Fixed 1" not in result.stderr and "No fix applied; 1 fix refused (see above)." in result.stderr
    diff = runner.invoke(cli, [str(config), "--diff", "--isolated", "--no-cache"])
    assert diff.exit_code == 1 and diff.stdout == "" and "portlint: fix refused:" in diff.stderr
    assert "0 fixes in 0 files would be applied; 1 fix refused (see above)" in diff.stderr


def test_every_fixture_fixes_without_a_refusal_that_breaks_its_own_promise(engine, tmp_path):
    """Over the repository's own fix fixtures the verifier accepts what the goldens show (a refusal
    there would mean a golden shows a broken fix)."""
    from portlint.fix.run import fix_files

    for case in sorted((FIXTURES / "fixes").iterdir()):
        config = next(p for p in sorted(case.iterdir()) if p.name.startswith("ecosystem") and "." in p.suffix
                      and not p.name.endswith(("fixed", "expected")))
        work = tmp_path / case.name
        shutil.copytree(case, work)
        path = str(work / config.name)
        outcome = fix_files(engine, {path: config.read_text(encoding="utf-8")}, unsafe=True)[path]
        golden = config.with_name(config.name + ".unsafe-fixed")
        expected = golden.read_text(encoding="utf-8") if golden.exists() else config.read_text(encoding="utf-8")
        assert outcome.text == expected, (case.name, [r.line() for r in outcome.refused])


def test_the_readme_refused_fix_is_what_portlint_prints(tmp_path):
    """README "Adopting the policy" shows a real refusal: the plan would move an API a JSON config
    (which portlint cannot rewrite) calls by URL. The safe part is written, the move is not."""
    import re

    from conftest import ROOT, run_portlint

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```console\n\$ portlint --fix --unsafe-fixes shop/\n(.*?)```", readme, re.S).group(1)
    (tmp_path / "shop" / "api").mkdir(parents=True)
    (tmp_path / "shop" / "web").mkdir()
    (tmp_path / "shop" / "api" / "ecosystem.config.cjs").write_text(
        "module.exports = {\n  apps: [{ name: 'shop-api', script: 'server.js', env: { PORT: 3000 } }],\n};\n")
    web = ('{ "apps": [{ "name": "shop-web", "script": "web.js", '
           '"env": { "PORT": 5571, "API_URL": "http://localhost:3000" } }] }\n')
    (tmp_path / "shop" / "web" / "ecosystem.config.json").write_text(web)
    proc = run_portlint("--fix", "--unsafe-fixes", "--isolated", "--no-cache", "shop/", cwd=tmp_path)
    assert proc.stderr == block
    assert proc.returncode == 1  # PORTS.API keeps its PL301
    fixed = (tmp_path / "shop" / "api" / "ecosystem.config.cjs").read_text()
    assert "API: 3000, // shop-api" in fixed and "PORT: PORTS.API" in fixed
    assert (tmp_path / "shop" / "web" / "ecosystem.config.json").read_text() == web
