"""Stage 3, the model the rules see: a Config with its PORTS table, its processes and their port
uses (where each comes from, and its kind: listen, reference, shared, connection), built from
evaluated values; and what portlint knows about how PortOS names ports."""


def __getattr__(name):  # ``from portlint.model import Config`` keeps working
    import importlib

    return getattr(importlib.import_module("portlint.model.config"), name)
