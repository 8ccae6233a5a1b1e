"""Configs a linted config requires: a root ``ecosystem.config.js`` that combines its services'
configs (``...require('./services/api/ecosystem.config.js').apps``) is linted with them.

Each required config joins the run as a file of its own, so what it writes is reported where it is
written (its PL101, its literal ports) and the migration edits it, even when only the root was
named. A file named on the command line and required too is linted once. Only files with a config
name (``ecosystem*.config.js``, ``pm2*.config.*``...) that ``require()`` can reach (inside the
project root, never ``node_modules``) count: the same resolution as the evaluator's.
"""
from __future__ import annotations

import os
import re

#: ``require('./x')``, ``import('./x')``, ``import ... from './x'``, ``import './x'`` with a relative path.
_REQUEST = re.compile(r"""(?:\brequire\s*\(\s*|\bimport\s*\(\s*|\bfrom\s*|\bimport\s+)(['"])(\.{1,2}/[^'"\r\n]{1,400})\1""")
#: At most this many required configs are added to one run (a require graph is a handful of files).
MAX_REQUIRED = 1000


def required_configs(files: list[str], excluded=None, known: list[str] = ()) -> list[str]:
    """The configs ``files`` require (directly or through one another) that are not among them nor
    ``known`` (the run's other files), in the order they are first required; ``excluded(path)``
    answers the settings' exclude patterns."""
    from portlint.engine.pipeline import project_root
    from portlint.evaluator.loader import ModuleLoader
    from portlint.source.discover import is_config_name
    from portlint.source.files import UnreadableFile, read_regular

    seen = {_real(f) for f in [*files, *known] if f != "-"}
    out: list[str] = []
    queue = [f for f in files if f != "-"]
    while queue and len(out) < MAX_REQUIRED:
        path = queue.pop(0)
        try:
            text = read_regular(path).decode("utf-8", errors="replace")
        except UnreadableFile:
            continue  # PL001 says why when it is linted
        if "require" not in text and "import" not in text:
            continue
        loader = ModuleLoader(project_root(os.path.dirname(os.path.abspath(path))))
        for match in _REQUEST.finditer(text):
            found, _ = loader.resolve(match.group(2), path)
            if found is None or not is_config_name(os.path.basename(found)) or found in seen:
                continue
            shown = os.path.normpath(os.path.join(os.path.dirname(path), match.group(2)))
            if not (os.path.isfile(shown) and _real(shown) == found):
                shown = found if os.path.isabs(path) else os.path.relpath(found)
            if excluded is not None and excluded(shown):
                continue
            seen.add(found)
            out.append(shown)
            queue.append(shown)
    return out


def _real(path: str) -> str:
    return os.path.realpath(path)
