"""Paths to config files: ecosystem file names, minus node_modules, .git and .gitignore'd paths."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass

DEFAULT_INCLUDE = re.compile(
    r"^(?:(?:ecosystem|pm2)[^/]*\.config\.(?:js|cjs|mjs)|ecosystem[^/]*\.json|ecosystem[^/]*\.ya?ml)$"
)
ALWAYS_SKIPPED = {"node_modules", ".git", ".hg", ".svn", "__pycache__", ".portlint_cache"}


class DiscoveryError(Exception):
    """A path given on the command line does not exist (one line, exit 2)."""


@dataclass
class _Ignore:
    base: str
    spec: object

    def matches(self, path: str, is_dir: bool) -> bool:
        rel = os.path.relpath(path, self.base).replace(os.sep, "/")
        if rel.startswith(".."):
            return False
        return self.spec.match_file(rel + "/" if is_dir else rel)


def _load_gitignore(directory: str, warn=None) -> _Ignore | None:
    from portlint.source.ignore import load_ignore_file

    spec = load_ignore_file(os.path.join(directory, ".gitignore"), warn)
    return _Ignore(directory, spec) if spec is not None else None


def is_config_name(name: str) -> bool:
    return bool(DEFAULT_INCLUDE.match(name))


def discover(paths: list[str], excluded=None, force_exclude: bool = False, warn=None) -> list[str]:
    """Config files under ``paths``, each once, in a stable order. Named files are always kept,
    unless ``force_exclude`` (pre-commit passes names) and the settings exclude them.
    ``excluded(path, is_dir)`` answers the settings' ``exclude`` patterns; ``warn(message)`` hears
    once of each ``.gitignore`` pattern left out (the file's other patterns still apply)."""
    excluded = excluded or (lambda path, is_dir: False)
    out: list[str] = []
    seen: set[str] = set()

    def add(path: str) -> None:
        key = os.path.realpath(path)
        if key not in seen:
            seen.add(key)
            out.append(path)

    for given in paths:
        if given == "-":
            add(given)
            continue
        if not os.path.lexists(given):
            raise DiscoveryError(f"{given}: no such file or directory")
        if os.path.isdir(given):
            for found in _walk(given, excluded, warn):
                add(found)
        elif not (force_exclude and excluded(given, False)):
            add(given)
    return out


def _walk(top: str, excluded, warn=None) -> list[str]:
    found: list[str] = []
    # Ignore files of the folders above the starting folder, up to the repository root, apply too.
    inherited = _ancestor_ignores(top, warn)
    stack: list[tuple[str, list[_Ignore]]] = [(top, inherited)]
    while stack:
        directory, ignores = stack.pop()
        own = _load_gitignore(directory, warn)
        if own is not None:
            ignores = ignores + [own]
        try:
            with os.scandir(directory) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError:
            continue  # unreadable folder: nothing to lint there
        subdirs = []
        for entry in entries:
            path = os.path.join(directory, entry.name) if directory != "." else entry.name
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                continue
            if is_dir:
                if entry.name in ALWAYS_SKIPPED or any(i.matches(path, True) for i in ignores) or excluded(path, True):
                    continue
                subdirs.append(path)
            elif (is_config_name(entry.name) and _is_file_or_link(entry)
                  and not any(i.matches(path, False) for i in ignores) and not excluded(path, False)):
                found.append(path)
        for sub in reversed(subdirs):
            stack.append((sub, ignores))
    return sorted(found, key=lambda p: p.split(os.sep))


def _is_file_or_link(entry: os.DirEntry) -> bool:
    """Regular files, and links (a dangling one is worth a diagnostic); never FIFOs or devices."""
    try:
        return entry.is_symlink() or entry.is_file(follow_symlinks=False)
    except OSError:
        return False


def _ancestor_ignores(top: str, warn=None) -> list[_Ignore]:
    """The .gitignore files of the folders above ``top``, up to its repository root (if any)."""
    chain: list[str] = []
    current = os.path.abspath(top)
    while not os.path.exists(os.path.join(current, ".git")):
        parent = os.path.dirname(current)
        if parent == current:
            return []  # not in a repository: folders above the given path are none of our business
        current = parent
        chain.append(current)
    ignores = []
    for directory in reversed(chain):
        own = _load_gitignore(directory, warn)
        if own is not None:
            ignores.append(own)
    return ignores
