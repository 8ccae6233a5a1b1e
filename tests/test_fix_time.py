"""What --fix costs, counted in work rather than seconds: each file is linted once more than the
passes it needs, a file with nothing to fix once; and fixing a file (every lint in it included)
stays within the file's one time budget."""
import subprocess
import sys

import pytest

from conftest import ROOT


INNER_NEVER_OUTLASTS = "with time_budget(0.2):\n    with time_budget(3600):\n        while True: pass\n"
OUTER_GOES_ON = "with time_budget(0.3):\n    with time_budget(10):\n        pass\n    while True: pass\n"


@pytest.mark.parametrize("body", [INNER_NEVER_OUTLASTS, OUTER_GOES_ON], ids=["inner-ends-with-outer", "outer-goes-on"])
def test_budgets_nest(body):
    """Fixing lints a file several times, each lint with the file's budget: the lints must end when
    the fix's own budget does, and the fix's budget goes on after each lint (a child process, so
    that a broken nesting cannot hold the suite)."""
    code = ("from portlint.engine.budget import TimeBudgetExceeded, time_budget\ntry:\n"
            + "".join("    " + line + "\n" for line in body.splitlines())
            + "except TimeBudgetExceeded:\n    print('stopped')\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30, cwd=ROOT)
    assert proc.stdout.strip() == "stopped", proc.stderr


CLEAN = ("const PORTS = {{\n  API: {port}, // api\n}};\n"
         "module.exports = {{ PORTS, apps: [{{ name: 'a{n}', script: 'a.js', env: {{ PORT: PORTS.API }} }}] }};\n")
FIXABLE = ("const PORTS = {{\n  API: {port}, // api\n}};\n"
           "module.exports = {{ PORTS, apps: [{{ name: 'a{n}', script: 'a.js', env: {{ PORT: {port} }} }}] }};\n")


def test_fixing_lints_only_what_it_needs(tmp_path, registry, monkeypatch):
    """Ten files, three with a fix: the fix loop lints each file once, and each fixed file once
    more (that lint both verifies the pass and shows that nothing is left to fix)."""
    import contextlib
    import io

    from portlint.commands import lint
    from portlint.commands.options import Options
    from portlint.commands.session import open_session

    for n in range(10):
        folder = tmp_path / f"s{n}"
        folder.mkdir()
        shape = FIXABLE if n < 3 else CLEAN
        (folder / "ecosystem.config.cjs").write_text(shape.format(port=5570 + n, n=n))
    session = open_session(Options(paths=(str(tmp_path),), fix=True, no_cache=True, isolated=True, jobs=1),
                           registry, use_cache=False)
    calls = []
    real = session.engine.lint_file
    monkeypatch.setattr(session.engine, "lint_file", lambda *args: calls.append(args[0]) or real(*args))
    with contextlib.redirect_stderr(io.StringIO()):
        done = lint.apply_fixes(session)
    assert done.files == 3 and done.fixes == 3
    assert len(calls) == 10 + 3
