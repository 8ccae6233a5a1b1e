"""What the language server accepts as a JSON-RPC 2.0 message, and the error it answers for anything
else, decided before pygls sees a byte: a message pygls cannot structure used to end the server.

- Not UTF-8, not JSON, ``NaN``/``Infinity`` (not JSON), nesting too deep, an integer of thousands of
  digits: -32700 Parse error, id null.
- Not an object, ``jsonrpc`` not ``"2.0"``, an id that is not an integer or a string (``1e999``,
  ``true``, ``1.5``, an object), a method that is not a string, no method and no result: -32600
  Invalid Request, with the id when it is one, else null.
- A batch (a JSON array): LSP has no batches. Each request in it gets its own -32600 answer, with
  its id, so a client waiting for one is not left waiting; a batch with no request in it gets one
  answer with id null. Nothing in a batch is run.
- params that are neither an object, an array nor null: -32602 Invalid params (a request) or
  nothing (a notification, which has no answer).

Everything here is pure (bytes in, a message and answers out) so the fuzz target can drive it alone.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603

#: JavaScript's safe integers: an id a client can have sent and can read back exactly.
MAX_ID = 2**53 - 1
#: The longest method name looked up (LSP's are under 50 characters).
MAX_METHOD = 200
#: Characters of a method name quoted back in an error.
_QUOTED = 100


@dataclass
class Checked:
    message: dict | None = None  # a valid message to serve
    replies: list[dict] = field(default_factory=list)  # errors to answer at once


def error(msg_id, code: int, message: str) -> dict:
    return {"jsonrpc": "2.0", "id": msg_id, "error": {"code": code, "message": message}}


def _not_json(constant: str):
    raise ValueError(f"{constant} is not JSON")


class _Overflow(float):
    """A JSON number too large for a double (``1e999``): kept as a marker that is never a valid id
    and never written back (the writer refuses non-finite numbers)."""


def _number(text: str) -> float:
    value = float(text)
    return value if math.isfinite(value) else _Overflow(value)


def decode(body: bytes):
    """The JSON value of a message body (strict: UTF-8, no NaN/Infinity); ValueError says why not."""
    try:
        return json.loads(body.decode("utf-8"), parse_constant=_not_json, parse_float=_number)
    except RecursionError:
        raise ValueError("nested too deeply") from None
    except UnicodeDecodeError as exc:
        raise ValueError(f"not UTF-8 (byte {exc.start})") from None


def valid_id(value) -> bool:
    """LSP's ``integer | string`` (an integer a JavaScript client can read back)."""
    if isinstance(value, str):
        return True
    return isinstance(value, int) and not isinstance(value, bool) and -MAX_ID <= value <= MAX_ID


def quoted(name: str) -> str:
    return repr(name if len(name) <= _QUOTED else name[:_QUOTED] + "…")


def check(body: bytes) -> Checked:
    """Decide what to do with one message body (see the module)."""
    try:
        value = decode(body)
    except ValueError as exc:
        return Checked(replies=[error(None, PARSE_ERROR, f"not a JSON-RPC message: {str(exc).splitlines()[0][:200]}")])
    if isinstance(value, list):
        return Checked(replies=_batch(value))
    return check_message(value)


def _batch(items: list) -> list[dict]:
    reason = "batches are not part of LSP; send each message on its own (nothing in this batch was run)"
    replies = [error(item["id"], INVALID_REQUEST, reason) for item in items
               if isinstance(item, dict) and "method" in item and valid_id(item.get("id"))]
    return replies or [error(None, INVALID_REQUEST, reason)]


def check_message(value) -> Checked:
    if not isinstance(value, dict):
        return Checked(replies=[error(None, INVALID_REQUEST, "a message is a JSON object")])
    has_id = "id" in value
    msg_id = value.get("id")
    answer_id = msg_id if valid_id(msg_id) else None
    if value.get("jsonrpc") != "2.0":
        return Checked(replies=[error(answer_id, INVALID_REQUEST, 'the "jsonrpc" member must be "2.0"')])
    if "method" not in value:  # a response to one of our requests
        if has_id and (valid_id(msg_id) or msg_id is None) and ("result" in value or "error" in value):
            if msg_id is None or not isinstance(value.get("error", {}), dict):
                return Checked()  # an error about something we sent that names nothing: nothing to do
            return Checked(message=value)
        return Checked(replies=[error(answer_id, INVALID_REQUEST, "neither a request, a notification nor a response")])
    method = value["method"]
    if has_id and not valid_id(msg_id):
        return Checked(replies=[error(None, INVALID_REQUEST, "the id must be an integer or a string")])
    if not isinstance(method, str):
        return Checked(replies=[error(answer_id, INVALID_REQUEST, "the method must be a string")] if has_id else [])
    if len(method) > MAX_METHOD:
        return Checked(replies=[error(msg_id, METHOD_NOT_FOUND, f"no method {quoted(method)}")] if has_id else [])
    params = value.get("params")
    if params is not None and not isinstance(params, (dict, list)):
        return Checked(replies=[error(msg_id, INVALID_PARAMS, f"the params of {quoted(method)} must be an object")]
                       if has_id else [])
    return Checked(message=value)
