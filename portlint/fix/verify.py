"""The fix verifier: before anything is written or shown, a fixed text is evaluated again and what
PM2 would see (``view.pm2_view``) is compared with the original's, under the fix's promise.

- ``SAFE``: every value PM2 resolves, per app and per environment, is the same; a ``PORTS`` the
  file did not export before is left aside (PM2 does not read it).
- ``UNSAFE_EDIT`` (a rule's unsafe fix): the same, except that ``process.env.X || N`` may become
  ``N`` (the environment no longer overrides it) and an app's env may gain a key whose value is a
  port that app already has (``VITE_PORT`` beside ``--port``).
- ``Move(moves)`` (the renumbering plan): only the ports of the plan change, each old number to its
  one new number wherever a port is written (``PORT``/``*_PORT``, ``port``, ``ports``, ``--port``,
  ``--inspect``, a loopback URL, the exported ``PORTS``), so the uses of a port stay together; every
  other value, and every connection (a connection key such as ``DB_PORT`` or ``REDIS_URL``, a URL
  whose scheme is not http/https/ws/wss, a host that is not this machine), stays as it was.

An unknown value is trusted only where the fix left its text alone; a value the evaluator cannot
judge after the fix is a refusal, never a pass. ``broken`` returns the one line that says what the
fix would have broken, or None.
"""
from __future__ import annotations

import re

from portlint.fix.view import app_name, show
from portlint.model.args import port_digit_spans, port_numbers

_PORT_KEY = re.compile(r"(?i)^(?:PORT|[A-Za-z0-9_]*_PORT)$")
#: --port N, --port=N, --inspect[-brk]=[host:]N inside an args string.
_ARG_PORT = re.compile(r"(?:(?<=\s)|^)(?:--port(?:=|\s+)|--inspect(?:-brk)?=(?:\[[^\]\s]*\]:|[^\s:=]*:)?)(\d+)(?=\s|$)")
#: A loopback host and its port in a string, with the scheme if any.
_LOOPBACK = re.compile(r"(?i)(?:\b([a-z][a-z0-9+.-]*)://(?:[^\s/@]*@)?)?"
                       r"(?:localhost|127(?:\.\d{1,3}){3}|0\.0\.0\.0|\[::1?\]):(\d+)")
_LOOPBACK_END = re.compile(r"(?i)(?:\b([a-z][a-z0-9+.-]*)://(?:[^\s/@]*@)?)?"
                           r"(?:localhost|127(?:\.\d{1,3}){3}|0\.0\.0\.0|\[::1?\]):$")
#: Schemes of URLs a process of the run serves; any other scheme names a service it connects to.
_SERVED_SCHEMES = {None, "http", "https", "ws", "wss"}


class Promise:
    """What a fix promises to keep (the safe promise); subclasses loosen it where their fix may change things."""

    name = "safe"

    def expected(self, view: dict, is_connection) -> dict:
        """The view the fixed text must have."""
        return view

    def allows(self, before: tuple, after: tuple) -> bool:
        """An allowed change of one value that is not what ``expected`` says."""
        return False

    def allows_new_env_key(self, key: str, value: tuple, app_ports: set[int]) -> bool:
        return False


class _UnsafeEdit(Promise):
    name = "unsafe"

    def allows(self, before: tuple, after: tuple) -> bool:
        if before[0] == "env||" and after[0] != "env||":
            return _compare(before[4], before[4], after, self, "") is None
        if before[0] == "tpl" and after[0] == "str":
            return _defaults_text(before) == after[1]
        return False

    def allows_new_env_key(self, key: str, value: tuple, app_ports: set[int]) -> bool:
        return _port_of(value) in app_ports


SAFE = Promise()
UNSAFE_EDIT = _UnsafeEdit()


class Move(Promise):
    """The renumbering plan: ``moves`` maps each old port to its new one."""

    name = "unsafe"

    def __init__(self, moves: dict[int, int]):
        self.moves = dict(moves)

    def expected(self, view: dict, is_connection) -> dict:
        return map_ports(view, lambda p: self.moves.get(p, p), is_connection)


