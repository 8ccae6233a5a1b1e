"""The language server against a client that does not play fair (issue 28, The language server), each
attack made here and sent as raw bytes to the real ``portlint-lsp`` process (tests/lsp_wire.py),
whose memory and CPU time are capped: invalid messages get JSON-RPC errors and the server lives on;
answers are strict JSON; a flood of edits is coalesced; a document over the size cap is not kept nor
linted and one diagnostic says why; the server's worker and multiprocessing's resource tracker exit
when it dies; related places are sent as ``relatedInformation`` (issue 29)."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lsp_wire import SERVER, Wire, alive, children, peak_rss_mib

BAD = ("const PORTS = {\n  API: 5570, // api\n};\n"
       "module.exports = { PORTS, apps: [{ name: 'a', env: { PORT: 5570, METRICS_PORT: PORTS.API } }] };\n")


@pytest.fixture
def wire():
    w = Wire(mem_mib=1024, cpu_seconds=300)
    yield w
    w.kill()


def uri_of(path: Path) -> str:
    return path.as_uri()


# -- invalid messages -------------------------------------------------------------------------------

def req(msg_id, method, params) -> dict:
    return {"jsonrpc": "2.0", "id": msg_id, "method": method, "params": params}


HOVER = "textDocument/hover"
# (what is sent, the id the answer carries, the error code)
INVALID = [
    (req(2, HOVER, {}), 2, -32602),  # today: a traceback and the end of the server
    (b'{"jsonrpc":"2.0","id":1e999,"method":"textDocument/hover","params":{}}', None, -32600),  # was "id": Infinity
    (b'{"jsonrpc":"2.0","id":true,"method":"shutdown"}', None, -32600),
    (b'{"jsonrpc":"2.0","id":{"a":1},"method":"shutdown"}', None, -32600),
    (b'{"jsonrpc":"2.0","id":1.5,"method":"shutdown"}', None, -32600),
    (b'{"jsonrpc":"2.0","id":9007199254740993,"method":"shutdown"}', None, -32600),  # past JavaScript's integers
    (req(3, "portlint/noSuchMethod", {}), 3, -32601),
    (req(4, "x" * 100_000, {}), 4, -32601),
    (req(5, HOVER, {"textDocument": {"uri": 5}, "position": {"line": "x", "character": []}}), 5, -32602),
    (req(6, HOVER, "params"), 6, -32602),
    (req(7, HOVER, {"textDocument": {"uri": "file:///x"}, "position": {"line": 1e308 * 10, "character": 0}}), None, -32700),
    (b'{"jsonrpc":"2.0","id":8,"method":"textDocument/hover","params":{"position":{"line":NaN}}}', None, -32700),
    (b'{"jsonrpc":"1.0","id":9,"method":"shutdown"}', 9, -32600),
    (b'{"jsonrpc":"2.0","id":10,"method":42}', 10, -32600),
    (b'{"jsonrpc":"2.0","id":11}', 11, -32600),
    (b'"just a string"', None, -32600),
    (b'\xff\xfe{}', None, -32700),
    (b"[" * 200_000 + b"]" * 200_000, None, -32700),
    (b'{"jsonrpc":"2.0","id":12,"method":"x","params":{"n":' + b"9" * 5000 + b"}}", None, -32700),
    (b"[]", None, -32600),
]


def test_invalid_messages_get_json_rpc_errors_and_the_server_lives(wire):
    wire.initialize()
    for message, msg_id, code in INVALID:
        wire.seen.clear()
        wire.send(message)
        answer = wire.wait(lambda m: "error" in m, timeout=60)
        assert (answer["id"], answer["error"]["code"]) == (msg_id, code), (str(message)[:200], answer)
        assert len(json.dumps(answer)) < 2_000  # an error never echoes a huge input
    # a batch: each request in it answered with its own id, nothing in it run
    wire.send(b'[{"jsonrpc":"2.0","id":20,"method":"shutdown"},{"jsonrpc":"2.0","method":"exit"},'
              b'{"jsonrpc":"2.0","id":21,"method":"textDocument/hover","params":{}}]')
    assert {wire.answer(i)["error"]["code"] for i in (20, 21)} == {-32600}
    # notifications with bad params get no answer and change nothing
    wire.notify("textDocument/didOpen", {"textDocument": 5})
    wire.notify("textDocument/didChange", {"textDocument": {"uri": 5}, "contentChanges": "x"})
    wire.notify("textDocument/didChange", [1, 2])
    # the server still serves, shuts down when asked and exits 0
    uri = "file:///tmp/portlint-lsp-untrusted/ecosystem.config.cjs"
    wire.open(uri, BAD)
    assert {d["code"] for d in wire.diagnostics(uri)} >= {"PL401"}
    assert wire.close() == 0
    assert b"Traceback" not in wire.stderr


def test_an_answer_that_would_not_be_json_is_an_error_instead(wire, tmp_path):
    """A client's ``1e999`` inside diagnostic data comes back in a code action: pygls wrote it as
    ``Infinity``. Now the writer refuses it and the request gets an internal error."""
    wire.initialize()
    uri = uri_of(tmp_path / "ecosystem.config.cjs")
    wire.open(uri, BAD)
    (literal,) = [d for d in wire.diagnostics(uri) if d["code"] == "PL401"]
    body = json.dumps(req(30, "textDocument/codeAction", {
        "textDocument": {"uri": uri}, "range": literal["range"],
        "context": {"diagnostics": [dict(literal, data=dict(literal["data"], fix=None, extra="INF"))]}}))
    wire.send(body.replace('"INF"', "1e999").encode())
    answer = wire.answer(30)  # read by a strict parser: Infinity would fail here
    assert answer.get("error", {}).get("code") == -32603 or answer.get("result") is not None
    assert wire.request("shutdown")["result"] is None


# -- floods and sizes -------------------------------------------------------------------------------

def flood(count: int, first_line: int = 0) -> list[dict]:
    """``count`` one-character edits on one line: typing, then deleting it all again."""
    half = count // 2
    at = lambda line, c: {"line": line, "character": c}  # noqa: E731
    typed = [{"range": {"start": at(first_line, 8 + i), "end": at(first_line, 8 + i)}, "text": "a"} for i in range(half)]
    erased = [{"range": {"start": at(first_line, 8 + i), "end": at(first_line, 9 + i)}, "text": ""} for i in reversed(range(half))]
    return typed + erased


TEXT = "// notes\n" + BAD + "".join(f"// line {i}\n" for i in range(200))


@pytest.fixture
def opened(tmp_path):
    """A server, CPU time capped at 90 s, with TEXT open and linted: (wire, uri, what it found)."""
    w = Wire(mem_mib=2048, cpu_seconds=90)
    try:
        w.initialize()
        uri = uri_of(tmp_path / "ecosystem.config.cjs")
        w.open(uri, TEXT)
        first = {(d["code"], d["range"]["start"]["line"]) for d in w.diagnostics(uri)}
        assert ("PL401", 4) in first
        yield w, uri, first
    finally:
        w.kill()


def test_a_flood_of_150000_partial_changes_in_one_message_is_coalesced(opened):
    # Before: each change split the whole text again (pygls's copy and portlint's): the server
    # did not answer a hover within 10 minutes.
    w, uri, first = opened
    w.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2}, "contentChanges": flood(150_000)})
    hover = w.request(HOVER, {"textDocument": {"uri": uri}, "position": {"line": 4, "character": 60}}, timeout=300)
    assert "error" not in hover
    final = w.diagnostics(uri, version=2, timeout=300)
    assert {(d["code"], d["range"]["start"]["line"]) for d in final} == first  # the text is back
    assert peak_rss_mib(w.proc.pid) < 600
    assert w.close() == 0


def test_a_flood_of_small_change_messages_is_coalesced(opened):
    w, uri, first = opened
    changes = flood(60_000)
    w.send(*[{"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
        "textDocument": {"uri": uri, "version": 2 + k // 20}, "contentChanges": changes[k:k + 20]}}
        for k in range(0, len(changes), 20)])
    final = w.diagnostics(uri, version=2 + (len(changes) - 1) // 20, timeout=300)
    assert {(d["code"], d["range"]["start"]["line"]) for d in final} == first
    published = [m for m in w.seen if m.get("method") == "textDocument/publishDiagnostics"]
    assert len(published) < 20  # one lint per pause, not one per change
    assert w.close() == 0


def test_a_change_is_queued_in_constant_time_and_applied_in_slices():
    from portlint.integrations.lsp_documents import Document

    doc = Document(1, TEXT, "utf-16")
    changes = flood(150_000)
    doc.receive(2, changes)
    assert doc.pending == 150_000 and doc.lines is not None and "".join(doc.lines) == TEXT  # nothing applied yet
    assert doc.apply_some(seconds=0) is False and 0 < 150_000 - doc.pending <= 32  # one slice: a few changes
    assert doc.text() == TEXT and doc.pending == 0


@settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(text=st.lists(st.sampled_from(["a", "é", "🚀", "\n", "\r", "\r\n", " "]), max_size=12).map("".join),
       edits=st.lists(st.tuples(st.integers(0, 6), st.integers(0, 6), st.integers(0, 6), st.integers(0, 6),
                                st.text(st.sampled_from(["b", "\n", "\r", "日"]), max_size=3)), max_size=6),
       encoding=st.sampled_from(["utf-8", "utf-16", "utf-32"]))
def test_document_edits_match_editing_the_whole_text(text, edits, encoding):
    """Applying changes line by line gives what applying them to the whole text does."""
    from lsprotocol import types

    from portlint.integrations.lsp_documents import Document
    from portlint.integrations.lsp_positions import Text

    doc = Document(1, text, encoding)
    changes = []
    for l1, c1, l2, c2, new in edits:
        whole = Text(text, encoding)
        a, b = sorted((whole.offset(types.Position(line=l1, character=c1)), whole.offset(types.Position(line=l2, character=c2))))
        text = text[:a] + new + text[b:]
        changes.append({"range": {"start": {"line": l1, "character": c1}, "end": {"line": l2, "character": c2}}, "text": new})
    doc.receive(2, changes)
    assert doc.text() == text


def test_a_position_converts_at_c_speed_like_counting_units_one_by_one():
    from portlint.integrations.lsp_positions import _UNITS, index_of

    def counted(line, character, encoding):
        units = 0
        for i, ch in enumerate(line):
            if units >= character:
                return i
            units += _UNITS[encoding](ch)
        return len(line)

    for line in ["", "abc", "é日🚀x", "🚀🚀", "a\u0301\udcff"]:
        for encoding in _UNITS:
            for character in range(-1, 12):
                assert index_of(line, character, encoding) == counted(line, character, encoding), (line, encoding, character)


def test_a_document_over_the_size_cap_is_not_kept_and_the_client_is_told(wire, tmp_path):
    # Before: a 28.6 MiB document took the server to 442 MiB and the worker to 445 MiB for 19 s,
    # then ended in a PL001 time-out. Now neither holds it.
    wire.initialize()
    time.sleep(1)
    worker_before = max(peak_rss_mib(p) for p in children(wire.proc.pid))
    uri = uri_of(tmp_path / "ecosystem.config.cjs")
    huge = BAD + "// filler\n" * 2_400_000  # 24 MiB
    wire.open(uri, huge)
    (told,) = wire.diagnostics(uri)
    assert told["code"] == "PL001" and f"file is {len(huge)} bytes, over the 2097152-byte limit" in told["message"]
    assert peak_rss_mib(wire.proc.pid) < 250
    assert max(peak_rss_mib(p) for p in children(wire.proc.pid)) < worker_before + 20  # never sent to the worker
    # back under the cap (a whole text): linted again
    wire.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": BAD}]})
    assert "PL401" in {d["code"] for d in wire.diagnostics(uri, version=2)}
    # partial changes that grow it over the cap: the same diagnostic, from the size of the text
    grow = [{"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "text": "// x\n" * 200_000}] * 3
    wire.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 3}, "contentChanges": grow})
    (told,) = wire.diagnostics(uri, version=3)
    assert told["code"] == "PL001" and "over the 2097152-byte limit" in told["message"]
    assert wire.close() == 0


# -- no orphans -------------------------------------------------------------------------------------

def wait_gone(pids: list[int], seconds: float = 30) -> list[int]:
    """The pids still alive after waiting up to ``seconds`` for them to exit (a bound, not a timing)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        left = [p for p in pids if alive(p)]
        if not left:
            return []
        time.sleep(0.2)
    return [p for p in pids if alive(p)]


