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
from attacks import ATTACKS, CONFIG_WITH_FINDING as ATTACKS_CONFIG, run  # noqa: E402

MEMORY_MB = 1024  # of address space: the interpreter, esprima and PyYAML take about 150
SECONDS = 20


def attack(name: str, *more_args: str):
    """Run one attack (with more options after its own: a later --format wins)."""
    with tempfile.TemporaryDirectory() as tmp:
        spec = ATTACKS[name](Path(tmp))
        spec.args += list(more_args)
        outcome = run(spec, MEMORY_MB, SECONDS)
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


def test_a_port_of_5000_digits_is_a_diagnostic_and_the_other_files_are_still_reported():
    out = attack("port-5000-digits")
    assert out.returncode == 1 and out.stderr == ""
    lines = out.stdout.splitlines()
    # every place a port is read from digits bounds them: the file gets its real finding, not a crash
    assert not any("could not lint" in line for line in lines)
    assert any("/a/ecosystem.config.cjs:1:" in line and "PL105 huge gets the string '9999" in line for line in lines)
    assert any("/b/ecosystem.config.cjs:6:" in line and "PL401" in line for line in lines)


def test_a_file_name_that_is_not_utf8_gives_valid_utf8_in_every_format():
    out = attack("name-0xff")  # SARIF, with the cache on (its key hashes the name)
    assert out.returncode == 1 and out.stderr == ""
    out.stdout_bytes.decode("utf-8")
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in json.loads(out.stdout)["runs"][0]["results"]]
    assert uris and all(uri.endswith("ecosystem.%FF.config.cjs") for uri in uris)
    for fmt in ("text", "json", "json-lines", "junit", "github", "pylint"):
        out = attack("name-0xff", "--format", fmt)
        assert out.returncode == 1 and out.stderr == "", (fmt, out.stderr)
        text = out.stdout_bytes.decode("utf-8")
        assert "ecosystem.\\xff.config.cjs" in text or "ecosystem.\\\\xff.config.cjs" in text, (fmt, text)


def test_control_characters_in_names_cannot_forge_report_lines():
    out = attack("control-chars")  # JUnit
    assert out.returncode == 1
    ElementTree.fromstring(out.stdout_bytes)  # XML 1.0 has no place for ESC: it must be escaped to parse
    out = attack("control-chars", "--format", "text")
    lines = out.stdout.splitlines()
    assert "\x1b" not in out.stdout
    assert not any(line.startswith("fake.js") for line in lines)  # every line starts with the real path
    assert all(line.startswith(os.path.join(out.spec.args[0], "ecosystem.x\\nfake.js:1:1: PL999 forged\\x1b[2J.config.cjs:"))
               for line in lines[:-1]), lines
    assert "api\\nfake.js:9:9: PL999 forged\\x1b[31m writes 5570 literally" in out.stdout


def test_a_drip_feeding_portos_is_cut_at_the_timeout():
    out = attack("portos-drip")  # --portos-timeout 2; the server sends a byte every half second, forever
    assert out.returncode == 2 and out.seconds < 10
    assert one_line(out).endswith("/api/apps: timed out (no whole answer within 2 s, --portos-timeout)")


def test_a_portos_answer_nested_too_deeply_is_one_line():
    out = attack("portos-deep-json")
    assert out.returncode == 2
    assert one_line(out).endswith("/api/apps did not answer with JSON")


def test_a_settings_file_that_is_not_utf8_is_one_line_naming_it():
    out = attack("settings-invalid-utf8")
    assert out.returncode == 2
    assert one_line(out).endswith("portlint.toml: not valid UTF-8 (byte 0xff on line 2)")


def test_an_unwritable_output_file_is_one_line_naming_it():
    out = attack("output-unwritable")
    assert out.returncode == 2
    assert one_line(out).endswith("/missing/report.txt: cannot write the report: No such file or directory")


def test_fix_does_not_write_through_a_link_out_of_the_given_folder():
    out = attack("fix-outside-roots")
    assert out.outside_text == ATTACKS_CONFIG  # untouched
    assert out.returncode == 1 and "PL401" in out.stdout
    assert "project/ecosystem.config.cjs: not fixed: it leads to " in out.stderr
    assert "outside the paths given on the command line (name the file itself to fix it)" in out.stderr
