"""Adopting the policy in one command: PL101's safe fix introduces PORTS, --unsafe-fixes moves
configs to free blocks. Golden before / after-safe / after-unsafe folders (fixtures/migrate/, each
folder one run), Node.js as the oracle of what every process really gets, and the refusals."""
import json
import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES, run_portlint
from test_node_oracle import require_node, run_oracle

MIGRATE = FIXTURES / "migrate"
CASES = sorted(p for p in MIGRATE.iterdir() if p.is_dir())
LEFT_BEHIND = {"PL101", "PL201", "PL202", "PL203", "PL301", "PL401", "PL402", "PL403"}
#: Migration cases that cannot migrate, with the codes they keep and why (the golden shows them unchanged).
KEEPS = {"exports-array": ({"PL101", "PL301"}, "`module.exports = [...]` cannot carry PORTS: reshaping it is the author's call")}


def configs_in(folder: Path) -> list[Path]:
    from portlint.source.discover import is_config_name

    return sorted(p for p in folder.rglob("*") if p.is_file() and is_config_name(p.name))


def migrated(case: Path, tmp_path: Path, *flags: str) -> Path:
    work = tmp_path / case.name
    shutil.copytree(case, work, ignore=shutil.ignore_patterns("*.fixed", "*.unsafe-fixed", "*.expected"))
    proc = run_portlint(str(work), "--fix", *flags, "--isolated", "--no-cache")
    assert proc.returncode in (0, 1) and "Traceback" not in proc.stderr, proc.stderr
    return work


@pytest.mark.parametrize("unsafe", [False, True], ids=["safe", "unsafe"])
@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_golden_migration(case, unsafe, tmp_path, registry):
    flags = ("--unsafe-fixes",) if unsafe else ()
    work = migrated(case, tmp_path, *flags)
    suffix = ".unsafe-fixed" if unsafe else ".fixed"
    for original in configs_in(case):
        fixed = work / original.relative_to(case)
        assert fixed.read_bytes() == original.with_name(original.name + suffix).read_bytes(), fixed
    before = {p: p.read_bytes() for p in configs_in(work)}
    run_portlint(str(work), "--fix", *flags, "--isolated", "--no-cache")
    assert {p: p.read_bytes() for p in configs_in(work)} == before  # a second run is a no-op
    diff = run_portlint(str(work), "--diff", *flags, "--isolated", "--no-cache")
    assert diff.returncode == 0 and diff.stdout == ""
    data = json.loads(run_portlint(str(work), "--format", "json", "--isolated", "--no-cache").stdout)
    codes = {d["code"] for d in data}
    assert codes <= _codes(registry, configs_in(case)), data  # no fix brings a code the run did not have
    if unsafe:
        assert not codes & LEFT_BEHIND - KEEPS.get(case.name, (set(),))[0], data  # these shapes migrate cleanly
    else:
        assert "PL103" not in codes and "PL401" not in codes


def _codes(registry, files: list[Path]) -> set[str]:
    from portlint.engine.pipeline import Engine
    from portlint.settings.settings import Settings

    return {d.code for d in Engine(Settings(), registry).run([str(f) for f in files]).diagnostics}


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_exports_before_and_after_in_node(case, tmp_path):
    """Node loads each golden before and after (the same folder, an empty environment): after --fix
    the exports are the same but for the new PORTS; after --fix --unsafe-fixes only port numbers
    differ, each old one to one new one in the user range within each config (across configs, see
    test_node_agrees), no connection changes, and the only new env keys are VITE_PORT/PORT holding
    the port the app gets from --port."""
    from node_exports import check_moves, dump_exports, port_changes, value_at, without_new_ports

    originals = configs_in(case)
    seen = {}
    for variant in ("before", ".fixed", ".unsafe-fixed"):
        root = tmp_path / variant.strip(".") / case.name
        targets = []
        for original in originals:
            target = root / original.relative_to(case)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(original if variant == "before" else original.with_name(original.name + variant), target)
            targets.append(target)
        dumped = dump_exports(targets, [root])
        seen[variant] = [dumped[str(t)] for t in targets]
    for original, before, safe, unsafe in zip(originals, *seen.values()):
        where = str(original.relative_to(case))
        assert "error" not in before and "error" not in safe and "error" not in unsafe, (where, safe, unsafe)
        assert port_changes(before["exports"], without_new_ports(before["exports"], safe["exports"])) == [], where
        added: list = []
        moved = port_changes(before["exports"], without_new_ports(before["exports"], unsafe["exports"]), added=added)
        check_moves(moved, {place: str(value_at(before["exports"], place)) for place, _, _ in moved})
        for place, value in added:  # VITE_PORT / PORT beside --port: the port the app listens on
            keys = value if place.endswith(".env") and isinstance(value, dict) else {place.rsplit(".", 1)[-1]: value}
            app = value_at(unsafe["exports"], place.rsplit(".env", 1)[0])
            for key, port in keys.items():
                assert key in ("VITE_PORT", "PORT") and str(port) in json.dumps(app.get("args")), (where, place, app)


