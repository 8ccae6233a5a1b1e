"""One cause, one finding (issue 29), checked over every fixture of the repository.

The root cause of a diagnostic is what the user must change to cure it
(``portlint.engine.filter.CAUSES``): the number or expression written at its place (``value``:
PL105, PL301, PL202, PL203, PL401, PL402, PL403, PL002, and PL101 where the port it names cannot be
known), the label a key gives a port (``label``), the kind or name of the file (``file``), how
PORTS is written (``ports-form``), one noqa comment (``noqa``); any other diagnostic is its own
cause (its code). No two diagnostics of one run may share a place and a root cause, nor a file and
a file-wide one. And every fix a diagnostic carries is of a kind its code's advice announces."""
import os

import pytest

from conftest import FIXTURES, ROOT


def runs():
    """(folder, paths) of every lint the fixtures stand for: each config alone from its folder,
    and each tree (a project, the example) as a whole."""
    from portlint.source.discover import is_config_name

    out = []
    for path in sorted(FIXTURES.rglob("*")):
        if path.is_file() and is_config_name(path.name):
            out.append((path.parent, [path.name]))
    for tree in sorted((FIXTURES / "projects").iterdir()) + [ROOT / "examples" / "storefront"]:
        out.append((tree, ["."]))
    return out


RUNS = runs()


def _lint(engine, folder, paths, monkeypatch):
    monkeypatch.chdir(folder)
    from portlint.source.discover import discover

    files = [p for given in paths for p in (discover([given]) if os.path.isdir(given) else [given])]
    return engine.run(files).diagnostics


@pytest.mark.parametrize("folder,paths", RUNS, ids=[f"{f.relative_to(ROOT)}:{p[0]}" for f, p in RUNS])
def test_no_two_diagnostics_share_a_place_and_a_root_cause(folder, paths, golden_engine, monkeypatch):
    from portlint.engine.filter import cause_key
    from portlint.model.advice import fix_kinds

    seen: dict[tuple, str] = {}
    for d in _lint(golden_engine, folder, paths, monkeypatch):
        key = cause_key(d)
        assert key not in seen, f"one cause, two findings:\n  {seen[key]}\n  {d.code} {d.message}"
        seen[key] = f"{d.code} {d.message}"
        places = [tuple(r.to_data()[:5]) for r in d.related]
        assert len(places) == len(set(places)), f"{d.code} names one related place twice: {d.related}"
        if d.fix is not None:
            kind = d.fix["applicability"] if isinstance(d.fix, dict) else d.fix.applicability
            assert kind in fix_kinds(d.code), f"{d.code} carries a {kind} fix its advice does not announce"


def test_the_renumbering_reasons_are_codes_with_an_unsafe_fix():
    """The unsafe plan (a move to a free block) is the fix of the codes it names as reasons."""
    import re

    from portlint.model.advice import fix_kinds

    source = (ROOT / "portlint" / "fix" / "renumber.py").read_text()
    reasons = set(re.findall(r'(?:reasons\.append\(|reasons = \[)"(PL\d{3})"', source))
    assert reasons >= {"PL201", "PL202", "PL203", "PL301"}
    assert all("unsafe" in fix_kinds(code) for code in reasons), reasons
