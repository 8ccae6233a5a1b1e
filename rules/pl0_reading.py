"""PL0: reading the file."""
from portlint.rule import Rule


class InvalidSyntax(Rule):
    """The file is not valid JavaScript, JSON or YAML for its kind.

    portlint parses the file the way PM2 loads it: ``.js``/``.cjs`` as CommonJS, ``.mjs`` as an
    ES module, ``.json`` as the JavaScript expression ``(text)``, ``.yml``/``.yaml`` as YAML. A file
    that does not parse cannot be loaded by PM2, and nothing else in it can be checked. The
    diagnostic sits at the parser's position and gives its reason. Files that cannot be read as
    text at all (binary, not UTF-8, unreadable, too large) are reported under this code too.

    Bad:
        module.exports = {
          apps: [{ name: 'api', env: { PORT: 5570 },, }]
        };

    Good:
        module.exports = {
          apps: [{ name: 'api', script: 'server.js' }]
        };
    """

    code, name, severity = "PL001", "syntax-error", "error"


class Unresolvable(Rule):
    """Every part of the config that holds apps or ports can be resolved without running it.

    portlint evaluates the file statically. Loops, calls to functions, computed keys, modules from
    ``node_modules`` and unknown identifiers cannot be known that way, so whatever they produce
    is not checked. This warning says where that happens and what was skipped, so a clean run
    never hides unchecked ports. An env port read from ``process.env`` with no default is reported
    too, with no fix: which port the process gets is a decision. Give it a PORTS entry and write
    ``PORT: PORTS.API`` (a ``process.env.PORT || PORTS.API`` default is no way out: PortOS cannot
    read it, see PL502).

    Bad:
        const apps = require('./apps.json').map((app) => ({ ...app }));
        module.exports = { apps };

    Good:
        const PORTS = {
          API: 5570 // REST API
        };
        module.exports = { PORTS, apps: [{ name: 'api', env: { PORT: PORTS.API } }] };
    """

    code, name, severity = "PL002", "unresolvable", "warning"

    def check(self, config):
        from portlint.evaluator.values import EnvVar
        from portlint.model.advice import say

        seen = set()
        for item in config.unresolved:
            value = item.value
            span = value.span
            if span is None or span.source is not config.source or span.start in seen or not item.matters:
                continue
            seen.add(span.start)
            if isinstance(value, EnvVar):
                yield self.report(span, (
                    f"{item.context} comes from process.env.{value.name} with no default, so portlint cannot "
                    f"check it; {say('PL002-env-no-default', key=item.context.split(' ')[0].split('.')[-1])}"))
                continue
            reason = getattr(value, "reason", "not statically known")
            yield self.report(span, (
                f"cannot resolve {item.context} without running the file ({reason}); its ports were not "
                f"checked: {say('PL002-unknown')}"))


class WrongModuleFormat(Rule):
    """The module syntax matches how PM2 loads the file name.

    PM2 loads every JavaScript config with ``require()``. A ``.config.js`` or ``.config.cjs`` file
    is CommonJS: ES module syntax (``export``, ``import``) makes ``pm2 start`` fail. A
    ``.config.mjs`` file is an ES module, which Node's ``require()`` loads as its namespace object:
    ``module.exports`` and ``require()`` do not exist there, and PM2 never unwraps
    ``export default``, so a config exported only as the default has no apps for PM2 ("No script
    path - aborting") and nothing starts. In ``.mjs``, export the parts by name
    (``export const apps = [...]``, ``export const PORTS = {...}``), or use ``module.exports`` in a
    ``.cjs`` file. The other rules still judge the apps as the file means them, so fixing this
    reveals nothing new.

    Bad:
        export default {
          apps: [{ name: 'api', script: 'server.js' }]
        };

    Good:
        module.exports = {
          apps: [{ name: 'api', script: 'server.js' }]
        };
    """

    code, name, severity = "PL003", "wrong-module-format", "error"

    def check(self, config):
        problem = config.load_problem
        if problem is None:
            return
        node, reason = problem
        kind = config.source.kind
        if kind == "js":
            cure = "use `module.exports = {...}`, or rename the file to .mjs and export the apps by name"
        elif "export default" in reason:
            cure = "export them by name (`export const apps = [...]`), or rename the file to .cjs and use `module.exports`"
        else:
            cure = "use `export const apps = [...]` and `import`, or rename the file to .cjs"
        yield self.report(config.parsed.span(node), f"{reason}; {cure}")


class InvalidNoqa(Rule):
    """A ``noqa`` comment names only codes and code prefixes that exist, in a form portlint reads.

    ``// noqa: PL401`` suppresses exactly the codes it lists: a full code (``PL401``) or a
    prefix of real codes (``PL4``: PL401 to PL405). Anything else suppresses nothing, so a typo
    such as ``PL4O1`` (the letter O) would leave the finding reported while the line looks
    handled, or, worse, look as if it hid something. This warning names each code that no rule has
    (with the closest real one), a ``noqa:`` that lists no code, and a file-wide
    ``portlint: noqa`` written after the first code of the file, where it does nothing.

    Bad:
        const PORTS = {
          API: 5570 // REST API
        };
        module.exports = { PORTS, apps: [{ name: 'api', env: { PORT: 5570 } }] }; // noqa: PL4O1

    Good:
        const PORTS = {
          API: 5570 // REST API
        };
        module.exports = { PORTS, apps: [{ name: 'api', env: { PORT: 5570 } }] }; // noqa: PL401
    """

    code, name, severity = "PL004", "invalid-noqa", "warning"
    # Reported by the one filter (portlint.engine.filter), which reads every noqa comment.


class UnusedNoqa(Rule):
    """A ``noqa`` comment suppresses something on its line (off by default).

    A ``noqa`` that suppresses nothing is left over from a finding fixed long ago, or sits on the
    wrong line; either way it would hide the next real finding there. This warning names the codes
    that suppressed nothing (``*`` being a bare ``// noqa``). It is off by default, like ruff's
    RUF100: select it with ``--extend-select PL005``. Its safe fix removes the codes that suppress
    nothing, or the whole directive, keeping the rest of the comment and of the line. A noqa that
    names PL005 itself is never reported, and one that may hide a collision with another config
    (PL203, which compares every config of the run) is judged only when the whole run is linted,
    and is left for you to remove.

    Bad:
        const PORTS = {
          API: 5570 // REST API
        };
        module.exports = { PORTS, apps: [{ name: 'api', env: { PORT: PORTS.API } }] }; // noqa: PL401

    Good:
        const PORTS = {
          API: 5570 // REST API
        };
        module.exports = { PORTS, apps: [{ name: 'api', env: { PORT: PORTS.API } }] };
    """

    code, name, severity = "PL005", "unused-noqa", "warning"
    enabled_by_default = False
    # Reported by the one filter (portlint.engine.filter), which knows what each comment suppressed.
