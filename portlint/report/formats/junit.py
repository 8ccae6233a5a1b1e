"""JUnit XML for CI dashboards: a test suite per file, a failing test case per diagnostic."""
from __future__ import annotations

from xml.etree import ElementTree as ET

from portlint.report.formats.escape import printable


def render(diagnostics, stream, context) -> None:
    by_path: dict[str, list] = {path: [] for path in context.paths}
    for d in diagnostics:
        by_path.setdefault(d.path, []).append(d)
    root = ET.Element("testsuites", name="portlint", tests=str(sum(max(1, len(v)) for v in by_path.values())),
                      failures=str(len(diagnostics)), errors="0")
    for raw_path, found in by_path.items():
        path = printable(raw_path)  # after printable, nothing XML 1.0 forbids is left
        suite = ET.SubElement(root, "testsuite", name=path, tests=str(max(1, len(found))),
                              failures=str(len(found)), errors="0", skipped="0")
        if not found:
            ET.SubElement(suite, "testcase", name="portlint", classname=path)
            continue
        for d in found:
            case = ET.SubElement(suite, "testcase", name=printable(f"{d.code} {d.name} at {d.row}:{d.column}"),
                                 classname=path)
            message = printable(d.message)
            failure = ET.SubElement(case, "failure", message=message, type=printable(d.code))
            failure.text = f"{path}:{d.row}:{d.column}: {d.code} {message} ({d.severity})"
    ET.indent(root)
    stream.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    stream.write(ET.tostring(root, encoding="unicode"))
    stream.write("\n")
