"""Fingerprints that follow a finding across runs and edits elsewhere in the file (SARIF, GitLab)."""
from __future__ import annotations

import hashlib

from portlint.report.formats.lines import window

#: Code points of the reported line a fingerprint hashes: the whole line up to this length, else
#: this much of it around the finding (a minified config is one line of megabytes).
LINE_WIDTH = 1000


class Fingerprints:
    """Hash of (code, path, the reported line's text) and, for repeats of that triple, a counter.

    The line number is left out, so adding a line above a finding keeps its fingerprint."""

    def __init__(self, sources) -> None:
        self.sources = sources
        self.seen: dict[str, int] = {}

    def of(self, d, path: str) -> tuple[str, int]:
        """(hash, occurrence) for a diagnostic, ``path`` as the report names the file."""
        source = self.sources.get(d.path)
        line = window(source, d.row, d.column, LINE_WIDTH).text.strip() if source is not None and d.row <= source.line_count else ""
        # surrogatepass: a file name that is not UTF-8 keeps its bytes as surrogate escapes
        base = hashlib.sha256(f"{d.code}\0{path}\0{line}".encode("utf-8", "surrogatepass")).hexdigest()[:32]
        self.seen[base] = self.seen.get(base, 0) + 1
        return base, self.seen[base]
