"""The names of ``portlint.settings.settings`` before the package was split (model, load, resolve),
kept so that code importing them from here keeps working."""
from portlint.settings.load import (  # noqa: F401
    CODE_PREFIX, KNOWN_KEYS, MAX_ITEMS, PARSERS, _parse_range, _port, _port_list, _str_list, apply_table,
    read_settings_file,
)
from portlint.settings.model import (  # noqa: F401
    DEFAULT_CONNECTION_PREFIXES, DEFAULT_LABELS, DEFAULT_RANGES, DEFAULT_WELL_KNOWN, ROLES, Settings, SettingsError,
    _exclude_spec, _glob_matches,
)
from portlint.settings.portset import PortSet  # noqa: F401
from portlint.settings.resolve import SETTINGS_FILES, SettingsResolver  # noqa: F401

_apply = apply_table
