"""The result cache: a file whose content, settings, required files, portlint version and plugin
set are unchanged is not linted again. Every part of the cache key is built here.

One index file per cache folder (like ``.eslintcache``), read once per run and written once at
its end, atomically: each file's key and its diagnostics. Two kinds of file beside it are read only
when a run needs them: ``summaries.json``, the port claims of every config, which the project pass
(PL203) needs when some file changed; and ``run-<digest>.json``, the project pass's result of one
of the last whole runs, which is all an unchanged tree needs. A warm run of an unchanged tree thus
reads its diagnostics and one run's result, not every config's claims.

Everything is JSON, never pickle (the folder may come from an untrusted checkout). A file that is
missing, truncated, garbage, too deep, of the wrong shape, from another version or another index,
or not a regular file is ignored and rewritten. Nothing in the folder is ever written through a
symbolic link, and a cache folder that is itself a link is used only when named with ``--cache-dir``.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import stat
import sys
import time

from portlint._version import __version__

FORMAT = 5  # 5: every file signed with the user's key; 4: summaries and runs in files of their own
INDEX = "index.json"
SUMMARIES = "summaries.json"
RUN_FILE = "run-{}.json"  # {}: the run's digest (64 hex digits)
#: A run file no index names is deleted once it is this old (a process beside this one may be about
#: to write the index that names it).
STALE_RUN_SECONDS = 60
DEFAULT_DIRECTORY = ".portlint_cache"
MAX_INDEX_BYTES = 256 * 1024 * 1024
#: A run of few files in a large project reads the index only if it is small enough to pay: about
#: what linting this many files costs, at 100 KiB of index per file (at least 1 MiB). Else it lints
#: them and leaves the index alone (a pre-commit run of two files in a 10,000-config monorepo).
INDEX_BYTES_PER_FILE = 100 * 1024
#: Whole runs remembered (the last ones: e.g. ``portlint .`` and ``portlint services/``).
MAX_RUNS = 4
MIN_INDEX_BUDGET = 1024 * 1024
TAG = ("Signature: 8a477f597d28d172789f06886806bc55\n"
       "# This file is a cache directory tag created by portlint.\n"
       "# For information about cache directory tags see https://bford.info/cachedir/\n")
#: A file changed this recently may change again within the clock's resolution: hash it next time.
RACY_NS = 2_000_000_000
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def run_key(registry, disable_noqa: bool) -> str:
    """What changes every entry at once: portlint's version, the plugins and rules, the noqa mode."""
    return "|".join([__version__, ",".join(registry.plugin_names), ",".join(registry.rules), str(disable_noqa)])


_FINGERPRINTS: dict[int, tuple] = {}


def settings_key(settings) -> str:
    """A stable text for a Settings value (computed once per Settings object)."""
    cached = _FINGERPRINTS.get(id(settings))
    if cached is not None and cached[0] is settings:
        return cached[1]
    import dataclasses

    parts = []
    for f in dataclasses.fields(settings):
        value = getattr(settings, f.name)
        parts.append(f"{f.name}={sorted(value) if isinstance(value, (set, frozenset)) else value!r}")
    text = hashlib.sha256("\n".join(parts).encode("utf-8", "surrogateescape")).hexdigest()
    _FINGERPRINTS[id(settings)] = (settings, text)
    return text


def file_key(path: str) -> list | None:
    """[sha256, stat signature or None] of a regular file; None for anything else (a FIFO is never
    opened). The signature lets the next run skip hashing a file that was not touched."""
    from portlint.source.files import UnreadableFile, read_regular

    try:
        st = os.stat(path)
        sha = hashlib.sha256(read_regular(path)).hexdigest()  # checked and capped like the config itself
    except (OSError, UnreadableFile):
        return None
    settled = time.time_ns() - max(st.st_mtime_ns, st.st_ctime_ns) > RACY_NS
    return [sha, _signature(st) if settled else None]


