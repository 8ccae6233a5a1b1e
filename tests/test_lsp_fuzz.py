"""The language server's fuzz target (fuzz/fuzz_lsp.py) run on a bounded number of generated
client sessions in the test suite: well-formed sessions with their messages mutated (params of
the wrong shape, ids of every JSON type, huge and non-finite numbers, batches, garbage bodies, lying
Content-Lengths). Whatever comes in, nothing escapes the server and everything it writes is
well-framed strict JSON-RPC, each request answered at most once."""
import json
import os
import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "fuzz"))
from fuzz_lsp import SEEDS, answered_at_most_once, frame, frames, session  # noqa: E402

EXAMPLES = int(os.environ.get("PORTLINT_FUZZ_EXAMPLES", "150"))
METHODS = ["initialize", "initialized", "shutdown", "exit", "textDocument/didOpen", "textDocument/didChange",
           "textDocument/didSave", "textDocument/didClose", "textDocument/hover", "textDocument/codeAction",
           "workspace/didChangeWatchedFiles", "$/cancelRequest", "$/setTrace", "portlint/unknown", ""]
numbers = st.sampled_from(["0", "-1", "1.5", "1e999", "-1e999", "9007199254740993", "1" * 5000, "NaN", "Infinity"])
json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-2**63, 2**63), st.text(max_size=20),
              st.sampled_from(["file:///w/ecosystem.config.cjs", "file:///w/portlint.toml", "\udcff"])),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(
        st.sampled_from(["uri", "text", "version", "line", "character", "range", "start", "end", "textDocument",
                         "position", "contentChanges", "context", "diagnostics", "data", "id", "jsonrpc", "method"]),
        inner, max_size=5)), max_leaves=20)


def encode(value) -> bytes:
    return json.dumps(value, allow_nan=True).encode("utf-8", "surrogatepass")


@st.composite
def message(draw) -> bytes:
    kind = draw(st.sampled_from(["seed", "mutated", "any", "batch", "number-id", "bytes"]))
    if kind == "seed":
        return encode(draw(st.sampled_from(SEEDS[0])))
    if kind == "mutated":
        base = dict(draw(st.sampled_from(SEEDS[0])))
        field = draw(st.sampled_from(["params", "id", "method", "jsonrpc"]))
        base[field] = draw(json_values) if field != "method" else draw(st.sampled_from(METHODS))
        return encode(base)
    if kind == "any":
        return encode({"jsonrpc": "2.0", "id": draw(json_values), "method": draw(st.sampled_from(METHODS)),
                       "params": draw(json_values)})
    if kind == "batch":
        return encode([{"jsonrpc": "2.0", "id": i, "method": draw(st.sampled_from(METHODS))} for i in range(draw(st.integers(0, 3)))])
    if kind == "number-id":
        return ('{"jsonrpc":"2.0","id":%s,"method":"textDocument/hover","params":{"textDocument":{"uri":"x"},'
                '"position":{"line":%s,"character":0}}}' % (draw(numbers), draw(numbers))).encode()
    return draw(st.binary(max_size=40))


@st.composite
def stream(draw) -> tuple[bytes, list]:
    bodies = draw(st.lists(message(), max_size=8))
    if draw(st.booleans()):
        bodies = [encode(SEEDS[0][0]), encode(SEEDS[0][1])] + bodies  # initialized: the handlers run
    data = b""
    for body in bodies:
        lying = draw(st.sampled_from([None, None, None, 0, len(body) + 3, len(body) - 1]))
        data += frame(body, None if lying is None else max(0, lying))
        if draw(st.integers(0, 9)) == 0:
            data += draw(st.sampled_from([b"\r\n", b"X: y\r\n", b"Content-Length: x\r\n\r\n", b"\xff" * 5]))
    sent = []
    for body in bodies:
        try:
            sent.append(json.loads(body))
        except ValueError:
            pass
    return data, sent


@settings(derandomize=not os.environ.get("PORTLINT_RANDOM"), max_examples=EXAMPLES, deadline=None,
          suppress_health_check=list(HealthCheck))
@given(stream())
def test_any_client_bytes_get_framed_strict_json_answers(case):
    data, sent = case
    code, out = session(data)
    assert code in (0, 1)
    answered_at_most_once(sent, frames(out))


def test_a_seeded_session_is_served_as_a_real_one():
    """The harness can fail: the well-formed seed is initialized, hovered and shut down, exit 0."""
    data = b"".join(frame(json.dumps(m).encode()) for m in SEEDS[0])
    code, out = session(data)
    written = frames(out)
    assert code == 0
    assert {m["id"] for m in written if "result" in m} == {1, 2, 3}
