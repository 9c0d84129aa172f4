"""The data version moves without a lock that writers wait on (issue 19), and the cache
keyed by it is still never stale: it moves once a change commits, not while it is open,
and not at all for a change rolled back.

The concurrency test runs on PostgreSQL (each thread has its own connection): one write
transaction is held open while a second writer, on another connection, commits under a
`lock_timeout`, which would turn any wait on a lock into an error."""

import threading

import pytest
from django.core.cache import cache
from django.db import connection, transaction

from alignment.selectors import cached_alignment_report
from core.versioning import data_version
from scorecards import services
from tests import factories as f

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def org():
    """The enterprise with one objective; a business unit with one supporting it and one
    not: objective linkage below the root is 1 of 2 = 50%."""
    cache.clear()
    ent = f.EnterpriseFactory(code="ACME", name="Acme")
    bu = f.OrgUnitFactory(code="BU", name="Retail", parent=ent)
    top = f.ObjectiveFactory(unit=ent, code="GROW", name="Grow")
    f.ObjectiveFactory(unit=bu, code="SELL", name="Sell more", supports=[top])
    f.ObjectiveFactory(unit=bu, code="LONE", name="Lonely objective")
    return ent, bu


def in_thread(work):
    """Run `work` on a thread of its own, so on a connection of its own; its result or
    its exception comes back."""
    outcome = {}

    def run():
        try:
            outcome["value"] = work()
        except Exception as exc:  # handed back to the test
            outcome["error"] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=60)
    assert not thread.is_alive(), "the other connection's work did not finish"
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


def test_the_version_moves_when_a_change_commits_not_before(org):
    _ent, bu = org
    before = data_version()
    with transaction.atomic():
        f.ObjectiveFactory(unit=bu, code="NEW")
        # not yet: the change may still be rolled back
        assert in_thread(data_version) == before
    assert data_version() != before


def test_a_rolled_back_change_leaves_the_version(org):
    _ent, bu = org
    before = data_version()
    with pytest.raises(RuntimeError), transaction.atomic():
        f.ObjectiveFactory(unit=bu, code="NEW")
        raise RuntimeError("rolled back")
    assert data_version() == before


def test_one_move_per_transaction_however_many_rows(org):
    _ent, bu = org
    before = data_version()
    with transaction.atomic():
        for i in range(5):
            f.ObjectiveFactory(unit=bu, code=f"N{i}")
    after = data_version()
    assert after != before
    # "epoch-counter": on PostgreSQL the sequence moved once for the five objectives
    assert int(after.rsplit("-", 1)[1]) == int(before.rsplit("-", 1)[1]) + 1


def test_a_second_writer_does_not_wait_for_an_open_write_transaction(org, postgres):
    ent, bu = org

    def second_writer():
        with transaction.atomic():
            with connection.cursor() as cursor:
                # any wait on a lock becomes an error after 2 s instead of a queue
                cursor.execute("SET LOCAL lock_timeout = '2s'")
            f.ObjectiveFactory(unit=ent, code="OTHER", name="Another unit's objective")
        return data_version()

    before = data_version()
    with transaction.atomic():
        f.ObjectiveFactory(unit=bu, code="HELD", name="Held open")
        # release 1 held the data version's row lock here, so this raised a lock timeout
        after_second = in_thread(second_writer)
        assert after_second != before
    assert data_version() != after_second


def test_a_report_cached_while_a_write_is_open_is_not_served_after_it_commits(org, postgres):
    ent, bu = org
    lone = bu.objectives.get(code="LONE")
    with transaction.atomic():
        services.objective_support(
            objective=lone, supported=ent.objectives.get(code="GROW"), actor=None
        )
        # another connection caches the report now: it cannot see the open change
        during = in_thread(lambda: cached_alignment_report(ent).metrics.objective_linkage)
        assert during == 50  # 1 of 2 objectives below the root support the enterprise
    after = cached_alignment_report(ent).metrics.objective_linkage
    assert after == 100  # 2 of 2: the entry cached during the write is not served
