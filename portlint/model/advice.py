"""The advice table: for every finding (code, and situation where a code has several), what the
message tells the user to write, and whether a fix writes it.

Every path leads to the policy's own example, the one clean form no rule flags: `PORT: PORTS.API`
in env; for a Vite process `` args: `--port ${PORTS.UI}` `` together with `VITE_PORT: PORTS.UI`;
PORTS holds every number once, with a comment. Rule messages take their advice from here (``say``),
``docs/rules.md`` shows each code's rows, and ``tests/test_advice.py`` applies every row to the
minimal config in ``fixtures/advice/<row>/`` (``ecosystem.config.cjs`` before, ``.after`` with the
advice followed) and checks that the after config has no diagnostic the advice was meant to cure and
no code the before did not have.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Advice:
    code: str
    situation: str  # when this row applies
    write: str  # what the message tells the user to write (a template: str.format fields)
    fix: str | None  # "safe", "unsafe", or None: no fix (the message says what to decide)
    why_no_fix: str = ""  # for fix None: the decision a person has to make


ROWS: dict[str, Advice] = {
    "PL002-env-no-default": Advice(
        "PL002", "an env port read from `process.env.X` with no default",
        "decide the port: give it a PORTS entry with a comment and write `{key}: PORTS.KEY`", None,
        "which port the process gets is a decision (the environment chose it until now)"),
    "PL002-unknown": Advice(
        "PL002", "apps or ports built in a way portlint cannot evaluate (loops, calls, unknown names)",
        "write it as literals, constants and PORTS references", None,
        "the file has to be restructured by a person"),
    "PL004": Advice("PL004", "a noqa comment naming a code no rule has (`PL4O1`)",
                    "write a code exactly (`PL401`) or a prefix of codes (`PL4`)", None,
                    "which code was meant is for the author to say"),
    "PL005": Advice("PL005", "a noqa comment that suppresses nothing on its line", "remove it", "safe"),
    "PL101": Advice(
        "PL101", "port uses and no top-level PORTS",
        "define `const PORTS = {{...}}` and refer to its entries (one documented entry per port: "
        "`API: {port}, // REST API`)", "safe"),
    "PL101-unsafe": Advice(
        "PL101", "port uses and no top-level PORTS, where the clean form changes what a process sees: "
        "`PORT: process.env.PORT || 5570` (the environment no longer overrides it), or `args: '--port 5571'` "
        "PortOS read and a template it cannot (the env key it reads, `VITE_PORT`/`PORT`, is new to the process)",
        "define `const PORTS = {{...}}` and refer to its entries (one documented entry per port: "
        "`API: {port}, // REST API`); that changes what a process sees ({why}), so only `--fix --unsafe-fixes` "
        "writes it", "unsafe"),
    "PL101-array": Advice(
        "PL101", "port uses, no top-level PORTS, and `module.exports = [...]` (a bare array of apps)",
        "define `const PORTS = {{...}}` and export it with the apps, `module.exports = {{ PORTS, apps: [...] }}` "
        "(a config that requires this one then reads `.apps`)",
        None, "an array cannot carry PORTS, and turning it into an object changes what configs that require "
        "this one read"),
    "PL101-json": Advice(
        "PL101", "port uses in a JSON or YAML config (a file that cannot hold a constant)",
        "move the config to ecosystem.config.cjs with a top-level `const PORTS = {{...}}`", None,
        "a second file listing the same processes would make PM2, PortOS and portlint each pick one: which "
        "file stays is the project's decision"),
    "PL103": Advice("PL103", "PORTS is not exported", "export it next to apps ({how}) so other configs can import it",
                    "safe"),
    "PL104": Advice("PL104", "a PORTS entry without a comment",
                    "say what the port is for on its line (`{key}: {port}, // what listens here`)", None,
                    "only the author knows what listens there"),
    "PL201": Advice("PL201", "the block (ports in the role's range) has a gap",
                    "allocate ports contiguously: move the ports above the gap down into it", "unsafe"),
    "PL202-entry": Advice("PL202", "a PORTS entry outside the role's range",
                          "{a_role} config takes its ports from {wanted}: give it a free one next to the "
                          "config's block", "unsafe"),
    "PL202-use": Advice("PL202", "a port use written outside the role's range (not in PORTS)",
                        "{a_role} config takes its ports from {wanted}: give it a free one in PORTS (`KEY: N, // what listens`) and write "
                        "PORTS.KEY {here}", "unsafe"),
    "PL203": Advice("PL203", "two processes of the run listen on one port",
                    "give each process its own port", "unsafe"),
    "PL202-use-json": Advice(
        "PL202", "a port written outside the role's range in a JSON or YAML config",
        "{a_role} config takes its ports from {wanted}: write a free one here, or move the config to "
        "ecosystem.config.cjs and give the port a PORTS entry there", None,
        "a JSON or YAML file cannot hold PORTS, so there is no block to move it into"),
    "PL301-entry": Advice("PL301", "a PORTS entry on a well-known port",
                          "give it a free port of {wanted}, next to the config's block", "unsafe"),
    "PL301-use": Advice("PL301", "a port use written on a well-known port (a debugger's `--inspect=9229` too)",
                        "give it a free port of {wanted} in PORTS (`KEY: N, // what listens`) and write "
                        "PORTS.KEY {here}", "unsafe"),
    "PL301-use-json": Advice(
        "PL301", "a well-known port written in a JSON or YAML config",
        "write a free port of {wanted} here, or move the config to ecosystem.config.cjs and give the port a "
        "PORTS entry there", None, "a JSON or YAML file cannot hold PORTS, so there is no block to move it into"),
    "PL401-literal": Advice("PL401", "a number equal to a PORTS value", "write `{reference}` {here}", "safe"),
    "PL401-default": Advice(
        "PL401", "`process.env.X || N` with N in PORTS",
        "write `{key}: {reference}` (PortOS reads that; the environment no longer overrides the port)",
        "unsafe"),
    "PL401-args": Advice(
        "PL401", "`--port N` in an args string with N in PORTS, the env already holding the key PortOS reads",
        "write the args as a template, `--port ${{{reference}}}` (PortOS reads the port from env.{env_key})",
        "safe"),
    "PL401-args-new-key": Advice(
        "PL401", "`--port N` in an args string with N in PORTS, and no `VITE_PORT`/`PORT` in env",
        "write the args as a template, `--port ${{{reference}}}`, and `{env_key}: {reference}` in env "
        "(the key PortOS reads)",
        "unsafe"),
    "PL401-url": Advice("PL401", "a port inside a URL or host:port string",
                        "write `${{{reference}}}` there, in a template string", "safe"),
    "PL401-ports-object": Advice(
        "PL401", "a number in a per-app `ports` object equal to a PORTS value",
        "make the object a nested PORTS entry (`KEY: {{ {label}: {port} }}`, with a comment) and write "
        "`ports: PORTS.KEY` (PortOS reads a `ports` object only as plain numbers or as a nested PORTS entry)", None,
        "which key the nested entry gets is a decision, and the flat entry may be used elsewhere"),
    "PL402": Advice("PL402", "a port use written as a number no PORTS entry holds",
                    "add it to PORTS with a comment (`KEY: {port}, // what listens`) and refer to PORTS.KEY {here}",
                    "unsafe"),
    "PL403-json": Advice(
        "PL403", "the same port written twice in a JSON or YAML config",
        "move the config to ecosystem.config.cjs, where PORTS defines it once and both places refer to it", None,
        "a JSON or YAML file cannot hold PORTS: each place has to write the number"),
    "PL502-template-args": Advice(
        "PL502", "args as a template (`--port ${PORTS.UI}`) or an array, and no env key PortOS reads",
        "add `{env_key}: {reference}` to {its_env}", "unsafe"),
    "PL502-serve": Advice(
        "PL502", "PM2's static server (`script: 'serve'`) on a port PortOS does not read: an array or "
        "`--port=N` argument, its default 8080, or an env.PORT it ignores",
        "set `PM2_SERVE_PORT: {reference}` in {its_env} (PM2's static server reads it before its arguments, "
        "and PortOS lists it as pm2Serve)", None,
        "the fix verifier does not read the static server's port argument, so it cannot show that the key "
        "keeps the port"),
    "PL502-port-field": Advice(
        "PL502", "a `port` field PortOS cannot read (`port: PORTS.API`) and no env key it reads",
        "add `{env_key}: {reference}` to {its_env}", "safe"),
    "PL502-env-default": Advice(
        "PL502", "`PORT: process.env.PORT || PORTS.API`",
        "write `{key}: {reference}`", "unsafe"),
    "PL502-constant": Advice(
        "PL502", "an env port read from a local constant that holds a PORTS entry (`PORT: API_PORT` after "
        "`const API_PORT = PORTS.API`)",
        "write `{key}: {reference}`", "safe"),
    "PL502-entry-key": Advice(
        "PL502", "PORTS holds the port under a key PortOS cannot read (`'health-check': 5572`)",
        "give the entry a plain key (`{suggested}: {port}`) and write `{key}: PORTS.{suggested}`", None,
        "renaming a PORTS key changes what other configs that require this one read"),
    "PL502-quoted": Advice("PL502", "a quoted number (`PORT: '5570'`)", "write `{key}: {reference}`", None,
                           "quoting is kept as written; PL401 rewrites it when PORTS holds the number"),
    "PL502-no-form": Advice(
        "PL502", "a port PortOS can never list (env_staging only, chosen at run time, two values for one key)",
        "mark the line `// noqa: PL502` if that is intended", None,
        "no form makes PortOS list it: whether that matters is the author's call"),
}


#: Why a fix that is unsafe only because of what it adds or drops is unsafe (for --list-rules and
#: --explain): the rows whose clean form changes what the process sees.
CHANGES_WHAT_THE_PROCESS_SEES = {
    "PL101-unsafe": "drops an environment override, or adds an env key the process did not have",
    "PL401-default": "the environment no longer overrides the port",
    "PL401-args-new-key": "adds an env key the process did not have",
    "PL502-template-args": "adds an env key the process did not have",
    "PL502-env-default": "the environment no longer overrides the port",
}


def row_for(config, row: str) -> str:
    """The row that applies to ``config``: in a JSON or YAML file, which cannot hold PORTS, the
    row written for such files (``PL202-use-json``) when the table has one."""
    if config.source.kind in ("json", "yaml") and f"{row}-json" in ROWS:
        return f"{row}-json"
    return row


def fix_kinds(code: str) -> frozenset[str]:
    """The kinds of fix ("safe", "unsafe") the advice of ``code`` has; empty: none."""
    return frozenset(row.fix for row in ROWS.values() if row.code == code and row.fix)


def fix_label(code: str) -> str | None:
    """What ``--list-rules``, ``--explain``, docs/rules.md and the README say about the fixes of
    ``code``, read from its advice rows: "safe", "unsafe", "safe, some unsafe", or None."""
    kinds = fix_kinds(code)
    if kinds == {"safe", "unsafe"}:
        return "safe, some unsafe"
    return next(iter(kinds)) if kinds else None


def say(row: str, **fields) -> str:
    """The advice text of ``row`` with its fields filled in (``here`` and ``its_env`` default to
    the plain words; a rule passes them when the place needs saying, e.g. a ``.map()`` item)."""
    fields.setdefault("here", "here")
    fields.setdefault("its_env", "its env")
    return ROWS[row].write.format(**fields)


def rows_for(code: str) -> list[tuple[str, Advice]]:
    return [(name, row) for name, row in ROWS.items() if row.code == code]


def markdown(code: str) -> list[str]:
    """The ``Advice`` section of a rule in docs/rules.md (empty when the table has no row)."""
    rows = rows_for(code)
    if not rows:
        return []
    out = ["**Advice** (what the message tells you to write):", ""]
    for name, row in rows:
        fix = f"{row.fix} fix" if row.fix else f"no fix: {row.why_no_fix}"
        if name in CHANGES_WHAT_THE_PROCESS_SEES:
            fix += f": {CHANGES_WHAT_THE_PROCESS_SEES[name]}"
        out.append(f"- {row.situation}: {_generic(row)} ({fix})")
    return out + [""]


def _generic(row: Advice) -> str:
    """The advice with its fields shown as placeholders."""
    class Placeholder(dict):
        def __missing__(self, key):
            return {"reference": "PORTS.KEY", "key": "PORT", "env_key": "VITE_PORT/PORT", "port": "N",
                    "wanted": "the role's range", "a_role": "a user", "here": "here",
                    "its_env": "its env", "label": "label",
                    "how": "`module.exports = { PORTS, apps: [...] }`", "suggested": "KEY",
                    "why": "what it drops or adds"}.get(key, key)
    return row.write.format_map(Placeholder())
