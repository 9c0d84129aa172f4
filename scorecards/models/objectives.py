"""Objectives, the cascade between units' objectives, and cause-and-effect arrows."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core import policies
from core.fields import WEIGHT
from core.models import TimeStampedModel
from core.scoping import Access
from core.validators import code_validator

from .units import OrgUnit, Perspective, Theme


class Objective(TimeStampedModel):
    """What a unit must achieve, placed in one perspective (and optionally a theme).

    `supports` is the cascade: the objectives of strict ancestor units this one serves.
    The unit of an objective never changes once created, so its measures stay in it.
    """

    access = Access(policies.STRATEGY, unit="unit")

    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="objectives", verbose_name=_("unit")
    )
    code = models.CharField(_("code"), max_length=40, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    perspective = models.ForeignKey(
        Perspective,
        on_delete=models.PROTECT,
        related_name="objectives",
        verbose_name=_("perspective"),
    )
    theme = models.ForeignKey(
        Theme,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="objectives",
        verbose_name=_("theme"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_objectives",
        verbose_name=_("owner"),
    )
    weight = models.DecimalField(_("weight"), **WEIGHT, default=Decimal("1"))
    supports = models.ManyToManyField(
        "self",
        symmetrical=False,
        through="CascadeLink",
        through_fields=("supporting", "supported"),
        related_name="supported_by",
        blank=True,
        verbose_name=_("supports"),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["unit__code", "perspective__order", "code"]
        verbose_name = _("objective")
        verbose_name_plural = _("objectives")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "code"],
                name="objective_code_unique_in_unit",
                violation_error_message=_("This unit already has an objective with this code."),
            ),
            models.CheckConstraint(
                condition=models.Q(weight__gt=0),
                name="objective_weight_positive",
                violation_error_message=_("The weight must be positive."),
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    def clean(self):
        errors = {}
        if self.pk:
            stored_unit = Objective.objects.filter(pk=self.pk).values_list("unit_id", flat=True)
            if stored_unit and stored_unit[0] != self.unit_id:
                errors["unit"] = _(
                    "An objective cannot move to another unit; create it in the other unit."
                )
        if self.theme_id and self.unit_id:
            allowed = self.unit.ancestor_ids(include_self=True) | {self.unit_id}
            if self.theme.unit_id not in allowed:
                errors["theme"] = _("The theme must belong to this unit or a unit above it.")
        if errors:
            raise ValidationError(errors)


def validate_supports(objective: Objective, supported: list[Objective]) -> None:
    """Refuse supported objectives that are not of a strict ancestor unit (or itself)."""
    if not supported:
        return
    ancestors = objective.unit.ancestor_ids()
    bad_self = [o for o in supported if objective.pk and o.pk == objective.pk]
    if bad_self:
        raise ValidationError({"supports": _("An objective cannot support itself.")})
    bad = [o for o in supported if o.unit_id not in ancestors]
    if bad:
        codes = ", ".join(sorted(f"{o.unit.code}.{o.code}" for o in bad))
        raise ValidationError(
            {
                "supports": _(
                    "%(objectives)s: an objective can only support objectives of units above "
                    "its own unit (%(unit)s)."
                )
                % {"objectives": codes, "unit": objective.unit.code}
            }
        )


class CascadeLink(models.Model):
    """`supporting` (an objective of a lower unit) supports `supported` (of an ancestor unit).

    Deleting a supported objective is refused while objectives still support it.
    """

    access = Access(policies.STRATEGY, unit="supporting__unit")

    supporting = models.ForeignKey(
        Objective,
        on_delete=models.CASCADE,
        related_name="cascade_links_up",
        verbose_name=_("supporting"),
    )
    supported = models.ForeignKey(
        Objective,
        on_delete=models.PROTECT,
        related_name="cascade_links_down",
        verbose_name=_("supported"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("cascade link")
        verbose_name_plural = _("cascade links")
        constraints = [
            models.UniqueConstraint(
                fields=["supporting", "supported"],
                name="cascade_link_once",
                violation_error_message=_("This objective already supports that one."),
            ),
            models.CheckConstraint(
                condition=~models.Q(supporting=models.F("supported")),
                name="cascade_link_not_self",
                violation_error_message=_("An objective cannot support itself."),
            ),
        ]

    def __str__(self):
        return _("%(supporting)s supports %(supported)s") % {
            "supporting": self.supporting,
            "supported": self.supported,
        }

    def clean(self):
        if self.supporting_id and self.supported_id:
            try:
                validate_supports(self.supporting, [self.supported])
            except ValidationError as error:
                # On a cascade link the offending field is `supported`.
                raise ValidationError({"supported": error.message_dict["supports"]}) from None


class CauseEffect(models.Model):
    """An arrow of a unit's strategy map: progress on `cause` drives progress on `effect`."""

    access = Access(policies.STRATEGY, unit="cause__unit")

    cause = models.ForeignKey(
        Objective, on_delete=models.CASCADE, related_name="effects", verbose_name=_("cause")
    )
    effect = models.ForeignKey(
        Objective, on_delete=models.CASCADE, related_name="causes", verbose_name=_("effect")
    )
    rationale = models.TextField(_("rationale"), blank=True)

    class Meta:
        verbose_name = _("cause-and-effect link")
        verbose_name_plural = _("cause-and-effect links")
        constraints = [
            models.UniqueConstraint(
                fields=["cause", "effect"],
                name="cause_effect_once",
                violation_error_message=_("This cause-and-effect link already exists."),
            ),
            models.CheckConstraint(
                condition=~models.Q(cause=models.F("effect")),
                name="cause_effect_not_self",
                violation_error_message=_("Cause and effect must be two different objectives."),
            ),
        ]

    def __str__(self):
        return f"{self.cause.code} → {self.effect.code}"

    def clean(self):
        if self.cause_id and self.effect_id and self.cause.unit_id != self.effect.unit_id:
            raise ValidationError(
                {"effect": _("Cause and effect must be objectives of the same unit's map.")}
            )
