"""Every model of OSM's apps declares its access once (core/scoping.py), and the rules and
querysets derived from the declarations answer as the declarations say."""

import pytest
from django.apps import apps
from django.conf import settings

from core import policies
from core.roles import EMPLOYEE, EXECUTIVE, MEASURE_OWNER, OSM_STAFF, UNIT_HEAD
from core.scoping import access_of, owner_of, restrict, unit_of
from scorecards.models import Measure, MeasureValue, OrgUnit
from tests import factories as f


def our_models():
    """The models of our apps, without the change-history tables simple-history makes."""
    return [
        model
        for label in settings.OSM_APPS
        for model in apps.get_app_config(label).get_models()
        if not model.__name__.startswith("Historical")
    ]


def test_every_model_of_our_apps_declares_its_access():
    missing = [model._meta.label for model in our_models() if access_of(model) is None]
    assert missing == []


@pytest.mark.parametrize("model", our_models(), ids=lambda m: m._meta.label)
def test_declared_paths_lead_to_a_unit_and_a_user(model):
    access = access_of(model)
    for path, target in ((access.unit, "scorecards.OrgUnit"), (access.owner, "auth.User")):
        if not path or path == "pk":
            continue
        here = model
        for step in path.split("__"):
            here = here._meta.get_field(step).related_model
        assert here._meta.label == target, path
    assert access.unit != "pk" or model is OrgUnit


def test_every_our_model_has_a_rule_per_action():
    import rules

    for model in our_models():
        for action in ("view", "add", "change", "delete"):
            name = f"{model._meta.app_label}.{action}_{model._meta.model_name}"
            assert rules.perm_exists(name), name


@pytest.mark.django_db
def test_unit_and_owner_are_read_through_the_declaration():
    ent = f.EnterpriseFactory()
    unit = f.OrgUnitFactory(code="B1", parent=ent)
    owner = f.UserFactory()
    measure = f.MeasureFactory(objective=f.ObjectiveFactory(unit=unit), owner=owner)
    value = f.MeasureValueFactory(measure=measure)
    # A unit is its own unit; a value is in its measure's unit and owned by its owner.
    assert unit_of(unit) == unit.pk
    assert (unit_of(measure), owner_of(measure)) == (unit.pk, owner.pk)
    assert (unit_of(value), owner_of(value)) == (unit.pk, owner.pk)
    assert owner_of(unit) is None


@pytest.mark.django_db
def test_restrict_follows_the_policies():
    """Values: everyone with a role sees them all; a user without a role sees none.
    Budget lines: a unit head sees those of the subtree he or she heads only."""
    ent = f.EnterpriseFactory()
    b1 = f.OrgUnitFactory(code="B1", parent=ent)
    d1 = f.OrgUnitFactory(code="D1", parent=b1, kind="department")
    b2 = f.OrgUnitFactory(code="B2", parent=ent)
    head = f.UserFactory(roles=[UNIT_HEAD])
    b1.head = head
    b1.save()
    lines = {u.code: f.BudgetLineFactory(unit=u) for u in (ent, b1, d1, b2)}
    values = [
        f.MeasureValueFactory(measure=f.MeasureFactory(objective=f.ObjectiveFactory(unit=u)))
        for u in (b1, b2)
    ]

    from budgets.models import BudgetLine

    seen = set(restrict(BudgetLine.objects.all(), head).values_list("unit__code", flat=True))
    assert seen == {"B1", "D1"}  # B1 and the department below it; not ENT, not B2
    for role, expected in ((EXECUTIVE, 4), (EMPLOYEE, 0), (OSM_STAFF, 4)):
        user = f.UserFactory(roles=[role])
        assert restrict(BudgetLine.objects.all(), user).count() == expected, role
    nobody = f.UserFactory(roles=[])
    assert restrict(MeasureValue.objects.all(), nobody).count() == 0
    assert restrict(MeasureValue.objects.all(), f.UserFactory(roles=[EMPLOYEE])).count() == 2
    assert {v.pk for v in values} == set(MeasureValue.objects.values_list("pk", flat=True))
    assert lines["ENT"].pk  # the enterprise's line exists, hidden from the unit head


@pytest.mark.django_db
def test_an_owner_may_enter_values_anywhere_only_once_he_owns_a_measure():
    user = f.UserFactory(roles=[MEASURE_OWNER])
    assert not user.has_perm("scorecards.add_measurevalue")
    measure = f.MeasureFactory(owner=user)
    fresh = type(user).objects.get(pk=user.pk)  # permissions are cached on the user
    assert fresh.has_perm("scorecards.add_measurevalue")
    assert fresh.has_perm("scorecards.add_measurevalue", measure)
    assert not fresh.has_perm("scorecards.add_measurevalue", f.MeasureFactory())
    assert access_of(Measure).policy is policies.STRATEGY  # owning grants no measure edits
    assert not fresh.has_perm("scorecards.change_measure", measure)


@pytest.mark.django_db
def test_an_owners_rights_are_not_asked_through_unrelated_objects():
    """Owning a measure gives rights on its values (asked with the measure, the parent of a
    new value) but makes no one an employee's own record; owning an employee record gives
    nothing on action items."""
    owner = f.UserFactory(roles=[MEASURE_OWNER, EMPLOYEE])
    measure = f.MeasureFactory(owner=owner)
    employee = f.EmployeeFactory(user=owner)
    assert owner.has_perm("scorecards.add_measurevalue", measure)
    assert owner.has_perm("people.view_employee", employee)
    assert owner.has_perm("people.view_goal", employee)  # the record his goals hang on
    assert not owner.has_perm("people.view_employee", measure)
    assert not owner.has_perm("reviews.change_actionitem", employee)