def broken(before: dict, after: dict, promise: Promise, is_connection=lambda key: False) -> str | None:
    """What the fix would break, comparing two ``pm2_view``s under ``promise``; None when it keeps it."""
    expected = promise.expected(before, is_connection)
    if len(before["apps"]) != len(after["apps"]):
        return f"the result has {len(after['apps'])} apps instead of {len(before['apps'])}"
    for i, (b, e, a) in enumerate(zip(before["apps"], expected["apps"], after["apps"])):
        where = f"apps[{i}]"
        found = _compare_app(where, b, e, a, promise, is_connection)
        if found:
            name = app_name(b)
            return found.replace(where, f"{where} ({name})", 1) if name and found.count(where) else found
    b, e, a = before["rest"], expected["rest"], after["rest"]
    if (b is None) != (a is None):
        return "the result changes the shape of the exported config"
    if b is not None and a is not None and b[0] == "obj" and a[0] == "obj" and "PORTS" in a[1]:
        # PM2 does not read PORTS: a new export, or a new entry, is left aside; a value another
        # config may read from it must not change
        a = ("obj", {k: v for k, v in a[1].items() if k != "PORTS"}, a[2])
        if "PORTS" in b[1]:
            e = ("obj", {k: v for k, v in e[1].items() if k != "PORTS"}, e[2])
            found = _compare_entries("exports.PORTS", b[1]["PORTS"], expected["rest"][1]["PORTS"],
                                     after["rest"][1]["PORTS"], promise)
            if found:
                return found
        b = ("obj", {k: v for k, v in b[1].items() if k != "PORTS"}, b[2])
    return _compare(b, e, a, promise, "exports") if b is not None else None


def _compare_entries(path: str, b: tuple, e: tuple, a: tuple, promise: Promise) -> str | None:
    """PORTS before and after: each entry keeps its value (new entries may be added)."""
    if e[0] == a[0] == "obj":
        for key in e[1]:
            if key not in a[1]:
                return f"the result drops {path}.{key} ({show(b[1].get(key) if b[0] == 'obj' else None)})"
            found = _compare_entries(f"{path}.{key}", b[1].get(key, e[1][key]) if b[0] == "obj" else e[1][key],
                                     e[1][key], a[1][key], promise)
            if found:
                return found
        return None
    return _compare(b, e, a, promise, path)


def _compare_app(where: str, b: dict, e: dict, a: dict, promise: Promise, is_connection) -> str | None:
    found = _compare_dicts(where, b["fields"], e["fields"], a["fields"], promise)
    if found:
        return found
    found = _compare(("arr", [], b.get("unknown", ())), ("arr", [], e.get("unknown", ())),
                     ("arr", [], a.get("unknown", ())), promise, f"{where} (its unknown parts)")
    if found:
        return found
    if (b["env"] is None) != (a["env"] is None):
        return f"the evaluator cannot compare the env of {where} before and after the fix"
    if b["env"] is None:
        return None
    if set(b["env"]) != set(a["env"]):
        return f"the result changes the environments of {where} ({', '.join(sorted(a['env']) or ['none'])})"
    ports = app_ports(b, is_connection)
    for name in sorted(b["env"]):
        block = f"{where}.env_{name}" if name else f"{where}.env"
        found = _compare_dicts(block, b["env"][name], e["env"][name], a["env"][name], promise, ports)
        if found:
            return found
    return None


def _compare_dicts(path: str, b: dict, e: dict, a: dict, promise: Promise, env_ports: set[int] | None = None):
    for key in e:
        if key not in a:
            return f"the result drops {path}.{key} ({show(b.get(key))})"
    for key in a:
        if key not in e and not (env_ports is not None and promise.allows_new_env_key(key, a[key], env_ports)):
            return f"the result adds {path}.{key} ({show(a[key])})"
    for key in e:
        found = _compare(b.get(key, e[key]), e[key], a[key], promise, f"{path}.{key}")
        if found:
            return found
    return None


def _compare(b: tuple, e: tuple, a: tuple, promise: Promise, path: str) -> str | None:
    """The first place where ``a`` (after) is not ``e`` (expected from ``b``, before), or None."""
    if e == a or promise.allows(e, a):
        return None
    if e[0] == a[0]:
        if e[0] == "obj":
            found = _compare_dicts(path, b[1] if b[0] == "obj" else {}, e[1], a[1], promise)
            return found or _compare_seq(path + " (its unknown parts)", b[2] if b[0] == "obj" else (), e[2], a[2], promise)
        if e[0] in ("arr", "oneOf", "tpl") and len(e[1]) == len(a[1]):
            same_kind = b[0] == e[0]
            found = _compare_seq(path, b[1] if same_kind else e[1], e[1], a[1], promise)
            if found or e[0] != "arr":
                return found
            return _compare_seq(path + " (its unknown parts)", b[2] if same_kind else e[2], e[2], a[2], promise)
        if e[0] == "env||" and e[1:4] == a[1:4]:
            return _compare(b[4] if b[0] == "env||" else e[4], e[4], a[4], promise, path)
        if e[0] == "unknown" and a[0] == "unknown":
            return f"the evaluator cannot tell whether the fix keeps {path} ({show(a)})"
    return _changed(path, b, e, a)