def _ports_by_process(seen: dict, root: Path, files: list[Path]) -> dict:
    return {(str(f.relative_to(root)), app["name"]): tuple(app["ports"]) for f in files for app in seen[str(f)]["apps"]}


def _partition(ports: dict) -> set:
    by_port: dict[int, set] = {}
    for process, plist in ports.items():
        for port in plist:
            by_port.setdefault(port, set()).add(process)
    return {frozenset(group) for group in by_port.values()}


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_node_agrees(case, tmp_path, registry):
    """--fix: every process gets the same ports; --fix --unsafe-fixes: new ports in the user
    range, one contiguous block per config, the same partition of processes by port over the
    whole run (a URL in web/ naming api/'s port moves with it)."""
    require_node()
    originals = configs_in(case)
    safe, unsafe = [], []
    for original in originals:
        for suffix, bucket in ((".fixed", safe), (".unsafe-fixed", unsafe)):
            target = tmp_path / suffix.strip(".") / original.relative_to(case)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(original.with_name(original.name + suffix), target)
            bucket.append(target)
    seen = run_oracle(originals + safe + unsafe)
    assert not [v for v in seen.values() if "error" in v], seen
    before = _ports_by_process(seen, case, originals)
    assert _ports_by_process(seen, tmp_path / "fixed", safe) == before
    after = _ports_by_process(seen, tmp_path / "unsafe-fixed", unsafe)
    for name in {k[0] for k in before}:  # within a config: the same partition of processes by port
        assert _partition({k: v for k, v in after.items() if k[0] == name}) == \
            _partition({k: v for k, v in before.items() if k[0] == name}), name
    for group in _partition(after):  # across configs: processes on one port were on one port before (a URL
        assert any(group <= earlier for earlier in _partition(before)), group  # in web/ follows api/)
    if case.name in KEEPS:
        return
    for original, target in zip(originals, unsafe):
        name = str(original.relative_to(case))
        mine = {k: v for k, v in after.items() if k[0] == name}
        block, others = _block_and_others(registry, target)  # with increment_var's ports, which Node does not list
        ports = {p for plist in mine.values() for p in plist} - others
        assert ports <= block and all(5570 <= p <= 5599 for p in block), (ports, block)
        assert sorted(block) == list(range(min(block), max(block) + 1)) if block else True, block


def _block_and_others(registry, path: Path) -> tuple[set[int], set[int]]:
    """The config's block, and the ports it names without allocating them: connections (DB_PORT,
    REDIS_URL) and references to ports of other configs or of no process of the run."""
    from portlint.engine.pipeline import Engine
    from portlint.settings.settings import Settings

    config, _ = Engine(Settings(), registry).lint_file(str(path))
    block = config.block()
    return block, {p for u in config.uses() if not u.kind.occupies for p in u.ports} - block


def test_show_fixes_lists_each_move_and_diff_shows_the_whole_plan(tmp_path):
    work = tmp_path / "two-configs"
    shutil.copytree(MIGRATE / "two-configs", work, ignore=shutil.ignore_patterns("*.fixed", "*.unsafe-fixed", "*.expected"))
    before = {p: p.read_bytes() for p in configs_in(work)}
    diff = run_portlint(str(work), "--diff", "--unsafe-fixes", "--isolated", "--no-cache")
    assert diff.returncode == 1
    assert "+  BLOG_API: 5570, // blog: API server (env.PORT)" in diff.stdout
    assert "+  API: 5572, // shop: API server (env.PORT)" in diff.stdout  # the second config, after the first
    assert {p: p.read_bytes() for p in configs_in(work)} == before
    proc = run_portlint(str(work), "--fix", "--unsafe-fixes", "--show-fixes", "--isolated", "--no-cache")
    assert "  move BLOG_API 3000 → 5570\n  move BLOG_ADMIN_API 3002 → 5571\n" in proc.stderr
    assert "  move API 3000 → 5572\n" in proc.stderr


