"""Graph searches the apps share (pure: no ORM)."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Set


def cycle_through(graph: Mapping[Hashable, Set], start: Hashable) -> list | None:
    """A path from `start` back to itself along `graph`'s edges (node -> the nodes it
    depends on), `start` first and last; None when there is none. Depth first in sorted
    order with an explicit stack, not recursion: a chain of rollups down a deep unit tree
    may be thousands long."""
    path, seen = [start], {start}
    pending = [iter(sorted(graph.get(start, ())))]
    while pending:
        for nxt in pending[-1]:
            if nxt == start:
                return [*path, nxt]
            if nxt not in seen:
                seen.add(nxt)
                path.append(nxt)
                pending.append(iter(sorted(graph.get(nxt, ()))))
                break
        else:
            pending.pop()
            path.pop()
    return None
