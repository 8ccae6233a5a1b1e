"""portlint's benchmark: generated trees of N configs, portlint against ESLint 9 on the same files.

    python bench/run.py                       # N = 1, 100, 1000, 10000; 5 runs each (fewer for 10000)
    python bench/run.py --sizes 1,100 --runs 3

ESLint 9 is installed into bench/.tools from the npm registry on first use and run with
no-magic-numbers and no-dupe-keys. The runs of one size are interleaved (portlint cold, portlint
warm, ESLint cold, ESLint warm, again and again), so that a busy machine slows all four alike and the
ratios stay meaningful when the absolute times do not; the load average is printed with them.

Output (stdout, Markdown; bench/out/results.json): the targets table (one config cold, 1,000 cold,
1,000 warm, 10,000/1,000, peak memory: portlint against ESLint; the language server's edit latency,
with bench/lsp_latency.py, when pygls is installed), the table per N (median wall time,
files/s, peak RSS of the largest process, cold and warm), portlint's time by phase, and an
import-time breakdown of the one-file run (``python -X importtime``).
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


def install_portlint() -> str:
    """This checkout installed the way users install it (``pip install``, not editable) into its own
    venv, bench/.tools/venv; its Python. An editable install adds a path finder to every start-up
    (10-20 ms here) that no user pays, and would charge it to portlint and to the floor alike.
    pip compiles the bytecode, so a machine with PYTHONDONTWRITEBYTECODE does not measure recompiling."""
    venv = TOOLS / "venv"
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", "--force-reinstall",
                    "--no-deps", str(ROOT)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", str(ROOT)], check=True)
    return str(python)


PYTHON = sys.executable  # replaced by install_portlint()'s venv in main()


def portlint_cmd(*args: str) -> list[str]:
    return [PYTHON, "-m", "portlint", *args]


def run_size(n: int, runs: int, eslint: str) -> dict:
    # outside this repository: its .gitignore (bench/out/) would hide the tree from discovery
    tree = Path(tempfile.mkdtemp(prefix=f"portlint-bench-{n}-"))
    files = generate(str(tree), n)
    (tree / "eslint.config.cjs").write_text(ESLINT_CONFIG)
    target = [files[0]] if n == 1 else ["."]
    cache = tree / ".portlint_cache"
    eslint_cache = tree / ".eslintcache"

    def interleaved(fns: dict, count: int) -> dict:
        samples: dict = {name: [] for name in fns}
        for _ in range(count):
            for name, fn in fns.items():
                samples[name].append(fn())
        return {name: (statistics.median(s[0] for s in got), max(s[1] for s in got)) for name, got in samples.items()}

    def portlint_cold():
        shutil.rmtree(cache, ignore_errors=True)
        return measure(portlint_cmd(*target, "--no-cache", "--exit-zero"), tree)[:2]

    def portlint_warm():
        return measure(portlint_cmd(*target, "--exit-zero"), tree)[:2]

    def eslint_cold():
        return measure([eslint, "--no-cache", *target], tree)[:2]

    def eslint_warm():
        return measure([eslint, "--cache", "--cache-location", str(eslint_cache), *target], tree)[:2]

    result = {"n": n, "bytes": sum(os.path.getsize(f) for f in files), "load_before": os.getloadavg()[0]}
    measure(portlint_cmd(*target, "--exit-zero"), tree)  # fill the caches
    measure([eslint, "--cache", "--cache-location", str(eslint_cache), *target], tree)
    # the cold portlint run removes the cache; the warm one right after it fills it again, so it is
    # measured next, on a cache that is full
    medians = interleaved({"portlint_cold": portlint_cold, "fill": portlint_warm, "portlint_warm": portlint_warm,
                           "eslint_cold": eslint_cold, "eslint_warm": eslint_warm}, runs)
    for name in ("portlint_cold", "portlint_warm", "eslint_cold", "eslint_warm"):
        result[name], result[name + "_rss"] = medians[name]
    result["load_after"] = os.getloadavg()[0]
    if n == 1:
        result["floor"] = floor(files[0], runs)
        result["imports"] = import_times(target, tree, runs)
    # phases: one serial, uncached run with timing on
    _, _, stderr = measure(portlint_cmd(*target, "--no-cache", "--jobs", "1", "--exit-zero"), tree,
                           env={"PORTLINT_PHASES": "1", "PORTLINT_T0": repr(time.time())})
    line = next((l for l in stderr.splitlines() if l.startswith("PORTLINT_PHASES ")), "PORTLINT_PHASES {}")
    result["phases"] = json.loads(line.split(" ", 1)[1])
    shutil.rmtree(tree)
    return result


def floor(path: str, runs: int) -> dict:
    """Python's own floor for one file: ``python -c pass``, and parsing that file in-process."""
    start_up = statistics.median(measure([PYTHON, "-c", "pass"], ROOT)[0] for _ in range(runs))
    code = ("import sys, time; from portlint.source.read import read_source; from portlint.source.parse import parse\n"
            "t = time.perf_counter(); parse(read_source(sys.argv[1])); print(time.perf_counter() - t)")
    parse_times = [float(subprocess.run([PYTHON, "-c", code, path], capture_output=True, text=True,
                                        check=True).stdout) for _ in range(runs)]
    return {"python": start_up, "parse": statistics.median(parse_times)}


