"""Settings: the spec's defaults, settings files found nearest to each linted file, validation."""


def __getattr__(name):  # ``from portlint.settings import Settings`` keeps working
    import importlib

    return getattr(importlib.import_module("portlint.settings.settings"), name)
