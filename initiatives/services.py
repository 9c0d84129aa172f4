"""Writes with rules for strategic initiatives and their milestones."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.services import apply_changes, delete_or_explain, save_validated
from core.versioning import data_changed
from scorecards.models import Objective, OrgUnit

from .models import Initiative, InitiativeObjective, Milestone

INITIATIVE_FIELDS = {
    "code",
    "name",
    "description",
    "unit",
    "owner",
    "start",
    "end",
    "status",
    "percent_complete",
}
MILESTONE_FIELDS = {"initiative", "name", "due", "done_on"}


def validate_objectives(initiative: Initiative, objectives: list[Objective]) -> None:
    """An initiative advances objectives of its own unit or of units above or below it."""
    related = set(OrgUnit.objects.subtree_of(initiative.unit_id).values_list("id", flat=True))
    related |= initiative.unit.ancestor_ids()
    outside = [o for o in objectives if o.unit_id not in related]
    if outside:
        codes = ", ".join(sorted(f"{o.unit.code}.{o.code}" for o in outside))
        raise ValidationError(
            {
                "objectives": _(
                    "%(codes)s: an initiative of %(unit)s may advance objectives of its own "
                    "unit and of the units above or below it only."
                )
                % {"codes": codes, "unit": initiative.unit.code}
            }
        )


def _set_objectives(initiative: Initiative, objectives: Iterable[Objective]) -> None:
    objectives = list(dict.fromkeys(objectives))  # the same objective named twice is one link
    validate_objectives(initiative, objectives)
    initiative.objective_links.exclude(objective__in=objectives).delete()
    existing = set(initiative.objective_links.values_list("objective_id", flat=True))
    InitiativeObjective.objects.bulk_create(
        [
            InitiativeObjective(initiative=initiative, objective=o)
            for o in objectives
            if o.pk not in existing
        ]
    )
    data_changed()  # bulk_create sends no signal


@transaction.atomic
def initiative_create(*, actor, data: dict) -> Initiative:
    """Launch an initiative (unit, code, name, start...) and link it to the objectives it
    advances (`objectives` in `data`: of its own unit or of units above or below it)."""
    data = dict(data)
    objectives = data.pop("objectives", ())
    initiative = apply_changes(Initiative(), data, allowed=INITIATIVE_FIELDS)
    save_validated(initiative, actor=actor)
    _set_objectives(initiative, objectives)
    return initiative


@transaction.atomic
def initiative_update(*, actor, instance: Initiative, data: dict) -> Initiative:
    """Change an initiative (it may move to another unit) and, if `data` has `objectives`,
    the full list of objectives it advances; the objectives it keeps must still be within
    reach of its (possibly new) unit."""
    data = dict(data)
    objectives = data.pop("objectives", None)
    apply_changes(instance, data, allowed=INITIATIVE_FIELDS)
    save_validated(instance, actor=actor)
    if objectives is None:
        instance._prefetched_objects_cache = {}  # the links as stored, not a prefetched copy
        objectives = list(instance.objectives.select_related("unit"))
    _set_objectives(instance, objectives)
    return instance


@transaction.atomic
def initiative_delete(*, actor, instance: Initiative) -> None:
    """Delete an initiative that no budget line funds (its milestones and links go with
    it); otherwise refuse, naming the lines."""
    delete_or_explain(instance, actor=actor)


@transaction.atomic
def milestone_create(*, actor, data: dict) -> Milestone:
    """Add a dated milestone (`initiative`, `name`, `due`, optionally `done_on`) to an
    initiative; it cannot be done before the initiative starts."""
    milestone = apply_changes(Milestone(), data, allowed=MILESTONE_FIELDS)
    return save_validated(milestone, actor=actor)


@transaction.atomic
def milestone_update(*, actor, instance: Milestone, data: dict) -> Milestone:
    """Change a milestone: rename or reschedule it, mark it done (or not done), or move it
    to another initiative."""
    apply_changes(instance, data, allowed=MILESTONE_FIELDS)
    return save_validated(instance, actor=actor)


@transaction.atomic
def milestone_delete(*, actor, instance: Milestone) -> None:
    """Remove a milestone from its initiative."""
    delete_or_explain(instance, actor=actor)


def broken_links_after_unit_move(subtree: set[int], above: set[int]) -> list[str]:
    """Initiatives linked to objectives across a moved subtree's border that would no longer
    be above or below each other (registered with scorecards in apps.py)."""
    links = InitiativeObjective.objects.select_related("initiative__unit", "objective__unit")
    reach = subtree | above
    crossing = list(
        links.filter(initiative__unit__in=subtree).exclude(objective__unit__in=reach)
    ) + list(links.filter(objective__unit__in=subtree).exclude(initiative__unit__in=reach))
    return [
        _("initiative %(initiative)s advances %(objective)s")
        % {
            "initiative": f"{link.initiative.unit.code}.{link.initiative.code}",
            "objective": f"{link.objective.unit.code}.{link.objective.code}",
        }
        for link in crossing
    ]
