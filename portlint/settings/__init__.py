"""Settings: the model and its defaults (model), loading and validation (load), the nearest settings
file of each linted file (resolve)."""

_HOMES = {
    "Settings": "model", "SettingsError": "model", "ROLES": "model", "DEFAULT_LABELS": "model",
    "DEFAULT_RANGES": "model", "DEFAULT_WELL_KNOWN": "model", "DEFAULT_CONNECTION_PREFIXES": "model",
    "PortSet": "portset",
    "apply_table": "load", "read_settings_file": "load", "PARSERS": "load", "KNOWN_KEYS": "load",
    "SettingsResolver": "resolve", "SETTINGS_FILES": "resolve",
}


def __getattr__(name):  # lazy: ``from portlint.settings import Settings`` imports only what it needs
    import importlib

    if name in _HOMES:
        return getattr(importlib.import_module(f"portlint.settings.{_HOMES[name]}"), name)
    if name == "settings":
        return importlib.import_module("portlint.settings.settings")
    raise AttributeError(f"module 'portlint.settings' has no attribute {name!r}")