def test_fix_alone_never_changes_a_port_number(tmp_path):
    work = migrated(MIGRATE / "two-configs", tmp_path)
    text = (work / "shop" / "ecosystem.config.cjs").read_text()
    assert "API: 3000," in text and "5570" not in text


def test_no_room_says_so_and_changes_nothing(tmp_path):
    (tmp_path / "portlint.toml").write_text('ranges = { user = "5570-5571" }\n')
    config = tmp_path / "ecosystem.config.cjs"
    shutil.copyfile(MIGRATE / "url-to-api" / "ecosystem.config.cjs", config)
    (tmp_path / "other.config.cjs").write_text("")  # not a config name: ignored
    taken = tmp_path / "taken" / "ecosystem.config.cjs"
    taken.parent.mkdir()
    taken.write_text("const PORTS = {\n  API: 5571, // x: API\n};\nmodule.exports = { PORTS, apps: "
                     "[{ name: 'x', script: 'x.js', env: { PORT: PORTS.API } }] };\n")
    proc = run_portlint(str(tmp_path), "--fix", "--unsafe-fixes", "--no-cache")
    assert ("cannot move to a free block: the user range 5570-5571 has 1 free port and this config needs 2: "
            "1 missing; nothing was moved; its ports are left as they are") in proc.stderr
    assert (MIGRATE / "url-to-api" / "ecosystem.config.cjs.fixed").read_text() == config.read_text()


def test_no_room_for_the_run_moves_nothing(tmp_path):
    """Two configs must move and the range holds one of them: neither moves (a half-done migration
    is not what the user asked for), and both say how many ports the range is missing."""
    (tmp_path / "portlint.toml").write_text('ranges = { user = "5570-5572" }\n')
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "ecosystem.config.cjs").write_text(
            "module.exports = { apps: [\n"
            f"  {{ name: '{name}-api', script: 'a.js', env: {{ PORT: 3000 }} }},\n"
            f"  {{ name: '{name}-ui', script: 'u.js', env: {{ PORT: 3001 }} }},\n] }};\n")
    proc = run_portlint(str(tmp_path), "--fix", "--unsafe-fixes", "--no-cache")
    assert proc.stderr.count("the user range 5570-5572 has 3 free ports and 2 configs need 4: 1 missing; "
                             "nothing was moved") == 2, proc.stderr
    for name in ("a", "b"):
        assert "API: 3000," in (tmp_path / name / "ecosystem.config.cjs").read_text()  # the safe part is done


def test_a_root_config_named_alone_brings_the_configs_it_requires(tmp_path):
    """`portlint ecosystem.config.js` on a root that spreads its services' apps: each service's
    findings are reported in its own file, and the migration edits the services (issue 27 item 6)."""
    case = MIGRATE / "root-requires"
    shutil.copytree(case, tmp_path / "store", ignore=shutil.ignore_patterns("*.fixed", "*.unsafe-fixed", "*.expected"))
    work = tmp_path / "store"
    proc = run_portlint("ecosystem.config.js", "--isolated", "--no-cache", cwd=work)
    assert proc.returncode == 1
    assert "services/orders/ecosystem.config.js:7:20: PL101 orders-api gets port 3000" in proc.stdout, proc.stdout
    assert "services/storefront/ecosystem.config.js:7:21: PL101 storefront gets port 5173" in proc.stdout
    both = run_portlint("ecosystem.config.js", "services/orders/ecosystem.config.js", "--isolated", "--no-cache", cwd=work)
    assert both.stdout == proc.stdout  # named and required: linted once
    run_portlint("ecosystem.config.js", "--fix", "--unsafe-fixes", "--isolated", "--no-cache", cwd=work)
    for original in configs_in(case):
        fixed = work / original.relative_to(case)
        assert fixed.read_text() == original.with_name(original.name + ".unsafe-fixed").read_text(), fixed


