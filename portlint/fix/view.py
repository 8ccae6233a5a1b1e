"""What PM2 would see of a config, as plain data that the fix verifier compares before and after.

``plain`` turns an evaluated value into tuples and dicts that compare with ``==``:
``("num", 3000)``, ``("str", "x")``, ``("obj", {key: ...}, unknown_parts)``, ``("arr", [...], unknown_parts)``,
``("env", NAME, numeric)`` for ``process.env.NAME``, ``("env||", NAME, reads, op, default)``,
``("tpl", parts)`` for a string with unknown parts, ``("oneOf", options)`` and
``("unknown", reason, text)``. An unknown value is identified by the source text it came from: the
same text before and after is the same (untouched) expression; an unknown without a place can
never be judged and compares unequal to everything.

``pm2_view`` arranges the exports the way PM2 reads them: per app, its fields and, per environment
(``''`` for no ``--env``, ``production`` for ``env_production``...), the env PM2 merges:
``deploy.<name>.env`` < ``env`` < ``port`` (as PORT) < ``env_<name>``.
"""
from __future__ import annotations

import math

#: The most nodes one view holds; a bigger config is not compared (its fixes are refused).
MAX_NODES = 200_000


class TooBig(Exception):
    """The exports are too big (or too deep) to compare."""


class _Cannot:
    """The text of an unknown that has no place: equal to nothing, so it is never trusted."""

    __slots__ = ()

    def __eq__(self, other) -> bool:
        return False

    def __hash__(self) -> int:
        return id(self)

    def __repr__(self) -> str:
        return "?"


def plain(value, limit: int = MAX_NODES) -> tuple:
    """``value`` (an evaluator Value) as plain comparable data; raises TooBig beyond ``limit`` nodes."""
    return _Plain(limit).of(value, 0)


class _Plain:
    def __init__(self, limit: int):
        self.left = limit
        self.active: set[int] = set()

    def of(self, value, depth: int) -> tuple:
        from portlint.evaluator import values as v

        self.left -= 1
        if self.left < 0 or depth > 200:
            raise TooBig("the exports are too big to compare")
        if isinstance(value, v.Prim):
            return _primitive(value.value)
        if isinstance(value, v.Template):
            text = value.text()
            return ("str", text) if text is not None else ("tpl", self._parts(value.parts, depth))
        if id(value) in self.active:
            return ("unknown", "a value that contains itself", _Cannot())
        self.active.add(id(value))
        try:
            if isinstance(value, v.Obj):
                props = {key: self.of(prop.value, depth + 1) for key, prop in value.props.items()}
                return ("obj", props, tuple(self.of(u, depth + 1) for u in value.unknown_parts))
            if isinstance(value, v.Arr):
                return ("arr", [self.of(i, depth + 1) for i in value.items],
                        tuple(self.of(u, depth + 1) for u in value.unknown_parts))
            if isinstance(value, v.OneOf):
                return ("oneOf", tuple(self.of(o, depth + 1) for o in value.options))
            if isinstance(value, v.EnvDefault):
                return ("env||", value.env, value.reads, value.op, self.of(value.default, depth + 1))
        finally:
            self.active.discard(id(value))
        if isinstance(value, v.EnvVar):
            return ("env", value.name, value.numeric)
        if isinstance(value, v.Builtin):
            return ("builtin", value.name)
        if isinstance(value, v.Function):
            return ("function", _text(value))
        reason = getattr(value, "reason", type(value).__name__)
        return ("unknown", reason, _text(value))

    def _parts(self, parts, depth: int) -> tuple:
        """A template's parts with adjacent known text joined."""
        from portlint.evaluator import values as v

        out: list = []
        for part in parts:
            inner = self._parts(part.parts, depth + 1) if isinstance(part, v.Template) and part.text() is None \
                else (self.of(part, depth + 1),)
            for item in inner:
                if item[0] in ("str", "num", "bool", "null", "undefined") and out and out[-1][0] == "str":
                    out[-1] = ("str", out[-1][1] + _as_text(item))
                elif item[0] in ("num", "bool", "null", "undefined"):
                    out.append(("str", _as_text(item)))
                else:
                    out.append(item)
        return tuple(out)


def _primitive(value) -> tuple:
    from portlint.evaluator.values import UNDEFINED

    if value is UNDEFINED:
        return ("undefined",)
    if value is None:
        return ("null",)
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, (int, float)):
        if isinstance(value, float):
            if math.isnan(value):
                return ("num", "NaN")
            if math.isinf(value):
                return ("num", "Infinity" if value > 0 else "-Infinity")
            if value.is_integer():
                return ("num", int(value))
        return ("num", value)
    if isinstance(value, str):
        return ("str", value)
    return ("unknown", f"a {type(value).__name__}", _Cannot())


def _as_text(item: tuple) -> str:
    """A primitive as JavaScript turns it into a string."""
    kind = item[0]
    if kind == "str":
        return item[1]
    if kind == "num":
        from portlint.evaluator.semantics import to_js_string

        return item[1] if isinstance(item[1], str) else to_js_string(item[1])
    if kind == "bool":
        return "true" if item[1] else "false"
    return kind  # null, undefined


