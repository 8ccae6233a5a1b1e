"""``python -m portlint``: the same command as ``portlint``."""
from portlint.cli import console_main

console_main()
