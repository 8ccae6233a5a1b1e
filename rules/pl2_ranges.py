"""PL2: ranges — contiguous blocks, the right range, no collisions."""
from portlint.diagnostic import Related
from portlint.model.advice import row_for, say
from portlint.model.portsets import compact, missing
from portlint.model.types import Field, by_place, names, relate_uses, used_by, users_of
from portlint.rule import Rule
from portlint.words import listed


class PortGap(Rule):
    """Each config uses one contiguous block of ports, with no gaps.

    The config's block is every distinct port it defines in PORTS or a process listens on
    (references and connection ports aside), plus the extra ports ``instances`` take with
    ``increment_var``. A gap leaves ports that look free but belong to nobody, which is what the
    policy's "No Gaps" forbids. Environments are alternatives: each is judged on its own, so 3000 in
    ``env`` and 80 in ``env_production`` leave no 80-3000 gap; a PORTS entry counts in every
    environment with the copies ``increment_var`` gives it where it is used (a production-only
    entry of 2 instances holds 2 ports in the development block too). The block is judged on the ports in
    the range of the config's role: a port outside it (a legacy 3000, a debugger's 9229) is named
    once, by PL202 or PL301, and does not also stretch the block into a giant gap. A debugger port
    (``--inspect=N``) is a listening port like any other: give it a PORTS entry in the block. The
    finding sits on the first port above the gap, the one to move down.

    Bad:
        const PORTS = {
          API: 5570, // REST API
          UI: 5572 // web UI; 5571 is skipped
        };
        module.exports = { PORTS, apps: [] };

    Good:
        const PORTS = {
          API: 5570, // REST API
          UI: 5571 // web UI
        };
        module.exports = { PORTS, apps: [] };
    """

    code, name, severity = "PL201", "port-gap", "error"

    def check(self, config):
        from .grouping import urls_naming

        environments = sorted(config.environment_names())
        found: dict[tuple, list[str]] = {}  # one finding, naming the environments it holds in
        allowed = config.settings.allowed_range(config.role)
        for environment in environments:
            block = {p for p in config.block(environment) if not allowed or any(lo <= p <= hi for _, lo, hi in allowed)}
            gap = missing(block)
            if gap:
                found.setdefault((tuple(sorted(block)), tuple(sorted(gap))), []).append(environment)
        for (block, gap), where in found.items():
            low, high = min(block), max(block)
            above = min(p for p in block if p > min(gap))  # where the user must act: the first port above the gap
            span = _written_at(config, above)
            if span is None:
                continue
            word = "port" if len(gap) == 1 else "ports"
            when = "" if len(where) == len(environments) else " when started with " + listed(
                (f"--env {e}" if e else "no --env" for e in where), sep=" or ")
            moved = [p for p in block if p > min(gap)]
            yield self.report(span, (
                f"the port block {low}-{high} has a gap{when}: {word} {compact(gap)} "
                f"{'is' if len(gap) == 1 else 'are'} not used (used: {compact(block)}){config.cpus_note()}, and "
                f"{above} here is the first port above it; {say('PL201')}{urls_naming(config, moved)}"), ports=gap)


def _written_at(config, port: int):
    """Where ``port`` is written in this file: its PORTS entry, else the use that takes it (or whose
    increment_var copies take it), else PORTS itself."""
    if config.ports is not None:
        for entry in config.ports.entries:
            if port in entry.ports and entry.span is not None and entry.span.source is config.source:
                return entry.span
    for exact in (True, False):
        for process in config.processes:
            for use in process.occupying_uses():
                span = use.written_span if exact else use.span
                if span is not None and span.source is config.source and \
                        port in (use.valid_ports if exact else process.occupied(use)):
                    return span
    return config.ports.span if config.ports is not None else None


def _range_name(settings, port: int) -> str | None:
    for name, low, high in settings.ranges:
        if low <= port <= high:
            return f"the {name} range {low}-{high}"
    return None


