"""seed_scale: a synthetic company in the demo's shape, built in bulk yet valid."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import F
from django.utils import timezone

from budgets.models import BudgetLine
from communication.models import Announcement, Endorsement, Practice, Pulse, PulseAnswer
from initiatives.models import Initiative
from people.models import Employee, Goal, IncentiveComponent
from scorecards.models import CascadeLink, CauseEffect, Measure, MeasureValue, Objective, OrgUnit

pytestmark = pytest.mark.django_db

SMALL = {"units": 6, "objectives": 4, "measures": 8, "months": 3, "employees": 20}


@pytest.fixture
def small():
    call_command("seed_scale", **SMALL, stdout=io.StringIO())


def test_counts_follow_the_arguments(small):
    assert OrgUnit.objects.count() == 6
    assert OrgUnit.objects.filter(kind="enterprise").count() == 1
    assert Objective.objects.count() == 6 * 4  # 4 per unit
    assert Measure.objects.count() == 6 * 8  # 8 per unit
    assert MeasureValue.objects.count() == 6 * 8 * 3  # 3 months each
    assert MeasureValue.history.count() == 6 * 8 * 3  # one history row per value
    # every objective but the enterprise's supports its parent unit's objective in its slot
    assert CascadeLink.objects.count() == (6 - 1) * 4
    assert Employee.objects.count() == 20
    assert Goal.objects.count() == 20 * 2  # one performance and one development goal
    assert IncentiveComponent.objects.count() == 20
    assert CauseEffect.objects.exists() and Initiative.objects.exists()
    assert BudgetLine.objects.exists()
    # A login per employee; each measure owned by someone of its unit, each unit headed.
    assert Employee.objects.filter(user__isnull=False).count() == 20
    assert not Measure.objects.filter(owner__isnull=True).exists()
    assert all(m.owner.employee.unit_id == m.unit_id for m in Measure.objects.all())
    assert not OrgUnit.objects.filter(head__isnull=True).exists()  # 20 people over 6 units


def test_pulses_announcements_and_practices(small):
    """Two closed pulses of the whole company: the latest answered by all 20 logins, the one
    before by some; one answer per respondent, never more; an announcement per unit (6), and
    5 practices per unit (30), endorsed by others than their authors."""
    today = timezone.localdate()
    last, before = Pulse.objects.order_by("-opens_on")
    assert last.status_on(today) == before.status_on(today) == "closed"
    assert last.respondents.count() == last.answers.count() == 20
    assert before.respondents.count() == before.answers.count() <= 20
    for answer in PulseAnswer.objects.select_related("objective"):
        chain = {u.pk for u in OrgUnit.objects.ancestors_of(answer.unit_id, include_self=True)}
        assert answer.aware == (answer.objective is not None and answer.objective.unit_id in chain)
    assert Announcement.objects.count() == 6 and Practice.objects.count() == 6 * 5
    assert not Endorsement.objects.filter(user=F("practice__author")).exists()


def test_every_row_passes_the_model_rules(small):
    for model in (OrgUnit, Objective, Measure, MeasureValue, Initiative, BudgetLine, Goal,
                  Pulse, PulseAnswer, Announcement, Practice):  # fmt: skip
        for row in model.objects.all():
            row.full_clean()
    for link in CascadeLink.objects.all():
        link.full_clean()  # supports only objectives of strict ancestor units
    for arrow in CauseEffect.objects.all():
        arrow.full_clean()  # same unit, different objectives


def test_history_points_at_the_values(small):
    ids = set(MeasureValue.objects.values_list("id", flat=True))
    assert set(MeasureValue.history.values_list("id", flat=True)) == ids


def test_refuses_a_database_that_has_units(small):
    with pytest.raises(CommandError, match="fills an empty database only"):
        call_command("seed_scale", units=2)


@pytest.mark.parametrize(
    "arguments,message",
    [
        ({"units": 0}, "--units must be at least 1."),
        ({"months": 0}, "--months must be at least 1."),
        ({"objectives": 5, "measures": 4}, "--measures must be at least --objectives"),
        ({"employees": -1}, "--employees must not be negative."),
    ],
)
def test_bad_arguments_are_refused(arguments, message):
    with pytest.raises(CommandError, match=message):
        call_command("seed_scale", **arguments)
    assert not OrgUnit.objects.exists()
