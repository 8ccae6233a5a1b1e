"""Reading the live PortOS apps list (``GET /api/apps``) for the ports it already shows."""
from __future__ import annotations

from dataclasses import dataclass


class PortosError(Exception):
    """The PortOS API could not be read; one line for the user."""


@dataclass(frozen=True)
class PortosPort:
    port: int
    app: str
    process: str
    label: str


def fetch_ports(url: str, timeout: float = 5.0) -> list[PortosPort]:
    import json
    import urllib.error
    import urllib.request

    base = url.rstrip("/")
    endpoint = base if base.endswith("/api/apps") else base + "/api/apps"
    if not endpoint.startswith(("http://", "https://")):
        raise PortosError(f"--portos-url: {url!r} is not an http(s) URL")
    try:
        with urllib.request.urlopen(endpoint, timeout=timeout) as response:  # noqa: S310 (user-given URL)
            body = response.read(10 * 1024 * 1024 + 1)
    except urllib.error.HTTPError as exc:
        raise PortosError(f"PortOS at {endpoint} answered HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise PortosError(f"cannot reach PortOS at {endpoint}: {reason}") from None
    if len(body) > 10 * 1024 * 1024:
        raise PortosError(f"PortOS at {endpoint} sent more than 10 MiB")
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise PortosError(f"PortOS at {endpoint} did not answer with JSON") from None
    return parse_apps(data, endpoint)


def parse_apps(data, endpoint: str = "PortOS") -> list[PortosPort]:
    if not isinstance(data, list):
        raise PortosError(f"{endpoint}: expected a JSON array of apps, got {type(data).__name__}")
    out: list[PortosPort] = []
    for index, app in enumerate(data):
        if not isinstance(app, dict):
            raise PortosError(f"{endpoint}: app #{index + 1} is not an object")
        name = str(app.get("name", f"app #{index + 1}"))
        processes = app.get("processes") or []
        if not isinstance(processes, list):
            raise PortosError(f"{endpoint}: processes of {name!r} is not an array")
        for proc in processes:
            if not isinstance(proc, dict):
                raise PortosError(f"{endpoint}: a process of {name!r} is not an object")
            pname = str(proc.get("name", "?"))
            ports = proc.get("ports") or {}
            if not isinstance(ports, dict):
                raise PortosError(f"{endpoint}: ports of {name!r}/{pname!r} is not an object")
            seen = set()
            for label, port in ports.items():
                if _valid(port):
                    out.append(PortosPort(port, name, pname, str(label)))
                    seen.add(port)
            port = proc.get("port")
            if _valid(port) and port not in seen:
                out.append(PortosPort(port, name, pname, ""))
    return out


def _valid(port) -> bool:
    return isinstance(port, int) and not isinstance(port, bool) and 1 <= port <= 65535
