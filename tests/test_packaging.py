"""The wheel ships rules/ as portlint.rules, the schema, and the built-in entry points."""
import subprocess
import sys
import zipfile

from conftest import ROOT


def test_wheel_contents_and_entry_points(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                           "-w", str(tmp_path), str(ROOT)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    wheel = next(tmp_path.glob("portlint-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    # every module of the source tree ships: the engine's packages and rules/ as portlint.rules
    expected = {f"portlint/{p.relative_to(ROOT / 'portlint').as_posix()}" for p in (ROOT / "portlint").rglob("*.py")}
    expected |= {f"portlint/rules/{p.name}" for p in (ROOT / "rules").glob("*.py")}
    assert expected <= set(names), sorted(expected - set(names))
    assert "portlint/rules/pl4_dry.py" in names
    assert "portlint/schema/diagnostics.schema.json" in names and "portlint/schema/portmap.schema.json" in names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "[portlint]" in text and "builtin-rules = portlint.rules" in text
    assert "portlint = portlint.cli:console_main" in text  # main, then the early exit

    # the wheel alone (no source tree on the path) lints a file
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(site), str(wheel)],
                   check=True, timeout=300)
    config = tmp_path / "ecosystem.config.cjs"
    config.write_text("const PORTS = {\n  API: 3000, // api\n};\nmodule.exports = { PORTS, apps: [] };\n")
    run = subprocess.run([sys.executable, "-c", "import sys; sys.path.insert(0, sys.argv[1]); "
                          "import portlint.rules, portlint.cli; assert 'site' in portlint.rules.__file__; "
                          "sys.argv = ['portlint', sys.argv[2]]; portlint.cli.main()", str(site), str(config)],
                         capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert run.returncode == 1, run.stderr
    assert "PL301 PORTS.API is 3000" in run.stdout
