"""Settings: the spec's defaults, ``[tool.portlint]`` / ``portlint.toml`` / ``.portlint.toml`` found by
walking up from each linted file, and command-line overrides on top. Validation is strict: an
unknown key or a bad value is a SettingsError naming the file and the key (exit 2)."""
from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import dataclass, replace
from typing import Any

DEFAULT_LABELS = ("api", "ui", "cdp", "health", "ws", "db")

DEFAULT_RANGES = {"core": (5554, 5560), "reserved": (5561, 5569), "user": (5570, 5599)}

DEFAULT_WELL_KNOWN = frozenset(range(1, 1024)) | frozenset({
    1433, 1521, 2375, 2376, 3000, 3001, 3306, 4200, 5000, 5001, 5173, 5432, 5601, 5672, 5984, 6379,
    8000, 8008, 8080, 8081, 8443, 8888, 9000, 9090, 9092, 9200, 9229, 9300, 11211, 15672, 27017,
})

DEFAULT_CONNECTION_PREFIXES = (
    "DB", "DATABASE", "PG", "POSTGRES", "MYSQL", "MARIADB", "MSSQL", "REDIS", "MONGO", "MONGODB", "SMTP",
    "MAIL", "EMAIL", "IMAP", "POP3", "AMQP", "RABBITMQ", "KAFKA", "ELASTIC", "ELASTICSEARCH", "MEMCACHED",
    "LDAP", "NATS", "MQTT", "CLICKHOUSE", "INFLUX", "CASSANDRA", "NEO4J", "MINIO", "S3",
)

ROLES = ("user", "core", "reserved", "any")
SETTINGS_FILES = (".portlint.toml", "portlint.toml", "pyproject.toml")


class SettingsError(Exception):
    """A bad setting; the message names the file and the key, in one line."""


