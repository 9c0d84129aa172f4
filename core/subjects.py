"""What people write analyses and comments about (the communication app's subjects), as a
registry: each app registers its own kinds of subject in its AppConfig.ready() — the
scorecards their objectives, measures and values, the initiatives theirs, the reviews their
action items — so the communication app, below some of them, reads them without importing
them (DESIGN.md's layers)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class SubjectKind:
    """A kind of subject: its API name, its label, its model, and how one reaches its unit,
    its owner, its page and its title. `monthly` kinds take a monthly analysis."""

    name: str
    label: object
    model: type
    unit_id: Callable[[object], int | None]
    owner_id: Callable[[object], int | None]
    url: Callable[[object], str]
    title: Callable[[object], str]
    related: tuple[str, ...] = ()  # select_related paths the callables read
    monthly: bool = False


_kinds: dict[str, SubjectKind] = {}


def register_subject(kind: SubjectKind) -> None:
    """Called by the app owning the model, in its AppConfig.ready()."""
    _kinds[kind.name] = kind


def subject_kind(name: str) -> SubjectKind | None:
    return _kinds.get(name)


def subject_kinds() -> list[SubjectKind]:
    return sorted(_kinds.values(), key=lambda kind: kind.name)


def load_subject(name: str, pk) -> object | None:
    """The subject of kind `name` with id `pk`, or None."""
    kind = _kinds.get(name)
    if kind is None:
        return None
    try:
        return kind.model.objects.select_related(*kind.related).filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        return None