def test_killing_the_server_takes_its_worker_and_resource_tracker_along(wire, tmp_path):
    # Before: kill -9 of the server left its worker and multiprocessing's resource tracker running.
    wire.initialize()
    uri = uri_of(tmp_path / "ecosystem.config.cjs")
    wire.open(uri, BAD)
    wire.diagnostics(uri)
    started = children(wire.proc.pid)
    assert len(started) == 2, started  # the worker and the resource tracker
    os.kill(wire.proc.pid, signal.SIGKILL)
    wire.proc.wait(30)
    left = wait_gone(started)
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert left == []


CLIENT = """
import json, os, subprocess, sys, time
server = subprocess.Popen({server!r}, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
def send(m):
    body = json.dumps(m).encode()
    server.stdin.write(b"Content-Length: %d\\r\\n\\r\\n" % len(body) + body); server.stdin.flush()
send({{"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {{"processId": None, "rootUri": None, "capabilities": {{}}}}}})
send({{"jsonrpc": "2.0", "method": "initialized", "params": {{}}}})
send({{"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {{"textDocument": {{
    "uri": {uri!r}, "languageId": "javascript", "version": 1, "text": open({slow!r}).read()}}}}}})
print(server.pid, flush=True)
time.sleep(600)
"""


def test_killing_the_client_while_the_worker_lints_leaves_nothing_behind(tmp_path):
    """The client dies (kill -9) while the worker is busy with a long lint: the server sees its
    input end and exits, and the worker and the resource tracker follow."""
    apps = ",".join(f"{{name:'s{i}',script:'s.js',env:{{PORT:{5570 + i}}}}}" for i in range(8_000))
    slow = tmp_path / "ecosystem.config.cjs"
    slow.write_text(f"module.exports={{apps:[{apps}]}};\n")
    client = subprocess.Popen([sys.executable, "-c", CLIENT.format(server=SERVER, uri=slow.as_uri(), slow=str(slow))],
                              stdout=subprocess.PIPE, start_new_session=True)
    try:
        server = int(client.stdout.readline())
        deadline = time.monotonic() + 60
        while len(children(server)) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        started = [server] + children(server)
        time.sleep(1)  # the document has reached the worker
        os.kill(client.pid, signal.SIGKILL)
        client.wait(30)
        left = wait_gone(started)
        for pid in left:
            os.kill(pid, signal.SIGKILL)
        assert left == [], "still running after the client died"
    finally:
        if client.poll() is None:
            os.killpg(client.pid, signal.SIGKILL)


