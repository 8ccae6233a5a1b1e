"""PL5: labels and what PortOS can see."""
from portlint import words
from portlint.model.portos import DERIVED_LABELS
from portlint.model.portos_scan import STEPS
from portlint.rule import Rule


#: Env keys whose name the user cannot choose, because the program that listens reads exactly that
#: name: PL501 leaves their labels alone (renaming the key would break the app), and no message
#: advises renaming them. Their ports carry the label PortOS gives them.
FIXED_KEYS: dict[str, str] = {
    "PM2_SERVE_PORT": "`pm2 serve` (script: 'serve'), PM2's static file server",
    "NITRO_PORT": "Nitro servers, such as a built Nuxt app",
    "NUXT_PORT": "the Nuxt dev server",
    "N8N_PORT": "n8n",
    "STREAMLIT_SERVER_PORT": "Streamlit",
    "GF_SERVER_HTTP_PORT": "Grafana",
}


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

    Keys whose name the program that listens fixes are left alone, since renaming them would break
    the app: ``PM2_SERVE_PORT`` (``pm2 serve``), ``NITRO_PORT`` (Nitro, a built Nuxt app),
    ``NUXT_PORT`` (the Nuxt dev server), ``N8N_PORT`` (n8n), ``STREAMLIT_SERVER_PORT`` (Streamlit)
    and ``GF_SERVER_HTTP_PORT`` (Grafana). PortOS lists their ports under the label it derives
    (``pm2Serve``, ...).

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
                if use.site.in_env and use.key.upper() in FIXED_KEYS:
                    continue  # the program reads that very name: there is nothing to rename
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
    main file lists the same process and port). The message says what PortOS reads instead and
    gives a form it reads; ``portlint --map`` shows the whole list PortOS will show. Environments
    are alternatives and PortOS keeps one port per label (the last of ``env``, ``env_development``,
    ``env_production``), so a port of one environment is not reported when PortOS lists the process
    under that label with its port of another (``env_staging.PORT`` beside ``env.PORT``, the
    ``port`` field beside ``env_production.PORT``); a process PortOS lists with no port for it is.
    Ports PM2 never applies are not judged either. One cause is
    one finding: the apps a ``.map()`` builds from one object are named in one diagnostic, and a
    wrapped PORTS (``Object.freeze({...})``) is one diagnostic at the wrapper, naming every port it
    hides. Connection ports are
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

    code, name, severity = "PL502", "invisible-to-portos", "warning"
    __doc__ = __doc__.replace("    Two forms have a fix", "    PortOS's detector, step by step (read from the model of its scan, "
                              "portlint/model/portos_scan.py):\n\n" + "".join(
                                  f"    {n}. {step}\n\n" for n, step in enumerate(STEPS, 1)) + "    Two forms have a fix")

    def check(self, config):
        from portlint.model import portos_reasons as why
        from portlint.model.portos import view_of

        view = view_of(config)
        if not view.own:
            yield from self._check_variant(config, view)
            return
        wrapped = why.ports_hidden_by_wrapper(config)  # Object.freeze({...}): one cause for every entry
        found: dict[tuple, list] = {}  # (place, what) -> [(process, use, finding)]: one per place and reason
        for process in config.processes:
            for span, use, finding in self._check_process(config, view, process):
                if wrapped and use is not None and use.entry is not None and finding.wrapper:
                    span = wrapped
                key = (span.start, span.end, finding.reason if not finding.wrapper else "wrapper")
                found.setdefault(key, []).append((span, process, use, finding))
        for items in found.values():
            span, _, _, finding = items[0]
            processes = [process for _, process, _, _ in items]
            uses = [use for _, _, use, _ in items if use is not None]
            ports = sorted({p for *_, f in items for p in f.ports})
            if finding.wrapper and span is wrapped:
                diagnostic = self.report(span, _wrapper_message(items), ports=ports)
                diagnostic.cause = "ports-form"  # how PORTS is written: one change cures every port
            else:
                diagnostic = self.report(span, finding.message(processes, uses, [f for *_, f in items]), ports=ports)
                diagnostic.cause = finding.cause
                if len(items) == 1:
                    diagnostic.fix = finding.fix
            for use in uses:
                diagnostic.relate(use.span, f"{use.process.display_name} gets it in {use.where}")
            yield diagnostic

    def _check_process(self, config, view, process):
        """(place, use, _Finding) for each port of the process PortOS will not list as portlint does."""
        from portlint.model import portos_reasons as why
        from portlint.model.portos import listening_uses
        from portlint.model.types import Field

        uses = [u for u in listening_uses(process) if u.span.source is config.source and u.valid_ports
                and not u.site.inspector]  # a debugger port: PortOS never lists it, and should not
        if not uses:
            return
        app = view.app_at(process)
        listed = view.listed_for(process)
        if view.own and app is None and not listed:
            ports = sorted(set().union(*(u.valid_ports for u in uses)))
            span = process.name_span or process.span or uses[0].span
            yield span, None, _NotFound(_name_problem(config, process), ports)
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
            ports = hidden or [port]
            if shown:
                yield use.span, use, _Finding(ports, (
                    f"will show in the PortOS apps list as {shown[0]!r}, not {use.label!r}: "
                    f"{_label_reason(view, app, shown[0], use.label)}"), cause="label")
            elif app is not None and app.name != process.name and port in app.ports.values():
                yield use.span, use, _Finding(ports, (
                    f"will show in the PortOS apps list under process {app.name!r}, not {process.display_name!r}: "
                    "PortOS takes the name from the first quoted text after `name:`; write the name as one plain "
                    "string"))
            elif not why.overridden_by_later_env(app, use, port) and not _shown_for_another_environment(
                    process, use, listed):  # env vs env_production: alternatives
                reason = why.unlisted(config, view, app, process, use, port)
                cause = label_cause(use.label, process.display_name) if _label_taken(process, use, port) else ""
                if process.serve and use.site.field is Field.SCRIPT:
                    cause = "value"  # a default port written nowhere: PL301's "set PM2_SERVE_PORT" cures both
                yield use.span, use, _Finding(
                    ports, f"will not show in the PortOS apps list: {reason}", cause=cause,
                    fix=_fix(config, process, use, port), wrapper=why.is_wrapper_reason(reason))

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
            diagnostic = self.report(use.span, (
                (f"none of the {total} port uses in this file will show" if total != 1 else
                 "the one port use in this file will not show") +
                f" in the PortOS apps list: {why.not_in_file(view, None, None, one=total == 1)}"),
                ports={p for _, _, missing in hidden for p in missing})
            diagnostic.cause = "file"  # the file's name or kind: one move cures every port of it
            yield diagnostic
            return
        for span, group in _by_place([(use.span, (process, use, missing)) for process, use, missing in hidden]):
            process, use, missing = group[0]
            who = _names([p for p, _, _ in group])
            yield self.report(span, (
                f"{who}'s port {missing[0]} ({use.where}) will not show in the PortOS apps list: "
                f"{why.not_in_file(view, process, missing[0])}"), ports=missing[:1])


