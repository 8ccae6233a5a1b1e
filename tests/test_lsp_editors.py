"""The language server as real editors drive it: each client declares its real capabilities (from
pytest-lsp's recordings), so each negotiates its own position encoding: Neovim 0.11 lists utf-8
first, Emacs 29 (eglot) utf-32, VS Code 1.65 none (utf-16). Non-ASCII text sits before every finding;
positions, hover, quick fixes, noqa and fix-all are checked by applying the edits as an editor does."""
import asyncio
import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from test_lsp import change
from test_lsp import open_doc as open_in

# (pytest-lsp recording, the name the editor gives in clientInfo, the encoding it must get)
EDITORS = {
    "neovim@v0.11.0": ("Neovim", "utf-8"),
    "emacs@v29.1": ("Emacs (eglot)", "utf-32"),
    "visual-studio-code@v1.65.2": ("Visual Studio Code", "utf-16"),
}

# The note before the literal mixes an emoji (4 UTF-8 bytes, 2 UTF-16 units, 1 code point), CJK
# (3 bytes, 1 unit) and a combining accent (a second code point); the header comment puts more above.
TEXT = ("// 🚀 gateway notes: 日本語, cafe\u0301 🚀🚀\n"
        "const PORTS = {\n  API: 5570, // api 🚀\n};\n"
        "module.exports = { PORTS, apps: [{ name: 'api', env: { NOTE: '日本語 🚀 e\u0301', PORT: 5570 } }] };\n")
FIXED = TEXT.replace("PORT: 5570", "PORT: PORTS.API")
LITERAL_LINE = 4  # 0-based, as LSP counts


def units(text: str, encoding: str) -> int:
    """How long ``text`` is in an encoding's code units (what an editor counts)."""
    if encoding == "utf-8":
        return len(text.encode("utf-8"))
    if encoding == "utf-16":
        return len(text.encode("utf-16-le")) // 2
    return len(text)


def index(line: str, character: int, encoding: str) -> int:
    """The Python index of an LSP character offset on one line."""
    for i in range(len(line) + 1):
        if units(line[:i], encoding) >= character:
            return i
    return len(line)


def apply(text: str, edits: list[types.TextEdit], encoding: str) -> str:
    """Apply TextEdits the way an editor does (last first)."""
    lines = text.split("\n")
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)

    def offset(p: types.Position) -> int:
        if p.line >= len(lines):
            return len(text)
        return starts[p.line] + index(lines[p.line], p.character, encoding)

    for e in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        text = text[:offset(e.range.start)] + e.new_text + text[offset(e.range.end):]
    return text


def edits_of(action: types.CodeAction, uri: str) -> tuple[int | None, list[types.TextEdit]]:
    """The version an action's edit was made for (None if unversioned) and its edits."""
    if action.edit.document_changes:
        (change,) = action.edit.document_changes
        assert change.text_document.uri == uri
        return change.text_document.version, list(change.edits)
    return None, list(action.edit.changes[uri])


SERVER = ClientServerConfig(server_command=[sys.executable, "-m", "portlint.integrations.lsp"])


async def start(spec: str, client: LanguageClient, root: Path) -> None:
    """Initialize a session the way the editor named by ``spec`` does."""
    name, encoding = EDITORS[spec]
    client.root = root
    client.registrations = []

    def register(client: LanguageClient, params: types.RegistrationParams) -> None:
        client.registrations.extend(params.registrations)

    client.feature(types.CLIENT_REGISTER_CAPABILITY)(register)
    result = await client.initialize_session(types.InitializeParams(
        capabilities=client_capabilities(spec), root_uri=root.as_uri(), client_info=types.ClientInfo(name=name),
        workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name="ws")]))
    client.encoding, client.spec = encoding, spec
    client.negotiated = result.capabilities.position_encoding


@pytest_lsp.fixture(params=list(EDITORS), config=SERVER)
async def editor(request, lsp_client: LanguageClient, tmp_path_factory):
    """One session per editor: for everything where positions matter."""
    await start(request.param, lsp_client, tmp_path_factory.mktemp("workspace"))
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=SERVER)
async def neovim(lsp_client: LanguageClient, tmp_path_factory):
    """A Neovim 0.11 session: for the protocol's timing (the same for every encoding)."""
    await start("neovim@v0.11.0", lsp_client, tmp_path_factory.mktemp("workspace"))
    yield
    await lsp_client.shutdown_session()


async def open_doc(client, text: str, name: str = "ecosystem.config.cjs") -> str:
    return await open_in(client, name, text)


async def code_actions(client, uri, diagnostics, only=None, rng=None):
    return await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=rng or diagnostics[0].range,
        context=types.CodeActionContext(diagnostics=diagnostics, only=only)))


def expected_range(encoding: str) -> types.Range:
    line = TEXT.split("\n")[LITERAL_LINE]
    start = units(line[:line.index("PORT: 5570") + len("PORT: ")], encoding)
    return types.Range(start=types.Position(line=LITERAL_LINE, character=start),
                       end=types.Position(line=LITERAL_LINE, character=start + 4))


