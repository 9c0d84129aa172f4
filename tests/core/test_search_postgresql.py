"""The search on PostgreSQL (core/search.py): each kind is found through its GIN index
(EXPLAIN), with a common word too; stemming in the company's language and the web-search
syntax; a common word ranks the most recent candidates but counts every match; the scan
settings are put back. Skipped without PostgreSQL (`DATABASE_URL=postgres://... pytest`)."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from core import search as engine
from core.roles import EMPLOYEE
from core.search import search, search_types
from scorecards.models import Objective, Perspective
from tests.core.test_search import make_world
from tests.factories import ObjectiveFactory, OrgUnitFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.services]


@pytest.fixture(autouse=True)
def _postgres(postgres):
    """Every test here needs PostgreSQL."""


INDEXES = {"objective": "objective_search_idx", "measure": "measure_search_idx",
           "initiative": "initiative_search_idx", "practice": "practice_search_idx",
           "announcement": "announcement_search_idx", "decision": "decision_search_idx",
           "action_item": "action_item_search_idx"}  # fmt: skip


def plans_of(user, q, types=None) -> dict[str, str]:
    """EXPLAIN of each kind's query of a search, as the search runs it (its settings)."""
    with CaptureQueriesContext(connection) as queries:
        search(user, q, types=types)
    plans = {}
    with transaction.atomic(), engine._bitmap_scans(), connection.cursor() as cursor:
        for kind in search_types():
            if types and kind.name not in types:
                continue
            table = kind.model._meta.db_table
            sql = next(query["sql"] for query in queries.captured_queries
                       if query["sql"].startswith(f'SELECT "{table}"."id"'))  # fmt: skip
            cursor.execute("EXPLAIN " + sql)
            plans[kind.name] = "\n".join(row[0] for row in cursor.fetchall())
    return plans


def test_every_kind_is_found_through_its_gin_index():
    """The index is built over the expression the search asks: PostgreSQL answers the match
    from it (a different expression could only be read row by row)."""
    w = make_world()
    plans = plans_of(w["employee"], "customer")
    for name, index in INDEXES.items():
        assert f"Bitmap Index Scan on {index}" in plans[name], plans[name]
        assert "Seq Scan" not in plans[name], plans[name]


def _objectives(n: int, name: str, description: str = "") -> None:
    unit = OrgUnitFactory()
    perspective = Perspective.objects.first()
    Objective.objects.bulk_create(
        Objective(unit=unit, code=f"B{i}", name=f"{name} {i}", description=description,
                  perspective=perspective)
        for i in range(n)
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE scorecards_objective")


def test_the_planner_takes_the_index_by_itself_for_a_rare_word():
    """Without the search's settings, on a table of 3,000 objectives, a rare word."""
    _objectives(3000, "Quarterly operating objective")
    ObjectiveFactory(name="Zeppelin hangar")
    with CaptureQueriesContext(connection) as queries:
        search(UserFactory(roles=[EMPLOYEE]), "zeppelin", types=["objective"])
    sql = next(q["sql"] for q in queries.captured_queries if "scorecards_objective" in q["sql"])
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Bitmap Index Scan on objective_search_idx" in plan, plan


def test_a_word_in_every_row_is_still_read_from_the_index():
    """Every one of 1,000 objectives matches: the index still answers (the planner alone
    would parse every row's text again, as it does not know the index needs no check)."""
    _objectives(1000, "Customer objective", "For every customer, every month.")
    plan = plans_of(UserFactory(roles=[EMPLOYEE]), "customer", ["objective"])["objective"]
    assert "Bitmap Index Scan on objective_search_idx" in plan, plan
    assert "Seq Scan" not in plan and "Index Scan using" not in plan, plan


def test_the_scan_settings_are_put_back():
    with transaction.atomic():
        search(UserFactory(roles=[EMPLOYEE]), "customer")
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('enable_seqscan'), "
                           "current_setting('enable_indexscan')")  # fmt: skip
            assert cursor.fetchone() == ("on", "on")


def test_words_are_found_in_their_other_forms_and_the_web_search_syntax_works():
    w = make_world()
    user = w["employee"]

    def kinds(q):
        return sorted(hit.type.name for hit in search(user, q).hits)

    # English stemming: "customers" is "customer", "programmes" is "programme".
    assert kinds("customers") == sorted(INDEXES)
    assert kinds("programmes") == ["initiative"]
    # A minus leaves a word out; quotes find words together; "or" either.
    assert "decision" not in kinds("customer -survey")
    assert kinds('"customer survey"') == ["decision"]
    assert kinds("survey or detractors") == ["decision", "practice"]


def test_a_common_word_ranks_the_most_recent_candidates_and_counts_every_match(monkeypatch):
    """With 3 candidates: an old objective with the word in its title (the best rank) is not
    among the 3 most recent matches, so it is not shown, but it is counted."""
    monkeypatch.setattr(engine, "CANDIDATES", 3)
    unit = OrgUnitFactory()
    old = ObjectiveFactory(unit=unit, name="Harbour works")
    newer = [ObjectiveFactory(unit=unit, name=f"Plan {n}", description="Near the harbour.")
             for n in range(3)]  # fmt: skip
    user = UserFactory(roles=[EMPLOYEE])
    found = search(user, "harbour", types=["objective"])
    assert found.count == 4
    assert sorted(hit.id for hit in found.hits) == sorted(o.pk for o in newer)
    monkeypatch.setattr(engine, "CANDIDATES", 4)
    assert search(user, "harbour", types=["objective"]).hits[0].id == old.pk