# -- related places -------------------------------------------------------------------------------

@pytest.mark.parametrize("supported", [True, False])
def test_related_places_are_sent_as_related_information(tmp_path, supported):
    """PL401's related place, the PORTS entry that holds the port, in another file: sent with that
    file's URI and range when the client takes relatedInformation (the message names it anyway)."""
    w = Wire(mem_mib=1024, cpu_seconds=300)
    try:
        w.initialize({"textDocument": {"publishDiagnostics": {"relatedInformation": supported}}})
        ports = tmp_path / "ports.config.cjs"
        ports.write_text("// ports of the app\nmodule.exports = { /* 🚀 */ PORTS: { API: 5570, // api\n WS: 5571 } }; // ws\n")
        config = tmp_path / "ecosystem.config.cjs"
        text = ("const { PORTS } = require('./ports.config.cjs');\n"
                "module.exports = { PORTS, apps: [{ name: 'a', env: { PORT: 5570, WS_PORT: PORTS.WS } }] };\n")
        config.write_text(text)
        w.open(config.as_uri(), text)
        (literal,) = [d for d in w.diagnostics(config.as_uri()) if d["code"] == "PL401"]
        if not supported:
            assert "relatedInformation" not in literal
            return
        (related,) = literal["relatedInformation"]
        assert related["location"]["uri"] == ports.as_uri()
        line = ports.read_text().splitlines()[1]
        start = len(line[:line.index("5570")].encode("utf-16-le")) // 2  # 42: the emoji is two UTF-16 units
        assert related["location"]["range"] == {"start": {"line": 1, "character": start},
                                                "end": {"line": 1, "character": start + 4}}
        assert "5570" in related["message"]
        assert w.close() == 0
    finally:
        w.kill()