def test_a_port_outside_ports_is_not_left_behind(tmp_path):
    """A computed use that does not read PORTS would stay on the old number: the move is refused."""
    config = tmp_path / "ecosystem.config.cjs"
    config.write_text("const BASE = 2999;\nmodule.exports = { apps: [\n"
                      "  { name: 'api', script: 'a.js', env: { PORT: 3000 } },\n"
                      "  { name: 'probe', script: 'p.js', env: { TARGET_PORT: BASE + 1 } },\n] };\n")
    proc = run_portlint(str(config), "--fix", "--unsafe-fixes", "--no-cache", "--isolated")
    assert "probe gets 3000 from env.TARGET_PORT without PORTS; moving PORTS would leave it behind" in proc.stderr
    assert "API: 3000" in config.read_text()


def test_json_and_yaml_keep_the_advice(tmp_path):
    """The chosen path for JSON/YAML: no second file is written; PL101 says how to move to .cjs."""
    for name in ("ecosystem.json", "ecosystem.yaml"):
        shutil.copyfile(next((FIXTURES / "rules" / "PL101").rglob(name)), tmp_path / name)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    proc = run_portlint(str(tmp_path), "--fix", "--unsafe-fixes", "--no-cache", "--isolated")
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before
    assert proc.stdout.count("PL101") == 2 and "move the config to ecosystem.config.cjs" in proc.stdout


def test_live_portos_ports_count_as_taken(registry):
    from portlint.engine.pipeline import Engine
    from portlint.fix.renumber import plan_moves
    from portlint.integrations.portos_api import PortosPort
    from portlint.settings.settings import Settings

    engine = Engine(Settings(), registry)
    path = MIGRATE / "one-app" / "ecosystem.config.js"
    config, _ = engine.lint_file(str(path), path.with_name(path.name + ".fixed").read_text())
    live = [PortosPort(5570, "other", "other-api", "api"), PortosPort(5571, "mine", "notes-api", "api")]
    (plan,) = plan_moves([config], engine.settings_for, live)
    assert plan.moves == [("API", 3000, 5571)]  # 5570 is taken by another app; notes-api's own 5571 is not


def test_the_kind_of_a_use_is_decided_in_one_place(lint_text, registry, tmp_path):
    from portlint.engine.pipeline import Engine
    from portlint.fix.introduce_ports import use_kind
    from portlint.settings.settings import Settings

    path = tmp_path / "ecosystem.config.cjs"
    path.write_text("module.exports = { apps: [\n"
                    "  { name: 'api', script: 'a.js', env: { PORT: 3000, DB_PORT: 5432, WS_PORT: 3005 } },\n"
                    "  { name: 'ui', script: 'u.js', env: { API_PORT: 3000 } },\n] };\n")
    config, _ = Engine(Settings(), registry).lint_file(str(path))
    kinds = {(u.process.name, u.key): use_kind(u, config) for u in config.uses()}
    assert kinds == {("api", "PORT"): "listen", ("api", "DB_PORT"): "connection", ("api", "WS_PORT"): "listen",
                     ("ui", "API_PORT"): "reference"}


def test_readme_example_is_the_golden_fixture():
    """The before/after example of README's "Adopting the policy" is the api-vite-ui fixture."""
    import re

    readme = (FIXTURES.parent / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Adopting the policy"):]
    blocks = re.findall(r"```js\n(.*?)```", section, re.S)
    case = MIGRATE / "api-vite-ui" / "ecosystem.config.cjs"
    assert blocks[0] == case.read_text() and blocks[1] == case.with_name(case.name + ".unsafe-fixed").read_text()


def test_variants_move_together_and_do_not_collide(tmp_path):
    """A dev variant lists the same processes: both files get the same block, and they are one
    process each, not a PL203 collision (the spec's "variants")."""
    for name, extra in (("ecosystem.config.cjs", ""), ("ecosystem.dev.config.cjs", "watch: true, ")):
        (tmp_path / name).write_text(
            "module.exports = {\n  apps: [\n"
            f"    {{ name: 'wiki', script: 'wiki.js', {extra}env: {{ PORT: 8080 }} }},\n"
            f"    {{ name: 'wiki-search', script: 'search.js', {extra}env: {{ PORT: 8081 }} }},\n"
            "  ],\n};\n")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "ecosystem.config.cjs").write_text(
        "module.exports = { apps: [{ name: 'wiki', script: 'w.js', env: { PORT: 8080 } }] };\n")
    proc = run_portlint(str(tmp_path), "--fix", "--unsafe-fixes", "--isolated", "--no-cache")
    for name in ("ecosystem.config.cjs", "ecosystem.dev.config.cjs"):
        assert "  WIKI_API: 5570, // wiki: API server (env.PORT)\n  WIKI_SEARCH_API: 5571," in (tmp_path / name).read_text()
    assert "API: 5572" in (tmp_path / "other" / "ecosystem.config.cjs").read_text()  # another folder: another process
    assert "PL203" not in proc.stdout, proc.stdout


