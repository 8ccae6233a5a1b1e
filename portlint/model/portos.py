"""How PortOS names ports (its labels), so portlint's messages match the PortOS apps list."""
from __future__ import annotations

import re

_UI_SUFFIXES = ("-ui", "_ui", "-client", "_client")
_BROWSER_SUFFIXES = ("-browser", "_browser")
_ENV_PORT_KEY = re.compile(r"^(?:PORT|[A-Z][A-Z0-9_]*_PORT)$", re.IGNORECASE)


def is_port_key(key: str, is_connection_key=lambda key: False) -> bool:
    """An env key that carries a port: PORT, FOO_PORT, or a PGPORT-style connection key."""
    return bool(_ENV_PORT_KEY.match(key)) or is_connection_key(key)


def camel_case(stem: str) -> str:
    words = [w for w in stem.lower().split("_") if w]
    if not words:
        return stem.lower()
    return words[0] + "".join(w.capitalize() for w in words[1:])


def env_label(key: str, process_name: str | None, has_cdp: bool) -> str:
    """The label PortOS gives a port found under env key ``key``."""
    upper = key.upper()
    if upper == "CDP_PORT":
        return "cdp"
    if upper == "VITE_PORT":
        return "ui"
    if upper == "PORT":
        name = (process_name or "").lower()
        if name.endswith(_UI_SUFFIXES):
            return "ui"
        if name.endswith(_BROWSER_SUFFIXES) and has_cdp:
            return "health"
        return "api"
    if upper.endswith("_PORT"):
        return camel_case(upper[: -len("_PORT")])
    return camel_case(upper[: -len("PORT")] or upper)


#: Labels PortOS derives by itself from a user's label (a Vite UI beside an API becomes devUi).
DERIVED_LABELS = {"devUi": "ui"}
