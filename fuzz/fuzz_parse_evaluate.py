"""A coverage-guided fuzzing campaign (atheris) on parse + evaluate + model + rules.

    pip install atheris
    python fuzz/fuzz_parse_evaluate.py -atheris_runs=200000 -max_len=4096 fuzz/corpus

Every input must come back as diagnostics: an exception escaping the engine is a crash that
atheris saves as crash-<hash> for a regression test. An empty or missing corpus folder is seeded
with the configs under fixtures/ (the first byte of an input picks the file kind).
"""
import os
import sys
from pathlib import Path

import atheris

with atheris.instrument_imports():
    from portlint.engine.pipeline import Engine
    from portlint.plugins import load_registry
    from portlint.settings.settings import Settings

os.environ.setdefault("PORTLINT_BUILTIN_ONLY", "1")
REGISTRY = load_registry()
ENGINE = Engine(Settings(max_seconds_per_file=5), REGISTRY, set(REGISTRY.rules))
KINDS = ["ecosystem.config.cjs", "ecosystem.config.mjs", "ecosystem.json", "ecosystem.yaml"]


def one_input(data: bytes) -> None:
    if not data:
        return
    name = KINDS[data[0] % len(KINDS)]
    text = data[1:].decode("utf-8", "replace")
    ENGINE.lint_file(name, text)  # must never raise


def seed(corpus: Path) -> None:
    corpus.mkdir(parents=True, exist_ok=True)
    if any(corpus.iterdir()):
        return
    fixtures = Path(__file__).resolve().parent.parent / "fixtures"
    for i, path in enumerate(sorted(p for p in fixtures.rglob("ecosystem*") if p.is_file())):
        kind = next((k for k, name in enumerate(KINDS) if path.name.endswith(name.split("ecosystem")[1])), 0)
        (corpus / f"seed-{i:03d}").write_bytes(bytes([kind]) + path.read_bytes())


def main() -> None:
    folders = [a for a in sys.argv[1:] if not a.startswith("-")]
    for folder in folders:
        seed(Path(folder))
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