def test_a_requiring_config_follows_the_config_it_requires(tmp_path):
    """ecosystem.all.config.cjs lists the apps of ecosystem.config.cjs: only that file changes."""
    (tmp_path / "ecosystem.config.cjs").write_text(
        "module.exports = {\n  apps: [\n    { name: 'crm-api', script: 'api.js', env: { PORT: 3000 } },\n  ],\n};\n")
    wrapper = "const base = require('./ecosystem.config.cjs');\n\nmodule.exports = { apps: [...base.apps] };\n"
    (tmp_path / "ecosystem.all.config.cjs").write_text(wrapper)
    proc = run_portlint(str(tmp_path), "--fix", "--unsafe-fixes", "--isolated", "--no-cache")
    assert "API: 5570, // crm-api" in (tmp_path / "ecosystem.config.cjs").read_text()
    assert (tmp_path / "ecosystem.all.config.cjs").read_text() == wrapper
    assert "fix not applied" not in proc.stderr and "PL203" not in proc.stdout, proc.stdout + proc.stderr


#: Fixture configs that keep a finding after the migration, and why (the shapes it cannot fix
#: without guessing). Every other JS fixture with one of LEFT_BEHIND migrates cleanly.
CANNOT_MIGRATE = {
    "rules/PL203/same-config/ecosystem.config.cjs": "two processes listen on one port: splitting them is a choice",
    "rules/PL203/deploy-beats-port/ecosystem.config.cjs": "deploy.production.env.PORT gives two apps one port",
    "rules/PL002/instances-huge/ecosystem.config.cjs": "a billion instances with increment_var fit no range",
    "rules/PL301/serve-default/ecosystem.config.cjs": "PM2's static server on its default 8080, written nowhere",
    "portos/args-and-port/ecosystem.config.cjs": "PM2's static server on its default 8080 (`serve --port=N` "
                                                  "is no port argument), written nowhere",
    "rules/PL401/literals/ecosystem.config.cjs": "two UI processes listen on 5571",
    "fixes/literals/ecosystem.config.cjs": "two UI processes listen on 5571",
    "evaluator/loop-workers/ecosystem.config.cjs": "ports computed in a loop (BASE + i), not written in PORTS "
                                                    "(its own settings allow them; this test lints with defaults)",
    "kinds/two-listeners/ecosystem.config.cjs": "two processes bind one port: splitting them is a choice",
    "kinds/env-production/swap/ecosystem.config.cjs": "two processes bind one port in production",
    "portos/constants/ecosystem.config.cjs": "two processes bind one port (PortOS detector fixture)",
    "portos/env-blocks/ecosystem.config.cjs": "two processes bind one port (PortOS detector fixture)",
    "precision/unresolvable-no-ports/ecosystem.config.cjs": "the port comes from the environment: which one is a decision",
    "precision/collision-repeat/ecosystem.config.cjs": "two processes bind one port: splitting them is a choice",
    "precision/two-well-known-at-one-place/ecosystem.config.cjs": "80 or 3000, chosen when the file is loaded",
    "portos/ports-block/ecosystem.config.cjs": "a PORTS entry holds PostgreSQL's 5432, a port the config connects to",
    "fixes/unfixable/ecosystem.config.cjs": "a literal above PORTS and a string with escapes",
    "evaluator/loop-bound-default/ecosystem.config.cjs": "ports computed in a loop from an environment default, "
                                                          "and a collision that is a choice",
    "evaluator/try-catch-mode/ecosystem.config.cjs": "a PORTS entry that is a conditional on a value read at run time "
                                                      "(its own settings allow its ports)",
    "advice/PL101-array/ecosystem.config.cjs": "`module.exports = [...]` cannot carry PORTS (PL101 says so)",
    "kinds/url-fallback/ecosystem.config.cjs": "two URLs name 5590, a port no process of the run listens on: "
                                               "never renumbered, and not this config's to put in PORTS (PL403)",
    "advice/PL401-ports-object/ecosystem.config.cjs": "a per-app ports object: PortOS reads it only as numbers, "
                                                      "and which nested PORTS entry it becomes is a choice",
    "portos/ports-object/ecosystem.config.cjs": "a per-app ports object (PortOS detector fixture)",
    "precision/repeat-from-required-file/ecosystem.config.cjs": "a URL repeats a port a required helper file writes "
                                                                "(not a config portlint fixes): which file holds its "
                                                                "PORTS entry is a choice",
}


