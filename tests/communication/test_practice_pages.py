"""The practice pages and their documents (issue 17 item 5): the list, one practice, the
form with its uploads, the Endorse / Withdraw button, downloads only to who may see the
practice, and the panel on a measure's page Off target or on Watch.

Documents go to a temporary MEDIA_ROOT. The world is test_practices.py's: NPS is Off target
in A (70 < red flag 90), On target in B (105 ≥ 100), on Watch in C (90 ≤ 95 < 100)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from communication.models import Endorsement, Practice, PracticeAttachment
from communication.services import practices as services
from tests.communication import test_practices as world
from tests.factories import EndorsementFactory, PracticeFactory
from tests.helpers import client_for

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4 a plan of the call-backs"
frozen, w = world.frozen, world.w  # the same day and the same world (fixtures)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


def upload(name="plan.pdf", content=PDF, kind="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=kind)


@pytest.fixture
def practice(w):
    return PracticeFactory(unit=w["B"], title="Call back detractors", author=w["bob"],
                           body="Within **48 h**. <script>alert(1)</script>",
                           objectives=[w["B_cx"]], measures=[w["B_nps"]])  # fmt: skip


# Documents ---------------------------------------------------------------------------------


def test_a_document_is_stored_under_a_random_name_and_downloaded_as_given(w, practice, media):
    bob = client_for(w["bob"])
    made = bob.post(f"/api/v1/practices/{practice.pk}/attachments/", {"file": upload()},
                    format="multipart")  # fmt: skip
    assert made.status_code == 201, made.json()
    answer = made.json()
    assert (answer["name"], answer["size"], answer["content_type"]) == (
        "plan.pdf", len(PDF), "application/pdf"
    )  # fmt: skip
    attachment = PracticeAttachment.objects.get()
    stored = attachment.file.name
    assert stored.startswith(f"practices/{practice.pk}/") and "plan" not in stored
    assert (media / stored).read_bytes() == PDF
    assert answer["url"].endswith(f"/api/v1/practices/{practice.pk}/attachments/{attachment.pk}/")
    listed = bob.get(f"/api/v1/practices/{practice.pk}/").json()["attachments"]
    assert [a["id"] for a in listed] == [attachment.pk]
    # Anyone with a role gets the bytes, page or API, as a download named as uploaded.
    for response in (
        client_for(w["ann"]).get(answer["url"]),
        _logged_in(w["ann"]).get(reverse("practice-attachment", args=[practice.pk,
                                                                      attachment.pk])),
    ):  # fmt: skip
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Disposition"] == 'attachment; filename="plan.pdf"'
        assert response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff"


def _logged_in(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def test_downloads_only_to_who_may_see_the_practice(w, practice):
    attachment = services.attachment_add(actor=w["bob"], practice=practice, file=upload())
    page = reverse("practice-attachment", args=[practice.pk, attachment.pk])
    api = f"/api/v1/practices/{practice.pk}/attachments/{attachment.pk}/"
    assert _logged_in(w["nora"]).get(page).status_code == 403  # no role
    assert client_for(w["nora"]).get(api).status_code == 403
    # Signed out: to the login page; the API wants credentials.
    from django.test import Client
    from rest_framework.test import APIClient

    assert Client().get(page).status_code == 302
    assert APIClient().get(api).status_code in (401, 403)
    other = PracticeFactory(unit=w["C"], author=w["cat"])
    wrong = reverse("practice-attachment", args=[other.pk, attachment.pk])
    assert _logged_in(w["ann"]).get(wrong).status_code == 404  # not that practice's


def test_a_document_too_large_or_of_another_kind_is_refused(w, practice, settings):
    settings.ATTACHMENT_MAX_BYTES = 100
    bob = client_for(w["bob"])
    url = f"/api/v1/practices/{practice.pk}/attachments/"
    large = bob.post(url, {"file": upload(content=b"x" * 101)}, format="multipart")
    assert large.status_code == 400
    assert large.json() == {
        "file": ["“plan.pdf” is too large: an attachment may be at most 100 bytes."]
    }
    # A body far over the limit is refused before it is read.
    huge = bob.post(url, {"file": upload(content=b"x" * 70_000)}, format="multipart")
    assert huge.json() == {"file": ["An attachment may be at most 100 bytes."]}
    exe = bob.post(url, {"file": upload("run.exe", b"MZ", "application/pdf")}, format="multipart")
    assert exe.status_code == 400 and "“run.exe” is not a document" in exe.json()["file"][0]
    assert ".pdf" in exe.json()["file"][0]
    assert bob.post(url, {}, format="multipart").status_code == 400
    two = bob.post(url, {"file": [upload(), upload("b.png", b"png", "image/png")]},
                   format="multipart")  # fmt: skip
    assert two.status_code == 400
    assert bob.post(url, {"file": "text"}, format="json").status_code == 415
    assert not PracticeAttachment.objects.exists()


def test_only_the_author_and_staff_attach_and_remove(w, practice):
    url = f"/api/v1/practices/{practice.pk}/attachments/"
    for who in ("ann", "nora"):  # a role but not the author; no role
        refused = client_for(w[who]).post(url, {"file": upload()}, format="multipart")
        assert refused.status_code == 403
    assert client_for(w["ann"]).post("/api/v1/practices/999999/attachments/", {"file": upload()},
                                     format="multipart").status_code == 404  # fmt: skip
    made = client_for(w["staff"]).post(url, {"file": upload()}, format="multipart")
    assert made.status_code == 201
    one = f"{url}{made.json()['id']}/"
    assert client_for(w["ann"]).delete(one).status_code == 403
    assert client_for(w["bob"]).delete(one).status_code == 204
    assert not PracticeAttachment.objects.exists()


def test_deleting_a_practice_removes_its_files_once_committed(
    w, practice, media, django_capture_on_commit_callbacks
):
    attachment = services.attachment_add(actor=w["bob"], practice=practice, file=upload())
    path = media / attachment.file.name
    assert path.exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.practice_delete(actor=w["bob"], instance=practice)
    assert not path.exists() and not Practice.objects.exists()


# Pages -------------------------------------------------------------------------------------


def test_the_list_page_filters_and_keeps_its_queries(w, practice, client):
    PracticeFactory(unit=w["C"], title="Weekly huddle", author=w["cat"])
    client.force_login(w["ann"])
    page = client.get(reverse("practices"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Call back detractors" in html and "Weekly huddle" in html
    assert "Write a practice" in html
    only_c = client.get(reverse("practices"), {"unit": w["C"].pk}).content.decode()
    assert "Weekly huddle" in only_c and "Call back detractors" not in only_c
    assert client.get(reverse("practices"), {"unit": "nope"}).status_code == 400
    words = client.get(reverse("practices"), {"q": "48 h"}).content.decode()
    assert "Call back detractors" in words and "Weekly huddle" not in words

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("practices")).status_code == 200
        return len(captured)

    few = queries()
    for _ in range(5):
        extra = PracticeFactory(unit=w["B"], author=w["bob"], objectives=[w["B_cx"]],
                                measures=[w["B_nps"]])  # fmt: skip
        EndorsementFactory(practice=extra)
        services.attachment_add(actor=w["bob"], practice=extra, file=upload())
    assert queries() == few
    client.force_login(w["nora"])
    assert client.get(reverse("practices")).status_code == 403


def test_the_practice_page_renders_its_markdown_safely(w, practice, client):
    services.attachment_add(actor=w["bob"], practice=practice, file=upload())
    client.force_login(w["ann"])
    html = client.get(reverse("practice", args=[practice.pk])).content.decode()
    assert "<strong>48 h</strong>" in html and "<script>alert" not in html
    assert "B.CX" in html and "B.NPS" in html and "plan.pdf" in html
    assert "Endorse" in html and "Edit the practice" not in html
    client.force_login(w["bob"])
    own = client.get(reverse("practice", args=[practice.pk])).content.decode()
    assert "Edit the practice" in own and ">Endorse<" not in own  # not one's own
    assert client.get(reverse("practice", args=[999999])).status_code == 404


def test_the_endorse_button_with_and_without_htmx(w, practice, client):
    client.force_login(w["ann"])
    url = reverse("practice-endorsement", args=[practice.pk])
    swapped = client.post(url, HTTP_HX_REQUEST="true")
    assert swapped.status_code == 200 and b"<html" not in swapped.content
    assert b"1 endorsement" in swapped.content and b"Withdraw my endorsement" in swapped.content
    again = client.post(url, HTTP_HX_REQUEST="true")
    assert again.status_code == 400 and b"already endorsed" in again.content
    withdrawn = client.post(url, {"withdraw": "1"})
    assert withdrawn.status_code == 302 and not Endorsement.objects.exists()
    client.force_login(w["bob"])
    client.post(url)
    assert not Endorsement.objects.exists()  # the author cannot
    assert client.get(url).status_code == 405


def test_the_form_writes_a_practice_with_its_documents(w, client):
    client.force_login(w["cat"])
    assert client.get(reverse("practice-new")).status_code == 200
    posted = client.post(reverse("practice-new"), {
        "title": "Weekly huddle", "unit": w["C"].pk, "body": "Fifteen minutes, standing.",
        "objectives": [w["C_cx"].pk], "measures": [w["C_nps"].pk],
        "attachments": [upload(), upload("board.png", b"\x89PNG", "image/png")],
    })  # fmt: skip
    assert posted.status_code == 302
    practice = Practice.objects.get()
    assert posted["Location"] == reverse("practice", args=[practice.pk])
    assert practice.author == w["cat"]
    assert sorted(a.name for a in practice.attachments.all()) == ["board.png", "plan.pdf"]
    assert [m.code for m in practice.measures.all()] == ["NPS"]


def test_the_form_refuses_bad_documents_and_keeps_nothing(w, client, settings, media):
    settings.ATTACHMENT_MAX_BYTES = 100
    client.force_login(w["cat"])
    data = {"title": "Huddle", "unit": w["C"].pk, "body": "Standing."}
    new = reverse("practice-new")
    large = client.post(new, {**data, "attachments": [upload(content=b"x" * 101)]})
    assert large.status_code == 400
    assert "an attachment may be at most 100 bytes" in large.content.decode()
    exe = client.post(new, {**data, "attachments": [upload("run.exe")]})
    assert exe.status_code == 400 and "is not a document or a picture" in exe.content.decode()
    # A body over the uploads' ceiling arrives without its files (core/uploads.py).
    settings.BULK_MAX_BYTES = 1_000
    huge = client.post(new, {**data, "attachments": [upload(content=b"x" * 2_000)]})
    assert huge.status_code == 400
    assert "An attachment may be at most 100 bytes." in huge.content.decode()
    assert not Practice.objects.exists()
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_who_may_write_change_and_delete(w, practice, client):
    client.force_login(w["nora"])
    assert client.get(reverse("practice-new")).status_code == 403
    data = {"title": "Mine", "unit": w["B"].pk, "body": "x"}
    assert client.post(reverse("practice-new"), data).status_code == 403
    client.force_login(w["ann"])  # a role, not the author, not staff
    for name in ("practice-edit", "practice-delete"):
        assert client.get(reverse(name, args=[practice.pk])).status_code == 403
    assert client.post(reverse("practice-edit", args=[practice.pk]), data).status_code == 403
    client.force_login(w["staff"])
    assert client.get(reverse("practice-delete", args=[practice.pk])).status_code == 200
    edit = client.get(reverse("practice-edit", args=[practice.pk]))
    assert edit.status_code == 200 and b"B.CX" in edit.content  # the chosen, written out
    changed = client.post(reverse("practice-edit", args=[practice.pk]),
                          {**data, "objectives": [w["B_cx"].pk]})  # fmt: skip
    assert changed.status_code == 302
    practice.refresh_from_db()
    assert practice.title == "Mine" and practice.author == w["bob"]
    assert client.post(reverse("practice-delete", args=[practice.pk])).status_code == 302
    assert not Practice.objects.exists()


def test_the_form_boxes_search_objectives_and_measures(w, client):
    client.force_login(w["ann"])
    found = client.get(reverse("practice-measures"), {"q": "b.nps"}).json()["results"]
    assert [r["text"] for r in found] == ["B.NPS Measure NPS"]
    found = client.get(reverse("practice-objectives"), {"q": "CX"}).json()["results"]
    assert [r["text"].split()[0] for r in found] == ["A.CX", "B.CX", "C.CX"]
    client.force_login(w["nora"])
    assert client.get(reverse("practice-measures"), {"q": "x"}).status_code == 403


# On the measure's page ---------------------------------------------------------------------


def test_the_measure_page_loads_the_panel_when_off_target_or_on_watch(w, practice, client):
    client.force_login(w["ann"])
    panel_url = reverse("practice-suggestions", args=[w["A_nps"].pk])
    assert panel_url in client.get(reverse("measure", args=[w["A_nps"].pk])).content.decode()
    assert (
        "practice-suggestions"
        not in client.get(reverse("measure", args=[w["B_nps"].pk])).content.decode()
    )
    on_target = reverse("practice-suggestions", args=[w["B_nps"].pk])
    assert on_target not in client.get(reverse("measure", args=[w["B_nps"].pk])).content.decode()
    panel = client.get(panel_url, HTTP_HX_REQUEST="true").content.decode()
    assert "Practices from units on target" in panel and "Call back detractors" in panel
    assert "Off target" in panel and ">B</a>" in panel
    assert "red" not in panel.replace("status-red", "")  # words, never the code
    assert client.get(on_target, HTTP_HX_REQUEST="true").content.strip() == b""
    page = client.get(panel_url)
    assert page.status_code == 200 and b"<html" in page.content
    assert client.get(reverse("practice-suggestions", args=[999999])).status_code == 404
