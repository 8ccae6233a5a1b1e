"""What keeps runs fast without changing what they report (issue 22): a one-file run imports only
what it uses and ends without tearing every module down; the project pass compares claims by port,
not pair by pair; the PortOS brace matcher and the noqa index skip what cannot matter; a serial run
keeps no syntax trees it does not need. Each test checks the result (or counts work), never a time:
speed itself is measured by bench/run.py."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portlint.engine.project import ProjectContext
from portlint.model.portos_scan import matching_brace
from portlint.model.summary import ConfigSummary, PortClaim
from portlint.settings.settings import Settings

CLEAN = textwrap.dedent("""\
    const PORTS = {
      API: 5570, // REST API
      UI: 5571, // web UI
    };
    module.exports = { PORTS, apps: [
      { name: 'shop-api', script: 'server.js', env: { PORT: PORTS.API } },
      { name: 'shop-ui', script: 'vite', args: `--port ${PORTS.UI}`, env: { VITE_PORT: PORTS.UI } },
    ] };
""")

# Run portlint's own entry point the way the console script does, and print at exit (an atexit
# handler, which the early exit must still run) every module the run imported.
SHOW_MODULES = ("import atexit, json, sys\n"
                "atexit.register(lambda: sys.stderr.write('MODULES ' + json.dumps(sorted(sys.modules)) + '\\n'))\n"
                "sys.argv = ['portlint', *sys.argv[1:]]\n"
                "from portlint.cli import console_main\n"
                "console_main()\n")


def _run(args, cwd, **kwargs) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTLINT_")}
    return subprocess.run([sys.executable, "-c", SHOW_MODULES, *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120, env=env, **kwargs)


def _modules(stderr: str) -> set[str]:
    line = next(line for line in stderr.splitlines() if line.startswith("MODULES "))
    return set(json.loads(line.split(" ", 1)[1]))


def test_a_one_file_run_imports_only_what_it_uses_and_still_runs_atexit_handlers(tmp_path):
    from portlint.plugins import BUILTIN_MODULES, entry_points

    (tmp_path / "ecosystem.config.cjs").write_text(CLEAN)
    proc = _run(["ecosystem.config.cjs", "--no-cache"], tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    modules = _modules(proc.stderr)  # the atexit handler ran before the process ended
    assert "portlint.rules.pl2_ranges" in modules and "esprima" in modules  # it did lint
    never = {"importlib.metadata", "difflib", "multiprocessing", "concurrent.futures", "yaml", "urllib.request",
             "http.client", "email", "portlint.fix.apply", "portlint.fix.edits", "portlint.fix.run",
             "portlint.integrations.lsp", "portlint.report.portmap", "portlint.report.htmlmap",
             "portlint.report.formats.json_format", "portlint.report.formats.sarif"}
    third_party = [ep for ep in entry_points() if ep.value not in BUILTIN_MODULES.values()]
    if not third_party:  # pluggy arbitrates only between plugins
        never.add("pluggy")
    assert sorted(never & modules) == []


def test_main_called_by_a_program_raises_system_exit_as_usual(monkeypatch, capsys):
    """Only the console entry point ends the process early; ``main`` returns control to its caller."""
    from portlint.cli import main

    monkeypatch.setattr(sys, "argv", ["portlint", "--version"])
    with pytest.raises(SystemExit) as stop:
        main()
    assert stop.value.code in (0, None) and "portlint" in capsys.readouterr().out


def test_the_whole_report_is_out_before_the_process_ends(tmp_path):
    """Far more than a pipe holds, in JSON (one document, so a cut shows) and to a file."""
    apps = ",\n".join(f"  {{ name: 'svc{i}', env: {{ PORT: {3000 + i} }} }}" for i in range(400))
    (tmp_path / "ecosystem.config.cjs").write_text(f"module.exports = {{ apps: [\n{apps}\n] }};\n")
    proc = _run(["ecosystem.config.cjs", "--no-cache", "--format", "json"], tmp_path)
    assert proc.returncode == 1
    report = json.loads(proc.stdout)
    assert len(proc.stdout) > 200_000 and len(report) >= 400
    proc = _run(["ecosystem.config.cjs", "--no-cache", "--format", "json", "-o", "report.json"], tmp_path)
    assert proc.returncode == 1
    assert json.loads((tmp_path / "report.json").read_text()) == report


def test_a_reader_that_leaves_early_gets_no_traceback(tmp_path):
    apps = ",\n".join(f"  {{ name: 'svc{i}', env: {{ PORT: {3000 + i} }} }}" for i in range(400))
    (tmp_path / "ecosystem.config.cjs").write_text(f"module.exports = {{ apps: [\n{apps}\n] }};\n")
    proc = subprocess.Popen([sys.executable, "-m", "portlint", "ecosystem.config.cjs", "--no-cache"], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout.readline()  # `portlint ... | head -1`
    proc.stdout.close()
    stderr = proc.stderr.read().decode()
    proc.wait(timeout=120)
    assert "Traceback" not in stderr and "Exception ignored" not in stderr, stderr


# --- PL203's project pass -----------------------------------------------------------------------

def _reference_collisions(summaries) -> list[tuple]:
    """PL203's definition, pair by pair: each claim against every earlier claim on its port."""
    from portlint.rules.pl2_ranges import _collide

    seen: dict[int, list] = {}
    reported, pairs, out = set(), [], []
    for summary in sorted(summaries, key=lambda s: s.path):
        for claim in summary.claims:
            earlier = seen.setdefault(claim.port, [])
            found = next(((o, s) for o, s in earlier if _collide(o, s, claim, summary)), None)
            earlier.append((claim, summary))
            if found is None or (claim.identity, claim.port) in reported:
                continue
            owner = found[0]
            if any(p == claim.port and ((x.same_process(claim) and y.same_process(owner))
                                        or (x.same_process(owner) and y.same_process(claim))) for p, x, y in pairs):
                continue
            reported.add((claim.identity, claim.port))
            pairs.append((claim.port, claim, owner))
            out.append((claim.path, claim.row, claim.port, owner.path, owner.row))
    return out


