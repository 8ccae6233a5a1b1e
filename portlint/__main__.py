"""``python -m portlint``: the same command as ``portlint``."""
from portlint.cli import main

main()