async def test_positions_use_the_negotiated_encoding(editor):
    assert str(getattr(editor.negotiated, "value", editor.negotiated)) == editor.encoding
    uri = await open_doc(editor, TEXT)
    (literal,) = editor.diagnostics[uri]
    assert literal.code == "PL401"
    assert literal.range == expected_range(editor.encoding)
    # settings watchers are registered only where the client allows it (Neovim 0.11 does not)
    dynamic = client_capabilities(editor.spec).workspace.did_change_watched_files.dynamic_registration
    assert [r.method for r in editor.registrations] == (["workspace/didChangeWatchedFiles"] if dynamic else [])


async def test_hover_finds_the_finding_under_the_cursor(editor):
    uri = await open_doc(editor, TEXT)
    rng = expected_range(editor.encoding)
    for character in (rng.start.character, rng.start.character + 2, rng.end.character):
        result = await editor.text_document_hover_async(types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=LITERAL_LINE, character=character)))
        assert result is not None and "PL401 literal-port" in result.contents.value
        assert result.range == rng
    # on the note (non-ASCII, same line, before the literal): nothing
    note = TEXT.split("\n")[LITERAL_LINE].index("🚀")
    result = await editor.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        position=types.Position(line=LITERAL_LINE, character=units(TEXT.split("\n")[LITERAL_LINE][:note], editor.encoding))))
    assert result is None


async def test_quick_fix_replaces_the_literal_and_nothing_else(editor):
    uri = await open_doc(editor, TEXT)
    (literal,) = editor.diagnostics[uri]
    actions = await code_actions(editor, uri, [literal], only=[types.CodeActionKind.QuickFix])
    quick = next(a for a in actions if a.title == "Replace 5570 with PORTS.API (PL401)")
    version, edits = edits_of(quick, uri)
    assert version == 1  # all three declare (or, Neovim, honour) versioned document changes
    fixed = apply(TEXT, edits, editor.encoding)
    assert fixed == FIXED
    await change(editor, uri, 2, fixed)
    assert list(editor.diagnostics[uri]) == []


async def test_noqa_goes_at_the_end_of_the_line(editor):
    uri = await open_doc(editor, TEXT)
    (literal,) = editor.diagnostics[uri]
    actions = await code_actions(editor, uri, [literal])
    suppress = next(a for a in actions if a.title == "Suppress PL401 on this line (noqa)")
    _, edits = edits_of(suppress, uri)
    suppressed = apply(TEXT, edits, editor.encoding)
    lines = TEXT.split("\n")
    lines[LITERAL_LINE] += "  // noqa: PL401"
    assert suppressed == "\n".join(lines)
    await change(editor, uri, 2, suppressed)
    assert list(editor.diagnostics[uri]) == []


async def test_fix_all_answers_to_its_kind_and_its_parent(editor):
    uri = await open_doc(editor, TEXT)
    diagnostics = list(editor.diagnostics[uri])
    for only in (["source.fixAll"], [types.CodeActionKind.SourceFixAll], ["source"]):
        actions = await code_actions(editor, uri, diagnostics, only=only)
        assert [a.kind for a in actions] == [types.CodeActionKind.SourceFixAll], only
        version, edits = edits_of(actions[0], uri)
        assert version == 1 and apply(TEXT, edits, editor.encoding) == FIXED
    # a quick-fix-only request gets no fix-all; source.organizeImports gets nothing
    kinds = {a.kind for a in await code_actions(editor, uri, diagnostics, only=["quickfix"])}
    assert kinds == {types.CodeActionKind.QuickFix}
    assert not await code_actions(editor, uri, diagnostics, only=["source.organizeImports"])


async def test_a_fix_computed_for_an_old_version_says_so(editor):
    uri = await open_doc(editor, TEXT)
    (literal,) = editor.diagnostics[uri]
    actions = await code_actions(editor, uri, [literal])
    old = next(a for a in actions if a.kind == types.CodeActionKind.QuickFix)
    # the user inserts a line above; before the re-lint the old fix still names version 1
    await change(editor, uri, 2, "// moved\n" + TEXT, wait=False)
    assert edits_of(old, uri)[0] == 1
    # asked again before the re-lint, every edit still names version 1 (never version 2 with
    # version 1's positions): the editor refuses it rather than write `};PORTS.API`
    stale = await code_actions(editor, uri, [literal], only=[types.CodeActionKind.QuickFix])
    assert stale and {edits_of(a, uri)[0] for a in stale} == {1}
    await editor.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    (fresh,) = editor.diagnostics[uri]
    assert fresh.range.start.line == LITERAL_LINE + 1
    actions = await code_actions(editor, uri, [fresh], only=[types.CodeActionKind.QuickFix])
    version, edits = edits_of(actions[0], uri)
    assert version == 2 and apply("// moved\n" + TEXT, edits, editor.encoding) == "// moved\n" + FIXED


