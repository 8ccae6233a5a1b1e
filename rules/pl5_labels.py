"""PL5: labels and what PortOS can see."""
from portlint.model.portos import DERIVED_LABELS
from portlint.model.portos_scan import STEPS
from portlint.rule import Rule
from portlint import words


class NonStandardLabel(Rule):
    """Every port's label, as the PortOS apps list will show it, is one of the configured labels.

    PortOS shows each port under a label it derives from the env key: ``PORT`` is ``api`` (``ui``
    for ``-ui``/``-client`` processes), ``CDP_PORT`` is ``cdp``, ``VITE_PORT`` is ``ui``, and any
    other ``FOO_BAR_PORT`` is ``fooBar``. A per-app ``ports`` object names labels directly. A label
    outside the common set makes the apps list harder to read; ``devUi``, which PortOS derives for
    a Vite UI beside an API, counts as ``ui``. The label judged is the one PortOS will list (where
    it lists the port; else portlint's own). Labels belong to listeners: a UI's
    ``VITE_API_PORT: PORTS.API`` names the API's port and is not a label of the UI. One label in
    ``env`` and ``env_production`` (or in every app a ``.map()`` builds) is one finding.

    Options:
        labels: the label set (default: api, ui, cdp, health, ws, db)

    Bad:
        const PORTS = {
          API: 5570, // REST API
          METRICS: 5571 // Prometheus metrics
        };
        module.exports = { PORTS, apps: [
          { name: 'api', env: { PORT: PORTS.API, METRICS_PORT: PORTS.METRICS } }
        ] };

    Good:
        const PORTS = {
          API: 5570, // REST API
          HEALTH: 5571 // health check
        };
        module.exports = { PORTS, apps: [
          { name: 'api', env: { PORT: PORTS.API, HEALTH_PORT: PORTS.HEALTH } }
        ] };
    """

    code, name, severity = "PL501", "non-standard-label", "warning"

    def check(self, config):
        from portlint.model.portos import listening_uses, view_of
        from portlint.model.types import Kind, by_place, names

        labels = set(self.settings.labels)
        view = view_of(config)
        groups: dict[tuple, list] = {}  # one process's label in env and env_production: one finding
        for process in config.processes:
            for use in listening_uses(process):  # labels belong to listeners, not references
                shown = [view.label_of_use(process, use, port) for port in sorted(use.valid_ports)]
                shown = [label for label in shown if label is not None]
                for label in dict.fromkeys(shown or ([use.label] if use.label else [])):
                    if DERIVED_LABELS.get(label, label) in labels:
                        continue
                    shared = use.kind is Kind.SHARED and use.entry is not None  # one entry: one finding
                    key = (label, bool(shown), id(use.entry) if shared else id(process))
                    groups.setdefault(key, []).append(use)
        keys = {id(group[0]): key for key, group in groups.items()}
        for span, firsts in by_place([g[0] for g in groups.values()], lambda u: u.span):
            label, shown, _ = keys[id(firsts[0])]
            uses = [u for first in firsts for u in groups[keys[id(first)]]]
            where = words.listed(dict.fromkeys(u.where for u in uses), sep=" and ")
            how = "PortOS will list it as" if shown else "it is labelled"
            yield self.report(span, (
                f"{names(uses)} port from {where}: {how} {label!r}, which is not one of the "
                f"labels {words.listed(self.settings.labels)}; use a standard label or add {label!r} to the "
                "`labels` setting"), ports={port for u in uses for port in u.valid_ports})


