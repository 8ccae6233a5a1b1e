"""A raw language-server client for attack tests: the real ``portlint-lsp`` process over stdio
pipes, any bytes in, every message out (read by a thread), with the server's and its children's
process ids at hand. Attacks send what no well-behaved client library would (bad ids, batches,
floods), so this speaks bytes, not lsprotocol types."""
from __future__ import annotations

import json
import os
import queue
import resource
import subprocess
import sys
import threading
import time

SERVER = [sys.executable, "-m", "portlint.integrations.lsp"]
INITIALIZE = {"processId": None, "rootUri": None, "capabilities": {
    "textDocument": {"publishDiagnostics": {"relatedInformation": True}}}}


def _not_json(constant: str):
    raise ValueError(f"the server wrote {constant}, which is not JSON")


def frame(message) -> bytes:
    """One LSP message: a dict or list is JSON-encoded, bytes are sent as the body as they are."""
    body = message if isinstance(message, bytes) else json.dumps(message).encode("utf-8")
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def children(pid: int) -> list[int]:
    """The process ids whose parent is ``pid`` (from /proc)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as fh:
                    stat = fh.read()
            except OSError:
                continue
            if int(stat.rsplit(b")", 1)[1].split()[1]) == pid:
                found.append(int(entry))
    return found


def alive(pid: int) -> bool:
    """A process that exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            return fh.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except OSError:
        return False


def peak_rss_mib(pid: int) -> float:
    """The high-water mark of a live process's resident memory (VmHWM), in MiB."""
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


class Wire:
    """The server as a process: ``send`` bytes or messages, ``request`` and wait for the answer."""

    def __init__(self, mem_mib: int | None = 1024, cpu_seconds: int | None = None, env: dict | None = None):
        def limits():
            os.setsid()  # its own process group: a test can kill it and all it started
            if mem_mib:
                resource.setrlimit(resource.RLIMIT_AS, (mem_mib << 20, mem_mib << 20))
            if cpu_seconds:
                resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))

        self.proc = subprocess.Popen(SERVER, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     preexec_fn=limits, env={**os.environ, **(env or {})})
        self.inbox: queue.Queue = queue.Queue()
        self.seen: list[dict] = []
        self.stderr = b""
        self._next_id = 1000
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()

    def _read(self) -> None:
        out = self.proc.stdout
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    self.inbox.put(None)
                    return
                if line.strip() == b"":
                    break
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            body = out.read(length)
            self.inbox.put(json.loads(body, parse_constant=_not_json))  # strict: Infinity or NaN fails here

    def _read_stderr(self) -> None:
        self.stderr = self.proc.stderr.read()

    def send(self, *messages) -> None:
        for message in messages:
            self.proc.stdin.write(frame(message))
        self.proc.stdin.flush()

    def notify(self, method: str, params) -> None:
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def next(self, timeout: float = 60):
        """The next message from the server (None: it closed its output)."""
        message = self.inbox.get(timeout=timeout)
        if message is not None:
            self.seen.append(message)
        return message

    def wait(self, match, timeout: float = 60):
        """The first message (already seen or coming) for which ``match(message)`` is true."""
        for message in self.seen:
            if match(message):
                return message
        deadline = time.monotonic() + timeout
        while True:
            message = self.next(max(0.1, deadline - time.monotonic()))
            if message is None:
                raise EOFError(f"the server closed its output; stderr: {self.stderr[-2000:]!r}")
            if match(message):
                return message

    def answer(self, msg_id, timeout: float = 60) -> dict:
        return self.wait(lambda m: m.get("id") == msg_id and ("result" in m or "error" in m), timeout)

    def request(self, method: str, params=None, timeout: float = 60) -> dict:
        self._next_id += 1
        self.send({"jsonrpc": "2.0", "id": self._next_id, "method": method, "params": params})
        return self.answer(self._next_id, timeout)

    def initialize(self, capabilities: dict | None = None) -> dict:
        params = dict(INITIALIZE, capabilities=capabilities or INITIALIZE["capabilities"])
        result = self.request("initialize", params)
        self.notify("initialized", {})
        return result

    def diagnostics(self, uri: str, version: int | None = None, timeout: float = 60) -> list[dict]:
        """The diagnostics published for ``uri`` (for ``version``, when given), waiting for them."""
        def match(m):
            p = m.get("params") or {}
            return (m.get("method") == "textDocument/publishDiagnostics" and p.get("uri") == uri
                    and (version is None or p.get("version") == version))
        found = [m for m in self.seen if match(m)]
        return (found[-1] if found and version is not None else self.wait(match, timeout))["params"]["diagnostics"]

    def open(self, uri: str, text: str, version: int = 1) -> None:
        self.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "javascript", "version": version, "text": text}})

    def close(self, timeout: float = 60) -> int:
        """shutdown, exit; the exit status."""
        try:
            self.request("shutdown", None, timeout)
            self.notify("exit", None)
            self.proc.stdin.close()
        except (BrokenPipeError, OSError):
            pass
        return self.proc.wait(timeout)

    def kill(self) -> None:
        try:
            os.killpg(self.proc.pid, 9)
        except ProcessLookupError:
            pass
        self.proc.wait(30)