def _signature(st: os.stat_result) -> list:
    return [st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino, st.st_dev]


def still(path: str, key) -> list | None:
    """``key`` (from ``file_key``) if the file still has that content, refreshed when it had to be
    hashed again (so that the next run need not); None if the content changed."""
    sha, signature = key
    if signature is not None:
        try:
            if _signature(os.stat(path)) == signature:
                return key
        except OSError:
            return None
    current = file_key(path)
    return current if current is not None and current[0] == sha else None


class Cache:
    def __init__(self, directory: str, run_key: str, explicit: bool = False):
        self.directory = directory
        self.run_key = run_key
        #: Named by the user (--cache-dir): then a folder that is a symbolic link is used as well.
        self.explicit = explicit
        self._entries: dict | None = None
        self._runs: list[str] = []  # digests of the last whole runs, oldest first (see run_digest)
        self._new_runs: dict[str, list] = {}  # digest -> its project pass's diagnostics, to be written
        self._dropped_runs: list[str] = []  # digests whose files go once the index no longer names them
        self._summaries: dict | None = None  # abspath -> summary data, read on first need
        self._summaries_token = ""  # names the summaries file that goes with the index read
        self._summaries_dirty = False
        self._pending: dict[str, list] = {}  # path -> file_key taken before it was linted
        self._absolute: dict[str, str] = {}  # path -> its absolute form (a run does not change folder)
        self._dirty = False
        self._refused = False
        self._forged = False  # an index whose signature is not this user's was met (said once)
        self._skipped = False  # the index was too large for this run: neither read nor written
        #: How many files this run looks up (set by the run): bounds the index worth reading.
        self.files = 0

    @classmethod
    def for_run(cls, directory: str, registry, disable_noqa: bool, explicit: bool = False) -> "Cache":
        return cls(directory, run_key(registry, disable_noqa), explicit)

    # -- lookups ----------------------------------------------------------------------------------
    def lookup(self, path: str, settings):
        """The cached FileResult for this file under these settings, if nothing it depends on changed
        (and the entry has exactly the shape this version writes)."""
        from portlint.engine.results import FileResult

        entry = self._index().get(self._full(path))
        try:
            if entry["settings"] == settings_key(settings):
                keys = [still(path, entry["content"]), *(still(dep, key) for dep, key in entry["deps"])]
                hit = FileResult.from_cache(path, entry["result"]) if None not in keys else None
                if hit is not None:
                    if keys != [entry["content"], *(key for _, key in entry["deps"])]:
                        entry["content"], entry["deps"] = keys[0], [[d, k] for (d, _), k in zip(entry["deps"], keys[1:])]
                        self._dirty = True
                    return hit
        except (KeyError, TypeError, ValueError, IndexError):
            pass
        self.miss(path)
        return None

    def miss(self, path: str) -> None:
        """``path`` will be linted: take its key now, so that a change while it is linted is seen next time."""
        key = file_key(path) if not self._skipped else None
        if key is not None:
            self._pending[path] = key

    def summary(self, path: str) -> dict | None:
        """The cached summary of a file that ``lookup`` found, when the summaries file has it in the
        shape this version writes (else None: lint the file again)."""
        from portlint.engine.results import valid_summary

        found = self._summary_map().get(self._full(path))
        return found if valid_summary(found) else None

    def store(self, path: str, settings, deps: list[str], result: dict) -> None:
        """Remember a file's result (``FileResult.to_data``): its diagnostics in the index, its
        summary in the summaries file."""
        key = self._pending.pop(path, None)
        if key is None:
            return
        dep_keys = [(dep, file_key(dep)) for dep in deps]
        if any(k is None for _, k in dep_keys):
            return  # a required file that cannot be fingerprinted: lint again next time
        from portlint.engine.results import summary_role

        summary = result["summary"]
        role = summary_role(summary)
        full = self._full(path)
        self._index()[full] = {"settings": settings_key(settings), "content": key, "deps": dep_keys,
                               "result": {"diagnostics": result["diagnostics"], "noqa": result["noqa"],
                                          "role": list(role) if role is not None else None}}
        summaries = self._summary_map()
        if summary is not None:
            summaries[full] = summary
        else:
            summaries.pop(full, None)
        self._dirty = self._summaries_dirty = True

    # -- whole runs -------------------------------------------------------------------------------
    def run_digest(self, paths: list[str], context: str) -> str | None:
        """What a whole run's report depends on, when every file was a hit (else None): each file's
        entry key, in order, and ``context`` (the rule selection, the live PortOS ports)."""
        index = self._index()
        parts = [context]
        for path in paths:
            full = self._full(path)
            entry = index.get(full)
            if path in self._pending or not isinstance(entry, dict):
                return None
            parts.append(json.dumps([path, full, entry.get("settings"), _content_hashes(entry)]))
        return hashlib.sha256("\n".join(parts).encode("utf-8", "surrogateescape")).hexdigest()

    def run_result(self, digest: str) -> list | None:
        """The project pass's diagnostics (as data) of a run with this digest, if cached and well formed."""
        from portlint.engine.results import valid_diagnostics

        if digest not in self._runs:
            return None
        found = self._new_runs.get(digest)
        if found is None:
            found = self._read_json(RUN_FILE.format(digest))
        return found if valid_diagnostics(found) else None

    def store_run(self, digest: str, diagnostics: list[dict]) -> None:
        if digest in self._runs:
            self._runs.remove(digest)
        self._runs.append(digest)
        self._new_runs[digest] = diagnostics
        while len(self._runs) > MAX_RUNS:
            dropped = self._runs.pop(0)
            self._new_runs.pop(dropped, None)
            self._dropped_runs.append(dropped)
        self._dirty = True

    def _full(self, path: str) -> str:
        """The index's key of ``path``: its absolute form (made once per path and run)."""
        full = self._absolute.get(path)
        if full is None:
            full = self._absolute[path] = os.path.abspath(path)
        return full

    # -- the index file ---------------------------------------------------------------------------
    def _index(self) -> dict:
        if self._entries is None:
            self._entries = self._read()
        return self._entries

    def _open_folder(self, create: bool) -> int | None:
        """The cache folder, open; None if it is missing (and not to be created) or refused, or when
        there is no signing key to tell this user's cache from a planted one."""
        if signing_key() is None:
            if not self._refused:
                self._refused = True
                sys.stderr.write(f"portlint: warning: no cache: its signing key can be neither read nor made at "
                                 f"{key_path()} (set XDG_CACHE_HOME to a writable folder, or use --no-cache)\n")
            return None
        try:
            st = os.lstat(self.directory)
        except FileNotFoundError:
            if not create:
                return None
            try:
                os.makedirs(self.directory, exist_ok=True)
                st = os.lstat(self.directory)
            except OSError:
                return None
        except OSError:
            return None
        if stat.S_ISLNK(st.st_mode) and not self.explicit:
            if not self._refused:
                self._refused = True
                sys.stderr.write(f"portlint: warning: the cache folder {self.directory} is a symbolic link; it is "
                                 "not used (name it with --cache-dir to use it anyway)\n")
            return None
        flags = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | (0 if self.explicit else _NOFOLLOW)
        try:
            return os.open(self.directory, flags)
        except OSError:
            return None

    def _remove_stale_runs(self, folder: int) -> None:
        """Delete the run files the index no longer names: the ones this run evicted at once, and
        any other (left by another index, another process or a crash) once it is a minute old, so
        that a process writing beside this one keeps its fresh file."""
        now = time.time()
        try:
            with os.scandir(folder) as entries:
                names = [(e.name, e.stat(follow_symlinks=False).st_mtime) for e in entries]
        except OSError:
            return
        for name, mtime in names:
            digest = _run_digest_of(name)
            if digest is None or digest in self._runs:
                continue
            if digest in self._dropped_runs or now - mtime > STALE_RUN_SECONDS:
                try:
                    os.unlink(name, dir_fd=folder)
                except OSError:
                    pass

    def _summary_map(self) -> dict:
        """abspath -> summary, from the summaries file that goes with the index (read once, on first need)."""
        if self._summaries is None:
            self._index()
            data = self._read_json(SUMMARIES, budgeted=True) if self._summaries_token else None
            ok = isinstance(data, dict) and data.get("token") == self._summaries_token \
                and isinstance(data.get("summaries"), dict)
            self._summaries = data["summaries"] if ok else {}
        return self._summaries

    def read_limit(self) -> int:
        """The most bytes one cache file may have for this run: about what linting its files costs
        (100 KiB a file, at least 1 MiB), never over MAX_INDEX_BYTES; a bigger one is not read."""
        if not self.files:
            return MAX_INDEX_BYTES
        return min(MAX_INDEX_BYTES, max(MIN_INDEX_BUDGET, INDEX_BYTES_PER_FILE * self.files))

    def _read_json(self, name: str, budgeted: bool = False):
        """The JSON in the cache folder's file ``name``, read by the one checked reader (a regular
        file, never through a link, at most ``read_limit()`` bytes); None when it is missing, not a
        regular file, too large for this run (then, when ``budgeted``, the index is neither read nor
        written), or not JSON."""
        from portlint.source.files import UnreadableFile, read_regular

        folder = self._open_folder(create=False)
        if folder is None:
            return None
        try:
            data = read_regular(name, self.read_limit(), "a cache file", dir_fd=folder, follow_symlinks=False)
        except UnreadableFile as exc:  # missing, a symbolic link, a FIFO, a folder, too large
            if exc.too_large and budgeted:
                self._skipped = True
            return None
        finally:
            os.close(folder)
        body = _signed_body(name, data)
        if body is None:
            if name == INDEX and not self._forged:  # said once: then ignored and rewritten
                self._forged = True
                sys.stderr.write(f"portlint: warning: the cache in {self.directory} was not written by portlint for "
                                 "this user (a committed or copied cache folder?); it is not used, and is rewritten\n")
            return None
        try:
            found = json.loads(body)
        except (ValueError, RecursionError):
            return None
        return found.get("diagnostics") if name.startswith("run-") and isinstance(found, dict) else found

    def _read(self) -> dict:
        data = self._read_json(INDEX, budgeted=True)
        if (not isinstance(data, dict) or data.get("format") != FORMAT or data.get("version") != __version__
                or data.get("run") != self.run_key or not isinstance(data.get("entries"), dict)):
            return {}
        runs = data.get("runs")
        if isinstance(runs, list):  # file names are made from these: only digests are taken
            self._runs = [d for d in runs if isinstance(d, str) and _is_digest(d)][-MAX_RUNS:]
        if isinstance(data.get("summaries"), str):
            self._summaries_token = data["summaries"]
        return data["entries"]

    def save(self) -> None:
        """Write the index if this run changed it (a cache that cannot be written only costs time)."""
        if not self._dirty or self._skipped:
            return
        from portlint.fix.atomic import replace_file

        folder = self._open_folder(create=True)
        if folder is None:
            return
        try:
            for name, text in (("CACHEDIR.TAG", TAG), (".gitignore", "# created by portlint\n*\n")):
                try:
                    os.lstat(name, dir_fd=folder)
                except FileNotFoundError:
                    replace_file(self.directory, name, text.encode(), dir_fd=folder)
            # The files the new index names are written before it; the ones it stops naming go after.
            # One that cannot be written (a folder in the way) is only a miss next time.
            for digest, diagnostics in self._new_runs.items():
                try:
                    name = RUN_FILE.format(digest)
                    replace_file(self.directory, name, _dumps(name, {"diagnostics": diagnostics}), dir_fd=folder)
                except OSError:
                    pass
            if self._summaries_dirty:
                token = os.urandom(8).hex()
                try:
                    replace_file(self.directory, SUMMARIES, _dumps(SUMMARIES, {"token": token,
                                                                               "summaries": self._summary_map()}),
                                 dir_fd=folder)
                    self._summaries_token = token
                except OSError:
                    self._summaries_token = ""
            data = {"format": FORMAT, "version": __version__, "run": self.run_key, "entries": self._entries,
                    "summaries": self._summaries_token, "runs": self._runs}
            replace_file(self.directory, INDEX, _dumps(INDEX, data), dir_fd=folder)
            self._remove_stale_runs(folder)
            self._dirty = self._summaries_dirty = False
            self._new_runs, self._dropped_runs = {}, []
        except (OSError, ValueError):
            pass
        finally:
            os.close(folder)


