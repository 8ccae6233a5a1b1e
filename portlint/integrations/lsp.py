"""portlint as a language server (LSP over stdio, pygls 2): ``portlint-lsp`` or ``python -m portlint.lsp``.

Diagnostics on open, change (debounced) and save, with the CLI's settings resolution; quick
fixes, "fix all" and "suppress with noqa" code actions; the rule's documentation on hover.
"""
from __future__ import annotations

import asyncio
import os

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from portlint._version import __version__
from portlint.settings.resolve import SETTINGS_FILES

DEBOUNCE_SECONDS = 0.3

server = LanguageServer("portlint", __version__)


class State:
    def __init__(self) -> None:
        self.pending: dict[str, asyncio.Task] = {}
        self._engine = None
        self.last: dict[str, list] = {}  # uri -> portlint Diagnostics last published

    def engine(self):
        if self._engine is None:
            from portlint.engine.pipeline import Engine
            from portlint.plugins import load_registry
            from portlint.settings.settings import SettingsResolver

            self._engine = Engine(SettingsResolver(), load_registry())
        return self._engine

    def reset(self) -> None:
        """Settings changed: find them again for every file."""
        self._engine = None


STATE = State()


def _path(uri: str) -> str | None:
    path = to_fs_path(uri)
    return path if path else None


def _is_config(path: str) -> bool:
    from portlint.source.discover import is_config_name

    return is_config_name(os.path.basename(path))


def _utf16(line: str, column: int) -> int:
    """A 1-based code-point column as LSP's 0-based UTF-16 character offset."""
    return len(line[:max(0, column - 1)].encode("utf-16-le")) // 2


def _position(lines: list[str], row: int, column: int) -> types.Position:
    line = lines[row - 1] if 0 < row <= len(lines) else ""
    return types.Position(line=max(0, row - 1), character=_utf16(line, column))


def _range(lines: list[str], start: tuple[int, int], end: tuple[int, int]) -> types.Range:
    return types.Range(start=_position(lines, *start), end=_position(lines, *end))


def lint(uri: str) -> None:
    document = server.workspace.get_text_document(uri)
    path = _path(uri)
    if path is None or not _is_config(path):
        return
    engine = STATE.engine()
    try:
        _, found = engine.lint_file(path, document.source)
    except Exception as exc:  # settings errors and the like: tell the user, keep serving
        server.window_show_message(types.ShowMessageParams(types.MessageType.Error, f"portlint: {exc}"))
        return
    STATE.last[uri] = found
    lines = document.source.splitlines() or [""]
    diagnostics = []
    for d in found:
        diagnostics.append(types.Diagnostic(
            range=_range(lines, (d.row, d.column), (d.end_row, d.end_column)),
            message=d.message,
            severity=types.DiagnosticSeverity.Error if d.severity == "error" else types.DiagnosticSeverity.Warning,
            code=d.code,
            code_description=types.CodeDescription(href=d.url),
            source="portlint",
            data={"fix": d.fix_json(), "name": d.name},
        ))
    server.text_document_publish_diagnostics(
        types.PublishDiagnosticsParams(uri=uri, version=document.version, diagnostics=diagnostics))