class PortOutOfRange(Rule):
    """Every port lies in the range of the config's role.

    The policy splits the space: core services 5554-5560, reserved for extensions 5561-5569, user
    applications 5570-5599. A config's role is ``auto`` unless the settings say ``user``,
    ``core``, ``reserved`` or ``any`` (any configured range), for all files (``role``) or by path
    (``per-file-roles``), or ``--role`` does: ``auto`` is ``core`` for PortOS's own config (every
    process named ``portos-*``) and ``user`` for every other; the summary says when it was inferred. Extra ports that ``instances`` take through ``increment_var`` count.
    A literal that is also well-known is reported once, by PL301; a literal out of range is
    reported here and not also by PL402 (one change, a PORTS entry in the range, cures both).

    Options:
        role, per-file-roles, ranges

    Bad:
        const PORTS = {
          API: 5555 // REST API, but 5555 belongs to PortOS itself
        };
        module.exports = { PORTS, apps: [{ name: 'api', env: { PORT: PORTS.API } }] };

    Good:
        const PORTS = {
          API: 5575 // REST API
        };
        module.exports = { PORTS, apps: [{ name: 'api', env: { PORT: PORTS.API } }] };
    """

    code, name, severity = "PL202", "port-out-of-range", "error"

    def check(self, config):
        settings = config.settings
        role = config.role
        allowed = settings.allowed_range(role)
        if not allowed:
            return
        wanted = listed((f"the {n} range {lo}-{hi}" for n, lo, hi in allowed), sep=" or ")

        def outside(port: int) -> bool:
            return 1 <= port <= 65535 and not any(lo <= port <= hi for _, lo, hi in allowed)

        def explain(port: int) -> str:
            lies = _range_name(settings, port)
            return f"in {lies}" if lies else "outside every configured range"

        from .grouping import by_finding, here, no_room, places, urls_naming, who
        from .pl3_well_known import held_by_ports

        room = no_room(config, allowed)
        if config.ports is not None:
            for entry in config.ports.entries:
                if entry.span is None or entry.span.source is not config.source or entry.connection:
                    continue  # a connection-only entry is a service's port, not one this config allocates
                bad = [p for p in sorted(entry.ports) if outside(p)]
                if bad:
                    users = users_of(config, entry)
                    yield relate_uses(self.report(entry.span, (
                        f"{entry.reference} is {_ports(bad)}{used_by(users)}, {explain(bad[0])}; "
                        f"{room or say('PL202-entry', a_role=_a(role), wanted=wanted)}{urls_naming(config, bad)}"),
                        ports=bad), users)
        occupying = [u for p in config.processes for u in p.occupying_uses() if u.span is not None]
        own = [u for u in occupying if u.entry is None and not held_by_ports(config, u)]
        for span, group in by_finding(own):
            bad = [p for p in sorted(group[0].ports) if outside(p)]
            extra = _extra_outside(group, outside)
            if bad:
                process = group[0].process
                copies = (f" (its {process.counted.describe()} take {compact(sorted(process.occupied(group[0])))} "
                          "through increment_var)") if extra else ""
                yield relate_uses(self.report(span, (
                    f"{who(group, 'uses')} {_ports(bad)} in {places(group)}{copies}, {explain(bad[0])}; "
                    f"{room or say(row_for(config, 'PL202-use'), a_role=_a(role), wanted=wanted, here=here(group))}"
                    f"{urls_naming(config, bad, group)}"), ports=sorted(set(bad) | set(extra))), group)
            elif extra:
                yield self.report(span, _instances_message(group, extra, wanted), ports=extra)
        by_reference = [u for u in occupying if u not in own]
        for span, group in by_finding(by_reference, lambda u: u.span):
            extra = _extra_outside(group, outside)
            if extra:
                yield self.report(span, _instances_message(group, extra, wanted), ports=extra)


def _ports(ports) -> str:
    return " and ".join(map(str, ports))


def _extra_outside(group, outside) -> list[int]:
    """The ports outside the range that the copies ``increment_var`` adds take, over a group."""
    return sorted({p for u in group for p in u.process.occupied(u) - set(u.ports) if outside(p)})


def _instances_message(group, extra, wanted: str) -> str:
    counted = group[0].process.counted
    which = "which also take" if counted.expanded == counted.count else f"whose first {counted.expanded} alone also take"
    return (f"{names(group)} runs {counted.describe()} with increment_var {group[0].process.increment_var!r}, "
            f"{which} {compact(extra)}, outside {wanted}; start lower or run fewer instances")


