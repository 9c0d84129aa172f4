"""The announcement pages: the list (addressed to me, or all; unread marked; its cost), the
page of one (marks it read, sanitised text), publishing, editing and withdrawing (who may,
bad input), and the read share by unit."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from communication.models import Announcement, AnnouncementRead
from core.models import Notification
from tests import factories as f
from tests.communication.worlds import small_org
from tests.factories import AnnouncementFactory, AnnouncementReadFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    return small_org()


def as_user(client, user):
    client.force_login(user)
    return client


# The list ------------------------------------------------------------------------------------


def test_the_list_shows_mine_by_default_and_all_on_demand(org, client):
    to_ent = AnnouncementFactory(unit=org.ent, title="To everyone")
    to_b1 = AnnouncementFactory(unit=org.b1, title="To sales")
    AnnouncementFactory(unit=org.b2, title="To services")
    AnnouncementReadFactory(announcement=to_b1, user=org.cy)
    as_user(client, org.cy)
    page = client.get("/announcements/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "To everyone" in html and "To sales" in html and "To services" not in html
    assert f'class="unread"><a href="/announcements/{to_ent.pk}/">' in html
    assert f'class="read"><a href="/announcements/{to_b1.pk}/">' in html
    assert "Publish an announcement" not in html  # an employee publishes nothing
    everything = client.get("/announcements/?show=all").content.decode()
    assert "To services" in everything and "Show those addressed to me" in everything


def test_without_an_employee_record_the_list_shows_every_one(org, client):
    AnnouncementFactory(unit=org.b2, title="To services")
    html = as_user(client, org.head).get("/announcements/").content.decode()
    assert "To services" in html and "Publish an announcement" in html
    assert as_user(client, f.UserFactory()).get("/announcements/").status_code == 403


def test_the_list_is_paginated_and_costs_the_same_queries(org, client):
    as_user(client, org.ana)
    AnnouncementFactory(unit=org.ent)
    client.get("/announcements/")
    with CaptureQueriesContext(connection) as small:
        client.get("/announcements/")
    for n in range(25):
        AnnouncementFactory(unit=org.b1, title=f"Note {n}")
    with CaptureQueriesContext(connection) as big:
        html = client.get("/announcements/").content.decode()
    assert len(small) == len(big)
    assert "Page 1 of 2 (1 to 20 of 26)" in html
    assert "Note 24" in client.get("/announcements/?page=1").content.decode()
    assert "Note 0" in client.get("/announcements/?page=2").content.decode()


# One announcement ----------------------------------------------------------------------------


def test_opening_one_marks_it_read_with_its_notification(org, client):
    as_user(client, org.head)
    sell = f.ObjectiveFactory(unit=org.b1, code="SELL", name="Sell more")
    made = client.post("/announcements/new/", {"unit": org.b1.pk, "title": "Q3 focus",
                       "body": "Grow *key* accounts.", "objectives": [sell.pk]})  # fmt: skip
    assert made.status_code == 302
    announcement = Announcement.objects.get()
    assert made["Location"] == f"/announcements/{announcement.pk}/"
    as_user(client, org.eve)
    for _ in range(2):
        page = client.get(f"/announcements/{announcement.pk}/")
        assert page.status_code == 200
    html = page.content.decode()
    assert "<em>key</em>" in html and "B1.SELL Sell more" in html
    assert "Who has read it" not in html and "Edit" not in html
    assert AnnouncementRead.objects.filter(user=org.eve).count() == 1
    assert Notification.objects.get(recipient=org.eve).read_at is not None
    assert Notification.objects.get(recipient=org.ana).read_at is None
    assert client.head(f"/announcements/{announcement.pk}/").status_code == 200
    assert client.get("/announcements/999999/").status_code == 404


def test_a_script_in_the_text_is_shown_as_text(org, client):
    announcement = AnnouncementFactory(
        unit=org.b1, title="<script>alert(1)</script>",
        body='<script>alert("x")</script> <img src=x onerror=alert(2)> **bold**',
    )  # fmt: skip
    html = as_user(client, org.ana).get(f"/announcements/{announcement.pk}/").content.decode()
    assert "<script>alert" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<strong>bold</strong>" in html


# Publishing, editing, withdrawing ------------------------------------------------------------


def test_the_publish_form_offers_the_units_one_may_publish_to(org, client):
    page = as_user(client, org.head).get("/announcements/new/?unit=D1")
    html = page.content.decode()
    assert page.status_code == 200 and "Publish an announcement" in html
    assert f'<option value="{org.d1.pk}" selected>' in html
    assert f'value="{org.b2.pk}"' not in html  # not his
    assert as_user(client, org.ana).get("/announcements/new/").status_code == 403


def test_publishing_outside_ones_subtree_or_badly_is_refused(org, client):
    as_user(client, org.head)
    data, url = {"unit": org.b2.pk, "title": "X", "body": "Y"}, "/announcements/new/"
    assert client.post(url, data).status_code == 403  # B2 is not below B1
    assert client.post(url, {**data, "unit": org.b1.pk, "title": " "}).status_code == 400
    assert client.post(url, {**data, "unit": 999_999}).status_code == 400
    assert client.post(url, {**data, "unit": "9" * 30}).status_code == 400
    bad = client.post(url, {**data, "unit": org.b1.pk, "objectives": [999_999]})
    assert bad.status_code == 400
    assert not Announcement.objects.exists()
    assert as_user(client, org.ana).post(url, {**data, "unit": org.b1.pk}).status_code == 403


def test_editing_and_withdrawing(org, client):
    announcement = AnnouncementFactory(unit=org.b1, title="Old", author=org.head)
    other = AnnouncementFactory(unit=org.b2)
    as_user(client, org.head)
    edit = client.get(f"/announcements/{announcement.pk}/edit/")
    assert edit.status_code == 200 and 'value="Old"' in edit.content.decode()
    saved = client.post(f"/announcements/{announcement.pk}/edit/",
                        {"unit": org.b1.pk, "title": "New", "body": "Text"})  # fmt: skip
    assert saved.status_code == 302
    assert Announcement.objects.get(pk=announcement.pk).title == "New"
    assert client.get(f"/announcements/{other.pk}/edit/").status_code == 403
    assert client.get(f"/announcements/{other.pk}/delete/").status_code == 403
    ask = client.get(f"/announcements/{announcement.pk}/delete/")
    assert ask.status_code == 200 and "Withdraw the announcement “New”?" in ask.content.decode()
    gone = client.post(f"/announcements/{announcement.pk}/delete/")
    assert gone.status_code == 302 and gone["Location"] == "/announcements/"
    assert not Announcement.objects.filter(pk=announcement.pk).exists()
    as_user(client, org.ana)
    assert client.post(f"/announcements/{other.pk}/delete/").status_code == 403


def test_the_objectives_box_searches_what_one_sees(org, client):
    f.ObjectiveFactory(unit=org.b1, code="SELL", name="Sell more")
    f.ObjectiveFactory(unit=org.b2, code="SERVE", name="Serve well")
    answer = as_user(client, org.head).get("/announcements/objectives/?q=sell").json()
    assert [r["text"] for r in answer["results"]] == ["B1.SELL Sell more"]
    assert as_user(client, org.ana).get("/announcements/objectives/?q=s").status_code == 403


# The read share --------------------------------------------------------------------------------


def test_the_read_share_page(org, client):
    announcement = AnnouncementFactory(unit=org.b1, author=org.head)
    for reader in (org.ben, org.eve, org.gus):
        AnnouncementReadFactory(announcement=announcement, user=reader)
    as_user(client, org.head)
    assert "Who has read it" in client.get(f"/announcements/{announcement.pk}/").content.decode()
    page = client.get(f"/announcements/{announcement.pk}/reach/")
    html = page.content.decode()
    assert page.status_code == 200
    # ben (B1) and eve (T1) of the 5 reached; gus is in B2: 2 of 5 = 40%. Per unit: B1 1 of
    # 2 = 50%, D1 0 of 2 = 0%, T1 1 of 1 = 100%. (The head read it too: outside, by opening.)
    assert "2 of the 5 people it reaches (40.00%)" in html
    for readers, audience, share in (("1", "2", "50.00%"), ("0", "2", "0.00%"),
                                     ("1", "1", "100.00%")):  # fmt: skip
        cells = "".join(f'<td class="num">{v}</td>' for v in (readers, audience, share))
        assert cells in html
    url = f"/announcements/{announcement.pk}/reach/"
    assert as_user(client, org.ana).get(url).status_code == 403
    assert as_user(client, org.staff).get(url).status_code == 200