def relint_open_documents() -> None:
    for uri in list(server.workspace.text_documents):
        lint(uri)


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
def did_open(params: types.DidOpenTextDocumentParams) -> None:
    lint(params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
async def did_change(params: types.DidChangeTextDocumentParams) -> None:
    uri = params.text_document.uri
    previous = STATE.pending.pop(uri, None)
    if previous is not None:
        previous.cancel()

    async def later() -> None:
        await asyncio.sleep(DEBOUNCE_SECONDS)
        STATE.pending.pop(uri, None)
        lint(uri)

    STATE.pending[uri] = asyncio.ensure_future(later())


@server.feature(types.TEXT_DOCUMENT_DID_SAVE)
def did_save(params: types.DidSaveTextDocumentParams) -> None:
    path = _path(params.text_document.uri) or ""
    if os.path.basename(path) in SETTINGS_FILES:
        STATE.reset()
        relint_open_documents()
    else:
        lint(params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
def did_close(params: types.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    STATE.last.pop(uri, None)
    server.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))


@server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
def did_change_watched_files(params: types.DidChangeWatchedFilesParams) -> None:
    if any(os.path.basename(_path(change.uri) or "") in SETTINGS_FILES for change in params.changes):
        STATE.reset()
        relint_open_documents()


@server.feature(types.INITIALIZED)
def initialized(params: types.InitializedParams) -> None:
    """Ask the editor to tell us when a settings file changes (where it can)."""
    caps = server.client_capabilities
    workspace = getattr(caps, "workspace", None)
    watched = getattr(workspace, "did_change_watched_files", None)
    if not getattr(watched, "dynamic_registration", False):
        return  # it may still send workspace/didChangeWatchedFiles; saving a settings file works too
    try:
        server.client_register_capability(types.RegistrationParams(registrations=[types.Registration(
            id="portlint-settings", method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
            register_options=types.DidChangeWatchedFilesRegistrationOptions(watchers=[
                types.FileSystemWatcher(glob_pattern=f"**/{name}") for name in SETTINGS_FILES]))]))
    except Exception:
        pass


def _edits_of(fix: dict, lines: list[str]) -> list[types.TextEdit]:
    return [types.TextEdit(range=_range(lines, (e["location"]["row"], e["location"]["column"]),
                                        (e["end_location"]["row"], e["end_location"]["column"])),
                           new_text=e["content"]) for e in fix["edits"]]


@server.feature(types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(
    code_action_kinds=[types.CodeActionKind.QuickFix, types.CodeActionKind.SourceFixAll]))
def code_action(params: types.CodeActionParams) -> list[types.CodeAction]:
    uri = params.text_document.uri
    document = server.workspace.get_text_document(uri)
    lines = document.source.splitlines() or [""]
    actions: list[types.CodeAction] = []
    for diagnostic in params.context.diagnostics:
        if diagnostic.source != "portlint":
            continue
        data = diagnostic.data or {}
        fix = data.get("fix") if isinstance(data, dict) else None
        if fix:
            actions.append(types.CodeAction(
                title=f"{fix['message']} ({diagnostic.code})", kind=types.CodeActionKind.QuickFix,
                diagnostics=[diagnostic], is_preferred=fix["applicability"] == "safe",
                edit=types.WorkspaceEdit(changes={uri: _edits_of(fix, lines)})))
        actions.append(_suppress(uri, document, diagnostic))
    fixed = _fix_all(uri, document)
    if fixed is not None:
        actions.append(fixed)
    only = params.context.only
    if only:
        actions = [a for a in actions if any(str(a.kind).startswith(str(kind)) for kind in only)]
    return actions


def _suppress(uri: str, document, diagnostic: types.Diagnostic) -> types.CodeAction:
    """Append (or extend) a noqa comment on the reported line."""
    import re

    row = diagnostic.range.start.line
    lines = document.source.splitlines()
    line = lines[row] if row < len(lines) else ""
    marker = "#" if (_path(uri) or "").endswith((".yml", ".yaml")) else "//"
    existing = re.search(r"noqa:\s*([A-Za-z0-9, ]+)$", line)
    end = types.Position(line=row, character=len(line.encode("utf-16-le")) // 2)
    if existing:
        new_text, start = f", {diagnostic.code}", end
    else:
        new_text, start = f"  {marker} noqa: {diagnostic.code}", end
    return types.CodeAction(
        title=f"Suppress {diagnostic.code} on this line (noqa)", kind=types.CodeActionKind.QuickFix,
        diagnostics=[diagnostic],
        edit=types.WorkspaceEdit(changes={uri: [types.TextEdit(range=types.Range(start=start, end=end), new_text=new_text)]}))


def _fix_all(uri: str, document) -> types.CodeAction | None:
    path = _path(uri)
    if path is None or not _is_config(path):
        return None
    from portlint.fix.apply import fix_text

    outcome = fix_text(STATE.engine(), path, document.source, unsafe=False)
    if not outcome.changed:
        return None
    lines = document.source.splitlines(keepends=True)
    end = types.Position(line=len(lines), character=0)
    return types.CodeAction(
        title=f"Fix all auto-fixable portlint problems ({len(outcome.applied)})", kind=types.CodeActionKind.SourceFixAll,
        edit=types.WorkspaceEdit(changes={uri: [types.TextEdit(
            range=types.Range(start=types.Position(line=0, character=0), end=end), new_text=outcome.text)]}))


@server.feature(types.TEXT_DOCUMENT_HOVER)
def hover(params: types.HoverParams) -> types.Hover | None:
    uri = params.text_document.uri
    document = server.workspace.get_text_document(uri)
    lines = document.source.splitlines() or [""]
    pos = params.position
    engine = STATE.engine()
    for d in STATE.last.get(uri, []):
        r = _range(lines, (d.row, d.column), (d.end_row, d.end_column))
        after_start = (pos.line, pos.character) >= (r.start.line, r.start.character)
        before_end = (pos.line, pos.character) <= (r.end.line, r.end.character)
        if after_start and before_end:
            rule = engine.registry.rules.get(d.code)
            doc = rule.doc() if rule else d.message
            return types.Hover(contents=types.MarkupContent(
                kind=types.MarkupKind.Markdown,
                value=f"**{d.code} {d.name}**: {d.message}\n\n```text\n{doc}\n```\n\n[{d.code} documentation]({d.url})"),
                range=r)
    return None


def main() -> None:
    server.start_io()


if __name__ == "__main__":
    main()
