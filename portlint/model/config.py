"""The model the rules see, under its first name: ``portlint.model.config`` re-exports the pieces
now in types.py (data), build.py (the builder), args.py (args tokenizing) and summary.py (claims).

Rules never walk the syntax tree for port logic; they ask the model."""
from portlint.model.args import scan_args  # noqa: F401
from portlint.model.build import ALIASES, ARG_FIELDS, build_config  # noqa: F401
from portlint.model.summary import ConfigSummary, PortClaim, summarize  # noqa: F401
from portlint.model.types import (Config, Field, Kind, PortsEntry, PortsTable, PortUse, Process,  # noqa: F401
                                  Unresolved, UseSite)
