"""Finding each linted file's settings: the nearest settings file at or above its folder, with the
command line's overrides on top (SettingsResolver)."""
from __future__ import annotations

import os
from dataclasses import replace

from portlint.settings.load import apply_table, file_identity, read_settings_file
from portlint.settings.model import Settings

#: The settings file names, in the order they are looked for in one folder (the first found wins).
SETTINGS_FILES = (".portlint.toml", "portlint.toml", "pyproject.toml")


class SettingsResolver:
    """Finds each file's settings (nearest settings file upwards), with CLI overrides on top."""

    def __init__(self, overrides: dict | None = None, config_file: str | None = None, isolated: bool = False):
        self.overrides = overrides or {}
        self.config_file = config_file
        self.isolated = isolated
        self._by_dir: dict[str, Settings] = {}
        self._by_file: dict[str, Settings] = {}
        self._by_path: dict[str, Settings] = {}
        self._by_content: dict[tuple, Settings] = {}  # a settings file's identity -> its settings, applied once
        self._found: dict[str, str | None] = {}
        self._fixed: Settings | None = None
        if config_file is not None:
            table = read_settings_file(config_file)
            base = apply_table(Settings(), table or {}, config_file, os.path.dirname(os.path.abspath(config_file)))
            self._fixed = self._with_overrides(base)
        elif isolated:
            self._fixed = self._with_overrides(Settings(base_dir=os.getcwd()))

    def _with_overrides(self, settings: Settings) -> Settings:
        if not self.overrides:
            return settings.validate()
        origin, base = settings.origin, settings.base_dir
        return replace(apply_table(settings, self.overrides, "command line", base), origin=origin, base_dir=base).validate()

    def default(self) -> Settings:
        return self.for_path(os.path.join(os.getcwd(), "ecosystem.config.js"))

    def for_path(self, path: str) -> Settings:
        if self._fixed is not None:
            return self._fixed
        full = os.path.abspath(path)
        known = self._by_path.get(full)
        if known is not None:
            return known
        settings = self._for_directory(os.path.dirname(full))
        self._by_path[full] = settings
        return settings

    def _for_directory(self, directory: str) -> Settings:
        cached = self._by_dir.get(directory)
        if cached is not None:
            return cached
        found_file = self._find(directory)
        key = found_file or ("", os.getcwd())  # no settings file: one defaults object per working folder
        settings = self._by_file.get(key)
        if settings is None:
            if found_file is None:
                settings = self._with_overrides(Settings(base_dir=os.getcwd()))
            else:
                settings = self._with_overrides(self._applied(found_file))
            self._by_file[key] = settings
        self._by_dir[directory] = settings
        return settings

    def _applied(self, found_file: str) -> Settings:
        """The settings of one file, checked and applied once per real file and content: the same
        file linked from a thousand folders costs one read, one parse and one check."""
        base_dir = os.path.dirname(found_file)
        identity = file_identity(found_file)
        known = self._by_content.get(identity) if identity is not None else None
        if known is not None:
            return replace(known, origin=found_file, base_dir=base_dir)
        settings = apply_table(Settings(), read_settings_file(found_file) or {}, found_file, base_dir)
        if identity is not None:
            self._by_content[identity] = settings
        return settings

    def _find(self, directory: str) -> str | None:
        """The nearest settings file at or above ``directory`` (each folder is looked at once)."""
        if directory in self._found:
            return self._found[directory]
        found = None
        for name in SETTINGS_FILES:
            candidate = os.path.join(directory, name)
            if os.path.isfile(candidate) and (name != "pyproject.toml" or read_settings_file(candidate) is not None):
                found = candidate
                break
        if found is None:
            parent = os.path.dirname(directory)
            found = self._find(parent) if parent != directory else None
        self._found[directory] = found
        return found
