"""The project's web addresses, kept in one place ([project.urls] in pyproject.toml) and read from the package metadata."""
from __future__ import annotations

import os
from functools import lru_cache


@lru_cache(maxsize=1)
def project_urls() -> dict[str, str]:
    """label -> address, from the installed metadata (a source checkout: from pyproject.toml itself).

    Read only when a report needs an address (JSON, SARIF, the language server), so a plain run pays nothing."""
    from importlib.metadata import PackageNotFoundError, metadata

    try:
        entries = metadata("portlint").get_all("Project-URL") or []
    except PackageNotFoundError:
        entries = []
    urls = dict(entry.split(", ", 1) for entry in entries if ", " in entry)
    if not urls:
        urls = _from_pyproject()
    return urls


def _from_pyproject() -> dict[str, str]:
    import tomllib

    from portlint.source.files import UnreadableFile, read_regular

    path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "pyproject.toml")
    try:
        return dict(tomllib.loads(read_regular(path, what="a pyproject.toml").decode("utf-8"))["project"]["urls"])
    except (UnreadableFile, UnicodeDecodeError, KeyError, TypeError, ValueError):  # TOMLDecodeError is a ValueError
        return {}


def homepage() -> str:
    return project_urls().get("Homepage", "")


def rule_docs(code: str) -> str:
    """Where one rule's documentation is: docs/rules.md, at the rule's anchor."""
    return f"{project_urls().get('Documentation', '')}#{code.lower()}"


def schema_id() -> str:
    """The ``$id`` of the JSON output's schema (portlint/schema/diagnostics.schema.json)."""
    return project_urls().get("Schema", "")


def uri_path(path: str) -> str:
    """A path as a URI's path: the file name's own bytes, percent-encoded where a URI needs it
    (spaces, control characters, bytes of a name that is not UTF-8)."""
    from urllib.parse import quote

    return quote(os.fsencode(path.replace(os.sep, "/")), safe="/:@!$&'()*+,;=")


def file_uri(path: str) -> str:
    """The ``file://`` URI of a path (made absolute)."""
    return "file://" + uri_path(os.path.abspath(path))
