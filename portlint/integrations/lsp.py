"""portlint as a language server (LSP over stdio, pygls 2): ``portlint-lsp`` or ``python -m portlint.lsp``.

Diagnostics on open, change (debounced) and save, with each document's own settings; quick fixes,
"fix all" and "suppress with noqa" code actions; the rule's documentation on hover. Positions use the
encoding negotiated with the client (utf-8, utf-16 or utf-32). Linting runs in a worker process
(lsp_worker.py) and only the latest version of a document is published, so hover and quick fixes
never wait for it, even while a large file is linted.

Untrusted input (see README, "Untrusted input"): every message is checked before pygls structures
it (lsp_envelope.py) and anything invalid gets a JSON-RPC error, never the end of the server; answers
are strict JSON; edits are queued and applied in slices (lsp_documents.py); a document over 2 MiB is
not kept nor linted, and one diagnostic says why; the worker exits when the server is gone.
"""
from __future__ import annotations

import asyncio
import functools
import json
import os
import sys
from dataclasses import dataclass, field

from lsprotocol import types
from pygls.exceptions import JsonRpcServerNotInitialized
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.json_rpc import JsonRPCNotification
from pygls.protocol.language_server import lsp_method
from pygls.uris import to_fs_path

from portlint._version import __version__
from portlint.settings.resolve import SETTINGS_FILES
from portlint.integrations import lsp_actions as actions
from portlint.integrations import lsp_worker as worker
from portlint.integrations import lsp_envelope as envelope
from portlint.integrations.lsp_documents import QUEUE_LIMIT, Document
from portlint.integrations.lsp_positions import Text
from portlint.report.formats.escape import markdown, printable
from portlint.source.files import MAX_BYTES
from portlint.urls import file_uri

#: Quiet time after a change before linting; the lint itself adds a few milliseconds (see README).
DEBOUNCE_SECONDS = 0.2


class Protocol(LanguageServerProtocol):
    """pygls's protocol, with LSP's rule that nothing but ``initialize`` is served before it, strict
    JSON answers, and documents kept by portlint alone (lsp_documents.py), not also by pygls."""

    portlint_initialized = False

    def _handle_request(self, msg_id, method_name, params):
        if method_name == types.INITIALIZE:
            self.portlint_initialized = True
        elif not self.portlint_initialized:
            self._send_response(msg_id, None, JsonRpcServerNotInitialized().to_response_error())
            return
        super()._handle_request(msg_id, method_name, params)

    def _handle_notification(self, method_name, params):
        if self.portlint_initialized or method_name == types.EXIT:
            super()._handle_notification(method_name, params)

    def structure_message(self, data: dict):
        if data.get("method") == types.TEXT_DOCUMENT_DID_CHANGE and "id" not in data:
            # not structured change by change (150,000 of them took seconds): did_change checks them
            return JsonRPCNotification(method=data["method"], jsonrpc="2.0", params=data.get("params"))
        return super().structure_message(data)

    def _send_data(self, data) -> None:
        """Like pygls's, but strict JSON: an answer holding NaN or Infinity (a ``1e999`` a client
        sent) becomes an internal error for that request instead of text that is not JSON."""
        if not data or self.writer is None:
            return
        try:
            body = json.dumps(data, default=self._serialize_message, allow_nan=False)
        except (ValueError, TypeError, RecursionError) as exc:
            msg_id = data.get("id") if isinstance(data, dict) else getattr(data, "id", None)
            if not envelope.valid_id(msg_id) or (isinstance(data, dict) and "method" in data) or hasattr(data, "method"):
                sys.stderr.write(f"portlint-lsp: a message could not be written as JSON: {exc}\n")
                return
            body = json.dumps(envelope.error(msg_id, envelope.INTERNAL_ERROR, f"the answer is not JSON: {exc}"))
        self.writer.write(f"Content-Length: {len(body)}\r\n\r\n{body}".encode("utf-8"))

    # The documents are portlint's (STATE.docs); pygls's own copy would cost a second copy of each
    # text and apply each edit again by splitting the whole text.
    @lsp_method(types.TEXT_DOCUMENT_DID_OPEN)
    def lsp_text_document__did_open(self, params):
        if (handler := self.fm.features.get(types.TEXT_DOCUMENT_DID_OPEN)) is not None:
            yield handler, (params,), None

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params):
        if (handler := self.fm.features.get(types.TEXT_DOCUMENT_DID_CHANGE)) is not None:
            yield handler, (params,), None

    @lsp_method(types.TEXT_DOCUMENT_DID_CLOSE)
    def lsp_text_document__did_close(self, params):
        if (handler := self.fm.features.get(types.TEXT_DOCUMENT_DID_CLOSE)) is not None:
            yield handler, (params,), None


