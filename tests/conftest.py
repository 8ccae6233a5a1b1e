import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"

# Tests see the built-in plugins only, unless a test asks otherwise.
os.environ.setdefault("PORTLINT_BUILTIN_ONLY", "1")


@pytest.fixture(scope="session")
def registry():
    from portlint.plugins import load_registry

    return load_registry()


@pytest.fixture
def lint_text(registry, tmp_path):
    """Lint ``text`` as a file called ``name`` in a fresh folder; return its diagnostics."""
    from portlint.engine.pipeline import Engine
    from portlint.settings.settings import Settings

    def run(text: str, name: str = "ecosystem.config.cjs", settings=None, select=None):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        engine = Engine(settings or Settings(), registry, select)
        return engine.run([str(path)]).diagnostics

    return run


def node_binary():
    return shutil.which("node")


def need(tool, what: str):
    """A tool a test needs: skip without it on a developer's machine, fail in CI (.ci/run installs it)."""
    if tool is None:
        if os.environ.get("CI"):
            pytest.fail(f"{what} is needed in CI (.ci/run installs it)")
        pytest.skip(f"{what} is not installed")
    return tool


def run_portlint(*args, cwd=None, env=None, input=None):
    """Run the real command in a subprocess, the way a user or pre-commit does."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "portlint", *args], cwd=cwd, env=full_env, input=input,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="session")
def golden_engine(registry):
    """For golden fixtures: each fixture folder may carry its own portlint.toml, found the way the CLI
    finds it."""
    from portlint.engine.pipeline import Engine
    from portlint.settings.settings import SettingsResolver

    return Engine(SettingsResolver(), registry)
