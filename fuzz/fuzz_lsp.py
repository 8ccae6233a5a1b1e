"""A fuzz target for the language server's JSON-RPC framing and params (issue 28).

    pip install atheris
    python fuzz/fuzz_lsp.py -atheris_runs=100000 -max_len=8192 fuzz/lsp-corpus

Each input is a byte stream a client could send: headers, bodies, any JSON in them. It is served by
the real server code (lsp_io's bounded reader, the envelope checks, pygls's protocol and portlint's
handlers) in this process, from memory, with the lint itself replaced by an empty one (the engine
has its own target, fuzz_parse_evaluate.py). Whatever the bytes:

- nothing escapes the server (an exception here is a crash atheris saves as crash-<hash>);
- everything it writes is well-framed strict JSON-RPC 2.0 (a Content-Length that is the body's
  size, a JSON object, no NaN or Infinity, ``"jsonrpc": "2.0"``);
- a request with an id the client can read back gets at most one answer per time it was sent.

tests/test_lsp_fuzz.py runs a bounded number of generated sessions through :func:`session` in the
test suite. An empty corpus folder is seeded with a few well-formed sessions.
"""
from __future__ import annotations

import asyncio
import io
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


class _Sink(io.BytesIO):
    def close(self) -> None:  # pygls closes the writer on `exit`; keep what was written
        pass


def _reset(lsp) -> None:
    """A new session on the module's one server: not initialized, no documents, nothing pending."""
    protocol = lsp.server.protocol
    protocol._shutdown = False
    protocol.portlint_initialized = False
    protocol._request_futures.clear()
    lsp.STATE.docs.clear()
    lsp.STATE.results.clear()
    lsp.STATE.pending.clear()
    lsp.STATE.due.clear()
    lsp.STATE.linting.clear()
    lsp.STATE.shown.clear()


async def _no_lint(path, text, still_wanted, encoding="utf-16"):
    return []


def session(data: bytes) -> tuple[int, bytes]:
    """Serve ``data`` as one client's whole input; (exit status, everything written back)."""
    from portlint.integrations import lsp

    _reset(lsp)
    lsp.STATE.worker.lint = _no_lint
    lsp.STATE.worker.fix_all = lambda *args: asyncio.sleep(0)
    out = _Sink()
    code = lsp.serve(io.BytesIO(data), out)
    return code, out.getvalue()


def _not_json(constant: str):
    raise AssertionError(f"the server wrote {constant}, which is not JSON")


def frames(out: bytes) -> list[dict]:
    """The messages written back, checking each frame (see the module); AssertionError if one is bad."""
    messages = []
    while out:
        head, sep, rest = out.partition(b"\r\n\r\n")
        assert sep, f"a frame without the blank line after its headers: {out[:100]!r}"
        fields = dict(line.split(b": ", 1) for line in head.split(b"\r\n"))
        length = int(fields[b"Content-Length"])
        assert len(rest) >= length, "a Content-Length longer than the body"
        message = json.loads(rest[:length].decode("utf-8"), parse_constant=_not_json)
        assert isinstance(message, dict) and message.get("jsonrpc") == "2.0", message
        messages.append(message)
        out = rest[length:]
    return messages


def answered_at_most_once(data_messages: list, written: list[dict]) -> None:
    """Each id the client sent n times is answered at most n times."""
    sent: dict = {}
    flat = [x for m in data_messages for x in (m if isinstance(m, list) else [m])]  # a batch's requests too
    for m in flat:
        if isinstance(m, dict) and "method" in m and isinstance(m.get("id"), (int, str)) and not isinstance(m.get("id"), bool):
            sent[json.dumps(m["id"])] = sent.get(json.dumps(m["id"]), 0) + 1
    got: dict = {}
    for m in written:
        if ("result" in m or "error" in m) and m.get("id") is not None:
            got[json.dumps(m["id"])] = got.get(json.dumps(m["id"]), 0) + 1
    over = {k: n for k, n in got.items() if n > sent.get(k, 0) and k in sent}
    assert not over, f"answered more often than asked: {over}"


def frame(body: bytes, length: int | None = None) -> bytes:
    return b"Content-Length: %d\r\n\r\n" % (len(body) if length is None else length) + body


SEEDS = [
    [{"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}},
     {"jsonrpc": "2.0", "method": "initialized", "params": {}},
     {"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
         "uri": "file:///w/ecosystem.config.cjs", "languageId": "javascript", "version": 1, "text": "x\n"}}},
     {"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
         "textDocument": {"uri": "file:///w/ecosystem.config.cjs", "version": 2},
         "contentChanges": [{"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 1}}, "text": "y"}]}},
     {"jsonrpc": "2.0", "id": 2, "method": "textDocument/hover", "params": {
         "textDocument": {"uri": "file:///w/ecosystem.config.cjs"}, "position": {"line": 0, "character": 0}}},
     {"jsonrpc": "2.0", "id": 3, "method": "shutdown"},
     {"jsonrpc": "2.0", "method": "exit"}],
]


def one_input(data: bytes) -> None:
    code, out = session(data)
    assert code in (0, 1), code
    frames(out)


def seed(corpus: Path) -> None:
    corpus.mkdir(parents=True, exist_ok=True)
    if any(corpus.iterdir()):
        return
    for i, messages in enumerate(SEEDS):
        (corpus / f"seed-{i:02d}").write_bytes(b"".join(frame(json.dumps(m).encode()) for m in messages))


def main() -> None:
    import atheris

    for folder in [a for a in sys.argv[1:] if not a.startswith("-")]:
        seed(Path(folder))
    with atheris.instrument_imports():
        from portlint.integrations import lsp  # noqa: F401
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