server = LanguageServer("portlint", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Full,
                        protocol_cls=Protocol)


@dataclass
class Snapshot:
    """What one lint of one version of a document found (portlint Diagnostics), and its text."""

    uri: str
    version: int
    text: Text
    found: list = field(default_factory=list)
    verified: dict = field(default_factory=dict)  # quick fix (JSON key) -> why the verifier refused it, or None


class State:
    """Open documents, pending lints, the last published results, and the worker process."""

    def __init__(self) -> None:
        self.docs: dict[str, Document] = {}  # every open document
        self.pending: dict[str, asyncio.Task] = {}
        self.due: dict[str, float] = {}  # uri -> when its lint may start (the debounce)
        self.linting: dict[str, asyncio.Task] = {}  # lints past their debounce
        self.results: dict[str, Snapshot] = {}
        self.worker = worker.Worker()
        self.shown: set[str] = set()  # settings problems already shown to the user
        self.client = ""  # the editor's name, from initialize
        self._registry = None

    def registry(self):
        if self._registry is None:
            from portlint.plugins import load_registry

            self._registry = load_registry()
        return self._registry

    def queued(self) -> int:
        return sum(doc.pending for doc in self.docs.values())

    async def drain(self) -> None:
        """Before the next message is read: apply queued edits until few are left (a flood is
        applied as it comes, and memory holds at most QUEUE_LIMIT unapplied changes)."""
        while self.queued() > QUEUE_LIMIT:
            for doc in list(self.docs.values()):
                doc.apply_some()
            await asyncio.sleep(0)

    def reset(self) -> None:
        """Settings changed: find them again for every file."""
        self.worker.forget_settings()
        self.shown.clear()


STATE = State()


def _path(uri: str) -> str | None:
    try:
        path = to_fs_path(uri)
    except Exception:
        return None
    return path or None


def _is_config(path: str | None) -> bool:
    from portlint.source.discover import is_config_name

    return path is not None and is_config_name(os.path.basename(path))


def _encoding() -> str:
    try:
        return str(getattr(server.workspace.position_encoding, "value", server.workspace.position_encoding) or "utf-16")
    except Exception:
        return "utf-16"


#: Clients that apply versioned ``documentChanges`` (and refuse stale ones) without declaring it.
_VERSIONED_ANYWAY = {"Neovim"}


def _versioned_edits() -> bool:
    workspace = getattr(server.client_capabilities, "workspace", None)
    declared = getattr(getattr(workspace, "workspace_edit", None), "document_changes", False)
    return bool(declared) or STATE.client in _VERSIONED_ANYWAY


def _tell(message: str, kind=types.MessageType.Error) -> None:
    if message not in STATE.shown:
        STATE.shown.add(message)
        server.window_show_message(types.ShowMessageParams(kind, f"portlint: {message}"))


def guarded(default):
    """A request handler that answers ``default`` (and logs one line) instead of a -32603 traceback."""
    def wrap(fn):
        def failed(exc: Exception):
            server.window_log_message(types.LogMessageParams(
                types.MessageType.Error, f"portlint: {fn.__name__} failed: {type(exc).__name__}: {exc}"))
            return default() if callable(default) else default

        if asyncio.iscoroutinefunction(fn):
            @functools.wraps(fn)
            async def run_async(params):
                try:
                    return await fn(params)
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    return failed(exc)
            return run_async

        @functools.wraps(fn)
        def run(params):
            try:
                return fn(params)
            except Exception as exc:
                return failed(exc)
        return run
    return wrap


# -- linting ------------------------------------------------------------------------------------

def _related_information() -> bool:
    """Whether the client takes ``relatedInformation`` (its publishDiagnostics capability)."""
    text_document = getattr(server.client_capabilities, "text_document", None)
    return bool(getattr(getattr(text_document, "publish_diagnostics", None), "related_information", False))


