"""The port map's marks, drawn from the diagnostics of the same run and nothing else.

A mark is a rule's code on a (file, port): a collision (PL203), a gap in a config's block (PL201),
a port outside its config's range (PL202), a well-known port (PL301), a port PortOS will not list
(PL502). Each comes from a diagnostic that lint reports for the same paths and settings (after
``--select``/``--ignore``, per-file ignores and ``noqa``), through the ports it carries
(``Diagnostic.ports``): the file of the diagnostic and of its related places, and each of its
ports. So the map cannot mark a port lint is silent about, nor leave out one lint reports.
"""
from __future__ import annotations

from dataclasses import dataclass, field

#: The codes the map draws, with what each mark means (the legend's and the hover's words).
MARK_CODES: dict[str, str] = {
    "PL203": "collision: more than one process listens on the port",
    "PL201": "gap inside a config's block",
    "PL202": "outside the range of its config's role",
    "PL301": "well-known port",
    "PL502": "a port PortOS will not list (or lists under another process or label)",
}


@dataclass
class Marks:
    """(file, port) -> the codes that mark it, from one run's diagnostics."""

    by_place: dict[tuple[str, int], set[str]] = field(default_factory=dict)

    def codes(self, file: str, port: int) -> list[str]:
        """The codes marking ``port`` in ``file``, in the legend's order."""
        return ordered(self.by_place.get((file, port), ()))

    def codes_at(self, port: int) -> list[str]:
        """The codes marking ``port`` in any file (the HTML map has one cell per port)."""
        return ordered({c for (_, p), codes in self.by_place.items() if p == port for c in codes})

    def ports(self) -> set[int]:
        return {port for _, port in self.by_place}

    def rows(self) -> list[dict]:
        """Every mark as ``{"file", "port", "codes"}``, by port then file (the JSON map's ``marks``)."""
        return [{"file": f, "port": p, "codes": ordered(codes)} for (f, p), codes in sorted(
            self.by_place.items(), key=lambda item: (item[0][1], item[0][0]))]


def ordered(codes) -> list[str]:
    return [c for c in MARK_CODES if c in codes]


def marks_of(diagnostics) -> Marks:
    """The marks of a run: every diagnostic of a mark code, on each of its ports, in its own file
    and in the files of its related places (a collision across two configs marks both)."""
    marks = Marks()
    for d in diagnostics:
        if d.code not in MARK_CODES:
            continue
        for path in dict.fromkeys([d.path, *(r.path for r in d.related)]):
            for port in d.ports:
                marks.by_place.setdefault((path, port), set()).add(d.code)
    return marks
