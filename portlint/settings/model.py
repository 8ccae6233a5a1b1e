"""The Settings model: the spec's defaults and the questions rules ask of the settings."""
from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass

from portlint.settings.portset import PortSet

DEFAULT_LABELS = ("api", "ui", "cdp", "health", "ws", "db")

DEFAULT_RANGES = {"core": (5554, 5560), "reserved": (5561, 5569), "user": (5570, 5599)}

DEFAULT_WELL_KNOWN = PortSet(intervals=[(1, 1023)], ports={
    1433, 1521, 2375, 2376, 3000, 3001, 3306, 4200, 5000, 5001, 5173, 5432, 5601, 5672, 5984, 6379,
    8000, 8008, 8080, 8081, 8443, 8888, 9000, 9090, 9092, 9200, 9229, 9300, 11211, 15672, 27017,
})

DEFAULT_CONNECTION_PREFIXES = (
    "DB", "DATABASE", "PG", "POSTGRES", "MYSQL", "MARIADB", "MSSQL", "REDIS", "MONGO", "MONGODB", "SMTP",
    "MAIL", "EMAIL", "IMAP", "POP3", "AMQP", "RABBITMQ", "KAFKA", "ELASTIC", "ELASTICSEARCH", "MEMCACHED",
    "LDAP", "NATS", "MQTT", "CLICKHOUSE", "INFLUX", "CASSANDRA", "NEO4J", "MINIO", "S3",
)

#: URL schemes of services a process connects to (``redis://localhost:6379``): a connection.
DEFAULT_CONNECTION_SCHEMES = (
    "redis", "rediss", "postgres", "postgresql", "mysql", "mariadb", "mongodb", "mongodb+srv", "amqp", "amqps",
    "nats", "mqtt", "mqtts", "smtp", "smtps", "ldap", "ldaps", "kafka", "memcached", "clickhouse", "cassandra",
    "neo4j", "bolt",
)
#: What follows a connection prefix in an env key that holds a service's address (``REDIS_URL``,
#: ``DATABASE_URL``, ``MONGO_URI``, ``MEMCACHED_SERVERS``): the whole value is a connection.
CONNECTION_ADDRESS_SUFFIXES = ("URL", "URI", "URIS", "URLS", "DSN", "HOST", "HOSTS", "SERVER", "SERVERS", "ADDR",
                               "ADDRESS", "ENDPOINT", "BROKERS", "CONNECTION", "CONNECTION_STRING", "CONN")

ROLES = ("auto", "user", "core", "reserved", "any")
#: ``role = "auto"``: a config whose processes are all named like this is PortOS's own (core).
PORTOS_PROCESS_PREFIX = "portos-"


class SettingsError(Exception):
    """A bad setting; the message names the file and the key, in one line."""