def _to_lsp(snapshot: Snapshot, d, related_ranges=(), related: bool = False) -> types.Diagnostic:
    """One diagnostic for the client; its related places (another process, the first of two) as
    ``relatedInformation`` where the client takes them (the message names them too)."""
    information = None
    if related and d.related:
        information = [types.DiagnosticRelatedInformation(
            location=types.Location(uri=snapshot.uri if r.path == d.path else file_uri(r.path), range=types.Range(
                start=types.Position(line=span[0], character=span[1]), end=types.Position(line=span[2], character=span[3]))),
            message=printable(r.message)) for r, span in zip(d.related, related_ranges) if span is not None] or None
    return types.Diagnostic(
        range=snapshot.text.range((d.row, d.column), (d.end_row, d.end_column)),
        message=printable(d.message),
        severity=types.DiagnosticSeverity.Error if d.severity == "error" else types.DiagnosticSeverity.Warning,
        code=d.code, code_description=types.CodeDescription(href=d.url), source="portlint",
        related_information=information,
        data={"fix": d.fix_json(), "name": d.name, "noqa_row": d.noqa_row, "version": snapshot.version})


def _at_start(message: str, code: str | None = None) -> types.Diagnostic:
    """A diagnostic about the whole document, at its start."""
    start = types.Position(line=0, character=0)
    return types.Diagnostic(range=types.Range(start=start, end=start), message=message, code=code,
                            severity=types.DiagnosticSeverity.Error, source="portlint")


async def _settled(uri: str) -> Document | None:
    """The document once its debounce is over and its queued changes are applied (a slice at a time)."""
    loop = asyncio.get_running_loop()
    while True:
        wait = STATE.due.get(uri, 0) - loop.time()
        if wait > 0:
            await asyncio.sleep(wait)
            continue
        doc = STATE.docs.get(uri)
        if doc is None:
            return None
        if doc.apply_some():
            if STATE.due.get(uri, 0) <= loop.time():
                return doc
        else:
            await asyncio.sleep(0)


async def _lint(uri: str) -> None:
    doc = await _settled(uri)
    path = _path(uri)
    if doc is None or path is None:
        return
    STATE.linting[uri] = asyncio.current_task()
    try:
        await _lint_version(uri, path, doc)
    finally:
        if STATE.linting.get(uri) is asyncio.current_task():
            del STATE.linting[uri]


async def _lint_version(uri: str, path: str, doc: Document) -> None:
    version, text = doc.version, doc.text()
    if doc.bad:
        server.window_log_message(types.LogMessageParams(
            types.MessageType.Warning, f"portlint: a change to {uri} was skipped: {doc.bad}"))
        doc.bad = None
    if text is None:  # over the size cap: not kept, not linted; say why
        STATE.results.pop(uri, None)
        server.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, version=version, diagnostics=[
            _at_start(f"file is {doc.too_large} bytes, over the {MAX_BYTES}-byte limit for a config; "
                      "portlint does not check it", "PL001")]))
        return

    def still_wanted() -> bool:
        current = STATE.docs.get(uri)
        return current is doc and current.version == version and not current.pending

    found = await STATE.worker.lint(path, text, still_wanted, doc.encoding)
    if found is None or not still_wanted():
        return  # superseded or closed meanwhile: the latest version wins, a closed document gets nothing
    snapshot = Snapshot(uri, version, Text(text, doc.encoding))
    if isinstance(found, str):
        _tell(found)
        diagnostics = [_at_start(printable(found))]
    else:
        snapshot.found = [d for d, _ in found]
        related = _related_information()
        diagnostics = [_to_lsp(snapshot, d, ranges, related) for d, ranges in found]
    STATE.results[uri] = snapshot
    server.text_document_publish_diagnostics(
        types.PublishDiagnosticsParams(uri=uri, version=version, diagnostics=diagnostics))


def schedule(uri: str, delay: float) -> None:
    """Lint one document after ``delay`` seconds of quiet. A lint still in its quiet time just waits
    longer (a flood of changes makes no task per change); one already linting an older version is
    cancelled."""
    STATE.due[uri] = asyncio.get_running_loop().time() + delay
    previous = STATE.pending.get(uri)
    if previous is not None and not previous.done():
        if uri not in STATE.linting:
            return
        previous.cancel()
    task = asyncio.ensure_future(_lint(uri))
    STATE.pending[uri] = task
    task.add_done_callback(lambda t: STATE.pending.pop(uri, None) if STATE.pending.get(uri) is t else None)


