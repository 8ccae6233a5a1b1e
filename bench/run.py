"""portlint's benchmark: generated trees of N configs, portlint against ESLint 9 on the same files.

    python bench/run.py                       # N = 1, 100, 1000, 10000; 5 runs each (fewer for 10000)
    python bench/run.py --sizes 1,100 --runs 3

ESLint 9 is installed into bench/.tools from the npm registry on first use and run with
no-magic-numbers and no-dupe-keys. For each N the harness reports the median wall time, files/s,
peak RSS (of the largest process), the portlint/ESLint ratio, cold and warm (--cache) runs, and
portlint's time by phase. Results go to stdout as Markdown and to bench/out/results.json.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TOOLS = HERE / ".tools"
OUT = HERE / "out"
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402

ESLINT_CONFIG = """module.exports = [
  {
    files: ["**/*.cjs"],
    languageOptions: { sourceType: "commonjs", ecmaVersion: 2024 },
    rules: { "no-magic-numbers": "error", "no-dupe-keys": "error" },
  },
];
"""


def eslint_binary() -> str:
    binary = TOOLS / "node_modules" / ".bin" / "eslint"
    if not binary.exists():
        TOOLS.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--prefix", str(TOOLS), "--no-audit", "--no-fund", "--loglevel=error",
                        "eslint@9"], check=True)
    return str(binary)


def measure(cmd: list[str], cwd: Path, env: dict | None = None) -> tuple[float, int, str]:
    """Wall seconds, peak RSS in KiB of the process (and the children it waited for), stderr."""
    full_env = {**os.environ, **(env or {})}
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=full_env)
    stderr = proc.stderr.read().decode(errors="replace")
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{cmd[0]} failed ({proc.returncode}): {stderr[-2000:]}")
    return elapsed, usage.ru_maxrss, stderr


def compile_portlint() -> None:
    """Users run installed bytecode; a machine with PYTHONDONTWRITEBYTECODE would otherwise
    recompile portlint's sources on every start and measure that instead."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "portlint"), str(ROOT / "rules")], check=True)


def portlint_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "portlint", *args]


def run_size(n: int, runs: int, eslint: str) -> dict:
    # outside this repository: its .gitignore (bench/out/) would hide the tree from discovery
    tree = Path(tempfile.mkdtemp(prefix=f"portlint-bench-{n}-"))
    files = generate(str(tree), n)
    (tree / "eslint.config.cjs").write_text(ESLINT_CONFIG)
    target = [files[0]] if n == 1 else ["."]
    cache = tree / ".portlint_cache"
    eslint_cache = tree / ".eslintcache"

    def repeat(fn, count):
        samples = [fn() for _ in range(count)]
        return statistics.median(s[0] for s in samples), max(s[1] for s in samples)

    def portlint_cold():
        shutil.rmtree(cache, ignore_errors=True)
        return measure(portlint_cmd(*target, "--no-cache", "--exit-zero"), tree)[:2]

    def portlint_warm():
        return measure(portlint_cmd(*target, "--exit-zero"), tree)[:2]

    def eslint_cold():
        return measure([eslint, "--no-cache", *target], tree)[:2]

    def eslint_warm():
        return measure([eslint, "--cache", "--cache-location", str(eslint_cache), *target], tree)[:2]

    result = {"n": n, "bytes": sum(os.path.getsize(f) for f in files)}
    result["portlint_cold"], result["portlint_cold_rss"] = repeat(portlint_cold, runs)
    measure(portlint_cmd(*target, "--exit-zero"), tree)  # fill the cache
    result["portlint_warm"], result["portlint_warm_rss"] = repeat(portlint_warm, runs)
    result["eslint_cold"], result["eslint_cold_rss"] = repeat(eslint_cold, runs)
    measure([eslint, "--cache", "--cache-location", str(eslint_cache), *target], tree)
    result["eslint_warm"], result["eslint_warm_rss"] = repeat(eslint_warm, runs)
    # phases: one serial, uncached run with timing on
    _, _, stderr = measure(portlint_cmd(*target, "--no-cache", "--jobs", "1", "--exit-zero"), tree,
                           env={"PORTLINT_PHASES": "1", "PORTLINT_T0": repr(time.time())})
    line = next((l for l in stderr.splitlines() if l.startswith("PORTLINT_PHASES ")), "PORTLINT_PHASES {}")
    result["phases"] = json.loads(line.split(" ", 1)[1])
    shutil.rmtree(tree)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1,100,1000,10000")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    compile_portlint()
    eslint = eslint_binary()
    version = subprocess.run([eslint, "--version"], capture_output=True, text=True).stdout.strip()
    results = []
    for n in (int(x) for x in args.sizes.split(",")):
        runs = args.runs if n < 10000 else max(1, min(args.runs, 2))
        print(f"N={n}: {runs} runs each ...", file=sys.stderr, flush=True)
        results.append(run_size(n, runs, eslint))
    (OUT / "results.json").write_text(json.dumps({"eslint": version, "cpus": os.cpu_count(), "results": results}, indent=2))
    print(f"ESLint {version}; {os.cpu_count()} CPUs; medians\n")
    print("| N | portlint cold | ESLint cold | ratio | portlint --cache | ESLint --cache | warm/cold | files/s (cold) | peak RSS portlint / ESLint |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['n']} | {r['portlint_cold']:.3f} s | {r['eslint_cold']:.3f} s | {r['portlint_cold'] / r['eslint_cold']:.2f}x "
              f"| {r['portlint_warm']:.3f} s | {r['eslint_warm']:.3f} s | {r['portlint_warm'] / r['portlint_cold']:.2f} "
              f"| {r['n'] / r['portlint_cold']:.0f} | {r['portlint_cold_rss'] / 1024:.0f} / {r['eslint_cold_rss'] / 1024:.0f} MiB |")
    print("\nportlint phases (serial, uncached run; seconds)\n")
    names = ["startup", "discovery", "parse", "evaluate", "rules", "report"]
    print("| N | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))
    for r in results:
        print(f"| {r['n']} | " + " | ".join(f"{r['phases'].get(k, 0):.3f}" for k in names) + " |")
    by_n = {r["n"]: r for r in results}
    if 1000 in by_n and 10000 in by_n:
        print(f"\n10,000 / 1,000 cold time: {by_n[10000]['portlint_cold'] / by_n[1000]['portlint_cold']:.1f}x")


if __name__ == "__main__":
    main()