class _Finding:
    """What PL502 says about one port of one process, before the processes of one place are joined."""

    def __init__(self, ports, reason: str, cause: str = "", fix=None, wrapper: bool = False):
        self.ports = ports
        self.reason = reason
        self.cause = cause
        self.fix = fix
        self.wrapper = wrapper

    def message(self, processes, uses, findings) -> str:
        ports = sorted({p for f in findings for p in f.ports})
        where = words.listed(dict.fromkeys(u.where for u in uses), sep=" and ")
        many = len(ports) > 1
        return f"{_names(processes)}'s port{'s' if many else ''} {words.listed(ports, sep='/')} ({where}) {self.reason}"


class _NotFound(_Finding):
    def __init__(self, problem: tuple[str, str], ports):
        super().__init__(ports, problem[0])
        self.problem = problem

    def message(self, processes, uses, findings) -> str:
        what, advice = self.problem
        many = len(processes) > 1
        ports = words.listed(sorted({p for f in findings for p in f.ports}))
        return (f"PortOS finds an app only where an object opens with `name: '...'` (an unquoted key and a quoted "
                f"string); {what}, so {_names(processes)} and {'their' if many else 'its'} ports ({ports}) will "
                f"not show in its apps list; {advice}" + (
                    " (apps a `.map()` builds from one object cannot each have one: write them out, or mark the "
                    "line `// noqa: PL502` if PortOS need not list them)" if many and "plain string" in advice else ""))


def _wrapper_message(items) -> str:
    from portlint.model.portos_reasons import _WRAPPER

    lost = list(dict.fromkeys(f"{use.process.display_name}'s {words.listed(f.ports, sep='/')} ({use.where})"
                              for _, _, use, f in items))
    listed = words.listed(lost, last=" and ")
    return f"none of the ports taken from PORTS will show in the PortOS apps list ({listed}): {_WRAPPER}"


def _names(processes) -> str:
    return words.listed(dict.fromkeys(p.display_name for p in processes), last=" and ")


def _by_place(items):
    groups: dict[tuple, tuple] = {}
    for span, item in items:
        groups.setdefault((span.start, span.end), (span, []))[1].append(item)
    return list(groups.values())


