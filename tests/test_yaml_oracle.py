"""YAML fixtures: the ports portlint resolves must match what a YAML parser's view of the same data
gives, read with PM2's rules (env layers by precedence, port, args, node_args, ports object)."""
import re

import pytest
import yaml

from conftest import FIXTURES

PORT_KEY = re.compile(r"^(PORT|[A-Za-z][A-Za-z0-9_]*_PORT)$", re.IGNORECASE)


def yaml_fixtures():
    from portlint.source.discover import is_config_name
    from portlint.source.read import kind_of

    return [p for p in sorted(FIXTURES.rglob("*")) if p.is_file() and is_config_name(p.name) and kind_of(p.name) == "yaml"]


def to_port(value):
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def expected_ports(app: dict, deploy: dict) -> set[int]:
    names = {""} | {k[4:] for k in app if k.startswith("env_")} | {n for n, d in (deploy or {}).items() if isinstance(d, dict) and "env" in d}
    out: set[int] = set()
    for name in names:
        merged: dict = {}
        if name and isinstance((deploy or {}).get(name), dict):
            merged.update(deploy[name].get("env") or {})
        merged.update(app.get("env") or {})
        if "port" in app:
            merged["PORT"] = app["port"]
        if name:
            merged.update(app.get(f"env_{name}") or {})
        out |= {p for k, v in merged.items() if PORT_KEY.match(str(k)) and (p := to_port(v)) is not None}
    words = app.get("args")
    words = words.split() if isinstance(words, str) else [str(w) for w in (words or [])]
    for i, w in enumerate(words):
        if w == "--port" and i + 1 < len(words) and to_port(words[i + 1]) is not None:
            out.add(to_port(words[i + 1]))
        elif w.startswith("--port=") and to_port(w[7:]) is not None:
            out.add(to_port(w[7:]))
    for value in (app.get("ports") or {}).values() if isinstance(app.get("ports"), dict) else []:
        if to_port(value) is not None:
            out.add(to_port(value))
    return out


@pytest.mark.parametrize("path", yaml_fixtures(), ids=lambda p: str(p.relative_to(FIXTURES)))
def test_yaml_ports_match_the_parser(path, registry):
    from portlint.engine.pipeline import Engine
    from portlint.settings.settings import Settings

    config, codes = Engine(Settings(), registry).lint_file(str(path))
    try:
        data = yaml.safe_load(path.read_text())
    except yaml.YAMLError:
        assert config is None and any(d.code == "PL001" for d in codes)
        return
    apps = data.get("apps", data.get("pm2", [])) if isinstance(data, dict) else data
    apps = [apps] if isinstance(apps, dict) else apps
    deploy = data.get("deploy") if isinstance(data, dict) else None
    assert [p.name for p in config.processes] == [a.get("name") for a in apps]
    for process, app in zip(config.processes, apps):
        got = set().union(*(u.ports for u in process.uses if u.effective))
        assert got == expected_ports(app, deploy), process.name


def test_yaml_positions_are_exact(registry):
    from portlint.engine.pipeline import Engine
    from portlint.settings.settings import Settings

    path = FIXTURES / "forms" / "yaml-app" / "ecosystem.yaml"
    config, _ = Engine(Settings(), registry).lint_file(str(path))
    lines = path.read_text().splitlines()
    for use in config.processes[0].uses:
        row, col = use.span.location
        assert lines[row - 1][col - 1:].startswith(use.span.text)
        assert use.span.text.strip("'\"") in ("5583", "5584", "5432")
