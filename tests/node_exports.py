"""Node.js as the oracle of a fix: load a config before and after (``require`` in a child process with
an empty environment, tests/oracle/dump_exports.mjs) and compare what it exports.

After a safe fix the exports are the same, but for the ``PORTS`` the fix adds next to the apps.
After an unsafe migration they differ only in port numbers, one old number to one new number across
the whole run (so every use of a moved port moves with it and no two ports merge), every new number
in the user range, and nothing that names a connection (``DB_PORT``, ``REDIS_URL``, ``redis://``)
changes. The local check of the migration fixtures; the fix verifier is the product's own.
"""
import json
import os
import re
import subprocess
from pathlib import Path

from conftest import ROOT
from test_node_oracle import require_node

DUMP = ROOT / "tests" / "oracle" / "dump_exports.mjs"
_DIGITS = re.compile(r"(\d+)")


def dump_exports(files: list[Path], roots: list[Path] = ()) -> dict[str, dict]:
    """{str(file): {"exports": ...} or {"error": ...}}; each of ``roots`` is written ``<root>`` in the
    strings it shows up in (``path.join(__dirname, 'server')``), so copies in two folders compare."""
    node = require_node()
    env = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp")}
    proc = subprocess.run([node, str(DUMP)], input=json.dumps([str(f) for f in files]), capture_output=True,
                          text=True, env=env, timeout=120, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    names = sorted({str(r) for r in roots} | {os.path.realpath(r) for r in roots}, key=len, reverse=True)

    def rooted(value):
        if isinstance(value, str):
            for name in names:
                value = value.replace(name, "<root>")
            return value
        if isinstance(value, list):
            return [rooted(v) for v in value]
        if isinstance(value, dict):
            return {k: rooted(v) for k, v in value.items()}
        return value

    return {file: rooted(data) for file, data in json.loads(proc.stdout).items()}


def port_changes(before, after, where: str = "exports", added: list | None = None) -> list[tuple[str, int, int]]:
    """Every (place, old, new) where ``after`` writes another number than ``before``; an
    AssertionError for any other difference. Keys ``after`` has and ``before`` had not go to
    ``added`` as (place, value) when a list is given (else they are a difference too)."""
    if isinstance(before, dict) and isinstance(after, dict):
        new_keys = [k for k in after if k not in before]
        assert all(k in after for k in before) and (added is not None or not new_keys), \
            f"{where}: keys {list(before)} -> {list(after)}"
        if added is not None:
            added.extend((f"{where}.{k}", after[k]) for k in new_keys)
        return [c for key in before for c in port_changes(before[key], after[key], f"{where}.{key}", added)]
    if isinstance(before, list) and isinstance(after, list):
        assert len(before) == len(after), f"{where}: {len(before)} items -> {len(after)}"
        return [c for i, (b, a) in enumerate(zip(before, after)) for c in port_changes(b, a, f"{where}[{i}]", added)]
    if _number(before) is not None and _number(after) is not None:
        old, new = _number(before), _number(after)
        return [(where, old, new)] if old != new else []
    if isinstance(before, str) and isinstance(after, str):
        b, a = _DIGITS.split(before), _DIGITS.split(after)
        assert len(b) == len(a) and b[::2] == a[::2], f"{where}: {before!r} -> {after!r}"
        return [(where, int(x), int(y)) for x, y in zip(b[1::2], a[1::2]) if x != y]
    assert before == after, f"{where}: {before!r} -> {after!r}"
    return []


def _number(value) -> int | None:
    """An env value PM2 passes on as the same text: 5570 and '5570' are one port."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit() and len(value) <= 5:
        return int(value)
    return None


def without_new_ports(before, after):
    """``after`` without the ``PORTS`` a fix added to the exported object (PM2 does not read it)."""
    if isinstance(before, dict) and isinstance(after, dict) and "PORTS" in after and "PORTS" not in before:
        return {k: v for k, v in after.items() if k != "PORTS"}
    return after


_CONNECTION_SCHEME = re.compile(r"\b(redis|rediss|postgres|postgresql|mysql|mariadb|mongodb|mongodb\+srv|amqps?|nats|"
                                r"mqtts?|smtps?|ldaps?|kafka|memcached|clickhouse|cassandra|neo4j|bolt)://", re.I)


def check_moves(changes: list[tuple[str, int, int]], strings: dict[str, str]) -> dict[int, int]:
    """The old -> new map of an unsafe migration, checked: one new number per old one, no two old
    numbers onto one new, every new one in the user range, no connection touched (``strings``:
    place -> the value written there before, for the places that changed)."""
    from portlint.settings.settings import Settings

    settings = Settings()
    moves: dict[int, int] = {}
    for where, old, new in changes:
        key = re.split(r"[.\[]", where)[-1]
        assert not (settings.is_connection_key(key) or settings.is_connection_address_key(key)), where
        assert not _CONNECTION_SCHEME.search(strings.get(where, "")), (where, strings[where])
        assert moves.setdefault(old, new) == new, f"{old} moved to {moves[old]} and to {new} ({where})"
        assert 5570 <= new <= 5599, (where, old, new)
    assert len(set(moves.values())) == len(moves), f"two ports merged: {moves}"
    return moves


def value_at(data, where: str):
    """The value at a place named like ``exports.apps[0].env.PORT``."""
    for part in re.findall(r"\.([^.\[]+)|\[(\d+)\]", where[len("exports"):]):
        data = data[part[0]] if part[0] else data[int(part[1])]
    return data
