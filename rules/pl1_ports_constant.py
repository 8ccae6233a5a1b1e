"""PL1: PORTS, the single source of truth."""
from portlint.model.advice import say
from portlint.rule import Rule
from portlint.words import listed


class MissingPortsConstant(Rule):
    """A config that gives its processes ports has a top-level ``PORTS`` constant.

    The policy makes ``const PORTS = {...}`` the single source of truth: every port the config
    allocates is defined there once, with a comment, and the processes refer to it. Connection
    ports (``DB_PORT``, ``SMTP_PORT``...) are not allocations and do not need one. JSON and YAML
    files cannot declare constants; the policy asks for an ``ecosystem.config.cjs`` instead.

    ``--fix`` introduces PORTS in a JavaScript config: one commented entry per port its processes
    listen on, with the same numbers, exported next to the apps, and every use, reference and URL
    naming one of them rewritten to ``PORTS.KEY``; connections (``DB_PORT``, ``REDIS_URL``) stay as
    written. When that clean form changes what a process sees (``process.env.PORT || 3000`` becomes
    ``PORTS.API``; a ``--port 5173`` PortOS read needs ``VITE_PORT``, a key the process did not
    have) the fix is unsafe and the message says why. ``--fix --unsafe-fixes`` then moves the
    entries that must move (see "Adopting the policy"). A config that exports a bare array of apps
    gets no fix: an array cannot carry PORTS.

    Bad:
        module.exports = {
          apps: [{ name: 'my-api', script: 'server.js', env: { PORT: 5570 } }]
        };

    Good:
        const PORTS = {
          API: 5570 // REST API server
        };
        module.exports = {
          PORTS,
          apps: [{ name: 'my-api', script: 'server.js', env: { PORT: PORTS.API } }]
        };
    """

    code, name, severity = "PL101", "missing-ports-constant", "error"

    def check(self, config):
        if config.ports is not None:
            return
        # reported in the file that writes the ports: a root config's services report their own
        uses = [u for p in config.processes for u in p.occupying_uses()
                if u.span is not None and u.span.source is config.source]
        if not uses:
            return
        # the first use whose port is known stands for them all; a port no one can know is PL002's too
        first = next((u for u in uses if u.known and u.ports), uses[0])
        span = first.span
        gets = _gets(first)
        if config.source.kind in ("json", "yaml"):
            diagnostic = self.report(span, (
                f"{gets}, but a {config.source.kind.upper()} file cannot define a PORTS constant (and PortOS does not "
                f"read it); {say('PL101-json')}"), ports=_all_ports(uses))
            diagnostic.cause = "file"  # one move, to ecosystem.config.cjs, cures PL502's finding too
            yield diagnostic
            return
        from portlint.fix.introduce_ports import introduce_ports, refusal

        count = len(uses)
        others = f" (and {count - 1} more port use{'s' if count > 2 else ''})" if count > 1 else ""
        ranges = config.settings.allowed_range(config.role)
        example = ranges[0][1] if ranges else 5570
        planned = introduce_ports(config)
        if refusal(config):
            advice = say("PL101-array")
        elif planned is not None and planned.unsafe:
            advice = say("PL101-unsafe", why="; ".join(planned.unsafe), port=example)
        else:
            advice = say("PL101", port=example)
        decide = "" if first.known and first.ports else "decide the port: "
        diagnostic = self.report(span, (
            f"{gets}{others}, but the config has no top-level PORTS constant; {decide}{advice}"), ports=_all_ports(uses))
        if not (first.known and first.ports):
            diagnostic.cause = "value"  # the same finding as PL002's at this place: one is reported
        if planned is not None:
            from portlint.fix.apply import Fix

            diagnostic.fix = Fix(planned.applicability, planned.message, tuple(planned.edits))
        yield diagnostic


def _all_ports(uses) -> set[int]:
    return {port for use in uses for port in use.ports}


def _gets(use) -> str:
    """'api gets port 5570 from env.PORT', or what decides a port that cannot be known."""
    ports = sorted(use.ports)
    who = use.process.display_name
    if ports:
        return f"{who} gets port {listed(ports, sep='/')} from {use.where}"
    from portlint.evaluator.values import EnvVar

    if isinstance(use.value, EnvVar):
        return f"{who} takes its port in {use.where} from process.env.{use.value.name}, which has no default"
    return f"{who} takes its port in {use.where} from `{use.span.text}`, which cannot be known without running the file"