def _compare_seq(path: str, b, e, a, promise: Promise) -> str | None:
    if len(e) != len(a):
        return f"the result changes {path} ({len(e)} items → {len(a)})"
    b = b if len(b) == len(e) else e
    for i, (x, y, z) in enumerate(zip(b, e, a)):
        found = _compare(x, y, z, promise, f"{path}[{i}]")
        if found:
            return found
    return None


def _changed(path: str, b: tuple, e: tuple, a: tuple) -> str:
    if e != b:
        return f"the result gives {path} {show(a)}, but the plan moves it from {show(b)} to {show(e)}"
    return f"the result changes {path} ({show(b)} → {show(a)})"


# --- where ports are written ---------------------------------------------------------------------

def connection_key(settings):
    """Whether an env key names a service the process connects to: the ``connection-prefixes``
    setting's ``DB_PORT``, and the same services' ``REDIS_URL``, ``DATABASE_URL``, ``MEMCACHED_SERVERS``."""
    def is_connection(key: str) -> bool:
        if settings.is_connection_key(key):
            return True
        stem = re.sub(r"_[A-Za-z]+$", "", key)
        return stem != key and settings.is_connection_key(stem + "_PORT")

    return is_connection


def map_ports(view: dict, new, is_connection) -> dict:
    """``view`` with every port written in it replaced by ``new(port)`` (connections left alone)."""
    apps = []
    for app in view["apps"]:
        fields = {k: _map_field(k, v, new, is_connection) for k, v in app["fields"].items()}
        env = None if app["env"] is None else {
            name: _map_env(block, new, is_connection) for name, block in app["env"].items()}
        apps.append(dict(app, fields=fields, env=env))
    rest = view["rest"]
    if rest is not None and rest[0] == "obj":
        props = dict(rest[1])
        if "PORTS" in props:
            props["PORTS"] = _map_every_number(props["PORTS"], new)
        deploy = props.get("deploy")
        if deploy is not None and deploy[0] == "obj":
            props["deploy"] = ("obj", {name: _map_deploy(t, new, is_connection) for name, t in deploy[1].items()}, deploy[2])
        rest = ("obj", props, rest[2])
    return {"apps": apps, "rest": rest}


def app_ports(app: dict, is_connection) -> set[int]:
    """The ports written in an app's view (its listen and reference places)."""
    found: set[int] = set()

    def note(port: int) -> int:
        found.add(port)
        return port

    for key, value in app["fields"].items():
        _map_field(key, value, note, is_connection)
        if key in _ARGS_FIELDS:  # and the ports of its arguments as PM2 splits them (`--port '5571'`)
            known = _as_value(value)
            if known is not None:
                found |= port_numbers(known, inspect=key != "args")
    for block in (app["env"] or {}).values():
        _map_env(block, note, is_connection)
    return found


_ARGS_FIELDS = ("args", "node_args", "nodeArgs", "interpreter_args", "interpreterArgs")


def _as_value(value: tuple):
    """A known string or list of strings and numbers of a view as the evaluator's value, or None."""
    from portlint.evaluator.values import Arr, Prim

    if value[0] == "str":
        return Prim(value[1])
    if value[0] == "arr" and not value[2] and all(v[0] in ("str", "num") for v in value[1]):
        return Arr(items=[Prim(v[1]) for v in value[1]])
    return None


def _map_deploy(target: tuple, new, is_connection) -> tuple:
    if target[0] != "obj" or "env" not in target[1] or target[1]["env"][0] != "obj":
        return target
    env = target[1]["env"]
    return ("obj", dict(target[1], env=("obj", _map_env(env[1], new, is_connection), env[2])), target[2])


def _map_field(key: str, value: tuple, new, is_connection) -> tuple:
    if key == "port":
        return _map_number(value, new)
    if key == "ports":
        return _map_every_number(value, new)
    if key in ("args", "node_args", "nodeArgs", "interpreter_args", "interpreterArgs"):
        return _map_args(value, new)
    if (key == "env" or key.startswith("env_")) and value[0] == "obj":  # an env PM2's merge could not be worked out for
        return ("obj", _map_env(value[1], new, is_connection), value[2])
    return value


def _map_env(block: dict, new, is_connection) -> dict:
    out = {}
    for key, value in block.items():
        if is_connection(key):
            out[key] = value
        elif _PORT_KEY.match(key):
            out[key] = _map_number(value, new)
        else:
            out[key] = _map_url_value(value, new)
    return out