def _claim(path, row, port, identity, binds, copy, envs, variant) -> PortClaim:
    return PortClaim(identity, f"p{identity}", f"p{identity}", "env.PORT", port, path, row, 1, row, 5,
                     binds=binds, copy=copy, envs=envs, variant=variant)


claims = st.tuples(st.sampled_from([5570, 5571, 5572]), st.integers(0, 5), st.booleans(), st.booleans(),
                   st.sampled_from([("",), ("production",), ("", "production")]),
                   st.sampled_from([(), ("f", "a"), ("f", "b")]))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(claims, max_size=6), min_size=1, max_size=6))
def test_the_project_pass_finds_what_pair_by_pair_comparison_finds(configs):
    from portlint.rules.pl2_ranges import PortCollision

    summaries = []
    for i, raw in enumerate(configs):
        path = f"c{i}/ecosystem.config.cjs"
        made = [_claim(path, row + 1, port, (identity,), binds, copy, envs, variant)
                for row, (port, identity, binds, copy, envs, variant) in enumerate(raw)]
        summaries.append(ConfigSummary(path, made, {}, ("", "production")))
    found = [(d.path, d.row, int(d.message.split()[1]), d.related[0].path, d.related[0].row)
             for d in PortCollision(Settings()).check_project(summaries, ProjectContext())]
    assert found == _reference_collisions(summaries)


environment_sets = st.sampled_from([("",), ("", "production"), ("", "staging"), ("", "production", "staging")])
wide_claims = st.tuples(st.sampled_from([5570, 5571]), st.integers(0, 4), st.booleans(), st.booleans(),
                        st.lists(st.sampled_from(["", "production", "staging"]), min_size=1, max_size=3, unique=True),
                        st.sampled_from([(), ("f", "a"), ("f", "b"), ("g", "a")]))


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(environment_sets, st.lists(wide_claims, max_size=8)), min_size=1, max_size=6))
def test_the_indexed_project_pass_agrees_with_pair_by_pair_across_environments(configs):
    """Configs that know different environments, claims that hold in some of them (overridden in
    others), shared variants and identities: the index finds the same owner as the pair-by-pair scan."""
    from portlint.rules.pl2_ranges import PortCollision

    summaries = []
    for i, (environments, raw) in enumerate(configs):
        path = f"c{i}/ecosystem.config.cjs"
        made = [_claim(path, row + 1, port, (identity,), binds, copy, tuple(sorted(e for e in envs if e in environments)
                                                                           or ("",)), variant)
                for row, (port, identity, binds, copy, envs, variant) in enumerate(raw)]
        summaries.append(ConfigSummary(path, made, {}, environments))
    found = [(d.path, d.row, int(d.message.split()[1]), d.related[0].path, d.related[0].row)
             for d in PortCollision(Settings()).check_project(summaries, ProjectContext())]
    assert found == _reference_collisions(summaries)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.sampled_from([(), ("f", "a"), ("f", "b"), ("g", "a")])), max_size=12))