def _text(value):
    """What identifies an unknown value: the text where it is used and where it was written."""
    span, origin = getattr(value, "span", None), getattr(value, "origin", None)
    if span is None and origin is None:
        return _Cannot()
    return (span.text if span is not None else None, origin.text if origin is not None else None)


# --- the view -----------------------------------------------------------------------------------

def pm2_view(exports) -> dict:
    """{'apps': [{'fields': {...}, 'env': {environment: {...}} | None}], 'rest': plain | None}:
    the apps PM2 starts and everything else the file exports (``PORTS``, ``deploy``...)."""
    top = plain(exports)
    apps, rest = _apps(top)
    deploy = rest[1].get("deploy") if rest is not None and rest[0] == "obj" else None
    return {"apps": [_app(app, deploy) for app in apps], "rest": rest}


def _apps(top: tuple) -> tuple[list[tuple], tuple | None]:
    """The app objects of the exports (as the model finds them) and the exports without them."""
    if top[0] == "arr":
        return list(top[1]), ("arr", [], top[2])
    if top[0] != "obj":
        return [], top
    props = top[1]
    for key in ("apps", "pm2"):
        if key in props:
            listed = props[key]
            rest = {k: v for k, v in props.items() if k != key}
            if listed[0] == "arr":
                if listed[2]:  # apps added where the evaluator cannot follow: compared as they are
                    rest[f"{key} (the parts not known)"] = ("arr", [], listed[2])
                return list(listed[1]), ("obj", rest, top[2])
            if listed[0] == "obj":
                return [listed], ("obj", rest, top[2])
            return [], top
    if "script" in props or "name" in props:
        return [top], None
    return [], top


def _app(app: tuple, deploy: tuple | None) -> dict:
    if app[0] != "obj":
        return {"fields": {"": app}, "env": None}
    props = app[1]
    blocks = {k: v for k, v in props.items() if k == "env" or k.startswith("env_")}
    environments = _environments(props, blocks, deploy) if not app[2] else None
    if environments is None:
        return {"fields": dict(props), "env": None, "unknown": app[2]}
    return {"fields": {k: v for k, v in props.items() if k not in blocks}, "env": environments, "unknown": app[2]}


def _environments(props: dict, blocks: dict, deploy: tuple | None) -> dict | None:
    """Per environment, the env PM2 gives the process; None when an env block is not a known object."""
    if any(b[0] != "obj" or b[2] for b in blocks.values()):
        return None
    targets: dict[str, dict] = {}
    if deploy is not None and deploy[0] == "obj" and not deploy[2]:
        for name, target in deploy[1].items():
            env = target[1].get("env") if target[0] == "obj" else None
            if env is not None:
                if env[0] != "obj" or env[2]:
                    return None
                targets[name] = env[1]
    names = {""} | {k[len("env_"):] for k in blocks if k != "env"} | set(targets)
    out = {}
    for name in sorted(names):
        merged: dict = {}
        if name:
            merged.update(targets.get(name, {}))
        merged.update(blocks.get("env", ("obj", {}, ()))[1])
        if "port" in props:
            merged["PORT"] = props["port"]
        if name:
            merged.update(blocks.get(f"env_{name}", ("obj", {}, ()))[1])
        out[name] = {key: _as_env(value) for key, value in merged.items()}
    return out


def _as_env(value: tuple) -> tuple:
    """An env value as the process gets it: a string (``PORT: 5570`` and ``PORT: '5570'`` are one)."""
    if value[0] in ("num", "bool", "null"):
        return ("str", _as_text(value))
    if value[0] == "env||":
        return value[:4] + (_as_env(value[4]),)
    if value[0] == "oneOf":
        return ("oneOf", tuple(_as_env(o) for o in value[1]))
    return value


def app_name(app: dict) -> str | None:
    name = app["fields"].get("name")
    return name[1] if name is not None and name[0] == "str" else None


# --- showing a value in a message -----------------------------------------------------------------

def show(item, limit: int = 60) -> str:
    """A short JavaScript-like rendering of a plain value, for one line of a message."""
    text = _show(item)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _show(item) -> str:
    if item is None:
        return "nothing"
    kind = item[0]
    if kind == "str":
        return repr(item[1])
    if kind == "num":
        return str(item[1])
    if kind == "bool":
        return "true" if item[1] else "false"
    if kind in ("null", "undefined"):
        return kind
    if kind == "env":
        return f"process.env.{item[1]}"
    if kind == "env||":
        return f"{'process.env.' + item[1] if item[1] else item[2]} {item[3]} {_show(item[4])}"
    if kind == "tpl":
        return "`" + "".join(p[1] if p[0] == "str" else "${" + _show(p) + "}" for p in item[1]) + "`"
    if kind == "obj":
        return "{" + ", ".join(f"{k}: {_show(v)}" for k, v in list(item[1].items())[:4]) + (", ..." if len(item[1]) > 4 else "") + "}"
    if kind == "arr":
        return "[" + ", ".join(_show(v) for v in item[1][:4]) + (", ..." if len(item[1]) > 4 else "") + "]"
    if kind == "oneOf":
        return " or ".join(_show(o) for o in item[1])
    if kind == "unknown":
        return f"unknown ({item[1]})"
    return kind
