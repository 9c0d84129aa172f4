"""Writes of the organisation: units (the tree), perspectives and strategic themes."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.audit import AuditKind, audit
from core.services import apply_changes, delete_or_explain, save_validated

from .. import formulas
from ..models import CascadeLink, FormulaInput, Objective, OrgUnit, Perspective, RollupSource, Theme

UNIT_FIELDS = {"code", "name", "kind", "parent", "head", "approval_required"}
PERSPECTIVE_FIELDS = {"name", "order", "description"}
THEME_FIELDS = {"unit", "name", "description"}


# Units -------------------------------------------------------------------------------------


def _audit_head(actor, unit: OrgUnit, old_head_id: int | None) -> None:
    """A unit's head is a grant of rights over its subtree: a change goes to the security
    audit log (the new head as target; the unit and the one before in the detail)."""
    if unit.head_id == old_head_id:
        return
    old = get_user_model().objects.filter(pk=old_head_id).first() if old_head_id else None
    was = old.get_username() if old is not None else "nobody"
    audit(
        AuditKind.HEAD_CHANGED,
        actor=actor,
        target=unit.head,
        detail=f"unit {unit.code}; head before: {was}",
    )


@transaction.atomic
def unit_create(*, actor, data: dict) -> OrgUnit:
    """Add a unit to the tree (code, name, kind, parent, head)."""
    unit = save_validated(apply_changes(OrgUnit(), data, allowed=UNIT_FIELDS), actor=actor)
    _audit_head(actor, unit, None)
    return unit


@transaction.atomic
def unit_update(*, actor, instance: OrgUnit, data: dict) -> OrgUnit:
    """Rename, re-head or move a unit (see `validate_unit_change` for what is refused)."""
    # As stored: a form may already have changed the instance it hands over.
    stored_head = OrgUnit.objects.filter(pk=instance.pk).values_list("head_id", flat=True)
    old_head_id = stored_head.first()
    apply_changes(instance, data, allowed=UNIT_FIELDS)
    instance.full_clean()
    validate_unit_change(instance)
    unit = save_validated(instance, actor=actor)
    _audit_head(actor, unit, old_head_id)
    return unit


@transaction.atomic
def unit_delete(*, actor, instance: OrgUnit) -> None:
    """Delete a unit that nothing depends on any more."""
    delete_or_explain(instance, actor=actor)


def _names_unit(formula: str, unit_code: str) -> bool:
    """Whether a (valid, saved) formula names measures as `unit_code`.CODE."""
    return any(ref.unit_code == unit_code for ref in formulas.references(formulas.parse(formula)))


# Checks other apps add (in their AppConfig.ready) for links a unit move could break; each
# takes (subtree unit ids, ids of the units above the subtree after the move) and returns
# descriptions of the links that would point outside their allowed reach.
UNIT_MOVE_CHECKS: list = []


def register_unit_move_check(check) -> None:
    """Let an app refuse unit moves that would break its links (dependency inversion: the
    scorecards app cannot import the apps built on it)."""
    if check not in UNIT_MOVE_CHECKS:
        UNIT_MOVE_CHECKS.append(check)


def broken_scorecard_links(subtree: set[int], above: set[int]) -> list[str]:
    """Cascade links, rollup sources and themes from inside a moved subtree to units that
    would no longer be above it."""
    reach = subtree | above
    broken = [
        _("%(supporting)s supports %(supported)s")
        % {
            "supporting": f"{link.supporting.unit.code}.{link.supporting.code}",
            "supported": f"{link.supported.unit.code}.{link.supported.code}",
        }
        for link in CascadeLink.objects.filter(supporting__unit__in=subtree)
        .exclude(supported__unit__in=reach)
        .select_related("supporting__unit", "supported__unit")
    ]
    broken += [
        _("%(source)s is a source of %(rollup)s")
        % {
            "source": f"{link.source.unit.code}.{link.source.code}",
            "rollup": f"{link.rollup_measure.unit.code}.{link.rollup_measure.code}",
        }
        for link in RollupSource.objects.filter(source__unit__in=subtree)
        .exclude(rollup_measure__unit__in=reach)
        .select_related("source__unit", "rollup_measure__unit")
    ]
    broken += [
        _("%(objective)s uses the theme '%(theme)s' of %(unit)s")
        % {"objective": f"{o.unit.code}.{o.code}", "theme": o.theme.name, "unit": o.theme.unit.code}
        for o in Objective.objects.filter(unit__in=subtree, theme__isnull=False)
        .exclude(theme__unit__in=reach)
        .select_related("unit", "theme__unit")
    ]
    return broken


def validate_unit_change(unit: OrgUnit) -> None:
    """The rules of changing a stored unit that depend on other rows, checked against the
    row as stored (so a form can ask before saving): a rename must not break formulas that
    name the unit (`UNIT.CODE`); a move must not leave links of the subtree (cascade,
    rollups, themes, and what other apps register) pointing at units no longer above it."""
    if unit.pk is None:
        return
    stored = OrgUnit.objects.filter(pk=unit.pk).values("code", "parent_id").first()
    if stored is None:
        return
    old_code = stored["code"]
    if unit.code != old_code:
        readers = sorted(
            {
                f"{link.measure.unit.code}.{link.measure.code}"
                for link in FormulaInput.objects.filter(input__unit=unit).select_related(
                    "measure__unit"
                )
                if link.measure.unit_id != unit.pk or _names_unit(link.measure.formula, old_code)
            }
        )
        if readers:
            raise ValidationError(
                {
                    "code": _(
                        "The formulas of %(readers)s name measures as %(unit)s.CODE; change them "
                        "before renaming the unit."
                    )
                    % {"readers": ", ".join(readers), "unit": old_code}
                }
            )
    if unit.parent_id != stored["parent_id"] and unit.parent_id is not None:
        subtree = set(OrgUnit.objects.subtree_of(unit.pk).values_list("id", flat=True))
        if unit.parent_id in subtree:
            return  # a cycle: the model's clean() says so
        above = set(
            OrgUnit.objects.ancestors_of(unit.parent_id, include_self=True).values_list(
                "id", flat=True
            )
        )
        broken = broken_scorecard_links(subtree, above)
        for check in UNIT_MOVE_CHECKS:
            broken += check(subtree, above)
        if broken:
            shown = "; ".join(sorted(broken)[:5]) + ("; …" if len(broken) > 5 else "")
            raise ValidationError(
                {
                    "parent": ngettext(
                        "Moving %(unit)s there would break %(number)s link(s) to units that would "
                        "no longer be above it: %(links)s. Change those links first.",
                        "Moving %(unit)s there would break %(number)s link(s) to units that would "
                        "no longer be above it: %(links)s. Change those links first.",
                        len(broken),
                    )
                    % {"unit": unit.code, "number": len(broken), "links": shown}
                }
            )


# Perspectives and themes -------------------------------------------------------------------


@transaction.atomic
def perspective_create(*, actor, data: dict) -> Perspective:
    """Add a perspective (public bodies often put Mission on top)."""
    perspective = apply_changes(Perspective(), data, allowed=PERSPECTIVE_FIELDS)
    return save_validated(perspective, actor=actor)


@transaction.atomic
def perspective_update(*, actor, instance: Perspective, data: dict) -> Perspective:
    """Rename or reorder a perspective."""
    apply_changes(instance, data, allowed=PERSPECTIVE_FIELDS)
    return save_validated(instance, actor=actor)


@transaction.atomic
def perspective_delete(*, actor, instance: Perspective) -> None:
    """Delete a perspective no objective is placed in."""
    delete_or_explain(instance, actor=actor)


@transaction.atomic
def theme_create(*, actor, data: dict) -> Theme:
    """Add a strategic theme to a unit's map (unit, name, description)."""
    return save_validated(apply_changes(Theme(), data, allowed=THEME_FIELDS), actor=actor)


@transaction.atomic
def theme_update(*, actor, instance: Theme, data: dict) -> Theme:
    """Rename a theme or move it up or down the tree (not away from its objectives)."""
    apply_changes(instance, data, allowed=THEME_FIELDS)
    return save_validated(instance, actor=actor)


@transaction.atomic
def theme_delete(*, actor, instance: Theme) -> None:
    """Delete a theme no objective uses."""
    delete_or_explain(instance, actor=actor)
