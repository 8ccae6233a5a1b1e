"""The language server's code actions: a rule's quick fix, "suppress with noqa" and "fix all",
each a WorkspaceEdit tied to the document version it was computed for. A quick fix is offered only
when it passes the fix verifier (``verify_fixes``, run in the worker); "fix all" is the text
``portlint.fix.run`` planned and verified, as ``--fix`` writes it."""
from __future__ import annotations

import re

from lsprotocol import types

from portlint.integrations.lsp_positions import Text

_NOQA = re.compile(r"noqa:\s*[A-Za-z0-9, ]+$")


def kind_value(kind) -> str:
    """'source.fixAll' for CodeActionKind.SourceFixAll or the plain string a client sent."""
    return str(getattr(kind, "value", kind))


def wanted(kind, only) -> bool:
    """Whether a code action of ``kind`` passes a client's ``context.only`` (a kind or a parent)."""
    if not only:
        return True
    mine = kind_value(kind)
    return any(mine == k or mine.startswith(k + ".") for k in map(kind_value, only))


def edit(uri: str, version: int, edits: list[types.TextEdit], versioned: bool) -> types.WorkspaceEdit:
    """A WorkspaceEdit; where the client supports it, one that names the version it was made for,
    so the editor refuses it once the document has changed."""
    if versioned:
        return types.WorkspaceEdit(document_changes=[types.TextDocumentEdit(
            text_document=types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version), edits=edits)])
    return types.WorkspaceEdit(changes={uri: edits})


def quick_fix(snapshot, diagnostic: types.Diagnostic, fix: dict, versioned: bool) -> types.CodeAction:
    text: Text = snapshot.text
    edits = [types.TextEdit(range=text.range((e["location"]["row"], e["location"]["column"]),
                                             (e["end_location"]["row"], e["end_location"]["column"])),
                            new_text=e["content"]) for e in fix["edits"]]
    return types.CodeAction(
        title=f"{fix['message']} ({diagnostic.code})", kind=types.CodeActionKind.QuickFix,
        diagnostics=[diagnostic], is_preferred=fix["applicability"] == "safe",
        edit=edit(snapshot.uri, snapshot.version, edits, versioned))


def suppress(snapshot, diagnostic: types.Diagnostic, noqa_row: int, yaml: bool, versioned: bool) -> types.CodeAction:
    """Append (or extend) a noqa comment at the end of the line the noqa applies to."""
    text: Text = snapshot.text
    line = text.position(text.offset_of(noqa_row, 1)).line
    end = text.line_end(line)
    marker = "#" if yaml else "//"
    existing = _NOQA.search(text.line_text(line))
    new_text = f", {diagnostic.code}" if existing else f"  {marker} noqa: {diagnostic.code}"
    return types.CodeAction(
        title=f"Suppress {diagnostic.code} on this line (noqa)", kind=types.CodeActionKind.QuickFix,
        diagnostics=[diagnostic],
        edit=edit(snapshot.uri, snapshot.version, [types.TextEdit(range=types.Range(start=end, end=end), new_text=new_text)],
                  versioned))


def fix_all(snapshot, fixed_text: str, count: int, versioned: bool) -> types.CodeAction:
    """Replace the whole document with its fixed text."""
    whole = types.Range(start=types.Position(line=0, character=0), end=snapshot.text.end)
    return types.CodeAction(
        title=f"Fix all auto-fixable portlint problems ({count})", kind=types.CodeActionKind.SourceFixAll,
        edit=edit(snapshot.uri, snapshot.version, [types.TextEdit(range=whole, new_text=fixed_text)], versioned))


def verify_fixes(engine, path: str, text: str, fixes: list) -> list:
    """In the worker: for each published fix (JSON form), None when the verifier accepts it on
    ``text``, else why not (the same checks as a pass of ``--fix``, see portlint.fix.run.verify_fix)."""
    from portlint.fix.data import Edit, Fix
    from portlint.fix.run import verify_fix
    from portlint.source.read import Source

    source = Source(path, text)
    found = []
    for fix in fixes:
        try:
            edits = tuple(Edit(source.offset(e["location"]["row"], e["location"]["column"]),
                               source.offset(e["end_location"]["row"], e["end_location"]["column"]), e["content"])
                          for e in fix["edits"])
            found.append(verify_fix(engine, path, text, Fix(fix["applicability"], fix["message"], edits)))
        except (KeyError, TypeError, ValueError) as exc:
            found.append(f"the fix cannot be read ({type(exc).__name__})")
    return found
