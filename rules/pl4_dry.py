"""PL4: DRY — env refers, PORTS defines."""
from portlint.model.advice import ROWS, row_for, say
from portlint.rule import Rule
from portlint.words import listed


class LiteralPort(Rule):
    """A port use refers to its PORTS entry instead of repeating the number.

    When ``env.PORT`` says ``5570`` and ``PORTS.API`` says ``5570``, the two drift apart at the
    next renumbering. Writing ``PORTS.API`` keeps one source of truth. This applies to connection
    ports too, to numbers written inside ``args`` strings and ``|| 5570`` defaults, and to URLs
    (``'http://localhost:5570'`` becomes `` `http://localhost:${PORTS.API}` ``).

    Bad:
        const PORTS = {
          API: 5570 // REST API
        };
        module.exports = { PORTS, apps: [{ name: 'api', env: { PORT: 5570 } }] };

    Good:
        const PORTS = {
          API: 5570 // REST API
        };
        module.exports = { PORTS, apps: [{ name: 'api', env: { PORT: PORTS.API } }] };
    """

    code, name, severity = "PL401", "literal-port", "error"

    def check(self, config):
        if config.ports is None:
            return
        from portlint.model.types import names

        from .grouping import by_finding, here, places, relate_places, who, written_number

        uses = [u for u in config.applied_uses() if written_number(u) is not None]
        for span, group in by_finding(uses, written_number):
            use = group[0]
            for port in sorted(use.ports):
                entries = config.ports.by_port(port)
                if not entries:
                    continue
                reference = entries[0].reference
                row, fields, edits = _literal_advice(config, use, reference)
                for other in _other_places(group):  # the same number in env_production: one fix
                    more = _literal_advice(config, other, reference)[2]
                    edits = edits + more if edits and more else None
                fields["here"] = here(group)
                diagnostic = self.report(span, (
                    f"{who(group, 'writes')} {port} literally in {places(group)}; {say(row, **fields)}"), ports=[port])
                diagnostic.relate(entries[0].span, f"{reference} holds {port}")
                relate_places(diagnostic, group, written_number)
                if edits:
                    from portlint.fix.apply import Fix  # only where there is something to fix

                    diagnostic.fix = Fix(ROWS[row].fix, f"Replace {port} with {reference}", tuple(edits))
                yield diagnostic
                break


def _other_places(group):
    """The uses of a group written at a place other than the first one's (one per place)."""
    from .grouping import written_number

    first = written_number(group[0])
    seen = {(id(first.source), first.start)}
    for use in group[1:]:
        span = written_number(use)
        key = (id(span.source), span.start)
        if key not in seen:
            seen.add(key)
            yield use


def _replace(config, use, reference: str):
    """Edits that make the number ``use`` takes, where it is written, read ``reference``."""
    from portlint.fix.edits import reference_allowed_at, rewrite_numbers

    from .grouping import written_number

    span = written_number(use)
    if span is None or span.source is not config.source or not reference_allowed_at(config, span.start):
        return None
    return rewrite_numbers(config, [(span, reference)])


def _literal_advice(config, use, reference: str):
    """(advice row, its fields, the fix's edits) for a literal that PORTS holds: the form that leads
    to the policy's example and no other finding."""
    from portlint.evaluator.values import EnvDefault
    from portlint.fix.edits import add_env_key, env_override_fix, replace_literal
    from portlint.model.portos_reasons import env_key_for
    from portlint.model.types import Field

    if use.in_url:
        return "PL401-url", {"reference": reference}, replace_literal(config, use, reference)
    if use.site.field is Field.PORTS:  # PortOS reads a ports object only as numbers: no PORTS.KEY there
        return "PL401-ports-object", {"label": use.key, "port": next(iter(sorted(use.ports)))}, None
    if use.site.field is Field.ARGS:
        key = env_key_for(use.process, use.label)
        edits = replace_literal(config, use, reference)
        has_key = use.process.has_env_key(key)
        if edits and not has_key:  # the env key PortOS reads is one the process did not have: unsafe
            from portlint.model.portos_reasons import env_object

            shared = env_object(config, use.process, key, reference) != "its env"  # other apps' env too
            added = None if shared else add_env_key(config, use.process, key, reference)
            edits = edits + added if added else None
        return ("PL401-args" if has_key else "PL401-args-new-key"), {"reference": reference, "env_key": key}, edits
    if isinstance(use.value, EnvDefault) and use.kind.occupies:
        # PortOS cannot read `process.env.PORT || PORTS.API` (PL502): the one clean form drops the
        # override, which changes meaning, so the fix is unsafe.
        found = env_override_fix(config, use, reference)
        return "PL401-default", {"reference": reference, "key": use.key}, found[1] if found else None
    return "PL401-literal", {"reference": reference}, _replace(config, use, reference)


