"""The suite-wide guard against bombs and hangs (issue 20): each hostile input of fuzz/attacks.py runs
the real command in a subprocess capped at MEMORY_MB of address space (resource.setrlimit) and
killed after SECONDS. Before the fixes these took gigabytes, hung, lost reports or wrote outside
the project; now each answers at once with a diagnostic or one line."""
import json
import os
import sys
import tempfile
from pathlib import Path
from xml.etree import ElementTree

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "fuzz"))
from attacks import ATTACKS, run  # noqa: E402

MEMORY_MB = 1024  # of address space: the interpreter, esprima and PyYAML take about 150
SECONDS = 20


def attack(name: str, **env):
    with tempfile.TemporaryDirectory() as tmp:
        spec = ATTACKS[name](Path(tmp))
        outcome = run(spec, MEMORY_MB, SECONDS, env=env)
        assert outcome.returncode is not None, f"{name}: still running after {SECONDS} s"
        assert "Traceback" not in outcome.stderr and "internal error" not in outcome.stderr, outcome.stderr
        outcome.spec = spec
        if "outside" in spec.notes:
            outcome.outside_text = spec.notes["outside"].read_text()
        return outcome


def one_line(outcome) -> str:
    lines = outcome.stderr.strip().splitlines()
    assert len(lines) == 1, outcome.stderr
    return lines[0]


def test_yaml_alias_bomb_is_a_pl001():
    out = attack("yaml-alias-bomb")
    assert out.returncode == 1
    # b..i repeat the list before them nine times: i alone expands to (9**10 - 1) / 8 nodes, and it is
    # written twice (its anchor and the alias under env), so the file holds about 9.26e8 nodes
    assert "PL001 syntax error: the aliases would expand this file to 9.26e+08 nodes" in out.stdout
    assert "over the limit of 100000 nodes from aliases" in out.stdout


def test_standard_input_has_the_file_size_cap():
    out = attack("stdin-600mb")
    assert out.returncode == 2
    assert one_line(out) == "portlint: standard input: input is over the 2097152-byte limit for a config"


@pytest.mark.parametrize("name", ["gitignore-dev-zero", "gitignore-fifo"])
def test_a_gitignore_that_is_a_device_or_fifo_is_not_read(name):
    out = attack(name)
    assert out.returncode == 1 and "PL401" in out.stdout and out.stderr == ""


@pytest.mark.parametrize("name", ["config-dev-zero", "config-fifo"])
def test_a_settings_file_that_is_a_device_or_fifo_is_one_line(name):
    out = attack(name)
    assert out.returncode == 2
    assert one_line(out).endswith(": not a regular file (a FIFO, socket or device), not read")


def test_a_huge_settings_list_is_refused_quickly():
    out = attack("settings-15000-ranges")
    assert out.returncode == 2
    assert one_line(out).endswith("portlint.toml: well-known-ports: 15000 items; at most 10000 are allowed")


def test_a_backtracking_gitignore_pattern_does_not_hang_discovery():
    out = attack("gitignore-redos")
    assert out.returncode == 1 and "PL401" in out.stdout