def import_times(target: list[str], tree: Path, runs: int) -> dict:
    """Median cumulative import time (seconds) of each top-level module of a one-file run."""
    samples: dict[str, list[float]] = {}
    for _ in range(runs):
        _, _, stderr = measure([PYTHON, "-X", "importtime", "-m", "portlint", *target, "--no-cache",
                                "--exit-zero"], tree)
        seen: dict[str, float] = {}
        for line in stderr.splitlines():
            if not line.startswith("import time:") or "|" not in line:
                continue
            _, cumulative, name = line.split("|")
            if name.strip() and not name[1:].startswith(" ") and cumulative.strip().isdigit():  # top level
                seen[name.strip()] = int(cumulative) / 1e6
        for name, seconds in seen.items():
            samples.setdefault(name, []).append(seconds)
    return {name: statistics.median(times) for name, times in samples.items()}


def lsp_latency(changes: int) -> dict | None:
    """didChange -> publishDiagnostics of an ordinary config in the language server (needs pygls,
    portlint's ``lsp`` extra, in this Python); None without it."""
    import asyncio
    import importlib.util

    if importlib.util.find_spec("pygls") is None:
        return None
    from lsp_latency import edit_latency

    from portlint.integrations.lsp import DEBOUNCE_SECONDS

    delays = asyncio.run(edit_latency(changes))
    return {"median": statistics.median(delays), "p90": delays[int(len(delays) * 0.9)],
            "debounce": DEBOUNCE_SECONDS * 1000}


def targets_table(by_n: dict, lsp: dict | None = None) -> list[str]:
    """The figures issue 22 asks for, portlint against ESLint, from this one run."""
    rows = ["| figure | portlint | ESLint | ratio | target |", "|---|---|---|---|---|"]
    if lsp is not None:
        rows.append(f"| language server: didChange -> publishDiagnostics | {lsp['median']:.0f} ms (p90 {lsp['p90']:.0f} ms) "
                    f"| | debounce + {lsp['median'] - lsp['debounce']:.0f} ms | <= debounce ({lsp['debounce']:.0f} ms) + 10 ms |")
    if 1 in by_n:
        r = by_n[1]
        rows.append(f"| one config, cold | {r['portlint_cold']:.3f} s | {r['eslint_cold']:.3f} s "
                    f"| {r['portlint_cold'] / r['eslint_cold']:.2f}x | <= 0.35x |")
        if "floor" in r:
            floor_s = r["floor"]["python"] + r["floor"]["parse"]
            rows.append(f"| one config against `python -c pass` + parsing it | {r['portlint_cold']:.3f} s | "
                        f"{floor_s:.3f} s (floor) | {r['portlint_cold'] / floor_s:.2f}x | <= 3x |")
    if 1000 in by_n:
        r = by_n[1000]
        rows.append(f"| 1,000 configs, cold | {r['portlint_cold']:.3f} s | {r['eslint_cold']:.3f} s "
                    f"| {r['portlint_cold'] / r['eslint_cold']:.2f}x | <= 0.8x |")
        rows.append(f"| 1,000 configs, warm (--cache) | {r['portlint_warm']:.3f} s | {r['eslint_warm']:.3f} s "
                    f"| {r['portlint_warm'] / r['eslint_warm']:.2f}x | <= 0.2x |")
        rows.append(f"| 1,000 warm / portlint's own cold | {r['portlint_warm']:.3f} s | | "
                    f"{r['portlint_warm'] / r['portlint_cold']:.3f}x | <= 0.05x |")
        rows.append(f"| peak memory, 1,000 cold | {r['portlint_cold_rss'] / 1024:.0f} MiB | "
                    f"{r['eslint_cold_rss'] / 1024:.0f} MiB | {r['portlint_cold_rss'] / r['eslint_cold_rss']:.2f}x | <= 0.5x |")
    if 1000 in by_n and 10000 in by_n:
        a, b = by_n[1000], by_n[10000]
        rows.append(f"| 10,000 / 1,000 cold time | {b['portlint_cold'] / a['portlint_cold']:.1f}x | "
                    f"{b['eslint_cold'] / a['eslint_cold']:.1f}x | | about 10x |")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1,100,1000,10000")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--lsp-changes", type=int, default=40, help="edits timed in the language server (0: none)")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    global PYTHON
    PYTHON = install_portlint()
    eslint = eslint_binary()
    version = subprocess.run([eslint, "--version"], capture_output=True, text=True).stdout.strip()
    results = []
    for n in (int(x) for x in args.sizes.split(",")):
        runs = args.runs if n < 10000 else max(1, min(args.runs, 2))
        print(f"N={n}: {runs} runs each ...", file=sys.stderr, flush=True)
        results.append(run_size(n, runs, eslint))
    lsp = lsp_latency(args.lsp_changes) if args.lsp_changes else None
    (OUT / "results.json").write_text(json.dumps({"eslint": version, "cpus": os.cpu_count(), "results": results,
                                                  "lsp": lsp}, indent=2))
    by_n = {r["n"]: r for r in results}
    loads = [round(r[k], 1) for r in results for k in ("load_before", "load_after")]
    print(f"ESLint {version}; {os.cpu_count()} CPUs; medians of {args.runs} interleaved runs; "
          f"1-minute load average during the runs: {min(loads)}-{max(loads)}\n")
    print("\n".join(targets_table(by_n, lsp)))
    print("\n| N | portlint cold | ESLint cold | ratio | portlint --cache | ESLint --cache | warm/cold | files/s (cold) | peak RSS portlint / ESLint |")
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
    if 1 in by_n and "imports" in by_n[1]:
        imports = sorted(by_n[1]["imports"].items(), key=lambda kv: -kv[1])
        print("\nImports of the one-file run (`python -X importtime`, cumulative, top level, median; ms)\n")
        print("| module | ms |\n|---|---|")
        for name, seconds in imports[:15]:
            print(f"| {name} | {seconds * 1000:.1f} |")
        print(f"| all imports | {sum(v for _, v in imports) * 1000:.1f} |")


if __name__ == "__main__":
    main()