def relint_open_documents() -> None:
    for uri in list(STATE.docs):
        schedule(uri, 0)


def _is_settings(uri: str) -> bool:
    return os.path.basename(_path(uri) or "") in SETTINGS_FILES


# -- document sync ------------------------------------------------------------------------------

@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
def did_open(params: types.DidOpenTextDocumentParams) -> None:
    item = params.text_document
    if not _is_config(_path(item.uri)):
        return  # only ecosystem files are linted; the others are not kept
    STATE.docs[item.uri] = Document(item.version, item.text, _encoding())
    schedule(item.uri, 0)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def did_change(params) -> None:
    """Raw params (not structured by lsprotocol): checked here in O(1), the changes queued."""
    if not isinstance(params, dict):
        return
    identifier, changes = params.get("textDocument"), params.get("contentChanges")
    if not isinstance(identifier, dict) or not isinstance(changes, list):
        return
    uri, version = identifier.get("uri"), identifier.get("version")
    doc = STATE.docs.get(uri) if isinstance(uri, str) else None
    if doc is None or type(version) is not int:
        return
    doc.receive(version, changes)
    schedule(uri, DEBOUNCE_SECONDS)


@server.feature(types.TEXT_DOCUMENT_DID_SAVE)
def did_save(params: types.DidSaveTextDocumentParams) -> None:
    uri = params.text_document.uri
    if _is_settings(uri):
        STATE.reset()
        relint_open_documents()
    elif uri in STATE.docs:
        schedule(uri, 0)


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
def did_close(params: types.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    STATE.docs.pop(uri, None)
    STATE.results.pop(uri, None)
    STATE.due.pop(uri, None)
    pending = STATE.pending.pop(uri, None)
    if pending is not None:
        pending.cancel()
    if _is_config(_path(uri)):
        server.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))


@server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
def did_change_watched_files(params: types.DidChangeWatchedFilesParams) -> None:
    if any(_is_settings(change.uri) for change in params.changes):
        STATE.reset()
        relint_open_documents()


@server.feature(types.INITIALIZE)
def initialize(params: types.InitializeParams) -> None:
    STATE.client = params.client_info.name if params.client_info else ""


@server.feature(types.INITIALIZED)
def initialized(params: types.InitializedParams) -> None:
    """Ask the editor to tell us when a settings file changes (where it can)."""
    workspace = getattr(server.client_capabilities, "workspace", None)
    watched = getattr(workspace, "did_change_watched_files", None)
    if not getattr(watched, "dynamic_registration", False):
        return  # it may still send workspace/didChangeWatchedFiles; saving a settings file works too
    server.client_register_capability(types.RegistrationParams(registrations=[types.Registration(
        id="portlint-settings", method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
        register_options=types.DidChangeWatchedFilesRegistrationOptions(watchers=[
            types.FileSystemWatcher(glob_pattern=f"**/{name}") for name in SETTINGS_FILES]))]))


@server.feature(types.SHUTDOWN)
def shutdown(params) -> None:
    for task in list(STATE.pending.values()):
        task.cancel()


# -- requests -----------------------------------------------------------------------------------

def _current(uri: str) -> Snapshot | None:
    """The last results of an open document, if they are for its current version."""
    snapshot = STATE.results.get(uri)
    doc = STATE.docs.get(uri)
    current = doc is not None and not doc.pending and doc.version == getattr(snapshot, "version", None)
    return snapshot if current else None


@server.feature(types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(
    code_action_kinds=[types.CodeActionKind.QuickFix, types.CodeActionKind.SourceFixAll]))
