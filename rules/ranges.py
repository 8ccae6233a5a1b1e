"""PL2: ranges — contiguous blocks, the right range, no collisions."""
from portlint.portsets import compact, missing
from portlint.rule import Rule


class PortGap(Rule):
    """Each config uses one contiguous block of ports, with no gaps.

    The config's block is every distinct port it defines in PORTS or gives a process (connection
    ports aside), plus the extra ports ``instances`` take with ``increment_var``. A gap leaves
    ports that look free but belong to nobody, which is what the policy's "No Gaps" forbids.

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
        block = config.block()
        gap = missing(block)
        if not gap:
            return
        span = config.ports.span if config.ports is not None and config.ports.span else None
        if span is None:
            uses = list(config.allocated_uses())
            span = uses[0].span if uses else None
        if span is None:
            return
        low, high = min(block), max(block)
        word = "port" if len(gap) == 1 else "ports"
        yield self.report(span, (
            f"the port block {low}-{high} has a gap: {word} {compact(gap)} "
            f"{'is' if len(gap) == 1 else 'are'} not used; allocate ports contiguously "
            f"(used: {compact(block)})"))
