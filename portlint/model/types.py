"""The model's data: PORTS entries, processes, their port uses (where each comes from and its kind)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Iterator

from portlint.diagnostic import Span
from portlint.evaluator.values import Obj, Prim, Value, possible_ports

if TYPE_CHECKING:
    from portlint.evaluator.interpreter import ModuleEvaluator, ModuleInfo
    from portlint.settings.settings import Settings
    from portlint.source.parse import Parsed


class Field(Enum):
    """The part of an app that gives a port."""

    ENV = "env"  # env, or an env_<name> block
    DEPLOY = "deploy"  # deploy.<name>.env
    PORT = "port"  # the `port` field
    ARGS = "args"  # --port N
    NODE_ARGS = "node_args"  # --inspect=N
    INTERPRETER_ARGS = "interpreter_args"  # --inspect=N
    PORTS = "ports"  # a per-app ports object
    SCRIPT = "script"  # --port N in a script run by a shell; the port of script 'serve'


@dataclass(frozen=True)
class UseSite:
    """Where a port use comes from: the field, and for env blocks which environment."""

    field: Field
    env: str = ""  # ENV: '' for env, 'production' for env_production; DEPLOY: the deploy target

    @classmethod
    def env_block(cls, block: str) -> "UseSite":
        """``env`` or ``env_<name>``, as written in the app."""
        return cls(Field.ENV, block[len("env_"):] if block.startswith("env_") else "")

    @property
    def in_env(self) -> bool:
        """An env key (env, env_<name> or deploy.<name>.env)."""
        return self.field in (Field.ENV, Field.DEPLOY)

    @property
    def in_args(self) -> bool:
        return self.field in (Field.ARGS, Field.NODE_ARGS, Field.INTERPRETER_ARGS)

    @property
    def inspector(self) -> bool:
        """``--inspect`` in node_args/interpreter_args."""
        return self.field in (Field.NODE_ARGS, Field.INTERPRETER_ARGS)

    @property
    def block(self) -> str:
        """The block as written: env, env_production, deploy.production.env, port, args, ..."""
        if self.field is Field.ENV:
            return f"env_{self.env}" if self.env else "env"
        if self.field is Field.DEPLOY:
            return f"deploy.{self.env}.env"
        return self.field.value

    def __str__(self) -> str:
        return self.block


class Kind(Enum):
    """What a process does with a port (see the spec's "port use")."""

    LISTEN = "listen"  # binds it
    REFERENCE = "reference"  # is told where another process listens
    SHARED = "shared"  # one PORTS entry several processes use, none binding it by PORT/port/--port/ports
    CONNECTION = "connection"  # connects to another service's port (DB_PORT, SMTP_PORT, ...)

    @property
    def occupies(self) -> bool:
        """Whether the port is allocated by this config (listen and shared ports are)."""
        return self in (Kind.LISTEN, Kind.SHARED)


@dataclass(eq=False)
class PortsEntry:
    """One entry of the PORTS constant; nested entries have dotted keys (``server.api``)."""

    key: str
    key_span: Span | None
    value: Value
    comment: str | None = None
    #: Several processes use it and none binds it through PORT/port/--port/ports.
    shared: bool = False
    #: Only connections use it (``DB_PORT: PORTS.DB``): a service's port, not one the config allocates.
    connection: bool = False

    @property
    def span(self) -> Span | None:
        return self.value.span

    @property
    def ports(self) -> frozenset[int]:
        return _ports_of(self)

    @property
    def reference(self) -> str:
        parts = self.key.split(".")
        out = "PORTS"
        for part in parts:
            out += f".{part}" if re.match(r"^[A-Za-z_$][A-Za-z0-9_$]*$", part) else f"[{part!r}]"
        return out


def _ports_of(holder) -> frozenset[int]:
    """The ports ``holder.value`` may stand for, computed once per value: rules ask for them often."""
    cached = holder.__dict__.get("_ports")
    if cached is None or cached[0] is not holder.value:
        cached = (holder.value, frozenset(possible_ports(holder.value)[0]))
        holder.__dict__["_ports"] = cached
    return cached[1]


@dataclass(eq=False)
class PortsTable:
    """The top-level ``const PORTS = {...}``, wherever its entries were written."""

    name_span: Span | None
    value: Value
    entries: list[PortsEntry] = field(default_factory=list)

    def by_port(self, port: int) -> list[PortsEntry]:
        return [e for e in self.entries if port in e.ports]

    def entry_at(self, origin: Span | None) -> PortsEntry | None:
        if origin is None:
            return None
        for entry in self.entries:
            if origin.same_place(entry.value.origin or entry.value.span):
                return entry
        return None

    @property
    def span(self) -> Span | None:
        return self.name_span or self.value.span


#: The keys through which a process binds a port itself: PORT, the port field, --port, --inspect, ports.
def binds(site: UseSite, key: str) -> bool:
    if site.in_env:
        return key.upper() == "PORT"
    return True


@dataclass(eq=False)
class PortUse:
    """One place where a process gets a port."""

    process: "Process"
    site: UseSite
    key: str  # env key, '--port', '--inspect', or the label in a ports object
    value: Value
    span: Span | None
    literal: bool = False
    entry: PortsEntry | None = None
    label: str = ""
    kind: Kind = Kind.LISTEN
    #: For a reference: the use it points to (the listener), when known.
    target: "PortUse | None" = None
    #: A host:port or URL inside a string (always a reference).
    in_url: bool = False
    #: False when PM2 never applies it: every environment takes this key from a later layer
    #: (``deploy.<env>.env`` < ``env`` < ``port`` < ``env_<env>``).
    effective: bool = True

    @property
    def source(self) -> str:
        """The block as a string (env, env_production, deploy.x.env, port, args, ...), for plugins
        written before ``site``; new code reads ``site``."""
        return self.site.block

    @property
    def connection(self) -> bool:
        return self.kind is Kind.CONNECTION

    @property
    def binds(self) -> bool:
        """Taken through PORT/port/--port/--inspect/ports: the process surely binds it."""
        return not self.in_url and binds(self.site, self.key)

    @property
    def ports(self) -> frozenset[int]:
        return _ports_of(self)

    @property
    def literal_span(self) -> Span | None:
        """The number token itself when the port is written literally (``5570`` inside
        ``process.env.PORT || 5570``), else the whole use."""
        if self.literal and self.span is not None:
            for alt in self.value.alternatives():
                if isinstance(alt, Prim) and alt.literal and self.span.contains(alt.origin):
                    return alt.origin
        return self.span

    @property
    def written_span(self) -> Span | None:
        """Where the offending value is written: the literal, the PORTS entry, or the list item a
        ``.map()`` turned into this app (in the same file), else the use itself."""
        if self.entry is not None and self.entry.span is not None and self.span is not None \
                and self.entry.span.source is self.span.source:
            return self.entry.span
        if self.literal:
            return self.literal_span
        if self.span is not None:
            for alt in self.value.alternatives():
                origin = getattr(alt, "origin", None)
                if isinstance(alt, Prim) and origin is not None and origin.source is self.span.source \
                        and not origin.contains(self.span):
                    return origin
        return self.span

    @property
    def valid_ports(self) -> frozenset[int]:
        """The ports this use may be that are real ports (1-65535); PL105 reports the others."""
        ports = self.ports
        return ports if all(1 <= p <= 65535 for p in ports) else frozenset(p for p in ports if 1 <= p <= 65535)

    @property
    def known(self) -> bool:
        return possible_ports(self.value)[1]

    @property
    def where(self) -> str:
        if self.site.field is Field.SCRIPT:
            return f"script {self.key}"
        if self.site.in_args:
            return f"{self.site.block} {self.key}"
        if self.site.field is Field.PORT:
            return "port"
        return f"{self.site.block}.{self.key}"

    @property
    def increments(self) -> bool:
        """``increment_var`` names this use, so each instance takes the next port."""
        var = self.process.increment_var
        if not var:
            return False
        return (self.site.in_env and self.key == var) or (self.site.field is Field.PORT and var == "PORT")


@dataclass(eq=False)
class Process:
    """One app of the config, with what PM2 makes of it (portlint.model.pm2 decides; this holds it)."""

    name: str | None
    span: Span | None
    value: Obj
    index: int
    name_span: Span | None = None
    uses: list[PortUse] = field(default_factory=list)
    instances: Value | None = None
    exec_mode: str | None = "fork"  # fork or cluster as PM2 decides it; None when not known
    increment_var: str | None = None
    cpus: int = 4  # what 'max', 0 and -1 instances mean (the `cpus` setting)
    #: Why the exec mode is what it is (``exec_mode: 'fork'``, "instances set and a Node.js script").
    exec_mode_reason: str = ""
    #: What runs the script (node, bun, none, python...), None when not known; and why.
    interpreter: str | None = "node"
    interpreter_reason: str = ""
    #: The script has spaces: PM2 runs it with ``bash -c`` and drops ``args``.
    shell: bool = False
    #: ``script: 'serve'``: PM2's static server, which listens on PM2_SERVE_PORT, its second
    #: argument, or 8080, and ignores PORT.
    serve: bool = False
    #: ``deploy.<name>.env`` of the config, by target name (PM2 merges it under ``--env <name>``).
    deploy: dict = field(default_factory=dict)
    increment_var_span: Span | None = None
    #: Why PM2's schema check refuses this app ('' when it does not): then it starts nothing from the file.
    refused: str = ""

    @property
    def display_name(self) -> str:
        return self.name if self.name is not None else f"app #{self.index + 1}"

    @property
    def counted(self):
        """How many instances PM2 starts, and why (portlint.model.pm2.Instances)."""
        from portlint.model.pm2 import instances_of

        cached = self.__dict__.get("_counted")
        if cached is None or cached[0] is not self.instances or cached[1] != self.cpus:
            cached = (self.instances, self.cpus, instances_of(self.instances, self.cpus))
            self.__dict__["_counted"] = cached
        return cached[2]

    @property
    def per_cpu(self) -> bool:
        """``instances`` is 'max', 0 or -1 (or another value PM2 counts per CPU)."""
        return self.counted.per_cpu

    @property
    def instance_count(self) -> int | None:
        """How many copies PM2 starts (the `cpus` setting for 'max'/0/-1); None if unknown."""
        return self.counted.count

    def applied_uses(self) -> Iterator[PortUse]:
        """The uses PM2 applies in some environment (``effective``), of every kind: what rules judge.
        ``uses`` also holds the ones PM2 never applies (args a shell drops, an env.PORT the ``port``
        field beats, the PORT of ``script: 'serve'``, a cluster app's ``--inspect=N``), which only
        the fixes and the map's "as written" views read."""
        return (u for u in self.uses if u.effective)

    def has_env_key(self, key: str) -> bool:
        """``key`` is written in one of the app's env blocks (applied or not): adding it again would
        write a second one."""
        return any(u.site.in_env and u.key == key for u in self.uses)

    def occupying_uses(self) -> Iterator[PortUse]:
        """The uses that allocate a port (listen and shared) that PM2 really applies somewhere."""
        return (u for u in self.uses if u.kind.occupies and u.effective)

    def listen_uses(self) -> Iterator[PortUse]:
        """The uses this process binds itself (not shared entries, references or connections)."""
        return (u for u in self.uses if u.kind is Kind.LISTEN and u.effective)

    def environment_names(self) -> set[str]:
        """'' (no --env), every name of an env_<name> block and every deploy target with an env."""
        from portlint.model.pm2 import environment_names

        return environment_names(self.value, self.deploy)

    def merged_env(self, environment: str):
        """The environment PM2 gives this app under ``--env environment`` ('' = none), key by key,
        with the layer each value comes from (portlint.model.pm2.MergedEnv)."""
        from portlint.model.pm2 import merge_env

        cache = self.__dict__.setdefault("_merged", {})
        if environment not in cache:
            cache[environment] = merge_env(self.value, self.deploy, environment)
        return cache[environment]

    def environments(self) -> dict[str, list[PortUse]]:
        """For each environment PM2 can start this app in ('' = no --env), the uses that take effect:
        the env keys that win the merge (``env`` < ``port`` < ``deploy.<env>.env`` < ``env_<env>``),
        args unless a shell runs the script, ``--inspect`` unless in cluster mode, the port of
        ``serve``, and the ports object. Computed once per state of ``uses``; read-only."""
        cached = self.__dict__.get("_environments")
        if cached is not None and cached[0] == len(self.uses):
            return cached[1]
        out: dict[str, list[PortUse]] = {}
        for name in sorted(self.environment_names()):
            out[name] = [u for u in self.uses if self._applies(u, name)]
        self.__dict__["_environments"] = (len(self.uses), out)
        return out

    def uses_in(self, environment: str) -> list[PortUse]:
        """The uses that take effect when PM2 starts this app with ``--env environment`` ('' = none),
        also for a name this app has no block of its own for (then only deploy.<name>.env adds)."""
        mine = self.environments()
        if environment in mine:
            return mine[environment]
        return [u for u in self.uses if self._applies(u, environment)]

    def _applies(self, use: PortUse, environment: str) -> bool:
        merged = self.merged_env(environment)
        site = use.site
        if site.in_env or site.field is Field.PORT:
            entry = merged.entries.get("PORT" if site.field is Field.PORT else use.key)
            if entry is None or entry.layer.block != site.block:
                return False
            if self.serve and not use.in_url:
                return use.key == "PM2_SERVE_PORT" and _truthy(entry.value)  # serve ignores PORT
            return True
        if self.serve and site.field in (Field.ARGS, Field.SCRIPT):
            served = merged.entries.get("PM2_SERVE_PORT")
            if served is not None and _truthy(served.value):
                return False
            has_arg = any(u.site.field is Field.ARGS for u in self.uses)
            return site.field is Field.ARGS or not has_arg
        if site.field is Field.ARGS:
            return not self.shell  # a shell runs the script string; PM2 drops args
        if site.field is Field.SCRIPT:
            return self.shell
        if site.inspector:
            return self.exec_mode != "cluster"  # Node's cluster gives each worker --inspect-port=9229+k
        return True

    def environments_of(self, use: PortUse, universe: set[str] | None = None) -> set[str]:
        """The environments (of ``universe``, default this process's own) in which ``use`` applies;
        an environment this process has no block for runs it as in ''."""
        mine = self.environments()
        applied = {name for name, uses in mine.items() if any(u is use for u in uses)}
        if universe is None:
            return applied
        return {e for e in universe if (e in applied if e in mine else "" in applied)}

    def allocated_uses(self) -> Iterator[PortUse]:
        """The applied uses that are not connections (listen, shared and reference)."""
        return (u for u in self.uses if not u.connection and u.effective)

    def mark_effective(self) -> None:
        applied = {id(u) for uses in self.environments().values() for u in uses}
        for use in self.uses:
            use.effective = id(use) in applied

    def occupied(self, use: PortUse) -> set[int]:
        """The ports a use occupies, counting the copies ``increment_var`` adds (Number(value) + k for
        instance k, for at most MAX_INSTANCES_EXPANDED instances)."""
        ports = use.valid_ports
        copies = self.counted.expanded if self.counted.count else 1
        if use.increments and copies > 1:
            return {p + i for p in ports for i in range(copies) if p + i <= 65535}
        return set(ports)

    def increment_unset(self) -> list[str]:
        """The environments in which ``increment_var`` names a variable no layer sets: PM2 then gives
        the instances 0, 1, 2..."""
        if not self.increment_var:
            return []
        return [name for name in sorted(self.environment_names())
                if self.increment_var not in self.merged_env(name).entries]


def _truthy(value: Value) -> bool:
    """Truthy, or not known to be falsy."""
    from portlint.evaluator.semantics import truthy

    return truthy(value) is not False


@dataclass(eq=False)
class Unresolved:
    """A part of the config holding apps or ports that cannot be known without running the file."""

    value: Value  # an Unknown, or an EnvVar with no default
    context: str  # what could not be checked, e.g. "env.PORT of api"
    #: The port use whose value this is, when it is one: a use PM2 never applies needs no checking.
    use: "PortUse | None" = None

    @property
    def matters(self) -> bool:
        """Not a port use PM2 never applies (args a shell drops, an env.PORT the port field beats...)."""
        return self.use is None or self.use.effective


@dataclass(eq=False)
class Config:
    path: str
    parsed: "Parsed"
    evaluator: "ModuleEvaluator"
    exports: Value
    ports: PortsTable | None
    processes: list[Process]
    unresolved: list[Unresolved]
    settings: "Settings"
    #: False when part of the apps list is not known without running the file (PM2 may start more).
    apps_complete: bool = True

    @property
    def nodes(self) -> list:
        """Every (node, parent) of the syntax tree, walked once and shared by the rules."""
        cached = self.__dict__.get("_nodes")
        if cached is None:
            from portlint.source.estree import walk

            program = self.parsed.program
            cached = list(walk(program)) if program is not None else []
            self.__dict__["_nodes"] = cached
        return cached

    @property
    def role(self) -> str:
        return self.settings.resolve_role(self.path, (p.name for p in self.processes))[0]

    @property
    def role_inferred(self) -> bool:
        """The role came from ``role = "auto"`` (the process names), not from the settings."""
        return self.settings.resolve_role(self.path, (p.name for p in self.processes))[1]

    @property
    def source(self):
        return self.parsed.source

    @property
    def info(self) -> "ModuleInfo":
        return self.evaluator.info

    @property
    def load_problem(self) -> tuple[object, str] | None:
        """Why PM2 cannot load this file the way it loads its file name, as (node, reason), or None:
        ES module syntax in a file PM2 require()s as CommonJS, CommonJS in an .mjs file, or an .mjs
        file whose apps are only in ``export default`` (PM2 require()s it and never unwraps
        ``.default``: "No script path - aborting", nothing starts)."""
        import os

        kind, info = self.source.kind, self.info
        ext = os.path.splitext(self.path)[1] or ".js"
        if kind == "js" and info.uses_esm is not None:
            node = info.uses_esm
            word = "import" if node.type == "ImportDeclaration" else "export"
            return node, (f"`{word}` in a {ext} file: PM2 loads {ext} configs with require(), which cannot load ES "
                          "module syntax")
        if kind != "mjs":
            return None
        node = info.uses_commonjs or _first_require_call(self)
        if node is not None:
            word = "require()" if node.type == "CallExpression" else "module.exports"
            return node, f"{word} in an .mjs file: PM2 loads it as an ES module, where {word} does not exist"
        if info.default_export is not None and not ({"apps", "pm2"} & set(info.named_exports)) and self.processes:
            body = self.parsed.program.body if self.parsed.program is not None else []
            node = next((s for s in body if s.type == "ExportDefaultDeclaration"), info.default_export)
            return node, (
                "`export default` in an .mjs file: PM2 loads it with require() and does not unwrap `.default`, so "
                "it finds no apps (\"No script path - aborting\") and starts nothing")
        return None

    def uses(self) -> Iterator[PortUse]:
        """Every use written, applied or not (the fixes move them all); rules read ``applied_uses``."""
        for process in self.processes:
            yield from process.uses

    def applied_uses(self) -> Iterator[PortUse]:
        """The uses PM2 applies in some environment (``Process.applied_uses``): what rules judge."""
        for process in self.processes:
            yield from process.applied_uses()

    def allocated_uses(self) -> Iterator[PortUse]:
        for process in self.processes:
            yield from process.allocated_uses()

    def environment_names(self) -> set[str]:
        names: set[str] = {""}
        for process in self.processes:
            names |= process.environment_names()
        return names

    def cpus_note(self) -> str:
        """' (instances 'max' of workers: 4, the `cpus` setting)' when the block depends on the CPU
        count (per-CPU instances with increment_var), else ''."""
        counted = [(p.display_name, p.counted) for p in self.processes
                   if p.per_cpu and p.increment_var and any(u.increments for u in p.occupying_uses())]
        if not counted:
            return ""
        name, c = counted[0]
        return f" (instances {c.written} of {name} counted as {c.count}: the `cpus` setting says {c.cpus})"

    def block(self, environment: str | None = None) -> set[int]:
        """Every distinct port the config defines in PORTS or occupies, with the copies increment_var
        adds; with ``environment``, the ports occupied in that one only. PORTS entries always count,
        with the copies increment_var gives them where they are used: the block an entry allocates
        (``env_production.PORT: PORTS.API_PRODUCTION`` with 2 instances holds 2 ports in every
        environment, so the development block above it has no gap)."""
        ports: set[int] = set()
        if self.ports:
            for entry in self.ports.entries:
                if not entry.connection:
                    ports |= {p for p in entry.ports if 1 <= p <= 65535}
        universe = self.environment_names()
        for process in self.processes:
            for use in process.occupying_uses():
                if environment is None or use.entry is not None \
                        or environment in process.environments_of(use, universe):
                    ports |= {p for p in process.occupied(use) if 1 <= p <= 65535}
        return ports

def _first_require_call(config: Config):
    for node, _ in config.nodes:
        if node.type == "CallExpression" and node.callee.type == "Identifier" and node.callee.name == "require":
            return node
    return None


def by_place(uses, span_of=lambda use: use.written_span) -> list[tuple[Span, list[PortUse]]]:
    """Uses grouped by the place a finding about them sits (one cause, one finding): apps a
    ``.map()`` builds from one template share the template's place."""
    groups: dict[tuple, tuple[Span, list[PortUse]]] = {}
    for use in uses:
        span = span_of(use)
        if span is None:
            continue
        groups.setdefault((id(span.source), span.start, span.end), (span, []))[1].append(use)
    return list(groups.values())


def names(uses) -> str:
    """The processes of ``uses``, once each: 'chat', 'chat and voice', 'chat, voice and mail'."""
    from portlint.words import listed

    return listed(dict.fromkeys(u.process.display_name for u in uses), last=" and ")


def users_of(config: Config, entry: PortsEntry) -> list[PortUse]:
    """The applied uses that take their port from ``entry``."""
    return [u for u in config.applied_uses() if u.entry is entry]


def used_by(uses) -> str:
    """' (used by api in env.PORT)' for a message about a value the uses take; '' for none."""
    if not uses:
        return ""
    first = min(uses, key=lambda u: u.kind is not Kind.LISTEN)  # who listens there, before who calls it
    more = f" and {len(uses) - 1} more" if len(uses) > 1 else ""
    return f" (used by {first.process.display_name} in {first.where}{more})"


def relate_uses(diagnostic, uses):
    """Name each use of the reported value as a related location (JSON, SARIF); returns the diagnostic."""
    for use in uses:
        diagnostic.relate(use.span, f"{use.process.display_name} uses it in {use.where}")
    return diagnostic
