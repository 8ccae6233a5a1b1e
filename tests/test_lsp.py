"""The language server, driven over stdio by pytest-lsp: open, change, diagnostics, code actions,
hover, settings changes, close."""
import sys
from pathlib import Path

import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

BAD = ("const PORTS = {\n  API: 5570, // api\n};\n"
       "module.exports = { PORTS, apps: [{ name: 'a', env: { PORT: 5570, METRICS_PORT: PORTS.API } }] };\n")
GOOD = ("const PORTS = {\n  API: 5570, // api\n};\n"
        "module.exports = { PORTS, apps: [{ name: 'a', env: { PORT: PORTS.API } }] };\n")


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[sys.executable, "-m", "portlint.integrations.lsp"]))
async def client(lsp_client: LanguageClient, tmp_path_factory):
    root = tmp_path_factory.mktemp("workspace")
    lsp_client.root = root
    await lsp_client.initialize_session(types.InitializeParams(
        capabilities=types.ClientCapabilities(), root_uri=root.as_uri(),
        workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name="ws")]))
    yield
    await lsp_client.shutdown_session()


async def open_doc(client, name: str, text: str) -> str:
    path = Path(client.root) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    uri = path.as_uri()
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(uri=uri, language_id="javascript", version=1, text=text)))
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    return uri


async def change(client, uri: str, version: int, text: str, wait: bool = True) -> None:
    """Send the whole new text of a document (and wait for its diagnostics)."""
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
        content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)]))
    if wait:
        await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)


async def test_open_reports_diagnostics_with_zero_based_positions(client):
    uri = await open_doc(client, "ecosystem.config.cjs", BAD)
    found = {d.code: d for d in client.diagnostics[uri]}
    assert set(found) == {"PL401", "PL501"}
    literal = found["PL401"]
    assert literal.range.start == types.Position(line=3, character=59)  # row 4, column 60 in the CLI
    assert literal.range.end == types.Position(line=3, character=63)
    assert literal.severity == types.DiagnosticSeverity.Error and literal.source == "portlint"
    assert literal.code_description.href.endswith("#pl401")
    assert found["PL501"].severity == types.DiagnosticSeverity.Warning


async def test_change_is_debounced_and_relinted_then_close_clears(client):
    uri = await open_doc(client, "ecosystem.config.cjs", BAD)
    await change(client, uri, 2, BAD.replace("5570, M", "5570 , M"), wait=False)
    await change(client, uri, 3, GOOD)
    assert list(client.diagnostics[uri]) == []  # only the last version was linted
    await change(client, uri, 4, BAD)
    assert {d.code for d in client.diagnostics[uri]} == {"PL401", "PL501"}
    client.text_document_did_close(types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri)))
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    assert list(client.diagnostics[uri]) == []


async def test_code_actions_fix_fix_all_and_suppress(client):
    uri = await open_doc(client, "ecosystem.config.cjs", BAD)
    literal = next(d for d in client.diagnostics[uri] if d.code == "PL401")
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=literal.range,
        context=types.CodeActionContext(diagnostics=[literal])))
    titles = [a.title for a in actions]
    assert "Replace 5570 with PORTS.API (PL401)" in titles
    assert "Suppress PL401 on this line (noqa)" in titles
    assert any(a.kind == types.CodeActionKind.SourceFixAll for a in actions)
    quick = next(a for a in actions if a.title.startswith("Replace"))
    (edit,) = quick.edit.changes[uri]
    assert edit.new_text == "PORTS.API" and edit.range == literal.range
    # apply the quick fix the way an editor does, and the diagnostic goes away
    lines = BAD.splitlines(keepends=True)
    line = lines[3]
    lines[3] = line[:edit.range.start.character] + edit.new_text + line[edit.range.end.character:]
    fixed = "".join(lines)
    await change(client, uri, 2, fixed)
    assert [d.code for d in client.diagnostics[uri]] == ["PL501"]
    # suppress it
    warning = client.diagnostics[uri][0]
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=warning.range,
        context=types.CodeActionContext(diagnostics=[warning])))
    suppress = next(a for a in actions if a.title.startswith("Suppress"))
    (edit,) = suppress.edit.changes[uri]
    assert edit.new_text == "  // noqa: PL501"
    suppressed = fixed.splitlines()
    suppressed[3] += edit.new_text
    await change(client, uri, 3, "\n".join(suppressed) + "\n")
    assert list(client.diagnostics[uri]) == []