class PortNotInPorts(Rule):
    """Every port a process gets is defined in PORTS.

    A number written straight into ``env``, ``args`` or ``port`` is a port the allocation table
    does not know about: it will be missed when the next app picks its block. A reference to
    another process's port (a URL such as ``'http://localhost:5570'``) is not an allocation.

    Bad:
        const PORTS = {
          API: 5570 // REST API
        };
        module.exports = { PORTS, apps: [{ name: 'api', env: { PORT: PORTS.API, WS_PORT: 5571 } }] };

    Good:
        const PORTS = {
          API: 5570, // REST API
          WS: 5571 // WebSocket
        };
        module.exports = { PORTS, apps: [{ name: 'api', env: { PORT: PORTS.API, WS_PORT: PORTS.WS } }] };
    """

    code, name, severity = "PL402", "port-not-in-ports", "error"

    def check(self, config):
        if config.ports is None:
            return
        from portlint.model.types import names, relate_uses

        from .grouping import by_finding, here, places, who, written_number

        uses = [u for p in config.processes for u in p.occupying_uses() if written_number(u) is not None]
        for span, group in by_finding(uses, written_number):
            use = group[0]
            missing = [p for p in sorted(use.valid_ports) if not config.ports.by_port(p)]
            if missing:
                port = missing[0]
                diagnostic = relate_uses(self.report(span, (
                    f"{who(group, 'gets')} {port} from {places(group)}, but no PORTS entry holds it; "
                    f"{say('PL402', port=port, here=here(group))}"), ports=missing), group)
                if len(use.ports) == 1:
                    from portlint.fix.apply import Fix
                    from portlint.fix.edits import add_ports_entry, new_key_for

                    key = new_key_for(config, use)
                    added = add_ports_entry(config, key, port)
                    replaced = [_replace(config, u, f"PORTS.{key}") for u in [use, *_other_places(group)]]
                    if added and all(replaced):
                        diagnostic.fix = Fix("unsafe", f"Add PORTS.{key} = {port} and refer to it",
                                             tuple(added + [e for edits in replaced for e in edits]))
                yield diagnostic


class DuplicatedLiteral(Rule):
    """The same port number is not written more than once across the port uses.

    Each repeat is one more place to forget at the next renumbering. A repeat is reported where it
    is written, naming the first place (and its file, when that is another file). The same number
    that one process gets under one key in ``env`` and ``env_production`` is one finding, at the
    first place, naming both; where the repeat is a second process listening on the port, the
    collision (PL203) is the finding at that place, since "refer to one entry" would keep both
    processes on it.

    Bad:
        module.exports = { apps: [
          { name: 'api', env: { PORT: 5570 }, env_production: { PORT: 5570 } },
        ] };

    Good:
        const PORTS = {
          API: 5570 // REST API
        };
        module.exports = { PORTS, apps: [
          { name: 'api', env: { PORT: PORTS.API }, env_production: { PORT: PORTS.API } },
        ] };
    """

    code, name, severity = "PL403", "duplicated-literal", "error"

    def check(self, config):
        from portlint.model.types import names

        from .grouping import by_finding, places, relate_places, written_number

        literals = [u for u in config.allocated_uses() if written_number(u) is not None]
        first: dict[int, tuple] = {}  # port -> the group that writes it first
        groups = by_finding(literals, written_number)
        for span, group in groups:
            for port in sorted(group[0].ports):
                first.setdefault(port, (span, group))
        for span, group in groups:
            ports = sorted(group[0].ports)
            again = [p for p in ports if first[p][1] is not group]
            several = len({(id(written_number(u).source), written_number(u).start) for u in group}) > 1
            if not again and not several:
                continue
            shown = " and ".join(map(str, again or ports))
            if again:
                earlier_span, earlier = first[again[0]]
                row = earlier_span.location[0]
                other = "" if earlier_span.path == config.path else f" of {earlier_span.path}"
                said = (f"{shown} {'is' if len(again) == 1 else 'are'} written again in {places(group)} of "
                        f"{names(group)} (first in {places(earlier)} of {names(earlier)}, line {row}{other})")
            else:
                earlier_span, earlier = span, group
                said = f"{shown} {'is' if len(ports) == 1 else 'are'} written in {places(group)} of {names(group)}"
            advice = say(row_for(config, "PL403")) if row_for(config, "PL403") in ROWS else \
                "define it once in PORTS and refer to it"
            diagnostic = self.report(span, f"{said}; {advice}", ports=again or ports)
            diagnostic.relate(earlier_span, f"first written in {places(earlier)} of {names(earlier)}")
            yield relate_places(diagnostic, group, written_number)