class PortsConstantForm(Rule):
    """``PORTS`` is one top-level ``const`` object literal that nothing changes.

    The single source of truth must be readable at a glance, by people and by PortOS (which finds
    it as the text ``const PORTS = {``). A second declaration, a ``let``/``var``, a declaration
    inside a function or block, a value that is not an object literal, or a later assignment or
    mutation all make the real ports depend on the code path. ``Object.freeze({...})`` is fine: it
    is still one literal, and nothing can change it. Importing PORTS from a sibling config
    (``const { PORTS } = require('./ecosystem.config.cjs')``) is fine: the literal lives there.

    Bad:
        let PORTS = { API: 5570 }; // REST API
        PORTS.API = 5571;
        module.exports = { PORTS, apps: [] };

    Good:
        const PORTS = {
          API: 5570 // REST API
        };
        module.exports = { PORTS, apps: [] };
    """

    code, name, severity = "PL102", "ports-constant-form", "error"

    def check(self, config):
        program = config.parsed.program
        if program is None:
            return

        info = config.info
        declarations = info.declarations.get("PORTS", [])
        span = config.parsed.span
        for index, (kind, node) in enumerate(declarations):
            where = span(node.id if getattr(node, "type", "") == "VariableDeclarator" and node.id.type == "Identifier" else node)
            if index > 0:
                first_row = span(declarations[0][1]).location[0]
                yield self.report(where, f"PORTS is declared again (first on line {first_row}); keep one top-level `const PORTS`")
                continue
            if kind in ("let", "var"):
                yield self.report(where, f"PORTS is declared with `{kind}`; declare it with `const` so it cannot be reassigned")
            binding = info.bindings.get("PORTS")
            if binding is not None and binding.kind in ("const", "let", "var") and not _from_module(binding):
                from portlint.model.build import frozen_literal

                init = frozen_literal(binding.init)
                if init is not None and (binding.path or init.type != "ObjectExpression"):
                    yield self.report(span(init), (
                        "PORTS is not an object literal; write `const PORTS = { KEY: 5570, ... }` so every port "
                        "is written out where PortOS and readers look for it"))
        top_level = {id(node) for _, node in declarations}
        for node, parent in config.nodes:
            if node.type == "VariableDeclarator" and node.id.type == "Identifier" and node.id.name == "PORTS" and id(node) not in top_level:
                yield self.report(span(node.id), "PORTS is declared inside a function or block; declare it once at the top level of the file")
            target, how = None, "changed after its declaration"
            if node.type == "AssignmentExpression":
                target = node.left
                if target.type == "Identifier":
                    how = "reassigned"
            elif node.type == "UpdateExpression" or (node.type == "UnaryExpression" and node.operator == "delete"):
                target = node.argument
            elif node.type == "CallExpression" and node.arguments and _is_object_mutator(node.callee):
                target = node.arguments[0]
                how = f"changed by {node.callee.object.name}.{node.callee.property.name}()"
            if target is None:
                continue
            root = target
            while root.type == "MemberExpression":
                root = root.object
            if root.type == "Identifier" and root.name == "PORTS" and declarations:
                yield self.report(span(node), f"PORTS is {how}; define every port once in the PORTS literal instead")


def _is_object_mutator(callee) -> bool:
    """Object.assign / Object.defineProperty / Object.defineProperties."""
    from portlint.source.estree import member_path

    path = member_path(callee) if callee.type == "MemberExpression" else None
    return bool(path) and path[0] == "Object" and [k for k, _ in path[1]] in (["assign"], ["defineProperty"], ["defineProperties"])


def _from_module(binding) -> bool:
    """PORTS taken from another file (require or import): the literal lives there."""
    if binding.kind == "import":
        return True
    node = binding.init
    while node is not None and node.type == "MemberExpression":
        node = node.object
    return (node is not None and node.type == "CallExpression" and node.callee.type == "Identifier"
            and node.callee.name == "require")


