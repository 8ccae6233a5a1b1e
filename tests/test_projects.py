"""Whole-tree golden fixtures: fixtures/projects/<name>/ linted as one run (cross-config rules such
as PL203 see every config) against <name>/expected.txt, with paths relative to the project."""
import os

import pytest

from conftest import FIXTURES, run_portlint

PROJECTS = sorted(p for p in (FIXTURES / "projects").iterdir() if p.is_dir())
UPDATE = os.environ.get("PORTLINT_UPDATE_GOLDEN") == "1"


@pytest.mark.parametrize("project", PROJECTS, ids=lambda p: p.name)
def test_project(project):
    proc = run_portlint(".", cwd=project)
    assert proc.returncode in (0, 1), proc.stderr
    lines = [l for l in proc.stdout.splitlines() if not l.startswith("Found ")]
    expected_file = project / "expected.txt"
    if UPDATE:
        expected_file.write_text("".join(l + "\n" for l in lines))
    assert lines == expected_file.read_text().splitlines()
