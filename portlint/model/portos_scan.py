"""PortOS's ecosystem-file detector, modelled in Python: from a config's text, the processes and
``{label: port}`` that PortOS's apps list will show.

PortOS never runs an ecosystem file; it scans the text with patterns (``parseEcosystemConfig`` in
PortOS's ``server/services/streamingDetect.js``). This module re-implements that algorithm from a
reading of it, quirk for quirk, so portlint can preview the apps list. Its steps, numbered as the
messages and the README cite them:

1. constants: ``const|let|var NAME = <digits>`` where NAME contains ``PORT`` (anywhere in the file,
   comments included; later wins);
2. the first ``const|let|var PORTS = {``: raw brace counting (strings and comments are not
   skipped); every ``word: <digits>`` inside gives ``PORTS.word``; ``key: { ... }`` up to the first
   ``}`` gives ``PORTS.key.sub`` and the object ``PORTS.key``;
3. apps: every ``{ name: '...'`` (or ``"``) anywhere in the text, its end found by a brace matcher
   that skips strings, template literals and comments;
4. per app, a ``ports: { label: <digits> }`` object wins outright;
5. else ``ports: PORTS.key`` naming a nested PORTS object;
6. else the ``env``, ``env_development``, ``env_production`` blocks, in that order (later wins):
   keys ``PORT`` / ``FOO_PORT`` (quotes allowed), the value up to the next ``,``, ``}`` or newline,
   read if it is digits, ends in ``|| N`` / ``|| 'N'``, or is exactly a known constant;
7. labels: ``CDP_PORT`` cdp; ``PORT`` ui (``-ui``/``-client`` names), health (``-browser`` with a
   cdp port) or api; ``VITE_PORT`` ui; other ``FOO_BAR_PORT`` fooBar unless that label is set;
8. only when nothing was found: ``args: '... --port N'`` (a quoted string) gives ui;
9. then, still only when nothing was found, the first ``port: N`` in the block gives api;
10. a process mentions Vite (``vite`` as a word, or ``VITE_PORT``);
11. if any process has an api port, each Vite process's ui label becomes ``devUi``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field


def _digits(text: str) -> int:
    """JavaScript's parseInt of a run of digits, for the numbers PortOS reads: a run longer than any
    port stays a huge number (never Python's refusal of very long digit strings)."""
    return int(text) if len(text) <= 300 else 10 ** 300

_A = re.ASCII
#: PortOS's `(\w*PORT\w*)` is, before `\s*=`, the whole word; matching the word and then looking for
#: PORT in it finds the same constants without the quadratic backtracking on a long word.
_CONSTANT = re.compile(r"(?:const|let|var)\s+(\w+)\s*=\s*([0-9]+)", _A)
_PORTS_START = re.compile(r"(?:const|let|var)\s+PORTS\s*=\s*\{", _A)
_ENTRY = re.compile(r"(?<!\w)(\w+)\s*:\s*([0-9]+)", _A)  # (?<!\w): never quadratic in a long word
_NESTED = re.compile(r"(?<!\w)(\w+)\s*:\s*\{([^}]+)\}", _A)
_APP = re.compile(r"\{\s*name\s*:\s*['\"]([^'\"]+)['\"]", _A)
_PORTS_OBJECT = re.compile(r"\bports\s*:\s*\{([^}]+)\}", _A)
_PORTS_REF = re.compile(r"\bports\s*:\s*([\w.]+)", _A)
_ENV_HEADER = re.compile(r"\b(env|env_development|env_production)\s*:\s*\{", _A)
#: The env keys PortOS reads (upper case only): PORT and FOO_PORT.
ENV_PORT_KEY = re.compile(r"PORT|[A-Z][A-Z0-9_]*_PORT")
_ENV_ENTRY = re.compile(r"['\"]?\b(" + ENV_PORT_KEY.pattern + r")\b['\"]?\s*:\s*([^,}\n]+)", _A)
_FALLBACK = re.compile(r"\|\|\s*['\"]?([0-9]+)['\"]?\s*$")
_ARGS_PORT = re.compile(r"args\s*:\s*['\"][^'\"]*--port\s+([0-9]+)", _A)
_PORT_FIELD = re.compile(r"\bport\s*:\s*([0-9]+)", _A)
_VITE = re.compile(r"\bvite\b", re.ASCII | re.IGNORECASE)
_UI_NAME = re.compile(r"[-_](ui|client)\Z", re.IGNORECASE)
_BROWSER_NAME = re.compile(r"[-_]browser\Z", re.IGNORECASE)
ENV_BLOCKS = ("env", "env_development", "env_production")


@dataclass
class EnvRead:
    """One ``KEY: value`` the env scan met: the text PortOS took as the value and what it made of it."""

    block: str
    key: str
    text: str
    port: int | None


@dataclass
class ScannedApp:
    """One process of PortOS's apps list, with where its block is in the text."""

    name: str
    start: int  # offset of the ``{`` that opened it
    end: int  # offset of its matching ``}`` (== start when PortOS found none)
    ports: dict[str, int] = field(default_factory=dict)  # label -> port, in PortOS's order
    stage: str = "none"  # ports | ports-ref | env | args | port | none: where the ports came from
    env_reads: list[EnvRead] = field(default_factory=list)
    uses_vite: bool = False
    cwd: str | None = None

    @property
    def port(self) -> int | None:
        """PortOS's primary port: the first value in JavaScript's key order."""
        keys = js_key_order(self.ports)
        return self.ports[keys[0]] if keys else None


def js_key_order(obj: dict) -> list[str]:
    """A JavaScript object's own-key order: integer-like keys ascending, then insertion order."""
    ints = sorted((k for k in obj if k.isdigit() and len(k) <= 10 and str(int(k)) == k and int(k) < 2**32 - 1), key=int)
    return ints + [k for k in obj if k not in ints]


def camel_label(key: str) -> str:
    """PortOS's label for an env key ``FOO_BAR_PORT``: the stem, lower case, ``_x`` -> ``X``."""
    stem = re.sub(r"_?PORT\Z", "", key, count=1)
    return re.sub(r"_(\w)", lambda m: m.group(1).upper(), stem.lower(), flags=_A)


def env_label(key: str, process_name: str, has_cdp: bool) -> str:
    """The label step 7 gives a port found under env ``key``."""
    if key == "CDP_PORT":
        return "cdp"
    if key == "VITE_PORT":
        return "ui"
    if key == "PORT":
        if _UI_NAME.search(process_name):
            return "ui"
        return "health" if _BROWSER_NAME.search(process_name) and has_cdp else "api"
    return camel_label(key)


def uses_vite(block: str) -> bool:
    return bool(_VITE.search(block)) or "VITE_PORT" in block.upper()


def constants(text: str) -> dict[str, object]:
    """Steps 1-2: the names PortOS can resolve, to an int or (for nested PORTS) a dict."""
    found: dict[str, object] = {m.group(1): _digits(m.group(2)) for m in _CONSTANT.finditer(text) if "PORT" in m.group(1)}
    start = _PORTS_START.search(text)
    if start is None:
        return found
    open_at = start.end() - 1
    depth, end = 0, open_at
    for i in range(open_at, len(text)):
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                end = i
                break
    block = text[open_at:end + 1]
    for m in _ENTRY.finditer(block):
        found[f"PORTS.{m.group(1)}"] = _digits(m.group(2))
    for m in _NESTED.finditer(block):
        nested = {}
        for sub in _ENTRY.finditer(m.group(2)):
            found[f"PORTS.{m.group(1)}.{sub.group(1)}"] = nested[sub.group(1)] = _digits(sub.group(2))
        found[f"PORTS.{m.group(1)}"] = nested
    return found


def _escaped(text: str, i: int) -> bool:
    count = 0
    while i - 1 - count >= 0 and text[i - 1 - count] == "\\":
        count += 1
    return count % 2 == 1


_SIGNIFICANT = re.compile("[/\n*\"'`{}]")


def matching_brace(text: str, open_at: int) -> int:
    """Step 3's brace matcher: skips strings, template literals (opaque) and comments; -1 if none."""
    depth, quote, line_comment, block_comment = 0, None, False, False
    i, n = open_at, len(text)
    while i < n:
        significant = _SIGNIFICANT.search(text, i)  # every other character changes nothing below
        if significant is None:
            break
        i = significant.start()
        c = text[i]
        nxt = text[i + 1] if i + 1 < n else ""
        if quote is None and not block_comment and c == "/" and nxt == "/":
            line_comment = True
        elif line_comment and c == "\n":
            line_comment = False
        elif quote is None and not line_comment and c == "/" and nxt == "*":
            block_comment = True
        elif block_comment and c == "*" and nxt == "/":
            block_comment = False
            i += 1
        elif not (line_comment or block_comment):
            if c in "\"'`" and not _escaped(text, i):
                if quote is None:
                    quote = c
                elif c == quote:
                    quote = None
            if quote is None:
                if c == "{":
                    depth += 1
                elif c == "}":
                    depth -= 1
                    if depth == 0:
                        return i
        i += 1
    return -1


def read_env_value(raw: str, known: dict[str, object]) -> int | None:
    """Step 6's value reading; None when PortOS drops it (including 0 and nested PORTS objects,
    which it would keep as a non-number: portlint treats those as not listed)."""
    text = raw.strip()
    if re.fullmatch(r"[0-9]+", text):
        port = _digits(text)
    elif (m := _FALLBACK.search(text)) is not None:
        port = _digits(m.group(1))
    else:
        port = known.get(text)  # type: ignore[assignment]
    return port if isinstance(port, int) and port else None


def _scan_env(app: ScannedApp, block: str, known: dict[str, object]) -> dict[str, int]:
    headers = []
    for m in _ENV_HEADER.finditer(block):
        close = matching_brace(block, m.end() - 1)
        if close >= 0:
            headers.append((ENV_BLOCKS.index(m.group(1)), m.start(), m.group(1), block[m.end():close]))
    found: dict[str, int] = {}
    for _, _, name, content in sorted(headers, key=lambda h: h[:2]):
        for m in _ENV_ENTRY.finditer(content):
            port = read_env_value(m.group(2), known)
            app.env_reads.append(EnvRead(name, m.group(1), m.group(2).strip(), port))
            if port:
                found[m.group(1)] = port
    return found


def _label_env(app: ScannedApp, found: dict[str, int]) -> None:
    ports = app.ports
    if "CDP_PORT" in found:
        ports["cdp"] = found["CDP_PORT"]
    if "PORT" in found:
        ports[env_label("PORT", app.name, "cdp" in ports)] = found["PORT"]
    if "VITE_PORT" in found:
        ports["ui"] = found["VITE_PORT"]
    for key, port in found.items():
        if key in ("PORT", "VITE_PORT", "CDP_PORT"):
            continue
        label = camel_label(key)
        if label and label not in ports:
            ports[label] = port


def _scan_app(app: ScannedApp, block: str, known: dict[str, object]) -> None:
    m = _PORTS_OBJECT.search(block)
    if m is not None:
        for entry in _ENTRY.finditer(m.group(1)):
            app.ports[entry.group(1)] = _digits(entry.group(2))
        app.stage = "ports" if app.ports else app.stage
    if not app.ports and (m := _PORTS_REF.search(block)) is not None:
        resolved = known.get(m.group(1))
        if isinstance(resolved, dict) and resolved:
            app.ports.update(resolved)
            app.stage = "ports-ref"
    if app.ports:
        return
    _label_env(app, _scan_env(app, block, known))
    if app.ports:
        app.stage = "env"
        return
    if (m := _ARGS_PORT.search(block)) is not None:
        app.ports["ui"], app.stage = _digits(m.group(1)), "args"
    elif (m := _PORT_FIELD.search(block)) is not None:
        app.ports["api"], app.stage = _digits(m.group(1)), "port"


def scan(text: str) -> list[ScannedApp]:
    """Every process PortOS lists for this ecosystem file text, in its order."""
    known = constants(text)
    apps: list[ScannedApp] = []
    for m in _APP.finditer(text):
        end = matching_brace(text, m.start())
        end = m.start() if end < 0 else end
        block = text[m.start():end + 1]
        cwd = re.search(r"cwd\s*:\s*['\"]([^'\"]+)['\"]", block)
        app = ScannedApp(m.group(1), m.start(), end, uses_vite=uses_vite(block), cwd=cwd.group(1) if cwd else None)
        _scan_app(app, block, known)
        apps.append(app)
    if any(app.ports.get("api") for app in apps):
        for app in apps:
            if app.uses_vite and app.ports.get("ui") and not app.ports.get("devUi"):
                app.ports["devUi"] = app.ports.pop("ui")
    return apps