def test_a_bucket_answers_the_earliest_entry_of_another_process_for_any_question(entries):
    """The six entries a bucket keeps answer every (identity, variant) question as a scan would."""
    from types import SimpleNamespace

    from portlint.model.claim_index import _Firsts

    bucket, seen = _Firsts(), []
    for order, (identity, variant) in enumerate(entries):
        entry = (order, SimpleNamespace(identity=(identity,), variant=variant))
        bucket.add(entry)
        seen.append(entry)
        for asked_identity in range(4):
            for asked_variant in [(), ("f", "a"), ("f", "b"), ("g", "a")]:
                expected = next((e for e in seen if e[1].identity != (asked_identity,)
                                 and not (asked_variant and e[1].variant == asked_variant)), None)
                assert bucket.first((asked_identity,), asked_variant) is expected


def test_many_configs_on_one_port_are_not_compared_pair_by_pair(monkeypatch):
    """5,000 configs that all bind 5570: each claim meets the first listener, not every earlier one."""
    import portlint.rules.pl2_ranges as pl2

    calls = []
    real = pl2._collide
    monkeypatch.setattr(pl2, "_collide", lambda *args: calls.append(1) or real(*args))
    summaries = [ConfigSummary(f"c{i:05d}/ecosystem.config.cjs",
                               [_claim(f"c{i:05d}/ecosystem.config.cjs", 3, 5570, (i,), i % 2 == 0, False, ("",), ())],
                               {}, ("",)) for i in range(5000)]
    found = list(pl2.PortCollision(Settings()).check_project(summaries, ProjectContext()))
    assert len(found) == 2500 - 1  # every listener after the first; the WS_PORT-style keys (odd i) refer to it
    assert len(calls) <= 2 * len(summaries)


# --- PortOS's brace matcher (step 3) ----------------------------------------------------------------

def _matching_brace_by_character(text: str, open_at: int) -> int:
    """The matcher as a state machine read one character at a time: what skipping straight to the
    next significant character must equal."""
    state, quote, depth, i = "code", None, 0, open_at
    while i < len(text):
        c, pair = text[i], text[i:i + 2]
        if state == "code" and quote is None and pair in ("//", "/*"):
            state = "line comment" if pair == "//" else "block comment"
        elif state == "line comment":
            state = "code" if c == "\n" else state
        elif state == "block comment":
            if pair == "*/":
                state, i = "code", i + 1
        else:
            backslashes = len(text[:i]) - len(text[:i].rstrip("\\"))
            if c in "\"'`" and backslashes % 2 == 0:
                quote = c if quote is None else (None if c == quote else quote)
            depth += (quote is None and c == "{") - (quote is None and c == "}")
            if quote is None and c == "}" and depth == 0:
                return i
        i += 1
    return -1


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="{}/*\n\"'`\\ ax:", max_size=40))
def test_the_brace_matcher_agrees_with_reading_every_character(text):
    text = "{" + text
    for start in range(len(text)):
        assert matching_brace(text, start) == _matching_brace_by_character(text, start), (text, start)


# --- noqa and memory ---------------------------------------------------------------------------

@pytest.mark.parametrize("comment", ["// NOQA: PL401", "// noqa", "/* Noqa:PL401 */"])
def test_noqa_in_any_case_is_still_found(tmp_path, comment):
    (tmp_path / "ecosystem.config.cjs").write_text(
        "module.exports = { apps: [{ name: 'api', env: { PORT: 5570 } }] }; " + comment + "\n")
    from portlint.engine.noqa import index_for
    from portlint.source.parse import parse
    from portlint.source.read import read_source

    source = read_source(str(tmp_path / "ecosystem.config.cjs"))
    index = index_for(source, parse(source))
    assert 1 in index.rows


def test_a_serial_run_keeps_no_syntax_trees_unless_asked(tmp_path, registry):
    from portlint.engine.pipeline import Engine
    from portlint.settings.settings import Settings

    for i in range(3):
        (tmp_path / f"ecosystem.{i}.config.cjs").write_text(CLEAN)
    paths = sorted(str(p) for p in tmp_path.iterdir())
    assert Engine(Settings(), registry, jobs=1).run(paths).configs == []
    assert len(Engine(Settings(), registry, jobs=1).run(paths, keep_configs=True).configs) == 3
    twice = Engine(Settings(), registry, jobs=1).run(paths + paths[:1])  # a path given twice: still one report
    assert [d.to_data() for d in twice.diagnostics] == [d.to_data() for d in Engine(Settings(), registry).run(paths).diagnostics]
