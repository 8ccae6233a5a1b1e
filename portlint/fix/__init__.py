"""Stage 5, fixes: planning (each file's fixes until stable, the renumbering plan), verification,
and safe writes. Every path that writes or shows a fix goes through ``portlint.fix.run``."""


def __getattr__(name):  # ``from portlint.fix import Fix, Edit, fix_text`` keeps working
    import importlib

    home = "portlint.fix.data" if name in ("Fix", "Edit", "apply_edits") else "portlint.fix.apply"
    return getattr(importlib.import_module(home), name)