def _content_hashes(entry: dict) -> list:
    """The content hashes an entry depends on (its file's and its required files'), without the stat
    signatures: a signature refreshed once a file has settled changes nothing a run's report says."""
    try:
        return [entry["content"][0], *([dep, key[0]] for dep, key in entry["deps"])]
    except (KeyError, TypeError, IndexError, ValueError):
        return [None]


def _run_digest_of(name: str) -> str | None:
    digest = name[4:-5] if name.startswith("run-") and name.endswith(".json") else ""
    return digest if _is_digest(digest) else None


def _dumps(name: str, data: dict) -> bytes:
    """A cache file: the JSON object ``data`` with a last member ``"signature"``, the HMAC-SHA256 of
    the file's name and of the object as written without it, under this user's key."""
    body = json.dumps(data, separators=(",", ":")).encode("utf-8", "surrogateescape")
    return body[:-1] + (b"," if body != b"{}" else b"") + b'"signature":"' + _sign(name, body) + b'"}'


_SIGNATURE_TAIL = len(b'"signature":"') + 64 + len(b'"}')


def _signed_body(name: str, data: bytes) -> bytes | None:
    """The object ``_dumps`` signed (without its signature), if the signature is this user's; else None."""
    head, tail = data[:-_SIGNATURE_TAIL], data[-_SIGNATURE_TAIL:]
    if not (tail.startswith(b'"signature":"') and tail.endswith(b'"}')):
        return None
    body = head[:-1] + b"}" if head.endswith(b",") else b"{}" if head == b"{" else None
    if body is None or not hmac.compare_digest(tail[13:-2], _sign(name, body)):
        return None
    return body


