"""A coverage-guided fuzzing campaign (atheris) on parse + evaluate + model + rules.

    pip install atheris
    python fuzz/fuzz_parse_evaluate.py -atheris_runs=200000 -max_len=4096 fuzz/corpus

Every input must come back as diagnostics: an exception escaping the engine is a crash that
atheris saves as crash-<hash> for a regression test. The corpus starts from fixtures/.
"""
import os
import sys

import atheris

with atheris.instrument_imports():
    from portlint.engine import Engine
    from portlint.plugins import load_registry
    from portlint.settings import Settings

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


def main() -> None:
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
