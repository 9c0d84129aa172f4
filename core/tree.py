"""Walking the unit tree in memory: depth first from the top, children in a given order,
with an explicit stack (no recursion: a tree may be a thousand units deep)."""

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from typing import TypeVar

Node = TypeVar("Node")


def walk(
    nodes: Iterable[Node],
    *,
    key: Callable[[Node], Hashable],
    parent: Callable[[Node], Hashable | None],
    order: Callable[[Node], object],
    top: Hashable | None = None,
) -> list[tuple[Node, int]]:
    """`nodes` depth first, each with its depth (0 at the top), children sorted by `order`.

    `key` and `parent` give a node's id and its parent's id. From `top` (a node's id) if
    given, else from every node whose parent is not among `nodes` (the roots, by `order`).
    Nodes not below the top are left out."""
    nodes = list(nodes)
    ids = {key(n) for n in nodes}
    children: dict[Hashable | None, list[Node]] = defaultdict(list)
    roots = []
    for node in nodes:
        is_root = key(node) == top if top is not None else parent(node) not in ids
        if is_root:
            roots.append(node)
        else:
            children[parent(node)].append(node)
    walked: list[tuple[Node, int]] = []
    stack = [(root, 0) for root in sorted(roots, key=order, reverse=True)]
    while stack:
        node, depth = stack.pop()
        walked.append((node, depth))
        below = sorted(children[key(node)], key=order, reverse=True)
        stack.extend((child, depth + 1) for child in below)
    return walked