def _legacy_fixtures():
    from portlint.source.discover import is_config_name

    return sorted(p for p in FIXTURES.rglob("*") if p.is_file() and is_config_name(p.name)
                  and p.suffix in (".js", ".cjs", ".mjs") and "migrate" not in p.relative_to(FIXTURES).parts)


def test_the_repository_fixtures_migrate(registry, tmp_path):
    """`portlint --fix --unsafe-fixes` over each fixture config that has PL101/2xx/301/40x findings
    leaves none of them, except the shapes listed in CANNOT_MIGRATE."""
    from portlint.engine.pipeline import Engine
    from portlint.fix.run import fix_files
    from portlint.settings.settings import Settings

    engine = Engine(Settings(), registry)
    migrated_cleanly, left = [], {}
    for n, original in enumerate(_legacy_fixtures()):
        work = tmp_path / str(n)
        shutil.copytree(original.parent, work)
        path = work / original.name
        before = {d.code for d in engine.run([str(path)]).diagnostics} & LEFT_BEHIND
        if not before:
            continue
        outcome = fix_files(engine, {str(path): path.read_text(encoding="utf-8")}, unsafe=True)[str(path)]
        path.write_text(outcome.text, encoding="utf-8")
        after = {d.code for d in engine.run([str(path)]).diagnostics} & LEFT_BEHIND
        name = str(original.relative_to(FIXTURES))
        if after:
            left[name] = after
        else:
            migrated_cleanly.append(name)
    assert set(left) == set(CANNOT_MIGRATE), left
    assert len(migrated_cleanly) >= 20, migrated_cleanly


def test_json_ports_count_as_taken(tmp_path):
    """A JSON config cannot move, but the block a JS config moves to avoids its ports."""
    (tmp_path / "legacy").mkdir()
    (tmp_path / "legacy" / "ecosystem.json").write_text('{ "apps": [{ "name": "old", "script": "o.js", "env": { "PORT": 5570 } }, { "name": "old-ui", "script": "u.js", "env": { "PORT": 8080 } }] }\n')
    shutil.copyfile(MIGRATE / "one-app" / "ecosystem.config.js", tmp_path / "ecosystem.config.js")
    proc = run_portlint(str(tmp_path), "--fix", "--unsafe-fixes", "--isolated", "--no-cache")
    assert "API: 5571 // notes-api" in (tmp_path / "ecosystem.config.js").read_text()
    assert "legacy/ecosystem.json: cannot move to a free block: a JSON config cannot hold a PORTS constant" in proc.stderr


@pytest.mark.parametrize("name, text, export", [
    ("ecosystem.config.cjs", "module.exports.apps = [\n  { name: 'feed', script: 'f.js', env: { PORT: 5570 } },\n];\n",
     "module.exports.PORTS = PORTS;"),
    ("ecosystem.config.cjs", "exports.apps = [\n  { name: 'feed', script: 'f.js', env: { PORT: 5570 } },\n];\n",
     "module.exports.PORTS = PORTS;"),
    ("ecosystem.config.mjs", "export const apps = [\n  { name: 'feed', script: 'f.mjs', env: { PORT: 5570 } },\n];\n",
     "export const PORTS = {"),
    ("ecosystem.config.mjs", "export default {\n  apps: [{ name: 'feed', script: 'f.mjs', env: { PORT: 5570 } }],\n};\n",
     "export default {\n  PORTS,"),
])
def test_ports_are_exported_in_the_shape_the_config_exports(name, text, export, tmp_path):
    """PL101's fix exports what it declares, in the config's own shape, so no PL103 follows (issue 27
    item 5); Node sees PORTS beside the same apps."""
    from node_exports import dump_exports

    path = tmp_path / name
    path.write_text(text)
    proc = run_portlint(str(path), "--fix", "--isolated", "--no-cache")
    fixed = path.read_text()
    assert export in fixed and "PL103" not in proc.stdout and "PL101" not in proc.stdout, (fixed, proc.stdout)
    exports = dump_exports([path])[str(path)]["exports"]
    assert exports["PORTS"] == {"API": 5570} and exports["apps"][0]["env"] == {"PORT": 5570}, exports


