"""Stage 1, the source: find config files, read and decode them, parse them into ESTree, and the
helpers over that tree. ``portlint.source`` still answers the names of ``portlint.source.read``."""


def __getattr__(name):  # the old flat module portlint.source, kept for plugins
    import importlib

    return getattr(importlib.import_module("portlint.source.read"), name)