async def test_quick_fixes_are_offered_once_the_verifier_accepts_them(client):
    """Each quick fix goes through the fix verifier in the worker before it is offered: the plain
    literal's and the args array's (which rewrites the array item and, safe, adds no env key)."""
    text = ("const PORTS = {\n  API: 5570, // api\n  UI: 5571, // ui\n};\n"
            "module.exports = { PORTS, apps: [\n"
            "  { name: 'api', script: 'a.js', env: { PORT: 5570 } },\n"
            "  { name: 'ui', script: 'node_modules/.bin/vite', args: ['--port=5571'] },\n] };\n")
    uri = await open_doc(client, "ecosystem.config.cjs", text)
    literals = sorted((d for d in client.diagnostics[uri] if d.code == "PL401"), key=lambda d: d.range.start.line)
    assert len(literals) == 2 and all(d.data["fix"] for d in literals)
    offered = []
    for literal in literals:
        actions = await client.text_document_code_action_async(types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri), range=literal.range,
            context=types.CodeActionContext(diagnostics=[literal], only=[types.CodeActionKind.QuickFix])))
        offered.append(sorted(a.title for a in actions))
    assert offered == [["Replace 5570 with PORTS.API (PL401)", "Suppress PL401 on this line (noqa)"],
                       ["Replace 5571 with PORTS.UI (PL401)", "Suppress PL401 on this line (noqa)"]]


def test_the_worker_turns_down_a_quick_fix_the_verifier_refuses(tmp_path):
    """What the server asks its worker before offering a quick fix (lsp_actions.verify_fixes): a
    fix that would change a connection URL is refused with the reason, a right one accepted."""
    from portlint.engine.pipeline import Engine
    from portlint.integrations.lsp_actions import verify_fixes
    from portlint.plugins import load_registry
    from portlint.settings.settings import Settings

    text = ("const PORTS = {\n  API: 5570, // api\n};\n"
            "module.exports = { PORTS, apps: [\n"
            "  { name: 'api', script: 'a.js', env: { PORT: 5570, REDIS_URL: 'redis://localhost:6379' } },\n] };\n")
    path = str(tmp_path / "ecosystem.config.cjs")

    def replace(row, column, length, content):
        return {"applicability": "safe", "message": "forged", "edits": [
            {"content": content, "location": {"row": row, "column": column},
             "end_location": {"row": row, "column": column + length}}]}

    line = text.splitlines()[4]
    right = replace(5, line.index("5570") + 1, 4, "PORTS.API")
    wrong = replace(5, line.index("6379") + 1, 4, "5570")
    found = verify_fixes(Engine(Settings(), load_registry()), path, text, [right, wrong])
    assert found[0] is None
    assert found[1] is not None and "REDIS_URL" in found[1]


async def test_hover_shows_the_rule_documentation(client):
    uri = await open_doc(client, "ecosystem.config.cjs", BAD)
    literal = next(d for d in client.diagnostics[uri] if d.code == "PL401")
    result = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=literal.range.start))
    assert result is not None and "PL401 literal-port" in result.contents.value
    assert "Bad:" in result.contents.value
    nothing = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=0, character=0)))
    assert nothing is None


async def test_settings_change_relints_open_files(client):
    uri = await open_doc(client, "ecosystem.config.cjs", BAD)
    assert "PL501" in {d.code for d in client.diagnostics[uri]}
    settings = Path(client.root) / "portlint.toml"
    settings.write_text("extend-labels = [\"metrics\"]\n")
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[
        types.FileEvent(uri=settings.as_uri(), type=types.FileChangeType.Created)]))
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    assert {d.code for d in client.diagnostics[uri]} == {"PL401"}


async def test_other_files_are_left_alone(client):
    path = Path(client.root) / "server.js"
    path.write_text("const port = 3000;\n")
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(uri=path.as_uri(), language_id="javascript", version=1, text="x")))
    uri = await open_doc(client, "ecosystem.config.cjs", GOOD)
    assert client.diagnostics.get(path.as_uri()) is None
    assert list(client.diagnostics[uri]) == []


def test_without_pygls_the_entry_point_says_how_to_get_it():
    import subprocess

    code = ("import sys; sys.modules['pygls'] = None; sys.modules['pygls.lsp.server'] = None; "
            "from portlint.integrations.lsp_entry import main; main()")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert "pip install 'portlint[lsp]'" in proc.stderr and "Traceback" not in proc.stderr
