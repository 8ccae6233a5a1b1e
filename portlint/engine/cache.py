"""The result cache: a file whose content, settings, required files, portlint version and plugin
set are unchanged is not linted again.

Entries are JSON (never pickle: the folder may come from an untrusted checkout), one file per
linted path and key, written atomically. An entry that is missing, truncated, garbage or from
another version is ignored and rewritten.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile

from portlint._version import __version__

FORMAT = 2  # 2: claims carry kind, environments and variants
TAG = ("Signature: 8a477f597d28d172789f06886806bc55\n"
       "# This file is a cache directory tag created by portlint.\n"
       "# For information about cache directory tags see https://bford.info/cachedir/\n")


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


class Cache:
    def __init__(self, directory: str, run_key: str):
        self.directory = directory
        self.run_key = run_key  # version, plugins, selection, noqa mode
        self.hits = 0
        self.misses = 0
        self._ready = False

    def _entry_path(self, path: str, settings_key: str) -> str:
        name = hashlib.sha256(f"{self.run_key}\0{settings_key}\0{os.path.abspath(path)}".encode("utf-8", "surrogateescape")).hexdigest()
        return os.path.join(self.directory, f"v{FORMAT}", name[:2], name + ".json")

    def get(self, path: str, settings_key: str, content_hash: str) -> dict | None:
        entry_path = self._entry_path(path, settings_key)
        try:
            with open(entry_path, encoding="utf-8") as fh:
                entry = json.load(fh)
        except (OSError, ValueError):
            self.misses += 1
            return None
        try:
            valid = (entry["format"] == FORMAT and entry["version"] == __version__ and entry["path"] == path
                     and entry["content"] == content_hash and isinstance(entry["result"], dict)
                     and all(_file_digest(dep) == sha for dep, sha in entry["deps"]))
        except (KeyError, TypeError, ValueError):
            valid = False
        if not valid:
            self.misses += 1
            return None
        self.hits += 1
        return entry["result"]

    def put(self, path: str, settings_key: str, content_hash: str, deps: list[tuple[str, str]], result: dict) -> None:
        entry = {"format": FORMAT, "version": __version__, "path": path, "content": content_hash,
                 "deps": deps, "result": result}
        entry_path = self._entry_path(path, settings_key)
        try:
            self._prepare()
            os.makedirs(os.path.dirname(entry_path), exist_ok=True)
            fd, temp = tempfile.mkstemp(prefix=".tmp-", dir=os.path.dirname(entry_path))
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(entry, fh, separators=(",", ":"))
            os.replace(temp, entry_path)  # atomic: a concurrent reader sees the old entry or the new one
        except OSError:
            pass  # a cache that cannot be written only costs time

    def _prepare(self) -> None:
        if self._ready:
            return
        os.makedirs(self.directory, exist_ok=True)
        tag = os.path.join(self.directory, "CACHEDIR.TAG")
        if not os.path.exists(tag):
            with open(tag, "w", encoding="utf-8") as fh:
                fh.write(TAG)
        ignore = os.path.join(self.directory, ".gitignore")
        if not os.path.exists(ignore):
            with open(ignore, "w", encoding="utf-8") as fh:
                fh.write("# created by portlint\n*\n")
        self._ready = True


def _file_digest(path: str) -> str | None:
    """sha256 of a regular file's bytes; None for anything else (a FIFO is never opened)."""
    import stat

    from portlint.source.read import MAX_BYTES

    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_BYTES:
            return None
        with open(path, "rb") as fh:
            return hashlib.sha256(fh.read()).hexdigest()
    except OSError:
        return None
