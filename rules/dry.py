"""PL4: DRY — env refers, PORTS defines."""
from portlint.rule import Rule


class LiteralPort(Rule):
    """A port use refers to its PORTS entry instead of repeating the number.

    When ``env.PORT`` says ``5570`` and ``PORTS.API`` says ``5570``, the two drift apart at the
    next renumbering. Writing ``PORTS.API`` keeps one source of truth. This applies to connection
    ports too, and to numbers written inside ``args`` strings and ``|| 5570`` defaults.

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

    code, name, severity, fixable = "PL401", "literal-port", "error", "safe"

    def check(self, config):
        if config.ports is None:
            return
        for use in config.uses():
            if not use.literal or use.entry is not None or use.span is None:
                continue
            for port in sorted(use.ports):
                entries = config.ports.by_port(port)
                if entries:
                    yield self.report(use.span, (
                        f"{use.process.display_name} writes {port} literally in {use.where}; "
                        f"refer to {entries[0].reference} instead"))
                    break
