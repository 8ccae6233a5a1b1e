"""Hostile inputs (issue 20) and a runner that measures each under a memory and a time limit.

    python fuzz/attacks.py                 # every attack: exit code, seconds, peak RSS (MB)
    python fuzz/attacks.py yaml-alias-bomb --mem 2048 --timeout 60

Each attack builds its files in a fresh folder and runs the real ``python -m portlint`` in a
subprocess whose address space is capped with ``resource.setrlimit`` (a bomb dies with a
MemoryError instead of taking the machine) and which is killed at the time limit. The test suite
(tests/test_bombs.py) and fuzz/test_slow_attacks.py run these with tight limits.
"""
from __future__ import annotations

import argparse
import http.server
import os
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

CONFIG_WITH_FINDING = ("const PORTS = {\n  API: 5570, // api\n};\nmodule.exports = {\n  PORTS,\n"
                       "  apps: [{ name: 'api', script: 'server.js', env: { PORT: 5570 } }],\n};\n")


@dataclass
class Attack:
    args: list[str]
    stdin: bytes | Callable | None = None  # bytes, or a function(write) that streams
    cwd: str | None = None
    stop: Callable | None = None  # cleans up (e.g. stops a server)
    notes: dict = field(default_factory=dict)


@dataclass
class Outcome:
    returncode: int | None  # None: killed at the time limit
    seconds: float
    peak_mb: float
    stdout: str
    stderr: str
    stdout_bytes: bytes = b""


def yaml_alias_bomb(tmp: Path) -> Attack:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    lines.append("apps:\n  - name: api\n    script: server.js\n    env: { PORT: 5570, X: *i }")
    (tmp / "ecosystem.config.yaml").write_text("\n".join(lines) + "\n")
    return Attack([str(tmp), "--no-cache"])


def stdin_600mb(tmp: Path) -> Attack:
    def stream(write):
        chunk = b"// " + b"x" * (1024 * 1024 - 4) + b"\n"
        for _ in range(600):
            write(chunk)
    return Attack(["-", "--stdin-filename", str(tmp / "ecosystem.config.js")], stdin=stream)


def _config(tmp: Path) -> None:
    (tmp / "ecosystem.config.cjs").write_text(CONFIG_WITH_FINDING)


def gitignore_dev_zero(tmp: Path) -> Attack:
    _config(tmp)
    (tmp / ".gitignore").symlink_to("/dev/zero")
    return Attack([str(tmp), "--no-cache"])


def gitignore_fifo(tmp: Path) -> Attack:
    _config(tmp)
    os.mkfifo(tmp / ".gitignore")
    return Attack([str(tmp), "--no-cache"])


def config_dev_zero(tmp: Path) -> Attack:
    _config(tmp)
    return Attack([str(tmp), "--no-cache", "--config", "/dev/zero"])


def config_fifo(tmp: Path) -> Attack:
    _config(tmp)
    os.mkfifo(tmp / "portlint.toml")
    return Attack([str(tmp), "--no-cache", "--config", str(tmp / "portlint.toml")])


def settings_15000_ranges(tmp: Path) -> Attack:
    _config(tmp)
    ranges = ", ".join(['"1-65535"'] * 15000)
    (tmp / "portlint.toml").write_text(f"well-known-ports = [{ranges}]\n")
    return Attack([str(tmp), "--no-cache"])


def gitignore_redos(tmp: Path) -> Attack:
    _config(tmp)
    (tmp / ".gitignore").write_text("*a*a*a*a*a*a*a*a*a*a*a*a*b\n")
    (tmp / ("a" * 200)).mkdir()
    return Attack([str(tmp), "--no-cache"])


def fix_1000_literals(tmp: Path) -> Attack:
    keys = [f"P{i:02d}" for i in range(30)]
    ports = "".join(f"  {k}: {5570 + i}, // service {i}\n" for i, k in enumerate(keys))
    apps = "".join(f"    {{ name: 'svc-{n}', script: 'svc.js', env: {{ PORT: {5570 + n % 30} }} }},\n"
                   for n in range(1000))
    (tmp / "ecosystem.config.cjs").write_text(f"const PORTS = {{\n{ports}}};\nmodule.exports = {{\n  PORTS,\n"
                                              f"  apps: [\n{apps}  ],\n}};\n")
    return Attack([str(tmp), "--no-cache", "--fix", "--quiet"])


class _DripHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's name)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        try:
            while not self.server.stopping:
                self.wfile.write(b" ")
                self.wfile.flush()
                time.sleep(0.5)
        except OSError:
            pass

    def log_message(self, *args):
        pass


def _serve(handler) -> tuple[str, Callable]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.stopping = False
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def stop():
        server.stopping = True
        server.shutdown()
        server.server_close()
    return f"http://127.0.0.1:{server.server_address[1]}", stop


def portos_drip(tmp: Path) -> Attack:
    _config(tmp)
    url, stop = _serve(_DripHandler)
    return Attack([str(tmp), "--no-cache", "--portos-url", url, "--portos-timeout", "2"], stop=stop)


def _answering(body: bytes):
    class Handler(_DripHandler):
        def do_GET(self):  # noqa: N802
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
    return Handler


def portos_deep_json(tmp: Path) -> Attack:
    _config(tmp)
    url, stop = _serve(_answering(b"[" * 100000 + b"]" * 100000))
    return Attack([str(tmp), "--no-cache", "--portos-url", url], stop=stop)


def port_5000_digits(tmp: Path) -> Attack:
    (tmp / "a").mkdir()
    (tmp / "a" / "ecosystem.config.cjs").write_text(
        "module.exports = { apps: [{ name: 'huge', script: 's.js', env: { PORT: '" + "9" * 5000 + "' },"
        " args: '--port " + "7" * 5000 + "' }] };\n")
    (tmp / "b").mkdir()
    (tmp / "b" / "ecosystem.config.cjs").write_text(CONFIG_WITH_FINDING)
    return Attack([str(tmp), "--no-cache"])


