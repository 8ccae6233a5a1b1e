"""An example portlint plugin: every app has a name, so PortOS can list it."""
from portlint import Rule, hookimpl


class UnnamedProcess(Rule):
    """Every app has a ``name``.

    PortOS lists processes by name; an app without one shows up as nothing at all.

    Bad:
        module.exports = { apps: [{ script: 'server.js' }] };

    Good:
        module.exports = { apps: [{ name: 'api', script: 'server.js' }] };
    """

    code, name, severity = "EX100", "unnamed-process", "warning"

    def check(self, config):
        for process in config.processes:
            if process.name is None and process.span is not None:
                yield self.report(process.span, f"{process.display_name} has no name; add `name: '...'`")


@hookimpl
def portlint_rules():
    return [UnnamedProcess]
