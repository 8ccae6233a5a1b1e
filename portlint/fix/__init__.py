"""Stage 5, fixes: the edits rules propose, applied until nothing changes, and atomic writes."""


def __getattr__(name):  # ``from portlint.fix import Fix, Edit`` keeps working
    import importlib

    return getattr(importlib.import_module("portlint.fix.apply"), name)
