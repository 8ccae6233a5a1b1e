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


#: The largest apps list portlint reads (a real one is a few kilobytes).
MAX_BODY = 10 * 1024 * 1024


def fetch_ports(url: str, timeout: float = 5.0) -> list[PortosPort]:
    """The ports of the live apps list; ``timeout`` bounds the whole request (name lookup,
    connection, every read), so a server that drips its answer cannot hold the run."""
    import json

    base = url.rstrip("/")
    endpoint = base if base.endswith("/api/apps") else base + "/api/apps"
    if not endpoint.startswith(("http://", "https://")):
        raise PortosError(f"--portos-url: {url!r} is not an http(s) URL")
    body = _get(endpoint, timeout)
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: JSON nested too deeply
        raise PortosError(f"PortOS at {endpoint} did not answer with JSON") from None
    return parse_apps(data, endpoint)


def _get(endpoint: str, timeout: float) -> bytes:
    """The body of GET ``endpoint``, or PortosError; the request runs in a daemon thread that is
    abandoned when the deadline passes."""
    import threading

    outcome: dict = {}
    worker = threading.Thread(target=_fetch, args=(endpoint, timeout, outcome), daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise PortosError(f"cannot reach PortOS at {endpoint}: timed out (no whole answer within {timeout:g} s, "
                          "--portos-timeout)")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["body"]


def _fetch(endpoint: str, timeout: float, outcome: dict) -> None:
    import urllib.error
    import urllib.request

    from portlint.source.files import UnreadableFile, read_stream

    try:
        with urllib.request.urlopen(endpoint, timeout=timeout) as response:  # noqa: S310 (user-given URL)
            outcome["body"] = read_stream(response, MAX_BODY, what="an apps list")
    except UnreadableFile:
        outcome["error"] = PortosError(f"PortOS at {endpoint} sent more than {MAX_BODY // (1024 * 1024)} MiB")
    except urllib.error.HTTPError as exc:
        outcome["error"] = PortosError(f"PortOS at {endpoint} answered HTTP {exc.code}")
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        outcome["error"] = PortosError(f"cannot reach PortOS at {endpoint}: {reason}")
    except Exception as exc:  # a malformed answer (bad headers, broken chunking): one line, never a traceback
        outcome["error"] = PortosError(f"PortOS at {endpoint} sent a malformed answer ({type(exc).__name__}: {exc})")


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
