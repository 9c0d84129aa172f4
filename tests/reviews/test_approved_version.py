"""A strategy review names the version of its unit's strategy it approved (issue 17)."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from reviews.models import ReviewMeeting
from scorecards import services
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    top = f.EnterpriseFactory(code="TOP")
    staff = f.UserFactory(roles=["OSM staff"])
    other = f.OrgUnitFactory(code="OTHER", parent=top)
    publish = services.strategy_version_publish
    return {
        "top": top,
        "staff": staff,
        "plan": publish(actor=staff, data={"unit": top, "name": "Strategy 2027"}),
        "elsewhere": publish(actor=staff, data={"unit": other, "name": "Other plan"}),
        "review": f.ReviewMeetingFactory(
            unit=top, kind="strategy", scheduled_for=timezone.now() - dt.timedelta(hours=1)
        ),
        "operational": f.ReviewMeetingFactory(unit=top, kind="operational"),
    }


def test_the_api_sets_the_version_a_strategy_review_approved(world):
    client = APIClient()
    client.force_authenticate(world["staff"])
    url = f"/api/v1/reviews/{world['review'].pk}/"
    done = client.patch(url, {"approved_version": world["plan"].pk}, format="json")
    assert done.status_code == 200 and done.json()["approved_version"] == world["plan"].pk
    wrong_unit = client.patch(url, {"approved_version": world["elsewhere"].pk}, format="json")
    assert wrong_unit.status_code == 400 and "approved_version" in wrong_unit.json()
    operational = client.patch(
        f"/api/v1/reviews/{world['operational'].pk}/",
        {"approved_version": world["plan"].pk},
        format="json",
    )
    assert operational.status_code == 400 and "approved_version" in operational.json()
    assert ReviewMeeting.objects.get(pk=world["operational"].pk).approved_version is None


def test_holding_a_strategy_review_records_the_version_and_the_page_says_so(world, client):
    client.force_login(world["staff"])
    review = world["review"]
    page = client.get(f"/reviews/{review.pk}/").content.decode()
    assert "Approved version of the strategy" in page and "Other plan" not in page
    held = client.post(
        f"/reviews/{review.pk}/",
        {"action": "hold", "minutes": "Discussed", "decisions": "Approved",
         "approved_version": world["plan"].pk},
    )  # fmt: skip
    assert held.status_code == 302
    review.refresh_from_db()
    assert (review.status, review.approved_version) == ("held", world["plan"])
    page = client.get(f"/reviews/{review.pk}/").content.decode()
    assert "approved the strategy version <strong>Strategy 2027</strong>" in page
    # An operational review has no such field.
    other = client.get(f"/reviews/{world['operational'].pk}/").content.decode()
    assert "Approved version of the strategy" not in other


def test_emptying_the_field_clears_the_version_whether_saved_or_held(world, client):
    """The minutes form's two buttons obey one rule: the field as sent is what is stored."""
    review = world["review"]
    ReviewMeeting.objects.filter(pk=review.pk).update(approved_version=world["plan"])
    client.force_login(world["staff"])
    held = client.post(
        f"/reviews/{review.pk}/",
        {"action": "hold", "minutes": "", "decisions": "", "approved_version": ""},
    )
    assert held.status_code == 302
    review.refresh_from_db()
    assert (review.status, review.approved_version) == ("held", None)
