"""PL5: labels and what PortOS can see."""
from portlint.portos import DERIVED_LABELS
from portlint.rule import Rule


class NonStandardLabel(Rule):
    """Every port's label is one of the configured labels (``api, ui, cdp, health, ws, db``).

    PortOS shows each port under a label it derives from the env key: ``PORT`` is ``api`` (``ui``
    for ``-ui``/``-client`` processes), ``CDP_PORT`` is ``cdp``, ``VITE_PORT`` is ``ui``, and any
    other ``FOO_BAR_PORT`` is ``fooBar``. A per-app ``ports`` object names labels directly. A label
    outside the common set makes the apps list harder to read; ``devUi``, which PortOS derives for
    a Vite UI beside an API, counts as ``ui``.

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
        labels = set(self.settings.labels)
        for use in config.allocated_uses():
            label = DERIVED_LABELS.get(use.label, use.label)
            if not use.label or label in labels or use.span is None:
                continue
            yield self.report(use.span, (
                f"{use.process.display_name} port from {use.where} is labelled {use.label!r}, which is not "
                f"one of the labels {', '.join(self.settings.labels)}; use a standard label or add "
                f"{use.label!r} to the `labels` setting"))
