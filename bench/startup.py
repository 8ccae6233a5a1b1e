"""Start-up cost of a one-file run (what pre-commit and editors pay): median wall times and import time.

    python bench/startup.py [--runs 40] [PYTHON ...]

Each PYTHON is an interpreter with portlint installed (default: this one); give two (e.g. a venv of
the last release and one of this checkout) to compare. Runs are interleaved, so a busy machine slows
every candidate alike. Reported per candidate: the median of a one-file lint, of `--help`, and the
cumulative `python -X importtime` of `import portlint.cli` (median of the runs).
"""
from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CONFIG = ("const PORTS = {\n  API: 5570, // REST API\n  UI: 5571, // web UI\n};\n"
          "module.exports = { PORTS, apps: [\n  { name: 'api', env: { PORT: PORTS.API } },\n"
          "  { name: 'ui', env: { PORT: PORTS.UI } },\n] };\n")


def wall(cmd: list[str], cwd: str) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def import_time(python: str, cwd: str) -> float:
    """Seconds `import portlint.cli` takes, by python -X importtime (cumulative, the top-level line)."""
    err = subprocess.run([python, "-X", "importtime", "-c", "import portlint.cli"], cwd=cwd,
                         capture_output=True, text=True).stderr
    line = next(l for l in err.splitlines() if re.search(r"\|\s*portlint\.cli$", l))
    return int(line.split("|")[1]) / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("pythons", nargs="*", default=[sys.executable])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "ecosystem.config.cjs").write_text(CONFIG)
        env_cmds = {p: {"lint": [p, "-m", "portlint", "--no-cache", "ecosystem.config.cjs"],
                        "help": [p, "-m", "portlint", "--help"]} for p in args.pythons}
        samples: dict[tuple[str, str], list[float]] = {}
        for _ in range(args.runs):
            for python, cmds in env_cmds.items():
                for name, cmd in cmds.items():
                    samples.setdefault((python, name), []).append(wall(cmd, tmp))
                samples.setdefault((python, "import"), []).append(import_time(python, tmp))
        print(f"{args.runs} interleaved runs each; medians in ms; {os.cpu_count()} CPUs")
        print(f"{'python':60} {'one-file lint':>14} {'--help':>8} {'import portlint.cli':>20}")
        for python in args.pythons:
            med = {name: statistics.median(samples[(python, name)]) * 1000 for name in ("lint", "help", "import")}
            print(f"{python:60} {med['lint']:14.1f} {med['help']:8.1f} {med['import']:20.1f}")


if __name__ == "__main__":
    main()
