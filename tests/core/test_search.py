"""The search (issue 17 item 6, core/search.py): what each app registers, the ranking worked
out by hand, that nothing out of sight is found (snippets included), safe snippets, and a
number of queries that does not grow with the data.

Runs on the database the settings name: the fallback on SQLite, full text on PostgreSQL
(`DATABASE_URL=postgres://... pytest`); where the two rank differently both expectations
are written out. PostgreSQL's own checks (the GIN indexes, stemming) are in
test_search_postgresql.py."""

import re

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from communication.models import Announcement, Practice
from core import search as engine
from core.roles import EMPLOYEE, EXECUTIVE, UNIT_HEAD
from core.search import AddSearchIndex, SearchType, search, search_types, searchable_types
from people.models import Goal
from tests.factories import (
    ActionItemFactory,
    EmployeeFactory,
    GoalFactory,
    InitiativeFactory,
    MeasureFactory,
    ObjectiveFactory,
    OrgUnitFactory,
    ReviewMeetingFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
POSTGRESQL = connection.vendor == "postgresql"
TYPES = ["objective", "measure", "initiative", "practice", "announcement", "decision",
         "action_item"]  # fmt: skip
# HTML in a practice's text: a whole tag (PostgreSQL's headline drops it) and one left open
# (which it keeps as it is).
SCRIPT = "<img src=x onerror=alert(1)// <script>alert(1)</script>"


def make_world():
    """One thing of each kind about customers, and two that are not found as what they are
    (a meeting without decisions, an action item about something else)."""
    unit = OrgUnitFactory(code="SALES", name="Sales")
    w = {"unit": unit}
    w["objective"] = ObjectiveFactory(unit=unit, code="CUST", name="Customer retention",
                                      description="Keep the clients we have.")  # fmt: skip
    w["measure"] = MeasureFactory(objective=w["objective"], code="CHURN", name="Churn rate",
                                  description="Share of customer accounts lost.")  # fmt: skip
    w["initiative"] = InitiativeFactory(unit=unit, code="LOYAL", name="Loyalty programme",
                                        description="Points for every customer.")  # fmt: skip
    w["practice"] = Practice.objects.create(
        unit=unit, title="Call back detractors",
        body=f"Within two days every unhappy customer gets a call. {SCRIPT}",
    )  # fmt: skip
    w["announcement"] = Announcement.objects.create(
        unit=unit, title="Customer week", body="Meet the people who buy from us."
    )
    w["meeting"] = ReviewMeetingFactory(unit=unit, title="March review",
                                        decisions="Fund the customer survey.")  # fmt: skip
    w["no_decision"] = ReviewMeetingFactory(unit=unit, title="Customer day", decisions="")
    w["action_item"] = ActionItemFactory(meeting=w["meeting"], title="Call every customer lost")
    w["other_item"] = ActionItemFactory(meeting=w["meeting"], title="Book the room")
    w["employee"] = UserFactory(roles=[EMPLOYEE])
    w["nobody"] = UserFactory()  # no role
    return w


@pytest.fixture
def w():
    return make_world()


def found_of(user, q, **kwargs):
    return [(hit.type.name, hit.id) for hit in search(user, q, **kwargs).hits]


# The registry ------------------------------------------------------------------------------


def test_every_app_registers_its_kinds_in_the_apps_order():
    assert [kind.name for kind in search_types()] == TYPES


def test_every_kind_has_a_gin_index_over_the_fields_it_registers():
    """The migrations' AddSearchIndex operations name the fields each app registers, so the
    index is built over the very expression the search asks (test_search_postgresql.py
    checks PostgreSQL uses it)."""
    indexes = {}
    for migration in MigrationLoader(None, ignore_no_migrations=True).disk_migrations.values():
        for operation in migration.operations:
            if isinstance(operation, AddSearchIndex):
                indexes[migration.app_label, operation.model_name] = operation
    for kind in search_types():
        meta = kind.model._meta
        index = indexes[meta.app_label, meta.model_name]
        assert (index.title_fields, index.body_fields) == (kind.title_fields, kind.body_fields)


def test_the_text_search_configuration_follows_the_language_unless_set(settings):
    settings.LANGUAGE_CODE = "fr"
    assert engine.search_config() == "french"
    settings.LANGUAGE_CODE = "de-ch"
    assert engine.search_config() == "german"
    settings.LANGUAGE_CODE = "ja"
    assert engine.search_config() == "simple"
    settings.OSM_SEARCH_CONFIG = "english"
    assert engine.search_config() == "english"


# What is found -----------------------------------------------------------------------------


def test_one_thing_of_each_kind_is_found_with_its_title_and_page(w):
    hits = {hit.type.name: hit for hit in search(w["employee"], "customer").hits}
    assert sorted(hits) == sorted(TYPES)
    assert (hits["objective"].title, hits["objective"].url) == (
        "SALES.CUST Customer retention",
        reverse("objective", args=[w["objective"].pk]),
    )
    assert hits["measure"].title == "SALES.CHURN Churn rate"
    assert hits["initiative"].title == "SALES.LOYAL Loyalty programme"
    assert hits["practice"].url == reverse("practice", args=[w["practice"].pk])
    assert hits["announcement"].url == reverse("announcement", args=[w["announcement"].pk])
    # A decision is its meeting's (one with decisions: "Customer day" decided nothing).
    assert hits["decision"].id == w["meeting"].pk
    assert hits["decision"].title == "March review (2026-02-10)"
    assert hits["decision"].url.startswith(reverse("reviews:detail", args=[w["meeting"].pk]))
    assert hits["action_item"].id == w["action_item"].pk
    assert search(w["employee"], "customer").count == 7


def test_only_the_kinds_asked_and_an_unknown_kind_is_refused(w):
    assert found_of(w["employee"], "customer", types=["practice", "decision"]) in (
        [("practice", w["practice"].pk), ("decision", w["meeting"].pk)],
        [("decision", w["meeting"].pk), ("practice", w["practice"].pk)],
    )
    with pytest.raises(ValueError):
        search(w["employee"], "customer", types=["goal"])


def test_every_word_must_match_and_nothing_is_found_for_no_words(w):
    assert found_of(w["employee"], "customer survey") == [("decision", w["meeting"].pk)]
    assert found_of(w["employee"], "customer zebra") == []
    assert search(w["employee"], "   ").count == 0


def test_limit_keeps_the_best_and_count_counts_all(w):
    found = search(w["employee"], "customer", limit=2)
    assert (found.count, len(found.hits)) == (7, 2)
    assert found.counts == dict.fromkeys(TYPES, 1)


# Ranking, worked out by hand ----------------------------------------------------------------


@pytest.fixture
def ranked():
    """Three objectives holding "retention" in their title, their description, or both."""
    unit = OrgUnitFactory(code="OPS")
    return {
        "title": ObjectiveFactory(unit=unit, code="A", name="Customer retention",
                                  description="Keep the clients we have."),
        "body": ObjectiveFactory(unit=unit, code="B", name="Grow revenue",
                                 description="Mostly from customer retention programmes."),
        "both": ObjectiveFactory(unit=unit, code="C", name="Retention first",
                                 description="Retention of every account."),
    }  # fmt: skip


def test_title_matches_rank_above_body_matches(ranked):
    user = UserFactory(roles=[EMPLOYEE])
    found = search(user, "retention", types=["objective"])
    ranks = {hit.id: round(hit.rank, 4) for hit in found.hits}
    order = [ranked["both"].pk, ranked["title"].pk, ranked["body"].pk]
    assert [hit.id for hit in found.hits] == order
    if POSTGRESQL:
        # ts_rank, one word (weights A 1.0, B 0.4): over the word's positions p_1..p_n in
        # the document, r = sum of w_i / i^2, then (w_max + r - w_max / j^2) / (pi^2/6) where
        # j is the index of the heaviest. Title only, once: (1 + 1 - 1) / 1.644934 = 0.6079;
        # body only: 0.4 / 1.644934 = 0.2432; title then body: r = 1 + 0.4/4 = 1.1, so
        # 1.1 / 1.644934 = 0.6687.
        assert ranks == {order[0]: 0.6687, order[1]: 0.6079, order[2]: 0.2432}
    else:
        # Fallback: 1.0 for the word in the title, 0.4 in the body, over 1.4 (the most):
        # both 1.4/1.4 = 1; title 1.0/1.4 = 0.7143; body 0.4/1.4 = 0.2857.
        assert ranks == {order[0]: 1.0, order[1]: 0.7143, order[2]: 0.2857}


def test_two_words_rank_by_where_they_are(ranked):
    """ "customer retention": both words in the title, one in each, both in the body."""
    ObjectiveFactory(unit=ranked["title"].unit, code="D", name="Customer care",
                     description="Retention of key accounts.")  # fmt: skip
    user = UserFactory(roles=[EMPLOYEE])
    hits = search(user, "customer retention", types=["objective"]).hits
    assert [hit.title for hit in hits] == [
        "OPS.A Customer retention", "OPS.D Customer care", "OPS.B Grow revenue"]  # fmt: skip
    if not POSTGRESQL:
        # Fallback, over (1.0 + 0.4) x 2 words = 2.8: A 2.0/2.8 = 0.7143; D (customer in
        # the title, retention in the body) 1.4/2.8 = 0.5; B 0.8/2.8 = 0.2857.
        assert [round(hit.rank, 4) for hit in hits] == [0.7143, 0.5, 0.2857]


# Out of sight ------------------------------------------------------------------------------


def test_someone_without_a_role_finds_nothing(w):
    assert searchable_types(w["nobody"]) == []
    found = search(w["nobody"], "customer")
    assert (found.count, found.hits) == (0, [])


@pytest.fixture
def goals(monkeypatch):
    """Goals made searchable for the test (they are not: a person's goals are his or hers):
    a kind whose rows not everyone sees, by the people policy (the employee his or her own,
    a head his or her subtree)."""
    kind = SearchType("goal", "Goal", Goal, ("title",), (), lambda g: g.title, lambda g: "/")
    monkeypatch.setitem(engine._types, "goal", kind)
    sales, hr = OrgUnitFactory(code="SALESX"), OrgUnitFactory(code="HRX")
    ann, head = UserFactory(roles=[EMPLOYEE]), UserFactory(roles=[UNIT_HEAD])
    sales.head = head
    sales.save()
    mine = GoalFactory(employee=EmployeeFactory(unit=sales, user=ann),
                       title="Customer visits, secret plan alpha")  # fmt: skip
    theirs = GoalFactory(employee=EmployeeFactory(unit=hr),
                         title="Customer survey, secret plan beta")  # fmt: skip
    return {"ann": ann, "head": head, "mine": mine, "theirs": theirs}


def test_rows_out_of_sight_are_never_found_nor_shown_in_a_snippet(goals):
    executive = UserFactory(roles=[EXECUTIVE])
    everyone = [goals["mine"], goals["theirs"]]
    seen = {goals["ann"]: [goals["mine"]], goals["head"]: [goals["mine"]], executive: everyone}
    for user, visible in seen.items():
        found = search(user, "secret plan", types=["goal"])
        assert sorted(hit.id for hit in found.hits) == sorted(g.pk for g in visible)
        assert found.count == len(visible)
        every = " ".join(f"{hit.title} {hit.snippet}" for hit in search(user, "secret").hits)
        assert ("beta" in every) is (goals["theirs"] in visible)


def test_a_kind_one_may_not_see_is_skipped_whatever_its_scope(goals, monkeypatch):
    nosy = SearchType(
        "goal",
        "Goal",
        Goal,
        ("title",),
        (),
        lambda g: g.title,
        lambda g: "/",
        scope=lambda user: Goal.objects.all(),
    )  # a scope that forgot the rules
    monkeypatch.setitem(engine._types, "goal", nosy)
    assert search(UserFactory(), "secret", types=["goal"]).count == 0
    # With a role, the type's own scope is what it is given (here everything).
    assert search(goals["ann"], "secret", types=["goal"]).count == 2


# Snippets ----------------------------------------------------------------------------------


def test_snippets_are_escaped_and_mark_the_words(w):
    (hit,) = search(w["employee"], "unhappy", types=["practice"]).hits
    assert "<" not in re.sub("</?mark>", "", hit.snippet)  # no tag but the marks
    assert "&lt;img src=x onerror=alert" in hit.snippet
    assert "every <mark>unhappy</mark> customer" in hit.snippet


def test_a_snippet_without_a_body_is_the_title(w):
    (hit,) = search(w["employee"], "lost", types=["action_item"]).hits
    assert "<mark>lost</mark>" in hit.snippet.lower()
    assert "every customer" in hit.snippet.lower()


def test_the_fallback_snippet_is_thirty_words_around_the_first_match():
    words = [f"w{i}" for i in range(100)]
    words[50] = "Target"
    text = " ".join(words) + " <b>"
    # 30 words from 10 before the match: w40 … w69; "…" at both ends (more on both sides).
    expected = "… " + " ".join(words[40:50]) + " <mark>Target</mark> " + " ".join(words[51:70])
    assert engine.snippet(text, ["target"]) == expected + " …"
    # Near the end the window ends with the text: of its 50 words (w0 … w47, Target, <b>)
    # the last 30, from w20; "…" before only.
    tail = engine.snippet(" ".join(words[:48]) + " Target <b>", ["target"])
    assert tail == "… " + " ".join(words[20:48]) + " <mark>Target</mark> &lt;b&gt;"


def test_a_headline_is_escaped_then_marked():
    marker = engine.START + "plan" + engine.STOP
    assert engine.marked(f"a <i>{marker}</i> & {engine.START}b") == (
        "a &lt;i&gt;<mark>plan</mark>&lt;/i&gt; &amp; b")  # fmt: skip


# Queries -----------------------------------------------------------------------------------


def queries_of(user, q) -> int:
    search(user, q)  # warm: the user's roles are read once
    with CaptureQueriesContext(connection) as queries:
        search(user, q)
    return len(queries)


def test_one_query_per_kind_whatever_the_data(w):
    user = w["employee"]
    few = queries_of(user, "customer")
    for n in range(12):
        ObjectiveFactory(unit=w["unit"], name=f"Customer goal {n}", description="customer")
        Practice.objects.create(unit=w["unit"], title=f"Customer tip {n}", body="customer")
        ActionItemFactory(meeting=w["meeting"], title=f"Customer call {n}")
    assert queries_of(user, "customer") == few
    # SQLite: one per kind. PostgreSQL: one per kind, the scan settings set and put back,
    # the snippets, and the savepoint's two (the test runs in a transaction).
    assert few == len(TYPES) + (5 if POSTGRESQL else 0)
