"""The bulk upsert and a concurrent edit on real PostgreSQL, in two threads with two
connections: a note-only upload never reverts a target someone changes while it runs.

The upload locks the stored rows it may change before it reads them (`select_for_update`),
and writes only the fields its rows give; the edit waits for the upload's commit, then
changes the target on the row as the upload left it. Skips without PostgreSQL
(DATABASE_URL), fails then under OSM_REQUIRE_SERVICES=1.
"""

import datetime as dt
import threading
import time
from decimal import Decimal

import pytest
from django.db import connection

from scorecards import services
from scorecards.models import MeasureValue
from scorecards.services import bulk
from scorecards.value_inputs import read_rows
from tests import factories as f

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
OCT = dt.date(2026, 10, 1)


@pytest.fixture
def on_postgres(postgres):
    if connection.vendor != "postgresql":
        pytest.skip("The race needs the PostgreSQL test database (DATABASE_URL).")


class Runner(threading.Thread):
    """A thread with its own database connection; keeps its exception and when it ended."""

    def __init__(self, work):
        super().__init__(daemon=True)
        self.work, self.error, self.ended = work, None, None

    def run(self):
        try:
            self.work()
        except BaseException as exc:  # re-raised in the test's thread
            self.error = exc
        finally:
            self.ended = time.monotonic()
            connection.close()


def test_a_note_only_upload_never_reverts_a_concurrent_target_edit(on_postgres, monkeypatch):
    # Stored: 95 against 100, red flag 90 (the factory's).
    value = f.MeasureValueFactory(measure=f.MeasureFactory(code="REV"), period=OCT)
    has_read = threading.Event()
    upsert = bulk._upsert

    def slow_upsert(writes, actor):
        has_read.set()  # the upload has read (and locked) the row...
        time.sleep(1.5)  # ...and the edit comes now, before the upload writes
        upsert(writes, actor)

    monkeypatch.setattr(bulk, "_upsert", slow_upsert)
    rows = read_rows([{"measure": value.measure_id, "period": "2026-10", "note": "Checked."}])

    def upload():
        counts = services.measure_values_bulk_record(actor=None, rows=rows)
        assert counts == (0, 1, 0)

    def edit():
        assert has_read.wait(20), "the upload never read the row"
        stored = MeasureValue.objects.get(pk=value.pk)
        services.measure_value_update(actor=None, instance=stored, data={"target": Decimal(92)})

    uploading, editing = Runner(upload), Runner(edit)
    uploading.start()
    editing.start()
    uploading.join(60)
    editing.join(60)
    for runner in (uploading, editing):
        if runner.error:
            raise runner.error
    value.refresh_from_db()
    assert (value.actual, value.target, value.red_flag, value.note) == (
        Decimal(95), Decimal(92), Decimal(90), "Checked.",
    )  # fmt: skip
    assert editing.ended >= uploading.ended  # the edit waited for the upload's lock
    assert [h.target for h in value.history.order_by("history_id")] == [
        Decimal(100),  # created
        Decimal(100),  # the upload's note
        Decimal(92),  # the edit, on the row as the upload left it
    ]