def _name_problem(config, process) -> tuple[str, str]:
    """(what PortOS cannot read about the app's name, what to write) for an app it does not find."""
    import re

    span = process.name_span
    if span is None or span.source is not config.source:
        return ("here the app's name is not written in its object (it comes from a spread or a variable)",
                "write `name: '...'` as the object's first key")
    before = span.source.text[:span.start]
    key = re.search(r"(['\"]?)name\1\s*:\s*$", before)
    if key is None:
        return ("here the name is not written as `name: ...` in the app's object", "write `name: '...'` as its first key")
    if not re.search(r"\{\s*$", before[:key.start()]):
        return ("here `name` is not the first key of the object", "make `name: '...'` the first key")
    if key.group(1):
        return ("here the key is quoted", "write it without quotes: `name: '...'`")
    if span.text[:1] not in "'\"":
        shown = span.text if span.text.startswith("`") else f"`{span.text}`"
        return (f"here the name is computed ({shown}), which PortOS cannot read", "write the name as a plain string")
    return ("here PortOS does not find where the app's object ends", "write the app as a plain object literal")


def _label_taken(process, use, port: int) -> bool:
    """Another port of this process has the label ``use`` gives in an environment where both apply
    (PL503's finding at the same place); environments are alternatives, never live together."""
    mine = process.environments_of(use)
    return any(u is not use and u.label == use.label and port not in u.valid_ports and u.valid_ports
               and process.environments_of(u) & mine for u in process.occupying_uses())


def _shown_for_another_environment(process, use, listed) -> bool:
    """PortOS lists, under this use's label, the port the process takes in an environment where this
    use does not apply (``port: PORTS.API`` for no --env, ``env_production.PORT`` in production):
    environments are alternatives and PortOS keeps one value per label, so the process is in the
    list with one of its ports, which no form of this one changes."""
    from portlint.model.portos import listening_uses

    mine = process.environments_of(use)
    return any(other is not use and other.label == use.label and not process.environments_of(other) & mine
               and any(use.label in listed.get(p, ()) for p in other.valid_ports)
               for other in listening_uses(process))


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
    if process.serve:
        return None  # PL502-serve: see the advice table
    if use.site.field in (Field.ARGS, Field.PORT):
        key = why.env_key_for(process, use.label)
        if process.has_env_key(key):
            return None
        if why.env_object(config, process, key, reference) != "its env":
            return None  # the env object is shared with other apps: adding the key there is not this app's
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
        return "PortOS relabels a Vite process's ui port devUi when any process of the file has an api port"
    from portlint.model.portos_scan import file_has_api

    if mine == "devUi" and not file_has_api(view.apps):
        return ("PortOS relabels ui as devUi only when some process of the file has an api port it can read, and "
                "here none has; once the api port is in a form PortOS reads, it shows devUi")
    if mine == "devUi":
        return "PortOS relabels ui as devUi only for a process whose block has the word `vite` or VITE_PORT"
    if mine == "health" and shown == "api":
        return "PortOS names PORT health only for a -browser process whose CDP_PORT it reads"
    stage = app.stage if app is not None else "none"
    what = {"ports": "its ports object", "ports-ref": "the PORTS object its `ports` names", "env": "its env key",
            "args": "`--port` in its args", "port": "its `port` field"}.get(stage, "how the port is written")
    return f"that is the label PortOS gives a port found through {what}"


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

        from .grouping import places

        done: dict[tuple, list] = {}  # apps a .map() builds from one template: one finding at the template
        pending: list[tuple] = []
        for process in config.processes:
            # one conflict (a label, two ports, two keys) in env and env_production is one finding
            found: dict[tuple, list[tuple]] = {}
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
                        key = (use.label, earlier[0], port, earlier[1].key, use.key)
                        found.setdefault(key, []).append((environment, use, earlier[1]))
            for (label, earlier_port, port, _, _), seen in found.items():
                use, earlier = seen[0][1], seen[0][2]
                place = (use.span.start, earlier.span.start if earlier.span else None, label)
                if place in done:
                    done[place].append(process.display_name)
                    continue
                where = [e for e, _, _ in seen]
                named = [e for e in where if e]
                when = "" if len(where) == len(environments) or not named else \
                    " when started with " + words.listed((f"--env {e}" for e in named), sep=" or ")
                done[place] = [process.display_name]
                uses = list(dict.fromkeys(u for _, u, _ in seen))
                earliers = list(dict.fromkeys(e for _, _, e in seen))
                pending.append((place, use, uses, (
                    f"gets two ports labelled {label!r}{when}: {earlier_port} from "
                    f"{places(earliers)} and {port} from {places(uses)}; PortOS shows one port per label, so use "
                    "the same port or a different key for the second"), (earlier_port, port)))
        for place, use, uses, message, ports in pending:
            who = done[place]
            also = f" (and {words.listed(who[1:])}, built from the same template)" if len(who) > 1 else ""
            diagnostic = self.report(use.span, f"{who[0]}{also} {message}", ports=ports)
            diagnostic.cause = label_cause(use.label, who[0])
            for other in uses[1:]:
                diagnostic.relate(other.span, f"{who[0]} gets it again in {other.where}")
            yield diagnostic


def label_cause(label: str, process: str) -> str:
    """The root cause 'one process, two ports under one label', wherever PL503 and PL502 say it."""
    return f"label@{process}/{label}"