def name_0xff(tmp: Path) -> Attack:
    os.makedirs(os.path.join(os.fsencode(tmp), b"ecosystem.\xff.config.cjs"), exist_ok=True)
    os.rmdir(os.path.join(os.fsencode(tmp), b"ecosystem.\xff.config.cjs"))
    with open(os.path.join(os.fsencode(tmp), b"ecosystem.\xff.config.cjs"), "w") as fh:
        fh.write(CONFIG_WITH_FINDING)
    return Attack([str(tmp), "--format", "sarif", "--cache-dir", str(tmp / "cache")])


def settings_invalid_utf8(tmp: Path) -> Attack:
    _config(tmp)
    (tmp / "portlint.toml").write_bytes(b'role = "user"\n# \xff\xfe\n')
    return Attack([str(tmp), "--no-cache"])


def output_unwritable(tmp: Path) -> Attack:
    _config(tmp)
    return Attack([str(tmp), "--no-cache", "-o", str(tmp / "missing" / "report.txt")])


def fix_outside_roots(tmp: Path) -> Attack:
    (tmp / "outside").mkdir()
    (tmp / "outside" / "ecosystem.config.cjs").write_text(CONFIG_WITH_FINDING)
    (tmp / "project").mkdir()
    (tmp / "project" / "ecosystem.config.cjs").symlink_to(tmp / "outside" / "ecosystem.config.cjs")
    return Attack([str(tmp / "project"), "--no-cache", "--fix"], notes={"outside": tmp / "outside" / "ecosystem.config.cjs"})


def control_chars(tmp: Path) -> Attack:
    (tmp / "ecosystem.x\nfake.js:1:1: PL999 forged\x1b[2J.config.cjs").write_text(
        CONFIG_WITH_FINDING.replace("name: 'api'", "name: 'api\\nfake.js:9:9: PL999 forged\\u001b[31m'"))
    return Attack([str(tmp), "--no-cache", "--format", "junit"])


ATTACKS: dict[str, Callable[[Path], Attack]] = {
    "yaml-alias-bomb": yaml_alias_bomb,
    "stdin-600mb": stdin_600mb,
    "gitignore-dev-zero": gitignore_dev_zero,
    "gitignore-fifo": gitignore_fifo,
    "config-dev-zero": config_dev_zero,
    "config-fifo": config_fifo,
    "settings-15000-ranges": settings_15000_ranges,
    "gitignore-redos": gitignore_redos,
    "fix-1000-literals": fix_1000_literals,
    "portos-drip": portos_drip,
    "portos-deep-json": portos_deep_json,
    "port-5000-digits": port_5000_digits,
    "name-0xff": name_0xff,
    "settings-invalid-utf8": settings_invalid_utf8,
    "output-unwritable": output_unwritable,
    "fix-outside-roots": fix_outside_roots,
    "control-chars": control_chars,
}


def run(attack: Attack, mem_mb: int = 1024, timeout: float = 30, python: str = sys.executable,
        env: dict | None = None) -> Outcome:
    """Run ``python -m portlint`` on the attack under an address-space cap and a time limit."""
    limit = mem_mb * 1024 * 1024

    def cap():
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        os.setsid()

    full_env = dict(os.environ, **(env or {}))
    start = time.monotonic()
    proc = subprocess.Popen([python, "-m", "portlint", *attack.args], cwd=attack.cwd, env=full_env,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=cap)
    out: dict[str, bytes] = {}

    def feed():
        try:
            if callable(attack.stdin):
                attack.stdin(proc.stdin.write)
            elif attack.stdin:
                proc.stdin.write(attack.stdin)
        except (BrokenPipeError, OSError, ValueError):
            pass
        finally:
            try:
                proc.stdin.close()
            except OSError:
                pass

    def drain(name, stream):
        out[name] = stream.read()

    threads = [threading.Thread(target=feed, daemon=True),
               threading.Thread(target=drain, args=("out", proc.stdout), daemon=True),
               threading.Thread(target=drain, args=("err", proc.stderr), daemon=True)]
    for t in threads:
        t.start()
    killed = False
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() - start > timeout:
            os.killpg(proc.pid, signal.SIGKILL)
            killed = True
        time.sleep(0.02)
    seconds = time.monotonic() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    for t in threads[1:]:
        t.join(5)
    if attack.stop:
        attack.stop()
    return Outcome(None if killed else proc.returncode, seconds, usage.ru_maxrss / 1024,
                   out.get("out", b"").decode("utf-8", "replace"), out.get("err", b"").decode("utf-8", "replace"),
                   out.get("out", b""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", default=list(ATTACKS))
    parser.add_argument("--mem", type=int, default=2048, help="address-space cap in MB")
    parser.add_argument("--timeout", type=float, default=60)
    parser.add_argument("--python", default=sys.executable)
    args = parser.parse_args()
    print(f"{'attack':24} {'exit':>5} {'seconds':>8} {'peak MB':>8}  first line of stderr")
    for name in args.names:
        with tempfile.TemporaryDirectory() as tmp:
            outcome = run(ATTACKS[name](Path(tmp)), args.mem, args.timeout, args.python)
        rc = "kill" if outcome.returncode is None else str(outcome.returncode)
        err = (outcome.stderr.strip().splitlines() or [""])[-1][:70]
        print(f"{name:24} {rc:>5} {outcome.seconds:8.1f} {outcome.peak_mb:8.0f}  {err}", flush=True)


if __name__ == "__main__":
    main()
