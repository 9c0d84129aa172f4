from django.apps import AppConfig


class ScorecardsConfig(AppConfig):
    name = "scorecards"

    def ready(self):
        from core.scoping import register_headed_units

        from .selectors.tree import headed_subtree_ids

        # The kernel's unit-head rules need the unit tree, which is this app's.
        register_headed_units(headed_subtree_ids)
        register_subjects()
        register_searches()


def register_subjects() -> None:
    """Objectives, measures and values are what analyses and comments are about."""
    from django.urls import reverse
    from django.utils.translation import gettext_lazy as _

    from core.subjects import SubjectKind, register_subject

    from .display import month_text
    from .models import Measure, MeasureValue, Objective

    def code(thing) -> str:
        return f"{thing.unit.code}.{thing.code}"

    register_subject(SubjectKind(
        "objective", _("objective"), Objective, lambda o: o.unit_id, lambda o: o.owner_id,
        lambda o: reverse("objective", args=[o.pk]), lambda o: f"{code(o)} {o.name}",
        related=("unit",), monthly=True,
    ))  # fmt: skip
    register_subject(SubjectKind(
        "measure", _("measure"), Measure, lambda m: m.unit_id, lambda m: m.owner_id,
        lambda m: reverse("measure", args=[m.pk]), lambda m: f"{code(m)} {m.name}",
        related=("unit",), monthly=True,
    ))  # fmt: skip
    register_subject(SubjectKind(
        "measure_value", _("measure value"), MeasureValue, lambda v: v.measure.unit_id,
        lambda v: v.measure.owner_id,
        lambda v: f"{reverse('measure', args=[v.measure_id])}?period={v.period:%Y-%m}",
        lambda v: f"{code(v.measure)} {month_text(v.period)}",
        related=("measure__unit",),
    ))  # fmt: skip


def register_searches() -> None:
    """Objectives and measures are found by their code and name (the title) and their
    description (the body); the fields are those of their GIN indexes (migration
    0009_search_indexes)."""
    from django.urls import reverse
    from django.utils.translation import gettext_lazy as _

    from core.search import SearchType, register_search

    from .models import Measure, Objective

    register_search(SearchType(
        "objective", _("Objective"), Objective, ("code", "name"), ("description",),
        lambda o: f"{o.unit.code}.{o.code} {o.name}", lambda o: reverse("objective", args=[o.pk]),
        related=("unit",),
    ))  # fmt: skip
    register_search(SearchType(
        "measure", _("Measure"), Measure, ("code", "name"), ("description",),
        lambda m: f"{m.unit.code}.{m.code} {m.name}", lambda m: reverse("measure", args=[m.pk]),
        related=("unit",),
    ))  # fmt: skip