def _map_url_value(value: tuple, new) -> tuple:
    """A string holding URLs: the ports written in it, and a value placed right after a loopback
    ``host:`` (`` `http://localhost:${PORTS.API}` `` when PORTS.API is not known text)."""
    if value[0] == "tpl":
        parts = []
        for part in value[1]:
            after_host = bool(parts) and parts[-1][0] == "str" and _served_host_end(parts[-1][1])
            parts.append(_map_number(part, new) if after_host and part[0] != "str" else
                         ("str", _map_urls(part[1], new)) if part[0] == "str" else part)
        return ("tpl", tuple(parts))
    if value[0] == "env||":
        return value[:4] + (_map_url_value(value[4], new),)
    return _map_text(value, lambda s: _map_urls(s, new))


def _served_host_end(text: str) -> bool:
    m = _LOOPBACK_END.search(text)
    return m is not None and (m.group(1).lower() if m.group(1) else None) in _SERVED_SCHEMES


def _map_number(value: tuple, new) -> tuple:
    kind = value[0]
    if kind == "num" and isinstance(value[1], int) and not isinstance(value[1], bool):
        return ("num", new(value[1]))
    if kind == "str" and value[1].strip().isdigit():
        digits = value[1].strip()
        return ("str", value[1].replace(digits, _moved(digits, new), 1))
    if kind == "env||":
        return value[:4] + (_map_number(value[4], new),)
    if kind == "oneOf":
        return ("oneOf", tuple(_map_number(o, new) for o in value[1]))
    return value


def _map_every_number(value: tuple, new) -> tuple:
    if value[0] == "obj":
        return ("obj", {k: _map_every_number(v, new) for k, v in value[1].items()}, value[2])
    if value[0] == "arr":
        return ("arr", [_map_every_number(v, new) for v in value[1]], value[2])
    return _map_number(value, new)


def _map_args(value: tuple, new) -> tuple:
    if value[0] == "oneOf":  # `isProd ? '' : '--port 3000'`: each branch
        return ("oneOf", tuple(_map_args(option, new) for option in value[1]))
    if value[0] == "arr":
        items, after_flag = [], False
        for item in value[1]:
            if after_flag:
                items.append(_map_number(item, new))
            else:
                items.append(_map_text(item, lambda s: _ARG_PORT.sub(lambda m: _swap(m, 1, new), s)))
            after_flag = item == ("str", "--port")
        return ("arr", items, value[2])
    if value[0] == "str":  # a plain string: split as PM2 splits it (`--port '5571'`, `"--port=5572"`)
        return ("str", _map_arg_string(value[1], new))
    return _map_text(value, lambda s: _ARG_PORT.sub(lambda m: _swap(m, 1, new), s))


def _map_arg_string(text: str, new) -> str:
    for start, end in reversed(port_digit_spans(text)):
        text = text[:start] + _moved(text[start:end], new) + text[end:]
    return text


def _map_text(value: tuple, change) -> tuple:
    if value[0] == "str":
        return ("str", change(value[1]))
    if value[0] == "tpl":
        return ("tpl", tuple(("str", change(p[1])) if p[0] == "str" else p for p in value[1]))
    if value[0] == "env||":
        return value[:4] + (_map_text(value[4], change),)
    return value


def _map_urls(text: str, new) -> str:
    def one(m: re.Match) -> str:
        scheme = m.group(1).lower() if m.group(1) else None
        return _swap(m, 2, new) if scheme in _SERVED_SCHEMES else m.group(0)

    return _LOOPBACK.sub(one, text)


def _swap(m: re.Match, group: int, new) -> str:
    """The match with its port group replaced by ``new(port)``."""
    start, end = m.start(group) - m.start(), m.end(group) - m.start()
    whole = m.group(0)
    return whole[:start] + _moved(m.group(group), new) + whole[end:]


def _moved(digits: str, new) -> str:
    """The digits of a port after the plan (``new``); digits too long to be a port stay as written."""
    return str(new(int(digits))) if len(digits) <= 5 else digits


def _port_of(value: tuple) -> int | None:
    if value[0] == "num" and isinstance(value[1], int):
        return value[1]
    if value[0] == "str" and value[1].strip().isdigit():
        return int(value[1].strip())
    return None


def _defaults_text(item: tuple) -> str | None:
    """A template's text with every ``process.env.X || N`` taken at its default; None if unknown."""
    out = []
    for part in item[1]:
        while part[0] == "env||":
            part = part[4]
        if part[0] == "str":
            out.append(part[1])
        elif part[0] == "num":
            out.append(str(part[1]))
        else:
            return None
    return "".join(out)
