"""PL3: stay away from well-known ports."""
from portlint.model.advice import row_for
from portlint.model.types import Field, names, relate_uses, used_by, users_of
from portlint.rule import Rule
from portlint.words import listed


class WellKnownPort(Rule):
    """No PORTS entry or port use is a well-known port (80, 443, 3000, 8080, ...).

    Well-known ports are what every framework, database and tutorial defaults to, so they collide
    with whatever else runs on the machine. The list is a setting; ``allowed_ports`` makes
    exceptions. A use that refers to a PORTS entry is reported once, at the entry; references to
    another process's port (a URL, ``VITE_API_PORT``) and connection ports are not allocations.

    A debugger port is a listening port too: ``node_args: '--inspect=9229'`` binds Node's default
    inspector port, which every other debugged process on the machine wants as well. It is not
    part of what PortOS lists (PL502 leaves it alone), but it is an allocation: give it a PORTS
    entry in the config's block and write `` node_args: `--inspect=${PORTS.DEBUG}` ``. One number
    written in the wrong place is one finding: where a literal is well-known, this rule reports
    it, and PL202 (out of range) and PL402 (not in PORTS) stay silent at that place, since the same
    change cures all three; PL201 judges the block without it.

    Bad:
        const PORTS = {
          API: 3000 // REST API
        };
        module.exports = { PORTS, apps: [{ name: 'api', env: { PORT: PORTS.API } }] };

    Good:
        const PORTS = {
          API: 5570 // REST API
        };
        module.exports = { PORTS, apps: [{ name: 'api', env: { PORT: PORTS.API } }] };
    """

    code, name, severity = "PL301", "well-known-port", "error"

    def check(self, config):
        from .grouping import by_finding, here, no_room, places, urls_naming, who

        settings = self.settings
        room = no_room(config, settings.allowed_range(config.role))
        if config.ports is not None:
            for entry in config.ports.entries:
                if entry.span is None or entry.span.source is not config.source or entry.connection:
                    continue  # a connection-only entry is a service's port (PostgreSQL's 5432), not an allocation
                bad = [port for port in sorted(entry.ports) if settings.is_well_known(port)]
                if bad:
                    users = users_of(config, entry)
                    yield relate_uses(self.report(entry.span, (
                        f"{entry.reference} is {_ports(bad)}{used_by(users)}, {_a_well_known(bad)} that other "
                        f"software defaults to; {room or _advice(config, 'PL301-entry')}{urls_naming(config, bad)}"),
                        ports=bad), users)
        uses = [u for p in config.processes for u in p.occupying_uses()
                if u.entry is None and not held_by_ports(config, u)]
        for span, group in by_finding(uses):
            use = group[0]
            bad = [port for port in sorted(use.ports) if settings.is_well_known(port)]
            if not bad:
                continue
            what = ("Node's default debugger port, which every other debugged process wants too"
                    if use.site.inspector and bad == [9229] else
                    f"{_a_well_known(bad)} that other software defaults to")
            advice = room or _advice(config, row_for(config, "PL301-use"), here=here(group))
            if use.site.field is Field.SCRIPT and use.process.serve:
                advice = _serve_advice(config, use)
            yield relate_uses(self.report(span, (
                f"{who(group, 'uses')} {_ports(bad)} in {places(group)}, {what}; "
                f"{advice}{urls_naming(config, bad, group)}"), ports=bad), group)


def _serve_advice(config, use) -> str:
    """The default of PM2's static server: nothing is written where it is reported, and the PORT a
    user may have written for it is one the server never reads."""
    from portlint.model.portos_reasons import ignored_port_keys, serve_reference

    ref = serve_reference(config, use.process, use, 0)
    ignored = ignored_port_keys(use.process)
    if ref != "PORTS.KEY" and ignored:
        return (f"PM2's static server listens there unless told otherwise, and it never reads {ignored[0].where}: "
                f"set `PM2_SERVE_PORT: {ref}` in its env in place of {ignored[0].where}")
    return ("PM2's static server listens there unless told otherwise: give it a free port of "
            f"{_wanted(config)} in PORTS and set `PM2_SERVE_PORT: PORTS.KEY` in its env")


def held_by_ports(config, use) -> bool:
    """A literal PORTS holds: PL401 asks for the reference, and the entry carries the rest."""
    from .grouping import written_number

    return bool(use.ports and config.ports is not None and written_number(use) is not None
                and all(config.ports.by_port(port) for port in use.ports))


def _ports(ports) -> str:
    return " and ".join(map(str, ports))


def _a_well_known(ports) -> str:
    return "a well-known port" if len(ports) == 1 else "well-known ports"


def _wanted(config) -> str:
    ranges = config.settings.allowed_range(config.role)
    where = listed((f"the {name} range {low}-{high}" for name, low, high in ranges), sep=" or ")
    return where or "an unused, unusual range"


def _advice(config, row: str, **fields) -> str:
    from portlint.model.advice import say

    return say(row, wanted=_wanted(config), **fields)
