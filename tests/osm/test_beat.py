"""osm/beat.py's lock, in this process: of two schedulers only the one holding the lock
sends; one that lost it (stalled past its end) sends and records nothing more; one that takes
it reads the schedule afresh; closing releases it at once; with Redis away nothing is sent.

django-celery-beat's side (the schedule in the database, which entry is due) is stubbed: the
schedulers' one pass sends one entry. tests/osm/test_scale_out.py runs real beat processes.
Needs Redis (skips without it; fails under OSM_REQUIRE_SERVICES=1)."""

import os
import uuid

import pytest
import redis
from celery.beat import Scheduler
from django_celery_beat.schedulers import DatabaseScheduler

from osm import beat
from osm.celery import app
from tests.helpers import free_port


class Due:
    """A due schedule entry, as far as the lock is concerned."""

    name = "OSM: a job"


@pytest.fixture
def key(redis_url, monkeypatch, settings):
    """A lock key of this test's own; its lifetime 30 s; one pass of a scheduler sends one
    entry, recorded with the scheduler that sent it in `key.sent`, the runs written in
    `key.synced`."""
    name = f"osm:beat:lock:test:{uuid.uuid4().hex}"
    monkeypatch.setattr(beat, "LOCK_KEY", name)
    settings.REDIS_URL = redis_url
    settings.BEAT_LOCK_SECONDS = 30
    sent, synced = [], []

    def one_pass(self, *args, **kwargs):
        self.apply_entry(Due())
        return 1.0

    monkeypatch.setattr(Scheduler, "tick", one_pass)
    monkeypatch.setattr(
        Scheduler, "apply_entry", lambda self, entry, producer=None: sent.append(self)
    )
    monkeypatch.setattr(DatabaseScheduler, "sync", lambda self: synced.append(self))
    yield type("Key", (), {"name": name, "sent": sent, "synced": synced})
    redis.Redis.from_url(redis_url).delete(name)


@pytest.fixture
def schedulers():
    made = []

    def make():
        scheduler = beat.LockedDatabaseScheduler(app=app, lazy=True, max_interval=5)
        made.append(scheduler)
        return scheduler

    yield make
    for scheduler in made:
        scheduler._finalize.cancel()


def test_only_the_beat_holding_the_lock_sends(key, schedulers, redis_url):
    first, second = schedulers(), schedulers()
    assert first.tick() == 1.0
    assert second.tick() == 10.0  # a third of the lock's 30 s: it asks again then
    assert first.tick() == 1.0
    assert key.sent == [first, first]
    assert key.synced == [first, first]  # each run written right after its send
    token = redis.Redis.from_url(redis_url).get(key.name).decode()
    assert token.split(":")[1] == str(os.getpid())  # the lock names the beat holding it
    assert 0 < redis.Redis.from_url(redis_url).pttl(key.name) <= 30_000


def test_a_beat_that_lost_the_lock_sends_nothing_and_its_successor_reads_afresh(
    key, schedulers, redis_url
):
    first, second = schedulers(), schedulers()
    first.tick()
    redis.Redis.from_url(redis_url).delete(key.name)  # its time ran out while it stalled
    second._heap, second._initial_read = ["stale"], False
    assert second.tick() == 1.0
    assert second._initial_read and second._heap is None  # the schedule is read again
    first._dirty.add(Due.name)  # reserved, about to be sent
    first.apply_entry(Due())
    assert key.sent == [first, second]  # nothing more from the first
    assert Due.name not in first._dirty and not first.holding
    assert first.tick() == 10.0 and key.sent == [first, second]


def test_a_beat_closing_releases_the_lock_and_another_takes_it_at_once(key, schedulers, redis_url):
    first, second = schedulers(), schedulers()
    first.tick()
    assert second.tick() == 10.0
    first.close()
    assert redis.Redis.from_url(redis_url).get(key.name) is None
    assert second.tick() == 1.0
    assert key.sent == [first, second]


def test_without_redis_nothing_is_sent(key, schedulers, settings):
    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    lonely = schedulers()
    assert lonely.tick() == 10.0
    assert key.sent == [] and not lonely.holding


def test_the_lock_lasts_six_ticks_unless_set(key, schedulers, settings):
    del settings.BEAT_LOCK_SECONDS
    assert schedulers().lock_seconds == 30  # 6 x beat's --max-interval of 5 s
    settings.BEAT_LOCK_SECONDS = 12
    assert schedulers().lock_wait == 4
