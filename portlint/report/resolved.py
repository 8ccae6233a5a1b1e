"""``--show-resolved``: what PM2 would run, as portlint resolved it, for people (text) and for tools
(JSON, described by portlint/schema/resolved.schema.json)."""
from __future__ import annotations

import json
import os

from portlint.model.resolution import App, Arguments, Environment, Instance, PortSeen, Resolved, Setting

SCHEMA_VERSION = 1
#: Instances listed one by one in the text output before the rest is summed up.
TEXT_INSTANCES = 8


def _command(path: str, environment: str) -> str:
    name = os.path.basename(path)
    return f"pm2 start {name}" + (f" --env {environment}" if environment else "")


# --- JSON ----------------------------------------------------------------------------------------

def render_json(resolved: list[Resolved]) -> str:
    data = {"version": SCHEMA_VERSION, "configs": [_config_data(r) for r in resolved]}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _config_data(r: Resolved) -> dict:
    return {"path": r.path, "starts": r.starts, "load_problem": r.load_problem or None,
            "apps_complete": r.apps_complete,
            "environments": [_environment_data(r.path, e) for e in r.environments]}


def _environment_data(path: str, e: Environment) -> dict:
    return {"environment": e.name, "command": _command(path, e.name), "apps": [_app_data(a) for a in e.apps],
            "cluster_inspector_ports": e.cluster_inspector_ports}


def _app_data(a: App) -> dict:
    span = a.process.span
    row, column = span.location if span is not None else (None, None)
    return {
        "name": a.name, "index": a.index, "row": row, "column": column,
        "starts": a.starts, "why_not": a.why_not or None,
        "exec_mode": a.exec_mode, "exec_mode_reason": a.exec_mode_reason,
        "interpreter": a.interpreter, "interpreter_reason": a.interpreter_reason,
        "script": a.script, "cwd": a.cwd, "cwd_known": a.cwd_known, "instances": a.instances, "instances_text": a.instances_text,
        "increment_var": a.process.increment_var,
        "env": [{"key": v.key, "from": v.source, **_setting_data(v.setting)} for v in a.env],
        "env_unknown": [{"from": layer, "reason": reason} for layer, reason in a.env_unknown],
        "args": _arguments_data(a.args), "node_args": _arguments_data(a.node_args),
        "instance_list": [_instance_data(i) for i in a.instance_list],
    }


def _setting_data(s: Setting) -> dict:
    return {"value": s.value, "known": s.known, "note": s.note or None}


def _arguments_data(a: Arguments) -> dict:
    return {"from": a.source, "values": a.values, "known": a.known, "note": a.note or None}


def _port_data(p: PortSeen) -> dict:
    return {"port": p.port, "from": p.source, "key": p.key, "known": p.known, "note": p.note or None,
            "target": p.target, "one_of": p.one_of}


def _instance_data(i: Instance) -> dict:
    return {"instance": i.index, "env": i.env, "listens": [_port_data(p) for p in i.listens],
            "refers": [_port_data(p) for p in i.refers], "connects": [_port_data(p) for p in i.connects],
            "inspector": _port_data(i.inspector) if i.inspector is not None else None}


# --- text ----------------------------------------------------------------------------------------

def render_text(resolved: list[Resolved]) -> str:
    out: list[str] = []
    for r in resolved:
        out.append(r.path)
        if not r.starts:
            out.append(f"  PM2 starts nothing: {r.load_problem}; below, the apps as the file means them")
        if not r.apps_complete:
            out.append("  part of the apps list is not known without running the file (PL002): PM2 may start more")
        for e in r.environments:
            out.append(f"  {_command(r.path, e.name)}")
            if not e.apps:
                out.append("    (no apps)")
            for a in e.apps:
                out.extend(_app_lines(a))
            if e.cluster_inspector_ports:
                ports = ", ".join(map(str, e.cluster_inspector_ports))
                out.append(f"    inspected cluster workers take {ports} (Node's cluster module, in a fresh daemon)")
        out.append("")
    return "\n".join(out)


def _app_lines(a: App) -> list[str]:
    name = a.name if a.name is not None else f"app #{a.index + 1} (name not known)"
    mode = f"{a.exec_mode} mode" if a.exec_mode else "exec mode not known"
    head = f"    {name}: {mode} ({a.exec_mode_reason}), {a.instances_text}"
    lines = [head]
    if not a.starts:
        lines.append(f"      PM2 does not start it: {a.why_not}")
    interpreter = a.interpreter or "?"
    lines.append(f"      script     {a.script if a.script is not None else '?'} ({interpreter}: {a.interpreter_reason})")
    if a.env:
        width = max(len(v.key) for v in a.env)
        for i, v in enumerate(a.env):
            label = "env" if i == 0 else ""
            note = f"; {v.setting.note}" if v.setting.note else ""
            lines.append(f"      {label:<10} {v.key:<{width}} = {v.setting.text}  (from {v.source}{note})")
    else:
        lines.append("      env        (none)")
    for layer, reason in a.env_unknown:
        lines.append(f"      {'':<10} ... and keys not known in {layer} ({reason})")
    lines.append(_args_line("args", a.args))
    lines.append(_args_line("node_args", a.node_args))
    lines.extend(_instance_lines(a))
    return lines


def _args_line(label: str, a: Arguments) -> str:
    if a.source is None:
        return f"      {label:<10} (none)"
    shown = json.dumps(a.values, ensure_ascii=False)
    note = f"; {a.note}" if a.note else ""
    return f"      {label:<10} {shown}  (from {a.source}{note})"


def _ports(seen: list[PortSeen], arrow: bool = False) -> str:
    parts = []
    for p in seen:
        port = str(p.port) if p.port is not None else "?"
        to = f" -> {p.target}" if arrow and p.target else ""
        note = f"; {p.note}" if p.note else ""
        parts.append(f"{port} ({p.source}{to}{note})")
    return ", ".join(parts)


def _instance_text(i: Instance) -> str:
    parts = []
    if i.env:
        parts.append("env " + ", ".join(f"{k}={v if v is not None else '?'}" for k, v in i.env.items()))
    parts.append("listens on " + (_ports(i.listens) or "nothing portlint sees"))
    if i.refers:
        parts.append("refers to " + _ports(i.refers, arrow=True))
    if i.connects:
        parts.append("connects to " + _ports(i.connects))
    if i.inspector is not None and i.inspector.port is None:
        parts.append(f"inspector: {i.inspector.note}")
    return "; ".join(parts)


def _instance_lines(a: App) -> list[str]:
    if not a.instance_list:
        return ["      instances  none portlint can list"]
    groups: list[tuple[int, int, str]] = []  # (first, last, text) of runs of instances that are alike
    for i in a.instance_list:
        text = _instance_text(i)
        if groups and groups[-1][2] == text:
            groups[-1] = (groups[-1][0], i.index, text)
        else:
            groups.append((i.index, i.index, text))
    lines = []
    for first, last, text in groups[:TEXT_INSTANCES]:
        which = f"instance {first}" if first == last else f"instances {first}-{last}"
        lines.append(f"      {which}: {text}")
    if len(groups) > TEXT_INSTANCES:
        rest = groups[TEXT_INSTANCES:]
        lines.append(f"      ... and instances {rest[0][0]}-{rest[-1][1]} (--format json lists each)")
    if a.instances is None:
        lines.append("      (how many instances PM2 starts is not known: one is shown)")
    elif a.instances > len(a.instance_list):
        lines.append(f"      ... and instances {len(a.instance_list)}-{a.instances - 1}, not listed "
                     f"(portlint expands at most {len(a.instance_list)})")
    return lines
