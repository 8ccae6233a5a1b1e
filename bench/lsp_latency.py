"""Language-server latency: didChange -> publishDiagnostics for an ordinary config (the debounce
plus the lint), and how long hover waits while a large file is linted on the worker.

    python bench/lsp_latency.py [--changes 40] [--big-apps 12000]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))

from generate import config_text  # noqa: E402

from portlint.integrations.lsp import DEBOUNCE_SECONDS  # noqa: E402


class Wire:
    """A minimal LSP client over the server's stdio."""

    def __init__(self, proc):
        self.proc, self.next_id, self.waiting, self.published = proc, 0, {}, {}

    def send(self, message: dict) -> None:
        body = json.dumps(message).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    async def request(self, method: str, params) -> object:
        self.next_id += 1
        future = asyncio.get_running_loop().create_future()
        self.waiting[self.next_id] = future
        self.send({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params})
        return await future

    def notify(self, method: str, params) -> None:
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    async def read(self) -> None:
        while True:
            length = 0
            while True:
                line = await self.proc.stdout.readline()
                if not line:
                    return
                if not line.strip():
                    break
                if line.lower().startswith(b"content-length"):
                    length = int(line.split(b":")[1])
            message = json.loads(await self.proc.stdout.readexactly(length))
            if "id" in message and message["id"] in self.waiting:
                self.waiting.pop(message["id"]).set_result(message.get("result"))
            elif message.get("method") == "textDocument/publishDiagnostics":
                params = message["params"]
                self.published.setdefault(params["uri"], asyncio.Queue()).put_nowait((time.perf_counter(), params))
            elif "id" in message:  # a request from the server (registerCapability): accept
                self.send({"jsonrpc": "2.0", "id": message["id"], "result": None})

    async def published_for(self, uri: str):
        return await self.published.setdefault(uri, asyncio.Queue()).get()


def ordinary_config() -> str:
    import random

    return config_text(random.Random(7), 1)


def big_config(apps: int) -> str:
    body = ",\n".join(f"    {{ name: 'worker-{i}', script: 'worker.js', env: {{ PORT: {20000 + i}, NOTE: 'é {i}' }} }}"
                      for i in range(apps))
    return f"module.exports = {{\n  apps: [\n{body}\n  ]\n}};\n"


async def open_server():
    """A language server on this Python, initialized, and a client wired to it."""
    root = tempfile.mkdtemp(prefix="portlint-lsp-bench-")
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "portlint.integrations.lsp", limit=2 ** 26,
                                                stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
    wire = Wire(proc)
    reader = asyncio.ensure_future(wire.read())
    await wire.request("initialize", {"processId": os.getpid(), "rootUri": f"file://{root}", "capabilities": {
        "general": {"positionEncodings": ["utf-8", "utf-16"]}}, "clientInfo": {"name": "bench"}})
    wire.notify("initialized", {})
    return wire, proc, reader, root


async def close_server(wire, proc, reader) -> None:
    await wire.request("shutdown", None)
    wire.notify("exit", None)
    await proc.wait()
    reader.cancel()


async def edit_delays(wire, root: str, changes: int) -> tuple[str, str, list[float]]:
    """(uri, text, sorted ms from each didChange of an ordinary config to its publishDiagnostics)."""
    small = ordinary_config()
    uri = f"file://{root}/ecosystem.config.cjs"
    wire.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "javascript", "version": 1, "text": small}})
    await wire.published_for(uri)
    delays = []
    for version in range(2, changes + 2):
        text = small + f"// edit {version}\n"
        sent = time.perf_counter()
        wire.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version},
                                               "contentChanges": [{"text": text}]})
        when, params = await wire.published_for(uri)
        assert params["version"] == version
        delays.append((when - sent) * 1000)
    return uri, small, sorted(delays)


async def edit_latency(changes: int) -> list[float]:
    """The sorted didChange -> publishDiagnostics delays (ms) of ``changes`` edits (bench/run.py's row)."""
    wire, proc, reader, root = await open_server()
    try:
        return (await edit_delays(wire, root, changes))[2]
    finally:
        await close_server(wire, proc, reader)


async def main(changes: int, big_apps: int) -> None:
    wire, proc, reader, root = await open_server()
    uri, small, delays = await edit_delays(wire, root, changes)
    print(f"ordinary config ({len(small)} bytes): didChange -> publishDiagnostics, debounce {DEBOUNCE_SECONDS * 1000:.0f} ms: "
          f"median {statistics.median(delays):.0f} ms, p90 {delays[int(len(delays) * 0.9)]:.0f} ms, "
          f"max {delays[-1]:.0f} ms (lint + transport: median {statistics.median(delays) - DEBOUNCE_SECONDS * 1000:.0f} ms)")

    big = big_config(big_apps)
    big_uri = f"file://{root}/big/ecosystem.config.cjs"
    opened = time.perf_counter()
    wire.notify("textDocument/didOpen", {"textDocument": {"uri": big_uri, "languageId": "javascript", "version": 1, "text": big}})
    hovers, slowest = [], (0.0, 0.0)
    done = asyncio.ensure_future(wire.published_for(big_uri))
    while not done.done():
        sent = time.perf_counter()
        await wire.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": 0, "character": 0}})
        hovers.append((time.perf_counter() - sent) * 1000)
        slowest = max(slowest, (hovers[-1], sent - opened))
        await asyncio.sleep(0.05)
    finished, params = done.result()
    if len(params["diagnostics"]) < 5:
        print("  large config's diagnostics:", [d["message"][:120] for d in params["diagnostics"]])
    print(f"large config ({len(big.encode()) / 1e6:.1f} MB, {big_apps} apps): linted in {finished - opened:.1f} s on the worker, "
          f"{len(params['diagnostics'])} diagnostics; {len(hovers)} hovers meanwhile: median "
          f"{statistics.median(hovers):.0f} ms, max {max(hovers):.0f} ms (sent {slowest[1]:.1f} s after the open)")
    await close_server(wire, proc, reader)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=40)
    parser.add_argument("--big-apps", type=int, default=12000)
    args = parser.parse_args()
    asyncio.run(main(args.changes, args.big_apps))
