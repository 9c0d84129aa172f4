"""The organisation tree, perspectives and strategic themes."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext_lazy as _

from core import policies
from core.models import TimeStampedModel
from core.scoping import Access
from core.validators import code_validator

from ..choices import UnitKind

# Subtree and ancestor queries are recursive CTEs (PostgreSQL and SQLite both have them):
# one query whatever the depth, and no stored path that could drift from `parent`.
# UNION (not UNION ALL) makes them terminate even on a cycle written behind our back.
_SUBTREE_SQL = """
WITH RECURSIVE subtree(id) AS (
    SELECT id FROM {table} WHERE id IN ({roots})
    UNION
    SELECT child.id FROM {table} child JOIN subtree ON child.parent_id = subtree.id
) SELECT id FROM subtree
"""
_ANCESTORS_SQL = """
WITH RECURSIVE chain(id, parent_id) AS (
    SELECT id, parent_id FROM {table} WHERE id = %s
    UNION
    SELECT up.id, up.parent_id FROM {table} up JOIN chain ON up.id = chain.parent_id
) SELECT id FROM chain
"""


def _tree_ids(sql: str, params: list[int]) -> RawSQL:
    """The ids a tree query selects, for `id__in`."""
    # bandit's B611 flags any RawSQL whose text is not a literal. Here it is one of the
    # templates above with the model's own table name and `%s` placeholders; every value
    # is a parameter, cast to int: nothing from a request reaches the SQL text.
    return RawSQL(sql, params)  # nosec B611


class OrgUnitQuerySet(models.QuerySet):
    """Tree queries over org units, each a single SQL query."""

    def subtree_of(self, *unit_ids: int) -> "OrgUnitQuerySet":
        """The given units and every unit below them."""
        if not unit_ids:
            return self.none()
        table = self.model._meta.db_table
        sql = _SUBTREE_SQL.format(table=table, roots=", ".join(["%s"] * len(unit_ids)))
        return self.filter(id__in=_tree_ids(sql, [int(u) for u in unit_ids]))

    def ancestors_of(self, unit_id: int, *, include_self: bool = False) -> "OrgUnitQuerySet":
        """The units above `unit_id` (and it too, if asked)."""
        table = self.model._meta.db_table
        qs = self.filter(id__in=_tree_ids(_ANCESTORS_SQL.format(table=table), [int(unit_id)]))
        return qs if include_self else qs.exclude(id=unit_id)


class OrgUnit(TimeStampedModel):
    """A unit of the organisation: the enterprise at the root, then business and support
    units, departments and teams. Each keeps its own scorecard and cascades it down."""

    access = Access(policies.ORGANISATION, unit="pk")

    code = models.CharField(_("code"), max_length=40, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent"),
    )
    head = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="headed_units",
        verbose_name=_("head"),
    )
    # True or false set here wins over the parent's; null inherits it (the root's null is
    # false): `approval_effective`.
    approval_required = models.BooleanField(
        _("approval required"),
        null=True,
        blank=True,
        help_text=_(
            "Whether values entered by measure owners wait for a unit head's or the OSM "
            "staff's approval. Empty: as the unit above."
        ),
    )

    objects = OrgUnitQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("org unit")
        verbose_name_plural = _("org units")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=UnitKind.values), name="orgunit_kind_valid"
            ),
            # The enterprise is the root and the only root.
            models.CheckConstraint(
                condition=(
                    models.Q(kind=UnitKind.ENTERPRISE, parent__isnull=True)
                    | (~models.Q(kind=UnitKind.ENTERPRISE) & models.Q(parent__isnull=False))
                ),
                name="orgunit_root_is_enterprise",
                violation_error_message=_(
                    "The enterprise unit has no parent; every other unit must have one."
                ),
            ),
            models.UniqueConstraint(
                fields=["kind"],
                condition=models.Q(kind=UnitKind.ENTERPRISE),
                name="orgunit_one_enterprise",
                violation_error_message=_("There is already an enterprise unit."),
            ),
        ]

    def __str__(self):
        """A unit is named by its name everywhere people read it (scorecards/display.py)."""
        return self.name

    def ancestor_ids(self, *, include_self: bool = False) -> set[int]:
        """Ids of the units above this one (one query)."""
        if self.pk is None:
            ids = set()
            if self.parent_id:
                ids = set(
                    OrgUnit.objects.ancestors_of(self.parent_id, include_self=True).values_list(
                        "id", flat=True
                    )
                )
            return ids
        return set(
            OrgUnit.objects.ancestors_of(self.pk, include_self=include_self).values_list(
                "id", flat=True
            )
        )

    def clean(self):
        if self.parent_id is None:
            return
        if self.pk and self.parent_id == self.pk:
            raise ValidationError({"parent": _("A unit cannot be its own parent.")})
        if self.pk:
            parent_chain = OrgUnit.objects.ancestors_of(self.parent_id, include_self=True)
            if parent_chain.filter(pk=self.pk).exists():
                raise ValidationError(
                    {"parent": _("A unit cannot move below one of its own descendants (cycle).")}
                )


class Perspective(models.Model):
    """A Balanced Scorecard perspective (Financial, Customer, Internal Process, Learning &
    Growth by default); `order` puts them top to bottom on the strategy map."""

    access = Access(policies.ORGANISATION)

    name = models.CharField(_("name"), max_length=100, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), unique=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["order"]
        verbose_name = _("perspective")
        verbose_name_plural = _("perspectives")

    def __str__(self):
        return self.name


class Theme(TimeStampedModel):
    """A strategic theme: a vertical slice across perspectives of a unit's strategy map."""

    access = Access(policies.STRATEGY, unit="unit")

    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="themes", verbose_name=_("unit")
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["unit__code", "name"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "name"],
                name="theme_name_unique_in_unit",
                violation_error_message=_("This unit already has a theme of that name."),
            )
        ]

    def __str__(self):
        return self.name

    def clean(self):
        """Moving a theme must leave it above or at the unit of every objective using it."""
        if not (self.pk and self.unit_id):
            return
        reach = OrgUnit.objects.subtree_of(self.unit_id)
        outside = sorted(
            f"{o.unit.code}.{o.code}"
            for o in self.objectives.exclude(unit__in=reach).select_related("unit")
        )
        if outside:
            raise ValidationError(
                {
                    "unit": _("%(objectives)s use this theme and are not in %(unit)s or below it.")
                    % {"objectives": ", ".join(outside), "unit": self.unit.code}
                }
            )