class InvisibleToPortos(Rule):
    """Every port a process listens on shows in the PortOS apps list, under that process and label.

    PortOS never runs a config: it scans the text of ``ecosystem.config.js`` (or, when there is no
    ``.js``, ``ecosystem.config.cjs``) with patterns. It finds an app wherever ``{ name: '...'``
    opens one (an unquoted ``name`` first); it reads a literal per-app ``ports`` object first (or
    ``ports: PORTS.key``), else the ``env``, ``env_development`` and ``env_production`` blocks (keys
    ``PORT`` and ``*_PORT``, values that are plain numbers, ``... || N`` fallbacks or known
    constants such as ``PORTS.X``), else ``--port N`` in a plain args string, else a ``port: N``
    field. Anything else is invisible: template-literal or array ``args``, ``--port=N``, quoted
    numbers, other ``env_<name>`` blocks and ``deploy.<env>.env``, computed values, and every
    ``.json``, ``.mjs`` or differently named file (a variant file's ports show when the folder's
    main file lists the same process and port). The message names the detector step and a form
    PortOS reads; ``portlint --map`` shows the whole list PortOS will show. Connection ports are
    not the app's own and are not reported, nor is a debugger port (``--inspect=N`` in
    ``node_args``): it is a development port PortOS never lists, and should not.

    Two forms have a fix: template-literal ``args`` get the env key PortOS reads
    (``VITE_PORT: PORTS.UI`` for a Vite process, else ``PORT``; safe), and
    ``PORT: process.env.PORT || PORTS.API`` becomes ``PORT: PORTS.API`` (unsafe: the environment no
    longer overrides the port). Where no form helps, there is no fix and the message says so.

    Bad:
        const PORTS = {
          API: 5570 // REST API
        };
        module.exports = { PORTS, apps: [{ name: 'api', env_staging: { PORT: PORTS.API } }] };

    Good:
        const PORTS = {
          API: 5570 // REST API
        };
        module.exports = { PORTS, apps: [{ name: 'api', env: { PORT: PORTS.API } }] };
    """

    code, name, severity, fixable = "PL502", "invisible-to-portos", "warning", "safe"
    __doc__ = __doc__.replace("    Two forms have a fix", "    PortOS's detector, step by step (the numbers the messages cite; read from the model of its "
                              "scan, portlint/model/portos_scan.py):\n\n" + "".join(
                                  f"    {n}. {step}\n\n" for n, step in enumerate(STEPS, 1)) + "    Two forms have a fix")

    def check(self, config):
        from portlint.model.portos import view_of

        view = view_of(config)
        if not view.own:
            yield from self._check_variant(config, view)
            return
        seen: set[tuple] = set()  # a deploy env shared by every app is reported once
        for process in config.processes:
            for diagnostic in self._check_process(config, view, process):
                key = (diagnostic.row, diagnostic.column, diagnostic.message.split(": ", 1)[-1])
                if key not in seen:
                    seen.add(key)
                    yield diagnostic

    def _check_process(self, config, view, process):
        from portlint.model import portos_reasons as why
        from portlint.model.portos import listening_uses

        uses = [u for u in listening_uses(process) if u.span.source is config.source and u.valid_ports
                and not u.site.inspector]  # a debugger port: PortOS never lists it, and should not
        if not uses:
            return
        app = view.app_at(process)
        listed = view.listed_for(process)
        if view.own and app is None and not listed:
            ports = sorted(set().union(*(u.valid_ports for u in uses)))
            yield self.report(process.name_span or process.span or uses[0].span, (
                f"PortOS finds an app only where `{{ name: '...'` opens it (an unquoted name key, first, with a "
                f"quoted string: step 3); {process.display_name} and its ports ({words.listed(ports)}) will "
                "not show in its apps list; make `name: '...'` the first key"), ports=ports)
            return
        by_port: dict[int, list] = {}
        for use in uses:
            for port in sorted(use.valid_ports):
                by_port.setdefault(port, []).append(use)
        reported: set[int] = set()  # one diagnostic per use, naming every port of it PortOS drops
        for port, port_uses in by_port.items():
            mine = {u.label for u in port_uses}
            shown = listed.get(port, [])
            if shown and (mine & set(shown) or not mine - {""}):
                continue
            if shown == ["ui"] and mine == {"devUi"} and _api_hidden(config, view):
                continue  # one cause: the api port PortOS cannot read is reported where it is written
            use = port_uses[0]
            if id(use) in reported:
                continue
            reported.add(id(use))
            hidden = [p for p in sorted(use.valid_ports) if not listed.get(p)] if not shown else [port]
            head = f"{process.display_name}'s port {words.listed(hidden or [port], sep='/')} ({use.where})"
            if shown:
                yield self.report(use.span, (
                    f"{head} will show in the PortOS apps list as {shown[0]!r}, not {use.label!r}: "
                    f"{_label_reason(view, app, shown[0], use.label)}"), ports=[port])
            elif app is not None and app.name != process.name and port in app.ports.values():
                yield self.report(use.span, (
                    f"{head} will show in the PortOS apps list under process {app.name!r}, not "
                    f"{process.display_name!r}: PortOS takes the name from the first quoted text after `name:` "
                    "(step 3); write the name as one plain string"), ports=[port])
            elif not why.overridden_by_later_env(app, use, port):  # env vs env_production: alternatives
                diagnostic = self.report(use.span, f"{head} will not show in the PortOS apps list: "
                                                   f"{why.unlisted(config, view, app, process, use, port)}",
                                         ports=hidden or [port])
                diagnostic.fix = _fix(config, process, use, port)
                yield diagnostic

    def _check_variant(self, config, view):
        """A file PortOS does not read: its ports show only where the file PortOS reads lists them."""
        from portlint.model import portos_reasons as why
        from portlint.model.portos import listening_uses

        hidden = []
        total = 0
        for process in config.processes:
            listed = view.listed_for(process)
            for use in listening_uses(process):
                if use.span.source is not config.source or not use.valid_ports or use.site.inspector:
                    continue
                total += 1
                missing = sorted(p for p in use.valid_ports if p not in listed)
                if missing:
                    hidden.append((process, use, missing))
        if hidden and len(hidden) == total:
            process, use, _ = hidden[0]
            yield self.report(use.span, (
                (f"none of the {total} port uses in this file will show" if total != 1 else
                 "the one port use in this file will not show") +
                f" in the PortOS apps list: {why.not_in_file(view, None, None, one=total == 1)}"),
                ports={p for _, _, missing in hidden for p in missing})
            return
        for process, use, missing in hidden:
            yield self.report(use.span, (
                f"{process.display_name}'s port {missing[0]} ({use.where}) will not show in the PortOS apps list: "
                f"{why.not_in_file(view, process, missing[0])}"), ports=missing[:1])