@dataclass(frozen=True)
class Settings:
    labels: tuple[str, ...] = DEFAULT_LABELS
    ranges: tuple[tuple[str, int, int], ...] = tuple((k, lo, hi) for k, (lo, hi) in DEFAULT_RANGES.items())
    role: str = "user"
    per_file_roles: tuple[tuple[str, str], ...] = ()
    well_known: frozenset[int] = DEFAULT_WELL_KNOWN
    allowed_ports: frozenset[int] = frozenset()
    connection_prefixes: tuple[str, ...] = DEFAULT_CONNECTION_PREFIXES
    severity: tuple[tuple[str, str], ...] = ()
    #: One layer per source (settings file, then command line), each (select, ignore, extend-select,
    #: extend-ignore); a later layer decides over an earlier one, as the command line over the file.
    selection: tuple[tuple[tuple[str, ...] | None, tuple[str, ...], tuple[str, ...], tuple[str, ...]], ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    exclude: tuple[str, ...] = ()  # gitignore-style patterns, relative to base_dir
    cpus: int = 4  # what instances 'max' / 0 / -1 count as
    max_seconds_per_file: float = 10.0  # a file that takes longer gets PL001 instead of a hang
    #: Where these settings came from (a file path, or None for the defaults); relative globs start here.
    origin: str | None = None
    base_dir: str = "."

    # -- questions the rules ask ------------------------------------------------------------------
    def range(self, name: str) -> tuple[int, int] | None:
        for key, low, high in self.ranges:
            if key == name:
                return low, high
        return None

    def role_for(self, path: str) -> str:
        rel = os.path.relpath(os.path.abspath(path), self.base_dir).replace(os.sep, "/")
        for pattern, role in self.per_file_roles:
            if _glob_matches(pattern, rel, path):
                return role
        return self.role

    def allowed_range(self, role: str) -> list[tuple[str, int, int]]:
        """The ranges a config of this role may use. PortOS itself (``core``) may also use the range
        reserved for its extensions, as the policy's own table does (portos-db on 5561)."""
        if role == "any":
            return list(self.ranges)
        names = ("core", "reserved") if role == "core" else (role,)
        return [(k, lo, hi) for k, lo, hi in self.ranges if k in names]

    def is_enabled(self, code: str, enabled_by_default: bool) -> bool:
        """Within one layer the longest matching prefix decides (flake8; ignore wins a tie); a layer
        with ``select`` turns off what it does not match; later layers override earlier ones."""
        enabled = enabled_by_default
        for select, ignore, extend_select, extend_ignore in self.selection:
            best_len, best = -1, None
            for prefixes, verdict in ((select or (), True), (extend_select, True), (ignore, False), (extend_ignore, False)):
                for prefix in prefixes:
                    p = "" if prefix == "ALL" else prefix
                    if code.startswith(p) and (len(p) > best_len or (len(p) == best_len and verdict is False)):
                        best_len, best = len(p), verdict
            if best is not None:
                enabled = best
            elif select is not None:
                enabled = False
        return enabled

    def selectors(self) -> list[str]:
        out = [p for layer in self.selection for group in layer for p in (group or ())]
        return out + [code for _, codes in self.per_file_ignores for code in codes]

    def ignored_here(self, path: str, code: str) -> bool:
        """per-file-ignores: is ``code`` ignored for this file?"""
        if not self.per_file_ignores:
            return False
        rel = os.path.relpath(os.path.abspath(path), self.base_dir).replace(os.sep, "/")
        for pattern, prefixes in self.per_file_ignores:
            if _glob_matches(pattern, rel, path) and any(code.startswith("" if p == "ALL" else p) for p in prefixes):
                return True
        return False

    def is_excluded(self, path: str, is_dir: bool = False) -> bool:
        """``exclude`` / ``extend-exclude`` (gitignore-style, relative to the settings file's folder)."""
        if not self.exclude:
            return False
        rel = os.path.relpath(os.path.abspath(path), self.base_dir).replace(os.sep, "/")
        if rel.startswith(".."):
            return False
        return _exclude_spec(self.exclude).match_file(rel + "/" if is_dir else rel)

    def is_well_known(self, port: int) -> bool:
        return port in self.well_known and port not in self.allowed_ports

    def severity_of(self, code: str, default: str) -> str:
        for key, level in self.severity:
            if key == code:
                return level
        return default

    def is_connection_key(self, env_key: str) -> bool:
        """DB_PORT, PGPORT, SMTP_PORT...: a port the process connects to, not one it listens on."""
        key = env_key.upper()
        if key.endswith("_PORT"):
            stem = key[: -len("_PORT")]
        elif key.endswith("PORT") and key != "PORT":
            stem = key
        else:
            return False
        return any(stem.startswith(prefix) for prefix in self.connection_prefixes)

    def validate(self) -> "Settings":
        if self.role not in ROLES:
            raise SettingsError(f"role: {self.role!r} is not one of {', '.join(ROLES)}")
        return self


_SPECS: dict = {}


def _exclude_spec(patterns: tuple[str, ...]):
    spec = _SPECS.get(patterns)
    if spec is None:
        import pathspec

        spec = _SPECS[patterns] = pathspec.GitIgnoreSpec.from_lines(patterns)
    return spec


def _glob_matches(pattern: str, rel: str, path: str) -> bool:
    """A glob against the path relative to the settings file's folder, or against the file name."""
    if fnmatch.fnmatch(rel, pattern):
        return True
    if "/" not in pattern and fnmatch.fnmatch(os.path.basename(path), pattern):
        return True
    return pattern.endswith("/**") and (rel + "/").startswith(pattern[:-2])


# --- reading ---------------------------------------------------------------------------------------

#: key -> (description for errors, parser(value, settings) -> dict of field updates)
def _err(where: str, key: str, message: str) -> SettingsError:
    return SettingsError(f"{where}: {key}: {message}")


def _str_list(value: Any, where: str, key: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise _err(where, key, "expected a list of non-empty strings")
    return tuple(value)


def _port(value: Any, where: str, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 65535:
        raise _err(where, key, f"{value!r} is not a port (an integer from 1 to 65535)")
    return value


def _port_list(value: Any, where: str, key: str) -> frozenset[int]:
    if not isinstance(value, list):
        raise _err(where, key, "expected a list of ports, e.g. [3000, 8080]")
    out: set[int] = set()
    for item in value:
        if isinstance(item, str) and "-" in item:
            low, high = _parse_range(item, where, key)
            out |= set(range(low, high + 1))
        else:
            out.add(_port(item, where, key))
    return frozenset(out)


def _parse_range(value: Any, where: str, key: str) -> tuple[int, int]:
    if isinstance(value, str):
        parts = value.replace(" ", "").split("-")
        if len(parts) == 2 and all(p.isdigit() for p in parts):
            low, high = int(parts[0]), int(parts[1])
        else:
            raise _err(where, key, f"{value!r} is not a range like '5570-5599'")
    elif isinstance(value, list) and len(value) == 2:
        low, high = _port(value[0], where, key), _port(value[1], where, key)
    else:
        raise _err(where, key, f"{value!r} is not a range like '5570-5599' or [5570, 5599]")
    if not (1 <= low <= high <= 65535):
        raise _err(where, key, f"{value!r} is not a range of ports from 1 to 65535 (low first)")
    return low, high


def _role(value: Any, where: str, key: str) -> str:
    if value not in ROLES:
        raise _err(where, key, f"{value!r} is not one of {', '.join(ROLES)}")
    return value


def _apply(settings: Settings, table: dict, where: str, base_dir: str) -> Settings:
    updates: dict[str, Any] = {}
    labels = list(settings.labels)
    layer: dict[str, Any] = {}
    for raw_key, value in table.items():
        key = raw_key.replace("_", "-")
        if key == "labels":
            labels = list(_str_list(value, where, raw_key))
        elif key == "extend-labels":
            labels += [v for v in _str_list(value, where, raw_key) if v not in labels]
        elif key == "role":
            updates["role"] = _role(value, where, raw_key)
        elif key == "per-file-roles":
            if not isinstance(value, dict):
                raise _err(where, raw_key, "expected a table of glob = role, e.g. { \"apps/portos/*\" = \"core\" }")
            updates["per_file_roles"] = tuple((str(k), _role(v, where, f"{raw_key}.{k}")) for k, v in value.items())
        elif key == "ranges":
            if not isinstance(value, dict):
                raise _err(where, raw_key, "expected a table, e.g. { user = \"5570-5599\" }")
            ranges = dict((k, (lo, hi)) for k, lo, hi in settings.ranges)
            for name, spec in value.items():
                if name not in ("core", "reserved", "user"):
                    raise _err(where, f"{raw_key}.{name}", "unknown range (use core, reserved or user)")
                ranges[name] = _parse_range(spec, where, f"{raw_key}.{name}")
            updates["ranges"] = tuple((k, lo, hi) for k, (lo, hi) in ranges.items())
        elif key == "well-known-ports":
            updates["well_known"] = _port_list(value, where, raw_key)
        elif key == "extend-well-known-ports":
            updates["well_known"] = updates.get("well_known", settings.well_known) | _port_list(value, where, raw_key)
        elif key == "allowed-ports":
            updates["allowed_ports"] = _port_list(value, where, raw_key)
        elif key == "connection-prefixes":
            updates["connection_prefixes"] = tuple(v.upper() for v in _str_list(value, where, raw_key))
        elif key == "extend-connection-prefixes":
            base = updates.get("connection_prefixes", settings.connection_prefixes)
            updates["connection_prefixes"] = base + tuple(v.upper() for v in _str_list(value, where, raw_key))
        elif key == "severity":
            if not isinstance(value, dict):
                raise _err(where, raw_key, "expected a table of CODE = \"error\" | \"warning\"")
            for code, level in value.items():
                if level not in ("error", "warning"):
                    raise _err(where, f"{raw_key}.{code}", f"{level!r} is not \"error\" or \"warning\"")
            merged = dict(settings.severity)
            merged.update({str(k).upper(): v for k, v in value.items()})
            updates["severity"] = tuple(sorted(merged.items()))
        elif key in ("select", "ignore", "extend-select", "extend-ignore"):
            codes = tuple(c.strip().upper() for c in _str_list(value, where, raw_key))
            for code in codes:
                if not CODE_PREFIX.fullmatch(code):
                    raise _err(where, raw_key, f"{code!r} is not a rule code or prefix (like PL4 or PL401)")
            layer[key] = codes
        elif key == "per-file-ignores":
            if not isinstance(value, dict):
                raise _err(where, raw_key, "expected a table of glob = [codes], e.g. { \"legacy/*\" = [\"PL4\"] }")
            entries = []
            for pattern, codes in value.items():
                codes = tuple(c.strip().upper() for c in _str_list(codes, where, f"{raw_key}.{pattern}"))
                for code in codes:
                    if not CODE_PREFIX.fullmatch(code):
                        raise _err(where, f"{raw_key}.{pattern}", f"{code!r} is not a rule code or prefix")
                entries.append((str(pattern), codes))
            updates["per_file_ignores"] = tuple(entries)
        elif key == "max-seconds-per-file":
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 3600:
                raise _err(where, raw_key, f"{value!r} is not a number of seconds from 0 to 3600")
            updates["max_seconds_per_file"] = float(value)
        elif key == "cpus":
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 1024:
                raise _err(where, raw_key, f"{value!r} is not a CPU count from 1 to 1024")
            updates["cpus"] = value
        elif key in ("exclude", "extend-exclude"):
            patterns = _str_list(value, where, raw_key)
            try:
                _exclude_spec(tuple(patterns))
            except Exception as exc:
                raise _err(where, raw_key, f"bad pattern: {exc}") from None
            updates["exclude"] = (settings.exclude if key == "extend-exclude" else ()) + patterns
        else:
            import difflib  # only for this message: a run with good settings does not pay for it

            known = sorted(KNOWN_KEYS)
            close = difflib.get_close_matches(key, known, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise _err(where, raw_key, f"unknown setting{hint}")
    updates["labels"] = tuple(labels)
    if layer:
        updates["selection"] = settings.selection + ((layer.get("select"), layer.get("ignore", ()),
                                                      layer.get("extend-select", ()), layer.get("extend-ignore", ())),)
    return replace(settings, **updates, origin=where, base_dir=base_dir)


CODE_PREFIX = re.compile(r"ALL|[A-Z]{1,8}[0-9]{0,4}")

KNOWN_KEYS = {"max-seconds-per-file", "cpus", "exclude", "extend-exclude", "select", "ignore", "extend-select", "extend-ignore", "per-file-ignores", "labels", "extend-labels", "role", "per-file-roles", "ranges", "well-known-ports",
              "extend-well-known-ports", "allowed-ports", "connection-prefixes", "extend-connection-prefixes",
              "severity"}


def read_settings_file(path: str) -> dict | None:
    """The portlint table of a settings file, or None if a pyproject.toml has none."""
    import tomllib

    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except OSError as exc:
        raise SettingsError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path}: not valid TOML: {exc}") from None
    if os.path.basename(path) == "pyproject.toml":
        tool = data.get("tool")
        if not isinstance(tool, dict) or "portlint" not in tool:
            return None
        table = tool["portlint"]
        if not isinstance(table, dict):
            raise SettingsError(f"{path}: [tool.portlint] must be a table")
        return table
    return data


class SettingsResolver:
    """Finds each file's settings (nearest settings file upwards), with CLI overrides on top."""

    def __init__(self, overrides: dict | None = None, config_file: str | None = None, isolated: bool = False):
        self.overrides = overrides or {}
        self.config_file = config_file
        self.isolated = isolated
        self._by_dir: dict[str, Settings] = {}
        self._by_file: dict[str, Settings] = {}
        self._by_path: dict[str, Settings] = {}
        self._found: dict[str, str | None] = {}
        self._fixed: Settings | None = None
        if config_file is not None:
            table = read_settings_file(config_file)
            base = _apply(Settings(), table or {}, config_file, os.path.dirname(os.path.abspath(config_file)))
            self._fixed = self._with_overrides(base)
        elif isolated:
            self._fixed = self._with_overrides(Settings(base_dir=os.getcwd()))

    def _with_overrides(self, settings: Settings) -> Settings:
        if not self.overrides:
            return settings.validate()
        origin, base = settings.origin, settings.base_dir
        return replace(_apply(settings, self.overrides, "command line", base), origin=origin, base_dir=base).validate()

    def default(self) -> Settings:
        return self.for_path(os.path.join(os.getcwd(), "ecosystem.config.js"))

    def for_path(self, path: str) -> Settings:
        if self._fixed is not None:
            return self._fixed
        full = os.path.abspath(path)
        known = self._by_path.get(full)
        if known is not None:
            return known
        settings = self._for_directory(os.path.dirname(full))
        self._by_path[full] = settings
        return settings

    def _for_directory(self, directory: str) -> Settings:
        cached = self._by_dir.get(directory)
        if cached is not None:
            return cached
        found_file = self._find(directory)
        key = found_file or ("", os.getcwd())  # no settings file: one defaults object per working folder
        settings = self._by_file.get(key)
        if settings is None:
            if found_file is None:
                settings = self._with_overrides(Settings(base_dir=os.getcwd()))
            else:
                table = read_settings_file(found_file) or {}
                settings = self._with_overrides(_apply(Settings(), table, found_file, os.path.dirname(found_file)))
            self._by_file[key] = settings
        self._by_dir[directory] = settings
        return settings

    def _find(self, directory: str) -> str | None:
        """The nearest settings file at or above ``directory`` (each folder is looked at once)."""
        if directory in self._found:
            return self._found[directory]
        found = None
        for name in SETTINGS_FILES:
            candidate = os.path.join(directory, name)
            if os.path.isfile(candidate) and (name != "pyproject.toml" or read_settings_file(candidate) is not None):
                found = candidate
                break
        if found is None:
            parent = os.path.dirname(directory)
            found = self._find(parent) if parent != directory else None
        self._found[directory] = found
        return found