class PortCollision(Rule):
    """No two processes use the same port, in one config or across all configs of the run.

    Two processes on one port means the second fails with EADDRINUSE, or, worse, PortOS and the
    people reading its apps list are told the wrong thing. portlint compares every config it lints
    in one run, so run it over the whole tree. A process listed by two configs (one requiring the
    other, or variants such as ``ecosystem.dev.config.cjs`` in the same folder) is one process.
    Only listeners collide: a UI's ``VITE_API_PORT: PORTS.API`` or an ``API_URL`` naming the
    server's port is a reference to it, and a PORTS entry several processes use through keys other
    than ``PORT``/``port``/``--port``/``ports`` (``CDP_PORT`` in a server and its browser) is one
    shared allocation. Connection ports are not compared: many apps may connect to 5432. Each
    environment is judged on its own.

    Bad:
        const PORTS = {
          API: 5570 // REST API
        };
        module.exports = { PORTS, apps: [
          { name: 'api', env: { PORT: PORTS.API } },
          { name: 'worker', env: { PORT: PORTS.API } },
        ] };

    Good:
        const PORTS = {
          API: 5570, // REST API
          WORKER: 5571 // worker health endpoint
        };
        module.exports = { PORTS, apps: [
          { name: 'api', env: { PORT: PORTS.API } },
          { name: 'worker', env: { PORT: PORTS.WORKER } },
        ] };
    """

    code, name, severity = "PL203", "port-collision", "error"
    # With --portos-url, ports the live PortOS apps list shows count as taken too (a process of
    # the same name is taken to be this one).
    scope = "project"

    def check_project(self, summaries, context):
        from portlint.model.claim_index import ClaimIndex

        summaries = sorted(summaries, key=lambda s: s.path)
        earlier = ClaimIndex(summaries)  # every claim met so far, by port and environment
        reported: set[tuple] = set()
        pairs: set[tuple] = set()  # (port, process key, process key) of each pair already reported
        live: dict[int, list] = {}
        for item in context.external_ports:  # --portos-url: what PortOS already lists
            live.setdefault(item.port, []).append(item)
        for summary in summaries:
            severity = summary.severity_of(self.code, self.severity)
            for claim in summary.claims:
                port = claim.port
                others = [p for p in live.get(port, ()) if p.process != claim.process_name]
                if others and (claim.identity, port, "live") not in reported:
                    reported.add((claim.identity, port, "live"))
                    other = others[0]
                    label = f" as {other.label}" if other.label else ""
                    yield self.report_claim(claim, severity, (
                        f"port {port} of {claim.process} ({claim.where}) is already used{label} by "
                        f"process {other.process!r} of the PortOS app {other.app!r}; pick a free block "
                        "(`portlint --next-free N`)"))
                done = (claim.identity, port) in reported
                found = earlier.first(claim, summary, _asks(claim)) if not done else None
                earlier.add(claim, summary, _classes(claim))
                if found is None:
                    continue
                owner, owner_summary = found
                envs = _collide(owner, owner_summary, claim, summary)
                if not envs or any((port, x, y) in pairs for x in _process_keys(claim) for y in _process_keys(owner)):
                    continue  # one pair of processes, met again through a config that lists them too
                reported.add((claim.identity, port))
                pairs.update((port, x, y) for a, b in ((claim, owner), (owner, claim))
                             for x in _process_keys(a) for y in _process_keys(b))
                everywhere = set(owner_summary.environments) | set(summary.environments)
                named = [e for e in envs if e]
                when = "" if set(envs) == everywhere or not named else \
                    f" when started with --env {listed(named)}" if "" not in envs else ""
                diagnostic = self.report_claim(claim, severity, (
                    f"port {port} of {claim.process} ({claim.where}) is also used by "
                    f"{owner.process} ({owner.where}) at {owner.place}{when}; give each process its own port"))
                diagnostic.related = (Related(owner.path, owner.row, owner.column, owner.end_row, owner.end_column,
                                              f"{owner.process} listens on {port} here ({owner.where})"),)
                yield diagnostic


def _classes(claim) -> tuple:
    """The classes of claims a claim belongs to, for ``_asks``."""
    if not claim.binds:
        return ("every",)
    return ("every", "binding", "binding copy") if claim.copy else ("every", "binding")


