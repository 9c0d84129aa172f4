"""Writes of the strategy: objectives and the cascade (which objectives of the units above
each one supports), and the cause-and-effect arrows of a unit's strategy map."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.services import NOT_CHANGED_HERE, apply_changes, delete_or_explain, save_validated

from ..models import CascadeLink, CauseEffect, Objective
from ..models.objectives import validate_supports

OBJECTIVE_FIELDS = {
    "unit", "code", "name", "description", "perspective", "theme", "owner", "weight",
}  # fmt: skip
OBJECTIVE_FIXED = {"unit": NOT_CHANGED_HERE}  # an objective stays in its unit
ARROW_FIELDS = {"cause", "effect", "rationale"}


def _set_supports(objective: Objective, supported: Iterable[Objective], *, actor) -> None:
    supported = list(supported)
    validate_supports(objective, supported)
    wanted = {o.pk for o in supported}
    current = set(objective.cascade_links_up.values_list("supported_id", flat=True))
    for link in objective.cascade_links_up.filter(supported_id__in=current - wanted):
        link._history_user = actor
        link.delete()
    for target_id in wanted - current:
        link = CascadeLink(supporting=objective, supported_id=target_id)
        link._history_user = actor
        link.save()


@transaction.atomic
def objective_create(*, actor, data: dict) -> Objective:
    """Create an objective and cascade it: `supports` (in `data`) names objectives of
    ancestor units."""
    data = dict(data)
    supports = data.pop("supports", ())
    objective = apply_changes(Objective(), data, allowed=OBJECTIVE_FIELDS)
    save_validated(objective, actor=actor)
    _set_supports(objective, supports, actor=actor)
    return objective


@transaction.atomic
def objective_update(*, actor, instance: Objective, data: dict) -> Objective:
    """Change an objective's fields and, if `data` has `supports`, the full list of
    objectives it supports. It stays in its unit."""
    data = dict(data)
    supports = data.pop("supports", None)
    apply_changes(instance, data, allowed=OBJECTIVE_FIELDS - {"unit"}, fixed=OBJECTIVE_FIXED)
    save_validated(instance, actor=actor)
    if supports is not None:
        _set_supports(instance, supports, actor=actor)
    return instance


@transaction.atomic
def objective_support(*, actor, objective: Objective, supported: Objective) -> CascadeLink:
    """Cascade: `objective` supports `supported`, an objective of an ancestor unit."""
    validate_supports(objective, [supported])
    if objective.cascade_links_up.filter(supported=supported).exists():
        raise ValidationError(
            {
                "supports": _("%(objective)s already supports %(supported)s.")
                % {"objective": objective.code, "supported": supported.code}
            }
        )
    return save_validated(CascadeLink(supporting=objective, supported=supported), actor=actor)


@transaction.atomic
def objective_delete(*, actor, instance: Objective) -> None:
    """Delete an objective nothing depends on (measures, goals, budget lines, initiatives,
    supporting objectives); otherwise refuse, naming them."""
    delete_or_explain(instance, actor=actor)


@transaction.atomic
def cause_effect_create(*, actor, data: dict) -> CauseEffect:
    """Draw an arrow of a unit's strategy map between two of its objectives (cause,
    effect, rationale)."""
    return save_validated(apply_changes(CauseEffect(), data, allowed=ARROW_FIELDS), actor=actor)


@transaction.atomic
def cause_effect_update(*, actor, instance: CauseEffect, data: dict) -> CauseEffect:
    """Change an arrow's ends or rationale (still two objectives of one unit, once)."""
    apply_changes(instance, data, allowed=ARROW_FIELDS)
    return save_validated(instance, actor=actor)


@transaction.atomic
def cause_effect_delete(*, actor, instance: CauseEffect) -> None:
    """Remove an arrow from the strategy map."""
    delete_or_explain(instance, actor=actor)