@dataclass(frozen=True)
class Settings:
    labels: tuple[str, ...] = DEFAULT_LABELS
    ranges: tuple[tuple[str, int, int], ...] = tuple((k, lo, hi) for k, (lo, hi) in DEFAULT_RANGES.items())
    role: str = "auto"
    per_file_roles: tuple[tuple[str, str], ...] = ()
    well_known: PortSet = DEFAULT_WELL_KNOWN
    allowed_ports: PortSet = PortSet()
    connection_prefixes: tuple[str, ...] = DEFAULT_CONNECTION_PREFIXES
    connection_schemes: tuple[str, ...] = DEFAULT_CONNECTION_SCHEMES
    severity: tuple[tuple[str, str], ...] = ()
    #: One layer per source (settings file, then command line), each (select, ignore, extend-select,
    #: extend-ignore); a later layer decides over an earlier one, as the command line over the file.
    selection: tuple[tuple[tuple[str, ...] | None, tuple[str, ...], tuple[str, ...], tuple[str, ...]], ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    exclude: tuple[str, ...] = ()  # gitignore-style patterns, relative to base_dir
    cpus: int = 4  # what instances 'max' / 0 / -1 count as
    max_seconds_per_file: float = 10.0  # a file that takes longer gets PL001 instead of a hang
    #: The whole run's deadline (the settings of the folder portlint runs in, or --config, decide it):
    #: five times a cold run of 10,000 configs on two CPUs. What it stops is reported as not checked.
    max_seconds_per_run: float = 300.0
    #: Where these settings came from (a file path, or None for the defaults); relative globs start here.
    origin: str | None = None
    base_dir: str = "."

    # -- questions the rules ask ------------------------------------------------------------------
    def role_for(self, path: str) -> str:
        rel = os.path.relpath(os.path.abspath(path), self.base_dir).replace(os.sep, "/")
        for pattern, role in self.per_file_roles:
            if _glob_matches(pattern, rel, path):
                return role
        return self.role

    def resolve_role(self, path: str, process_names) -> tuple[str, bool]:
        """The role a config is linted with, and whether it was inferred (``auto``): ``core`` when
        every process is named ``portos-*`` (PortOS's own config), else ``user``."""
        role = self.role_for(path)
        if role != "auto":
            return role, False
        names = list(process_names)
        core = bool(names) and all(isinstance(n, str) and n.startswith(PORTOS_PROCESS_PREFIX) for n in names)
        return ("core" if core else "user"), True

    def allowed_range(self, role: str) -> list[tuple[str, int, int]]:
        """The ranges a config of this role may use: the one place ranges are worked out per role.
        PortOS itself (``core``) may also use the range reserved for its extensions, as the policy's
        own table does (portos-db on 5561); ``auto`` before it is resolved means ``user``."""
        if role == "any":
            return list(self.ranges)
        names = ("core", "reserved") if role == "core" else ("user",) if role == "auto" else (role,)
        return [(k, lo, hi) for k, lo, hi in self.ranges if k in names]

    def search_range(self, role: str) -> tuple[str, int, int] | None:
        """The range ``--next-free`` searches for a config of this role (``any``: the user range)."""
        ranges = self.allowed_range("user" if role == "any" else role) or self.allowed_range("user")
        return ranges[0] if ranges else None

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
        return _exclude_spec(self.exclude).patterns.match_file(rel + "/" if is_dir else rel)

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
        return self._connection_stem(stem)

    def is_connection_address_key(self, env_key: str) -> bool:
        """REDIS_URL, DATABASE_URL, MONGO_URI, MEMCACHED_SERVERS...: a key whose value is the address
        of a service the process connects to (a connection prefix, then ``_URL``/``_URI``/``_DSN``/...)."""
        key = env_key.upper()
        for suffix in CONNECTION_ADDRESS_SUFFIXES:
            if key.endswith("_" + suffix) and self._connection_stem(key[: -len(suffix) - 1]):
                return True
        return False

    def is_connection_scheme(self, scheme: str | None) -> bool:
        """``redis``, ``postgres``, ``amqp``...: a URL scheme naming a service the process connects to."""
        return scheme is not None and scheme.lower() in self.connection_schemes

    def _connection_stem(self, stem: str) -> bool:
        return any(stem.startswith(prefix) for prefix in self.connection_prefixes)

    def validate(self) -> "Settings":
        if self.role not in ROLES:
            raise SettingsError(f"role: {self.role!r} is not one of {', '.join(ROLES)}")
        return self


_SPECS: dict = {}


_SPECS_BY_ID: dict[int, tuple] = {}  # id of a patterns tuple -> (the tuple, its spec): no rehashing of long lists


def _exclude_spec(patterns: tuple[str, ...]):
    """The compiled ``exclude`` patterns (``portlint.source.ignore.Compiled``), once per list."""
    known = _SPECS_BY_ID.get(id(patterns))
    if known is not None and known[0] is patterns:
        return known[1]
    spec = _SPECS.get(patterns)
    if spec is None:
        from portlint.source.ignore import compile_patterns

        spec = _SPECS[patterns] = compile_patterns(patterns)
    _SPECS_BY_ID[id(patterns)] = (patterns, spec)
    return spec


def _glob_matches(pattern: str, rel: str, path: str) -> bool:
    """A glob against the path relative to the settings file's folder, or against the file name."""
    if fnmatch.fnmatch(rel, pattern):
        return True
    if "/" not in pattern and fnmatch.fnmatch(os.path.basename(path), pattern):
        return True
    return pattern.endswith("/**") and (rel + "/").startswith(pattern[:-2])
