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
#: Redirects followed, each on the same origin (scheme, host, port) as the URL given.
MAX_REDIRECTS = 5


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


def _opener():
    """An opener for http(s) only, whose redirects stay on the origin asked for: no other host,
    port or scheme (no https -> http, no ftp://, no file://), at most MAX_REDIRECTS of them."""
    import urllib.request
    from urllib.parse import urljoin, urlsplit

    class SameOrigin(urllib.request.HTTPRedirectHandler):
        max_redirections = MAX_REDIRECTS

        def http_error_302(self, req, fp, code, msg, headers):
            told = headers.get("location") or headers.get("uri")
            if told is not None:  # checked before urllib looks at it (it would follow ftp://)
                newurl = urljoin(req.full_url, told)
                if _origin(urlsplit(newurl)) != _origin(urlsplit(req.full_url)):
                    raise PortosError(f"PortOS at {req.full_url} redirected to {_shown_url(newurl)}, another origin "
                                      "(scheme, host or port); not followed")
            return super().http_error_302(req, fp, code, msg, headers)

        http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302

    opener = urllib.request.OpenerDirector()
    for handler in (urllib.request.ProxyHandler(), urllib.request.HTTPHandler(), urllib.request.HTTPSHandler(),
                    urllib.request.HTTPDefaultErrorHandler(), urllib.request.HTTPErrorProcessor(), SameOrigin()):
        opener.add_handler(handler)
    return opener


def _origin(parts) -> tuple:
    default = {"http": 80, "https": 443}.get(parts.scheme)
    try:
        port = parts.port or default
    except ValueError:  # a port that is not a number
        port = None
    return parts.scheme, (parts.hostname or "").lower(), port


def _shown_url(url: str) -> str:
    from portlint.report.formats.escape import printable

    url = printable(url)
    return url if len(url) <= 200 else url[:197] + "..."


def _fetch(endpoint: str, timeout: float, outcome: dict) -> None:
    import urllib.error

    from portlint.source.files import UnreadableFile, read_stream

    try:
        with _opener().open(endpoint, timeout=timeout) as response:
            outcome["body"] = read_stream(response, MAX_BODY, what="an apps list")
    except PortosError as exc:
        outcome["error"] = exc
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