def _api_hidden(config, view) -> bool:
    """PortOS finds no api port in the file, though a process of it listens on one: the devUi
    relabelling then fails only because of that port, which PL502 reports at its own place."""
    from portlint.model.portos import listening_uses

    from portlint.model.portos_scan import file_has_api

    if file_has_api(view.apps):
        return False
    return any(u.label == "api" for p in config.processes for u in listening_uses(p))


def _fix(config, process, use, port: int):
    """The fix of the two forms that have one (see the advice table): template args get the env
    key PortOS reads; ``process.env.X || PORTS.KEY`` becomes ``PORTS.KEY``."""
    from portlint.evaluator.values import EnvDefault
    from portlint.fix.apply import Edit, Fix
    from portlint.fix.edits import add_env_key, env_override_fix, reference_allowed_at
    from portlint.model import portos_reasons as why
    from portlint.model.advice import ROWS
    from portlint.model.types import Field

    reference = why.reference(config, use, port)
    if not reference.startswith("PORTS."):
        return None
    if use.site.field in (Field.ARGS, Field.PORT):
        key = why.env_key_for(process, use.label)
        if any(u.site.in_env and u.key == key for u in process.uses):
            return None
        edits = add_env_key(config, process, key, reference)
        # PM2 copies `port` into env.PORT: the same meaning; beside args the key is new to the process
        row = "PL502-port-field" if use.site.field is Field.PORT else "PL502-template-args"
        return Fix(ROWS[row].fix, f"Add {key}: {reference} to the env of {process.display_name}",
                   tuple(edits)) if edits else None
    if use.site.in_env and use.site.field is Field.ENV and isinstance(use.value, EnvDefault):
        found = env_override_fix(config, use, reference)
        if found:
            return Fix(ROWS["PL502-env-default"].fix, f"Replace {found[0].text} with {reference}", tuple(found[1]))
    if use.site.in_env and why.computed_from_entry(use) and use.span.source is config.source \
            and reference_allowed_at(config, use.span.start) and use.entry.reference == reference:
        return Fix(ROWS["PL502-constant"].fix, f"Replace {use.span.text} with {reference}",
                   (Edit(use.span.start, use.span.end, reference),))
    return None


