"""The language server's protocol edges, over raw stdio bytes: the lifecycle LSP prescribes
(-32002 before initialize, exit status 1 without shutdown) and bounded message sizes (a lying or
huge Content-Length is answered with an error, never read into memory)."""
import json
import subprocess
import sys

from portlint.integrations.lsp_io import MAX_MESSAGE_BYTES

SERVER = [sys.executable, "-m", "portlint.integrations.lsp"]
INITIALIZE = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
              "params": {"processId": None, "rootUri": None, "capabilities": {}}}
INITIALIZED = {"jsonrpc": "2.0", "method": "initialized", "params": {}}
SHUTDOWN = {"jsonrpc": "2.0", "id": 99, "method": "shutdown", "params": None}
EXIT = {"jsonrpc": "2.0", "method": "exit", "params": None}


def frame(message: dict) -> bytes:
    body = json.dumps(message).encode("utf-8")
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def talk(data: bytes) -> tuple[int, list[dict], str]:
    """Send ``data``, close stdin, and return the exit status, every message back, and stderr."""
    proc = subprocess.run(SERVER, input=data, capture_output=True, timeout=120)
    messages, out = [], proc.stdout
    while out:
        head, _, rest = out.partition(b"\r\n\r\n")
        length = int(next(line for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")).split(b":")[1])
        messages.append(json.loads(rest[:length]))
        out = rest[length:]
    return proc.returncode, messages, proc.stderr.decode("utf-8", "replace")


def reply(messages: list[dict], msg_id) -> dict:
    return next(m for m in messages if m.get("id") == msg_id and ("result" in m or "error" in m))


def test_shutdown_then_exit_exits_0():
    code, messages, err = talk(frame(INITIALIZE) + frame(INITIALIZED) + frame(SHUTDOWN) + frame(EXIT))
    assert reply(messages, 1)["result"]["serverInfo"]["name"] == "portlint"
    assert code == 0, err


def test_exit_without_shutdown_exits_1():
    code, _, err = talk(frame(INITIALIZE) + frame(INITIALIZED) + frame(EXIT))
    assert code == 1, err
    assert "Traceback" not in err


def test_requests_before_initialize_get_server_not_initialized():
    hover = {"jsonrpc": "2.0", "id": 7, "method": "textDocument/hover", "params": {
        "textDocument": {"uri": "file:///tmp/ecosystem.config.cjs"}, "position": {"line": 0, "character": 0}}}
    code, messages, err = talk(frame(hover) + frame(INITIALIZE) + frame(SHUTDOWN) + frame(EXIT))
    assert reply(messages, 7)["error"]["code"] == -32002
    assert "result" in reply(messages, 1) and code == 0, err


def test_a_lying_content_length_is_answered_not_allocated():
    code, messages, err = talk(frame(INITIALIZE) + b"Content-Length: 99999999999999\r\n\r\n{}")
    (error,) = [m for m in messages if "error" in m]
    assert error["error"]["code"] == -32600 and "99999999999999" in error["error"]["message"]
    assert "MemoryError" not in err and "Traceback" not in err
    assert code == 1  # stdin ended without shutdown


def test_an_oversized_message_is_skipped_and_the_next_one_served():
    huge = b"Content-Length: %d\r\n\r\n" % (MAX_MESSAGE_BYTES + 1) + b" " * (MAX_MESSAGE_BYTES + 1)
    long_header = b"X-Padding: " + b"x" * 100_000 + b"\r\n"
    code, messages, err = talk(huge + long_header + frame(INITIALIZE) + b"Content-Length: 5\r\n\r\n{oops"
                               + frame(SHUTDOWN) + frame(EXIT))
    errors = [m["error"]["code"] for m in messages if "error" in m]
    assert errors == [-32600, -32700]
    assert "result" in reply(messages, 1) and code == 0, err
