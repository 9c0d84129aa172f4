"""Choosing a person among very many (core/people.py): the form writes the chosen person
only, the box searches the server as the person types."""

import pytest
from django import forms
from django.test.html import parse_html
from django.urls import reverse

from core.people import PersonField, people_matching
from core.roles import EMPLOYEE
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
URL = "/people/search/"


class OwnerForm(forms.Form):
    owner = PersonField(required=False, label="Owner", empty_label="No owner")


def test_the_address():
    assert reverse("people-search") == URL


def test_signed_out_people_are_sent_to_sign_in(client):
    response = client.get(URL, {"q": "ann"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_only_get(client):
    client.force_login(UserFactory(roles=[EMPLOYEE]))
    assert client.post(URL, {"q": "ann"}).status_code == 405


def test_someone_without_a_role_may_not_list_the_people(client):
    UserFactory(first_name="Ann")
    client.force_login(UserFactory())
    response = client.get(URL, {"q": "ann"})
    assert response.status_code == 403 and b"Ann" not in response.content


def test_every_word_must_match_a_name_or_the_username(client):
    ann = UserFactory(username="asmith", first_name="Ann", last_name="Smith", roles=[EMPLOYEE])
    UserFactory(username="ajones", first_name="Ann", last_name="Jones")
    UserFactory(username="bsmith", first_name="Bob", last_name="Smith")
    UserFactory(username="gone", first_name="Ann", last_name="Smithers", is_active=False)
    client.force_login(ann)

    answer = client.get(URL, {"q": "ann SMI"}).json()

    # Ann Smith: "ann" in the first name, "smi" in the last; Ann Jones lacks "smi", Bob
    # lacks "ann", Ann Smithers has left (inactive)
    assert answer == {"results": [{"value": ann.pk, "text": "Ann Smith"}]}
    by_username = client.get(URL, {"q": "bsmi"}).json()["results"]
    assert [r["text"] for r in by_username] == ["Bob Smith"]


def test_at_most_twenty_answers_by_name():
    for n in range(25):
        UserFactory(username=f"p{n:02}", first_name="Pat", last_name=f"Number {n:02}")

    found = list(people_matching("pat"))

    assert len(found) == 20  # 25 match; the first 20 by last name: Number 00 … Number 19
    assert found[0].last_name == "Number 00" and found[-1].last_name == "Number 19"


def test_two_queries_whatever_the_number_of_people(client, django_assert_num_queries):
    me = UserFactory(roles=[EMPLOYEE])
    UserFactory.create_batch(30, first_name="Sam")
    client.force_login(me)
    client.get(URL, {"q": "sam"})  # the session's first read
    with django_assert_num_queries(4):  # session, user, the user's roles, the search
        client.get(URL, {"q": "sam"})


def test_the_form_writes_the_chosen_person_only():
    chosen = UserFactory(first_name="Cyd", last_name="Chosen")
    UserFactory.create_batch(5)

    html = str(OwnerForm(initial={"owner": chosen.pk})["owner"])

    options = parse_html(html).children
    assert [o.children for o in options] == [["No owner"], ["Cyd Chosen"]]
    assert 'data-search-url="/people/search/"' in html and "data-searchable" in html


def test_the_form_accepts_any_active_person_and_refuses_others():
    anyone = UserFactory()
    gone = UserFactory(is_active=False)

    assert OwnerForm(data={"owner": anyone.pk}).is_valid()
    assert OwnerForm(data={"owner": ""}).is_valid()
    for bad in (gone.pk, 99999, "abc"):
        form = OwnerForm(data={"owner": bad})
        assert not form.is_valid() and "owner" in form.errors
        # drawn again with the empty choice only: a refused key is offered as nobody
        options = parse_html(str(form["owner"])).children
        assert [o.children for o in options] == [["No owner"]]