def _label_reason(view, app, shown: str, mine: str) -> str:
    if shown == "devUi":
        return ("PortOS relabels a Vite process's ui port devUi when any process of the file has an api port "
                "(step 11)")
    from portlint.model.portos_scan import file_has_api

    if mine == "devUi" and not file_has_api(view.apps):
        return ("PortOS relabels ui as devUi only when some process of the file has an api port it can read, and "
                "here none has (step 11); once the api port is in a form PortOS reads, it shows devUi")
    if mine == "devUi":
        return "PortOS relabels ui as devUi only for a process whose block has the word `vite` or VITE_PORT (step 10)"
    if mine == "health" and shown == "api":
        return "PortOS names PORT health only for a -browser process whose CDP_PORT it reads (step 7)"
    stage = app.stage if app is not None else "none"
    return f"that is the label PortOS's {stage} step gives it (steps 4-9)"


class LabelConflict(Rule):
    """One process does not get two different ports under the same label.

    PortOS keeps one port per label, so the second silently replaces the first in its apps list,
    and the people reading it are told the wrong port. Each environment PM2 can start the app in is
    checked on its own, with PM2's precedence (``deploy.<env>.env`` < ``env`` < ``port`` <
    ``env_<env>``), so ``env.PORT`` and ``env_production.PORT`` may differ; ``VITE_PORT`` and
    ``--port`` disagreeing, or ``PORT`` and ``HEALTH_PORT`` labelled alike, may not. Only the ports
    the process listens on count (a reference to another process's port has no label of its own);
    a conflict found in several environments is reported once, naming them.

    Bad:
        const PORTS = {
          UI: 5570, // Vite dev server
          UI_ALT: 5571 // what --port says
        };
        module.exports = { PORTS, apps: [
          { name: 'web-ui', args: `--port ${PORTS.UI_ALT}`, env: { VITE_PORT: PORTS.UI } },
        ] };

    Good:
        const PORTS = {
          UI: 5570 // Vite dev server
        };
        module.exports = { PORTS, apps: [
          { name: 'web-ui', args: `--port ${PORTS.UI}`, env: { VITE_PORT: PORTS.UI } },
        ] };
    """

    code, name, severity = "PL503", "label-conflict", "error"

    def check(self, config):
        from portlint.evaluator.values import possible_ports

        done: dict[tuple, list] = {}  # apps a .map() builds from one template: one finding at the template
        pending: list[tuple] = []
        for process in config.processes:
            found: dict[tuple, list[str]] = {}  # (use, earlier use) -> the environments it holds in
            environments = process.environments()
            for environment, uses in environments.items():
                first: dict[str, tuple] = {}
                for use in uses:
                    ports, known = possible_ports(use.value)
                    if not use.kind.occupies or not use.label or not known or len(ports) != 1 or use.span is None:
                        continue  # labels belong to listeners
                    port = next(iter(ports))
                    earlier = first.setdefault(use.label, (port, use))
                    if earlier[0] != port:
                        found.setdefault((use, earlier[1], earlier[0], port), []).append(environment)
            for (use, earlier, earlier_port, port), where in found.items():
                place = (use.span.start, earlier.span.start if earlier.span else None, use.label)
                if place in done:
                    done[place].append(process.display_name)
                    continue
                named = [e for e in where if e]
                when = "" if len(where) == len(environments) or not named else \
                    " when started with " + words.listed((f"--env {e}" for e in named), sep=" or ")
                done[place] = [process.display_name]
                pending.append((place, use, (
                    f"gets two ports labelled {use.label!r}{when}: {earlier_port} from "
                    f"{earlier.where} and {port} from {use.where}; PortOS shows one port per label, so use "
                    "the same port or a different key for the second"), (earlier_port, port)))
        for place, use, message, ports in pending:
            who = done[place]
            also = f" (and {words.listed(who[1:])}, built from the same template)" if len(who) > 1 else ""
            yield self.report(use.span, f"{who[0]}{also} {message}", ports=ports)