class PortsNotExported(Rule):
    """The exported config includes ``PORTS``.

    The policy makes PORTS importable: other configs and tools do
    ``require('./ecosystem.config.cjs').PORTS``. That only works when the config exports it next to
    ``apps`` (CommonJS ``module.exports = { PORTS, apps }``, or an ES module ``export const PORTS``).

    Bad:
        const PORTS = {
          API: 5570 // REST API
        };
        module.exports = { apps: [{ name: 'api', env: { PORT: PORTS.API } }] };

    Good:
        const PORTS = {
          API: 5570 // REST API
        };
        module.exports = { PORTS, apps: [{ name: 'api', env: { PORT: PORTS.API } }] };
    """

    code, name, severity = "PL103", "ports-not-exported", "error"

    def check(self, config):
        from portlint.evaluator.values import Arr, Obj

        if config.ports is None or config.source.kind not in ("js", "mjs"):
            return
        exported = config.exports
        if isinstance(exported, Obj) and "PORTS" in exported.props:
            return
        if "PORTS" in config.info.named_exports:
            return
        if not isinstance(exported, (Obj, Arr)) or exported.span is None:
            return
        if isinstance(exported, Obj) and not exported.complete:
            return  # a spread we could not resolve may carry it
        if config.source.kind != "mjs":
            how = "`module.exports = { PORTS, apps: [...] }`"
        elif config.info.default_export is not None:  # the fix adds PORTS to the object it exports
            how = "`export default { PORTS, apps: [...] }`"
        else:
            how = "`export const PORTS = {...}`"
        diagnostic = self.report(exported.span, (
            f"the exported config does not include PORTS; {say('PL103', how=how)}"))
        from portlint.fix.edits import export_ports
        from portlint.fix.apply import Fix

        edits = export_ports(config) if isinstance(exported, Obj) else None
        if edits:
            diagnostic.fix = Fix("safe", "Add PORTS to the exported config", tuple(edits))
        yield diagnostic


class UndocumentedPort(Rule):
    """Every PORTS entry has a comment saying what the port is for.

    The comment is where the allocation table's description comes from: on the entry's line
    (``API: 5570, // REST API``) or on the line directly above it.

    Bad:
        const PORTS = {
          API: 5570,
        };
        module.exports = { PORTS, apps: [] };

    Good:
        const PORTS = {
          // REST API
          API: 5570,
        };
        module.exports = { PORTS, apps: [] };
    """

    code, name, severity = "PL104", "undocumented-port", "warning"

    def check(self, config):
        if config.ports is None:
            return
        for entry in config.ports.entries:
            if entry.comment or entry.key_span is None or entry.key_span.source is not config.source:
                continue
            shown = listed(sorted(entry.ports), sep="/") or "?"
            last = entry.key.split(".")[-1]
            yield self.report(entry.key_span, (
                f"{entry.reference} ({shown}) has no comment; {say('PL104', key=last, port=shown)}"), ports=entry.ports)


class InvalidPort(Rule):
    """Every PORTS entry and port use is an integer from 1 to 65535.

    A string, a float, 0 or a number above 65535 is not a port: the process fails to bind, or
    binds a random one (0). In ``env`` a quoted number such as ``'5570'`` is still a port (PM2
    passes env values as strings), though PortOS cannot see it (PL502); in PORTS it must be a
    number. ``--port="5570"`` in an args string reaches the app with its quotes (PM2 keeps them in
    ``key="..."`` tokens): that is the text ``"5570"``, not a port. And ``increment_var: 'PORT'``
    with no ``PORT`` in any env block counts from 0: PM2 gives the instances PORT=0, 1, 2...

    Bad:
        const PORTS = {
          API: '5570', // REST API
          UI: 70000 // web UI
        };
        module.exports = { PORTS, apps: [] };

    Good:
        const PORTS = {
          API: 5570, // REST API
          UI: 5571 // web UI
        };
        module.exports = { PORTS, apps: [] };
    """

    code, name, severity = "PL105", "invalid-port", "error"

    def check(self, config):
        if config.ports is not None:
            for entry in config.ports.entries:
                if entry.span is None or entry.span.source is not config.source:
                    continue
                for alt in entry.value.alternatives():
                    problem = _port_problem(alt, strings_allowed=False)
                    if problem:
                        yield self.report(alt.span if alt.span and alt.span.source is config.source else entry.span,
                                          f"{entry.reference} is {problem}, not a port; use an integer from 1 to 65535")
        for use in config.applied_uses():
            if use.entry is not None or use.span is None:
                continue
            for alt in use.value.alternatives():
                problem = _port_problem(alt, strings_allowed=True)
                if problem:
                    yield self.report(use.span, (
                        f"{use.process.display_name} gets {problem} from {use.where}, which is not a port; "
                        "use an integer from 1 to 65535"))
        yield from self._increments_from_nothing(config)

    def _increments_from_nothing(self, config):
        """``increment_var`` naming a port variable no layer sets: PM2 counts it from 0."""
        from portlint.model.portos import is_port_key

        for process in config.processes:
            var, span = process.increment_var, process.increment_var_span
            if not var or span is None or span.source is not config.source:
                continue
            if not is_port_key(var, config.settings.is_connection_key) or config.settings.is_connection_key(var):
                continue
            unset = process.increment_unset()
            if not unset:
                continue
            every = len(unset) == len(process.environment_names())
            when = "" if every else " when started with " + " or ".join(
                f"--env {e}" if e else "no --env" for e in unset)
            count = process.counted
            if count.count == 1:
                given = f"its one instance gets {var}=0, which is not a port (it asks the system for a random one)"
            else:
                last = f"{count.count - 1}" if count.count else "..."
                given = (f"its {count.describe()} get {var}=0-{last}: 0 is not a port (it asks the system for a "
                         f"random one) and the others are well-known ports")
            yield self.report(span, (
                f"{process.display_name}'s increment_var {var!r} counts from a variable no environment sets{when}: "
                f"PM2 starts it at 0, so {given}; set {var} in env to the first port of the block"))