async def test_hover_on_an_unopened_document_is_null(neovim):
    path = Path(neovim.root) / "ecosystem.config.cjs"
    path.write_text(TEXT, encoding="utf-8")
    result = await neovim.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=path.as_uri()), position=types.Position(line=LITERAL_LINE, character=60)))
    assert result is None
    actions = await code_actions(neovim, path.as_uri(), [], rng=types.Range(
        start=types.Position(line=0, character=0), end=types.Position(line=0, character=0)))
    assert not actions


async def test_closing_cancels_the_pending_lint(neovim):
    uri = await open_doc(neovim, TEXT)
    assert len(neovim.diagnostics[uri]) == 1
    await change(neovim, uri, 2, TEXT + "\n", wait=False)  # a lint is now pending (debounce)
    neovim.text_document_did_close(types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri)))
    await neovim.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    assert list(neovim.diagnostics[uri]) == []
    await asyncio.sleep(1.0)  # well past the debounce: nothing more may arrive for the closed document
    assert list(neovim.diagnostics[uri]) == []


async def test_closing_while_a_long_lint_runs_publishes_nothing_after(neovim):
    big = big_config(1000)
    uri = await open_doc(neovim, TEXT, name="small/ecosystem.config.cjs")
    path = Path(neovim.root) / "ecosystem.config.cjs"
    path.write_text(big, encoding="utf-8")
    big_uri = path.as_uri()
    neovim.text_document_did_open(types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(uri=big_uri, language_id="javascript", version=1, text=big)))
    # while the big file is linted on the worker, hover on the small one is answered
    result = await neovim.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=expected_range(neovim.encoding).start))
    assert result is not None and big_uri not in neovim.diagnostics
    neovim.text_document_did_close(types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=big_uri)))
    await neovim.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    assert list(neovim.diagnostics[big_uri]) == []
    await asyncio.sleep(4.0)  # the lint finishes meanwhile; its result is dropped
    assert list(neovim.diagnostics[big_uri]) == []


def big_config(apps: int) -> str:
    """A large legacy config: many apps, each with a hard-coded port (slow to lint on purpose)."""
    body = ",\n".join(f"    {{ name: 'worker-{i}', script: 'worker.js', env: {{ PORT: {6000 + i}, NOTE: '🚀 {i}' }} }}"
                      for i in range(apps))
    return f"module.exports = {{\n  apps: [\n{body}\n  ]\n}};\n"


async def test_invalid_settings_give_one_clear_diagnostic(neovim):
    settings = Path(neovim.root) / "broken" / "portlint.toml"
    settings.parent.mkdir()
    settings.write_text("selekt = ['PL4']\n")
    uri = await open_doc(neovim, TEXT, name="broken/ecosystem.config.cjs")
    (problem,) = neovim.diagnostics[uri]
    assert str(settings) in problem.message and "selekt" in problem.message
    assert "Traceback" not in problem.message and problem.source == "portlint"
    assert [m.message for m in neovim.messages if "selekt" in m.message] == [f"portlint: {problem.message}"]
    # nothing else breaks: hover and code actions answer, and a file elsewhere is linted normally
    result = await neovim.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=0, character=0)))
    assert result is None
    assert not await code_actions(neovim, uri, [problem])
    other = await open_doc(neovim, TEXT, name="fine/ecosystem.config.cjs")
    assert [d.code for d in neovim.diagnostics[other]] == ["PL401"]
    # mend the settings and save: the file is linted with them
    settings.write_text("ignore = ['PL4']\n")
    neovim.text_document_did_save(types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=settings.as_uri())))
    await neovim.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    await asyncio.sleep(0.5)
    assert list(neovim.diagnostics[uri]) == []


def test_the_servers_own_folder_is_nobodys_settings(tmp_path, monkeypatch, registry):
    """An editor started in a folder with a broken portlint.toml: documents elsewhere still lint."""
    from portlint.engine.pipeline import Engine
    from portlint.integrations.lsp_worker import DocumentSettings

    (tmp_path / "portlint.toml").write_text("select = 5\n")
    project = tmp_path.parent / (tmp_path.name + "-project")
    project.mkdir()
    (project / "ecosystem.config.cjs").write_text(TEXT, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    engine = Engine(DocumentSettings(), registry)
    _, found = engine.lint_file(str(project / "ecosystem.config.cjs"), TEXT)
    assert [d.code for d in found] == ["PL401"]


async def test_malformed_requests_get_answers_not_tracebacks(neovim):
    uri = await open_doc(neovim, TEXT)
    (literal,) = neovim.diagnostics[uri]
    forged = types.Diagnostic(range=literal.range, message="x", source="portlint", code="PL401",
                              data={"fix": {"edits": "nonsense"}, "noqa_row": "x", "version": 1})
    assert not await code_actions(neovim, uri, [forged], only=[types.CodeActionKind.QuickFix])
    far = types.Position(line=10_000, character=10_000)
    assert await neovim.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=far)) is None
    assert not [m for m in neovim.log_messages if "Traceback" in m.message]
