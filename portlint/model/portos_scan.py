"""PortOS's ecosystem-file detector, modelled in Python: from a config's text, the processes and
``{label: port}`` that PortOS's apps list will show, and where each label came from.

PortOS never runs an ecosystem file; it scans the text with patterns (``parseEcosystemConfig`` in
PortOS's ``server/services/streamingDetect.js``). This module re-implements that algorithm from a
reading of it, quirk for quirk (JavaScript's ``\\s``, ``trim()``, ``/i``, object key order and
``__proto__`` included), so portlint can preview the apps list. It is the one model of that scan:
PL501/PL502, the port map, its HTML page and ``--explain`` read it; nothing else re-derives it.
Its steps, numbered as the messages and the README cite them (``STEPS``):
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

#: The detector's steps, in its order; PL502's messages cite them by number ("(step 6)").
STEPS = (
    "constants: `const|let|var NAME = <digits>` where NAME contains `PORT` (anywhere in the file, "
    "comments included; a later one wins)",
    "the first `const|let|var PORTS = {`: raw brace counting (strings and comments are not skipped); every "
    "`word: <digits>` inside gives `PORTS.word`; `key: { ... }` up to the first `}` gives `PORTS.key.sub`, "
    "`PORTS.sub` and the object `PORTS.key`",
    "apps: every `{ name: '...'` (or `\"`) anywhere in the text, its end found by a brace matcher that skips "
    "strings, template literals and comments",
    "per app, a `ports: { label: <digits> }` object wins outright (labels as written)",
    "else `ports: PORTS.key` naming a nested PORTS object",
    "else the `env`, `env_development`, `env_production` blocks, in that order (a later value wins): keys "
    "`PORT` / `FOO_PORT` (quotes allowed), the value up to the next `,`, `}` or newline, read if it is digits, "
    "ends in `|| N` / `|| 'N'`, or is exactly a constant it knows",
    "labels: `CDP_PORT` cdp; `PORT` ui (`-ui`/`-client` names), health (`-browser` with a cdp port) or api; "
    "`VITE_PORT` ui; every other `FOO_BAR_PORT` fooBar unless that label is set",
    "only when nothing was found: `args: '... --port N'` (a quoted string) gives ui",
    "then, still only when nothing was found, the first `port: N` in the block gives api",
    "a process is Vite when its block has the word `vite` or `VITE_PORT`",
    "if any process of the file has an api port, each Vite process's ui label becomes `devUi`",
)
__doc__ += "".join(f"\n{n}. {step}" for n, step in enumerate(STEPS, 1)) + "\n"


def _digits(text: str) -> int:
    """JavaScript's parseInt of a run of digits, for the numbers PortOS reads: a run longer than any
    port stays a huge number (never Python's refusal of very long digit strings)."""
    return int(text) if len(text) <= 300 else 10 ** 300


#: JavaScript's ``\s`` (and what ``String.prototype.trim`` removes): Python's differs outside ASCII.
JS_SPACE = "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a" \
           "\u2028\u2029\u202f\u205f\u3000\ufeff"
_S = "[" + JS_SPACE + "]"


def _js(pattern: str, flags: int = 0) -> re.Pattern:
    """A pattern written with JavaScript's meaning of ``\\s``, ``\\w``, ``\\d``, ``\\b`` (ASCII, but
    ``\\s`` with JavaScript's Unicode spaces) and of ``/i`` (ASCII case folding only)."""
    return re.compile(pattern.replace(r"\s", _S), re.ASCII | flags)


#: PortOS's `(\w*PORT\w*)` is, before `\s*=`, the whole word; matching the word and then looking for
#: PORT in it finds the same constants without the quadratic backtracking on a long word.
_CONSTANT = _js(r"(?:const|let|var)\s+(\w+)\s*=\s*([0-9]+)")
_PORTS_START = _js(r"(?:const|let|var)\s+PORTS\s*=\s*\{")
_ENTRY = _js(r"(?<!\w)(\w+)\s*:\s*([0-9]+)")  # (?<!\w): never quadratic in a long word
_NESTED = _js(r"(?<!\w)(\w+)\s*:\s*\{([^}]+)\}")
_APP = _js(r"\{\s*name\s*:\s*['\"]([^'\"]+)['\"]")
_PORTS_OBJECT = _js(r"\bports\s*:\s*\{([^}]+)\}")
_PORTS_REF = _js(r"\bports\s*:\s*([\w.]+)")
_ENV_HEADER = _js(r"\b(env|env_development|env_production)\s*:\s*\{")
#: The env keys PortOS reads (upper case only): PORT and FOO_PORT.
ENV_PORT_KEY = re.compile(r"PORT|[A-Z][A-Z0-9_]*_PORT")
_ENV_ENTRY = _js(r"['\"]?\b(" + ENV_PORT_KEY.pattern + r")\b['\"]?\s*:\s*([^,}\n]+)")
_FALLBACK = _js(r"\|\|\s*['\"]?([0-9]+)['\"]?\s*\Z")
_ARGS_PORT = _js(r"args\s*:\s*['\"][^'\"]*--port\s+([0-9]+)")
_PORT_FIELD = _js(r"\bport\s*:\s*([0-9]+)")
_CWD = _js(r"cwd\s*:\s*['\"]([^'\"]+)['\"]")
_VITE = _js(r"\bvite\b", re.IGNORECASE)
_VITE_PORT = _js(r"VITE_PORT", re.IGNORECASE)
_UI_NAME = _js(r"[-_](ui|client)\Z", re.IGNORECASE)
_BROWSER_NAME = _js(r"[-_]browser\Z", re.IGNORECASE)
ENV_BLOCKS = ("env", "env_development", "env_production")
#: What a bare name resolves to in PortOS's constants object that is not its own: the members
#: every JavaScript object inherits (``PORT: constructor`` reads a function).
_INHERITED = frozenset({"constructor", "toString", "toLocaleString", "valueOf", "hasOwnProperty", "isPrototypeOf",
                        "propertyIsEnumerable", "__proto__", "__defineGetter__", "__defineSetter__",
                        "__lookupGetter__", "__lookupSetter__"})


class Opaque:
    """A value PortOS keeps under a label that is not a number (a nested PORTS object, an inherited
    function): it takes the label's place in its algorithm, but the apps list shows no port for it,
    so portlint counts it as not listed."""

    def __repr__(self) -> str:
        return "<not a number>"


OPAQUE = Opaque()


def _truthy(value) -> bool:
    return value is OPAQUE or bool(value)


@dataclass(frozen=True)
class Origin:
    """Where PortOS took a label's value: its step, the key it read and, for env, the block that won."""

    stage: str  # ports | ports-ref | env | args | port
    key: str  # the ports-object key, the env key, '--port', 'port', or the PORTS reference of ports-ref
    block: str | None = None  # env, env_development or env_production (stage env)


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
    #: label -> what PortOS holds under it, in the order it set them (an int, or OPAQUE)
    slots: dict[str, object] = field(default_factory=dict)
    origins: dict[str, Origin] = field(default_factory=dict)
    stage: str = "none"  # ports | ports-ref | env | args | port | none: where the ports came from
    env_reads: list[EnvRead] = field(default_factory=list)
    uses_vite: bool = False
    cwd: str | None = None

    @property
    def ports(self) -> dict[str, int]:
        """The ``{label: port}`` the apps list shows, in JavaScript's key order (a label holding no
        number, or 0, is left out)."""
        return {k: self.slots[k] for k in js_key_order(self.slots)
                if isinstance(self.slots[k], int) and self.slots[k]}

    @property
    def port(self) -> int | None:
        """PortOS's primary port: the first value in JavaScript's key order (None when that is no number)."""
        keys = js_key_order(self.slots)
        first = self.slots[keys[0]] if keys else None
        return first if isinstance(first, int) and first else None

    def labels_of(self, port: int) -> list[str]:
        """The labels under which this app lists ``port``, in its order."""
        return [label for label, value in self.ports.items() if value == port]

    def _set(self, label: str, value, origin: Origin) -> None:
        if label == "__proto__":
            return  # `obj.__proto__ = 5570` sets no property in JavaScript
        self.slots[label] = value
        self.origins[label] = origin


def js_key_order(obj: dict) -> list[str]:
    """A JavaScript object's own-key order: integer-like keys ascending, then insertion order."""
    ints = sorted((k for k in obj if _array_index(k)), key=int)
    return ints + [k for k in obj if not _array_index(k)]


def _array_index(key: str) -> bool:
    return key.isascii() and key.isdigit() and len(key) <= 10 and str(int(key)) == key and int(key) < 2**32 - 1


def camel_label(key: str) -> str:
    """PortOS's label for an env key ``FOO_BAR_PORT``: the stem, lower case, ``_x`` -> ``X``."""
    stem = re.sub(r"_?PORT\Z", "", key, count=1)
    return re.sub(r"_(\w)", lambda m: m.group(1).upper(), stem.lower(), flags=re.ASCII)


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


#: The labels steps 8 and 9 give: a quoted ``--port N`` in args, and a ``port: N`` field.
ARGS_LABEL, PORT_FIELD_LABEL = "ui", "api"


def dev_ui_label(label: str, is_vite: bool, file_has_api: bool) -> str:
    """Step 11: a Vite process's ``ui`` is ``devUi`` when some process of the file has an api port."""
    return "devUi" if label == "ui" and is_vite and file_has_api else label


def file_has_api(apps) -> bool:
    """Step 11's condition: some process of the file holds something (JavaScript-truthy) under ``api``."""
    return any(_truthy(app.slots.get("api")) for app in apps)


def uses_vite(block: str) -> bool:
    """Step 10: the process's text has the word ``vite`` or ``VITE_PORT`` (any case)."""
    return bool(_VITE.search(block) or _VITE_PORT.search(block))


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
            found[f"PORTS.{m.group(1)}.{sub.group(1)}"] = _digits(sub.group(2))
            if sub.group(1) != "__proto__":
                nested[sub.group(1)] = _digits(sub.group(2))
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


def resolve_env_value(raw: str, known: dict[str, object]):
    """Step 6's value reading as PortOS does it: an int, OPAQUE (a name it knows that is not a
    number), or None when it drops the value (0 included: it is falsy)."""
    text = raw.strip(JS_SPACE)
    if re.fullmatch(r"[0-9]+", text):
        value = _digits(text)
    elif (m := _FALLBACK.search(text)) is not None:
        value = _digits(m.group(1))
    elif text in known:
        value = known[text]
        value = value if isinstance(value, int) else OPAQUE
    else:
        value = OPAQUE if text in _INHERITED else None
    return value if _truthy(value) else None


def read_env_value(raw: str, known: dict[str, object]) -> int | None:
    """The port step 6 reads from a value; None when PortOS drops it or keeps something that is no
    number (a nested PORTS object: portlint counts that as not listed)."""
    value = resolve_env_value(raw, known)
    return value if isinstance(value, int) else None


def _scan_env(app: ScannedApp, block: str, known: dict[str, object]) -> dict[str, tuple[object, str]]:
    headers = []
    for m in _ENV_HEADER.finditer(block):
        close = matching_brace(block, m.end() - 1)
        if close >= 0:
            headers.append((ENV_BLOCKS.index(m.group(1)), m.start(), m.group(1), block[m.end():close]))
    found: dict[str, tuple[object, str]] = {}  # key -> (value, block it came from); a later block wins
    for _, _, name, content in sorted(headers, key=lambda h: h[:2]):
        for m in _ENV_ENTRY.finditer(content):
            value = resolve_env_value(m.group(2), known)
            app.env_reads.append(EnvRead(name, m.group(1), m.group(2).strip(JS_SPACE),
                                         value if isinstance(value, int) else None))
            if value is not None:
                found[m.group(1)] = (value, name)
    return found


def _label_env(app: ScannedApp, found: dict[str, tuple[object, str]]) -> None:
    def put(label: str, key: str) -> None:
        value, block = found[key]
        app._set(label, value, Origin("env", key, block))

    if "CDP_PORT" in found:
        put("cdp", "CDP_PORT")
    if "PORT" in found:
        put(env_label("PORT", app.name, "cdp" in app.slots), "PORT")
    if "VITE_PORT" in found:
        put("ui", "VITE_PORT")
    for key in found:
        if key in ("PORT", "VITE_PORT", "CDP_PORT"):
            continue
        label = camel_label(key)
        if label and label not in app.slots:
            put(label, key)


def _scan_app(app: ScannedApp, block: str, known: dict[str, object]) -> None:
    m = _PORTS_OBJECT.search(block)
    if m is not None:
        for entry in _ENTRY.finditer(m.group(1)):
            app._set(entry.group(1), _digits(entry.group(2)), Origin("ports", entry.group(1)))
        app.stage = "ports" if app.slots else app.stage
    if not app.slots and (m := _PORTS_REF.search(block)) is not None:
        resolved = known.get(m.group(1))
        if isinstance(resolved, dict):
            for label, value in resolved.items():
                app._set(label, value, Origin("ports-ref", m.group(1)))
            app.stage = "ports-ref" if app.slots else app.stage
    if app.slots:
        return
    _label_env(app, _scan_env(app, block, known))
    if app.slots:
        app.stage = "env"
        return
    if (m := _ARGS_PORT.search(block)) is not None:
        app._set(ARGS_LABEL, _digits(m.group(1)), Origin("args", "--port"))
        app.stage = "args"
    elif (m := _PORT_FIELD.search(block)) is not None:
        app._set(PORT_FIELD_LABEL, _digits(m.group(1)), Origin("port", "port"))
        app.stage = "port"


@dataclass(frozen=True)
class Scan:
    """What the detector makes of one file: its apps, and the constants it resolved (steps 1-2)."""

    apps: tuple[ScannedApp, ...]
    constants: dict[str, object]


def scan(text: str) -> list[ScannedApp]:
    """Every process PortOS lists for this ecosystem file text, in its order."""
    return list(scan_file(text).apps)


def scan_file(text: str) -> Scan:
    """The whole scan of one file's text: apps and constants."""
    known = constants(text)
    apps: list[ScannedApp] = []
    for m in _APP.finditer(text):
        end = matching_brace(text, m.start())
        end = m.start() if end < 0 else end
        block = text[m.start():end + 1]
        cwd = _CWD.search(block)
        app = ScannedApp(m.group(1), m.start(), end, uses_vite=uses_vite(block), cwd=cwd.group(1) if cwd else None)
        _scan_app(app, block, known)
        apps.append(app)
    has_api = file_has_api(apps)
    for app in apps:
        if _truthy(app.slots.get("ui")) and not _truthy(app.slots.get("devUi")) \
                and dev_ui_label("ui", app.uses_vite, has_api) == "devUi":
            origin = app.origins.pop("ui")
            app._set("devUi", app.slots.pop("ui"), origin)
    return Scan(tuple(apps), known)
