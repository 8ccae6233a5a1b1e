"""One command per mode of the command line: lint (lint, --fix, --diff), portmap (--map, --next-free), catalog
(--list-rules, --explain); ``portlint.cli`` turns the click options into an Options value and picks one."""
