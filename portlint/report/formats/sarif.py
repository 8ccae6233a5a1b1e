"""SARIF 2.1.0 for GitHub code scanning and other SARIF viewers."""
from __future__ import annotations

import functools
import os

from portlint._version import __version__
from portlint.report.formats.escape import json_text
from portlint.report.formats.fingerprint import Fingerprints
from portlint.report.catalog import explain_rule, rule_markdown
from portlint.urls import file_uri, homepage, rule_docs, uri_path

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


@functools.lru_cache(maxsize=4096)  # a report names few files many times; abspath/relpath are costly
def _location(path: str, cwd: str) -> tuple:
    absolute = os.path.abspath(path)
    rel = os.path.relpath(absolute, cwd)
    if rel == ".." or rel.startswith(".." + os.sep) or os.path.isabs(rel):
        return (("uri", file_uri(absolute)),)
    return (("uri", uri_path(rel)), ("uriBaseId", "%SRCROOT%"))


def artifact_location(path: str) -> dict:
    """Inside the working directory: a relative URI against %SRCROOT%; outside it: an absolute file:// URI
    on its own (SARIF forbids a uriBaseId beside an absolute URI: SARIF1004)."""
    return dict(_location(path, os.getcwd()))


def _rule(rule) -> dict:
    doc = rule.doc().replace("``", "")
    return {
        "id": rule.code,
        "name": "".join(part.capitalize() for part in rule.name.split("-")),
        "shortDescription": {"text": rule.summary()},
        "fullDescription": {"text": doc.split("\n\n")[1].replace("\n", " ") if "\n\n" in doc else rule.summary()},
        "help": {"text": explain_rule(rule), "markdown": "\n".join(rule_markdown(rule))},
        "helpUri": rule_docs(rule.code),
        "defaultConfiguration": {"level": "error" if rule.severity == "error" else "warning",
                                 "enabled": bool(rule.enabled_by_default)},
        "properties": {"tags": ["ports", "pm2"]},
    }


def render(diagnostics, stream, context) -> None:
    rules = dict(sorted(context.rules.items()))
    index = {code: i for i, code in enumerate(rules)}
    fingerprints = Fingerprints(context.sources)
    results = []
    for d in diagnostics:
        location = artifact_location(d.path)
        base, occurrence = fingerprints.of(d, location["uri"])
        result = {
            "ruleId": d.code,
            "level": "error" if d.severity == "error" else "warning",
            "message": {"text": d.message},
            "locations": [{"physicalLocation": {
                "artifactLocation": location,
                "region": {"startLine": d.row, "startColumn": d.column, "endLine": d.end_row, "endColumn": d.end_column},
            }}],
            "partialFingerprints": {"primaryLocationLineHash": f"{base}:{occurrence}"},
        }
        if d.related:
            result["relatedLocations"] = [{"id": i, "message": {"text": r.message}, "physicalLocation": {
                "artifactLocation": artifact_location(r.path),
                "region": {"startLine": r.row, "startColumn": r.column, "endLine": r.end_row, "endColumn": r.end_column},
            }} for i, r in enumerate(d.related)]
        if d.code in index:
            result["ruleIndex"] = index[d.code]
        if d.ports:
            result["properties"] = {"ports": list(d.ports)}
        results.append(result)
    log = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "portlint", "version": __version__, "semanticVersion": __version__,
                                "informationUri": homepage(), "rules": [_rule(r) for r in rules.values()]}},
            "columnKind": "unicodeCodePoints",
            "originalUriBaseIds": {"%SRCROOT%": {"uri": file_uri(os.getcwd()) + "/"}},
            "results": results,
        }],
    }
    stream.write(json_text(log) + "\n")  # compact: Python's C encoder (indented JSON is pure Python, 6x slower)
