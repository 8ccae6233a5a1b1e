"""PL5: labels and what PortOS can see."""
import re
from portlint.model.portos import DERIVED_LABELS
from portlint.rule import Rule


class NonStandardLabel(Rule):
    """Every port's label is one of the configured labels (``api, ui, cdp, health, ws, db``).

    PortOS shows each port under a label it derives from the env key: ``PORT`` is ``api`` (``ui``
    for ``-ui``/``-client`` processes), ``CDP_PORT`` is ``cdp``, ``VITE_PORT`` is ``ui``, and any
    other ``FOO_BAR_PORT`` is ``fooBar``. A per-app ``ports`` object names labels directly. A label
    outside the common set makes the apps list harder to read; ``devUi``, which PortOS derives for
    a Vite UI beside an API, counts as ``ui``. Labels belong to listeners: a UI's
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
        from portlint.model.types import Kind, by_place, names

        labels = set(self.settings.labels)
        groups: dict[tuple, list] = {}  # one process's label in env and env_production: one finding
        for use in config.uses():
            label = DERIVED_LABELS.get(use.label, use.label)
            if not use.kind.occupies or not use.label or label in labels or use.span is None:
                continue  # labels belong to listeners: a UI's VITE_API_PORT names the API's port
            shared = use.kind is Kind.SHARED and use.entry is not None  # one entry: one finding
            groups.setdefault((use.label, id(use.entry) if shared else id(use.process)), []).append(use)
        for span, firsts in by_place([g[0] for g in groups.values()], lambda u: u.span):
            uses = [u for group in groups.values() if group[0] in firsts for u in group]
            where = " and ".join(dict.fromkeys(u.where for u in uses))
            label = firsts[0].label
            yield self.report(span, (
                f"{names(uses)} port from {where} is labelled {label!r}, which is not "
                f"one of the labels {', '.join(self.settings.labels)}; use a standard label or add "
                f"{label!r} to the `labels` setting"))


PORTOS_FILE_NAMES = ("ecosystem.config.js", "ecosystem.config.cjs")
PORTOS_ENV_BLOCKS = ("env", "env_development", "env_production")


class InvisibleToPortos(Rule):
    """Every port is written in a form the PortOS detector can read, so its apps list shows it.

    PortOS never runs a config: it scans the text of ``ecosystem.config.js`` (or ``.cjs``) with
    patterns. It finds an app only where ``{ name: '...'`` opens it (an unquoted ``name`` first);
    it reads a literal per-app ``ports`` object first, else the ``env``, ``env_development`` and
    ``env_production`` blocks (keys ``PORT`` and ``*_PORT``, values that are plain numbers,
    ``... || N`` fallbacks or ``PORTS.X`` references), else ``--port N`` in a plain args string,
    else a ``port: N`` field. Anything else is invisible: template-literal or array ``args``,
    ``--port=N``, quoted numbers, other ``env_<name>`` blocks and ``deploy.<env>.env``, computed
    values, and every
    ``.json``, ``.mjs`` or differently named file. A port that PortOS already shows through
    another form of the same process is not reported. Connection ports are not the app's own and
    are not reported.

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

    def check(self, config):
        import os

        uses = [u for p in config.processes for u in p.occupying_uses()
                if u.span is not None and u.span.source is config.source]
        if not uses:
            return
        base = os.path.basename(config.path)
        shadowed = base == "ecosystem.config.cjs" and os.path.exists(os.path.join(os.path.dirname(config.path) or ".", "ecosystem.config.js"))
        if base not in PORTOS_FILE_NAMES or shadowed:
            why = ("ecosystem.config.js sits beside it and PortOS reads that one" if shadowed
                   else "PortOS reads only files named ecosystem.config.js or ecosystem.config.cjs")
            yield self.report(uses[0].span, (
                f"none of the {len(uses)} port use{'s' if len(uses) != 1 else ''} in this file will show in the "
                f"PortOS apps list: {why}; move the apps into ecosystem.config.cjs"))
            return
        seen: set[tuple] = set()  # a deploy env shared by every app is reported once
        for process in config.processes:
            for diagnostic in self._check_process(config, process):
                key = (diagnostic.row, diagnostic.column, diagnostic.message.split("'s port", 1)[-1])
                if key not in seen:
                    seen.add(key)
                    yield diagnostic

    def _check_process(self, config, process):

        uses = [u for u in process.occupying_uses() if u.span is not None and u.span.source is config.source]
        if not uses:
            return
        opening = process.span.text if process.span is not None and process.span.source is config.source else ""
        if not re.match(r"^\{\s*name\s*:\s*['\"]", opening):
            ports = sorted(set().union(*(u.ports for u in uses)))
            yield self.report(process.name_span or process.span or uses[0].span, (
                f"PortOS finds an app only where `{{ name: '...'` opens it (an unquoted name key, first, with a "
                f"quoted string); {process.display_name} and its ports ({', '.join(map(str, ports)) or 'computed'}) "
                "will not show in its apps list"))
            return
        visible, stage = portos_visible_ports(config, process)
        for use in uses:
            if not use.valid_ports or use.valid_ports <= visible:
                continue
            reason = invisible_reason(config, use, stage)
            port = "/".join(map(str, sorted(use.valid_ports)))
            yield self.report(use.span, (
                f"{process.display_name}'s port {port} ({use.where}) will not show in the PortOS apps list: "
                f"{reason}"))


def _captured(config, use) -> str:
    """The text PortOS reads as a value: from the value to the first comma, brace or newline."""
    
    text = config.source.text
    m = re.compile(r"[,}\n]").search(text, use.span.start)
    end = m.start() if m else len(text)
    return text[use.span.start:end].strip()


def _portos_reads_value(config, text: str) -> bool:
    
    if re.fullmatch(r"\d+", text):
        return True
    if re.search(r"\|\|\s*['\"]?\d+['\"]?\s*$", text):
        return True
    if re.fullmatch(r"PORTS(?:\.\w+)+", text) and config.ports is not None:
        entry = next((e for e in config.ports.entries if "PORTS." + e.key == text), None)
        return entry is not None and len(entry.ports) == 1
    if re.fullmatch(r"\w*PORT\w*", text):
        binding = config.info.bindings.get(text)
        init = getattr(binding, "init", None)
        return init is not None and init.type == "Literal" and re.fullmatch(r"\d+", init.raw or "") is not None
    return False


def _env_visible(config, use) -> bool:
    
    return (use.source in PORTOS_ENV_BLOCKS and re.fullmatch(r"PORT|[A-Z][A-Z0-9_]*_PORT", use.key) is not None
            and _portos_reads_value(config, _captured(config, use)))


def portos_visible_ports(config, process) -> tuple[set[int], str]:
    """The ports PortOS shows for a process, and which form it took them from."""
    
    from portlint.evaluator.values import Obj

    uses = list(process.uses)
    ports_value = process.value.get("ports")
    if isinstance(ports_value, Obj):
        literal = [u for u in uses if u.source == "ports" and u.span is not None and re.fullmatch(r"\d+", u.span.text)]
        if literal:
            return set().union(*(u.ports for u in literal)), "ports"
    if ports_value is not None and ports_value.span is not None and re.fullmatch(r"PORTS(?:\.\w+)+", ports_value.span.text):
        refs = [u for u in uses if u.source == "ports"]
        if refs:
            return set().union(*(u.ports for u in refs)), "ports"
    env = [u for u in uses if u.source.startswith("env") and _env_visible(config, u)]
    if env:
        return set().union(*(u.ports for u in env)), "env"
    for use in uses:
        if use.source == "args":
            args_value = process.value.get("args")
            raw = args_value.span.text if args_value is not None and args_value.span is not None else ""
            m = re.match(r"^['\"][^'\"]*--port\s+(\d+)", raw)
            if m:
                return {int(m.group(1))}, "args"
            break
    for use in uses:
        if use.source == "port" and use.span is not None and re.fullmatch(r"\d+", use.span.text):
            return set(use.ports), "port"
    return set(), "none"


def invisible_reason(config, use, stage: str) -> str:
    
    from portlint.evaluator.values import Arr, Prim, Template

    process = use.process
    if use.source == "ports":
        if stage == "ports":
            return "PortOS reads the literal numbers of the ports object and this one is computed; write the number"
        return ("PortOS reads a ports object only when its values are plain numbers (or it is a PORTS.x "
                "sub-object); write the numbers, or give the port in env")
    if use.source.startswith("deploy."):
        return f"PortOS does not read {use.source}; give the port in the app's env as well"
    if use.source.startswith("env"):
        if use.source not in PORTOS_ENV_BLOCKS:
            return (f"PortOS reads only env, env_development and env_production, not {use.source}; "
                    "give the port in env as well")
        if not re.fullmatch(r"PORT|[A-Z][A-Z0-9_]*_PORT", use.key):
            return f"PortOS reads only upper-case keys PORT and *_PORT, not {use.key}"
        captured = _captured(config, use)
        if stage == "ports":
            return "PortOS takes this app's literal ports object and ignores its env; list this port there too"
        value = use.value
        if isinstance(value, Prim) and isinstance(value.value, str) and captured[:1] in ("'", '"'):
            return f"a quoted number ({captured}) is skipped by PortOS; write the number, or PORTS.KEY"
        if "//" in captured or "/*" in captured:
            return ("PortOS reads everything up to the next comma as the value, and here that includes a "
                    "comment; put a comma right after the value")
        return ("the value is computed, and PortOS reads only plain numbers, `... || N` fallbacks and "
                "PORTS.KEY references; write it as one of those")
    if use.source == "args":
        args_value = process.value.get("args")
        if isinstance(args_value, Arr):
            return "PortOS does not read args given as an array; use a plain string `'--port N'` or an env port"
        if isinstance(args_value, Template) and args_value.span is not None and args_value.span.text.startswith("`"):
            return "PortOS does not read template-literal args; give the port in env (e.g. `PORT: PORTS.UI`)"
        if "--port=" in (use.span.source.text[max(0, use.span.start - 8):use.span.start]):
            return "PortOS reads `--port N`, not `--port=N`; use a space, or give the port in env"
        if stage in ("env", "ports"):
            return "PortOS reads --port in args only when the app has no env or ports-object port; add it to env"
        return "PortOS does not read this args form; use a plain string `'--port N'` or an env port"
    if use.source in ("node_args", "interpreter_args"):
        return f"PortOS does not read {use.source}; if the port matters, list it in a ports object"
    if use.source == "port":
        if stage != "none":
            return "PortOS reads the port field only when no other port is found; move it to env"
        return "PortOS reads the port field only as a plain number"
    return "PortOS does not read this form"


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
                    " when started with " + " or ".join(f"--env {e}" for e in named)
                done[place] = [process.display_name]
                pending.append((place, use, (
                    f"gets two ports labelled {use.label!r}{when}: {earlier_port} from "
                    f"{earlier.where} and {port} from {use.where}; PortOS shows one port per label, so use "
                    "the same port or a different key for the second")))
        for place, use, message in pending:
            who = done[place]
            also = f" (and {', '.join(who[1:])}, built from the same template)" if len(who) > 1 else ""
            yield self.report(use.span, f"{who[0]}{also} {message}")