def _port_problem(value, strings_allowed: bool) -> str | None:
    """Why a concrete value is not a port, or None if it is one (or is not known)."""
    from portlint.evaluator.semantics import digits_value
    from portlint.evaluator.values import UNDEFINED, Prim, Template, describe

    if isinstance(value, Template):
        text = value.text()
        if text is None or (digits_value(text) is not None and strings_allowed):
            return None if text is None else _range_problem(digits_value(text))
        return f"the string {text!r}"
    if not isinstance(value, Prim):
        return None
    v = value.value
    if v is UNDEFINED:
        return None
    if isinstance(v, bool) or v is None:
        return describe(value)
    if isinstance(v, float):
        return f"the float {describe(value)}" if v == v else "NaN"
    if isinstance(v, int):
        return _range_problem(v)
    if isinstance(v, str):
        if strings_allowed and digits_value(v) is not None:
            return _range_problem(digits_value(v))
        return f"the string {v!r}"
    return None


def _range_problem(port: int) -> str | None:
    if 1 <= port <= 65535:
        return None
    return f"{port}" + (" (which asks the system for a random port)" if port == 0 else "")


class DuplicatePortValue(Rule):
    """No two PORTS entries hold the same number.

    Two names for one port means two processes will try to bind it, or one entry is stale. An
    entry that is a conditional whose alternatives include another entry's value is an alias
    (``PG: native ? 5432 : 5571`` beside ``PG_DOCKER: 5571``), not a duplicate. The advice follows
    who uses the entries: when one process serves both (a server answering for its UI and its API
    on one port), the two entries name one port, so keep one and refer to it; when only one is
    used, remove the other; when two processes would listen on it, give each its own port.

    Bad:
        const PORTS = {
          API: 5570, // REST API
          ADMIN: 5570 // admin API
        };
        module.exports = { PORTS, apps: [] };

    Good:
        const PORTS = {
          API: 5570, // REST API
          ADMIN: 5571 // admin API
        };
        module.exports = { PORTS, apps: [] };
    """

    code, name, severity = "PL106", "duplicate-port-value", "error"

    def check(self, config):
        if config.ports is None:
            return
        from portlint.evaluator.values import possible_ports
        from portlint.model.types import users_of

        first_by_port: dict[int, object] = {}
        for entry in config.ports.entries:
            ports, known = possible_ports(entry.value)
            if not known or len(ports) != 1:
                continue
            port = next(iter(ports))
            first = first_by_port.setdefault(port, entry)
            if first is entry or entry.span is None or entry.span.source is not config.source:
                continue
            row = first.span.location[0] if first.span else "?"
            users = [list(dict.fromkeys(u.process.display_name for u in users_of(config, e) if u.kind.occupies))
                     for e in (first, entry)]
            listeners = list(dict.fromkeys(users[0] + users[1]))
            if len(listeners) > 1:
                advice = f"{listed(listeners, sep=' and ')} would all listen on it; give each entry its own port"
            elif all(users):  # one process serves both (a UI and an API on one server)
                advice = (f"the two entries name one port ({listeners[0]} serves both on it): keep "
                          f"{first.reference} and refer to it where {entry.reference} is used")
            elif any(users):
                used, unused = (first, entry) if users[0] else (entry, first)
                advice = (f"only {used.reference} is used (by {listeners[0]}): remove {unused.reference}, or give it "
                          "a port of its own if another process is meant to listen there")
            else:
                advice = (f"the two entries name one port: keep {first.reference}, or give {entry.reference} a port "
                          "of its own if another process is meant to listen there")
            yield self.report(entry.span, (
                f"{entry.reference} holds {port}, like {first.reference} (line {row}); {advice}"), ports=[port]).relate(
                    first.span, f"{first.reference} holds {port}")