# -- the signing key: what makes a cache folder this user's own ------------------------------------
#: Where the key is kept: outside every project, in the user's cache folder.
KEY_FILE = os.path.join("portlint", "cache-key")
_KEY: list = []  # [key or None], found once per process


def key_path() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, KEY_FILE)


def signing_key() -> bytes | None:
    """This user's random key (32 bytes, made on first use, mode 0600), or None when it can be neither
    read nor made (then the cache is not used). A repository can plant a cache folder, never this."""
    if _KEY:
        return _KEY[0]
    from portlint.source.files import UnreadableFile, read_regular

    path, key = key_path(), None
    for _ in range(2):
        try:
            data = read_regular(path, 1024, "a cache key")
            key = data if len(data) >= 32 else None
            break
        except UnreadableFile:
            pass
        try:
            os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | getattr(os, "O_CLOEXEC", 0), 0o600)
        except FileExistsError:
            continue  # made by a process beside this one: read it
        except OSError:
            break
        try:
            key = os.urandom(32)
            os.write(fd, key)
        finally:
            os.close(fd)
        break
    _KEY.append(key)
    return key


def _sign(name: str, body: bytes) -> bytes:
    key = signing_key() or b""
    return hmac.new(key, name.encode() + b"\0" + body, hashlib.sha256).hexdigest().encode()


def _is_digest(text: str) -> bool:
    return len(text) == 64 and all(c in "0123456789abcdef" for c in text)
