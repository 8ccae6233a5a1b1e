"""Loading settings: reading a settings file and applying a table of keys to a Settings, one parser
per key (``PARSERS``). Validation is strict: an unknown key or a bad value is a SettingsError
naming the file and the key (exit 2)."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from typing import Any, Callable

from portlint.numbers import oversized_integers
from portlint.settings.model import ROLES, Settings, SettingsError, _exclude_spec
from portlint.settings.portset import PortSet

#: The most items a list or table setting may hold; real settings hold a handful.
MAX_ITEMS = 10_000

CODE_PREFIX = re.compile(r"ALL|[A-Z]{1,8}[0-9]{0,4}")


def _err(where: str, key: str, message: str) -> SettingsError:
    return SettingsError(f"{where}: {key}: {message}")


def _shown(value: Any) -> str:
    """A value as a message quotes it: short (an integer of thousands of digits is not printed)."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10 ** 40:
        return f"an integer of {len(str(abs(value))) if abs(value) < 10 ** 4000 else 'over 4000'} digits"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _sized(value: Any, where: str, key: str) -> None:
    if isinstance(value, (list, dict)) and len(value) > MAX_ITEMS:
        raise _err(where, key, f"{len(value)} items; at most {MAX_ITEMS} are allowed")


def _str_list(value: Any, where: str, key: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise _err(where, key, "expected a list of non-empty strings")
    _sized(value, where, key)
    return tuple(value)


def _table(value: Any, where: str, key: str, example: str) -> dict:
    if not isinstance(value, dict):
        raise _err(where, key, f"expected a table, e.g. {example}")
    _sized(value, where, key)
    return value


def _port(value: Any, where: str, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 65535:
        raise _err(where, key, f"{_shown(value)} is not a port (an integer from 1 to 65535)")
    return value


def _port_list(value: Any, where: str, key: str) -> PortSet:
    if not isinstance(value, list):
        raise _err(where, key, "expected a list of ports, e.g. [3000, 8080]")
    _sized(value, where, key)
    ports: list[int] = []
    intervals: list[tuple[int, int]] = []
    for item in value:
        if isinstance(item, str) and "-" in item:
            intervals.append(_parse_range(item, where, key))
        else:
            ports.append(_port(item, where, key))
    return PortSet(ports, intervals)


def _parse_range(value: Any, where: str, key: str) -> tuple[int, int]:
    if isinstance(value, str):
        parts = value.replace(" ", "").split("-")
        if len(parts) == 2 and all(p.isdigit() and len(p) <= 5 for p in parts):
            low, high = int(parts[0]), int(parts[1])
        else:
            raise _err(where, key, f"{_shown(value)} is not a range like '5570-5599'")
    elif isinstance(value, list) and len(value) == 2:
        low, high = _port(value[0], where, key), _port(value[1], where, key)
    else:
        raise _err(where, key, f"{_shown(value)} is not a range like '5570-5599' or [5570, 5599]")
    if not (1 <= low <= high <= 65535):
        raise _err(where, key, f"{_shown(value)} is not a range of ports from 1 to 65535 (low first)")
    return low, high


def _role(value: Any, where: str, key: str) -> str:
    if value not in ROLES:
        raise _err(where, key, f"{_shown(value)} is not one of {', '.join(ROLES)}")
    return value


def _codes(value: Any, where: str, key: str) -> tuple[str, ...]:
    codes = tuple(c.strip().upper() for c in _str_list(value, where, key))
    for code in codes:
        if not CODE_PREFIX.fullmatch(code):
            raise _err(where, key, f"{_shown(code)} is not a rule code or prefix (like PL4 or PL401)")
    return codes


@dataclass
class _Draft:
    """One settings table being applied: the settings it extends and the fields it sets so far."""

    settings: Settings
    where: str
    updates: dict = field(default_factory=dict)
    layer: dict = field(default_factory=dict)  # this source's select/ignore/extend-select/extend-ignore

    def current(self, name: str):
        return self.updates.get(name, getattr(self.settings, name))


Parser = Callable[[Any, str, _Draft], None]  # (value, key as written, draft)


def _sets(name: str, parse: Callable[[Any, str, str], Any]) -> Parser:
    """A key whose parsed value replaces one field."""
    def parser(value: Any, key: str, draft: _Draft) -> None:
        draft.updates[name] = parse(value, draft.where, key)
    return parser


def _extends(name: str, parse: Callable[[Any, str, str], Any]) -> Parser:
    """An ``extend-*`` key: the parsed value is added to the field (as set so far)."""
    def parser(value: Any, key: str, draft: _Draft) -> None:
        current, extra = draft.current(name), parse(value, draft.where, key)
        if isinstance(current, PortSet):
            draft.updates[name] = current | extra
        else:
            draft.updates[name] = current + tuple(v for v in extra if v not in current)
    return parser


def _per_file_roles(value: Any, where: str, key: str) -> tuple[tuple[str, str], ...]:
    table = _table(value, where, key, '{ "apps/portos/*" = "core" }')
    return tuple((str(k), _role(v, where, f"{key}.{k}")) for k, v in table.items())


def _ranges(value: Any, key: str, draft: _Draft) -> None:
    ranges = {k: (lo, hi) for k, lo, hi in draft.current("ranges")}
    for name, spec in _table(value, draft.where, key, '{ user = "5570-5599" }').items():
        if name not in ("core", "reserved", "user"):
            raise _err(draft.where, f"{key}.{name}", "unknown range (use core, reserved or user)")
        ranges[name] = _parse_range(spec, draft.where, f"{key}.{name}")
    draft.updates["ranges"] = tuple((k, lo, hi) for k, (lo, hi) in ranges.items())


def _severity(value: Any, key: str, draft: _Draft) -> None:
    table = _table(value, draft.where, key, '{ PL501 = "error" }')
    for code, level in table.items():
        if level not in ("error", "warning"):
            raise _err(draft.where, f"{key}.{code}", f"{_shown(level)} is not \"error\" or \"warning\"")
    merged = dict(draft.current("severity"))
    merged.update({str(k).upper(): v for k, v in table.items()})
    draft.updates["severity"] = tuple(sorted(merged.items()))


def _selection(value: Any, key: str, draft: _Draft) -> None:
    draft.layer[key.replace("_", "-")] = _codes(value, draft.where, key)


def _per_file_ignores(value: Any, where: str, key: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    table = _table(value, where, key, '{ "legacy/*" = ["PL4"] }')
    return tuple((str(pattern), _codes(codes, where, f"{key}.{pattern}")) for pattern, codes in table.items())


def _seconds_up_to(most: int) -> Callable[[Any, str, str], float]:
    def parse(value: Any, where: str, key: str) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= most:
            raise _err(where, key, f"{_shown(value)} is not a number of seconds from 0 to {most}")
        return float(value)
    return parse


_seconds = _seconds_up_to(3600)


def _cpus(value: Any, where: str, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 1024:
        raise _err(where, key, f"{_shown(value)} is not a CPU count from 1 to 1024")
    return value


def _exclude(value: Any, key: str, draft: _Draft) -> None:
    patterns = _str_list(value, draft.where, key)
    rejected = [r for r in _exclude_spec(tuple(patterns)).rejected if r.invalid]  # compiled once per list
    if rejected:
        raise _err(draft.where, f"{key}[{rejected[0].line - 1}]",
                   f"bad pattern {_shown(rejected[0].pattern)}: {rejected[0].why}")
    keep = draft.current("exclude") if key.replace("_", "-") == "extend-exclude" else ()
    draft.updates["exclude"] = keep + patterns


def _upper(parse: Callable[[Any, str, str], tuple[str, ...]]) -> Callable[[Any, str, str], tuple[str, ...]]:
    return lambda value, where, key: tuple(v.upper() for v in parse(value, where, key))


def _lower(parse: Callable[[Any, str, str], tuple[str, ...]]) -> Callable[[Any, str, str], tuple[str, ...]]:
    return lambda value, where, key: tuple(v.lower() for v in parse(value, where, key))


#: Every settings key (written with ``-``; ``_`` works too) and its parser.
PARSERS: dict[str, Parser] = {
    "labels": _sets("labels", _str_list),
    "extend-labels": _extends("labels", _str_list),
    "role": _sets("role", _role),
    "per-file-roles": _sets("per_file_roles", _per_file_roles),
    "ranges": _ranges,
    "well-known-ports": _sets("well_known", _port_list),
    "extend-well-known-ports": _extends("well_known", _port_list),
    "allowed-ports": _sets("allowed_ports", _port_list),
    "connection-prefixes": _sets("connection_prefixes", _upper(_str_list)),
    "extend-connection-prefixes": _extends("connection_prefixes", _upper(_str_list)),
    "connection-schemes": _sets("connection_schemes", _lower(_str_list)),
    "extend-connection-schemes": _extends("connection_schemes", _lower(_str_list)),
    "severity": _severity,
    "select": _selection,
    "ignore": _selection,
    "extend-select": _selection,
    "extend-ignore": _selection,
    "per-file-ignores": _sets("per_file_ignores", _per_file_ignores),
    "max-seconds-per-file": _sets("max_seconds_per_file", _seconds),
    "max-seconds-per-run": _sets("max_seconds_per_run", _seconds_up_to(86400)),
    "cpus": _sets("cpus", _cpus),
    "exclude": _exclude,
    "extend-exclude": _exclude,
}
KNOWN_KEYS = frozenset(PARSERS)


def apply_table(settings: Settings, table: dict, where: str, base_dir: str) -> Settings:
    """``settings`` with the keys of one settings table (a file's, or the command line's) applied."""
    draft = _Draft(settings, where)
    for raw_key, value in table.items():
        key = raw_key.replace("_", "-")
        parser = PARSERS.get(key)
        if parser is None:
            import difflib  # only for a bad key: not on every run

            close = difflib.get_close_matches(key, sorted(KNOWN_KEYS), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise _err(where, raw_key, f"unknown setting{hint}")
        for place in oversized_integers(value, raw_key):  # Python cannot even print it (issue 28)
            raise _err(where, place, "an integer out of TOML's 64-bit range")
        parser(value, raw_key, draft)
    updates = draft.updates
    if draft.layer:
        layer = draft.layer
        updates["selection"] = settings.selection + ((layer.get("select"), layer.get("ignore", ()),
                                                      layer.get("extend-select", ()), layer.get("extend-ignore", ())),)
    return replace(settings, **updates, origin=where, base_dir=base_dir)


_TABLES: dict[tuple, dict | None] = {}  # (name, device, inode, size, mtime, ctime) -> its table
MAX_TABLES = 1024


def file_identity(path: str) -> tuple | None:
    """What names one real file's content: a link to it from every folder is the same file."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (os.path.basename(path), st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def read_settings_file(path: str) -> dict | None:
    """The portlint table of a settings file, or None if a pyproject.toml has none; read once per
    real file and content (treat the table as read-only)."""
    identity = file_identity(path)
    if identity is not None and identity in _TABLES:
        return _TABLES[identity]
    table = _read_settings_file(path)
    if identity is not None:
        if len(_TABLES) >= MAX_TABLES:
            _TABLES.clear()
        _TABLES[identity] = table
    return table


def _read_settings_file(path: str) -> dict | None:
    import tomllib

    from portlint.source.files import UnreadableFile, read_regular, utf8_text

    try:
        text = utf8_text(read_regular(path, what="a settings file"))  # the cap of a config: 2 MiB
        data = tomllib.loads(text)
    except UnreadableFile as exc:
        raise SettingsError(f"{path}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path}: not valid TOML: {exc}") from None
    except RecursionError:
        raise SettingsError(f"{path}: not valid TOML: nested too deeply") from None
    except ValueError as exc:  # an integer of over 4,300 digits: Python refuses to convert it
        raise SettingsError(f"{path}: not valid TOML: a number has more digits than portlint reads (over 4300)") from None
    if os.path.basename(path) == "pyproject.toml":
        tool = data.get("tool")
        if not isinstance(tool, dict) or "portlint" not in tool:
            return None
        table = tool["portlint"]
        if not isinstance(table, dict):
            raise SettingsError(f"{path}: [tool.portlint] must be a table")
        return table
    return data
