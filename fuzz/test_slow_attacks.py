"""The slow attacks of issue 20, run in CI (testpaths includes fuzz/): each under a memory cap and a
time limit, in a subprocess (see attacks.py)."""
import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from attacks import ATTACKS, run  # noqa: E402


def test_fix_of_a_thousand_literal_ports_applies_them_together():
    # 1,000 apps whose env.PORT repeats one of 30 PORTS entries: 1,000 PL401 fixes. Each fix used to
    # re-parse the 58 KB file (and find its string around it by scanning every node): 31 s here, 161 s
    # on the machine of the report. One pass now applies them together and parses once.
    with tempfile.TemporaryDirectory() as tmp:
        attack = ATTACKS["fix-1000-literals"](Path(tmp))
        outcome = run(attack, mem_mb=1024, timeout=25)
        assert outcome.returncode is not None, "still fixing after 25 s"
        assert "Traceback" not in outcome.stderr
        text = (Path(tmp) / "ecosystem.config.cjs").read_text()
        assert len(re.findall(r"PORT: PORTS\.P\d\d \}", text)) == 1000
        assert "PL401" not in outcome.stdout
        assert outcome.stderr == ""
        again = run(attack, mem_mb=1024, timeout=60)
        assert (Path(tmp) / "ecosystem.config.cjs").read_text() == text  # a second --fix changes nothing
        assert again.returncode == outcome.returncode


def test_ten_thousand_well_known_ranges_load_at_once():
    # the largest list the settings accept: an interval set, not 10,000 x 65,535 integers
    with tempfile.TemporaryDirectory() as tmp:
        attack = ATTACKS["settings-15000-ranges"](Path(tmp))
        ranges = ", ".join(['"1-65535"'] * 10_000)
        (Path(tmp) / "portlint.toml").write_text(f"well-known-ports = [{ranges}]\n")
        outcome = run(attack, mem_mb=1024, timeout=30)
        assert outcome.returncode == 1, outcome.stderr
        assert "PL301" in outcome.stdout  # every port is well-known now
