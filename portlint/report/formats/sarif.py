"""SARIF 2.1.0 for GitHub code scanning and other SARIF viewers."""
from __future__ import annotations

import hashlib
import json
import os
from urllib.parse import quote

from portlint.report.formats.escape import unicode_safe

from portlint._version import __version__

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/portlint/portlint"


def _uri(path: str) -> str:
    """Repository-relative (here: relative to the working directory) with forward slashes."""
    rel = os.path.relpath(os.path.abspath(path))
    if rel.startswith(".."):
        return "file://" + _quoted(os.path.abspath(path))
    return _quoted(rel)


def _quoted(path: str) -> str:
    """A URI path: the file name's own bytes, percent-encoded where a URI needs it (spaces,
    control characters, bytes that are not UTF-8)."""
    return quote(os.fsencode(path.replace(os.sep, "/")), safe="/:@!$&'()*+,;=")


def _rule(rule) -> dict:
    doc = rule.doc()
    return {
        "id": rule.code,
        "name": "".join(part.capitalize() for part in rule.name.split("-")),
        "shortDescription": {"text": rule.summary()},
        "fullDescription": {"text": doc.split("\n\n")[1].replace("\n", " ") if "\n\n" in doc else rule.summary()},
        "help": {"text": doc, "markdown": f"```\n{doc}\n```"},
        "helpUri": f"{INFORMATION_URI}/blob/main/README.md#rules",
        "defaultConfiguration": {"level": "error" if rule.severity == "error" else "warning",
                                 "enabled": bool(rule.enabled_by_default)},
        "properties": {"tags": ["ports", "pm2"]},
    }


def render(diagnostics, stream, context) -> None:
    rules = dict(sorted(context.rules.items()))
    index = {code: i for i, code in enumerate(rules)}
    seen: dict[str, int] = {}
    results = []
    for d in diagnostics:
        source = context.sources.get(d.path)
        line = source.line(d.row).strip() if source is not None and d.row <= source.line_count else ""
        base = hashlib.sha256(f"{d.code}\0{_uri(d.path)}\0{line}".encode()).hexdigest()[:32]
        seen[base] = seen.get(base, 0) + 1
        result = {
            "ruleId": d.code,
            "level": "error" if d.severity == "error" else "warning",
            "message": {"text": unicode_safe(d.message)},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": _uri(d.path), "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": d.row, "startColumn": d.column, "endLine": d.end_row, "endColumn": d.end_column},
            }}],
            "partialFingerprints": {"primaryLocationLineHash": f"{base}:{seen[base]}"},
        }
        if d.code in index:
            result["ruleIndex"] = index[d.code]
        results.append(result)
    log = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "portlint", "version": __version__, "semanticVersion": __version__,
                                "informationUri": INFORMATION_URI, "rules": [_rule(r) for r in rules.values()]}},
            "columnKind": "unicodeCodePoints",
            "originalUriBaseIds": {"%SRCROOT%": {"uri": "file://" + _quoted(os.getcwd()) + "/"}},
            "results": results,
        }],
    }
    json.dump(log, stream, indent=2, ensure_ascii=False)
    stream.write("\n")