@guarded(list)
async def code_action(params: types.CodeActionParams) -> list[types.CodeAction]:
    uri = params.text_document.uri
    snapshot = STATE.results.get(uri)
    versioned = _versioned_edits()
    if snapshot is None or uri not in STATE.docs or (not versioned and _current(uri) is None):
        return []  # an edit without a version is only safe for the text it was computed on
    only = params.context.only
    found: list[types.CodeAction] = []
    yaml = (_path(uri) or "").endswith((".yml", ".yaml"))
    if actions.wanted(types.CodeActionKind.QuickFix, only):
        mine = [d for d in params.context.diagnostics
                if d.source == "portlint" and isinstance(d.data, dict) and d.data.get("version") == snapshot.version]
        refused = await _refused(uri, snapshot, [d.data["fix"] for d in mine if d.data.get("fix")])
        for diagnostic in mine:  # (another tool's, or published for another version of the text, are left out)
            data = diagnostic.data
            if data.get("fix") and _fix_key(data["fix"]) not in refused:
                found.append(actions.quick_fix(snapshot, diagnostic, data["fix"], versioned))
            if isinstance(data.get("noqa_row"), int):
                found.append(actions.suppress(snapshot, diagnostic, data["noqa_row"], yaml, versioned))
    # "fix all" needs the worker; while it is busy it is offered only to those who ask for it by kind
    asked = bool(only) and actions.wanted(types.CodeActionKind.SourceFixAll, only)
    if actions.wanted(types.CodeActionKind.SourceFixAll, only) and (asked or not STATE.worker.busy) and any(
            (d.fix_json() or {}).get("applicability") == "safe" for d in snapshot.found):
        fixed = await STATE.worker.fix_all(_path(uri), snapshot.text.text)
        if fixed is not None and fixed[0] != snapshot.text.text:
            found.append(actions.fix_all(snapshot, fixed[0], fixed[1], versioned))
    return found


def _fix_key(fix: dict) -> str:
    import json

    return json.dumps(fix, sort_keys=True)


async def _refused(uri: str, snapshot: Snapshot, fixes: list[dict]) -> set[str]:
    """The quick fixes (by ``_fix_key``) the fix verifier turns down on this version of the text;
    each is checked once per version, in the worker. Unchecked (the worker failed): all refused."""
    checked = snapshot.verified
    todo = [f for f in fixes if _fix_key(f) not in checked]
    if todo:
        found = await STATE.worker.verify(_path(uri), snapshot.text.text, todo)
        for fix, why in zip(todo, found or ["the fix could not be checked"] * len(todo)):
            checked[_fix_key(fix)] = why
    return {key for key, why in checked.items() if why is not None}


@server.feature(types.TEXT_DOCUMENT_HOVER)
@guarded(None)
def hover(params: types.HoverParams) -> types.Hover | None:
    snapshot = _current(params.text_document.uri)
    if snapshot is None:
        return None  # unopened, not linted yet, or changed since: nothing to say
    text = snapshot.text
    at = text.offset(params.position)
    for d in snapshot.found:
        if text.offset_of(d.row, d.column) <= at <= text.offset_of(d.end_row, d.end_column):
            rule = STATE.registry().rules.get(d.code)
            doc = f"\n\n```text\n{rule.doc()}\n```" if rule else ""  # (the message quotes a config: escaped)
            return types.Hover(contents=types.MarkupContent(
                kind=types.MarkupKind.Markdown,
                value=f"**{d.code} {d.name}**: {markdown(d.message)}{doc}\n\n[{d.code} documentation]({d.url})"),
                range=text.range((d.row, d.column), (d.end_row, d.end_column)))
    return None


def serve(stdin, stdout) -> int:
    """Serve until ``exit`` or the end of stdin; the exit code LSP asks for (0 after shutdown, else 1)."""
    import logging
    import threading

    from pygls.io_ import StdoutWriter

    from portlint.integrations.lsp_io import serve as read_messages

    # Invalid messages are answered with JSON-RPC errors (lsp_envelope.py); pygls would also log
    # each one with a traceback on stderr, which editors show as the server's log.
    logging.getLogger("pygls.protocol.json_rpc").setLevel(logging.CRITICAL)
    stop = threading.Event()
    server._stop_event = stop
    server.protocol.set_writer(StdoutWriter(stdout))
    try:
        asyncio.run(read_messages(server.protocol, stdin, stop, STATE.drain))
    except SystemExit as exc:  # pygls's `exit` handler: 0 after shutdown, 1 without
        return exc.code if isinstance(exc.code, int) else 1
    except (BrokenPipeError, KeyboardInterrupt):
        return 1
    return 0 if server.protocol._shutdown else 1


def main() -> None:
    STATE.worker.start()  # the worker imports the engine while the editor initializes
    code = serve(sys.stdin.buffer, sys.stdout.buffer)
    STATE.worker.stop()
    try:
        sys.stdout.flush()
    except Exception:
        pass
    os._exit(code)  # a lint still running on the worker thread must not hold the exit


if __name__ == "__main__":
    main()
