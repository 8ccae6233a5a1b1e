"""Settings: the defaults the spec gives, validated. (Reading them from files comes with the rule catalog.)"""
from __future__ import annotations

from dataclasses import dataclass, field

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


class SettingsError(Exception):
    """A bad setting; the message names the key, in one line."""


@dataclass
class Settings:
    labels: tuple[str, ...] = DEFAULT_LABELS
    ranges: dict[str, tuple[int, int]] = field(default_factory=lambda: dict(DEFAULT_RANGES))
    role: str = "user"
    well_known: frozenset[int] = DEFAULT_WELL_KNOWN
    allowed_ports: frozenset[int] = frozenset()
    connection_prefixes: tuple[str, ...] = DEFAULT_CONNECTION_PREFIXES
    severity: dict[str, str] = field(default_factory=dict)

    def is_well_known(self, port: int) -> bool:
        return port in self.well_known and port not in self.allowed_ports

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
        for name, (low, high) in self.ranges.items():
            if not (1 <= low <= high <= 65535):
                raise SettingsError(f"ranges.{name}: {low}-{high} is not a range of ports from 1 to 65535")
        for code, level in self.severity.items():
            if level not in ("error", "warning"):
                raise SettingsError(f"severity.{code}: {level!r} is not 'error' or 'warning'")
        return self
