"""The README's first command: one realistic example project, a handful of findings, exit 1."""
import re

from conftest import ROOT, run_portlint


def test_the_first_command_lints_the_storefront_example():
    proc = run_portlint("examples/storefront", "--no-cache", cwd=ROOT)
    assert proc.returncode == 1, proc.stderr
    found = [line.split(": ", 2)[:2] for line in proc.stdout.splitlines() if ": PL" in line]
    # read from the config: CDP has no comment (line 7), and its 5573 is the first port above the gap
    # at 5572 in the block 5570, 5571, 5573 (line 7); env_production writes 5570 literally (line 17);
    # INSPECT_PORT is no standard label (line 27)
    assert [(where.rsplit(":", 2)[1], code.split()[0]) for where, code in found] == [
        ("7", "PL104"), ("7", "PL201"), ("17", "PL401"), ("27", "PL501")]
    assert proc.stdout.splitlines()[-1] == "Found 2 errors and 2 warnings in 1 file."


def test_readme_shows_the_first_command_and_its_real_output():
    readme = (ROOT / "README.md").read_text()
    assert ".venv/bin/portlint examples/storefront\n" in readme.split("---", 1)[0]
    shown = re.search(r"```\n(examples/storefront/.*?)```", readme, re.S).group(1)
    assert shown == run_portlint("examples/storefront", "--no-cache", cwd=ROOT).stdout
