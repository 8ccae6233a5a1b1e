"""portlint as a language server (LSP over stdio, pygls 2): ``portlint-lsp`` or ``python -m portlint.lsp``.

Diagnostics on open, change (debounced) and save, with each document's own settings; quick fixes,
"fix all" and "suppress with noqa" code actions; the rule's documentation on hover. Positions use the
encoding negotiated with the client (utf-8, utf-16 or utf-32). Linting runs in a worker process
(lsp_worker.py) and only the latest version of a document is published, so hover and quick fixes
never wait for it, even while a large file is linted.
"""
from __future__ import annotations

import asyncio
import functools
import os
import sys
from dataclasses import dataclass, field

from lsprotocol import types
from pygls.exceptions import JsonRpcServerNotInitialized
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.uris import to_fs_path

from portlint._version import __version__
from portlint.settings.resolve import SETTINGS_FILES
from portlint.integrations import lsp_actions as actions
from portlint.integrations import lsp_worker as worker
from portlint.integrations.lsp_positions import Text

#: Quiet time after a change before linting; the lint itself adds a few milliseconds (see README).
DEBOUNCE_SECONDS = 0.2


class Protocol(LanguageServerProtocol):
    """pygls's protocol, with LSP's rule that nothing but ``initialize`` is served before it."""

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
        self.docs: dict[str, tuple[int, str]] = {}  # uri -> (version, text) of every open document
        self.pending: dict[str, asyncio.Task] = {}
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

def _to_lsp(snapshot: Snapshot, d) -> types.Diagnostic:
    return types.Diagnostic(
        range=snapshot.text.range((d.row, d.column), (d.end_row, d.end_column)),
        message=d.message,
        severity=types.DiagnosticSeverity.Error if d.severity == "error" else types.DiagnosticSeverity.Warning,
        code=d.code, code_description=types.CodeDescription(href=d.url), source="portlint",
        data={"fix": d.fix_json(), "name": d.name, "noqa_row": d.noqa_row, "version": snapshot.version})


async def _lint(uri: str, delay: float) -> None:
    if delay:
        await asyncio.sleep(delay)
    doc = STATE.docs.get(uri)
    path = _path(uri)
    if doc is None or not _is_config(path):
        return
    version, text = doc

    def still_wanted() -> bool:
        return STATE.docs.get(uri, (None,))[0] == version

    found = await STATE.worker.lint(path, text, still_wanted)
    if found is None or not still_wanted():
        return  # superseded or closed meanwhile: the latest version wins, a closed document gets nothing
    snapshot = Snapshot(uri, version, Text(text, _encoding()))
    if isinstance(found, str):
        _tell(found)
        diagnostics = [types.Diagnostic(range=types.Range(start=types.Position(line=0, character=0),
                                                          end=types.Position(line=0, character=0)),
                                        message=found, severity=types.DiagnosticSeverity.Error, source="portlint")]
    else:
        snapshot.found = found
        diagnostics = [_to_lsp(snapshot, d) for d in found]
    STATE.results[uri] = snapshot
    server.text_document_publish_diagnostics(
        types.PublishDiagnosticsParams(uri=uri, version=version, diagnostics=diagnostics))


def schedule(uri: str, delay: float) -> None:
    """(Re)start the lint of one document; a pending one for an older version is cancelled."""
    previous = STATE.pending.pop(uri, None)
    if previous is not None:
        previous.cancel()
    task = asyncio.ensure_future(_lint(uri, delay))
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
    doc = params.text_document
    STATE.docs[doc.uri] = (doc.version, doc.text)
    schedule(doc.uri, 0)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def did_change(params: types.DidChangeTextDocumentParams) -> None:
    uri = params.text_document.uri
    if uri not in STATE.docs:
        return
    text = STATE.docs[uri][1]
    for change in params.content_changes:
        if isinstance(change, types.TextDocumentContentChangePartial):  # we ask for full text; be kind anyway
            snapshot = Text(text, _encoding())
            text = text[:snapshot.offset(change.range.start)] + change.text + text[snapshot.offset(change.range.end):]
        else:
            text = change.text
    STATE.docs[uri] = (params.text_document.version, text)
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
    return snapshot if snapshot is not None and doc is not None and doc[0] == snapshot.version else None


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
            doc = rule.doc() if rule else d.message
            return types.Hover(contents=types.MarkupContent(
                kind=types.MarkupKind.Markdown,
                value=f"**{d.code} {d.name}**: {d.message}\n\n```text\n{doc}\n```\n\n[{d.code} documentation]({d.url})"),
                range=text.range((d.row, d.column), (d.end_row, d.end_column)))
    return None


def serve(stdin, stdout) -> int:
    """Serve until ``exit`` or the end of stdin; the exit code LSP asks for (0 after shutdown, else 1)."""
    import threading

    from pygls.io_ import StdoutWriter

    from portlint.integrations.lsp_io import serve as read_messages

    stop = threading.Event()
    server._stop_event = stop
    server.protocol.set_writer(StdoutWriter(stdout))
    try:
        asyncio.run(read_messages(server.protocol, stdin, stop))
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