@pytest.mark.parametrize("ports, taken, moves", [
    ([5584, 5585, 5587], [], [("C", 5587, 5586)]),  # close a one-port gap by moving one port
    ([5580, 5590], [], [("B", 5590, 5581)]),  # the port above the gap comes down
    ([3000, 5173], [], [("A", 3000, 5570), ("B", 5173, 5571)]),  # out of range: the first free block
    ([5575, 5576], [5576], [("B", 5576, 5574)]),  # one port taken by another config: it alone moves
    ([5575, 5576, 5577], [5576], [("A", 5575, 5578), ("B", 5576, 5579)]),  # no block of 3 keeps two of them
    ([5575, 5576], [], []),  # a valid block keeps its numbers
])
def test_renumbering_moves_the_fewest_ports(ports, taken, moves, registry, tmp_path):
    from portlint.engine.pipeline import Engine
    from portlint.fix.renumber import plan_moves
    from portlint.settings.settings import Settings

    engine = Engine(Settings(), registry)
    keys = "ABCD"
    path = tmp_path / "mine" / "ecosystem.config.cjs"
    path.parent.mkdir()
    path.write_text("const PORTS = {\n" + "".join(f"  {k}: {p}, // app-{k.lower()}\n" for k, p in zip(keys, ports))
                    + "};\nmodule.exports = { PORTS, apps: [\n"
                    + "".join(f"  {{ name: 'app-{k.lower()}', script: 'a.js', env: {{ PORT: PORTS.{k} }} }},\n"
                              for k in keys[:len(ports)]) + "] };\n")
    configs = [engine.lint_file(str(path))[0]]
    for port in taken:
        other = tmp_path / f"a-settled-{port}" / "ecosystem.config.cjs"  # planned first: it keeps its port
        other.parent.mkdir()
        other.write_text(f"const PORTS = {{\n  API: {port}, // x\n}};\nmodule.exports = {{ PORTS, apps: "
                         f"[{{ name: 'x{port}', script: 'x.js', env: {{ PORT: PORTS.API }} }}] }};\n")
        configs.append(engine.lint_file(str(other))[0])
    plan = next(p for p in plan_moves(configs, engine.settings_for) if p.path == str(path))
    assert [(k, o, n) for k, o, n in plan.moves if o != n] == moves


def test_a_config_that_must_move_keeps_the_ports_it_has_in_range_whatever_the_folder_order(tmp_path):
    """dash/ (3000 and 5173: both must move) sorts before storefront/ (5570, 5571 and a gap to
    close at 5573): storefront keeps 5570-5571 and moves only CDP; dash takes free ports around it."""
    from conftest import ROOT

    apps = tmp_path / "apps"
    for name, source in (("dash", MIGRATE / "api-vite-ui"), ("storefront", ROOT / "examples" / "storefront")):
        shutil.copytree(source, apps / name, ignore=shutil.ignore_patterns("*.fixed", "*.unsafe-fixed", "*.expected"))
    proc = run_portlint(str(apps), "--fix", "--unsafe-fixes", "--show-fixes", "--isolated", "--no-cache")
    assert "move CDP 5573 → 5572" in proc.stderr + proc.stdout
    storefront = (apps / "storefront" / "ecosystem.config.cjs").read_text()
    assert "API: 5570," in storefront and "UI: 5571," in storefront
    dash = (apps / "dash" / "ecosystem.config.cjs").read_text()
    assert "5570" not in dash and "5571" not in dash and "3000" not in dash
