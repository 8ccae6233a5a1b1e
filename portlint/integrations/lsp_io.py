"""The language server's stdio transport with bounded sizes: a header line or a message body over
the limit is answered with a JSON-RPC error and skipped, never read into memory."""
from __future__ import annotations

import asyncio
import re
import sys
from typing import BinaryIO

from portlint.integrations import lsp_envelope as envelope

#: The largest message body read into memory. A config is at most 2 MiB (MAX_BYTES); escaped as a
#: JSON string in a didOpen it can grow several times, so this leaves room and nothing more.
MAX_MESSAGE_BYTES = 32 * 1024 * 1024
MAX_HEADER_LINE = 4096
_CHUNK = 1024 * 1024
_CONTENT_LENGTH = re.compile(rb"Content-Length:\s*(\d{1,20})\s*", re.IGNORECASE)


class BoundedReader:
    """Reads LSP messages (headers, then a body of Content-Length bytes) from a blocking stream."""

    def __init__(self, stream: BinaryIO, executor=None):
        self.stream = stream
        self.executor = executor

    async def _call(self, fn, *args):
        return await asyncio.get_running_loop().run_in_executor(self.executor, fn, *args)

    async def _header_line(self) -> bytes | None:
        """One header line; an over-long one is read to its end and returned as b"?" (ignored)."""
        line = await self._call(self.stream.readline, MAX_HEADER_LINE)
        if not line:
            return None
        if line.endswith(b"\n"):
            return line
        while line and not line.endswith(b"\n"):  # too long: skip the rest of it, a chunk at a time
            line = await self._call(self.stream.readline, MAX_HEADER_LINE)
        return b"?\r\n" if line else None

    async def _skip(self, length: int) -> bool:
        while length > 0:
            chunk = await self._call(self.stream.read, min(length, _CHUNK))
            if not chunk:
                return False
            length -= len(chunk)
        return True

    async def messages(self, reply):
        """Yield each message's body; ``reply(dict)`` answers what cannot be read."""
        length = None
        while True:
            line = await self._header_line()
            if line is None:
                return
            if line.strip():
                match = _CONTENT_LENGTH.fullmatch(line.strip() + b" ")
                if match:
                    length = int(match.group(1))
                continue
            if length is None:
                continue  # a blank line outside a message
            if length > MAX_MESSAGE_BYTES:
                reply(envelope.error(None, envelope.INVALID_REQUEST, f"message of {length} bytes is over portlint-lsp's limit of "
                                     f"{MAX_MESSAGE_BYTES} bytes; skipped"))
                if not await self._skip(length):
                    return
                length = None
                continue
            body = await self._call(self.stream.read, length) if length else b""
            if len(body) < length:
                return
            length = None
            yield body


async def serve(protocol, stdin: BinaryIO, stop, drain=None) -> None:
    """Hand each valid message to pygls's protocol until stdin closes or ``stop`` is set; answer
    every invalid one with a JSON-RPC error (lsp_envelope.py). ``drain()``, awaited after each
    message, holds the next read while the server has too much queued work (backpressure)."""
    def reply(message: dict) -> None:
        protocol._send_data(message)

    async for body in BoundedReader(stdin).messages(reply):
        if stop.is_set():
            return
        checked = envelope.check(body)
        for answer in checked.replies:
            reply(answer)
        message = checked.message
        if message is not None:
            try:
                structured = protocol.structure_message(message)
            except Exception as exc:  # params of the wrong shape or types
                if "id" in message and "method" in message:  # a request: its answer says why
                    reply(envelope.error(message["id"], envelope.INVALID_PARAMS, _invalid_params(message["method"], exc)))
                else:
                    sys.stderr.write(f"portlint-lsp: ignored a message: {_invalid_params(message.get('method', ''), exc)}\n")
                structured = None
            if structured is not None:
                try:
                    protocol.handle_message(structured)
                except (SystemExit, KeyboardInterrupt):
                    raise
                except Exception as exc:  # never the end of the server: say so, keep serving
                    sys.stderr.write(f"portlint-lsp: ignored a message: {type(exc).__name__}: {str(exc)[:200]}\n")
        if drain is not None:
            await drain()


def _invalid_params(method, exc: Exception) -> str:
    """What is wrong with a message's params, in a line: cattrs's paths where it has them."""
    where = ""
    cause = exc.__cause__ or exc
    try:
        from cattrs import transform_error

        problems = transform_error(cause, path="$")
        where = ": " + "; ".join(p[:120] for p in problems[:3]) + ("; ..." if len(problems) > 3 else "")
    except Exception:
        pass
    return f"invalid params for {envelope.quoted(str(method))}{where}"
