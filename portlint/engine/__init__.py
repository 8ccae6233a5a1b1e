"""Stage 4, the engine: runs rules over each file's model, then the project pass; the one filter
(per-file-ignores, noqa, dedupe); parallel workers, the result cache, the per-file time budget."""


def __getattr__(name):  # ``from portlint.engine import Engine`` keeps working
    import importlib

    return getattr(importlib.import_module("portlint.engine.pipeline"), name)
