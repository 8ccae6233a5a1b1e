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
def test_golden_migration(case, unsafe, tmp_path):
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
    if unsafe:
        assert not codes & LEFT_BEHIND, data  # every one of these shapes migrates cleanly
    else:
        assert "PL101" not in codes and "PL103" not in codes and "PL401" not in codes


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
    range, one contiguous block per config, the same partition of processes by port."""
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
    for original, target in zip(originals, unsafe):
        name = str(original.relative_to(case))
        mine = lambda ports: {k: v for k, v in ports.items() if k[0] == name}  # noqa: E731
        assert _partition(mine(after)) == _partition(mine(before))  # references moved with their listener
        connections = _connection_ports(registry, original)  # DB_PORT, SMTP_PORT...: not allocations
        block = _block(registry, target)  # with the ports increment_var adds, which Node does not list
        ports = {p for plist in mine(after).values() for p in plist} - connections
        assert ports <= block and all(5570 <= p <= 5599 for p in block), (ports, block)
        assert sorted(block) == list(range(min(block), max(block) + 1)), block
    everyone = [p for plist in after.values() for p in set(plist)]
    shared = {p for p in everyone if everyone.count(p) > 1}
    for port in shared:  # a port two processes share after the move was shared in one config before
        holders = {k for k, plist in after.items() if port in plist}
        assert len({f for f, _ in holders}) == 1 or port in set().union(*map(lambda o: _connection_ports(registry, o), originals))


def _block(registry, path: Path) -> set[int]:
    from portlint.engine.pipeline import Engine
    from portlint.settings.settings import Settings

    config, _ = Engine(Settings(), registry).lint_file(str(path))
    return config.block()


def _connection_ports(registry, path: Path) -> set[int]:
    from portlint.engine.pipeline import Engine
    from portlint.settings.settings import Settings

    config, _ = Engine(Settings(), registry).lint_file(str(path))
    return {p for u in config.uses() if u.connection for p in u.ports}


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
    assert ("cannot move to a free block: no block of 2 free ports in the user range 5570-5571; its ports are "
            "left as they are") in proc.stderr
    assert (MIGRATE / "url-to-api" / "ecosystem.config.cjs.fixed").read_text() == config.read_text()


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
    "forms/deploy-env/ecosystem.config.cjs": "deploy.production.env.PORT gives every app the same port",
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
    "advice/PL401-ports-object/ecosystem.config.cjs": "a per-app ports object: PortOS reads it only as numbers, "
                                                      "and which nested PORTS entry it becomes is a choice",
    "portos/ports-object/ecosystem.config.cjs": "a per-app ports object (PortOS detector fixture)",
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


@pytest.mark.parametrize("head, expected_head", [
    ("/**\n * PM2 apps of the wiki.\n */\n", "/**\n * PM2 apps of the wiki.\n */\n// Ports of this config"),
    ("// header\n\n// the apps\n", "// header\n\n// Ports of this config"),
])
def test_ports_go_below_a_file_header_and_above_the_comment_of_the_exports(head, expected_head, tmp_path):
    config = tmp_path / "ecosystem.config.cjs"
    config.write_text(head + "module.exports = { apps: [{ name: 'wiki', script: 'w.js', env: { PORT: 3000 } }] };\n")
    run_portlint(str(config), "--fix", "--isolated", "--no-cache")
    text = config.read_text()
    assert text.startswith(expected_head), text
    assert "};\n\n" + head.splitlines(keepends=True)[-1] + "module.exports = { PORTS," in text or head.startswith("/**")


def test_json_ports_count_as_taken(tmp_path):
    """A JSON config cannot move, but the block a JS config moves to avoids its ports."""
    (tmp_path / "legacy").mkdir()
    (tmp_path / "legacy" / "ecosystem.json").write_text('{ "apps": [{ "name": "old", "script": "o.js", "env": { "PORT": 5570 } }, { "name": "old-ui", "script": "u.js", "env": { "PORT": 8080 } }] }\n')
    shutil.copyfile(MIGRATE / "one-app" / "ecosystem.config.js", tmp_path / "ecosystem.config.js")
    proc = run_portlint(str(tmp_path), "--fix", "--unsafe-fixes", "--isolated", "--no-cache")
    assert "API: 5571 // notes-api" in (tmp_path / "ecosystem.config.js").read_text()
    assert "legacy/ecosystem.json: cannot move to a free block: a JSON config cannot hold a PORTS constant" in proc.stderr
