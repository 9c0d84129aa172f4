"""After the data changes, the workers compute the enterprise dashboard's cached reads again
before a visitor asks (core/versioning.py, dashboards/tasks.py): sent once a change commits,
once per burst of writes, never with inline tasks, and a broker that does not answer costs
only the head start."""

import logging

import pytest
from django.core.cache import cache
from django.db import transaction
from kombu.exceptions import OperationalError

from alignment.selectors import cached_alignment_metrics
from core import versioning
from dashboards.tasks import warm_caches
from scorecards.selectors.attention import cached_subtree_attention
from tests import factories as f

pytestmark = pytest.mark.django_db
TASK = "osm.tasks.warm_caches"


@pytest.fixture(autouse=True)
def own_cache(settings):
    """A cache of this test's own: under CI the cache is Redis, shared by the test workers."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": "warm-caches-tests"}}  # fmt: skip


@pytest.fixture
def sent(settings, monkeypatch):
    """The tasks sent to the broker, as (name, countdown), with warming on."""
    settings.OSM_WARM_TASKS = [TASK]
    cache.delete(versioning.WARM_KEY)
    calls = []
    monkeypatch.setattr(
        versioning.current_app,
        "send_task",
        lambda name, countdown, retry: calls.append((name, countdown)),
    )
    yield calls
    cache.delete(versioning.WARM_KEY)


@pytest.mark.django_db(transaction=True)
def test_a_committed_change_sends_one_warming_however_many_rows_it_writes(sent):
    with transaction.atomic():
        ent = f.EnterpriseFactory(code="ACME")
        f.OrgUnitFactory(code="BU", parent=ent)
        f.OrgUnitFactory(code="HR", parent=ent)
        assert sent == []  # not before the commit
    assert sent == [(TASK, versioning.WARM_DELAY)]
    # another change within the delay: the warming already on its way will see it
    f.OrgUnitFactory(code="IT", parent=ent)
    assert sent == [(TASK, versioning.WARM_DELAY)]
    cache.delete(versioning.WARM_KEY)  # the delay has passed
    f.OrgUnitFactory(code="OPS", parent=ent)
    assert sent == [(TASK, versioning.WARM_DELAY)] * 2


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_sends_nothing(sent):
    with pytest.raises(RuntimeError), transaction.atomic():
        f.EnterpriseFactory(code="ACME")
        raise RuntimeError("rolled back")
    assert sent == []


def test_with_inline_tasks_nothing_is_sent(
    settings, monkeypatch, django_capture_on_commit_callbacks
):
    assert settings.OSM_WARM_TASKS == []  # the test settings run tasks inline
    monkeypatch.setattr(versioning.current_app, "send_task", pytest.fail)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        f.EnterpriseFactory(code="ACME")
    assert len(callbacks) == 1  # the version's move, which sends nothing (send_task fails)


def test_a_broker_that_does_not_answer_leaves_the_change_saved(
    settings, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    settings.OSM_WARM_TASKS = [TASK]
    cache.delete(versioning.WARM_KEY)

    def down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(versioning.current_app, "send_task", down)
    with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
        ent = f.EnterpriseFactory(code="ACME")
    cache.delete(versioning.WARM_KEY)
    assert ent.pk and "The caches are not warmed after this change" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_the_warming_leaves_the_dashboard_reads_cached(django_assert_num_queries):
    ent = f.EnterpriseFactory(code="ACME")
    objective = f.ObjectiveFactory(unit=f.OrgUnitFactory(code="BU", parent=ent))
    f.MeasureValueFactory(measure=f.MeasureFactory(objective=objective), actual=50, target=100)
    cache.clear()
    assert warm_caches() is True
    with django_assert_num_queries(2):  # the data version for each, then the cache
        cached_subtree_attention(ent)
        cached_alignment_metrics(ent)


def test_the_warming_of_an_empty_database_does_nothing():
    assert warm_caches() is False
