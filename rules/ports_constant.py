"""PL1: PORTS, the single source of truth."""
from portlint.rule import Rule


class MissingPortsConstant(Rule):
    """A config that gives its processes ports has a top-level ``PORTS`` constant.

    The policy makes ``const PORTS = {...}`` the single source of truth: every port the config
    allocates is defined there once, with a comment, and the processes refer to it. Connection
    ports (``DB_PORT``, ``SMTP_PORT``...) are not allocations and do not need one. JSON and YAML
    files cannot declare constants; the policy asks for an ``ecosystem.config.cjs`` instead.

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
        uses = list(config.allocated_uses())
        if not uses:
            return
        first = uses[0]
        span = first.span or first.process.span
        if config.source.kind in ("json", "yaml"):
            yield self.report(span, (
                f"{first.process.display_name} gets port {_shown(first)} from {first.where}, but a "
                f"{config.source.kind.upper()} file cannot define a PORTS constant; move the config to "
                "ecosystem.config.cjs with a top-level `const PORTS = {...}`"))
            return
        count = len(uses)
        others = f" (and {count - 1} more port use{'s' if count > 2 else ''})" if count > 1 else ""
        yield self.report(span, (
            f"{first.process.display_name} gets port {_shown(first)} from {first.where}{others}, but the "
            "config has no top-level PORTS constant; define `const PORTS = {...}` and refer to its entries"))


def _shown(use) -> str:
    ports = sorted(use.ports)
    return "/".join(map(str, ports)) if ports else "(computed)"
