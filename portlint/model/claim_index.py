"""Port claims indexed so that "the earliest earlier claim another process makes on this port, in an
environment this claim holds in" is found without comparing claims pair by pair.

A claim holds in a finite set of environments (``env_production`` only), or, when it holds with no
``--env`` (``''``), in every environment except the few its config overrides. Two claims on one port
meet exactly when some environment in which both hold is ``''`` or an environment a finite claim on
that port names: so each port gets one bucket per such environment, and a claim goes into the
buckets it holds in. In a bucket, ``_Firsts`` keeps the six entries that can answer any query
"the earliest entry that is not this identity and not this variant" (what makes two claims one
process), whatever the identity and variant asked about. A project where thousands of apps share a
name, a port or an environment therefore costs a few steps per claim and environment bucket, not a
scan of every earlier claim.
"""
from __future__ import annotations


class _Firsts:
    """The entries of one bucket, in the order they came, reduced to what a query can need.

    An entry is blocked by a query (I, V) when its identity is I or V is a variant and its variant
    is V. The earliest unblocked entry is one of: e1, the first entry; e2, the first whose identity
    differs from e1's, and e3, the first after it whose identity differs from e1's and variant from
    e2's; f2, the first whose variant differs from e1's, and f3, the first whose variant differs from
    e1's and identity from f2's; g, the first whose identity and variant both differ from e1's. Each
    is filled once, when the first entry that fits comes."""

    __slots__ = ("e1", "e2", "e3", "f2", "f3", "g")

    def __init__(self):
        self.e1 = self.e2 = self.e3 = self.f2 = self.f3 = self.g = None

    def add(self, entry: tuple) -> None:
        claim = entry[1]
        if self.e1 is None:
            self.e1 = entry
            return
        first = self.e1[1]
        other_identity = claim.identity != first.identity
        other_variant = claim.variant != first.variant
        if self.e2 is None:
            if other_identity:
                self.e2 = entry
        elif self.e3 is None and other_identity and claim.variant != self.e2[1].variant:
            self.e3 = entry
        if self.f2 is None:
            if other_variant:
                self.f2 = entry
        elif self.f3 is None and other_variant and claim.identity != self.f2[1].identity:
            self.f3 = entry
        if self.g is None and other_identity and other_variant:
            self.g = entry

    def first(self, identity, variant) -> tuple | None:
        """The earliest entry whose identity is not ``identity`` and, when ``variant`` is one, whose
        variant is not ``variant``."""
        e1 = self.e1
        if e1 is None:
            return None
        by_identity = e1[1].identity == identity
        by_variant = bool(variant) and e1[1].variant == variant
        if not by_identity and not by_variant:
            return e1
        if by_identity and by_variant:
            return self.g
        if by_identity:
            e2 = self.e2
            if e2 is None or not (variant and e2[1].variant == variant):
                return e2
            return self.e3
        f2 = self.f2
        if f2 is None or f2[1].identity != identity:
            return f2
        return self.f3


class ClaimIndex:
    """Every claim of a run, added in order; ``first`` finds the earliest earlier claim of another
    process on the same port, in one of the classes the caller sorts claims into, that holds in an
    environment the asking claim holds in (``ConfigSummary.applies``)."""

    def __init__(self, summaries):
        #: port -> the environments a claim on it can meet another in ('' and those finite claims name)
        self._environments: dict[int, set[str]] = {}
        for summary in summaries:
            for claim in summary.claims:
                names = self._environments.setdefault(claim.port, {""})
                if "" not in claim.envs:
                    names.update(summary.holds_in(claim, claim.envs))
        self._buckets: dict[tuple, _Firsts] = {}  # (port, environment, class) -> its entries
        self._order = 0
        #: how many bucket steps adding and asking took (the tests count work, not time)
        self.steps = 0

    def _holds_in(self, claim, summary) -> list[str]:
        names = self._environments.get(claim.port, ("",))
        return summary.holds_in(claim, claim.envs if "" not in claim.envs else names)

    def add(self, claim, summary, classes: tuple) -> None:
        entry = (self._order, claim, summary)
        self._order += 1
        for environment in self._holds_in(claim, summary):
            for cls in classes:
                self.steps += 1
                bucket = self._buckets.get((claim.port, environment, cls))
                if bucket is None:
                    bucket = self._buckets[(claim.port, environment, cls)] = _Firsts()
                bucket.add(entry)

    def first(self, claim, summary, cls) -> tuple | None:
        """(claim, summary) of the earliest match, or None."""
        best = None
        for environment in self._holds_in(claim, summary):
            self.steps += 1
            bucket = self._buckets.get((claim.port, environment, cls))
            found = bucket.first(claim.identity, claim.variant) if bucket is not None else None
            if found is not None and (best is None or found[0] < best[0]):
                best = found
        return (best[1], best[2]) if best is not None else None
