"""The layout: one package per stage, and the old flat import paths still work for a release."""
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

from portlint._compat import MOVED

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("old,new", sorted(MOVED.items()))
def test_old_import_paths_give_the_moved_module_with_a_warning(old, new):
    code = (f"import warnings, importlib\nwarnings.simplefilter('error')\n"
            f"try:\n    importlib.import_module({old!r})\nexcept DeprecationWarning as w:\n    print(w)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert f"{old} moved to {new}" in out
    with pytest.warns(DeprecationWarning):
        sys.modules.pop(old, None)
        module = importlib.import_module(old)
    assert module is importlib.import_module(new)


def test_old_package_paths_answer_their_old_names():
    from portlint.engine import Engine, RunResult  # noqa: F401
    from portlint.fix import Edit, Fix, fix_text  # noqa: F401
    from portlint.model import Config, PortUse  # noqa: F401
    from portlint.settings import Settings, SettingsResolver  # noqa: F401
    from portlint.source import Source, read_source  # noqa: F401


def test_every_module_says_its_purpose_in_its_first_line():
    for path in sorted([*(ROOT / "portlint").rglob("*.py"), *(ROOT / "rules").rglob("*.py")]):
        text = path.read_text()
        if path.name == "_version.py":
            continue
        assert text.startswith('"""'), f"{path.relative_to(ROOT)} has no docstring"
        assert len(text.splitlines()[0]) > 10, f"{path.relative_to(ROOT)}: first line says little"


def test_a_rule_is_found_from_its_code():
    from portlint.plugins import load_registry

    for code, rule in load_registry().rules.items():
        family = code[:3].lower()  # PL401 -> pl4
        assert rule.__module__.startswith(f"portlint.rules.{family}_"), (code, rule.__module__)
