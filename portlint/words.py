"""Bounded words in messages: a message that quotes what a config or the settings hold (labels,
keys, process names, ports, environments) quotes a few items and counts the rest, so no input makes
a report line unbounded ("api, ui, cdp and 997 more"). Every message is clipped in the end too
(Diagnostic): this is what keeps a message readable before that."""
from __future__ import annotations

from typing import Iterable

#: Items a message names before it counts the rest.
LIST_LIMIT = 8
#: Characters of one quoted item (a label or a name can be a megabyte long).
ITEM_LIMIT = 80
#: Characters of a whole message, or of a related place's message.
MESSAGE_LIMIT = 2000


def clipped(text: str, limit: int = ITEM_LIMIT) -> str:
    """``text``, or its first characters and how many more there are."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text) - limit} more characters)"


def listed(items: Iterable, sep: str = ", ", last: str | None = None, limit: int = LIST_LIMIT) -> str:
    """Items joined for a message: at most ``limit`` of them, each clipped, then "and N more".

    ``last`` joins the last two when every item is shown ("a, b and c" with ``last=" and "``)."""
    shown: list[str] = []
    rest = 0
    for item in items:
        if len(shown) < limit:
            shown.append(clipped(str(item)))
        else:
            rest += 1
    if rest:
        return f"{sep.join(shown)} and {rest} more"
    if last is not None and len(shown) > 1:
        return sep.join(shown[:-1]) + last + shown[-1]
    return sep.join(shown)