def _asks(claim) -> str:
    """The class of earlier claims ``_collide`` can pair with ``claim``: a claim that binds its port
    meets the others that bind it (an increment_var copy meets every claim); one that only names it
    (a WS_PORT-style key) meets only the copies of another process."""
    if not claim.binds:
        return "binding copy"
    return "every" if claim.copy else "binding"


def _process_keys(claim) -> tuple:
    """What makes two claims one process (``PortClaim.same_process``): its identity, or its variant."""
    return (("identity", claim.identity), ("variant", claim.variant)) if claim.variant else (("identity", claim.identity),)


def _collide(a, a_summary, b, b_summary) -> list[str]:
    """The environments in which claims ``a`` and ``b`` are two processes listening on one port
    (none when they are one process, one shared entry, or one refers to the other)."""
    if a.same_process(b):
        return []
    if not a.binds and not b.binds:
        return []  # two keys other than PORT/port/--port/ports: a shared port, or references
    if (not b.binds and not a.copy) or (not a.binds and not b.copy):
        return []  # the other *_PORT key names the port this process binds: a reference
    environments = sorted(a_summary.known() | b_summary.known())
    return b_summary.holds_in(b, a_summary.holds_in(a, environments))


class InstancesSharePort(Rule):
    """A fork-mode process with several instances does not give them all one fixed port.

    In fork mode every instance is its own process: with ``instances: 4`` and ``PORT: 5570`` all
    four try to bind 5570 and three crash-loop with EADDRINUSE. Fork mode is what PM2 decides: an
    explicit ``exec_mode: 'fork'``, an interpreter other than Node.js or Bun (a ``.py`` script, a
    script with spaces, ``interpreter: 'none'``), or ``instances`` below -1. A Node.js app with
    ``instances`` set and no ``exec_mode`` runs in cluster mode, where the workers share the
    port: that is fine. Use ``exec_mode: 'cluster'`` (Node.js apps) or ``increment_var: 'PORT'``
    (5570, 5571, ... one each; allocate the whole block). ``'max'``, ``0`` and ``-1`` start one
    instance per CPU (``-1``: one fewer); the ``cpus`` setting says how many CPUs to count.

    Options:
        cpus

    Bad:
        const PORTS = {
          API: 5570 // REST API
        };
        module.exports = { PORTS, apps: [
          { name: 'api', script: 'api.js', instances: 4, exec_mode: 'fork', env: { PORT: PORTS.API } },
        ] };

    Good:
        const PORTS = {
          API: 5570 // REST API
        };
        module.exports = { PORTS, apps: [
          { name: 'api', script: 'api.js', instances: 4, exec_mode: 'cluster', env: { PORT: PORTS.API } },
        ] };
    """

    code, name, severity = "PL204", "instances-share-port", "error"

    def check(self, config):
        for process in config.processes:
            if process.exec_mode != "fork" or process.instances is None:
                continue
            count = process.instance_count
            if count is None or count < 2:
                continue
            shown = process.counted.describe()
            cluster = "`exec_mode: 'cluster'`" if process.interpreter in ("node", "bun") else ""
            for use in process.occupying_uses():
                if use.span is None or not use.ports or use.increments:
                    continue
                port = listed(sorted(use.ports), sep="/")
                yield self.report(use.span, (
                    f"{process.display_name} runs {shown} in fork mode ({process.exec_mode_reason}) that all "
                    f"bind {port} from {use.where}, so all but one fail with EADDRINUSE; {_one_port_each(use, cluster)}"), ports=use.ports)


def _one_port_each(use, cluster: str) -> str:
    """How the copies of a fork-mode app stop sharing the port of ``use``."""
    if use.site.inspector:
        return "debug one instance at a time" + (f", or set {cluster}" if cluster else "")
    if use.site.in_env or use.site.field is Field.PORT:
        key = use.key if use.site.in_env else "PORT"
        return f"set {cluster + ' or ' if cluster else ''}`increment_var: '{key}'`"
    # --port in args or in a script: increment_var counts an env variable, never an argument
    return (f"{'set ' + cluster + ', or ' if cluster else ''}take the port from env (`PORT: ...`) with "
            "`increment_var: 'PORT'` instead of --port")


def _a(role: str) -> str:
    """``a user``, ``an any``: the role with its article."""
    return f"{'an' if role[:1] in 'aeio' else 'a'} {role}"  # a user, a core, an any
