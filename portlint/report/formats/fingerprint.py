"""Fingerprints that follow a finding across runs and edits elsewhere in the file (SARIF, GitLab)."""
from __future__ import annotations

import hashlib


class Fingerprints:
    """Hash of (code, path, the reported line's text) and, for repeats of that triple, a counter.

    The line number is left out, so adding a line above a finding keeps its fingerprint."""

    def __init__(self, sources) -> None:
        self.sources = sources
        self.seen: dict[str, int] = {}

    def of(self, d, path: str) -> tuple[str, int]:
        """(hash, occurrence) for a diagnostic, ``path`` as the report names the file."""
        source = self.sources.get(d.path)
        line = source.line(d.row).strip() if source is not None and d.row <= source.line_count else ""
        base = hashlib.sha256(f"{d.code}\0{path}\0{line}".encode()).hexdigest()[:32]
        self.seen[base] = self.seen.get(base, 0) + 1
        return base, self.seen[base]