def ports_references(config):
    """Every ``PORTS.a.b`` / ``PORTS['a']`` chain in the file: (keys, outermost node)."""
    from portlint.source.estree import member_path

    program = config.parsed.program
    if program is None or config.ports is None:
        return
    for node, parent in config.nodes:
        if node.type != "MemberExpression":
            continue
        if parent is not None and parent.type == "MemberExpression" and parent.object is node:
            continue  # only the outermost member of a chain
        if parent is not None and parent.type == "AssignmentExpression" and parent.left is node:
            continue  # a write (PL102's business), not a read
        found = member_path(node)
        if found and found[0] == "PORTS":
            yield found[1]


class UndefinedPortsKey(Rule):
    """Every ``PORTS.KEY`` reference names an entry PORTS has.

    ``PORTS.WEB`` where PORTS has no ``WEB`` is ``undefined``: the process starts with
    ``PORT=undefined`` and listens on a random or default port. A real bug in PortOS's history.

    Bad:
        const PORTS = {
          API: 5570 // REST API
        };
        module.exports = { PORTS, apps: [{ name: 'web', env: { PORT: PORTS.WEB } }] };

    Good:
        const PORTS = {
          API: 5570, // REST API
          WEB: 5571 // web front end
        };
        module.exports = { PORTS, apps: [{ name: 'web', env: { PORT: PORTS.WEB } }] };
    """

    code, name, severity = "PL404", "undefined-ports-key", "error"

    def check(self, config):
        from portlint.evaluator.values import Obj

        for chain in ports_references(config):
            current = config.ports.value
            path = "PORTS"
            for key, node in chain:
                if not isinstance(current, Obj):
                    break  # e.g. PORTS.API.toString: past the entries
                prop = current.props.get(key)
                if prop is None:
                    if not current.complete or current.proto is not None:
                        break  # it may come from a spread, or from a prototype (`__proto__: BASE`)
                    import difflib  # only for an undefined key

                    keys = list(current.props)
                    close = difflib.get_close_matches(key, keys, n=1)
                    hint = f"did you mean {path}.{close[0]}? " if close else ""
                    have = listed(keys) if keys else "nothing"
                    yield self.report(config.parsed.span(node), (
                        f"{path} has no entry {key!r}, so this is undefined; {hint}{path} defines: {have}"))
                    break
                current = prop.value
                path += f".{key}"


class UnusedPort(Rule):
    """Every PORTS entry is used by a process (off by default).

    An entry nothing refers to is either stale or belongs to a process that writes the number
    itself. Select it with ``--select PL405`` or ``select`` in the settings. A shared config that
    only defines PORTS for others to require is a good reason to leave it off.

    Bad:
        const PORTS = {
          API: 5570, // REST API
          OLD: 5571 // the retired admin UI
        };
        module.exports = { PORTS, apps: [{ name: 'api', env: { PORT: PORTS.API } }] };

    Good:
        const PORTS = {
          API: 5570 // REST API
        };
        module.exports = { PORTS, apps: [{ name: 'api', env: { PORT: PORTS.API } }] };
    """

    code, name, severity = "PL405", "unused-port", "warning"
    enabled_by_default = False

    def check(self, config):
        if config.ports is None:
            return
        referenced = {".".join(k for k, _ in chain) for chain in ports_references(config)}
        occupied: set[int] = set()
        used_entries = set()
        for process in config.processes:
            for use in process.applied_uses():
                if use.entry is not None:
                    used_entries.add(id(use.entry))
                occupied |= process.occupied(use)
        for entry in config.ports.entries:
            if entry.key_span is None or entry.key_span.source is not config.source:
                continue
            if id(entry) in used_entries or entry.ports & occupied:
                continue
            if any(entry.key == ref or entry.key.startswith(ref + ".") for ref in referenced):
                continue
            shown = listed(sorted(entry.ports), sep="/") or "?"
            yield self.report(entry.key_span, (
                f"{entry.reference} ({shown}) is not used by any process; remove it, or refer to it from the "
                "process that listens on it"), ports=entry.ports)
