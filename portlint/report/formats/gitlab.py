"""GitLab Code Quality (a subset of the Code Climate spec): the merge request widget shows each finding."""
from __future__ import annotations

import os

from portlint.report.formats.escape import json_text
from portlint.report.formats.fingerprint import Fingerprints

#: GitLab's severities are info, minor, major, critical and blocker.
SEVERITY = {"error": "major", "warning": "minor"}


def report_path(path: str) -> str:
    """Relative to the project folder (GitLab's CI_PROJECT_DIR, else the working directory), forward slashes."""
    base = os.environ.get("CI_PROJECT_DIR") or os.getcwd()
    absolute = os.path.abspath(path)
    rel = os.path.relpath(absolute, base)
    if rel == ".." or rel.startswith(".." + os.sep):
        return absolute.replace(os.sep, "/")
    return rel.replace(os.sep, "/")


def render(diagnostics, stream, context) -> None:
    fingerprints = Fingerprints(context.sources)
    issues = []
    for d in diagnostics:
        path = report_path(d.path)
        base, occurrence = fingerprints.of(d, path)
        issues.append({
            "type": "issue",
            "check_name": d.code,
            "description": f"{d.code} {d.name}: {d.message}",
            "categories": ["Bug Risk"],
            "severity": SEVERITY.get(d.severity, "minor"),
            "fingerprint": f"{base}-{occurrence}" if occurrence > 1 else base,
            "location": {"path": path, "lines": {"begin": d.row, "end": d.end_row}},
        })
    stream.write(json_text(issues) + "\n")  # compact: Python's C encoder (a tool reads it)
